/**
 * Notification channels at their documented limits (issue 14): 100 webhook channels per tenant, each
 * with 20 headers of the longest name and value, the longest URL and signing secret, and an e-mail
 * channel of 20 maximal addresses. Stored, listed masked, sent in full by the test try, and the
 * server answers other requests all along.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../bench/lib/webhook-receiver.js';
import { NOTIFICATION_LIMITS as L } from '../../src/notifications/notification.rules.js';
import { http, registerTenant, startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

describe.skipIf(pgSvc.skip)(`notification channels at their limits${pgSvc.label}`, () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  // ends the /healthz prober also when the test fails half-way
  let stop = false;

  beforeAll(async () => {
    // the head of a maximal request is ~45 KB: above Node's default 16 KiB
    receiver = await startWebhookReceiver({ maxHeaderBytes: 128 * 1024 });
    t = await startTestApp({ env: { OUTBOUND_ALLOW_LOOPBACK: 'true', NOTIFY_SWEEP_MS: '600000' } });
  });

  afterAll(async () => {
    stop = true;
    await t?.stop();
    await receiver?.close();
  });

  it('stores 100 maximal webhook channels, lists them masked, sends every header of one, and keeps serving', async () => {
    const a = await registerTenant(t.api, 'notify-limits');
    const base = `${receiver.url}/hook/`;
    const url = base + 'p'.repeat(L.url - base.length);
    const headers = (n: number) =>
      Object.fromEntries(Array.from({ length: L.headers }, (_, i) => [`X-${String(i).padStart(2, '0')}-`.padEnd(L.headerName, 'h'), `${n}:${i}:`.padEnd(L.headerValue, 'v')]));
    const secret = 's'.repeat(L.signingSecretMax);
    // /healthz is probed all along; a failed probe is kept and asserted at the end
    const probes: number[] = [];
    const prober = (async () => {
      while (!stop) probes.push((await http('GET', `${t.url}/healthz`).catch(() => ({ status: 0 }))).status);
    })();
    const ids: string[] = [];
    for (let i = 0; i < L.channelsPerTenant; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          http('POST', `${t.api}/notification-channels`, { token: a.token, body: { name: `Hook ${i + j}`.padEnd(L.name, '.'), type: 'webhook', config: { url, headers: headers(i + j) }, signing_secret: secret } }),
        ),
      );
      for (const r of batch) {
        expect(r.status, r.text.slice(0, 300)).toBe(201);
        ids.push(r.body.id);
      }
    }
    const over = await http('POST', `${t.api}/notification-channels`, { token: a.token, body: { name: 'One too many', type: 'webhook', config: { url, headers: headers(100) } } });
    expect(over.status).toBe(409);

    const list = await http('GET', `${t.api}/notification-channels`, { token: a.token });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(L.channelsPerTenant);
    for (const c of list.body as { config: { headers: Record<string, string> } }[]) {
      expect(Object.values(c.config.headers)).toEqual(Array(L.headers).fill('***'));
    }
    // no header value or signing secret leaks into the list (a webhook URL is not a secret: it is returned)
    expect(list.text).not.toContain('vvvvvvvvvv');
    expect(list.text).not.toContain('ssssssssss');

    const tried = await http('POST', `${t.api}/notification-channels/${ids[42]}/test`, { token: a.token });
    expect(tried.status, tried.text).toBe(200);
    expect(tried.body).toEqual({ success: true });
    const [got] = await receiver.waitFor(1);
    expect(got!.path).toBe(new URL(url).pathname);
    for (const [name, value] of Object.entries(headers(42))) expect(got!.headers[name.toLowerCase()]).toBe(value);
    expect(got!.headers['x-webhook-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(got!.json<{ test: boolean }>().test).toBe(true);

    // an e-mail channel of 20 maximal addresses
    const address = (i: number) => `${String(i).padStart(2, '0')}${'a'.repeat(60)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(50)}.example.org`;
    const emails = Array.from({ length: L.emailRecipients }, (_, i) => address(i));
    expect(emails.every((e) => e.length <= L.emailAddress)).toBe(true);
    const other = await registerTenant(t.api, 'notify-limits-mail');
    const mail = await http('POST', `${t.api}/notification-channels`, { token: other.token, body: { name: 'Everyone', type: 'email', config: { email: emails.join(',') } } });
    expect(mail.status, mail.text.slice(0, 300)).toBe(201);
    const tooMany = await http('POST', `${t.api}/notification-channels`, { token: other.token, body: { name: 'Too many', type: 'email', config: { email: [...emails, 'one@more.example'].join(',') } } });
    expect(tooMany.status).toBe(422);

    stop = true;
    await prober;
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.filter((status) => status !== 200)).toEqual([]);
    const still = await http('GET', `${t.api}/notification-channels/${ids[0]}/deliveries`, { token: a.token });
    expect(still.status).toBe(200);
  }, 120_000);
});
