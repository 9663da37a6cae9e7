import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, symlink } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DataType, DataValue, Variant, VariantArrayType } from 'node-opcua-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeviceSource, OpcuaSecurityMode, OpcuaSecurityPolicy, OpcuaSettings } from '../../src/connectivity/device-source.js';
import { DeviceUnreachableError, type DriverOptions, type PollResult, type PolledValue } from '../../src/connectivity/driver.js';
import { testConnection } from '../../src/connectivity/drivers.js';
import { NotificationBuffer, OpcuaDriver, numericValueOf, parseEndpointUrl } from '../../src/connectivity/opcua-driver.js';
import { disposeOpcuaPkis, getOpcuaPki } from '../../src/connectivity/opcua-pki.js';
import { startOpcuaServer, type TestOpcuaNode, type TestOpcuaServer } from '../helpers/opcua-server.js';

const GUID = 'ns=2;g=09087e75-8e5e-499b-954f-f2a9603db28a';
const OPAQUE = 'ns=2;b=M/RbKBsRVkePCePcx24oRA==';

const NODES: TestOpcuaNode[] = [
  { nodeId: 'ns=2;i=1001', value: 72.5 },
  { nodeId: 'ns=2;s=Temperature.Value', value: 21.25 },
  { nodeId: GUID, value: -17, dataType: 'Int32' },
  { nodeId: OPAQUE, value: 4096, dataType: 'UInt32' },
  { nodeId: 'ns=2;s=Running', value: true },
  { nodeId: 'ns=2;s=Counter64', value: 5_000_000_000, dataType: 'Int64' },
  { nodeId: 'ns=2;s=Label', value: 'hello' },
  { nodeId: 'ns=2;s=Level', value: 50, euRange: { low: 0, high: 100 } },
];

const SECURED_POLICIES: OpcuaSecurityPolicy[] = ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'];

let root: string;
let clientPki: string;
let main: TestOpcuaServer;
let sourceCounter = 0;

function source(endpointUrl: string, settings: Partial<OpcuaSettings> = {}): DeviceSource {
  const nodeIds = settings.nodes ?? NODES.map((n, i) => ({ nodeId: n.nodeId, metricName: `metric_${i}`, unit: 'u' }));
  sourceCounter++;
  return {
    id: `src-${sourceCounter}`,
    name: `opcua test ${sourceCounter}`,
    protocol: 'opcua',
    pollIntervalMs: 1000,
    opcua: {
      endpointUrl,
      securityMode: 'None',
      securityPolicy: 'None',
      auth: { type: 'anonymous' },
      mode: 'poll',
      samplingIntervalMs: 50,
      deadband: null,
      ...settings,
      nodes: nodeIds,
    },
  };
}

/** The outbound guard stand-in: any host name resolves to loopback (the tests' servers). */
const loopback: DriverOptions['resolveTarget'] = async (_host, port) => ({ address: '127.0.0.1', port });

function options(extra: Partial<DriverOptions> = {}): DriverOptions {
  return { resolveTarget: loopback, pkiDir: clientPki, connectTimeoutMs: 4000, requestTimeoutMs: 2000, ...extra };
}

function byMetric(result: PollResult): Record<string, number> {
  return Object.fromEntries(result.values.map((v) => [v.metricName, v.value]));
}

function statusOf(result: PollResult, point: string): string | undefined {
  return result.badPoints.find((p) => p.point === point)?.status;
}

/** An endpoint URL with a host name only the guard knows: the driver must dial the pinned address. */
function viaName(srv: TestOpcuaServer): string {
  return srv.endpointUrl.replace('127.0.0.1', 'plc-7.plant.invalid');
}

/**
 * Subscription mode delivers asynchronously: poll until the values gathered so far satisfy `check`
 * (tolerates a loaded machine), returning everything gathered.
 */
async function gather(driver: OpcuaDriver, check: (values: PolledValue[]) => void, timeout = 8000): Promise<PolledValue[]> {
  const got: PolledValue[] = [];
  await vi.waitFor(
    async () => {
      got.push(...(await driver.poll()).values);
      check(got);
    },
    { timeout, interval: 100 },
  );
  return got;
}

