// Free-format data reader (DATA: FORMAT = FREE, the default).
//
// Mplus reads free-format data as a stream of values separated by blanks,
// commas or tabs and cuts it into records of |NAMES| values, so one record may
// span lines or one line hold several records. We follow that, and in addition
// (syntax.md §3):
//  - a physical line that does not hold exactly |NAMES| values is a warning
//    (reported once, with the number of such lines), because almost every real
//    file has one record per line and a mismatch usually means a wrong NAMES list;
//  - if the total number of values is not a multiple of |NAMES|, the error names
//    the first line whose count differs (the likely culprit) and the last row.
// Missing-value symbols `.` / `*` are accepted only when declared in MISSING.
//
// Performance: the file is read in chunks of bytes and numbers are parsed from
// the bytes directly (no string splitting); values go straight into one
// Float64Array per variable, sized from a first pass that counts lines.

import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { PlusmixError, dataError } from '../syntax/diagnostics.js';

export interface RawData {
  /** one column per NAMES variable, length nRows (NaN = missing symbol) */
  columns: Float64Array[];
  nRows: number;
  /** 1-based physical line where each record starts */
  lineOfRow: Int32Array;
  diagnostics: Diagnostic[];
}

export interface FreeOptions {
  /** symbols declared as missing in MISSING (`.` and/or `*`) */
  missingSymbols?: string[];
  /** NOBSERVATIONS: read at most this many records */
  maxRecords?: number;
  /** file name used in messages */
  file: string;
}

const CHUNK = 1 << 24;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

function isSep(c: number): boolean {
  return c === 32 || c === 44 || c === 9 || c === 13 || c === 12 || c === 11;
}

/** Read a free-format file from disk (chunked, never holds the whole file). */
export function readFreeFile(path: string, nVars: number, opts: FreeOptions): RawData {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new PlusmixError({ severity: 'error', code: 'E_DATA_FILE', message: fileErrorMessage(e, opts.file), location: { kind: 'file', file: opts.file } });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new PlusmixError({ severity: 'error', code: 'E_DATA_FILE', message: `The data file ${opts.file} is a folder, not a file.`, location: { kind: 'file', file: opts.file } });
    const size = st.size;
    const buf = Buffer.from(new Uint8Array(Math.min(CHUNK, Math.max(size, 1)) + 1).buffer);
    // Pass 1: count lines to size the columns.
    let lines = 0;
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length - 1, pos);
      if (n <= 0) break;
      pos += n;
      let i = buf.indexOf(10, 0);
      while (i >= 0 && i < n) {
        lines++;
        i = buf.indexOf(10, i + 1);
      }
    }
    const reader = new FreeParser(nVars, lines + 1, opts);
    pos = 0;
    let carry = 0; // bytes of an unfinished line kept at the start of buf
    let big: Buffer | null = null; // only for lines longer than a chunk
    for (;;) {
      let work = big ?? buf;
      if (carry === work.length - 1) {
        // a single line longer than the buffer: grow
        const nb = Buffer.allocUnsafe(work.length * 2);
        work.copy(nb, 0, 0, carry);
        big = nb;
        work = nb;
      }
      const n = readSync(fd, work, carry, work.length - 1 - carry, pos);
      pos += Math.max(n, 0);
      const end = carry + Math.max(n, 0);
      if (n <= 0) {
        if (end > 0) reader.parse(new Uint8Array(work.buffer, work.byteOffset, end), 0, end);
        break;
      }
      const lastNl = work.lastIndexOf(10, end - 1);
      if (lastNl < 0) {
        carry = end;
        continue;
      }
      reader.parse(new Uint8Array(work.buffer, work.byteOffset, lastNl + 1), 0, lastNl + 1);
      if (reader.done) break;
      carry = end - (lastNl + 1);
      work.copy(work, 0, lastNl + 1, end);
    }
    if (reader.totalValues === 0) {
      throw new PlusmixError({ severity: 'error', code: 'E_DATA_EMPTY', message: `The data file ${opts.file} contains no data.`, location: { kind: 'file', file: opts.file } });
    }
    return reader.finish();
  } finally {
    closeSync(fd);
  }
}

