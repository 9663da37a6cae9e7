import { createHmac } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenError, TokenSigner, type TokenKind, type TokenSignerOptions } from '../../src/auth/jwt.js';

const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const ISSUER = 'haltfree-test';
const OPTS: TokenSignerOptions = {
  secret: SECRET,
  issuer: ISSUER,
  accessTtlSec: 900,
  refreshTtlSec: 30 * 24 * 3600,
  mfaPendingTtlSec: 300,
};
const KINDS: readonly TokenKind[] = ['access', 'refresh', 'mfa_pending'];
const BASE_CLAIMS = { sub: 'user-1', tid: 'tenant-1', role: 'admin' };
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const signer = new TokenSigner(OPTS);
const key = new TextEncoder().encode(SECRET);
const nowSec = () => Math.floor(Date.now() / 1000);
const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

function claimsFor(kind: TokenKind) {
  return kind === 'refresh' ? { ...BASE_CLAIMS, fam: 'family-1' } : BASE_CLAIMS;
}

/** Payload that would pass verification as `kind` if correctly signed. */
function validPayload(kind: TokenKind = 'access'): JWTPayload {
  const iat = nowSec();
  return {
    iss: ISSUER,
    sub: 'user-1',
    tid: 'tenant-1',
    role: 'admin',
    kind,
    jti: '5b0f2a4e-8a3b-4c55-9d7e-1f2a3b4c5d6e',
    iat,
    exp: iat + 600,
    ...(kind === 'refresh' ? { fam: 'family-1' } : {}),
  };
}

/** Signs an arbitrary payload with the test secret, bypassing TokenSigner's own checks. */
async function craft(
  payload: JWTPayload,
  header: { alg: string; typ?: string } = { alg: 'HS256', typ: 'JWT' },
  secret: Uint8Array = key,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(secret);
}

/** Builds a JWS by hand so headers jose would refuse to produce can still be tested. */
function handBuilt(header: object, payload: object, signWith?: { alg: 'sha256' | 'sha512'; secret: string }) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = signWith ? createHmac(signWith.alg, signWith.secret).update(input).digest('base64url') : '';
  return `${input}.${sig}`;
}

