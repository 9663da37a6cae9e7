import os from 'node:os';
import pg from 'pg';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { CpuMeter, pidsByComm } from './lib/cpu.js';
import { percentile } from './lib/load.js';
import { importMachinesCsv, machineIdsByIdentifier, registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';
import { closedLoop, cpuFigures, currentRssMb, METRICS, valueSource, type PhaseResult } from './ingest.bench.js';

/**
 * Alerts (issue 11), everything on this machine (API, PostgreSQL, InfluxDB, Redis, this generator),
 * one server, two tenants of 1,000 machines x 10 metrics each: tenant "base" has no rules, tenant
 * "rules" has 1,000 enabled rules of mixed scopes (700 on one machine, 200 on a group of 100
 * machines, 100 on every machine; simple thresholds both ways, some with duration and deadband,
 * one in ten composite) that the workload never violates, so every reading is evaluated and no
 * alert is raised.
 *
 *  throughput  the same closed-loop live workload (a batch = 100 machines x 10 metrics at "now",
 *              bodies built per request) into each tenant in the order base/rules/rules/base: the
 *              ratio of readings/s is rules over base, each summed over its two slices; also the
 *              ratio of CPU per reading of all measured processes (less moved by other load).
 *  latency     open-loop background of BENCH_ALERTS_BACKGROUND readings/s (default 20,000; a batch
 *              of 1,000 every 50 ms) into the rules tenant; meanwhile probes every 250 ms: one batch
 *              holding a reading of a watched machine (`readingAdded` subscription) and a violating
 *              reading of a fresh machine (an extra all-machines rule) -> `alertRaised`; both on one
 *              graphql-ws client, timed from the ingest response (an event that arrives first
 *              counts 0) and from the request's start.
 *  fanout      1,000 graphql-ws `alertRaised` subscribers (one connection each) and 1,000
 *              /ws/dashboard clients; three violating readings, each must reach all 2,000
 *              (timed as above), and the server's RSS before and with the clients.
 *
 * Per phase: CPU per process (server, PostgreSQL backends, influxd, redis, this generator) and the
 * load average. Targets: ratio >= 0.85; alert p99 <= 3x readingAdded p99; fan-out: every client
 * receives every alert (p99 and server RSS reported).
 */

export const ALERT_PHASES = ['throughput', 'latency', 'fanout'] as const;
export type AlertPhaseName = (typeof ALERT_PHASES)[number];

export interface AlertsBenchOptions {
  /** measured time of each throughput slice (four slices) */
  durationMs: number;
  /** closed-loop clients of the throughput phase */
  clients: number;
  influxUrl: string;
  startServer: (extraEnv: Record<string, string>) => Promise<BenchServer>;
  phases?: AlertPhaseName[];
  databaseUrl?: string;
  backgroundPerSec?: number;
  probes?: number;
  fanoutClients?: number;
}

const MACHINES = 1000;
const METRIC_COUNT = 10;
const RULES = 1000;
const GROUPS = 10;
const PROBE_METRIC = 'probe_temperature';
const WATCH_METRIC = 'probe_reading';
const PROBE_INTERVAL_MS = 250;
const EVENT_WAIT_MS = 5000;
const FANOUT_ROUNDS = 3;
const FANOUT_WAIT_MS = 20_000;
const ALERT_SUBSCRIPTION = 'subscription { alertRaised { id machineId severity } }';

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const loadavg = () => os.loadavg().map((l) => round(l));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function latencyStats(xs: number[]): { n: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50Ms: round(percentile(s, 50)), p99Ms: round(percentile(s, 99)), maxMs: round(s.at(-1) ?? 0) };
}

interface Tenant {
  label: string;
  auth: { authorization: string };
  token: string;
  apiKey: string;
  machineIds: string[];
  identifiers: string[];
}

