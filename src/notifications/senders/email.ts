import nodemailer from 'nodemailer';
import { OutboundHttpError } from '../../connectivity/outbound-http.js';
import { OutboundRefusedError } from '../../connectivity/outbound-guard.js';
import { emailMessage } from '../notification.payloads.js';
import { errorText, type SendOutcome, type SendRequest } from './sender.js';

/** The relay for e-mail channels (SMTP_URL, SMTP_FROM). */
export interface SmtpSettings {
  url?: string;
  from: string;
}

/** The domain of the From address (Message-IDs are `<delivery id>@<domain>`). */
function fromDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return m?.[1] ?? 'localhost';
}

/**
 * One e-mail to every recipient of the channel through the configured relay. The relay's host goes
 * through the outbound guard like any URL and nodemailer dials the checked address (TLS keeps the
 * name). SMTP 4xx and connection failures are retried, 5xx are permanent. The Message-ID is the
 * delivery id, so a retried message is recognisably the same one.
 */
export async function sendEmail(req: SendRequest, channel: { email?: string[] }, smtp: SmtpSettings): Promise<SendOutcome> {
  if (!smtp.url) return { ok: false, statusCode: null, error: 'e-mail is not configured on this server (SMTP_URL)', permanent: true };
  if (!channel.email?.length) return { ok: false, statusCode: null, error: 'channel has no recipients', permanent: true };
  const url = new URL(smtp.url);
  const secure = url.protocol === 'smtps:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  let address: string;
  try {
    address = (await req.resolve(host, port)).address;
  } catch (err) {
    const refused = err instanceof OutboundRefusedError || err instanceof OutboundHttpError;
    return { ok: false, statusCode: null, error: errorText(`SMTP relay: ${(err as Error).message}`), permanent: refused };
  }
  const transport = nodemailer.createTransport({
    host: address,
    port,
    secure,
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    tls: { servername: host },
    connectionTimeout: req.timeoutMs,
    greetingTimeout: req.timeoutMs,
    socketTimeout: req.timeoutMs,
  });
  const msg = emailMessage(req.body, req.publicUrl);
  let timer: NodeJS.Timeout | undefined;
  try {
    const info = await Promise.race([
      transport.sendMail({
        from: smtp.from,
        to: channel.email,
        subject: msg.subject,
        text: msg.text,
        html: msg.html,
        messageId: `<${req.deliveryId}@${fromDomain(smtp.from)}>`,
        headers: { 'X-Haltfree-Event': req.body.event, 'X-Haltfree-Alert-Id': req.body.alert.id },
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from the SMTP relay within ${req.timeoutMs} ms`)), req.timeoutMs);
      }),
    ]);
    const code = /^\s*([0-9]{3})/.exec(String(info.response ?? ''));
    return { ok: true, statusCode: code ? Number(code[1]) : null, error: null, permanent: false };
  } catch (err) {
    const e = err as Error & { responseCode?: number; response?: string };
    const code = typeof e.responseCode === 'number' ? e.responseCode : null;
    return { ok: false, statusCode: code, error: errorText(`SMTP: ${e.response ?? e.message}`), permanent: code !== null && code >= 500 };
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
