import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiKey, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { graphqlWsInit as rawConnect, within } from '../helpers/sockets.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const WAIT_MS = 5_000;
const SUBSCRIPTION = `subscription { auditEventRecorded { id tenantId userId apiKeyId action resourceType resourceId details ipAddress createdAt } }`;

interface AuditEventMsg {
  id: string;
  tenantId: string;
  userId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

const wsUrl = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/graphql`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** An auditEventRecorded subscription over graphql-ws that collects events and errors. */
class AuditSubscription {
  readonly events: AuditEventMsg[] = [];
  readonly errors: unknown[] = [];
  private readonly client: Client;
  private waiters: (() => void)[] = [];

  constructor(httpUrl: string, connectionParams: Record<string, unknown>) {
    this.client = createClient({
      url: wsUrl(httpUrl),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
    });
    this.client.subscribe<{ auditEventRecorded: AuditEventMsg }>(
      { query: SUBSCRIPTION },
      {
        next: (r) => {
          if (r.errors) this.errors.push(...r.errors);
          if (r.data?.auditEventRecorded) this.events.push(r.data.auditEventRecorded);
          this.wake();
        },
        error: (e) => {
          this.errors.push(e);
          this.wake();
        },
        complete: () => this.wake(),
      },
    );
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits (bounded) for the first collected event matching pred. */
  async waitFor(pred: (e: AuditEventMsg) => boolean, ms = WAIT_MS, what = 'audit event'): Promise<AuditEventMsg> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (this.errors.length) throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(this.events.map((e) => e.action))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * The server subscribes to the bus asynchronously after the subscribe message; keep producing
   * a harmless audited event in the tenant (a failed login) until one arrives, so later
   * assertions cannot race the subscription set-up.
   */
  async warmUp(api: string, s: TenantSession): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      const r = await http('POST', `${api}/auth/login`, { body: { email: s.email, password: 'Wr0ngWarmUp1' } });
      expect(r.status).toBe(401);
      try {
        await this.waitFor((e) => e.action === 'login_failure', 300);
        return;
      } catch (err) {
        if (this.errors.length) throw err;
      }
    }
    throw new Error(`subscription never became active within ${WAIT_MS} ms`);
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

describe.skipIf(pgSvc.skip)(`auditEventRecorded subscription${pgSvc.label}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('delivers an event for a REST action in the same tenant', async () => {
    const s = await registerTenant(t.api, 'sub');
    const sub = new AuditSubscription(t.url, { authorization: `Bearer ${s.token}` });
    try {
      await sub.warmUp(t.api, s);
      const key = await createApiKey(t.api, s, 'edge_agent');
      const ev = await sub.waitFor((e) => e.action === 'create_api_key', WAIT_MS, 'create_api_key');
      expect(ev).toMatchObject({ tenantId: s.tenantId, userId: s.userId, action: 'create_api_key', resourceType: 'api_key', resourceId: key.id });
      expect(ev.details).toMatchObject({ scopes: ['ingest', 'agent'] });
      expect(ev.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(ev.createdAt))).toBe(false);

      // the pushed event is the stored one
      const stored = await http('GET', `${t.api}/audit?action=create_api_key`, { token: s.token });
      expect(stored.body.items[0]).toMatchObject({ id: ev.id, resource_id: key.id });

      await http('DELETE', `${t.api}/settings/api-keys/${key.id}`, { token: s.token });
      const revoked = await sub.waitFor((e) => e.action === 'revoke_api_key', WAIT_MS, 'revoke_api_key');
      expect(revoked.resourceId).toBe(key.id);
      expect(sub.errors).toEqual([]);
    } finally {
      await sub.close();
    }
  });

  it('also reads the token from connection_init payload.headers', async () => {
    const s = await registerTenant(t.api, 'subhdr');
    const sub = new AuditSubscription(t.url, { headers: { Authorization: `Bearer ${s.token}` } });
    try {
      await sub.warmUp(t.api, s);
      const key = await createApiKey(t.api, s, 'read_only');
      expect((await sub.waitFor((e) => e.action === 'create_api_key')).resourceId).toBe(key.id);
    } finally {
      await sub.close();
    }
  });

  it('an API key may connect, but the user-only subscription answers FORBIDDEN with extensions.code', async () => {
    const s = await registerTenant(t.api, 'subkey');
    const { key } = await createApiKey(t.api, s, ['ingest', 'agent', 'read:machines', 'read:sensors']);
    const raw = await rawConnect(t.url, { 'x-api-key': key });
    try {
      expect(raw.acked).toBe(true);
      const reply = within(
        new Promise<{ type: string; payload?: { errors?: { message: string; extensions?: Record<string, unknown> }[] } }>((resolve) => {
          raw.ws.on('message', (data) => {
            const msg = JSON.parse(String(data));
            if (msg.id === '1' && (msg.type === 'next' || msg.type === 'error')) resolve(msg);
          });
        }),
        WAIT_MS,
        'subscription reply',
      );
      raw.ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION } }));
      const msg = await reply;
      expect(msg.type).toBe('next');
      const err = msg.payload?.errors?.[0];
      expect(err?.message).toBe('This endpoint requires a user token; API keys are not accepted');
      expect(err?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      raw.ws.close();
    }
  });

  it('does not deliver events of another tenant', async () => {
    const a = await registerTenant(t.api, 'suba');
    const b = await registerTenant(t.api, 'subb');
    const sub = new AuditSubscription(t.url, { authorization: `Bearer ${a.token}` });
    try {
      await sub.warmUp(t.api, a);
      const theirs = await createApiKey(t.api, b, 'edge_agent');
      await http('POST', `${t.api}/users`, { token: b.token, body: { email: `x-${Date.now()}@example.com`, full_name: 'X', role: 'viewer', password: 'Str0ngPassw0rd!' } });
      const ours = await createApiKey(t.api, a, 'edge_agent');
      // events are delivered in publish order: had b's leaked, they would be here before ours
      const ev = await sub.waitFor((e) => e.action === 'create_api_key', WAIT_MS, "a's create_api_key");
      expect(ev.resourceId).toBe(ours.id);
      await sleep(200);
      expect(sub.events.every((e) => e.tenantId === a.tenantId)).toBe(true);
      expect(sub.events.some((e) => e.resourceId === theirs.id)).toBe(false);
      expect(sub.events.some((e) => e.action === 'create_user')).toBe(false);
    } finally {
      await sub.close();
    }
  });

  it('refuses connection_init without credentials or with a bad one (close 4403)', async () => {
    const s = await registerTenant(t.api, 'subdeny');
    const cases: [string, Record<string, unknown> | undefined][] = [
      ['no payload', undefined],
      ['empty payload', {}],
      ['bad bearer', { authorization: 'Bearer not.a.token' }],
      ['refresh token as bearer', { authorization: `Bearer ${s.refreshToken}` }],
      ['bad api key', { 'x-api-key': `hk_${'Z'.repeat(40)}` }],
    ];
    for (const [name, payload] of cases) {
      const r = await rawConnect(t.url, payload);
      expect(r.acked, name).toBe(false);
      expect(r.closeCode, name).toBe(4403);
    }
    // a token that was valid but has been logged out is refused too
    expect((await http('POST', `${t.api}/auth/logout`, { token: s.token })).status).toBe(200);
    const loggedOut = await rawConnect(t.url, { authorization: `Bearer ${s.token}` });
    expect(loggedOut.closeCode).toBe(4403);

    // and through the graphql-ws client the subscription fails with that close code
    const sub = new AuditSubscription(t.url, { authorization: 'Bearer nope' });
    try {
      await within(
        (async () => {
          while (!sub.errors.length) await sleep(20);
        })(),
        WAIT_MS,
        'client error',
      );
      expect((sub.errors[0] as { code?: number }).code).toBe(4403);
      expect(sub.events).toEqual([]);
    } finally {
      await sub.close();
    }
  });
});

