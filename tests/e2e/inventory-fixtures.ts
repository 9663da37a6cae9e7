/** What the inventory tests share: work orders, parts, and the ledger invariant. */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { http, type TenantSession, type TestApp } from '../helpers/app.js';

/** An open work order on the machine; `status` walks it there through the state machine. */
export async function newWorkOrder(api: string, s: TenantSession, machineId: string, status: 'open' | 'in_progress' | 'completed' | 'cancelled' = 'open'): Promise<string> {
  const r = await http('POST', `${api}/work-orders`, { token: s.token, body: { machine_id: machineId, title: 'Replace bearing' } });
  expect(r.status, r.text).toBe(201);
  const steps = { open: [], in_progress: ['in_progress'], completed: ['in_progress', 'completed'], cancelled: ['cancelled'] }[status];
  for (const to of steps) {
    const u = await http('PATCH', `${api}/work-orders/${r.body.id}`, { token: s.token, body: { status: to } });
    expect(u.status, u.text).toBe(200);
  }
  return r.body.id;
}

export async function newPart(api: string, s: TenantSession, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const r = await http('POST', `${api}/inventory/parts`, { token: s.token, body: { part_number: `P-${randomUUID().slice(0, 8)}`, name: 'Bearing', ...body } });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

/** Every part's quantity on hand is the sum of its ledger's deltas, and every balance_after chains (exact numerics, compared in SQL). */
export async function expectLedgerConsistent(t: TestApp): Promise<void> {
  const db = t.app.container.db;
  const off = await db.query<{ id: string }>(
    `select p.id from parts p left join (select part_id, sum(delta) as s from stock_transactions group by part_id) l on l.part_id = p.id
      where p.quantity_on_hand <> coalesce(l.s, 0)`,
  );
  expect(off, 'parts whose stock is not the sum of their ledger').toEqual([]);
  const broken = await db.query<{ id: string }>(
    `select id from (select id, balance_after, sum(delta) over (partition by part_id order by seq) as running from stock_transactions) x where balance_after <> running`,
  );
  expect(broken, 'ledger entries whose balance_after is not the running sum').toEqual([]);
}
