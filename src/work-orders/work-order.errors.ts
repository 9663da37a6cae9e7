import { ErrorCode, errorsOf } from '../common/errors.js';

export const WORK_ORDER_ERROR_CODES = {
  WORK_ORDER_NOT_FOUND: ErrorCode.NOT_FOUND,
  INVALID_WORK_ORDER: ErrorCode.VALIDATION,
  INVALID_WORK_ORDER_STATUS_CHANGE: ErrorCode.CONFLICT,
  WORK_ORDER_LOCKED: ErrorCode.CONFLICT,
  WORK_ORDER_NOT_DELETABLE: ErrorCode.CONFLICT,
  INVALID_WORK_ORDER_COMMENT: ErrorCode.VALIDATION,
} as const;
export type WorkOrderErrorCode = keyof typeof WORK_ORDER_ERROR_CODES;

const { fail, invalid } = errorsOf(WORK_ORDER_ERROR_CODES);

export const WorkOrderErrors = {
  notFound: () => fail('WORK_ORDER_NOT_FOUND', 'Work order not found'),
  /** `field` is the body path below the body */
  invalid: (field: string, msg: string, type = 'value_error') => invalid('INVALID_WORK_ORDER', field, msg, type),
  statusChange: (from: string, to: string) => fail('INVALID_WORK_ORDER_STATUS_CHANGE', `Cannot change status from ${from} to ${to}`),
  locked: () => fail('WORK_ORDER_LOCKED', 'Work order is completed and can no longer be changed'),
  notDeletable: (status: string) => fail('WORK_ORDER_NOT_DELETABLE', `Only open or cancelled work orders can be deleted (this one is ${status})`),
  invalidComment: (msg: string, type = 'value_error') => invalid('INVALID_WORK_ORDER_COMMENT', 'body', msg, type),
};
