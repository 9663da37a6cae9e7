import pg from 'pg';
import { request, type Agent } from 'undici';
import { withCpuCost, type CpuCost } from './lib/cpu.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { importMachinesCsv, machineIdsByIdentifier, registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';

export interface MachinesBenchResult {
  seed: { machines: number; groups: number; memberships: number; seconds: number; analyzed: boolean };
  /** rows matched by each search term (total of the list) */
  searchMatches: Record<string, number>;
  restList: LoadResult & CpuCost;
  graphqlList: LoadResult & CpuCost;
  restGroupSubtree: LoadResult & CpuCost;
  /** graphqlList.p99 / restList.p99 (target ≤ 1.3) */
  ratio: number;
  /** graphqlList.p50 / restList.p50 (steadier than the p99 ratio on a shared machine) */
  ratioP50: number;
  target: { p99Ms: number; ratio: number; restMet: boolean; graphqlMet: boolean; ratioMet: boolean };
}

const MACHINES = 10_000;
const FILE_ROWS = 500;
const SITES = 20;
const LINES_PER_SITE = 8;
/** 20 sites + 160 lines + 10 departments + 10 custom groups = 200 */
const DEPARTMENTS = 10;
const CUSTOM = 10;

const KINDS = ['Pump', 'CNC', 'Press', 'Conveyor', 'Robot', 'Compressor', 'Lathe', 'Boiler', 'Mixer', 'Packer'];
const VARIANTS = ['Hydraulic', 'Mk II', 'Vacuum', 'Heavy Duty', 'Compact', 'Twin', '', '', '', ''];
const PROTOCOLS = ['opc_ua', 'modbus_tcp', 'csv', 'json'];
const CITIES = ['Lyon', 'Graz', 'Porto', 'Brno', 'Turin', 'Gdansk', 'Aarhus', 'Bilbao', 'Ghent', 'Kosice'];

/**
 * Search terms, each matching a few hundred to a few thousand of the 10,000 machines (the exact
 * counts are reported): a machine kind, a line, a variant, an identifier prefix.
 */
const SEARCH_TERMS = ['pump', 'Line 3', 'hydraulic', 'M-05', 'compressor', 'twin line 1'];
const SORTS: [string, 'asc' | 'desc'][] = [
  ['name', 'asc'],
  ['created_at', 'desc'],
  ['machine_identifier', 'asc'],
  ['status', 'asc'],
  ['updated_at', 'desc'],
  ['location', 'asc'],
  ['name', 'desc'],
];

/** Deterministic machine attributes: machine i (0-based) belongs to site floor(i / 500), line ((i % 500) / 62.5). */
function machineRow(i: number): { name: string; identifier: string; protocol: string; location: string | null; site: number; line: number } {
  const n = String(i + 1).padStart(5, '0');
  const site = Math.floor(i / (MACHINES / SITES));
  const line = Math.floor((i % (MACHINES / SITES)) / (MACHINES / SITES / LINES_PER_SITE));
  const kind = KINDS[(i * 7 + Math.floor(i / 13)) % KINDS.length]!;
  const variant = VARIANTS[(i * 3 + Math.floor(i / 7)) % VARIANTS.length]!;
  const name = `${kind} ${n}${variant ? ` ${variant}` : ''} Line ${line + 1}`;
  const location = i % 17 === 0 ? null : `${CITIES[site % CITIES.length]} plant ${site + 1}, Hall ${String.fromCharCode(65 + line)}`;
  return { name, identifier: `M-${n}`, protocol: PROTOCOLS[i % PROTOCOLS.length]!, location, site, line };
}

