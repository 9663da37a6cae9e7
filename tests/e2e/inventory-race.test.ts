/**
 * The last unit, claimed twice at once (issue 16): exactly one consumption succeeds and the other
 * gets the 409, on PostgreSQL and on the embedded PGlite, including a REST part line racing a
 * GraphQL one and a part line racing the order's completion. Stock stays the sum of the ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { newMachine } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';
import { expectLedgerConsistent, newPart, newWorkOrder } from './inventory-fixtures.js';

const pgSvc = await probeService('postgres');
const ROUNDS = 6;
const ADD_LINE = 'mutation($wo: ID!, $i: AddWorkOrderPartInput!) { addWorkOrderPart(workOrderId: $wo, input: $i) { id } }';

describe.each([
  ['PostgreSQL', 'postgres'],
  ['PGlite (embedded)', 'embedded'],
] as const)('the last unit on %s', (_label, db) => {
  const skip = db === 'postgres' && pgSvc.skip;
  let t: TestApp;
  let a: TenantSession;
  let machine: string;

  beforeAll(async () => {
    if (skip) return;
    t = await startTestApp({ db });
    a = await registerTenant(t.api, 'race');
    machine = await newMachine(t.api, a);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  const restLine = (wo: string, partId: string) => http('POST', `${t.api}/inventory/work-orders/${wo}/parts`, { token: a.token, body: { spare_part_id: partId, quantity: 1 } });
  const gqlLine = async (wo: string, partId: string) => {
    const r = await gql(t.url, ADD_LINE, { wo, i: { sparePartId: partId, quantity: 1 } }, { token: a.token });
    return { ok: !r.body.errors, conflict: r.body.errors?.[0]?.extensions?.code === 'CONFLICT', message: r.body.errors?.[0]?.message };
  };

  it.skipIf(skip)('a REST part line racing a GraphQL part line: exactly one wins', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const p = await newPart(t.api, a, { quantity_on_hand: 1 });
      const [w1, w2] = [await newWorkOrder(t.api, a, machine), await newWorkOrder(t.api, a, machine, 'in_progress')];
      const [rest, graph] = await Promise.all([restLine(w1, p.id), gqlLine(w2, p.id)]);
      expect([rest.status === 201, graph.ok].filter(Boolean), `round ${i}: ${rest.text} / ${graph.message}`).toHaveLength(1);
      if (rest.status !== 201) expect(rest.body).toEqual({ detail: 'Insufficient stock: 0 on hand, 1 requested' });
      else expect(graph).toMatchObject({ conflict: true, message: 'Insufficient stock: 0 on hand, 1 requested' });
      expect((await http('GET', `${t.api}/inventory/parts/${p.id}`, { token: a.token })).body.quantity_on_hand).toBe(0);
    }
    await expectLedgerConsistent(t);
  });

  it.skipIf(skip)('two consume transactions of the last unit: one 201, one 409', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const p = await newPart(t.api, a, { quantity_on_hand: 1 });
      const consume = () => http('POST', `${t.api}/inventory/parts/${p.id}/transactions`, { token: a.token, body: { type: 'consume', quantity: 1 } });
      const statuses = (await Promise.all([consume(), consume()])).map((r) => r.status).sort();
      expect(statuses, `round ${i}`).toEqual([201, 409]);
    }
    await expectLedgerConsistent(t);
  });

  it.skipIf(skip)('a part line racing the completion of its order: the order lock decides, nothing half-done', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const p = await newPart(t.api, a, { quantity_on_hand: 1 });
      const wo = await newWorkOrder(t.api, a, machine, 'in_progress');
      const [line, done] = await Promise.all([restLine(wo, p.id), http('PATCH', `${t.api}/work-orders/${wo}`, { token: a.token, body: { status: 'completed' } })]);
      expect(done.status, done.text).toBe(200);
      const lines = (await http('GET', `${t.api}/inventory/work-orders/${wo}/parts`, { token: a.token })).body.items;
      const stock = (await http('GET', `${t.api}/inventory/parts/${p.id}`, { token: a.token })).body.quantity_on_hand;
      if (line.status === 201) expect([lines.length, stock]).toEqual([1, 0]);
      else {
        expect(line.status, line.text).toBe(409);
        expect([lines.length, stock]).toEqual([0, 1]);
      }
    }
    await expectLedgerConsistent(t);
  });
});
