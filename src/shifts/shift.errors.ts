import { ErrorCode, errorsOf } from '../common/errors.js';

export const SHIFT_ERROR_CODES = {
  SHIFT_DEFINITION_NOT_FOUND: ErrorCode.NOT_FOUND,
  DUPLICATE_SHIFT_DEFINITION: ErrorCode.CONFLICT,
  SHIFT_DEFINITION_OVERLAP: ErrorCode.CONFLICT,
  SHIFT_DEFINITION_IN_USE: ErrorCode.CONFLICT,
  INVALID_SHIFT_DEFINITION: ErrorCode.VALIDATION,
  TOO_MANY_SHIFT_DEFINITIONS: ErrorCode.VALIDATION,
  SHIFT_LOG_NOT_FOUND: ErrorCode.NOT_FOUND,
  SHIFT_LOG_EXISTS: ErrorCode.CONFLICT,
  SHIFT_LOG_ACTIVE_ELSEWHERE: ErrorCode.CONFLICT,
  SHIFT_LOG_TRANSITION: ErrorCode.CONFLICT,
  SHIFT_LOG_CLOSED: ErrorCode.CONFLICT,
  INVALID_SHIFT_LOG: ErrorCode.VALIDATION,
  INVALID_SHIFT_QUERY: ErrorCode.VALIDATION,
} as const;
export type ShiftErrorCode = keyof typeof SHIFT_ERROR_CODES;

const { fail, invalid } = errorsOf(SHIFT_ERROR_CODES);

export const ShiftErrors = {
  definitionNotFound: () => fail('SHIFT_DEFINITION_NOT_FOUND', 'Shift definition not found'),
  duplicateName: (name: string) => fail('DUPLICATE_SHIFT_DEFINITION', `A shift definition named ${JSON.stringify(name)} already exists in this scope`),
  overlap: (other: { id: string; name: string; startTime: string; endTime: string }) =>
    fail('SHIFT_DEFINITION_OVERLAP', `Overlaps the active shift definition ${JSON.stringify(other.name)} (${other.startTime}–${other.endTime}, ${other.id}) of the same scope`),
  inUse: () => fail('SHIFT_DEFINITION_IN_USE', 'The shift definition has shift logs; deactivate it instead (is_active false)'),
  invalidDefinition: (field: string | (string | number)[], msg: string, type = 'value_error') => invalid('INVALID_SHIFT_DEFINITION', field, msg, type),
  tooMany: (max: number) => invalid('TOO_MANY_SHIFT_DEFINITIONS', 'name', `A tenant may hold at most ${max} shift definitions`),
  logNotFound: () => fail('SHIFT_LOG_NOT_FOUND', 'Shift log not found'),
  logExists: (id: string) => fail('SHIFT_LOG_EXISTS', `A shift log of this definition, machine and date exists already (${id})`),
  /** a unique index refused the write (a writer that raced past the checks) */
  logConflict: () => fail('SHIFT_LOG_EXISTS', 'A log of this definition, machine and date, or an active log of this machine, exists already'),
  activeElsewhere: (id: string) => fail('SHIFT_LOG_ACTIVE_ELSEWHERE', `The machine has an active shift log already (${id}); complete or cancel it first`),
  transition: (from: string, to: string) => fail('SHIFT_LOG_TRANSITION', `A ${from} shift log cannot become ${to} (only active → completed | cancelled)`),
  closed: (status: string, field: string) => fail('SHIFT_LOG_CLOSED', `The shift log is ${status}: only notes, handover_notes, total_pieces and good_pieces may change (not ${field})`),
  invalidLog: (field: string | (string | number)[], msg: string, type = 'value_error') => invalid('INVALID_SHIFT_LOG', field, msg, type),
  invalidQuery: (field: string | (string | number)[], msg: string, type = 'value_error') => invalid('INVALID_SHIFT_QUERY', field, msg, type),
};
