import type { Logger } from 'pino';

export type Role = 'admin' | 'operator' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];

export type Scope = 'ingest' | 'agent' | 'read:machines' | 'read:sensors';
export const SCOPES: readonly Scope[] = ['ingest', 'agent', 'read:machines', 'read:sensors'];

export type Principal =
  | { kind: 'user'; userId: string; tenantId: string; role: Role; tokenJti: string; tokenExp: number; sessionId?: string }
  | { kind: 'apiKey'; apiKeyId: string; tenantId: string; scopes: Scope[] };

/** What every service call receives first: who is acting, for which tenant, on which request. */
export interface RequestContext {
  requestId: string;
  principal?: Principal;
  /** why the presented credentials were refused; raised only when the operation needs a principal */
  authError?: Error;
  ip?: string;
  userAgent?: string;
  /** raw refresh-token cookie, when the request carried one */
  refreshCookie?: string;
  /** raw bearer token as presented (MFA verify accepts the pending token here) */
  bearerToken?: string;
  /** set by the auth service for the transport to emit (REST sets the cookie; GraphQL too when over HTTP) */
  setRefreshCookie?: (token: string | null, maxAgeSec?: number) => void;
  log: Logger;
}

/** The principal as a tenant-bound actor (for services that need the tenant). */
export function tenantOf(ctx: RequestContext): string {
  if (!ctx.principal) throw new Error('tenantOf called without a principal');
  return ctx.principal.tenantId;
}

export function userIdOf(ctx: RequestContext): string | null {
  return ctx.principal?.kind === 'user' ? ctx.principal.userId : null;
}
