import { ALERT_SEVERITIES, type AlertSeverity } from '../alerts/alert-rule.entity.js';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';

/** Channel types (the docs name e-mail, Slack, Microsoft Teams and generic webhooks). */
export const CHANNEL_TYPES = ['email', 'slack', 'teams', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Field limits of notification channels, escalation policies and push subscriptions, declared once for both doors and the services. */
export const NOTIFICATION_LIMITS = {
  name: 200,
  channelsPerTenant: 100,
  policiesPerTenant: 50,
  /** recipients of one e-mail channel (a comma list) */
  emailRecipients: 20,
  /** characters of one address (RFC 5321 path limit) */
  emailAddress: 254,
  /** characters of the whole `email` field: 20 maximal addresses and their separators */
  emailField: 20 * 256,
  url: 2048,
  headers: 20,
  headerName: 100,
  headerValue: 2000,
  signingSecretMin: 16,
  signingSecretMax: 256,
  waitMinutesMin: 1,
  waitMinutesMax: 1440,
  pushEndpoint: 2048,
  /** subscriptions one user keeps (the oldest beyond are dropped: browsers rotate endpoints) */
  pushPerUser: 20,
  /** characters of the base64url keys of a push subscription (65- and 16-byte values, with room for padding) */
  pushKey: 200,
} as const;
const L = NOTIFICATION_LIMITS;

/** What a masked secret reads as; sent back in an update it keeps the stored value. */
export const MASK = '***';

/**
 * Headers a channel may not set: the transport's own (framing, host) and the signature headers
 * the platform adds, which a configured copy would shadow or duplicate.
 */
const RESERVED_HEADERS = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'proxy-connection',
  // the signature headers (docs/webhooks.md); the documented shared-secret header X-Webhook-Secret stays allowed
  'x-webhook-id', 'x-webhook-event', 'x-webhook-timestamp', 'x-webhook-signature',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** printable ASCII and tab: what a header value may carry without encoding surprises (no CR/LF injection) */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
/** deliberately loose: one @, no spaces or controls, a dotted domain; the SMTP server is the judge of the rest */
const EMAIL = /^[^\s@",;<>()[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))+$/;

/** The `config` stored and returned: secrets already masked. */
export type StoredChannelConfig = { email: string } | { webhook_url: string } | { url: string; headers: Record<string, string> };

/** The plaintext secrets of a channel, sealed together in one box. */
export interface ChannelSecrets {
  webhook_url?: string;
  headers?: Record<string, string>;
}

export type Fail = (loc: (string | number)[], msg: string, type?: string) => Error;

export const enumMessage = (values: readonly string[]) => `Input should be ${values.map((s) => `'${s}'`).join(', ')}`;

export const isSeverity = (s: unknown): s is AlertSeverity => typeof s === 'string' && (ALERT_SEVERITIES as readonly string[]).includes(s);
export const isChannelType = (s: unknown): s is ChannelType => typeof s === 'string' && (CHANNEL_TYPES as readonly string[]).includes(s);

/** A name: 1 to 200 characters, one line, no bidi overrides. */
export function validateName(value: unknown, fail: Fail, loc: (string | number)[] = ['name']): string {
  if (typeof value !== 'string') throw fail(loc, 'Input should be a valid string', 'string_type');
  const name = value.trim();
  if (name.length === 0) throw fail(loc, 'String should have at least 1 character', 'string_too_short');
  if (codePointLength(name) > L.name) throw fail(loc, `String should have at most ${L.name} characters`, 'string_too_long');
  const unsafe = unsafeTextReason(name);
  if (unsafe) throw fail(loc, `Value ${unsafe}`);
  return name;
}

export function validateSeverity(value: unknown, fail: Fail, loc: (string | number)[]): AlertSeverity {
  if (!isSeverity(value)) throw fail(loc, enumMessage(ALERT_SEVERITIES), 'enum');
  return value;
}

/**
 * An outbound http(s) URL as stored: at most 2,048 characters, no credentials (they would be
 * returned in clear; headers carry secrets) and no fragment. The address check (outbound guard)
 * is the service's, it needs DNS.
 */
export function validateUrl(value: unknown, fail: Fail, loc: (string | number)[], max: number = L.url): URL {
  if (typeof value !== 'string') throw fail(loc, 'Input should be a valid string', 'string_type');
  if (value.length === 0) throw fail(loc, 'String should have at least 1 character', 'string_too_short');
  if (value.length > max) throw fail(loc, `String should have at most ${max} characters`, 'string_too_long');
  if (/\s/.test(value) || unsafeTextReason(value)) throw fail(loc, 'URL must not contain whitespace or control characters', 'url_parsing');
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw fail(loc, 'Input should be a valid URL', 'url_parsing');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw fail(loc, "URL scheme should be 'http' or 'https'", 'url_scheme');
  if (!u.hostname) throw fail(loc, 'URL must have a host', 'url_parsing');
  if (u.username || u.password) throw fail(loc, 'URL must not carry credentials; put secrets in headers', 'value_error');
  if (u.hash) throw fail(loc, 'URL must not have a fragment', 'value_error');
  return u;
}

/** `https://hooks.slack.com/services/T/B/x` -> `https://hooks.slack.com/***`: the host says where it goes, the path (the secret) stays hidden. */
export function maskUrl(url: string): string {
  return `${new URL(url).origin}/${MASK}`;
}

/** The recipients of an e-mail channel: a comma list (or a list) of 1 to 20 addresses, duplicates dropped. */
export function parseRecipients(value: unknown, fail: Fail, loc: (string | number)[] = ['config', 'email']): string[] {
  let parts: unknown[];
  if (typeof value === 'string') {
    if (value.length > L.emailField) throw fail(loc, `String should have at most ${L.emailField} characters`, 'string_too_long');
    parts = value.split(',');
  } else if (Array.isArray(value)) {
    if (value.length > L.emailRecipients) throw fail(loc, `At most ${L.emailRecipients} recipients`, 'too_long');
    parts = value;
  } else throw fail(loc, 'Input should be a valid string (a comma-separated list of addresses)', 'string_type');
  const out: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const raw = parts[i];
    const at = Array.isArray(value) ? [...loc, i] : loc;
    if (typeof raw !== 'string') throw fail(at, 'Input should be a valid string', 'string_type');
    const addr = raw.trim();
    if (addr === '') {
      if (Array.isArray(value) || parts.length === 1) throw fail(at, 'At least one e-mail address is required', 'value_error');
      throw fail(at, 'Empty entry in the comma-separated list', 'value_error');
    }
    if (addr.length > L.emailAddress || !EMAIL.test(addr)) throw fail(at, `Not a valid e-mail address: ${JSON.stringify(addr.slice(0, 80))}`, 'value_error');
    const key = addr.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(addr);
    }
  }
  if (out.length === 0) throw fail(loc, 'At least one e-mail address is required', 'value_error');
  if (out.length > L.emailRecipients) throw fail(loc, `At most ${L.emailRecipients} recipients`, 'too_long');
  return out;
}

