import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/infra/database.js';
import {
  AGGREGATIONS,
  ReadingStoreUnavailableError,
  TooManyPointsError,
  type Aggregation,
  type LatestReading,
  type ReadingPoint,
  type ReadingStore,
  type Series,
  type SeriesQuery,
} from '../../src/readings/reading-store.js';
import {
  decodeTagValue,
  encodeStringField,
  encodeTagValue,
  InfluxReadingStore,
  storedTagValue,
  msText,
  toLine,
} from '../../src/readings/influx-reading-store.js';
import { PostgresReadingStore } from '../../src/readings/postgres-reading-store.js';
import { createTestDatabase } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const influxSvc = await probeService('influxdb');

/** 2024-01-01T00:00:00Z: a multiple of 60 s, 300 s and 86,400 s since the Unix epoch. */
const T0 = Date.UTC(2024, 0, 1);
const at = (sec: number) => new Date(T0 + sec * 1000);

function pt(tenantId: string, machineId: string, metric: string, sec: number, value: number, unit = 'u', rawTag: string | null = null): ReadingPoint {
  return { tenantId, machineId, metric, value, unit, rawTag, timestamp: at(sec) };
}

function q(tenantId: string, machineId: string, over: Partial<SeriesQuery> = {}): SeriesQuery {
  return { tenantId, machineId, metrics: [], start: at(0), end: at(3600), aggregation: 'mean', limit: 10_000, ...over };
}

/** [offset seconds, value] pairs of a series, for compact expectations */
const pts = (s: Series | undefined) => s?.points.map((p) => [(p.timestamp.getTime() - T0) / 1000, p.value]);

/** byte order of UTF-8 = code point order (PostgreSQL C collation); JS `<` differs for astral characters */
const byCodePoint = (a: string, b: string) => {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};

/** An attack must yield no data: an empty answer, or a rejection (e.g. PostgreSQL refusing a non-UUID id). */
async function expectNothing(p: Promise<Map<string, LatestReading[]> | Series[]>): Promise<void> {
  let r: Map<string, LatestReading[]> | Series[];
  try {
    r = await p;
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ReadingStoreUnavailableError);
    return;
  }
  if (r instanceof Map) expect([...r.entries()]).toEqual([]);
  else expect(r).toEqual([]);
}

/** Strings that break naive quoting in line protocol, InfluxQL or SQL; all fit varchar(64). */
const NASTY = [
  'with spaces',
  ' leading and trailing ',
  'comma,equals=sign',
  'a=b,c=d e=f',
  'double"quote',
  "single'quote",
  '"\'both\'"',
  'back\\slash',
  'trailing backslash\\',
  '\\',
  '\\ \\,\\=',
  'new\nline',
  'cr\rlf\r\n',
  '\ttab',
  '100% %41 %%',
  '%',
  'Ümläut ß äöü',
  'emoji 😀🔥',
  '中文 日本語 한국어',
  '😀', // astral: sorts after every BMP character in code point order
  '\uffff', // BMP, above the surrogates: code point order differs from UTF-16 order here
];

const INJECTIONS = [
  "x' OR 1=1 --",
  "x' OR '1'='1",
  '") OR ("a"="a',
  "') OR ('a'='a",
  '/.*/',
  '=~ /.*/',
  'x; DROP MEASUREMENT readings',
  "x'; DROP TABLE readings; --",
  '$tenant',
  '" OR "metric" =~ /.*/ OR "x"="',
];

interface Harness {
  store: ReadingStore;
  close: () => Promise<void>;
}