/** Parse free-format text held in memory (tests, transformed data). */
export function readFreeText(text: string | Uint8Array, nVars: number, opts: FreeOptions): RawData {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  let lines = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) lines++;
  const p = new FreeParser(nVars, lines, opts);
  p.parse(bytes, 0, bytes.length);
  if (p.totalValues === 0) {
    throw new PlusmixError({ severity: 'error', code: 'E_DATA_EMPTY', message: `The data file ${opts.file} contains no data.`, location: { kind: 'file', file: opts.file } });
  }
  return p.finish();
}

function fileErrorMessage(e: unknown, file: string): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return `The data file ${file} was not found.`;
  if (code === 'EACCES' || code === 'EPERM') return `The data file ${file} cannot be read (permission denied).`;
  if (code === 'EISDIR') return `The data file ${file} is a folder, not a file.`;
  return `The data file ${file} cannot be read: ${(e as Error).message}`;
}

export { fileErrorMessage };

class FreeParser {
  columns: Float64Array[];
  lineOfRow: Int32Array;
  capacity: number;
  totalValues = 0;
  line = 1;
  lineValues = 0;
  badLines = 0;
  firstBadLine = 0;
  firstBadCount = 0;
  done = false;
  readonly nVars: number;
  readonly maxValues: number;
  readonly dotMissing: boolean;
  readonly starMissing: boolean;
  readonly file: string;

  constructor(nVars: number, capacity: number, opts: FreeOptions) {
    this.nVars = nVars;
    this.capacity = Math.max(1, opts.maxRecords !== undefined ? Math.min(capacity, opts.maxRecords) : capacity);
    this.columns = Array.from({ length: nVars }, () => new Float64Array(this.capacity));
    this.lineOfRow = new Int32Array(this.capacity);
    this.maxValues = opts.maxRecords !== undefined ? opts.maxRecords * nVars : Infinity;
    const syms = opts.missingSymbols ?? [];
    this.dotMissing = syms.includes('.');
    this.starMissing = syms.includes('*');
    this.file = opts.file;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    this.columns = this.columns.map((c) => {
      const n = new Float64Array(cap);
      n.set(c);
      return n;
    });
    const l = new Int32Array(cap);
    l.set(this.lineOfRow);
    this.lineOfRow = l;
    this.capacity = cap;
  }

  private tokenError(b: Uint8Array, s: number, e: number, lineStart: number): never {
    const token = Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
    const k = this.totalValues;
    const row = Math.floor(k / this.nVars) + 1;
    const varNo = (k % this.nVars) + 1;
    const hint = token === '.' || token === '*' ? ` Declare it with MISSING = ${token}; if it marks missing values.` : '';
    throw new PlusmixError(
      dataError(this.file, row, `Non-numeric value '${token}' in record ${row}, value ${varNo} (line ${this.line}, column ${s - lineStart + 1}).${hint}`, { line: this.line, column: s - lineStart + 1 }, 'E_DATA_NONNUMERIC'),
    );
  }

