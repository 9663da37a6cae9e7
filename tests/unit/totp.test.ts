import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  matchTotpStep,
  totpCode,
  totpProvisioningUri,
  verifyTotp,
} from '../../src/auth/totp.js';

// RFC 6238 appendix B uses the ASCII seed "12345678901234567890" for SHA1.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890', 'ascii'));

// [unix seconds, RFC 6238 8-digit SHA1 code]
const RFC6238_SHA1: ReadonlyArray<readonly [number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

// RFC 4226 appendix D: 6-digit HOTP values for counters 0..9 with the same seed.
const RFC4226_HOTP = [
  '755224', '287082', '359152', '969429', '338314',
  '254676', '287922', '162583', '399871', '520489',
];

// RFC 4648 §10 test vectors, unpadded form first, canonical padded form second.
const RFC4648_BASE32: ReadonlyArray<readonly [string, string, string]> = [
  ['', '', ''],
  ['f', 'MY', 'MY======'],
  ['fo', 'MZXQ', 'MZXQ===='],
  ['foo', 'MZXW6', 'MZXW6==='],
  ['foob', 'MZXW6YQ', 'MZXW6YQ='],
  ['fooba', 'MZXW6YTB', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI', 'MZXW6YTBOI======'],
];

const STEP_MS = 30_000;

describe('base32', () => {
  it('encodes the RFC 4648 vectors without padding', () => {
    for (const [plain, unpadded] of RFC4648_BASE32) {
      expect(base32Encode(Buffer.from(plain, 'ascii'))).toBe(unpadded);
    }
  });

  it('decodes the RFC 4648 vectors with and without padding', () => {
    for (const [plain, unpadded, padded] of RFC4648_BASE32) {
      expect(base32Decode(unpadded).toString('ascii')).toBe(plain);
      expect(base32Decode(padded).toString('ascii')).toBe(plain);
    }
  });

  it('is case-insensitive and ignores whitespace', () => {
    expect(base32Decode('mzxw6ytboi').toString('ascii')).toBe('foobar');
    expect(base32Decode('MzXw 6yTb\tOi\n====').toString('ascii')).toBe('foobar');
    expect(base32Decode('  MZXW 6YTB OI  ').toString('ascii')).toBe('foobar');
  });

  it('round-trips buffers of lengths 0..64, covering every length modulo 5', () => {
    for (let len = 0; len <= 64; len++) {
      const buf = Buffer.alloc(len);
      for (let i = 0; i < len; i++) buf[i] = (i * 37 + len * 11) & 0xff;
      const encoded = base32Encode(buf);
      expect(encoded).toMatch(/^[A-Z2-7]*$/);
      expect(encoded.length).toBe(Math.ceil((len * 8) / 5));
      expect(base32Decode(encoded).equals(buf)).toBe(true);
    }
  });

  it('round-trips random buffers', () => {
    for (let i = 0; i < 200; i++) {
      const buf = randomBytes(i % 41);
      expect(base32Decode(base32Encode(buf)).equals(buf)).toBe(true);
    }
  });

  it('round-trips all-zero and all-0xff bytes', () => {
    const zeros = Buffer.alloc(20, 0x00);
    const ones = Buffer.alloc(20, 0xff);
    expect(base32Encode(zeros)).toBe('A'.repeat(32));
    expect(base32Encode(ones)).toBe('7'.repeat(32));
    expect(base32Decode(base32Encode(zeros)).equals(zeros)).toBe(true);
    expect(base32Decode(base32Encode(ones)).equals(ones)).toBe(true);
  });

  it('throws on characters outside the alphabet', () => {
    for (const bad of ['MZXW0', 'MZXW1', 'MZXW8', 'MZ-XW', 'MZXW!', 'MZÄW6', 'MZ=XW6']) {
      expect(() => base32Decode(bad), bad).toThrow(/Invalid base32 character/);
    }
  });

  it('throws on lengths no byte sequence can produce', () => {
    for (const bad of ['A', 'AAA', 'AAAAAA', 'AAAAAAAAA']) {
      expect(() => base32Decode(bad), bad).toThrow(/Invalid base32 length/);
    }
  });
});

describe('generateTotpSecret', () => {
  it('returns 20 random bytes as unpadded upper-case base32', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
  });

  it('does not repeat', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateTotpSecret()));
    expect(seen.size).toBe(200);
  });
});