const latest = (values: PolledValue[]) => Object.fromEntries(values.map((v) => [v.metricName, v.value]));

async function pollError(driver: OpcuaDriver): Promise<DeviceUnreachableError> {
  const err = await driver.poll().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeviceUnreachableError);
  return err as DeviceUnreachableError;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hf-opcua-'));
  clientPki = path.join(root, 'client-pki');
  main = await startOpcuaServer({ pkiDir: path.join(root, 'server-main'), nodes: NODES, maxNodesPerRead: 500 });
});

afterAll(async () => {
  await main?.close();
  await disposeOpcuaPkis();
  await rm(root, { recursive: true, force: true });
});

describe('OPC-UA driver: security, authentication, node ids', () => {
  const combos: [OpcuaSecurityMode, OpcuaSecurityPolicy][] = [
    ['None', 'None'],
    ...SECURED_POLICIES.flatMap((p): [OpcuaSecurityMode, OpcuaSecurityPolicy][] => [
      ['Sign', p],
      ['SignAndEncrypt', p],
    ]),
  ];

  it.each(combos)('%s / %s: anonymous and username/password both read', async (securityMode, securityPolicy) => {
    for (const auth of [{ type: 'anonymous' as const }, { type: 'username' as const, username: 'opcuser', password: 'securepass' }]) {
      const driver = new OpcuaDriver(source(viaName(main), { securityMode, securityPolicy, auth }), options());
      try {
        const result = await driver.poll();
        expect(byMetric(result).metric_1).toBe(21.25);
        expect(result.values).toHaveLength(7);
      } finally {
        await driver.close();
      }
    }
  });

  it('each node-id form reads the expected value; booleans 0/1, Int64 whole; a string is a bad point', async () => {
    const driver = new OpcuaDriver(source(main.endpointUrl), options());
    try {
      const before = Date.now();
      const result = await driver.poll();
      expect(byMetric(result)).toEqual({
        metric_0: 72.5, // numeric
        metric_1: 21.25, // string
        metric_2: -17, // GUID
        metric_3: 4096, // opaque
        metric_4: 1,
        metric_5: 5_000_000_000,
        metric_7: 50,
      });
      expect(statusOf(result, 'ns=2;s=Label')).toBe('BadTypeMismatch (String value is not numeric)');
      const v = result.values.find((x) => x.metricName === 'metric_0');
      expect(v).toMatchObject({ unit: 'u', rawTag: 'ns2_i1001' });
      // poll mode: stamped with the poll time
      expect(v?.timestamp.getTime()).toBeGreaterThanOrEqual(before - 5);
      expect(v?.timestamp.getTime()).toBeLessThanOrEqual(Date.now());
    } finally {
      await driver.close();
    }
  });

  it('a missing node is reported per node while the others read; a node with a bad status likewise', async () => {
    const nodes = [
      { nodeId: 'ns=2;s=Temperature.Value', metricName: 'temp', unit: 'C' },
      { nodeId: 'ns=2;s=DoesNotExist', metricName: 'ghost', unit: '' },
      { nodeId: 'ns=2;i=1001', metricName: 'speed', unit: 'rpm' },
      { nodeId: 'ns=7;i=1', metricName: 'nons', unit: '' },
    ];
    main.setValue('ns=2;i=1001', 80, 'BadSensorFailure');
    const driver = new OpcuaDriver(source(main.endpointUrl, { nodes }), options());
    try {
      const result = await driver.poll();
      expect(byMetric(result)).toEqual({ temp: 21.25 });
      expect(result.badPoints).toEqual([
        { point: 'ns=2;s=DoesNotExist', metricNames: ['ghost'], good: false, status: 'BadNodeIdUnknown' },
        { point: 'ns=2;i=1001', metricNames: ['speed'], good: false, status: 'BadSensorFailure' },
        { point: 'ns=7;i=1', metricNames: ['nons'], good: false, status: 'BadNodeIdUnknown' },
      ]);
      main.setValue('ns=2;i=1001', 72.5);
      const again = await driver.poll();
      expect(byMetric(again)).toEqual({ temp: 21.25, speed: 72.5 });
      // test-connection names the unreadable points
      const tc = await testConnection(source(main.endpointUrl, { nodes }), options());
      expect(tc.success).toBe(true);
      expect(tc.message).toContain('ns=2;s=DoesNotExist: BadNodeIdUnknown');
    } finally {
      main.setValue('ns=2;i=1001', 72.5);
      await driver.close();
    }
  });

  it('the namespace-URI form (nsu=) is resolved on the server', async () => {
    const nodes = [
      { nodeId: `nsu=${main.namespaceUri};s=Temperature.Value`, metricName: 't', unit: '' },
      { nodeId: 'nsu=urn:nowhere;s=X', metricName: 'x', unit: '' },
    ];
    const driver = new OpcuaDriver(source(main.endpointUrl, { nodes }), options());
    try {
      const result = await driver.poll();
      expect(byMetric(result)).toEqual({ t: 21.25 });
      expect(statusOf(result, 'nsu=urn:nowhere;s=X')).toMatch(/^BadNodeIdUnknown \(namespace urn:nowhere/);
    } finally {
      await driver.close();
    }
  });

  it('large node lists are read in chunks within the server limit (1,200 nodes, limit 500)', async () => {
    const nodes = Array.from({ length: 1200 }, (_, i) => ({ nodeId: NODES[i % 4]?.nodeId ?? 'ns=2;i=1001', metricName: `n${i}`, unit: '' }));
    const driver = new OpcuaDriver(source(main.endpointUrl, { nodes }), options());
    try {
      const result = await driver.poll();
      expect(result.badPoints).toEqual([]);
      expect(result.values).toHaveLength(1200);
      expect(result.values[1199]?.value).toBe(4096);
    } finally {
      await driver.close();
    }
  });

  it('a wrong password is a clear failure naming the status', async () => {
    const driver = new OpcuaDriver(
      source(main.endpointUrl, { securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', auth: { type: 'username', username: 'opcuser', password: 'nope' } }),
      options(),
    );
    try {
      const err = await pollError(driver);
      expect(err.message).toMatch(/\((BadUserAccessDenied|BadIdentityTokenRejected)\): wrong username or password for user 'opcuser'/);
      const tc = await testConnection(source(main.endpointUrl, { auth: { type: 'username', username: 'opcuser', password: 'nope' } }), options());
      expect(tc).toMatchObject({ success: false });
      expect(tc.message).toMatch(/BadUserAccessDenied|BadIdentityTokenRejected/);
    } finally {
      await driver.close();
    }
  });

  it('a security policy the server does not offer is named', async () => {
    const driver = new OpcuaDriver(source(main.endpointUrl, { securityMode: 'Sign', securityPolicy: 'Basic256' }), options());
    try {
      const err = await pollError(driver);
      expect(err.message).toContain('offers no endpoint with security mode Sign and policy Basic256');
    } finally {
      await driver.close();
    }
  });

  it('dials only the address the guard pinned; a refused destination is never dialled', async () => {
    const asked: string[] = [];
    const guard: DriverOptions['resolveTarget'] = async (host, port) => {
      asked.push(`${host}:${port}`);
      throw new Error(`destination ${host} is not allowed`);
    };
    const driver = new OpcuaDriver(source(viaName(main)), options({ resolveTarget: guard }));
    try {
      const err = await pollError(driver);
      expect(err.message).toBe(`OPC-UA endpoint plc-7.plant.invalid:${main.port} refused: destination plc-7.plant.invalid is not allowed`);
      expect(asked).toEqual([`plc-7.plant.invalid:${main.port}`]);
    } finally {
      await driver.close();
    }
    expect(parseEndpointUrl('opc.tcp://[fe80::1]:4841/a/b')).toEqual({ host: 'fe80::1', port: 4841, rest: '/a/b' });
    expect(parseEndpointUrl('opc.tcp://plc:4840')).toEqual({ host: 'plc', port: 4840, rest: '' });
    expect(parseEndpointUrl('opc.tcp://plc')).toEqual({ host: 'plc', port: 4840, rest: '' });
    expect(parseEndpointUrl('http://plc:80')).toBeNull();
  });

  it('a device that accepts TCP but never answers times out with host:port, and close() does not hang', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const driver = new OpcuaDriver(source(`opc.tcp://silent.invalid:${port}`), options({ connectTimeoutMs: 800 }));
    try {
      const started = Date.now();
      const err = await pollError(driver);
      expect(err.message).toBe(`Timed out after 800 ms connecting to 127.0.0.1:${port}`);
      expect(Date.now() - started).toBeLessThan(2500);
      // close during a hanging connect returns promptly
      const pending = driver.poll().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      const closing = Date.now();
      await driver.close();
      expect(Date.now() - closing).toBeLessThan(2500);
      await pending;
    } finally {
      await driver.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(() => r(undefined)));
    }
  });
});

describe('OPC-UA values', () => {
  const dv = (dataType: DataType, value: unknown, arrayType?: VariantArrayType) =>
    new DataValue({ value: new Variant({ dataType, value, ...(arrayType !== undefined ? { arrayType } : {}) }) });

  it('numbers and booleans are readings; anything else names why not', () => {
    expect(numericValueOf(dv(DataType.Float, 1.5))).toEqual({ ok: true, value: 1.5 });
    expect(numericValueOf(dv(DataType.Byte, 200))).toEqual({ ok: true, value: 200 });
    expect(numericValueOf(dv(DataType.Boolean, false))).toEqual({ ok: true, value: 0 });
    expect(numericValueOf(dv(DataType.UInt64, [1, 5], VariantArrayType.Scalar))).toEqual({ ok: true, value: 2 ** 32 + 5 });
    expect(numericValueOf(dv(DataType.Int64, [-1, 0xfffffffe], VariantArrayType.Scalar))).toEqual({ ok: true, value: -2 });
    expect(numericValueOf(dv(DataType.Double, Number.NaN))).toEqual({ ok: false, status: 'BadTypeMismatch (NaN is not a finite number)' });
    expect(numericValueOf(dv(DataType.String, 'x'))).toEqual({ ok: false, status: 'BadTypeMismatch (String value is not numeric)' });
    expect(numericValueOf(dv(DataType.DateTime, new Date()))).toEqual({ ok: false, status: 'BadTypeMismatch (DateTime value is not numeric)' });
    expect(numericValueOf(dv(DataType.Double, [1, 2], VariantArrayType.Array))).toEqual({ ok: false, status: 'BadTypeMismatch (Double array is not a single number)' });
    expect(numericValueOf(new DataValue({}))).toEqual({ ok: false, status: 'BadNoData (the node has no value)' });
  });
});

describe('OPC-UA driver: subscription mode', () => {
  it('delivers changes with their source timestamps; an absolute deadband suppresses small changes', async () => {
    const nodes = [
      { nodeId: 'ns=2;s=Temperature.Value', metricName: 'temp', unit: 'C' },
      { nodeId: 'ns=2;s=Missing.Sub', metricName: 'ghost', unit: '' },
    ];
    const driver = new OpcuaDriver(source(main.endpointUrl, { nodes, mode: 'subscription', samplingIntervalMs: 50, deadband: { type: 'absolute', value: 0.5 } }), options());
    try {
      main.setValue('ns=2;s=Temperature.Value', 10);
      // the subscription's first notification is the current value (normally in the first poll)
      const initial = await gather(driver, (v) => expect(v.map((x) => x.value)).toEqual([10]));
      expect(initial[0]?.timestamp.getTime()).toBeLessThanOrEqual(Date.now());
      expect((await driver.poll()).badPoints).toEqual([{ point: 'ns=2;s=Missing.Sub', metricNames: ['ghost'], good: false, status: 'BadNodeIdUnknown' }]);

      const changedAt = Date.now();
      main.setValue('ns=2;s=Temperature.Value', 10.2); // inside the deadband: suppressed
      await new Promise((r) => setTimeout(r, 300));
      main.setValue('ns=2;s=Temperature.Value', 12); // outside: delivered
      const afterChange = Date.now();
      const got = await gather(driver, (v) => expect(v.map((x) => x.value)).toContain(12));
      expect(got.map((v) => v.value)).toEqual([12]);
      // the source timestamp: when the server changed it, not when the poll drained it
      const ts = got[0]?.timestamp.getTime() ?? 0;
      expect(ts).toBeGreaterThanOrEqual(changedAt - 5);
      expect(ts).toBeLessThanOrEqual(afterChange + 5);

      // nothing changed: nothing delivered, still healthy
      const third = await driver.poll();
      expect(third.values).toEqual([]);
    } finally {
      main.setValue('ns=2;s=Temperature.Value', 21.25);
      await driver.close();
    }
  });

  it('a percent deadband works on an AnalogItem (EURange 0..100, 5 %)', async () => {
    const nodes = [{ nodeId: 'ns=2;s=Level', metricName: 'level', unit: '%' }];
    const driver = new OpcuaDriver(source(main.endpointUrl, { nodes, mode: 'subscription', samplingIntervalMs: 50, deadband: { type: 'percent', value: 5 } }), options());
    try {
      main.setValue('ns=2;s=Level', 50);
      await gather(driver, (v) => expect(v.map((x) => x.value)).toEqual([50]));
      expect((await driver.poll()).badPoints).toEqual([]);
      main.setValue('ns=2;s=Level', 53); // 3 % of the range: suppressed
      await new Promise((r) => setTimeout(r, 300));
      main.setValue('ns=2;s=Level', 60); // 10 %: delivered
      const got = await gather(driver, (v) => expect(v.map((x) => x.value)).toContain(60));
      expect(got.map((v) => v.value)).toEqual([60]);
    } finally {
      main.setValue('ns=2;s=Level', 50);
      await driver.close();
    }
  });

  it('the notification buffer is bounded: the oldest are dropped and counted', () => {
    const buf = new NotificationBuffer(3);
    for (let i = 0; i < 5; i++) buf.push({ index: i, value: {} as never, receivedAt: i });
    expect(buf.dropped).toBe(2);
    expect(buf.length).toBe(3);
    expect(buf.drain().map((b) => b.index)).toEqual([2, 3, 4]);
    expect(buf.length).toBe(0);
    buf.push({ index: 9, value: {} as never, receivedAt: 9 });
    expect(buf.drain().map((b) => b.index)).toEqual([9]);
  });
});

describe('OPC-UA driver: recovery', () => {
  let srv: TestOpcuaServer;
  const nodes = [
    { nodeId: 'ns=2;s=Temperature.Value', metricName: 'temp', unit: 'C' },
    { nodeId: 'ns=2;i=1001', metricName: 'speed', unit: 'rpm' },
    { nodeId: GUID, metricName: 'guid', unit: '' },
  ];

  beforeAll(async () => {
    srv = await startOpcuaServer({ pkiDir: path.join(root, 'server-recovery'), nodes: NODES });
  });

  afterAll(async () => {
    await srv?.close();
  });

  it('poll mode: server stopped and restarted, restarted with a changed address space, sessions dropped — the same driver reads on the next poll', async () => {
    const logged: string[] = [];
    const log = { info: (o: object, m?: string) => void logged.push(`${m} ${JSON.stringify(o)}`), warn: (o: object, m?: string) => void logged.push(`${m} ${JSON.stringify(o)}`) };
    const driver = new OpcuaDriver(source(srv.endpointUrl, { nodes, securityMode: 'SignAndEncrypt', securityPolicy: 'Aes256_Sha256_RsaPss' }), options({ log }));
    try {
      expect(byMetric(await driver.poll())).toEqual({ temp: 21.25, speed: 72.5, guid: -17 });

      await srv.stop();
      const err = await pollError(driver);
      expect(err.message).toBe(`Connection refused by 127.0.0.1:${srv.port} (is the OPC-UA server running?)`);
      srv.setValue('ns=2;s=Temperature.Value', 30);
      await srv.restart();
      expect(byMetric(await driver.poll())).toEqual({ temp: 30, speed: 72.5, guid: -17 });

      // restarted while the driver was idle (its session is stale): read on the next poll
      srv.setValue('ns=2;s=Temperature.Value', 31);
      await srv.restart({ changedAddressSpace: true });
      expect(byMetric(await driver.poll())).toEqual({ temp: 31, speed: 72.5, guid: -17 });

      // the namespace moved to another index: followed by its URI
      srv.setValue('ns=2;s=Temperature.Value', 32);
      await srv.restart({ shiftNamespace: true });
      expect(byMetric(await driver.poll())).toEqual({ temp: 32, speed: 72.5, guid: -17 });
      expect(logged.some((l) => l.includes('namespace index changed') && l.includes('"from":2,"to":3'))).toBe(true);
      await srv.restart();

      // the server forgets the session but keeps the connection open
      expect(byMetric(await driver.poll()).temp).toBe(32);
      srv.dropSessions();
      expect(byMetric(await driver.poll())).toEqual({ temp: 32, speed: 72.5, guid: -17 });
      // the library's silent repair is not trusted: rebuilt on the next poll, the old session closed
      expect(byMetric(await driver.poll())).toEqual({ temp: 32, speed: 72.5, guid: -17 });
      expect(byMetric(await driver.poll())).toEqual({ temp: 32, speed: 72.5, guid: -17 });
      expect(srv.sessionCount()).toBe(1);
    } finally {
      srv.setValue('ns=2;s=Temperature.Value', 21.25);
      await driver.close();
    }
    await vi.waitFor(() => expect(srv.sessionCount()).toBe(0), { timeout: 3000 });
  });

  it('subscription mode: the subscription and its monitored items are recreated after a restart and after dropped sessions', async () => {
    const driver = new OpcuaDriver(source(srv.endpointUrl, { nodes, mode: 'subscription', samplingIntervalMs: 50 }), options());
    try {
      srv.setValue('ns=2;s=Temperature.Value', 40);
      await gather(driver, (v) => expect(latest(v)).toEqual({ temp: 40, speed: 72.5, guid: -17 }));

      await srv.stop();
      await pollError(driver);
      await srv.restart({ changedAddressSpace: true });
      // after the return: the new monitored items' initial notifications, then live changes
      await gather(driver, (v) => expect(latest(v)).toEqual({ temp: 40, speed: 72.5, guid: -17 }));
      srv.setValue('ns=2;s=Temperature.Value', 41);
      await gather(driver, (v) => expect(latest(v).temp).toBe(41));

      srv.dropSessions();
      await gather(driver, (v) => expect(latest(v)).toEqual({ temp: 41, speed: 72.5, guid: -17 }));
      srv.setValue('ns=2;s=Temperature.Value', 42);
      await gather(driver, (v) => expect(latest(v).temp).toBe(42));
      await vi.waitFor(() => expect(srv.sessionCount()).toBe(1), { timeout: 3000 });
    } finally {
      srv.setValue('ns=2;s=Temperature.Value', 21.25);
      await driver.close();
    }
  });

  it('kept down longer than a long back-off: every poll fails fast, the first poll after the return reads', async () => {
    const driver = new OpcuaDriver(source(srv.endpointUrl, { nodes, securityMode: 'Sign', securityPolicy: 'Aes128_Sha256_RsaOaep' }), options());
    try {
      expect(byMetric(await driver.poll()).temp).toBe(21.25);
      await srv.stop();
      for (let i = 0; i < 8; i++) {
        const started = Date.now();
        await pollError(driver);
        expect(Date.now() - started).toBeLessThan(3000); // refused at once, not after connectTimeoutMs (4 s)
        await new Promise((r) => setTimeout(r, 150));
      }
      await srv.restart();
      expect(byMetric(await driver.poll())).toEqual({ temp: 21.25, speed: 72.5, guid: -17 });
    } finally {
      await driver.close();
    }
  });
});

describe('OPC-UA client certificate and server trust', () => {
  it('the client certificate is created once and reused (same thumbprint across drivers and a re-initialised store)', async () => {
    const dir = path.join(root, 'pki-once');
    const [a, b] = await Promise.all([
      getOpcuaPki(dir, { trustUnknownServerCertificates: true }),
      getOpcuaPki(dir, { trustUnknownServerCertificates: true }),
    ]);
    expect(a).toBe(b);
    expect(a.thumbprint).toMatch(/^[0-9a-f]{40}$/);
    const created = (await stat(a.certificateFile)).mtimeMs;

    const d1 = new OpcuaDriver(source(main.endpointUrl, { securityMode: 'Sign', securityPolicy: 'Basic256Sha256' }), options({ pkiDir: dir }));
    const d2 = new OpcuaDriver(source(main.endpointUrl, { securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' }), options({ pkiDir: dir }));
    try {
      await Promise.all([d1.poll(), d2.poll()]);
    } finally {
      await Promise.all([d1.close(), d2.close()]);
    }
    // as a new process would: the in-memory store dropped, the directory read again
    await disposeOpcuaPkis();
    const again = await getOpcuaPki(dir, { trustUnknownServerCertificates: true });
    expect(again).not.toBe(a);
    expect(again.thumbprint).toBe(a.thumbprint);
    expect(again.applicationUri).toBe(a.applicationUri);
    expect((await stat(again.certificateFile)).mtimeMs).toBe(created);
    await expect(getOpcuaPki(dir, { trustUnknownServerCertificates: false })).rejects.toThrow(/already in use with trustUnknownServerCertificates=true/);
  });

  it('trust on first use stores the server certificate in trusted/', async () => {
    const dir = path.join(root, 'pki-tofu');
    const driver = new OpcuaDriver(source(main.endpointUrl, { securityMode: 'SignAndEncrypt', securityPolicy: 'Aes128_Sha256_RsaOaep' }), options({ pkiDir: dir, trustUnknownServerCertificates: true }));
    try {
      expect((await driver.poll()).values.length).toBeGreaterThan(0);
    } finally {
      await driver.close();
    }
    expect((await readdir(path.join(dir, 'trusted', 'certs'))).filter((f) => f.endsWith('.pem'))).toHaveLength(1);
  });

  it('explicit list: an unknown server certificate lands in rejected/ and the message names the file to move; once moved, the next poll reads', async () => {
    const dir = path.join(root, 'pki-explicit');
    const driver = new OpcuaDriver(source(main.endpointUrl, { securityMode: 'Sign', securityPolicy: 'Basic256Sha256' }), options({ pkiDir: dir, trustUnknownServerCertificates: false }));
    try {
      const err = await pollError(driver);
      const m = /move (\S+\.pem) to (\S+)\/ to trust it \(SHA-1 thumbprint ([0-9a-f]{40})\)/.exec(err.message);
      expect(err.message).toMatch(/^Server certificate of 127\.0\.0\.1:\d+ is not trusted \(BadCertificateUntrusted\)/);
      expect(m).not.toBeNull();
      const [, file, trusted] = m as unknown as [string, string, string];
      expect(path.dirname(file)).toBe(path.join(dir, 'rejected'));
      expect(trusted).toBe(path.join(dir, 'trusted', 'certs'));
      // still refused while the admin has not acted
      expect((await pollError(driver)).message).toContain('is not trusted');
      await rename(file, path.join(trusted, path.basename(file)));
      await vi.waitFor(async () => expect((await driver.poll()).values.length).toBeGreaterThan(0), { timeout: 10_000, interval: 300 });
    } finally {
      await driver.close();
    }
  });
});

describe('OPC-UA PKI shared by two processes', () => {
  it('two stores opened on the same folder at once (as two processes would) create one certificate', async () => {
    const real = path.join(root, 'pki-shared');
    const alias = path.join(root, 'pki-shared-alias');
    await mkdir(real, { recursive: true });
    await symlink(real, alias);
    // two paths: two managers on one folder, racing to create the key and the certificate
    const [a, b] = await Promise.all([
      getOpcuaPki(real, { trustUnknownServerCertificates: true }),
      getOpcuaPki(alias, { trustUnknownServerCertificates: true }),
    ]);
    expect(a).not.toBe(b);
    expect(a.thumbprint).toBe(b.thumbprint);
    expect((await readdir(path.join(real, 'own', 'certs'))).filter((f) => f.endsWith('.pem'))).toEqual(['client_certificate.pem']);
    // the certificate belongs to the one private key on disk
    const cert = new X509Certificate(await readFile(a.certificateFile));
    expect(cert.checkPrivateKey(createPrivateKey(await readFile(a.privateKeyFile)))).toBe(true);
  });
});
