import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { CpuMeter, pidsByComm, type CpuReading } from './lib/cpu.js';
import { percentile, prng } from './lib/load.js';
import { importMachinesCsv, machineIdsByIdentifier, registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from './lib/webhook-receiver.js';

/**
 * Notifications (issue 14), everything on this machine (API server, its database, Redis, the
 * receivers and this generator). Per deployment, the embedded default (PGlite and in-process jobs,
 * no DATABASE_URL or REDIS_URL) and Redis/BullMQ + PostgreSQL, one server process each:
 *
 *   setup     a tenant through the REST API as a client would: `machines` machines (CSV import),
 *             four tenant-wide alert rules (temperature and vibration above, pressure below, each
 *             with a warning and a critical threshold; a composite humidity/dew-point rule of
 *             severity info), an ingest API key, and three channels on loopback receivers: a
 *             webhook (custom header, client-set signing secret), Slack and Teams.
 *   platform  `alerts` alerts raised the real way: POST /ingest batches of 100 readings (each
 *             alerting machine's one violating reading among normal readings of other metrics,
 *             values varied per machine so severities mix), two clients back to back. Every alert
 *             fans out to the three channels: 3 x `alerts` deliveries. Measured until every
 *             expected delivery arrived (bounded: BENCH_NOTIFY_MAX_MS), then 2 s more for
 *             duplicates; the delivery rows are read back through GET /notification-channels/{id}/deliveries.
 *             Enqueue-to-arrival = the row's created_at to the receiver's arrival time.
 *   loop      a plain loop posting the same bodies the receivers got (their raw bytes), signed by
 *             its own HMAC code (X-Webhook-* headers on every one), with undici at the engine's
 *             send concurrency: (a) burst, every payload ready at once: the loop's throughput;
 *             (b) paced, each payload ready at its row's offset from the first row: the loop's
 *             enqueue-to-arrival latency under the same arrival pattern as the platform.
 *
 * Figures: deliveries/s (distinct arrivals over first row created -> last arrival; also the time
 * to 99 % of them, which one straggler does not move), p50/p99/max enqueue-to-arrival, the routing
 * lag before it (alert created_at -> its rows written), lost (expected minus distinct arrivals),
 * duplicates (arrivals of a delivery already received), rows by status with their last errors, bad
 * signatures (checked with this file's HMAC code), CPU per process (server,
 * PostgreSQL backends, redis, this generator with the receivers) per delivery and in cores, server
 * RSS, load average. Each deployment runs once per receiver profile (NOTIFY_PROFILES: instant answers, then
 * realistic 20-200 ms ones), the loop of a phase against the same receivers answering the same way. Targets: platform throughput >= 1/3 of the burst loop's, p99 <= 3 x the paced
 * loop's, none lost, no duplicate.
 */

export const NOTIFY_MODES = ['embedded', 'postgres'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];

/**
 * How the receivers answer, the same for the platform and the loop of one phase: `instant` (at
 * once: the cost of the sender itself), `realistic` (like Slack, Teams and webhook endpoints over
 * the internet: each request answered after a latency drawn uniformly from 20-200 ms, seeded, so
 * both sides get the same sequence of latencies).
 */
export const NOTIFY_PROFILES = ['instant', 'realistic'] as const;
export type NotifyProfile = (typeof NOTIFY_PROFILES)[number];
const REALISTIC_LATENCY_MS = [20, 200] as const;
const LATENCY_SEED = 1414;

/** Sets the receiver's answer for a phase; called before the platform and before each loop, so each starts the same sequence. */
function answerAs(receiver: WebhookReceiver, profile: NotifyProfile): void {
  if (profile === 'instant') {
    receiver.respond({ status: 200 });
    return;
  }
  const rand = prng(LATENCY_SEED);
  const [lo, hi] = REALISTIC_LATENCY_MS;
  receiver.respond(() => ({ status: 200, delayMs: Math.round(lo + rand() * (hi - lo)) }));
}

export interface NotificationsBenchOptions {
  modes: NotifyMode[];
  /** receiver behaviours, one phase each (default both) */
  profiles?: NotifyProfile[];
  /** starts the server for a mode with these variables added (embedded: no DATABASE_URL/REDIS_URL) */
  startServer: (mode: NotifyMode, extraEnv: Record<string, string>) => Promise<BenchServer>;
  /** the PostgreSQL database of the postgres mode (same host: its backends' CPU) */
  databaseUrl: string;
  alerts?: number;
  machines?: number;
  /** the loop's concurrency; default: the engine's sends in flight per process */
  concurrency?: number;
  /** bound of the wait for every delivery (default 300,000 ms) */
  maxWaitMs?: number;
}

type ChannelKind = 'webhook' | 'slack' | 'teams';
const KINDS: readonly ChannelKind[] = ['webhook', 'slack', 'teams'];
const BATCH = 100;
const CLIENTS = 2;
const DUPLICATE_GRACE_MS = 2000;
/** sends in flight per process (SEND_CONCURRENCY of src/notifications/notification-delivery.service.ts): the loop's default */
const SEND_CONCURRENCY = 32;
const TARGET = { throughputRatio: 1 / 3, p99Ratio: 3 };

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const loadavg = () => os.loadavg().map((l) => round(l));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const json = (auth: { authorization: string }) => ({ ...auth, 'content-type': 'application/json' });

/** The loop's own signing: hex HMAC-SHA256(secret, timestamp + "." + raw body), as docs/webhooks.md documents. */
export function signBody(secret: string, timestamp: number, raw: Buffer): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest('hex')}`;
}

function latencyStats(xs: number[]): { n: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50Ms: round(percentile(s, 50)), p99Ms: round(percentile(s, 99)), maxMs: round(s.at(-1) ?? 0) };
}

function cpuFigures(cpu: CpuReading, units: number): { ms: Record<string, number>; cores: Record<string, number>; usPerDelivery: Record<string, number> } {
  const ms: Record<string, number> = {};
  const cores: Record<string, number> = {};
  const per: Record<string, number> = {};
  let total = 0;
  for (const [name, v] of Object.entries(cpu.ms)) {
    ms[name] = Math.round(v);
    cores[name] = round(v / Math.max(1, cpu.wallMs), 3);
    per[name] = round((v * 1000) / Math.max(1, units), 1);
    total += v;
  }
  cores.total = round(total / Math.max(1, cpu.wallMs), 3);
  per.total = round((total * 1000) / Math.max(1, units), 1);
  return { ms, cores, usPerDelivery: per };
}

async function rssMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

// ------------------------------------------------------------------------------ workload

/** The four tenant-wide rules; machine i alerts on rule i % 4 with one violating reading. */
const RULES = [
  {
    body: { name: 'Spindle temperature', metric_name: 'temperature', operator: '>', warning_threshold: 80, critical_threshold: 95, message: '{machine_name}: {metric_name} {value} {unit} above {threshold} ({severity})' },
    metric: 'temperature', unit: 'C', normal: [40, 70], warning: [80.5, 94.9], critical: [95.5, 130],
  },
  {
    body: { name: 'Bearing vibration', metric_name: 'vibration', operator: '>', warning_threshold: 7.1, critical_threshold: 11.2 },
    metric: 'vibration', unit: 'mm/s', normal: [0.5, 4.5], warning: [7.2, 11.1], critical: [11.3, 25],
  },
  {
    body: { name: 'Hydraulic pressure low', metric_name: 'pressure', operator: '<', warning_threshold: 4.5, critical_threshold: 3, message: 'Pressure {value} {unit} on {machine_name} (limit {threshold})' },
    metric: 'pressure', unit: 'bar', normal: [5.5, 7.5], warning: [3.1, 4.4], critical: [0.5, 2.9],
  },
  {
    body: {
      name: 'Condensation risk', severity: 'info', logic: 'or', window_seconds: 300,
      conditions: [{ metric_name: 'humidity', operator: '>', threshold: 85 }, { metric_name: 'dew_point_gap', operator: '<', threshold: 1 }],
    },
    metric: 'humidity', unit: '%', normal: [30, 60], info: [85.5, 99],
  },
] as const;

/** Normal readings that ride along in every batch (never violating). */
const NORMAL = [
  ['current', 'A', 8, 30],
  ['rpm', 'rpm', 900, 3000],
  ['dew_point_gap', 'C', 4, 12],
] as const;

interface Seeded {
  auth: { authorization: string };
  apiKey: string;
  tenantId: string;
  identifiers: string[];
  names: Map<string, string>;
  channels: Record<ChannelKind, { id: string; path: string }>;
  signingSecret: string;
  seconds: number;
}

async function seed(api: string, receiver: WebhookReceiver, machines: number, label: string): Promise<Seeded> {
  const t0 = Date.now();
  const auth = await registerBenchTenant(api, `notify-${label}`);
  const me = (await (await fetch(`${api}/auth/me`, { headers: auth })).json()) as { tenant_id: string };
  const keyRes = await fetch(`${api}/settings/api-keys`, { method: 'POST', headers: json(auth), body: JSON.stringify({ name: 'bench ingest', scopes: ['ingest'] }) });
  const keyBody = (await keyRes.json()) as { plaintext_key?: string };
  if (keyRes.status !== 201 || !keyBody.plaintext_key) throw new Error(`create API key: ${keyRes.status} ${JSON.stringify(keyBody)}`);
  const identifiers = Array.from({ length: machines }, (_, i) => `NT-${String(i + 1).padStart(5, '0')}`);
  const kinds = ['CNC Mill', 'Press', 'Lathe', 'Injection Moulder', 'Compressor', 'Robot Cell', 'Pump', 'Oven'];
  const names = new Map(identifiers.map((x, i) => [x, `${kinds[i % kinds.length]} #${i + 1}`]));
  for (let f = 0; f * 500 < machines; f++) {
    const lines = ['name,machine_identifier,protocol,location'];
    for (const x of identifiers.slice(f * 500, (f + 1) * 500)) lines.push(`${names.get(x)},${x},json,Hall ${x.charCodeAt(x.length - 1) % 6}`);
    await importMachinesCsv(api, auth, `notify-${f + 1}.csv`, lines);
  }
  await machineIdsByIdentifier(api, auth, machines);
  for (const r of RULES) {
    const res = await fetch(`${api}/alert-rules`, { method: 'POST', headers: json(auth), body: JSON.stringify(r.body) });
    if (res.status !== 201) throw new Error(`create rule ${r.body.name}: ${res.status} ${await res.text()}`);
  }
  const signingSecret = `bench-signing-${label}-`.padEnd(48, 's');
  const bodies: Record<ChannelKind, Record<string, unknown>> = {
    webhook: { name: 'Plant webhook', type: 'webhook', config: { url: `${receiver.url}/webhook`, headers: { 'X-Plant-Token': 'plant-token-1' } }, signing_secret: signingSecret },
    slack: { name: 'Maintenance Slack', type: 'slack', config: { webhook_url: `${receiver.url}/slack` } },
    teams: { name: 'Shift Teams', type: 'teams', config: { webhook_url: `${receiver.url}/teams` } },
  };
  const channels = {} as Seeded['channels'];
  for (const kind of KINDS) {
    const res = await fetch(`${api}/notification-channels`, { method: 'POST', headers: json(auth), body: JSON.stringify({ ...bodies[kind], is_active: true }) });
    const body = (await res.json()) as { id: string };
    if (res.status !== 201) throw new Error(`create ${kind} channel: ${res.status} ${JSON.stringify(body)}`);
    channels[kind] = { id: body.id, path: `/${kind}` };
  }
  return { auth, apiKey: keyBody.plaintext_key, tenantId: me.tenant_id, identifiers, names, channels, signingSecret, seconds: round((Date.now() - t0) / 1000, 1) };
}

