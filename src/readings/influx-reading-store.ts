/**
 * ReadingStore on InfluxDB through the v1 HTTP API only (POST /write with line protocol, POST /query
 * with InfluxQL and bound parameters, GET /ping), which InfluxDB 1.x serves natively and 2.x / 3.x
 * serve as their v1 compatibility API. Verified against InfluxDB 1.6.7.
 *
 * Schema
 *   measurement  readings
 *   tags         tenant_id, machine_id, metric   (series cardinality = tenants × machines × metrics)
 *   fields       value   float
 *                unit    string
 *                raw_tag string; ALWAYS written, "" standing for null (see below)
 *   time         the reading's timestamp, written with precision=ms
 *   database     opts.db, retention policy "haltfree" (DURATION <retentionDays>d, the database's DEFAULT)
 *
 * A point with the same (tenant, machine, metric, time) as a stored one is the same series and
 * timestamp, which InfluxDB overwrites: retries are safe. InfluxDB MERGES the field sets of such
 * points though, so a field left out of the newer point would keep its old value; that is why
 * raw_tag is always written and a null raw tag is stored as "" (an empty raw tag therefore reads
 * back as null).
 *
 * Tag values (tenant, machine, metric) - line protocol limits, found empirically on 1.6.7:
 *   - space, comma and equals sign are backslash-escaped (the parser unescapes exactly those three);
 *   - a backslash is NOT an escape character of its own: "a\\b" is stored as the three characters
 *     a\\b, a trailing backslash fails to parse ("invalid tag format"), and "\\ " is ambiguous, so
 *     backslashes cannot round-trip through line protocol;
 *   - a newline ends the line; a tag value cannot be empty ("missing tag value").
 *   Hence tag values are percent-encoded for exactly these characters: "%" -> %25, "\" -> %5C,
 *   the C0 controls U+0000-U+001F (newline %0A, carriage return %0D, tab %09, ...) and U+007F;
 *   the empty string is stored as a lone "%" (unambiguous, since a real "%" is always %25).
 *   Every other character, non-ASCII included, is stored as is, so ordinary names stay readable
 *   in Grafana/Chronograf. Values read back are decoded, and bound query parameters compare
 *   against the encoded form.
 * String field values (unit, raw_tag): double quotes and backslashes are backslash-escaped;
 *   newlines and carriage returns are legal inside a quoted string field (verified: they
 *   round-trip), so they are written as is.
 * Field value: a finite float; NaN and ±Infinity cannot be stored in InfluxDB (write() rejects them).
 *
 * Queries: every user-supplied value (tenant, machine ids, metric names, start, end) is a bound
 * parameter ($name in the text, JSON in the `params` form field); only the aggregation (from the
 * closed AGGREGATIONS list), the integer interval and the integer limit are written into the
 * query text. Times are bound as RFC 3339 strings; 1.6.7 also accepts integer nanoseconds (exact,
 * decoded as int64), both verified. Bucket timestamps are bucket starts aligned to the Unix epoch
 * (InfluxDB's default GROUP BY time() offset), the same as PostgreSQL's date_bin from 1970-01-01.
 */
import http from 'node:http';
import https from 'node:https';
import {
  AGGREGATIONS,
  ReadingStoreUnavailableError,
  TooManyPointsError,
  type LatestReading,
  type ReadingPoint,
  type ReadingStore,
  type Series,
  type SeriesQuery,
} from './reading-store.js';

export interface InfluxReadingStoreOptions {
  /** base URL, e.g. http://127.0.0.1:8086 */
  url: string;
  /** database (1.x) / DBRP-mapped bucket (2.x, 3.x); [A-Za-z0-9_-]+ */
  db: string;
  /** sent as `Authorization: Token <token>` (2.x / 3.x compatibility API) */
  token?: string;
  /** with password: HTTP Basic auth (1.x) */
  user?: string;
  password?: string;
  /** per HTTP request; default 10,000 */
  timeoutMs?: number;
  /** retention of the "haltfree" policy init() creates; default 3650 */
  retentionDays?: number;
}

