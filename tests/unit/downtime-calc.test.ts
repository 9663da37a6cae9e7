/**
 * The downtime calculators with hand-checked numbers (docs/downtime-metrics.md): clipping to the
 * window, open records, the uptime summary, MTTR/MTBF with zero, one and several failures,
 * maintenance-only repairs, the look-back boundary, a record spanning the whole window, pooling.
 */
import { describe, expect, it } from 'vitest';
import {
  clippedSeconds,
  durationMinutes,
  mttrMtbf,
  mttrMtbfFrom,
  reliabilityTotals,
  uptimeSummary,
  lookBack,
  type DowntimeInterval,
} from '../../src/downtime/downtime.calc.js';
import type { DowntimeCategory } from '../../src/downtime/downtime.rules.js';

const at = (s: string) => new Date(s);
const rec = (category: DowntimeCategory, start: string, end: string | null, reasonCodeId: string | null = null, reasonCodeName: string | null = null): DowntimeInterval => ({
  category,
  startedAt: at(start),
  endedAt: end === null ? null : at(end),
  reasonCodeId,
  reasonCodeName,
});

describe('durations and clipping', () => {
  it('gives minutes to two places, null while open', () => {
    expect(durationMinutes(at('2026-04-04T08:15:00Z'), at('2026-04-04T09:45:00Z'))).toBe(90);
    expect(durationMinutes(at('2026-04-04T08:15:00Z'), at('2026-04-04T08:16:40Z'))).toBe(1.67);
    expect(durationMinutes(at('2026-04-04T08:15:00Z'), null)).toBeNull();
  });

  it('clips a record to the window and counts an open one up to now', () => {
    const w = { start: at('2026-01-29T00:00:00Z'), end: at('2026-01-30T00:00:00Z') };
    const now = at('2026-01-31T00:00:00Z');
    expect(clippedSeconds(rec('unplanned', '2026-01-28T22:00:00Z', '2026-01-29T02:00:00Z'), w, now)).toBe(7200);
    expect(clippedSeconds(rec('unplanned', '2026-01-29T23:00:00Z', '2026-01-30T01:00:00Z'), w, now)).toBe(3600);
    // open, started 4 h before the window's end: counted up to the window end
    expect(clippedSeconds(rec('unplanned', '2026-01-29T20:00:00Z', null), w, now)).toBe(14_400);
    // open, window ending after now: counted up to now
    expect(clippedSeconds(rec('unplanned', '2026-01-29T20:00:00Z', null), { start: w.start, end: at('2026-02-05T00:00:00Z') }, at('2026-01-29T21:30:00Z'))).toBe(5400);
    // outside the window: nothing
    expect(clippedSeconds(rec('planned', '2026-01-27T00:00:00Z', '2026-01-28T00:00:00Z'), w, now)).toBe(0);
  });
});

