import { isValidZone } from '../common/local-time.js';
import type { Database } from '../infra/database.js';
import { TenantErrors } from './tenant.errors.js';

/** Field limits of tenant settings, in characters; REST, GraphQL and the services read them here. */
export const TENANT_LIMITS = {
  /** the longest IANA name is 32 characters; the column leaves room */
  timeZone: 64,
} as const;

/**
 * The zone if both sides know it: Luxon (which turns local dates into instants here) and the
 * database (which groups by local day with `AT TIME ZONE`). Their zone data are separate copies, so
 * a name only one of them knows would later fail as a 500 in a report; it is a 422 now instead.
 */
export async function knownZone(db: Database, zone: string): Promise<string> {
  if (!isValidZone(zone)) throw TenantErrors.unknownZone();
  try {
    await db.query(`select ('2026-01-01'::timestamp at time zone ?) as t`, [zone]);
  } catch {
    throw TenantErrors.unknownZone();
  }
  return zone;
}
