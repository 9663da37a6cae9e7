import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DeviceSource, ModbusByteOrder, ModbusDataType, ModbusRegister, ModbusRegisterType } from '../../src/connectivity/device-source.js';
import { DeviceUnreachableError, type DeviceDriver, type DriverOptions, type PollResult, type ResolveTarget } from '../../src/connectivity/driver.js';
import { ModbusDriver } from '../../src/connectivity/modbus-driver.js';
import {
  encodeWords,
  PYTHON,
  startModbusServer,
  startPymodbusServer,
  stopAllModbusServers,
  type PymodbusServerOptions,
} from '../helpers/modbus-servers.js';
import { freePort } from '../helpers/sockets.js';

const direct: ResolveTarget = async (host, port) => ({ address: host, port });
const WIDTH: Record<ModbusDataType, number> = { int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2, float64: 4, bool: 1 };
const ORDERS: ModbusByteOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

/** per data type, the values written (negative where the type allows), and the value expected back */
const SAMPLES: { type: Exclude<ModbusDataType, 'bool'>; value: number; expected: number }[] = [
  { type: 'int16', value: -12345, expected: -12345 },
  { type: 'uint16', value: 51234, expected: 51234 },
  { type: 'int32', value: -123456789, expected: -123456789 },
  { type: 'uint32', value: 3_000_000_000, expected: 3_000_000_000 },
  { type: 'float32', value: -123.456, expected: Math.fround(-123.456) },
  { type: 'float64', value: 123456.789012345, expected: 123456.789012345 },
];

function register(
  address: number,
  over: Partial<ModbusRegister> & { metricName: string },
  registerType: ModbusRegisterType = 'holding',
): ModbusRegister {
  const dataType = over.dataType ?? (registerType === 'coil' || registerType === 'discrete_input' ? 'bool' : 'uint16');
  return { address, count: WIDTH[dataType], registerType, dataType, byteOrder: 'ABCD', unit: 'u', scale: 1, offset: 0, ...over };
}

function source(port: number, registers: ModbusRegister[], host = '127.0.0.1'): DeviceSource {
  return { id: 'src-1', name: 'test device', protocol: 'modbus', pollIntervalMs: 1000, modbus: { host, port, unitId: 1, registers } };
}

const drivers: DeviceDriver[] = [];
function driver(src: DeviceSource, opts: Partial<DriverOptions> = {}): ModbusDriver {
  const d = new ModbusDriver(src, { resolveTarget: direct, connectTimeoutMs: 2000, requestTimeoutMs: 1000, ...opts });
  drivers.push(d);
  return d;
}

const byMetric = (r: PollResult) => Object.fromEntries(r.values.map((v) => [v.metricName, v.value]));

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await stopAllModbusServers();
});

/** Every type × order on holding (from 100) and input registers (from 1000), plus scaled registers. */
function typeMatrix(): { registers: ModbusRegister[]; holding: Map<number, number>; input: Map<number, number>; expected: Record<string, number> } {
  const registers: ModbusRegister[] = [];
  const holding = new Map<number, number>();
  const input = new Map<number, number>();
  const expected: Record<string, number> = {};
  for (const [type, base, map] of [
    ['holding', 100, holding],
    ['input', 1000, input],
  ] as const) {
    let addr = base;
    for (const s of SAMPLES) {
      for (const order of ORDERS) {
        const words = encodeWords(s.type, s.value, order);
        words.forEach((w, i) => map.set(addr + i, w));
        const metricName = `${type}_${s.type}_${order}`;
        registers.push(register(addr, { metricName, dataType: s.type, byteOrder: order }, type));
        expected[metricName] = s.expected;
        addr += words.length;
      }
    }
  }
  // scale and offset: raw 725 × 0.1 → 72.5 (the spec's example); int16 -40 × 0.5 + 10 → -10; float32 in CDAB
  holding.set(400, 725);
  registers.push(register(400, { metricName: 'scaled_temp', scale: 0.1 }));
  holding.set(401, encodeWords('int16', -40, 'ABCD')[0]!);
  registers.push(register(401, { metricName: 'scaled_neg', dataType: 'int16', scale: 0.5, offset: 10 }));
  encodeWords('float32', 2.5, 'CDAB').forEach((w, i) => holding.set(402 + i, w));
  registers.push(register(402, { metricName: 'scaled_float', dataType: 'float32', byteOrder: 'CDAB', scale: 4, offset: -1 }));
  return { registers, holding, input, expected };
}

