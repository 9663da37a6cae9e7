import { isIP } from 'node:net';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import {
  DEVICE_SOURCE_LIMITS,
  MODBUS_BYTE_ORDERS,
  MODBUS_DATA_TYPE_WIDTH,
  MODBUS_DATA_TYPES,
  MODBUS_REGISTER_TYPES,
  OPCUA_SECURITY_MODES,
  OPCUA_SECURITY_POLICIES,
  rawTagOf,
  type DeviceSource,
  type ModbusByteOrder,
  type ModbusDataType,
  type ModbusRegister,
  type ModbusRegisterType,
  type OpcuaSecurityMode,
  type OpcuaSecurityPolicy,
  type SourceProtocol,
} from '../connectivity/device-source.js';
import { parseNodeId } from '../connectivity/opcua-node-id.js';
import { IngestSourceErrors } from './ingest-source.errors.js';

/** Field limits of an ingest source (the shared device limits plus the resource's own); both doors read them here. */
export const INGEST_SOURCE_LIMITS = {
  ...DEVICE_SOURCE_LIMITS,
  endpointUrl: 1024,
  minPort: 1,
  maxPort: 65_535,
  /** tag mappings per request */
  maxMappings: DEVICE_SOURCE_LIMITS.maxNodes,
  tag: DEVICE_SOURCE_LIMITS.nodeId,
} as const;
const L = INGEST_SOURCE_LIMITS;

export const DEFAULT_PORTS: Record<SourceProtocol, number> = { opcua: 4840, modbus: 502 };
export const DEFAULT_POLL_INTERVAL_SECONDS = 30;
/** readings need a unit; a point configured without one reports this */
export const DEFAULT_UNIT = 'none';
export const DEFAULT_UNIT_ID = 1;

/** Protocol names as the resources accept them (decision 3): both spellings, any case. */
const PROTOCOL_SPELLINGS: Readonly<Record<string, SourceProtocol>> = { opcua: 'opcua', opc_ua: 'opcua', modbus: 'modbus', modbus_tcp: 'modbus' };
export const PROTOCOL_INPUTS = Object.keys(PROTOCOL_SPELLINGS);

