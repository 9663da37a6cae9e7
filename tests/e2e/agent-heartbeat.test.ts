/**
 * The server side of the edge-agent heartbeat: `GET /agent/heartbeat` (API key, scope agent) records
 * what the agent reports per key, `GET /agents` and GraphQL `agents` show it to the tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pg = await probeService('postgres');

describe.skipIf(pg.skip)(`edge-agent heartbeat${pg.label}`, () => {
  let t: TestApp;
  let adminA: TenantSession;
  let adminB: TenantSession;
  let agentKey: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp();
    adminA = await registerTenant(t.api, 'agent-a');
    adminB = await registerTenant(t.api, 'agent-b');
    agentKey = await createApiKey(t.api, adminA, 'edge_agent');
  });
  afterAll(async () => {
    await t?.stop();
  });

  const beat = (key: string, query = '') => http('GET', `${t.api}/agent/heartbeat${query ? `?${query}` : ''}`, { apiKey: key });
  const listOf = async (admin: TenantSession) => {
    const r = await http('GET', `${t.api}/agents?page=1&page_size=100`, { token: admin.token });
    expect(r.status, r.text).toBe(200);
    return r.body as { items: Record<string, any>[]; total: number; page: number; page_size: number; total_pages: number };
  };

  it('answers ok with the server time and records what the agent reported', async () => {
    const before = Date.now();
    const q = new URLSearchParams({ version: '0.1.0', hostname: 'plant-gw-01', buffered: '1234', dropped: '5', sources_total: '3' });
    q.append('source', 'ok:Press 1');
    q.append('source', 'failing:Pump: north');
    q.append('source', 'degraded:Oven');
    const r = await beat(agentKey.key, q.toString());
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ status: 'ok', server_time: expect.stringMatching(/Z$/), api_key_id: agentKey.id });
    expect(Math.abs(Date.parse(r.body.server_time) - Date.now())).toBeLessThan(5000);

    const list = await listOf(adminA);
    expect(list).toMatchObject({ total: 1, page: 1, page_size: 100, total_pages: 1 });
    const [a] = list.items;
    expect(a).toMatchObject({
      api_key_id: agentKey.id,
      api_key_name: 'test key',
      api_key_prefix: expect.stringMatching(/^hk_/),
      hostname: 'plant-gw-01',
      agent_version: '0.1.0',
      remote_address: expect.stringMatching(/127\.0\.0\.1/),
      buffered_count: 1234,
      dropped_count: 5,
      sources_total: 3,
      sources: [
        { name: 'Press 1', state: 'ok' },
        { name: 'Pump: north', state: 'failing' },
        { name: 'Oven', state: 'degraded' },
      ],
      heartbeat_count: 1,
    });
    expect(Date.parse(a!.last_seen_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(a!.first_seen_at).toBe(a!.last_seen_at);
  });

  it('a later heartbeat moves last_seen_at; a bare one keeps the last report', async () => {
    const first = (await listOf(adminA)).items[0]!;
    await new Promise((r) => setTimeout(r, 20));
    expect((await beat(agentKey.key, 'buffered=0&source=ok:Press%201')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect((await beat(agentKey.key)).status).toBe(200);
    const a = (await listOf(adminA)).items[0]!;
    expect(a.heartbeat_count).toBe(3);
    expect(Date.parse(a.last_seen_at)).toBeGreaterThan(Date.parse(first.last_seen_at));
    expect(a.first_seen_at).toBe(first.first_seen_at);
    expect(a).toMatchObject({ hostname: 'plant-gw-01', agent_version: '0.1.0', buffered_count: 0, sources: [{ name: 'Press 1', state: 'ok' }], sources_total: 1 });
  });

  it('GraphQL: the same heartbeat as a mutation for keys, and the agents query for users', async () => {
    const key2 = await createApiKey(t.api, adminA, ['agent']);
    const m = await gql(t.url, 'mutation($i: AgentHeartbeatInput) { agentHeartbeat(input: $i) { status serverTime apiKeyId } }', { i: { hostname: 'gw-2', version: '0.2.0', buffered: 7, sources: [{ name: 'Lathe', state: 'pending' }] } }, { apiKey: key2.key });
    expect(m.body.errors).toBeUndefined();
    expect(m.body.data).toEqual({ agentHeartbeat: { status: 'ok', serverTime: expect.any(String), apiKeyId: key2.id } });
    const q = await gql(t.url, '{ agents(page: 1, pageSize: 10) { total items { apiKeyId hostname agentVersion bufferedCount sources { name state } lastSeenAt } } }', {}, { token: adminA.token });
    expect(q.body.errors).toBeUndefined();
    expect(q.body.data.agents.total).toBe(2);
    // most recently seen first
    expect(q.body.data.agents.items[0]).toMatchObject({ apiKeyId: key2.id, hostname: 'gw-2', agentVersion: '0.2.0', bufferedCount: 7, sources: [{ name: 'Lathe', state: 'pending' }] });
    const bad = await gql(t.url, 'mutation { agentHeartbeat(input: { buffered: -1 }) { status } }', {}, { apiKey: key2.key });
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_HEARTBEAT' });
  });

  it('a key without the agent scope gets the documented 403; users and anonymous callers are refused', async () => {
    const ingestOnly = await createApiKey(t.api, adminA, ['ingest']);
    const r = await beat(ingestOnly.key, 'hostname=x');
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ detail: 'API key does not have the required scope: agent' });
    const jwt = await http('GET', `${t.api}/agent/heartbeat`, { token: adminA.token });
    expect(jwt.status).toBe(403);
    expect(jwt.body.detail).toMatch(/requires an API key/);
    expect((await http('GET', `${t.api}/agent/heartbeat`)).status).toBe(401);
    expect((await http('GET', `${t.api}/agents`)).status).toBe(401);
    // an API key cannot list agents (user endpoint)
    expect((await http('GET', `${t.api}/agents`, { apiKey: agentKey.key })).status).toBe(403);
    // nothing was recorded for the refused key
    expect((await listOf(adminA)).items.map((a) => a.api_key_id)).not.toContain(ingestOnly.id);
  });

  it("tenant isolation: B sees only its own agents, never A's", async () => {
    const keyB = await createApiKey(t.api, adminB, 'edge_agent');
    expect((await beat(keyB.key, 'hostname=b-gateway')).status).toBe(200);
    const b = await listOf(adminB);
    expect(b.total).toBe(1);
    expect(b.items[0]).toMatchObject({ api_key_id: keyB.id, hostname: 'b-gateway' });
    const a = await listOf(adminA);
    expect(a.items.map((x) => x.api_key_id)).not.toContain(keyB.id);
    expect(a.items.map((x) => x.hostname)).not.toContain('b-gateway');
    const q = await gql(t.url, '{ agents { items { apiKeyId } } }', {}, { token: adminB.token });
    expect(q.body.data.agents.items).toEqual([{ apiKeyId: keyB.id }]);
  });

  it('revoking the key removes its agent', async () => {
    const key = await createApiKey(t.api, adminA, 'edge_agent');
    expect((await beat(key.key, 'hostname=short-lived')).status).toBe(200);
    expect((await listOf(adminA)).items.map((x) => x.api_key_id)).toContain(key.id);
    expect((await http('DELETE', `${t.api}/settings/api-keys/${key.id}`, { token: adminA.token })).status).toBe(204);
    expect((await listOf(adminA)).items.map((x) => x.api_key_id)).not.toContain(key.id);
    expect((await beat(key.key)).status).toBe(401);
  });

  it.each([
    ['buffered=-1', ['query', 'buffered']],
    ['buffered=lots', ['query', 'buffered']],
    ['dropped=1.5', ['query', 'dropped']],
    ['sources_total=2000000', ['query', 'sources_total']],
    [`version=${'v'.repeat(65)}`, ['query', 'version']],
    [`hostname=${'h'.repeat(256)}`, ['query', 'hostname']],
    ['hostname=bad%00host', ['query', 'hostname']],
    ['source=ok:a&source=sleepy:b', ['query', 'source', 1]],
    ['source=no-state-here', ['query', 'source', 0]],
    ['source=ok:', ['query', 'source', 0]],
    [`source=ok:${'n'.repeat(300)}`, ['query', 'source']],
    [Array.from({ length: 101 }, (_, i) => `source=ok:s${i}`).join('&'), ['query', 'source']],
    ['sources_total=1&source=ok:a&source=ok:b', ['query', 'sources_total']],
  ])('bad parameters: %s → 422 at %j', async (query, loc) => {
    const r = await beat(agentKey.key, query);
    expect(r.status, r.text).toBe(422);
    expect(Array.isArray(r.body.detail)).toBe(true);
    const issue = r.body.detail[0];
    expect(issue.loc.slice(0, loc.length)).toEqual(loc);
    expect(typeof issue.msg).toBe('string');
    expect(typeof issue.type).toBe('string');
  });

  it('bad paging on the list: 422', async () => {
    const r = await http('GET', `${t.api}/agents?page_size=101`, { token: adminA.token });
    expect(r.status).toBe(422);
    expect(r.body.detail[0].loc).toEqual(['query', 'page_size']);
  });
});