describe('totpCode', () => {
  it('matches the RFC 6238 appendix B SHA1 vectors (last 6 digits)', () => {
    for (const [seconds, eightDigit] of RFC6238_SHA1) {
      // Dynamic truncation takes the value mod 10^digits, so the 6-digit code is the 8-digit one mod 10^6.
      const sixDigit = String(Number(eightDigit) % 1_000_000).padStart(6, '0');
      expect(sixDigit).toBe(eightDigit.slice(-6));
      expect(totpCode(RFC_SECRET, seconds * 1000)).toBe(sixDigit);
    }
  });

  it('matches the RFC 4226 HOTP vectors at counter * 30 s', () => {
    RFC4226_HOTP.forEach((expected, counter) => {
      expect(totpCode(RFC_SECRET, counter * STEP_MS)).toBe(expected);
      // Any instant inside the same step yields the same code.
      expect(totpCode(RFC_SECRET, counter * STEP_MS + STEP_MS - 1)).toBe(expected);
    });
  });

  it('agrees with an independent HOTP computation for a random secret', () => {
    const secret = generateTotpSecret();
    const key = base32Decode(secret);
    const at = 1_700_000_123_456;
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(Math.floor(at / STEP_MS)));
    const mac = createHmac('sha1', key).update(msg).digest();
    const off = mac[19]! & 0xf;
    const bin =
      ((mac[off]! & 0x7f) << 24) | (mac[off + 1]! << 16) | (mac[off + 2]! << 8) | mac[off + 3]!;
    expect(totpCode(secret, at)).toBe(String(bin % 1e6).padStart(6, '0'));
  });

  it('accepts lower-case and spaced secrets', () => {
    const spaced = RFC_SECRET.toLowerCase().replace(/(.{4})/g, '$1 ');
    expect(totpCode(spaced, 59_000)).toBe('287082');
  });

  it('always returns exactly 6 digits, zero-padded', () => {
    // 1111111109 s gives 07081804, whose 6-digit form keeps the leading zero.
    expect(totpCode(RFC_SECRET, 1111111109 * 1000)).toBe('081804');
    const secret = generateTotpSecret();
    for (let i = 0; i < 200; i++) {
      expect(totpCode(secret, i * STEP_MS)).toMatch(/^[0-9]{6}$/);
    }
  });

  it('uses the current time by default', () => {
    const secret = generateTotpSecret();
    const before = totpCode(secret, Date.now());
    const actual = totpCode(secret);
    const after = totpCode(secret, Date.now());
    expect([before, after]).toContain(actual);
  });

  it('rejects empty or invalid secrets and bad times', () => {
    expect(() => totpCode('', 0)).toThrow(/empty/);
    expect(() => totpCode('not base32!', 0)).toThrow();
    expect(() => totpCode(RFC_SECRET, -1)).toThrow(RangeError);
    expect(() => totpCode(RFC_SECRET, Number.NaN)).toThrow(RangeError);
    expect(() => totpCode(RFC_SECRET, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('verifyTotp', () => {
  const at = 1111111111 * 1000; // counter 37037037, code 050471
  const codeAt = (stepOffset: number) => totpCode(RFC_SECRET, at + stepOffset * STEP_MS);

  it('accepts the current code', () => {
    expect(verifyTotp(RFC_SECRET, '050471', at)).toBe(true);
  });

  it('accepts codes one step before and after with the default window', () => {
    expect(verifyTotp(RFC_SECRET, codeAt(-1), at)).toBe(true);
    expect(verifyTotp(RFC_SECRET, codeAt(1), at)).toBe(true);
  });

  it('has distinct codes for the steps around the test instant', () => {
    // The window assertions below would be vacuous if neighbouring steps happened to share a code.
    const codes = [-4, -3, -2, -1, 0, 1, 2, 3, 4].map(codeAt);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('rejects codes two or more steps away with the default window', () => {
    for (const off of [-2, 2, -3, 3, -4, 4]) {
      expect(verifyTotp(RFC_SECRET, codeAt(off), at), `offset ${off}`).toBe(false);
    }
  });

  it('honours a custom window', () => {
    expect(verifyTotp(RFC_SECRET, codeAt(0), at, 0)).toBe(true);
    expect(verifyTotp(RFC_SECRET, codeAt(1), at, 0)).toBe(false);
    expect(verifyTotp(RFC_SECRET, codeAt(-1), at, 0)).toBe(false);
    expect(verifyTotp(RFC_SECRET, codeAt(3), at, 3)).toBe(true);
    expect(verifyTotp(RFC_SECRET, codeAt(-3), at, 3)).toBe(true);
    expect(verifyTotp(RFC_SECRET, codeAt(4), at, 3)).toBe(false);
    expect(verifyTotp(RFC_SECRET, codeAt(-4), at, 3)).toBe(false);
  });

  it('treats the window edges by step, not by elapsed time', () => {
    const stepStart = Math.floor(at / STEP_MS) * STEP_MS;
    // Last millisecond of the previous-but-one step is two steps back, so it is out of the default window.
    expect(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, stepStart - STEP_MS - 1), at)).toBe(false);
    expect(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, stepStart - STEP_MS), at)).toBe(true);
    expect(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, stepStart + 2 * STEP_MS - 1), at)).toBe(true);
    expect(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, stepStart + 2 * STEP_MS), at)).toBe(false);
  });

  it('rejects a wrong code and a code for another secret', () => {
    const wrong = String((Number(codeAt(0)) + 1) % 1_000_000).padStart(6, '0');
    expect(verifyTotp(RFC_SECRET, wrong, at, 0)).toBe(false);
    // Fixed other secret (RFC 4648 "foobar") keeps the test deterministic.
    const other = 'MZXW6YTBOI';
    const otherCode = totpCode(other, at);
    expect([codeAt(-1), codeAt(0), codeAt(1)]).not.toContain(otherCode);
    expect(verifyTotp(RFC_SECRET, otherCode, at)).toBe(false);
    expect(verifyTotp(other, otherCode, at)).toBe(true);
  });

  it('does not look at negative counters near the epoch', () => {
    // At t=0 with window 1, only counters 0 and 1 exist; 755224 and 287082 are their codes.
    expect(verifyTotp(RFC_SECRET, '755224', 0)).toBe(true);
    expect(verifyTotp(RFC_SECRET, '287082', 0)).toBe(true);
    expect(verifyTotp(RFC_SECRET, '359152', 0)).toBe(false);
  });

  it('rejects anything that is not exactly 6 ASCII digits', () => {
    const good = codeAt(0);
    const malformed = [
      '',
      good.slice(0, 5),
      `${good}0`,
      ` ${good}`,
      `${good} `,
      `${good}\n`,
      `${good.slice(0, 3)} ${good.slice(3)}`,
      `+${good.slice(1)}`,
      `-${good.slice(1)}`,
      '12345a',
      '1e5000',
      '0x1234',
      // Fullwidth and Arabic-Indic digits must not be normalised into a match.
      [...good].map((d) => String.fromCharCode(0xff10 + Number(d))).join(''),
      [...good].map((d) => String.fromCharCode(0x0660 + Number(d))).join(''),
      '94287082', // full 8-digit RFC value
    ];
    for (const code of malformed) {
      expect(verifyTotp(RFC_SECRET, code, at), JSON.stringify(code)).toBe(false);
    }
    for (const notString of [undefined, null, 50471, ['050471']]) {
      expect(verifyTotp(RFC_SECRET, notString as unknown as string, at)).toBe(false);
    }
  });

  it('throws on a bad window or a bad secret', () => {
    expect(() => verifyTotp(RFC_SECRET, '050471', at, -1)).toThrow(RangeError);
    expect(() => verifyTotp(RFC_SECRET, '050471', at, 1.5)).toThrow(RangeError);
    expect(() => verifyTotp('', '050471', at)).toThrow();
    expect(() => verifyTotp('!!!!', '050471', at)).toThrow();
  });

  it('uses the current time by default', () => {
    const secret = generateTotpSecret();
    expect(verifyTotp(secret, totpCode(secret))).toBe(true);
  });
});

