import type { RequestContext, Role, Scope } from '../common/context.js';
import { DomainError, ErrorCode } from '../common/errors.js';

/**
 * Who may call an operation. Declared once on the resolver method and enforced for both doors,
 * because REST rows call the same (wrapped) method.
 */
export type AccessPolicy =
  | { kind: 'public' }
  /** a signed-in user with one of these roles; with `scope`, an API key holding that scope as well */
  | { kind: 'user'; roles: readonly Role[]; scope?: Scope }
  /** API keys only (edge agents) */
  | { kind: 'apiKey'; scope: Scope };

export const ANY_ROLE: readonly Role[] = ['admin', 'operator', 'viewer'];
export const WRITERS: readonly Role[] = ['admin', 'operator'];
export const ADMIN: readonly Role[] = ['admin'];

export const policies = {
  public: { kind: 'public' } as AccessPolicy,
  anyRole: (scope?: Scope): AccessPolicy => ({ kind: 'user', roles: ANY_ROLE, scope }),
  writers: (scope?: Scope): AccessPolicy => ({ kind: 'user', roles: WRITERS, scope }),
  admin: (): AccessPolicy => ({ kind: 'user', roles: ADMIN }),
  apiKey: (scope: Scope): AccessPolicy => ({ kind: 'apiKey', scope }),
};

const registry = new WeakMap<object, Map<string, AccessPolicy>>();

/** Reads the policy declared on a resolver method (used by the REST router and OpenAPI). */
export function policyOf(resolverClass: abstract new (...a: never[]) => unknown, method: string): AccessPolicy | undefined {
  return registry.get(resolverClass.prototype as object)?.get(method);
}

/** Throws the documented 401/403 when ctx may not call an operation with this policy. */
export function enforce(policy: AccessPolicy, ctx: RequestContext): void {
  if (policy.kind === 'public') return;
  const p = ctx.principal;
  if (!p) throw ctx.authError ?? new DomainError(ErrorCode.UNAUTHENTICATED, 'Not authenticated');
  if (policy.kind === 'apiKey') {
    if (p.kind !== 'apiKey') throw new DomainError(ErrorCode.FORBIDDEN, 'This endpoint requires an API key (X-API-Key)', { reason: 'API_KEY_REQUIRED' });
    if (!p.scopes.includes(policy.scope)) throw scopeError(policy.scope);
    return;
  }
  if (p.kind === 'apiKey') {
    if (!policy.scope) throw new DomainError(ErrorCode.FORBIDDEN, 'This endpoint requires a user token; API keys are not accepted', { reason: 'USER_TOKEN_REQUIRED' });
    if (!p.scopes.includes(policy.scope)) throw scopeError(policy.scope);
    return;
  }
  if (!policy.roles.includes(p.role)) throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden (insufficient role)', { reason: 'INSUFFICIENT_ROLE' });
}

function scopeError(scope: Scope): DomainError {
  return new DomainError(ErrorCode.FORBIDDEN, `API key does not have the required scope: ${scope}`, { reason: 'MISSING_SCOPE' });
}

/**
 * Method decorator: records the policy and wraps the method so it is enforced on every call.
 * Convention: the method's first parameter is the RequestContext.
 */
export function Allow(policy: AccessPolicy): MethodDecorator {
  return (target, key, descriptor: PropertyDescriptor) => {
    const proto = target as object;
    let map = registry.get(proto);
    if (!map) registry.set(proto, (map = new Map()));
    map.set(String(key), policy);
    const original = descriptor.value as (ctx: RequestContext, ...rest: unknown[]) => unknown;
    descriptor.value = function guarded(this: unknown, ctx: RequestContext, ...rest: unknown[]) {
      enforce(policy, ctx);
      return original.apply(this, [ctx, ...rest]);
    };
    // keep the name so stack traces and metadata lookups stay readable
    Object.defineProperty(descriptor.value, 'name', { value: original.name });
    return descriptor;
  };
}
