import type { Principal } from '../common/context.js';
import type { Database } from '../infra/database.js';
import { ApiKey } from '../api-keys/api-key.entity.js';
import { hashApiKey } from './api-key-secret.js';
import { AuthErrors } from './auth.errors.js';
import type { ExpiringStore } from './expiring-store.js';
import { TokenError, type TokenClaims, type TokenSigner } from './jwt.js';
import type { Role, Scope } from '../common/context.js';

/** Keys in the shared expiring store. */
export const revocationKeys = {
  jti: (jti: string) => `jti:${jti}`,
  session: (sessionId: string) => `sess:${sessionId}`,
  userVersion: (userId: string) => `ver:${userId}`,
};

/** How often last_used_at of an API key is written at most (avoids a write per request). */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

function toAuthError(err: unknown): Error {
  return err instanceof TokenError && err.reason === 'expired' ? AuthErrors.expiredToken() : AuthErrors.invalidToken();
}

/** Turns request credentials (Bearer JWT or X-API-Key) into a principal, or throws 401. */
export class Authenticator {
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly signer: TokenSigner,
    private readonly store: ExpiringStore,
  ) {}

  /**
   * Verifies a bearer access token including revocation (logout, deactivation, role change). The
   * one path every door takes: HTTP through passport-jwt (src/auth/passport.ts runs the same two
   * steps, verifyAccess and principalOf), graphql-ws and the dashboard socket directly.
   */
  async fromBearer(token: string): Promise<Principal> {
    return this.principalOf(this.verifyAccess(token));
  }

  /** Signature, issuer, expiry and kind of an access token (remembered by token text); throws the documented 401s. */
  verifyAccess(token: string): TokenClaims {
    try {
      return this.signer.verifySync(token, 'access');
    } catch (err) {
      throw toAuthError(err);
    }
  }

  /** What the token cannot say about itself, looked up on every request: revocation and the user's token version. */
  async principalOf(claims: TokenClaims): Promise<Principal> {
    const [jti, sess, ver] = await this.store.getMany([
      revocationKeys.jti(claims.jti),
      claims.fam ? revocationKeys.session(claims.fam) : '',
      revocationKeys.userVersion(claims.sub),
    ]);
    if (jti !== null || sess !== null) throw AuthErrors.revokedToken();
    if (ver !== null && (claims.ver ?? 0) < ver) throw AuthErrors.revokedToken();
    return {
      kind: 'user',
      userId: claims.sub,
      tenantId: claims.tid,
      role: claims.role as Role,
      tokenJti: claims.jti,
      tokenExp: claims.exp,
      sessionId: claims.fam,
    };
  }

  /** Verifies any token kind, mapping failures to the documented 401s. */
  async verify(token: string, kind: 'access' | 'refresh' | 'mfa_pending'): Promise<TokenClaims> {
    try {
      return await this.signer.verify(token, kind);
    } catch (err) {
      throw toAuthError(err);
    }
  }

  /** Looks an API key up by its hash; expired and unknown keys are 401. */
  async fromApiKey(plaintext: string): Promise<Principal> {
    if (plaintext.length > 200) throw AuthErrors.invalidApiKey();
    // every ingest batch authenticates: a prepared statement rather than an ORM query
    const [key] = await this.db.query<{ id: string; tenant_id: string; scopes: Scope[]; expires_ms: number | null }>(
      'select id, tenant_id, scopes, (extract(epoch from expires_at) * 1000)::float8 as expires_ms from api_keys where key_hash = ?',
      [hashApiKey(plaintext)],
    );
    if (!key) throw AuthErrors.invalidApiKey();
    const now = Date.now();
    if (key.expires_ms !== null && key.expires_ms <= now) throw AuthErrors.expiredApiKey();
    if (now - (this.lastUsedWritten.get(key.id) ?? 0) > LAST_USED_WRITE_INTERVAL_MS) {
      this.lastUsedWritten.set(key.id, now);
      if (this.lastUsedWritten.size > 10_000) this.lastUsedWritten.clear();
      await this.db.em().nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: new Date(now) });
    }
    return { kind: 'apiKey', apiKeyId: key.id, tenantId: key.tenant_id, scopes: [...key.scopes] };
  }
}
