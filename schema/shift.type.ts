import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SHIFT_LIMITS as L } from '../src/shifts/shift.rules.js';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime, JSONObject } from './scalars.js';

export enum ShiftLogStatus {
  active = 'active',
  completed = 'completed',
  cancelled = 'cancelled',
}
registerEnumType(ShiftLogStatus, { name: 'ShiftLogStatus', description: 'active → completed | cancelled, nothing else' });

@ObjectType({ simpleResolvers: true, description: 'a shift template: a local HH:MM window of the tenant or of one site' })
export class ShiftDefinition {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: 'the site group it applies to; null: tenant-wide' }) siteId!: string | null;
  @Field() name!: string;
  @Field({ description: 'HH:MM local time' }) startTime!: string;
  @Field({ description: 'HH:MM local time (24:00 allowed); at or before startTime: the shift crosses midnight' }) endTime!: string;
  @Field({ description: '#RRGGBB' }) color!: string;
  @Field() isActive!: boolean;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'ISO 22400 over the planned window up to now (percentages, one decimal)' })
export class ShiftOee {
  @Field(() => Float) plannedMinutes!: number;
  @Field(() => Float) runMinutes!: number;
  @Field(() => Float, { nullable: true, description: 'null when nothing was planned' }) availability!: number | null;
  @Field(() => Float, { nullable: true, description: "null when the machine has no ideal cycle time" }) performance!: number | null;
  @Field(() => Float) quality!: number;
  @Field(() => Float, { nullable: true }) oee!: number | null;
}

