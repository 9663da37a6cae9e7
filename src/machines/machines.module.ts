import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { feed, feedInstant } from '../server/dashboard-feed.js';
import { Machine } from './machine.entity.js';
import { machineStatusTopic } from './machine.events.js';
import { MachineImportService } from './machine-import.service.js';
import { MachineStatusService } from './machine-status.service.js';
import { MachineService } from './machine.service.js';
import { MACHINE_ERROR_CODES } from './machine.errors.js';

export const machinesModule = defineModule({
  name: 'machines',
  entities: [Machine],
  services: ({ db, bus, config, log, onClose }, { audit }: { audit: AuditService }) => {
    const machineStatus = new MachineStatusService(db, bus, config.machineOfflineAfterMs, (err) => log.error({ err }, 'deferred last_reading_at write failed'));
    // before the bus and the database close: deferred last_reading_at values are written, with their events
    onClose(() => machineStatus.close());
    return {
      machines: new MachineService(db, audit, config.machineOfflineAfterMs),
      machineImport: new MachineImportService(db, audit),
      machineStatus,
    };
  },
  jobs: {
    // the offline sweep is registered always and scheduled only where jobs run
    register: (jobs, { machineStatus }, { config }) => machineStatus.schedule(jobs, config.jobsEnabled),
  },
  topics: ['machineStatusChanged'],
  feeds: [
    feed(machineStatusTopic, (e) => [
      {
        type: 'machine_status',
        machine_id: e.machineId,
        old_status: e.oldStatus,
        new_status: e.newStatus,
        timestamp: feedInstant(e.timestamp),
      },
    ]),
  ],
  errors: MACHINE_ERROR_CODES,
});
