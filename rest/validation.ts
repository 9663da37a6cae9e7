import { z } from 'zod';
import type { ValidationIssue } from '../src/common/errors.js';
import { codePointLength } from '../src/common/text-rules.js';
import { INSTANT_RANGE_MESSAGE, inInstantRange } from '../src/common/instant-range.js';
import { USER_LIMITS } from '../src/users/user.rules.js';

/** Turns zod issues into the reference backend's `{loc, msg, type}` list, prefixed by where the value came from. */
export function toIssues(where: 'path' | 'query' | 'body', error: z.ZodError, input?: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const i of error.issues) {
    const present = valueAt(input, i.path) !== undefined;
    const loc = [where, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    switch (i.code) {
      case 'invalid_type':
        if (!present) out.push({ loc, msg: 'Field required', type: 'missing' });
        else out.push({ loc, msg: `Input should be a valid ${i.expected}`, type: `${i.expected}_type` });
        break;
      case 'too_small':
        out.push({
          loc,
          msg: i.origin === 'string' ? `String should have at least ${String(i.minimum)} character${Number(i.minimum) === 1 ? '' : 's'}` : i.origin === 'array' ? `List should have at least ${String(i.minimum)} item(s)` : `Input should be greater than or equal to ${String(i.minimum)}`,
          type: i.origin === 'string' ? 'string_too_short' : i.origin === 'array' ? 'too_short' : 'greater_than_equal',
        });
        break;
      case 'too_big':
        out.push({
          loc,
          msg: i.origin === 'string' ? `String should have at most ${String(i.maximum)} characters` : i.origin === 'array' ? `List should have at most ${String(i.maximum)} items` : `Input should be less than or equal to ${String(i.maximum)}`,
          type: i.origin === 'string' ? 'string_too_long' : i.origin === 'array' ? 'too_long' : 'less_than_equal',
        });
        break;
      case 'invalid_value':
        out.push({ loc, msg: `Input should be ${i.values.map((v) => `'${String(v)}'`).join(', ')}`, type: 'enum' });
        break;
      case 'invalid_format':
        out.push({ loc, msg: i.message, type: i.format === 'uuid' ? 'uuid_parsing' : i.format === 'datetime' ? 'datetime_parsing' : 'value_error' });
        break;
      case 'unrecognized_keys':
        for (const k of i.keys) out.push({ loc: [...loc, k], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' });
        break;
      default:
        out.push({ loc, msg: i.message, type: 'value_error' });
    }
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/**
 * A string of at most `max` characters counted as code points, as the services, the import parser
 * and JSON Schema's maxLength count them (zod's max counts UTF-16 units: an emoji would count twice).
 */
function text(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .superRefine((s, ctx) => {
      // a code point is one or two UTF-16 units: only lengths between max and 2*max need counting
      if (s.length > max && (s.length > 2 * max || codePointLength(s) > max)) {
        ctx.addIssue({ code: 'too_big', origin: 'string', maximum: max, inclusive: true, input: s });
      }
    })
    .meta({ maxLength: max });
}

/** Field schemas shared by the route files. */
export const v = {
  uuid: (what = 'id') => z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, `Input should be a valid UUID (${what})`).transform((s) => s.toLowerCase()),
  str: (max: number, min = 0) => text(max, min),
  password: () => z.string().min(1).max(1024),
  email: () => text(USER_LIMITS.email, 3),
  /** ISO 8601 instant; offsets are accepted and normalised to UTC */
  instant: () =>
    z
      .string()
      .max(64)
      .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
        message: 'Input should be a valid ISO 8601 datetime with a timezone',
        params: { format: 'datetime' },
      })
      .refine((s) => inInstantRange(new Date(s)), { message: INSTANT_RANGE_MESSAGE, params: { format: 'datetime' } })
      .transform((s) => new Date(s)),
  /** integer in a query string */
  qint: (opts: { min?: number; max?: number; default?: number }) => {
    const s = z
      .string()
      .regex(/^-?\d{1,15}$/, 'Input should be a valid integer, unable to parse string as an integer')
      .transform(Number)
      .pipe(z.number().int().min(opts.min ?? Number.MIN_SAFE_INTEGER).max(opts.max ?? Number.MAX_SAFE_INTEGER));
    return opts.default === undefined ? s.optional() : s.optional().default(opts.default);
  },
};

/** page/page_size as every list endpoint takes them */
export const pageQuery = {
  page: v.qint({ min: 1, default: 1 }),
  page_size: v.qint({ min: 1, max: 100, default: 20 }),
};
