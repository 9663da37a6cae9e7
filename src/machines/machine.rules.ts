import { invalid } from '../common/errors.js';
import type { MachineProtocol } from './machine.entity.js';

export const PROTOCOLS: readonly MachineProtocol[] = ['opc_ua', 'modbus_tcp', 'csv', 'json'];
const IDENTIFIER_RE = /^[A-Za-z0-9\-_.:/#]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** Field rules shared by create, update and import; returns the cleaned value or throws a 422. */
export const machineRules = {
  name(v: string): string {
    const s = v.trim();
    if (!s) throw invalid('name', 'String should have at least 1 character', 'string_too_short');
    if (s.length > 200) throw invalid('name', 'String should have at most 200 characters', 'string_too_long');
    if (CONTROL_RE.test(s)) throw invalid('name', 'String must not contain control characters', 'value_error');
    return s;
  },
  identifier(v: string): string {
    const s = v.trim();
    if (!s) throw invalid('machine_identifier', 'String should have at least 1 character', 'string_too_short');
    if (s.length > 100) throw invalid('machine_identifier', 'String should have at most 100 characters', 'string_too_long');
    if (!IDENTIFIER_RE.test(s)) {
      throw invalid('machine_identifier', 'machine_identifier may contain letters, digits and - _ . : / # only', 'string_pattern_mismatch');
    }
    return s;
  },
  protocol(v: string): MachineProtocol {
    const p = v.trim().toLowerCase();
    const alias = p === 'opcua' ? 'opc_ua' : p === 'modbus' ? 'modbus_tcp' : p;
    if (!PROTOCOLS.includes(alias as MachineProtocol)) {
      throw invalid('protocol', `Input should be ${PROTOCOLS.map((x) => `'${x}'`).join(', ')}`, 'enum');
    }
    return alias as MachineProtocol;
  },
  location(v: string | null): string | null {
    if (v === null) return null;
    const s = v.trim();
    if (s.length > 500) throw invalid('location', 'String should have at most 500 characters', 'string_too_long');
    if (CONTROL_RE.test(s)) throw invalid('location', 'String must not contain control characters', 'value_error');
    return s || null;
  },
};
