/**
 * Alert rules through both doors: the resource as documented in issue 11 (operator words returned
 * as symbols, the default template, filters, pagination), every validation 422 with its `loc`,
 * tenant isolation (404), roles (viewers read, API keys refused), the audit trail, the
 * `alertRulesChanged` event, and disabling or deleting a rule resolving its active alert.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRulesChangedTopic, type AlertRulesChanged } from '../../src/alerts/alert.events.js';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const RULE = { name: 'Spindle overheating', metric_name: 'temperature', operator: '>', warning_threshold: 80, critical_threshold: 85 };
const RULE_FIELDS = `id tenantId name machineId groupId metricName operator warningThreshold criticalThreshold durationSeconds deadband
  conditions { metricName operator threshold } logic severity windowSeconds isEnabled messageTemplate createdAt updatedAt`;

describe.skipIf(pgSvc.skip)(`alert rules${pgSvc.label}`, () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: TenantSession;
  let operator: TenantSession;
  let viewer: TenantSession;
  let other: TenantSession;
  let machineId: string;
  let groupId: string;
  let otherMachineId: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    admin = await registerTenant(t.api, 'rules-a');
    other = await registerTenant(t.api, 'rules-b');
    [operator, viewer] = await Promise.all([createUserSession(t.api, admin, 'operator'), createUserSession(t.api, admin, 'viewer')]);
    const m = await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: 'Lathe 1', machine_identifier: `R-${randomUUID().slice(0, 8)}`, protocol: 'json' } });
    machineId = m.body.id;
    const g = await http('POST', `${t.api}/machine-groups`, { token: admin.token, body: { name: 'Line 1', group_type: 'line' } });
    groupId = g.body.id;
    const om = await http('POST', `${t.api}/machines`, { token: other.token, body: { name: 'Foreign', machine_identifier: `R-${randomUUID().slice(0, 8)}`, protocol: 'json' } });
    otherMachineId = om.body.id;
  });
  afterAll(async () => {
    await db?.end();
    await t?.stop();
  });

  async function create(s: TenantSession, body: Record<string, unknown>) {
    const r = await http('POST', `${t.api}/alert-rules`, { token: s.token, body });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  /** a 422 whose single issue is at `loc` */
  async function rejects(method: string, path: string, body: unknown, loc: (string | number)[], s: TenantSession = admin) {
    const r = await http(method, `${t.api}${path}`, { token: s.token, body });
    expect(r.status, `${JSON.stringify(body)} -> ${r.text}`).toBe(422);
    expect(r.body.detail.map((d: { loc: unknown }) => d.loc), r.text).toContainEqual(loc);
    for (const d of r.body.detail) {
      expect(typeof d.msg).toBe('string');
      expect(typeof d.type).toBe('string');
    }
    return r.body.detail as { loc: unknown[]; msg: string; type: string }[];
  }

  it('creates a simple rule: operator words come back as symbols, the default template filled in, every field returned', async () => {
    const r = await create(admin, { ...RULE, operator: 'gte', machine_id: machineId, deadband: 1.5, duration_seconds: 30 });
    expect(r).toEqual({
      id: expect.any(String),
      tenant_id: admin.tenantId,
      name: 'Spindle overheating',
      machine_id: machineId,
      group_id: null,
      metric_name: 'temperature',
      operator: '>=',
      warning_threshold: 80,
      critical_threshold: 85,
      duration_seconds: 30,
      deadband: 1.5,
      conditions: null,
      logic: null,
      severity: null,
      window_seconds: null,
      is_enabled: true,
      message_template: '{rule_name}: {metric_name} {value} {unit} {operator} {threshold} on {machine_name}',
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const got = await http('GET', `${t.api}/alert-rules/${r.id}`, { token: viewer.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(r);
    for (const [word, symbol] of [['gt', '>'], ['lt', '<'], ['lte', '<='], ['eq', '=='], ['neq', '!=']]) {
      const w = await create(admin, { name: `w ${word}`, metric_name: 'pressure', operator: word, warning_threshold: 1 });
      expect(w.operator).toBe(symbol);
    }
  });

  it('creates a composite rule and a group-scoped rule with a template of known placeholders', async () => {
    const r = await create(operator, {
      name: 'Bearing failure',
      group_id: groupId,
      conditions: [
        { metric_name: 'vibration', operator: 'gt', threshold: 5 },
        { metric_name: 'temperature', operator: '>', threshold: 78 },
      ],
      logic: 'and',
      severity: 'critical',
      window_seconds: 300,
      message_template: '{machine_name}: {metric_name} at {value}',
    });
    expect(r).toMatchObject({
      group_id: groupId,
      machine_id: null,
      metric_name: null,
      operator: null,
      warning_threshold: null,
      critical_threshold: null,
      conditions: [
        { metric_name: 'vibration', operator: '>', threshold: 5 },
        { metric_name: 'temperature', operator: '>', threshold: 78 },
      ],
      logic: 'and',
      severity: 'critical',
      window_seconds: 300,
      message_template: '{machine_name}: {metric_name} at {value}',
    });
  });

  it('lists newest first, paginated, filtered by machine_id, group_id, metric_name and is_enabled', async () => {
    const s = await registerTenant(t.api, 'rules-list');
    const m = await http('POST', `${t.api}/machines`, { token: s.token, body: { name: 'M', machine_identifier: `L-${randomUUID().slice(0, 8)}`, protocol: 'json' } });
    const g = await http('POST', `${t.api}/machine-groups`, { token: s.token, body: { name: 'G', group_type: 'site' } });
    const a = await create(s, { ...RULE, name: 'a', machine_id: m.body.id });
    const b = await create(s, { ...RULE, name: 'b', group_id: g.body.id, metric_name: 'vibration' });
    const c = await create(s, { ...RULE, name: 'c', is_enabled: false });
    const list = async (q: string) => {
      const r = await http('GET', `${t.api}/alert-rules${q}`, { token: s.token });
      expect(r.status, r.text).toBe(200);
      return r.body;
    };
    const all = await list('');
    expect(all).toMatchObject({ total: 3, page: 1, page_size: 20, total_pages: 1 });
    expect(all.items.map((r: { id: string }) => r.id)).toEqual([c.id, b.id, a.id]);
    expect((await list(`?machine_id=${m.body.id}`)).items.map((r: { id: string }) => r.id)).toEqual([a.id]);
    expect((await list(`?group_id=${g.body.id}`)).items.map((r: { id: string }) => r.id)).toEqual([b.id]);
    expect((await list('?metric_name=vibration')).items.map((r: { id: string }) => r.id)).toEqual([b.id]);
    expect((await list('?is_enabled=false')).items.map((r: { id: string }) => r.id)).toEqual([c.id]);
    expect((await list('?is_enabled=true')).total).toBe(2);
    const page2 = await list('?page=2&page_size=2');
    expect(page2).toMatchObject({ total: 3, page: 2, page_size: 2, total_pages: 2 });
    expect(page2.items.map((r: { id: string }) => r.id)).toEqual([a.id]);
  });

  it('answers every invalid rule with a 422 naming the field, never a 500', async () => {
    const P = '/alert-rules';
    await rejects('POST', P, { ...RULE, machine_id: machineId, group_id: groupId }, ['body', 'group_id']);
    await rejects('POST', P, { ...RULE, operator: 'above' }, ['body', 'operator']);
    await rejects('POST', P, { ...RULE, warning_threshold: null, critical_threshold: null }, ['body', 'warning_threshold']);
    await rejects('POST', P, { ...RULE, warning_threshold: 90, critical_threshold: 85 }, ['body', 'critical_threshold']);
    await rejects('POST', P, { ...RULE, operator: 'lt', warning_threshold: 10, critical_threshold: 20 }, ['body', 'critical_threshold']);
    await rejects('POST', P, { name: 'x', operator: '>', warning_threshold: 1 }, ['body', 'metric_name']);
    await rejects('POST', P, { name: 'x', metric_name: 'temperature', warning_threshold: 1 }, ['body', 'operator']);
    await rejects('POST', P, { ...RULE, name: '' }, ['body', 'name']);
    await rejects('POST', P, { ...RULE, name: 'n'.repeat(201) }, ['body', 'name']);
    await rejects('POST', P, { ...RULE, deadband: -1 }, ['body', 'deadband']);
    await rejects('POST', P, { ...RULE, duration_seconds: 1.5 }, ['body', 'duration_seconds']);
    await rejects('POST', P, { ...RULE, duration_seconds: 86_401 }, ['body', 'duration_seconds']);
    await rejects('POST', P, { ...RULE, warning_threshold: 'hot' }, ['body', 'warning_threshold']);
    await rejects('POST', P, { ...RULE, machine_id: 'not-a-uuid' }, ['body', 'machine_id']);
    await rejects('POST', P, { ...RULE, machine_id: otherMachineId }, ['body', 'machine_id']);
    await rejects('POST', P, { ...RULE, group_id: randomUUID() }, ['body', 'group_id']);
    const unknown = await rejects('POST', P, { ...RULE, message_template: '{metric_name} on {machine}' }, ['body', 'message_template']);
    expect(unknown[0]!.msg).toContain('{machine}');
    await rejects('POST', P, { ...RULE, message_template: 't'.repeat(1001) }, ['body', 'message_template']);
    const cond = (n: number) => Array.from({ length: n }, (_, i) => ({ metric_name: `m${i}`, operator: '>', threshold: i }));
    const composite = { name: 'c', conditions: cond(2), logic: 'or', severity: 'warning', window_seconds: 60 };
    await rejects('POST', P, { ...composite, conditions: cond(1) }, ['body', 'conditions']);
    await rejects('POST', P, { ...composite, conditions: cond(11) }, ['body', 'conditions']);
    await rejects('POST', P, { ...composite, conditions: [cond(1)[0], { metric_name: 'x', operator: 'approx', threshold: 1 }] }, ['body', 'conditions', 1, 'operator']);
    await rejects('POST', P, { ...composite, conditions: [cond(1)[0], { metric_name: '', operator: '>', threshold: 1 }] }, ['body', 'conditions', 1, 'metric_name']);
    await rejects('POST', P, { ...composite, logic: 'xor' }, ['body', 'logic']);
    await rejects('POST', P, { ...composite, logic: undefined }, ['body', 'logic']);
    await rejects('POST', P, { ...composite, severity: 'fatal' }, ['body', 'severity']);
    await rejects('POST', P, { ...composite, severity: undefined }, ['body', 'severity']);
    await rejects('POST', P, { ...composite, window_seconds: 0 }, ['body', 'window_seconds']);
    await rejects('POST', P, { ...composite, window_seconds: undefined }, ['body', 'window_seconds']);
    await rejects('POST', P, { ...composite, metric_name: 'temperature' }, ['body', 'metric_name']);
    await rejects('POST', P, { ...RULE, logic: 'and' }, ['body', 'logic']);
    await rejects('GET', '/alert-rules?machine_id=nope', undefined, ['query', 'machine_id']);
    await rejects('GET', '/alert-rules?is_enabled=maybe', undefined, ['query', 'is_enabled']);
    await rejects('GET', '/alert-rules?metric_name=%00', undefined, ['query', 'metric_name']);
    await rejects('POST', P, { ...RULE, name: 'bad\u0000name' }, ['body', 'name']);
    await rejects('POST', P, { ...RULE, metric_name: 'temp\u202e' }, ['body', 'metric_name']);
    await rejects('POST', P, { ...RULE, message_template: '{value}\u0000' }, ['body', 'message_template']);
    await rejects('POST', P, { ...composite, conditions: [cond(1)[0], { metric_name: 'x\ud800', operator: '>', threshold: 1 }] }, ['body', 'conditions', 1, 'metric_name']);
    await rejects('GET', '/alert-rules/nope', undefined, ['path', 'rule_id']);
    // a PATCH is judged as the whole rule it produces: lowering critical below warning is refused
    const r = await create(admin, RULE);
    await rejects('PATCH', `/alert-rules/${r.id}`, { critical_threshold: 70 }, ['body', 'critical_threshold']);
    await rejects('PATCH', `/alert-rules/${r.id}`, { operator: '<' }, ['body', 'critical_threshold']);
    await rejects('PATCH', `/alert-rules/${r.id}`, { machine_id: machineId, group_id: groupId }, ['body', 'group_id']);
    const unchanged = await http('GET', `${t.api}/alert-rules/${r.id}`, { token: admin.token });
    expect(unchanged.body).toEqual(r);
  });

  it('updates partially, switches kind and scope, and audits create, update and delete', async () => {
    const r = await create(admin, { ...RULE, machine_id: machineId });
    const p1 = await http('PATCH', `${t.api}/alert-rules/${r.id}`, { token: operator.token, body: { name: 'Renamed', deadband: 2, group_id: groupId } });
    expect(p1.status, p1.text).toBe(200);
    expect(p1.body).toMatchObject({ name: 'Renamed', deadband: 2, group_id: groupId, machine_id: null, metric_name: 'temperature', warning_threshold: 80 });
    const p2 = await http('PATCH', `${t.api}/alert-rules/${r.id}`, {
      token: admin.token,
      body: { conditions: [{ metric_name: 'a', operator: 'neq', threshold: 0 }, { metric_name: 'b', operator: 'eq', threshold: 1 }], logic: 'or', severity: 'info', window_seconds: 10 },
    });
    expect(p2.status, p2.text).toBe(200);
    expect(p2.body).toMatchObject({ metric_name: null, operator: null, warning_threshold: null, critical_threshold: null, logic: 'or', severity: 'info' });
    expect(p2.body.conditions.map((c: { operator: string }) => c.operator)).toEqual(['!=', '==']);
    const p3 = await http('PATCH', `${t.api}/alert-rules/${r.id}`, { token: admin.token, body: { metric_name: 'temperature', operator: 'lt', critical_threshold: 5 } });
    expect(p3.status, p3.text).toBe(200);
    expect(p3.body).toMatchObject({ conditions: null, logic: null, severity: null, window_seconds: null, operator: '<', critical_threshold: 5, warning_threshold: null });
    const del = await http('DELETE', `${t.api}/alert-rules/${r.id}`, { token: operator.token });
    expect(del.status).toBe(204);
    expect((await http('GET', `${t.api}/alert-rules/${r.id}`, { token: admin.token })).status).toBe(404);
    expect((await http('DELETE', `${t.api}/alert-rules/${r.id}`, { token: admin.token })).status).toBe(404);
    const audit = await http('GET', `${t.api}/audit?page_size=100`, { token: admin.token });
    expect(audit.status, audit.text).toBe(200);
    const actions = audit.body.items.filter((e: { resource_id: string }) => e.resource_id === r.id).map((e: { action: string; resource_type: string }) => `${e.resource_type}:${e.action}`);
    expect(actions.sort()).toEqual(['alert_rule:create_alert_rule', 'alert_rule:delete_alert_rule', 'alert_rule:update_alert_rule', 'alert_rule:update_alert_rule', 'alert_rule:update_alert_rule']);
  });

  it('keeps tenants apart: another tenant gets 404 on every row with an id and never sees the rule', async () => {
    const r = await create(admin, RULE);
    for (const [method, body] of [['GET', undefined], ['PATCH', { name: 'stolen' }], ['DELETE', undefined]] as const) {
      const res = await http(method, `${t.api}/alert-rules/${r.id}`, { token: other.token, body });
      expect(res.status, `${method} ${res.text}`).toBe(404);
      expect(res.body).toEqual({ detail: 'Alert rule not found' });
    }
    const list = await http('GET', `${t.api}/alert-rules?page_size=100`, { token: other.token });
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(r.id);
    const still = await http('GET', `${t.api}/alert-rules/${r.id}`, { token: admin.token });
    expect(still.body.name).toBe(RULE.name);
    const g = await gql(t.url, `query($id: ID!) { alertRule(id: $id) { id } }`, { id: r.id }, { token: other.token });
    expect(g.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'ALERT_RULE_NOT_FOUND' });
  });

  it('lets every role read and only admins and operators write; API keys are refused', async () => {
    const r = await create(admin, RULE);
    expect((await http('GET', `${t.api}/alert-rules`, { token: viewer.token })).status).toBe(200);
    expect((await http('GET', `${t.api}/alert-rules/${r.id}`, { token: viewer.token })).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/alert-rules', RULE],
      ['PATCH', `/alert-rules/${r.id}`, { name: 'x' }],
      ['DELETE', `/alert-rules/${r.id}`, undefined],
    ] as const) {
      const res = await http(method, `${t.api}${path}`, { token: viewer.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual({ detail: 'Forbidden (insufficient role)' });
    }
    const key = await createApiKey(t.api, admin, ['read:machines', 'read:sensors', 'ingest']);
    for (const [method, path] of [['GET', '/alert-rules'], ['GET', `/alert-rules/${r.id}`], ['POST', '/alert-rules']] as const) {
      const res = await http(method, `${t.api}${path}`, { apiKey: key.key, body: method === 'POST' ? RULE : undefined });
      expect(res.status, `${method} ${path} ${res.text}`).toBe(403);
    }
    expect((await http('GET', `${t.api}/alert-rules`)).status).toBe(401);
    const g = await gql(t.url, `mutation($i: CreateAlertRuleInput!) { createAlertRule(input: $i) { id } }`, { i: { name: 'x', metricName: 'm', operator: '>', warningThreshold: 1 } }, { token: viewer.token });
    expect(g.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('serves the same resource over GraphQL, with the module code on validation errors', async () => {
    const ok = async (query: string, variables: Record<string, unknown>, s = admin) => {
      const r = await gql(t.url, query, variables, { token: s.token });
      expect(r.body.errors, r.text).toBeUndefined();
      return r.body.data;
    };
    const created = (
      await ok(`mutation($i: CreateAlertRuleInput!) { createAlertRule(input: $i) { ${RULE_FIELDS} } }`, {
        i: { name: 'Hot or shaking', conditions: [{ metricName: 'temperature', operator: 'gte', threshold: 90 }, { metricName: 'vibration', operator: 'gt', threshold: 7 }], logic: 'or', severity: 'warning', windowSeconds: 120 },
      })
    ).createAlertRule;
    expect(created).toMatchObject({ tenantId: admin.tenantId, logic: 'or', severity: 'warning', windowSeconds: 120, metricName: null, isEnabled: true, durationSeconds: 0, deadband: 0 });
    expect(created.conditions).toEqual([{ metricName: 'temperature', operator: '>=', threshold: 90 }, { metricName: 'vibration', operator: '>', threshold: 7 }]);
    const rest = await http('GET', `${t.api}/alert-rules/${created.id}`, { token: admin.token });
    expect(rest.body.conditions).toEqual([{ metric_name: 'temperature', operator: '>=', threshold: 90 }, { metric_name: 'vibration', operator: '>', threshold: 7 }]);

    const updated = (await ok(`mutation($id: ID!, $i: UpdateAlertRuleInput!) { updateAlertRule(id: $id, input: $i) { ${RULE_FIELDS} } }`, { id: created.id, i: { windowSeconds: 30, isEnabled: false } })).updateAlertRule;
    expect(updated).toMatchObject({ windowSeconds: 30, isEnabled: false, logic: 'or' });
    const listed = (await ok(`query { alertRules(isEnabled: false, pageSize: 100) { total items { id } } }`, {})).alertRules;
    expect(listed.items.map((x: { id: string }) => x.id)).toContain(created.id);
    expect((await ok(`query($id: ID!) { alertRule(id: $id) { name } }`, { id: created.id }, viewer)).alertRule.name).toBe('Hot or shaking');

    const bad = await gql(t.url, `mutation($i: CreateAlertRuleInput!) { createAlertRule(input: $i) { id } }`, { i: { name: 'x', metricName: 'm', operator: '>', warningThreshold: 9, criticalThreshold: 3 } }, { token: admin.token });
    expect(bad.status).not.toBe(500);
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ALERT_RULE' });
    const nul = await gql(t.url, `query { alertRules(metricName: "a\\u0000") { total } }`, {}, { token: admin.token });
    expect(nul.status).not.toBe(500);
    expect(nul.body.errors?.[0]?.extensions?.code, nul.text).toBe('BAD_USER_INPUT');
    const both = await gql(t.url, `mutation($i: CreateAlertRuleInput!) { createAlertRule(input: $i) { id } }`, { i: { ...{ name: 'x', metricName: 'm', operator: '>', warningThreshold: 1 }, machineId, groupId } }, { token: admin.token });
    expect(both.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ALERT_RULE' });

    expect((await ok(`mutation($id: ID!) { deleteAlertRule(id: $id) }`, { id: created.id })).deleteAlertRule).toBe(true);
    const gone = await gql(t.url, `query($id: ID!) { alertRule(id: $id) { id } }`, { id: created.id }, { token: admin.token });
    expect(gone.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'ALERT_RULE_NOT_FOUND' });
  });

  it('publishes alertRulesChanged on create, update and delete', async () => {
    const s = await registerTenant(t.api, 'rules-events');
    const seen: AlertRulesChanged[] = [];
    const off = t.app.container.bus.on(alertRulesChangedTopic(s.tenantId), (e) => void seen.push(e));
    try {
      const r = await create(s, RULE);
      await http('PATCH', `${t.api}/alert-rules/${r.id}`, { token: s.token, body: { deadband: 1 } });
      await http('DELETE', `${t.api}/alert-rules/${r.id}`, { token: s.token });
      await expect.poll(() => seen.map((e) => e.change), { timeout: 5000 }).toEqual(['created', 'updated', 'deleted']);
      expect(seen.every((e) => e.ruleId === r.id && e.tenantId === s.tenantId)).toBe(true);
    } finally {
      off();
    }
  });

  describe('closing alerts with their rule', () => {
    let key: string;
    let identifier: string;
    let mid: string;

    beforeAll(async () => {
      key = (await createApiKey(t.api, admin, ['ingest'])).key;
      identifier = `CL-${randomUUID().slice(0, 8)}`;
      const m = await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: 'Closer', machine_identifier: identifier, protocol: 'json' } });
      mid = m.body.id;
    });

    async function activeAlertOf(ruleId: string): Promise<string> {
      const r = await http('POST', `${t.api}/ingest`, {
        apiKey: key,
        body: { readings: [{ machine_identifier: identifier, metric_name: 'spindle_temp', unit: 'C', value: 99, timestamp: new Date().toISOString() }] },
      });
      expect(r.status, r.text).toBe(207);
      let id = '';
      await expect
        .poll(async () => {
          const rows = await db.query<{ id: string; status: string }>('select id, status from alerts where rule_id = $1', [ruleId]);
          id = rows.rows[0]?.id ?? '';
          return rows.rows.map((x) => x.status);
        }, { timeout: 10_000 })
        .toEqual(['active']);
      return id;
    }

    async function alertRow(id: string) {
      return (await db.query<{ status: string; resolution: string | null; resolved_at: Date | null; rule_id: string | null }>('select status, resolution, resolved_at, rule_id from alerts where id = $1', [id])).rows[0]!;
    }

    it('disabling a rule resolves its active alert as rule_disabled; re-enabling does not reopen it by itself', async () => {
      const r = await create(admin, { name: 'closer 1', machine_id: mid, metric_name: 'spindle_temp', operator: '>', warning_threshold: 50 });
      const alertId = await activeAlertOf(r.id);
      const off = await http('PATCH', `${t.api}/alert-rules/${r.id}`, { token: admin.token, body: { is_enabled: false } });
      expect(off.status, off.text).toBe(200);
      expect(off.body.is_enabled).toBe(false);
      expect(await alertRow(alertId)).toMatchObject({ status: 'resolved', resolution: 'rule_disabled', rule_id: r.id, resolved_at: expect.any(Date) });
      const on = await http('PATCH', `${t.api}/alert-rules/${r.id}`, { token: admin.token, body: { is_enabled: true } });
      expect(on.body.is_enabled).toBe(true);
      expect((await alertRow(alertId)).status).toBe('resolved');
      await http('PATCH', `${t.api}/alert-rules/${r.id}`, { token: admin.token, body: { is_enabled: false } });
    });

    it('deleting a rule resolves its active alert as rule_deleted and keeps it in the history', async () => {
      const r = await create(admin, { name: 'closer 2', machine_id: mid, metric_name: 'spindle_temp', operator: '>', warning_threshold: 60 });
      const alertId = await activeAlertOf(r.id);
      const del = await http('DELETE', `${t.api}/alert-rules/${r.id}`, { token: admin.token });
      expect(del.status, del.text).toBe(204);
      expect(await alertRow(alertId)).toMatchObject({ status: 'resolved', resolution: 'rule_deleted', rule_id: null, resolved_at: expect.any(Date) });
    });
  });
});
