import { NonFinite } from './ingest.rules.js';

const TOKEN_RE = /-?Infinity|NaN/g;
const MARKER_KEY = '\u0000nonfinite';

/**
 * JSON.parse that also takes the bare tokens NaN, Infinity and -Infinity (Python's json module
 * writes them), turning them into NonFinite markers so the reading is rejected on its own with
 * "Value must be finite" instead of failing the whole batch. Strict JSON takes the fast path.
 *
 * The fallback works on whole slices (indexOf to the next quote, one regex per stretch between
 * string literals, one join) and replaces the markers with a walk over the parsed values instead
 * of a reviver: a 10 MB body costs tens of milliseconds, where copying it character by character
 * blocked the event loop for over a second.
 */
export function parseJsonAllowingNonFinite(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (strictError) {
    const parts: string[] = [];
    let replaced = false;
    const marker = (token: string) => {
      replaced = true;
      return `{"\\u0000nonfinite":"${token}"}`;
    };
    let i = 0;
    while (i < text.length) {
      const quote = text.indexOf('"', i);
      const outside = text.slice(i, quote < 0 ? text.length : quote);
      parts.push(outside.includes('N') || outside.includes('I') ? outside.replace(TOKEN_RE, marker) : outside);
      if (quote < 0) break;
      // a string literal, copied verbatim: it ends at the first quote preceded by an even number of backslashes
      let end = quote + 1;
      for (;;) {
        end = text.indexOf('"', end);
        if (end < 0) break;
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 92) slashes++;
        if (slashes % 2 === 0) break;
        end++;
      }
      if (end < 0) {
        parts.push(text.slice(quote));
        break;
      }
      parts.push(text.slice(quote, end + 1));
      i = end + 1;
    }
    if (!replaced) throw strictError;
    return unmark(JSON.parse(parts.join('')));
  }
}

function isMarker(v: unknown): v is Record<string, string> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && MARKER_KEY in v;
}

/** Replaces marker objects by NonFinite values; iterative, as the parsed document may nest deeply. */
function unmark(root: unknown): unknown {
  if (isMarker(root)) return new NonFinite(root[MARKER_KEY]!);
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let k = 0; k < node.length; k++) {
        const v: unknown = node[k];
        if (v === null || typeof v !== 'object') continue;
        if (isMarker(v)) node[k] = new NonFinite(v[MARKER_KEY]!);
        else stack.push(v);
      }
      continue;
    }
    const o = node as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (v === null || typeof v !== 'object') continue;
      if (isMarker(v)) o[k] = new NonFinite(v[MARKER_KEY]!);
      else stack.push(v);
    }
  }
  return root;
}
