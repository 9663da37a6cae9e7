import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import { openDatabase, type Database } from '../infra/database.js';
import { InProcessEventBus, RedisEventBus, type EventBus } from '../infra/event-bus.js';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../infra/rate-limiter.js';
import { RedisExpiringStore, SqlExpiringStore, type ExpiringStore } from '../auth/expiring-store.js';
import { TokenSigner } from '../auth/jwt.js';
import { Authenticator } from '../auth/authenticator.js';
import { PostgresReadingStore } from '../readings/postgres-reading-store.js';
import type { ReadingStore } from '../readings/reading-store.js';
import { createReadingStore } from '../readings/reading-store.factory.js';
import { BullJobRunner, InProcessJobRunner, type JobRunner } from '../infra/jobs.js';
import type { ModuleManifest, SharedDeps } from './module.js';
import { MODULES, type ModuleServices } from './modules.js';

/** Everything a process needs, built once from config; closed in reverse order on shutdown. */
export interface Container {
  config: AppConfig;
  log: Logger;
  db: Database;
  redis?: Redis;
  bus: EventBus;
  limiter: RateLimiter;
  store: ExpiringStore;
  jobs: JobRunner;
  readings: ReadingStore;
  authenticator: Authenticator;
  /** every module's services by name, as each manifest builds them */
  services: ModuleServices;
  close(): Promise<void>;
}

/**
 * Without JWT_SECRET, a random secret is generated once and kept in the database, so every
 * instance sharing it (and every restart) signs with the same key.
 */
async function jwtSecret(db: Database, configured?: string): Promise<string> {
  if (configured) return configured;
  const conn = db.em().getConnection();
  await conn.execute(`insert into system_settings (key, value) values ('jwt_secret', ?) on conflict (key) do nothing`, [
    randomBytes(48).toString('base64url'),
  ]);
  const rows: { value: string }[] = await conn.execute(`select value from system_settings where key = 'jwt_secret'`);
  return rows[0]!.value;
}

/**
 * Each module's services in list order. A module sees only the services of modules listed before
 * it: asking for a later one is a wiring mistake and fails at startup, naming both.
 */
export function buildServices(modules: readonly ModuleManifest<string, object, never>[], deps: SharedDeps): ModuleServices {
  const built: Record<string, unknown> = {};
  for (const m of modules) {
    const earlier = new Proxy(built, {
      get(target, key) {
        if (typeof key === 'string' && !(key in target)) throw new Error(`module ${m.name} needs service ${key}, which no module listed before it builds`);
        return target[key as string];
      },
    });
    for (const [key, service] of Object.entries(m.services(deps, earlier as never))) {
      if (key in built) throw new Error(`service ${key} of module ${m.name} is built by another module already`);
      built[key] = service;
    }
  }
  return built as ModuleServices;
}

/** Opens storage and wires services. Migrations run here so a fresh database is usable at once. */
export async function createContainer(config: AppConfig, log: Logger): Promise<Container> {
  const db = await openDatabase({
    url: config.database.url,
    dataDir: config.dataDir,
    poolMax: config.database.poolMax,
    embeddedPort: config.database.embeddedPort,
    log,
  });
  const closers: (() => Promise<unknown>)[] = [() => db.close()];
  try {
    const applied = await db.migrate();
    if (applied.length) log.info({ applied }, 'migrations applied');

    let redis: Redis | undefined;
    let bus: EventBus;
    let limiter: RateLimiter;
    let store: ExpiringStore;
    let jobs: JobRunner;
    const onError = (err: unknown) => log.error({ err }, 'background error');
    const onJobError = (err: unknown, job: { name: string; attempt: number }) => log.warn({ err, job }, 'job failed');
    if (config.redisUrl) {
      redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
      redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
      closers.unshift(() => redis!.quit().catch(() => redis!.disconnect()));
      const rbus = new RedisEventBus(config.redisUrl, { onError });
      await rbus.ready();
      bus = rbus;
      limiter = new RedisRateLimiter(config.redisUrl, { onError });
      store = new RedisExpiringStore(redis);
      jobs = new BullJobRunner(config.redisUrl, { onError: onJobError, prefix: jobsPrefix(config.database.url) });
    } else {
      bus = new InProcessEventBus({ onError });
      limiter = new MemoryRateLimiter();
      store = new SqlExpiringStore(db);
      jobs = new InProcessJobRunner(onJobError);
    }
    closers.unshift(() => jobs.close(), () => bus.close(), () => limiter.close());

    const signer = new TokenSigner({
      secret: await jwtSecret(db, config.jwt.secret),
      issuer: config.jwt.issuer,
      accessTtlSec: config.jwt.accessTtlSec,
      refreshTtlSec: config.jwt.refreshTtlSec,
      mfaPendingTtlSec: config.jwt.mfaPendingTtlSec,
    });
    const authenticator = new Authenticator(db, signer, store);
    const readings = createReadingStore(config, () => new PostgresReadingStore(db));
    // The reading store being down must not keep the API from starting: readiness reports it,
    // ingestion answers 503, and its bootstrap is retried until it succeeds.
    let storeRetry: NodeJS.Timeout | undefined;
    const initReadings = async (): Promise<void> => {
      try {
        await readings.init();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'reading store bootstrap failed; retrying in 5 s');
        storeRetry = setTimeout(() => void initReadings(), 5000);
        storeRetry.unref();
      }
    };
    closers.unshift(async () => {
      clearTimeout(storeRetry);
      await readings.close();
    });
    await initReadings();
    const deps: SharedDeps = {
      config, log, db, bus, jobs, limiter, store, readingStore: readings, signer, authenticator,
      onClose: (close) => closers.unshift(close),
    };
    const services = buildServices(MODULES, deps);

    // Every handler is registered before any worker starts (BullMQ binds workers at start).
    for (const m of MODULES) await m.jobs?.register?.(jobs, services, deps);
    if (config.jobsEnabled) {
      await jobs.start();
      for (const m of MODULES) await m.jobs?.schedule?.(jobs, services, deps);
    }
    return {
      config, log, db, redis, bus, limiter, store, jobs, readings, authenticator, services,
      async close() {
        for (const close of closers) {
          try {
            await close();
          } catch (err) {
            log.warn({ err }, 'error while closing');
          }
        }
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => undefined);
    throw err;
  }
}

/**
 * The BullMQ key prefix: one per database, so installations (or test runs) that share a Redis but
 * not a database never take each other's jobs, while every process of one cluster (same database)
 * shares the queues.
 */
export function jobsPrefix(databaseUrl: string | undefined): string {
  if (!databaseUrl) return 'hf:jobs';
  const u = new URL(databaseUrl);
  return `hf:jobs:${u.hostname}:${u.port || '5432'}:${decodeURIComponent(u.pathname.slice(1)) || 'postgres'}`;
}
