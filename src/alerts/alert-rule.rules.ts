import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import { MAX_METRIC_LENGTH } from '../readings/ingest.rules.js';
import { validateName } from '../users/user.rules.js';
import {
  ALERT_LOGICS,
  ALERT_OPERATORS,
  ALERT_SEVERITIES,
  type AlertCondition,
  type AlertLogic,
  type AlertOperator,
  type AlertSeverity,
} from './alert-rule.entity.js';
import { AlertErrors } from './alert.errors.js';

/** Field limits of an alert rule; REST, GraphQL and the service read them here. */
export const ALERT_RULE_LIMITS = {
  name: 200,
  metricName: MAX_METRIC_LENGTH,
  messageTemplate: 1000,
  minConditions: 2,
  maxConditions: 10,
  /** a condition that must hold longer than a day is a report, not an alert */
  maxDurationSeconds: 86_400,
  minWindowSeconds: 1,
  maxWindowSeconds: 86_400,
} as const;

/** Word forms accepted for the operators; rules are stored and returned with the symbol. */
const OPERATOR_WORDS: Readonly<Record<string, AlertOperator>> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' };

/** Placeholders a message template may use; the engine fills them in (renderAlertMessage). */
export const MESSAGE_PLACEHOLDERS = ['rule_name', 'machine_name', 'metric_name', 'value', 'unit', 'operator', 'threshold', 'severity'] as const;
export type MessagePlaceholder = (typeof MESSAGE_PLACEHOLDERS)[number];

export const DEFAULT_MESSAGE_TEMPLATE = '{rule_name}: {metric_name} {value} {unit} {operator} {threshold} on {machine_name}';

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** A template with every placeholder filled; an empty value (a unit-less reading) leaves no double space. */
export function renderAlertMessage(template: string, values: Readonly<Record<MessagePlaceholder, string | number | null>>): string {
  return template
    .replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name as MessagePlaceholder] ?? '') : whole))
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** What a create or a full (merged) update must satisfy, as both doors give it (camelCase). */
export interface AlertRuleInput {
  name?: string | null;
  machineId?: string | null;
  groupId?: string | null;
  metricName?: string | null;
  operator?: string | null;
  warningThreshold?: number | null;
  criticalThreshold?: number | null;
  durationSeconds?: number | null;
  deadband?: number | null;
  conditions?: readonly { metricName: string; operator: string; threshold: number }[] | null;
  logic?: string | null;
  severity?: string | null;
  windowSeconds?: number | null;
  isEnabled?: boolean | null;
  messageTemplate?: string | null;
}

/** A validated rule definition: exactly the columns of the row (scope ids are checked by the service). */
export interface AlertRuleSpec {
  name: string;
  machineId: string | null;
  groupId: string | null;
  metricName: string | null;
  operator: AlertOperator | null;
  warningThreshold: number | null;
  criticalThreshold: number | null;
  durationSeconds: number;
  deadband: number;
  conditions: AlertCondition[] | null;
  logic: AlertLogic | null;
  severity: AlertSeverity | null;
  windowSeconds: number | null;
  isEnabled: boolean;
  messageTemplate: string;
}

type Loc = string | (string | number)[];

/** `gt` -> `>`; a symbol stays; anything else is a 422 on `field`. */
export function normalizeOperator(value: string, field: Loc = 'operator'): AlertOperator {
  const v = value.trim().toLowerCase();
  if ((ALERT_OPERATORS as readonly string[]).includes(v)) return v as AlertOperator;
  const word = OPERATOR_WORDS[v];
  if (word) return word;
  throw AlertErrors.invalidRule(
    field,
    `Input should be ${[...ALERT_OPERATORS, ...Object.keys(OPERATOR_WORDS)].map((o) => `'${o}'`).join(', ')}`,
    'enum',
  );
}

/** A metric name as readings carry it: 1-255 characters, no control or bidi override characters. */
export function validateMetricName(value: string, field: Loc = 'metric_name'): string {
  const v = value.trim();
  if (v.length === 0) throw AlertErrors.invalidRule(field, 'String should have at least 1 character', 'string_too_short');
  if (codePointLength(v) > ALERT_RULE_LIMITS.metricName) {
    throw AlertErrors.invalidRule(field, `String should have at most ${ALERT_RULE_LIMITS.metricName} characters`, 'string_too_long');
  }
  const unsafe = unsafeTextReason(v);
  if (unsafe) throw AlertErrors.invalidRule(field, `String ${unsafe}`);
  if (/\p{Cs}/u.test(v)) throw AlertErrors.invalidRule(field, 'String must be valid Unicode text');
  return v;
}

function finite(value: number, field: Loc): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw AlertErrors.invalidRule(field, 'Input should be a finite number', 'finite_number');
  return value;
}

function intIn(value: number, field: Loc, min: number, max: number): number {
  if (!Number.isInteger(value)) throw AlertErrors.invalidRule(field, 'Input should be a valid integer', 'int_type');
  if (value < min) throw AlertErrors.invalidRule(field, `Input should be greater than or equal to ${min}`, 'greater_than_equal');
  if (value > max) throw AlertErrors.invalidRule(field, `Input should be less than or equal to ${max}`, 'less_than_equal');
  return value;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], field: Loc): T {
  if (!(allowed as readonly string[]).includes(value)) throw AlertErrors.invalidRule(field, `Input should be ${allowed.map((a) => `'${a}'`).join(', ')}`, 'enum');
  return value as T;
}

function required(field: string): never {
  throw AlertErrors.invalidRule(field, 'Field required', 'missing');
}

