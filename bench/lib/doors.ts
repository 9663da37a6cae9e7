import type pg from 'pg';
import { Agent as UndiciAgent, request, type Agent } from 'undici';
import { withCpuCost, type CpuCost } from './cpu.js';
import { loadavg, percentile, round, runLoad, type LoadResult } from './load.js';

/**
 * One read measured through three doors: REST, GraphQL, and the service's own SQL sent straight
 * to PostgreSQL (the floor the API is held to).
 */
export type Door = 'rest' | 'graphql' | 'sql';
export const DOORS: readonly Door[] = ['rest', 'graphql', 'sql'];

/** Request i of a door; true when it succeeded. */
export type DoorRequest = (dispatcher: Agent, i: number) => Promise<boolean>;

/** A read, in `variants` versions (parameters), with its three doors and how to compare their answers. */
export interface DoorQuery {
  name: string;
  variants: number;
  restPath(i: number): string;
  graphql(i: number): { query: string; variables: Record<string, unknown> };
  /** the direct SQL of variant i */
  direct(pool: pg.Pool, i: number): Promise<unknown>;
  fromRest(body: unknown): unknown;
  fromGraphql(data: Record<string, unknown>): unknown;
}

/** Where the doors are: the REST base (…/api/v1), the server's base URL, the auth header. */
export interface DoorTarget {
  apiUrl: string;
  serverUrl: string;
  auth: { authorization: string };
}

export interface Loadavgs {
  loadavgBefore: number[];
  loadavgAfter: number[];
}

export interface DoorLatency {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Stable JSON (keys sorted) for comparing answers. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
}

/**
 * Checks that variant i of `q` gives the same figures through the three doors; returns the line
 * for the report, throws with the three answers otherwise. A window moving between the calls (a
 * clock-relative read) can make them differ: a difference is asked again, at most 3 times.
 */
export async function sameOnEveryDoor(t: DoorTarget, pool: pg.Pool, q: DoorQuery, i: number, unit = 'bytes'): Promise<string> {
  const json = { ...t.auth, 'content-type': 'application/json' };
  for (let attempt = 1; ; attempt++) {
    const r = await fetch(`${t.apiUrl}${q.restPath(i)}`, { headers: t.auth });
    const restBody = (await r.json()) as unknown;
    const g = await fetch(`${t.serverUrl}/graphql`, { method: 'POST', headers: json, body: JSON.stringify(q.graphql(i)) });
    const gqlBody = (await g.json()) as { data?: Record<string, unknown>; errors?: unknown };
    if (r.status !== 200 || !gqlBody.data) throw new Error(`${q.name} ${i}: REST ${r.status} ${JSON.stringify(restBody).slice(0, 300)}, GraphQL ${JSON.stringify(gqlBody.errors)}`);
    const [a, b, d] = [canonical(q.fromRest(restBody)), canonical(q.fromGraphql(gqlBody.data)), canonical(await q.direct(pool, i))];
    if (a === b && a === d) return `${q.name} ${q.restPath(i)}: identical (${a.length} ${unit}${attempt > 1 ? `, attempt ${attempt}` : ''})`;
    if (attempt === 3) throw new Error(`${q.name} ${i}: answers differ\n REST    ${a.slice(0, 400)}\n GraphQL ${b.slice(0, 400)}\n SQL     ${d.slice(0, 400)}`);
  }
}

/** The three doors of `q` as load requests; request i asks for variant i % variants. */
export function doorRequests(t: DoorTarget, pool: pg.Pool, q: DoorQuery): Record<Door, DoorRequest> {
  const json = { ...t.auth, 'content-type': 'application/json' };
  return {
    rest: async (dispatcher, i) => {
      const r = await request(`${t.apiUrl}${q.restPath(i % q.variants)}`, { dispatcher, headers: t.auth });
      await r.body.dump();
      return r.statusCode === 200;
    },
    graphql: async (dispatcher, i) => {
      const r = await request(`${t.serverUrl}/graphql`, { dispatcher, method: 'POST', headers: json, body: JSON.stringify(q.graphql(i % q.variants)) });
      const text = await r.body.text();
      return r.statusCode === 200 && !text.includes('"errors"');
    },
    sql: async (_dispatcher, i) => {
      await q.direct(pool, i % q.variants);
      return true;
    },
  };
}

/** Runs `run` with the load averages before and after it. */
export async function withLoadavg<T>(run: () => Promise<T>): Promise<T & Loadavgs> {
  const loadavgBefore = loadavg();
  const r = await run();
  return { ...r, loadavgBefore, loadavgAfter: loadavg() };
}

/** Each door alone for `durationMs`: throughput and CPU per request of the server, its PostgreSQL backends and this generator. */
export async function eachDoorAlone(
  server: { pid: number },
  opts: { durationMs: number; concurrency: number; databaseUrl: string },
  doors: Record<Door, DoorRequest>,
): Promise<Record<Door, LoadResult & CpuCost & Loadavgs>> {
  const out: Partial<Record<Door, LoadResult & CpuCost & Loadavgs>> = {};
  for (const door of DOORS) {
    out[door] = await withLoadavg(() => withCpuCost(server.pid, opts.databaseUrl, () => runLoad({ durationMs: opts.durationMs, concurrency: opts.concurrency, request: doors[door] })));
  }
  return out as Record<Door, LoadResult & CpuCost & Loadavgs>;
}

/**
 * Closed loop like runLoad, but request i goes to door i % 3, each door's latencies kept apart.
 * Bounded in time: `durationMs` after a 1 s warm-up.
 */
export async function mixedLoad(opts: { durationMs: number; concurrency: number; doors: Record<Door, DoorRequest> }): Promise<Record<Door, DoorLatency> & { seconds: number }> {
  const dispatcher = new UndiciAgent({ connections: opts.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const warmupEnd = Date.now() + 1000;
  const end = warmupEnd + opts.durationMs;
  const lat: Record<Door, number[]> = { rest: [], graphql: [], sql: [] };
  const errors: Record<Door, number> = { rest: 0, graphql: 0, sql: 0 };
  let counter = 0;
  const client = async () => {
    while (Date.now() < end) {
      const i = counter++;
      const door = DOORS[i % DOORS.length]!;
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await opts.doors[door](dispatcher, Math.floor(i / DOORS.length));
      } catch {
        ok = false;
      }
      const ms = performance.now() - t0;
      if (Date.now() >= warmupEnd) {
        lat[door].push(ms);
        if (!ok) errors[door]++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  await dispatcher.close();
  const stats = (d: Door): DoorLatency => {
    const xs = lat[d].sort((a, b) => a - b);
    return { requests: xs.length, errors: errors[d], p50Ms: round(percentile(xs, 50)), p99Ms: round(percentile(xs, 99)), maxMs: round(xs.at(-1) ?? 0) };
  };
  return { seconds: opts.durationMs / 1000, rest: stats('rest'), graphql: stats('graphql'), sql: stats('sql') };
}
