/**
 * Reads the first worksheet of an XLSX held in memory as rows of cell texts, streaming: every
 * part is inflated in small chunks and walked with a SAX parser, so reading stops as soon as the
 * caller has seen enough rows, and no part is ever inflated whole. exceljs' Workbook.load, used
 * before, inflated and modelled the entire workbook first (a 600,000-row sheet cost ~4.5 s of
 * blocked event loop and hundreds of MB per upload); its streaming WorkbookReader spools sheets
 * that precede the shared strings (as Excel writes them) to temporary files and decodes chunks
 * without carrying split UTF-8 sequences over. Cell semantics follow exceljs' model: a formula
 * is its text (shared formulas translated to their cell), dates are recognised by their number
 * format, rich text is concatenated, booleans are TRUE/FALSE.
 *
 * Bounds: the archive's declared sizes (checked up front) cap what can be inflated, each part
 * must not inflate past its declared size, only the first `maxColumns` columns are kept, and the
 * shared-strings table is read only as far as the kept rows reference it.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createInflateRaw } from 'node:zlib';
import { SaxesParser } from 'saxes';

const require = createRequire(import.meta.url);
const { slideFormula } = require('exceljs/lib/utils/shared-formula.js') as { slideFormula(formula: string, from: string, to: string): string };
const { excelToDate } = require('exceljs/lib/utils/utils.js') as { excelToDate(v: number, date1904: boolean): Date };
const BUILTIN_FORMATS = require('exceljs/lib/xlsx/defaultnumformats.js') as Record<string, { f?: string }>;

export type XlsxErrorKind = 'unreadable' | 'too_large' | 'too_many_rows';

export class XlsxError extends Error {
  constructor(
    readonly kind: XlsxErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'XlsxError';
  }
}

export interface XlsxLimits {
  /** reading ends once this many non-blank rows were collected (the caller needs no more) */
  stopAfterNonBlankRows: number;
  /** rows holding any value (whitespace included) read before the file is refused */
  maxValueRows: number;
  /** cells right of this column are ignored */
  maxColumns: number;
  /** sum of the declared uncompressed sizes of all entries */
  maxUncompressedBytes: number;
  maxEntries: number;
}

/** One spreadsheet row: its number and its cell texts by 0-based column (holes are empty cells). */
export interface SheetRow {
  row: number;
  cells: (string | undefined)[];
}

const NOT_XLSX = 'File is not a valid XLSX file';
const unreadable = () => new XlsxError('unreadable', NOT_XLSX);
/** compressed bytes handed to zlib at a time: one slice inflates to at most ~1 MB even at deflate's maximum ratio */
const INPUT_SLICE = 1024;
const STORED_SLICE = 64 * 1024;

// ---------------------------------------------------------------------------
// ZIP

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/**
 * Reads the ZIP central directory. Zip-bomb guard: archives whose entries claim to inflate beyond
 * maxUncompressedBytes (or need ZIP64, which no 5 MB spreadsheet does) are refused; inflating
 * then checks every entry against its claim. A structurally broken directory is 'unreadable'.
 */
function readZipDirectory(buf: Buffer, limits: XlsxLimits): Map<string, ZipEntry> {
  const EOCD = 0x06054b50;
  const CDH = 0x02014b50;
  if (buf.length < 22) throw unreadable();
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw unreadable();
  const count = buf.readUInt16LE(eocd + 10);
  const dirSize = buf.readUInt32LE(eocd + 12);
  const dirOffset = buf.readUInt32LE(eocd + 16);
  const tooLarge = () => new XlsxError('too_large', `File expands to more than ${limits.maxUncompressedBytes / (1024 * 1024)} MB when unzipped`);
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) throw tooLarge();
  if (count > limits.maxEntries) throw tooLarge();
  if (dirOffset + dirSize > eocd) throw unreadable();

  const entries = new Map<string, ZipEntry>();
  let pos = dirOffset;
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (pos + 46 > eocd || buf.readUInt32LE(pos) !== CDH) throw unreadable();
    const size = buf.readUInt32LE(pos + 24);
    if (size === 0xffffffff) throw tooLarge();
    total += size;
    if (total > limits.maxUncompressedBytes) throw tooLarge();
    const nameLength = buf.readUInt16LE(pos + 28);
    const name = buf.toString('utf8', pos + 46, pos + 46 + nameLength);
    entries.set(name, {
      name,
      flags: buf.readUInt16LE(pos + 8),
      method: buf.readUInt16LE(pos + 10),
      compressedSize: buf.readUInt32LE(pos + 20),
      size,
      localOffset: buf.readUInt32LE(pos + 42),
    });
    pos += 46 + nameLength + buf.readUInt16LE(pos + 30) + buf.readUInt16LE(pos + 32);
  }
  return entries;
}

