/**
 * The largest ingest-source requests within the limits keep the event loop free: a source with
 * 10,000 nodes (create, get), a page of 5 such sources, and 10,000 tag mappings at once. The
 * longest block of the loop while each request runs (perf_hooks.monitorEventLoopDelay, 10 ms
 * resolution) stays under 100 ms; a measurement over the bound is repeated up to four times and the
 * lowest kept, so a stall of a shared machine does not fail the test while a blocking request fails
 * every time (the method of event-loop-guard.test.ts).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const RESOLUTION_MS = 10;
const BOUND_MS = 100;
const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

interface Answer {
  status: number;
  text: string;
  body: any;
}

/** One request as the measured unit: sent and its whole answer read as bytes; decoded and parsed later, unmeasured (the client shares the loop). */
async function send(method: string, url: string, token: string, json?: string): Promise<() => Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: json });
  const bytes = await res.arrayBuffer();
  return () => {
    const text = new TextDecoder().decode(bytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, text, body };
  };
}

/** Garbage-collection pauses seen by this process (client and server share it), by start time. */
const gcPauses: { start: number; ms: number }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, ms: e.duration });
  if (gcPauses.length > 10_000) gcPauses.splice(0, gcPauses.length - 10_000);
});

/**
 * Runs `request` (once unmeasured first), returns its answer and the longest loop block in ms that
 * was not a garbage-collection pause: on a loaded 2-core machine a mark-compact of the shared test
 * process can take 200 ms whatever request allocated last, which says nothing about the request's
 * own slicing. The longest GC pause inside the window is taken off the longest block.
 */
async function measured(request: () => Promise<() => Answer>): Promise<{ res: Answer; blockedMs: number; gcMs: number }> {
  (await request())();
  let best = Number.POSITIVE_INFINITY;
  let gcMs = 0;
  let answer!: () => Answer;
  for (let attempt = 0; attempt < 5 && best > BOUND_MS; attempt++) {
    await sleep(50);
    loop.reset();
    const from = performance.now();
    answer = await request();
    await sleep(RESOLUTION_MS * 2);
    const gc = Math.max(0, ...gcPauses.filter((g) => g.start >= from).map((g) => g.ms));
    const blocked = loop.max / 1e6 - RESOLUTION_MS - gc;
    if (blocked < best) {
      best = blocked;
      gcMs = gc;
    }
  }
  return { res: answer(), blockedMs: Math.max(0, best), gcMs };
}

describe.skipIf(pgSvc.skip)(`ingest sources at their limits keep the event loop free${pgSvc.label}`, () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: TenantSession;
  let machineId: string;
  const nodes = Array.from({ length: 10_000 }, (_, i) => ({ node_id: `ns=2;s=Line1.Machine.Sensor_${i}.Value`, metric_name: `sensor_${i}_value`, unit: 'celsius' }));

  beforeAll(async () => {
    loop.enable();
    gcObserver.observe({ entryTypes: ['gc'] });
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    admin = await registerTenant(t.api, 'src-load');
    machineId = (await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: 'Big', machine_identifier: `B-${randomUUID().slice(0, 8)}`, protocol: 'opc_ua' } })).body.id;
  });
  afterAll(async () => {
    loop.disable();
    gcObserver.disconnect();
    await db?.end();
    await t?.stop();
  });

  it('create and get a source with 10,000 nodes; a page of 5 of them; 10,000 tag mappings', async () => {
    const body = JSON.stringify({ machine_id: machineId, name: 'Big server', protocol: 'opcua', host: 'plc.example.com', is_active: false, config: { nodes } });
    let created = '';
    const create = await measured(async () => {
      const answer = await send('POST', `${t.api}/ingest-sources`, admin.token, body);
      return () => {
        const r = answer();
        created = r.body?.id ?? created;
        return r;
      };
    });
    created = create.res.body.id;
    expect(create.res.status, create.res.text.slice(0, 200)).toBe(201);
    expect(create.blockedMs, 'create').toBeLessThan(BOUND_MS);

    const get = await measured(() => send('GET', `${t.api}/ingest-sources/${created}`, admin.token));
    expect(get.res.body.config.nodes).toHaveLength(10_000);
    expect(get.blockedMs, 'get').toBeLessThan(BOUND_MS);

    // 4 more copies of the big source, written directly
    await db.query(
      `insert into ingest_sources (id, tenant_id, machine_id, name, protocol, host, port, poll_interval_seconds, is_active, config, created_at, updated_at)
       select gen_random_uuid(), tenant_id, machine_id, name || ' ' || g, protocol, host, port, poll_interval_seconds, is_active, config, now(), now()
       from ingest_sources, generate_series(1, 4) g where id = $1`,
      [created],
    );
    const page = await measured(() => send('GET', `${t.api}/ingest-sources?page_size=5`, admin.token));
    expect(page.res.status).toBe(200);
    expect(page.res.body.items).toHaveLength(5);
    expect(page.res.body.items.every((s: { config: { nodes: unknown[] } }) => s.config.nodes.length === 10_000)).toBe(true);
    expect(page.blockedMs, 'page of 5 sources of 10,000 nodes').toBeLessThan(BOUND_MS);
    await db.query('delete from ingest_sources where machine_id = $1 and id <> $2', [machineId, created]);

    const mappings = JSON.stringify({ machine_id: machineId, mappings: nodes.map((n, i) => ({ tag: n.node_id, metric_name: `mapped_${i}`, unit: 'bar' })) });
    const map = await measured(() => send('POST', `${t.api}/sensor-data/tag-mappings`, admin.token, mappings));
    expect(map.res.status, map.res.text.slice(0, 200)).toBe(200);
    expect(map.res.body.mappings).toHaveLength(10_000);
    expect(map.blockedMs, 'tag mappings').toBeLessThan(BOUND_MS);
    console.info(`ingest-source loop blocks (ms, longest GC pause taken off): create ${create.blockedMs.toFixed(0)} (gc ${create.gcMs.toFixed(0)}), get ${get.blockedMs.toFixed(0)} (gc ${get.gcMs.toFixed(0)}), page ${page.blockedMs.toFixed(0)} (gc ${page.gcMs.toFixed(0)}), mappings ${map.blockedMs.toFixed(0)} (gc ${map.gcMs.toFixed(0)})`);
  }, 180_000);
});
