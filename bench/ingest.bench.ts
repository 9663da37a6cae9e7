import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import pg from 'pg';
import { Agent, request } from 'undici';
import { percentile } from './lib/load.js';
import { importMachinesCsv, machineIdsByIdentifier, registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';

/**
 * Ingest throughput against InfluxDB, everything on this machine (API, InfluxDB, PostgreSQL,
 * Redis with BENCH_REDIS=1, this load generator):
 *
 *  A. API: `clients` closed-loop clients POST pre-serialized 1,000-reading batches to
 *     /api/v1/ingest (1,000 machines x 10 metrics = 10 batches per sweep, timestamps advancing
 *     1 s per sweep from 2 h ago) for `durationMs` after a warm-up; accepted readings/s, batch
 *     latency p50/p99, the server's peak RSS (VmHWM) and CPU.
 *  B. Direct: as many points, same series and line format, written straight to InfluxDB /write in
 *     5,000-line batches by as many clients into a separate database; points/s and ratio A/B.
 *  C. Query: 1,000,000 points for one machine (10 metrics x 100,000, one per 0.864 s over 24 h)
 *     written directly, then GET /machines/{id}/readings?interval=5m&aggregation=mean over the
 *     24 h against the same InfluxQL sent directly to /query; median / p90 and ratio.
 *
 * Targets (issue): >= 100,000 readings/s, >= 0.6 of direct, p99 < 250 ms, peak RSS < 400 MB,
 * query <= 1.25x direct. Both InfluxDB databases are dropped at the end.
 */

export interface IngestBenchOptions {
  durationMs: number;
  /** concurrent clients of phases A and B (BENCH_INGEST_CLIENTS, default 4) */
  clients: number;
  influxUrl: string;
  /** starts the server with these variables added to the bench environment */
  startServer: (extraEnv: Record<string, string>) => Promise<BenchServer>;
  warmupMs?: number;
  queryRepeats?: number;
  /** the server's PostgreSQL database (same host): its backends' CPU during phase A is reported */
  databaseUrl?: string;
}

const MACHINES = 1000;
const FILE_ROWS = 500;
const METRICS = [
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
] as const;
const BATCH = 1000;
const BATCHES_PER_SWEEP = (MACHINES * METRICS.length) / BATCH; // 10
const DIRECT_BATCH = 5000;
const DIRECT_PER_SWEEP = (MACHINES * METRICS.length) / DIRECT_BATCH; // 2
const QUERY_POINTS = 1_000_000;
const DAY_MS = 86_400_000;
const BUCKET_MS = 300_000;

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const identifier = (i: number) => `ING-${String(i + 1).padStart(4, '0')}`;
/** deterministic, varied values with at most 3 decimals */
const valueOf = (machine: number, metric: number, sweep: number) => Math.round((20 + metric * 7 + ((machine * 31 + sweep * 17 + metric * 13) % 1000) / 10) * 1000) / 1000;

function loadavg() {
  return os.loadavg().map((l) => round(l));
}

/** utime + stime of a process in seconds (null when it is gone or not readable). */
async function cpuSeconds(pid: number | null): Promise<number | null> {
  if (!pid) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15, in clock ticks (USER_HZ = 100 on Linux)
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/** pid of the local influxd, to report its CPU time (null when not found). */
async function influxdPid(): Promise<number | null> {
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if ((await readFile(`/proc/${d}/comm`, 'utf8')).trim() === 'influxd') return Number(d);
    } catch {
      // gone
    }
  }
  return null;
}

/** Waits (at most maxMs) until influxd uses less than 0.15 of a core over a second, so compactions of one phase do not bill the next. */
async function settleInflux(pid: number | null, maxMs = 20_000): Promise<number> {
  const start = Date.now();
  if (!pid) return 0;
  while (Date.now() - start < maxMs) {
    const a = await cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 1000));
    const b = await cpuSeconds(pid);
    if (a === null || b === null || b - a < 0.15) break;
  }
  return round((Date.now() - start) / 1000, 1);
}

