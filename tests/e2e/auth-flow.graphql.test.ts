import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.js';
import { gql, http, startTestApp, STRONG_PASSWORD, type HttpOptions, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { successiveCodes, wrongCode } from '../helpers/totp.js';

const pgSvc = await probeService('postgres');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const AUTH_FIELDS = 'accessToken tokenType mfaRequired expiresIn refreshToken';
const USER_FIELDS = 'id tenantId email fullName role isActive mfaEnabled lastLoginAt createdAt updatedAt';
const KEY_FIELDS = 'id name keyPrefix scopes tenantId expiresAt lastUsedAt createdAt';
const AUDIT_FIELDS = 'id tenantId userId apiKeyId action resourceType resourceId details ipAddress createdAt';

const M_REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const M_LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const Q_ME = `{ me { id email fullName tenantId role isActive mfaEnabled onboardingCompleted subscriptionStatus subscriptionTier createdAt } }`;
const M_CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { ${KEY_FIELDS} plaintextKey key } }`;
const Q_KEYS = `query($page: Int, $pageSize: Int) { apiKeys(page: $page, pageSize: $pageSize) { items { ${KEY_FIELDS} } total page pageSize totalPages } }`;
const M_REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) }`;
const M_REFRESH = `mutation($r: String) { refreshToken(refreshToken: $r) { ${AUTH_FIELDS} } }`;
const M_LOGOUT = `mutation($r: String) { logout(refreshToken: $r) { detail } }`;
const M_SETUP_MFA = `mutation { setupMfa { secret otpauthUrl issuer accountName } }`;
const M_VERIFY_SETUP = `mutation($code: String!) { verifyMfaSetup(input: { code: $code }) { mfaEnabled } }`;
const M_VERIFY_MFA = `mutation($t: String!, $code: String!) { verifyMfa(input: { mfaToken: $t, code: $code }) { ${AUTH_FIELDS} } }`;
const M_REPLACE_MFA = `mutation($input: MfaReauthInput) { setupMfa(input: $input) { secret } }`;
const M_DISABLE_MFA = `mutation($input: MfaReauthInput!) { disableMfa(input: $input) { mfaEnabled } }`;
const Q_USERS = `query($page: Int, $pageSize: Int) { users(page: $page, pageSize: $pageSize) { items { ${USER_FIELDS} } total page pageSize totalPages } }`;
const Q_USER = `query($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`;
const M_CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { ${USER_FIELDS} } }`;
const M_UPDATE_USER = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { ${USER_FIELDS} } }`;
const M_UPDATE_PROFILE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { ${USER_FIELDS} } }`;
const M_CHANGE_PASSWORD = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) { detail } }`;
const Q_AUDIT = `query($action: String, $resourceType: String, $page: Int, $pageSize: Int) {
  auditEvents(action: $action, resourceType: $resourceType, page: $page, pageSize: $pageSize) { items { ${AUDIT_FIELDS} } total page pageSize totalPages } }`;

interface Session {
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  userId: string;
  tenantId: string;
}


