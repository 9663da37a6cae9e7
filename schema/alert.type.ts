import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';
import { ALERT_LIMITS as L } from '../src/alerts/alert.rules.js';

export enum AlertSeverity {
  info = 'info',
  warning = 'warning',
  critical = 'critical',
}
export enum AlertStatus {
  active = 'active',
  resolved = 'resolved',
}
registerEnumType(AlertSeverity, { name: 'AlertSeverity' });
registerEnumType(AlertStatus, { name: 'AlertStatus', description: 'active until the metric is back to normal or its rule is disabled or deleted' });

@ObjectType({ simpleResolvers: true })
export class Alert {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: 'the rule that raised it (null once the rule is deleted)' }) ruleId!: string | null;
  @Field(() => ID) machineId!: string;
  @Field() machineName!: string;
  @Field(() => AlertSeverity) severity!: string;
  @Field(() => AlertStatus) status!: string;
  @Field() message!: string;
  @Field() metricName!: string;
  @Field(() => Float) metricValue!: number;
  @Field(() => Float, { description: 'the threshold crossed' }) thresholdValue!: number;
  @Field() isAcknowledged!: boolean;
  @Field(() => ID, { nullable: true, description: 'user who acknowledged it' }) acknowledgedBy!: string | null;
  @Field(() => DateTime, { nullable: true }) acknowledgedAt!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'notifications are suppressed until then; the alert stays active' }) snoozedUntil!: Date | null;
  @Field(() => DateTime, { nullable: true }) resolvedAt!: Date | null;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class AlertPage extends PageOf(Alert, 'AlertPage') {}

@ArgsType()
export class AlertsArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => AlertSeverity, { nullable: true }) severity?: string | null;
  @Field(() => Boolean, { nullable: true }) isAcknowledged?: boolean | null;
  @Field(() => AlertStatus, { nullable: true }) status?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'alerts created after this instant' }) startDate?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'alerts created before this instant' }) endDate?: Date | null;
}

@ObjectType({ simpleResolvers: true, description: 'counts over active alerts' })
export class AlertStats {
  @Field(() => Int) totalActive!: number;
  @Field(() => Int) criticalCount!: number;
  @Field(() => Int) warningCount!: number;
  @Field(() => Int) infoCount!: number;
  @Field(() => Int) unacknowledgedCount!: number;
}

@ObjectType({ simpleResolvers: true })
export class BulkAcknowledgeResult {
  @Field(() => Int, { description: 'alerts acknowledged by this call' }) acknowledgedCount!: number;
  @Field(() => Int, { description: 'alerts that were acknowledged already' }) alreadyAcknowledgedCount!: number;
  @Field(() => Int, { description: 'ids that name no alert of the caller\'s tenant' }) notFoundCount!: number;
}

@InputType()
export class BulkAcknowledgeInput {
  @Field(() => [ID], { description: `1 to ${L.bulkIds} alert ids` }) alertIds!: string[];
}

@InputType()
export class SnoozeAlertInput {
  @Field(() => DateTime, { description: `in the future and at most ${L.snoozeMaxDays} days ahead` }) snoozeUntil!: Date;
}

@InputType()
export class AlertCommentInput {
  @Field({ description: `1 to ${L.commentBody} characters` }) body!: string;
}

@ObjectType({ simpleResolvers: true })
export class AlertComment {
  @Field(() => ID) id!: string;
  @Field(() => ID) alertId!: string;
  @Field(() => ID, { description: 'the commenting user' }) userId!: string;
  @Field() body!: string;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class AlertCommentPage extends PageOf(AlertComment, 'AlertCommentPage') {}

@ArgsType()
export class AlertSubscriptionArgs {
  @Field(() => ID, { nullable: true, description: 'only alerts of this machine' }) machineId?: string | null;
  @Field(() => ID, { nullable: true, description: 'only alerts of machines in this group or a group below it (membership when the alert is delivered)' }) groupId?: string | null;
  @Field(() => AlertSeverity, { nullable: true, description: 'only alerts of at least this severity (info < warning < critical)' }) minSeverity?: string | null;
}