export const OPCUA_AUTH_TYPES = ['anonymous', 'username'] as const;
export type OpcuaAuthType = (typeof OPCUA_AUTH_TYPES)[number];
export const OPCUA_MODES = ['poll', 'subscription'] as const;
export type OpcuaMode = (typeof OPCUA_MODES)[number];
export const DEADBAND_TYPES = ['absolute', 'percent'] as const;
export type DeadbandType = (typeof DEADBAND_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// Stored shape: `config` as it is kept in the row and returned (snake_case, never a secret)
// ---------------------------------------------------------------------------------------------

export interface StoredOpcuaNode {
  node_id: string;
  metric_name: string;
  unit: string;
}

export interface StoredOpcuaConfig {
  endpoint_url: string;
  security_mode: OpcuaSecurityMode;
  security_policy: OpcuaSecurityPolicy;
  auth_type: OpcuaAuthType;
  username: string | null;
  mode: OpcuaMode;
  /** null: the poll interval */
  sampling_interval_ms: number | null;
  deadband: { type: DeadbandType; value: number } | null;
  nodes: StoredOpcuaNode[];
}

export interface StoredModbusRegister {
  address: number;
  count: number;
  register_type: ModbusRegisterType;
  data_type: ModbusDataType;
  byte_order: ModbusByteOrder;
  scale: number;
  offset: number;
  metric_name: string;
  unit: string;
}

/**
 * A stored (snake_case) register in the camelCase shape the drivers, the input merge, the view and
 * the REST body mapping all use; the one place that names the field pairs.
 */
export function modbusRegisterOf(r: StoredModbusRegister): ModbusRegister {
  return {
    address: r.address,
    count: r.count,
    registerType: r.register_type,
    dataType: r.data_type,
    byteOrder: r.byte_order,
    scale: r.scale,
    offset: r.offset,
    metricName: r.metric_name,
    unit: r.unit,
  };
}

export interface StoredModbusConfig {
  unit_id: number;
  registers: StoredModbusRegister[];
}

export type StoredSourceConfig = StoredOpcuaConfig | StoredModbusConfig;

export const isOpcuaConfig = (protocol: SourceProtocol, c: StoredSourceConfig): c is StoredOpcuaConfig => protocol === 'opcua';

// ---------------------------------------------------------------------------------------------
// Input: what both doors give (camelCase). Values are re-checked here whatever the door checked.
// ---------------------------------------------------------------------------------------------

export interface OpcuaNodeInput {
  nodeId?: string | null;
  metricName?: string | null;
  unit?: string | null;
}

export interface ModbusRegisterInput {
  address?: number | null;
  count?: number | null;
  registerType?: string | null;
  dataType?: string | null;
  byteOrder?: string | null;
  scale?: number | null;
  offset?: number | null;
  metricName?: string | null;
  unit?: string | null;
}

export interface SourceConfigInput {
  // OPC-UA
  endpointUrl?: string | null;
  securityMode?: string | null;
  securityPolicy?: string | null;
  authType?: string | null;
  username?: string | null;
  /** absent: keep the stored one; null: clear it */
  password?: string | null;
  mode?: string | null;
  samplingIntervalMs?: number | null;
  deadband?: { type?: string | null; value?: number | null } | null;
  nodes?: readonly OpcuaNodeInput[] | null;
  // Modbus
  unitId?: number | null;
  registers?: readonly ModbusRegisterInput[] | null;
}

export interface IngestSourceInput {
  machineId?: string | null;
  name?: string | null;
  protocol?: string | null;
  host?: string | null;
  port?: number | null;
  pollIntervalSeconds?: number | null;
  isActive?: boolean | null;
  config?: SourceConfigInput | null;
}

/** What happens to the stored password. */
export type PasswordChange = { kind: 'keep' } | { kind: 'set'; password: string } | { kind: 'clear' };

/** A validated source: the row's columns (the machine is checked by the service) and the password change. */
export interface IngestSourceSpec {
  machineId: string;
  name: string;
  protocol: SourceProtocol;
  host: string;
  port: number;
  pollIntervalSeconds: number;
  isActive: boolean;
  config: StoredSourceConfig;
  password: PasswordChange;
}

type Loc = (string | number)[];
const CONFIG_FIELDS: Record<keyof SourceConfigInput, string> = {
  endpointUrl: 'endpoint_url',
  securityMode: 'security_mode',
  securityPolicy: 'security_policy',
  authType: 'auth_type',
  username: 'username',
  password: 'password',
  mode: 'mode',
  samplingIntervalMs: 'sampling_interval_ms',
  deadband: 'deadband',
  nodes: 'nodes',
  unitId: 'unit_id',
  registers: 'registers',
};
const OPCUA_ONLY: (keyof SourceConfigInput)[] = ['endpointUrl', 'securityMode', 'securityPolicy', 'authType', 'username', 'password', 'mode', 'samplingIntervalMs', 'deadband', 'nodes'];
const MODBUS_ONLY: (keyof SourceConfigInput)[] = ['unitId', 'registers'];

const bad = (loc: Loc, msg: string, type = 'value_error') => IngestSourceErrors.invalid(loc, msg, type);

/** Lists of up to 10,000 points are checked in slices, the event loop served in between. */
export const YIELD_EVERY = 250;
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------------------
// Field checks
// ---------------------------------------------------------------------------------------------

/** One line of text: trimmed, 1..max characters, no control/bidi characters, storable. */
export function text(value: unknown, loc: Loc, max: number, fail = bad): string {
  if (typeof value !== 'string') throw fail(loc, 'Input should be a valid string', 'string_type');
  const v = value.trim();
  if (v.length === 0) throw fail(loc, 'String should have at least 1 character', 'string_too_short');
  if (v.length > max && codePointLength(v) > max) throw fail(loc, `String should have at most ${max} characters`, 'string_too_long');
  const unsafe = unsafeTextReason(v);
  if (unsafe) throw fail(loc, `String ${unsafe}`);
  // a lone surrogate cannot be stored in jsonb (PostgreSQL would answer a 500)
  if (/\p{Cs}/u.test(v)) throw fail(loc, 'String must be valid Unicode text');
  return v;
}

function int(value: unknown, loc: Loc, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(loc, 'Input should be a valid integer', 'int_type');
  if (!Number.isInteger(value)) throw bad(loc, 'Input should be a valid integer, got a number with a fractional part', 'int_from_float');
  if (value < min) throw bad(loc, `Input should be greater than or equal to ${min}`, 'greater_than_equal');
  if (value > max) throw bad(loc, `Input should be less than or equal to ${max}`, 'less_than_equal');
  return value;
}

function finite(value: unknown, loc: Loc): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(loc, 'Input should be a finite number', 'finite_number');
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], loc: Loc): T {
  if (typeof value === 'string') {
    const exact = allowed.find((a) => a === value.trim());
    if (exact) return exact;
    const folded = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
    if (folded) return folded;
  }
  throw bad(loc, `Input should be ${allowed.map((a) => `'${a}'`).join(', ')}`, 'enum');
}

