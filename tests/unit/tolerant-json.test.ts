import { describe, expect, it } from 'vitest';
import { NonFinite } from '../../src/readings/ingest.rules.js';
import { parseJsonAllowingNonFinite } from '../../src/readings/tolerant-json.js';

describe('parseJsonAllowingNonFinite', () => {
  it('parses strict JSON as JSON.parse does', () => {
    expect(parseJsonAllowingNonFinite('{"a":[1,2.5,"x"]}')).toEqual({ a: [1, 2.5, 'x'] });
  });

  it('turns bare NaN, Infinity and -Infinity tokens into NonFinite markers', () => {
    const v = parseJsonAllowingNonFinite('{"readings":[{"value":NaN},{"value":Infinity},{"value":-Infinity},{"value":1}]}') as {
      readings: { value: unknown }[];
    };
    expect(v.readings.map((r) => (r.value instanceof NonFinite ? r.value.token : r.value))).toEqual(['NaN', 'Infinity', '-Infinity', 1]);
  });

  it('leaves the same words inside strings alone', () => {
    expect(parseJsonAllowingNonFinite('{"s":"NaN \\" Infinity","v":NaN}')).toMatchObject({ s: 'NaN " Infinity' });
  });

  it('still rejects malformed JSON', () => {
    expect(() => parseJsonAllowingNonFinite('{"a":')).toThrow(SyntaxError);
    expect(() => parseJsonAllowingNonFinite('{"a":NaN')).toThrow(SyntaxError);
    expect(() => parseJsonAllowingNonFinite('{"a":nan}')).toThrow(SyntaxError);
  });
});