/**
 * The ingest batches: machine i (i < alerts) gets one violating reading of rule i % 4, its value
 * drawn per machine (about 55 % warning, 45 % critical on the threshold rules; info on the
 * composite one), mixed with normal readings of the other metrics of nearby machines.
 */
function batches(s: Seeded, alerts: number): unknown[][] {
  const rand = prng(14);
  const at = (lo: number, hi: number) => Math.round((lo + rand() * (hi - lo)) * 100) / 100;
  const now = Date.now();
  const out: unknown[][] = [];
  let batch: unknown[] = [];
  for (let i = 0; i < alerts; i++) {
    const r = RULES[i % RULES.length]!;
    const range = 'info' in r ? r.info : rand() < 0.55 ? r.warning : r.critical;
    const machine = s.identifiers[i]!;
    batch.push({ machine_identifier: machine, timestamp: new Date(now - 50 + (i % 50)).toISOString(), metric_name: r.metric, value: at(range[0], range[1]), unit: r.unit });
    // a normal reading of another metric for this machine and its neighbour
    for (const m of [machine, s.identifiers[(i + 1) % s.identifiers.length]!]) {
      const [metric, unit, lo, hi] = NORMAL[Math.floor(rand() * NORMAL.length)]!;
      batch.push({ machine_identifier: m, timestamp: new Date(now - 100 + (i % 50)).toISOString(), metric_name: metric, value: at(lo, hi), unit });
    }
    if (batch.length >= BATCH - 2) {
      out.push(batch);
      batch = [];
    }
  }
  if (batch.length) out.push(batch);
  return out;
}

