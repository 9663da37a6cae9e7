import argon2 from 'argon2';

// OWASP's minimum argon2id profile (19 MiB, t=2, p=1): strong enough while keeping login latency and memory bounded.
const HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * Argon2id hash, with the same parameters as HASH_OPTIONS, of 32 random bytes that were discarded after hashing,
 * so no password can match it. Being a constant, it costs nothing at startup and the first unknown-user login
 * is no slower than later ones. If HASH_OPTIONS change, regenerate it; a unit test fails when the two drift apart.
 */
export const DUMMY_PASSWORD_HASH =
  '$argon2id$v=19$m=19456,p=1,t=2$rVjzEZDA7fUe8DuDHWYRWQ$/w4/TM/qRlf4iNNBQpG+ZF3V7bmLhgE8Z1qQrMZWm0E';

/** Hashes a password with argon2id (m=19456 KiB, t=2, p=1); returns the PHC-format string. */
export async function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, HASH_OPTIONS);
}

/** Returns whether `plain` matches `hash`; resolves false instead of throwing on a malformed hash. */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

/** Spends the same argon2 work as a real verification and always resolves false; use when the user does not exist. */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  // Without this, "no such user" would answer much faster than "wrong password" and leak which accounts exist.
  await verifyPassword(DUMMY_PASSWORD_HASH, plain);
  return false;
}
