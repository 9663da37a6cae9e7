import { Redis } from 'ioredis';

/** Map of topic name -> payload type; modules extend it by declaration merging. */
export interface EventTopics {
  [topic: string]: unknown;
}

/** Options for a pull-style subscription. */
export interface SubscribeOptions {
  /** max queued undelivered events per subscriber before it is dropped (default 1000) */
  maxQueue?: number;
}

/** Thrown by a subscription iterator whose consumer fell more than maxQueue events behind. */
export class SlowConsumerError extends Error {
  override name = 'SlowConsumerError';
}

/** Topic names usable with an EventBus. */
export type EventTopic = keyof EventTopics & string;

/** Publish/subscribe bus for domain events. */
export interface EventBus {
  /** Delivers payload to every listener of topic. */
  publish<K extends EventTopic>(topic: K, payload: EventTopics[K]): Promise<void>;
  /** Push-style handler; returns an unsubscribe function. Handler errors are caught and logged, never thrown to the publisher. */
  on<K extends EventTopic>(topic: K, handler: (payload: EventTopics[K]) => void | Promise<void>): () => void;
  /** Pull-style: an AsyncIterableIterator (used by GraphQL subscriptions). `return()` unsubscribes. When more than maxQueue events wait undelivered, the iterator throws SlowConsumerError on the next next() and unsubscribes, so memory cannot grow without bound. */
  subscribe<K extends EventTopic>(topic: K, opts?: SubscribeOptions): AsyncIterableIterator<EventTopics[K]>;
  /**
   * Whether a publish to topic now would reach any listener, in this process or another. Lets a
   * producer skip building a large payload nobody receives: a listener that subscribes after this
   * answer is in the same position as one that subscribes just after the publish.
   */
  hasListeners(topic: EventTopic): Promise<boolean>;
  /** Ends all subscriptions and releases resources; publishing afterwards rejects. */
  close(): Promise<void>;
}

const DEFAULT_MAX_QUEUE = 1000;

// Tests set LOG_LEVEL=silent; respecting it keeps deliberate handler failures out of their output.
function defaultOnError(err: unknown): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  console.error('[event-bus]', err);
}

interface Listener {
  deliver(payload: unknown): void;
  /** Called when the bus closes, so pending consumers finish instead of hanging. */
  end(): void;
}

interface RegistryHooks {
  onError(err: unknown): void;
  onFirstListener?(topic: string): void;
  onLastListener?(topic: string): void;
}

/** Local fan-out shared by both implementations; the Redis bus only adds transport around it. */
class ListenerRegistry {
  private readonly topics = new Map<string, Set<Listener>>();

  constructor(private readonly hooks: RegistryHooks) {}

  add(topic: string, listener: Listener): () => void {
    let set = this.topics.get(topic);
    if (!set) {
      set = new Set();
      this.topics.set(topic, set);
      this.hooks.onFirstListener?.(topic);
    }
    set.add(listener);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const current = this.topics.get(topic);
      if (!current?.delete(listener) || current.size > 0) return;
      this.topics.delete(topic);
      this.hooks.onLastListener?.(topic);
    };
  }

  dispatch(topic: string, payload: unknown): void {
    const set = this.topics.get(topic);
    if (!set) return;
    // Snapshot: a listener added by a handler during this dispatch must not see this event.
    for (const listener of [...set]) listener.deliver(payload);
  }

  count(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  /** Drops every listener without firing onLastListener: the transport is going away anyway. */
  endAll(): void {
    const all = [...this.topics.values()].flatMap((s) => [...s]);
    this.topics.clear();
    for (const listener of all) listener.end();
  }
}

function handlerListener(handler: (payload: never) => void | Promise<void>, onError: (err: unknown) => void): Listener {
  return {
    deliver(payload) {
      try {
        const result = handler(payload as never);
        if (result && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).then(undefined, onError);
        }
      } catch (err) {
        onError(err);
      }
    },
    end() {},
  };
}

type Waiter<T> = (result: IteratorResult<T>) => void;

