import { describe, expect, it } from 'vitest';
import {
  cleared,
  compileRule,
  evaluate,
  holds,
  newSeriesState,
  ruleApplies,
  type RuleSpec,
  type Transition,
} from '../../src/alerts/alert-evaluator.js';

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);
const sec = (s: number) => T0 + s * 1000;

/** Feeds [seconds, value] pairs of one metric and returns the transition kinds with severities. */
function run(spec: RuleSpec, points: [number, number][], metric = 'temperature', state = newSeriesState()): (string | null)[] {
  return points.map(([s, value]) => describeT(evaluate(spec, state, { metric, value, time: sec(s) })));
}

function describeT(t: Transition | null): string | null {
  if (!t) return null;
  return t.kind === 'resolve' ? 'resolve' : `${t.kind}:${t.severity}`;
}

const above: RuleSpec = { kind: 'simple', metric: 'temperature', operator: '>', warning: 80, critical: 85, durationMs: 0, deadband: 0 };
const below: RuleSpec = { kind: 'simple', metric: 'pressure', operator: '<', warning: 2, critical: 1, durationMs: 0, deadband: 0 };

describe('operators', () => {
  it('compares in both directions and by equality', () => {
    expect([holds('>', 81, 80), holds('>', 80, 80), holds('>=', 80, 80), holds('<', 79, 80), holds('<', 80, 80), holds('<=', 80, 80)]).toEqual([
      true,
      false,
      true,
      true,
      false,
      true,
    ]);
    expect([holds('==', 3, 3), holds('==', 3.5, 3), holds('!=', 3.5, 3), holds('!=', 3, 3)]).toEqual([true, false, true, false]);
  });

  it('clears only past the threshold by the deadband', () => {
    // > 80 with deadband 1.5: 79 is not yet back, 78.5 is
    expect([cleared('>', 79, 80, 1.5), cleared('>', 78.5, 80, 1.5), cleared('>', 80, 80, 0)]).toEqual([false, true, true]);
    expect([cleared('<', 2.5, 2, 1), cleared('<', 3, 2, 1)]).toEqual([false, true]);
    expect([cleared('==', 3.2, 3, 0.5), cleared('==', 3.6, 3, 0.5), cleared('!=', 3.4, 3, 0.5), cleared('!=', 3.6, 3, 0.5)]).toEqual([false, true, true, false]);
  });
});

describe('simple rules', () => {
  it('opens a warning above the warning threshold, escalates to critical, resolves when normal', () => {
    expect(run(above, [[0, 70], [1, 81], [2, 82], [3, 86], [4, 90], [5, 75]])).toEqual([null, 'open:warning', null, 'escalate:critical', null, 'resolve']);
  });

  it('works downwards for < thresholds', () => {
    expect(run(below, [[0, 3], [1, 1.5], [2, 0.5], [3, 2.5]], 'pressure')).toEqual([null, 'open:warning', 'escalate:critical', 'resolve']);
  });

  it('opens straight at critical when the first violation is already past critical', () => {
    const state = newSeriesState();
    const t = evaluate(above, state, { metric: 'temperature', value: 99, time: sec(0) });
    expect(t).toEqual({ kind: 'open', severity: 'critical', metric: 'temperature', operator: '>', value: 99, threshold: 85, time: sec(0) });
    expect(state.active).toBe('critical');
  });

  it('reports the threshold crossed and the value that crossed it', () => {
    const state = newSeriesState();
    expect(evaluate(above, state, { metric: 'temperature', value: 81.5, time: sec(0) })).toMatchObject({ threshold: 80, value: 81.5 });
    expect(evaluate(above, state, { metric: 'temperature', value: 87, time: sec(1) })).toMatchObject({ kind: 'escalate', threshold: 85, value: 87 });
  });

  it('does not step down from critical to warning', () => {
    expect(run(above, [[0, 90], [1, 82], [2, 81], [3, 79]])).toEqual(['open:critical', null, null, 'resolve']);
  });

  it('equality rules open on the exact value only', () => {
    const eq: RuleSpec = { kind: 'simple', metric: 'state', operator: '==', warning: null, critical: 3, durationMs: 0, deadband: 0 };
    expect(run(eq, [[0, 2], [1, 3], [2, 3], [3, 4]], 'state')).toEqual([null, 'open:critical', null, 'resolve']);
    const neq: RuleSpec = { kind: 'simple', metric: 'state', operator: '!=', warning: 1, critical: null, durationMs: 0, deadband: 0 };
    expect(run(neq, [[0, 1], [1, 2], [2, 1]], 'state')).toEqual([null, 'open:warning', 'resolve']);
  });

  it('with only a critical threshold never opens a warning', () => {
    const crit: RuleSpec = { ...above, warning: null } as RuleSpec;
    expect(run(crit, [[0, 82], [1, 86], [2, 84]])).toEqual([null, 'open:critical', 'resolve']);
  });

  it('ignores readings of other metrics', () => {
    expect(run(above, [[0, 99]], 'humidity')).toEqual([null]);
  });
});

