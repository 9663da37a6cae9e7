import type { Route } from './route.js';
import { ROUTE_MODULES } from './modules.js';

/** The whole REST surface under /api/v1, from the module list. */
export const ROUTES: Route[] = ROUTE_MODULES.flatMap((m) => m.routes);
