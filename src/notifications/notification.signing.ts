import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (docs/webhooks.md): `X-Webhook-Signature: v1=<hex HMAC-SHA256(secret,
 * timestamp + "." + raw body)>`, the timestamp being `X-Webhook-Timestamp` (Unix seconds). Binding
 * the timestamp lets a receiver refuse replays outside its window (5 minutes documented).
 */

export const SIGNATURE_VERSION = 'v1';
/** how far a receiver should accept a timestamp from its own clock */
export const REPLAY_WINDOW_SEC = 300;

/** The hex HMAC of `${timestamp}.${body}`. */
export function signatureHex(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The header value: `v1=<hex>`. */
export function signatureHeader(secret: string, timestamp: number, body: string | Buffer): string {
  return `${SIGNATURE_VERSION}=${signatureHex(secret, timestamp, body)}`;
}

/**
 * The receiver's check, as documented: the header carries a v1 signature equal (constant time) to
 * the HMAC of the raw body, and the timestamp lies within the replay window of `nowSec`.
 */
export function verifySignature(secret: string, header: string, timestamp: string, body: string | Buffer, nowSec = Math.floor(Date.now() / 1000)): boolean {
  if (!/^[0-9]{1,12}$/.test(timestamp)) return false;
  const ts = Number(timestamp);
  if (Math.abs(nowSec - ts) > REPLAY_WINDOW_SEC) return false;
  const expected = Buffer.from(signatureHex(secret, ts, body), 'utf8');
  return header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${SIGNATURE_VERSION}=`))
    .some((part) => {
      const given = Buffer.from(part.slice(SIGNATURE_VERSION.length + 1), 'utf8');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
