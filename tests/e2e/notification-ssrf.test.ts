/**
 * The outbound address guard on notification deliveries, end to end on loopback only (issue 14).
 * The app allows exactly 127.0.0.2 (OUTBOUND_ALLOWED_CIDRS) and refuses the rest of loopback: every
 * loopback form is refused at create (422) and, for a channel whose URL changed under the API's
 * feet, at send (dead at once); a redirect to loopback is not followed; a rebinding name that
 * answers 127.0.0.2 and then 127.0.0.1 only ever reaches 127.0.0.2. Receivers listen on 127.0.0.1
 * and 127.0.0.2 (same port): the 127.0.0.1 one must never see a request.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../bench/lib/webhook-receiver.js';
import type { AlertLifecycleService } from '../../src/alerts/alert-lifecycle.service.js';
import { AlertRule } from '../../src/alerts/alert-rule.entity.js';
import type { RequestContext } from '../../src/common/context.js';
import type { LookupAll } from '../../src/connectivity/outbound-guard.js';
import { NotificationDeliveryService } from '../../src/notifications/notification-delivery.service.js';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

type Msg = Record<string, any>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(pgSvc.skip)(`notification SSRF guard on loopback${pgSvc.label}`, () => {
  let t: TestApp;
  let lifecycle: AlertLifecycleService;
  /** must never receive anything */
  let forbidden: WebhookReceiver;
  /** the one allowed loopback address, same port */
  let allowed: WebhookReceiver;
  let s: TenantSession;
  let machineId: string;

  beforeAll(async () => {
    forbidden = await startWebhookReceiver();
    allowed = await startWebhookReceiver({ host: '127.0.0.2', port: forbidden.port });
    t = await startTestApp({ env: { OUTBOUND_ALLOWED_CIDRS: '127.0.0.2/32', NOTIFY_TIMEOUT_MS: '2000', NOTIFY_SWEEP_MS: '600000' } });
    lifecycle = t.app.container.services.alertLifecycle;
    s = await registerTenant(t.api, 'ssrf');
    const m = await http('POST', `${t.api}/machines`, { token: s.token, body: { name: 'Guarded', machine_identifier: `SSRF-${randomUUID().slice(0, 8)}`, protocol: 'json' } });
    expect(m.status).toBe(201);
    machineId = m.body.id;
  });
  afterAll(async () => {
    await t?.stop();
    await forbidden?.close();
    await allowed?.close();
  });

  async function raise(): Promise<void> {
    const em = t.app.container.db.em();
    const r = new AlertRule();
    r.tenantId = s.tenantId;
    r.name = 'Guarded rule';
    r.metricName = 'temperature';
    r.operator = '>';
    r.warningThreshold = 80;
    r.criticalThreshold = 85;
    r.messageTemplate = 'hot';
    await em.persist(r).flush();
    const opened = await lifecycle.open(s.tenantId, { id: r.id, name: r.name, messageTemplate: r.messageTemplate }, machineId, {
      severity: 'critical', metricName: 'temperature', operator: '>', metricValue: 90, thresholdValue: 85, unit: 'celsius',
    });
    expect(opened).not.toBeNull();
  }

  async function lastDelivery(channelId: string, pred: (d: Msg) => boolean, what: string): Promise<Msg> {
    const deadline = Date.now() + 8000;
    for (;;) {
      const r = await http('GET', `${t.api}/notification-channels/${channelId}/deliveries`, { token: s.token });
      const d = r.body.items?.[0];
      if (d && pred(d)) return d;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(r.body)}`);
      await sleep(50);
    }
  }

  const port = () => forbidden.port;
  const loopbackForms = () => [
    `http://localhost:${port()}/hook`,
    `http://127.0.0.1:${port()}/hook`,
    `http://[::1]:${port()}/hook`,
    `http://0.0.0.0:${port()}/hook`,
    `http://2130706433:${port()}/hook`,
    `http://[::ffff:127.0.0.1]:${port()}/hook`,
  ];

  it('every loopback form is refused when a channel is created (422 at config.url) and nothing is dialled', async () => {
    for (const url of loopbackForms()) {
      const r = await http('POST', `${t.api}/notification-channels`, { token: s.token, body: { name: 'ssrf', type: 'webhook', config: { url } } });
      expect(r.status, url).toBe(422);
      expect(r.body.detail[0].loc, url).toEqual(['body', 'config', 'url']);
    }
    expect(forbidden.requests).toHaveLength(0);
  });

  it('at send time the same forms are a permanent failure: dead after one try, nothing dialled', async () => {
    allowed.clear();
    const created = await http('POST', `${t.api}/notification-channels`, { token: s.token, body: { name: 'ok', type: 'webhook', config: { url: `${allowed.url}/hook` } } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await raise();
    await lastDelivery(id, (d) => d.status === 'delivered', 'the allowed delivery');
    expect(allowed.requests).toHaveLength(1);

    // the URL changes behind the API (a channel stored under an older, looser policy)
    const conn = t.app.container.db.em().getConnection();
    for (const url of loopbackForms()) {
      await conn.execute(`update notification_channels set config = jsonb_set(config, '{url}', to_jsonb(?::text)) where id = ?`, [url, id]);
      await raise();
      const d = await lastDelivery(id, (x) => x.status === 'dead', `the refusal of ${url}`);
      expect(d.attempts, url).toBe(1);
      expect(d.last_status_code, url).toBeNull();
      expect(d.last_error, url).toMatch(/refused/);
    }
    expect(forbidden.requests).toHaveLength(0);
    await conn.execute(`update notification_channels set is_active = false where id = ?`, [id]);
  });

  it('a redirect to loopback is not followed: the delivery is dead with the 3xx', async () => {
    allowed.clear();
    allowed.respond((r) => (r.path === '/redirect' ? { status: 307, headers: { Location: `${forbidden.url}/hook` } } : { status: 200 }));
    const created = await http('POST', `${t.api}/notification-channels`, { token: s.token, body: { name: 'redirect', type: 'webhook', config: { url: `${allowed.url}/redirect` } } });
    expect(created.status).toBe(201);
    await raise();
    const d = await lastDelivery(created.body.id, (x) => x.status === 'dead', 'the redirected delivery');
    expect(d).toMatchObject({ attempts: 1, last_status_code: 307 });
    expect(d.last_error).toMatch(/not followed/);
    await sleep(200);
    expect(allowed.requests.map((r) => r.path)).toEqual(['/redirect']);
    expect(forbidden.requests).toHaveLength(0);
    await t.app.container.db.em().getConnection().execute(`update notification_channels set is_active = false where id = ?`, [created.body.id]);
    allowed.respond({ status: 200 });
  });

  it('a rebinding name (127.0.0.2, then 127.0.0.1) is resolved once per try and dialled at the checked address: only 127.0.0.2 is reached', async () => {
    allowed.clear();
    const answers = ['127.0.0.2', '127.0.0.1'];
    const asked: string[] = [];
    const rebinding: LookupAll = async (host) => {
      asked.push(host);
      return [{ address: answers[Math.min(asked.length - 1, answers.length - 1)]!, family: 4 }];
    };
    // the name does not resolve on this machine, so the API lets it be stored (it is checked again at every send)
    const created = await http('POST', `${t.api}/notification-channels`, { token: s.token, body: { name: 'rebind', type: 'webhook', config: { url: `http://rebind.invalid:${port()}/hook` } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const c = t.app.container;
    // an engine as a process builds it, with the rebinding resolver in place of the system's
    const engine = new NotificationDeliveryService({
      db: c.db, bus: c.bus, jobs: c.jobs, config: c.config, log: c.log, audit: c.services.audit,
      channels: c.services.notificationChannels, policies: c.services.escalationPolicies, push: c.services.pushSubscriptions, lookup: rebinding,
    });
    const ctx = { requestId: 'ssrf-test', log: c.log, principal: { kind: 'user', userId: s.userId, tenantId: s.tenantId, role: 'admin', tokenJti: 'x', tokenExp: 0 } } as RequestContext;

    expect(await engine.test(ctx, created.body.id)).toEqual({ success: true });
    expect(asked).toEqual(['rebind.invalid']);
    expect(allowed.requests).toHaveLength(1);
    expect(allowed.requests[0]!.headers.host).toBe(`rebind.invalid:${port()}`);

    const second = await engine.test(ctx, created.body.id);
    expect(second.success).toBe(false);
    expect(second.message).toMatch(/refused: loopback/);
    expect(asked).toHaveLength(2);
    expect(allowed.requests).toHaveLength(1);
    expect(forbidden.requests).toHaveLength(0);
  });
});
