import { z } from 'zod';
import { AuthResolver } from '../resolvers/auth.resolver.js';
import type { AuthPayload, CurrentUser, MfaSetupPayload } from '../schema/auth.type.js';
import { iso } from './mappers.js';
import { route } from './route.js';
import { v } from './validation.js';

const tag = 'Authentication';

/** {access_token, token_type, mfa_required} as documented, plus expires_in and refresh_token for non-browser clients. */
export const mapAuthPayload = (p: AuthPayload) => ({
  access_token: p.accessToken,
  token_type: p.tokenType,
  mfa_required: p.mfaRequired,
  expires_in: p.expiresIn,
  ...(p.refreshToken ? { refresh_token: p.refreshToken } : {}),
});

export const mapCurrentUser = (u: CurrentUser) => ({
  id: u.id,
  email: u.email,
  full_name: u.fullName,
  tenant_id: u.tenantId,
  role: u.role,
  is_active: u.isActive,
  mfa_enabled: u.mfaEnabled,
  onboarding_completed: u.onboardingCompleted,
  subscription_status: u.subscriptionStatus,
  subscription_tier: u.subscriptionTier,
  created_at: iso(u.createdAt),
});

const mapMfaSetup = (s: MfaSetupPayload) => ({
  secret: s.secret,
  otpauth_url: s.otpauthUrl,
  provisioning_uri: s.otpauthUrl,
  issuer: s.issuer,
  account_name: s.accountName,
});

const refreshBody = z.object({ refresh_token: z.string().max(4096).optional() });
/** needed only while MFA is on; the service reports a missing field as a 422 at its location */
const mfaReauthBody = z.object({ current_password: v.password().optional(), code: v.str(16, 1).optional() });

export const authRoutes = [
  route({
    method: 'POST', path: '/auth/register', tag, summary: 'Create a tenant and its first admin user',
    resolver: AuthResolver, operation: 'register', status: 201,
    body: z.object({ email: v.email(), password: v.password(), full_name: v.str(200, 1), tenant_name: v.str(200, 1) }),
    call: (r, ctx, { body }) => r.register(ctx, { email: body.email, password: body.password, fullName: body.full_name, tenantName: body.tenant_name }),
    map: mapAuthPayload,
  }),
  route({
    method: 'POST', path: '/auth/login', tag, summary: 'Email/password login',
    resolver: AuthResolver, operation: 'login',
    body: z.object({ email: v.str(320, 1), password: v.password() }),
    call: (r, ctx, { body }) => r.login(ctx, body),
    map: mapAuthPayload,
  }),
  route({
    method: 'POST', path: '/auth/refresh', tag, summary: 'Swap the refresh_token cookie (or body field) for a new token pair',
    resolver: AuthResolver, operation: 'refreshToken', body: refreshBody, bodyOptional: true,
    call: (r, ctx, { body }) => r.refreshToken(ctx, body?.refresh_token ?? null),
    map: mapAuthPayload,
  }),
  route({
    method: 'GET', path: '/auth/me', tag, summary: 'Current user profile',
    resolver: AuthResolver, operation: 'me',
    call: (r, ctx) => r.me(ctx),
    map: mapCurrentUser,
  }),
  route({
    method: 'POST', path: '/auth/logout', tag, summary: 'Revoke the current access token and refresh token',
    resolver: AuthResolver, operation: 'logout', body: refreshBody, bodyOptional: true,
    call: (r, ctx, { body }) => r.logout(ctx, body?.refresh_token ?? null),
    map: (m) => ({ detail: m.detail }),
  }),
  route({
    method: 'POST', path: '/auth/mfa/setup', tag, summary: 'Start TOTP enrolment (replacing an active factor needs current_password and code)',
    resolver: AuthResolver, operation: 'setupMfa', body: mfaReauthBody, bodyOptional: true,
    call: (r, ctx, { body }) => r.setupMfa(ctx, { currentPassword: body?.current_password ?? '', code: body?.code ?? '' }),
    map: mapMfaSetup,
  }),
  route({
    method: 'POST', path: '/auth/mfa/verify-setup', tag, summary: 'Confirm TOTP enrolment with a code',
    resolver: AuthResolver, operation: 'verifyMfaSetup',
    body: z.object({ code: v.str(16, 1) }),
    call: (r, ctx, { body }) => r.verifyMfaSetup(ctx, body),
    map: (s) => ({ mfa_enabled: s.mfaEnabled, detail: 'MFA enabled' }),
  }),
  route({
    method: 'POST', path: '/auth/mfa/verify', tag, summary: 'Finish an MFA login with the pending token and a TOTP code',
    resolver: AuthResolver, operation: 'verifyMfa',
    body: z.object({ mfa_token: v.str(4096, 1).optional(), code: v.str(16, 1) }),
    call: (r, ctx, { body }) => r.verifyMfa(ctx, { mfaToken: body.mfa_token ?? ctx.bearerToken ?? '', code: body.code }),
    map: mapAuthPayload,
  }),
  route({
    method: 'POST', path: '/auth/mfa/disable', tag, summary: 'Turn MFA off with the password and a current TOTP code',
    resolver: AuthResolver, operation: 'disableMfa',
    body: z.object({ current_password: v.password(), code: v.str(16, 1) }),
    call: (r, ctx, { body }) => r.disableMfa(ctx, { currentPassword: body.current_password, code: body.code }),
    map: (s) => ({ mfa_enabled: s.mfaEnabled, detail: 'MFA disabled' }),
  }),
];
