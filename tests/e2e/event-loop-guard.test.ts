/**
 * Event-loop guard (issue 8): the worst inputs within every documented limit — the largest import
 * (CSV and XLSX), the largest ingest batch and body, the largest member list, the longest strings,
 * the largest pages, the fleet status over ten thousand machines, a time-series answer at the point
 * limit, the audit trail — are each sent to the app running in this process, and the longest
 * stretch the event loop was blocked while the request ran is measured with
 * `perf_hooks.monitorEventLoopDelay`. No request may block it for more than 100 ms.
 *
 * Measuring: a delay histogram with a 10 ms resolution, reset just before each request and read
 * once the answer has arrived and the timer has run again. A timer fires at most one resolution
 * late when nothing blocks, so the longest block is at least `max - resolution`; that is what is
 * held against the bound. Payloads are built and answers parsed outside the measured window (the
 * client shares the loop). Each case is run once unmeasured first (JIT, caches, connection pools);
 * a measurement over the bound is repeated up to twice and the lowest kept, so a stall of the
 * shared 2-core machine does not fail the test while a request that really blocks fails every time.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { createApiKey, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService, SERVICE_URLS } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const influxSvc = await probeService('influxdb');

const RESOLUTION_MS = 10;
const BOUND_MS = 100;
const ATTEMPTS = 3;

const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

/** Figures of every case, printed at the end (the report of issue 8 quotes them). */
const figures: ({ name: string; attempts: Measure[] } & Measure)[] = [];

interface Answer {
  status: number;
  text: string;
  body: any;
}

/** One request as the measured unit: sent, and its whole answer read as bytes (parsed later, unmeasured). */
async function send(method: string, url: string, o: { token?: string; apiKey?: string; json?: string; form?: FormData; body?: Buffer } = {}): Promise<() => Answer> {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.apiKey) headers['x-api-key'] = o.apiKey;
  let body: RequestInit['body'] = o.form;
  if (o.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = o.json;
  } else if (o.body) {
    headers['content-type'] = 'application/json';
    body = new Uint8Array(o.body);
  }
  const res = await fetch(url, { method, headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  return () => {
    const text = bytes.toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, text, body: parsed };
  };
}

interface Measure {
  /** longest event-loop delay while the request ran, less one resolution: the longest block at least lasted this */
  blockedMs: number;
  /** CPU time of this thread in the stretch between two timer turns that used the most */
  cpuMs: number;
}

/**
 * The loop's longest block while `run` ran, by the delay histogram; and, from a timer turning at
 * the same resolution, the most CPU time this thread spent between two turns. On an overloaded
 * machine a block's wall time grows while the process waits for a core; its CPU time does not.
 */
async function measureDuring(run: () => Promise<void>): Promise<Measure> {
  await sleep(3 * RESOLUTION_MS);
  let cpuMs = 0;
  const cpuNow = () => {
    const u = process.threadCpuUsage();
    return (u.user + u.system) / 1000;
  };
  let last = cpuNow();
  const sampler = setInterval(() => {
    const now = cpuNow();
    cpuMs = Math.max(cpuMs, now - last);
    last = now;
  }, RESOLUTION_MS);
  loop.reset();
  try {
    await run();
    // the stretch that ends with the answer is recorded when the timers run next
    await sleep(3 * RESOLUTION_MS);
  } finally {
    clearInterval(sampler);
  }
  return { blockedMs: Math.max(0, loop.max / 1e6 - RESOLUTION_MS), cpuMs };
}

const within = (m: Measure) => m.blockedMs <= BOUND_MS || m.cpuMs <= BOUND_MS;
const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Runs a case: `prepare(i)` builds the i-th payload (unmeasured) and returns the request; every
 * answer is checked by `check`. Run 0 warms up (JIT, caches, pools); later runs are measured, up to
 * ATTEMPTS while over the bound. Returns the best attempt.
 */
async function guard(name: string, prepare: (i: number) => Promise<() => Promise<() => Answer>> | (() => Promise<() => Answer>), check: (a: Answer) => void): Promise<Measure> {
  check((await (await prepare(0))())());
  const attempts: Measure[] = [];
  for (let i = 1; i <= ATTEMPTS; i++) {
    const request = await prepare(i);
    let answer!: () => Answer;
    const m = await measureDuring(async () => {
      answer = await request();
    });
    check(answer());
    attempts.push({ blockedMs: round(m.blockedMs), cpuMs: round(m.cpuMs) });
    if (within(m)) break;
  }
  const best = attempts.reduce((a, b) => (Math.min(b.blockedMs, b.cpuMs) < Math.min(a.blockedMs, a.cpuMs) ? b : a));
  figures.push({ name, ...best, attempts });
  return best;
}

