import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import { InventoryErrors } from './inventory.errors.js';

/** The stock transaction types (spec: inventory.md). */
export const STOCK_TRANSACTION_TYPES = ['receive', 'consume', 'adjust', 'return', 'transfer'] as const;
export type StockTransactionType = (typeof STOCK_TRANSACTION_TYPES)[number];

export const isTransactionType = (t: unknown): t is StockTransactionType => typeof t === 'string' && (STOCK_TRANSACTION_TYPES as readonly string[]).includes(t);

/** Field limits of inventory, declared once for the REST schemas, the GraphQL inputs and the service. */
export const INVENTORY_LIMITS = {
  partNumber: 100,
  name: 200,
  unit: 32,
  location: 200,
  supplier: 200,
  manufacturerPartNumber: 100,
  notes: 1000,
  categoryName: 100,
  categoryDescription: 1000,
  search: 200,
  /** decimal places of a quantity (numeric(15,3) in SQL) */
  quantityScale: 3,
  /** decimal places of a unit cost (numeric(15,4)) */
  costScale: 4,
  /** integer digits of a quantity or a cost: 12, so every value has at most 15 significant digits and round-trips through a JSON number exactly */
  integerDigits: 12,
  /** categories one tenant may hold */
  categoriesPerTenant: 1000,
  /** part lines one work order may hold (a sign-off hashes and prints all of them) */
  linesPerWorkOrder: 200,
} as const;

/** The largest quantity on hand (the numeric(15,3) column's maximum): a receive past it is refused, never an overflow. */
export const MAX_QUANTITY = '999999999999.999';

/**
 * An exact decimal from JSON: a number (its shortest round-trip text, which is what the client
 * wrote for anything of at most 15 significant digits) or a decimal string. Returns the canonical
 * text (no exponent, no leading zeros, no trailing fractional zeros) that PostgreSQL reads as
 * numeric; never a float. Too many decimal places is a 422, not a silent rounding.
 */
export function parseDecimal(
  field: string,
  value: unknown,
  opts: { scale: number; sign: 'positive' | 'nonNegative' | 'nonZero' },
): string {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw InventoryErrors.invalid(field, 'Input should be a finite number', 'finite_number');
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    throw InventoryErrors.invalid(field, 'Input should be a valid decimal', 'decimal_type');
  }
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw InventoryErrors.invalid(field, 'Input should be a valid decimal', 'decimal_parsing');
  const negative = m[1] === '-';
  const int = m[2]!.replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > opts.scale) throw InventoryErrors.invalid(field, `Decimal input should have no more than ${opts.scale} decimal places`, 'decimal_max_places');
  if (int.length > INVENTORY_LIMITS.integerDigits) {
    throw InventoryErrors.invalid(field, `Decimal input should have no more than ${INVENTORY_LIMITS.integerDigits} digits before the decimal point`, 'decimal_whole_digits');
  }
  const zero = int === '0' && frac === '';
  if (zero && opts.sign !== 'nonNegative') throw InventoryErrors.invalid(field, opts.sign === 'positive' ? 'Input should be greater than 0' : 'Input should not be 0', opts.sign === 'positive' ? 'greater_than' : 'value_error');
  if (negative && !zero && opts.sign !== 'nonZero') throw InventoryErrors.invalid(field, opts.sign === 'positive' ? 'Input should be greater than 0' : 'Input should be greater than or equal to 0', opts.sign === 'positive' ? 'greater_than' : 'greater_than_equal');
  return `${negative && !zero ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** PostgreSQL's numeric text ("25.000") in canonical form ("25"); null stays null. */
export function canonicalDecimal(value: string): string;
export function canonicalDecimal(value: string | null): string | null;
export function canonicalDecimal(value: string | null): string | null {
  if (value == null) return null;
  const s = String(value);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** A name-like field: trimmed, 1..max characters, no control or bidi characters (one line unless multiline). */
export function text(field: string, value: unknown, max: number, multiline = false): string {
  if (typeof value !== 'string') throw InventoryErrors.invalid(field, 'Input should be a valid string', 'string_type');
  const v = value.trim();
  if (!v) throw InventoryErrors.invalid(field, 'String should have at least 1 character', 'string_too_short');
  if (codePointLength(v) > max) throw InventoryErrors.invalid(field, `String should have at most ${max} characters`, 'string_too_long');
  const unsafe = unsafeTextReason(v, multiline);
  if (unsafe) throw InventoryErrors.invalid(field, `String ${unsafe}`);
  if (/\p{Cs}/u.test(v)) throw InventoryErrors.invalid(field, 'String must be valid Unicode text');
  return v;
}

/** An optional free-text field: absent, null or blank means none. */
export function optionalText(field: string, value: unknown, max: number, multiline = false): string | null {
  if (value == null || (typeof value === 'string' && !value.trim())) return null;
  return text(field, value, max, multiline);
}