function list<T>(value: unknown, loc: Loc, min: number, max: number): readonly T[] {
  if (!Array.isArray(value)) throw bad(loc, 'Input should be a valid list', 'list_type');
  if (value.length < min) throw bad(loc, `List should have at least ${min} item(s)`, 'too_short');
  if (value.length > max) throw bad(loc, `List should have at most ${max} items`, 'too_long');
  return value as readonly T[];
}

function object<T>(value: unknown, loc: Loc): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(loc, 'Input should be a valid object', 'model_type');
  return value as T;
}

function required(loc: Loc): never {
  throw bad(loc, 'Field required', 'missing');
}

/** `opcua`, `opc_ua`, `modbus`, `modbus_tcp` (any case) to the canonical name. */
export function normalizeProtocol(value: unknown, loc: Loc = ['protocol']): SourceProtocol {
  const p = typeof value === 'string' ? PROTOCOL_SPELLINGS[value.trim().toLowerCase()] : undefined;
  if (!p) throw bad(loc, `Input should be ${PROTOCOL_INPUTS.map((a) => `'${a}'`).join(', ')}`, 'enum');
  return p;
}

const HOSTNAME = /^(?=.{1,253}$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** A host name, an IPv4 address or an IPv6 address (brackets optional); returned without brackets. */
export function validateHost(value: unknown, loc: Loc = ['host']): string {
  const v = text(value, loc, L.host);
  const bare = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
  if (isIP(bare) !== 0) return bare.toLowerCase();
  if (HOSTNAME.test(v)) return v.toLowerCase();
  throw bad(loc, 'Input should be a host name or an IP address', 'value_error');
}

/** `opc.tcp://host[:port][/path]` -> its parts (port 4840 when absent). */
export function parseEndpointUrl(value: unknown, loc: Loc = ['config', 'endpoint_url']): { url: string; host: string; port: number } {
  const v = text(value, loc, L.endpointUrl);
  const m = /^opc\.tcp:\/\/(\[[^\]]*\]|[^:/?#@[\]]+)(?::(\d{1,5}))?(\/[^?#]*)?$/i.exec(v);
  if (!m) throw bad(loc, 'Input should be an OPC-UA endpoint URL: opc.tcp://host[:port][/path]', 'url_parsing');
  const host = validateHost(m[1], loc);
  const port = m[2] === undefined ? DEFAULT_PORTS.opcua : Number(m[2]);
  if (port < L.minPort || port > L.maxPort) throw bad(loc, `The endpoint's port should be between ${L.minPort} and ${L.maxPort}`, 'url_parsing');
  return { url: endpointUrl(host, port, m[3] ?? ''), host, port };
}

/** The endpoint URL of a host and port (IPv6 in brackets), keeping a path. */
export function endpointUrl(host: string, port: number, urlPath = ''): string {
  return `opc.tcp://${isIP(host) === 6 ? `[${host}]` : host}:${port}${urlPath}`;
}

function pathOf(url: string): string {
  return /^opc\.tcp:\/\/(?:\[[^\]]*\]|[^:/]+)(?::\d+)?(\/.*)?$/i.exec(url)?.[1] ?? '';
}

/** A node id in one of the spec's forms (numeric, string, GUID, opaque), as the OPC-UA driver parses it. */
export function validateNodeId(value: unknown, loc: Loc, fail = bad): string {
  const v = text(value, loc, L.nodeId, fail);
  const parsed = parseNodeId(v);
  const reason = parsed.ok ? null : parsed.message;
  if (reason !== null) {
    throw fail(loc, reason, 'node_id_parsing');
  }
  return v;
}

export function validateMetricName(value: unknown, loc: Loc, fail = bad): string {
  return text(value, loc, L.metricName, fail);
}

export function validateUnit(value: unknown, loc: Loc, fail = bad): string {
  return text(value, loc, L.unit, fail);
}

/** A metric name from a tag until it is mapped: the reading's raw tag (`ns=2;s=Temperature` -> `ns2_sTemperature`). */
export function defaultMetricName(nodeId: string): string {
  return rawTagOf({ id: '', name: '', protocol: 'opcua', pollIntervalMs: 0 }, nodeId);
}

/** The raw tag a point's readings carry and tag mappings name (`ns2_i1001`, `hr100`). */
export function rawTagOfNode(nodeId: string): string {
  return defaultMetricName(nodeId);
}

export function rawTagOfRegister(r: StoredModbusRegister): string {
  return rawTagOf({ id: '', name: '', protocol: 'modbus', pollIntervalMs: 0 }, modbusRegisterOf(r));
}

function checkMetricNamesUnique(names: readonly string[], loc: (i: number) => Loc): void {
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw bad(loc(i), `Duplicate metric_name '${n}' (also at index ${seen.get(n)}); each point of a source needs its own metric`, 'value_error');
    seen.set(n, i);
  });
}