/** A template of at most the limit whose placeholders are all known. */
export function validateMessageTemplate(value: string | null | undefined): string {
  if (value == null || value.trim() === '') return DEFAULT_MESSAGE_TEMPLATE;
  const field = 'message_template';
  if (codePointLength(value) > ALERT_RULE_LIMITS.messageTemplate) {
    throw AlertErrors.invalidRule(field, `String should have at most ${ALERT_RULE_LIMITS.messageTemplate} characters`, 'string_too_long');
  }
  const unsafe = unsafeTextReason(value);
  if (unsafe) throw AlertErrors.invalidRule(field, `String ${unsafe}`);
  if (/\p{Cs}/u.test(value)) throw AlertErrors.invalidRule(field, 'String must be valid Unicode text');
  for (const m of value.matchAll(PLACEHOLDER)) {
    if (!(MESSAGE_PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
      throw AlertErrors.invalidRule(field, `Unknown placeholder {${m[1]}}; use ${MESSAGE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`);
    }
  }
  return value.trim();
}

/**
 * Validates a whole rule definition (a create, or an update merged onto the stored rule) and
 * returns its columns: the scope is one machine, one group or neither; a simple rule has a metric,
 * an operator and at least one threshold in a consistent order; a composite rule has 2-10
 * conditions, a logic, a severity and a window, and none of the simple fields.
 */
export function validateAlertRule(input: AlertRuleInput): AlertRuleSpec {
  if (input.name == null) required('name');
  const name = validateName('name', input.name, ALERT_RULE_LIMITS.name);
  if (input.machineId != null && input.groupId != null) {
    throw AlertErrors.invalidRule('group_id', 'Give machine_id or group_id, not both', 'value_error');
  }
  const durationSeconds = intIn(input.durationSeconds ?? 0, 'duration_seconds', 0, ALERT_RULE_LIMITS.maxDurationSeconds);
  const deadband = finite(input.deadband ?? 0, 'deadband');
  if (deadband < 0) throw AlertErrors.invalidRule('deadband', 'Input should be greater than or equal to 0', 'greater_than_equal');
  const common = {
    name,
    machineId: input.machineId ?? null,
    groupId: input.groupId ?? null,
    durationSeconds,
    deadband,
    isEnabled: input.isEnabled ?? true,
    messageTemplate: validateMessageTemplate(input.messageTemplate),
  };

  if (input.conditions != null) {
    for (const f of ['metricName', 'operator', 'warningThreshold', 'criticalThreshold'] as const) {
      if (input[f] != null) throw AlertErrors.invalidRule(SNAKE[f], 'A composite rule (conditions) takes no metric_name, operator or thresholds', 'value_error');
    }
    const list = input.conditions;
    if (list.length < ALERT_RULE_LIMITS.minConditions) {
      throw AlertErrors.invalidRule('conditions', `List should have at least ${ALERT_RULE_LIMITS.minConditions} item(s)`, 'too_short');
    }
    if (list.length > ALERT_RULE_LIMITS.maxConditions) {
      throw AlertErrors.invalidRule('conditions', `List should have at most ${ALERT_RULE_LIMITS.maxConditions} items`, 'too_long');
    }
    const conditions = list.map((c, i) => ({
      metricName: validateMetricName(c.metricName, ['conditions', i, 'metric_name']),
      operator: normalizeOperator(c.operator, ['conditions', i, 'operator']),
      threshold: finite(c.threshold, ['conditions', i, 'threshold']),
    }));
    if (input.logic == null) required('logic');
    if (input.severity == null) required('severity');
    if (input.windowSeconds == null) required('window_seconds');
    return {
      ...common,
      metricName: null,
      operator: null,
      warningThreshold: null,
      criticalThreshold: null,
      conditions,
      logic: oneOf(input.logic.trim().toLowerCase(), ALERT_LOGICS, 'logic'),
      severity: oneOf(input.severity.trim().toLowerCase(), ALERT_SEVERITIES, 'severity'),
      windowSeconds: intIn(input.windowSeconds, 'window_seconds', ALERT_RULE_LIMITS.minWindowSeconds, ALERT_RULE_LIMITS.maxWindowSeconds),
    };
  }

  for (const f of ['logic', 'severity', 'windowSeconds'] as const) {
    if (input[f] != null) throw AlertErrors.invalidRule(SNAKE[f], 'Only a composite rule (conditions) takes logic, severity and window_seconds', 'value_error');
  }
  if (input.metricName == null) required('metric_name');
  if (input.operator == null) required('operator');
  const operator = normalizeOperator(input.operator);
  const warning = input.warningThreshold == null ? null : finite(input.warningThreshold, 'warning_threshold');
  const critical = input.criticalThreshold == null ? null : finite(input.criticalThreshold, 'critical_threshold');
  if (warning === null && critical === null) {
    throw AlertErrors.invalidRule('warning_threshold', 'Give warning_threshold, critical_threshold or both', 'missing');
  }
  if (warning !== null && critical !== null) {
    if ((operator === '>' || operator === '>=') && critical < warning) {
      throw AlertErrors.invalidRule('critical_threshold', `critical_threshold must not be below warning_threshold for operator ${operator}`);
    }
    if ((operator === '<' || operator === '<=') && critical > warning) {
      throw AlertErrors.invalidRule('critical_threshold', `critical_threshold must not be above warning_threshold for operator ${operator}`);
    }
  }
  return {
    ...common,
    metricName: validateMetricName(input.metricName, 'metric_name'),
    operator,
    warningThreshold: warning,
    criticalThreshold: critical,
    conditions: null,
    logic: null,
    severity: null,
    windowSeconds: null,
  };
}

const SNAKE = {
  metricName: 'metric_name',
  operator: 'operator',
  warningThreshold: 'warning_threshold',
  criticalThreshold: 'critical_threshold',
  logic: 'logic',
  severity: 'severity',
  windowSeconds: 'window_seconds',
} as const;
