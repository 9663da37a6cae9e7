/** The downtime categories (spec: downtime.md). */
export const DOWNTIME_CATEGORIES = ['planned', 'unplanned', 'changeover', 'maintenance'] as const;
export type DowntimeCategory = (typeof DOWNTIME_CATEGORIES)[number];

/** Who opened a record: a person (REST/GraphQL) or the automatic downtime of machine outages. */
export const DOWNTIME_ORIGINS = ['manual', 'automatic'] as const;
export type DowntimeOrigin = (typeof DOWNTIME_ORIGINS)[number];

/** Sort fields of GET /fleet/downtime. */
export const FLEET_DOWNTIME_SORT_FIELDS = ['started_at', 'ended_at', 'duration_minutes', 'category', 'machine_name'] as const;
export type FleetDowntimeSortField = (typeof FLEET_DOWNTIME_SORT_FIELDS)[number];

/** Field limits and windows of downtime, declared once for the REST schemas, the GraphQL inputs and the services. */
export const DOWNTIME_LIMITS = {
  /** characters (code points) of a record's reason */
  reason: 500,
  /** how far ahead of the server clock started_at / ended_at may lie (clients' clocks drift) */
  futureSkewMs: 5 * 60_000,
  /** default uptime-summary window when start/end are omitted */
  uptimeDefaultDays: 7,
  /** longest uptime-summary window */
  uptimeMaxDays: 366,
  /** MTTR/MTBF look-back */
  mttrDefaultDays: 90,
  mttrMinDays: 1,
  mttrMaxDays: 3650,
} as const;

/** Field limits of reason codes. */
export const REASON_CODE_LIMITS = {
  code: 50,
  name: 200,
  description: 1000,
  /** codes one tenant may hold: the list and the tree answer all of them at once */
  perTenant: 1000,
} as const;

export const isCategory = (c: unknown): c is DowntimeCategory => typeof c === 'string' && (DOWNTIME_CATEGORIES as readonly string[]).includes(c);

/** "Input should be 'a', 'b'": the enum message both doors give. */
export const enumMessage = (values: readonly string[]) => `Input should be ${values.map((s) => `'${s}'`).join(', ')}`;
