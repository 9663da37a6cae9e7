/**
 * Ingest sources through both doors: the canonical `/ingest-sources` resource (both protocol
 * spellings, defaults, PATCH/PUT merging, delete), the guide's `/ingest/opcua/sources` and
 * `/sensor-data/tag-mappings` landing in the same resource, passwords (never returned, stored
 * encrypted, kept/cleared on update), tenant isolation, roles, audit, the change event, the
 * subscription check's 402, connection tests (refused destinations never dialled) and the
 * `sourceHealthChanged` subscription.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ingestSourcesChangedTopic, sourceHealthChangedTopic, type IngestSourcesChanged } from '../../src/ingest-sources/ingest-source.events.js';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { startModbusServer, stopAllModbusServers } from '../helpers/modbus-servers.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const SECRET = 'S3cret-Device-Pa55!';

const OPCUA = (machineId: string) => ({
  machine_id: machineId,
  name: 'CNC Mill OPC-UA',
  protocol: 'opcua',
  host: 'opcua.yourfactory.com',
  port: 4840,
  poll_interval_seconds: 30,
  is_active: false,
  config: {
    nodes: [
      { node_id: 'ns=2;i=1001', metric_name: 'temperature', unit: 'celsius' },
      { node_id: 'ns=2;i=1002', metric_name: 'vibration', unit: 'mm/s' },
    ],
  },
});

const MODBUS = (machineId: string) => ({
  machine_id: machineId,
  name: 'Conveyor Motor Modbus',
  protocol: 'modbus',
  host: 'modbus.yourfactory.com',
  port: 502,
  poll_interval_seconds: 10,
  is_active: false,
  config: { registers: [{ address: 100, count: 1, register_type: 'holding', metric_name: 'temperature', unit: 'celsius', scale: 0.1, offset: 0.0 }] },
});

const SOURCE_FIELDS = `id tenantId machineId name protocol host port pollIntervalSeconds isActive createdAt updatedAt
  config { endpointUrl securityMode securityPolicy authType username passwordSet mode samplingIntervalMs deadband { type value }
    nodes { nodeId metricName unit } unitId registers { address count registerType dataType byteOrder scale offset metricName unit } }
  health { state lastPollAt lastSuccessAt lastError consecutiveFailures points { point metricNames good status } }`;

const wsUrl = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/graphql`;

describe.skipIf(pgSvc.skip)(`ingest sources${pgSvc.label}`, () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: TenantSession;
  let operator: TenantSession;
  let viewer: TenantSession;
  let other: TenantSession;
  let machineId: string;
  let machine2: string;
  let otherMachineId: string;
  let key: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    admin = await registerTenant(t.api, 'src-a');
    other = await registerTenant(t.api, 'src-b');
    [operator, viewer] = await Promise.all([createUserSession(t.api, admin, 'operator'), createUserSession(t.api, admin, 'viewer')]);
    key = await createApiKey(t.api, admin, ['ingest', 'agent', 'read:machines', 'read:sensors']);
    const mk = async (s: TenantSession, name: string) => {
      const r = await http('POST', `${t.api}/machines`, { token: s.token, body: { name, machine_identifier: `S-${randomUUID().slice(0, 8)}`, protocol: 'opc_ua' } });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    };
    machineId = await mk(admin, 'CNC Mill');
    machine2 = await mk(admin, 'Conveyor');
    otherMachineId = await mk(other, 'Foreign');
  });
  afterAll(async () => {
    await stopAllModbusServers();
    await db?.end();
    await t?.stop();
  });

  async function create(body: unknown, s: TenantSession = admin) {
    const r = await http('POST', `${t.api}/ingest-sources`, { token: s.token, body });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  async function rejects(method: string, path: string, body: unknown, loc: (string | number)[], s: TenantSession = admin) {
    const r = await http(method, `${t.api}${path}`, { token: s.token, body });
    expect(r.status, `${JSON.stringify(body).slice(0, 300)} -> ${r.text}`).toBe(422);
    expect(r.body.detail.map((d: { loc: unknown }) => d.loc), r.text).toContainEqual(loc);
    return r.body.detail as { loc: unknown[]; msg: string; type: string }[];
  }

  it('creates the spec\'s OPC-UA example: defaults filled in, health pending/disabled, every field returned', async () => {
    const s = await create(OPCUA(machineId));
    expect(s).toEqual({
      id: expect.any(String),
      tenant_id: admin.tenantId,
      machine_id: machineId,
      name: 'CNC Mill OPC-UA',
      protocol: 'opcua',
      host: 'opcua.yourfactory.com',
      port: 4840,
      poll_interval_seconds: 30,
      is_active: false,
      config: {
        endpoint_url: 'opc.tcp://opcua.yourfactory.com:4840',
        security_mode: 'None',
        security_policy: 'None',
        auth_type: 'anonymous',
        username: null,
        password_set: false,
        mode: 'poll',
        sampling_interval_ms: null,
        deadband: null,
        nodes: [
          { node_id: 'ns=2;i=1001', metric_name: 'temperature', unit: 'celsius' },
          { node_id: 'ns=2;i=1002', metric_name: 'vibration', unit: 'mm/s' },
        ],
      },
      health: { state: 'disabled', last_poll_at: null, last_success_at: null, last_error: null, consecutive_failures: 0, points: [] },
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const got = await http('GET', `${t.api}/ingest-sources/${s.id}`, { token: viewer.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(s);
  });

  it('creates the spec\'s Modbus example with the register defaults (uint16, ABCD, unit id 1)', async () => {
    const s = await create(MODBUS(machineId));
    expect(s.protocol).toBe('modbus');
    expect(s.config).toEqual({
      unit_id: 1,
      registers: [{ address: 100, count: 1, register_type: 'holding', data_type: 'uint16', byte_order: 'ABCD', scale: 0.1, offset: 0, metric_name: 'temperature', unit: 'celsius' }],
    });
  });

  it('accepts both protocol spellings (opc_ua, modbus_tcp) and returns the canonical names; filters by either', async () => {
    const o = await create({ ...OPCUA(machine2), protocol: 'opc_ua' });
    const m = await create({ ...MODBUS(machine2), protocol: 'modbus_tcp' });
    expect(o.protocol).toBe('opcua');
    expect(m.protocol).toBe('modbus');
    const byUnderscore = await http('GET', `${t.api}/ingest-sources?machine_id=${machine2}&protocol=opc_ua`, { token: viewer.token });
    expect(byUnderscore.status, byUnderscore.text).toBe(200);
    expect(byUnderscore.body.items.map((s: { id: string }) => s.id)).toEqual([o.id]);
    const byCanonical = await http('GET', `${t.api}/ingest-sources?machine_id=${machine2}&protocol=modbus`, { token: viewer.token });
    expect(byCanonical.body.items.map((s: { id: string }) => s.id)).toEqual([m.id]);
  });

  it('OPC-UA from an endpoint URL, with security, username auth and subscription mode; data types by count and given', async () => {
    const s = await create({
      machine_id: machineId,
      name: 'Secure server',
      protocol: 'opcua',
      is_active: false,
      config: {
        endpoint_url: 'opc.tcp://203.0.113.10:4841/UA/Server',
        security_mode: 'SignAndEncrypt',
        security_policy: 'Aes256_Sha256_RsaPss',
        auth_type: 'username',
        username: 'opcuser',
        password: SECRET,
        mode: 'subscription',
        sampling_interval_ms: 250,
        deadband: { type: 'percent', value: 2.5 },
        nodes: [
          { node_id: 'ns=2;s=Temperature.Value', metric_name: 'temperature' },
          { node_id: 'ns=2;g=09087e75-8e5e-499b-954f-f2a9603db28a', metric_name: 'pressure', unit: 'bar' },
          { node_id: 'ns=2;b=M/RbKBsRVkePCePcx24oRA==', metric_name: 'state', unit: 'code' },
        ],
      },
    });
    expect(s.host).toBe('203.0.113.10');
    expect(s.port).toBe(4841);
    expect(s.config).toMatchObject({
      endpoint_url: 'opc.tcp://203.0.113.10:4841/UA/Server',
      security_mode: 'SignAndEncrypt',
      security_policy: 'Aes256_Sha256_RsaPss',
      auth_type: 'username',
      username: 'opcuser',
      password_set: true,
      mode: 'subscription',
      sampling_interval_ms: 250,
      deadband: { type: 'percent', value: 2.5 },
    });
    expect(s.config.nodes[0]).toEqual({ node_id: 'ns=2;s=Temperature.Value', metric_name: 'temperature', unit: 'none' });
    expect(JSON.stringify(s)).not.toContain(SECRET);

    const m = await create({
      ...MODBUS(machineId),
      name: 'Types',
      config: {
        unit_id: 17,
        registers: [
          { address: 0, count: 2, metric_name: 'a' },
          { address: 2, count: 4, metric_name: 'b' },
          { address: 6, data_type: 'int32', byte_order: 'CDAB', metric_name: 'c' },
          { address: 8, register_type: 'input', data_type: 'int16', metric_name: 'd' },
          { address: 3, register_type: 'coil', metric_name: 'e' },
          { address: 65_534, count: 2, data_type: 'uint32', byte_order: 'DCBA', metric_name: 'f' },
        ],
      },
    });
    expect(m.config.unit_id).toBe(17);
    expect(m.config.registers.map((r: { data_type: string; count: number; byte_order: string }) => [r.data_type, r.count, r.byte_order])).toEqual([
      ['float32', 2, 'ABCD'],
      ['float64', 4, 'ABCD'],
      ['int32', 2, 'CDAB'],
      ['int16', 1, 'ABCD'],
      ['bool', 1, 'ABCD'],
      ['uint32', 2, 'DCBA'],
    ]);
  });

  it('stores the password encrypted (no plaintext in the row), never returns it (REST, list, GraphQL) and keeps, replaces or clears it on update', async () => {
    const s = await create({ ...OPCUA(machineId), name: 'Pw', config: { ...OPCUA(machineId).config, security_mode: 'Sign', security_policy: 'Basic256Sha256', auth_type: 'username', username: 'u1', password: SECRET } });
    expect(s.config.password_set).toBe(true);
    const row = await db.query('select secret, config::text as config from ingest_sources where id = $1', [s.id]);
    expect(row.rows[0].secret).toMatch(/^v1\./);
    expect(row.rows[0].secret).not.toContain(SECRET);
    expect(row.rows[0].secret).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(row.rows[0].config).not.toContain(SECRET);
    const all = await db.query('select row_to_json(s)::text as j from ingest_sources s where id = $1', [s.id]);
    expect(all.rows[0].j).not.toContain(SECRET);

    const list = await http('GET', `${t.api}/ingest-sources?page_size=100`, { token: viewer.token });
    expect(list.text).not.toContain(SECRET);
    expect(list.text).not.toContain('"password"');
    const q = await gql(t.url, `query($id: ID!) { ingestSource(id: $id) { ${SOURCE_FIELDS} } ingestSources(pageSize: 100) { items { config { passwordSet } } } }`, { id: s.id }, { token: viewer.token });
    expect(q.body.errors, q.text).toBeUndefined();
    expect(q.text).not.toContain(SECRET);
    expect(q.body.data.ingestSource.config.passwordSet).toBe(true);

    // an update without the password keeps it (same ciphertext)
    const renamed = await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: operator.token, body: { name: 'Pw renamed', config: { username: 'u2' } } });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.config.password_set).toBe(true);
    expect(renamed.body.config.username).toBe('u2');
    expect((await db.query('select secret from ingest_sources where id = $1', [s.id])).rows[0].secret).toBe(row.rows[0].secret);
    // a full PUT without the password keeps it too
    const put = await http('PUT', `${t.api}/ingest-sources/${s.id}`, {
      token: admin.token,
      body: { ...OPCUA(machineId), name: 'Pw put', config: { ...OPCUA(machineId).config, security_mode: 'Sign', security_policy: 'Basic256Sha256', auth_type: 'username', username: 'u3' } },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.config.password_set).toBe(true);
    // a new password: a new ciphertext (random IV) that opens to it
    const changed = await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: admin.token, body: { config: { password: 'another' } } });
    expect(changed.status).toBe(200);
    const sealed = (await db.query('select secret from ingest_sources where id = $1', [s.id])).rows[0].secret;
    expect(sealed).not.toBe(row.rows[0].secret);
    const target = await t.app.container.services.ingestSources.loadPollTarget(s.id);
    expect(target?.source.opcua?.auth).toEqual({ type: 'username', username: 'u3', password: 'another' });
    // null clears it
    const cleared = await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: admin.token, body: { config: { password: null } } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.config.password_set).toBe(false);
    expect((await db.query('select secret from ingest_sources where id = $1', [s.id])).rows[0].secret).toBeNull();
    // switching to anonymous drops the username (and any password)
    await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: admin.token, body: { config: { password: 'again' } } });
    const anon = await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: admin.token, body: { config: { auth_type: 'anonymous' } } });
    expect(anon.status, anon.text).toBe(200);
    expect(anon.body.config).toMatchObject({ auth_type: 'anonymous', username: null, password_set: false });
  });

  it('PATCH merges: host/port move the endpoint (path kept); endpoint_url moves host/port; lists replace; a protocol change takes a whole new config', async () => {
    const s = await create({ ...OPCUA(machineId), name: 'Merge', host: undefined, port: undefined, config: { ...OPCUA(machineId).config, endpoint_url: 'opc.tcp://plc.local:4840/path' } });
    const moved = await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: admin.token, body: { host: 'plc2.local', port: 4850 } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.config.endpoint_url).toBe('opc.tcp://plc2.local:4850/path');
    const url = await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: admin.token, body: { config: { endpoint_url: 'opc.tcp://[2001:db8::5]:4900' } } });
    expect(url.status, url.text).toBe(200);
    expect([url.body.host, url.body.port, url.body.config.endpoint_url]).toEqual(['2001:db8::5', 4900, 'opc.tcp://[2001:db8::5]:4900']);
    expect(url.body.config.nodes).toHaveLength(2);
    const nodes = await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: admin.token, body: { config: { nodes: [{ node_id: 'i=2258', metric_name: 'server_time' }] } } });
    expect(nodes.body.config.nodes).toEqual([{ node_id: 'i=2258', metric_name: 'server_time', unit: 'none' }]);
    // a protocol change without the new protocol's settings is refused, with them it is whole
    await rejects('PATCH', `/ingest-sources/${s.id}`, { protocol: 'modbus_tcp' }, ['body', 'config']);
    const mb = await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: admin.token, body: { protocol: 'modbus_tcp', host: '10.0.0.5', config: { registers: [{ address: 1, metric_name: 'x' }] } } });
    expect(mb.status, mb.text).toBe(200);
    expect([mb.body.protocol, mb.body.host, mb.body.port]).toEqual(['modbus', '10.0.0.5', 502]);
    expect(mb.body.config).toEqual({ unit_id: 1, registers: [expect.objectContaining({ address: 1, metric_name: 'x' })] });
    // an update's settings of the other protocol are refused, not ignored
    await rejects('PATCH', `/ingest-sources/${s.id}`, { config: { nodes: [{ node_id: 'ns=1;i=1', metric_name: 'y' }] } }, ['body', 'config', 'nodes']);
  });

  it('the guide\'s POST /ingest/opcua/sources creates the same resource; tag mappings set its metric names and units', async () => {
    // a machine of its own: tags are looked up over every source of the machine
    const mt = (await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: 'Tagged', machine_identifier: `T-${randomUUID().slice(0, 8)}`, protocol: 'opc_ua' } })).body.id as string;
    const r = await http('POST', `${t.api}/ingest/opcua/sources`, {
      token: operator.token,
      body: {
        machine_id: mt,
        endpoint_url: 'opc.tcp://203.0.113.10:4840',
        security_mode: 'SignAndEncrypt',
        security_policy: 'Basic256Sha256',
        auth_type: 'username',
        username: 'opcuser',
        password: 'securepass',
        poll_interval_seconds: 5,
        node_ids: ['ns=2;s=Temperature', 'ns=2;s=Pressure', 'ns=2;s=Vibration'],
        enabled: false,
      },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toEqual({
      id: expect.any(String),
      machine_id: mt,
      name: 'OPC-UA 203.0.113.10',
      endpoint_url: 'opc.tcp://203.0.113.10:4840',
      security_mode: 'SignAndEncrypt',
      security_policy: 'Basic256Sha256',
      auth_type: 'username',
      username: 'opcuser',
      password_set: true,
      poll_interval_seconds: 5,
      node_ids: ['ns=2;s=Temperature', 'ns=2;s=Pressure', 'ns=2;s=Vibration'],
      enabled: false,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(r.text).not.toContain('securepass');
    const s = await http('GET', `${t.api}/ingest-sources/${r.body.id}`, { token: viewer.token });
    expect(s.body).toMatchObject({ protocol: 'opcua', host: '203.0.113.10', port: 4840, poll_interval_seconds: 5, is_active: false });
    expect(s.body.config.nodes).toEqual([
      { node_id: 'ns=2;s=Temperature', metric_name: 'ns2_sTemperature', unit: 'none' },
      { node_id: 'ns=2;s=Pressure', metric_name: 'ns2_sPressure', unit: 'none' },
      { node_id: 'ns=2;s=Vibration', metric_name: 'ns2_sVibration', unit: 'none' },
    ]);

    // a Modbus source of the same machine: its raw tags (hr100) can be mapped in the same request
    const mb = await create({ ...MODBUS(mt), name: 'Tagged modbus', config: { registers: [{ address: 100, metric_name: 'hr100', unit: 'raw' }] } });
    const map = await http('POST', `${t.api}/sensor-data/tag-mappings`, {
      token: operator.token,
      body: {
        machine_id: mt,
        mappings: [
          { tag: 'ns=2;s=Temperature', metric_name: 'temperature', unit: 'celsius' },
          { tag: 'ns2_sPressure', metric_name: 'pressure', unit: 'bar' },
          { tag: 'ns=2;s=Vibration', metric_name: 'vibration' },
          { tag: 'hr100', metric_name: 'motor_current', unit: 'A' },
        ],
      },
    });
    expect(map.status, map.text).toBe(200);
    expect(map.body.machine_id).toBe(mt);
    expect(map.body.mappings).toEqual([
      { tag: 'ns=2;s=Temperature', metric_name: 'temperature', unit: 'celsius', source_ids: [r.body.id] },
      { tag: 'ns2_sPressure', metric_name: 'pressure', unit: 'bar', source_ids: [r.body.id] },
      { tag: 'ns=2;s=Vibration', metric_name: 'vibration', unit: 'none', source_ids: [r.body.id] },
      { tag: 'hr100', metric_name: 'motor_current', unit: 'A', source_ids: [mb.id] },
    ]);
    expect(new Set(map.body.source_ids)).toEqual(new Set([r.body.id, mb.id]));
    const after = await http('GET', `${t.api}/ingest-sources/${r.body.id}`, { token: viewer.token });
    expect(after.body.config.nodes.map((n: { metric_name: string; unit: string }) => [n.metric_name, n.unit])).toEqual([
      ['temperature', 'celsius'],
      ['pressure', 'bar'],
      ['vibration', 'none'],
    ]);
    expect((await http('GET', `${t.api}/ingest-sources/${mb.id}`, { token: viewer.token })).body.config.registers[0]).toMatchObject({ metric_name: 'motor_current', unit: 'A' });

    // unknown tags name their index and change nothing (all or nothing)
    const bad = await rejects('POST', '/sensor-data/tag-mappings', { machine_id: mt, mappings: [{ tag: 'ns=2;s=Temperature', metric_name: 'changed' }, { tag: 'ns=9;s=Nope', metric_name: 'x' }] }, ['body', 'mappings', 1, 'tag']);
    expect(bad[0]!.msg).toContain('ns=9;s=Nope');
    expect((await http('GET', `${t.api}/ingest-sources/${r.body.id}`, { token: viewer.token })).body.config.nodes[0].metric_name).toBe('temperature');
    // a mapping that would give two points of one source the same metric is refused
    await rejects('POST', '/sensor-data/tag-mappings', { machine_id: mt, mappings: [{ tag: 'ns=2;s=Pressure', metric_name: 'temperature' }] }, ['body', 'mappings', 0, 'metric_name']);
    await rejects('POST', '/sensor-data/tag-mappings', { machine_id: mt, mappings: [{ tag: 'hr100', metric_name: 'a' }, { tag: 'hr100', metric_name: 'b' }] }, ['body', 'mappings', 1, 'tag']);
    // another tenant's machine is not found; the mapping of a machine without sources has no tags
    const foreign = await http('POST', `${t.api}/sensor-data/tag-mappings`, { token: admin.token, body: { machine_id: otherMachineId, mappings: [{ tag: 'hr100', metric_name: 'x' }] } });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: 'Machine not found' });
  });

  it('the guide\'s door answers 422 at its own field names', async () => {
    const base = { machine_id: machineId, endpoint_url: 'opc.tcp://203.0.113.10:4840', node_ids: ['ns=2;s=A'] };
    await rejects('POST', '/ingest/opcua/sources', { ...base, node_ids: ['ns=2;s=A', 'ns=2;x=bad'] }, ['body', 'node_ids', 1]);
    await rejects('POST', '/ingest/opcua/sources', { ...base, node_ids: ['ns=2;s=A', 'ns=2;s=A'] }, ['body', 'node_ids', 1]);
    await rejects('POST', '/ingest/opcua/sources', { ...base, endpoint_url: 'http://x' }, ['body', 'endpoint_url']);
    await rejects('POST', '/ingest/opcua/sources', { ...base, security_mode: 'Sign', security_policy: 'None' }, ['body', 'security_policy']);
    await rejects('POST', '/ingest/opcua/sources', { ...base, auth_type: 'username' }, ['body', 'username']);
    await rejects('POST', '/ingest/opcua/sources', { ...base, node_ids: [] }, ['body', 'node_ids']);
    await rejects('POST', '/ingest/opcua/sources', { ...base, enabled: 'yes' }, ['body', 'enabled']);
    // two node ids with the same raw tag get distinct default metric names
    const twins = await http('POST', `${t.api}/ingest/opcua/sources`, { token: admin.token, body: { ...base, enabled: false, node_ids: ['ns=2;s=a;b', 'ns=2;s=a_b'] } });
    expect(twins.status, twins.text).toBe(201);
    const stored = await http('GET', `${t.api}/ingest-sources/${twins.body.id}`, { token: admin.token });
    expect(stored.body.config.nodes.map((n: { metric_name: string }) => n.metric_name)).toEqual(['ns2_sa_b', 'ns2_sa_b_2']);
  });

  it('machine must be an active machine of the tenant: another tenant\'s or a deleted one is 404 Machine not found', async () => {
    const foreign = await http('POST', `${t.api}/ingest-sources`, { token: admin.token, body: MODBUS(otherMachineId) });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: 'Machine not found' });
    const gone = await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: 'Gone', machine_identifier: `G-${randomUUID().slice(0, 8)}`, protocol: 'json' } });
    expect((await http('DELETE', `${t.api}/machines/${gone.body.id}`, { token: admin.token })).status).toBe(204);
    expect((await http('POST', `${t.api}/ingest-sources`, { token: admin.token, body: MODBUS(gone.body.id) })).status).toBe(404);
    const s = await create(MODBUS(machineId));
    const move = await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: admin.token, body: { machine_id: otherMachineId } });
    expect(move.status).toBe(404);
    expect((await http('GET', `${t.api}/ingest-sources/${s.id}`, { token: admin.token })).body.machine_id).toBe(machineId);
  });

  it('tenant isolation: another tenant\'s source is 404 on every row with an id, absent from its list, untouched', async () => {
    const s = await create(OPCUA(machineId));
    const calls: [string, string, unknown?][] = [
      ['GET', `/ingest-sources/${s.id}`],
      ['PATCH', `/ingest-sources/${s.id}`, { name: 'stolen' }],
      ['PUT', `/ingest-sources/${s.id}`, { ...MODBUS(otherMachineId) }],
      ['DELETE', `/ingest-sources/${s.id}`],
      ['POST', `/ingest-sources/${s.id}/test-connection`],
    ];
    for (const [method, path, body] of calls) {
      const r = await http(method, `${t.api}${path}`, { token: other.token, body });
      expect(r.status, `${method} ${path} -> ${r.text}`).toBe(404);
      expect(r.body).toEqual({ detail: 'Ingest source not found' });
    }
    const list = await http('GET', `${t.api}/ingest-sources?page_size=100`, { token: other.token });
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(s.id);
    const g = await gql(t.url, 'query($id: ID!) { ingestSource(id: $id) { id } }', { id: s.id }, { token: other.token });
    expect(g.body.errors?.[0]?.extensions?.reason).toBe('INGEST_SOURCE_NOT_FOUND');
    const mut = await gql(t.url, 'mutation($id: ID!) { deleteIngestSource(id: $id) }', { id: s.id }, { token: other.token });
    expect(mut.body.errors?.[0]?.extensions?.reason).toBe('INGEST_SOURCE_NOT_FOUND');
    const mine = await http('GET', `${t.api}/ingest-sources/${s.id}`, { token: admin.token });
    expect(mine.body.name).toBe(s.name);
    // and the tenant's own list shows only its sources
    const own = await http('GET', `${t.api}/ingest-sources?page_size=100`, { token: admin.token });
    expect(own.body.items.every((x: { tenant_id: string }) => x.tenant_id === admin.tenantId)).toBe(true);
  });

  it('roles: any role reads; viewers cannot write; API keys are refused on every row', async () => {
    const s = await create(MODBUS(machineId));
    for (const [method, path, body] of [
      ['POST', '/ingest-sources', MODBUS(machineId)],
      ['PATCH', `/ingest-sources/${s.id}`, { name: 'x' }],
      ['PUT', `/ingest-sources/${s.id}`, MODBUS(machineId)],
      ['DELETE', `/ingest-sources/${s.id}`, undefined],
      ['POST', `/ingest-sources/${s.id}/test-connection`, undefined],
      ['POST', '/ingest-sources/test-connection', MODBUS(machineId)],
      ['POST', '/ingest/opcua/sources', { machine_id: machineId, endpoint_url: 'opc.tcp://h:4840', node_ids: ['i=1'] }],
      ['POST', '/sensor-data/tag-mappings', { machine_id: machineId, mappings: [{ tag: 'hr100', metric_name: 'x' }] }],
    ] as const) {
      const r = await http(method, `${t.api}${path}`, { token: viewer.token, body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body).toEqual({ detail: 'Forbidden (insufficient role)' });
      const k = await http(method, `${t.api}${path}`, { apiKey: key.key, body });
      expect(k.status, `${method} ${path} with a key`).toBe(403);
    }
    for (const path of ['/ingest-sources', `/ingest-sources/${s.id}`]) {
      expect((await http('GET', `${t.api}${path}`, { token: viewer.token })).status).toBe(200);
      expect((await http('GET', `${t.api}${path}`, { apiKey: key.key })).status).toBe(403);
      expect((await http('GET', `${t.api}${path}`)).status).toBe(401);
    }
    const op = await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: operator.token, body: { poll_interval_seconds: 60 } });
    expect(op.status).toBe(200);
    const g = await gql(t.url, 'mutation($id: ID!) { updateIngestSource(id: $id, input: { name: "v" }) { id } }', { id: s.id }, { token: viewer.token });
    expect(g.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lists with pagination and filters (machine, protocol, active); deletes with 204 then 404', async () => {
    const m = (await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: 'Lister', machine_identifier: `L-${randomUUID().slice(0, 8)}`, protocol: 'json' } })).body.id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create({ ...MODBUS(m), name: `L${i}`, is_active: i % 2 === 0 ? false : undefined })).id);
    const p1 = await http('GET', `${t.api}/ingest-sources?machine_id=${m}&page=1&page_size=2`, { token: viewer.token });
    expect(p1.body).toMatchObject({ total: 5, page: 1, page_size: 2, total_pages: 3 });
    expect(p1.body.items.map((x: { id: string }) => x.id)).toEqual([ids[4], ids[3]]);
    const active = await http('GET', `${t.api}/ingest-sources?machine_id=${m}&is_active=true`, { token: viewer.token });
    expect(active.body.items.map((x: { id: string }) => x.id).sort()).toEqual([ids[1], ids[3]].sort());
    expect(active.body.items.every((x: { health: { state: string } }) => x.health.state !== 'disabled')).toBe(true);
    const bad = await http('GET', `${t.api}/ingest-sources?protocol=mqtt`, { token: viewer.token });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'protocol']);
    expect((await http('DELETE', `${t.api}/ingest-sources/${ids[0]}`, { token: operator.token })).status).toBe(204);
    expect((await http('GET', `${t.api}/ingest-sources/${ids[0]}`, { token: viewer.token })).status).toBe(404);
    expect((await http('DELETE', `${t.api}/ingest-sources/${ids[0]}`, { token: operator.token })).status).toBe(404);
    // deleting the machine deletes its sources
    expect((await db.query('select count(*)::int as n from ingest_sources where machine_id = $1', [m])).rows[0].n).toBe(4);
    await db.query('delete from machines where id = $1', [m]);
    expect((await db.query('select count(*)::int as n from ingest_sources where machine_id = $1', [m])).rows[0].n).toBe(0);
  });

  it('audits create, update, delete and tag mappings; publishes ingestSourcesChanged for the poller', async () => {
    const events: IngestSourcesChanged[] = [];
    const stop = t.app.container.bus.on(ingestSourcesChangedTopic(admin.tenantId), (e) => {
      events.push(e);
    });
    try {
      const s = await create(MODBUS(machineId));
      await http('PATCH', `${t.api}/ingest-sources/${s.id}`, { token: admin.token, body: { name: 'audited' } });
      await http('POST', `${t.api}/sensor-data/tag-mappings`, { token: admin.token, body: { machine_id: machineId, mappings: [{ tag: 'hr100', metric_name: 'temperature' }] } });
      await http('DELETE', `${t.api}/ingest-sources/${s.id}`, { token: admin.token });
      const deadline = Date.now() + 5000;
      while (!events.some((e) => e.sourceId === s.id && e.change === 'deleted') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const mine = events.filter((e) => e.sourceId === s.id).map((e) => e.change);
      expect(mine[0]).toBe('created');
      expect(mine).toContain('updated');
      expect(mine.at(-1)).toBe('deleted');
      const audit = await http('GET', `${t.api}/audit?resource_id=${s.id}&page_size=50`, { token: admin.token });
      const actions = audit.body.items.map((a: { action: string }) => a.action);
      expect(actions).toEqual(expect.arrayContaining(['create_ingest_source', 'update_ingest_source', 'delete_ingest_source']));
      expect(audit.text).not.toContain(SECRET);
    } finally {
      stop();
    }
  });

  it('the subscription check is the one place billing fills: a plan without direct ingestion gets 402 on create, activation and tests; deactivating still works', async () => {
    const svc = t.app.container.services.ingestSources;
    const active = await create({ ...MODBUS(machineId), is_active: true });
    const inactive = await create(MODBUS(machineId));
    const asked: string[] = [];
    svc.setSubscriptionCheck((tenantId) => {
      asked.push(tenantId);
      return tenantId !== admin.tenantId;
    });
    try {
      const c = await http('POST', `${t.api}/ingest-sources`, { token: admin.token, body: MODBUS(machineId) });
      expect(c.status).toBe(402);
      expect(c.body).toEqual({ detail: 'An active subscription is required for direct ingestion' });
      expect((await http('PATCH', `${t.api}/ingest-sources/${inactive.id}`, { token: admin.token, body: { is_active: true } })).status).toBe(402);
      expect((await http('POST', `${t.api}/ingest-sources/${inactive.id}/test-connection`, { token: admin.token })).status).toBe(402);
      expect((await http('POST', `${t.api}/ingest/opcua/sources`, { token: admin.token, body: { machine_id: machineId, endpoint_url: 'opc.tcp://h:4840', node_ids: ['i=1'] } })).status).toBe(402);
      const g = await gql(t.url, 'mutation($id: ID!) { updateIngestSource(id: $id, input: { name: "still active" }) { id } }', { id: active.id }, { token: admin.token });
      expect(g.body.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_REQUIRED', reason: 'INGEST_SUBSCRIPTION_REQUIRED' });
      const off = await http('PATCH', `${t.api}/ingest-sources/${active.id}`, { token: admin.token, body: { is_active: false } });
      expect(off.status, off.text).toBe(200);
      expect(off.body.health.state).toBe('disabled');
      expect((await http('DELETE', `${t.api}/ingest-sources/${inactive.id}`, { token: admin.token })).status).toBe(204);
      // another tenant is unaffected
      expect((await http('POST', `${t.api}/ingest-sources`, { token: other.token, body: MODBUS(otherMachineId) })).status).toBe(201);
      expect(asked).toContain(admin.tenantId);
      expect(await svc.subscribed(admin.tenantId)).toBe(false);
    } finally {
      svc.setSubscriptionCheck(() => true);
    }
  });

  it('test-connection to a refused destination (loopback, metadata) answers success false with the reason, never dialling', async () => {
    const device = await startModbusServer({ holding: { 100: 725 } });
    const s = await create({ ...MODBUS(machineId), host: '127.0.0.1', port: device.port });
    const r = await http('POST', `${t.api}/ingest-sources/${s.id}/test-connection`, { token: operator.token });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ success: false, message: expect.stringMatching(/loopback|refused|not allowed/i), latency_ms: expect.any(Number) });
    const unsaved = await http('POST', `${t.api}/ingest-sources/test-connection`, { token: operator.token, body: { ...MODBUS(machineId), host: '169.254.169.254', port: 80 } });
    expect(unsaved.status, unsaved.text).toBe(200);
    expect(unsaved.body.success).toBe(false);
    expect(unsaved.body.message).toMatch(/link-local|metadata|refused|not allowed/i);
    expect(device.connections).toBe(0);
    const g = await gql(t.url, 'mutation($id: ID!) { testIngestSourceConnection(id: $id) { success message latencyMs } }', { id: s.id }, { token: admin.token });
    expect(g.body.data.testIngestSourceConnection.success).toBe(false);
    expect(device.connections).toBe(0);
  });

  it('GraphQL: create, update, map tags, replace and delete through the second door, same rules and codes', async () => {
    const create = await gql(
      t.url,
      `mutation($input: CreateIngestSourceInput!) { createIngestSource(input: $input) { ${SOURCE_FIELDS} } }`,
      { input: { machineId, name: 'GQL', protocol: 'modbus_tcp', host: '10.1.2.3', isActive: false, config: { unitId: 3, registers: [{ address: 7, dataType: 'float32', byteOrder: 'CDAB', metricName: 'speed', unit: 'rpm' }] } } },
      { token: operator.token },
    );
    expect(create.body.errors, create.text).toBeUndefined();
    const s = create.body.data.createIngestSource;
    expect(s).toMatchObject({ protocol: 'modbus', port: 502, config: { unitId: 3, passwordSet: false, nodes: null, registers: [{ address: 7, count: 2, registerType: 'holding', dataType: 'float32', byteOrder: 'CDAB', scale: 1, offset: 0, metricName: 'speed', unit: 'rpm' }] } });
    const bad = await gql(t.url, `mutation($input: CreateIngestSourceInput!) { createIngestSource(input: $input) { id } }`, {
      input: { machineId, name: 'GQL', protocol: 'modbus', host: '10.1.2.3', config: { registers: [{ address: 7, count: 3, metricName: 'x' }] } },
    }, { token: operator.token });
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_INGEST_SOURCE' });
    const upd = await gql(t.url, `mutation($id: ID!) { updateIngestSource(id: $id, input: { pollIntervalSeconds: 5 }) { pollIntervalSeconds config { unitId } } }`, { id: s.id }, { token: admin.token });
    expect(upd.body.data.updateIngestSource).toEqual({ pollIntervalSeconds: 5, config: { unitId: 3 } });
    const op = await gql(
      t.url,
      `mutation($input: CreateOpcuaSourceInput!) { createOpcuaSource(input: $input) { id protocol config { nodes { nodeId metricName } } } }`,
      { input: { machineId: machine2, endpointUrl: 'opc.tcp://10.9.9.9', nodeIds: ['ns=3;i=7'], enabled: false } },
      { token: admin.token },
    );
    expect(op.body.errors, op.text).toBeUndefined();
    expect(op.body.data.createOpcuaSource.config.nodes).toEqual([{ nodeId: 'ns=3;i=7', metricName: 'ns3_i7' }]);
    const map = await gql(t.url, `mutation($input: MapTagsInput!) { mapTags(input: $input) { machineId sourceIds mappings { tag metricName unit sourceIds } } }`, {
      input: { machineId: machine2, mappings: [{ tag: 'ns3_i7', metricName: 'flow', unit: 'l/min' }] },
    }, { token: admin.token });
    expect(map.body.data.mapTags).toEqual({ machineId: machine2, sourceIds: [op.body.data.createOpcuaSource.id], mappings: [{ tag: 'ns3_i7', metricName: 'flow', unit: 'l/min', sourceIds: [op.body.data.createOpcuaSource.id] }] });
    const unknown = await gql(t.url, `mutation($input: MapTagsInput!) { mapTags(input: $input) { machineId } }`, { input: { machineId: machine2, mappings: [{ tag: 'zz', metricName: 'x' }] } }, { token: admin.token });
    expect(unknown.body.errors?.[0]?.extensions?.reason).toBe('INVALID_TAG_MAPPING');
    const rep = await gql(t.url, `mutation($id: ID!, $input: CreateIngestSourceInput!) { replaceIngestSource(id: $id, input: $input) { name protocol host } }`, {
      id: s.id,
      input: { machineId, name: 'Replaced', protocol: 'opc_ua', host: '10.1.2.4', config: { nodes: [{ nodeId: 'ns=2;i=5', metricName: 'm' }] } },
    }, { token: admin.token });
    expect(rep.body.data.replaceIngestSource).toEqual({ name: 'Replaced', protocol: 'opcua', host: '10.1.2.4' });
    const list = await gql(t.url, `query($m: ID) { ingestSources(machineId: $m, protocol: "opcua", pageSize: 100) { total items { id } } }`, { m: machineId }, { token: viewer.token });
    expect(list.body.data.ingestSources.items.map((x: { id: string }) => x.id)).toContain(s.id);
    const del = await gql(t.url, `mutation($id: ID!) { deleteIngestSource(id: $id) }`, { id: s.id }, { token: admin.token });
    expect(del.body.data.deleteIngestSource).toBe(true);
    const gone = await gql(t.url, `query($id: ID!) { ingestSource(id: $id) { id } }`, { id: 'not-a-uuid' }, { token: admin.token });
    expect(gone.body.errors?.[0]?.extensions?.reason).toBe('INGEST_SOURCE_NOT_FOUND');
  });

  it('sourceHealthChanged delivers the tenant\'s health changes (filtered by source), never another tenant\'s', async () => {
    const a = await create(MODBUS(machineId));
    const b = await create(MODBUS(machineId));
    const got: { sourceId: string; state: string; lastError: string | null; points: unknown[] }[] = [];
    const errors: unknown[] = [];
    const client: Client = createClient({ url: wsUrl(t.url), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${admin.token}` }, retryAttempts: 0, lazy: true });
    client.subscribe<{ sourceHealthChanged: (typeof got)[number] }>(
      { query: 'subscription($id: ID) { sourceHealthChanged(sourceId: $id) { sourceId machineId state lastPollAt lastError consecutiveFailures points { point metricNames good status } } }', variables: { id: a.id } },
      { next: (r) => (r.data ? got.push(r.data.sourceHealthChanged) : errors.push(r.errors)), error: (e) => errors.push(e), complete: () => undefined },
    );
    // a foreign or unknown id is refused at subscribe time
    const foreignErrors: unknown[] = [];
    const foreign = createClient({ url: wsUrl(t.url), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${other.token}` }, retryAttempts: 0, lazy: true });
    await new Promise<void>((resolve) => {
      foreign.subscribe({ query: 'subscription($id: ID) { sourceHealthChanged(sourceId: $id) { sourceId } }', variables: { id: a.id } }, { next: (r) => { foreignErrors.push(r.errors); resolve(); }, error: (e) => { foreignErrors.push(e); resolve(); }, complete: () => resolve() });
    });
    expect(JSON.stringify(foreignErrors)).toContain('Ingest source not found');
    await foreign.dispose();
    try {
      const bus = t.app.container.bus;
      const health = (sourceId: string, tenantId: string, state: 'ok' | 'failing' | 'degraded') => ({
        sourceId, tenantId, machineId, state, lastPollAt: new Date(), lastSuccessAt: null, lastError: state === 'failing' ? 'connect ECONNREFUSED' : null, consecutiveFailures: state === 'failing' ? 1 : 0,
        pointStatus: state === 'degraded' ? [{ point: 'holding:100-100', metricNames: ['temperature'], good: false, status: 'IllegalDataAddress' }] : [],
      });
      const deadline = Date.now() + 10_000;
      while (!got.length && Date.now() < deadline && !errors.length) {
        await bus.publish(sourceHealthChangedTopic(admin.tenantId), health(a.id, admin.tenantId, 'ok'));
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(errors).toEqual([]);
      expect(got[0]).toMatchObject({ sourceId: a.id, state: 'ok' });
      await bus.publish(sourceHealthChangedTopic(admin.tenantId), health(b.id, admin.tenantId, 'failing'));
      await bus.publish(sourceHealthChangedTopic(other.tenantId), health(a.id, other.tenantId, 'failing'));
      await bus.publish(sourceHealthChangedTopic(admin.tenantId), health(a.id, admin.tenantId, 'degraded'));
      const until = Date.now() + 5000;
      while (!got.some((g) => g.state === 'degraded') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const last = got.at(-1)!;
      expect(last).toMatchObject({ sourceId: a.id, state: 'degraded', points: [{ point: 'holding:100-100', metricNames: ['temperature'], good: false, status: 'IllegalDataAddress' }] });
      expect(got.every((g) => g.sourceId === a.id)).toBe(true);
      expect(got.some((g) => g.state === 'failing')).toBe(false);
    } finally {
      await client.dispose();
    }
  });
});

describe.skipIf(pgSvc.skip)(`ingest source connection tests against a device on loopback (allowed by configuration)${pgSvc.label}`, () => {
  let t: TestApp;
  let admin: TenantSession;
  let machineId: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { OUTBOUND_ALLOW_LOOPBACK: 'true' } });
    admin = await registerTenant(t.api, 'src-loop');
    machineId = (await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: 'Loop', machine_identifier: `LP-${randomUUID().slice(0, 8)}`, protocol: 'modbus_tcp' } })).body.id;
  });
  afterAll(async () => {
    await stopAllModbusServers();
    await t?.stop();
  });

  it('a saved source and an unsaved configuration: success with the latency; a bad register is named; a stopped device fails clearly', async () => {
    const device = await startModbusServer({ holding: { 100: 725, 101: 1 }, exceptionAddresses: { holding: [300] } });
    const body = { ...MODBUS(machineId), host: '127.0.0.1', port: device.port };
    const s = (await http('POST', `${t.api}/ingest-sources`, { token: admin.token, body })).body;
    const r = await http('POST', `${t.api}/ingest-sources/${s.id}/test-connection`, { token: admin.token });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ success: true, message: 'Connected successfully', latency_ms: expect.any(Number) });
    expect(r.body.latency_ms).toBeGreaterThanOrEqual(0);
    expect(device.connections).toBeGreaterThan(0);

    const unsaved = await http('POST', `${t.api}/ingest-sources/test-connection`, {
      token: admin.token,
      body: { protocol: 'modbus_tcp', host: '127.0.0.1', port: device.port, config: { registers: [{ address: 100, metric_name: 'ok' }, { address: 300, metric_name: 'bad' }] } },
    });
    expect(unsaved.status, unsaved.text).toBe(200);
    expect(unsaved.body.success).toBe(true);
    expect(unsaved.body.message).toMatch(/300/);
    // nothing was stored by the unsaved test
    const list = await http('GET', `${t.api}/ingest-sources?page_size=100`, { token: admin.token });
    expect(list.body.total).toBe(1);

    await device.stop();
    const down = await http('POST', `${t.api}/ingest-sources/${s.id}/test-connection`, { token: admin.token });
    expect(down.status).toBe(200);
    expect(down.body.success).toBe(false);
    expect(down.body.message.length).toBeGreaterThan(0);
  });
});