class QueueIterator<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private state: 'open' | 'overflowed' | 'done' = 'open';
  detach: () => void = () => {};

  constructor(
    private readonly topic: string,
    private readonly maxQueue: number,
  ) {}

  readonly listener: Listener = {
    deliver: (payload) => this.push(payload as T),
    end: () => this.finish(),
  };

  private push(value: T): void {
    if (this.state !== 'open') return;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter({ value, done: false });
      return;
    }
    this.queue.push(value);
    if (this.queue.length > this.maxQueue) {
      // Free the backlog and stop receiving now rather than on the next pull, which may never come.
      this.state = 'overflowed';
      this.queue.length = 0;
      this.detach();
    }
  }

  private finish(): void {
    this.state = 'done';
    this.queue.length = 0;
    this.detach();
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.state === 'overflowed') {
      this.state = 'done';
      return Promise.reject(
        new SlowConsumerError(`subscriber to "${this.topic}" fell more than ${this.maxQueue} events behind`),
      );
    }
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift() as T, done: false });
    if (this.state === 'done') return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<T>> {
    this.finish();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function resolveMaxQueue(opts?: SubscribeOptions): number {
  const maxQueue = opts?.maxQueue ?? DEFAULT_MAX_QUEUE;
  if (!Number.isSafeInteger(maxQueue) || maxQueue < 0) {
    throw new RangeError(`maxQueue must be a non-negative integer, got ${maxQueue}`);
  }
  return maxQueue;
}

function subscribeVia<T>(registry: ListenerRegistry, topic: string, opts?: SubscribeOptions): AsyncIterableIterator<T> {
  const iterator = new QueueIterator<T>(topic, resolveMaxQueue(opts));
  iterator.detach = registry.add(topic, iterator.listener);
  return iterator;
}

/** Local listener bookkeeping shared by both buses: push handlers, pull subscriptions, counts. */
abstract class ListeningBus {
  protected abstract readonly registry: ListenerRegistry;
  protected abstract readonly onError: (err: unknown) => void;
  protected closed = false;

  /** Registers a push-style handler; returns an idempotent unsubscribe function. */
  on<K extends EventTopic>(topic: K, handler: (payload: EventTopics[K]) => void | Promise<void>): () => void {
    if (this.closed) throw new Error('EventBus is closed');
    return this.registry.add(topic, handlerListener(handler, this.onError));
  }

  /** Opens a pull-style subscription bounded by opts.maxQueue. */
  subscribe<K extends EventTopic>(topic: K, opts?: SubscribeOptions): AsyncIterableIterator<EventTopics[K]> {
    if (this.closed) throw new Error('EventBus is closed');
    return subscribeVia<EventTopics[K]>(this.registry, topic, opts);
  }

  /** Number of local handlers and subscriptions on topic. */
  listenerCount(topic: string): number {
    return this.registry.count(topic);
  }
}

/** Bus confined to this process; payloads are delivered by reference, synchronously within publish(). */
export class InProcessEventBus extends ListeningBus implements EventBus {
  protected readonly registry: ListenerRegistry;
  protected readonly onError: (err: unknown) => void;

  /** onError receives handler failures (default: logged to stderr). */
  constructor(opts?: { onError?: (err: unknown) => void }) {
    super();
    this.onError = opts?.onError ?? defaultOnError;
    this.registry = new ListenerRegistry({ onError: this.onError });
  }

  /** Delivers payload to every current listener before resolving. */
  async publish<K extends EventTopic>(topic: K, payload: EventTopics[K]): Promise<void> {
    if (this.closed) throw new Error('EventBus is closed');
    this.registry.dispatch(topic, payload);
  }

  async hasListeners(topic: EventTopic): Promise<boolean> {
    return this.registry.hasTopic(topic);
  }


  /** Completes every open subscription and drops all handlers. */
  async close(): Promise<void> {
    this.closed = true;
    this.registry.endAll();
  }
}

const DATE_TAG = '$date';
// Wraps user objects that would otherwise be mistaken for a tag, keeping the encoding lossless.
const ESCAPE_TAG = '$obj';

function isTagLookalike(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === DATE_TAG || keys[0] === ESCAPE_TAG);
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify has already applied Date#toJSON to value, so the original must be read from the holder.
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Date) return { [DATE_TAG]: Number.isNaN(raw.getTime()) ? null : raw.toISOString() };
  if (isTagLookalike(value)) return { [ESCAPE_TAG]: Object.entries(value) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  const inner = (value as Record<string, unknown>)[keys[0]!];
  if (keys[0] === DATE_TAG && (typeof inner === 'string' || inner === null)) {
    return inner === null ? new Date(Number.NaN) : new Date(inner);
  }
  if (keys[0] === ESCAPE_TAG && Array.isArray(inner)) return Object.fromEntries(inner as [string, unknown][]);
  return value;
}

