import type { AlertLogic, AlertOperator, AlertSeverity } from './alert-rule.entity.js';
import type { AlertRuleSpec } from './alert-rule.rules.js';

/**
 * Pure evaluation of one rule against one machine's readings, one reading at a time in reading-time
 * order. Nothing here touches storage: the engine keeps the returned state and turns the returned
 * transitions into alert rows.
 */

export interface SimpleRuleSpec {
  kind: 'simple';
  metric: string;
  operator: AlertOperator;
  warning: number | null;
  critical: number | null;
  durationMs: number;
  deadband: number;
}

export interface CompositeRuleSpec {
  kind: 'composite';
  conditions: { metric: string; operator: AlertOperator; threshold: number }[];
  logic: AlertLogic;
  severity: AlertSeverity;
  windowMs: number;
  durationMs: number;
  deadband: number;
}

export type RuleSpec = SimpleRuleSpec | CompositeRuleSpec;

/** One reading as the evaluator sees it: time in epoch milliseconds. */
export interface EvalReading {
  metric: string;
  value: number;
  time: number;
}

/** What the alert of this (rule, machine) believes it is, as this evaluator last judged or was told. */
export type ActiveLevel = AlertSeverity | null;

export interface SeriesState {
  /** metric → newest reading time evaluated (older or equal readings are ignored) */
  newest: Map<string, number>;
  /** composite: metric → latest value and its time */
  latest: Map<string, { value: number; time: number }>;
  /** reading time since which the warning-or-worse condition holds without a break (null: it does not) */
  warningSince: number | null;
  /** reading time since which the critical condition holds without a break */
  criticalSince: number | null;
  /** the level of the active alert, or null when none is active */
  active: ActiveLevel;
}

export function newSeriesState(active: ActiveLevel = null): SeriesState {
  return { newest: new Map(), latest: new Map(), warningSince: null, criticalSince: null, active };
}

/** The reading that caused a transition, with the threshold it crossed (or came back from). */
export interface Trip {
  metric: string;
  operator: AlertOperator;
  value: number;
  threshold: number;
  time: number;
}

export type Transition =
  | ({ kind: 'open'; severity: AlertSeverity } & Trip)
  | ({ kind: 'escalate'; severity: 'critical' } & Trip)
  | ({ kind: 'resolve' } & Trip);

