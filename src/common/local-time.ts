/**
 * Local calendar arithmetic for every module that speaks in plant time (OEE days, shift windows,
 * `days` look-backs): the one place that turns a `YYYY-MM-DD` date, an `HH:MM` wall time and an
 * IANA zone into instants. Luxon is the one zone library (docs/decisions.md, issue 15); SQL does
 * the same with `AT TIME ZONE`, and tests/e2e/time-zones.test.ts proves both agree.
 *
 * Rules the issue fixes: a day is [local midnight, next local midnight), so 23 h or 25 h on DST
 * days; a wall time skipped by a spring-forward gap moves forward by the gap (02:30 → 03:30 in
 * Berlin, as PostgreSQL and Temporal's 'compatible' do); an ambiguous one (fall-back) takes the
 * earlier instant (Luxon's DateTime.fromObject would take the later, so wall times are resolved
 * here from the zone's offsets).
 */
import { IANAZone } from 'luxon';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
// A region name, never an offset such as "+05:00": Intl accepts those, but PostgreSQL reads a
// POSIX offset with the opposite sign, so the two sides would disagree by twice the offset.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Known zones by name; only valid names are kept, so its size is bounded by the zone database. */
const zones = new Map<string, IANAZone>();

function zoneOf(zone: string): IANAZone {
  const z = resolveZone(zone);
  if (z === null) throw new RangeError(`unknown time zone: ${JSON.stringify(zone)}`);
  return z;
}

function resolveZone(zone: string): IANAZone | null {
  if (typeof zone !== 'string' || zone.length > 64 || !ZONE_NAME.test(zone)) return null;
  const known = zones.get(zone);
  if (known) return known;
  if (!IANAZone.isValidZone(zone)) return null;
  // Intl matches names case-insensitively and gives back the canonical spelling: refuse a
  // miscased name ('europe/berlin') so the stored value is the one both sides know.
  const canonical = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  if (canonical !== zone && canonical.toLowerCase() === zone.toLowerCase()) return null;
  const z = IANAZone.create(zone);
  zones.set(zone, z);
  return z;
}

/** An IANA region name (or `UTC`) known to the zone database, spelled as the database spells it. */
export function isValidZone(zone: string): boolean {
  return resolveZone(zone) !== null;
}

/** A real calendar date `YYYY-MM-DD` (no 2026-02-30), years 0001–9999. */
export function isValidDate(s: string): boolean {
  const m = typeof s === 'string' ? DATE.exec(s) : null;
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(y: number, mo: number): number {
  // setUTCFullYear, not Date.UTC, which would read years 0–99 as 1900–1999
  const t = new Date(0);
  t.setUTCFullYear(y, mo, 0);
  return t.getUTCDate();
}

/** `HH:MM` from 00:00 to 23:59; `24:00` too when `allow2400` (an end time meaning the next midnight). */
export function isValidHhmm(s: string, allow2400 = false): boolean {
  if (typeof s !== 'string') return false;
  return HHMM.test(s) || (allow2400 && s === '24:00');
}

/** The local calendar date of an instant in `zone`. */
export function localDateOf(instant: Date, zone: string): string {
  const z = zoneOf(zone);
  return isoDate(new Date(instant.getTime() + z.offset(instant.getTime()) * MINUTE_MS));
}

/** Today's local date in `zone`. */
export function todayIn(zone: string, now: Date = new Date()): string {
  return localDateOf(now, zone);
}

/** The date `days` calendar days after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  return isoDate(new Date(utcMidnight(date) + days * DAY_MS));
}

/** The local day `date` in `zone` as [local midnight, next local midnight). */
export function dayBounds(date: string, zone: string): { start: Date; end: Date } {
  return { start: wallTime(date, '00:00', zone), end: wallTime(date, '24:00', zone) };
}

/**
 * The instant at which clocks in `zone` show `hhmm` on `date`. `24:00` is the next day's midnight.
 * Skipped (inside a spring-forward gap): moved forward by the gap. Ambiguous: the earlier instant.
 */
export function wallTime(date: string, hhmm: string, zone: string): Date {
  if (!isValidHhmm(hhmm, true)) throw new RangeError(`invalid time: ${JSON.stringify(hhmm)}`);
  const z = zoneOf(zone);
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  // the wall time read as if it were UTC; the real instant is that minus the zone's offset then
  const wall = utcMidnight(date) + (h * 60 + m) * MINUTE_MS;
  // Offsets a day either side bracket the instant: zones change offset at most once a day.
  const before = z.offset(wall - DAY_MS);
  const after = z.offset(wall + DAY_MS);
  const candidates = [wall - before * MINUTE_MS, wall - after * MINUTE_MS].filter(
    (t) => wall - z.offset(t) * MINUTE_MS === t,
  );
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  // In a gap: read with the offset in force before it, which lands as far past the gap's end as
  // the wall time was past its start.
  return new Date(wall - before * MINUTE_MS);
}

/**
 * A shift from `start` to `end` on local `date`. An end at or before the start crosses midnight and
 * ends on the next day; the shift belongs to the day it starts. Length follows the clocks (a
 * 22:00–06:00 shift lasts 7 h or 9 h on DST nights).
 */
export function shiftWindow(date: string, start: string, end: string, zone: string): { start: Date; end: Date } {
  if (!isValidHhmm(start) || !isValidHhmm(end, true)) throw new RangeError(`invalid shift times: ${start}–${end}`);
  const crosses = end !== '24:00' && end <= start;
  return { start: wallTime(date, start, zone), end: wallTime(crosses ? addDays(date, 1) : date, end, zone) };
}

function utcMidnight(date: string): number {
  if (!isValidDate(date)) throw new RangeError(`invalid date: ${JSON.stringify(date)}`);
  const t = new Date(0);
  t.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return t.getTime();
}

function isoDate(d: Date): string {
  const y = d.getUTCFullYear();
  if (y < 1 || y > 9999) throw new RangeError('date out of range (years 0001-9999)');
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}
