import { crc32, deflateRawSync } from 'node:zlib';

/**
 * Minimal XLSX archives written from raw XML: fast enough for sheets of hundreds of thousands of
 * rows (exceljs' writers take many seconds for those), and free to be malformed on purpose.
 */

export interface ZipPart {
  name: string;
  data: Buffer;
  /** uncompressed size written into the headers (default: the real one) — lie to build a bomb */
  declaredSize?: number;
}

/** A ZIP archive of deflated parts (no data descriptors, no ZIP64). */
export function zip(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name, 'utf8');
    const body = deflateRawSync(p.data, { level: 6 });
    const size = p.declaredSize ?? p.data.length;
    const crc = crc32(p.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(body.length, 20);
    dir.writeUInt32LE(size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    central.push(dir, name);
    offset += local.length + name.length + body.length;
  }
  const dirBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dirBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dirBuf, end]);
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The `<si>` table of a sharedStrings.xml part. */
export function sharedStringsXml(strings: readonly string[]): Buffer {
  const items = strings.map((s) => `<si><t xml:space="preserve">${xmlEscape(s)}</t></si>`).join('');
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length}" uniqueCount="${strings.length}">${items}</sst>`,
  );
}

/** A one-sheet workbook; `sheetData` is the inner XML of `<sheetData>` (rows). Sheet first, shared strings last, as Excel orders them. */
export function xlsxFromXml(sheetData: string | Buffer, sharedStrings?: Buffer, opts: { sharedStringsDeclaredSize?: number; styles?: Buffer } = {}): Buffer {
  const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const sheet = Buffer.concat([
    Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${ns}" xmlns:r="${rel}"><sheetData>`),
    Buffer.isBuffer(sheetData) ? sheetData : Buffer.from(sheetData),
    Buffer.from('</sheetData></worksheet>'),
  ]);
  const parts: ZipPart[] = [
    {
      name: '[Content_Types].xml',
      data: Buffer.from(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
          '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
      ),
    },
    {
      name: '_rels/.rels',
      data: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="${ns}" xmlns:r="${rel}"><sheets><sheet name="Machines" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
          `<Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/>` +
          (sharedStrings ? `<Relationship Id="rId2" Type="${rel}/sharedStrings" Target="sharedStrings.xml"/>` : '') +
          (opts.styles ? `<Relationship Id="rId3" Type="${rel}/styles" Target="styles.xml"/>` : '') +
          '</Relationships>',
      ),
    },
    { name: 'xl/worksheets/sheet1.xml', data: sheet },
  ];
  if (sharedStrings) parts.push({ name: 'xl/sharedStrings.xml', data: sharedStrings, declaredSize: opts.sharedStringsDeclaredSize });
  if (opts.styles) parts.push({ name: 'xl/styles.xml', data: opts.styles });
  return zip(parts);
}

/** A row of shared-string cells (indices) from column A. */
export function sharedRow(row: number, indices: readonly number[]): string {
  return `<row r="${row}">${indices.map((i, c) => `<c r="${String.fromCharCode(65 + c)}${row}" t="s"><v>${i}</v></c>`).join('')}</row>`;
}

/**
 * The "600,000 rows" upload of issue 8: a header and `rows` data rows whose cells share five
 * strings. About 3 MB zipped and under 50 MB unzipped, so it passes every byte limit.
 */
export function tallXlsx(rows: number): Buffer {
  const strings = sharedStringsXml(['name', 'machine_identifier', 'protocol', 'Machine', 'json']);
  const parts: Buffer[] = [Buffer.from(sharedRow(1, [0, 1, 2]))];
  let batch = '';
  for (let r = 2; r <= rows + 1; r++) {
    // cells without `r` take the next column (allowed by the format), which keeps the sheet under 50 MB
    batch += `<row r="${r}"><c t="s"><v>3</v></c><c t="s"><v>3</v></c><c t="s"><v>4</v></c></row>`;
    if (batch.length > 1 << 20) {
      parts.push(Buffer.from(batch));
      batch = '';
    }
  }
  parts.push(Buffer.from(batch));
  return xlsxFromXml(Buffer.concat(parts), strings);
}