/** CPU seconds of the PostgreSQL backends serving database `name` (same host), summed. */
async function pgBackendsCpu(databaseUrl: string | undefined): Promise<{ pids: number[]; seconds: number } | null> {
  if (!databaseUrl) return null;
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    let seconds = 0;
    for (const r of rows) seconds += (await cpuSeconds(r.pid)) ?? 0;
    return { pids: rows.map((r) => r.pid), seconds };
  } finally {
    await c.end();
  }
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

async function currentRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

export async function benchIngest(opts: IngestBenchOptions): Promise<Record<string, unknown>> {
  const influx = opts.influxUrl.replace(/\/+$/, '');
  const suffix = `${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  const apiDb = `hf_bench_ingest_${suffix}`;
  const directDb = `hf_bench_direct_${suffix}`;
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
  const ping = await request(`${influx}/ping`, { dispatcher: influxAgent }).catch((e: Error) => {
    throw new Error(`InfluxDB does not answer at ${influx} (bash .ci/services.sh): ${e.message}`);
  });
  await ping.body.dump();

  const influxPid = await influxdPid();
  const server = await opts.startServer({ INFLUX_URL: influx, INFLUX_DB: apiDb });
  const out: Record<string, unknown> = { clients: opts.clients, durationMs: opts.durationMs, influxDb: apiDb, loadavgStart: loadavg() };
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

    for (let f = 0; f < MACHINES / FILE_ROWS; f++) {
      const lines = ['name,machine_identifier,protocol,location'];
      for (let i = f * FILE_ROWS; i < (f + 1) * FILE_ROWS; i++) lines.push(`Ingest machine ${i + 1},${identifier(i)},opc_ua,Hall ${String.fromCharCode(65 + (i % 8))}`);
      await importMachinesCsv(api, auth, `ingest-machines-${f + 1}.csv`, lines);
    }
    const idOf = await machineIdsByIdentifier(api, auth, MACHINES);
    const machineIds = Array.from({ length: MACHINES }, (_, i) => idOf.get(identifier(i))!);
    out.setupSeconds = round((Date.now() - setupStart) / 1000, 1);
    out.serverMemoryAfterSetupMb = { ...(await serverMemory(server.url)), peakRss: await server.peakRssMb() };

    // Phase A starts at T0 (2 h ago, on a 5-minute boundary); the query data of phase C lies in [T0 - 24 h, T0).
    const t0 = Math.floor((Date.now() - 2 * 3600_000) / BUCKET_MS) * BUCKET_MS;

    // ------------------------------------------------------------ phase A: API
    // Batch b of a sweep: machines 100b .. 100b+99, every metric. Pre-serialized, split at the timestamp.
    const TS = '@@TS@@';
    const apiTemplates = Array.from({ length: BATCHES_PER_SWEEP }, (_, b) => {
      const readings: unknown[] = [];
      const perBatch = BATCH / METRICS.length;
      for (let m = b * perBatch; m < (b + 1) * perBatch; m++) {
        METRICS.forEach(([metric, unit], k) => readings.push({ machine_identifier: identifier(m), timestamp: TS, metric_name: metric, value: valueOf(m, k, 0), unit }));
      }
      return JSON.stringify({ readings }).split(TS);
    });
    const ingestHeaders = { 'x-api-key': apiKey, 'content-type': 'application/json' };
    const warmupMs = opts.warmupMs ?? 2000;
    const apiAgent = new Agent({ connections: opts.clients, pipelining: 1, keepAliveTimeout: 30_000 });
    const rssSamples: number[] = [];
    const sampler = setInterval(() => {
      currentRssMb(server.pid).then((mb) => rssSamples.push(mb), () => {});
    }, 250);
    out.settleBeforeApiSeconds = await settleInflux(influxPid);
    const pg0 = await pgBackendsCpu(opts.databaseUrl);
    const serverCpu0 = await cpuSeconds(server.pid);
    const influxCpu0 = await cpuSeconds(influxPid);
    const aStart = Date.now();
    const warmupEnd = aStart + warmupMs;
    const aEnd = warmupEnd + opts.durationMs;
    let seq = 0;
    let accepted = 0;
    let acceptedTotal = 0;
    let failures = 0;
    let firstFailure = '';
    let lastDone = warmupEnd;
    const latencies: number[] = [];
    let memoryUnderLoad: Record<string, number> | undefined;
    const memoryProbe = setTimeout(() => {
      serverMemory(server.url).then((m) => (memoryUnderLoad = m), () => {});
    }, warmupMs + opts.durationMs / 2);
    const apiClient = async () => {
      while (Date.now() < aEnd) {
        const i = seq++;
        const body = apiTemplates[i % BATCHES_PER_SWEEP]!.join(new Date(t0 + Math.floor(i / BATCHES_PER_SWEEP) * 1000).toISOString());
        const t = performance.now();
        let ok = false;
        let n = 0;
        try {
          const r = await request(`${api}/ingest`, { dispatcher: apiAgent, method: 'POST', headers: ingestHeaders, body });
          const text = await r.body.text();
          if (r.statusCode === 207) {
            const res = JSON.parse(text) as { accepted_count: number; rejected_count: number; errors: unknown[] };
            n = res.accepted_count;
            ok = res.errors.length === 0 && res.accepted_count === BATCH;
          }
          if (!ok && !firstFailure) firstFailure = `${r.statusCode} ${text.slice(0, 300)}`;
        } catch (err) {
          if (!firstFailure) firstFailure = String(err);
        }
        const ms = performance.now() - t;
        acceptedTotal += n;
        const now = Date.now();
        if (now >= warmupEnd) {
          latencies.push(ms);
          accepted += n;
          if (!ok) failures++;
          lastDone = now;
        }
      }
    };
    await Promise.all(Array.from({ length: opts.clients }, apiClient));
    const aSeconds = (lastDone - warmupEnd) / 1000;
    clearInterval(sampler);
    clearTimeout(memoryProbe);
    const serverCpu1 = await cpuSeconds(server.pid);
    const influxCpu1 = await cpuSeconds(influxPid);
    await apiAgent.close();
    // backends that existed before phase A (the pool is opened during setup) and their CPU since
    let pgCpu = 0;
    if (pg0) {
      for (const pid of pg0.pids) pgCpu += (await cpuSeconds(pid)) ?? 0;
      pgCpu -= pg0.seconds;
    }
    latencies.sort((a, b) => a - b);
    const apiRate = accepted / aSeconds;
    const peakRssAfterA = await server.peakRssMb();
    out.api = {
      batches: latencies.length,
      failedBatches: failures,
      ...(firstFailure ? { firstFailure } : {}),
      acceptedReadings: accepted,
      acceptedInclWarmup: acceptedTotal,
      seconds: round(aSeconds),
      readingsPerSec: Math.round(apiRate),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(latencies.at(-1) ?? 0),
      serverPeakRssMb: peakRssAfterA,
      serverMaxSampledRssMb: Math.max(0, ...rssSamples),
      /** from the server's /metrics half-way through the phase */
      serverMemoryUnderLoadMb: memoryUnderLoad,
      // CPU used over the whole phase (warm-up included), per core-second and per accepted reading
      serverCpuCores: serverCpu0 !== null && serverCpu1 !== null ? round((serverCpu1 - serverCpu0) / ((Date.now() - aStart) / 1000)) : null,
      serverCpuUsPerReading: serverCpu0 !== null && serverCpu1 !== null ? round(((serverCpu1 - serverCpu0) * 1e6) / acceptedTotal, 1) : null,
      influxdCpuCores: influxCpu0 !== null && influxCpu1 !== null ? round((influxCpu1 - influxCpu0) / ((Date.now() - aStart) / 1000)) : null,
      influxdCpuUsPerPoint: influxCpu0 !== null && influxCpu1 !== null ? round(((influxCpu1 - influxCpu0) * 1e6) / acceptedTotal, 1) : null,
      postgresCpuUsPerReading: pg0 ? round((pgCpu * 1e6) / acceptedTotal, 1) : null,
      loadavgAfter: loadavg(),
    };
    // every accepted reading is in InfluxDB (the sweeps written so far, at most 10,000 series)
    const sweeps = Math.ceil(seq / BATCHES_PER_SWEEP);
    const [countRes] = (await influxql(`SELECT count("value") FROM "readings" WHERE time >= ${t0}ms AND time < ${t0 + sweeps * 1000}ms`, apiDb)).results;
    const stored = Number(countRes?.series?.[0]?.values[0]?.[1] ?? 0);
    (out.api as Record<string, unknown>).storedInInflux = stored;
    if (accepted === 0) throw new Error(`phase A: nothing accepted (${firstFailure})`);
    if (stored < acceptedTotal) throw new Error(`InfluxDB holds ${stored} points but ${acceptedTotal} were reported accepted`);
    console.log(JSON.stringify({ bench: 'ingest', phase: 'A (API)', ...(out.api as object) }));

    // ------------------------------------------------------------ phase B: direct /write
    // Line protocol as the server writes it; batch h of a sweep: machines 500h .. 500h+499, every metric.
    const directTemplates = Array.from({ length: DIRECT_PER_SWEEP }, (_, h) => {
      let text = '';
      const per = DIRECT_BATCH / METRICS.length;
      for (let m = h * per; m < (h + 1) * per; m++) {
        METRICS.forEach(([metric, unit], k) => {
          text += `readings,tenant_id=${tenantId},machine_id=${machineIds[m]},metric=${metric} value=${valueOf(m, k, 0)},unit="${unit}",raw_tag="" ${TS}\n`;
        });
      }
      return text.split(TS);
    });
    await influxql(`CREATE DATABASE "${directDb}"`);
    out.settleBeforeDirectSeconds = await settleInflux(influxPid);
    const directBatches = Math.max(1, Math.ceil(accepted / DIRECT_BATCH));
    const directBody = (j: number) => directTemplates[j % DIRECT_PER_SWEEP]!.join(String(t0 + Math.floor(j / DIRECT_PER_SWEEP) * 1000));
    // warm-up (series creation, like phase A's warm-up): one sweep, not counted
    for (let j = 0; j < DIRECT_PER_SWEEP; j++) await writeDirect(directDb, directBody(j));
    const directLat: number[] = [];
    let nextDirect = DIRECT_PER_SWEEP;
    const lastDirect = DIRECT_PER_SWEEP + directBatches;
    const influxCpuB0 = await cpuSeconds(influxPid);
    const bStart = performance.now();
    await Promise.all(
      Array.from({ length: opts.clients }, async () => {
        while (nextDirect < lastDirect) {
          const body = directBody(nextDirect++);
          const t = performance.now();
          await writeDirect(directDb, body);
          directLat.push(performance.now() - t);
        }
      }),
    );
    const bSeconds = (performance.now() - bStart) / 1000;
    const influxCpuB1 = await cpuSeconds(influxPid);
    directLat.sort((a, b) => a - b);
    const directRate = (directBatches * DIRECT_BATCH) / bSeconds;
    out.direct = {
      points: directBatches * DIRECT_BATCH,
      batches: directBatches,
      seconds: round(bSeconds),
      pointsPerSec: Math.round(directRate),
      batchP50Ms: round(percentile(directLat, 50)),
      batchP99Ms: round(percentile(directLat, 99)),
      influxdCpuCores: influxCpuB0 !== null && influxCpuB1 !== null ? round((influxCpuB1 - influxCpuB0) / bSeconds) : null,
      influxdCpuUsPerPoint: influxCpuB0 !== null && influxCpuB1 !== null ? round(((influxCpuB1 - influxCpuB0) * 1e6) / (directBatches * DIRECT_BATCH), 1) : null,
      loadavgAfter: loadavg(),
    };
    out.ratioApiToDirect = round(apiRate / directRate, 3);
    console.log(JSON.stringify({ bench: 'ingest', phase: 'B (direct)', ...(out.direct as object), ratio: out.ratioApiToDirect }));

    // ------------------------------------------------------------ phase C: 24 h, 5-minute mean over 1,000,000 points
    const qMachine = machineIds[0]!;
    const qStart = t0 - DAY_MS;
    const perMetric = QUERY_POINTS / METRICS.length;
    const stepMs = DAY_MS / perMetric; // 864 ms
    const cSeedStart = performance.now();
    {
      let k = 0; // point index per metric
      const linesPerBatch = DIRECT_BATCH / METRICS.length;
      const bodies: (() => string)[] = [];
      for (; k < perMetric; k += linesPerBatch) {
        const from = k;
        bodies.push(() => {
          let text = '';
          for (let p = from; p < Math.min(perMetric, from + linesPerBatch); p++) {
            const ts = qStart + Math.round(p * stepMs);
            METRICS.forEach(([metric, unit], mi) => {
              text += `readings,tenant_id=${tenantId},machine_id=${qMachine},metric=${metric} value=${round(20 + mi * 5 + 10 * Math.sin(p / 500 + mi), 3)},unit="${unit}",raw_tag="" ${ts}\n`;
            });
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

    out.settleBeforeQuerySeconds = await settleInflux(influxPid);
    const metricNames = METRICS.map(([m]) => m);
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
    if (apiAnswer.series.length !== METRICS.length || directSeries.length !== METRICS.length) {
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
    out.query = {
      points: pointsInWindow,
      seedSeconds: round(cSeedSeconds),
      seedPointsPerSec: Math.round(QUERY_POINTS / cSeedSeconds),
      repeats,
      buckets: apiAnswer.series.reduce((n, s) => n + s.points.length, 0),
      api: api_,
      directMeanQuery: mean_,
      /** the mean query plus the unit query, as the API sends them (two requests at once) */
      directMeanAndUnitQueries: both_,
      ratioMedian: round(api_.medianMs / mean_.medianMs, 3),
      ratioP90: round(api_.p90Ms / mean_.p90Ms, 3),
      ratioMedianVsBothStatements: round(api_.medianMs / both_.medianMs, 3),
    };
    out.serverPeakRssMb = await server.peakRssMb();
    const a = out.api as { readingsPerSec: number; p99Ms: number; serverPeakRssMb: number };
    const q = out.query as { ratioMedian: number };
    out.targets = {
      readingsPerSec: { target: 100_000, value: a.readingsPerSec, met: a.readingsPerSec >= 100_000 },
      ratioToDirect: { target: 0.6, value: out.ratioApiToDirect, met: (out.ratioApiToDirect as number) >= 0.6 },
      p99Ms: { target: 250, value: a.p99Ms, met: a.p99Ms < 250 },
      peakRssMb: { target: 400, value: out.serverPeakRssMb, met: (out.serverPeakRssMb as number) < 400 },
      noFailedBatches: { target: 0, value: failures, met: failures === 0 },
      queryRatio: { target: 1.25, value: q.ratioMedian, met: q.ratioMedian <= 1.25 },
    };
    out.loadavgEnd = loadavg();
    out.machine = { cpus: os.cpus().length, totalMemGb: Math.round(os.totalmem() / 2 ** 30) };
    return out;
  } finally {
    await server.stop();
    // BENCH_KEEP_INFLUX=1 keeps both InfluxDB databases for inspection; drop them by hand afterwards.
    if (process.env.BENCH_KEEP_INFLUX === '1') console.log(JSON.stringify({ event: 'kept InfluxDB databases', databases: [apiDb, directDb] }));
    else for (const db of [apiDb, directDb]) await influxql(`DROP DATABASE "${db}"`).catch((e: Error) => console.error(`could not drop ${db}: ${e.message}`));
    await influxAgent.close();
  }
}
