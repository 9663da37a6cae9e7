/**
 * `npm start` as a user runs it, stopped with a signal to the npm process (what `kill <pid>`, a
 * process manager or a container runtime does; Ctrl-C reaches npm too). npm forwards SIGINT and
 * SIGTERM to its script's process only; the server must be that process (not a shell around it),
 * so the signal starts the graceful shutdown, the port closes and nothing is left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../helpers/build.js';

const SHUTDOWN_TIMEOUT_MS = 5_000;
/** the server's own grace period, plus npm noticing its child is gone */
const EXIT_WITHIN_MS = SHUTDOWN_TIMEOUT_MS + 5_000;

const started: ChildProcess[] = [];
/**
 * Every process seen under an npm start, with its start time: once npm is gone an orphan is no
 * longer its descendant, and a pid alone could by then name someone else's process.
 */
const seen = new Map<number, string>();
const dirs: string[] = [];

/** Every live process whose parent chain leads to `pid` (read from /proc). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // fields after the parenthesised command name: state, ppid, ...
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const p = frontier.pop()!;
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        frontier.push(child);
      }
    }
  }
  return out;
}

/** Start time of a process (field 22 of /proc/<pid>/stat), or null when it is gone. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function remember(pids: number[]): void {
  for (const pid of pids) {
    const t = startTime(pid);
    if (t !== null) seen.set(pid, t);
  }
}

interface NpmServer {
  npm: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function npmStart(timeoutMs = 150_000): Promise<NpmServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hf-npm-start-'));
  dirs.push(dataDir);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  };
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(npm);
  let out = '';
  const output = () => out;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start: no "listening" line within ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs);
    npm.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Haltfree listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ npm, url: m[1]!, output, exited });
      }
    });
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited before listening (code ${code}, signal ${signal}):\n${out.slice(-3000)}`));
    });
  });
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return false;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
}

describe('npm start stops on a signal to the npm process', () => {
  beforeAll(async () => {
    // compile here, under the build lock, so npm start's prestart finds dist/ current
    await ensureBuilt('npm-start-signals');
  }, 300_000);

  afterAll(async () => {
    // last resort for a failed test: nothing this file started may outlive it
    for (const npm of started) {
      if (npm.pid) remember(descendants(npm.pid));
      if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
    }
    for (const [pid, t] of seen) if (startTime(pid) === t) process.kill(pid, 'SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 30_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: graceful shutdown, port closed, no process left`, async () => {
      const s = await npmStart();
      const health = await fetch(`${s.url}/healthz`);
      expect(health.status).toBe(200);
      const children = descendants(s.npm.pid!);
      remember(children);
      expect(children.length, 'npm start runs the server as a child').toBeGreaterThan(0);

      const t0 = Date.now();
      s.npm.kill(signal);
      const done = await Promise.race([
        s.exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), EXIT_WITHIN_MS)),
      ]);
      expect(done, `npm did not exit within ${EXIT_WITHIN_MS} ms of ${signal}:\n${s.output().slice(-2000)}`).not.toBe('timeout');
      expect(Date.now() - t0).toBeLessThan(EXIT_WITHIN_MS);

      const left = children.filter((pid) => startTime(pid) === seen.get(pid));
      expect(left, `processes left running after ${signal}`).toEqual([]);
      expect(await refused(s.url), `${s.url} still answers after ${signal}`).toBe(true);
      // the server itself took the signal and shut down cleanly, rather than being killed
      expect(s.output()).toMatch(new RegExp(`"signal":"${signal}".*"msg":"shutting down"`));
      expect(s.output()).not.toMatch(/"level":(50|60)/);
      expect(done).toMatchObject({ code: 0 });
    }, 200_000);
  }
});