// ---------------------------------------------------------------------------------------------
// OPC-UA
// ---------------------------------------------------------------------------------------------

async function validateOpcuaConfig(c: SourceConfigInput): Promise<Omit<StoredOpcuaConfig, 'endpoint_url'> & { password: PasswordChange }> {
  const at = (f: string, ...rest: (string | number)[]): Loc => ['config', f, ...rest];
  const securityMode = c.securityMode == null ? null : oneOf(c.securityMode, OPCUA_SECURITY_MODES, at('security_mode'));
  let securityPolicy = c.securityPolicy == null ? null : oneOf(c.securityPolicy, OPCUA_SECURITY_POLICIES, at('security_policy'));
  const mode: OpcuaSecurityMode = securityMode ?? (securityPolicy && securityPolicy !== 'None' ? 'SignAndEncrypt' : 'None');
  securityPolicy ??= mode === 'None' ? 'None' : 'Basic256Sha256';
  if (mode === 'None' && securityPolicy !== 'None') {
    throw bad(at('security_policy'), "security_mode 'None' takes security_policy 'None'", 'value_error');
  }
  if (mode !== 'None' && securityPolicy === 'None') {
    throw bad(at('security_policy'), `security_mode '${mode}' needs a security policy other than 'None' (e.g. 'Basic256Sha256')`, 'value_error');
  }

  const authType: OpcuaAuthType = c.authType == null ? (c.username != null ? 'username' : 'anonymous') : oneOf(c.authType, OPCUA_AUTH_TYPES, at('auth_type'));
  let username: string | null = null;
  let password: PasswordChange = { kind: 'clear' };
  if (authType === 'username') {
    if (c.username == null) required(at('username'));
    username = text(c.username, at('username'), L.username);
    if (c.password === undefined) password = { kind: 'keep' };
    else if (c.password !== null) {
      if (typeof c.password !== 'string') throw bad(at('password'), 'Input should be a valid string', 'string_type');
      if (c.password.length === 0) throw bad(at('password'), 'String should have at least 1 character', 'string_too_short');
      if (c.password.length > L.password) throw bad(at('password'), `String should have at most ${L.password} characters`, 'string_too_long');
      if (c.password.includes('\u0000')) throw bad(at('password'), 'String must not contain NUL characters');
      password = { kind: 'set', password: c.password };
    }
  } else {
    if (c.username != null) throw bad(at('username'), "auth_type 'anonymous' takes no username", 'value_error');
    if (c.password != null) throw bad(at('password'), "auth_type 'anonymous' takes no password", 'value_error');
  }

  const opMode: OpcuaMode = c.mode == null ? 'poll' : oneOf(c.mode, OPCUA_MODES, at('mode'));
  const sampling = c.samplingIntervalMs == null ? null : int(c.samplingIntervalMs, at('sampling_interval_ms'), L.minSamplingIntervalMs, L.maxSamplingIntervalMs);
  let deadband: StoredOpcuaConfig['deadband'] = null;
  if (c.deadband != null) {
    const d = object<{ type?: unknown; value?: unknown }>(c.deadband, at('deadband'));
    const type = d.type == null ? required(at('deadband', 'type')) : oneOf(d.type, DEADBAND_TYPES, at('deadband', 'type'));
    const value = d.value == null ? required(at('deadband', 'value')) : finite(d.value, at('deadband', 'value'));
    if (value < 0) throw bad(at('deadband', 'value'), 'Input should be greater than or equal to 0', 'greater_than_equal');
    if (type === 'percent' && value > 100) throw bad(at('deadband', 'value'), 'Input should be less than or equal to 100', 'less_than_equal');
    deadband = { type, value };
  }

  if (c.nodes == null) required(at('nodes'));
  const raw = list<OpcuaNodeInput>(c.nodes, at('nodes'), 1, L.maxNodes);
  const nodes: StoredOpcuaNode[] = new Array(raw.length);
  const seenNodes = new Map<string, number>();
  for (let i = 0; i < raw.length; i++) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
    const n = object<OpcuaNodeInput>(raw[i], at('nodes', i));
    if (n.nodeId == null) required(at('nodes', i, 'node_id'));
    const nodeId = validateNodeId(n.nodeId, at('nodes', i, 'node_id'));
    const prev = seenNodes.get(nodeId);
    if (prev !== undefined) throw bad(at('nodes', i, 'node_id'), `Duplicate node_id '${nodeId}' (also at index ${prev})`, 'value_error');
    seenNodes.set(nodeId, i);
    if (n.metricName == null) required(at('nodes', i, 'metric_name'));
    nodes[i] = {
      node_id: nodeId,
      metric_name: validateMetricName(n.metricName, at('nodes', i, 'metric_name')),
      unit: n.unit == null ? DEFAULT_UNIT : validateUnit(n.unit, at('nodes', i, 'unit')),
    };
  }
  checkMetricNamesUnique(
    nodes.map((n) => n.metric_name),
    (i) => at('nodes', i, 'metric_name'),
  );
  return { security_mode: mode, security_policy: securityPolicy, auth_type: authType, username, password, mode: opMode, sampling_interval_ms: sampling, deadband, nodes };
}

