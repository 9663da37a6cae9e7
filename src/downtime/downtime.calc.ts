/**
 * Pure downtime arithmetic: clipping records to a window, the uptime summary and MTTR/MTBF. The
 * services compute the same totals in SQL and finish them with the `...From` functions below, so
 * the database and these functions share one definition (docs/downtime-metrics.md).
 */
import { DOWNTIME_CATEGORIES, type DowntimeCategory } from './downtime.rules.js';

/** What the calculators read of a record. */
export interface DowntimeInterval {
  startedAt: Date;
  /** null: open, counts up to `now` */
  endedAt: Date | null;
  category: DowntimeCategory;
  reasonCodeId?: string | null;
  reasonCodeName?: string | null;
}

export interface TimeWindow {
  start: Date;
  end: Date;
}

const round = (x: number, places: number) => {
  const f = 10 ** places;
  return Math.round(x * f) / f;
};
/** seconds are answered to the millisecond, hours to 4 places, percentages to 2 */
export const roundSeconds = (s: number) => round(s, 3);
const roundHours = (h: number) => round(h, 4);

/** A record's duration in minutes (2 places); null while open. */
export function durationMinutes(startedAt: Date, endedAt: Date | null): number | null {
  return endedAt ? round((endedAt.getTime() - startedAt.getTime()) / 60_000, 2) : null;
}

/** Whether the record shares time with the window: it starts before the window ends and is open or ends after it starts. */
export function intersects(r: DowntimeInterval, w: TimeWindow): boolean {
  return r.startedAt.getTime() < w.end.getTime() && (r.endedAt === null || r.endedAt.getTime() > w.start.getTime());
}

/** Seconds of the record inside the window; an open record lasts until `now` (never negative). */
export function clippedSeconds(r: DowntimeInterval, w: TimeWindow, now: Date): number {
  const end = Math.min((r.endedAt ?? now).getTime(), w.end.getTime());
  const start = Math.max(r.startedAt.getTime(), w.start.getTime());
  return Math.max(0, end - start) / 1000;
}

/** The uptime window as answered: the requested one, its end no later than `now` (the future has no uptime yet). */
export function effectiveWindow(w: TimeWindow, now: Date): TimeWindow {
  return { start: w.start, end: new Date(Math.min(w.end.getTime(), now.getTime())) };
}

/** Downtime of one (category, reason code) inside a window: what the SQL groups by. */
export interface DowntimeGroup {
  category: DowntimeCategory;
  reasonCodeId: string | null;
  reasonCodeName: string | null;
  count: number;
  seconds: number;
}

/** The records of one machine grouped as the uptime SQL groups them (window already effective). */
export function downtimeGroups(records: readonly DowntimeInterval[], w: TimeWindow, now: Date): DowntimeGroup[] {
  const groups = new Map<string, DowntimeGroup>();
  for (const r of records) {
    if (!intersects(r, w)) continue;
    const key = `${r.category}|${r.reasonCodeId ?? ''}`;
    const g = groups.get(key) ?? { category: r.category, reasonCodeId: r.reasonCodeId ?? null, reasonCodeName: r.reasonCodeName ?? null, count: 0, seconds: 0 };
    g.count++;
    g.seconds += clippedSeconds(r, w, now);
    groups.set(key, g);
  }
  return [...groups.values()];
}

export interface UptimeNumbers {
  windowSeconds: number;
  uptimeSeconds: number;
  downtimeSeconds: number;
  /** uptime / window × 100; null for an empty window */
  availabilityPercent: number | null;
  recordCount: number;
  byCategory: { category: DowntimeCategory; downtimeSeconds: number; count: number }[];
  /** largest downtime first; records without a code are one entry with a null id */
  byReasonCode: { reasonCodeId: string | null; reasonCodeName: string | null; downtimeSeconds: number; count: number }[];
}

