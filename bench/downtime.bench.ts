import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import type { CpuCost } from './lib/cpu.js';
import { DOORS, doorRequests, eachDoorAlone, mixedLoad, sameOnEveryDoor, withLoadavg, type Door, type DoorLatency, type DoorQuery } from './lib/doors.js';
import { loadavg, pick, prng, round, type LoadResult } from './lib/load.js';
import { importMachinesCsv, machineIdsByIdentifier, registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';
import { durationMinutes, lookBack, mttrMtbfFrom } from '../src/downtime/downtime.calc.js';
import { downtimePageStatements, FLEET_ORDER, fleetReliabilityStatement, machineScope } from '../src/downtime/downtime.sql.js';
import { numberPlaceholders } from '../src/infra/sql-placeholders.js';


/**
 * Downtime (issue 13): 1,000 machines and 100,000 downtime records of irregular starts and
 * durations over the last 400 days (mixed categories, 40 reason codes in a tree and some records
 * without one, 1 machine in 20 with an open record), seeded with SQL. Measured at `concurrency`
 * closed-loop clients, each for `durationMs`:
 *
 *   mttr   GET /fleet/mttr-mtbf (30, 90, 365 days; every machine) vs GraphQL `fleetMttrMtbf`
 *   list   GET /fleet/downtime?sort_by=duration_minutes       vs GraphQL `fleetDowntime`
 *          (page_size 50, both directions, pages 1 to 5)
 *
 * and, for each, the same SQL the service sends, with `pg` straight to PostgreSQL (a pool of
 * 2 x `concurrency` connections): the floor the API is held to (p99 of each door within 1.5x of it).
 * Before measuring, the answers of REST, GraphQL and the direct SQL are checked to be identical.
 * Each path runs alone (throughput; CPU per request of the server, its PostgreSQL backends and this
 * generator), then the three interleaved request by request on the same clients for 3 x
 * `durationMs`: the ratios come from that run, where every path meets the same load. Load average
 * before and after every run.
 */
export interface DowntimeBenchResult {
  seed: { machines: number; records: number; openRecords: number; reasonCodes: number; seconds: number };
  checked: string[];
  /** each path alone (`<query>.<door>`) */
  phases: Record<string, LoadResult & CpuCost & { loadavgBefore: number[]; loadavgAfter: number[] }>;
  /** per query, the three paths interleaved request by request on the same clients */
  mixed: Record<string, Record<Door, DoorLatency> & { seconds: number; loadavgBefore: number[]; loadavgAfter: number[] }>;
  /** p99 of each door over the p99 of the direct SQL, from the interleaved run (target ≤ 1.5) */
  ratios: Record<string, number>;
  target: { ratio: number; met: boolean };
  machine: { cpus: number; totalMemGb: number; loadavgStart: number[]; loadavgEnd: number[] };
}

const MACHINES = 1000;
const RECORDS = 100_000;
const SPAN_DAYS = 400;
const TARGET_RATIO = 1.5;
const CATEGORIES = [
  ['unplanned', 40],
  ['maintenance', 20],
  ['planned', 25],
  ['changeover', 15],
] as const;
const REASONS: Record<string, string[]> = {
  unplanned: ['Bearing failure', 'Motor overheat', 'Jam', 'Sensor fault', 'Power loss'],
  maintenance: ['Preventive maintenance', 'Lubrication', 'Calibration'],
  planned: ['Break', 'No orders', 'Shift handover'],
  changeover: ['Changeover to product B', 'Tool change'],
};


interface Seeded {
  tenantId: string;
  auth: { authorization: string };
  machineIds: string[];
  openRecords: number;
  reasonCodes: number;
}

/** 40 reason codes (8 parents with 4 children), then the records, machine by machine, without overlap. */
async function seedRecords(c: pg.Client, tenantId: string, machineIds: string[]): Promise<{ openRecords: number; reasonCodes: number }> {
  const rand = prng(13);
  const codes: { id: string; category: string }[] = [];
  const cats = CATEGORIES.map(([c]) => c);
  for (let p = 0; p < 8; p++) {
    const parent = randomUUID();
    const category = cats[p % cats.length]!;
    await c.query(`insert into reason_codes (id, tenant_id, code, name, category, parent_id) values ($1, $2, $3, $4, $5, null)`, [parent, tenantId, `P${p + 1}`, `Group ${p + 1} (${category})`, category]);
    codes.push({ id: parent, category });
    for (let k = 0; k < 4; k++) {
      const id = randomUUID();
      await c.query(`insert into reason_codes (id, tenant_id, code, name, category, parent_id) values ($1, $2, $3, $4, $5, $6)`, [id, tenantId, `P${p + 1}-${k + 1}`, `Cause ${p + 1}.${k + 1}`, category, parent]);
      codes.push({ id, category });
    }
  }
  // per machine between 20 and 180 records (100 on average), laid out in their own slots of the span
  const counts = machineIds.map(() => 20 + Math.floor(rand() * 161));
  const scale = RECORDS / counts.reduce((s, n) => s + n, 0);
  const sized = counts.map((n) => Math.max(1, Math.round(n * scale)));
  sized[0]! += RECORDS - sized.reduce((s, n) => s + n, 0);
  const now = Date.now();
  const spanMs = SPAN_DAYS * 86_400_000;
  const cols = { id: [] as string[], machine: [] as string[], reason: [] as string[], category: [] as string[], code: [] as (string | null)[], start: [] as string[], end: [] as (string | null)[], origin: [] as string[] };
  let openRecords = 0;
  const flush = async () => {
    if (cols.id.length === 0) return;
    await c.query(
      `insert into downtime_records (id, tenant_id, machine_id, reason, category, reason_code_id, started_at, ended_at, origin, created_at, updated_at)
       select id, $1, machine_id, reason, category, reason_code_id, started_at, ended_at, origin, started_at, coalesce(ended_at, started_at)
         from unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[], $8::timestamptz[], $9::text[])
           as x(id, machine_id, reason, category, reason_code_id, started_at, ended_at, origin)`,
      [tenantId, cols.id, cols.machine, cols.reason, cols.category, cols.code, cols.start, cols.end, cols.origin],
    );
    for (const k of Object.keys(cols) as (keyof typeof cols)[]) cols[k].length = 0;
  };
  for (const [m, machineId] of machineIds.entries()) {
    const n = sized[m]!;
    const slot = spanMs / n;
    const hasOpen = m % 20 === 7;
    for (let i = 0; i < n; i++) {
      const slotStart = now - spanMs + i * slot;
      const last = i === n - 1;
      // start somewhere in the first 60 % of the slot; last slot's record of some machines stays open
      const start = slotStart + rand() * slot * 0.6;
      // durations: mostly minutes to hours, a tail of long stops (up to the end of the slot)
      const r = rand();
      const wanted = r < 0.6 ? 60_000 + rand() * 3_600_000 : r < 0.95 ? 3_600_000 + rand() * 8 * 3_600_000 : rand() * slot;
      const end = Math.min(start + wanted, slotStart + slot - 1000, now - 1000);
      const category = pick(rand, CATEGORIES);
      const ofCategory = codes.filter((x) => x.category === category);
      const code = rand() < 0.1 ? null : ofCategory[Math.floor(rand() * ofCategory.length)]!.id;
      const open = last && hasOpen;
      if (open) openRecords++;
      cols.id.push(randomUUID());
      cols.machine.push(machineId);
      cols.reason.push(REASONS[category]![Math.floor(rand() * REASONS[category]!.length)]!);
      cols.category.push(category);
      cols.code.push(code);
      cols.start.push(new Date(start).toISOString());
      cols.end.push(open ? null : new Date(Math.max(start, end)).toISOString());
      cols.origin.push(rand() < 0.05 ? 'automatic' : 'manual');
      if (cols.id.length >= 10_000) await flush();
    }
  }
  await flush();
  return { openRecords, reasonCodes: codes.length };
}

async function seed(api: string, databaseUrl: string): Promise<Seeded> {
  const auth = await registerBenchTenant(api, 'downtime');
  const rows = Array.from({ length: MACHINES }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    return { name: `${['Press', 'Lathe', 'Mixer', 'Robot', 'Pump'][i % 5]} ${n}`, identifier: `D-${n}` };
  });
  for (let f = 0; f < MACHINES / 500; f++) {
    const lines = ['name,machine_identifier,protocol', ...rows.slice(f * 500, (f + 1) * 500).map((r) => `${r.name},${r.identifier},json`)];
    await importMachinesCsv(api, auth, `downtime-machines-${f + 1}.csv`, lines);
  }
  const idOf = await machineIdsByIdentifier(api, auth, MACHINES);
  const machineIds = rows.map((r) => idOf.get(r.identifier)!);
  const me = (await (await fetch(`${api}/auth/me`, { headers: auth })).json()) as { tenant_id: string };
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const out = await seedRecords(c, me.tenant_id, machineIds);
    // as autovacuum would within a minute on a default server
    await c.query('vacuum (analyze) downtime_records, reason_codes, machines');
    return { tenantId: me.tenant_id, auth, machineIds, ...out };
  } finally {
    await c.end();
  }
}

