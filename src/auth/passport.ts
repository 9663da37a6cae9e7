import type { Request } from 'express';
import { Passport } from 'passport';
import { Strategy as JwtStrategy } from 'passport-jwt';
import { Strategy } from 'passport-strategy';
import type { Principal } from '../common/context.js';
import { DomainError } from '../common/errors.js';
import type { Authenticator } from './authenticator.js';
import type { TokenClaims } from './jwt.js';

export const BEARER_STRATEGY = 'jwt';
export const API_KEY_STRATEGY = 'api-key';

const BEARER_RE = /^Bearer\s+(\S+)\s*$/i;

/**
 * The token of an `Authorization: Bearer <token>` header: exactly one token, then nothing but
 * spaces. passport-jwt's own extractor takes the first two words of any header, so "Bearer a b"
 * would pass as "a"; a header that is not this shape is a bad credential (401 when needed).
 */
export function bearerTokenOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  return BEARER_RE.exec(header)?.[1] ?? null;
}

type Done = (err: Error | null, claims?: TokenClaims) => void;
type JwtVerifier = (token: string, key: unknown, options: unknown, done: Done) => void;

/** Marks the "key" our strategy hands passport-jwt: an object that verifies, not a secret. */
const SHARED_CHECK = Symbol.for('haltfree.auth.accessTokenCheck');
const INSTALLED = Symbol.for('haltfree.auth.jwtVerifierInstalled');

interface AccessTokenCheck {
  [SHARED_CHECK]: (token: string) => TokenClaims;
}

function isAccessTokenCheck(key: unknown): key is AccessTokenCheck {
  return typeof key === 'object' && key !== null && typeof (key as Partial<AccessTokenCheck>)[SHARED_CHECK] === 'function';
}

/**
 * passport-jwt verifies through its static `JwtStrategy.JwtVerifier` (jsonwebtoken.verify), its
 * only way to put a verifier in. Ours sends the keys of our strategy to Authenticator.verifyAccess,
 * the check graphql-ws and the dashboard socket use too: the verified-token cache then keeps the
 * HMAC off the hot path, and the claims, typ and kind rules exist once. Any other key still goes
 * to the library's verifier, so another passport-jwt strategy in the process is unaffected.
 */
function installSharedVerifier(): void {
  const statics = JwtStrategy as unknown as { JwtVerifier: JwtVerifier & { [INSTALLED]?: true } };
  if (statics.JwtVerifier[INSTALLED]) return;
  const library = statics.JwtVerifier;
  const shared: JwtVerifier & { [INSTALLED]?: true } = (token, key, options, done) => {
    if (!isAccessTokenCheck(key)) return library(token, key, options, done);
    let claims: TokenClaims;
    try {
      claims = key[SHARED_CHECK](token);
    } catch (err) {
      return done(err as Error);
    }
    done(null, claims);
  };
  shared[INSTALLED] = true;
  statics.JwtVerifier = shared;
}
installSharedVerifier();

/** Settles a passport verify callback: a refused credential fails (ctx.authError), anything else is an error (500). */
function settle(work: Promise<Principal>, done: (err: unknown, principal?: Principal | false, info?: unknown) => void): void {
  work.then(
    (principal) => done(null, principal),
    (err: unknown) => (err instanceof DomainError ? done(null, false, err) : done(err)),
  );
}

/**
 * `X-API-Key: <key>`. A small subclass of passport-strategy (the base class passport itself is
 * built on): passport-headerapikey fails a present but empty header as a missing credential, where
 * it must be refused as "Invalid API key". The lookup is Authenticator.fromApiKey, the one
 * graphql-ws uses.
 */
export class ApiKeyStrategy extends Strategy {
  name = API_KEY_STRATEGY;

  constructor(private readonly authenticator: Authenticator) {
    super();
  }

  override authenticate(req: Request): void {
    const key = req.header('x-api-key');
    if (key === undefined) return this.fail(401);
    this.authenticator.fromApiKey(key).then(
      (principal) => this.success(principal),
      (err: unknown) => (err instanceof DomainError ? this.fail(err, 401) : this.error(err as Error)),
    );
  }
}

/**
 * A passport instance of its own (not the process-wide singleton, so every app built in one
 * process keeps its strategies) with the bearer JWT and API-key strategies. The bearer strategy
 * is passport-jwt: it takes the token from the header and hands it to the shared verifier above,
 * then its verify callback looks up revocation and the user's token version.
 */
export function createAuthPassport(authenticator: Authenticator): InstanceType<typeof Passport> {
  const passport = new Passport();
  const check: AccessTokenCheck = { [SHARED_CHECK]: (token) => authenticator.verifyAccess(token) };
  passport.use(
    BEARER_STRATEGY,
    new JwtStrategy(
      {
        jwtFromRequest: (req: Request) => bearerTokenOf(req.header('authorization')),
        // passport-jwt hands its key on to JwtVerifier untouched; typed as a secret, it is our check.
        secretOrKey: check as unknown as string,
        algorithms: ['HS256'],
      },
      (claims: TokenClaims, done) => settle(authenticator.principalOf(claims), done),
    ),
  );
  passport.use(API_KEY_STRATEGY, new ApiKeyStrategy(authenticator));
  return passport;
}
