/**
 * Sign-offs and completion certificates (issue 16) on a real app (PostgreSQL, argon2): the
 * signature recomputed here from the canonical form with the known key, the chain, the 409s (not
 * completed, a 21st, the same user and meaning twice), the wrong password (403, audited, throttled
 * with logins), tampering in SQL (a title, a signed_at, a deleted earlier sign-off with the trigger
 * disabled as a database owner could) read back as is_valid false, key rotation, the certificate
 * as pdf.js reads it, GraphQL, tenant isolation, roles, bad input and the audit trail.
 */
import { createHmac, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_TOPIC } from '../../src/audit/audit.events.js';
import { partLowStockTopic, stockChangedTopic } from '../../src/inventory/inventory.events.js';
import { canonicalJson } from '../../src/signoffs/canonical-json.js';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, STRONG_PASSWORD, type TenantSession, type TestApp } from '../helpers/app.js';
import { newMachine } from '../helpers/fixtures.js';
import { pdfText } from '../helpers/pdf-text.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const SECRET1 = 'first-signoff-secret-0123456789abcdef';
const SECRET2 = 'second-signoff-secret-0123456789abcdef';
const VALID = 'Signature verification passed. The sign-off record has not been tampered with.';
const MISMATCH = 'Signature mismatch detected. The sign-off record may have been altered.';
const ISO_MS_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const SIGNOFF_KEYS = ['comment', 'created_at', 'id', 'key_id', 'meaning', 'prev_hash', 'seq', 'signature_hash', 'signed_at', 'signed_by', 'signer_name', 'signer_role', 'work_order_id'];
const GREEK = 'Ελένη Παπαδοπούλου';

