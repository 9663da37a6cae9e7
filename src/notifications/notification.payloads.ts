import type { AlertSeverity } from '../alerts/alert-rule.entity.js';
import type { NotificationEvent } from './notification.events.js';

/**
 * What a notification says, per transport. The event body (`alert.triggered`, `alert.escalated`)
 * is fixed when the delivery row is written and stored with it, so every try sends the same bytes;
 * the Slack, Teams, e-mail and push renderings are derived from that body at send time.
 */

/** The alert fields a notification carries (an alert snapshot or row). */
export interface NotifiedAlert {
  id: string;
  tenantId: string;
  machineId: string;
  machineName: string;
  severity: AlertSeverity;
  message: string;
  metricName: string;
  metricValue: number;
  thresholdValue: number;
  ruleId: string | null;
  createdAt: Date;
}

export interface EscalationInfo {
  policy_id: string;
  policy_name: string;
  severity: AlertSeverity;
  wait_minutes: number;
  channel_id: string;
}

/** The documented webhook body. */
export interface AlertEventBody {
  event: NotificationEvent;
  timestamp: string;
  tenant_id: string;
  alert: {
    id: string;
    machine_id: string;
    machine_name: string;
    severity: AlertSeverity;
    message: string;
    metric_name: string;
    metric_value: number;
    threshold_value: number;
    rule_id: string | null;
    created_at: string;
  };
  escalation?: EscalationInfo;
  /** only on the sample of POST /notification-channels/{id}/test */
  test?: true;
}

export function alertEventBody(event: NotificationEvent, alert: NotifiedAlert, at: Date, extra: { escalation?: EscalationInfo; test?: boolean } = {}): AlertEventBody {
  return {
    event,
    timestamp: at.toISOString(),
    tenant_id: alert.tenantId,
    alert: {
      id: alert.id,
      machine_id: alert.machineId,
      machine_name: alert.machineName,
      severity: alert.severity,
      message: alert.message,
      metric_name: alert.metricName,
      metric_value: alert.metricValue,
      threshold_value: alert.thresholdValue,
      rule_id: alert.ruleId,
      created_at: alert.createdAt.toISOString(),
    },
    ...(extra.escalation ? { escalation: extra.escalation } : {}),
    ...(extra.test ? { test: true as const } : {}),
  };
}

/** The sample alert of a test send (ids are fixed zeros: nothing in the platform has them). */
export function sampleAlert(tenantId: string, at: Date): NotifiedAlert {
  return {
    id: '00000000-0000-0000-0000-000000000000',
    tenantId,
    machineId: '00000000-0000-0000-0000-000000000000',
    machineName: 'Test machine',
    severity: 'critical',
    message: 'Test notification: temperature exceeded threshold',
    metricName: 'temperature',
    metricValue: 87.3,
    thresholdValue: 85,
    ruleId: null,
    createdAt: at,
  };
}

/** One line, no control characters, at most max characters (subjects, titles, headers). */
function oneLine(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/** `[CRITICAL] CNC Mill #1: Temperature exceeded threshold` (escalations and tests say so first). */
export function headline(body: AlertEventBody, max = 250): string {
  const tag = `[${body.alert.severity.toUpperCase()}]${body.test ? ' [TEST]' : ''}${body.event === 'alert.escalated' ? ' Escalated:' : ''}`;
  return oneLine(`${tag} ${body.alert.machine_name}: ${body.alert.message}`, max);
}

function escalationLine(e: EscalationInfo): string {
  return `Escalated by policy "${e.policy_name}": unacknowledged for ${e.wait_minutes} minute${e.wait_minutes === 1 ? '' : 's'}.`;
}

const metricLine = (b: AlertEventBody) => `${b.alert.metric_name} = ${b.alert.metric_value} (threshold ${b.alert.threshold_value})`;

/** Where the alert is seen in the web app, when the public URL is configured. */
export function alertLink(body: AlertEventBody, publicUrl?: string): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/alerts/${body.alert.id}` : null;
}

/** Slack mrkdwn treats &, < and > as control characters. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack incoming-webhook message: `text` (notifications, fallback) and Block Kit blocks. */
export function slackMessage(body: AlertEventBody, publicUrl?: string): Record<string, unknown> {
  const link = alertLink(body, publicUrl);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: headline(body, 150), emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: slackEscape(body.alert.message).slice(0, 3000) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Machine*\n${slackEscape(body.alert.machine_name)}` },
        { type: 'mrkdwn', text: `*Severity*\n${body.alert.severity}` },
        { type: 'mrkdwn', text: `*Metric*\n${slackEscape(metricLine(body))}` },
        { type: 'mrkdwn', text: `*Raised*\n${body.alert.created_at}` },
      ],
    },
  ];
  if (body.escalation) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(escalationLine(body.escalation)) }] });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: link ? `<${link}|Alert ${body.alert.id}>` : `Alert ${body.alert.id}` }] });
  return { text: headline(body), blocks };
}

