import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
} from '../../src/auth/password.js';

const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

describe('argon2 native module', () => {
  it('loads under vitest and can hash', async () => {
    expect(typeof argon2.hash).toBe('function');
    const h = await argon2.hash('x', { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });
    expect(h.startsWith('$argon2id$')).toBe(true);
  });
});

describe('hashPassword', () => {
  it('produces an argon2id PHC string with the configured parameters', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    const fields = hash.split('$');
    expect(fields).toHaveLength(6);
    expect(fields[2]).toBe('v=19');
    expect(Object.fromEntries(fields[3]!.split(',').map((kv) => kv.split('=')))).toEqual({
      m: '19456',
      t: '2',
      p: '1',
    });
    // 16-byte salt and 32-byte digest, unpadded base64.
    expect(fields[4]).toMatch(/^[A-Za-z0-9+/]{22}$/);
    expect(fields[5]).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(argon2.needsRehash(hash, PARAMS)).toBe(false);
  });

  it('salts each hash so equal passwords give different hashes', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, 'same')).toBe(true);
    expect(await verifyPassword(b, 'same')).toBe(true);
  });
});

describe('verifyPassword', () => {
  it('round-trips, including non-ASCII and long passwords', async () => {
    for (const plain of ['hunter2', 'pässwörd 🔐 密码', 'x'.repeat(1024), '']) {
      const hash = await hashPassword(plain);
      expect(await verifyPassword(hash, plain), JSON.stringify(plain.slice(0, 20))).toBe(true);
    }
  });

  it('rejects a wrong password', async () => {
    const hash = await hashPassword('hunter2');
    for (const wrong of ['hunter3', 'Hunter2', 'hunter2 ', ' hunter2', 'hunter', '']) {
      expect(await verifyPassword(hash, wrong), JSON.stringify(wrong)).toBe(false);
    }
  });

  it('returns false instead of throwing for malformed hashes', async () => {
    const good = await hashPassword('pw');
    const malformed = [
      '',
      'not a hash',
      '$argon2id$',
      '$argon2id$v=19$m=19456,t=2,p=1$',
      good.slice(0, -10),
      good.replace('$argon2id$', '$argon2x$'),
      good.replace('m=19456', 'm=abc'),
      '$2b$10$abcdefghijklmnopqrstuuFkVuN1EYr4s5v2s8iGqJ6d1qv1h8Iu', // bcrypt-shaped
      '\u0000',
    ];
    for (const hash of malformed) {
      await expect(verifyPassword(hash, 'pw'), JSON.stringify(hash)).resolves.toBe(false);
    }
    await expect(verifyPassword(undefined as unknown as string, 'pw')).resolves.toBe(false);
    await expect(verifyPassword(null as unknown as string, 'pw')).resolves.toBe(false);
  });

  it('rejects a hash whose digest was tampered with', async () => {
    const hash = await hashPassword('pw');
    const parts = hash.split('$');
    const digest = parts[parts.length - 1]!;
    const flipped = (digest[0] === 'A' ? 'B' : 'A') + digest.slice(1);
    parts[parts.length - 1] = flipped;
    expect(await verifyPassword(parts.join('$'), 'pw')).toBe(false);
  });
});

describe('verifyAgainstDummy', () => {
  it('always resolves false', async () => {
    for (const plain of ['', 'password', 'anything at all']) {
      expect(await verifyAgainstDummy(plain)).toBe(false);
    }
  });

  it('uses a dummy hash with the same parameters as real hashes', async () => {
    // Same cost parameters are what make the unknown-user path take as long as a real verification.
    expect(DUMMY_PASSWORD_HASH.startsWith('$argon2id$v=19$')).toBe(true);
    expect(argon2.needsRehash(DUMMY_PASSWORD_HASH, PARAMS)).toBe(false);
    const real = await hashPassword('pw');
    const paramsOf = (h: string) => h.split('$')[3]!.split(',').sort();
    expect(paramsOf(DUMMY_PASSWORD_HASH)).toEqual(paramsOf(real));
  });

  it('actually runs argon2 verification (takes comparable time to a real verify)', async () => {
    const real = await hashPassword('pw');
    // Warm up both paths once so JIT and allocator effects do not skew the first measurement.
    await verifyPassword(real, 'nope');
    await verifyAgainstDummy('nope');
    const time = async (fn: () => Promise<unknown>) => {
      const start = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - start);
    };
    let realNs = 0;
    let dummyNs = 0;
    // Interleave the two paths so background load on the machine affects both alike.
    for (let i = 0; i < 5; i++) {
      realNs += await time(() => verifyPassword(real, 'nope'));
      dummyNs += await time(() => verifyAgainstDummy('nope'));
    }
    // Loose bounds: only catches a dummy path that skips argon2 or uses very different costs.
    expect(dummyNs).toBeGreaterThan(realNs / 4);
    expect(dummyNs).toBeLessThan(realNs * 4);
  });
});
