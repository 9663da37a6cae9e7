/** One stored reading. Tags (tenant, machine, metric) identify a series; value, unit and raw tag are data. */
export interface ReadingPoint {
  tenantId: string;
  machineId: string;
  metric: string;
  value: number;
  unit: string;
  rawTag: string | null;
  timestamp: Date;
}

export interface LatestReading {
  metric: string;
  value: number;
  unit: string;
  rawTag: string | null;
  timestamp: Date;
}

export const AGGREGATIONS = ['mean', 'min', 'max', 'sum', 'count', 'first', 'last'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface SeriesQuery {
  tenantId: string;
  machineId: string;
  /** metric names; empty = every metric of the machine */
  metrics: string[];
  start: Date;
  /** exclusive */
  end: Date;
  /** bucket width in seconds; absent = raw points */
  intervalSec?: number;
  aggregation: Aggregation;
  /** most points the whole answer may hold; the store reads at most limit + 1 to detect overflow */
  limit: number;
}

export interface SeriesPoint {
  timestamp: Date;
  value: number;
}

export interface Series {
  metric: string;
  /** unit of the newest point in the range (units may change over time) */
  unit: string | null;
  points: SeriesPoint[];
}

/** Thrown when the store cannot take or serve data right now (down, slow past the timeout). */
export class ReadingStoreUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'ReadingStoreUnavailableError';
  }
}

/** Thrown when a query would return more points than its limit. */
export class TooManyPointsError extends Error {
  constructor(readonly limit: number) {
    super(`The query returns more than ${limit} points; narrow the time range, pick fewer metrics or use a larger interval`);
    this.name = 'TooManyPointsError';
  }
}

/**
 * Where readings live. write() resolves only once the points are durably stored; a point with the
 * same (tenant, machine, metric, timestamp) as a stored one overwrites it, so retries are safe.
 */
export interface ReadingStore {
  readonly kind: 'influxdb' | 'postgres';
  /** creates the database / retention policy / tables it needs; idempotent */
  init(): Promise<void>;
  write(points: ReadingPoint[]): Promise<void>;
  /** newest reading of every metric of each machine */
  latest(tenantId: string, machineIds: string[]): Promise<Map<string, LatestReading[]>>;
  /** raw points, or buckets of intervalSec aggregated with `aggregation`; buckets without data are omitted */
  query(q: SeriesQuery): Promise<Series[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
