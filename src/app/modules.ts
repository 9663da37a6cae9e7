import { agentsModule } from '../agents/agents.module.js';
import { alertsModule } from '../alerts/alerts.module.js';
import { apiKeysModule } from '../api-keys/api-keys.module.js';
import { auditModule } from '../audit/audit.module.js';
import { authModule } from '../auth/auth.module.js';
import { downtimeModule } from '../downtime/downtime.module.js';
import { fleetModule } from '../fleet/fleet.module.js';
import { ingestSourcesModule } from '../ingest-sources/ingest-sources.module.js';
import { inventoryModule } from '../inventory/inventory.module.js';
import { machineGroupsModule } from '../machine-groups/machine-groups.module.js';
import { machinesModule } from '../machines/machines.module.js';
import { notificationsModule } from '../notifications/notifications.module.js';
import { oeeModule } from '../oee/oee.module.js';
import { readingsModule } from '../readings/readings.module.js';
import { shiftsModule } from '../shifts/shifts.module.js';
import { maintenanceModule } from '../maintenance/maintenance.module.js';
import { signoffsModule } from '../signoffs/signoffs.module.js';
import { tenantsModule } from '../tenants/tenants.module.js';
import { usersModule } from '../users/users.module.js';
import { workOrdersModule } from '../work-orders/work-orders.module.js';
import type { ServicesOf } from './module.js';

/**
 * Every module, one line each, in build order: a module comes after the modules whose services it
 * uses. The container, the entity list and the dashboard socket loop over this list; the outer
 * layers key their own lists (`resolvers/modules.ts`, `rest/modules.ts`) by these names.
 */
export const MODULES = [
  auditModule,
  tenantsModule,
  usersModule,
  authModule,
  apiKeysModule,
  machinesModule,
  machineGroupsModule,
  downtimeModule,
  alertsModule,
  fleetModule,
  readingsModule,
  ingestSourcesModule,
  agentsModule,
  notificationsModule,
  shiftsModule,
  oeeModule,
  maintenanceModule,
  workOrdersModule,
  inventoryModule,
  signoffsModule,
] as const;

export type ModuleName = (typeof MODULES)[number]['name'];

/** `container.services`: every module's services by name. */
export type ModuleServices = ServicesOf<typeof MODULES>;
