import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${protocols.map((p) => p.replace(':', '://')).join(' or ')}`);

const plan = z.enum(['free', 'pro', 'enterprise']);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  INFLUX_URL: url(['http:', 'https:']).optional(),
  INFLUX_DB: z.string().min(1).default('haltfree'),
  INFLUX_TOKEN: z.string().optional(),
  INFLUX_USER: z.string().optional(),
  INFLUX_PASSWORD: z.string().optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('haltfree'),
  ACCESS_TOKEN_TTL_SEC: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SEC: z.coerce.number().int().min(60).max(90 * 86_400).default(14 * 86_400),
  MFA_PENDING_TTL_SEC: z.coerce.number().int().min(30).max(3600).default(300),
  COOKIE_SECURE: bool.optional(),
  RATE_LIMIT_WINDOW_SEC: z.coerce.number().int().min(1).max(3600).default(60),
  RATE_LIMIT_FREE: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_PRO: z.coerce.number().int().min(1).default(1200),
  RATE_LIMIT_ENTERPRISE: z.coerce.number().int().min(1).default(6000),
  DEFAULT_PLAN: plan.default('free'),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_LOCK_SEC: z.coerce.number().int().min(1).default(900),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  INGEST_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(10 * 1_048_576),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  TRUST_PROXY: bool.default(false),
  JOBS_ENABLED: bool.default(true),
  INFLUX_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(3650),
  INGEST_STORE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  MACHINE_OFFLINE_AFTER_SEC: z.coerce.number().int().min(5).max(86_400).default(300),
  SHIFT_AUTO_COMPLETE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  WS_AUTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  WS_MAX_PENDING_PER_IP: z.coerce.number().int().min(1).default(10),
  WS_HEARTBEAT_SEC: z.coerce.number().int().min(1).max(3600).default(30),
  WS_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).default(4 * 1_048_576),
  GRAPHQL_INTROSPECTION: bool.optional(),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(5_000),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(50),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(1000).default(15),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(50),
  GRAPHQL_MAX_FRAGMENTS: z.coerce.number().int().min(0).default(50),
  GRAPHQL_MAX_REPEATED_FIELDS: z.coerce.number().int().min(1).default(10),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(10_000),
  GRAPHQL_WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).default(20),
  SOURCE_SECRET_KEY: z
    .string()
    .refine((v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32, 'must be 32 bytes as 64 hex digits or base64')
    .optional(),
  OUTBOUND_ALLOW_LOOPBACK: bool.default(false),
  OUTBOUND_ALLOW_PRIVATE: bool.default(true),
  OUTBOUND_ALLOW_LINK_LOCAL: bool.default(false),
  OUTBOUND_ALLOWED_CIDRS: z.string().default(''),
  OUTBOUND_DENIED_CIDRS: z.string().default(''),
  OPCUA_PKI_DIR: z.string().min(1).optional(),
  OPCUA_TRUST_UNKNOWN_CERTS: bool.default(true),
  SOURCE_POLL_CONCURRENCY: z.coerce.number().int().min(1).max(100_000).default(2_000),
  SOURCE_MAX_BACKOFF_SEC: z.coerce.number().int().min(1).max(86_400).default(300),
  SOURCE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  SOURCE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3_000),
  SOURCE_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  SOURCE_RECONCILE_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  SOURCE_RUN_PERIOD_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(600_000),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  NOTIFY_BACKOFF_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  NOTIFY_BACKOFF_CAP_MS: z.coerce.number().int().min(10).max(86_400_000).default(3_600_000),
  NOTIFY_SWEEP_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  SMTP_FROM: z.string().min(3).default('Haltfree <alerts@localhost>'),
  VAPID_PUBLIC_KEY: z.string().refine((v) => /^[A-Za-z0-9_-]+=*$/.test(v) && Buffer.from(v, 'base64url').length === 65, 'must be a base64url P-256 public key (65 bytes)').optional(),
  VAPID_PRIVATE_KEY: z.string().refine((v) => /^[A-Za-z0-9_-]+=*$/.test(v) && Buffer.from(v, 'base64url').length === 32, 'must be a base64url P-256 private key (32 bytes)').optional(),
  VAPID_SUBJECT: z.string().regex(/^(mailto:|https:\/\/)\S+$/, 'must be a mailto: or https:// URL').default('mailto:admin@localhost'),
  SIGNOFF_KEYS: z.string().transform((v, c) => signoffKeys(v, c)).optional(),
});

/**
 * SIGNOFF_KEYS: `id:secret` pairs separated by commas, the first one signing (the newest), the
 * others only verifying older sign-offs. Ids are short names stored with each sign-off; secrets
 * are at least 32 characters (used as UTF-8 bytes).
 */
function signoffKeys(v: string, c: z.RefinementCtx): { id: string; secret: Buffer }[] {
  const keys: { id: string; secret: Buffer }[] = [];
  for (const pair of v.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf(':');
    const id = at > 0 ? pair.slice(0, at) : '';
    const secret = at > 0 ? pair.slice(at + 1) : '';
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(id)) c.addIssue({ code: 'custom', message: 'each entry must be id:secret with an id of 1 to 32 letters, digits, _ . -' });
    else if (secret.length < 32) c.addIssue({ code: 'custom', message: `the secret of key ${id} must be at least 32 characters` });
    else if (keys.some((k) => k.id === id)) c.addIssue({ code: 'custom', message: `key id ${id} is listed twice` });
    else keys.push({ id, secret: Buffer.from(secret, 'utf8') });
  }
  if (!keys.length) c.addIssue({ code: 'custom', message: 'must list at least one id:secret pair' });
  return keys;
}

export type Plan = z.infer<typeof plan>;

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  publicUrl?: string;
  logLevel: string;
  database: { url?: string; poolMax: number; embeddedPort: number };
  redisUrl?: string;
  influx?: { url: string; db: string; token?: string; user?: string; password?: string; retentionDays: number };
  jwt: { secret?: string; issuer: string; accessTtlSec: number; refreshTtlSec: number; mfaPendingTtlSec: number };
  cookieSecure: boolean;
  rateLimit: { windowSec: number; perPlan: Record<Plan, number>; defaultPlan: Plan };
  login: { maxFailures: number; lockSec: number };
  bodyLimitBytes: number;
  ingestBodyLimitBytes: number;
  shutdownTimeoutMs: number;
  trustProxy: boolean;
  /** this process runs background jobs (set false for API-only instances) */
  jobsEnabled: boolean;
  /** the dashboard WebSocket (/api/v1/ws/dashboard) */
  ws: { authTimeoutMs: number; maxPendingPerIp: number; heartbeatSec: number; maxBufferedBytes: number };
  /** what one GraphQL document may cost, on both transports (resolvers/graphql-limits.ts) */
  graphql: GraphqlLimits;
  /** a store write slower than this fails the ingest batch with 503 */
  ingestStoreTimeoutMs: number;
  /** a machine without readings for this long is offline */
  machineOfflineAfterMs: number;
  /** an active shift log this long past its planned end is completed by the auto-complete job */
  shiftAutoCompleteMinutes: number;
  /** outbound connections (device polling, later webhooks and ERP): src/connectivity/outbound-guard.ts */
  outbound: OutboundPolicy;
  /** notification deliveries (src/notifications/notification-delivery.service.ts) */
  notify: {
    /** tries before a delivery is dead (NOTIFY_MAX_ATTEMPTS) */
    maxAttempts: number;
    /** one try's bound: resolution, connection, request, answer */
    timeoutMs: number;
    /** first back-off; doubles per try, with jitter, up to backoffCapMs */
    backoffBaseMs: number;
    backoffCapMs: number;
    /** how often the cluster re-queues lost deliveries and looks for due escalation steps */
    sweepEveryMs: number;
    /** smtp:// or smtps:// URL of the relay for e-mail channels; unset: e-mail deliveries fail */
    smtpUrl?: string;
    smtpFrom: string;
  };
  /** web push (src/notifications/push-subscription.service.ts): VAPID keys given, or generated once per installation when both are unset */
  push: { vapidPublicKey?: string; vapidPrivateKey?: string; vapidSubject: string };
  /** direct ingestion (src/ingest-sources) */
  sources: {
    /** AES-256-GCM key for device credentials; generated once into dataDir when unset */
    secretKey?: Buffer;
    opcuaPkiDir: string;
    trustUnknownServerCertificates: boolean;
    pollConcurrency: number;
    maxBackoffMs: number;
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    /** poller: how long a claim on a source lasts without renewal (renewed every third of it) */
    leaseMs: number;
    /** poller: how often the cluster looks for active sources nobody polls */
    reconcileEveryMs: number;
    /** poller: how long one run job polls a source before handing it back to the queue */
    runPeriodMs: number;
  };
  /** sign-offs (src/signoffs): HMAC keys, the first signs; unset: a generated key file in dataDir */
  signoffs: { keys?: { id: string; secret: Buffer }[] };
}

export interface OutboundPolicy {
  allowLoopback: boolean;
  allowPrivate: boolean;
  allowLinkLocal: boolean;
  /** CIDRs always allowed (checked before every refusal rule) */
  allowedCidrs: string[];
  /** CIDRs always refused */
  deniedCidrs: string[];
}

export interface GraphqlLimits {
  introspection: boolean;
  maxTokens: number;
  /** aliases in the operation, counted with fragments expanded */
  maxAliases: number;
  /** nesting of fields, the root field being 1 */
  maxDepth: number;
  /** directives written in the document */
  maxDirectives: number;
  /** fragment definitions in the document (graphql-js compares the fragments spread together pairwise) */
  maxFragments: number;
  /** selections of one response key at one path (the work of graphql-js' overlapping-fields rule grows with its square) */
  maxRepeatedFields: number;
  maxCost: number;
  /** operations in flight on one graphql-ws connection */
  wsMaxSubscriptions: number;
}

export class ConfigError extends Error {}

function cidrList(v: string): string[] {
  return v
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
}

/** Reads and validates configuration from an environment map; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings mean "unset", as in most container/env-file tooling.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  ) as Record<string, string>;
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.VAPID_PUBLIC_KEY === undefined) !== (e.VAPID_PRIVATE_KEY === undefined)) {
    throw new ConfigError('Invalid configuration:\n  VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: set both or neither');
  }
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, embeddedPort: e.EMBEDDED_DB_PORT },
    redisUrl: e.REDIS_URL,
    influx: e.INFLUX_URL
      ? { url: e.INFLUX_URL, db: e.INFLUX_DB, token: e.INFLUX_TOKEN, user: e.INFLUX_USER, password: e.INFLUX_PASSWORD, retentionDays: e.INFLUX_RETENTION_DAYS }
      : undefined,
    jwt: {
      secret: e.JWT_SECRET,
      issuer: e.JWT_ISSUER,
      accessTtlSec: e.ACCESS_TOKEN_TTL_SEC,
      refreshTtlSec: e.REFRESH_TOKEN_TTL_SEC,
      mfaPendingTtlSec: e.MFA_PENDING_TTL_SEC,
    },
    cookieSecure: e.COOKIE_SECURE ?? e.NODE_ENV === 'production',
    rateLimit: {
      windowSec: e.RATE_LIMIT_WINDOW_SEC,
      perPlan: { free: e.RATE_LIMIT_FREE, pro: e.RATE_LIMIT_PRO, enterprise: e.RATE_LIMIT_ENTERPRISE },
      defaultPlan: e.DEFAULT_PLAN,
    },
    login: { maxFailures: e.LOGIN_MAX_FAILURES, lockSec: e.LOGIN_LOCK_SEC },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    ingestBodyLimitBytes: e.INGEST_BODY_LIMIT_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY,
    jobsEnabled: e.JOBS_ENABLED,
    ingestStoreTimeoutMs: e.INGEST_STORE_TIMEOUT_MS,
    machineOfflineAfterMs: e.MACHINE_OFFLINE_AFTER_SEC * 1000,
    shiftAutoCompleteMinutes: e.SHIFT_AUTO_COMPLETE_MINUTES,
    outbound: {
      allowLoopback: e.OUTBOUND_ALLOW_LOOPBACK,
      allowPrivate: e.OUTBOUND_ALLOW_PRIVATE,
      allowLinkLocal: e.OUTBOUND_ALLOW_LINK_LOCAL,
      allowedCidrs: cidrList(e.OUTBOUND_ALLOWED_CIDRS),
      deniedCidrs: cidrList(e.OUTBOUND_DENIED_CIDRS),
    },
    notify: {
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      timeoutMs: e.NOTIFY_TIMEOUT_MS,
      backoffBaseMs: e.NOTIFY_BACKOFF_BASE_MS,
      backoffCapMs: e.NOTIFY_BACKOFF_CAP_MS,
      sweepEveryMs: e.NOTIFY_SWEEP_MS,
      smtpUrl: e.SMTP_URL,
      smtpFrom: e.SMTP_FROM,
    },
    push: { vapidPublicKey: e.VAPID_PUBLIC_KEY, vapidPrivateKey: e.VAPID_PRIVATE_KEY, vapidSubject: e.VAPID_SUBJECT },
    sources: {
      secretKey: e.SOURCE_SECRET_KEY
        ? /^[0-9a-fA-F]{64}$/.test(e.SOURCE_SECRET_KEY)
          ? Buffer.from(e.SOURCE_SECRET_KEY, 'hex')
          : Buffer.from(e.SOURCE_SECRET_KEY, 'base64')
        : undefined,
      opcuaPkiDir: e.OPCUA_PKI_DIR ?? path.join(e.DATA_DIR, 'opcua-pki'),
      trustUnknownServerCertificates: e.OPCUA_TRUST_UNKNOWN_CERTS,
      pollConcurrency: e.SOURCE_POLL_CONCURRENCY,
      maxBackoffMs: e.SOURCE_MAX_BACKOFF_SEC * 1000,
      connectTimeoutMs: e.SOURCE_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: e.SOURCE_REQUEST_TIMEOUT_MS,
      leaseMs: e.SOURCE_LEASE_MS,
      reconcileEveryMs: e.SOURCE_RECONCILE_MS,
      runPeriodMs: e.SOURCE_RUN_PERIOD_MS,
    },
    signoffs: { keys: e.SIGNOFF_KEYS },
    ws: {
      authTimeoutMs: e.WS_AUTH_TIMEOUT_MS,
      maxPendingPerIp: e.WS_MAX_PENDING_PER_IP,
      heartbeatSec: e.WS_HEARTBEAT_SEC,
      maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
    },
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxFragments: e.GRAPHQL_MAX_FRAGMENTS,
      maxRepeatedFields: e.GRAPHQL_MAX_REPEATED_FIELDS,
      maxCost: e.GRAPHQL_MAX_COST,
      wsMaxSubscriptions: e.GRAPHQL_WS_MAX_SUBSCRIPTIONS,
    },
  };
}