/** A rule body of the rules tenant (REST, snake_case); never violated by the workload's values (20..163). */
function ruleBody(i: number, t: Tenant, groupIds: string[]): Record<string, unknown> {
  // kind, metric and group vary independently: every metric has rules of every scope
  const kind = i % 10;
  const k = Math.floor(i / 10) % METRIC_COUNT;
  const metric = METRICS[k]![0];
  const scope = kind < 7 ? { machine_id: t.machineIds[(i * 7) % MACHINES] } : kind < 9 ? { group_id: groupIds[Math.floor(i / 100) % GROUPS] } : {};
  const name = `Bench rule ${i + 1}`;
  if (i % 10 === 3) {
    return {
      name, ...scope,
      conditions: [
        { metric_name: metric, operator: '>', threshold: 500 + i },
        { metric_name: METRICS[(k + 1) % METRIC_COUNT]![0], operator: '>', threshold: 400 },
      ],
      logic: i % 20 === 3 ? 'and' : 'or',
      severity: 'critical',
      window_seconds: 300,
    };
  }
  const above = i % 2 === 0;
  return {
    name, ...scope,
    metric_name: metric,
    operator: above ? '>' : '<',
    warning_threshold: above ? 1000 + i : -1000 - i,
    critical_threshold: above ? 2000 + i : -2000 - i,
    duration_seconds: i % 4 === 1 ? 60 : 0,
    deadband: i % 5 === 2 ? 1.5 : 0,
  };
}

