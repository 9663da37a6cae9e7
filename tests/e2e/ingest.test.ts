/**
 * POST /ingest, the reading queries (latest, time series) and machine liveness, end to end over
 * REST, GraphQL and the dashboard socket. The whole suite runs once per reading store: PostgreSQL
 * (no INFLUX_URL) and InfluxDB (INFLUX_URL, a database of its own that is dropped afterwards).
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type HttpResult, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService, SERVICE_URLS } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const influxSvc = await probeService('influxdb');

const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const WAIT_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const MIN = 60_000;
/** A 5-minute-aligned instant about two hours ago: buckets of 1m and 5m start exactly there. */
const BASE = Math.floor((Date.now() - 2 * 3600_000) / (5 * MIN)) * 5 * MIN;
const at = (offsetSec: number) => new Date(BASE + offsetSec * 1000).toISOString();
const isoMs = (ms: number) => new Date(ms).toISOString();

interface Backend {
  label: string;
  influx: boolean;
  skip: boolean;
  why: string;
}

const BACKENDS: Backend[] = [
  { label: 'PostgreSQL store', influx: false, skip: pgSvc.skip, why: pgSvc.label },
  { label: 'InfluxDB store', influx: true, skip: pgSvc.skip || influxSvc.skip, why: pgSvc.label || influxSvc.label },
];

interface Reading {
  machine_identifier?: unknown;
  timestamp?: unknown;
  metric_name?: unknown;
  value?: unknown;
  unit?: unknown;
  raw_tag?: unknown;
}

interface Plant {
  admin: TenantSession;
  ingestKey: string;
  /** identifier -> machine id */
  ids: Record<string, string>;
}

/** Creates / drops an InfluxDB database through the v1 HTTP API. */
async function influxQuery(q: string, db?: string): Promise<any> {
  const form = new URLSearchParams({ q });
  if (db) form.set('db', db);
  const res = await fetch(`${SERVICE_URLS.influxdb}/query`, { method: 'POST', body: form });
  return res.json();
}

/** A raw dashboard socket client: authenticates with the first frame and records every message. */
class Dash {
  readonly ws: WebSocket;
  readonly messages: Record<string, any>[] = [];
  private closed = false;

