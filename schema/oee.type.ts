import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { OEE_LIMITS as L } from '../src/oee/oee.rules.js';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

export enum OeeFactor {
  availability = 'availability',
  performance = 'performance',
  quality = 'quality',
}
export enum FleetOeeGroupBy {
  site = 'site',
  machine = 'machine',
}
export enum OeeRecordChangeAction {
  created = 'created',
  updated = 'updated',
  deleted = 'deleted',
}
registerEnumType(OeeFactor, { name: 'OeeFactor' });
registerEnumType(FleetOeeGroupBy, { name: 'FleetOeeGroupBy' });
registerEnumType(OeeRecordChangeAction, { name: 'OeeRecordChangeAction', description: 'updated: replaced by a POST or changed by a PATCH' });

const PCT = 'percent, 0 to 100';
const MINUTES = `minutes, 0 to ${L.maxMinutes}`;

@ObjectType({ simpleResolvers: true, description: 'minutes lost per category: planned·(1−A), planned·A·(1−P), planned·A·P·(1−Q); not scheduled = day − planned' })
export class OeeLossMinutes {
  @Field(() => Float) availabilityLoss!: number;
  @Field(() => Float) performanceLoss!: number;
  @Field(() => Float) qualityLoss!: number;
  @Field(() => Float) notScheduled!: number;
}

