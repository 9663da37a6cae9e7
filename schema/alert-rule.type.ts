import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ALERT_RULE_LIMITS as L, MESSAGE_PLACEHOLDERS } from '../src/alerts/alert-rule.rules.js';
import { AlertSeverity } from './alert.type.js';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

export enum AlertRuleLogic {
  and = 'and',
  or = 'or',
}
registerEnumType(AlertRuleLogic, { name: 'AlertRuleLogic', description: 'how the conditions of a composite rule combine' });

const OPERATOR_DOC = "one of >, >=, <, <=, ==, != (or gt, gte, lt, lte, eq, neq); returned as the symbol";
const TEMPLATE_DOC = `at most ${L.messageTemplate} characters; placeholders ${MESSAGE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`;

@ObjectType({ simpleResolvers: true })
export class AlertCondition {
  @Field() metricName!: string;
  @Field({ description: OPERATOR_DOC }) operator!: string;
  @Field(() => Float) threshold!: number;
}

@ObjectType({ simpleResolvers: true, description: 'A simple rule (metricName, operator, thresholds) or a composite one (conditions, logic, severity, windowSeconds)' })
export class AlertRule {
  @Field(() => ID) id!: string;
  @Field(() => ID) tenantId!: string;
  @Field() name!: string;
  @Field(() => ID, { nullable: true, description: 'scope: one machine' }) machineId!: string | null;
  @Field(() => ID, { nullable: true, description: 'scope: a group and its descendants; neither id: every machine' }) groupId!: string | null;
  @Field(() => String, { nullable: true }) metricName!: string | null;
  @Field(() => String, { nullable: true, description: OPERATOR_DOC }) operator!: string | null;
  @Field(() => Float, { nullable: true }) warningThreshold!: number | null;
  @Field(() => Float, { nullable: true }) criticalThreshold!: number | null;
  @Field(() => Int) durationSeconds!: number;
  @Field(() => Float) deadband!: number;
  @Field(() => [AlertCondition], { nullable: true }) conditions!: AlertCondition[] | null;
  @Field(() => AlertRuleLogic, { nullable: true }) logic!: string | null;
  @Field(() => AlertSeverity, { nullable: true }) severity!: string | null;
  @Field(() => Int, { nullable: true }) windowSeconds!: number | null;
  @Field() isEnabled!: boolean;
  @Field() messageTemplate!: string;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class AlertRulePage extends PageOf(AlertRule, 'AlertRulePage') {}

@ArgsType()
export class AlertRulesArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => String, { nullable: true }) metricName?: string | null;
  @Field(() => Boolean, { nullable: true }) isEnabled?: boolean | null;
}

@InputType()
export class AlertConditionInput {
  @Field({ description: `at most ${L.metricName} characters` }) metricName!: string;
  @Field({ description: OPERATOR_DOC }) operator!: string;
  @Field(() => Float) threshold!: number;
}

@InputType()
export class CreateAlertRuleInput {
  @Field({ description: `at most ${L.name} characters` }) name!: string;
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => String, { nullable: true, description: 'simple rules' }) metricName?: string | null;
  @Field(() => String, { nullable: true, description: OPERATOR_DOC }) operator?: string | null;
  @Field(() => Float, { nullable: true }) warningThreshold?: number | null;
  @Field(() => Float, { nullable: true }) criticalThreshold?: number | null;
  @Field(() => Int, { nullable: true, description: `0 to ${L.maxDurationSeconds}; default 0` }) durationSeconds?: number | null;
  @Field(() => Float, { nullable: true, description: 'at least 0; default 0' }) deadband?: number | null;
  @Field(() => [AlertConditionInput], { nullable: true, description: `composite rules: ${L.minConditions} to ${L.maxConditions} conditions` }) conditions?: AlertConditionInput[] | null;
  @Field(() => AlertRuleLogic, { nullable: true }) logic?: string | null;
  @Field(() => AlertSeverity, { nullable: true }) severity?: string | null;
  @Field(() => Int, { nullable: true, description: `${L.minWindowSeconds} to ${L.maxWindowSeconds}` }) windowSeconds?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'default true' }) isEnabled?: boolean | null;
  @Field(() => String, { nullable: true, description: TEMPLATE_DOC }) messageTemplate?: string | null;
}

@InputType({ description: 'absent fields keep their value; the rule is validated as a whole after the change' })
export class UpdateAlertRuleInput {
  @Field(() => String, { nullable: true, description: `at most ${L.name} characters` }) name?: string | null;
  @Field(() => ID, { nullable: true }) machineId?: string | null;
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => String, { nullable: true }) metricName?: string | null;
  @Field(() => String, { nullable: true, description: OPERATOR_DOC }) operator?: string | null;
  @Field(() => Float, { nullable: true }) warningThreshold?: number | null;
  @Field(() => Float, { nullable: true }) criticalThreshold?: number | null;
  @Field(() => Int, { nullable: true }) durationSeconds?: number | null;
  @Field(() => Float, { nullable: true }) deadband?: number | null;
  @Field(() => [AlertConditionInput], { nullable: true }) conditions?: AlertConditionInput[] | null;
  @Field(() => AlertRuleLogic, { nullable: true }) logic?: string | null;
  @Field(() => AlertSeverity, { nullable: true }) severity?: string | null;
  @Field(() => Int, { nullable: true }) windowSeconds?: number | null;
  @Field(() => Boolean, { nullable: true }) isEnabled?: boolean | null;
  @Field(() => String, { nullable: true, description: TEMPLATE_DOC }) messageTemplate?: string | null;
}
