import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DOWNTIME_LIMITS as L } from '../src/downtime/downtime.rules.js';
import { SortDirection } from './machine.type.js';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

export enum DowntimeCategory {
  planned = 'planned',
  unplanned = 'unplanned',
  changeover = 'changeover',
  maintenance = 'maintenance',
}
export enum DowntimeOrigin {
  manual = 'manual',
  automatic = 'automatic',
}
export enum FleetDowntimeSortField {
  started_at = 'started_at',
  ended_at = 'ended_at',
  duration_minutes = 'duration_minutes',
  category = 'category',
  machine_name = 'machine_name',
}
registerEnumType(DowntimeCategory, { name: 'DowntimeCategory' });
registerEnumType(DowntimeOrigin, { name: 'DowntimeOrigin', description: 'manual: entered by a person; automatic: opened when the machine went offline' });
registerEnumType(FleetDowntimeSortField, { name: 'FleetDowntimeSortField' });

const SKEW = `at most ${L.futureSkewMs / 60_000} minutes ahead of the server clock`;

@ObjectType({ simpleResolvers: true })
export class DowntimeRecord {
  @Field(() => ID) id!: string;
  @Field(() => ID) machineId!: string;
  @Field() machineName!: string;
  @Field() reason!: string;
  @Field(() => DowntimeCategory) category!: string;
  @Field(() => ID, { nullable: true }) reasonCodeId!: string | null;
  @Field(() => String, { nullable: true, description: "the reason code's name" }) reasonCodeName!: string | null;
  @Field(() => DateTime) startedAt!: Date;
  @Field(() => DateTime, { nullable: true, description: 'null while the downtime lasts' }) endedAt!: Date | null;
  @Field(() => Float, { nullable: true, description: 'ended_at − started_at in minutes (2 places); null while open' }) durationMinutes!: number | null;
  @Field(() => DowntimeOrigin) origin!: string;
  @Field(() => ID, { nullable: true, description: 'the user who entered it (null for automatic records)' }) createdBy!: string | null;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class DowntimeRecordPage extends PageOf(DowntimeRecord, 'DowntimeRecordPage') {}

@ArgsType()
export class DowntimeRecordsArgs extends PageArgs {
  @Field(() => ID) machineId!: string;
  @Field(() => DowntimeCategory, { nullable: true }) category?: string | null;
  @Field(() => ID, { nullable: true }) reasonCodeId?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'records ending after this instant (or still open)' }) start?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'records starting before this instant' }) end?: Date | null;
}

@ArgsType()
export class FleetDowntimeArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => ID, { nullable: true, description: 'machines of this group and the groups below it' }) groupId?: string | null;
  @Field(() => DowntimeCategory, { nullable: true }) category?: string | null;
  @Field(() => ID, { nullable: true }) reasonCodeId?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'records ending after this instant (or still open)' }) start?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'records starting before this instant' }) end?: Date | null;
  @Field(() => FleetDowntimeSortField, { nullable: true, defaultValue: 'started_at' }) sortBy?: string | null;
  @Field(() => SortDirection, { nullable: true, defaultValue: 'desc' }) sortDir?: string | null;
}

@InputType()
export class CreateDowntimeInput {
  @Field(() => String, { nullable: true, description: `1 to ${L.reason} characters; default: the reason code's name` }) reason?: string | null;
  @Field(() => DowntimeCategory, { nullable: true, description: "default: the reason code's category" }) category?: string | null;
  @Field(() => ID, { nullable: true, description: 'an active reason code of the tenant' }) reasonCodeId?: string | null;
  @Field(() => DateTime, { description: SKEW }) startedAt!: Date;
  @Field(() => DateTime, { nullable: true, description: `not before startedAt, ${SKEW}; absent: the downtime is still going on` }) endedAt?: Date | null;
}

@InputType({ description: 'absent fields keep their value; an ended record cannot be reopened' })
export class UpdateDowntimeInput {
  @Field(() => String, { nullable: true }) reason?: string | null;
  @Field(() => DowntimeCategory, { nullable: true }) category?: string | null;
  @Field(() => ID, { nullable: true, description: 'an explicit null clears it' }) reasonCodeId?: string | null;
  @Field(() => DateTime, { nullable: true }) startedAt?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'setting it on an open record ends the record' }) endedAt?: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class CategoryDowntime {
  @Field(() => DowntimeCategory) category!: string;
  @Field(() => Float) downtimeSeconds!: number;
  @Field(() => Int) count!: number;
}