// ------------------------------------------------------------------------------ measurement

/** created_at of every alert of the tenant, through GET /alerts. */
async function alertTimes(api: string, auth: { authorization: string }): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let page = 1; ; page++) {
    const res = await fetch(`${api}/alerts?page=${page}&page_size=100`, { headers: auth });
    const body = (await res.json()) as { items: { id: string; created_at: string }[]; total: number };
    if (res.status !== 200) throw new Error(`alerts: ${res.status} ${JSON.stringify(body)}`);
    for (const a of body.items) out.set(a.id, Date.parse(a.created_at));
    if (body.items.length === 0 || out.size >= body.total) return out;
  }
}

interface DeliveryRow {
  id: string;
  event: string;
  alert_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
}

/** Every delivery row of a channel, page by page, through the API. */
async function deliveries(api: string, auth: { authorization: string }, channelId: string): Promise<DeliveryRow[]> {
  const rows: DeliveryRow[] = [];
  for (let page = 1; ; page++) {
    const res = await fetch(`${api}/notification-channels/${channelId}/deliveries?page=${page}&page_size=100`, { headers: auth });
    const body = (await res.json()) as { items: DeliveryRow[]; total: number };
    if (res.status !== 200) throw new Error(`deliveries of ${channelId}: ${res.status} ${JSON.stringify(body)}`);
    rows.push(...body.items);
    if (body.items.length === 0 || rows.length >= body.total) return rows;
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const kindOf = (p: string): ChannelKind | undefined => KINDS.find((k) => p.endsWith(`/${k}`));

/**
 * What an arrival delivers: its channel and its alert (`kind|alert id`), read from the body the
 * way a receiver would (the webhook's `alert.id`; Slack and Teams show the alert id in the
 * message), so Slack and Teams arrivals count without relying on transport headers. Cached per
 * request (the wait polls).
 */
const keys = new WeakMap<ReceivedRequest, string>();
function keyOf(r: ReceivedRequest): string {
  let k = keys.get(r);
  if (k !== undefined) return k;
  const kind = kindOf(r.path) ?? 'other';
  const alertId = kind === 'webhook' ? (r.json<{ alert?: { id?: string } }>().alert?.id ?? '') : (UUID.exec(r.text())?.[0] ?? '');
  k = `${kind}|${alertId}`;
  keys.set(r, k);
  return k;
}

interface Arrivals {
  /** arrivals per delivery (`kind|alert id`) */
  byKey: Map<string, ReceivedRequest[]>;
  total: number;
  badSignatures: number;
  /** webhook arrivals whose X-Webhook-Id is not their delivery row's id */
  wrongIds: number;
}

function collect(received: readonly ReceivedRequest[], secret: string, rowIdOf: (key: string) => string | undefined): Arrivals {
  const byKey = new Map<string, ReceivedRequest[]>();
  let total = 0;
  let badSignatures = 0;
  let wrongIds = 0;
  for (const r of received) {
    total++;
    const key = keyOf(r);
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
    if (kindOf(r.path) === 'webhook') {
      const ts = Number(r.headers['x-webhook-timestamp']);
      if (r.headers['x-webhook-signature'] !== signBody(secret, ts, r.body)) badSignatures++;
      if (r.headers['x-webhook-id'] !== rowIdOf(key)) wrongIds++;
    }
  }
  return { byKey, total, badSignatures, wrongIds };
}

/** Resolves once `n` distinct deliveries arrived, or after `maxMs`, or `stallMs` without a new one. */
async function waitDistinct(receiver: WebhookReceiver, n: number, maxMs: number, stallMs = 60_000): Promise<{ distinct: number; timedOut: boolean }> {
  const start = Date.now();
  const seen = new Set<string>();
  let scanned = 0;
  let lastChange = Date.now();
  for (;;) {
    const before = seen.size;
    const reqs = receiver.requests;
    for (; scanned < reqs.length; scanned++) seen.add(keyOf(reqs[scanned]!));
    if (seen.size >= n) return { distinct: seen.size, timedOut: false };
    if (seen.size !== before) lastChange = Date.now();
    if (Date.now() - start > maxMs || Date.now() - lastChange > stallMs) return { distinct: seen.size, timedOut: true };
    await sleep(100);
  }
}

interface LoopItem {
  deliveryId: string;
  event: string;
  path: string;
  body: Buffer;
  /** ms after the loop's start at which the payload is ready */
  readyMs: number;
}

/**
 * The plain loop: `concurrency` workers take the payloads in order (each once it is ready), sign
 * and POST them; latency is the receiver's arrival time minus the payload's ready time.
 */
async function plainLoop(receiver: WebhookReceiver, items: LoopItem[], concurrency: number, secret: string, label: string) {
  receiver.clear();
  const agent = new Agent({ connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const meter = await CpuMeter.start({ processes: {} });
  const loadBefore = loadavg();
  const start = Date.now();
  let next = 0;
  let errors = 0;
  const readyAt = new Map<string, number>();
  const worker = async () => {
    while (next < items.length) {
      const it = items[next++]!;
      const wait = start + it.readyMs - Date.now();
      if (wait > 0) await sleep(wait);
      readyAt.set(it.deliveryId, start + it.readyMs);
      const ts = Math.floor(Date.now() / 1000);
      const res = await request(`${receiver.url}/loop-${label}${it.path}`, {
        dispatcher: agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-webhook-id': it.deliveryId,
          'x-webhook-event': it.event,
          'x-webhook-timestamp': String(ts),
          'x-webhook-signature': signBody(secret, ts, it.body),
        },
        body: it.body,
      });
      await res.body.dump();
      if (res.statusCode !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = await meter.stop();
  await agent.close();
  const got = receiver.requests.filter((r) => r.path.startsWith(`/loop-${label}`));
  const latencies = got.map((r) => r.at - readyAt.get(String(r.headers['x-webhook-id']))!);
  const last = Math.max(...got.map((r) => r.at));
  const first = start + Math.min(...items.map((i) => i.readyMs));
  return {
    deliveries: got.length,
    errors,
    seconds: round((last - first) / 1000, 3),
    perSec: round(got.length / Math.max(0.001, (last - first) / 1000), 1),
    enqueueToArrival: latencyStats(latencies),
    cpu: cpuFigures(cpu, got.length),
    loadBefore,
    loadAfter: loadavg(),
  };
}

// ------------------------------------------------------------------------------ one deployment

async function runMode(mode: NotifyMode, profile: NotifyProfile, opts: NotificationsBenchOptions): Promise<Record<string, unknown>> {
  const alerts = opts.alerts ?? 1000;
  const machines = Math.max(alerts, opts.machines ?? 1000);
  const expected = alerts * KINDS.length;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `hf-bench-notify-${mode}-`));
  const receiver = await startWebhookReceiver();
  const out: Record<string, unknown> = { mode, profile, alerts, machines, channels: KINDS, expectedDeliveries: expected, loadavgStart: loadavg() };
  let server: BenchServer | undefined;
  try {
    server = await opts.startServer(mode, { DATA_DIR: dataDir, OUTBOUND_ALLOW_LOOPBACK: 'true' });
    const api = `${server.url}/api/v1`;
    const s = await seed(api, receiver, machines, mode);
    out.setupSeconds = s.seconds;
    out.serverRssAfterSetupMb = (await rssMb(server.pid)).rss;
    const concurrency = opts.concurrency ?? SEND_CONCURRENCY;
    out.concurrency = concurrency;

    // ---------------- platform
    answerAs(receiver, profile);
    const redis = mode === 'postgres' ? await pidsByComm('redis-server') : [];
    const meter = await CpuMeter.start({ processes: { server: [server.pid], ...(redis.length ? { redis } : {}) }, databaseUrl: mode === 'postgres' ? opts.databaseUrl : undefined });
    const loadBefore = loadavg();
    const ingestAgent = new Agent({ connections: CLIENTS, pipelining: 1, keepAliveTimeout: 30_000 });
    const work = batches(s, alerts);
    let nextBatch = 0;
    let readings = 0;
    const ingestStart = Date.now();
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (nextBatch < work.length) {
        const b = work[nextBatch++]!;
        const res = await request(`${api}/ingest`, { dispatcher: ingestAgent, method: 'POST', headers: { 'x-api-key': s.apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ readings: b }) });
        const text = await res.body.text();
        const body = JSON.parse(text) as { accepted_count?: number; errors?: unknown[] };
        if (res.statusCode !== 207 || body.accepted_count !== b.length) throw new Error(`ingest: ${res.statusCode} ${text.slice(0, 300)}`);
        readings += b.length;
      }
    }));
    const ingestMs = Date.now() - ingestStart;
    await ingestAgent.close();
    const waited = await waitDistinct(receiver, expected, opts.maxWaitMs ?? 300_000);
    const cpu = await meter.stop();
    await sleep(DUPLICATE_GRACE_MS);
    const loadAfter = loadavg();

    const rows = new Map<string, DeliveryRow & { kind: ChannelKind }>();
    for (const kind of KINDS) for (const r of await deliveries(api, s.auth, s.channels[kind].id)) rows.set(`${kind}|${r.alert_id}`, { ...r, kind });
    const statuses: Record<string, number> = {};
    // why rows were tried more than once or did not end delivered (last error, counted)
    const lastErrors: Record<string, number> = {};
    let retried = 0;
    for (const r of rows.values()) {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.attempts > 1) retried++;
      if (r.last_error && (r.status !== 'delivered' || r.attempts > 1)) lastErrors[r.last_error.slice(0, 120)] = (lastErrors[r.last_error.slice(0, 120)] ?? 0) + 1;
    }
    // alert raised -> its delivery rows written (the routing, before the enqueue-to-arrival clock starts)
    const raisedAt = await alertTimes(api, s.auth);
    const routingLag = latencyStats([...rows.values()].map((r) => Date.parse(r.created_at) - (raisedAt.get(r.alert_id) ?? NaN)).filter((x) => !Number.isNaN(x)));
    const arrivals = collect(receiver.requests, s.signingSecret, (key) => rows.get(key)?.id);
    const latencies: number[] = [];
    let firstCreated = Infinity;
    let lastArrival = 0;
    let unknownArrivals = 0;
    for (const [key, list] of arrivals.byKey) {
      const row = rows.get(key);
      if (!row) {
        unknownArrivals += list.length;
        continue;
      }
      const created = Date.parse(row.created_at);
      firstCreated = Math.min(firstCreated, created);
      lastArrival = Math.max(lastArrival, list[0]!.at);
      latencies.push(list[0]!.at - created);
    }
    const distinct = latencies.length;
    const firstArrivals = [...arrivals.byKey.entries()].filter(([k]) => rows.has(k)).map(([, l]) => l[0]!.at);
    const duplicates = [...arrivals.byKey.values()].reduce((n, l) => n + l.length - 1, 0);
    const platform = {
      how: 'alert rules + POST /ingest readings crossing thresholds',
      readings,
      ingestSeconds: round(ingestMs / 1000, 3),
      alertsRaised: raisedAt.size,
      deliveryRows: rows.size,
      statuses,
      retried,
      lastErrors,
      routingLag,
      arrivals: arrivals.total,
      distinctDelivered: distinct,
      lost: expected - distinct,
      duplicates,
      arrivalsOfUnknownDeliveries: unknownArrivals,
      badSignatures: arrivals.badSignatures,
      wrongWebhookIds: arrivals.wrongIds,
      timedOut: waited.timedOut,
      seconds: round((lastArrival - firstCreated) / 1000, 3),
      // first row written -> 99 % of the expected deliveries arrived (a straggler moves only `seconds`)
      secondsTo99Percent: round((firstArrivals.sort((a, b) => a - b)[Math.ceil(0.99 * expected) - 1] ?? NaN) / 1000 - firstCreated / 1000, 3),
      perSec: round(distinct / Math.max(0.001, (lastArrival - firstCreated) / 1000), 1),
      enqueueToArrival: latencyStats(latencies),
      cpu: cpuFigures(cpu, distinct),
      serverRssMb: await rssMb(server.pid),
      loadBefore,
      loadAfter,
    };
    out.platform = platform;
    console.log(JSON.stringify({ bench: 'notifications', mode, profile, phase: 'platform', ...platform }));

    // ---------------- the plain loop: the same bodies, burst then paced at the rows' offsets
    const items: LoopItem[] = [];
    for (const [key, list] of arrivals.byKey) {
      const row = rows.get(key);
      if (!row) continue;
      items.push({ deliveryId: row.id, event: row.event, path: `/${row.kind}`, body: list[0]!.body, readyMs: Date.parse(row.created_at) - firstCreated });
    }
    items.sort((a, b) => a.readyMs - b.readyMs);
    await sleep(1000);
    answerAs(receiver, profile);
    const burst = await plainLoop(receiver, items.map((i) => ({ ...i, readyMs: 0 })), concurrency, s.signingSecret, 'burst');
    console.log(JSON.stringify({ bench: 'notifications', mode, profile, phase: 'loop-burst', ...burst }));
    await sleep(1000);
    answerAs(receiver, profile);
    const paced = await plainLoop(receiver, items, concurrency, s.signingSecret, 'paced');
    console.log(JSON.stringify({ bench: 'notifications', mode, profile, phase: 'loop-paced', ...paced }));
    out.loop = { what: 'undici keep-alive POSTs of the received bodies, own HMAC signing, same concurrency', burst, paced };

    const throughputRatio = round(platform.perSec / Math.max(0.001, burst.perSec), 3);
    const p99Ratio = round(platform.enqueueToArrival.p99Ms / Math.max(0.001, paced.enqueueToArrival.p99Ms), 2);
    out.result = {
      profile,
      deliveriesPerSec: platform.perSec,
      loopPerSec: burst.perSec,
      throughputRatio,
      p99Ms: platform.enqueueToArrival.p99Ms,
      loopP99Ms: paced.enqueueToArrival.p99Ms,
      p99Ratio,
      lost: platform.lost,
      duplicates,
      met: {
        throughput: throughputRatio >= TARGET.throughputRatio,
        p99: p99Ratio <= TARGET.p99Ratio,
        noneLost: platform.lost === 0,
        noDuplicates: duplicates === 0,
      },
    };
    out.loadavgEnd = loadavg();
    return out;
  } finally {
    await server?.stop();
    await receiver.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function benchNotifications(opts: NotificationsBenchOptions): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { machine: { cpus: os.cpus().length, totalMemGb: Math.round(os.totalmem() / 2 ** 30) }, loadavgStart: loadavg(), targets: TARGET };
  const summary: Record<string, unknown> = {};
  for (const mode of opts.modes) {
    out[mode] = {};
    summary[mode] = {};
    for (const profile of opts.profiles ?? NOTIFY_PROFILES) {
      const r = await runMode(mode, profile, opts);
      (out[mode] as Record<string, unknown>)[profile] = r;
      (summary[mode] as Record<string, unknown>)[profile] = r.result;
    }
  }
  out.summary = summary;
  out.loadavgEnd = loadavg();
  return out;
}
