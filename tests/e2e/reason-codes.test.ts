/**
 * Reason codes (issue 13) on both doors: create and update (admin only), code unique per tenant
 * (case-insensitive, 409), the list (active_only default true), the nested tree, cycles (422),
 * deactivation, deletion refused while records use a code, tenant isolation, bad input (422 with
 * loc), and the audit trail (create_reason_code, update_reason_code).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const CODE_KEYS = ['category', 'code', 'created_at', 'description', 'id', 'is_active', 'is_system', 'name', 'parent_id', 'updated_at'];

describe.skipIf(pgSvc.skip)(`reason codes${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let operatorA: TenantSession;
  let viewerA: TenantSession;
  let b: TenantSession;

  async function create(s: TenantSession, body: Record<string, unknown>) {
    const r = await http('POST', `${t.api}/reason-codes`, { token: s.token, body });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  async function rejects(method: string, path: string, body: unknown, loc: (string | number)[]) {
    const r = await http(method, `${t.api}${path}`, { token: a.token, body });
    expect(r.status, `${JSON.stringify(body)} -> ${r.text}`).toBe(422);
    expect(r.body.detail.map((d: { loc: unknown }) => d.loc), r.text).toContainEqual(loc);
  }

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'rca');
    b = await registerTenant(t.api, 'rcb');
    [operatorA, viewerA] = await Promise.all([createUserSession(t.api, a, 'operator'), createUserSession(t.api, a, 'viewer')]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates codes (admin), unique per tenant whatever the case, lists active ones by default and all on request', async () => {
    const mech = await create(a, { code: 'MECH', name: 'Mechanical', description: 'Mechanical failures', category: 'unplanned' });
    expect(Object.keys(mech).sort()).toEqual(CODE_KEYS);
    expect(mech).toMatchObject({ code: 'MECH', name: 'Mechanical', description: 'Mechanical failures', category: 'unplanned', parent_id: null, is_active: true, is_system: false });
    const brg = await create(a, { code: 'MECH-BRG', name: 'Bearing', parent_id: mech.id });
    const old = await create(a, { code: 'OLD', name: 'Retired', is_active: false });
    const dup = await http('POST', `${t.api}/reason-codes`, { token: a.token, body: { code: 'mech', name: 'Again' } });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ detail: 'Reason code already exists: mech' });
    // another tenant may use the same code
    await create(b, { code: 'MECH', name: 'B mechanical' });
    const list = await http('GET', `${t.api}/reason-codes`, { token: viewerA.token });
    expect(list.status).toBe(200);
    expect(list.body.map((c: { code: string }) => c.code)).toEqual(['MECH', 'MECH-BRG']);
    const all = await http('GET', `${t.api}/reason-codes?active_only=false`, { token: viewerA.token });
    expect(all.body.map((c: { id: string }) => c.id)).toEqual([mech.id, brg.id, old.id]);
    const g = await gql(t.url, 'query { reasonCodes(activeOnly: false) { code isActive } }', {}, { token: viewerA.token });
    expect(g.body.data.reasonCodes).toEqual([{ code: 'MECH', isActive: true }, { code: 'MECH-BRG', isActive: true }, { code: 'OLD', isActive: false }]);
  });

  it('answers the tree nested, updates codes (moves, renames, deactivation) and refuses cycles with a 422', async () => {
    const s = await registerTenant(t.api, 'rctree');
    const root = await create(s, { code: 'ROOT', name: 'Root' });
    const mid = await create(s, { code: 'MID', name: 'Middle', parent_id: root.id });
    const leaf = await create(s, { code: 'LEAF', name: 'Leaf', parent_id: mid.id, category: 'maintenance' });
    const other = await create(s, { code: 'OTHER', name: 'Other', is_active: false });
    const tree = await http('GET', `${t.api}/reason-codes/tree`, { token: s.token });
    expect(tree.status).toBe(200);
    expect(tree.body).toEqual([
      { id: other.id, code: 'OTHER', name: 'Other', description: null, category: null, parent_id: null, is_active: false, is_system: false, children: [] },
      {
        id: root.id, code: 'ROOT', name: 'Root', description: null, category: null, parent_id: null, is_active: true, is_system: false,
        children: [{
          id: mid.id, code: 'MID', name: 'Middle', description: null, category: null, parent_id: root.id, is_active: true, is_system: false,
          children: [{ id: leaf.id, code: 'LEAF', name: 'Leaf', description: null, category: 'maintenance', parent_id: mid.id, is_active: true, is_system: false, children: [] }],
        }],
      },
    ]);
    // a cycle: the root under its own descendant, a code under itself
    for (const parent of [leaf.id, root.id]) {
      const r = await http('PUT', `${t.api}/reason-codes/${root.id}`, { token: s.token, body: { parent_id: parent } });
      expect(r.status, r.text).toBe(422);
      expect(r.body.detail[0]).toMatchObject({ loc: ['body', 'parent_id'], type: 'value_error' });
    }
    const g = await gql(t.url, 'mutation($id: ID!, $p: ID) { updateReasonCode(id: $id, input: { parentId: $p }) { id } }', { id: mid.id, p: leaf.id }, { token: s.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'REASON_CODE_CYCLE' });
    // move to the top level, rename, recode, deactivate
    const moved = await http('PUT', `${t.api}/reason-codes/${leaf.id}`, { token: s.token, body: { parent_id: null, name: 'Leaf 2', code: 'LEAF2', description: 'moved', is_active: false } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ id: leaf.id, parent_id: null, name: 'Leaf 2', code: 'LEAF2', description: 'moved', is_active: false, category: 'maintenance' });
    // an empty description clears it
    const blank = await http('PUT', `${t.api}/reason-codes/${leaf.id}`, { token: s.token, body: { description: '' } });
    expect(blank.body.description).toBeNull();
    const clash = await http('PUT', `${t.api}/reason-codes/${leaf.id}`, { token: s.token, body: { code: 'root' } });
    expect(clash.status).toBe(409);
    const gtree = await gql(t.url, 'query { reasonCodeTree { code children { code children { code } } } }', {}, { token: s.token });
    expect(gtree.body.data.reasonCodeTree).toEqual([
      { code: 'LEAF2', children: [] },
      { code: 'OTHER', children: [] },
      { code: 'ROOT', children: [{ code: 'MID', children: [] }] },
    ]);
  });

  it('keeps a code records use: deactivation is fine (records keep it, new ones may not name it), deletion is refused', async () => {
    const code = await create(a, { code: `USED-${randomUUID().slice(0, 6)}`, name: 'Used', category: 'unplanned' });
    const m = await http('POST', `${t.api}/machines`, { token: a.token, body: { name: 'Press', machine_identifier: `RC-${randomUUID().slice(0, 8)}`, protocol: 'json' } });
    const rec = await http('POST', `${t.api}/machines/${m.body.id}/downtime`, { token: a.token, body: { reason_code_id: code.id, started_at: '2026-01-01T00:00:00Z', ended_at: '2026-01-01T01:00:00Z' } });
    expect(rec.status, rec.text).toBe(201);
    const del = await gql(t.url, 'mutation($id: ID!) { deleteReasonCode(id: $id) }', { id: code.id }, { token: a.token });
    expect(del.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'REASON_CODE_IN_USE' });
    const off = await http('PUT', `${t.api}/reason-codes/${code.id}`, { token: a.token, body: { is_active: false } });
    expect(off.body.is_active).toBe(false);
    // the record keeps it (and may still be edited), a new record may not name it
    const kept = await http('PUT', `${t.api}/machines/${m.body.id}/downtime/${rec.body.id}`, { token: a.token, body: { reason: 'Still used', reason_code_id: code.id } });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.body).toMatchObject({ reason_code_id: code.id, reason_code_name: 'Used' });
    const refused = await http('POST', `${t.api}/machines/${m.body.id}/downtime`, { token: a.token, body: { reason_code_id: code.id, started_at: '2026-01-02T00:00:00Z' } });
    expect(refused.status).toBe(422);
    // an unused code without children can be deleted
    const spare = await create(a, { code: `SPARE-${randomUUID().slice(0, 6)}`, name: 'Spare' });
    const ok = await gql(t.url, 'mutation($id: ID!) { deleteReasonCode(id: $id) }', { id: spare.id }, { token: a.token });
    expect(ok.body.data.deleteReasonCode).toBe(true);
    expect((await http('PUT', `${t.api}/reason-codes/${spare.id}`, { token: a.token, body: { name: 'x' } })).status).toBe(404);
  });

  it('lets admins manage codes and every role read them; operators, viewers and API keys cannot write', async () => {
    const code = await create(a, { code: `ROLE-${randomUUID().slice(0, 6)}`, name: 'Role check' });
    for (const s of [operatorA, viewerA]) {
      expect((await http('POST', `${t.api}/reason-codes`, { token: s.token, body: { code: `X-${randomUUID().slice(0, 6)}`, name: 'x' } })).status).toBe(403);
      const u = await http('PUT', `${t.api}/reason-codes/${code.id}`, { token: s.token, body: { name: 'x' } });
      expect(u.status).toBe(403);
      expect(u.body).toEqual({ detail: 'Forbidden (insufficient role)' });
      expect((await http('GET', `${t.api}/reason-codes/tree`, { token: s.token })).status).toBe(200);
    }
    const key = await createApiKey(t.api, a, 'read_only');
    expect((await http('GET', `${t.api}/reason-codes`, { apiKey: key.key })).status).toBe(403);
    expect((await http('GET', `${t.api}/reason-codes`)).status).toBe(401);
    const g = await gql(t.url, 'mutation { createReasonCode(input: { code: "GQL", name: "x" }) { id } }', {}, { token: operatorA.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("isolates tenants: another tenant's code is 404 to update and cannot be a parent; lists and trees hold the tenant's own", async () => {
    const codeA = await create(a, { code: `ISO-${randomUUID().slice(0, 6)}`, name: 'A only' });
    const r = await http('PUT', `${t.api}/reason-codes/${codeA.id}`, { token: b.token, body: { name: 'hijack' } });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ detail: 'Reason code not found' });
    const asParent = await http('POST', `${t.api}/reason-codes`, { token: b.token, body: { code: 'CHILD', name: 'x', parent_id: codeA.id } });
    expect(asParent.status).toBe(422);
    expect(asParent.body.detail[0].loc).toEqual(['body', 'parent_id']);
    const listB = await http('GET', `${t.api}/reason-codes?active_only=false`, { token: b.token });
    expect(listB.body.some((c: { id: string }) => c.id === codeA.id)).toBe(false);
    const treeB = await http('GET', `${t.api}/reason-codes/tree`, { token: b.token });
    expect(JSON.stringify(treeB.body)).not.toContain(codeA.id);
  });

  it('answers 422 with loc for bad bodies and queries, never a 500', async () => {
    const code = await create(a, { code: `BAD-${randomUUID().slice(0, 6)}`, name: 'Bad input' });
    for (const [body, loc] of [
      [{ name: 'x' }, ['body', 'code']],
      [{ code: 'X' }, ['body', 'name']],
      [{ code: '', name: 'x' }, ['body', 'code']],
      [{ code: 'x'.repeat(51), name: 'x' }, ['body', 'code']],
      [{ code: 'A\u0000B', name: 'x' }, ['body', 'code']],
      [{ code: 'TAB\tX', name: 'x' }, ['body', 'code']],
      [{ code: 'OK1', name: 'y'.repeat(201) }, ['body', 'name']],
      [{ code: 'OK2', name: 'x', description: 'd'.repeat(1001) }, ['body', 'description']],
      [{ code: 'OK3', name: 'x', category: 'breakdown' }, ['body', 'category']],
      [{ code: 'OK4', name: 'x', parent_id: 'abc' }, ['body', 'parent_id']],
      [{ code: 'OK5', name: 'x', parent_id: randomUUID() }, ['body', 'parent_id']],
      [{ code: 'OK6', name: 'x', is_active: 'yes' }, ['body', 'is_active']],
    ] as const) {
      await rejects('POST', '/reason-codes', body, loc as unknown as (string | number)[]);
    }
    for (const [body, loc] of [
      [{ name: '' }, ['body', 'name']],
      [{ category: 'x' }, ['body', 'category']],
      [{ parent_id: 5 }, ['body', 'parent_id']],
      [{ code: '\u202eevil' }, ['body', 'code']],
    ] as const) {
      await rejects('PUT', `/reason-codes/${code.id}`, body, loc as unknown as (string | number)[]);
    }
    await rejects('GET', '/reason-codes?active_only=maybe', undefined, ['query', 'active_only']);
    await rejects('PUT', '/reason-codes/not-a-uuid', { name: 'x' }, ['path', 'code_id']);
    expect((await http('PUT', `${t.api}/reason-codes/${randomUUID()}`, { token: a.token, body: { name: 'x' } })).status).toBe(404);
    const g = await gql(t.url, 'mutation { createReasonCode(input: { code: "", name: "x" }) { id } }', {}, { token: a.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', status: 422 });
    expect(g.body.errors![0]!.extensions!.issues[0].loc).toEqual(['code']);
  });

  it('audits create_reason_code and update_reason_code', async () => {
    const code = await create(a, { code: `AUD-${randomUUID().slice(0, 6)}`, name: 'Audited' });
    await http('PUT', `${t.api}/reason-codes/${code.id}`, { token: a.token, body: { name: 'Audited 2', is_active: false } });
    const trail = await http('GET', `${t.api}/audit?resource_id=${code.id}`, { token: a.token });
    const actions = trail.body.items.map((e: { action: string }) => e.action).sort();
    expect(actions).toEqual(['create_reason_code', 'update_reason_code']);
    const upd = trail.body.items.find((e: { action: string }) => e.action === 'update_reason_code');
    expect(upd).toMatchObject({ user_id: a.userId, resource_type: 'reason_code', details: { name: 'Audited 2', is_active: false } });
  });
});
