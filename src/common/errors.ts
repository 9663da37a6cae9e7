/**
 * Transport classes: what kind of failure an error is, independent of transport. Each transport maps
 * every class once (HTTP status below, GraphQL `extensions.code` in resolvers/graphql-errors.ts); the
 * precise meaning is the module code a DomainError carries as `reason` (see `<module>.errors.ts`).
 */
export enum ErrorCode {
  VALIDATION = 'VALIDATION',
  BAD_REQUEST = 'BAD_REQUEST',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  PAYMENT_REQUIRED = 'PAYMENT_REQUIRED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED = 'RATE_LIMITED',
  UNAVAILABLE = 'UNAVAILABLE',
  INTERNAL = 'INTERNAL',
}

/** A module's codes and the transport class of each: the one place a code gets its status. */
export type ErrorCodeTable = Readonly<Record<string, ErrorCode>>;

/**
 * Codes that belong to no module: the shape of a request (field validation, malformed bodies),
 * the access guard, and infrastructure. A DomainError built without a module code gets its class's
 * code here, so every error has one.
 */
export const COMMON_ERROR_CODES = {
  VALIDATION_FAILED: ErrorCode.VALIDATION,
  UNSTORABLE_INPUT: ErrorCode.VALIDATION,
  MALFORMED_REQUEST: ErrorCode.BAD_REQUEST,
  NOT_AUTHENTICATED: ErrorCode.UNAUTHENTICATED,
  PAYMENT_REQUIRED: ErrorCode.PAYMENT_REQUIRED,
  FORBIDDEN: ErrorCode.FORBIDDEN,
  INSUFFICIENT_ROLE: ErrorCode.FORBIDDEN,
  API_KEY_REQUIRED: ErrorCode.FORBIDDEN,
  USER_TOKEN_REQUIRED: ErrorCode.FORBIDDEN,
  MISSING_SCOPE: ErrorCode.FORBIDDEN,
  NOT_FOUND: ErrorCode.NOT_FOUND,
  CONFLICT: ErrorCode.CONFLICT,
  PAYLOAD_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  RATE_LIMITED: ErrorCode.RATE_LIMITED,
  SERVICE_UNAVAILABLE: ErrorCode.UNAVAILABLE,
  INTERNAL: ErrorCode.INTERNAL,
} as const satisfies ErrorCodeTable;
export type CommonErrorCode = keyof typeof COMMON_ERROR_CODES;

const DEFAULT_REASON: Record<ErrorCode, CommonErrorCode> = {
  [ErrorCode.VALIDATION]: 'VALIDATION_FAILED',
  [ErrorCode.BAD_REQUEST]: 'MALFORMED_REQUEST',
  [ErrorCode.UNAUTHENTICATED]: 'NOT_AUTHENTICATED',
  [ErrorCode.PAYMENT_REQUIRED]: 'PAYMENT_REQUIRED',
  [ErrorCode.FORBIDDEN]: 'FORBIDDEN',
  [ErrorCode.NOT_FOUND]: 'NOT_FOUND',
  [ErrorCode.CONFLICT]: 'CONFLICT',
  [ErrorCode.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 'UNSUPPORTED_MEDIA_TYPE',
  [ErrorCode.RATE_LIMITED]: 'RATE_LIMITED',
  [ErrorCode.UNAVAILABLE]: 'SERVICE_UNAVAILABLE',
  [ErrorCode.INTERNAL]: 'INTERNAL',
};

export interface ValidationIssue {
  /** location path, e.g. ['body', 'email'] (REST) — services give the field path only */
  loc: (string | number)[];
  msg: string;
  type: string;
}

export interface DomainErrorExtra {
  issues?: ValidationIssue[];
  retryAfterSec?: number;
  headers?: Record<string, string>;
  /** a common code; module codes are given through their module's `errorsOf` constructors */
  reason?: CommonErrorCode;
}

/** A typed domain failure; one mapper per transport turns it into a status/code. */
export class DomainError extends Error {
  /** the module code: GraphQL reports it as `extensions.reason`; REST bodies do not carry it */
  readonly reason: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: DomainErrorExtra = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.reason = extra.reason ?? DEFAULT_REASON[code];
  }

  /** The same failure with other issue locations (REST prefixes body/query/path). */
  withIssues(issues: ValidationIssue[]): DomainError {
    return withReason(new DomainError(this.code, this.message, { ...this.extra, issues }), this.reason);
  }
}

/**
 * A module's error constructors over its table: the throw site names the code, the table decides the
 * class, so no call site can give a code another status.
 */
export function errorsOf<T extends ErrorCodeTable>(table: T) {
  return {
    table,
    /** an error of `reason` with `message` as the REST `detail` and the GraphQL message */
    fail(reason: keyof T & string, message: string, extra: Omit<DomainErrorExtra, 'reason'> = {}): DomainError {
      return withReason(new DomainError(table[reason]!, message, extra), reason);
    },
    /** a 422 on one field (the code must be of the VALIDATION class) */
    invalid(reason: keyof T & string, field: string | (string | number)[], msg: string, type = 'value_error'): DomainError {
      if (table[reason] !== ErrorCode.VALIDATION) throw new Error(`${reason} is not a validation code`);
      return withReason(invalid(field, msg, type), reason);
    },
  };
}

function withReason(err: DomainError, reason: string): DomainError {
  (err as { reason: string }).reason = reason;
  return err;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids arrive unvalidated through GraphQL `ID`; a non-UUID cannot exist, and PostgreSQL would reject it with a 500. */
export const isUuid = (id: string): boolean => UUID_RE.test(id);

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
    case ErrorCode.PAYMENT_REQUIRED:
      return 402;
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
      reason: 'UNSTORABLE_INPUT',
      issues: [{ loc: [], msg: 'Input contains characters or values that cannot be stored (e.g. NUL bytes)', type: 'value_error' }],
    });
  }
  return null;
}