  constructor(baseUrl: string, token: string) {
    this.ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/ws/dashboard`);
    this.ws.on('open', () => this.ws.send(token));
    this.ws.on('message', (d) => this.messages.push(JSON.parse(String(d))));
    this.ws.on('close', () => (this.closed = true));
    this.ws.on('error', () => undefined);
  }

  /** Bounded wait for the first message matching pred. */
  async waitFor(pred: (m: Record<string, any>) => boolean, what: string, ms = WAIT_MS): Promise<Record<string, any>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.messages.find(pred);
      if (hit) return hit;
      if (this.closed) throw new Error(`dashboard socket closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => m.type))}`);
      await sleep(50);
    }
  }

  close(): void {
    this.ws.terminate();
  }
}

describe.each(BACKENDS)('ingestion and readings on the $label', (b) => {
  describe.skipIf(b.skip)(`ingestion and readings (${b.label})${b.why}`, () => {
    const influxDb = `hf_ingest_${randomBytes(5).toString('hex')}`;
    const storeEnv: Record<string, string> = b.influx ? { INFLUX_URL: SERVICE_URLS.influxdb, INFLUX_DB: influxDb } : {};
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ env: storeEnv });
      expect(t.app.container.readings.kind).toBe(b.influx ? 'influxdb' : 'postgres');
    });
    afterAll(async () => {
      await t?.stop();
      if (b.influx) {
        await influxQuery(`DROP DATABASE "${influxDb}"`);
        const shown = await influxQuery('SHOW DATABASES');
        expect(JSON.stringify(shown)).not.toContain(influxDb);
      }
    });

    // ------------------------------------------------------------------ helpers

    /** A new tenant with an `ingest` key and active machines with the given identifiers. */
    async function plant(identifiers: string[], label = 'ingest'): Promise<Plant> {
      const admin = await registerTenant(t.api, label);
      const { key } = await createApiKey(t.api, admin, ['ingest']);
      const ids: Record<string, string> = {};
      for (const id of identifiers) ids[id] = await machine(admin, id);
      return { admin, ingestKey: key, ids };
    }

    async function machine(admin: TenantSession, identifier: string): Promise<string> {
      const r = await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: `Machine ${identifier}`, machine_identifier: identifier, protocol: 'json' } });
      if (r.status !== 201) throw new Error(`create machine ${identifier}: ${r.status} ${r.text}`);
      return r.body.id;
    }

    const ingest = (key: string, readings: unknown) => http('POST', `${t.api}/ingest`, { apiKey: key, body: { readings } });
    const ingestRaw = (key: string, raw: string) => http('POST', `${t.api}/ingest`, { apiKey: key, raw });

    async function ingestOk(key: string, readings: Reading[]): Promise<void> {
      const r = await ingest(key, readings);
      expect(r.status, r.text).toBe(207);
      expect(r.body, r.text).toEqual({ accepted_count: readings.length, rejected_count: 0, errors: [] });
    }

    const latest = (p: Plant, machineId: string) => http('GET', `${t.api}/machines/${machineId}/readings/latest`, { token: p.admin.token });

    function series(p: Plant, machineId: string, q: Record<string, string>, o: { apiKey?: string; prefix?: string } = {}): Promise<HttpResult> {
      const qs = new URLSearchParams(q).toString();
      return http('GET', `${t.api}${o.prefix ?? '/machines'}/${machineId}/readings${qs ? `?${qs}` : ''}`, o.apiKey ? { apiKey: o.apiKey } : { token: p.admin.token });
    }

    const points = (r: HttpResult, metric: string) => (r.body.series as { metric: string; points: { timestamp: string; value: number }[] }[]).find((s) => s.metric === metric)?.points;

    const uid = () => randomUUID().slice(0, 8).toUpperCase();

    // ------------------------------------------------------------------ POST /ingest

    describe('POST /ingest', () => {
      it('the documented request example: 207 {accepted_count: 2, rejected_count: 0, errors: []}', async () => {
        const p = await plant(['CNC-001'], 'docs');
        const r = await ingest(p.ingestKey, [
          { machine_identifier: 'CNC-001', timestamp: '2026-04-04T10:30:00Z', metric_name: 'temperature', value: 72.5, unit: 'celsius' },
          { machine_identifier: 'CNC-001', timestamp: '2026-04-04T10:30:00Z', metric_name: 'vibration', value: 3.2, unit: 'mm/s', raw_tag: 'ns2_i1002' },
        ]);
        expect(r.status, r.text).toBe(207);
        expect(r.body).toEqual({ accepted_count: 2, rejected_count: 0, errors: [] });
        const l = await latest(p, p.ids['CNC-001']!);
        expect(l.status, l.text).toBe(200);
        expect(l.body).toEqual({
          machine_id: p.ids['CNC-001'],
          readings: [
            { metric_name: 'temperature', value: 72.5, unit: 'celsius', raw_tag: null, timestamp: '2026-04-04T10:30:00.000Z' },
            { metric_name: 'vibration', value: 3.2, unit: 'mm/s', raw_tag: 'ns2_i1002', timestamp: '2026-04-04T10:30:00.000Z' },
          ],
        });
      });

      it('the documented partial failure: 7 readings, zero-based indexes 3 and 6 rejected, the 5 others stored', async () => {
        const p = await plant(['CNC-001'], 'partial');
        const ok = (i: number): Reading => ({ machine_identifier: 'CNC-001', timestamp: at(i), metric_name: 'temperature', value: 70 + i, unit: 'celsius' });
        const r = await ingest(p.ingestKey, [
          ok(0),
          ok(1),
          ok(2),
          { machine_identifier: 'UNKNOWN-001', timestamp: at(3), metric_name: 'temperature', value: 1, unit: 'celsius' },
          ok(4),
          ok(5),
          { machine_identifier: 'CNC-001', timestamp: at(6), metric_name: 'temperature', value: 'NaN', unit: 'celsius' },
        ]);
        expect(r.status, r.text).toBe(207);
        expect(r.body).toEqual({
          accepted_count: 5,
          rejected_count: 2,
          errors: [
            { index: 3, machine_identifier: 'UNKNOWN-001', error: 'Machine not found' },
            { index: 6, machine_identifier: 'CNC-001', error: 'Value must be finite' },
          ],
        });
        const s = await series(p, p.ids['CNC-001']!, { start: at(0), end: at(60) });
        expect(s.status, s.text).toBe(200);
        expect(points(s, 'temperature')).toEqual([0, 1, 2, 4, 5].map((i) => ({ timestamp: isoMs(BASE + i * 1000), value: 70 + i })));
      });

      describe('per-reading rules, each with its message', () => {
        let p: Plant;
        let other: Plant;
        const M = 'RULES-01';
        beforeAll(async () => {
          p = await plant([M, 'GONE-01'], 'rules');
          const del = await http('DELETE', `${t.api}/machines/${p.ids['GONE-01']}`, { token: p.admin.token });
          expect(del.status).toBe(204);
          other = await plant(['OTHER-TENANT-01'], 'rules-other');
        });

        const good = (over: Reading = {}): Reading => ({ machine_identifier: M, timestamp: isoMs(Date.now() - MIN), metric_name: `m_${uid()}`, value: 1.5, unit: 'celsius', ...over });

        async function expectRejected(reading: Reading, error: string, identifier: string | null = (reading.machine_identifier as string) ?? null) {
          const r = await ingest(p.ingestKey, [reading]);
          expect(r.status, r.text).toBe(207);
          expect(r.body, r.text).toEqual({ accepted_count: 0, rejected_count: 1, errors: [{ index: 0, machine_identifier: identifier, error }] });
        }

        /** Accepted, and the latest reading of that metric holds exactly `stored`. */
        async function expectStored(reading: Reading, stored: { value: number; timestamp: string; metric?: string }) {
          const r = await ingest(p.ingestKey, [reading]);
          expect(r.status, r.text).toBe(207);
          expect(r.body, r.text).toEqual({ accepted_count: 1, rejected_count: 0, errors: [] });
          const l = await latest(p, p.ids[M]!);
          const metric = stored.metric ?? (reading.metric_name as string);
          const row = l.body.readings.find((x: { metric_name: string }) => x.metric_name === metric);
          expect(row, l.text).toMatchObject({ metric_name: metric, value: stored.value, timestamp: stored.timestamp });
        }

        it('missing or empty machine_identifier: "machine_identifier is required"', async () => {
          const { machine_identifier: _drop, ...without } = good();
          await expectRejected(without, 'machine_identifier is required', null);
          await expectRejected(good({ machine_identifier: '' }), 'machine_identifier is required', '');
          await expectRejected(good({ machine_identifier: 42 }), 'machine_identifier is required', null);
        });

        it('unknown, soft-deleted and another tenant\'s machine: "Machine not found"', async () => {
          await expectRejected(good({ machine_identifier: 'NOPE-404' }), 'Machine not found');
          await expectRejected(good({ machine_identifier: 'GONE-01' }), 'Machine not found');
          await expectRejected(good({ machine_identifier: 'OTHER-TENANT-01' }), 'Machine not found');
          // and the other tenant's machine got nothing
          const l = await latest(other, other.ids['OTHER-TENANT-01']!);
          expect(l.body.readings).toEqual([]);
        });

        it('a machine soft-deleted right after taking readings is refused on the very next batch', async () => {
          const id = await machine(p.admin, 'SOON-GONE');
          const first = await ingest(p.ingestKey, [good({ machine_identifier: 'SOON-GONE' })]);
          expect(first.body).toMatchObject({ accepted_count: 1, rejected_count: 0 });
          expect((await http('DELETE', `${t.api}/machines/${id}`, { token: p.admin.token })).status).toBe(204);
          await expectRejected(good({ machine_identifier: 'SOON-GONE', metric_name: 'after_delete' }), 'Machine not found');
        });

        it.each(['NaN', 'Infinity', '-Infinity'])('value %s as a bare JSON token: "Value must be finite", the batch still parses', async (token) => {
          const ts = isoMs(Date.now() - MIN);
          const raw =
            `{"readings": [{"machine_identifier": "${M}", "timestamp": "${ts}", "metric_name": "tok", "value": ${token}, "unit": "celsius"},` +
            ` {"machine_identifier": "${M}", "timestamp": "${ts}", "metric_name": "tok_ok", "value": 2.5, "unit": "c", "raw_tag": "say NaN"}]}`;
          const r = await ingestRaw(p.ingestKey, raw);
          expect(r.status, r.text).toBe(207);
          expect(r.body).toEqual({ accepted_count: 1, rejected_count: 1, errors: [{ index: 0, machine_identifier: M, error: 'Value must be finite' }] });
        });

        it.each(['NaN', 'Infinity', '-Infinity', 'nan', '+inf'])('value "%s" as a string: "Value must be finite"', async (s) => {
          await expectRejected(good({ value: s }), 'Value must be finite');
        });

        it('a non-numeric value: "Value must be a number"; a missing one: "value is required"', async () => {
          await expectRejected(good({ value: 'hot' }), 'Value must be a number');
          await expectRejected(good({ value: true }), 'Value must be a number');
          await expectRejected(good({ value: { v: 1 } }), 'Value must be a number');
          await expectRejected(good({ value: [] }), 'Value must be a number');
          const { value: _v, ...without } = good();
          await expectRejected(without, 'value is required');
          await expectRejected(good({ value: null }), 'value is required');
        });

        it('a numeric string is accepted and stored as the number', async () => {
          const ts = isoMs(Date.now() - 2 * MIN);
          await expectStored(good({ value: '72.5', timestamp: ts, metric_name: 'numstr' }), { value: 72.5, timestamp: ts });
          await expectStored(good({ value: ' -1e3 ', timestamp: ts, metric_name: 'numstr_exp' }), { value: -1000, timestamp: ts });
        });

        it('timestamp more than 5 minutes ahead: rejected; 4 minutes ahead: accepted', async () => {
          await expectRejected(good({ timestamp: isoMs(Date.now() + 6 * MIN) }), 'Timestamp is more than 5 minutes in the future');
          const soon = isoMs(Math.floor((Date.now() + 4 * MIN) / 1000) * 1000);
          await expectStored(good({ timestamp: soon, metric_name: 'future_ok', value: 4 }), { value: 4, timestamp: soon });
        });

        it('timestamp more than 3650 days back: rejected; 3649 days back: accepted', async () => {
          await expectRejected(good({ timestamp: isoMs(Date.now() - 3651 * 86_400_000) }), 'Timestamp is more than 3650 days in the past');
          const old = isoMs(Math.floor((Date.now() - 3649 * 86_400_000) / 1000) * 1000);
          await expectStored(good({ timestamp: old, metric_name: 'old_ok', value: 3649 }), { value: 3649, timestamp: old });
        });

        it('timestamp without a zone, impossible dates and non-dates: rejected with the format message', async () => {
          const msg = 'timestamp must be an ISO 8601 date-time with a time zone, e.g. 2026-04-04T10:30:00Z';
          for (const ts of ['2026-04-04T10:30:00', '2026-02-30T00:00:00Z', '2026-02-30T10:00:00+02:00', '2026-13-01T00:00:00Z', '2026-04-04', 'yesterday', '']) {
            await expectRejected(good({ timestamp: ts }), msg);
          }
          await expectRejected(good({ timestamp: 1775298600000 }), 'timestamp is required (ISO 8601, UTC)');
        });

        it('timestamp with an offset (+02:00) is accepted and stored as UTC', async () => {
          const utc = new Date(Math.floor((Date.now() - 30 * MIN) / 1000) * 1000);
          const local = new Date(utc.getTime() + 2 * 3600_000).toISOString().replace('.000Z', '+02:00');
          expect(local).toMatch(/\+02:00$/);
          await expectStored(good({ timestamp: local, metric_name: 'offset', value: 2 }), { value: 2, timestamp: utc.toISOString() });
        });

        it('metric_name of 255 characters is accepted, 256 rejected; missing rejected', async () => {
          const n255 = 'm'.repeat(255);
          const ts = isoMs(Date.now() - 3 * MIN);
          await expectStored(good({ metric_name: n255, timestamp: ts, value: 255 }), { value: 255, timestamp: ts });
          await expectRejected(good({ metric_name: 'm'.repeat(256) }), 'metric_name must be at most 255 characters');
          await expectRejected(good({ metric_name: '' }), 'metric_name is required');
          const { metric_name: _m, ...without } = good();
          await expectRejected(without, 'metric_name is required');
        });

        it('missing unit: "unit is required"', async () => {
          const { unit: _u, ...without } = good();
          await expectRejected(without, 'unit is required');
          await expectRejected(good({ unit: '' }), 'unit is required');
        });

        it('NUL characters and unpaired surrogates in strings: rejected per reading, never a 500', async () => {
          await expectRejected(good({ machine_identifier: `${M}\u0000` }), 'machine_identifier must not contain NUL characters or unpaired surrogates');
          await expectRejected(good({ metric_name: 'a\u0000b' }), 'metric_name must not contain NUL characters or unpaired surrogates');
          await expectRejected(good({ unit: 'c\u0000' }), 'unit must not contain NUL characters or unpaired surrogates');
          await expectRejected(good({ raw_tag: '\u0000' }), 'raw_tag must not contain NUL characters or unpaired surrogates');
          // JSON.stringify writes a lone surrogate as the escape \ud800
          await expectRejected(good({ metric_name: 'a\ud800b' }), 'metric_name must not contain NUL characters or unpaired surrogates');
          await expectRejected(good({ unit: '\udc00' }), 'unit must not contain NUL characters or unpaired surrogates');
          // a proper surrogate pair is fine
          const ts = isoMs(Date.now() - 4 * MIN);
          await expectStored(good({ metric_name: 'thermo \ud83c\udf21', timestamp: ts, value: 21 }), { value: 21, timestamp: ts });
          const q = await series(p, p.ids[M]!, { metric: 'a\u0000b' });
          expect(q.status, q.text).toBe(422);
          expect(q.body.detail[0]).toMatchObject({ loc: ['query', 'metric'], msg: 'metric names must not contain NUL characters or unpaired surrogates' });
        });

        it('control characters and bidi overrides in metric_name and unit: rejected per reading; other Unicode stored (issue 8)', async () => {
          const control = 'must not contain control characters';
          const bidi = 'must not contain bidirectional override characters (U+202A-U+202E, U+2066-U+2069)';
          for (const [name, msg] of [['line1\nline2', control], ['tab\there', control], ['bell\u0007', control], ['del\u007f', control], ['c1\u0085', control], ['temp\u202egnp.exe', bidi], ['iso\u2066late\u2069', bidi]] as const) {
            await expectRejected(good({ metric_name: name }), `metric_name ${msg}`);
            await expectRejected(good({ unit: name }), `unit ${msg}`);
          }
          const ts = isoMs(Date.now() - 5 * MIN);
          await expectStored(good({ metric_name: 'Presse 3 — Ärger ✓ 机器 \u200f', unit: '°C', timestamp: ts, value: 8 }), { value: 8, timestamp: ts });
        });

        it('a reading that is not an object is rejected on its own', async () => {
          const r = await ingest(p.ingestKey, [null, 'x', good({ metric_name: 'obj_ok' }), [1]]);
          expect(r.status, r.text).toBe(207);
          expect(r.body).toEqual({
            accepted_count: 1,
            rejected_count: 3,
            errors: [0, 1, 3].map((index) => ({ index, machine_identifier: null, error: 'Reading must be an object' })),
          });
        });
      });

      it('a batch of 1000 readings is accepted; 1001 is 422 and stores nothing', async () => {
        const p = await plant(['BATCH-01'], 'batch');
        const make = (n: number, metric: string): Reading[] =>
          Array.from({ length: n }, (_, i) => ({ machine_identifier: 'BATCH-01', timestamp: isoMs(BASE + i * 1000), metric_name: metric, value: i, unit: 'u' }));
        await ingestOk(p.ingestKey, make(1000, 'k'));
        const tooMany = await ingest(p.ingestKey, make(1001, 'over'));
        expect(tooMany.status, tooMany.text).toBe(422);
        expect(tooMany.body.detail[0]).toMatchObject({ loc: ['body', 'readings'], type: 'too_long' });
        expect(tooMany.body.detail[0].msg).toContain('1000');
        const count = await series(p, p.ids['BATCH-01']!, { start: at(0), end: at(1200), interval: '1h', aggregation: 'count' });
        expect(count.status, count.text).toBe(200);
        expect(count.body.series.map((s: { metric: string }) => s.metric)).toEqual(['k']);
        expect(count.body.series[0].points.reduce((a: number, x: { value: number }) => a + x.value, 0)).toBe(1000);
      });

      it('a body over 10 MB is 413 {detail}', async () => {
        const p = await plant([], 'big');
        const raw = `{"readings": [], "pad": "${'x'.repeat(10 * 1024 * 1024 + 16)}"}`;
        const r = await ingestRaw(p.ingestKey, raw);
        expect(r.status).toBe(413);
        expect(r.body).toEqual({ detail: 'Request body too large' });
      });

      it('malformed JSON is 400; `readings` missing or not an array is 422', async () => {
        const p = await plant([], 'malformed');
        for (const raw of ['{"readings": [', '{readings: []}', '{"readings": [NaNx]}']) {
          const r = await ingestRaw(p.ingestKey, raw);
          expect(r.status, raw).toBe(400);
          expect(r.body).toEqual({ detail: 'Malformed JSON in request body' });
        }
        for (const body of [{ readings: 'x' }, { readings: { a: 1 } }, { readings: null }, {}, [], 'text']) {
          const r = await http('POST', `${t.api}/ingest`, { apiKey: p.ingestKey, body });
          expect(r.status, `${JSON.stringify(body)} -> ${r.text}`).toBe(422);
          expect(Array.isArray(r.body.detail), r.text).toBe(true);
          expect(r.body.detail[0].loc[0]).toBe('body');
        }
      });

      it('an all-rejected batch is still 207 (per-reading rules come before the machine lookup); an empty one is 207 with zero counts', async () => {
        const p = await plant([], 'allbad');
        const r = await ingest(p.ingestKey, [
          { machine_identifier: 'A-1', timestamp: at(0), metric_name: 't', value: 1, unit: 'c' },
          { machine_identifier: 'A-2', timestamp: at(0), metric_name: 't', value: 'NaN', unit: 'c' },
        ]);
        expect(r.status).toBe(207);
        expect(r.body).toEqual({
          accepted_count: 0,
          rejected_count: 2,
          errors: [
            { index: 0, machine_identifier: 'A-1', error: 'Machine not found' },
            { index: 1, machine_identifier: 'A-2', error: 'Value must be finite' },
          ],
        });
        const empty = await ingest(p.ingestKey, []);
        expect(empty.status).toBe(207);
        expect(empty.body).toEqual({ accepted_count: 0, rejected_count: 0, errors: [] });
      });

      it('resending a batch overwrites duplicates: the latest value wins, point counts do not change', async () => {
        const p = await plant(['DUP-01'], 'dup');
        const batch = (v: number): Reading[] => [0, 10, 20].map((s, i) => ({ machine_identifier: 'DUP-01', timestamp: at(s), metric_name: 'd', value: v + i, unit: 'c' }));
        await ingestOk(p.ingestKey, batch(1));
        await ingestOk(p.ingestKey, batch(1));
        await ingestOk(p.ingestKey, batch(100));
        const raw = await series(p, p.ids['DUP-01']!, { start: at(0), end: at(60) });
        expect(points(raw, 'd')).toEqual([
          { timestamp: at(0), value: 100 },
          { timestamp: at(10), value: 101 },
          { timestamp: at(20), value: 102 },
        ]);
        const count = await series(p, p.ids['DUP-01']!, { start: at(0), end: at(60), interval: '1m', aggregation: 'count' });
        expect(points(count, 'd')).toEqual([{ timestamp: at(0), value: 3 }]);
        // within one batch the last duplicate wins too
        await ingestOk(p.ingestKey, [
          { machine_identifier: 'DUP-01', timestamp: at(30), metric_name: 'd', value: 1, unit: 'c' },
          { machine_identifier: 'DUP-01', timestamp: at(30), metric_name: 'd', value: 2, unit: 'c' },
        ]);
        const after = await series(p, p.ids['DUP-01']!, { start: at(30), end: at(31) });
        expect(points(after, 'd')).toEqual([{ timestamp: at(30), value: 2 }]);
      });

      it('credentials: none is 401, a user JWT is 403, a key without `ingest` is 403 with the scope message', async () => {
        const p = await plant(['AUTH-01'], 'ingauth');
        const body = [{ machine_identifier: 'AUTH-01', timestamp: at(0), metric_name: 't', value: 1, unit: 'c' }];
        const anon = await http('POST', `${t.api}/ingest`, { body: { readings: body } });
        expect(anon.status).toBe(401);
        expect(typeof anon.body.detail).toBe('string');
        const jwt = await http('POST', `${t.api}/ingest`, { token: p.admin.token, body: { readings: body } });
        expect(jwt.status).toBe(403);
        expect(jwt.body).toEqual({ detail: 'This endpoint requires an API key (X-API-Key)' });
        const { key } = await createApiKey(t.api, p.admin, ['read:sensors', 'read:machines', 'agent']);
        const scoped = await ingest(key, body);
        expect(scoped.status).toBe(403);
        expect(scoped.body).toEqual({ detail: 'API key does not have the required scope: ingest' });
        const l = await latest(p, p.ids['AUTH-01']!);
        expect(l.body.readings).toEqual([]);
      });
    });

    // ------------------------------------------------------------------ reads

    describe('GET .../readings/latest', () => {
      it('shows the newest reading of each metric, whatever the arrival order', async () => {
        const p = await plant(['LAT-01', 'LAT-02'], 'latest');
        const r = (s: number, metric: string, value: number, unit = 'celsius', raw_tag?: string): Reading => ({ machine_identifier: 'LAT-01', timestamp: at(s), metric_name: metric, value, unit, raw_tag });
        await ingestOk(p.ingestKey, [r(60, 'temperature', 61), r(0, 'temperature', 60), r(30, 'vibration', 3.1, 'mm/s', 'ns2_i1002')]);
        await ingestOk(p.ingestKey, [r(120, 'temperature', 62, 'fahrenheit'), r(10, 'vibration', 9.9, 'mm/s')]);
        await ingestOk(p.ingestKey, [{ machine_identifier: 'LAT-02', timestamp: at(500), metric_name: 'temperature', value: 99, unit: 'celsius' }]);
        const l = await latest(p, p.ids['LAT-01']!);
        expect(l.status).toBe(200);
        expect(l.body).toEqual({
          machine_id: p.ids['LAT-01'],
          readings: [
            { metric_name: 'temperature', value: 62, unit: 'fahrenheit', raw_tag: null, timestamp: at(120) },
            { metric_name: 'vibration', value: 3.1, unit: 'mm/s', raw_tag: 'ns2_i1002', timestamp: at(30) },
          ],
        });
        const empty = await latest(p, (await http('POST', `${t.api}/machines`, { token: p.admin.token, body: { name: 'Quiet', machine_identifier: 'QUIET', protocol: 'json' } })).body.id);
        expect(empty.body.readings).toEqual([]);
      });
    });

    describe('GET .../readings (time series)', () => {
      let p: Plant;
      let id: string;
      // offset (s) -> value; 1m buckets at 0, 60, 300, 540; 5m buckets at 0 and 300
      const T: [number, number][] = [[0, 1], [20, 3], [40, 5], [60, 10], [100, 20], [300, 7], [310, -1], [590, 4]];
      const V: [number, number][] = [[30, 0.5], [330, 1.5]];
      beforeAll(async () => {
        p = await plant(['TS-01'], 'series');
        id = p.ids['TS-01']!;
        const mk = (metric: string, unit: string) => ([s, value]: [number, number]): Reading => ({ machine_identifier: 'TS-01', timestamp: at(s), metric_name: metric, value, unit });
        await ingestOk(p.ingestKey, [...T.map(mk('t', 'celsius')), ...V.map(mk('v', 'mm/s')), mk('p', 'psi')([45, 30])]);
        // a reading outside the window of the queries below
        await ingestOk(p.ingestKey, [{ machine_identifier: 'TS-01', timestamp: at(-3600), metric_name: 't', value: 1000, unit: 'celsius' }]);
      });
      const win = { start: at(0), end: at(600) };

      it('raw points of one metric: sorted, in the one series shape (no copy of the points at the top)', async () => {
        const r = await series(p, id, { ...win, metric: 't' });
        expect(r.status, r.text).toBe(200);
        const pts = T.map(([s, value]) => ({ timestamp: at(s), value }));
        expect(r.body).toEqual({
          machine_id: id,
          start: at(0),
          end: at(600),
          interval: null,
          aggregation: null,
          series: [{ metric: 't', unit: 'celsius', points: pts }],
        });
      });

      const expected1m: Record<string, number[]> = {
        mean: [3, 15, 3, 4],
        min: [1, 10, -1, 4],
        max: [5, 20, 7, 4],
        sum: [9, 30, 6, 4],
        count: [3, 2, 2, 1],
        first: [1, 10, 7, 4],
        last: [5, 20, -1, 4],
      };
      const expected5m: Record<string, number[]> = {
        mean: [39 / 5, 10 / 3],
        min: [1, -1],
        max: [20, 7],
        sum: [39, 10],
        count: [5, 3],
        first: [1, 7],
        last: [20, 4],
      };

      it.each(Object.keys(expected1m))('aggregation %s over 1m and 5m buckets (hand-computed)', async (aggregation) => {
        const one = await series(p, id, { ...win, metric: 't', interval: '1m', aggregation });
        expect(one.status, one.text).toBe(200);
        expect(one.body).toMatchObject({ interval: '1m', aggregation, series: [{ metric: 't', unit: 'celsius' }] });
        expect(points(one, 't')!.map((x: { timestamp: string }) => x.timestamp)).toEqual([at(0), at(60), at(300), at(540)]);
        points(one, 't')!.forEach((x: { value: number }, i: number) => expect(x.value).toBeCloseTo(expected1m[aggregation]![i]!, 9));
        const five = await series(p, id, { ...win, metric: 't', interval: '5m', aggregation });
        expect(five.status, five.text).toBe(200);
        expect(points(five, 't')!.map((x: { timestamp: string }) => x.timestamp)).toEqual([at(0), at(300)]);
        points(five, 't')!.forEach((x: { value: number }, i: number) => expect(x.value).toBeCloseTo(expected5m[aggregation]![i]!, 9));
      });

      it('interval without aggregation means mean', async () => {
        const r = await series(p, id, { ...win, metric: 'v', interval: '5m' });
        expect(r.body).toMatchObject({ aggregation: 'mean', series: [{ metric: 'v', unit: 'mm/s', points: [{ timestamp: at(0), value: 0.5 }, { timestamp: at(300), value: 1.5 }] }] });
      });

      it('metric=a,b returns exactly those series; no metric returns every metric', async () => {
        const two = await series(p, id, { ...win, metric: 't,v' });
        expect(two.status).toBe(200);
        expect(two.body.series.map((s: { metric: string }) => s.metric).sort()).toEqual(['t', 'v']);
        expect(two.body.metric).toBeUndefined();
        expect(points(two, 'v')).toEqual(V.map(([s, value]) => ({ timestamp: at(s), value })));
        const all = await series(p, id, win);
        expect(all.body.series.map((s: { metric: string; unit: string }) => [s.metric, s.unit]).sort()).toEqual([['p', 'psi'], ['t', 'celsius'], ['v', 'mm/s']]);
        // REST trims the items of its comma list
        const spaced = await series(p, id, { ...win, metric: ' t , v ,' });
        expect(spaced.body.series.map((s: { metric: string }) => s.metric).sort()).toEqual(['t', 'v']);
        const none = await series(p, id, { ...win, metric: 'nope' });
        expect(none.status).toBe(200);
        expect(none.body.series).toEqual([]);
      });

      it('metric given more than once names one metric per value, so a name may hold a comma (issue 8)', async () => {
        const q = await plant(['CM-01'], 'comma');
        const cm = q.ids['CM-01']!;
        await ingestOk(q.ingestKey, [
          { machine_identifier: 'CM-01', timestamp: at(10), metric_name: 'x,y', value: 1, unit: 'u' },
          { machine_identifier: 'CM-01', timestamp: at(10), metric_name: 'x', value: 2, unit: 'u' },
          { machine_identifier: 'CM-01', timestamp: at(10), metric_name: 'y', value: 3, unit: 'u' },
          { machine_identifier: 'CM-01', timestamp: at(10), metric_name: ' z', value: 4, unit: 'u' },
        ]);
        const get = (qs: string) => http('GET', `${t.api}/machines/${cm}/readings?start=${at(0)}&end=${at(600)}&${qs}`, { token: q.admin.token });
        const names = (r: HttpResult) => (r.body.series as { metric: string }[]).map((x) => x.metric).sort();
        // one value: the comma list of old (trimmed)
        expect(names(await get('metric=x,y'))).toEqual(['x', 'y']);
        // repeated: each value verbatim; an empty value asks for nothing, so it singles out "x,y"
        const one = await get('metric=x%2Cy&metric=');
        expect(one.status, one.text).toBe(200);
        expect(one.body.series).toEqual([{ metric: 'x,y', unit: 'u', points: [{ timestamp: at(10), value: 1 }] }]);
        expect(names(await get('metric=x,y&metric=y'))).toEqual(['x,y', 'y']);
        expect(names(await get('metric=%20z&metric=x'))).toEqual([' z', 'x']);
        expect(names(await get('metric=x,y&metric=x,y'))).toEqual(['x,y']);
        // the same on the /sensor-data path, bucketed
        const agg = await http('GET', `${t.api}/sensor-data/machines/${cm}/readings?start=${at(0)}&end=${at(600)}&interval=5m&metric=x,y&metric=`, { token: q.admin.token });
        expect(agg.body.series).toEqual([{ metric: 'x,y', unit: 'u', points: [{ timestamp: at(0), value: 1 }] }]);
        // more than 50 values is a 422 on the parameter
        const many = await get(Array.from({ length: 51 }, (_, i) => `metric=m${i}`).join('&'));
        expect(many.status, many.text).toBe(422);
        expect(many.body.detail[0].loc).toEqual(['query', 'metric']);
        // GraphQL lists are verbatim too: the same parsing in the readings service
        const g = await gql(t.url, `query($id: ID!, $m: [String!]) { machineReadings(machineId: $id, metrics: $m, start: "${at(0)}", end: "${at(600)}") { series { metric } } }`, { id: cm, m: ['x,y'] }, { token: q.admin.token });
        expect(g.body.data!.machineReadings.series).toEqual([{ metric: 'x,y' }]);
      });

      it('one answer shape for every request form: series only, never the points twice (issue 8)', async () => {
        for (const qs of [{ metric: 't' }, { metric: 't,v' }, {}, { metric: 't', interval: '5m' }, { metric: 'nope' }] as Record<string, string>[]) {
          const r = await series(p, id, { ...win, ...qs });
          expect(r.status, r.text).toBe(200);
          expect(Object.keys(r.body).sort(), JSON.stringify(qs)).toEqual(['aggregation', 'end', 'interval', 'machine_id', 'series', 'start']);
        }
      });

      it('start is inclusive, end exclusive', async () => {
        const r = await series(p, id, { start: at(20), end: at(590), metric: 't' });
        expect(points(r, 't')!.map((x: { value: number }) => x.value)).toEqual([3, 5, 10, 20, 7, -1]);
        const exact = await series(p, id, { start: at(590), end: at(591), metric: 't' });
        expect(points(exact, 't')).toEqual([{ timestamp: at(590), value: 4 }]);
        const bucket = await series(p, id, { start: at(20), end: at(60), metric: 't', interval: '1m', aggregation: 'sum' });
        expect(points(bucket, 't')).toEqual([{ timestamp: at(0), value: 8 }]);
      });

      it('start defaults to end - 24 h and end to now', async () => {
        const r = await series(p, id, { metric: 't' });
        expect(r.status).toBe(200);
        const end = Date.parse(r.body.end);
        expect(Math.abs(end - Date.now())).toBeLessThan(10_000);
        expect(end - Date.parse(r.body.start)).toBe(24 * 3600_000);
        expect(points(r, 't')!.map((x: { value: number }) => x.value)).toEqual([1000, ...T.map(([, v]) => v)]);
      });

      it('bad parameters are 422 with loc [query, name]', async () => {
        const cases: [Record<string, string>, string][] = [
          [{ interval: '7x' }, 'interval'],
          [{ interval: '0s' }, 'interval'],
          [{ interval: '31d' }, 'interval'],
          [{ aggregation: 'sum' }, 'aggregation'],
          [{ aggregation: 'median', interval: '1m' }, 'aggregation'],
          [{ start: 'yesterday' }, 'start'],
          [{ start: at(60), end: at(0) }, 'start'],
          [{ limit: '0' }, 'limit'],
          [{ limit: '100001' }, 'limit'],
        ];
        for (const [q, loc] of cases) {
          const r = await series(p, id, q);
          expect(r.status, `${JSON.stringify(q)} -> ${r.text}`).toBe(422);
          expect(r.body.detail.map((d: { loc: string[] }) => d.loc), JSON.stringify(q)).toContainEqual(['query', loc]);
        }
        const agg = await series(p, id, { aggregation: 'sum' });
        expect(agg.body.detail[0].msg).toBe('aggregation needs an interval');
      });

      it('more points than the limit: 422 with a clear message, raw and bucketed', async () => {
        const raw = await series(p, id, { ...win, metric: 't', limit: '7' });
        expect(raw.status, raw.text).toBe(422);
        expect(raw.body.detail).toEqual([
          { loc: ['query', 'limit'], msg: 'The query returns more than 7 points; narrow the time range, pick fewer metrics or use a larger interval', type: 'too_many_points' },
        ]);
        const fits = await series(p, id, { ...win, metric: 't', limit: '8' });
        expect(fits.status).toBe(200);
        expect(points(fits, 't')).toHaveLength(8);
        const buckets = await series(p, id, { ...win, metric: 't', interval: '1m', limit: '3' });
        expect(buckets.status, buckets.text).toBe(422);
        expect(buckets.body.detail[0]).toMatchObject({ loc: ['query', 'limit'], type: 'too_many_points' });
        const huge = await series(p, id, { start: isoMs(Date.now() - 20 * 86_400_000), metric: 't', interval: '1s' });
        expect(huge.status, huge.text).toBe(422);
        expect(huge.body.detail[0].msg).toBe('The query returns more than 10000 points; narrow the time range, pick fewer metrics or use a larger interval');
      });

      it("another tenant's machine and an unknown id are 404 (both paths)", async () => {
        const stranger = await registerTenant(t.api, 'stranger');
        for (const path of [`/machines/${id}/readings`, `/machines/${id}/readings/latest`, `/sensor-data/machines/${id}/readings`, `/machines/${randomUUID()}/readings`]) {
          const r = await http('GET', `${t.api}${path}`, { token: stranger.token });
          expect(r.status, path).toBe(404);
          expect(r.body).toEqual({ detail: expect.stringMatching(/not found/i) });
        }
        const { key } = await createApiKey(t.api, stranger, ['read:sensors']);
        const byKey = await series(p, id, win, { apiKey: key, prefix: '/sensor-data/machines' });
        expect(byKey.status).toBe(404);
      });

      it('/sensor-data/... and /machines/... with a read:sensors key work; a read:machines key is 403', async () => {
        const { key } = await createApiKey(t.api, p.admin, ['read:sensors']);
        for (const prefix of ['/sensor-data/machines', '/machines']) {
          const r = await series(p, id, { ...win, metric: 't', interval: '5m', aggregation: 'max' }, { apiKey: key, prefix });
          expect(r.status, `${prefix}: ${r.text}`).toBe(200);
          expect(points(r, 't')).toEqual([{ timestamp: at(0), value: 20 }, { timestamp: at(300), value: 7 }]);
          const l = await http('GET', `${t.api}${prefix}/${id}/readings/latest`, { apiKey: key });
          expect(l.status).toBe(200);
          expect(l.body.readings.map((x: { metric_name: string; value: number }) => [x.metric_name, x.value])).toEqual([['p', 30], ['t', 4], ['v', 1.5]]);
        }
        const viewer = await createUserSession(t.api, p.admin, 'viewer');
        const asViewer = await http('GET', `${t.api}/sensor-data/machines/${id}/readings/latest`, { token: viewer.token });
        expect(asViewer.status).toBe(200);
        const { key: machinesKey } = await createApiKey(t.api, p.admin, ['read:machines']);
        for (const path of [`/sensor-data/machines/${id}/readings`, `/sensor-data/machines/${id}/readings/latest`, `/machines/${id}/readings`]) {
          const r = await http('GET', `${t.api}${path}`, { apiKey: machinesKey });
          expect(r.status, path).toBe(403);
          expect(r.body).toEqual({ detail: 'API key does not have the required scope: read:sensors' });
        }
      });
    });

    // ------------------------------------------------------------------ machine status

    describe('machine status', () => {
      it('offline -> healthy after a current reading; last_reading_at in GET /machines and /fleet/status', async () => {
        const p = await plant(['LIVE-01', 'PAST-01'], 'status');
        const id = p.ids['LIVE-01']!;
        const before = await http('GET', `${t.api}/machines/${id}`, { token: p.admin.token });
        expect(before.body).toMatchObject({ status: 'offline', last_reading_at: null });
        const ts = isoMs(Math.floor((Date.now() - 5_000) / 1000) * 1000);
        await ingestOk(p.ingestKey, [{ machine_identifier: 'LIVE-01', timestamp: ts, metric_name: 't', value: 1, unit: 'c' }]);
        // a reading from two hours ago records the time but does not bring the machine online
        await ingestOk(p.ingestKey, [{ machine_identifier: 'PAST-01', timestamp: at(0), metric_name: 't', value: 1, unit: 'c' }]);

        const one = await http('GET', `${t.api}/machines/${id}`, { token: p.admin.token });
        expect(one.body).toMatchObject({ status: 'healthy', last_reading_at: ts });
        const list = await http('GET', `${t.api}/machines?sort_by=machine_identifier`, { token: p.admin.token });
        expect(list.body.items.map((m: { machine_identifier: string; status: string; last_reading_at: string | null }) => [m.machine_identifier, m.status, m.last_reading_at])).toEqual([
          ['LIVE-01', 'healthy', ts],
          ['PAST-01', 'offline', at(0)],
        ]);
        const healthy = await http('GET', `${t.api}/machines?status=healthy`, { token: p.admin.token });
        expect(healthy.body.items.map((m: { id: string }) => m.id)).toEqual([id]);
        const fleet = await http('GET', `${t.api}/fleet/status`, { token: p.admin.token });
        expect(fleet.status).toBe(200);
        expect(fleet.body.total_machines).toBe(2);
        expect(fleet.body.machines).toContainEqual({ id, name: 'Machine LIVE-01', status: 'healthy', alert_count: 0, last_reading_at: ts });
        expect(fleet.body.machines).toContainEqual({ id: p.ids['PAST-01'], name: 'Machine PAST-01', status: 'offline', alert_count: 0, last_reading_at: at(0) });
        // an older reading afterwards does not move last_reading_at back
        await ingestOk(p.ingestKey, [{ machine_identifier: 'LIVE-01', timestamp: at(0), metric_name: 't', value: 1, unit: 'c' }]);
        expect((await http('GET', `${t.api}/machines/${id}`, { token: p.admin.token })).body.last_reading_at).toBe(ts);
      });

      describe('with MACHINE_OFFLINE_AFTER_SEC=5', () => {
        let t5: TestApp;
        beforeAll(async () => {
          t5 = await startTestApp({ env: { ...storeEnv, MACHINE_OFFLINE_AFTER_SEC: '5', WS_HEARTBEAT_SEC: '1' } });
        });
        afterAll(async () => {
          await t5?.stop();
        });

        it('goes offline again after > 5 s of silence, with machine_status events both ways', async () => {
          const admin = await registerTenant(t5.api, 'silence');
          const { key } = await createApiKey(t5.api, admin, ['ingest']);
          const created = await http('POST', `${t5.api}/machines`, { token: admin.token, body: { name: 'Blinker', machine_identifier: 'BLINK-01', protocol: 'json' } });
          const id = created.body.id as string;
          const dash = new Dash(t5.url, admin.token);
          try {
            await dash.waitFor((m) => m.type === 'heartbeat', 'first heartbeat');
            const sentAt = Date.now();
            const ts = isoMs(sentAt);
            const r = await http('POST', `${t5.api}/ingest`, { apiKey: key, body: { readings: [{ machine_identifier: 'BLINK-01', timestamp: ts, metric_name: 't', value: 1, unit: 'c' }] } });
            expect(r.body.accepted_count, r.text).toBe(1);
            const up = await dash.waitFor((m) => m.type === 'machine_status' && m.machine_id === id && m.new_status === 'healthy', 'offline -> healthy');
            expect(up).toEqual({ type: 'machine_status', machine_id: id, old_status: 'offline', new_status: 'healthy', timestamp: expect.stringMatching(ISO_Z) });
            expect((await http('GET', `${t5.api}/machines/${id}`, { token: admin.token })).body.status).toBe('healthy');

            // bounded wait: the window is 5 s, the sweep runs every 1.25 s
            const down = await dash.waitFor((m) => m.type === 'machine_status' && m.machine_id === id && m.new_status === 'offline', 'healthy -> offline', 12_000);
            expect(Date.now() - Date.parse(ts)).toBeGreaterThan(5_000);
            expect(down).toEqual({ type: 'machine_status', machine_id: id, old_status: 'healthy', new_status: 'offline', timestamp: expect.stringMatching(ISO_Z) });
            expect(Date.parse(down.timestamp)).toBeGreaterThan(Date.parse(ts) + 5_000);
            const after = await http('GET', `${t5.api}/machines/${id}`, { token: admin.token });
            expect(after.body).toMatchObject({ status: 'offline', last_reading_at: ts });
            const fleet = await http('GET', `${t5.api}/fleet/status`, { token: admin.token });
            expect(fleet.body.machines).toEqual([{ id, name: 'Blinker', status: 'offline', alert_count: 0, last_reading_at: ts }]);

            // and a new reading brings it back
            const again = isoMs(Date.now());
            await http('POST', `${t5.api}/ingest`, { apiKey: key, body: { readings: [{ machine_identifier: 'BLINK-01', timestamp: again, metric_name: 't', value: 2, unit: 'c' }] } });
            await dash.waitFor((m) => m.type === 'machine_status' && m.machine_id === id && m.new_status === 'healthy' && m !== up, 'offline -> healthy again');
            expect((await http('GET', `${t5.api}/machines/${id}`, { token: admin.token })).body).toMatchObject({ status: 'healthy', last_reading_at: again });
          } finally {
            dash.close();
          }
        }, 30_000);

        it('a machine that keeps reporting stays online although its last_reading_at is written at most once per second (a fifth of the window)', async () => {
          const admin = await registerTenant(t5.api, 'steady');
          const { key } = await createApiKey(t5.api, admin, ['ingest']);
          const created = await http('POST', `${t5.api}/machines`, { token: admin.token, body: { name: 'Steady', machine_identifier: 'STEADY-01', protocol: 'json' } });
          const id = created.body.id as string;
          const dash = new Dash(t5.url, admin.token);
          try {
            await dash.waitFor((m) => m.type === 'heartbeat', 'first heartbeat');
            // one reading every 250 ms for 8 s: longer than the 5 s window, so a stored time lagging by more than the window would be swept
            const until = Date.now() + 8_000;
            let last = '';
            while (Date.now() < until) {
              last = isoMs(Date.now());
              const r = await http('POST', `${t5.api}/ingest`, { apiKey: key, body: { readings: [{ machine_identifier: 'STEADY-01', timestamp: last, metric_name: 't', value: 1, unit: 'c' }] } });
              expect(r.body.accepted_count, r.text).toBe(1);
              const m = await http('GET', `${t5.api}/machines/${id}`, { token: admin.token });
              expect(m.body.status).toBe('healthy');
              expect(Date.now() - Date.parse(m.body.last_reading_at)).toBeLessThan(5_000);
              await sleep(250);
            }
            const statuses = dash.messages.filter((m) => m.type === 'machine_status' && m.machine_id === id).map((m) => `${m.old_status}->${m.new_status}`);
            expect(statuses).toEqual(['offline->healthy']);
            // the newest reading's time is stored within the lag, with nobody sending anything
            await vi.waitFor(async () => expect((await http('GET', `${t5.api}/machines/${id}`, { token: admin.token })).body.last_reading_at).toBe(last), { timeout: 3_000, interval: 100 });
          } finally {
            dash.close();
          }
        }, 30_000);

        it('backfilled readings move last_reading_at once per lag, not once per batch; the newest time is stored within the lag', async () => {
          const admin = await registerTenant(t5.api, 'backfill');
          const { key } = await createApiKey(t5.api, admin, ['ingest']);
          const ids: string[] = [];
          for (const ident of ['BF-01', 'BF-02']) {
            const c = await http('POST', `${t5.api}/machines`, { token: admin.token, body: { name: ident, machine_identifier: ident, protocol: 'json' } });
            ids.push(c.body.id as string);
          }
          const base = Math.floor((Date.now() - 3600_000) / 1000) * 1000;
          const send = async (sec: number) => {
            const ts = isoMs(base + sec * 1000);
            const r = await http('POST', `${t5.api}/ingest`, { apiKey: key, body: { readings: ['BF-01', 'BF-02'].map((m) => ({ machine_identifier: m, timestamp: ts, metric_name: 't', value: sec, unit: 'c' })) } });
            expect(r.body.accepted_count, r.text).toBe(2);
            return ts;
          };
          const lastReadingAt = async (id: string) => (await http('GET', `${t5.api}/machines/${id}`, { token: admin.token })).body.last_reading_at as string;
          // the first reading this instance sees for a machine is stored at once
          const first = await send(0);
          expect(await lastReadingAt(ids[0]!)).toBe(first);
          // an hour-old reading cannot change the status: ten more batches, 10 s apart in data time, are not written one by one
          let newest = first;
          let writtenAtOnce = 0;
          for (let i = 1; i <= 10; i++) {
            newest = await send(i * 10);
            if ((await lastReadingAt(ids[0]!)) === newest) writtenAtOnce++;
          }
          // (a deferred write that happens to land between a batch and the look at it counts here too)
          expect(writtenAtOnce).toBeLessThan(5);
          await vi.waitFor(async () => expect([await lastReadingAt(ids[0]!), await lastReadingAt(ids[1]!)]).toEqual([newest, newest]), { timeout: 3_000, interval: 100 });
          for (const id of ids) expect((await http('GET', `${t5.api}/machines/${id}`, { token: admin.token })).body.status).toBe('offline');
        }, 30_000);
      });
    });

    // ------------------------------------------------------------------ GraphQL

    describe('GraphQL', () => {
      it('ingestReadings with an API key: counts and zero-based errors; with a JWT: FORBIDDEN', async () => {
        const p = await plant(['GQL-01'], 'gqlingest');
        const mutation = `mutation($r: [ReadingInput!]!) { ingestReadings(readings: $r) { acceptedCount rejectedCount errors { index machineIdentifier error } } }`;
        const readings = [
          { machineIdentifier: 'GQL-01', timestamp: at(0), metricName: 't', value: 1.25, unit: 'c', rawTag: 'ns2' },
          { machineIdentifier: 'NOPE', timestamp: at(0), metricName: 't', value: 1, unit: 'c' },
          { machineIdentifier: 'GQL-01', timestamp: '2026-04-04T10:30:00', metricName: 't', value: 1, unit: 'c' },
          { machineIdentifier: 'GQL-01', timestamp: at(60), metricName: 't', value: 2.5, unit: 'c' },
        ];
        const r = await gql(t.url, mutation, { r: readings }, { apiKey: p.ingestKey });
        expect(r.body.errors, r.text).toBeUndefined();
        expect(r.body.data!.ingestReadings).toEqual({
          acceptedCount: 2,
          rejectedCount: 2,
          errors: [
            { index: 1, machineIdentifier: 'NOPE', error: 'Machine not found' },
            { index: 2, machineIdentifier: 'GQL-01', error: 'timestamp must be an ISO 8601 date-time with a time zone, e.g. 2026-04-04T10:30:00Z' },
          ],
        });
        const jwt = await gql(t.url, mutation, { r: readings }, { token: p.admin.token });
        expect(jwt.body.errors?.[0]?.extensions?.code, jwt.text).toBe('FORBIDDEN');
        const { key } = await createApiKey(t.api, p.admin, ['read:sensors']);
        const scoped = await gql(t.url, mutation, { r: readings }, { apiKey: key });
        expect(scoped.body.errors?.[0]?.message).toBe('API key does not have the required scope: ingest');
        const tooMany = await gql(t.url, mutation, { r: Array.from({ length: 1001 }, () => readings[0]) }, { apiKey: p.ingestKey });
        expect(tooMany.body.errors?.[0]?.extensions?.code, tooMany.text.slice(0, 300)).toBe('BAD_USER_INPUT');
      });

      it('machine(id) { latestReadings, readings(interval: "1m", metrics: ["t"]) }', async () => {
        const p = await plant(['GQL-02'], 'gqlread');
        await ingestOk(p.ingestKey, [
          { machine_identifier: 'GQL-02', timestamp: at(0), metric_name: 't', value: 1, unit: 'c' },
          { machine_identifier: 'GQL-02', timestamp: at(30), metric_name: 't', value: 3, unit: 'c' },
          { machine_identifier: 'GQL-02', timestamp: at(70), metric_name: 't', value: 10, unit: 'c' },
          { machine_identifier: 'GQL-02', timestamp: at(70), metric_name: 'u', value: 99, unit: 'c' },
        ]);
        const r = await gql(
          t.url,
          `query($id: ID!) { machine(id: $id) { id latestReadings { metric value unit rawTag timestamp }
             readings(interval: "1m", metrics: ["t"]) { interval aggregation series { metric unit points { timestamp value } } } } }`,
          { id: p.ids['GQL-02'] },
          { token: p.admin.token },
        );
        expect(r.body.errors, r.text).toBeUndefined();
        expect(r.body.data!.machine).toEqual({
          id: p.ids['GQL-02'],
          latestReadings: [
            { metric: 't', value: 10, unit: 'c', rawTag: null, timestamp: at(70) },
            { metric: 'u', value: 99, unit: 'c', rawTag: null, timestamp: at(70) },
          ],
          readings: {
            interval: '1m',
            aggregation: 'mean',
            series: [{ metric: 't', unit: 'c', points: [{ timestamp: at(0), value: 2 }, { timestamp: at(60), value: 10 }] }],
          },
        });
        // GraphQL metric names are exact: " t" is not "t", and a blank name does not mean "every metric"
        for (const metrics of [[' t'], [' '], ['']]) {
          const exact = await gql(t.url, `query($id: ID!, $m: [String!]) { machine(id: $id) { readings(metrics: $m, start: "${at(0)}") { series { metric } } } }`, { id: p.ids['GQL-02'], m: metrics }, { token: p.admin.token });
          expect(exact.body.data!.machine.readings.series, JSON.stringify(metrics)).toEqual([]);
        }
        const bad = await gql(t.url, `query($id: ID!) { machine(id: $id) { readings(interval: "7x") { interval } } }`, { id: p.ids['GQL-02'] }, { token: p.admin.token });
        expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        const q = await gql(t.url, `query($id: ID!) { latestReadings(machineId: $id) { machineId readings { metric value } } }`, { id: p.ids['GQL-02'] }, { token: p.admin.token });
        expect(q.body.data!.latestReadings).toEqual({ machineId: p.ids['GQL-02'], readings: [{ metric: 't', value: 10 }, { metric: 'u', value: 99 }] });
      });

      it('machines { items { latestReadings } } loads the latest readings of a 20-machine page in one store query', async () => {
        const identifiers = Array.from({ length: 20 }, (_, i) => `NP1-${String(i).padStart(2, '0')}`);
        const p = await plant(identifiers, 'nplus1');
        await ingestOk(
          p.ingestKey,
          identifiers.flatMap((mi, i) => [
            { machine_identifier: mi, timestamp: at(0), metric_name: 'a', value: i, unit: 'c' },
            { machine_identifier: mi, timestamp: at(10), metric_name: 'b', value: i * 10, unit: 'c' },
          ]),
        );
        const store = t.app.container.readings;
        const spy = vi.spyOn(store, 'latest');
        const conn = t.app.container.db.em().getConnection();
        const sqlSpy = vi.spyOn(conn, 'execute');
        try {
          const r = await gql(t.url, `query { machines(pageSize: 20, sortBy: machine_identifier) { total items { machineIdentifier latestReadings { metric value } } } }`, undefined, { token: p.admin.token });
          expect(r.body.errors, r.text).toBeUndefined();
          expect(r.body.data!.machines.total).toBe(20);
          expect(r.body.data!.machines.items).toEqual(
            identifiers.map((mi, i) => ({ machineIdentifier: mi, latestReadings: [{ metric: 'a', value: i }, { metric: 'b', value: i * 10 }] })),
          );
          expect(spy).toHaveBeenCalledTimes(1);
          expect(spy.mock.calls[0]![0]).toBe(p.admin.tenantId);
          expect([...spy.mock.calls[0]![1]].sort()).toEqual(Object.values(p.ids).sort());
          if (!b.influx) {
            const latestSql = sqlSpy.mock.calls.filter(([sql]) => String(sql).includes('reading_latest'));
            expect(latestSql).toHaveLength(1);
          }
        } finally {
          spy.mockRestore();
          sqlSpy.mockRestore();
        }
      });
    });
  });
});
