import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import type { JobRunner } from '../infra/jobs.js';
import type { RateLimiter } from '../infra/rate-limiter.js';
import type { ExpiringStore } from '../auth/expiring-store.js';
import type { TokenSigner } from '../auth/jwt.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { ReadingStore } from '../readings/reading-store.js';
import type { DashboardFeed } from '../server/dashboard-feed.js';
import type { ErrorCode } from '../common/errors.js';

/**
 * What the composition root builds before any module: storage (the database and the reading
 * store), messaging, jobs, rate limits and the credential checks every door shares.
 */
export interface SharedDeps {
  config: AppConfig;
  log: Logger;
  db: Database;
  bus: EventBus;
  jobs: JobRunner;
  limiter: RateLimiter;
  store: ExpiringStore;
  readingStore: ReadingStore;
  signer: TokenSigner;
  authenticator: Authenticator;
  /**
   * Registers a shutdown step. Steps run last-registered first, all before the shared
   * dependencies close, so a module can still write to the database and the bus.
   */
  onClose(close: () => Promise<unknown>): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EntityClass = abstract new (...args: any[]) => object;

/** A module's background jobs. */
export interface ModuleJobs<S> {
  /**
   * Called for every module before the runner starts (BullMQ binds workers at start): registers
   * handlers, and may schedule when `deps.config.jobsEnabled`.
   */
  register?(jobs: JobRunner, services: S, deps: SharedDeps): void | Promise<void>;
  /** Called after the runner started, only when jobs are enabled: recurring schedules. */
  schedule?(jobs: JobRunner, services: S, deps: SharedDeps): Promise<void>;
}

/**
 * One module, declared once: what it stores, how its services are built, what runs in the
 * background, what it publishes and what the dashboard socket forwards. Its GraphQL resolvers and
 * REST rows sit in the outer layers (`resolvers/modules.ts`, `rest/modules.ts`), keyed by `name`,
 * since nothing in src/ may import them.
 */
export interface ModuleManifest<Name extends string = string, S extends object = object, Needs extends object = object> {
  /** the folder name under src/; the outer layers' lists are keyed by it */
  name: Name;
  /** MikroORM entity classes this module owns (each registered by exactly one module) */
  entities: readonly EntityClass[];
  /**
   * Builds the module's services from the shared dependencies and the services of modules listed
   * before it (`needs`, typed by what the factory uses). The keys of the result are the names
   * under `container.services`.
   */
  services(deps: SharedDeps, needs: Needs): S;
  jobs?: ModuleJobs<S & Needs>;
  /** bus topics the module publishes; a tenant's topic is written `name:<tenantId>` */
  topics: readonly string[];
  /** what the dashboard socket forwards of those topics */
  feeds: readonly DashboardFeed[];
  /** the module's error codes (`<module>.errors.ts`), each on its transport class */
  errors?: Readonly<Record<string, ErrorCode>>;
}

/** Declares a manifest with its name, services and needs inferred. */
export function defineModule<const Name extends string, S extends object, Needs extends object = object>(m: ModuleManifest<Name, S, Needs>): ModuleManifest<Name, S, Needs> {
  return m;
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every service of a list of modules, by name: the type of `container.services`. */
export type ServicesOf<M extends readonly ModuleManifest<string, object, never>[]> = UnionToIntersection<
  M[number] extends infer E ? (E extends ModuleManifest<string, infer S, never> ? S : never) : never
>;
