import ExcelJS from 'exceljs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import {
  IMPORT_MAX_BYTES,
  CSV_MAX_FIELDS_PER_LINE,
  IMPORT_MAX_ROWS,
  ImportFileError,
  machineFieldError,
  normalizeMachineProtocol,
  parseMachineImport,
  type ImportFileErrorKind,
} from '../../src/machines/machine-import.parser.js';
import { sharedRow, sharedStringsXml, tallXlsx, xlsxFromXml } from '../helpers/xlsx.js';

const HEADER = 'name,machine_identifier,protocol,location';

function csv(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

type CellInput = ExcelJS.CellValue;

/** An XLSX whose first worksheet holds `rows` from row 1 (null rows stay empty). */
async function xlsx(rows: (CellInput[] | null)[], extra?: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Machines');
  rows.forEach((cells, i) => {
    if (cells) ws.getRow(i + 1).values = cells;
  });
  extra?.(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function fileError(filename: string, content: Buffer): Promise<ImportFileError> {
  try {
    await parseMachineImport({ filename, content });
  } catch (err) {
    if (err instanceof ImportFileError) return err;
    throw err;
  }
  throw new Error('expected an ImportFileError');
}

async function expectFileError(filename: string, content: Buffer, kind: ImportFileErrorKind, message: string | RegExp) {
  const err = await fileError(filename, content);
  expect(err.kind).toBe(kind);
  if (typeof message === 'string') expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
}

function dataRows(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `Machine ${i + 1},M-${String(i + 1).padStart(4, '0')},json,`);
}

describe('parseMachineImport: CSV', () => {
  it('parses a clean CSV into rows numbered from 2', async () => {
    const out = await parseMachineImport({
      filename: 'machines.csv',
      content: csv(HEADER, 'CNC Mill 1,CNC-001,opc_ua,Hall A', 'Pump A3,PUMP-A3,modbus_tcp,', 'Press,PRESS_7,csv,Line 2'),
    });
    expect(out).toEqual({
      rows: [
        { row: 2, name: 'CNC Mill 1', machineIdentifier: 'CNC-001', protocol: 'opc_ua', location: 'Hall A' },
        { row: 3, name: 'Pump A3', machineIdentifier: 'PUMP-A3', protocol: 'modbus_tcp', location: null },
        { row: 4, name: 'Press', machineIdentifier: 'PRESS_7', protocol: 'csv', location: 'Line 2' },
      ],
      errors: [],
      duplicates: [],
    });
  });

  it('accepts an uppercase extension and a file without the optional location column', async () => {
    const out = await parseMachineImport({ filename: 'EXPORT.CSV', content: csv('name,machine_identifier,protocol', 'A,A-1,json') });
    expect(out.rows).toEqual([{ row: 2, name: 'A', machineIdentifier: 'A-1', protocol: 'json', location: null }]);
  });

  it('sniffs a semicolon delimiter and handles a BOM and CRLF line ends', async () => {
    const content = Buffer.from('\uFEFFname;machine_identifier;protocol;location\r\nLathe, big;LATHE-1;json;Hall B, bay 3\r\nDrill;DRILL-2;opcua;\r\n', 'utf8');
    const out = await parseMachineImport({ filename: 'm.csv', content });
    expect(out.errors).toEqual([]);
    expect(out.rows).toEqual([
      { row: 2, name: 'Lathe, big', machineIdentifier: 'LATHE-1', protocol: 'json', location: 'Hall B, bay 3' },
      { row: 3, name: 'Drill', machineIdentifier: 'DRILL-2', protocol: 'opc_ua', location: null },
    ]);
  });

  it('honours RFC 4180 quoting: commas, escaped quotes and line breaks inside quotes', async () => {
    const content = csv(
      HEADER,
      '"Press, hydraulic ""XL""",PRESS-1,json,"Hall A, bay 2"',
      '"Robot",ROBOT-1,json,"Building B',
      'Line 1"',
      'Oven,OVEN-1,csv,',
    );
    const out = await parseMachineImport({ filename: 'q.csv', content });
    expect(out.rows).toEqual([
      { row: 2, name: 'Press, hydraulic "XL"', machineIdentifier: 'PRESS-1', protocol: 'json', location: 'Hall A, bay 2' },
      // The quoted line break makes record 3 span two physical lines; it is still spreadsheet row 3.
      { row: 4, name: 'Oven', machineIdentifier: 'OVEN-1', protocol: 'csv', location: null },
    ]);
    // A line break is a control character, which no field may contain.
    expect(out.errors).toEqual([{ row: 3, error: 'Invalid location: must not contain control characters' }]);
  });

  it('matches header names case-insensitively and trimmed, in any order, ignoring unknown columns', async () => {
    const content = csv(' Protocol ,Notes, NAME ,Machine_Identifier,LOCATION', 'JSON,ignore me,Grinder,GR-1,Shop 4');
    const out = await parseMachineImport({ filename: 'h.csv', content });
    expect(out.rows).toEqual([{ row: 2, name: 'Grinder', machineIdentifier: 'GR-1', protocol: 'json', location: 'Shop 4' }]);
  });

  it('rejects a file that lacks required columns, naming them', async () => {
    await expectFileError('m.csv', csv('name,location', 'A,B'), 'missing_columns', 'Missing required columns: machine_identifier, protocol');
    await expectFileError('m.csv', csv('Name,Machine Identifier,protocol', 'A,B,json'), 'missing_columns', 'Missing required column: machine_identifier');
  });

  it('reports invalid rows with their spreadsheet row numbers and keeps the valid ones', async () => {
    const content = csv(
      HEADER,
      'Good 1,G-1,OPC_UA , ', // row 2: protocol normalised, blank location -> null
      'Bad protocol,BP-1,mqtt,', // row 3
      '', // row 4: blank, ignored but counted in the numbering
      'Bad id,CNC 003,json,', // row 5
      `${'n'.repeat(201)},LONG-1,json,`, // row 6
      ',NONAME-1,json,', // row 7
      'No id,,json,', // row 8
      'No protocol,NP-1,,', // row 9
      ',,,', // row 10: blank
      `${'n'.repeat(200)},EXACT-200,Modbus,`, // row 11: 200 characters is allowed; alias modbus
      'Tab\tname,TAB-1,json,', // row 12
      `Far away,FAR-1,json,${'x'.repeat(501)}`, // row 13
    );
    const out = await parseMachineImport({ filename: 'bad.csv', content });
    expect(out.rows).toEqual([
      { row: 2, name: 'Good 1', machineIdentifier: 'G-1', protocol: 'opc_ua', location: null },
      { row: 11, name: 'n'.repeat(200), machineIdentifier: 'EXACT-200', protocol: 'modbus_tcp', location: null },
    ]);
    expect(out.errors).toEqual([
      { row: 3, error: 'Invalid protocol: mqtt (expected opc_ua, modbus_tcp, csv, json)' },
      { row: 5, error: 'Invalid machine_identifier: CNC 003 (only letters, digits and - _ . : / # are allowed, no spaces)' },
      { row: 6, error: 'Invalid name: must be at most 200 characters' },
      { row: 7, error: 'Missing name' },
      { row: 8, error: 'Missing machine_identifier' },
      { row: 9, error: 'Missing protocol' },
      { row: 12, error: 'Invalid name: must not contain control characters' },
      { row: 13, error: 'Invalid location: must be at most 500 characters' },
    ]);
    expect(out.duplicates).toEqual([]);
  });

  it('keeps the first occurrence of an identifier and reports later ones as duplicates (exact, case-sensitive)', async () => {
    const content = csv(
      HEADER,
      'First,CNC-003,json,', // row 2: kept
      'Other,CNC-004,json,', // row 3: kept
      'Second,CNC-003,csv,', // row 4: duplicate
      'Lower case,cnc-003,json,', // row 5: different identifier (case-sensitive), kept
      'Padded, CNC-003 ,json,', // row 6: same after trim -> duplicate
      'Invalid,CNC-005,nope,', // row 7: invalid, does not claim CNC-005
      'Valid,CNC-005,json,', // row 8: kept
    );
    const out = await parseMachineImport({ filename: 'd.csv', content });
    expect(out.rows.map((r) => [r.row, r.machineIdentifier, r.name])).toEqual([
      [2, 'CNC-003', 'First'],
      [3, 'CNC-004', 'Other'],
      [5, 'cnc-003', 'Lower case'],
      [8, 'CNC-005', 'Valid'],
    ]);
    expect(out.duplicates).toEqual([
      { row: 4, error: 'Duplicate machine_identifier: CNC-003' },
      { row: 6, error: 'Duplicate machine_identifier: CNC-003' },
    ]);
    expect(out.errors).toEqual([{ row: 7, error: 'Invalid protocol: nope (expected opc_ua, modbus_tcp, csv, json)' }]);
  });

  it(`accepts exactly ${IMPORT_MAX_ROWS} data rows, blank rows not counted`, async () => {
    const lines = dataRows(IMPORT_MAX_ROWS);
    lines.splice(10, 0, '', ' , , ,');
    const out = await parseMachineImport({ filename: 'max.csv', content: csv(HEADER, ...lines) });
    expect(out.rows).toHaveLength(500);
    expect(out.errors).toEqual([]);
    expect(out.rows[0]).toEqual({ row: 2, name: 'Machine 1', machineIdentifier: 'M-0001', protocol: 'json', location: null });
    expect(out.rows[10]).toEqual({ row: 14, name: 'Machine 11', machineIdentifier: 'M-0011', protocol: 'json', location: null });
    expect(out.rows[499]!.row).toBe(503);
  });

  it(`rejects ${IMPORT_MAX_ROWS + 1} data rows as too_many_rows`, async () => {
    await expectFileError('big.csv', csv(HEADER, ...dataRows(IMPORT_MAX_ROWS + 1)), 'too_many_rows', 'File has more than 500 data rows');
  });

  it('rejects an empty file, a whitespace-only file and a header-only file as empty', async () => {
    await expectFileError('e.csv', Buffer.alloc(0), 'empty', 'File is empty');
    await expectFileError('e.csv', Buffer.from('\uFEFF \r\n\n', 'utf8'), 'empty', 'File is empty');
    await expectFileError('h.csv', csv(HEADER), 'empty', 'File contains no data rows');
    await expectFileError('h.csv', csv(HEADER, '', ',,,'), 'empty', 'File contains no data rows');
  });

  it('rejects content over the byte limit as too_large', async () => {
    await expectFileError('big.csv', Buffer.alloc(IMPORT_MAX_BYTES + 1, 0x41), 'too_large', 'File is larger than 5 MB');
  });

  it('rejects binary content renamed to .csv as unreadable', async () => {
    // Deterministic "random" bytes that include NUL.
    const noise = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 73 + 11) % 256));
    expect(noise.includes(0)).toBe(true);
    await expectFileError('noise.csv', noise, 'unreadable', 'File is not a valid CSV file');

    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    await expectFileError('image.csv', png, 'unreadable', 'File is not a valid CSV file');

    // UTF-16 text is valid UTF-8 byte-wise but full of NUL bytes.
    await expectFileError('utf16.csv', Buffer.from(`${HEADER}\nA,A-1,json,\n`, 'utf16le'), 'unreadable', 'File is not a valid CSV file');

    // Latin-1 text without NUL bytes is still not UTF-8.
    await expectFileError('latin1.csv', Buffer.from(`${HEADER}\nM\xfcller,M-1,json,\n`, 'latin1'), 'unreadable', 'File is not a valid CSV file');
  });

  it('rejects malformed CSV as unreadable with the parser line information', async () => {
    await expectFileError('q.csv', csv(HEADER, 'A,A-1,json,"Hall A'), 'unreadable', /^File is not a valid CSV file: Quote Not Closed.*at line 2/);
    await expectFileError('q.csv', csv(HEADER, 'A,A-1,json,ok', 'B,B"-1,json,'), 'unreadable', /^File is not a valid CSV file: Invalid Opening Quote.*at line 3/);
  });

  it(`refuses a line of more than ${CSV_MAX_FIELDS_PER_LINE} fields before building it, in bounded memory`, async () => {
    // 2.5 million empty header fields within the 5 MB limit: csv-parse would build the whole record first
    const wide = Buffer.concat([Buffer.from(HEADER), Buffer.alloc(2_500_000, 0x2c), Buffer.from('\nA,A-1,json,\n')]);
    expect(wide.length).toBeLessThanOrEqual(IMPORT_MAX_BYTES);
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    await expectFileError('wide.csv', wide, 'unreadable', `File is not a valid CSV file: a line holds more than ${CSV_MAX_FIELDS_PER_LINE} fields`);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1_048_576);
    // a data row as wide is refused the same way; a row of many quoted commas within the bound is fine
    await expectFileError('wide-row.csv', csv(HEADER, `A,A-1,json,${','.repeat(CSV_MAX_FIELDS_PER_LINE)}`), 'unreadable', /a line holds more than/);
    const quoted = await parseMachineImport({ filename: 'ok.csv', content: csv(HEADER, `A,A-1,json,"${','.repeat(400)}"`) });
    expect(quoted.rows).toHaveLength(1);
  });

  it('keeps formula-looking values as plain text, exactly as given', async () => {
    const content = csv(
      HEADER,
      `"=cmd|' /C calc'!A0",F-1,json,+1+1`,
      '@SUM(A1),F-2,json,-2+3',
      '-2+3,-2,csv,"=HYPERLINK(""http://x"")"',
    );
    const out = await parseMachineImport({ filename: 'f.csv', content });
    expect(out.errors).toEqual([]);
    expect(out.rows).toEqual([
      { row: 2, name: "=cmd|' /C calc'!A0", machineIdentifier: 'F-1', protocol: 'json', location: '+1+1' },
      { row: 3, name: '@SUM(A1)', machineIdentifier: 'F-2', protocol: 'json', location: '-2+3' },
      { row: 4, name: '-2+3', machineIdentifier: '-2', protocol: 'csv', location: '=HYPERLINK("http://x")' },
    ]);
  });
});