type Launch = (o: PymodbusServerOptions) => Promise<{ port: number; stop(): Promise<void>; restart(): Promise<void> }>;
const SERVERS: [string, Launch][] = [
  ['modbus-serial ServerTCP', startModbusServer],
  ['pymodbus (Debian)', startPymodbusServer],
];

describe.each(SERVERS)('ModbusDriver against %s', (_name, launch) => {
  it('decodes every data type in every byte order, with scale and offset', async () => {
    const m = typeMatrix();
    const server = await launch({ holding: m.holding, input: m.input });
    const d = driver(source(server.port, m.registers));
    const before = Date.now();
    const result = await d.poll();
    expect(result.badPoints).toEqual([]);
    const got = byMetric(result);
    for (const [metric, value] of Object.entries(m.expected)) expect([metric, got[metric]]).toEqual([metric, value]);
    expect(got.scaled_temp).toBeCloseTo(72.5, 10);
    expect(got.scaled_neg).toBe(-10);
    expect(got.scaled_float).toBe(9);
    expect(result.values).toHaveLength(m.registers.length);
    const first = result.values.find((v) => v.metricName === 'holding_float32_CDAB')!;
    expect(first.rawTag).toBe(`hr${m.registers.find((r) => r.metricName === 'holding_float32_CDAB')!.address}`);
    expect(result.values.find((v) => v.metricName === 'input_int16_ABCD')!.rawTag).toBe('ir1000');
    for (const v of result.values) {
      expect(v.unit).toBe('u');
      expect(v.timestamp.getTime()).toBeGreaterThanOrEqual(before);
      expect(v.timestamp.getTime()).toBeLessThanOrEqual(Date.now());
    }
  });

  it('reads coils and discrete inputs, scaled', async () => {
    const server = await launch({ coils: { 0: true, 2: 1, 9: true }, discrete: { 5: 1, 6: 0, 7: 1 } });
    const d = driver(
      source(server.port, [
        register(0, { metricName: 'c0' }, 'coil'),
        register(1, { metricName: 'c1' }, 'coil'),
        register(2, { metricName: 'c2' }, 'coil'),
        register(9, { metricName: 'c9', scale: 100 }, 'coil'),
        register(5, { metricName: 'd5' }, 'discrete_input'),
        register(6, { metricName: 'd6' }, 'discrete_input'),
        register(7, { metricName: 'd7', offset: 1 }, 'discrete_input'),
      ]),
    );
    const result = await d.poll();
    expect(result.badPoints).toEqual([]);
    expect(byMetric(result)).toEqual({ c0: 1, c1: 0, c2: 1, c9: 100, d5: 1, d6: 0, d7: 2 });
    expect(result.values.find((v) => v.metricName === 'd5')!.rawTag).toBe('di5');
    expect(result.values.find((v) => v.metricName === 'c9')!.rawTag).toBe('co9');
  });

  it('reports an exception response per block while the other blocks read', async () => {
    const server = await launch({ holding: { 100: 1, 101: 2, 300: 9 }, input: { 10: 5 }, exceptionAddresses: { holding: [300, 301] } });
    const d = driver(
      source(server.port, [
        register(100, { metricName: 'a' }),
        register(101, { metricName: 'b' }),
        register(300, { metricName: 'refused', dataType: 'float32' }),
        register(10, { metricName: 'c' }, 'input'),
      ]),
    );
    for (let cycle = 0; cycle < 2; cycle++) {
      const result = await d.poll();
      expect(byMetric(result)).toEqual({ a: 1, b: 2, c: 5 });
      expect(result.badPoints).toEqual([{ point: 'holding:300-301', metricNames: ['refused'], good: false, status: 'IllegalDataAddress' }]);
    }
  });

  it('splits a bridged block the device refuses and reads the configured registers', async () => {
    // 200 and 205 are planned as one request 200-205; the device refuses address 202
    const server = await launch({ holding: { 200: 7, 205: 8 }, exceptionAddresses: { holding: [202] } });
    const d = driver(source(server.port, [register(200, { metricName: 'x' }), register(205, { metricName: 'y' })]));
    for (let cycle = 0; cycle < 2; cycle++) {
      const result = await d.poll();
      expect(result.badPoints).toEqual([]);
      expect(byMetric(result)).toEqual({ x: 7, y: 8 });
    }
  });

  it('recovers after the device is stopped and restarted on the same port, with the same driver', async () => {
    const server = await launch({ holding: { 0: 42 } });
    const d = driver(source(server.port, [register(0, { metricName: 'v' })]));
    expect(byMetric(await d.poll())).toEqual({ v: 42 });
    await server.stop();
    for (let i = 0; i < 2; i++) {
      const err = await d.poll().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DeviceUnreachableError);
      expect((err as Error).message).toContain(`127.0.0.1:${server.port}`);
    }
    await server.restart();
    expect(byMetric(await d.poll())).toEqual({ v: 42 });
    expect(byMetric(await d.poll())).toEqual({ v: 42 });
  });
});

