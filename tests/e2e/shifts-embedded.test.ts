/**
 * Shifts on the embedded database (PGlite, issue 15): the same statements as on PostgreSQL — the
 * partial unique indexes, the advisory locks, the comparison SQL with clipping, the handover
 * window, the DST windows in Europe/Berlin and the auto-complete round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { minutesBetween, shiftsApi } from './shifts.fixtures.js';

describe('shifts on PGlite', () => {
  let t: TestApp;
  let a: TenantSession;
  const s = shiftsApi(() => t.api);

  beforeAll(async () => {
    t = await startTestApp({ db: 'embedded', env: { JOBS_ENABLED: 'false' } });
    a = await registerTenant(t.api, 'embedded-shifts');
    expect((await s.call(a, 'PATCH', '/settings/tenant', { time_zone: 'Europe/Berlin' })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('definitions, logs over both DST nights, the state machine, handover, comparison and auto-complete', async () => {
    const night = await s.definition(a, { name: 'Night', start_time: '22:00', end_time: '06:00' });
    const day = await s.definition(a, { name: 'Day', start_time: '06:00', end_time: '14:00' });
    expect((await s.call(a, 'POST', '/shifts/definitions', { name: 'Clash', start_time: '05:00', end_time: '07:00' })).status).toBe(409);
    expect((await s.call(a, 'POST', '/shifts/definitions', { name: 'night', start_time: '15:00', end_time: '16:00' })).status).toBe(409);
    const m = await s.machine(a);
    const spring = await s.log(a, { shift_definition_id: night.id, machine_id: m, date: '2026-03-28', status: 'completed', total_pieces: 70, good_pieces: 70 });
    const autumn = await s.log(a, { shift_definition_id: night.id, machine_id: m, date: '2026-10-24', status: 'completed', total_pieces: 90, good_pieces: 81, handover_notes: 'Watch the feeder' });
    expect(minutesBetween(spring.planned_start, spring.planned_end)).toBe(420);
    expect(minutesBetween(autumn.planned_start, autumn.planned_end)).toBe(540);
    // one non-cancelled log per (definition, machine, date); one active per machine; transitions
    expect((await s.call(a, 'POST', '/shifts/logs', { shift_definition_id: night.id, machine_id: m, date: '2026-03-28' })).status).toBe(409);
    const open = await s.log(a, { shift_definition_id: day.id, machine_id: m, date: '2026-10-25' });
    expect((await s.call(a, 'POST', '/shifts/logs', { shift_definition_id: night.id, machine_id: m, date: '2026-10-25' })).status).toBe(409);
    // downtime over the autumn night: 04:00–06:00 local is 03:00–05:00Z; 30 min of it after the shift (05:00–05:30Z)
    await s.downtime(a, m, 'unplanned', '2026-10-25T04:00:00Z', '2026-10-25T05:30:00Z');
    const handover = await s.call(a, 'GET', `/shifts/logs/${open.id}/handover`);
    expect(handover.status, handover.text).toBe(200);
    expect(handover.body.previous).toMatchObject({ log_id: autumn.id, handover_notes: 'Watch the feeder' });
    const cmp = await s.call(a, 'GET', '/shifts/comparison?from_date=2026-03-01&to_date=2026-10-31');
    expect(cmp.status, cmp.text).toBe(200);
    const nightRow = cmp.body.rows.find((r: { name: string }) => r.name === 'Night');
    // 420 + 540 scheduled; 60 min of the record inside the autumn night → run 900
    expect(nightRow).toMatchObject({ logs: 2, scheduled_minutes: 960, planned_minutes: 960, run_minutes: 900, total_pieces: 160, good_pieces: 151, availability: 93.8, quality: 94.4 });
    expect(nightRow.downtime_minutes).toEqual({ planned: 0, unplanned: 60, changeover: 0, maintenance: 0 });
    // the day log of 2026-10-25 is long past its planned end: the round completes it
    expect(await t.app.container.services.shifts.autoComplete()).toBe(1);
    const closed = await s.call(a, 'GET', `/shifts/logs/${open.id}`);
    expect(closed.body).toMatchObject({ status: 'completed', ended_at: open.planned_end });
    expect((await s.call(a, 'PATCH', `/shifts/logs/${open.id}`, { status: 'cancelled' })).status).toBe(409);
    expect((await s.call(a, 'DELETE', `/shifts/definitions/${day.id}`)).status).toBe(409);
  }, 60_000);
});
