import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { DeviceUnreachableError, type ResolveTarget } from './driver.js';
import { OutboundRefusedError } from './outbound-guard.js';

/**
 * The one HTTP client for user-configured destinations (webhooks, Slack, Teams, push services):
 * the host is resolved once through the outbound guard (every address checked), the socket is
 * dialled to the checked address (pinned: a second lookup cannot rebind it to 127.0.0.1), TLS
 * keeps the host name for SNI and the certificate check, redirects are never followed (a 3xx is
 * returned as the answer), one deadline covers resolution, connection, request and response, and
 * at most `maxResponseBytes` of the answer are read.
 */

export type OutboundFailureKind = 'refused' | 'invalid' | 'timeout' | 'network';

/** The request did not get an HTTP answer. `permanent`: retrying cannot help (refused destination, malformed URL or header). */
export class OutboundHttpError extends Error {
  constructor(
    message: string,
    readonly kind: OutboundFailureKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutboundHttpError';
  }

  get permanent(): boolean {
    return this.kind === 'refused' || this.kind === 'invalid';
  }
}

export interface OutboundRequest {
  url: string;
  method?: 'POST' | 'PUT';
  headers?: Record<string, string>;
  body: string | Buffer;
  /** one deadline for the whole exchange */
  timeoutMs: number;
  /** bytes of the response body kept (the rest is not read); default 16 KiB */
  maxResponseBytes?: number;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** the first maxResponseBytes of the body, as UTF-8 */
  body: string;
  /** the address that was dialled */
  address: string;
}

/** idle kept-alive sockets close after this (below Node's 5 s server keep-alive, so a reused socket is rarely one the peer is closing) */
const IDLE_SOCKET_MS = 2_000;
/** kept-alive agents remembered at most (one per pinned destination); the least recently used is forgotten beyond */
const MAX_AGENTS = 256;
/** sockets per destination */
const MAX_SOCKETS = 64;

/**
 * Keep-alive agents, one per pinned destination (scheme, checked address, port, TLS name): a
 * reused socket was dialled to an address the guard checked for this very key, so reuse never
 * reaches an address the guard has not just approved for the request (each request is still
 * resolved and checked first; only then is the agent of its checked address picked).
 */
const agents = new Map<string, http.Agent>();

function agentFor(secure: boolean, address: string, port: number, servername: string | undefined): http.Agent {
  const key = `${secure ? 'https' : 'http'}|${address}|${port}|${servername ?? ''}`;
  let agent = agents.get(key);
  if (agent) {
    // most recently used last: the first entry is the one to evict
    agents.delete(key);
    agents.set(key, agent);
    return agent;
  }
  const opts = { keepAlive: true, keepAliveMsecs: 1_000, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const };
  agent = secure ? new https.Agent(opts) : new http.Agent(opts);
  agents.set(key, agent);
  // forgotten, not destroyed: its requests in flight finish, and its idle sockets close after IDLE_SOCKET_MS
  if (agents.size > MAX_AGENTS) agents.delete(agents.keys().next().value!);
  return agent;
}

/** Headers the client sets itself: a configured one would break framing or the pinned Host. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect']);

/** Parses and checks a destination URL (http/https, a host, no fragment games); throws an `invalid` OutboundHttpError. */
export function parseOutboundUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundHttpError('not a valid URL', 'invalid');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundHttpError(`scheme ${url.protocol.replace(/:$/, '')} is not allowed (http or https)`, 'invalid');
  if (!url.hostname) throw new OutboundHttpError('URL has no host', 'invalid');
  return url;
}

/** Sends one request to a guarded destination; resolves with any HTTP answer (3xx included), rejects with OutboundHttpError. */
export async function outboundRequest(resolve: ResolveTarget, req: OutboundRequest): Promise<OutboundResponse> {
  const url = parseOutboundUrl(req.url);
  const deadline = Date.now() + req.timeoutMs;
  const timeoutError = () => new OutboundHttpError(`no answer within ${req.timeoutMs} ms`, 'timeout');
  const secure = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  // URL keeps IPv6 literals bracketed; the guard strips them
  const hostname = url.hostname;

  let target: { address: string; port: number };
  let timer: NodeJS.Timeout | undefined;
  try {
    target = await Promise.race([
      resolve(hostname, port),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeoutError()), req.timeoutMs);
      }),
    ]);
  } catch (err) {
    if (err instanceof OutboundHttpError) throw err;
    if (err instanceof OutboundRefusedError) throw new OutboundHttpError(err.message, 'refused', { cause: err });
    if (err instanceof DeviceUnreachableError) throw new OutboundHttpError(err.message, 'network', { cause: err });
    throw new OutboundHttpError(`could not resolve ${hostname}: ${(err as Error).message}`, 'network', { cause: err });
  } finally {
    clearTimeout(timer);
  }

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) if (!RESERVED_HEADERS.has(k.toLowerCase())) headers[k] = v;
  const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  headers['Host'] = url.host;
  headers['Content-Length'] = String(body.length);
  const limit = req.maxResponseBytes ?? 16 * 1024;
  const bareHost = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;

  return new Promise<OutboundResponse>((resolvePromise, reject) => {
    let settled = false;
    let deadlineTimer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null, res?: OutboundResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadlineTimer);
      if (err) reject(err);
      else resolvePromise(res!);
    };
    const options: https.RequestOptions = {
      host: target.address,
      port: target.port,
      method: req.method ?? 'POST',
      path: `${url.pathname}${url.search}`,
      headers,
      agent: agentFor(secure, target.address, target.port, secure && !net.isIP(bareHost) ? bareHost : undefined),
      ...(url.username ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
      // the certificate is checked against the name the user configured, not the pinned address
      ...(secure && !net.isIP(bareHost) ? { servername: bareHost } : {}),
    };
    let request: http.ClientRequest;
    try {
      request = (secure ? https : http).request(options);
    } catch (err) {
      // malformed header names or values (CR/LF) throw synchronously
      finish(new OutboundHttpError(`invalid request: ${(err as Error).message}`, 'invalid', { cause: err }));
      return;
    }
    deadlineTimer = setTimeout(() => {
      finish(timeoutError());
      request.destroy();
    }, Math.max(1, deadline - Date.now()));
    request.on('error', (err) => finish(new OutboundHttpError(`${(err as NodeJS.ErrnoException).code ?? 'error'}: ${err.message}`, 'network', { cause: err })));
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const answer = () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), address: target.address });
      // enough read: the socket is dropped rather than drained (a large or endless body is not waited for)
      const enough = () => {
        answer();
        res.destroy();
      };
      res.on('data', (c: Buffer) => {
        const room = limit - kept;
        if (room > 0) {
          chunks.push(room >= c.length ? c : c.subarray(0, room));
          kept += Math.min(room, c.length);
        }
        if (kept >= limit) enough();
      });
      // read to the end: the socket goes back to its agent for the next request to the same address
      res.on('end', answer);
      res.on('error', (err) => finish(new OutboundHttpError(`response failed: ${err.message}`, 'network', { cause: err })));
    });
    request.end(body);
  });
}
