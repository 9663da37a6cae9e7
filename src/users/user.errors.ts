import { ErrorCode, errorsOf } from '../common/errors.js';

export const USER_ERROR_CODES = {
  USER_NOT_FOUND: ErrorCode.NOT_FOUND,
  DUPLICATE_EMAIL: ErrorCode.CONFLICT,
  LAST_ACTIVE_ADMIN: ErrorCode.CONFLICT,
  CURRENT_PASSWORD_REQUIRED: ErrorCode.VALIDATION,
  CURRENT_PASSWORD_INCORRECT: ErrorCode.VALIDATION,
} as const;
export type UserErrorCode = keyof typeof USER_ERROR_CODES;

const { fail, invalid } = errorsOf(USER_ERROR_CODES);

export const UserErrors = {
  notFound: () => fail('USER_NOT_FOUND', 'User not found'),
  duplicateEmail: () => fail('DUPLICATE_EMAIL', 'Email already registered'),
  lastActiveAdmin: () => fail('LAST_ACTIVE_ADMIN', 'A tenant must keep at least one active admin'),
  currentPasswordRequired: (msg: string) => invalid('CURRENT_PASSWORD_REQUIRED', 'current_password', msg, 'missing'),
  currentPasswordIncorrect: () => invalid('CURRENT_PASSWORD_INCORRECT', 'current_password', 'Current password is incorrect', 'value_error'),
};
