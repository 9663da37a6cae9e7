/**
 * Rate limiting on both doors: headers on every response (errors included), 429 with Retry-After
 * once a credential's budget is spent, separate budgets per credential, and one shared budget
 * across two server processes on the same Redis.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { createTestDatabase, gql, http, startTestApp, STRONG_PASSWORD, type HttpOptions, type HttpResult, type TestApp } from '../helpers/app.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

/** A fresh client address per anonymous flow: TRUST_PROXY is on, so each gets its own budget. */
const freshIp = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${1 + (randomBytes(1)[0]! % 250)}`;

async function registerFrom(api: string, ip: string, label: string) {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const r = await http('POST', `${api}/auth/register`, {
    headers: { 'x-forwarded-for': ip },
    body: { email, password: STRONG_PASSWORD, full_name: `${label} admin`, tenant_name: `${label} plant` },
  });
  if (r.status !== 201) throw new Error(`register failed: ${r.status} ${r.text}`);
  return { email, token: r.body.access_token as string };
}

function limitHeaders(r: HttpResult) {
  return {
    limit: r.headers.get('x-ratelimit-limit'),
    remaining: r.headers.get('x-ratelimit-remaining'),
    reset: r.headers.get('x-ratelimit-reset'),
  };
}

function expectLimitHeaders(r: HttpResult, limit: number, what: string): { remaining: number; reset: number } {
  const h = limitHeaders(r);
  const msg = `${what} -> ${r.status} headers ${JSON.stringify(h)}`;
  expect(h.limit, msg).toBe(String(limit));
  expect(h.remaining, msg).toMatch(/^\d+$/);
  expect(h.reset, msg).toMatch(/^\d+$/);
  const reset = Number(h.reset);
  const now = Math.floor(Date.now() / 1000);
  // epoch seconds, within the window
  expect(reset, msg).toBeGreaterThanOrEqual(now);
  expect(reset, msg).toBeLessThanOrEqual(now + 61);
  return { remaining: Number(h.remaining), reset };
}

function expect429(r: HttpResult, what: string): void {
  const msg = `${what} -> ${r.status} ${r.text}`;
  expect(r.status, msg).toBe(429);
  expect(typeof r.body?.detail, msg).toBe('string');
  const retry = Number(r.headers.get('retry-after'));
  expect(Number.isInteger(retry) && retry >= 1 && retry <= 60, `${msg} Retry-After=${r.headers.get('retry-after')}`).toBe(true);
  expect(r.headers.get('x-ratelimit-reset'), msg).toMatch(/^\d+$/);
  expect(r.headers.get('x-ratelimit-remaining'), msg).toBe('0');
}

describe.skipIf(pgSvc.skip)(`rate limit in one process (RATE_LIMIT_FREE=5)${pgSvc.label}`, () => {
  const LIMIT = 5;
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_FREE: String(LIMIT), RATE_LIMIT_WINDOW_SEC: '60', TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('every /api/v1 and /graphql response carries the three headers, errors included, counting down per credential', async () => {
    const { token } = await registerFrom(t.api, freshIp(), 'hdr');
    const calls: [string, () => Promise<HttpResult>, number][] = [
      ['200 GET /auth/me', () => http('GET', `${t.api}/auth/me`, { token }), 200],
      ['404 unknown route', () => http('GET', `${t.api}/no-such-thing`, { token }), 404],
      ['422 bad page', () => http('GET', `${t.api}/users?page=abc`, { token }), 422],
      ['405 wrong method', () => http('PUT', `${t.api}/auth/me`, { token }), 405],
      ['200 POST /graphql', () => gql(t.url, '{ me { id } }', undefined, { token }), 200],
    ];
    let last = LIMIT;
    for (const [what, fn, status] of calls) {
      const r = await fn();
      expect(r.status, `${what}: ${r.text}`).toBe(status);
      const { remaining } = expectLimitHeaders(r, LIMIT, what);
      expect(remaining, what).toBe(last - 1);
      last = remaining;
    }

    // anonymous and bad-credential responses carry them too (budget per client address)
    const anon: [string, HttpOptions, string][] = [
      ['401 anonymous', {}, `${t.api}/auth/me`],
      ['401 garbage token', { token: 'garbage' }, `${t.api}/auth/me`],
      ['401 unknown API key', { apiKey: 'hk_nope' }, `${t.api}/settings/api-keys`],
      ['404 anonymous unknown route', {}, `${t.api}/nowhere`],
    ];
    for (const [what, o, url] of anon) {
      const r = await http('GET', url, { ...o, headers: { 'x-forwarded-for': freshIp() } });
      expect([401, 404], `${what}: ${r.text}`).toContain(r.status);
      const { remaining } = expectLimitHeaders(r, LIMIT, what);
      expect(remaining, what).toBe(LIMIT - 1);
    }
    const g = await http('POST', `${t.url}/graphql`, { headers: { 'x-forwarded-for': freshIp() }, body: { query: '{ me { id } }' } });
    expect(g.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expectLimitHeaders(g, LIMIT, 'anonymous graphql');
    const parse = await http('POST', `${t.url}/graphql`, { headers: { 'x-forwarded-for': freshIp() }, raw: '{"query":' });
    expect(parse.status).toBe(400);
    expectLimitHeaders(parse, LIMIT, 'malformed JSON on /graphql');
  });

  it('the 6th request of one credential is 429 {detail} with Retry-After and X-RateLimit-Reset, on both doors', async () => {
    const { token } = await registerFrom(t.api, freshIp(), 'burst');
    for (let i = 1; i <= LIMIT; i++) {
      const r = i % 2 ? await http('GET', `${t.api}/auth/me`, { token }) : await gql(t.url, '{ me { id } }', undefined, { token });
      expect(r.status, `request ${i}: ${r.text}`).toBe(200);
      expect(expectLimitHeaders(r, LIMIT, `request ${i}`).remaining).toBe(LIMIT - i);
    }
    const sixth = await http('GET', `${t.api}/auth/me`, { token });
    expect429(sixth, '6th REST request');
    const seventh = await gql(t.url, '{ me { id } }', undefined, { token });
    expect429(seventh, '7th request via GraphQL');
    // A throttled write does not happen.
    const write = await http('PATCH', `${t.api}/settings/profile`, { token, body: { full_name: 'Should Not Stick' } });
    expect429(write, 'throttled write');
  });

  it('another credential, user or tenant has its own budget', async () => {
    const a = await registerFrom(t.api, freshIp(), 'own-a');
    // a's budget: 1 for the key, then 4 more
    const created = await http('POST', `${t.api}/settings/api-keys`, { token: a.token, body: { name: 'rl key', scopes: ['read:machines'] } });
    expect(created.status, created.text).toBe(201);
    const key = { key: created.body.plaintext_key as string };
    for (let i = 0; i < LIMIT - 1; i++) await http('GET', `${t.api}/auth/me`, { token: a.token });
    expect429(await http('GET', `${t.api}/auth/me`, { token: a.token }), 'tenant A admin exhausted');

    // the same tenant's API key: own budget
    const k = await http('GET', `${t.api}/settings/api-keys`, { apiKey: key.key });
    expect(k.status).toBe(403);
    expect(expectLimitHeaders(k, LIMIT, 'API key of A').remaining).toBe(LIMIT - 1);

    // another tenant
    const b = await registerFrom(t.api, freshIp(), 'own-b');
    const rb = await http('GET', `${t.api}/auth/me`, { token: b.token });
    expect(rb.status).toBe(200);
    expect(expectLimitHeaders(rb, LIMIT, 'tenant B admin').remaining).toBe(LIMIT - 1);

    // a second login of A's admin is the same user: still throttled (budget is per user, not per token)
    const relog = await http('POST', `${t.api}/auth/login`, { headers: { 'x-forwarded-for': freshIp() }, body: { email: a.email, password: STRONG_PASSWORD } });
    expect(relog.status, relog.text).toBe(200);
    expect429(await http('GET', `${t.api}/auth/me`, { token: relog.body.access_token }), 'same user, new token');
  });
});

// ---------------------------------------------------------------------------------------------
// Two real server processes on one Redis.

describe.skipIf(pgSvc.skip || redisSvc.skip)(`rate limit shared by two processes on one Redis${pgSvc.label}${redisSvc.label}`, () => {
  const LIMIT = 6;
  let db: { url: string; drop: () => Promise<void> } | undefined;
  let p1: ServerProcess;
  let p2: ServerProcess;

  beforeAll(async () => {
    await ensureBuilt('rate-limit');
    db = await createTestDatabase();
    const env = {
      JWT_SECRET: `rl-two-procs-${randomUUID()}`.padEnd(48, 'z'),
      RATE_LIMIT_FREE: String(LIMIT),
      RATE_LIMIT_WINDOW_SEC: '60',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'warn',
    };
    // The first one migrates the fresh database; the second starts on the migrated schema.
    p1 = await startServerProcess(db.url, env);
    p2 = await startServerProcess(db.url, env);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([p1?.stop(), p2?.stop()]);
    await db?.drop();
  }, 30_000);

  it('alternating one token between the processes: exactly 6 succeed in total, then 429 on both', async () => {
    expect(p1.url).not.toBe(p2.url);
    const api1 = `${p1.url}/api/v1`;
    const api2 = `${p2.url}/api/v1`;
    // registered on process 1 (its own client address, so no other test's anonymous traffic counts)
    const { token } = await registerFrom(api1, freshIp(), 'two-procs');

    const statuses: number[] = [];
    const remaining: string[] = [];
    for (let i = 0; i < 2 * LIMIT; i++) {
      const api = i % 2 === 0 ? api1 : api2;
      const r = await http('GET', `${api}/auth/me`, { token });
      statuses.push(r.status);
      remaining.push(r.headers.get('x-ratelimit-remaining') ?? '?');
      expect(r.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
      if (r.status === 429) expect429(r, `request ${i + 1} on process ${(i % 2) + 1}`);
      else expect(r.status, r.text).toBe(200);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses, `remaining: ${remaining.join(',')}`).toEqual([...Array(LIMIT).fill(200), ...Array(LIMIT).fill(429)]);
    // one budget counted down across both processes
    expect(remaining).toEqual(['5', '4', '3', '2', '1', '0', '0', '0', '0', '0', '0', '0']);

    // both processes still throttle this credential, on both doors
    expect429(await http('GET', `${api1}/auth/me`, { token }), 'process 1 again');
    expect429(await gql(p2.url, '{ me { id } }', undefined, { token }), 'process 2 via GraphQL');

    // ...while another tenant on the other process is unaffected
    const other = await registerFrom(api2, freshIp(), 'two-procs-other');
    const ok = await http('GET', `${api1}/auth/me`, { token: other.token });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - 1));
  });
});
