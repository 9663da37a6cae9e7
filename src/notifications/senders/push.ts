import webpush from 'web-push';
import { outboundRequest } from '../../connectivity/outbound-http.js';
import { pushMessage } from '../notification.payloads.js';
import { errorText, failureOutcome, httpOutcome, type SendOutcome, type SendRequest } from './sender.js';

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/**
 * Web push: web-push encrypts the message for the subscription (aes128gcm, RFC 8291) and signs the
 * VAPID headers; the request itself goes through the guarded client like every other URL (web-push's
 * own sender would dial whatever the endpoint resolves to). 404 and 410 mean the subscription is
 * gone: permanent, and the caller removes it.
 */
export async function sendPush(req: SendRequest, target: PushTarget, vapid: VapidKeys): Promise<SendOutcome> {
  let details: webpush.RequestDetails;
  try {
    details = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, JSON.stringify(pushMessage(req.body, req.publicUrl)), {
      vapidDetails: vapid,
      TTL: 24 * 3600,
      contentEncoding: 'aes128gcm',
      urgency: req.body.alert.severity === 'critical' ? 'high' : 'normal',
    });
  } catch (err) {
    // a malformed key or endpoint cannot become valid by waiting
    return { ok: false, statusCode: null, error: errorText(`push: ${(err as Error).message}`), permanent: true };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(details.headers)) headers[k] = String(v);
  try {
    const res = await outboundRequest(req.resolve, { url: details.endpoint, method: 'POST', headers, body: details.body ?? Buffer.alloc(0), timeoutMs: req.timeoutMs, maxResponseBytes: 1024 });
    const outcome = httpOutcome(res, req.now());
    if (res.status === 404 || res.status === 410) return { ...outcome, permanent: true, gone: true };
    return outcome;
  } catch (err) {
    return failureOutcome(err);
  }
}
