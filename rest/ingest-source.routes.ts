import { z } from 'zod';
import { IngestSourceResolver, type ConnectionTestView } from '../resolvers/ingest-source.resolver.js';
import {
  MODBUS_BYTE_ORDERS,
  MODBUS_DATA_TYPES,
  MODBUS_REGISTER_TYPES,
  OPCUA_SECURITY_MODES,
  OPCUA_SECURITY_POLICIES,
} from '../src/connectivity/device-source.js';
import { DEADBAND_TYPES, INGEST_SOURCE_LIMITS as L, modbusRegisterOf, OPCUA_AUTH_TYPES, OPCUA_MODES, PROTOCOL_INPUTS } from '../src/ingest-sources/ingest-source.rules.js';
import type { IngestSourceInput, SourceConfigInput, StoredModbusConfig, StoredModbusRegister, StoredOpcuaConfig, StoredOpcuaNode } from '../src/ingest-sources/ingest-source.rules.js';
import type { TagMappingInput, TagMappingResult } from '../src/ingest-sources/ingest-source.service.js';
import type { IngestSourceView } from '../src/ingest-sources/ingest-source.view.js';
import { lazyList, type LazyList } from './json-stream.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

// ---------------------------------------------------------------------------------------------
// Response shapes and mappers
// ---------------------------------------------------------------------------------------------

const nullableInstant = () => isoInstant().nullable();

const PointStatusShape = z.object({ point: z.string(), metric_names: z.array(z.string()), good: z.boolean(), status: z.string() });

const HealthShape = shape(
  'IngestSourceHealth',
  z.object({
    state: z.enum(['pending', 'ok', 'degraded', 'failing', 'disabled']),
    last_poll_at: nullableInstant(),
    last_success_at: nullableInstant(),
    last_error: z.string().nullable(),
    consecutive_failures: z.number().int().min(0),
    points: z.array(PointStatusShape).meta({ description: 'points that were not good in the last cycle' }),
  }),
);

const OpcuaConfigShape = shape(
  'OpcuaSourceConfig',
  z.object({
    endpoint_url: z.string(),
    security_mode: z.enum(OPCUA_SECURITY_MODES),
    security_policy: z.enum(OPCUA_SECURITY_POLICIES),
    auth_type: z.enum(OPCUA_AUTH_TYPES),
    username: z.string().nullable(),
    password_set: z.boolean().meta({ description: 'a password is stored (encrypted); it is never returned' }),
    mode: z.enum(OPCUA_MODES),
    sampling_interval_ms: z.number().int().nullable().meta({ description: 'null: the poll interval' }),
    deadband: z.object({ type: z.enum(DEADBAND_TYPES), value: z.number() }).nullable(),
    nodes: z.array(z.object({ node_id: z.string(), metric_name: z.string(), unit: z.string() })),
  }),
);

const ModbusConfigShape = shape(
  'ModbusSourceConfig',
  z.object({
    unit_id: z.number().int(),
    registers: z.array(
      z.object({
        address: z.number().int(),
        count: z.number().int(),
        register_type: z.enum(MODBUS_REGISTER_TYPES),
        data_type: z.enum(MODBUS_DATA_TYPES),
        byte_order: z.enum(MODBUS_BYTE_ORDERS),
        scale: z.number(),
        offset: z.number(),
        metric_name: z.string(),
        unit: z.string(),
      }),
    ),
  }),
);

