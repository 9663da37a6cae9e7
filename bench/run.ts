// `npm run bench [name...]`: runs benchmarks against the built server on real PostgreSQL (and Redis
// with BENCH_REDIS=1). Every run is bounded in time and prints JSON figures plus machine load.
import os from 'node:os';
import { ALERT_PHASES, benchAlerts, type AlertPhaseName } from './alerts.bench.js';
import { benchAuth } from './auth.bench.js';
import { benchConnectivity, CONNECTIVITY_PHASES, type ConnectivityPhaseName } from './connectivity.bench.js';
import { benchDowntime } from './downtime.bench.js';
import { benchIngest, INGEST_SHAPES, type IngestShapeName } from './ingest.bench.js';
import { benchInventory } from './inventory.bench.js';
import { benchMachines } from './machines.bench.js';
import { benchNotifications, NOTIFY_MODES, NOTIFY_PROFILES, type NotifyMode, type NotifyProfile } from './notifications.bench.js';
import { benchOee } from './oee.bench.js';
import { createDatabase, startServer } from './lib/server.js';

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const wanted = new Set(process.argv.slice(2));
const all = ['auth', 'machines', 'ingest', 'alerts', 'connectivity', 'downtime', 'notifications', 'oee', 'inventory'];
const selected = wanted.size ? all.filter((n) => wanted.has(n)) : all;

function machine() {
  return { cpus: os.cpus().length, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), totalMemGb: Math.round(os.totalmem() / 2 ** 30) };
}

