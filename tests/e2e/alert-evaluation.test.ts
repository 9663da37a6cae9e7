/**
 * Alert evaluation end to end: a rule, readings through POST /ingest, the alert's lifecycle in the
 * database and on the bus, and the machine's status in /machines and /fleet/status. Then exactly
 * one alert when two API instances on one PostgreSQL and one Redis ingest the same violating
 * readings at once, and the same within the embedded default.
 */
import 'reflect-metadata';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRaisedTopic, alertUpdatedTopic, type AlertSnapshot, type AlertUpdated } from '../../src/alerts/alert.events.js';
import { machineStatusTopic, type MachineStatusChanged } from '../../src/machines/machine.events.js';
import { createApiKey, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Reading times a little in the past, one second apart, so every batch is newer than the last. */
const T0 = Date.now() - 120_000;
let tick = 0;
const nextTime = () => new Date(T0 + ++tick * 1000).toISOString();

interface Plant {
  admin: TenantSession;
  key: string;
  machineId: string;
  identifier: string;
}

async function plant(t: TestApp, label: string): Promise<Plant> {
  const admin = await registerTenant(t.api, label);
  const { key } = await createApiKey(t.api, admin, ['ingest']);
  const identifier = `${label}-${tick}`;
  const m = await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: `Press ${identifier}`, machine_identifier: identifier, protocol: 'json' } });
  expect(m.status).toBe(201);
  return { admin, key, machineId: m.body.id, identifier };
}

