import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/common/errors.js';
import { canonicalDecimal, parseDecimal } from '../../src/inventory/inventory.rules.js';

const q = (v: unknown, sign: 'positive' | 'nonNegative' | 'nonZero' = 'positive') => parseDecimal('quantity', v, { scale: 3, sign });
const issue = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return (err as DomainError).extra.issues![0]!;
  }
  throw new Error('no error');
};

describe('parseDecimal', () => {
  it('gives the canonical text of numbers and decimal strings, exactly', () => {
    expect(q(25)).toBe('25');
    expect(q(12.5)).toBe('12.5');
    expect(q(0.1)).toBe('0.1');
    expect(q('007.250')).toBe('7.25');
    expect(q(' 3 ')).toBe('3');
    expect(q('+2')).toBe('2');
    expect(q('999999999999.999')).toBe('999999999999.999');
    expect(q('-0.5', 'nonZero')).toBe('-0.5');
    expect(q('0', 'nonNegative')).toBe('0');
    expect(q('-0.000', 'nonNegative')).toBe('0');
  });

  it('refuses what it cannot hold exactly, with the field and a type', () => {
    expect(issue(() => q(0.0001))).toMatchObject({ loc: ['quantity'], type: 'decimal_max_places' });
    expect(issue(() => q(1e-7))).toMatchObject({ type: 'decimal_parsing' });
    expect(issue(() => q(1e21))).toMatchObject({ type: 'decimal_parsing' });
    expect(issue(() => q('1234567890123'))).toMatchObject({ type: 'decimal_whole_digits' });
    expect(issue(() => q(Number.NaN))).toMatchObject({ type: 'finite_number' });
    expect(issue(() => q(Infinity))).toMatchObject({ type: 'finite_number' });
    expect(issue(() => q(true))).toMatchObject({ type: 'decimal_type' });
    expect(issue(() => q('1,5'))).toMatchObject({ type: 'decimal_parsing' });
    expect(issue(() => q('.5'))).toMatchObject({ type: 'decimal_parsing' });
  });

  it('applies the sign rule', () => {
    expect(issue(() => q(0))).toMatchObject({ type: 'greater_than' });
    expect(issue(() => q(-1))).toMatchObject({ type: 'greater_than' });
    expect(issue(() => q(-1, 'nonNegative'))).toMatchObject({ type: 'greater_than_equal' });
    expect(issue(() => q('0.000', 'nonZero'))).toMatchObject({ msg: 'Input should not be 0' });
  });
});

describe('canonicalDecimal', () => {
  it("strips PostgreSQL's scale padding", () => {
    expect(canonicalDecimal('25.000')).toBe('25');
    expect(canonicalDecimal('0.300')).toBe('0.3');
    expect(canonicalDecimal('10')).toBe('10');
    expect(canonicalDecimal(null)).toBeNull();
  });
});
