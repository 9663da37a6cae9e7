/**
 * Pure OEE arithmetic (ISO 22400): the three factors, their product and the loss minutes. Factors
 * are percentages (92.5 = 92.5 %) at full precision; only responses round (`round1`). The records
 * service, the summary SQL's finishing step and the shifts module (per-shift OEE, comparison) all
 * use these functions, so there is one definition.
 *
 * Minor cases (docs/decisions.md, "OEE and shifts"): nothing planned → availability underivable
 * (null); no run time → performance 0 (nothing ran at speed); no pieces → quality 100 (no piece
 * was bad: the day's loss is already counted by availability or performance).
 */

/** The counts a record's factors are computed from. */
export interface OeeInputs {
  plannedMinutes: number;
  runMinutes: number;
  totalPieces: number;
  goodPieces: number;
  /** null: unknown, performance cannot be computed */
  idealCycleSeconds: number | null;
}

export interface OeeFactors {
  availability: number;
  performance: number;
  quality: number;
}

export interface LossMinutes {
  availability_loss: number;
  performance_loss: number;
  quality_loss: number;
  not_scheduled: number;
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;

/** A = run / planned × 100; null when nothing was planned. */
export function availabilityOf(runMinutes: number, plannedMinutes: number): number | null {
  return plannedMinutes > 0 ? (runMinutes / plannedMinutes) * 100 : null;
}

/** P = ideal cycle × total / run × 100; null without an ideal cycle, 0 without run time. */
export function performanceOf(idealCycleSeconds: number | null, totalPieces: number, runMinutes: number): number | null {
  if (idealCycleSeconds === null) return null;
  return runMinutes > 0 ? ((idealCycleSeconds * totalPieces) / (runMinutes * 60)) * 100 : 0;
}

/** Q = good / total × 100; 100 when no piece was made. */
export function qualityOf(goodPieces: number, totalPieces: number): number {
  return totalPieces > 0 ? (goodPieces / totalPieces) * 100 : 100;
}

/** OEE = A · P · Q, in %. */
export function oeeOf(f: OeeFactors): number {
  return (f.availability * f.performance * f.quality) / 10_000;
}

/** The factors computable from the inputs; null where one is underivable. */
export function factorsOf(i: OeeInputs): { availability: number | null; performance: number | null; quality: number } {
  return {
    availability: availabilityOf(i.runMinutes, i.plannedMinutes),
    performance: performanceOf(i.idealCycleSeconds, i.totalPieces, i.runMinutes),
    quality: qualityOf(i.goodPieces, i.totalPieces),
  };
}

/**
 * Minutes lost per documented category: planned·(1−A) to availability, planned·A·(1−P) to
 * performance, planned·A·P·(1−Q) to quality, and the rest of the day (`dayMinutes`: 1380, 1440 or
 * 1500 local minutes) not scheduled.
 */
export function lossMinutesOf(plannedMinutes: number, f: OeeFactors, dayMinutes: number): LossMinutes {
  const a = f.availability / 100;
  const p = f.performance / 100;
  const q = f.quality / 100;
  return {
    availability_loss: plannedMinutes * (1 - a),
    performance_loss: plannedMinutes * a * (1 - p),
    quality_loss: plannedMinutes * a * p * (1 - q),
    not_scheduled: Math.max(0, dayMinutes - plannedMinutes),
  };
}

/** The documented summary: `average_oee` is the product of the averaged factors (91.2 × 88.5 × 98.9 → 79.8). */
export function averageOeeOf(means: OeeFactors): number {
  return oeeOf(means);
}

/** Sums over records, as the summary and fleet SQL aggregate them. */
export interface OeeSums {
  plannedMinutes: number;
  runMinutes: number;
  /** Σ performance(%) × run minutes: performance weighted by run time, also when a record's P was sent */
  performanceRunMinutes: number;
  totalPieces: number;
  goodPieces: number;
}

/**
 * ISO 22400 factors from sums: Σrun/Σplanned, Σ(P·run)/Σrun, Σgood/Σtotal, and their product;
 * as per record: availability null when nothing was planned, performance 0 without run time,
 * quality 100 without pieces.
 */
export function iso22400FromSums(s: OeeSums): { availability: number | null; performance: number; quality: number; oee: number | null } {
  const availability = availabilityOf(s.runMinutes, s.plannedMinutes);
  const performance = s.runMinutes > 0 ? s.performanceRunMinutes / s.runMinutes : 0;
  const quality = qualityOf(s.goodPieces, s.totalPieces);
  const oee = availability !== null ? oeeOf({ availability, performance, quality }) : null;
  return { availability, performance, quality, oee };
}
