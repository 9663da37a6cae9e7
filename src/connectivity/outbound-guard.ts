import dns from 'node:dns';
import net from 'node:net';
import type { OutboundPolicy } from '../config/config.js';
import { DeviceUnreachableError, type ResolveTarget } from './driver.js';

/**
 * The outbound address guard: every connection the platform opens to an address a user configured
 * (device polling today, webhooks and ERP later) asks it where to dial. The host is resolved once,
 * every address it resolves to is checked, and the caller dials the checked address (pinned), so a
 * name that resolves to a public address at check time cannot reach 127.0.0.1 at connect time
 * (DNS rebinding). IP literals are checked as they are, never resolved.
 *
 * Numeric host forms that are not a canonical dotted quad (`127.1`, `0x7f.1`, `2130706433`,
 * `017700000001`, `0177.0.0.1`) are refused outright: the C resolver reads them as IPv4 addresses
 * (inet_aton), they are never a legitimate DNS name (a top-level label is never all-numeric), and
 * their only use in an address field is to slip past a filter.
 */

export type AddressCheck = { allowed: true } | { allowed: false; reason: string };

/** The destination is refused by the outbound policy; nothing was dialled. */
export class OutboundRefusedError extends Error {
  constructor(
    message: string,
    readonly address: string,
  ) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** 4 bytes (IPv4) or 16 bytes (IPv6). */
type Bytes = Uint8Array;

function parseIPv4(s: string): Bytes | null {
  if (!net.isIPv4(s)) return null;
  const parts = s.split('.');
  // net.isIPv4 accepts only canonical decimal dotted quads; leading zeros are refused too
  if (parts.some((p) => p.length > 1 && p.startsWith('0'))) return null;
  return Uint8Array.from(parts.map(Number));
}

function parseIPv6(input: string): Bytes | null {
  let s = input;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!net.isIPv6(s)) return null;
  const out = new Uint8Array(16);
  // an embedded dotted-quad tail (`::ffff:127.0.0.1`) is rewritten as its two hexadecimal groups
  const lastColon = s.lastIndexOf(':');
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIPv4(maybeV4);
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':').map((g) => parseInt(g, 16)));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const total = head.length + rest.length;
  if (halves.length === 1 && total !== 8) return null;
  if (total > 8) return null;
  const words = [...head, ...new Array<number>(halves.length === 2 ? 8 - total : 0).fill(0), ...rest];
  if (words.length !== 8 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) return null;
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** An IP literal as bytes, or null when the text is not a canonical IPv4 or a valid IPv6 literal. */
export function parseIp(s: string): Bytes | null {
  return parseIPv4(s) ?? parseIPv6(s);
}