describe('matchTotpStep', () => {
  const at = 1111111111 * 1000;
  const counter = Math.floor(at / STEP_MS); // 37037037
  const codeAt = (stepOffset: number) => totpCode(RFC_SECRET, at + stepOffset * STEP_MS);

  it('returns the step whose code matched, so a caller can refuse it afterwards', () => {
    expect(counter).toBe(37037037);
    expect(matchTotpStep(RFC_SECRET, '050471', at)).toBe(counter);
    expect(matchTotpStep(RFC_SECRET, codeAt(-1), at)).toBe(counter - 1);
    expect(matchTotpStep(RFC_SECRET, codeAt(1), at)).toBe(counter + 1);
  });

  it('returns null for codes outside the window, wrong codes and malformed input', () => {
    expect(matchTotpStep(RFC_SECRET, codeAt(2), at)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, codeAt(-2), at)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, '12345a', at)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, codeAt(1), at, 0)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, codeAt(3), at, 3)).toBe(counter + 3);
  });

  it('agrees with verifyTotp', () => {
    for (const off of [-3, -2, -1, 0, 1, 2, 3]) {
      expect(matchTotpStep(RFC_SECRET, codeAt(off), at) !== null, `offset ${off}`).toBe(verifyTotp(RFC_SECRET, codeAt(off), at));
    }
  });
});

