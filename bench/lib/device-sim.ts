/**
 * Simulated plant devices for `npm run bench connectivity`, shared by the simulator processes
 * (device-sim-modbus.ts, device-sim-opcua.ts) and the bench that configures sources against them.
 *
 * Every device has the same ten points, each a physical quantity with its own behaviour: sinusoids
 * with a per-device phase and period plus noise, a speed that jumps between setpoints at irregular
 * moments, counters that advance irregularly, occasional spikes. Values are computed when they are
 * read, so every read sees a fresh value. Each point has the range its engineering value stays in:
 * a stored value outside it means a decoding error (wrong type, word order, scale or offset).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { prng } from './load.js';
import type { ModbusByteOrder, ModbusDataType, ModbusRegisterType } from '../../src/connectivity/device-source.js';

export interface SimPoint {
  metricName: string;
  unit: string;
  registerType: Extract<ModbusRegisterType, 'holding' | 'input'>;
  address: number;
  dataType: ModbusDataType;
  byteOrder: ModbusByteOrder;
  scale: number;
  offset: number;
  /** the engineering value always lies in [lo, hi] */
  range: [number, number];
  /** OPC-UA data type of the same point on the OPC-UA simulator */
  opcuaType: 'Double' | 'Float' | 'Int32' | 'UInt32' | 'Int16' | 'UInt16';
}

/** Ten points per device: uint16 with scale (and offset), int16, int32, uint32, float32 ABCD and CDAB. */
export const SIM_POINTS: readonly SimPoint[] = [
  { metricName: 'temperature', unit: 'C', registerType: 'holding', address: 0, dataType: 'uint16', byteOrder: 'ABCD', scale: 0.1, offset: 0, range: [40, 80], opcuaType: 'Double' },
  { metricName: 'spindle_speed', unit: 'rpm', registerType: 'holding', address: 1, dataType: 'uint16', byteOrder: 'ABCD', scale: 1, offset: 0, range: [1000, 2000], opcuaType: 'UInt16' },
  { metricName: 'position_error', unit: 'mm', registerType: 'holding', address: 2, dataType: 'int16', byteOrder: 'ABCD', scale: 0.01, offset: 0, range: [-4, 4], opcuaType: 'Float' },
  { metricName: 'parts_count', unit: 'pcs', registerType: 'holding', address: 3, dataType: 'int32', byteOrder: 'ABCD', scale: 1, offset: 0, range: [0, 2 ** 31 - 1], opcuaType: 'Int32' },
  { metricName: 'pressure', unit: 'bar', registerType: 'holding', address: 5, dataType: 'float32', byteOrder: 'ABCD', scale: 1, offset: 0, range: [4, 8], opcuaType: 'Double' },
  { metricName: 'coolant_flow', unit: 'l/min', registerType: 'holding', address: 7, dataType: 'float32', byteOrder: 'CDAB', scale: 1, offset: 0, range: [80, 160], opcuaType: 'Float' },
  { metricName: 'power', unit: 'kW', registerType: 'input', address: 100, dataType: 'float32', byteOrder: 'CDAB', scale: 1, offset: 0, range: [8, 22], opcuaType: 'Double' },
  { metricName: 'oil_temperature', unit: 'C', registerType: 'input', address: 102, dataType: 'uint16', byteOrder: 'ABCD', scale: 0.1, offset: -40, range: [35, 55], opcuaType: 'Float' },
  { metricName: 'energy', unit: 'kWh', registerType: 'input', address: 103, dataType: 'uint32', byteOrder: 'CDAB', scale: 0.01, offset: 0, range: [0, 42_949_672.95], opcuaType: 'Double' },
  { metricName: 'vibration', unit: 'mm/s', registerType: 'input', address: 105, dataType: 'float32', byteOrder: 'ABCD', scale: 1, offset: 0, range: [0, 10], opcuaType: 'Double' },
];