// ---------------------------------------------------------------------------------------------
// Modbus
// ---------------------------------------------------------------------------------------------

const BIT_TYPES: readonly ModbusRegisterType[] = ['coil', 'discrete_input'];
const DEFAULT_DATA_TYPE_BY_COUNT: Readonly<Record<number, ModbusDataType>> = { 1: 'uint16', 2: 'float32', 4: 'float64' };

function validateRegister(input: unknown, i: number): StoredModbusRegister {
  const at = (f: string): Loc => ['config', 'registers', i, f];
  const r = object<ModbusRegisterInput>(input, ['config', 'registers', i]);
  if (r.address == null) required(at('address'));
  const address = int(r.address, at('address'), 0, L.maxAddress);
  const registerType: ModbusRegisterType = r.registerType == null ? 'holding' : oneOf(r.registerType, MODBUS_REGISTER_TYPES, at('register_type'));
  const givenType = r.dataType == null ? null : oneOf(r.dataType, MODBUS_DATA_TYPES, at('data_type'));
  const count = r.count == null ? (givenType ? MODBUS_DATA_TYPE_WIDTH[givenType] : 1) : int(r.count, at('count'), 1, 4);
  let dataType: ModbusDataType;
  if (BIT_TYPES.includes(registerType)) {
    if (givenType !== null && givenType !== 'bool') throw bad(at('data_type'), `A ${registerType} is one bit: data_type should be 'bool'`, 'value_error');
    if (count !== 1) throw bad(at('count'), `A ${registerType} is read one bit per metric: count should be 1`, 'value_error');
    dataType = 'bool';
  } else {
    if (givenType === 'bool') throw bad(at('data_type'), `data_type 'bool' is for coils and discrete inputs; a ${registerType} register holds int16, uint16, int32, uint32, float32 or float64`, 'value_error');
    const byCount = DEFAULT_DATA_TYPE_BY_COUNT[count];
    if (givenType === null && !byCount) throw bad(at('count'), 'count should be 1, 2 or 4 (a 16-, 32- or 64-bit value), or give data_type', 'value_error');
    dataType = givenType ?? byCount!;
    const width = MODBUS_DATA_TYPE_WIDTH[dataType];
    if (count !== width) throw bad(at('count'), `data_type '${dataType}' occupies ${width} register(s): count should be ${width}`, 'value_error');
  }
  if (address + count - 1 > L.maxAddress) throw bad(at('count'), `address + count - 1 should be at most ${L.maxAddress}`, 'less_than_equal');
  const byteOrder: ModbusByteOrder = r.byteOrder == null ? 'ABCD' : oneOf(r.byteOrder, MODBUS_BYTE_ORDERS, at('byte_order'));
  const scale = r.scale == null ? 1 : finite(r.scale, at('scale'));
  const offset = r.offset == null ? 0 : finite(r.offset, at('offset'));
  if (r.metricName == null) required(at('metric_name'));
  return {
    address,
    count,
    register_type: registerType,
    data_type: dataType,
    byte_order: byteOrder,
    scale,
    offset,
    metric_name: validateMetricName(r.metricName, at('metric_name')),
    unit: r.unit == null ? DEFAULT_UNIT : validateUnit(r.unit, at('unit')),
  };
}

