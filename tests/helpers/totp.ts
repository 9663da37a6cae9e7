import { totpCode } from '../../src/auth/totp.js';

const STEP_MS = 30_000;

/** A 6-digit code that is not valid for the secret anywhere in the verifier's ±1 step window. */
export function wrongCode(secret: string): string {
  const now = Date.now();
  const valid = new Set([-60_000, -30_000, 0, 30_000, 60_000].map((d) => totpCode(secret, now + d)));
  for (let n = 0; ; n++) {
    const c = String(n).padStart(6, '0');
    if (!valid.has(c)) return c;
  }
}

/**
 * Codes of the previous, current and next 30 s step. The server accepts each step once and only
 * steps newer than the last one it accepted, so a test that needs several codes in a row uses
 * them in this order. The previous step's code stays valid only until the current step ends:
 * when that is less than 3 s away, wait for the next step first.
 */
export async function successiveCodes(secret: string): Promise<{ previous: string; current: string; next: string }> {
  const left = STEP_MS - (Date.now() % STEP_MS);
  if (left < 3_000) await new Promise((r) => setTimeout(r, left + 50));
  const now = Date.now();
  return { previous: totpCode(secret, now - STEP_MS), current: totpCode(secret, now), next: totpCode(secret, now + STEP_MS) };
}
