import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { NOTIFICATION_LIMITS as L } from '../src/notifications/notification.rules.js';
import { AlertSeverity } from './alert.type.js';
import { DateTime, JSONObject } from './scalars.js';

export enum NotificationChannelType {
  email = 'email',
  slack = 'slack',
  teams = 'teams',
  webhook = 'webhook',
}
registerEnumType(NotificationChannelType, { name: 'NotificationChannelType' });

const CONFIG_DOC =
  'by type (documented snake_case keys): email {"email": "a@x.com, b@y.com"} (at most 20); slack and teams {"webhook_url"}; ' +
  'webhook {"url", "headers": {name: value}}; may carry "min_severity". Secrets come back masked ("***"; URLs as origin + "/***"); a mask sent back keeps the stored value';

@ObjectType({ simpleResolvers: true })
export class NotificationChannel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => NotificationChannelType) type!: string;
  @Field(() => JSONObject, { description: CONFIG_DOC }) config!: Record<string, unknown>;
  @Field(() => AlertSeverity, { description: 'alerts below this severity are not sent to the channel' }) minSeverity!: string;
  @Field() isActive!: boolean;
  @Field(() => String, {
    nullable: true,
    description: 'webhook HMAC key: in clear only in the answer that generated it, "***" afterwards; null for channels that do not sign',
  })
  signingSecret!: string | null;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@InputType()
export class CreateNotificationChannelInput {
  @Field({ description: `1 to ${L.name} characters` }) name!: string;
  @Field(() => NotificationChannelType) type!: string;
  @Field(() => JSONObject, { description: CONFIG_DOC }) config!: Record<string, unknown>;
  @Field(() => AlertSeverity, { nullable: true, description: 'default info' }) minSeverity?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'default true' }) isActive?: boolean | null;
  @Field(() => String, { nullable: true, description: `webhook only: ${L.signingSecretMin} to ${L.signingSecretMax} printable characters; generated when absent` })
  signingSecret?: string | null;
}

@InputType({ description: 'absent fields keep their value; a new type needs its config' })
export class UpdateNotificationChannelInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => NotificationChannelType, { nullable: true }) type?: string | null;
  @Field(() => JSONObject, { nullable: true, description: CONFIG_DOC }) config?: Record<string, unknown> | null;
  @Field(() => AlertSeverity, { nullable: true }) minSeverity?: string | null;
  @Field(() => Boolean, { nullable: true }) isActive?: boolean | null;
  @Field(() => String, { nullable: true, description: 'webhook only: a new secret; "***" keeps the stored one' }) signingSecret?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class EscalationPolicy {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => AlertSeverity, { description: 'the alert severity the policy applies to' }) severity!: string;
  @Field(() => Int, { description: 'minutes after the alert was raised' }) waitMinutes!: number;
  @Field(() => ID, { description: 'the channel notified when the step fires' }) channelId!: string;
  @Field() isActive!: boolean;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@InputType()
export class CreateEscalationPolicyInput {
  @Field({ description: `1 to ${L.name} characters` }) name!: string;
  @Field(() => AlertSeverity) severity!: string;
  @Field(() => Int, { description: `${L.waitMinutesMin} to ${L.waitMinutesMax}` }) waitMinutes!: number;
  @Field(() => ID, { description: 'a notification channel of the tenant' }) channelId!: string;
  @Field(() => Boolean, { nullable: true, description: 'default true' }) isActive?: boolean | null;
}

@InputType({ description: 'absent fields keep their value' })
export class UpdateEscalationPolicyInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => AlertSeverity, { nullable: true }) severity?: string | null;
  @Field(() => Int, { nullable: true }) waitMinutes?: number | null;
  @Field(() => ID, { nullable: true }) channelId?: string | null;
  @Field(() => Boolean, { nullable: true }) isActive?: boolean | null;
}

@ObjectType({ simpleResolvers: true })
export class PushSubscription {
  @Field(() => ID) id!: string;
  @Field() endpoint!: string;
  @Field(() => AlertSeverity, { description: 'pushes below this severity are not sent' }) minSeverity!: string;
  @Field(() => DateTime) createdAt!: Date;
}

@InputType()
export class PushSubscriptionKeysInput {
  @Field({ description: 'base64url uncompressed P-256 public key (65 bytes)' }) p256dh!: string;
  @Field({ description: 'base64url auth secret (16 bytes)' }) auth!: string;
}

@InputType({ description: "the browser's PushSubscription JSON" })
export class PushSubscribeInput {
  @Field({ description: `the push service URL (http or https, at most ${L.pushEndpoint} characters)` }) endpoint!: string;
  @Field(() => PushSubscriptionKeysInput) keys!: PushSubscriptionKeysInput;
  @Field(() => AlertSeverity, { nullable: true, description: 'default warning' }) minSeverity?: string | null;
}
