import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import type { DowntimeService } from '../downtime/downtime.service.js';
import { MaintenanceEvent } from './maintenance-event.entity.js';
import { MAINTENANCE_ERROR_CODES } from './maintenance.errors.js';
import { MaintenanceService } from './maintenance.service.js';

export const maintenanceModule = defineModule({
  name: 'maintenance',
  entities: [MaintenanceEvent],
  // downtime: events that create downtime open and end their records through it
  services: ({ db, bus }, { audit, downtime }: { audit: AuditService; downtime: DowntimeService }) => ({
    maintenance: new MaintenanceService(db, bus, audit, downtime),
  }),
  topics: ['maintenanceEventChanged'],
  feeds: [],
  errors: MAINTENANCE_ERROR_CODES,
});
