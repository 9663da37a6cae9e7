import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import type { DowntimeService } from '../downtime/downtime.service.js';
import { MaintenanceEvent } from './maintenance-event.entity.js';
import { MAINTENANCE_ERROR_CODES } from './maintenance.errors.js';
import { MaintenanceService } from './maintenance.service.js';
import { maintenanceHandoverSection } from './maintenance-handover.js';
import type { ShiftService } from '../shifts/shift.service.js';

export const maintenanceModule = defineModule({
  name: 'maintenance',
  entities: [MaintenanceEvent],
  // downtime: events that create downtime open and end their records through it; shifts: the
  // maintenance done in a shift's window fills its handover report's `maintenance` section
  services: ({ db, bus }, { audit, downtime, shifts }: { audit: AuditService; downtime: DowntimeService; shifts: ShiftService }) => {
    shifts.registerHandoverSection(maintenanceHandoverSection(db));
    return { maintenance: new MaintenanceService(db, bus, audit, downtime) };
  },
  topics: ['maintenanceEventChanged'],
  feeds: [],
  errors: MAINTENANCE_ERROR_CODES,
});
