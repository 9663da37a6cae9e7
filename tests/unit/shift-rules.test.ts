import { describe, expect, it } from 'vitest';
import { canTransition, dayIntervals, minutesOf, windowsOverlap, SHIFT_LOG_STATUSES } from '../../src/shifts/shift.rules.js';
import { comparisonStatement } from '../../src/shifts/shift.sql.js';

const w = (startTime: string, endTime: string) => ({ startTime, endTime });

describe('daily shift windows', () => {
  it('reads HH:MM as minutes of the day, 24:00 as 1440', () => {
    expect([minutesOf('00:00'), minutesOf('06:30'), minutesOf('23:59'), minutesOf('24:00')]).toEqual([0, 390, 1439, 1440]);
  });

  it('splits a window crossing midnight into the evening and the next morning', () => {
    expect(dayIntervals('06:00', '14:00')).toEqual([[360, 840]]);
    expect(dayIntervals('16:00', '24:00')).toEqual([[960, 1440]]);
    expect(dayIntervals('22:00', '06:00')).toEqual([[1320, 1440], [0, 360]]);
    // ending at midnight written 00:00: the evening only
    expect(dayIntervals('22:00', '00:00')).toEqual([[1320, 1440]]);
  });

  it('overlap: sharing a minute counts, touching ends do not, a night meets the next early shift', () => {
    expect(windowsOverlap(w('06:00', '14:00'), w('14:00', '22:00'))).toBe(false);
    expect(windowsOverlap(w('06:00', '14:00'), w('13:59', '22:00'))).toBe(true);
    expect(windowsOverlap(w('22:00', '06:00'), w('05:00', '13:00'))).toBe(true);
    expect(windowsOverlap(w('22:00', '06:00'), w('06:00', '14:00'))).toBe(false);
    expect(windowsOverlap(w('22:00', '06:00'), w('23:00', '23:30'))).toBe(true);
    expect(windowsOverlap(w('16:00', '24:00'), w('00:00', '06:00'))).toBe(false);
    expect(windowsOverlap(w('16:00', '24:00'), w('23:00', '01:00'))).toBe(true);
    expect(windowsOverlap(w('22:00', '00:00'), w('00:00', '06:00'))).toBe(false);
  });
});

describe('shift log transitions', () => {
  it('only active → completed | cancelled (or staying put)', () => {
    const allowed = SHIFT_LOG_STATUSES.flatMap((from) => SHIFT_LOG_STATUSES.filter((to) => from !== to && canTransition(from, to)).map((to) => `${from}→${to}`));
    expect(allowed).toEqual(['active→completed', 'active→cancelled']);
    for (const s of SHIFT_LOG_STATUSES) expect(canTransition(s, s)).toBe(true);
  });
});

describe('the comparison statement', () => {
  const base = { tenantId: 't', fromDate: '2026-01-01', toDate: '2026-01-31', now: new Date(0) };
  it.each([
    ['no filter', { machineId: null, groupId: null, definitionIds: [] }],
    ['a machine', { machineId: 'm', groupId: null, definitionIds: [] }],
    ['a group and definitions', { machineId: null, groupId: 'g', definitionIds: ['d1', 'd2'] }],
  ])('has one parameter per placeholder (%s)', (_label, f) => {
    const st = comparisonStatement({ ...base, ...f });
    expect(st.sql.split('?').length - 1).toBe(st.params.length);
  });
});
