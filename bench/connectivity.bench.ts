import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Agent, request } from 'undici';
import { ReadingBuffer } from '../src/edge-agent/buffer.js';
import { CpuMeter, cpuMsOf, pidsByComm, type CpuReading } from './lib/cpu.js';
import { opcuaMetricName, pushMachineIdentifier, pushReading, SIM_POINTS, startSimProcess, type SimPoint, type SimProcess } from './lib/device-sim.js';
import { percentile } from './lib/load.js';
import { importMachinesCsv, machineIdsByIdentifier, registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';

/**
 * Industrial connectivity (issue 12), everything on this machine: the API server (one process,
 * jobs enabled: the only worker), PostgreSQL, InfluxDB, Redis, the simulated devices and the
 * baseline clients, each simulator and client a child process of its own so every process's CPU
 * is measured apart. Every phase compares with a plain client doing the same work in the same run.
 *
 *  modbus  BENCH_MODBUS_DEVICES (500) Modbus TCP devices (modbus-serial ServerTCP, one port each,
 *          spread over BENCH_MODBUS_SIM_PROCS (2) simulator processes), ten points each (uint16 with
 *          scale and offset, int16, int32, uint32, float32 ABCD and CDAB in a holding and an input
 *          block; sinusoids with per-device phase and period plus noise, a speed jumping between
 *          setpoints at irregular moments, counters advancing irregularly, spikes), computed at
 *          every read. Baseline: a plain modbus-serial client process, one connection per device,
 *          reading the same two blocks per device every second and decoding the ten values. Then one
 *          ingest source per device through POST /ingest-sources (interval 1 s) on one machine
 *          each; after all are `ok` and a warm-up, a window of BENCH_CONNECTIVITY_MS (60 s).
 *  opcua   one node-opcua server process with BENCH_OPCUA_NODES (5,000) variables (the same model,
 *          mixed types, string and numeric node ids), each computed when read. Baseline: a plain
 *          node-opcua client process reading all nodes every second. Then one OPC-UA source (poll
 *          mode, interval 1 s) with every node; the same window.
 *  agent   BENCH_AGENT_READINGS (200,000) readings of BENCH_AGENT_MACHINES (1,000) machines x ten
 *          metrics with irregular timestamps, buffered by the agent's own buffer class
 *          (src/edge-agent/buffer.ts) into a buffer directory; the agent (dist/src/edge-agent/cli.js,
 *          batch_size BENCH_AGENT_BATCH, 1,000) starts on it and drains it; the plain client (a
 *          process posting the same readings in the same batches, one request at a time, bodies
 *          built per request) does the same into another time range. Each rate runs from the start
 *          of the process (the agent: its spawn, so Node's start and opening the buffer count) until
 *          InfluxDB holds every reading (polled every 250 ms); also from the first stored reading.
 *          BENCH_AGENT_ROUNDS (2) rounds of client then agent; the rates are summed over rounds.
 *
 * Counted from the stores, not from the code under test: cycles are the distinct timestamps of one
 * point per source in InfluxDB within the window (readings are stamped with the poll time), missed
 * cycles the gaps of more than 1.5 intervals (and the edges of the window), readings the points in
 * the window; every stored value is checked against its point's range (a decoding error lands far
 * outside) and every series must vary. CPU per poll = the server's CPU in the window / cycles.
 *
 * Per phase: CPU (ms, cores) of the server, PostgreSQL backends, influxd, redis, simulators and
 * clients; server RSS; load average. Targets: modbus and opcua no missed cycle; agent >= 0.5 x the
 * plain client.
 */

export const CONNECTIVITY_PHASES = ['modbus', 'opcua', 'agent'] as const;
export type ConnectivityPhaseName = (typeof CONNECTIVITY_PHASES)[number];

export interface ConnectivityBenchOptions {
  /** measured window of the modbus and opcua phases and of each baseline (BENCH_CONNECTIVITY_MS) */
  durationMs: number;
  influxUrl: string;
  /** starts the server with these variables added to the bench environment */
  startServer: (extraEnv: Record<string, string>) => Promise<BenchServer>;
  /** the bench's PostgreSQL database (same host): backends' CPU, source states */
  databaseUrl: string;
  phases?: ConnectivityPhaseName[];
  modbusDevices?: number;
  modbusSimProcesses?: number;
  opcuaNodes?: number;
  agentReadings?: number;
  agentMachines?: number;
  agentBatchSize?: number;
  agentRounds?: number;
  /** the server's Redis, if any (its CPU is reported) */
  redisUrl?: string;
}

const INTERVAL_MS = 1000;
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const loadavg = () => os.loadavg().map((l) => round(l));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const json = (auth: { authorization: string }) => ({ ...auth, 'content-type': 'application/json' });

/** CPU of each measured process group: ms, cores busy, and per unit of work (µs). */
function cpuFigures(cpu: CpuReading, units: number, unitName: string): Record<string, unknown> {
  const ms: Record<string, number> = {};
  const cores: Record<string, number> = {};
  const per: Record<string, number> = {};
  let total = 0;
  for (const [name, v] of Object.entries(cpu.ms)) {
    ms[name] = Math.round(v);
    cores[name] = round(v / cpu.wallMs, 3);
    per[name] = round((v * 1000) / Math.max(1, units), 1);
    total += v;
  }
  cores.total = round(total / cpu.wallMs, 3);
  per.total = round((total * 1000) / Math.max(1, units), 1);
  return { wallMs: cpu.wallMs, ms, cores, [`usPer${unitName}`]: per };
}

async function rssMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

/** CPU time of the whole machine so far (/proc/stat): busy and total jiffies, all cores. */
async function machineJiffies(): Promise<{ busy: number; total: number }> {
  const f = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

/**
 * How busy the machine was between two readings, in cores (all processes, including whatever else
 * runs on this host: figures taken on a busy machine say so).
 */
function machineBusyCores(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return round(((b.busy - a.busy) / Math.max(1, b.total - a.total)) * os.cpus().length, 2);
}

/** Samples a process's RSS every second until stopped; the maximum seen. */
function rssSampler(pid: number): { stop(): number } {
  let max = 0;
  const t = setInterval(() => void rssMb(pid).then((r) => (max = Math.max(max, r.rss))), 1000);
  return {
    stop() {
      clearInterval(t);
      return max;
    },
  };
}

/**
 * Cycles of each series (machine or metric) from its timestamps within [t0, t1): count, missed
 * cycles (gaps over 1.5 intervals, and at the window's edges), and how far the interval between two
 * cycles strayed from the interval.
 */
export function cadence(seriesTs: number[][], t0: number, t1: number, intervalMs: number): { cycles: number; missed: number; seriesWithMisses: number; intervalP50Ms: number; intervalP99Ms: number; intervalMaxMs: number } {
  let cycles = 0;
  let missed = 0;
  let seriesWithMisses = 0;
  const intervals: number[] = [];
  for (const ts of seriesTs) {
    const sorted = [...new Set(ts)].sort((a, b) => a - b);
    let m = 0;
    cycles += sorted.length;
    if (sorted.length === 0) m += Math.round((t1 - t0) / intervalMs);
    else {
      m += Math.max(0, Math.round((sorted[0]! - t0) / intervalMs - 1));
      m += Math.max(0, Math.round((t1 - sorted.at(-1)!) / intervalMs - 1));
      for (let i = 1; i < sorted.length; i++) {
        const gap = sorted[i]! - sorted[i - 1]!;
        intervals.push(gap);
        if (gap > 1.5 * intervalMs) m += Math.round(gap / intervalMs) - 1;
      }
    }
    missed += m;
    if (m > 0) seriesWithMisses++;
  }
  intervals.sort((a, b) => a - b);
  return { cycles, missed, seriesWithMisses, intervalP50Ms: round(percentile(intervals, 50)), intervalP99Ms: round(percentile(intervals, 99)), intervalMaxMs: round(intervals.at(-1) ?? 0) };
}

/** Children to stop if this process is told to stop (SIGINT/SIGTERM) in the middle of a phase. */
const running = new Set<{ stop(): Promise<void> }>();
function track<T extends { stop(): Promise<void> }>(p: T): T {
  running.add(p);
  return p;
}
async function untrack(p: { stop(): Promise<void> } | undefined): Promise<void> {
  if (!p) return;
  running.delete(p);
  await p.stop();
}
const onSignal = (sig: NodeJS.Signals) => {
  console.error(`connectivity: ${sig}, stopping ${running.size} child process(es)`);
  const all = Promise.allSettled([...running].map((p) => p.stop()));
  void Promise.race([all, sleep(15_000)]).then(() => process.exit(sig === 'SIGINT' ? 130 : 143));
};

export async function benchConnectivity(opts: ConnectivityBenchOptions): Promise<Record<string, unknown>> {
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const phases = opts.phases ?? [...CONNECTIVITY_PHASES];
  const influx = opts.influxUrl.replace(/\/+$/, '');
  const suffix = `${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  const influxAgent = new Agent({ connections: 4, keepAliveTimeout: 30_000 });
  const durationMs = opts.durationMs;
  const influxql = async (q: string, db?: string) => {
    const form = new URLSearchParams();
    if (db) form.set('db', db);
    form.set('q', q);
    form.set('epoch', 'ms');
    const r = await request(`${influx}/query`, { dispatcher: influxAgent, method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const text = await r.body.text();
    if (r.statusCode !== 200 || text.includes('"error"')) throw new Error(`InfluxDB ${q.slice(0, 80)}: ${r.statusCode} ${text.slice(0, 300)}`);
    return JSON.parse(text) as { results: { series?: { tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] }[] };
  };
  const countIn = async (db: string, fromMs: number, toMs: number) => {
    const [res] = (await influxql(`SELECT count("value") FROM "readings" WHERE time >= ${fromMs}ms AND time < ${toMs}ms`, db)).results;
    return Number(res?.series?.[0]?.values[0]?.[1] ?? 0);
  };
  /** Waits (at most maxMs) until the count of readings stamped in [t0, t1) stops growing: the window's last cycles are stored. */
  const waitStable = async (db: string, t0: number, t1: number, maxMs = 20_000) => {
    const start = Date.now();
    let last = -1;
    for (;;) {
      await sleep(1000);
      const n = await countIn(db, t0, t1);
      if (n === last || Date.now() - start > maxMs) return round((Date.now() - start) / 1000, 1);
      last = n;
    }
  };
  const ping = await request(`${influx}/ping`, { dispatcher: influxAgent }).catch((e: Error) => {
    throw new Error(`InfluxDB does not answer at ${influx} (bash .ci/services.sh): ${e.message}`);
  });
  await ping.body.dump();
  const [influxPid] = await pidsByComm('influxd');
  const redisPids = opts.redisUrl ? await pidsByComm('redis-server') : [];
  const infra = { ...(influxPid ? { influxd: [influxPid] } : {}), ...(redisPids.length ? { redis: redisPids } : {}) };
  const sql = async <T extends pg.QueryResultRow>(q: string, params: unknown[] = []): Promise<T[]> => {
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    await c.connect();
    try {
      return (await c.query<T>(q, params)).rows;
    } finally {
      await c.end();
    }
  };

  const out: Record<string, unknown> = {
    phases,
    durationMs,
    redis: Boolean(opts.redisUrl),
    machine: { cpus: os.cpus().length, totalMemGb: Math.round(os.totalmem() / 2 ** 30) },
    loadavgStart: loadavg(),
  };
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hf-bench-conn-'));
  const influxDbs: string[] = [];
  const serverEnv = (db: string): Record<string, string> => ({
    INFLUX_URL: influx,
    INFLUX_DB: db,
    OUTBOUND_ALLOW_LOOPBACK: 'true',
    DATA_DIR: path.join(dataDir, db),
    JOBS_ENABLED: 'true',
  });

  /** Registers a tenant and `identifiers` machines; the admin's header and machine ids by identifier. */
  const seedTenant = async (api: string, label: string, identifiers: string[]) => {
    const auth = await registerBenchTenant(api, label);
    for (let f = 0; f * 500 < identifiers.length; f++) {
      const lines = ['name,machine_identifier,protocol,location'];
      for (const ident of identifiers.slice(f * 500, (f + 1) * 500)) lines.push(`Machine ${ident},${ident},${label === 'opcua' ? 'opc_ua' : 'modbus'},Hall ${ident.slice(-1)}`);
      await importMachinesCsv(api, auth, `${label}-${f + 1}.csv`, lines);
    }
    const idOf = await machineIdsByIdentifier(api, auth, identifiers.length);
    return { auth, idOf };
  };

  /** Waits (at most maxMs) until `n` sources of the tenant are `ok`; the counts by state. */
  const waitSourcesOk = async (tenantId: string, n: number, maxMs: number) => {
    const start = Date.now();
    let states: Record<string, number> = {};
    while (Date.now() - start < maxMs) {
      const rows = await sql<{ state: string; n: string }>('select state, count(*)::text as n from ingest_sources where tenant_id = $1 group by state', [tenantId]);
      states = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
      if ((states.ok ?? 0) >= n) break;
      await sleep(500);
    }
    return { states, seconds: round((Date.now() - start) / 1000, 1) };
  };

  /** Stored readings in [t0, t1): per metric min/max/count, checked against each point's range; series that never changed. */
  const checkValues = async (db: string, t0: number, t1: number, pointOf: (metric: string) => SimPoint | undefined) => {
    const [res] = (await influxql(`SELECT min("value"), max("value"), count("value") FROM "readings" WHERE time >= ${t0}ms AND time < ${t1}ms GROUP BY "metric"`, db)).results;
    let outOfRange = 0;
    const examples: string[] = [];
    let stored = 0;
    const metrics = res?.series?.length ?? 0;
    for (const s of res?.series ?? []) {
      const [, min, max, count] = s.values[0] as [number, number, number, number];
      stored += count;
      const p = pointOf(s.tags!.metric!);
      if (!p) {
        outOfRange += count;
        examples.push(`${s.tags!.metric}: unexpected metric`);
        continue;
      }
      const [lo, hi] = p.range;
      // integer OPC-UA types carry the value rounded
      if (min < lo - 0.51 || max > hi + 0.51) {
        outOfRange++;
        if (examples.length < 5) examples.push(`${s.tags!.metric}: ${min}..${max} outside ${lo}..${hi}`);
      }
    }
    const [sp] = (await influxql(`SELECT spread("value") FROM "readings" WHERE time >= ${t0}ms AND time < ${t1}ms GROUP BY "machine_id", "metric"`, db)).results;
    const series = sp?.series ?? [];
    const constant = series.filter((s) => Number(s.values[0]?.[1]) === 0).length;
    return { stored, metrics, metricsOutOfRange: outOfRange, ...(examples.length ? { outOfRangeExamples: examples } : {}), series: series.length, seriesThatNeverChanged: constant };
  };

  /** Timestamps of one metric per series (GROUP BY `tag`) in [t0, t1). */
  const timestamps = async (db: string, where: string, tag: string, t0: number, t1: number): Promise<Map<string, number[]>> => {
    const [res] = (await influxql(`SELECT "value" FROM "readings" WHERE ${where} AND time >= ${t0}ms AND time < ${t1}ms GROUP BY "${tag}"`, db)).results;
    return new Map((res?.series ?? []).map((s) => [s.tags![tag]!, s.values.map((v) => Number(v[0]))]));
  };

  const settle = async () => {
    // let influxd finish flushing what the previous step wrote (an idle influxd uses ~0.15 core)
    if (!influxPid) return 0;
    const start = Date.now();
    let quiet = 0;
    while (Date.now() - start < 20_000 && quiet < 2) {
      const a = await cpuMsOf(influxPid);
      await sleep(1000);
      quiet = (await cpuMsOf(influxPid)) - a < 300 ? quiet + 1 : 0;
    }
    return round((Date.now() - start) / 1000, 1);
  };

  try {
    // a phase that fails is reported as such and the others still run
    const attempt = async (name: ConnectivityPhaseName, run: () => Promise<Record<string, unknown>>) => {
      if (!phases.includes(name)) return;
      try {
        out[name] = await run();
      } catch (err) {
        console.error(`connectivity ${name}: ${(err as Error).stack ?? String(err)}`);
        out[name] = { error: (err as Error).message, loadavg: loadavg() };
        failed.push(name);
      }
    };
    const failed: string[] = [];
    await attempt('modbus', modbusPhase);
    await attempt('opcua', opcuaPhase);
    await attempt('agent', agentPhase);
    if (failed.length) out.failedPhases = failed;
    out.summary = summary();
    out.loadavgEnd = loadavg();
    return out;
  } finally {
    if (process.env.BENCH_KEEP_INFLUX === '1') console.log(JSON.stringify({ event: 'kept InfluxDB databases', databases: influxDbs }));
    else for (const db of influxDbs) await influxql(`DROP DATABASE "${db}"`).catch((e: Error) => console.error(`could not drop ${db}: ${e.message}`));
    await influxAgent.close();
    await rm(dataDir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  function summary(): Record<string, unknown> {
    const s: Record<string, unknown> = {};
    for (const name of phases) {
      const p = out[name] as { result?: Record<string, unknown>; error?: string } | undefined;
      if (p?.result || p?.error) s[name] = p.result ?? { error: p.error };
    }
    return s;
  }

  // ------------------------------------------------------------------------------ modbus
  async function modbusPhase(): Promise<Record<string, unknown>> {
    const devices = opts.modbusDevices ?? 500;
    const procs = Math.max(1, Math.min(devices, opts.modbusSimProcesses ?? 2));
    const db = `hf_bench_conn_modbus_${suffix}`;
    influxDbs.push(db);
    const r: Record<string, unknown> = { devices, simulatorProcesses: procs, pointsPerDevice: SIM_POINTS.length, intervalMs: INTERVAL_MS, loadavgStart: loadavg() };
    const sims: SimProcess<{ ports: number[] }>[] = [];
    let server: BenchServer | undefined;
    let client: SimProcess | undefined;
    let tenantId: string | undefined;
    try {
      const per = Math.ceil(devices / procs);
      const t = Date.now();
      const started = await Promise.all(
        Array.from({ length: procs }, async (_, p) => track(await startSimProcess<{ ports: number[] }>('device-sim-modbus.js', { role: 'server', first: p * per, count: Math.max(0, Math.min(per, devices - p * per)) }))),
      );
      sims.push(...started);
      const ports = sims.flatMap((s) => s.ready.ports);
      r.simulatorStartSeconds = round((Date.now() - t) / 1000, 1);
      server = track(await opts.startServer(serverEnv(db)));
      const api = `${server.url}/api/v1`;
      const identifiers = ports.map((_, i) => `MB-${String(i + 1).padStart(5, '0')}`);
      const { auth, idOf } = await seedTenant(api, 'modbus', identifiers);
      tenantId = ((await (await fetch(`${api}/auth/me`, { headers: auth })).json()) as { tenant_id: string }).tenant_id;
      const simPids = sims.map((s) => s.pid);

      // ---------------- baseline: a plain modbus-serial client, same devices, same rate
      client = track(await startSimProcess('device-sim-modbus.js', { role: 'client', ports, intervalMs: INTERVAL_MS }));
      await client.command('start');
      await sleep(2000); // connections warm, cadence settled
      const bMeter = await CpuMeter.start({ processes: { client: [client.pid], simulators: simPids, serverIdle: [server.pid], ...infra }, databaseUrl: opts.databaseUrl });
      const bMachine0 = await machineJiffies();
      const bSim0 = await Promise.all(sims.map((s) => s.command<{ requests: number }>('stats')));
      await sleep(durationMs);
      const bSim1 = await Promise.all(sims.map((s) => s.command<{ requests: number }>('stats')));
      const bCpu = await bMeter.stop();
      const bMachine = machineBusyCores(bMachine0, await machineJiffies());
      const b = await client.command<{ polls: number; values: number; errors: number; missedCycles: number; outOfRange: number }>('stop', 60_000);
      await untrack(client);
      client = undefined;
      // polls in the window: requests the devices answered (two per poll)
      const bPolls = (bSim1.reduce((n, s) => n + s.requests, 0) - bSim0.reduce((n, s) => n + s.requests, 0)) / 2;
      r.baseline = {
        what: 'plain modbus-serial client process, one connection per device, two block reads per poll, ten values decoded',
        pollsInWindow: bPolls,
        pollsExpected: devices * (durationMs / INTERVAL_MS),
        totalPolls: b.polls,
        errors: b.errors,
        missedCycles: b.missedCycles,
        valuesOutOfRange: b.outOfRange,
        cpu: cpuFigures(bCpu, bPolls, 'Poll'),
        machineBusyCores: bMachine,
        loadavgAfter: loadavg(),
      };
      console.log(JSON.stringify({ bench: 'connectivity', phase: 'modbus', step: 'baseline', ...(r.baseline as object) }));

      // ---------------- the platform: one source per device, polled by the server's poller
      const sourceStart = Date.now();
      const createMs: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < ports.length) {
            const i = next++;
            const body = {
              machine_id: idOf.get(identifiers[i]!),
              name: `PLC ${identifiers[i]}`,
              protocol: i % 2 ? 'modbus' : 'modbus_tcp',
              host: '127.0.0.1',
              port: ports[i],
              poll_interval_seconds: INTERVAL_MS / 1000,
              is_active: true,
              config: {
                unit_id: 1,
                registers: SIM_POINTS.map((p) => ({
                  address: p.address,
                  count: p.dataType === 'uint16' || p.dataType === 'int16' ? 1 : 2,
                  register_type: p.registerType,
                  data_type: p.dataType,
                  byte_order: p.byteOrder,
                  scale: p.scale,
                  offset: p.offset,
                  metric_name: p.metricName,
                  unit: p.unit,
                })),
              },
            };
            const tc = performance.now();
            const res = await request(`${api}/ingest-sources`, { dispatcher: influxAgent, method: 'POST', headers: json(auth), body: JSON.stringify(body) });
            const text = await res.body.text();
            createMs.push(performance.now() - tc);
            if (res.statusCode !== 201) throw new Error(`create modbus source ${i}: ${res.statusCode} ${text.slice(0, 400)}`);
          }
        }),
      );
      r.sourceCreationSeconds = round((Date.now() - sourceStart) / 1000, 1);
      // 8 at a time; the first ones land on an idle server, the last ones on one polling hundreds of sources
      const first50 = createMs.slice(0, 50).sort((a, b) => a - b);
      const last50 = createMs.slice(-50).sort((a, b) => a - b);
      createMs.sort((a, b) => a - b);
      r.sourceCreateMs = { p50: round(percentile(createMs, 50)), p99: round(percentile(createMs, 99)), first50P50: round(percentile(first50, 50)), last50P50: round(percentile(last50, 50)) };
      const ready = await waitSourcesOk(tenantId, devices, 120_000);
      r.sourcesOkAfterSeconds = ready.seconds;
      if ((ready.states.ok ?? 0) < devices) throw new Error(`modbus: only ${ready.states.ok ?? 0} of ${devices} sources ok after ${ready.seconds} s: ${JSON.stringify(ready.states)}`);
      await sleep(3000); // warm-up: every loop in its cadence

      const rss = rssSampler(server.pid);
      const meter = await CpuMeter.start({ processes: { server: [server.pid], simulators: simPids, ...infra }, databaseUrl: opts.databaseUrl });
      const machine0 = await machineJiffies();
      const t0 = Date.now();
      const s0 = await Promise.all(sims.map((s) => s.command<{ requests: number }>('stats')));
      await sleep(durationMs);
      const s1 = await Promise.all(sims.map((s) => s.command<{ requests: number }>('stats')));
      const t1 = Date.now();
      const cpu = await meter.stop();
      const machineBusy = machineBusyCores(machine0, await machineJiffies());
      const maxRss = rss.stop();
      const loadAfter = loadavg();
      const storeWaitSeconds = await waitStable(db, t0, t1);
      const devicePolls = (s1.reduce((n, s) => n + s.requests, 0) - s0.reduce((n, s) => n + s.requests, 0)) / 2;
      const perMachine = await timestamps(db, `"metric" = 'temperature'`, 'machine_id', t0, t1);
      const series: number[][] = identifiers.map((ident) => perMachine.get(idOf.get(ident)!) ?? []);
      const c = cadence(series, t0, t1, INTERVAL_MS);
      const values = await checkValues(db, t0, t1, (m) => SIM_POINTS.find((p) => p.metricName === m));
      const states = await sql<{ state: string; n: string; failures: string }>('select state, count(*)::text as n, sum(consecutive_failures)::text as failures from ingest_sources where tenant_id = $1 group by state', [tenantId]);
      const windowS = (t1 - t0) / 1000;
      const cyclesExpected = Math.round(devices * windowS);
      const serverMs = cpu.ms.server ?? 0;
      const idleServerCores = (bCpu.ms.serverIdle ?? 0) / bCpu.wallMs;
      const baselineUsPerPoll = ((bCpu.ms.client ?? 0) * 1000) / Math.max(1, bPolls);
      const usPerPoll = (serverMs * 1000) / Math.max(1, c.cycles);
      const usPerPollNet = ((serverMs - idleServerCores * cpu.wallMs) * 1000) / Math.max(1, c.cycles);
      r.platform = {
        windowSeconds: round(windowS),
        storeWaitSeconds,
        cyclesExpected,
        cyclesStored: c.cycles,
        missedCycles: c.missed,
        sourcesWithMissedCycles: c.seriesWithMisses,
        cycleIntervalMs: { p50: c.intervalP50Ms, p99: c.intervalP99Ms, max: c.intervalMaxMs },
        devicePollsInWindow: devicePolls,
        readingsExpected: cyclesExpected * SIM_POINTS.length,
        readingsStored: values.stored,
        values,
        sourceStates: Object.fromEntries(states.map((s) => [s.state, { sources: Number(s.n), consecutiveFailures: Number(s.failures) }])),
        cpu: cpuFigures(cpu, c.cycles, 'Poll'),
        machineBusyCores: machineBusy,
        serverUsPerReading: round((serverMs * 1000) / Math.max(1, values.stored), 1),
        serverRssMb: { maxSampled: maxRss, ...(await rssMb(server.pid)) },
        loadavgAfter: loadAfter,
      };
      r.result = {
        devices,
        cyclesExpected,
        cyclesStored: c.cycles,
        missedCycles: c.missed,
        readingsStored: values.stored,
        valuesOutOfRange: values.metricsOutOfRange,
        workerUsPerPoll: round(usPerPoll, 1),
        workerUsPerPollAboveIdle: round(usPerPollNet, 1),
        workerUsPerReading: round((serverMs * 1000) / Math.max(1, values.stored), 1),
        workerCores: round(serverMs / cpu.wallMs, 3),
        baselineClientUsPerPoll: round(baselineUsPerPoll, 1),
        ratioWorkerToPlainClient: round(usPerPoll / Math.max(0.001, baselineUsPerPoll), 2),
        serverMaxRssMb: maxRss,
        machineBusyCores: { baseline: bMachine, platform: machineBusy, of: os.cpus().length },
        loadavgAfter: loadAfter,
        target: { missedCycles: 0, met: c.missed === 0 && c.cycles >= cyclesExpected * 0.98 },
      };
      console.log(JSON.stringify({ bench: 'connectivity', phase: 'modbus', step: 'platform', ...(r.platform as object) }));
      return r;
    } finally {
      await untrack(client);
      await untrack(server);
      for (const s of sims) await untrack(s);
      if (tenantId) await sql('delete from ingest_sources where tenant_id = $1', [tenantId]).catch(() => undefined);
    }
  }

  // ------------------------------------------------------------------------------ opcua
  async function opcuaPhase(): Promise<Record<string, unknown>> {
    const nodes = opts.opcuaNodes ?? 5000;
    const db = `hf_bench_conn_opcua_${suffix}`;
    influxDbs.push(db);
    const r: Record<string, unknown> = { nodes, intervalMs: INTERVAL_MS, loadavgStart: loadavg() };
    let sim: SimProcess<{ endpointUrl: string; nodeIds: string[] }> | undefined;
    let server: BenchServer | undefined;
    let client: SimProcess | undefined;
    let tenantId: string | undefined;
    try {
      const t = Date.now();
      sim = track(await startSimProcess<{ endpointUrl: string; nodeIds: string[] }>('device-sim-opcua.js', { role: 'server', variables: nodes }));
      r.simulatorStartSeconds = round((Date.now() - t) / 1000, 1);
      const { endpointUrl, nodeIds } = sim.ready;
      server = track(await opts.startServer(serverEnv(db)));
      const api = `${server.url}/api/v1`;
      const { auth, idOf } = await seedTenant(api, 'opcua', ['OPC-GW-01']);
      tenantId = ((await (await fetch(`${api}/auth/me`, { headers: auth })).json()) as { tenant_id: string }).tenant_id;

      // ---------------- baseline: a plain node-opcua client reading every node each second
      client = track(await startSimProcess('device-sim-opcua.js', { role: 'client', endpointUrl, nodeIds, intervalMs: INTERVAL_MS }));
      await client.command('start');
      await sleep(3000);
      const bMeter = await CpuMeter.start({ processes: { client: [client.pid], simulator: [sim.pid], serverIdle: [server.pid], ...infra }, databaseUrl: opts.databaseUrl });
      const bMachine0 = await machineJiffies();
      const b0 = await client.command<{ cycles: number }>('stats');
      await sleep(durationMs);
      const b1 = await client.command<{ cycles: number }>('stats');
      const bCpu = await bMeter.stop();
      const bMachine = machineBusyCores(bMachine0, await machineJiffies());
      const b = await client.command<{ cycles: number; values: number; bad: number; errors: number; missedCycles: number; cycleP50Ms: number; cycleP99Ms: number }>('stop', 60_000);
      await untrack(client);
      client = undefined;
      const bCycles = b1.cycles - b0.cycles;
      r.baseline = {
        what: 'plain node-opcua client process, one session, all nodes read every second (split at the server MaxNodesPerRead)',
        ...b,
        cyclesInWindow: bCycles,
        cpu: cpuFigures(bCpu, bCycles, 'Cycle'),
        machineBusyCores: bMachine,
        loadavgAfter: loadavg(),
      };
      console.log(JSON.stringify({ bench: 'connectivity', phase: 'opcua', step: 'baseline', ...(r.baseline as object) }));

      // ---------------- the platform: one source with every node
      const body = {
        machine_id: idOf.get('OPC-GW-01'),
        name: 'Line gateway OPC-UA',
        protocol: 'opcua',
        host: '127.0.0.1',
        port: Number(new URL(endpointUrl.replace('opc.tcp:', 'http:')).port),
        poll_interval_seconds: INTERVAL_MS / 1000,
        is_active: true,
        config: {
          endpoint_url: endpointUrl,
          security_mode: 'None',
          security_policy: 'None',
          auth_type: 'anonymous',
          mode: 'poll',
          nodes: nodeIds.map((nodeId, v) => ({ node_id: nodeId, metric_name: opcuaMetricName(v), unit: SIM_POINTS[v % SIM_POINTS.length]!.unit })),
        },
      };
      const res = await request(`${api}/ingest-sources`, { dispatcher: influxAgent, method: 'POST', headers: json(auth), body: JSON.stringify(body) });
      const text = await res.body.text();
      if (res.statusCode !== 201) throw new Error(`create OPC-UA source: ${res.statusCode} ${text.slice(0, 400)}`);
      const ready = await waitSourcesOk(tenantId, 1, 120_000);
      r.sourceOkAfterSeconds = ready.seconds;
      if ((ready.states.ok ?? 0) < 1) throw new Error(`opcua: the source is not ok after ${ready.seconds} s: ${JSON.stringify(ready.states)} ${JSON.stringify(await sql('select state, last_error, point_status from ingest_sources where tenant_id = $1', [tenantId]))}`.slice(0, 2000));
      await sleep(3000);

      const rss = rssSampler(server.pid);
      const meter = await CpuMeter.start({ processes: { server: [server.pid], simulator: [sim.pid], ...infra }, databaseUrl: opts.databaseUrl });
      const machine0 = await machineJiffies();
      const t0 = Date.now();
      await sleep(durationMs);
      const t1 = Date.now();
      const cpu = await meter.stop();
      const machineBusy = machineBusyCores(machine0, await machineJiffies());
      const maxRss = rss.stop();
      const loadAfter = loadavg();
      const storeWaitSeconds = await waitStable(db, t0, t1);
      // cycles: timestamps of a few nodes spread over the address space (all of a cycle share the poll time)
      const probes = [0, Math.floor(nodes / 3), Math.floor((2 * nodes) / 3), nodes - 1].map(opcuaMetricName);
      const perMetric = await timestamps(db, `(${probes.map((m) => `"metric" = '${m}'`).join(' OR ')})`, 'metric', t0, t1);
      const c = cadence(probes.map((m) => perMetric.get(m) ?? []), t0, t1, INTERVAL_MS);
      const cycles = Math.round(c.cycles / probes.length);
      const values = await checkValues(db, t0, t1, (m) => SIM_POINTS.find((p) => m.endsWith(`_${p.metricName}`) && m.length === p.metricName.length + 9));
      const [state] = await sql<{ state: string; last_error: string | null; consecutive_failures: number }>('select state, last_error, consecutive_failures from ingest_sources where tenant_id = $1', [tenantId]);
      const windowS = (t1 - t0) / 1000;
      const cyclesExpected = Math.round(windowS);
      const serverMs = cpu.ms.server ?? 0;
      const idleServerCores = (bCpu.ms.serverIdle ?? 0) / bCpu.wallMs;
      const baselineUsPerCycle = ((bCpu.ms.client ?? 0) * 1000) / Math.max(1, bCycles);
      const usPerCycle = (serverMs * 1000) / Math.max(1, cycles);
      r.platform = {
        windowSeconds: round(windowS),
        storeWaitSeconds,
        cyclesExpected,
        cyclesStored: cycles,
        missedCycles: Math.round(c.missed / probes.length),
        cycleIntervalMs: { p50: c.intervalP50Ms, p99: c.intervalP99Ms, max: c.intervalMaxMs },
        valuesExpected: cyclesExpected * nodes,
        valuesStored: values.stored,
        values,
        source: state,
        cpu: cpuFigures(cpu, cycles, 'Cycle'),
        machineBusyCores: machineBusy,
        serverUsPerValue: round((serverMs * 1000) / Math.max(1, values.stored), 2),
        serverRssMb: { maxSampled: maxRss, ...(await rssMb(server.pid)) },
        loadavgAfter: loadAfter,
      };
      r.result = {
        nodes,
        cyclesExpected,
        cyclesStored: cycles,
        missedCycles: Math.round(c.missed / probes.length),
        valuesStored: values.stored,
        valuesOutOfRange: values.metricsOutOfRange,
        workerMsPerCycle: round(usPerCycle / 1000, 1),
        workerMsPerCycleAboveIdle: round((serverMs - idleServerCores * cpu.wallMs) / Math.max(1, cycles), 1),
        workerUsPerValue: round((serverMs * 1000) / Math.max(1, values.stored), 2),
        workerCores: round(serverMs / cpu.wallMs, 3),
        baselineClientMsPerCycle: round(baselineUsPerCycle / 1000, 1),
        ratioWorkerToPlainClient: round(usPerCycle / Math.max(0.001, baselineUsPerCycle), 2),
        serverMaxRssMb: maxRss,
        machineBusyCores: { baseline: bMachine, platform: machineBusy, of: os.cpus().length },
        loadavgAfter: loadAfter,
        target: { missedCycles: 0, met: c.missed === 0 && cycles >= cyclesExpected - 1 },
      };
      console.log(JSON.stringify({ bench: 'connectivity', phase: 'opcua', step: 'platform', ...(r.platform as object) }));
      return r;
    } finally {
      await untrack(client);
      await untrack(server);
      await untrack(sim);
      if (tenantId) await sql('delete from ingest_sources where tenant_id = $1', [tenantId]).catch(() => undefined);
    }
  }

  // ------------------------------------------------------------------------------ agent
  async function agentPhase(): Promise<Record<string, unknown>> {
    const readings = opts.agentReadings ?? 200_000;
    const machines = opts.agentMachines ?? 1000;
    const batchSize = opts.agentBatchSize ?? 1000;
    const rounds = opts.agentRounds ?? 2;
    const db = `hf_bench_conn_agent_${suffix}`;
    influxDbs.push(db);
    const r: Record<string, unknown> = { readings, machines, batchSize, rounds, loadavgStart: loadavg() };
    let server: BenchServer | undefined;
    try {
      server = track(await opts.startServer(serverEnv(db)));
      const api = `${server.url}/api/v1`;
      const identifiers = Array.from({ length: machines }, (_, m) => pushMachineIdentifier(m));
      const { auth } = await seedTenant(api, 'agent', identifiers);
      const keyRes = await fetch(`${api}/settings/api-keys`, { method: 'POST', headers: json(auth), body: JSON.stringify({ name: 'bench edge agent', scopes: ['ingest', 'agent'] }) });
      const keyBody = (await keyRes.json()) as { key?: string };
      if (keyRes.status !== 201 || !keyBody.key) throw new Error(`create API key failed: ${keyRes.status} ${JSON.stringify(keyBody)}`);
      const apiKey = keyBody.key;
      if (opts.databaseUrl) await sql('analyze');
      // each run writes its own time range (nothing overwrites): run j starts 3 + j hours ago
      const spanMs = Math.ceil(readings / (machines * SIM_POINTS.length)) * 10_000 + 10_000;
      const baseOf = (j: number) => Math.floor(Date.now() / 1000) * 1000 - (3 + j) * 3_600_000;
      // every reading of a run is in InfluxDB: polled every 250 ms, bounded
      const waitStored = async (base: number, startedAt: number, maxMs: number, gaveUp: () => string | null = () => null) => {
        let first = 0;
        for (;;) {
          const why = gaveUp();
          if (why) throw new Error(why);
          const n = await countIn(db, base, base + spanMs);
          const now = performance.now();
          if (n > 0 && !first) first = now;
          if (n >= readings) return { stored: n, seconds: (now - startedAt) / 1000, firstStoredAfterSeconds: first ? (first - startedAt) / 1000 : null };
          if (now - startedAt > maxMs) return { stored: n, seconds: null, firstStoredAfterSeconds: first ? (first - startedAt) / 1000 : null };
          await sleep(250);
        }
      };
      const rateFromFirst = (s: { seconds: number | null; firstStoredAfterSeconds: number | null }) =>
        s.seconds && s.firstStoredAfterSeconds !== null && s.seconds > s.firstStoredAfterSeconds ? Math.round(readings / (s.seconds - s.firstStoredAfterSeconds)) : null;
      const maxRunMs = Number(process.env.BENCH_AGENT_MAX_MS ?? 180_000);
      const runs: Record<string, unknown>[] = [];
      const totals = { client: { readings: 0, seconds: 0 }, agent: { readings: 0, seconds: 0 } };
      for (let round_ = 0; round_ < rounds; round_++) {
        // ---------------- the plain client
        {
          const base = baseOf(2 * round_);
          const client = track(await startSimProcess('device-sim-push.js', { url: server.url, apiKey, baseMs: base, machines, readings, batchSize }));
          try {
            const settleSeconds = await settle();
            const meter = await CpuMeter.start({ processes: { client: [client.pid], server: [server.pid], ...infra }, databaseUrl: opts.databaseUrl });
            const machine0 = await machineJiffies();
            const t = performance.now();
            const done = client.command<{ batches: number; accepted: number; failed: number; seconds: number; firstFailure?: string }>('start', maxRunMs);
            const stored = await waitStored(base, t, maxRunMs);
            const c = await done;
            const cpu = await meter.stop();
            const machineBusy = machineBusyCores(machine0, await machineJiffies());
            const perSec = stored.seconds ? Math.round(readings / stored.seconds) : 0;
            if (stored.seconds) {
              totals.client.readings += readings;
              totals.client.seconds += stored.seconds;
            }
            const run = {
              round: round_ + 1,
              who: 'plain client',
              settleSeconds,
              ...c,
              stored: stored.stored,
              storedAfterSeconds: stored.seconds && round(stored.seconds),
              firstStoredAfterSeconds: stored.firstStoredAfterSeconds && round(stored.firstStoredAfterSeconds),
              readingsPerSec: perSec,
              readingsPerSecFromFirstStored: rateFromFirst(stored), cpu: cpuFigures(cpu, readings, 'Reading'), machineBusyCores: machineBusy, loadavgAfter: loadavg() };
            runs.push(run);
            console.log(JSON.stringify({ bench: 'connectivity', phase: 'agent', step: 'plain client', ...run }));
          } finally {
            await untrack(client);
          }
        }
        // ---------------- the agent, on a buffer it did not fill itself
        {
          const base = baseOf(2 * round_ + 1);
          const dir = await mkdtemp(path.join(dataDir, 'agent-'));
          const bufferDir = path.join(dir, 'buffer');
          const fillStart = performance.now();
          // where the agent keeps its buffer inside buffer_dir (src/edge-agent/agent.ts startAgent)
          const buf = await ReadingBuffer.open(path.join(bufferDir, 'readings'), { maxBytes: 4 * 2 ** 30, sync: false });
          for (let from = 0; from < readings; from += 10_000) {
            const items: string[] = [];
            for (let i = from; i < Math.min(readings, from + 10_000); i++) items.push(JSON.stringify(pushReading(i, base, machines)));
            await buf.append(items);
          }
          const buffered = buf.count;
          await buf.close();
          const fillSeconds = round((performance.now() - fillStart) / 1000);
          const configFile = path.join(dir, 'agent.toml');
          await writeFile(
            configFile,
            [
              '[agent]',
              `api_key = "${apiKey}"`,
              `api_url = "${server.url}"`,
              'push_interval = 5',
              `batch_size = ${batchSize}`,
              `buffer_dir = "${bufferDir}"`,
              'max_buffer_mb = 4096',
              'heartbeat_interval = 300',
              'log_level = "info"',
              '',
            ].join('\n'),
          );
          const settleSeconds = await settle();
          const t = performance.now();
          const agent = track(spawnAgent(configFile));
          try {
            const meter = await CpuMeter.start({ processes: { agent: [agent.pid], server: [server.pid], ...infra }, databaseUrl: opts.databaseUrl });
            const machine0 = await machineJiffies();
            // the agent says its buffer is empty but InfluxDB lacks readings for 15 s: they are not coming
            const stored = await waitStored(base, t, maxRunMs, () => agent.emptyFor(15_000) ? `the agent reports an empty buffer but InfluxDB lacks readings (status ${JSON.stringify(agent.lastStatus())})` : null);
            const emptyAt = await agent.bufferEmpty(10_000);
            const cpu = await meter.stop();
            const machineBusy = machineBusyCores(machine0, await machineJiffies());
            const perSec = stored.seconds ? Math.round(readings / stored.seconds) : 0;
            if (stored.seconds) {
              totals.agent.readings += readings;
              totals.agent.seconds += stored.seconds;
            }
            const run = {
              round: round_ + 1,
              who: 'agent',
              settleSeconds,
              buffered,
              bufferFillSeconds: fillSeconds,
              stored: stored.stored,
              storedAfterSeconds: stored.seconds && round(stored.seconds),
              firstStoredAfterSeconds: stored.firstStoredAfterSeconds && round(stored.firstStoredAfterSeconds),
              agentReportedEmptyAfterSeconds: emptyAt === null ? null : round((emptyAt - t) / 1000),
              readingsPerSec: perSec,
              readingsPerSecFromFirstStored: rateFromFirst(stored),
              agentStatus: agent.lastStatus(),
              cpu: cpuFigures(cpu, readings, 'Reading'),
              machineBusyCores: machineBusy,
              loadavgAfter: loadavg(),
            };
            runs.push(run);
            console.log(JSON.stringify({ bench: 'connectivity', phase: 'agent', step: 'agent', ...run }));
          } finally {
            await untrack(agent);
            await rm(dir, { recursive: true, force: true });
          }
        }
      }
      r.runs = runs;
      const clientRate = totals.client.seconds ? totals.client.readings / totals.client.seconds : 0;
      const agentRate = totals.agent.seconds ? totals.agent.readings / totals.agent.seconds : 0;
      const ratio = round(agentRate / Math.max(1, clientRate), 3);
      r.result = {
        readingsPerRun: readings,
        rounds,
        agentReadingsPerSec: Math.round(agentRate),
        plainClientReadingsPerSec: Math.round(clientRate),
        ratio,
        /** the same, each run timed from its first stored reading (leaves out the agent's start: Node, opening the buffer) */
        ratioFromFirstStored: round(fromFirst('agent') / Math.max(1, fromFirst('plain client')), 3),
        agentUsPerReading: avg(runs.filter((x) => x.who === 'agent'), 'agent'),
        plainClientUsPerReading: avg(runs.filter((x) => x.who === 'plain client'), 'client'),
        serverUsPerReadingAgentRuns: avg(runs.filter((x) => x.who === 'agent'), 'server'),
        serverUsPerReadingClientRuns: avg(runs.filter((x) => x.who === 'plain client'), 'server'),
        target: { ratio: 0.5, met: ratio >= 0.5 && totals.agent.readings === readings * rounds && totals.client.readings === readings * rounds },
      };
      return r;
    } finally {
      await untrack(server);
    }

    function fromFirst(who: string): number {
      const rs = (r.runs as { who: string; readingsPerSecFromFirstStored: number | null }[]).filter((x) => x.who === who && x.readingsPerSecFromFirstStored);
      // harmonic mean: the rate of all the runs' readings over all their time
      return rs.length ? rs.length / rs.reduce((a, x) => a + 1 / x.readingsPerSecFromFirstStored!, 0) : 0;
    }

    function avg(rs: Record<string, unknown>[], who: string): number {
      const xs = rs.map((x) => ((x.cpu as { usPerReading: Record<string, number> }).usPerReading[who] ?? 0));
      return round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length), 1);
    }
  }
}

/** The edge agent as shipped (dist/src/edge-agent/cli.js), its JSON log lines watched for the status. */
function spawnAgent(configFile: string): { pid: number; emptyFor(ms: number): boolean; bufferEmpty(maxMs: number): Promise<number | null>; lastStatus(): unknown; stop(): Promise<void> } {
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'dist/src/edge-agent/cli.js'), '--config', configFile], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HALTLESS_STATUS_INTERVAL: '0.5', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  let status: { buffered?: number } | undefined;
  let emptyAt: number | null = null;
  const errors: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const o = JSON.parse(line) as { level?: number; msg?: string; status?: { buffered?: number } };
      if (o.status) {
        status = o.status;
        if (o.status.buffered === 0 && emptyAt === null) emptyAt = performance.now();
      }
      if ((o.level ?? 0) >= 50 && errors.length < 5) errors.push(o.msg ?? line);
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid!,
    emptyFor: (ms) => emptyAt !== null && performance.now() - emptyAt > ms,
    async bufferEmpty(maxMs) {
      const start = performance.now();
      while (emptyAt === null && performance.now() - start < maxMs && child.exitCode === null) await sleep(100);
      if (child.exitCode !== null && emptyAt === null) throw new Error(`the agent exited with ${child.exitCode}: ${stderr.slice(-1500)} ${errors.join(' | ')}`);
      return emptyAt;
    },
    lastStatus: () => ({ ...status, ...(errors.length ? { errors } : {}) }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
