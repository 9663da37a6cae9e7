import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Agent, request } from 'undici';
import { CpuMeter, pidsByComm, type CpuReading } from './lib/cpu.js';
import { percentile, prng } from './lib/load.js';
import { importMachinesCsv, machineIdsByIdentifier, registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';

/**
 * Ingest throughput against InfluxDB, everything on this machine (API, PostgreSQL, InfluxDB, Redis
 * and this load generator), over a matrix of batch shapes. Every shape runs twice with the same
 * number of closed-loop clients for the same time: through POST /api/v1/ingest, and as the same
 * points in line protocol straight to InfluxDB /write (a database of its own, same batches).
 *
 *  a  "today's": 1,000 machines x 10 metrics, a batch = 100 machines x all 10 metrics
 *  b  1,000 machines x 10 metrics, a batch = all 1,000 machines x one metric
 *  c  mixed: 10,000 machines x 20 metrics, batches of 1..1,000 readings (uniform), series in random
 *     order (a fresh permutation of all 200,000 series per sweep)
 *  d  live: 10,000 machines x 10 metrics at "now"; a batch = 1,000 machines (one group of ten) x one
 *     metric, from a window of five groups that slides by one every 3 s: groups leave the window,
 *     go offline (MACHINE_OFFLINE_AFTER_SEC=10 on the bench server) and come back, so statuses move
 *
 * In every shape values vary per reading, timestamps carry irregular milliseconds (a to c: 1 s per
 * sweep of all series, from hours ago, so no point overwrites another), and each request body is
 * built when it is sent (readings as objects, then JSON.stringify; lines for /write). Response
 * bodies are read. The load generator's own CPU is reported like every other process's.
 *
 * Per shape: readings/s, batch p50/p99, failed batches, server peak RSS, CPU per reading of the
 * server, the PostgreSQL backends of its database, influxd, redis-server and this process; the
 * direct rate and the ratio. Every accepted reading is counted back from InfluxDB.
 * Phase `query`: 1,000,000 points of one machine over 24 h, 5-minute means through the API vs the
 * same InfluxQL sent directly.
 *
 * Targets (issue 10), per shape: >= 100,000 readings/s, >= 0.6 of direct, p99 < 250 ms, RSS < 400 MB,
 * no failed batch; query <= 1.25x direct. Both InfluxDB databases are dropped at the end.
 */

export const INGEST_SHAPES = ['a', 'b', 'c', 'd', 'query'] as const;
export type IngestShapeName = (typeof INGEST_SHAPES)[number];

export interface IngestBenchOptions {
  durationMs: number;
  /** concurrent clients of each phase (BENCH_INGEST_CLIENTS, default 4) */
  clients: number;
  influxUrl: string;
  /** starts the server with these variables added to the bench environment */
  startServer: (extraEnv: Record<string, string>) => Promise<BenchServer>;
  /** which shapes / phases to run, in this order (BENCH_SHAPES, default all) */
  shapes?: IngestShapeName[];
  warmupMs?: number;
  queryRepeats?: number;
  /** the server's PostgreSQL database (same host): its backends' CPU is reported */
  databaseUrl?: string;
  /** the server's Redis, if any: machine status events of shape d are counted on it */
  redisUrl?: string;
}

export const METRICS = [
  ['temperature', 'C'],
  ['vibration', 'mm/s'],
  ['pressure', 'bar'],
  ['current', 'A'],
  ['voltage', 'V'],
  ['rpm', 'rpm'],
  ['flow', 'l/min'],
  ['humidity', '%'],
  ['power', 'kW'],
  ['torque', 'Nm'],
  ['speed', 'm/min'],
  ['level', 'mm'],
  ['load', '%'],
  ['frequency', 'Hz'],
  ['energy', 'kWh'],
  ['position', 'mm'],
  ['force', 'kN'],
  ['noise', 'dB'],
  ['oil_temperature', 'C'],
  ['cycle_time', 's'],
] as const;
const FILE_ROWS = 500;
const DIRECT_QUERY_BATCH = 5000;
const QUERY_POINTS = 1_000_000;
const QUERY_METRICS = 10;
const DAY_MS = 86_400_000;
const BUCKET_MS = 300_000;
/** the server's offline window in this bench (shape d moves statuses within it) */
export const BENCH_OFFLINE_AFTER_SEC = 10;
const LIVE_SLIDE_MS = 3000;

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const identifier = (i: number) => `ING-${String(i + 1).padStart(5, '0')}`;
const loadavg = () => os.loadavg().map((l) => round(l));

// ---------------------------------------------------------------- workloads

/** One reading as the generator thinks of it: machine index, metric index, ms timestamp, value. */
interface Point {
  m: number;
  k: number;
  ts: number;
  v: number;
}

/** Irregular milliseconds within a sweep's second, distinct per series and sweep. */
const jitter = (m: number, k: number, sweep: number) => (m * 7919 + k * 104_729 + sweep * 31) % 1000;

interface Shape {
  name: 'a' | 'b' | 'c' | 'd';
  title: string;
  machines: number;
  metrics: number;
  /** a fresh generator of the shape's batch sequence (call it with 0, 1, 2, ... in order) */
  generator(base: number): (i: number) => Point[];
}

export function valueSource(seed: number): (k: number) => number {
  const r = prng(seed);
  return (k) => Math.round((20 + k * 7 + r() * 80) * 1000) / 1000;
}

const SHAPES: Record<Shape['name'], Shape> = {
  a: {
    name: 'a',
    title: "today's: 100 machines x 10 metrics per batch (1,000 machines)",
    machines: 1000,
    metrics: 10,
    generator(base) {
      const value = valueSource(1);
      return (i) => {
        const sweep = Math.floor(i / 10);
        const b = i % 10;
        const out: Point[] = [];
        for (let m = b * 100; m < (b + 1) * 100; m++) {
          for (let k = 0; k < 10; k++) out.push({ m, k, ts: base + sweep * 1000 + jitter(m, k, sweep), v: value(k) });
        }
        return out;
      };
    },
  },
  b: {
    name: 'b',
    title: '1,000 distinct machines x one metric per batch (1,000 machines x 10 metrics)',
    machines: 1000,
    metrics: 10,
    generator(base) {
      const value = valueSource(2);
      return (i) => {
        const sweep = Math.floor(i / 10);
        const k = i % 10;
        const out: Point[] = [];
        for (let m = 0; m < 1000; m++) out.push({ m, k, ts: base + sweep * 1000 + jitter(m, k, sweep), v: value(k) });
        return out;
      };
    },
  },
  c: {
    name: 'c',
    title: 'mixed: 1..1,000 readings per batch, random order (10,000 machines x 20 metrics)',
    machines: 10_000,
    metrics: 20,
    generator(base) {
      const series = 10_000 * 20;
      const r = prng(3);
      const value = valueSource(4);
      const order = new Int32Array(series);
      for (let s = 0; s < series; s++) order[s] = s;
      let sweep = -1;
      let cursor = series;
      return () => {
        const size = 1 + Math.floor(r() * 1000);
        const out: Point[] = [];
        while (out.length < size) {
          if (cursor === series) {
            // a new sweep: every series once more, in a fresh random order
            for (let s = series - 1; s > 0; s--) {
              const j = Math.floor(r() * (s + 1));
              const t = order[s]!;
              order[s] = order[j]!;
              order[j] = t;
            }
            cursor = 0;
            sweep++;
          }
          const s = order[cursor++]!;
          const m = s % 10_000;
          const k = Math.floor(s / 10_000);
          out.push({ m, k, ts: base + sweep * 1000 + jitter(m, k, sweep), v: value(k) });
        }
        return out;
      };
    },
  },
  d: {
    name: 'd',
    title: 'live: 1,000 machines x one metric per batch at "now", sliding window of 5,000 of 10,000 machines',
    machines: 10_000,
    metrics: 10,
    generator() {
      const value = valueSource(5);
      const start = Date.now();
      const lastTs = new Float64Array(10_000 * 10);
      return (i) => {
        const now = Date.now();
        const window = Math.floor((now - start) / LIVE_SLIDE_MS);
        const group = (window + (i % 5)) % 10;
        const k = Math.floor(i / 5) % 10;
        const out: Point[] = [];
        for (let m = group * 1000; m < (group + 1) * 1000; m++) {
          const s = k * 10_000 + m;
          // up to 99 ms old, and strictly newer than the series' previous point (no overwrite)
          const ts = Math.max(now - ((m * 7 + i) % 100), lastTs[s]! + 1);
          lastTs[s] = ts;
          out.push({ m, k, ts, v: value(k) });
        }
        return out;
      };
    },
  },
};

// ---------------------------------------------------------------- processes

/** utime + stime of a process in seconds (null when it is gone or not readable). */
async function cpuSeconds(pid: number | null): Promise<number | null> {
  if (!pid) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Waits (at most maxMs) until influxd has used less than 0.3 of a core in each of two seconds in a
 * row, so cache snapshots and compactions of one phase do not bill the next (an idle influxd here
 * still uses about 0.15 of a core).
 */
async function settleInflux(pid: number | null, maxMs = 30_000): Promise<number> {
  const start = Date.now();
  if (!pid) return 0;
  let quiet = 0;
  while (Date.now() - start < maxMs && quiet < 2) {
    const a = await cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 1000));
    const b = await cpuSeconds(pid);
    if (a === null || b === null) break;
    quiet = b - a < 0.3 ? quiet + 1 : 0;
  }
  return round((Date.now() - start) / 1000, 1);
}

