/**
 * Live stock (issue 16): stockChanged(partId) and partLowStock as GraphQL subscriptions, delivered
 * across two API processes (this one and the built server as a child process) sharing PostgreSQL
 * and Redis; partLowStock once per downward crossing of
 * the reorder point; another tenant's parts never delivered, a foreign partId refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { ensureBuilt } from '../helpers/build.js';
import { newMachine } from '../helpers/fixtures.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { probeService } from '../helpers/services.js';
import { expectRefused, subscribe, warmUp, type Subscription } from '../helpers/subscriptions.js';
import { expectLedgerConsistent, newPart, newWorkOrder } from './inventory-fixtures.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const STOCK = 'subscription($partId: ID) { stockChanged(partId: $partId) { id quantityOnHand isLowStock } }';
const LOW = 'subscription { partLowStock { id partNumber quantityOnHand reorderPoint } }';

describe.skipIf(pgSvc.skip || redisSvc.skip)(`inventory subscriptions across two API processes${pgSvc.label}${redisSvc.label}`, () => {
  let one: TestApp;
  let two: ServerProcess;
  let a: TenantSession;
  let b: TenantSession;

  beforeAll(async () => {
    await ensureBuilt('inventory-live');
    one = await startTestApp({ redis: true });
    two = await startServerProcess(one.databaseUrl!);
    a = await registerTenant(one.api, 'live-a');
    b = await registerTenant(one.api, 'live-b');
  }, 300_000);
  afterAll(async () => {
    await two?.stop();
    await one?.stop();
  });

  const tx = (api: string, partId: string, body: unknown, s = a) => http('POST', `${api}/inventory/parts/${partId}/transactions`, { token: s.token, body });

  /** Receives until the subscriber sees a change. */
  async function warm(sub: Subscription, partId: string): Promise<void> {
    await warmUp(sub.inbox, async () => {
      await tx(one.api, partId, { type: 'receive', quantity: 1 });
      return (x) => x.id === partId;
    }, 'warm-up change');
  }

  it("stockChanged(partId) in the child process sees this process's changes of that part only, as exact decimals", async () => {
    const p = await newPart(one.api, a, { quantity_on_hand: 10 });
    const other = await newPart(one.api, a, { quantity_on_hand: 10 });
    const sub = subscribe(two.url, a.token, STOCK, 'stockChanged', { partId: p.id });
    try {
      await warm(sub, p.id);
      const base = sub.inbox.items.length;
      await tx(one.api, other.id, { type: 'consume', quantity: 1 });
      await tx(one.api, p.id, { type: 'consume', quantity: 0.25 });
      await sub.inbox.until((xs) => xs.length > base, 'the consume');
      const last = sub.inbox.items[sub.inbox.items.length - 1]!;
      expect(last.id).toBe(p.id);
      expect(last.quantityOnHand).toMatch(/\.75$/);
      expect(sub.inbox.items.every((x) => x.id === p.id)).toBe(true);
    } finally {
      await sub.client.dispose();
    }
  });

  it('partLowStock fires once per crossing, from both the ledger and a work-order line, never for another tenant', async () => {
    const p = await newPart(one.api, a, { quantity_on_hand: 8, reorder_point: 5 });
    const sub = subscribe(two.url, a.token, LOW, 'partLowStock');
    const subB = subscribe(two.url, b.token, LOW, 'partLowStock');
    try {
      // warm up on a part of its own that crosses on every round
      const warmPart = await newPart(one.api, a, { quantity_on_hand: 2, reorder_point: 1 });
      await warmUp(sub.inbox, async () => {
        await tx(one.api, warmPart.id, { type: 'adjust', counted_quantity: 2 });
        await tx(one.api, warmPart.id, { type: 'consume', quantity: 1 });
        return (x) => x.id === warmPart.id;
      }, 'a partLowStock delivery');
      await tx(one.api, p.id, { type: 'consume', quantity: 2 }); // 6: above
      await tx(one.api, p.id, { type: 'consume', quantity: 1 }); // 5: at the point, a crossing
      await tx(one.api, p.id, { type: 'consume', quantity: 1 }); // 4: still low, no event
      await tx(one.api, p.id, { type: 'receive', quantity: 10 }); // 14: above again
      const wo = await newWorkOrder(one.api, a, await newMachine(one.api, a));
      const line = await http('POST', `${one.api}/inventory/work-orders/${wo}/parts`, { token: a.token, body: { spare_part_id: p.id, quantity: 10 } }); // 4: second crossing
      expect(line.status, line.text).toBe(201);
      await sub.inbox.until((xs) => xs.filter((x) => x.id === p.id).length >= 2, 'two crossings');
      await sleep(300);
      expect(sub.inbox.items.filter((x) => x.id === p.id).map((x) => x.quantityOnHand)).toEqual(['5', '4']);
      expect(subB.inbox.items).toEqual([]);
    } finally {
      await sub.client.dispose();
      await subB.client.dispose();
    }
    await expectLedgerConsistent(one);
  });

  it("announces the stock a work order deleted in the child process gives back, once its DELETE committed", async () => {
    const p = await newPart(one.api, a, { quantity_on_hand: 5 });
    const wo = await newWorkOrder(one.api, a, await newMachine(one.api, a));
    const sub = subscribe(one.url, a.token, STOCK, 'stockChanged', { partId: p.id });
    try {
      await warm(sub, p.id);
      const stock: number = (await http('GET', `${one.api}/inventory/parts/${p.id}`, { token: a.token })).body.quantity_on_hand;
      const line = await http('POST', `${two.api}/inventory/work-orders/${wo}/parts`, { token: a.token, body: { spare_part_id: p.id, quantity: 2 } });
      expect(line.status, line.text).toBe(201);
      await sub.inbox.until((xs) => xs.some((x) => x.quantityOnHand === String(stock - 2)), 'the consumption');
      expect((await http('DELETE', `${two.api}/work-orders/${wo}`, { token: a.token })).status).toBe(204);
      await sub.inbox.until((xs) => xs.at(-1)!.quantityOnHand === String(stock), 'the return of the deleted order');
    } finally {
      await sub.client.dispose();
    }
    await expectLedgerConsistent(one);
  });

  it('refuses a foreign or unknown partId filter', async () => {
    const p = await newPart(one.api, a);
    await expectRefused(subscribe(two.url, b.token, STOCK, 'stockChanged', { partId: p.id }), /Part not found/);
  });
});
