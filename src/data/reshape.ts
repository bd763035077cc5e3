// DATA WIDETOLONG / DATA LONGTOWIDE: reshape the data before VARIABLE roles,
// USEOBSERVATIONS and DEFINE apply (the new variables are then used in
// USEVARIABLES like any NAMES variable).
//
//   DATA WIDETOLONG: WIDE = y1-y4 | x1-x4; LONG = y | x; IDVARIABLE = person; REPETITION = time;
//   DATA LONGTOWIDE: LONG = y | x; WIDE = y1-y4 | x1-x4; IDVARIABLE = person; REPETITION = time (0 1 2 3);
//
// WIDETOLONG: every input row becomes T rows (T = length of each WIDE set),
// repetition values 0..T-1, id = 1-based row number unless IDVARIABLE names an
// existing variable; variables not in a WIDE set are repeated. The columns are
// the non-WIDE variables in their order, then the LONG variables, then the
// IDVARIABLE (if new) and REPETITION.
// LONGTOWIDE: rows are grouped by IDVARIABLE (order of first appearance); the
// row with repetition value v_t goes to column t of each WIDE set; other
// variables are taken from the first row of the id. Missing combinations are
// missing.

import type { OptionsCommand, OptionValue, VarRef } from '../syntax/ast.js';
import { PlusmixError, inputError } from '../syntax/diagnostics.js';
import { expandPositional, expandNamesList } from '../syntax/lists.js';
import type { Table } from './expr.js';
import { columnIndex } from './expr.js';
import { findOption, listItems, numericItems } from './options.js';

function splitBars(values: OptionValue[]): OptionValue[][] {
  const out: OptionValue[][] = [[]];
  for (const v of values) {
    if (v.kind === 'symbol' && v.text === '|') out.push([]);
    else out[out.length - 1].push(v);
  }
  return out;
}

function refsOf(values: OptionValue[], file: string, cmd: string): VarRef[] {
  return listItems(values, file, cmd).flatMap((it) => it.refs);
}

function requireOpt(cmd: OptionsCommand, name: string, file: string) {
  const o = findOption(cmd, name);
  if (!o) throw new PlusmixError(inputError(file, cmd.headerSpan, 'E_MISSING_OPTION', `${cmd.name} requires the ${name} option.`, cmd.name));
  return o;
}

export function wideToLong(cmd: OptionsCommand, t: Table, file: string): Table {
  const c = cmd.name;
  const wideOpt = requireOpt(cmd, 'WIDE', file);
  const longOpt = requireOpt(cmd, 'LONG', file);
  const sets = splitBars(wideOpt.values).map((vs) => expandPositional(refsOf(vs, file, c), t.names, file, c).map((r) => {
    const j = columnIndex(t, r.name);
    if (j < 0) throw new PlusmixError(inputError(file, r.span, 'E_UNKNOWN_VARIABLE', `${r.name} in WIDE is not a variable of the NAMES list.`, c));
    return j;
  }));
  const longNames = splitBars(longOpt.values).map((vs) => expandNamesList(refsOf(vs, file, c), file));
  if (longNames.length !== sets.length || longNames.some((l) => l.length !== 1)) {
    throw new PlusmixError(inputError(file, longOpt.valueSpan, 'E_RESHAPE', `LONG must name one variable for each set of WIDE variables (${sets.length}).`, c));
  }
  const T = sets[0].length;
  if (sets.some((s) => s.length !== T)) throw new PlusmixError(inputError(file, wideOpt.valueSpan, 'E_RESHAPE', 'All sets of WIDE variables must have the same number of variables.', c));
  const idName = findOption(cmd, 'IDVARIABLE')?.raw.trim();
  const repName = findOption(cmd, 'REPETITION')?.raw.trim();
  const wide = new Set(sets.flat());
  const keep = t.names.map((_, j) => j).filter((j) => !wide.has(j));
  const n = t.nRows * T;
  const names: string[] = [];
  const cols: Float64Array[] = [];
  for (const j of keep) {
    const src = t.cols[j];
    const col = new Float64Array(n);
    for (let i = 0; i < t.nRows; i++) col.fill(src[i], i * T, i * T + T);
    names.push(t.names[j]);
    cols.push(col);
  }
  sets.forEach((set, s) => {
    const col = new Float64Array(n);
    for (let i = 0; i < t.nRows; i++) for (let k = 0; k < T; k++) col[i * T + k] = t.cols[set[k]][i];
    names.push(longNames[s][0]);
    cols.push(col);
  });
  if (idName && columnIndex({ names, cols, nRows: n }, idName) < 0) {
    const col = new Float64Array(n);
    for (let i = 0; i < t.nRows; i++) col.fill(i + 1, i * T, i * T + T);
    names.push(idName);
    cols.push(col);
  }
  if (repName) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = i % T;
    names.push(repName);
    cols.push(col);
  }
  return { names, cols, nRows: n };
}