@ObjectType({ simpleResolvers: true })
export class ReasonCodeDowntime {
  @Field(() => ID, { nullable: true, description: 'null: records without a reason code' }) reasonCodeId!: string | null;
  @Field(() => String, { nullable: true }) reasonCodeName!: string | null;
  @Field(() => Float) downtimeSeconds!: number;
  @Field(() => Int) count!: number;
}

@ObjectType({ simpleResolvers: true, description: 'see docs/downtime-metrics.md' })
export class UptimeSummary {
  @Field(() => ID) machineId!: string;
  @Field(() => DateTime) start!: Date;
  @Field(() => DateTime, { description: 'the requested end, or now when that lies ahead' }) end!: Date;
  @Field(() => Float) windowSeconds!: number;
  @Field(() => Float) uptimeSeconds!: number;
  @Field(() => Float) downtimeSeconds!: number;
  @Field(() => Float, { nullable: true, description: 'uptime / window × 100 (null for an empty window)' }) availabilityPercent!: number | null;
  @Field(() => Int, { description: 'records sharing time with the window' }) recordCount!: number;
  @Field(() => [CategoryDowntime]) byCategory!: CategoryDowntime[];
  @Field(() => [ReasonCodeDowntime], { description: 'largest downtime first' }) byReasonCode!: ReasonCodeDowntime[];
}

@ObjectType({ simpleResolvers: true, description: 'see docs/downtime-metrics.md' })
export class MttrMtbf {
  @Field(() => Float, { nullable: true, description: 'mean repair hours of ended unplanned and maintenance records; null without repairs' }) mttrHours!: number | null;
  @Field(() => Float, { nullable: true, description: '(window − downtime) / failures, in hours; null without failures' }) mtbfHours!: number | null;
  @Field(() => Int) totalFailures!: number;
  @Field(() => Int) totalRepairs!: number;
  @Field(() => Int) days!: number;
  @Field(() => DateTime) start!: Date;
  @Field(() => DateTime) end!: Date;
}

@ObjectType({ simpleResolvers: true })
export class MachineMttrMtbf {
  @Field(() => ID) machineId!: string;
  @Field() machineName!: string;
  @Field(() => Float, { nullable: true }) mttrHours!: number | null;
  @Field(() => Float, { nullable: true }) mtbfHours!: number | null;
  @Field(() => Int) totalFailures!: number;
  @Field(() => Int) totalRepairs!: number;
}

@ObjectType({ simpleResolvers: true, description: 'pooled over the events of every machine in scope (docs/downtime-metrics.md)' })
export class FleetMttrMtbf {
  @Field(() => Float, { nullable: true }) mttrHours!: number | null;
  @Field(() => Float, { nullable: true }) mtbfHours!: number | null;
  @Field(() => Int) totalFailures!: number;
  @Field(() => Int) totalRepairs!: number;
  @Field(() => Int) days!: number;
  @Field(() => DateTime) start!: Date;
  @Field(() => DateTime) end!: Date;
  @Field(() => Int, { description: 'active machines in scope' }) machineCount!: number;
  @Field(() => [MachineMttrMtbf], { nullable: true, description: 'per machine, when includeMachines is true' }) machines!: MachineMttrMtbf[] | null;
}

@ArgsType()
export class FleetMttrMtbfArgs {
  @Field(() => Int, { nullable: true, defaultValue: L.mttrDefaultDays, description: `${L.mttrMinDays} to ${L.mttrMaxDays}` }) days?: number | null;
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) includeMachines?: boolean | null;
}

@ArgsType()
export class DowntimeSubscriptionArgs {
  @Field(() => ID, { nullable: true, description: 'only records of this machine' }) machineId?: string | null;
  @Field(() => ID, { nullable: true, description: 'only records of machines in this group or a group below it (membership when the event is delivered)' }) groupId?: string | null;
}
