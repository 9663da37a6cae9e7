import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ApiKeysDocument,
  AuditEventRecordedDocument,
  AuditEventsDocument,
  CreateApiKeyDocument,
  CreateUserDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshTokenDocument,
  RegisterDocument,
  RevokeApiKeyDocument,
  UpdateUserDocument,
  UsersDocument,
  type AuditEventRecordedSubscription,
} from '../graphql/generated.js';
import { STRONG_PASSWORD, startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { execute, executeOk } from '../helpers/typed-gql.js';

const pgSvc = await probeService('postgres');

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe.skipIf(pgSvc.skip)(`typed GraphQL operations (generated documents)${pgSvc.label}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function register(label: string) {
    const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
    const data = await executeOk(t.url, RegisterDocument, {
      input: { email, password: STRONG_PASSWORD, fullName: `${label} admin`, tenantName: `${label} plant` },
    });
    return { email, token: data.register.accessToken, refreshToken: data.register.refreshToken };
  }

  it('register → login → me → createApiKey → apiKeys → auditEvents', async () => {
    const reg = await register('typed');
    expect(reg.token).toBeTruthy();

    const login = await executeOk(t.url, LoginDocument, { input: { email: reg.email, password: STRONG_PASSWORD } });
    expect(login.login).toMatchObject({ tokenType: 'bearer', mfaRequired: false });
    expect(login.login.expiresIn).toBeGreaterThan(0);
    const token = login.login.accessToken;

    const me = await executeOk(t.url, MeDocument, {}, { token });
    expect(me.me).toMatchObject({ email: reg.email, role: 'admin', isActive: true, mfaEnabled: false });
    expect(me.me.createdAt).toMatch(ISO_UTC);
    const tenantId = me.me.tenantId;

    const created = await executeOk(t.url, CreateApiKeyDocument, { input: { name: 'line 1 agent', preset: 'edge_agent' } }, { token });
    const key = created.createApiKey;
    expect(key.plaintextKey).toMatch(/^hk_[0-9A-Za-z]{40}$/);
    expect(key.key).toBe(key.plaintextKey);
    expect(key.plaintextKey.startsWith(key.keyPrefix)).toBe(true);
    expect(key).toMatchObject({ name: 'line 1 agent', tenantId, expiresAt: null, lastUsedAt: null });
    expect([...key.scopes].sort()).toEqual(['agent', 'ingest']);

    const keys = await executeOk(t.url, ApiKeysDocument, { page: 1, pageSize: 10 }, { token });
    expect(keys.apiKeys).toMatchObject({ total: 1, page: 1, pageSize: 10, totalPages: 1 });
    expect(keys.apiKeys.items[0]).toMatchObject({ id: key.id, keyPrefix: key.keyPrefix, name: 'line 1 agent' });
    expect(keys.apiKeys.items[0]).not.toHaveProperty('plaintextKey');

    const audit = await executeOk(t.url, AuditEventsDocument, {}, { token });
    const actions = audit.auditEvents.items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['register', 'login_success', 'create_api_key']));
    const keyEvent = audit.auditEvents.items.find((e) => e.action === 'create_api_key')!;
    expect(keyEvent).toMatchObject({ tenantId, resourceType: 'api_key', resourceId: key.id, userId: me.me.id });
    expect(keyEvent.createdAt).toMatch(ISO_UTC);
    expect(typeof keyEvent.details).toBe('object');

    const filtered = await executeOk(t.url, AuditEventsDocument, { action: 'create_api_key', pageSize: 5 }, { token });
    expect(filtered.auditEvents.total).toBe(1);
    expect(filtered.auditEvents.items.map((e) => e.action)).toEqual(['create_api_key']);
  });

  it('users, createUser, updateUser, revokeApiKey, refreshToken and logout', async () => {
    const admin = await register('ops');
    const token = admin.token;
    const email = `op-${randomUUID().slice(0, 8)}@example.com`;
    const created = await executeOk(t.url, CreateUserDocument, {
      input: { email, fullName: 'Olga Operator', role: 'operator', password: STRONG_PASSWORD },
    }, { token });
    expect(created.createUser).toMatchObject({ email, role: 'operator', isActive: true, lastLoginAt: null });

    const updated = await executeOk(t.url, UpdateUserDocument, { id: created.createUser.id, input: { role: 'viewer' } }, { token });
    expect(updated.updateUser.role).toBe('viewer');

    const users = await executeOk(t.url, UsersDocument, {}, { token });
    expect(users.users.total).toBe(2);
    expect(users.users.items.map((u) => u.email)).toEqual(expect.arrayContaining([admin.email, email]));

    const key = await executeOk(t.url, CreateApiKeyDocument, { input: { name: 'reader', scopes: ['read:machines'] } }, { token });
    const revoked = await executeOk(t.url, RevokeApiKeyDocument, { id: key.createApiKey.id }, { token });
    expect(revoked.revokeApiKey).toBe(true);
    expect((await executeOk(t.url, ApiKeysDocument, {}, { token })).apiKeys.total).toBe(0);

    const refreshed = await executeOk(t.url, RefreshTokenDocument, { refreshToken: admin.refreshToken }, {});
    expect(refreshed.refreshToken.accessToken).toBeTruthy();
    expect(refreshed.refreshToken.refreshToken).not.toBe(admin.refreshToken);

    const newToken = refreshed.refreshToken.accessToken;
    const out = await executeOk(t.url, LogoutDocument, { refreshToken: refreshed.refreshToken.refreshToken }, { token: newToken });
    expect(out.logout.detail).toBeTruthy();
    const after = await execute(t.url, MeDocument, {}, { token: newToken });
    expect(after.data ?? null).toBeNull();
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('auditEventRecorded delivers the tenant\'s new events over graphql-ws', async () => {
    const admin = await register('live');
    const client = createClient({
      url: `${t.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${admin.token}` },
      retryAttempts: 0,
    });
    try {
      const sub = client.iterate<AuditEventRecordedSubscription>({ query: print(AuditEventRecordedDocument) });
      const first = sub.next();
      // The server gives no signal when the subscription is live on the bus, so keep causing
      // events until one arrives; the first delivered one must be one of ours.
      const createdIds: string[] = [];
      let got: Awaited<typeof first> | undefined;
      for (let i = 0; i < 25 && !got; i++) {
        const key = await executeOk(t.url, CreateApiKeyDocument, { input: { name: `live key ${i}` } }, { token: admin.token });
        createdIds.push(key.createApiKey.id);
        got = await Promise.race([first, new Promise<undefined>((r) => setTimeout(() => r(undefined), 200))]);
      }
      expect(got?.done).toBe(false);
      const event = got?.value?.data?.auditEventRecorded;
      expect(event).toMatchObject({ action: 'create_api_key', resourceType: 'api_key' });
      expect(createdIds).toContain(event?.resourceId);
      await sub.return?.();
    } finally {
      await client.dispose();
    }
  });
});
