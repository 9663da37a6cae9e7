/**
 * The instants both doors accept, in UTC years: PostgreSQL has no year 0 (it refuses
 * `0000-01-01`), and the pg driver reads years below 100 back as 19xx/20xx, so an instant outside
 * four-digit years would be a 500 or come back changed.
 */
export const INSTANT_YEARS = { min: 1000, max: 9999 } as const;

export function inInstantRange(d: Date): boolean {
  const y = d.getUTCFullYear();
  return y >= INSTANT_YEARS.min && y <= INSTANT_YEARS.max;
}

export const INSTANT_RANGE_MESSAGE = `Input should be a datetime between the years ${INSTANT_YEARS.min} and ${INSTANT_YEARS.max}`;
