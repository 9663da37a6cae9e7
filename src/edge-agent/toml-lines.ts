/**
 * Where each key of a TOML document sits: smol-toml reports the line of a syntax error but the
 * parsed object has no positions, and a semantic error ("register_type must be ...") must name its
 * line too. A light scan of the text maps every table header and `key =` line to a path in the
 * shape the validator uses (`source[1].modbus.registers[0].address`); values are not parsed here.
 */

/** `a.b[2].c` → `a.b[2]`, `a.b[2]` → `a.b`, `a` → null */
export function parentPath(path: string): string | null {
  if (path.endsWith(']')) return path.slice(0, path.lastIndexOf('['));
  const dot = path.lastIndexOf('.');
  return dot < 0 ? null : path.slice(0, dot);
}

/** Splits a dotted TOML key (`a."b.c".d`) into its parts, unquoted. */
function splitKey(raw: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (const ch of raw) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '.') {
      parts.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  parts.push(cur.trim());
  return parts;
}

/** The text of a line up to a `#` that is not inside a string. */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return line.slice(0, i);
  }
  return line;
}

/** Net `[` minus `]` outside strings (an array value continuing on the next lines stays open). */
function bracketBalance(s: string): number {
  let quote: string | null = null;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') n++;
    else if (ch === ']') n--;
  }
  return n;
}

const HEADER_ARRAY = /^\[\[\s*(.+?)\s*\]\]$/;
const HEADER_TABLE = /^\[\s*([^[\]].*?)\s*\]$/;
const KEY_LINE = /^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=(.*)$/;
const INLINE_KEY = /(?:^|[{,])\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=/g;

/** Maps paths (`agent.api_key`, `source[0].modbus.registers[1]`) to 1-based line numbers. */
export class TomlLineMap {
  private readonly lines = new Map<string, number>();

  constructor(text: string) {
    const arrays = new Map<string, number>();
    let table = '';
    let multiline: string | null = null;
    let openArray: { path: string; depth: number; index: number } | null = null;
    const set = (path: string, line: number) => {
      if (!this.lines.has(path)) this.lines.set(path, line);
    };
    /** a dotted header's path, with the current element of every array of tables on the way */
    const resolve = (parts: string[], last: 'array' | 'table'): string => {
      let path = '';
      parts.forEach((p, i) => {
        path = path ? `${path}.${p}` : p;
        if (i === parts.length - 1 && last === 'array') {
          const idx = (arrays.get(path) ?? -1) + 1;
          arrays.set(path, idx);
          path = `${path}[${idx}]`;
        } else if (arrays.has(path)) path = `${path}[${arrays.get(path)}]`;
      });
      return path;
    };
    text.split(/\r?\n/).forEach((rawLine, i) => {
      const lineNo = i + 1;
      if (multiline) {
        // inside a multi-line string: only its end matters
        if (rawLine.split(multiline).length % 2 === 0) multiline = null;
        return;
      }
      const line = stripComment(rawLine).trim();
      if (!line) return;
      if (openArray) {
        // elements of a multi-line array value: inline tables get an index each
        if (line.startsWith('{')) {
          const elem = `${openArray.path}[${openArray.index++}]`;
          set(elem, lineNo);
          for (const m of line.matchAll(INLINE_KEY)) set(`${elem}.${splitKey(m[1]!)[0]}`, lineNo);
        }
        openArray.depth += bracketBalance(line);
        if (openArray.depth <= 0) openArray = null;
        return;
      }
      let m = HEADER_ARRAY.exec(line);
      if (m) {
        table = resolve(splitKey(m[1]!), 'array');
        set(table, lineNo);
        return;
      }
      m = HEADER_TABLE.exec(line);
      if (m) {
        table = resolve(splitKey(m[1]!), 'table');
        set(table, lineNo);
        return;
      }
      m = KEY_LINE.exec(line);
      if (!m) return;
      const path = [table, ...splitKey(m[1]!)].filter(Boolean).join('.');
      set(path, lineNo);
      const value = m[2]!.trim();
      for (const q of ['"""', "'''"]) {
        if (value.startsWith(q) && value.split(q).length === 2) multiline = q;
      }
      if (value.startsWith('[')) {
        const depth = bracketBalance(value);
        // an array of inline tables on one line: every element sits on this line
        let index = 0;
        if (value.includes('{')) {
          for (const part of value.split('{').slice(1)) {
            const elem = `${path}[${index++}]`;
            set(elem, lineNo);
            for (const k of `{${part}`.matchAll(INLINE_KEY)) set(`${elem}.${splitKey(k[1]!)[0]}`, lineNo);
          }
        }
        if (depth > 0) openArray = { path, depth, index };
      }
    });
  }

  /** The line of a path, else of its nearest ancestor that has one. */
  lineOf(path: string): number | undefined {
    let p: string | null = path;
    while (p) {
      const l = this.lines.get(p);
      if (l !== undefined) return l;
      p = parentPath(p);
    }
    return undefined;
  }
}
