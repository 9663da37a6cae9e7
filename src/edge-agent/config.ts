/**
 * The edge agent's `agent.toml` (spec: edge-agent.md, design decision 10): read, checked key by key
 * and turned into the agent's settings and one normalized `DeviceSource` per `[[source]]`, the
 * shape the drivers read. Every error names the key and its line; unknown keys are refused (a typo
 * would otherwise silently fall back to a default). `[agent]` keys can be overridden by
 * `HALTLESS_<KEY>` environment variables (see ENV_OVERRIDES).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import {
  DEVICE_SOURCE_LIMITS as L,
  MODBUS_BYTE_ORDERS,
  MODBUS_DATA_TYPE_WIDTH,
  MODBUS_DATA_TYPES,
  MODBUS_REGISTER_TYPES,
  OPCUA_SECURITY_MODES,
  OPCUA_SECURITY_POLICIES,
  type DeviceSource,
  type ModbusDataType,
  type ModbusRegister,
  type ModbusRegisterType,
  type OpcuaNode,
  type OpcuaSecurityMode,
  type OpcuaSecurityPolicy,
} from '../connectivity/device-source.js';
import { parseNodeId } from '../connectivity/opcua-node-id.js';
import { TomlLineMap } from './toml-lines.js';

export const DEFAULT_CONFIG_PATH = '/etc/haltless/agent.toml';
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type AgentLogLevel = (typeof LOG_LEVELS)[number];

/** Limits of the `[agent]` keys. */
export const AGENT_LIMITS = {
  apiKey: 255,
  maxBatchSize: 1000,
  minIntervalSeconds: 0.1,
  maxIntervalSeconds: 86_400,
  minBufferMb: 0.01,
  maxBufferMb: 1_048_576,
  /** the platform's limit on a machine identifier */
  machineIdentifier: 100,
  maxSources: 1000,
} as const;

/** One `[[source]]`: the device as the drivers see it, and the machine its readings belong to. */
export interface AgentSource extends DeviceSource {
  machineIdentifier: string;
}

export interface AgentConfig {
  /** the file read (for messages) */
  file: string;
  apiKey: string;
  /** origin (and optional path prefix) of the platform, without a trailing slash and without /api/v1 */
  apiUrl: string;
  pushIntervalMs: number;
  batchSize: number;
  bufferDir: string;
  maxBufferBytes: number;
  heartbeatIntervalMs: number;
  logLevel: AgentLogLevel;
  sources: AgentSource[];
}

/** `[agent]` key → environment variable that overrides it. */
export const ENV_OVERRIDES = {
  api_key: 'HALTLESS_API_KEY',
  api_url: 'HALTLESS_API_URL',
  push_interval: 'HALTLESS_PUSH_INTERVAL',
  batch_size: 'HALTLESS_BATCH_SIZE',
  buffer_dir: 'HALTLESS_BUFFER_DIR',
  max_buffer_mb: 'HALTLESS_MAX_BUFFER_MB',
  heartbeat_interval: 'HALTLESS_HEARTBEAT_INTERVAL',
  log_level: 'HALTLESS_LOG_LEVEL',
} as const;

export interface ConfigIssue {
  /** `agent.batch_size`, `source[0].modbus.registers[2].register_type`, or an environment variable */
  key: string;
  /** 1-based line in the file; absent for environment variables and missing sections */
  line?: number;
  message: string;
}

/** A config that cannot be used; `message` lists every problem as `file:line: key: message`. */
export class AgentConfigError extends Error {
  constructor(readonly file: string, readonly issues: ConfigIssue[]) {
    super(
      issues
        .map((i) => `${i.line !== undefined ? `${file}:${i.line}` : i.key.startsWith('HALTLESS_') ? 'environment' : file}: ${i.key}: ${i.message}`)
        .join('\n'),
    );
    this.name = 'AgentConfigError';
  }
}

