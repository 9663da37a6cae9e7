import { NonFinite } from './ingest.rules.js';

const TOKENS = ['-Infinity', 'Infinity', 'NaN'];

/**
 * JSON.parse that also takes the bare tokens NaN, Infinity and -Infinity (Python's json module
 * writes them), turning them into NonFinite markers so the reading is rejected on its own with
 * "Value must be finite" instead of failing the whole batch. Strict JSON takes the fast path.
 */
export function parseJsonAllowingNonFinite(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (strictError) {
    let out = '';
    let i = 0;
    let replaced = false;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '"') {
        // copy a string literal verbatim, honouring escapes
        let j = i + 1;
        while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        out += text.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      const token = TOKENS.find((t) => text.startsWith(t, i));
      if (token) {
        out += `{"\\u0000nonfinite":${JSON.stringify(token)}}`;
        i += token.length;
        replaced = true;
        continue;
      }
      out += ch;
      i += 1;
    }
    if (!replaced) throw strictError;
    return JSON.parse(out, (_key, value: unknown) => {
      if (value && typeof value === 'object' && !Array.isArray(value) && '\u0000nonfinite' in value) {
        return new NonFinite((value as Record<string, string>)['\u0000nonfinite']!);
      }
      return value;
    });
  }
}
