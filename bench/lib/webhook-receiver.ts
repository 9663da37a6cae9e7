/**
 * A recording HTTP receiver on loopback (127.0.0.1 by default) for outbound-delivery tests and the notifications
 * benchmark: every request is kept (method, path, headers, raw body, arrival time) and answered as
 * programmed, per request: a status, response headers (e.g. `Retry-After`), a delay, or silence
 * (the socket stays open unanswered until the client gives up or the receiver closes).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  /** 0-based arrival order */
  seq: number;
  method: string;
  /** request target as sent (path + query) */
  path: string;
  /** lower-cased header names (Node's parsed form) */
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Date.now() when the body had fully arrived */
  at: number;
  /** performance.now() when the body had fully arrived (for latency figures within one process) */
  hrAt: number;
  text(): string;
  json<T = unknown>(): T;
}

export interface Reply {
  /** default 200 */
  status?: number;
  headers?: Record<string, string>;
  /** default empty */
  body?: string | Buffer;
  /** wait this long before answering */
  delayMs?: number;
  /** never answer; the request stays open until the client gives up or close() */
  silent?: boolean;
}

/** Chooses the reply for one request; may look at the request (path, headers, body) or at how many came before. */
export type Responder = (req: ReceivedRequest) => Reply | Promise<Reply>;

export interface WebhookReceiver {
  /** http://<host>:<port> (no trailing slash) */
  url: string;
  port: number;
  /** every request so far, in arrival order */
  readonly requests: ReceivedRequest[];
  /** the reply for requests after the queued ones (default: 200, empty body) */
  respond(r: Responder | Reply): void;
  /** replies for the next requests, one each, in order; then `respond`'s default again */
  queue(...replies: Reply[]): void;
  /** resolves once at least n requests (matching `filter`, if given) have arrived; rejects after ms */
  waitFor(n: number, ms?: number, filter?: (r: ReceivedRequest) => boolean): Promise<ReceivedRequest[]>;
  /** forgets the recorded requests (seq keeps counting) */
  clear(): void;
  /** stops listening and drops open connections, answered or not */
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** a loopback address: default 127.0.0.1 (tests of address pinning also listen on 127.0.0.2) */
  host?: string;
  /** default 0 (any free port) */
  port?: number;
  /** default false: with true only `seq`, `method`, `path`, `headers`, `at`, `hrAt` are kept (the body is read and dropped), for long benchmark runs */
  dropBodies?: boolean;
  /** bodies above this many bytes are answered 413 unrecorded; default 1 MiB */
  maxBodyBytes?: number;
  /** request head size Node accepts (default Node's 16 KiB; beyond it Node answers 431) */
  maxHeaderBytes?: number;
}

export async function startWebhookReceiver(opts: ReceiverOptions = {}): Promise<WebhookReceiver> {
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const host = opts.host ?? '127.0.0.1';
  if (!host.startsWith('127.')) throw new Error(`the webhook receiver listens on loopback only, not ${host}`);
  const requests: ReceivedRequest[] = [];
  const queued: Reply[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  let fallback: Responder = () => ({ status: 200 });
  let seq = 0;

  const server = http.createServer({ maxHeaderSize: opts.maxHeaderBytes }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) tooLarge = true;
      else if (!opts.dropBodies) chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) {
        res.writeHead(413).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const rec: ReceivedRequest = {
        seq: seq++,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        at: Date.now(),
        hrAt: performance.now(),
        text: () => body.toString('utf8'),
        json: <T>() => JSON.parse(body.toString('utf8')) as T,
      };
      requests.push(rec);
      for (const w of [...waiters]) w();
      const next = queued.shift();
      void Promise.resolve(next ?? fallback(rec)).then(
        (reply) => answer(res, reply),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    });
  });

  function answer(res: http.ServerResponse, reply: Reply): void {
    if (reply.silent) return;
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(reply.status ?? 200, reply.headers);
      res.end(reply.body ?? '');
    };
    if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
    else send();
  }

  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    port,
    requests,
    respond(r) {
      fallback = typeof r === 'function' ? r : () => r;
    },
    queue(...replies) {
      queued.push(...replies);
    },
    waitFor(n, ms = 10_000, filter) {
      const matching = () => (filter ? requests.filter(filter) : requests);
      return new Promise((resolve, reject) => {
        const check = () => {
          const got = matching();
          if (got.length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(got);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`webhook receiver: ${matching().length} of ${n} requests after ${ms} ms`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    clear() {
      requests.length = 0;
    },
    close() {
      for (const w of waiters) waiters.delete(w);
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
