import { describe, expect, it } from 'vitest';
import type { ModbusByteOrder, ModbusDataType, ModbusRegister, ModbusRegisterType } from '../../src/connectivity/device-source.js';
import {
  decodeBit,
  decodeRaw,
  decodeRegister,
  MODBUS_MAX_GAP_BITS,
  MODBUS_MAX_GAP_REGISTERS,
  modbusExceptionName,
  planBlocks,
  scaleValue,
  splitBlock,
} from '../../src/connectivity/modbus-decode.js';

/** wire bytes of 16-bit words given in hex, in address order */
const wire = (...words: number[]): Uint8Array => {
  const b = Buffer.alloc(words.length * 2);
  words.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
};

const reg = (over: Partial<ModbusRegister> & { address: number }): ModbusRegister => {
  const dataType: ModbusDataType = over.dataType ?? 'uint16';
  const width = { int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2, float64: 4, bool: 1 }[dataType];
  return {
    count: width,
    registerType: 'holding',
    dataType,
    byteOrder: 'ABCD',
    metricName: `m${over.address}`,
    unit: 'u',
    scale: 1,
    offset: 0,
    ...over,
  };
};

// Known patterns: the value's big-endian bytes are A B C D (E F G H); each row gives the registers
// as a device holding it in that order sends them.
const CASES: { type: Exclude<ModbusDataType, 'bool'>; value: number; words: Record<ModbusByteOrder, number[]> }[] = [
  // float32 123.456 = 0x42F6E979
  {
    type: 'float32',
    value: Math.fround(123.456),
    words: { ABCD: [0x42f6, 0xe979], CDAB: [0xe979, 0x42f6], BADC: [0xf642, 0x79e9], DCBA: [0x79e9, 0xf642] },
  },
  // float32 -0.5 = 0xBF000000
  {
    type: 'float32',
    value: -0.5,
    words: { ABCD: [0xbf00, 0x0000], CDAB: [0x0000, 0xbf00], BADC: [0x00bf, 0x0000], DCBA: [0x0000, 0x00bf] },
  },
  // float64 123.456 = 0x405EDD2F1A9FBE77
  {
    type: 'float64',
    value: 123.456,
    words: {
      ABCD: [0x405e, 0xdd2f, 0x1a9f, 0xbe77],
      CDAB: [0xbe77, 0x1a9f, 0xdd2f, 0x405e],
      BADC: [0x5e40, 0x2fdd, 0x9f1a, 0x77be],
      DCBA: [0x77be, 0x9f1a, 0x2fdd, 0x5e40],
    },
  },
  // float64 -1e300 = 0xFE37E43C8800759C
  {
    type: 'float64',
    value: -1e300,
    words: {
      ABCD: [0xfe37, 0xe43c, 0x8800, 0x759c],
      CDAB: [0x759c, 0x8800, 0xe43c, 0xfe37],
      BADC: [0x37fe, 0x3ce4, 0x0088, 0x9c75],
      DCBA: [0x9c75, 0x0088, 0x3ce4, 0x37fe],
    },
  },
  // int32 -123456789 = 0xF8A432EB
  {
    type: 'int32',
    value: -123456789,
    words: { ABCD: [0xf8a4, 0x32eb], CDAB: [0x32eb, 0xf8a4], BADC: [0xa4f8, 0xeb32], DCBA: [0xeb32, 0xa4f8] },
  },
  // uint32 3000000000 = 0xB2D05E00 (above int32's range)
  {
    type: 'uint32',
    value: 3_000_000_000,
    words: { ABCD: [0xb2d0, 0x5e00], CDAB: [0x5e00, 0xb2d0], BADC: [0xd0b2, 0x005e], DCBA: [0x005e, 0xd0b2] },
  },
  // int16 -12345 = 0xCFC7: one register, so CDAB = ABCD and DCBA = BADC (bytes swapped)
  { type: 'int16', value: -12345, words: { ABCD: [0xcfc7], CDAB: [0xcfc7], BADC: [0xc7cf], DCBA: [0xc7cf] } },
  // uint16 51234 = 0xC822 (would be negative as int16)
  { type: 'uint16', value: 51234, words: { ABCD: [0xc822], CDAB: [0xc822], BADC: [0x22c8], DCBA: [0x22c8] } },
];

