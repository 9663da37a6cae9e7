import { ErrorCode, errorsOf } from '../common/errors.js';

export const MAINTENANCE_ERROR_CODES = {
  MAINTENANCE_EVENT_NOT_FOUND: ErrorCode.NOT_FOUND,
  /** a transition the state machine does not have */
  MAINTENANCE_STATUS_CONFLICT: ErrorCode.CONFLICT,
  /** a change the event's status does not allow (a final event, a non-scheduled delete) */
  MAINTENANCE_EVENT_LOCKED: ErrorCode.CONFLICT,
  /** the row changed between reading and writing it */
  MAINTENANCE_EVENT_CHANGED: ErrorCode.CONFLICT,
  INVALID_MAINTENANCE_EVENT: ErrorCode.VALIDATION,
  /** alert_id / downtime_record_id of another machine */
  MAINTENANCE_LINK_MISMATCH: ErrorCode.VALIDATION,
} as const;
export type MaintenanceErrorCode = keyof typeof MAINTENANCE_ERROR_CODES;

const { fail, invalid } = errorsOf(MAINTENANCE_ERROR_CODES);

export const MaintenanceErrors = {
  notFound: () => fail('MAINTENANCE_EVENT_NOT_FOUND', 'Maintenance event not found'),
  status: (from: string, to: string) => fail('MAINTENANCE_STATUS_CONFLICT', `Cannot change status from ${from} to ${to}`),
  locked: (msg: string) => fail('MAINTENANCE_EVENT_LOCKED', msg),
  changed: () => fail('MAINTENANCE_EVENT_CHANGED', 'The maintenance event was changed by another request; reload it and retry'),
  invalid: (field: string | (string | number)[], msg: string, type = 'value_error') => invalid('INVALID_MAINTENANCE_EVENT', field, msg, type),
  linkMismatch: (field: string, what: string) => invalid('MAINTENANCE_LINK_MISMATCH', field, `The ${what} belongs to another machine than the event`, 'value_error'),
};
