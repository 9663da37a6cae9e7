/**
 * Notifications across processes (issue 14), on one PostgreSQL database and one Redis: an API
 * instance in this process that serves the doors and routes alert events but runs no jobs, and two
 * built servers in their own OS processes that route, send and escalate. An alert reaches every
 * channel once; each escalation step fires once (unique delivery rows and step claims); a worker
 * SIGKILLed while the receiver holds its request open leaves a claim that expires, and the
 * delivery arrives after the restart with the same X-Webhook-Id.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../bench/lib/webhook-receiver.js';
import { createApiKey, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { ensureBuilt } from '../helpers/build.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { probeService, SERVICE_URLS } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * A Redis database of this file's own: the job queues are named per job, not per PostgreSQL
 * database, so workers of test apps on other databases (other files running at the same time)
 * would otherwise take these jobs and find no row.
 */
const REDIS_URL = `${SERVICE_URLS.redis.replace(/\/\d*$/, '')}/13`;
// a sweep every second (lost jobs, due escalation steps); one try bounded by 8 s, so a claim
// outlives a killed sender by 13 s (the try's bound plus the engine's margin)
const ENV = {
  REDIS_URL,
  OUTBOUND_ALLOW_LOOPBACK: 'true',
  NOTIFY_SWEEP_MS: '1000',
  NOTIFY_TIMEOUT_MS: '8000',
  NOTIFY_BACKOFF_BASE_MS: '200',
  NOTIFY_BACKOFF_CAP_MS: '1000',
};
const SIGNING_SECRET = 'cluster-signing-secret-0123456789';

/** The test's own check of X-Webhook-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>. */
function signatureOk(r: ReceivedRequest, secret: string): boolean {
  const ts = String(r.headers['x-webhook-timestamp']);
  const expected = `v1=${createHmac('sha256', secret).update(`${ts}.`).update(r.body).digest('hex')}`;
  return r.headers['x-webhook-signature'] === expected;
}

/**
 * The event an arrival carries: the webhook's X-Webhook-Event; Slack and Teams messages (no
 * platform headers) say "Escalated:" in their headline.
 */
function event(r: ReceivedRequest): string {
  if (r.headers['x-webhook-event']) return String(r.headers['x-webhook-event']);
  const m = r.json<{ text?: string; attachments?: { content: { body: { text?: string }[] } }[] }>();
  const headline = m.text ?? m.attachments?.[0]?.content.body[0]?.text ?? '';
  return headline.includes('Escalated:') ? 'alert.escalated' : 'alert.triggered';
}
const webhookId = (r: ReceivedRequest) => String(r.headers['x-webhook-id'] ?? '');

/** The pids of the processes holding an established TCP connection to 127.0.0.1:port. */
function clientPidsOf(port: number): number[] {
  const r = spawnSync('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  return [...r.stdout.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
}

/** Empties this file's Redis database (queues, schedulers and job records of an earlier run). */
async function flushTestRedis(): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    await r.flushdb();
  } finally {
    r.disconnect();
  }
}

