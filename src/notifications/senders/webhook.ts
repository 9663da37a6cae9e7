import { signatureHeader } from '../notification.signing.js';
import { postJson, type SendOutcome, type SendRequest } from './sender.js';

/**
 * Generic webhook: the event body as JSON, the channel's configured headers, and the platform's
 * (docs/webhooks.md): X-Webhook-Id (the delivery id, the same on every retry), -Event, -Timestamp
 * (Unix seconds of this try) and -Signature (v1 HMAC-SHA256 of timestamp "." raw body). The
 * platform's headers are set last, so a configured header cannot shadow them.
 */
export async function sendWebhook(req: SendRequest, channel: { url?: string; headers?: Record<string, string>; signingSecret?: string }): Promise<SendOutcome> {
  if (!channel.url) return { ok: false, statusCode: null, error: 'channel has no URL', permanent: true };
  const raw = JSON.stringify(req.body);
  const timestamp = Math.floor(req.now().getTime() / 1000);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(channel.headers ?? {})) if (!k.toLowerCase().startsWith('x-webhook-')) headers[k] = v;
  headers['X-Webhook-Id'] = req.deliveryId;
  headers['X-Webhook-Event'] = req.body.event;
  headers['X-Webhook-Timestamp'] = String(timestamp);
  if (channel.signingSecret) headers['X-Webhook-Signature'] = signatureHeader(channel.signingSecret, timestamp, raw);
  return postJson(req, channel.url, raw, headers);
}
