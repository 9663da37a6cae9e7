/**
 * Machines, machine groups and fleet status over REST (spec machines.md, fleet.md): the documented
 * requests sent as written, plus the behaviour the docs leave open and decisions.md fixes
 * (identifier uniqueness after soft delete, search semantics, sort fields, group cycles...).
 * Every test registers its own tenant, so counts never depend on another test's leftovers.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUserSession, http, registerTenant, startTestApp, type HttpResult, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface MachineJson {
  id: string;
  name: string;
  machine_identifier: string;
  protocol: string;
  location: string | null;
  status: string;
  tenant_id: string;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

describe.skipIf(pgSvc.skip)(`machines, machine groups and fleet over REST${pgSvc.label}`, () => {
  let t: TestApp;
  let db: pg.Client;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.stop();
  });

  const api = (p: string) => `${t.api}${p}`;

  async function createMachine(s: TenantSession, body: Record<string, unknown>): Promise<MachineJson> {
    const r = await http('POST', api('/machines'), { token: s.token, body: { protocol: 'json', ...body } });
    if (r.status !== 201) throw new Error(`create machine failed: ${r.status} ${r.text}`);
    return r.body;
  }
  async function createGroup(s: TenantSession, body: Record<string, unknown>): Promise<{ id: string; name: string; parent_id: string | null }> {
    const r = await http('POST', api('/machine-groups'), { token: s.token, body: { group_type: 'custom', ...body } });
    if (r.status !== 201) throw new Error(`create group failed: ${r.status} ${r.text}`);
    return r.body;
  }
  async function setMembers(s: TenantSession, groupId: string, ids: string[]): Promise<HttpResult> {
    return http('PUT', api(`/machine-groups/${groupId}/members`), { token: s.token, body: { machine_ids: ids } });
  }
  async function listMachines(s: TenantSession, query: Record<string, string> = {}): Promise<HttpResult> {
    const qs = new URLSearchParams({ page_size: '100', ...query }).toString();
    return http('GET', api(`/machines?${qs}`), { token: s.token });
  }
  async function listNames(s: TenantSession, query: Record<string, string> = {}): Promise<string[]> {
    const r = await listMachines(s, query);
    expect(r.status, r.text).toBe(200);
    return (r.body.items as MachineJson[]).map((m) => m.name).sort();
  }
  async function auditOf(s: TenantSession, action: string, resourceId?: string): Promise<{ action: string; resource_id: string | null; details: any; user_id: string | null }[]> {
    const q = new URLSearchParams({ action, page_size: '100' });
    if (resourceId) q.set('resource_id', resourceId);
    const r = await http('GET', api(`/audit?${q.toString()}`), { token: s.token });
    expect(r.status, r.text).toBe(200);
    return r.body.items;
  }
  /** Stores a computed status with a fresh reading time (a silent machine reads as offline whatever is stored). */
  async function setStatus(id: string, status: string): Promise<void> {
    await db.query(`update machines set status = $1::varchar, last_reading_at = case when $1::varchar = 'offline' then null else now() end where id = $2`, [status, id]);
  }
  const issueLocs = (r: HttpResult) => (r.body.detail as { loc: unknown[] }[]).map((i) => i.loc);

  describe('documented examples', () => {
    it('POST /machines with the documented body: 201 and the documented machine object', async () => {
      const admin = await registerTenant(t.api, 'doc');
      const res = await http('POST', api('/machines'), {
        token: admin.token,
        body: { name: 'CNC Mill #1', machine_identifier: 'CNC-001', protocol: 'json', location: 'Building A, Line 3' },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({
        name: 'CNC Mill #1',
        machine_identifier: 'CNC-001',
        protocol: 'json',
        location: 'Building A, Line 3',
        status: 'offline',
        tenant_id: admin.tenantId,
        is_active: true,
      });
      expect(res.body.id).toMatch(UUID);
      expect(res.body.created_at).toMatch(ISO_UTC);
      expect(res.body.updated_at).toMatch(ISO_UTC);

      // GET returns the same object; the list item carries the documented subset (at least)
      const one = await http('GET', api(`/machines/${res.body.id}`), { token: admin.token });
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: res.body.id, name: 'CNC Mill #1', machine_identifier: 'CNC-001', status: 'offline', is_active: true });
      const list = await listMachines(admin);
      expect(list.body).toMatchObject({ total: 1, page: 1, page_size: 100, total_pages: 1 });
      expect(Object.keys(list.body.items[0])).toEqual(expect.arrayContaining(['id', 'name', 'machine_identifier', 'status', 'protocol', 'location', 'created_at']));
    });

    it('PATCH {"location": "Building B, Line 1"} changes only the location', async () => {
      const admin = await registerTenant(t.api, 'doc');
      const m = await createMachine(admin, { name: 'CNC Mill #1', machine_identifier: 'CNC-001', protocol: 'json', location: 'Building A, Line 3' });
      const res = await http('PATCH', api(`/machines/${m.id}`), { token: admin.token, body: { location: 'Building B, Line 1' } });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id: m.id, name: 'CNC Mill #1', machine_identifier: 'CNC-001', protocol: 'json', location: 'Building B, Line 1', status: 'offline' });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(m.updated_at));
      expect(res.body.created_at).toBe(m.created_at);
      const again = await http('GET', api(`/machines/${m.id}`), { token: admin.token });
      expect(again.body.location).toBe('Building B, Line 1');
      // null clears the location
      const cleared = await http('PATCH', api(`/machines/${m.id}`), { token: admin.token, body: { location: null } });
      expect(cleared.status).toBe(200);
      expect(cleared.body.location).toBeNull();
    });

    it('status is computed by the server: a PATCH cannot set it', async () => {
      const admin = await registerTenant(t.api, 'doc');
      const m = await createMachine(admin, { name: 'Press', machine_identifier: 'PRESS-1' });
      const res = await http('PATCH', api(`/machines/${m.id}`), { token: admin.token, body: { status: 'healthy', name: 'Press 2' } });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ name: 'Press 2', status: 'offline' });
    });

    it('DELETE /machines/{id}: 204, then the machine is gone from list, GET and fleet status; audited as delete_machine', async () => {
      const admin = await registerTenant(t.api, 'doc');
      const keep = await createMachine(admin, { name: 'Keeper', machine_identifier: 'KEEP-1' });
      const m = await createMachine(admin, { name: 'Doomed', machine_identifier: 'DOOM-1' });
      const res = await http('DELETE', api(`/machines/${m.id}`), { token: admin.token });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');

      const list = await listMachines(admin);
      expect(list.body.total).toBe(1);
      expect(list.body.items.map((x: MachineJson) => x.id)).toEqual([keep.id]);
      const get = await http('GET', api(`/machines/${m.id}`), { token: admin.token });
      expect(get.status).toBe(404);
      expect(typeof get.body.detail).toBe('string');
      const fleet = await http('GET', api('/fleet/status'), { token: admin.token });
      expect(fleet.body.total_machines).toBe(1);
      expect(fleet.body.machines.map((x: { id: string }) => x.id)).toEqual([keep.id]);
      // a second delete, a PATCH of the deleted machine: 404
      expect((await http('DELETE', api(`/machines/${m.id}`), { token: admin.token })).status).toBe(404);
      expect((await http('PATCH', api(`/machines/${m.id}`), { token: admin.token, body: { name: 'Zombie' } })).status).toBe(404);

      const audit = await auditOf(admin, 'delete_machine', m.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]!.user_id).toBe(admin.userId);
      // soft delete: the row stays, deactivated
      const row = await db.query('select is_active, deleted_at from machines where id = $1', [m.id]);
      expect(row.rows[0]).toMatchObject({ is_active: false });
      expect(row.rows[0].deleted_at).toBeInstanceOf(Date);
    });

    it('POST /machine-groups with the documented body: 201 with the group', async () => {
      const admin = await registerTenant(t.api, 'doc');
      const res = await http('POST', api('/machine-groups'), {
        token: admin.token,
        body: { name: 'Building A', group_type: 'site', parent_id: null, description: 'Main production facility' },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ name: 'Building A', group_type: 'site', parent_id: null, description: 'Main production facility', tenant_id: admin.tenantId });
      expect(res.body.id).toMatch(UUID);
      expect(res.body.created_at).toMatch(ISO_UTC);
    });

    it('PUT /machine-groups/{id}/members with {"machine_ids": [...]} sets the membership', async () => {
      const admin = await registerTenant(t.api, 'doc');
      const g = await createGroup(admin, { name: 'Building A', group_type: 'site' });
      const ms = [];
      for (let i = 1; i <= 3; i++) ms.push(await createMachine(admin, { name: `M${i}`, machine_identifier: `M-${i}` }));
      const res = await setMembers(admin, g.id, ms.map((m) => m.id));
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id: g.id, name: 'Building A' });
      const members = await http('GET', api(`/machine-groups/${g.id}/members`), { token: admin.token });
      expect(members.status).toBe(200);
      expect(members.body.total).toBe(3);
      expect(members.body.items.map((m: MachineJson) => m.id).sort()).toEqual(ms.map((m) => m.id).sort());
    });

    it('GET /machine-groups/tree nests children under their parents, with direct machine counts', async () => {
      const admin = await registerTenant(t.api, 'doc');
      const site = await createGroup(admin, { name: 'Building A', group_type: 'site' });
      const line1 = await createGroup(admin, { name: 'Line 1', group_type: 'line', parent_id: site.id });
      const line2 = await createGroup(admin, { name: 'Line 2', group_type: 'line', parent_id: site.id });
      const cell = await createGroup(admin, { name: 'Cell 7', group_type: 'department', parent_id: line1.id });
      const other = await createGroup(admin, { name: 'Building B', group_type: 'site' });
      const m1 = await createMachine(admin, { name: 'M1', machine_identifier: 'M-1' });
      const m2 = await createMachine(admin, { name: 'M2', machine_identifier: 'M-2' });
      expect((await setMembers(admin, cell.id, [m1.id, m2.id])).status).toBe(200);
      expect((await setMembers(admin, site.id, [m1.id])).status).toBe(200);

      const res = await http('GET', api('/machine-groups/tree'), { token: admin.token });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual([
        {
          id: site.id, name: 'Building A', group_type: 'site', parent_id: null, description: null, machine_count: 1,
          children: [
            {
              id: line1.id, name: 'Line 1', group_type: 'line', parent_id: site.id, description: null, machine_count: 0,
              children: [{ id: cell.id, name: 'Cell 7', group_type: 'department', parent_id: line1.id, description: null, machine_count: 2, children: [] }],
            },
            { id: line2.id, name: 'Line 2', group_type: 'line', parent_id: site.id, description: null, machine_count: 0, children: [] },
          ],
        },
        { id: other.id, name: 'Building B', group_type: 'site', parent_id: null, description: null, machine_count: 0, children: [] },
      ]);
      // a soft-deleted machine no longer counts
      expect((await http('DELETE', api(`/machines/${m2.id}`), { token: admin.token })).status).toBe(204);
      const after = await http('GET', api('/machine-groups/tree'), { token: admin.token });
      expect(after.body[0].children[0].children[0].machine_count).toBe(1);
    });

    it('GET /fleet/status: {total_machines, machines:[{id,name,status,alert_count,last_reading_at}]}', async () => {
      const admin = await registerTenant(t.api, 'doc');
      const m1 = await createMachine(admin, { name: 'CNC Mill #1', machine_identifier: 'CNC-001' });
      const m2 = await createMachine(admin, { name: 'Pump A3', machine_identifier: 'PUMP-A3', protocol: 'modbus_tcp' });
      const res = await http('GET', api('/fleet/status'), { token: admin.token });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        total_machines: 2,
        machines: [
          { id: m1.id, name: 'CNC Mill #1', status: 'offline', alert_count: 0, last_reading_at: null },
          { id: m2.id, name: 'Pump A3', status: 'offline', alert_count: 0, last_reading_at: null },
        ],
      });
      // another tenant sees only its own fleet
      const other = await registerTenant(t.api, 'doc-other');
      const empty = await http('GET', api('/fleet/status'), { token: other.token });
      expect(empty.body).toEqual({ total_machines: 0, machines: [] });
    });
  });

  describe('machine_identifier uniqueness', () => {
    it('a duplicate in the same tenant is 409 (create and PATCH); another tenant may use it', async () => {
      const a = await registerTenant(t.api, 'dup-a');
      const b = await registerTenant(t.api, 'dup-b');
      const m = await createMachine(a, { name: 'CNC Mill #1', machine_identifier: 'CNC-001' });
      const dup = await http('POST', api('/machines'), { token: a.token, body: { name: 'Other', machine_identifier: 'CNC-001', protocol: 'csv' } });
      expect(dup.status, dup.text).toBe(409);
      expect(dup.body.detail).toContain('CNC-001');

      const other = await createMachine(a, { name: 'Second', machine_identifier: 'CNC-002' });
      const patch = await http('PATCH', api(`/machines/${other.id}`), { token: a.token, body: { machine_identifier: 'CNC-001' } });
      expect(patch.status, patch.text).toBe(409);
      expect((await http('GET', api(`/machines/${other.id}`), { token: a.token })).body.machine_identifier).toBe('CNC-002');

      const inB = await http('POST', api('/machines'), { token: b.token, body: { name: 'B mill', machine_identifier: 'CNC-001', protocol: 'json' } });
      expect(inB.status, inB.text).toBe(201);
      expect(inB.body.tenant_id).toBe(b.tenantId);
      expect(inB.body.id).not.toBe(m.id);
      expect((await listMachines(a)).body.total).toBe(2);
    });

    it('stays reserved after a soft delete (decision): re-registering the identifier is 409', async () => {
      const a = await registerTenant(t.api, 'dup-del');
      const m = await createMachine(a, { name: 'Old', machine_identifier: 'PUMP-A3' });
      expect((await http('DELETE', api(`/machines/${m.id}`), { token: a.token })).status).toBe(204);
      const again = await http('POST', api('/machines'), { token: a.token, body: { name: 'New', machine_identifier: 'PUMP-A3', protocol: 'json' } });
      expect(again.status, again.text).toBe(409);
      expect((await listMachines(a)).body.total).toBe(0);
    });
  });

  describe('validation of machine bodies', () => {
    it('missing fields, unknown protocol, bad identifier: 422 with body locations; nothing created', async () => {
      const a = await registerTenant(t.api, 'val');
      const missing = await http('POST', api('/machines'), { token: a.token, body: { name: 'X' } });
      expect(missing.status).toBe(422);
      expect(issueLocs(missing)).toEqual(expect.arrayContaining([['body', 'machine_identifier'], ['body', 'protocol']]));
      const proto = await http('POST', api('/machines'), { token: a.token, body: { name: 'X', machine_identifier: 'X-1', protocol: 'mqtt' } });
      expect(proto.status).toBe(422);
      expect(issueLocs(proto)).toContainEqual(['body', 'protocol']);
      const ident = await http('POST', api('/machines'), { token: a.token, body: { name: 'X', machine_identifier: 'has space', protocol: 'json' } });
      expect(ident.status).toBe(422);
      expect(issueLocs(ident)).toContainEqual(['body', 'machine_identifier']);
      expect((await listMachines(a)).body.total).toBe(0);
    });

    it('text PostgreSQL cannot store (NUL, lone surrogates) is a 422, never a 500', async () => {
      const a = await registerTenant(t.api, 'val-text');
      const cases: [string, string, string, unknown[]][] = [
        ['POST', '/machines', '{"name":"x\\ud800","machine_identifier":"S-1","protocol":"json"}', ['body', 'name']],
        ['POST', '/machines', '{"name":"x","machine_identifier":"S-1","protocol":"json","location":"Hall \\udc00"}', ['body', 'location']],
        ['POST', '/machines', '{"name":"x\\u0000y","machine_identifier":"S-1","protocol":"json"}', ['body', 'name']],
        ['POST', '/machine-groups', '{"name":"x\\ud800","group_type":"site"}', ['body', 'name']],
        ['POST', '/machine-groups', '{"name":"G","group_type":"site","description":"a\\u0000b"}', ['body', 'description']],
        ['POST', '/machine-groups', '{"name":"G","group_type":"site","description":"a\\ud800b"}', ['body', 'description']],
      ];
      for (const [method, path, raw, loc] of cases) {
        const r = await http(method, api(path), { token: a.token, raw });
        expect(r.status, `${path} ${raw}: ${r.text}`).toBe(422);
        expect(issueLocs(r)).toContainEqual(loc);
      }
      const nul = await listMachines(a, { search: 'a\u0000b' });
      expect(nul.status, nul.text).toBe(422);
      expect(issueLocs(nul)).toContainEqual(['query', 'search']);
      // a multi-line description and non-ASCII names are fine
      const g = await http('POST', api('/machine-groups'), { token: a.token, body: { name: 'Gießerei 😀', group_type: 'site', description: 'line 1\nline 2\ttab' } });
      expect(g.status, g.text).toBe(201);
      expect(g.body).toMatchObject({ name: 'Gießerei 😀', description: 'line 1\nline 2\ttab' });
      const m = await createMachine(a, { name: 'Fräse 😀', machine_identifier: 'S-2', location: 'Halle Ü' });
      expect(m).toMatchObject({ name: 'Fräse 😀', location: 'Halle Ü' });
      expect(await listNames(a, { search: '😀' })).toEqual(['Fräse 😀']);
      expect((await listMachines(a)).body.total).toBe(1);
    });
  });

  describe('GET /machines', () => {
    it('paginates with the documented envelope', async () => {
      const a = await registerTenant(t.api, 'page');
      for (let i = 1; i <= 5; i++) await createMachine(a, { name: `Machine ${i}`, machine_identifier: `PG-${i}` });
      const seen: string[] = [];
      for (const page of [1, 2, 3]) {
        const r = await http('GET', api(`/machines?page=${page}&page_size=2`), { token: a.token });
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ total: 5, page, page_size: 2, total_pages: 3 });
        expect(r.body.items).toHaveLength(page === 3 ? 1 : 2);
        seen.push(...r.body.items.map((m: MachineJson) => m.name));
      }
      expect(seen).toEqual(['Machine 1', 'Machine 2', 'Machine 3', 'Machine 4', 'Machine 5']);
      const past = await http('GET', api('/machines?page=4&page_size=2'), { token: a.token });
      expect(past.body).toMatchObject({ items: [], total: 5, page: 4, total_pages: 3 });
      const defaults = await http('GET', api('/machines'), { token: a.token });
      expect(defaults.body).toMatchObject({ page: 1, page_size: 20, total: 5 });
      const tooBig = await http('GET', api('/machines?page_size=101'), { token: a.token });
      expect(tooBig.status).toBe(422);
      expect(issueLocs(tooBig)).toContainEqual(['query', 'page_size']);
    });

    it('group_id includes machines of descendant groups; unknown or foreign groups are 404', async () => {
      const a = await registerTenant(t.api, 'grp');
      const site = await createGroup(a, { name: 'Site', group_type: 'site' });
      const line = await createGroup(a, { name: 'Line', group_type: 'line', parent_id: site.id });
      const cell = await createGroup(a, { name: 'Cell', group_type: 'department', parent_id: line.id });
      const sibling = await createGroup(a, { name: 'Sibling', group_type: 'line', parent_id: site.id });
      const inSite = await createMachine(a, { name: 'In site', machine_identifier: 'S-1' });
      const inLine = await createMachine(a, { name: 'In line', machine_identifier: 'L-1' });
      const inCell = await createMachine(a, { name: 'In cell', machine_identifier: 'C-1' });
      const inBoth = await createMachine(a, { name: 'In cell and sibling', machine_identifier: 'C-2' });
      await createMachine(a, { name: 'Ungrouped', machine_identifier: 'U-1' });
      expect((await setMembers(a, site.id, [inSite.id])).status).toBe(200);
      expect((await setMembers(a, line.id, [inLine.id])).status).toBe(200);
      expect((await setMembers(a, cell.id, [inCell.id, inBoth.id])).status).toBe(200);
      expect((await setMembers(a, sibling.id, [inBoth.id])).status).toBe(200);

      expect(await listNames(a, { group_id: site.id })).toEqual(['In cell', 'In cell and sibling', 'In line', 'In site']);
      const siteList = await listMachines(a, { group_id: site.id });
      expect(siteList.body.total).toBe(4); // a machine in two groups of the subtree is listed once
      expect(await listNames(a, { group_id: line.id })).toEqual(['In cell', 'In cell and sibling', 'In line']);
      expect(await listNames(a, { group_id: cell.id })).toEqual(['In cell', 'In cell and sibling']);
      expect(await listNames(a, { group_id: sibling.id })).toEqual(['In cell and sibling']);
      expect(await listNames(a)).toHaveLength(5);

      expect((await listMachines(a, { group_id: randomUUID() })).status).toBe(404);
      const b = await registerTenant(t.api, 'grp-b');
      const foreign = await listMachines(b, { group_id: site.id });
      expect(foreign.status).toBe(404);
      const bad = await listMachines(a, { group_id: 'nope' });
      expect(bad.status).toBe(422);
      expect(issueLocs(bad)).toContainEqual(['query', 'group_id']);
    });

    it('search is a case-insensitive substring of name or identifier; %, _ and \\ are literal', async () => {
      const a = await registerTenant(t.api, 'search');
      await createMachine(a, { name: '100% Pump', machine_identifier: 'PUMP-100' });
      await createMachine(a, { name: 'A_B', machine_identifier: 'AB-1' });
      await createMachine(a, { name: 'AxB', machine_identifier: 'AXB-1' });
      await createMachine(a, { name: 'Lathe', machine_identifier: 'LATHE_01' });
      await createMachine(a, { name: 'C:\\Tools Mill', machine_identifier: 'MILL-9' });
      await createMachine(a, { name: 'Drill', machine_identifier: 'DRILL-1' });

      expect(await listNames(a, { search: 'pump' })).toEqual(['100% Pump']);
      expect(await listNames(a, { search: 'PUMP' })).toEqual(['100% Pump']);
      expect(await listNames(a, { search: 'lathe_0' })).toEqual(['Lathe']); // identifier, case-insensitive
      expect(await listNames(a, { search: 'ill' })).toEqual(['C:\\Tools Mill', 'Drill']);
      expect(await listNames(a, { search: '%' })).toEqual(['100% Pump']);
      expect(await listNames(a, { search: '0%' })).toEqual(['100% Pump']);
      expect(await listNames(a, { search: '_' })).toEqual(['A_B', 'Lathe']);
      expect(await listNames(a, { search: 'a_b' })).toEqual(['A_B']);
      expect(await listNames(a, { search: '\\' })).toEqual(['C:\\Tools Mill']);
      expect(await listNames(a, { search: '\\T' })).toEqual(['C:\\Tools Mill']);
      expect(await listNames(a, { search: "'; drop table machines; --" })).toEqual([]);
      expect(await listNames(a, { search: 'zzz' })).toEqual([]);
      const r = await listMachines(a, { search: '_' });
      expect(r.body.total).toBe(2);

      const long = await listMachines(a, { search: 'x'.repeat(201) });
      expect(long.status, long.text).toBe(422);
      expect(issueLocs(long)).toContainEqual(['query', 'search']);
      expect((await listMachines(a, { search: 'x'.repeat(200) })).status).toBe(200);
    });

    it('search folds case beyond ASCII and follows renames at once', async () => {
      const a = await registerTenant(t.api, 'search-fold');
      const m = await createMachine(a, { name: 'Fräse ÜBERLAST', machine_identifier: 'Fr-7' });
      await createMachine(a, { name: 'Presse', machine_identifier: 'P-1' });
      expect(await listNames(a, { search: 'überlast' })).toEqual(['Fräse ÜBERLAST']);
      expect(await listNames(a, { search: 'FRÄSE' })).toEqual(['Fräse ÜBERLAST']);
      expect(await listNames(a, { search: 'fR-7' })).toEqual(['Fräse ÜBERLAST']);
      // the lower-cased search copies are kept by the database on update
      const patched = await http('PATCH', api(`/machines/${m.id}`), { token: a.token, body: { name: 'Drehbank ÆØÅ', machine_identifier: 'DB-1' } });
      expect(patched.status, patched.text).toBe(200);
      expect(await listNames(a, { search: 'fräse' })).toEqual([]);
      expect(await listNames(a, { search: 'fr-7' })).toEqual([]);
      expect(await listNames(a, { search: 'DREH' })).toEqual(['Drehbank ÆØÅ']);
      expect(await listNames(a, { search: 'æøå' })).toEqual(['Drehbank ÆØÅ']);
      expect(await listNames(a, { search: 'db-1' })).toEqual(['Drehbank ÆØÅ']);
    });

    it('status filters by the computed status; an unknown status is 422', async () => {
      const a = await registerTenant(t.api, 'status');
      const ms: MachineJson[] = [];
      for (const [i, name] of ['One', 'Two', 'Three', 'Four', 'Five'].entries()) ms.push(await createMachine(a, { name, machine_identifier: `ST-${i}` }));
      // status is derived from readings (none ingested here): set it the way the status evaluation would
      await setStatus(ms[0]!.id, 'critical');
      await setStatus(ms[1]!.id, 'critical');
      await setStatus(ms[2]!.id, 'healthy');
      await setStatus(ms[3]!.id, 'warning');

      expect(await listNames(a, { status: 'critical' })).toEqual(['One', 'Two']);
      expect(await listNames(a, { status: 'healthy' })).toEqual(['Three']);
      expect(await listNames(a, { status: 'warning' })).toEqual(['Four']);
      expect(await listNames(a, { status: 'offline' })).toEqual(['Five']);
      expect((await listMachines(a, { status: 'critical' })).body.total).toBe(2);
      const bad = await listMachines(a, { status: 'broken' });
      expect(bad.status).toBe(422);
      expect(issueLocs(bad)).toContainEqual(['query', 'status']);
      // fleet status reports the statuses too, and filters by them
      const fleet = await http('GET', api('/fleet/status?status=critical'), { token: a.token });
      expect(fleet.status).toBe(200);
      expect(fleet.body.total_machines).toBe(2);
      expect(fleet.body.machines.every((m: { status: string }) => m.status === 'critical')).toBe(true);
    });

    it('a machine silent for longer than the offline window reads offline (GET, list, filter, PATCH, fleet)', async () => {
      const a = await registerTenant(t.api, 'stale');
      const m = await createMachine(a, { name: 'Stale', machine_identifier: 'STALE-1' });
      // the last evaluation said critical, but no reading for a day (window: MACHINE_OFFLINE_AFTER_SEC, 300 s)
      await db.query(`update machines set status = 'critical', last_reading_at = now() - interval '1 day' where id = $1`, [m.id]);
      expect((await http('GET', api(`/machines/${m.id}`), { token: a.token })).body.status).toBe('offline');
      expect((await listMachines(a)).body.items[0].status).toBe('offline');
      expect(await listNames(a, { status: 'offline' })).toEqual(['Stale']);
      expect(await listNames(a, { status: 'critical' })).toEqual([]);
      const patched = await http('PATCH', api(`/machines/${m.id}`), { token: a.token, body: { location: 'Hall 9' } });
      expect(patched.status).toBe(200);
      expect(patched.body.status).toBe('offline');
      const fleet = await http('GET', api('/fleet/status'), { token: a.token });
      expect(fleet.body.machines[0]).toMatchObject({ id: m.id, status: 'offline' });
      expect(Date.parse(fleet.body.machines[0].last_reading_at)).toBeLessThan(Date.now() - 3_600_000);
    });

    it('every sort_by value orders correctly, ascending and descending (id breaks ties)', async () => {
      const a = await registerTenant(t.api, 'sort');
      const specs = [
        { name: 'Delta', machine_identifier: 'SRT-3', location: 'Hall 2', status: 'warning' },
        { name: 'Alpha', machine_identifier: 'SRT-5', location: null, status: 'critical' },
        { name: 'Echo', machine_identifier: 'SRT-1', location: 'Hall 1', status: 'healthy' },
        { name: 'Charlie', machine_identifier: 'SRT-4', location: 'Hall 3', status: 'critical' },
        { name: 'Bravo', machine_identifier: 'SRT-2', location: null, status: 'offline' },
      ];
      const created: MachineJson[] = [];
      for (const s of specs) {
        created.push(await createMachine(a, { name: s.name, machine_identifier: s.machine_identifier, location: s.location }));
        await new Promise((r) => setTimeout(r, 5));
      }
      for (const [i, s] of specs.entries()) await setStatus(created[i]!.id, s.status);
      // updated_at in an order unlike creation: a real change (protocol) in another order
      for (const name of ['Echo', 'Charlie', 'Delta', 'Alpha', 'Bravo']) {
        const m = created.find((c) => c.name === name)!;
        const r = await http('PATCH', api(`/machines/${m.id}`), { token: a.token, body: { protocol: 'csv' } });
        expect(r.status).toBe(200);
        expect(Date.parse(r.body.updated_at)).toBeGreaterThan(Date.parse(m.updated_at));
        await new Promise((r) => setTimeout(r, 5));
      }
      const rows = (await listMachines(a)).body.items as MachineJson[];
      expect(rows).toHaveLength(5);

      const cmpStr = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
      const keyOf: Record<string, (m: MachineJson) => string | number | null> = {
        name: (m) => m.name,
        machine_identifier: (m) => m.machine_identifier,
        status: (m) => m.status,
        created_at: (m) => Date.parse(m.created_at),
        updated_at: (m) => Date.parse(m.updated_at),
        location: (m) => m.location,
      };
      // sanity: the fixture really varies each key, so the order is not accidental
      expect(new Set(rows.map((m) => m.status)).size).toBe(4);
      const orderBy = (k: 'created_at' | 'updated_at') => [...rows].sort((x, y) => Date.parse(x[k]) - Date.parse(y[k])).map((m) => m.name);
      expect(orderBy('updated_at')).not.toEqual(orderBy('created_at'));

      for (const field of ['name', 'machine_identifier', 'status', 'created_at', 'updated_at', 'location']) {
        // ascending: nulls last (location); ties by id
        const asc = (x: MachineJson, y: MachineJson) => {
          const kx = keyOf[field]!(x);
          const ky = keyOf[field]!(y);
          if (kx !== ky) {
            if (kx === null) return 1;
            if (ky === null) return -1;
            return typeof kx === 'number' ? kx - (ky as number) : cmpStr(kx, ky as string);
          }
          return cmpStr(x.id, y.id);
        };
        for (const dir of ['asc', 'desc'] as const) {
          const res = await listMachines(a, { sort_by: field, sort_dir: dir });
          expect(res.status, res.text).toBe(200);
          const got = (res.body.items as MachineJson[]).map((m) => m.id);
          const expected = [...rows].sort((x, y) => (dir === 'asc' ? asc(x, y) : -asc(x, y))).map((m) => m.id);
          expect(got, `sort_by=${field}&sort_dir=${dir}`).toEqual(expected);
        }
      }
      // spot checks against hand-written expectations
      const byName = async (q: Record<string, string>) => ((await listMachines(a, q)).body.items as MachineJson[]).map((m) => m.name);
      expect(await byName({})).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']); // default: name asc
      expect(await byName({ sort_by: 'name', sort_dir: 'desc' })).toEqual(['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha']);
      expect(await byName({ sort_by: 'machine_identifier' })).toEqual(['Echo', 'Bravo', 'Delta', 'Charlie', 'Alpha']);
      expect(await byName({ sort_by: 'created_at' })).toEqual(['Delta', 'Alpha', 'Echo', 'Charlie', 'Bravo']);
      expect(await byName({ sort_by: 'updated_at', sort_dir: 'desc' })).toEqual(['Bravo', 'Alpha', 'Delta', 'Charlie', 'Echo']);
      const loc = await byName({ sort_by: 'location' });
      expect(loc.slice(0, 3)).toEqual(['Echo', 'Delta', 'Charlie']);
      expect(loc.slice(3).sort()).toEqual(['Alpha', 'Bravo']);
      const locDesc = await byName({ sort_by: 'location', sort_dir: 'desc' });
      expect(locDesc.slice(0, 2).sort()).toEqual(['Alpha', 'Bravo']);
      expect(locDesc.slice(2)).toEqual(['Charlie', 'Delta', 'Echo']);
      // sorting survives pagination: page 2 continues page 1
      const p1 = await http('GET', api('/machines?sort_by=name&sort_dir=desc&page=1&page_size=2'), { token: a.token });
      const p2 = await http('GET', api('/machines?sort_by=name&sort_dir=desc&page=2&page_size=2'), { token: a.token });
      expect([...p1.body.items, ...p2.body.items].map((m: MachineJson) => m.name)).toEqual(['Echo', 'Delta', 'Charlie', 'Bravo']);
    });

    it('sort_by outside the whitelist and sort_dir other than asc/desc are 422 on the query', async () => {
      const a = await registerTenant(t.api, 'sortbad');
      await createMachine(a, { name: 'X', machine_identifier: 'X-1' });
      const pw = await listMachines(a, { sort_by: 'password' });
      expect(pw.status, pw.text).toBe(422);
      expect(issueLocs(pw)).toContainEqual(['query', 'sort_by']);
      const inj = await listMachines(a, { sort_by: 'name; drop table machines' });
      expect(inj.status).toBe(422);
      const up = await listMachines(a, { sort_dir: 'up' });
      expect(up.status, up.text).toBe(422);
      expect(issueLocs(up)).toContainEqual(['query', 'sort_dir']);
      expect((await listMachines(a)).body.total).toBe(1);
    });
  });

  describe('machine groups', () => {
    it('create / list / get / update / delete', async () => {
      const a = await registerTenant(t.api, 'groups');
      const site = await createGroup(a, { name: 'Building A', group_type: 'site', description: 'Main production facility' });
      const line = await createGroup(a, { name: 'Line 3', group_type: 'line', parent_id: site.id });
      expect(line.parent_id).toBe(site.id);

      const list = await http('GET', api('/machine-groups'), { token: a.token });
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ total: 2, page: 1, page_size: 20, total_pages: 1 });
      expect(list.body.items.map((g: { name: string }) => g.name)).toEqual(['Building A', 'Line 3']);
      const lines = await http('GET', api('/machine-groups?group_type=line'), { token: a.token });
      expect(lines.body.items.map((g: { id: string }) => g.id)).toEqual([line.id]);
      const children = await http('GET', api(`/machine-groups?parent_id=${site.id}`), { token: a.token });
      expect(children.body.items.map((g: { id: string }) => g.id)).toEqual([line.id]);

      const get = await http('GET', api(`/machine-groups/${site.id}`), { token: a.token });
      expect(get.status).toBe(200);
      expect(get.body).toMatchObject({ id: site.id, name: 'Building A', group_type: 'site', parent_id: null, description: 'Main production facility' });

      const upd = await http('PATCH', api(`/machine-groups/${line.id}`), { token: a.token, body: { name: 'Line 4', group_type: 'department', description: 'moved' } });
      expect(upd.status, upd.text).toBe(200);
      expect(upd.body).toMatchObject({ id: line.id, name: 'Line 4', group_type: 'department', description: 'moved', parent_id: site.id });
      // parent_id null moves the group to the top; omitting parent_id leaves it
      const keep = await http('PATCH', api(`/machine-groups/${line.id}`), { token: a.token, body: { name: 'Line 5' } });
      expect(keep.body.parent_id).toBe(site.id);
      const root = await http('PATCH', api(`/machine-groups/${line.id}`), { token: a.token, body: { parent_id: null } });
      expect(root.status).toBe(200);
      expect(root.body.parent_id).toBeNull();
      const back = await http('PATCH', api(`/machine-groups/${line.id}`), { token: a.token, body: { parent_id: site.id } });
      expect(back.body.parent_id).toBe(site.id);

      const bad = await http('POST', api('/machine-groups'), { token: a.token, body: { name: 'X', group_type: 'planet' } });
      expect(bad.status).toBe(422);
      expect(issueLocs(bad)).toContainEqual(['body', 'group_type']);

      const del = await http('DELETE', api(`/machine-groups/${line.id}`), { token: a.token });
      expect(del.status).toBe(204);
      expect((await http('GET', api(`/machine-groups/${line.id}`), { token: a.token })).status).toBe(404);
      expect((await http('GET', api('/machine-groups'), { token: a.token })).body.total).toBe(1);
    });

    it('a parent that is the group itself or one of its descendants is 422; the tree is unchanged', async () => {
      const a = await registerTenant(t.api, 'cycle');
      const root = await createGroup(a, { name: 'Root', group_type: 'site' });
      const mid = await createGroup(a, { name: 'Mid', group_type: 'line', parent_id: root.id });
      const leaf = await createGroup(a, { name: 'Leaf', group_type: 'department', parent_id: mid.id });
      for (const [group, parent] of [
        [root, root],
        [root, mid],
        [root, leaf],
        [mid, leaf],
        [leaf, leaf],
      ] as const) {
        const r = await http('PATCH', api(`/machine-groups/${group.id}`), { token: a.token, body: { parent_id: parent.id } });
        expect(r.status, `${group.name} under ${parent.name}: ${r.text}`).toBe(422);
        expect(issueLocs(r)).toContainEqual(['body', 'parent_id']);
      }
      const tree = await http('GET', api('/machine-groups/tree'), { token: a.token });
      expect(tree.body).toHaveLength(1);
      expect(tree.body[0].id).toBe(root.id);
      expect(tree.body[0].children[0].id).toBe(mid.id);
      expect(tree.body[0].children[0].children[0].id).toBe(leaf.id);
      // moving a leaf elsewhere (not a cycle) is fine
      const ok = await http('PATCH', api(`/machine-groups/${leaf.id}`), { token: a.token, body: { parent_id: root.id } });
      expect(ok.status).toBe(200);
    });

    it('deleting a group with children is 409; an unknown or foreign parent is 404', async () => {
      const a = await registerTenant(t.api, 'gdel');
      const b = await registerTenant(t.api, 'gdel-b');
      const root = await createGroup(a, { name: 'Root', group_type: 'site' });
      const child = await createGroup(a, { name: 'Child', group_type: 'line', parent_id: root.id });
      const del = await http('DELETE', api(`/machine-groups/${root.id}`), { token: a.token });
      expect(del.status, del.text).toBe(409);
      expect(typeof del.body.detail).toBe('string');
      expect((await http('GET', api(`/machine-groups/${root.id}`), { token: a.token })).status).toBe(200);

      const unknown = await http('POST', api('/machine-groups'), { token: a.token, body: { name: 'X', group_type: 'line', parent_id: randomUUID() } });
      expect(unknown.status, unknown.text).toBe(404);
      const foreignB = await createGroup(b, { name: 'B root', group_type: 'site' });
      const foreign = await http('POST', api('/machine-groups'), { token: a.token, body: { name: 'X', group_type: 'line', parent_id: foreignB.id } });
      expect(foreign.status).toBe(404);
      const patchUnknown = await http('PATCH', api(`/machine-groups/${child.id}`), { token: a.token, body: { parent_id: randomUUID() } });
      expect(patchUnknown.status).toBe(404);
      expect((await http('GET', api('/machine-groups'), { token: a.token })).body.total).toBe(2);

      // once the child is gone, the parent can be deleted; its memberships go with it
      const m = await createMachine(a, { name: 'M', machine_identifier: 'M-1' });
      expect((await setMembers(a, root.id, [m.id])).status).toBe(200);
      expect((await http('DELETE', api(`/machine-groups/${child.id}`), { token: a.token })).status).toBe(204);
      expect((await http('DELETE', api(`/machine-groups/${root.id}`), { token: a.token })).status).toBe(204);
      const left = await db.query('select count(*)::int as n from machine_group_members where group_id = $1', [root.id]);
      expect(left.rows[0].n).toBe(0);
      expect((await http('GET', api(`/machines/${m.id}`), { token: a.token })).status).toBe(200);
    });

    it('a machine can be in several groups; PUT members replaces the set', async () => {
      const a = await registerTenant(t.api, 'members');
      const g1 = await createGroup(a, { name: 'G1' });
      const g2 = await createGroup(a, { name: 'G2' });
      const [m1, m2, m3] = [
        await createMachine(a, { name: 'M1', machine_identifier: 'M-1' }),
        await createMachine(a, { name: 'M2', machine_identifier: 'M-2' }),
        await createMachine(a, { name: 'M3', machine_identifier: 'M-3' }),
      ];
      const memberIds = async (g: string) => {
        const r = await http('GET', api(`/machine-groups/${g}/members`), { token: a.token });
        expect(r.status).toBe(200);
        return (r.body.items as MachineJson[]).map((m) => m.name);
      };
      expect((await setMembers(a, g1.id, [m1.id, m2.id])).status).toBe(200);
      expect((await setMembers(a, g2.id, [m1.id, m3.id])).status).toBe(200);
      expect(await memberIds(g1.id)).toEqual(['M1', 'M2']);
      expect(await memberIds(g2.id)).toEqual(['M1', 'M3']);
      expect(await listNames(a, { group_id: g1.id })).toEqual(['M1', 'M2']);
      expect(await listNames(a, { group_id: g2.id })).toEqual(['M1', 'M3']);

      // second PUT with a different list: exactly that list (M1 leaves, M3 joins); duplicates collapse
      expect((await setMembers(a, g1.id, [m3.id, m2.id, m3.id.toUpperCase()])).status).toBe(200);
      expect(await memberIds(g1.id)).toEqual(['M2', 'M3']);
      expect(await memberIds(g2.id)).toEqual(['M1', 'M3']); // the other group is untouched
      // empty list empties the group
      expect((await setMembers(a, g1.id, [])).status).toBe(200);
      expect(await memberIds(g1.id)).toEqual([]);
    });

    it('members with an unknown, foreign or deleted machine id are 422 and the membership is unchanged', async () => {
      const a = await registerTenant(t.api, 'mem-bad');
      const b = await registerTenant(t.api, 'mem-bad-b');
      const g = await createGroup(a, { name: 'G' });
      const m1 = await createMachine(a, { name: 'M1', machine_identifier: 'M-1' });
      const gone = await createMachine(a, { name: 'Gone', machine_identifier: 'M-2' });
      expect((await http('DELETE', api(`/machines/${gone.id}`), { token: a.token })).status).toBe(204);
      const foreign = await createMachine(b, { name: 'B machine', machine_identifier: 'M-1' });
      expect((await setMembers(a, g.id, [m1.id])).status).toBe(200);

      for (const bad of [randomUUID(), foreign.id, gone.id]) {
        const r = await setMembers(a, g.id, [m1.id, bad]);
        expect(r.status, r.text).toBe(422);
        expect(issueLocs(r)).toContainEqual(['body', 'machine_ids']);
      }
      const notUuid = await setMembers(a, g.id, [m1.id, 'not-a-uuid']);
      expect(notUuid.status).toBe(422);
      expect(issueLocs(notUuid)[0]!.slice(0, 2)).toEqual(['body', 'machine_ids']);
      const missing = await http('PUT', api(`/machine-groups/${g.id}/members`), { token: a.token, body: {} });
      expect(missing.status).toBe(422);
      expect(issueLocs(missing)).toContainEqual(['body', 'machine_ids']);

      const members = await http('GET', api(`/machine-groups/${g.id}/members`), { token: a.token });
      expect(members.body.items.map((m: MachineJson) => m.id)).toEqual([m1.id]);
    });

    it('GET members lists only active machines, paginated, with a consistent total', async () => {
      const a = await registerTenant(t.api, 'mem-page');
      const g = await createGroup(a, { name: 'G' });
      const ms: MachineJson[] = [];
      for (let i = 1; i <= 3; i++) ms.push(await createMachine(a, { name: `M${i}`, machine_identifier: `M-${i}` }));
      expect((await setMembers(a, g.id, ms.map((m) => m.id))).status).toBe(200);
      expect((await http('DELETE', api(`/machines/${ms[2]!.id}`), { token: a.token })).status).toBe(204);

      const p1 = await http('GET', api(`/machine-groups/${g.id}/members?page=1&page_size=2`), { token: a.token });
      expect(p1.body).toMatchObject({ total: 2, page: 1, page_size: 2, total_pages: 1 });
      expect(p1.body.items.map((m: MachineJson) => m.name)).toEqual(['M1', 'M2']);
      // past the end, the total still counts only active members
      const p2 = await http('GET', api(`/machine-groups/${g.id}/members?page=2&page_size=2`), { token: a.token });
      expect(p2.body).toMatchObject({ items: [], total: 2, total_pages: 1 });

      // a group whose only member was soft-deleted is empty
      const g2 = await createGroup(a, { name: 'G2' });
      expect((await setMembers(a, g2.id, [ms[0]!.id])).status).toBe(200);
      expect((await http('DELETE', api(`/machines/${ms[0]!.id}`), { token: a.token })).status).toBe(204);
      const empty = await http('GET', api(`/machine-groups/${g2.id}/members`), { token: a.token });
      expect(empty.body).toMatchObject({ items: [], total: 0, total_pages: 0 });
    });
  });

  describe('fleet status', () => {
    it('filters by group subtree; unknown group 404', async () => {
      const a = await registerTenant(t.api, 'fleet');
      const site = await createGroup(a, { name: 'Site', group_type: 'site' });
      const line = await createGroup(a, { name: 'Line', group_type: 'line', parent_id: site.id });
      const m1 = await createMachine(a, { name: 'M1', machine_identifier: 'M-1' });
      await createMachine(a, { name: 'M2', machine_identifier: 'M-2' });
      expect((await setMembers(a, line.id, [m1.id])).status).toBe(200);
      const r = await http('GET', api(`/fleet/status?group_id=${site.id}`), { token: a.token });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ total_machines: 1, machines: [{ id: m1.id, name: 'M1', status: 'offline', alert_count: 0, last_reading_at: null }] });
      expect((await http('GET', api(`/fleet/status?group_id=${randomUUID()}`), { token: a.token })).status).toBe(404);
      expect((await http('GET', api('/fleet/status?status=bogus'), { token: a.token })).status).toBe(422);
    });
  });

  describe('roles and API keys', () => {
    it('viewers read but may not write; a read:machines key reads machines, other scopes get 403', async () => {
      const a = await registerTenant(t.api, 'roles');
      const viewer = await createUserSession(t.api, a, 'viewer');
      const operator = await createUserSession(t.api, a, 'operator');
      const m = await createMachine(operator, { name: 'By operator', machine_identifier: 'OP-1' });
      const g = await createGroup(operator, { name: 'By operator' });

      for (const [method, path] of [
        ['GET', '/machines'],
        ['GET', `/machines/${m.id}`],
        ['GET', '/machine-groups'],
        ['GET', '/machine-groups/tree'],
        ['GET', `/machine-groups/${g.id}`],
        ['GET', `/machine-groups/${g.id}/members`],
        ['GET', '/fleet/status'],
      ] as const) {
        const r = await http(method, api(path), { token: viewer.token });
        expect(r.status, `${method} ${path}`).toBe(200);
      }
      for (const [method, path, body] of [
        ['POST', '/machines', { name: 'V', machine_identifier: 'V-1', protocol: 'json' }],
        ['PATCH', `/machines/${m.id}`, { name: 'V' }],
        ['DELETE', `/machines/${m.id}`, undefined],
        ['POST', '/machine-groups', { name: 'V', group_type: 'site' }],
        ['PATCH', `/machine-groups/${g.id}`, { name: 'V' }],
        ['DELETE', `/machine-groups/${g.id}`, undefined],
        ['PUT', `/machine-groups/${g.id}/members`, { machine_ids: [m.id] }],
      ] as const) {
        const r = await http(method, api(path), { token: viewer.token, body });
        expect(r.status, `${method} ${path}`).toBe(403);
        expect(r.body).toEqual({ detail: 'Forbidden (insufficient role)' });
      }
      expect((await http('GET', api(`/machines/${m.id}`), { token: viewer.token })).body.name).toBe('By operator');

      const reader = await createApiKey(t.api, a, ['read:machines']);
      const list = await http('GET', api('/machines'), { apiKey: reader.key });
      expect(list.status, list.text).toBe(200);
      expect(list.body.items.map((x: MachineJson) => x.id)).toEqual([m.id]);
      const one = await http('GET', api(`/machines/${m.id}`), { apiKey: reader.key });
      expect(one.status).toBe(200);
      expect(one.body.id).toBe(m.id);
      const write = await http('POST', api('/machines'), { apiKey: reader.key, body: { name: 'K', machine_identifier: 'K-1', protocol: 'json' } });
      expect(write.status).toBe(403);

      const ingest = await createApiKey(t.api, a, ['ingest', 'agent', 'read:sensors']);
      for (const path of ['/machines', `/machines/${m.id}`]) {
        const r = await http('GET', api(path), { apiKey: ingest.key });
        expect(r.status, path).toBe(403);
        expect(r.body).toEqual({ detail: 'API key does not have the required scope: read:machines' });
      }
    });
  });

  describe('audit', () => {
    it('records every machine and group action with its details', async () => {
      const a = await registerTenant(t.api, 'audit');
      const m = await createMachine(a, { name: 'CNC Mill #1', machine_identifier: 'CNC-001', location: 'Building A, Line 3' });
      expect((await http('PATCH', api(`/machines/${m.id}`), { token: a.token, body: { location: 'Building B, Line 1' } })).status).toBe(200);
      const g = await createGroup(a, { name: 'Building A', group_type: 'site' });
      expect((await http('PATCH', api(`/machine-groups/${g.id}`), { token: a.token, body: { name: 'Building A1' } })).status).toBe(200);
      expect((await setMembers(a, g.id, [m.id])).status).toBe(200);
      expect((await http('DELETE', api(`/machine-groups/${g.id}`), { token: a.token })).status).toBe(204);
      expect((await http('DELETE', api(`/machines/${m.id}`), { token: a.token })).status).toBe(204);
      const form = new FormData();
      form.append('file', new Blob(['name,machine_identifier,protocol\nImported,IMP-1,json\n']), 'machines.csv');
      const imp = await fetch(api('/machines/import'), { method: 'POST', headers: { authorization: `Bearer ${a.token}` }, body: form });
      expect(imp.status).toBe(200);

      const [created] = await auditOf(a, 'create_machine', m.id);
      expect(created).toMatchObject({ resource_id: m.id, user_id: a.userId });
      expect(created!.details).toMatchObject({ name: 'CNC Mill #1', identifier: 'CNC-001' });
      const [updated] = await auditOf(a, 'update_machine', m.id);
      expect(updated!.details).toMatchObject({ location: 'Building B, Line 1' });
      expect(await auditOf(a, 'delete_machine', m.id)).toHaveLength(1);
      const [gc] = await auditOf(a, 'create_machine_group', g.id);
      expect(gc!.details).toMatchObject({ name: 'Building A', group_type: 'site' });
      const [gu] = await auditOf(a, 'update_machine_group', g.id);
      expect(gu!.details).toMatchObject({ name: 'Building A1' });
      const [gm] = await auditOf(a, 'set_machine_group_members', g.id);
      expect(gm!.details).toMatchObject({ machine_count: 1 });
      expect(await auditOf(a, 'delete_machine_group', g.id)).toHaveLength(1);
      const [im] = await auditOf(a, 'import_machines');
      expect(im!.details).toMatchObject({ filename: 'machines.csv', created: 1, skipped: 0 });
      // the imported machine has its own create_machine entry
      const all = await auditOf(a, 'create_machine');
      expect(all.map((e) => e.details.identifier).sort()).toEqual(['CNC-001', 'IMP-1']);
      // a failed write leaves no trace
      const dup = await http('POST', api('/machines'), { token: a.token, body: { name: 'Again', machine_identifier: 'CNC-001', protocol: 'json' } });
      expect(dup.status).toBe(409);
      expect(await auditOf(a, 'create_machine')).toHaveLength(2);
    });
  });
});
