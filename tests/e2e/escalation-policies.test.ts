/**
 * Escalation policies (issue 14) on both doors: the documented body, severity required,
 * wait_minutes 1 to 1,440, channel_id of the tenant (unknown or foreign: 422), PUT changing the
 * fields given, the 50-policy limit (409), admin-only writes, tenant isolation, API keys refused,
 * bad input on every body field (422 with loc), what the delivery engine reads (activeFor), audit.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const POLICY_KEYS = ['channel_id', 'created_at', 'id', 'is_active', 'name', 'severity', 'updated_at', 'wait_minutes'];

describe.skipIf(pgSvc.skip)(`escalation policies${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let operatorA: TenantSession;
  let viewerA: TenantSession;
  let b: TenantSession;
  let channelA: string;
  let channelB: string;

  async function channel(s: TenantSession, name = 'On call') {
    const r = await http('POST', `${t.api}/notification-channels`, { token: s.token, body: { name, type: 'email', config: { email: 'oncall@example.com' } } });
    expect(r.status, r.text).toBe(201);
    return r.body.id as string;
  }

  async function create(s: TenantSession, body: Record<string, unknown>) {
    const r = await http('POST', `${t.api}/escalation-policies`, { token: s.token, body });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  async function rejects(method: string, path: string, body: unknown, loc: (string | number)[]) {
    const r = await http(method, `${t.api}${path}`, { token: a.token, body });
    expect(r.status, `${JSON.stringify(body)} -> ${r.text}`).toBe(422);
    expect(r.body.detail.map((d: { loc: unknown }) => d.loc), r.text).toContainEqual(loc);
  }

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'epa');
    b = await registerTenant(t.api, 'epb');
    [operatorA, viewerA] = await Promise.all([createUserSession(t.api, a, 'operator'), createUserSession(t.api, a, 'viewer')]);
    channelA = await channel(a);
    channelB = await channel(b);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates the documented body, lists in firing order, and hands the active steps to the delivery engine', async () => {
    const p15 = await create(a, { name: 'Critical alert , 15min escalation', severity: 'critical', wait_minutes: 15, channel_id: channelA, is_active: true });
    expect(Object.keys(p15).sort()).toEqual(POLICY_KEYS);
    expect(p15).toMatchObject({ name: 'Critical alert , 15min escalation', severity: 'critical', wait_minutes: 15, channel_id: channelA, is_active: true });
    const p5 = await create(a, { name: 'First step', severity: 'critical', wait_minutes: 5, channel_id: channelA.toUpperCase() });
    expect(p5.channel_id).toBe(channelA);
    const w = await create(a, { name: 'Warning', severity: 'warning', wait_minutes: 1440, channel_id: channelA });
    const off = await create(a, { name: 'Off', severity: 'critical', wait_minutes: 1, channel_id: channelA, is_active: false });

    const list = await http('GET', `${t.api}/escalation-policies`, { token: viewerA.token });
    expect(list.status).toBe(200);
    expect(list.body.map((p: { id: string }) => p.id)).toEqual([off.id, p5.id, p15.id, w.id]);

    const policies = t.app.container.services.escalationPolicies;
    expect(await policies.activeFor(a.tenantId, 'critical')).toEqual([
      { id: p5.id, name: 'First step', severity: 'critical', waitMinutes: 5, channelId: channelA },
      { id: p15.id, name: 'Critical alert , 15min escalation', severity: 'critical', waitMinutes: 15, channelId: channelA },
    ]);
    expect((await policies.activeFor(a.tenantId)).map((p) => p.id)).toEqual([p5.id, p15.id, w.id]);
    expect(await policies.activeFor(b.tenantId)).toEqual([]);
  });

  it('PUT changes only the fields given, checks the channel again, and audits the change', async () => {
    const other = await channel(a, 'Second line');
    const p = await create(a, { name: 'Movable', severity: 'warning', wait_minutes: 30, channel_id: channelA });
    const put = await http('PUT', `${t.api}/escalation-policies/${p.id}`, { token: a.token, body: { wait_minutes: 60 } });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ name: 'Movable', severity: 'warning', wait_minutes: 60, channel_id: channelA, is_active: true });
    const moved = await http('PUT', `${t.api}/escalation-policies/${p.id}`, { token: a.token, body: { channel_id: other, severity: 'info', is_active: false, name: 'Moved' } });
    expect(moved.body).toMatchObject({ name: 'Moved', severity: 'info', wait_minutes: 60, channel_id: other, is_active: false });
    await rejects('PUT', `/escalation-policies/${p.id}`, { channel_id: channelB }, ['body', 'channel_id']);
    await rejects('PUT', `/escalation-policies/${p.id}`, { channel_id: randomUUID() }, ['body', 'channel_id']);

    const audit = await http('GET', `${t.api}/audit?resource_id=${p.id}`, { token: a.token });
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['create_escalation_policy', 'update_escalation_policy', 'update_escalation_policy']);
    const del = await http('DELETE', `${t.api}/escalation-policies/${p.id}`, { token: a.token });
    expect(del.status).toBe(204);
    expect((await http('PUT', `${t.api}/escalation-policies/${p.id}`, { token: a.token, body: { name: 'x' } })).status).toBe(404);
    const after = await http('GET', `${t.api}/audit?resource_id=${p.id}&action=delete_escalation_policy`, { token: a.token });
    expect(after.body.items).toHaveLength(1);
    // the channel is free again
    expect((await http('DELETE', `${t.api}/notification-channels/${other}`, { token: a.token })).status).toBe(204);
  });

  it('refuses bad input on every body field with 422 and its loc, never a 500', async () => {
    const base = { name: 'P', severity: 'critical', wait_minutes: 15, channel_id: channelA };
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ ...base, name: undefined }, ['body', 'name']],
      [{ ...base, name: '' }, ['body', 'name']],
      [{ ...base, name: 'n'.repeat(201) }, ['body', 'name']],
      [{ ...base, name: ['x'] }, ['body', 'name']],
      [{ ...base, severity: undefined }, ['body', 'severity']],
      [{ ...base, severity: null }, ['body', 'severity']],
      [{ ...base, severity: 'fatal' }, ['body', 'severity']],
      [{ ...base, wait_minutes: undefined }, ['body', 'wait_minutes']],
      [{ ...base, wait_minutes: 0 }, ['body', 'wait_minutes']],
      [{ ...base, wait_minutes: 1441 }, ['body', 'wait_minutes']],
      [{ ...base, wait_minutes: 2.5 }, ['body', 'wait_minutes']],
      [{ ...base, wait_minutes: '15' }, ['body', 'wait_minutes']],
      [{ ...base, wait_minutes: 1e300 }, ['body', 'wait_minutes']],
      [{ ...base, channel_id: undefined }, ['body', 'channel_id']],
      [{ ...base, channel_id: 'not-a-uuid' }, ['body', 'channel_id']],
      [{ ...base, channel_id: randomUUID() }, ['body', 'channel_id']],
      [{ ...base, channel_id: channelB }, ['body', 'channel_id']],
      [{ ...base, is_active: 'true' }, ['body', 'is_active']],
    ];
    for (const [body, loc] of cases) await rejects('POST', '/escalation-policies', body, loc);
    const p = await create(a, base);
    for (const [body, loc] of [
      [{ name: '' }, ['body', 'name']],
      [{ severity: 'high' }, ['body', 'severity']],
      [{ wait_minutes: -1 }, ['body', 'wait_minutes']],
      [{ wait_minutes: 100000 }, ['body', 'wait_minutes']],
      [{ channel_id: 7 }, ['body', 'channel_id']],
      [{ is_active: 0 }, ['body', 'is_active']],
    ] as [Record<string, unknown>, (string | number)[]][]) {
      await rejects('PUT', `/escalation-policies/${p.id}`, body, loc);
    }
    const gq = await gql(
      t.url,
      'mutation($input: CreateEscalationPolicyInput!) { createEscalationPolicy(input: $input) { id } }',
      { input: { name: 'G', severity: 'critical', waitMinutes: 0, channelId: channelA } },
      { token: a.token },
    );
    expect(gq.body.errors?.[0]?.extensions?.reason).toBe('INVALID_ESCALATION_POLICY');
    expect(gq.body.errors?.[0]?.extensions?.issues?.[0]?.loc).toEqual(['wait_minutes']);
  });

  it('isolates tenants (404), lets only admins write, and refuses API keys', async () => {
    const p = await create(a, { name: 'Private', severity: 'warning', wait_minutes: 10, channel_id: channelA });
    for (const [method, body] of [['PUT', { name: 'stolen' }], ['DELETE', undefined]] as const) {
      const r = await http(method, `${t.api}/escalation-policies/${p.id}`, { token: b.token, body });
      expect(r.status, r.text).toBe(404);
      expect(r.body).toEqual({ detail: 'Escalation policy not found' });
    }
    expect((await http('GET', `${t.api}/escalation-policies`, { token: b.token })).body).toEqual([]);
    const g = await gql(t.url, 'query($id: ID!) { escalationPolicy(id: $id) { id } }', { id: p.id }, { token: b.token });
    expect(g.body.errors?.[0]?.extensions?.reason).toBe('ESCALATION_POLICY_NOT_FOUND');

    for (const s of [operatorA, viewerA]) {
      for (const [method, path, body] of [
        ['POST', '/escalation-policies', { name: 'X', severity: 'info', wait_minutes: 5, channel_id: channelA }],
        ['PUT', `/escalation-policies/${p.id}`, { name: 'X' }],
        ['DELETE', `/escalation-policies/${p.id}`, undefined],
      ] as const) {
        const r = await http(method, `${t.api}${path}`, { token: s.token, body });
        expect(r.status, `${method} ${path} -> ${r.text}`).toBe(403);
      }
    }
    expect((await http('GET', `${t.api}/escalation-policies`, { token: operatorA.token })).status).toBe(200);
    const key = await createApiKey(t.api, a, ['read:machines']);
    expect((await http('GET', `${t.api}/escalation-policies`, { apiKey: key.key })).status).toBe(403);
  });

  it('GraphQL: create, update, list and delete', async () => {
    const c = await gql(
      t.url,
      'mutation($input: CreateEscalationPolicyInput!) { createEscalationPolicy(input: $input) { id name severity waitMinutes channelId isActive } }',
      { input: { name: 'GQL step', severity: 'critical', waitMinutes: 20, channelId: channelA } },
      { token: a.token },
    );
    expect(c.body.errors, c.text).toBeUndefined();
    const p = c.body.data!.createEscalationPolicy;
    expect(p).toMatchObject({ name: 'GQL step', severity: 'critical', waitMinutes: 20, channelId: channelA, isActive: true });
    const u = await gql(t.url, 'mutation($id: ID!, $input: UpdateEscalationPolicyInput!) { updateEscalationPolicy(id: $id, input: $input) { waitMinutes name } }', { id: p.id, input: { waitMinutes: 25 } }, { token: a.token });
    expect(u.body.data?.updateEscalationPolicy).toEqual({ waitMinutes: 25, name: 'GQL step' });
    const op = await gql(t.url, 'mutation($id: ID!) { deleteEscalationPolicy(id: $id) }', { id: p.id }, { token: operatorA.token });
    expect(op.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const l = await gql(t.url, 'query { escalationPolicies { id } }', {}, { token: viewerA.token });
    expect(l.body.data?.escalationPolicies.map((x: { id: string }) => x.id)).toContain(p.id);
    const d = await gql(t.url, 'mutation($id: ID!) { deleteEscalationPolicy(id: $id) }', { id: p.id }, { token: a.token });
    expect(d.body.data?.deleteEscalationPolicy).toBe(true);
  });

  it('holds at most 50 policies per tenant (409)', async () => {
    const c = await registerTenant(t.api, 'epl');
    const ch = await channel(c);
    const statuses: number[] = [];
    for (let i = 0; i < 55; i += 11) {
      const batch = await Promise.all(
        Array.from({ length: 11 }, (_, j) => http('POST', `${t.api}/escalation-policies`, { token: c.token, body: { name: `Step ${i + j}`, severity: 'critical', wait_minutes: 1 + i + j, channel_id: ch } })),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
    const over = await http('POST', `${t.api}/escalation-policies`, { token: c.token, body: { name: 'Over', severity: 'info', wait_minutes: 5, channel_id: ch } });
    expect(over.status).toBe(409);
    expect(over.body).toEqual({ detail: 'A tenant may hold at most 50 escalation policies' });
  });
});
