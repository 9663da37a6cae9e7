import { describe, expect, it } from 'vitest';
import { stringifyResult } from '../../resolvers/sliced-json.js';

const expected = (v: unknown) => `${JSON.stringify(v)}\n`;

describe('stringifyResult (GraphQL answers with long lists)', () => {
  it('writes the same bytes as JSON.stringify, small and large, nested lists and odd values included', async () => {
    const points = Array.from({ length: 12_345 }, (_, i) => ({ timestamp: new Date(i * 1000).toISOString(), value: i % 7 === 0 ? null : i / 3 }));
    const values = [
      { data: { me: { id: '1', name: 'x' } } },
      { data: null, errors: [{ message: 'boom', extensions: { code: 'X' } }] },
      {
        data: {
          machineReadings: {
            series: [
              { metric: 'a "quoted"\n\u2028 metric', unit: null, points },
              { metric: 'empty', unit: 'u', points: [] },
              { metric: 'nested', unit: 'u', points: [[1, 2], [], [[3]], { deep: { deeper: [1, undefined, () => 1] } }] },
            ],
          },
          many: Array.from({ length: 6_000 }, (_, i) => (i % 3 === 0 ? i : i % 3 === 1 ? { id: `${i}`, skip: undefined } : [i, { n: i }])),
          dates: Array.from({ length: 5_001 }, (_, i) => new Date(i)),
          withToJson: { toJSON: () => ({ replaced: true }) },
          emptyObject: {},
        },
      },
    ];
    for (const v of values) expect(await stringifyResult(v)).toBe(expected(v));
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { data: Object.assign(Object.create(null) as object, { points }) });
    expect(await stringifyResult(nullProto)).toBe(expected(nullProto));
  });

  it('lets the event loop turn while writing a large answer, and not for a small one', async () => {
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    const points = Array.from({ length: 300_000 }, (_, i) => ({ timestamp: new Date(i * 1000).toISOString(), value: i / 3 }));
    setImmediate(tick);
    await stringifyResult({ data: { machineReadings: { series: [{ metric: 'm', unit: 'u', points }] } } });
    const large = turns;
    turns = 0;
    await stringifyResult({ data: { points: points.slice(0, 100) } });
    const small = turns;
    ticking = false;
    // 300,000 points take far longer than one 8 ms budget to write on any machine
    expect(large).toBeGreaterThan(2);
    expect(small).toBe(0);
  });
});