function contract(name: string, skip: boolean, make: () => Promise<Harness>) {
  describe.skipIf(skip)(name, () => {
    let store: ReadingStore;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ store, close } = await make());
      await store.init();
      await store.init(); // idempotent
    });
    afterAll(async () => {
      await close?.();
    });

    it('pings', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('latest: the newest reading per metric of several machines, sorted by metric, isolated per tenant', async () => {
      const [ta, tb, m1, m2, m3] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await store.write([
        pt(ta, m1, 'temp', 0, 20, '°C', 'DB1.DBD0'),
        pt(ta, m1, 'temp', 60, 21.5, '°C', 'DB1.DBD4'),
        pt(ta, m1, 'pressure', 30, 1.5, 'bar'),
        pt(ta, m2, 'temp', 10, 30, '°C'),
        pt(ta, m2, 'rpm', 5, 1450, '1/min', 'N7:0'),
        pt(tb, m1, 'temp', 120, 99, 'K', 'other tenant'),
      ]);
      // an older reading written later does not replace the newest one
      await store.write([pt(ta, m1, 'temp', 45, -3, '°F')]);

      const got = await store.latest(ta, [m1, m2, m3]);
      expect([...got.keys()].sort()).toEqual([m1, m2].sort());
      expect(got.get(m1)).toEqual([
        { metric: 'pressure', value: 1.5, unit: 'bar', rawTag: null, timestamp: at(30) },
        { metric: 'temp', value: 21.5, unit: '°C', rawTag: 'DB1.DBD4', timestamp: at(60) },
      ]);
      expect(got.get(m2)).toEqual([
        { metric: 'rpm', value: 1450, unit: '1/min', rawTag: 'N7:0', timestamp: at(5) },
        { metric: 'temp', value: 30, unit: '°C', rawTag: null, timestamp: at(10) },
      ]);
      expect(got.has(m3)).toBe(false);

      const other = await store.latest(tb, [m1, m2]);
      expect([...other.entries()]).toEqual([[m1, [{ metric: 'temp', value: 99, unit: 'K', rawTag: 'other tenant', timestamp: at(120) }]]]);
      expect(await store.latest(randomUUID(), [m1, m2])).toEqual(new Map());
      expect(await store.latest(ta, [])).toEqual(new Map());
      // the same machine id twice in the list answers once
      expect((await store.latest(ta, [m2, m2])).get(m2)).toHaveLength(2);
    });

    it('latest: more machines than one query chunk', async () => {
      const t = randomUUID();
      const machines = Array.from({ length: 1203 }, () => randomUUID());
      await store.write(machines.map((m, i) => pt(t, m, 'temp', i % 100, i, 'C')));
      const got = await store.latest(t, machines);
      expect(got.size).toBe(1203);
      expect(got.get(machines[0]!)).toEqual([{ metric: 'temp', value: 0, unit: 'C', rawTag: null, timestamp: at(0) }]);
      expect(got.get(machines[1202]!)).toEqual([{ metric: 'temp', value: 1202, unit: 'C', rawTag: null, timestamp: at(2) }]);
    });

    it('a point with the same (tenant, machine, metric, timestamp) overwrites the stored one, raw tag included', async () => {
      const [t, m] = [randomUUID(), randomUUID()];
      await store.write([pt(t, m, 'temp', 60, 1, 'a', 'old tag'), pt(t, m, 'temp', 0, 5, 'a', 'first')]);
      await store.write([pt(t, m, 'temp', 60, 2, 'b', null)]);
      // duplicates inside one batch: the last one wins
      await store.write([pt(t, m, 'temp', 0, 6, 'c', 'x'), pt(t, m, 'temp', 0, 7, 'd', 'y')]);

      const raw = await store.query(q(t, m, { start: at(0), end: at(120) }));
      expect(raw).toEqual([{ metric: 'temp', unit: 'b', points: [{ timestamp: at(0), value: 7 }, { timestamp: at(60), value: 2 }] }]);
      expect((await store.latest(t, [m])).get(m)).toEqual([{ metric: 'temp', value: 2, unit: 'b', rawTag: null, timestamp: at(60) }]);
      const count = await store.query(q(t, m, { start: at(0), end: at(120), intervalSec: 300, aggregation: 'count' }));
      expect(count).toEqual([{ metric: 'temp', unit: 'b', points: [{ timestamp: at(0), value: 2 }] }]);
    });

    it('metric names, units and raw tags with special characters round-trip exactly', async () => {
      const [t, m] = [randomUUID(), randomUUID()];
      // metric i: value i at second i; unit and raw tag are other nasty strings
      const written = NASTY.map((name, i) => pt(t, m, name, i, i + 0.25, NASTY[(i + 3) % NASTY.length]!, NASTY[(i + 7) % NASTY.length]!));
      await store.write(written);

      const latest = (await store.latest(t, [m])).get(m)!;
      const expected = written
        .map((p) => ({ metric: p.metric, value: p.value, unit: p.unit, rawTag: p.rawTag, timestamp: p.timestamp }))
        .sort((a, b) => byCodePoint(a.metric, b.metric));
      expect([...latest].sort((a, b) => byCodePoint(a.metric, b.metric))).toEqual(expected);
      expect(latest.map((r) => r.metric)).toHaveLength(NASTY.length);

      const expectedSeries = written
        .map((p) => ({ metric: p.metric, unit: p.unit, points: [{ timestamp: p.timestamp, value: p.value }] }))
        .sort((a, b) => byCodePoint(a.metric, b.metric));
      const sortSeries = (s: Series[]) => [...s].sort((a, b) => byCodePoint(a.metric, b.metric));
      // all metrics, every metric named, and one at a time (names go through the query's parameters)
      expect(sortSeries(await store.query(q(t, m)))).toEqual(expectedSeries);
      expect(sortSeries(await store.query(q(t, m, { metrics: [...NASTY] })))).toEqual(expectedSeries);
      for (const [i, name] of NASTY.entries()) {
        expect(await store.query(q(t, m, { metrics: [name] }))).toEqual([expectedSeries.find((s) => s.metric === name)]);
        const agg = await store.query(q(t, m, { metrics: [name], intervalSec: 60, aggregation: 'max' }));
        expect(agg).toEqual([{ metric: name, unit: NASTY[(i + 3) % NASTY.length], points: [{ timestamp: at(0), value: i + 0.25 }] }]);
      }
      // a name that is only a prefix / an escaped variant of a stored one matches nothing
      expect(await store.query(q(t, m, { metrics: ['back\\\\slash', 'trailing backslash', 'new\\nline', 'new'] }))).toEqual([]);
    });

    it('injection attempts as metric names, tenant ids and machine ids reach nothing of another tenant or machine', async () => {
      const [victimTenant, victimMachine, t, m] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const victimRow = pt(victimTenant, victimMachine, 'secret', 0, 42, 'kg', 'vault');
      await store.write([victimRow, pt(t, m, 'temp', 0, 1, 'C')]);
      // hostile metric names are just names
      await store.write(INJECTIONS.map((name, i) => pt(t, m, name, 10 + i, 100 + i, name, name)));

      for (const [i, inj] of INJECTIONS.entries()) {
        expect(await store.query(q(t, m, { metrics: [inj] }))).toEqual([{ metric: inj, unit: inj, points: [{ timestamp: at(10 + i), value: 100 + i }] }]);
        expect(await store.query(q(victimTenant, victimMachine, { metrics: [inj] }))).toEqual([]);
        expect(await store.query(q(t, m, { metrics: [inj], intervalSec: 60, aggregation: 'sum' }))).toEqual([
          { metric: inj, unit: inj, points: [{ timestamp: at(0), value: 100 + i }] },
        ]);
        await expectNothing(store.latest(inj, [victimMachine]));
        await expectNothing(store.latest(victimTenant, [inj]));
        await expectNothing(store.latest(inj, [inj]));
        await expectNothing(store.query(q(inj, victimMachine)));
        await expectNothing(store.query(q(victimTenant, inj)));
        await expectNothing(store.query(q(inj, inj, { metrics: [inj], intervalSec: 60, aggregation: 'count' })));
      }
      // nothing was dropped or altered
      const victim = await store.latest(victimTenant, [victimMachine]);
      expect(victim.get(victimMachine)).toEqual([{ metric: 'secret', value: 42, unit: 'kg', rawTag: 'vault', timestamp: at(0) }]);
      const mine = (await store.latest(t, [m])).get(m)!;
      expect(mine.map((r) => r.metric).sort(byCodePoint)).toEqual(['temp', ...INJECTIONS].sort(byCodePoint));
      expect(await store.query(q(t, m, { aggregation: 'count', intervalSec: 3600 }))).toHaveLength(INJECTIONS.length + 1);
    });

    describe('raw points', () => {
      const [t, m, other] = [randomUUID(), randomUUID(), randomUUID()];
      beforeAll(async () => {
        // written out of order, across two calls
        await store.write([pt(t, m, 'a', 30, 3), pt(t, m, 'a', 0, 0), pt(t, m, 'b', 15, 15, 'B'), pt(t, m, 'a', 10, 1)]);
        await store.write([pt(t, m, 'a', 20, 2), pt(t, m, 'c', 25, 25, 'C'), pt(t, m, 'b', 5, 5, 'B'), pt(t, m, 'a', 40, 4)]);
        await store.write([pt(t, other, 'a', 20, 999)]);
      });

      it('covers [start, end): start inclusive, end exclusive, ascending', async () => {
        expect(await store.query(q(t, m, { metrics: ['a'], start: at(10), end: at(30) }))).toEqual([
          { metric: 'a', unit: 'u', points: [{ timestamp: at(10), value: 1 }, { timestamp: at(20), value: 2 }] },
        ]);
        expect(pts((await store.query(q(t, m, { metrics: ['a'], start: at(0), end: at(41) })))[0])).toEqual([
          [0, 0],
          [10, 1],
          [20, 2],
          [30, 3],
          [40, 4],
        ]);
        // 1 ms either side of a point
        expect(pts((await store.query(q(t, m, { metrics: ['a'], start: new Date(T0 + 9_999), end: new Date(T0 + 10_001) })))[0])).toEqual([[10, 1]]);
        expect(await store.query(q(t, m, { metrics: ['a'], start: new Date(T0 + 10_001), end: new Date(T0 + 19_999) }))).toEqual([]);
        expect(await store.query(q(t, m, { start: at(41), end: at(100) }))).toEqual([]);
      });

      it('filters metrics: one, several, all', async () => {
        expect(await store.query(q(t, m, { metrics: ['b'] }))).toEqual([
          { metric: 'b', unit: 'B', points: [{ timestamp: at(5), value: 5 }, { timestamp: at(15), value: 15 }] },
        ]);
        const several = await store.query(q(t, m, { metrics: ['c', 'b', 'missing'] }));
        expect(several.map((s) => [s.metric, s.unit, pts(s)])).toEqual([
          ['b', 'B', [[5, 5], [15, 15]]],
          ['c', 'C', [[25, 25]]],
        ]);
        const all = await store.query(q(t, m, { start: at(5), end: at(40) }));
        expect(all.map((s) => [s.metric, s.unit, pts(s)])).toEqual([
          ['a', 'u', [[10, 1], [20, 2], [30, 3]]],
          ['b', 'B', [[5, 5], [15, 15]]],
          ['c', 'C', [[25, 25]]],
        ]);
        expect(await store.query(q(t, m, { metrics: ['missing'] }))).toEqual([]);
        expect(pts((await store.query(q(t, other)))[0])).toEqual([[20, 999]]);
      });

      it('throws TooManyPointsError when the whole answer exceeds the limit', async () => {
        // 8 points in all: a ×5, b ×2, c ×1
        expect((await store.query(q(t, m, { limit: 8 }))).flatMap((s) => s.points)).toHaveLength(8);
        const err = await store.query(q(t, m, { limit: 7 })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TooManyPointsError);
        expect((err as TooManyPointsError).limit).toBe(7);
        // each metric alone is under the limit, together they are over it
        await expect(store.query(q(t, m, { metrics: ['b', 'c'], limit: 2 }))).rejects.toBeInstanceOf(TooManyPointsError);
        expect((await store.query(q(t, m, { metrics: ['b', 'c'], limit: 3 }))).flatMap((s) => s.points)).toHaveLength(3);
        await expect(store.query(q(t, m, { metrics: ['a'], limit: 4 }))).rejects.toThrow(TooManyPointsError);
        expect(await store.query(q(t, m, { metrics: ['a'], start: at(0), end: at(20), limit: 2 }))).toHaveLength(1);
      });
    });

    it('a raw answer of several thousand points over interleaved series comes back whole (InfluxDB streams it in chunks of 2,000 rows)', async () => {
      const [t, m] = [randomUUID(), randomUUID()];
      // three series taking turns point by point, so every chunk holds all three and cuts through each
      const metrics = ['plain', NASTY[2]!, NASTY[17]!];
      const n = 7001;
      await store.write(Array.from({ length: n }, (_, i) => pt(t, m, metrics[i % 3]!, i, i, `unit ${i % 3}`)));
      const got = await store.query(q(t, m, { end: at(n), limit: n }));
      expect(got.map((s) => s.metric)).toEqual([...metrics].sort(byCodePoint));
      for (const s of got) {
        const k = metrics.indexOf(s.metric);
        const expected = Array.from({ length: Math.ceil((n - k) / 3) }, (_, j) => [k + 3 * j, k + 3 * j]);
        expect(s.unit).toBe(`unit ${k}`);
        expect(pts(s)).toEqual(expected);
      }
      const err = await store.query(q(t, m, { end: at(n), limit: n - 1 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TooManyPointsError);
      // the store still answers after a refusal midway through a streamed answer
      expect(pts((await store.query(q(t, m, { metrics: [metrics[1]!], start: at(6000), end: at(6010) })))[0])).toEqual([
        [6001, 6001],
        [6004, 6004],
        [6007, 6007],
      ]);
    });

    describe('aggregations', () => {
      const [t, m] = [randomUUID(), randomUUID()];
      // seconds after T0 -> value; the query range [5 s, 650 s) leaves out 0 s and 650 s
      const X: [number, number][] = [
        [0, 1000],
        [10, 3],
        [59, 8],
        [60, 10],
        [185, 4],
        [200, -2],
        [299, 7],
        [300, 100],
        [650, 5000],
      ];
      beforeAll(async () => {
        await store.write([...X.map(([s, v]) => pt(t, m, 'x', s, v, 'mm')), pt(t, m, 'y', 30, 2, 'V'), pt(t, m, 'z', 420, 9, 'A')]);
      });
      const range = { start: at(5), end: at(650) };
      const x60: Record<Aggregation, [number, number][]> = {
        mean: [[0, 5.5], [60, 10], [180, 1], [240, 7], [300, 100]],
        min: [[0, 3], [60, 10], [180, -2], [240, 7], [300, 100]],
        max: [[0, 8], [60, 10], [180, 4], [240, 7], [300, 100]],
        sum: [[0, 11], [60, 10], [180, 2], [240, 7], [300, 100]],
        count: [[0, 2], [60, 1], [180, 2], [240, 1], [300, 1]],
        first: [[0, 3], [60, 10], [180, 4], [240, 7], [300, 100]],
        last: [[0, 8], [60, 10], [180, -2], [240, 7], [300, 100]],
      };
      const x300: Record<Aggregation, [number, number][]> = {
        mean: [[0, 5], [300, 100]],
        min: [[0, -2], [300, 100]],
        max: [[0, 10], [300, 100]],
        sum: [[0, 30], [300, 100]],
        count: [[0, 6], [300, 1]],
        first: [[0, 3], [300, 100]],
        last: [[0, 7], [300, 100]],
      };

      it.each(AGGREGATIONS.map((a) => [a]))('%s over 60 s buckets: epoch-aligned bucket starts, empty buckets omitted', async (aggregation) => {
        const got = await store.query(q(t, m, { ...range, metrics: ['x'], intervalSec: 60, aggregation }));
        expect(got.map((s) => [s.metric, s.unit, pts(s)])).toEqual([['x', 'mm', x60[aggregation]]]);
      });

      it.each(AGGREGATIONS.map((a) => [a]))('%s over 300 s buckets', async (aggregation) => {
        const got = await store.query(q(t, m, { ...range, metrics: ['x', 'y'], intervalSec: 300, aggregation }));
        const y = aggregation === 'count' ? 1 : 2;
        expect(got.map((s) => [s.metric, s.unit, pts(s)])).toEqual([
          ['x', 'mm', x300[aggregation]],
          ['y', 'V', [[0, y]]],
        ]);
      });

      it('buckets of every metric when none is named; a start inside a bucket still labels it by its epoch-aligned start', async () => {
        const got = await store.query(q(t, m, { start: at(299), end: at(3600), intervalSec: 300, aggregation: 'sum' }));
        expect(got.map((s) => [s.metric, s.unit, pts(s)])).toEqual([
          ['x', 'mm', [[0, 7], [300, 100], [600, 5000]]],
          ['z', 'A', [[300, 9]]],
        ]);
        const hour = await store.query(q(t, m, { start: at(0), end: at(3600), intervalSec: 3600, aggregation: 'count' }));
        expect(hour.map((s) => [s.metric, pts(s)])).toEqual([
          ['x', [[0, 9]]],
          ['y', [[0, 1]]],
          ['z', [[0, 1]]],
        ]);
      });

      it('counts buckets against the limit', async () => {
        // 60 s buckets in range: x 5, y 1 -> 6
        expect((await store.query(q(t, m, { ...range, metrics: ['x', 'y'], intervalSec: 60, limit: 6 }))).flatMap((s) => s.points)).toHaveLength(6);
        const err = await store.query(q(t, m, { ...range, metrics: ['x', 'y'], intervalSec: 60, limit: 5 })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TooManyPointsError);
        expect((err as TooManyPointsError).limit).toBe(5);
      });
    });

    it('reports the unit of the newest point in the range', async () => {
      const [t, m] = [randomUUID(), randomUUID()];
      await store.write([pt(t, m, 'temp', 0, 1, '°C'), pt(t, m, 'temp', 60, 2, '°F'), pt(t, m, 'temp', 120, 3, 'K'), pt(t, m, 'rpm', 90, 7, '1/s')]);
      const window = { start: at(0), end: at(120) };
      expect(await store.query(q(t, m, { ...window, metrics: ['temp'] }))).toEqual([
        { metric: 'temp', unit: '°F', points: [{ timestamp: at(0), value: 1 }, { timestamp: at(60), value: 2 }] },
      ]);
      expect(await store.query(q(t, m, { ...window, metrics: ['temp'], intervalSec: 300, aggregation: 'sum' }))).toEqual([
        { metric: 'temp', unit: '°F', points: [{ timestamp: at(0), value: 3 }] },
      ]);
      expect(await store.query(q(t, m, { start: at(0), end: at(60), metrics: ['temp'], intervalSec: 60, aggregation: 'last' }))).toEqual([
        { metric: 'temp', unit: '°C', points: [{ timestamp: at(0), value: 1 }] },
      ]);
      const all = await store.query(q(t, m, { start: at(0), end: at(121), intervalSec: 60 }));
      expect(all.map((s) => [s.metric, s.unit])).toEqual([
        ['rpm', '1/s'],
        ['temp', 'K'],
      ]);
      expect((await store.latest(t, [m])).get(m)!.map((r) => [r.metric, r.unit])).toEqual([
        ['rpm', '1/s'],
        ['temp', 'K'],
      ]);
    });

    it('aggregated over hours: the newest unit also when a series fell silent long before the end', async () => {
      const [t, m] = [randomUUID(), randomUUID()];
      const h = 3600;
      await store.write([
        // pressure changes unit in the last hour of the range; temp stops 4 h before the end, after a change
        pt(t, m, 'pressure', 1 * h, 1, 'bar'),
        pt(t, m, 'pressure', 5 * h + 600, 2, 'kPa'),
        pt(t, m, 'temp', 0, 10, '°C'),
        pt(t, m, 'temp', 2 * h, 20, '°F'),
        // after the range: never the answer
        pt(t, m, 'temp', 7 * h, 30, 'K'),
      ]);
      const got = await store.query(q(t, m, { start: at(0), end: at(6 * h), intervalSec: h, aggregation: 'max' }));
      expect(got.map((s) => [s.metric, s.unit, pts(s)])).toEqual([
        ['pressure', 'kPa', [[1 * h, 1], [5 * h, 2]]],
        ['temp', '°F', [[0, 10], [2 * h, 20]]],
      ]);
      // an interval longer than the tail window: the tail is one interval
      const day = await store.query(q(t, m, { start: at(0), end: at(6 * h), intervalSec: 6 * h, aggregation: 'count', metrics: ['temp'] }));
      expect(day.map((s) => [s.metric, s.unit, pts(s)])).toEqual([['temp', '°F', [[0, 2]]]]);
    });

    it('takes a large batch (20,000 points) in one write and counts it back', async () => {
      const [t, m] = [randomUUID(), randomUUID()];
      const batch: ReadingPoint[] = [];
      for (let i = 0; i < 5000; i++) for (let k = 0; k < 4; k++) batch.push({ tenantId: t, machineId: m, metric: `m${k}`, value: i * (k + 1), unit: 'u', rawTag: null, timestamp: new Date(T0 + i * 1000) });
      const started = performance.now();
      await store.write(batch);
      const ms = performance.now() - started;
      console.info(`[${name}] wrote 20,000 points in ${ms.toFixed(0)} ms (${Math.round(20_000 / (ms / 1000))}/s)`);

      const counts = await store.query(q(t, m, { start: at(0), end: at(86_400), intervalSec: 86_400, aggregation: 'count' }));
      expect(counts.map((s) => [s.metric, pts(s)])).toEqual([0, 1, 2, 3].map((k) => [`m${k}`, [[0, 5000]]]));
      // sum of i*(k+1) for i < 5000 = 12,497,500 * (k+1)
      const sums = await store.query(q(t, m, { start: at(0), end: at(86_400), intervalSec: 86_400, aggregation: 'sum' }));
      expect(sums.map((s) => pts(s))).toEqual([1, 2, 3, 4].map((f) => [[0, 12_497_500 * f]]));
      const raw = await store.query(q(t, m, { start: at(0), end: at(5000), limit: 20_000 }));
      expect(raw.map((s) => s.points.length)).toEqual([5000, 5000, 5000, 5000]);
      expect(pts(raw[3])!.slice(-2)).toEqual([
        [4998, 4998 * 4],
        [4999, 4999 * 4],
      ]);
      await expect(store.query(q(t, m, { start: at(0), end: at(5000), limit: 19_999 }))).rejects.toBeInstanceOf(TooManyPointsError);
      expect((await store.latest(t, [m])).get(m)!.map((r) => [r.metric, r.value, r.timestamp.getTime() - T0])).toEqual([
        ['m0', 4999, 4_999_000],
        ['m1', 9998, 4_999_000],
        ['m2', 14_997, 4_999_000],
        ['m3', 19_996, 4_999_000],
      ]);
    });

    it('accepts an empty write', async () => {
      await expect(store.write([])).resolves.toBeUndefined();
    });

    it('an ingest-shaped batch (1,000 machines x one metric, random order, irregular milliseconds) comes back exactly', async () => {
      const t = randomUUID();
      const machines = Array.from({ length: 1000 }, () => randomUUID());
      // T0 is 1,704,067,200,000 ms: offsets from 800,000 ms on give millisecond counts with leading zeros below the millions
      const offsets = [800_000, 800_005, 800_050, 800_500, 805_000, 850_000, 799_999, 1_000_000, 1_799_999, 3];
      const batch = machines.map((m, i) => ({ tenantId: t, machineId: m, metric: 'vibration', value: Math.round(i * 1.37 * 1000) / 1000, unit: 'mm/s', rawTag: null, timestamp: new Date(T0 + offsets[i % offsets.length]! + i * 1000) }));
      const shuffled = [...batch];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      await store.write(shuffled);
      const latest = await store.latest(t, machines);
      for (const p of batch) expect(latest.get(p.machineId)).toEqual([{ metric: 'vibration', value: p.value, unit: 'mm/s', rawTag: null, timestamp: p.timestamp }]);
      for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 500, 999]) {
        const p = batch[i]!;
        const raw = await store.query(q(t, p.machineId, { start: new Date(p.timestamp.getTime() - 1), end: new Date(p.timestamp.getTime() + 1) }));
        expect(raw).toEqual([{ metric: 'vibration', unit: 'mm/s', points: [{ timestamp: p.timestamp, value: p.value }] }]);
      }
    });

    it('the same (machine, metric, time) twice in one write: the later one wins, also between far-apart positions of a large write', async () => {
      const [t, m] = [randomUUID(), randomUUID()];
      const batch: ReadingPoint[] = [];
      for (let i = 0; i < 12_000; i++) batch.push({ tenantId: t, machineId: m, metric: `m${i % 3}`, value: i, unit: 'u', rawTag: null, timestamp: new Date(T0 + Math.floor(i / 3) * 1000 + 7) });
      // repeats of earlier points, with new values, units and raw tags, at the end and in the middle
      batch.push({ ...batch[10]!, value: -10, unit: 'last', rawTag: 'late' });
      batch.splice(6_000, 0, { ...batch[11_999]!, value: -1, unit: 'early' });
      batch.push({ ...batch[20]!, value: -20.5, unit: 'v2' });
      batch.push({ ...batch[20]!, value: -20.75, unit: 'v3' });
      await store.write(batch);
      const at0 = T0 + 3 * 1000 + 7; // batch[10]: i = 10 -> m1 at second 3
      const raw = await store.query(q(t, m, { metrics: ['m1'], start: new Date(at0), end: new Date(at0 + 1) }));
      expect(raw).toEqual([{ metric: 'm1', unit: 'last', points: [{ timestamp: new Date(at0), value: -10 }] }]);
      const at20 = T0 + 6 * 1000 + 7; // i = 20 -> m2 at second 6
      expect(await store.query(q(t, m, { metrics: ['m2'], start: new Date(at20), end: new Date(at20 + 1) }))).toEqual([
        { metric: 'm2', unit: 'v3', points: [{ timestamp: new Date(at20), value: -20.75 }] },
      ]);
      // the point repeated before its original position: the original, later in the write, wins
      const at11999 = T0 + 3999 * 1000 + 7; // i = 11,999 -> m2 at second 3,999
      expect(await store.query(q(t, m, { metrics: ['m2'], start: new Date(at11999), end: new Date(at11999 + 1) }))).toEqual([
        { metric: 'm2', unit: 'u', points: [{ timestamp: new Date(at11999), value: 11_999 }] },
      ]);
      const counts = await store.query(q(t, m, { start: at(0), end: at(86_400), intervalSec: 86_400, aggregation: 'count' }));
      expect(counts.map((s) => [s.metric, pts(s)])).toEqual([0, 1, 2].map((k) => [`m${k}`, [[0, 4000]]]));
    });
  });
}