/**
 * One measured request: its REST path, its GraphQL operation, and the SQL the service sends for it
 * (built by src/downtime/downtime.sql.ts, which the service uses too; the answers are checked
 * before the load), each answer reduced to the fields the three share. Sent as the
 * service's `db.query` sends them: named prepared statements (planned per connection, and after
 * five runs possibly with PostgreSQL's generic plan), so both sides run the same plans.
 */
/** A DoorQuery whose direct SQL takes the tenant. */
interface DirectQuery extends Omit<DoorQuery, 'direct'> {
  direct(pool: pg.Pool, tenantId: string, i: number): Promise<unknown>;
}

// DowntimeService's own statements (src/downtime/downtime.sql.ts): the fleet statement of
// fleetMttrMtbf without a group, and the page + count statements of the fleet list without filters
const fleetMttrStatement = (tenantId: string, w: { start: Date; end: Date }) => fleetReliabilityStatement(machineScope(tenantId, null), w, tenantId);
const fleetPageStatements = (tenantId: string, dir: 'asc' | 'desc', page: number) =>
  downtimePageStatements({ tenantId, groupId: null, machineId: null, category: null, reasonCodeId: null, start: null, end: null }, FLEET_ORDER.duration_minutes(dir), PAGE_SIZE, (page - 1) * PAGE_SIZE);