@ObjectType({ simpleResolvers: true })
export class ShiftLog {
  @Field(() => ID) id!: string;
  @Field(() => ID) shiftDefinitionId!: string;
  @Field() shiftName!: string;
  @Field(() => ID, { nullable: true }) siteId!: string | null;
  @Field(() => ID, { nullable: true, description: "null: the definition's whole scope" }) machineId!: string | null;
  @Field(() => String, { nullable: true }) machineName!: string | null;
  @Field({ description: 'local date the shift starts on (YYYY-MM-DD)' }) date!: string;
  @Field(() => DateTime) plannedStart!: Date;
  @Field(() => DateTime) plannedEnd!: Date;
  @Field(() => DateTime) startedAt!: Date;
  @Field(() => DateTime, { nullable: true }) endedAt!: Date | null;
  @Field(() => ShiftLogStatus) status!: string;
  @Field(() => String, { nullable: true }) supervisorName!: string | null;
  @Field(() => ID, { nullable: true }) supervisorId!: string | null;
  @Field(() => String, { nullable: true }) notes!: string | null;
  @Field(() => String, { nullable: true }) handoverNotes!: string | null;
  @Field(() => Int) totalPieces!: number;
  @Field(() => Int) goodPieces!: number;
  @Field(() => ShiftOee, { nullable: true, description: 'null for a log of a whole scope' }) oee!: ShiftOee | null;
  @Field(() => ID, { nullable: true }) createdBy!: string | null;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class ShiftLogPage extends PageOf(ShiftLog, 'ShiftLogPage') {}

@ObjectType({ simpleResolvers: true })
export class ShiftLogChangeEvent {
  @Field({ description: 'created, updated or deleted' }) change!: string;
  @Field(() => ShiftLog) log!: ShiftLog;
}

@ObjectType({ simpleResolvers: true })
export class ShiftDowntimeMinutes {
  @Field(() => Float) planned!: number;
  @Field(() => Float) unplanned!: number;
  @Field(() => Float) changeover!: number;
  @Field(() => Float) maintenance!: number;
}

@ObjectType({ simpleResolvers: true })
export class HandoverAlert {
  @Field(() => ID) id!: string;
  @Field(() => ID) machineId!: string;
  @Field() severity!: string;
  @Field() status!: string;
  @Field() message!: string;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime, { nullable: true }) resolvedAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class AlertSeverityCounts {
  @Field(() => Int) info!: number;
  @Field(() => Int) warning!: number;
  @Field(() => Int) critical!: number;
}

@ObjectType({ simpleResolvers: true, description: 'alerts open at some time in the window' })
export class HandoverAlerts {
  @Field(() => Int) total!: number;
  @Field(() => AlertSeverityCounts) bySeverity!: AlertSeverityCounts;
  @Field(() => [HandoverAlert], { description: `newest first, at most ${L.handoverMaxItems}` }) items!: HandoverAlert[];
}

@ObjectType({ simpleResolvers: true })
export class HandoverDowntimeRecord {
  @Field(() => ID) id!: string;
  @Field(() => ID) machineId!: string;
  @Field() category!: string;
  @Field() reason!: string;
  @Field(() => DateTime) startedAt!: Date;
  @Field(() => DateTime, { nullable: true }) endedAt!: Date | null;
  @Field(() => Float) minutesInWindow!: number;
}

@ObjectType({ simpleResolvers: true, description: 'downtime clipped to the window, by category' })
export class HandoverDowntime {
  @Field(() => Float) totalMinutes!: number;
  @Field(() => ShiftDowntimeMinutes) byCategory!: ShiftDowntimeMinutes;
  @Field(() => Int) records!: number;
  @Field(() => [HandoverDowntimeRecord], { description: `newest first, at most ${L.handoverMaxItems}` }) items!: HandoverDowntimeRecord[];
}

@ObjectType({ simpleResolvers: true })
export class HandoverProduction {
  @Field(() => Int) totalPieces!: number;
  @Field(() => Int) goodPieces!: number;
  @Field(() => Int) scrapPieces!: number;
}

@ObjectType({ simpleResolvers: true })
export class HandoverPrevious {
  @Field(() => ID) logId!: string;
  @Field() date!: string;
  @Field() shiftName!: string;
  @Field(() => DateTime, { nullable: true }) endedAt!: Date | null;
  @Field(() => String, { nullable: true }) handoverNotes!: string | null;
}

@ObjectType({ simpleResolvers: true, description: `the ${L.handoverHours} h ending at the log's ended_at (now while active)` })
export class ShiftHandover {
  @Field(() => ID) logId!: string;
  @Field(() => ID) shiftDefinitionId!: string;
  @Field() shiftName!: string;
  @Field(() => ID, { nullable: true }) machineId!: string | null;
  @Field(() => String, { nullable: true }) machineName!: string | null;
  @Field() date!: string;
  @Field(() => ShiftLogStatus) status!: string;
  @Field(() => DateTime) windowStart!: Date;
  @Field(() => DateTime) windowEnd!: Date;
  @Field(() => HandoverAlerts) alerts!: HandoverAlerts;
  @Field(() => HandoverDowntime) downtime!: HandoverDowntime;
  @Field(() => [JSONObject], { description: 'maintenance done in the window (empty until the maintenance module provides it)' }) maintenance!: Record<string, unknown>[];
  @Field(() => HandoverProduction) production!: HandoverProduction;
  @Field(() => ShiftOee, { nullable: true }) oee!: ShiftOee | null;
  @Field(() => String, { nullable: true }) notes!: string | null;
  @Field(() => String, { nullable: true }) handoverNotes!: string | null;
  @Field(() => HandoverPrevious, { nullable: true, description: "the previous log of the same machine (or scope) and its handover notes" }) previous!: HandoverPrevious | null;
}

@ObjectType({ simpleResolvers: true, description: 'one definition: sums over its non-cancelled machine logs and the factors of the sums' })
export class ShiftComparisonRow {
  @Field(() => ID) shiftDefinitionId!: string;
  @Field() name!: string;
  @Field(() => ID, { nullable: true }) siteId!: string | null;
  @Field() startTime!: string;
  @Field() endTime!: string;
  @Field() color!: string;
  @Field() isActive!: boolean;
  @Field(() => Int) logs!: number;
  @Field(() => Float, { description: 'planned windows up to now' }) scheduledMinutes!: number;
  @Field(() => Float, { description: 'scheduled less planned downtime' }) plannedMinutes!: number;
  @Field(() => Float) runMinutes!: number;
  @Field(() => ShiftDowntimeMinutes) downtimeMinutes!: ShiftDowntimeMinutes;
  @Field(() => Float) totalPieces!: number;
  @Field(() => Float) goodPieces!: number;
  @Field(() => Float, { nullable: true }) availability!: number | null;
  @Field(() => Float, { nullable: true }) performance!: number | null;
  @Field(() => Float, { nullable: true }) quality!: number | null;
  @Field(() => Float, { nullable: true }) oee!: number | null;
}

@ObjectType({ simpleResolvers: true })
export class ShiftComparison {
  @Field() fromDate!: string;
  @Field() toDate!: string;
  @Field(() => ID, { nullable: true }) machineId!: string | null;
  @Field(() => ID, { nullable: true }) groupId!: string | null;
  @Field(() => [ShiftComparisonRow]) rows!: ShiftComparisonRow[];
}

@InputType()
export class CreateShiftDefinitionInput {
  @Field({ description: `1 to ${L.name} characters, unique in its scope` }) name!: string;
  @Field({ description: 'HH:MM' }) startTime!: string;
  @Field({ description: 'HH:MM or 24:00; not equal to startTime' }) endTime!: string;
  @Field(() => String, { nullable: true, description: '#RRGGBB (default #3B82F6)' }) color?: string | null;
  @Field(() => Boolean, { nullable: true, defaultValue: true }) isActive?: boolean | null;
  @Field(() => ID, { nullable: true, description: 'a site group; absent: tenant-wide' }) siteId?: string | null;
}

@InputType({ description: 'absent fields keep their value' })
export class UpdateShiftDefinitionInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) startTime?: string | null;
  @Field(() => String, { nullable: true }) endTime?: string | null;
  @Field(() => String, { nullable: true }) color?: string | null;
  @Field(() => Boolean, { nullable: true }) isActive?: boolean | null;
  @Field(() => ID, { nullable: true, description: 'an explicit null makes it tenant-wide' }) siteId?: string | null;
}

