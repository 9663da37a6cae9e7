import { ArgsType, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { INGEST_SOURCE_LIMITS as L, PROTOCOL_INPUTS } from '../src/ingest-sources/ingest-source.rules.js';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

const PROTOCOL_DOC = `${PROTOCOL_INPUTS.join(', ')} (returned as opcua or modbus)`;
const STATE_DOC = 'pending (never polled), ok, degraded (some points bad), failing (the last cycle failed), disabled (inactive)';
const NODE_ID_DOC = 'ns=2;i=1001, ns=2;s=Name, ns=2;g=<GUID>, ns=2;b=<base64>, i=2258, nsu=<uri>;s=Name';

@ObjectType({ simpleResolvers: true, description: 'a point that was not good in the last cycle' })
export class SourcePointStatus {
  @Field({ description: 'node id, or a register block such as holding:100-109' }) point!: string;
  @Field(() => [String]) metricNames!: string[];
  @Field() good!: boolean;
  @Field({ description: 'OPC-UA status code name (BadNodeIdUnknown, ...) or the Modbus outcome (IllegalDataAddress, ...)' }) status!: string;
}

@ObjectType({ simpleResolvers: true })
export class IngestSourceHealth {
  @Field({ description: STATE_DOC }) state!: string;
  @Field(() => DateTime, { nullable: true }) lastPollAt!: Date | null;
  @Field(() => DateTime, { nullable: true }) lastSuccessAt!: Date | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Int) consecutiveFailures!: number;
  @Field(() => [SourcePointStatus]) points!: SourcePointStatus[];
}

@ObjectType({ simpleResolvers: true })
export class OpcuaNode {
  @Field({ description: NODE_ID_DOC }) nodeId!: string;
  @Field() metricName!: string;
  @Field() unit!: string;
}

@ObjectType({ simpleResolvers: true })
export class ModbusRegister {
  @Field(() => Int, { description: 'zero-based protocol address' }) address!: number;
  @Field(() => Int, { description: 'registers (bits) read: the data type width' }) count!: number;
  @Field({ description: 'holding, input, coil, discrete_input' }) registerType!: string;
  @Field({ description: 'int16, uint16, int32, uint32, float32, float64 (bool for coils and discrete inputs)' }) dataType!: string;
  @Field({ description: 'ABCD, CDAB, BADC, DCBA' }) byteOrder!: string;
  @Field(() => Float, { description: 'value = raw * scale + offset' }) scale!: number;
  @Field(() => Float) offset!: number;
  @Field() metricName!: string;
  @Field() unit!: string;
}

@ObjectType({ simpleResolvers: true })
export class OpcuaDeadband {
  @Field({ description: 'absolute or percent' }) type!: string;
  @Field(() => Float) value!: number;
}

@ObjectType({ simpleResolvers: true, description: "a source's settings; the other protocol's fields are null; the password is never returned" })
export class IngestSourceConfig {
  @Field(() => String, { nullable: true, description: 'OPC-UA' }) endpointUrl!: string | null;
  @Field(() => String, { nullable: true, description: 'OPC-UA: None, Sign, SignAndEncrypt' }) securityMode!: string | null;
  @Field(() => String, { nullable: true, description: 'OPC-UA: None, Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss, ...' }) securityPolicy!: string | null;
  @Field(() => String, { nullable: true, description: 'OPC-UA: anonymous or username' }) authType!: string | null;
  @Field(() => String, { nullable: true }) username!: string | null;
  @Field({ description: 'whether a password is stored (encrypted)' }) passwordSet!: boolean;
  @Field(() => String, { nullable: true, description: 'OPC-UA: poll or subscription' }) mode!: string | null;
  @Field(() => Int, { nullable: true, description: 'OPC-UA subscription sampling; null: the poll interval' }) samplingIntervalMs!: number | null;
  @Field(() => OpcuaDeadband, { nullable: true }) deadband!: OpcuaDeadband | null;
  @Field(() => [OpcuaNode], { nullable: true }) nodes!: OpcuaNode[] | null;
  @Field(() => Int, { nullable: true, description: 'Modbus' }) unitId!: number | null;
  @Field(() => [ModbusRegister], { nullable: true }) registers!: ModbusRegister[] | null;
}

