import type { AppConfig } from '../config/config.js';
import type { RequestContext } from '../common/context.js';
import { uniqueOrThrow } from '../common/persistence.js';
import type { Database } from '../infra/database.js';
import type { AuditService } from '../audit/audit.service.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { User } from '../users/user.entity.js';
import { normalizeEmail, validateEmail, validateName, validatePassword } from '../users/user.rules.js';
import { UserErrors } from '../users/user.errors.js';
import { AuthErrors } from './auth.errors.js';
import { revocationKeys, type Authenticator } from './authenticator.js';
import type { ExpiringStore } from './expiring-store.js';
import type { TokenSigner } from './jwt.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password.js';
import { RefreshSession } from './refresh-session.entity.js';
import { generateTotpSecret, matchTotpStep, totpProvisioningUri } from './totp.js';
import type { RateLimiter } from '../infra/rate-limiter.js';

export interface TokenPair {
  accessToken: string;
  tokenType: 'bearer';
  mfaRequired: boolean;
  /** seconds until the access token expires */
  expiresIn: number;
  /** also set as an HttpOnly cookie; returned in the body for non-browser clients */
  refreshToken: string | null;
}

export interface MfaSetup {
  secret: string;
  otpauthUrl: string;
  issuer: string;
  accountName: string;
}

const MFA_ISSUER = 'Haltfree';
const CODE_PATTERN = /^\d{6}$/;

/** What a user with an active second factor presents to replace or remove it. */
export interface MfaReauth {
  currentPassword?: string | null;
  code?: string | null;
}

