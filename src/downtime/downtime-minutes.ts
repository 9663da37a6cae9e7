import type { Database } from '../infra/database.js';
import { DOWNTIME_CATEGORIES } from './downtime.rules.js';

/**
 * Downtime minutes by category inside time windows, for OEE records and the shifts module: each
 * record is clipped to the windows and an open one counts up to `now`. `downtimeMinutes` merges a
 * day's shifts first so overlapping ones are not counted twice; `downtimeMinutesPerWindow` answers
 * many machines' windows (a page of shift logs) in one statement.
 */
export interface TimeWindow {
  start: Date;
  end: Date;
}

export interface MachineWindow extends TimeWindow {
  machineId: string;
}

/** The windows sorted and merged into disjoint ones; empty and inverted windows dropped. */
export function mergeWindows(windows: readonly TimeWindow[]): TimeWindow[] {
  const sorted = windows.filter((w) => w.end.getTime() > w.start.getTime()).sort((a, b) => a.start.getTime() - b.start.getTime());
  const merged: TimeWindow[] = [];
  for (const w of sorted) {
    const last = merged.at(-1);
    if (last && w.start.getTime() <= last.end.getTime()) {
      if (w.end.getTime() > last.end.getTime()) last.end = w.end;
    } else merged.push({ start: w.start, end: w.end });
  }
  return merged;
}

/**
 * One statement over keyed (machine, window) rows, summed by key and category. A machine's records
 * never overlap (the downtime service serialises its writers per machine and refuses overlaps), so
 * a window meets the records starting inside it (before now: a record starting later does not
 * exist yet) plus at most one starting before it, the machine's latest: two range scans of the
 * (tenant, machine, started_at) index per window, instead of the machine's whole history. Only a
 * zero-length record may share its start with another (the overlap test is strict), and it adds
 * nothing: the "latest before" skips them (a filter, not a sort, so the scan still stops at once).
 */
export const DOWNTIME_MINUTES_SQL = `select w.k, r.category,
         sum(greatest(0, extract(epoch from (least(coalesce(r.ended_at, p.now), w.we) - greatest(r.started_at, w.ws)))))::float8 / 60 as minutes
    from (select ?::timestamptz as now, ?::uuid as tenant_id) p
   cross join unnest(?::int[], ?::uuid[], ?::timestamptz[], ?::timestamptz[]) as w(k, machine_id, ws, we)
   cross join lateral (
     select d.category, d.started_at, d.ended_at from downtime_records d
      where d.tenant_id = p.tenant_id and d.machine_id = w.machine_id and d.started_at >= w.ws and d.started_at < least(w.we, p.now)
     union all
     (select d.category, d.started_at, d.ended_at from downtime_records d
       where d.tenant_id = p.tenant_id and d.machine_id = w.machine_id and d.started_at < least(w.ws, p.now) and (d.ended_at is null or d.ended_at > d.started_at)
       order by d.started_at desc limit 1)
   ) r
   group by w.k, r.category`;

export type DowntimeMinutes = Record<(typeof DOWNTIME_CATEGORIES)[number] | string, number>;

const zero = (): DowntimeMinutes => Object.fromEntries(DOWNTIME_CATEGORIES.map((c) => [c, 0])) as DowntimeMinutes;

/** Minutes by category for each key; `keys[i]` groups window i. Empty windows are not sent. */
async function minutesByKey(db: Database, tenantId: string, keys: number[], windows: MachineWindow[], now: Date): Promise<Map<number, DowntimeMinutes>> {
  const result = new Map<number, DowntimeMinutes>();
  const sent = windows.map((w, i) => ({ w, k: keys[i]! })).filter(({ w }) => w.end.getTime() > w.start.getTime());
  if (sent.length === 0) return result;
  const rows = await db.query<{ k: number; category: string; minutes: number }>(DOWNTIME_MINUTES_SQL, [
    now,
    tenantId,
    sent.map((x) => x.k),
    sent.map((x) => x.w.machineId),
    sent.map((x) => x.w.start),
    sent.map((x) => x.w.end),
  ]);
  for (const r of rows) {
    const k = Number(r.k);
    let m = result.get(k);
    if (!m) result.set(k, (m = zero()));
    m[r.category] = Number(r.minutes);
  }
  return result;
}

/** Per machine: its downtime inside the union of `windows`, open records up to now. */
export async function downtimeMinutes(
  db: Database,
  tenantId: string,
  machineIds: string[],
  windows: TimeWindow[],
  now: Date,
): Promise<Map<string, DowntimeMinutes>> {
  const ids = [...new Set(machineIds)];
  const merged = mergeWindows(windows);
  const keys: number[] = [];
  const pairs: MachineWindow[] = [];
  ids.forEach((machineId, k) => {
    for (const w of merged) {
      keys.push(k);
      pairs.push({ machineId, start: w.start, end: w.end });
    }
  });
  const byKey = await minutesByKey(db, tenantId, keys, pairs, now);
  return new Map(ids.map((id, k) => [id, byKey.get(k) ?? zero()]));
}

/** For each window on its own (one statement for all): its machine's downtime inside it. */
export async function downtimeMinutesPerWindow(db: Database, tenantId: string, windows: MachineWindow[], now: Date): Promise<DowntimeMinutes[]> {
  const byKey = await minutesByKey(db, tenantId, windows.map((_, i) => i), windows, now);
  return windows.map((_, i) => byKey.get(i) ?? zero());
}
