/**
 * Modbus decoding and read planning, pure (no I/O): used by the Modbus driver for the platform's
 * poller and the edge agent.
 *
 * Decoding: a register's bytes, as they arrive on the wire (each 16-bit register big-endian, the
 * registers in address order), are rearranged into big-endian according to the register's byte
 * order (see MODBUS_BYTE_ORDERS in device-source.ts) and read as the data type; the value is
 * `raw * scale + offset`. A NaN or infinite result (a float the device reports as NaN/Inf, or an
 * overflowing scale) is not a reading: `decodeRegister` returns NaN and the driver reports the
 * register as a bad point.
 *
 * Planning: a source's registers are grouped by register type and merged into read requests of at
 * most 125 registers (FC 03/04) or 2000 bits (FC 01/02). Overlapping and adjacent registers share a
 * request; a gap of at most MODBUS_MAX_GAP_REGISTERS unused registers (MODBUS_MAX_GAP_BITS bits) is
 * bridged, since one round trip costs more than a few spare bytes. A device that refuses a bridged
 * request (Illegal Data Address for an unmapped address in the gap) gets the block split into
 * gap-free blocks (`splitBlock`), which the driver then keeps for that device.
 */
import {
  DEVICE_SOURCE_LIMITS,
  MODBUS_DATA_TYPE_WIDTH,
  type DeviceSource,
  type ModbusByteOrder,
  type ModbusDataType,
  type ModbusRegister,
  type ModbusRegisterType,
  rawTagOf,
} from './device-source.js';

/** Unused registers a read request may span between two configured registers. */
export const MODBUS_MAX_GAP_REGISTERS = 8;
/** Unused coils / discrete inputs a read request may span between two configured ones. */
export const MODBUS_MAX_GAP_BITS = 64;
/** The last protocol address (addresses are 16-bit). */
const ADDRESS_SPACE = DEVICE_SOURCE_LIMITS.maxAddress + 1;

/** Whether a register type holds bits (coils, discrete inputs) rather than 16-bit words. */
export function isBitType(type: ModbusRegisterType): boolean {
  return type === 'coil' || type === 'discrete_input';
}

/** Registers (or bits) one configured register spans on the device. */
export function registerSpan(reg: ModbusRegister): number {
  if (isBitType(reg.registerType)) return Math.max(1, Math.trunc(reg.count) || 1);
  const width = MODBUS_DATA_TYPE_WIDTH[reg.dataType] ?? 1;
  return Math.max(width, Math.trunc(reg.count) || 0);
}

// ---------------------------------------------------------------------------------------------
// Decoding

const scratch = new DataView(new ArrayBuffer(8));

/**
 * Copies `n` (2, 4 or 8) wire bytes from `bytes[at..]` into the scratch view in big-endian order.
 *  ABCD: as is; CDAB: 16-bit words in reverse order; BADC: the two bytes of every word swapped;
 *  DCBA: all bytes reversed (little-endian). For one register CDAB equals ABCD and DCBA equals BADC.
 */
function toBigEndian(bytes: Uint8Array, at: number, n: number, order: ModbusByteOrder): void {
  switch (order) {
    case 'ABCD':
      for (let i = 0; i < n; i++) scratch.setUint8(i, bytes[at + i]!);
      return;
    case 'CDAB':
      for (let w = 0; w < n; w += 2) {
        scratch.setUint8(w, bytes[at + n - 2 - w]!);
        scratch.setUint8(w + 1, bytes[at + n - 1 - w]!);
      }
      return;
    case 'BADC':
      for (let w = 0; w < n; w += 2) {
        scratch.setUint8(w, bytes[at + w + 1]!);
        scratch.setUint8(w + 1, bytes[at + w]!);
      }
      return;
    case 'DCBA':
      for (let i = 0; i < n; i++) scratch.setUint8(i, bytes[at + n - 1 - i]!);
      return;
  }
}

/**
 * The raw (unscaled) value of a data type from wire bytes starting at `at`: NaN when the bytes are
 * missing. Floats may come back NaN/±Infinity as the device sent them.
 */