/** Header name -> value as configured: at most 20, valid names that are not the transport's or the signature's, printable one-line values. */
export function validateHeaders(value: unknown, fail: Fail, loc: (string | number)[] = ['config', 'headers']): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(loc, 'Input should be a valid dictionary', 'dict_type');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > L.headers) throw fail(loc, `At most ${L.headers} headers`, 'too_long');
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, v] of entries) {
    const at = [...loc, name];
    if (name.length === 0 || name.length > L.headerName || !HEADER_NAME.test(name)) throw fail(at, `Not a valid header name (1 to ${L.headerName} token characters)`, 'value_error');
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) throw fail(at, `Header ${name} is set by the platform and cannot be configured`, 'value_error');
    if (seen.has(lower)) throw fail(at, `Header ${name} is given twice (names are case-insensitive)`, 'value_error');
    seen.add(lower);
    if (typeof v !== 'string') throw fail(at, 'Input should be a valid string', 'string_type');
    if (v.length > L.headerValue) throw fail(at, `String should have at most ${L.headerValue} characters`, 'string_too_long');
    if (!HEADER_VALUE.test(v)) throw fail(at, 'Header values must be printable ASCII on one line', 'value_error');
    out[name] = v;
  }
  return out;
}

/** A client-chosen signing secret: 16 to 256 printable ASCII characters. */
export function validateSigningSecret(value: unknown, fail: Fail, loc: (string | number)[] = ['signing_secret']): string {
  if (typeof value !== 'string') throw fail(loc, 'Input should be a valid string', 'string_type');
  if (value.length < L.signingSecretMin) throw fail(loc, `String should have at least ${L.signingSecretMin} characters`, 'string_too_short');
  if (value.length > L.signingSecretMax) throw fail(loc, `String should have at most ${L.signingSecretMax} characters`, 'string_too_long');
  if (!/^[\x21-\x7e]+$/.test(value)) throw fail(loc, 'Signing secret must be printable ASCII without spaces', 'value_error');
  return value;
}

/** What a validated channel config is: the stored (masked) form, the plaintext secrets and the URLs the outbound guard must check. */
export interface ChannelConfigSpec {
  config: StoredChannelConfig;
  secrets: ChannelSecrets | null;
  /** [loc, url] of every outbound URL */
  urls: [(string | number)[], URL][];
}

/**
 * Validates `config` for `type`. `previous` are the stored secrets (on update): a masked value sent
 * back (`"***"` for a header, the masked URL or `"***"` for a webhook URL) keeps the stored one.
 * Unknown keys are refused, so a config written for another type does not pass silently.
 */
