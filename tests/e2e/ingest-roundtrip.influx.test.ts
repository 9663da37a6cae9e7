/**
 * InfluxDB store only: awkward strings (line-protocol and InfluxQL metacharacters, non-ASCII;
 * control characters in raw tags — names refuse them since issue 8) round-trip exactly through POST /ingest -> latest and -> series queries,
 * and InfluxQL injection attempts (as metric names and in the `metric` filter) neither leak other
 * machines' or tenants' data nor touch the database.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, gql, http, registerTenant, startTestApp, type HttpResult, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService, SERVICE_URLS } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const influxSvc = await probeService('influxdb');
const skip = pgSvc.skip || influxSvc.skip;

const MIN = 60_000;
const BASE = Math.floor((Date.now() - 3600_000) / MIN) * MIN;
const at = (offsetSec: number) => new Date(BASE + offsetSec * 1000).toISOString();

/** Metric names that stress line protocol (tags) and InfluxQL. */
const METRICS = [
  'temperature with spaces',
  'a,b=c',
  'comma,only',
  'equals=sign',
  'double"quote',
  "single'quote",
  'back\\slash',
  'trailing backslash\\',
  '\\ escaped space?',
  '\\\\double backslash',
  'semi;colon {brace} [bracket]',
  'right-to-left \u200fמדחום\u200f',
  'température °C',
  '温度センサー',
  'thermo 🌡️',
  '%41 percent',
  '%',
  '100%',
  '"',
  '=',
  ',',
  ' ',
];

/** Units and raw tags are string fields: quotes, backslashes and newlines must survive too. */
const unitOf = (i: number) => ['mm/s "rms"', 'C:\\units\\', 'multi line', "it's", 'ünït µ', '\\"', '🌡️', 'a,b=c d'][i % 8]!;
const rawTagOf = (i: number) => (i % 3 === 0 ? null : [`ns=2;s="Tag ${i}"`, `path\\to\\tag ${i}\n`, `'${i}' =~ /.*/`][i % 3]!);

const DB = `hf_roundtrip_${randomBytes(5).toString('hex')}`;
const INJECTIONS = ['x" OR "1"="1', '/.*/', "temperature' OR tenant_id =~ /.*/ --", '"; DROP DATABASE x', `x'; DROP DATABASE "${DB}"; SELECT * FROM "readings" WHERE '1'='1`];

/** Code-point order (what the store sorts by). */
const byCodePoint = (a: string, b: string) => {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};

async function influxQuery(q: string, db?: string): Promise<any> {
  const form = new URLSearchParams({ q });
  if (db) form.set('db', db);
  const res = await fetch(`${SERVICE_URLS.influxdb}/query`, { method: 'POST', body: form });
  return res.json();
}

async function databases(): Promise<string[]> {
  const r = await influxQuery('SHOW DATABASES');
  return (r.results?.[0]?.series?.[0]?.values ?? []).map((v: string[]) => v[0]);
}

interface Tenant {
  admin: TenantSession;
  key: string;
  machines: Record<string, string>;
}