const MEASUREMENT = 'readings';
/** Where an aggregated query looks for the newest unit first: this long before its end (or one interval, if longer). */
const UNIT_TAIL_MS = 60 * 60 * 1000;
const RETENTION_POLICY = 'haltfree';
/** lines per POST /write */
const WRITE_CHUNK = 5000;
/** POST /write requests in flight at once for one write() */
const WRITE_CONCURRENCY = 4;
/** machine ids per latest() query */
const LATEST_CHUNK = 500;
/**
 * Rows per chunk of a raw query's streamed answer: 100,000 rows of a 255-character metric are a
 * ~30 MB answer; a chunk of them is ~0.6 MB, parsed in a few milliseconds.
 */
const QUERY_CHUNK_ROWS = 2000;
const DB_NAME = /^[A-Za-z0-9_-]+$/;
/** (tenant, machine) series prefixes kept escaped (~60 bytes each) */
const MAX_PREFIXES = 100_000;
/**
 * metric names kept escaped: a name may be 255 characters (up to ~0.8 KB escaped), so a tenant
 * sending ever new names would otherwise hold ~100 MB here; plants have hundreds of metrics.
 */
const MAX_METRIC_PREFIXES = 10_000;

// ---------------------------------------------------------------- encoding

const HEX = '0123456789ABCDEF';

/** true when c must be percent-encoded in a tag value */
function pctChar(c: number): boolean {
  return c < 0x20 || c === 0x25 /* % */ || c === 0x5c /* \ */ || c === 0x7f;
}

/** A tag value in line protocol: percent-encoding for %, \, control chars; backslash escapes for space , = */
export function encodeTagValue(s: string): string {
  const n = s.length;
  if (n === 0) return '%';
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x2c || c === 0x3d || c === 0x25 || c === 0x5c || c === 0x7f) break;
  }
  if (i === n) return s; // fast path: nothing to escape
  let out = s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (pctChar(c)) out += '%' + HEX[c >> 4] + HEX[c & 15];
    else if (c === 0x20 || c === 0x2c || c === 0x3d) out += '\\' + s[i];
    else out += s[i];
  }
  return out;
}

/** The stored (percent-encoded, unescaped) form of a tag value: what InfluxQL comparisons see. */
export function storedTagValue(s: string): string {
  if (s.length === 0) return '%';
  let i = 0;
  const n = s.length;
  for (; i < n && !pctChar(s.charCodeAt(i)); i++);
  if (i === n) return s;
  let out = s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    out += pctChar(c) ? '%' + HEX[c >> 4] + HEX[c & 15] : s[i];
  }
  return out;
}

/** Inverse of storedTagValue. */
export function decodeTagValue(s: string): string {
  if (s.indexOf('%') === -1) return s;
  if (s === '%') return '';
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** A string field value in line protocol, quotes included. */
export function encodeStringField(s: string): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) break;
  }
  if (i === n) return '"' + s + '"';
  let out = '"' + s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    out += c === 0x22 || c === 0x5c ? '\\' + s[i] : s[i];
  }
  return out + '"';
}

function checkPoint(p: ReadingPoint): void {
  if (typeof p.value !== 'number' || !Number.isFinite(p.value)) {
    throw new RangeError(`InfluxDB cannot store the value ${String(p.value)} (metric ${JSON.stringify(p.metric)})`);
  }
  if (!(p.timestamp instanceof Date) || !Number.isFinite(p.timestamp.getTime())) {
    throw new RangeError(`invalid timestamp for metric ${JSON.stringify(p.metric)}`);
  }
}

/** "readings,tenant_id=…,machine_id=…,metric=… value=": the series part of a line */
function seriesPrefix(tenantId: string, machineId: string, metric: string): string {
  return machinePart(tenantId, machineId) + metricPart(metric);
}