export function longToWide(cmd: OptionsCommand, t: Table, file: string): Table {
  const c = cmd.name;
  const wideOpt = requireOpt(cmd, 'WIDE', file);
  const longOpt = requireOpt(cmd, 'LONG', file);
  const idOpt = requireOpt(cmd, 'IDVARIABLE', file);
  const repOpt = requireOpt(cmd, 'REPETITION', file);
  const longCols = splitBars(longOpt.values).map((vs) => expandPositional(refsOf(vs, file, c), t.names, file, c).map((r) => {
    const j = columnIndex(t, r.name);
    if (j < 0) throw new PlusmixError(inputError(file, r.span, 'E_UNKNOWN_VARIABLE', `${r.name} in LONG is not a variable of the NAMES list.`, c));
    return j;
  })[0]);
  const wideNames = splitBars(wideOpt.values).map((vs) => expandNamesList(refsOf(vs, file, c), file));
  if (wideNames.length !== longCols.length) throw new PlusmixError(inputError(file, wideOpt.valueSpan, 'E_RESHAPE', 'WIDE must give one set of variables for each LONG variable.', c));
  const items = listItems(repOpt.values, file, c);
  const repRef = items[0]?.refs[0];
  if (!repRef || repRef.kind !== 'Var') throw new PlusmixError(inputError(file, repOpt.valueSpan, 'E_RESHAPE', 'REPETITION must name a variable.', c));
  const repJ = columnIndex(t, repRef.name);
  const idJ = columnIndex(t, idOpt.raw.trim());
  if (repJ < 0 || idJ < 0) throw new PlusmixError(inputError(file, repJ < 0 ? repOpt.valueSpan : idOpt.valueSpan, 'E_UNKNOWN_VARIABLE', `${repJ < 0 ? repRef.name : idOpt.raw.trim()} is not a variable of the NAMES list.`, c));
  const T = wideNames[0].length;
  let repValues: number[];
  if (items[0].group) repValues = numericItems(items[0].group.items, file, c).map((x) => (x.kind === 'value' ? x.value : x.lo));
  else repValues = Array.from({ length: T }, (_, k) => k);
  if (wideNames.some((w) => w.length !== T) || repValues.length !== T) {
    throw new PlusmixError(inputError(file, wideOpt.valueSpan, 'E_RESHAPE', `Each WIDE set must have one variable per repetition value (${repValues.length}).`, c));
  }
  const ids = t.cols[idJ];
  const group = new Map<number, number>();
  const firstRow: number[] = [];
  for (let i = 0; i < t.nRows; i++) if (!group.has(ids[i])) {
    group.set(ids[i], firstRow.length);
    firstRow.push(i);
  }
  const n = firstRow.length;
  const drop = new Set([repJ, ...longCols]);
  const names: string[] = [];
  const cols: Float64Array[] = [];
  t.names.forEach((name, j) => {
    if (drop.has(j)) return;
    names.push(name);
    cols.push(Float64Array.from(firstRow, (r) => t.cols[j][r]));
  });
  longCols.forEach((lj, s) => {
    const block = wideNames[s].map(() => new Float64Array(n).fill(NaN));
    for (let i = 0; i < t.nRows; i++) {
      const k = repValues.indexOf(t.cols[repJ][i]);
      if (k >= 0) block[k][group.get(ids[i])!] = t.cols[lj][i];
    }
    names.push(...wideNames[s]);
    cols.push(...block);
  });
  return { names, cols, nRows: n };
}