const AGENT_KEYS = ['api_key', 'api_url', 'push_interval', 'batch_size', 'buffer_dir', 'max_buffer_mb', 'heartbeat_interval', 'log_level'];
const SOURCE_KEYS = ['name', 'machine_identifier', 'protocol', 'opcua', 'modbus'];
const OPCUA_KEYS = ['endpoint', 'security_mode', 'security_policy', 'username', 'password', 'poll_interval', 'mode', 'sampling_interval_ms', 'deadband_type', 'deadband_value', 'nodes'];
const NODE_KEYS = ['node_id', 'metric_name', 'unit'];
const MODBUS_KEYS = ['host', 'port', 'unit_id', 'poll_interval', 'registers'];
const REGISTER_KEYS = ['address', 'count', 'register_type', 'data_type', 'byte_order', 'metric_name', 'unit', 'scale', 'offset'];

const PROTOCOLS: Record<string, 'opcua' | 'modbus'> = { opcua: 'opcua', opc_ua: 'opcua', modbus: 'modbus', modbus_tcp: 'modbus' };
const IDENTIFIER_CHARS = /^[A-Za-z0-9\-_.:/#]+$/;
const DEFAULT_POLL_SECONDS = 10;

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
const describe = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (Array.isArray(v)) return 'an array';
  if (isTable(v)) return 'a table';
  if (v instanceof Date) return 'a date';
  return String(v);
};

/** Collects issues while reading the parsed document; each reader returns undefined on a bad value. */
class Checker {
  readonly issues: ConfigIssue[] = [];
  constructor(private readonly lines: TomlLineMap) {}

  fail(key: string, message: string): undefined {
    this.issues.push({ key, line: this.lines.lineOf(key), message });
    return undefined;
  }

  /** refuses keys that are not in `allowed` */
  known(table: Table, at: string, allowed: readonly string[]): void {
    for (const k of Object.keys(table)) {
      if (!allowed.includes(k)) this.fail(at ? `${at}.${k}` : k, `unknown key (allowed here: ${allowed.join(', ')})`);
    }
  }

  str(table: Table, at: string, key: string, o: { required?: boolean; max: number; min?: number; def?: string }): string | undefined {
    const v = table[key];
    const where = `${at}.${key}`;
    if (v === undefined) return o.required ? this.fail(where, 'is required') : o.def;
    if (typeof v !== 'string') return this.fail(where, `must be a string (got ${describe(v)})`);
    const len = [...v].length;
    if (len < (o.min ?? 0)) return this.fail(where, o.min === 1 ? 'must not be empty' : `must have at least ${o.min} characters`);
    if (len > o.max) return this.fail(where, `must have at most ${o.max} characters`);
    return v;
  }

  num(table: Table, at: string, key: string, o: { required?: boolean; min: number; max: number; def?: number; integer?: boolean; unit?: string }): number | undefined {
    const v = table[key];
    const where = `${at}.${key}`;
    if (v === undefined) return o.required ? this.fail(where, 'is required') : o.def;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(where, `must be a ${o.integer ? 'whole number' : 'number'} (got ${describe(v)})`);
    if (o.integer && !Number.isInteger(v)) return this.fail(where, `must be a whole number (got ${v})`);
    if (v < o.min || v > o.max) return this.fail(where, `must be between ${o.min} and ${o.max}${o.unit ? ` ${o.unit}` : ''} (got ${v})`);
    return v;
  }

  finite(table: Table, at: string, key: string, def: number): number | undefined {
    const v = table[key];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(`${at}.${key}`, `must be a finite number (got ${describe(v)})`);
    return v;
  }

  oneOf<T extends string>(table: Table, at: string, key: string, allowed: readonly T[], def?: T): T | undefined {
    const v = table[key];
    const where = `${at}.${key}`;
    if (v === undefined) return def === undefined ? this.fail(where, 'is required') : def;
    if (typeof v !== 'string' || !allowed.includes(v as T)) return this.fail(where, `must be one of ${allowed.join(', ')} (got ${describe(v)})`);
    return v as T;
  }

  table(parent: Table, at: string, key: string, required: boolean): Table | undefined {
    const v = parent[key];
    const where = at ? `${at}.${key}` : key;
    if (v === undefined) return required ? this.fail(where, `section [${where.replace(/\[\d+\]/g, '')}] is required`) : undefined;
    if (!isTable(v)) return this.fail(where, `must be a table (got ${describe(v)})`);
    return v;
  }

