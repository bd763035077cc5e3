// Fixed-format data: Fortran-like FORMAT statements (syntax.md §3).
//
//   (F2.0, 3F8.3, 2X, 5F4.1)   F3, 2X, 2(F5.2, 1X)   T130   /
//
// Descriptors: Fw.d (Fw = Fw.0), Iw, Ew.d / Gw.d / Dw.d (read like F), wX (skip w
// columns), Tn (go to column n), `/` (next physical line); a repeat count may
// precede any descriptor or parenthesised group. Fw.d semantics: take w
// columns; an explicit decimal point wins, otherwise a decimal point is implied
// d digits from the right (F5.2 reading `12345` -> 123.45). Blanks around the
// number are ignored; an all-blank field is missing when MISSING = BLANK, else
// an error.

import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { PlusmixError, dataError } from '../syntax/diagnostics.js';
import type { RawData } from './free.js';
import { fileErrorMessage } from './free.js';

export type FormatItem =
  | { kind: 'field'; width: number; decimals: number } // F, I, E, G, D
  | { kind: 'skip'; width: number } // X
  | { kind: 'tab'; column: number } // T (1-based)
  | { kind: 'newline' }; // /

/** Parse a FORMAT text into a flat list of items (repeats and groups expanded). Throws a plain Error with a message on bad syntax. */
export function parseFormat(text: string): FormatItem[] {
  let s = text.trim().toUpperCase();
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`Invalid FORMAT '${text.trim()}': ${msg}`);
  };
  const int = (): number | undefined => {
    const m = /^\d+/.exec(s.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return parseInt(m[0], 10);
  };
  const ws = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  s = s.replace(/;\s*$/, '');
  const list = (closing: boolean): FormatItem[] => {
    const out: FormatItem[] = [];
    for (;;) {
      ws();
      if (i >= s.length) {
        if (closing) fail('missing )');
        return out;
      }
      const c = s[i];
      if (c === ')') {
        if (!closing) fail('unexpected )');
        i++;
        return out;
      }
      if (c === ',') {
        i++;
        continue;
      }
      if (c === '/') {
        i++;
        out.push({ kind: 'newline' });
        continue;
      }
      const rep = int();
      ws();
      const d = s[i];
      if (d === '(') {
        i++;
        const inner = list(true);
        for (let k = 0; k < (rep ?? 1); k++) out.push(...inner);
        continue;
      }
      if (d === 'X') {
        i++;
        out.push({ kind: 'skip', width: rep ?? 1 });
        continue;
      }
      if (d === '/') {
        i++;
        for (let k = 0; k < (rep ?? 1); k++) out.push({ kind: 'newline' });
        continue;
      }
      if (d === 'T') {
        i++;
        const col = int();
        if (!col) fail('T needs a column number');
        out.push({ kind: 'tab', column: col as number });
        continue;
      }
      if (d === 'F' || d === 'I' || d === 'E' || d === 'G' || d === 'D') {
        i++;
        const w = int();
        if (!w) fail(`${d} needs a width`);
        let dec = 0;
        if (s[i] === '.') {
          i++;
          const dd = int();
          if (dd === undefined) fail(`${d}${w}. needs a number of decimals`);
          dec = dd as number;
        }
        for (let k = 0; k < (rep ?? 1); k++) out.push({ kind: 'field', width: w as number, decimals: dec });
        continue;
      }
      fail(`unexpected '${d ?? 'end'}'`);
    }
  };
  const items = list(false);
  // A single outer pair of parentheses is common: `(F2.0, 3F8.3)` -> already flattened by the group rule.
  return items;
}

export function countFields(items: FormatItem[]): number {
  let n = 0;
  for (const it of items) if (it.kind === 'field') n++;
  return n;
}

export interface FixedOptions {
  file: string;
  /** MISSING = BLANK */
  blankMissing?: boolean;
  missingSymbols?: string[];
  maxRecords?: number;
}

function parseField(t: string, decimals: number): number {
  const trimmed = t.trim().replace(/[dD]/, 'E');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return NaN;
  const v = Number(trimmed);
  if (decimals > 0 && !trimmed.includes('.') && !/[eE]/.test(trimmed)) return v / 10 ** decimals;
  return v;
}

