import type { PointStatus } from '../connectivity/driver.js';
import type { SourceProtocol } from '../connectivity/device-source.js';
import type { IngestSource } from './ingest-source.entity.js';
import type { SourceState } from './ingest-source.events.js';
import { isOpcuaConfig, modbusRegisterOf, type StoredModbusConfig, type StoredSourceConfig } from './ingest-source.rules.js';

/** The source's health as the poller last wrote it. */
export interface SourceHealthView {
  state: SourceState;
  lastPollAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** points that were not good in the last cycle */
  points: PointStatus[];
}

export interface OpcuaNodeView {
  nodeId: string;
  metricName: string;
  unit: string;
}

export interface ModbusRegisterView {
  address: number;
  count: number;
  registerType: string;
  dataType: string;
  byteOrder: string;
  scale: number;
  offset: number;
  metricName: string;
  unit: string;
}

/** `config` of either protocol (the other protocol's fields are null); never the password, only whether one is set. */
export interface IngestSourceConfigView {
  endpointUrl: string | null;
  securityMode: string | null;
  securityPolicy: string | null;
  authType: string | null;
  username: string | null;
  passwordSet: boolean;
  mode: string | null;
  samplingIntervalMs: number | null;
  deadband: { type: string; value: number } | null;
  nodes: OpcuaNodeView[] | null;
  unitId: number | null;
  registers: ModbusRegisterView[] | null;
}

export interface IngestSourceView {
  id: string;
  tenantId: string;
  machineId: string;
  name: string;
  protocol: SourceProtocol;
  host: string;
  port: number;
  pollIntervalSeconds: number;
  isActive: boolean;
  config: IngestSourceConfigView;
  /** `config` as stored (snake_case, no secret): REST writes its lists from it without copying */
  storedConfig: StoredSourceConfig;
  health: SourceHealthView;
  createdAt: Date;
  updatedAt: Date;
}

/** What a view is made of: the row's columns, with whether a password is stored instead of the secret. */
export type SourceRecord = Pick<
  IngestSource,
  | 'id' | 'tenantId' | 'machineId' | 'name' | 'protocol' | 'host' | 'port' | 'pollIntervalSeconds' | 'isActive' | 'config'
  | 'state' | 'lastPollAt' | 'lastSuccessAt' | 'lastError' | 'consecutiveFailures' | 'pointStatus' | 'createdAt' | 'updatedAt'
> & { secret?: string | null; hasPassword?: boolean };

/** The view of a row: camelCase, no secret, `disabled` whenever the source is inactive. */
export function ingestSourceView(s: SourceRecord): IngestSourceView {
  const hasPassword = s.hasPassword ?? (s.secret != null);
  const none = { endpointUrl: null, securityMode: null, securityPolicy: null, authType: null, username: null, mode: null, samplingIntervalMs: null, deadband: null, nodes: null, unitId: null, registers: null };
  let config: IngestSourceConfigView;
  if (isOpcuaConfig(s.protocol, s.config)) {
    const c = s.config;
    config = {
      ...none,
      endpointUrl: c.endpoint_url,
      securityMode: c.security_mode,
      securityPolicy: c.security_policy,
      authType: c.auth_type,
      username: c.username,
      passwordSet: hasPassword,
      mode: c.mode,
      samplingIntervalMs: c.sampling_interval_ms,
      deadband: c.deadband,
      // mapped when read (GraphQL): a REST answer of sources with 10,000 nodes each never builds these
      get nodes() {
        return c.nodes.map((n) => ({ nodeId: n.node_id, metricName: n.metric_name, unit: n.unit }));
      },
    };
  } else {
    const c = s.config as StoredModbusConfig;
    config = {
      ...none,
      passwordSet: false,
      unitId: c.unit_id,
      get registers() {
        return c.registers.map(modbusRegisterOf);
      },
    };
  }
  return {
    id: s.id,
    tenantId: s.tenantId,
    machineId: s.machineId,
    name: s.name,
    protocol: s.protocol,
    host: s.host,
    port: s.port,
    pollIntervalSeconds: s.pollIntervalSeconds,
    isActive: s.isActive,
    config,
    storedConfig: s.config,
    health: {
      state: s.isActive ? s.state : 'disabled',
      lastPollAt: s.lastPollAt,
      lastSuccessAt: s.lastSuccessAt,
      lastError: s.lastError,
      consecutiveFailures: s.consecutiveFailures,
      points: Array.isArray(s.pointStatus) ? s.pointStatus : [],
    },
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