describe('duration', () => {
  const slow: RuleSpec = { ...above, durationMs: 60_000 } as RuleSpec;

  it('does not open before the condition held for the duration, by reading timestamps', () => {
    expect(run(slow, [[0, 81], [30, 82], [59, 83]])).toEqual([null, null, null]);
  });

  it('opens once the readings span the duration', () => {
    expect(run(slow, [[0, 81], [30, 82], [60, 83]])).toEqual([null, null, 'open:warning']);
  });

  it('starts over when the condition breaks', () => {
    expect(run(slow, [[0, 81], [30, 70], [60, 82], [100, 83], [120, 84]])).toEqual([null, null, null, null, 'open:warning']);
  });

  it('needs the duration at critical before escalating', () => {
    expect(run(slow, [[0, 81], [60, 90], [90, 90], [120, 90]])).toEqual([null, 'open:warning', null, 'escalate:critical']);
  });
});

describe('deadband', () => {
  const banded: RuleSpec = { ...above, deadband: 1.5 } as RuleSpec;

  it('a value hovering at the threshold does not flap', () => {
    expect(run(banded, [[0, 81], [1, 79.9], [2, 80.5], [3, 79], [4, 80.2], [5, 78.5]])).toEqual(['open:warning', null, null, null, null, 'resolve']);
  });

  it('without a deadband the same values resolve and reopen', () => {
    expect(run(above, [[0, 81], [1, 79.9], [2, 80.5]])).toEqual(['open:warning', 'resolve', 'open:warning']);
  });
});

describe('out-of-order and late readings', () => {
  it('a reading older than the newest evaluated neither opens nor resolves', () => {
    const state = newSeriesState();
    expect(run(above, [[10, 70], [5, 99]], 'temperature', state)).toEqual([null, null]);
    expect(state.active).toBeNull();
    expect(run(above, [[11, 90], [8, 50], [11, 50]], 'temperature', state)).toEqual(['open:critical', null, null]);
    expect(state.active).toBe('critical');
  });

  it('a late reading does not break a duration being timed', () => {
    const slow: RuleSpec = { ...above, durationMs: 60_000 } as RuleSpec;
    expect(run(slow, [[0, 81], [30, 82], [20, 10], [60, 83]])).toEqual([null, null, null, 'open:warning']);
  });
});

