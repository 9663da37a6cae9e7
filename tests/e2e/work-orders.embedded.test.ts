/**
 * Work orders on the embedded database (PGlite, issue 16): the same code path as on PostgreSQL —
 * create with a downtime link and an assignee, the status machine, the completed lock, comments,
 * DELETE (and its hooks) in one transaction, two concurrent closings decided by the row lock.
 */
import { describe, expect, it } from 'vitest';
import { createUserSession, http, registerTenant } from '../helpers/app.js';
import { suiteApp } from '../helpers/suite-apps.js';

describe('work orders on the embedded database (PGlite)', () => {
  const suite = suiteApp({ db: 'embedded' }, 120_000);

  it('creates, links, moves along the diagram, locks, comments, deletes and decides a race the same way', async () => {
    const { t } = suite;
    const s = await registerTenant(t.api, 'woemb');
    const op = await createUserSession(t.api, s, 'operator');
    const m = await http('POST', `${t.api}/machines`, { token: s.token, body: { name: 'Embedded', machine_identifier: 'WO-EMB-1', protocol: 'json' } });
    const m2 = await http('POST', `${t.api}/machines`, { token: s.token, body: { name: 'Embedded 2', machine_identifier: 'WO-EMB-2', protocol: 'json' } });
    const dt = await http('POST', `${t.api}/machines/${m.body.id}/downtime`, {
      token: s.token,
      body: { reason: 'Stop', category: 'unplanned', started_at: '2025-01-01T08:00:00Z', ended_at: '2025-01-01T09:00:00Z' },
    });
    expect(dt.status, dt.text).toBe(201);
    const create = (body: Record<string, unknown>) => http('POST', `${t.api}/work-orders`, { token: s.token, body: { machine_id: m.body.id, title: 'Embedded order', ...body } });
    const patch = (id: string, body: unknown) => http('PATCH', `${t.api}/work-orders/${id}`, { token: s.token, body });

    const wo = await create({ downtime_record_id: dt.body.id, assigned_to: op.userId });
    expect(wo.status, wo.text).toBe(201);
    expect(wo.body).toMatchObject({ status: 'open', priority: 'medium', downtime_record_id: dt.body.id, assigned_to: op.userId });
    const wrong = await http('POST', `${t.api}/work-orders`, { token: s.token, body: { machine_id: m2.body.id, title: 'x', downtime_record_id: dt.body.id } });
    expect(wrong.status).toBe(422);

    expect((await patch(wo.body.id, { status: 'completed' })).body).toEqual({ detail: 'Cannot change status from open to completed' });
    expect((await patch(wo.body.id, { status: 'in_progress' })).status).toBe(200);
    const done = await patch(wo.body.id, { status: 'completed' });
    expect(done.status).toBe(200);
    expect(done.body.completed_at).not.toBeNull();
    expect((await patch(wo.body.id, { status: 'in_progress' })).body).toEqual({ detail: 'Cannot change status from completed to in_progress' });
    expect((await patch(wo.body.id, { title: 'Edited' })).status).toBe(409);
    const c = await http('POST', `${t.api}/work-orders/${wo.body.id}/comments`, { token: op.token, body: { body: 'Done and dusted.' } });
    expect(c.status, c.text).toBe(201);
    const cs = await http('GET', `${t.api}/work-orders/${wo.body.id}/comments`, { token: s.token });
    expect(cs.body).toMatchObject({ total: 1, items: [{ body: 'Done and dusted.', user_id: op.userId }] });
    expect((await http('DELETE', `${t.api}/work-orders/${wo.body.id}`, { token: s.token })).status).toBe(409);

    const open = await create({});
    await http('POST', `${t.api}/work-orders/${open.body.id}/comments`, { token: s.token, body: { body: 'note' } });
    expect((await http('DELETE', `${t.api}/work-orders/${open.body.id}`, { token: s.token })).status).toBe(204);
    expect((await http('GET', `${t.api}/work-orders/${open.body.id}`, { token: s.token })).status).toBe(404);

    const raced = await create({});
    await patch(raced.body.id, { status: 'in_progress' });
    const [x, y] = await Promise.all([patch(raced.body.id, { status: 'completed' }), patch(raced.body.id, { status: 'cancelled' })]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);

    const list = await http('GET', `${t.api}/work-orders?machine_id=${m.body.id}&status=completed`, { token: s.token });
    expect(list.body.total).toBe(x.status === 200 ? 2 : 1);
    const trail = await http('GET', `${t.api}/audit?resource_id=${wo.body.id}&page_size=100`, { token: s.token });
    expect(trail.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['comment_work_order', 'create_work_order', 'update_work_order', 'update_work_order']);
  });
});