function v4Text(b: Bytes, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/**
 * The IPv4 address inet_aton would read from a numeric host form (`127.1`, `0x7f.1`, `2130706433`,
 * `0177.0.0.1`), or null when the text is not such a form. Used to name what a refused form means.
 */
export function inetAton(s: string): string | null {
  const parts = s.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) n = parseInt(p, 10);
    else return null;
    if (!Number.isFinite(n)) return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return null;
  const lastMax = 2 ** (8 * (4 - nums.length));
  if (last >= lastMax) return null;
  let value = 0;
  nums.forEach((n, i) => (value += n * 2 ** (8 * (3 - i))));
  value += last;
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/**
 * A host that the system resolver would treat as a number rather than a name: its last label is
 * all digits or a `0x` hexadecimal number (no top-level domain is numeric).
 */
function looksNumeric(host: string): boolean {
  const labels = host.split('.');
  const last = labels[labels.length - 1]!;
  return /^[0-9]+$/.test(last) || /^0x[0-9a-f]*$/i.test(last);
}

// ---------------------------------------------------------------------------------------------
// CIDRs

interface Cidr {
  text: string;
  bytes: Bytes;
  bits: number;
}

function parseCidr(text: string): Cidr {
  const [addr, len, extra] = text.trim().split('/');
  const bytes = addr ? parseIp(addr) : null;
  const max = bytes ? bytes.length * 8 : 0;
  const bits = len === undefined ? max : /^[0-9]{1,3}$/.test(len) ? Number(len) : NaN;
  if (!bytes || extra !== undefined || !(bits >= 0 && bits <= max)) {
    throw new Error(`invalid CIDR ${JSON.stringify(text)} in the outbound policy (OUTBOUND_ALLOWED_CIDRS / OUTBOUND_DENIED_CIDRS): expected e.g. 10.1.0.0/16 or fd00::/8`);
  }
  return { text: text.trim(), bytes, bits };
}

function inPrefix(ip: Bytes, prefix: Bytes, bits: number): boolean {
  if (ip.length !== prefix.length) return false;
  let i = 0;
  for (; bits >= 8; bits -= 8, i++) if (ip[i] !== prefix[i]) return false;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (ip[i]! & mask) === (prefix[i]! & mask);
}

interface CompiledPolicy {
  allowed: Cidr[];
  denied: Cidr[];
}

const compiled = new WeakMap<OutboundPolicy, CompiledPolicy>();

function compile(policy: OutboundPolicy): CompiledPolicy {
  let c = compiled.get(policy);
  if (!c) {
    c = { allowed: policy.allowedCidrs.map(parseCidr), denied: policy.deniedCidrs.map(parseCidr) };
    compiled.set(policy, c);
  }
  return c;
}

/** Throws naming the first malformed CIDR of the policy (call at start-up). */
export function validateOutboundPolicy(policy: OutboundPolicy): void {
  compile(policy);
}

/** The longest prefix among the policy's CIDRs containing one of the forms, and whether it allows. */
function cidrVerdict(forms: Bytes[], c: CompiledPolicy): { allow: boolean; cidr: string } | null {
  let best: { allow: boolean; cidr: string; bits: number } | null = null;
  for (const [list, allow] of [
    [c.denied, false],
    [c.allowed, true],
  ] as const) {
    for (const entry of list) {
      if (!forms.some((f) => inPrefix(f, entry.bytes, entry.bits))) continue;
      // denial wins a tie (same prefix length): it is listed first and needs a strictly longer allowance to lose
      if (!best || entry.bits > best.bits) best = { allow, cidr: entry.text, bits: entry.bits };
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Categories

type Category = 'unspecified' | 'loopback' | 'metadata' | 'link-local' | 'private' | 'multicast' | 'broadcast' | 'reserved' | 'public';

const LABEL: Record<Category, string> = {
  unspecified: 'unspecified address',
  loopback: 'loopback',
  metadata: 'cloud metadata service',
  'link-local': 'link-local',
  private: 'private network',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved address range',
  public: 'public',
};

const cidr = (text: string) => parseCidr(text);
const V4_RULES: [Cidr, Category][] = [
  // cloud metadata endpoints first: they sit inside link-local / CGNAT / private ranges
  [cidr('169.254.169.254/32'), 'metadata'], // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
  [cidr('169.254.170.2/32'), 'metadata'], // AWS ECS task metadata
  [cidr('169.254.169.123/32'), 'metadata'], // AWS time sync
  [cidr('100.100.100.200/32'), 'metadata'], // Alibaba Cloud
  [cidr('168.63.129.16/32'), 'metadata'], // Azure wire server
  [cidr('192.0.0.192/32'), 'metadata'], // Oracle Cloud (legacy)
  [cidr('0.0.0.0/8'), 'unspecified'],
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link-local'],
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('100.64.0.0/10'), 'private'], // carrier-grade NAT (RFC 6598)
  [cidr('198.18.0.0/15'), 'private'], // benchmarking networks (RFC 2544), used in labs
  [cidr('192.0.0.0/24'), 'reserved'], // IETF protocol assignments
  [cidr('192.0.2.0/24'), 'reserved'], // documentation
  [cidr('198.51.100.0/24'), 'reserved'],
  [cidr('203.0.113.0/24'), 'reserved'],
  [cidr('192.88.99.0/24'), 'reserved'], // 6to4 relay anycast (deprecated)
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('255.255.255.255/32'), 'broadcast'],
  [cidr('240.0.0.0/4'), 'reserved'],
];

const V6_RULES: [Cidr, Category][] = [
  [cidr('fd00:ec2::254/128'), 'metadata'], // AWS IMDS over IPv6
  [cidr('::/128'), 'unspecified'],
  [cidr('::1/128'), 'loopback'],
  [cidr('fe80::/10'), 'link-local'],
  [cidr('fc00::/7'), 'private'], // unique local
  [cidr('fec0::/10'), 'private'], // site-local (deprecated, still routed on some plant networks)
  [cidr('ff00::/8'), 'multicast'],
  [cidr('2001:db8::/32'), 'reserved'], // documentation
  [cidr('100::/64'), 'reserved'], // discard
  [cidr('2001::/32'), 'reserved'], // Teredo: tunnels to an address nobody checked
  [cidr('2001:10::/28'), 'reserved'], // ORCHID
  [cidr('2001:20::/28'), 'reserved'], // ORCHIDv2
  [cidr('2000::/3'), 'public'],
  [cidr('::/0'), 'reserved'], // everything outside global unicast not named above
];

function categoryOf(b: Bytes): Category {
  const rules = b.length === 4 ? V4_RULES : V6_RULES;
  for (const [range, cat] of rules) if (inPrefix(b, range.bytes, range.bits)) return cat;
  return 'public';
}

/**
 * IPv4 addresses an IPv6 address carries and that a network would deliver to: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated), NAT64 (`64:ff9b::/96` and the
 * local-use `64:ff9b:1::/48`) and 6to4 (`2002:AABB:CCDD::/16`).
 */
function embeddedV4(b: Bytes): Bytes | null {
  if (b.length !== 16) return null;
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12);
  if (zeros(0, 12) && !zeros(12, 15)) return b.slice(12); // ::a.b.c.d, not :: or ::1
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    if (zeros(4, 12)) return b.slice(12); // 64:ff9b::/96
    if (b[4] === 0x00 && b[5] === 0x01) return b.slice(12); // 64:ff9b:1::/48 (RFC 8215)
  }
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6); // 6to4
  return null;
}

