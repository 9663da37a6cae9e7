import { Migration20261121000000_foundation } from './Migration20261121000000_foundation.js';
import { Migration20261121010000_machines } from './Migration20261121010000_machines.js';
import { Migration20261121020000_machine_indexes } from './Migration20261121020000_machine_indexes.js';
import { Migration20261121030000_readings } from './Migration20261121030000_readings.js';
import { Migration20261121040000_machine_search_columns } from './Migration20261121040000_machine_search_columns.js';
import { Migration20261122000000_mfa_last_step } from './Migration20261122000000_mfa_last_step.js';
import { Migration20261129000000_machines_fillfactor } from './Migration20261129000000_machines_fillfactor.js';
import { Migration20261129100000_alerts } from './Migration20261129100000_alerts.js';
import { Migration20261129200000_downtime } from './Migration20261129200000_downtime.js';
import { Migration20261129214500_downtime_settings } from './Migration20261129214500_downtime_settings.js';
import { Migration20261129220000_agents } from './Migration20261129220000_agents.js';
import { Migration20261129221000_ingest_sources } from './Migration20261129221000_ingest_sources.js';
import { Migration20261130000000_notifications } from './Migration20261130000000_notifications.js';
import { Migration20261130000100_notification_deliveries } from './Migration20261130000100_notification_deliveries.js';
import { Migration20261130010000_time_zones } from './Migration20261130010000_time_zones.js';
import { Migration20261130010100_oee } from './Migration20261130010100_oee.js';
import { Migration20261130010200_shifts } from './Migration20261130010200_shifts.js';
import { Migration20261130010300_handover_indexes } from './Migration20261130010300_handover_indexes.js';
import { Migration20261130020000_maintenance } from './Migration20261130020000_maintenance.js';
import { Migration20261130020100_work_orders } from './Migration20261130020100_work_orders.js';
import { Migration20261130020200_inventory } from './Migration20261130020200_inventory.js';
import { Migration20261130020300_signoffs } from './Migration20261130020300_signoffs.js';

/** Static list so migrations load the same under tsc output and under vitest. */
export const migrationsList = [
  { name: 'Migration20261121000000_foundation', class: Migration20261121000000_foundation },
  { name: 'Migration20261121010000_machines', class: Migration20261121010000_machines },
  { name: 'Migration20261121020000_machine_indexes', class: Migration20261121020000_machine_indexes },
  { name: 'Migration20261121030000_readings', class: Migration20261121030000_readings },
  { name: 'Migration20261121040000_machine_search_columns', class: Migration20261121040000_machine_search_columns },
  { name: 'Migration20261122000000_mfa_last_step', class: Migration20261122000000_mfa_last_step },
  { name: 'Migration20261129000000_machines_fillfactor', class: Migration20261129000000_machines_fillfactor },
  { name: 'Migration20261129100000_alerts', class: Migration20261129100000_alerts },
  { name: 'Migration20261129200000_downtime', class: Migration20261129200000_downtime },
  { name: 'Migration20261129214500_downtime_settings', class: Migration20261129214500_downtime_settings },
  { name: 'Migration20261129220000_agents', class: Migration20261129220000_agents },
  { name: 'Migration20261129221000_ingest_sources', class: Migration20261129221000_ingest_sources },
  { name: 'Migration20261130000000_notifications', class: Migration20261130000000_notifications },
  { name: 'Migration20261130000100_notification_deliveries', class: Migration20261130000100_notification_deliveries },
  { name: 'Migration20261130010000_time_zones', class: Migration20261130010000_time_zones },
  { name: 'Migration20261130010100_oee', class: Migration20261130010100_oee },
  { name: 'Migration20261130010200_shifts', class: Migration20261130010200_shifts },
  { name: 'Migration20261130010300_handover_indexes', class: Migration20261130010300_handover_indexes },
  { name: 'Migration20261130020000_maintenance', class: Migration20261130020000_maintenance },
  { name: 'Migration20261130020100_work_orders', class: Migration20261130020100_work_orders },
  { name: 'Migration20261130020200_inventory', class: Migration20261130020200_inventory },
  { name: 'Migration20261130020300_signoffs', class: Migration20261130020300_signoffs },
];