/** Microsoft Teams (incoming webhook / Workflows) message carrying one Adaptive Card. */
export function teamsMessage(body: AlertEventBody, publicUrl?: string): Record<string, unknown> {
  const link = alertLink(body, publicUrl);
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: headline(body), weight: 'Bolder', size: 'Medium', wrap: true, color: body.alert.severity === 'info' ? 'Default' : 'Attention' },
      { type: 'TextBlock', text: body.alert.message, wrap: true },
      {
        type: 'FactSet',
        facts: [
          { title: 'Machine', value: body.alert.machine_name },
          { title: 'Severity', value: body.alert.severity },
          { title: 'Metric', value: metricLine(body) },
          { title: 'Raised', value: body.alert.created_at },
          { title: 'Alert', value: body.alert.id },
        ],
      },
      ...(body.escalation ? [{ type: 'TextBlock', text: escalationLine(body.escalation), wrap: true, isSubtle: true }] : []),
    ],
    ...(link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open alert', url: link }] } : {}),
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}

const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The e-mail: subject `[CRITICAL] <machine>: <message>`, a plain-text and an HTML body. */
export function emailMessage(body: AlertEventBody, publicUrl?: string): { subject: string; text: string; html: string } {
  const link = alertLink(body, publicUrl);
  const facts: [string, string][] = [
    ['Machine', body.alert.machine_name],
    ['Severity', body.alert.severity],
    ['Metric', metricLine(body)],
    ['Raised', body.alert.created_at],
    ['Alert', body.alert.id],
  ];
  const lines = [body.alert.message, '', ...facts.map(([k, v]) => `${k}: ${v}`)];
  if (body.escalation) lines.push('', escalationLine(body.escalation));
  if (link) lines.push('', link);
  const html = [
    `<p>${htmlEscape(body.alert.message)}</p>`,
    `<table>${facts.map(([k, v]) => `<tr><th align="left">${htmlEscape(k)}</th><td>${htmlEscape(v)}</td></tr>`).join('')}</table>`,
    body.escalation ? `<p>${htmlEscape(escalationLine(body.escalation))}</p>` : '',
    link ? `<p><a href="${htmlEscape(link)}">Open the alert</a></p>` : '',
  ].join('');
  return { subject: headline(body), text: lines.join('\n'), html };
}

/** The web push message the service worker shows: `{title, body, alert_id, severity, url}`. */
export function pushMessage(body: AlertEventBody, publicUrl?: string): { title: string; body: string; alert_id: string; severity: AlertSeverity; url: string } {
  return {
    title: oneLine(`[${body.alert.severity.toUpperCase()}]${body.event === 'alert.escalated' ? ' Escalated:' : ''} ${body.alert.machine_name}`, 120),
    // push services accept about 4 KB of encrypted payload
    body: oneLine(body.alert.message, 500),
    alert_id: body.alert.id,
    severity: body.alert.severity,
    url: alertLink(body, publicUrl) ?? `/alerts/${body.alert.id}`,
  };
}