describe('uptime summary', () => {
  it('an open record: 6 h of a day down, 75 % available', () => {
    const now = at('2026-01-31T00:00:00Z');
    const s = uptimeSummary([rec('unplanned', '2026-01-30T18:00:00Z', null)], { start: at('2026-01-30T00:00:00Z'), end: now }, now);
    expect(s).toMatchObject({ windowSeconds: 86_400, downtimeSeconds: 21_600, uptimeSeconds: 64_800, availabilityPercent: 75, recordCount: 1 });
  });

  it('records clipped at both window edges, with the breakdown by category and by reason code', () => {
    const now = at('2026-01-31T00:00:00Z');
    const s = uptimeSummary(
      [
        rec('unplanned', '2026-01-28T22:00:00Z', '2026-01-29T02:00:00Z', 'code-bearing', 'Bearing'), // 2 h inside
        rec('unplanned', '2026-01-29T23:00:00Z', '2026-01-30T01:00:00Z', 'code-bearing', 'Bearing'), // 1 h inside
        rec('planned', '2026-01-29T10:00:00Z', '2026-01-29T10:30:00Z'), // 0.5 h
        rec('changeover', '2026-01-30T03:00:00Z', '2026-01-30T04:00:00Z'), // after the window
      ],
      { start: at('2026-01-29T00:00:00Z'), end: at('2026-01-30T00:00:00Z') },
      now,
    );
    expect(s.windowSeconds).toBe(86_400);
    expect(s.downtimeSeconds).toBe(12_600);
    expect(s.uptimeSeconds).toBe(73_800);
    // 73,800 / 86,400 = 85.4166…
    expect(s.availabilityPercent).toBe(85.42);
    expect(s.recordCount).toBe(3);
    expect(s.byCategory).toEqual([
      { category: 'planned', downtimeSeconds: 1800, count: 1 },
      { category: 'unplanned', downtimeSeconds: 10_800, count: 2 },
      { category: 'changeover', downtimeSeconds: 0, count: 0 },
      { category: 'maintenance', downtimeSeconds: 0, count: 0 },
    ]);
    expect(s.byReasonCode).toEqual([
      { reasonCodeId: 'code-bearing', reasonCodeName: 'Bearing', downtimeSeconds: 10_800, count: 2 },
      { reasonCodeId: null, reasonCodeName: null, downtimeSeconds: 1800, count: 1 },
    ]);
  });

  it('a window reaching past now ends now; a record spanning the whole window leaves no uptime', () => {
    const now = at('2026-01-30T12:00:00Z');
    const s = uptimeSummary([rec('maintenance', '2026-01-01T00:00:00Z', null)], { start: at('2026-01-30T00:00:00Z'), end: at('2026-02-01T00:00:00Z') }, now);
    expect(s).toMatchObject({ windowSeconds: 43_200, downtimeSeconds: 43_200, uptimeSeconds: 0, availabilityPercent: 0, recordCount: 1 });
  });

  it('no records: all uptime; an empty window: availability null', () => {
    const now = at('2026-01-31T00:00:00Z');
    expect(uptimeSummary([], { start: at('2026-01-30T00:00:00Z'), end: now }, now)).toMatchObject({ downtimeSeconds: 0, uptimeSeconds: 86_400, availabilityPercent: 100, byReasonCode: [] });
    expect(uptimeSummary([], { start: at('2026-02-01T00:00:00Z'), end: at('2026-02-02T00:00:00Z') }, now)).toMatchObject({ windowSeconds: 0, availabilityPercent: null });
  });
});

