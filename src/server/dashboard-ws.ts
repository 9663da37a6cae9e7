import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Container } from '../app/container.js';
import type { Principal } from '../common/context.js';
import { DomainError } from '../common/errors.js';
import { MODULES } from '../app/modules.js';
import type { DashboardFeed } from './dashboard-feed.js';
import { PendingByAddress } from './pending-by-address.js';

/** Close codes of the dashboard socket (4001-4003 are documented; the rest are standard). */
export const DashboardClose = {
  invalidToken: 4001,
  authTimeout: 4002,
  tooManyPending: 4003,
  goingAway: 1001,
  internalError: 1011,
  tryAgainLater: 1013,
} as const;

/** Clients only ever send a token, so frames stay small; larger frames are closed 1009 by `ws`. */
export const DASHBOARD_MAX_FRAME_BYTES = 16 * 1024;
/** A first frame longer than this cannot be an access token. */
const MAX_TOKEN_BYTES = 8 * 1024;
/** After a slow client is closed, its unsent backlog is kept at most this long before the socket is cut. */
const SLOW_CLIENT_GRACE_MS = 5_000;
/** setTimeout fires at once for delays above 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export { feed, type DashboardFeed, type DashboardMessage } from './dashboard-feed.js';

/** Every module's feeds, in module order. */
export const DASHBOARD_FEEDS: DashboardFeed[] = MODULES.flatMap((m) => m.feeds);

interface Client {
  ws: WebSocket;
  tenantId: string;
  expiry?: NodeJS.Timeout;
}

/** All authenticated clients of one tenant share one bus subscription per feed, and each event is encoded once. */
interface TenantHub {
  clients: Set<Client>;
  unsubscribe: (() => void)[];
}

export interface DashboardSocket {
  wss: WebSocketServer;
  /** Takes over an upgrade request already routed to /api/v1/ws/dashboard. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every socket with 1001 (cutting those that do not answer in time) and stops the heartbeat. */
  close(): Promise<void>;
}

/** The address pending connections are counted against; mirrors express's req.ip under TRUST_PROXY. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Close reasons are limited to 123 bytes by the protocol; `ws` throws on longer ones. */
function reason(text: string): string {
  return Buffer.byteLength(text) <= 123 ? text : 'Invalid or expired token';
}

/**
 * The reference product's dashboard WebSocket: the first text frame is a raw JWT access token;
 * afterwards every event of the user's tenant is pushed as JSON, with periodic heartbeats.
 */