function* slices(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

/**
 * The inflated bytes of one entry, chunk by chunk. Each chunk is followed by a turn of the event
 * loop, so walking even a large part never holds the loop for more than one chunk's parsing.
 * Leaving the loop early stops inflating.
 */
async function* entryChunks(buf: Buffer, e: ZipEntry): AsyncGenerator<Buffer> {
  if (e.flags & 1 || (e.method !== 0 && e.method !== 8)) throw unreadable(); // encrypted, or not deflate/stored
  const at = e.localOffset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== 0x04034b50) throw unreadable();
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  if (start + e.compressedSize > buf.length) throw unreadable();
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) {
    if (data.length !== e.size) throw unreadable();
    for (const chunk of slices(data, STORED_SLICE)) {
      yield chunk;
      await nextTurn();
    }
    return;
  }
  // Small input slices through pipe(): zlib inflates the next slice only once the output of the
  // previous one was read, so a bomb never builds up more than one slice's worth of output.
  const source = Readable.from(slices(data, INPUT_SLICE), { objectMode: false });
  const inflater = createInflateRaw();
  source.pipe(inflater);
  let produced = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      produced += chunk.length;
      // the directory's claim was checked against the limit; an entry inflating past it lies
      if (produced > e.size) throw unreadable();
      yield chunk;
      await nextTurn();
    }
  } catch (err) {
    if (err instanceof XlsxError) throw err;
    throw unreadable(); // corrupt deflate data
  } finally {
    source.unpipe(inflater);
    source.destroy();
    inflater.destroy();
  }
}

// ---------------------------------------------------------------------------
// XML

