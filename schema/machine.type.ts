import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';
import { MACHINE_LIMITS as L } from '../src/machines/machine.rules.js';

const atMost = (n: number) => `at most ${n} characters`;
const IDEAL_CYCLE = `seconds per piece at the ideal rate, more than 0 and at most ${L.idealCycleTimeSecondsMax} (OEE records derive performance from it)`;

export enum MachineProtocol {
  opc_ua = 'opc_ua',
  modbus_tcp = 'modbus_tcp',
  csv = 'csv',
  json = 'json',
}
export enum MachineStatus {
  healthy = 'healthy',
  warning = 'warning',
  critical = 'critical',
  offline = 'offline',
}
export enum MachineSortField {
  name = 'name',
  machine_identifier = 'machine_identifier',
  status = 'status',
  created_at = 'created_at',
  updated_at = 'updated_at',
  location = 'location',
}
export enum SortDirection {
  asc = 'asc',
  desc = 'desc',
}
registerEnumType(MachineProtocol, { name: 'MachineProtocol' });
registerEnumType(MachineStatus, { name: 'MachineStatus', description: 'computed by the server from readings and alert rules' });
registerEnumType(MachineSortField, { name: 'MachineSortField' });
registerEnumType(SortDirection, { name: 'SortDirection' });

@ObjectType({ simpleResolvers: true })
export class Machine {
  @Field(() => ID) id!: string;
  @Field() tenantId!: string;
  @Field() name!: string;
  @Field() machineIdentifier!: string;
  @Field(() => MachineProtocol) protocol!: string;
  @Field(() => String, { nullable: true }) location!: string | null;
  @Field(() => Float, { nullable: true, description: 'seconds per piece at the ideal rate; OEE records derive performance from it' }) idealCycleTimeSeconds!: number | null;
  @Field(() => MachineStatus) status!: string;
  @Field() isActive!: boolean;
  @Field(() => DateTime, { nullable: true }) lastReadingAt!: Date | null;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class MachinePage extends PageOf(Machine, 'MachinePage') {}

@ArgsType()
export class MachinesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'machines in this group or any group below it' }) groupId?: string | null;
  @Field(() => String, { nullable: true, description: `case-insensitive substring of name or identifier (${atMost(L.search)})` }) search?: string | null;
  @Field(() => MachineStatus, { nullable: true }) status?: string | null;
  @Field(() => MachineSortField, { nullable: true, defaultValue: 'name' }) sortBy?: string | null;
  @Field(() => SortDirection, { nullable: true, defaultValue: 'asc' }) sortDir?: string | null;
}

@InputType()
export class CreateMachineInput {
  @Field({ description: atMost(L.name) }) name!: string;
  @Field({ description: `${atMost(L.machine_identifier)}: letters, digits and - _ . : / #` }) machineIdentifier!: string;
  @Field(() => MachineProtocol) protocol!: string;
  @Field(() => String, { nullable: true, description: atMost(L.location) }) location?: string | null;
  @Field(() => Float, { nullable: true, description: IDEAL_CYCLE }) idealCycleTimeSeconds?: number | null;
}

@InputType()
export class UpdateMachineInput {
  @Field(() => String, { nullable: true, description: atMost(L.name) }) name?: string | null;
  @Field(() => String, { nullable: true, description: atMost(L.machine_identifier) }) machineIdentifier?: string | null;
  @Field(() => MachineProtocol, { nullable: true }) protocol?: string | null;
  @Field(() => String, { nullable: true, description: `${atMost(L.location)}; empty string clears it` }) location?: string | null;
  @Field(() => Float, { nullable: true, description: `${IDEAL_CYCLE}; null clears it` }) idealCycleTimeSeconds?: number | null;
}

@InputType()
export class ImportMachinesInput {
  @Field({ description: 'name of the uploaded file; .csv or .xlsx decides the format' }) filename!: string;
  @Field({ description: 'file content, base64' }) contentBase64!: string;
}

@ObjectType({ simpleResolvers: true })
export class ImportRowError {
  @Field(() => Int, { description: 'spreadsheet row number (the header is row 1)' }) row!: number;
  @Field() error!: string;
}

@ObjectType({ simpleResolvers: true })
export class MachineImportResult {
  @Field(() => Int) created!: number;
  @Field(() => Int, { description: 'rows not created because the identifier exists already (in the file or the tenant)' }) skipped!: number;
  @Field(() => [ImportRowError]) errors!: ImportRowError[];
}

@ObjectType({ simpleResolvers: true })
export class MachineStatusChange {
  @Field(() => ID) machineId!: string;
  @Field() oldStatus!: string;
  @Field() newStatus!: string;
  @Field(() => DateTime) timestamp!: Date;
}
