/**
 * Notification channels (issue 14) on both doors: the four types and their config, secrets
 * encrypted at rest (read with SQL: no plaintext) and masked in every answer, the signing secret
 * shown once, PUT changing only the fields given with masks keeping stored secrets, the outbound
 * guard at create and update, the 100-channel limit (409, also under concurrent creates), delete
 * refused while a policy uses the channel, tenant isolation, roles, API keys, bad input on every
 * body field (422 with loc), the audit trail and the targets-changed event.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationTargetsChangedTopic, type NotificationTargetsChanged } from '../../src/notifications/notification.events.js';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/SlackSecretPath123';
const TEAMS_URL = 'https://example.webhook.office.com/webhookb2/TeamsSecretPath456';
const HOOK_URL = 'https://hooks.example.com/haltfree-webhook';
const HEADER_SECRET = 'shared-secret-value-789';
const CHANNEL_KEYS = ['config', 'created_at', 'id', 'is_active', 'min_severity', 'name', 'signing_secret', 'type', 'updated_at'];

describe.skipIf(pgSvc.skip)(`notification channels${pgSvc.label}`, () => {
  let t: TestApp;
  let db: pg.Client;
  let a: TenantSession;
  let operatorA: TenantSession;
  let viewerA: TenantSession;
  let b: TenantSession;

  async function create(s: TenantSession, body: Record<string, unknown>) {
    const r = await http('POST', `${t.api}/notification-channels`, { token: s.token, body });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  async function rejects(method: string, path: string, body: unknown, loc: (string | number)[], s: TenantSession = a) {
    const r = await http(method, `${t.api}${path}`, { token: s.token, body });
    expect(r.status, `${JSON.stringify(body).slice(0, 200)} -> ${r.text}`).toBe(422);
    expect(r.body.detail.map((d: { loc: unknown }) => d.loc), r.text).toContainEqual(loc);
    for (const d of r.body.detail) expect(typeof d.msg === 'string' && typeof d.type === 'string', r.text).toBe(true);
  }

  const sendable = (tenantId: string, id: string) => t.app.container.services.notificationChannels.getForSend(tenantId, id);

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    a = await registerTenant(t.api, 'nca');
    b = await registerTenant(t.api, 'ncb');
    [operatorA, viewerA] = await Promise.all([createUserSession(t.api, a, 'operator'), createUserSession(t.api, a, 'viewer')]);
  });
  afterAll(async () => {
    await db?.end();
    await t?.stop();
  });

  it('creates each type with its config; secrets are masked at creation and the webhook signing secret is shown once', async () => {
    const email = await create(a, { name: 'Maintenance mail', type: 'email', config: { email: 'maint@example.com, Boss@Example.com ,maint@example.com' } });
    expect(Object.keys(email).sort()).toEqual(CHANNEL_KEYS);
    expect(email).toMatchObject({ type: 'email', config: { email: 'maint@example.com, Boss@Example.com', min_severity: 'info' }, min_severity: 'info', is_active: true, signing_secret: null });

    const slack = await create(operatorA, { name: 'Slack', type: 'slack', config: { webhook_url: SLACK_URL }, min_severity: 'warning' });
    expect(slack).toMatchObject({ config: { webhook_url: 'https://hooks.slack.com/***', min_severity: 'warning' }, min_severity: 'warning', signing_secret: null });

    const teams = await create(a, { name: 'Teams', type: 'teams', config: { webhook_url: TEAMS_URL, min_severity: 'critical' }, is_active: false });
    expect(teams).toMatchObject({ config: { webhook_url: 'https://example.webhook.office.com/***' }, min_severity: 'critical', is_active: false });

    const hook = await create(a, { name: 'PagerDuty Integration', type: 'webhook', config: { url: HOOK_URL, headers: { 'X-Webhook-Secret': HEADER_SECRET } } });
    expect(hook.config).toEqual({ url: HOOK_URL, headers: { 'X-Webhook-Secret': '***' }, min_severity: 'info' });
    expect(hook.signing_secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    // afterwards the secret is only ever "***"
    const list = await http('GET', `${t.api}/notification-channels`, { token: viewerA.token });
    expect(list.status).toBe(200);
    expect(list.body.map((c: { id: string }) => c.id)).toEqual([email.id, slack.id, teams.id, hook.id]);
    expect(list.body.find((c: { id: string }) => c.id === hook.id).signing_secret).toBe('***');
    expect(list.text).not.toContain('SlackSecretPath123');
    expect(list.text).not.toContain(HEADER_SECRET);
    expect(list.text).not.toContain(hook.signing_secret);

    // the delivery engine sees the plaintext
    expect(await sendable(a.tenantId, email.id)).toMatchObject({ type: 'email', email: ['maint@example.com', 'Boss@Example.com'], minSeverity: 'info' });
    expect(await sendable(a.tenantId, slack.id)).toMatchObject({ type: 'slack', url: SLACK_URL });
    expect(await sendable(a.tenantId, hook.id)).toEqual({
      id: hook.id, tenantId: a.tenantId, name: 'PagerDuty Integration', type: 'webhook', minSeverity: 'info', isActive: true,
      url: HOOK_URL, headers: { 'X-Webhook-Secret': HEADER_SECRET }, signingSecret: hook.signing_secret,
    });
    // another tenant's channel is "gone" for the engine
    expect(await sendable(b.tenantId, hook.id)).toBeNull();
    const routing = await t.app.container.services.notificationChannels.activeForRouting(a.tenantId);
    expect(routing.map((c) => c.id)).toEqual([email.id, slack.id, hook.id]);
    expect(await t.app.container.services.notificationChannels.tenantsWithTargets()).toContain(a.tenantId);
  });

  it('stores secrets encrypted (AES-256-GCM boxes, no plaintext in any column)', async () => {
    const hook = await create(a, { name: 'Sealed', type: 'webhook', config: { url: HOOK_URL, headers: { Authorization: 'Bearer tok-AAAA-1111' } }, signing_secret: 'client-chosen-secret-0123' });
    expect(hook.signing_secret).toBe('***');
    const slack = await create(a, { name: 'Sealed slack', type: 'slack', config: { webhook_url: 'https://hooks.slack.com/services/T1/B1/ZZZsecretZZZ' } });
    const rows = await db.query('select id, row_to_json(c)::text as j, secrets, signing_secret from notification_channels c where id = any($1::uuid[])', [[hook.id, slack.id]]);
    expect(rows.rows).toHaveLength(2);
    for (const r of rows.rows) {
      expect(r.j).not.toContain('tok-AAAA-1111');
      expect(r.j).not.toContain('client-chosen-secret-0123');
      expect(r.j).not.toContain('ZZZsecretZZZ');
      expect(r.secrets).toMatch(/^v1\./);
    }
    expect(rows.rows.find((r) => r.id === hook.id).signing_secret).toMatch(/^v1\./);
    expect((await sendable(a.tenantId, hook.id))?.signingSecret).toBe('client-chosen-secret-0123');

    // a box moved to another row does not open there (sealed for its own row): that send fails, routing of the others goes on
    const c = await registerTenant(t.api, 'nct');
    const victim = await create(c, { name: 'Victim', type: 'slack', config: { webhook_url: 'https://hooks.slack.com/services/T9/B9/victim' } });
    const healthy = await create(c, { name: 'Healthy', type: 'email', config: { email: 'ok@example.com' } });
    await db.query('update notification_channels set secrets = (select secrets from notification_channels where id = $1) where id = $2', [slack.id, victim.id]);
    await expect(sendable(c.tenantId, victim.id)).rejects.toThrow(/failed authentication/);
    const routed = await t.app.container.services.notificationChannels.activeForRouting(c.tenantId);
    expect(routed.map((r) => [r.id, r.url])).toEqual([[victim.id, undefined], [healthy.id, undefined]]);
    expect(routed[1]?.email).toEqual(['ok@example.com']);
    // its owner can set the URL again (a mask has nothing to keep)
    const masked = await http('PUT', `${t.api}/notification-channels/${victim.id}`, { token: c.token, body: { config: { webhook_url: 'https://hooks.slack.com/***' } } });
    expect(masked.status, masked.text).toBe(422);
    const reset = await http('PUT', `${t.api}/notification-channels/${victim.id}`, { token: c.token, body: { config: { webhook_url: 'https://hooks.slack.com/services/T9/B9/new' } } });
    expect(reset.status, reset.text).toBe(200);
    expect((await sendable(c.tenantId, victim.id))?.url).toBe('https://hooks.slack.com/services/T9/B9/new');
  });

  it('PUT changes only the fields given; masks sent back keep the stored secrets; a new value replaces one', async () => {
    const hook = await create(a, { name: 'Hook', type: 'webhook', config: { url: HOOK_URL, headers: { 'X-A': 'alpha-secret', 'X-B': 'beta-secret' } } });
    const secret = hook.signing_secret;
    const renamed = await http('PUT', `${t.api}/notification-channels/${hook.id}`, { token: operatorA.token, body: { name: 'Hook renamed' } });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Hook renamed', config: hook.config, min_severity: 'info', is_active: true, signing_secret: '***' });

    // the answer sent back as it came (masks included) changes nothing; X-B gets a new value, X-A is kept, X-C is added
    const put = await http('PUT', `${t.api}/notification-channels/${hook.id}`, {
      token: a.token,
      body: { config: { url: `${HOOK_URL}/v2`, headers: { 'X-A': '***', 'X-B': 'beta-rotated', 'X-C': 'gamma' } }, min_severity: 'critical', signing_secret: '***' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.config).toEqual({ url: `${HOOK_URL}/v2`, headers: { 'X-A': '***', 'X-B': '***', 'X-C': '***' }, min_severity: 'critical' });
    expect(await sendable(a.tenantId, hook.id)).toMatchObject({ url: `${HOOK_URL}/v2`, headers: { 'X-A': 'alpha-secret', 'X-B': 'beta-rotated', 'X-C': 'gamma' }, signingSecret: secret, minSeverity: 'critical' });

    // a header left out is dropped; a new signing secret replaces the old one (write-only: answered as "***")
    const rotated = await http('PUT', `${t.api}/notification-channels/${hook.id}`, { token: a.token, body: { config: { url: HOOK_URL, headers: { 'X-C': '***' } }, signing_secret: 'rotated-secret-abcdef123' } });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.signing_secret).toBe('***');
    expect(await sendable(a.tenantId, hook.id)).toMatchObject({ headers: { 'X-C': 'gamma' }, signingSecret: 'rotated-secret-abcdef123' });

    // a mask for a header that has no stored value cannot keep anything
    await rejects('PUT', `/notification-channels/${hook.id}`, { config: { url: HOOK_URL, headers: { 'X-New': '***' } } }, ['body', 'config', 'headers', 'X-New']);

    // slack: the masked URL or "***" keeps it; deactivation alone keeps everything
    const slack = await create(a, { name: 'Slack keep', type: 'slack', config: { webhook_url: SLACK_URL } });
    for (const mask of ['https://hooks.slack.com/***', '***']) {
      const r = await http('PUT', `${t.api}/notification-channels/${slack.id}`, { token: a.token, body: { config: { webhook_url: mask } } });
      expect(r.status, r.text).toBe(200);
      expect((await sendable(a.tenantId, slack.id))?.url).toBe(SLACK_URL);
    }
    const off = await http('PUT', `${t.api}/notification-channels/${slack.id}`, { token: a.token, body: { is_active: false } });
    expect(off.body).toMatchObject({ is_active: false, config: { webhook_url: 'https://hooks.slack.com/***' } });
    expect(await sendable(a.tenantId, slack.id)).toMatchObject({ isActive: false, url: SLACK_URL });

    // a type change needs its config; becoming a webhook generates a secret shown in that answer; leaving webhook drops it
    await rejects('PUT', `/notification-channels/${slack.id}`, { type: 'email' }, ['body', 'config']);
    const toHook = await http('PUT', `${t.api}/notification-channels/${slack.id}`, { token: a.token, body: { type: 'webhook', config: { url: HOOK_URL } } });
    expect(toHook.status, toHook.text).toBe(200);
    expect(toHook.body.signing_secret).toMatch(/^whsec_/);
    expect((await sendable(a.tenantId, slack.id))?.signingSecret).toBe(toHook.body.signing_secret);
    const toMail = await http('PUT', `${t.api}/notification-channels/${slack.id}`, { token: a.token, body: { type: 'email', config: { email: 'x@example.com' } } });
    expect(toMail.body).toMatchObject({ type: 'email', signing_secret: null, config: { email: 'x@example.com' } });
    const row = await db.query('select secrets, signing_secret from notification_channels where id = $1', [slack.id]);
    expect(row.rows[0]).toEqual({ secrets: null, signing_secret: null });
  });

  it('checks every outbound URL with the outbound guard at create and update (422 with loc)', async () => {
    const refused = ['http://127.0.0.1:9/x', 'http://localhost/x', 'http://[::1]/x', 'http://0.0.0.0/x', 'http://2130706433/', 'http://[::ffff:127.0.0.1]/x', 'http://169.254.169.254/latest/meta-data'];
    for (const url of refused) {
      await rejects('POST', '/notification-channels', { name: 'Bad', type: 'webhook', config: { url } }, ['body', 'config', 'url']);
      await rejects('POST', '/notification-channels', { name: 'Bad', type: 'slack', config: { webhook_url: url } }, ['body', 'config', 'webhook_url']);
    }
    const ok = await create(a, { name: 'Guarded', type: 'teams', config: { webhook_url: TEAMS_URL } });
    await rejects('PUT', `/notification-channels/${ok.id}`, { config: { webhook_url: 'http://127.0.0.1/hook' } }, ['body', 'config', 'webhook_url']);
    expect((await sendable(a.tenantId, ok.id))?.url).toBe(TEAMS_URL);
  });

  it('refuses bad input on every body field with 422 and its loc, never a 500', async () => {
    const base = { name: 'N', type: 'webhook', config: { url: HOOK_URL } };
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ ...base, name: undefined }, ['body', 'name']],
      [{ ...base, name: '' }, ['body', 'name']],
      [{ ...base, name: 'x'.repeat(201) }, ['body', 'name']],
      [{ ...base, name: 42 }, ['body', 'name']],
      [{ ...base, name: 'bad\u202ename' }, ['body', 'name']],
      [{ ...base, type: undefined }, ['body', 'type']],
      [{ ...base, type: 'sms' }, ['body', 'type']],
      [{ ...base, config: undefined }, ['body', 'config']],
      [{ ...base, config: 'https://x.example.com' }, ['body', 'config']],
      [{ ...base, config: {} }, ['body', 'config', 'url']],
      [{ ...base, config: { url: HOOK_URL, extra: 1 } }, ['body', 'config', 'extra']],
      [{ ...base, config: { url: 'ftp://files.example.com/x' } }, ['body', 'config', 'url']],
      [{ ...base, config: { url: 'not a url' } }, ['body', 'config', 'url']],
      [{ ...base, config: { url: 'https://user:pw@hooks.example.com/x' } }, ['body', 'config', 'url']],
      [{ ...base, config: { url: `https://hooks.example.com/${'a'.repeat(2100)}` } }, ['body', 'config', 'url']],
      [{ ...base, config: { url: 42 } }, ['body', 'config', 'url']],
      [{ ...base, config: { url: HOOK_URL, headers: ['X-A'] } }, ['body', 'config', 'headers']],
      [{ ...base, config: { url: HOOK_URL, headers: { 'Bad Name': 'v' } } }, ['body', 'config', 'headers', 'Bad Name']],
      [{ ...base, config: { url: HOOK_URL, headers: { 'Content-Type': 'text/plain' } } }, ['body', 'config', 'headers', 'Content-Type']],
      [{ ...base, config: { url: HOOK_URL, headers: { 'X-Webhook-Signature': 'forged' } } }, ['body', 'config', 'headers', 'X-Webhook-Signature']],
      [{ ...base, config: { url: HOOK_URL, headers: { 'X-A': 'line\r\nInjected: 1' } } }, ['body', 'config', 'headers', 'X-A']],
      [{ ...base, config: { url: HOOK_URL, headers: { 'X-A': 7 } } }, ['body', 'config', 'headers', 'X-A']],
      [{ ...base, config: { url: HOOK_URL, headers: { 'X-A': 'v'.repeat(2001) } } }, ['body', 'config', 'headers', 'X-A']],
      [{ ...base, config: { url: HOOK_URL, headers: { 'X-A': '***' } } }, ['body', 'config', 'headers', 'X-A']],
      [{ ...base, config: { url: HOOK_URL, headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])) } }, ['body', 'config', 'headers']],
      [{ ...base, config: { url: HOOK_URL, min_severity: 'fatal' } }, ['body', 'config', 'min_severity']],
      [{ ...base, config: { url: HOOK_URL, min_severity: 'critical' }, min_severity: 'info' }, ['body', 'config', 'min_severity']],
      [{ name: 'M', type: 'email', config: {} }, ['body', 'config', 'email']],
      [{ name: 'M', type: 'email', config: { email: 'not-an-address' } }, ['body', 'config', 'email']],
      [{ name: 'M', type: 'email', config: { email: 'a@example.com,,b@example.com' } }, ['body', 'config', 'email']],
      [{ name: 'M', type: 'email', config: { email: Array.from({ length: 21 }, (_, i) => `u${i}@example.com`).join(',') } }, ['body', 'config', 'email']],
      [{ name: 'M', type: 'email', config: { email: 5 } }, ['body', 'config', 'email']],
      [{ name: 'M', type: 'email', config: { email: 'a@example.com', url: HOOK_URL } }, ['body', 'config', 'url']],
      [{ name: 'S', type: 'slack', config: { url: SLACK_URL } }, ['body', 'config', 'url']],
      [{ name: 'S', type: 'slack', config: { webhook_url: '***' } }, ['body', 'config', 'webhook_url']],
      [{ ...base, min_severity: 'fatal' }, ['body', 'min_severity']],
      [{ ...base, is_active: 'yes' }, ['body', 'is_active']],
      [{ ...base, signing_secret: 'short' }, ['body', 'signing_secret']],
      [{ ...base, signing_secret: 'has spaces in it, sixteen+' }, ['body', 'signing_secret']],
      [{ ...base, signing_secret: 12345678901234567 }, ['body', 'signing_secret']],
      [{ name: 'S', type: 'slack', config: { webhook_url: SLACK_URL }, signing_secret: 'long-enough-secret-123' }, ['body', 'signing_secret']],
    ];
    for (const [body, loc] of cases) await rejects('POST', '/notification-channels', body, loc);
    const ch = await create(a, base);
    const putCases: [Record<string, unknown>, (string | number)[]][] = [
      [{ name: '' }, ['body', 'name']],
      [{ type: 'pager' }, ['body', 'type']],
      [{ config: [] }, ['body', 'config']],
      [{ config: { url: 'javascript:alert(1)' } }, ['body', 'config', 'url']],
      [{ min_severity: 3 }, ['body', 'min_severity']],
      [{ is_active: 1 }, ['body', 'is_active']],
      [{ signing_secret: 'tiny' }, ['body', 'signing_secret']],
    ];
    for (const [body, loc] of putCases) await rejects('PUT', `/notification-channels/${ch.id}`, body, loc);
    const malformed = await http('POST', `${t.api}/notification-channels`, { token: a.token, raw: '{"name": ' });
    expect(malformed.status).toBe(400);
  });

  it('isolates tenants (404 on every row with an id) and enforces roles; API keys are refused', async () => {
    const ch = await create(a, { name: 'Mine', type: 'email', config: { email: 'me@example.com' } });
    for (const [method, body] of [['PUT', { name: 'stolen' }], ['DELETE', undefined]] as const) {
      const r = await http(method, `${t.api}/notification-channels/${ch.id}`, { token: b.token, body });
      expect(r.status, r.text).toBe(404);
      expect(r.body).toEqual({ detail: 'Notification channel not found' });
    }
    const listB = await http('GET', `${t.api}/notification-channels`, { token: b.token });
    expect(listB.body.map((c: { id: string }) => c.id)).not.toContain(ch.id);
    const g = await gql(t.url, 'query($id: ID!) { notificationChannel(id: $id) { id } }', { id: ch.id }, { token: b.token });
    expect(g.body.errors?.[0]?.extensions?.reason).toBe('NOTIFICATION_CHANNEL_NOT_FOUND');
    expect((await sendable(a.tenantId, ch.id))?.name).toBe('Mine');

    for (const [method, path, body] of [
      ['POST', '/notification-channels', { name: 'V', type: 'email', config: { email: 'v@example.com' } }],
      ['PUT', `/notification-channels/${ch.id}`, { name: 'V' }],
      ['DELETE', `/notification-channels/${ch.id}`, undefined],
    ] as const) {
      const r = await http(method, `${t.api}${path}`, { token: viewerA.token, body });
      expect(r.status, r.text).toBe(403);
    }
    const key = await createApiKey(t.api, a, ['read:machines', 'read:sensors']);
    for (const [method, path] of [['GET', '/notification-channels'], ['POST', '/notification-channels']] as const) {
      const r = await http(method, `${t.api}${path}`, { apiKey: key.key, body: method === 'POST' ? { name: 'K', type: 'email', config: { email: 'k@example.com' } } : undefined });
      expect(r.status, r.text).toBe(403);
    }
    const del = await http('DELETE', `${t.api}/notification-channels/${ch.id}`, { token: operatorA.token });
    expect(del.status).toBe(204);
    expect((await http('PUT', `${t.api}/notification-channels/${ch.id}`, { token: a.token, body: { name: 'x' } })).status).toBe(404);
    expect(await sendable(a.tenantId, ch.id)).toBeNull();
  });

  it('refuses deleting a channel an escalation policy uses (409) until the policy is gone', async () => {
    const ch = await create(a, { name: 'Escalate here', type: 'email', config: { email: 'oncall@example.com' } });
    const p = await http('POST', `${t.api}/escalation-policies`, { token: a.token, body: { name: 'P', severity: 'critical', wait_minutes: 15, channel_id: ch.id } });
    expect(p.status, p.text).toBe(201);
    const del = await http('DELETE', `${t.api}/notification-channels/${ch.id}`, { token: a.token });
    expect(del.status).toBe(409);
    expect(del.body).toEqual({ detail: 'Notification channel is used by 1 escalation policy; change or delete them first' });
    expect((await http('DELETE', `${t.api}/escalation-policies/${p.body.id}`, { token: a.token })).status).toBe(204);
    expect((await http('DELETE', `${t.api}/notification-channels/${ch.id}`, { token: a.token })).status).toBe(204);
  });

  it('GraphQL: create, list, update and delete with the same rules', async () => {
    const created = await gql(
      t.url,
      `mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { id name type config minSeverity isActive signingSecret } }`,
      { input: { name: 'GQL hook', type: 'webhook', config: { url: HOOK_URL, headers: { 'X-Key': 'gql-secret' } }, minSeverity: 'warning' } },
      { token: operatorA.token },
    );
    expect(created.body.errors, created.text).toBeUndefined();
    const ch = created.body.data!.createNotificationChannel;
    expect(ch).toMatchObject({ type: 'webhook', config: { url: HOOK_URL, headers: { 'X-Key': '***' }, min_severity: 'warning' }, minSeverity: 'warning', isActive: true });
    expect(ch.signingSecret).toMatch(/^whsec_/);

    const upd = await gql(
      t.url,
      'mutation($id: ID!, $input: UpdateNotificationChannelInput!) { updateNotificationChannel(id: $id, input: $input) { name config signingSecret } }',
      { id: ch.id, input: { name: 'GQL renamed', config: { url: HOOK_URL, headers: { 'X-Key': '***' } } } },
      { token: a.token },
    );
    expect(upd.body.data?.updateNotificationChannel).toEqual({ name: 'GQL renamed', config: { url: HOOK_URL, headers: { 'X-Key': '***' }, min_severity: 'warning' }, signingSecret: '***' });
    expect((await sendable(a.tenantId, ch.id))?.headers).toEqual({ 'X-Key': 'gql-secret' });

    const bad = await gql(t.url, 'mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { id } }', { input: { name: 'Bad', type: 'slack', config: { webhook_url: 'http://127.0.0.1/x' } } }, { token: a.token });
    expect(bad.body.errors?.[0]?.extensions?.reason).toBe('INVALID_NOTIFICATION_CHANNEL');
    const viewer = await gql(t.url, 'mutation($id: ID!) { deleteNotificationChannel(id: $id) }', { id: ch.id }, { token: viewerA.token });
    expect(viewer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const list = await gql(t.url, 'query { notificationChannels { id name } }', {}, { token: viewerA.token });
    expect(list.body.data?.notificationChannels.map((c: { id: string }) => c.id)).toContain(ch.id);
    const del = await gql(t.url, 'mutation($id: ID!) { deleteNotificationChannel(id: $id) }', { id: ch.id }, { token: a.token });
    expect(del.body.data?.deleteNotificationChannel).toBe(true);
  });

  it('audits create, update and delete (no secrets in the details) and announces every change to the delivery engine', async () => {
    const events: NotificationTargetsChanged[] = [];
    const off = t.app.container.bus.on(notificationTargetsChangedTopic(a.tenantId), (e) => void events.push(e));
    try {
      const ch = await create(a, { name: 'Audited', type: 'webhook', config: { url: HOOK_URL, headers: { 'X-Audit': 'audit-secret-1' } } });
      await http('PUT', `${t.api}/notification-channels/${ch.id}`, { token: a.token, body: { name: 'Audited 2' } });
      await http('DELETE', `${t.api}/notification-channels/${ch.id}`, { token: a.token });
      const audit = await http('GET', `${t.api}/audit?resource_id=${ch.id}`, { token: a.token });
      expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['create_notification_channel', 'delete_notification_channel', 'update_notification_channel']);
      expect(audit.text).not.toContain('audit-secret-1');
      expect(audit.text).not.toContain(ch.signing_secret);
      expect(audit.body.items.find((e: { action: string }) => e.action === 'update_notification_channel').details).toEqual({ changed: ['name'] });
      await expect.poll(() => events.length).toBeGreaterThanOrEqual(3);
      expect(events[0]).toEqual({ tenantId: a.tenantId });
    } finally {
      off();
    }
  });

  it('holds at most 100 channels per tenant (409), also when creates race', async () => {
    const c = await registerTenant(t.api, 'ncl');
    const body = (i: number) => ({ name: `Limit ${i}`, type: 'email', config: { email: `l${i}@example.com` } });
    // 110 creates, 10 at a time: exactly 100 succeed
    const statuses: number[] = [];
    for (let i = 0; i < 110; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, j) => http('POST', `${t.api}/notification-channels`, { token: c.token, body: body(i + j) })));
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(100);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
    const over = await http('POST', `${t.api}/notification-channels`, { token: c.token, body: body(999) });
    expect(over.status).toBe(409);
    expect(over.body).toEqual({ detail: 'A tenant may hold at most 100 notification channels' });
    expect((await http('GET', `${t.api}/notification-channels`, { token: c.token })).body).toHaveLength(100);
  });
});
