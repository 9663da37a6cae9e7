import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveEmbedded, type EmbeddedSocketServer } from '../../src/infra/embedded-socket.js';

const CLIENTS = 8;
const QUERIES = 200;
/** every fifth query of an odd client is a transaction that holds the backend across round trips */
const isTransaction = (c: number, i: number) => c % 2 === 1 && i % 5 === 0;

/** A file-backed PGlite as the app opens it, with the table the workload writes. */
async function freshDb(): Promise<{ db: PGlite; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hf-embedded-'));
  const db = await PGlite.create(dir);
  await db.exec('create table t (c int not null, i int not null)');
  return { db, dir };
}

function client(port: number): pg.Client {
  const cl = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', ssl: false });
  cl.on('error', () => undefined); // a broken connection shows up as failed queries, counted below
  return cl;
}

/**
 * CLIENTS connections run QUERIES extended-protocol queries each at once. Each client has its own
 * statement texts and result shapes, so a Bind or Execute that lands on another connection's
 * statement or portal gives an error or a wrong row.
 */
async function workload(port: number): Promise<{ errors: string[]; wrong: number; ms: number }> {
  const errors: string[] = [];
  let wrong = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      const cl = client(port);
      await cl.connect();
      let inserted = 0;
      for (let i = 0; i < QUERIES; i++) {
        try {
          if (isTransaction(c, i)) {
            await cl.query('begin');
            await cl.query('insert into t (c, i) values ($1, $2)', [c, i]);
            inserted++;
            const r = await cl.query(`select count(*)::int as n, $2::int as c${c} from t where c = $1`, [c, c]);
            if (r.rows[0]?.n !== inserted || r.rows[0]?.[`c${c}`] !== c) wrong++;
            await cl.query('commit');
          } else {
            const r = await cl.query(`select $1::int * ${c + 2} as v, $2::text as s${i % 2 ? ', 1 as x' : ''}`, [i, `c${c}`]);
            if (r.rows[0]?.v !== i * (c + 2) || r.rows[0]?.s !== `c${c}` || r.fields.length !== 2 + (i % 2)) wrong++;
          }
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
      await cl.end().catch(() => undefined);
    }),
  );
  return { errors, wrong, ms: performance.now() - started };
}

/** Sends raw bytes on a fresh socket; resolves with everything received once the server closes it or ms pass. */
function raw(port: number, bytes: Buffer, ms = 2_000): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closed: false });
    }, ms);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), closed: true });
    });
  });
}

function startup(): Buffer {
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, params]);
}

function msg(type: string, body: Buffer | string = ''): Buffer {
  const b = Buffer.from(body);
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(4 + b.length, 1);
  return Buffer.concat([head, b]);
}

