import type { ModuleName } from '../src/app/modules.js';
import { agentRoutes } from './agent.routes.js';
import { alertRoutes } from './alert.routes.js';
import { apiKeyRoutes } from './api-key.routes.js';
import { auditRoutes } from './audit.routes.js';
import { authRoutes } from './auth.routes.js';
import { downtimeRoutes } from './downtime.routes.js';
import { fleetRoutes } from './fleet.routes.js';
import { ingestSourceRoutes } from './ingest-source.routes.js';
import { machineGroupRoutes } from './machine-group.routes.js';
import { machineRoutes } from './machine.routes.js';
import { notificationRoutes } from './notification.routes.js';
import { shiftRoutes } from './shift.routes.js';
import { oeeRoutes } from './oee.routes.js';
import { readingRoutes } from './reading.routes.js';
import type { Route } from './route.js';
import { tenantRoutes } from './tenant.routes.js';
import { inventoryRoutes } from './inventory.routes.js';
import { maintenanceRoutes } from './maintenance.routes.js';
import { signoffRoutes } from './signoff.routes.js';
import { userRoutes } from './user.routes.js';
import { workOrderRoutes } from './work-order.routes.js';

/** A module's REST rows, keyed by the name of its manifest in src/app/modules.ts. */
export interface RouteModule {
  module: ModuleName;
  routes: readonly Route[];
}

/** Every module's rows, one line each, in the order of the REST surface (and of the OpenAPI document). */
export const ROUTE_MODULES: readonly RouteModule[] = [
  { module: 'auth', routes: authRoutes },
  { module: 'api-keys', routes: apiKeyRoutes },
  { module: 'users', routes: userRoutes },
  { module: 'audit', routes: auditRoutes },
  { module: 'tenants', routes: tenantRoutes },
  { module: 'machines', routes: machineRoutes },
  { module: 'fleet', routes: fleetRoutes },
  { module: 'machine-groups', routes: machineGroupRoutes },
  { module: 'readings', routes: readingRoutes },
  { module: 'alerts', routes: alertRoutes },
  { module: 'downtime', routes: downtimeRoutes },
  { module: 'ingest-sources', routes: ingestSourceRoutes },
  { module: 'agents', routes: agentRoutes },
  { module: 'notifications', routes: notificationRoutes },
  { module: 'shifts', routes: shiftRoutes },
  { module: 'oee', routes: oeeRoutes },
  { module: 'maintenance', routes: maintenanceRoutes },
  { module: 'work-orders', routes: workOrderRoutes },
  { module: 'inventory', routes: inventoryRoutes },
  { module: 'signoffs', routes: signoffRoutes },
];