const csvField = (s: string | null) => (s == null ? '' : /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * 10,000 machines in 200 groups; GET /api/v1/machines (page_size 100, search + sort) against the
 * equivalent GraphQL `machines` query, plus the group-subtree filter, each at `concurrency` clients.
 * With `databaseUrl` (a server on this host) the CPU time of the PostgreSQL backends is measured too,
 * and unless `analyze` is false the seeded tables are vacuumed and analyzed before measuring, as
 * autovacuum would do within a minute on a default server (the CI PostgreSQL runs with autovacuum off).
 */
export async function benchMachines(
  server: BenchServer,
  opts: { durationMs: number; concurrency: number; databaseUrl?: string; analyze?: boolean; phases?: string[] },
): Promise<MachinesBenchResult> {
  const load = { durationMs: opts.durationMs, concurrency: opts.concurrency };
  const api = `${server.url}/api/v1`;
  const seedStart = Date.now();
  const auth = await registerBenchTenant(api, 'machines');
  const json = { ...auth, 'content-type': 'application/json' };

  // --- machines: 20 CSV files of 500 rows through the import endpoint
  const rows = Array.from({ length: MACHINES }, (_, i) => machineRow(i));
  for (let f = 0; f < MACHINES / FILE_ROWS; f++) {
    const lines = ['name,machine_identifier,protocol,location'];
    for (const r of rows.slice(f * FILE_ROWS, (f + 1) * FILE_ROWS)) {
      lines.push([r.name, r.identifier, r.protocol, r.location].map(csvField).join(','));
    }
    await importMachinesCsv(api, auth, `machines-${f + 1}.csv`, lines);
  }

  // --- machine ids by identifier (identifiers sort like the row order)
  const idOf = await machineIdsByIdentifier(api, auth, MACHINES);
  const ids = rows.map((r) => idOf.get(r.identifier)!);

  // --- groups: sites > lines, plus top-level departments and custom groups
  const createGroup = async (name: string, groupType: string, parentId: string | null, description: string | null) => {
    const res = await fetch(`${api}/machine-groups`, { method: 'POST', headers: json, body: JSON.stringify({ name, group_type: groupType, parent_id: parentId, description }) });
    if (res.status !== 201) throw new Error(`create group ${name} failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  };
  const setMembers = async (groupId: string, machineIds: string[]) => {
    const res = await fetch(`${api}/machine-groups/${groupId}/members`, { method: 'PUT', headers: json, body: JSON.stringify({ machine_ids: machineIds }) });
    if (res.status !== 200) throw new Error(`set members of ${groupId} failed: ${res.status} ${await res.text()}`);
  };
  const siteIds: string[] = [];
  const lineMembers = new Map<string, string[]>();
  let groups = 0;
  let memberships = 0;
  for (let s = 0; s < SITES; s++) {
    const site = await createGroup(`${CITIES[s % CITIES.length]} plant ${s + 1}`, 'site', null, `Production site ${s + 1}`);
    siteIds.push(site);
    groups++;
    for (let l = 0; l < LINES_PER_SITE; l++) {
      const line = await createGroup(`Site ${s + 1} line ${l + 1}`, 'line', site, null);
      groups++;
      lineMembers.set(line, ids.filter((_, i) => rows[i]!.site === s && rows[i]!.line === l));
    }
  }
  const extra: { id: string; members: string[] }[] = [];
  for (let d = 0; d < DEPARTMENTS + CUSTOM; d++) {
    const isDept = d < DEPARTMENTS;
    const id = await createGroup(isDept ? `Maintenance crew ${d + 1}` : `Critical assets ${d - DEPARTMENTS + 1}`, isDept ? 'department' : 'custom', null, null);
    groups++;
    // ~40 % of the machines are in one of these as well (so each machine is in 1 or 2 groups)
    extra.push({ id, members: ids.filter((_, i) => i % 5 < 2 && Math.floor(i / 5) % (DEPARTMENTS + CUSTOM) === d) });
  }
  for (const [id, members] of lineMembers) {
    await setMembers(id, members);
    memberships += members.length;
  }
  for (const g of extra) {
    await setMembers(g.id, g.members);
    memberships += g.members.length;
  }
  const analyze = Boolean(opts.databaseUrl) && opts.analyze !== false;
  if (analyze) {
    const c = new pg.Client({ connectionString: opts.databaseUrl! });
    await c.connect();
    try {
      await c.query('vacuum (analyze) machines, machine_groups, machine_group_members');
    } finally {
      await c.end();
    }
  }
  const seed = { machines: MACHINES, groups, memberships, seconds: Math.round((Date.now() - seedStart) / 100) / 10, analyzed: analyze };

  // --- the measured requests; request i uses term i % T and sort floor(i / T) % S (all combinations)
  const combo = (i: number) => {
    const [sortBy, sortDir] = SORTS[Math.floor(i / SEARCH_TERMS.length) % SORTS.length]!;
    return { search: SEARCH_TERMS[i % SEARCH_TERMS.length]!, sortBy, sortDir };
  };
  const restUrl = (i: number) => {
    const c = combo(i);
    return `${api}/machines?page_size=100&search=${encodeURIComponent(c.search)}&sort_by=${c.sortBy}&sort_dir=${c.sortDir}`;
  };
  const query = `query Machines($search: String, $sortBy: MachineSortField, $sortDir: SortDirection) {
    machines(pageSize: 100, search: $search, sortBy: $sortBy, sortDir: $sortDir) {
      total items { id name machineIdentifier protocol location status isActive lastReadingAt createdAt updatedAt tenantId }
    }
  }`;
  const gqlBody = (i: number) => JSON.stringify({ query, variables: combo(i) });
  const groupUrl = (i: number) => {
    const [sortBy, sortDir] = SORTS[Math.floor(i / SITES) % SORTS.length]!;
    return `${api}/machines?page_size=100&group_id=${siteIds[i % SITES]}&sort_by=${sortBy}&sort_dir=${sortDir}`;
  };

  // --- sanity: both doors return the same page for every combination, and the subtree filter works
  const searchMatches: Record<string, number> = {};
  for (let i = 0; i < SEARCH_TERMS.length * SORTS.length; i++) {
    const r = await fetch(restUrl(i), { headers: auth });
    const rest = (await r.json()) as { total: number; items: { id: string }[] };
    const g = await fetch(`${server.url}/graphql`, { method: 'POST', headers: json, body: gqlBody(i) });
    const gql = (await g.json()) as { data?: { machines: { total: number; items: { id: string }[] } }; errors?: unknown };
    if (r.status !== 200 || !gql.data) throw new Error(`sanity ${i}: REST ${r.status}, GraphQL ${JSON.stringify(gql.errors)}`);
    if (rest.total !== gql.data.machines.total || rest.items.map((m) => m.id).join() !== gql.data.machines.items.map((m) => m.id).join()) {
      throw new Error(`sanity ${i}: REST and GraphQL pages differ for ${JSON.stringify(combo(i))}`);
    }
    searchMatches[combo(i).search] = rest.total;
  }
  const site0 = (await (await fetch(groupUrl(0), { headers: auth })).json()) as { total: number };
  if (site0.total !== MACHINES / SITES) throw new Error(`site subtree has ${site0.total} machines, expected ${MACHINES / SITES}`);

  // `phases` (rest, graphql, group) runs a subset, e.g. to profile one of them; skipped ones report zeros
  const skipped = { requests: 0, errors: 0, seconds: 0, rps: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, serverCpuMsPerReq: 0, pgCpuMsPerReq: 0, clientCpuMsPerReq: 0 };
  const measure = async (phase: string, run: () => Promise<LoadResult>) =>
    opts.phases && !opts.phases.includes(phase) ? skipped : withCpuCost(server.pid, opts.databaseUrl, run);
  const restList = await measure('rest', () => runLoad({
    ...load,
    request: async (dispatcher: Agent, i) => {
      const r = await request(restUrl(i), { dispatcher, headers: auth });
      await r.body.dump();
      return r.statusCode === 200;
    },
  }));
  const graphqlList = await measure('graphql', () => runLoad({
    ...load,
    request: async (dispatcher: Agent, i) => {
      const r = await request(`${server.url}/graphql`, { dispatcher, method: 'POST', headers: json, body: gqlBody(i) });
      const text = await r.body.text();
      return r.statusCode === 200 && !text.includes('"errors"');
    },
  }));
  const restGroupSubtree = await measure('group', () => runLoad({
    ...load,
    request: async (dispatcher: Agent, i) => {
      const r = await request(groupUrl(i), { dispatcher, headers: auth });
      await r.body.dump();
      return r.statusCode === 200;
    },
  }));
  const ratio = Math.round((graphqlList.p99Ms / restList.p99Ms) * 100) / 100;
  return {
    seed,
    searchMatches,
    restList,
    graphqlList,
    restGroupSubtree,
    ratio,
    ratioP50: Math.round((graphqlList.p50Ms / restList.p50Ms) * 100) / 100,
    target: { p99Ms: 25, ratio: 1.3, restMet: restList.p99Ms < 25, graphqlMet: graphqlList.p99Ms < 25, ratioMet: ratio <= 1.3 },
  };
}