// ---------------------------------------------------------------- wiring

const influxDbName = `hf_test_${randomBytes(6).toString('hex')}`;

async function influxql(url: string, q: string): Promise<any> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q, epoch: 'ms' }) });
  return res.json();
}

contract(`ReadingStore on InfluxDB${influxSvc.label}`, influxSvc.skip, async () => ({
  store: new InfluxReadingStore({ url: influxSvc.url, db: influxDbName }),
  close: async () => void (await influxql(influxSvc.url, `DROP DATABASE "${influxDbName}"`)),
}));

contract(`ReadingStore on PostgreSQL${pgSvc.label}`, pgSvc.skip, async () => {
  const tdb = await createTestDatabase();
  const db: Database = await openDatabase({ url: tdb.url, dataDir: '/nonexistent', poolMax: 4, embeddedPort: 0, log: pino({ level: 'silent' }) });
  await db.migrate();
  return {
    store: new PostgresReadingStore(db),
    close: async () => {
      await db.close();
      await tdb.drop();
    },
  };
});

// ---------------------------------------------------------------- InfluxDB specifics

describe('InfluxDB line protocol encoding', () => {
  it('escapes tag values: backslash escapes for space , =; percent-encoding for % \\ and control characters', () => {
    expect(encodeTagValue('plain-Ümläut_😀')).toBe('plain-Ümläut_😀');
    expect(encodeTagValue('a b,c=d')).toBe('a\\ b\\,c\\=d');
    expect(encodeTagValue('50% \\ x\n\r\t')).toBe('50%25\\ %5C\\ x%0A%0D%09');
    expect(encodeTagValue('')).toBe('%');
    expect(storedTagValue('a b,c=d%\\\n')).toBe('a b,c=d%25%5C%0A');
    for (const s of [...NASTY, ...INJECTIONS, '', '%', '%25', '%%', '\u0000\u007f']) expect(decodeTagValue(storedTagValue(s))).toBe(s);
  });

  it('escapes string fields: quotes and backslashes only', () => {
    expect(encodeStringField('°C')).toBe('"°C"');
    expect(encodeStringField('say "hi" \\ bye\nnext')).toBe('"say \\"hi\\" \\\\ bye\nnext"');
  });

  it('writes one line per point, value as float, raw tag always present, ms timestamp', () => {
    expect(toLine({ tenantId: 't', machineId: 'm 1', metric: 'temp', value: 21, unit: '°C', rawTag: null, timestamp: new Date(1_700_000_000_123) })).toBe(
      'readings,tenant_id=t,machine_id=m\\ 1,metric=temp value=21,unit="°C",raw_tag="" 1700000000123\n',
    );
    expect(() => toLine({ tenantId: 't', machineId: 'm', metric: 'x', value: Number.NaN, unit: '', rawTag: null, timestamp: new Date() })).toThrow(RangeError);
    expect(() => toLine({ tenantId: 't', machineId: 'm', metric: 'x', value: Infinity, unit: '', rawTag: null, timestamp: new Date() })).toThrow(RangeError);
  });

  it('writes millisecond timestamps as the same decimal text as String(), leading zeros below the millions included', () => {
    const samples = [0, 1, 999_999, 1_000_000, 1_000_001, 1_704_067_200_000, 1_704_067_800_005, 1_704_067_000_099, 1_999_999_999_999, 8_640_000_000_000, 999_999_999_999_999, 1e15, -1, -1_704_067_200_123];
    for (let i = 0; i < 2000; i++) samples.push(Math.floor(Math.random() * 4e12), 1_700_000_000_000 + Math.floor(Math.random() * 1e6));
    for (const ms of samples) expect(msText(ms)).toBe(String(ms));
    expect(toLine({ tenantId: 't', machineId: 'm', metric: 'x', value: 1.5, unit: 'u', rawTag: 'r', timestamp: new Date(1_704_067_800_005) })).toBe(
      'readings,tenant_id=t,machine_id=m,metric=x value=1.5,unit="u",raw_tag="r" 1704067800005\n',
    );
  });
});