describe('decodeRaw: every data type × byte order on known byte patterns', () => {
  for (const c of CASES) {
    for (const order of ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const) {
      it(`${c.type} ${c.value} in ${order}`, () => {
        expect(decodeRaw(wire(...c.words[order]), 0, c.type, order)).toBe(c.value);
      });
    }
  }

  it('reads at an offset inside a block and NaN when the bytes are missing', () => {
    const bytes = wire(0x1111, 0x42f6, 0xe979, 0x2222);
    expect(decodeRaw(bytes, 2, 'float32', 'ABCD')).toBe(Math.fround(123.456));
    expect(decodeRaw(bytes, 6, 'float32', 'ABCD')).toBeNaN();
    expect(decodeRaw(bytes, -2, 'int16', 'ABCD')).toBeNaN();
  });

  it('int16 extremes and sign', () => {
    expect(decodeRaw(wire(0x8000), 0, 'int16', 'ABCD')).toBe(-32768);
    expect(decodeRaw(wire(0x7fff), 0, 'int16', 'ABCD')).toBe(32767);
    expect(decodeRaw(wire(0xffff), 0, 'int16', 'ABCD')).toBe(-1);
    expect(decodeRaw(wire(0xffff), 0, 'uint16', 'ABCD')).toBe(65535);
    expect(decodeRaw(wire(0xffff, 0xffff), 0, 'int32', 'CDAB')).toBe(-1);
    expect(decodeRaw(wire(0xffff, 0xffff), 0, 'uint32', 'DCBA')).toBe(4294967295);
  });

  it('a bool held in a register is 1 for any non-zero word', () => {
    expect(decodeRaw(wire(0), 0, 'bool', 'ABCD')).toBe(0);
    expect(decodeRaw(wire(0x0100), 0, 'bool', 'BADC')).toBe(1);
  });
});

describe('decodeRegister: scale, offset, bits and non-finite values', () => {
  it('applies raw * scale + offset (the spec example: 725 × 0.1 → 72.5)', () => {
    expect(decodeRegister(reg({ address: 100, scale: 0.1 }), wire(725), 100)).toBeCloseTo(72.5, 10);
    expect(decodeRegister(reg({ address: 101, dataType: 'int16', scale: 0.5, offset: -40 }), wire(0, 0xfffc), 100)).toBe(-42);
  });

  it('NaN and infinite floats from the device are bad points (NaN), not readings', () => {
    const f32 = reg({ address: 0, dataType: 'float32' });
    expect(decodeRegister(f32, wire(0x7fc0, 0x0000), 0)).toBeNaN(); // NaN
    expect(decodeRegister(f32, wire(0x7f80, 0x0000), 0)).toBeNaN(); // +Inf
    expect(decodeRegister(f32, wire(0xff80, 0x0000), 0)).toBeNaN(); // -Inf
    const f64 = reg({ address: 0, dataType: 'float64', byteOrder: 'DCBA' });
    expect(decodeRegister(f64, wire(0x0000, 0x0000, 0x0000, 0xf07f), 0)).toBeNaN(); // +Inf little-endian
    // a finite raw value overflowing with its scale is not a reading either
    expect(decodeRegister(reg({ address: 0, dataType: 'float32', scale: 1e308 }), wire(0x7f7f, 0xffff), 0)).toBeNaN();
    expect(scaleValue(2, { scale: 3, offset: 1 })).toBe(7);
    expect(scaleValue(Number.NaN, { scale: 3, offset: 1 })).toBeNaN();
  });

  it('coils and discrete inputs: bits packed least significant first', () => {
    const bytes = Uint8Array.from([0b0000_0101, 0b1000_0000]);
    expect([0, 1, 2, 3, 15].map((i) => decodeBit(bytes, i))).toEqual([1, 0, 1, 0, 1]);
    expect(decodeBit(bytes, 16)).toBeNaN();
    const coil = reg({ address: 17, registerType: 'coil', dataType: 'bool' });
    expect(decodeRegister(coil, bytes, 2)).toBe(1); // bit 15 of a block starting at 2
    expect(decodeRegister({ ...coil, address: 3 }, bytes, 2)).toBe(0);
    expect(decodeRegister({ ...coil, registerType: 'discrete_input', address: 4, scale: 10, offset: 1 }, bytes, 2)).toBe(11);
  });

  it('exception names', () => {
    expect(modbusExceptionName(2)).toBe('IllegalDataAddress');
    expect(modbusExceptionName(1)).toBe('IllegalFunction');
    expect(modbusExceptionName(11)).toBe('GatewayTargetDeviceFailedToRespond');
    expect(modbusExceptionName(99)).toBe('ModbusException99');
  });
});