const db = await createDatabase(adminUrl);
const env: Record<string, string> = { DATABASE_URL: db.url, RATE_LIMIT_FREE: '100000000', JWT_SECRET: 'bench-secret-'.padEnd(48, 'b') };
if (process.env.BENCH_REDIS === '1') env.REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
// BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops.
// BENCH_NODE_OPTIONS: extra Node/V8 options for the server process (e.g. --max-semi-space-size=16).
const nodeOptions = [process.env.BENCH_NODE_OPTIONS, process.env.BENCH_CPU_PROF ? `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` : ''].filter(Boolean).join(' ');
if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
// auth and machines share one server; ingest and alerts start their own (INFLUX_URL set, RSS measured apart),
// and so do connectivity and notifications (their own settings; notifications one server per deployment).
const server = selected.some((n) => n !== 'ingest' && n !== 'alerts' && n !== 'connectivity' && n !== 'notifications') ? await startServer(env) : null;
const results: Record<string, unknown> = {};
try {
  console.log(JSON.stringify({ event: 'start', machineBefore: machine(), durationMs, concurrency, redis: Boolean(env.REDIS_URL) }));
  for (const name of selected) {
    if (name === 'auth') results.auth = await benchAuth(server!, { durationMs, concurrency, databaseUrl: db.url });
    // BENCH_ANALYZE=0 measures on the unanalyzed tables (planner statistics as left by the seeding);
    // BENCH_MACHINES_PHASES=rest,graphql,group runs only those phases (e.g. with BENCH_CPU_PROF)
    if (name === 'machines') {
      results.machines = await benchMachines(server!, { durationMs, concurrency, databaseUrl: db.url, analyze: process.env.BENCH_ANALYZE !== '0', phases: process.env.BENCH_MACHINES_PHASES?.split(',') });
    }
    // downtime: 1,000 machines, 100,000 records (SQL seed) on the shared server; each door and the
    // direct SQL for BENCH_DURATION_MS at BENCH_CONCURRENCY clients
    if (name === 'downtime') results.downtime = await benchDowntime(server!, { durationMs, concurrency, databaseUrl: db.url });
    // oee: 1,000 machines x a year of OEE records in four zones, 100 of them with a year of shift logs
    // (SQL seed) on the shared server; /fleet/oee?days=365 on each door against its SQL, summary and
    // comparison p99, RSS sampled
    if (name === 'oee') results.oee = await benchOee(server!, { durationMs, concurrency, databaseUrl: db.url });
    // inventory: BENCH_INVENTORY_REQUESTS concurrent 1-unit part lines (200) on one part of
    // BENCH_INVENTORY_STOCK units (100) over the shared server and a second one, vs the same spread
    // over as many parts; BENCH_INVENTORY_ROUNDS (5) rounds, BENCH_INVENTORY_WORK_ORDERS (50) orders
    if (name === 'inventory') {
      const num = (v: string | undefined, d: number) => (v ? Number(v) : d);
      results.inventory = await benchInventory(server!, {
        databaseUrl: db.url,
        startSecond: () => startServer(env),
        requests: num(process.env.BENCH_INVENTORY_REQUESTS, 200),
        stock: num(process.env.BENCH_INVENTORY_STOCK, 100),
        workOrders: num(process.env.BENCH_INVENTORY_WORK_ORDERS, 50),
        rounds: num(process.env.BENCH_INVENTORY_ROUNDS, 5),
      });
      if (!(results.inventory as { target: { met: boolean } }).target.met) process.exitCode = 1;
    }
    // ingest: BENCH_INGEST_CLIENTS concurrent clients (default 4), InfluxDB at BENCH_INFLUX_URL,
    // BENCH_SHAPES=a,b,c,d,query (default all); with Redis unless BENCH_REDIS=0 (the deployment it models)
    if (name === 'ingest') {
      const shapes = (process.env.BENCH_SHAPES ?? INGEST_SHAPES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = shapes.filter((s) => !(INGEST_SHAPES as readonly string[]).includes(s));
      if (unknown.length) throw new Error(`BENCH_SHAPES: unknown ${unknown.join(',')} (known: ${INGEST_SHAPES.join(',')})`);
      const redisUrl = env.REDIS_URL ?? (process.env.BENCH_REDIS === '0' ? undefined : (process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'));
      results.ingest = await benchIngest({
        durationMs,
        clients: Number(process.env.BENCH_INGEST_CLIENTS ?? 4),
        influxUrl: process.env.BENCH_INFLUX_URL ?? 'http://127.0.0.1:8086',
        startServer: (extra) => startServer({ ...env, ...(redisUrl ? { REDIS_URL: redisUrl } : {}), ...extra }),
        shapes: shapes as IngestShapeName[],
        databaseUrl: db.url,
        redisUrl,
      });
    }
    // alerts: BENCH_ALERTS_PHASES=throughput,latency,fanout (default all), BENCH_ALERTS_BACKGROUND
    // readings/s behind the latency probes (20,000), BENCH_ALERTS_PROBES (100), BENCH_ALERTS_FANOUT
    // clients of each kind (1,000); BENCH_INGEST_CLIENTS closed-loop clients; Redis unless BENCH_REDIS=0
    if (name === 'alerts') {
      const phases = (process.env.BENCH_ALERTS_PHASES ?? ALERT_PHASES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = phases.filter((s) => !(ALERT_PHASES as readonly string[]).includes(s));
      if (unknown.length) throw new Error(`BENCH_ALERTS_PHASES: unknown ${unknown.join(',')} (known: ${ALERT_PHASES.join(',')})`);
      const redisUrl = env.REDIS_URL ?? (process.env.BENCH_REDIS === '0' ? undefined : (process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'));
      results.alerts = await benchAlerts({
        durationMs,
        clients: Number(process.env.BENCH_INGEST_CLIENTS ?? 4),
        influxUrl: process.env.BENCH_INFLUX_URL ?? 'http://127.0.0.1:8086',
        startServer: (extra) => startServer({ ...env, ...(redisUrl ? { REDIS_URL: redisUrl } : {}), ...extra }),
        phases: phases as AlertPhaseName[],
        databaseUrl: db.url,
        backgroundPerSec: Number(process.env.BENCH_ALERTS_BACKGROUND ?? 20_000),
        probes: Number(process.env.BENCH_ALERTS_PROBES ?? 100),
        fanoutClients: Number(process.env.BENCH_ALERTS_FANOUT ?? 1000),
      });
    }
    // connectivity: BENCH_CONNECTIVITY_PHASES=modbus,opcua,agent (default all), BENCH_CONNECTIVITY_MS
    // measured window of each polling phase and baseline (60,000), BENCH_MODBUS_DEVICES (500),
    // BENCH_MODBUS_SIM_PROCS simulator processes (2), BENCH_OPCUA_NODES (5,000), BENCH_AGENT_READINGS
    // (200,000), BENCH_AGENT_MACHINES (1,000), BENCH_AGENT_BATCH (1,000), BENCH_AGENT_ROUNDS (2),
    // BENCH_AGENT_MAX_MS bound of one drain (180,000); with Redis unless BENCH_REDIS=0
    if (name === 'connectivity') {
      const phases = (process.env.BENCH_CONNECTIVITY_PHASES ?? CONNECTIVITY_PHASES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = phases.filter((s) => !(CONNECTIVITY_PHASES as readonly string[]).includes(s));
      if (unknown.length) throw new Error(`BENCH_CONNECTIVITY_PHASES: unknown ${unknown.join(',')} (known: ${CONNECTIVITY_PHASES.join(',')})`);
      const redisUrl = env.REDIS_URL ?? (process.env.BENCH_REDIS === '0' ? undefined : (process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'));
      const num = (v: string | undefined, d: number) => (v ? Number(v) : d);
      results.connectivity = await benchConnectivity({
        durationMs: num(process.env.BENCH_CONNECTIVITY_MS, 60_000),
        influxUrl: process.env.BENCH_INFLUX_URL ?? 'http://127.0.0.1:8086',
        startServer: (extra) => startServer({ ...env, ...(redisUrl ? { REDIS_URL: redisUrl } : {}), ...extra }),
        databaseUrl: db.url,
        phases: phases as ConnectivityPhaseName[],
        modbusDevices: num(process.env.BENCH_MODBUS_DEVICES, 500),
        modbusSimProcesses: num(process.env.BENCH_MODBUS_SIM_PROCS, 2),
        opcuaNodes: num(process.env.BENCH_OPCUA_NODES, 5000),
        agentReadings: num(process.env.BENCH_AGENT_READINGS, 200_000),
        agentMachines: num(process.env.BENCH_AGENT_MACHINES, 1000),
        agentBatchSize: num(process.env.BENCH_AGENT_BATCH, 1000),
        agentRounds: num(process.env.BENCH_AGENT_ROUNDS, 2),
        redisUrl,
      });
      if ((results.connectivity as { failedPhases?: string[] }).failedPhases) process.exitCode = 1;
    }
    // notifications: BENCH_NOTIFY_MODES=embedded,postgres (default both: PGlite with in-process jobs,
    // then Redis/BullMQ + PostgreSQL), BENCH_NOTIFY_ALERTS (1,000; x 3 channels), BENCH_NOTIFY_MACHINES
    // (1,000), BENCH_NOTIFY_CONCURRENCY the plain loop's (default: the engine's), BENCH_NOTIFY_MAX_MS
    // bound of the wait for every delivery (300,000), BENCH_NOTIFY_REDIS_URL (redis://127.0.0.1:6379/14),
    // BENCH_NOTIFY_PROFILES=instant,realistic (default both: receivers answering at once, or after 20-200 ms)
    if (name === 'notifications') {
      const modes = (process.env.BENCH_NOTIFY_MODES ?? NOTIFY_MODES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = modes.filter((s) => !(NOTIFY_MODES as readonly string[]).includes(s));
      if (unknown.length) throw new Error(`BENCH_NOTIFY_MODES: unknown ${unknown.join(',')} (known: ${NOTIFY_MODES.join(',')})`);
      // a Redis database of its own (BENCH_NOTIFY_REDIS_URL): job queues are named per job, so workers
      // of other servers on the same Redis (tests running meanwhile) would take its jobs
      const redisUrl = process.env.BENCH_NOTIFY_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
      const { DATABASE_URL: _db, REDIS_URL: _redis, ...embeddedEnv } = env;
      const profiles = (process.env.BENCH_NOTIFY_PROFILES ?? NOTIFY_PROFILES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
      const unknownProfiles = profiles.filter((s) => !(NOTIFY_PROFILES as readonly string[]).includes(s));
      if (unknownProfiles.length) throw new Error(`BENCH_NOTIFY_PROFILES: unknown ${unknownProfiles.join(',')} (known: ${NOTIFY_PROFILES.join(',')})`);
      const num = (v: string | undefined) => (v ? Number(v) : undefined);
      results.notifications = await benchNotifications({
        modes: modes as NotifyMode[],
        profiles: profiles as NotifyProfile[],
        startServer: (mode, extra) => startServer(mode === 'embedded' ? { ...embeddedEnv, ...extra } : { ...env, REDIS_URL: redisUrl, ...extra }),
        databaseUrl: db.url,
        alerts: num(process.env.BENCH_NOTIFY_ALERTS),
        machines: num(process.env.BENCH_NOTIFY_MACHINES),
        concurrency: num(process.env.BENCH_NOTIFY_CONCURRENCY),
        maxWaitMs: num(process.env.BENCH_NOTIFY_MAX_MS),
      });
    }
    console.log(JSON.stringify({ bench: name, ...(results[name] as object) }, null, 2));
  }
  console.log(JSON.stringify({ event: 'end', serverPeakRssMb: server ? await server.peakRssMb() : null, machineAfter: machine() }));
} finally {
  await server?.stop();
  // BENCH_KEEP_DB=1 keeps the seeded database for inspection (EXPLAIN); drop it by hand afterwards.
  if (process.env.BENCH_KEEP_DB === '1') console.log(JSON.stringify({ event: 'kept database', url: db.url }));
  else await db.drop();
}
