import { ErrorCode, errorsOf } from '../common/errors.js';

export const OEE_ERROR_CODES = {
  OEE_RECORD_NOT_FOUND: ErrorCode.NOT_FOUND,
  INVALID_OEE_RECORD: ErrorCode.VALIDATION,
  UNDERIVABLE_OEE_FACTOR: ErrorCode.VALIDATION,
} as const;
export type OeeErrorCode = keyof typeof OEE_ERROR_CODES;

const { fail, invalid } = errorsOf(OEE_ERROR_CODES);

export const OeeErrors = {
  notFound: () => fail('OEE_RECORD_NOT_FOUND', 'OEE record not found'),
  /** a 422 on one field of a record's input or a view's parameters */
  invalid: (field: string | (string | number)[], msg: string, type = 'value_error') => invalid('INVALID_OEE_RECORD', field, msg, type),
  /** a factor neither sent nor computable: the message names what is missing */
  underivable: (factor: string, missing: string) =>
    invalid('UNDERIVABLE_OEE_FACTOR', factor, `${factor} was not sent and cannot be computed: ${missing}`, 'missing'),
};
