/**
 * The OEE calculators with hand-checked numbers: the worked example of oee.md (480 min planned,
 * 72 min down, 30 s ideal cycle, 750 pieces, 720 good), the spec's record example (444/480,
 * 1189/1200), the summary example (91.2 × 88.5 × 98.9), sums, and the minor cases.
 */
import { describe, expect, it } from 'vitest';
import {
  availabilityOf,
  averageOeeOf,
  factorsOf,
  iso22400FromSums,
  lossMinutesOf,
  oeeOf,
  performanceOf,
  qualityOf,
  round1,
} from '../../src/oee/oee.calc.js';
import { mergeWindows } from '../../src/downtime/downtime-minutes.js';

describe('the worked example', () => {
  const f = factorsOf({ plannedMinutes: 480, runMinutes: 480 - 72, totalPieces: 750, goodPieces: 720, idealCycleSeconds: 30 });

  it('gives 85.0 / 91.9 / 96.0 and OEE 75.0', () => {
    // 408/480 = 0.85; 30·750 / (408·60) = 22500/24480 = 0.91912; 720/750 = 0.96
    expect(round1(f.availability!)).toBe(85);
    expect(round1(f.performance!)).toBe(91.9);
    expect(round1(f.quality)).toBe(96);
    // 0.85 · 0.91912 · 0.96 = 0.75 exactly: 408/480 · 22500/24480 · 0.96 = 22500/30000 · 0.96
    const oee = oeeOf({ availability: f.availability!, performance: f.performance!, quality: f.quality });
    expect(oee).toBeCloseTo(75, 10);
    expect(round1(oee)).toBe(75);
  });

  it('loses 72 / 33 / 15 minutes, and the rest of a 24 h day is not scheduled', () => {
    const l = lossMinutesOf(480, { availability: f.availability!, performance: f.performance!, quality: f.quality }, 1440);
    // 480·0.15 = 72; 408·(1 − 22500/24480) = 408 − 375 = 33; 375·0.04 = 15
    expect(l.availability_loss).toBeCloseTo(72, 10);
    expect(l.performance_loss).toBeCloseTo(33, 10);
    expect(l.quality_loss).toBeCloseTo(15, 10);
    expect(l.not_scheduled).toBe(960);
    // the losses and the fully productive time (ideal cycle × good = 360 min) fill the planned time
    expect(l.availability_loss + l.performance_loss + l.quality_loss + (30 * 720) / 60).toBeCloseTo(480, 10);
  });

  it('counts the not scheduled time of 23 h and 25 h days', () => {
    const f100 = { availability: 100, performance: 100, quality: 100 };
    expect(lossMinutesOf(480, f100, 23 * 60).not_scheduled).toBe(900);
    expect(lossMinutesOf(480, f100, 25 * 60).not_scheduled).toBe(1020);
  });
});

describe('the spec examples', () => {
  it('gives availability 92.5 for 444/480 and quality 99.1 for 1189/1200', () => {
    expect(availabilityOf(444, 480)).toBe(92.5);
    // 1189/1200 = 0.990833…
    expect(round1(qualityOf(1189, 1200))).toBe(99.1);
  });

  it('gives the summary 79.8 as the product of the averaged factors', () => {
    // 91.2 · 88.5 = 8071.2; · 98.9 = 798241.68; / 10⁴ = 79.824168
    const avg = averageOeeOf({ availability: 91.2, performance: 88.5, quality: 98.9 });
    expect(avg).toBeCloseTo(79.824168, 10);
    expect(round1(avg)).toBe(79.8);
  });
});

describe('sums (ISO 22400)', () => {
  it('weights performance by run time and quality by pieces', () => {
    // day 1: the worked example; day 2: 240 planned, 240 run, P 50 %, 400 pieces, 300 good
    const p1 = (30 * 750) / (408 * 60) * 100;
    const s = iso22400FromSums({
      plannedMinutes: 480 + 240,
      runMinutes: 408 + 240,
      performanceRunMinutes: p1 * 408 + 50 * 240,
      totalPieces: 750 + 400,
      goodPieces: 720 + 300,
    });
    expect(s.availability).toBe(90); // 648/720
    // (22500/60·100 + 12000) / 648 = (37500 + 12000) / 648 = 76.388…
    expect(s.performance).toBeCloseTo(49500 / 648, 10);
    expect(s.quality).toBeCloseTo((1020 / 1150) * 100, 10);
    expect(s.oee).toBeCloseTo((90 * (49500 / 648) * ((1020 / 1150) * 100)) / 10_000, 10);
  });

  it('has no availability nor OEE when nothing was planned', () => {
    expect(iso22400FromSums({ plannedMinutes: 0, runMinutes: 0, performanceRunMinutes: 0, totalPieces: 0, goodPieces: 0 })).toEqual({
      availability: null,
      performance: 0,
      quality: 100,
      oee: null,
    });
  });
});

describe('minor cases', () => {
  it('cannot compute availability without planned time', () => {
    expect(availabilityOf(0, 0)).toBeNull();
  });

  it('cannot compute performance without an ideal cycle', () => {
    expect(performanceOf(null, 750, 408)).toBeNull();
    expect(factorsOf({ plannedMinutes: 480, runMinutes: 408, totalPieces: 750, goodPieces: 720, idealCycleSeconds: null }).performance).toBeNull();
  });

  it('gives performance 0 without run time and quality 100 without pieces', () => {
    const f = factorsOf({ plannedMinutes: 480, runMinutes: 0, totalPieces: 0, goodPieces: 0, idealCycleSeconds: 30 });
    expect(f).toEqual({ availability: 0, performance: 0, quality: 100 });
    const l = lossMinutesOf(480, { availability: 0, performance: 0, quality: 100 }, 1440);
    expect(l).toEqual({ availability_loss: 480, performance_loss: 0, quality_loss: 0, not_scheduled: 960 });
  });

  it('lets performance exceed 100 when the ideal cycle is understated (the service refuses it)', () => {
    expect(performanceOf(60, 750, 408)).toBeGreaterThan(100);
  });

  it('rounds half away from zero to one decimal', () => {
    expect(round1(79.85)).toBe(79.9);
    expect(round1(0.04)).toBe(0);
  });
});

describe('the windows downtime is clipped to', () => {
  const w = (a: string, b: string) => ({ start: new Date(`2026-04-04T${a}:00Z`), end: new Date(`2026-04-04T${b}:00Z`) });
  const shown = (ws: { start: Date; end: Date }[]) => ws.map((x) => `${x.start.toISOString().slice(11, 16)}-${x.end.toISOString().slice(11, 16)}`);

  it('merges overlapping and touching windows, sorts them, drops empty ones', () => {
    expect(shown(mergeWindows([w('14:00', '22:00'), w('06:00', '14:00'), w('08:00', '10:00'), w('23:00', '23:00'), w('23:30', '23:00')]))).toEqual(['06:00-22:00']);
    expect(shown(mergeWindows([w('18:00', '20:00'), w('06:00', '08:00'), w('07:00', '09:00')]))).toEqual(['06:00-09:00', '18:00-20:00']);
    expect(mergeWindows([])).toEqual([]);
  });
});