@ObjectType({ simpleResolvers: true, description: 'a device the platform polls (OPC-UA or Modbus TCP)' })
export class IngestSource {
  @Field(() => ID) id!: string;
  @Field(() => ID) tenantId!: string;
  @Field(() => ID) machineId!: string;
  @Field() name!: string;
  @Field({ description: 'opcua or modbus' }) protocol!: string;
  @Field() host!: string;
  @Field(() => Int) port!: number;
  @Field(() => Int) pollIntervalSeconds!: number;
  @Field() isActive!: boolean;
  @Field(() => IngestSourceConfig) config!: IngestSourceConfig;
  @Field(() => IngestSourceHealth) health!: IngestSourceHealth;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class IngestSourcePage extends PageOf(IngestSource, 'IngestSourcePage') {}

@ArgsType()
export class IngestSourcesArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => String, { nullable: true, description: PROTOCOL_DOC }) protocol?: string | null;
  @Field(() => Boolean, { nullable: true }) isActive?: boolean | null;
}

@ArgsType()
export class SourceHealthArgs {
  @Field(() => ID, { nullable: true, description: 'one source; all of the tenant when absent' }) sourceId?: string | null;
}

@ObjectType({ simpleResolvers: true, description: "a source's health after a change of state, error or bad points" })
export class SourceHealthEvent {
  @Field(() => ID) sourceId!: string;
  @Field(() => ID) machineId!: string;
  @Field({ description: STATE_DOC }) state!: string;
  @Field(() => DateTime, { nullable: true }) lastPollAt!: Date | null;
  @Field(() => DateTime, { nullable: true }) lastSuccessAt!: Date | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Int) consecutiveFailures!: number;
  @Field(() => [SourcePointStatus]) points!: SourcePointStatus[];
}

@InputType()
export class OpcuaNodeInput {
  @Field({ description: `${NODE_ID_DOC}; at most ${L.nodeId} characters` }) nodeId!: string;
  @Field({ description: `at most ${L.metricName} characters` }) metricName!: string;
  @Field(() => String, { nullable: true, description: `at most ${L.unit} characters; default none` }) unit?: string | null;
}

@InputType()
export class ModbusRegisterInput {
  @Field(() => Int, { description: `0 to ${L.maxAddress}` }) address!: number;
  @Field(() => Int, { nullable: true, description: '1, 2 or 4: the data type width (default: from data_type, else 1)' }) count?: number | null;
  @Field(() => String, { nullable: true, description: 'holding (default), input, coil, discrete_input' }) registerType?: string | null;
  @Field(() => String, { nullable: true, description: 'int16, uint16, int32, uint32, float32, float64, bool; default by count: 1 uint16, 2 float32, 4 float64' }) dataType?: string | null;
  @Field(() => String, { nullable: true, description: 'ABCD (default), CDAB, BADC, DCBA' }) byteOrder?: string | null;
  @Field(() => Float, { nullable: true, description: 'default 1' }) scale?: number | null;
  @Field(() => Float, { nullable: true, description: 'default 0' }) offset?: number | null;
  @Field({ description: `at most ${L.metricName} characters` }) metricName!: string;
  @Field(() => String, { nullable: true, description: `at most ${L.unit} characters; default none` }) unit?: string | null;
}

@InputType()
export class OpcuaDeadbandInput {
  @Field({ description: 'absolute or percent' }) type!: string;
  @Field(() => Float, { description: 'at least 0 (percent: at most 100)' }) value!: number;
}

@InputType({ description: 'OPC-UA or Modbus settings (only the fields of the source protocol)' })
export class IngestSourceConfigInput {
  @Field(() => String, { nullable: true, description: 'OPC-UA: opc.tcp://host[:port][/path]; or give host and port' }) endpointUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'OPC-UA: None (default), Sign, SignAndEncrypt' }) securityMode?: string | null;
  @Field(() => String, { nullable: true, description: 'OPC-UA: None with mode None; otherwise Basic256Sha256 (default), Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss, ...' }) securityPolicy?: string | null;
  @Field(() => String, { nullable: true, description: 'OPC-UA: anonymous (default) or username' }) authType?: string | null;
  @Field(() => String, { nullable: true, description: `at most ${L.username} characters` }) username?: string | null;
  @Field(() => String, { nullable: true, description: `at most ${L.password} characters; stored encrypted, never returned; on update: absent keeps, null clears` }) password?: string | null;
  @Field(() => String, { nullable: true, description: 'OPC-UA: poll (default) or subscription' }) mode?: string | null;
  @Field(() => Int, { nullable: true, description: `${L.minSamplingIntervalMs} to ${L.maxSamplingIntervalMs}; default: the poll interval` }) samplingIntervalMs?: number | null;
  @Field(() => OpcuaDeadbandInput, { nullable: true }) deadband?: OpcuaDeadbandInput | null;
  @Field(() => [OpcuaNodeInput], { nullable: true, description: `OPC-UA: 1 to ${L.maxNodes} nodes` }) nodes?: OpcuaNodeInput[] | null;
  @Field(() => Int, { nullable: true, description: `Modbus: ${L.minUnitId} to ${L.maxUnitId}; default 1` }) unitId?: number | null;
  @Field(() => [ModbusRegisterInput], { nullable: true, description: `Modbus: 1 to ${L.maxRegisters} registers` }) registers?: ModbusRegisterInput[] | null;
}

