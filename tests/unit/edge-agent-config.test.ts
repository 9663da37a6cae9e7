import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentConfigError, configPath, loadAgentConfig, parseAgentConfig, type ConfigIssue } from '../../src/edge-agent/config.js';
import { TomlLineMap } from '../../src/edge-agent/toml-lines.js';

/** The documented example of edge-agent.md, both protocols. */
const DOCUMENTED = `# Haltless edge agent
[agent]
api_key = "hk_your_api_key_here"
api_url = "https://api.example.com"
push_interval = 30
batch_size = 100
buffer_dir = "/var/lib/haltless/buffer"
max_buffer_mb = 500
heartbeat_interval = 300
log_level = "info"

[[source]]
name = "CNC Mill OPC-UA"
machine_identifier = "CNC-001"
protocol = "opcua"

[source.opcua]
endpoint = "opc.tcp://192.168.1.100:4840"
security_mode = "SignAndEncrypt"
security_policy = "Basic256Sha256"
username = "opcuser"
password = "securepass"

[[source.opcua.nodes]]
node_id = "ns=2;i=1001"
metric_name = "temperature"
unit = "celsius"

[[source.opcua.nodes]]
node_id = "ns=2;s=Vibration.Value"
metric_name = "vibration"
unit = "mm/s"

[[source]]
name = "Conveyor Motor"
machine_identifier = "CONV-001"
protocol = "modbus"

[source.modbus]
host = "192.168.1.50"
port = 502
unit_id = 1
poll_interval = 10

[[source.modbus.registers]]
address = 100
count = 1
register_type = "holding"
metric_name = "temperature"
unit = "celsius"
scale = 0.1
offset = 0.0

[[source.modbus.registers]]
address = 200
count = 2
register_type = "input"
data_type = "float32"
byte_order = "CDAB"
metric_name = "speed"
unit = "rpm"
scale = 1
offset = 0
`;

const FILE = '/etc/haltless/agent.toml';

/** The issues of a config that must fail. */
function issuesOf(text: string, env: NodeJS.ProcessEnv = {}): ConfigIssue[] {
  try {
    parseAgentConfig(text, FILE, env);
  } catch (err) {
    expect(err).toBeInstanceOf(AgentConfigError);
    return (err as AgentConfigError).issues;
  }
  throw new Error('config was accepted');
}

/** 1-based line of the first line of `text` containing `needle` (occurrence `nth`, 0-based). */
function lineOf(text: string, needle: string, nth = 0): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i]!.includes(needle) && seen++ === nth) return i + 1;
  throw new Error(`${needle} not in text`);
}