describe.skipIf(pgSvc.skip || redisSvc.skip)(`notifications across processes${pgSvc.label}${redisSvc.label}`, () => {
  let api: TestApp;
  let sql: pg.Client;
  const workers: ServerProcess[] = [];
  const receivers: WebhookReceiver[] = [];
  const subscriptions: Client[] = [];
  // every process seals and opens channel secrets with one key
  const SECRET_KEY = randomBytes(32).toString('hex');

  const startWorker = async () => {
    const w = await startServerProcess(api.databaseUrl!, { ...ENV, SOURCE_SECRET_KEY: SECRET_KEY });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    await ensureBuilt('notifications-cluster');
    await flushTestRedis();
    api = await startTestApp({ env: { ...ENV, JOBS_ENABLED: 'false', SOURCE_SECRET_KEY: SECRET_KEY } });
    sql = new pg.Client({ connectionString: api.databaseUrl });
    sql.on('error', () => undefined);
    await sql.connect();
    await Promise.all([startWorker(), startWorker()]);
  }, 300_000);

  afterAll(async () => {
    for (const c of subscriptions) await c.dispose();
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    for (const r of receivers) await r.close();
    await sql?.end();
    await api?.stop();
    await flushTestRedis();
  }, 60_000);

  /** A tenant with an ingest key, one machine and a temperature rule (critical above 95). */
  async function plant(label: string) {
    const admin = await registerTenant(api.api, label);
    const { key } = await createApiKey(api.api, admin, ['ingest']);
    const identifier = `NC-${randomUUID().slice(0, 8)}`;
    const m = await http('POST', `${api.api}/machines`, { token: admin.token, body: { name: `Press ${identifier}`, machine_identifier: identifier, protocol: 'json' } });
    expect(m.status, m.text).toBe(201);
    const rule = await http('POST', `${api.api}/alert-rules`, { token: admin.token, body: { name: 'Oil temperature', metric_name: 'temperature', operator: '>', warning_threshold: 80, critical_threshold: 95 } });
    expect(rule.status, rule.text).toBe(201);
    return { admin, key, identifier, machineId: m.body.id as string };
  }

  async function channel(admin: TenantSession, body: Record<string, unknown>): Promise<string> {
    const r = await http('POST', `${api.api}/notification-channels`, { token: admin.token, body: { is_active: true, ...body } });
    expect(r.status, r.text).toBe(201);
    return r.body.id;
  }

  /** One reading of `value` through the API instance; the alert it raised. */
  async function raise(p: Awaited<ReturnType<typeof plant>>, value: number): Promise<string> {
    const r = await http('POST', `${api.api}/ingest`, { apiKey: p.key, body: { readings: [{ machine_identifier: p.identifier, metric_name: 'temperature', unit: 'C', value, timestamp: new Date().toISOString() }] } });
    expect(r.status, r.text).toBe(207);
    expect(r.body.accepted_count).toBe(1);
    return until('the alert', async () => {
      const a = await http('GET', `${api.api}/alerts?machine_id=${p.machineId}`, { token: p.admin.token });
      return a.body.items?.[0]?.id as string | undefined;
    });
  }

  it('sends one delivery per channel for an alert and one alert.escalated per step', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const p = await plant('notify-cluster');
    const webhook = await channel(p.admin, { name: 'Plant webhook', type: 'webhook', config: { url: `${receiver.url}/webhook`, headers: { 'X-Plant': 'north' } }, signing_secret: SIGNING_SECRET });
    const slack = await channel(p.admin, { name: 'Slack', type: 'slack', config: { webhook_url: `${receiver.url}/slack` } });
    const teams = await channel(p.admin, { name: 'Teams', type: 'teams', config: { webhook_url: `${receiver.url}/teams` } });
    // two steps for critical alerts: the webhook after 1 minute, Teams after 2
    const policyOf = new Map<string, string>();
    for (const [name, wait, channelId] of [['Shift lead after 1 min', 1, webhook], ['Plant manager after 2 min', 2, teams]] as const) {
      const r = await http('POST', `${api.api}/escalation-policies`, { token: p.admin.token, body: { name, severity: 'critical', wait_minutes: wait, channel_id: channelId, is_active: true } });
      expect(r.status, r.text).toBe(201);
      policyOf.set(channelId, r.body.id);
    }
    const policies = [...policyOf.values()].sort();
    // alertEscalated on the API instance: published by whichever worker fired the step, over Redis
    const escalatedEvents: { alertId: string; policyId: string }[] = [];
    const ws = createClient({ url: `${api.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${p.admin.token}` }, retryAttempts: 0 });
    subscriptions.push(ws);
    ws.subscribe<{ alertEscalated: { alertId: string; policyId: string } }>(
      { query: 'subscription { alertEscalated { alertId policyId } }' },
      { next: (r) => void (r.data && escalatedEvents.push(r.data.alertEscalated)), error: () => undefined, complete: () => undefined },
    );
    // every process follows the tenant from its first target on (the audit event, over Redis)
    await sleep(1000);

    const alertId = await raise(p, 120);
    const triggered = (r: ReceivedRequest) => event(r) === 'alert.triggered';
    await receiver.waitFor(3, 20_000, triggered);
    await sleep(2500); // two sweeps: nothing more may arrive
    const first = receiver.requests.filter(triggered);
    expect(first.map((r) => r.path).sort()).toEqual(['/slack', '/teams', '/webhook']);
    const rows = await sql.query<{ channel_id: string; status: string; id: string; attempts: number }>(
      `select channel_id, status, id, attempts from notification_deliveries where alert_id = $1 and event = 'alert.triggered'`,
      [alertId],
    );
    expect(rows.rows.map((r) => r.channel_id).sort()).toEqual([webhook, slack, teams].sort());
    expect(rows.rows.map((r) => [r.status, r.attempts])).toEqual([['delivered', 1], ['delivered', 1], ['delivered', 1]]);
    const hook = first.find((r) => r.path === '/webhook')!;
    expect(webhookId(hook)).toBe(rows.rows.find((r) => r.channel_id === webhook)!.id);
    expect(signatureOk(hook, SIGNING_SECRET)).toBe(true);
    expect(hook.headers['x-plant']).toBe('north');
    expect(hook.json<{ alert: { id: string; severity: string } }>().alert).toMatchObject({ id: alertId, severity: 'critical' });
    for (const path of ['/slack', '/teams']) expect(first.find((r) => r.path === path)!.text()).toContain(alertId);

    // both steps due: the alert was raised three minutes ago (its row's created_at, which the steps are timed from)
    await sql.query(`update alerts set created_at = created_at - interval '3 minutes' where id = $1`, [alertId]);
    const escalated = (r: ReceivedRequest) => event(r) === 'alert.escalated';
    await receiver.waitFor(2, 20_000, escalated);
    await sleep(3000); // three more sweeps
    const steps = receiver.requests.filter(escalated);
    expect(steps.map((r) => r.path).sort()).toEqual(['/teams', '/webhook']);
    const hookStep = steps.find((r) => r.path === '/webhook')!;
    expect(signatureOk(hookStep, SIGNING_SECRET)).toBe(true);
    expect(hookStep.json<{ escalation: unknown }>().escalation).toEqual({ policy_id: policyOf.get(webhook), policy_name: 'Shift lead after 1 min', severity: 'critical', wait_minutes: 1, channel_id: webhook });
    expect(steps.find((r) => r.path === '/teams')!.text()).toContain('Plant manager after 2 min');
    const claims = await sql.query<{ policy_id: string }>('select policy_id from escalation_steps where alert_id = $1', [alertId]);
    expect(claims.rows.map((r) => r.policy_id).sort()).toEqual(policies);
    const stepRows = await sql.query<{ policy_id: string; channel_id: string; id: string; status: string }>(
      `select policy_id, channel_id, id, status from notification_deliveries where alert_id = $1 and event = 'alert.escalated'`,
      [alertId],
    );
    expect(stepRows.rows.map((r) => r.policy_id).sort()).toEqual(policies);
    expect(stepRows.rows.every((r) => r.status === 'delivered' && policyOf.get(r.channel_id) === r.policy_id)).toBe(true);
    expect(webhookId(hookStep)).toBe(stepRows.rows.find((r) => r.channel_id === webhook)!.id);
    const audits = await sql.query<{ n: string }>(`select count(*)::text as n from audit_events where action = 'escalate_alert' and resource_id = $1 and user_id is null`, [alertId]);
    expect(Number(audits.rows[0]!.n)).toBe(2);
    await until('both alertEscalated events', () => (escalatedEvents.length >= 2 ? true : undefined), 5_000);
    expect(escalatedEvents.map((e) => e.policyId).sort()).toEqual(policies);
    expect(escalatedEvents.every((e) => e.alertId === alertId)).toBe(true);
    // no step fired twice and nothing else was sent
    expect(receiver.requests).toHaveLength(5);
  }, 90_000);

  it('delivers after a worker is SIGKILLed mid-delivery, with the same X-Webhook-Id', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    // the first request is held open (never answered); later ones get 200
    receiver.queue({ silent: true });
    const p = await plant('notify-kill');
    await channel(p.admin, { name: 'Hook', type: 'webhook', config: { url: `${receiver.url}/hook`, headers: {} }, signing_secret: SIGNING_SECRET });
    await sleep(1000);
    const alertId = await raise(p, 130);
    const [held] = await receiver.waitFor(1, 20_000);
    const id = webhookId(held!);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const holder = workers.find((w) => clientPidsOf(receiver.port).includes(w.pid));
    expect(holder, `pids connected to the receiver: ${clientPidsOf(receiver.port).join(',')}`).toBeDefined();
    await holder!.stop('SIGKILL');
    workers.splice(workers.indexOf(holder!), 1);
    await startWorker();

    const [, again] = await receiver.waitFor(2, 60_000);
    expect(webhookId(again!)).toBe(id);
    expect(event(again!)).toBe('alert.triggered');
    expect(signatureOk(again!, SIGNING_SECRET)).toBe(true);
    expect(again!.body.equals(held!.body)).toBe(true);
    const row = await until('the delivery row delivered', async () => {
      const r = await sql.query<{ status: string; attempts: number }>('select status, attempts from notification_deliveries where id = $1', [id]);
      return r.rows[0]?.status === 'delivered' ? r.rows[0] : undefined;
    }, 10_000);
    expect(row.attempts).toBeGreaterThanOrEqual(1);
    await sleep(2500);
    expect(receiver.requests.filter((r) => webhookId(r) === id)).toHaveLength(2);
    const rows = await sql.query<{ n: string }>('select count(*)::text as n from notification_deliveries where alert_id = $1', [alertId]);
    expect(Number(rows.rows[0]!.n)).toBe(1);
  }, 90_000);
});