const MTTR_DAYS = [30, 90, 365];
const PAGE_SIZE = 50;
const LIST = Array.from({ length: 10 }, (_, i) => ({ dir: (i % 2 ? 'asc' : 'desc') as 'asc' | 'desc', page: 1 + Math.floor(i / 2) }));

type Item = Record<string, unknown>;
const ITEM_FIELDS = 'id machineId machineName reason category reasonCodeId reasonCodeName startedAt endedAt durationMinutes origin createdBy createdAt updatedAt';
const item = (x: { id: unknown; machine_id: unknown; machine_name: unknown; category: unknown; reason_code_id: unknown; reason_code_name: unknown; started_at: unknown; ended_at: unknown; duration_minutes: unknown; origin: unknown }) => ({
  id: x.id, machine_id: x.machine_id, machine_name: x.machine_name, category: x.category, reason_code_id: x.reason_code_id, reason_code_name: x.reason_code_name,
  started_at: x.started_at, ended_at: x.ended_at, duration_minutes: x.duration_minutes, origin: x.origin,
});
const mttrOf = (x: { mttr_hours: unknown; mtbf_hours: unknown; total_failures: unknown; total_repairs: unknown; machine_count: unknown; days: unknown }) => ({
  mttr_hours: x.mttr_hours, mtbf_hours: x.mtbf_hours, total_failures: x.total_failures, total_repairs: x.total_repairs, machine_count: x.machine_count, days: x.days,
});

const DIRECT_QUERIES: readonly DirectQuery[] = [
  {
    name: 'fleetMttrMtbf',
    variants: MTTR_DAYS.length,
    restPath: (i) => `/fleet/mttr-mtbf?days=${MTTR_DAYS[i]}`,
    graphql: (i) => ({
      query: 'query($days: Int) { fleetMttrMtbf(days: $days) { mttrHours mtbfHours totalFailures totalRepairs machineCount days start end } }',
      variables: { days: MTTR_DAYS[i] },
    }),
    async direct(pool, tenantId, i) {
      const days = MTTR_DAYS[i]!;
      const w = lookBack(days, new Date());
      const st = fleetMttrStatement(tenantId, w);
      const { rows } = await pool.query({ name: 'bench_fleet_mttr', text: numberPlaceholders(st.sql), values: st.params });
      const r = rows[0]!;
      const machineCount = Number(r.machine_count);
      const m = mttrMtbfFrom({
        windowSeconds: (machineCount * (w.end.getTime() - w.start.getTime())) / 1000,
        downtimeSeconds: Number(r.downtime_seconds),
        failures: Number(r.failures),
        repairs: Number(r.repairs),
        repairSeconds: Number(r.repair_seconds),
      });
      return mttrOf({ mttr_hours: m.mttrHours, mtbf_hours: m.mtbfHours, total_failures: m.totalFailures, total_repairs: m.totalRepairs, machine_count: machineCount, days });
    },
    fromRest: (b) => mttrOf(b as Parameters<typeof mttrOf>[0]),
    fromGraphql: (d) => {
      const x = d.fleetMttrMtbf as Record<string, unknown>;
      return mttrOf({ mttr_hours: x.mttrHours, mtbf_hours: x.mtbfHours, total_failures: x.totalFailures, total_repairs: x.totalRepairs, machine_count: x.machineCount, days: x.days });
    },
  },
  {
    name: 'fleetDowntime',
    variants: LIST.length,
    restPath: (i) => `/fleet/downtime?sort_by=duration_minutes&sort_dir=${LIST[i]!.dir}&page=${LIST[i]!.page}&page_size=${PAGE_SIZE}`,
    graphql: (i) => ({
      query: `query($page: Int, $dir: SortDirection) { fleetDowntime(page: $page, pageSize: ${PAGE_SIZE}, sortBy: duration_minutes, sortDir: $dir) { total page pageSize totalPages items { ${ITEM_FIELDS} } } }`,
      variables: { page: LIST[i]!.page, dir: LIST[i]!.dir },
    }),
    async direct(pool, tenantId, i) {
      const { dir, page } = LIST[i]!;
      const st = fleetPageStatements(tenantId, dir, page);
      const [{ rows }, counted] = await Promise.all([
        pool.query({ name: `bench_fleet_page_${dir}`, text: numberPlaceholders(st.page.sql), values: st.page.params }),
        pool.query({ name: 'bench_fleet_count', text: numberPlaceholders(st.count.sql), values: st.count.params }),
      ]);
      const total = Number(counted.rows[0].n);
      return {
        total,
        items: rows.map((r) =>
          item({ ...r, started_at: (r.started_at as Date).toISOString(), ended_at: r.ended_at ? (r.ended_at as Date).toISOString() : null, duration_minutes: durationMinutes(r.started_at as Date, (r.ended_at as Date | null) ?? null) }),
        ),
      };
    },
    fromRest: (b) => {
      const x = b as { total: number; items: Parameters<typeof item>[0][] };
      return { total: x.total, items: x.items.map(item) };
    },
    fromGraphql: (d) => {
      const x = d.fleetDowntime as { total: number; items: Item[] };
      return {
        total: x.total,
        items: x.items.map((y) =>
          item({ id: y.id, machine_id: y.machineId, machine_name: y.machineName, category: y.category, reason_code_id: y.reasonCodeId, reason_code_name: y.reasonCodeName, started_at: y.startedAt, ended_at: y.endedAt, duration_minutes: y.durationMinutes, origin: y.origin }),
        ),
      };
    },
  },
];

