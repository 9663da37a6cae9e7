import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  randomBase62,
} from '../../src/auth/api-key-secret.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A deterministic byte source that replays `bytes`, then fails loudly if asked for more. */
function scriptedRng(bytes: number[]): (size: number) => Buffer {
  let pos = 0;
  return (size) => {
    if (pos >= bytes.length) throw new Error('scripted rng exhausted');
    const chunk = Buffer.from(bytes.slice(pos, pos + size));
    pos += chunk.length;
    return chunk;
  };
}

describe('generateApiKey', () => {
  it('returns hk_ + 40 base62 characters, an 8-character prefix and the SHA-256 hex hash', () => {
    const { plaintext, prefix, hash } = generateApiKey();
    expect(plaintext).toMatch(/^hk_[0-9A-Za-z]{40}$/);
    expect(plaintext).toHaveLength(43);
    expect(prefix).toHaveLength(8);
    expect(prefix).toBe(plaintext.slice(0, 8));
    expect(prefix).toMatch(/^hk_[0-9A-Za-z]{5}$/);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(createHash('sha256').update(plaintext).digest('hex'));
    expect(isWellFormedApiKey(plaintext)).toBe(true);
  });

  it('does not repeat plaintexts or hashes over many keys', () => {
    const n = 5000;
    const keys = Array.from({ length: n }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.plaintext)).size).toBe(n);
    expect(new Set(keys.map((k) => k.hash)).size).toBe(n);
    for (const k of keys) {
      expect(isWellFormedApiKey(k.plaintext)).toBe(true);
      expect(k.prefix).toBe(k.plaintext.slice(0, 8));
    }
  });

  it('draws characters uniformly over the whole alphabet', () => {
    const counts = new Map<string, number>(Array.from(BASE62, (c) => [c, 0]));
    const keys = 5000;
    for (let i = 0; i < keys; i++) {
      for (const c of generateApiKey().plaintext.slice(3)) counts.set(c, counts.get(c)! + 1);
    }
    expect(counts.size).toBe(62);
    const total = keys * 40;
    const expected = total / 62;
    let chiSquare = 0;
    for (const observed of counts.values()) chiSquare += (observed - expected) ** 2 / expected;
    // 61 degrees of freedom: the 1e-6 tail starts near 129, while a plain `byte % 62` (symbols 0-7
    // ~25% more frequent) would score in the thousands at this sample size.
    expect(chiSquare).toBeLessThan(140);
  });
});

describe('randomBase62', () => {
  it('maps accepted bytes with byte % 62', () => {
    // 62 and 247 are the edges of the accepted range that wrap to '0' and 'z'.
    expect(randomBase62(6, scriptedRng([0, 9, 10, 61, 62, 247]))).toBe('09Az0z');
    expect(randomBase62(4, scriptedRng([0, 61, 124, 185]))).toBe('0z0z');
  });

  it('rejects bytes >= 248 instead of folding them onto the first symbols', () => {
    const rng = scriptedRng([248, 249, 255, 5, 250, 6, 251, 252, 253, 254, 7]);
    expect(randomBase62(3, rng)).toBe('567');
  });

  it('keeps drawing until it has enough accepted bytes', () => {
    let calls = 0;
    const rng = (size: number) => {
      calls++;
      // First draw is entirely rejected, the second is all valid.
      return Buffer.alloc(size, calls === 1 ? 0xff : 1);
    };
    expect(randomBase62(10, rng)).toBe('1'.repeat(10));
    expect(calls).toBe(2);
  });

  it('returns the requested length and handles zero', () => {
    expect(randomBase62(0)).toBe('');
    for (const n of [1, 7, 40, 100]) {
      const s = randomBase62(n);
      expect(s).toHaveLength(n);
      expect(s).toMatch(/^[0-9A-Za-z]*$/);
    }
  });

  it('rejects invalid lengths', () => {
    expect(() => randomBase62(-1)).toThrow(RangeError);
    expect(() => randomBase62(1.5)).toThrow(RangeError);
    expect(() => randomBase62(Number.NaN)).toThrow(RangeError);
  });
});

describe('hashApiKey', () => {
  it('is stable and matches SHA-256 hex of the UTF-8 plaintext', () => {
    const key = 'hk_' + 'a'.repeat(40);
    expect(hashApiKey(key)).toBe(hashApiKey(key));
    expect(hashApiKey(key)).toBe(createHash('sha256').update(key, 'utf8').digest('hex'));
    // Known answer: SHA-256("abc") from FIPS 180-2.
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches the hash returned by generateApiKey', () => {
    const { plaintext, hash } = generateApiKey();
    expect(hashApiKey(plaintext)).toBe(hash);
  });

  it('differs for keys that differ in one character or in case', () => {
    const key = 'hk_' + 'a'.repeat(40);
    expect(hashApiKey(key)).not.toBe(hashApiKey(key.slice(0, -1) + 'b'));
    expect(hashApiKey(key)).not.toBe(hashApiKey(key.slice(0, -1) + 'A'));
  });
});

describe('isWellFormedApiKey', () => {
  it('accepts hk_ followed by exactly 40 base62 characters', () => {
    expect(isWellFormedApiKey('hk_' + '0'.repeat(40))).toBe(true);
    expect(isWellFormedApiKey('hk_' + BASE62.slice(0, 40))).toBe(true);
    expect(isWellFormedApiKey('hk_' + BASE62.slice(22, 62))).toBe(true);
  });

  it('rejects anything else', () => {
    const valid = 'hk_' + 'A1b2C3d4E5'.repeat(4);
    const bad = [
      '',
      'hk_',
      valid.slice(0, -1),
      valid + 'x',
      'HK_' + valid.slice(3),
      'hk-' + valid.slice(3),
      'sk_' + valid.slice(3),
      valid.slice(3),
      ` ${valid}`,
      `${valid} `,
      `${valid}\n`,
      valid.slice(0, -1) + '_',
      valid.slice(0, -1) + '-',
      valid.slice(0, -1) + '+',
      valid.slice(0, -1) + '=',
      valid.slice(0, -1) + 'é',
      valid.slice(0, -1) + '０',
    ];
    for (const s of bad) {
      expect(isWellFormedApiKey(s), JSON.stringify(s)).toBe(false);
    }
  });

  it('returns false for non-string runtime values', () => {
    for (const v of [undefined, null, 42, {}, ['hk_' + '0'.repeat(40)]]) {
      expect(isWellFormedApiKey(v as unknown as string)).toBe(false);
    }
  });
});