describe('composite rules', () => {
  const both: RuleSpec = {
    kind: 'composite',
    conditions: [
      { metric: 'temperature', operator: '>', threshold: 80 },
      { metric: 'vibration', operator: '>=', threshold: 5 },
    ],
    logic: 'and',
    severity: 'critical',
    windowMs: 30_000,
    durationMs: 0,
    deadband: 0,
  };
  const either: RuleSpec = { ...both, logic: 'or', severity: 'info' } as RuleSpec;
  const feed = (spec: RuleSpec, points: [string, number, number][], state = newSeriesState()) =>
    points.map(([metric, s, value]) => describeT(evaluate(spec, state, { metric, value, time: sec(s) })));

  it('AND opens when every condition holds within the window', () => {
    expect(feed(both, [['temperature', 0, 85], ['vibration', 10, 6]])).toEqual([null, 'open:critical']);
  });

  it('AND does not open when a condition holds only beyond the window', () => {
    expect(feed(both, [['temperature', 0, 85], ['vibration', 31, 6]])).toEqual([null, null]);
  });

  it('AND resolves when one condition is back to normal', () => {
    expect(feed(both, [['temperature', 0, 85], ['vibration', 1, 6], ['vibration', 2, 4]])).toEqual([null, 'open:critical', 'resolve']);
  });

  it('OR opens on any condition and resolves only when all are normal', () => {
    expect(feed(either, [['vibration', 0, 6], ['temperature', 1, 85], ['vibration', 2, 1], ['temperature', 3, 70]])).toEqual([
      'open:info',
      null,
      null,
      'resolve',
    ]);
  });

  it('OR: a violation that aged out of the window no longer holds the alert', () => {
    expect(feed(either, [['vibration', 0, 6], ['temperature', 40, 70]])).toEqual(['open:info', 'resolve']);
  });

  it('reports the condition of the reading that tripped it', () => {
    const state = newSeriesState();
    evaluate(both, state, { metric: 'temperature', value: 85, time: sec(0) });
    expect(evaluate(both, state, { metric: 'vibration', value: 7, time: sec(1) })).toMatchObject({ metric: 'vibration', value: 7, threshold: 5 });
  });

  it('ignores a late reading of one metric', () => {
    expect(feed(both, [['vibration', 10, 1], ['vibration', 5, 9], ['temperature', 11, 85]])).toEqual([null, null, null]);
  });
});

describe('scope and enablement', () => {
  const rule = { isEnabled: true, machineId: null, groupId: 'g1' };

  it('a disabled rule applies to nothing', () => {
    expect(ruleApplies({ ...rule, isEnabled: false, groupId: null }, 'm1', new Set())).toBe(false);
  });

  it('a group rule follows membership at evaluation time', () => {
    expect(ruleApplies(rule, 'm1', new Set(['g1']))).toBe(true);
    // the machine left the group
    expect(ruleApplies(rule, 'm1', new Set(['g2']))).toBe(false);
  });

  it('a machine rule applies to that machine only; a tenant-wide rule to all', () => {
    expect(ruleApplies({ ...rule, groupId: null, machineId: 'm1' }, 'm1', new Set())).toBe(true);
    expect(ruleApplies({ ...rule, groupId: null, machineId: 'm1' }, 'm2', new Set())).toBe(false);
    expect(ruleApplies({ ...rule, groupId: null }, 'm2', new Set())).toBe(true);
  });

  it('compiles stored rules of both kinds', () => {
    const base = { machineId: null, groupId: null, isEnabled: true, durationSeconds: 5, deadband: 1, windowSeconds: null, logic: null, severity: null, conditions: null };
    expect(compileRule({ ...base, metricName: 't', operator: '>=', warningThreshold: 1, criticalThreshold: 2 })).toEqual({
      kind: 'simple',
      metric: 't',
      operator: '>=',
      warning: 1,
      critical: 2,
      durationMs: 5000,
      deadband: 1,
    });
    const composite = compileRule({
      ...base,
      metricName: null,
      operator: null,
      warningThreshold: null,
      criticalThreshold: null,
      conditions: [{ metricName: 'a', operator: '<', threshold: 1 }, { metricName: 'b', operator: '>', threshold: 2 }],
      logic: 'or',
      severity: 'info',
      windowSeconds: 60,
    });
    expect(composite).toMatchObject({ kind: 'composite', logic: 'or', severity: 'info', windowMs: 60_000, conditions: [{ metric: 'a' }, { metric: 'b' }] });
  });
});
