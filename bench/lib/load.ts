import os from 'node:os';
import { Agent } from 'undici';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)]!;
}

/**
 * Closed-loop load: `concurrency` clients each send a request as soon as the previous one
 * answered, for `durationMs` (after `warmupMs` not counted). Bounded in time by construction.
 */
export async function runLoad(opts: {
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
  request: (dispatcher: Agent, i: number) => Promise<boolean>;
}): Promise<LoadResult> {
  const dispatcher = new Agent({ connections: opts.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const warmupEnd = Date.now() + (opts.warmupMs ?? 1000);
  const end = warmupEnd + opts.durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const client = async () => {
    while (Date.now() < end) {
      const i = counter++;
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await opts.request(dispatcher, i);
      } catch {
        ok = false;
      }
      const ms = performance.now() - t0;
      if (Date.now() >= warmupEnd) {
        latencies.push(ms);
        if (!ok) errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const seconds = opts.durationMs / 1000;
  return {
    requests: latencies.length,
    errors,
    seconds,
    rps: Math.round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? 0),
  };
}

export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
/** The machine's load averages (1, 5, 15 min), rounded: recorded around every measured run. */
export const loadavg = () => os.loadavg().map((l) => round(l));

/** Deterministic PRNG (mulberry32): a benchmark replays the same values on every run and in its baseline. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One of `weighted`'s values, drawn with the odds of their weights. */
export function pick<T>(rand: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = rand() * total;
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted.at(-1)![0];
}
