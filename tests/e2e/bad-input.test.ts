/**
 * Bad input on both doors: malformed and mistyped bodies, unknown fields, huge values, bad ids,
 * unknown routes and methods, broken credentials, bad pagination. Every answer must be a clean
 * 4xx in the documented shape; no 500s and no stack traces, and the server keeps serving.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSigner } from '../../src/auth/jwt.js';
import {
  createUserSession,
  http as rawHttp,
  registerTenant,
  startTestApp,
  STRONG_PASSWORD,
  type HttpOptions,
  type HttpResult,
  type TenantSession,
  type TestApp,
} from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

interface Seen {
  method: string;
  url: string;
  status: number;
  text: string;
}

/** Matches a JS stack frame line such as "    at foo (/x/y.js:1:2)" or "at /x/y.ts:3:4". */
const STACK_LINE = /(^|\\n|\n)\s*at [^\n]*(\(|\s)\/?[\w./-]+\.(js|ts|mjs|cjs):\d+/;

const b64url = (s: string) => Buffer.from(s).toString('base64url');

describe.skipIf(pgSvc.skip)(`bad input never breaks the server${pgSvc.label}`, () => {
  let t: TestApp;
  let admin: TenantSession;
  let viewer: TenantSession;
  let other: TenantSession;
  const seen: Seen[] = [];

  /** Every request of this suite goes through here so the final check sees all responses. */
  async function http<T = any>(method: string, url: string, o: HttpOptions = {}): Promise<HttpResult<T>> {
    const r = await rawHttp<T>(method, url, o);
    seen.push({ method, url, status: r.status, text: r.text });
    return r;
  }
  async function gql(query: string, variables?: Record<string, unknown>, o: HttpOptions = {}) {
    return http('POST', `${t.url}/graphql`, { ...o, body: { query, variables } });
  }

  /** 422 with the reference backend's list shape; returns the issues. */
  function expect422(r: HttpResult, ctx = ''): { loc: (string | number)[]; msg: string; type: string }[] {
    const msg = `${ctx} -> ${r.status} ${r.text.slice(0, 400)}`;
    expect(r.status, msg).toBe(422);
    expect(Array.isArray(r.body?.detail), msg).toBe(true);
    expect(r.body.detail.length, msg).toBeGreaterThan(0);
    for (const i of r.body.detail) {
      expect(Array.isArray(i.loc), msg).toBe(true);
      expect(typeof i.msg, msg).toBe('string');
      expect(typeof i.type, msg).toBe('string');
    }
    return r.body.detail;
  }

  function expectDetail(r: HttpResult, status: number, ctx = ''): string {
    const msg = `${ctx} -> ${r.status} ${r.text.slice(0, 400)}`;
    expect(r.status, msg).toBe(status);
    expect(typeof r.body?.detail, msg).toBe('string');
    expect(r.body.detail.length, msg).toBeGreaterThan(0);
    return r.body.detail;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerTenant(t.api, 'bad-input');
    viewer = await createUserSession(t.api, admin, 'viewer');
    other = await registerTenant(t.api, 'other');
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('REST bodies', () => {
    it('malformed JSON: 400 {detail} (public and authenticated rows)', async () => {
      for (const raw of ['{"email": "a@b.co", "password": ', '{email: 1}', "{'a': 1}", '{"a": 1}}', '\u0000\u0001']) {
        const r = await http('POST', `${t.api}/auth/login`, { raw });
        expectDetail(r, 400, `login raw ${JSON.stringify(raw)}`);
      }
      const r = await http('POST', `${t.api}/users`, { token: admin.token, raw: '{"email": "x@y.co",' });
      expect(r.body).toEqual({ detail: expect.any(String) });
      expect(r.status).toBe(400);
    });

    it('JSON of the wrong type (array, string, number, null): 422 list', async () => {
      for (const raw of ['[]', '[{"email":"a@b.co"}]', '"hello"', '42', 'null', 'true']) {
        const r = await http('POST', `${t.api}/auth/login`, { raw });
        const issues = expect422(r, `login body ${raw}`);
        expect(issues[0]!.loc[0]).toBe('body');
      }
      const r = await http('POST', `${t.api}/users`, { token: admin.token, raw: '["x"]' });
      expect(expect422(r, 'users array')[0]!.loc).toEqual(['body']);
    });

    it('missing body and missing fields: 422 type "missing" per field', async () => {
      const none = await http('POST', `${t.api}/auth/register`, {});
      expect422(none, 'register without body');
      const empty = await http('POST', `${t.api}/auth/register`, { body: {} });
      const issues = expect422(empty, 'register {}');
      for (const f of ['email', 'password', 'full_name', 'tenant_name']) {
        expect(issues).toContainEqual({ loc: ['body', f], msg: expect.any(String), type: 'missing' });
      }
      const partial = await http('POST', `${t.api}/users`, { token: admin.token, body: { email: 'p@example.com' } });
      const pIssues = expect422(partial, 'users partial');
      expect(pIssues.map((i) => i.loc)).toEqual(expect.arrayContaining([['body', 'full_name'], ['body', 'password']]));
      expect(pIssues.every((i) => i.type === 'missing')).toBe(true);
    });

    it('wrong field types: 422 naming the field and the expected type', async () => {
      const r = await http('POST', `${t.api}/auth/login`, { body: { email: 123, password: ['x'] } });
      const issues = expect422(r, 'login wrong types');
      expect(issues).toContainEqual({ loc: ['body', 'email'], msg: expect.any(String), type: 'string_type' });
      expect(issues).toContainEqual({ loc: ['body', 'password'], msg: expect.any(String), type: 'string_type' });
      const key = await http('POST', `${t.api}/settings/api-keys`, { token: admin.token, body: { name: { a: 1 }, scopes: 7, expires_at: 'tomorrow' } });
      const kIssues = expect422(key, 'api key wrong types');
      expect(kIssues.map((i) => i.loc)).toEqual(expect.arrayContaining([['body', 'name'], ['body', 'expires_at']]));
      const user = await http('PATCH', `${t.api}/users/${viewer.userId}`, { token: admin.token, body: { is_active: 'no', role: 'superuser' } });
      const uIssues = expect422(user, 'patch user wrong types');
      expect(uIssues).toContainEqual({ loc: ['body', 'is_active'], msg: expect.any(String), type: 'boolean_type' });
      expect(uIssues).toContainEqual({ loc: ['body', 'role'], msg: expect.any(String), type: 'enum' });
      // nothing changed
      const after = await http('GET', `${t.api}/users/${viewer.userId}`, { token: admin.token });
      expect(after.body).toMatchObject({ role: 'viewer', is_active: true });
    });

    it('unknown fields are ignored and never stored (no privilege or tenant injection)', async () => {
      // register: extras like role/tenant_id/is_active do not pick the tenant or anything else
      const email = `inject-${randomUUID().slice(0, 8)}@example.com`;
      const reg = await http('POST', `${t.api}/auth/register`, {
        body: { email, password: STRONG_PASSWORD, full_name: 'Inject', tenant_name: 'Inject Plant', role: 'viewer', tenant_id: other.tenantId, is_active: false, mfa_enabled: true, id: randomUUID() },
      });
      expect(reg.status, reg.text).toBe(201);
      const me = await http('GET', `${t.api}/auth/me`, { token: reg.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body.tenant_id).not.toBe(other.tenantId);
      expect(me.body).toMatchObject({ email, role: 'admin', is_active: true, mfa_enabled: false });

      // admin creating a user: tenant_id / id / is_active extras are ignored
      const forcedId = randomUUID();
      const cu = await http('POST', `${t.api}/users`, {
        token: admin.token,
        body: { email: `x-${randomUUID().slice(0, 8)}@example.com`, full_name: 'X', role: 'viewer', password: STRONG_PASSWORD, tenant_id: other.tenantId, id: forcedId, is_active: false },
      });
      expect(cu.status, cu.text).toBe(201);
      expect(cu.body).toMatchObject({ tenant_id: admin.tenantId, is_active: true, role: 'viewer' });
      expect(cu.body.id).not.toBe(forcedId);
      const otherUsers = await http('GET', `${t.api}/users?page_size=100`, { token: other.token });
      expect(otherUsers.body.items.map((u: { email: string }) => u.email)).not.toContain(cu.body.email);

      // a viewer cannot promote themself through their profile
      const prof = await http('PATCH', `${t.api}/settings/profile`, { token: viewer.token, body: { full_name: 'Still Viewer', role: 'admin', tenant_id: other.tenantId, is_active: false } });
      expect(prof.status, prof.text).toBe(200);
      expect(prof.body).toMatchObject({ full_name: 'Still Viewer', role: 'viewer', tenant_id: admin.tenantId, is_active: true });
      const vme = await http('GET', `${t.api}/auth/me`, { token: viewer.token });
      expect(vme.body).toMatchObject({ role: 'viewer', tenant_id: admin.tenantId });

      // an API key created with a tenant_id extra lands in the caller's tenant
      const key = await http('POST', `${t.api}/settings/api-keys`, { token: admin.token, body: { name: 'k', scopes: ['ingest'], tenant_id: other.tenantId, key_prefix: 'hk_evil' } });
      expect(key.status, key.text).toBe(201);
      expect(key.body.tenant_id).toBe(admin.tenantId);
      expect(key.body.key_prefix).not.toBe('hk_evil');
    });

    it('huge values: 1 MB+ field is 413 over BODY_LIMIT_BYTES, a 10 KB name is 422', async () => {
      const limit = t.app.container.config.bodyLimitBytes;
      const huge = 'a'.repeat(limit + 1024);
      const r = await http('POST', `${t.api}/auth/register`, { body: { email: 'h@example.com', password: STRONG_PASSWORD, full_name: huge, tenant_name: 'x' } });
      expectDetail(r, 413, '1 MB+ full_name');
      const r2 = await http('POST', `${t.api}/users`, { token: admin.token, body: { email: 'h2@example.com', password: STRONG_PASSWORD, full_name: huge, role: 'viewer' } });
      expectDetail(r2, 413, '1 MB+ full_name (authenticated)');

      const tenKb = 'N'.repeat(10 * 1024);
      const n = await http('POST', `${t.api}/users`, { token: admin.token, body: { email: `n-${randomUUID().slice(0, 8)}@example.com`, password: STRONG_PASSWORD, full_name: tenKb, role: 'viewer' } });
      expect(expect422(n, '10 KB name')).toContainEqual({ loc: ['body', 'full_name'], msg: expect.any(String), type: 'string_too_long' });
      const k = await http('POST', `${t.api}/settings/api-keys`, { token: admin.token, body: { name: tenKb } });
      expect(expect422(k, '10 KB key name')[0]!.loc).toEqual(['body', 'name']);
      const pw = await http('POST', `${t.api}/auth/login`, { body: { email: 'x@example.com', password: 'p'.repeat(100_000) } });
      expect([401, 422], pw.text).toContain(pw.status);
    });

    it('oversized body of any shape: 413 {detail}', async () => {
      const limit = t.app.container.config.bodyLimitBytes;
      const items = Array.from({ length: Math.ceil(limit / 10) + 10 }, (_, i) => `item-${i}`);
      const r = await http('POST', `${t.api}/settings/api-keys`, { token: admin.token, body: { name: 'big', scopes: items } });
      expectDetail(r, 413, 'oversized array body');
      const anon = await http('POST', `${t.api}/auth/login`, { raw: `{"email":"${'e'.repeat(limit * 2)}"}` });
      expectDetail(anon, 413, 'oversized anonymous body');
    });
  });

  describe('REST paths, methods and query strings', () => {
    it('invalid UUIDs in paths: 422 with loc [path, param]', async () => {
      for (const bad of ['abc', '123', `${randomUUID()}x`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', "1' or '1'='1"]) {
        const r = await http('GET', `${t.api}/users/${encodeURIComponent(bad)}`, { token: admin.token });
        expect(expect422(r, `user id ${bad}`)[0]!.loc).toEqual(['path', 'user_id']);
        const d = await http('DELETE', `${t.api}/settings/api-keys/${encodeURIComponent(bad)}`, { token: admin.token });
        expect(expect422(d, `key id ${bad}`)[0]!.loc).toEqual(['path', 'key_id']);
      }
    });

    it('unknown routes: 404 {"detail":"Not Found"}, with and without credentials', async () => {
      for (const [method, path] of [
        ['GET', '/api/v1/nope'],
        ['POST', '/api/v1/users/x/y/z'],
        ['GET', '/api/v2/users'],
        ['GET', '/nothing-here'],
        ['DELETE', '/api/v1'],
      ] as const) {
        const anon = await http(method, `${t.url}${path}`);
        expect(anon.status, `${method} ${path}`).toBe(404);
        expect(anon.body).toEqual({ detail: 'Not Found' });
        const authed = await http(method, `${t.url}${path}`, { token: admin.token });
        expect(authed.status).toBe(404);
        expect(authed.body).toEqual({ detail: 'Not Found' });
      }
    });

    it('wrong method on a known path: 405 {detail} with an Allow header', async () => {
      const cases: [string, string, string[]][] = [
        ['PUT', '/users', ['GET', 'POST']],
        ['DELETE', '/auth/me', ['GET']],
        ['GET', '/auth/login', ['POST']],
        ['POST', `/settings/api-keys/${randomUUID()}`, ['DELETE']],
        ['PUT', `/users/${randomUUID()}`, ['GET', 'PATCH']],
      ];
      for (const [method, path, allowed] of cases) {
        for (const token of [undefined, admin.token]) {
          const r = await http(method, `${t.api}${path}`, { token });
          const msg = `${method} ${path} -> ${r.status} ${r.text}`;
          expect(r.status, msg).toBe(405);
          expect(typeof r.body.detail, msg).toBe('string');
          const allow = (r.headers.get('allow') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
          expect(allow.sort(), msg).toEqual([...allowed].sort());
        }
      }
    });

    it('bad pagination: page=abc, page=0, page=-1, page_size=0, page_size=101 are 422 on query', async () => {
      for (const qs of ['page=abc', 'page=0', 'page=-1', 'page=1.5', 'page_size=101', 'page_size=0', 'page_size=x', 'page=99999999999999999999']) {
        for (const path of ['/users', '/settings/api-keys', '/audit']) {
          const r = await http('GET', `${t.api}${path}?${qs}`, { token: admin.token });
          const issues = expect422(r, `${path}?${qs}`);
          expect(issues[0]!.loc[0]).toBe('query');
          expect(['page', 'page_size']).toContain(issues[0]!.loc[1]);
        }
      }
      const ok = await http('GET', `${t.api}/users?page=1&page_size=100`, { token: admin.token });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ page: 1, page_size: 100 });
      const audit = await http('GET', `${t.api}/audit?user_id=not-a-uuid&from=yesterday`, { token: admin.token });
      expect(expect422(audit, 'audit filters').map((i) => i.loc)).toEqual(expect.arrayContaining([['query', 'user_id'], ['query', 'from']]));
    });
  });

  describe('REST credentials', () => {
    let secret: string;
    let issuer: string;
    beforeAll(() => {
      secret = t.app.container.config.jwt.secret!;
      issuer = t.app.container.config.jwt.issuer;
      expect(secret).toBeTruthy();
    });

    const claimsOf = (s: TenantSession) => ({ tid: s.tenantId, role: 'admin', kind: 'access' });

    it('a token crafted with the right secret works (control), so the failures below are about one defect each', async () => {
      const now = Math.floor(Date.now() / 1000);
      const good = await new SignJWT(claimsOf(admin))
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(issuer).setSubject(admin.userId).setJti(randomUUID()).setIssuedAt(now).setExpirationTime(now + 300)
        .sign(new TextEncoder().encode(secret));
      const r = await http('GET', `${t.api}/auth/me`, { token: good });
      expect(r.status, r.text).toBe(200);
      expect(r.body.id).toBe(admin.userId);
    });

    it('expired access token (TokenSigner with a 1 s TTL): 401 "Token has expired"', async () => {
      const signer = new TokenSigner({ secret, issuer, accessTtlSec: 1, refreshTtlSec: 60, mfaPendingTtlSec: 60 });
      const { token } = await signer.sign('access', { sub: admin.userId, tid: admin.tenantId, role: 'admin' });
      const before = await http('GET', `${t.api}/auth/me`, { token });
      expect(before.status, before.text).toBe(200);
      await new Promise((r) => setTimeout(r, 2100));
      const r = await http('GET', `${t.api}/auth/me`, { token });
      expect(expectDetail(r, 401, 'expired')).toMatch(/expired/i);
    });

    it('forged, alg:none, garbage, empty and wrong-kind tokens: 401 {detail} each', async () => {
      const now = Math.floor(Date.now() / 1000);
      const payload = { ...claimsOf(admin), iss: issuer, sub: admin.userId, jti: randomUUID(), iat: now, exp: now + 300 };
      const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode('another-secret-'.padEnd(48, 'y')));
      const none = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}.`;
      const hs512Input = `${b64url(JSON.stringify({ alg: 'HS512', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
      const hs512 = `${hs512Input}.${createHmac('sha512', secret).update(hs512Input).digest('base64url')}`;
      const [head, body] = admin.token.split('.');
      const tampered = `${head}.${b64url(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), role: 'admin', tid: other.tenantId }))}.${admin.token.split('.')[2]}`;
      const headers: [string, Record<string, string>][] = [
        ['forged signature', { authorization: `Bearer ${forged}` }],
        ['alg none', { authorization: `Bearer ${none}` }],
        ['HS512 with the right secret', { authorization: `Bearer ${hs512}` }],
        ['tampered payload', { authorization: `Bearer ${tampered}` }],
        ['garbage bearer', { authorization: 'Bearer garbage' }],
        ['garbage dotted', { authorization: 'Bearer abc.def.ghi' }],
        ['Bearer without token', { authorization: 'Bearer' }],
        ['Bearer and spaces', { authorization: 'Bearer    ' }],
        ['Basic scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
        ['empty authorization', { authorization: '' }],
        ['refresh token as access token', { authorization: `Bearer ${admin.refreshToken}` }],
        ['garbage API key', { 'x-api-key': 'hk_nope' }],
        ['huge API key', { 'x-api-key': 'k'.repeat(5000) }],
      ];
      for (const [label, h] of headers) {
        const r = await http('GET', `${t.api}/auth/me`, { headers: h });
        expectDetail(r, 401, label);
        const g = await gql('{ me { id } }', undefined, { headers: h });
        expect(g.body?.errors?.[0]?.extensions?.code, `${label} (graphql): ${g.text}`).toBe('UNAUTHENTICATED');
      }
    });

    it('a public route still works with a broken token attached', async () => {
      const r = await http('POST', `${t.api}/auth/login`, { token: 'garbage', body: { email: admin.email, password: admin.password } });
      expect(r.status, r.text).toBe(200);
    });
  });

  describe('GraphQL', () => {
    const codeOf = (r: HttpResult) => r.body?.errors?.[0]?.extensions?.code as string | undefined;

    it('syntax error: 400 with errors (GRAPHQL_PARSE_FAILED)', async () => {
      for (const q of ['{ users {', 'query {', '}}}', 'mutation { createUser(input: { email: ) { id } }']) {
        const r = await gql(q, undefined, { token: admin.token });
        expect(r.status, `${q}: ${r.text}`).toBe(400);
        expect(r.body.errors?.length).toBeGreaterThan(0);
        expect(codeOf(r)).toBe('GRAPHQL_PARSE_FAILED');
      }
    });

    it('unknown fields and missing query: 400 with errors', async () => {
      const r = await gql('{ users { nope } }', undefined, { token: admin.token });
      expect(r.status).toBe(400);
      expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
      const empty = await http('POST', `${t.url}/graphql`, { token: admin.token, body: {} });
      expect(empty.status, empty.text).toBe(400);
      const bad = await http('POST', `${t.url}/graphql`, { token: admin.token, body: { query: 42 } });
      expect(bad.status, bad.text).toBe(400);
    });

    it('wrong variable types: errors with BAD_USER_INPUT, no data', async () => {
      const cases: [string, Record<string, unknown>][] = [
        ['query($p: Int) { users(page: $p) { total } }', { p: 'abc' }],
        ['query($p: Int) { users(pageSize: $p) { total } }', { p: 1.5 }],
        ['mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { email: 5 } }],
        ['mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: null }],
        ['mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id } }', { i: { name: 'k', expiresAt: 'not a date' } }],
        ['mutation($id: ID!) { revokeApiKey(id: $id) }', { id: { nested: true } }],
      ];
      for (const [q, v] of cases) {
        const r = await gql(q, v, { token: admin.token });
        const msg = `${q} ${JSON.stringify(v)} -> ${r.status} ${r.text}`;
        expect(r.status, msg).toBe(400);
        expect(codeOf(r), msg).toBe('BAD_USER_INPUT');
      }
    });

    it('domain validation: BAD_USER_INPUT with issues, never INTERNAL_SERVER_ERROR', async () => {
      const cases: [string, Record<string, unknown>?][] = [
        ['{ users(pageSize: 101) { total } }'],
        ['{ users(page: 0) { total } }'],
        ['{ auditEvents(userId: "not-a-uuid") { total } }'],
        ['{ auditEvents(action: "' + 'a'.repeat(200) + '") { total } }'],
        ['mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { email: 'not-an-email', fullName: 'x', role: 'viewer', password: STRONG_PASSWORD } }],
        ['mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { email: 'ok@example.com', fullName: 'x', role: 'root', password: STRONG_PASSWORD } }],
        ['mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { email: 'ok2@example.com', fullName: 'N'.repeat(10_000), role: 'viewer', password: STRONG_PASSWORD } }],
        ['mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id } }', { i: { name: 'k', scopes: ['root'] } }],
      ];
      for (const [q, v] of cases) {
        const r = await gql(q, v, { token: admin.token });
        const msg = `${q.slice(0, 80)} -> ${r.status} ${r.text.slice(0, 400)}`;
        expect(r.status, msg).not.toBe(500);
        expect(codeOf(r), msg).toBe('BAD_USER_INPUT');
        expect(r.body.data?.users ?? r.body.data?.createUser ?? r.body.data?.createApiKey ?? r.body.data?.auditEvents ?? null, msg).toBeNull();
      }
    });

    it('an over-long audit filter is BAD_USER_INPUT naming the field, as REST answers 422', async () => {
      for (const arg of ['resourceId', 'action', 'resourceType']) {
        const r = await gql(`{ auditEvents(${arg}: "${'r'.repeat(500)}") { total } }`, undefined, { token: admin.token });
        expect(r.status, r.text).not.toBe(500);
        expect(codeOf(r), r.text).toBe('BAD_USER_INPUT');
        expect(r.body.data?.auditEvents ?? null).toBeNull();
      }
      const rest = await http('GET', `${t.api}/audit?resource_id=${'r'.repeat(101)}`, { token: admin.token });
      expect(rest.status, rest.text).toBe(422);
      const fits = await gql(`{ auditEvents(resourceId: "${'r'.repeat(100)}") { total } }`, undefined, { token: admin.token });
      expect(fits.body.errors, fits.text).toBeUndefined();
      expect(fits.body.data.auditEvents.total).toBe(0);
    });

    it('ids that are not UUIDs: NOT_FOUND, not a database error', async () => {
      for (const q of ['{ user(id: "abc") { id } }', 'mutation { revokeApiKey(id: "abc") }', 'mutation { updateUser(id: "1 or 1=1", input: { fullName: "x" }) { id } }']) {
        const r = await gql(q, undefined, { token: admin.token });
        expect(codeOf(r), `${q}: ${r.text}`).toBe('NOT_FOUND');
      }
    });

    it('malformed JSON and oversized bodies on /graphql: 400 / 413, no 500', async () => {
      const r = await http('POST', `${t.url}/graphql`, { token: admin.token, raw: '{"query": "{ me { id } }"' });
      expect(r.status, r.text).toBe(400);
      const limit = t.app.container.config.bodyLimitBytes;
      const big = await gql(`{ me { id } } # ${'x'.repeat(limit)}`, undefined, { token: admin.token });
      expect(big.status, big.text.slice(0, 200)).toBe(413);
    });
  });

  it('after the barrage: the server still serves, and no response was a 500 or carried a stack trace', async () => {
    const health = await rawHttp('GET', `${t.url}/healthz`);
    expect(health.status).toBe(200);
    const login = await rawHttp('POST', `${t.api}/auth/login`, { body: { email: admin.email, password: admin.password } });
    expect(login.status, login.text).toBe(200);
    const me = await rawHttp('GET', `${t.api}/auth/me`, { token: login.body.access_token });
    expect(me.status).toBe(200);

    expect(seen.length).toBeGreaterThan(100);
    const fivexx = seen.filter((s) => s.status >= 500);
    expect(fivexx.map((s) => `${s.method} ${s.url} -> ${s.status} ${s.text.slice(0, 200)}`)).toEqual([]);
    const masked = seen.filter((s) => s.text.includes('INTERNAL_SERVER_ERROR'));
    expect(masked.map((s) => `${s.method} ${s.url} -> ${s.status} ${s.text.slice(0, 200)}`)).toEqual([]);
    const leaky = seen.filter((s) => /stack/i.test(s.text) || STACK_LINE.test(s.text));
    expect(leaky.map((s) => `${s.method} ${s.url} -> ${s.status} ${s.text.slice(0, 300)}`)).toEqual([]);
  });
});