/** Returned by tagPlain for a value it does not copy (encodePayload then uses the replacer). */
const NOT_PLAIN = Symbol('not plain');
const MAX_PLAIN_DEPTH = 100;
// Readings of one batch mostly share their timestamp: the last Date's ISO text is remembered.
let lastDateMs = Number.NaN;
let lastDateIso = '';

/**
 * What `replacer` makes of a payload, built as a copy, for plain data only (plain objects, arrays,
 * primitives, Dates): the native JSON.stringify then needs no callback per value, several times
 * faster for a batch of 1,000 readings. NOT_PLAIN for anything else (class instances, toJSON,
 * a `__proto__` key, nesting deeper than MAX_PLAIN_DEPTH, which includes cycles).
 */
function tagPlain(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth > MAX_PLAIN_DEPTH) return NOT_PLAIN;
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) return { [DATE_TAG]: null };
    if (Object.getPrototypeOf(v) !== Date.prototype || Object.hasOwn(v, 'toISOString')) return { [DATE_TAG]: v.toISOString() };
    if (ms !== lastDateMs) {
      lastDateIso = v.toISOString();
      lastDateMs = ms;
    }
    return { [DATE_TAG]: lastDateIso };
  }
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype || 'toJSON' in v) return NOT_PLAIN;
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const e = tagPlain(v[i], depth + 1);
      if (e === NOT_PLAIN) return NOT_PLAIN;
      out[i] = e;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in v) return NOT_PLAIN;
  const src = v as Record<string, unknown>;
  const keys = Object.keys(src);
  if (keys.length === 1 && (keys[0] === DATE_TAG || keys[0] === ESCAPE_TAG)) {
    const inner = tagPlain(src[keys[0]], depth + 2);
    return inner === NOT_PLAIN ? NOT_PLAIN : { [ESCAPE_TAG]: [[keys[0], inner]] };
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k === '__proto__') return NOT_PLAIN;
    const e = tagPlain(src[k], depth + 1);
    if (e === NOT_PLAIN) return NOT_PLAIN;
    out[k] = e;
  }
  return out;
}

/** Serialises an event payload to JSON, tagging Date values so decodePayload restores them. */
export function encodePayload(payload: unknown): string {
  // The envelope lets an undefined payload survive, since JSON has no top-level undefined.
  const tagged = tagPlain(payload, 0);
  if (tagged !== NOT_PLAIN) return JSON.stringify({ p: tagged });
  return JSON.stringify({ p: payload }, replacer);
}

/** Inverse of encodePayload. */
export function decodePayload(text: string): unknown {
  return (JSON.parse(text, reviver) as { p?: unknown }).p;
}

function waitReady(conn: Redis): Promise<void> {
  if (conn.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      conn.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      conn.off('ready', onReady);
      reject(new Error('Redis connection ended before becoming ready'));
    };
    conn.once('ready', onReady);
    conn.once('end', onEnd);
  });
}

async function shutdown(conn: Redis): Promise<void> {
  if (conn.status === 'end') return;
  if (conn.status !== 'ready') {
    conn.disconnect();
    return;
  }
  try {
    await conn.quit();
  } catch {
    conn.disconnect();
  }
}