async function createRule(t: TestApp, p: Plant, body: Record<string, unknown>): Promise<string> {
  const r = await http('POST', `${t.api}/alert-rules`, { token: p.admin.token, body });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

async function ingest(t: TestApp, p: Plant, readings: { value: number; timestamp: string }[]) {
  const r = await http('POST', `${t.api}/ingest`, {
    apiKey: p.key,
    body: { readings: readings.map((x) => ({ machine_identifier: p.identifier, metric_name: 'temperature', unit: 'C', ...x })) },
  });
  expect(r.status, r.text).toBe(207);
  expect(r.body).toEqual({ accepted_count: readings.length, rejected_count: 0, errors: [] });
}

async function fleetRow(t: TestApp, p: Plant): Promise<{ status: string; alert_count: number }> {
  const r = await http('GET', `${t.api}/fleet/status`, { token: p.admin.token });
  expect(r.status).toBe(200);
  return r.body.machines.find((m: { id: string }) => m.id === p.machineId);
}

async function machineIdsWithStatus(t: TestApp, p: Plant, status: string): Promise<string[]> {
  const r = await http('GET', `${t.api}/machines?status=${status}`, { token: p.admin.token });
  expect(r.status).toBe(200);
  return r.body.items.map((m: { id: string }) => m.id);
}

const RULE = { name: 'Spindle overheating', metric_name: 'temperature', operator: '>', warning_threshold: 80, critical_threshold: 90, deadband: 2 };

describe.skipIf(pgSvc.skip || redisSvc.skip)(`alert evaluation on PostgreSQL and Redis${pgSvc.label}${redisSvc.label}`, () => {
  let a: TestApp;
  let b: TestApp;
  let sql: pg.Client;

  beforeAll(async () => {
    a = await startTestApp({ redis: true });
    b = await startTestApp({ redis: true, databaseUrl: a.databaseUrl });
    sql = new pg.Client({ connectionString: a.databaseUrl });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await b?.stop();
    await a?.stop();
  });

  const alertRows = async (machineId: string) =>
    (await sql.query('select id, severity, status, metric_value, threshold_value, resolved_at, resolution, message from alerts where machine_id = $1 order by created_at', [machineId]))
      .rows;

  it('a violating batch opens a warning, a worse one escalates it, readings back past the deadband resolve it; status follows', async () => {
    const p = await plant(a, 'eval');
    const ruleId = await createRule(a, p, RULE);
    const raised: AlertSnapshot[] = [];
    const updated: AlertUpdated[] = [];
    const statuses: MachineStatusChanged[] = [];
    const offs = [
      a.app.container.bus.on(alertRaisedTopic(p.admin.tenantId), (e) => void raised.push(e)),
      a.app.container.bus.on(alertUpdatedTopic(p.admin.tenantId), (e) => void updated.push(e)),
      a.app.container.bus.on(machineStatusTopic(p.admin.tenantId), (e) => void statuses.push(e)),
    ];
    try {
      await ingest(a, p, [{ value: 70, timestamp: nextTime() }]);
      expect(await alertRows(p.machineId)).toEqual([]);
      expect(await fleetRow(a, p)).toMatchObject({ status: 'healthy', alert_count: 0 });

      await ingest(a, p, [{ value: 85.5, timestamp: nextTime() }]);
      let rows = await alertRows(p.machineId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ severity: 'warning', status: 'active', metric_value: 85.5, threshold_value: 80, resolved_at: null });
      expect(rows[0].message).toContain('85.5');
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({ id: rows[0].id, ruleId, machineId: p.machineId, machineName: `Press ${p.identifier}`, severity: 'warning', status: 'active' });
      expect(await fleetRow(a, p)).toMatchObject({ status: 'warning', alert_count: 1 });
      expect(await machineIdsWithStatus(a, p, 'warning')).toEqual([p.machineId]);

      await ingest(a, p, [{ value: 93, timestamp: nextTime() }]);
      rows = await alertRows(p.machineId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ severity: 'critical', status: 'active', metric_value: 93, threshold_value: 90 });
      expect(updated.map((u) => [u.change, u.previousSeverity, u.severity])).toEqual([['escalated', 'warning', 'critical']]);
      expect(await fleetRow(a, p)).toMatchObject({ status: 'critical', alert_count: 1 });
      expect(await machineIdsWithStatus(a, p, 'critical')).toEqual([p.machineId]);
      expect(await machineIdsWithStatus(a, p, 'warning')).toEqual([]);

      // within the deadband (80 - 2): still active
      await ingest(a, p, [{ value: 79, timestamp: nextTime() }]);
      expect((await alertRows(p.machineId))[0].status).toBe('active');

      // a late reading cannot resolve it either
      await ingest(a, p, [{ value: 10, timestamp: new Date(T0).toISOString() }]);
      expect((await alertRows(p.machineId))[0].status).toBe('active');

      await ingest(a, p, [{ value: 77.5, timestamp: nextTime() }]);
      rows = await alertRows(p.machineId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'resolved', resolution: 'normal', severity: 'critical' });
      expect(rows[0].resolved_at).toBeInstanceOf(Date);
      expect(updated.map((u) => u.change)).toEqual(['escalated', 'resolved']);
      expect(await fleetRow(a, p)).toMatchObject({ status: 'healthy', alert_count: 0 });
      expect(await machineIdsWithStatus(a, p, 'healthy')).toEqual([p.machineId]);
      expect(statuses.map((s) => `${s.oldStatus}>${s.newStatus}`)).toEqual(['offline>healthy', 'healthy>warning', 'warning>critical', 'critical>healthy']);

      // a new violation after the resolution is a new alert
      await ingest(a, p, [{ value: 81, timestamp: nextTime() }]);
      rows = await alertRows(p.machineId);
      expect(rows.map((r) => r.status)).toEqual(['resolved', 'active']);
    } finally {
      for (const off of offs) off();
    }
  });

  it('a condition must hold for duration_seconds by reading time before an alert opens', async () => {
    const p = await plant(a, 'duration');
    await createRule(a, p, { ...RULE, duration_seconds: 10 });
    const start = Date.now() - 90_000;
    const at = (s: number) => new Date(start + s * 1000).toISOString();
    await ingest(a, p, [
      { value: 85, timestamp: at(0) },
      { value: 86, timestamp: at(5) },
      { value: 87, timestamp: at(9) },
    ]);
    expect(await alertRows(p.machineId)).toEqual([]);
    await ingest(a, p, [{ value: 85, timestamp: at(10) }]);
    expect(await alertRows(p.machineId)).toMatchObject([{ severity: 'warning', status: 'active' }]);
  });

  it('rules and group membership changed while readings flow take effect; disabling a rule resolves its alert', async () => {
    const p = await plant(a, 'groups');
    // readings before any rule: the tenant's (empty) rule set is cached from here on
    await ingest(a, p, [{ value: 85, timestamp: nextTime() }]);
    const group = async (name: string, parentId: string | null) => {
      const r = await http('POST', `${a.api}/machine-groups`, { token: p.admin.token, body: { name, group_type: 'line', parent_id: parentId } });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    };
    const site = await group('Site', null);
    const line = await group('Line 1', site);
    const members = (ids: string[]) => http('PUT', `${a.api}/machine-groups/${line}/members`, { token: p.admin.token, body: { machine_ids: ids } });
    expect((await members([p.machineId])).status).toBe(200);

    // scoped to the parent group: the machine is in it through the child
    const ruleId = await createRule(a, p, { ...RULE, group_id: site });
    // rule and membership changes reach the engine through the bus (Redis here)
    const settle = () => sleep(300);
    await settle();
    await ingest(a, p, [{ value: 86, timestamp: nextTime() }]);
    expect(await alertRows(p.machineId)).toMatchObject([{ status: 'active', severity: 'warning' }]);

    const off = await http('PATCH', `${a.api}/alert-rules/${ruleId}`, { token: p.admin.token, body: { is_enabled: false } });
    expect(off.status, off.text).toBe(200);
    expect(await alertRows(p.machineId)).toMatchObject([{ status: 'resolved', resolution: 'rule_disabled' }]);
    expect(await fleetRow(a, p)).toMatchObject({ status: 'healthy', alert_count: 0 });
    await settle();
    // a disabled rule evaluates nothing
    await ingest(a, p, [{ value: 95, timestamp: nextTime() }]);
    expect(await alertRows(p.machineId)).toHaveLength(1);

    // enabled again, but the machine has left the group
    expect((await http('PATCH', `${a.api}/alert-rules/${ruleId}`, { token: p.admin.token, body: { is_enabled: true } })).status).toBe(200);
    expect((await members([])).status).toBe(200);
    await settle();
    await ingest(a, p, [{ value: 96, timestamp: nextTime() }]);
    expect(await alertRows(p.machineId)).toHaveLength(1);

    // and back in it
    expect((await members([p.machineId])).status).toBe(200);
    await settle();
    await ingest(a, p, [{ value: 97, timestamp: nextTime() }]);
    expect(await alertRows(p.machineId)).toMatchObject([{ status: 'resolved' }, { status: 'active', severity: 'critical' }]);
  });

  it('two API instances ingesting the same violating readings at once open exactly one alert', async () => {
    const p = await plant(a, 'twice');
    await createRule(a, p, RULE);
    const raised: AlertSnapshot[] = [];
    // Redis brings the events of both instances here.
    const off = a.app.container.bus.on(alertRaisedTopic(p.admin.tenantId), (e) => void raised.push(e));
    try {
      for (let round = 0; round < 5; round++) {
        const readings = [
          { value: 95, timestamp: nextTime() },
          { value: 96, timestamp: nextTime() },
        ];
        await Promise.all([ingest(a, p, readings), ingest(b, p, readings), ingest(a, p, readings), ingest(b, p, readings)]);
      }
      const rows = await alertRows(p.machineId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'active', severity: 'critical' });
      expect(await fleetRow(b, p)).toMatchObject({ status: 'critical', alert_count: 1 });
      await sleep(300);
      expect(raised.map((e) => e.id)).toEqual([rows[0].id]);

      // Instance b learned of the alert through the bus: its normal reading resolves it.
      await ingest(b, p, [{ value: 20, timestamp: nextTime() }]);
      expect(await alertRows(p.machineId)).toMatchObject([{ status: 'resolved' }]);
      expect(await fleetRow(a, p)).toMatchObject({ status: 'healthy', alert_count: 0 });
    } finally {
      off();
    }
  });
});

