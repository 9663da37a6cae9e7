/**
 * Alerts API (issue 11) on both doors: list with every filter, stats, get, acknowledge, bulk
 * acknowledge, snooze, comments; tenant isolation on every row with an id; roles; bad input; the
 * module codes in GraphQL extensions; and the live paths (graphql-ws subscriptions with their
 * filters, the dashboard socket's `alert` message).
 * Alerts are opened through the lifecycle service the rule engine uses, on the real database and bus.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AlertLifecycleService } from '../../src/alerts/alert-lifecycle.service.js';
import { AlertRule } from '../../src/alerts/alert-rule.entity.js';
import type { AlertSnapshot } from '../../src/alerts/alert.events.js';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const WAIT_MS = 5_000;
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Msg = Record<string, any>;

/** Collects messages from a socket and waits (bounded) for those matching a predicate. */
class Inbox {
  readonly items: Msg[] = [];
  readonly errors: unknown[] = [];
  private waiters: (() => void)[] = [];

  push(m: Msg) {
    this.items.push(m);
    this.wake();
  }

  fail(e: unknown) {
    this.errors.push(e);
    this.wake();
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async waitFor(pred: (m: Msg) => boolean, what: string, ms = WAIT_MS): Promise<Msg> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.items.find(pred);
      if (hit) return hit;
      if (this.errors.length) throw new Error(`failed while waiting for ${what}: ${JSON.stringify(this.errors)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(this.items)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** A dashboard socket authenticated with token; resolves once the first heartbeat (sent after auth) arrives. */
async function dashboard(url: string, token: string): Promise<{ inbox: Inbox; ws: WebSocket }> {
  const inbox = new Inbox();
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/ws/dashboard`);
  ws.on('message', (data) => inbox.push(JSON.parse(String(data)) as Msg));
  ws.on('error', (e) => inbox.fail(e));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(token);
  await inbox.waitFor((m) => m.type === 'heartbeat', 'heartbeat after authentication');
  return { inbox, ws };
}

/** One graphql-ws subscription collecting the payloads of `field`. */
function subscribe(url: string, token: string, query: string, field: string, variables: Record<string, unknown> = {}): { inbox: Inbox; client: Client } {
  const inbox = new Inbox();
  const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
  client.subscribe<Record<string, Msg>>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors) inbox.fail(r.errors);
        else if (r.data?.[field]) inbox.push(r.data[field]);
      },
      error: (e) => inbox.fail(e),
      complete: () => undefined,
    },
  );
  return { inbox, client };
}

const ALERT_FIELDS = 'id ruleId machineId machineName severity status message metricName metricValue thresholdValue isAcknowledged acknowledgedBy acknowledgedAt snoozedUntil resolvedAt createdAt';
const RAISED = `subscription($machineId: ID, $groupId: ID, $minSeverity: AlertSeverity) { alertRaised(machineId: $machineId, groupId: $groupId, minSeverity: $minSeverity) { ${ALERT_FIELDS} } }`;
const UPDATED = `subscription($machineId: ID, $minSeverity: AlertSeverity) { alertUpdated(machineId: $machineId, minSeverity: $minSeverity) { ${ALERT_FIELDS} } }`;