/** Prints the figures of the cases run so far (the report of issue 8 quotes them). */
function printFigures(): void {
  const lines = figures.splice(0).map((f) => `  ${f.name}: ${f.blockedMs} (${f.cpuMs})${f.attempts.length > 1 ? ` attempts ${f.attempts.map((a) => `${a.blockedMs} (${a.cpuMs})`).join(', ')}` : ''}`);
  console.log(`event-loop guard, longest block in ms (CPU ms of that thread):\n${lines.join('\n')}`);
}

/** The case's best attempt stayed within the bound (by the delay histogram, or by CPU time on a loaded machine). */
function expectWithinBound(m: Measure): void {
  expect(within(m), `longest block ${m.blockedMs} ms (${m.cpuMs} ms of CPU) > ${BOUND_MS} ms`).toBe(true);
}

// ---------------------------------------------------------------------------
// Payloads at the documented limits (README "Limits", docs/decisions.md)

const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
const IMPORT_MAX_ROWS = 500;
const INGEST_MAX_BATCH = 1000;
const INGEST_MAX_BODY = 10 * 1024 * 1024;
const BODY_LIMIT = 1024 * 1024;
const MAX_GROUP_MEMBERS = 10_000;
const MAX_POINTS = 100_000;
const FLEET_MACHINES = 10_000;

/**
 * Up to 3-byte UTF-8, all in the BMP (so limits counted in characters and in UTF-16 units agree);
 * ASCII only where a reader is known to mangle split characters.
 */
const UNICODE = ['a', 'é', 'ß', '→', '温', 'ü', 'Z', ' '];
const ASCII = ['a', 'b', 'Z', '-', '_', ' ', 'q', '9'];
function longText(n: number, seed: string, alphabet = UNICODE): string {
  const out = [...seed].slice(0, n);
  for (let i = out.length; out.length < n; i++) out.push(alphabet[i % alphabet.length]!);
  return out.join('');
}
const longIdentifier = (prefix: string, i: number) => `${prefix}-${String(i).padStart(6, '0')}-`.padEnd(100, 'x');
const longMetric = (i: number) => longText(255, `metric ${i} `);
const noise = (chars: number) => randomBytes(Math.ceil((chars * 3) / 4) + 3).toString('base64').slice(0, chars);
const csvField = (s: string) => (/[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** CSV rows with the longest valid values. */
function machineCsv(prefix: string, rows: number, padPerRow = 0): Buffer {
  const header = padPerRow ? 'name,machine_identifier,protocol,location,notes' : 'name,machine_identifier,protocol,location';
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const cells = [longText(200, `${prefix} ${i} `), longIdentifier(prefix, i), 'modbus_tcp', longText(500, `Hall ${i} `)];
    if (padPerRow) cells.push(noise(padPerRow));
    lines.push(cells.map(csvField).join(','));
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** 500 rows of the longest values, padded with an ignored column to just under 5 MB. */
function largestCsv(prefix: string): Buffer {
  const used = machineCsv(prefix, IMPORT_MAX_ROWS).length + 6 * (IMPORT_MAX_ROWS + 1);
  const file = machineCsv(prefix, IMPORT_MAX_ROWS, Math.floor((IMPORT_MAX_BYTES - used - 4096) / IMPORT_MAX_ROWS));
  if (file.length > IMPORT_MAX_BYTES || file.length < IMPORT_MAX_BYTES * 0.98) throw new Error(`CSV of ${file.length} bytes`);
  return file;
}

/**
 * 500 rows of the longest values, padded with incompressible text to just under 5 MB. ASCII text
 * keeps this case about size (exceljs, which writes the file, is not what reads it).
 */
async function largestXlsx(prefix: string): Promise<Buffer> {
  const build = async (padChars: number) => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Machines');
    ws.addRow(['name', 'machine_identifier', 'protocol', 'location', 'notes']);
    for (let i = 0; i < IMPORT_MAX_ROWS; i++) {
      ws.addRow([longText(200, `${prefix} ${i} `, ASCII), longIdentifier(prefix, i), 'opc_ua', longText(500, `Hall ${i} `, ASCII), noise(padChars)]);
    }
    return Buffer.from(await wb.xlsx.writeBuffer());
  };
  const base = (await build(0)).length;
  const perChar = ((await build(1000)).length - base) / (IMPORT_MAX_ROWS * 1000);
  const file = await build(Math.floor((IMPORT_MAX_BYTES - base - 64 * 1024) / (IMPORT_MAX_ROWS * perChar)));
  if (file.length > IMPORT_MAX_BYTES || file.length < IMPORT_MAX_BYTES * 0.95) throw new Error(`XLSX of ${file.length} bytes`);
  return file;
}

function uploadForm(filename: string, content: Buffer): FormData {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(content)], { type: 'application/octet-stream' }), filename);
  return form;
}

