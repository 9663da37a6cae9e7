/**
 * Maintenance events on the embedded database (PGlite, issue 16): the state machine, the
 * downtime record it opens and ends, the row-version check (xmin) under racing starts, the list
 * filters and the delete rule behave as on PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { http, registerTenant } from '../helpers/app.js';
import { suiteApp } from '../helpers/suite-apps.js';

describe('maintenance events on the embedded database (PGlite)', () => {
  const suite = suiteApp({ db: 'embedded' }, 120_000);

  it('schedules, starts with downtime, refuses a bad transition, completes, lists and deletes', async () => {
    const { t } = suite;
    const s = await registerTenant(t.api, 'mntemb');
    const m = await http('POST', `${t.api}/machines`, { token: s.token, body: { name: 'Embedded', machine_identifier: 'EMB-M1', protocol: 'json' } });
    const body = { machine_id: m.body.id, title: 'Quarterly bearing inspection', scheduled_start: '2026-04-10T08:00:00Z', scheduled_end: '2026-04-10T12:00:00Z', creates_downtime: true };
    const e = await http('POST', `${t.api}/maintenance`, { token: s.token, body });
    expect(e.status, e.text).toBe(201);
    expect(e.body).toMatchObject({ status: 'scheduled', type: 'preventive' });
    const bad = await http('POST', `${t.api}/maintenance`, { token: s.token, body: { ...body, scheduled_end: '2026-04-10T07:00:00Z' } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'scheduled_end']);

    const starts = await Promise.all([1, 2].map(() => http('PUT', `${t.api}/maintenance/${e.body.id}`, { token: s.token, body: { status: 'in_progress' } })));
    expect(starts.map((r) => r.status).sort(), starts.map((r) => r.text).join(' | ')).toEqual([200, 409]);
    const started = starts.find((r) => r.status === 200)!.body;
    const down = await http('GET', `${t.api}/machines/${m.body.id}/downtime`, { token: s.token });
    expect(down.body.items).toHaveLength(1);
    expect(down.body.items[0]).toMatchObject({ id: started.downtime_record_id, category: 'maintenance', ended_at: null });

    const back = await http('PUT', `${t.api}/maintenance/${e.body.id}`, { token: s.token, body: { status: 'scheduled' } });
    expect(back.status).toBe(409);
    expect(back.body).toEqual({ detail: 'Cannot change status from in_progress to scheduled' });
    const done = await http('PUT', `${t.api}/maintenance/${e.body.id}`, { token: s.token, body: { status: 'completed' } });
    expect(done.status).toBe(200);
    const ended = await http('GET', `${t.api}/machines/${m.body.id}/downtime`, { token: s.token });
    expect(ended.body.items[0].ended_at).not.toBeNull();

    const list = await http('GET', `${t.api}/maintenance?status=completed&machine_id=${m.body.id}`, { token: s.token });
    expect(list.body).toMatchObject({ total: 1, items: [{ id: e.body.id, status: 'completed' }] });
    expect((await http('DELETE', `${t.api}/maintenance/${e.body.id}`, { token: s.token })).status).toBe(409);
    const other = await http('POST', `${t.api}/maintenance`, { token: s.token, body });
    expect((await http('DELETE', `${t.api}/maintenance/${other.body.id}`, { token: s.token })).status).toBe(204);
  });
});