/** Whether value violates `value operator threshold`. */
export function holds(operator: AlertOperator, value: number, threshold: number): boolean {
  switch (operator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/**
 * Whether value is back to normal by at least deadband: a value hovering at the threshold keeps the
 * alert open instead of resolving and reopening it on every reading. With deadband 0 this is
 * exactly `!holds`.
 */
export function cleared(operator: AlertOperator, value: number, threshold: number, deadband: number): boolean {
  switch (operator) {
    case '>':
      return value <= threshold - deadband;
    case '>=':
      return value < threshold - deadband;
    case '<':
      return value >= threshold + deadband;
    case '<=':
      return value > threshold + deadband;
    case '==':
      return deadband === 0 ? value !== threshold : Math.abs(value - threshold) > deadband;
    case '!=':
      return deadband === 0 ? value === threshold : Math.abs(value - threshold) <= deadband;
  }
}

/** Metrics a rule reads: readings of any other metric never reach it. */
export function ruleMetrics(spec: RuleSpec): string[] {
  return spec.kind === 'simple' ? [spec.metric] : [...new Set(spec.conditions.map((c) => c.metric))];
}

/**
 * Feeds one reading to the rule's state (mutated in place) and returns the transition it causes,
 * if any. A reading not newer than the newest already evaluated for its metric changes nothing:
 * late and resent readings can neither open nor resolve an alert.
 */
export function evaluate(spec: RuleSpec, state: SeriesState, reading: EvalReading): Transition | null {
  const newest = state.newest.get(reading.metric);
  if (newest !== undefined && reading.time <= newest) return null;
  if (spec.kind === 'simple') {
    if (reading.metric !== spec.metric) return null;
    state.newest.set(reading.metric, reading.time);
    return evaluateSimple(spec, state, reading);
  }
  if (!spec.conditions.some((c) => c.metric === reading.metric)) return null;
  state.newest.set(reading.metric, reading.time);
  state.latest.set(reading.metric, { value: reading.value, time: reading.time });
  return evaluateComposite(spec, state, reading);
}

function evaluateSimple(spec: SimpleRuleSpec, state: SeriesState, r: EvalReading): Transition | null {
  const critical = spec.critical !== null && holds(spec.operator, r.value, spec.critical);
  const warning = critical || (spec.warning !== null && holds(spec.operator, r.value, spec.warning));
  state.criticalSince = critical ? (state.criticalSince ?? r.time) : null;
  state.warningSince = warning ? (state.warningSince ?? r.time) : null;
  const criticalMet = state.criticalSince !== null && r.time - state.criticalSince >= spec.durationMs;
  const warningMet = state.warningSince !== null && r.time - state.warningSince >= spec.durationMs;

  if (state.active === null) {
    if (criticalMet) {
      state.active = 'critical';
      return { kind: 'open', severity: 'critical', metric: r.metric, operator: spec.operator, value: r.value, threshold: spec.critical!, time: r.time };
    }
    // A rule with only a critical threshold has no warning level: warningMet then means criticalMet.
    if (warningMet && spec.warning !== null) {
      state.active = 'warning';
      return { kind: 'open', severity: 'warning', metric: r.metric, operator: spec.operator, value: r.value, threshold: spec.warning, time: r.time };
    }
    return null;
  }
  if (state.active === 'warning' && criticalMet) {
    state.active = 'critical';
    return { kind: 'escalate', severity: 'critical', metric: r.metric, operator: spec.operator, value: r.value, threshold: spec.critical!, time: r.time };
  }
  // An alert never steps down from critical to warning: it stays until the value is back below
  // the lowest threshold by the deadband.
  const lowest = spec.warning ?? spec.critical!;
  if (cleared(spec.operator, r.value, lowest, spec.deadband) && (spec.critical === null || cleared(spec.operator, r.value, spec.critical, spec.deadband))) {
    state.active = null;
    return { kind: 'resolve', metric: r.metric, operator: spec.operator, value: r.value, threshold: lowest, time: r.time };
  }
  return null;
}

/** The latest value of a metric if it lies within the window of `at`; stale or absent values do not count. */
function fresh(spec: CompositeRuleSpec, state: SeriesState, metric: string, at: number): number | undefined {
  const l = state.latest.get(metric);
  if (!l || Math.abs(at - l.time) > spec.windowMs) return undefined;
  return l.value;
}

function evaluateComposite(spec: CompositeRuleSpec, state: SeriesState, r: EvalReading): Transition | null {
  // Judged at the newest reading time seen for any of the rule's metrics, so a reading of one
  // metric cannot make the window move backwards for the others.
  let at = r.time;
  for (const t of state.newest.values()) if (t > at) at = t;
  const verdicts = spec.conditions.map((c) => {
    const v = fresh(spec, state, c.metric, at);
    return { c, v, holds: v !== undefined && holds(c.operator, v, c.threshold), cleared: v === undefined || cleared(c.operator, v, c.threshold, spec.deadband) };
  });
  const holding = spec.logic === 'and' ? verdicts.every((x) => x.holds) : verdicts.some((x) => x.holds);
  state.warningSince = holding ? (state.warningSince ?? at) : null;
  state.criticalSince = null;

  // The condition the transition reports: the one of this reading's metric if it is part of the
  // verdict, else the first that is.
  const pick = (want: (x: (typeof verdicts)[number]) => boolean) =>
    verdicts.find((x) => x.c.metric === r.metric && want(x)) ?? verdicts.find(want) ?? verdicts[0]!;

  if (state.active === null) {
    if (!holding || at - state.warningSince! < spec.durationMs) return null;
    state.active = spec.severity;
    const x = pick((v) => v.holds);
    return { kind: 'open', severity: spec.severity, metric: x.c.metric, operator: x.c.operator, value: x.v!, threshold: x.c.threshold, time: at };
  }
  // AND stops holding once any condition is back to normal (or has no value within the window);
  // OR once every condition is.
  const back = spec.logic === 'and' ? verdicts.some((x) => x.cleared) : verdicts.every((x) => x.cleared);
  if (!back) return null;
  state.active = null;
  const x = pick((v) => v.cleared && v.v !== undefined);
  return { kind: 'resolve', metric: x.c.metric, operator: x.c.operator, value: x.v ?? r.value, threshold: x.c.threshold, time: at };
}

/** Severity order for comparisons (minimum-severity filters, escalation). */
export const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** The fields of a stored rule the evaluator needs (an AlertRule satisfies it): the validated rule less its name and message. */
export type RuleFields = Omit<AlertRuleSpec, 'name' | 'messageTemplate'>;

/** The evaluable form of a stored rule. */
export function compileRule(rule: RuleFields): RuleSpec {
  const durationMs = rule.durationSeconds * 1000;
  if (rule.conditions && rule.conditions.length > 0) {
    return {
      kind: 'composite',
      conditions: rule.conditions.map((c) => ({ metric: c.metricName, operator: c.operator, threshold: c.threshold })),
      logic: rule.logic ?? 'and',
      severity: rule.severity ?? 'warning',
      windowMs: (rule.windowSeconds ?? 0) * 1000,
      durationMs,
      deadband: rule.deadband,
    };
  }
  return { kind: 'simple', metric: rule.metricName!, operator: rule.operator!, warning: rule.warningThreshold, critical: rule.criticalThreshold, durationMs, deadband: rule.deadband };
}

/**
 * Whether a rule evaluates a machine's readings now. `groupsOfMachine` holds every group the
 * machine is a member of together with their ancestors, as membership is at evaluation time: a
 * machine that left a group is no longer judged by the group's rules.
 */
export function ruleApplies(rule: Pick<RuleFields, 'isEnabled' | 'machineId' | 'groupId'>, machineId: string, groupsOfMachine: ReadonlySet<string>): boolean {
  if (!rule.isEnabled) return false;
  if (rule.machineId !== null) return rule.machineId === machineId;
  if (rule.groupId !== null) return groupsOfMachine.has(rule.groupId);
  return true;
}
