/**
 * The signoffRecorded(workOrderId) subscription: a sign-off made through one API instance reaches a
 * subscriber on another over Redis (both instances sign and verify with the same SIGNOFF_KEYS),
 * only for the order subscribed to, and a foreign or unknown order is refused at once.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { http, registerTenant, startTestApp, STRONG_PASSWORD, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');
const KEYS = 'live:live-signoff-secret-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Msg = Record<string, any>;

const SUBSCRIPTION = 'subscription($wo: ID!) { signoffRecorded(workOrderId: $wo) { id workOrderId seq signerName signerRole meaning signatureHash keyId prevHash signedAt } }';

/** One subscription's payloads and errors, with a bounded wait. */
function subscribe(url: string, token: string, wo: string): { items: Msg[]; errors: unknown[]; client: Client; waitFor(pred: (m: Msg) => boolean, ms?: number): Promise<Msg> } {
  const items: Msg[] = [];
  const errors: unknown[] = [];
  const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
  client.subscribe<Msg>({ query: SUBSCRIPTION, variables: { wo } }, {
    next: (r) => (r.errors ? errors.push(r.errors) : r.data?.signoffRecorded && items.push(r.data.signoffRecorded)),
    error: (e) => errors.push(e),
    complete: () => undefined,
  });
  return {
    items,
    errors,
    client,
    async waitFor(pred, ms = 5_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = items.find(pred);
        if (hit) return hit;
        if (errors.length) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(items)}`);
        await sleep(25);
      }
    },
  };
}

describe.skipIf(pgSvc.skip || redisSvc.skip)(`signoffRecorded across instances${pgSvc.label}${redisSvc.label}`, () => {
  let one: TestApp;
  let two: TestApp;
  let a: TenantSession;
  let b: TenantSession;
  let machine: string;

  async function completed(title: string): Promise<string> {
    const r = await http('POST', `${one.api}/work-orders`, { token: a.token, body: { machine_id: machine, title } });
    expect(r.status, r.text).toBe(201);
    for (const status of ['in_progress', 'completed']) expect((await http('PATCH', `${one.api}/work-orders/${r.body.id}`, { token: a.token, body: { status } })).status).toBe(200);
    return r.body.id;
  }

  beforeAll(async () => {
    one = await startTestApp({ redis: true, env: { SIGNOFF_KEYS: KEYS } });
    two = await startTestApp({ redis: true, databaseUrl: one.databaseUrl, env: { SIGNOFF_KEYS: KEYS } });
    a = await registerTenant(one.api, 'livesign');
    b = await registerTenant(one.api, 'livesignb');
    const m = await http('POST', `${one.api}/machines`, { token: a.token, body: { name: 'Live mill', machine_identifier: `LS-${randomUUID().slice(0, 12)}`, protocol: 'json' } });
    machine = m.body.id;
  });
  afterAll(async () => {
    await two?.stop();
    await one?.stop();
  });

  it('a sign-off made on one instance reaches a subscriber of the other, only for its order, and verifies there', async () => {
    const wo = await completed('Subscribed order');
    const other = await completed('Other order');
    const sub = subscribe(two.url, a.token, wo);
    try {
      // the server subscribes to the bus after the subscribe message: sign (each time with another meaning) until one arrives
      let first: Msg | undefined;
      for (const meaning of ['performed', 'reviewed', 'approved']) {
        await http('POST', `${one.api}/work-orders/${other}/signoffs`, { token: a.token, body: { password: STRONG_PASSWORD, meaning } });
        const r = await http('POST', `${one.api}/work-orders/${wo}/signoffs`, { token: a.token, body: { password: STRONG_PASSWORD, meaning } });
        expect(r.status, r.text).toBe(201);
        first = await sub.waitFor((m) => m.id === r.body.id, 1_000).catch(() => undefined);
        if (first) {
          expect(first).toMatchObject({ workOrderId: wo, signerName: 'livesign admin', signerRole: 'admin', meaning, signatureHash: r.body.signature_hash, keyId: 'live' });
          break;
        }
      }
      expect(first, 'no sign-off arrived on the other instance').toBeDefined();
      expect(sub.items.every((m) => m.workOrderId === wo)).toBe(true);
      const v = await http('GET', `${two.api}/work-orders/${wo}/signoffs/${first!.id}/verify`, { token: a.token });
      expect(v.body.is_valid).toBe(true);
    } finally {
      await sub.client.dispose();
    }
  });

  it("another tenant's or an unknown order is refused at subscribe time", async () => {
    const wo = await completed('Private order');
    for (const [token, id] of [[b.token, wo], [a.token, randomUUID()]] as const) {
      const sub = subscribe(two.url, token, id);
      try {
        const deadline = Date.now() + 5_000;
        while (!sub.errors.length && Date.now() < deadline) await sleep(25);
        expect(JSON.stringify(sub.errors)).toMatch(/Work order not found/);
      } finally {
        await sub.client.dispose();
      }
    }
  });
});
