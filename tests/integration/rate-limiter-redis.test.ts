import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisRateLimiter } from '../../src/infra/rate-limiter.js';
import { probeService } from '../helpers/services.js';

const redis = await probeService('redis');

describe.skipIf(redis.skip)('RedisRateLimiter' + redis.label, () => {
  const keyPrefix = `hf:test:rl:${randomUUID()}:`;
  let a: RedisRateLimiter; // two instances stand in for two processes
  let b: RedisRateLimiter;

  beforeAll(() => {
    a = new RedisRateLimiter(redis.url, { keyPrefix });
    b = new RedisRateLimiter(redis.url, { keyPrefix });
  });

  afterAll(async () => {
    await Promise.allSettled([a?.close(), b?.close()]);
  });

  it('shares one budget between instances', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await (i % 2 === 0 ? a : b).consume('shared', 5, 30));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true]);
    expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0]);

    const sixth = await b.consume('shared', 5, 30);
    expect(sixth.allowed).toBe(false);
    expect(sixth.remaining).toBe(0);
    expect(sixth.retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(sixth.retryAfterSec).toBeLessThanOrEqual(30);
    expect(sixth.resetAt).toBeGreaterThan(Date.now() / 1000);
    expect((await a.consume('shared', 5, 30)).allowed).toBe(false);
  });

  it('opens a new window after a 1 s window expires', async () => {
    expect((await a.consume('short', 1, 1)).allowed).toBe(true);
    const denied = await b.consume('short', 1, 1);
    expect(denied).toMatchObject({ allowed: false, remaining: 0, retryAfterSec: 1 });

    await new Promise((r) => setTimeout(r, 1_050));
    await vi.waitFor(async () => expect((await a.consume('short', 1, 1)).allowed).toBe(true), {
      timeout: 3_000,
      interval: 100,
    });
  });

  it('keeps keys isolated', async () => {
    expect((await a.consume('iso-1', 1, 30)).allowed).toBe(true);
    expect((await a.consume('iso-1', 1, 30)).allowed).toBe(false);
    expect((await b.consume('iso-2', 1, 30)).allowed).toBe(true);
  });

  it('keeps remaining non-negative under a burst', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).consume('burst', 7, 30)));
    expect(results.filter((r) => r.allowed)).toHaveLength(7);
    expect(results.every((r) => r.remaining >= 0)).toBe(true);
    expect(results.filter((r) => !r.allowed).every((r) => r.retryAfterSec >= 1)).toBe(true);
  });
});
