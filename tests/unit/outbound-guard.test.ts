import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OutboundPolicy } from '../../src/config/config.js';
import type { DeviceSource } from '../../src/connectivity/device-source.js';
import { DeviceUnreachableError } from '../../src/connectivity/driver.js';
import { ModbusDriver } from '../../src/connectivity/modbus-driver.js';
import { checkAddress, inetAton, outboundResolver, OutboundRefusedError, type LookupAll } from '../../src/connectivity/outbound-guard.js';

const DEFAULTS: OutboundPolicy = { allowLoopback: false, allowPrivate: true, allowLinkLocal: false, allowedCidrs: [], deniedCidrs: [] };
const policy = (o: Partial<OutboundPolicy> = {}): OutboundPolicy => ({ ...DEFAULTS, ...o });

function refusedReason(ip: string, p: OutboundPolicy = DEFAULTS): string {
  const r = checkAddress(ip, p);
  if (r.allowed) throw new Error(`${ip} was allowed`);
  return r.reason;
}

/** a lookup that must not be called (IP literals and numeric forms are never resolved) */
const noLookup: LookupAll = async (host) => {
  throw new Error(`lookup called for ${host}`);
};
const fakeLookup =
  (table: Record<string, string[]>): LookupAll =>
  async (host) => {
    const list = table[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
  };

describe('checkAddress: refused by default', () => {
  const cases: [string, RegExp][] = [
    // loopback, both families and every wrapper of it
    ['127.0.0.1', /^loopback \(set OUTBOUND_ALLOW_LOOPBACK=true to allow\)$/],
    ['127.255.255.254', /^loopback/],
    ['::1', /^loopback/],
    ['0:0:0:0:0:0:0:1', /^loopback/],
    ['::ffff:127.0.0.1', /^loopback \(IPv6 form of 127\.0\.0\.1\)/],
    ['::ffff:7f00:1', /^loopback \(IPv6 form of 127\.0\.0\.1\)/],
    ['0:0:0:0:0:ffff:127.0.0.1', /^loopback/],
    ['::127.0.0.1', /^loopback/], // IPv4-compatible (deprecated)
    ['64:ff9b::127.0.0.1', /^loopback/], // NAT64
    ['64:ff9b:1::7f00:1', /^loopback/], // local-use NAT64
    ['2002:7f00:1::', /^loopback/], // 6to4 of 127.0.0.1
    // unspecified
    ['0.0.0.0', /^unspecified address/],
    ['0.1.2.3', /^unspecified address/],
    ['::', /^unspecified address/],
    ['::ffff:0.0.0.0', /^unspecified address/],
    // link-local
    ['169.254.1.1', /^link-local \(set OUTBOUND_ALLOW_LINK_LOCAL=true to allow\)$/],
    ['fe80::1', /^link-local/],
    ['fe80::1%eth0', /^link-local/],
    ['febf::1', /^link-local/],
    ['::ffff:169.254.1.1', /^link-local/],
    // cloud metadata
    ['169.254.169.254', /^cloud metadata service/],
    ['::ffff:169.254.169.254', /^cloud metadata service/],
    ['::ffff:a9fe:a9fe', /^cloud metadata service/],
    ['64:ff9b::169.254.169.254', /^cloud metadata service/],
    ['169.254.170.2', /^cloud metadata service/],
    ['fd00:ec2::254', /^cloud metadata service/],
    ['100.100.100.200', /^cloud metadata service/],
    ['168.63.129.16', /^cloud metadata service/],
    // multicast, broadcast, reserved
    ['224.0.0.1', /^multicast/],
    ['239.255.255.250', /^multicast/],
    ['ff02::1', /^multicast/],
    ['255.255.255.255', /^broadcast/],
    ['240.0.0.1', /^reserved/],
    ['192.0.2.1', /^reserved/],
    ['2001:db8::1', /^reserved/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /^reserved/], // Teredo
    ['100::1', /^reserved/],
    // odd literal forms: never read as a name, never normalized into a pass
    ['127.1', /^non-canonical IPv4 form \(read as 127\.0\.0\.1\)/],
    ['0x7f.1', /^non-canonical IPv4 form \(read as 127\.0\.0\.1\)/],
    ['0x7f000001', /^non-canonical IPv4 form \(read as 127\.0\.0\.1\)/],
    ['2130706433', /^non-canonical IPv4 form \(read as 127\.0\.0\.1\)/],
    ['017700000001', /^non-canonical IPv4 form \(read as 127\.0\.0\.1\)/],
    ['0177.0.0.1', /^non-canonical IPv4 form \(read as 127\.0\.0\.1\)/],
    ['127.000.000.001', /^non-canonical IPv4 form \(read as 127\.0\.0\.1\)/],
    ['0', /^non-canonical IPv4 form \(read as 0\.0\.0\.0\)/],
    ['0251.0376.0251.0376', /^non-canonical IPv4 form \(read as 169\.254\.169\.254\)/],
    ['8.8.8.8.8', /^not an IP address/],
    ['localhost', /^not an IP address/],
    ['', /^not an IP address/],
  ];
  it.each(cases)('%s', (ip, reason) => {
    expect(refusedReason(ip)).toMatch(reason);
  });
});

describe('checkAddress: allowed by default', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8', // the IPv4 address decides for a mapped form
    '64:ff9b::8.8.8.8',
    // private ranges: on-premises installs poll their own network
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.10',
    '100.64.0.1',
    '100.127.255.254',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:192.168.1.10',
  ])('%s', (ip) => {
    expect(checkAddress(ip, DEFAULTS)).toEqual({ allowed: true });
  });

  it('the edges of the private ranges are not private', () => {
    expect(checkAddress('172.32.0.1', policy({ allowPrivate: false }))).toEqual({ allowed: true });
    expect(checkAddress('172.15.255.255', policy({ allowPrivate: false }))).toEqual({ allowed: true });
    expect(checkAddress('100.128.0.1', policy({ allowPrivate: false }))).toEqual({ allowed: true });
    expect(checkAddress('11.0.0.1', policy({ allowPrivate: false }))).toEqual({ allowed: true });
  });
});

