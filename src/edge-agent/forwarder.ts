/**
 * Sends the buffer to `POST {api_url}/api/v1/ingest`, oldest first, one batch of at most
 * `batch_size` readings at a time, and deletes a batch from the buffer only once the API answered
 * for it. Every `push_interval` the whole backlog is drained back to back (as fast as the API
 * accepts); between two intervals a full batch is sent as soon as it is buffered.
 *
 * What each answer does (docs/decisions.md, "Edge agent"):
 * - 207 (any 2xx): the batch is done. Per-reading rejections (`errors[]`) are logged (count and
 *   the first reasons) and dropped: the API judged those readings, resending cannot change that.
 * - 429 / 503: wait `Retry-After` (seconds or an HTTP date; without it, the back-off), then resend.
 * - other 5xx, 408, timeouts, network errors: exponential back-off with jitter, batch kept.
 * - 401 / 403 / 404 / 405 / other 4xx about the request as a whole: the key or the URL is wrong;
 *   logged as an error, retried after the long `authRetryMs`, readings kept buffering.
 * - 400 / 413 / 422: the batch itself is refused; it is split in halves until the reading the API
 *   refuses is alone, which is then dropped with an error log (a poison reading must not block
 *   the queue forever).
 * Delivery is at least once (a batch whose answer was lost is sent again); the API overwrites a
 * reading with the same machine, metric and timestamp (design decision 13), so each reading is
 * stored exactly once.
 */
import type { BufferedEntry, ReadingBuffer } from './buffer.js';

export interface ForwarderLog {
  debug(o: object, m?: string): void;
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface ForwarderOptions {
  apiUrl: string;
  apiKey: string;
  batchSize: number;
  pushIntervalMs: number;
  /** one request's bound (default 30 s) */
  requestTimeoutMs?: number;
  /** first back-off step (default 1 s) */
  retryInitialMs?: number;
  /** back-off cap (default 60 s) */
  retryMaxMs?: number;
  /** wait after 401/403/404 (default 5 min) */
  authRetryMs?: number;
  /** cap on a Retry-After the API asks for (default 1 h) */
  maxRetryAfterMs?: number;
  userAgent?: string;
  log: ForwarderLog;
}

export type ForwarderState = 'idle' | 'ok' | 'retrying' | 'refused';

export interface ForwarderStats {
  state: ForwarderState;
  /** readings the API accepted since start */
  accepted: number;
  /** readings the API rejected in a 207 (dropped) since start */
  rejected: number;
  /** readings dropped because the API refused them alone (400/413/422) */
  poisoned: number;
  requests: number;
  failures: number;
  lastSuccessAt: Date | null;
  lastError: string | null;
}

type Outcome =
  | { kind: 'done'; status: number; accepted: number; rejected: number; reasons: string[] }
  | { kind: 'retry'; delayMs: number; reason: string; retryAfter: boolean }
  | { kind: 'refused'; status: number; reason: string }
  | { kind: 'split'; status: number; reason: string };

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** Exponential back-off with equal jitter: between half and all of min(max, initial * 2^(n-1)). */
export function backoffDelay(failures: number, initialMs: number, maxMs: number, random = Math.random): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(step / 2 + (random() * step) / 2);
}

function describeNetworkError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'request timed out';
  const cause = e?.cause;
  if (cause?.code) return `${cause.code}${cause.message && !cause.message.includes(cause.code) ? ` (${cause.message})` : ''}`;
  return cause?.message ?? e?.message ?? String(err);
}

/** The first reasons of a 207's `errors[]`, grouped: `Machine not found ×12 (e.g. index 3, UNKNOWN-001)`. */
function summarizeRejections(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  const groups = new Map<string, { n: number; example: string }>();
  for (const e of errors as { index?: unknown; machine_identifier?: unknown; error?: unknown }[]) {
    const reason = typeof e?.error === 'string' ? e.error : 'unknown reason';
    const g = groups.get(reason);
    if (g) g.n++;
    else groups.set(reason, { n: 1, example: `index ${String(e?.index)}${typeof e?.machine_identifier === 'string' ? `, ${e.machine_identifier}` : ''}` });
    if (groups.size > 3 && !g) break;
  }
  return [...groups].slice(0, 3).map(([reason, g]) => `${reason} ×${g.n} (e.g. ${g.example})`);
}

