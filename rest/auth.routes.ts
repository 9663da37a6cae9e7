import { z } from 'zod';
import { AuthResolver } from '../resolvers/auth.resolver.js';
import type { AuthPayload, CurrentUser, MfaSetupPayload, MfaStatus } from '../schema/auth.type.js';
import { ROLES, type Role } from '../src/common/context.js';
import { iso, isoInstant, mapMessage, mapper, shape } from './mappers.js';
import { route } from './route.js';
import { v } from './validation.js';
import { USER_LIMITS } from '../src/users/user.rules.js';

const tag = 'Authentication';

const AuthTokenShape = shape(
  'AuthToken',
  z.object({
    access_token: z.string().meta({ description: 'with mfa_required: a short-lived pending token for POST /auth/mfa/verify' }),
    token_type: z.literal('bearer'),
    mfa_required: z.boolean(),
    expires_in: z.number().int().meta({ description: 'seconds until access_token expires' }),
    refresh_token: z.string().optional().meta({ description: 'absent while mfa_required (also set as an httpOnly cookie)' }),
  }),
);

export const CurrentUserShape = shape(
  'CurrentUser',
  z.object({
    id: z.uuid(),
    email: z.string(),
    full_name: z.string(),
    tenant_id: z.uuid(),
    role: z.enum(ROLES as [Role, ...Role[]]),
    is_active: z.boolean(),
    mfa_enabled: z.boolean(),
    onboarding_completed: z.boolean(),
    subscription_status: z.string(),
    subscription_tier: z.string(),
    created_at: isoInstant(),
  }),
);

const MfaSetupShape = shape(
  'MfaSetup',
  z.object({
    secret: z.string(),
    otpauth_url: z.string().meta({ description: 'otpauth:// provisioning URI (render as QR code)' }),
    provisioning_uri: z.string().meta({ description: 'same as otpauth_url' }),
    issuer: z.string(),
    account_name: z.string(),
  }),
);

const MfaStatusShape = shape('MfaStatus', z.object({ mfa_enabled: z.boolean(), detail: z.string() }));

/** {access_token, token_type, mfa_required} as documented, plus expires_in and refresh_token for non-browser clients. */
export const mapAuthPayload = mapper(AuthTokenShape, (p: AuthPayload) => ({
  access_token: p.accessToken,
  token_type: p.tokenType,
  mfa_required: p.mfaRequired,
  expires_in: p.expiresIn,
  ...(p.refreshToken ? { refresh_token: p.refreshToken } : {}),
}));

export const mapCurrentUser = mapper(CurrentUserShape, (u: CurrentUser) => ({
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
}));

const mapMfaSetup = mapper(MfaSetupShape, (s: MfaSetupPayload) => ({
  secret: s.secret,
  otpauth_url: s.otpauthUrl,
  provisioning_uri: s.otpauthUrl,
  issuer: s.issuer,
  account_name: s.accountName,
}));

const mapMfaEnabled = mapper(MfaStatusShape, (s: MfaStatus) => ({ mfa_enabled: s.mfaEnabled, detail: 'MFA enabled' }));
const mapMfaDisabled = mapper(MfaStatusShape, (s: MfaStatus) => ({ mfa_enabled: s.mfaEnabled, detail: 'MFA disabled' }));

const refreshBody = z.object({ refresh_token: z.string().max(4096).optional() });
/** needed only while MFA is on; the service reports a missing field as a 422 at its location */
const mfaReauthBody = z.object({ current_password: v.password().optional(), code: v.str(16, 1).optional() });

export const authRoutes = [
  route({
    method: 'POST', path: '/auth/register', tag, summary: 'Create a tenant and its first admin user',
    resolver: AuthResolver, operation: 'register', errors: [409], status: 201,
    body: z.object({ email: v.email(), password: v.password(), full_name: v.str(USER_LIMITS.name, 1), tenant_name: v.str(USER_LIMITS.name, 1) }),
    call: (r, ctx, { body }) => r.register(ctx, { email: body.email, password: body.password, fullName: body.full_name, tenantName: body.tenant_name }),
    map: mapAuthPayload,
  }),
  route({
    method: 'POST', path: '/auth/login', tag, summary: 'Email/password login',
    resolver: AuthResolver, operation: 'login', errors: [401],
    body: z.object({ email: v.str(320, 1), password: v.password() }),
    call: (r, ctx, { body }) => r.login(ctx, body),
    map: mapAuthPayload,
  }),
  route({
    method: 'POST', path: '/auth/refresh', tag, summary: 'Swap the refresh_token cookie (or body field) for a new token pair',
    resolver: AuthResolver, operation: 'refreshToken', errors: [401], body: refreshBody, bodyOptional: true,
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
    map: mapMessage,
  }),
  route({
    method: 'POST', path: '/auth/mfa/setup', tag, summary: 'Start TOTP enrolment (replacing an active factor needs current_password and code)',
    resolver: AuthResolver, operation: 'setupMfa', body: mfaReauthBody, bodyOptional: true,
    call: (r, ctx, { body }) => r.setupMfa(ctx, { currentPassword: body?.current_password ?? '', code: body?.code ?? '' }),
    map: mapMfaSetup,
  }),
  route({
    method: 'POST', path: '/auth/mfa/verify-setup', tag, summary: 'Confirm TOTP enrolment with a code',
    resolver: AuthResolver, operation: 'verifyMfaSetup', errors: [400],
    body: z.object({ code: v.str(16, 1) }),
    call: (r, ctx, { body }) => r.verifyMfaSetup(ctx, body),
    map: mapMfaEnabled,
  }),
  route({
    method: 'POST', path: '/auth/mfa/verify', tag, summary: 'Finish an MFA login with the pending token and a TOTP code',
    resolver: AuthResolver, operation: 'verifyMfa', errors: [401],
    body: z.object({ mfa_token: v.str(4096, 1).optional(), code: v.str(16, 1) }),
    call: (r, ctx, { body }) => r.verifyMfa(ctx, { mfaToken: body.mfa_token, code: body.code }),
    map: mapAuthPayload,
  }),
  route({
    method: 'POST', path: '/auth/mfa/disable', tag, summary: 'Turn MFA off with the password and a current TOTP code',
    resolver: AuthResolver, operation: 'disableMfa', errors: [400],
    body: z.object({ current_password: v.password(), code: v.str(16, 1) }),
    call: (r, ctx, { body }) => r.disableMfa(ctx, { currentPassword: body.current_password, code: body.code }),
    map: mapMfaDisabled,
  }),
];
