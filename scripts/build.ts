/**
 * `npm run build` (always compiles) and `npm start`'s prestart (`--if-stale`: compiles only when
 * a compiler input changed since the last successful build). Run by Node 24 directly (type
 * stripping), so it must not need the compiler it decides to run: node built-ins only, erasable
 * TypeScript only.
 *
 * The build records a fingerprint of its inputs (path, size and mtime of every file tsc reads,
 * plus tsconfig.json and package-lock.json) in dist/.build-stamp.json, taken before tsc starts,
 * and only when tsc succeeds. Comparing fingerprints instead of "newest mtime" also catches a
 * deleted or renamed file and a file replaced by an older copy; a file saved during the build
 * makes the next start build again; after a failed build there is no stamp, so the next start
 * compiles (and fails) again rather than running the half-built output.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_INCLUDE = ['src', 'schema', 'resolvers', 'rest', 'migrations', 'bench'];
/** files tsc reads (resolveJsonModule is on); anything else under the source folders is ignored */
const INPUT_FILE = /\.(ts|mts|cts|json)$/;
const CONFIG_FILES = ['tsconfig.json', 'package-lock.json'];

export interface BuildPaths {
  root: string;
  stamp: string;
  entry: string;
}

export function buildPaths(root: string = ROOT): BuildPaths {
  return { root, stamp: path.join(root, 'dist', '.build-stamp.json'), entry: path.join(root, 'dist', 'rest', 'main.js') };
}

/** The folders tsconfig.json compiles (its `include`), or the project's usual ones if unreadable. */
function includedDirs(root: string): string[] {
  try {
    const cfg = JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8')) as { include?: unknown };
    if (Array.isArray(cfg.include) && cfg.include.every((d) => typeof d === 'string')) return cfg.include as string[];
  } catch {
    // tsconfig.json with comments or missing: fall back to the known layout
  }
  return DEFAULT_INCLUDE;
}

function collect(dir: string, rel: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) collect(p, r, out);
    else if (INPUT_FILE.test(e.name)) {
      const st = statSync(p);
      out.push(`${r}\t${st.size}\t${st.mtimeMs}`);
    }
  }
}

/** A hash over every compiler input's path, size and mtime; changes when any of them does. */
export function sourceFingerprint(root: string = ROOT): string {
  const lines: string[] = [];
  for (const d of includedDirs(root)) collect(path.join(root, d), d, lines);
  for (const f of CONFIG_FILES) {
    const p = path.join(root, f);
    if (existsSync(p)) {
      const st = statSync(p);
      lines.push(`${f}\t${st.size}\t${st.mtimeMs}`);
    }
  }
  lines.sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Why dist/ must be rebuilt, or null when the last successful build saw exactly these inputs. */
export function staleReason(paths: BuildPaths = buildPaths()): string | null {
  if (!existsSync(paths.entry)) return `${path.relative(paths.root, paths.entry)} is missing`;
  let recorded: unknown;
  try {
    recorded = (JSON.parse(readFileSync(paths.stamp, 'utf8')) as { fingerprint?: unknown }).fingerprint;
  } catch {
    return 'no record of a successful build';
  }
  return recorded === sourceFingerprint(paths.root) ? null : 'sources changed since the last build';
}

/** Runs tsc; on success records the fingerprint taken before it started. Resolves with tsc's exit code. */
export function build(paths: BuildPaths = buildPaths()): Promise<number> {
  const fingerprint = sourceFingerprint(paths.root);
  // A failed or interrupted build must not leave an old stamp claiming dist/ is current.
  rmSync(paths.stamp, { force: true });
  const tsc = path.join(paths.root, 'node_modules', 'typescript', 'bin', 'tsc');
  const child = spawn(process.execPath, [tsc, '-p', path.join(paths.root, 'tsconfig.json')], { cwd: paths.root, stdio: 'inherit' });
  // npm forwards SIGINT/SIGTERM to this process only; pass them on so tsc does not outlive it.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      if (code === 0) {
        mkdirSync(path.dirname(paths.stamp), { recursive: true });
        writeFileSync(paths.stamp, `${JSON.stringify({ fingerprint, builtAt: new Date().toISOString() })}\n`);
      }
      resolve(code ?? (signal === 'SIGINT' ? 130 : 143));
    });
    child.once('error', (err) => {
      console.error(`could not run tsc: ${err.message}`);
      resolve(1);
    });
  });
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--if-stale')) {
    const reason = staleReason();
    if (reason === null) return 0;
    console.log(`Compiling (${reason})...`);
  }
  return build();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
