/**
 * Modbus TCP test servers, on 127.0.0.1 only, for the driver, poller, agent and bench tests.
 *
 *   const dev = await startModbusServer({ holding: { 100: 725 }, coils: { 0: true }, exceptionAddresses: { holding: [200] } });
 *   dev.port; dev.setHolding(100, [0x42f6, 0xe979]); dev.connections; await dev.stop(); await dev.restart();
 *
 *   const py = await startPymodbusServer({ holding: { 100: 725 } });   // Debian's pymodbus, a child process
 *   py.port; await py.stop();
 *
 * Register maps: `Map<number, number>` or `Record<number, number>` of zero-based protocol address →
 * 16-bit word (coils / discrete inputs: boolean or 0/1). Unmapped addresses read 0. An address listed
 * in `exceptionAddresses` makes every request touching it answer exception 02 (Illegal Data Address).
 * `encodeWords(dataType, value, byteOrder)` gives the words a device holds for a value, computed
 * with Buffer's writers independently of the driver's decoder.
 *
 * Every server is also stopped by `stopAllModbusServers()` (call it in afterAll) and a pymodbus
 * child exits by itself when the test process goes away (it watches its stdin).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import { freePort } from './sockets.js';
import { fileURLToPath } from 'node:url';
import ModbusSerial from 'modbus-serial';
import type { ModbusByteOrder, ModbusDataType } from '../../src/connectivity/device-source.js';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 15_000;

export type WordMap = Map<number, number> | Record<number, number>;
export type BitMap = Map<number, boolean | number> | Record<number, boolean | number>;
export type ModbusTable = 'holding' | 'input' | 'coils' | 'discrete';

export interface ModbusServerOptions {
  holding?: WordMap;
  input?: WordMap;
  coils?: BitMap;
  discrete?: BitMap;
  /** addresses answered with exception 02 (Illegal Data Address), per table */
  exceptionAddresses?: Partial<Record<ModbusTable, Iterable<number>>>;
  /** a fixed port (default: a free one) */
  port?: number;
}

export interface ModbusTestServer {
  readonly host: string;
  readonly port: number;
  /** TCP connections accepted since the first start (across restarts) */
  readonly connections: number;
  /** connections open right now */
  readonly openConnections: number;
  /** read requests answered or refused since the first start */
  readonly requests: number;
  /** sets one or more consecutive holding registers from `addr` */
  setHolding(addr: number, words: number | readonly number[]): void;
  setInput(addr: number, words: number | readonly number[]): void;
  setCoil(addr: number, value: boolean | number): void;
  setDiscrete(addr: number, value: boolean | number): void;
  /** answer `code` (default 2, Illegal Data Address) for requests touching addr; null clears it */
  setException(table: ModbusTable, addr: number, code?: number | null): void;
  /** silent: requests are accepted but never answered (for timeouts) */
  setSilent(silent: boolean): void;
  /** closes the listener and every connection */
  stop(): Promise<void>;
  /** listens again on the same port with the same registers */
  restart(): Promise<void>;
}

export interface PymodbusServerOptions {
  holding?: WordMap;
  input?: WordMap;
  coils?: BitMap;
  discrete?: BitMap;
  /** addresses answered with exception 02 (Illegal Data Address), per table */
  exceptionAddresses?: Partial<Record<ModbusTable, Iterable<number>>>;
  /** a fixed port (default: chosen by the server) */
  port?: number;
}

export interface PymodbusTestServer {
  readonly host: string;
  readonly port: number;
  /** kills the child and waits for it */
  stop(): Promise<void>;
  /** starts it again on the same port with the same registers */
  restart(): Promise<void>;
}

const running = new Set<{ stop(): Promise<void> }>();

/** Stops every server started by this module (for afterAll). */
export async function stopAllModbusServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop().catch(() => undefined)));
}

