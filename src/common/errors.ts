/** Every failure a service can report, independent of transport. */
export enum ErrorCode {
  VALIDATION = 'VALIDATION',
  BAD_REQUEST = 'BAD_REQUEST',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED = 'RATE_LIMITED',
  UNAVAILABLE = 'UNAVAILABLE',
  INTERNAL = 'INTERNAL',
}

export interface ValidationIssue {
  /** location path, e.g. ['body', 'email'] (REST) — services give the field path only */
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** A typed domain failure; one mapper per transport turns it into a status/code. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { issues?: ValidationIssue[]; retryAfterSec?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError(ErrorCode.NOT_FOUND, `${what} not found`);

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids arrive unvalidated through GraphQL `ID`; a non-UUID cannot exist, and PostgreSQL would reject it with a 500. */
export const isUuid = (id: string): boolean => UUID_RE.test(id);
export const conflict = (msg: string) => new DomainError(ErrorCode.CONFLICT, msg);
export const unauthenticated = (msg = 'Not authenticated') => new DomainError(ErrorCode.UNAUTHENTICATED, msg);
export const forbidden = (msg = 'Forbidden (insufficient role)') => new DomainError(ErrorCode.FORBIDDEN, msg);
export const badRequest = (msg: string) => new DomainError(ErrorCode.BAD_REQUEST, msg);

/** A service-level validation failure on one field (path relative to the operation's input). */
export function invalid(field: string | (string | number)[], msg: string, type = 'value_error'): DomainError {
  const loc = Array.isArray(field) ? field : [field];
  return new DomainError(ErrorCode.VALIDATION, msg, { issues: [{ loc, msg, type }] });
}

/** HTTP status of each code (used by REST and by GraphQL-over-HTTP extensions). */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION:
      return 422;
    case ErrorCode.BAD_REQUEST:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.CONFLICT:
      return 409;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
      return 415;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.UNAVAILABLE:
      return 503;
    case ErrorCode.INTERNAL:
      return 500;
    default: {
      const unreachable: never = code;
      throw new Error(`unmapped error code ${String(unreachable)}`);
    }
  }
}

/**
 * Input the database refuses as text (NUL bytes, unpaired surrogates, malformed uuid literals) is the
 * client's mistake, not a server failure: both transports map it to a validation error.
 */
export function databaseInputError(err: unknown): DomainError | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '22021' || code === '22P05' || code === '22P02') {
    return new DomainError(ErrorCode.VALIDATION, 'Input contains characters or values that cannot be stored', {
      issues: [{ loc: [], msg: 'Input contains characters or values that cannot be stored (e.g. NUL bytes)', type: 'value_error' }],
    });
  }
  return null;
}