export class Forwarder {
  private readonly o: Required<Omit<ForwarderOptions, 'userAgent'>> & { userAgent?: string };
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly stopController = new AbortController();
  private lastTick = Number.NEGATIVE_INFINITY;
  /** at each interval: the buffer's end then; everything before it is sent without waiting */
  private drainUntil = 0;
  private limit: number;
  private failures = 0;
  readonly stats: ForwarderStats = { state: 'idle', accepted: 0, rejected: 0, poisoned: 0, requests: 0, failures: 0, lastSuccessAt: null, lastError: null };

  constructor(private readonly buffer: ReadingBuffer, options: ForwarderOptions) {
    this.o = {
      ...options,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      retryInitialMs: options.retryInitialMs ?? 1000,
      retryMaxMs: options.retryMaxMs ?? 60_000,
      authRetryMs: options.authRetryMs ?? 300_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 3_600_000,
    };
    this.limit = this.o.batchSize;
    // a full batch need not wait for the next interval
    buffer.onAppend(() => {
      if (this.buffer.count >= this.o.batchSize) this.wake?.();
    });
  }

  get ingestUrl(): string {
    return `${this.o.apiUrl}/api/v1/ingest`;
  }

  start(): void {
    this.running ??= this.loop().catch((err) => {
      this.o.log.error({ err: String(err) }, `forwarder stopped on an unexpected error: ${String(err)}`);
    });
  }