export function createDashboardSocket(c: Container, feeds: DashboardFeed[] = DASHBOARD_FEEDS): DashboardSocket {
  const cfg = c.config.ws;
  const log = c.log.child({ component: 'dashboard-ws' });
  const wss = new WebSocketServer({ noServer: true, maxPayload: DASHBOARD_MAX_FRAME_BYTES });
  const pendingByIp = new PendingByAddress(cfg.maxPendingPerIp);
  const hubs = new Map<string, TenantHub>();
  let closing = false;

  /** Sends unless the client is already too far behind; a slow client is closed 1013 and dropped. */
  function send(client: Client, text: string): boolean {
    const { ws } = client;
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > cfg.maxBufferedBytes) {
      log.warn({ tenantId: client.tenantId, bufferedBytes: ws.bufferedAmount }, 'dashboard client too slow; closing');
      drop(client, DashboardClose.tryAgainLater, 'Try again later');
      // Its backlog stays bounded by maxBufferedBytes; cut it if the close frame cannot get through.
      setTimeout(() => ws.terminate(), SLOW_CLIENT_GRACE_MS).unref();
      return false;
    }
    ws.send(text);
    return true;
  }

  function broadcast(hub: TenantHub, tenantId: string, f: DashboardFeed, payload: unknown): void {
    // Topics are per tenant already; this guards against a publisher putting an event on the wrong one.
    const owner = (payload as { tenantId?: unknown } | null)?.tenantId;
    if (owner !== undefined && owner !== tenantId) return;
    let texts: string[];
    try {
      texts = f.messages(payload).map((m) => JSON.stringify(m));
    } catch (err) {
      log.error({ err, tenantId }, 'could not encode dashboard event');
      return;
    }
    for (const client of [...hub.clients]) {
      for (const text of texts) if (!send(client, text)) break;
    }
  }

  function join(client: Client): void {
    let hub = hubs.get(client.tenantId);
    if (!hub) {
      const created: TenantHub = { clients: new Set(), unsubscribe: [] };
      const { tenantId } = client;
      try {
        for (const f of feeds) created.unsubscribe.push(c.bus.on(f.topic(tenantId), (p) => broadcast(created, tenantId, f, p)));
      } catch (err) {
        for (const off of created.unsubscribe) off();
        throw err;
      }
      hubs.set(tenantId, created);
      hub = created;
    }
    hub.clients.add(client);
  }

  function leave(client: Client): void {
    clearTimeout(client.expiry);
    const hub = hubs.get(client.tenantId);
    if (!hub?.clients.delete(client) || hub.clients.size > 0) return;
    hubs.delete(client.tenantId);
    for (const off of hub.unsubscribe) off();
  }

  function drop(client: Client, code: number, why: string): void {
    leave(client);
    client.ws.close(code, why);
  }

  const heartbeat = setInterval(() => {
    const text = JSON.stringify({ type: 'heartbeat', server_time: new Date().toISOString() });
    for (const hub of [...hubs.values()]) for (const client of [...hub.clients]) send(client, text);
  }, cfg.heartbeatSec * 1000);
  heartbeat.unref();

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    ws.on('error', (err) => log.debug({ err: err.message }, 'dashboard socket error'));
    if (closing) {
      ws.close(DashboardClose.goingAway, 'Server shutting down');
      return;
    }
    const ip = clientIp(req, c.config.trustProxy);
    const admitted = pendingByIp.admit(ip);
    if (!admitted) {
      ws.close(DashboardClose.tooManyPending, 'Too many pending connections');
      return;
    }
    const release: () => void = admitted;
    let state: 'awaiting_token' | 'authenticating' | 'open' | 'closed' = 'awaiting_token';
    let client: Client | undefined;
    const authTimer = setTimeout(() => {
      if (state === 'awaiting_token') ws.close(DashboardClose.authTimeout, 'Authentication timeout');
    }, cfg.authTimeoutMs);

    const refuse = (why: string) => ws.close(DashboardClose.invalidToken, reason(why));

    async function authenticate(token: string): Promise<void> {
      let principal: Principal;
      try {
        principal = await c.authenticator.fromBearer(token);
      } catch (err) {
        if (state === 'closed') return;
        if (err instanceof DomainError) return refuse(err.message);
        log.error({ err }, 'dashboard authentication failed');
        ws.close(DashboardClose.internalError, 'Internal error');
        return;
      }
      if (state === 'closed' || ws.readyState !== WebSocket.OPEN) return;
      if (closing) return ws.close(DashboardClose.goingAway, 'Server shutting down');
      // fromBearer only yields users today; API keys are refused here should that ever change.
      if (principal.kind !== 'user') return refuse('User access token required');
      const self: Client = { ws, tenantId: principal.tenantId };
      try {
        join(self);
      } catch (err) {
        log.error({ err }, 'dashboard subscription failed');
        ws.close(DashboardClose.internalError, 'Internal error');
        return;
      }
      client = self;
      state = 'open';
      release();
      // The token's lifetime bounds the connection: clients reconnect with a fresh one.
      const ms = Math.min(principal.tokenExp * 1000 - Date.now(), MAX_TIMER_MS);
      self.expiry = setTimeout(() => drop(self, DashboardClose.invalidToken, 'Token has expired'), Math.max(ms, 0));
      // No acknowledgement is documented; an immediate heartbeat tells the client it is in without a new type.
      send(self, JSON.stringify({ type: 'heartbeat', server_time: new Date().toISOString() }));
    }

    ws.on('message', (data: RawData, isBinary: boolean) => {
      // Anything after the token is ignored: the stream is a broadcast of the whole tenant.
      if (state !== 'awaiting_token') return;
      state = 'authenticating';
      clearTimeout(authTimer);
      const buf = toBuffer(data);
      if (isBinary || buf.length > MAX_TOKEN_BYTES) return refuse('Invalid or expired token');
      // Raw JWT as documented; a "Bearer " prefix and surrounding whitespace are tolerated.
      const token = buf.toString('utf8').trim().replace(/^Bearer\s+/i, '');
      authenticate(token).catch((err: unknown) => {
        log.error({ err }, 'dashboard authentication crashed');
        ws.terminate();
      });
    });

    ws.on('close', () => {
      state = 'closed';
      clearTimeout(authTimer);
      release();
      if (client) leave(client);
    });
  });

  return {
    wss,
    handleUpgrade(req, socket, head) {
      if (closing) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    async close() {
      closing = true;
      clearInterval(heartbeat);
      for (const hub of [...hubs.values()]) for (const client of [...hub.clients]) leave(client);
      const open = [...wss.clients];
      await new Promise<void>((resolve) => {
        let left = open.length;
        if (left === 0) return resolve();
        const timer = setTimeout(() => {
          for (const ws of open) ws.terminate();
          resolve();
        }, c.config.shutdownTimeoutMs);
        timer.unref();
        for (const ws of open) {
          ws.once('close', () => {
            if (--left === 0) {
              clearTimeout(timer);
              resolve();
            }
          });
          ws.close(DashboardClose.goingAway, 'Server shutting down');
        }
      });
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
