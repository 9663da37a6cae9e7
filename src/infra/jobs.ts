import { Queue, Worker, type Job } from 'bullmq';

export interface JobOptions {
  /** start no earlier than this many ms from now */
  delayMs?: number;
  /** total tries including the first (default 3) */
  attempts?: number;
  /** base of the exponential back-off between tries (default 1000 ms) */
  backoffMs?: number;
  /** de-duplicates: a job with an id that is already queued is not queued again */
  jobId?: string;
}

export type JobHandler<T> = (data: T, meta: { attempt: number; name: string }) => Promise<void>;

/**
 * Background work. Handlers are registered by name in every process; jobs may run in any
 * process that called start() (BullMQ on Redis), or in this process (in-process runner).
 */
export interface JobRunner {
  register<T>(name: string, handler: JobHandler<T>, opts?: { concurrency?: number }): void;
  enqueue<T>(name: string, data: T, opts?: JobOptions): Promise<void>;
  /** runs `name` every everyMs with data, once per cluster (identified by schedulerId) */
  every<T>(schedulerId: string, name: string, data: T, everyMs: number): Promise<void>;
  /** begins consuming jobs in this process */
  start(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 1000;

/** Exponential back-off delay before try number `attempt + 1`. */
export function backoffDelay(baseMs: number, attempt: number): number {
  return baseMs * 2 ** (attempt - 1);
}

interface Pending {
  name: string;
  data: unknown;
  attempt: number;
  opts: JobOptions;
}

/** Single-process runner: timers and promises, same retry semantics as the BullMQ runner. */
export class InProcessJobRunner implements JobRunner {
  private readonly handlers = new Map<string, { fn: JobHandler<unknown>; concurrency: number; running: number; queue: Pending[] }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly queuedIds = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private started = false;
  private closed = false;

  constructor(private readonly onError: (err: unknown, job: { name: string; attempt: number }) => void = () => undefined) {}

  register<T>(name: string, handler: JobHandler<T>, opts: { concurrency?: number } = {}): void {
    if (this.handlers.has(name)) throw new Error(`job handler ${name} already registered`);
    this.handlers.set(name, { fn: handler as JobHandler<unknown>, concurrency: opts.concurrency ?? 1, running: 0, queue: [] });
  }

  async enqueue<T>(name: string, data: T, opts: JobOptions = {}): Promise<void> {
    if (this.closed) throw new Error('job runner is closed');
    if (!this.handlers.has(name)) throw new Error(`no job handler registered for ${name}`);
    if (opts.jobId) {
      if (this.queuedIds.has(opts.jobId)) return;
      this.queuedIds.add(opts.jobId);
    }
    this.schedule({ name, data, attempt: 1, opts }, opts.delayMs ?? 0);
  }

  async every<T>(schedulerId: string, name: string, data: T, everyMs: number): Promise<void> {
    const tick = () => {
      if (this.closed) return;
      void this.enqueue(name, data, { jobId: `${schedulerId}:${Date.now()}`, attempts: 1 });
      this.timer(tick, everyMs);
    };
    this.timer(tick, everyMs);
  }

  async start(): Promise<void> {
    this.started = true;
    for (const name of this.handlers.keys()) this.pump(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inflight]);
  }

  private timer(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private schedule(p: Pending, delayMs: number): void {
    const push = () => {
      this.handlers.get(p.name)!.queue.push(p);
      this.pump(p.name);
    };
    if (delayMs > 0) this.timer(push, delayMs);
    else push();
  }

  private pump(name: string): void {
    const h = this.handlers.get(name)!;
    while (this.started && !this.closed && h.running < h.concurrency && h.queue.length > 0) {
      const p = h.queue.shift()!;
      h.running += 1;
      const run = (async () => {
        try {
          await h.fn(p.data, { attempt: p.attempt, name });
          if (p.opts.jobId) this.queuedIds.delete(p.opts.jobId);
        } catch (err) {
          this.onError(err, { name, attempt: p.attempt });
          const attempts = p.opts.attempts ?? DEFAULT_ATTEMPTS;
          if (p.attempt < attempts && !this.closed) {
            this.schedule({ ...p, attempt: p.attempt + 1 }, backoffDelay(p.opts.backoffMs ?? DEFAULT_BACKOFF_MS, p.attempt));
          } else if (p.opts.jobId) this.queuedIds.delete(p.opts.jobId);
        } finally {
          h.running -= 1;
        }
      })();
      this.inflight.add(run);
      void run.finally(() => {
        this.inflight.delete(run);
        this.pump(name);
      });
    }
  }
}

/** BullMQ on Redis: jobs survive restarts and are spread over every process that started workers. */
export class BullJobRunner implements JobRunner {
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly handlers = new Map<string, { fn: JobHandler<unknown>; concurrency: number }>();

  constructor(
    private readonly redisUrl: string,
    private readonly opts: { prefix?: string; onError?: (err: unknown, job: { name: string; attempt: number }) => void } = {},
  ) {}

  private connection() {
    // Workers block on Redis; BullMQ requires maxRetriesPerRequest null on their connections.
    return { url: this.redisUrl, maxRetriesPerRequest: null };
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection(), prefix: this.opts.prefix ?? 'hf:jobs' });
      this.queues.set(name, q);
    }
    return q;
  }

  register<T>(name: string, handler: JobHandler<T>, opts: { concurrency?: number } = {}): void {
    if (this.handlers.has(name)) throw new Error(`job handler ${name} already registered`);
    this.handlers.set(name, { fn: handler as JobHandler<unknown>, concurrency: opts.concurrency ?? 1 });
  }

  async enqueue<T>(name: string, data: T, opts: JobOptions = {}): Promise<void> {
    if (!this.handlers.has(name)) throw new Error(`no job handler registered for ${name}`);
    await this.queue(name).add(name, data, {
      delay: opts.delayMs,
      attempts: opts.attempts ?? DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: opts.backoffMs ?? DEFAULT_BACKOFF_MS },
      jobId: opts.jobId,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
  }

  async every<T>(schedulerId: string, name: string, data: T, everyMs: number): Promise<void> {
    await this.queue(name).upsertJobScheduler(schedulerId, { every: everyMs }, { name, data, opts: { attempts: 1 } });
  }

  async start(): Promise<void> {
    for (const [name, h] of this.handlers) {
      const worker = new Worker(
        name,
        async (job: Job) => h.fn(job.data, { attempt: job.attemptsMade + 1, name }),
        { connection: this.connection(), prefix: this.opts.prefix ?? 'hf:jobs', concurrency: h.concurrency },
      );
      worker.on('failed', (job, err) => this.opts.onError?.(err, { name, attempt: (job?.attemptsMade ?? 0) }));
      worker.on('error', (err) => this.opts.onError?.(err, { name, attempt: 0 }));
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }
}