async function validateModbusConfig(c: SourceConfigInput): Promise<StoredModbusConfig> {
  const unitId = c.unitId == null ? DEFAULT_UNIT_ID : int(c.unitId, ['config', 'unit_id'], L.minUnitId, L.maxUnitId);
  if (c.registers == null) required(['config', 'registers']);
  const raw = list<ModbusRegisterInput>(c.registers, ['config', 'registers'], 1, L.maxRegisters);
  const registers: StoredModbusRegister[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
    registers[i] = validateRegister(raw[i], i);
  }
  checkMetricNamesUnique(
    registers.map((r) => r.metric_name),
    (i) => ['config', 'registers', i, 'metric_name'],
  );
  return { unit_id: unitId, registers };
}

// ---------------------------------------------------------------------------------------------
// The whole source
// ---------------------------------------------------------------------------------------------

/**
 * Validates a whole source (a create, or an update merged onto the stored source) into its
 * columns. OPC-UA: `config.endpoint_url` or `host`/`port` (given both, they must agree); Modbus:
 * `host`/`port` and the registers. Settings of the other protocol are refused, not ignored.
 */
export async function validateIngestSource(input: IngestSourceInput): Promise<IngestSourceSpec> {
  if (input.machineId == null) required(['machine_id']);
  if (typeof input.machineId !== 'string') throw bad(['machine_id'], 'Input should be a valid string', 'string_type');
  if (input.name == null) required(['name']);
  const name = text(input.name, ['name'], L.name);
  if (input.protocol == null) required(['protocol']);
  const protocol = normalizeProtocol(input.protocol);
  const pollIntervalSeconds =
    input.pollIntervalSeconds == null
      ? DEFAULT_POLL_INTERVAL_SECONDS
      : int(input.pollIntervalSeconds, ['poll_interval_seconds'], L.minPollIntervalSeconds, L.maxPollIntervalSeconds);
  if (input.isActive != null && typeof input.isActive !== 'boolean') throw bad(['is_active'], 'Input should be a valid boolean', 'bool_type');
  const isActive = input.isActive ?? true;
  if (input.config == null) required(['config']);
  const config = object<SourceConfigInput>(input.config, ['config']);
  for (const k of protocol === 'opcua' ? MODBUS_ONLY : OPCUA_ONLY) {
    if (config[k] != null) {
      throw bad(['config', CONFIG_FIELDS[k]], `${CONFIG_FIELDS[k]} is a setting of ${protocol === 'opcua' ? 'Modbus' : 'OPC-UA'} sources, not of ${protocol === 'opcua' ? 'OPC-UA' : 'Modbus'} ones`, 'extra_forbidden');
    }
  }
  const port = input.port == null ? null : int(input.port, ['port'], L.minPort, L.maxPort);
  const host = input.host == null ? null : validateHost(input.host);

  if (protocol === 'modbus') {
    if (host === null) required(['host']);
    return { machineId: input.machineId, name, protocol, host, port: port ?? DEFAULT_PORTS.modbus, pollIntervalSeconds, isActive, config: await validateModbusConfig(config), password: { kind: 'clear' } };
  }

  let endpoint: { url: string; host: string; port: number };
  if (config.endpointUrl != null) {
    endpoint = parseEndpointUrl(config.endpointUrl);
    if (host !== null && host !== endpoint.host) throw bad(['host'], `host should match the host of config.endpoint_url (${endpoint.host})`, 'value_error');
    if (port !== null && port !== endpoint.port) throw bad(['port'], `port should match the port of config.endpoint_url (${endpoint.port})`, 'value_error');
  } else {
    if (host === null) throw bad(['host'], 'Give host (and port) or config.endpoint_url', 'missing');
    const p = port ?? DEFAULT_PORTS.opcua;
    endpoint = { url: endpointUrl(host, p), host, port: p };
  }
  const { password, ...opcua } = await validateOpcuaConfig(config);
  return {
    machineId: input.machineId,
    name,
    protocol,
    host: endpoint.host,
    port: endpoint.port,
    pollIntervalSeconds,
    isActive,
    config: { endpoint_url: endpoint.url, ...opcua },
    password,
  };
}