/** The register blocks a device answers: holding 0..8 and input 100..106. */
export const SIM_BLOCKS = [
  { registerType: 'holding' as const, start: 0, count: 9 },
  { registerType: 'input' as const, start: 100, count: 7 },
];

const TWO_PI = Math.PI * 2;


const clamp = (v: number, [lo, hi]: [number, number]) => Math.min(hi, Math.max(lo, v));

/**
 * One simulated machine: `value(point, nowMs)` is the engineering value of a point at that moment.
 * State (speed setpoint, counters) advances lazily from the time of the previous read, with
 * irregular steps.
 */
export class SimDevice {
  private readonly rand: () => number;
  private readonly phase: number;
  private readonly periodS: number[];
  private speed = 1450;
  private nextSpeedChange = 0;
  private parts: number;
  private energy: number;
  private lastMs = 0;

  constructor(readonly index: number) {
    this.rand = prng(0x9e3779b9 ^ (index * 7919));
    this.phase = this.rand() * TWO_PI;
    this.periodS = SIM_POINTS.map((_, k) => 20 + ((index * 13 + k * 29) % 90));
    this.parts = 1000 + index * 37;
    this.energy = 10_000 + index * 11.5;
  }

  private advance(nowMs: number): void {
    if (this.lastMs === 0) {
      this.lastMs = nowMs;
      this.nextSpeedChange = nowMs + 5000 + this.rand() * 60_000;
      return;
    }
    const dt = Math.max(0, nowMs - this.lastMs) / 1000;
    this.lastMs = nowMs;
    if (nowMs >= this.nextSpeedChange) {
      this.speed = [1200, 1450, 1800][Math.floor(this.rand() * 3)]!;
      this.nextSpeedChange = nowMs + 5000 + this.rand() * 60_000;
    }
    // a part finishes now and then (about one every 3 s, irregularly)
    if (this.rand() < Math.min(1, dt / 3)) this.parts += 1 + Math.floor(this.rand() * 2);
    this.energy += (15 * dt) / 3600 + this.rand() * 0.02;
  }

  value(k: number, nowMs: number): number {
    this.advance(nowMs);
    const t = nowMs / 1000;
    const s = Math.sin((TWO_PI * t) / this.periodS[k]! + this.phase + k);
    const noise = (a: number) => (this.rand() * 2 - 1) * a;
    const p = SIM_POINTS[k]!;
    let v: number;
    switch (p.metricName) {
      case 'temperature': v = 60 + 15 * s + noise(0.4); break;
      case 'spindle_speed': v = this.speed + 40 * s + noise(5); break;
      case 'position_error': v = 2.5 * s + noise(0.3); break;
      case 'parts_count': return this.parts;
      case 'pressure': v = 6 + 1.2 * s + noise(0.05); break;
      case 'coolant_flow': v = 120 + 30 * s + noise(2); break;
      case 'power': v = 15 + 5 * s * (this.speed / 1800) + noise(0.5); break;
      case 'oil_temperature': v = 45 + 6 * s + noise(0.2); break;
      case 'energy': return Math.round(this.energy * 100) / 100;
      // mostly calm, a spike now and then
      default: v = 2 + 0.8 * Math.abs(s) + noise(0.1) + (this.rand() < 0.02 ? 4 + this.rand() * 3 : 0);
    }
    return clamp(v, p.range);
  }
}

/** The raw 16-bit registers of a point's engineering value (inverse of raw * scale + offset), in its byte order. */
export function encodePoint(p: SimPoint, value: number): number[] {
  const raw = (value - p.offset) / p.scale;
  const b = Buffer.alloc(4);
  switch (p.dataType) {
    case 'uint16':
      return [Math.max(0, Math.min(0xffff, Math.round(raw)))];
    case 'int16':
      return [Math.max(-0x8000, Math.min(0x7fff, Math.round(raw))) & 0xffff];
    case 'int32':
      b.writeInt32BE(Math.round(raw));
      break;
    case 'uint32':
      b.writeUInt32BE(Math.max(0, Math.min(0xffffffff, Math.round(raw))));
      break;
    case 'float32':
      b.writeFloatBE(raw);
      break;
    default:
      throw new Error(`simulator: data type ${p.dataType} not simulated`);
  }
  // bytes A B C D (most significant first) -> two registers in the point's byte order
  const [A, B, C, D] = [b[0]!, b[1]!, b[2]!, b[3]!];
  const order = { ABCD: [A, B, C, D], CDAB: [C, D, A, B], BADC: [B, A, D, C], DCBA: [D, C, B, A] }[p.byteOrder];
  return [(order[0]! << 8) | order[1]!, (order[2]! << 8) | order[3]!];
}

