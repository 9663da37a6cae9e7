/**
 * RFC 8785 canonical JSON against the RFC's own examples: the section 3.2.2 sample, the member
 * ordering of section 3.2.3, the number table of appendix B (IEEE 754 bit patterns) and the
 * refusals (NaN, infinities, lone surrogates, non-JSON values).
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, CanonicalJsonError } from '../../src/signoffs/canonical-json.js';

/** the double whose IEEE 754 bits are `hex` */
const fromBits = (hex: string) => Buffer.from(hex, 'hex').readDoubleBE(0);

describe('canonicalJson (RFC 8785)', () => {
  it('section 3.2.2: numbers, escaping and literals of the sample input', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('the same sample as UTF-8 bytes (the euro sign is e2 82 ac, not an escape)', () => {
    const bytes = Buffer.from(canonicalJson({ s: '€$\u000f\nA' }), 'utf8').toString('hex');
    expect(bytes).toBe(Buffer.from('{"s":"', 'utf8').toString('hex') + 'e282ac24' + Buffer.from('\\u000f\\nA"}', 'utf8').toString('hex'));
  });

  it('section 3.2.3: members sorted by UTF-16 code units, recursively', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // read the order from the text (JSON.parse would put the integer-like key first)
    const order = [...canonicalJson(input).matchAll(/:"([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(canonicalJson({ b: { z: 1, a: [{ y: 2, x: 3 }] }, a: null })).toBe('{"a":null,"b":{"a":[{"x":3,"y":2}],"z":1}}');
  });

  it('appendix B: every sample number', () => {
    const table: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of table) expect(canonicalJson(fromBits(bits)), bits).toBe(text);
  });

  it('appendix B: NaN and Infinity have no canonical form', () => {
    expect(() => canonicalJson(fromBits('7fffffffffffffff'))).toThrow(CanonicalJsonError);
    expect(() => canonicalJson([fromBits('7ff0000000000000')])).toThrow(/\$\[0\]/);
    expect(() => canonicalJson({ n: -Infinity })).toThrow(CanonicalJsonError);
  });

  it('control characters get \\u escapes with lowercase hex; other characters, U+2028 and pairs stay literal', () => {
    expect(canonicalJson('\u0000\u001f\u007f\b\t\f\r\u2028😀/')).toBe('"\\u0000\\u001f\u007f\\b\\t\\f\\r\u2028😀/"');
  });

  it('refuses lone surrogates and values JSON does not have', () => {
    expect(() => canonicalJson('a\ud800')).toThrow(/lone surrogate/);
    expect(() => canonicalJson('\udc00b')).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ ['\ud800']: 1 })).toThrow(/member name/);
    expect(() => canonicalJson({ a: undefined })).toThrow(/undefined is not a JSON value/);
    expect(() => canonicalJson(new Date(0))).toThrow(/plain objects/);
    expect(() => canonicalJson(1n)).toThrow(CanonicalJsonError);
  });

  it('empty containers and nesting', () => {
    expect(canonicalJson({ a: [], b: {}, c: [[], [{}]] })).toBe('{"a":[],"b":{},"c":[[],[{}]]}');
    expect(canonicalJson(Object.assign(Object.create(null) as object, { k: 'v' }))).toBe('{"k":"v"}');
  });
});
