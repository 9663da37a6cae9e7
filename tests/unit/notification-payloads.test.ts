import { describe, expect, it } from 'vitest';
import {
  alertEventBody,
  emailMessage,
  headline,
  pushMessage,
  sampleAlert,
  slackMessage,
  teamsMessage,
  type NotifiedAlert,
} from '../../src/notifications/notification.payloads.js';
import { backoffWithJitter } from '../../src/notifications/notification-delivery.service.js';
import { httpOutcome, parseRetryAfter } from '../../src/notifications/senders/sender.js';

const alert: NotifiedAlert = {
  id: '7d4c2a8e-1f0b-4c6e-9a3d-2b5e8f1c0a91',
  tenantId: '0f6e3b2a-9c8d-4e7f-a1b2-c3d4e5f60718',
  machineId: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  machineName: 'CNC Mill #1 <main hall> & "north"',
  severity: 'critical',
  message: 'Temperature exceeded threshold\r\nBcc: victim@example.com',
  metricName: 'temperature',
  metricValue: 87.3,
  thresholdValue: 85,
  ruleId: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
  createdAt: new Date('2026-04-04T10:30:05.000Z'),
};
const at = new Date('2026-04-04T10:30:06.000Z');
const escalation = { policy_id: '3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a', policy_name: 'Critical 15 min', severity: 'critical' as const, wait_minutes: 15, channel_id: '4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b' };

describe('event bodies', () => {
  it('alert.triggered is the documented body', () => {
    expect(alertEventBody('alert.triggered', alert, at)).toEqual({
      event: 'alert.triggered',
      timestamp: '2026-04-04T10:30:06.000Z',
      tenant_id: alert.tenantId,
      alert: {
        id: alert.id,
        machine_id: alert.machineId,
        machine_name: alert.machineName,
        severity: 'critical',
        message: alert.message,
        metric_name: 'temperature',
        metric_value: 87.3,
        threshold_value: 85,
        rule_id: alert.ruleId,
        created_at: '2026-04-04T10:30:05.000Z',
      },
    });
  });

  it('alert.escalated adds escalation {policy_id, policy_name, severity, wait_minutes, channel_id}; the test sample says "test": true', () => {
    const body = alertEventBody('alert.escalated', alert, at, { escalation });
    expect(body.event).toBe('alert.escalated');
    expect(body.escalation).toEqual(escalation);
    expect(body).not.toHaveProperty('test');
    const sample = alertEventBody('alert.triggered', sampleAlert(alert.tenantId, at), at, { test: true });
    expect(sample.test).toBe(true);
    expect(sample.tenant_id).toBe(alert.tenantId);
    expect(sample.alert.severity).toBe('critical');
  });
});

