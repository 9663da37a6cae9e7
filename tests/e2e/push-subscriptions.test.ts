/**
 * Web push (issue 14) on both doors: the VAPID public key (generated once per installation and
 * shared by every process on the database, or taken from configuration), subscribe and
 * unsubscribe of the caller's own subscriptions (another user's or tenant's endpoint: 404), the
 * auth secret sealed at rest, the outbound guard on the endpoint, bad input on every body field
 * (422 with loc), API keys refused, the per-user cap, audit, and what the delivery engine reads.
 */
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationTargetsChangedTopic, type NotificationTargetsChanged } from '../../src/notifications/notification.events.js';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}
const endpoint = () => `https://fcm.googleapis.com/fcm/send/${randomUUID()}`;

describe.skipIf(pgSvc.skip)(`push subscriptions${pgSvc.label}`, () => {
  let t: TestApp;
  let db: pg.Client;
  let a: TenantSession;
  let viewerA: TenantSession;
  let operatorA: TenantSession;
  let b: TenantSession;

  async function subscribe(s: TenantSession, body: Record<string, unknown>) {
    const r = await http('POST', `${t.api}/push/subscribe`, { token: s.token, body });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }
  const unsubscribe = (s: TenantSession, ep: unknown) => http('DELETE', `${t.api}/push/subscribe`, { token: s.token, body: { endpoint: ep } });

  async function rejects(method: string, body: unknown, loc: (string | number)[]) {
    const r = await http(method, `${t.api}/push/subscribe`, { token: viewerA.token, body });
    expect(r.status, `${JSON.stringify(body).slice(0, 200)} -> ${r.text}`).toBe(422);
    expect(r.body.detail.map((d: { loc: unknown }) => d.loc), r.text).toContainEqual(loc);
  }

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    a = await registerTenant(t.api, 'psa');
    b = await registerTenant(t.api, 'psb');
    [viewerA, operatorA] = await Promise.all([createUserSession(t.api, a, 'viewer'), createUserSession(t.api, a, 'operator')]);
  });
  afterAll(async () => {
    await db?.end();
    await t?.stop();
  });

  it('serves one VAPID public key per installation: generated once, private key sealed, the same for every process', async () => {
    const r = await http('GET', `${t.api}/push/vapid-public-key`, { token: viewerA.token });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['public_key']);
    const raw = Buffer.from(r.body.public_key, 'base64url');
    expect(raw).toHaveLength(65);
    expect(raw[0]).toBe(4);
    const keys = await t.app.container.services.pushSubscriptions.vapid();
    expect(keys).toMatchObject({ publicKey: r.body.public_key, subject: 'mailto:admin@localhost' });
    const row = await db.query('select public_key, private_key from vapid_keys');
    expect(row.rows).toHaveLength(1);
    expect(row.rows[0].private_key).toMatch(/^v1\./);
    expect(row.rows[0].private_key).not.toContain(keys.privateKey);

    // a second process on the same database (and the same sealing key directory) signs with the same pair
    const second = await startTestApp({ databaseUrl: t.databaseUrl, env: { DATA_DIR: t.app.container.config.dataDir } });
    try {
      const r2 = await http('GET', `${second.api}/push/vapid-public-key`, { token: a.token });
      expect(r2.body.public_key).toBe(r.body.public_key);
      expect((await second.app.container.services.pushSubscriptions.vapid()).privateKey).toBe(keys.privateKey);
    } finally {
      await second.stop();
    }
    const g = await gql(t.url, 'query { vapidPublicKey }', {}, { token: b.token });
    expect(g.body.data?.vapidPublicKey).toBe(r.body.public_key);
  });

  it('takes the VAPID keys from configuration when given', async () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const pub = ecdh.getPublicKey().toString('base64url');
    const priv = ecdh.getPrivateKey().toString('base64url');
    const configured = await startTestApp({ env: { VAPID_PUBLIC_KEY: pub, VAPID_PRIVATE_KEY: priv, VAPID_SUBJECT: 'https://ops.example.com' } });
    try {
      const s = await registerTenant(configured.api, 'psc');
      const r = await http('GET', `${configured.api}/push/vapid-public-key`, { token: s.token });
      expect(r.body).toEqual({ public_key: pub });
      expect(await configured.app.container.services.pushSubscriptions.vapid()).toEqual({ publicKey: pub, privateKey: priv, subject: 'https://ops.example.com' });
    } finally {
      await configured.stop();
    }
  });

  it('subscribes and unsubscribes the caller; auth is sealed at rest; the delivery engine reads it decrypted', async () => {
    const events: NotificationTargetsChanged[] = [];
    const off = t.app.container.bus.on(notificationTargetsChangedTopic(a.tenantId), (e) => void events.push(e));
    try {
      const keys = browserKeys();
      const ep = endpoint();
      const sub = await subscribe(viewerA, { endpoint: ep, keys });
      expect(Object.keys(sub).sort()).toEqual(['created_at', 'endpoint', 'id', 'min_severity']);
      expect(sub).toMatchObject({ endpoint: ep, min_severity: 'warning' });
      const row = await db.query('select row_to_json(p)::text as j, auth, p256dh, user_id from push_subscriptions p where id = $1', [sub.id]);
      expect(row.rows[0].auth).toMatch(/^v1\./);
      expect(row.rows[0].j).not.toContain(keys.auth);
      expect(row.rows[0]).toMatchObject({ p256dh: keys.p256dh, user_id: viewerA.userId });

      const targets = await t.app.container.services.pushSubscriptions.forTenant(a.tenantId);
      expect(targets).toEqual([{ id: sub.id, userId: viewerA.userId, endpoint: ep, p256dh: keys.p256dh, auth: keys.auth, minSeverity: 'warning' }]);
      expect(await t.app.container.services.pushSubscriptions.forTenant(b.tenantId)).toEqual([]);
      // a tenant with only a push subscription is followed by the delivery engine
      expect(await t.app.container.services.notificationChannels.tenantsWithTargets()).toContain(a.tenantId);

      const own = await gql(t.url, 'query { pushSubscriptions { id endpoint minSeverity } }', {}, { token: viewerA.token });
      expect(own.body.data?.pushSubscriptions).toEqual([{ id: sub.id, endpoint: ep, minSeverity: 'warning' }]);
      expect((await gql(t.url, 'query { pushSubscriptions { id } }', {}, { token: operatorA.token })).body.data?.pushSubscriptions).toEqual([]);

      // another user of the tenant and another tenant cannot remove it
      expect((await unsubscribe(operatorA, ep)).status).toBe(404);
      const foreign = await unsubscribe(b, ep);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ detail: 'Push subscription not found' });
      expect((await unsubscribe(viewerA, ep)).status).toBe(204);
      expect((await unsubscribe(viewerA, ep)).status).toBe(404);
      expect(await t.app.container.services.pushSubscriptions.forTenant(a.tenantId)).toEqual([]);

      const audit = await http('GET', `${t.api}/audit?resource_id=${sub.id}`, { token: a.token });
      expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['push_subscribe', 'push_unsubscribe']);
      expect(audit.text).not.toContain(keys.auth);
      await expect.poll(() => events.length).toBeGreaterThanOrEqual(2);
    } finally {
      off();
    }
  });

  it('re-subscribing an endpoint updates it (and hands it to the user who subscribed it last); tenants are separate', async () => {
    const ep = endpoint();
    const first = await subscribe(viewerA, { endpoint: ep, keys: browserKeys() });
    const newKeys = browserKeys();
    const again = await subscribe(operatorA, { endpoint: ep, keys: newKeys, min_severity: 'critical' });
    expect(again.id).toBe(first.id);
    expect(again.min_severity).toBe('critical');
    const targets = await t.app.container.services.pushSubscriptions.forTenant(a.tenantId);
    expect(targets.find((s) => s.id === first.id)).toMatchObject({ userId: operatorA.userId, auth: newKeys.auth, p256dh: newKeys.p256dh, minSeverity: 'critical' });
    expect((await unsubscribe(viewerA, ep)).status).toBe(404);
    // the same browser endpoint in another tenant is that tenant's own row
    const inB = await subscribe(b, { endpoint: ep, keys: browserKeys() });
    expect(inB.id).not.toBe(first.id);
    expect((await unsubscribe(operatorA, ep)).status).toBe(204);
    expect((await t.app.container.services.pushSubscriptions.forTenant(b.tenantId)).map((s) => s.id)).toEqual([inB.id]);
    // a subscription the push service reports gone is dropped
    await t.app.container.services.pushSubscriptions.removeGone(b.tenantId, inB.id);
    expect(await t.app.container.services.pushSubscriptions.forTenant(b.tenantId)).toEqual([]);
  });

  it('skips a subscription whose sealed auth does not open (moved from another row); the others are still read', async () => {
    const c = await registerTenant(t.api, 'pst');
    const one = await subscribe(c, { endpoint: endpoint(), keys: browserKeys() });
    const two = await subscribe(c, { endpoint: endpoint(), keys: browserKeys() });
    await db.query('update push_subscriptions set auth = (select auth from push_subscriptions where id = $1) where id = $2', [one.id, two.id]);
    expect((await t.app.container.services.pushSubscriptions.forTenant(c.tenantId)).map((s) => s.id)).toEqual([one.id]);
  });

  it("sends nothing to a deactivated user's browsers", async () => {
    const u = await createUserSession(t.api, a, 'operator');
    const sub = await subscribe(u, { endpoint: endpoint(), keys: browserKeys() });
    const ids = async () => (await t.app.container.services.pushSubscriptions.forTenant(a.tenantId)).map((s) => s.id);
    expect(await ids()).toContain(sub.id);
    const off = await http('PATCH', `${t.api}/users/${u.userId}`, { token: a.token, body: { is_active: false } });
    expect(off.status, off.text).toBe(200);
    expect(await ids()).not.toContain(sub.id);
  });

  it('keeps at most 20 subscriptions per user, dropping the oldest', async () => {
    const u = await createUserSession(t.api, a, 'viewer');
    const eps: string[] = [];
    for (let i = 0; i < 22; i++) {
      eps.push(endpoint());
      await subscribe(u, { endpoint: eps[i], keys: browserKeys() });
    }
    const own = await gql(t.url, 'query { pushSubscriptions { endpoint } }', {}, { token: u.token });
    const kept = own.body.data!.pushSubscriptions.map((s: { endpoint: string }) => s.endpoint);
    expect(kept).toHaveLength(20);
    expect(kept).not.toContain(eps[0]);
    expect(kept).not.toContain(eps[1]);
    expect(kept).toContain(eps[21]);
  });

  it('refuses bad input on every body field with 422 and its loc, never a 500', async () => {
    const keys = browserKeys();
    const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url');
    const cases: [unknown, (string | number)[]][] = [
      [{ keys }, ['body', 'endpoint']],
      [{ endpoint: '', keys }, ['body', 'endpoint']],
      [{ endpoint: 42, keys }, ['body', 'endpoint']],
      [{ endpoint: 'not a url', keys }, ['body', 'endpoint']],
      [{ endpoint: 'ftp://push.example.com/x', keys }, ['body', 'endpoint']],
      [{ endpoint: `https://push.example.com/${'a'.repeat(2100)}`, keys }, ['body', 'endpoint']],
      [{ endpoint: 'http://127.0.0.1:8080/push', keys }, ['body', 'endpoint']],
      [{ endpoint: 'http://localhost/push', keys }, ['body', 'endpoint']],
      [{ endpoint: 'http://169.254.169.254/push', keys }, ['body', 'endpoint']],
      [{ endpoint: endpoint() }, ['body', 'keys']],
      [{ endpoint: endpoint(), keys: 'k' }, ['body', 'keys']],
      [{ endpoint: endpoint(), keys: { auth: keys.auth } }, ['body', 'keys', 'p256dh']],
      [{ endpoint: endpoint(), keys: { p256dh: keys.p256dh } }, ['body', 'keys', 'auth']],
      [{ endpoint: endpoint(), keys: { ...keys, p256dh: 'not base64!' } }, ['body', 'keys', 'p256dh']],
      [{ endpoint: endpoint(), keys: { ...keys, p256dh: randomBytes(33).toString('base64url') } }, ['body', 'keys', 'p256dh']],
      [{ endpoint: endpoint(), keys: { ...keys, p256dh: offCurve } }, ['body', 'keys', 'p256dh']],
      [{ endpoint: endpoint(), keys: { ...keys, p256dh: 'A'.repeat(5000) } }, ['body', 'keys', 'p256dh']],
      [{ endpoint: endpoint(), keys: { ...keys, auth: randomBytes(8).toString('base64url') } }, ['body', 'keys', 'auth']],
      [{ endpoint: endpoint(), keys: { ...keys, auth: 7 } }, ['body', 'keys', 'auth']],
      [{ endpoint: endpoint(), keys, min_severity: 'loud' }, ['body', 'min_severity']],
    ];
    for (const [body, loc] of cases) await rejects('POST', body, loc);
    await rejects('DELETE', {}, ['body', 'endpoint']);
    await rejects('DELETE', { endpoint: 5 }, ['body', 'endpoint']);
    await rejects('DELETE', { endpoint: 'x'.repeat(2049) }, ['body', 'endpoint']);
    // an endpoint that is not a URL cannot be stored, so it is simply not found
    expect((await unsubscribe(viewerA, 'not a url')).status).toBe(404);
    const g = await gql(t.url, 'mutation($input: PushSubscribeInput!) { subscribePush(input: $input) { id } }', { input: { endpoint: 'http://[::1]/x', keys } }, { token: a.token });
    expect(g.body.errors?.[0]?.extensions?.reason).toBe('INVALID_PUSH_SUBSCRIPTION');
    expect(g.body.errors?.[0]?.extensions?.issues?.[0]?.loc).toEqual(['endpoint']);
  });

  it('refuses API keys on every push row; GraphQL subscribe and unsubscribe work for users', async () => {
    const key = await createApiKey(t.api, a, ['read:machines']);
    for (const [method, path, body] of [
      ['GET', '/push/vapid-public-key', undefined],
      ['POST', '/push/subscribe', { endpoint: endpoint(), keys: browserKeys() }],
      ['DELETE', '/push/subscribe', { endpoint: endpoint() }],
    ] as const) {
      const r = await http(method, `${t.api}${path}`, { apiKey: key.key, body });
      expect(r.status, `${method} ${path} -> ${r.text}`).toBe(403);
    }
    const ep = endpoint();
    const s = await gql(t.url, 'mutation($input: PushSubscribeInput!) { subscribePush(input: $input) { id endpoint minSeverity } }', { input: { endpoint: ep, keys: browserKeys(), minSeverity: 'info' } }, { token: viewerA.token });
    expect(s.body.data?.subscribePush).toMatchObject({ endpoint: ep, minSeverity: 'info' });
    const u = await gql(t.url, 'mutation($e: String!) { unsubscribePush(endpoint: $e) }', { e: ep }, { token: viewerA.token });
    expect(u.body.data?.unsubscribePush).toBe(true);
    const again = await gql(t.url, 'mutation($e: String!) { unsubscribePush(endpoint: $e) }', { e: ep }, { token: viewerA.token });
    expect(again.body.errors?.[0]?.extensions?.reason).toBe('PUSH_SUBSCRIPTION_NOT_FOUND');
  });
});

