import { apiKeyRoutes } from './api-key.routes.js';
import { auditRoutes } from './audit.routes.js';
import { authRoutes } from './auth.routes.js';
import type { Route } from './route.js';
import { userRoutes } from './user.routes.js';
import { machineRoutes } from './machine.routes.js';
import { machineGroupRoutes } from './machine-group.routes.js';
import { readingRoutes } from './reading.routes.js';

/** The whole REST surface under /api/v1; modules append their table here. */
export const ROUTES: Route[] = [...authRoutes, ...apiKeyRoutes, ...userRoutes, ...auditRoutes, ...machineRoutes, ...machineGroupRoutes, ...readingRoutes];
