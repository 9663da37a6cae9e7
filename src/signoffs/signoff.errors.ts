import { ErrorCode, errorsOf } from '../common/errors.js';
import { SIGNOFF_MEANINGS } from './signoff.rules.js';

export const SIGNOFF_ERROR_CODES = {
  SIGNOFF_NOT_FOUND: ErrorCode.NOT_FOUND,
  /** the re-entered password was wrong: 403, since a 401 would read as an expired token */
  SIGNOFF_PASSWORD_FAILED: ErrorCode.FORBIDDEN,
  WORK_ORDER_NOT_COMPLETED: ErrorCode.CONFLICT,
  SIGNOFF_LIMIT_REACHED: ErrorCode.CONFLICT,
  DUPLICATE_SIGNOFF: ErrorCode.CONFLICT,
  WORK_ORDER_NOT_SIGNED: ErrorCode.CONFLICT,
  WORK_ORDER_HAS_SIGNOFFS: ErrorCode.CONFLICT,
  INVALID_SIGNOFF: ErrorCode.VALIDATION,
} as const;
export type SignoffErrorCode = keyof typeof SIGNOFF_ERROR_CODES;

const { fail, invalid } = errorsOf(SIGNOFF_ERROR_CODES);

export const SignoffErrors = {
  notFound: () => fail('SIGNOFF_NOT_FOUND', 'Sign-off not found'),
  passwordFailed: () => fail('SIGNOFF_PASSWORD_FAILED', 'Password verification failed'),
  notCompleted: (status: string) => fail('WORK_ORDER_NOT_COMPLETED', `Work order must be completed to be signed off (status: ${status})`),
  limitReached: (max: number) => fail('SIGNOFF_LIMIT_REACHED', `Work order already has the maximum of ${max} sign-offs`),
  duplicate: (meaning: string) => fail('DUPLICATE_SIGNOFF', `You have already signed this work order as ${meaning}`),
  certificateNotCompleted: (status: string) => fail('WORK_ORDER_NOT_COMPLETED', `A certificate needs a completed work order (status: ${status})`),
  notSigned: () => fail('WORK_ORDER_NOT_SIGNED', 'A certificate needs at least one sign-off'),
  hasSignoffs: () => fail('WORK_ORDER_HAS_SIGNOFFS', 'Work order has sign-offs and cannot be deleted'),
  meaning: () => invalid('INVALID_SIGNOFF', 'meaning', `Input should be ${SIGNOFF_MEANINGS.map((m) => `'${m}'`).join(', ')}`, 'enum'),
  invalid: (field: string, msg: string, type = 'value_error') => invalid('INVALID_SIGNOFF', field, msg, type),
};
