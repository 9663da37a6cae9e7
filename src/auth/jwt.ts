import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export type TokenKind = 'access' | 'refresh' | 'mfa_pending';

export interface TokenClaims {
  sub: string;
  tid: string;
  role: string;
  kind: TokenKind;
  jti: string;
  iat: number;
  exp: number;
  fam?: string;
  /** the user's token version at issue time; older versions are refused after deactivation or a role change */
  ver?: number;
}

export class TokenError extends Error {
  constructor(
    public readonly reason: 'expired' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

export interface TokenSignerOptions {
  secret: string;
  issuer: string;
  accessTtlSec: number;
  refreshTtlSec: number;
  mfaPendingTtlSec: number;
}

const ALG = 'HS256';
// RFC 7518 §3.2: an HMAC key must be at least as long as the hash output (256 bits for HS256).
const MIN_SECRET_BYTES = 32;
/** Verified access tokens remembered (their signature and claims cannot change), at most this many. */
const VERIFIED_CACHE_MAX = 10_000;
const TOKEN_KINDS: ReadonlySet<unknown> = new Set<TokenKind>(['access', 'refresh', 'mfa_pending']);

function isTokenKind(v: unknown): v is TokenKind {
  return TOKEN_KINDS.has(v);
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function assertPositiveTtl(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer number of seconds`);
  }
}

/** What a JWT payload may hold before its claims are checked. */
type RawClaims = Record<string, unknown>;

/** jose's reading of `typ` (RFC 7515 §4.1.9): case-insensitive, `application/` optional. */
function isJwtTyp(typ: unknown): boolean {
  return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'jwt';
}

export class TokenSigner {
  /** A KeyObject made once: given the secret as a string or Buffer, jsonwebtoken builds one on every call. */
  private readonly key: KeyObject;
  private readonly issuer: string;
  private readonly ttlSec: Readonly<Record<TokenKind, number>>;
  /**
   * Access tokens whose signature and claims were verified, by token text. A client presents the
   * same access token on every request until it expires; checking the HMAC again each time gives
   * the same answer. Only expiry can change, and it is checked on every hit. (Revocation is not a
   * property of the token: the authenticator checks it on every request.)
   */
  private readonly verified = new Map<string, TokenClaims>();

  /** Validates the options; throws if the secret is shorter than 32 bytes or a TTL is not a positive integer. */
  constructor(opts: TokenSignerOptions) {
    const key = Buffer.from(opts.secret, 'utf8');
    if (key.byteLength < MIN_SECRET_BYTES) {
      throw new Error(`JWT secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    if (!isNonEmptyString(opts.issuer)) {
      throw new Error('JWT issuer must be a non-empty string');
    }
    assertPositiveTtl('accessTtlSec', opts.accessTtlSec);
    assertPositiveTtl('refreshTtlSec', opts.refreshTtlSec);
    assertPositiveTtl('mfaPendingTtlSec', opts.mfaPendingTtlSec);
    this.key = createSecretKey(key);
    this.issuer = opts.issuer;
    this.ttlSec = {
      access: opts.accessTtlSec,
      refresh: opts.refreshTtlSec,
      mfa_pending: opts.mfaPendingTtlSec,
    };
  }

  /** jti is a fresh random UUID; `fam` (refresh-token family id) is required for refresh tokens, optional otherwise. */
  async sign(
    kind: TokenKind,
    claims: { sub: string; tid: string; role: string; fam?: string; ver?: number },
  ): Promise<{ token: string; jti: string; exp: number }> {
    if (!isTokenKind(kind)) {
      throw new TypeError(`Unknown token kind ${JSON.stringify(kind)}`);
    }
    if (!isNonEmptyString(claims.sub) || !isNonEmptyString(claims.tid) || !isNonEmptyString(claims.role)) {
      throw new TypeError('sub, tid and role must be non-empty strings');
    }
    // Reuse detection for rotated refresh tokens depends on the family id, so a refresh token without one is a bug.
    if (kind === 'refresh' && !isNonEmptyString(claims.fam)) {
      throw new TypeError('refresh tokens require a non-empty fam (token family id)');
    }
    const jti = randomUUID();
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + this.ttlSec[kind];
    const payload: RawClaims = { tid: claims.tid, role: claims.role, kind };
    // Access tokens may carry the family too, so revoking a session can also cut off its access tokens.
    if (claims.fam !== undefined) {
      if (!isNonEmptyString(claims.fam)) {
        throw new TypeError('fam must be a non-empty string when given');
      }
      payload.fam = claims.fam;
    }
    if (claims.ver !== undefined) {
      if (!Number.isSafeInteger(claims.ver) || claims.ver < 0) throw new TypeError('ver must be a non-negative integer');
      payload.ver = claims.ver;
    }
    Object.assign(payload, { iss: this.issuer, sub: claims.sub, jti, iat, exp });
    const token = jwt.sign(payload, this.key, { algorithm: ALG, header: { alg: ALG, typ: 'JWT' } });
    return { token, jti, exp };
  }

  /** Verifies signature (HS256 only), issuer, expiry and that claim `kind` equals `expected`; throws TokenError. */
  async verify(token: string, expected: TokenKind): Promise<TokenClaims> {
    return this.verifySync(token, expected);
  }

  /**
   * verify() without the promise, for callers driven by callbacks (passport-jwt's verifier); an
   * HMAC over a few hundred bytes is microseconds, so nothing here waits.
   */
  verifySync(token: string, expected: TokenKind): TokenClaims {
    if (!isNonEmptyString(token)) {
      throw new TokenError('invalid', 'Token is missing');
    }
    const known = this.verified.get(token);
    if (known) {
      if (known.exp <= Math.floor(Date.now() / 1000)) {
        this.verified.delete(token);
        throw new TokenError('expired', 'Token has expired');
      }
      if (known.kind !== expected) throw new TokenError('invalid', 'Token kind mismatch');
      return { ...known };
    }
    let header: jwt.JwtHeader;
    let payload: unknown;
    try {
      ({ header, payload } = jwt.verify(token, this.key, {
        // Pinning the algorithm blocks 'none' and algorithm-confusion tokens regardless of what the header claims.
        algorithms: [ALG],
        issuer: this.issuer,
        complete: true,
        // Expiry is decided below, after the claims it depends on are known to be well-formed, so
        // a malformed token is "invalid" even when it is also past its exp.
        ignoreExpiration: true,
      }));
    } catch {
      throw new TokenError('invalid', 'Token is invalid');
    }
    // jsonwebtoken reads neither typ nor crit; a critical extension we do not implement must not be ignored (RFC 7515 §4.1.11).
    if (!isJwtTyp(header.typ) || (header as { crit?: unknown }).crit !== undefined) {
      throw new TokenError('invalid', 'Token header is not accepted');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new TokenError('invalid', 'Token payload is not a claims set');
    }
    const { sub, tid, role, kind, jti, iat, exp, fam, ver } = payload as RawClaims;
    // Without a required exp, a token that omits it would never expire.
    if (sub === undefined || jti === undefined || typeof iat !== 'number' || typeof exp !== 'number') {
      throw new TokenError('invalid', 'Token claims are missing');
    }
    // expired once exp is not after the current second
    if (exp <= Math.floor(Date.now() / 1000)) {
      throw new TokenError('expired', 'Token has expired');
    }
    if (!isNonEmptyString(sub) || !isNonEmptyString(tid) || !isNonEmptyString(role) || !isNonEmptyString(jti) || !isTokenKind(kind)) {
      throw new TokenError('invalid', 'Token claims are malformed');
    }
    // Stops an mfa_pending or refresh token from being presented where an access token is expected, and vice versa.
    if (kind !== expected) {
      throw new TokenError('invalid', 'Token kind mismatch');
    }
    if (fam !== undefined && !isNonEmptyString(fam)) {
      throw new TokenError('invalid', 'Token family id is malformed');
    }
    if (kind === 'refresh' && fam === undefined) {
      throw new TokenError('invalid', 'Refresh token has no family id');
    }
    if (ver !== undefined && (typeof ver !== 'number' || !Number.isSafeInteger(ver) || ver < 0)) {
      throw new TokenError('invalid', 'Token version is malformed');
    }
    const claims: TokenClaims = { sub, tid, role, kind, jti, iat, exp };
    if (fam !== undefined) {
      claims.fam = fam;
    }
    if (ver !== undefined) {
      claims.ver = ver;
    }
    if (kind === 'access') {
      // bounded: the oldest entry goes first (a Map keeps insertion order)
      if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { ...claims });
    }
    return claims;
  }
}