describe.skipIf(pgSvc.skip)(`sign-offs${pgSvc.label}`, () => {
  let t: TestApp;
  let sql: pg.Client;
  let a: TenantSession;
  let b: TenantSession;
  let operatorA: TenantSession;
  let viewerA: TenantSession;
  let machineA: string;
  let partA: string;

  /** a user of the admin's tenant with this name and role, signed in */
  async function person(admin: TenantSession, role: 'admin' | 'operator' | 'viewer', fullName: string): Promise<TenantSession> {
    const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
    const created = await http('POST', `${t.api}/users`, { token: admin.token, body: { email, full_name: fullName, role, password: STRONG_PASSWORD } });
    expect(created.status, created.text).toBe(201);
    const login = await http('POST', `${t.api}/auth/login`, { body: { email, password: STRONG_PASSWORD } });
    expect(login.status, login.text).toBe(200);
    return { tenantId: admin.tenantId, userId: created.body.id, email, password: STRONG_PASSWORD, token: login.body.access_token, refreshToken: login.body.refresh_token };
  }

  const machine = (s: TenantSession, name: string) => newMachine(t.api, s, name);

  /** a work order of A taken to `status` (completed by default), with a 2.5-unit part line */
  async function order(status: 'open' | 'in_progress' | 'completed' = 'completed', title = 'Replace spindle bearings', withPart = true): Promise<string> {
    const r = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { machine_id: machineA, title, description: 'Main spindle bearings showing excessive vibration', priority: 'high' } });
    expect(r.status, r.text).toBe(201);
    if (status === 'open') return r.body.id;
    const go = async (to: string) => expect((await http('PATCH', `${t.api}/work-orders/${r.body.id}`, { token: a.token, body: { status: to } })).status).toBe(200);
    await go('in_progress');
    if (withPart) {
      const line = await http('POST', `${t.api}/inventory/work-orders/${r.body.id}/parts`, { token: a.token, body: { spare_part_id: partA, quantity: 2.5 } });
      expect(line.status, line.text).toBe(201);
    }
    if (status === 'completed') await go('completed');
    return r.body.id;
  }

  async function sign(s: TenantSession, wo: string, body: Record<string, unknown> = {}, status = 201, api = t.api) {
    const r = await http('POST', `${api}/work-orders/${wo}/signoffs`, { token: s.token, body: { password: STRONG_PASSWORD, ...body } });
    expect(r.status, r.text).toBe(status);
    return r.body;
  }

  const verify = async (wo: string, id: string, api = t.api, s = a) => {
    const r = await http('GET', `${api}/work-orders/${wo}/signoffs/${id}/verify`, { token: s.token });
    expect(r.status, r.text).toBe(200);
    return r.body as { signoff_id: string; is_valid: boolean; detail: string };
  };

  /** The signature of a sign-off, rebuilt from what the API shows: the documented canonical payload, HMAC-SHA256 under `secret`. */
  async function expectedHash(wo: string, so: Record<string, any>, secret: string): Promise<string> {
    const order = (await http('GET', `${t.api}/work-orders/${wo}`, { token: a.token })).body;
    const lines = (await http('GET', `${t.api}/inventory/work-orders/${wo}/parts?page_size=100`, { token: a.token })).body.items as { id: string; spare_part_id: string; quantity: number }[];
    const payload = {
      v: 1,
      signoff_id: so.id,
      tenant_id: order.tenant_id,
      work_order: {
        id: order.id, machine_id: order.machine_id, title: order.title, description: order.description, priority: order.priority, status: order.status,
        assigned_to: order.assigned_to, created_by: order.created_by, alert_id: order.alert_id, downtime_record_id: order.downtime_record_id,
        maintenance_event_id: order.maintenance_event_id, started_at: order.started_at, completed_at: order.completed_at, created_at: order.created_at,
      },
      parts: lines.map((l) => ({ id: l.id, part_id: l.spare_part_id, quantity: l.quantity })).sort((x, y) => (x.id < y.id ? -1 : 1)),
      signer: { id: so.signed_by, name: so.signer_name, role: so.signer_role },
      meaning: so.meaning,
      comment: so.comment,
      signed_at: so.signed_at,
      prev_hash: so.prev_hash,
    };
    return createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(canonicalJson(payload), 'utf8')).digest('hex');
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { SIGNOFF_KEYS: `k1:${SECRET1}`, LOGIN_MAX_FAILURES: '5' } });
    sql = new pg.Client({ connectionString: t.databaseUrl });
    await sql.connect();
    a = await registerTenant(t.api, 'signa');
    b = await registerTenant(t.api, 'signb');
    [operatorA, viewerA] = await Promise.all([person(a, 'operator', GREEK), createUserSession(t.api, a, 'viewer')]);
    machineA = await machine(a, 'CNC Mill 3');
    const p = await http('POST', `${t.api}/inventory/parts`, { token: a.token, body: { part_number: 'BRG-6205-2RS', name: 'Deep Groove Ball Bearing 6205', quantity_on_hand: 1000, unit: 'piece', unit_cost: 12.5 } });
    expect(p.status, p.text).toBe(201);
    partA = p.body.id;
  });
  afterAll(async () => {
    await sql?.end();
    await t?.stop();
  });

  it('signs with the re-entered password: the documented object, the hash recomputed from the canonical form, a chain, newest first, audited', async () => {
    const wo = await order();
    const first = await sign(operatorA, wo, { meaning: 'performed', comment: 'Torque checked to 45 Nm' });
    expect(Object.keys(first).sort()).toEqual(SIGNOFF_KEYS);
    expect(first).toMatchObject({ work_order_id: wo, seq: 1, signed_by: operatorA.userId, signer_name: GREEK, signer_role: 'operator', meaning: 'performed', comment: 'Torque checked to 45 Nm', key_id: 'k1', prev_hash: null });
    expect(first.signed_at).toMatch(ISO_MS_Z);
    expect(first.signature_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.signature_hash).toBe(await expectedHash(wo, first, SECRET1));

    const second = await sign(a, wo);
    expect(second).toMatchObject({ seq: 2, meaning: 'approved', signer_role: 'admin', signer_name: 'signa admin', comment: null, prev_hash: first.signature_hash });
    expect(second.signature_hash).toBe(await expectedHash(wo, second, SECRET1));
    // a different key gives a different hash: the test's recomputation is not vacuous
    expect(second.signature_hash).not.toBe(await expectedHash(wo, second, SECRET2));

    const list = await http('GET', `${t.api}/work-orders/${wo}/signoffs`, { token: viewerA.token });
    expect(list.status).toBe(200);
    expect(list.body.map((s: { id: string }) => s.id)).toEqual([second.id, first.id]);
    expect(list.body[1]).toEqual(first);
    for (const s of [first, second]) expect(await verify(wo, s.id, t.api, viewerA)).toEqual({ signoff_id: s.id, is_valid: true, detail: VALID });

    const audit = await http('GET', `${t.api}/audit?action=create_signoff&page_size=100`, { token: a.token });
    const rows = audit.body.items.filter((e: { resource_id: string }) => [first.id, second.id].includes(e.resource_id));
    expect(rows).toHaveLength(2);
    expect(rows.find((e: { resource_id: string }) => e.resource_id === first.id)).toMatchObject({ user_id: operatorA.userId, resource_type: 'signoff', details: { work_order_id: wo, meaning: 'performed', key_id: 'k1' } });
  });

  it('409: an order not completed, the same user and meaning twice, a 21st sign-off', async () => {
    for (const status of ['open', 'in_progress'] as const) {
      const r = await sign(a, await order(status), {}, 409);
      expect(r.detail).toBe(`Work order must be completed to be signed off (status: ${status})`);
    }
    const wo = await order();
    await sign(a, wo, { meaning: 'reviewed' });
    expect(await sign(a, wo, { meaning: 'reviewed' }, 409)).toEqual({ detail: 'You have already signed this work order as reviewed' });
    await sign(a, wo, { meaning: 'approved' });

    const signers = [a, ...(await Promise.all(Array.from({ length: 6 }, (_, i) => person(a, 'operator', `Operator ${i + 1}`))))];
    const pairs = signers.flatMap((s) => (['performed', 'reviewed', 'approved'] as const).map((m) => [s, m] as const)).filter(([s, m]) => !(s === a && m !== 'performed'));
    for (const [s, m] of pairs.slice(0, 18)) await sign(s, wo, { meaning: m });
    const all = await http('GET', `${t.api}/work-orders/${wo}/signoffs`, { token: a.token });
    expect(all.body).toHaveLength(20);
    const [s21, m21] = pairs[18]!;
    expect(await sign(s21, wo, { meaning: m21 }, 409)).toEqual({ detail: 'Work order already has the maximum of 20 sign-offs' });
    // the chain of twenty is intact
    expect((await verify(wo, all.body[0].id)).is_valid).toBe(true);
    expect(all.body[0].prev_hash).toBe(all.body[1].signature_hash);
  });

  it('a wrong password: 403 Password verification failed, audited signoff_failed, nothing stored; throttled with the logins', async () => {
    const wo = await order();
    const signer = await person(a, 'operator', 'Throttled Operator');
    const wrong = await http('POST', `${t.api}/work-orders/${wo}/signoffs`, { token: signer.token, body: { password: 'not-my-password' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ detail: 'Password verification failed' });
    const audit = await http('GET', `${t.api}/audit?action=signoff_failed&resource_id=${wo}`, { token: a.token });
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ user_id: signer.userId, resource_type: 'work_order', details: { reason: 'password_verification_failed', meaning: 'approved' } });
    expect((await http('GET', `${t.api}/work-orders/${wo}/signoffs`, { token: a.token })).body).toEqual([]);

    // LOGIN_MAX_FAILURES is 5 here: the fifth failure locks the account, for sign-offs and logins alike
    for (let i = 0; i < 4; i++) expect((await http('POST', `${t.api}/work-orders/${wo}/signoffs`, { token: signer.token, body: { password: `wrong-${i}` } })).status).toBe(403);
    const locked = await http('POST', `${t.api}/work-orders/${wo}/signoffs`, { token: signer.token, body: { password: STRONG_PASSWORD } });
    expect(locked.status, locked.text).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await http('POST', `${t.api}/auth/login`, { body: { email: signer.email, password: STRONG_PASSWORD } })).status).toBe(429);
    expect((await http('GET', `${t.api}/audit?action=signoff_failed&resource_id=${wo}`, { token: a.token })).body.items).toHaveLength(5);
  });

  it('API keys and viewers cannot sign; every role reads; another tenant gets 404 on every row', async () => {
    const wo = await order();
    const mine = await sign(a, wo);
    const key = await createApiKey(t.api, a, ['read:machines']);
    const byKey = await http('POST', `${t.api}/work-orders/${wo}/signoffs`, { apiKey: key.key, body: { password: STRONG_PASSWORD } });
    expect(byKey.status).toBe(403);
    expect(byKey.body).toEqual({ detail: 'This endpoint requires a user token; API keys are not accepted' });
    expect((await http('GET', `${t.api}/work-orders/${wo}/signoffs`, { apiKey: key.key })).status).toBe(403);
    expect(await sign(viewerA, wo, {}, 403)).toEqual({ detail: 'Forbidden (insufficient role)' });
    expect((await http('GET', `${t.api}/work-orders/${wo}/certificate`, { token: viewerA.token })).status).toBe(200);

    const bWo = await http('POST', `${t.api}/work-orders`, { token: b.token, body: { machine_id: await machine(b, 'B mill'), title: 'B order' } });
    for (const [method, path] of [
      ['POST', `/work-orders/${wo}/signoffs`],
      ['GET', `/work-orders/${wo}/signoffs`],
      ['GET', `/work-orders/${wo}/signoffs/${mine.id}/verify`],
      ['GET', `/work-orders/${wo}/certificate`],
      // A's sign-off under B's own order, and under another order of A
      ['GET', `/work-orders/${bWo.body.id}/signoffs/${mine.id}/verify`],
    ] as const) {
      const r = await http(method, `${t.api}${path}`, { token: b.token, body: method === 'POST' ? { password: STRONG_PASSWORD } : undefined });
      expect(r.status, `${method} ${path} ${r.text}`).toBe(404);
      expect(typeof r.body.detail).toBe('string');
    }
    const other = await order();
    expect((await http('GET', `${t.api}/work-orders/${other}/signoffs/${mine.id}/verify`, { token: a.token })).body).toEqual({ detail: 'Sign-off not found' });
    expect((await http('GET', `${t.api}/work-orders/${wo}/signoffs/${randomUUID()}/verify`, { token: a.token })).status).toBe(404);
    expect((await http('GET', `${t.api}/work-orders/${wo}/signoffs`, { token: a.token })).body).toHaveLength(1);
  });

  it('bad input: 422 with loc/msg/type on every field, 400 for malformed JSON, never a 500', async () => {
    const wo = await order();
    const cases: [unknown, (string | number)[]][] = [
      [{}, ['body', 'password']],
      [{ password: '' }, ['body', 'password']],
      [{ password: 'x'.repeat(1025) }, ['body', 'password']],
      [{ password: 42 }, ['body', 'password']],
      [{ password: STRONG_PASSWORD, meaning: 'witnessed' }, ['body', 'meaning']],
      [{ password: STRONG_PASSWORD, comment: 'x'.repeat(1001) }, ['body', 'comment']],
      [{ password: STRONG_PASSWORD, comment: 'bell\u0007' }, ['body', 'comment']],
      [{ password: STRONG_PASSWORD, comment: 'evil\u202e' }, ['body', 'comment']],
    ];
    for (const [body, loc] of cases) {
      const r = await http('POST', `${t.api}/work-orders/${wo}/signoffs`, { token: a.token, body });
      expect(r.status, `${JSON.stringify(body).slice(0, 60)} -> ${r.text}`).toBe(422);
      expect(r.body.detail.map((d: { loc: unknown }) => d.loc)).toContainEqual(loc);
      for (const d of r.body.detail) expect(typeof d.msg === 'string' && typeof d.type === 'string').toBe(true);
    }
    expect((await http('POST', `${t.api}/work-orders/${wo}/signoffs`, { token: a.token, raw: '{"password": ' })).status).toBe(400);
    expect((await http('POST', `${t.api}/work-orders/${wo}/signoffs`, { token: a.token, body: [] })).status).toBe(422);
    const badPath = await http('GET', `${t.api}/work-orders/${wo}/signoffs/not-a-uuid/verify`, { token: a.token });
    expect(badPath.status).toBe(422);
    expect(badPath.body.detail[0].loc).toEqual(['path', 'signoff_id']);
    // a comment of 1000 characters (multi-line, non-Latin) is fine; nothing of the refused attempts was stored
    const ok = await sign(a, wo, { comment: `${'Ω'.repeat(500)}\n${'z'.repeat(499)}` });
    expect(ok.comment).toHaveLength(1000);
    expect((await http('GET', `${t.api}/work-orders/${wo}/signoffs`, { token: a.token })).body).toHaveLength(1);
  });

  it('tampering in SQL is detected: a title, a signed_at, a deleted earlier sign-off; the trigger refuses UPDATE, DELETE and TRUNCATE', async () => {
    const wo = await order('completed', 'Tamper target');
    const first = await sign(operatorA, wo, { meaning: 'performed' });
    const second = await sign(a, wo);

    await sql.query(`update work_orders set title = 'Tamper target (edited)' where id = $1`, [wo]);
    for (const s of [first, second]) expect(await verify(wo, s.id)).toEqual({ signoff_id: s.id, is_valid: false, detail: MISMATCH });
    await sql.query(`update work_orders set title = 'Tamper target' where id = $1`, [wo]);
    for (const s of [first, second]) expect((await verify(wo, s.id)).is_valid).toBe(true);
    // the part lines are signed too
    await sql.query('update work_order_parts set quantity = quantity + 1 where work_order_id = $1', [wo]);
    expect((await verify(wo, second.id)).is_valid).toBe(false);
    await sql.query('update work_order_parts set quantity = quantity - 1 where work_order_id = $1', [wo]);
    expect((await verify(wo, second.id)).is_valid).toBe(true);

    await expect(sql.query(`update signoffs set comment = 'x' where id = $1`, [first.id])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(sql.query(`delete from signoffs where id = $1`, [first.id])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(sql.query(`truncate signoffs`)).rejects.toThrow(/append-only: TRUNCATE refused/);

    // the owner of the database can switch the trigger off; verification still sees the change
    await sql.query('alter table signoffs disable trigger signoffs_append_only');
    try {
      await sql.query(`update signoffs set signed_at = signed_at + interval '1 millisecond' where id = $1`, [first.id]);
      expect((await verify(wo, first.id)).is_valid).toBe(false);
      // the next one signed the stored hash of the first, which did not change
      expect((await verify(wo, second.id)).is_valid).toBe(true);
      await sql.query(`update signoffs set signed_at = signed_at - interval '1 millisecond' where id = $1`, [first.id]);
      expect((await verify(wo, first.id)).is_valid).toBe(true);
      await sql.query(`delete from signoffs where id = $1`, [first.id]);
    } finally {
      await sql.query('alter table signoffs enable trigger signoffs_append_only');
    }
    expect(await verify(wo, second.id)).toEqual({ signoff_id: second.id, is_valid: false, detail: MISMATCH });
    const cert = await fetch(`${t.api}/work-orders/${wo}/certificate`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(cert.status).toBe(200);
    const text = (await pdfText(new Uint8Array(await cert.arrayBuffer()))).text.replace(/\s+/g, ' ');
    expect(text).toContain('1. Approved by: signa admin');
    expect(text).toMatch(/Verification: INVALID/);
  });

  it('a signed order cannot be deleted even once cancelled (409), and its sign-offs and stock stay', async () => {
    const wo = await order();
    const s = await sign(a, wo);
    expect((await http('DELETE', `${t.api}/work-orders/${wo}`, { token: a.token })).status).toBe(409);
    // as if the status had been changed behind the API's back: the sign-off hook still refuses
    await sql.query(`update work_orders set status = 'cancelled' where id = $1`, [wo]);
    const stockBefore = (await http('GET', `${t.api}/inventory/parts/${partA}`, { token: a.token })).body.quantity_on_hand;
    const del = await http('DELETE', `${t.api}/work-orders/${wo}`, { token: a.token });
    expect(del.status, del.text).toBe(409);
    expect(del.body).toEqual({ detail: 'Work order has sign-offs and cannot be deleted' });
    expect((await http('GET', `${t.api}/work-orders/${wo}/signoffs`, { token: a.token })).body.map((x: { id: string }) => x.id)).toEqual([s.id]);
    expect((await http('GET', `${t.api}/inventory/parts/${partA}`, { token: a.token })).body.quantity_on_hand).toBe(stockBefore);
  });

  it("a DELETE the sign-off hook refuses after the inventory hook returned the parts rolls back: no stock change, no event, no audit; a committed one announces before its answer", async () => {
    const wo = await order();
    await sign(a, wo);
    await sql.query(`update work_orders set status = 'cancelled' where id = $1`, [wo]);
    const stockOf = async () => (await http('GET', `${t.api}/inventory/parts/${partA}`, { token: a.token })).body.quantity_on_hand;
    const stockBefore = await stockOf();
    const seen: string[] = [];
    const bus = t.app.container.bus;
    const offs = [
      bus.on(stockChangedTopic(a.tenantId), (p) => void seen.push(`stockChanged ${p.id}`)),
      bus.on(partLowStockTopic(a.tenantId), (p) => void seen.push(`partLowStock ${p.id}`)),
      bus.on(AUDIT_TOPIC, (e) => void (e.tenantId === a.tenantId && seen.push(`audit ${e.action}`))),
    ];
    try {
      // the inventory module registers its hook before the sign-offs module (module order): its
      // return entries are booked in the transaction the sign-off hook then refuses
      const del = await http('DELETE', `${t.api}/work-orders/${wo}`, { token: a.token });
      expect(del.status, del.text).toBe(409);
      expect(seen).toEqual([]);
      expect(await stockOf()).toBe(stockBefore);
      expect((await sql.query(`select 1 from stock_transactions where work_order_id = $1 and type = 'return'`, [wo])).rows).toHaveLength(0);
      expect((await sql.query(`select 1 from audit_events where resource_id = $1 and action in ('return_work_order_parts', 'delete_work_order')`, [wo])).rows).toHaveLength(0);
      expect((await http('GET', `${t.api}/inventory/work-orders/${wo}/parts`, { token: a.token })).body.items).toHaveLength(1);

      // the same listeners hear a DELETE that commits, before its answer: the callbacks ran after the commit
      const open = await order('open');
      const line = await http('POST', `${t.api}/inventory/work-orders/${open}/parts`, { token: a.token, body: { spare_part_id: partA, quantity: 1.5 } });
      expect(line.status, line.text).toBe(201);
      seen.length = 0;
      expect((await http('DELETE', `${t.api}/work-orders/${open}`, { token: a.token })).status).toBe(204);
      expect(seen).toEqual(['audit delete_work_order', 'audit return_work_order_parts', `stockChanged ${partA}`]);
      expect(await stockOf()).toBe(stockBefore);
    } finally {
      for (const off of offs) off();
    }
  });

  it('the certificate: a PDF download with the details, the parts and every signer (Greek name); 409 when not completed or not signed', async () => {
    const wo = await order('completed', 'Replace spindle bearings on mill 3');
    const s1 = await sign(operatorA, wo, { meaning: 'performed', comment: 'Runout within 5 μm (Greek mu)' });
    const s2 = await sign(a, wo);
    const res = await fetch(`${t.api}/work-orders/${wo}/certificate`, { headers: { authorization: `Bearer ${viewerA.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="work-order-${wo}-certificate.pdf"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = (await pdfText(bytes)).text.replace(/\s+/g, ' ');
    const order_ = (await http('GET', `${t.api}/work-orders/${wo}`, { token: a.token })).body;
    const day = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')} UTC`;
    for (const expected of [
      'Maintenance Completion Certificate',
      'Title: Replace spindle bearings on mill 3',
      `Machine: CNC Mill 3 (${machineA})`,
      'Status: completed',
      `Started: ${day(order_.started_at)}`,
      `Completed: ${day(order_.completed_at)}`,
      'BRG-6205-2RS',
      'Deep Groove Ball Bearing 6205: 2.5 piece',
      `1. Performed by: ${GREEK}`,
      'Role: operator',
      'Comment: Runout within 5 μm (Greek mu)',
      `${s1.signature_hash} (key k1)`,
      '2. Approved by: signa admin',
      'Role: admin',
      `Signed at: ${day(s2.signed_at)}`,
      `${s2.signature_hash} (key k1)`,
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text.match(/Verification: valid/g)).toHaveLength(2);

    const open = await http('GET', `${t.api}/work-orders/${await order('in_progress')}/certificate`, { token: a.token });
    expect(open.status).toBe(409);
    expect(open.body).toEqual({ detail: 'A certificate needs a completed work order (status: in_progress)' });
    const unsigned = await http('GET', `${t.api}/work-orders/${await order('completed', 'Unsigned', false)}/certificate`, { token: a.token });
    expect(unsigned.status).toBe(409);
    expect(unsigned.body).toEqual({ detail: 'A certificate needs at least one sign-off' });

    const g = await gql(t.url, 'query($id: ID!) { workOrderCertificate(workOrderId: $id) { fileName contentType byteLength contentBase64 } }', { id: wo }, { token: a.token });
    expect(g.body.errors).toBeUndefined();
    const cert = g.body.data!.workOrderCertificate;
    expect(cert).toMatchObject({ fileName: `work-order-${wo}-certificate.pdf`, contentType: 'application/pdf' });
    const decoded = Buffer.from(cert.contentBase64, 'base64');
    expect(decoded.length).toBe(cert.byteLength);
    expect((await pdfText(decoded)).text).toContain(GREEK);
  });

  it('GraphQL: createSignoff, workOrderSignoffs, verifySignoff, and the module codes of the refusals', async () => {
    const wo = await order();
    const create = 'mutation($wo: ID!, $input: CreateSignoffInput!) { createSignoff(workOrderId: $wo, input: $input) { id seq meaning signerName signerRole comment signatureHash keyId prevHash signedAt } }';
    const bad = await gql(t.url, create, { wo, input: { password: 'nope' } }, { token: a.token });
    expect(bad.body.errors![0]!.message).toBe('Password verification failed');
    expect(bad.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SIGNOFF_PASSWORD_FAILED' });
    const made = await gql(t.url, create, { wo, input: { password: STRONG_PASSWORD, meaning: 'reviewed', comment: 'via GraphQL' } }, { token: operatorA.token });
    expect(made.body.errors).toBeUndefined();
    const s = made.body.data!.createSignoff;
    expect(s).toMatchObject({ seq: 1, meaning: 'reviewed', signerName: GREEK, signerRole: 'operator', comment: 'via GraphQL', keyId: 'k1', prevHash: null });
    const again = await gql(t.url, create, { wo, input: { password: STRONG_PASSWORD, meaning: 'reviewed' } }, { token: operatorA.token });
    expect(again.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'DUPLICATE_SIGNOFF' });
    const notDone = await gql(t.url, create, { wo: await order('open'), input: { password: STRONG_PASSWORD } }, { token: a.token });
    expect(notDone.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'WORK_ORDER_NOT_COMPLETED' });
    const empty = await gql(t.url, create, { wo, input: { password: '' } }, { token: a.token });
    expect(empty.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_SIGNOFF' });
    for (const comment of ['x'.repeat(1001), 'bell\u0007']) {
      const long = await gql(t.url, create, { wo, input: { password: STRONG_PASSWORD, meaning: 'approved', comment } }, { token: a.token });
      expect(long.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', status: 422, reason: 'INVALID_SIGNOFF' });
      expect(long.body.errors![0]!.extensions!.issues[0].loc).toEqual(['comment']);
    }

    const read = await gql(
      t.url,
      'query($wo: ID!, $id: ID!) { workOrderSignoffs(workOrderId: $wo) { id signatureHash } verifySignoff(workOrderId: $wo, signoffId: $id) { signoffId isValid detail } }',
      { wo, id: s.id },
      { token: viewerA.token },
    );
    expect(read.body.data).toEqual({ workOrderSignoffs: [{ id: s.id, signatureHash: s.signatureHash }], verifySignoff: { signoffId: s.id, isValid: true, detail: VALID } });
    const foreign = await gql(t.url, 'query($wo: ID!) { workOrderSignoffs(workOrderId: $wo) { id } }', { wo }, { token: b.token });
    expect(foreign.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('key rotation: old sign-offs verify under a new signing key; without the old key they cannot be verified', async () => {
    const wo = await order();
    const old = await sign(a, wo, { meaning: 'performed' });
    const rotated = await startTestApp({ databaseUrl: t.databaseUrl, env: { SIGNOFF_KEYS: `k2:${SECRET2},k1:${SECRET1}` } });
    let fresh: Record<string, any>;
    try {
      expect((await verify(wo, old.id, rotated.api)).is_valid).toBe(true);
      fresh = await sign(a, wo, {}, 201, rotated.api);
      expect(fresh).toMatchObject({ key_id: 'k2', prev_hash: old.signature_hash });
      expect(fresh.signature_hash).toBe(await expectedHash(wo, fresh, SECRET2));
      expect((await verify(wo, fresh.id, rotated.api)).is_valid).toBe(true);
    } finally {
      await rotated.stop();
    }
    const dropped = await startTestApp({ databaseUrl: t.databaseUrl, env: { SIGNOFF_KEYS: `k2:${SECRET2}` } });
    try {
      expect(await verify(wo, old.id, dropped.api)).toEqual({
        signoff_id: old.id,
        is_valid: false,
        detail: 'The key that signed this sign-off (id k1) is not configured in SIGNOFF_KEYS; the signature cannot be verified.',
      });
      expect((await verify(wo, fresh.id, dropped.api)).is_valid).toBe(true);
    } finally {
      await dropped.stop();
    }
    // the first app (k1 only) cannot verify the k2 one
    expect((await verify(wo, fresh.id)).is_valid).toBe(false);
  });
});