describe('parseMachineImport: XLSX', () => {
  it('parses a clean XLSX generated with exceljs', async () => {
    const content = await xlsx([
      ['name', 'machine_identifier', 'protocol', 'location'],
      ['CNC Mill 1', 'CNC-001', 'opc_ua', 'Hall A'],
      ['Pump A3', 'PUMP-A3', 'MODBUS_TCP', null],
      ['Press', 'PRESS_7', 'csv', 'Line 2'],
    ]);
    const out = await parseMachineImport({ filename: 'machines.xlsx', content });
    expect(out).toEqual({
      rows: [
        { row: 2, name: 'CNC Mill 1', machineIdentifier: 'CNC-001', protocol: 'opc_ua', location: 'Hall A' },
        { row: 3, name: 'Pump A3', machineIdentifier: 'PUMP-A3', protocol: 'modbus_tcp', location: null },
        { row: 4, name: 'Press', machineIdentifier: 'PRESS_7', protocol: 'csv', location: 'Line 2' },
      ],
      errors: [],
      duplicates: [],
    });
  });

  it('reads only the first worksheet, matches headers case-insensitively and numbers rows as the sheet does', async () => {
    const content = await xlsx(
      [[' NAME', 'Machine_Identifier ', 'Protocol', 'Extra'], null, ['Saw', 'SAW-1', 'json', 'x'], null, ['Saw 2', 'SAW-1', 'json'], ['Bad', 'B 1', 'json']],
      (wb) => wb.addWorksheet('Other').addRow(['name', 'machine_identifier', 'protocol']).commit(),
    );
    const out = await parseMachineImport({ filename: 'm.XLSX', content });
    expect(out.rows).toEqual([{ row: 3, name: 'Saw', machineIdentifier: 'SAW-1', protocol: 'json', location: null }]);
    expect(out.duplicates).toEqual([{ row: 5, error: 'Duplicate machine_identifier: SAW-1' }]);
    expect(out.errors).toEqual([{ row: 6, error: 'Invalid machine_identifier: B 1 (only letters, digits and - _ . : / # are allowed, no spaces)' }]);
  });

  it('turns a real formula cell into "=" + its formula text, never its cached result', async () => {
    const content = await xlsx([
      ['name', 'machine_identifier', 'protocol', 'location'],
      [{ formula: 'CONCATENATE("Mill ","1")', result: 'Mill 1' }, 'MILL-1', 'json', { formula: 'A1&"x"', result: 'namex' }],
    ]);
    const out = await parseMachineImport({ filename: 'f.xlsx', content });
    expect(out.errors).toEqual([]);
    expect(out.rows).toEqual([{ row: 2, name: '=CONCATENATE("Mill ","1")', machineIdentifier: 'MILL-1', protocol: 'json', location: '=A1&"x"' }]);
  });

  it('turns a shared formula cell into its own translated formula text', async () => {
    const content = await xlsx(
      [
        ['name', 'machine_identifier', 'protocol', 'source'],
        [{ formula: 'LOWER(D2)', result: 'press a' }, 'P-1', 'json', 'PRESS A'],
        [null, 'P-2', 'json', 'PRESS B'],
      ],
      (wb) => {
        wb.getWorksheet('Machines')!.getCell('A3').value = { sharedFormula: 'A2', result: 'press b' };
      },
    );
    const out = await parseMachineImport({ filename: 's.xlsx', content });
    expect(out.errors).toEqual([]);
    expect(out.rows.map((r) => [r.row, r.name])).toEqual([
      [2, '=LOWER(D2)'],
      [3, '=LOWER(D3)'],
    ]);
  });

  it('keeps formula-looking string cells as plain text', async () => {
    const content = await xlsx([
      ['name', 'machine_identifier', 'protocol', 'location'],
      ["=cmd|' /C calc'!A0", 'F-1', 'json', '@SUM(A1)'],
    ]);
    const out = await parseMachineImport({ filename: 'f.xlsx', content });
    expect(out.rows).toEqual([{ row: 2, name: "=cmd|' /C calc'!A0", machineIdentifier: 'F-1', protocol: 'json', location: '@SUM(A1)' }]);
  });

  it('turns numbers, rich text, hyperlinks and dates into text', async () => {
    const content = await xlsx([
      ['name', 'machine_identifier', 'protocol', 'location'],
      [{ richText: [{ text: 'Big ', font: { bold: true } }, { text: 'Press' }] }, 1001, 'json', new Date(Date.UTC(2024, 0, 2, 3, 4, 5))],
      [{ text: 'Linked', hyperlink: 'https://example.com' }, 12.5, 'csv', 42],
    ]);
    const out = await parseMachineImport({ filename: 't.xlsx', content });
    expect(out.errors).toEqual([]);
    expect(out.rows).toEqual([
      { row: 2, name: 'Big Press', machineIdentifier: '1001', protocol: 'json', location: '2024-01-02T03:04:05.000Z' },
      { row: 3, name: 'Linked', machineIdentifier: '12.5', protocol: 'csv', location: '42' },
    ]);
  });

  it(`accepts ${IMPORT_MAX_ROWS} rows and rejects ${IMPORT_MAX_ROWS + 1} as too_many_rows`, async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => [`M ${i}`, `M-${i}`, 'json']);
    const ok = await parseMachineImport({ filename: 'ok.xlsx', content: await xlsx([['name', 'machine_identifier', 'protocol'], ...rows(IMPORT_MAX_ROWS)]) });
    expect(ok.rows).toHaveLength(500);
    expect(ok.rows[499]).toEqual({ row: 501, name: 'M 499', machineIdentifier: 'M-499', protocol: 'json', location: null });
    await expectFileError('big.xlsx', await xlsx([['name', 'machine_identifier', 'protocol'], ...rows(IMPORT_MAX_ROWS + 1)]), 'too_many_rows', 'File has more than 500 data rows');
  });

  it('stops scanning a worksheet after 10000 rows that hold values, even whitespace-only ones', async () => {
    const filler = Array.from({ length: 10_000 }, () => [' ']);
    const content = await xlsx([['name', 'machine_identifier', 'protocol'], ['A', 'A-1', 'json'], ...filler]);
    await expectFileError('tall.xlsx', content, 'too_many_rows', 'Worksheet has more than 10000 rows');
    const fits = await xlsx([['name', 'machine_identifier', 'protocol'], ['A', 'A-1', 'json'], ...filler.slice(2)]);
    expect((await parseMachineImport({ filename: 'fits.xlsx', content: fits })).rows).toEqual([
      { row: 2, name: 'A', machineIdentifier: 'A-1', protocol: 'json', location: null },
    ]);
  });

  it('rejects an XLSX with a header but no data, and an empty .xlsx, as empty', async () => {
    await expectFileError('h.xlsx', await xlsx([['name', 'machine_identifier', 'protocol']]), 'empty', 'File contains no data rows');
    await expectFileError('blank.xlsx', await xlsx([]), 'empty', 'File is empty');
    await expectFileError('zero.xlsx', Buffer.alloc(0), 'empty', 'File is empty');
  });

  it('rejects missing columns in an XLSX', async () => {
    await expectFileError('m.xlsx', await xlsx([['name', 'protocol'], ['A', 'json']]), 'missing_columns', 'Missing required column: machine_identifier');
  });

  it('rejects a CSV renamed to .xlsx and a broken ZIP as unreadable', async () => {
    await expectFileError('fake.xlsx', csv(HEADER, 'A,A-1,json,'), 'unreadable', 'File is not a valid XLSX file');
    const brokenZip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200, 0x41)]);
    await expectFileError('broken.xlsx', brokenZip, 'unreadable', 'File is not a valid XLSX file');
    // Intact ZIP directory, corrupted entry data: exceljs fails to load it.
    const corrupted = await xlsx([['name', 'machine_identifier', 'protocol'], ['A', 'A-1', 'json']]);
    const eocd = corrupted.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    corrupted.fill(0x41, 30, corrupted.readUInt32LE(eocd + 16) - 30);
    await expectFileError('corrupted.xlsx', corrupted, 'unreadable', 'File is not a valid XLSX file');
  });

  it('refuses an archive whose entries claim to inflate past the zip-bomb limit', async () => {
    const content = await xlsx([['name', 'machine_identifier', 'protocol'], ['A', 'A-1', 'json']]);
    const eocd = content.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const firstEntry = content.readUInt32LE(eocd + 16);
    expect(content.readUInt32LE(firstEntry)).toBe(0x02014b50);
    content.writeUInt32LE(0x7fffffff, firstEntry + 24); // declared uncompressed size: 2 GiB
    await expectFileError('bomb.xlsx', content, 'too_large', 'File expands to more than 50 MB when unzipped');
  });
});