/** The stored config as input again (camelCase), so an update can be laid over it. */
export function configInputOf(protocol: SourceProtocol, c: StoredSourceConfig): SourceConfigInput {
  if (isOpcuaConfig(protocol, c)) {
    return {
      endpointUrl: c.endpoint_url,
      securityMode: c.security_mode,
      securityPolicy: c.security_policy,
      authType: c.auth_type,
      username: c.username,
      mode: c.mode,
      samplingIntervalMs: c.sampling_interval_ms,
      deadband: c.deadband,
      nodes: c.nodes.map((n) => ({ nodeId: n.node_id, metricName: n.metric_name, unit: n.unit })),
    };
  }
  const m = c as StoredModbusConfig;
  return {
    unitId: m.unit_id,
    registers: m.registers.map(modbusRegisterOf),
  };
}

/** What a stored source is, as input (no password: an update keeps it unless told otherwise). */
export interface StoredSourceLike {
  machineId: string;
  name: string;
  protocol: SourceProtocol;
  host: string;
  port: number;
  pollIntervalSeconds: number;
  isActive: boolean;
  config: StoredSourceConfig;
}

/**
 * A partial update laid over the stored source. Within the same protocol, `config` merges field by
 * field (a list given replaces the stored list); a new host or port moves an OPC-UA endpoint (its
 * path kept) unless the patch gives `endpoint_url`, which then moves host and port. A patch that
 * changes the protocol describes the new device whole (its host stays unless given; port and config do not).
 */
