/**
 * Module shape (issue 9) on both doors: GraphQL errors carry the module code in
 * `extensions.reason` beside the unchanged transport code while REST bodies stay as documented;
 * the rules moved into services (API-key preset/scopes, group parent null / moveToRoot, MFA
 * token from the bearer header) behave the same on REST and GraphQL; and a name's length is
 * counted in code points on every door (REST, GraphQL, import).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.js';
import { gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { successiveCodes } from '../helpers/totp.js';

const pgSvc = await probeService('postgres');

describe.skipIf(pgSvc.skip)(`module error codes and shared rules${pgSvc.label}`, () => {
  let t: TestApp;
  let s: TenantSession;

  beforeAll(async () => {
    t = await startTestApp();
    s = await registerTenant(t.api, 'modshape');
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function ok<T = any>(query: string, variables?: Record<string, unknown>, token = s.token): Promise<T> {
    const r = await gql<T>(t.url, query, variables, { token });
    expect(r.body.errors, r.text).toBeUndefined();
    return r.body.data!;
  }
  async function gqlError(query: string, variables?: Record<string, unknown>, token: string | null = s.token) {
    const r = await gql(t.url, query, variables, token ? { token } : {});
    expect(r.body.errors?.length, r.text).toBeGreaterThan(0);
    return r.body.errors![0]!;
  }
  const rest = (method: string, path: string, body?: unknown, token = s.token) => http(method, `${t.api}${path}`, { token, body });
  const M_MACHINE = 'mutation($i: CreateMachineInput!) { createMachine(input: $i) { id name } }';
  const M_GROUP = 'mutation($i: CreateMachineGroupInput!) { createMachineGroup(input: $i) { id parentId } }';
  const M_UPDATE_GROUP = 'mutation($id: ID!, $i: UpdateMachineGroupInput!) { updateMachineGroup(id: $id, input: $i) { id parentId } }';
  const M_KEY = 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id scopes } }';

  describe('GraphQL extensions carry the module code next to the transport code', () => {
    it('machine not found, duplicate identifier', async () => {
      const missing = await gqlError('query($id: ID!) { machine(id: $id) { id } }', { id: randomUUID() });
      expect(missing.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'MACHINE_NOT_FOUND', status: 404 });
      expect(missing.message).toBe('Machine not found');

      await ok(M_MACHINE, { i: { name: 'Press', machineIdentifier: 'dup-1', protocol: 'json' } });
      const dup = await gqlError(M_MACHINE, { i: { name: 'Press 2', machineIdentifier: 'dup-1', protocol: 'json' } });
      expect(dup.extensions).toMatchObject({ code: 'CONFLICT', reason: 'DUPLICATE_MACHINE_IDENTIFIER', status: 409 });
      // REST: the documented body, no module code in it
      const r = await rest('POST', '/machines', { name: 'Press 3', machine_identifier: 'dup-1', protocol: 'json' });
      expect(r.status).toBe(409);
      expect(r.body).toEqual({ detail: 'Duplicate machine_identifier: dup-1' });
    });

    it('group cycle, group with children, api key not found', async () => {
      const top = (await ok(M_GROUP, { i: { name: 'Site', groupType: 'site' } })).createMachineGroup;
      const child = (await ok(M_GROUP, { i: { name: 'Line', groupType: 'line', parentId: top.id } })).createMachineGroup;
      const cycle = await gqlError(M_UPDATE_GROUP, { id: top.id, i: { parentId: child.id } });
      expect(cycle.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'GROUP_CYCLE', status: 422 });
      expect(cycle.extensions!.issues[0].loc).toEqual(['parent_id']);
      const busy = await gqlError('mutation($id: ID!) { deleteMachineGroup(id: $id) }', { id: top.id });
      expect(busy.extensions).toMatchObject({ code: 'CONFLICT', reason: 'GROUP_HAS_CHILDREN' });

      const key = await gqlError('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: randomUUID() });
      expect(key.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'API_KEY_NOT_FOUND', status: 404 });
      const restKey = await rest('DELETE', `/settings/api-keys/${randomUUID()}`);
      expect(restKey.status).toBe(404);
      expect(restKey.body).toEqual({ detail: 'API key not found' });
    });

    it('invalid credentials; field validation and the access guard get common codes', async () => {
      const login = await gqlError('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', { i: { email: s.email, password: 'Wr0ngPassword' } }, null);
      expect(login.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS', status: 401 });
      const anon = await gqlError('query { machines { total } }', undefined, null);
      expect(anon.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'NOT_AUTHENTICATED' });
      const bad = await gqlError(M_MACHINE, { i: { name: ' ', machineIdentifier: 'x', protocol: 'json' } });
      expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_MACHINE_FIELD' });
    });
  });

  describe('API-key preset or scopes: one rule on both doors', () => {
    it('REST: `preset` alone expands; `preset` with `scopes` is a 422 on preset', async () => {
      const byPreset = await rest('POST', '/settings/api-keys', { name: 'ro', preset: 'read_only' });
      expect(byPreset.status).toBe(201);
      expect(byPreset.body.scopes).toEqual(['read:machines', 'read:sensors']);
      const both = await rest('POST', '/settings/api-keys', { name: 'both', preset: 'read_only', scopes: ['ingest'] });
      expect(both.status).toBe(422);
      expect(both.body.detail[0].loc).toEqual(['body', 'preset']);
      const badPreset = await rest('POST', '/settings/api-keys', { name: 'bad', preset: 'superuser' });
      expect(badPreset.status).toBe(422);
      expect(badPreset.body.detail[0].loc).toEqual(['body', 'preset']);
    });

    it('GraphQL: the same answers', async () => {
      expect((await ok(M_KEY, { i: { name: 'ro', preset: 'read_only' } })).createApiKey.scopes).toEqual(['read:machines', 'read:sensors']);
      expect((await ok(M_KEY, { i: { name: 'list', scopes: ['edge_agent'] } })).createApiKey.scopes).toEqual(['ingest', 'agent']);
      const both = await gqlError(M_KEY, { i: { name: 'both', preset: 'read_only', scopes: ['ingest'] } });
      expect(both.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'SCOPES_AND_PRESET' });
      expect(both.extensions!.issues[0].loc).toEqual(['preset']);
      const bad = await gqlError(M_KEY, { i: { name: 'bad', preset: 'superuser' } });
      expect(bad.extensions).toMatchObject({ reason: 'UNKNOWN_SCOPE' });
      expect(bad.extensions!.issues[0].loc).toEqual(['preset']);
    });
  });

  describe('a group parent of null moves the group to the top level on both doors', () => {
    it('REST: parent_id null moves it, an absent parent_id leaves it', async () => {
      const top = (await rest('POST', '/machine-groups', { name: 'R site', group_type: 'site' })).body;
      const child = (await rest('POST', '/machine-groups', { name: 'R line', group_type: 'line', parent_id: top.id })).body;
      expect((await rest('PATCH', `/machine-groups/${child.id}`, { name: 'R line 2' })).body.parent_id).toBe(top.id);
      const moved = await rest('PATCH', `/machine-groups/${child.id}`, { parent_id: null });
      expect(moved.status).toBe(200);
      expect(moved.body.parent_id).toBeNull();
    });

    it('GraphQL: parentId null and moveToRoot both move it; both with an id is a 422', async () => {
      const top = (await ok(M_GROUP, { i: { name: 'G site', groupType: 'site' } })).createMachineGroup;
      const child = (await ok(M_GROUP, { i: { name: 'G line', groupType: 'line', parentId: top.id } })).createMachineGroup;
      expect((await ok(M_UPDATE_GROUP, { id: child.id, i: { name: 'G line 2' } })).updateMachineGroup.parentId).toBe(top.id);
      expect((await ok(M_UPDATE_GROUP, { id: child.id, i: { parentId: null } })).updateMachineGroup.parentId).toBeNull();
      expect((await ok(M_UPDATE_GROUP, { id: child.id, i: { parentId: top.id } })).updateMachineGroup.parentId).toBe(top.id);
      expect((await ok(M_UPDATE_GROUP, { id: child.id, i: { moveToRoot: true } })).updateMachineGroup.parentId).toBeNull();
      const both = await gqlError(M_UPDATE_GROUP, { id: child.id, i: { moveToRoot: true, parentId: top.id } });
      expect(both.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'GROUP_PARENT_AMBIGUOUS' });
    });
  });

  describe('the MFA pending token may come from the Authorization header on both doors', () => {
    async function mfaUser(label: string) {
      const u = await registerTenant(t.api, label);
      const secret = (await rest('POST', '/auth/mfa/setup', undefined, u.token)).body.secret as string;
      const codes = await successiveCodes(secret);
      expect((await rest('POST', '/auth/mfa/verify-setup', { code: codes.previous }, u.token)).status).toBe(200);
      const pending = (await http('POST', `${t.api}/auth/login`, { body: { email: u.email, password: u.password } })).body.access_token as string;
      return { u, secret, codes, pending };
    }

    it('GraphQL: verifyMfa with only a code and the pending token as bearer', async () => {
      const { u, codes, pending } = await mfaUser('gqlmfabearer');
      const done = await ok('mutation($c: String!) { verifyMfa(input: { code: $c }) { accessToken mfaRequired } }', { c: codes.current }, pending);
      expect(done.verifyMfa.mfaRequired).toBe(false);
      expect((await ok('query { me { id } }', undefined, done.verifyMfa.accessToken)).me.id).toBe(u.userId);
      // without a token anywhere: the documented 401
      const none = await gqlError('mutation($c: String!) { verifyMfa(input: { code: $c }) { accessToken } }', { c: codes.next }, null);
      expect(none.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
    });

    it('REST: the body token wins over the header, and a missing token is a 401', async () => {
      const { secret, codes, pending } = await mfaUser('restmfabearer');
      const none = await http('POST', `${t.api}/auth/mfa/verify`, { body: { code: totpCode(secret) } });
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ detail: 'Could not validate credentials' });
      const done = await http('POST', `${t.api}/auth/mfa/verify`, { token: 'not-a-token', body: { mfa_token: pending, code: codes.current } });
      expect(done.status).toBe(200);
      expect(done.body.mfa_required).toBe(false);
    });
  });

  describe('name lengths count characters (code points) on every door', () => {
    // 199 letters and one emoji: 200 characters, 201 UTF-16 units
    const name200 = `${'n'.repeat(199)}😀`;
    const name201 = `${'n'.repeat(200)}😀`;

    it('REST create and update accept 200 characters with an emoji, refuse 201', async () => {
      const made = await rest('POST', '/machines', { name: name200, machine_identifier: 'cp-rest', protocol: 'json' });
      expect(made.status, made.text).toBe(201);
      expect(made.body.name).toBe(name200);
      const tooLong = await rest('PATCH', `/machines/${made.body.id}`, { name: name201 });
      expect(tooLong.status).toBe(422);
      expect(tooLong.body.detail[0]).toMatchObject({ loc: ['body', 'name'], type: 'string_too_long', msg: 'String should have at most 200 characters' });
      const group = await rest('POST', '/machine-groups', { name: name200, group_type: 'custom', description: `${'d'.repeat(999)}😀` });
      expect(group.status, group.text).toBe(201);
    });

    it('GraphQL create accepts the same name and refuses the longer one', async () => {
      expect((await ok(M_MACHINE, { i: { name: name200, machineIdentifier: 'cp-gql', protocol: 'json' } })).createMachine.name).toBe(name200);
      const tooLong = await gqlError(M_MACHINE, { i: { name: name201, machineIdentifier: 'cp-gql-2', protocol: 'json' } });
      expect(tooLong.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(tooLong.extensions!.issues[0].loc).toEqual(['name']);
    });

    it('import accepts the same name and refuses the longer one', async () => {
      const form = new FormData();
      form.append('file', new Blob([`name,machine_identifier,protocol\n${name200},cp-imp-1,json\n${name201},cp-imp-2,json\n`], { type: 'text/csv' }), 'm.csv');
      const r = await fetch(`${t.api}/machines/import`, { method: 'POST', headers: { authorization: `Bearer ${s.token}` }, body: form });
      const body = (await r.json()) as { created: number; errors: { row: number; error: string }[] };
      expect(r.status).toBe(200);
      expect(body.created).toBe(1);
      expect(body.errors).toEqual([{ row: 3, error: 'Invalid name: must be at most 200 characters' }]);
    });
  });
});
