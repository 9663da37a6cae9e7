import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import { createDriver } from '../connectivity/drivers.js';
import { outboundResolver } from '../connectivity/outbound-guard.js';
import type { DeviceDriver, DriverFactory, DriverOptions, PointStatus, PollResult } from '../connectivity/driver.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import type { JobRunner } from '../infra/jobs.js';
import type { IngestError, IngestResult, IngestService } from '../readings/ingest.service.js';
import { INGEST_MAX_BATCH } from '../readings/ingest.rules.js';
import { ingestSourcesChangedTopic, sourceHealthChangedTopic, type PollTarget, type SourceHealth, type SourceState } from './ingest-source.events.js';

/**
 * Direct ingestion's scheduler: every active source is polled by exactly one loop in the cluster.
 *
 * * **Lease.** A loop owns its source through `lease_owner` / `lease_until` in PostgreSQL: claimed by
 *   a conditional UPDATE (free, expired, or already ours), renewed every third of the lease (and at
 *   most every 10 s, carrying `last_poll_at` / `last_success_at`), released on exit. A loop that
 *   cannot renew stops before its lease could have run out, so two loops never poll one source.
 * * **Jobs.** A loop is a long-running job `ingest-sources.run` ({sourceId, nextAt}) on the job
 *   runner (BullMQ on Redis, the in-process runner otherwise): it polls for `runPeriodMs`, releases
 *   the lease and enqueues its successor, which any process may take (that is how sources spread
 *   over processes that joined later). A cluster-wide reconcile job (`jobs.every`) enqueues a run
 *   job for each active source whose lease is free or expired (a new source, a crashed process).
 *   Job ids are the source id plus the lease's and the row's timestamps, so a source has at most
 *   one queued job per lease generation whichever process enqueues it. The queues are namespaced
 *   by an id kept in the database, so deployments (or test databases) sharing a Redis never take
 *   each other's jobs.
 * * **Cadence.** Fixed rate: the next cycle is planned at the previous plan plus the interval; a
 *   cycle that ends after its successor's planned start skips (and counts) the slots it overran.
 *   A failing device backs off exponentially from the interval up to `maxBackoffMs`; the first
 *   good cycle returns to the normal cadence. The driver (TCP connection, OPC-UA session) lives as
 *   long as the loop and reconnects by itself.
 * * **Health.** Written when the state, the error, the failure count or the set of bad points
 *   changes (and `sourceHealthChanged` published when the state, error or bad points change);
 *   `last_poll_at` / `last_success_at` otherwise ride on the lease renewals.
 * * **Changes.** `ingestSourcesChanged` wakes the loop, which reloads the source before its next
 *   cycle; the lease renewal compares `updated_at` and `is_active` too, so a change is taken even
 *   if the event was lost.
 */

export const RUN_JOB = 'ingest-sources.run';
export const RECONCILE_JOB = 'ingest-sources.reconcile';

/** What the poller needs of the ingest-sources service. */
export interface PollTargets {
  loadPollTarget(sourceId: string): Promise<PollTarget | null>;
  /** billing's hook: sources of a tenant that may not use direct ingestion are not polled */
  subscribed?(tenantId: string): Promise<boolean>;
}

export interface SourcePollerOptions {
  /** how long a claim lasts without renewal */
  leaseMs: number;
  /** how often the cluster looks for sources nobody polls */
  reconcileEveryMs: number;
  /** how long one run job polls before handing the source back to the queue */
  runPeriodMs: number;
  /** the longest back-off of a failing device */
  maxBackoffMs: number;
  /** run jobs one process takes at once (each is one polled source) */
  pollConcurrency: number;
  /** how often `last_poll_at` / `last_success_at` are written at most (default 10 s) */
  healthFlushMs?: number;
  /** bound on closing one driver (default 3 s) */
  closeTimeoutMs?: number;
  driverOptions: Omit<DriverOptions, 'log'>;
  driverFactory?: DriverFactory;
  /** this process' lease owner name (default host:pid:random) */
  ownerId?: string;
  /**
   * How long a cycle's readings wait for other cycles' of the same tenant before they go to the
   * ingest service together (default 20 ms; 0 sends each cycle's readings at once).
   */
  ingestLingerMs?: number;
}

/** Lifetime counters of this process' poller (monotonic; `/metrics` exports them). */
export interface PollerTotals {
  /** sources this process polls now */
  sources: number;
  cycles: number;
  failedCycles: number;
  missed: number;
  readings: number;
}