export function mergeIngestSource(current: StoredSourceLike, patch: IngestSourceInput): IngestSourceInput {
  const protocol = patch.protocol != null ? normalizeProtocol(patch.protocol) : current.protocol;
  const sameProtocol = protocol === current.protocol;
  const out: IngestSourceInput = {
    machineId: patch.machineId ?? current.machineId,
    name: patch.name ?? current.name,
    protocol,
    host: patch.host ?? current.host,
    port: patch.port ?? (sameProtocol ? current.port : null),
    pollIntervalSeconds: patch.pollIntervalSeconds ?? current.pollIntervalSeconds,
    isActive: patch.isActive ?? current.isActive,
  };
  if (!sameProtocol) {
    out.config = patch.config;
    return out;
  }
  const stored = configInputOf(current.protocol, current.config);
  const p = patch.config ?? {};
  const merged: SourceConfigInput = { ...stored };
  for (const [k, v] of Object.entries(p) as [keyof SourceConfigInput, unknown][]) {
    if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  }
  if (protocol === 'opcua') {
    if (p.endpointUrl == null && (patch.host != null || patch.port != null)) {
      // host/port moved: the endpoint follows, keeping its path
      const path = pathOf(current.config && isOpcuaConfig(protocol, current.config) ? current.config.endpoint_url : '');
      merged.endpointUrl = null;
      if (path) {
        const host = patch.host != null ? validateHost(patch.host) : current.host;
        const port = patch.port != null ? int(patch.port, ['port'], L.minPort, L.maxPort) : current.port;
        merged.endpointUrl = endpointUrl(host, port, path);
      }
    } else if (p.endpointUrl != null) {
      // the endpoint moved: host and port follow unless the patch gives them too
      if (patch.host == null) out.host = null;
      if (patch.port == null) out.port = null;
    }
    // leaving username authentication drops the stored username (and the password with it)
    if (p.authType != null && String(p.authType).trim().toLowerCase() === 'anonymous' && p.username === undefined) merged.username = null;
    // the stored password is kept unless the patch names it
    merged.password = p.password;
  }
  out.config = merged;
  return out;
}

/** The device as the drivers see it. */
export function toDeviceSource(
  row: { id: string; name: string; protocol: SourceProtocol; host: string; port: number; pollIntervalSeconds: number; config: StoredSourceConfig },
  password: string | null,
): DeviceSource {
  const pollIntervalMs = row.pollIntervalSeconds * 1000;
  const base = { id: row.id, name: row.name, protocol: row.protocol, pollIntervalMs };
  if (isOpcuaConfig(row.protocol, row.config)) {
    const c = row.config;
    return {
      ...base,
      opcua: {
        endpointUrl: c.endpoint_url,
        securityMode: c.security_mode,
        securityPolicy: c.security_policy,
        auth: c.auth_type === 'username' ? { type: 'username', username: c.username ?? '', password: password ?? '' } : { type: 'anonymous' },
        mode: c.mode,
        samplingIntervalMs: c.sampling_interval_ms ?? Math.min(pollIntervalMs, L.maxSamplingIntervalMs),
        deadband: c.deadband,
        nodes: c.nodes.map((n) => ({ nodeId: n.node_id, metricName: n.metric_name, unit: n.unit })),
      },
    };
  }
  const c = row.config as StoredModbusConfig;
  return {
    ...base,
    modbus: {
      host: row.host,
      port: row.port,
      unitId: c.unit_id,
      registers: c.registers.map(modbusRegisterOf),
    },
  };
}