describe('checkAddress: the policy flags and CIDRs', () => {
  it('allowPrivate=false refuses every private range with its hint', () => {
    const p = policy({ allowPrivate: false });
    for (const ip of ['10.0.0.1', '172.16.5.4', '192.168.0.1', '100.64.0.1', 'fc00::1', 'fd00::1', '::ffff:10.0.0.1', '2002:c0a8:101::']) {
      expect(refusedReason(ip, p)).toMatch(/^private network.*\(set OUTBOUND_ALLOW_PRIVATE=true to allow\)$/);
    }
  });

  it('allowLoopback opens loopback in every form, and nothing else', () => {
    const p = policy({ allowLoopback: true });
    for (const ip of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1']) expect(checkAddress(ip, p)).toEqual({ allowed: true });
    expect(refusedReason('169.254.169.254', p)).toMatch(/^cloud metadata/);
    expect(refusedReason('0.0.0.0', p)).toMatch(/^unspecified/);
    expect(refusedReason('127.1', p)).toMatch(/^non-canonical/);
  });

  it('allowLinkLocal opens link-local but never the metadata service inside it', () => {
    const p = policy({ allowLinkLocal: true });
    expect(checkAddress('169.254.10.20', p)).toEqual({ allowed: true });
    expect(checkAddress('fe80::1', p)).toEqual({ allowed: true });
    expect(refusedReason('169.254.169.254', p)).toMatch(/^cloud metadata/);
  });

  it('an allowed CIDR opens what the flags refuse; a denied CIDR closes what they allow', () => {
    expect(checkAddress('169.254.169.254', policy({ allowedCidrs: ['169.254.169.254/32'] }))).toEqual({ allowed: true });
    expect(checkAddress('127.0.0.1', policy({ allowedCidrs: ['127.0.0.0/8'] }))).toEqual({ allowed: true });
    expect(refusedReason('10.1.2.3', policy({ deniedCidrs: ['10.0.0.0/8'] }))).toBe('denied by OUTBOUND_DENIED_CIDRS (10.0.0.0/8)');
    expect(refusedReason('8.8.8.8', policy({ deniedCidrs: ['8.8.0.0/16'] }))).toMatch(/^denied/);
    expect(refusedReason('2606:4700::1', policy({ deniedCidrs: ['2606:4700::/32'] }))).toMatch(/^denied/);
    // a mapped form is matched by the IPv4 CIDR too
    expect(refusedReason('::ffff:10.1.2.3', policy({ deniedCidrs: ['10.0.0.0/8'] }))).toMatch(/^denied/);
  });

  it('the most specific CIDR decides; a tie is a denial', () => {
    const p = policy({ deniedCidrs: ['10.0.0.0/8'], allowedCidrs: ['10.1.0.0/16'] });
    expect(checkAddress('10.1.2.3', p)).toEqual({ allowed: true });
    expect(refusedReason('10.2.0.1', p)).toMatch(/^denied/);
    const q = policy({ allowedCidrs: ['127.0.0.0/8'], deniedCidrs: ['127.0.0.5/32'] });
    expect(checkAddress('127.0.0.4', q)).toEqual({ allowed: true });
    expect(refusedReason('127.0.0.5', q)).toMatch(/^denied/);
    expect(refusedReason('10.0.0.1', policy({ allowedCidrs: ['10.0.0.0/8'], deniedCidrs: ['10.0.0.0/8'] }))).toMatch(/^denied/);
  });

  it('a malformed CIDR is refused at construction, naming it', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'fd00::/129', 'nonsense', '10.0.0.0/8/1', '0x7f.1/8']) {
      expect(() => outboundResolver(policy({ deniedCidrs: [bad] }), noLookup)).toThrow(/invalid CIDR/);
    }
  });

  it('inetAton reads the forms the C resolver reads', () => {
    expect(inetAton('127.1')).toBe('127.0.0.1');
    expect(inetAton('10.1.258')).toBe('10.1.1.2');
    expect(inetAton('0xa9.0xfe.0xa9.0xfe')).toBe('169.254.169.254');
    expect(inetAton('4294967295')).toBe('255.255.255.255');
    expect(inetAton('4294967296')).toBeNull();
    expect(inetAton('1.2.3.256')).toBeNull();
    expect(inetAton('08.0.0.1')).toBeNull();
    expect(inetAton('plc1.example')).toBeNull();
  });
});

