/**
 * Spare-parts inventory (issue 16) on a real PostgreSQL: the spec's examples, exact decimals, the
 * ledger rules of every transaction type, low stock at or below the reorder point, archiving,
 * categories, work-order part lines (consume / return, closed orders, the order's DELETE), tenant
 * isolation, roles, bad input on every body and the audit trail. After every test each part's
 * stock equals the sum of its ledger.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { newMachine } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';
import { expectLedgerConsistent, newPart, newWorkOrder } from './inventory-fixtures.js';

const pgSvc = await probeService('postgres');

describe.skipIf(pgSvc.skip)(`inventory${pgSvc.label}`, () => {
  let t: TestApp;
  let api: string;
  let a: TenantSession;
  let b: TenantSession;
  let operator: TenantSession;
  let viewer: TenantSession;
  let machineA: string;

  beforeAll(async () => {
    t = await startTestApp();
    api = t.api;
    a = await registerTenant(api, 'inv-a');
    b = await registerTenant(api, 'inv-b');
    operator = await createUserSession(api, a, 'operator');
    viewer = await createUserSession(api, a, 'viewer');
    machineA = await newMachine(api, a);
  });
  afterAll(async () => {
    await t?.stop();
  });
  afterEach(async () => {
    await expectLedgerConsistent(t);
  });

  const stockOf = async (id: string, s = a) => (await http('GET', `${api}/inventory/parts/${id}`, { token: s.token })).body.quantity_on_hand;
  const tx = (partId: string, body: unknown, s = a) => http('POST', `${api}/inventory/parts/${partId}/transactions`, { token: s.token, body });

  describe('the spec examples', () => {
    it('creates a category and a part, books the initial quantity, receives a delivery', async () => {
      const c = await http('POST', `${api}/inventory/categories`, { token: a.token, body: { name: `Bearings ${randomUUID().slice(0, 6)}` } });
      expect(c.status, c.text).toBe(201);
      const body = {
        part_number: `BRG-6205-2RS-${randomUUID().slice(0, 4)}`, name: 'Deep Groove Ball Bearing 6205', category_id: c.body.id, quantity_on_hand: 25, reorder_point: 5,
        reorder_quantity: 20, unit_cost: 12.5, unit: 'piece', location: 'Warehouse A, Shelf B3', supplier: 'SKF Distribution', manufacturer_part_number: '6205-2RS1',
      };
      const p = await http('POST', `${api}/inventory/parts`, { token: a.token, body });
      expect(p.status, p.text).toBe(201);
      expect(p.body).toMatchObject({ ...body, is_low_stock: false });
      const r = await tx(p.body.id, { type: 'receive', quantity: 20, notes: 'PO #12345 received from SKF' });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ type: 'receive', quantity: 20, delta: 20, balance_after: 45, notes: 'PO #12345 received from SKF', part_id: p.body.id });
      const h = await http('GET', `${api}/inventory/parts/${p.body.id}/transactions`, { token: viewer.token });
      expect(h.status).toBe(200);
      expect(h.body.items.map((x: any) => [x.type, x.delta, x.balance_after])).toEqual([['receive', 20, 45], ['adjust', 25, 25]]);
      expect(h.body.items[1].notes).toBe('Initial quantity');
      expect(h.body).toMatchObject({ total: 2, page: 1, page_size: 20, total_pages: 1 });
      const list = await http('GET', `${api}/inventory/categories`, { token: viewer.token });
      expect(list.body.items.find((x: any) => x.id === c.body.id)).toMatchObject({ part_count: 1 });
    });

    it('serves /inventory/parts/low-stock before /inventory/parts/{part_id}', async () => {
      const r = await http('GET', `${api}/inventory/parts/low-stock`, { token: viewer.token });
      expect(r.status, r.text).toBe(200);
      expect(Array.isArray(r.body.items)).toBe(true);
    });
  });

  describe('exact decimals', () => {
    it('adds 0.1 and 0.2 to exactly 0.3 on both doors', async () => {
      const p = await newPart(api, a, { unit: 'litre' });
      expect((await tx(p.id, { type: 'receive', quantity: 0.1 })).status).toBe(201);
      expect((await tx(p.id, { type: 'receive', quantity: '0.2' })).status).toBe(201);
      expect(await stockOf(p.id)).toBe(0.3);
      const g = await gql(t.url, 'query($id: ID!) { part(id: $id) { quantityOnHand } }', { id: p.id }, { token: a.token });
      expect(g.body.data!.part.quantityOnHand).toBe('0.3');
      const c = await tx(p.id, { type: 'consume', quantity: 0.3 });
      expect(c.body.balance_after).toBe(0);
    });

    it('refuses more than 3 decimal places, exponents and 13-digit quantities with 422 (never rounds)', async () => {
      const p = await newPart(api, a);
      for (const quantity of [0.0001, '1.2345', '1e3', 1e21, '1234567890123', 'NaN', '', '12,5']) {
        const r = await tx(p.id, { type: 'receive', quantity });
        expect(r.status, `${quantity}: ${r.text}`).toBe(422);
        expect(r.body.detail[0].loc).toEqual(['body', 'quantity']);
      }
      expect(await stockOf(p.id)).toBe(0);
    });

    it('refuses a receive past the largest storable stock with 409, not an overflow', async () => {
      const p = await newPart(api, a, { quantity_on_hand: '999999999999' });
      const r = await tx(p.id, { type: 'receive', quantity: 1 });
      expect(r.status, r.text).toBe(409);
      expect(r.body.detail).toMatch(/exceed the maximum/);
    });
  });

  describe('the ledger', () => {
    it('consume subtracts; a shortfall is 409 with the spec wording and changes nothing', async () => {
      const p = await newPart(api, a, { quantity_on_hand: 1 });
      const r = await tx(p.id, { type: 'consume', quantity: 2 });
      expect(r.status).toBe(409);
      expect(r.body).toEqual({ detail: 'Insufficient stock: 1 on hand, 2 requested' });
      expect(await stockOf(p.id)).toBe(1);
      expect((await tx(p.id, { type: 'consume', quantity: 1 })).body).toMatchObject({ delta: -1, quantity: 1, balance_after: 0 });
    });

    it('return adds; adjust takes a signed delta or a counted quantity, never below zero', async () => {
      const p = await newPart(api, a, { quantity_on_hand: 10 });
      expect((await tx(p.id, { type: 'return', quantity: 2.5 })).body.balance_after).toBe(12.5);
      expect((await tx(p.id, { type: 'adjust', quantity: -0.5 })).body).toMatchObject({ delta: -0.5, quantity: -0.5, balance_after: 12 });
      expect((await tx(p.id, { type: 'adjust', counted_quantity: 7 })).body).toMatchObject({ delta: -5, balance_after: 7 });
      const low = await tx(p.id, { type: 'adjust', quantity: -8 });
      expect(low.status).toBe(409);
      expect(low.body.detail).toBe('Insufficient stock: 7 on hand, 8 requested');
      for (const body of [{ type: 'adjust' }, { type: 'adjust', quantity: 1, counted_quantity: 2 }, { type: 'adjust', quantity: 0 }, { type: 'adjust', counted_quantity: -1 }]) {
        expect((await tx(p.id, body)).status, JSON.stringify(body)).toBe(422);
      }
      expect(await stockOf(p.id)).toBe(7);
    });

    it('transfer subtracts here and adds to to_part_id; without it, it only subtracts', async () => {
      const from = await newPart(api, a, { quantity_on_hand: 10 });
      const to = await newPart(api, a, { quantity_on_hand: 1 });
      const r = await tx(from.id, { type: 'transfer', quantity: 4, to_part_id: to.id, notes: 'to line 2' });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ delta: -4, balance_after: 6, related_part_id: to.id });
      expect(await stockOf(to.id)).toBe(5);
      const other = (await http('GET', `${api}/inventory/parts/${to.id}/transactions`, { token: a.token })).body.items[0];
      expect(other).toMatchObject({ type: 'transfer', delta: 4, related_part_id: from.id });
      expect((await tx(from.id, { type: 'transfer', quantity: 1 })).body.balance_after).toBe(5);
      expect((await tx(from.id, { type: 'transfer', quantity: 1, to_part_id: from.id })).status).toBe(422);
      expect((await tx(from.id, { type: 'transfer', quantity: 6, to_part_id: to.id })).status).toBe(409);
      expect((await tx(from.id, { type: 'receive', quantity: 1, to_part_id: to.id })).status).toBe(422);
      expect([await stockOf(from.id), await stockOf(to.id)]).toEqual([5, 5]);
    });

    it('a PATCHed quantity_on_hand becomes an adjust entry of the difference', async () => {
      const p = await newPart(api, a, { quantity_on_hand: 3 });
      const u = await http('PATCH', `${api}/inventory/parts/${p.id}`, { token: operator.token, body: { quantity_on_hand: 8.25, name: 'Bearing 6205' } });
      expect(u.status, u.text).toBe(200);
      expect(u.body).toMatchObject({ quantity_on_hand: 8.25, name: 'Bearing 6205' });
      const h = (await http('GET', `${api}/inventory/parts/${p.id}/transactions`, { token: a.token })).body.items;
      expect(h[0]).toMatchObject({ type: 'adjust', delta: 5.25, balance_after: 8.25 });
    });

    it('refuses UPDATE and DELETE of ledger rows in the database itself', async () => {
      const p = await newPart(api, a, { quantity_on_hand: 2 });
      const db = t.app.container.db;
      await expect(db.query('update stock_transactions set delta = 100 where part_id = ?', [p.id])).rejects.toThrow(/append-only/);
      await expect(db.query('delete from stock_transactions where part_id = ?', [p.id])).rejects.toThrow(/append-only/);
      await expect(db.query('update parts set quantity_on_hand = -1 where id = ?', [p.id])).rejects.toThrow(/check constraint/);
    });
  });

  describe('parts', () => {
    it('part_number is unique per tenant (case-insensitively): 409; another tenant may use it', async () => {
      const number = `DUP-${randomUUID().slice(0, 6)}`;
      await newPart(api, a, { part_number: number });
      const again = await http('POST', `${api}/inventory/parts`, { token: a.token, body: { part_number: number.toLowerCase(), name: 'x' } });
      expect(again.status).toBe(409);
      expect(again.body.detail).toMatch(/already exists/);
      await newPart(api, b, { part_number: number });
      const other = await newPart(api, a);
      expect((await http('PATCH', `${api}/inventory/parts/${other.id}`, { token: a.token, body: { part_number: number } })).status).toBe(409);
    });

    it('DELETE archives: gone from reads and lists, history kept, number free again', async () => {
      const number = `ARC-${randomUUID().slice(0, 6)}`;
      const p = await newPart(api, a, { part_number: number, quantity_on_hand: 4 });
      expect((await http('DELETE', `${api}/inventory/parts/${p.id}`, { token: a.token })).status).toBe(204);
      expect((await http('GET', `${api}/inventory/parts/${p.id}`, { token: a.token })).status).toBe(404);
      expect((await http('DELETE', `${api}/inventory/parts/${p.id}`, { token: a.token })).status).toBe(404);
      expect((await tx(p.id, { type: 'receive', quantity: 1 })).status).toBe(404);
      const list = await http('GET', `${api}/inventory/parts?search=${number}`, { token: a.token });
      expect(list.body.total).toBe(0);
      const kept = await t.app.container.db.query('select id from stock_transactions where part_id = ?', [p.id]);
      expect(kept).toHaveLength(1);
      await newPart(api, a, { part_number: number });
    });

    it('lists with search, category and low_stock_only (at or below the reorder point), paginated', async () => {
      const tag = randomUUID().slice(0, 6);
      const c = (await http('POST', `${api}/inventory/categories`, { token: a.token, body: { name: `Seals ${tag}` } })).body;
      const at = await newPart(api, a, { part_number: `S-${tag}-1`, name: `Seal ${tag}`, quantity_on_hand: 5, reorder_point: 5, category_id: c.id });
      const below = await newPart(api, a, { part_number: `S-${tag}-2`, name: `Seal ${tag}`, quantity_on_hand: 4, reorder_point: 5 });
      const above = await newPart(api, a, { part_number: `S-${tag}-3`, name: `Seal ${tag}`, quantity_on_hand: 5.001, reorder_point: 5 });
      const ids = (r: any) => r.body.items.map((x: any) => x.id);
      const all = await http('GET', `${api}/inventory/parts?search=${tag}`, { token: viewer.token });
      expect(ids(all)).toEqual([at.id, below.id, above.id]);
      expect(all.body.items.map((x: any) => x.is_low_stock)).toEqual([true, true, false]);
      expect(ids(await http('GET', `${api}/inventory/parts?search=${tag}&low_stock_only=true`, { token: viewer.token }))).toEqual([at.id, below.id]);
      expect(ids(await http('GET', `${api}/inventory/parts?category_id=${c.id}`, { token: viewer.token }))).toEqual([at.id]);
      const low = await http('GET', `${api}/inventory/parts/low-stock?page_size=100`, { token: viewer.token });
      expect(ids(low)).toEqual(expect.arrayContaining([at.id, below.id]));
      expect(ids(low)).not.toContain(above.id);
      const page2 = await http('GET', `${api}/inventory/parts?search=${tag}&page=2&page_size=2`, { token: viewer.token });
      expect(page2.body).toMatchObject({ total: 3, page: 2, page_size: 2, total_pages: 2 });
      expect(ids(page2)).toEqual([above.id]);
      const wild = await http('GET', `${api}/inventory/parts?search=%25`, { token: viewer.token });
      expect(wild.status).toBe(200);
      expect(wild.body.total).toBe(0);
    });
  });

  describe('categories', () => {
    it('a category in use is 409; an unused one goes (204); names are unique per tenant', async () => {
      const name = `Filters ${randomUUID().slice(0, 6)}`;
      const c = (await http('POST', `${api}/inventory/categories`, { token: a.token, body: { name, description: 'Air and oil' } })).body;
      expect((await http('POST', `${api}/inventory/categories`, { token: a.token, body: { name: name.toUpperCase() } })).status).toBe(409);
      const p = await newPart(api, a, { category_id: c.id });
      const busy = await http('DELETE', `${api}/inventory/categories/${c.id}`, { token: operator.token });
      expect(busy.status).toBe(409);
      expect(busy.body.detail).toBe('Category is in use by 1 part(s)');
      // an archived part does not hold its category
      expect((await http('DELETE', `${api}/inventory/parts/${p.id}`, { token: a.token })).status).toBe(204);
      expect((await http('DELETE', `${api}/inventory/categories/${c.id}`, { token: operator.token })).status).toBe(204);
      expect((await http('DELETE', `${api}/inventory/categories/${c.id}`, { token: operator.token })).status).toBe(404);
    });
  });

  describe('work-order parts', () => {
    const add = (wo: string, body: unknown, s = a) => http('POST', `${api}/inventory/work-orders/${wo}/parts`, { token: s.token, body });

    it('a line is a linked consume; removing it is a return', async () => {
      const p = await newPart(api, a, { quantity_on_hand: 5, unit_cost: 3.75 });
      const wo = await newWorkOrder(api, a, machineA, 'in_progress');
      const l = await add(wo, { spare_part_id: p.id, quantity: 2 }, operator);
      expect(l.status, l.text).toBe(201);
      expect(l.body).toMatchObject({ work_order_id: wo, spare_part_id: p.id, part_number: p.part_number, quantity: 2, unit: 'piece', unit_cost: 3.75 });
      expect(await stockOf(p.id)).toBe(3);
      const entry = (await http('GET', `${api}/inventory/parts/${p.id}/transactions`, { token: a.token })).body.items[0];
      expect(entry).toMatchObject({ id: l.body.transaction_id, type: 'consume', delta: -2, work_order_id: wo, work_order_part_id: l.body.id });
      const list = await http('GET', `${api}/inventory/work-orders/${wo}/parts`, { token: viewer.token });
      expect(list.body.items.map((x: any) => x.id)).toEqual([l.body.id]);
      expect(await t.app.container.services.inventory.partsOfWorkOrder(a.tenantId, wo)).toMatchObject([{ id: l.body.id, partId: p.id, quantity: '2', unitCost: '3.75' }]);
      const short = await add(wo, { spare_part_id: p.id, quantity: 4 });
      expect(short.status).toBe(409);
      expect(short.body.detail).toBe('Insufficient stock: 3 on hand, 4 requested');
      expect((await http('DELETE', `${api}/inventory/work-orders/${wo}/parts/${l.body.id}`, { token: operator.token })).status).toBe(204);
      expect(await stockOf(p.id)).toBe(5);
      expect((await http('GET', `${api}/inventory/parts/${p.id}/transactions`, { token: a.token })).body.items[0]).toMatchObject({ type: 'return', delta: 2, work_order_id: wo });
      expect((await http('DELETE', `${api}/inventory/work-orders/${wo}/parts/${l.body.id}`, { token: operator.token })).status).toBe(404);
    });

    it('a completed order is locked (409 on add and remove); a cancelled one takes no parts', async () => {
      const p = await newPart(api, a, { quantity_on_hand: 5 });
      const wo = await newWorkOrder(api, a, machineA, 'in_progress');
      const l = (await add(wo, { spare_part_id: p.id, quantity: 1 })).body;
      expect((await http('PATCH', `${api}/work-orders/${wo}`, { token: a.token, body: { status: 'completed' } })).status).toBe(200);
      const closed = await add(wo, { spare_part_id: p.id, quantity: 1 });
      expect(closed.status).toBe(409);
      expect(closed.body.detail).toBe('Work order is completed; its parts cannot change');
      expect((await http('DELETE', `${api}/inventory/work-orders/${wo}/parts/${l.id}`, { token: a.token })).status).toBe(409);
      const cancelled = await newWorkOrder(api, a, machineA, 'cancelled');
      expect((await add(cancelled, { spare_part_id: p.id, quantity: 1 })).status).toBe(409);
      expect(await stockOf(p.id)).toBe(4);
    });

    it("deleting a work order returns its parts to stock (the order's DELETE hook)", async () => {
      const p = await newPart(api, a, { quantity_on_hand: 6 });
      const q = await newPart(api, a, { quantity_on_hand: 1.5 });
      const wo = await newWorkOrder(api, a, machineA);
      await add(wo, { spare_part_id: p.id, quantity: 2 });
      await add(wo, { spare_part_id: q.id, quantity: 1.5 });
      await add(wo, { spare_part_id: p.id, quantity: 1 });
      expect([await stockOf(p.id), await stockOf(q.id)]).toEqual([3, 0]);
      const d = await http('DELETE', `${api}/work-orders/${wo}`, { token: a.token });
      expect(d.status, d.text).toBe(204);
      expect([await stockOf(p.id), await stockOf(q.id)]).toEqual([6, 1.5]);
      const returns = await t.app.container.db.query<{ type: string }>("select type from stock_transactions where work_order_id = ? and type = 'return'", [wo]);
      expect(returns).toHaveLength(3);
      const audit = await t.app.container.db.query<{ details: { lines: number } }>("select details from audit_events where action = 'return_work_order_parts' and resource_id = ?", [wo]);
      expect(audit.map((r) => r.details.lines)).toEqual([3]);
    });

    it('the GraphQL door adds and removes lines the same way', async () => {
      const p = await newPart(api, a, { quantity_on_hand: 2 });
      const wo = await newWorkOrder(api, a, machineA);
      const g = await gql(t.url, 'mutation($wo: ID!, $i: AddWorkOrderPartInput!) { addWorkOrderPart(workOrderId: $wo, input: $i) { id quantity partId } }', { wo, i: { sparePartId: p.id, quantity: '1.5' } }, { token: a.token });
      expect(g.body.errors, g.text).toBeUndefined();
      expect(g.body.data!.addWorkOrderPart).toMatchObject({ quantity: '1.5', partId: p.id });
      const short = await gql(t.url, 'mutation($wo: ID!, $i: AddWorkOrderPartInput!) { addWorkOrderPart(workOrderId: $wo, input: $i) { id } }', { wo, i: { sparePartId: p.id, quantity: 1 } }, { token: a.token });
      expect(short.body.errors![0]!.message).toBe('Insufficient stock: 0.5 on hand, 1 requested');
      expect(short.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'INSUFFICIENT_STOCK' });
      const rm = await gql(t.url, 'mutation($wo: ID!, $id: ID!) { removeWorkOrderPart(workOrderId: $wo, id: $id) }', { wo, id: g.body.data!.addWorkOrderPart.id }, { token: a.token });
      expect(rm.body.data).toEqual({ removeWorkOrderPart: true });
      expect(await stockOf(p.id)).toBe(2);
    });
  });

  describe('tenant isolation', () => {
    it("another tenant's ids are 404 on every row, and its parts never show", async () => {
      const p = await newPart(api, a, { quantity_on_hand: 3 });
      const c = (await http('POST', `${api}/inventory/categories`, { token: a.token, body: { name: `Iso ${randomUUID().slice(0, 6)}` } })).body;
      const wo = await newWorkOrder(api, a, machineA);
      const line = (await http('POST', `${api}/inventory/work-orders/${wo}/parts`, { token: a.token, body: { spare_part_id: p.id, quantity: 1 } })).body;
      const woB = await newWorkOrder(api, b, await newMachine(api, b));
      const partB = await newPart(api, b, { quantity_on_hand: 3 });
      const calls: [string, string, unknown?][] = [
        ['GET', `/inventory/parts/${p.id}`],
        ['PATCH', `/inventory/parts/${p.id}`, { name: 'stolen' }],
        ['DELETE', `/inventory/parts/${p.id}`],
        ['GET', `/inventory/parts/${p.id}/transactions`],
        ['POST', `/inventory/parts/${p.id}/transactions`, { type: 'consume', quantity: 1 }],
        ['POST', `/inventory/parts/${partB.id}/transactions`, { type: 'transfer', quantity: 1, to_part_id: p.id }],
        ['DELETE', `/inventory/categories/${c.id}`],
        ['GET', `/inventory/work-orders/${wo}/parts`],
        ['POST', `/inventory/work-orders/${wo}/parts`, { spare_part_id: partB.id, quantity: 1 }],
        ['POST', `/inventory/work-orders/${woB}/parts`, { spare_part_id: p.id, quantity: 1 }],
        ['DELETE', `/inventory/work-orders/${wo}/parts/${line.id}`],
        ['DELETE', `/inventory/work-orders/${woB}/parts/${line.id}`],
        ['POST', `/inventory/parts`, { part_number: 'X', name: 'x', category_id: c.id }],
      ];
      for (const [method, path, body] of calls) {
        const r = await http(method, `${api}${path}`, { token: b.token, body });
        expect(r.status, `${method} ${path}: ${r.text}`).toBe(404);
        expect(typeof r.body.detail).toBe('string');
      }
      expect(await stockOf(p.id)).toBe(2);
      expect(await stockOf(partB.id, b)).toBe(3);
      const listB = await http('GET', `${api}/inventory/parts?page_size=100`, { token: b.token });
      expect(listB.body.items.map((x: any) => x.id)).not.toContain(p.id);
      const g = await gql(t.url, 'query($id: ID!) { part(id: $id) { id } }', { id: p.id }, { token: b.token });
      expect(g.body.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    });
  });

  describe('roles', () => {
    it('viewers read but get 403 on every write; API keys get 403', async () => {
      const p = await newPart(api, a, { quantity_on_hand: 3 });
      const wo = await newWorkOrder(api, a, machineA);
      const key = await createApiKey(api, a, ['read:machines']);
      const writes: [string, string, unknown?][] = [
        ['POST', '/inventory/parts', { part_number: 'V', name: 'v' }],
        ['PATCH', `/inventory/parts/${p.id}`, { name: 'v' }],
        ['DELETE', `/inventory/parts/${p.id}`],
        ['POST', `/inventory/parts/${p.id}/transactions`, { type: 'receive', quantity: 1 }],
        ['POST', '/inventory/categories', { name: 'v' }],
        ['DELETE', `/inventory/categories/${randomUUID()}`],
        ['POST', `/inventory/work-orders/${wo}/parts`, { spare_part_id: p.id, quantity: 1 }],
        ['DELETE', `/inventory/work-orders/${wo}/parts/${randomUUID()}`],
      ];
      for (const [method, path, body] of writes) {
        const r = await http(method, `${api}${path}`, { token: viewer.token, body });
        expect(r.status, `${method} ${path}`).toBe(403);
        expect(r.body).toEqual({ detail: 'Forbidden (insufficient role)' });
        expect((await http(method, `${api}${path}`, { apiKey: key.key, body })).status, `${method} ${path} with a key`).toBe(403);
      }
      expect((await http('GET', `${api}/inventory/parts/${p.id}`, { apiKey: key.key })).status).toBe(403);
      expect(await stockOf(p.id)).toBe(3);
    });
  });

  describe('bad input', () => {
    it('every body answers 422 with loc/msg/type for bad fields, never a 500', async () => {
      const p = await newPart(api, a, { quantity_on_hand: 3 });
      const wo = await newWorkOrder(api, a, machineA);
      const long = (n: number) => 'x'.repeat(n + 1);
      const cases: [string, string, unknown, (string | number)[]][] = [
        ['POST', '/inventory/parts', { name: 'n' }, ['body', 'part_number']],
        ['POST', '/inventory/parts', { part_number: 'n' }, ['body', 'name']],
        ['POST', '/inventory/parts', { part_number: long(100), name: 'n' }, ['body', 'part_number']],
        ['POST', '/inventory/parts', { part_number: 'n', name: long(200) }, ['body', 'name']],
        ['POST', '/inventory/parts', { part_number: 'a\u0000b', name: 'n' }, ['body', 'part_number']],
        ['POST', '/inventory/parts', { part_number: 'n', name: 'n', quantity_on_hand: -1 }, ['body', 'quantity_on_hand']],
        ['POST', '/inventory/parts', { part_number: 'n', name: 'n', reorder_point: true }, ['body', 'reorder_point']],
        ['POST', '/inventory/parts', { part_number: 'n', name: 'n', unit_cost: '1.23456' }, ['body', 'unit_cost']],
        ['POST', '/inventory/parts', { part_number: 'n', name: 'n', category_id: 'nope' }, ['body', 'category_id']],
        ['POST', '/inventory/parts', { part_number: 'n', name: 'n', unit: '' }, ['body', 'unit']],
        ['PATCH', `/inventory/parts/${p.id}`, { quantity_on_hand: 'lots' }, ['body', 'quantity_on_hand']],
        ['PATCH', `/inventory/parts/${p.id}`, { name: ' ' }, ['body', 'name']],
        ['PATCH', `/inventory/parts/${p.id}`, { reorder_quantity: -2 }, ['body', 'reorder_quantity']],
        ['POST', `/inventory/parts/${p.id}/transactions`, { quantity: 1 }, ['body', 'type']],
        ['POST', `/inventory/parts/${p.id}/transactions`, { type: 'steal', quantity: 1 }, ['body', 'type']],
        ['POST', `/inventory/parts/${p.id}/transactions`, { type: 'receive' }, ['body', 'quantity']],
        ['POST', `/inventory/parts/${p.id}/transactions`, { type: 'receive', quantity: 0 }, ['body', 'quantity']],
        ['POST', `/inventory/parts/${p.id}/transactions`, { type: 'consume', quantity: -1 }, ['body', 'quantity']],
        ['POST', `/inventory/parts/${p.id}/transactions`, { type: 'receive', quantity: 1, notes: long(1000) }, ['body', 'notes']],
        ['POST', `/inventory/parts/${p.id}/transactions`, { type: 'transfer', quantity: 1, to_part_id: 'x' }, ['body', 'to_part_id']],
        ['POST', '/inventory/categories', {}, ['body', 'name']],
        ['POST', '/inventory/categories', { name: long(100) }, ['body', 'name']],
        ['POST', '/inventory/categories', { name: 'ok', description: long(1000) }, ['body', 'description']],
        ['POST', `/inventory/work-orders/${wo}/parts`, { quantity: 1 }, ['body', 'spare_part_id']],
        ['POST', `/inventory/work-orders/${wo}/parts`, { spare_part_id: 'x', quantity: 1 }, ['body', 'spare_part_id']],
        ['POST', `/inventory/work-orders/${wo}/parts`, { spare_part_id: p.id }, ['body', 'quantity']],
        ['POST', `/inventory/work-orders/${wo}/parts`, { spare_part_id: p.id, quantity: 0 }, ['body', 'quantity']],
        ['POST', `/inventory/work-orders/${wo}/parts`, { spare_part_id: p.id, quantity: 1.0005 }, ['body', 'quantity']],
      ];
      for (const [method, path, body, loc] of cases) {
        const r = await http(method, `${api}${path}`, { token: a.token, body });
        const msg = `${method} ${path} ${JSON.stringify(body).slice(0, 80)}: ${r.text.slice(0, 300)}`;
        expect(r.status, msg).toBe(422);
        expect(r.body.detail.map((i: any) => i.loc), msg).toContainEqual(loc);
        for (const i of r.body.detail) expect([typeof i.msg, typeof i.type], msg).toEqual(['string', 'string']);
      }
      for (const path of ['/inventory/parts', `/inventory/parts/${p.id}/transactions`, '/inventory/categories', `/inventory/work-orders/${wo}/parts`]) {
        const r = await http('POST', `${api}${path}`, { token: a.token, raw: '{"name": ' });
        expect(r.status, path).toBe(400);
      }
      const q = await http('GET', `${api}/inventory/parts?low_stock_only=maybe&page_size=101`, { token: a.token });
      expect(q.status).toBe(422);
      expect(await stockOf(p.id)).toBe(3);
    });

    it('GraphQL answers bad decimals as BAD_USER_INPUT (INVALID_PART)', async () => {
      const p = await newPart(api, a, { quantity_on_hand: 3 });
      const r = await gql(t.url, 'mutation($id: ID!) { createStockTransaction(partId: $id, input: { type: receive, quantity: 0.0001 }) { id } }', { id: p.id }, { token: a.token });
      expect(r.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_PART' });
      const ok = await gql(t.url, 'mutation($id: ID!) { createStockTransaction(partId: $id, input: { type: receive, quantity: 0.125 }) { balanceAfter } }', { id: p.id }, { token: a.token });
      expect(ok.body.data).toEqual({ createStockTransaction: { balanceAfter: '3.125' } });
    });
  });

  describe('audit', () => {
    it('records one action per write', async () => {
      const c = (await http('POST', `${api}/inventory/categories`, { token: a.token, body: { name: `Audit ${randomUUID().slice(0, 6)}` } })).body;
      const p = await newPart(api, a, { quantity_on_hand: 4, category_id: c.id });
      await http('PATCH', `${api}/inventory/parts/${p.id}`, { token: a.token, body: { reorder_point: 1, category_id: null } });
      await tx(p.id, { type: 'receive', quantity: 1 });
      const wo = await newWorkOrder(api, a, machineA);
      const l = (await http('POST', `${api}/inventory/work-orders/${wo}/parts`, { token: a.token, body: { spare_part_id: p.id, quantity: 1 } })).body;
      await http('DELETE', `${api}/inventory/work-orders/${wo}/parts/${l.id}`, { token: a.token });
      await http('DELETE', `${api}/inventory/parts/${p.id}`, { token: a.token });
      await http('DELETE', `${api}/inventory/categories/${c.id}`, { token: a.token });
      const rows = await t.app.container.db.query<{ action: string; resource_id: string; details: Record<string, unknown> }>(
        'select action, resource_id, details from audit_events where tenant_id = ? and resource_id in (?, ?, ?) order by created_at',
        [a.tenantId, p.id, c.id, wo],
      );
      const actions = rows.map((r) => r.action).filter((x) => x !== 'create_work_order' && x !== 'update_work_order');
      expect(actions).toEqual(['create_part_category', 'create_part', 'update_part', 'create_stock_transaction', 'add_work_order_part', 'remove_work_order_part', 'delete_part', 'delete_part_category']);
      expect(rows.find((r) => r.action === 'create_stock_transaction')!.details).toMatchObject({ type: 'receive', delta: '1', balance_after: '5' });
    });
  });
});