  list(parent: Table, at: string, key: string, o: { min: number; max: number }): Table[] | undefined {
    const v = parent[key];
    const where = `${at}.${key}`;
    if (v === undefined) return this.fail(where, `at least ${o.min} [[${where.replace(/\[\d+\]/g, '')}]] entr${o.min === 1 ? 'y is' : 'ies are'} required`);
    if (!Array.isArray(v) || !v.every(isTable)) return this.fail(where, 'must be an array of tables');
    if (v.length < o.min) return this.fail(where, `must have at least ${o.min} entr${o.min === 1 ? 'y' : 'ies'}`);
    if (v.length > o.max) return this.fail(where, `must have at most ${o.max} entries (got ${v.length})`);
    return v as Table[];
  }
}

/** Reads `[agent]` after the environment overrides were applied (values from env are strings). */
function readAgent(c: Checker, doc: Table, env: NodeJS.ProcessEnv, file: string): Omit<AgentConfig, 'sources' | 'file'> | undefined {
  const agent = c.table(doc, '', 'agent', false) ?? {};
  c.known(agent, 'agent', AGENT_KEYS);
  const merged: Table = { ...agent };
  // environment overrides: checked by the same rules, reported under the variable's name
  const envKey = new Map<string, string>();
  for (const [key, name] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    envKey.set(key, name);
    const numeric = !['api_key', 'api_url', 'buffer_dir', 'log_level'].includes(key);
    merged[key] = numeric ? (/^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : raw) : raw;
  }
  // issues about an overridden key name the variable instead of the file's key
  const start = c.issues.length;
  const seconds = { min: AGENT_LIMITS.minIntervalSeconds, max: AGENT_LIMITS.maxIntervalSeconds, unit: 'seconds' };
  const apiKey = c.str(merged, 'agent', 'api_key', { required: true, min: 1, max: AGENT_LIMITS.apiKey });
  const apiUrlRaw = c.str(merged, 'agent', 'api_url', { max: 2048, min: 1, def: 'http://localhost:8080' });
  let apiUrl: string | undefined;
  if (apiUrlRaw !== undefined) {
    try {
      const u = new URL(apiUrlRaw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      if (u.search || u.hash) throw new Error('query');
      // the agent appends /api/v1/...: a URL that already ends with it is taken as the origin
      apiUrl = `${u.origin}${u.pathname}`.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    } catch {
      c.fail('agent.api_url', `must be an http:// or https:// URL without query (got ${describe(apiUrlRaw)})`);
    }
  }
  const pushInterval = c.num(merged, 'agent', 'push_interval', { ...seconds, def: 30 });
  const batchSize = c.num(merged, 'agent', 'batch_size', { min: 1, max: AGENT_LIMITS.maxBatchSize, def: 100, integer: true });
  const bufferDirRaw = c.str(merged, 'agent', 'buffer_dir', { min: 1, max: 4096, def: '/var/lib/haltless/buffer' });
  const maxBufferMb = c.num(merged, 'agent', 'max_buffer_mb', { min: AGENT_LIMITS.minBufferMb, max: AGENT_LIMITS.maxBufferMb, def: 500, unit: 'MB' });
  const heartbeat = c.num(merged, 'agent', 'heartbeat_interval', { ...seconds, def: 300 });
  const logLevel = c.oneOf(merged, 'agent', 'log_level', LOG_LEVELS, 'info');
  for (const issue of c.issues.slice(start)) {
    const name = envKey.get(issue.key.replace(/^agent\./, ''));
    if (name) {
      issue.key = name;
      issue.line = undefined;
    }
  }
  if (c.issues.length > start) return undefined;
  // a relative buffer_dir is relative to the config file (a service's working directory is arbitrary)
  const bufferDir = envKey.has('buffer_dir') ? path.resolve(bufferDirRaw!) : path.resolve(path.dirname(path.resolve(file)), bufferDirRaw!);
  return {
    apiKey: apiKey!,
    apiUrl: apiUrl!,
    pushIntervalMs: Math.round(pushInterval! * 1000),
    batchSize: batchSize!,
    bufferDir,
    maxBufferBytes: Math.round(maxBufferMb! * 1024 * 1024),
    heartbeatIntervalMs: Math.round(heartbeat! * 1000),
    logLevel: logLevel!,
  };
}

function readOpcua(c: Checker, t: Table, at: string): Pick<AgentSource, 'opcua' | 'pollIntervalMs'> | undefined {
  c.known(t, at, OPCUA_KEYS);
  const start = c.issues.length;
  const endpoint = c.str(t, at, 'endpoint', { required: true, min: 1, max: 2048 });
  if (endpoint !== undefined) {
    let ok = false;
    try {
      const u = new URL(endpoint);
      ok = u.protocol === 'opc.tcp:' && u.hostname.length > 0 && [...u.hostname].length <= L.host;
    } catch {
      ok = false;
    }
    if (!ok) c.fail(`${at}.endpoint`, `must be an opc.tcp://host[:port][/path] URL (got ${describe(endpoint)})`);
  }
  const securityMode = c.oneOf<OpcuaSecurityMode>(t, at, 'security_mode', OPCUA_SECURITY_MODES, 'None');
  const policyDefault: OpcuaSecurityPolicy = securityMode === 'None' ? 'None' : 'Basic256Sha256';
  const securityPolicy = c.oneOf<OpcuaSecurityPolicy>(t, at, 'security_policy', OPCUA_SECURITY_POLICIES, policyDefault);
  if (securityMode && securityPolicy) {
    if (securityMode === 'None' && securityPolicy !== 'None') c.fail(`${at}.security_policy`, `must be None when security_mode is None (got "${securityPolicy}")`);
    if (securityMode !== 'None' && securityPolicy === 'None') c.fail(`${at}.security_policy`, `must name a policy (e.g. Basic256Sha256) when security_mode is ${securityMode}`);
  }
  const username = c.str(t, at, 'username', { min: 1, max: L.username });
  const password = c.str(t, at, 'password', { max: L.password });
  if (username !== undefined && password === undefined) c.fail(`${at}.password`, 'is required when username is set');
  if (password !== undefined && username === undefined) c.fail(`${at}.username`, 'is required when password is set');
  const poll = c.num(t, at, 'poll_interval', { min: L.minPollIntervalSeconds, max: L.maxPollIntervalSeconds, def: DEFAULT_POLL_SECONDS, unit: 'seconds' });
  const mode = c.oneOf(t, at, 'mode', ['poll', 'subscription'] as const, 'poll');
  const sampling = c.num(t, at, 'sampling_interval_ms', { min: L.minSamplingIntervalMs, max: L.maxSamplingIntervalMs, integer: true, unit: 'ms' });
  const deadbandType = t.deadband_type === undefined ? undefined : c.oneOf(t, at, 'deadband_type', ['absolute', 'percent'] as const);
  const deadbandValue = c.num(t, at, 'deadband_value', { min: 0, max: deadbandType === 'percent' ? 100 : Number.MAX_VALUE });
  if ((t.deadband_type === undefined) !== (t.deadband_value === undefined)) {
    c.fail(`${at}.${t.deadband_type === undefined ? 'deadband_type' : 'deadband_value'}`, 'deadband_type and deadband_value go together');
  }
  const nodes: OpcuaNode[] = [];
  const list = c.list(t, at, 'nodes', { min: 1, max: L.maxNodes });
  list?.forEach((n, i) => {
    const nat = `${at}.nodes[${i}]`;
    c.known(n, nat, NODE_KEYS);
    const nodeId = c.str(n, nat, 'node_id', { required: true, min: 1, max: L.nodeId });
    const parsed = nodeId === undefined ? undefined : parseNodeId(nodeId);
    if (parsed && !parsed.ok) c.fail(`${nat}.node_id`, parsed.message);
    const metricName = c.str(n, nat, 'metric_name', { required: true, min: 1, max: L.metricName });
    const unit = c.str(n, nat, 'unit', { required: true, max: L.unit });
    if (nodeId !== undefined && metricName !== undefined && unit !== undefined) nodes.push({ nodeId, metricName, unit });
  });
  if (c.issues.length > start) return undefined;
  return {
    pollIntervalMs: Math.round(poll! * 1000),
    opcua: {
      endpointUrl: endpoint!,
      securityMode: securityMode!,
      securityPolicy: securityPolicy!,
      auth: username !== undefined ? { type: 'username', username, password: password! } : { type: 'anonymous' },
      mode: mode!,
      samplingIntervalMs: sampling ?? Math.round(poll! * 1000),
      deadband: deadbandType !== undefined && deadbandValue !== undefined ? { type: deadbandType, value: deadbandValue } : null,
      nodes,
    },
  };
}

/**
 * A register's data type when none is given, as `/ingest-sources` decides it: bits for coils and
 * discrete inputs; by count for registers (1 → uint16, the documented raw value; 2 → float32;
 * 4 → float64).
 */
const DEFAULT_DATA_TYPE_BY_COUNT: Readonly<Record<number, ModbusDataType>> = { 1: 'uint16', 2: 'float32', 4: 'float64' };
function defaultDataType(type: ModbusRegisterType, count: number | undefined): ModbusDataType | undefined {
  if (type === 'coil' || type === 'discrete_input') return 'bool';
  return DEFAULT_DATA_TYPE_BY_COUNT[count ?? 1];
}

function readModbus(c: Checker, t: Table, at: string): Pick<AgentSource, 'modbus' | 'pollIntervalMs'> | undefined {
  c.known(t, at, MODBUS_KEYS);
  const start = c.issues.length;
  const host = c.str(t, at, 'host', { required: true, min: 1, max: L.host });
  if (host !== undefined && /[\s/]/.test(host)) c.fail(`${at}.host`, `must be a host name or IP address (got ${describe(host)})`);
  const port = c.num(t, at, 'port', { min: 1, max: 65_535, integer: true, def: 502 });
  const unitId = c.num(t, at, 'unit_id', { min: L.minUnitId, max: L.maxUnitId, integer: true, def: 1 });
  const poll = c.num(t, at, 'poll_interval', { min: L.minPollIntervalSeconds, max: L.maxPollIntervalSeconds, def: DEFAULT_POLL_SECONDS, unit: 'seconds' });
  const registers: ModbusRegister[] = [];
  const list = c.list(t, at, 'registers', { min: 1, max: L.maxRegisters });
  list?.forEach((r, i) => {
    const rat = `${at}.registers[${i}]`;
    c.known(r, rat, REGISTER_KEYS);
    const before = c.issues.length;
    const address = c.num(r, rat, 'address', { required: true, min: 0, max: L.maxAddress, integer: true });
    const registerType = c.oneOf<ModbusRegisterType>(r, rat, 'register_type', MODBUS_REGISTER_TYPES, 'holding');
    const countGiven = c.num(r, rat, 'count', { min: 1, max: 4, integer: true });
    let dataType: ModbusDataType | undefined;
    if (r.data_type !== undefined) dataType = c.oneOf<ModbusDataType>(r, rat, 'data_type', MODBUS_DATA_TYPES);
    else if (registerType) {
      dataType = defaultDataType(registerType, countGiven);
      if (!dataType && countGiven !== undefined) c.fail(`${rat}.count`, `must be 1, 2 or 4 (a 16-, 32- or 64-bit value), or give data_type (got ${countGiven})`);
    }
    const byteOrder = c.oneOf(r, rat, 'byte_order', MODBUS_BYTE_ORDERS, 'ABCD');
    const metricName = c.str(r, rat, 'metric_name', { required: true, min: 1, max: L.metricName });
    const unit = c.str(r, rat, 'unit', { required: true, max: L.unit });
    const scale = c.finite(r, rat, 'scale', 1);
    const offset = c.finite(r, rat, 'offset', 0);
    if (c.issues.length > before || !registerType || !dataType || address === undefined) return;
    const bit = registerType === 'coil' || registerType === 'discrete_input';
    if (bit !== (dataType === 'bool')) {
      c.fail(`${rat}.data_type`, bit ? `must be bool for register_type ${registerType}` : `bool is only for coil and discrete_input registers`);
      return;
    }
    const width = MODBUS_DATA_TYPE_WIDTH[dataType];
    if (countGiven !== undefined && countGiven !== width) {
      c.fail(`${rat}.count`, `must be ${width} for data_type ${dataType} (got ${countGiven})`);
      return;
    }
    if (address + width - 1 > L.maxAddress) {
      c.fail(`${rat}.address`, `the ${width} register(s) from ${address} run past ${L.maxAddress}`);
      return;
    }
    registers.push({ address, count: width, registerType, dataType, byteOrder: byteOrder!, metricName: metricName!, unit: unit!, scale: scale!, offset: offset! });
  });
  if (c.issues.length > start) return undefined;
  return { pollIntervalMs: Math.round(poll! * 1000), modbus: { host: host!, port: port!, unitId: unitId!, registers } };
}

function readSources(c: Checker, doc: Table): AgentSource[] {
  const raw = doc.source;
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || !raw.every(isTable)) {
    c.fail('source', 'must be written as [[source]] blocks');
    return [];
  }
  if (raw.length > AGENT_LIMITS.maxSources) c.fail('source', `at most ${AGENT_LIMITS.maxSources} [[source]] blocks (got ${raw.length})`);
  const out: AgentSource[] = [];
  const names = new Map<string, number>();
  (raw as Table[]).forEach((s, i) => {
    const at = `source[${i}]`;
    c.known(s, at, SOURCE_KEYS);
    const name = c.str(s, at, 'name', { required: true, min: 1, max: L.name });
    if (name !== undefined) {
      const prev = names.get(name);
      if (prev !== undefined) c.fail(`${at}.name`, `"${name}" is already the name of source[${prev}]`);
      else names.set(name, i);
    }
    const machineIdentifier = c.str(s, at, 'machine_identifier', { required: true, min: 1, max: AGENT_LIMITS.machineIdentifier });
    if (machineIdentifier !== undefined && !IDENTIFIER_CHARS.test(machineIdentifier)) {
      c.fail(`${at}.machine_identifier`, `only letters, digits and - _ . : / # are allowed (got ${describe(machineIdentifier)})`);
    }
    let protocol: 'opcua' | 'modbus' | undefined;
    if (s.protocol === undefined) c.fail(`${at}.protocol`, 'is required (opcua or modbus)');
    else if (typeof s.protocol !== 'string' || !PROTOCOLS[s.protocol.toLowerCase()]) c.fail(`${at}.protocol`, `must be opcua or modbus (got ${describe(s.protocol)})`);
    else protocol = PROTOCOLS[s.protocol.toLowerCase()];
    if (!protocol) return;
    const other = protocol === 'opcua' ? 'modbus' : 'opcua';
    if (s[other] !== undefined) c.fail(`${at}.${other}`, `[source.${other}] does not belong to a source with protocol = "${protocol}"`);
    const settings = c.table(s, at, protocol, true);
    if (!settings) return;
    const read = protocol === 'opcua' ? readOpcua(c, settings, `${at}.opcua`) : readModbus(c, settings, `${at}.modbus`);
    if (!read || name === undefined || machineIdentifier === undefined) return;
    out.push({ id: name, name, protocol, machineIdentifier, ...read });
  });
  return out;
}

