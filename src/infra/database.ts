import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { migrationsList } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';
import { serveEmbedded } from './embedded-socket.js';
import { numberPlaceholders } from './sql-placeholders.js';

export { numberPlaceholders };

/** Connections the embedded socket server accepts; the ORM pool must not exceed it. */
const EMBEDDED_MAX_CONNECTIONS = 4;
/** Longest wire message the embedded server buffers: 64 MiB of statement beyond a 64 MiB request body. */
const EMBEDDED_MAX_MESSAGE_BYTES = 128 * 1_048_576;

export interface Database {
  orm: MikroORM;
  /** a fresh, request-scoped entity manager */
  em(): EntityManager;
  /**
   * Runs a hot read statement (`?` placeholders, as em.getConnection().execute) as a named prepared
   * statement: PostgreSQL parses and plans it once per pooled connection instead of on every call.
   * Rows come back as execute returns them. It takes its own pooled connection: never call it
   * inside a transaction (PGlite serves one connection at a time).
   */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** the postgres URL the ORM talks to (the embedded server's, when embedded) */
  url: string;
  embedded: boolean;
  ping(): Promise<void>;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts PGlite persisted under dataDir and serves it over the PostgreSQL wire protocol on 127.0.0.1. */
async function startEmbedded(dataDir: string, port: number, log: Logger): Promise<EmbeddedServer> {
  const dir = path.resolve(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const started = Date.now();
  const db = await PGlite.create(dir);
  const onError = (err: unknown, what: string) => log.warn({ err }, what);
  const server = await serveEmbedded({ db, port, maxConnections: EMBEDDED_MAX_CONNECTIONS, maxMessageBytes: EMBEDDED_MAX_MESSAGE_BYTES, onError });
  const conn = `127.0.0.1:${server.port}`;
  log.info({ dir, conn, ms: Date.now() - started }, 'embedded PostgreSQL (PGlite) ready');
  return {
    url: `postgresql://postgres@${conn}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

export interface DatabaseOptions {
  url?: string;
  dataDir: string;
  poolMax: number;
  embeddedPort: number;
  log: Logger;
  debug?: boolean;
}

/** How many distinct statement texts get a name (each is prepared once per connection). */
const PREPARED_MAX = 1_000;

type Pool = Awaited<ReturnType<ReturnType<MikroORM['em']['getConnection']>['getNativeClient']>>;

/**
 * `named` false: PGlite serves every socket connection from one backend session, so a statement
 * name prepared by one pooled connection already exists for the next; statements stay unnamed there.
 */
function preparedQueries(orm: MikroORM, named: boolean): Database['query'] {
  const statements = new Map<string, { name: string | undefined; text: string }>();
  let pool: Pool | undefined;
  return async <T>(sql: string, params: readonly unknown[] = []) => {
    let st = statements.get(sql);
    if (!st) {
      // past the bound, statements still run, unnamed (planned per call) rather than piling up
      const name = named && statements.size < PREPARED_MAX ? `hf_${createHash('sha1').update(sql).digest('base64url').slice(0, 16)}` : undefined;
      st = { name, text: numberPlaceholders(sql) };
      if (statements.size < PREPARED_MAX) statements.set(sql, st);
    }
    pool ??= await orm.em.getConnection().getNativeClient();
    const res = await pool.query({ name: st.name, text: st.text, values: params as unknown[] });
    return res.rows as T[];
  };
}

/** Opens the configured PostgreSQL, or the embedded one when no URL is given. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const embedded = opts.url ? undefined : await startEmbedded(opts.dataDir, opts.embeddedPort, opts.log);
  const url = opts.url ?? embedded!.url;
  const poolMax = embedded ? Math.min(opts.poolMax, EMBEDDED_MAX_CONNECTIONS) : opts.poolMax;
  let orm: MikroORM;
  try {
    orm = await MikroORM.init({
      clientUrl: url,
      entities: ENTITIES,
      metadataProvider: ReflectMetadataProvider,
      extensions: [Migrator],
      pool: { min: 0, max: poolMax },
      // JIT compiles a plan above jit_above_cost in 100-800 ms: a loss for statements that run in
      // milliseconds to a few hundred (the shift comparison of a year). PGlite has no JIT to turn off.
      ...(embedded ? {} : { driverOptions: { options: '-c jit=off' } }),
      migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
      allowGlobalContext: false,
      forceUtcTimezone: true,
      debug: opts.debug ?? false,
      discovery: { warnWhenNoEntities: false },
    });
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return {
    orm,
    url,
    embedded: Boolean(embedded),
    em: () => orm.em.fork() as EntityManager,
    query: preparedQueries(orm, !embedded),
    async ping() {
      await orm.em.fork().getConnection().execute('select 1');
    },
    async migrate() {
      const migrator = orm.migrator;
      const done = await migrator.up();
      return done.map((m) => m.name);
    },
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}