/** Seconds the server spent in garbage collection so far, by kind (prom-client's nodejs_gc_duration_seconds). */
async function serverGcSeconds(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^nodejs_gc_duration_seconds_sum\{kind="(\w+)"\} (\S+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

export async function currentRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** Memory figures of the server from its /metrics (prom-client default metrics), in MB. */
async function serverMemory(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const pick = (name: string) => Math.round(Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20);
  return {
    rss: pick('process_resident_memory_bytes'),
    heapTotal: pick('nodejs_heap_size_total_bytes'),
    heapUsed: pick('nodejs_heap_size_used_bytes'),
    external: pick('nodejs_external_memory_bytes'),
  };
}

// ---------------------------------------------------------------- closed-loop phase

export interface PhaseResult {
  batches: number;
  failedBatches: number;
  firstFailure?: string;
  /** readings (points) acknowledged in the measured window */
  readings: number;
  /** acknowledged including the warm-up (what must be in InfluxDB) */
  readingsInclWarmup: number;
  seconds: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpu: CpuReading | null;
}

/**
 * `clients` closed-loop clients send batch 0, 1, 2, ... (each built just before it is sent) for the
 * warm-up plus durationMs; the measured window (latencies, counts, CPU) starts after the warm-up.
 */
export async function closedLoop(opts: {
  clients: number;
  warmupMs: number;
  durationMs: number;
  send: (i: number) => Promise<{ ok: boolean; n: number; failure?: string }>;
  meter: () => Promise<CpuMeter>;
}): Promise<PhaseResult> {
  const start = Date.now();
  const warmupEnd = start + opts.warmupMs;
  const end = warmupEnd + opts.durationMs;
  let meterP: Promise<CpuMeter> | undefined;
  const meterTimer = setTimeout(() => (meterP = opts.meter()), opts.warmupMs);
  let seq = 0;
  let n = 0;
  let nAll = 0;
  let failures = 0;
  let firstFailure = '';
  let lastDone = warmupEnd;
  const latencies: number[] = [];
  const client = async () => {
    while (Date.now() < end) {
      const i = seq++;
      const t = performance.now();
      let r: { ok: boolean; n: number; failure?: string };
      try {
        r = await opts.send(i);
      } catch (err) {
        r = { ok: false, n: 0, failure: String(err) };
      }
      const ms = performance.now() - t;
      nAll += r.n;
      if (!r.ok && !firstFailure) firstFailure = r.failure ?? 'failed';
      const now = Date.now();
      if (now >= warmupEnd) {
        latencies.push(ms);
        n += r.n;
        if (!r.ok) failures++;
        lastDone = now;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, client));
  clearTimeout(meterTimer);
  const cpu = meterP ? await (await meterP).stop() : null;
  latencies.sort((a, b) => a - b);
  const seconds = Math.max(0.001, (lastDone - warmupEnd) / 1000);
  return {
    batches: latencies.length,
    failedBatches: failures,
    ...(firstFailure ? { firstFailure } : {}),
    readings: n,
    readingsInclWarmup: nAll,
    seconds: round(seconds),
    perSec: Math.round(n / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? 0),
    cpu,
  };
}

/** CPU µs per reading of each measured process, and cores busy. */
export function cpuFigures(cpu: CpuReading | null, readings: number): { usPerReading: Record<string, number>; cores: Record<string, number> } | null {
  if (!cpu) return null;
  const usPerReading: Record<string, number> = {};
  const cores: Record<string, number> = {};
  let total = 0;
  for (const [name, ms] of Object.entries(cpu.ms)) {
    usPerReading[name] = round((ms * 1000) / Math.max(1, readings), 1);
    cores[name] = round(ms / cpu.wallMs);
    total += ms;
  }
  usPerReading.total = round((total * 1000) / Math.max(1, readings), 1);
  cores.total = round(total / cpu.wallMs);
  return { usPerReading, cores };
}

// ---------------------------------------------------------------- bench

export async function benchIngest(opts: IngestBenchOptions): Promise<Record<string, unknown>> {
  const shapes = opts.shapes ?? [...INGEST_SHAPES];
  const influx = opts.influxUrl.replace(/\/+$/, '');
  const suffix = `${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  const apiDb = `hf_bench_ingest_${suffix}`;
  const directDb = `hf_bench_direct_${suffix}`;
  const warmupMs = opts.warmupMs ?? 2000;
  const influxAgent = new Agent({ connections: opts.clients + 2, keepAliveTimeout: 30_000 });
  const influxql = async (q: string, db?: string, params?: Record<string, string>) => {
    const form = new URLSearchParams();
    if (db) form.set('db', db);
    form.set('q', q);
    if (params) form.set('params', JSON.stringify(params));
    form.set('epoch', 'ms');
    const r = await request(`${influx}/query`, { dispatcher: influxAgent, method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const text = await r.body.text();
    if (r.statusCode !== 200 || text.includes('"error"')) throw new Error(`InfluxDB ${q.slice(0, 80)}: ${r.statusCode} ${text.slice(0, 300)}`);
    return JSON.parse(text) as { results: { series?: { tags?: Record<string, string>; values: unknown[][] }[] }[] };
  };
  const writeDirect = async (db: string, body: string) => {
    const r = await request(`${influx}/write?db=${db}&precision=ms`, { dispatcher: influxAgent, method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    const text = await r.body.text();
    if (r.statusCode !== 204) throw new Error(`InfluxDB /write: ${r.statusCode} ${text.slice(0, 300)}`);
  };
  const countIn = async (db: string, fromMs: number, toMs: number) => {
    const [res] = (await influxql(`SELECT count("value") FROM "readings" WHERE time >= ${fromMs}ms AND time < ${toMs}ms`, db)).results;
    return Number(res?.series?.[0]?.values[0]?.[1] ?? 0);
  };
  const ping = await request(`${influx}/ping`, { dispatcher: influxAgent }).catch((e: Error) => {
    throw new Error(`InfluxDB does not answer at ${influx} (bash .ci/services.sh): ${e.message}`);
  });
  await ping.body.dump();

  const [influxPid] = await pidsByComm('influxd');
  const redisPids = await pidsByComm('redis-server');
  const server = await opts.startServer({ INFLUX_URL: influx, INFLUX_DB: apiDb, MACHINE_OFFLINE_AFTER_SEC: String(BENCH_OFFLINE_AFTER_SEC) });
  const out: Record<string, unknown> = {
    clients: opts.clients,
    durationMs: opts.durationMs,
    warmupMs,
    shapes,
    redis: Boolean(opts.redisUrl),
    influxDb: apiDb,
    loadavgStart: loadavg(),
  };
  const results: Record<string, Record<string, unknown>> = {};
  out.shapes = results;
  try {
    const api = `${server.url}/api/v1`;
    // ------------------------------------------------------------ setup
    const setupStart = Date.now();
    const auth = await registerBenchTenant(api, 'ingest');
    const me = (await (await fetch(`${api}/auth/me`, { headers: auth })).json()) as { tenant_id: string };
    const tenantId = me.tenant_id;
    const keyRes = await fetch(`${api}/settings/api-keys`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench ingest', scopes: ['ingest'] }) });
    const keyBody = (await keyRes.json()) as { key?: string; api_key?: string };
    const apiKey = keyBody.key ?? keyBody.api_key;
    if (keyRes.status !== 201 || !apiKey) throw new Error(`create API key failed: ${keyRes.status} ${JSON.stringify(keyBody)}`);
    const machineCount = Math.max(1000, ...shapes.filter((s): s is Shape['name'] => s !== 'query').map((s) => SHAPES[s].machines));
    for (let f = 0; f < machineCount / FILE_ROWS; f++) {
      const lines = ['name,machine_identifier,protocol,location'];
      for (let i = f * FILE_ROWS; i < (f + 1) * FILE_ROWS; i++) lines.push(`Ingest machine ${i + 1},${identifier(i)},opc_ua,Hall ${String.fromCharCode(65 + (i % 8))}`);
      await importMachinesCsv(api, auth, `ingest-machines-${f + 1}.csv`, lines);
    }
    const idOf = await machineIdsByIdentifier(api, auth, machineCount);
    const identifiers = Array.from({ length: machineCount }, (_, i) => identifier(i));
    const machineIds = identifiers.map((ident) => idOf.get(ident)!);
    // planner statistics, as a plant whose machines were registered a while ago has them
    if (opts.databaseUrl) {
      const c = new pg.Client({ connectionString: opts.databaseUrl });
      await c.connect();
      await c.query('analyze');
      await c.end();
    }
    out.machines = machineCount;
    out.setupSeconds = round((Date.now() - setupStart) / 1000, 1);
    out.serverMemoryAfterSetupMb = { ...(await serverMemory(server.url)), peakRss: await server.peakRssMb() };
    await influxql(`CREATE DATABASE "${directDb}"`);

    const ingestHeaders = { 'x-api-key': apiKey, 'content-type': 'application/json' };
    const apiAgent = new Agent({ connections: opts.clients, pipelining: 1, keepAliveTimeout: 30_000 });
    const processes = { server: [server.pid], influxd: influxPid ? [influxPid] : [], redis: redisPids };
    const meter = () => CpuMeter.start({ processes, databaseUrl: opts.databaseUrl });
    // the tag part of each series' line, as the server writes it (ids and metric names need no escaping)
    const seriesKey = (m: number, k: number) => `readings,tenant_id=${tenantId},machine_id=${machineIds[m]},metric=${METRICS[k]![0]}`;
    // Each backfilled shape gets its own two hours, ending 2 h before now (shape d is live): its
    // readings in the first hour, the series-creating seed points at 90 minutes.
    const hours = 3600_000;
    const baseOf: Record<string, number> = { a: Date.now() - 8 * hours, b: Date.now() - 6 * hours, c: Date.now() - 4 * hours };

    for (const name of shapes) {
      if (name === 'query') continue;
      const shape = SHAPES[name];
      const base = baseOf[name] !== undefined ? Math.floor(baseOf[name] / 1000) * 1000 : 0;
      const r: Record<string, unknown> = { title: shape.title };
      results[name] = r;
      // The shape's series exist before either phase is measured, as in a plant that has been
      // running: creating them (one point each, into both databases) is InfluxDB's one-off cost,
      // reported here, and would otherwise dominate a short run of shape c (200,000 series).
      {
        const seedTs = name === 'd' ? Date.now() - 3 * hours : base + 90 * 60_000;
        const series = shape.machines * shape.metrics;
        const bodies: string[] = [];
        for (let s0 = 0; s0 < series; s0 += 5000) {
          let text = '';
          for (let s = s0; s < Math.min(series, s0 + 5000); s++) text += `${seriesKey(s % shape.machines, Math.floor(s / shape.machines))} value=0,unit="${METRICS[Math.floor(s / shape.machines)]![1]}",raw_tag="" ${seedTs}\n`;
          bodies.push(text);
        }
        const cpu0 = await cpuSeconds(influxPid ?? null);
        const t = performance.now();
        for (const db of [apiDb, directDb]) {
          let next = 0;
          await Promise.all(Array.from({ length: opts.clients }, async () => {
            while (next < bodies.length) await writeDirect(db, bodies[next++]!);
          }));
        }
        const cpu1 = await cpuSeconds(influxPid ?? null);
        r.seriesSeed = {
          series,
          seconds: round((performance.now() - t) / 1000),
          influxdUsPerNewSeries: cpu0 !== null && cpu1 !== null ? round(((cpu1 - cpu0) * 1e6) / (2 * series), 1) : null,
        };
      }
      let statusEvents: { toHealthy: number; toOffline: number } | undefined;
      let sub: Redis | undefined;
      if (name === 'd' && opts.redisUrl) {
        statusEvents = { toHealthy: 0, toOffline: 0 };
        const events = statusEvents;
        sub = new Redis(opts.redisUrl, { lazyConnect: true });
        await sub.connect();
        sub.on('message', (_channel: string, message: string) => {
          const to = (JSON.parse(message) as { p?: { newStatus?: string } }).p?.newStatus;
          if (to === 'offline') events.toOffline++;
          else if (to === 'healthy') events.toHealthy++;
        });
        await sub.subscribe(`hf:evt:machineStatusChanged:${tenantId}`);
      }

      // ---------------- through the API
      r.settleBeforeApiSeconds = await settleInflux(influxPid ?? null);
      const apiStartMs = Date.now();
      const gc0 = await serverGcSeconds(server.url);
      const nextApi = shape.generator(base);
      const rssSamples: number[] = [];
      const sampler = setInterval(() => {
        currentRssMb(server.pid).then((mb) => rssSamples.push(mb), () => {});
      }, 250);
      const a = await closedLoop({
        clients: opts.clients,
        warmupMs,
        durationMs: opts.durationMs,
        meter,
        send: async (i) => {
          const points = nextApi(i);
          const readings = points.map((p) => ({
            machine_identifier: identifiers[p.m],
            timestamp: new Date(p.ts).toISOString(),
            metric_name: METRICS[p.k]![0],
            value: p.v,
            unit: METRICS[p.k]![1],
          }));
          const res = await request(`${api}/ingest`, { dispatcher: apiAgent, method: 'POST', headers: ingestHeaders, body: JSON.stringify({ readings }) });
          const text = await res.body.text();
          if (res.statusCode !== 207) return { ok: false, n: 0, failure: `${res.statusCode} ${text.slice(0, 300)}` };
          const body = JSON.parse(text) as { accepted_count: number; errors: unknown[] };
          const ok = body.errors.length === 0 && body.accepted_count === points.length;
          return { ok, n: body.accepted_count, ...(ok ? {} : { failure: text.slice(0, 300) }) };
        },
      });
      clearInterval(sampler);
      const apiEndMs = Date.now();
      const gc1 = await serverGcSeconds(server.url);
      const gcUsPerReading = Object.fromEntries(Object.entries(gc1).map(([kind, sec]) => [kind, round(((sec - (gc0[kind] ?? 0)) * 1e6) / Math.max(1, a.readingsInclWarmup), 2)]));
      // every acknowledged reading is in InfluxDB (each shape has a time range of its own)
      const stored = name === 'd' ? await countIn(apiDb, apiStartMs - 1000, apiEndMs + 1000) : await countIn(apiDb, base, base + hours);
      if (stored < a.readingsInclWarmup) throw new Error(`shape ${name}: InfluxDB holds ${stored} points but ${a.readingsInclWarmup} were reported accepted`);
      if (sub) {
        // the sweep takes silent groups offline every 2.5 s: let the last ones arrive
        await new Promise((res) => setTimeout(res, 3000));
        await sub.quit();
      }
      const { cpu: apiCpu, ...apiRest } = a;
      r.api = {
        ...apiRest,
        storedInInflux: stored,
        serverPeakRssMb: await server.peakRssMb(),
        serverMaxSampledRssMb: Math.max(0, ...rssSamples),
        ...(statusEvents ? { machineStatusEvents: statusEvents } : {}),
        cpu: cpuFigures(apiCpu, a.readings),
        /** main-thread pause time of the server's garbage collections (warm-up included), by kind */
        serverGcPauseUsPerReading: gcUsPerReading,
        loadavgAfter: loadavg(),
      };
      console.log(JSON.stringify({ bench: 'ingest', shape: name, phase: 'api', ...(r.api as object) }));

      // ---------------- the same points, straight to InfluxDB
      r.settleBeforeDirectSeconds = await settleInflux(influxPid ?? null);
      const nextDirect = shape.generator(base);
      const d = await closedLoop({
        clients: opts.clients,
        warmupMs,
        durationMs: opts.durationMs,
        meter,
        send: async (i) => {
          const points = nextDirect(i);
          let body = '';
          for (const p of points) body += `${seriesKey(p.m, p.k)} value=${p.v},unit="${METRICS[p.k]![1]}",raw_tag="" ${p.ts}\n`;
          await writeDirect(directDb, body);
          return { ok: true, n: points.length };
        },
      });
      const { cpu: directCpu, ...directRest } = d;
      r.direct = { ...directRest, cpu: cpuFigures(directCpu, d.readings), loadavgAfter: loadavg() };
      const ratio = round(a.perSec / Math.max(1, d.perSec), 3);
      r.ratio = ratio;
      const rss = Math.max((r.api as { serverMaxSampledRssMb: number }).serverMaxSampledRssMb, 0);
      r.targets = {
        readingsPerSec: { target: 100_000, value: a.perSec, met: a.perSec >= 100_000 },
        ratioToDirect: { target: 0.6, value: ratio, met: ratio >= 0.6 },
        p99Ms: { target: 250, value: a.p99Ms, met: a.p99Ms < 250 },
        rssMb: { target: 400, value: rss, met: rss < 400 },
        noFailedBatches: { target: 0, value: a.failedBatches, met: a.failedBatches === 0 },
      };
      console.log(JSON.stringify({ bench: 'ingest', shape: name, phase: 'direct', ...(r.direct as object), ratio }));
    }
    await apiAgent.close();

    // ------------------------------------------------------------ query: 24 h, 5-minute mean over 1,000,000 points
    if (shapes.includes('query')) out.query = await queryPhase();
    out.serverPeakRssMb = await server.peakRssMb();
    out.summary = Object.entries(results).map(([name, r]) => {
      const a = r.api as { perSec: number; p50Ms: number; p99Ms: number; failedBatches: number; serverMaxSampledRssMb: number; cpu: ReturnType<typeof cpuFigures> };
      const d = r.direct as { perSec: number; cpu: ReturnType<typeof cpuFigures> };
      const us = a.cpu?.usPerReading ?? {};
      return {
        shape: name,
        readingsPerSec: a.perSec,
        directPerSec: d.perSec,
        ratio: r.ratio,
        p50Ms: a.p50Ms,
        p99Ms: a.p99Ms,
        rssMb: a.serverMaxSampledRssMb,
        failed: a.failedBatches,
        cpuUsPerReading: { server: us.server, postgres: us.postgres, influxd: us.influxd, redis: us.redis, generator: us.generator, total: us.total },
        directInfluxdUsPerPoint: d.cpu?.usPerReading.influxd,
        directGeneratorUsPerPoint: d.cpu?.usPerReading.generator,
      };
    });
    out.loadavgEnd = loadavg();
    out.machine = { cpus: os.cpus().length, totalMemGb: Math.round(os.totalmem() / 2 ** 30) };
    return out;

    async function queryPhase(): Promise<Record<string, unknown>> {
      const qMachine = machineIds[0]!;
      const t0 = Math.floor((Date.now() - 10 * hours) / BUCKET_MS) * BUCKET_MS;
      const qStart = t0 - DAY_MS;
      const perMetric = QUERY_POINTS / QUERY_METRICS;
      const stepMs = DAY_MS / perMetric; // 864 ms
      const cSeedStart = performance.now();
      {
        const linesPerBatch = DIRECT_QUERY_BATCH / QUERY_METRICS;
        const bodies: (() => string)[] = [];
        for (let k = 0; k < perMetric; k += linesPerBatch) {
          const from = k;
          bodies.push(() => {
            let text = '';
            for (let p = from; p < Math.min(perMetric, from + linesPerBatch); p++) {
              const ts = qStart + Math.round(p * stepMs);
              for (let mi = 0; mi < QUERY_METRICS; mi++) {
                const [metric, unit] = METRICS[mi]!;
                text += `readings,tenant_id=${tenantId},machine_id=${qMachine},metric=${metric} value=${round(20 + mi * 5 + 10 * Math.sin(p / 500 + mi), 3)},unit="${unit}",raw_tag="" ${ts}\n`;
              }
            }
            return text;
          });
        }
        let next = 0;
        await Promise.all(
          Array.from({ length: opts.clients }, async () => {
            while (next < bodies.length) await writeDirect(apiDb, bodies[next++]!());
          }),
        );
      }
      const cSeedSeconds = (performance.now() - cSeedStart) / 1000;
      const startIso = new Date(qStart).toISOString();
      const endIso = new Date(t0).toISOString();
      const [cnt] = (await influxql(`SELECT count("value") FROM "readings" WHERE "machine_id" = '${qMachine}' AND time >= ${qStart}ms AND time < ${t0}ms`, apiDb)).results;
      const pointsInWindow = Number(cnt?.series?.[0]?.values[0]?.[1] ?? 0);
      if (pointsInWindow !== QUERY_POINTS) throw new Error(`query window holds ${pointsInWindow} points, expected ${QUERY_POINTS}`);

      const settleSeconds = await settleInflux(influxPid ?? null);
      const metricNames = METRICS.slice(0, QUERY_METRICS).map(([m]) => m);
      const apiQueryUrl = `${api}/machines/${qMachine}/readings?interval=5m&aggregation=mean&start=${encodeURIComponent(startIso)}&end=${encodeURIComponent(endIso)}&metric=${metricNames.join(',')}`;
      // the statements the server sends (reading-store query()), with the same bound parameters
      const params: Record<string, string> = { tenant: tenantId, machine: qMachine, start: startIso, end: endIso };
      metricNames.forEach((m, i) => (params[`q${i}`] = m));
      const where = `"tenant_id" = $tenant AND "machine_id" = $machine AND time >= $start AND time < $end AND (${metricNames.map((_, i) => `"metric" = $q${i}`).join(' OR ')})`;
      const meanQ = `SELECT mean("value") AS "value" FROM "readings" WHERE ${where} GROUP BY time(300s), "metric" fill(none) LIMIT 10001`;
      const unitQ = `SELECT last("unit") AS "unit" FROM "readings" WHERE ${where} GROUP BY "metric"`;

      const apiQuery = async () => {
        const r = await request(apiQueryUrl, { dispatcher: influxAgent, headers: auth });
        const text = await r.body.text();
        if (r.statusCode !== 200) throw new Error(`API query: ${r.statusCode} ${text.slice(0, 300)}`);
        return JSON.parse(text) as { series: { metric: string; unit: string | null; points: { timestamp: string; value: number }[] }[] };
      };
      const timed = async <T>(f: () => Promise<T>): Promise<[number, T]> => {
        const t = performance.now();
        const v = await f();
        return [performance.now() - t, v];
      };
      // sanity: the API answers what InfluxDB answers
      const apiAnswer = await apiQuery();
      const direct = await influxql(meanQ, apiDb, params);
      const directSeries = direct.results[0]?.series ?? [];
      if (apiAnswer.series.length !== QUERY_METRICS || directSeries.length !== QUERY_METRICS) {
        throw new Error(`query: API has ${apiAnswer.series.length} series, InfluxDB ${directSeries.length}`);
      }
      for (const s of apiAnswer.series) {
        const d = directSeries.find((x) => x.tags?.metric === s.metric)!;
        if (s.points.length !== DAY_MS / BUCKET_MS || d.values.length !== s.points.length) throw new Error(`query: ${s.metric} has ${s.points.length} buckets (direct ${d.values.length})`);
        if (Math.abs(s.points[7]!.value - Number(d.values[7]![1])) > 1e-9) throw new Error(`query: ${s.metric} bucket 7 differs`);
      }
      const repeats = opts.queryRepeats ?? 10;
      const tApi: number[] = [];
      const tMean: number[] = [];
      const tBoth: number[] = [];
      for (let i = 0; i < 2; i++) {
        await apiQuery();
        await influxql(meanQ, apiDb, params);
        await Promise.all([influxql(meanQ, apiDb, params), influxql(unitQ, apiDb, params)]);
      }
      for (let i = 0; i < repeats; i++) {
        tApi.push((await timed(apiQuery))[0]);
        tMean.push((await timed(() => influxql(meanQ, apiDb, params)))[0]);
        tBoth.push((await timed(() => Promise.all([influxql(meanQ, apiDb, params), influxql(unitQ, apiDb, params)])))[0]);
      }
      const stats = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        return { medianMs: round(percentile(s, 50)), p90Ms: round(percentile(s, 90)), minMs: round(s[0] ?? 0) };
      };
      const api_ = stats(tApi);
      const mean_ = stats(tMean);
      const both_ = stats(tBoth);
      const ratioMedian = round(api_.medianMs / mean_.medianMs, 3);
      return {
        points: pointsInWindow,
        seedSeconds: round(cSeedSeconds),
        seedPointsPerSec: Math.round(QUERY_POINTS / cSeedSeconds),
        settleSeconds,
        repeats,
        buckets: apiAnswer.series.reduce((n, s) => n + s.points.length, 0),
        api: api_,
        directMeanQuery: mean_,
        /** the mean query plus the unit query, as the API sends them (two requests at once) */
        directMeanAndUnitQueries: both_,
        ratioMedian,
        ratioP90: round(api_.p90Ms / mean_.p90Ms, 3),
        ratioMedianVsBothStatements: round(api_.medianMs / both_.medianMs, 3),
        target: { ratio: 1.25, met: ratioMedian <= 1.25 },
      };
    }
  } finally {
    await server.stop();
    // BENCH_KEEP_INFLUX=1 keeps both InfluxDB databases for inspection; drop them by hand afterwards.
    if (process.env.BENCH_KEEP_INFLUX === '1') console.log(JSON.stringify({ event: 'kept InfluxDB databases', databases: [apiDb, directDb] }));
    else for (const db of [apiDb, directDb]) await influxql(`DROP DATABASE "${db}"`).catch((e: Error) => console.error(`could not drop ${db}: ${e.message}`));
    await influxAgent.close();
  }
}
