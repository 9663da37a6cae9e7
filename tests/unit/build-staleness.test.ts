/**
 * `npm start` compiles only when a compiler input changed since the last successful build
 * (scripts/build.ts). Exercised on a tiny project in a temp directory with the real tsc.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, buildPaths, staleReason, type BuildPaths } from '../../scripts/build.js';
import { ROOT } from '../helpers/build.js';

describe('build only when stale (scripts/build.ts)', () => {
  let dir: string;
  let paths: BuildPaths;
  const file = (rel: string) => path.join(dir, rel);
  // whole seconds, so a restored mtime is bit-for-bit the one recorded
  const T0 = Math.floor(Date.now() / 1000) - 3600;
  const write = (rel: string, text: string, mtimeSec = T0) => {
    mkdirSync(path.dirname(file(rel)), { recursive: true });
    writeFileSync(file(rel), text);
    utimesSync(file(rel), mtimeSec, mtimeSec);
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hf-build-stale-'));
    paths = buildPaths(dir);
    symlinkSync(path.join(ROOT, 'node_modules'), file('node_modules'), 'dir');
    write('tsconfig.json', JSON.stringify({
      compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'dist', rootDir: '.', strict: true, skipLibCheck: true, types: [] },
      include: ['rest', 'src'],
    }));
    write('package-lock.json', '{}');
    write('rest/main.ts', "import { n } from '../src/n.js';\nexport const main: number = n;\n");
    write('src/n.ts', 'export const n: number = 1;\n');
    write('src/notes.md', 'not a compiler input\n');
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is stale before the first build, and current right after a successful one', async () => {
    expect(staleReason(paths)).toMatch(/missing/);
    expect(await build(paths)).toBe(0);
    expect(existsSync(paths.entry)).toBe(true);
    expect(existsSync(paths.stamp)).toBe(true);
    expect(staleReason(paths)).toBeNull();
  }, 60_000);

  it('ignores files tsc does not read', () => {
    write('src/notes.md', 'edited\n');
    expect(staleReason(paths)).toBeNull();
  });

  it('notices an edited, an added, a renamed and a deleted source, and a changed tsconfig or lock file', () => {
    utimesSync(file('src/n.ts'), T0 + 60, T0 + 60);
    expect(staleReason(paths)).toMatch(/changed/);
    // back to the recorded state: current again, the stamp describes the inputs, not a time
    utimesSync(file('src/n.ts'), T0, T0);
    expect(staleReason(paths)).toBeNull();

    write('src/extra.ts', 'export const extra = 2;\n');
    expect(staleReason(paths)).toMatch(/changed/);
    renameSync(file('src/extra.ts'), file('src/renamed.ts'));
    expect(staleReason(paths)).toMatch(/changed/);
    rmSync(file('src/renamed.ts'));
    expect(staleReason(paths)).toBeNull();
    write('src/deep/nested.ts', 'export {};\n');
    expect(staleReason(paths)).toMatch(/changed/);
    rmSync(file('src/deep'), { recursive: true });
    expect(staleReason(paths)).toBeNull();

    // deleting a compiled source
    renameSync(file('src/n.ts'), file('n.ts.bak'));
    expect(staleReason(paths)).toMatch(/changed/);
    renameSync(file('n.ts.bak'), file('src/n.ts'));
    expect(staleReason(paths)).toBeNull();

    // a file replaced by a copy with an older mtime
    write('src/n.ts', 'export const n: number = 12;\n', T0 - 600);
    expect(staleReason(paths)).toMatch(/changed/);
    write('src/n.ts', 'export const n: number = 1;\n');
    expect(staleReason(paths)).toBeNull();

    write('package-lock.json', '{"lockfileVersion": 3}');
    expect(staleReason(paths)).toMatch(/changed/);
    const tsconfig = readFileSync(file('tsconfig.json'), 'utf8');
    write('tsconfig.json', tsconfig.replace('"strict":true', '"strict":false'));
    expect(staleReason(paths)).toMatch(/changed/);
    write('tsconfig.json', tsconfig);
  });

  it('rebuilds when stale, and after a failed build stays stale (no stamp) instead of running broken output', async () => {
    expect(await build(paths)).toBe(0);
    expect(staleReason(paths)).toBeNull();

    write('src/n.ts', "export const n: number = 'not a number';\n");
    expect(staleReason(paths)).toMatch(/changed/);
    expect(await build(paths)).not.toBe(0);
    expect(existsSync(paths.stamp)).toBe(false);
    expect(staleReason(paths)).toMatch(/no record/);

    write('src/n.ts', 'export const n: number = 3;\n');
    expect(await build(paths)).toBe(0);
    expect(staleReason(paths)).toBeNull();
  }, 90_000);
});
