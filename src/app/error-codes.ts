import { COMMON_ERROR_CODES, ErrorCode } from '../common/errors.js';
import { API_KEY_ERROR_CODES } from '../api-keys/api-key.errors.js';
import { AUTH_ERROR_CODES } from '../auth/auth.errors.js';
import { MACHINE_GROUP_ERROR_CODES } from '../machine-groups/machine-group.errors.js';
import { MACHINE_ERROR_CODES } from '../machines/machine.errors.js';
import { READING_ERROR_CODES } from '../readings/reading.errors.js';
import { USER_ERROR_CODES } from '../users/user.errors.js';

/** Each module's codes with their transport class, by module (the key is the module's folder). */
export const ERROR_CODES_BY_MODULE = {
  common: COMMON_ERROR_CODES,
  auth: AUTH_ERROR_CODES,
  users: USER_ERROR_CODES,
  'api-keys': API_KEY_ERROR_CODES,
  machines: MACHINE_ERROR_CODES,
  'machine-groups': MACHINE_GROUP_ERROR_CODES,
  readings: READING_ERROR_CODES,
} as const;

type Tables = (typeof ERROR_CODES_BY_MODULE)[keyof typeof ERROR_CODES_BY_MODULE];
type KeysOfUnion<T> = T extends unknown ? keyof T : never;
/** Every code a DomainError may carry as `reason`. */
export type ModuleErrorCode = KeysOfUnion<Tables> & string;

/**
 * The one table of every code and its transport class. Codes are unique across modules (a client
 * switches on the code alone), which building the table checks.
 */
export const ERROR_CODES: Readonly<Record<ModuleErrorCode, ErrorCode>> = (() => {
  const all: Record<string, ErrorCode> = {};
  for (const [module, table] of Object.entries(ERROR_CODES_BY_MODULE)) {
    for (const [code, cls] of Object.entries(table)) {
      if (code in all) throw new Error(`error code ${code} of ${module} is declared twice`);
      all[code] = cls;
    }
  }
  return all as Record<ModuleErrorCode, ErrorCode>;
})();
