import { createHash, randomBytes } from 'node:crypto';

const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// Largest multiple of 62 that fits in a byte (4 * 62); bytes at or above it would favour the first 8 symbols.
const BASE62_ACCEPT_BELOW = 248;
const API_KEY_PREFIX = 'hk_';
const API_KEY_RANDOM_LENGTH = 40;
// 'hk_' plus 5 random characters: enough to recognise a key in a UI or log without revealing it.
const DISPLAY_PREFIX_LENGTH = 8;
const API_KEY_PATTERN = /^hk_[0-9A-Za-z]{40}$/;

/** Returns `length` uniformly random base62 characters, drawing bytes from `rng` with rejection sampling. */
export function randomBase62(
  length: number,
  rng: (size: number) => Buffer = randomBytes,
): string {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError('length must be a non-negative integer');
  }
  let out = '';
  while (out.length < length) {
    // About 3% of bytes are rejected, so a little headroom usually avoids a second draw.
    const chunk = rng(Math.ceil((length - out.length) * 1.1) + 4);
    for (const byte of chunk) {
      if (byte >= BASE62_ACCEPT_BELOW) continue;
      out += BASE62_ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Returns the SHA-256 hex digest under which an API key is stored. */
export function hashApiKey(plaintext: string): string {
  // A fast hash is enough: the key carries ~238 bits of entropy, so brute force is infeasible without stretching.
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

/** Creates a new API key: the plaintext to show once, a short display prefix and the hash to store. */
export function generateApiKey(): { plaintext: string; prefix: string; hash: string } {
  const plaintext = API_KEY_PREFIX + randomBase62(API_KEY_RANDOM_LENGTH);
  return {
    plaintext,
    prefix: plaintext.slice(0, DISPLAY_PREFIX_LENGTH),
    hash: hashApiKey(plaintext),
  };
}

/** Returns whether `s` has the exact shape `hk_` followed by 40 base62 characters. */
export function isWellFormedApiKey(s: string): boolean {
  // Guard the runtime type too, since callers pass raw header values that may be arrays or undefined.
  return typeof s === 'string' && API_KEY_PATTERN.test(s);
}
