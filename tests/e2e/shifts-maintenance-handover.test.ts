/**
 * The maintenance module fills the shift handover's `maintenance` section (issues 15 and 16): the
 * events and work orders of the log's machine that overlap the report's window, through the
 * section interface of the shifts module, on a real app (no section registered by the test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { shiftsApi } from './shifts.fixtures.js';

const pgSvc = await probeService('postgres');

describe.skipIf(pgSvc.skip)(`shift handover: the maintenance section${pgSvc.label}`, () => {
  let t: TestApp;
  const s = shiftsApi(() => t.api);

  beforeAll(async () => {
    t = await startTestApp({ env: { JOBS_ENABLED: 'false' } });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it("lists the machine's maintenance events and work orders of the 24 h window, not other machines' nor older ones", async () => {
    const tenant = await registerTenant(t.api, 'handover-maint');
    const other = await registerTenant(t.api, 'handover-maint-b');
    const m = await s.machine(tenant);
    const sibling = await s.machine(tenant, 'Sibling');
    const foreign = await s.machine(other);
    const hour = 3_600_000;
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

    const event = async (who: typeof tenant, machineId: string, title: string, startAgo: number, endAgo: number) => {
      const r = await s.call(who, 'POST', '/maintenance', { machine_id: machineId, title, scheduled_start: at(startAgo), scheduled_end: at(endAgo), type: 'inspection' });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    };
    const inWindow = await event(tenant, m, 'Spindle inspection', 5 * hour, 4 * hour);
    await event(tenant, m, 'Last week', 200 * hour, 199 * hour);
    await event(tenant, sibling, 'Sibling inspection', 5 * hour, 4 * hour);
    await event(other, foreign, 'Foreign inspection', 5 * hour, 4 * hour);
    const order = await s.call(tenant, 'POST', '/work-orders', { machine_id: m, title: 'Replace spindle bearings', priority: 'high' });
    expect(order.status, order.text).toBe(201);
    const siblingOrder = await s.call(tenant, 'POST', '/work-orders', { machine_id: sibling, title: 'Sibling order' });
    expect(siblingOrder.status, siblingOrder.text).toBe(201);

    const night = await s.definition(tenant, { name: 'Around the clock', start_time: '00:00', end_time: '24:00' });
    const log = await s.log(tenant, { shift_definition_id: night.id, machine_id: m, date: new Date().toISOString().slice(0, 10) });

    const r = await s.call(tenant, 'GET', `/shifts/logs/${log.id}/handover`);
    expect(r.status, r.text).toBe(200);
    const items = r.body.maintenance as { kind: string; id: string; machine_id: string; title: string; status: string }[];
    expect(items.map((i) => [i.kind, i.id]).sort()).toEqual([
      ['maintenance_event', inWindow],
      ['work_order', order.body.id],
    ].sort());
    expect(items.every((i) => i.machine_id === m)).toBe(true);
    expect(items.find((i) => i.kind === 'work_order')).toMatchObject({ title: 'Replace spindle bearings', status: 'open' });
    expect(items.find((i) => i.kind === 'maintenance_event')).toMatchObject({ title: 'Spindle inspection', status: 'scheduled' });
  });
});
