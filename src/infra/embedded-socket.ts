import { createServer, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/**
 * Serves one PGlite instance over the PostgreSQL wire protocol on 127.0.0.1.
 *
 * PGlite is a single backend session. Every socket connection shares it, so one connection's
 * extended-protocol exchange (Parse/Bind/Describe/Execute/Sync) must not be interleaved with another's:
 * the other's Sync would drop the unnamed portal ("portal \"\" does not exist"). pglite-socket 0.2.17
 * queues single messages; here a connection takes the backend for a whole exchange and keeps it until
 * the backend reports ReadyForQuery idle ('I'), so an open transaction ('T'/'E') keeps it too. Waiting
 * connections are served first come, first served.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3_0 = 196608;
/** PostgreSQL's own bound on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
const MAX_STARTUP_BYTES = 10_000;
/** Complete messages without a Sync yet run once they add up to this; the connection keeps the backend meanwhile. */
const BATCH_BYTES = 1 << 20;
/** Input read ahead while a batch runs before the socket is paused. */
const HIGH_WATER_BYTES = 1 << 20;
/** Sync, simple Query, Flush, CopyDone, CopyFail: the client waits for an answer after these. */
const ANSWERED = new Set([0x53, 0x51, 0x48, 0x63, 0x66]);
const SYNC = 0x53;
const QUERY = 0x51;
const TERMINATE = 0x58;

export interface EmbeddedSocketOptions {
  db: PGlite;
  /** 0 picks a free port */
  port: number;
  maxConnections: number;
  /** a declared message longer than this closes the connection (bounds what one client makes us buffer) */
  maxMessageBytes: number;
  onError(err: unknown, what: string): void;
}

export interface EmbeddedSocketServer {
  port: number;
  stop(): Promise<void>;
}

/** First come, first served; one holder at a time. */
class Turn {
  #held = false;
  readonly #waiters: (() => void)[] = [];
  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

interface Shared {
  opts: EmbeddedSocketOptions;
  turn: Turn;
  stopped: boolean;
}

function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head[0] = 0x45; // 'E'
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

function message(type: number, body: string): Buffer {
  const text = Buffer.from(body);
  const out = Buffer.alloc(5 + text.length);
  out[0] = type;
  out.writeInt32BE(4 + text.length, 1);
  text.copy(out, 5);
  return out;
}

const SYNC_MESSAGE = message(SYNC, '');
const ROLLBACK_MESSAGE = message(QUERY, 'ROLLBACK\0');

/** `ends`: the batch ends an exchange (Sync, simple Query, startup), after which the backend may be idle. */
type Batch = { bytes: Buffer; ends: boolean } | 'terminate' | undefined;

class Connection {
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  readonly #pending: Buffer[] = [];
  #pendingBytes = 0;
  #started = false;
  #holding = false;
  #running = false;
  #closed = false;

  constructor(
    readonly socket: Socket,
    readonly shared: Shared,
    readonly onGone: () => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.#closed) return;
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      if (this.#running && this.#buffered > HIGH_WATER_BYTES) socket.pause();
      void this.#pump();
    });
    socket.on('error', () => this.#close());
    socket.on('close', () => this.#close());
  }

  /** The pump notices it and hands the backend on; `farewell` is the client's last message. */
  #close(farewell?: Buffer): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks.length = 0;
    this.#buffered = 0;
    this.#pending.length = 0;
    this.#pendingBytes = 0;
    if (farewell && this.socket.writable) this.socket.end(farewell, () => this.socket.destroy());
    else this.socket.destroy();
    if (!this.#running) void this.#pump();
  }

  /** A protocol violation: the client gets a FATAL error and the connection ends. */
  #fail(what: string): undefined {
    this.#close(errorResponse('08P01', what));
    return undefined;
  }

  /** Makes the first `n` buffered bytes one Buffer (only ever the header of the next message). */
  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length < n) {
      const all = Buffer.concat(this.#chunks);
      this.#chunks.length = 0;
      this.#chunks.push(all);
    }
    return this.#chunks[0]!;
  }

  #take(n: number): Buffer {
    const first = this.#chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      const parts: Buffer[] = [];
      let need = n;
      while (need > 0) {
        const c = this.#chunks[0]!;
        if (c.length <= need) {
          parts.push(c);
          this.#chunks.shift();
          need -= c.length;
        } else {
          parts.push(c.subarray(0, need));
          this.#chunks[0] = c.subarray(need);
          need = 0;
        }
      }
      out = Buffer.concat(parts);
    }
    this.#buffered -= n;
    return out;
  }

  /** The next unit to run: the startup packet, or complete messages up to one the client awaits an answer to. */
  #nextBatch(): Batch {
    const max = this.shared.opts.maxMessageBytes;
    while (!this.#started) {
      if (this.#buffered < 8) return undefined;
      const head = this.#peek(8);
      const len = head.readInt32BE(0);
      const code = head.readInt32BE(4);
      if (len < 8 || len > MAX_STARTUP_BYTES) return this.#fail('invalid startup packet length');
      if (this.#buffered < len) return undefined;
      const packet = this.#take(len);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        this.socket.write('N'); // no encryption on a loopback-only socket: the client goes on in clear
      } else if (code === CANCEL_REQUEST) {
        this.#close(); // not supported: a query runs to its end
        return undefined;
      } else if (code === PROTOCOL_3_0) {
        this.#started = true;
        return { bytes: packet, ends: true };
      } else {
        return this.#fail(`unsupported frontend protocol ${code >>> 16}.${code & 0xffff}`);
      }
    }
    while (this.#buffered >= 5) {
      const head = this.#peek(5);
      const type = head[0]!;
      const len = head.readInt32BE(1);
      if (len < 4 || len > max) return this.#fail(`invalid message length ${len}`);
      if (this.#buffered < len + 1) break;
      const msg = this.#take(len + 1);
      if (type === TERMINATE) return 'terminate';
      this.#pending.push(msg);
      this.#pendingBytes += msg.length;
      if (ANSWERED.has(type) || this.#pendingBytes >= BATCH_BYTES) {
        const bytes = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
        this.#pending.length = 0;
        this.#pendingBytes = 0;
        return { bytes, ends: type === SYNC || type === QUERY };
      }
    }
    return undefined;
  }

  /** Runs one batch on the backend, streaming the answer to the client; returns the final ReadyForQuery status. */
  async #exec(bytes: Uint8Array, forward: boolean): Promise<string | undefined> {
    const db = this.shared.opts.db;
    let tail = Buffer.alloc(0);
    await db.runExclusive(() =>
      db.execProtocolRawStream(bytes, {
        onRawData: (data) => {
          const copy = Buffer.from(data); // a view into PGlite's memory, reused by the next call
          if (forward && !this.#closed && this.socket.writable) this.socket.write(copy);
          tail = copy.length >= 6 ? copy.subarray(copy.length - 6) : Buffer.concat([tail, copy]).subarray(-6);
        },
      }),
    );
    // ReadyForQuery: 'Z', length 5, status byte
    return tail.length === 6 && tail[0] === 0x5a && tail.readInt32BE(1) === 5 ? String.fromCharCode(tail[5]!) : undefined;
  }

  /** Leaves the shared backend idle for the next connection: ends a half-sent exchange, rolls back an open transaction. */
  async #reset(): Promise<void> {
    let status = await this.#exec(SYNC_MESSAGE, false);
    if (status !== 'I') status = await this.#exec(ROLLBACK_MESSAGE, false);
    if (status !== 'I') this.shared.opts.onError(new Error(`backend left in status ${status}`), 'embedded connection reset');
  }

  /** A client that does not read its answers stops being read from, rather than piling them up here. */
  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done).off('close', done);
        resolve();
      };
      this.socket.on('drain', done).on('close', done);
    });
  }

  #release(): void {
    this.#holding = false;
    this.shared.turn.release();
  }

  /** Runs the connection's batches in order; only one pump per connection runs at a time. */
  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        if (this.#closed) {
          if (this.#holding) {
            if (!this.shared.stopped) await this.#reset().catch((err) => this.shared.opts.onError(err, 'embedded connection reset'));
            this.#release();
          }
          this.onGone();
          return;
        }
        const batch = this.#nextBatch();
        if (batch === 'terminate') {
          this.#close();
          continue;
        }
        if (!batch) {
          if (this.#closed) continue;
          this.socket.resume();
          return;
        }
        if (this.socket.writableNeedDrain) await this.#drained();
        if (!this.#holding) {
          await this.shared.turn.acquire();
          this.#holding = true;
        }
        if (this.shared.stopped) this.#close();
        if (this.#closed) continue;
        try {
          const status = await this.#exec(batch.bytes, true);
          if (batch.ends && status === 'I') this.#release();
        } catch (err) {
          this.shared.opts.onError(err, 'embedded query failed');
          this.#close();
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

/** Starts the server on 127.0.0.1; at most maxConnections at a time, more are refused with 53300. */
export async function serveEmbedded(opts: EmbeddedSocketOptions): Promise<EmbeddedSocketServer> {
  const shared: Shared = { opts, turn: new Turn(), stopped: false };
  const open = new Set<Connection>();
  const sockets = new Set<Socket>(); // refused ones too: server.close waits for every socket
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (shared.stopped || open.size >= opts.maxConnections) {
      socket.on('error', () => undefined);
      socket.end(errorResponse('53300', 'sorry, too many clients already'), () => socket.destroy());
      return;
    }
    const conn: Connection = new Connection(socket, shared, () => open.delete(conn));
    open.add(conn);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => opts.onError(err, 'embedded socket server'));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('embedded socket server has no TCP address');
  return {
    port: address.port,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      shared.stopped = true;
      for (const socket of sockets) socket.destroy();
      // the running batch, if any, ends before the caller closes PGlite
      await shared.turn.acquire();
      shared.turn.release();
      await closed;
    },
  };
}
