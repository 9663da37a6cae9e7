import type { PubSub } from 'type-graphql';
import { describe, expect, it, vi } from 'vitest';
import {
  decodePayload,
  encodePayload,
  InProcessEventBus,
  SlowConsumerError,
  toTypeGraphqlPubSub,
} from '../../src/infra/event-bus.js';

describe('InProcessEventBus', () => {
  it('delivers to on() handlers of the topic only, until unsubscribed', async () => {
    const bus = new InProcessEventBus();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = bus.on('t.a', (p) => void a.push(p));
    bus.on('t.b', (p) => void b.push(p));

    await bus.publish('t.a', 1);
    await bus.publish('t.b', 2);
    offA();
    offA(); // idempotent
    await bus.publish('t.a', 3);

    expect(a).toEqual([1]);
    expect(b).toEqual([2]);
    expect(bus.listenerCount('t.a')).toBe(0);
    await bus.close();
  });

  it('subscribe() yields queued and later events in order', async () => {
    const bus = new InProcessEventBus();
    const it = bus.subscribe('t');
    await bus.publish('t', 'x');
    await bus.publish('t', 'y');
    const pending = it.next();
    expect(await it.next()).toEqual({ value: 'y', done: false });
    expect(await pending).toEqual({ value: 'x', done: false });

    const waiting = it.next();
    await bus.publish('t', 'z');
    expect(await waiting).toEqual({ value: 'z', done: false });
    await it.return!();
    await bus.close();
  });

  it('iterator return() unsubscribes and drops the backlog', async () => {
    const bus = new InProcessEventBus();
    const it = bus.subscribe('t');
    await bus.publish('t', 1);
    expect(bus.listenerCount('t')).toBe(1);
    expect(await it.return!()).toEqual({ value: undefined, done: true });
    expect(bus.listenerCount('t')).toBe(0);
    expect(await it.next()).toEqual({ value: undefined, done: true });
    await bus.close();
  });

  it('breaking out of for-await unsubscribes', async () => {
    const bus = new InProcessEventBus();
    const it = bus.subscribe('t');
    await bus.publish('t', 1);
    for await (const value of it) {
      expect(value).toBe(1);
      break;
    }
    expect(bus.listenerCount('t')).toBe(0);
    await bus.close();
  });

  it('drops a slow consumer once more than maxQueue events wait', async () => {
    const bus = new InProcessEventBus();
    const slow = bus.subscribe('t', { maxQueue: 3 });
    const fine = bus.subscribe('t', { maxQueue: 3 });
    for (let i = 0; i < 3; i++) await bus.publish('t', i);
    expect(bus.listenerCount('t')).toBe(2);
    for (let i = 0; i < 3; i++) expect((await fine.next()).value).toBe(i);

    await bus.publish('t', 3);
    expect(bus.listenerCount('t')).toBe(1); // dropped at overflow, before the next pull
    await expect(slow.next()).rejects.toBeInstanceOf(SlowConsumerError);
    expect(await slow.next()).toEqual({ value: undefined, done: true });
    expect((await fine.next()).value).toBe(3);
    await fine.return!();
    await bus.close();
  });

  it('rejects an invalid maxQueue', () => {
    const bus = new InProcessEventBus();
    expect(() => bus.subscribe('t', { maxQueue: -1 })).toThrow(RangeError);
    expect(() => bus.subscribe('t', { maxQueue: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });

  it('isolates handler errors, sync and async, from the publisher and other handlers', async () => {
    const onError = vi.fn();
    const bus = new InProcessEventBus({ onError });
    const got: unknown[] = [];
    bus.on('t', () => {
      throw new Error('sync boom');
    });
    bus.on('t', async () => {
      throw new Error('async boom');
    });
    bus.on('t', (p) => void got.push(p));

    await expect(bus.publish('t', 'ok')).resolves.toBeUndefined();
    await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(2));
    expect(got).toEqual(['ok']);
    expect(onError.mock.calls.map(([e]) => (e as Error).message).sort()).toEqual(['async boom', 'sync boom']);
    await bus.close();
  });

  it('a handler subscribing during dispatch does not receive the current event', async () => {
    const bus = new InProcessEventBus();
    const late: unknown[] = [];
    bus.on('t', () => void bus.on('t', (p) => void late.push(p)));
    await bus.publish('t', 1);
    expect(late).toEqual([]);
    await bus.close();
  });

  it('hasListeners follows on() and subscribe() registrations', async () => {
    const bus = new InProcessEventBus();
    expect(await bus.hasListeners('t')).toBe(false);
    const off = bus.on('t', () => undefined);
    expect(await bus.hasListeners('t')).toBe(true);
    expect(await bus.hasListeners('other')).toBe(false);
    off();
    expect(await bus.hasListeners('t')).toBe(false);
    const it = bus.subscribe('t');
    expect(await bus.hasListeners('t')).toBe(true);
    await it.return!();
    expect(await bus.hasListeners('t')).toBe(false);
  });

  it('close() completes pending iterators and rejects later publishes', async () => {
    const bus = new InProcessEventBus();
    const it = bus.subscribe('t');
    const pending = it.next();
    await bus.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    await expect(bus.publish('t', 1)).rejects.toThrow(/closed/);
  });
});

describe('payload codec', () => {
  it('restores Dates, including nested and invalid ones', () => {
    const when = new Date('2026-03-04T05:06:07.089Z');
    const out = decodePayload(encodePayload({ when, list: [when, { deep: when }], bad: new Date(Number.NaN) })) as {
      when: Date;
      list: [Date, { deep: Date }];
      bad: Date;
    };
    expect(out.when).toBeInstanceOf(Date);
    expect(out.when.getTime()).toBe(when.getTime());
    expect(out.list[0]).toBeInstanceOf(Date);
    expect(out.list[1].deep.toISOString()).toBe(when.toISOString());
    expect(out.bad).toBeInstanceOf(Date);
    expect(Number.isNaN(out.bad.getTime())).toBe(true);
    expect(decodePayload(encodePayload(when))).toEqual(when);
  });

  it('keeps ISO-looking strings and tag-shaped objects as they were', () => {
    const payload = {
      iso: '2026-03-04T05:06:07.089Z',
      lookalike: { $date: '2026-03-04T05:06:07.089Z' },
      escaped: { $obj: [['a', 1]] },
      nested: { $date: { $date: new Date(0) } },
    };
    const out = decodePayload(encodePayload(payload)) as typeof payload;
    expect(out.iso).toBe(payload.iso);
    expect(out.lookalike).toEqual({ $date: '2026-03-04T05:06:07.089Z' });
    expect(out.escaped).toEqual({ $obj: [['a', 1]] });
    expect(out.nested.$date.$date).toBeInstanceOf(Date);
  });

  it('round-trips undefined and primitives', () => {
    expect(decodePayload(encodePayload(undefined))).toBeUndefined();
    expect(decodePayload(encodePayload(null))).toBeNull();
    expect(decodePayload(encodePayload('s'))).toBe('s');
  });
});

describe('toTypeGraphqlPubSub', () => {
  it('fits type-graphql PubSub and routes payloads, with per-id topics', async () => {
    const bus = new InProcessEventBus();
    const pubSub: PubSub = toTypeGraphqlPubSub(bus);

    const all = pubSub.subscribe('MACHINE')[Symbol.asyncIterator]();
    const one = pubSub.subscribe('MACHINE', 42)[Symbol.asyncIterator]();
    pubSub.publish('MACHINE', { id: 1 });
    pubSub.publish('MACHINE:42', { id: 42 });

    expect(await all.next()).toEqual({ value: { id: 1 }, done: false });
    expect(await one.next()).toEqual({ value: { id: 42 }, done: false });
    await all.return?.();
    await one.return?.();
    await bus.close();
  });

  it('reports publish failures instead of throwing', async () => {
    const bus = new InProcessEventBus();
    await bus.close();
    const onError = vi.fn();
    toTypeGraphqlPubSub(bus, { onError }).publish('T', 1);
    await vi.waitFor(() => expect(onError).toHaveBeenCalledOnce());
  });
});
