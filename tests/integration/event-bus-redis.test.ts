import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisEventBus, SlowConsumerError } from '../../src/infra/event-bus.js';
import { probeService } from '../helpers/services.js';

const redis = await probeService('redis');

describe.skipIf(redis.skip)('RedisEventBus' + redis.label, () => {
  const prefix = `hf:test:evt:${randomUUID()}:`;
  let a: RedisEventBus; // two instances stand in for two processes
  let b: RedisEventBus;
  let admin: Redis;

  const numSub = async (topic: string): Promise<number> => {
    const reply = (await admin.pubsub('NUMSUB', prefix + topic)) as [string, number];
    return Number(reply[1]);
  };

  beforeAll(async () => {
    a = new RedisEventBus(redis.url, { channelPrefix: prefix });
    b = new RedisEventBus(redis.url, { channelPrefix: prefix });
    admin = new Redis(redis.url);
    await Promise.all([a.ready(), b.ready()]);
  });

  afterAll(async () => {
    await Promise.allSettled([a?.close(), b?.close(), admin?.quit()]);
  });

  it('delivers an event published on A exactly once to A and to B', async () => {
    const onA: unknown[] = [];
    const onB: unknown[] = [];
    const offA = a.on('once', (p) => void onA.push(p));
    const offB = b.on('once', (p) => void onB.push(p));
    await Promise.all([a.settled(), b.settled()]);

    await a.publish('once', 'x');
    // Pub/sub keeps per-connection order, so once the sentinel arrives any duplicate would have too.
    await a.publish('once', 'end');
    await vi.waitFor(() => {
      expect(onA.at(-1)).toBe('end');
      expect(onB.at(-1)).toBe('end');
    });
    expect(onA).toEqual(['x', 'end']);
    expect(onB).toEqual(['x', 'end']);
    offA();
    offB();
  });

  it('re-hydrates Dates and leaves ISO-looking strings alone', async () => {
    const it = b.subscribe('dated');
    await b.settled();
    const at = new Date('2026-01-02T03:04:05.678Z');
    await a.publish('dated', { at, label: '2026-01-02T03:04:05.678Z', list: [at] });

    const { value } = await it.next();
    const got = value as { at: Date; label: string; list: Date[] };
    expect(got.at).toBeInstanceOf(Date);
    expect(got.at.getTime()).toBe(at.getTime());
    expect(got.list[0]).toBeInstanceOf(Date);
    expect(typeof got.label).toBe('string');
    expect(got.label).toBe('2026-01-02T03:04:05.678Z');
    await it.return!();
  });

  it('holds a Redis SUBSCRIBE only while a local listener exists', async () => {
    const got: unknown[] = [];
    const off1 = b.on('unsub', (p) => void got.push(p));
    const it = b.subscribe('unsub');
    await b.settled();
    expect(await numSub('unsub')).toBe(1); // one channel subscription for two local listeners

    off1();
    await b.settled();
    expect(await numSub('unsub')).toBe(1);
    await it.return!();
    await b.settled();
    expect(await numSub('unsub')).toBe(0);

    const sentinel: unknown[] = [];
    const offS = b.on('unsub-sentinel', (p) => void sentinel.push(p));
    await b.settled();
    await a.publish('unsub', 'late');
    await a.publish('unsub-sentinel', 'end');
    await vi.waitFor(() => expect(sentinel).toEqual(['end']));
    expect(got).toEqual([]);
    offS();
  });

  it('hasListeners: true while a listener exists in this or another process, false otherwise', async () => {
    const topic = `listened-${randomUUID()}`;
    expect(await a.hasListeners(topic)).toBe(false);
    const offB = b.on(topic, () => undefined);
    await b.settled();
    expect(await a.hasListeners(topic)).toBe(true); // B's subscription, seen through Redis
    expect(await b.hasListeners(topic)).toBe(true);
    offB();
    await b.settled();
    expect(await a.hasListeners(topic)).toBe(false);
    const offA = a.on(topic, () => undefined);
    expect(await a.hasListeners(topic)).toBe(true); // local, before Redis acknowledged the SUBSCRIBE
    offA();
    await a.settled();
  });

  it('drops a slow subscriber and releases its channel', async () => {
    const slow = b.subscribe('slow', { maxQueue: 2 });
    const seen: unknown[] = [];
    const offSeen = b.on('slow-sentinel', (p) => void seen.push(p));
    await b.settled();

    for (let i = 0; i < 3; i++) await a.publish('slow', i);
    await a.publish('slow-sentinel', 'end');
    await vi.waitFor(() => expect(seen).toEqual(['end']));

    expect(b.listenerCount('slow')).toBe(0);
    await expect(slow.next()).rejects.toBeInstanceOf(SlowConsumerError);
    await b.settled();
    expect(await numSub('slow')).toBe(0);
    offSeen();
  });

  it('keeps handler failures away from the publisher', async () => {
    const onError = vi.fn();
    const c = new RedisEventBus(redis.url, { channelPrefix: prefix, onError });
    try {
      await c.ready();
      c.on('fail', () => {
        throw new Error('boom');
      });
      await c.settled();
      await expect(c.publish('fail', 1)).resolves.toBeUndefined();
      await vi.waitFor(() => expect(onError).toHaveBeenCalledOnce());
    } finally {
      await c.close();
    }
  });
});
