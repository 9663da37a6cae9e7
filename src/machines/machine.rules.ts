import { escapeUnsafeText, codePointLength, unsafeTextReason } from '../common/text-rules.js';
import { MachineErrors } from './machine.errors.js';

/**
 * Field limits of a machine, in characters (code points): the REST schemas, the GraphQL input
 * descriptions, these rules (which every door and the import parser run) all read them here.
 */
export const MACHINE_LIMITS = {
  name: 200,
  machine_identifier: 100,
  protocol: 20,
  location: 500,
  /** the list filter's substring */
  search: 200,
  /** ideal_cycle_time_seconds: more than 0, at most one day per piece */
  idealCycleTimeSecondsMax: 86_400,
} as const;

export const MACHINE_PROTOCOLS = ['opc_ua', 'modbus_tcp', 'csv', 'json'] as const;
export type MachineProtocol = (typeof MACHINE_PROTOCOLS)[number];

export type MachineField = 'name' | 'machine_identifier' | 'protocol' | 'location';

/** ASCII letters and digits plus `-_.:/#`: identifiers are ingestion keys and travel in URLs and topics. */
const IDENTIFIER_CHARS = /^[A-Za-z0-9\-_.:/#]+$/;
const PROTOCOL_ALIASES: Readonly<Record<string, MachineProtocol>> = { opcua: 'opc_ua', modbus: 'modbus_tcp' };

/** A user value made safe and short enough to echo in an error message. */
function shown(value: string): string {
  const chars = [...value];
  const cut = chars.length > 60 ? `${chars.slice(0, 60).join('')}…` : value;
  return escapeUnsafeText(cut);
}

/** Documented protocol value for `value` (trimmed, case-insensitive, aliases `opcua`, `modbus`), else null. */
export function normalizeMachineProtocol(value: string): MachineProtocol | null {
  const v = value.trim().toLowerCase();
  if ((MACHINE_PROTOCOLS as readonly string[]).includes(v)) return v as MachineProtocol;
  return PROTOCOL_ALIASES[v] ?? null;
}

/**
 * Field rules shared by create, update and import: returns an error message or null.
 * The value is judged after trimming; an empty `location` is valid (it means none).
 */
export function machineFieldError(field: MachineField, value: string): string | null {
  const v = value.trim();
  if (v === '') return field === 'location' ? null : `Missing ${field}`;
  switch (field) {
    case 'protocol':
      return normalizeMachineProtocol(v) ? null : `Invalid protocol: ${shown(v)} (expected ${MACHINE_PROTOCOLS.join(', ')})`;
    case 'machine_identifier':
      if (codePointLength(v) > MACHINE_LIMITS.machine_identifier) return `Invalid machine_identifier: must be at most ${MACHINE_LIMITS.machine_identifier} characters`;
      if (!IDENTIFIER_CHARS.test(v)) return `Invalid machine_identifier: ${shown(v)} (only letters, digits and - _ . : / # are allowed, no spaces)`;
      return null;
    case 'name':
    case 'location':
      if (codePointLength(v) > MACHINE_LIMITS[field]) return `Invalid ${field}: must be at most ${MACHINE_LIMITS[field]} characters`;
      {
        const unsafe = unsafeTextReason(v);
        if (unsafe) return `Invalid ${field}: ${unsafe}`;
      }
      // a lone surrogate (possible from JSON/GraphQL input, never from a decoded file) cannot be stored as UTF-8
      if (/\p{Cs}/u.test(v)) return `Invalid ${field}: must be valid Unicode text`;
      return null;
  }
}

/** The field rules raised as a 422 on the field for create and update. */
function check(field: MachineField, value: string): string {
  const err = machineFieldError(field, value);
  if (err) throw MachineErrors.invalidField(field, err, err.startsWith('Missing') ? 'missing' : 'value_error');
  return value.trim();
}

/** Field rules shared by create, update and import; returns the cleaned value or throws a 422. */
export const machineRules = {
  name: (v: string): string => check('name', v),
  identifier: (v: string): string => check('machine_identifier', v),
  protocol(v: string): MachineProtocol {
    check('protocol', v);
    return normalizeMachineProtocol(v)!;
  },
  location(v: string | null): string | null {
    if (v === null) return null;
    return check('location', v) || null;
  },
  /** null clears it; otherwise a finite number of seconds in (0, 86400] */
  idealCycleTimeSeconds(v: number | null): number | null {
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw MachineErrors.invalidField('ideal_cycle_time_seconds', 'Input should be a valid number', 'float_type');
    if (v <= 0) throw MachineErrors.invalidField('ideal_cycle_time_seconds', 'Input should be greater than 0', 'greater_than');
    if (v > MACHINE_LIMITS.idealCycleTimeSecondsMax) {
      throw MachineErrors.invalidField('ideal_cycle_time_seconds', `Input should be less than or equal to ${MACHINE_LIMITS.idealCycleTimeSecondsMax}`, 'less_than_equal');
    }
    return v;
  },
};