describe('totpProvisioningUri', () => {
  it('builds the expected otpauth URI', () => {
    const uri = totpProvisioningUri({
      secret: 'JBSWY3DPEHPK3PXP',
      accountName: 'alice@example.com',
      issuer: 'Haltfree',
    });
    expect(uri).toBe(
      'otpauth://totp/Haltfree:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Haltfree&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('percent-encodes spaces and reserved characters in label and issuer', () => {
    const uri = totpProvisioningUri({
      secret: RFC_SECRET,
      accountName: 'bob smith+ops&co/#?',
      issuer: 'ACME Plant & Co',
    });
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(uri).toContain('/ACME%20Plant%20%26%20Co:bob%20smith%2Bops%26co%2F%23%3F?');
    expect(uri).not.toContain('+');
    expect(decodeURIComponent(url.pathname.slice(1))).toBe('ACME Plant & Co:bob smith+ops&co/#?');
    expect(url.searchParams.get('issuer')).toBe('ACME Plant & Co');
    expect(url.searchParams.get('secret')).toBe(RFC_SECRET);
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect([...url.searchParams.keys()]).toEqual(['secret', 'issuer', 'algorithm', 'digits', 'period']);
  });

  it('encodes non-ASCII names as UTF-8', () => {
    const uri = totpProvisioningUri({ secret: RFC_SECRET, accountName: 'jörg', issuer: 'Fabrik' });
    expect(uri).toContain('/Fabrik:j%C3%B6rg?');
  });

  it('normalises the secret to unpadded upper-case base32', () => {
    const uri = totpProvisioningUri({ secret: 'mzxw 6ytb oi======', accountName: 'a', issuer: 'b' });
    expect(new URL(uri).searchParams.get('secret')).toBe('MZXW6YTBOI');
  });

  it('round-trips: the URI secret produces the same codes', () => {
    const secret = generateTotpSecret();
    const uri = totpProvisioningUri({ secret, accountName: 'x', issuer: 'y' });
    const fromUri = new URL(uri).searchParams.get('secret')!;
    expect(totpCode(fromUri, 1_700_000_000_000)).toBe(totpCode(secret, 1_700_000_000_000));
  });

  it('rejects colons, empty names and invalid secrets', () => {
    expect(() => totpProvisioningUri({ secret: RFC_SECRET, accountName: 'a:b', issuer: 'x' })).toThrow(/":"/);
    expect(() => totpProvisioningUri({ secret: RFC_SECRET, accountName: 'a', issuer: 'x:y' })).toThrow(/":"/);
    expect(() => totpProvisioningUri({ secret: RFC_SECRET, accountName: '', issuer: 'x' })).toThrow(/non-empty/);
    expect(() => totpProvisioningUri({ secret: RFC_SECRET, accountName: 'a', issuer: '' })).toThrow(/non-empty/);
    expect(() => totpProvisioningUri({ secret: '', accountName: 'a', issuer: 'x' })).toThrow(/empty/);
    expect(() => totpProvisioningUri({ secret: 'ab!c', accountName: 'a', issuer: 'x' })).toThrow();
  });
});
