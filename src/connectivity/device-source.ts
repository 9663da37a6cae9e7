/**
 * A device the platform (or the edge agent) reads, in one normalized form whichever door described
 * it: `/ingest-sources`, `/ingest/opcua/sources` or an agent's `agent.toml`. The drivers only ever
 * see this shape; each door validates its own spelling into it.
 */

export type SourceProtocol = 'opcua' | 'modbus';

export const OPCUA_SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export type OpcuaSecurityMode = (typeof OPCUA_SECURITY_MODES)[number];

export const OPCUA_SECURITY_POLICIES = [
  'None',
  'Basic128Rsa15',
  'Basic256',
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
] as const;
export type OpcuaSecurityPolicy = (typeof OPCUA_SECURITY_POLICIES)[number];

export interface OpcuaNode {
  /** `ns=2;i=1001`, `ns=2;s=Temperature.Value`, `ns=2;g=<guid>`, `ns=2;b=<base64>` (also `i=85`, ns 0) */
  nodeId: string;
  metricName: string;
  unit: string;
}

export type OpcuaAuth = { type: 'anonymous' } | { type: 'username'; username: string; password: string };

export interface OpcuaDeadband {
  type: 'absolute' | 'percent';
  value: number;
}

export interface OpcuaSettings {
  /** `opc.tcp://host:port[/path]` (built from host/port when only those were given) */
  endpointUrl: string;
  securityMode: OpcuaSecurityMode;
  securityPolicy: OpcuaSecurityPolicy;
  auth: OpcuaAuth;
  /** `poll`: read every node each cycle; `subscription`: monitored items, values drained each cycle */
  mode: 'poll' | 'subscription';
  /** subscription mode: the server samples at this rate */
  samplingIntervalMs: number;
  /** subscription mode: data-change deadband, null for none */
  deadband: OpcuaDeadband | null;
  nodes: OpcuaNode[];
}

export const MODBUS_REGISTER_TYPES = ['holding', 'input', 'coil', 'discrete_input'] as const;
export type ModbusRegisterType = (typeof MODBUS_REGISTER_TYPES)[number];

export const MODBUS_DATA_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'bool'] as const;
export type ModbusDataType = (typeof MODBUS_DATA_TYPES)[number];

/** Registers a data type occupies (coils and discrete inputs: one bit each). */
export const MODBUS_DATA_TYPE_WIDTH: Record<ModbusDataType, number> = {
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  float64: 4,
  bool: 1,
};

/**
 * Byte order of a multi-byte value, bytes named most significant first (A). `ABCD` big-endian
 * (Modbus' own), `CDAB` word swapped, `BADC` bytes swapped in each word, `DCBA` little-endian;
 * extended to 8 bytes the same way (CDAB reverses the order of the 16-bit words).
 */
export const MODBUS_BYTE_ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
export type ModbusByteOrder = (typeof MODBUS_BYTE_ORDERS)[number];

export interface ModbusRegister {
  /** zero-based protocol address */
  address: number;
  /** registers (or bits) read; equals the data type's width */
  count: number;
  registerType: ModbusRegisterType;
  dataType: ModbusDataType;
  byteOrder: ModbusByteOrder;
  metricName: string;
  unit: string;
  /** value = raw * scale + offset */
  scale: number;
  offset: number;
}

export interface ModbusSettings {
  host: string;
  port: number;
  unitId: number;
  registers: ModbusRegister[];
}

export interface DeviceSource {
  /** the ingest source's id (API) or the `[[source]]` name (agent); used in logs and health */
  id: string;
  name: string;
  protocol: SourceProtocol;
  pollIntervalMs: number;
  opcua?: OpcuaSettings;
  modbus?: ModbusSettings;
}

/** Limits shared by every door that describes a source. */
export const DEVICE_SOURCE_LIMITS = {
  name: 255,
  host: 255,
  metricName: 255,
  unit: 50,
  nodeId: 1024,
  username: 255,
  password: 1024,
  maxNodes: 10_000,
  maxRegisters: 2_000,
  minPollIntervalSeconds: 1,
  maxPollIntervalSeconds: 86_400,
  minSamplingIntervalMs: 0,
  maxSamplingIntervalMs: 3_600_000,
  /** Modbus: registers one read request may cover (the protocol's limit for FC 03/04) */
  maxRegistersPerRequest: 125,
  /** Modbus: coils / discrete inputs one read request may cover (FC 01/02) */
  maxBitsPerRequest: 2000,
  maxAddress: 65_535,
  minUnitId: 0,
  maxUnitId: 255,
} as const;

/** `raw_tag` of a reading: `ns2_i1001` for node `ns=2;i=1001` (the spec's example); Modbus `hr100`, `ir100`, `co100`, `di100`. */
export function rawTagOf(source: DeviceSource, key: string | ModbusRegister): string {
  if (typeof key !== 'string') {
    const prefix = { holding: 'hr', input: 'ir', coil: 'co', discrete_input: 'di' }[key.registerType];
    return `${prefix}${key.address}`;
  }
  void source;
  return key.replace(/=/g, '').replace(/;/g, '_').slice(0, 255);
}
