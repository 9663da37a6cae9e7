/**
 * `npm start` on a fresh machine: the built server with nothing configured but a data directory
 * runs on embedded PostgreSQL, shuts down gracefully on SIGTERM, and after a restart on the same
 * directory keeps users, keys and the JWT secret. Bad configuration and an old Node fail loudly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, NODE24, ROOT } from '../helpers/build.js';
import { http, STRONG_PASSWORD } from '../helpers/app.js';

const SYSTEM_NODE = '/usr/bin/node';

const children: ChildProcess[] = [];

/** Only what `npm start` on a bare machine would have, plus the given variables. */
function bareEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...extra };
}

interface Server {
  proc: ChildProcess;
  url: string;
  api: string;
  output: () => string;
}

function startServer(env: Record<string, string>, timeoutMs = 90_000): Promise<Server> {
  return new Promise((resolve, reject) => {
    const proc = spawn(NODE24, ['dist/rest/main.js'], { cwd: ROOT, env: bareEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(proc);
    let out = '';
    const output = () => out;
    const timer = setTimeout(() => reject(new Error(`no "listening" line within ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Haltfree listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, api: `${m[1]!}/api/v1`, output });
      }
    });
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal}):\n${out.slice(-3000)}`));
    });
  });
}

/** Runs a process to completion (bounded); for start-up failures. */
function runToExit(node: string, env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(node, ['dist/rest/main.js'], { cwd: ROOT, env: bareEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(proc);
    let output = '';
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${node} dist/rest/main.js did not exit within ${timeoutMs} ms:\n${output.slice(-2000)}`));
    }, timeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** SIGTERM and wait for the exit; resolves with the exit code and how long it took. */
function terminate(proc: ChildProcess, timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      reject(new Error(`process already exited with ${proc.exitCode ?? proc.signalCode}`));
      return;
    }
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no exit within ${timeoutMs} ms of SIGTERM`));
    }, timeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - started });
    });
    proc.kill('SIGTERM');
  });
}

/** Last resort for afterAll: SIGTERM, then SIGKILL after 5 s. */
async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 8_000))]);
  clearTimeout(killer);
}

describe('embedded default (npm start with nothing configured)', () => {
  let dataDir: string;

  beforeAll(async () => {
    await ensureBuilt('embedded-default');
    dataDir = mkdtempSync(path.join(tmpdir(), 'hf-embedded-default-'));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(children.map(stopChild));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('runs on PGlite in DATA_DIR, stops gracefully, and keeps users, keys and the JWT secret across a restart', async () => {
    const env = { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const first = await startServer(env);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(dataDir) && readdirSync(dataDir).length, 'DATA_DIR holds the embedded database').toBeGreaterThan(0);

    const health = await http('GET', `${first.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await http('GET', `${first.url}/readyz`);
    expect(ready.status, ready.text).toBe(200);

    const email = `embedded-${randomUUID().slice(0, 8)}@example.com`;
    const reg = await http('POST', `${first.api}/auth/register`, { body: { email, password: STRONG_PASSWORD, full_name: 'Embedded Admin', tenant_name: 'Embedded Plant' } });
    expect(reg.status, reg.text).toBe(201);
    const login = await http('POST', `${first.api}/auth/login`, { body: { email, password: STRONG_PASSWORD } });
    expect(login.status, login.text).toBe(200);
    const oldToken: string = login.body.access_token;
    const me = await http('GET', `${first.api}/auth/me`, { token: oldToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email, role: 'admin' });
    const viewerEmail = `viewer-${randomUUID().slice(0, 8)}@example.com`;
    const viewer = await http('POST', `${first.api}/users`, { token: oldToken, body: { email: viewerEmail, full_name: 'Viewer', role: 'viewer', password: STRONG_PASSWORD } });
    expect(viewer.status, viewer.text).toBe(201);
    const key = await http('POST', `${first.api}/settings/api-keys`, { token: oldToken, body: { name: 'persisted key', scopes: ['ingest'] } });
    expect(key.status, key.text).toBe(201);

    // graceful shutdown: exit code 0 within 10 s, even with an idle keep-alive connection open
    const stopped = await terminate(first.proc, 10_000);
    expect(stopped, first.output().slice(-2000)).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(10_000);
    expect(first.output()).not.toMatch(/"level":(50|60)/); // no error/fatal log lines

    const second = await startServer(env);
    // the old access token still works: same persisted JWT secret, and the session survived
    const meAgain = await http('GET', `${second.api}/auth/me`, { token: oldToken });
    expect(meAgain.status, meAgain.text).toBe(200);
    expect(meAgain.body.id).toBe(me.body.id);
    const relogin = await http('POST', `${second.api}/auth/login`, { body: { email, password: STRONG_PASSWORD } });
    expect(relogin.status, relogin.text).toBe(200);
    const vlogin = await http('POST', `${second.api}/auth/login`, { body: { email: viewerEmail, password: STRONG_PASSWORD } });
    expect(vlogin.status, vlogin.text).toBe(200);
    const users = await http('GET', `${second.api}/users`, { token: relogin.body.access_token });
    expect(users.body.items.map((u: { email: string }) => u.email).sort()).toEqual([email, viewerEmail].sort());
    // the API key (stored hashed) still authenticates: 403 for a user-only route, not 401
    const withKey = await http('GET', `${second.api}/auth/me`, { apiKey: key.body.plaintext_key });
    expect(withKey.status, withKey.text).toBe(403);
    const keys = await http('GET', `${second.api}/settings/api-keys`, { token: relogin.body.access_token });
    expect(keys.status, keys.text).toBe(200);
    expect(keys.body.items.map((k: { id: string }) => k.id)).toContain(key.body.id);
    const audit = await http('GET', `${second.api}/audit?page_size=100`, { token: relogin.body.access_token });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['register', 'create_user', 'create_api_key', 'login_success']));

    const stopped2 = await terminate(second.proc, 10_000);
    expect(stopped2.code, second.output().slice(-2000)).toBe(0);
  }, 240_000);

  it('a configuration error (PORT=abc) exits non-zero naming PORT', async () => {
    const r = await runToExit(NODE24, { PORT: 'abc', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    expect(r.code, r.output).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.output).toMatch(/PORT/);
    expect(r.output).not.toMatch(/listening/);
    // several bad variables are all named at once
    const many = await runToExit(NODE24, { PORT: '70000', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', DATA_DIR: dataDir });
    expect(many.code, many.output).not.toBe(0);
    for (const v of ['PORT', 'LOG_LEVEL', 'DATABASE_URL']) expect(many.output, many.output).toContain(v);
    expect(many.output).not.toMatch(/^\s+at /m); // a message, not a stack trace
  }, 60_000);

  const systemMajor = (() => {
    if (!existsSync(SYSTEM_NODE)) return null;
    const r = spawnSync(SYSTEM_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000 });
    const major = Number(r.stdout?.trim().split('.')[0]);
    return Number.isFinite(major) ? major : null;
  })();

  it.skipIf(systemMajor === null || systemMajor >= 24)(`the system ${SYSTEM_NODE} (v${systemMajor ?? '?'}) is refused with a message about Node.js 24`, async () => {
    const r = await runToExit(SYSTEM_NODE, { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    expect(r.code, r.output).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.output).toMatch(/Node\.js 24/);
    expect(r.output).not.toMatch(/listening/);
  }, 60_000);
});
