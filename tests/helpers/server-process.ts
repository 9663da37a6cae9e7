import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAIN_JS, NODE24, ROOT } from './build.js';
import { SERVICE_URLS } from './services.js';

export interface ServerProcess {
  url: string;
  api: string;
  pid: number;
  /**
   * Ends the process and removes its data dir: SIGTERM (a graceful stop, SIGKILL after 5 s) or
   * SIGKILL (a crash); resolves once it has exited.
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/**
 * The built server (`dist/rest/main.js`, see ensureBuilt) as its own OS process on 127.0.0.1, on an
 * existing database and the test Redis: a second API process of a cluster. Resolves once it
 * listens (60 s at most); stop() ends it (SIGTERM, then SIGKILL after 5 s) and removes its data dir.
 */
export function startServerProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hf-proc-'));
  const proc = spawn(NODE24, [MAIN_JS], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      REDIS_URL: SERVICE_URLS.redis,
      JWT_SECRET: 'test-secret-'.padEnd(48, 'x'),
      RATE_LIMIT_FREE: '100000',
      SHUTDOWN_TIMEOUT_MS: '2000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill(signal);
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  let out = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${why}:\n${out.slice(-3000)}`)));
    };
    const timer = setTimeout(() => fail('server process did not listen within 60 s'), 60_000);
    const seen = (d: Buffer) => {
      out = (out + d.toString()).slice(-100_000);
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', seen);
        proc.stderr!.off('data', seen);
        proc.stdout!.resume();
        proc.stderr!.resume();
        resolve({ url: m[1]!, api: `${m[1]!}/api/v1`, pid: proc.pid!, stop });
      }
    };
    proc.stdout!.on('data', seen);
    proc.stderr!.on('data', seen);
    proc.once('exit', (code) => {
      if (!/listening on/.test(out)) fail(`server process exited (${String(code)})`);
    });
  });
}