export async function benchAlerts(opts: AlertsBenchOptions): Promise<Record<string, unknown>> {
  const phases = opts.phases ?? [...ALERT_PHASES];
  const influx = opts.influxUrl.replace(/\/+$/, '');
  const influxDb = `hf_bench_alerts_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  const backgroundPerSec = opts.backgroundPerSec ?? 20_000;
  const probes = opts.probes ?? 100;
  const fanoutClients = opts.fanoutClients ?? 1000;
  const [influxPid] = await pidsByComm('influxd');
  const redisPids = await pidsByComm('redis-server');
  // all 2,000 fan-out sockets come from 127.0.0.1, and a dashboard socket stays pending until the
  // server has checked its token: the per-address cap on pending sockets would refuse the bench
  const server = await opts.startServer({ INFLUX_URL: influx, INFLUX_DB: influxDb, WS_MAX_PENDING_PER_IP: String(4 * fanoutClients) });
  const api = `${server.url}/api/v1`;
  const agent = new Agent({ connections: Math.max(opts.clients, 16), pipelining: 1, keepAliveTimeout: 30_000 });
  const processes = { server: [server.pid], influxd: influxPid ? [influxPid] : [], redis: redisPids };
  const meter = () => CpuMeter.start({ processes, databaseUrl: opts.databaseUrl });
  const out: Record<string, unknown> = { phases, loadavgStart: loadavg(), machine: { cpus: os.cpus().length, totalMemGb: Math.round(os.totalmem() / 2 ** 30) } };
  const sockets: WebSocket[] = [];
  try {
    // ------------------------------------------------------------ setup
    const setupStart = Date.now();
    const json = (auth: { authorization: string }) => ({ ...auth, 'content-type': 'application/json' });
    const makeTenant = async (label: string, prefix: string): Promise<Tenant> => {
      const auth = await registerBenchTenant(api, label);
      const keyRes = await fetch(`${api}/settings/api-keys`, { method: 'POST', headers: json(auth), body: JSON.stringify({ name: `bench ${label}`, scopes: ['ingest'] }) });
      const keyBody = (await keyRes.json()) as { key?: string; api_key?: string };
      const apiKey = keyBody.key ?? keyBody.api_key;
      if (keyRes.status !== 201 || !apiKey) throw new Error(`create API key failed: ${keyRes.status} ${JSON.stringify(keyBody)}`);
      const identifiers = Array.from({ length: MACHINES }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`);
      for (let f = 0; f < MACHINES / 500; f++) {
        const lines = ['name,machine_identifier,protocol,location'];
        for (let i = f * 500; i < (f + 1) * 500; i++) lines.push(`${label} machine ${i + 1},${identifiers[i]},opc_ua,Hall ${String.fromCharCode(65 + (i % 8))}`);
        await importMachinesCsv(api, auth, `${prefix}-${f + 1}.csv`, lines);
      }
      const idOf = await machineIdsByIdentifier(api, auth, MACHINES);
      return { label, auth, token: auth.authorization.slice('Bearer '.length), apiKey, identifiers, machineIds: identifiers.map((x) => idOf.get(x)!) };
    };
    const base = await makeTenant('alerts-base', 'ALB');
    const rules = await makeTenant('alerts-rules', 'ALR');
    const groupIds: string[] = [];
    for (let g = 0; g < GROUPS; g++) {
      const res = await fetch(`${api}/machine-groups`, { method: 'POST', headers: json(rules.auth), body: JSON.stringify({ name: `Line ${g + 1}`, group_type: 'line' }) });
      const body = (await res.json()) as { id: string };
      if (res.status !== 201) throw new Error(`create group: ${res.status} ${JSON.stringify(body)}`);
      const members = rules.machineIds.slice(g * 100, (g + 1) * 100);
      const put = await fetch(`${api}/machine-groups/${body.id}/members`, { method: 'PUT', headers: json(rules.auth), body: JSON.stringify({ machine_ids: members }) });
      if (put.status !== 200) throw new Error(`set members: ${put.status} ${await put.text()}`);
      groupIds.push(body.id);
    }
    const createRule = async (body: Record<string, unknown>) => {
      const res = await request(`${api}/alert-rules`, { dispatcher: agent, method: 'POST', headers: json(rules.auth), body: JSON.stringify(body) });
      const text = await res.body.text();
      if (res.statusCode !== 201) throw new Error(`create rule ${JSON.stringify(body)}: ${res.statusCode} ${text.slice(0, 400)}`);
      return JSON.parse(text) as { id: string };
    };
    const rulesStart = performance.now();
    let nextRule = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (nextRule < RULES) await createRule(ruleBody(nextRule++, rules, groupIds));
    }));
    out.ruleCreation = { rules: RULES, seconds: round((performance.now() - rulesStart) / 1000) };
    if (opts.databaseUrl) {
      const c = new pg.Client({ connectionString: opts.databaseUrl });
      await c.connect();
      await c.query('analyze');
      await c.end();
    }
    out.setupSeconds = round((Date.now() - setupStart) / 1000, 1);
    out.serverRssAfterSetupMb = await currentRssMb(server.pid);

    // the live workload: per tenant, strictly increasing timestamps per series, values 20..163
    const ingest = async (t: Tenant, readings: unknown[]) => {
      const res = await request(`${api}/ingest`, { dispatcher: agent, method: 'POST', headers: { 'x-api-key': t.apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ readings }) });
      const text = await res.body.text();
      if (res.statusCode !== 207) return { ok: false, n: 0, failure: `${res.statusCode} ${text.slice(0, 300)}` };
      const body = JSON.parse(text) as { accepted_count: number; errors: unknown[] };
      const ok = body.errors.length === 0 && body.accepted_count === readings.length;
      return { ok, n: body.accepted_count, ...(ok ? {} : { failure: text.slice(0, 300) }) };
    };
    const liveSource = (t: Tenant, seed: number) => {
      const value = valueSource(seed);
      const lastTs = new Float64Array(MACHINES * METRIC_COUNT);
      const reading = (m: number, k: number, now: number, i: number) => {
        const s = k * MACHINES + m;
        const ts = Math.max(now - ((m * 7 + i) % 100), lastTs[s]! + 1);
        lastTs[s] = ts;
        return { machine_identifier: t.identifiers[m], timestamp: new Date(ts).toISOString(), metric_name: METRICS[k]![0], value: value(k), unit: METRICS[k]![1] };
      };
      return {
        /** 100 machines x 10 metrics (batch i covers machines (i % 10) * 100 ..) */
        block(i: number) {
          const now = Date.now();
          const out: unknown[] = [];
          const b = i % 10;
          for (let m = b * 100; m < (b + 1) * 100; m++) for (let k = 0; k < METRIC_COUNT; k++) out.push(reading(m, k, now, i));
          return out;
        },
        /** all 1,000 machines x one metric */
        sweep(i: number) {
          const now = Date.now();
          const k = i % METRIC_COUNT;
          const out: unknown[] = [];
          for (let m = 0; m < MACHINES; m++) out.push(reading(m, k, now, i));
          return out;
        },
      };
    };
    const sources = new Map<Tenant, ReturnType<typeof liveSource>>([[base, liveSource(base, 11)], [rules, liveSource(rules, 12)]]);

    // ------------------------------------------------------------ throughput
    if (phases.includes('throughput')) {
      const slices: Record<string, unknown>[] = [];
      const sum = { base: { readings: 0, seconds: 0, cpuMs: 0, serverCpuMs: 0 }, rules: { readings: 0, seconds: 0, cpuMs: 0, serverCpuMs: 0 } };
      let sliceNo = 0;
      // base, rules, rules, base: a drift of the shared machine (InfluxDB's shard growing, other
      // load) over the four slices weighs on both sides alike
      for (const t of [base, rules, rules, base]) {
        const src = sources.get(t)!;
        const offset = sliceNo++ * 1_000_000;
        const loadBefore = loadavg();
        const r: PhaseResult = await closedLoop({ clients: opts.clients, warmupMs: 2000, durationMs: opts.durationMs, meter, send: (i) => ingest(t, src.block(offset + i)) });
        const which = t === base ? 'base' : 'rules';
        sum[which].readings += r.readings;
        sum[which].seconds += r.seconds;
        sum[which].cpuMs += Object.values(r.cpu?.ms ?? {}).reduce((a, b) => a + b, 0);
        sum[which].serverCpuMs += r.cpu?.ms.server ?? 0;
        const { cpu, ...rest } = r;
        const slice = { tenant: which, ...rest, cpu: cpuFigures(cpu, r.readings), loadBefore, loadAfter: loadavg() };
        slices.push(slice);
        console.log(JSON.stringify({ bench: 'alerts', phase: 'throughput', ...slice }));
        await sleep(2000);
      }
      const perSec = (x: { readings: number; seconds: number }) => Math.round(x.readings / Math.max(0.001, x.seconds));
      const ratio = round(perSec(sum.rules) / Math.max(1, perSec(sum.base)), 3);
      // On two shared cores the rates move with the other load; CPU per reading (all measured
      // processes) does much less, and its inverse is the rate once ingestion is CPU-bound.
      const us = (x: { readings: number }, ms: number) => round((ms * 1000) / Math.max(1, x.readings), 2);
      const cpuRatio = round(us(sum.base, sum.base.cpuMs) / Math.max(0.01, us(sum.rules, sum.rules.cpuMs)), 3);
      out.throughput = {
        basePerSec: perSec(sum.base),
        rulesPerSec: perSec(sum.rules),
        ratio,
        cpuUsPerReading: { base: us(sum.base, sum.base.cpuMs), rules: us(sum.rules, sum.rules.cpuMs), serverBase: us(sum.base, sum.base.serverCpuMs), serverRules: us(sum.rules, sum.rules.serverCpuMs) },
        cpuRatio,
        target: { ratio: 0.85, met: ratio >= 0.85, cpuRatioMet: cpuRatio >= 0.85 },
        slices,
      };
    }

    // the extra rule the probes violate: every machine, a metric of its own
    const probeRule = phases.some((p) => p !== 'throughput')
      ? await createRule({ name: 'Bench probe', metric_name: PROBE_METRIC, operator: '>', critical_threshold: 100 })
      : null;
    if (probeRule) await sleep(500);
    let nextProbeMachine = 0;
    const probeReading = (m: number, value: number, metric = PROBE_METRIC) => ({ machine_identifier: rules.identifiers[m], timestamp: new Date().toISOString(), metric_name: metric, value, unit: 'C' });

    // ------------------------------------------------------------ latency
    if (phases.includes('latency')) {
      const watched = MACHINES - 1;
      const gws = await GraphqlWsClient.open(server.url, rules.token);
      sockets.push(gws.ws);
      const alertAt = new Map<string, number>();
      const readingAt = new Map<number, number>();
      gws.subscribe('a', ALERT_SUBSCRIPTION, (data, at) => {
        const a = (data as { alertRaised?: { machineId: string } }).alertRaised;
        if (a) alertAt.set(a.machineId, at);
      });
      gws.subscribe('r', `subscription { readingAdded(machineId: "${rules.machineIds[watched]}", metrics: ["${WATCH_METRIC}"]) { value } }`, (data, at) => {
        const r = (data as { readingAdded?: { value: number } }).readingAdded;
        if (r) readingAt.set(r.value, at);
      });
      await sleep(1000);
      const src = sources.get(rules)!;
      const bg = { sent: 0, accepted: 0, failed: 0, skipped: 0, inFlight: 0, firstFailure: '' };
      const maxInFlight = 8;
      const batchSize = 1000;
      const tickMs = (1000 * batchSize) / backgroundPerSec;
      let bgI = 0;
      const bgTimer = setInterval(() => {
        if (bg.inFlight >= maxInFlight) {
          bg.skipped++;
          return;
        }
        bg.inFlight++;
        bg.sent++;
        ingest(rules, src.sweep(bgI++))
          .then((r) => {
            bg.accepted += r.n;
            if (!r.ok) {
              bg.failed++;
              bg.firstFailure ||= r.failure ?? '';
            }
          }, (e: Error) => {
            bg.failed++;
            bg.firstFailure ||= e.message;
          })
          .finally(() => bg.inFlight--);
      }, tickMs);
      await sleep(2000);
      const m = await meter();
      const bgStart = performance.now();
      const bgAccepted0 = bg.accepted;
      // from the ingest response, as the issue asks (an event that came first counts as 0), and from
      // the request's start: the engine evaluates before the response, so an alert usually precedes it
      const alertLat: number[] = [];
      const readingLat: number[] = [];
      const alertFromSend: number[] = [];
      const readingFromSend: number[] = [];
      let alertsMissing = 0;
      let readingsMissing = 0;
      const beforeResponse = { alertRaised: 0, readingAdded: 0 };
      const pending: Promise<void>[] = [];
      for (let p = 0; p < probes; p++) {
        const machine = nextProbeMachine++;
        const machineId = rules.machineIds[machine]!;
        const value = p + 1;
        const sentAt = performance.now();
        const r = await ingest(rules, [probeReading(watched, value, WATCH_METRIC), probeReading(machine, 150 + (p % 10))]);
        const respAt = performance.now();
        if (!r.ok) throw new Error(`probe ingest failed: ${r.failure}`);
        pending.push((async () => {
          const deadline = respAt + EVENT_WAIT_MS;
          while (performance.now() < deadline && (!alertAt.has(machineId) || !readingAt.has(value))) await sleep(5);
          const a = alertAt.get(machineId);
          const rd = readingAt.get(value);
          if (a === undefined) alertsMissing++;
          else {
            if (a < respAt) beforeResponse.alertRaised++;
            alertLat.push(Math.max(0, a - respAt));
            alertFromSend.push(a - sentAt);
          }
          if (rd === undefined) readingsMissing++;
          else {
            if (rd < respAt) beforeResponse.readingAdded++;
            readingLat.push(Math.max(0, rd - respAt));
            readingFromSend.push(rd - sentAt);
          }
        })());
        await sleep(PROBE_INTERVAL_MS);
      }
      await Promise.all(pending);
      const bgSeconds = (performance.now() - bgStart) / 1000;
      const bgReadings = bg.accepted - bgAccepted0;
      clearInterval(bgTimer);
      const cpu = await m.stop();
      while (bg.inFlight > 0) await sleep(20);
      gws.close();
      const alert = latencyStats(alertLat);
      const reading = latencyStats(readingLat);
      const factor = round(alert.p99Ms / Math.max(0.01, reading.p99Ms));
      out.latency = {
        background: { targetPerSec: backgroundPerSec, achievedPerSec: Math.round(bgReadings / bgSeconds), batches: bg.sent, failedBatches: bg.failed, skippedTicks: bg.skipped, ...(bg.firstFailure ? { firstFailure: bg.firstFailure } : {}) },
        probes,
        alertRaised: { ...alert, missing: alertsMissing },
        readingAdded: { ...reading, missing: readingsMissing },
        eventBeforeResponse: beforeResponse,
        p99Factor: factor,
        fromRequestStart: { alertRaised: latencyStats(alertFromSend), readingAdded: latencyStats(readingFromSend), p99Factor: round(percentile([...alertFromSend].sort((a, b) => a - b), 99) / Math.max(0.01, percentile([...readingFromSend].sort((a, b) => a - b), 99))) },
        target: { factor: 3, met: factor <= 3 && alertsMissing === 0 },
        cpu: cpuFigures(cpu, bgReadings),
        serverRssMb: await currentRssMb(server.pid),
        loadavgAfter: loadavg(),
      };
      console.log(JSON.stringify({ bench: 'alerts', phase: 'latency', ...(out.latency as object) }));
      await sleep(2000);
    }

    // ------------------------------------------------------------ fan-out
    if (phases.includes('fanout')) {
      const rssBefore = await currentRssMb(server.pid);
      const gqlAt: Map<string, number>[] = [];
      const dashAt: Map<string, number>[] = [];
      const dashReady = new Set<number>();
      const connectStart = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < fanoutClients * 2) {
          const n = next++;
          if (n % 2 === 0) {
            const got = new Map<string, number>();
            gqlAt.push(got);
            const c = await GraphqlWsClient.open(server.url, rules.token);
            sockets.push(c.ws);
            c.subscribe('a', ALERT_SUBSCRIPTION, (data, at) => {
              const a = (data as { alertRaised?: { machineId: string } }).alertRaised;
              if (a) got.set(a.machineId, at);
            });
          } else {
            const got = new Map<string, number>();
            const idx = dashAt.push(got) - 1;
            sockets.push(await openDashboard(server.url, rules.token, (msg, at) => {
              dashReady.add(idx);
              if (msg.type === 'alert' && typeof msg.machine_id === 'string') got.set(msg.machine_id, at);
            }));
          }
        }
      }));
      const connectSeconds = round((performance.now() - connectStart) / 1000);
      // a dashboard socket has no acknowledgement: it is authenticated once a reading reaches it
      const readyDeadline = performance.now() + 15_000;
      let readyI = 0;
      while (dashReady.size < dashAt.length && performance.now() < readyDeadline) {
        await ingest(rules, [probeReading(MACHINES - 2, readyI++, WATCH_METRIC)]);
        await sleep(500);
      }
      await sleep(1000);
      const rssConnected = await currentRssMb(server.pid);
      const m = await meter();
      const rounds: Record<string, unknown>[] = [];
      const gqlAll: number[] = [];
      const dashAll: number[] = [];
      for (let r = 0; r < FANOUT_ROUNDS; r++) {
        const machine = nextProbeMachine++;
        const machineId = rules.machineIds[machine]!;
        const sentAt = performance.now();
        const res = await ingest(rules, [probeReading(machine, 160)]);
        const respAt = performance.now();
        if (!res.ok) throw new Error(`fan-out ingest failed: ${res.failure}`);
        const deadline = respAt + FANOUT_WAIT_MS;
        const count = (ms: Map<string, number>[]) => ms.reduce((n, x) => n + (x.has(machineId) ? 1 : 0), 0);
        while (performance.now() < deadline && (count(gqlAt) < gqlAt.length || count(dashAt) < dashAt.length)) await sleep(20);
        const lat = (ms: Map<string, number>[]) => ms.flatMap((x) => (x.has(machineId) ? [Math.max(0, x.get(machineId)! - respAt)] : []));
        const g = lat(gqlAt);
        const d = lat(dashAt);
        const fromSend = (ms: Map<string, number>[]) => latencyStats(ms.flatMap((x) => (x.has(machineId) ? [x.get(machineId)! - sentAt] : [])));
        gqlAll.push(...g);
        dashAll.push(...d);
        rounds.push({
          ingestMs: round(respAt - sentAt),
          graphqlWs: { ...latencyStats(g), missing: gqlAt.length - g.length, fromRequestStart: fromSend(gqlAt) },
          dashboard: { ...latencyStats(d), missing: dashAt.length - d.length, fromRequestStart: fromSend(dashAt) },
          serverRssMb: await currentRssMb(server.pid),
        });
        await sleep(1000);
      }
      const cpu = await m.stop();
      const gStats = latencyStats(gqlAll);
      const dStats = latencyStats(dashAll);
      const missing = gqlAt.length * FANOUT_ROUNDS - gqlAll.length + (dashAt.length * FANOUT_ROUNDS - dashAll.length);
      out.fanout = {
        graphqlWsClients: gqlAt.length,
        dashboardClients: dashAt.length,
        dashboardAuthenticated: dashReady.size,
        connectSeconds,
        rounds,
        graphqlWs: gStats,
        dashboard: dStats,
        missing,
        serverRssMb: { beforeClients: rssBefore, withClients: rssConnected, after: await currentRssMb(server.pid), peak: await server.peakRssMb() },
        cpuMs: cpu.ms,
        cpuWallMs: cpu.wallMs,
        target: { allReceived: missing === 0 },
        loadavgAfter: loadavg(),
      };
      console.log(JSON.stringify({ bench: 'alerts', phase: 'fanout', ...(out.fanout as object) }));
    }
    out.serverPeakRssMb = await server.peakRssMb();
    out.loadavgEnd = loadavg();
    return out;
  } finally {
    for (const s of sockets) s.terminate();
    await agent.close();
    await server.stop();
    const form = new URLSearchParams({ q: `DROP DATABASE "${influxDb}"` });
    await fetch(`${influx}/query`, { method: 'POST', body: form }).catch((e: Error) => console.error(`could not drop ${influxDb}: ${e.message}`));
  }
}