@InputType()
export class CreateShiftLogInput {
  @Field(() => ID) shiftDefinitionId!: string;
  @Field(() => ID, { nullable: true, description: "absent: the definition's whole scope" }) machineId?: string | null;
  @Field({ description: 'local date the shift starts on (YYYY-MM-DD)' }) date!: string;
  @Field(() => ShiftLogStatus, { nullable: true, description: 'active (default) or completed' }) status?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'default: the planned start' }) startedAt?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'completed logs only; default: the planned end' }) endedAt?: Date | null;
  @Field(() => String, { nullable: true }) supervisorName?: string | null;
  @Field(() => ID, { nullable: true, description: 'a user of the tenant' }) supervisorId?: string | null;
  @Field(() => String, { nullable: true }) notes?: string | null;
  @Field(() => String, { nullable: true }) handoverNotes?: string | null;
  @Field(() => Int, { nullable: true }) totalPieces?: number | null;
  @Field(() => Int, { nullable: true, description: 'default: totalPieces' }) goodPieces?: number | null;
}

@InputType({ description: 'absent fields keep their value; a completed or cancelled log changes only notes, handoverNotes and counts' })
export class UpdateShiftLogInput {
  @Field(() => ShiftLogStatus, { nullable: true, description: 'active → completed | cancelled' }) status?: string | null;
  @Field(() => DateTime, { nullable: true }) startedAt?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'with the move to completed or cancelled (default now)' }) endedAt?: Date | null;
  @Field(() => String, { nullable: true }) supervisorName?: string | null;
  @Field(() => ID, { nullable: true }) supervisorId?: string | null;
  @Field(() => String, { nullable: true }) notes?: string | null;
  @Field(() => String, { nullable: true }) handoverNotes?: string | null;
  @Field(() => Int, { nullable: true }) totalPieces?: number | null;
  @Field(() => Int, { nullable: true }) goodPieces?: number | null;
}

@ArgsType()
export class ShiftLogsArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => ID, { nullable: true }) shiftDefinitionId?: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, inclusive' }) fromDate?: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, inclusive' }) toDate?: string | null;
  @Field(() => ShiftLogStatus, { nullable: true }) status?: string | null;
}

@ArgsType()
export class ActiveShiftLogsArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) machineId?: string | null;
}

@ArgsType()
export class ShiftComparisonArgs {
  @Field(() => String, { nullable: true, description: `YYYY-MM-DD; default ${L.comparisonDefaultDays - 1} days before toDate` }) fromDate?: string | null;
  @Field(() => String, { nullable: true, description: "YYYY-MM-DD; default today (tenant's zone, or the machine's)" }) toDate?: string | null;
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => ID, { nullable: true, description: 'machines of this group and the groups below it' }) groupId?: string | null;
  @Field(() => [ID], { nullable: true }) shiftDefinitionIds?: string[] | null;
}

@ArgsType()
export class ShiftLogSubscriptionArgs {
  @Field(() => ID, { nullable: true, description: 'only logs of this machine' }) machineId?: string | null;
  @Field(() => ShiftLogStatus, { nullable: true, description: 'only logs with this status after the change' }) status?: string | null;
}