function entries<V>(m: Map<number, V> | Record<number, V> | undefined): [number, V][] {
  if (!m) return [];
  if (m instanceof Map) return [...m.entries()];
  return Object.entries(m).map(([k, v]) => [Number(k), v as V]);
}

function checkAddr(addr: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr > 65_535) throw new RangeError(`Modbus address out of range: ${addr}`);
}

// ---------------------------------------------------------------------------------------------
// modbus-serial ServerTCP

type Cb<T> = (err: unknown, value?: T) => void;

/** A modbus-serial ServerTCP on 127.0.0.1 with settable registers (see the file comment). */
export async function startModbusServer(opts: ModbusServerOptions = {}): Promise<ModbusTestServer> {
  const words = {
    holding: new Map<number, number>(entries(opts.holding).map(([a, v]) => [a, v & 0xffff])),
    input: new Map<number, number>(entries(opts.input).map(([a, v]) => [a, v & 0xffff])),
  };
  const bits = {
    coils: new Map<number, boolean>(entries(opts.coils).map(([a, v]) => [a, Boolean(v)])),
    discrete: new Map<number, boolean>(entries(opts.discrete).map(([a, v]) => [a, Boolean(v)])),
  };
  const exceptions: Record<ModbusTable, Map<number, number>> = {
    holding: new Map(),
    input: new Map(),
    coils: new Map(),
    discrete: new Map(),
  };
  for (const [table, addrs] of Object.entries(opts.exceptionAddresses ?? {}) as [ModbusTable, Iterable<number>][]) {
    for (const a of addrs) exceptions[table].set(a, 2);
  }
  let silent = false;
  let connections = 0;
  let requests = 0;

  const refused = (table: ModbusTable, addr: number, length: number): number | null => {
    const ex = exceptions[table];
    if (ex.size === 0) return null;
    for (let a = addr; a < addr + length; a++) {
      const code = ex.get(a);
      if (code !== undefined) return code;
    }
    return null;
  };
  const readWords = (table: 'holding' | 'input') => {
    const map = words[table];
    return {
      one: (addr: number, _unit: number, cb: Cb<number>) => {
        requests++;
        if (silent) return;
        const code = refused(table, addr, 1);
        if (code !== null) cb({ modbusErrorCode: code });
        else cb(null, map.get(addr) ?? 0);
      },
      many: (addr: number, length: number, _unit: number, cb: Cb<number[]>) => {
        requests++;
        if (silent) return;
        const code = refused(table, addr, length);
        if (code !== null) return cb({ modbusErrorCode: code });
        const out = new Array<number>(length);
        for (let i = 0; i < length; i++) out[i] = map.get(addr + i) ?? 0;
        cb(null, out);
      },
    };
  };
  // FC 01/02 call the vector once per bit (their requests are counted from the socket, below)
  const readBit = (table: 'coils' | 'discrete') => (addr: number, _unit: number, cb: Cb<boolean>) => {
    if (silent) return;
    const code = refused(table, addr, 1);
    if (code !== null) cb({ modbusErrorCode: code });
    else cb(null, bits[table].get(addr) ?? false);
  };
  const holding = readWords('holding');
  const input = readWords('input');
  const coil = readBit('coils');
  const discrete = readBit('discrete');
  const vector = {
    getHoldingRegister: holding.one,
    getMultipleHoldingRegisters: holding.many,
    getInputRegister: input.one,
    getMultipleInputRegisters: input.many,
    getCoil: coil,
    getDiscreteInput: discrete,
    setRegister: (addr: number, value: number) => void words.holding.set(addr, value & 0xffff),
    setCoil: (addr: number, value: boolean) => void bits.coils.set(addr, value),
  };

  let server: InstanceType<typeof ModbusSerial.ServerTCP> | null = null;
  let port = opts.port ?? 0;

  const listen = async (p: number): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      const s = new ModbusSerial.ServerTCP(vector as never, { host: HOST, port: p });
      const timer = setTimeout(() => reject(new Error(`modbus-serial server did not listen on ${HOST}:${p}`)), START_TIMEOUT_MS);
      s.on('initialized', () => {
        clearTimeout(timer);
        server = s;
        resolve();
      });
      s.on('serverError', (err: unknown) => {
        clearTimeout(timer);
        s.close(() => undefined);
        reject(err);
      });
      // socket errors (a client resetting) are expected in fault tests
      s.on('socketError', () => undefined);
      s.on('error', () => undefined);
      const inner = (s as unknown as { _server: net.Server })._server;
      inner.on('connection', (sock: net.Socket) => {
        connections++;
        sock.on('data', (d: Buffer) => {
          // FC 01/02 requests: one per MBAP frame (the register reads count themselves in the vector)
          for (let at = 0; at + 8 <= d.length; ) {
            const len = d.readUInt16BE(at + 4);
            const fc = d[at + 7];
            if (fc === 1 || fc === 2) requests++;
            at += 6 + len;
          }
        });
      });
    });
  };

  const start = async (): Promise<void> => {
    if (port !== 0) return listen(port);
    for (let attempt = 0; ; attempt++) {
      const p = await freePort();
      try {
        await listen(p);
        port = p;
        return;
      } catch (err) {
        if (attempt >= 4 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      }
    }
  };

  const handle: ModbusTestServer & { stop(): Promise<void> } = {
    host: HOST,
    get port() {
      return port;
    },
    get connections() {
      return connections;
    },
    get openConnections() {
      return server ? server.socks.size : 0;
    },
    get requests() {
      return requests;
    },
    setHolding(addr, w) {
      const list = typeof w === 'number' ? [w] : w;
      list.forEach((v, i) => {
        checkAddr(addr + i);
        words.holding.set(addr + i, v & 0xffff);
      });
    },
    setInput(addr, w) {
      const list = typeof w === 'number' ? [w] : w;
      list.forEach((v, i) => {
        checkAddr(addr + i);
        words.input.set(addr + i, v & 0xffff);
      });
    },
    setCoil(addr, value) {
      checkAddr(addr);
      bits.coils.set(addr, Boolean(value));
    },
    setDiscrete(addr, value) {
      checkAddr(addr);
      bits.discrete.set(addr, Boolean(value));
    },
    setException(table, addr, code = 2) {
      checkAddr(addr);
      if (code === null) exceptions[table].delete(addr);
      else exceptions[table].set(addr, code);
    },
    setSilent(on) {
      silent = on;
    },
    async stop() {
      running.delete(handle);
      const s = server;
      server = null;
      if (!s) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        s.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async restart() {
      await handle.stop();
      await listen(port);
      running.add(handle);
    },
  };
  await start();
  running.add(handle);
  return handle;
}

// ---------------------------------------------------------------------------------------------
// pymodbus (Debian's python3-pymodbus, /usr/bin/python3)

export const PYTHON = '/usr/bin/python3';
const PYMODBUS_SCRIPT = fileURLToPath(new URL('../fixtures/pymodbus-server.py', import.meta.url));

function pyMap(m: WordMap | BitMap | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [a, v] of entries<number | boolean>(m as Map<number, number | boolean>)) {
    checkAddr(a);
    out[String(a)] = typeof v === 'boolean' ? (v ? 1 : 0) : v & 0xffff;
  }
  return out;
}

