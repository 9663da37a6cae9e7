/**
 * Parses an uploaded machine-import file (spec machines.md §6, `POST /machines/import`)
 * into validated rows. Pure: nothing here touches the database; duplicates against
 * existing machines are the service's job.
 *
 * Row numbers are spreadsheet row numbers (the header is row 1, the first data row
 * row 2). Blank rows keep their place in the numbering (so a reported row matches
 * what the user sees in Excel) but are otherwise ignored: not counted toward the
 * 500-row limit and never reported. In a CSV a record with a quoted line break is
 * one spreadsheet row, so numbering follows records, not physical lines.
 *
 * Values are only ever read as text: formula-looking strings (`=cmd|...`, `+1+1`,
 * `@SUM(A1)`, `-2+3`) are kept verbatim, and an XLSX formula cell becomes the
 * text `=<formula>` (its cached result is never used). Whoever later writes these
 * values back into a spreadsheet must neutralise them there.
 */
import { isUtf8 } from 'node:buffer';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parse as parseCsv } from 'csv-parse';
import { machineFieldError, normalizeMachineProtocol, type MachineProtocol } from './machine.rules.js';
import { readFirstWorksheet, XlsxError } from './xlsx-reader.js';

export const IMPORT_MAX_ROWS = 500;
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
// the field rules and limits are the machine module's, shared with create and update
export { MACHINE_PROTOCOLS, machineFieldError, normalizeMachineProtocol, type MachineProtocol } from './machine.rules.js';

/**
 * XLSX guards. The sheet is read as a stream and reading stops after the header and
 * IMPORT_MAX_ROWS + 1 data rows, so a long sheet costs no more than a 501-row one; these bound
 * the rest: archives claiming to expand beyond this are refused before anything is inflated.
 */
export const XLSX_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024;
export const XLSX_MAX_ZIP_ENTRIES = 1_000;
/** At most this many worksheet rows holding any value are looked at (whitespace-only rows included). */
export const XLSX_MAX_SCANNED_ROWS = 10_000;
/** Cells right of column IV (256, the old Excel width) are ignored: the columns an import needs sit at the left. */
export const XLSX_MAX_COLUMNS = 256;

export interface ImportRow {
  row: number;
  name: string;
  machineIdentifier: string;
  protocol: MachineProtocol;
  location: string | null;
}
export interface ImportRowError {
  row: number;
  error: string;
}
export interface ParsedImport {
  rows: ImportRow[];
  errors: ImportRowError[];
  /** rows dropped because the identifier already appeared earlier in the file */
  duplicates: ImportRowError[];
}

export type ImportFileErrorKind = 'unsupported_type' | 'empty' | 'too_many_rows' | 'too_large' | 'missing_columns' | 'unreadable';

