/**
 * The delivery engine end to end (issue 14) on a real app, PostgreSQL and local receivers: routing
 * of raised and risen alerts to channels (min severity, inactive ones skipped) and push
 * subscriptions; snooze suppressing at routing and at send time; retries with the same
 * X-Webhook-Id, dead deliveries, Retry-After, 410, timeouts; manual retry; the test send; e-mail
 * through smtp-server (4xx retried, 5xx dead); escalation steps on an injected clock.
 */
import { createECDH, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebhookReceiver, type WebhookReceiver } from '../../bench/lib/webhook-receiver.js';
import type { AlertLifecycleService } from '../../src/alerts/alert-lifecycle.service.js';
import { AlertRule } from '../../src/alerts/alert-rule.entity.js';
import type { AlertSnapshot } from '../../src/alerts/alert.events.js';
import type { InProcessEventBus } from '../../src/infra/event-bus.js';
import { Escalation } from '../../src/notifications/escalation.js';
import { alertEscalatedTopic, type AlertEscalated } from '../../src/notifications/notification.events.js';
import type { NotificationDeliveryService } from '../../src/notifications/notification-delivery.service.js';
import { createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

type Msg = Record<string, any>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MINUTE = 60_000;

describe.skipIf(pgSvc.skip)(`notification delivery engine${pgSvc.label}`, () => {
  let t: TestApp;
  let lifecycle: AlertLifecycleService;
  let engine: NotificationDeliveryService;
  let smtp: SMTPServer;
  /** reply codes of the next SMTP DATA commands (250 when empty) */
  const smtpReplies: number[] = [];
  const mails: { messageId: string; rcpt: string[] }[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, cb) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
        stream.on('end', () => {
          const code = smtpReplies.shift() ?? 250;
          if (code !== 250) return cb(Object.assign(new Error('refused'), { responseCode: code }));
          mails.push({ messageId: /^Message-ID:\s*(.+)$/im.exec(raw)?.[1]?.trim() ?? '', rcpt: session.envelope.rcptTo.map((r) => r.address) });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    t = await startTestApp({
      env: {
        OUTBOUND_ALLOW_LOOPBACK: 'true',
        NOTIFY_BACKOFF_BASE_MS: '40',
        NOTIFY_BACKOFF_CAP_MS: '300',
        NOTIFY_TIMEOUT_MS: '600',
        NOTIFY_SWEEP_MS: '600000',
        SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
        SMTP_FROM: 'Alerts <alerts@haltfree.example>',
      },
    });
    lifecycle = t.app.container.services.alertLifecycle;
    engine = t.app.container.services.notificationDeliveries;
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  // -------------------------------------------------------------------------------------------
  // fixtures

  async function machine(s: TenantSession, name = 'CNC Mill #1'): Promise<string> {
    const r = await http('POST', `${t.api}/machines`, { token: s.token, body: { name, machine_identifier: `ND-${randomUUID().slice(0, 12)}`, protocol: 'json' } });
    expect(r.status).toBe(201);
    return r.body.id;
  }

  /** Opens an alert as the rule engine does (its own rule, so (rule, machine) never collides). */
  async function raise(s: TenantSession, machineId: string, severity: 'info' | 'warning' | 'critical'): Promise<AlertSnapshot> {
    const em = t.app.container.db.em();
    const r = new AlertRule();
    r.tenantId = s.tenantId;
    r.name = 'Spindle overheating';
    r.metricName = 'temperature';
    r.operator = '>';
    r.warningThreshold = 80;
    r.criticalThreshold = 85;
    r.messageTemplate = '{metric_name} {value} above {threshold} on {machine_name}';
    await em.persist(r).flush();
    const opened = await lifecycle.open(s.tenantId, { id: r.id, name: r.name, messageTemplate: r.messageTemplate }, machineId, {
      severity, metricName: 'temperature', operator: '>', metricValue: 87.3, thresholdValue: severity === 'critical' ? 85 : 80, unit: 'celsius',
    });
    expect(opened).not.toBeNull();
    return opened!;
  }

  async function channel(s: TenantSession, type: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Msg> {
    const r = await http('POST', `${t.api}/notification-channels`, { token: s.token, body: { name: `${type} ${randomUUID().slice(0, 6)}`, type, config, ...extra } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  }

  async function deliveries(s: TenantSession, channelId: string): Promise<Msg[]> {
    const r = await http('GET', `${t.api}/notification-channels/${channelId}/deliveries?page_size=100`, { token: s.token });
    expect(r.status).toBe(200);
    return r.body.items;
  }

  /** Polls a channel's deliveries until pred holds (bounded). */
  async function until(s: TenantSession, channelId: string, pred: (items: Msg[]) => boolean, what: string, ms = 8000): Promise<Msg[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const items = await deliveries(s, channelId);
      if (pred(items)) return items;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; deliveries: ${JSON.stringify(items)}`);
      await sleep(50);
    }
  }

  async function receiver(): Promise<WebhookReceiver> {
    const rx = await startWebhookReceiver();
    onTestFinishedClose.push(rx);
    return rx;
  }
  const onTestFinishedClose: WebhookReceiver[] = [];
  afterAll(async () => {
    await Promise.all(onTestFinishedClose.map((r) => r.close()));
  });

  // -------------------------------------------------------------------------------------------
  // routing

  it('routes a raised alert to every active channel at or above its min severity, a severity rise again; deliveries are listed per channel', async () => {
    const s = await registerTenant(t.api, 'ndroute');
    const other = await registerTenant(t.api, 'ndother');
    const m = await machine(s);
    const rx = await receiver();
    const hook = await channel(s, 'webhook', { url: `${rx.url}/hook` });
    const slack = await channel(s, 'slack', { webhook_url: `${rx.url}/slack` }, { min_severity: 'warning' });
    const teams = await channel(s, 'teams', { webhook_url: `${rx.url}/teams` }, { min_severity: 'critical' });
    const off = await channel(s, 'webhook', { url: `${rx.url}/off` }, { is_active: false });

    const alert = await raise(s, m, 'warning');
    await rx.waitFor(2);
    await sleep(200);
    expect(rx.requests.map((r) => r.path).sort()).toEqual(['/hook', '/slack']);
    const hookReq = rx.requests.find((r) => r.path === '/hook')!;
    // the documented body, in the documented key order
    expect(hookReq.text()).toMatch(/^\{"event":"alert\.triggered","timestamp":"[^"]+","tenant_id":"[^"]+","alert":\{"id":/);
    const body = hookReq.json<Msg>();
    expect(body).toMatchObject({ event: 'alert.triggered', tenant_id: s.tenantId, alert: { id: alert.id, machine_id: m, machine_name: 'CNC Mill #1', severity: 'warning', metric_name: 'temperature', metric_value: 87.3, threshold_value: 80 } });
    const ts = hookReq.headers['x-webhook-timestamp'] as string;
    expect(hookReq.headers['x-webhook-signature']).toBe('v1=' + createHmac('sha256', hook.signing_secret).update(`${ts}.`).update(hookReq.body).digest('hex'));

    const [hd] = await until(s, hook.id, (i) => i[0]?.status === 'delivered', 'the webhook delivery');
    expect(hd).toMatchObject({ id: hookReq.headers['x-webhook-id'], channel_id: hook.id, push_subscription_id: null, event: 'alert.triggered', alert_id: alert.id, policy_id: null, severity: 'warning', status: 'delivered', attempts: 1, last_status_code: 200, last_error: null, next_attempt_at: null });
    expect(hd!.delivered_at).not.toBeNull();
    expect(await deliveries(s, teams.id)).toEqual([]);
    expect(await deliveries(s, off.id)).toEqual([]);

    // a severity rise is a new alert.triggered, to the channels of the new severity
    rx.clear();
    await lifecycle.escalate(s.tenantId, { id: alert.ruleId!, name: 'Spindle overheating', messageTemplate: 'hot' }, m, { severity: 'critical', metricName: 'temperature', operator: '>', metricValue: 91, thresholdValue: 85, unit: 'celsius' });
    await rx.waitFor(3);
    await sleep(200);
    expect(rx.requests.map((r) => r.path).sort()).toEqual(['/hook', '/slack', '/teams']);
    expect(rx.requests.find((r) => r.path === '/teams')!.json<Msg>().attachments[0].content.type).toBe('AdaptiveCard');
    expect((await until(s, hook.id, (i) => i.length === 2 && i.every((d) => d.status === 'delivered'), 'two webhook deliveries')).map((d) => d.severity)).toEqual(['critical', 'warning']);

    // routing the same event again (another process, the sweep) writes and sends nothing new
    expect(await engine.route({ ...alert, severity: 'critical' })).toBe(0);

    // other tenants see none of it; bad ids and filters are answered, never a 500
    expect((await http('GET', `${t.api}/notification-channels/${hook.id}/deliveries`, { token: other.token })).status).toBe(404);
    expect((await http('GET', `${t.api}/notification-channels/${randomUUID()}/deliveries`, { token: s.token })).status).toBe(404);
    const badId = await http('GET', `${t.api}/notification-channels/not-a-uuid/deliveries`, { token: s.token });
    expect(badId.status).toBe(422);
    expect(badId.body.detail.map((d: Msg) => d.loc.at(-1))).toEqual(['channel_id']);
    const badQuery = await http('GET', `${t.api}/notification-channels/${hook.id}/deliveries?status=lost&page_size=500`, { token: s.token });
    expect(badQuery.status).toBe(422);
    expect(badQuery.body.detail.map((d: Msg) => d.loc.at(-1)).sort()).toEqual(['page_size', 'status']);
    const delivered = await http('GET', `${t.api}/notification-channels/${hook.id}/deliveries?status=dead`, { token: s.token });
    expect(delivered.body).toMatchObject({ total: 0, items: [] });
  });

  it('sends push to subscriptions at or above their min severity (warning by default); 410 removes the subscription', async () => {
    const s = await registerTenant(t.api, 'ndpush');
    const m = await machine(s);
    const rx = await receiver();
    rx.respond({ status: 201 });
    const ua = createECDH('prime256v1');
    ua.generateKeys();
    const sub = await http('POST', `${t.api}/push/subscribe`, {
      token: s.token,
      body: { endpoint: `${rx.url}/push/1`, keys: { p256dh: ua.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } },
    });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    await raise(s, m, 'info');
    await sleep(300);
    expect(rx.requests).toHaveLength(0);
    await raise(s, m, 'warning');
    await rx.waitFor(1);
    expect(rx.requests[0]!.headers['content-encoding']).toBe('aes128gcm');
    expect(rx.requests[0]!.headers.authorization).toMatch(/^vapid t=.+, k=/);

    rx.respond({ status: 410 });
    await raise(s, m, 'critical');
    await rx.waitFor(2);
    const deadline = Date.now() + 5000;
    const conn = t.app.container.db.em().getConnection();
    while (((await conn.execute('select id from push_subscriptions where tenant_id = ?', [s.tenantId])) as unknown[]).length > 0) {
      if (Date.now() > deadline) throw new Error('the gone subscription was not removed');
      await sleep(50);
    }
  });

  // -------------------------------------------------------------------------------------------
  // snooze

  it('a snoozed alert notifies nothing, and a queued delivery of an alert snoozed meanwhile ends suppressed', async () => {
    const s = await registerTenant(t.api, 'ndsnooze');
    const m = await machine(s);
    const rx = await receiver();
    const hook = await channel(s, 'webhook', { url: `${rx.url}/hook` });

    // first try fails; the alert is snoozed before the retry: the retry is suppressed, not sent
    rx.respond({ status: 503, headers: { 'Retry-After': '1' } });
    const alert = await raise(s, m, 'warning');
    await rx.waitFor(1);
    const snooze = await http('POST', `${t.api}/alerts/${alert.id}/snooze`, { token: s.token, body: { snooze_until: new Date(Date.now() + 3600_000).toISOString() } });
    expect(snooze.status).toBe(200);
    const [d] = await until(s, hook.id, (i) => i[0]?.status === 'suppressed', 'the suppressed delivery', 5000);
    expect(d).toMatchObject({ attempts: 2, last_error: 'alert snoozed' });
    expect(rx.requests).toHaveLength(1);

    // a severity rise of the snoozed alert sends nothing
    rx.respond({ status: 200 });
    await lifecycle.escalate(s.tenantId, { id: alert.ruleId!, name: 'x', messageTemplate: 'hot' }, m, { severity: 'critical', metricName: 'temperature', operator: '>', metricValue: 95, thresholdValue: 85, unit: 'celsius' });
    await sleep(400);
    expect(rx.requests).toHaveLength(1);
    expect(await deliveries(s, hook.id)).toHaveLength(1);
  });

  // -------------------------------------------------------------------------------------------
  // retries

  it('3 failures then 200: delivered after 4 tries, all with one X-Webhook-Id', async () => {
    const s = await registerTenant(t.api, 'ndretry');
    const m = await machine(s);
    const rx = await receiver();
    const hook = await channel(s, 'webhook', { url: `${rx.url}/hook` });
    rx.queue({ status: 500 }, { status: 502 }, { status: 503 });
    await raise(s, m, 'critical');
    const [d] = await until(s, hook.id, (i) => i[0]?.status === 'delivered', 'delivery after retries');
    expect(d).toMatchObject({ attempts: 4, last_status_code: 200 });
    expect(rx.requests).toHaveLength(4);
    expect(new Set(rx.requests.map((r) => r.headers['x-webhook-id']))).toEqual(new Set([d!.id]));
    // the body is the same bytes on every try (only the timestamp and signature headers move)
    expect(new Set(rx.requests.map((r) => r.text())).size).toBe(1);
  });

  it('always 500: dead after NOTIFY_MAX_ATTEMPTS (8); a dead delivery can be retried (admin, operator), others cannot', async () => {
    const s = await registerTenant(t.api, 'nddead');
    const viewer = await createUserSession(t.api, s, 'viewer');
    const operator = await createUserSession(t.api, s, 'operator');
    const other = await registerTenant(t.api, 'nddeadother');
    const m = await machine(s);
    const rx = await receiver();
    rx.respond({ status: 500, body: 'boom' });
    const hook = await channel(s, 'webhook', { url: `${rx.url}/hook` });
    await raise(s, m, 'critical');
    const [d] = await until(s, hook.id, (i) => i[0]?.status === 'dead', 'the dead delivery', 10_000);
    expect(d).toMatchObject({ attempts: 8, last_status_code: 500, last_error: 'HTTP 500: boom', next_attempt_at: null });
    expect(rx.requests).toHaveLength(8);
    // failing channels are not disabled
    expect((await http('GET', `${t.api}/notification-channels`, { token: s.token })).body.find((c: Msg) => c.id === hook.id).is_active).toBe(true);

    const path = `${t.api}/notification-channels/${hook.id}/deliveries/${d!.id}/retry`;
    expect((await http('POST', path, { token: viewer.token })).status).toBe(403);
    expect((await http('POST', path, { token: other.token })).status).toBe(404);
    expect((await http('POST', `${t.api}/notification-channels/${hook.id}/deliveries/${randomUUID()}/retry`, { token: s.token })).status).toBe(404);
    rx.respond({ status: 204 });
    const retried = await http('POST', path, { token: operator.token });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: d!.id, status: 'pending', attempts: 0 });
    const [again] = await until(s, hook.id, (i) => i[0]?.status === 'delivered', 'the retried delivery');
    expect(again).toMatchObject({ attempts: 1, last_status_code: 204 });
    expect(rx.requests.at(-1)!.headers['x-webhook-id']).toBe(d!.id);
    const conflict = await http('POST', path, { token: s.token });
    expect(conflict.status).toBe(409);
    expect(conflict.body.detail).toMatch(/dead/);
    const audit = await http('GET', `${t.api}/audit?action=retry_notification_delivery`, { token: s.token });
    expect(audit.body.items.map((e: Msg) => e.resource_id)).toEqual([d!.id]);
  });

  it('429 with Retry-After is waited out; 410 is dead at once; a silent receiver times out and is retried', async () => {
    const s = await registerTenant(t.api, 'nd429');
    const m = await machine(s);
    const rx = await receiver();
    const hook = await channel(s, 'webhook', { url: `${rx.url}/hook` });
    rx.queue({ status: 429, headers: { 'Retry-After': '1' } });
    await raise(s, m, 'critical');
    const [first, second] = await rx.waitFor(2, 5000);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    await until(s, hook.id, (i) => i[0]?.status === 'delivered', 'delivery after Retry-After');

    const gone = await channel(s, 'webhook', { url: `${rx.url}/gone` });
    rx.respond((r) => (r.path === '/gone' ? { status: 410 } : r.path === '/silent' ? { silent: true } : { status: 200 }));
    await raise(s, m, 'critical');
    const [dead] = await until(s, gone.id, (i) => i[0]?.status === 'dead', 'the 410 delivery');
    expect(dead).toMatchObject({ attempts: 1, last_status_code: 410 });

    const silent = await channel(s, 'webhook', { url: `${rx.url}/silent` });
    await raise(s, m, 'critical');
    const [slow] = await until(s, silent.id, (i) => i[0]?.status === 'retrying', 'the timed-out delivery');
    expect(slow!.last_status_code).toBeNull();
    expect(slow!.last_error).toMatch(/no answer within 600 ms/);
    rx.respond({ status: 200 });
    await until(s, silent.id, (i) => i[0]?.status === 'delivered', 'the delivery once the receiver answers');
  });

  it('e-mail: Message-ID from the delivery id; SMTP 4xx retried, 5xx dead at once', async () => {
    const s = await registerTenant(t.api, 'ndmail');
    const m = await machine(s);
    const mail = await channel(s, 'email', { email: 'ops@example.com, lead@example.com' });
    smtpReplies.push(451);
    mails.length = 0;
    await raise(s, m, 'critical');
    const [d] = await until(s, mail.id, (i) => i[0]?.status === 'delivered', 'the e-mail delivery');
    expect(d).toMatchObject({ attempts: 2, last_status_code: 250 });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.messageId).toBe(`<${d!.id}@haltfree.example>`);
    expect(mails[0]!.rcpt.sort()).toEqual(['lead@example.com', 'ops@example.com']);

    smtpReplies.push(550);
    await raise(s, m, 'critical');
    const items = await until(s, mail.id, (i) => i.length === 2 && i[0]!.status === 'dead', 'the refused e-mail');
    expect(items[0]).toMatchObject({ attempts: 1, last_status_code: 550 });
  });

  // -------------------------------------------------------------------------------------------
  // test send

  it('test send: one synchronous try of a sample alert.triggered with "test": true, audited; a failure is 200 success false', async () => {
    const s = await registerTenant(t.api, 'ndtest');
    const viewer = await createUserSession(t.api, s, 'viewer');
    const other = await registerTenant(t.api, 'ndtestother');
    const rx = await receiver();
    const hook = await channel(s, 'webhook', { url: `${rx.url}/hook` }, { is_active: false });
    const ok = await http('POST', `${t.api}/notification-channels/${hook.id}/test`, { token: s.token });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ success: true });
    const sample = rx.requests[0]!;
    expect(sample.json<Msg>()).toMatchObject({ event: 'alert.triggered', test: true, tenant_id: s.tenantId, alert: { severity: 'critical' } });
    expect(sample.headers['x-webhook-signature']).toMatch(/^v1=[0-9a-f]{64}$/);

    rx.respond({ status: 500, body: 'down' });
    const failed = await http('POST', `${t.api}/notification-channels/${hook.id}/test`, { token: s.token });
    expect(failed.status).toBe(200);
    expect(failed.body).toEqual({ success: false, message: 'HTTP 500: down', status_code: 500 });
    // one try only
    expect(rx.requests).toHaveLength(2);
    expect(await deliveries(s, hook.id)).toEqual([]);

    expect((await http('POST', `${t.api}/notification-channels/${hook.id}/test`, { token: viewer.token })).status).toBe(403);
    expect((await http('POST', `${t.api}/notification-channels/${hook.id}/test`, { token: other.token })).status).toBe(404);
    const audit = await http('GET', `${t.api}/audit?action=test_notification_channel`, { token: s.token });
    expect(audit.body.items.map((e: Msg) => e.details)).toEqual([
      { success: false, status_code: 500 },
      { success: true, status_code: 200 },
    ]);
  });

  // -------------------------------------------------------------------------------------------
  // GraphQL door

  /** One graphql-ws subscription; its payloads (or errors) collected. */
  function subscription(token: string, query: string, variables: Record<string, unknown>) {
    const got: Msg[] = [];
    const errors: unknown[] = [];
    const client = createClient({ url: `${t.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
    client.subscribe<Msg>({ query, variables }, { next: (r) => (r.errors ? errors.push(r.errors) : got.push(r.data!)), error: (e) => errors.push(e), complete: () => undefined });
    return { got, errors, client };
  }

  async function eventually(pred: () => boolean, what: string, ms = 8000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }

  it('GraphQL: deliveries, retry and test send; notificationDeliveryUpdated(channelId) streams one channel of the caller\'s tenant', async () => {
    const s = await registerTenant(t.api, 'ndgql');
    const other = await registerTenant(t.api, 'ndgqlother');
    const m = await machine(s);
    const rx = await receiver();
    const hook = await channel(s, 'webhook', { url: `${rx.url}/hook` });
    const quiet = await channel(s, 'slack', { webhook_url: `${rx.url}/quiet` }, { min_severity: 'critical' });
    const SUB = 'subscription($c: ID!) { notificationDeliveryUpdated(channelId: $c) { id channelId event alertId status attempts lastStatusCode lastError updatedAt } }';
    const live = subscription(s.token, SUB, { c: hook.id });
    const foreign = subscription(other.token, SUB, { c: hook.id });
    await eventually(() => foreign.errors.length > 0, 'the refusal of a foreign channel');
    // the server subscribes after the subscribe message: raise until the stream carries this channel's rows
    const deadline = Date.now() + 8000;
    let alert: AlertSnapshot | undefined;
    while (!live.got.length) {
      if (Date.now() > deadline) throw new Error(`no deliveries streamed: ${JSON.stringify(live.errors)}`);
      alert = await raise(s, m, 'warning');
      await sleep(150);
    }
    await eventually(() => live.got.some((g) => g.notificationDeliveryUpdated.alertId === alert!.id && g.notificationDeliveryUpdated.status === 'delivered'), 'the delivered state');
    const states = live.got.map((g) => g.notificationDeliveryUpdated).filter((d) => d.alertId === alert!.id);
    expect(states.map((d) => d.status)).toEqual(['pending', 'delivered']);
    expect(states[1]).toMatchObject({ channelId: hook.id, event: 'alert_triggered', attempts: 1, lastStatusCode: 200, lastError: null });
    // the quiet channel got nothing and its rows would not appear on this stream anyway
    expect(live.got.every((g) => g.notificationDeliveryUpdated.channelId === hook.id)).toBe(true);
    expect(await deliveries(s, quiet.id)).toEqual([]);
    await live.client.dispose();
    await foreign.client.dispose();

    const list = await gql(t.url, 'query($c: ID!) { notificationDeliveries(channelId: $c, status: delivered) { total items { id status event severity attempts deliveredAt } } }', { c: hook.id }, { token: s.token });
    expect(list.body.errors).toBeUndefined();
    expect(list.body.data.notificationDeliveries.items[0]).toMatchObject({ status: 'delivered', event: 'alert_triggered', severity: 'warning', attempts: 1 });
    const id = list.body.data.notificationDeliveries.items[0].id;
    const notDead = await gql(t.url, 'mutation($c: ID!, $d: ID!) { retryNotificationDelivery(channelId: $c, deliveryId: $d) { id status } }', { c: hook.id, d: id }, { token: s.token });
    expect(notDead.body.errors![0]!.extensions).toMatchObject({ reason: 'NOTIFICATION_DELIVERY_NOT_RETRYABLE', status: 409 });
    const foreignList = await gql(t.url, 'query($c: ID!) { notificationDeliveries(channelId: $c) { total } }', { c: hook.id }, { token: other.token });
    expect(foreignList.body.errors![0]!.extensions).toMatchObject({ reason: 'NOTIFICATION_CHANNEL_NOT_FOUND', status: 404 });

    rx.respond({ status: 418, body: 'teapot' });
    const tested = await gql(t.url, 'mutation($c: ID!) { testNotificationChannel(id: $c) { success message statusCode } }', { c: hook.id }, { token: s.token });
    expect(tested.body.data.testNotificationChannel).toEqual({ success: false, message: 'HTTP 418: teapot', statusCode: 418 });
  });

  // -------------------------------------------------------------------------------------------
  // escalation

  describe('escalation on an injected clock', () => {
    let clock = new Date();
    /** an escalation runner as each process has, judged by the test's clock */
    const runner = () =>
      new Escalation({ db: t.app.container.db, bus: t.app.container.bus, audit: t.app.container.services.audit, dispatch: (rows) => engine.dispatch(rows), now: () => clock });

    async function policy(s: TenantSession, severity: string, wait: number, channelId: string): Promise<Msg> {
      const r = await http('POST', `${t.api}/escalation-policies`, { token: s.token, body: { name: `${severity} ${wait} min`, severity, wait_minutes: wait, channel_id: channelId } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body;
    }

    function escalations(tenantId: string): AlertEscalated[] {
      const seen: AlertEscalated[] = [];
      t.app.container.bus.on(alertEscalatedTopic(tenantId), (e) => {
        seen.push(e);
      });
      return seen;
    }

    it('steps fire once each at created_at + wait_minutes, across runners; acknowledging stops the later steps', async () => {
      const s = await registerTenant(t.api, 'ndesc');
      const m = await machine(s);
      const rx = await receiver();
      const first = await channel(s, 'webhook', { url: `${rx.url}/first` });
      const second = await channel(s, 'slack', { webhook_url: `${rx.url}/second` });
      const p5 = await policy(s, 'critical', 5, first.id);
      const p10 = await policy(s, 'critical', 10, second.id);
      const p15 = await policy(s, 'critical', 15, first.id);
      await policy(s, 'warning', 1, first.id);
      const seen = escalations(s.tenantId);
      const live = subscription(s.token, 'subscription { alertEscalated { alertId machineId policyId policyName severity waitMinutes channelId deliveryId at } }', {});
      const alert = await raise(s, m, 'critical');
      await until(s, first.id, (i) => i.length === 1 && i[0]!.status === 'delivered', 'the alert.triggered delivery');
      // the subscription is live once the server has subscribed the bus topic
      await eventually(() => (t.app.container.bus as InProcessEventBus).listenerCount(alertEscalatedTopic(s.tenantId)) >= 2, 'the alertEscalated subscription');
      rx.clear();
      const at = (min: number) => new Date(alert.createdAt.getTime() + min * MINUTE);

      clock = at(4.9);
      expect(await runner().runDue()).toBe(0);
      clock = at(5);
      // two processes' runners at the same moment: exactly one fires the step
      const counts = await Promise.all([runner().runDue(), runner().runDue(), runner().runDue()]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
      expect(await runner().runDue()).toBe(0);
      const [req] = await rx.waitFor(1);
      expect(req!.path).toBe('/first');
      expect(req!.headers['x-webhook-event']).toBe('alert.escalated');
      expect(req!.json<Msg>()).toMatchObject({
        event: 'alert.escalated',
        timestamp: at(5).toISOString(),
        alert: { id: alert.id, severity: 'critical' },
        escalation: { policy_id: p5.id, policy_name: 'critical 5 min', severity: 'critical', wait_minutes: 5, channel_id: first.id },
      });
      await sleep(100);
      expect(seen.map((e) => e.policyId)).toEqual([p5.id]);
      expect(seen[0]).toMatchObject({ alertId: alert.id, machineId: m, waitMinutes: 5, channelId: first.id, deliveryId: req!.headers['x-webhook-id'] });
      await eventually(() => live.got.length === 1, 'the alertEscalated subscription payload');
      expect(live.got[0]!.alertEscalated).toEqual({
        alertId: alert.id, machineId: m, policyId: p5.id, policyName: 'critical 5 min', severity: 'critical', waitMinutes: 5, channelId: first.id,
        deliveryId: req!.headers['x-webhook-id'], at: at(5).toISOString(),
      });
      await live.client.dispose();

      clock = at(10);
      expect(await runner().runDue()).toBe(1);
      await rx.waitFor(2);
      expect(rx.requests[1]!.path).toBe('/second');
      const escalated = (await until(s, second.id, (i) => i.some((d) => d.event === 'alert.escalated'), 'the escalated slack delivery')).find((d) => d.event === 'alert.escalated');
      expect(escalated).toMatchObject({ policy_id: p10.id, severity: 'critical' });

      expect((await http('POST', `${t.api}/alerts/${alert.id}/acknowledge`, { token: s.token })).status).toBe(200);
      clock = at(60);
      expect(await runner().runDue()).toBe(0);
      await sleep(100);
      expect(seen.map((e) => e.policyId)).toEqual([p5.id, p10.id]);
      expect(seen.some((e) => e.policyId === p15.id)).toBe(false);

      const audit = await http('GET', `${t.api}/audit?action=escalate_alert`, { token: s.token });
      expect(audit.body.items).toHaveLength(2);
      expect(audit.body.items.every((e: Msg) => e.user_id === null && e.resource_id === alert.id)).toBe(true);
      expect(audit.body.items.map((e: Msg) => e.details.policy_id).sort()).toEqual([p5.id, p10.id].sort());
    });

    it('a step due during a snooze waits for its end; a policy created later covers the open alert; only the current severity escalates', async () => {
      const s = await registerTenant(t.api, 'ndescsnooze');
      const m = await machine(s);
      const rx = await receiver();
      const hook = await channel(s, 'webhook', { url: `${rx.url}/hook` });
      const pCritical = await policy(s, 'critical', 5, hook.id);
      const seen = escalations(s.tenantId);

      const snoozed = await raise(s, m, 'critical');
      const until20 = new Date(snoozed.createdAt.getTime() + 20 * MINUTE);
      expect((await http('POST', `${t.api}/alerts/${snoozed.id}/snooze`, { token: s.token, body: { snooze_until: until20.toISOString() } })).status).toBe(200);
      clock = new Date(snoozed.createdAt.getTime() + 6 * MINUTE);
      expect(await runner().runDue()).toBe(0);
      clock = new Date(until20.getTime() + 1000);
      expect(await runner().runDue()).toBe(1);
      await sleep(100);
      expect(seen.map((e) => [e.alertId, e.policyId])).toEqual([[snoozed.id, pCritical.id]]);

      // a warning alert: the critical policy ignores it until it rises; a warning policy made now covers it at once
      const warning = await raise(s, m, 'warning');
      clock = new Date(warning.createdAt.getTime() + 30 * MINUTE);
      expect(await runner().runDue()).toBe(0);
      const pWarning = await policy(s, 'warning', 3, hook.id);
      expect(await runner().runDue()).toBe(1);
      await lifecycle.escalate(s.tenantId, { id: warning.ruleId!, name: 'x', messageTemplate: 'hot' }, m, { severity: 'critical', metricName: 'temperature', operator: '>', metricValue: 99, thresholdValue: 85, unit: 'celsius' });
      expect(await runner().runDue()).toBe(1);
      await sleep(100);
      expect(seen.slice(1).map((e) => [e.alertId, e.policyId, e.severity])).toEqual([
        [warning.id, pWarning.id, 'warning'],
        [warning.id, pCritical.id, 'critical'],
      ]);
    });

    it('on the real clock a step fires when due, without waiting for a sweep', async () => {
      const s = await registerTenant(t.api, 'ndesctimely');
      const m = await machine(s);
      const rx = await receiver();
      const hook = await channel(s, 'webhook', { url: `${rx.url}/hook` });
      const seen = escalations(s.tenantId);
      const alert = await raise(s, m, 'critical');
      await until(s, hook.id, (i) => i[0]?.status === 'delivered', 'the alert.triggered delivery');
      // the policy comes after the alert (so the raise queued no step job of its own), and the alert
      // is made 59.2 s old: its step is due in 0.8 s (the sweep runs every 10 minutes here)
      const p1 = await policy(s, 'critical', 1, hook.id);
      const createdAt = new Date(Date.now() - 59_200);
      await t.app.container.db.em().getConnection().execute('update alerts set created_at = ?::timestamptz where id = ?', [createdAt.toISOString(), alert.id]);
      await engine.scheduleSteps({ ...alert, createdAt });
      await sleep(300);
      expect(seen).toEqual([]);
      await eventually(() => seen.length === 1, 'the step fired by its job', 3000);
      expect(seen[0]).toMatchObject({ alertId: alert.id, policyId: p1.id, waitMinutes: 1 });
      expect(seen[0]!.at.getTime() - createdAt.getTime()).toBeGreaterThanOrEqual(60_000);
      expect(seen[0]!.at.getTime() - createdAt.getTime()).toBeLessThan(62_000);
      await rx.waitFor(2);
      expect(rx.requests[1]!.headers['x-webhook-event']).toBe('alert.escalated');
    });

    it('the sweep repairs lost work: a delivery whose job was lost is queued again, an alert whose event was lost is routed', async () => {
      const s = await registerTenant(t.api, 'ndsweep');
      const m = await machine(s);
      const rx = await receiver();
      const hook = await channel(s, 'webhook', { url: `${rx.url}/hook` });
      const alert = await raise(s, m, 'critical');
      await until(s, hook.id, (i) => i[0]?.status === 'delivered', 'the first delivery');
      // an event lost: the alert's delivery vanishes, as if nobody had routed it; a job lost: a row left pending, overdue
      const conn = t.app.container.db.em().getConnection();
      await conn.execute('delete from notification_deliveries where alert_id = ?', [alert.id]);
      await conn.execute(`update alerts set updated_at = now() - interval '20 minutes' where id = ?`, [alert.id]);
      const lost = await raise(s, m, 'warning');
      await until(s, hook.id, (i) => i.some((d) => d.alert_id === lost.id && d.status === 'delivered'), 'the second delivery');
      await conn.execute(`update notification_deliveries set status = 'pending', next_attempt_at = now() - interval '1 hour' where alert_id = ?`, [lost.id]);
      await conn.execute(`update alerts set updated_at = now() - interval '20 minutes' where id = ?`, [lost.id]);
      const forgotten = await raise(s, m, 'info');
      await until(s, hook.id, (i) => i.some((d) => d.alert_id === forgotten.id), 'the third delivery');
      await conn.execute('delete from notification_deliveries where alert_id = ?', [forgotten.id]);
      await conn.execute(`update alerts set updated_at = now() - interval '10 seconds' where id = ?`, [forgotten.id]);
      rx.clear();

      const round = await engine.sweep();
      expect(round.requeued).toBeGreaterThanOrEqual(1);
      expect(round.routed).toBeGreaterThanOrEqual(1);
      const items = await until(s, hook.id, (i) => i.some((d) => d.alert_id === forgotten.id && d.status === 'delivered') && i.find((d) => d.alert_id === lost.id)?.status === 'delivered', 'repaired deliveries');
      // the lost job's row was sent again with its own id; the old alert outside the window stays unrouted
      expect(rx.requests.map((r) => r.headers['x-webhook-id'])).toContain(items.find((d) => d.alert_id === lost.id)!.id);
      expect(items.some((d) => d.alert_id === alert.id)).toBe(false);
    });
  });
});