/** Counters since the last `resetStats()` (the connectivity benchmark reads them). */
export interface PollerStats {
  /** sources this process polls now */
  sources: number;
  /** cycles run (good or failed) */
  cycles: number;
  /** failed cycles (device unreachable, readings not stored) */
  failedCycles: number;
  /** planned cycles skipped because the previous one overran its slot */
  missed: number;
  /** values handed to the ingest service */
  readings: number;
  /** the latest a cycle started after its planned time, in ms */
  maxLateMs: number;
  /** process CPU (user + system) in µs since the reset; divide by `cycles` for CPU per poll */
  pollCpuMicros: number;
  /** wall-clock ms since the reset */
  elapsedMs: number;
}

interface RunJobData {
  sourceId: string;
  /** the predecessor's next planned cycle (epoch ms), so a hand-over keeps the cadence */
  nextAt?: number;
}

interface WrittenHealth {
  state: SourceState;
  lastError: string | null;
  consecutiveFailures: number;
  points: PointStatus[];
  pointsKey: string;
  lastPollAt: Date | null;
  lastSuccessAt: Date | null;
}

type Exit = 'period-end' | 'closing' | 'lost' | 'deleted' | 'inactive' | 'unsubscribed';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function errMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

function pointsKey(points: readonly PointStatus[]): string {
  return points
    .map((p) => `${p.point}\u0000${p.status}`)
    .sort()
    .join('\u0001');
}

function bounded<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
      timer.unref();
    }),
  ]);
}

/** `2 bad point(s): ns=2;s=Missing BadNodeIdUnknown; ...` (at most five named). */
function badPointsSummary(points: readonly PointStatus[]): string {
  const named = points
    .slice(0, 5)
    .map((p) => `${p.point} ${p.status}`)
    .join('; ');
  return `${points.length} point(s) not readable: ${named}${points.length > 5 ? `; and ${points.length - 5} more` : ''}`;
}

export class SourcePoller {
  readonly ownerId: string;
  private runJob = RUN_JOB;
  private reconcileJob = RECONCILE_JOB;
  private jobs?: JobRunner;
  private readonly loops = new Map<string, SourceLoop>();
  /** sources between "job taken" and "loop running" (claim in flight) */
  private readonly starting = new Set<string>();
  private readonly tenantWatch = new Map<string, { count: number; off: () => void }>();
  private closing = false;
  private closed?: Promise<void>;
  private counters = { cycles: 0, failedCycles: 0, missed: 0, readings: 0, maxLateMs: 0 };
  private readonly totals = { cycles: 0, failedCycles: 0, missed: 0, readings: 0 };
  /** @internal the cycles' readings, coalesced per tenant */
  readonly batcher: IngestBatcher;
  private statsSince = { at: Date.now(), cpu: process.cpuUsage() };
  readonly healthFlushMs: number;
  readonly closeTimeoutMs: number;
  private readonly driverFactory: DriverFactory;

