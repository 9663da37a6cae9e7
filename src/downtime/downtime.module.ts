import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { DowntimeRecord } from './downtime-record.entity.js';
import { DOWNTIME_ERROR_CODES } from './downtime.errors.js';
import { DowntimeService } from './downtime.service.js';
import { ReasonCode } from './reason-code.entity.js';
import { ReasonCodeService } from './reason-code.service.js';
import { AutoDowntime } from './auto-downtime.js';
import { DowntimeSettingsService } from './downtime-settings.service.js';

export const downtimeModule = defineModule({
  name: 'downtime',
  entities: [ReasonCode, DowntimeRecord],
  services: ({ db, bus, config, log, onClose }, { audit }: { audit: AuditService }) => {
    const reasonCodes = new ReasonCodeService(db, audit);
    const downtime = new DowntimeService(db, bus, audit, reasonCodes);
    // automatic downtime (auto-downtime.ts): follows machine status events, stops before the bus closes
    const downtimeSettings = new DowntimeSettingsService(db, audit);
    const autoDowntime = new AutoDowntime(db, bus, downtimeSettings, downtime, reasonCodes, config.machineOfflineAfterMs, (err) => log.error({ err }, 'automatic downtime failed'));
    onClose(() => autoDowntime.close());
    return { reasonCodes, downtime, downtimeSettings, autoDowntime };
  },
  jobs: {
    // every process follows the machine status events; the reconcile round runs once per cluster
    register: async (jobs, { autoDowntime }) => {
      autoDowntime.register(jobs);
      await autoDowntime.start();
    },
    schedule: (jobs, { autoDowntime }) => autoDowntime.schedule(jobs),
  },
  topics: ['downtimeStarted', 'downtimeEnded'],
  feeds: [],
  errors: DOWNTIME_ERROR_CODES,
});