export function decodeRaw(bytes: Uint8Array, at: number, dataType: ModbusDataType, order: ModbusByteOrder): number {
  const n = (MODBUS_DATA_TYPE_WIDTH[dataType] ?? 1) * 2;
  if (at < 0 || at + n > bytes.length) return Number.NaN;
  toBigEndian(bytes, at, n, order);
  switch (dataType) {
    case 'int16':
      return scratch.getInt16(0);
    case 'uint16':
      return scratch.getUint16(0);
    case 'int32':
      return scratch.getInt32(0);
    case 'uint32':
      return scratch.getUint32(0);
    case 'float32':
      return scratch.getFloat32(0);
    case 'float64':
      return scratch.getFloat64(0);
    case 'bool':
      // a "bool" held in a 16-bit register: any non-zero word is true
      return scratch.getUint16(0) === 0 ? 0 : 1;
  }
}

/** Bit `index` of a FC 01/02 answer (bits packed least significant first). */
export function decodeBit(bytes: Uint8Array, index: number): number {
  const byte = bytes[index >> 3];
  if (byte === undefined || index < 0) return Number.NaN;
  return (byte >> (index & 7)) & 1;
}

/** `raw * scale + offset`, NaN when the result is not a finite number (a bad point, not a reading). */
export function scaleValue(raw: number, reg: Pick<ModbusRegister, 'scale' | 'offset'>): number {
  const v = raw * reg.scale + reg.offset;
  return Number.isFinite(v) ? v : Number.NaN;
}

/**
 * A configured register's value from a read block's data (`bytes`: the answer's data bytes,
 * `blockStart`: the block's first address): scaled, or NaN when it is not a usable number.
 */
export function decodeRegister(reg: ModbusRegister, bytes: Uint8Array, blockStart: number): number {
  const rel = reg.address - blockStart;
  const raw = isBitType(reg.registerType)
    ? decodeBit(bytes, rel)
    : decodeRaw(bytes, rel * 2, reg.dataType, reg.byteOrder);
  if (Number.isNaN(raw)) return Number.NaN;
  return scaleValue(raw, reg);
}

// ---------------------------------------------------------------------------------------------
// Modbus exception responses

const EXCEPTION_NAMES: Record<number, string> = {
  1: 'IllegalFunction',
  2: 'IllegalDataAddress',
  3: 'IllegalDataValue',
  4: 'ServerDeviceFailure',
  5: 'Acknowledge',
  6: 'ServerDeviceBusy',
  7: 'NegativeAcknowledge',
  8: 'MemoryParityError',
  10: 'GatewayPathUnavailable',
  11: 'GatewayTargetDeviceFailedToRespond',
};

/** The name of a Modbus exception code (the point status reported for a refused block). */
export function modbusExceptionName(code: number): string {
  return EXCEPTION_NAMES[code] ?? `ModbusException${code}`;
}

/** Exception codes by which a gateway says the device behind it did not answer. */
export function isGatewayException(code: number): boolean {
  return code === 10 || code === 11;
}

// ---------------------------------------------------------------------------------------------
// Planning

export interface PlannedRegister {
  register: ModbusRegister;
  /** the reading's raw_tag (rawTagOf) */
  rawTag: string;
}

/** One read request: `count` registers (or bits) of one type from `start`. */
export interface ReadBlock {
  registerType: ModbusRegisterType;
  start: number;
  count: number;
  /** the configured registers it serves, in address order */
  items: PlannedRegister[];
  /** `holding:100-109`: how the block is named in point statuses */
  point: string;
  metricNames: string[];
  /** true when the block spans addresses no configured register uses (a bridged gap) */
  bridged: boolean;
}

export interface ReadPlan {
  blocks: ReadBlock[];
  /** registers that cannot be read at all (they run past address 65535), reported bad every cycle */
  invalid: PlannedRegister[];
}

export interface PlanOptions {
  /** bridged gap bound in registers (default MODBUS_MAX_GAP_REGISTERS) */
  maxGapRegisters?: number;
  /** bridged gap bound in bits (default MODBUS_MAX_GAP_BITS) */
  maxGapBits?: number;
  /** request size bound in registers (default and maximum 125) */
  maxRegistersPerRequest?: number;
  /** request size bound in bits (default and maximum 2000) */
  maxBitsPerRequest?: number;
}

