import { ErrorCode, errorsOf } from '../common/errors.js';

export const MACHINE_ERROR_CODES = {
  MACHINE_NOT_FOUND: ErrorCode.NOT_FOUND,
  DUPLICATE_MACHINE_IDENTIFIER: ErrorCode.CONFLICT,
  /** an identifier of an import file was registered between the check and the insert */
  IMPORT_CONCURRENT_DUPLICATE: ErrorCode.CONFLICT,
  INVALID_MACHINE_FIELD: ErrorCode.VALIDATION,
  IMPORT_FILE_INVALID: ErrorCode.VALIDATION,
  IMPORT_FILE_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  IMPORT_FILE_UNSUPPORTED: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
} as const;
export type MachineErrorCode = keyof typeof MACHINE_ERROR_CODES;

const { fail, invalid } = errorsOf(MACHINE_ERROR_CODES);

export const MachineErrors = {
  notFound: () => fail('MACHINE_NOT_FOUND', 'Machine not found'),
  duplicateIdentifier: (identifier: string) => fail('DUPLICATE_MACHINE_IDENTIFIER', `Duplicate machine_identifier: ${identifier}`),
  importConcurrentDuplicate: () =>
    fail('IMPORT_CONCURRENT_DUPLICATE', 'A machine_identifier of this file was registered concurrently; nothing was imported, retry'),
  invalidField: (field: string, msg: string, type: string) => invalid('INVALID_MACHINE_FIELD', field, msg, type),
  importFileInvalid: (msg: string, type: string) => invalid('IMPORT_FILE_INVALID', 'file', msg, type),
  importFileTooLarge: (msg: string) => fail('IMPORT_FILE_TOO_LARGE', msg),
  importFileUnsupported: (msg: string) => fail('IMPORT_FILE_UNSUPPORTED', msg),
};