describe.skipIf(skip)(`InfluxDB store: exact round-trips and InfluxQL injection${pgSvc.label || influxSvc.label}`, () => {
  const db = DB;
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;

  async function tenant(label: string, identifiers: string[]): Promise<Tenant> {
    const admin = await registerTenant(t.api, label);
    const { key } = await createApiKey(t.api, admin, ['ingest']);
    const machines: Record<string, string> = {};
    for (const mi of identifiers) {
      const r = await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: mi, machine_identifier: mi, protocol: 'json' } });
      if (r.status !== 201) throw new Error(`create machine: ${r.status} ${r.text}`);
      machines[mi] = r.body.id;
    }
    return { admin, key, machines };
  }

  async function ingest(tn: Tenant, readings: Record<string, unknown>[]): Promise<void> {
    const r = await http('POST', `${t.api}/ingest`, { apiKey: tn.key, body: { readings } });
    expect(r.status, r.text).toBe(207);
    expect(r.body, r.text).toEqual({ accepted_count: readings.length, rejected_count: 0, errors: [] });
  }

  const latest = (tn: Tenant, id: string) => http('GET', `${t.api}/machines/${id}/readings/latest`, { token: tn.admin.token });
  const series = (tn: Tenant, id: string, q: Record<string, string>) =>
    http('GET', `${t.api}/machines/${id}/readings?${new URLSearchParams({ start: at(-600), end: at(3000), ...q }).toString()}`, { token: tn.admin.token });
  const metricsOf = (r: HttpResult) => (r.body.series as { metric: string }[]).map((s) => s.metric);

  const gqlSeries = (tn: Tenant, id: string, metrics: string[], extra = '') =>
    gql(
      t.url,
      `query($id: ID!, $m: [String!], $s: DateTimeISO, $e: DateTimeISO) { machineReadings(machineId: $id, metrics: $m, start: $s, end: $e${extra}) { series { metric unit points { timestamp value } } } }`,
      { id, m: metrics, s: at(-600), e: at(3000) },
      { token: tn.admin.token },
    );

  beforeAll(async () => {
    t = await startTestApp({ env: { INFLUX_URL: SERVICE_URLS.influxdb, INFLUX_DB: db } });
    expect(t.app.container.readings.kind).toBe('influxdb');
    a = await tenant('rt-a', ['RT-A1', 'RT-A2']);
    b = await tenant('rt-b', ['RT-B1']);
    // A1: one reading per awkward metric (two for the first, to check the newest wins)
    await ingest(
      a,
      METRICS.map((metric, i) => ({ machine_identifier: 'RT-A1', timestamp: at(i * 10), metric_name: metric, value: i + 0.5, unit: unitOf(i), raw_tag: rawTagOf(i) })),
    );
    await ingest(a, [{ machine_identifier: 'RT-A1', timestamp: at(-5), metric_name: METRICS[0]!, value: -1, unit: 'older', raw_tag: 'older' }]);
    // what an injection must never reveal: A's other machine and tenant B
    await ingest(a, [
      { machine_identifier: 'RT-A2', timestamp: at(0), metric_name: 'temperature', value: 222, unit: 'c' },
      { machine_identifier: 'RT-A2', timestamp: at(0), metric_name: 'x', value: 223, unit: 'c' },
    ]);
    await ingest(b, [
      { machine_identifier: 'RT-B1', timestamp: at(0), metric_name: 'temperature', value: 666, unit: 'c' },
      { machine_identifier: 'RT-B1', timestamp: at(0), metric_name: 'x', value: 667, unit: 'c' },
      { machine_identifier: 'RT-B1', timestamp: at(0), metric_name: '1', value: 668, unit: 'c' },
    ]);
  });

  afterAll(async () => {
    await t?.stop();
    await influxQuery(`DROP DATABASE "${db}"`);
    expect(await databases()).not.toContain(db);
  });

  it('latest returns every awkward metric name, unit and raw tag exactly (newest per metric)', async () => {
    const r = await latest(a, a.machines['RT-A1']!);
    expect(r.status, r.text).toBe(200);
    const expected = METRICS.map((metric, i) => ({ metric_name: metric, value: i + 0.5, unit: unitOf(i), raw_tag: rawTagOf(i), timestamp: at(i * 10) })).sort((x, y) =>
      byCodePoint(x.metric_name, y.metric_name),
    );
    expect(r.body.readings).toEqual(expected);
  });

  it('the series query without a filter returns every metric name and unit exactly', async () => {
    const raw = await series(a, a.machines['RT-A1']!, {});
    expect(raw.status, raw.text).toBe(200);
    expect(raw.body.series).toEqual(
      METRICS.map((metric, i) => ({
        metric,
        unit: unitOf(i),
        points: i === 0 ? [{ timestamp: at(-5), value: -1 }, { timestamp: at(0), value: 0.5 }] : [{ timestamp: at(i * 10), value: i + 0.5 }],
      })).sort((x, y) => byCodePoint(x.metric, y.metric)),
    );
    const buckets = await series(a, a.machines['RT-A1']!, { interval: '1h', aggregation: 'count' });
    expect(buckets.status, buckets.text).toBe(200);
    expect(new Set(metricsOf(buckets))).toEqual(new Set(METRICS));
    for (const s of buckets.body.series) expect(s.points.reduce((n: number, p: { value: number }) => n + p.value, 0), JSON.stringify(s.metric)).toBe(s.metric === METRICS[0] ? 2 : 1);
  });

  it('each awkward metric can be selected on its own: GraphQL metrics filter, REST metric= (repeated for names with a comma or edge spaces)', async () => {
    for (const [i, metric] of METRICS.entries()) {
      const g = await gqlSeries(a, a.machines['RT-A1']!, [metric]);
      expect(g.body.errors, g.text).toBeUndefined();
      const expectedPoints = i === 0 ? [{ timestamp: at(-5), value: -1 }, { timestamp: at(0), value: 0.5 }] : [{ timestamp: at(i * 10), value: i + 0.5 }];
      expect(g.body.data!.machineReadings.series, JSON.stringify(metric)).toEqual([{ metric, unit: unitOf(i), points: expectedPoints }]);
      const agg = await gqlSeries(a, a.machines['RT-A1']!, [metric], ', interval: "1h", aggregation: "max"');
      expect(agg.body.data!.machineReadings.series.map((s: { metric: string }) => s.metric), JSON.stringify(metric)).toEqual([metric]);
      // A single `metric` value is a comma list (trimmed); repeating the parameter takes each value verbatim.
      const forms = metric.includes(',') || metric.trim() !== metric ? [[metric, '']] : [[metric], [metric, '']];
      for (const values of forms) {
        const qs = new URLSearchParams({ start: at(-600), end: at(3000) });
        for (const v of values) qs.append('metric', v);
        const r = await http('GET', `${t.api}/machines/${a.machines['RT-A1']}/readings?${qs.toString()}`, { token: a.admin.token });
        expect(r.status, r.text).toBe(200);
        expect(r.body.series, `${JSON.stringify(values)} -> ${r.text}`).toEqual([{ metric, unit: unitOf(i), points: expectedPoints }]);
      }
    }
    // several names with commas at once
    const qs = new URLSearchParams({ start: at(-600), end: at(3000) });
    for (const m of ['a,b=c', 'comma,only', ',']) qs.append('metric', m);
    const several = await http('GET', `${t.api}/machines/${a.machines['RT-A1']}/readings?${qs.toString()}`, { token: a.admin.token });
    expect(metricsOf(several).sort(byCodePoint)).toEqual([',', 'a,b=c', 'comma,only'].sort(byCodePoint));
  });

  describe('InfluxQL injection', () => {
    /** Everything tenant A's machine 2 and tenant B hold, to prove nothing changed. */
    async function untouched() {
      const a2 = await latest(a, a.machines['RT-A2']!);
      expect(a2.body.readings.map((x: { metric_name: string; value: number }) => [x.metric_name, x.value])).toEqual([['temperature', 222], ['x', 223]]);
      const b1 = await latest(b, b.machines['RT-B1']!);
      expect(b1.body.readings.map((x: { metric_name: string; value: number }) => [x.metric_name, x.value])).toEqual([['1', 668], ['temperature', 666], ['x', 667]]);
      expect(await databases()).toContain(db);
    }

    it.each(INJECTIONS)('metric=%s in the query string returns nothing of another machine or tenant', async (attack) => {
      const queries: Record<string, string>[] = [{ metric: attack }, { metric: attack, interval: '1m', aggregation: 'max' }, { metric: `temperature,${attack}` }];
      for (const q of queries) {
        const r = await series(a, a.machines['RT-A1']!, q);
        expect(r.status, r.text).toBe(200);
        expect(r.body.series, `${JSON.stringify(q)} -> ${r.text}`).toEqual([]);
      }
      // tenant B probing its own machine sees only its own rows, never A's
      const rb = await series(b, b.machines['RT-B1']!, { metric: attack });
      expect(rb.body.series).toEqual([]);
      const g = await gqlSeries(b, b.machines['RT-B1']!, [attack, 'temperature']);
      expect(g.body.data!.machineReadings.series).toEqual([{ metric: 'temperature', unit: 'c', points: [{ timestamp: at(0), value: 666 }] }]);
      await untouched();
    });

    it('injection strings stored as metric names are plain names: they read back exactly and select only themselves', async () => {
      const c = await tenant('rt-c', ['RT-C1']);
      await ingest(
        c,
        INJECTIONS.map((metric, i) => ({ machine_identifier: 'RT-C1', timestamp: at(i), metric_name: metric, value: 1000 + i, unit: metric.slice(0, 64), raw_tag: metric })),
      );
      const l = await latest(c, c.machines['RT-C1']!);
      expect(l.body.readings).toEqual(
        INJECTIONS.map((metric, i) => ({ metric_name: metric, value: 1000 + i, unit: metric.slice(0, 64), raw_tag: metric, timestamp: at(i) })).sort((x, y) => byCodePoint(x.metric_name, y.metric_name)),
      );
      for (const [i, metric] of INJECTIONS.entries()) {
        const r = await series(c, c.machines['RT-C1']!, { metric });
        expect(r.body.series, metric).toEqual([{ metric, unit: metric.slice(0, 64), points: [{ timestamp: at(i), value: 1000 + i }] }]);
        const agg = await series(c, c.machines['RT-C1']!, { metric, interval: '5m', aggregation: 'sum' });
        expect(agg.body.series, metric).toEqual([{ metric, unit: metric.slice(0, 64), points: [{ timestamp: new Date(Math.floor(BASE / 300_000) * 300_000).toISOString(), value: 1000 + i }] }]);
      }
      // and A's machine 1 still does not see them
      const r = await series(a, a.machines['RT-A1']!, { metric: INJECTIONS[0]! });
      expect(r.body.series).toEqual([]);
      await untouched();
      // the whole database is still there with every reading
      const count = await influxQuery('SELECT count("value") FROM "readings"', db);
      expect(count.results[0].series[0].values[0][1]).toBe(METRICS.length + 1 + 2 + 3 + INJECTIONS.length);
    });
  });
});