/** Debian's pymodbus TCP server as a child process (see tests/fixtures/pymodbus-server.py). */
export async function startPymodbusServer(opts: PymodbusServerOptions = {}): Promise<PymodbusTestServer> {
  const exceptions: Record<string, number[]> = {};
  for (const [table, addrs] of Object.entries(opts.exceptionAddresses ?? {}) as [ModbusTable, Iterable<number>][]) {
    exceptions[table] = [...addrs];
  }
  const config = {
    host: HOST,
    port: opts.port ?? 0,
    holding: pyMap(opts.holding),
    input: pyMap(opts.input),
    coils: pyMap(opts.coils),
    discrete: pyMap(opts.discrete),
    exceptions,
  };
  let child: ChildProcessWithoutNullStreams | null = null;
  let port = 0;

  const spawnServer = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const c = spawn(PYTHON, [PYMODBUS_SCRIPT, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
      child = c;
      let out = '';
      let err = '';
      let ready = false;
      const timer = setTimeout(() => {
        c.kill('SIGKILL');
        reject(new Error(`pymodbus server did not start within ${START_TIMEOUT_MS} ms: ${err.slice(-2000)}`));
      }, START_TIMEOUT_MS);
      c.stderr.on('data', (d: Buffer) => {
        if (err.length < 20_000) err += d.toString();
      });
      c.stdout.on('data', (d: Buffer) => {
        if (ready) return;
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        try {
          port = (JSON.parse(out.slice(0, nl)) as { port: number }).port;
          config.port = port;
          ready = true;
          clearTimeout(timer);
          resolve();
        } catch (e) {
          clearTimeout(timer);
          c.kill('SIGKILL');
          reject(new Error(`pymodbus server printed ${JSON.stringify(out.slice(0, 200))}: ${String(e)}`));
        }
      });
      c.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      c.on('exit', (code, signal) => {
        if (child === c) child = null;
        if (!ready) {
          clearTimeout(timer);
          reject(new Error(`pymodbus server exited (${code ?? signal}) before listening: ${err.slice(-2000)}`));
        }
      });
    });

  const handle: PymodbusTestServer = {
    host: HOST,
    get port() {
      return port;
    },
    async stop() {
      running.delete(handle);
      const c = child;
      child = null;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => c.kill('SIGKILL'), 3_000);
        const give = setTimeout(resolve, 6_000);
        c.once('exit', () => {
          clearTimeout(kill);
          clearTimeout(give);
          resolve();
        });
        c.kill('SIGTERM');
      });
    },
    async restart() {
      await handle.stop();
      await spawnServer();
      running.add(handle);
    },
  };
  await spawnServer();
  running.add(handle);
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Encoding values into device words (independent of src/connectivity/modbus-decode.ts)

