/**
 * The inventory on the GraphQL door (issue 16): every query and mutation of the REST rows, with the
 * same rules (Decimal answered as exact strings, CONFLICT for shortfalls and categories in use,
 * NOT_FOUND across tenants, FORBIDDEN for viewers). Stock = Σ delta after every test.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUserSession, gql, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { newMachine } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';
import { expectLedgerConsistent, newWorkOrder } from './inventory-fixtures.js';

const pgSvc = await probeService('postgres');
const PART = 'id partNumber name categoryId quantityOnHand reorderPoint reorderQuantity unitCost unit location supplier manufacturerPartNumber isLowStock createdAt updatedAt';

describe.skipIf(pgSvc.skip)(`inventory over GraphQL${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;
  let viewer: TenantSession;

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'ginv-a');
    b = await registerTenant(t.api, 'ginv-b');
    viewer = await createUserSession(t.api, a, 'viewer');
  });
  afterAll(async () => {
    await t?.stop();
  });
  afterEach(async () => {
    await expectLedgerConsistent(t);
  });

  /** Runs an operation as `s`; returns data, or throws with the errors. */
  async function run(s: TenantSession, query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const r = await gql(t.url, query, variables, { token: s.token });
    if (r.body.errors) throw Object.assign(new Error(r.body.errors[0]!.message), { extensions: r.body.errors[0]!.extensions });
    return r.body.data!;
  }
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected an error'); }, (e: Error & { extensions: Record<string, unknown> }) => ({ message: e.message, ...e.extensions }));
  const createPart = (s: TenantSession, input: Record<string, unknown>) =>
    run(s, `mutation($i: CreatePartInput!) { createPart(input: $i) { ${PART} } }`, { i: { partNumber: `G-${randomUUID().slice(0, 8)}`, name: 'Gear', ...input } }).then((d) => d.createPart);

  it('creates, reads, lists, updates and archives parts', async () => {
    const tag = randomUUID().slice(0, 6);
    const cat = (await run(a, 'mutation($i: CreatePartCategoryInput!) { createPartCategory(input: $i) { id name partCount } }', { i: { name: `Gears ${tag}`, description: 'Spur and helical' } })).createPartCategory;
    expect(cat).toMatchObject({ name: `Gears ${tag}`, partCount: 0 });
    const p = await createPart(a, { name: `Gear ${tag}`, categoryId: cat.id, quantityOnHand: 12.5, reorderPoint: '2', unitCost: '19.9900', location: 'Rack 4' });
    expect(p).toMatchObject({ quantityOnHand: '12.5', reorderPoint: '2', reorderQuantity: '0', unitCost: '19.99', unit: 'piece', location: 'Rack 4', isLowStock: false });
    expect((await run(viewer, `query($id: ID!) { part(id: $id) { ${PART} } }`, { id: p.id })).part).toEqual(p);
    const list = (await run(viewer, 'query($s: String, $c: ID) { parts(search: $s, categoryId: $c, pageSize: 5) { total page pageSize totalPages items { id } } }', { s: tag, c: cat.id })).parts;
    expect(list).toEqual({ total: 1, page: 1, pageSize: 5, totalPages: 1, items: [{ id: p.id }] });
    const u = (await run(a, 'mutation($id: ID!, $i: UpdatePartInput!) { updatePart(id: $id, input: $i) { quantityOnHand reorderPoint isLowStock location } }', { id: p.id, i: { quantityOnHand: '2', reorderPoint: 3, location: null } })).updatePart;
    expect(u).toEqual({ quantityOnHand: '2', reorderPoint: '3', isLowStock: true, location: null });
    const low = (await run(viewer, 'query { lowStockParts(pageSize: 100) { items { id } } }')).lowStockParts.items.map((x: { id: string }) => x.id);
    expect(low).toContain(p.id);
    expect((await run(viewer, 'query($s: String) { parts(search: $s, lowStockOnly: true) { total } }', { s: tag })).parts.total).toBe(1);
    expect(await failure(run(a, 'mutation($id: ID!) { deletePartCategory(id: $id) }', { id: cat.id }))).toMatchObject({ code: 'CONFLICT', reason: 'PART_CATEGORY_IN_USE' });
    expect((await run(a, 'mutation($id: ID!) { deletePart(id: $id) }', { id: p.id })).deletePart).toBe(true);
    expect(await failure(run(a, `query($id: ID!) { part(id: $id) { id } }`, { id: p.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'PART_NOT_FOUND' });
    expect((await run(a, 'mutation($id: ID!) { deletePartCategory(id: $id) }', { id: cat.id })).deletePartCategory).toBe(true);
    expect((await run(viewer, 'query { partCategories(pageSize: 100) { items { id } } }')).partCategories.items).not.toContainEqual({ id: cat.id });
  });

  it('books every transaction type and lists the ledger newest first', async () => {
    const p = await createPart(a, { quantityOnHand: 10 });
    const q = await createPart(a, {});
    const book = (input: Record<string, unknown>) =>
      run(a, 'mutation($id: ID!, $i: StockTransactionInput!) { createStockTransaction(partId: $id, input: $i) { type quantity delta balanceAfter relatedPartId notes } }', { id: p.id, i: input }).then((d) => d.createStockTransaction);
    expect(await book({ type: 'receive', quantity: '0.5', notes: 'PO 7' })).toMatchObject({ type: 'receive', quantity: '0.5', delta: '0.5', balanceAfter: '10.5', notes: 'PO 7' });
    expect(await book({ type: 'consume', quantity: 3 })).toMatchObject({ delta: '-3', balanceAfter: '7.5' });
    expect(await book({ type: 'return', quantity: 1 })).toMatchObject({ balanceAfter: '8.5' });
    expect(await book({ type: 'adjust', quantity: '-0.5' })).toMatchObject({ quantity: '-0.5', balanceAfter: '8' });
    expect(await book({ type: 'adjust', countedQuantity: 9 })).toMatchObject({ delta: '1', balanceAfter: '9' });
    expect(await book({ type: 'transfer', quantity: 4, toPartId: q.id })).toMatchObject({ delta: '-4', balanceAfter: '5', relatedPartId: q.id });
    expect(await failure(book({ type: 'consume', quantity: 6 }))).toMatchObject({ message: 'Insufficient stock: 5 on hand, 6 requested', code: 'CONFLICT', reason: 'INSUFFICIENT_STOCK' });
    expect(await failure(book({ type: 'adjust' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    const ledger = (await run(viewer, 'query($id: ID!) { partTransactions(partId: $id, pageSize: 3) { total items { type delta } } }', { id: p.id })).partTransactions;
    expect(ledger).toEqual({ total: 7, items: [{ type: 'transfer', delta: '-4' }, { type: 'adjust', delta: '1' }, { type: 'adjust', delta: '-0.5' }] });
    expect((await run(a, 'query($id: ID!) { part(id: $id) { quantityOnHand } }', { id: q.id })).part.quantityOnHand).toBe('4');
  });

  it('lists the part lines of a work order', async () => {
    const p = await createPart(a, { quantityOnHand: 3 });
    const wo = await newWorkOrder(t.api, a, await newMachine(t.api, a));
    const add = (quantity: unknown) => run(a, 'mutation($wo: ID!, $i: AddWorkOrderPartInput!) { addWorkOrderPart(workOrderId: $wo, input: $i) { id } }', { wo, i: { sparePartId: p.id, quantity } });
    await add(1);
    await add('0.25');
    const lines = (await run(viewer, 'query($wo: ID!) { workOrderParts(workOrderId: $wo) { total items { workOrderId partId partNumber name quantity unit unitCost transactionId } } }', { wo })).workOrderParts;
    expect(lines.total).toBe(2);
    expect(lines.items.map((l: { quantity: string }) => l.quantity)).toEqual(['1', '0.25']);
    expect(lines.items[0]).toMatchObject({ workOrderId: wo, partId: p.id, partNumber: p.partNumber, unit: 'piece', unitCost: null });
  });

  it('keeps tenants apart and viewers read-only', async () => {
    const p = await createPart(a, { quantityOnHand: 1 });
    expect(await failure(run(b, `query($id: ID!) { part(id: $id) { id } }`, { id: p.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(run(b, 'query($id: ID!) { partTransactions(partId: $id) { total } }', { id: p.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(run(b, 'mutation($id: ID!) { createStockTransaction(partId: $id, input: { type: consume, quantity: 1 }) { id } }', { id: p.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(run(b, 'mutation($id: ID!) { updatePart(id: $id, input: { name: "mine" }) { id } }', { id: p.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await run(b, 'query { parts(pageSize: 100) { items { id } } }')).parts.items).not.toContainEqual({ id: p.id });
    expect(await failure(run(viewer, 'mutation($id: ID!) { createStockTransaction(partId: $id, input: { type: receive, quantity: 1 }) { id } }', { id: p.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await failure(createPart(viewer, {}))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await run(a, 'query($id: ID!) { part(id: $id) { quantityOnHand name } }', { id: p.id })).part).toEqual({ quantityOnHand: '1', name: 'Gear' });
  });
});
