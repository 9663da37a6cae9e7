import { unsafeTextReason } from '../common/text-rules.js';

/** Limits of one reading and of a batch (spec: ingestion-readings.md). */
export const INGEST_MAX_BATCH = 1000;
export const MAX_FUTURE_MS = 5 * 60 * 1000;
export const MAX_PAST_DAYS = 3650;
export const MAX_METRIC_LENGTH = 255;
export const MAX_UNIT_LENGTH = 64;
export const MAX_RAW_TAG_LENGTH = 255;
export const MAX_IDENTIFIER_LENGTH = 100;

// Date and time with seconds (fraction optional) and an explicit zone.
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

// NUL and unpaired UTF-16 surrogates cannot be stored as PostgreSQL text (the server would fail with a 500).
const UNSTORABLE_RE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** true when a string holds characters no reading store can keep (NUL, unpaired surrogates). */
export function hasUnstorableChars(s: string): boolean {
  return UNSTORABLE_RE.test(s);
}

/**
 * A reading that passed every rule. The ingest service fills in tenantId and machineId once the
 * machine is known; the same object then goes to the store (a ReadingPoint) and to live
 * subscribers (a LiveReading): at 100,000 readings/s every object per reading counts.
 */
export interface ValidReading {
  tenantId: string;
  machineId: string;
  machineIdentifier: string;
  timestamp: Date;
  metric: string;
  value: number;
  unit: string;
  rawTag: string | null;
}

export interface RejectedReading {
  ok: false;
  machineIdentifier: string | null;
  error: string;
}

export type ReadingCheck = ValidReading | RejectedReading;

export function isRejected(c: ReadingCheck): c is RejectedReading {
  return (c as RejectedReading).ok === false;
}

// The readings of a batch mostly share their timestamp text (one sample of many metrics): the last
// text parsed is remembered, so a repeat costs a string comparison instead of the regex, and the
// readings share one Date (treated as immutable, as every Date of a reading is).
let lastInstantText: string | undefined;
let lastInstant: Date | null = null;

/** Parses an ISO 8601 instant with a zone; null for anything else (including impossible dates). */
export function parseInstant(s: string): Date | null {
  if (s === lastInstantText) return lastInstant;
  const d = parseInstantText(s);
  lastInstantText = s;
  lastInstant = d;
  return d;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at i as a number, or -1. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * "YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z" from 1970 on, the form nearly every client sends, read digit by
 * digit: with a different millisecond on every reading, the regex and Date's string parser were a
 * tenth of the server's time per reading. Anything else (offsets, longer fractions, hour 24,
 * impossible dates) returns undefined and takes the general path, so the answer is the same.
 */
function parseUtcFast(s: string): number | undefined {
  const n = s.length;
  if (n < 20 || n > 24 || s.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const y1 = digits2(s, 0);
  const y2 = digits2(s, 2);
  const month = digits2(s, 5);
  const day = digits2(s, 8);
  const hour = digits2(s, 11);
  const minute = digits2(s, 14);
  const second = digits2(s, 17);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const year = y1 * 100 + y2;
  if (year < 1970) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  let ms = 0;
  if (n > 20) {
    // ".f", ".ff" or ".fff" before the Z
    if (s.charCodeAt(19) !== 46 || n === 21) return undefined;
    for (let i = 20, scale = 100; i < n - 1; i++, scale /= 10) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      ms += d * scale;
    }
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

function parseInstantText(s: string): Date | null {
  const fast = parseUtcFast(s);
  if (fast !== undefined) return new Date(fast);
  const m = ISO_RE.exec(s);
  if (!m) return null;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return null;
  // Date accepts 2026-02-30 by rolling over (whatever the zone); the written date must exist in the calendar.
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate()) return null;
  return d;
}

/** A value as the reference backend takes it: a JSON number, or a numeric string (lax parsing). */
function numericValue(v: unknown): number | 'nan' | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : 'nan';
  if (v instanceof NonFinite) return 'nan';
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?(nan|inf|infinity)$/i.test(t)) return 'nan';
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
      const n = Number(t);
      return Number.isFinite(n) ? n : 'nan';
    }
  }
  return null;
}

/** Marker for NaN / Infinity / -Infinity tokens in an ingest body (JSON has no such values). */
export class NonFinite {
  constructor(readonly token: string) {}
}

const SNAKE = { machineIdentifier: 'machine_identifier', metricName: 'metric_name', unit: 'unit', rawTag: 'raw_tag' } as const;

/** Validates one reading (camelCase keys, values as received); the first failing rule is reported with its documented message. */
export function checkReading(raw: unknown, now: number, tenantId: string): ReadingCheck {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, machineIdentifier: null, error: 'Reading must be an object' };
  }
  const r = raw as Record<string, unknown>;
  const id = typeof r.machineIdentifier === 'string' ? r.machineIdentifier : null;
  const fail = (error: string): ReadingCheck => ({ ok: false, machineIdentifier: id, error });
  if (id === null || id.length === 0) return fail('machine_identifier is required');
  if (id.length > MAX_IDENTIFIER_LENGTH) return fail(`machine_identifier must be at most ${MAX_IDENTIFIER_LENGTH} characters`);
  const unstorable = (['machineIdentifier', 'metricName', 'unit', 'rawTag'] as const).find((k) => typeof r[k] === 'string' && hasUnstorableChars(r[k]));
  if (unstorable) return fail(`${SNAKE[unstorable]} must not contain NUL characters or unpaired surrogates`);
  if (typeof r.timestamp !== 'string') return fail('timestamp is required (ISO 8601, UTC)');
  const ts = parseInstant(r.timestamp);
  if (!ts) return fail('timestamp must be an ISO 8601 date-time with a time zone, e.g. 2026-04-04T10:30:00Z');
  if (ts.getTime() > now + MAX_FUTURE_MS) return fail('Timestamp is more than 5 minutes in the future');
  if (ts.getTime() < now - MAX_PAST_DAYS * 86_400_000) return fail(`Timestamp is more than ${MAX_PAST_DAYS} days in the past`);
  if (typeof r.metricName !== 'string' || r.metricName.length === 0) return fail('metric_name is required');
  if (r.metricName.length > MAX_METRIC_LENGTH) return fail(`metric_name must be at most ${MAX_METRIC_LENGTH} characters`);
  const metricUnsafe = unsafeTextReason(r.metricName);
  if (metricUnsafe) return fail(`metric_name ${metricUnsafe}`);
  if (r.value === undefined || r.value === null) return fail('value is required');
  const value = numericValue(r.value);
  if (value === null) return fail('Value must be a number');
  if (value === 'nan') return fail('Value must be finite');
  if (typeof r.unit !== 'string' || r.unit.length === 0) return fail('unit is required');
  if (r.unit.length > MAX_UNIT_LENGTH) return fail(`unit must be at most ${MAX_UNIT_LENGTH} characters`);
  const unitUnsafe = unsafeTextReason(r.unit);
  if (unitUnsafe) return fail(`unit ${unitUnsafe}`);
  let rawTag: string | null = null;
  if (r.rawTag !== undefined && r.rawTag !== null) {
    if (typeof r.rawTag !== 'string') return fail('raw_tag must be a string');
    if (r.rawTag.length > MAX_RAW_TAG_LENGTH) return fail(`raw_tag must be at most ${MAX_RAW_TAG_LENGTH} characters`);
    rawTag = r.rawTag;
  }
  return { tenantId, machineId: '', machineIdentifier: id, timestamp: ts, metric: r.metricName, value, unit: r.unit, rawTag };
}
