import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/infra/rate-limiter.js';

describe('MemoryRateLimiter', () => {
  let clock = 0;
  let limiter: MemoryRateLimiter;
  const make = () => {
    clock = Date.UTC(2026, 0, 1, 0, 0, 0, 250);
    limiter = new MemoryRateLimiter({ now: () => clock });
    return limiter;
  };

  afterEach(async () => {
    await limiter?.close();
  });

  it('allows up to the limit with decreasing remaining', async () => {
    const rl = make();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await rl.consume('k', 3, 10));
    expect(results.map((r) => [r.allowed, r.remaining, r.retryAfterSec])).toEqual([
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
    ]);
    expect(results.every((r) => r.limit === 3)).toBe(true);
  });

  it('denies past the limit with retryAfter >= 1 and resetAt in the future', async () => {
    const rl = make();
    for (let i = 0; i < 2; i++) await rl.consume('k', 2, 10);
    clock += 9_900;
    const denied = await rl.consume('k', 2, 10);
    expect(denied.allowed).toBe(false);
    expect(denied.remaining).toBe(0);
    expect(denied.retryAfterSec).toBe(1); // 100 ms left still means "wait at least a second"
    expect(denied.resetAt).toBeGreaterThan(clock / 1000);
    expect(denied.resetAt).toBe(Math.ceil((Date.UTC(2026, 0, 1, 0, 0, 0, 250) + 10_000) / 1000));
  });

  it('keeps counting denied hits without extending the window', async () => {
    const rl = make();
    const first = await rl.consume('k', 1, 5);
    for (let i = 0; i < 10; i++) {
      clock += 100;
      const r = await rl.consume('k', 1, 5);
      expect(r.allowed).toBe(false);
      expect(r.remaining).toBe(0);
      expect(r.resetAt).toBe(first.resetAt);
    }
  });

  it('starts a fresh window once the old one has elapsed', async () => {
    const rl = make();
    await rl.consume('k', 1, 2);
    expect((await rl.consume('k', 1, 2)).allowed).toBe(false);
    clock += 1_999;
    expect((await rl.consume('k', 1, 2)).allowed).toBe(false);
    clock += 1;
    const fresh = await rl.consume('k', 1, 2);
    expect(fresh).toMatchObject({ allowed: true, remaining: 0, retryAfterSec: 0 });
    expect(fresh.resetAt).toBe(Math.ceil((clock + 2_000) / 1000));
  });

  it('keeps keys independent', async () => {
    const rl = make();
    await rl.consume('a', 1, 10);
    expect((await rl.consume('a', 1, 10)).allowed).toBe(false);
    expect((await rl.consume('b', 1, 10)).allowed).toBe(true);
  });

  it('sweeps expired windows so memory stays bounded', async () => {
    const rl = make();
    for (let i = 0; i < 50; i++) await rl.consume(`k${i}`, 1, 1);
    await rl.consume('long', 1, 60);
    expect(rl.size).toBe(51);
    clock += 1_000;
    rl.sweep();
    expect(rl.size).toBe(1);
  });

  it('rejects nonsensical arguments', async () => {
    const rl = make();
    await expect(rl.consume('k', -1, 1)).rejects.toThrow(RangeError);
    await expect(rl.consume('k', 1, 0)).rejects.toThrow(RangeError);
  });

  it('treats limit 0 as always denied', async () => {
    const rl = make();
    expect(await rl.consume('k', 0, 1)).toMatchObject({ allowed: false, remaining: 0, retryAfterSec: 1 });
  });
});