describe('agent.toml: the documented file', () => {
  it('reads every documented key into the agent settings and normalized sources', () => {
    const c = parseAgentConfig(DOCUMENTED, FILE, {});
    expect(c).toMatchObject({
      apiKey: 'hk_your_api_key_here',
      apiUrl: 'https://api.example.com',
      pushIntervalMs: 30_000,
      batchSize: 100,
      bufferDir: '/var/lib/haltless/buffer',
      maxBufferBytes: 500 * 1024 * 1024,
      heartbeatIntervalMs: 300_000,
      logLevel: 'info',
    });
    expect(c.sources).toHaveLength(2);
    const [opc, mb] = c.sources;
    expect(opc).toMatchObject({
      id: 'CNC Mill OPC-UA',
      name: 'CNC Mill OPC-UA',
      protocol: 'opcua',
      machineIdentifier: 'CNC-001',
      pollIntervalMs: 10_000,
      opcua: {
        endpointUrl: 'opc.tcp://192.168.1.100:4840',
        securityMode: 'SignAndEncrypt',
        securityPolicy: 'Basic256Sha256',
        auth: { type: 'username', username: 'opcuser', password: 'securepass' },
        mode: 'poll',
        deadband: null,
        nodes: [
          { nodeId: 'ns=2;i=1001', metricName: 'temperature', unit: 'celsius' },
          { nodeId: 'ns=2;s=Vibration.Value', metricName: 'vibration', unit: 'mm/s' },
        ],
      },
    });
    expect(mb).toMatchObject({
      protocol: 'modbus',
      machineIdentifier: 'CONV-001',
      pollIntervalMs: 10_000,
      modbus: {
        host: '192.168.1.50',
        port: 502,
        unitId: 1,
        registers: [
          { address: 100, count: 1, registerType: 'holding', dataType: 'uint16', byteOrder: 'ABCD', metricName: 'temperature', unit: 'celsius', scale: 0.1, offset: 0 },
          { address: 200, count: 2, registerType: 'input', dataType: 'float32', byteOrder: 'CDAB', metricName: 'speed', unit: 'rpm', scale: 1, offset: 0 },
        ],
      },
    });
  });

  it('fills the documented defaults and resolves a relative buffer_dir against the file', () => {
    const c = parseAgentConfig('[agent]\napi_key = "hk_x"\nbuffer_dir = "buf"\n', '/opt/agent/agent.toml', {});
    expect(c).toMatchObject({
      apiUrl: 'http://localhost:8080',
      pushIntervalMs: 30_000,
      batchSize: 100,
      bufferDir: '/opt/agent/buf',
      maxBufferBytes: 500 * 1024 * 1024,
      heartbeatIntervalMs: 300_000,
      logLevel: 'info',
      sources: [],
    });
    expect(parseAgentConfig('[agent]\napi_key = "k"\n', '/x/a.toml', {}).bufferDir).toBe('/var/lib/haltless/buffer');
  });

  it('takes api_url with a trailing /api/v1 or slash as the origin', () => {
    expect(parseAgentConfig('[agent]\napi_key = "k"\napi_url = "http://h:8080/api/v1/"\n', FILE).apiUrl).toBe('http://h:8080');
    expect(parseAgentConfig('[agent]\napi_key = "k"\napi_url = "https://h/prefix/"\n', FILE).apiUrl).toBe('https://h/prefix');
  });

  it('accepts the protocol spellings of decision 3 and inline tables', () => {
    const text = `[agent]
api_key = "k"
[[source]]
name = "m"
machine_identifier = "M-1"
protocol = "modbus_tcp"
modbus = { host = "10.0.0.5", registers = [ { address = 0, metric_name = "a", unit = "u" }, { address = 1, register_type = "coil", metric_name = "b", unit = "" } ] }
`;
    const c = parseAgentConfig(text, FILE);
    expect(c.sources[0]!.protocol).toBe('modbus');
    expect(c.sources[0]!.modbus!.registers.map((r) => [r.registerType, r.dataType, r.count])).toEqual([
      ['holding', 'uint16', 1],
      ['coil', 'bool', 1],
    ]);
  });
});

