/** Kinds of maintenance (spec: maintenance.md shows `preventive`; the others are the issue's). */
export const MAINTENANCE_TYPES = ['preventive', 'corrective', 'predictive', 'inspection'] as const;
export type MaintenanceType = (typeof MAINTENANCE_TYPES)[number];

export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'completed', 'cancelled'] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];

/** Sort directions of the list (by scheduled_start). */
export const MAINTENANCE_SORT_DIRS = ['asc', 'desc'] as const;

/**
 * The state machine: scheduled → in_progress → completed; scheduled | in_progress → cancelled.
 * Every other change to a known status is a conflict; completed and cancelled are final.
 */
const NEXT: Readonly<Record<MaintenanceStatus, readonly MaintenanceStatus[]>> = {
  scheduled: ['in_progress', 'cancelled'],
  in_progress: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export const canTransition = (from: MaintenanceStatus, to: MaintenanceStatus): boolean => NEXT[from].includes(to);
export const isFinal = (s: MaintenanceStatus): boolean => NEXT[s].length === 0;
export const isMaintenanceType = (v: unknown): v is MaintenanceType => typeof v === 'string' && (MAINTENANCE_TYPES as readonly string[]).includes(v);
export const isMaintenanceStatus = (v: unknown): v is MaintenanceStatus => typeof v === 'string' && (MAINTENANCE_STATUSES as readonly string[]).includes(v);

/** Field limits of maintenance events, declared once for the REST schemas, the GraphQL inputs and the service. */
export const MAINTENANCE_LIMITS = {
  /** characters (code points) */
  title: 200,
  description: 5000,
  /** rows per kind (events, work orders) a handover section lists */
  handoverRows: 200,
} as const;
