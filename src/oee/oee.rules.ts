import { MACHINE_LIMITS } from '../machines/machine.rules.js';

/** The three factors of a record, in the order of the formula. */
export const OEE_FACTORS = ['availability', 'performance', 'quality'] as const;
export type OeeFactor = (typeof OEE_FACTORS)[number];

/** How GET /fleet/oee groups machines. */
export const FLEET_OEE_GROUP_BY = ['site', 'machine'] as const;
export type FleetOeeGroupBy = (typeof FLEET_OEE_GROUP_BY)[number];

/** Limits of OEE records and views, declared once for the REST schemas, the GraphQL inputs and the service. */
export const OEE_LIMITS = {
  /** minutes of a record: no local day is longer (25 h); the day's own length is checked by the service */
  maxMinutes: 1500,
  /** pieces of one machine and day (fits PostgreSQL integer with room) */
  maxPieces: 1_000_000_000,
  idealCycleMaxSeconds: MACHINE_LIMITS.idealCycleTimeSecondsMax,
  summaryDefaultDays: 30,
  summaryMinDays: 1,
  summaryMaxDays: 365,
} as const;
