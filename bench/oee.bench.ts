import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { currentRssMb } from './ingest.bench.js';
import type { CpuCost } from './lib/cpu.js';
import { DOORS, doorRequests, eachDoorAlone, mixedLoad, sameOnEveryDoor, withLoadavg, type DoorQuery } from './lib/doors.js';
import { loadavg, pick, prng, round, type LoadResult } from './lib/load.js';
import { importMachinesCsv, machineIdsByIdentifier, registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';
import { addDays, dayBounds, shiftWindow, todayIn } from '../src/common/local-time.js';
import { numberPlaceholders } from '../src/infra/sql-placeholders.js';
import { fleetOeeStatement, oeeSummaryStatement } from '../src/oee/oee.sql.js';
import { comparisonStatement } from '../src/shifts/shift.sql.js';

/**
 * OEE and shifts (issue 15): 1,000 machines with a year of daily OEE records each (about 335,000:
 * per-machine levels of availability, performance and quality with daily noise, one to three
 * shifts a day, weekends off on the smaller ones, random missing days and a few long gaps), in
 * four sites of different zones (the tenant's Europe/Berlin, America/New_York, Asia/Kolkata,
 * Australia/Lord_Howe; lines under the sites, some machines in two sites, one in twenty in none),
 * seeded with SQL; 100 of the New York machines also get a year of shift logs (three definitions,
 * the night one across midnight) and of downtime records. Measured at `concurrency` clients:
 *
 *   fleet       GET /fleet/oee?days=365 (every machine, grouped by machine) vs GraphQL `fleetOee`
 *               vs the statement of src/oee/oee.sql.ts sent straight to PostgreSQL: each alone
 *               (throughput, CPU per request of the server, its PostgreSQL backends and this
 *               generator), then the three interleaved request by request for 3 x `durationMs`
 *               (the ratios: median and p99 of each door over the direct SQL's; target median
 *               ≤ 1.5x). The server's RSS is sampled every 500 ms over all fleet phases.
 *   summary     GET /oee/summary (each machine in turn, days 30 and 365) vs GraphQL `oeeSummary`
 *               vs its statement: p99 of each, alone.
 *   comparison  GET /shifts/comparison for the 100 machines' group over 365 days vs GraphQL
 *               `shiftComparison` vs src/shifts/shift.sql.ts's statement: p99 of each, alone.
 *
 * Before measuring, REST, GraphQL and the direct SQL are checked to give the same figures.
 */
export interface OeeBenchResult {
  seed: { machines: number; records: number; sites: number; comparisonMachines: number; shiftLogs: number; downtimeRecords: number; seconds: number };
  checked: string[];
  phases: Record<string, LoadResult & CpuCost & { loadavgBefore: number[]; loadavgAfter: number[] }>;
  fleetMixed: Awaited<ReturnType<typeof mixedLoad>> & { loadavgBefore: number[]; loadavgAfter: number[] };
  /** door over direct SQL, from the interleaved fleet run */
  ratios: { medianRest: number; medianGraphql: number; p99Rest: number; p99Graphql: number };
  target: { medianRatio: number; met: boolean };
  serverRssMb: { samples: number; first: number; last: number; min: number; max: number; firstQuarterMean: number; lastQuarterMean: number; series: number[] };
  p99Ms: Record<string, number>;
  machine: { cpus: number; totalMemGb: number; loadavgStart: number[]; loadavgEnd: number[] };
}

const MACHINES = 1000;
const DAYS = 365;
const COMPARISON_MACHINES = 100;
const TARGET_RATIO = 1.5;
const TENANT_ZONE = 'Europe/Berlin';
/** zone null: the site uses the tenant's */
const SITES = [
  { name: 'Berlin plant', zone: null },
  { name: 'Detroit plant', zone: 'America/New_York' },
  { name: 'Pune plant', zone: 'Asia/Kolkata' },
  { name: 'Lord Howe workshop', zone: 'Australia/Lord_Howe' },
] as const;
const DETROIT = 1;
const DEFINITIONS = [
  { name: 'Early', start: '06:00', end: '14:00' },
  { name: 'Late', start: '14:00', end: '22:00' },
  { name: 'Night', start: '22:00', end: '06:00' },
] as const;
const DOWNTIME_CATEGORIES = [
  ['unplanned', 45],
  ['planned', 25],
  ['changeover', 20],
  ['maintenance', 10],
] as const;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

interface Seeded {
  tenantId: string;
  auth: { authorization: string };
  machineIds: string[];
  comparisonGroupId: string;
  comparisonFrom: string;
  comparisonTo: string;
  figures: Omit<OeeBenchResult['seed'], 'seconds'>;
}

async function api<T = Record<string, unknown>>(url: string, auth: { authorization: string }, method: string, body?: unknown): Promise<T> {
  const r = await fetch(url, { method, headers: { ...auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Minutes of each local day, per zone (23 h and 25 h days included). */
const dayMinutesCache = new Map<string, number>();
function dayMinutes(date: string, zone: string): number {
  const key = `${zone} ${date}`;
  let m = dayMinutesCache.get(key);
  if (m === undefined) {
    const b = dayBounds(date, zone);
    dayMinutesCache.set(key, (m = (b.end.getTime() - b.start.getTime()) / 60_000));
  }
  return m;
}

/** A year of daily records per machine, inserted in batches with unnest. */
async function seedRecords(c: pg.Client, tenantId: string, machineIds: string[], zoneOf: (i: number) => string, ideal: number[], now: Date): Promise<number> {
  const rand = prng(15);
  const cols = {
    id: [] as string[], machine: [] as string[], date: [] as string[], a: [] as number[], p: [] as number[], q: [] as number[], planned: [] as number[], run: [] as number[],
    total: [] as number[], good: [] as number[], ideal: [] as number[], day: [] as number[], computed: [] as string[],
  };
  let count = 0;
  const flush = async () => {
    if (cols.id.length === 0) return;
    await c.query(
      `insert into oee_records (id, tenant_id, machine_id, date, availability, performance, quality, planned_minutes, run_minutes, total_pieces, good_pieces,
                                ideal_cycle_time_seconds, day_minutes, computed_factors, created_at, updated_at)
       select id, $1, machine_id, date, a, p, q, planned, run, total, good, ideal, day, computed::text[], now(), now()
         from unnest($2::uuid[], $3::uuid[], $4::date[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::int[], $11::int[], $12::float8[], $13::float8[], $14::text[])
           as x(id, machine_id, date, a, p, q, planned, run, total, good, ideal, day, computed)`,
      [tenantId, cols.id, cols.machine, cols.date, cols.a, cols.p, cols.q, cols.planned, cols.run, cols.total, cols.good, cols.ideal, cols.day, cols.computed],
    );
    count += cols.id.length;
    for (const k of Object.keys(cols) as (keyof typeof cols)[]) cols[k].length = 0;
  };
  for (const [i, machineId] of machineIds.entries()) {
    const zone = zoneOf(i);
    const today = todayIn(zone, now);
    // the machine's levels: a good, a typical or a poor performer
    const baseA = 70 + rand() * 26;
    const baseP = 65 + rand() * 33;
    const baseQ = 90 + rand() * 9.8;
    const shifts = 1 + Math.floor(rand() * 3);
    const weekendsOff = shifts < 3 && rand() < 0.7;
    // one machine in 50 stood still (or was not installed yet) for 30 to 90 days
    const gapStart = rand() < 0.02 ? Math.floor(rand() * DAYS) : -1;
    const gapLength = 30 + Math.floor(rand() * 60);
    for (let k = DAYS; k >= 1; k--) {
      const date = addDays(today, -k);
      const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
      if (weekendsOff && (weekday === 0 || weekday === 6)) continue;
      if (rand() < 0.05 || (gapStart >= 0 && k <= DAYS - gapStart && k > DAYS - gapStart - gapLength)) continue;
      const planned = shifts * 480 - shifts * 30 * (rand() < 0.8 ? 1 : 0);
      const a = clamp(baseA + (rand() - 0.5) * 20, 20, 100);
      const run = (planned * a) / 100;
      const p = clamp(baseP + (rand() - 0.5) * 16, 30, 100);
      const total = Math.floor(((p / 100) * run * 60) / ideal[i]!);
      const good = Math.round(total * clamp(baseQ + (rand() - 0.5) * 6, 80, 100) / 100);
      cols.id.push(randomUUID());
      cols.machine.push(machineId);
      cols.date.push(date);
      cols.a.push(a);
      // the stored factors are those of the stored counts, as the service derives them
      cols.p.push(run > 0 ? Math.min(100, (ideal[i]! * total * 100) / (run * 60)) : 0);
      cols.q.push(total > 0 ? (good * 100) / total : 100);
      cols.planned.push(planned);
      cols.run.push(run);
      cols.total.push(total);
      cols.good.push(good);
      cols.ideal.push(ideal[i]!);
      cols.day.push(dayMinutes(date, zone));
      cols.computed.push(rand() < 0.7 ? '{availability,performance,quality}' : '{}');
      if (cols.id.length >= 10_000) await flush();
    }
  }
  await flush();
  return count;
}

/** A year of shift logs (three definitions) and downtime records for the comparison machines. */
async function seedShifts(c: pg.Client, tenantId: string, machineIds: string[], definitionIds: string[], zone: string, from: string, to: string): Promise<{ logs: number; downtime: number }> {
  const rand = prng(151);
  const windows: { date: string; def: number; start: Date; end: Date }[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    for (const [d, def] of DEFINITIONS.entries()) windows.push({ date, def: d, ...shiftWindow(date, def.start, def.end, zone) });
  }
  const now = Date.now();
  const done = windows.filter((w) => w.end.getTime() < now);
  const logs = { id: [] as string[], def: [] as string[], machine: [] as string[], date: [] as string[], ps: [] as Date[], pe: [] as Date[], sa: [] as Date[], ea: [] as Date[], status: [] as string[], total: [] as number[], good: [] as number[] };
  const dt = { id: [] as string[], machine: [] as string[], category: [] as string[], start: [] as Date[], end: [] as Date[] };
  let logCount = 0;
  let dtCount = 0;
  const flush = async () => {
    if (logs.id.length) {
      await c.query(
        `insert into shift_logs (id, tenant_id, shift_definition_id, machine_id, date, planned_start, planned_end, started_at, ended_at, status, total_pieces, good_pieces, created_at, updated_at)
         select id, $1, def, machine, date, ps, pe, sa, ea, status, total, good, sa, ea
           from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::date[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::text[], $11::int[], $12::int[])
             as x(id, def, machine, date, ps, pe, sa, ea, status, total, good)`,
        [tenantId, logs.id, logs.def, logs.machine, logs.date, logs.ps, logs.pe, logs.sa, logs.ea, logs.status, logs.total, logs.good],
      );
      logCount += logs.id.length;
      for (const k of Object.keys(logs) as (keyof typeof logs)[]) logs[k].length = 0;
    }
    if (dt.id.length) {
      await c.query(
        `insert into downtime_records (id, tenant_id, machine_id, reason, category, started_at, ended_at, origin, created_at, updated_at)
         select id, $1, machine, category || ' stop', category, s, e, 'manual', s, e
           from unnest($2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::timestamptz[]) as x(id, machine, category, s, e)`,
        [tenantId, dt.id, dt.machine, dt.category, dt.start, dt.end],
      );
      dtCount += dt.id.length;
      for (const k of Object.keys(dt) as (keyof typeof dt)[]) dt[k].length = 0;
    }
  };
  for (const machineId of machineIds) {
    const rate = 30 + rand() * 60; // pieces per hour
    for (const w of done) {
      if (rand() < 0.03) continue; // not worked
      const cancelled = rand() < 0.04;
      const hours = (w.end.getTime() - w.start.getTime()) / 3_600_000;
      const total = cancelled ? 0 : Math.floor(rate * hours * (0.6 + rand() * 0.35));
      logs.id.push(randomUUID());
      logs.def.push(definitionIds[w.def]!);
      logs.machine.push(machineId);
      logs.date.push(w.date);
      logs.ps.push(w.start);
      logs.pe.push(w.end);
      logs.sa.push(new Date(w.start.getTime() + Math.floor(rand() * 600_000)));
      logs.ea.push(w.end);
      logs.status.push(cancelled ? 'cancelled' : 'completed');
      logs.total.push(total);
      logs.good.push(Math.round(total * (0.9 + rand() * 0.1)));
      // one stop in two shifts, inside the shift, 5 to 90 minutes (a few cross its end)
      if (rand() < 0.5) {
        const start = w.start.getTime() + rand() * (w.end.getTime() - w.start.getTime());
        dt.id.push(randomUUID());
        dt.machine.push(machineId);
        dt.category.push(pick(rand, DOWNTIME_CATEGORIES));
        dt.start.push(new Date(start));
        dt.end.push(new Date(Math.min(start + (5 + rand() * 85) * 60_000, now - 1000)));
      }
      if (logs.id.length >= 10_000) await flush();
    }
  }
  await flush();
  return { logs: logCount, downtime: dtCount };
}

async function seed(apiUrl: string, databaseUrl: string): Promise<Seeded> {
  const auth = await registerBenchTenant(apiUrl, 'oee');
  await api(`${apiUrl}/settings/tenant`, auth, 'PATCH', { time_zone: TENANT_ZONE });
  const rows = Array.from({ length: MACHINES }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    return { name: `${['Press', 'Lathe', 'Mixer', 'Robot', 'Filler'][i % 5]} ${n}`, identifier: `O-${n}` };
  });
  for (let f = 0; f < MACHINES / 500; f++) {
    const lines = ['name,machine_identifier,protocol', ...rows.slice(f * 500, (f + 1) * 500).map((r) => `${r.name},${r.identifier},json`)];
    await importMachinesCsv(apiUrl, auth, `oee-machines-${f + 1}.csv`, lines);
  }
  const idOf = await machineIdsByIdentifier(apiUrl, auth, MACHINES);
  const machineIds = rows.map((r) => idOf.get(r.identifier)!);

  // machine i: in no site when i % 20 == 19, else in line (i >> 2) % 2 of site i % 4; every tenth
  // machine also directly in a second site created later (its first site, the older, gives the zone)
  const siteOfMachine = machineIds.map((_, i) => (i % 20 === 19 ? -1 : i % 4));
  const siteIds: string[] = [];
  const lineMembers: string[][][] = SITES.map(() => [[], []]);
  machineIds.forEach((m, i) => {
    if (siteOfMachine[i]! >= 0) lineMembers[siteOfMachine[i]!]![(i >> 2) % 2]!.push(m);
  });
  for (const [s, site] of SITES.entries()) {
    const g = await api<{ id: string }>(`${apiUrl}/machine-groups`, auth, 'POST', { name: site.name, group_type: 'site', time_zone: site.zone });
    siteIds.push(g.id);
    for (const l of [0, 1]) {
      const line = await api<{ id: string }>(`${apiUrl}/machine-groups`, auth, 'POST', { name: `${site.name} line ${l + 1}`, group_type: 'line', parent_id: g.id });
      await api(`${apiUrl}/machine-groups/${line.id}/members`, auth, 'PUT', { machine_ids: lineMembers[s]![l] });
    }
  }
  await new Promise((r) => setTimeout(r, 10));
  const extra = await api<{ id: string }>(`${apiUrl}/machine-groups`, auth, 'POST', { name: 'Shared tooling site', group_type: 'site', time_zone: 'Asia/Tokyo' });
  await api(`${apiUrl}/machine-groups/${extra.id}/members`, auth, 'PUT', { machine_ids: machineIds.filter((_, i) => i % 10 === 3) });
  const zoneOf = (i: number) => (siteOfMachine[i]! >= 0 ? (SITES[siteOfMachine[i]!]!.zone ?? TENANT_ZONE) : TENANT_ZONE);

  // the comparison's machines: the first 100 of the Detroit site, in a group of their own
  const comparisonMachines = machineIds.filter((_, i) => siteOfMachine[i] === DETROIT).slice(0, COMPARISON_MACHINES);
  const cell = await api<{ id: string }>(`${apiUrl}/machine-groups`, auth, 'POST', { name: 'Comparison cell', group_type: 'custom' });
  await api(`${apiUrl}/machine-groups/${cell.id}/members`, auth, 'PUT', { machine_ids: comparisonMachines });
  const definitionIds: string[] = [];
  for (const d of DEFINITIONS) definitionIds.push((await api<{ id: string }>(`${apiUrl}/shifts/definitions`, auth, 'POST', { name: d.name, start_time: d.start, end_time: d.end })).id);

  const me = await api<{ tenant_id: string }>(`${apiUrl}/auth/me`, auth, 'GET');
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const rand = prng(7);
    const ideal = machineIds.map(() => round(15 + rand() * 105, 1));
    await c.query(`update machines m set ideal_cycle_time_seconds = x.v from unnest($1::uuid[], $2::float8[]) as x(id, v) where m.id = x.id`, [machineIds, ideal]);
    const now = new Date();
    const records = await seedRecords(c, me.tenant_id, machineIds, zoneOf, ideal, now);
    const zone = SITES[DETROIT].zone;
    const comparisonTo = todayIn(zone, now);
    const comparisonFrom = addDays(comparisonTo, -(DAYS - 1));
    const shifts = await seedShifts(c, me.tenant_id, comparisonMachines, definitionIds, zone, comparisonFrom, comparisonTo);
    // as autovacuum would within a minute on a default server
    await c.query('vacuum (analyze) oee_records, shift_logs, downtime_records, machines, machine_groups, machine_group_members');
    return {
      tenantId: me.tenant_id,
      auth,
      machineIds,
      comparisonGroupId: cell.id,
      comparisonFrom,
      comparisonTo,
      figures: { machines: MACHINES, records, sites: SITES.length + 1, comparisonMachines: comparisonMachines.length, shiftLogs: shifts.logs, downtimeRecords: shifts.downtime },
    };
  } finally {
    await c.end();
  }
}

/** One measured query on its three paths, each answer reduced to the figures the three share. */

const r1 = (x: unknown) => (x === null || x === undefined ? null : round(Number(x), 1));
type Row = Record<string, unknown>;

/** The figures of an aggregate both doors show and the SQL row holds: counts and ISO 22400 sums. */
const aggregateFigures = (x: { records: unknown; planned: unknown; run: unknown; total: unknown; good: unknown }) => ({
  records: Number(x.records),
  planned: r1(x.planned),
  run: r1(x.run),
  total: r1(x.total),
  good: r1(x.good),
});
const fromSqlAggregate = (r: Row) => aggregateFigures({ records: r.records_count, planned: r.planned_minutes, run: r.run_minutes, total: r.total_pieces, good: r.good_pieces });
const fromRestAggregate = (g: Row) => {
  const iso = g.iso22400 as Row;
  return aggregateFigures({ records: g.records_count, planned: iso.planned_minutes, run: iso.run_minutes, total: iso.total_pieces, good: iso.good_pieces });
};
const fromGraphqlAggregate = (g: Row) => {
  const iso = g.iso22400 as Row;
  return aggregateFigures({ records: g.recordsCount, planned: iso.plannedMinutes, run: iso.runMinutes, total: iso.totalPieces, good: iso.goodPieces });
};
const AGGREGATE_FIELDS = `recordsCount averageOee averageAvailability averagePerformance averageQuality
  iso22400 { availability performance quality oee plannedMinutes runMinutes totalPieces goodPieces lossMinutes { availabilityLoss performanceLoss qualityLoss notScheduled } }`;

function queries(s: Seeded): DoorQuery[] {
  const summaryDays = [30, 365];
  return [
    {
      name: 'fleet',
      variants: 1,
      restPath: () => '/fleet/oee?days=365',
      graphql: () => ({ query: `{ fleetOee(days: 365) { periodDays groupBy groups { groupId groupName machineCount ${AGGREGATE_FIELDS} } total { machineCount ${AGGREGATE_FIELDS} } } }`, variables: {} }),
      async direct(pool) {
        const st = fleetOeeStatement(s.tenantId, null, 'machine', new Date(), 365);
        const { rows } = await pool.query<Row>({ name: 'bench_fleet_oee', text: numberPlaceholders(st.sql), values: st.params });
        return {
          groups: rows.filter((r) => r.is_total !== true).map((r) => ({ id: r.group_id, machines: Number(r.machine_count), ...fromSqlAggregate(r) })),
          total: { machines: Number(rows.find((r) => r.is_total === true)!.machine_count), ...fromSqlAggregate(rows.find((r) => r.is_total === true)!) },
        };
      },
      fromRest: (b) => {
        const x = b as { groups: Row[]; total: Row };
        return { groups: x.groups.map((g) => ({ id: g.group_id, machines: g.machine_count, ...fromRestAggregate(g) })), total: { machines: x.total.machine_count, ...fromRestAggregate(x.total) } };
      },
      fromGraphql: (d) => {
        const x = d.fleetOee as { groups: Row[]; total: Row };
        return { groups: x.groups.map((g) => ({ id: g.groupId, machines: g.machineCount, ...fromGraphqlAggregate(g) })), total: { machines: x.total.machineCount, ...fromGraphqlAggregate(x.total) } };
      },
    },
    {
      name: 'summary',
      variants: 2 * MACHINES,
      restPath: (i) => `/oee/summary?machine_id=${s.machineIds[i >> 1]}&days=${summaryDays[i % 2]}`,
      graphql: (i) => ({
        query: `query($m: ID!, $days: Int) { oeeSummary(machineId: $m, days: $days) { machineId periodDays fromDate toDate ${AGGREGATE_FIELDS} } }`,
        variables: { m: s.machineIds[i >> 1], days: summaryDays[i % 2] },
      }),
      async direct(pool, i) {
        const st = oeeSummaryStatement(s.tenantId, s.machineIds[i >> 1]!, new Date(), summaryDays[i % 2]!);
        const { rows } = await pool.query<Row>({ name: 'bench_oee_summary', text: numberPlaceholders(st.sql), values: st.params });
        return { to: rows[0]!.to_date, ...fromSqlAggregate(rows[0]!) };
      },
      fromRest: (b) => ({ to: (b as Row).to_date, ...fromRestAggregate(b as Row) }),
      fromGraphql: (d) => ({ to: (d.oeeSummary as Row).toDate, ...fromGraphqlAggregate(d.oeeSummary as Row) }),
    },
    {
      name: 'comparison',
      variants: 1,
      restPath: () => `/shifts/comparison?group_id=${s.comparisonGroupId}&from_date=${s.comparisonFrom}&to_date=${s.comparisonTo}`,
      graphql: () => ({
        query: `query($g: ID, $f: String, $t: String) { shiftComparison(groupId: $g, fromDate: $f, toDate: $t) { fromDate toDate rows {
          shiftDefinitionId name logs scheduledMinutes plannedMinutes runMinutes totalPieces goodPieces availability performance quality oee } } }`,
        variables: { g: s.comparisonGroupId, f: s.comparisonFrom, t: s.comparisonTo },
      }),
      async direct(pool) {
        const st = comparisonStatement({ tenantId: s.tenantId, fromDate: s.comparisonFrom, toDate: s.comparisonTo, machineId: null, groupId: s.comparisonGroupId, definitionIds: [], now: new Date() });
        const { rows } = await pool.query<Row>({ name: 'bench_shift_comparison', text: numberPlaceholders(st.sql), values: st.params });
        return rows.map((r) => ({ id: r.id, logs: Number(r.logs), scheduled: r1(r.scheduled_minutes), run: r1(r.run_minutes), total: r1(r.total_pieces), good: r1(r.good_pieces) }));
      },
      fromRest: (b) => (b as { rows: Row[] }).rows.map((r) => ({ id: r.shift_definition_id, logs: r.logs, scheduled: r1(r.scheduled_minutes), run: r1(r.run_minutes), total: r1(r.total_pieces), good: r1(r.good_pieces) })),
      fromGraphql: (d) =>
        (d.shiftComparison as { rows: Row[] }).rows.map((r) => ({ id: r.shiftDefinitionId, logs: r.logs, scheduled: r1(r.scheduledMinutes), run: r1(r.runMinutes), total: r1(r.totalPieces), good: r1(r.goodPieces) })),
    },
  ];
}

/** The server's RSS every 500 ms until stopped. */
function rssSeries(pid: number): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      samples.push(await currentRssMb(pid));
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
      return samples;
    },
  };
}

