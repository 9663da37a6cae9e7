import { invalid } from '../common/errors.js';
import type { MachineProtocol } from './machine.entity.js';
import { machineFieldError, normalizeMachineProtocol } from './machine-import.parser.js';

type Field = Parameters<typeof machineFieldError>[0];

/** The import parser's field rules, raised as a 422 on the field for create and update. */
function check(field: Field, value: string): string {
  const err = machineFieldError(field, value);
  if (err) throw invalid(field, err, err.startsWith('Missing') ? 'missing' : 'value_error');
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
};
