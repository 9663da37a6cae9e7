/**
 * RFC 8785 (JSON Canonicalization Scheme): the one serialization of a JSON value that a signature
 * is computed over. Object members sorted by their names' UTF-16 code units, no whitespace,
 * numbers as ECMAScript's Number.prototype.toString writes them, strings with only the mandatory
 * escapes. The caller encodes the result as UTF-8.
 *
 * Values are plain JSON data (null, booleans, finite numbers, strings, arrays, plain objects);
 * anything else (undefined, NaN, Infinity, Dates, lone surrogates) is refused rather than guessed,
 * since a signature over a guess could not be recomputed by another implementation.
 */

export class CanonicalJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

/** The RFC 8785 canonical form of `value`. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, '$');
  return out.join('');
}

function write(value: unknown, out: string[], at: string): void {
  if (value === null) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      out.push(number(value, at));
      return;
    case 'string':
      out.push(string(value, at));
      return;
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`${at}: ${typeof value} is not a JSON value`);
  }
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item, out, `${at}[${i}]`);
    });
    out.push(']');
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(`${at}: only plain objects are JSON objects`);
  // the default sort compares UTF-16 code units, which is what RFC 8785 section 3.2.3 asks for
  const keys = Object.keys(value).sort();
  out.push('{');
  keys.forEach((key, i) => {
    if (i > 0) out.push(',');
    out.push(string(key, `${at} (a member name)`), ':');
    write((value as Record<string, unknown>)[key], out, `${at}.${key}`);
  });
  out.push('}');
}

/** ECMAScript's Number::toString, except that -0 is 0 (as in JSON.stringify); NaN and infinities have no JSON form. */
function number(n: number, at: string): string {
  if (!Number.isFinite(n)) throw new CanonicalJsonError(`${at}: ${n} is not a JSON number`);
  return Object.is(n, -0) ? '0' : String(n);
}

const SHORT_ESCAPES: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };

function string(s: string, at: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = SHORT_ESCAPES[c];
    if (short) out += short;
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) {
      // a surrogate must be the first half of a pair followed by its second half
      const next = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) throw new CanonicalJsonError(`${at}: lone surrogate at index ${i}`);
      out += s[i]! + s[i + 1]!;
      i++;
    } else out += s[i]!;
  }
  return `${out}"`;
}
