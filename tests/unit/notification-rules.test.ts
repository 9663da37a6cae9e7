/**
 * The pure rules of notification channels, policies and push subscriptions
 * (src/notifications/notification.rules.ts): config per type, masks and what a mask keeps,
 * recipients, headers, URLs, wait_minutes and push keys, each failure at its exact loc.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import {
  MASK,
  maskUrl,
  parseRecipients,
  validateChannelConfig,
  validateHeaders,
  validatePushKeys,
  validateSigningSecret,
  validateUrl,
  validateWaitMinutes,
  type Fail,
} from '../../src/notifications/notification.rules.js';

class RuleError extends Error {
  constructor(
    readonly loc: (string | number)[],
    msg: string,
    readonly type: string,
  ) {
    super(msg);
  }
}
const fail: Fail = (loc, msg, type = 'value_error') => new RuleError(loc, msg, type);

/** The loc and type of the failure `f` throws. */
function failure(f: () => unknown): { loc: (string | number)[]; type: string } {
  try {
    f();
  } catch (err) {
    if (err instanceof RuleError) return { loc: err.loc, type: err.type };
    throw err;
  }
  throw new Error('expected a rule failure');
}

describe('channel config', () => {
  it('email: a comma list of 1 to 20 addresses, duplicates dropped, stored joined', () => {
    expect(validateChannelConfig('email', { email: ' a@example.com,B@example.org , A@Example.com ' }, fail)).toEqual({
      config: { email: 'a@example.com, B@example.org' },
      secrets: null,
      urls: [],
    });
    expect(parseRecipients(['x@example.com', 'y@example.com'], fail)).toEqual(['x@example.com', 'y@example.com']);
    expect(parseRecipients(Array.from({ length: 20 }, (_, i) => `u${i}@example.com`).join(','), fail)).toHaveLength(20);
    expect(failure(() => parseRecipients(Array.from({ length: 21 }, (_, i) => `u${i}@example.com`).join(','), fail))).toEqual({ loc: ['config', 'email'], type: 'too_long' });
    expect(failure(() => parseRecipients(['ok@example.com', 5], fail))).toEqual({ loc: ['config', 'email', 1], type: 'string_type' });
    for (const bad of ['', ' , ', 'no-at-sign', 'two@@example.com', 'a@nodot', 'a b@example.com', 'a@example.com,', 'a@-bad.com', `${'x'.repeat(250)}@example.com`]) {
      expect(failure(() => parseRecipients(bad, fail)).loc, bad).toEqual(['config', 'email']);
    }
    expect(failure(() => validateChannelConfig('email', {}, fail))).toEqual({ loc: ['config', 'email'], type: 'missing' });
    expect(failure(() => validateChannelConfig('email', { email: 'a@example.com', webhook_url: 'https://x.example.com' }, fail))).toEqual({
      loc: ['config', 'webhook_url'],
      type: 'extra_forbidden',
    });
  });

  it('slack and teams: the URL is a secret, stored masked as origin + /***; the mask or *** keeps the stored one', () => {
    const url = 'https://hooks.slack.com/services/T1/B2/secret';
    const spec = validateChannelConfig('slack', { webhook_url: url }, fail);
    expect(spec.config).toEqual({ webhook_url: 'https://hooks.slack.com/***' });
    expect(spec.secrets).toEqual({ webhook_url: url });
    expect(spec.urls.map(([loc, u]) => [loc, u.href])).toEqual([[['config', 'webhook_url'], url]]);
    const previous = { config: spec.config, secrets: spec.secrets! };
    for (const mask of [MASK, 'https://hooks.slack.com/***']) {
      const kept = validateChannelConfig('teams', { webhook_url: mask }, fail, previous);
      expect(kept).toEqual({ config: { webhook_url: 'https://hooks.slack.com/***' }, secrets: { webhook_url: url }, urls: [] });
    }
    // without a stored URL a mask is just a bad URL
    expect(failure(() => validateChannelConfig('slack', { webhook_url: MASK }, fail)).loc).toEqual(['config', 'webhook_url']);
    expect(failure(() => validateChannelConfig('slack', { webhook_url: 'https://hooks.slack.com/***' }, fail)).loc).toEqual(['config', 'webhook_url']);
    expect(failure(() => validateChannelConfig('teams', { webhook_url: 'https://other.example.com/***' }, fail, previous)).loc).toEqual(['config', 'webhook_url']);
    expect(maskUrl('http://[::1]:8080/a/b?c=d')).toBe('http://[::1]:8080/***');
  });

  it('webhook: url in clear, header values sealed and masked; *** keeps a stored header (names case-insensitive)', () => {
    const spec = validateChannelConfig('webhook', { url: 'https://hooks.example.com/in', headers: { 'X-Token': 't1', Authorization: 'Bearer z' } }, fail);
    expect(spec.config).toEqual({ url: 'https://hooks.example.com/in', headers: { 'X-Token': MASK, Authorization: MASK } });
    expect(spec.secrets).toEqual({ headers: { 'X-Token': 't1', Authorization: 'Bearer z' } });
    const next = validateChannelConfig('webhook', { url: 'https://hooks.example.com/in', headers: { 'x-token': MASK, 'X-New': 'n' } }, fail, { config: spec.config, secrets: spec.secrets! });
    expect(next.secrets).toEqual({ headers: { 'x-token': 't1', 'X-New': 'n' } });
    expect(failure(() => validateChannelConfig('webhook', { url: 'https://h.example.com', headers: { 'X-Other': MASK } }, fail, { config: spec.config, secrets: spec.secrets! }))).toEqual({
      loc: ['config', 'headers', 'X-Other'],
      type: 'value_error',
    });
    expect(validateChannelConfig('webhook', { url: 'https://h.example.com/x', headers: null }, fail).secrets).toBeNull();
    expect(failure(() => validateChannelConfig('webhook', { headers: {} }, fail))).toEqual({ loc: ['config', 'url'], type: 'missing' });
    expect(failure(() => validateChannelConfig('webhook', 'https://h.example.com', fail))).toEqual({ loc: ['config'], type: 'dict_type' });
    // min_severity may ride along in config
    expect(validateChannelConfig('webhook', { url: 'https://h.example.com/x', min_severity: 'critical' }, fail).config).toEqual({ url: 'https://h.example.com/x', headers: {} });
  });

  it('headers: names are tokens, the transport and signature headers are refused, values are printable and bounded', () => {
    expect(validateHeaders({ 'X-Webhook-Secret': 's', 'X-Api-Key': 'k' }, fail)).toEqual({ 'X-Webhook-Secret': 's', 'X-Api-Key': 'k' });
    const cases: [Record<string, unknown>, string][] = [
      [{ 'Bad Name': 'v' }, 'Bad Name'],
      [{ 'X:Colon': 'v' }, 'X:Colon'],
      [{ Host: 'evil' }, 'Host'],
      [{ 'content-length': '1' }, 'content-length'],
      [{ 'X-Webhook-Signature': 'v1=forged' }, 'X-Webhook-Signature'],
      [{ 'x-webhook-id': 'x' }, 'x-webhook-id'],
      [{ 'X-A': 'a\nb' }, 'X-A'],
      [{ 'X-A': 'caf\u00e9' }, 'X-A'],
      [{ 'X-A': 'v'.repeat(2001) }, 'X-A'],
      [{ 'X-A': null }, 'X-A'],
      [{ ['X'.repeat(101)]: 'v' }, 'X'.repeat(101)],
    ];
    for (const [h, name] of cases) expect(failure(() => validateHeaders(h, fail)).loc, name).toEqual(['config', 'headers', name]);
    expect(failure(() => validateHeaders({ 'X-A': '1', 'x-a': '2' }, fail)).loc).toEqual(['config', 'headers', 'x-a']);
    expect(failure(() => validateHeaders(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-${i}`, 'v'])), fail))).toEqual({ loc: ['config', 'headers'], type: 'too_long' });
    expect(failure(() => validateHeaders(['X-A'], fail))).toEqual({ loc: ['config', 'headers'], type: 'dict_type' });
  });
});

describe('URLs, secrets, waits and push keys', () => {
  it('URLs: http(s) only, no credentials, no fragment, no whitespace, at most 2,048 characters', () => {
    expect(validateUrl('https://hooks.example.com:8443/a?b=c', fail, ['url']).href).toBe('https://hooks.example.com:8443/a?b=c');
    for (const [bad, type] of [
      ['ftp://x.example.com/', 'url_scheme'],
      ['javascript:alert(1)', 'url_scheme'],
      ['file:///etc/passwd', 'url_scheme'],
      ['https://u:p@x.example.com/', 'value_error'],
      ['https://x.example.com/#frag', 'value_error'],
      ['https://x.example.com/a b', 'url_parsing'],
      ['//x.example.com', 'url_parsing'],
      ['', 'string_too_short'],
      [`https://x.example.com/${'a'.repeat(2048)}`, 'string_too_long'],
    ] as const) {
      expect(failure(() => validateUrl(bad, fail, ['url'])), bad).toEqual({ loc: ['url'], type });
    }
    expect(failure(() => validateUrl(12, fail, ['url']))).toEqual({ loc: ['url'], type: 'string_type' });
  });

  it('signing secrets: 16 to 256 printable characters without spaces', () => {
    expect(validateSigningSecret('a'.repeat(16), fail)).toBe('a'.repeat(16));
    for (const bad of ['a'.repeat(15), 'a'.repeat(257), 'sixteen chars ok!', 'tab\tseparated-secret', 'ünïcödé-secret-value']) {
      expect(failure(() => validateSigningSecret(bad, fail)).loc, bad).toEqual(['signing_secret']);
    }
  });

  it('wait_minutes: an integer 1 to 1,440', () => {
    expect(validateWaitMinutes(1, fail)).toBe(1);
    expect(validateWaitMinutes(1440, fail)).toBe(1440);
    expect(failure(() => validateWaitMinutes(0, fail))).toEqual({ loc: ['wait_minutes'], type: 'greater_than_equal' });
    expect(failure(() => validateWaitMinutes(1441, fail))).toEqual({ loc: ['wait_minutes'], type: 'less_than_equal' });
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, '15', null]) expect(failure(() => validateWaitMinutes(bad, fail)).type).toBe('int_type');
  });

  it('push keys: p256dh an uncompressed P-256 point (65 bytes), auth 16 bytes, base64url with padding tolerated', () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const p256dh = ecdh.getPublicKey().toString('base64url');
    const auth = randomBytes(16).toString('base64url');
    expect(validatePushKeys({ p256dh, auth: `${auth}==` }, fail)).toEqual({ p256dh, auth });
    expect(failure(() => validatePushKeys(undefined, fail))).toEqual({ loc: ['keys'], type: 'missing' });
    expect(failure(() => validatePushKeys({ auth }, fail))).toEqual({ loc: ['keys', 'p256dh'], type: 'missing' });
    expect(failure(() => validatePushKeys({ p256dh }, fail))).toEqual({ loc: ['keys', 'auth'], type: 'missing' });
    expect(failure(() => validatePushKeys({ p256dh: ecdh.getPublicKey(null, 'compressed').toString('base64url'), auth }, fail)).loc).toEqual(['keys', 'p256dh']);
    expect(failure(() => validatePushKeys({ p256dh: `${p256dh.slice(0, -1)}+`, auth }, fail)).loc).toEqual(['keys', 'p256dh']);
    const notUncompressed = Buffer.from(ecdh.getPublicKey());
    notUncompressed[0] = 2;
    expect(failure(() => validatePushKeys({ p256dh: notUncompressed.toString('base64url'), auth }, fail)).loc).toEqual(['keys', 'p256dh']);
    expect(failure(() => validatePushKeys({ p256dh, auth: randomBytes(15).toString('base64url') }, fail)).loc).toEqual(['keys', 'auth']);
    expect(failure(() => validatePushKeys({ p256dh, auth: 'A'.repeat(201) }, fail))).toEqual({ loc: ['keys', 'auth'], type: 'string_too_long' });
  });
});

