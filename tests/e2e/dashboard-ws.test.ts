import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TokenSigner } from '../../src/auth/jwt.js';
import { InProcessEventBus, RedisEventBus } from '../../src/infra/event-bus.js';
import type { MachineStatusChanged } from '../../src/machines/machine.events.js';
import type { LiveReading, ReadingsStored } from '../../src/readings/reading.events.js';
import { createApiKey, http, registerTenant, startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const WAIT_MS = 5_000;
// Same value as tests/helpers/app.ts, which signs every token of the test apps.
const TEST_JWT_SECRET = 'test-secret-'.padEnd(48, 'x');
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

const ENV = {
  WS_AUTH_TIMEOUT_MS: '500',
  WS_HEARTBEAT_SEC: '1',
  WS_MAX_PENDING_PER_IP: '3',
  WS_MAX_BUFFERED_BYTES: String(64 * 1024),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Msg {
  type: string;
  [k: string]: unknown;
}

/** A raw dashboard client that records every message and how the socket ended. */
class Dash {
  readonly ws: WebSocket;
  readonly messages: Msg[] = [];
  closeInfo?: { code: number; reason: string; at: number };
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string; at: number }>;
  private waiters: (() => void)[] = [];

  constructor(baseUrl: string, opts: { keep?: boolean } = {}) {
    this.ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/ws/dashboard`);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString(), at: Date.now() };
        resolve(this.closeInfo);
        this.wake();
      });
    });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      if (opts.keep === false) return;
      this.messages.push(JSON.parse(String(data)) as Msg);
      this.wake();
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits (bounded) until at least `count` messages match pred; returns them. */
  async waitFor(pred: (m: Msg) => boolean, what: string, count = 1, ms = WAIT_MS): Promise<Msg[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hits = this.messages.filter(pred);
      if (hits.length >= count) return hits;
      if (this.closeInfo) throw new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => m.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits (bounded) for the close; returns its code and reason. */
  async waitClose(ms = WAIT_MS): Promise<{ code: number; reason: string; at: number }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.closed,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`socket not closed within ${ms} ms; got ${JSON.stringify(this.messages.map((m) => m.type))}`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Opens, sends the token, and waits for the immediate heartbeat that follows authentication. */
  async auth(token: string): Promise<this> {
    await this.opened;
    this.ws.send(token);
    await this.waitFor((m) => m.type === 'heartbeat', 'heartbeat after authentication');
    return this;
  }

  /** Terminates the socket (no close handshake) so finally blocks never wait. */
  dispose() {
    this.ws.terminate();
  }
}

/** Runs body with the given clients, always terminating them afterwards. */
async function using<T>(clients: Dash[], body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    for (const c of clients) c.dispose();
  }
}

function reading(over: Partial<LiveReading> = {}): LiveReading {
  return {
    machineId: crypto.randomUUID(),
    machineIdentifier: 'CNC-01',
    metric: 'temperature',
    value: 73.2,
    unit: 'celsius',
    rawTag: null,
    timestamp: new Date('2026-04-04T10:30:05Z'),
    ...over,
  };
}

describe.skipIf(pgSvc.skip)(`dashboard WebSocket /api/v1/ws/dashboard${pgSvc.label}`, () => {
  let t: TestApp;
  const bus = () => t.app.container.bus;
  beforeAll(async () => {
    t = await startTestApp({ env: ENV });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sends heartbeats with server_time after authentication, and ignores client messages', async () => {
    const s = await registerTenant(t.api, 'wshb');
    const d = new Dash(t.url);
    await using([d], async () => {
      await d.auth(s.token);
      // anything the client sends after the token is ignored; ws-level pings are answered
      d.ws.send('{"type":"subscribe","machine_id":"x"}');
      d.ws.send(Buffer.from([1, 2, 3]));
      const pong = new Promise<void>((resolve) => d.ws.once('pong', () => resolve()));
      d.ws.ping();
      await Promise.race([pong, sleep(WAIT_MS).then(() => Promise.reject(new Error('no pong')))]);
      const started = Date.now();
      const beats = await d.waitFor((m) => m.type === 'heartbeat', 'three heartbeats', 3);
      expect(Date.now() - started).toBeLessThan(3_500);
      for (const b of beats) {
        expect(Object.keys(b).sort()).toEqual(['server_time', 'type']);
        expect(b.server_time).toMatch(ISO_Z);
        expect(Math.abs(Date.parse(b.server_time as string) - Date.now())).toBeLessThan(5_000);
      }
      expect(d.messages.every((m) => m.type === 'heartbeat')).toBe(true);
      expect(d.closeInfo).toBeUndefined();
    });
  });

  it('streams one sensor_update per reading and machine_status changes of the tenant only', async () => {
    const a = await registerTenant(t.api, 'wsa');
    const b = await registerTenant(t.api, 'wsb');
    const da = new Dash(t.url);
    const db = new Dash(t.url);
    await using([da, db], async () => {
      await da.auth(a.token);
      await db.auth(b.token);
      const r1 = reading({ value: 73.2 });
      const r2 = reading({ machineId: r1.machineId, metric: 'vibration', value: 4.5, unit: 'mm/s', rawTag: 'ns=2;s=Vib', timestamp: new Date('2026-04-04T10:30:06.250Z') });
      const theirs = reading({ value: 999 });
      // b's events first: were they leaked to a, they would arrive before a's own
      await bus().publish(`readingsStored:${b.tenantId}`, { tenantId: b.tenantId, readings: [theirs] } satisfies ReadingsStored);
      await bus().publish(`machineStatusChanged:${b.tenantId}`, {
        tenantId: b.tenantId, machineId: theirs.machineId, oldStatus: 'healthy', newStatus: 'critical', timestamp: new Date(),
      } satisfies MachineStatusChanged);
      // a payload naming another tenant on a's topic is not delivered either
      await bus().publish(`readingsStored:${a.tenantId}`, { tenantId: b.tenantId, readings: [theirs] });
      await bus().publish(`readingsStored:${a.tenantId}`, { tenantId: a.tenantId, readings: [r1, r2] });
      await bus().publish(`machineStatusChanged:${a.tenantId}`, {
        tenantId: a.tenantId, machineId: r1.machineId, oldStatus: 'healthy', newStatus: 'warning', timestamp: new Date('2026-04-04T10:30:07Z'),
      });

      const updates = await da.waitFor((m) => m.type === 'sensor_update', 'two sensor_update messages', 2);
      expect(updates).toEqual([
        { type: 'sensor_update', machine_id: r1.machineId, metric_name: 'temperature', value: 73.2, unit: 'celsius', timestamp: '2026-04-04T10:30:05.000Z' },
        { type: 'sensor_update', machine_id: r1.machineId, metric_name: 'vibration', value: 4.5, unit: 'mm/s', timestamp: '2026-04-04T10:30:06.250Z' },
      ]);
      const [status] = await da.waitFor((m) => m.type === 'machine_status', 'machine_status');
      expect(status).toEqual({
        type: 'machine_status', machine_id: r1.machineId, old_status: 'healthy', new_status: 'warning', timestamp: '2026-04-04T10:30:07.000Z',
      });
      // b got exactly its own two events
      await db.waitFor((m) => m.type === 'machine_status', "b's machine_status");
      expect(db.messages.filter((m) => m.type !== 'heartbeat')).toEqual([
        { type: 'sensor_update', machine_id: theirs.machineId, metric_name: 'temperature', value: 999, unit: 'celsius', timestamp: '2026-04-04T10:30:05.000Z' },
        expect.objectContaining({ type: 'machine_status', new_status: 'critical' }),
      ]);
      await sleep(100);
      const nonBeats = da.messages.filter((m) => m.type !== 'heartbeat');
      expect(nonBeats).toHaveLength(3);
      expect(nonBeats.some((m) => m.machine_id === theirs.machineId)).toBe(false);
    });
  });

  it('unsubscribes from the bus when the last client of a tenant leaves', async () => {
    const s = await registerTenant(t.api, 'wsunsub');
    const topic = `readingsStored:${s.tenantId}`;
    const count = () => (bus() as InProcessEventBus).listenerCount(topic);
    const d1 = new Dash(t.url);
    const d2 = new Dash(t.url);
    await using([d1, d2], async () => {
      await d1.auth(s.token);
      await d2.auth(s.token);
      expect(count()).toBe(1);
      d1.ws.close();
      await d1.waitClose();
      await sleep(50);
      expect(count()).toBe(1);
      await bus().publish(topic, { tenantId: s.tenantId, readings: [reading()] });
      await d2.waitFor((m) => m.type === 'sensor_update', 'sensor_update on the remaining client');
      d2.ws.close();
      await d2.waitClose();
      await sleep(50);
      expect(count()).toBe(0);
    });
  });

  it('closes 4001 for an invalid token, a refresh token, an API key, a binary or oversized first frame', async () => {
    const s = await registerTenant(t.api, 'wsbad');
    const { key } = await createApiKey(t.api, s, ['ingest', 'agent', 'read:machines', 'read:sensors']);
    const cases: [string, string | Buffer][] = [
      ['garbage', 'not-a-token'],
      ['JSON instead of the raw token', JSON.stringify({ token: s.token })],
      ['tampered signature', s.token.slice(0, -4) + (s.token.endsWith('AAAA') ? 'BBBB' : 'AAAA')],
      ['refresh token', s.refreshToken],
      ['API key', key],
      ['binary frame', Buffer.from(s.token)],
      ['oversized frame', 'x'.repeat(10 * 1024)],
    ];
    for (const [name, first] of cases) {
      const d = new Dash(t.url);
      await using([d], async () => {
        await d.opened;
        d.ws.send(first);
        const closed = await d.waitClose();
        expect(closed.code, name).toBe(4001);
        expect(d.messages, name).toEqual([]);
      });
    }
    // the same token is fine as a raw text frame
    const ok = new Dash(t.url);
    await using([ok], async () => {
      await ok.auth(s.token);
    });
  });

  it('closes 4001 for a logged-out token', async () => {
    const s = await registerTenant(t.api, 'wslogout');
    expect((await http('POST', `${t.api}/auth/logout`, { token: s.token })).status).toBe(200);
    const d = new Dash(t.url);
    await using([d], async () => {
      await d.opened;
      d.ws.send(s.token);
      const closed = await d.waitClose();
      expect(closed.code).toBe(4001);
      expect(closed.reason).toBe('Token has been revoked');
    });
  });

  it('closes 4002 when no token arrives within the auth timeout', async () => {
    const d = new Dash(t.url);
    await using([d], async () => {
      await d.opened;
      const opened = Date.now();
      const closed = await d.waitClose();
      expect(closed.code).toBe(4002);
      expect(closed.at - opened).toBeGreaterThanOrEqual(400);
      expect(closed.at - opened).toBeLessThan(3_000);
    });
  });

  it('closes a slow consumer with 1013 and keeps serving the others', async () => {
    const slowTenant = await registerTenant(t.api, 'wsslow');
    const fastTenant = await registerTenant(t.api, 'wsfast');
    const slow = new Dash(t.url, { keep: false });
    const fast = new Dash(t.url, { keep: false });
    let fastReceived = 0;
    fast.ws.on('message', (data) => {
      if ((JSON.parse(String(data)) as Msg).type === 'sensor_update') fastReceived++;
    });
    await using([slow, fast], async () => {
      // keep: false records nothing, so wait for the post-auth heartbeat by hand
      const authed = (d: Dash) => new Promise<void>((resolve) => d.ws.once('message', () => resolve()));
      await slow.opened;
      await fast.opened;
      const slowIn = authed(slow);
      const fastIn = authed(fast);
      slow.ws.send(slowTenant.token);
      fast.ws.send(fastTenant.token);
      await Promise.race([Promise.all([slowIn, fastIn]), sleep(WAIT_MS).then(() => Promise.reject(new Error('no auth')))]);

      const slowTopic = `readingsStored:${slowTenant.tenantId}`;
      const fastTopic = `readingsStored:${fastTenant.tenantId}`;
      const listeners = () => (bus() as InProcessEventBus).listenerCount(slowTopic);
      expect(listeners()).toBe(1);
      // the slow client stops reading: the server's socket buffer fills up
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const big = Array.from({ length: 32 }, () => reading({ metric: 'm'.repeat(2048) })); // ~66 KB per event
      let fastSent = 0;
      const deadline = Date.now() + WAIT_MS;
      while (listeners() > 0) {
        if (Date.now() > deadline) throw new Error('slow consumer was never dropped');
        await bus().publish(slowTopic, { tenantId: slowTenant.tenantId, readings: big });
        await bus().publish(fastTopic, { tenantId: fastTenant.tenantId, readings: [reading()] });
        fastSent++;
        await sleep(1);
      }
      // dropped from the bus at once; the close frame waits behind what was already buffered
      (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      const closed = await slow.waitClose();
      expect(closed.code).toBe(1013);

      // the other client got everything and is still served
      await bus().publish(fastTopic, { tenantId: fastTenant.tenantId, readings: [reading()] });
      fastSent++;
      const until = Date.now() + WAIT_MS;
      while (fastReceived < fastSent && Date.now() < until) await sleep(20);
      expect(fastReceived).toBe(fastSent);
      expect(fast.closeInfo).toBeUndefined();
    });
  });

  it('closes 4001 when the access token expires on an open connection', async () => {
    const s = await registerTenant(t.api, 'wsexp');
    const signer = new TokenSigner({ secret: TEST_JWT_SECRET, issuer: 'haltfree', accessTtlSec: 2, refreshTtlSec: 60, mfaPendingTtlSec: 60 });
    const { token, exp } = await signer.sign('access', { sub: s.userId, tid: s.tenantId, role: 'admin' });
    const d = new Dash(t.url);
    await using([d], async () => {
      await d.auth(token);
      const closed = await d.waitClose();
      expect(closed.code).toBe(4001);
      expect(closed.reason).toBe('Token has expired');
      expect(closed.at).toBeGreaterThanOrEqual(exp * 1000 - 50);
      // heartbeats flowed until then
      expect(d.messages.filter((m) => m.type === 'heartbeat').length).toBeGreaterThanOrEqual(1);
    });
    // and the expired token cannot open a new connection
    const again = new Dash(t.url);
    await using([again], async () => {
      await again.opened;
      again.ws.send(token);
      const closed = await again.waitClose();
      expect(closed.code).toBe(4001);
      expect(closed.reason).toBe('Token has expired');
    });
  });

  it('answers 404 to upgrades on other paths', async () => {
    const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/api/v1/ws/other`);
    try {
      const status = await new Promise<number | undefined>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
        ws.on('error', () => resolve(undefined));
        setTimeout(() => resolve(-1), WAIT_MS);
      });
      expect(status).toBe(404);
    } finally {
      ws.terminate();
    }
  });
});

