/**
 * The secret box: AES-256-GCM round trips, every alteration and a wrong key or context refused, and
 * the generated key file (created once, 0600, the same key for processes that start together).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { keyFileMode, loadOrCreateKeyFile, SECRET_KEY_FILE, SecretBox, SecretBoxError, secretBoxFor } from '../../src/common/secret-box.js';

const MODULE = fileURLToPath(new URL('../../src/common/secret-box.ts', import.meta.url));
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'hf-secret-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** flips one bit of one base64url part of a sealed value */
function flip(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips text of any length, with a fresh IV each time', () => {
    for (const text of ['', 'p', 'Str0ng pässwörd ✓ 🔐', 'x'.repeat(10_000)]) {
      const sealed = box.seal(text, 'ctx');
      expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]*$/);
      if (text.length >= 8) expect(sealed).not.toContain(text.slice(0, 8));
      expect(box.open(sealed, 'ctx')).toBe(text);
    }
    const a = box.seal('same', 'ctx');
    const b = box.seal('same', 'ctx');
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(Buffer.from(a.split('.')[2]!, 'base64url')).toHaveLength(12);
  });

  it('detects tampering with the IV, the tag or the ciphertext, and malformed values', () => {
    const sealed = box.seal('secret-value', 'row-1');
    for (const part of [2, 3, 4]) expect(() => box.open(flip(sealed, part), 'row-1')).toThrow(SecretBoxError);
    expect(() => box.open(sealed.slice(0, -2), 'row-1')).toThrow(SecretBoxError);
    expect(() => box.open(sealed.replace(/^v1/, 'v9'), 'row-1')).toThrow(/version/);
    expect(() => box.open('not a box', 'row-1')).toThrow(SecretBoxError);
    expect(() => box.open('v1.a.b.c', 'row-1')).toThrow(SecretBoxError);
  });

  it('refuses a value sealed for another context (a ciphertext moved to another row)', () => {
    const sealed = box.seal('secret-value', 'ingest_source:a');
    expect(() => box.open(sealed, 'ingest_source:b')).toThrow(/authentication/);
  });

  it('refuses another key, naming both key ids, even when the key id is forged', () => {
    const other = new SecretBox(randomBytes(32));
    const sealed = box.seal('secret-value', 'c');
    expect(() => other.open(sealed, 'c')).toThrow(/another key/);
    const forged = sealed.split('.');
    forged[1] = other.keyId;
    expect(() => other.open(forged.join('.'), 'c')).toThrow(SecretBoxError);
  });

  it('takes only 32-byte keys', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('the generated key file', () => {
  it('is created once with mode 0600 and read back on the next start', () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const first = loadOrCreateKeyFile(dir);
    expect(first).toHaveLength(32);
    expect(keyFileMode(dir)).toBe(0o600);
    const text = readFileSync(path.join(dir, SECRET_KEY_FILE), 'utf8');
    expect(text.trim()).toBe(first.toString('hex'));
    const again = loadOrCreateKeyFile(dir);
    expect(again.equals(first)).toBe(true);
    expect(readdirSync(dir)).toEqual([SECRET_KEY_FILE]);
    // a box built from the directory opens what an earlier one sealed
    const sealed = secretBoxFor({ dataDir: dir }).seal('kept', 'x');
    expect(secretBoxFor({ dataDir: dir }).open(sealed, 'x')).toBe('kept');
  });

  it('prefers the configured key and leaves the data directory alone', () => {
    const dir = tempDir();
    const key = randomBytes(32);
    const box = secretBoxFor({ secretKey: key, dataDir: dir });
    expect(new SecretBox(key).open(box.seal('v', 'c'), 'c')).toBe('v');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a corrupted key file instead of replacing it (stored secrets need the original)', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, SECRET_KEY_FILE), 'garbage\n', { mode: 0o600 });
    expect(() => loadOrCreateKeyFile(dir)).toThrow(/64 hex digits/);
    expect(readFileSync(path.join(dir, SECRET_KEY_FILE), 'utf8')).toBe('garbage\n');
  });

  it('processes starting together end with one key', async () => {
    const dir = tempDir();
    const startAt = Date.now() + 1500;
    const script = `
      import { loadOrCreateKeyFile } from ${JSON.stringify(MODULE)};
      while (Date.now() < ${startAt}) {}
      process.stdout.write(loadOrCreateKeyFile(${JSON.stringify(dir)}).toString('hex'));
    `;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '--no-warnings', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          if (code === 0) resolve(out);
          else reject(new Error(`child exited ${code}: ${err}`));
        });
      });
    const keys = await Promise.all(Array.from({ length: 8 }, run));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(path.join(dir, SECRET_KEY_FILE), 'utf8').trim()).toBe(keys[0]);
    expect(statSync(path.join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    // no temporary file is left behind
    expect(readdirSync(dir)).toEqual([SECRET_KEY_FILE]);
  }, 30_000);
});
