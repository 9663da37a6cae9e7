import { invalid } from '../common/errors.js';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';

/** Field limits of a user, in characters (code points); REST, GraphQL and these rules read them here. */
export const USER_LIMITS = {
  /** full names, and every display name that goes through validateName (tenant, API key, group) */
  name: 200,
  email: 320,
} as const;

// Pragmatic address check: one @, no spaces, a dotted domain; full RFC 5322 is neither needed nor wanted.
const EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** Lower-cased, trimmed e-mail (the identity used for login). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Validates and normalizes an e-mail address. */
export function validateEmail(email: string, field = 'email'): string {
  const e = normalizeEmail(email);
  if (codePointLength(e) > USER_LIMITS.email || !EMAIL_RE.test(e) || unsafeTextReason(e)) {
    throw invalid(field, 'value is not a valid email address', 'value_error');
  }
  return e;
}

/** Password policy: 8-128 characters with upper case, lower case and a digit. */
export function validatePassword(password: string, field = 'password'): void {
  if (password.length < 8) throw invalid(field, 'String should have at least 8 characters', 'string_too_short');
  if (password.length > 128) throw invalid(field, 'String should have at most 128 characters', 'string_too_long');
  if (!/[a-z]/.test(password) || !/[A-Z]/.test(password) || !/\d/.test(password)) {
    throw invalid(field, 'Password must contain an upper-case letter, a lower-case letter and a digit', 'value_error');
  }
}

/** A display name: trimmed, 1-200 characters, no control or bidi override characters (text-rules.ts). */
export function validateName(field: string, value: string, max: number = USER_LIMITS.name): string {
  const v = value.trim();
  if (v.length === 0) throw invalid(field, 'String should have at least 1 character', 'string_too_short');
  if (codePointLength(v) > max) throw invalid(field, `String should have at most ${max} characters`, 'string_too_long');
  const unsafe = unsafeTextReason(v);
  if (unsafe) throw invalid(field, `String ${unsafe}`, 'value_error');
  // a lone surrogate cannot be stored as UTF-8 (PostgreSQL's jsonb refuses its escape: a 500)
  if (/\p{Cs}/u.test(v)) throw invalid(field, 'String must be valid Unicode text', 'value_error');
  return v;
}