const IngestSourceShape = shape(
  'IngestSource',
  z.object({
    id: z.uuid(),
    tenant_id: z.uuid(),
    machine_id: z.uuid(),
    name: z.string(),
    protocol: z.enum(['opcua', 'modbus']),
    host: z.string(),
    port: z.number().int(),
    poll_interval_seconds: z.number().int(),
    is_active: z.boolean(),
    config: z.union([OpcuaConfigShape, ModbusConfigShape]),
    health: HealthShape,
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

type NodeJson = { node_id: string; metric_name: string; unit: string };
type RegisterJson = { address: number; count: number; register_type: string; data_type: string; byte_order: string; scale: number; offset: number; metric_name: string; unit: string };
interface OpcuaConfigJson {
  endpoint_url: string;
  security_mode: string;
  security_policy: string;
  auth_type: string;
  username: string | null;
  password_set: boolean;
  mode: string;
  sampling_interval_ms: number | null;
  deadband: { type: string; value: number } | null;
  nodes: LazyList<StoredOpcuaNode, NodeJson>;
}
interface ModbusConfigJson {
  unit_id: number;
  registers: LazyList<StoredModbusRegister, RegisterJson>;
}

/**
 * `config` as documented, its point lists written from the stored rows as the answer streams
 * (a page of sources with 10,000 nodes each is serialized in slices, the event loop served between).
 */
function configJson(s: IngestSourceView): OpcuaConfigJson | ModbusConfigJson {
  const c = s.config;
  if (s.protocol === 'opcua') {
    const stored = s.storedConfig as StoredOpcuaConfig;
    return {
      endpoint_url: stored.endpoint_url,
      security_mode: stored.security_mode as string,
      security_policy: stored.security_policy as string,
      auth_type: stored.auth_type as string,
      username: stored.username,
      password_set: c.passwordSet,
      mode: stored.mode as string,
      sampling_interval_ms: stored.sampling_interval_ms,
      deadband: stored.deadband ? { type: stored.deadband.type as string, value: stored.deadband.value } : null,
      nodes: lazyList(stored.nodes, (n) => ({ node_id: n.node_id, metric_name: n.metric_name, unit: n.unit })),
    };
  }
  const stored = s.storedConfig as StoredModbusConfig;
  return {
    unit_id: stored.unit_id,
    registers: lazyList(stored.registers, (r) => ({
      address: r.address,
      count: r.count,
      register_type: r.register_type as string,
      data_type: r.data_type as string,
      byte_order: r.byte_order as string,
      scale: r.scale,
      offset: r.offset,
      metric_name: r.metric_name,
      unit: r.unit,
    })),
  };
}

export const mapIngestSource = mapper(IngestSourceShape, (s: IngestSourceView) => ({
  id: s.id,
  tenant_id: s.tenantId,
  machine_id: s.machineId,
  name: s.name,
  protocol: s.protocol as string,
  host: s.host,
  port: s.port,
  poll_interval_seconds: s.pollIntervalSeconds,
  is_active: s.isActive,
  config: configJson(s),
  health: {
    state: s.health.state as string,
    last_poll_at: iso(s.health.lastPollAt),
    last_success_at: iso(s.health.lastSuccessAt),
    last_error: s.health.lastError,
    consecutive_failures: s.health.consecutiveFailures,
    points: s.health.points.map((p) => ({ point: p.point, metric_names: p.metricNames, good: p.good, status: p.status })),
  },
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt),
}));

const ConnectionTestShape = shape('ConnectionTestResult', z.object({ success: z.boolean(), message: z.string(), latency_ms: z.number().int().min(0) }));
const mapConnectionTest = mapper(ConnectionTestShape, (r: ConnectionTestView) => ({ success: r.success, message: r.message, latency_ms: r.latencyMs }));

/** The guide's OPC-UA source as its door returns it (no protocol field: the path names it). */
const OpcuaSourceShape = shape(
  'OpcuaSource',
  z.object({
    id: z.uuid().meta({ description: 'the id of the ingest source it created (/ingest-sources/{id})' }),
    machine_id: z.uuid(),
    name: z.string(),
    endpoint_url: z.string(),
    security_mode: z.enum(OPCUA_SECURITY_MODES),
    security_policy: z.enum(OPCUA_SECURITY_POLICIES),
    auth_type: z.enum(OPCUA_AUTH_TYPES),
    username: z.string().nullable(),
    password_set: z.boolean(),
    poll_interval_seconds: z.number().int(),
    node_ids: z.array(z.string()),
    enabled: z.boolean(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

const mapOpcuaSource = mapper(OpcuaSourceShape, (s: IngestSourceView) => ({
  id: s.id,
  machine_id: s.machineId,
  name: s.name,
  endpoint_url: s.config.endpointUrl ?? '',
  security_mode: s.config.securityMode ?? 'None',
  security_policy: s.config.securityPolicy ?? 'None',
  auth_type: s.config.authType ?? 'anonymous',
  username: s.config.username,
  password_set: s.config.passwordSet,
  poll_interval_seconds: s.pollIntervalSeconds,
  node_ids: lazyList((s.storedConfig as StoredOpcuaConfig).nodes, (n) => n.node_id),
  enabled: s.isActive,
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt),
}));

const TagMappingResultShape = shape(
  'TagMappingResult',
  z.object({
    machine_id: z.uuid(),
    mappings: z.array(z.object({ tag: z.string(), metric_name: z.string(), unit: z.string(), source_ids: z.array(z.uuid()) })),
    source_ids: z.array(z.uuid()).meta({ description: 'every source a mapping touched' }),
  }),
);

const mapTagMappingResult = mapper(TagMappingResultShape, (r: TagMappingResult) => ({
  machine_id: r.machineId,
  mappings: lazyList(r.mappings, (m) => ({ tag: m.tag, metric_name: m.metricName, unit: m.unit, source_ids: m.sourceIds })),
  source_ids: r.sourceIds,
}));

// ---------------------------------------------------------------------------------------------
// Bodies: types and ranges here; the source as a whole (protocol fields, security pairs, data type
// widths, duplicate metrics, node id forms) in the service, so GraphQL gets the same answers.
// ---------------------------------------------------------------------------------------------

const protocol = z.enum(PROTOCOL_INPUTS as [string, ...string[]]).meta({ description: 'opcua or opc_ua, modbus or modbus_tcp (returned as opcua / modbus)' });
const int = (min: number, max: number) => z.number().int().min(min).max(max);

const nodeBody = z.object({
  node_id: v.str(L.nodeId, 1).meta({ description: 'ns=2;i=1001, ns=2;s=Name, ns=2;g=<GUID>, ns=2;b=<base64>' }),
  metric_name: v.str(L.metricName, 1),
  unit: v.str(L.unit, 1).nullable().optional(),
});

const registerBody = z.object({
  address: int(0, L.maxAddress),
  count: int(1, 4).nullable().optional().meta({ description: 'the data type width: 1, 2 or 4 (default: from data_type, else 1)' }),
  register_type: z.enum(MODBUS_REGISTER_TYPES).nullable().optional().meta({ description: 'default holding' }),
  data_type: z.enum(MODBUS_DATA_TYPES).nullable().optional().meta({ description: 'default by count: 1 uint16, 2 float32, 4 float64; bool for coils and discrete inputs' }),
  byte_order: z.enum(MODBUS_BYTE_ORDERS).nullable().optional().meta({ description: 'default ABCD' }),
  scale: z.number().nullable().optional().meta({ description: 'value = raw * scale + offset; default 1' }),
  offset: z.number().nullable().optional().meta({ description: 'default 0' }),
  metric_name: v.str(L.metricName, 1),
  unit: v.str(L.unit, 1).nullable().optional(),
});

/**
 * An item of a list of up to 10,000 (nodes, registers, mappings): documented with its schema, but
 * checked by the service, which walks the list in slices and serves the event loop in between
 * (zod would check all of them in one block). Same `loc`, `msg` and `type` as zod's.
 */
function checkedByService(item: z.ZodType) {
  const { $schema: _schema, ...doc } = z.toJSONSchema(item, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return z.unknown().meta(doc);
}

const configBody = z.object({
  endpoint_url: v.str(L.endpointUrl, 1).nullable().optional().meta({ description: 'OPC-UA: opc.tcp://host[:port][/path]; or give host and port' }),
  security_mode: z.enum(OPCUA_SECURITY_MODES).nullable().optional(),
  security_policy: z.enum(OPCUA_SECURITY_POLICIES).nullable().optional(),
  auth_type: z.enum(OPCUA_AUTH_TYPES).nullable().optional(),
  username: v.str(L.username, 1).nullable().optional(),
  password: z.string().min(1).max(L.password).nullable().optional().meta({ description: 'stored encrypted, never returned; on update: absent keeps it, null clears it' }),
  mode: z.enum(OPCUA_MODES).nullable().optional(),
  sampling_interval_ms: int(L.minSamplingIntervalMs, L.maxSamplingIntervalMs).nullable().optional(),
  deadband: z.object({ type: z.enum(DEADBAND_TYPES), value: z.number().min(0) }).nullable().optional(),
  nodes: z.array(checkedByService(nodeBody)).min(1).max(L.maxNodes).nullable().optional(),
  unit_id: int(L.minUnitId, L.maxUnitId).nullable().optional(),
  registers: z.array(checkedByService(registerBody)).min(1).max(L.maxRegisters).nullable().optional(),
});
type ConfigBody = z.output<typeof configBody>;

const sourceFields = {
  host: v.str(L.host, 1).nullable().optional(),
  port: int(L.minPort, L.maxPort).nullable().optional(),
  poll_interval_seconds: int(L.minPollIntervalSeconds, L.maxPollIntervalSeconds).nullable().optional(),
  is_active: z.boolean().nullable().optional(),
};

const createBody = z.object({ machine_id: v.uuid('machine_id'), name: v.str(L.name, 1), protocol, ...sourceFields, config: configBody });
const patchBody = z.object({
  machine_id: v.uuid('machine_id').optional(),
  name: v.str(L.name, 1).optional(),
  protocol: protocol.optional(),
  ...sourceFields,
  config: configBody.partial().nullable().optional(),
});
const testBody = z.object({ machine_id: v.uuid('machine_id').optional(), name: v.str(L.name, 1).optional(), protocol, ...sourceFields, config: configBody });

/** an object item (its fields are checked by the service); anything else goes on as it is, to be refused at its index */
function asRecord(x: unknown): Record<string, never> | null {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, never>) : null;
}

function configInput(c: ConfigBody | null | undefined): SourceConfigInput | null | undefined {
  if (c == null) return c;
  return {
    endpointUrl: c.endpoint_url,
    securityMode: c.security_mode,
    securityPolicy: c.security_policy,
    authType: c.auth_type,
    username: c.username,
    password: c.password,
    mode: c.mode,
    samplingIntervalMs: c.sampling_interval_ms,
    deadband: c.deadband,
    nodes: c.nodes?.map((x) => {
      const n = asRecord(x);
      return n ? { nodeId: n.node_id, metricName: n.metric_name, unit: n.unit } : x;
    }) as SourceConfigInput['nodes'],
    unitId: c.unit_id,
    registers: c.registers?.map((x) => {
      const r = asRecord(x);
      // unchecked here: the rules validate the mapped fields (a missing one stays undefined)
      return r ? modbusRegisterOf(r as unknown as StoredModbusRegister) : x;
    }) as SourceConfigInput['registers'],
  };
}

type SourceBody = { machine_id?: string; name?: string; protocol?: string; host?: string | null; port?: number | null; poll_interval_seconds?: number | null; is_active?: boolean | null; config?: ConfigBody | null };

function toInput(b: SourceBody): IngestSourceInput {
  return {
    machineId: b.machine_id,
    name: b.name,
    protocol: b.protocol,
    host: b.host,
    port: b.port,
    pollIntervalSeconds: b.poll_interval_seconds,
    isActive: b.is_active,
    config: configInput(b.config),
  };
}

const opcuaSourceBody = z.object({
  machine_id: v.uuid('machine_id'),
  name: v.str(L.name, 1).nullable().optional().meta({ description: 'default: OPC-UA <host>' }),
  endpoint_url: v.str(L.endpointUrl, 1).meta({ description: 'opc.tcp://host[:port][/path]' }),
  security_mode: z.enum(OPCUA_SECURITY_MODES).nullable().optional(),
  security_policy: z.enum(OPCUA_SECURITY_POLICIES).nullable().optional(),
  auth_type: z.enum(OPCUA_AUTH_TYPES).nullable().optional(),
  username: v.str(L.username, 1).nullable().optional(),
  password: z.string().min(1).max(L.password).nullable().optional(),
  poll_interval_seconds: int(L.minPollIntervalSeconds, L.maxPollIntervalSeconds).nullable().optional(),
  node_ids: z.array(v.str(L.nodeId, 1)).min(1).max(L.maxNodes).meta({ description: 'metric names default to the raw tag (ns=2;s=Temperature -> ns2_sTemperature) until mapped' }),
  enabled: z.boolean().nullable().optional(),
});

const tagMappingBody = z.object({
  machine_id: v.uuid('machine_id'),
  mappings: z
    .array(
      checkedByService(
        z.object({
          tag: v.str(L.tag, 1).meta({ description: 'a node id (or its raw tag, ns2_i1001) or a Modbus raw tag (hr100, ir7, co3, di0)' }),
          metric_name: v.str(L.metricName, 1),
          unit: v.str(L.unit, 1).nullable().optional().meta({ description: 'absent: the unit stays' }),
        }),
      ),
    )
    .min(1)
    .max(L.maxMappings),
});

const sourceId = z.object({ source_id: v.uuid('source_id') });
const tag = 'Ingest sources';

/** The ingest-sources module's rows: the canonical resource, then the guide's doors. */
export const ingestSourceRoutes = [
  route({
    method: 'GET', path: '/ingest-sources', tag, summary: 'List ingest sources (newest first)',
    resolver: IngestSourceResolver, operation: 'ingestSources',
    query: z.object({
      ...pageQuery,
      machine_id: v.uuid('machine_id').optional(),
      protocol: protocol.optional(),
      is_active: z.enum(['true', 'false']).transform((b) => b === 'true').optional(),
    }),
    call: (r, ctx, { query }) => r.ingestSources(ctx, { page: query.page, pageSize: query.page_size, machineId: query.machine_id, protocol: query.protocol, isActive: query.is_active }),
    map: pageOf(mapIngestSource),
  }),
  route({
    method: 'POST', path: '/ingest-sources', tag, summary: 'Create an ingest source (a device the platform polls)', status: 201,
    resolver: IngestSourceResolver, operation: 'createIngestSource', errors: [402], body: createBody,
    call: (r, ctx, { body }) => r.createIngestSource(ctx, toInput(body)),
    map: mapIngestSource,
  }),
  route({
    method: 'POST', path: '/ingest-sources/test-connection', tag, summary: 'Test a source configuration without saving it',
    resolver: IngestSourceResolver, operation: 'testIngestSourceConfig', errors: [402], body: testBody,
    call: (r, ctx, { body }) => r.testIngestSourceConfig(ctx, toInput(body)),
    map: mapConnectionTest,
  }),
  route({
    method: 'GET', path: '/ingest-sources/{source_id}', tag, summary: 'Get an ingest source with its health',
    resolver: IngestSourceResolver, operation: 'ingestSource', params: sourceId,
    call: (r, ctx, { params }) => r.ingestSource(ctx, params.source_id),
    map: mapIngestSource,
  }),
  route({
    method: 'PATCH', path: '/ingest-sources/{source_id}', tag, summary: 'Update an ingest source (config merges field by field; the password is kept unless given)',
    resolver: IngestSourceResolver, operation: 'updateIngestSource', errors: [402], params: sourceId, body: patchBody,
    call: (r, ctx, { params, body }) => r.updateIngestSource(ctx, params.source_id, toInput(body as SourceBody)),
    map: mapIngestSource,
  }),
  route({
    method: 'PUT', path: '/ingest-sources/{source_id}', tag, summary: 'Replace an ingest source (the password is kept unless given)',
    resolver: IngestSourceResolver, operation: 'replaceIngestSource', errors: [402], params: sourceId, body: createBody,
    call: (r, ctx, { params, body }) => r.replaceIngestSource(ctx, params.source_id, toInput(body)),
    map: mapIngestSource,
  }),
  route({
    method: 'DELETE', path: '/ingest-sources/{source_id}', tag, summary: 'Delete an ingest source', status: 204,
    resolver: IngestSourceResolver, operation: 'deleteIngestSource', params: sourceId,
    call: (r, ctx, { params }) => r.deleteIngestSource(ctx, params.source_id),
  }),
  route({
    method: 'POST', path: '/ingest-sources/{source_id}/test-connection', tag, summary: "Test the saved source's connection (one read cycle)",
    resolver: IngestSourceResolver, operation: 'testIngestSourceConnection', errors: [402], params: sourceId,
    call: (r, ctx, { params }) => r.testIngestSourceConnection(ctx, params.source_id),
    map: mapConnectionTest,
  }),
  route({
    method: 'POST', path: '/ingest/opcua/sources', tag, summary: "Create an OPC-UA source (the direct-ingestion guide's door; an ingest source)", status: 201,
    resolver: IngestSourceResolver, operation: 'createOpcuaSource', errors: [402], body: opcuaSourceBody,
    call: (r, ctx, { body }) =>
      r.createOpcuaSource(ctx, {
        machineId: body.machine_id,
        name: body.name,
        endpointUrl: body.endpoint_url,
        securityMode: body.security_mode,
        securityPolicy: body.security_policy,
        authType: body.auth_type,
        username: body.username,
        password: body.password,
        pollIntervalSeconds: body.poll_interval_seconds,
        nodeIds: body.node_ids,
        enabled: body.enabled,
      }),
    map: mapOpcuaSource,
  }),
  route({
    method: 'POST', path: '/sensor-data/tag-mappings', tag, summary: "Map tags of a machine's sources to metric names and units",
    resolver: IngestSourceResolver, operation: 'mapTags', errors: [402], body: tagMappingBody,
    call: (r, ctx, { body }) =>
      r.mapTags(ctx, {
        machineId: body.machine_id,
        mappings: body.mappings.map((x) => {
          const m = asRecord(x);
          return m ? { tag: m.tag, metricName: m.metric_name, unit: m.unit } : x;
        }) as TagMappingInput['mappings'],
      }),
    map: mapTagMappingResult,
  }),
];
