import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REPLAY_WINDOW_SEC, signatureHeader, verifySignature } from '../../src/notifications/notification.signing.js';

/** The receiver's side as docs/webhooks.md tells it, written independently of the signer. */
function receiverExpects(secret: string, timestamp: string, rawBody: string): string {
  return 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
}

describe('webhook signatures', () => {
  const secret = 'whsec_0123456789abcdef';
  const body = JSON.stringify({ event: 'alert.triggered', alert: { message: 'Température > 85 °C ✓' } });
  const ts = 1_764_450_000;

  it('is v1=<hex HMAC-SHA256(secret, timestamp "." raw body)>, byte for byte (UTF-8 bodies included)', () => {
    expect(signatureHeader(secret, ts, body)).toBe(receiverExpects(secret, String(ts), body));
    expect(signatureHeader(secret, ts, Buffer.from(body, 'utf8'))).toBe(receiverExpects(secret, String(ts), body));
    expect(signatureHeader(secret, ts, body)).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it('changes with the secret, the timestamp and any byte of the body', () => {
    const base = signatureHeader(secret, ts, body);
    expect(signatureHeader(`${secret}x`, ts, body)).not.toBe(base);
    expect(signatureHeader(secret, ts + 1, body)).not.toBe(base);
    expect(signatureHeader(secret, ts, body.replace('85', '86'))).not.toBe(base);
    // re-serialising the same object with other whitespace is another body: receivers must verify the raw bytes
    expect(signatureHeader(secret, ts, JSON.stringify(JSON.parse(body), null, 2))).not.toBe(base);
  });

  it('verifies within the replay window and refuses outside it, a wrong secret, a tampered body or a malformed header', () => {
    const header = signatureHeader(secret, ts, body);
    expect(verifySignature(secret, header, String(ts), body, ts)).toBe(true);
    expect(verifySignature(secret, header, String(ts), body, ts + REPLAY_WINDOW_SEC)).toBe(true);
    expect(verifySignature(secret, header, String(ts), body, ts + REPLAY_WINDOW_SEC + 1)).toBe(false);
    expect(verifySignature(secret, header, String(ts), body, ts - REPLAY_WINDOW_SEC - 1)).toBe(false);
    expect(verifySignature('other-secret-value', header, String(ts), body, ts)).toBe(false);
    expect(verifySignature(secret, header, String(ts), `${body} `, ts)).toBe(false);
    expect(verifySignature(secret, header.slice(0, -1), String(ts), body, ts)).toBe(false);
    expect(verifySignature(secret, header.replace('v1=', 'v2='), String(ts), body, ts)).toBe(false);
    expect(verifySignature(secret, header, `${ts}.5`, body, ts)).toBe(false);
    expect(verifySignature(secret, header, '', body, ts)).toBe(false);
  });

  it('accepts a header listing several signatures when one matches (key rotation)', () => {
    const header = `${signatureHeader('old-secret-value-1', ts, body)}, ${signatureHeader(secret, ts, body)}`;
    expect(verifySignature(secret, header, String(ts), body, ts)).toBe(true);
  });
});
