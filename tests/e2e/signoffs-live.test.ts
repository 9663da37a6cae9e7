/**
 * The signoffRecorded(workOrderId) subscription: a sign-off made through one API instance reaches a
 * subscriber on another over Redis (both instances sign and verify with the same SIGNOFF_KEYS),
 * only for the order subscribed to, and a foreign or unknown order is refused at once.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, STRONG_PASSWORD, type TenantSession } from '../helpers/app.js';
import { newMachine } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';
import { expectRefused, subscribe as subscribeTo, type Msg } from '../helpers/subscriptions.js';
import { suiteInstancePair } from '../helpers/suite-apps.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');
const KEYS = 'live:live-signoff-secret-0123456789abcdef';

const SUBSCRIPTION = 'subscription($wo: ID!) { signoffRecorded(workOrderId: $wo) { id workOrderId seq signerName signerRole meaning signatureHash keyId prevHash signedAt } }';

const subscribe = (url: string, token: string, wo: string) => subscribeTo(url, token, SUBSCRIPTION, 'signoffRecorded', { wo });

describe.skipIf(pgSvc.skip || redisSvc.skip)(`signoffRecorded across instances${pgSvc.label}${redisSvc.label}`, () => {
  const apps = suiteInstancePair({ env: { SIGNOFF_KEYS: KEYS } });
  let a: TenantSession;
  let b: TenantSession;
  let machine: string;

  async function completed(title: string): Promise<string> {
    const r = await http('POST', `${apps.one.api}/work-orders`, { token: a.token, body: { machine_id: machine, title } });
    expect(r.status, r.text).toBe(201);
    for (const status of ['in_progress', 'completed']) expect((await http('PATCH', `${apps.one.api}/work-orders/${r.body.id}`, { token: a.token, body: { status } })).status).toBe(200);
    return r.body.id;
  }

  beforeAll(async () => {
    a = await registerTenant(apps.one.api, 'livesign');
    b = await registerTenant(apps.one.api, 'livesignb');
    machine = await newMachine(apps.one.api, a, 'Live mill');
  });

  it('a sign-off made on one instance reaches a subscriber of the other, only for its order, and verifies there', async () => {
    const wo = await completed('Subscribed order');
    const other = await completed('Other order');
    const sub = subscribe(apps.two.url, a.token, wo);
    try {
      // the server subscribes to the bus after the subscribe message: sign (each time with another meaning) until one arrives
      let first: Msg | undefined;
      for (const meaning of ['performed', 'reviewed', 'approved']) {
        await http('POST', `${apps.one.api}/work-orders/${other}/signoffs`, { token: a.token, body: { password: STRONG_PASSWORD, meaning } });
        const r = await http('POST', `${apps.one.api}/work-orders/${wo}/signoffs`, { token: a.token, body: { password: STRONG_PASSWORD, meaning } });
        expect(r.status, r.text).toBe(201);
        first = await sub.inbox.waitFor((m) => m.id === r.body.id, 'the sign-off', 1_000).catch(() => undefined);
        if (first) {
          expect(first).toMatchObject({ workOrderId: wo, signerName: 'livesign admin', signerRole: 'admin', meaning, signatureHash: r.body.signature_hash, keyId: 'live' });
          break;
        }
      }
      expect(first, 'no sign-off arrived on the other instance').toBeDefined();
      expect(sub.inbox.items.every((m) => m.workOrderId === wo)).toBe(true);
      const v = await http('GET', `${apps.two.api}/work-orders/${wo}/signoffs/${first!.id}/verify`, { token: a.token });
      expect(v.body.is_valid).toBe(true);
    } finally {
      await sub.client.dispose();
    }
  });

  it("another tenant's or an unknown order is refused at subscribe time", async () => {
    const wo = await completed('Private order');
    for (const [token, id] of [[b.token, wo], [a.token, randomUUID()]] as const) {
      await expectRefused(subscribe(apps.two.url, token, id), /Work order not found/);
    }
  });
});
