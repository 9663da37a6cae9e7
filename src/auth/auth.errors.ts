import { ErrorCode, errorsOf } from '../common/errors.js';

/** Authentication, sessions and MFA. */
export const AUTH_ERROR_CODES = {
  INVALID_CREDENTIALS: ErrorCode.UNAUTHENTICATED,
  INVALID_TOKEN: ErrorCode.UNAUTHENTICATED,
  TOKEN_EXPIRED: ErrorCode.UNAUTHENTICATED,
  TOKEN_REVOKED: ErrorCode.UNAUTHENTICATED,
  USER_INACTIVE: ErrorCode.UNAUTHENTICATED,
  INVALID_API_KEY: ErrorCode.UNAUTHENTICATED,
  API_KEY_EXPIRED: ErrorCode.UNAUTHENTICATED,
  REFRESH_TOKEN_MISSING: ErrorCode.UNAUTHENTICATED,
  REFRESH_TOKEN_REUSED: ErrorCode.UNAUTHENTICATED,
  /** the second factor of a login was wrong (the login fails) */
  INVALID_MFA_CODE: ErrorCode.UNAUTHENTICATED,
  LOGIN_LOCKED: ErrorCode.RATE_LIMITED,
  EMAIL_ALREADY_REGISTERED: ErrorCode.CONFLICT,
  MFA_SETUP_NOT_STARTED: ErrorCode.BAD_REQUEST,
  MFA_NOT_ENABLED: ErrorCode.BAD_REQUEST,
  /** a code field of an authenticated MFA change was wrong (a field error, the session stays) */
  MFA_CODE_INCORRECT: ErrorCode.VALIDATION,
  MFA_CODE_FORMAT: ErrorCode.VALIDATION,
  MFA_REAUTH_REQUIRED: ErrorCode.VALIDATION,
} as const;
export type AuthErrorCode = keyof typeof AUTH_ERROR_CODES;

const { fail, invalid } = errorsOf(AUTH_ERROR_CODES);

export const AuthErrors = {
  invalidCredentials: () => fail('INVALID_CREDENTIALS', 'Incorrect email or password'),
  invalidToken: () => fail('INVALID_TOKEN', 'Could not validate credentials'),
  expiredToken: () => fail('TOKEN_EXPIRED', 'Token has expired'),
  revokedToken: () => fail('TOKEN_REVOKED', 'Token has been revoked'),
  inactiveUser: () => fail('USER_INACTIVE', 'User account is inactive'),
  invalidApiKey: () => fail('INVALID_API_KEY', 'Invalid API key'),
  expiredApiKey: () => fail('API_KEY_EXPIRED', 'API key has expired'),
  missingRefresh: () => fail('REFRESH_TOKEN_MISSING', 'Refresh token missing'),
  refreshReuse: () => fail('REFRESH_TOKEN_REUSED', 'Refresh token has already been used; session revoked'),
  invalidMfaCode: () => fail('INVALID_MFA_CODE', 'Invalid MFA code'),
  locked: (retryAfterSec: number) => fail('LOGIN_LOCKED', 'Too many failed login attempts; try again later', { retryAfterSec }),
  emailTaken: () => fail('EMAIL_ALREADY_REGISTERED', 'Email already registered'),
  mfaSetupNotStarted: () => fail('MFA_SETUP_NOT_STARTED', 'MFA setup has not been started'),
  mfaNotEnabled: () => fail('MFA_NOT_ENABLED', 'MFA is not enabled'),
  mfaCodeIncorrect: () => invalid('MFA_CODE_INCORRECT', 'code', 'Invalid MFA code', 'value_error'),
  mfaCodeFormat: () => invalid('MFA_CODE_FORMAT', 'code', "String should match pattern '^\\d{6}$'", 'string_pattern_mismatch'),
  mfaReauthRequired: (field: 'current_password' | 'code') => invalid('MFA_REAUTH_REQUIRED', field, `${field} is required while MFA is enabled`, 'missing'),
};