export async function benchDowntime(server: BenchServer, opts: { durationMs: number; concurrency: number; databaseUrl: string }): Promise<DowntimeBenchResult> {
  const loadavgStart = loadavg();
  const api = `${server.url}/api/v1`;
  const t0 = Date.now();
  const s = await seed(api, opts.databaseUrl);
  const seedFigures = { machines: MACHINES, records: RECORDS, openRecords: s.openRecords, reasonCodes: s.reasonCodes, seconds: round((Date.now() - t0) / 1000, 1) };
  // a connection per statement in flight (the list sends two per request): the floor is never pool-bound
  // the same session settings as the app's pool (src/infra/database.ts: JIT off)
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 2 * opts.concurrency, options: '-c jit=off' });
  const target = { apiUrl: api, serverUrl: server.url, auth: s.auth };
  const phases: DowntimeBenchResult['phases'] = {};
  const mixed: DowntimeBenchResult['mixed'] = {};
  const ratios: Record<string, number> = {};
  const checked: string[] = [];
  try {
    for (const tenantQuery of DIRECT_QUERIES) {
      const q: DoorQuery = { ...tenantQuery, direct: (p, i) => tenantQuery.direct(p, s.tenantId, i) };
      // --- identical answers on the three paths, for every variant the load cycles through (MTTR/MTBF
      // look back from "now": a record crossing the window's start between the three calls changes
      // the answer, hence the retries of sameOnEveryDoor)
      for (let i = 0; i < q.variants; i++) checked.push(await sameOnEveryDoor(target, pool, q, i));
      // --- load: REST, GraphQL, direct SQL
      const doors = doorRequests(target, pool, q);
      // each path alone: throughput and CPU per request of each process
      for (const [door, r] of Object.entries(await eachDoorAlone(server, opts, doors))) phases[`${q.name}.${door}`] = r;
      // the three interleaved request by request on the same clients, so every path meets the same
      // load at every moment (on a shared machine the load moves between separate phases): the
      // latencies the ratios are taken from
      const m = await withLoadavg(() => mixedLoad({ durationMs: DOORS.length * opts.durationMs, concurrency: opts.concurrency, doors }));
      mixed[q.name] = m;
      ratios[`${q.name}.rest`] = round(m.rest.p99Ms / m.sql.p99Ms);
      ratios[`${q.name}.graphql`] = round(m.graphql.p99Ms / m.sql.p99Ms);
    }
  } finally {
    await pool.end();
  }
  return {
    seed: seedFigures,
    checked,
    phases,
    mixed,
    ratios,
    target: { ratio: TARGET_RATIO, met: Object.values(ratios).every((r) => r <= TARGET_RATIO) },
    machine: { cpus: os.cpus().length, totalMemGb: Math.round(os.totalmem() / 2 ** 30), loadavgStart, loadavgEnd: loadavg() },
  };
}
