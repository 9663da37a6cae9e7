/**
 * Live downtime events (issue 13): the GraphQL subscriptions downtimeStarted / downtimeEnded with
 * their machine and group filters, tenant separation, a record created already ended announcing
 * both, refusal of a foreign machine filter, and delivery across two API instances over Redis.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { closedDowntime, newMachine as machine } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';
import { expectRefused, subscribe, warmUp, type Subscription } from '../helpers/subscriptions.js';
import { suiteInstancePair } from '../helpers/suite-apps.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const FIELDS = 'id machineId machineName reason category reasonCodeId reasonCodeName startedAt endedAt durationMinutes origin createdBy';
const STARTED = `subscription($machineId: ID, $groupId: ID) { downtimeStarted(machineId: $machineId, groupId: $groupId) { ${FIELDS} } }`;
const ENDED = `subscription($machineId: ID, $groupId: ID) { downtimeEnded(machineId: $machineId, groupId: $groupId) { ${FIELDS} } }`;

describe.skipIf(pgSvc.skip)(`downtime subscriptions${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;


  /** A closed record (started and ended events both follow). */
  const closed = (api: string, s: TenantSession, m: string) => closedDowntime(api, s, m, { reason: 'Closed', category: 'planned' });

  /** Closed records until the subscriber has one. */
  async function warm(api: string, sub: Subscription, s: TenantSession, m: string): Promise<void> {
    await warmUp(sub.inbox, async () => {
      const r = await closed(api, s, m);
      return (x) => x.id === r.id;
    }, 'warm-up record');
  }

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'livea');
    b = await registerTenant(t.api, 'liveb');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('delivers downtimeStarted and downtimeEnded by machine and group, and nothing of another tenant', async () => {
    const m1 = await machine(t.api, a, 'In group');
    const m2 = await machine(t.api, a, 'Outside');
    const mb = await machine(t.api, b, 'Tenant B');
    const g = await http('POST', `${t.api}/machine-groups`, { token: a.token, body: { name: 'Line', group_type: 'line' } });
    const child = await http('POST', `${t.api}/machine-groups`, { token: a.token, body: { name: 'Cell', group_type: 'custom', parent_id: g.body.id } });
    expect((await http('PUT', `${t.api}/machine-groups/${child.body.id}/members`, { token: a.token, body: { machine_ids: [m1] } })).status).toBe(200);
    const byGroup = subscribe(t.url, a.token, STARTED, 'downtimeStarted', { groupId: g.body.id });
    const byMachine = subscribe(t.url, a.token, STARTED, 'downtimeStarted', { machineId: m2 });
    const ends = subscribe(t.url, a.token, ENDED, 'downtimeEnded', {});
    const ofB = subscribe(t.url, b.token, STARTED, 'downtimeStarted', {});
    try {
      await warm(t.api, byGroup, a, m1);
      await warm(t.api, byMachine, a, m2);
      await warm(t.api, ends, a, m2);
      await warm(t.api, ofB, b, mb);
      const onM2 = await http('POST', `${t.api}/machines/${m2}/downtime`, { token: a.token, body: { reason: 'Jam', category: 'unplanned', started_at: new Date(Date.now() - 60_000).toISOString() } });
      const onM1 = await http('POST', `${t.api}/machines/${m1}/downtime`, { token: a.token, body: { reason: 'Bearing', category: 'unplanned', started_at: new Date(Date.now() - 60_000).toISOString() } });
      const got = await byGroup.inbox.waitFor((x) => x.id === onM1.body.id, 'record of a machine in a subgroup');
      expect(got).toMatchObject({ machineId: m1, machineName: 'In group', reason: 'Bearing', category: 'unplanned', endedAt: null, durationMinutes: null, origin: 'manual', createdBy: a.userId });
      await byMachine.inbox.waitFor((x) => x.id === onM2.body.id, 'record of m2');
      // the m1 record came after the m2 one: a wrongly delivered m2 record would be there already
      expect(byGroup.inbox.items.some((x) => x.machineId !== m1)).toBe(false);
      const end = await http('POST', `${t.api}/machines/${m2}/downtime/${onM2.body.id}/end`, { token: a.token });
      const e = await ends.inbox.waitFor((x) => x.id === onM2.body.id, 'end of the m2 record');
      expect(e.endedAt).toBe(end.body.ended_at);
      expect(typeof e.durationMinutes).toBe('number');
      // a record created ended announces both
      const both = await closed(t.api, a, m2);
      await byMachine.inbox.waitFor((x) => x.id === both.id, 'started of a closed record');
      await ends.inbox.waitFor((x) => x.id === both.id, 'ended of a closed record');
      // an update that ends an open record is an end too
      await http('PUT', `${t.api}/machines/${m1}/downtime/${onM1.body.id}`, { token: a.token, body: { ended_at: new Date().toISOString() } });
      await ends.inbox.waitFor((x) => x.id === onM1.body.id, 'end through PUT');
      await sleep(200);
      expect(byMachine.inbox.items.every((x) => x.machineId === m2)).toBe(true);
      expect(ofB.inbox.items.every((x) => x.machineId === mb)).toBe(true);
      expect([byGroup, byMachine, ends, ofB].flatMap((s) => s.inbox.errors)).toEqual([]);
    } finally {
      await Promise.all([byGroup, byMachine, ends, ofB].map((s) => s.client.dispose()));
    }
  });

  it('refuses a subscription naming a machine or group of another tenant', async () => {
    const mb = await machine(t.api, b, 'Foreign');
    for (const vars of [{ machineId: mb }, { groupId: randomUUID() }, { machineId: 'nope' }]) {
      await expectRefused(subscribe(t.url, a.token, STARTED, 'downtimeStarted', vars), /not found/i);
    }
  });

  describe.skipIf(redisSvc.skip)(`across instances${redisSvc.label}`, () => {
    const pair = suiteInstancePair();

    it('a record created through one instance reaches a subscriber of the other', async () => {
      const { one, two } = pair;
      const s = await registerTenant(one.api, 'livex');
      const m = await machine(one.api, s, 'Shared');
      const sub = subscribe(two.url, s.token, STARTED, 'downtimeStarted', { machineId: m });
      try {
        await warm(one.api, sub, s, m);
        const r = await http('POST', `${one.api}/machines/${m}/downtime`, { token: s.token, body: { reason: 'Across', category: 'maintenance', started_at: new Date(Date.now() - 60_000).toISOString() } });
        const got = await sub.inbox.waitFor((x) => x.id === r.body.id, 'record from the other instance');
        expect(got).toMatchObject({ machineId: m, reason: 'Across', category: 'maintenance' });
      } finally {
        await sub.client.dispose();
      }
    });
  });
});
