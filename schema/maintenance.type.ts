import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MAINTENANCE_LIMITS as L } from '../src/maintenance/maintenance.rules.js';
import { SortDirection } from './machine.type.js';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

export enum MaintenanceType {
  preventive = 'preventive',
  corrective = 'corrective',
  predictive = 'predictive',
  inspection = 'inspection',
}
export enum MaintenanceStatus {
  scheduled = 'scheduled',
  in_progress = 'in_progress',
  completed = 'completed',
  cancelled = 'cancelled',
}
export enum MaintenanceChange {
  created = 'created',
  updated = 'updated',
  deleted = 'deleted',
}
registerEnumType(MaintenanceType, { name: 'MaintenanceType' });
registerEnumType(MaintenanceStatus, {
  name: 'MaintenanceStatus',
  description: 'scheduled → in_progress → completed; scheduled or in_progress → cancelled; completed and cancelled are final',
});
registerEnumType(MaintenanceChange, { name: 'MaintenanceChange' });

@ObjectType({ simpleResolvers: true })
export class MaintenanceEvent {
  @Field(() => ID) id!: string;
  @Field(() => ID) machineId!: string;
  @Field() machineName!: string;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => MaintenanceType) type!: string;
  @Field(() => MaintenanceStatus) status!: string;
  @Field(() => DateTime) scheduledStart!: Date;
  @Field(() => DateTime) scheduledEnd!: Date;
  @Field(() => DateTime, { nullable: true, description: 'set when the event starts (in_progress)' }) actualStart!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'set when a started event is completed or cancelled' }) actualEnd!: Date | null;
  @Field({ description: 'starting the event opens a maintenance downtime record; completing or cancelling it ends the record' }) createsDowntime!: boolean;
  @Field(() => ID, { nullable: true }) downtimeRecordId!: string | null;
  @Field(() => ID, { nullable: true }) alertId!: string | null;
  @Field(() => ID, { nullable: true }) createdBy!: string | null;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class MaintenanceEventPage extends PageOf(MaintenanceEvent, 'MaintenanceEventPage') {}

@ObjectType({ simpleResolvers: true })
export class MaintenanceEventChanged {
  @Field(() => MaintenanceChange) change!: string;
  @Field(() => MaintenanceEvent, { description: 'the event after the change (as it was, when deleted)' }) event!: MaintenanceEvent;
}

@ArgsType()
export class MaintenanceEventsArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => MaintenanceStatus, { nullable: true }) status?: string | null;
  @Field(() => MaintenanceType, { nullable: true }) type?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'events whose scheduled start is after this instant' }) startAfter?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'events whose scheduled end is before this instant' }) endBefore?: Date | null;
  @Field(() => SortDirection, { nullable: true, defaultValue: 'desc', description: 'by scheduled start' }) sortDir?: string | null;
}

@InputType()
export class CreateMaintenanceEventInput {
  @Field(() => ID, { description: 'an active machine of the tenant' }) machineId!: string;
  @Field({ description: `1 to ${L.title} characters` }) title!: string;
  @Field(() => String, { nullable: true, description: `at most ${L.description} characters` }) description?: string | null;
  @Field(() => MaintenanceType, { nullable: true, defaultValue: 'preventive' }) type?: string | null;
  @Field(() => DateTime) scheduledStart!: Date;
  @Field(() => DateTime, { description: 'not before scheduledStart' }) scheduledEnd!: Date;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) createsDowntime?: boolean | null;
  @Field(() => ID, { nullable: true, description: 'an alert of the same machine' }) alertId?: string | null;
  @Field(() => ID, { nullable: true, description: 'a downtime record of the same machine' }) downtimeRecordId?: string | null;
}

@InputType({ description: 'absent fields keep their value; null clears description, alertId and downtimeRecordId' })
export class UpdateMaintenanceEventInput {
  @Field(() => ID, { nullable: true, description: 'only while scheduled' }) machineId?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => MaintenanceType, { nullable: true }) type?: string | null;
  @Field(() => MaintenanceStatus, { nullable: true, description: 'a transition of the state machine' }) status?: string | null;
  @Field(() => DateTime, { nullable: true }) scheduledStart?: Date | null;
  @Field(() => DateTime, { nullable: true }) scheduledEnd?: Date | null;
  @Field(() => Boolean, { nullable: true, description: 'only while scheduled' }) createsDowntime?: boolean | null;
  @Field(() => ID, { nullable: true }) alertId?: string | null;
  @Field(() => ID, { nullable: true }) downtimeRecordId?: string | null;
}

@ArgsType()
export class MaintenanceSubscriptionArgs {
  @Field(() => ID, { nullable: true, description: 'only events of this machine' }) machineId?: string | null;
}
