import { ALERT_SEVERITIES } from './alert-rule.entity.js';

/** Field limits of alerts, declared once for the REST schemas, the GraphQL inputs and the service. */
export const ALERT_LIMITS = {
  /** characters (code points) of a comment body */
  commentBody: 5000,
  /** how far ahead a snooze may reach */
  snoozeMaxDays: 30,
  /** ids one bulk acknowledge may name */
  bulkIds: 500,
} as const;

/** info < warning < critical (the order of ALERT_SEVERITIES): the minimum-severity filter compares ranks. */
export const severityRank = (s: string): number => ALERT_SEVERITIES.indexOf(s as (typeof ALERT_SEVERITIES)[number]);
