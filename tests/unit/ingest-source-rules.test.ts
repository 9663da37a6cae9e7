/**
 * The ingest-source rules without a server: normalisation into the stored config and the drivers'
 * DeviceSource, the 422 location of each refusal, and how updates merge onto the stored source.
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/common/errors.js';
import {
  DEFAULT_UNIT,
  defaultMetricName,
  mergeIngestSource,
  parseEndpointUrl,
  rawTagOfRegister,
  toDeviceSource,
  validateHost,
  validateIngestSource,
  type IngestSourceInput,
  type StoredModbusConfig,
} from '../../src/ingest-sources/ingest-source.rules.js';

const MACHINE = '7f0f9d2c-6a52-4f53-9c77-2f3b1b8f0a11';
const opcua = (config: IngestSourceInput['config'], extra: Partial<IngestSourceInput> = {}): IngestSourceInput => ({
  machineId: MACHINE,
  name: 'OPC',
  protocol: 'opcua',
  host: 'plc.local',
  config: { nodes: [{ nodeId: 'ns=2;i=1', metricName: 'a' }], ...config },
  ...extra,
});
const modbus = (registers: unknown[], extra: Partial<IngestSourceInput> = {}): IngestSourceInput => ({
  machineId: MACHINE,
  name: 'MB',
  protocol: 'modbus_tcp',
  host: '10.0.0.7',
  config: { registers: registers as never },
  ...extra,
});

async function locOf(fn: () => Promise<unknown>): Promise<unknown[]> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    const e = err as DomainError;
    expect(e.reason).toBe('INVALID_INGEST_SOURCE');
    return e.extra.issues![0]!.loc;
  }
  throw new Error('expected a validation error');
}

describe('validateIngestSource', () => {
  it('normalises an OPC-UA source: endpoint from host/port, security defaults, unit default, both spellings', async () => {
    for (const protocol of ['opcua', 'opc_ua', 'OPC_UA']) {
      const s = await validateIngestSource(opcua({}, { protocol }));
      expect(s.protocol).toBe('opcua');
      expect(s.port).toBe(4840);
      expect(s.pollIntervalSeconds).toBe(30);
      expect(s.isActive).toBe(true);
      expect(s.config).toEqual({
        endpoint_url: 'opc.tcp://plc.local:4840',
        security_mode: 'None',
        security_policy: 'None',
        auth_type: 'anonymous',
        username: null,
        mode: 'poll',
        sampling_interval_ms: null,
        deadband: null,
        nodes: [{ node_id: 'ns=2;i=1', metric_name: 'a', unit: DEFAULT_UNIT }],
      });
      expect(s.password).toEqual({ kind: 'clear' });
    }
    const secure = await validateIngestSource(opcua({ securityMode: 'Sign' }));
    expect(secure.config).toMatchObject({ security_mode: 'Sign', security_policy: 'Basic256Sha256' });
    const policyOnly = await validateIngestSource(opcua({ securityPolicy: 'Aes128_Sha256_RsaOaep' }));
    expect(policyOnly.config).toMatchObject({ security_mode: 'SignAndEncrypt', security_policy: 'Aes128_Sha256_RsaOaep' });
  });

  it('reads host and port from the endpoint URL and refuses a host or port that disagrees', async () => {
    const s = await validateIngestSource(opcua({ endpointUrl: 'opc.tcp://[::1]:4999/x' }, { host: null }));
    expect([s.host, s.port, (s.config as { endpoint_url: string }).endpoint_url]).toEqual(['::1', 4999, 'opc.tcp://[::1]:4999/x']);
    expect(await locOf(() => validateIngestSource(opcua({ endpointUrl: 'opc.tcp://a.b:4840' }, { host: 'c.d' })))).toEqual(['host']);
    expect(await locOf(() => validateIngestSource(opcua({ endpointUrl: 'opc.tcp://a.b:4840' }, { host: null, port: 1 })))).toEqual(['port']);
    for (const bad of ['http://a.b', 'opc.tcp://', 'opc.tcp://a b', 'opc.tcp://user@host:4840', 'opc.tcp://h:99999', 'opc.tcp://h:0']) {
      expect(await locOf(() => validateIngestSource(opcua({ endpointUrl: bad }, { host: null })))).toEqual(['config', 'endpoint_url']);
    }
    expect(await locOf(() => validateIngestSource(opcua({}, { host: null })))).toEqual(['host']);
  });

  it('locates every OPC-UA refusal at its field', async () => {
    const cases: [IngestSourceInput['config'], unknown[]][] = [
      [{ securityMode: 'None', securityPolicy: 'Basic256Sha256' }, ['config', 'security_policy']],
      [{ securityMode: 'SignAndEncrypt', securityPolicy: 'None' }, ['config', 'security_policy']],
      [{ securityMode: 'Encrypt' }, ['config', 'security_mode']],
      [{ authType: 'certificate' }, ['config', 'auth_type']],
      [{ authType: 'username' }, ['config', 'username']],
      [{ authType: 'anonymous', username: 'u' }, ['config', 'username']],
      [{ authType: 'anonymous', password: 'p' }, ['config', 'password']],
      [{ authType: 'username', username: 'u', password: '' }, ['config', 'password']],
      [{ mode: 'push' }, ['config', 'mode']],
      [{ samplingIntervalMs: -1 }, ['config', 'sampling_interval_ms']],
      [{ deadband: { type: 'percent', value: 101 } }, ['config', 'deadband', 'value']],
      [{ deadband: { type: 'relative', value: 1 } }, ['config', 'deadband', 'type']],
      [{ deadband: { type: 'absolute' } }, ['config', 'deadband', 'value']],
      [{ nodes: [] }, ['config', 'nodes']],
      [{ nodes: [{ nodeId: 'ns=2;q=1', metricName: 'a' }] }, ['config', 'nodes', 0, 'node_id']],
      [{ nodes: [{ nodeId: 'ns=2;i=1', metricName: 'a' }, { nodeId: 'ns=2;i=1', metricName: 'b' }] }, ['config', 'nodes', 1, 'node_id']],
      [{ nodes: [{ nodeId: 'ns=2;i=1', metricName: 'a' }, { nodeId: 'ns=2;i=2', metricName: 'a' }] }, ['config', 'nodes', 1, 'metric_name']],
      [{ nodes: [{ nodeId: 'ns=2;i=1', metricName: 'a\u202e' }] }, ['config', 'nodes', 0, 'metric_name']],
      [{ nodes: [{ nodeId: 'ns=2;i=1', metricName: 'a', unit: 'x'.repeat(51) }] }, ['config', 'nodes', 0, 'unit']],
      [{ registers: [{ address: 1, metricName: 'x' }] }, ['config', 'registers']],
    ];
    for (const [config, loc] of cases) expect(await locOf(() => validateIngestSource(opcua(config))), JSON.stringify(config)).toEqual(loc);
    const many = Array.from({ length: 10_001 }, (_, i) => ({ nodeId: `ns=2;i=${i}`, metricName: `m${i}` }));
    expect(await locOf(() => validateIngestSource(opcua({ nodes: many })))).toEqual(['config', 'nodes']);
    expect((await validateIngestSource(opcua({ nodes: many.slice(0, 10_000) }))).config).toHaveProperty('nodes.length', 10_000);
  });

  it('gives Modbus registers their data type by count and refuses a count that is not the width', async () => {
    const s = await validateIngestSource(modbus([{ address: 0, metricName: 'a' }, { address: 1, count: 2, metricName: 'b' }, { address: 3, count: 4, metricName: 'c' }, { address: 7, dataType: 'int32', metricName: 'd' }]));
    expect((s.config as StoredModbusConfig).registers.map((r) => `${r.data_type}/${r.count}`)).toEqual(['uint16/1', 'float32/2', 'float64/4', 'int32/2']);
    expect(s.port).toBe(502);
    expect((s.config as StoredModbusConfig).unit_id).toBe(1);
    const cases: [unknown, unknown[]][] = [
      [{ address: -1, metricName: 'a' }, ['config', 'registers', 0, 'address']],
      [{ address: 65_536, metricName: 'a' }, ['config', 'registers', 0, 'address']],
      [{ address: 1.5, metricName: 'a' }, ['config', 'registers', 0, 'address']],
      [{ address: 1, count: 3, metricName: 'a' }, ['config', 'registers', 0, 'count']],
      [{ address: 1, count: 1, dataType: 'float32', metricName: 'a' }, ['config', 'registers', 0, 'count']],
      [{ address: 1, count: 2, dataType: 'int16', metricName: 'a' }, ['config', 'registers', 0, 'count']],
      [{ address: 65_535, count: 2, metricName: 'a' }, ['config', 'registers', 0, 'count']],
      [{ address: 1, registerType: 'coil', dataType: 'uint16', metricName: 'a' }, ['config', 'registers', 0, 'data_type']],
      [{ address: 1, registerType: 'holding', dataType: 'bool', metricName: 'a' }, ['config', 'registers', 0, 'data_type']],
      [{ address: 1, registerType: 'memory', metricName: 'a' }, ['config', 'registers', 0, 'register_type']],
      [{ address: 1, byteOrder: 'ACBD', metricName: 'a' }, ['config', 'registers', 0, 'byte_order']],
      [{ address: 1, scale: Number.NaN, metricName: 'a' }, ['config', 'registers', 0, 'scale']],
      [{ address: 1, offset: Number.POSITIVE_INFINITY, metricName: 'a' }, ['config', 'registers', 0, 'offset']],
      [{ address: 1 }, ['config', 'registers', 0, 'metric_name']],
    ];
    for (const [reg, loc] of cases) expect(await locOf(() => validateIngestSource(modbus([reg]))), JSON.stringify(reg)).toEqual(loc);
    expect(await locOf(() => validateIngestSource(modbus([{ address: 1, metricName: 'a' }, { address: 2, metricName: 'a' }])))).toEqual(['config', 'registers', 1, 'metric_name']);
    expect(await locOf(() => validateIngestSource(modbus([{ address: 1, metricName: 'a' }], { config: { unitId: 256, registers: [{ address: 1, metricName: 'a' }] } })))).toEqual(['config', 'unit_id']);
    expect(await locOf(() => validateIngestSource(modbus([{ address: 1, metricName: 'a' }], { config: { endpointUrl: 'opc.tcp://x', registers: [{ address: 1, metricName: 'a' }] } })))).toEqual(['config', 'endpoint_url']);
  });

  it('locates the resource fields', async () => {
    expect(await locOf(() => validateIngestSource(modbus([{ address: 1, metricName: 'a' }], { protocol: 'mqtt' })))).toEqual(['protocol']);
    expect(await locOf(() => validateIngestSource(modbus([{ address: 1, metricName: 'a' }], { pollIntervalSeconds: 0 })))).toEqual(['poll_interval_seconds']);
    expect(await locOf(() => validateIngestSource(modbus([{ address: 1, metricName: 'a' }], { pollIntervalSeconds: 86_401 })))).toEqual(['poll_interval_seconds']);
    expect(await locOf(() => validateIngestSource(modbus([{ address: 1, metricName: 'a' }], { port: 70_000 })))).toEqual(['port']);
    expect(await locOf(() => validateIngestSource(modbus([{ address: 1, metricName: 'a' }], { host: 'bad host/' })))).toEqual(['host']);
    expect(await locOf(() => validateIngestSource(modbus([{ address: 1, metricName: 'a' }], { name: '  ' })))).toEqual(['name']);
    expect(await locOf(() => validateIngestSource(modbus([{ address: 1, metricName: 'a' }], { config: null })))).toEqual(['config']);
  });
});

describe('hosts, endpoints, tags', () => {
  it('accepts names and addresses, strips IPv6 brackets, lower-cases', async () => {
    expect(validateHost('PLC-1.Plant.local')).toBe('plc-1.plant.local');
    expect(validateHost('[2001:DB8::1]')).toBe('2001:db8::1');
    expect(validateHost('192.0.2.1')).toBe('192.0.2.1');
    expect(parseEndpointUrl('OPC.TCP://h')).toEqual({ url: 'opc.tcp://h:4840', host: 'h', port: 4840 });
  });

  it('default metric names and raw tags follow the readings\' raw_tag convention', async () => {
    expect(defaultMetricName('ns=2;i=1001')).toBe('ns2_i1001');
    expect(defaultMetricName('ns=2;s=Temperature')).toBe('ns2_sTemperature');
    expect(rawTagOfRegister({ address: 100, count: 1, register_type: 'holding', data_type: 'uint16', byte_order: 'ABCD', scale: 1, offset: 0, metric_name: 'x', unit: 'u' })).toBe('hr100');
    expect(rawTagOfRegister({ address: 3, count: 1, register_type: 'discrete_input', data_type: 'bool', byte_order: 'ABCD', scale: 1, offset: 0, metric_name: 'x', unit: 'u' })).toBe('di3');
  });
});

describe('mergeIngestSource and toDeviceSource', () => {
  const storedSource = async () => {
    const s = await validateIngestSource(opcua({ endpointUrl: 'opc.tcp://plc:4840/ua', authType: 'username', username: 'u', password: 'p' }, { host: null }));
    return { ...s, machineId: MACHINE };
  };

  it('keeps the password unless named, moves the endpoint with host/port, and takes a new protocol whole', async () => {
    const stored = await storedSource();
    expect((await validateIngestSource(mergeIngestSource(stored, { name: 'x' }))).password).toEqual({ kind: 'keep' });
    expect((await validateIngestSource(mergeIngestSource(stored, { config: { password: null } }))).password).toEqual({ kind: 'clear' });
    expect((await validateIngestSource(mergeIngestSource(stored, { config: { password: 'n' } }))).password).toEqual({ kind: 'set', password: 'n' });
    const moved = await validateIngestSource(mergeIngestSource(stored, { port: 4850 }));
    expect([moved.host, moved.port, (moved.config as { endpoint_url: string }).endpoint_url]).toEqual(['plc', 4850, 'opc.tcp://plc:4850/ua']);
    const anon = await validateIngestSource(mergeIngestSource(stored, { config: { authType: 'anonymous' } }));
    expect(anon.config).toMatchObject({ auth_type: 'anonymous', username: null });
    expect(anon.password).toEqual({ kind: 'clear' });
    const mb = await validateIngestSource(mergeIngestSource(stored, { protocol: 'modbus', config: { registers: [{ address: 5, metricName: 'r' }] } }));
    expect([mb.protocol, mb.host, mb.port]).toEqual(['modbus', 'plc', 502]);
  });

  it('builds the drivers\' DeviceSource with the decrypted password and the poll interval as default sampling', async () => {
    const stored = await storedSource();
    const d = toDeviceSource({ id: 'id-1', name: 'n', protocol: stored.protocol, host: stored.host, port: stored.port, pollIntervalSeconds: 5, config: stored.config }, 'p');
    expect(d).toMatchObject({ id: 'id-1', protocol: 'opcua', pollIntervalMs: 5000, opcua: { endpointUrl: 'opc.tcp://plc:4840/ua', auth: { type: 'username', username: 'u', password: 'p' }, samplingIntervalMs: 5000, nodes: [{ nodeId: 'ns=2;i=1', metricName: 'a', unit: 'none' }] } });
    const m = await validateIngestSource(modbus([{ address: 9, dataType: 'float64', byteOrder: 'BADC', scale: 2, offset: 1, metricName: 'v', unit: 'V' }], { config: { unitId: 4, registers: [{ address: 9, dataType: 'float64', byteOrder: 'BADC', scale: 2, offset: 1, metricName: 'v', unit: 'V' }] } }));
    expect(toDeviceSource({ id: 'm', name: 'MB', protocol: m.protocol, host: m.host, port: m.port, pollIntervalSeconds: 1, config: m.config }, null).modbus).toEqual({
      host: '10.0.0.7',
      port: 502,
      unitId: 4,
      registers: [{ address: 9, count: 4, registerType: 'holding', dataType: 'float64', byteOrder: 'BADC', metricName: 'v', unit: 'V', scale: 2, offset: 1 }],
    });
  });
});