/** Engineering value of a point from its raw registers (the plain client's decoding; inverse of encodePoint). */
export function decodePoint(p: SimPoint, regs: number[], at: number): number {
  let raw: number;
  if (p.dataType === 'uint16') raw = regs[at]!;
  else if (p.dataType === 'int16') raw = (regs[at]! << 16) >> 16;
  else {
    const r0 = regs[at]!;
    const r1 = regs[at + 1]!;
    const bytes = [r0 >> 8, r0 & 0xff, r1 >> 8, r1 & 0xff];
    const [A, B, C, D] = { ABCD: [0, 1, 2, 3], CDAB: [2, 3, 0, 1], BADC: [1, 0, 3, 2], DCBA: [3, 2, 1, 0] }[p.byteOrder].map((i) => bytes[i]!);
    const b = Buffer.from([A!, B!, C!, D!]);
    raw = p.dataType === 'int32' ? b.readInt32BE(0) : p.dataType === 'uint32' ? b.readUInt32BE(0) : b.readFloatBE(0);
  }
  return raw * p.scale + p.offset;
}

// ---------------------------------------------------------------- OPC-UA address space

/** Node id of OPC-UA variable `v` (namespace 1): string ids for most, numeric for every fourth device. */
export function opcuaNodeId(v: number): string {
  const device = Math.floor(v / SIM_POINTS.length);
  const k = v % SIM_POINTS.length;
  return device % 4 === 3 ? `ns=1;i=${100_000 + v}` : `ns=1;s=Line${1 + (device % 5)}.Cell${String(device + 1).padStart(4, '0')}.${SIM_POINTS[k]!.metricName}`;
}

export const opcuaMetricName = (v: number) => `cell${String(Math.floor(v / SIM_POINTS.length) + 1).padStart(4, '0')}_${SIM_POINTS[v % SIM_POINTS.length]!.metricName}`;

// ---------------------------------------------------------------- child processes

const here = path.dirname(fileURLToPath(import.meta.url));