/** Wire positions of the big-endian bytes A.. for each byte order, by value size. */
const WIRE_ORDER: Record<number, Record<ModbusByteOrder, string>> = {
  2: { ABCD: 'AB', CDAB: 'AB', BADC: 'BA', DCBA: 'BA' },
  4: { ABCD: 'ABCD', CDAB: 'CDAB', BADC: 'BADC', DCBA: 'DCBA' },
  8: { ABCD: 'ABCDEFGH', CDAB: 'GHEFCDAB', BADC: 'BADCFEHG', DCBA: 'HGFEDCBA' },
};

/** The 16-bit words (in address order) a device holds for `value` as dataType in byteOrder. */
export function encodeWords(dataType: Exclude<ModbusDataType, 'bool'>, value: number, byteOrder: ModbusByteOrder): number[] {
  const size = { int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 }[dataType];
  const be = Buffer.alloc(size);
  switch (dataType) {
    case 'int16':
      be.writeInt16BE(value);
      break;
    case 'uint16':
      be.writeUInt16BE(value);
      break;
    case 'int32':
      be.writeInt32BE(value);
      break;
    case 'uint32':
      be.writeUInt32BE(value);
      break;
    case 'float32':
      be.writeFloatBE(value);
      break;
    case 'float64':
      be.writeDoubleBE(value);
      break;
  }
  const order = WIRE_ORDER[size]![byteOrder];
  const wire = Buffer.from([...order].map((ch) => be[ch.charCodeAt(0) - 65]!));
  const out: number[] = [];
  for (let i = 0; i < size; i += 2) out.push(wire.readUInt16BE(i));
  return out;
}