/**
 * 1,000 readings with the longest identifier, metric name, unit and raw tag, each padded with an
 * ignored field so the body is just under 10 MB. `nonFinite` puts a bare NaN token in every value
 * (the tolerant parser's slow path) and pads with whitespace between tokens instead.
 */
function largestIngestBody(identifiers: string[], baseMs: number, opts: { nonFinite?: boolean } = {}): Buffer {
  const readings = Array.from({ length: INGEST_MAX_BATCH }, (_, i) => ({
    machine_identifier: identifiers[i % identifiers.length]!,
    timestamp: new Date(baseMs + i).toISOString(),
    metric_name: longMetric(i),
    value: opts.nonFinite ? '__NAN__' : i + 0.5,
    unit: longText(64, 'unit '),
    raw_tag: longText(255, `ns=2;s=tag ${i} `),
    note: '',
  }));
  const bare = Buffer.byteLength(JSON.stringify({ readings }));
  const pad = Math.floor((INGEST_MAX_BODY - bare - 64 * 1024) / INGEST_MAX_BATCH);
  let json: string;
  if (opts.nonFinite) {
    const spaces = ' '.repeat(pad);
    json = JSON.stringify({ readings }).replaceAll('"__NAN__"', `${spaces}NaN`);
  } else {
    for (const r of readings) r.note = noise(pad);
    json = JSON.stringify({ readings });
  }
  const body = Buffer.from(json, 'utf8');
  if (body.length > INGEST_MAX_BODY || body.length < INGEST_MAX_BODY * 0.98) throw new Error(`ingest body of ${body.length} bytes`);
  return body;
}

// ---------------------------------------------------------------------------

interface Seeded {
  admin: TenantSession;
  ingestKey: string;
  /** identifier -> id of the tenant's 10,000 machines */
  machines: Map<string, string>;
  groupIds: string[];
}

async function seedFleet(t: TestApp, label: string): Promise<Seeded> {
  const admin = await registerTenant(t.api, label);
  const ingestKey = (await createApiKey(t.api, admin, ['ingest'])).key;
  for (let f = 0; f < FLEET_MACHINES / IMPORT_MAX_ROWS; f++) {
    const r = await (await send('POST', `${t.api}/machines/import`, { token: admin.token, form: uploadForm(`seed-${f}.csv`, machineCsv(`F${f}`, IMPORT_MAX_ROWS)) }))();
    if (r.status !== 200 || r.body.created !== IMPORT_MAX_ROWS) throw new Error(`seed import: ${r.status} ${r.text.slice(0, 300)}`);
  }
  const db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  const machines = new Map<string, string>();
  try {
    const rows = await db.query<{ id: string; machine_identifier: string }>('select id, machine_identifier from machines where tenant_id = $1 order by machine_identifier', [admin.tenantId]);
    for (const row of rows.rows) machines.set(row.machine_identifier, row.id);
  } finally {
    await db.end();
  }
  // 100 groups with the longest names and descriptions, 100 machines each: every machine of the first
  // 10,000 is in one of them, so a page of machines carries groups.
  const ids = [...machines.values()];
  const groupIds: string[] = [];
  for (let g = 0; g < 100; g++) {
    const r = await http('POST', `${t.api}/machine-groups`, {
      token: admin.token,
      body: { name: longText(200, `group ${g} `), group_type: g % 4 === 0 ? 'site' : 'line', parent_id: g % 4 === 0 ? null : groupIds[g - (g % 4)], description: longText(1000, `group ${g} description `) },
    });
    if (r.status !== 201) throw new Error(`seed group: ${r.status} ${r.text}`);
    groupIds.push(r.body.id);
    const m = await http('PUT', `${t.api}/machine-groups/${r.body.id}/members`, { token: admin.token, body: { machine_ids: ids.slice(g * 100, g * 100 + 100) } });
    if (m.status !== 200) throw new Error(`seed members: ${m.status} ${m.text}`);
  }
  return { admin, ingestKey, machines, groupIds };
}

