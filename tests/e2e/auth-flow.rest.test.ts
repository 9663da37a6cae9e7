import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyOf } from '../../src/auth/access.js';
import { totpCode } from '../../src/auth/totp.js';
import { ROUTES } from '../../rest/routes.js';
import {
  createApiKey,
  createUserSession,
  http,
  registerTenant,
  startTestApp,
  STRONG_PASSWORD,
  type HttpResult,
  type TenantSession,
  type TestApp,
} from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { successiveCodes, wrongCode } from '../helpers/totp.js';

const pgSvc = await probeService('postgres');

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The refresh_token Set-Cookie header of a response (undefined when none was set). */
function refreshSetCookie(res: HttpResult): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith('refresh_token='));
}
function cookieValue(setCookie: string): string {
  return decodeURIComponent(setCookie.slice('refresh_token='.length).split(';')[0]!);
}


/** Every non-public REST row, with path parameters filled with a random UUID. */
const PROTECTED = ROUTES.filter((r) => policyOf(r.resolver, r.operation)?.kind !== 'public').map((r) => ({
  method: r.method,
  path: r.path.replace(/\{\w+\}/g, randomUUID()),
}));

describe.skipIf(pgSvc.skip)(`auth flow over REST${pgSvc.label}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const login = (email: string, password: string) => http('POST', `${t.api}/auth/login`, { body: { email, password } });
  const me = (token: string) => http('GET', `${t.api}/auth/me`, { token });

  /** Asserts that a token is refused (401 with a detail string) by every protected endpoint. */
  async function expectTokenDead(token: string) {
    expect(PROTECTED.length).toBeGreaterThanOrEqual(10);
    for (const r of PROTECTED) {
      const res = await http(r.method, `${t.api}${r.path}`, { token, body: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(typeof res.body.detail, `${r.method} ${r.path}`).toBe('string');
    }
  }

  describe('register', () => {
    it('creates a tenant and returns a bearer token (plus the refresh cookie)', async () => {
      const email = `reg-${randomUUID().slice(0, 8)}@example.com`;
      const res = await http('POST', `${t.api}/auth/register`, {
        body: { email, password: STRONG_PASSWORD, full_name: 'Jane Smith', tenant_name: 'Plant 1' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ token_type: 'bearer', mfa_required: false });
      expect(res.body.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const cookie = refreshSetCookie(res);
      expect(cookie).toBeDefined();
      expect(cookieValue(cookie!)).toBe(res.body.refresh_token);

      const m = await me(res.body.access_token);
      expect(m.status).toBe(200);
      expect(m.body).toMatchObject({ email, full_name: 'Jane Smith', role: 'admin', is_active: true, mfa_enabled: false });
    });

    it('refuses a duplicate e-mail, whatever its case, with 409', async () => {
      const s = await registerTenant(t.api, 'dup');
      const res = await http('POST', `${t.api}/auth/register`, {
        body: { email: `  ${s.email.toUpperCase()} `, password: STRONG_PASSWORD, full_name: 'Other', tenant_name: 'Other plant' },
      });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ detail: expect.any(String) });
      expect(res.body.detail).toMatch(/already/i);
    });

    it('refuses a weak password with 422 located at body.password', async () => {
      for (const password of ['short1A', 'alllowercase1', 'NoDigitsHere']) {
        const res = await http('POST', `${t.api}/auth/register`, {
          body: { email: `weak-${randomUUID().slice(0, 8)}@example.com`, password, full_name: 'W', tenant_name: 'W' },
        });
        expect(res.status, password).toBe(422);
        expect(Array.isArray(res.body.detail)).toBe(true);
        expect(res.body.detail[0].loc).toEqual(['body', 'password']);
        expect(typeof res.body.detail[0].msg).toBe('string');
        expect(typeof res.body.detail[0].type).toBe('string');
      }
    });

    it('reports missing fields and a malformed e-mail as 422 with their locations', async () => {
      const missing = await http('POST', `${t.api}/auth/register`, { body: { password: STRONG_PASSWORD } });
      expect(missing.status).toBe(422);
      const locs = missing.body.detail.map((d: { loc: string[] }) => d.loc.join('.'));
      expect(locs).toEqual(expect.arrayContaining(['body.email', 'body.full_name', 'body.tenant_name']));
      expect(missing.body.detail.find((d: { loc: string[] }) => d.loc[1] === 'email').type).toBe('missing');

      const bad = await http('POST', `${t.api}/auth/register`, {
        body: { email: 'not-an-email', password: STRONG_PASSWORD, full_name: 'X', tenant_name: 'X' },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.detail[0].loc).toEqual(['body', 'email']);
    });
  });

  describe('login and /auth/me', () => {
    it('logs in (case-insensitive e-mail) and returns the documented token shape', async () => {
      const s = await registerTenant(t.api, 'login');
      const res = await login(s.email.toUpperCase(), s.password);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'bearer', mfa_required: false, access_token: expect.any(String) });
      expect((await me(res.body.access_token)).body.id).toBe(s.userId);
    });

    it('wrong password and unknown e-mail give the same 401', async () => {
      const s = await registerTenant(t.api, 'badpw');
      const wrong = await login(s.email, 'Wr0ngPassword!');
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ detail: 'Incorrect email or password' });
      expect(refreshSetCookie(wrong)).toBeUndefined();
      const unknown = await login(`nobody-${randomUUID()}@example.com`, STRONG_PASSWORD);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual({ detail: 'Incorrect email or password' });
    });

    it('/auth/me returns every documented field', async () => {
      const s = await registerTenant(t.api, 'me');
      const res = await me(s.token);
      expect(res.status).toBe(200);
      for (const f of ['id', 'email', 'full_name', 'tenant_id', 'role', 'is_active', 'mfa_enabled', 'onboarding_completed', 'subscription_status', 'subscription_tier']) {
        expect(res.body, f).toHaveProperty(f);
      }
      expect(res.body).toMatchObject({ id: s.userId, email: s.email, tenant_id: s.tenantId, role: 'admin', is_active: true, mfa_enabled: false });
      expect(res.body.id).toMatch(UUID);
      expect(res.body.tenant_id).toMatch(UUID);
      expect(typeof res.body.onboarding_completed).toBe('boolean');
      expect(typeof res.body.subscription_status).toBe('string');
      expect(typeof res.body.subscription_tier).toBe('string');
    });

    it('/auth/me without or with a bad token is 401 with a detail', async () => {
      const none = await http('GET', `${t.api}/auth/me`);
      expect(none.status).toBe(401);
      expect(typeof none.body.detail).toBe('string');
      const bad = await me('not.a.jwt');
      expect(bad.status).toBe(401);
      expect(typeof bad.body.detail).toBe('string');
      const basic = await http('GET', `${t.api}/auth/me`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
      expect(basic.status).toBe(401);
    });
  });

  describe('API keys', () => {
    it('an admin creates a key: documented fields, hk_ + 40 base62, default scopes', async () => {
      const s = await registerTenant(t.api, 'key');
      const res = await http('POST', `${t.api}/settings/api-keys`, { token: s.token, body: { name: 'edge-agent-prod' } });
      expect(res.status).toBe(201);
      const k = res.body;
      expect(k).toMatchObject({ name: 'edge-agent-prod', tenant_id: s.tenantId, scopes: ['ingest', 'agent'], expires_at: null });
      expect(k.id).toMatch(UUID);
      expect(k.plaintext_key).toMatch(/^hk_[0-9A-Za-z]{40}$/);
      expect(k.key).toBe(k.plaintext_key);
      expect(typeof k.key_prefix).toBe('string');
      expect(k.key_prefix.startsWith('hk_')).toBe(true);
      expect(k.plaintext_key.startsWith(k.key_prefix)).toBe(true);
      expect(k.key_prefix.length).toBeLessThan(k.plaintext_key.length);
      expect(k.created_at).toMatch(ISO_UTC);

      const exp = new Date(Date.now() + 86_400_000);
      const withExp = await http('POST', `${t.api}/settings/api-keys`, { token: s.token, body: { name: 'x', expires_at: exp.toISOString() } });
      expect(withExp.status).toBe(201);
      expect(Date.parse(withExp.body.expires_at)).toBe(exp.getTime());
      expect(withExp.body.expires_at).toMatch(ISO_UTC);
    });

    it('presets expand, as a string and inside the list; unknown scopes are 422', async () => {
      const s = await registerTenant(t.api, 'preset');
      const make = (scopes: unknown) => http('POST', `${t.api}/settings/api-keys`, { token: s.token, body: { name: 'p', scopes } });
      expect((await make('edge_agent')).body.scopes).toEqual(['ingest', 'agent']);
      expect((await make('read_only')).body.scopes).toEqual(['read:machines', 'read:sensors']);
      expect((await make(['read_only'])).body.scopes).toEqual(['read:machines', 'read:sensors']);
      expect((await make(['edge_agent'])).body.scopes).toEqual(['ingest', 'agent']);
      expect((await make(['read:sensors'])).body.scopes).toEqual(['read:sensors']);
      const mixed = await make(['read_only', 'ingest']);
      expect(mixed.status).toBe(201);
      expect([...mixed.body.scopes].sort()).toEqual(['ingest', 'read:machines', 'read:sensors']);

      const unknown = await make(['ingest', 'write:everything']);
      expect(unknown.status).toBe(422);
      expect(unknown.body.detail[0].loc).toEqual(['body', 'scopes', 1]);
      const unknownPreset = await make('superuser');
      expect(unknownPreset.status).toBe(422);
      expect(unknownPreset.body.detail[0].loc[0]).toBe('body');
      expect((await make([])).status).toBe(422);
      // nothing was created by the refused calls
      const list = await http('GET', `${t.api}/settings/api-keys`, { token: s.token });
      expect(list.body.total).toBe(6);
    });

    it('rejects a missing name and an expiry in the past with 422', async () => {
      const s = await registerTenant(t.api, 'keyval');
      const noName = await http('POST', `${t.api}/settings/api-keys`, { token: s.token, body: {} });
      expect(noName.status).toBe(422);
      expect(noName.body.detail[0].loc).toEqual(['body', 'name']);
      const past = await http('POST', `${t.api}/settings/api-keys`, { token: s.token, body: { name: 'old', expires_at: '2020-01-01T00:00:00Z' } });
      expect(past.status).toBe(422);
      expect(past.body.detail[0].loc).toEqual(['body', 'expires_at']);
    });

    it('only admins create and revoke keys; any role lists them', async () => {
      const admin = await registerTenant(t.api, 'keyrole');
      const op = await createUserSession(t.api, admin, 'operator');
      const viewer = await createUserSession(t.api, admin, 'viewer');
      const { id } = await createApiKey(t.api, admin, 'edge_agent');
      for (const u of [op, viewer]) {
        const c = await http('POST', `${t.api}/settings/api-keys`, { token: u.token, body: { name: 'nope' } });
        expect(c.status).toBe(403);
        expect(c.body).toEqual({ detail: 'Forbidden (insufficient role)' });
        const d = await http('DELETE', `${t.api}/settings/api-keys/${id}`, { token: u.token });
        expect(d.status).toBe(403);
        const l = await http('GET', `${t.api}/settings/api-keys`, { token: u.token });
        expect(l.status).toBe(200);
        expect(l.body.items.map((k: { id: string }) => k.id)).toEqual([id]);
      }
    });

    it('the list shows prefix and metadata only, and last_used_at once the key is used', async () => {
      const s = await registerTenant(t.api, 'keylist');
      const created = await http('POST', `${t.api}/settings/api-keys`, { token: s.token, body: { name: 'agent', scopes: 'edge_agent' } });
      const plaintext: string = created.body.plaintext_key;
      const list = await http('GET', `${t.api}/settings/api-keys`, { token: s.token });
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ total: 1, page: 1, page_size: 20, total_pages: 1 });
      expect(list.text).not.toContain(plaintext);
      expect(list.text).not.toContain(plaintext.slice(created.body.key_prefix.length));
      const item = list.body.items[0];
      expect(item).toMatchObject({ id: created.body.id, name: 'agent', key_prefix: created.body.key_prefix, scopes: ['ingest', 'agent'], tenant_id: s.tenantId, last_used_at: null });
      expect(item).not.toHaveProperty('key');
      expect(item).not.toHaveProperty('plaintext_key');
      expect(Object.keys(item).some((k) => /hash|secret/i.test(k))).toBe(false);

      // any authenticated use counts, even one the key may not perform
      const used = await http('GET', `${t.api}/auth/me`, { apiKey: plaintext });
      expect(used.status).toBe(403);
      const after = await http('GET', `${t.api}/settings/api-keys`, { token: s.token });
      const lastUsed = after.body.items[0].last_used_at;
      expect(lastUsed).toMatch(ISO_UTC);
      expect(Math.abs(Date.parse(lastUsed) - Date.now())).toBeLessThan(60_000);
      expect(after.text).not.toContain(plaintext);
    });

    it('a valid key on user-only endpoints gets 403; a bad key 401; a revoked key 401', async () => {
      const s = await registerTenant(t.api, 'keyuse');
      const { id, key } = await createApiKey(t.api, s, ['ingest', 'agent', 'read:machines', 'read:sensors']);
      for (const path of ['/settings/api-keys', '/auth/me', '/audit', '/users']) {
        const r = await http('GET', `${t.api}${path}`, { apiKey: key });
        expect(r.status, path).toBe(403);
        expect(r.body, path).toEqual({ detail: 'This endpoint requires a user token; API keys are not accepted' });
      }
      const create = await http('POST', `${t.api}/settings/api-keys`, { apiKey: key, body: { name: 'escalate' } });
      expect(create.status).toBe(403);

      const bad = await http('GET', `${t.api}/auth/me`, { apiKey: `hk_${'A'.repeat(40)}` });
      expect(bad.status).toBe(401);
      expect(bad.body).toEqual({ detail: 'Invalid API key' });
      expect((await http('GET', `${t.api}/auth/me`, { apiKey: key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a') })).status).toBe(401);

      const del = await http('DELETE', `${t.api}/settings/api-keys/${id}`, { token: s.token });
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      const revoked = await http('GET', `${t.api}/auth/me`, { apiKey: key });
      expect(revoked.status).toBe(401);
      expect(revoked.body).toEqual({ detail: 'Invalid API key' });
      expect((await http('DELETE', `${t.api}/settings/api-keys/${id}`, { token: s.token })).status).toBe(404);
      const list = await http('GET', `${t.api}/settings/api-keys`, { token: s.token });
      expect(list.body.total).toBe(0);
    });

    it("another tenant's key cannot be revoked (404) and keeps working", async () => {
      const a = await registerTenant(t.api, 'keya');
      const b = await registerTenant(t.api, 'keyb');
      const { id, key } = await createApiKey(t.api, a, 'edge_agent');
      const del = await http('DELETE', `${t.api}/settings/api-keys/${id}`, { token: b.token });
      expect(del.status).toBe(404);
      expect(del.body).toEqual({ detail: expect.any(String) });
      expect((await http('GET', `${t.api}/settings/api-keys`, { token: b.token })).body.total).toBe(0);
      expect((await http('GET', `${t.api}/auth/me`, { apiKey: key })).status).toBe(403);
      expect((await http('DELETE', `${t.api}/settings/api-keys/not-a-uuid`, { token: a.token })).status).toBe(422);
    });

    it('an expired key is 401', async () => {
      const s = await registerTenant(t.api, 'keyexp');
      const expiresAt = new Date(Date.now() + 3_000);
      const created = await http('POST', `${t.api}/settings/api-keys`, { token: s.token, body: { name: 'short', expires_at: expiresAt.toISOString() } });
      expect(created.status).toBe(201);
      const key: string = created.body.plaintext_key;
      // still valid: authenticated, only refused for lack of a user token
      expect((await http('GET', `${t.api}/auth/me`, { apiKey: key })).status).toBe(403);
      await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 300);
      const expired = await http('GET', `${t.api}/auth/me`, { apiKey: key });
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual({ detail: 'API key has expired' });
    });
  });

  describe('refresh', () => {
    it('login sets an HttpOnly, path-scoped, SameSite refresh cookie that /auth/refresh accepts', async () => {
      const s = await registerTenant(t.api, 'cookie');
      const res = await login(s.email, s.password);
      const sc = refreshSetCookie(res);
      expect(sc).toBeDefined();
      expect(sc).toMatch(/;\s*HttpOnly/i);
      expect(sc).toMatch(/;\s*Path=\/api\/v1\/auth/i);
      expect(sc).toMatch(/;\s*SameSite=(Strict|Lax)/i);
      expect(sc).toMatch(/;\s*Max-Age=\d+/i);
      const cookie = cookieValue(sc!);
      expect(cookie).toBe(res.body.refresh_token);

      const r = await http('POST', `${t.api}/auth/refresh`, { headers: { cookie: `other=1; refresh_token=${encodeURIComponent(cookie)}` } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ token_type: 'bearer', mfa_required: false });
      expect(r.body.access_token).not.toBe(res.body.access_token);
      const rotated = refreshSetCookie(r);
      expect(rotated).toBeDefined();
      expect(cookieValue(rotated!)).not.toBe(cookie);
      expect(cookieValue(rotated!)).toBe(r.body.refresh_token);
      expect((await me(r.body.access_token)).body.id).toBe(s.userId);
    });

    it('accepts the refresh token in the body too', async () => {
      const s = await registerTenant(t.api, 'rbody');
      const r = await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: s.refreshToken } });
      expect(r.status).toBe(200);
      expect(r.body.refresh_token).toEqual(expect.any(String));
      expect(r.body.refresh_token).not.toBe(s.refreshToken);
      expect((await me(r.body.access_token)).status).toBe(200);
    });

    it('reusing a rotated refresh token is 401 and revokes the whole session', async () => {
      const s = await registerTenant(t.api, 'reuse');
      const r1 = s.refreshToken;
      const second = await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: r1 } });
      expect(second.status).toBe(200);
      const r2: string = second.body.refresh_token;
      const third = await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: r2 } });
      expect(third.status).toBe(200);
      const r3: string = third.body.refresh_token;
      expect((await me(third.body.access_token)).status).toBe(200);

      const replay = await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: r1 } });
      expect(replay.status).toBe(401);
      expect(typeof replay.body.detail).toBe('string');
      // the newest token of the family and its access token die with it
      const newest = await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: r3 } });
      expect(newest.status).toBe(401);
      expect((await me(third.body.access_token)).status).toBe(401);
      // a separate login is a separate session and is unaffected
      const fresh = await login(s.email, s.password);
      expect((await me(fresh.body.access_token)).status).toBe(200);
    });

    it('no token, a garbage token or an access token given as refresh token are 401', async () => {
      const s = await registerTenant(t.api, 'rbad');
      const none = await http('POST', `${t.api}/auth/refresh`);
      expect(none.status).toBe(401);
      expect(typeof none.body.detail).toBe('string');
      expect((await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: 'garbage' } })).status).toBe(401);
      expect((await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: s.token } })).status).toBe(401);
      // and a refresh token is no access token
      expect((await me(s.refreshToken)).status).toBe(401);
    });
  });

  describe('logout', () => {
    it('revokes the access token and the refresh token on every protected endpoint', async () => {
      const s = await registerTenant(t.api, 'logout');
      const other = await login(s.email, s.password);
      const res = await http('POST', `${t.api}/auth/logout`, { token: s.token, headers: { cookie: `refresh_token=${encodeURIComponent(s.refreshToken)}` } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ detail: expect.any(String) });
      const cleared = refreshSetCookie(res);
      expect(cleared).toBeDefined();
      expect(cleared).toMatch(/^refresh_token=;|Expires=Thu, 01 Jan 1970/i);

      await expectTokenDead(s.token);
      const viaBody = await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: s.refreshToken } });
      expect(viaBody.status).toBe(401);
      const viaCookie = await http('POST', `${t.api}/auth/refresh`, { headers: { cookie: `refresh_token=${encodeURIComponent(s.refreshToken)}` } });
      expect(viaCookie.status).toBe(401);
      // the user's other session is untouched
      expect((await me(other.body.access_token)).status).toBe(200);
    });

    it('with only the bearer token, the session of that token is ended as well', async () => {
      const s = await registerTenant(t.api, 'logout2');
      const res = await http('POST', `${t.api}/auth/logout`, { token: s.token });
      expect(res.status).toBe(200);
      expect((await me(s.token)).status).toBe(401);
      expect((await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: s.refreshToken } })).status).toBe(401);
      expect((await http('POST', `${t.api}/auth/logout`, { token: s.token })).status).toBe(401);
    });
  });

  describe('MFA', () => {
    async function enableMfa(s: TenantSession): Promise<string> {
      return (await enableMfaWithCodes(s)).secret;
    }
    /** Enables MFA with the previous step's code; returns the secret and the codes around it. */
    async function enableMfaWithCodes(s: TenantSession) {
      const setup = await http('POST', `${t.api}/auth/mfa/setup`, { token: s.token });
      expect(setup.status).toBe(200);
      const secret: string = setup.body.secret;
      expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
      expect(setup.body.otpauth_url).toMatch(/^otpauth:\/\/totp\//);
      expect(setup.body.otpauth_url).toContain(`secret=${secret}`);
      expect(setup.body.otpauth_url).toContain(encodeURIComponent(s.email));
      // the previous step's code, so the current and the next one are left for the test
      const codes = await successiveCodes(secret);
      const ok = await http('POST', `${t.api}/auth/mfa/verify-setup`, { token: s.token, body: { code: codes.previous } });
      expect(ok.status).toBe(200);
      expect(ok.body.mfa_enabled).toBe(true);
      return { secret, codes };
    }

    const verify = (pending: string, code: string) => http('POST', `${t.api}/auth/mfa/verify`, { body: { mfa_token: pending, code } });
    const pendingToken = async (s: TenantSession): Promise<string> => {
      const r = await login(s.email, s.password);
      expect(r.body.mfa_required).toBe(true);
      return r.body.access_token;
    };

    it('setup and verify-setup turn MFA on; it shows on /auth/me and in the audit trail', async () => {
      const s = await registerTenant(t.api, 'mfa');
      const setup = await http('POST', `${t.api}/auth/mfa/setup`, { token: s.token });
      const secret: string = setup.body.secret;
      const wrong = await http('POST', `${t.api}/auth/mfa/verify-setup`, { token: s.token, body: { code: wrongCode(secret) } });
      expect(wrong.status).toBe(422);
      expect(wrong.body.detail[0].loc).toEqual(['body', 'code']);
      expect((await http('POST', `${t.api}/auth/mfa/verify-setup`, { token: s.token, body: { code: 'abc' } })).status).toBe(422);
      expect((await me(s.token)).body.mfa_enabled).toBe(false);

      const ok = await http('POST', `${t.api}/auth/mfa/verify-setup`, { token: s.token, body: { code: totpCode(secret) } });
      expect(ok.status).toBe(200);
      expect(ok.body.mfa_enabled).toBe(true);
      expect((await me(s.token)).body.mfa_enabled).toBe(true);
      const audit = await http('GET', `${t.api}/audit?action=mfa_enabled`, { token: s.token });
      expect(audit.body.total).toBe(1);
      expect(audit.body.items[0]).toMatchObject({ action: 'mfa_enabled', resource_type: 'user', resource_id: s.userId, user_id: s.userId });
    });

    it('verify-setup before setup is refused', async () => {
      const s = await registerTenant(t.api, 'mfa0');
      const r = await http('POST', `${t.api}/auth/mfa/verify-setup`, { token: s.token, body: { code: '123456' } });
      expect([400, 422]).toContain(r.status);
      expect((await me(s.token)).body.mfa_enabled).toBe(false);
    });

    it('login then requires the second factor: a pending token that only /auth/mfa/verify accepts', async () => {
      const s = await registerTenant(t.api, 'mfalogin');
      const secret = await enableMfa(s);

      const first = await login(s.email, s.password);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ mfa_required: true, token_type: 'bearer' });
      expect(first.body.refresh_token).toBeUndefined();
      expect(refreshSetCookie(first)).toBeUndefined();
      const pending: string = first.body.access_token;
      const asBearer = await me(pending);
      expect(asBearer.status).toBe(401);
      expect((await http('GET', `${t.api}/settings/api-keys`, { token: pending })).status).toBe(401);
      expect((await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: pending } })).status).toBe(401);

      const wrong = await http('POST', `${t.api}/auth/mfa/verify`, { body: { mfa_token: pending, code: wrongCode(secret) } });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ detail: expect.any(String) });

      const done = await http('POST', `${t.api}/auth/mfa/verify`, { body: { mfa_token: pending, code: totpCode(secret) } });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ mfa_required: false, token_type: 'bearer', refresh_token: expect.any(String) });
      expect(refreshSetCookie(done)).toBeDefined();
      const m = await me(done.body.access_token);
      expect(m.status).toBe(200);
      expect(m.body).toMatchObject({ id: s.userId, mfa_enabled: true });

      // the pending token is single-use
      const again = await http('POST', `${t.api}/auth/mfa/verify`, { body: { mfa_token: pending, code: totpCode(secret) } });
      expect(again.status).toBe(401);
    });

    it('accepts the pending token as Bearer header with only {code}', async () => {
      const s = await registerTenant(t.api, 'mfabearer');
      const secret = await enableMfa(s);
      const pending: string = (await login(s.email, s.password)).body.access_token;
      const done = await http('POST', `${t.api}/auth/mfa/verify`, { token: pending, body: { code: totpCode(secret) } });
      expect(done.status).toBe(200);
      expect(done.body.mfa_required).toBe(false);
      expect((await me(done.body.access_token)).body.id).toBe(s.userId);
      const again = await http('POST', `${t.api}/auth/mfa/verify`, { token: pending, body: { code: totpCode(secret) } });
      expect(again.status).toBe(401);
    });

    it('a TOTP code completes one login only, even with a second pending token, and concurrent uses of one pending token yield one session', async () => {
      const s = await registerTenant(t.api, 'mfareplay');
      const secret = await enableMfa(s);
      const p1: string = (await login(s.email, s.password)).body.access_token;
      const p2: string = (await login(s.email, s.password)).body.access_token;
      const code = totpCode(secret);
      expect((await http('POST', `${t.api}/auth/mfa/verify`, { body: { mfa_token: p1, code } })).status).toBe(200);
      const replay = await http('POST', `${t.api}/auth/mfa/verify`, { body: { mfa_token: p2, code } });
      expect(replay.status).toBe(401);
      expect(replay.body).toEqual({ detail: 'Invalid MFA code' });

      const p3: string = (await login(s.email, s.password)).body.access_token;
      const nextCode = totpCode(secret, Date.now() + 30_000);
      const racing = await Promise.all(
        [0, 1, 2].map(() => http('POST', `${t.api}/auth/mfa/verify`, { body: { mfa_token: p3, code: nextCode } })),
      );
      expect(racing.map((r) => r.status).sort()).toEqual([200, 401, 401]);
      // an older step, never used for a login, is refused too once a newer one has been accepted
      const older = await verify(await pendingToken(s), code);
      expect(older.status).toBe(401);
      expect(older.body).toEqual({ detail: 'Invalid MFA code' });
    });

    it('the code that confirmed verify-setup cannot also complete a login', async () => {
      const s = await registerTenant(t.api, 'mfasetupreplay');
      const setup = await http('POST', `${t.api}/auth/mfa/setup`, { token: s.token });
      const codes = await successiveCodes(setup.body.secret);
      expect((await http('POST', `${t.api}/auth/mfa/verify-setup`, { token: s.token, body: { code: codes.current } })).status).toBe(200);
      const replay = await verify(await pendingToken(s), codes.current);
      expect(replay.status).toBe(401);
      expect(replay.body).toEqual({ detail: 'Invalid MFA code' });
      expect(refreshSetCookie(replay)).toBeUndefined();
      const next = await verify(await pendingToken(s), codes.next);
      expect(next.status, next.text).toBe(200);
      expect(next.body.mfa_required).toBe(false);
    });

    it('replacing an active factor needs current_password and a fresh code; the old factor stops, the confirming code cannot log in', async () => {
      const s = await registerTenant(t.api, 'mfareplace');
      const { secret: oldSecret, codes } = await enableMfaWithCodes(s);
      const setupWith = (body?: unknown) => http('POST', `${t.api}/auth/mfa/setup`, { token: s.token, body });
      const locOf = (r: HttpResult) => r.body.detail.map((d: { loc: string[] }) => d.loc.join('.'));

      // the access token alone no longer swaps the secret
      const bare = await setupWith();
      expect(bare.status).toBe(422);
      expect(locOf(bare)).toEqual(['body.current_password']);
      expect(bare.body.detail[0].type).toBe('missing');
      const noCode = await setupWith({ current_password: s.password });
      expect(noCode.status).toBe(422);
      expect(locOf(noCode)).toEqual(['body.code']);
      // a wrong password is refused before the code is looked at, so the code is not spent
      const badPassword = await setupWith({ current_password: 'Wr0ngPassword!', code: codes.current });
      expect(badPassword.status).toBe(422);
      expect(locOf(badPassword)).toEqual(['body.current_password']);
      const badCode = await setupWith({ current_password: s.password, code: wrongCode(oldSecret) });
      expect(badCode.status).toBe(422);
      expect(locOf(badCode)).toEqual(['body.code']);
      // the code that enabled MFA (previous step) is spent
      const spent = await setupWith({ current_password: s.password, code: codes.previous });
      expect(spent.status).toBe(422);
      expect(locOf(spent)).toEqual(['body.code']);
      expect((await me(s.token)).body.mfa_enabled).toBe(true);

      const replaced = await setupWith({ current_password: s.password, code: codes.current });
      expect(replaced.status, replaced.text).toBe(200);
      const newSecret: string = replaced.body.secret;
      expect(newSecret).not.toBe(oldSecret);
      // the same re-authentication code cannot be used twice
      const again = await setupWith({ current_password: s.password, code: codes.current });
      expect(again.status).toBe(422);
      expect(locOf(again)).toEqual(['body.code']);

      const newCodes = await successiveCodes(newSecret);
      const confirmed = await http('POST', `${t.api}/auth/mfa/verify-setup`, { token: s.token, body: { code: newCodes.current } });
      expect(confirmed.status, confirmed.text).toBe(200);
      const audit = await http('GET', `${t.api}/audit?action=mfa_enabled`, { token: s.token });
      expect(audit.body.items.map((e: { details: unknown }) => e.details)).toEqual([{ replaced: true }, {}]);

      expect((await verify(await pendingToken(s), totpCode(oldSecret, Date.now() + 30_000))).status).toBe(401);
      expect((await verify(await pendingToken(s), newCodes.current)).status).toBe(401);
      const done = await verify(await pendingToken(s), newCodes.next);
      expect(done.status, done.text).toBe(200);
    });

    it('POST /auth/mfa/disable needs current_password and a fresh code; then login is one step again', async () => {
      const s = await registerTenant(t.api, 'mfadisable');
      const notOn = await http('POST', `${t.api}/auth/mfa/disable`, { token: s.token, body: { current_password: s.password, code: '123456' } });
      expect(notOn.status).toBe(400);
      expect(notOn.body).toEqual({ detail: 'MFA is not enabled' });

      const { secret, codes } = await enableMfaWithCodes(s);
      const disable = (body: unknown) => http('POST', `${t.api}/auth/mfa/disable`, { token: s.token, body });
      const missing = await disable({});
      expect(missing.status).toBe(422);
      expect(missing.body.detail.map((d: { loc: string[] }) => d.loc.join('.')).sort()).toEqual(['body.code', 'body.current_password']);
      expect((await disable({ current_password: 'Wr0ngPassword!', code: codes.current })).status).toBe(422);
      expect((await disable({ current_password: s.password, code: wrongCode(secret) })).status).toBe(422);
      expect((await disable({ current_password: s.password, code: codes.previous })).status).toBe(422);
      expect((await disable({ current_password: s.password, code: 'abc' })).status).toBe(422);
      expect((await me(s.token)).body.mfa_enabled).toBe(true);
      expect((await login(s.email, s.password)).body.mfa_required).toBe(true);

      const off = await disable({ current_password: s.password, code: codes.current });
      expect(off.status, off.text).toBe(200);
      expect(off.body).toEqual({ mfa_enabled: false, detail: 'MFA disabled' });
      expect((await me(s.token)).body.mfa_enabled).toBe(false);
      const plain = await login(s.email, s.password);
      expect(plain.body).toMatchObject({ mfa_required: false, refresh_token: expect.any(String) });
      const audit = await http('GET', `${t.api}/audit?action=mfa_disabled`, { token: s.token });
      expect(audit.body.items).toEqual([expect.objectContaining({ action: 'mfa_disabled', resource_type: 'user', resource_id: s.userId, user_id: s.userId })]);
      // with MFA off, enrolment needs no re-authentication again
      expect((await http('POST', `${t.api}/auth/mfa/setup`, { token: s.token })).status).toBe(200);
    });

    it('refuses a full access token or garbage in place of the pending token', async () => {
      const s = await registerTenant(t.api, 'mfabad');
      const secret = await enableMfa(s);
      const withAccess = await http('POST', `${t.api}/auth/mfa/verify`, { body: { mfa_token: s.token, code: totpCode(secret) } });
      expect(withAccess.status).toBe(401);
      const garbage = await http('POST', `${t.api}/auth/mfa/verify`, { body: { mfa_token: 'x.y.z', code: totpCode(secret) } });
      expect(garbage.status).toBe(401);
      const noToken = await http('POST', `${t.api}/auth/mfa/verify`, { body: { code: totpCode(secret) } });
      expect(noToken.status).toBe(401);
    });
  });

  describe('users (admin)', () => {
    it('creates operators and viewers, lists them paginated and gets one', async () => {
      const admin = await registerTenant(t.api, 'users');
      const mk = (role: string, email = `${role}-${randomUUID().slice(0, 8)}@example.com`) =>
        http('POST', `${t.api}/users`, { token: admin.token, body: { email, full_name: `${role} user`, role, password: STRONG_PASSWORD } });
      const op = await mk('operator');
      expect(op.status).toBe(201);
      expect(op.body).toMatchObject({ tenant_id: admin.tenantId, role: 'operator', full_name: 'operator user', is_active: true, mfa_enabled: false });
      expect(op.body.id).toMatch(UUID);
      expect(op.body).not.toHaveProperty('password');
      expect(op.body).not.toHaveProperty('password_hash');
      const viewer = await mk('viewer');
      expect(viewer.status).toBe(201);
      expect(viewer.body.role).toBe('viewer');

      expect((await mk('operator', op.body.email.toUpperCase())).status).toBe(409);
      const badRole = await mk('superuser');
      expect(badRole.status).toBe(422);
      expect(badRole.body.detail[0].loc).toEqual(['body', 'role']);
      const weak = await http('POST', `${t.api}/users`, { token: admin.token, body: { email: `w-${randomUUID().slice(0, 8)}@example.com`, full_name: 'w', role: 'viewer', password: 'weak' } });
      expect(weak.status).toBe(422);
      expect(weak.body.detail[0].loc).toEqual(['body', 'password']);

      const list = await http('GET', `${t.api}/users`, { token: admin.token });
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ total: 3, page: 1, page_size: 20, total_pages: 1 });
      expect(list.body.items.map((u: { id: string }) => u.id).sort()).toEqual([admin.userId, op.body.id, viewer.body.id].sort());
      const p1 = await http('GET', `${t.api}/users?page_size=2`, { token: admin.token });
      expect(p1.body).toMatchObject({ total: 3, page: 1, page_size: 2, total_pages: 2 });
      expect(p1.body.items).toHaveLength(2);
      const p2 = await http('GET', `${t.api}/users?page_size=2&page=2`, { token: admin.token });
      expect(p2.body.items).toHaveLength(1);
      expect(new Set([...p1.body.items, ...p2.body.items].map((u: { id: string }) => u.id)).size).toBe(3);
      expect((await http('GET', `${t.api}/users?page_size=101`, { token: admin.token })).status).toBe(422);
      expect((await http('GET', `${t.api}/users?page=0`, { token: admin.token })).status).toBe(422);

      const one = await http('GET', `${t.api}/users/${op.body.id}`, { token: admin.token });
      expect(one.status).toBe(200);
      expect(one.body).toEqual(op.body);
      expect((await http('GET', `${t.api}/users/${randomUUID()}`, { token: admin.token })).status).toBe(404);
      const badId = await http('GET', `${t.api}/users/nope`, { token: admin.token });
      expect(badId.status).toBe(422);
      expect(badId.body.detail[0].loc).toEqual(['path', 'user_id']);
    });

    it('non-admins cannot manage users; other tenants are invisible (404)', async () => {
      const admin = await registerTenant(t.api, 'uperm');
      const op = await createUserSession(t.api, admin, 'operator');
      const other = await registerTenant(t.api, 'uother');
      for (const [m, p] of [['GET', '/users'], ['POST', '/users'], ['GET', `/users/${admin.userId}`], ['PATCH', `/users/${admin.userId}`]] as const) {
        const r = await http(m, `${t.api}${p}`, { token: op.token, body: m === 'GET' ? undefined : { role: 'viewer' } });
        expect(r.status, `${m} ${p}`).toBe(403);
        expect(r.body).toEqual({ detail: 'Forbidden (insufficient role)' });
      }
      expect((await http('GET', `${t.api}/users/${op.userId}`, { token: other.token })).status).toBe(404);
      expect((await http('PATCH', `${t.api}/users/${op.userId}`, { token: other.token, body: { role: 'admin' } })).status).toBe(404);
      expect((await http('GET', `${t.api}/users`, { token: other.token })).body.total).toBe(1);
    });

    it('changing a role ends the user\'s sessions; a new login carries the new role', async () => {
      const admin = await registerTenant(t.api, 'urole');
      const op = await createUserSession(t.api, admin, 'operator');
      expect((await me(op.token)).body.role).toBe('operator');
      const patched = await http('PATCH', `${t.api}/users/${op.userId}`, { token: admin.token, body: { role: 'viewer' } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: op.userId, role: 'viewer' });

      expect((await me(op.token)).status).toBe(401);
      expect((await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: op.refreshToken } })).status).toBe(401);
      const relog = await login(op.email, op.password);
      expect(relog.status).toBe(200);
      expect((await me(relog.body.access_token)).body.role).toBe('viewer');
      // the admin's own session is untouched
      expect((await me(admin.token)).status).toBe(200);

      const promoted = await http('PATCH', `${t.api}/users/${op.userId}`, { token: admin.token, body: { role: 'admin', full_name: 'Promoted' } });
      expect(promoted.body).toMatchObject({ role: 'admin', full_name: 'Promoted' });
      const again = await login(op.email, op.password);
      const keys = await http('POST', `${t.api}/settings/api-keys`, { token: again.body.access_token, body: { name: 'by new admin' } });
      expect(keys.status).toBe(201);
    });

    it('a deactivated user loses every session and cannot log in; reactivation restores login', async () => {
      const admin = await registerTenant(t.api, 'udeact');
      const v = await createUserSession(t.api, admin, 'viewer');
      const r = await http('PATCH', `${t.api}/users/${v.userId}`, { token: admin.token, body: { is_active: false } });
      expect(r.status).toBe(200);
      expect(r.body.is_active).toBe(false);
      expect((await me(v.token)).status).toBe(401);
      expect((await http('GET', `${t.api}/audit`, { token: v.token })).status).toBe(401);
      expect((await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: v.refreshToken } })).status).toBe(401);
      const denied = await login(v.email, v.password);
      expect(denied.status).toBe(401);
      expect(typeof denied.body.detail).toBe('string');
      expect(denied.body.access_token).toBeUndefined();

      expect((await http('PATCH', `${t.api}/users/${v.userId}`, { token: admin.token, body: { is_active: true } })).status).toBe(200);
      const back = await login(v.email, v.password);
      expect(back.status).toBe(200);
      expect((await me(back.body.access_token)).body.is_active).toBe(true);
    });

    it('the last admin cannot demote or deactivate themself (409); with a second admin they can', async () => {
      const admin = await registerTenant(t.api, 'ulast');
      const demote = await http('PATCH', `${t.api}/users/${admin.userId}`, { token: admin.token, body: { role: 'operator' } });
      expect(demote.status).toBe(409);
      expect(demote.body).toEqual({ detail: expect.any(String) });
      const deact = await http('PATCH', `${t.api}/users/${admin.userId}`, { token: admin.token, body: { is_active: false } });
      expect(deact.status).toBe(409);
      const m = await me(admin.token);
      expect(m.body).toMatchObject({ role: 'admin', is_active: true });

      await createUserSession(t.api, admin, 'admin');
      const ok = await http('PATCH', `${t.api}/users/${admin.userId}`, { token: admin.token, body: { role: 'operator' } });
      expect(ok.status).toBe(200);
      expect(ok.body.role).toBe('operator');
      expect((await me(admin.token)).status).toBe(401);
    });
  });

  describe('profile and password', () => {
    it('PATCH /settings/profile changes the name; the e-mail only with the current password', async () => {
      const s = await registerTenant(t.api, 'prof');
      const name = await http('PATCH', `${t.api}/settings/profile`, { token: s.token, body: { full_name: 'Renamed Person' } });
      expect(name.status).toBe(200);
      expect(name.body).toMatchObject({ id: s.userId, full_name: 'Renamed Person', email: s.email });
      expect((await me(s.token)).body.full_name).toBe('Renamed Person');

      const newEmail = `moved-${randomUUID().slice(0, 8)}@example.com`;
      const noPw = await http('PATCH', `${t.api}/settings/profile`, { token: s.token, body: { email: newEmail } });
      expect(noPw.status).toBe(422);
      expect(noPw.body.detail[0].loc).toEqual(['body', 'current_password']);
      const wrongPw = await http('PATCH', `${t.api}/settings/profile`, { token: s.token, body: { email: newEmail, current_password: 'Wr0ngPassword!' } });
      expect(wrongPw.status).toBe(422);
      expect((await me(s.token)).body.email).toBe(s.email);

      const ok = await http('PATCH', `${t.api}/settings/profile`, { token: s.token, body: { email: newEmail, current_password: s.password } });
      expect(ok.status).toBe(200);
      expect(ok.body.email).toBe(newEmail);
      expect((await me(s.token)).body.email).toBe(newEmail);
      expect((await login(newEmail, s.password)).status).toBe(200);
      expect((await login(s.email, s.password)).status).toBe(401);
    });

    it('refuses an e-mail that another account uses (409)', async () => {
      const a = await registerTenant(t.api, 'profa');
      const b = await registerTenant(t.api, 'profb');
      const r = await http('PATCH', `${t.api}/settings/profile`, { token: b.token, body: { email: a.email, current_password: b.password } });
      expect(r.status).toBe(409);
      expect((await me(b.token)).body.email).toBe(b.email);
    });

    it('change-password checks the current password, then ends every session', async () => {
      const s = await registerTenant(t.api, 'pw');
      const second = await login(s.email, s.password);
      const wrong = await http('POST', `${t.api}/settings/change-password`, { token: s.token, body: { current_password: 'Wr0ngPassword!', new_password: 'An0therStr0ng!' } });
      expect(wrong.status).toBe(422);
      expect(wrong.body.detail[0].loc).toEqual(['body', 'current_password']);
      const weak = await http('POST', `${t.api}/settings/change-password`, { token: s.token, body: { current_password: s.password, new_password: 'weak' } });
      expect(weak.status).toBe(422);
      expect(weak.body.detail[0].loc).toEqual(['body', 'new_password']);
      expect((await me(s.token)).status).toBe(200);

      const ok = await http('POST', `${t.api}/settings/change-password`, { token: s.token, body: { current_password: s.password, new_password: 'An0therStr0ng!' } });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ detail: expect.any(String) });
      expect((await me(s.token)).status).toBe(401);
      expect((await me(second.body.access_token)).status).toBe(401);
      expect((await http('POST', `${t.api}/auth/refresh`, { body: { refresh_token: s.refreshToken } })).status).toBe(401);
      expect((await login(s.email, s.password)).status).toBe(401);
      const fresh = await login(s.email, 'An0therStr0ng!');
      expect(fresh.status).toBe(200);
      expect((await me(fresh.body.access_token)).body.id).toBe(s.userId);
    });
  });

  describe('audit trail', () => {
    it('records the auth actions with actor, resource, address and time, newest first', async () => {
      const s = await registerTenant(t.api, 'audit');
      expect((await login(s.email, 'Wr0ngPassword!')).status).toBe(401);
      const session = await login(s.email, s.password);
      const token: string = session.body.access_token;
      const key = await createApiKey(t.api, s, 'read_only');
      expect((await http('DELETE', `${t.api}/settings/api-keys/${key.id}`, { token })).status).toBe(204);
      const setup = await http('POST', `${t.api}/auth/mfa/setup`, { token });
      expect((await http('POST', `${t.api}/auth/mfa/verify-setup`, { token, body: { code: totpCode(setup.body.secret) } })).status).toBe(200);
      const op = await http('POST', `${t.api}/users`, { token, body: { email: `aud-${randomUUID().slice(0, 8)}@example.com`, full_name: 'Op', role: 'operator', password: STRONG_PASSWORD } });
      expect((await http('PATCH', `${t.api}/users/${op.body.id}`, { token, body: { role: 'viewer' } })).status).toBe(200);
      expect((await http('POST', `${t.api}/auth/logout`, { token: s.token })).status).toBe(200);

      const all = await http('GET', `${t.api}/audit?page_size=100`, { token });
      expect(all.status).toBe(200);
      const items: any[] = all.body.items;
      expect(all.body).toMatchObject({ total: items.length, page: 1, page_size: 100, total_pages: 1 });
      const expectOne = (action: string, resourceType: string, resourceId: string) => {
        const ev = items.find((e) => e.action === action);
        expect(ev, action).toBeDefined();
        expect(ev).toMatchObject({ tenant_id: s.tenantId, user_id: s.userId, action, resource_type: resourceType, resource_id: resourceId });
        expect(ev.id).toMatch(UUID);
        expect(ev.created_at).toMatch(ISO_UTC);
        expect(ev.ip_address).toMatch(/127\.0\.0\.1|::1/);
        expect(typeof ev.details).toBe('object');
        return ev;
      };
      expectOne('register', 'tenant', s.tenantId);
      expect(expectOne('login_failure', 'user', s.userId).details).toMatchObject({ email: s.email });
      expectOne('login_success', 'user', s.userId);
      expect(expectOne('create_api_key', 'api_key', key.id).details).toMatchObject({ scopes: ['read:machines', 'read:sensors'] });
      expectOne('revoke_api_key', 'api_key', key.id);
      expectOne('mfa_enabled', 'user', s.userId);
      expect(expectOne('create_user', 'user', op.body.id).details).toMatchObject({ role: 'operator' });
      expect(expectOne('update_user', 'user', op.body.id).details).toMatchObject({ role: 'viewer' });
      expectOne('logout', 'user', s.userId);
      // no secret leaks into the trail
      expect(all.text).not.toContain(key.key);
      expect(all.text).not.toContain(STRONG_PASSWORD);

      const times = items.map((e) => Date.parse(e.created_at));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(items[0].action).toBe('logout');
      expect(items.at(-1).action).toBe('register');
    });

    it('filters by action and resource_type, paginates, and validates its query', async () => {
      const s = await registerTenant(t.api, 'auditf');
      const k1 = await createApiKey(t.api, s, 'edge_agent');
      const k2 = await createApiKey(t.api, s, 'read_only');
      await http('DELETE', `${t.api}/settings/api-keys/${k1.id}`, { token: s.token });

      const created = await http('GET', `${t.api}/audit?action=create_api_key`, { token: s.token });
      expect(created.status).toBe(200);
      expect(created.body.total).toBe(2);
      expect(created.body.items.map((e: any) => e.resource_id)).toEqual([k2.id, k1.id]);
      expect(created.body.items.every((e: any) => e.action === 'create_api_key')).toBe(true);

      const keys = await http('GET', `${t.api}/audit?resource_type=api_key`, { token: s.token });
      expect(keys.body.total).toBe(3);
      expect(keys.body.items.map((e: any) => e.action)).toEqual(['revoke_api_key', 'create_api_key', 'create_api_key']);
      const both = await http('GET', `${t.api}/audit?resource_type=api_key&action=revoke_api_key`, { token: s.token });
      expect(both.body.items.map((e: any) => e.resource_id)).toEqual([k1.id]);
      expect((await http('GET', `${t.api}/audit?action=no_such_action`, { token: s.token })).body).toMatchObject({ items: [], total: 0, total_pages: 0 });

      const p1 = await http('GET', `${t.api}/audit?resource_type=api_key&page_size=2`, { token: s.token });
      expect(p1.body).toMatchObject({ total: 3, page: 1, page_size: 2, total_pages: 2 });
      expect(p1.body.items).toHaveLength(2);
      const p2 = await http('GET', `${t.api}/audit?resource_type=api_key&page_size=2&page=2`, { token: s.token });
      expect(p2.body.items).toHaveLength(1);
      expect(p2.body.items[0].id).toBe(keys.body.items[2].id);

      const big = await http('GET', `${t.api}/audit?page_size=101`, { token: s.token });
      expect(big.status).toBe(422);
      expect(big.body.detail[0].loc).toEqual(['query', 'page_size']);
      const longAction = await http('GET', `${t.api}/audit?action=${'a'.repeat(101)}`, { token: s.token });
      expect(longAction.status).toBe(422);
      expect(longAction.body.detail[0].loc).toEqual(['query', 'action']);
      expect((await http('GET', `${t.api}/audit?action=${'a'.repeat(100)}`, { token: s.token })).status).toBe(200);
      expect((await http('GET', `${t.api}/audit?resource_type=${'r'.repeat(101)}`, { token: s.token })).status).toBe(422);
      expect((await http('GET', `${t.api}/audit?page_size=abc`, { token: s.token })).status).toBe(422);
    });

    it('any role reads its own tenant\'s trail only', async () => {
      const a = await registerTenant(t.api, 'audita');
      const viewer = await createUserSession(t.api, a, 'viewer');
      const b = await registerTenant(t.api, 'auditb');
      await createApiKey(t.api, b, 'edge_agent');

      const seen = await http('GET', `${t.api}/audit?page_size=100`, { token: viewer.token });
      expect(seen.status).toBe(200);
      expect(seen.body.total).toBeGreaterThan(0);
      expect(seen.body.items.every((e: any) => e.tenant_id === a.tenantId)).toBe(true);
      expect(seen.body.items.some((e: any) => e.action === 'create_user')).toBe(true);
      const bOnly = await http('GET', `${t.api}/audit?page_size=100`, { token: b.token });
      expect(bOnly.body.items.every((e: any) => e.tenant_id === b.tenantId)).toBe(true);
      expect(bOnly.body.items.map((e: any) => e.action).sort()).toEqual(['create_api_key', 'register']);
      expect((await http('GET', `${t.api}/audit`)).status).toBe(401);
    });
  });
});