describe('embedded socket server', () => {
  let db: PGlite;
  let dir: string;
  let server: EmbeddedSocketServer;
  const serverErrors: unknown[] = [];

  beforeAll(async () => {
    ({ db, dir } = await freshDb());
    server = await serveEmbedded({ db, port: 0, maxConnections: CLIENTS, maxMessageBytes: 1 << 20, onError: (err) => serverErrors.push(err) });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs 8 clients x 200 interleaved extended-protocol queries and transactions without an error or a wrong row', async () => {
    const { errors, wrong } = await workload(server.port);
    expect(errors).toEqual([]);
    expect(wrong).toBe(0);
    const counts = await db.query<{ c: number; n: number }>('select c, count(*)::int as n from t group by c order by c');
    const perClient = Array.from({ length: QUERIES }, (_, i) => i).filter((i) => isTransaction(1, i)).length;
    expect(counts.rows).toEqual([1, 3, 5, 7].map((c) => ({ c, n: perClient })));
    expect(serverErrors).toEqual([]);
  });

  it('rolls back the transaction of a client that disconnects inside it, and serves the next at once', async () => {
    const a = client(server.port);
    const b = client(server.port);
    await Promise.all([a.connect(), b.connect()]); // a startup, too, waits for an open transaction to end
    await a.query('begin');
    await a.query('insert into t (c, i) values ($1, $2)', [100, 1]);
    const waiting = b.query('select count(*)::int as n from t where c = $1', [100]); // queued behind a's transaction
    a.connection.stream.destroy();
    expect((await waiting).rows).toEqual([{ n: 0 }]);
    await b.end();
  });

  it('ends a half-sent extended exchange of a client that disconnects, so the next client is not disturbed', async () => {
    const parse = msg('P', Buffer.concat([Buffer.from('\0select 42 as answer\0'), Buffer.alloc(2)]));
    const bind = msg('B', Buffer.alloc(8)); // unnamed portal and statement, no formats, no parameters, no result formats
    const b = client(server.port);
    await b.connect();
    // Flush asks for the answers so far: the exchange is open, and the connection keeps the backend until it goes away
    const half = raw(server.port, Buffer.concat([startup(), parse, bind, msg('H')]), 500);
    await new Promise((r) => setTimeout(r, 100));
    const next = b.query('select $1::int + 1 as n', [1]);
    const { data, closed } = await half;
    expect(closed).toBe(false);
    expect(data.subarray(-10)).toEqual(Buffer.from([0x31, 0, 0, 0, 4, 0x32, 0, 0, 0, 4])); // ParseComplete, BindComplete
    expect((await next).rows).toEqual([{ n: 2 }]);
    await b.end();
  });

  it('refuses SSL and GSS encryption with N and then serves the startup in clear', async () => {
    const ssl = Buffer.alloc(8);
    ssl.writeInt32BE(8, 0);
    ssl.writeInt32BE(80877103, 4);
    const gss = Buffer.alloc(8);
    gss.writeInt32BE(8, 0);
    gss.writeInt32BE(80877104, 4);
    const { data } = await raw(server.port, Buffer.concat([ssl, gss, startup(), msg('X')]));
    expect(data.subarray(0, 2).toString()).toBe('NN');
    expect(data[2]).toBe(0x52); // AuthenticationOk follows
    expect(data.subarray(-6)).toEqual(Buffer.from([0x5a, 0, 0, 0, 5, 0x49])); // ReadyForQuery idle
  });

  it('closes a connection that declares a message longer than the bound, without buffering it', async () => {
    const huge = Buffer.alloc(5);
    huge.write('Q', 0);
    huge.writeInt32BE((1 << 20) + 1, 1);
    const { data, closed } = await raw(server.port, Buffer.concat([startup(), huge]));
    expect(closed).toBe(true);
    expect(data.toString('latin1')).toContain('invalid message length');
    const bad = Buffer.alloc(8);
    bad.writeInt32BE(1 << 30, 0);
    expect((await raw(server.port, bad)).closed).toBe(true);
  });

  it('refuses connections past the cap with 53300 and listens on loopback only', async () => {
    const held = await Promise.all(Array.from({ length: CLIENTS }, async () => {
      const cl = client(server.port);
      await cl.connect();
      return cl;
    }));
    const extra = client(server.port);
    await expect(extra.connect()).rejects.toThrow(/too many clients/);
    await Promise.all(held.map((cl) => cl.end()));
    const other = Object.values((await import('node:os')).networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (other) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect(server.port, other.address);
        s.on('connect', () => (s.destroy(), resolve(false)));
        s.on('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });
});

describe('pglite-socket 0.2.17, the server this replaces', () => {
  it('interleaves the same workload across connections: portal errors and wrong rows', async () => {
    const { db, dir } = await freshDb();
    const old = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: CLIENTS });
    await old.start();
    try {
      const { errors, wrong } = await workload(Number(old.getServerConn().split(':')[1]));
      expect(errors.length + wrong).toBeGreaterThan(0);
      expect(errors.some((e) => /portal "" does not exist|bind message supplies|does not exist|connection error/.test(e))).toBe(true);
    } finally {
      await old.stop();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
