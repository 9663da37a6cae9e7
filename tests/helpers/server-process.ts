import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { MAIN_JS, NODE24, ROOT } from './build.js';

/** The built server (dist/rest/main.js, see ensureBuilt) running in its own OS process. */
export interface ServerProcess {
  proc: ChildProcess;
  pid: number;
  url: string;
  api: string;
  /** the last 200 kB of its stdout and stderr */
  output(): string;
  /** resolves with the exit code (or signal) once the process is gone */
  exited: Promise<number | string | null>;
  /** SIGKILL, then waits for the exit */
  kill(): Promise<void>;
}

/**
 * Starts the built server on 127.0.0.1 with `env` added to a minimal test environment; resolves
 * once it logs its "listening" line (bounded: 60 s, then it is killed and the promise rejects).
 */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const proc = spawn(NODE24, [MAIN_JS], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      JWT_SECRET: 'test-secret-'.padEnd(48, 'x'),
      SHUTDOWN_TIMEOUT_MS: '2000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let listening = false;
  const append = (d: Buffer) => (out = (out + d.toString()).slice(-200_000));
  const exited = new Promise<number | string | null>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server process: no "listening" line within 60 s:\n${out.slice(-3000)}`));
    }, 60_000);
    proc.stderr!.on('data', append);
    proc.stdout!.on('data', (d: Buffer) => {
      append(d);
      const m = /Haltfree listening on (http:\/\/\S+)/.exec(out);
      if (m && !listening) {
        listening = true;
        clearTimeout(timer);
        resolve({
          proc,
          pid: proc.pid!,
          url: m[1]!,
          api: `${m[1]!}/api/v1`,
          output: () => out,
          exited,
          async kill() {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited before listening (${String(code)}):\n${out.slice(-3000)}`));
    });
  });
}