/** "readings,tenant_id=…,machine_id=…,metric=": a line up to the metric name */
function machinePart(tenantId: string, machineId: string): string {
  return 'readings,tenant_id=' + encodeTagValue(tenantId) + ',machine_id=' + encodeTagValue(machineId) + ',metric=';
}

/** "<metric> value=": the rest of the series part */
function metricPart(metric: string): string {
  return encodeTagValue(metric) + ' value=';
}

const PAD6 = ['', '0', '00', '000', '0000', '00000'];

/**
 * A ms timestamp as decimal text. Today's timestamps are past the small-integer range, and V8 turns
 * such a number into text by its general double conversion; as two small integers (millions and
 * the rest, zero-padded) it is several times cheaper, and the millions repeat (number-string cache).
 */
export function msText(ms: number): string {
  if (ms < 1e6 || ms >= 1e15 || !Number.isInteger(ms)) return String(ms);
  const hi = Math.floor(ms / 1e6);
  const lo = String(ms - hi * 1e6);
  return hi + PAD6[6 - lo.length]! + lo;
}

/** The rest of a line after the series prefix (value, unit, raw tag, ms timestamp, newline). */
function lineTail(p: ReadingPoint): string {
  return (
    p.value +
    ',unit=' +
    encodeStringField(p.unit) +
    ',raw_tag=' +
    (p.rawTag === null || p.rawTag === undefined ? '""' : encodeStringField(p.rawTag)) +
    ' ' +
    msText(p.timestamp.getTime()) +
    '\n'
  );
}

/** One line of line protocol (with its newline), precision ms. */
export function toLine(p: ReadingPoint): string {
  checkPoint(p);
  return seriesPrefix(p.tenantId, p.machineId, p.metric) + lineTail(p);
}

/**
 * The escaped parts of series keys as UTF-8 bytes: one per (tenant, machine) and one per metric
 * name, so a line is two copies of cached bytes and its tail. Kept per machine rather than per
 * series: 10,000 machines x 20 metrics are 200,000 series but 10,020 entries. Each map is
 * cleared when it grows past its bound (MAX_PREFIXES, MAX_METRIC_PREFIXES).
 */
class SeriesKeyBytes {
  private readonly machines = new Map<string, Map<string, Buffer>>();
  private machineCount = 0;
  private readonly metrics = new Map<string, Buffer>();

  machine(tenantId: string, machineId: string): Buffer {
    let byMachine = this.machines.get(tenantId);
    if (byMachine === undefined) this.machines.set(tenantId, (byMachine = new Map()));
    let bytes = byMachine.get(machineId);
    if (bytes === undefined) {
      bytes = Buffer.from(machinePart(tenantId, machineId), 'utf8');
      if (++this.machineCount > MAX_PREFIXES) {
        this.machines.clear();
        this.machineCount = 0;
      } else byMachine.set(machineId, bytes);
    }
    return bytes;
  }

  metric(metric: string): Buffer {
    let bytes = this.metrics.get(metric);
    if (bytes === undefined) {
      bytes = Buffer.from(metricPart(metric), 'utf8');
      if (this.metrics.size >= MAX_METRIC_PREFIXES) this.metrics.clear();
      this.metrics.set(metric, bytes);
    }
    return bytes;
  }
}

/** Order of PostgreSQL's C collation (code points), which differs from JS `<` for astral characters. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // surrogates (astral code points) sort after every BMP code point
    if (x >= 0xd800 && x <= 0xdfff) x += 0x10000;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x10000;
    return x - y;
  }
  return a.length - b.length;
}

/** 1 at the index of the last point of each (tenant, machine, metric, time), 0 elsewhere. */
function lastOccurrences(points: ReadingPoint[]): Uint8Array {
  const keep = new Uint8Array(points.length);
  const seen = new Set<string>();
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    const key = p.tenantId + '\u0000' + p.machineId + '\u0000' + p.metric + '\u0000' + p.timestamp.getTime();
    if (!seen.has(key)) {
      seen.add(key);
      keep[i] = 1;
    }
  }
  return keep;
}

// ---------------------------------------------------------------- InfluxQL results

