import { Redis } from 'ioredis';

/** Outcome of one counted hit. */
export interface RateLimitResult {
  /** whether this hit is within the limit */
  allowed: boolean;
  /** the limit the hit was checked against */
  limit: number;
  /** hits still allowed in the current window, never negative */
  remaining: number;
  /** unix epoch seconds when the current window resets */
  resetAt: number;
  /** seconds to wait, >=1 when !allowed, else 0 */
  retryAfterSec: number;
}

/** Fixed-window hit counter. */
export interface RateLimiter {
  /** Counts one hit for key within a fixed window of windowSec seconds and says whether it is within limit. */
  consume(key: string, limit: number, windowSec: number): Promise<RateLimitResult>;
  /** Releases timers and connections. */
  close(): Promise<void>;
}

// Tests set LOG_LEVEL=silent; connection errors otherwise go to stderr, as ioredis would do unhandled.
function defaultOnError(err: unknown): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  console.error('[rate-limiter]', err);
}

function windowMs(limit: number, windowSec: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  if (!Number.isFinite(windowSec) || windowSec <= 0) throw new RangeError(`windowSec must be positive, got ${windowSec}`);
  return Math.max(1, Math.ceil(windowSec * 1000));
}

// Both implementations count denied hits too (the counter keeps growing within the window), so
// results are derived from the same (count, msLeft) pair and stay identical between them.
function toResult(count: number, limit: number, nowMs: number, msLeft: number): RateLimitResult {
  const allowed = count <= limit;
  return {
    allowed,
    limit,
    remaining: Math.max(0, limit - count),
    resetAt: Math.ceil((nowMs + msLeft) / 1000),
    retryAfterSec: allowed ? 0 : Math.max(1, Math.ceil(msLeft / 1000)),
  };
}

interface MemoryWindow {
  count: number;
  resetAtMs: number;
}

/** Options for MemoryRateLimiter. */
export interface MemoryRateLimiterOptions {
  /** clock in epoch milliseconds (default Date.now), injectable for deterministic tests */
  now?: () => number;
  /** how often expired windows are dropped (default 60 000 ms) */
  sweepIntervalMs?: number;
}

/** Per-process limiter; each process has its own budget. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, MemoryWindow>();
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;

  /** Starts the periodic sweep; the timer never keeps the process alive. */
  constructor(opts?: MemoryRateLimiterOptions) {
    this.now = opts?.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), opts?.sweepIntervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Counts one hit for key within a fixed window of windowSec seconds and says whether it is within limit. */
  async consume(key: string, limit: number, windowSec: number): Promise<RateLimitResult> {
    const ms = windowMs(limit, windowSec);
    const now = this.now();
    let win = this.windows.get(key);
    if (!win || win.resetAtMs <= now) {
      win = { count: 0, resetAtMs: now + ms };
      this.windows.set(key, win);
    }
    win.count += 1;
    return toResult(win.count, limit, now, win.resetAtMs - now);
  }

  /** Drops expired windows; runs periodically, exposed for tests. */
  sweep(): void {
    const now = this.now();
    for (const [key, win] of this.windows) if (win.resetAtMs <= now) this.windows.delete(key);
  }

  /** Number of keys currently held in memory. */
  get size(): number {
    return this.windows.size;
  }

  /** Stops the sweep timer and forgets all windows. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.windows.clear();
  }
}

// The PTTL < 0 branch also repairs a key left without expiry (e.g. written by hand), which would
// otherwise block the key forever.
const CONSUME_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

type ConsumeCommand = (key: string, windowMs: number) => Promise<[number, number]>;

/** Limiter backed by Redis; every process using the same keyPrefix shares one budget per key. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly keyPrefix: string;

  /** url: redis URL; keyPrefix namespaces keys (default 'hf:rl:'); onError receives connection errors. */
  constructor(url: string, opts?: { keyPrefix?: string; onError?: (err: unknown) => void }) {
    this.keyPrefix = opts?.keyPrefix ?? 'hf:rl:';
    this.redis = new Redis(url);
    this.redis.on('error', opts?.onError ?? defaultOnError);
    // defineCommand sends EVALSHA and falls back to EVAL when the script cache was flushed.
    this.redis.defineCommand('hfRateLimitConsume', { numberOfKeys: 1, lua: CONSUME_SCRIPT });
  }

  /** Counts one hit for key within a fixed window of windowSec seconds and says whether it is within limit. */
  async consume(key: string, limit: number, windowSec: number): Promise<RateLimitResult> {
    const ms = windowMs(limit, windowSec);
    const run = (this.redis as unknown as { hfRateLimitConsume: ConsumeCommand }).hfRateLimitConsume;
    const [count, ttl] = await run.call(this.redis, this.keyPrefix + key, ms);
    return toResult(count, limit, Date.now(), ttl);
  }

  /** Closes the Redis connection. */
  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    // QUIT would wait in the offline queue of a connection that is still (re)connecting.
    if (this.redis.status !== 'ready') {
      this.redis.disconnect();
      return;
    }
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