describe('MTTR and MTBF (90 days before 2026-04-01: 2,160 h from 2026-01-01T00:00Z)', () => {
  const now = at('2026-04-01T00:00:00Z');

  it('the look-back window is exactly 90 days', () => {
    expect(lookBack(90, now)).toEqual({ start: at('2026-01-01T00:00:00Z'), end: now });
  });

  it('zero failures and no repairs: both null, never a division by zero', () => {
    expect(mttrMtbf([], 90, now)).toEqual({ mttrHours: null, mtbfHours: null, totalFailures: 0, totalRepairs: 0 });
    expect(mttrMtbf([rec('planned', '2026-02-01T00:00:00Z', '2026-02-01T08:00:00Z'), rec('changeover', '2026-02-02T00:00:00Z', '2026-02-02T01:00:00Z')], 90, now)).toEqual({
      mttrHours: null, mtbfHours: null, totalFailures: 0, totalRepairs: 0,
    });
  });

  it('one failure of 2 h: MTTR 2, MTBF (2160 − 2) / 1 = 2158', () => {
    expect(mttrMtbf([rec('unplanned', '2026-02-01T00:00:00Z', '2026-02-01T02:00:00Z')], 90, now)).toEqual({ mttrHours: 2, mtbfHours: 2158, totalFailures: 1, totalRepairs: 1 });
  });

  it('planned downtime is not a failure but is not operating time either', () => {
    const r = mttrMtbf([rec('unplanned', '2026-02-01T00:00:00Z', '2026-02-01T02:00:00Z'), rec('planned', '2026-02-10T00:00:00Z', '2026-02-10T08:00:00Z')], 90, now);
    // (2160 − 2 − 8) / 1
    expect(r).toEqual({ mttrHours: 2, mtbfHours: 2150, totalFailures: 1, totalRepairs: 1 });
  });

  it('maintenance-only repairs: MTTR from them (3 h and 1 h: 2), MTBF null without failures', () => {
    const r = mttrMtbf([rec('maintenance', '2026-02-01T08:00:00Z', '2026-02-01T11:00:00Z'), rec('maintenance', '2026-03-01T00:00:00Z', '2026-03-01T01:00:00Z')], 90, now);
    expect(r).toEqual({ mttrHours: 2, mtbfHours: null, totalFailures: 0, totalRepairs: 2 });
  });

  it("the spec's example: 5 failures (1–5 h) and 2 maintenance stops (0.5 h, 2 h) give MTTR 2.5 and MTBF (2160 − 17.5) / 5 = 428.5", () => {
    const records = [1, 2, 3, 4, 5].map((h, i) => rec('unplanned', `2026-02-0${i + 1}T00:00:00Z`, `2026-02-0${i + 1}T0${h}:00:00Z`));
    records.push(rec('maintenance', '2026-03-01T00:00:00Z', '2026-03-01T00:30:00Z'), rec('maintenance', '2026-03-02T00:00:00Z', '2026-03-02T02:00:00Z'));
    expect(mttrMtbf(records, 90, now)).toEqual({ mttrHours: 2.5, mtbfHours: 428.5, totalFailures: 5, totalRepairs: 7 });
  });

  it('an open failure counts as a failure and as downtime up to now, not as a repair', () => {
    const r = mttrMtbf([rec('unplanned', '2026-03-31T22:00:00Z', null)], 90, now);
    expect(r).toEqual({ mttrHours: null, mtbfHours: 2158, totalFailures: 1, totalRepairs: 0 });
    const t = reliabilityTotals([rec('unplanned', '2026-03-31T22:00:00Z', null)], lookBack(90, now), now);
    expect(t).toEqual({ windowSeconds: 7_776_000, downtimeSeconds: 7200, failures: 1, repairs: 0, repairSeconds: 0 });
  });

  it('the 90-day boundary: a failure starting exactly at the window start counts, one a second earlier only as clipped downtime', () => {
    expect(mttrMtbf([rec('unplanned', '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z')], 90, now)).toEqual({ mttrHours: 1, mtbfHours: 2159, totalFailures: 1, totalRepairs: 1 });
    const before = [rec('unplanned', '2025-12-31T23:59:59Z', '2026-01-01T01:00:00Z'), rec('unplanned', '2026-02-01T00:00:00Z', '2026-02-01T01:00:00Z')];
    const t = reliabilityTotals(before, lookBack(90, now), now);
    expect(t).toEqual({ windowSeconds: 7_776_000, downtimeSeconds: 7200, failures: 1, repairs: 1, repairSeconds: 3600 });
    // (2160 − 2) / 1; MTTR from the in-window failure only
    expect(mttrMtbfFrom(t)).toEqual({ mttrHours: 1, mtbfHours: 2158, totalFailures: 1, totalRepairs: 1 });
    // one day shorter a window, the first record falls out entirely
    expect(reliabilityTotals(before, lookBack(89, now), now).downtimeSeconds).toBe(3600);
  });

  it('a record spanning the whole window: no operating time', () => {
    // started before the window: not a failure, all downtime
    expect(mttrMtbf([rec('maintenance', '2025-12-01T00:00:00Z', null)], 90, now)).toEqual({ mttrHours: null, mtbfHours: null, totalFailures: 0, totalRepairs: 0 });
    // an open failure from the window start: one failure, MTBF 0
    expect(mttrMtbf([rec('unplanned', '2026-01-01T00:00:00Z', null)], 90, now)).toEqual({ mttrHours: null, mtbfHours: 0, totalFailures: 1, totalRepairs: 0 });
  });

  it('pooled over a fleet of two machines: MTTR 7/3 h, MTBF (2 × 2160 − 7) / 2', () => {
    const records = [
      rec('unplanned', '2026-02-01T00:00:00Z', '2026-02-01T02:00:00Z'),
      rec('unplanned', '2026-02-01T00:00:00Z', '2026-02-01T04:00:00Z'),
      rec('maintenance', '2026-02-03T00:00:00Z', '2026-02-03T01:00:00Z'),
    ];
    expect(mttrMtbf(records, 90, now, 2)).toEqual({ mttrHours: 2.3333, mtbfHours: 2156.5, totalFailures: 2, totalRepairs: 3 });
  });
});