  constructor(
    readonly db: Database,
    readonly bus: EventBus,
    readonly ingest: Pick<IngestService, 'ingestForTenant'>,
    readonly targets: PollTargets,
    readonly log: Logger,
    readonly opts: SourcePollerOptions,
  ) {
    this.ownerId = opts.ownerId ?? `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.healthFlushMs = opts.healthFlushMs ?? 10_000;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 3_000;
    this.driverFactory = opts.driverFactory ?? createDriver;
    this.batcher = new IngestBatcher(ingest, log, { lingerMs: opts.ingestLingerMs ?? 20 });
  }

  // ---------------------------------------------------------------------------------------------
  // Jobs

  /**
   * Registers the run and reconcile handlers under this database's job namespace (read, or created
   * once, in system_settings): queues of another database on the same Redis are not consumed.
   */
  async register(jobs: JobRunner): Promise<void> {
    this.jobs = jobs;
    const conn = this.db.em().getConnection();
    await conn.execute(`insert into system_settings (key, value) values ('jobs_namespace', ?) on conflict (key) do nothing`, [randomBytes(5).toString('hex')]);
    const rows: { value: string }[] = await conn.execute(`select value from system_settings where key = 'jobs_namespace'`);
    const ns = rows[0]!.value;
    this.runJob = `${RUN_JOB}.${ns}`;
    this.reconcileJob = `${RECONCILE_JOB}.${ns}`;
    jobs.register<RunJobData>(this.runJob, (data) => this.run(data), { concurrency: this.opts.pollConcurrency });
    jobs.register(this.reconcileJob, async () => void (await this.reconcile()), { concurrency: 1 });
  }

  /** After the runner started: the cluster-wide reconcile schedule, and one pass now. */
  async schedule(jobs: JobRunner): Promise<void> {
    await jobs.every(this.reconcileJob, this.reconcileJob, {}, this.opts.reconcileEveryMs);
    await this.reconcile().catch((err) => this.log.warn({ err: errMessage(err) }, 'source reconcile pass failed'));
  }

  /** Enqueues a run job for every active source (of an active machine) whose lease is free or expired. */
  async reconcile(): Promise<number> {
    if (this.closing || !this.jobs) return 0;
    const rows = await this.db.query<{ id: string; tenant_id: string; lease_us: string | null; updated_us: string }>(
      `select s.id, s.tenant_id,
              (extract(epoch from s.lease_until) * 1000000)::bigint::text as lease_us,
              (extract(epoch from s.updated_at) * 1000000)::bigint::text as updated_us
         from ingest_sources s join machines m on m.id = s.machine_id
        where s.is_active and m.is_active and (s.lease_until is null or s.lease_until < now())
        order by s.lease_until nulls first
        limit 10000`,
    );
    const subscribed = new Map<string, Promise<boolean>>();
    let queued = 0;
    for (const r of rows) {
      if (this.targets.subscribed) {
        let ok = subscribed.get(r.tenant_id);
        if (!ok) subscribed.set(r.tenant_id, (ok = this.targets.subscribed(r.tenant_id)));
        if (!(await ok)) continue;
      }
      await this.jobs.enqueue<RunJobData>(this.runJob, { sourceId: r.id }, { jobId: jobIdOf(r.id, r.lease_us, r.updated_us), attempts: 3, backoffMs: 1000 });
      queued += 1;
    }
    return queued;
  }

  /** The run job: claims the source and polls it until the run period ends or something stops it. */
  async run(data: RunJobData): Promise<void> {
    const id = typeof data?.sourceId === 'string' ? data.sourceId.toLowerCase() : '';
    if (!UUID_RE.test(id)) return;
    if (this.closing) {
      // taken while this process shuts down: give the job id a new generation so reconcile re-enqueues it
      await this.db.query(`update ingest_sources set lease_until = now() where id = ? and (lease_until is null or lease_until < now())`, [id]).catch(() => undefined);
      return;
    }
    if (this.loops.has(id) || this.starting.has(id)) return;
    this.starting.add(id);
    let loop: SourceLoop;
    try {
      const claimedAt = Date.now();
      const rows = await this.db.query<{
        state: SourceState;
        last_error: string | null;
        consecutive_failures: number;
        point_status: PointStatus[];
        last_poll_at: Date | null;
        last_success_at: Date | null;
      }>(
        `update ingest_sources set lease_owner = ?, lease_until = now() + (? * interval '1 millisecond')
          where id = ? and is_active and (lease_until is null or lease_until < now() or lease_owner = ?)
          returning state, last_error, consecutive_failures, point_status, last_poll_at, last_success_at`,
        [this.ownerId, this.opts.leaseMs, id, this.ownerId],
      );
      if (!rows.length) return;
      const r = rows[0]!;
      const points = Array.isArray(r.point_status) ? r.point_status : [];
      loop = new SourceLoop(this, id, claimedAt, data.nextAt, {
        state: r.state,
        lastError: r.last_error,
        consecutiveFailures: r.consecutive_failures,
        points,
        pointsKey: pointsKey(points),
        lastPollAt: r.last_poll_at,
        lastSuccessAt: r.last_success_at,
      });
      this.loops.set(id, loop);
    } finally {
      this.starting.delete(id);
    }
    let exit: Exit;
    try {
      exit = await loop.run();
    } finally {
      this.loops.delete(id);
    }
    if (exit === 'period-end' && !this.closing) {
      const released = await this.release(id);
      if (released) {
        await this.jobs!.enqueue<RunJobData>(this.runJob, { sourceId: id, nextAt: loop.nextAt }, { jobId: jobIdOf(id, released.lease_us, released.updated_us), attempts: 3, backoffMs: 1000 }).catch(
          (err) => this.log.warn({ err: errMessage(err), sourceId: id }, 'handing the source over failed; the reconcile pass will'),
        );
      }
    } else if (exit === 'closing' || exit === 'unsubscribed') {
      await this.release(id);
    }
  }

  /** Frees the lease (keeping `lease_until` as a fresh, unique generation stamp). */
  async release(id: string): Promise<{ lease_us: string; updated_us: string } | null> {
    try {
      const rows = await this.db.query<{ lease_us: string; updated_us: string }>(
        `update ingest_sources set lease_owner = null, lease_until = clock_timestamp() where id = ? and lease_owner = ?
          returning (extract(epoch from lease_until) * 1000000)::bigint::text as lease_us, (extract(epoch from updated_at) * 1000000)::bigint::text as updated_us`,
        [id, this.ownerId],
      );
      return rows[0] ?? null;
    } catch (err) {
      this.log.warn({ err: errMessage(err), sourceId: id }, 'releasing a source lease failed (it expires by itself)');
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Shared by the loops

  /** @internal a loop's driver */
  createDriver(target: PollTarget): DeviceDriver {
    return this.driverFactory(target.source, { ...this.opts.driverOptions, log: this.log });
  }

  /** @internal `ingestSourcesChanged` of the tenant reaches its loops while one of them runs here */
  watchTenant(tenantId: string): () => void {
    let w = this.tenantWatch.get(tenantId);
    if (!w) {
      const off = this.bus.on(ingestSourcesChangedTopic(tenantId), (e) => this.loops.get(e.sourceId)?.changed());
      w = { count: 0, off };
      this.tenantWatch.set(tenantId, w);
    }
    w.count += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const cur = this.tenantWatch.get(tenantId);
      if (!cur || --cur.count > 0) return;
      cur.off();
      this.tenantWatch.delete(tenantId);
    };
  }

  /** @internal */
  count(c: { cycle?: boolean; failed?: boolean; missed?: number; readings?: number; lateMs?: number }): void {
    if (c.cycle) {
      this.counters.cycles += 1;
      this.totals.cycles += 1;
    }
    if (c.failed) {
      this.counters.failedCycles += 1;
      this.totals.failedCycles += 1;
    }
    if (c.missed) {
      this.counters.missed += c.missed;
      this.totals.missed += c.missed;
    }
    if (c.readings) {
      this.counters.readings += c.readings;
      this.totals.readings += c.readings;
    }
    if (c.lateMs !== undefined && c.lateMs > this.counters.maxLateMs) this.counters.maxLateMs = c.lateMs;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  // ---------------------------------------------------------------------------------------------
  // Observability

  stats(): PollerStats {
    const cpu = process.cpuUsage(this.statsSince.cpu);
    return { sources: this.loops.size, ...this.counters, pollCpuMicros: cpu.user + cpu.system, elapsedMs: Date.now() - this.statsSince.at };
  }

  /** Counters since the process started (never reset). */
  lifetimeStats(): PollerTotals {
    return { sources: this.loops.size, ...this.totals };
  }

  resetStats(): void {
    this.counters = { cycles: 0, failedCycles: 0, missed: 0, readings: 0, maxLateMs: 0 };
    this.statsSince = { at: Date.now(), cpu: process.cpuUsage() };
  }

  /** the queue names of this database's run and reconcile jobs */
  jobNames(): { run: string; reconcile: string } {
    return { run: this.runJob, reconcile: this.reconcileJob };
  }

  /** ids of the sources this process polls now */
  polledSourceIds(): string[] {
    return [...this.loops.keys()];
  }

  /** Stops every loop, closes the drivers (bounded) and releases the leases. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      const loops = [...this.loops.values()];
      for (const l of loops) l.stop('closing');
      // cycles under way store what they polled at once, without waiting for a linger
      this.batcher.close();
      await bounded(Promise.allSettled(loops.map((l) => l.done)), this.closeTimeoutMs + 2_000);
      await this.db
        .query(`update ingest_sources set lease_owner = null, lease_until = clock_timestamp() where lease_owner = ?`, [this.ownerId])
        .catch((err) => this.log.warn({ err: errMessage(err) }, 'releasing source leases failed (they expire by themselves)'));
    })();
    return this.closed;
  }
}

interface BatchPart {
  readings: unknown[];
  /** index of the part's first reading in the flushed call */
  offset: number;
  resolve: (r: IngestResult) => void;
  reject: (err: unknown) => void;
}

interface TenantBatch {
  parts: BatchPart[];
  count: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Coalesces the readings of cycles that complete close together into one ingest call per tenant:
 * a tenant's pending readings are flushed when they reach the call limit (`maxReadings`, 1,000) or
 * `lingerMs` after the first of them arrived, whichever comes first. Each submitter gets back its
 * own share of the call's result (its rejections re-indexed to its readings), or the call's error:
 * a store failure fails exactly the submissions of that flush. A submission never spans two calls.
 */
export class IngestBatcher {
  private readonly pending = new Map<string, TenantBatch>();
  private readonly lingerMs: number;
  private readonly maxReadings: number;
  private closed = false;

  constructor(
    private readonly ingest: Pick<IngestService, 'ingestForTenant'>,
    private readonly log: Logger,
    opts: { lingerMs: number; maxReadings?: number },
  ) {
    this.lingerMs = Math.max(0, opts.lingerMs);
    this.maxReadings = Math.max(1, Math.min(opts.maxReadings ?? INGEST_MAX_BATCH, INGEST_MAX_BATCH));
  }

  /** Stores `readings` (at most `maxReadings`) with other pending ones of the tenant; settles when their call did. */
  submit(tenantId: string, readings: unknown[]): Promise<IngestResult> {
    if (readings.length > this.maxReadings) throw new RangeError(`at most ${this.maxReadings} readings per submission, not ${readings.length}`);
    return new Promise<IngestResult>((resolve, reject) => {
      let b = this.pending.get(tenantId);
      if (b && b.count + readings.length > this.maxReadings) {
        this.flush(tenantId);
        b = undefined;
      }
      if (!b) {
        b = { parts: [], count: 0, timer: null };
        this.pending.set(tenantId, b);
      }
      b.parts.push({ readings, offset: b.count, resolve, reject });
      b.count += readings.length;
      if (b.count >= this.maxReadings || this.lingerMs === 0 || this.closed) this.flush(tenantId);
      else b.timer ??= setTimeout(() => this.flush(tenantId), this.lingerMs);
    });
  }

  /** Sends every pending batch now, and every later submission at once. */
  close(): void {
    this.closed = true;
    for (const tenantId of [...this.pending.keys()]) this.flush(tenantId);
  }

  /** readings waiting for a flush (all tenants) */
  pendingCount(): number {
    let n = 0;
    for (const b of this.pending.values()) n += b.count;
    return n;
  }

  private flush(tenantId: string): void {
    const b = this.pending.get(tenantId);
    if (!b) return;
    this.pending.delete(tenantId);
    if (b.timer) clearTimeout(b.timer);
    const parts = b.parts;
    const all = parts.length === 1 ? parts[0]!.readings : parts.flatMap((p) => p.readings);
    let call: Promise<IngestResult>;
    try {
      call = this.ingest.ingestForTenant(tenantId, this.log, all);
    } catch (err) {
      call = Promise.reject(err);
    }
    call.then(
      (res) => {
        if (parts.length === 1) return parts[0]!.resolve(res);
        // errors are sorted by index: hand each part the ones in its range, re-indexed
        const errs = [...res.errors].sort((x, y) => x.index - y.index);
        let e = 0;
        for (const p of parts) {
          const end = p.offset + p.readings.length;
          const mine: IngestError[] = [];
          while (e < errs.length && errs[e]!.index < end) {
            const err = errs[e++]!;
            if (err.index >= p.offset) mine.push({ ...err, index: err.index - p.offset });
          }
          p.resolve({ acceptedCount: p.readings.length - mine.length, rejectedCount: mine.length, errors: mine });
        }
      },
      (err) => {
        for (const p of parts) p.reject(err);
      },
    );
  }
}

function jobIdOf(sourceId: string, leaseUs: string | null, updatedUs: string): string {
  // BullMQ refuses ':' in custom ids
  return `${sourceId}.${leaseUs ?? 'free'}.${updatedUs}`;
}

/** One source's polling loop in this process, for one run job. */
class SourceLoop {
  private target!: PollTarget;
  private driver: DeviceDriver | null = null;
  private written: WrittenHealth;
  /** timestamps not yet written (they ride on the next renewal) */
  private pendingPollAt: Date | null = null;
  private pendingSuccessAt: Date | null = null;
  private failures: number;
  private exit: Exit | null = null;
  private dirty = false;
  private wake: (() => void) | null = null;
  private leaseValidUntil: number;
  private renewTimer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  private unwatch: (() => void) | null = null;
  nextAt: number | undefined;
  readonly done: Promise<Exit>;
  private resolveDone!: (e: Exit) => void;

  constructor(
    private readonly p: SourcePoller,
    readonly id: string,
    claimedAt: number,
    nextAt: number | undefined,
    written: WrittenHealth,
  ) {
    this.written = written;
    this.failures = written.consecutiveFailures;
    this.leaseValidUntil = claimedAt + p.opts.leaseMs;
    this.nextAt = nextAt;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Something about the source changed: reload it before the next cycle, now if asleep. */
  changed(): void {
    this.dirty = true;
    this.wake?.();
  }

  stop(exit: Exit): void {
    this.exit ??= exit;
    this.wake?.();
  }

  private get log() {
    return this.p.log;
  }

  async run(): Promise<Exit> {
    let exit: Exit;
    try {
      exit = await this.loop();
    } catch (err) {
      this.log.error({ err, sourceId: this.id }, 'source loop failed');
      exit = 'closing';
    }
    this.stopRenewals();
    if (this.renewing) await this.renewing;
    this.unwatch?.();
    await this.closeDriver();
    if (exit === 'period-end' || exit === 'closing') await this.flushTimestamps();
    this.resolveDone(exit);
    return exit;
  }

  private async loop(): Promise<Exit> {
    const loaded = await this.reload();
    if (loaded) return loaded;
    this.unwatch = this.p.watchTenant(this.target.tenantId);
    this.scheduleRenewal();
    const periodEnd = Date.now() + this.p.opts.runPeriodMs;
    const interval0 = this.target.source.pollIntervalMs;
    const now0 = Date.now();
    // a hand-over keeps the predecessor's plan when it is near; otherwise start now
    let next = this.nextAt !== undefined && this.nextAt > now0 - interval0 && this.nextAt < now0 + interval0 ? this.nextAt : now0;
    for (;;) {
      this.nextAt = next;
      await this.sleepUntil(next);
      if (this.exit) return this.exit;
      if (Date.now() > this.leaseValidUntil) return 'lost';
      if (this.dirty) {
        const before = this.target.updatedAt.getTime();
        const r = await this.reload();
        if (r) return r;
        if (this.target.updatedAt.getTime() !== before) {
          // a changed source: new settings, new driver, a fresh start of its cadence
          await this.closeDriver();
          this.failures = 0;
          if (next > Date.now()) {
            next = Date.now();
            continue;
          }
        } else if (next > Date.now()) continue; // woken for nothing: sleep on
      }
      if (Date.now() >= periodEnd) return 'period-end';
      const interval = this.target.source.pollIntervalMs;
      const started = Date.now();
      this.p.count({ lateMs: Math.max(0, started - next) });
      const ok = await this.cycle();
      if (this.exit) return this.exit;
      if (ok) {
        next += interval;
        const now = Date.now();
        if (now > next) {
          const skipped = Math.floor((now - next) / interval) + 1;
          next += skipped * interval;
          this.p.count({ missed: skipped });
        }
      } else {
        const backoff = Math.min(interval * 2 ** Math.min(this.failures - 1, 30), Math.max(this.p.opts.maxBackoffMs, interval));
        next = started + backoff;
        // a failure's plan is its back-off; the fixed-rate plan restarts from the first good cycle
        if (next < Date.now()) next = Date.now();
      }
    }
  }

  /** Reloads the source; an exit when it is gone, inactive or not subscribed. */
  private async reload(): Promise<Exit | null> {
    this.dirty = false;
    const t = await this.p.targets.loadPollTarget(this.id);
    if (!t) return 'deleted';
    this.target = t;
    if (!t.isActive) {
      await this.writeHealth({ state: 'disabled', lastError: null, consecutiveFailures: 0, points: [] }, null, false, true);
      return 'inactive';
    }
    if (this.p.targets.subscribed && !(await this.p.targets.subscribed(t.tenantId))) {
      await this.writeHealth({ state: 'disabled', lastError: 'An active subscription is required for direct ingestion', consecutiveFailures: 0, points: [] }, null, false);
      return 'unsubscribed';
    }
    return null;
  }

  private sleepUntil(at: number): Promise<void> {
    const ms = at - Date.now();
    if (ms <= 0 || this.exit || this.dirty) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  /** One cycle: poll, hand the values to the ingest service, health. True when the device answered and the readings were stored. */
  private async cycle(): Promise<boolean> {
    const at = new Date();
    let result: PollResult;
    try {
      this.driver ??= this.p.createDriver(this.target);
      result = await this.driver.poll();
    } catch (err) {
      await this.failed(at, errMessage(err));
      return false;
    }
    let rejected = 0;
    let firstRejection: string | null = null;
    try {
      const t = this.target;
      for (let i = 0; i < result.values.length; i += INGEST_MAX_BATCH) {
        const chunk = result.values.slice(i, i + INGEST_MAX_BATCH).map((v) => ({
          machineIdentifier: t.machineIdentifier,
          timestamp: v.timestamp.toISOString(),
          metricName: v.metricName,
          value: v.value,
          unit: v.unit,
          rawTag: v.rawTag,
        }));
        const res = await this.p.batcher.submit(t.tenantId, chunk);
        rejected += res.rejectedCount;
        firstRejection ??= res.errors[0]?.error ?? null;
        this.p.count({ readings: res.acceptedCount });
      }
    } catch (err) {
      await this.failed(at, `readings not stored: ${errMessage(err)}`);
      return false;
    }
    this.failures = 0;
    const bad = result.badPoints;
    const problems: string[] = [];
    if (bad.length) problems.push(badPointsSummary(bad));
    if (rejected) problems.push(`${rejected} reading(s) rejected: ${firstRejection}`);
    this.p.count({ cycle: true });
    await this.writeHealth({ state: problems.length ? 'degraded' : 'ok', lastError: problems.length ? problems.join('; ') : null, consecutiveFailures: 0, points: bad }, at, true);
    return true;
  }

  private async failed(at: Date, message: string): Promise<void> {
    this.failures += 1;
    this.p.count({ cycle: true, failed: true });
    this.log.debug({ sourceId: this.id, failures: this.failures, err: message }, 'source cycle failed');
    await this.writeHealth({ state: 'failing', lastError: message.slice(0, 2000), consecutiveFailures: this.failures, points: [] }, at, false);
  }

  /**
   * Writes the health when it changed (and publishes when the state, the error or the bad points
   * changed); otherwise only remembers the timestamps for the next renewal.
   */
  private async writeHealth(
    h: { state: SourceState; lastError: string | null; consecutiveFailures: number; points: PointStatus[] },
    pollAt: Date | null,
    success: boolean,
    releaseLease = false,
  ): Promise<void> {
    const key = pointsKey(h.points);
    const w = this.written;
    const published = h.state !== w.state || h.lastError !== w.lastError || key !== w.pointsKey;
    if (pollAt) {
      this.pendingPollAt = pollAt;
      if (success) this.pendingSuccessAt = pollAt;
    }
    if (!published && h.consecutiveFailures === w.consecutiveFailures && !releaseLease) return;
    const lastPollAt = this.pendingPollAt ?? w.lastPollAt;
    const lastSuccessAt = this.pendingSuccessAt ?? w.lastSuccessAt;
    try {
      const rows = await this.p.db.query<{ id: string }>(
        `update ingest_sources set state = ?, last_error = ?, consecutive_failures = ?, point_status = ?::jsonb,
                last_poll_at = coalesce(?::timestamptz, last_poll_at), last_success_at = coalesce(?::timestamptz, last_success_at)
                ${releaseLease ? ', lease_owner = null, lease_until = clock_timestamp()' : ''}
          where id = ? and lease_owner = ? returning id`,
        [h.state, h.lastError, h.consecutiveFailures, JSON.stringify(h.points), lastPollAt, lastSuccessAt, this.id, this.p.ownerId],
      );
      if (!rows.length) {
        this.stop('lost');
        return;
      }
    } catch (err) {
      // not written: tried again at the next change (the remembered state stays the old one)
      this.log.warn({ err: errMessage(err), sourceId: this.id }, 'writing source health failed');
      return;
    }
    this.written = { ...h, pointsKey: key, lastPollAt, lastSuccessAt };
    this.pendingPollAt = null;
    this.pendingSuccessAt = null;
    if (!published) return;
    const t = this.target;
    if (h.state !== w.state) {
      const fields = { sourceId: this.id, tenantId: t.tenantId, from: w.state, to: h.state, error: h.lastError };
      if (h.state === 'failing' || h.state === 'degraded') this.log.warn(fields, 'source health changed');
      else this.log.info(fields, 'source health changed');
    }
    const payload: SourceHealth = {
      sourceId: this.id,
      tenantId: t.tenantId,
      machineId: t.machineId,
      state: h.state,
      lastPollAt,
      lastSuccessAt,
      lastError: h.lastError,
      consecutiveFailures: h.consecutiveFailures,
      pointStatus: h.points,
    };
    await this.p.bus.publish(sourceHealthChangedTopic(t.tenantId), payload).catch((err) => this.log.warn({ err: errMessage(err) }, 'publishing source health failed'));
  }

  // ---------------------------------------------------------------------------------------------
  // Lease renewal

  private renewEveryMs(): number {
    return Math.max(250, Math.min(Math.floor(this.p.opts.leaseMs / 3), this.p.healthFlushMs));
  }

  private scheduleRenewal(): void {
    if (this.exit) return;
    this.renewTimer = setTimeout(() => {
      this.renewing = this.renew().finally(() => {
        this.renewing = null;
        this.scheduleRenewal();
      });
    }, this.renewEveryMs());
    this.renewTimer.unref();
  }

  private stopRenewals(): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = null;
  }

  /** Extends the lease, writes the pending timestamps, and notices a change made elsewhere. */
  private async renew(): Promise<void> {
    if (this.exit) return;
    const started = Date.now();
    const pollAt = this.pendingPollAt;
    const successAt = this.pendingSuccessAt;
    try {
      const rows = await this.p.db.query<{ active: boolean; updated_at: Date }>(
        `update ingest_sources s set lease_until = now() + (? * interval '1 millisecond'),
                last_poll_at = coalesce(?::timestamptz, s.last_poll_at), last_success_at = coalesce(?::timestamptz, s.last_success_at)
           from machines m
          where s.id = ? and s.lease_owner = ? and m.id = s.machine_id
          returning (s.is_active and m.is_active) as active, s.updated_at`,
        [this.p.opts.leaseMs, pollAt, successAt, this.id, this.p.ownerId],
      );
      if (!rows.length) {
        this.stop('lost');
        return;
      }
      this.leaseValidUntil = started + this.p.opts.leaseMs;
      if (this.pendingPollAt === pollAt) this.pendingPollAt = null;
      if (this.pendingSuccessAt === successAt) this.pendingSuccessAt = null;
      if (pollAt) this.written.lastPollAt = pollAt;
      if (successAt) this.written.lastSuccessAt = successAt;
      const r = rows[0]!;
      if (!r.active || new Date(r.updated_at).getTime() !== this.target.updatedAt.getTime()) this.changed();
    } catch (err) {
      // the loop stops by itself once the lease it holds may have run out
      this.log.warn({ err: errMessage(err), sourceId: this.id }, 'renewing a source lease failed');
    }
  }

  private async flushTimestamps(): Promise<void> {
    if (!this.pendingPollAt && !this.pendingSuccessAt) return;
    await this.p.db
      .query(
        `update ingest_sources set last_poll_at = coalesce(?::timestamptz, last_poll_at), last_success_at = coalesce(?::timestamptz, last_success_at) where id = ? and lease_owner = ?`,
        [this.pendingPollAt, this.pendingSuccessAt, this.id, this.p.ownerId],
      )
      .catch(() => undefined);
    this.pendingPollAt = null;
    this.pendingSuccessAt = null;
  }

  private async closeDriver(): Promise<void> {
    const d = this.driver;
    this.driver = null;
    if (d) await bounded(d.close().catch(() => undefined), this.p.closeTimeoutMs);
  }
}

/** The poller as the module builds it from configuration (`config.sources`, `config.outbound`). */
export function sourcePollerFor(
  deps: { db: Database; bus: EventBus; log: Logger; config: AppConfig },
  ingest: Pick<IngestService, 'ingestForTenant'>,
  targets: PollTargets,
): SourcePoller {
  const { config } = deps;
  return new SourcePoller(deps.db, deps.bus, ingest, targets, deps.log.child({ component: 'source-poller' }), {
    leaseMs: config.sources.leaseMs,
    reconcileEveryMs: config.sources.reconcileEveryMs,
    runPeriodMs: config.sources.runPeriodMs,
    maxBackoffMs: config.sources.maxBackoffMs,
    pollConcurrency: config.sources.pollConcurrency,
    driverOptions: {
      resolveTarget: outboundResolver(config.outbound, undefined, { timeoutMs: config.sources.connectTimeoutMs }),
      connectTimeoutMs: config.sources.connectTimeoutMs,
      requestTimeoutMs: config.sources.requestTimeoutMs,
      pkiDir: config.sources.opcuaPkiDir,
      trustUnknownServerCertificates: config.sources.trustUnknownServerCertificates,
    },
  });
}
