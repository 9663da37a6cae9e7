import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const STEP_SECONDS = 30;
const DIGITS = 6;
const CODE_PATTERN = /^[0-9]{6}$/;
// 160 bits matches the HMAC-SHA1 block output, the size RFC 4226 recommends for shared secrets.
const SECRET_BYTES = 20;

const BASE32_LOOKUP: ReadonlyMap<string, number> = new Map(
  [...BASE32_ALPHABET].map((ch, i) => [ch, i] as const),
);

/** Encodes bytes as RFC 4648 base32 without `=` padding. */
export function base32Encode(buf: Buffer): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of buf) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(acc >>> bits) & 31];
    }
    // Keep only the unconsumed bits so `acc` never grows past 32-bit integer range.
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) {
    out += BASE32_ALPHABET[(acc << (5 - bits)) & 31];
  }
  return out;
}

/** Decodes RFC 4648 base32 (case-insensitive, whitespace and trailing `=` ignored); throws on invalid input. */
export function base32Decode(s: string): Buffer {
  const cleaned = s.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of cleaned) {
    const value = BASE32_LOOKUP.get(ch);
    if (value === undefined) {
      throw new Error(`Invalid base32 character ${JSON.stringify(ch)}`);
    }
    acc = (acc << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  // 1, 3 and 6 leftover characters cannot be produced by any byte count, so such input is truncated or corrupt.
  const rem = cleaned.length % 8;
  if (rem === 1 || rem === 3 || rem === 6) {
    throw new Error('Invalid base32 length');
  }
  return Buffer.from(out);
}

/** Returns a fresh random 160-bit TOTP secret, base32-encoded without padding. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(SECRET_BYTES));
}

function decodeSecret(secretBase32: string): Buffer {
  const key = base32Decode(secretBase32);
  // An empty key makes every code predictable; refuse rather than silently accept it.
  if (key.length === 0) {
    throw new Error('TOTP secret is empty');
  }
  return key;
}

function counterAt(atMs: number): number {
  if (!Number.isFinite(atMs) || atMs < 0) {
    throw new RangeError('Time must be a finite, non-negative number of milliseconds');
  }
  return Math.floor(atMs / 1000 / STEP_SECONDS);
}

function hotp(key: Buffer, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  // Mask the top bit so the value is the same whether read as signed or unsigned (RFC 4226 §5.3).
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** DIGITS).toString().padStart(DIGITS, '0');
}

/** Computes the 6-digit RFC 6238 TOTP code (HMAC-SHA1, 30 s step) for the given time. */
export function totpCode(secretBase32: string, atMs: number = Date.now()): string {
  return hotp(decodeSecret(secretBase32), counterAt(atMs));
}

/**
 * The time step (30 s counter) within `window` of `atMs` whose code equals `code`, or null.
 * Callers that must accept a code only once remember the returned step and refuse any step not
 * newer than it (RFC 6238 §5.2).
 */
export function matchTotpStep(
  secretBase32: string,
  code: string,
  atMs: number = Date.now(),
  window = 1,
): number | null {
  if (!Number.isInteger(window) || window < 0) {
    throw new RangeError('window must be a non-negative integer');
  }
  const key = decodeSecret(secretBase32);
  const counter = counterAt(atMs);
  if (typeof code !== 'string' || !CODE_PATTERN.test(code)) {
    return null;
  }
  const given = Buffer.from(code, 'ascii');
  let matched: number | null = null;
  for (let c = counter - window; c <= counter + window; c++) {
    if (c < 0) continue;
    // Check every candidate without short-circuiting so timing does not reveal which step matched.
    const ok = timingSafeEqual(Buffer.from(hotp(key, c), 'ascii'), given);
    // The newest matching step wins, so a (rare) collision with an older step cannot reopen it.
    if (ok) matched = c;
  }
  return matched;
}

/** Checks a 6-digit code against the steps within `window` of `atMs`, in constant time per candidate. */
export function verifyTotp(
  secretBase32: string,
  code: string,
  atMs: number = Date.now(),
  window = 1,
): boolean {
  return matchTotpStep(secretBase32, code, atMs, window) !== null;
}

/** Builds an `otpauth://totp/...` URI for enrolling the secret in an authenticator app. */
export function totpProvisioningUri(opts: {
  secret: string;
  accountName: string;
  issuer: string;
}): string {
  const { accountName, issuer } = opts;
  if (issuer.length === 0 || accountName.length === 0) {
    throw new Error('issuer and accountName must be non-empty');
  }
  // The label uses ':' to separate issuer from account; many apps split on it after decoding.
  if (issuer.includes(':') || accountName.includes(':')) {
    throw new Error('issuer and accountName must not contain ":"');
  }
  // Re-encode so the URI always carries canonical unpadded upper-case base32, and fail early on bad secrets.
  const secret = base32Encode(decodeSecret(opts.secret));
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  // encodeURIComponent rather than URLSearchParams: some authenticators show a literal '+' for spaces.
  const query = [
    `secret=${secret}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    `digits=${DIGITS}`,
    `period=${STEP_SECONDS}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