  /**
   * Parse bytes b[from, to); `to` must be at a line end or the end of the data.
   * Hot loop: state in locals, the common number shape (sign, up to 15 significant
   * digits, optional fraction) parsed inline; anything else goes to slowToken().
   */
  parse(b: Uint8Array, from: number, to: number): void {
    const nv = this.nVars;
    let cols = this.columns;
    let k = this.totalValues;
    let row = (k / nv) | 0;
    let col = k - row * nv;
    let line = this.line;
    let lineValues = this.lineValues;
    const maxValues = this.maxValues;
    let i = from;
    let lineStart = from;
    while (i < to) {
      let c = b[i];
      if (c === 10) {
        if (lineValues !== 0 && lineValues !== nv) this.badLine(line, lineValues);
        line++;
        lineValues = 0;
        i++;
        lineStart = i;
        continue;
      }
      if (c === 32 || c === 44 || c === 9 || c === 13) {
        i++;
        continue;
      }
      // a token starts at i
      const s = i;
      let neg = false;
      if (c === 45 || c === 43) {
        neg = c === 45;
        c = b[++i];
      }
      let mant = 0;
      let digits = 0;
      let frac = 0;
      let any = false;
      while (c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        if (mant !== 0) digits++;
        any = true;
        c = b[++i];
      }
      if (c === 46) {
        c = b[++i];
        while (c >= 48 && c <= 57) {
          mant = mant * 10 + (c - 48);
          if (mant !== 0) digits++;
          frac++;
          any = true;
          c = b[++i];
        }
      }
      let v: number;
      if (any && digits <= 15 && frac <= 22 && (i >= to || c === 32 || c === 10 || c === 44 || c === 9 || c === 13)) {
        v = frac === 0 ? mant : mant / POW10[frac]; // exact operands, one correctly rounded division
        if (neg) v = -v;
      } else {
        let e = i;
        while (e < to && !(b[e] === 10 || isSep(b[e]))) e++;
        this.line = line;
        this.totalValues = k;
        v = this.slowToken(b, s, e, lineStart);
        i = e;
      }
      if (col === 0) {
        if (row >= this.capacity) {
          this.grow();
          cols = this.columns;
        }
        this.lineOfRow[row] = line;
      }
      cols[col][row] = v;
      k++;
      lineValues++;
      if (++col === nv) {
        col = 0;
        row++;
      }
      if (k >= maxValues) {
        this.done = true;
        break;
      }
    }
    this.totalValues = k;
    this.line = line;
    this.lineValues = lineValues;
  }

  private badLine(line: number, count: number): void {
    if (this.badLines === 0) {
      this.firstBadLine = line;
      this.firstBadCount = count;
    }
    this.badLines++;
  }

  /** Tokens the inline path does not handle: missing symbols, exponents, long mantissas, garbage. */
  private slowToken(b: Uint8Array, s: number, e: number, lineStart: number): number {
    if (e - s === 1 && ((b[s] === 46 && this.dotMissing) || (b[s] === 42 && this.starMissing))) return NaN;
    return this.slow(b, s, e, lineStart);
  }

  /** Exponents (`1e-3`, Fortran `1.0D+02`), very long mantissas. */
  private slow(b: Uint8Array, s: number, e: number, lineStart: number): number {
    const t = Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1').replace(/[dD]/, 'e');
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) this.tokenError(b, s, e, lineStart);
    return Number(t);
  }

  finish(): RawData {
    if (this.lineValues !== 0 && this.lineValues !== this.nVars) this.badLine(this.line, this.lineValues);
    if (this.lineValues > 0) this.line++;
    const nv = this.nVars;
    const nRows = Math.floor(this.totalValues / nv);
    const diagnostics: Diagnostic[] = [];
    const rem = this.totalValues - nRows * nv;
    if (rem !== 0) {
      const where = this.badLines > 0 ? ` Line ${this.firstBadLine} holds ${this.firstBadCount} values where NAMES lists ${nv} variables.` : '';
      throw new PlusmixError(
        dataError(
          this.file,
          nRows + 1,
          `The data file ${this.file} ends in the middle of record ${nRows + 1}: it has ${rem} of the ${nv} values that NAMES requires.${where} Check NAMES and the rows with too few or too many values.`,
          this.badLines > 0 ? { line: this.firstBadLine } : { line: this.line - 1 },
          'E_DATA_RECORD_LENGTH',
        ),
      );
    }
    if (this.badLines > 0) {
      diagnostics.push({
        severity: 'warning',
        code: 'W_DATA_LINE_LENGTH',
        message: `${this.badLines} line(s) of ${this.file} do not hold exactly ${nv} values (first: line ${this.firstBadLine} with ${this.firstBadCount}); records were read as a stream of ${nv} values each.`,
        location: { kind: 'data', file: this.file, row: 0, line: this.firstBadLine },
      });
    }
    let columns = this.columns;
    let lineOfRow = this.lineOfRow;
    if (nRows < this.capacity * 0.9) {
      columns = columns.map((c) => c.slice(0, nRows));
      lineOfRow = lineOfRow.slice(0, nRows);
    } else if (nRows < this.capacity) {
      columns = columns.map((c) => c.subarray(0, nRows));
      lineOfRow = lineOfRow.subarray(0, nRows);
    }
    return { columns, nRows, lineOfRow, diagnostics };
  }
}