@InputType()
export class CreateIngestSourceInput {
  @Field(() => ID) machineId!: string;
  @Field({ description: `at most ${L.name} characters` }) name!: string;
  @Field({ description: PROTOCOL_DOC }) protocol!: string;
  @Field(() => String, { nullable: true, description: 'host name or IP (OPC-UA: or config.endpointUrl)' }) host?: string | null;
  @Field(() => Int, { nullable: true, description: 'default 4840 (OPC-UA) / 502 (Modbus)' }) port?: number | null;
  @Field(() => Int, { nullable: true, description: `${L.minPollIntervalSeconds} to ${L.maxPollIntervalSeconds}; default 30` }) pollIntervalSeconds?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'default true' }) isActive?: boolean | null;
  @Field(() => IngestSourceConfigInput) config!: IngestSourceConfigInput;
}

@InputType({ description: 'absent fields keep their value; config merges field by field; the source is validated as a whole' })
export class UpdateIngestSourceInput {
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true, description: PROTOCOL_DOC }) protocol?: string | null;
  @Field(() => String, { nullable: true }) host?: string | null;
  @Field(() => Int, { nullable: true }) port?: number | null;
  @Field(() => Int, { nullable: true }) pollIntervalSeconds?: number | null;
  @Field(() => Boolean, { nullable: true }) isActive?: boolean | null;
  @Field(() => IngestSourceConfigInput, { nullable: true }) config?: IngestSourceConfigInput | null;
}

@InputType({ description: 'a source configuration to test without saving it (machineId and name may be left out)' })
export class TestIngestSourceInput {
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field({ description: PROTOCOL_DOC }) protocol!: string;
  @Field(() => String, { nullable: true }) host?: string | null;
  @Field(() => Int, { nullable: true }) port?: number | null;
  @Field(() => Int, { nullable: true }) pollIntervalSeconds?: number | null;
  @Field(() => Boolean, { nullable: true }) isActive?: boolean | null;
  @Field(() => IngestSourceConfigInput) config!: IngestSourceConfigInput;
}

@ObjectType({ simpleResolvers: true })
export class ConnectionTestResult {
  @Field({ description: 'the device answered' }) success!: boolean;
  @Field() message!: string;
  @Field(() => Int) latencyMs!: number;
}

@InputType({ description: "the direct-ingestion guide's OPC-UA source; it becomes an ingest source" })
export class CreateOpcuaSourceInput {
  @Field(() => ID) machineId!: string;
  @Field(() => String, { nullable: true, description: 'default: OPC-UA <host>' }) name?: string | null;
  @Field({ description: 'opc.tcp://host[:port][/path]' }) endpointUrl!: string;
  @Field(() => String, { nullable: true }) securityMode?: string | null;
  @Field(() => String, { nullable: true }) securityPolicy?: string | null;
  @Field(() => String, { nullable: true }) authType?: string | null;
  @Field(() => String, { nullable: true }) username?: string | null;
  @Field(() => String, { nullable: true }) password?: string | null;
  @Field(() => Int, { nullable: true }) pollIntervalSeconds?: number | null;
  @Field(() => [String], { description: `1 to ${L.maxNodes}; metric names default to the raw tag (ns=2;s=Temperature -> ns2_sTemperature) until mapped` }) nodeIds!: string[];
  @Field(() => Boolean, { nullable: true, description: 'default true' }) enabled?: boolean | null;
}

@InputType()
export class TagMappingInput {
  @Field({ description: 'a node id (or its raw tag, ns2_i1001) or a Modbus raw tag (hr100, ir7, co3, di0) of a source of the machine' }) tag!: string;
  @Field({ description: `at most ${L.metricName} characters` }) metricName!: string;
  @Field(() => String, { nullable: true, description: 'absent: the unit stays' }) unit?: string | null;
}

@InputType()
export class MapTagsInput {
  @Field(() => ID) machineId!: string;
  @Field(() => [TagMappingInput], { description: `1 to ${L.maxMappings}` }) mappings!: TagMappingInput[];
}

@ObjectType({ simpleResolvers: true })
export class AppliedTagMapping {
  @Field() tag!: string;
  @Field() metricName!: string;
  @Field() unit!: string;
  @Field(() => [ID]) sourceIds!: string[];
}

@ObjectType({ simpleResolvers: true })
export class TagMappingResult {
  @Field(() => ID) machineId!: string;
  @Field(() => [AppliedTagMapping]) mappings!: AppliedTagMapping[];
  @Field(() => [ID], { description: 'every source a mapping touched' }) sourceIds!: string[];
}
