import { ErrorCode, errorsOf } from '../common/errors.js';

export const ALERT_ERROR_CODES = {
  ALERT_NOT_FOUND: ErrorCode.NOT_FOUND,
  ALERT_RULE_NOT_FOUND: ErrorCode.NOT_FOUND,
  INVALID_ALERT_RULE: ErrorCode.VALIDATION,
  INVALID_SNOOZE_UNTIL: ErrorCode.VALIDATION,
  INVALID_ALERT_COMMENT: ErrorCode.VALIDATION,
} as const;
export type AlertErrorCode = keyof typeof ALERT_ERROR_CODES;

const { fail, invalid } = errorsOf(ALERT_ERROR_CODES);

export const AlertErrors = {
  notFound: () => fail('ALERT_NOT_FOUND', 'Alert not found'),
  ruleNotFound: () => fail('ALERT_RULE_NOT_FOUND', 'Alert rule not found'),
  /** `field` is the body path below the body (`['conditions', 2, 'threshold']`) */
  invalidRule: (field: string | (string | number)[], msg: string, type = 'value_error') => invalid('INVALID_ALERT_RULE', field, msg, type),
  invalidSnoozeUntil: (msg: string) => invalid('INVALID_SNOOZE_UNTIL', 'snooze_until', msg),
  invalidComment: (msg: string, type = 'value_error') => invalid('INVALID_ALERT_COMMENT', 'body', msg, type),
};
