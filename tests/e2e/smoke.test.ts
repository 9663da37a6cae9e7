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