export interface SimProcess<R = unknown> {
  pid: number;
  /** the JSON object the child printed when ready */
  ready: R;
  /** sends one command line and waits (at most timeoutMs) for the JSON line answering it */
  command<T = Record<string, unknown>>(cmd: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts `node <script>` (a compiled file next to this one) and sends it `config` as the first line
 * of its stdin (JSON; node id lists are too large for the environment); the child prints one JSON
 * line when ready, then answers each further stdin line with one JSON line. Bounded: start within
 * startTimeoutMs, stop by SIGTERM then SIGKILL.
 */
export async function startSimProcess<R>(script: string, config: unknown, startTimeoutMs = 120_000): Promise<SimProcess<R>> {
  const child: ChildProcess = spawn(process.execPath, [path.join(here, script)], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-4000);
  });
  const lines: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (!l.startsWith('{')) return; // library chatter
    const w = waiters.shift();
    if (w) w(l);
    else lines.push(l);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const nextLine = (timeoutMs: number, what: string) =>
    new Promise<string>((resolve, reject) => {
      const l = lines.shift();
      if (l !== undefined) return resolve(l);
      const t = setTimeout(() => reject(new Error(`${script}: no answer to ${what} in ${timeoutMs} ms: ${stderr.slice(-1500)}`)), timeoutMs);
      const w = (line: string) => {
        clearTimeout(t);
        resolve(line);
      };
      waiters.push(w);
      void exited.then((code) => {
        clearTimeout(t);
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`${script} exited with ${code} before answering ${what}: ${stderr.slice(-1500)}`));
      });
    });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  child.stdin!.on('error', () => undefined); // the child died: reported by nextLine
  child.stdin!.write(`${JSON.stringify(config)}\n`);
  try {
    const ready = JSON.parse(await nextLine(startTimeoutMs, 'start')) as R;
    return {
      pid: child.pid!,
      ready,
      async command<T>(cmd: string, timeoutMs = 30_000) {
        child.stdin!.write(`${cmd}\n`);
        return JSON.parse(await nextLine(timeoutMs, cmd)) as T;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * In a simulator child: its config (the first stdin line), `reply` to print one JSON line, and
 * `serve` to answer each further stdin line with the JSON its handler returns. The child exits
 * when its stdin closes (the parent went away) or on SIGTERM.
 */
export async function simChild<C>(): Promise<{ config: C; reply(o: unknown): void; serve(handlers: Record<string, () => Promise<unknown> | unknown>): void }> {
  const reply = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const rl = createInterface({ input: process.stdin });
  let handlers: Record<string, () => Promise<unknown> | unknown> = {};
  const pending: string[] = [];
  let resolveConfig: (line: string) => void;
  const first = new Promise<string>((r) => (resolveConfig = r));
  let gotConfig = false;
  const handle = (line: string) => {
    const h = handlers[line.trim()];
    if (!h) return reply({ error: `unknown command ${line}` });
    Promise.resolve()
      .then(h)
      .then(reply, (err: Error) => reply({ error: err.message }));
  };
  let serving = false;
  rl.on('line', (line) => {
    if (!gotConfig) {
      gotConfig = true;
      return resolveConfig(line);
    }
    if (serving) handle(line);
    else pending.push(line);
  });
  rl.on('close', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  const config = JSON.parse(await first) as C;
  return {
    config,
    reply,
    serve(h) {
      handlers = h;
      serving = true;
      for (const l of pending.splice(0)) handle(l);
    },
  };
}

// ---------------------------------------------------------------- readings an edge agent buffered

export interface PushReading {
  machine_identifier: string;
  timestamp: string;
  metric_name: string;
  value: number;
  unit: string;
  raw_tag: string;
}

export const pushMachineIdentifier = (m: number) => `AGT-${String(m + 1).padStart(5, '0')}`;

/**
 * Reading `i` of the sequence an agent reading `machines` machines x the ten points would have
 * buffered from `baseMs` on: sweeps of every series 10 s apart, machines in a different order each
 * sweep, irregular milliseconds within the sweep (distinct per series and sweep, so nothing
 * overwrites), values per machine and point.
 */
export function pushReading(i: number, baseMs: number, machines: number): PushReading {
  const perSweep = machines * SIM_POINTS.length;
  const sweep = Math.floor(i / perSweep);
  const p = i % perSweep;
  const m = (Math.floor(p / SIM_POINTS.length) * 7919 + sweep * 131) % machines;
  const k = p % SIM_POINTS.length;
  const point = SIM_POINTS[k]!;
  const ts = baseMs + sweep * 10_000 + ((m * 7919 + k * 104_729 + sweep * 31) % 10_000);
  const [lo, hi] = point.range;
  const span = Math.min(hi - lo, 1000);
  const h = Math.imul(i ^ 0x5bd1e995, 0x27d4eb2d) >>> 0;
  const value = Math.round((lo + span * (0.5 + 0.4 * Math.sin(sweep / 7 + m) + 0.05 * (h / 2 ** 32))) * 1000) / 1000;
  return { machine_identifier: pushMachineIdentifier(m), timestamp: new Date(ts).toISOString(), metric_name: point.metricName, value, unit: point.unit, raw_tag: point.registerType === 'holding' ? `hr${point.address}` : `ir${point.address}` };
}

/** A port free on 127.0.0.1 right now (for servers that cannot listen on port 0 themselves, or restart on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
