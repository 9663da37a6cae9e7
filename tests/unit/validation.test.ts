import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toIssues, v } from '../../rest/validation.js';
import { pageWindow } from '../../src/common/pagination.js';
import { DomainError } from '../../src/common/errors.js';

function issuesOf(schema: z.ZodType, input: unknown, where: 'body' | 'query' | 'path' = 'body') {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected a validation failure');
  return toIssues(where, r.error, input);
}

describe('toIssues maps zod failures to the reference {loc,msg,type} list', () => {
  const body = z.object({ email: v.str(320, 1), age: z.number().int().optional() });

  it('reports a missing field as type "missing"', () => {
    expect(issuesOf(body, {})).toEqual([{ loc: ['body', 'email'], msg: 'Field required', type: 'missing' }]);
  });

  it('reports a present value of the wrong type as <type>_type', () => {
    expect(issuesOf(body, { email: 5 })).toEqual([{ loc: ['body', 'email'], msg: 'Input should be a valid string', type: 'string_type' }]);
  });

  it('reports too long strings with the limit', () => {
    const [i] = issuesOf(body, { email: 'x'.repeat(321) });
    expect(i).toEqual({ loc: ['body', 'email'], msg: 'String should have at most 320 characters', type: 'string_too_long' });
  });

  it('reports a whole missing body at loc ["body"]', () => {
    expect(issuesOf(body, undefined)).toEqual([{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
  });

  it('parses query integers strictly', () => {
    const q = z.object({ page: v.qint({ min: 1, default: 1 }) });
    expect(q.parse({})).toEqual({ page: 1 });
    expect(q.parse({ page: '3' })).toEqual({ page: 3 });
    expect(issuesOf(q, { page: 'abc' }, 'query')[0]!.loc).toEqual(['query', 'page']);
    expect(issuesOf(q, { page: '0' }, 'query')[0]!.type).toBe('greater_than_equal');
  });

  it('accepts only UUIDs for ids and normalises case', () => {
    expect(v.uuid().parse('0A1B2C3D-0000-4000-8000-000000000000')).toBe('0a1b2c3d-0000-4000-8000-000000000000');
    expect(issuesOf(z.object({ id: v.uuid() }), { id: 'nope' }, 'path')[0]!.loc).toEqual(['path', 'id']);
  });

  it('accepts ISO instants with Z or offset, refuses ones without a zone', () => {
    expect(v.instant().parse('2026-04-04T10:30:00+02:00').toISOString()).toBe('2026-04-04T08:30:00.000Z');
    expect(v.instant().safeParse('2026-04-04T10:30:00').success).toBe(false);
    // no year 0 in PostgreSQL, and two-digit years come back from the driver as 19xx
    for (const s of ['0000-01-01T00:00:00Z', '0099-12-31T23:59:59Z', '0999-12-31T23:59:59Z', '9999-12-31T23:00:00-02:00']) {
      expect(issuesOf(z.object({ at: v.instant() }), { at: s })[0]).toMatchObject({ loc: ['body', 'at'], msg: 'Input should be a datetime between the years 1000 and 9999' });
    }
    expect(v.instant().parse('1000-01-01T00:00:00Z').toISOString()).toBe('1000-01-01T00:00:00.000Z');
    expect(v.instant().parse('9999-12-31T23:59:59Z').getUTCFullYear()).toBe(9999);
  });
});

describe('pageWindow', () => {
  it('defaults to page 1 of 20 and computes the offset', () => {
    expect(pageWindow({})).toEqual({ page: 1, pageSize: 20, offset: 0 });
    expect(pageWindow({ page: 3, pageSize: 50 })).toEqual({ page: 3, pageSize: 50, offset: 100 });
  });

  it('refuses a page size over 100 as a validation error on page_size', () => {
    try {
      pageWindow({ pageSize: 101 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).extra.issues?.[0]?.loc).toEqual(['page_size']);
    }
  });
});