describe('VAPID configuration', () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const pub = ecdh.getPublicKey().toString('base64url');
  const priv = ecdh.getPrivateKey().toString('base64url');

  it('takes both keys and the subject, or neither (generated once per installation)', () => {
    expect(loadConfig({}).push).toEqual({ vapidPublicKey: undefined, vapidPrivateKey: undefined, vapidSubject: 'mailto:admin@localhost' });
    expect(loadConfig({ VAPID_PUBLIC_KEY: pub, VAPID_PRIVATE_KEY: priv, VAPID_SUBJECT: 'mailto:ops@example.com' }).push).toEqual({
      vapidPublicKey: pub,
      vapidPrivateKey: priv,
      vapidSubject: 'mailto:ops@example.com',
    });
  });

  it('refuses half a pair, keys of the wrong size and a subject that is not mailto: or https:', () => {
    expect(() => loadConfig({ VAPID_PUBLIC_KEY: pub })).toThrow(/VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: set both or neither/);
    expect(() => loadConfig({ VAPID_PRIVATE_KEY: priv })).toThrow(ConfigError);
    expect(() => loadConfig({ VAPID_PUBLIC_KEY: priv, VAPID_PRIVATE_KEY: priv })).toThrow(/VAPID_PUBLIC_KEY/);
    expect(() => loadConfig({ VAPID_PUBLIC_KEY: pub, VAPID_PRIVATE_KEY: pub })).toThrow(/VAPID_PRIVATE_KEY/);
    expect(() => loadConfig({ VAPID_SUBJECT: 'http://insecure.example.com' })).toThrow(/VAPID_SUBJECT/);
  });
});