/** Parses and checks the text of an agent.toml; throws AgentConfigError naming every bad key and its line. */
export function parseAgentConfig(text: string, file: string, env: NodeJS.ProcessEnv = {}): AgentConfig {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.replace(/^Invalid TOML document:\s*/, '').split('\n')[0]!;
      throw new AgentConfigError(file, [{ key: '(syntax)', line: err.line, message: `${first} (column ${err.column})` }]);
    }
    throw err;
  }
  const c = new Checker(new TomlLineMap(text));
  c.known(doc, '', ['agent', 'source']);
  const agent = readAgent(c, doc, env, file);
  const sources = readSources(c, doc);
  if (c.issues.length > 0 || !agent) throw new AgentConfigError(file, c.issues);
  return { file, ...agent, sources };
}

/** The config path from `--config`, else HALTLESS_CONFIG, else the documented default. */
export function configPath(arg: string | undefined, env: NodeJS.ProcessEnv): string {
  return arg ?? (env.HALTLESS_CONFIG || DEFAULT_CONFIG_PATH);
}

/** Reads and checks the file; a missing or unreadable file is an AgentConfigError too. */
export async function loadAgentConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AgentConfigError(file, [{ key: '(file)', message: code === 'ENOENT' ? 'config file not found (use --config or HALTLESS_CONFIG)' : `cannot read the config file (${code ?? String(err)})` }]);
  }
  return parseAgentConfig(text, file, env);
}