export function validateChannelConfig(type: ChannelType, value: unknown, fail: Fail, previous: { config: StoredChannelConfig; secrets: ChannelSecrets } | null = null): ChannelConfigSpec {
  const loc = ['config'];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(loc, 'Input should be a valid dictionary', 'dict_type');
  const c = value as Record<string, unknown>;
  const allowed = type === 'email' ? ['email'] : type === 'webhook' ? ['url', 'headers'] : ['webhook_url'];
  for (const k of Object.keys(c)) {
    // min_severity may ride in config (the issue: "each may add min_severity"); the service lifts it out
    if (!allowed.includes(k) && k !== 'min_severity') throw fail([...loc, k], `Extra inputs are not permitted for a ${type} channel`, 'extra_forbidden');
  }
  const required = (k: string) => {
    if (c[k] === undefined || c[k] === null) throw fail([...loc, k], 'Field required', 'missing');
    return c[k];
  };
  if (type === 'email') {
    const recipients = parseRecipients(required('email'), fail, [...loc, 'email']);
    return { config: { email: recipients.join(', ') }, secrets: null, urls: [] };
  }
  if (type === 'slack' || type === 'teams') {
    const raw = required('webhook_url');
    const prev = previous?.secrets.webhook_url;
    if (prev !== undefined && (raw === MASK || raw === maskUrl(prev))) {
      return { config: { webhook_url: maskUrl(prev) }, secrets: { webhook_url: prev }, urls: [] };
    }
    const u = validateUrl(raw, fail, [...loc, 'webhook_url']);
    // `https://host/***` is a mask, never a real hook: with nothing stored (or another origin) it cannot keep anything
    if (u.pathname === `/${MASK}` && !u.search) throw fail([...loc, 'webhook_url'], `A masked URL keeps a stored one, and this channel has none for ${u.origin}; send the URL`, 'value_error');
    return { config: { webhook_url: maskUrl(u.href) }, secrets: { webhook_url: u.href }, urls: [[[...loc, 'webhook_url'], u]] };
  }
  const u = validateUrl(required('url'), fail, [...loc, 'url']);
  const given = c.headers === undefined || c.headers === null ? {} : c.headers;
  const headers = validateHeaders(given, fail, [...loc, 'headers']);
  const stored = previous?.secrets.headers ?? {};
  const storedByLower = new Map(Object.entries(stored).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [name, v] of Object.entries(headers)) {
    if (v !== MASK) continue;
    const kept = storedByLower.get(name.toLowerCase());
    if (kept === undefined) throw fail([...loc, 'headers', name], `"${MASK}" keeps a stored value, and header ${name} has none; send the value`, 'value_error');
    headers[name] = kept;
  }
  const masked = Object.fromEntries(Object.keys(headers).map((k) => [k, MASK]));
  return { config: { url: u.href, headers: masked }, secrets: Object.keys(headers).length ? { headers } : null, urls: [[[...loc, 'url'], u]] };
}

/** The minimum severity a channel config may carry (see validateChannelConfig), or undefined. */
export function configMinSeverity(value: unknown, fail: Fail): AlertSeverity | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = (value as Record<string, unknown>).min_severity;
  return v === undefined || v === null ? undefined : validateSeverity(v, fail, ['config', 'min_severity']);
}

/** wait_minutes of a policy: an integer 1 to 1,440. */
export function validateWaitMinutes(value: unknown, fail: Fail, loc: (string | number)[] = ['wait_minutes']): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) throw fail(loc, 'Input should be a valid integer', 'int_type');
  if (value < L.waitMinutesMin) throw fail(loc, `Input should be greater than or equal to ${L.waitMinutesMin}`, 'greater_than_equal');
  if (value > L.waitMinutesMax) throw fail(loc, `Input should be less than or equal to ${L.waitMinutesMax}`, 'less_than_equal');
  return value;
}

/** base64url (padding tolerated) of exactly `bytes` bytes. */
function base64urlBytes(value: unknown, bytes: number, fail: Fail, loc: (string | number)[]): Buffer {
  if (typeof value !== 'string') throw fail(loc, 'Input should be a valid string', 'string_type');
  if (value.length > L.pushKey) throw fail(loc, `String should have at most ${L.pushKey} characters`, 'string_too_long');
  const s = value.replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]+$/.test(s)) throw fail(loc, 'Input should be base64url', 'value_error');
  const buf = Buffer.from(s, 'base64url');
  if (buf.length !== bytes) throw fail(loc, `Key should decode to ${bytes} bytes (got ${buf.length})`, 'value_error');
  return buf;
}

/** The browser's keys of a push subscription: `p256dh` an uncompressed P-256 point (65 bytes), `auth` 16 bytes. */
export function validatePushKeys(value: unknown, fail: Fail): { p256dh: string; auth: string } {
  if (value === undefined || value === null) throw fail(['keys'], 'Field required', 'missing');
  if (typeof value !== 'object' || Array.isArray(value)) throw fail(['keys'], 'Input should be a valid dictionary', 'dict_type');
  const k = value as Record<string, unknown>;
  if (k.p256dh === undefined || k.p256dh === null) throw fail(['keys', 'p256dh'], 'Field required', 'missing');
  const p = base64urlBytes(k.p256dh, 65, fail, ['keys', 'p256dh']);
  if (p[0] !== 0x04) throw fail(['keys', 'p256dh'], 'Key should be an uncompressed P-256 point', 'value_error');
  if (k.auth === undefined || k.auth === null) throw fail(['keys', 'auth'], 'Field required', 'missing');
  const a = base64urlBytes(k.auth, 16, fail, ['keys', 'auth']);
  return { p256dh: p.toString('base64url'), auth: a.toString('base64url') };
}
