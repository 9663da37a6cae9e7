import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Allow, enforce, policies, policyOf, type AccessPolicy } from '../../src/auth/access.js';
import type { Principal, RequestContext, Role, Scope } from '../../src/common/context.js';
import { DomainError, ErrorCode, httpStatusOf } from '../../src/common/errors.js';

const log = pino({ level: 'silent' });

function ctxOf(principal?: Principal, authError?: Error): RequestContext {
  return { requestId: 'r1', principal, authError, log };
}
const user = (role: Role): Principal => ({ kind: 'user', userId: 'u1', tenantId: 't1', role, tokenJti: 'j1', tokenExp: 0 });
const key = (...scopes: Scope[]): Principal => ({ kind: 'apiKey', apiKeyId: 'k1', tenantId: 't1', scopes });

/** Runs enforce and returns the DomainError it threw (or null when allowed). */
function outcome(policy: AccessPolicy, ctx: RequestContext): DomainError | null {
  try {
    enforce(policy, ctx);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
}

describe('enforce(): who may call an operation', () => {
  it('public operations need no principal', () => {
    expect(outcome(policies.public, ctxOf())).toBeNull();
    expect(outcome(policies.public, ctxOf(undefined, new DomainError(ErrorCode.UNAUTHENTICATED, 'Token has expired')))).toBeNull();
  });

  it('no principal: 401, and the reason the credentials were refused wins over the generic message', () => {
    const anon = outcome(policies.anyRole(), ctxOf());
    expect(anon?.code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(httpStatusOf(anon!.code)).toBe(401);
    expect(anon?.message).toBe('Not authenticated');

    const expired = new DomainError(ErrorCode.UNAUTHENTICATED, 'Token has expired');
    expect(outcome(policies.admin(), ctxOf(undefined, expired))).toBe(expired);
    expect(outcome(policies.apiKey('ingest'), ctxOf())?.code).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('role policies: admin-only, writers and any role', () => {
    const cases: [AccessPolicy, Role, boolean][] = [
      [policies.admin(), 'admin', true],
      [policies.admin(), 'operator', false],
      [policies.admin(), 'viewer', false],
      [policies.writers(), 'admin', true],
      [policies.writers(), 'operator', true],
      [policies.writers(), 'viewer', false],
      [policies.anyRole(), 'admin', true],
      [policies.anyRole(), 'operator', true],
      [policies.anyRole(), 'viewer', true],
    ];
    for (const [policy, role, allowed] of cases) {
      const err = outcome(policy, ctxOf(user(role)));
      if (allowed) expect(err, `${role} on ${JSON.stringify(policy)}`).toBeNull();
      else {
        expect(err?.code, `${role} on ${JSON.stringify(policy)}`).toBe(ErrorCode.FORBIDDEN);
        expect(httpStatusOf(err!.code)).toBe(403);
        expect(err?.message).toBe('Forbidden (insufficient role)');
      }
    }
  });

  it('an API key within its scopes passes a scoped user policy', () => {
    expect(outcome(policies.anyRole('read:machines'), ctxOf(key('read:machines', 'read:sensors')))).toBeNull();
    expect(outcome(policies.writers('read:sensors'), ctxOf(key('read:sensors')))).toBeNull();
    // users are judged by role only; the scope is for keys
    expect(outcome(policies.anyRole('read:machines'), ctxOf(user('viewer')))).toBeNull();
    expect(outcome(policies.writers('read:machines'), ctxOf(user('viewer')))?.code).toBe(ErrorCode.FORBIDDEN);
  });

  it('an API key outside its scopes gets the documented 403 text', () => {
    const err = outcome(policies.anyRole('read:machines'), ctxOf(key('ingest', 'agent')));
    expect(err?.code).toBe(ErrorCode.FORBIDDEN);
    expect(httpStatusOf(err!.code)).toBe(403);
    expect(err?.message).toBe('API key does not have the required scope: read:machines');

    const sensors = outcome(policies.anyRole('read:sensors'), ctxOf(key('read:machines')));
    expect(sensors?.message).toBe('API key does not have the required scope: read:sensors');
  });

  it('an API key on a user-only operation (no scope) is 403', () => {
    for (const policy of [policies.anyRole(), policies.admin(), policies.writers()]) {
      const err = outcome(policy, ctxOf(key('ingest', 'agent', 'read:machines', 'read:sensors')));
      expect(err?.code).toBe(ErrorCode.FORBIDDEN);
      expect(err?.message).toBe('This endpoint requires a user token; API keys are not accepted');
    }
  });

  it('API-key-only operations: the scope is required and users are refused', () => {
    expect(outcome(policies.apiKey('ingest'), ctxOf(key('ingest')))).toBeNull();
    expect(outcome(policies.apiKey('agent'), ctxOf(key('ingest')))?.message).toBe('API key does not have the required scope: agent');
    const byUser = outcome(policies.apiKey('ingest'), ctxOf(user('admin')));
    expect(byUser?.code).toBe(ErrorCode.FORBIDDEN);
    expect(byUser?.message).toMatch(/requires an API key/);
  });
});

describe('@Allow: the policy is recorded and enforced on every call', () => {
  class Sample {
    calls = 0;
    @Allow(policies.anyRole('read:sensors'))
    readings(ctx: RequestContext, n: number): number {
      this.calls++;
      return n * 2;
    }
  }

  it('records the policy for the router and wraps the method', () => {
    expect(policyOf(Sample, 'readings')).toEqual({ kind: 'user', roles: ['admin', 'operator', 'viewer'], scope: 'read:sensors' });
    expect(policyOf(Sample, 'missing')).toBeUndefined();
    const s = new Sample();
    expect(s.readings.name).toBe('readings');
    expect(s.readings(ctxOf(key('read:sensors')), 21)).toBe(42);
    expect(() => s.readings(ctxOf(key('ingest')), 1)).toThrow('API key does not have the required scope: read:sensors');
    expect(() => s.readings(ctxOf(), 1)).toThrow('Not authenticated');
    expect(s.calls).toBe(1);
  });
});