const HINT: Partial<Record<Category, string>> = {
  loopback: 'set OUTBOUND_ALLOW_LOOPBACK=true to allow',
  'link-local': 'set OUTBOUND_ALLOW_LINK_LOCAL=true to allow',
  private: 'set OUTBOUND_ALLOW_PRIVATE=true to allow',
};

function categoryAllowed(cat: Category, policy: OutboundPolicy): boolean {
  switch (cat) {
    case 'public':
      return true;
    case 'private':
      return policy.allowPrivate;
    case 'loopback':
      return policy.allowLoopback;
    case 'link-local':
      return policy.allowLinkLocal;
    default:
      // unspecified, metadata, multicast, broadcast, reserved: only an explicit allowed CIDR opens them
      return false;
  }
}

function refusal(cat: Category, via?: string): string {
  const hint = HINT[cat] ?? 'add it to OUTBOUND_ALLOWED_CIDRS to allow';
  return `${LABEL[cat]}${via ? ` (${via})` : ''} (${hint})`;
}

/**
 * Whether the policy lets the platform connect to this IP literal. Pure: no resolution, no I/O.
 * Order: the most specific of OUTBOUND_DENIED_CIDRS / OUTBOUND_ALLOWED_CIDRS that contains the
 * address decides (a denial wins a tie); otherwise the address' category and the policy flags.
 * An IPv6 address carrying an IPv4 address (mapped, compatible, NAT64, 6to4) must pass as both.
 */
