import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { databaseInputError, DomainError, ErrorCode, httpStatusOf } from '../src/common/errors.js';

/** GraphQL `extensions.code` of each domain code. */
export function graphqlCodeOf(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.VALIDATION:
      return 'BAD_USER_INPUT';
    case ErrorCode.BAD_REQUEST:
      return 'BAD_REQUEST';
    case ErrorCode.UNAUTHENTICATED:
      return 'UNAUTHENTICATED';
    case ErrorCode.PAYMENT_REQUIRED:
      return 'PAYMENT_REQUIRED';
    case ErrorCode.FORBIDDEN:
      return 'FORBIDDEN';
    case ErrorCode.NOT_FOUND:
      return 'NOT_FOUND';
    case ErrorCode.CONFLICT:
      return 'CONFLICT';
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 'PAYLOAD_TOO_LARGE';
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case ErrorCode.RATE_LIMITED:
      return 'RATE_LIMITED';
    case ErrorCode.UNAVAILABLE:
      return 'SERVICE_UNAVAILABLE';
    case ErrorCode.INTERNAL:
      return 'INTERNAL_SERVER_ERROR';
    default: {
      const unreachable: never = code;
      throw new Error(`unmapped error code ${String(unreachable)}`);
    }
  }
}

/**
 * One formatter for every GraphQL error: domain errors keep message and code, anything else is masked.
 * `extensions.code` is the transport class clients already switch on; `extensions.reason` is the
 * module code (MACHINE_NOT_FOUND, GROUP_CYCLE, ...) that says which failure of that class it is.
 */
export function formatGraphqlError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    const original = databaseInputError(unwrapped) ?? unwrapped;
    if (original instanceof DomainError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: {
          code: graphqlCodeOf(original.code),
          reason: original.reason,
          status: httpStatusOf(original.code),
          ...(original.extra.issues ? { issues: original.extra.issues } : {}),
          ...(original.extra.retryAfterSec ? { retryAfter: original.extra.retryAfterSec } : {}),
        },
      };
    }
    // Errors from parsing/validation/coercion are the client's and safe to show as they are.
    if (original instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _s, ...ext } = (formatted.extensions ?? {}) as Record<string, unknown>;
      return { ...formatted, extensions: ext };
    }
    log.error({ err: original }, 'unhandled GraphQL resolver error');
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