describe('planBlocks', () => {
  const at = (address: number, registerType: ModbusRegisterType = 'holding', dataType: ModbusDataType = 'uint16') =>
    reg({ address, registerType, dataType: registerType === 'coil' || registerType === 'discrete_input' ? 'bool' : dataType });
  const shape = (regs: ModbusRegister[]) => planBlocks(regs).blocks.map((b) => [b.registerType, b.start, b.count]);

  it('groups by register type and merges adjacent registers into one request', () => {
    const plan = planBlocks([at(102), at(100), at(101, 'holding', 'float32'), at(100, 'input'), at(5, 'coil'), at(6, 'coil'), at(0, 'discrete_input')]);
    expect(plan.blocks.map((b) => [b.point, b.items.map((i) => i.register.address)])).toEqual([
      ['holding:100-102', [100, 101, 102]],
      ['input:100-100', [100]],
      ['coil:5-6', [5, 6]],
      ['discrete_input:0-0', [0]],
    ]);
    expect(plan.blocks[0]!.metricNames).toEqual(['m100', 'm101', 'm102']);
    expect(plan.blocks[0]!.items.map((i) => i.rawTag)).toEqual(['hr100', 'hr101', 'hr102']);
    expect(plan.blocks[0]!.bridged).toBe(false);
    expect(plan.invalid).toEqual([]);
  });

  it('overlapping registers share the request and keep their own decoding', () => {
    const regs = [at(10, 'holding', 'float64'), at(11, 'holding', 'uint16'), at(12, 'holding', 'float32')];
    expect(shape(regs)).toEqual([['holding', 10, 4]]);
    expect(planBlocks(regs).blocks[0]!.items).toHaveLength(3);
  });

  it(`bridges gaps of at most ${MODBUS_MAX_GAP_REGISTERS} registers, not more`, () => {
    expect(shape([at(0), at(1 + MODBUS_MAX_GAP_REGISTERS)])).toEqual([['holding', 0, 2 + MODBUS_MAX_GAP_REGISTERS]]);
    expect(planBlocks([at(0), at(1 + MODBUS_MAX_GAP_REGISTERS)]).blocks[0]!.bridged).toBe(true);
    expect(shape([at(0), at(2 + MODBUS_MAX_GAP_REGISTERS)])).toEqual([
      ['holding', 0, 1],
      ['holding', 2 + MODBUS_MAX_GAP_REGISTERS, 1],
    ]);
    expect(shape([at(0, 'coil'), at(1 + MODBUS_MAX_GAP_BITS, 'coil'), at(200, 'coil')])).toEqual([
      ['coil', 0, 2 + MODBUS_MAX_GAP_BITS],
      ['coil', 200, 1],
    ]);
  });

  it('never exceeds 125 registers per request (the 125 boundary)', () => {
    const full = Array.from({ length: 125 }, (_, i) => at(i));
    expect(shape(full)).toEqual([['holding', 0, 125]]);
    expect(shape([...full, at(125)])).toEqual([
      ['holding', 0, 125],
      ['holding', 125, 1],
    ]);
    // a 2-register value that would straddle the limit starts the next request
    expect(shape([...Array.from({ length: 124 }, (_, i) => at(i)), at(124, 'holding', 'float32')])).toEqual([
      ['holding', 0, 124],
      ['holding', 124, 2],
    ]);
    // a gap is not bridged past the limit
    expect(shape([...Array.from({ length: 120 }, (_, i) => at(i)), at(126)])).toEqual([
      ['holding', 0, 120],
      ['holding', 126, 1],
    ]);
    expect(shape([...Array.from({ length: 120 }, (_, i) => at(i)), at(124)])).toEqual([['holding', 0, 125]]);
    const many = Array.from({ length: 1000 }, (_, i) => at(i * 2, 'input', 'float32'));
    const blocks = planBlocks(many).blocks;
    expect(blocks.every((b) => b.count <= 125)).toBe(true);
    expect(blocks.reduce((n, b) => n + b.items.length, 0)).toBe(1000);
  });

  it('never exceeds 2000 bits per request for coils / discrete inputs', () => {
    const bits = Array.from({ length: 2001 }, (_, i) => at(i, 'discrete_input'));
    expect(shape(bits)).toEqual([
      ['discrete_input', 0, 2000],
      ['discrete_input', 2000, 1],
    ]);
  });

  it('address 65535: a one-register value is read, a wider one past the address space is invalid', () => {
    const plan = planBlocks([at(65535), at(65535, 'input', 'float32'), at(65534, 'input', 'float32'), at(65535, 'coil')]);
    expect(plan.blocks.map((b) => b.point)).toEqual(['holding:65535-65535', 'input:65534-65535', 'coil:65535-65535']);
    expect(plan.invalid.map((i) => `${i.register.registerType}:${i.register.address}:${i.register.dataType}`)).toEqual(['input:65535:float32']);
  });

  it('splitBlock re-plans a bridged block into gap-free blocks', () => {
    const plan = planBlocks([at(0), at(1), at(5, 'holding', 'float32'), at(9)]);
    expect(plan.blocks.map((b) => b.point)).toEqual(['holding:0-9']);
    const parts = splitBlock(plan.blocks[0]!);
    expect(parts.map((b) => [b.point, b.bridged])).toEqual([
      ['holding:0-1', false],
      ['holding:5-6', false],
      ['holding:9-9', false],
    ]);
    expect(parts.flatMap((b) => b.items.map((i) => i.rawTag))).toEqual(['hr0', 'hr1', 'hr5', 'hr9']);
  });

  it('count larger than the data type width widens the read', () => {
    expect(shape([reg({ address: 0, count: 3 })])).toEqual([['holding', 0, 3]]);
    expect(shape([reg({ address: 0, count: 1, dataType: 'float32' })])).toEqual([['holding', 0, 2]]);
  });
});