/** Read fixed-format text (whole file in memory; fixed-format files are small in practice). */
export function readFixedText(text: string, items: FormatItem[], nVars: number, opts: FixedOptions): RawData {
  const nFields = countFields(items);
  if (nFields !== nVars) {
    throw new PlusmixError({
      severity: 'error',
      code: 'E_FORMAT_FIELDS',
      message: `The FORMAT statement describes ${nFields} variable(s) but NAMES lists ${nVars}.`,
      command: 'DATA',
      location: { kind: 'file', file: opts.file },
    });
  }
  const lines = text.split(/\r?\n|\r/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) {
    throw new PlusmixError({ severity: 'error', code: 'E_DATA_EMPTY', message: `The data file ${opts.file} contains no data.`, location: { kind: 'file', file: opts.file } });
  }
  const linesPerRecord = 1 + items.filter((it) => it.kind === 'newline').length;
  let nRows = Math.floor(lines.length / linesPerRecord);
  if (lines.length % linesPerRecord !== 0) {
    throw new PlusmixError(
      dataError(opts.file, nRows + 1, `The FORMAT reads ${linesPerRecord} lines per record, but the data file has ${lines.length} lines (not a multiple of ${linesPerRecord}); record ${nRows + 1} is incomplete.`, { line: lines.length }, 'E_DATA_RECORD_LENGTH'),
    );
  }
  if (opts.maxRecords !== undefined) nRows = Math.min(nRows, opts.maxRecords);
  const columns = Array.from({ length: nVars }, () => new Float64Array(nRows));
  const lineOfRow = new Int32Array(nRows);
  const syms = opts.missingSymbols ?? [];
  const diagnostics: Diagnostic[] = [];
  for (let r = 0; r < nRows; r++) {
    let li = r * linesPerRecord;
    lineOfRow[r] = li + 1;
    let col = 0; // 0-based position in the current line
    let v = 0;
    for (const it of items) {
      if (it.kind === 'newline') {
        li++;
        col = 0;
      } else if (it.kind === 'skip') col += it.width;
      else if (it.kind === 'tab') col = it.column - 1;
      else {
        const line = lines[li];
        const end = col + it.width;
        if (end > line.length && !opts.blankMissing) {
          throw new PlusmixError(
            dataError(
              opts.file,
              r + 1,
              `The FORMAT is wider than line ${li + 1} of ${opts.file}: variable ${v + 1} of record ${r + 1} needs columns ${col + 1}-${end}, but the line has ${line.length} characters.`,
              { line: li + 1, column: col + 1 },
              'E_FORMAT_WIDER',
            ),
          );
        }
        const field = line.slice(col, end);
        const t = field.trim();
        let x: number;
        if (t === '') {
          if (!opts.blankMissing) {
            throw new PlusmixError(
              dataError(opts.file, r + 1, `Blank field for variable ${v + 1} of record ${r + 1} (line ${li + 1}, columns ${col + 1}-${end}). Use MISSING = BLANK; if blanks mark missing values.`, { line: li + 1, column: col + 1 }, 'E_DATA_BLANK'),
            );
          }
          x = NaN;
        } else if (syms.includes(t)) x = NaN;
        else {
          x = parseField(field, it.decimals);
          if (Number.isNaN(x)) {
            throw new PlusmixError(
              dataError(opts.file, r + 1, `Non-numeric value '${t}' in record ${r + 1}, value ${v + 1} (line ${li + 1}, columns ${col + 1}-${end}).`, { line: li + 1, column: col + 1 }, 'E_DATA_NONNUMERIC'),
            );
          }
        }
        columns[v][r] = x;
        v++;
        col = end;
      }
    }
  }
  return { columns, nRows, lineOfRow, diagnostics };
}

export function readFixedFile(path: string, items: FormatItem[], nVars: number, opts: FixedOptions): RawData {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw new PlusmixError({ severity: 'error', code: 'E_DATA_FILE', message: fileErrorMessage(e, opts.file), location: { kind: 'file', file: opts.file } });
  }
  return readFixedText(text, items, nVars, opts);
}