export function checkAddress(ip: string, policy: OutboundPolicy): AddressCheck {
  const bytes = parseIp(ip);
  if (!bytes) {
    const aton = inetAton(ip);
    return {
      allowed: false,
      reason: aton ? `non-canonical IPv4 form (read as ${aton}); write the address as a dotted quad` : 'not an IP address',
    };
  }
  const inner = embeddedV4(bytes);
  const forms = inner ? [bytes, inner] : [bytes];
  const verdict = cidrVerdict(forms, compile(policy));
  if (verdict) return verdict.allow ? { allowed: true } : { allowed: false, reason: `denied by OUTBOUND_DENIED_CIDRS (${verdict.cidr})` };
  const outer = categoryOf(bytes);
  // the wrapper ranges (mapped, compatible, NAT64) lie outside global unicast: the IPv4 address decides
  if (!(inner && outer === 'reserved') && !categoryAllowed(outer, policy)) return { allowed: false, reason: refusal(outer) };
  if (inner) {
    const cat = categoryOf(inner);
    if (!categoryAllowed(cat, policy)) return { allowed: false, reason: refusal(cat, `IPv6 form of ${v4Text(inner)}`) };
  }
  return { allowed: true };
}

// ---------------------------------------------------------------------------------------------
// Resolution

/** `dns.lookup` with `all: true`, as the resolver calls it (injectable in tests). */
export type LookupAll = (hostname: string, options: { all: true; verbatim?: boolean; order?: 'verbatim' }) => Promise<{ address: string; family: number }[]>;

const systemLookup: LookupAll = (hostname, options) => dns.promises.lookup(hostname, options);

export interface OutboundResolverOptions {
  /** bound on the name resolution (default 5000 ms) */
  timeoutMs?: number;
}

function refused(host: string, address: string, reason: string): OutboundRefusedError {
  const what = host === address ? `destination ${address}` : `destination ${host} (resolves to ${address})`;
  return new OutboundRefusedError(`${what} refused: ${reason}`, address);
}

/**
 * The ResolveTarget every outbound connection uses: resolves the host once (all addresses, bounded
 * time), refuses the host when any address is refused (a rebinding name may answer differently on
 * the next lookup), and returns the first address, which the caller dials: the connection is pinned
 * to a checked address. An unresolvable host is a DeviceUnreachableError; a refused one an
 * OutboundRefusedError, and in both cases nothing was dialled.
 */
export function outboundResolver(policy: OutboundPolicy, lookup: LookupAll = systemLookup, opts: OutboundResolverOptions = {}): ResolveTarget {
  validateOutboundPolicy(policy);
  const timeoutMs = opts.timeoutMs ?? 5000;
  return async (rawHost, port) => {
    let host = rawHost.trim();
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    if (host.endsWith('.') && host.length > 1) host = host.slice(0, -1);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new OutboundRefusedError(`destination ${rawHost}:${port} refused: port out of range`, host);
    if (host === '') throw new OutboundRefusedError('destination refused: empty host', host);
    if (net.isIP(host.split('%')[0]!) || parseIp(host)) {
      const check = checkAddress(host, policy);
      if (!check.allowed) throw refused(host, host, check.reason);
      return { address: host, port };
    }
    if (looksNumeric(host)) {
      const aton = inetAton(host);
      const reason = aton ? `non-canonical IPv4 form (read as ${aton}); write the address as a dotted quad` : 'numeric host that is not an IP address';
      throw new OutboundRefusedError(`destination ${host} refused: ${reason}`, aton ?? host);
    }
    if (host.length > 253 || !/^[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*$/.test(host)) {
      throw new OutboundRefusedError(`destination ${JSON.stringify(host)} refused: not a host name or IP address`, host);
    }
    let timer: NodeJS.Timeout | undefined;
    let addresses: { address: string; family: number }[];
    try {
      addresses = await Promise.race([
        lookup(host, { all: true, verbatim: true }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new DeviceUnreachableError(`host ${host} could not be resolved within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      if (err instanceof DeviceUnreachableError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new DeviceUnreachableError(`host ${host} could not be resolved (${code})`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    if (!addresses.length) throw new DeviceUnreachableError(`host ${host} could not be resolved (no address)`);
    for (const a of addresses) {
      const check = checkAddress(a.address, policy);
      if (!check.allowed) throw refused(host, a.address, check.reason);
    }
    return { address: addresses[0]!.address, port };
  };
}