export async function benchOee(server: BenchServer, opts: { durationMs: number; concurrency: number; databaseUrl: string }): Promise<OeeBenchResult> {
  const loadavgStart = loadavg();
  const apiUrl = `${server.url}/api/v1`;
  const t0 = Date.now();
  const s = await seed(apiUrl, opts.databaseUrl);
  const seedFigures = { ...s.figures, seconds: round((Date.now() - t0) / 1000, 1) };
  // the same session settings as the app's pool (src/infra/database.ts: JIT off), so the direct door is the floor
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.concurrency, options: '-c jit=off' });
  const target = { apiUrl, serverUrl: server.url, auth: s.auth };
  const phases: OeeBenchResult['phases'] = {};
  const checked: string[] = [];
  const p99Ms: Record<string, number> = {};
  let fleetMixed: OeeBenchResult['fleetMixed'] | undefined;
  let rss: number[] = [];
  try {
    for (const q of queries(s)) {
      // --- the same figures on the three paths (a few variants of the summary; a local midnight
      // passing between the calls moves the window, hence the retries of sameOnEveryDoor)
      for (const i of q.variants > 1 ? [0, 1, 2 * 19 + 1, 2 * 500] : [0]) checked.push(await sameOnEveryDoor(target, pool, q, i, 'bytes of figures'));
      const doors = doorRequests(target, pool, q);
      const sampler = q.name === 'fleet' ? rssSeries(server.pid) : null;
      for (const [door, r] of Object.entries(await eachDoorAlone(server, opts, doors))) {
        phases[`${q.name}.${door}`] = r;
        p99Ms[`${q.name}.${door}`] = r.p99Ms;
      }
      if (q.name === 'fleet') {
        // interleaved request by request on the same clients: every path meets the same load
        fleetMixed = await withLoadavg(() => mixedLoad({ durationMs: DOORS.length * opts.durationMs, concurrency: opts.concurrency, doors }));
        rss = await sampler!.stop();
      }
    }
  } finally {
    await pool.end();
  }
  const m = fleetMixed!;
  const ratios = {
    medianRest: round(m.rest.p50Ms / m.sql.p50Ms),
    medianGraphql: round(m.graphql.p50Ms / m.sql.p50Ms),
    p99Rest: round(m.rest.p99Ms / m.sql.p99Ms),
    p99Graphql: round(m.graphql.p99Ms / m.sql.p99Ms),
  };
  const quarter = Math.max(1, Math.floor(rss.length / 4));
  const mean = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length), 1);
  return {
    seed: seedFigures,
    checked,
    phases,
    fleetMixed: m,
    ratios,
    target: { medianRatio: TARGET_RATIO, met: ratios.medianRest <= TARGET_RATIO && ratios.medianGraphql <= TARGET_RATIO },
    serverRssMb: {
      samples: rss.length,
      first: rss[0] ?? 0,
      last: rss.at(-1) ?? 0,
      min: Math.min(...rss),
      max: Math.max(...rss),
      firstQuarterMean: mean(rss.slice(0, quarter)),
      lastQuarterMean: mean(rss.slice(-quarter)),
      // every second sample (one a second): the shape of the curve, growth first and then flat or not
      series: rss.filter((_, k) => k % 2 === 0),
    },
    p99Ms,
    machine: { cpus: os.cpus().length, totalMemGb: Math.round(os.totalmem() / 2 ** 30), loadavgStart, loadavgEnd: loadavg() },
  };
}