describe.skipIf(pgSvc.skip)(`auth flow over GraphQL${pgSvc.label}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Runs an operation; a bearer token string or full options. */
  async function run(query: string, variables?: Record<string, unknown>, auth?: string | HttpOptions) {
    const res = await gql(t.url, query, variables, typeof auth === 'string' ? { token: auth } : auth);
    return res;
  }
  /** Runs an operation that must succeed and returns its data. */
  async function ok<T = any>(query: string, variables?: Record<string, unknown>, auth?: string | HttpOptions): Promise<T> {
    const res = await run(query, variables, auth);
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    expect(res.status).toBe(200);
    return res.body.data as T;
  }
  /** Runs an operation that must fail with one error of this extensions.code; returns the error. */
  async function fails(code: string, query: string, variables?: Record<string, unknown>, auth?: string | HttpOptions) {
    const res = await run(query, variables, auth);
    expect(res.body.errors, JSON.stringify(res.body)).toHaveLength(1);
    const err = res.body.errors![0]!;
    expect(err.extensions?.code, err.message).toBe(code);
    expect(typeof err.message).toBe('string');
    expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    // an operation's error never comes with partial data for it
    expect(res.body.data ?? null).toBeNull();
    return err;
  }

  async function register(label: string): Promise<Session> {
    const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
    const d = await ok(M_REGISTER, { input: { email, password: STRONG_PASSWORD, fullName: `${label} admin`, tenantName: `${label} plant` } });
    const me = await ok(Q_ME, undefined, d.register.accessToken);
    return { email, password: STRONG_PASSWORD, token: d.register.accessToken, refreshToken: d.register.refreshToken, userId: me.me.id, tenantId: me.me.tenantId };
  }
  async function login(email: string, password: string) {
    return run(M_LOGIN, { input: { email, password } });
  }
  async function addUser(admin: Session, role: string): Promise<Session> {
    const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
    const d = await ok(M_CREATE_USER, { input: { email, fullName: `${role} user`, role, password: STRONG_PASSWORD } }, admin.token);
    const l = (await login(email, STRONG_PASSWORD)).body.data!.login;
    return { email, password: STRONG_PASSWORD, token: l.accessToken, refreshToken: l.refreshToken, userId: d.createUser.id, tenantId: admin.tenantId };
  }

  describe('register, login, me', () => {
    it('register signs the new admin in; me returns the profile; the token works on REST too', async () => {
      const email = `gq-${randomUUID().slice(0, 8)}@example.com`;
      const d = await ok(M_REGISTER, { input: { email, password: STRONG_PASSWORD, fullName: 'Jane Smith', tenantName: 'Plant' } });
      expect(d.register).toMatchObject({ tokenType: 'bearer', mfaRequired: false, refreshToken: expect.any(String) });
      expect(d.register.expiresIn).toBeGreaterThan(0);
      const me = (await ok(Q_ME, undefined, d.register.accessToken)).me;
      expect(me).toMatchObject({ email, fullName: 'Jane Smith', role: 'admin', isActive: true, mfaEnabled: false });
      expect(me.id).toMatch(UUID);
      expect(me.tenantId).toMatch(UUID);
      expect(typeof me.subscriptionStatus).toBe('string');
      expect(typeof me.subscriptionTier).toBe('string');
      expect(me.createdAt).toMatch(ISO_UTC);
      const rest = await http('GET', `${t.api}/auth/me`, { token: d.register.accessToken });
      expect(rest.body).toMatchObject({ id: me.id, email, tenant_id: me.tenantId });
    });

    it('a duplicate e-mail (any case) is CONFLICT; a weak password BAD_USER_INPUT with issues', async () => {
      const s = await register('gdup');
      const dup = await fails('CONFLICT', M_REGISTER, { input: { email: s.email.toUpperCase(), password: STRONG_PASSWORD, fullName: 'X', tenantName: 'X' } });
      expect(dup.message).toMatch(/already/i);
      const weak = await fails('BAD_USER_INPUT', M_REGISTER, {
        input: { email: `w-${randomUUID().slice(0, 8)}@example.com`, password: 'password', fullName: 'X', tenantName: 'X' },
      });
      expect(weak.extensions?.issues).toEqual([expect.objectContaining({ loc: ['password'], msg: expect.any(String), type: expect.any(String) })]);
      const badMail = await fails('BAD_USER_INPUT', M_REGISTER, { input: { email: 'nope', password: STRONG_PASSWORD, fullName: 'X', tenantName: 'X' } });
      expect(badMail.extensions?.issues[0].loc).toEqual(['email']);
    });

    it('a missing input field is rejected by the schema before any resolver runs', async () => {
      const res = await run(M_REGISTER, { input: { email: `m-${randomUUID().slice(0, 8)}@example.com`, password: STRONG_PASSWORD } });
      expect(res.body.errors?.length).toBeGreaterThan(0);
      expect(res.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.body.data).toBeUndefined();
    });

    it('wrong password and unknown e-mail are the same UNAUTHENTICATED error', async () => {
      const s = await register('gbad');
      const wrong = await fails('UNAUTHENTICATED', M_LOGIN, { input: { email: s.email, password: 'Wr0ngPassword!' } });
      expect(wrong.message).toBe('Incorrect email or password');
      const unknown = await fails('UNAUTHENTICATED', M_LOGIN, { input: { email: `x-${randomUUID()}@example.com`, password: STRONG_PASSWORD } });
      expect(unknown.message).toBe('Incorrect email or password');
      const good = await login(s.email.toUpperCase(), s.password);
      expect(good.body.data?.login.mfaRequired).toBe(false);
    });

    it('me without credentials or with a bad token is UNAUTHENTICATED', async () => {
      await fails('UNAUTHENTICATED', Q_ME);
      await fails('UNAUTHENTICATED', Q_ME, undefined, 'not-a-token');
    });
  });

  describe('API keys', () => {
    it('createApiKey returns the key once; apiKeys lists metadata only; revokeApiKey ends it', async () => {
      const s = await register('gkey');
      const created = (await ok(M_CREATE_KEY, { input: { name: 'edge' } }, s.token)).createApiKey;
      expect(created).toMatchObject({ name: 'edge', scopes: ['ingest', 'agent'], tenantId: s.tenantId, expiresAt: null, lastUsedAt: null });
      expect(created.plaintextKey).toMatch(/^hk_[0-9A-Za-z]{40}$/);
      expect(created.key).toBe(created.plaintextKey);
      expect(created.plaintextKey.startsWith(created.keyPrefix)).toBe(true);
      expect(created.createdAt).toMatch(ISO_UTC);

      expect((await ok(M_CREATE_KEY, { input: { name: 'ro', preset: 'read_only' } }, s.token)).createApiKey.scopes).toEqual(['read:machines', 'read:sensors']);
      expect((await ok(M_CREATE_KEY, { input: { name: 'ea', scopes: ['edge_agent'] } }, s.token)).createApiKey.scopes).toEqual(['ingest', 'agent']);
      const bad = await fails('BAD_USER_INPUT', M_CREATE_KEY, { input: { name: 'bad', scopes: ['ingest', 'root'] } }, s.token);
      expect(bad.extensions?.issues[0].loc).toEqual(['scopes', 1]);
      await fails('BAD_USER_INPUT', M_CREATE_KEY, { input: { name: 'bad', preset: 'superuser' } }, s.token);
      await fails('BAD_USER_INPUT', M_CREATE_KEY, { input: { name: 'old', expiresAt: '2020-01-01T00:00:00Z' } }, s.token);

      const listRes = await run(Q_KEYS, {}, s.token);
      const list = listRes.body.data!.apiKeys;
      expect(list).toMatchObject({ total: 3, page: 1, pageSize: 20, totalPages: 1 });
      expect(listRes.text).not.toContain(created.plaintextKey);
      expect(list.items.map((k: { id: string }) => k.id)).toContain(created.id);
      expect((await ok(Q_KEYS, { pageSize: 2, page: 2 }, s.token)).apiKeys).toMatchObject({ total: 3, page: 2, pageSize: 2, totalPages: 2 });
      await fails('BAD_USER_INPUT', Q_KEYS, { pageSize: 101 }, s.token);

      // the key authenticates (it is refused only because GraphQL user operations want a user token)
      const used = await fails('FORBIDDEN', Q_ME, undefined, { apiKey: created.plaintextKey });
      expect(used.message).toBe('This endpoint requires a user token; API keys are not accepted');
      const afterUse = (await ok(Q_KEYS, {}, s.token)).apiKeys.items.find((k: { id: string }) => k.id === created.id);
      expect(afterUse.lastUsedAt).toMatch(ISO_UTC);

      expect((await ok(M_REVOKE_KEY, { id: created.id }, s.token)).revokeApiKey).toBe(true);
      const revoked = await fails('UNAUTHENTICATED', Q_ME, undefined, { apiKey: created.plaintextKey });
      expect(revoked.message).toBe('Invalid API key');
      await fails('NOT_FOUND', M_REVOKE_KEY, { id: created.id }, s.token);
      await fails('NOT_FOUND', M_REVOKE_KEY, { id: randomUUID() }, s.token);
      expect((await ok(Q_KEYS, {}, s.token)).apiKeys.total).toBe(2);
    });

    it('non-admins may list but not create or revoke; other tenants see nothing', async () => {
      const s = await register('gkeyrole');
      const viewer = await addUser(s, 'viewer');
      const key = (await ok(M_CREATE_KEY, { input: { name: 'k' } }, s.token)).createApiKey;
      const denied = await fails('FORBIDDEN', M_CREATE_KEY, { input: { name: 'nope' } }, viewer.token);
      expect(denied.message).toBe('Forbidden (insufficient role)');
      await fails('FORBIDDEN', M_REVOKE_KEY, { id: key.id }, viewer.token);
      expect((await ok(Q_KEYS, {}, viewer.token)).apiKeys.items.map((k: { id: string }) => k.id)).toEqual([key.id]);

      const other = await register('gkeyother');
      expect((await ok(Q_KEYS, {}, other.token)).apiKeys.total).toBe(0);
      await fails('NOT_FOUND', M_REVOKE_KEY, { id: key.id }, other.token);
      await fails('UNAUTHENTICATED', Q_KEYS, {}, { apiKey: 'hk_invalid' });
    });
  });

  describe('refresh and logout', () => {
    it('refreshToken rotates; a replayed token revokes the session', async () => {
      const s = await register('grefresh');
      const r2 = (await ok(M_REFRESH, { r: s.refreshToken })).refreshToken;
      expect(r2).toMatchObject({ tokenType: 'bearer', mfaRequired: false });
      expect(r2.refreshToken).not.toBe(s.refreshToken);
      expect((await ok(Q_ME, undefined, r2.accessToken)).me.id).toBe(s.userId);

      const replay = await fails('UNAUTHENTICATED', M_REFRESH, { r: s.refreshToken });
      expect(replay.message).toMatch(/revoked|already been used/i);
      await fails('UNAUTHENTICATED', M_REFRESH, { r: r2.refreshToken });
      await fails('UNAUTHENTICATED', Q_ME, undefined, r2.accessToken);
      await fails('UNAUTHENTICATED', M_REFRESH, {});
      await fails('UNAUTHENTICATED', M_REFRESH, { r: s.token });
    });

    it('logout ends the access token and the refresh token', async () => {
      const s = await register('glogout');
      const other = (await login(s.email, s.password)).body.data!.login;
      expect((await ok(M_LOGOUT, { r: s.refreshToken }, s.token)).logout.detail).toEqual(expect.any(String));
      await fails('UNAUTHENTICATED', Q_ME, undefined, s.token);
      await fails('UNAUTHENTICATED', Q_KEYS, {}, s.token);
      await fails('UNAUTHENTICATED', M_LOGOUT, {}, s.token);
      await fails('UNAUTHENTICATED', M_REFRESH, { r: s.refreshToken });
      expect((await http('GET', `${t.api}/auth/me`, { token: s.token })).status).toBe(401);
      // a second session of the same user lives on
      expect((await ok(Q_ME, undefined, other.accessToken)).me.id).toBe(s.userId);
      await fails('UNAUTHENTICATED', M_LOGOUT, {});
    });
  });

  describe('MFA', () => {
    it('setupMfa / verifyMfaSetup enable MFA; login then needs verifyMfa; the pending token is single-use', async () => {
      const s = await register('gmfa');
      const setup = (await ok(M_SETUP_MFA, undefined, s.token)).setupMfa;
      expect(setup.secret).toMatch(/^[A-Z2-7]{16,}$/);
      expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
      expect(setup.otpauthUrl).toContain(`secret=${setup.secret}`);
      expect(setup.accountName).toBe(s.email);
      const wrongSetup = await fails('BAD_USER_INPUT', M_VERIFY_SETUP, { code: wrongCode(setup.secret) }, s.token);
      expect(wrongSetup.extensions?.issues[0].loc).toEqual(['code']);
      const codes = await successiveCodes(setup.secret);
      expect((await ok(M_VERIFY_SETUP, { code: codes.current }, s.token)).verifyMfaSetup.mfaEnabled).toBe(true);
      expect((await ok(Q_ME, undefined, s.token)).me.mfaEnabled).toBe(true);
      const audit = (await ok(Q_AUDIT, { action: 'mfa_enabled' }, s.token)).auditEvents;
      expect(audit.items).toEqual([expect.objectContaining({ action: 'mfa_enabled', resourceType: 'user', resourceId: s.userId, userId: s.userId })]);

      const first = (await login(s.email, s.password)).body.data!.login;
      expect(first).toMatchObject({ mfaRequired: true, refreshToken: null });
      await fails('UNAUTHENTICATED', Q_ME, undefined, first.accessToken);
      await fails('UNAUTHENTICATED', M_VERIFY_MFA, { t: first.accessToken, code: wrongCode(setup.secret) });
      await fails('BAD_USER_INPUT', M_VERIFY_MFA, { t: first.accessToken, code: '12ab' });
      await fails('UNAUTHENTICATED', M_VERIFY_MFA, { t: s.token, code: totpCode(setup.secret) });

      // the code that confirmed the enrolment is spent: it cannot complete a login
      const replay = await fails('UNAUTHENTICATED', M_VERIFY_MFA, { t: first.accessToken, code: codes.current });
      expect(replay.message).toBe('Invalid MFA code');
      const second = (await login(s.email, s.password)).body.data!.login;
      const done = (await ok(M_VERIFY_MFA, { t: second.accessToken, code: codes.next })).verifyMfa;
      expect(done).toMatchObject({ mfaRequired: false, tokenType: 'bearer', refreshToken: expect.any(String) });
      expect((await ok(Q_ME, undefined, done.accessToken)).me).toMatchObject({ id: s.userId, mfaEnabled: true });
      await fails('UNAUTHENTICATED', M_VERIFY_MFA, { t: second.accessToken, code: codes.next });
    });

    it('setupMfa replacing an active factor and disableMfa need currentPassword and a fresh code', async () => {
      const s = await register('gmfareauth');
      const first = (await ok(M_SETUP_MFA, undefined, s.token)).setupMfa;
      const codes = await successiveCodes(first.secret);
      await ok(M_VERIFY_SETUP, { code: codes.previous }, s.token);

      // an access token alone cannot swap the secret
      const bare = await fails('BAD_USER_INPUT', M_SETUP_MFA, undefined, s.token);
      expect(bare.extensions?.issues[0].loc).toEqual(['current_password']);
      const badPassword = await fails('BAD_USER_INPUT', M_REPLACE_MFA, { input: { currentPassword: 'Wr0ngPassword!', code: codes.current } }, s.token);
      expect(badPassword.extensions?.issues[0].loc).toEqual(['current_password']);
      const badCode = await fails('BAD_USER_INPUT', M_REPLACE_MFA, { input: { currentPassword: s.password, code: wrongCode(first.secret) } }, s.token);
      expect(badCode.extensions?.issues[0].loc).toEqual(['code']);
      const replaced = (await ok(M_REPLACE_MFA, { input: { currentPassword: s.password, code: codes.current } }, s.token)).setupMfa;
      expect(replaced.secret).not.toBe(first.secret);
      // the re-authentication code is spent
      await fails('BAD_USER_INPUT', M_REPLACE_MFA, { input: { currentPassword: s.password, code: codes.current } }, s.token);
      const newCodes = await successiveCodes(replaced.secret);
      await ok(M_VERIFY_SETUP, { code: newCodes.previous }, s.token);

      await fails('BAD_USER_INPUT', M_DISABLE_MFA, { input: { currentPassword: 'Wr0ngPassword!', code: newCodes.current } }, s.token);
      await fails('BAD_USER_INPUT', M_DISABLE_MFA, { input: { currentPassword: s.password, code: newCodes.previous } }, s.token);
      expect((await ok(Q_ME, undefined, s.token)).me.mfaEnabled).toBe(true);
      expect((await ok(M_DISABLE_MFA, { input: { currentPassword: s.password, code: newCodes.current } }, s.token)).disableMfa.mfaEnabled).toBe(false);
      expect((await ok(Q_ME, undefined, s.token)).me.mfaEnabled).toBe(false);
      expect((await login(s.email, s.password)).body.data!.login.mfaRequired).toBe(false);
      const disabledAgain = await fails('BAD_REQUEST', M_DISABLE_MFA, { input: { currentPassword: s.password, code: newCodes.next } }, s.token);
      expect(disabledAgain.message).toBe('MFA is not enabled');
    });
  });

  describe('users', () => {
    it('createUser, users (paginated) and user; admin only; tenant-scoped', async () => {
      const admin = await register('gusers');
      const op = (await ok(M_CREATE_USER, { input: { email: `op-${randomUUID().slice(0, 8)}@example.com`, fullName: 'Op', role: 'operator', password: STRONG_PASSWORD } }, admin.token)).createUser;
      expect(op).toMatchObject({ tenantId: admin.tenantId, role: 'operator', isActive: true, mfaEnabled: false, lastLoginAt: null });
      expect(op.id).toMatch(UUID);
      const viewer = await addUser(admin, 'viewer');
      await fails('CONFLICT', M_CREATE_USER, { input: { email: op.email.toUpperCase(), fullName: 'Dup', role: 'viewer', password: STRONG_PASSWORD } }, admin.token);
      const badRole = await fails('BAD_USER_INPUT', M_CREATE_USER, { input: { email: `r-${randomUUID().slice(0, 8)}@example.com`, fullName: 'R', role: 'root', password: STRONG_PASSWORD } }, admin.token);
      expect(badRole.extensions?.issues[0].loc).toEqual(['role']);

      const page = (await ok(Q_USERS, {}, admin.token)).users;
      expect(page).toMatchObject({ total: 3, page: 1, pageSize: 20, totalPages: 1 });
      expect(page.items.map((u: { id: string }) => u.id).sort()).toEqual([admin.userId, op.id, viewer.userId].sort());
      expect((await ok(Q_USERS, { pageSize: 2, page: 2 }, admin.token)).users).toMatchObject({ total: 3, totalPages: 2, items: [expect.any(Object)] });
      await fails('BAD_USER_INPUT', Q_USERS, { pageSize: 101 }, admin.token);
      await fails('BAD_USER_INPUT', Q_USERS, { page: 0 }, admin.token);

      expect((await ok(Q_USER, { id: op.id }, admin.token)).user).toMatchObject({ id: op.id, email: op.email });
      await fails('NOT_FOUND', Q_USER, { id: randomUUID() }, admin.token);
      await fails('FORBIDDEN', Q_USERS, {}, viewer.token);
      await fails('FORBIDDEN', Q_USER, { id: op.id }, viewer.token);
      await fails('FORBIDDEN', M_UPDATE_USER, { id: op.id, input: { role: 'viewer' } }, viewer.token);

      const other = await register('gusersother');
      await fails('NOT_FOUND', Q_USER, { id: op.id }, other.token);
      await fails('NOT_FOUND', M_UPDATE_USER, { id: op.id, input: { isActive: false } }, other.token);
      expect((await ok(Q_USERS, {}, other.token)).users.total).toBe(1);
    });

    it('an id that is not a UUID is NOT_FOUND (or BAD_USER_INPUT), never an internal error', async () => {
      const admin = await register('gbadid');
      const res = await run(Q_USER, { id: 'not-a-uuid' }, admin.token);
      expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain(res.body.errors?.[0]?.extensions?.code);
      const rev = await run(M_REVOKE_KEY, { id: 'not-a-uuid' }, admin.token);
      expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain(rev.body.errors?.[0]?.extensions?.code);
      const upd = await run(M_UPDATE_USER, { id: 'not-a-uuid', input: { fullName: 'x' } }, admin.token);
      expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain(upd.body.errors?.[0]?.extensions?.code);
    });

    it('updateUser role ends the old sessions; deactivation blocks login; the last admin is kept', async () => {
      const admin = await register('gupd');
      const op = await addUser(admin, 'operator');
      const changed = (await ok(M_UPDATE_USER, { id: op.userId, input: { role: 'viewer', fullName: 'Now Viewer' } }, admin.token)).updateUser;
      expect(changed).toMatchObject({ role: 'viewer', fullName: 'Now Viewer' });
      await fails('UNAUTHENTICATED', Q_ME, undefined, op.token);
      await fails('UNAUTHENTICATED', M_REFRESH, { r: op.refreshToken });
      const relog = (await login(op.email, op.password)).body.data!.login;
      expect((await ok(Q_ME, undefined, relog.accessToken)).me.role).toBe('viewer');

      expect((await ok(M_UPDATE_USER, { id: op.userId, input: { isActive: false } }, admin.token)).updateUser.isActive).toBe(false);
      await fails('UNAUTHENTICATED', Q_ME, undefined, relog.accessToken);
      await fails('UNAUTHENTICATED', M_LOGIN, { input: { email: op.email, password: op.password } });

      const last = await fails('CONFLICT', M_UPDATE_USER, { id: admin.userId, input: { role: 'viewer' } }, admin.token);
      expect(last.message).toMatch(/admin/i);
      await fails('CONFLICT', M_UPDATE_USER, { id: admin.userId, input: { isActive: false } }, admin.token);
      await fails('BAD_USER_INPUT', M_UPDATE_USER, { id: op.userId, input: { role: 'root' } }, admin.token);
      expect((await ok(Q_ME, undefined, admin.token)).me).toMatchObject({ role: 'admin', isActive: true });
    });
  });

  describe('profile and password', () => {
    it('updateProfile changes the name, and the e-mail only with currentPassword', async () => {
      const s = await register('gprof');
      expect((await ok(M_UPDATE_PROFILE, { input: { fullName: 'New Name' } }, s.token)).updateProfile.fullName).toBe('New Name');
      const newEmail = `moved-${randomUUID().slice(0, 8)}@example.com`;
      const missing = await fails('BAD_USER_INPUT', M_UPDATE_PROFILE, { input: { email: newEmail } }, s.token);
      expect(missing.extensions?.issues[0].loc).toEqual(['current_password']);
      await fails('BAD_USER_INPUT', M_UPDATE_PROFILE, { input: { email: newEmail, currentPassword: 'Wr0ngPassword!' } }, s.token);
      const changed = (await ok(M_UPDATE_PROFILE, { input: { email: newEmail, currentPassword: s.password } }, s.token)).updateProfile;
      expect(changed).toMatchObject({ email: newEmail, fullName: 'New Name' });
      expect((await login(newEmail, s.password)).body.data?.login.accessToken).toEqual(expect.any(String));
    });

    it('changePassword checks the current password and ends every session', async () => {
      const s = await register('gpw');
      const wrong = await fails('BAD_USER_INPUT', M_CHANGE_PASSWORD, { input: { currentPassword: 'Wr0ngPassword!', newPassword: 'An0therStr0ng!' } }, s.token);
      expect(wrong.extensions?.issues[0].loc).toEqual(['current_password']);
      const weak = await fails('BAD_USER_INPUT', M_CHANGE_PASSWORD, { input: { currentPassword: s.password, newPassword: 'weak' } }, s.token);
      expect(weak.extensions?.issues[0].loc).toEqual(['new_password']);
      expect((await ok(M_CHANGE_PASSWORD, { input: { currentPassword: s.password, newPassword: 'An0therStr0ng!' } }, s.token)).changePassword.detail).toEqual(expect.any(String));
      await fails('UNAUTHENTICATED', Q_ME, undefined, s.token);
      await fails('UNAUTHENTICATED', M_REFRESH, { r: s.refreshToken });
      await fails('UNAUTHENTICATED', M_LOGIN, { input: { email: s.email, password: s.password } });
      const fresh = (await login(s.email, 'An0therStr0ng!')).body.data!.login;
      expect((await ok(Q_ME, undefined, fresh.accessToken)).me.id).toBe(s.userId);
    });
  });

  describe('auditEvents', () => {
    it('lists the tenant trail newest first, filters, paginates and validates', async () => {
      const s = await register('gaudit');
      await fails('UNAUTHENTICATED', M_LOGIN, { input: { email: s.email, password: 'Wr0ngPassword!' } });
      const key = (await ok(M_CREATE_KEY, { input: { name: 'k' } }, s.token)).createApiKey;
      await ok(M_REVOKE_KEY, { id: key.id }, s.token);
      const viewer = await addUser(s, 'viewer');
      await ok(M_UPDATE_USER, { id: viewer.userId, input: { fullName: 'Renamed' } }, s.token);

      const all = (await ok(Q_AUDIT, { pageSize: 100 }, viewer.token)).auditEvents;
      const actions = all.items.map((e: { action: string }) => e.action);
      for (const a of ['register', 'login_failure', 'create_api_key', 'revoke_api_key', 'create_user', 'login_success', 'update_user']) {
        expect(actions, a).toContain(a);
      }
      expect(all.items.every((e: { tenantId: string }) => e.tenantId === s.tenantId)).toBe(true);
      const times = all.items.map((e: { createdAt: string }) => Date.parse(e.createdAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(actions[0]).toBe('update_user');
      const upd = all.items[0];
      expect(upd).toMatchObject({ userId: s.userId, resourceType: 'user', resourceId: viewer.userId, apiKeyId: null, details: { full_name: 'Renamed' } });
      expect(upd.ipAddress).toMatch(/127\.0\.0\.1|::1/);

      const keyEvents = (await ok(Q_AUDIT, { resourceType: 'api_key' }, s.token)).auditEvents;
      expect(keyEvents.items.map((e: { action: string }) => e.action)).toEqual(['revoke_api_key', 'create_api_key']);
      expect(keyEvents.items.every((e: { resourceId: string }) => e.resourceId === key.id)).toBe(true);
      const failures = (await ok(Q_AUDIT, { action: 'login_failure' }, s.token)).auditEvents;
      expect(failures).toMatchObject({ total: 1, items: [{ userId: s.userId, resourceId: s.userId, resourceType: 'user' }] });
      const p = (await ok(Q_AUDIT, { pageSize: 1, page: 2 }, s.token)).auditEvents;
      expect(p).toMatchObject({ page: 2, pageSize: 1, total: all.total, totalPages: all.total });
      expect(p.items[0].id).toBe(all.items[1].id);

      await fails('BAD_USER_INPUT', Q_AUDIT, { pageSize: 101 }, s.token);
      const long = await fails('BAD_USER_INPUT', Q_AUDIT, { action: 'a'.repeat(101) }, s.token);
      expect(long.extensions?.issues[0].loc).toEqual(['action']);
      await fails('BAD_USER_INPUT', Q_AUDIT, { resourceType: 'r'.repeat(101) }, s.token);
      await fails('UNAUTHENTICATED', Q_AUDIT, {});

      const other = await register('gauditother');
      const theirs = (await ok(Q_AUDIT, {}, other.token)).auditEvents;
      expect(theirs.items.map((e: { action: string }) => e.action)).toEqual(['register']);
    });
  });
});