describe('parseMachineImport: XLSX read as a stream (issue 8)', () => {
  const HEAD = sharedRow(1, [0, 1, 2]);
  const BASE_STRINGS = ['name', 'machine_identifier', 'protocol', 'json'];

  it('stops after the header and 501 data rows: a 600,000-row sheet is refused in milliseconds without blocking the loop', async () => {
    const content = tallXlsx(600_000);
    await expectFileError('warm.xlsx', content, 'too_many_rows', 'File has more than 500 data rows');
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    await expectFileError('tall.xlsx', content, 'too_many_rows', 'File has more than 500 data rows');
    const ms = performance.now() - started;
    delay.disable();
    expect(ms).toBeLessThan(250);
    expect(delay.max / 1e6).toBeLessThan(100);
  });

  it('a 5 MB CSV of 100,000 rows is refused after row 501 without holding the event loop', async () => {
    const lines = [HEADER, ...dataRows(100_000)].join('\n');
    const content = Buffer.from(lines).subarray(0, IMPORT_MAX_BYTES);
    await expectFileError('warm.csv', content, 'too_many_rows', 'File has more than 500 data rows');
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    await expectFileError('big.csv', content, 'too_many_rows', 'File has more than 500 data rows');
    const ms = performance.now() - started;
    delay.disable();
    expect(ms).toBeLessThan(250);
    expect(delay.max / 1e6).toBeLessThan(100);
  });

  it('counts whitespace-only shared strings as blank rows, without reading the table further than the rows need', async () => {
    // 600 rows, every second one a single space: 300 non-blank data rows fit the limit
    const strings = [...BASE_STRINGS, ' '];
    const rows = [HEAD];
    for (let r = 2; r <= 601; r++) {
      if (r % 2) rows.push(sharedRow(r, [4]));
      else {
        strings.push(`M ${r}`, `M-${r}`);
        rows.push(sharedRow(r, [strings.length - 2, strings.length - 1, 3]));
      }
    }
    const out = await parseMachineImport({ filename: 'half.xlsx', content: xlsxFromXml(rows.join(''), sharedStringsXml(strings)) });
    expect(out.errors).toEqual([]);
    expect(out.rows).toHaveLength(300);
    expect(out.rows[0]).toEqual({ row: 2, name: 'M 2', machineIdentifier: 'M-2', protocol: 'json', location: null });
  });

  it('a huge shared-strings table (a zip bomb within the limits) is read only as far as the first rows reference it', async () => {
    const filler = Buffer.from('<si><t>x</t></si>'.repeat(2_700_000)); // ~46 MB inflated, ~90 KB zipped
    const table = Buffer.concat([sharedStringsXml(BASE_STRINGS).subarray(0, -'</sst>'.length), filler, Buffer.from('</sst>')]);
    const content = xlsxFromXml(HEAD + `<row r="2"><c t="inlineStr"><is><t>Mill</t></is></c><c t="inlineStr"><is><t>MILL-1</t></is></c><c t="s"><v>3</v></c></row>`, table);
    expect(content.length).toBeLessThan(1024 * 1024);
    const started = performance.now();
    const out = await parseMachineImport({ filename: 'bomb.xlsx', content });
    expect(performance.now() - started).toBeLessThan(500);
    expect(out.rows).toEqual([{ row: 2, name: 'Mill', machineIdentifier: 'MILL-1', protocol: 'json', location: null }]);
  });

  it('an entry that inflates past the size its header declares is refused as unreadable', async () => {
    const strings = sharedStringsXml([...BASE_STRINGS, 'A', 'A-1']);
    const lying = xlsxFromXml(HEAD + sharedRow(2, [4, 5, 3]), strings, { sharedStringsDeclaredSize: 40 });
    await expectFileError('lying.xlsx', lying, 'unreadable', 'File is not a valid XLSX file');
  });

  it('reads a sheet whose cells are referenced out of order against the shared-strings table', async () => {
    // row 2 uses the last strings first: the lazy reader passes indices before a row asks for them
    const strings = [...BASE_STRINGS, 'late name', 'LATE-1', 'early name', 'EARLY-1'];
    const content = xlsxFromXml(HEAD + sharedRow(2, [6, 7, 3]) + sharedRow(3, [4, 5, 3]), sharedStringsXml(strings));
    const out = await parseMachineImport({ filename: 'order.xlsx', content });
    expect(out.rows.map((r) => [r.name, r.machineIdentifier])).toEqual([
      ['early name', 'EARLY-1'],
      ['late name', 'LATE-1'],
    ]);
  });

  it('keeps only the first 256 columns and text split across chunks intact', async () => {
    const long = 'Ä'.repeat(100_000); // multi-byte characters across many inflated chunks
    const content = xlsxFromXml(
      `<row r="1"><c t="inlineStr"><is><t>name</t></is></c><c t="inlineStr"><is><t>machine_identifier</t></is></c><c t="inlineStr"><is><t>protocol</t></is></c><c r="IW1" t="inlineStr"><is><t>location</t></is></c></row>` +
        `<row r="2"><c t="inlineStr"><is><t>${long}</t></is></c><c t="inlineStr"><is><t>W-1</t></is></c><c t="inlineStr"><is><t>json</t></is></c><c r="IW2" t="inlineStr"><is><t>Hall</t></is></c></row>`,
    );
    const out = await parseMachineImport({ filename: 'wide.xlsx', content });
    expect(out.errors).toEqual([{ row: 2, error: 'Invalid name: must be at most 200 characters' }]);
    const ok = xlsxFromXml(`<row r="1"><c t="inlineStr"><is><t>name</t></is></c><c t="inlineStr"><is><t>machine_identifier</t></is></c><c t="inlineStr"><is><t>protocol</t></is></c><c r="IW1" t="inlineStr"><is><t>location</t></is></c></row><row r="2"><c t="inlineStr"><is><t>${'Ä'.repeat(200)}</t></is></c><c t="inlineStr"><is><t>W-1</t></is></c><c t="inlineStr"><is><t>json</t></is></c><c r="IW2" t="inlineStr"><is><t>Hall</t></is></c></row>`);
    expect((await parseMachineImport({ filename: 'ok.xlsx', content: ok })).rows).toEqual([{ row: 2, name: 'Ä'.repeat(200), machineIdentifier: 'W-1', protocol: 'json', location: null }]);
  });
});

