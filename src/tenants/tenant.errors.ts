import { errorsOf, ErrorCode } from '../common/errors.js';

export const TENANT_ERROR_CODES = {
  TENANT_NOT_FOUND: ErrorCode.NOT_FOUND,
  UNKNOWN_TIME_ZONE: ErrorCode.VALIDATION,
} as const;
export type TenantErrorCode = keyof typeof TENANT_ERROR_CODES;

const { fail, invalid } = errorsOf(TENANT_ERROR_CODES);

export const TenantErrors = {
  notFound: () => fail('TENANT_NOT_FOUND', 'Tenant not found'),
  unknownZone: () =>
    invalid('UNKNOWN_TIME_ZONE', 'time_zone', 'Input should be an IANA time zone name such as "Europe/Berlin" or "UTC" (offsets like "+01:00" are not zones)', 'value_error'),
};
