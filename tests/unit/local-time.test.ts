/**
 * Local calendar arithmetic (src/common/local-time.ts) on the days where it can go wrong: Berlin's
 * DST changes in 2026 (29 March: 02:00 → 03:00; 25 October: 03:00 → 02:00), a half-hour DST zone,
 * a zone without DST, '24:00', and invalid dates, times and zones. Instants are hand-checked UTC.
 */
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayBounds,
  isValidDate,
  isValidHhmm,
  isValidZone,
  localDateOf,
  shiftWindow,
  todayIn,
  wallTime,
} from '../../src/common/local-time.js';

const BERLIN = 'Europe/Berlin';
const hours = (w: { start: Date; end: Date }) => (w.end.getTime() - w.start.getTime()) / 3_600_000;
const iso = (d: Date) => d.toISOString();

describe('days in Europe/Berlin', () => {
  it('an ordinary day is 24 h from local midnight (UTC+1 in winter)', () => {
    const day = dayBounds('2026-01-15', BERLIN);
    expect(iso(day.start)).toBe('2026-01-14T23:00:00.000Z');
    expect(iso(day.end)).toBe('2026-01-15T23:00:00.000Z');
    expect(hours(day)).toBe(24);
  });

  it('2026-03-29 lasts 23 h', () => {
    const day = dayBounds('2026-03-29', BERLIN);
    expect(iso(day.start)).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(day.end)).toBe('2026-03-29T22:00:00.000Z');
    expect(hours(day)).toBe(23);
  });

  it('2026-10-25 lasts 25 h', () => {
    const day = dayBounds('2026-10-25', BERLIN);
    expect(iso(day.start)).toBe('2026-10-24T22:00:00.000Z');
    expect(iso(day.end)).toBe('2026-10-25T23:00:00.000Z');
    expect(hours(day)).toBe(25);
  });

  it('consecutive days tile the year without gaps: 365 days, 8760 h', () => {
    let total = 0;
    let date = '2026-01-01';
    for (let i = 0; i < 365; i++) {
      const day = dayBounds(date, BERLIN);
      const next = addDays(date, 1);
      expect(iso(dayBounds(next, BERLIN).start)).toBe(iso(day.end));
      total += hours(day);
      date = next;
    }
    expect(date).toBe('2027-01-01');
    expect(total).toBe(8760);
  });
});

describe('a 22:00–06:00 night shift', () => {
  it('lasts 8 h on an ordinary night and belongs to the day it starts', () => {
    const w = shiftWindow('2026-01-15', '22:00', '06:00', BERLIN);
    expect(iso(w.start)).toBe('2026-01-15T21:00:00.000Z');
    expect(iso(w.end)).toBe('2026-01-16T05:00:00.000Z');
    expect(hours(w)).toBe(8);
  });

  it('lasts 7 h over the spring-forward night (starting 2026-03-28)', () => {
    const w = shiftWindow('2026-03-28', '22:00', '06:00', BERLIN);
    expect(iso(w.start)).toBe('2026-03-28T21:00:00.000Z');
    expect(iso(w.end)).toBe('2026-03-29T04:00:00.000Z');
    expect(hours(w)).toBe(7);
  });

  it('lasts 9 h over the fall-back night (starting 2026-10-24)', () => {
    const w = shiftWindow('2026-10-24', '22:00', '06:00', BERLIN);
    expect(iso(w.start)).toBe('2026-10-24T20:00:00.000Z');
    expect(iso(w.end)).toBe('2026-10-25T05:00:00.000Z');
    expect(hours(w)).toBe(9);
  });

  it('an end equal to the start is a full day; 24:00 ends at the next midnight', () => {
    expect(hours(shiftWindow('2026-03-28', '06:00', '06:00', BERLIN))).toBe(23);
    const late = shiftWindow('2026-10-25', '14:00', '24:00', BERLIN);
    expect(iso(late.end)).toBe('2026-10-25T23:00:00.000Z');
    expect(hours(late)).toBe(10);
  });
});

