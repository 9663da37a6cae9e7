import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { migrationsList } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';

/** Connections the embedded socket server accepts; the ORM pool must not exceed it. */
const EMBEDDED_MAX_CONNECTIONS = 4;

export interface Database {
  orm: MikroORM;
  /** a fresh, request-scoped entity manager */
  em(): EntityManager;
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
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const started = Date.now();
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: EMBEDDED_MAX_CONNECTIONS });
  await server.start();
  const conn = server.getServerConn();
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
