import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/readings/ingest.rules.js';

/** The general rule, as parseInstant applied it to every timestamp before the digit-by-digit path existed. */
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
function reference(s: string): number | null {
  const m = ISO_RE.exec(s);
  if (!m) return null;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return null;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate()) return null;
  return d.getTime();
}

const parsed = (s: string) => parseInstant(s)?.getTime() ?? null;

describe('parseInstant: UTC timestamps read digit by digit give what the general rule gives', () => {
  it('edge cases: calendar, clock, fractions, zones, malformed text', () => {
    const cases = [
      '2026-04-04T10:30:00Z', '2026-04-04T10:30:00.1Z', '2026-04-04T10:30:00.12Z', '2026-04-04T10:30:00.123Z',
      '2026-04-04T10:30:00.1234Z', '2026-04-04T10:30:00.123456789Z', '2026-04-04T10:30:00.Z', '2026-04-04T10:30:00.1234567890Z',
      '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2000-02-29T12:00:00Z', '2100-02-29T12:00:00Z', '1900-02-28T12:00:00Z',
      '2026-04-31T00:00:00Z', '2026-12-31T23:59:59.999Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z',
      '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z', '2026-01-01T23:59:60Z', '2026-01-01T25:00:00Z',
      '1970-01-01T00:00:00Z', '1969-12-31T23:59:59.999Z', '0000-01-01T00:00:00Z', '0099-06-15T00:00:00Z', '9999-12-31T23:59:59.999Z',
      '2026-04-04T10:30:00+02:00', '2026-04-04T10:30:00.5-05:30', '2026-04-04T10:30:00z', '2026-04-04t10:30:00Z', '2026-04-04 10:30:00Z',
      '2026-04-04T10:30Z', '2026-04-04T10:30:00', '2026-4-04T10:30:00Z', '2026-04-04T10:30:0aZ', '２０２６-04-04T10:30:00Z',
      '2026-04-04T10:30:00.12aZ', '2026-04-04T10:30:00,123Z', ' 2026-04-04T10:30:00Z', '2026-04-04T10:30:00Z ', '', 'Z', '2026-04-04T10:30:00.-12Z',
    ];
    for (const s of cases) expect(parsed(s), s).toBe(reference(s));
  });

  it('random timestamps of every form a client sends', () => {
    for (let i = 0; i < 20_000; i++) {
      const ms = Date.UTC(1960, 0, 1) + Math.floor(Math.random() * 120 * 365.25 * 86_400_000);
      const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
      const forms = [iso, iso.replace(/\.\d{3}Z$/, 'Z'), iso.replace(/(\.\d)\d\dZ$/, '$1Z'), iso.replace(/(\.\d\d)\dZ$/, '$1Z'), iso.replace(/Z$/, '+00:00')];
      for (const s of forms) expect(parsed(s), s).toBe(reference(s));
    }
  });
});