describe('wall times at the transitions', () => {
  it('a skipped wall time moves forward by the gap (02:30 → 03:30 CEST)', () => {
    expect(iso(wallTime('2026-03-29', '02:30', BERLIN))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(wallTime('2026-03-29', '02:00', BERLIN))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(wallTime('2026-03-29', '03:00', BERLIN))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(wallTime('2026-03-29', '01:59', BERLIN))).toBe('2026-03-29T00:59:00.000Z');
  });

  it('an ambiguous wall time takes the earlier instant (02:30 CEST, not CET)', () => {
    expect(iso(wallTime('2026-10-25', '02:30', BERLIN))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(wallTime('2026-10-25', '02:00', BERLIN))).toBe('2026-10-25T00:00:00.000Z');
    expect(iso(wallTime('2026-10-25', '03:00', BERLIN))).toBe('2026-10-25T02:00:00.000Z');
    // New York falls back at 02:00 EDT: 01:30 happens twice
    expect(iso(wallTime('2026-11-01', '01:30', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('handles half-hour DST (Lord Howe) and zones without DST', () => {
    // Lord Howe: +10:30 standard, +11 in summer; back at 02:00 on 2026-04-05, forward at 02:00 on 2026-10-04
    expect(iso(wallTime('2026-04-05', '01:45', 'Australia/Lord_Howe'))).toBe('2026-04-04T14:45:00.000Z');
    expect(iso(wallTime('2026-10-04', '02:15', 'Australia/Lord_Howe'))).toBe('2026-10-03T15:45:00.000Z');
    expect(hours(dayBounds('2026-10-04', 'Australia/Lord_Howe'))).toBe(23.5);
    expect(iso(wallTime('2026-03-29', '02:30', 'Asia/Kolkata'))).toBe('2026-03-28T21:00:00.000Z');
    expect(hours(dayBounds('2026-03-29', 'UTC'))).toBe(24);
  });
});

describe('local dates', () => {
  it('localDateOf and todayIn read the date on local clocks', () => {
    const instant = new Date('2026-10-24T22:30:00Z');
    expect(localDateOf(instant, BERLIN)).toBe('2026-10-25');
    expect(localDateOf(instant, 'America/New_York')).toBe('2026-10-24');
    expect(localDateOf(instant, 'UTC')).toBe('2026-10-24');
    expect(todayIn('Asia/Kolkata', new Date('2026-12-31T18:30:00Z'))).toBe('2027-01-01');
    // a day's start belongs to it, its end to the next day
    const day = dayBounds('2026-03-29', BERLIN);
    expect(localDateOf(day.start, BERLIN)).toBe('2026-03-29');
    expect(localDateOf(new Date(day.end.getTime() - 1), BERLIN)).toBe('2026-03-29');
    expect(localDateOf(day.end, BERLIN)).toBe('2026-03-30');
  });

  it('addDays crosses months, leap days and years both ways', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2026-01-01', 365)).toBe('2027-01-01');
    expect(addDays('2026-03-29', 0)).toBe('2026-03-29');
  });
});

describe('validation', () => {
  it('dates: real calendar dates only', () => {
    for (const ok of ['2026-01-01', '2028-02-29', '0001-01-01', '9999-12-31', '0050-02-28']) expect(isValidDate(ok), ok).toBe(true);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-4-1', '26-04-01', '2026-04-01T00:00', '', ' 2026-04-01', '0000-01-01'])
      expect(isValidDate(bad), bad).toBe(false);
    expect(isValidDate(20260401 as unknown as string)).toBe(false);
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => dayBounds('yesterday', BERLIN)).toThrow(RangeError);
  });

  it('times: HH:MM, 24:00 only when allowed', () => {
    for (const ok of ['00:00', '06:30', '23:59']) expect(isValidHhmm(ok), ok).toBe(true);
    for (const bad of ['24:00', '24:01', '25:00', '6:30', '06:60', '06:30:00', '0630', '', 'ab:cd'])
      expect(isValidHhmm(bad), bad).toBe(false);
    expect(isValidHhmm('24:00', true)).toBe(true);
    expect(isValidHhmm('24:30', true)).toBe(false);
    expect(() => wallTime('2026-04-01', '25:00', BERLIN)).toThrow(RangeError);
    expect(() => shiftWindow('2026-04-01', '24:00', '06:00', BERLIN)).toThrow(RangeError);
  });

  it('zones: IANA names spelled as the database spells them; no offsets, no unknown names', () => {
    for (const ok of ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'])
      expect(isValidZone(ok), ok).toBe(true);
    for (const bad of ['', 'europe/berlin', 'utc', 'Mars/Olympus', '+05:00', '-03:00', 'Europe/Berlin ', '../etc/passwd', 'Europe//Berlin', 'x'.repeat(65)])
      expect(isValidZone(bad), bad).toBe(false);
    expect(isValidZone(null as unknown as string)).toBe(false);
    expect(() => dayBounds('2026-04-01', 'Mars/Olympus')).toThrow(RangeError);
    expect(() => localDateOf(new Date(), '+05:00')).toThrow(RangeError);
  });
});
