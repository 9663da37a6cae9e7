import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import { isValidDate } from '../common/local-time.js';
import type { DomainError } from '../common/errors.js';

/**
 * Checks both doors share for shift fields: GraphQL passes strings through unvalidated, so the
 * services check what the REST schemas check too (one rule, two doors).
 */
type Invalid = (field: string, msg: string, type?: string) => DomainError;

/** A one-line name (or, with `multiline`, free text): trimmed, 1..max characters, no control or bidi characters. */
export function textArg(value: unknown, field: string, max: number, fail: Invalid, multiline = false): string {
  if (typeof value !== 'string') throw fail(field, 'Input should be a valid string', 'string_type');
  const v = multiline ? value : value.trim();
  if (!v.trim()) throw fail(field, 'String should have at least 1 character', 'string_too_short');
  if (codePointLength(v) > max) throw fail(field, `String should have at most ${max} characters`, 'string_too_long');
  const unsafe = unsafeTextReason(v, multiline);
  if (unsafe) throw fail(field, `String ${unsafe}`);
  if (/\p{Cs}/u.test(v)) throw fail(field, 'String must be valid Unicode text');
  return v;
}

/** Free text that may be cleared: null and '' store null. */
export function optionalText(value: string | null | undefined, field: string, max: number, fail: Invalid): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  return textArg(value, field, max, fail, true);
}

/** Dates of shifts: real calendar dates from 1970 on (earlier ones are typing mistakes, and look-backs from them would leave the calendar). */
export function dateArg(value: unknown, field: string, fail: Invalid): string {
  if (typeof value !== 'string' || !isValidDate(value)) throw fail(field, 'Input should be a valid date (YYYY-MM-DD)', 'date_parsing');
  if (value < '1970-01-01' || value > '9999-11-30') throw fail(field, 'Input should be a date from 1970-01-01 to 9999-11-30');
  return value;
}

/** A write refused by a constraint becomes the module's error: 23505 unique, 23503 a row referenced or gone meanwhile. */
export async function constrained<R>(write: () => Promise<R>, on: { unique?: () => Error; foreignKey?: () => Error }): Promise<R> {
  try {
    return await write();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '23505' && on.unique) throw on.unique();
    if (code === '23503' && on.foreignKey) throw on.foreignKey();
    throw err;
  }
}

export function countArg(value: unknown, field: string, max: number, fail: Invalid): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw fail(field, 'Input should be a valid integer', 'int_type');
  if (value < 0) throw fail(field, 'Input should be greater than or equal to 0', 'greater_than_equal');
  if (value > max) throw fail(field, `Input should be less than or equal to ${max}`, 'less_than_equal');
  return value;
}

export function instantArg(value: unknown, field: string, fail: Invalid): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw fail(field, 'Input should be a valid datetime', 'datetime_parsing');
  return value;
}

export const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
