import type { ResolveTarget } from '../../connectivity/driver.js';
import { OutboundHttpError, outboundRequest, type OutboundResponse } from '../../connectivity/outbound-http.js';
import type { AlertEventBody } from '../notification.payloads.js';

/**
 * What every sender shares: one try's outcome and how an HTTP answer maps to it. The delivery
 * service decides from the outcome alone: delivered, retried later (after `retryAfterMs` when the
 * receiver said so) or dead at once (`permanent`).
 */

export interface SendOutcome {
  ok: boolean;
  /** the HTTP status or SMTP reply code, when there was an answer */
  statusCode: number | null;
  error: string | null;
  /** retrying cannot help: refused destination, 3xx, 4xx other than 408/429, SMTP 5xx */
  permanent: boolean;
  /** the receiver's Retry-After, in ms */
  retryAfterMs?: number;
  /** push only: the subscription no longer exists (404/410), to be removed */
  gone?: boolean;
}

/** One try of one notification. */
export interface SendRequest {
  /** the delivery id (X-Webhook-Id, Message-ID); the test send uses a fresh one */
  deliveryId: string;
  body: AlertEventBody;
  timeoutMs: number;
  /** the outbound guard (src/connectivity/outbound-guard.ts) */
  resolve: ResolveTarget;
  publicUrl?: string;
  now: () => Date;
}

export const delivered = (statusCode: number | null): SendOutcome => ({ ok: true, statusCode, error: null, permanent: false });

/** Errors are stored and shown: one line, bounded. */
export function errorText(s: string, max = 1000): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** `Retry-After` as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*[0-9]{1,10}\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** Maps an HTTP answer: 2xx delivered; 408, 429 and 5xx retried (Retry-After kept); 3xx (never followed) and other 4xx permanent. */
export function httpOutcome(res: OutboundResponse, now: Date): SendOutcome {
  const s = res.status;
  if (s >= 200 && s < 300) return delivered(s);
  const snippet = res.body ? `: ${res.body}` : '';
  if (s >= 300 && s < 400) {
    const location = typeof res.headers.location === 'string' ? ` to ${res.headers.location}` : '';
    return { ok: false, statusCode: s, error: errorText(`HTTP ${s}: redirect${location} not followed`), permanent: true };
  }
  const retryAfterMs = s === 429 || s === 503 ? parseRetryAfter(res.headers['retry-after'], now) : undefined;
  const transient = s === 408 || s === 429 || s >= 500;
  return { ok: false, statusCode: s, error: errorText(`HTTP ${s}${snippet}`), permanent: !transient, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** A failure without an HTTP answer: a refused destination or malformed request is permanent; timeouts and network errors are retried. */
export function failureOutcome(err: unknown): SendOutcome {
  if (err instanceof OutboundHttpError) return { ok: false, statusCode: null, error: errorText(err.message), permanent: err.permanent };
  return { ok: false, statusCode: null, error: errorText((err as Error)?.message ?? String(err)), permanent: false };
}

/** POSTs a JSON body through the guarded client and maps the result. */
export async function postJson(req: SendRequest, url: string, payload: unknown, headers: Record<string, string> = {}): Promise<SendOutcome> {
  try {
    const res = await outboundRequest(req.resolve, {
      url,
      headers: { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, ...headers },
      body: typeof payload === 'string' ? payload : JSON.stringify(payload),
      timeoutMs: req.timeoutMs,
      maxResponseBytes: 1024,
    });
    return httpOutcome(res, req.now());
  } catch (err) {
    return failureOutcome(err);
  }
}

export const USER_AGENT = 'Haltfree-Notifications/1.0';
