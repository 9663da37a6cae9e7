/**
 * Child process of `npm run bench connectivity`, phase modbus. Its config (first stdin line) selects the role:
 *
 *  {role: 'server', first, count}     `count` Modbus TCP devices (modbus-serial ServerTCP, one port
 *                                     each on 127.0.0.1), devices first..first+count-1 of the model in
 *                                     device-sim.ts; prints {ports: [...]}; answers `stats` with the
 *                                     requests served.
 *  {role: 'client', ports, intervalMs} the baseline: a plain modbus-serial client per device (one
 *                                     connection each) reading the same two register blocks at the
 *                                     same interval and decoding the ten values; `start` begins
 *                                     polling, `stop` ends it and answers the counts.
 */
import * as modbus from 'modbus-serial';
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js';

// module.exports of modbus-serial is the client class (its typings describe it as an ES default export)
const { ServerTCP } = modbus;
const ModbusRTU = (modbus as unknown as { default: typeof ModbusClient }).default;
type ModbusRTU = ModbusClient;
import { decodePoint, encodePoint, SIM_BLOCKS, SIM_POINTS, SimDevice, simChild, freePort } from './device-sim.js';

type Config = { role: 'server'; first: number; count: number } | { role: 'client'; ports: number[]; intervalMs: number; timeoutMs?: number };

const { config, reply, serve } = await simChild<Config>();

async function startDevice(index: number, counters: { requests: number }): Promise<{ port: number; close(): Promise<void> }> {
  const device = new SimDevice(index);
  const regs = (type: 'holding' | 'input', addr: number, length: number): number[] => {
    counters.requests++;
    const now = Date.now();
    const out = new Array<number>(length).fill(0);
    for (let k = 0; k < SIM_POINTS.length; k++) {
      const p = SIM_POINTS[k]!;
      if (p.registerType !== type) continue;
      const end = p.address + (p.dataType === 'uint16' || p.dataType === 'int16' ? 1 : 2);
      if (end <= addr || p.address >= addr + length) continue;
      const words = encodePoint(p, device.value(k, now));
      for (let w = 0; w < words.length; w++) {
        const a = p.address + w - addr;
        if (a >= 0 && a < length) out[a] = words[w]!;
      }
    }
    return out;
  };
  const vector = {
    getMultipleHoldingRegisters: (addr: number, length: number) => regs('holding', addr, length),
    getMultipleInputRegisters: (addr: number, length: number) => regs('input', addr, length),
    getHoldingRegister: (addr: number) => regs('holding', addr, 1)[0]!,
    getInputRegister: (addr: number) => regs('input', addr, 1)[0]!,
    getCoil: () => false,
    getDiscreteInput: () => false,
    setRegister: () => undefined,
    setCoil: () => undefined,
  };
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const server = new ServerTCP(vector, { host: '127.0.0.1', port, unitID: 1 });
    const ok = await new Promise<boolean>((resolve) => {
      server.once('initialized', () => resolve(true));
      server.once('serverError', () => resolve(false));
    });
    if (ok) return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
    if (attempt >= 5) throw new Error(`device ${index}: no port to listen on`);
  }
}

if (config.role === 'server') {
  const counters = { requests: 0 };
  const devices = [];
  for (let i = config.first; i < config.first + config.count; i++) devices.push(await startDevice(i, counters));
  reply({ ports: devices.map((d) => d.port) });
  serve({ stats: () => ({ requests: counters.requests }) });
} else {
  const { ports, intervalMs } = config;
  const timeoutMs = config.timeoutMs ?? 3000;
  const clients: ModbusRTU[] = [];
  for (const port of ports) {
    const c = new ModbusRTU();
    await c.connectTCP('127.0.0.1', { port });
    c.setID(1);
    c.setTimeout(timeoutMs);
    clients.push(c);
  }
  let polls = 0;
  let values = 0;
  let errors = 0;
  let late = 0;
  let checksum = 0;
  let outOfRange = 0;
  let running = false;
  const loops: Promise<void>[] = [];
  const pollOnce = async (c: ModbusRTU) => {
    for (const b of SIM_BLOCKS) {
      const r = b.registerType === 'holding' ? await c.readHoldingRegisters(b.start, b.count) : await c.readInputRegisters(b.start, b.count);
      for (const p of SIM_POINTS) {
        if (p.registerType !== b.registerType) continue;
        const v = decodePoint(p, r.data, p.address - b.start);
        // the values go somewhere (as a poller would hand them on), so nothing is optimised away
        checksum += v;
        values++;
        if (v < p.range[0] - 1e-6 || v > p.range[1] + 1e-6) outOfRange++;
      }
    }
    polls++;
  };
  // one loop per device, ticking at the interval from a per-device offset (devices are not in phase)
  const loop = async (c: ModbusRTU, i: number) => {
    const t0 = performance.now() + ((i * 997) % intervalMs);
    for (let n = 0; running; n++) {
      const due = t0 + n * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (-wait > intervalMs) {
        // a whole interval behind: that cycle is missed, skip to the next due tick
        const skip = Math.floor(-wait / intervalMs);
        late += skip;
        n += skip - 1;
        continue;
      }
      if (!running) break;
      try {
        await pollOnce(c);
      } catch {
        errors++;
      }
    }
  };
  serve({
    start: () => {
      running = true;
      clients.forEach((c, i) => loops.push(loop(c, i)));
      return { started: clients.length };
    },
    stop: async () => {
      running = false;
      await Promise.all(loops);
      for (const c of clients) await new Promise<void>((r) => c.close(() => r()));
      return { polls, values, errors, missedCycles: late, outOfRange, checksum: Math.round(checksum) };
    },
  });
  reply({ connected: clients.length });
}