interface InfluxSeries {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
  partial?: boolean;
}
interface InfluxResult {
  statement_id?: number;
  series?: InfluxSeries[];
  error?: string;
  partial?: boolean;
}

function col(s: InfluxSeries, name: string): number {
  const i = s.columns.indexOf(name);
  if (i < 0) throw new Error(`InfluxDB answer lacks column ${name} (has ${s.columns.join(', ')})`);
  return i;
}

function quoteIdent(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

// ---------------------------------------------------------------- store

export class InfluxReadingStore implements ReadingStore {
  readonly kind = 'influxdb' as const;
  private readonly base: string;
  private readonly db: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly retentionDays: number;
  private readonly writeUrl: string;
  private readonly keys = new SeriesKeyBytes();
  /** keep-alive connections to InfluxDB (node:http costs far less CPU per request than fetch) */
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(opts: { url: string; db: string; token?: string; user?: string; password?: string; timeoutMs?: number; retentionDays?: number }) {
    if (!DB_NAME.test(opts.db)) throw new Error(`InfluxDB database name must match ${DB_NAME}: ${JSON.stringify(opts.db)}`);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`timeoutMs must be a positive number: ${timeoutMs}`);
    const retentionDays = opts.retentionDays ?? 3650;
    if (!Number.isSafeInteger(retentionDays) || retentionDays < 1) throw new Error(`retentionDays must be a positive integer: ${retentionDays}`);
    this.base = opts.url.replace(/\/+$/, '');
    const secure = new URL(this.base).protocol === 'https:'; // throws on a malformed URL
    this.transport = secure ? https : http;
    this.agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 });
    this.db = opts.db;
    this.timeoutMs = timeoutMs;
    this.retentionDays = retentionDays;
    this.headers = {};
    if (opts.token) this.headers.authorization = `Token ${opts.token}`;
    else if (opts.user !== undefined && opts.password !== undefined) {
      this.headers.authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
    }
    this.writeUrl = `${this.base}/write?db=${encodeURIComponent(this.db)}&precision=ms`;
  }

  // ------------------------------------------------------------ http

  private async request(url: string, init: { method: string; body?: string | Buffer; headers?: Record<string, string> }, what: string): Promise<{ status: number; text: string }> {
    try {
      // the body is encoded once, so its length is known without a second pass over the string
      const body = init.body === undefined ? undefined : typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : init.body;
      const headers: Record<string, string | number> = { ...this.headers, ...init.headers };
      if (body) headers['content-length'] = body.length;
      return await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = this.transport.request(url, { method: init.method, headers, agent: this.agent }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, text });
          });
          res.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
        });
        // one deadline for the whole exchange (connect, send, answer), as AbortSignal.timeout gave
        const timer = setTimeout(() => req.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), this.timeoutMs);
        req.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        req.end(body);
      });
    } catch (err) {
      const timedOut = (err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError';
      throw new ReadingStoreUnavailableError(
        timedOut ? `InfluxDB ${what}: no answer within ${this.timeoutMs} ms` : `InfluxDB ${what}: ${(err as Error)?.message ?? String(err)}`,
        err,
      );
    }
  }

  /** Runs one or more ;-separated InfluxQL statements; returns one result per statement. */
  private async influxql(q: string, params?: Record<string, string | number>, useDb = true): Promise<InfluxResult[]> {
    const form = new URLSearchParams();
    if (useDb) form.set('db', this.db);
    form.set('q', q);
    if (params) form.set('params', JSON.stringify(params));
    form.set('epoch', 'ms');
    const { status, text } = await this.request(
      `${this.base}/query`,
      { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      'query',
    );
    if (status >= 500 || status === 401 || status === 403 || status === 404 || status === 429) {
      throw new ReadingStoreUnavailableError(`InfluxDB query failed with HTTP ${status}: ${text.slice(0, 500)}`);
    }
    let body: { results?: InfluxResult[]; error?: string };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`InfluxDB query answered HTTP ${status} with a non-JSON body: ${text.slice(0, 500)}`);
    }
    if (status !== 200 || body.error) throw new Error(`InfluxDB query failed (HTTP ${status}): ${body.error ?? text.slice(0, 500)}`);
    const results = body.results ?? [];
    for (const r of results) {
      if (r.error) throw new Error(`InfluxDB query failed: ${r.error}`);
      // Only the result-level flag means truncation (max-row-limit). 1.6 leaves `partial: true` on a
      // series it has merged from several 10,000-row chunks although every row is there.
      if (r.partial) throw new Error('InfluxDB truncated the answer (its max-row-limit is set); raise it or narrow the query');
    }
    return results;
  }

  /**
   * One statement whose answer InfluxDB streams (`chunked=true`): one JSON document per line of at
   * most QUERY_CHUNK_ROWS rows, a series cut between two lines continuing in the next. Each line
   * is parsed and its series handed to `take` with a turn of the event loop after it, so memory and
   * the longest block stay those of one chunk (one JSON.parse of a 30 MB answer held the loop for
   * ~150 ms). Unlike an unchunked answer, a chunked one is never cut by max-row-limit; its
   * `partial` flags only say that more chunks follow.
   */
  private async influxqlChunked(q: string, params: Record<string, string | number>, take: (s: InfluxSeries) => void): Promise<void> {
    const form = new URLSearchParams({ db: this.db, q, params: JSON.stringify(params), epoch: 'ms', chunked: 'true', chunk_size: String(QUERY_CHUNK_ROWS) });
    const body = Buffer.from(form.toString(), 'utf8');
    const headers = { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length };
    let timedOut = false;
    const unavailable = (err: unknown) =>
      new ReadingStoreUnavailableError(timedOut ? `InfluxDB query: no answer within ${this.timeoutMs} ms` : `InfluxDB query: ${(err as Error)?.message ?? String(err)}`, err);
    let req: http.ClientRequest | undefined;
    // one deadline for the whole exchange, reading the answer included
    const timer = setTimeout(() => {
      timedOut = true;
      req?.destroy(new Error('timed out'));
    }, this.timeoutMs);
    let res: http.IncomingMessage | undefined;
    try {
      res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        req = this.transport.request(`${this.base}/query`, { method: 'POST', headers, agent: this.agent }, resolve);
        req.on('error', reject);
        req.end(body);
      }).catch((err: unknown) => {
        throw unavailable(err);
      });
      res.setEncoding('utf8');
      const status = res.statusCode ?? 0;
      const handle = (line: string) => {
        if (status >= 500 || status === 401 || status === 403 || status === 404 || status === 429) {
          throw new ReadingStoreUnavailableError(`InfluxDB query failed with HTTP ${status}: ${line.slice(0, 500)}`);
        }
        let doc: { results?: InfluxResult[]; error?: string };
        try {
          doc = JSON.parse(line);
        } catch {
          throw new Error(`InfluxDB query answered HTTP ${status} with a non-JSON body: ${line.slice(0, 500)}`);
        }
        if (status !== 200 || doc.error) throw new Error(`InfluxDB query failed (HTTP ${status}): ${doc.error ?? line.slice(0, 500)}`);
        for (const r of doc.results ?? []) {
          if (r.error) throw new Error(`InfluxDB query failed: ${r.error}`);
          for (const series of r.series ?? []) take(series);
        }
      };
      // Lines are cut out of the incoming text without re-scanning what was already searched.
      const parts: string[] = [];
      const chunks = res[Symbol.asyncIterator]() as AsyncIterator<string>;
      for (;;) {
        let step: IteratorResult<string>;
        try {
          step = await chunks.next();
        } catch (err) {
          throw unavailable(err);
        }
        if (step.done) break;
        let text = step.value;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
          parts.push(text.slice(0, nl));
          text = text.slice(nl + 1);
          const line = parts.join('');
          parts.length = 0;
          if (line.trim() === '') continue;
          handle(line);
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        if (text !== '') parts.push(text);
      }
      const last = parts.join('');
      if (last.trim() !== '') handle(last);
      if (status !== 200) throw new ReadingStoreUnavailableError(`InfluxDB query failed with HTTP ${status} and an empty body`);
    } finally {
      clearTimeout(timer);
      // an answer not read to its end (a refusal midway) must not go back to the keep-alive pool
      if (res && !res.complete) res.destroy();
    }
  }

  // ------------------------------------------------------------ ReadingStore

  async init(): Promise<void> {
    const db = quoteIdent(this.db);
    const rp = quoteIdent(RETENTION_POLICY);
    await this.influxql(`CREATE DATABASE ${db}`, undefined, false);
    const [shown] = await this.influxql(`SHOW RETENTION POLICIES ON ${db}`, undefined, false);
    const exists = (shown?.series?.[0]?.values ?? []).some((row) => row[0] === RETENTION_POLICY);
    const duration = `DURATION ${this.retentionDays}d`;
    await this.influxql(
      exists ? `ALTER RETENTION POLICY ${rp} ON ${db} ${duration} REPLICATION 1 DEFAULT` : `CREATE RETENTION POLICY ${rp} ON ${db} ${duration} REPLICATION 1 DEFAULT`,
      undefined,
      false,
    );
  }

  async write(points: ReadingPoint[]): Promise<void> {
    const n = points.length;
    if (n === 0) return;
    // a bad point rejects the whole call before anything is sent
    for (let i = 0; i < n; i++) checkPoint(points[i]!);
    // Chunks go out concurrently, so InfluxDB's "the later point wins" would not hold between two
    // chunks: a point repeated across chunks is sent only where it last occurs.
    const keep = n > WRITE_CHUNK ? lastOccurrences(points) : undefined;
    // chunks are built as workers pick them up: building overlaps with InfluxDB ingesting
    const chunks = Math.ceil(n / WRITE_CHUNK);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (next < chunks && !failed) {
        const start = next++ * WRITE_CHUNK;
        const end = Math.min(n, start + WRITE_CHUNK);
        const body = this.lines(points, start, end, keep);
        let answer: { status: number; text: string };
        try {
          answer = await this.request(this.writeUrl, { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } }, 'write');
        } catch (err) {
          failed = true;
          throw err;
        }
        const { status, text } = answer;
        if (status !== 204) {
          failed = true;
          throw new ReadingStoreUnavailableError(`InfluxDB write failed with HTTP ${status}: ${text.slice(0, 1000)}`);
        }
      }
    };
    const workers = Array.from({ length: Math.min(WRITE_CONCURRENCY, chunks) }, worker);
    const settled = await Promise.allSettled(workers);
    const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (rejected) throw rejected.reason;
  }

  /**
   * Lines start..end-1 as UTF-8, written straight into one buffer: no string per line and no
   * second pass to encode the body (points whose index `keep` lacks are left out).
   */
  private lines(points: ReadingPoint[], start: number, end: number, keep: Uint8Array | undefined): Buffer {
    let buf = Buffer.allocUnsafe((end - start) * 192);
    let off = 0;
    for (let i = start; i < end; i++) {
      if (keep !== undefined && keep[i] === 0) continue;
      const p = points[i]!;
      const machine = this.keys.machine(p.tenantId, p.machineId);
      const metric = this.keys.metric(p.metric);
      const tail = lineTail(p);
      // a UTF-16 code unit takes at most 3 bytes in UTF-8
      const need = off + machine.length + metric.length + tail.length * 3;
      if (need > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
        buf.copy(bigger, 0, 0, off);
        buf = bigger;
      }
      buf.set(machine, off);
      off += machine.length;
      buf.set(metric, off);
      off += metric.length;
      off += buf.write(tail, off, 'utf8');
    }
    return buf.subarray(0, off);
  }

  async latest(tenantId: string, machineIds: string[]): Promise<Map<string, LatestReading[]>> {
    const out = new Map<string, LatestReading[]>();
    const ids = [...new Set(machineIds)];
    if (ids.length === 0) return out;
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += LATEST_CHUNK) chunks.push(ids.slice(i, i + LATEST_CHUNK));
    const answers = await Promise.all(
      chunks.map((chunk) => {
        const params: Record<string, string> = { tenant: storedTagValue(tenantId) };
        const ors = chunk.map((id, i) => {
          params[`m${i}`] = storedTagValue(id);
          return `"machine_id" = $m${i}`;
        });
        return this.influxql(
          `SELECT last("value") AS "value", "unit", "raw_tag" FROM "${MEASUREMENT}" WHERE "tenant_id" = $tenant AND (${ors.join(' OR ')}) GROUP BY "machine_id", "metric"`,
          params,
        );
      }),
    );
    for (const [result] of answers) {
      for (const s of result?.series ?? []) {
        const row = s.values[0];
        if (!row) continue;
        const machineId = decodeTagValue(s.tags?.machine_id ?? '');
        const rawTag = row[col(s, 'raw_tag')] as string | null;
        const reading: LatestReading = {
          metric: decodeTagValue(s.tags?.metric ?? ''),
          value: row[col(s, 'value')] as number,
          unit: (row[col(s, 'unit')] as string | null) ?? '',
          rawTag: rawTag === null || rawTag === '' ? null : rawTag,
          timestamp: new Date(row[col(s, 'time')] as number),
        };
        const list = out.get(machineId);
        if (list) list.push(reading);
        else out.set(machineId, [reading]);
      }
    }
    for (const list of out.values()) list.sort((a, b) => compareCodePoints(a.metric, b.metric));
    return out;
  }

  async query(q: SeriesQuery): Promise<Series[]> {
    if (!Number.isSafeInteger(q.limit) || q.limit < 0) throw new RangeError(`limit must be a non-negative integer: ${q.limit}`);
    if (q.intervalSec !== undefined && (!Number.isSafeInteger(q.intervalSec) || q.intervalSec <= 0)) {
      throw new RangeError(`intervalSec must be a positive integer: ${q.intervalSec}`);
    }
    if (!AGGREGATIONS.includes(q.aggregation)) throw new RangeError(`unknown aggregation: ${String(q.aggregation)}`);
    const startMs = q.start.getTime();
    const endMs = q.end.getTime();
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) throw new RangeError('start and end must be valid dates');
    if (endMs <= startMs) return [];

    const params: Record<string, string> = {
      tenant: storedTagValue(q.tenantId),
      machine: storedTagValue(q.machineId),
      start: q.start.toISOString(),
      end: q.end.toISOString(),
    };
    const metrics = [...new Set(q.metrics)];
    let metricFilter = '';
    if (metrics.length > 0) {
      metricFilter = ` AND (${metrics
        .map((m, i) => {
          params[`q${i}`] = storedTagValue(m);
          return `"metric" = $q${i}`;
        })
        .join(' OR ')})`;
    }
    /** the query's filter, from the time bound in parameter `from` */
    const whereFrom = (from: string) => `"tenant_id" = $tenant AND "machine_id" = $machine AND time >= $${from} AND time < $end${metricFilter}`;
    const where = whereFrom('start');
    const bySeries = new Map<string, Series>();
    const get = (metric: string): Series => {
      let s = bySeries.get(metric);
      if (!s) bySeries.set(metric, (s = { metric, unit: null, points: [] }));
      return s;
    };

    if (q.intervalSec === undefined) {
      // Selecting the tag (instead of GROUP BY "metric") keeps one merged series, so LIMIT bounds the whole answer.
      // The metric comes with every row; it is decoded once per stored name, not once per row.
      const byStored = new Map<string, Series>();
      let total = 0;
      await this.influxqlChunked(
        `SELECT "value", "unit", "metric" FROM "${MEASUREMENT}" WHERE ${where} ORDER BY time ASC LIMIT ${q.limit + 1}`,
        params,
        (s) => {
          total += s.values.length;
          if (total > q.limit) throw new TooManyPointsError(q.limit);
          const ti = col(s, 'time');
          const vi = col(s, 'value');
          const ui = col(s, 'unit');
          const mi = col(s, 'metric');
          let stored: string | undefined;
          let series: Series | undefined;
          for (const row of s.values) {
            if (row[mi] !== stored || !series) {
              stored = row[mi] as string;
              series = byStored.get(stored);
              if (!series) byStored.set(stored, (series = get(decodeTagValue(stored))));
            }
            series.points.push({ timestamp: new Date(row[ti] as number), value: row[vi] as number });
            series.unit = (row[ui] as string | null) ?? series.unit; // ascending: the last one is the newest
          }
        },
      );
    } else {
      // GROUP BY "metric" makes LIMIT per series: it bounds the work, the total is checked below.
      // The unit of a series is that of its newest reading in the range. It is looked for in the
      // range's tail first, at the same time as the aggregate (two requests: InfluxDB runs the
      // statements of one request one after the other): last() over the whole range would read
      // every unit string of the range again, which costs about as much as the aggregate itself.
      const tailStartMs = Math.max(startMs, endMs - Math.max(UNIT_TAIL_MS, q.intervalSec * 1000));
      const unitsIn = (from: 'start' | 'ufrom', only?: string[]) => {
        const p: Record<string, string> = { ...params };
        if (from === 'ufrom') p.ufrom = new Date(tailStartMs).toISOString();
        let w = whereFrom(from);
        if (only) {
          w += ` AND (${only.map((m, i) => ((p[`u${i}`] = storedTagValue(m)), `"metric" = $u${i}`)).join(' OR ')})`;
        }
        return this.influxql(`SELECT last("unit") AS "unit" FROM "${MEASUREMENT}" WHERE ${w} GROUP BY "metric"`, p);
      };
      const [[agg], [tailUnits]] = await Promise.all([
        this.influxql(
          `SELECT ${q.aggregation}("value") AS "value" FROM "${MEASUREMENT}" WHERE ${where} GROUP BY time(${q.intervalSec}s), "metric" fill(none) LIMIT ${q.limit + 1}`,
          params,
        ),
        unitsIn(tailStartMs > startMs ? 'ufrom' : 'start'),
      ]);
      let total = 0;
      for (const s of agg?.series ?? []) total += s.values.length;
      if (total > q.limit) throw new TooManyPointsError(q.limit);
      for (const s of agg?.series ?? []) {
        if (s.values.length === 0) continue;
        const series = get(decodeTagValue(s.tags?.metric ?? ''));
        const ti = col(s, 'time');
        const vi = col(s, 'value');
        for (const row of s.values) {
          if (row[vi] === null) continue;
          series.points.push({ timestamp: new Date(row[ti] as number), value: Number(row[vi]) });
        }
      }
      const takeUnits = (r: InfluxResult | undefined) => {
        for (const s of r?.series ?? []) {
          const series = bySeries.get(decodeTagValue(s.tags?.metric ?? ''));
          const row = s.values[0];
          if (series && row) series.unit = (row[col(s, 'unit')] as string | null) ?? null;
        }
      };
      takeUnits(tailUnits);
      // series silent in the tail: their newest reading is earlier in the range
      const missing = [...bySeries.values()].filter((s) => s.points.length > 0 && s.unit === null).map((s) => s.metric);
      if (missing.length > 0 && tailStartMs > startMs) takeUnits((await unitsIn('start', missing))[0]);
    }
    return [...bySeries.values()].filter((s) => s.points.length > 0).sort((a, b) => compareCodePoints(a.metric, b.metric));
  }

  async ping(): Promise<void> {
    const { status, text } = await this.request(`${this.base}/ping`, { method: 'GET' }, 'ping');
    if (status !== 204 && status !== 200) throw new ReadingStoreUnavailableError(`InfluxDB ping answered HTTP ${status}: ${text.slice(0, 200)}`);
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}
