import { ErrorCode, errorsOf } from '../common/errors.js';

export const INGEST_SOURCE_ERROR_CODES = {
  INGEST_SOURCE_NOT_FOUND: ErrorCode.NOT_FOUND,
  INVALID_INGEST_SOURCE: ErrorCode.VALIDATION,
  INVALID_TAG_MAPPING: ErrorCode.VALIDATION,
  /** the billing hook said the tenant's plan does not include direct ingestion */
  INGEST_SUBSCRIPTION_REQUIRED: ErrorCode.PAYMENT_REQUIRED,
} as const;
export type IngestSourceErrorCode = keyof typeof INGEST_SOURCE_ERROR_CODES;

const { fail, invalid } = errorsOf(INGEST_SOURCE_ERROR_CODES);

type Loc = string | (string | number)[];

export const IngestSourceErrors = {
  notFound: () => fail('INGEST_SOURCE_NOT_FOUND', 'Ingest source not found'),
  /** `field` is the body path below the body (`['config', 'registers', 3, 'count']`) */
  invalid: (field: Loc, msg: string, type = 'value_error') => invalid('INVALID_INGEST_SOURCE', field, msg, type),
  invalidMapping: (field: Loc, msg: string, type = 'value_error') => invalid('INVALID_TAG_MAPPING', field, msg, type),
  subscriptionRequired: () => fail('INGEST_SUBSCRIPTION_REQUIRED', 'An active subscription is required for direct ingestion'),
};
