import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

describe.skipIf(pgSvc.skip)(`server smoke on PostgreSQL${pgSvc.label}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('registers a tenant and reads it back through /auth/me', async () => {
    const s = await registerTenant(t.api);
    const me = await http('GET', `${t.api}/auth/me`, { token: s.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: s.email, role: 'admin', tenant_id: s.tenantId, mfa_enabled: false });
  });
});

describe('server smoke on the embedded default (PGlite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ db: 'embedded' });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('serves register, login and me on embedded PostgreSQL', async () => {
    const s = await registerTenant(t.api, 'embedded');
    const login = await http('POST', `${t.api}/auth/login`, { body: { email: s.email, password: s.password } });
    expect(login.status).toBe(200);
    const me = await http('GET', `${t.api}/auth/me`, { token: login.body.access_token });
    expect(me.body).toMatchObject({ email: s.email, tenant_id: s.tenantId });
  });

  it('revokes tokens on logout without Redis (revocations in the database)', async () => {
    const s = await registerTenant(t.api, 'embedded-logout');
    expect((await http('POST', `${t.api}/auth/logout`, { token: s.token })).status).toBe(200);
    const after = await http('GET', `${t.api}/auth/me`, { token: s.token });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ detail: 'Token has been revoked' });
  });
});
