import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/common/errors.js';
import { DEFAULT_MESSAGE_TEMPLATE, normalizeOperator, renderAlertMessage, validateAlertRule } from '../../src/alerts/alert-rule.rules.js';

function issueOf(fn: () => unknown): { loc: unknown; reason: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    const e = err as DomainError;
    return { loc: e.extra.issues?.[0]?.loc, reason: e.reason };
  }
  throw new Error('expected a validation error');
}

describe('alert rule rules', () => {
  it('normalises operator words and symbols, refusing anything else on the given field', () => {
    expect(['gt', 'GTE', ' lt ', 'lte', 'eq', 'neq', '>', '!='].map((o) => normalizeOperator(o))).toEqual(['>', '>=', '<', '<=', '==', '!=', '>', '!=']);
    expect(issueOf(() => normalizeOperator('=>', ['conditions', 3, 'operator']))).toEqual({ loc: ['conditions', 3, 'operator'], reason: 'INVALID_ALERT_RULE' });
  });

  it('fills the defaults of a simple rule and keeps one threshold alone', () => {
    expect(validateAlertRule({ name: ' Cold ', metricName: 'temperature', operator: 'lte', criticalThreshold: -5 })).toEqual({
      name: 'Cold',
      machineId: null,
      groupId: null,
      metricName: 'temperature',
      operator: '<=',
      warningThreshold: null,
      criticalThreshold: -5,
      durationSeconds: 0,
      deadband: 0,
      conditions: null,
      logic: null,
      severity: null,
      windowSeconds: null,
      isEnabled: true,
      messageTemplate: DEFAULT_MESSAGE_TEMPLATE,
    });
  });

  it('orders thresholds by direction only for the ordering operators', () => {
    expect(validateAlertRule({ name: 'r', metricName: 'm', operator: '>=', warningThreshold: 5, criticalThreshold: 5 }).criticalThreshold).toBe(5);
    expect(issueOf(() => validateAlertRule({ name: 'r', metricName: 'm', operator: '>', warningThreshold: 5, criticalThreshold: 4 })).loc).toEqual(['critical_threshold']);
    expect(issueOf(() => validateAlertRule({ name: 'r', metricName: 'm', operator: '<=', warningThreshold: 5, criticalThreshold: 6 })).loc).toEqual(['critical_threshold']);
    // equality has no direction: any pair is a valid rule
    expect(validateAlertRule({ name: 'r', metricName: 'm', operator: 'neq', warningThreshold: 5, criticalThreshold: 1 }).operator).toBe('!=');
    expect(issueOf(() => validateAlertRule({ name: 'r', metricName: 'm', operator: '>', warningThreshold: Number.NaN })).loc).toEqual(['warning_threshold']);
  });

  it('accepts a template of known placeholders only', () => {
    expect(validateAlertRule({ name: 'r', metricName: 'm', operator: '>', warningThreshold: 1, messageTemplate: '{severity}: {rule_name} {value}' }).messageTemplate).toBe('{severity}: {rule_name} {value}');
    expect(issueOf(() => validateAlertRule({ name: 'r', metricName: 'm', operator: '>', warningThreshold: 1, messageTemplate: 'hot {Value}' })).loc).toEqual(['message_template']);
  });

  it('renders a message, leaving no double space for an empty unit', () => {
    const values = { rule_name: 'Spindle', machine_name: 'Lathe 1', metric_name: 'rpm', value: 9000, unit: '', operator: '>', threshold: 8000, severity: 'warning' };
    expect(renderAlertMessage(DEFAULT_MESSAGE_TEMPLATE, values)).toBe('Spindle: rpm 9000 > 8000 on Lathe 1');
    expect(renderAlertMessage('{metric_name} {value} {unit} above {threshold}', { ...values, unit: 'rpm' })).toBe('rpm 9000 rpm above 8000');
  });
});