describe('ModbusDriver connection handling (modbus-serial ServerTCP)', () => {
  it('reuses one TCP connection across cycles, one request per planned block', async () => {
    const server = await startModbusServer({ holding: { 0: 1, 1: 2, 2: 3 }, coils: { 3: true } });
    const d = driver(
      source(server.port, [register(0, { metricName: 'a' }), register(2, { metricName: 'b' }), register(3, { metricName: 'c' }, 'coil')]),
    );
    for (let i = 0; i < 5; i++) {
      server.setHolding(2, i);
      const r = await d.poll();
      expect(byMetric(r)).toEqual({ a: 1, b: i, c: 1 });
    }
    expect(server.connections).toBe(1);
    expect(server.openConnections).toBe(1);
    expect(server.requests).toBe(10); // holding:0-2 and coil:3-3, five cycles
    await d.close();
    await expect.poll(() => server.openConnections, { timeout: 3000 }).toBe(0);
    await expect(d.poll()).rejects.toThrow(/closed/);
  });

  it('serializes concurrent polls on the one connection, and close() ends an in-flight poll', async () => {
    const server = await startModbusServer({ holding: { 0: 3 } });
    const d = driver(source(server.port, [register(0, { metricName: 'v' })]), { requestTimeoutMs: 5000 });
    const results = await Promise.all([d.poll(), d.poll(), d.poll()]);
    expect(results.map(byMetric)).toEqual([{ v: 3 }, { v: 3 }, { v: 3 }]);
    expect(server.connections).toBe(1);
    server.setSilent(true);
    const inFlight = d.poll().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await d.close();
    const err = await inFlight;
    expect(err).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect.poll(() => server.openConnections, { timeout: 3000 }).toBe(0);
  });

  it('reconnects after the device drops the connection between cycles', async () => {
    const server = await startModbusServer({ holding: { 0: 5 } });
    const d = driver(source(server.port, [register(0, { metricName: 'v' })]));
    expect(byMetric(await d.poll())).toEqual({ v: 5 });
    await server.restart(); // closes every connection, listens again at once
    expect(byMetric(await d.poll())).toEqual({ v: 5 });
    expect(server.connections).toBe(2);
  });

  it('a device that stops answering times out within requestTimeoutMs, then reads again on a new connection', async () => {
    const server = await startModbusServer({ holding: { 0: 5, 50: 6 } });
    const d = driver(source(server.port, [register(0, { metricName: 'v' }), register(50, { metricName: 'w' })]), { requestTimeoutMs: 300 });
    expect(byMetric(await d.poll())).toEqual({ v: 5, w: 6 });
    server.setSilent(true);
    const started = Date.now();
    const err = await d.poll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceUnreachableError);
    expect((err as Error).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${server.port}.*no answer within 300 ms`));
    expect(Date.now() - started).toBeLessThan(2000);
    server.setSilent(false);
    expect(byMetric(await d.poll())).toEqual({ v: 5, w: 6 });
    expect(server.connections).toBe(2);
  });

  it('reports a float the device sends as NaN or Infinity as a bad point, not a reading', async () => {
    const server = await startModbusServer({ holding: { 0: 0x7fc0, 1: 0, 2: 0x7f80, 3: 0, 4: 0x4049, 5: 0x0fdb } });
    const d = driver(
      source(server.port, [
        register(0, { metricName: 'nan', dataType: 'float32' }),
        register(2, { metricName: 'inf', dataType: 'float32' }),
        register(4, { metricName: 'pi', dataType: 'float32' }),
      ]),
    );
    const r = await d.poll();
    expect(byMetric(r)).toEqual({ pi: Math.fround(Math.PI) });
    expect(r.badPoints).toEqual([
      { point: 'holding:0-1', metricNames: ['nan'], good: false, status: 'InvalidValue' },
      { point: 'holding:2-3', metricNames: ['inf'], good: false, status: 'InvalidValue' },
    ]);
  });

  it('a gateway whose device does not answer (exception 0B on every block) is unreachable', async () => {
    const server = await startModbusServer({ holding: { 0: 1 } });
    server.setException('holding', 0, 11);
    const d = driver(source(server.port, [register(0, { metricName: 'v' })]));
    await expect(d.poll()).rejects.toThrow(DeviceUnreachableError);
    await expect(d.poll()).rejects.toThrow(/GatewayTargetDeviceFailedToRespond/);
    server.setException('holding', 0, null);
    expect(byMetric(await d.poll())).toEqual({ v: 1 });
    expect(server.connections).toBe(1);
  });

  it('dials the address resolveTarget returns, never the configured host', async () => {
    const server = await startModbusServer({ holding: { 0: 77 } });
    const seen: [string, number][] = [];
    const d = driver(source(502, [register(0, { metricName: 'v' })], 'plc-7.invalid'), {
      resolveTarget: async (host, port) => {
        seen.push([host, port]);
        return { address: '127.0.0.1', port: server.port };
      },
    });
    expect(byMetric(await d.poll())).toEqual({ v: 77 });
    expect(seen).toEqual([['plc-7.invalid', 502]]);
  });

  it('a destination refused by resolveTarget surfaces as a clear DeviceUnreachableError, never dialled', async () => {
    const server = await startModbusServer({ holding: { 0: 1 } });
    const d = driver(source(server.port, [register(0, { metricName: 'v' })], 'metadata.internal'), {
      resolveTarget: async () => {
        throw new Error('destination 169.254.169.254 refused: link-local addresses are not allowed');
      },
    });
    const err = await d.poll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceUnreachableError);
    expect((err as Error).message).toBe(
      `Modbus device metadata.internal:${server.port}: destination 169.254.169.254 refused: link-local addresses are not allowed`,
    );
    expect(server.connections).toBe(0);
  });

  it('a refused connection names host, port and cause', async () => {
    const port = await freePort(); // nothing listens there
    const d = driver(source(port, [register(0, { metricName: 'v' })]));
    const err = await d.poll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceUnreachableError);
    expect((err as Error).message).toMatch(new RegExp(`^Modbus device 127\\.0\\.0\\.1:${port} unreachable: .*ECONNREFUSED`));
  });

  it('bounds the connect by connectTimeoutMs', async () => {
    // a listener that never accepts, its accept queue filled: further handshakes get no answer
    const py = spawn(PYTHON, ['-c', "import socket,sys\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()"]);
    const fillers: net.Socket[] = [];
    try {
      const port = await new Promise<number>((resolve, reject) => {
        py.stdout.once('data', (b: Buffer) => resolve(Number(String(b).trim())));
        py.once('exit', (code) => reject(new Error(`python exited ${code}`)));
      });
      for (let i = 0; i < 4; i++) {
        const f = net.connect({ host: '127.0.0.1', port });
        f.on('error', () => undefined);
        fillers.push(f);
      }
      await new Promise((r) => setTimeout(r, 200));
      const d = driver(source(port, [register(0, { metricName: 'v' })], 'slow.invalid'), {
        connectTimeoutMs: 300,
        resolveTarget: async () => ({ address: '127.0.0.1', port }),
      });
      const started = Date.now();
      const err = await d.poll().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeviceUnreachableError);
      expect((err as Error).message).toBe(`Modbus device slow.invalid:${port} (127.0.0.1:${port}) unreachable: connect timed out after 300 ms`);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      for (const f of fillers) f.destroy();
      py.kill('SIGKILL');
    }
  });
});

describe('ModbusDriver transaction ids', () => {
  /** A raw Modbus TCP device that first answers every request with a stale transaction id (and other values). */
  async function confusedDevice(
    mode: 'stale-then-right' | 'always-wrong' | 'holding-only',
  ): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
    let connections = 0;
    const socks = new Set<net.Socket>();
    const srv = net.createServer((sock) => {
      socks.add(sock);
      connections++;
      sock.on('close', () => socks.delete(sock));
      let buf = Buffer.alloc(0);
      sock.on('error', () => undefined);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 12) {
          const tid = buf.readUInt16BE(0);
          const len = buf.readUInt16BE(4);
          if (buf.length < 6 + len) break;
          const unit = buf[6]!;
          const fc = buf[7]!;
          const count = buf.readUInt16BE(10);
          buf = buf.subarray(6 + len);
          const answer = (id: number, value: number) => {
            const out = Buffer.alloc(9 + count * 2);
            out.writeUInt16BE(id, 0);
            out.writeUInt16BE(0, 2);
            out.writeUInt16BE(3 + count * 2, 4);
            out[6] = unit;
            out[7] = fc;
            out[8] = count * 2;
            for (let i = 0; i < count; i++) out.writeUInt16BE(value, 9 + i * 2);
            return out;
          };
          // the stale answer arrives first, in the same segment as the right one
          if (mode === 'holding-only') {
            if (fc === 3) sock.write(answer(tid, 4321));
          } else if (mode === 'stale-then-right') sock.write(Buffer.concat([answer(tid > 1 ? tid - 1 : tid + 100, 666), answer(tid, 1234)]));
          else sock.write(answer((tid + 1) & 0xffff, 666));
        }
      });
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    return {
      port: (srv.address() as net.AddressInfo).port,
      connections: () => connections,
      close: () =>
        new Promise<void>((resolve) => {
          srv.close(() => resolve());
          for (const sock of socks) sock.destroy();
        }),
    };
  }

  it('ignores an answer whose transaction id matches no pending request', async () => {
    const dev = await confusedDevice('stale-then-right');
    try {
      const d = driver(source(dev.port, [register(0, { metricName: 'v' }), register(1, { metricName: 'w' })]));
      for (let i = 0; i < 3; i++) expect(byMetric(await d.poll())).toEqual({ v: 1234, w: 1234 });
    } finally {
      await dev.close();
    }
  });

  it('never takes a mismatched answer: the request times out and the device is unreachable', async () => {
    const dev = await confusedDevice('always-wrong');
    try {
      const d = driver(source(dev.port, [register(0, { metricName: 'v' })]), { requestTimeoutMs: 300 });
      await expect(d.poll()).rejects.toThrow(/no answer within 300 ms/);
    } finally {
      await dev.close();
    }
  });

  it('a timeout after some blocks answered keeps their values, reports the rest, and reconnects next cycle', async () => {
    const dev = await confusedDevice('holding-only');
    try {
      const d = driver(
        source(dev.port, [register(0, { metricName: 'h' }), register(0, { metricName: 'i1' }, 'input'), register(500, { metricName: 'i2' }, 'input')]),
        { requestTimeoutMs: 300 },
      );
      for (let cycle = 1; cycle <= 2; cycle++) {
        const r = await d.poll();
        expect(byMetric(r)).toEqual({ h: 4321 });
        expect(r.badPoints).toEqual([
          { point: 'input:0-0', metricNames: ['i1'], good: false, status: 'Timeout' },
          { point: 'input:500-500', metricNames: ['i2'], good: false, status: 'Timeout' },
        ]);
        expect(dev.connections()).toBe(cycle);
      }
    } finally {
      await dev.close();
    }
  });
});