/** Bus spanning every process connected to the same Redis; payloads travel as JSON with Dates preserved. */
export class RedisEventBus extends ListeningBus implements EventBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  protected readonly onError: (err: unknown) => void;
  protected readonly registry: ListenerRegistry;
  private readonly pending = new Set<Promise<void>>();

  /** url: redis URL; channelPrefix namespaces channels (default 'hf:evt:') so tests can isolate. Uses separate connections for publish and subscribe; SUBSCRIBE to a Redis channel only while at least one local listener exists for that topic (unsubscribe when the last goes). */
  constructor(url: string, opts?: { channelPrefix?: string; onError?: (err: unknown) => void }) {
    super();
    this.prefix = opts?.channelPrefix ?? 'hf:evt:';
    this.onError = opts?.onError ?? defaultOnError;
    // A connection in subscriber mode cannot PUBLISH, hence two.
    this.pub = new Redis(url);
    this.sub = new Redis(url);
    this.pub.on('error', this.onError);
    this.sub.on('error', this.onError);
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    this.registry = new ListenerRegistry({
      onError: this.onError,
      onFirstListener: (topic) => this.track(this.sub.subscribe(this.prefix + topic)),
      onLastListener: (topic) => this.track(this.sub.unsubscribe(this.prefix + topic)),
    });
  }

  /** resolves once both connections are ready */
  async ready(): Promise<void> {
    await Promise.all([waitReady(this.pub), waitReady(this.sub)]);
  }

  /** Resolves once every SUBSCRIBE/UNSUBSCRIBE issued so far has been acknowledged by Redis. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Resolves after Redis accepted the PUBLISH; local listeners receive it via the Redis echo. */
  async publish<K extends EventTopic>(topic: K, payload: EventTopics[K]): Promise<void> {
    if (this.closed) throw new Error('EventBus is closed');
    await this.pub.publish(this.prefix + topic, encodePayload(payload));
  }

  /** Local listeners, or any subscriber of the channel on Redis (PUBSUB NUMSUB: one round trip, no payload). */
  async hasListeners(topic: EventTopic): Promise<boolean> {
    if (this.registry.hasTopic(topic)) return true;
    const [, count] = (await this.pub.pubsub('NUMSUB', this.prefix + topic)) as [string, number];
    return Number(count) > 0;
  }


  /** Completes every open subscription and closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.registry.endAll();
    await this.settled();
    await Promise.all([shutdown(this.pub), shutdown(this.sub)]);
  }

  private track(op: Promise<unknown>): void {
    const tracked: Promise<void> = op.then(
      () => undefined,
      (err: unknown) => this.onError(err),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private onMessage(channel: string, message: string): void {
    if (!channel.startsWith(this.prefix)) return;
    const topic = channel.slice(this.prefix.length);
    // A message can still arrive between our last local unsubscribe and Redis processing UNSUBSCRIBE.
    if (!this.registry.hasTopic(topic)) return;
    let payload: unknown;
    try {
      payload = decodePayload(message);
    } catch (err) {
      this.onError(err);
      return;
    }
    this.registry.dispatch(topic, payload);
  }
}

/** Structural twin of type-graphql 2's PubSub, so buses can be passed as buildSchema({ pubSub }). */
export interface TypeGraphqlPubSub {
  /** Publishes args[0] as the payload of routingKey. */
  publish(routingKey: string, ...args: unknown[]): void;
  /** Subscribes to routingKey, or to `${routingKey}:${dynamicId}` when a topicId is given. */
  subscribe(routingKey: string, dynamicId?: unknown): AsyncIterable<unknown>;
}

/** Adapts an EventBus to type-graphql's PubSub; per-id topics are `${routingKey}:${id}`, published to directly by name. */
export function toTypeGraphqlPubSub(bus: EventBus, opts?: { onError?: (err: unknown) => void }): TypeGraphqlPubSub {
  const onError = opts?.onError ?? defaultOnError;
  return {
    publish(routingKey, ...args) {
      // type-graphql's publish is fire-and-forget, so failures can only be reported, not returned.
      bus.publish(routingKey, args[0]).catch(onError);
    },
    subscribe(routingKey, dynamicId) {
      return bus.subscribe(dynamicId === undefined ? routingKey : `${routingKey}:${String(dynamicId)}`);
    },
  };
}
