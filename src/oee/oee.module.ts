import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { OeeRecord } from './oee-record.entity.js';
import { OEE_ERROR_CODES } from './oee.errors.js';
import { OeeService, type ShiftSource, type ZoneSource } from './oee.service.js';

export const oeeModule = defineModule({
  name: 'oee',
  entities: [OeeRecord],
  // shifts give the planned windows and logged pieces, machine-groups the machine's zone
  services: ({ db, bus }, { audit, machineZones, shifts }: { audit: AuditService; machineZones: ZoneSource; shifts: ShiftSource }) => ({
    oee: new OeeService(db, bus, audit, machineZones, shifts),
  }),
  topics: ['oeeRecordChanged'],
  feeds: [],
  errors: OEE_ERROR_CODES,
});
