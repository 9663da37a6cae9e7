/** Statuses of a shift log; the only transitions are active → completed and active → cancelled. */
export const SHIFT_LOG_STATUSES = ['active', 'completed', 'cancelled'] as const;
export type ShiftLogStatus = (typeof SHIFT_LOG_STATUSES)[number];

/** Field limits and windows of shifts, declared once for the REST schemas, the GraphQL inputs and the services. */
export const SHIFT_LIMITS = {
  name: 100,
  supervisorName: 200,
  notes: 5000,
  /** definitions one tenant may hold (the list answers all of them at once) */
  definitionsPerTenant: 200,
  /** pieces of one log (int4) */
  maxPieces: 1_000_000_000,
  /** comparison: default look-back and longest range, in days (inclusive) */
  comparisonDefaultDays: 30,
  comparisonMaxDays: 366,
  /** at most this many shift_definition_id filters */
  comparisonMaxDefinitions: 50,
  /** handover: the window before ended_at (or now) */
  handoverHours: 24,
  /** handover: items listed per section (totals cover them all) */
  handoverMaxItems: 100,
  /** how far ahead of the machine's today a log's date may lie */
  maxDaysAhead: 1,
  /** clients' clocks drift: started_at / ended_at may lie this far ahead of the server clock */
  futureSkewMs: 5 * 60_000,
  /** active logs one auto-complete round closes (the next round takes the rest) */
  autoCompleteBatch: 500,
} as const;

export const COLOR_RE = /^#[0-9A-Fa-f]{6}$/;
export const HHMM_RE = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Minutes since midnight of `HH:MM` (`24:00` = 1440). */
export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The minutes of the day a window covers, as half-open intervals on [0, 1440): an end at or before
 * the start crosses midnight and covers the evening and the next morning.
 */
export function dayIntervals(start: string, end: string): [number, number][] {
  const s = minutesOf(start);
  const e = minutesOf(end);
  if (e > s) return [[s, e]];
  const out: [number, number][] = [[s, 1440]];
  if (e > 0) out.push([0, e]);
  return out;
}

/** Whether two daily windows share a minute (a night shift's morning meets the next day's early shift). */
export function windowsOverlap(a: { startTime: string; endTime: string }, b: { startTime: string; endTime: string }): boolean {
  for (const [s1, e1] of dayIntervals(a.startTime, a.endTime)) {
    for (const [s2, e2] of dayIntervals(b.startTime, b.endTime)) if (s1 < e2 && s2 < e1) return true;
  }
  return false;
}

/** Whether a log in `from` may move to `to` (only an active log changes status). */
export const canTransition = (from: ShiftLogStatus, to: ShiftLogStatus): boolean => from === to || (from === 'active' && to !== 'active');
