import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_CODES_BY_MODULE } from '../../src/app/error-codes.js';
import { DomainError, ErrorCode, httpStatusOf } from '../../src/common/errors.js';
import { graphqlCodeOf } from '../../resolvers/graphql-errors.js';
import { ApiKeyErrors } from '../../src/api-keys/api-key.errors.js';
import { AuthErrors } from '../../src/auth/auth.errors.js';
import { MachineGroupErrors } from '../../src/machine-groups/machine-group.errors.js';
import { MachineErrors } from '../../src/machines/machine.errors.js';
import { ReadingErrors } from '../../src/readings/reading.errors.js';
import { UserErrors } from '../../src/users/user.errors.js';
import { parentMove } from '../../src/machine-groups/machine-group.rules.js';
import { chooseScopes } from '../../src/api-keys/api-key.service.js';

const FACTORIES = { ApiKeyErrors, AuthErrors, MachineGroupErrors, MachineErrors, ReadingErrors, UserErrors };

describe('module error codes', () => {
  it('every transport class has a REST status and a GraphQL code, 402 included', () => {
    for (const cls of Object.values(ErrorCode)) {
      expect(httpStatusOf(cls), cls).toBeGreaterThanOrEqual(400);
      expect(graphqlCodeOf(cls), cls).toMatch(/^[A-Z_]+$/);
    }
    expect(httpStatusOf(ErrorCode.PAYMENT_REQUIRED)).toBe(402);
    expect(graphqlCodeOf(ErrorCode.PAYMENT_REQUIRED)).toBe('PAYMENT_REQUIRED');
  });

  it('every module code maps to a transport class with a REST status, and no code is declared twice', () => {
    const all = Object.values(ERROR_CODES_BY_MODULE).flatMap((t) => Object.keys(t));
    expect(new Set(all).size).toBe(all.length);
    expect(Object.keys(ERROR_CODES).sort()).toEqual([...all].sort());
    for (const [code, cls] of Object.entries(ERROR_CODES)) {
      expect(Object.values(ErrorCode), code).toContain(cls);
      expect(httpStatusOf(cls), code).toBeGreaterThanOrEqual(400);
    }
    expect(ERROR_CODES).toMatchObject({
      MACHINE_NOT_FOUND: ErrorCode.NOT_FOUND,
      DUPLICATE_MACHINE_IDENTIFIER: ErrorCode.CONFLICT,
      GROUP_CYCLE: ErrorCode.VALIDATION,
      GROUP_HAS_CHILDREN: ErrorCode.CONFLICT,
      API_KEY_NOT_FOUND: ErrorCode.NOT_FOUND,
      INVALID_CREDENTIALS: ErrorCode.UNAUTHENTICATED,
      MFA_NOT_ENABLED: ErrorCode.BAD_REQUEST,
    });
  });

  it("each module's constructors raise a code of the table with the table's class", () => {
    for (const [module, factories] of Object.entries(FACTORIES)) {
      for (const [name, make] of Object.entries(factories)) {
        // an array serves every parameter kind (ids, field paths, messages, counts)
        const err = (make as (...a: unknown[]) => DomainError)(['x'], 'x', 'x');
        expect(err, `${module}.${name}`).toBeInstanceOf(DomainError);
        expect(ERROR_CODES[err.reason as keyof typeof ERROR_CODES], `${module}.${name} -> ${err.reason}`).toBe(err.code);
      }
    }
  });

  it('an error built without a module code gets its class common code; relocated issues keep the code', () => {
    expect(new DomainError(ErrorCode.FORBIDDEN, 'no').reason).toBe('FORBIDDEN');
    const cycle = MachineGroupErrors.cycle();
    const moved = cycle.withIssues([{ loc: ['body', 'parent_id'], msg: 'm', type: 'value_error' }]);
    expect(moved.reason).toBe('GROUP_CYCLE');
    expect(moved.extra.issues![0]!.loc).toEqual(['body', 'parent_id']);
  });
});

describe('rules shared by both doors', () => {
  it('parentMove: null or moveToRoot goes to the top, an id moves, nothing keeps, both is ambiguous', () => {
    expect(parentMove({})).toEqual({ kind: 'keep' });
    expect(parentMove({ parentId: null })).toEqual({ kind: 'root' });
    expect(parentMove({ moveToRoot: true })).toEqual({ kind: 'root' });
    expect(parentMove({ moveToRoot: false, parentId: 'p' })).toEqual({ kind: 'under', parentId: 'p' });
    expect(parentMove({ moveToRoot: true, parentId: 'p' })).toBe('ambiguous');
  });

  it('chooseScopes: preset, string or list scopes, default; both is refused', () => {
    expect(chooseScopes({})).toEqual(['ingest', 'agent']);
    expect(chooseScopes({ preset: 'read_only' })).toEqual(['read:machines', 'read:sensors']);
    expect(chooseScopes({ scopes: 'edge_agent' })).toEqual(['ingest', 'agent']);
    expect(chooseScopes({ scopes: ['read:sensors'] })).toEqual(['read:sensors']);
    expect(() => chooseScopes({ preset: 'read_only', scopes: ['ingest'] })).toThrow(/either scopes or preset/);
  });
});
