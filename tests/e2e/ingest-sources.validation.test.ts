/**
 * Bad input on every body field of every ingest-source row: each field of a valid body is replaced
 * by values of every wrong type and out-of-range values; the answer is the valid one or a 422 whose
 * first `loc` points at that field, never a 500. Then the named refusals (limits at their edge,
 * unknown enums, count against data type width, NaN-like tokens, unstorable text) with their exact
 * `loc`.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

type Path = (string | number)[];

/** Every path of a JSON value: objects and arrays themselves, their first element, and every leaf. */
function paths(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = prefix.length ? [prefix] : [];
  if (Array.isArray(v)) {
    if (v.length) out.push(...paths(v[0], [...prefix, 0]));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  }
  return out;
}

function setAt(body: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let cur = copy as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path.at(-1)!] = value;
  return copy;
}

const WRONG: unknown[] = [{}, [], true, 'text', -1, 1.5, 0, 1e308, 'x'.repeat(2000), [1, 2], { a: 1 }, null];

const startsWith = (loc: unknown[], prefix: Path) => prefix.every((p, i) => loc[i] === p);

describe.skipIf(pgSvc.skip)(`ingest source bodies: bad input is a 422 at the field, never a 500${pgSvc.label}`, () => {
  let t: TestApp;
  let admin: TenantSession;
  let machineId: string;
  let sourceId: string;

  const OPCUA = () => ({
    machine_id: machineId,
    name: 'OPC',
    protocol: 'opcua',
    host: 'plc.example.com',
    port: 4840,
    poll_interval_seconds: 30,
    is_active: false,
    config: {
      security_mode: 'SignAndEncrypt',
      security_policy: 'Basic256Sha256',
      auth_type: 'username',
      username: 'opcuser',
      password: 'pw',
      mode: 'subscription',
      sampling_interval_ms: 500,
      deadband: { type: 'absolute', value: 0.5 },
      nodes: [{ node_id: 'ns=2;i=1001', metric_name: 'temperature', unit: 'celsius' }],
    },
  });
  const MODBUS = () => ({
    machine_id: machineId,
    name: 'MB',
    protocol: 'modbus',
    host: '10.0.0.9',
    port: 502,
    poll_interval_seconds: 10,
    is_active: false,
    config: { unit_id: 1, registers: [{ address: 100, count: 2, register_type: 'holding', data_type: 'float32', byte_order: 'CDAB', scale: 0.1, offset: 0, metric_name: 'temperature', unit: 'celsius' }] },
  });
  const GUIDE = () => ({
    machine_id: machineId,
    name: 'Guide',
    endpoint_url: 'opc.tcp://203.0.113.10:4840',
    security_mode: 'SignAndEncrypt',
    security_policy: 'Basic256Sha256',
    auth_type: 'username',
    username: 'opcuser',
    password: 'securepass',
    poll_interval_seconds: 5,
    node_ids: ['ns=2;s=Temperature'],
    enabled: false,
  });
  const MAPPING = () => ({ machine_id: machineId, mappings: [{ tag: 'hr100', metric_name: 'temperature', unit: 'celsius' }] });

  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerTenant(t.api, 'src-fuzz');
    machineId = (await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: 'Fuzz', machine_identifier: `F-${randomUUID().slice(0, 8)}`, protocol: 'json' } })).body.id;
    const s = await http('POST', `${t.api}/ingest-sources`, { token: admin.token, body: MODBUS() });
    expect(s.status, s.text).toBe(201);
    sourceId = s.body.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const rows = () =>
    [
      ['POST', '/ingest-sources', OPCUA(), 201],
      ['POST', '/ingest-sources', MODBUS(), 201],
      ['PUT', `/ingest-sources/${sourceId}`, MODBUS(), 200],
      ['PATCH', `/ingest-sources/${sourceId}`, { ...MODBUS(), machine_id: undefined }, 200],
      ['POST', '/ingest-sources/test-connection', { ...MODBUS(), host: '127.0.0.1' }, 200],
      ['POST', '/ingest/opcua/sources', GUIDE(), 201],
      ['POST', '/sensor-data/tag-mappings', MAPPING(), 200],
    ] as const;

  it('every field of every body, replaced by values of the wrong type or range: the valid answer or a 422 at that field', async () => {
    let refused = 0;
    for (const [method, path, valid, okStatus] of rows()) {
      const base = JSON.parse(JSON.stringify(valid)) as unknown;
      const ok = await http(method, `${t.api}${path}`, { token: admin.token, body: base });
      expect(ok.status, `${method} ${path} valid -> ${ok.text}`).toBe(okStatus);
      for (const p of paths(base)) {
        for (const value of WRONG) {
          const body = setAt(base, p, value);
          const r = await http(method, `${t.api}${path}`, { token: admin.token, body });
          const what = `${method} ${path} ${JSON.stringify(p)} = ${JSON.stringify(value).slice(0, 40)} -> ${r.status} ${r.text.slice(0, 300)}`;
          expect(r.status, what).not.toBe(500);
          if (r.status === 422) {
            refused++;
            expect(Array.isArray(r.body.detail), what).toBe(true);
            const loc = r.body.detail[0].loc as unknown[];
            expect(loc[0], what).toBe('body');
            // the issue names the field or a place inside it (a list's item, an object's key)
            expect(startsWith(loc, ['body', ...p]), what).toBe(true);
            for (const d of r.body.detail) {
              expect(typeof d.msg, what).toBe('string');
              expect(typeof d.type, what).toBe('string');
            }
          } else {
            // accepted (a value valid for the field) or a documented non-validation answer
            expect([okStatus, 404], what).toContain(r.status);
          }
        }
      }
    }
    expect(refused).toBeGreaterThan(500);
  }, 240_000);

  it('named refusals with their exact loc', async () => {
    const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ node_id: `ns=2;i=${i}`, metric_name: `m${i}` }));
    const regs = (n: number) => Array.from({ length: n }, (_, i) => ({ address: i, metric_name: `r${i}` }));
    const opc = (config: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...OPCUA(), ...extra, config: { ...OPCUA().config, ...config } });
    const mb = (register: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...MODBUS(), ...extra, config: { registers: [{ address: 1, metric_name: 'a', ...register }] } });
    const cases: [string, string, unknown, Path][] = [
      ['POST', '/ingest-sources', { ...MODBUS(), protocol: 'mqtt' }, ['body', 'protocol']],
      ['POST', '/ingest-sources', { ...MODBUS(), machine_id: 'nope' }, ['body', 'machine_id']],
      ['POST', '/ingest-sources', { ...MODBUS(), name: '' }, ['body', 'name']],
      ['POST', '/ingest-sources', { ...MODBUS(), name: 'x'.repeat(256) }, ['body', 'name']],
      ['POST', '/ingest-sources', { ...MODBUS(), name: 'a\u0000b' }, ['body', 'name']],
      ['POST', '/ingest-sources', { ...MODBUS(), host: 'a b' }, ['body', 'host']],
      ['POST', '/ingest-sources', { ...MODBUS(), host: 'h'.repeat(256) }, ['body', 'host']],
      ['POST', '/ingest-sources', { ...MODBUS(), port: 0 }, ['body', 'port']],
      ['POST', '/ingest-sources', { ...MODBUS(), port: 65_536 }, ['body', 'port']],
      ['POST', '/ingest-sources', { ...MODBUS(), poll_interval_seconds: 0 }, ['body', 'poll_interval_seconds']],
      ['POST', '/ingest-sources', { ...MODBUS(), poll_interval_seconds: 86_401 }, ['body', 'poll_interval_seconds']],
      ['POST', '/ingest-sources', { ...MODBUS(), poll_interval_seconds: 2.5 }, ['body', 'poll_interval_seconds']],
      ['POST', '/ingest-sources', { ...MODBUS(), config: undefined }, ['body', 'config']],
      ['POST', '/ingest-sources', { ...MODBUS(), host: undefined }, ['body', 'host']],
      ['POST', '/ingest-sources', opc({ nodes: nodes(10_001) }), ['body', 'config', 'nodes']],
      ['POST', '/ingest-sources', opc({ nodes: [] }), ['body', 'config', 'nodes']],
      ['POST', '/ingest-sources', opc({ nodes: [{ node_id: 'ns=2;x=1', metric_name: 'a' }] }), ['body', 'config', 'nodes', 0, 'node_id']],
      ['POST', '/ingest-sources', opc({ nodes: [{ node_id: 'ns=2;g=not-a-guid', metric_name: 'a' }] }), ['body', 'config', 'nodes', 0, 'node_id']],
      ['POST', '/ingest-sources', opc({ nodes: [{ node_id: 'ns=2;b=***', metric_name: 'a' }] }), ['body', 'config', 'nodes', 0, 'node_id']],
      ['POST', '/ingest-sources', opc({ nodes: [{ node_id: 'ns=2;i=1', metric_name: '' }] }), ['body', 'config', 'nodes', 0, 'metric_name']],
      ['POST', '/ingest-sources', opc({ nodes: [{ node_id: 'ns=2;i=1', metric_name: 'a\ud800' }] }), ['body', 'config', 'nodes', 0, 'metric_name']],
      ['POST', '/ingest-sources', opc({ security_mode: 'Encrypt' }), ['body', 'config', 'security_mode']],
      ['POST', '/ingest-sources', opc({ security_policy: 'Basic512' }), ['body', 'config', 'security_policy']],
      ['POST', '/ingest-sources', opc({ security_mode: 'None' }), ['body', 'config', 'security_policy']],
      ['POST', '/ingest-sources', opc({ security_policy: 'None' }), ['body', 'config', 'security_policy']],
      ['POST', '/ingest-sources', opc({ auth_type: 'certificate' }), ['body', 'config', 'auth_type']],
      ['POST', '/ingest-sources', opc({ username: null }), ['body', 'config', 'username']],
      ['POST', '/ingest-sources', opc({ password: 'p'.repeat(1025) }), ['body', 'config', 'password']],
      ['POST', '/ingest-sources', opc({ mode: 'stream' }), ['body', 'config', 'mode']],
      ['POST', '/ingest-sources', opc({ sampling_interval_ms: 3_600_001 }), ['body', 'config', 'sampling_interval_ms']],
      ['POST', '/ingest-sources', opc({ deadband: { type: 'percent', value: 150 } }), ['body', 'config', 'deadband', 'value']],
      ['POST', '/ingest-sources', opc({ deadband: { type: 'percent', value: -1 } }), ['body', 'config', 'deadband', 'value']],
      ['POST', '/ingest-sources', opc({ endpoint_url: 'tcp://x:1' }), ['body', 'config', 'endpoint_url']],
      ['POST', '/ingest-sources', opc({ endpoint_url: 'opc.tcp://other:4840' }), ['body', 'host']],
      ['POST', '/ingest-sources', opc({ registers: regs(1) }), ['body', 'config', 'registers']],
      ['POST', '/ingest-sources', mb({ address: -1 }), ['body', 'config', 'registers', 0, 'address']],
      ['POST', '/ingest-sources', mb({ address: 65_536 }), ['body', 'config', 'registers', 0, 'address']],
      ['POST', '/ingest-sources', mb({ count: 3 }), ['body', 'config', 'registers', 0, 'count']],
      ['POST', '/ingest-sources', mb({ count: 5 }), ['body', 'config', 'registers', 0, 'count']],
      ['POST', '/ingest-sources', mb({ count: 1, data_type: 'float64' }), ['body', 'config', 'registers', 0, 'count']],
      ['POST', '/ingest-sources', mb({ count: 4, data_type: 'int32' }), ['body', 'config', 'registers', 0, 'count']],
      ['POST', '/ingest-sources', mb({ address: 65_534, count: 4 }), ['body', 'config', 'registers', 0, 'count']],
      ['POST', '/ingest-sources', mb({ data_type: 'float16' }), ['body', 'config', 'registers', 0, 'data_type']],
      ['POST', '/ingest-sources', mb({ register_type: 'coil', data_type: 'int16' }), ['body', 'config', 'registers', 0, 'data_type']],
      ['POST', '/ingest-sources', mb({ register_type: 'discrete_input', count: 2 }), ['body', 'config', 'registers', 0, 'count']],
      ['POST', '/ingest-sources', mb({ register_type: 'holding', data_type: 'bool' }), ['body', 'config', 'registers', 0, 'data_type']],
      ['POST', '/ingest-sources', mb({ register_type: 'eeprom' }), ['body', 'config', 'registers', 0, 'register_type']],
      ['POST', '/ingest-sources', mb({ byte_order: 'DCAB' }), ['body', 'config', 'registers', 0, 'byte_order']],
      ['POST', '/ingest-sources', mb({ scale: 'NaN' }), ['body', 'config', 'registers', 0, 'scale']],
      ['POST', '/ingest-sources', mb({ unit: 'u'.repeat(51) }), ['body', 'config', 'registers', 0, 'unit']],
      ['POST', '/ingest-sources', { ...MODBUS(), config: { registers: regs(2001) } }, ['body', 'config', 'registers']],
      ['POST', '/ingest-sources', { ...MODBUS(), config: { unit_id: 256, registers: regs(1) } }, ['body', 'config', 'unit_id']],
      ['POST', '/ingest-sources', { ...MODBUS(), config: { registers: [...regs(3), { address: 9, metric_name: 'r1' }] } }, ['body', 'config', 'registers', 3, 'metric_name']],
      ['POST', '/ingest-sources', { ...MODBUS(), config: { registers: regs(1), nodes: nodes(1) } }, ['body', 'config', 'nodes']],
      ['PATCH', `/ingest-sources/${sourceId}`, { config: { registers: [{ address: 1, count: 2, data_type: 'uint16', metric_name: 'a' }] } }, ['body', 'config', 'registers', 0, 'count']],
      ['PATCH', `/ingest-sources/${sourceId}`, { protocol: 'opc_ua' }, ['body', 'config']],
      ['PATCH', `/ingest-sources/${sourceId}`, { is_active: 'yes' }, ['body', 'is_active']],
      ['POST', '/ingest-sources/test-connection', { ...MODBUS(), protocol: undefined }, ['body', 'protocol']],
      ['POST', '/ingest/opcua/sources', { ...GUIDE(), node_ids: nodes(10_001).map((n) => n.node_id) }, ['body', 'node_ids']],
      ['POST', '/ingest/opcua/sources', { ...GUIDE(), node_ids: ['ns=2;s=A', 'bogus'] }, ['body', 'node_ids', 1]],
      ['POST', '/ingest/opcua/sources', { ...GUIDE(), endpoint_url: undefined }, ['body', 'endpoint_url']],
      ['POST', '/ingest/opcua/sources', { ...GUIDE(), security_mode: 'None' }, ['body', 'security_policy']],
      ['POST', '/ingest/opcua/sources', { ...GUIDE(), poll_interval_seconds: 0 }, ['body', 'poll_interval_seconds']],
      ['POST', '/sensor-data/tag-mappings', { ...MAPPING(), mappings: [] }, ['body', 'mappings']],
      ['POST', '/sensor-data/tag-mappings', { ...MAPPING(), mappings: [{ tag: 'nope', metric_name: 'x' }] }, ['body', 'mappings', 0, 'tag']],
      ['POST', '/sensor-data/tag-mappings', { ...MAPPING(), mappings: [{ tag: 'hr100', metric_name: '' }] }, ['body', 'mappings', 0, 'metric_name']],
      ['POST', '/sensor-data/tag-mappings', { ...MAPPING(), mappings: [{ tag: 'hr100', metric_name: 'm', unit: '' }] }, ['body', 'mappings', 0, 'unit']],
      ['POST', '/sensor-data/tag-mappings', { ...MAPPING(), mappings: Array.from({ length: 10_001 }, (_, i) => ({ tag: `hr${i}`, metric_name: `m${i}` })) }, ['body', 'mappings']],
      ['POST', '/sensor-data/tag-mappings', { ...MAPPING(), machine_id: 'x' }, ['body', 'machine_id']],
    ];
    for (const [method, path, body, loc] of cases) {
      const r = await http(method, `${t.api}${path}`, { token: admin.token, body });
      const what = `${method} ${path} ${JSON.stringify(body).slice(0, 200)} -> ${r.status} ${r.text.slice(0, 300)}`;
      expect(r.status, what).toBe(422);
      expect(r.body.detail.map((d: { loc: unknown }) => d.loc), what).toContainEqual(loc);
    }
  }, 120_000);

  it('limits at their edge: 10,000 nodes and 2,000 registers are accepted', async () => {
    const nodes = Array.from({ length: 10_000 }, (_, i) => ({ node_id: `ns=2;i=${i}`, metric_name: `m${i}` }));
    const r = await http('POST', `${t.api}/ingest-sources`, { token: admin.token, body: { ...OPCUA(), config: { nodes } } });
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    expect(r.body.config.nodes).toHaveLength(10_000);
    const registers = Array.from({ length: 2000 }, (_, i) => ({ address: i, metric_name: `r${i}` }));
    const m = await http('POST', `${t.api}/ingest-sources`, { token: admin.token, body: { ...MODBUS(), config: { registers } } });
    expect(m.status, m.text.slice(0, 300)).toBe(201);
    const guide = await http('POST', `${t.api}/ingest/opcua/sources`, { token: admin.token, body: { ...GUIDE(), node_ids: nodes.map((n) => n.node_id) } });
    expect(guide.status, guide.text.slice(0, 300)).toBe(201);
  }, 60_000);

  it('raw bodies: NaN/Infinity tokens, 1e400, malformed JSON, a body of the wrong JSON type: 400 or 422, never a 500', async () => {
    const raws = [
      '{"machine_id":"' + '00000000-0000-4000-8000-000000000000' + '","name":"x","protocol":"modbus","host":"h","config":{"registers":[{"address":NaN,"metric_name":"a"}]}}',
      '{"name":"x","protocol":"modbus","host":"h","port":1e400,"config":{"registers":[{"address":1,"metric_name":"a"}]}}',
      '{"name":"x","protocol":"modbus","host":"h","config":{"registers":[{"address":1,"scale":-Infinity,"metric_name":"a"}]}}',
      '[]',
      '"text"',
      'null',
      '{"config":',
    ];
    for (const path of ['/ingest-sources', '/ingest-sources/test-connection', '/ingest/opcua/sources', '/sensor-data/tag-mappings', `/ingest-sources/${sourceId}`]) {
      for (const raw of raws) {
        const r = await http(path.endsWith(sourceId) ? 'PATCH' : 'POST', `${t.api}${path}`, { token: admin.token, raw });
        expect([400, 422], `${path} ${raw} -> ${r.status} ${r.text}`).toContain(r.status);
        expect(r.body?.detail, `${path} ${raw}`).toBeDefined();
      }
    }
    const inf = await http('POST', `${t.api}/ingest-sources`, { token: admin.token, raw: JSON.stringify(MODBUS()).replace('"port":502', '"port":1e400') });
    expect(inf.status).toBe(422);
    expect(inf.body.detail[0].loc).toEqual(['body', 'port']);
  });
});
