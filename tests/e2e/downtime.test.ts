/**
 * Downtime records (issue 13) on both doors: the spec's example, the record shape, end (twice: 409),
 * overlap (409 naming the record), the record rules (future start beyond the skew, end before start,
 * unknown category, another tenant's or an inactive reason code, a deleted machine), defaults from
 * the reason code, update, list filters and newest-first pagination, tenant isolation on every row
 * with an id, roles, bad input on every body and query (422 with loc, never 500), and the audit trail.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const RECORD_KEYS = [
  'category', 'created_at', 'created_by', 'duration_minutes', 'ended_at', 'id', 'machine_id', 'machine_name', 'origin', 'reason', 'reason_code_id',
  'reason_code_name', 'started_at', 'updated_at',
].sort();
const GQL_FIELDS = 'id machineId machineName reason category reasonCodeId reasonCodeName startedAt endedAt durationMinutes origin createdBy createdAt updatedAt';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

describe.skipIf(pgSvc.skip)(`downtime records${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let operatorA: TenantSession;
  let viewerA: TenantSession;
  let b: TenantSession;
  let codeA: string;
  let codeB: string;

  async function machine(s: TenantSession, name = 'CNC Mill #1'): Promise<string> {
    const r = await http('POST', `${t.api}/machines`, { token: s.token, body: { name, machine_identifier: `DT-${randomUUID().slice(0, 12)}`, protocol: 'json' } });
    expect(r.status, r.text).toBe(201);
    return r.body.id;
  }

  async function code(s: TenantSession, body: Record<string, unknown> = {}): Promise<string> {
    const r = await http('POST', `${t.api}/reason-codes`, { token: s.token, body: { code: `BRG-${randomUUID().slice(0, 6)}`, name: 'Bearing failure', category: 'unplanned', ...body } });
    expect(r.status, r.text).toBe(201);
    return r.body.id;
  }

  async function create(s: TenantSession, machineId: string, body: Record<string, unknown>, status = 201) {
    const r = await http('POST', `${t.api}/machines/${machineId}/downtime`, { token: s.token, body });
    expect(r.status, r.text).toBe(status);
    return r.body;
  }

  /** a 422 with an issue at `loc`, every issue with loc/msg/type */
  async function rejects(method: string, path: string, body: unknown, loc: (string | number)[], s: TenantSession = a) {
    const r = await http(method, `${t.api}${path}`, { token: s.token, body });
    expect(r.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)} -> ${r.text}`).toBe(422);
    expect(r.body.detail.map((d: { loc: unknown }) => d.loc), r.text).toContainEqual(loc);
    for (const d of r.body.detail) {
      expect(typeof d.msg).toBe('string');
      expect(typeof d.type).toBe('string');
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'downa');
    b = await registerTenant(t.api, 'downb');
    [operatorA, viewerA] = await Promise.all([createUserSession(t.api, a, 'operator'), createUserSession(t.api, a, 'viewer')]);
    codeA = await code(a);
    codeB = await code(b);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("the spec's example gets 201 and the documented record; end sets ended_at to now and the duration; ending again is a 409", async () => {
    const m = await machine(a);
    const body = { reason: 'Unplanned bearing failure', category: 'unplanned', reason_code_id: codeA, started_at: '2026-04-04T08:15:00Z' };
    const r = await http('POST', `${t.api}/machines/${m}/downtime`, { token: a.token, body });
    expect(r.status, r.text).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(RECORD_KEYS);
    expect(r.body).toEqual({
      id: expect.any(String),
      machine_id: m,
      machine_name: 'CNC Mill #1',
      reason: 'Unplanned bearing failure',
      category: 'unplanned',
      reason_code_id: codeA,
      reason_code_name: 'Bearing failure',
      started_at: '2026-04-04T08:15:00.000Z',
      ended_at: null,
      duration_minutes: null,
      origin: 'manual',
      created_by: a.userId,
      created_at: expect.stringMatching(ISO_Z),
      updated_at: expect.stringMatching(ISO_Z),
    });
    const before = Date.now();
    const ended = await http('POST', `${t.api}/machines/${m}/downtime/${r.body.id}/end`, { token: operatorA.token });
    expect(ended.status, ended.text).toBe(200);
    const endedAt = Date.parse(ended.body.ended_at);
    expect(endedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(endedAt).toBeLessThanOrEqual(Date.now() + 1000);
    expect(ended.body.duration_minutes).toBeCloseTo((endedAt - Date.parse('2026-04-04T08:15:00Z')) / 60_000, 1);
    const again = await http('POST', `${t.api}/machines/${m}/downtime/${r.body.id}/end`, { token: a.token });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ detail: 'Downtime record has already ended' });
    // end ignores a body it does not need, and the list shows the ended record
    const list = await http('GET', `${t.api}/machines/${m}/downtime`, { token: viewerA.token });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, page_size: 20, total_pages: 1 });
    expect(list.body.items[0]).toEqual(ended.body);
  });

  it('refuses overlapping records with a 409 naming the record overlapped; touching records are fine', async () => {
    const m = await machine(a);
    const first = await create(a, m, { reason: 'Jam', category: 'unplanned', started_at: '2026-01-10T08:00:00Z', ended_at: '2026-01-10T09:00:00Z' });
    // inside, across either edge, around it
    for (const [s, e] of [
      ['2026-01-10T08:15:00Z', '2026-01-10T08:45:00Z'],
      ['2026-01-10T07:30:00Z', '2026-01-10T08:01:00Z'],
      ['2026-01-10T08:59:00Z', '2026-01-10T10:00:00Z'],
      ['2026-01-10T07:00:00Z', '2026-01-10T10:00:00Z'],
    ]) {
      const r = await http('POST', `${t.api}/machines/${m}/downtime`, { token: a.token, body: { reason: 'x', category: 'planned', started_at: s, ended_at: e } });
      expect(r.status, `${s}..${e}: ${r.text}`).toBe(409);
      expect(r.body.detail).toContain(first.id);
    }
    // an open record from before the first one overlaps it too
    const open = await http('POST', `${t.api}/machines/${m}/downtime`, { token: a.token, body: { reason: 'x', category: 'planned', started_at: '2026-01-10T07:00:00Z' } });
    expect(open.status).toBe(409);
    expect(open.body.detail).toContain(first.id);
    // touching at either end
    await create(a, m, { reason: 'Before', category: 'changeover', started_at: '2026-01-10T07:00:00Z', ended_at: '2026-01-10T08:00:00Z' });
    const after = await create(a, m, { reason: 'After', category: 'maintenance', started_at: '2026-01-10T09:00:00Z' });
    // one open record per machine: a second open one (or any record after its start) overlaps it
    for (const body of [{ started_at: hoursAgo(1) }, { started_at: '2026-01-11T00:00:00Z', ended_at: '2026-01-11T01:00:00Z' }]) {
      const r = await http('POST', `${t.api}/machines/${m}/downtime`, { token: a.token, body: { reason: 'x', category: 'unplanned', ...body } });
      expect(r.status).toBe(409);
      expect(r.body.detail).toContain(after.id);
    }
    // GraphQL: the same conflict with the module code
    const g = await gql(t.url, `mutation($m: ID!, $i: CreateDowntimeInput!) { createDowntimeRecord(machineId: $m, input: $i) { id } }`, { m, i: { reason: 'x', category: 'unplanned', startedAt: hoursAgo(2) } }, { token: a.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'DOWNTIME_OVERLAP' });
    expect(g.body.errors![0]!.message).toContain(after.id);
    // an update into another record is refused the same way
    const moved = await http('PUT', `${t.api}/machines/${m}/downtime/${first.id}`, { token: a.token, body: { ended_at: '2026-01-10T09:30:00Z' } });
    expect(moved.status).toBe(409);
    expect(moved.body.detail).toContain(after.id);
  });

  it('refuses instants outside four-digit years on both doors (PostgreSQL has no year 0): 422 / a user-input error, never a 500', async () => {
    const m = await machine(a);
    for (const startedAt of ['0000-01-01T00:00:00Z', '0099-06-01T00:00:00Z', '9999-12-31T23:00:00-02:00']) {
      const r = await http('POST', `${t.api}/machines/${m}/downtime`, { token: a.token, body: { reason: 'x', category: 'unplanned', started_at: startedAt } });
      expect(r.status, r.text).toBe(422);
      expect(r.body.detail[0]).toMatchObject({ loc: ['body', 'started_at'], msg: 'Input should be a datetime between the years 1000 and 9999' });
      const g = await gql(t.url, `mutation($m: ID!, $i: CreateDowntimeInput!) { createDowntimeRecord(machineId: $m, input: $i) { id } }`, { m, i: { reason: 'x', category: 'unplanned', startedAt } }, { token: a.token });
      expect(g.body.errors?.[0]?.message, JSON.stringify(g.body)).toContain('between the years 1000 and 9999');
      expect(g.body.errors![0]!.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
      const inline = await gql(t.url, `mutation($m: ID!) { createDowntimeRecord(machineId: $m, input: { reason: "x", category: unplanned, startedAt: "${startedAt}" }) { id } }`, { m }, { token: a.token });
      expect(inline.body.errors?.[0]?.message, JSON.stringify(inline.body)).toContain('between the years 1000 and 9999');
    }
    const listed = await http('GET', `${t.api}/machines/${m}/downtime`, { token: a.token });
    expect(listed.body.total).toBe(0);
  });

  it('applies the record rules: start not ahead beyond the skew, end not before start, active reason code of the tenant, active machine', async () => {
    const m = await machine(a);
    const path = `/machines/${m}/downtime`;
    await rejects('POST', path, { reason: 'x', category: 'unplanned', started_at: new Date(Date.now() + 3_600_000).toISOString() }, ['body', 'started_at']);
    await rejects('POST', path, { reason: 'x', category: 'unplanned', started_at: hoursAgo(2), ended_at: hoursAgo(3) }, ['body', 'ended_at']);
    await rejects('POST', path, { reason: 'x', category: 'unplanned', started_at: hoursAgo(2), ended_at: new Date(Date.now() + 3_600_000).toISOString() }, ['body', 'ended_at']);
    await rejects('POST', path, { reason: 'x', category: 'breakdown', started_at: hoursAgo(2) }, ['body', 'category']);
    await rejects('POST', path, { reason: 'x', category: 'unplanned', reason_code_id: codeB, started_at: hoursAgo(2) }, ['body', 'reason_code_id']);
    await rejects('POST', path, { reason: 'x', category: 'unplanned', reason_code_id: randomUUID(), started_at: hoursAgo(2) }, ['body', 'reason_code_id']);
    const inactive = await code(a, { is_active: false });
    await rejects('POST', path, { reason: 'x', category: 'unplanned', reason_code_id: inactive, started_at: hoursAgo(2) }, ['body', 'reason_code_id']);
    // within the tolerated skew: accepted; ended_at equal to started_at: accepted
    const soon = await create(a, m, { reason: 'Starts in a minute', category: 'planned', started_at: new Date(Date.now() + 60_000).toISOString() });
    expect(soon.ended_at).toBeNull();
    const zero = await create(a, await machine(a), { reason: 'Blip', category: 'unplanned', started_at: '2026-02-01T00:00:00Z', ended_at: '2026-02-01T00:00:00Z' });
    expect(zero.duration_minutes).toBe(0);
    // ending a record that starts slightly ahead: it ends no earlier than it started
    const endSoon = await http('POST', `${t.api}${path}/${soon.id}/end`, { token: a.token });
    expect(endSoon.status).toBe(200);
    expect(endSoon.body.ended_at).toBe(soon.started_at);
    // a deleted machine: its rows are 404
    const gone = await machine(a);
    const rec = await create(a, gone, { reason: 'x', category: 'unplanned', started_at: hoursAgo(1) });
    expect((await http('DELETE', `${t.api}/machines/${gone}`, { token: a.token })).status).toBe(204);
    for (const [method, p] of [['POST', `/machines/${gone}/downtime`], ['GET', `/machines/${gone}/downtime`], ['PUT', `/machines/${gone}/downtime/${rec.id}`], ['POST', `/machines/${gone}/downtime/${rec.id}/end`]] as const) {
      const r = await http(method, `${t.api}${p}`, { token: a.token, body: method === 'GET' ? undefined : method === 'PUT' ? { reason: 'y' } : p.endsWith('/end') ? undefined : { reason: 'x', category: 'unplanned', started_at: hoursAgo(1) } });
      expect(r.status, `${method} ${p}`).toBe(404);
      expect(r.body).toEqual({ detail: 'Machine not found' });
    }
    // GraphQL: the same rule with its module code and loc
    const g = await gql(t.url, `mutation($m: ID!, $i: CreateDowntimeInput!) { createDowntimeRecord(machineId: $m, input: $i) { id } }`, { m, i: { reason: 'x', category: 'unplanned', reasonCodeId: codeB, startedAt: hoursAgo(5) } }, { token: a.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', status: 422, reason: 'INVALID_DOWNTIME' });
    expect(g.body.errors![0]!.extensions!.issues[0].loc).toEqual(['reason_code_id']);
  });

  it("takes the reason and the category from the reason code when they are not given; without either the field is required", async () => {
    const m = await machine(a);
    const maint = await code(a, { name: 'Lubrication', category: 'maintenance' });
    const r = await create(a, m, { reason_code_id: maint, started_at: '2026-03-01T10:00:00Z', ended_at: '2026-03-01T10:30:00Z' });
    expect(r).toMatchObject({ reason: 'Lubrication', category: 'maintenance', reason_code_id: maint, reason_code_name: 'Lubrication', duration_minutes: 30 });
    const noCategory = await code(a, { name: 'Other', category: null });
    await rejects('POST', `/machines/${m}/downtime`, { reason_code_id: noCategory, started_at: '2026-03-02T10:00:00Z' }, ['body', 'category']);
    await rejects('POST', `/machines/${m}/downtime`, { category: 'planned', started_at: '2026-03-02T10:00:00Z' }, ['body', 'reason']);
  });

  it('updates a record with PUT: fields, a new reason code, ending it; an ended record cannot be reopened', async () => {
    const m = await machine(a);
    const other = await machine(a, 'Press #2');
    const base = Date.now();
    const rec = await create(a, m, { reason: 'Stop', category: 'unplanned', started_at: new Date(base - 3 * 3_600_000).toISOString() });
    const changeover = await code(a, { name: 'Tool change', category: 'changeover' });
    const u = await http('PUT', `${t.api}/machines/${m}/downtime/${rec.id}`, { token: operatorA.token, body: { reason: 'Tool change on spindle', category: 'changeover', reason_code_id: changeover } });
    expect(u.status, u.text).toBe(200);
    expect(u.body).toMatchObject({ id: rec.id, reason: 'Tool change on spindle', category: 'changeover', reason_code_id: changeover, reason_code_name: 'Tool change', ended_at: null });
    expect(Date.parse(u.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(rec.updated_at));
    // the record under another machine's path: 404
    const wrong = await http('PUT', `${t.api}/machines/${other}/downtime/${rec.id}`, { token: a.token, body: { reason: 'x' } });
    expect(wrong.status).toBe(404);
    expect(wrong.body).toEqual({ detail: 'Downtime record not found' });
    expect((await http('POST', `${t.api}/machines/${other}/downtime/${rec.id}/end`, { token: a.token })).status).toBe(404);
    // ending through PUT, then the rules on the ended record
    const endAt = new Date(base - 3_600_000).toISOString();
    const e = await http('PUT', `${t.api}/machines/${m}/downtime/${rec.id}`, { token: a.token, body: { ended_at: endAt } });
    expect(e.status).toBe(200);
    expect(e.body.ended_at).toBe(new Date(endAt).toISOString());
    expect(e.body.duration_minutes).toBe(120);
    await rejects('PUT', `/machines/${m}/downtime/${rec.id}`, { ended_at: null }, ['body', 'ended_at']);
    await rejects('PUT', `/machines/${m}/downtime/${rec.id}`, { started_at: new Date(base - 1_800_000).toISOString() }, ['body', 'ended_at']);
    await rejects('PUT', `/machines/${m}/downtime/${rec.id}`, { category: 'nope' }, ['body', 'category']);
    await rejects('PUT', `/machines/${m}/downtime/${rec.id}`, { reason_code_id: codeB }, ['body', 'reason_code_id']);
    await rejects('PUT', `/machines/${m}/downtime/${rec.id}`, { reason: '' }, ['body', 'reason']);
    // clearing the reason code
    const cleared = await http('PUT', `${t.api}/machines/${m}/downtime/${rec.id}`, { token: a.token, body: { reason_code_id: null } });
    expect(cleared.body).toMatchObject({ reason_code_id: null, reason_code_name: null });
    // GraphQL update without the machine id
    const g = await gql(t.url, `mutation($id: ID!) { updateDowntimeRecord(id: $id, input: { reason: "Via GraphQL" }) { ${GQL_FIELDS} } }`, { id: rec.id }, { token: a.token });
    expect(g.body.errors).toBeUndefined();
    expect(g.body.data.updateDowntimeRecord).toMatchObject({ id: rec.id, reason: 'Via GraphQL', machineId: m, durationMinutes: 120 });
    const twice = await gql(t.url, `mutation($id: ID!) { endDowntimeRecord(id: $id) { id } }`, { id: rec.id }, { token: a.token });
    expect(twice.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'DOWNTIME_ALREADY_ENDED' });
  });

  it('lists a machine\'s records newest first, filtered by category, reason code and time range, one page at a time', async () => {
    const m = await machine(a);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await create(a, m, {
        reason: `Stop ${i}`,
        category: i % 2 ? 'planned' : 'unplanned',
        reason_code_id: i === 4 ? codeA : null,
        started_at: `2026-02-0${i + 1}T08:00:00Z`,
        ended_at: `2026-02-0${i + 1}T09:00:00Z`,
      });
      ids.push(r.id);
    }
    const get = (q: string) => http('GET', `${t.api}/machines/${m}/downtime?${q}`, { token: viewerA.token });
    const all = await get('');
    expect(all.body.items.map((x: { id: string }) => x.id)).toEqual([...ids].reverse());
    const page2 = await get('page=2&page_size=2');
    expect(page2.body).toMatchObject({ total: 5, page: 2, page_size: 2, total_pages: 3 });
    expect(page2.body.items.map((x: { id: string }) => x.id)).toEqual([ids[2], ids[1]]);
    expect((await get('page=9')).body).toMatchObject({ total: 5, items: [] });
    expect((await get('category=planned')).body.items.map((x: { id: string }) => x.id)).toEqual([ids[3], ids[1]]);
    expect((await get(`reason_code_id=${codeA}`)).body.items.map((x: { id: string }) => x.id)).toEqual([ids[4]]);
    // records sharing time with [start, end)
    const range = await get(`start=${encodeURIComponent('2026-02-02T08:30:00Z')}&end=${encodeURIComponent('2026-02-04T08:00:00Z')}`);
    expect(range.body.items.map((x: { id: string }) => x.id)).toEqual([ids[2], ids[1]]);
    // GraphQL, same filters
    const g = await gql(t.url, `query($m: ID!) { downtimeRecords(machineId: $m, category: planned, pageSize: 1) { total totalPages items { id reason } } }`, { m }, { token: viewerA.token });
    expect(g.body.data.downtimeRecords).toEqual({ total: 2, totalPages: 2, items: [{ id: ids[3], reason: 'Stop 3' }] });
  });

  it('answers 422 with loc for bad input on every body and query, never a 500', async () => {
    const m = await machine(a);
    const rec = await create(a, m, { reason: 'x', category: 'unplanned', started_at: '2026-02-20T00:00:00Z', ended_at: '2026-02-20T01:00:00Z' });
    const base = { reason: 'x', category: 'unplanned', started_at: '2026-02-21T00:00:00Z' };
    const post = `/machines/${m}/downtime`;
    for (const [body, loc] of [
      [{ ...base, started_at: undefined }, ['body', 'started_at']],
      [{ ...base, started_at: 'yesterday' }, ['body', 'started_at']],
      [{ ...base, started_at: '2026-02-21T00:00:00' }, ['body', 'started_at']],
      [{ ...base, ended_at: 12 }, ['body', 'ended_at']],
      [{ ...base, category: 7 }, ['body', 'category']],
      [{ ...base, reason: 'x'.repeat(501) }, ['body', 'reason']],
      [{ ...base, reason: 'bad\u0000byte' }, ['body', 'reason']],
      [{ ...base, reason: '   ' }, ['body', 'reason']],
      [{ ...base, reason_code_id: 'REASON_CODE_UUID' }, ['body', 'reason_code_id']],
    ] as const) {
      await rejects('POST', post, body, loc as unknown as (string | number)[]);
    }
    const put = `/machines/${m}/downtime/${rec.id}`;
    for (const [body, loc] of [
      [{ started_at: 'nope' }, ['body', 'started_at']],
      [{ reason: 5 }, ['body', 'reason']],
      [{ reason_code_id: 'x' }, ['body', 'reason_code_id']],
      [{ started_at: new Date(Date.now() + 86_400_000).toISOString() }, ['body', 'started_at']],
    ] as const) {
      await rejects('PUT', put, body, loc as unknown as (string | number)[]);
    }
    for (const [q, loc] of [
      ['page=0', ['query', 'page']],
      ['page_size=101', ['query', 'page_size']],
      ['page_size=abc', ['query', 'page_size']],
      ['category=broken', ['query', 'category']],
      ['reason_code_id=123', ['query', 'reason_code_id']],
      ['start=2026-13-01', ['query', 'start']],
      [`start=${encodeURIComponent('2026-02-02T00:00:00Z')}&end=${encodeURIComponent('2026-02-01T00:00:00Z')}`, ['query', 'end']],
    ] as const) {
      await rejects('GET', `${post}?${q}`, undefined, loc as unknown as (string | number)[]);
    }
    expect((await http('POST', `${t.api}${post}`, { token: a.token, raw: '{"reason":' })).status).toBe(400);
    await rejects('GET', `/machines/not-a-uuid/downtime`, undefined, ['path', 'machine_id']);
    await rejects('POST', `/machines/${m}/downtime/not-a-uuid/end`, undefined, ['path', 'record_id']);
    // GraphQL: malformed ids are validation errors with their loc, not 500s
    const g = await gql(t.url, `query { fleetDowntime(reasonCodeId: "abc") { total } }`, {}, { token: a.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', status: 422 });
    expect(g.body.errors![0]!.extensions!.issues[0].loc).toEqual(['reason_code_id']);
    const g2 = await gql(t.url, `query { downtimeRecord(id: "abc") { id } }`, {}, { token: a.token });
    expect(g2.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it("isolates tenants: another tenant's machine and record ids are 404 on every row, absent from B's lists", async () => {
    const m = await machine(a);
    const rec = await create(a, m, { reason: 'Secret stop', category: 'unplanned', started_at: hoursAgo(2) });
    const mb = await machine(b, 'B machine');
    const recB = await create(b, mb, { reason: 'B stop', category: 'planned', started_at: '2026-02-01T00:00:00Z', ended_at: '2026-02-01T01:00:00Z' });
    for (const [method, p, body] of [
      ['POST', `/machines/${m}/downtime`, { reason: 'x', category: 'unplanned', started_at: '2026-01-01T00:00:00Z', ended_at: '2026-01-01T01:00:00Z' }],
      ['GET', `/machines/${m}/downtime`, undefined],
      ['PUT', `/machines/${m}/downtime/${rec.id}`, { reason: 'hijack' }],
      ['POST', `/machines/${m}/downtime/${rec.id}/end`, undefined],
      ['GET', `/machines/${m}/uptime-summary`, undefined],
      ['GET', `/machines/${m}/mttr-mtbf`, undefined],
      // B's own machine with A's record id
      ['PUT', `/machines/${mb}/downtime/${rec.id}`, { reason: 'hijack' }],
      ['POST', `/machines/${mb}/downtime/${rec.id}/end`, undefined],
    ] as const) {
      const r = await http(method, `${t.api}${p}`, { token: b.token, body });
      expect(r.status, `${method} ${p}: ${r.text}`).toBe(404);
      expect(typeof r.body.detail).toBe('string');
    }
    const fleetB = await http('GET', `${t.api}/fleet/downtime?page_size=100`, { token: b.token });
    expect(fleetB.body.items.map((x: { id: string }) => x.id)).toEqual([recB.id]);
    expect((await http('GET', `${t.api}/fleet/downtime?machine_id=${m}`, { token: b.token })).body.total).toBe(0);
    const still = await http('GET', `${t.api}/machines/${m}/downtime`, { token: a.token });
    expect(still.body.items[0]).toMatchObject({ id: rec.id, reason: 'Secret stop', ended_at: null });
    const g = await gql(t.url, `query($id: ID!) { downtimeRecord(id: $id) { id } }`, { id: rec.id }, { token: b.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'DOWNTIME_NOT_FOUND' });
  });

  it('lets admins and operators write records, every role read, and no API key in', async () => {
    const m = await machine(a);
    const rec = await create(operatorA, m, { reason: 'By operator', category: 'unplanned', started_at: '2026-01-05T00:00:00Z', ended_at: '2026-01-05T01:00:00Z' });
    expect(rec.created_by).toBe(operatorA.userId);
    const body = { reason: 'x', category: 'unplanned', started_at: '2026-01-06T00:00:00Z' };
    for (const [method, p, bd] of [
      ['POST', `/machines/${m}/downtime`, body],
      ['PUT', `/machines/${m}/downtime/${rec.id}`, { reason: 'x' }],
      ['POST', `/machines/${m}/downtime/${rec.id}/end`, undefined],
    ] as const) {
      const r = await http(method, `${t.api}${p}`, { token: viewerA.token, body: bd });
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ detail: 'Forbidden (insufficient role)' });
    }
    for (const p of [`/machines/${m}/downtime`, `/machines/${m}/uptime-summary`, `/machines/${m}/mttr-mtbf`, '/fleet/downtime', '/fleet/mttr-mtbf']) {
      expect((await http('GET', `${t.api}${p}`, { token: viewerA.token })).status, p).toBe(200);
    }
    const key = await createApiKey(t.api, a, ['read:machines']);
    const r = await http('GET', `${t.api}/machines/${m}/downtime`, { apiKey: key.key });
    expect(r.status).toBe(403);
    expect((await http('GET', `${t.api}/machines/${m}/downtime`)).status).toBe(401);
    const g = await gql(t.url, `mutation($m: ID!) { createDowntimeRecord(machineId: $m, input: { reason: "x", category: planned, startedAt: "2026-01-07T00:00:00Z" }) { id } }`, { m }, { token: viewerA.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('audits create_downtime, update_downtime and end_downtime with the acting user', async () => {
    const m = await machine(a);
    const rec = await create(a, m, { reason: 'Audited', category: 'unplanned', started_at: hoursAgo(2) });
    await http('PUT', `${t.api}/machines/${m}/downtime/${rec.id}`, { token: operatorA.token, body: { reason: 'Audited again' } });
    await http('POST', `${t.api}/machines/${m}/downtime/${rec.id}/end`, { token: a.token });
    const trail = await http('GET', `${t.api}/audit?resource_id=${rec.id}&page_size=10`, { token: a.token });
    expect(trail.status).toBe(200);
    const byAction = Object.fromEntries(trail.body.items.map((e: { action: string }) => [e.action, e]));
    expect(Object.keys(byAction).sort()).toEqual(['create_downtime', 'end_downtime', 'update_downtime']);
    expect(byAction.create_downtime).toMatchObject({ user_id: a.userId, resource_type: 'downtime_record', details: { machine_id: m, category: 'unplanned' } });
    expect(byAction.update_downtime).toMatchObject({ user_id: operatorA.userId, details: { reason: 'Audited again' } });
    expect(byAction.end_downtime.details.ended_at).toMatch(ISO_Z);
  });
});

describe('downtime on the embedded database (PGlite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ db: 'embedded' });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('records, refuses overlaps, ends, summarises and pools the same way', async () => {
    const s = await registerTenant(t.api, 'embedded');
    const m = await http('POST', `${t.api}/machines`, { token: s.token, body: { name: 'Embedded', machine_identifier: 'EMB-1', protocol: 'json' } });
    const code = await http('POST', `${t.api}/reason-codes`, { token: s.token, body: { code: 'EMB', name: 'Embedded cause', category: 'unplanned' } });
    const start = Date.now() - 3 * 3_600_000;
    const rec = await http('POST', `${t.api}/machines/${m.body.id}/downtime`, { token: s.token, body: { reason_code_id: code.body.id, started_at: new Date(start).toISOString() } });
    expect(rec.status, rec.text).toBe(201);
    expect(rec.body).toMatchObject({ category: 'unplanned', reason: 'Embedded cause', reason_code_name: 'Embedded cause' });
    const clash = await http('POST', `${t.api}/machines/${m.body.id}/downtime`, { token: s.token, body: { reason: 'x', category: 'planned', started_at: new Date(start + 60_000).toISOString() } });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toContain(rec.body.id);
    const end = await http('POST', `${t.api}/machines/${m.body.id}/downtime/${rec.body.id}/end`, { token: s.token });
    expect(end.status).toBe(200);
    expect(end.body.duration_minutes).toBeGreaterThanOrEqual(180);
    // touching the manual record's end: no overlap
    const auto = await t.app.container.services.downtime.startAutomatic(s.tenantId, m.body.id, new Date(end.body.ended_at), null);
    expect(auto).toMatchObject({ origin: 'automatic' });
    expect(await t.app.container.services.downtime.startAutomatic(s.tenantId, m.body.id, new Date(Date.now() + 2000), null)).toBeNull();
    const up = await http('GET', `${t.api}/machines/${m.body.id}/uptime-summary`, { token: s.token });
    expect(up.status).toBe(200);
    expect(up.body.by_category[1]).toMatchObject({ category: 'unplanned', count: 2 });
    expect(up.body.downtime_seconds).toBeGreaterThanOrEqual(3 * 3600);
    const mttr = await http('GET', `${t.api}/machines/${m.body.id}/mttr-mtbf`, { token: s.token });
    expect(mttr.body).toMatchObject({ total_failures: 2, total_repairs: 1 });
    const fleet = await http('GET', `${t.api}/fleet/mttr-mtbf?include_machines=true`, { token: s.token });
    expect(fleet.body).toMatchObject({ total_failures: 2, total_repairs: 1, machine_count: 1 });
    const list = await http('GET', `${t.api}/fleet/downtime?sort_by=duration_minutes`, { token: s.token });
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([rec.body.id, auto!.id]);
    expect(list.body.total).toBe(2);
  });
});
