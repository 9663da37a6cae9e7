import { ErrorCode, errorsOf } from '../common/errors.js';

export const READING_ERROR_CODES = {
  READING_STORE_UNAVAILABLE: ErrorCode.UNAVAILABLE,
  TOO_MANY_POINTS: ErrorCode.VALIDATION,
} as const;
export type ReadingErrorCode = keyof typeof READING_ERROR_CODES;

const { fail, invalid } = errorsOf(READING_ERROR_CODES);

export const ReadingErrors = {
  storeUnavailable: (message: string, retryAfterSec: number) => fail('READING_STORE_UNAVAILABLE', message, { retryAfterSec }),
  tooManyPoints: (message: string) => invalid('TOO_MANY_POINTS', 'limit', message, 'too_many_points'),
};
