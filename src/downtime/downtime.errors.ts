import { ErrorCode, errorsOf } from '../common/errors.js';

export const DOWNTIME_ERROR_CODES = {
  DOWNTIME_NOT_FOUND: ErrorCode.NOT_FOUND,
  DOWNTIME_ALREADY_ENDED: ErrorCode.CONFLICT,
  DOWNTIME_OVERLAP: ErrorCode.CONFLICT,
  INVALID_DOWNTIME: ErrorCode.VALIDATION,
  REASON_CODE_NOT_FOUND: ErrorCode.NOT_FOUND,
  DUPLICATE_REASON_CODE: ErrorCode.CONFLICT,
  REASON_CODE_IN_USE: ErrorCode.CONFLICT,
  INVALID_REASON_CODE: ErrorCode.VALIDATION,
  REASON_CODE_CYCLE: ErrorCode.VALIDATION,
  TOO_MANY_REASON_CODES: ErrorCode.VALIDATION,
} as const;
export type DowntimeErrorCode = keyof typeof DOWNTIME_ERROR_CODES;

const { fail, invalid } = errorsOf(DOWNTIME_ERROR_CODES);

export const DowntimeErrors = {
  notFound: () => fail('DOWNTIME_NOT_FOUND', 'Downtime record not found'),
  alreadyEnded: () => fail('DOWNTIME_ALREADY_ENDED', 'Downtime record has already ended'),
  /** names the record it overlaps, so the caller can fix that one or this one */
  overlap: (other: { id: string; startedAt: Date; endedAt: Date | null }) =>
    fail(
      'DOWNTIME_OVERLAP',
      `Downtime overlaps record ${other.id} (${other.startedAt.toISOString()} to ${other.endedAt ? other.endedAt.toISOString() : 'open'})`,
    ),
  /** a 422 on one field of a record's input */
  invalid: (field: string | (string | number)[], msg: string, type = 'value_error') => invalid('INVALID_DOWNTIME', field, msg, type),
  reasonCodeNotFound: () => fail('REASON_CODE_NOT_FOUND', 'Reason code not found'),
  duplicateReasonCode: (code: string) => fail('DUPLICATE_REASON_CODE', `Reason code already exists: ${code}`),
  reasonCodeInUse: (what: string) => fail('REASON_CODE_IN_USE', `Reason code is in use (${what}); deactivate it instead`),
  invalidReasonCode: (field: string | (string | number)[], msg: string, type = 'value_error') => invalid('INVALID_REASON_CODE', field, msg, type),
  cycle: () => invalid('REASON_CODE_CYCLE', 'parent_id', 'A reason code cannot be moved under itself or one of its descendants', 'value_error'),
  tooMany: (max: number) => invalid('TOO_MANY_REASON_CODES', 'code', `A tenant may hold at most ${max} reason codes`, 'value_error'),
};
