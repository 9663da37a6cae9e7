import { ErrorCode, errorsOf } from '../common/errors.js';

export const API_KEY_ERROR_CODES = {
  API_KEY_NOT_FOUND: ErrorCode.NOT_FOUND,
  UNKNOWN_SCOPE: ErrorCode.VALIDATION,
  NO_SCOPES: ErrorCode.VALIDATION,
  SCOPES_AND_PRESET: ErrorCode.VALIDATION,
  EXPIRY_IN_PAST: ErrorCode.VALIDATION,
} as const;
export type ApiKeyErrorCode = keyof typeof API_KEY_ERROR_CODES;

const { fail, invalid } = errorsOf(API_KEY_ERROR_CODES);

export const ApiKeyErrors = {
  notFound: () => fail('API_KEY_NOT_FOUND', 'API key not found'),
  unknownScope: (loc: (string | number)[], allowed: string) => invalid('UNKNOWN_SCOPE', loc, `Input should be ${allowed}`, 'enum'),
  noScopes: () => invalid('NO_SCOPES', 'scopes', 'At least one scope is required', 'too_short'),
  scopesAndPreset: () => invalid('SCOPES_AND_PRESET', 'preset', 'Give either scopes or preset, not both', 'value_error'),
  expiryInPast: () => invalid('EXPIRY_IN_PAST', 'expires_at', 'expires_at must be in the future', 'value_error'),
};