describe.skipIf(pgSvc.skip || redisSvc.skip)(`auditEventRecorded across two instances sharing Redis${pgSvc.label}${redisSvc.label}`, () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ redis: true });
    b = await startTestApp({ redis: true, databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    // b only borrows a's database; a drops it
    await b?.stop();
    await a?.stop();
  });

  it('an action on instance B reaches a subscriber on instance A', async () => {
    expect(b.url).not.toBe(a.url);
    const s = await registerTenant(b.api, 'redis');
    const sub = new AuditSubscription(a.url, { authorization: `Bearer ${s.token}` });
    try {
      await sub.warmUp(b.api, s);
      const key = await createApiKey(b.api, s, 'edge_agent');
      const ev = await sub.waitFor((e) => e.action === 'create_api_key', WAIT_MS, 'create_api_key from B');
      expect(ev).toMatchObject({ tenantId: s.tenantId, userId: s.userId, resourceType: 'api_key', resourceId: key.id });
      // B's logout is honoured by A: the same token can no longer open a subscription there
      expect((await http('POST', `${b.api}/auth/logout`, { token: s.token })).status).toBe(200);
      const refused = await rawConnect(a.url, { authorization: `Bearer ${s.token}` });
      expect(refused.closeCode).toBe(4403);
    } finally {
      await sub.close();
    }
  });
});