describe.skipIf(pgSvc.skip)(`alerts API and live paths${pgSvc.label}`, () => {
  let t: TestApp;
  let lifecycle: AlertLifecycleService;
  let a: TenantSession;
  let viewerA: TenantSession;
  let operatorA: TenantSession;
  let b: TenantSession;
  let m1: string;
  let m2: string;
  let mb: string;
  let groupA: string;

  async function machine(s: TenantSession, name: string): Promise<string> {
    const r = await http('POST', `${t.api}/machines`, { token: s.token, body: { name, machine_identifier: `AL-${randomUUID().slice(0, 12)}`, protocol: 'json' } });
    expect(r.status).toBe(201);
    return r.body.id;
  }

  /** A new rule of the tenant (each alert gets its own, so one (rule, machine) never collides). */
  async function rule(tenantId: string): Promise<AlertRule> {
    const em = t.app.container.db.em();
    const r = new AlertRule();
    r.tenantId = tenantId;
    r.name = 'Spindle overheating';
    r.metricName = 'temperature';
    r.operator = '>';
    r.warningThreshold = 80;
    r.criticalThreshold = 85;
    r.messageTemplate = '{metric_name} {value} {unit} above {threshold} on {machine_name}';
    await em.persist(r).flush();
    return r;
  }

  /** Opens an alert as the rule engine does (stored, then published on alertRaised). */
  async function raise(tenantId: string, machineId: string, severity: 'info' | 'warning' | 'critical', value = 87.3): Promise<AlertSnapshot> {
    const r = await rule(tenantId);
    const threshold = severity === 'critical' ? 85 : 80;
    const opened = await lifecycle.open(tenantId, { id: r.id, name: r.name, messageTemplate: r.messageTemplate }, machineId, {
      severity, metricName: 'temperature', operator: '>', metricValue: value, thresholdValue: threshold, unit: 'celsius',
    });
    expect(opened).not.toBeNull();
    return opened!;
  }

  /** The server subscribes to the bus after the subscribe message: raise matching alerts until one arrives. */
  async function warm(sub: { inbox: Inbox }, machineId: string, tenantId: string): Promise<Msg> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const w = await raise(tenantId, machineId, 'critical');
      try {
        return await sub.inbox.waitFor((m) => m.id === w.id, 'warm-up alert', 300);
      } catch (err) {
        if (sub.inbox.errors.length || Date.now() > deadline) throw err;
      }
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    lifecycle = t.app.container.services.alertLifecycle;
    a = await registerTenant(t.api, 'alerta');
    b = await registerTenant(t.api, 'alertb');
    viewerA = await createUserSession(t.api, a, 'viewer');
    operatorA = await createUserSession(t.api, a, 'operator');
    m1 = await machine(a, 'CNC Mill #1');
    m2 = await machine(a, 'Press #2');
    mb = await machine(b, 'Other plant');
    const g = await http('POST', `${t.api}/machine-groups`, { token: a.token, body: { name: 'Line 3', group_type: 'line' } });
    expect(g.status).toBe(201);
    groupA = g.body.id;
    const members = await http('PUT', `${t.api}/machine-groups/${groupA}/members`, { token: a.token, body: { machine_ids: [m1] } });
    expect(members.status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lists alerts newest first with every documented filter, counts active ones in stats, and gets one', async () => {
    const s = await registerTenant(t.api, 'alertlist');
    const x = await machine(s, 'Lathe X');
    const y = await machine(s, 'Lathe Y');
    const first = await raise(s.tenantId, x, 'warning', 81.5);
    await sleep(20);
    const second = await raise(s.tenantId, y, 'critical', 90);
    await sleep(20);
    const third = await raise(s.tenantId, x, 'info', 70);
    // one resolved alert: listed with status=resolved, not counted by stats
    await lifecycle.resolve(s.tenantId, third.ruleId!, x);

    const all = await http('GET', `${t.api}/alerts`, { token: s.token });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, page: 1, page_size: 20, total_pages: 1 });
    expect(all.body.items.map((i: Msg) => i.id)).toEqual([third.id, second.id, first.id]);
    const shown = all.body.items[1];
    expect(Object.keys(shown).sort()).toEqual(
      ['acknowledged_at', 'acknowledged_by', 'created_at', 'id', 'is_acknowledged', 'machine_id', 'machine_name', 'message', 'metric_name', 'metric_value',
        'resolved_at', 'rule_id', 'severity', 'snoozed_until', 'status', 'threshold_value'].sort(),
    );
    expect(shown).toMatchObject({
      id: second.id, rule_id: second.ruleId, machine_id: y, machine_name: 'Lathe Y', severity: 'critical', status: 'active', metric_name: 'temperature',
      metric_value: 90, threshold_value: 85, is_acknowledged: false, acknowledged_by: null, acknowledged_at: null, snoozed_until: null, resolved_at: null,
    });
    expect(shown.message).toContain('Lathe Y');
    expect(shown.created_at).toMatch(ISO_Z);
    expect(all.body.items[0]).toMatchObject({ status: 'resolved', resolved_at: expect.stringMatching(ISO_Z) });

    const ids = async (query: string) => {
      const r = await http('GET', `${t.api}/alerts?${query}`, { token: s.token });
      expect(r.status, query).toBe(200);
      return r.body.items.map((i: Msg) => i.id);
    };
    expect(await ids(`machine_id=${x}`)).toEqual([third.id, first.id]);
    expect(await ids('severity=critical')).toEqual([second.id]);
    expect(await ids('status=active')).toEqual([second.id, first.id]);
    expect(await ids('status=resolved')).toEqual([third.id]);
    expect(await ids('is_acknowledged=true')).toEqual([]);
    expect(await ids('is_acknowledged=false')).toHaveLength(3);
    // start_date/end_date: created strictly after / before
    expect(await ids(`start_date=${encodeURIComponent(first.createdAt.toISOString())}`)).toEqual([third.id, second.id]);
    expect(await ids(`end_date=${encodeURIComponent(third.createdAt.toISOString())}`)).toEqual([second.id, first.id]);
    expect(await ids(`start_date=${encodeURIComponent(first.createdAt.toISOString())}&end_date=${encodeURIComponent(third.createdAt.toISOString())}`)).toEqual([second.id]);
    const paged = await http('GET', `${t.api}/alerts?page=2&page_size=2`, { token: s.token });
    expect(paged.body).toMatchObject({ total: 3, page: 2, page_size: 2, total_pages: 2 });
    expect(paged.body.items.map((i: Msg) => i.id)).toEqual([first.id]);

    const stats = await http('GET', `${t.api}/alerts/stats`, { token: s.token });
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({ total_active: 2, critical_count: 1, warning_count: 1, info_count: 0, unacknowledged_count: 2 });

    const one = await http('GET', `${t.api}/alerts/${first.id}`, { token: s.token });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: first.id, machine_name: 'Lathe X', severity: 'warning', metric_value: 81.5, threshold_value: 80 });

    // GraphQL door: same list and stats
    const q = await gql(t.url, `{ alerts(status: active) { total items { id machineName severity } } alertStats { totalActive criticalCount warningCount infoCount unacknowledgedCount } }`, {}, { token: s.token });
    expect(q.body.errors).toBeUndefined();
    expect(q.body.data.alerts).toEqual({ total: 2, items: [{ id: second.id, machineName: 'Lathe Y', severity: 'critical' }, { id: first.id, machineName: 'Lathe X', severity: 'warning' }] });
    expect(q.body.data.alertStats).toEqual({ totalActive: 2, criticalCount: 1, warningCount: 1, infoCount: 0, unacknowledgedCount: 2 });
  });

  it('acknowledges idempotently with one audit entry, by any role', async () => {
    const al = await raise(a.tenantId, m2, 'warning');
    const first = await http('POST', `${t.api}/alerts/${al.id}/acknowledge`, { token: viewerA.token });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: al.id, is_acknowledged: true, acknowledged_by: viewerA.userId, status: 'active' });
    expect(first.body.acknowledged_at).toMatch(ISO_Z);
    const again = await http('POST', `${t.api}/alerts/${al.id}/acknowledge`, { token: a.token });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const audit = await http('GET', `${t.api}/audit?action=acknowledge_alert&resource_id=${al.id}`, { token: a.token });
    expect(audit.body.total).toBe(1);
    expect(audit.body.items[0]).toMatchObject({ user_id: viewerA.userId, resource_type: 'alert' });

    const viaGql = await raise(a.tenantId, m2, 'critical');
    const g = await gql(t.url, `mutation($id: ID!) { acknowledgeAlert(id: $id) { id isAcknowledged acknowledgedBy } }`, { id: viaGql.id }, { token: operatorA.token });
    expect(g.body.data.acknowledgeAlert).toEqual({ id: viaGql.id, isAcknowledged: true, acknowledgedBy: operatorA.userId });
  });

  it('bulk-acknowledges with the documented counts; ids of another tenant count as not found and stay untouched', async () => {
    const fresh = await raise(a.tenantId, m1, 'warning');
    const acked = await raise(a.tenantId, m1, 'critical');
    expect((await http('POST', `${t.api}/alerts/${acked.id}/acknowledge`, { token: a.token })).status).toBe(200);
    const theirs = await raise(b.tenantId, mb, 'critical');
    const r = await http('POST', `${t.api}/alerts/bulk/acknowledge`, {
      token: operatorA.token,
      body: { alert_ids: [fresh.id, acked.id, theirs.id, randomUUID(), fresh.id.toUpperCase()] },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ acknowledged_count: 1, already_acknowledged_count: 1, not_found_count: 2 });
    const mine = await http('GET', `${t.api}/alerts/${fresh.id}`, { token: a.token });
    expect(mine.body).toMatchObject({ is_acknowledged: true, acknowledged_by: operatorA.userId });
    const other = await http('GET', `${t.api}/alerts/${theirs.id}`, { token: b.token });
    expect(other.body).toMatchObject({ is_acknowledged: false, acknowledged_by: null });
    const audit = await http('GET', `${t.api}/audit?action=acknowledge_alert&resource_id=${theirs.id}`, { token: b.token });
    expect(audit.body.total).toBe(0);

    const g = await gql(t.url, `mutation($ids: [ID!]!) { bulkAcknowledgeAlerts(input: { alertIds: $ids }) { acknowledgedCount alreadyAcknowledgedCount notFoundCount } }`, { ids: [theirs.id, 'not-a-uuid', fresh.id] }, { token: a.token });
    expect(g.body.data.bulkAcknowledgeAlerts).toEqual({ acknowledgedCount: 0, alreadyAcknowledgedCount: 1, notFoundCount: 2 });
    expect((await http('GET', `${t.api}/alerts/${theirs.id}`, { token: b.token })).body.is_acknowledged).toBe(false);
  });

  it('snoozes within 30 days (the alert stays active), audited; refuses past and too-distant instants with 422', async () => {
    const al = await raise(a.tenantId, m1, 'critical');
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const r = await http('POST', `${t.api}/alerts/${al.id}/snooze`, { token: viewerA.token, body: { snooze_until: until } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: al.id, snoozed_until: until, status: 'active', is_acknowledged: false });
    const audit = await http('GET', `${t.api}/audit?action=snooze_alert&resource_id=${al.id}`, { token: a.token });
    expect(audit.body.total).toBe(1);

    for (const [value, msg] of [
      [new Date(Date.now() - 60_000).toISOString(), 'future'],
      [new Date(Date.now() + 31 * 86_400_000).toISOString(), '30 days'],
    ] as const) {
      const bad = await http('POST', `${t.api}/alerts/${al.id}/snooze`, { token: a.token, body: { snooze_until: value } });
      expect(bad.status, value).toBe(422);
      expect(bad.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'snooze_until'], msg: expect.stringContaining(msg) })]);
    }
    for (const body of [{}, { snooze_until: 'tomorrow' }, { snooze_until: 12 }]) {
      const bad = await http('POST', `${t.api}/alerts/${al.id}/snooze`, { token: a.token, body });
      expect(bad.status, JSON.stringify(body)).toBe(422);
      expect(bad.body.detail[0].loc).toEqual(['body', 'snooze_until']);
    }
    // the refused calls changed nothing
    expect((await http('GET', `${t.api}/alerts/${al.id}`, { token: a.token })).body.snoozed_until).toBe(until);

    const g = await gql(t.url, `mutation($id: ID!, $until: DateTimeISO!) { snoozeAlert(id: $id, input: { snoozeUntil: $until }) { id } }`, { id: al.id, until: new Date(Date.now() - 1000).toISOString() }, { token: a.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_SNOOZE_UNTIL', status: 422 });
    expect(g.body.errors![0]!.extensions!.issues[0].loc).toEqual(['snooze_until']);
  });

  it('keeps comments with author and time, oldest first, audited; refuses empty, too long and control characters', async () => {
    const al = await raise(a.tenantId, m2, 'warning');
    const c1 = await http('POST', `${t.api}/alerts/${al.id}/comments`, { token: viewerA.token, body: { body: 'Checked the coolant level' } });
    expect(c1.status).toBe(201);
    expect(c1.body).toMatchObject({ alert_id: al.id, user_id: viewerA.userId, body: 'Checked the coolant level' });
    expect(c1.body.created_at).toMatch(ISO_Z);
    await sleep(10);
    const long = 'é'.repeat(5000);
    const c2 = await http('POST', `${t.api}/alerts/${al.id}/comments`, { token: a.token, body: { body: long } });
    expect(c2.status).toBe(201);
    const list = await http('GET', `${t.api}/alerts/${al.id}/comments`, { token: operatorA.token });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 2, page: 1 });
    expect(list.body.items.map((c: Msg) => [c.id, c.user_id])).toEqual([[c1.body.id, viewerA.userId], [c2.body.id, a.userId]]);
    const audit = await http('GET', `${t.api}/audit?action=comment_alert&resource_id=${al.id}`, { token: a.token });
    expect(audit.body.total).toBe(2);

    for (const [body, type] of [[{ body: '' }, 'string_too_short'], [{ body: 'x'.repeat(5001) }, 'string_too_long'], [{}, 'missing'], [{ body: 7 }, 'string_type']] as const) {
      const bad = await http('POST', `${t.api}/alerts/${al.id}/comments`, { token: a.token, body });
      expect(bad.status, JSON.stringify(body).slice(0, 40)).toBe(422);
      expect(bad.body.detail[0]).toMatchObject({ loc: ['body', 'body'], type });
    }
    const nul = await http('POST', `${t.api}/alerts/${al.id}/comments`, { token: a.token, body: { body: 'bad\u0000byte' } });
    expect(nul.status).toBe(422);
    expect(nul.body.detail[0].loc).toEqual(['body', 'body']);
    const g = await gql(t.url, `mutation($id: ID!, $body: String!) { addAlertComment(alertId: $id, input: { body: $body }) { id } }`, { id: al.id, body: 'y'.repeat(5001) }, { token: a.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ALERT_COMMENT' });
    expect((await http('GET', `${t.api}/alerts/${al.id}/comments`, { token: a.token })).body.total).toBe(2);
  });

  it("isolates tenants: another tenant's alert is a 404 on every row with an id and absent from lists and stats", async () => {
    const al = await raise(a.tenantId, m1, 'critical');
    const before = await http('GET', `${t.api}/alerts/${al.id}`, { token: a.token });
    const bStatsBefore = await http('GET', `${t.api}/alerts/stats`, { token: b.token });
    const calls: [string, string, unknown?][] = [
      ['GET', `/alerts/${al.id}`],
      ['POST', `/alerts/${al.id}/acknowledge`],
      ['POST', `/alerts/${al.id}/snooze`, { snooze_until: new Date(Date.now() + 60_000).toISOString() }],
      ['GET', `/alerts/${al.id}/comments`],
      ['POST', `/alerts/${al.id}/comments`, { body: 'not mine' }],
    ];
    for (const [method, path, body] of calls) {
      const r = await http(method, `${t.api}${path}`, { token: b.token, body });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body).toEqual({ detail: 'Alert not found' });
    }
    expect((await http('GET', `${t.api}/alerts/${randomUUID()}`, { token: a.token })).status).toBe(404);
    const list = await http('GET', `${t.api}/alerts?page_size=100`, { token: b.token });
    expect(list.body.items.some((i: Msg) => i.id === al.id)).toBe(false);
    expect((await http('GET', `${t.api}/alerts/stats`, { token: b.token })).body).toEqual(bStatsBefore.body);
    expect((await http('GET', `${t.api}/alerts/${al.id}`, { token: a.token })).body).toEqual(before.body);
    expect((await http('GET', `${t.api}/alerts/${al.id}/comments`, { token: a.token })).body.total).toBe(0);

    const g = await gql(t.url, `query($id: ID!) { alert(id: $id) { id } }`, { id: al.id }, { token: b.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'ALERT_NOT_FOUND', status: 404 });
    const malformed = await gql(t.url, `query { alert(id: "nope") { id } }`, {}, { token: a.token });
    expect(malformed.body.errors![0]!.extensions).toMatchObject({ reason: 'ALERT_NOT_FOUND' });
  });

  it('answers 401 without credentials, 403 to API keys, and 422 with loc for bad queries and bodies', async () => {
    const al = await raise(a.tenantId, m1, 'warning');
    expect((await http('GET', `${t.api}/alerts`)).status).toBe(401);
    expect((await http('POST', `${t.api}/alerts/${al.id}/acknowledge`)).status).toBe(401);
    const key = await createApiKey(t.api, a, ['read:machines', 'read:sensors']);
    for (const [method, path] of [['GET', '/alerts'], ['GET', '/alerts/stats'], ['GET', `/alerts/${al.id}`], ['POST', `/alerts/${al.id}/acknowledge`]]) {
      const r = await http(method!, `${t.api}${path}`, { apiKey: key.key });
      expect(r.status, `${method} ${path}`).toBe(403);
    }
    expect((await http('GET', `${t.api}/alerts/${al.id}`, { token: a.token })).body.is_acknowledged).toBe(false);

    const bad: [string, unknown[]][] = [
      ['severity=fatal', ['query', 'severity']],
      ['status=open', ['query', 'status']],
      ['machine_id=abc', ['query', 'machine_id']],
      ['is_acknowledged=maybe', ['query', 'is_acknowledged']],
      ['start_date=yesterday', ['query', 'start_date']],
      ['end_date=2026-01-01', ['query', 'end_date']],
      ['page_size=101', ['query', 'page_size']],
      ['page=0', ['query', 'page']],
    ];
    for (const [query, loc] of bad) {
      const r = await http('GET', `${t.api}/alerts?${query}`, { token: a.token });
      expect(r.status, query).toBe(422);
      expect(r.body.detail[0].loc, query).toEqual(loc);
    }
    expect((await http('GET', `${t.api}/alerts/not-a-uuid`, { token: a.token })).status).toBe(422);
    for (const [body, loc] of [
      [{}, ['body', 'alert_ids']],
      [{ alert_ids: [] }, ['body', 'alert_ids']],
      [{ alert_ids: ['nope'] }, ['body', 'alert_ids', 0]],
      [{ alert_ids: Array.from({ length: 501 }, () => randomUUID()) }, ['body', 'alert_ids']],
      [{ alert_ids: 'x' }, ['body', 'alert_ids']],
    ] as const) {
      const r = await http('POST', `${t.api}/alerts/bulk/acknowledge`, { token: a.token, body });
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(422);
      expect(r.body.detail[0].loc).toEqual(loc);
    }
    const g = await gql(t.url, `query { alerts(machineId: "abc") { total } }`, {}, { token: a.token });
    expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', status: 422 });
    expect(g.body.errors![0]!.extensions!.issues[0].loc).toEqual(['machine_id']);
  });

  it("delivers alerts to graphql-ws subscriptions by machine, group and minimum severity, and to the tenant's dashboard sockets only", async () => {
    const dashA = await dashboard(t.url, a.token);
    const dashB = await dashboard(t.url, b.token);
    const critInGroup = subscribe(t.url, a.token, RAISED, 'alertRaised', { groupId: groupA, minSeverity: 'critical' });
    const ofM2 = subscribe(t.url, a.token, RAISED, 'alertRaised', { machineId: m2 });
    const updates = subscribe(t.url, a.token, UPDATED, 'alertUpdated', {});
    const ofB = subscribe(t.url, b.token, RAISED, 'alertRaised', {});
    try {
      await warm(critInGroup, m1, a.tenantId);
      await warm(ofM2, m2, a.tenantId);
      const bOwn = await warm(ofB, mb, b.tenantId);
      const warnM1 = await raise(a.tenantId, m1, 'warning');
      const critM2 = await raise(a.tenantId, m2, 'critical', 99.5);
      const critM1 = await raise(a.tenantId, m1, 'critical', 91.25);

      const got = await critInGroup.inbox.waitFor((m) => m.id === critM1.id, 'critical alert of a machine in the group');
      expect(got).toMatchObject({ machineId: m1, machineName: 'CNC Mill #1', severity: 'critical', status: 'active', metricValue: 91.25, thresholdValue: 85, isAcknowledged: false, ruleId: critM1.ruleId });
      const m2Got = await ofM2.inbox.waitFor((m) => m.id === critM2.id, 'alert of m2');
      expect(m2Got.machineId).toBe(m2);
      // the critical alert of m1 came after the others: anything filtered in would have arrived before it
      expect(critInGroup.inbox.items.some((m) => m.id === warnM1.id || m.id === critM2.id)).toBe(false);
      await sleep(200);
      expect(ofM2.inbox.items.every((m) => m.machineId === m2)).toBe(true);

      const msg = await dashA.inbox.waitFor((m) => m.type === 'alert' && m.alert_id === critM2.id, 'dashboard alert message');
      expect(msg).toEqual({
        type: 'alert', alert_id: critM2.id, machine_id: m2, severity: 'critical', message: critM2.message, metric_value: 99.5, threshold_value: 85,
        created_at: critM2.createdAt.toISOString(),
      });
      await dashA.inbox.waitFor((m) => m.type === 'alert' && m.alert_id === warnM1.id, 'dashboard warning alert');

      // an acknowledgement is an alertUpdated event
      await http('POST', `${t.api}/alerts/${critM1.id}/acknowledge`, { token: a.token });
      const upd = await updates.inbox.waitFor((m) => m.id === critM1.id, 'alertUpdated after acknowledge');
      expect(upd).toMatchObject({ isAcknowledged: true, acknowledgedBy: a.userId, status: 'active' });

      // nothing of tenant A reached tenant B's socket or subscription
      await sleep(200);
      const seenByB = dashB.inbox.items.filter((m) => m.type === 'alert');
      expect(seenByB.length).toBeGreaterThan(0);
      expect(seenByB.every((m) => m.machine_id === mb)).toBe(true);
      expect(seenByB.some((m) => m.alert_id === bOwn.id)).toBe(true);
      expect(ofB.inbox.items.every((m) => m.machineId === mb)).toBe(true);
      expect(dashA.inbox.items.some((m) => m.machine_id === mb)).toBe(false);
      expect([critInGroup, ofM2, updates, ofB].flatMap((s) => s.inbox.errors)).toEqual([]);
    } finally {
      dashA.ws.terminate();
      dashB.ws.terminate();
      await Promise.all([critInGroup, ofM2, updates, ofB].map((s) => s.client.dispose()));
    }
  });

  it('refuses a subscription naming a machine or group of another tenant', async () => {
    for (const vars of [{ machineId: mb }, { groupId: randomUUID() }]) {
      const sub = subscribe(t.url, a.token, RAISED, 'alertRaised', vars);
      try {
        await expect(sub.inbox.waitFor(() => false, 'refusal', 3000)).rejects.toThrow(/not found/i);
      } finally {
        await sub.client.dispose();
      }
    }
  });

  it('opens an alert from a rule and a violating ingest batch, seen through REST, GraphQL, the subscription and the dashboard', async () => {
    const s = await registerTenant(t.api, 'alertingest');
    const identifier = `AL-${randomUUID().slice(0, 12)}`;
    const m = await http('POST', `${t.api}/machines`, { token: s.token, body: { name: 'Spindle 7', machine_identifier: identifier, protocol: 'json' } });
    expect(m.status).toBe(201);
    const key = await createApiKey(t.api, s, ['ingest']);
    const ruleRes = await http('POST', `${t.api}/alert-rules`, {
      token: s.token,
      body: { name: 'Spindle overheating', machine_id: m.body.id, metric_name: 'temperature', operator: '>', warning_threshold: 80, critical_threshold: 85 },
    });
    expect(ruleRes.status, ruleRes.text).toBe(201);
    const dash = await dashboard(t.url, s.token);
    const sub = subscribe(t.url, s.token, RAISED, 'alertRaised', { machineId: m.body.id });
    try {
      await warm(sub, m.body.id, s.tenantId);
      const ingest = await http('POST', `${t.api}/ingest`, {
        apiKey: key.key,
        body: { readings: [{ machine_identifier: identifier, timestamp: new Date(Date.now() - 1000).toISOString(), metric_name: 'temperature', value: 88.5, unit: 'celsius' }] },
      });
      expect(ingest.status, ingest.text).toBe(207);
      // evaluation follows the stored batch; the bound leaves room for a loaded shared machine
      const live = await sub.inbox.waitFor((x) => x.ruleId === ruleRes.body.id, 'alert raised by the rule', 3 * WAIT_MS);
      expect(live).toMatchObject({ machineId: m.body.id, machineName: 'Spindle 7', severity: 'critical', status: 'active', metricName: 'temperature', metricValue: 88.5, thresholdValue: 85 });
      const msg = await dash.inbox.waitFor((x) => x.type === 'alert' && x.alert_id === live.id, 'dashboard alert of the rule');
      expect(msg).toEqual({ type: 'alert', alert_id: live.id, machine_id: m.body.id, severity: 'critical', message: live.message, metric_value: 88.5, threshold_value: 85, created_at: live.createdAt });

      const rest = await http('GET', `${t.api}/alerts/${live.id}`, { token: s.token });
      expect(rest.body).toMatchObject({ id: live.id, rule_id: ruleRes.body.id, severity: 'critical', status: 'active', metric_value: 88.5, created_at: live.createdAt });
      const g = await gql(t.url, `query($id: ID!) { alert(id: $id) { id ruleId severity message } }`, { id: live.id }, { token: s.token });
      expect(g.body.data.alert).toEqual({ id: live.id, ruleId: ruleRes.body.id, severity: 'critical', message: live.message });
    } finally {
      dash.ws.terminate();
      await sub.client.dispose();
    }
  });
});