describe('parseMachineImport: hostile XLSX parts (review of issue 8)', () => {
  const HEAD = sharedRow(1, [0, 1, 2]);
  const STRINGS = sharedStringsXml(['name', 'machine_identifier', 'protocol', 'json']);
  const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';

  /** Runs the import and returns its refusal (or null), how long it took and the longest event-loop block. */
  async function timed(content: Buffer): Promise<{ error: ImportFileError | null; ms: number; lagMs: number }> {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    let error: ImportFileError | null = null;
    try {
      await parseMachineImport({ filename: 'hostile.xlsx', content });
    } catch (err) {
      if (!(err instanceof ImportFileError)) throw err;
      error = err;
    }
    const ms = performance.now() - started;
    delay.disable();
    return { error, ms, lagMs: delay.max / 1e6 };
  }

  it('refuses elements nested millions deep as unreadable, fast and without building the stack', async () => {
    const content = xlsxFromXml(HEAD + '<a>'.repeat(2_000_000), STRINGS); // ~6 MB inflated, a few KB zipped
    const { error, ms, lagMs } = await timed(content);
    expect(error?.kind).toBe('unreadable');
    expect(ms).toBeLessThan(1000);
    expect(lagMs).toBeLessThan(100);
  });

  it('refuses an element with millions of attributes as unreadable without holding the loop', async () => {
    const attrs = Array.from({ length: 2_000_000 }, (_, i) => ` a${i}=""`).join('');
    const { error, lagMs } = await timed(xlsxFromXml(`${HEAD}<row r="2"><c${attrs}/></row>`, STRINGS));
    expect(error?.kind).toBe('unreadable');
    expect(lagMs).toBeLessThan(100);
  });

  it('reads number formats in linear time: a long unclosed "[" format code and millions of cell styles', async () => {
    const row2 = '<row r="2"><c t="inlineStr"><is><t>Mill</t></is></c><c t="inlineStr"><is><t>MILL-1</t></is></c><c t="s"><v>3</v></c></row>';
    const longCode = `<styleSheet xmlns="${NS}"><numFmts count="1"><numFmt numFmtId="200" formatCode="${'['.repeat(40_000)}"/></numFmts><cellXfs><xf numFmtId="200"/></cellXfs></styleSheet>`;
    const manyXfs = `<styleSheet xmlns="${NS}"><cellXfs>${'<xf numFmtId="14"/>'.repeat(2_500_000)}</cellXfs></styleSheet>`;
    for (const styles of [longCode, manyXfs]) {
      const { error, lagMs } = await timed(xlsxFromXml(HEAD + row2, STRINGS, { styles: Buffer.from(styles) }));
      expect(error).toBeNull();
      expect(lagMs).toBeLessThan(100);
    }
  });

  it('refuses a shared formula that slides off the sheet as unreadable, not as an internal error', async () => {
    const content = xlsxFromXml(
      HEAD + '<row r="2"><c r="B2"><f t="shared" si="0" ref="B2:A3">A1</f></c></row><row r="3"><c r="A3"><f t="shared" si="0"/></c></row>',
      STRINGS,
    );
    await expectFileError('slide.xlsx', content, 'unreadable', 'File is not a valid XLSX file');
  });
});