@ObjectType({ simpleResolvers: true, description: 'the OEE of one machine on one local day; numbers rounded to one decimal' })
export class OeeRecord {
  @Field(() => ID) id!: string;
  @Field(() => ID) machineId!: string;
  @Field({ description: 'the local production day, YYYY-MM-DD' }) date!: string;
  @Field(() => Float, { description: PCT }) availability!: number;
  @Field(() => Float, { description: PCT }) performance!: number;
  @Field(() => Float, { description: PCT }) quality!: number;
  @Field(() => Float, { description: 'availability × performance × quality, percent' }) oee!: number;
  @Field(() => Float) plannedProductionTimeMinutes!: number;
  @Field(() => Float) actualRunTimeMinutes!: number;
  @Field(() => Int, { nullable: true, description: 'null: neither sent nor logged' }) totalPieces!: number | null;
  @Field(() => Int, { nullable: true }) goodPieces!: number | null;
  @Field(() => Float, { nullable: true }) idealCycleTimeSeconds!: number | null;
  @Field(() => Float, { description: 'minutes of the local day (1380, 1440 or 1500)' }) dayMinutes!: number;
  @Field(() => [OeeFactor], { description: 'the factors the server computed; the others were sent and are kept as sent' }) computedFactors!: string[];
  @Field(() => OeeLossMinutes) lossMinutes!: OeeLossMinutes;
  @Field(() => ID, { nullable: true }) createdBy!: string | null;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class OeeRecordPage extends PageOf(OeeRecord, 'OeeRecordPage') {}

@ObjectType({ simpleResolvers: true })
export class OeeRecordUpsert {
  @Field({ description: 'true: a new record; false: the record of that machine and date was replaced' }) created!: boolean;
  @Field(() => OeeRecord) record!: OeeRecord;
}

@ObjectType({ simpleResolvers: true })
export class OeeRecordChange {
  @Field(() => OeeRecordChangeAction) action!: string;
  @Field(() => ID) machineId!: string;
  @Field(() => OeeRecord, { description: 'as it is now (deleted: as it was)' }) record!: OeeRecord;
}

@ObjectType({ simpleResolvers: true, description: 'ISO 22400 from sums: Σrun/Σplanned, Σ(P·run)/Σrun, Σgood/Σtotal' })
export class Iso22400 {
  @Field(() => Float, { nullable: true }) availability!: number | null;
  @Field(() => Float, { nullable: true }) performance!: number | null;
  @Field(() => Float, { nullable: true }) quality!: number | null;
  @Field(() => Float, { nullable: true }) oee!: number | null;
  @Field(() => Float) plannedMinutes!: number;
  @Field(() => Float) runMinutes!: number;
  @Field(() => Float) totalPieces!: number;
  @Field(() => Float) goodPieces!: number;
  @Field(() => OeeLossMinutes) lossMinutes!: OeeLossMinutes;
}

@ObjectType({ simpleResolvers: true })
export class OeeSummary {
  @Field(() => ID) machineId!: string;
  @Field(() => Int) periodDays!: number;
  @Field({ description: 'first local day of the period' }) fromDate!: string;
  @Field({ description: "the machine's local today" }) toDate!: string;
  @Field(() => Int) recordsCount!: number;
  @Field(() => Float, { nullable: true, description: 'product of the three averages; null without records' }) averageOee!: number | null;
  @Field(() => Float, { nullable: true }) averageAvailability!: number | null;
  @Field(() => Float, { nullable: true }) averagePerformance!: number | null;
  @Field(() => Float, { nullable: true }) averageQuality!: number | null;
  @Field(() => Iso22400) iso22400!: Iso22400;
}

@ObjectType({ simpleResolvers: true })
export class FleetOeeGroup {
  @Field(() => ID, { nullable: true, description: 'site or machine id; null: machines in no site (or the fleet total)' }) groupId!: string | null;
  @Field(() => String, { nullable: true }) groupName!: string | null;
  @Field(() => Int) machineCount!: number;
  @Field(() => Int) recordsCount!: number;
  @Field(() => Float, { nullable: true }) averageOee!: number | null;
  @Field(() => Float, { nullable: true }) averageAvailability!: number | null;
  @Field(() => Float, { nullable: true }) averagePerformance!: number | null;
  @Field(() => Float, { nullable: true }) averageQuality!: number | null;
  @Field(() => Iso22400) iso22400!: Iso22400;
}

@ObjectType({ simpleResolvers: true })
export class FleetOee {
  @Field(() => Int) periodDays!: number;
  @Field(() => FleetOeeGroupBy) groupBy!: string;
  @Field(() => [FleetOeeGroup]) groups!: FleetOeeGroup[];
  @Field(() => FleetOeeGroup) total!: FleetOeeGroup;
}

@InputType({ description: 'absent inputs are derived (shift definitions, downtime, shift logs, the machine); a factor sent is kept as sent' })
export class OeeRecordInputFields {
  @Field(() => Float, { nullable: true, description: PCT }) availability?: number | null;
  @Field(() => Float, { nullable: true, description: PCT }) performance?: number | null;
  @Field(() => Float, { nullable: true, description: PCT }) quality?: number | null;
  @Field(() => Float, { nullable: true, description: `${MINUTES}; at most the local day` }) plannedProductionTimeMinutes?: number | null;
  @Field(() => Float, { nullable: true, description: `${MINUTES}; at most the planned time` }) actualRunTimeMinutes?: number | null;
  @Field(() => Int, { nullable: true, description: `0 to ${L.maxPieces}` }) totalPieces?: number | null;
  @Field(() => Int, { nullable: true, description: 'at most totalPieces' }) goodPieces?: number | null;
  @Field(() => Float, { nullable: true, description: `more than 0, at most ${L.idealCycleMaxSeconds}; default: the machine's` }) idealCycleTimeSeconds?: number | null;
}

@InputType()
export class UpsertOeeRecordInput extends OeeRecordInputFields {
  @Field(() => ID) machineId!: string;
  @Field({ description: 'the local production day, YYYY-MM-DD, not in the future' }) date!: string;
}

@InputType({ description: 'absent fields keep their value; null derives an input again (a factor: computes it)' })
export class UpdateOeeRecordInput extends OeeRecordInputFields {}

@ArgsType()
export class OeeRecordsArgs extends PageArgs {
  @Field(() => ID) machineId!: string;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, inclusive' }) fromDate?: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, inclusive' }) toDate?: string | null;
}

@ArgsType()
export class FleetOeeArgs {
  @Field(() => Int, { nullable: true, defaultValue: L.summaryDefaultDays, description: `${L.summaryMinDays} to ${L.summaryMaxDays} local days ending today` }) days?: number | null;
  @Field(() => ID, { nullable: true, description: 'machines of this group and the groups below it' }) groupId?: string | null;
  @Field(() => FleetOeeGroupBy, { nullable: true, defaultValue: 'machine' }) groupBy?: string | null;
}

@ArgsType()
export class OeeRecordChangedArgs {
  @Field(() => ID, { nullable: true, description: 'only records of this machine' }) machineId?: string | null;
}
