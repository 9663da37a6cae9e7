/**
 * The maintenance state machine and enums (src/maintenance/maintenance.rules.ts): every (from, to)
 * pair against the table, the final states, and the type/status guards.
 */
import { describe, expect, it } from 'vitest';
import { canTransition, isFinal, isMaintenanceStatus, isMaintenanceType, MAINTENANCE_STATUSES, MAINTENANCE_TYPES } from '../../src/maintenance/maintenance.rules.js';

const ALLOWED = new Set(['scheduled>in_progress', 'in_progress>completed', 'scheduled>cancelled', 'in_progress>cancelled']);

describe('maintenance state machine', () => {
  it('allows exactly the four transitions of the issue among all sixteen pairs', () => {
    for (const from of MAINTENANCE_STATUSES) {
      for (const to of MAINTENANCE_STATUSES) expect(canTransition(from, to), `${from} -> ${to}`).toBe(ALLOWED.has(`${from}>${to}`));
    }
  });

  it('makes completed and cancelled final, scheduled and in_progress not', () => {
    expect(MAINTENANCE_STATUSES.filter(isFinal)).toEqual(['completed', 'cancelled']);
  });

  it('knows the four types and four statuses, case-sensitively, and nothing else', () => {
    expect(MAINTENANCE_TYPES).toEqual(['preventive', 'corrective', 'predictive', 'inspection']);
    for (const v of MAINTENANCE_TYPES) expect(isMaintenanceType(v)).toBe(true);
    for (const v of MAINTENANCE_STATUSES) expect(isMaintenanceStatus(v)).toBe(true);
    for (const v of ['Preventive', 'emergency', '', null, undefined, 1, 'scheduled ']) {
      expect(isMaintenanceType(v)).toBe(false);
      expect(isMaintenanceStatus(v)).toBe(false);
    }
    expect(isMaintenanceStatus('toString')).toBe(false);
  });
});