interface XmlHandlers {
  open?(name: string, attrs: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
}

/** Element names without their namespace prefix (`x:row` and `row` are the same element). */
const local = (name: string) => name.slice(name.indexOf(':') + 1);

function attr(attrs: Record<string, string>, name: string): string | undefined {
  if (name in attrs) return attrs[name];
  for (const [k, v] of Object.entries(attrs)) if (local(k) === name) return v;
  return undefined;
}

/**
 * Nesting and attributes per element far beyond any spreadsheet part (a sheet nests about 7 deep,
 * a root element declares a dozen namespaces). saxes keeps every open element on its stack and
 * gathers a tag's attributes before it reports the tag: 15 million nested elements (45 KB zipped)
 * took 4 GB and ~2 minutes, and 2 million attributes on one element held the loop for 1.7 s.
 */
const MAX_XML_DEPTH = 100;
const MAX_XML_ATTRIBUTES = 256;

/** An incremental SAX parser; write() throws 'unreadable' on malformed XML. */
function xmlParser(h: XmlHandlers) {
  const parser = new SaxesParser({ position: false });
  let failed = false;
  let depth = 0;
  let attributes = 0;
  parser.on('error', () => {
    failed = true;
  });
  // Thrown from a handler, the refusal leaves parser.write() at once.
  parser.on('opentagstart', () => {
    attributes = 0;
  });
  parser.on('attribute', () => {
    if (++attributes > MAX_XML_ATTRIBUTES) throw unreadable();
  });
  parser.on('opentag', (t) => {
    if (++depth > MAX_XML_DEPTH) throw unreadable();
    h.open?.(local(t.name), t.attributes as Record<string, string>);
  });
  parser.on('closetag', (t) => {
    depth--;
    h.close?.(local(t.name));
  });
  parser.on('text', (t) => h.text?.(t));
  parser.on('cdata', (t) => h.text?.(t));
  const decoder = new StringDecoder('utf8');
  return {
    write(chunk: Buffer) {
      parser.write(decoder.write(chunk));
      if (failed) throw unreadable();
    },
    end() {
      parser.write(decoder.end());
      parser.close();
      if (failed) throw unreadable();
    },
  };
}

/** Walks a whole part. */
async function walkPart(buf: Buffer, e: ZipEntry, h: XmlHandlers): Promise<void> {
  const p = xmlParser(h);
  for await (const chunk of entryChunks(buf, e)) p.write(chunk);
  p.end();
}

/** Relationship id → target path (resolved against the part's folder) and type. */
async function readRels(buf: Buffer, zip: Map<string, ZipEntry>, partPath: string): Promise<Map<string, { target: string; type: string }>> {
  const slash = partPath.lastIndexOf('/');
  const dir = partPath.slice(0, slash + 1);
  const entry = zip.get(`${dir}_rels/${partPath.slice(slash + 1)}.rels`);
  const rels = new Map<string, { target: string; type: string }>();
  if (!entry) return rels;
  await walkPart(buf, entry, {
    open(name, attrs) {
      if (name !== 'Relationship' || attrs.TargetMode === 'External') return;
      if (attrs.Id && attrs.Target) rels.set(attrs.Id, { target: resolvePath(dir, attrs.Target), type: attrs.Type ?? '' });
    },
  });
  return rels;
}

function resolvePath(dir: string, target: string): string {
  const parts: string[] = [];
  for (const p of (target.startsWith('/') ? target.slice(1) : dir + target).split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}

const relOfType = (rels: Map<string, { target: string; type: string }>, type: string) => [...rels.values()].find((r) => r.type.endsWith(`/${type}`))?.target;

// ---------------------------------------------------------------------------
// Shared strings

/** The texts of a shared-strings part in order, one per `<si>` (phonetic runs left out). */
async function* sharedStringTexts(buf: Buffer, e: ZipEntry): AsyncGenerator<string> {
  let done: string[] = [];
  let text: string | null = null;
  let inT = false;
  let phonetic = 0;
  const p = xmlParser({
    open(name) {
      if (name === 'si') text = '';
      else if (name === 'rPh') phonetic++;
      else if (name === 't' && text !== null && phonetic === 0) inT = true;
    },
    close(name) {
      if (name === 'si' && text !== null) {
        done.push(text);
        text = null;
      } else if (name === 'rPh') phonetic--;
      else if (name === 't') inT = false;
    },
    text(t) {
      if (inT && text !== null) text += t;
    },
  });
  for await (const chunk of entryChunks(buf, e)) {
    p.write(chunk);
    const ready = done;
    done = [];
    yield* ready;
  }
  p.end();
  yield* done;
}

/**
 * The shared-strings table, read lazily: only as far as the highest index a row asked for, with
 * one bit per string passed (whitespace-only or not) and the texts of the indices rows use.
 */
class SharedStrings {
  private blank = new Uint8Array(1024);
  private passed = 0;
  private exhausted = false;
  readonly texts = new Map<number, string>();

  constructor(private readonly source: AsyncGenerator<string> | null) {
    if (!source) this.exhausted = true;
  }

  /** Reads on until `index` was passed (or the table ends), keeping the texts `wanted` asks for. */
  async reach(index: number, wanted: (i: number) => boolean): Promise<void> {
    while (this.passed <= index && !this.exhausted) {
      const r = await this.source!.next();
      if (r.done) {
        this.exhausted = true;
        break;
      }
      const i = this.passed++;
      if (i >= this.blank.length * 8) {
        const grown = new Uint8Array(this.blank.length * 2);
        grown.set(this.blank);
        this.blank = grown;
      }
      if (r.value.trim() === '') this.blank[i >> 3]! |= 1 << (i & 7);
      if (wanted(i)) this.texts.set(i, r.value);
    }
  }

  /** An index past the end of the table reads as an empty cell, as exceljs reads it. */
  isBlank(i: number): boolean {
    return i >= this.passed || (this.blank[i >> 3]! & (1 << (i & 7))) !== 0;
  }

  async close(): Promise<void> {
    await this.source?.return(undefined);
  }
}

// ---------------------------------------------------------------------------
// Styles and workbook

/** Excel's own limit on cell formats in a workbook; a cell's style index past it reads as no date. */
const MAX_CELL_STYLES = 65_490;

/**
 * exceljs' isDateFmt in linear time: its `/\[[^\]]*]/g` scans to the end of the code from every `[`
 * that has no `]` after it, so a 40,000-character format code held the event loop for 1.4 s.
 */
function isDateFormat(code: string): boolean {
  const strip = (s: string, open: string, close: string): string => {
    let out = '';
    let i = 0;
    for (;;) {
      const a = s.indexOf(open, i);
      const b = a < 0 ? -1 : s.indexOf(close, a + 1);
      if (b < 0) return out + s.slice(i);
      out += s.slice(i, a);
      i = b + 1;
    }
  };
  return /[ymdhMsb]/.test(strip(strip(code, '[', ']'), '"', '"'));
}

/** Per cell style index: does its number format show a date? */
async function dateStyles(buf: Buffer, e: ZipEntry | undefined): Promise<boolean[]> {
  if (!e) return [];
  const formats = new Map<string, string>();
  const xfNumFmts: string[] = [];
  let inCellXfs = false;
  await walkPart(buf, e, {
    open(name, attrs) {
      if (name === 'numFmt' && attrs.numFmtId && attrs.formatCode !== undefined) formats.set(attrs.numFmtId, attrs.formatCode);
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs && xfNumFmts.length < MAX_CELL_STYLES) xfNumFmts.push(attrs.numFmtId ?? '0');
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  const known = new Map<string, boolean>();
  return xfNumFmts.map((id) => {
    let date = known.get(id);
    if (date === undefined) {
      const code = formats.get(id) ?? BUILTIN_FORMATS[id]?.f;
      date = id !== '0' && code !== undefined && isDateFormat(code);
      known.set(id, date);
    }
    return date;
  });
}

/**
 * A shared formula moved to another cell. exceljs throws a plain Error when a reference slides off
 * the sheet (column 0, past XFD) or a cell reference is not A1 style; such a file is unreadable.
 */
function slidFormula(formula: string, from: string, to: string): string {
  try {
    return slideFormula(formula, from, to);
  } catch {
    throw unreadable();
  }
}

/** Column number (1-based) of an A1 reference, or null when it has none. */
function columnOf(ref: string | undefined): number | null {
  const m = ref ? /^\$?([A-Za-z]{1,3})\$?\d+$/.exec(ref) : null;
  if (!m) return null;
  let col = 0;
  for (const ch of m[1]!.toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  return col;
}

function columnName(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

// ---------------------------------------------------------------------------
// Worksheet

/** A row as the SAX walk completes it: texts, plus the shared-string indices still to look up. */
interface PendingRow {
  row: number;
  cells: (string | undefined)[];
  shared: { col: number; index: number }[];
  hasValue: boolean;
}

/** Reads the first worksheet (in workbook order) up to the limits; rows without any non-blank cell are left out. */
export async function readFirstWorksheet(buf: Buffer, limits: XlsxLimits): Promise<SheetRow[]> {
  if (buf.length < 4 || buf.readUInt32BE(0) !== 0x504b0304) throw unreadable();
  const zip = readZipDirectory(buf, limits);

  const rootRels = await readRels(buf, zip, '');
  const workbookPath = relOfType(rootRels, 'officeDocument') ?? 'xl/workbook.xml';
  const workbook = zip.get(workbookPath);
  if (!workbook) throw unreadable();
  let firstSheetRel: string | undefined;
  let date1904 = false;
  await walkPart(buf, workbook, {
    open(name, attrs) {
      if (name === 'workbookPr') date1904 = attrs.date1904 === '1' || attrs.date1904 === 'true';
      else if (name === 'sheet' && firstSheetRel === undefined) firstSheetRel = attr(attrs, 'id') ?? '';
    },
  });
  const rels = await readRels(buf, zip, workbookPath);
  const sheet = firstSheetRel ? zip.get(rels.get(firstSheetRel)?.target ?? '') : undefined;
  if (!sheet) throw unreadable();
  const dates = await dateStyles(buf, zip.get(relOfType(rels, 'styles') ?? ''));
  const stringsEntry = zip.get(relOfType(rels, 'sharedStrings') ?? '');
  const strings = new SharedStrings(stringsEntry ? sharedStringTexts(buf, stringsEntry) : null);
  try {
    const rows = await walkSheet(buf, sheet, limits, dates, date1904, strings);
    await fillSharedStrings(buf, stringsEntry, rows, strings);
    return rows.map(({ row, cells }) => ({ row, cells }));
  } finally {
    await strings.close();
  }
}

async function walkSheet(buf: Buffer, sheet: ZipEntry, limits: XlsxLimits, dates: boolean[], date1904: boolean, strings: SharedStrings): Promise<PendingRow[]> {
  const kept: PendingRow[] = [];
  /** shared-string indices of kept rows: their texts are wanted */
  const used = new Set<number>();
  const completed: PendingRow[] = [];
  const masters = new Map<string, { formula: string; ref: string }>();
  let valueRows = 0;

  let rowNumber = 0;
  let current: PendingRow | null = null;
  let col = 0;
  let cell: { col: number; ref: string; type: string; style: number; v: string | null; f: string | null; fType?: string; fShared?: string; is: string | null } | null = null;
  let into: 'v' | 'f' | 'is' | null = null;
  let phonetic = 0;

  const finishCell = () => {
    const c = cell!;
    cell = null;
    if (!current || c.col > limits.maxColumns) return;
    let text: string | undefined;
    if (c.f !== null) {
      let formula = c.f;
      if (c.fType === 'shared' && c.fShared !== undefined) {
        const master = masters.get(c.fShared);
        if (formula !== '') masters.set(c.fShared, { formula, ref: c.ref });
        else if (master) formula = slidFormula(master.formula, master.ref, c.ref);
      }
      text = formula.startsWith('=') ? formula : `=${formula}`;
    } else if (c.is !== null) {
      text = c.is;
    } else if (c.v !== null) {
      switch (c.type) {
        case 's': {
          const index = Number.parseInt(c.v, 10);
          current.hasValue = true;
          if (Number.isInteger(index) && index >= 0) current.shared.push({ col: c.col, index });
          return;
        }
        case 'str':
        case 'inlineStr':
        case 'e':
        case 'd':
          text = c.v;
          break;
        case 'b':
          text = Number.parseInt(c.v, 10) !== 0 ? 'TRUE' : 'FALSE';
          break;
        default: {
          const n = Number.parseFloat(c.v);
          if (dates[c.style]) {
            const d = excelToDate(n, date1904);
            text = Number.isNaN(d.getTime()) ? '' : d.toISOString();
          } else text = Number.isFinite(n) ? String(n) : '';
        }
      }
    }
    if (text === undefined) return;
    current.hasValue = true;
    current.cells[c.col - 1] = text;
  };

  const p = xmlParser({
    open(name, attrs) {
      switch (name) {
        case 'row':
          rowNumber = Number.parseInt(attrs.r ?? '', 10) || rowNumber + 1;
          current = { row: rowNumber, cells: [], shared: [], hasValue: false };
          col = 0;
          break;
        case 'c':
          if (!current) break;
          col = columnOf(attrs.r) ?? col + 1;
          cell = { col, ref: attrs.r ?? `${columnName(col)}${rowNumber}`, type: attrs.t ?? 'n', style: Number.parseInt(attrs.s ?? '0', 10) || 0, v: null, f: null, is: null };
          break;
        case 'v':
          if (cell) {
            cell.v = '';
            into = 'v';
          }
          break;
        case 'f':
          if (cell) {
            cell.f = '';
            cell.fType = attrs.t;
            cell.fShared = attrs.si;
            into = 'f';
          }
          break;
        case 'is':
          if (cell) cell.is = '';
          break;
        case 'rPh':
          phonetic++;
          break;
        case 't':
          if (cell && cell.is !== null && phonetic === 0) into = 'is';
          break;
      }
    },
    close(name) {
      switch (name) {
        case 'v':
        case 'f':
        case 't':
          into = null;
          break;
        case 'rPh':
          phonetic--;
          break;
        case 'c':
          if (cell) finishCell();
          break;
        case 'row':
          if (current?.hasValue) completed.push(current);
          current = null;
          break;
      }
    },
    text(t) {
      if (cell && into) cell[into] += t;
    },
  });

  /** Counts and judges one completed row; true once enough non-blank rows were kept. */
  const judge = async (row: PendingRow): Promise<boolean> => {
    if (++valueRows > limits.maxValueRows) throw new XlsxError('too_many_rows', `Worksheet has more than ${limits.maxValueRows} rows`);
    if (row.shared.length) {
      const mine = new Set(row.shared.map((s) => s.index));
      await strings.reach(maxOf(mine), (i) => mine.has(i) || used.has(i));
    }
    const blank = row.cells.every((c) => c === undefined || c.trim() === '') && row.shared.every((s) => strings.isBlank(s.index));
    if (blank) return false;
    for (const s of row.shared) used.add(s.index);
    kept.push(row);
    return kept.length >= limits.stopAfterNonBlankRows;
  };

  // Rows are judged between chunks: whether a row is blank may need the shared-strings table,
  // which is read (asynchronously) only as far as the rows need it.
  for await (const chunk of entryChunks(buf, sheet)) {
    p.write(chunk);
    for (const row of completed.splice(0)) if (await judge(row)) return kept;
  }
  p.end();
  for (const row of completed.splice(0)) if (await judge(row)) return kept;
  return kept;
}

function maxOf(values: Iterable<number>): number {
  let max = -1;
  for (const v of values) if (v > max) max = v;
  return max;
}

/** Puts the shared-string texts into the kept rows; a second pass fetches those read past before a row asked for them. */
async function fillSharedStrings(buf: Buffer, entry: ZipEntry | undefined, rows: PendingRow[], strings: SharedStrings): Promise<void> {
  const missing = new Set<number>();
  for (const row of rows) for (const s of row.shared) if (!strings.texts.has(s.index) && !strings.isBlank(s.index)) missing.add(s.index);
  if (missing.size && entry) {
    const last = maxOf(missing);
    let i = 0;
    for await (const text of sharedStringTexts(buf, entry)) {
      if (missing.has(i)) strings.texts.set(i, text);
      if (++i > last) break;
    }
  }
  for (const row of rows) for (const s of row.shared) row.cells[s.col - 1] = strings.texts.get(s.index) ?? '';
}
