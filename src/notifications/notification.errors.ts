import { ErrorCode, errorsOf } from '../common/errors.js';

export const NOTIFICATION_ERROR_CODES = {
  NOTIFICATION_CHANNEL_NOT_FOUND: ErrorCode.NOT_FOUND,
  INVALID_NOTIFICATION_CHANNEL: ErrorCode.VALIDATION,
  TOO_MANY_NOTIFICATION_CHANNELS: ErrorCode.CONFLICT,
  NOTIFICATION_CHANNEL_IN_USE: ErrorCode.CONFLICT,
  ESCALATION_POLICY_NOT_FOUND: ErrorCode.NOT_FOUND,
  INVALID_ESCALATION_POLICY: ErrorCode.VALIDATION,
  TOO_MANY_ESCALATION_POLICIES: ErrorCode.CONFLICT,
  PUSH_SUBSCRIPTION_NOT_FOUND: ErrorCode.NOT_FOUND,
  INVALID_PUSH_SUBSCRIPTION: ErrorCode.VALIDATION,
  /** the delivery engine's (src/notifications/notification-delivery.service.ts) */
  NOTIFICATION_DELIVERY_NOT_FOUND: ErrorCode.NOT_FOUND,
  NOTIFICATION_DELIVERY_NOT_RETRYABLE: ErrorCode.CONFLICT,
} as const;
export type NotificationErrorCode = keyof typeof NOTIFICATION_ERROR_CODES;

const { fail, invalid } = errorsOf(NOTIFICATION_ERROR_CODES);

type Loc = string | (string | number)[];

export const NotificationErrors = {
  channelNotFound: () => fail('NOTIFICATION_CHANNEL_NOT_FOUND', 'Notification channel not found'),
  /** `field` is the body path (`['config', 'headers', 'X-Token']`) */
  invalidChannel: (field: Loc, msg: string, type = 'value_error') => invalid('INVALID_NOTIFICATION_CHANNEL', field, msg, type),
  tooManyChannels: (max: number) => fail('TOO_MANY_NOTIFICATION_CHANNELS', `A tenant may hold at most ${max} notification channels`),
  channelInUse: (policies: number) =>
    fail('NOTIFICATION_CHANNEL_IN_USE', `Notification channel is used by ${policies} escalation polic${policies === 1 ? 'y' : 'ies'}; change or delete them first`),
  policyNotFound: () => fail('ESCALATION_POLICY_NOT_FOUND', 'Escalation policy not found'),
  invalidPolicy: (field: Loc, msg: string, type = 'value_error') => invalid('INVALID_ESCALATION_POLICY', field, msg, type),
  tooManyPolicies: (max: number) => fail('TOO_MANY_ESCALATION_POLICIES', `A tenant may hold at most ${max} escalation policies`),
  pushSubscriptionNotFound: () => fail('PUSH_SUBSCRIPTION_NOT_FOUND', 'Push subscription not found'),
  invalidPushSubscription: (field: Loc, msg: string, type = 'value_error') => invalid('INVALID_PUSH_SUBSCRIPTION', field, msg, type),
  deliveryNotFound: () => fail('NOTIFICATION_DELIVERY_NOT_FOUND', 'Notification delivery not found'),
  deliveryNotRetryable: (status: string) => fail('NOTIFICATION_DELIVERY_NOT_RETRYABLE', `Only dead deliveries can be retried (this one is ${status})`),
};