describe('renderings', () => {
  const body = alertEventBody('alert.triggered', alert, at);

  it('the headline is "[CRITICAL] <machine>: <message>" on one line (no header injection)', () => {
    const h = headline(body);
    expect(h).toBe('[CRITICAL] CNC Mill #1 <main hall> & "north": Temperature exceeded threshold Bcc: victim@example.com');
    expect(h).not.toMatch(/[\r\n]/);
    expect(headline(alertEventBody('alert.escalated', alert, at, { escalation }))).toMatch(/^\[CRITICAL\] Escalated: CNC Mill #1/);
    expect([...headline({ ...body, alert: { ...body.alert, message: 'x'.repeat(5000) } })].length).toBe(250);
  });

  it('Slack: text plus Block Kit with header, message, fields; mrkdwn control characters escaped', () => {
    const m = slackMessage(body, 'https://app.example.com/') as { text: string; blocks: { type: string; text?: { type: string; text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[] };
    expect(m.text).toBe(headline(body));
    expect(m.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(m.blocks[0]!.text!.type).toBe('plain_text');
    expect(m.blocks[0]!.text!.text.length).toBeLessThanOrEqual(150);
    expect(m.blocks[2]!.fields![0]!.text).toBe('*Machine*\nCNC Mill #1 &lt;main hall&gt; &amp; "north"');
    expect(m.blocks[3]!.elements![0]!.text).toBe(`<https://app.example.com/alerts/${alert.id}|Alert ${alert.id}>`);
    const escalated = slackMessage(alertEventBody('alert.escalated', alert, at, { escalation })) as { blocks: { type: string; elements?: { text: string }[] }[] };
    expect(escalated.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context', 'context']);
    expect(escalated.blocks[3]!.elements![0]!.text).toContain('Critical 15 min');
  });

  it('Teams: a message with one Adaptive Card (TextBlocks, FactSet, an Open action when the public URL is known)', () => {
    const m = teamsMessage(body, 'https://app.example.com') as { type: string; attachments: { contentType: string; content: { type: string; version: string; body: { type: string; text?: string; facts?: { title: string; value: string }[] }[]; actions?: { url: string }[] } }[] };
    expect(m.type).toBe('message');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = m.attachments[0]!.content;
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.4');
    expect(card.body.map((b) => b.type)).toEqual(['TextBlock', 'TextBlock', 'FactSet']);
    expect(card.body[2]!.facts).toContainEqual({ title: 'Machine', value: alert.machineName });
    expect(card.actions![0]!.url).toBe(`https://app.example.com/alerts/${alert.id}`);
    expect(teamsMessage(body)).not.toHaveProperty(['attachments', 0, 'content', 'actions']);
  });

  it('e-mail: subject, text and HTML (escaped) bodies', () => {
    const m = emailMessage(body);
    expect(m.subject).toBe(headline(body));
    expect(m.text).toContain('Machine: CNC Mill #1 <main hall> & "north"');
    expect(m.text).toContain('Metric: temperature = 87.3 (threshold 85)');
    expect(m.html).toContain('CNC Mill #1 &lt;main hall&gt; &amp; &quot;north&quot;');
    expect(m.html).not.toContain('<main hall>');
  });

  it('push: {title, body, alert_id, severity, url}, small enough for a push service', () => {
    const p = pushMessage({ ...body, alert: { ...body.alert, message: 'y'.repeat(10_000) } });
    expect(Object.keys(p).sort()).toEqual(['alert_id', 'body', 'severity', 'title', 'url']);
    expect(p.alert_id).toBe(alert.id);
    expect(p.severity).toBe('critical');
    expect(p.url).toBe(`/alerts/${alert.id}`);
    expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(3000);
  });
});

describe('retry policy', () => {
  it('back-off doubles per try between half and all of its ceiling, capped at 1 h', () => {
    expect(backoffWithJitter(30_000, 3_600_000, 1, () => 0)).toBe(15_000);
    expect(backoffWithJitter(30_000, 3_600_000, 1, () => 1)).toBe(30_000);
    expect(backoffWithJitter(30_000, 3_600_000, 3, () => 1)).toBe(120_000);
    expect(backoffWithJitter(30_000, 3_600_000, 20, () => 1)).toBe(3_600_000);
    expect(backoffWithJitter(30_000, 3_600_000, 1000, () => 0.5)).toBe(2_700_000);
  });

  it('Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-04-04T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sat, 04 Apr 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 04 Apr 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('2xx delivered; 408, 429, 5xx retried; 3xx and other 4xx permanent', () => {
    const now = new Date();
    const res = (status: number, headers: Record<string, string> = {}) => httpOutcome({ status, headers, body: '', address: '192.0.2.1' }, now);
    expect(res(204).ok).toBe(true);
    for (const s of [408, 429, 500, 502, 503]) expect(res(s)).toMatchObject({ ok: false, permanent: false, statusCode: s });
    for (const s of [301, 302, 307, 400, 401, 403, 404, 410, 413, 422]) expect(res(s)).toMatchObject({ ok: false, permanent: true, statusCode: s });
    expect(res(302, { location: 'http://127.0.0.1/' }).error).toContain('not followed');
    expect(res(429, { 'retry-after': '7' }).retryAfterMs).toBe(7000);
    expect(res(500, { 'retry-after': '7' }).retryAfterMs).toBeUndefined();
  });
});
