import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, BullJobRunner, InProcessJobRunner, type JobRunner } from '../../src/infra/jobs.js';
import { probeService } from '../helpers/services.js';

const redis = await probeService('redis');

function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - started > ms) return reject(new Error('condition not met in time'));
      setTimeout(tick, 20);
    };
    tick();
  });
}

const runners: JobRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
});

/** The same contract for both runners; `make` gives a fresh runner sharing one queue namespace per test. */
function contract(name: string, skip: boolean, make: (ns: string) => JobRunner) {
  describe.skipIf(skip)(name, () => {
    it('runs an enqueued job with its data', async () => {
      const r = make(randomUUID());
      runners.push(r);
      const seen: unknown[] = [];
      r.register<{ n: number }>('t.echo', async (d) => {
        seen.push(d.n);
      });
      await r.start();
      await r.enqueue('t.echo', { n: 42 });
      await waitFor(() => seen.length === 1);
      expect(seen).toEqual([42]);
    });

    it('retries a failing job with back-off until it succeeds', async () => {
      const r = make(randomUUID());
      runners.push(r);
      const attempts: number[] = [];
      r.register('t.flaky', async (_d, meta) => {
        attempts.push(meta.attempt);
        if (meta.attempt < 3) throw new Error('transient');
      });
      await r.start();
      await r.enqueue('t.flaky', {}, { attempts: 3, backoffMs: 50 });
      await waitFor(() => attempts.length === 3);
      expect(attempts).toEqual([1, 2, 3]);
    });

    it('gives up after the allowed attempts', async () => {
      const r = make(randomUUID());
      runners.push(r);
      let calls = 0;
      r.register('t.broken', async () => {
        calls += 1;
        throw new Error('permanent');
      });
      await r.start();
      await r.enqueue('t.broken', {}, { attempts: 2, backoffMs: 20 });
      await waitFor(() => calls === 2);
      await new Promise((res) => setTimeout(res, 300));
      expect(calls).toBe(2);
    });

    it('does not queue a job twice under the same jobId', async () => {
      const r = make(randomUUID());
      runners.push(r);
      let calls = 0;
      r.register('t.once', async () => {
        calls += 1;
      });
      await r.enqueue('t.once', {}, { jobId: 'same', delayMs: 100 });
      await r.enqueue('t.once', {}, { jobId: 'same', delayMs: 100 });
      await r.start();
      await waitFor(() => calls >= 1);
      await new Promise((res) => setTimeout(res, 400));
      expect(calls).toBe(1);
    });

    it('refuses jobs without a registered handler', async () => {
      const r = make(randomUUID());
      runners.push(r);
      await expect(r.enqueue('t.unknown', {})).rejects.toThrow(/no job handler/);
    });
  });
}

contract('in-process job runner', false, () => new InProcessJobRunner());
contract(`BullMQ job runner on Redis${redis.label}`, redis.skip, (ns) => new BullJobRunner(redis.url, { prefix: `hf:test:${ns}` }));

describe.skipIf(redis.skip)(`BullMQ spreads work over processes${redis.label}`, () => {
  it('a job enqueued by an API-only process runs on a worker process', async () => {
    const prefix = `hf:test:${randomUUID()}`;
    const producer = new BullJobRunner(redis.url, { prefix });
    const worker = new BullJobRunner(redis.url, { prefix });
    runners.push(producer, worker);
    const ran: string[] = [];
    producer.register('t.work', async () => {
      ran.push('producer');
    });
    worker.register<{ id: string }>('t.work', async (d) => {
      ran.push(`worker:${d.id}`);
    });
    await worker.start();
    await producer.enqueue('t.work', { id: 'a' });
    await waitFor(() => ran.length === 1);
    expect(ran).toEqual(['worker:a']);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt from the base', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(100, a))).toEqual([100, 200, 400, 800]);
  });
});