/** The whole file is rejected; no row is imported. */
export class ImportFileError extends Error {
  constructor(
    readonly kind: ImportFileErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}

type Column = 'name' | 'machine_identifier' | 'protocol' | 'location';
const REQUIRED_COLUMNS = ['name', 'machine_identifier', 'protocol'] as const;
const ALL_COLUMNS: readonly Column[] = [...REQUIRED_COLUMNS, 'location'];

const NOT_CSV = 'File is not a valid CSV file';
const NOT_XLSX = 'File is not a valid XLSX file';

// ---------------------------------------------------------------------------
// Entry point

/** filename decides the format (.csv / .xlsx, case-insensitive) and the content must match it */
export async function parseMachineImport(file: { filename: string; content: Buffer }): Promise<ParsedImport> {
  const format = formatOf(file.filename);
  if (!format) throw new ImportFileError('unsupported_type', 'Unsupported file type: expected .csv or .xlsx');
  const { content } = file;
  if (content.length > IMPORT_MAX_BYTES) {
    throw new ImportFileError('too_large', `File is larger than ${IMPORT_MAX_BYTES / (1024 * 1024)} MB`);
  }
  if (content.length === 0) throw new ImportFileError('empty', 'File is empty');
  const table = format === 'csv' ? await readCsv(content) : await readXlsx(content);
  return validateTable(table);
}

function formatOf(filename: string): 'csv' | 'xlsx' | null {
  const m = /\.([^.\\/]+)$/.exec(filename.trim());
  const ext = m?.[1]?.toLowerCase();
  return ext === 'csv' || ext === 'xlsx' ? ext : null;
}

// ---------------------------------------------------------------------------
// Format-neutral table -> validated rows

/** One spreadsheet row: its number and its cell texts by 0-based column (holes are empty cells). */
interface RawRow {
  row: number;
  cells: (string | undefined)[];
}

function isBlank(r: RawRow): boolean {
  return r.cells.every((c) => c === undefined || c.trim() === '');
}

function validateTable(rawRows: RawRow[]): ParsedImport {
  const nonBlank = rawRows.filter((r) => !isBlank(r));
  const header = nonBlank[0];
  if (!header) throw new ImportFileError('empty', 'File is empty');

  // Header names: trimmed, case-insensitive; the first of repeated names wins; unknown columns are ignored.
  const index = new Map<string, number>();
  header.cells.forEach((c, i) => {
    const key = (c ?? '').trim().toLowerCase();
    if (key !== '' && !index.has(key)) index.set(key, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new ImportFileError('missing_columns', `Missing required column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  }

  const data = nonBlank.slice(1);
  if (data.length === 0) throw new ImportFileError('empty', 'File contains no data rows');
  if (data.length > IMPORT_MAX_ROWS) {
    throw new ImportFileError('too_many_rows', `File has more than ${IMPORT_MAX_ROWS} data rows`);
  }

  const result: ParsedImport = { rows: [], errors: [], duplicates: [] };
  // Exact, case-sensitive match after trim: the database's unique index on
  // (tenant_id, machine_identifier) is case-sensitive, so `CNC-1` and `cnc-1` are
  // different machines there too. Only rows that passed validation claim an identifier.
  const seen = new Set<string>();
  for (const r of data) {
    const cell = (col: Column): string => {
      const i = index.get(col);
      return i === undefined ? '' : (r.cells[i] ?? '').trim();
    };
    // One error per row: the first failing column in the order name, identifier, protocol, location.
    const error = ALL_COLUMNS.map((col) => machineFieldError(col, cell(col))).find((e) => e !== null);
    if (error) {
      result.errors.push({ row: r.row, error });
      continue;
    }
    const machineIdentifier = cell('machine_identifier');
    if (seen.has(machineIdentifier)) {
      result.duplicates.push({ row: r.row, error: `Duplicate machine_identifier: ${machineIdentifier}` });
      continue;
    }
    seen.add(machineIdentifier);
    const location = cell('location');
    result.rows.push({
      row: r.row,
      name: cell('name'),
      machineIdentifier,
      protocol: normalizeMachineProtocol(cell('protocol'))!,
      location: location === '' ? null : location,
    });
  }
  return result;
}

// ---------------------------------------------------------------------------
// CSV

/**
 * Parsed 64 KB at a time with a turn of the event loop after each slice, and stopped once the
 * header and IMPORT_MAX_ROWS + 1 data rows are in: a 5 MB file of 150,000 rows parsed whole held
 * the loop for ~0.9 s before the row limit refused it, and csv-parse fed through a piped stream
 * still ran as one block (a pipe hands the slices over in microtasks): ~100 ms for 5 MB.
 */
async function readCsv(content: Buffer): Promise<RawRow[]> {
  // isUtf8 checks 5 MB in about a millisecond; decoding the whole file to check it took ~20 ms.
  if (content.includes(0) || !isUtf8(content)) throw new ImportFileError('unreadable', NOT_CSV);
  const delimiter = await sniffDelimiter(content);
  const parser = parseCsv({
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false, // kept so record positions stay spreadsheet row numbers
    trim: true, // tolerates `a, "b"`; whitespace inside quotes is kept (and trimmed later anyway)
  });
  let failure: unknown;
  parser.on('error', (err) => {
    failure ??= err;
  });
  const rows: RawRow[] = [];
  let nonBlank = 0;
  // The header plus one row past the limit is enough for validateTable to reject the file.
  const take = (): boolean => {
    for (let cells: string[] | null; (cells = parser.read() as string[] | null) !== null; ) {
      const raw: RawRow = { row: rows.length + 1, cells };
      rows.push(raw);
      if (!isBlank(raw) && ++nonBlank > IMPORT_MAX_ROWS + 1) return false;
    }
    return true;
  };
  try {
    // Bytes, not text slices: csv-parse joins a character split between two slices, a string slice could cut a surrogate pair.
    // write() parses its slice synchronously; the records wait in the parser until read.
    const fields = fieldCounter(delimiter.charCodeAt(0));
    for (let i = 0; i < content.length && failure === undefined; i += CSV_SLICE_BYTES) {
      const slice = content.subarray(i, i + CSV_SLICE_BYTES);
      if (!fields(slice)) throw new ImportFileError('unreadable', `${NOT_CSV}: a line holds more than ${CSV_MAX_FIELDS_PER_LINE} fields`);
      parser.write(slice);
      if (!take()) return rows;
      await nextTurn();
    }
    if (failure === undefined) {
      // the last record (a line without its line break) is only emitted at the end
      const ended = new Promise<void>((resolve) => {
        parser.once('end', resolve).once('error', () => resolve());
        parser.on('readable', () => {
          if (!take()) resolve();
        });
      });
      parser.end();
      await ended;
    }
    if (failure !== undefined) {
      const detail = failure instanceof Error ? failure.message : String(failure);
      throw new ImportFileError('unreadable', `${NOT_CSV}: ${detail}`);
    }
    return rows;
  } finally {
    parser.destroy();
  }
}

const CSV_SLICE_BYTES = 64 * 1024;

/**
 * A line of commas is a record of that many empty fields, which csv-parse builds whole before it
 * hands it over: 2.5 million in a 5 MB file took ~190 MB and seconds. An import needs a few columns,
 * so a line with more delimiter bytes than this (quoted ones included: an upper bound) is refused.
 */
export const CSV_MAX_FIELDS_PER_LINE = 10_000;

/** Counts delimiter bytes per physical line across slices; false once a line holds too many. */
function fieldCounter(delimiter: number): (slice: Buffer) => boolean {
  let onLine = 0;
  return (slice) => {
    for (let i = 0; i < slice.length; i++) {
      const b = slice[i];
      if (b === 0x0a) onLine = 0;
      else if (b === delimiter && ++onLine > CSV_MAX_FIELDS_PER_LINE) return false;
    }
    return true;
  };
}

/**
 * `;` when the header line holds more semicolons than commas (outside quotes), else `,`. Read a
 * slice at a time with a turn of the event loop in between: the header may be the whole file.
 */
async function sniffDelimiter(content: Buffer): Promise<',' | ';'> {
  let commas = 0;
  let semicolons = 0;
  let inQuotes = false;
  let lineHasContent = false;
  const decoder = new TextDecoder('utf-8');
  for (let i = 0; i < content.length; i += CSV_SLICE_BYTES) {
    if (i > 0) await nextTurn();
    for (const ch of decoder.decode(content.subarray(i, i + CSV_SLICE_BYTES), { stream: true })) {
      if (ch === '"') inQuotes = !inQuotes;
      else if (!inQuotes && (ch === '\n' || ch === '\r')) {
        if (lineHasContent) return semicolons > commas ? ';' : ','; // the header is the first line with content
        continue;
      } else if (!inQuotes && ch === ',') commas++;
      else if (!inQuotes && ch === ';') semicolons++;
      if (ch.trim() !== '') lineHasContent = true;
    }
  }
  return semicolons > commas ? ';' : ',';
}

// ---------------------------------------------------------------------------
// XLSX

async function readXlsx(content: Buffer): Promise<RawRow[]> {
  try {
    return await readFirstWorksheet(content, {
      // The header plus one row past the limit is enough for validateTable to reject the file.
      stopAfterNonBlankRows: IMPORT_MAX_ROWS + 2,
      maxValueRows: XLSX_MAX_SCANNED_ROWS,
      maxColumns: XLSX_MAX_COLUMNS,
      maxUncompressedBytes: XLSX_MAX_UNCOMPRESSED_BYTES,
      maxEntries: XLSX_MAX_ZIP_ENTRIES,
    });
  } catch (err) {
    if (err instanceof XlsxError) throw new ImportFileError(err.kind, err.message);
    throw err;
  }
}
