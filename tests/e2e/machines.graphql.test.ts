/**
 * Machines, machine groups and fleet status over GraphQL: queries with filters/pagination/sort
 * enums, every mutation, error codes (NOT_FOUND across tenants, FORBIDDEN for viewers, CONFLICT,
 * BAD_USER_INPUT), and the N+1 guard on `machines { items { groups { machines } } }`, measured by
 * counting the SQL statements the app's connection executes.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUserSession, gql, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const MACHINE_FIELDS = 'id tenantId name machineIdentifier protocol location status isActive lastReadingAt createdAt updatedAt';
const GROUP_FIELDS = 'id tenantId name groupType parentId description createdAt updatedAt';

describe.skipIf(pgSvc.skip)(`machines over GraphQL${pgSvc.label}`, () => {
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

  /** runs a document and returns data, failing the test on any GraphQL error */
  async function ok<T = any>(s: TenantSession, query: string, variables?: Record<string, unknown>): Promise<T> {
    const r = await gql<T>(t.url, query, variables, { token: s.token });
    expect(r.body.errors, r.text).toBeUndefined();
    return r.body.data!;
  }
  /** runs a document that must fail; returns the first error's code (and the whole response) */
  async function fails(s: TenantSession | { apiKey: string }, query: string, variables?: Record<string, unknown>) {
    const r = await gql(t.url, query, variables, 'apiKey' in s ? { apiKey: s.apiKey } : { token: s.token });
    expect(r.status, r.text).not.toBe(500);
    expect(r.body.errors?.length, r.text).toBeGreaterThan(0);
    return { code: r.body.errors![0]!.extensions?.code as string, error: r.body.errors![0]!, data: r.body.data, text: r.text };
  }
  async function createMachine(s: TenantSession, input: Record<string, unknown>): Promise<{ id: string; name: string; machineIdentifier: string }> {
    const d = await ok(s, `mutation($i: CreateMachineInput!) { createMachine(input: $i) { ${MACHINE_FIELDS} } }`, { i: { protocol: 'json', ...input } });
    return d.createMachine;
  }
  async function createGroup(s: TenantSession, input: Record<string, unknown>): Promise<{ id: string; name: string; parentId: string | null }> {
    const d = await ok(s, `mutation($i: CreateMachineGroupInput!) { createMachineGroup(input: $i) { ${GROUP_FIELDS} } }`, { i: { groupType: 'custom', ...input } });
    return d.createMachineGroup;
  }
  async function setMembers(s: TenantSession, id: string, machineIds: string[]) {
    return ok(s, 'mutation($id: ID!, $m: [ID!]!) { setMachineGroupMembers(id: $id, machineIds: $m) { id name } }', { id, m: machineIds });
  }
  const MACHINES = `query($page: Int, $pageSize: Int, $groupId: ID, $search: String, $status: MachineStatus, $sortBy: MachineSortField, $sortDir: SortDirection) {
    machines(page: $page, pageSize: $pageSize, groupId: $groupId, search: $search, status: $status, sortBy: $sortBy, sortDir: $sortDir) {
      total page pageSize totalPages items { id name machineIdentifier status location }
    }
  }`;
  async function names(s: TenantSession, vars: Record<string, unknown> = {}): Promise<string[]> {
    const d = await ok(s, MACHINES, { pageSize: 100, ...vars });
    return d.machines.items.map((m: { name: string }) => m.name);
  }

  describe('machines', () => {
    it('createMachine / machine / updateMachine / deleteMachine', async () => {
      const a = await registerTenant(t.api, 'gm');
      const m = await createMachine(a, { name: 'CNC Mill #1', machineIdentifier: 'CNC-001', protocol: 'opc_ua', location: 'Building A, Line 3' });
      expect(m).toMatchObject({ name: 'CNC Mill #1', machineIdentifier: 'CNC-001', protocol: 'opc_ua', location: 'Building A, Line 3', status: 'offline', isActive: true, tenantId: a.tenantId, lastReadingAt: null });

      const got = await ok(a, `query($id: ID!) { machine(id: $id) { ${MACHINE_FIELDS} groups { id } } }`, { id: m.id });
      expect(got.machine).toMatchObject({ id: m.id, name: 'CNC Mill #1', groups: [] });

      const upd = await ok(a, 'mutation($id: ID!, $i: UpdateMachineInput!) { updateMachine(id: $id, input: $i) { name location protocol machineIdentifier } }', {
        id: m.id,
        i: { location: 'Building B, Line 1', protocol: 'modbus_tcp' },
      });
      expect(upd.updateMachine).toEqual({ name: 'CNC Mill #1', location: 'Building B, Line 1', protocol: 'modbus_tcp', machineIdentifier: 'CNC-001' });
      // an empty string clears the location; omitted fields stay
      const cleared = await ok(a, 'mutation($id: ID!) { updateMachine(id: $id, input: { location: "" }) { name location } }', { id: m.id });
      expect(cleared.updateMachine).toEqual({ name: 'CNC Mill #1', location: null });

      const del = await ok(a, 'mutation($id: ID!) { deleteMachine(id: $id) }', { id: m.id });
      expect(del.deleteMachine).toBe(true);
      const gone = await fails(a, 'query($id: ID!) { machine(id: $id) { id } }', { id: m.id });
      expect(gone.code).toBe('NOT_FOUND');
      expect((await ok(a, MACHINES)).machines.total).toBe(0);
      expect((await fails(a, 'mutation($id: ID!) { deleteMachine(id: $id) }', { id: m.id })).code).toBe('NOT_FOUND');
    });

    it('filters, pagination and the sortBy / sortDir enums', async () => {
      const a = await registerTenant(t.api, 'gm-list');
      const site = await createGroup(a, { name: 'Site', groupType: 'site' });
      const line = await createGroup(a, { name: 'Line', groupType: 'line', parentId: site.id });
      const ms = [];
      for (const [name, ident] of [
        ['Delta', 'D-4'],
        ['alpha pump', 'A-1'],
        ['Charlie', 'C_3'],
        ['Bravo 100%', 'B-2'],
        ['Echo', 'E-5'],
      ]) ms.push(await createMachine(a, { name, machineIdentifier: ident }));
      await setMembers(a, line.id, [ms[0]!.id, ms[1]!.id]);
      await setMembers(a, site.id, [ms[2]!.id]);
      await db.query(`update machines set status = 'critical', last_reading_at = now() where id = $1`, [ms[4]!.id]);

      const p1 = await ok(a, MACHINES, { page: 1, pageSize: 2 });
      expect(p1.machines).toMatchObject({ total: 5, page: 1, pageSize: 2, totalPages: 3 });
      expect(p1.machines.items.map((m: { name: string }) => m.name)).toEqual(['Bravo 100%', 'Charlie']); // default: name asc (C collation: upper case first)
      const p3 = await ok(a, MACHINES, { page: 3, pageSize: 2 });
      expect(p3.machines.items).toHaveLength(1);

      expect(await names(a, { sortBy: 'machine_identifier', sortDir: 'desc' })).toEqual(['Echo', 'Delta', 'Charlie', 'Bravo 100%', 'alpha pump']);
      expect(await names(a, { sortBy: 'created_at', sortDir: 'asc' })).toEqual(['Delta', 'alpha pump', 'Charlie', 'Bravo 100%', 'Echo']);
      expect(await names(a, { sortBy: 'name', sortDir: 'desc' })).toEqual(['alpha pump', 'Echo', 'Delta', 'Charlie', 'Bravo 100%']);
      expect((await names(a, { sortBy: 'status', sortDir: 'asc' }))[0]).toBe('Echo'); // critical < offline

      expect(await names(a, { search: 'PUMP' })).toEqual(['alpha pump']);
      expect(await names(a, { search: '%' })).toEqual(['Bravo 100%']);
      expect(await names(a, { search: '_' })).toEqual(['Charlie']);
      expect(await names(a, { status: 'critical' })).toEqual(['Echo']);
      expect((await names(a, { status: 'offline' })).sort()).toEqual(['Bravo 100%', 'Charlie', 'Delta', 'alpha pump']);
      expect((await names(a, { groupId: site.id })).sort()).toEqual(['Charlie', 'Delta', 'alpha pump']);
      expect(await names(a, { groupId: line.id, sortDir: 'desc' })).toEqual(['alpha pump', 'Delta']);

      // enums are enforced by the schema; service limits are BAD_USER_INPUT
      const badEnum = await gql(t.url, 'query { machines(sortBy: password) { total } }', undefined, { token: a.token });
      expect(badEnum.body.errors?.[0]?.extensions?.code, badEnum.text).toBe('GRAPHQL_VALIDATION_FAILED');
      const badDir = await gql(t.url, 'query { machines(sortDir: up) { total } }', undefined, { token: a.token });
      expect(badDir.body.errors?.length).toBeGreaterThan(0);
      expect((await fails(a, MACHINES, { search: 'x'.repeat(201) })).code).toBe('BAD_USER_INPUT');
      expect((await fails(a, MACHINES, { search: 'a\u0000b' })).code).toBe('BAD_USER_INPUT');
      expect((await fails(a, MACHINES, { pageSize: 101 })).code).toBe('BAD_USER_INPUT');
      expect((await fails(a, MACHINES, { groupId: randomUUID() })).code).toBe('NOT_FOUND');
      const notUuid = await fails(a, MACHINES, { groupId: 'nope' });
      expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(notUuid.code);
    });

    it('CONFLICT for a duplicate identifier (create and update), also after soft delete', async () => {
      const a = await registerTenant(t.api, 'gm-dup');
      const m = await createMachine(a, { name: 'One', machineIdentifier: 'DUP-1' });
      const dup = await fails(a, 'mutation { createMachine(input: { name: "Two", machineIdentifier: "DUP-1", protocol: json }) { id } }');
      expect(dup.code).toBe('CONFLICT');
      expect(dup.error.extensions?.status).toBe(409);
      const other = await createMachine(a, { name: 'Other', machineIdentifier: 'DUP-2' });
      expect((await fails(a, 'mutation($id: ID!) { updateMachine(id: $id, input: { machineIdentifier: "DUP-1" }) { id } }', { id: other.id })).code).toBe('CONFLICT');
      await ok(a, 'mutation($id: ID!) { deleteMachine(id: $id) }', { id: m.id });
      expect((await fails(a, 'mutation { createMachine(input: { name: "Three", machineIdentifier: "DUP-1", protocol: csv }) { id } }')).code).toBe('CONFLICT');
      const bad = await fails(a, 'mutation { createMachine(input: { name: "X", machineIdentifier: "has space", protocol: csv }) { id } }');
      expect(bad.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('machine groups', () => {
    it('create / list / get / tree / update (moveToRoot) / members / delete', async () => {
      const a = await registerTenant(t.api, 'gg');
      const site = await createGroup(a, { name: 'Building A', groupType: 'site', description: 'Main production facility' });
      expect(site).toMatchObject({ name: 'Building A', groupType: 'site', parentId: null, description: 'Main production facility', tenantId: a.tenantId });
      const line = await createGroup(a, { name: 'Line 3', groupType: 'line', parentId: site.id });
      const cell = await createGroup(a, { name: 'Cell 1', groupType: 'department', parentId: line.id });
      const m1 = await createMachine(a, { name: 'M1', machineIdentifier: 'M-1' });
      const m2 = await createMachine(a, { name: 'M2', machineIdentifier: 'M-2' });
      await setMembers(a, cell.id, [m1.id, m2.id]);
      await setMembers(a, site.id, [m1.id]);

      const list = await ok(a, 'query { machineGroups(pageSize: 10) { total items { name } } }');
      expect(list.machineGroups).toEqual({ total: 3, items: [{ name: 'Building A' }, { name: 'Cell 1' }, { name: 'Line 3' }] });
      const lines = await ok(a, 'query { machineGroups(groupType: line) { items { id } } }');
      expect(lines.machineGroups.items).toEqual([{ id: line.id }]);
      const children = await ok(a, 'query($p: ID) { machineGroups(parentId: $p) { items { id } } }', { p: line.id });
      expect(children.machineGroups.items).toEqual([{ id: cell.id }]);

      const one = await ok(a, 'query($id: ID!) { machineGroup(id: $id) { name parentId machines { name groups { name } } } }', { id: cell.id });
      expect(one.machineGroup).toEqual({
        name: 'Cell 1',
        parentId: line.id,
        machines: [
          { name: 'M1', groups: [{ name: 'Building A' }, { name: 'Cell 1' }] },
          { name: 'M2', groups: [{ name: 'Cell 1' }] },
        ],
      });
      const members = await ok(a, 'query($id: ID!) { machineGroupMembers(id: $id, pageSize: 1) { total totalPages items { name } } }', { id: cell.id });
      expect(members.machineGroupMembers).toEqual({ total: 2, totalPages: 2, items: [{ name: 'M1' }] });

      const tree = await ok(a, 'query { machineGroupTree { id name machineCount children { id name machineCount children { id name machineCount children { id } } } } }');
      expect(tree.machineGroupTree).toEqual([
        { id: site.id, name: 'Building A', machineCount: 1, children: [{ id: line.id, name: 'Line 3', machineCount: 0, children: [{ id: cell.id, name: 'Cell 1', machineCount: 2, children: [] }] }] },
      ]);

      // rename keeps the parent; moveToRoot detaches; parentId re-attaches
      const renamed = await ok(a, 'mutation($id: ID!) { updateMachineGroup(id: $id, input: { name: "Line 4", description: "renamed" }) { name parentId description } }', { id: line.id });
      expect(renamed.updateMachineGroup).toEqual({ name: 'Line 4', parentId: site.id, description: 'renamed' });
      const moved = await ok(a, 'mutation($id: ID!) { updateMachineGroup(id: $id, input: { moveToRoot: true }) { parentId } }', { id: line.id });
      expect(moved.updateMachineGroup.parentId).toBeNull();
      const roots = await ok(a, 'query { machineGroupTree { name children { name } } }');
      expect(roots.machineGroupTree).toEqual([
        { name: 'Building A', children: [] },
        { name: 'Line 4', children: [{ name: 'Cell 1' }] },
      ]);
      const back = await ok(a, 'mutation($id: ID!, $p: ID) { updateMachineGroup(id: $id, input: { parentId: $p }) { parentId } }', { id: line.id, p: site.id });
      expect(back.updateMachineGroup.parentId).toBe(site.id);

      // members are replaced, not appended
      await setMembers(a, cell.id, [m2.id]);
      const after = await ok(a, 'query($id: ID!) { machineGroup(id: $id) { machines { name } } }', { id: cell.id });
      expect(after.machineGroup.machines).toEqual([{ name: 'M2' }]);

      expect((await fails(a, 'mutation($id: ID!) { deleteMachineGroup(id: $id) }', { id: line.id })).code).toBe('CONFLICT');
      expect((await ok(a, 'mutation($id: ID!) { deleteMachineGroup(id: $id) }', { id: cell.id })).deleteMachineGroup).toBe(true);
      expect((await fails(a, 'query($id: ID!) { machineGroup(id: $id) { id } }', { id: cell.id })).code).toBe('NOT_FOUND');
      expect((await ok(a, 'query { machineGroups { total } }')).machineGroups.total).toBe(2);
    });

    it('cycles are BAD_USER_INPUT; unknown parents and members are rejected', async () => {
      const a = await registerTenant(t.api, 'gg-cycle');
      const root = await createGroup(a, { name: 'Root', groupType: 'site' });
      const mid = await createGroup(a, { name: 'Mid', groupType: 'line', parentId: root.id });
      const leaf = await createGroup(a, { name: 'Leaf', groupType: 'line', parentId: mid.id });
      const MOVE = 'mutation($id: ID!, $p: ID) { updateMachineGroup(id: $id, input: { parentId: $p }) { id parentId } }';
      for (const [id, p] of [
        [root.id, root.id],
        [root.id, leaf.id],
        [mid.id, leaf.id],
      ]) {
        const r = await fails(a, MOVE, { id, p });
        expect(r.code).toBe('BAD_USER_INPUT');
        expect(r.error.extensions?.issues).toEqual([expect.objectContaining({ loc: ['parent_id'] })]);
      }
      expect((await fails(a, MOVE, { id: leaf.id, p: randomUUID() })).code).toBe('NOT_FOUND');
      expect((await fails(a, 'mutation($p: ID) { createMachineGroup(input: { name: "X", groupType: line, parentId: $p }) { id } }', { p: randomUUID() })).code).toBe('NOT_FOUND');
      const members = await fails(a, 'mutation($id: ID!, $m: [ID!]!) { setMachineGroupMembers(id: $id, machineIds: $m) { id } }', { id: root.id, m: [randomUUID()] });
      expect(members.code).toBe('BAD_USER_INPUT');
      const tree = await ok(a, 'query { machineGroupTree { id children { id children { id } } } }');
      expect(tree.machineGroupTree).toEqual([{ id: root.id, children: [{ id: mid.id, children: [{ id: leaf.id }] }] }]);
    });
  });

  describe('fleetStatus', () => {
    it('lists every active machine with status, alert count and last reading', async () => {
      const a = await registerTenant(t.api, 'gf');
      const g = await createGroup(a, { name: 'G', groupType: 'site' });
      const m1 = await createMachine(a, { name: 'CNC Mill #1', machineIdentifier: 'CNC-001' });
      const m2 = await createMachine(a, { name: 'Pump', machineIdentifier: 'P-1' });
      const m3 = await createMachine(a, { name: 'Gone', machineIdentifier: 'G-1' });
      await ok(a, 'mutation($id: ID!) { deleteMachine(id: $id) }', { id: m3.id });
      await setMembers(a, g.id, [m2.id]);
      const d = await ok(a, 'query { fleetStatus { totalMachines machines { id name status alertCount lastReadingAt } } }');
      expect(d.fleetStatus).toEqual({
        totalMachines: 2,
        machines: [
          { id: m1.id, name: 'CNC Mill #1', status: 'offline', alertCount: 0, lastReadingAt: null },
          { id: m2.id, name: 'Pump', status: 'offline', alertCount: 0, lastReadingAt: null },
        ],
      });
      const inGroup = await ok(a, 'query($g: ID) { fleetStatus(groupId: $g) { totalMachines machines { id } } }', { g: g.id });
      expect(inGroup.fleetStatus).toEqual({ totalMachines: 1, machines: [{ id: m2.id }] });
      const healthy = await ok(a, 'query { fleetStatus(status: healthy) { totalMachines } }');
      expect(healthy.fleetStatus.totalMachines).toBe(0);
    });
  });

  describe('access', () => {
    it("another tenant's ids are NOT_FOUND for every query and mutation; nothing changes", async () => {
      const a = await registerTenant(t.api, 'gx-a');
      const b = await registerTenant(t.api, 'gx-b');
      const m = await createMachine(a, { name: 'A machine', machineIdentifier: 'A-1' });
      const g = await createGroup(a, { name: 'A group', groupType: 'site' });
      const bm = await createMachine(b, { name: 'B machine', machineIdentifier: 'B-1' });
      const bg = await createGroup(b, { name: 'B group', groupType: 'site' });
      const docs: [string, Record<string, unknown>][] = [
        ['query($id: ID!) { machine(id: $id) { id } }', { id: m.id }],
        ['mutation($id: ID!) { updateMachine(id: $id, input: { name: "hijack" }) { id } }', { id: m.id }],
        ['mutation($id: ID!) { deleteMachine(id: $id) }', { id: m.id }],
        ['query($id: ID!) { machineGroup(id: $id) { id } }', { id: g.id }],
        ['query($id: ID!) { machineGroupMembers(id: $id) { total } }', { id: g.id }],
        ['mutation($id: ID!) { updateMachineGroup(id: $id, input: { name: "hijack" }) { id } }', { id: g.id }],
        ['mutation($id: ID!) { deleteMachineGroup(id: $id) }', { id: g.id }],
        ['mutation($id: ID!, $m: [ID!]!) { setMachineGroupMembers(id: $id, machineIds: $m) { id } }', { id: g.id, m: [bm.id] }],
        ['query($g: ID) { machines(groupId: $g) { total } }', { g: g.id }],
        ['query($g: ID) { fleetStatus(groupId: $g) { totalMachines } }', { g: g.id }],
        ['mutation($id: ID!, $p: ID) { updateMachineGroup(id: $id, input: { parentId: $p }) { id } }', { id: bg.id, p: g.id }],
        ['mutation($p: ID) { createMachineGroup(input: { name: "X", groupType: line, parentId: $p }) { id } }', { p: g.id }],
      ];
      for (const [q, v] of docs) {
        const r = await fails(b, q, v);
        expect(r.code, `${q}: ${r.text}`).toBe('NOT_FOUND');
      }
      // A machine of A cannot be put in B's group (unknown to B)
      const cross = await fails(b, 'mutation($id: ID!, $m: [ID!]!) { setMachineGroupMembers(id: $id, machineIds: $m) { id } }', { id: bg.id, m: [m.id] });
      expect(cross.code).toBe('BAD_USER_INPUT');
      // A's data is untouched, and B's lists do not show it
      const mine = await ok(a, 'query($id: ID!, $g: ID!) { machine(id: $id) { name isActive } machineGroup(id: $g) { name } }', { id: m.id, g: g.id });
      expect(mine).toEqual({ machine: { name: 'A machine', isActive: true }, machineGroup: { name: 'A group' } });
      const theirs = await ok(b, 'query { machines { items { id } } machineGroups { items { id } } fleetStatus { machines { id } } machineGroupTree { id } }');
      expect(theirs.machines.items).toEqual([{ id: bm.id }]);
      expect(theirs.machineGroups.items).toEqual([{ id: bg.id }]);
      expect(theirs.fleetStatus.machines).toEqual([{ id: bm.id }]);
      expect(theirs.machineGroupTree).toEqual([{ id: bg.id }]);
    });

    it('viewers read but every mutation is FORBIDDEN; a read:machines key reads machines only', async () => {
      const a = await registerTenant(t.api, 'gx-role');
      const viewer = await createUserSession(t.api, a, 'viewer');
      const m = await createMachine(a, { name: 'M', machineIdentifier: 'M-1' });
      const g = await createGroup(a, { name: 'G', groupType: 'site' });
      const reads = await ok(viewer, 'query($id: ID!, $g: ID!) { machines { total } machine(id: $id) { id } machineGroups { total } machineGroup(id: $g) { id } machineGroupTree { id } fleetStatus { totalMachines } }', { id: m.id, g: g.id });
      expect(reads.machines.total).toBe(1);
      expect(reads.fleetStatus.totalMachines).toBe(1);
      const mutations: [string, Record<string, unknown>][] = [
        ['mutation { createMachine(input: { name: "V", machineIdentifier: "V-1", protocol: json }) { id } }', {}],
        ['mutation($id: ID!) { updateMachine(id: $id, input: { name: "V" }) { id } }', { id: m.id }],
        ['mutation($id: ID!) { deleteMachine(id: $id) }', { id: m.id }],
        ['mutation { importMachines(input: { filename: "m.csv", contentBase64: "" }) { created } }', {}],
        ['mutation { createMachineGroup(input: { name: "V", groupType: site }) { id } }', {}],
        ['mutation($id: ID!) { updateMachineGroup(id: $id, input: { name: "V" }) { id } }', { id: g.id }],
        ['mutation($id: ID!) { deleteMachineGroup(id: $id) }', { id: g.id }],
        ['mutation($id: ID!, $m: [ID!]!) { setMachineGroupMembers(id: $id, machineIds: $m) { id } }', { id: g.id, m: [m.id] }],
      ];
      for (const [q, v] of mutations) {
        const r = await fails(viewer, q, v);
        expect(r.code, q).toBe('FORBIDDEN');
        expect(r.error.message).toBe('Forbidden (insufficient role)');
      }
      expect((await ok(a, 'query { machines { items { name } } machineGroups { items { name } } }'))).toEqual({ machines: { items: [{ name: 'M' }] }, machineGroups: { items: [{ name: 'G' }] } });

      const key = await createApiKey(t.api, a, ['read:machines']);
      const r = await gql(t.url, 'query($id: ID!) { machines { total } machine(id: $id) { name } }', { id: m.id }, { apiKey: key.key });
      expect(r.body.errors, r.text).toBeUndefined();
      expect(r.body.data).toEqual({ machines: { total: 1 }, machine: { name: 'M' } });
      expect((await fails({ apiKey: key.key }, 'query { fleetStatus { totalMachines } }')).code).toBe('FORBIDDEN');
      expect((await fails({ apiKey: key.key }, 'mutation { createMachine(input: { name: "K", machineIdentifier: "K-1", protocol: json }) { id } }')).code).toBe('FORBIDDEN');
      const ingest = await createApiKey(t.api, a, ['ingest']);
      const denied = await fails({ apiKey: ingest.key }, 'query { machines { total } }');
      expect(denied.code).toBe('FORBIDDEN');
      expect(denied.error.message).toBe('API key does not have the required scope: read:machines');
    });
  });

  describe('N+1', () => {
    it('machines { items { groups { machines } } } runs the same small number of SQL statements for 10 and 50 machines', async () => {
      const a = await registerTenant(t.api, 'gn');
      const ms: { id: string }[] = [];
      const csv = ['name,machine_identifier,protocol', ...Array.from({ length: 50 }, (_, i) => `Machine ${String(i).padStart(2, '0')},N-${i},json`)].join('\n');
      const imp = await ok(a, 'mutation($i: ImportMachinesInput!) { importMachines(input: $i) { created } }', { i: { filename: 'n.csv', contentBase64: Buffer.from(csv).toString('base64') } });
      expect(imp.importMachines.created).toBe(50);
      ms.push(...(await ok(a, 'query { machines(pageSize: 50) { items { id } } }')).machines.items);
      expect(ms).toHaveLength(50);
      // 10 groups of 5, plus every machine also in the group "after" its own: each machine is in 2 groups
      const groups = [];
      for (let g = 0; g < 10; g++) groups.push(await createGroup(a, { name: `Group ${g}`, groupType: 'line' }));
      for (let g = 0; g < 10; g++) {
        const own = ms.slice(g * 5, g * 5 + 5);
        const prev = ms.slice(((g + 9) % 10) * 5, ((g + 9) % 10) * 5 + 5);
        await setMembers(a, groups[g]!.id, [...own, ...prev].map((m) => m.id));
      }

      const conn = t.app.container.db.orm.em.getDriver().getConnection() as unknown as { executeQuery: (...args: unknown[]) => Promise<unknown> };
      const original = conn.executeQuery;
      let statements: string[] = [];
      conn.executeQuery = function (this: unknown, ...args: unknown[]) {
        statements.push(String(args[0]));
        return original.apply(this, args);
      };
      const QUERY = 'query($n: Int!) { machines(pageSize: $n) { items { id name groups { name machines { id } } } } }';
      /** statements of one request; the least of three runs, so a background job cannot inflate it */
      async function measure(n: number): Promise<{ count: number; sql: string[]; items: any[] }> {
        let best: { count: number; sql: string[]; items: any[] } | undefined;
        for (let run = 0; run < 3; run++) {
          statements = [];
          const d = await ok(a, QUERY, { n });
          const sql = statements;
          if (!best || sql.length < best.count) best = { count: sql.length, sql, items: d.machines.items };
        }
        return best!;
      }
      try {
        const ten = await measure(10);
        const fifty = await measure(50);
        expect(ten.items).toHaveLength(10);
        expect(fifty.items).toHaveLength(50);
        // the data is really nested: every machine shows its 2 groups, every group its 10 machines
        for (const m of fifty.items) {
          expect(m.groups).toHaveLength(2);
          for (const g of m.groups) expect(g.machines).toHaveLength(10);
        }
        expect(ten.count, `10 machines:\n${ten.sql.join('\n')}`).toBeGreaterThan(0);
        expect(fifty.count, `50 vs 10 machines:\n${fifty.sql.join('\n')}\n---\n${ten.sql.join('\n')}`).toBe(ten.count);
        expect(fifty.count, fifty.sql.join('\n')).toBeLessThanOrEqual(8);
      } finally {
        conn.executeQuery = original;
      }
    });
  });
});
