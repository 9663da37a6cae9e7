/**
 * Local time (issue 15) end to end: the zone library and the database's `AT TIME ZONE` agree on
 * every 2026 day boundary in three zones, on PostgreSQL and on the embedded PGlite; the tenant
 * settings doors (roles, isolation, bad zones, audit); site groups' zones and which zone a machine
 * uses (its site's, the oldest site when several, else the tenant's), by the service and by the SQL
 * expression aggregates use.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayBounds, localDateOf } from '../../src/common/local-time.js';
import { machineZoneSql } from '../../src/machine-groups/machine-zone.service.js';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { newMachine } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];
const DAYS_2026 = Array.from({ length: 366 }, (_, i) => addDays('2026-01-01', i)); // through 2027-01-01

describe.skipIf(pgSvc.skip).each([['PostgreSQL', 'postgres'] as const, ['PGlite', 'embedded'] as const])(`day boundaries: library and %s agree${pgSvc.label}`, (_label, db) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ db });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each(ZONES)('every local midnight of 2026 in %s, and the local date on either side of it', async (zone) => {
    const rows = await t.app.container.db.query<{ date: string; start_ms: string; date_at: string; date_before: string }>(
      `select d::date::text as date,
              (extract(epoch from (d::timestamp at time zone z)) * 1000)::bigint::text as start_ms,
              ((d::timestamp at time zone z) at time zone z)::date::text as date_at,
              (((d::timestamp at time zone z) - interval '1 millisecond') at time zone z)::date::text as date_before
         from generate_series('2026-01-01'::date, '2027-01-01'::date, interval '1 day') d, (select ?::text as z) zone`,
      [zone],
    );
    expect(rows.map((r) => r.date)).toEqual(DAYS_2026);
    const lengths = new Set<number>();
    for (const r of rows) {
      const { start, end } = dayBounds(r.date, zone);
      expect(start.getTime(), `${zone} ${r.date}`).toBe(Number(r.start_ms));
      expect(localDateOf(start, zone)).toBe(r.date_at);
      expect(localDateOf(new Date(start.getTime() - 1), zone)).toBe(r.date_before);
      expect(r.date_at).toBe(r.date);
      lengths.add((end.getTime() - start.getTime()) / 60_000);
    }
    // each zone has its short and long day in 2026 (Lord Howe moves by half an hour)
    expect([...lengths].sort((x, y) => x - y)).toEqual(zone === 'Australia/Lord_Howe' ? [1410, 1440, 1470] : [1380, 1440, 1500]);
  });
});

describe.skipIf(pgSvc.skip)(`tenant settings and machine zones${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;
  let viewer: TenantSession;
  let operator: TenantSession;

  const settings = (s: TenantSession) => http('GET', `${t.api}/settings/tenant`, { token: s.token });
  const patch = (s: TenantSession, body: unknown) => http('PATCH', `${t.api}/settings/tenant`, { token: s.token, body });

  const machine = (s: TenantSession, name: string) => newMachine(t.api, s, name);

  async function group(s: TenantSession, body: Record<string, unknown>, members: string[] = []): Promise<string> {
    const g = await http('POST', `${t.api}/machine-groups`, { token: s.token, body });
    expect(g.status, g.text).toBe(201);
    if (members.length) expect((await http('PUT', `${t.api}/machine-groups/${g.body.id}/members`, { token: s.token, body: { machine_ids: members } })).status).toBe(200);
    // "oldest" compares creation instants: keep them apart
    await new Promise((r) => setTimeout(r, 5));
    return g.body.id;
  }

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'zones-a');
    b = await registerTenant(t.api, 'zones-b');
    viewer = await createUserSession(t.api, a, 'viewer');
    operator = await createUserSession(t.api, a, 'operator');
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('GET/PATCH /settings/tenant', () => {
    it('starts at UTC; any role reads it, on both doors', async () => {
      for (const s of [a, operator, viewer]) {
        const r = await settings(s);
        expect(r.status, r.text).toBe(200);
        expect(r.body).toEqual({ tenant_id: a.tenantId, name: 'zones-a plant', time_zone: 'UTC', updated_at: expect.stringMatching(/Z$/) });
      }
      const g = await gql(t.url, '{ tenantSettings { tenantId name timeZone } }', undefined, { token: viewer.token });
      expect(g.body).toEqual({ data: { tenantSettings: { tenantId: a.tenantId, name: 'zones-a plant', timeZone: 'UTC' } } });
    });

    it('only admins change it (403 for operators and viewers on both doors, nothing changes); API keys are refused', async () => {
      for (const s of [operator, viewer]) {
        const r = await patch(s, { time_zone: 'Europe/Berlin' });
        expect(r.status).toBe(403);
        expect(r.body).toEqual({ detail: 'Forbidden (insufficient role)' });
        const g = await gql(t.url, 'mutation { updateTenantSettings(input: { timeZone: "Europe/Berlin" }) { timeZone } }', undefined, { token: s.token });
        expect(g.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      const key = await createApiKey(t.api, a, ['read:machines']);
      expect((await http('GET', `${t.api}/settings/tenant`, { apiKey: key.key })).status).toBe(403);
      expect((await settings(a)).body.time_zone).toBe('UTC');
    });

    it('an admin sets the zone (REST and GraphQL); it is audited; another tenant keeps its own', async () => {
      const r = await patch(a, { time_zone: 'Europe/Berlin' });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ tenant_id: a.tenantId, time_zone: 'Europe/Berlin' });
      expect((await settings(viewer)).body.time_zone).toBe('Europe/Berlin');
      expect((await settings(b)).body).toMatchObject({ tenant_id: b.tenantId, time_zone: 'UTC' });

      const g = await gql(t.url, 'mutation { updateTenantSettings(input: { timeZone: "America/New_York" }) { tenantId timeZone } }', undefined, { token: b.token });
      expect(g.body).toEqual({ data: { updateTenantSettings: { tenantId: b.tenantId, timeZone: 'America/New_York' } } });
      expect((await settings(a)).body.time_zone).toBe('Europe/Berlin');

      // an empty patch changes nothing
      const same = await patch(a, {});
      expect(same.status).toBe(200);
      expect(same.body.time_zone).toBe('Europe/Berlin');

      const audit = await http('GET', `${t.api}/audit?action=update_tenant_settings`, { token: a.token });
      expect(audit.status).toBe(200);
      expect(audit.body.items[1]).toMatchObject({ action: 'update_tenant_settings', resource_type: 'tenant', resource_id: a.tenantId, user_id: a.userId, details: { time_zone: { from: 'UTC', to: 'Europe/Berlin' } } });
      expect(audit.body.total).toBe(2);
      const auditB = await http('GET', `${t.api}/audit?action=update_tenant_settings`, { token: b.token });
      expect(auditB.body.items.map((e: { resource_id: string }) => e.resource_id)).toEqual([b.tenantId]);
    });

    it('refuses what is not an IANA zone both sides know: 422 with loc/msg/type, never a 500', async () => {
      const bad: unknown[] = ['Mars/Olympus', '+01:00', 'UTC+1', 'europe/berlin', 'Europe/Berlin ', '', 'x'.repeat(65), 'Europe/../Berlin', 42, null, ['UTC']];
      for (const zone of bad) {
        const r = await patch(a, { time_zone: zone });
        expect(r.status, JSON.stringify(zone)).toBe(422);
        expect(r.body.detail[0]).toMatchObject({ loc: ['body', 'time_zone'], msg: expect.any(String), type: expect.any(String) });
      }
      const g = await gql(t.url, 'mutation { updateTenantSettings(input: { timeZone: "+05:30" }) { timeZone } }', undefined, { token: a.token });
      expect(g.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_TIME_ZONE' });
      expect((await settings(a)).body.time_zone).toBe('Europe/Berlin');
    });
  });

  describe('site zones and the zone of a machine', () => {
    it('only site groups take a zone; it is shown and changed on both doors', async () => {
      const line = await http('POST', `${t.api}/machine-groups`, { token: a.token, body: { name: 'Line with zone', group_type: 'line', time_zone: 'Europe/Berlin' } });
      expect(line.status).toBe(422);
      expect(line.body.detail[0]).toMatchObject({ loc: ['body', 'time_zone'], type: 'value_error' });
      const badZone = await http('POST', `${t.api}/machine-groups`, { token: a.token, body: { name: 'Odd site', group_type: 'site', time_zone: 'Mars/Olympus' } });
      expect(badZone.status).toBe(422);
      expect(badZone.body.detail[0].loc).toEqual(['body', 'time_zone']);

      const site = await http('POST', `${t.api}/machine-groups`, { token: a.token, body: { name: 'Pune', group_type: 'site', time_zone: 'Asia/Kolkata' } });
      expect(site.status, site.text).toBe(201);
      expect(site.body.time_zone).toBe('Asia/Kolkata');
      expect((await http('GET', `${t.api}/machine-groups/${site.body.id}`, { token: viewer.token })).body.time_zone).toBe('Asia/Kolkata');

      // a site turned into a line must drop its zone in the same patch
      const toLine = await http('PATCH', `${t.api}/machine-groups/${site.body.id}`, { token: a.token, body: { group_type: 'line' } });
      expect(toLine.status).toBe(422);
      expect(toLine.body.detail[0].loc).toEqual(['body', 'time_zone']);
      const cleared = await http('PATCH', `${t.api}/machine-groups/${site.body.id}`, { token: a.token, body: { group_type: 'line', time_zone: null } });
      expect(cleared.status, cleared.text).toBe(200);
      expect(cleared.body).toMatchObject({ group_type: 'line', time_zone: null });

      const created = await gql(
        t.url,
        'mutation { createMachineGroup(input: { name: "Graz", groupType: site, timeZone: "Europe/Vienna" }) { id timeZone } }',
        undefined,
        { token: a.token },
      );
      const id = created.body.data.createMachineGroup.id;
      expect(created.body.data.createMachineGroup.timeZone).toBe('Europe/Vienna');
      const moved = await gql(t.url, `mutation { updateMachineGroup(id: "${id}", input: { timeZone: "Europe/Berlin" }) { timeZone } }`, undefined, { token: a.token });
      expect(moved.body.data.updateMachineGroup.timeZone).toBe('Europe/Berlin');
      const bad = await gql(t.url, `mutation { updateMachineGroup(id: "${id}", input: { timeZone: "berlin" }) { timeZone } }`, undefined, { token: a.token });
      expect(bad.body.errors?.[0]?.extensions?.reason).toBe('UNKNOWN_TIME_ZONE');
      expect((await gql(t.url, `{ machineGroup(id: "${id}") { timeZone } }`, undefined, { token: viewer.token })).body.data.machineGroup.timeZone).toBe('Europe/Berlin');
      // another tenant's group stays a 404
      expect((await http('PATCH', `${t.api}/machine-groups/${id}`, { token: b.token, body: { time_zone: 'UTC' } })).status).toBe(404);
    });

    it("a machine uses its site's zone (through a line too), the oldest site when several, else the tenant's", async () => {
      const zones = t.app.container.services.machineZones;
      const [inLine, inSecondSite, inBareSite, loose] = [await machine(a, 'In line'), await machine(a, 'Second site'), await machine(a, 'Bare site'), await machine(a, 'Loose')];
      const first = await group(a, { name: 'Site 1', group_type: 'site', time_zone: 'Asia/Kolkata' });
      const line = await group(a, { name: 'Line 1', group_type: 'line', parent_id: first }, [inLine]);
      const second = await group(a, { name: 'Site 2', group_type: 'site', time_zone: 'America/New_York' }, [inLine, inSecondSite]);
      const bare = await group(a, { name: 'Site 3', group_type: 'site' }, [inBareSite]);
      await group(a, { name: 'Custom', group_type: 'custom' }, [loose]);
      expect(line).not.toBe(first);

      expect(await zones.tenantZone(a.tenantId)).toBe('Europe/Berlin');
      expect(await zones.zoneOf(a.tenantId, inLine)).toBe('Asia/Kolkata');
      expect(await zones.siteOf(a.tenantId, inLine)).toBe(first);
      expect(await zones.zoneOf(a.tenantId, inSecondSite)).toBe('America/New_York');
      expect(await zones.siteOf(a.tenantId, inSecondSite)).toBe(second);
      expect(await zones.zoneOf(a.tenantId, inBareSite)).toBe('Europe/Berlin');
      expect(await zones.siteOf(a.tenantId, inBareSite)).toBe(bare);
      expect(await zones.zoneOf(a.tenantId, loose)).toBe('Europe/Berlin');
      expect(await zones.siteOf(a.tenantId, loose)).toBeNull();

      // the SQL expression aggregates use gives the same answers
      const sqlZones = await t.app.container.db.query<{ id: string; zone: string }>(
        `select m.id, ${machineZoneSql('m.id', 'm.tenant_id')} as zone from machines m where m.tenant_id = ? and m.id = any(?::uuid[])`,
        [a.tenantId, `{${[inLine, inSecondSite, inBareSite, loose].join(',')}}`],
      );
      const expected = new Map([[inLine, 'Asia/Kolkata'], [inSecondSite, 'America/New_York'], [inBareSite, 'Europe/Berlin'], [loose, 'Europe/Berlin']]);
      expect(new Map(sqlZones.map((r) => [r.id, r.zone]))).toEqual(expected);
      expect(await zones.zonesOf(a.tenantId, [inLine, inSecondSite, inBareSite, loose])).toEqual(expected);

      // another tenant's machine, an unknown id, a non-uuid: never another tenant's site, only the caller's tenant zone
      const foreign = await machine(b, 'Foreign');
      const unknown = randomUUID();
      expect(await zones.zonesOf(a.tenantId, [foreign, unknown, 'not-a-uuid'])).toEqual(new Map([[foreign, 'Europe/Berlin'], [unknown, 'Europe/Berlin'], ['not-a-uuid', 'Europe/Berlin']]));
      expect(await zones.siteOf(a.tenantId, foreign)).toBeNull();
      expect(await zones.zoneOf(b.tenantId, foreign)).toBe('America/New_York');

      // clearing the oldest site's zone: its machines use the tenant's (the site is still theirs)
      expect((await http('PATCH', `${t.api}/machine-groups/${first}`, { token: a.token, body: { time_zone: null } })).status).toBe(200);
      expect(await zones.zoneOf(a.tenantId, inLine)).toBe('Europe/Berlin');
      expect(await zones.siteOf(a.tenantId, inLine)).toBe(first);
      // leaving the first site's line: the second site is the only one left
      expect((await http('PUT', `${t.api}/machine-groups/${line}/members`, { token: a.token, body: { machine_ids: [] } })).status).toBe(200);
      expect(await zones.zoneOf(a.tenantId, inLine)).toBe('America/New_York');
      // the tenant's zone moves the machines without a site zone at once
      expect((await patch(a, { time_zone: 'Australia/Lord_Howe' })).status).toBe(200);
      expect(await zones.zonesOf(a.tenantId, [inBareSite, loose, inLine])).toEqual(
        new Map([[inBareSite, 'Australia/Lord_Howe'], [loose, 'Australia/Lord_Howe'], [inLine, 'America/New_York']]),
      );
    });
  });
});