const ok = (status: number) => (a: Answer) => expect(a.status, a.text.slice(0, 300)).toBe(status);
const gqlOk = (a: Answer) => {
  expect(a.status, a.text.slice(0, 300)).toBe(200);
  expect(a.body?.errors, a.text.slice(0, 300)).toBeUndefined();
};
const gqlBody = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });

describe.skipIf(pgSvc.skip)(`event-loop guard: no request blocks the loop over ${BOUND_MS} ms${pgSvc.label}`, () => {
  let t: TestApp;
  let s: Seeded;
  let identifiers: string[];
  let seriesMachine: string;
  const SERIES_BASE = Date.now() - 3 * 86_400_000;

  beforeAll(async () => {
    loop.enable();
    t = await startTestApp();
    s = await seedFleet(t, 'guard');
    identifiers = [...s.machines.keys()];
    // 100,000 points of one metric on one machine, one second apart (the point limit of a query)
    seriesMachine = s.machines.get(identifiers[0]!)!;
    for (let b = 0; b < MAX_POINTS / INGEST_MAX_BATCH; b++) {
      const readings = Array.from({ length: INGEST_MAX_BATCH }, (_, i) => ({
        machine_identifier: identifiers[0], timestamp: new Date(SERIES_BASE + (b * INGEST_MAX_BATCH + i) * 1000).toISOString(), metric_name: longMetric(0), value: i, unit: 'celsius',
      }));
      const r = await http('POST', `${t.api}/ingest`, { apiKey: s.ingestKey, body: { readings } });
      if (r.status !== 207 || r.body.accepted_count !== INGEST_MAX_BATCH) throw new Error(`seed readings: ${r.status} ${r.text.slice(0, 300)}`);
    }
  }, 300_000);
  afterAll(async () => {
    loop.disable();
    await t?.stop();
    printFigures();
  });

  it('/metrics reports the event-loop lag', async () => {
    const r = await http('GET', `${t.url}/metrics`);
    expect(r.status).toBe(200);
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_max_seconds', 'nodejs_eventloop_lag_p50_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(r.text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
  });

  it('largest CSV import: 500 rows of the longest values in a 5 MB file', async () => {
    const blocked = await guard(
      'import CSV 500 rows / 5 MB',
      (i) => {
        const form = uploadForm('machines.csv', largestCsv(`CSV${i}`));
        return () => send('POST', `${t.api}/machines/import`, { token: s.admin.token, form });
      },
      (a) => expect([a.status, a.body?.created], a.text.slice(0, 300)).toEqual([200, IMPORT_MAX_ROWS]),
    );
    expectWithinBound(blocked);
  }, 120_000);

  it('largest XLSX import: 500 rows of the longest values in a 5 MB file', async () => {
    const blocked = await guard(
      'import XLSX 500 rows / 5 MB',
      async (i) => {
        const form = uploadForm('machines.xlsx', await largestXlsx(`XLS${i}`));
        return () => send('POST', `${t.api}/machines/import`, { token: s.admin.token, form });
      },
      (a) => expect([a.status, a.body?.created], a.text.slice(0, 300)).toEqual([200, IMPORT_MAX_ROWS]),
    );
    expectWithinBound(blocked);
  }, 180_000);

  it('largest ingest batch: 1,000 readings of the longest strings for 1,000 machines in a 10 MB body', async () => {
    const blocked = await guard(
      'ingest 1,000 readings / 10 MB',
      (i) => {
        const body = largestIngestBody(identifiers.slice(i * 1000, i * 1000 + 1000), Date.now() - 3_600_000 + i * 10_000);
        return () => send('POST', `${t.api}/ingest`, { apiKey: s.ingestKey, body });
      },
      (a) => expect([a.status, a.body?.accepted_count], a.text.slice(0, 300)).toEqual([207, INGEST_MAX_BATCH]),
    );
    expectWithinBound(blocked);
  }, 60_000);

  it('largest ingest batch with NaN tokens (the tolerant parser) in a 10 MB body', async () => {
    const blocked = await guard(
      'ingest 1,000 NaN readings / 10 MB',
      (i) => {
        const body = largestIngestBody(identifiers.slice(i * 1000, i * 1000 + 1000), Date.now() - 3_600_000 + i * 10_000, { nonFinite: true });
        return () => send('POST', `${t.api}/ingest`, { apiKey: s.ingestKey, body });
      },
      (a) => expect([a.status, a.body?.rejected_count, a.body?.errors?.[0]?.error], a.text.slice(0, 300)).toEqual([207, INGEST_MAX_BATCH, 'Value must be finite']),
    );
    expectWithinBound(blocked);
  }, 60_000);

  it('largest ingest batch with live listeners: a dashboard socket and a readingAdded subscription', async () => {
    const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/api/v1/ws/dashboard`);
    let dashboardMessages = 0;
    ws.on('message', () => dashboardMessages++);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(s.admin.token);
    const client = createClient({ url: `${t.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${s.admin.token}` }, lazy: false, retryAttempts: 0 });
    let live = 0;
    const target = s.machines.get(identifiers[5000]!)!;
    const dispose = client.subscribe({ query: `subscription($m: ID!) { readingAdded(machineId: $m) { metric value } }`, variables: { m: target } }, { next: () => void live++, error: () => undefined, complete: () => undefined });
    try {
      await sleep(300);
      const blocked = await guard(
        'ingest 1,000 readings with live listeners',
        (i) => {
          // every reading for the subscribed machine, so each becomes a subscription event and a dashboard message
          const body = largestIngestBody([identifiers[5000]!], Date.now() - 1_800_000 + i * 10_000);
          return () => send('POST', `${t.api}/ingest`, { apiKey: s.ingestKey, body });
        },
        (a) => expect([a.status, a.body?.accepted_count], a.text.slice(0, 300)).toEqual([207, INGEST_MAX_BATCH]),
      );
      await sleep(500);
      expect(live).toBeGreaterThanOrEqual(INGEST_MAX_BATCH);
      expect(dashboardMessages).toBeGreaterThanOrEqual(INGEST_MAX_BATCH);
      expectWithinBound(blocked);
    } finally {
      dispose();
      await client.dispose();
      ws.close();
    }
  }, 60_000);

  it('largest GraphQL ingest: 1,000 readings of the longest strings in a 1 MB document', async () => {
    const mutation = 'mutation($r: [ReadingInput!]!) { ingestReadings(readings: $r) { acceptedCount rejectedCount } }';
    const blocked = await guard(
      'GraphQL ingestReadings 1,000 readings',
      (i) => {
        const base = Date.now() - 2_000_000 + i * 10_000;
        const readings = Array.from({ length: INGEST_MAX_BATCH }, (_, k) => ({
          machineIdentifier: identifiers[k]!, timestamp: new Date(base + k).toISOString(), metricName: longText(255, `m${k} `, ASCII), value: k, unit: longText(64, 'u', ASCII), rawTag: longText(200, `t${k}`, ASCII),
        }));
        let json = gqlBody(mutation, { r: readings });
        while (Buffer.byteLength(json) > BODY_LIMIT) {
          for (const r of readings) r.rawTag = r.rawTag.slice(0, -10);
          json = gqlBody(mutation, { r: readings });
        }
        return () => send('POST', `${t.url}/graphql`, { apiKey: s.ingestKey, json });
      },
      (a) => {
        gqlOk(a);
        expect(a.body.data.ingestReadings.acceptedCount).toBe(INGEST_MAX_BATCH);
      },
    );
    expectWithinBound(blocked);
  }, 60_000);

  it('largest GraphQL document the limits allow: every alias, each field repeated to the cap, up to the token and cost limits', async () => {
    const limits = { maxTokens: 10_000, maxAliases: 50, maxRepeatedFields: 10, maxCost: 5_000, ...(t.app.container.config as { graphql?: object }).graphql };
    const fields = ['id', 'email', 'fullName', 'role', 'tenantId', 'isActive', 'mfaEnabled', 'createdAt', 'subscriptionTier', 'subscriptionStatus', 'onboardingCompleted'];
    // tokens: `{ }` plus per alias `aN : me {` `}` (5) and one per field; cost: one per field and one per `me`
    const perAlias = Math.min(fields.length * limits.maxRepeatedFields, Math.floor((limits.maxTokens - 10) / limits.maxAliases) - 5, Math.floor((limits.maxCost - 10) / limits.maxAliases) - 1);
    const selection = Array.from({ length: perAlias }, (_, k) => fields[k % fields.length]).join(' ');
    const query = `{ ${Array.from({ length: limits.maxAliases }, (_, a) => `a${a}: me { ${selection} }`).join(' ')} }`;
    const blocked = await guard('GraphQL largest allowed document', () => () => send('POST', `${t.url}/graphql`, { token: s.admin.token, json: gqlBody(query) }), (a) => {
      gqlOk(a);
      expect(Object.keys(a.body.data)).toHaveLength(limits.maxAliases);
    });
    expectWithinBound(blocked);
  }, 60_000);

  it('largest member list: 10,000 machine ids for one group', async () => {
    const group = await http('POST', `${t.api}/machine-groups`, { token: s.admin.token, body: { name: 'everything', group_type: 'custom' } });
    const ids = [...s.machines.values()].slice(0, MAX_GROUP_MEMBERS);
    const blocked = await guard(
      'PUT group members 10,000 ids',
      (i) => {
        const json = JSON.stringify({ machine_ids: i % 2 ? ids : ids.slice().reverse() });
        return () => send('PUT', `${t.api}/machine-groups/${group.body.id}/members`, { token: s.admin.token, json });
      },
      ok(200),
    );
    expectWithinBound(blocked);
  }, 60_000);

  it('longest strings in every text field: machines, groups, users, profile, login', async () => {
    const results: Measure[] = [];
    results.push(await guard('create machine, longest fields', (i) => {
      const json = JSON.stringify({ name: longText(200, `new ${i} `), machine_identifier: longIdentifier('NEW', i), protocol: 'opc_ua', location: longText(500, `loc ${i} `) });
      return () => send('POST', `${t.api}/machines`, { token: s.admin.token, json });
    }, ok(201)));
    const target = s.machines.get(identifiers[9999]!)!;
    results.push(await guard('update machine, longest fields', (i) => {
      const json = JSON.stringify({ name: longText(200, `upd ${i} `), machine_identifier: longIdentifier('UPD', i), protocol: 'json', location: longText(500, `upd ${i} `) });
      return () => send('PATCH', `${t.api}/machines/${target}`, { token: s.admin.token, json });
    }, ok(200)));
    results.push(await guard('create group, longest fields', (i) => {
      const json = JSON.stringify({ name: longText(200, `grp ${i} `), group_type: 'department', description: longText(1000, `desc ${i} `) });
      return () => send('POST', `${t.api}/machine-groups`, { token: s.admin.token, json });
    }, ok(201)));
    results.push(await guard('create user, longest name and password', (i) => {
      const json = JSON.stringify({ email: `${'u'.repeat(60)}${i}@${'d'.repeat(60)}.example.com`, full_name: longText(200, `user ${i} `), role: 'viewer', password: `Aa1${longText(125, `pw${i}`)}` });
      return () => send('POST', `${t.api}/users`, { token: s.admin.token, json });
    }, ok(201)));
    const email = `login-${randomBytes(4).toString('hex')}@example.com`;
    const password = `Aa1${longText(125, 'login')}`;
    expect((await http('POST', `${t.api}/users`, { token: s.admin.token, body: { email, full_name: 'login', role: 'viewer', password } })).status).toBe(201);
    results.push(await guard('login, longest password', () => {
      const json = JSON.stringify({ email, password });
      return () => send('POST', `${t.api}/auth/login`, { json });
    }, ok(200)));
    results.push(await guard('machine search, longest term, page_size 100', (i) => () =>
      send('GET', `${t.api}/machines?page_size=100&search=${encodeURIComponent(longText(200, `${i}`))}`, { token: s.admin.token }), ok(200)));
    for (const r of results) expectWithinBound(r);
  }, 120_000);

  it('largest pages: machines with groups, groups, members, tree, fleet status over 10,000 machines, audit trail', async () => {
    const results: Measure[] = [];
    const get = (name: string, path: string) => guard(name, () => () => send('GET', `${t.api}${path}`, { token: s.admin.token }), ok(200));
    const q = (name: string, query: string, variables?: Record<string, unknown>) =>
      guard(name, () => () => send('POST', `${t.url}/graphql`, { token: s.admin.token, json: gqlBody(query, variables) }), gqlOk);
    results.push(await get('REST machines page_size 100', '/machines?page_size=100&sort_by=location&sort_dir=desc'));
    results.push(await get('REST machines of a group subtree page_size 100', `/machines?page_size=100&group_id=${s.groupIds[0]}`));
    results.push(await get('REST machine groups page_size 100', '/machine-groups?page_size=100'));
    results.push(await get('REST group members page_size 100', `/machine-groups/${s.groupIds[1]}/members?page_size=100`));
    results.push(await get('REST group tree', '/machine-groups/tree'));
    results.push(await get('REST fleet status, 10,000+ machines', '/fleet/status'));
    results.push(await get('REST audit page_size 100', '/audit?page_size=100'));
    results.push(await q('GraphQL machines pageSize 100 with groups',
      '{ machines(pageSize: 100) { total items { id name machineIdentifier protocol location status lastReadingAt createdAt updatedAt groups { id name description groupType parentId } } } }'));
    results.push(await q('GraphQL machineGroups pageSize 100', '{ machineGroups(pageSize: 100) { total items { id name description groupType parentId createdAt updatedAt } } }'));
    results.push(await q('GraphQL machineGroupTree', '{ machineGroupTree { id name description children { id name description children { id name } } } }'));
    results.push(await q('GraphQL fleetStatus, 10,000+ machines', '{ fleetStatus { totalMachines machines { id name status alertCount lastReadingAt } } }'));
    results.push(await q('GraphQL auditEvents pageSize 100', '{ auditEvents(pageSize: 100) { total items { id action resourceType resourceId details userId createdAt ipAddress } } }'));
    for (const r of results) expectWithinBound(r);
  }, 180_000);

  it('time series at the point limit: 100,000 raw points, and the newest reading of 1,000 metrics', async () => {
    const results: Measure[] = [];
    const range = `start=${new Date(SERIES_BASE).toISOString()}&end=${new Date(SERIES_BASE + MAX_POINTS * 1000).toISOString()}`;
    results.push(await guard('REST 100,000 raw points', () => () =>
      send('GET', `${t.api}/machines/${seriesMachine}/readings?${range}&limit=${MAX_POINTS}`, { token: s.admin.token }),
    (a) => {
      ok(200)(a);
      expect(a.body.series[0].points).toHaveLength(MAX_POINTS);
    }));
    // GraphQL: the most points the document cost limit lets one query ask for (found before measuring)
    const seriesQuery = 'query($m: ID!, $s: DateTimeISO, $e: DateTimeISO, $l: Int) { machineReadings(machineId: $m, start: $s, end: $e, limit: $l) { series { metric unit points { timestamp value } } } }';
    const seriesVars = (limit: number) => ({ m: seriesMachine, s: new Date(SERIES_BASE).toISOString(), e: new Date(SERIES_BASE + limit * 1000).toISOString(), l: limit });
    let gqlPoints = MAX_POINTS;
    for (;;) {
      const probe = await http('POST', `${t.url}/graphql`, { token: s.admin.token, body: { query: seriesQuery, variables: seriesVars(gqlPoints) } });
      if (probe.body?.errors?.[0]?.extensions?.code !== 'QUERY_TOO_COMPLEX') break;
      gqlPoints -= 1000;
    }
    results.push(await guard(`GraphQL ${gqlPoints.toLocaleString('en')} raw points (most the cost limit allows)`, () => () =>
      send('POST', `${t.url}/graphql`, { token: s.admin.token, json: gqlBody(seriesQuery, seriesVars(gqlPoints)) }),
    (a) => {
      gqlOk(a);
      expect(a.body.data.machineReadings.series[0].points).toHaveLength(gqlPoints);
    }));
    results.push(await guard('REST 1-minute means over 100,000 points', () => () =>
      send('GET', `${t.api}/machines/${seriesMachine}/readings?${range}&interval=1m&limit=${MAX_POINTS}`, { token: s.admin.token }), ok(200)));
    // one machine with 1,000 metrics of the longest names
    const many = identifiers[7000]!;
    const readings = Array.from({ length: INGEST_MAX_BATCH }, (_, i) => ({ machine_identifier: many, timestamp: new Date().toISOString(), metric_name: longMetric(i), value: i, unit: longText(64, 'u'), raw_tag: longText(255, 'r') }));
    expect((await http('POST', `${t.api}/ingest`, { apiKey: s.ingestKey, body: { readings } })).status).toBe(207);
    results.push(await guard('REST latest of 1,000 metrics', () => () =>
      send('GET', `${t.api}/machines/${s.machines.get(many)}/readings/latest`, { token: s.admin.token }),
    (a) => {
      ok(200)(a);
      expect(a.body.readings).toHaveLength(INGEST_MAX_BATCH);
    }));
    for (const r of results) expectWithinBound(r);
  }, 120_000);
});

describe.skipIf(pgSvc.skip || influxSvc.skip)(`event-loop guard with readings in InfluxDB${pgSvc.label || influxSvc.label}`, () => {
  let t: TestApp;
  let admin: TenantSession;
  let ingestKey: string;
  const identifiers = Array.from({ length: 3 * INGEST_MAX_BATCH }, (_, i) => longIdentifier('INF', i));
  let seriesMachine: string;
  const SERIES_BASE = Date.now() - 3 * 86_400_000;

  beforeAll(async () => {
    loop.enable();
    t = await startTestApp({ env: { INFLUX_URL: SERVICE_URLS.influxdb, INFLUX_DB: `hf_guard_${randomBytes(5).toString('hex')}` } });
    admin = await registerTenant(t.api, 'guard-influx');
    ingestKey = (await createApiKey(t.api, admin, ['ingest'])).key;
    for (let f = 0; f < identifiers.length / IMPORT_MAX_ROWS; f++) {
      const lines = ['name,machine_identifier,protocol'];
      for (const id of identifiers.slice(f * IMPORT_MAX_ROWS, (f + 1) * IMPORT_MAX_ROWS)) lines.push(`${id},${id},json`);
      const r = await (await send('POST', `${t.api}/machines/import`, { token: admin.token, form: uploadForm('seed.csv', Buffer.from(lines.join('\n'))) }))();
      if (r.status !== 200 || r.body.created !== IMPORT_MAX_ROWS) throw new Error(`seed import: ${r.status} ${r.text.slice(0, 300)}`);
    }
    const list = await http('GET', `${t.api}/machines?search=${encodeURIComponent(identifiers[0]!)}`, { token: admin.token });
    seriesMachine = list.body.items[0].id;
    for (let b = 0; b < MAX_POINTS / INGEST_MAX_BATCH; b++) {
      const readings = Array.from({ length: INGEST_MAX_BATCH }, (_, i) => ({
        machine_identifier: identifiers[0], timestamp: new Date(SERIES_BASE + (b * INGEST_MAX_BATCH + i) * 1000).toISOString(), metric_name: longMetric(0), value: i, unit: 'celsius',
      }));
      const r = await http('POST', `${t.api}/ingest`, { apiKey: ingestKey, body: { readings } });
      if (r.status !== 207 || r.body.accepted_count !== INGEST_MAX_BATCH) throw new Error(`seed readings: ${r.status} ${r.text.slice(0, 300)}`);
    }
  }, 300_000);
  afterAll(async () => {
    loop.disable();
    printFigures();
    if (t) {
      const db = t.app.container.config.influx!.db;
      await t.stop();
      await fetch(`${SERVICE_URLS.influxdb}/query`, { method: 'POST', body: new URLSearchParams({ q: `DROP DATABASE "${db}"` }) });
    }
  });

  it('largest ingest batch into InfluxDB: 1,000 readings of the longest strings in a 10 MB body', async () => {
    const blocked = await guard(
      'InfluxDB: ingest 1,000 readings / 10 MB',
      (i) => {
        const body = largestIngestBody(identifiers.slice((i % 3) * 1000, (i % 3) * 1000 + 1000), Date.now() - 3_600_000 + i * 10_000);
        return () => send('POST', `${t.api}/ingest`, { apiKey: ingestKey, body });
      },
      (a) => expect([a.status, a.body?.accepted_count], a.text.slice(0, 300)).toEqual([207, INGEST_MAX_BATCH]),
    );
    expectWithinBound(blocked);
  }, 60_000);

  it('time series from InfluxDB at the point limit: 100,000 raw points of a 255-character metric', async () => {
    const range = `start=${new Date(SERIES_BASE).toISOString()}&end=${new Date(SERIES_BASE + MAX_POINTS * 1000).toISOString()}`;
    const blocked = await guard('InfluxDB: REST 100,000 raw points', () => () =>
      send('GET', `${t.api}/machines/${seriesMachine}/readings?${range}&limit=${MAX_POINTS}`, { token: admin.token }),
    (a) => {
      ok(200)(a);
      expect(a.body.series[0].points).toHaveLength(MAX_POINTS);
    });
    expectWithinBound(blocked);
  }, 120_000);
});
