import { createECDH, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../bench/lib/webhook-receiver.js';
import type { OutboundPolicy } from '../../src/config/config.js';
import { outboundResolver } from '../../src/connectivity/outbound-guard.js';
import { alertEventBody, headline, type NotifiedAlert } from '../../src/notifications/notification.payloads.js';
import { sendEmail } from '../../src/notifications/senders/email.js';
import { sendPush } from '../../src/notifications/senders/push.js';
import type { SendRequest } from '../../src/notifications/senders/sender.js';
import { sendSlack } from '../../src/notifications/senders/slack.js';
import { sendTeams } from '../../src/notifications/senders/teams.js';
import { sendWebhook } from '../../src/notifications/senders/webhook.js';

/** Senders against real local receivers: a recording HTTP receiver, smtp-server, a push endpoint that decrypts. */

const ece = createRequire(import.meta.url)('http_ece') as { decrypt(buf: Buffer, params: { version: string; privateKey: unknown; authSecret: string }): Buffer };
const LOOPBACK: OutboundPolicy = { allowLoopback: true, allowPrivate: true, allowLinkLocal: false, allowedCidrs: [], deniedCidrs: [] };
const resolve = outboundResolver(LOOPBACK);

const alert: NotifiedAlert = {
  id: randomUUID(),
  tenantId: randomUUID(),
  machineId: randomUUID(),
  machineName: 'CNC Mill #1',
  severity: 'critical',
  message: 'Temperature exceeded threshold',
  metricName: 'temperature',
  metricValue: 87.3,
  thresholdValue: 85,
  ruleId: randomUUID(),
  createdAt: new Date('2026-04-04T10:30:05Z'),
};
const body = alertEventBody('alert.triggered', alert, new Date('2026-04-04T10:30:06Z'));
const request = (o: Partial<SendRequest> = {}): SendRequest => ({ deliveryId: randomUUID(), body, timeoutMs: 3000, resolve, now: () => new Date(), ...o });

describe('webhook, Slack and Teams senders against a recording receiver', () => {
  let rx: WebhookReceiver;
  beforeAll(async () => {
    rx = await startWebhookReceiver();
  });
  afterAll(async () => {
    await rx.close();
  });

  it('webhook: the JSON body, configured headers and X-Webhook-*; the signature verifies with our own HMAC', async () => {
    rx.clear();
    const secret = randomBytes(24).toString('hex');
    const req = request();
    const outcome = await sendWebhook(req, { url: `${rx.url}/hook`, headers: { 'X-Webhook-Secret': 'shared', 'X-Webhook-Id': 'forged', Authorization: 'Bearer abc' }, signingSecret: secret });
    expect(outcome).toMatchObject({ ok: true, statusCode: 200 });
    const [r] = rx.requests;
    expect(r!.method).toBe('POST');
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers.authorization).toBe('Bearer abc');
    // the configured X-Webhook-* cannot shadow the platform's
    expect(r!.headers['x-webhook-id']).toBe(req.deliveryId);
    expect(r!.headers['x-webhook-secret']).toBeUndefined();
    expect(r!.headers['x-webhook-event']).toBe('alert.triggered');
    const ts = r!.headers['x-webhook-timestamp'] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(5);
    const expected = 'v1=' + createHmac('sha256', secret).update(`${ts}.`).update(r!.body).digest('hex');
    expect(r!.headers['x-webhook-signature']).toBe(expected);
    expect(r!.json()).toEqual(body);
  });

  it('webhook without a signing secret sends no signature header', async () => {
    rx.clear();
    await sendWebhook(request(), { url: `${rx.url}/hook` });
    expect(rx.requests[0]!.headers['x-webhook-signature']).toBeUndefined();
    expect(rx.requests[0]!.headers['x-webhook-id']).toBeDefined();
  });

  it('Slack: text and Block Kit blocks', async () => {
    rx.clear();
    expect((await sendSlack(request(), { url: `${rx.url}/services/T0/B0/x` })).ok).toBe(true);
    const m = rx.requests[0]!.json<{ text: string; blocks: { type: string }[] }>();
    expect(m.text).toBe(headline(body));
    expect(m.blocks[0]!.type).toBe('header');
    expect(m.blocks.every((b) => ['header', 'section', 'context'].includes(b.type))).toBe(true);
    expect(rx.requests[0]!.headers['x-webhook-id']).toBeUndefined();
  });

  it('Teams: an Adaptive Card attachment', async () => {
    rx.clear();
    expect((await sendTeams(request(), { url: `${rx.url}/webhookb2/x` })).ok).toBe(true);
    const m = rx.requests[0]!.json<{ type: string; attachments: { contentType: string; content: { type: string; body: { text?: string }[] } }[] }>();
    expect(m.type).toBe('message');
    expect(m.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(m.attachments[0]!.content.type).toBe('AdaptiveCard');
    expect(m.attachments[0]!.content.body[0]!.text).toBe(headline(body));
  });

  it('maps answers: 500 and 429 (Retry-After) retried, 410 and a redirect permanent, a silent receiver times out', async () => {
    const channel = { url: `${rx.url}/hook` };
    rx.queue({ status: 500 }, { status: 429, headers: { 'Retry-After': '3' } }, { status: 410 }, { status: 301, headers: { Location: 'http://127.0.0.1:1/' } }, { silent: true });
    expect(await sendWebhook(request(), channel)).toMatchObject({ ok: false, statusCode: 500, permanent: false });
    expect(await sendWebhook(request(), channel)).toMatchObject({ ok: false, statusCode: 429, permanent: false, retryAfterMs: 3000 });
    expect(await sendWebhook(request(), channel)).toMatchObject({ ok: false, statusCode: 410, permanent: true });
    expect(await sendWebhook(request(), channel)).toMatchObject({ ok: false, statusCode: 301, permanent: true });
    const t0 = Date.now();
    const silent = await sendWebhook(request({ timeoutMs: 400 }), channel);
    expect(silent).toMatchObject({ ok: false, statusCode: null, permanent: false });
    expect(silent.error).toMatch(/400 ms/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('e-mail sender against smtp-server', () => {
  let smtp: SMTPServer;
  let port: number;
  const received: { mail: ParsedMail; rcpt: string[] }[] = [];
  /** the reply code of the next DATA: 250 accepts */
  const replies: number[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const code = replies.shift() ?? 250;
          if (code !== 250) {
            cb(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }));
            return;
          }
          void simpleParser(Buffer.concat(chunks)).then((mail) => {
            received.push({ mail, rcpt: session.envelope.rcptTo.map((r) => r.address) });
            cb();
          }, cb);
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    port = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  const smtpSettings = () => ({ url: `smtp://127.0.0.1:${port}`, from: 'Haltfree Alerts <alerts@haltfree.example>' });

  it('sends to every recipient: subject, text and HTML bodies, Message-ID from the delivery id', async () => {
    received.length = 0;
    const req = request();
    const outcome = await sendEmail(req, { email: ['a@example.com', 'b@example.org'] }, smtpSettings());
    expect(outcome).toMatchObject({ ok: true, statusCode: 250 });
    expect(received).toHaveLength(1);
    const { mail, rcpt } = received[0]!;
    expect(rcpt.sort()).toEqual(['a@example.com', 'b@example.org']);
    expect((mail.to as AddressObject).value.map((v) => v.address)).toEqual(['a@example.com', 'b@example.org']);
    expect(mail.from!.value[0]!.address).toBe('alerts@haltfree.example');
    expect(mail.subject).toBe('[CRITICAL] CNC Mill #1: Temperature exceeded threshold');
    expect(mail.text).toContain('Temperature exceeded threshold');
    expect(mail.text).toContain('temperature = 87.3 (threshold 85)');
    expect(mail.html).toContain('<table>');
    expect(mail.messageId).toBe(`<${req.deliveryId}@haltfree.example>`);
  });

  it('SMTP 4xx is retried, 5xx is permanent; no relay configured is permanent', async () => {
    replies.push(451, 550);
    expect(await sendEmail(request(), { email: ['a@example.com'] }, smtpSettings())).toMatchObject({ ok: false, statusCode: 451, permanent: false });
    expect(await sendEmail(request(), { email: ['a@example.com'] }, smtpSettings())).toMatchObject({ ok: false, statusCode: 550, permanent: true });
    expect(await sendEmail(request(), { email: ['a@example.com'] }, { from: 'x@y.z' })).toMatchObject({ ok: false, permanent: true });
  });

  it('the relay host goes through the outbound guard (loopback refused by default, nothing dialled)', async () => {
    received.length = 0;
    const strict = outboundResolver({ ...LOOPBACK, allowLoopback: false });
    const outcome = await sendEmail(request({ resolve: strict }), { email: ['a@example.com'] }, smtpSettings());
    expect(outcome).toMatchObject({ ok: false, permanent: true });
    expect(outcome.error).toMatch(/loopback/);
    expect(received).toHaveLength(0);
  });
});

describe('push sender against a local push endpoint', () => {
  let rx: WebhookReceiver;
  const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:ops@haltfree.example' };
  const ua = createECDH('prime256v1');
  ua.generateKeys();
  const auth = randomBytes(16).toString('base64url');
  const target = () => ({ endpoint: `${rx.url}/push/abc`, p256dh: ua.getPublicKey().toString('base64url'), auth });

  beforeAll(async () => {
    rx = await startWebhookReceiver();
    rx.respond({ status: 201 });
  });
  afterAll(async () => {
    await rx.close();
  });

  it('encrypts for the subscription (aes128gcm, decrypted with its private key) and signs VAPID (verified with jose)', async () => {
    rx.clear();
    expect(await sendPush(request(), target(), vapid)).toMatchObject({ ok: true, statusCode: 201 });
    const r = rx.requests[0]!;
    expect(r.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(r.headers.ttl)).toBeGreaterThan(0);
    expect(r.headers.urgency).toBe('high');
    const plain = ece.decrypt(r.body, { version: 'aes128gcm', privateKey: ua, authSecret: auth });
    expect(JSON.parse(plain.toString('utf8'))).toEqual({
      title: '[CRITICAL] CNC Mill #1',
      body: 'Temperature exceeded threshold',
      alert_id: alert.id,
      severity: 'critical',
      url: `/alerts/${alert.id}`,
    });

    const m = /^vapid t=([^,]+),\s*k=(.+)$/.exec(r.headers.authorization as string);
    expect(m).not.toBeNull();
    expect(m![2]).toBe(vapid.publicKey);
    const point = Buffer.from(vapid.publicKey, 'base64url');
    const key = await importJWK({ kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, 'ES256');
    expect(decodeProtectedHeader(m![1]!).alg).toBe('ES256');
    const { payload } = await jwtVerify(m![1]!, key, { audience: new URL(rx.url).origin, subject: vapid.subject });
    expect(payload.exp! * 1000).toBeGreaterThan(Date.now());
    expect(payload.exp! * 1000).toBeLessThanOrEqual(Date.now() + 24 * 3600 * 1000);
    // another key does not verify it
    const other = Buffer.from(webpush.generateVAPIDKeys().publicKey, 'base64url');
    const otherKey = await importJWK({ kty: 'EC', crv: 'P-256', x: other.subarray(1, 33).toString('base64url'), y: other.subarray(33, 65).toString('base64url') }, 'ES256');
    await expect(jwtVerify(m![1]!, otherKey)).rejects.toThrow();
  });

  it('404 and 410 mean the subscription is gone; a malformed key is permanent', async () => {
    rx.queue({ status: 410 }, { status: 404 });
    expect(await sendPush(request(), target(), vapid)).toMatchObject({ ok: false, statusCode: 410, permanent: true, gone: true });
    expect(await sendPush(request(), target(), vapid)).toMatchObject({ ok: false, statusCode: 404, permanent: true, gone: true });
    expect(await sendPush(request(), { ...target(), p256dh: 'AAAA' }, vapid)).toMatchObject({ ok: false, statusCode: null, permanent: true });
  });
});
