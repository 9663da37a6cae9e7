/**
 * What a name or identifier may contain, shared by every field that one person types and another
 * reads (machine, group, user, API key, tenant, metric and unit names; import rows): both doors
 * and the import parser ask these functions, so one rule holds everywhere.
 *
 * Refused: C0 controls (U+0000–U+001F, tab and line breaks included: a name is one line), DEL
 * (U+007F), C1 controls (U+0080–U+009F), and the bidirectional embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069), which make text display in another order than it is
 * stored ("Trojan Source"). Everything else, including the bidi marks U+200E/U+200F that
 * right-to-left text legitimately uses, stays allowed.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
const ANY_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const ANY_UNSAFE_ALL = new RegExp(ANY_UNSAFE.source, 'g');

export const CONTROL_CHARS_MESSAGE = 'must not contain control characters';
export const BIDI_CHARS_MESSAGE = 'must not contain bidirectional override characters (U+202A-U+202E, U+2066-U+2069)';

/** Why `value` is not acceptable as a name (the message tail, e.g. "must not contain control characters"), or null. */
/** `multiline`: free text spanning lines, where tab, LF and CR are allowed. */
export function unsafeTextReason(value: string, multiline = false): string | null {
  // one test for the common case (ingest runs this on every metric name and unit)
  if (!ANY_UNSAFE.test(value)) return null;
  if ((multiline ? CONTROL_MULTILINE : CONTROL).test(value)) return CONTROL_CHARS_MESSAGE;
  if (BIDI_CONTROL.test(value)) return BIDI_CHARS_MESSAGE;
  return null;
}

/** Control and bidi characters as `\uXXXX`, so a value can be echoed in an error message without acting on it. */
export function escapeUnsafeText(value: string): string {
  return value.replace(ANY_UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Length in characters (code points), the unit every field limit is declared in: PostgreSQL's
 * varchar counts them, and JSON Schema's maxLength means them. `String.length` counts UTF-16 units,
 * so an emoji would count twice and one door would refuse what another accepts.
 */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
