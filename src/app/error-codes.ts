import { COMMON_ERROR_CODES, ErrorCode } from '../common/errors.js';
import { MODULES } from './modules.js';

/** Each module's codes with their transport class, by module name (from its manifest), plus the common ones. */
export const ERROR_CODES_BY_MODULE: Readonly<Record<string, Readonly<Record<string, ErrorCode>>>> = Object.fromEntries([
  ['common', COMMON_ERROR_CODES],
  ...MODULES.flatMap((m) => ('errors' in m && m.errors ? [[m.name, m.errors] as const] : [])),
]);

/**
 * The one table of every code and its transport class. Codes are unique across modules (a client
 * switches on the code alone), which building the table checks.
 */
export const ERROR_CODES: Readonly<Record<string, ErrorCode>> = (() => {
  const all: Record<string, ErrorCode> = {};
  for (const [module, table] of Object.entries(ERROR_CODES_BY_MODULE)) {
    for (const [code, cls] of Object.entries(table)) {
      if (code in all) throw new Error(`error code ${code} of ${module} is declared twice`);
      all[code] = cls;
    }
  }
  return all;
})();
