import os from 'node:os';
import pg from 'pg';
import { Agent, request } from 'undici';
import { CpuMeter } from './lib/cpu.js';
import { percentile } from './lib/load.js';
import { registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';

/**
 * Inventory (issue 16): the last units of one part claimed by a crowd. Two API processes (the
 * shared bench server and a second one on the same database) take `requests` concurrent 1-unit
 * part lines — REST `POST /inventory/work-orders/{wo}/parts` and GraphQL `addWorkOrderPart`
 * alternating, over both processes and over `workOrders` open work orders — against one part of
 * `stock` units: exactly `stock` must succeed and the rest get the 409 / CONFLICT, and the part must
 * end at 0 = the sum of its ledger. The same requests spread over `requests` parts of `stock` units
 * each (no shortage, no contention on a part row) give the baseline: throughput of the hot run at
 * least 0.5x of it. The two alternate `rounds` times (fresh parts each round); CPU per process
 * (both servers, their PostgreSQL backends, this generator) and the load average around each run.
 */
export interface InventoryRun {
  wallMs: number;
  /** answered requests per second of wall time (the whole burst) */
  rps: number;
  succeeded: number;
  conflicts: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuMs: Record<string, number>;
  loadavgBefore: number[];
  loadavgAfter: number[];
}

export interface InventoryBenchResult {
  requests: number;
  stock: number;
  workOrders: number;
  rounds: number;
  hot: InventoryRun[];
  spread: InventoryRun[];
  /** every hot round: exactly `stock` succeeded, the rest 409, stock 0 = ledger sum */
  checks: { round: number; hotOk: boolean; spreadOk: boolean; finalStock: string; ledgerSum: string; lines: number }[];
  /** median hot rps over median spread rps (target ≥ 0.5) */
  ratio: number;
  target: { ratio: number; met: boolean };
  /** CPU ms per request (medians over the rounds), per process */
  cpuMsPerRequest: { hot: Record<string, number>; spread: Record<string, number> };
  machine: { cpus: number; loadavgStart: number[]; loadavgEnd: number[] };
}

const TARGET = 0.5;
const round2 = (n: number) => Math.round(n * 100) / 100;
const loadavg = () => os.loadavg().map(round2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ADD_LINE = 'mutation($wo: ID!, $i: AddWorkOrderPartInput!) { addWorkOrderPart(workOrderId: $wo, input: $i) { id } }';

type Outcome = 'ok' | 'conflict' | 'error';

interface Ctx {
  servers: BenchServer[];
  agents: Agent[];
  auth: { authorization: string };
  workOrders: string[];
}

async function json(agent: Agent, url: string, method: 'GET' | 'POST', auth: Record<string, string>, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await request(url, { method, dispatcher: agent, headers: { ...auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}

/** One part line: request i goes to server i % 2, by REST when (i >> 1) is even, else by GraphQL. */
async function addLine(c: Ctx, i: number, partId: string): Promise<Outcome> {
  const s = i % c.servers.length;
  const wo = c.workOrders[i % c.workOrders.length]!;
  if (((i >> 1) & 1) === 0) {
    const r = await json(c.agents[s]!, `${c.servers[s]!.url}/api/v1/inventory/work-orders/${wo}/parts`, 'POST', c.auth, { spare_part_id: partId, quantity: 1 });
    return r.status === 201 ? 'ok' : r.status === 409 ? 'conflict' : 'error';
  }
  const r = await json(c.agents[s]!, `${c.servers[s]!.url}/graphql`, 'POST', c.auth, { query: ADD_LINE, variables: { wo, i: { sparePartId: partId, quantity: 1 } } });
  if (r.status === 200 && r.body?.data?.addWorkOrderPart) return 'ok';
  return r.body?.errors?.[0]?.extensions?.code === 'CONFLICT' ? 'conflict' : 'error';
}

/** Fires all requests at once and waits for every answer. */
async function burst(c: Ctx, databaseUrl: string, partOf: (i: number) => string, requests: number): Promise<InventoryRun> {
  const loadavgBefore = loadavg();
  const meter = await CpuMeter.start({ processes: { server1: [c.servers[0]!.pid], server2: [c.servers[1]!.pid] }, databaseUrl });
  const t0 = performance.now();
  const latencies: number[] = [];
  const outcomes = await Promise.all(
    Array.from({ length: requests }, async (_, i) => {
      const s = performance.now();
      const o = await addLine(c, i, partOf(i)).catch((): Outcome => 'error');
      latencies.push(performance.now() - s);
      return o;
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = await meter.stop();
  latencies.sort((a, b) => a - b);
  return {
    wallMs: round2(wallMs),
    rps: round2((requests / wallMs) * 1000),
    succeeded: outcomes.filter((o) => o === 'ok').length,
    conflicts: outcomes.filter((o) => o === 'conflict').length,
    errors: outcomes.filter((o) => o === 'error').length,
    p50Ms: round2(percentile(latencies, 50)),
    p99Ms: round2(percentile(latencies, 99)),
    maxMs: round2(latencies.at(-1) ?? 0),
    cpuMs: Object.fromEntries(Object.entries(cpu.ms).map(([k, v]) => [k, round2(v)])),
    loadavgBefore,
    loadavgAfter: loadavg(),
  };
}

/** Creates parts through the API, 16 at a time. */
async function createParts(c: Ctx, n: number, stock: number, tag: string): Promise<string[]> {
  const ids: string[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < n; i = next++) {
        const r = await json(c.agents[0]!, `${c.servers[0]!.url}/api/v1/inventory/parts`, 'POST', c.auth, { part_number: `${tag}-${i}`, name: `Bench part ${i}`, quantity_on_hand: stock, reorder_point: 10 });
        if (r.status !== 201) throw new Error(`create part failed: ${r.status} ${JSON.stringify(r.body)}`);
        ids[i] = r.body.id;
      }
    }),
  );
  return ids;
}

export async function benchInventory(
  server: BenchServer,
  opts: { databaseUrl: string; startSecond: () => Promise<BenchServer>; requests: number; stock: number; workOrders: number; rounds: number },
): Promise<InventoryBenchResult> {
  const loadavgStart = loadavg();
  const second = await opts.startSecond();
  const agents = [server, second].map(() => new Agent({ connections: opts.requests, pipelining: 1, keepAliveTimeout: 30_000 }));
  const db = new pg.Client({ connectionString: opts.databaseUrl });
  await db.connect();
  try {
    const api = `${server.url}/api/v1`;
    const auth = await registerBenchTenant(api, 'inventory');
    const c: Ctx = { servers: [server, second], agents, auth, workOrders: [] };
    const machine = await json(agents[0]!, `${api}/machines`, 'POST', auth, { name: 'Bench press', machine_identifier: `INV-BENCH-${Date.now()}`, protocol: 'json' });
    if (machine.status !== 201) throw new Error(`create machine failed: ${machine.status}`);
    for (let i = 0; i < opts.workOrders; i++) {
      const wo = await json(agents[0]!, `${api}/work-orders`, 'POST', auth, { machine_id: machine.body.id, title: `Bench order ${i}` });
      if (wo.status !== 201) throw new Error(`create work order failed: ${wo.status} ${JSON.stringify(wo.body)}`);
      c.workOrders.push(wo.body.id);
    }
    const hot: InventoryRun[] = [];
    const spread: InventoryRun[] = [];
    const checks: InventoryBenchResult['checks'] = [];
    for (let r = 0; r < opts.rounds; r++) {
      const [hotPart] = await createParts(c, 1, opts.stock, `HOT-${r}`);
      const spreadParts = await createParts(c, opts.requests, opts.stock, `SPREAD-${r}`);
      // alternate which goes first, so neither always meets a warmer cache
      const runHot = async () => hot.push(await burst(c, opts.databaseUrl, () => hotPart!, opts.requests));
      const runSpread = async () => spread.push(await burst(c, opts.databaseUrl, (i) => spreadParts[i]!, opts.requests));
      if (r % 2 === 0) await runHot().then(runSpread);
      else await runSpread().then(runHot);
      const h = hot.at(-1)!;
      const s = spread.at(-1)!;
      const [state] = (
        await db.query<{ q: string; sum: string; lines: string }>(
          `select p.quantity_on_hand::text as q, (select coalesce(sum(delta), 0)::text from stock_transactions where part_id = p.id) as sum,
                  (select count(*) from work_order_parts where part_id = p.id)::text as lines from parts p where p.id = $1`,
          [hotPart],
        )
      ).rows;
      checks.push({
        round: r,
        hotOk: h.succeeded === opts.stock && h.conflicts === opts.requests - opts.stock && h.errors === 0 && Number(state!.q) === 0 && Number(state!.sum) === 0,
        spreadOk: s.succeeded === opts.requests && s.errors === 0,
        finalStock: state!.q,
        ledgerSum: state!.sum,
        lines: Number(state!.lines),
      });
    }
    const ratio = round2(median(hot.map((h) => h.rps)) / median(spread.map((s) => s.rps)));
    const perRequest = (runs: InventoryRun[]) =>
      Object.fromEntries(Object.keys(runs[0]!.cpuMs).map((k) => [k, round2(median(runs.map((x) => x.cpuMs[k]! / opts.requests)))]));
    return {
      requests: opts.requests,
      stock: opts.stock,
      workOrders: opts.workOrders,
      rounds: opts.rounds,
      hot,
      spread,
      checks,
      ratio,
      target: { ratio: TARGET, met: ratio >= TARGET && checks.every((x) => x.hotOk && x.spreadOk) },
      cpuMsPerRequest: { hot: perRequest(hot), spread: perRequest(spread) },
      machine: { cpus: os.cpus().length, loadavgStart, loadavgEnd: loadavg() },
    };
  } finally {
    await db.end();
    await Promise.all(agents.map((a) => a.close()));
    await second.stop();
  }
}