describe('agent.toml: errors name the key and the line', () => {
  it('a syntax error carries the parser line and column', () => {
    const text = '[agent]\napi_key = "k"\nbatch_size = = 3\n';
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(3);
    expect(issues[0]!.key).toBe('(syntax)');
    try {
      parseAgentConfig(text, FILE);
    } catch (err) {
      expect((err as Error).message).toMatch(/^\/etc\/haltless\/agent\.toml:3: \(syntax\): .*column \d+/);
    }
  });

  it.each([
    ['batch_size = 1001', 'agent.batch_size', /between 1 and 1000/],
    ['batch_size = 10.5', 'agent.batch_size', /whole number/],
    ['push_interval = "fast"', 'agent.push_interval', /must be a number/],
    ['push_interval = 0', 'agent.push_interval', /between 0.1 and 86400 seconds/],
    ['log_level = "verbose"', 'agent.log_level', /debug, info, warn, error/],
    ['api_url = "ftp://x"', 'agent.api_url', /http/],
    ['max_buffer_mb = -1', 'agent.max_buffer_mb', /between/],
    ['heartbeat_interval = true', 'agent.heartbeat_interval', /must be a number/],
    ['colour = "blue"', 'agent.colour', /unknown key/],
  ])('[agent] %s → %s', (line, key, msg) => {
    const text = `# comment\n[agent]\napi_key = "k"\n${line}\n`;
    const issues = issuesOf(text);
    expect(issues).toEqual([{ key, line: 4, message: expect.stringMatching(msg) }]);
  });

  it('a missing api_key names the key and its section', () => {
    expect(issuesOf('\n[agent]\nbatch_size = 10\n')).toEqual([{ key: 'agent.api_key', line: 2, message: 'is required' }]);
  });

  it('source errors point at the line of the key inside the right [[source]] / [[...registers]] block', () => {
    const bad = DOCUMENTED.replace('register_type = "input"', 'register_type = "inputs"')
      .replace('node_id = "ns=2;s=Vibration.Value"', 'node_id = "Vibration"')
      .replace('unit_id = 1', 'unit_id = 300')
      .replace('security_policy = "Basic256Sha256"', 'security_policy = "Basic256Sha256"\nsecurity_level = 3');
    const issues = issuesOf(bad);
    const byKey = Object.fromEntries(issues.map((i) => [i.key, i]));
    expect(Object.keys(byKey).sort()).toEqual(
      ['source[0].opcua.nodes[1].node_id', 'source[0].opcua.security_level', 'source[1].modbus.registers[1].register_type', 'source[1].modbus.unit_id'].sort(),
    );
    expect(byKey['source[1].modbus.registers[1].register_type']!.line).toBe(lineOf(bad, 'register_type = "inputs"'));
    expect(byKey['source[1].modbus.registers[1].register_type']!.message).toMatch(/holding, input, coil, discrete_input/);
    expect(byKey['source[0].opcua.nodes[1].node_id']!.line).toBe(lineOf(bad, 'node_id = "Vibration"'));
    expect(byKey['source[1].modbus.unit_id']!.line).toBe(lineOf(bad, 'unit_id = 300'));
    expect(byKey['source[0].opcua.security_level']).toMatchObject({ line: lineOf(bad, 'security_level'), message: expect.stringMatching(/unknown key/) });
  });

  it('a missing key points at its block header', () => {
    const text = DOCUMENTED.replace('metric_name = "speed"\n', '');
    const issues = issuesOf(text);
    // the second [[source.modbus.registers]] header
    expect(issues).toEqual([{ key: 'source[1].modbus.registers[1].metric_name', line: lineOf(text, '[[source.modbus.registers]]', 1), message: 'is required' }]);
  });

  it.each([
    ['protocol = "opcua"', 'protocol = "profibus"', 'source[0].protocol', /opcua or modbus/],
    ['endpoint = "opc.tcp://192.168.1.100:4840"', 'endpoint = "http://192.168.1.100"', 'source[0].opcua.endpoint', /opc\.tcp:\/\//],
    ['security_mode = "SignAndEncrypt"', 'security_mode = "Encrypt"', 'source[0].opcua.security_mode', /None, Sign, SignAndEncrypt/],
    ['password = "securepass"', '', 'source[0].opcua.password', /required when username/],
    ['machine_identifier = "CNC-001"', 'machine_identifier = "CNC 001"', 'source[0].machine_identifier', /only letters/],
    ['name = "Conveyor Motor"', 'name = "CNC Mill OPC-UA"', 'source[1].name', /already the name of source\[0\]/],
    ['poll_interval = 10', 'poll_interval = 0.5', 'source[1].modbus.poll_interval', /between 1 and 86400/],
    ['port = 502', 'port = 70000', 'source[1].modbus.port', /between 1 and 65535/],
    ['address = 100', 'address = 65536', 'source[1].modbus.registers[0].address', /between 0 and 65535/],
    ['scale = 0.1', 'scale = nan', 'source[1].modbus.registers[0].scale', /finite/],
    ['data_type = "float32"', 'data_type = "float64"', 'source[1].modbus.registers[1].count', /must be 4 for data_type float64/],
    ['count = 2', 'count = 3', 'source[1].modbus.registers[1].count', /must be 4 for data_type float32|must be 2 for data_type float32/],
    ['count = 1', 'count = 3', 'source[1].modbus.registers[0].count', /must be 1, 2 or 4 \(a 16-, 32- or 64-bit value\), or give data_type \(got 3\)/],
  ])('%s → %s', (from, to, key, msg) => {
    const text = DOCUMENTED.replace(from, to);
    expect(text).not.toBe(DOCUMENTED);
    const issues = issuesOf(text);
    expect(issues.map((i) => i.key)).toEqual([key]);
    expect(issues[0]!.message).toMatch(msg);
    // the line of the key named (the replaced line, or the count next to a data_type)
    const anchor = key.endsWith('opcua.password') ? '[source.opcua]' : from === 'data_type = "float32"' ? 'count = 2' : to;
    expect(issues[0]!.line).toBe(lineOf(text, anchor, key === 'source[1].name' ? 1 : 0));
  });

  it('a [source.modbus] block under an opcua source is refused', () => {
    const text = '[agent]\napi_key = "k"\n[[source]]\nname = "a"\nmachine_identifier = "A"\nprotocol = "opcua"\n[source.modbus]\nhost = "h"\n';
    const issues = issuesOf(text);
    expect(issues).toContainEqual({ key: 'source[0].modbus', line: 7, message: expect.stringMatching(/does not belong/) });
    expect(issues).toContainEqual({ key: 'source[0].opcua', line: 3, message: expect.stringMatching(/section \[source\.opcua\] is required/) });
  });

  it('every problem is reported at once, each as file:line: key: message', () => {
    const text = '[agent]\napi_key = "k"\nbatch_size = 0\nlog_level = "loud"\n';
    try {
      parseAgentConfig(text, FILE);
      throw new Error('accepted');
    } catch (err) {
      expect((err as Error).message.split('\n')).toEqual([
        `${FILE}:3: agent.batch_size: must be between 1 and 1000 (got 0)`,
        `${FILE}:4: agent.log_level: must be one of debug, info, warn, error (got "loud")`,
      ]);
    }
  });
});

describe('agent.toml: environment overrides', () => {
  it('HALTLESS_* variables override [agent] keys, even a missing api_key', () => {
    const c = parseAgentConfig('[agent]\nbatch_size = 10\n', '/a/agent.toml', {
      HALTLESS_API_KEY: 'hk_env',
      HALTLESS_API_URL: 'http://10.1.1.1:9000',
      HALTLESS_BATCH_SIZE: '500',
      HALTLESS_PUSH_INTERVAL: '2.5',
      HALTLESS_BUFFER_DIR: '/data/buf',
      HALTLESS_MAX_BUFFER_MB: '64',
      HALTLESS_HEARTBEAT_INTERVAL: '60',
      HALTLESS_LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({ apiKey: 'hk_env', apiUrl: 'http://10.1.1.1:9000', batchSize: 500, pushIntervalMs: 2500, bufferDir: '/data/buf', maxBufferBytes: 64 * 1024 * 1024, heartbeatIntervalMs: 60_000, logLevel: 'debug' });
  });

  it('a bad override names the variable, not a line', () => {
    expect(issuesOf('[agent]\napi_key = "k"\n', { HALTLESS_BATCH_SIZE: 'lots' })).toEqual([{ key: 'HALTLESS_BATCH_SIZE', line: undefined, message: expect.stringMatching(/whole number/) }]);
    try {
      parseAgentConfig('[agent]\napi_key = "k"\n', FILE, { HALTLESS_BATCH_SIZE: '5000' });
    } catch (err) {
      expect((err as Error).message).toBe('environment: HALTLESS_BATCH_SIZE: must be between 1 and 1000 (got 5000)');
    }
  });

  it('the config path: --config, else HALTLESS_CONFIG, else the documented default', () => {
    expect(configPath('x.toml', { HALTLESS_CONFIG: '/y.toml' })).toBe('x.toml');
    expect(configPath(undefined, { HALTLESS_CONFIG: '/y.toml' })).toBe('/y.toml');
    expect(configPath(undefined, {})).toBe('/etc/haltless/agent.toml');
  });

  it('a missing file is a config error naming the file', async () => {
    const file = path.join(import.meta.dirname, 'no-such-agent.toml');
    await expect(loadAgentConfig(file, {})).rejects.toThrow(`${file}: (file): config file not found`);
  });
});

describe('TOML line map', () => {
  it('follows arrays of tables, dotted headers, inline tables and skips multi-line strings', () => {
    const text = [
      '[agent]', // 1
      'api_key = """', // 2
      'x = 1', // 3 (inside the string)
      '"""', // 4
      '[[source]]', // 5
      'name = "a" # comment with = sign', // 6
      '[[source]]', // 7
      '[source.modbus]', // 8
      'registers = [', // 9
      '  { address = 1, unit = "u" },', // 10
      '  { address = 2 },', // 11
      ']', // 12
      'host = "h"', // 13
    ].join('\n');
    const m = new TomlLineMap(text);
    expect(m.lineOf('agent.api_key')).toBe(2);
    expect(m.lineOf('agent.x')).toBe(1);
    expect(m.lineOf('source[0].name')).toBe(6);
    expect(m.lineOf('source[1]')).toBe(7);
    expect(m.lineOf('source[1].modbus.registers[0].unit')).toBe(10);
    expect(m.lineOf('source[1].modbus.registers[1].address')).toBe(11);
    expect(m.lineOf('source[1].modbus.host')).toBe(13);
    expect(m.lineOf('source[1].modbus.port')).toBe(8);
  });
});