describe.skipIf(pgSvc.skip)(`dashboard WebSocket pending limit and shutdown${pgSvc.label}`, () => {
  let t: TestApp;
  let stopped = false;
  beforeAll(async () => {
    // a long auth timeout, so pending sockets stay pending for as long as the test needs them
    t = await startTestApp({ env: { ...ENV, WS_AUTH_TIMEOUT_MS: '10000' } });
  });
  afterAll(async () => {
    if (!stopped) await t?.stop();
  });

  it('closes 4003 beyond WS_MAX_PENDING_PER_IP unauthenticated connections; authenticated ones do not count', async () => {
    const s = await registerTenant(t.api, 'wspending');
    const clients: Dash[] = [];
    const open = () => {
      const d = new Dash(t.url);
      clients.push(d);
      return d;
    };
    await using(clients, async () => {
      const pending = [open(), open(), open()];
      await Promise.all(pending.map((d) => d.opened));
      const fourth = open();
      await fourth.opened;
      expect((await fourth.waitClose()).code).toBe(4003);
      expect(fourth.messages).toEqual([]);
      expect(pending.every((d) => d.closeInfo === undefined)).toBe(true);

      // once one of them authenticates, its slot is free again
      await pending[0]!.auth(s.token);
      const fifth = open();
      await fifth.auth(s.token);
      // two authenticated, two pending: one more pending fits, the next does not
      const sixth = open();
      await sixth.opened;
      const seventh = open();
      await seventh.opened;
      expect((await seventh.waitClose()).code).toBe(4003);
      await sleep(100);
      expect(sixth.closeInfo).toBeUndefined();

      // a client leaving frees its slot
      pending[1]!.ws.close();
      await pending[1]!.waitClose();
      await sleep(100);
      const eighth = open();
      await eighth.opened;
      await sleep(200);
      expect(eighth.closeInfo).toBeUndefined();
      await eighth.auth(s.token);
    });
  });

  it('closes authenticated and pending sockets with 1001 on stop()', async () => {
    const s = await registerTenant(t.api, 'wsstop');
    const d = new Dash(t.url);
    const pending = new Dash(t.url);
    await using([d, pending], async () => {
      await d.auth(s.token);
      await pending.opened;
      stopped = true;
      const stopping = t.stop();
      expect((await d.waitClose()).code).toBe(1001);
      expect((await pending.waitClose()).code).toBe(1001);
      await stopping;
    });
  });
});