/** Registration, login (with TOTP second factor), token refresh with rotation, logout. */
export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly config: AppConfig,
    private readonly signer: TokenSigner,
    private readonly authenticator: Authenticator,
    private readonly store: ExpiringStore,
    private readonly limiter: RateLimiter,
    private readonly audit: AuditService,
  ) {}

  /** Creates a tenant with its first admin and signs that admin in. */
  async register(
    ctx: RequestContext,
    input: { email: string; password: string; fullName: string; tenantName: string },
  ): Promise<TokenPair> {
    const email = validateEmail(input.email);
    validatePassword(input.password);
    const fullName = validateName('full_name', input.fullName);
    const tenantName = validateName('tenant_name', input.tenantName);
    const passwordHash = await hashPassword(input.password);
    const em = this.db.em();
    const tenant = em.create(Tenant, { name: tenantName, plan: this.config.rateLimit.defaultPlan } as Tenant);
    const user = em.create(User, {
      tenantId: tenant.id,
      email,
      passwordHash,
      fullName,
      role: 'admin',
      onboardingCompleted: false,
    } as User);
    const actor: RequestContext = {
      ...ctx,
      principal: { kind: 'user', userId: user.id, tenantId: tenant.id, role: 'admin', tokenJti: '', tokenExp: 0 },
    };
    const ev = this.audit.stage(em, actor, {
      action: 'register',
      resourceType: 'tenant',
      resourceId: tenant.id,
      details: { tenant_name: tenantName, email },
    });
    await uniqueOrThrow(() => em.flush(), AuthErrors.emailTaken);
    await this.audit.announce([ev]);
    return this.startSession(ctx, user);
  }

  /** Password login; returns a pending MFA token instead of a session when the user has MFA on. */
  async login(ctx: RequestContext, input: { email: string; password: string }): Promise<TokenPair> {
    const email = normalizeEmail(input.email);
    await this.assertNotLocked(ctx, email);
    const em = this.db.em();
    const user = email ? await em.findOne(User, { email }) : null;
    const ok = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
    if (!user || !ok) {
      await this.recordFailure(ctx, email, user, 'bad_credentials');
      throw AuthErrors.invalidCredentials();
    }
    if (!user.isActive) {
      await this.recordFailure(ctx, email, user, 'inactive');
      throw AuthErrors.inactiveUser();
    }
    if (user.mfaEnabled) {
      const pending = await this.signer.sign('mfa_pending', { sub: user.id, tid: user.tenantId, role: user.role });
      return { accessToken: pending.token, tokenType: 'bearer', mfaRequired: true, expiresIn: this.config.jwt.mfaPendingTtlSec, refreshToken: null };
    }
    return this.completeLogin(ctx, user, 'password');
  }

  /**
   * Second step of an MFA login: the pending token and a current TOTP code. The token is taken from
   * the input, else from the Authorization header (`ctx.bearerToken`, set on every HTTP door), since
   * login hands it out as an access token and clients send it the way they send those.
   */
  async verifyMfa(ctx: RequestContext, input: { mfaToken?: string | null; code: string }): Promise<TokenPair> {
    const token = input.mfaToken || ctx.bearerToken;
    if (!token) throw AuthErrors.invalidToken();
    const claims = await this.authenticator.verify(token, 'mfa_pending');
    // A pending token is single-use: refuse one that already completed a login.
    const [used] = await this.store.getMany([revocationKeys.jti(claims.jti)]);
    if (used !== null) throw AuthErrors.revokedToken();
    const em = this.db.em();
    const user = await em.findOne(User, { id: claims.sub });
    if (!user || !user.mfaEnabled || !user.mfaSecret) throw AuthErrors.invalidToken();
    await this.assertNotLocked(ctx, user.email);
    if (!user.isActive) throw AuthErrors.inactiveUser();
    if (!CODE_PATTERN.test(input.code)) throw AuthErrors.mfaCodeFormat();
    const step = matchTotpStep(user.mfaSecret, input.code);
    if (step === null) {
      await this.recordFailure(ctx, user.email, user, 'bad_mfa_code');
      throw AuthErrors.invalidMfaCode();
    }
    // A pending token and a TOTP code are single-use; claiming them atomically closes the race
    // between two concurrent verifications.
    const ttl = Math.max(1, claims.exp - Math.floor(Date.now() / 1000));
    if (!(await this.store.setIfAbsent(revocationKeys.jti(claims.jti), 1, ttl))) throw AuthErrors.revokedToken();
    if (!(await this.claimTotpStep(user, step))) throw AuthErrors.invalidMfaCode();
    return this.completeLogin(ctx, user, 'mfa');
  }

  /** Swaps a refresh token for a new pair; a token used twice revokes its whole session. */
  async refresh(ctx: RequestContext, input: { refreshToken?: string | null }): Promise<TokenPair> {
    const token = input.refreshToken || ctx.refreshCookie;
    if (!token) throw AuthErrors.missingRefresh();
    const claims = await this.authenticator.verify(token, 'refresh');
    if (!claims.fam) throw AuthErrors.invalidToken();
    const em = this.db.em();
    const session = await em.findOne(RefreshSession, { id: claims.fam });
    if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) {
      ctx.setRefreshCookie?.(null);
      throw AuthErrors.revokedToken();
    }
    const user = await em.findOne(User, { id: session.userId });
    if (!user || !user.isActive) throw AuthErrors.inactiveUser();
    if ((claims.ver ?? 0) < user.tokenVersion) throw AuthErrors.revokedToken();
    const next = await this.signer.sign('refresh', { sub: user.id, tid: user.tenantId, role: user.role, fam: session.id, ver: user.tokenVersion });
    // Compare-and-swap so two concurrent uses of one token cannot both win.
    const swapped = await em.nativeUpdate(
      RefreshSession,
      { id: session.id, currentJti: claims.jti, revokedAt: null },
      { currentJti: next.jti, updatedAt: new Date() },
    );
    if (swapped !== 1) {
      await this.revokeSession(session.id);
      ctx.setRefreshCookie?.(null);
      throw AuthErrors.refreshReuse();
    }
    const access = await this.signer.sign('access', { sub: user.id, tid: user.tenantId, role: user.role, fam: session.id, ver: user.tokenVersion });
    ctx.setRefreshCookie?.(next.token, this.config.jwt.refreshTtlSec);
    return { accessToken: access.token, tokenType: 'bearer', mfaRequired: false, expiresIn: this.config.jwt.accessTtlSec, refreshToken: next.token };
  }

  /** Revokes the calling access token and its refresh session at once. */
  async logout(ctx: RequestContext, input: { refreshToken?: string | null }): Promise<{ detail: string }> {
    const p = ctx.principal;
    if (!p || p.kind !== 'user') throw AuthErrors.invalidToken();
    const ttl = Math.max(1, p.tokenExp - Math.floor(Date.now() / 1000));
    await this.store.set(revocationKeys.jti(p.tokenJti), 1, ttl);
    const sessions = new Set<string>();
    if (p.sessionId) sessions.add(p.sessionId);
    const presented = input.refreshToken || ctx.refreshCookie;
    if (presented) {
      const claims = await this.authenticator.verify(presented, 'refresh').catch(() => null);
      if (claims?.fam && claims.sub === p.userId) sessions.add(claims.fam);
    }
    for (const id of sessions) await this.revokeSession(id);
    ctx.setRefreshCookie?.(null);
    await this.audit.record(ctx, { action: 'logout', resourceType: 'user', resourceId: p.userId });
    return { detail: 'Successfully logged out' };
  }

  /**
   * Starts TOTP enrolment: a new secret to scan; MFA is on (or switched to it) only after
   * verifySetup. Replacing an active factor needs the password and a current code, so a stolen
   * access token alone cannot move the second factor to an attacker's app.
   */
  async mfaSetup(ctx: RequestContext, reauth: MfaReauth = {}): Promise<MfaSetup> {
    const em = this.db.em();
    const user = await this.currentUser(ctx, em);
    if (user.mfaEnabled) await this.reauthenticate(ctx, user, reauth);
    const secret = generateTotpSecret();
    await em.nativeUpdate(User, { id: user.id }, { mfaPendingSecret: secret });
    return { secret, otpauthUrl: totpProvisioningUri({ secret, accountName: user.email, issuer: MFA_ISSUER }), issuer: MFA_ISSUER, accountName: user.email };
  }

  /** Confirms TOTP enrolment (or a replacement) with a code from the authenticator app. */
  async mfaVerifySetup(ctx: RequestContext, input: { code: string }): Promise<{ mfaEnabled: boolean }> {
    if (!CODE_PATTERN.test(input.code)) throw AuthErrors.mfaCodeFormat();
    const em = this.db.em();
    const user = await this.currentUser(ctx, em);
    const pending = user.mfaPendingSecret;
    if (!pending) throw AuthErrors.mfaSetupNotStarted();
    const step = matchTotpStep(pending, input.code);
    if (step === null) throw AuthErrors.mfaCodeIncorrect();
    const replaced = user.mfaEnabled;
    // Conditional on the pending secret so two concurrent confirmations promote it once; the code
    // that confirmed it becomes the last used step, so it cannot also complete a login.
    const ev = await em.transactional(async (tem) => {
      const promoted = await tem.nativeUpdate(
        User,
        { id: user.id, mfaPendingSecret: pending },
        { mfaSecret: pending, mfaPendingSecret: null, mfaEnabled: true, mfaLastStep: step },
      );
      if (promoted !== 1) throw AuthErrors.mfaCodeIncorrect();
      const staged = this.audit.stage(tem, ctx, { action: 'mfa_enabled', resourceType: 'user', resourceId: user.id, details: replaced ? { replaced: true } : {} });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    return { mfaEnabled: true };
  }

  /** Turns the second factor off; needs the password and a current code. */
  async mfaDisable(ctx: RequestContext, reauth: MfaReauth): Promise<{ mfaEnabled: boolean }> {
    const em = this.db.em();
    const user = await this.currentUser(ctx, em);
    if (!user.mfaEnabled) throw AuthErrors.mfaNotEnabled();
    await this.reauthenticate(ctx, user, reauth);
    const ev = await em.transactional(async (tem) => {
      await tem.nativeUpdate(User, { id: user.id }, { mfaEnabled: false, mfaSecret: null, mfaPendingSecret: null, mfaLastStep: null });
      const staged = this.audit.stage(tem, ctx, { action: 'mfa_disabled', resourceType: 'user', resourceId: user.id });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    return { mfaEnabled: false };
  }

  /** The signed-in user with tenant subscription info. */
  async me(ctx: RequestContext): Promise<{ user: User; tenant: Tenant }> {
    const em = this.db.em();
    const user = await this.currentUser(ctx, em);
    const tenant = await em.findOneOrFail(Tenant, { id: user.tenantId });
    return { user, tenant };
  }

  /**
   * The caller re-enters their password for an act that needs it (an electronic sign-off). The
   * login throttle applies: refused (429) while the account or address is locked out, and a wrong
   * password counts towards that lock-out like a failed login. Returns the user (as stored now), or
   * null when the password is wrong; the caller audits its own failure.
   */
  async confirmPassword(ctx: RequestContext, password: string): Promise<User | null> {
    const user = await this.currentUser(ctx);
    await this.assertNotLocked(ctx, user.email);
    if (await verifyPassword(user.passwordHash, password)) return user;
    await this.countFailure(ctx, user.email);
    return null;
  }

  private async currentUser(ctx: RequestContext, em = this.db.em()): Promise<User> {
    const p = ctx.principal;
    if (!p || p.kind !== 'user') throw AuthErrors.invalidToken();
    const user = await em.findOne(User, { id: p.userId, tenantId: p.tenantId });
    if (!user || !user.isActive) throw AuthErrors.inactiveUser();
    return user;
  }

  /**
   * Password and a fresh TOTP code of the active factor. Failures count towards the same lock-out
   * as logins, so a stolen access token cannot be used to guess the password or the code.
   */
  private async reauthenticate(ctx: RequestContext, user: User, reauth: MfaReauth): Promise<void> {
    const { currentPassword, code } = reauth;
    if (!currentPassword) throw AuthErrors.mfaReauthRequired('current_password');
    if (!code) throw AuthErrors.mfaReauthRequired('code');
    if (!CODE_PATTERN.test(code)) throw AuthErrors.mfaCodeFormat();
    await this.assertNotLocked(ctx, user.email);
    if (!(await verifyPassword(user.passwordHash, currentPassword))) {
      await this.recordFailure(ctx, user.email, user, 'mfa_change_bad_password');
      throw UserErrors.currentPasswordIncorrect();
    }
    const step = user.mfaSecret ? matchTotpStep(user.mfaSecret, code) : null;
    if (step === null || !(await this.claimTotpStep(user, step))) {
      await this.recordFailure(ctx, user.email, user, 'mfa_change_bad_code');
      throw AuthErrors.mfaCodeIncorrect();
    }
  }

  /**
   * Accepts a TOTP step once: it must be newer than the last accepted one. One conditional update
   * on the user row, so concurrent uses on any number of instances let exactly one through.
   */
  private async claimTotpStep(user: User, step: number): Promise<boolean> {
    const claimed = await this.db.em().nativeUpdate(
      User,
      { id: user.id, mfaSecret: user.mfaSecret, $or: [{ mfaLastStep: null }, { mfaLastStep: { $lt: step } }] },
      { mfaLastStep: step },
    );
    return claimed === 1;
  }

  private async completeLogin(ctx: RequestContext, user: User, method: 'password' | 'mfa'): Promise<TokenPair> {
    const em = this.db.em();
    await em.nativeUpdate(User, { id: user.id }, { lastLoginAt: new Date() });
    const pair = await this.startSession(ctx, user);
    await this.audit.record(ctx, {
      tenantId: user.tenantId,
      userId: user.id,
      action: 'login_success',
      resourceType: 'user',
      resourceId: user.id,
      details: { email: user.email, method },
    });
    return pair;
  }

  private async startSession(ctx: RequestContext, user: User): Promise<TokenPair> {
    const em = this.db.em();
    const session = new RefreshSession();
    const claims = { sub: user.id, tid: user.tenantId, role: user.role, fam: session.id, ver: user.tokenVersion };
    const refresh = await this.signer.sign('refresh', claims);
    session.userId = user.id;
    session.tenantId = user.tenantId;
    session.currentJti = refresh.jti;
    session.expiresAt = new Date(refresh.exp * 1000);
    session.ipAddress = ctx.ip?.slice(0, 64) ?? null;
    await em.persist(session).flush();
    const access = await this.signer.sign('access', claims);
    ctx.setRefreshCookie?.(refresh.token, this.config.jwt.refreshTtlSec);
    return { accessToken: access.token, tokenType: 'bearer', mfaRequired: false, expiresIn: this.config.jwt.accessTtlSec, refreshToken: refresh.token };
  }

  private async revokeSession(sessionId: string): Promise<void> {
    await this.db.em().nativeUpdate(RefreshSession, { id: sessionId, revokedAt: null }, { revokedAt: new Date() });
    await this.store.set(revocationKeys.session(sessionId), 1, this.config.jwt.accessTtlSec);
  }

  private lockKeys(ctx: RequestContext, email: string) {
    return { account: `login:acct:${email}`, address: `login:ip:${ctx.ip ?? 'unknown'}` };
  }

  private async assertNotLocked(ctx: RequestContext, email: string): Promise<void> {
    const k = this.lockKeys(ctx, email);
    const [acct, addr] = await this.store.getMany([`lock:${k.account}`, `lock:${k.address}`]);
    const until = Math.max(acct ?? 0, addr ?? 0);
    const now = Math.floor(Date.now() / 1000);
    if (until > now) throw AuthErrors.locked(until - now);
  }

  /** Counts a failure per account and per address; past the limit the pair is locked for a while. */
  private async countFailure(ctx: RequestContext, email: string): Promise<void> {
    const { maxFailures, lockSec } = this.config.login;
    const k = this.lockKeys(ctx, email);
    const limits: [string, number][] = [[k.account, maxFailures], [k.address, maxFailures * 4]];
    for (const [key, limit] of limits) {
      const r = await this.limiter.consume(key, limit, lockSec);
      if (!r.allowed || r.remaining === 0) {
        await this.store.set(`lock:${key}`, Math.floor(Date.now() / 1000) + lockSec, lockSec);
      }
    }
  }

  /** Counts the failure (countFailure) and audits it as a failed login. */
  private async recordFailure(ctx: RequestContext, email: string, user: User | null, reason: string): Promise<void> {
    await this.countFailure(ctx, email);
    if (user) {
      await this.audit.record(ctx, {
        tenantId: user.tenantId,
        userId: user.id,
        action: 'login_failure',
        resourceType: 'user',
        resourceId: user.id,
        details: { email, reason },
      });
    } else {
      ctx.log.info({ email, reason }, 'login failure for unknown account');
    }
  }
}