describe('web push and channels on the embedded database (PGlite)', () => {
  let e: TestApp;
  beforeAll(async () => {
    e = await startTestApp({ db: 'embedded' });
  });
  afterAll(async () => {
    await e?.stop();
  });

  it('generates the VAPID pair, stores a subscription (upsert) and a channel (limit lock) the same way', async () => {
    const s = await registerTenant(e.api, 'pse');
    const key = await http('GET', `${e.api}/push/vapid-public-key`, { token: s.token });
    expect(Buffer.from(key.body.public_key, 'base64url')).toHaveLength(65);
    const ep = endpoint();
    const first = await http('POST', `${e.api}/push/subscribe`, { token: s.token, body: { endpoint: ep, keys: browserKeys() } });
    expect(first.status, first.text).toBe(201);
    const again = await http('POST', `${e.api}/push/subscribe`, { token: s.token, body: { endpoint: ep, keys: browserKeys() } });
    expect(again.body.id).toBe(first.body.id);
    const ch = await http('POST', `${e.api}/notification-channels`, { token: s.token, body: { name: 'Embedded', type: 'webhook', config: { url: 'https://hooks.example.com/x', headers: { 'X-K': 'v' } } } });
    expect(ch.status, ch.text).toBe(201);
    expect(await e.app.container.services.notificationChannels.getForSend(s.tenantId, ch.body.id)).toMatchObject({ headers: { 'X-K': 'v' }, signingSecret: ch.body.signing_secret });
    expect((await http('DELETE', `${e.api}/push/subscribe`, { token: s.token, body: { endpoint: ep } })).status).toBe(204);
  });
});
