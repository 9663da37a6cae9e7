import { DomainError, ErrorCode } from '../common/errors.js';

export const AuthErrors = {
  invalidCredentials: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'Incorrect email or password'),
  invalidToken: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'Could not validate credentials'),
  expiredToken: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'Token has expired'),
  revokedToken: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'Token has been revoked'),
  inactiveUser: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'User account is inactive'),
  invalidApiKey: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'Invalid API key'),
  expiredApiKey: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'API key has expired'),
  missingRefresh: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'Refresh token missing'),
  refreshReuse: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'Refresh token has already been used; session revoked'),
  invalidMfaCode: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'Invalid MFA code'),
  locked: (retryAfterSec: number) =>
    new DomainError(ErrorCode.RATE_LIMITED, 'Too many failed login attempts; try again later', {
      retryAfterSec,
    }),
};
