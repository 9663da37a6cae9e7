import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFingerprint, staleReason } from '../../scripts/build.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** the pinned Node 24 that npm scripts use */
export const NODE24 = path.join(ROOT, 'node_modules/.bin/node');
export const MAIN_JS = path.join(ROOT, 'dist/rest/main.js');

/**
 * `npm run build` unless dist/ was built from the current sources (the check `npm start` makes);
 * a lock directory keeps the test files that run the built server from compiling into dist/ at
 * the same time.
 */
export async function ensureBuilt(label: string, timeoutMs = 240_000): Promise<void> {
  const lock = path.join(tmpdir(), `haltfree-build-${Buffer.from(ROOT).toString('hex').slice(-24)}.lock`);
  // the sources of the last build a test ran, successful or not: a build that failed on a type
  // error elsewhere is not retried by every test file while those sources stay the same
  const attempted = `${lock}.attempted`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (staleReason() === null) return;
    const fingerprint = sourceFingerprint();
    if (existsSync(MAIN_JS) && readFileSync(attempted, { encoding: 'utf8', flag: 'a+' }) === fingerprint) return;
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: Math.max(10_000, deadline - Date.now()) });
    writeFileSync(attempted, fingerprint);
    if (!existsSync(MAIN_JS)) throw new Error(`npm run build produced no dist/rest/main.js:\n${r.stdout}\n${r.stderr}`);
    // tsc still emits on type errors (e.g. a half-done edit elsewhere); say so, but run.
    if (r.status !== 0) console.warn(`[${label}] npm run build exited ${r.status}:\n${(r.stdout + r.stderr).slice(-2000)}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