describe.skipIf(influxSvc.skip)(`InfluxReadingStore specifics${influxSvc.label}`, () => {
  const db = `hf_test_${randomBytes(6).toString('hex')}`;
  const store = new InfluxReadingStore({ url: influxSvc.url, db, retentionDays: 3650 });
  let stub: Server;
  let stubUrl: string;
  let stubStatus = 500;
  let stubDelayMs = 0;
  let stubRequests = 0;
  beforeAll(async () => {
    await store.init();
    stub = createServer((req, res) => {
      stubRequests++;
      req.resume();
      setTimeout(() => {
        res.writeHead(stubStatus, { 'content-type': 'application/json' });
        res.end(stubStatus === 204 ? undefined : JSON.stringify({ error: `stub says ${stubStatus}` }));
      }, stubDelayMs);
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    stub?.closeAllConnections();
    await new Promise((r) => stub?.close(r));
    await influxql(influxSvc.url, `DROP DATABASE "${db}"`);
  });

  it('validates the database name', () => {
    for (const bad of ['', 'a b', 'x"; DROP DATABASE y', 'a.b', 'ü']) expect(() => new InfluxReadingStore({ url: influxSvc.url, db: bad })).toThrow(/database name/);
    expect(() => new InfluxReadingStore({ url: influxSvc.url, db: 'ok_name-1' })).not.toThrow();
  });

  it('creates the database and a default retention policy, and alters it on the next init', async () => {
    const rp = async () => (await influxql(influxSvc.url, `SHOW RETENTION POLICIES ON "${db}"`)).results[0].series[0].values as unknown[][];
    expect((await rp()).find((r) => r[0] === 'haltfree')).toEqual(['haltfree', '87600h0m0s', '168h0m0s', 1, true]);
    await new InfluxReadingStore({ url: influxSvc.url, db, retentionDays: 7300 }).init();
    expect((await rp()).find((r) => r[0] === 'haltfree')).toEqual(['haltfree', '175200h0m0s', '168h0m0s', 1, true]);
    expect((await rp()).filter((r) => r[4] === true).map((r) => r[0])).toEqual(['haltfree']);
  });

  it('stores the documented schema: tags tenant_id, machine_id, metric; fields value (float), unit, raw_tag', async () => {
    const [t, m] = [randomUUID(), randomUUID()];
    await store.write([pt(t, m, 'temp', 0, 21, 'C', 'DB1'), pt(t, m, 'new\nline %', 1, 2, 'C')]);
    const keys = await influxql(influxSvc.url, `SHOW TAG KEYS ON "${db}" FROM "readings"`);
    expect(keys.results[0].series[0].values).toEqual([['machine_id'], ['metric'], ['tenant_id']]);
    const fields = await influxql(influxSvc.url, `SHOW FIELD KEYS ON "${db}" FROM "readings"`);
    expect(fields.results[0].series[0].values).toEqual([
      ['raw_tag', 'string'],
      ['unit', 'string'],
      ['value', 'float'],
    ]);
    const values = await influxql(influxSvc.url, `SHOW TAG VALUES ON "${db}" FROM "readings" WITH KEY = "metric" WHERE "tenant_id" = '${t}'`);
    expect(values.results[0].series[0].values).toEqual([
      ['metric', 'new%0Aline %25'],
      ['metric', 'temp'],
    ]);
  });

  it('round-trips special characters in tenant and machine ids, and the empty string as a tag value', async () => {
    const tenants = ['', ...NASTY.slice(0, 12)];
    const machines = ['', ...INJECTIONS];
    await store.write(tenants.flatMap((t, i) => machines.map((m, j) => pt(t, m, '', i * 100 + j, i * 100 + j, `${i}/${j}`))));
    for (const [i, t] of tenants.entries()) {
      const got = await store.latest(t, machines);
      expect([...got.keys()].sort()).toEqual([...machines].sort());
      for (const [j, m] of machines.entries()) {
        expect(got.get(m)).toEqual([{ metric: '', value: i * 100 + j, unit: `${i}/${j}`, rawTag: null, timestamp: at(i * 100 + j) }]);
        expect(await store.query(q(t, m, { start: at(0), end: at(2000) }))).toEqual([
          { metric: '', unit: `${i}/${j}`, points: [{ timestamp: at(i * 100 + j), value: i * 100 + j }] },
        ]);
      }
    }
  });

  it('binds times as RFC 3339 strings: millisecond-exact range edges', async () => {
    const [t, m] = [randomUUID(), randomUUID()];
    await store.write([1, 2, 3].map((ms) => ({ tenantId: t, machineId: m, metric: 'x', value: ms, unit: '', rawTag: null, timestamp: new Date(T0 + ms) })));
    const got = await store.query(q(t, m, { start: new Date(T0 + 2), end: new Date(T0 + 3) }));
    expect(got).toEqual([{ metric: 'x', unit: '', points: [{ timestamp: new Date(T0 + 2), value: 2 }] }]);
    expect(await store.query(q(t, m, { start: new Date(T0 + 3), end: new Date(T0 + 3) }))).toEqual([]);
  });

  it('rejects values InfluxDB cannot store before sending anything', async () => {
    const s = new InfluxReadingStore({ url: stubUrl, db: 'x' });
    const before = stubRequests;
    await expect(s.write([pt('t', 'm', 'x', 0, 1), pt('t', 'm', 'x', 1, Number.NaN)])).rejects.toThrow(RangeError);
    expect(stubRequests).toBe(before);
  });

  it('sends no request for an empty write', async () => {
    const before = stubRequests;
    await new InfluxReadingStore({ url: stubUrl, db: 'x' }).write([]);
    expect(stubRequests).toBe(before);
  });

  it('surfaces a partial write (HTTP 400) as ReadingStoreUnavailableError with the body text', async () => {
    // a string "value" in a shard of its own (2030): floats written there afterwards conflict
    const when = Date.UTC(2030, 0, 1);
    const seeded = await fetch(`${influxSvc.url}/write?db=${db}&precision=ms`, { method: 'POST', body: `readings,tenant_id=t,machine_id=m,metric=x value="text" ${when}` });
    expect(seeded.status).toBe(204);
    const [t, m] = [randomUUID(), randomUUID()];
    const point = { tenantId: t, machineId: m, metric: 'x', value: 1, unit: '', rawTag: null, timestamp: new Date(when + 1) };
    const err = await store.write([point]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReadingStoreUnavailableError);
    expect((err as Error).message).toMatch(/HTTP 400: .*partial write: field type conflict/);
  });

  it('maps HTTP errors, refused connections and timeouts to ReadingStoreUnavailableError', async () => {
    stubDelayMs = 0;
    for (const status of [400, 401, 500, 503]) {
      stubStatus = status;
      const s = new InfluxReadingStore({ url: stubUrl, db: 'x' });
      const err = await s.write([pt('t', 'm', 'x', 0, 1)]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReadingStoreUnavailableError);
      expect((err as Error).message).toContain(`HTTP ${status}`);
      expect((err as Error).message).toContain(`stub says ${status}`);
    }
    stubStatus = 503;
    await expect(new InfluxReadingStore({ url: stubUrl, db: 'x' }).ping()).rejects.toBeInstanceOf(ReadingStoreUnavailableError);
    await expect(new InfluxReadingStore({ url: stubUrl, db: 'x' }).latest('t', ['m'])).rejects.toBeInstanceOf(ReadingStoreUnavailableError);
    const refused = await new InfluxReadingStore({ url: stubUrl, db: 'x' }).query(q('t', 'm')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ReadingStoreUnavailableError);
    expect((refused as Error).message).toContain('stub says 503');

    stubStatus = 204;
    stubDelayMs = 500;
    const slow = new InfluxReadingStore({ url: stubUrl, db: 'x', timeoutMs: 100 });
    const err = await slow.write([pt('t', 'm', 'x', 0, 1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReadingStoreUnavailableError);
    expect((err as Error).message).toMatch(/within 100 ms/);
    await expect(slow.ping()).rejects.toBeInstanceOf(ReadingStoreUnavailableError);
    const slowQuery = await slow.query(q('t', 'm')).catch((e: unknown) => e);
    expect(slowQuery).toBeInstanceOf(ReadingStoreUnavailableError);
    expect((slowQuery as Error).message).toMatch(/within 100 ms/);
    stubDelayMs = 0;
    await expect(new InfluxReadingStore({ url: stubUrl, db: 'x' }).write([pt('t', 'm', 'x', 0, 1)])).resolves.toBeUndefined();

    // nothing listens on port 9 (discard) on loopback
    const down = new InfluxReadingStore({ url: 'http://127.0.0.1:9', db: 'x', timeoutMs: 2000 });
    await expect(down.write([pt('t', 'm', 'x', 0, 1)])).rejects.toBeInstanceOf(ReadingStoreUnavailableError);
    await expect(down.ping()).rejects.toBeInstanceOf(ReadingStoreUnavailableError);
    await expect(down.query(q('t', 'm'))).rejects.toBeInstanceOf(ReadingStoreUnavailableError);
  });
});