describe('outboundResolver', () => {
  it('checks IP literals without resolving them and returns them as the address to dial', async () => {
    const resolve = outboundResolver(DEFAULTS, noLookup);
    await expect(resolve('10.0.0.5', 502)).resolves.toEqual({ address: '10.0.0.5', port: 502 });
    await expect(resolve('[fd00::5]', 4840)).resolves.toEqual({ address: 'fd00::5', port: 4840 });
    await expect(resolve('127.0.0.1', 502)).rejects.toThrow('destination 127.0.0.1 refused: loopback (set OUTBOUND_ALLOW_LOOPBACK=true to allow)');
    await expect(resolve('[::1]', 502)).rejects.toBeInstanceOf(OutboundRefusedError);
  });

  it.each(['127.1', '0x7f.1', '2130706433', '017700000001', '0177.0.0.1', '0x7f000001', '127.0.0.1.1', '1.2.3.04', '10.1'])(
    'refuses the numeric host %s without resolving it',
    async (host) => {
      const lookup = vi.fn(noLookup);
      await expect(outboundResolver(policy({ allowPrivate: true }), lookup)(host, 502)).rejects.toBeInstanceOf(OutboundRefusedError);
      expect(lookup).not.toHaveBeenCalled();
    },
  );

  it('a numeric form stays refused even when the IPv4 address it means is allowed', async () => {
    const resolve = outboundResolver(policy({ allowLoopback: true }), noLookup);
    await expect(resolve('127.1', 502)).rejects.toThrow('destination 127.1 refused: non-canonical IPv4 form (read as 127.0.0.1); write the address as a dotted quad');
  });

  it('refuses a name when any of its addresses is refused (DNS rebinding), naming the address', async () => {
    const resolve = outboundResolver(
      DEFAULTS,
      fakeLookup({ 'plc.example.com': ['203.0.114.7', '127.0.0.1'], 'meta.example.com': ['::ffff:169.254.169.254'] }),
    );
    await expect(resolve('plc.example.com', 502)).rejects.toThrow('destination plc.example.com (resolves to 127.0.0.1) refused: loopback');
    await expect(resolve('meta.example.com', 80)).rejects.toThrow(/resolves to ::ffff:169\.254\.169\.254\) refused: cloud metadata service/);
  });

  it('pins to the first checked address and resolves once per call', async () => {
    const lookup = vi.fn(fakeLookup({ 'plc.example.com': ['10.1.1.1', '10.1.1.2'] }));
    const resolve = outboundResolver(DEFAULTS, lookup);
    await expect(resolve('plc.example.com.', 502)).resolves.toEqual({ address: '10.1.1.1', port: 502 });
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith('plc.example.com', { all: true, verbatim: true });
  });

  it('an unresolvable or slow name is a DeviceUnreachableError within the bound', async () => {
    const resolve = outboundResolver(DEFAULTS, fakeLookup({}));
    await expect(resolve('nowhere.example.com', 502)).rejects.toThrow('host nowhere.example.com could not be resolved (ENOTFOUND)');
    const hanging: LookupAll = () => new Promise(() => undefined);
    const started = Date.now();
    const err = await outboundResolver(DEFAULTS, hanging, { timeoutMs: 100 })('slow.example.com', 502).catch((e) => e);
    expect(err).toBeInstanceOf(DeviceUnreachableError);
    expect(err.message).toBe('host slow.example.com could not be resolved within 100 ms');
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(outboundResolver(DEFAULTS, async () => [])('empty.example.com', 502)).rejects.toThrow(/no address/);
  });

  it('refuses what is not a host name, and ports out of range', async () => {
    const resolve = outboundResolver(DEFAULTS, noLookup);
    for (const host of ['', 'a b', 'plc/../x', 'user@host', 'host:502', '-bad.example', `${'a'.repeat(64)}.example`]) {
      await expect(resolve(host, 502)).rejects.toBeInstanceOf(OutboundRefusedError);
    }
    await expect(resolve('10.0.0.1', 0)).rejects.toThrow(/port out of range/);
    await expect(resolve('10.0.0.1', 65536)).rejects.toThrow(/port out of range/);
  });
});