describe('parseMachineImport: file type', () => {
  it.each(['machines.xls', 'machines.txt', 'machines', 'machines.csv.exe', '.xlsx.'])('rejects %s as unsupported_type', async (filename) => {
    await expectFileError(filename, csv(HEADER, 'A,A-1,json,'), 'unsupported_type', 'Unsupported file type: expected .csv or .xlsx');
  });
});

describe('machineFieldError', () => {
  it('applies the name rules', () => {
    expect(machineFieldError('name', '  Mill  ')).toBeNull();
    expect(machineFieldError('name', '   ')).toBe('Missing name');
    expect(machineFieldError('name', 'é'.repeat(200))).toBeNull();
    expect(machineFieldError('name', 'a'.repeat(201))).toBe('Invalid name: must be at most 200 characters');
    expect(machineFieldError('name', 'a\u0000b')).toBe('Invalid name: must not contain control characters');
    expect(machineFieldError('name', 'a\u0085b')).toBe('Invalid name: must not contain control characters');
    expect(machineFieldError('name', 'Presse \u202egnp.exe')).toBe('Invalid name: must not contain bidirectional override characters (U+202A-U+202E, U+2066-U+2069)');
    expect(machineFieldError('name', 'x\u2066y')).toBe('Invalid name: must not contain bidirectional override characters (U+202A-U+202E, U+2066-U+2069)');
    expect(machineFieldError('name', 'Presse 3 — Ärger ✓ 机器 \u200f')).toBeNull();
  });

  it('applies the machine_identifier rules', () => {
    expect(machineFieldError('machine_identifier', 'Line-1_a.b:c/d#9')).toBeNull();
    expect(machineFieldError('machine_identifier', 'I'.repeat(100))).toBeNull();
    expect(machineFieldError('machine_identifier', 'I'.repeat(101))).toBe('Invalid machine_identifier: must be at most 100 characters');
    expect(machineFieldError('machine_identifier', '')).toBe('Missing machine_identifier');
    expect(machineFieldError('machine_identifier', 'A\u0007B')).toBe(
      'Invalid machine_identifier: A\\u0007B (only letters, digits and - _ . : / # are allowed, no spaces)',
    );
    expect(machineFieldError('machine_identifier', 'MÜHLE-1')).toBe(
      'Invalid machine_identifier: MÜHLE-1 (only letters, digits and - _ . : / # are allowed, no spaces)',
    );
  });

  it('applies the protocol rules, with aliases', () => {
    expect(machineFieldError('protocol', ' Modbus_TCP ')).toBeNull();
    expect(machineFieldError('protocol', 'opcua')).toBeNull();
    expect(machineFieldError('protocol', 'http')).toBe('Invalid protocol: http (expected opc_ua, modbus_tcp, csv, json)');
    expect(machineFieldError('protocol', '')).toBe('Missing protocol');
    expect(normalizeMachineProtocol(' OPCUA ')).toBe('opc_ua');
    expect(normalizeMachineProtocol('modbus')).toBe('modbus_tcp');
    expect(normalizeMachineProtocol('JSON')).toBe('json');
    expect(normalizeMachineProtocol('opc-ua')).toBeNull();
  });

  it('applies the location rules; empty means no location', () => {
    expect(machineFieldError('location', '')).toBeNull();
    expect(machineFieldError('location', 'l'.repeat(500))).toBeNull();
    expect(machineFieldError('location', 'l'.repeat(501))).toBe('Invalid location: must be at most 500 characters');
    expect(machineFieldError('location', 'Hall\u001bA')).toBe('Invalid location: must not contain control characters');
  });
});