describe(`alert evaluation on the embedded default`, () => {
  let e: TestApp;

  beforeAll(async () => {
    // a short offline window, so a machine can go offline and come back within the test
    e = await startTestApp({ db: 'embedded', env: { MACHINE_OFFLINE_AFTER_SEC: '5' } });
  }, 60_000);

  afterAll(async () => {
    await e?.stop();
  });

  it('concurrent violating batches open exactly one alert', async () => {
    const p = await plant(e, 'embedded');
    await createRule(e, p, RULE);
    const raised: AlertSnapshot[] = [];
    const off = e.app.container.bus.on(alertRaisedTopic(p.admin.tenantId), (x) => void raised.push(x));
    try {
      const now = Date.now();
      const readings = [{ value: 99, timestamp: new Date(now - 1000).toISOString() }];
      await Promise.all([ingest(e, p, readings), ingest(e, p, readings), ingest(e, p, readings)]);
      await ingest(e, p, [{ value: 98, timestamp: new Date(now).toISOString() }]);
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({ severity: 'critical', metricValue: 99, thresholdValue: 90 });
      expect(await fleetRow(e, p)).toMatchObject({ status: 'critical', alert_count: 1 });
    } finally {
      off();
    }
  });

  it('a machine with an active critical alert that went offline comes back critical, not healthy', async () => {
    const p = await plant(e, 'back');
    await createRule(e, p, RULE);
    const statuses: MachineStatusChanged[] = [];
    const off = e.app.container.bus.on(machineStatusTopic(p.admin.tenantId), (x) => void statuses.push(x));
    try {
      await ingest(e, p, [{ value: 95, timestamp: new Date().toISOString() }]);
      const deadline = Date.now() + 15_000;
      while (!statuses.some((s) => s.newStatus === 'offline') && Date.now() < deadline) await sleep(250);
      // still above the critical threshold: the alert stays active
      await ingest(e, p, [{ value: 94, timestamp: new Date().toISOString() }]);
      expect(statuses.map((s) => `${s.oldStatus}>${s.newStatus}`)).toEqual(['offline>healthy', 'healthy>critical', 'critical>offline', 'offline>critical']);
      expect(await fleetRow(e, p)).toMatchObject({ status: 'critical', alert_count: 1 });
    } finally {
      off();
    }
  }, 30_000);
});
