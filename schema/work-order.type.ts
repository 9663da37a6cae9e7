import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { WORK_ORDER_LIMITS as L } from '../src/work-orders/work-order.rules.js';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

export enum WorkOrderStatus {
  open = 'open',
  in_progress = 'in_progress',
  completed = 'completed',
  cancelled = 'cancelled',
}
export enum WorkOrderPriority {
  low = 'low',
  medium = 'medium',
  high = 'high',
  critical = 'critical',
}
registerEnumType(WorkOrderStatus, { name: 'WorkOrderStatus', description: 'open → in_progress → completed; open | in_progress → cancelled' });
registerEnumType(WorkOrderPriority, { name: 'WorkOrderPriority' });

@ObjectType({ simpleResolvers: true })
export class WorkOrder {
  @Field(() => ID) id!: string;
  @Field(() => ID) tenantId!: string;
  @Field(() => ID) machineId!: string;
  @Field() machineName!: string;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => WorkOrderPriority) priority!: string;
  @Field(() => WorkOrderStatus) status!: string;
  @Field(() => ID, { nullable: true, description: 'the assigned user' }) assignedTo!: string | null;
  @Field(() => ID, { nullable: true, description: 'the user who created it' }) createdBy!: string | null;
  @Field(() => ID, { nullable: true, description: 'the alert it answers (same machine)' }) alertId!: string | null;
  @Field(() => ID, { nullable: true, description: 'the downtime record it repairs (same machine)' }) downtimeRecordId!: string | null;
  @Field(() => ID, { nullable: true, description: 'the maintenance event it carries out (same machine)' }) maintenanceEventId!: string | null;
  @Field(() => DateTime, { nullable: true, description: 'when it went in_progress' }) startedAt!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'when it went completed' }) completedAt!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'when it went cancelled' }) cancelledAt!: Date | null;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'an order as a change left it (as it was, for deleted)' })
export class WorkOrderChange extends WorkOrder {
  @Field({ description: 'created, updated or deleted' }) change!: string;
  @Field(() => WorkOrderStatus, { description: 'the status before the change' }) previousStatus!: string;
}

@ObjectType({ simpleResolvers: true })
export class WorkOrderPage extends PageOf(WorkOrder, 'WorkOrderPage') {}

@ArgsType()
export class WorkOrdersArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => WorkOrderStatus, { nullable: true }) status?: string | null;
  @Field(() => WorkOrderPriority, { nullable: true }) priority?: string | null;
  @Field(() => ID, { nullable: true, description: 'orders assigned to this user' }) assignedTo?: string | null;
}

@InputType()
export class CreateWorkOrderInput {
  @Field(() => ID, { description: 'an active machine of the tenant' }) machineId!: string;
  @Field({ description: `1 to ${L.title} characters, one line` }) title!: string;
  @Field(() => String, { nullable: true, description: `at most ${L.description} characters` }) description?: string | null;
  @Field(() => WorkOrderPriority, { nullable: true, description: 'default medium' }) priority?: string | null;
  @Field(() => ID, { nullable: true, description: 'an active user of the tenant' }) assignedTo?: string | null;
  @Field(() => ID, { nullable: true, description: 'an alert of the same machine' }) alertId?: string | null;
  @Field(() => ID, { nullable: true, description: 'a downtime record of the same machine' }) downtimeRecordId?: string | null;
  @Field(() => ID, { nullable: true, description: 'a maintenance event of the same machine' }) maintenanceEventId?: string | null;
}

@InputType({ description: 'absent fields keep their value, an explicit null clears a nullable one; a completed order refuses every change (409)' })
export class UpdateWorkOrderInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => WorkOrderPriority, { nullable: true }) priority?: string | null;
  @Field(() => WorkOrderStatus, { nullable: true, description: 'an edge of the diagram (409 otherwise)' }) status?: string | null;
  @Field(() => ID, { nullable: true }) assignedTo?: string | null;
  @Field(() => ID, { nullable: true }) alertId?: string | null;
  @Field(() => ID, { nullable: true }) downtimeRecordId?: string | null;
  @Field(() => ID, { nullable: true }) maintenanceEventId?: string | null;
}

@InputType()
export class WorkOrderCommentInput {
  @Field({ description: `1 to ${L.commentBody} characters` }) body!: string;
}

@ObjectType({ simpleResolvers: true })
export class WorkOrderComment {
  @Field(() => ID) id!: string;
  @Field(() => ID) workOrderId!: string;
  @Field(() => ID, { description: 'the author' }) userId!: string;
  @Field(() => String, { nullable: true, description: "the author's name (null once the user is deleted)" }) authorName!: string | null;
  @Field() body!: string;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class WorkOrderCommentPage extends PageOf(WorkOrderComment, 'WorkOrderCommentPage') {}

@ArgsType()
export class WorkOrderChangedArgs {
  @Field(() => ID, { nullable: true, description: 'only orders of this machine' }) machineId?: string | null;
  @Field(() => WorkOrderStatus, { nullable: true, description: 'only orders in this status after the change' }) status?: string | null;
}