/** The uptime summary from the grouped downtime of an (effective) window. */
export function uptimeFrom(w: TimeWindow, groups: readonly DowntimeGroup[]): UptimeNumbers {
  const windowSeconds = Math.max(0, w.end.getTime() - w.start.getTime()) / 1000;
  const downtime = Math.min(windowSeconds, groups.reduce((s, g) => s + g.seconds, 0));
  const byCategory = DOWNTIME_CATEGORIES.map((category) => {
    const of = groups.filter((g) => g.category === category);
    return { category, downtimeSeconds: roundSeconds(of.reduce((s, g) => s + g.seconds, 0)), count: of.reduce((s, g) => s + g.count, 0) };
  });
  const codes = new Map<string, UptimeNumbers['byReasonCode'][number]>();
  for (const g of groups) {
    const key = g.reasonCodeId ?? '';
    const e = codes.get(key) ?? { reasonCodeId: g.reasonCodeId, reasonCodeName: g.reasonCodeName, downtimeSeconds: 0, count: 0 };
    e.downtimeSeconds += g.seconds;
    e.count += g.count;
    codes.set(key, e);
  }
  const byReasonCode = [...codes.values()]
    .map((e) => ({ ...e, downtimeSeconds: roundSeconds(e.downtimeSeconds) }))
    .sort((a, b) => b.downtimeSeconds - a.downtimeSeconds || (a.reasonCodeId ?? '').localeCompare(b.reasonCodeId ?? ''));
  return {
    windowSeconds: roundSeconds(windowSeconds),
    uptimeSeconds: roundSeconds(windowSeconds - downtime),
    downtimeSeconds: roundSeconds(downtime),
    availabilityPercent: windowSeconds > 0 ? round(((windowSeconds - downtime) / windowSeconds) * 100, 2) : null,
    recordCount: groups.reduce((s, g) => s + g.count, 0),
    byCategory,
    byReasonCode,
  };
}

/** The uptime summary of one machine's records over a requested window. */
export function uptimeSummary(records: readonly DowntimeInterval[], requested: TimeWindow, now: Date): UptimeNumbers {
  const w = effectiveWindow(requested, now);
  return uptimeFrom(w, downtimeGroups(records, w, now));
}

/** The sums MTTR and MTBF are made of (one machine, or pooled over a fleet). */
export interface ReliabilityTotals {
  /** the window length times the number of machines */
  windowSeconds: number;
  /** every category, clipped to the window, open records up to now */
  downtimeSeconds: number;
  /** `unplanned` records that started in the window (open or ended) */
  failures: number;
  /** ended `unplanned` and `maintenance` records that started in the window */
  repairs: number;
  /** their full durations */
  repairSeconds: number;
}

export interface MttrMtbf {
  mttrHours: number | null;
  mtbfHours: number | null;
  totalFailures: number;
  totalRepairs: number;
}

const REPAIRS: readonly DowntimeCategory[] = ['unplanned', 'maintenance'];

/** The totals of records over a window ending now, for `machines` machines (pooled). */
export function reliabilityTotals(records: readonly DowntimeInterval[], w: TimeWindow, now: Date, machines = 1): ReliabilityTotals {
  const t: ReliabilityTotals = { windowSeconds: (machines * Math.max(0, w.end.getTime() - w.start.getTime())) / 1000, downtimeSeconds: 0, failures: 0, repairs: 0, repairSeconds: 0 };
  for (const r of records) {
    if (!intersects(r, w)) continue;
    t.downtimeSeconds += clippedSeconds(r, w, now);
    const inWindow = r.startedAt.getTime() >= w.start.getTime();
    if (!inWindow) continue;
    if (r.category === 'unplanned') t.failures++;
    if (REPAIRS.includes(r.category) && r.endedAt !== null) {
      t.repairs++;
      t.repairSeconds += (r.endedAt.getTime() - r.startedAt.getTime()) / 1000;
    }
  }
  return t;
}

/**
 * MTTR = repair seconds / repairs; MTBF = (window − downtime) / failures, in hours. Null where the
 * divisor is zero (no repairs, no failures); operating time below zero counts as zero.
 */
export function mttrMtbfFrom(t: ReliabilityTotals): MttrMtbf {
  const operating = Math.max(0, t.windowSeconds - t.downtimeSeconds);
  return {
    mttrHours: t.repairs > 0 ? roundHours(t.repairSeconds / t.repairs / 3600) : null,
    mtbfHours: t.failures > 0 ? roundHours(operating / t.failures / 3600) : null,
    totalFailures: t.failures,
    totalRepairs: t.repairs,
  };
}

/** MTTR/MTBF of records over the `days` before `now`. */
export function mttrMtbf(records: readonly DowntimeInterval[], days: number, now: Date, machines = 1): MttrMtbf {
  return mttrMtbfFrom(reliabilityTotals(records, lookBack(days, now), now, machines));
}

/** The window of the `days` days before `now`. */
export function lookBack(days: number, now: Date): TimeWindow {
  return { start: new Date(now.getTime() - days * 86_400_000), end: now };
}