/** rawTagOf only needs the register for Modbus */
const TAG_SOURCE: DeviceSource = { id: '', name: '', protocol: 'modbus', pollIntervalMs: 0 };

const TYPE_ORDER: readonly ModbusRegisterType[] = ['holding', 'input', 'coil', 'discrete_input'];

export function blockPoint(type: ModbusRegisterType, start: number, count: number): string {
  return `${type}:${start}-${start + count - 1}`;
}

function makeBlock(type: ModbusRegisterType, start: number, end: number, items: PlannedRegister[]): ReadBlock {
  const count = end - start;
  let covered = 0;
  let cursor = start;
  for (const it of items) {
    const a = it.register.address;
    const e = a + registerSpan(it.register);
    if (e > cursor) {
      covered += e - Math.max(a, cursor);
      cursor = e;
    }
  }
  const metricNames: string[] = [];
  for (const it of items) if (!metricNames.includes(it.register.metricName)) metricNames.push(it.register.metricName);
  return { registerType: type, start, count, items, point: blockPoint(type, start, count), metricNames, bridged: covered < count };
}

/**
 * Groups registers by type and merges them into read requests (see the file comment). Blocks come
 * out ordered by type (holding, input, coil, discrete_input) then address; every block stays within
 * the protocol's request limit and the 16-bit address space.
 */
export function planBlocks(registers: readonly ModbusRegister[], opts: PlanOptions = {}): ReadPlan {
  const maxRegs = Math.min(opts.maxRegistersPerRequest ?? DEVICE_SOURCE_LIMITS.maxRegistersPerRequest, DEVICE_SOURCE_LIMITS.maxRegistersPerRequest);
  const maxBits = Math.min(opts.maxBitsPerRequest ?? DEVICE_SOURCE_LIMITS.maxBitsPerRequest, DEVICE_SOURCE_LIMITS.maxBitsPerRequest);
  const gapRegs = Math.max(0, opts.maxGapRegisters ?? MODBUS_MAX_GAP_REGISTERS);
  const gapBits = Math.max(0, opts.maxGapBits ?? MODBUS_MAX_GAP_BITS);

  const blocks: ReadBlock[] = [];
  const invalid: PlannedRegister[] = [];
  const byType = new Map<ModbusRegisterType, PlannedRegister[]>();
  for (const register of registers) {
    const item: PlannedRegister = { register, rawTag: rawTagOf(TAG_SOURCE, register) };
    const span = registerSpan(register);
    const limit = isBitType(register.registerType) ? maxBits : maxRegs;
    if (!Number.isInteger(register.address) || register.address < 0 || register.address + span > ADDRESS_SPACE || span > limit) {
      invalid.push(item);
      continue;
    }
    let list = byType.get(register.registerType);
    if (!list) byType.set(register.registerType, (list = []));
    list.push(item);
  }

  for (const type of TYPE_ORDER) {
    const list = byType.get(type);
    if (!list) continue;
    list.sort((a, b) => a.register.address - b.register.address || registerSpan(b.register) - registerSpan(a.register));
    const limit = isBitType(type) ? maxBits : maxRegs;
    const gap = isBitType(type) ? gapBits : gapRegs;
    let start = -1;
    let end = -1;
    let items: PlannedRegister[] = [];
    for (const it of list) {
      const a = it.register.address;
      const e = a + registerSpan(it.register);
      if (start >= 0 && a <= end + gap && Math.max(end, e) - start <= limit) {
        items.push(it);
        if (e > end) end = e;
        continue;
      }
      if (start >= 0) blocks.push(makeBlock(type, start, end, items));
      start = a;
      end = e;
      items = [it];
    }
    if (start >= 0) blocks.push(makeBlock(type, start, end, items));
  }
  return { blocks, invalid };
}

/** A bridged block re-planned without bridging: the blocks covering only configured addresses. */
export function splitBlock(block: ReadBlock): ReadBlock[] {
  return planBlocks(
    block.items.map((i) => i.register),
    { maxGapRegisters: 0, maxGapBits: 0 },
  ).blocks;
}
