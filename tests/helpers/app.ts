import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { startApp, type RunningApp } from '../../rest/app.js';
import { loadConfig } from '../../src/config/config.js';
import { SERVICE_URLS } from './services.js';

export interface TestApp {
  app: RunningApp;
  url: string;
  api: string;
  databaseUrl?: string;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  /** 'postgres' (default): a fresh database on the real server; 'embedded': PGlite in a temp dir */
  db?: 'postgres' | 'embedded';
  /** an existing database URL (to run two apps on one database) */
  databaseUrl?: string;
  redis?: boolean;
  env?: Record<string, string>;
}

/** Creates an empty database on the test PostgreSQL server; returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hf_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVICE_URLS.postgres });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(SERVICE_URLS.postgres);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: SERVICE_URLS.postgres });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Starts the full server in this process on a random 127.0.0.1 port with real storage. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const cleanups: (() => Promise<void>)[] = [];
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'test-secret-'.padEnd(48, 'x'),
    RATE_LIMIT_FREE: '100000',
    LOGIN_MAX_FAILURES: '1000',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...opts.env,
  };
  let databaseUrl = opts.databaseUrl;
  if ((opts.db ?? 'postgres') === 'postgres' && !databaseUrl) {
    const db = await createTestDatabase();
    databaseUrl = db.url;
    cleanups.push(db.drop);
  }
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  if (!env.DATA_DIR) {
    // each app its own data directory (embedded database, generated keys, OPC-UA certificates)
    const dir = await mkdtemp(path.join(tmpdir(), databaseUrl ? 'hf-data-' : 'hf-embedded-'));
    env.DATA_DIR = dir;
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
  }
  if (opts.redis) env.REDIS_URL = SERVICE_URLS.redis;
  const config = loadConfig(env);
  const app = await startApp(config, pino({ level: env.LOG_LEVEL }));
  return {
    app,
    url: app.url,
    api: `${app.url}/api/v1`,
    databaseUrl,
    async stop() {
      await app.stop();
      for (const c of cleanups.reverse()) await c();
    },
  };
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface HttpOptions {
  token?: string;
  apiKey?: string;
  body?: unknown;
  /** sent as-is (for malformed JSON tests) */
  raw?: string;
  headers?: Record<string, string>;
}

/** Small fetch wrapper: JSON in, parsed JSON (or text) out, never throws on HTTP status. */
export async function http<T = any>(method: string, url: string, o: HttpOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.apiKey) headers['x-api-key'] = o.apiKey;
  let body: string | undefined;
  if (o.raw !== undefined) {
    body = o.raw;
    headers['content-type'] ??= 'application/json';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T, headers: res.headers, text };
}

export interface TenantSession {
  tenantId: string;
  userId: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

export const STRONG_PASSWORD = 'Str0ngPassw0rd!';

/** Registers a new tenant with its admin and returns the admin's session. */
export async function registerTenant(api: string, label = 'acme'): Promise<TenantSession> {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const reg = await http('POST', `${api}/auth/register`, {
    body: { email, password: STRONG_PASSWORD, full_name: `${label} admin`, tenant_name: `${label} plant` },
  });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text}`);
  const me = await http('GET', `${api}/auth/me`, { token: reg.body.access_token });
  return { tenantId: me.body.tenant_id, userId: me.body.id, email, password: STRONG_PASSWORD, token: reg.body.access_token, refreshToken: reg.body.refresh_token };
}

/** Creates a user with the given role in the admin's tenant and signs them in. */
export async function createUserSession(api: string, admin: TenantSession, role: 'admin' | 'operator' | 'viewer'): Promise<TenantSession> {
  const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
  const created = await http('POST', `${api}/users`, { token: admin.token, body: { email, full_name: `${role} user`, role, password: STRONG_PASSWORD } });
  if (created.status !== 201) throw new Error(`create user failed: ${created.status} ${created.text}`);
  const login = await http('POST', `${api}/auth/login`, { body: { email, password: STRONG_PASSWORD } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { tenantId: admin.tenantId, userId: created.body.id, email, password: STRONG_PASSWORD, token: login.body.access_token, refreshToken: login.body.refresh_token };
}

/** Creates an API key with the given scopes (or preset) in the admin's tenant; returns the plaintext key. */
export async function createApiKey(api: string, admin: TenantSession, scopes: string[] | string): Promise<{ id: string; key: string }> {
  const r = await http('POST', `${api}/settings/api-keys`, { token: admin.token, body: { name: 'test key', scopes } });
  if (r.status !== 201) throw new Error(`create key failed: ${r.status} ${r.text}`);
  return { id: r.body.id, key: r.body.plaintext_key };
}

/** GraphQL over HTTP. */
export async function gql<T = any>(url: string, query: string, variables?: Record<string, unknown>, o: HttpOptions = {}) {
  return http<{ data?: T; errors?: { message: string; extensions?: Record<string, any> }[] }>('POST', `${url}/graphql`, { ...o, body: { query, variables } });
}