  /** Stops after the request in flight (aborted when it takes longer than `graceMs`). */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const timer = setTimeout(() => this.stopController.abort(), graceMs);
    try {
      await this.running;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits `ms` unless woken (a full batch, stop) earlier. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      // a retry wait is cut short only by stop
      this.wake = wakeable ? done : () => (this.stopped ? done() : undefined);
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      if (now - this.lastTick >= this.o.pushIntervalMs) {
        this.lastTick = now;
        this.drainUntil = this.buffer.nextSeq;
      }
      const count = this.buffer.count;
      // readings buffered before the last interval go out at once; newer ones wait for the next
      // interval unless a full batch is waiting
      const backlog = this.buffer.tailSeq < this.drainUntil;
      if (count === 0 || (!backlog && count < this.o.batchSize)) {
        await this.sleep(this.lastTick + this.o.pushIntervalMs - Date.now(), true);
        continue;
      }
      const entries = await this.buffer.peek(this.limit);
      if (entries.length === 0) continue;
      const outcome = await this.send(entries);
      if (this.stopped && outcome.kind === 'retry') break;
      await this.handle(entries, outcome);
    }
  }

  private async handle(entries: BufferedEntry[], outcome: Outcome): Promise<void> {
    const log = this.o.log;
    switch (outcome.kind) {
      case 'done': {
        await this.buffer.ack(entries);
        if (this.stats.state !== 'ok' && this.stats.state !== 'idle') {
          log.info({ buffered: this.buffer.count, failures: this.failures }, `API reachable again; sending the ${this.buffer.count + entries.length} buffered reading(s)`);
        }
        this.failures = 0;
        this.limit = this.o.batchSize;
        this.stats.state = 'ok';
        this.stats.accepted += outcome.accepted;
        this.stats.rejected += outcome.rejected;
        this.stats.lastSuccessAt = new Date();
        this.stats.lastError = null;
        if (outcome.rejected > 0) {
          log.warn(
            { status: outcome.status, accepted: outcome.accepted, rejected: outcome.rejected, reasons: outcome.reasons },
            `API rejected ${outcome.rejected} of ${entries.length} reading(s); dropped, not retried: ${outcome.reasons.join('; ')}`,
          );
        } else log.debug({ sent: entries.length }, 'batch accepted');
        return;
      }
      case 'split': {
        if (entries.length > 1) {
          this.limit = Math.max(1, Math.ceil(entries.length / 2));
          log.warn({ status: outcome.status, batch: entries.length, next: this.limit }, `API refused a batch of ${entries.length} (${outcome.status}: ${outcome.reason}); retrying in halves`);
          return;
        }
        const e = entries[0]!;
        await this.buffer.ack(entries);
        this.stats.poisoned++;
        log.error({ status: outcome.status, seq: e.seq, reading: e.json.slice(0, 500) }, `API refused a single reading (${outcome.status}: ${outcome.reason}); dropped it`);
        return;
      }
      case 'refused': {
        this.failures++;
        this.stats.failures++;
        const first = this.stats.state !== 'refused' || this.stats.lastError !== outcome.reason;
        this.stats.state = 'refused';
        this.stats.lastError = outcome.reason;
        const msg = `API refused the agent (${outcome.status}: ${outcome.reason}); check api_key (scopes ingest and agent) and api_url. Readings stay buffered (${this.buffer.count}); retrying in ${Math.round(this.o.authRetryMs / 1000)} s`;
        if (first) log.error({ status: outcome.status, buffered: this.buffer.count }, msg);
        else log.warn({ status: outcome.status, buffered: this.buffer.count }, msg);
        await this.sleep(this.o.authRetryMs, false);
        return;
      }
      case 'retry': {
        this.failures++;
        this.stats.failures++;
        const first = this.stats.state !== 'retrying';
        this.stats.state = 'retrying';
        this.stats.lastError = outcome.reason;
        const msg = `cannot deliver to ${this.ingestUrl} (${outcome.reason}); ${this.buffer.count} reading(s) buffered, retrying in ${(outcome.delayMs / 1000).toFixed(1)} s${outcome.retryAfter ? ' (Retry-After)' : ''}`;
        if (first) log.warn({ buffered: this.buffer.count, delayMs: outcome.delayMs }, msg);
        else log.debug({ buffered: this.buffer.count, delayMs: outcome.delayMs, failures: this.failures }, msg);
        await this.sleep(outcome.delayMs, false);
        return;
      }
    }
  }

  private backoff(): number {
    return backoffDelay(this.failures + 1, this.o.retryInitialMs, this.o.retryMaxMs);
  }

  private async send(entries: BufferedEntry[]): Promise<Outcome> {
    let body = '{"readings":[';
    for (let i = 0; i < entries.length; i++) body += (i ? ',' : '') + entries[i]!.json;
    body += ']}';
    this.stats.requests++;
    let res: Response;
    try {
      res = await fetch(this.ingestUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': this.o.apiKey,
          ...(this.o.userAgent ? { 'user-agent': this.o.userAgent } : {}),
        },
        body,
        signal: AbortSignal.any([this.stopController.signal, AbortSignal.timeout(this.o.requestTimeoutMs)]),
      });
    } catch (err) {
      return { kind: 'retry', delayMs: this.backoff(), reason: describeNetworkError(err), retryAfter: false };
    }
    let text = '';
    try {
      text = await res.text();
    } catch (err) {
      // the API answered but the body was cut: the status decides
      if (res.status < 200 || res.status >= 300) return { kind: 'retry', delayMs: this.backoff(), reason: describeNetworkError(err), retryAfter: false };
    }
    const status = res.status;
    const detail = (): string => {
      try {
        const d = (JSON.parse(text) as { detail?: unknown }).detail;
        if (typeof d === 'string') return d;
        if (Array.isArray(d)) return d.slice(0, 2).map((i: { loc?: unknown[]; msg?: string }) => `${(i.loc ?? []).join('.')}: ${i.msg}`).join('; ');
      } catch {
        /* not JSON */
      }
      return text.slice(0, 200) || res.statusText || `HTTP ${status}`;
    };
    if (status >= 200 && status < 300) {
      let parsed: { accepted_count?: unknown; rejected_count?: unknown; errors?: unknown } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        /* a 2xx without a readable body still means the API took the batch */
      }
      const rejected = typeof parsed.rejected_count === 'number' ? parsed.rejected_count : Array.isArray(parsed.errors) ? parsed.errors.length : 0;
      const accepted = typeof parsed.accepted_count === 'number' ? parsed.accepted_count : entries.length - rejected;
      return { kind: 'done', status, accepted, rejected, reasons: summarizeRejections(parsed.errors) };
    }
    if (status === 429 || status === 503) {
      const after = parseRetryAfter(res.headers.get('retry-after'));
      if (after !== null) return { kind: 'retry', delayMs: Math.min(after, this.o.maxRetryAfterMs), reason: `${status} ${detail()}`, retryAfter: true };
      return { kind: 'retry', delayMs: this.backoff(), reason: `${status} ${detail()}`, retryAfter: false };
    }
    if (status === 400 || status === 413 || status === 422) return { kind: 'split', status, reason: detail() };
    if (status === 408 || status >= 500) return { kind: 'retry', delayMs: this.backoff(), reason: `${status} ${detail()}`, retryAfter: false };
    return { kind: 'refused', status, reason: detail() };
  }
}