describe.skipIf(pgSvc.skip || redisSvc.skip)(`dashboard WebSocket across two instances sharing Redis${pgSvc.label}${redisSvc.label}`, () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ redis: true, env: ENV });
    b = await startTestApp({ redis: true, databaseUrl: a.databaseUrl, env: ENV });
  });
  afterAll(async () => {
    // b only borrows a's database; a drops it
    await b?.stop();
    await a?.stop();
  });

  it("an event published on instance B's bus reaches a client connected to instance A", async () => {
    const s = await registerTenant(b.api, 'wsredis');
    const other = await registerTenant(b.api, 'wsredisother');
    const d = new Dash(a.url);
    await using([d], async () => {
      await d.auth(s.token);
      // A's SUBSCRIBE to the tenant's channel is asynchronous; wait until Redis acknowledged it
      await (a.app.container.bus as RedisEventBus).settled();
      const r = reading({ value: 12.5, timestamp: new Date('2026-04-04T11:00:00Z') });
      await b.app.container.bus.publish(`readingsStored:${other.tenantId}`, { tenantId: other.tenantId, readings: [reading()] });
      await b.app.container.bus.publish(`readingsStored:${s.tenantId}`, { tenantId: s.tenantId, readings: [r] });
      await b.app.container.bus.publish(`machineStatusChanged:${s.tenantId}`, {
        tenantId: s.tenantId, machineId: r.machineId, oldStatus: 'warning', newStatus: 'healthy', timestamp: new Date('2026-04-04T11:00:01Z'),
      });
      const [update] = await d.waitFor((m) => m.type === 'sensor_update', 'sensor_update from B');
      expect(update).toEqual({
        type: 'sensor_update', machine_id: r.machineId, metric_name: 'temperature', value: 12.5, unit: 'celsius', timestamp: '2026-04-04T11:00:00.000Z',
      });
      const [status] = await d.waitFor((m) => m.type === 'machine_status', 'machine_status from B');
      expect(status).toEqual({
        type: 'machine_status', machine_id: r.machineId, old_status: 'warning', new_status: 'healthy', timestamp: '2026-04-04T11:00:01.000Z',
      });
      expect(d.messages.filter((m) => m.type !== 'heartbeat')).toHaveLength(2);
    });
  });
});