/** A minimal graphql-transport-ws client: one socket, `next` payloads stamped on arrival. */
class GraphqlWsClient {
  private readonly handlers = new Map<string, (data: unknown, at: number) => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const at = performance.now();
      const msg = JSON.parse(String(raw)) as { type: string; id?: string; payload?: { data?: unknown; errors?: unknown } };
      if (msg.type === 'next' && msg.id) {
        if (msg.payload?.errors) console.error(JSON.stringify({ subscriptionErrors: msg.payload.errors }));
        this.handlers.get(msg.id)?.(msg.payload?.data, at);
      } else if (msg.type === 'error') console.error(JSON.stringify({ subscriptionError: msg }));
      else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    });
  }

  static open(httpUrl: string, token: string): Promise<GraphqlWsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      const timer = setTimeout(() => reject(new Error('graphql-ws: no connection_ack in 10 s')), 10_000);
      const onAck = (raw: WebSocket.RawData) => {
        if ((JSON.parse(String(raw)) as { type: string }).type !== 'connection_ack') return;
        clearTimeout(timer);
        ws.off('message', onAck);
        resolve(new GraphqlWsClient(ws));
      };
      ws.on('message', onAck);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
      ws.on('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`graphql-ws closed ${code} before connection_ack`));
      });
      ws.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  subscribe(id: string, query: string, onData: (data: unknown, at: number) => void): void {
    this.handlers.set(id, onData);
    this.ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens /api/v1/ws/dashboard and authenticates with the token as the first frame. */
function openDashboard(httpUrl: string, token: string, onMessage: (msg: { type: string; machine_id?: unknown }, at: number) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/api/v1/ws/dashboard`);
    const timer = setTimeout(() => reject(new Error('dashboard socket did not open in 10 s')), 10_000);
    ws.on('open', () => {
      clearTimeout(timer);
      ws.send(token);
      resolve(ws);
    });
    ws.on('message', (raw) => onMessage(JSON.parse(String(raw)) as { type: string }, performance.now()));
    ws.on('close', (code) => {
      if (code >= 4000) console.error(JSON.stringify({ dashboardClosed: code }));
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