async function expectTokenError(
  promise: Promise<unknown>,
  reason: 'expired' | 'invalid',
): Promise<TokenError> {
  const err = await promise.then(
    () => {
      throw new Error('expected verification to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenError);
  expect((err as TokenError).reason).toBe(reason);
  return err as TokenError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenError', () => {
  it('carries the reason, message and name', () => {
    const err = new TokenError('expired', 'gone');
    expect(err).toBeInstanceOf(Error);
    expect(err.reason).toBe('expired');
    expect(err.message).toBe('gone');
    expect(err.name).toBe('TokenError');
  });
});

describe('TokenSigner constructor', () => {
  it('requires a secret of at least 32 bytes', () => {
    expect(() => new TokenSigner({ ...OPTS, secret: 'x'.repeat(31) })).toThrow(/32 bytes/);
    expect(() => new TokenSigner({ ...OPTS, secret: '' })).toThrow(/32 bytes/);
    expect(() => new TokenSigner({ ...OPTS, secret: 'x'.repeat(32) })).not.toThrow();
  });

  it('counts the secret length in UTF-8 bytes, not characters', () => {
    // 11 three-byte characters = 33 bytes but only 11 UTF-16 code units.
    expect(() => new TokenSigner({ ...OPTS, secret: '€'.repeat(11) })).not.toThrow();
    expect(() => new TokenSigner({ ...OPTS, secret: '€'.repeat(10) })).toThrow(/32 bytes/);
  });

  it('rejects an empty issuer and non-positive or fractional TTLs', () => {
    expect(() => new TokenSigner({ ...OPTS, issuer: '' })).toThrow(/issuer/);
    expect(() => new TokenSigner({ ...OPTS, accessTtlSec: 0 })).toThrow(RangeError);
    expect(() => new TokenSigner({ ...OPTS, refreshTtlSec: -5 })).toThrow(RangeError);
    expect(() => new TokenSigner({ ...OPTS, mfaPendingTtlSec: 1.5 })).toThrow(RangeError);
    expect(() => new TokenSigner({ ...OPTS, accessTtlSec: Number.NaN })).toThrow(RangeError);
  });
});

describe('sign', () => {
  it.each(KINDS)('issues an HS256 %s token with the expected claims and TTL', async (kind) => {
    const before = nowSec();
    const { token, jti, exp } = await signer.sign(kind, claimsFor(kind));
    const after = nowSec();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({ iss: ISSUER, sub: 'user-1', tid: 'tenant-1', role: 'admin', kind, jti, exp });
    expect(jti).toMatch(UUID_RE);
    const ttl = { access: OPTS.accessTtlSec, refresh: OPTS.refreshTtlSec, mfa_pending: OPTS.mfaPendingTtlSec }[kind];
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(after);
    expect(exp).toBe(payload.iat! + ttl);
  });

  it('gives every token a fresh jti', async () => {
    const jtis = new Set<string>();
    for (let i = 0; i < 50; i++) jtis.add((await signer.sign('access', BASE_CLAIMS)).jti);
    expect(jtis.size).toBe(50);
  });

  it('includes fam when given, on any kind, and omits it otherwise', async () => {
    for (const kind of KINDS) {
      const { token } = await signer.sign(kind, { ...BASE_CLAIMS, fam: 'fam-9' });
      expect(decodeJwt(token).fam).toBe('fam-9');
    }
    const access = await signer.sign('access', BASE_CLAIMS);
    expect(decodeJwt(access.token)).not.toHaveProperty('fam');
    const mfa = await signer.sign('mfa_pending', BASE_CLAIMS);
    expect(decodeJwt(mfa.token)).not.toHaveProperty('fam');
  });

  it('requires fam for refresh tokens and non-empty identity claims', async () => {
    await expect(signer.sign('refresh', BASE_CLAIMS)).rejects.toThrow(/fam/);
    await expect(signer.sign('refresh', { ...BASE_CLAIMS, fam: '' })).rejects.toThrow(/fam/);
    await expect(signer.sign('access', { ...BASE_CLAIMS, fam: '' })).rejects.toThrow(/fam/);
    await expect(signer.sign('access', { ...BASE_CLAIMS, sub: '' })).rejects.toThrow(TypeError);
    await expect(signer.sign('access', { ...BASE_CLAIMS, tid: '' })).rejects.toThrow(TypeError);
    await expect(signer.sign('access', { ...BASE_CLAIMS, role: '' })).rejects.toThrow(TypeError);
    await expect(signer.sign('bogus' as TokenKind, BASE_CLAIMS)).rejects.toThrow(/kind/);
  });
});

describe('verify', () => {
  it.each(KINDS)('round-trips a %s token', async (kind) => {
    const { token, jti, exp } = await signer.sign(kind, claimsFor(kind));
    const claims = await signer.verify(token, kind);
    const expected: Record<string, unknown> = { ...BASE_CLAIMS, kind, jti, exp, iat: decodeJwt(token).iat };
    if (kind === 'refresh') expected.fam = 'family-1';
    expect(claims).toEqual(expected);
    // iss is checked but not part of the returned claims.
    expect(claims).not.toHaveProperty('iss');
  });

  it('returns fam from an access token that carries one (session link for revocation)', async () => {
    const { token } = await signer.sign('access', { ...BASE_CLAIMS, fam: 'session-7' });
    const claims = await signer.verify(token, 'access');
    expect(claims.fam).toBe('session-7');
    const plain = await signer.verify((await signer.sign('access', BASE_CLAIMS)).token, 'access');
    expect(plain).not.toHaveProperty('fam');
  });

  it('accepts a token verified by another signer instance with the same secret and issuer', async () => {
    const { token } = await signer.sign('access', BASE_CLAIMS);
    const other = new TokenSigner({ ...OPTS, accessTtlSec: 1 });
    await expect(other.verify(token, 'access')).resolves.toMatchObject({ sub: 'user-1' });
  });

  it.each(
    KINDS.flatMap((actual) => KINDS.filter((k) => k !== actual).map((expected) => [actual, expected] as const)),
  )('rejects a %s token where %s is expected', async (actual, expected) => {
    const { token } = await signer.sign(actual, claimsFor(actual));
    await expectTokenError(signer.verify(token, expected), 'invalid');
  });

  describe('expiry', () => {
    it('reports a token signed with a short TTL as expired once the TTL passes', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
      const short = new TokenSigner({ ...OPTS, accessTtlSec: 60 });
      const { token } = await short.sign('access', BASE_CLAIMS);
      vi.setSystemTime(new Date('2030-01-01T00:00:59Z'));
      await expect(short.verify(token, 'access')).resolves.toMatchObject({ sub: 'user-1' });
      // exp is exclusive: at exactly iat + ttl the token is no longer valid.
      vi.setSystemTime(new Date('2030-01-01T00:01:00Z'));
      await expectTokenError(short.verify(token, 'access'), 'expired');
      vi.setSystemTime(new Date('2030-01-02T00:00:00Z'));
      await expectTokenError(short.verify(token, 'access'), 'expired');
    });

    it('reports a crafted token with a past exp as expired', async () => {
      const token = await craft({ ...validPayload(), iat: nowSec() - 3600, exp: nowSec() - 10 });
      const err = await expectTokenError(signer.verify(token, 'access'), 'expired');
      expect(err.message).toMatch(/expired/i);
    });

    it('treats an expired token with a bad signature as invalid, not expired', async () => {
      const token = await craft(
        { ...validPayload(), exp: nowSec() - 10 },
        undefined,
        new TextEncoder().encode('another-secret-that-is-long-enough-000'),
      );
      await expectTokenError(signer.verify(token, 'access'), 'invalid');
    });
  });

  describe('signature and algorithm', () => {
    it('rejects a token signed with another secret', async () => {
      const forger = new TokenSigner({ ...OPTS, secret: 'attacker-secret-0123456789abcdefghijkl' });
      const { token } = await forger.sign('access', BASE_CLAIMS);
      await expectTokenError(signer.verify(token, 'access'), 'invalid');
    });

    it('rejects a token whose payload was altered after signing', async () => {
      const { token } = await signer.sign('access', { ...BASE_CLAIMS, role: 'viewer' });
      const [h, , s] = token.split('.');
      const tampered = `${h}.${b64url(JSON.stringify({ ...decodeJwt(token), role: 'admin' }))}.${s}`;
      await expectTokenError(signer.verify(tampered, 'access'), 'invalid');
    });

    it('rejects a token whose signature was altered', async () => {
      const { token } = await signer.sign('access', BASE_CLAIMS);
      const sig = Buffer.from(token.split('.')[2]!, 'base64url');
      sig[0] = sig[0]! ^ 0x01;
      const tampered = token.split('.').slice(0, 2).join('.') + '.' + sig.toString('base64url');
      await expectTokenError(signer.verify(tampered, 'access'), 'invalid');
    });

    it('rejects alg "none" tokens', async () => {
      for (const alg of ['none', 'None', 'NONE']) {
        const token = handBuilt({ alg, typ: 'JWT' }, validPayload());
        expect(token.endsWith('.')).toBe(true);
        await expectTokenError(signer.verify(token, 'access'), 'invalid');
      }
      // Same, but with a real HS256 signature appended, in case a verifier ignored alg=none's empty-signature rule.
      const withSig = handBuilt({ alg: 'none', typ: 'JWT' }, validPayload(), { alg: 'sha256', secret: SECRET });
      await expectTokenError(signer.verify(withSig, 'access'), 'invalid');
    });

    it('rejects an HS512 token even when signed with the right secret', async () => {
      const viaJose = await craft(validPayload(), { alg: 'HS512', typ: 'JWT' });
      await expectTokenError(signer.verify(viaJose, 'access'), 'invalid');
      const byHand = handBuilt({ alg: 'HS512', typ: 'JWT' }, validPayload(), { alg: 'sha512', secret: SECRET });
      await expectTokenError(signer.verify(byHand, 'access'), 'invalid');
    });

    it('rejects RS256/ES256-style headers with a valid-looking body', async () => {
      for (const alg of ['RS256', 'ES256', 'PS256', 'EdDSA']) {
        const fakeSig = b64url(Buffer.alloc(256, 7));
        const token = handBuilt({ alg, typ: 'JWT' }, validPayload()) + fakeSig;
        expect(token.split('.')).toHaveLength(3);
        await expectTokenError(signer.verify(token, 'access'), 'invalid');
      }
      // Classic confusion attack: RS256 header, but HMAC'd with the (public-looking) shared secret.
      const confused = handBuilt({ alg: 'RS256', typ: 'JWT' }, validPayload(), { alg: 'sha256', secret: SECRET });
      await expectTokenError(signer.verify(confused, 'access'), 'invalid');
    });

    it('accepts a correctly hand-built HS256 token, so the rejections above are meaningful', async () => {
      const token = handBuilt({ alg: 'HS256', typ: 'JWT' }, validPayload(), { alg: 'sha256', secret: SECRET });
      await expect(signer.verify(token, 'access')).resolves.toMatchObject({ sub: 'user-1', kind: 'access' });
    });

    it('rejects a wrong or missing typ header', async () => {
      await expectTokenError(signer.verify(await craft(validPayload(), { alg: 'HS256', typ: 'at+jwt' }), 'access'), 'invalid');
      await expectTokenError(signer.verify(await craft(validPayload(), { alg: 'HS256' }), 'access'), 'invalid');
    });
  });

  describe('malformed input', () => {
    it.each([
      ['empty string', ''],
      ['garbage', 'not a jwt'],
      ['single segment', 'abc'],
      ['two segments', 'abc.def'],
      ['four segments', 'a.b.c.d'],
      ['three empty segments', '..'],
      ['non-base64 segments', '!!!.@@@.###'],
      ['header not JSON', `${b64url('nope')}.${b64url('{}')}.sig`],
      ['payload not JSON', `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('nope')}.sig`],
      ['payload is an array', handBuilt({ alg: 'HS256', typ: 'JWT' }, [1, 2], { alg: 'sha256', secret: SECRET })],
      ['whitespace', '   '],
      ['very long', 'a'.repeat(100_000)],
    ])('rejects %s as invalid', async (_label, token) => {
      await expectTokenError(signer.verify(token, 'access'), 'invalid');
    });

    it('rejects non-string tokens as invalid', async () => {
      for (const v of [undefined, null, 42, {}]) {
        await expectTokenError(signer.verify(v as unknown as string, 'access'), 'invalid');
      }
    });
  });

  describe('claims', () => {
    it.each(['iss', 'sub', 'tid', 'role', 'kind', 'jti', 'iat', 'exp'])(
      'rejects a correctly signed token missing %s',
      async (claim) => {
        const payload = validPayload();
        delete payload[claim];
        await expectTokenError(signer.verify(await craft(payload), 'access'), 'invalid');
      },
    );

    it('rejects a refresh token without fam', async () => {
      const payload = validPayload('refresh');
      delete payload.fam;
      await expectTokenError(signer.verify(await craft(payload), 'refresh'), 'invalid');
    });

    it.each([[''], [42], [null], [['f']]])('rejects a malformed fam (%j)', async (fam) => {
      await expectTokenError(signer.verify(await craft({ ...validPayload('refresh'), fam }), 'refresh'), 'invalid');
      await expectTokenError(signer.verify(await craft({ ...validPayload(), fam }), 'access'), 'invalid');
    });

    it('rejects a wrong issuer', async () => {
      await expectTokenError(signer.verify(await craft({ ...validPayload(), iss: 'someone-else' }), 'access'), 'invalid');
      const otherIssuer = new TokenSigner({ ...OPTS, issuer: 'other' });
      const { token } = await otherIssuer.sign('access', BASE_CLAIMS);
      await expectTokenError(signer.verify(token, 'access'), 'invalid');
    });

    it.each([
      ['sub', 42],
      ['sub', ''],
      ['tid', ['tenant-1']],
      ['tid', ''],
      ['role', null],
      ['role', ''],
      ['jti', ''],
      ['jti', 7],
      ['kind', 'admin'],
      ['kind', 'ACCESS'],
      ['iat', 'yesterday'],
      ['exp', '9999999999'],
    ])('rejects %s = %j', async (claim, value) => {
      const token = await craft({ ...validPayload(), [claim]: value });
      await expectTokenError(signer.verify(token, 'access'), 'invalid');
    });

    it('rejects a token that is not yet valid (nbf in the future)', async () => {
      const token = await craft({ ...validPayload(), nbf: nowSec() + 3600 });
      await expectTokenError(signer.verify(token, 'access'), 'invalid');
    });
  });
});

describe('token version claim', () => {
  const signer = new TokenSigner({ secret: 'v'.repeat(40), issuer: 'haltfree', accessTtlSec: 60, refreshTtlSec: 120, mfaPendingTtlSec: 30 });

  it('round-trips ver and omits it when not given', async () => {
    const withVer = await signer.sign('access', { sub: 'u', tid: 't', role: 'admin', ver: 3 });
    expect((await signer.verify(withVer.token, 'access')).ver).toBe(3);
    const without = await signer.sign('access', { sub: 'u', tid: 't', role: 'admin' });
    expect((await signer.verify(without.token, 'access')).ver).toBeUndefined();
  });

  it('refuses to sign a negative or fractional version', async () => {
    await expect(signer.sign('access', { sub: 'u', tid: 't', role: 'admin', ver: -1 })).rejects.toThrow(TypeError);
    await expect(signer.sign('access', { sub: 'u', tid: 't', role: 'admin', ver: 1.5 })).rejects.toThrow(TypeError);
  });
});

describe('verified access tokens remembered', () => {
  it('still refuses a remembered access token where another kind is expected', async () => {
    const { token } = await signer.sign('access', BASE_CLAIMS);
    await expect(signer.verify(token, 'access')).resolves.toMatchObject({ kind: 'access' });
    await expectTokenError(signer.verify(token, 'refresh'), 'invalid');
    await expectTokenError(signer.verify(token, 'mfa_pending'), 'invalid');
  });

  it('does not let a tampered copy of a remembered token through', async () => {
    const { token } = await signer.sign('access', BASE_CLAIMS);
    await signer.verify(token, 'access');
    const [h, p, s] = token.split('.');
    const flipped = `${h}.${p}.${s!.slice(0, -2)}${s!.endsWith('AA') ? 'BB' : 'AA'}`;
    await expectTokenError(signer.verify(flipped, 'access'), 'invalid');
    const otherPayload = `${h}.${b64url(JSON.stringify({ ...decodeJwt(token), role: 'superuser' }))}.${s}`;
    await expectTokenError(signer.verify(otherPayload, 'access'), 'invalid');
  });

  it('hands out copies: changing returned claims does not change the next answer', async () => {
    const { token } = await signer.sign('access', BASE_CLAIMS);
    const first = await signer.verify(token, 'access');
    first.role = 'superuser';
    first.tid = 'tenant-2';
    expect(await signer.verify(token, 'access')).toMatchObject({ role: 'admin', tid: 'tenant-1' });
  });

  it('a remembered token expires as an unremembered one does', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-05-01T00:00:00Z'));
    const short = new TokenSigner({ ...OPTS, accessTtlSec: 10 });
    const { token } = await short.sign('access', BASE_CLAIMS);
    for (let i = 0; i < 3; i++) await expect(short.verify(token, 'access')).resolves.toMatchObject({ sub: 'user-1' });
    vi.setSystemTime(new Date('2031-05-01T00:00:10Z'));
    await expectTokenError(short.verify(token, 'access'), 'expired');
    // and stays expired (the forgotten entry is not verified again as valid)
    await expectTokenError(short.verify(token, 'access'), 'expired');
  });
});
