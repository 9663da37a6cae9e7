import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AlertSeverity } from './alert.type.js';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

export enum NotificationDeliveryStatus {
  pending = 'pending',
  retrying = 'retrying',
  delivered = 'delivered',
  suppressed = 'suppressed',
  dead = 'dead',
}
registerEnumType(NotificationDeliveryStatus, {
  name: 'NotificationDeliveryStatus',
  description: 'pending (first try queued), retrying (a try failed, the next is queued), delivered, suppressed (alert snoozed or target inactive at send time), dead (permanent failure or out of tries; can be retried)',
});

export enum NotificationEventType {
  alert_triggered = 'alert.triggered',
  alert_escalated = 'alert.escalated',
}
registerEnumType(NotificationEventType, { name: 'NotificationEventType', description: 'alert_triggered = "alert.triggered", alert_escalated = "alert.escalated"' });

@ObjectType({ simpleResolvers: true, description: 'one notification to one target; its id is the X-Webhook-Id and the e-mail Message-ID' })
export class NotificationDelivery {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true }) channelId!: string | null;
  @Field(() => ID, { nullable: true, description: 'the push subscription (push deliveries only)' }) pushSubscriptionId!: string | null;
  @Field(() => NotificationEventType) event!: string;
  @Field(() => ID) alertId!: string;
  @Field(() => ID, { nullable: true, description: 'the escalation policy (alert.escalated only)' }) policyId!: string | null;
  @Field(() => AlertSeverity) severity!: string;
  @Field(() => NotificationDeliveryStatus) status!: string;
  @Field(() => Int, { description: 'tries so far' }) attempts!: number;
  @Field(() => DateTime, { nullable: true, description: 'when the next try is due (pending, retrying)' }) nextAttemptAt!: Date | null;
  @Field(() => Int, { nullable: true, description: 'HTTP status or SMTP reply code of the last try' }) lastStatusCode!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
  @Field(() => DateTime, { nullable: true }) deliveredAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class NotificationDeliveryPage extends PageOf(NotificationDelivery, 'NotificationDeliveryPage') {}

@ArgsType()
export class NotificationDeliveriesArgs extends PageArgs {
  @Field(() => ID) channelId!: string;
  @Field(() => NotificationDeliveryStatus, { nullable: true }) status?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class NotificationTestResult {
  @Field() success!: boolean;
  @Field(() => String, { nullable: true, description: 'why the try failed' }) message?: string | null;
  @Field(() => Int, { nullable: true, description: 'HTTP status or SMTP reply code, when there was an answer' }) statusCode?: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'an escalation step fired: the alert stayed unacknowledged for the policy wait' })
export class AlertEscalation {
  @Field(() => ID) alertId!: string;
  @Field(() => ID) machineId!: string;
  @Field(() => ID) policyId!: string;
  @Field() policyName!: string;
  @Field(() => AlertSeverity) severity!: string;
  @Field(() => Int) waitMinutes!: number;
  @Field(() => ID) channelId!: string;
  @Field(() => ID) deliveryId!: string;
  @Field(() => DateTime) at!: Date;
}

@ArgsType()
export class NotificationDeliveryUpdatedArgs {
  @Field(() => ID, { description: 'the channel whose deliveries to follow' }) channelId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'a delivery changed state (written, tried, delivered, suppressed, dead, retried)' })
export class NotificationDeliveryChange {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true }) channelId!: string | null;
  @Field(() => ID, { nullable: true }) pushSubscriptionId!: string | null;
  @Field(() => NotificationEventType) event!: string;
  @Field(() => ID) alertId!: string;
  @Field(() => ID, { nullable: true }) policyId!: string | null;
  @Field(() => NotificationDeliveryStatus) status!: string;
  @Field(() => Int) attempts!: number;
  @Field(() => Int, { nullable: true }) lastStatusCode!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => DateTime) updatedAt!: Date;
}