describe('never dialled: a driver behind the guard, against a listener on loopback', () => {
  let server: net.Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    server = net.createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const source = (host: string): DeviceSource => ({
    id: 'guard-test',
    name: 'guard test',
    protocol: 'modbus',
    pollIntervalMs: 1000,
    modbus: {
      host,
      port,
      unitId: 1,
      registers: [{ address: 0, count: 1, registerType: 'holding', dataType: 'uint16', byteOrder: 'ABCD', metricName: 'm', unit: 'u', scale: 1, offset: 0 }],
    },
  });

  it.each(['127.0.0.1', '127.0.0.2', '::ffff:127.0.0.1', '127.1', '0x7f.1', '2130706433', '017700000001', '0.0.0.0', 'rebind.example.com', 'localhost.example.com'])(
    'refuses %s and opens no connection',
    async (host) => {
      const connectSpy = vi.spyOn(net.Socket.prototype, 'connect');
      try {
        const resolve = outboundResolver(DEFAULTS, fakeLookup({ 'rebind.example.com': ['8.8.8.8', '127.0.0.1'], 'localhost.example.com': ['127.0.0.1'] }));
        const driver = new ModbusDriver(source(host), { resolveTarget: resolve, connectTimeoutMs: 1000, requestTimeoutMs: 1000 });
        const err = await driver.poll().catch((e) => e);
        await driver.close();
        expect(err).toBeInstanceOf(DeviceUnreachableError);
        expect(err.message).toMatch(/refused: /);
        expect(connectSpy).not.toHaveBeenCalled();
        expect(connections).toBe(0);
      } finally {
        connectSpy.mockRestore();
      }
    },
  );

  it('with OUTBOUND_ALLOW_LOOPBACK the same driver dials the pinned address of a name', async () => {
    const lookup = vi.fn(fakeLookup({ 'plc.test': ['127.0.0.1'] }));
    const driver = new ModbusDriver(source('plc.test'), {
      resolveTarget: outboundResolver(policy({ allowLoopback: true }), lookup),
      connectTimeoutMs: 1000,
      requestTimeoutMs: 500,
    });
    // the listener accepts and hangs up: the cycle fails after the connection was made
    await driver.poll().catch(() => undefined);
    await driver.close();
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(connections).toBeGreaterThanOrEqual(1);
  });
});
