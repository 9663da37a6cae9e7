import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import type { MachineZoneService } from '../machine-groups/machine-zone.service.js';
import { ShiftDefinition } from './shift-definition.entity.js';
import { ShiftDefinitionService } from './shift-definition.service.js';
import { ShiftLog } from './shift-log.entity.js';
import { SHIFT_ERROR_CODES } from './shift.errors.js';
import { ShiftService } from './shift.service.js';

/** Completes logs left active past their planned end (once per cluster, every minute). */
export const SHIFT_AUTO_COMPLETE_JOB = 'shifts.auto-complete';
const AUTO_COMPLETE_EVERY_MS = 60_000;

export const shiftsModule = defineModule({
  name: 'shifts',
  entities: [ShiftDefinition, ShiftLog],
  services: ({ db, bus, config }, { audit, machineZones }: { audit: AuditService; machineZones: MachineZoneService }) => ({
    shiftDefinitions: new ShiftDefinitionService(db, audit),
    shifts: new ShiftService(db, bus, audit, machineZones, config.shiftAutoCompleteMinutes),
  }),
  jobs: {
    register: (jobs, { shifts }) =>
      jobs.register(SHIFT_AUTO_COMPLETE_JOB, async () => {
        await shifts.autoComplete();
      }),
    schedule: (jobs) => jobs.every(SHIFT_AUTO_COMPLETE_JOB, SHIFT_AUTO_COMPLETE_JOB, {}, AUTO_COMPLETE_EVERY_MS),
  },
  topics: ['shiftLogChanged'],
  feeds: [],
  errors: SHIFT_ERROR_CODES,
});
