// The data stage: from the AST (DATA, VARIABLE, DEFINE, DATA WIDETOLONG /
// LONGTOWIDE) and the input file's folder to the Dataset of dataset.ts.
//
// Order of operations (the Mplus order where syntax.md documents it, otherwise ours):
//   read (free / fixed) -> MISSING symbols and codes -> reshape -> USEOBSERVATIONS
//   -> DEFINE -> VARIABLE: CENTERING -> roles (USEVARIABLES, CATEGORICAL, ...)
//   -> KNOWNCLASS rows -> missing cluster id -> LISTWISE -> rows missing on all
//   analysis variables -> categorical recoding -> BETWEEN constancy -> cluster index.
// Dropping rows with missing covariates depends on the MODEL, so it is a separate
// step the model stage calls: dropMissingCovariates().

import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { InputFile, DefineCommand } from '../syntax/ast.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { PlusmixError, inputError, dataError } from '../syntax/diagnostics.js';
import { expandNamesList } from '../syntax/lists.js';
import type { Dataset, DataColumn, DataSummary } from './dataset.js';
import { readFreeFile, type RawData } from './free.js';
import { parseFormat, readFixedFile, type FormatItem } from './fixed.js';
import { parseMissing, applyMissingCodes } from './missing.js';
import { findCommand, findOption, plainList, fileName, integerOption, singleWord } from './options.js';
import { compile, columnIndex, type Table } from './expr.js';
import { parseOptionExpression } from '../syntax/parse.js';
import { runDefine } from './define.js';
import { resolveRoles, type VariableRoles } from './variable.js';
import { buildClusterIndex, clusterNumbers } from './cluster.js';
import { wideToLong, longToWide } from './reshape.js';

export { readFreeFile, readFreeText } from './free.js';
export { parseFormat, readFixedText, readFixedFile } from './fixed.js';
export { parseMissing, applyMissingCodes } from './missing.js';
export { runDefine, clusterMeans, grandMean } from './define.js';
export { compile } from './expr.js';
export { resolveRoles } from './variable.js';
export { buildClusterIndex, clusterSizes } from './cluster.js';
export { wideToLong, longToWide } from './reshape.js';
export { missingPatterns } from './patterns.js';
export { fitTwoLevelH1 } from './twolevel-h1.js';

import { missingPatterns } from './patterns.js';

const up = (s: string) => s.toUpperCase();

export interface LoadResult {
  dataset: Dataset;
  diagnostics: Diagnostic[];
}

/** Read and prepare the data described by `ast`; `inputDir` is the folder of the input file (DATA: FILE is relative to it). */
export function loadData(ast: InputFile, inputDir: string): LoadResult {
  const file = ast.path;
  const diagnostics: Diagnostic[] = [];
  const dataCmd = findCommand(ast, 'DATA');
  const varCmd = findCommand(ast, 'VARIABLE');
  if (!dataCmd) throw new PlusmixError(inputError(file, ast.span, 'E_NO_DATA', 'The DATA command is required.', 'DATA'));
  const namesOpt = findOption(varCmd, 'NAMES');
  if (!varCmd || !namesOpt) throw new PlusmixError(inputError(file, varCmd?.headerSpan ?? ast.span, 'E_NO_NAMES', 'VARIABLE: NAMES is required.', 'VARIABLE'));

  // NAMES
  const names = expandNamesList(plainList(namesOpt, file, 'VARIABLE'), file);
  const seen = new Map<string, string>();
  for (const n of names) {
    if (seen.has(up(n))) throw new PlusmixError(inputError(file, namesOpt.valueSpan, 'E_DUPLICATE_NAME', `NAMES: the variable ${n} appears more than once.`, 'VARIABLE'));
    seen.set(up(n), n);
  }
  const missing = parseMissing(findOption(varCmd, 'MISSING'), names, file);

  // DATA options
  const typeOpt = findOption(dataCmd, 'TYPE');
  const type = singleWord(typeOpt);
  if (type && !'INDIVIDUAL'.startsWith(type)) {
    throw new PlusmixError(inputError(file, typeOpt!.valueSpan, 'E_NOT_SUPPORTED', `DATA: TYPE = ${type} is not supported; only TYPE = INDIVIDUAL data can be read.`, 'DATA'));
  }
  const fileOpt = findOption(dataCmd, 'FILE');
  if (!fileOpt) throw new PlusmixError(inputError(file, dataCmd.headerSpan, 'E_NO_FILE', 'DATA: FILE is required.', 'DATA'));
  const dataName = fileName(fileOpt);
  const path = resolveDataPath(dataName, inputDir);
  const nobsOpt = findOption(dataCmd, 'NOBSERVATIONS');
  const maxRecords = nobsOpt ? integerOption(nobsOpt, file, 'DATA') : undefined;
  const listwise = /^ON/i.test(findOption(dataCmd, 'LISTWISE')?.raw.trim() ?? '');
  const formatOpt = findOption(dataCmd, 'FORMAT');
  let format: FormatItem[] | undefined;
  if (formatOpt && singleWord(formatOpt) !== 'FREE') {
    try {
      format = parseFormat(formatOpt.raw);
    } catch (e) {
      throw new PlusmixError(inputError(file, formatOpt.valueSpan, 'E_BAD_FORMAT', (e as Error).message, 'DATA'));
    }
  }

  // read
  let raw: RawData;
  if (format) raw = readFixedFile(path, format, names.length, { file: dataName, blankMissing: missing.blank, missingSymbols: missing.symbols, maxRecords });
  else raw = readFreeFile(path, names.length, { file: dataName, missingSymbols: missing.symbols, maxRecords });
  diagnostics.push(...raw.diagnostics);
  applyMissingCodes(raw.columns, names, missing);
  let table: Table = { names: [...names], cols: raw.columns, nRows: raw.nRows };
  /** 1-based record number of each current row (for messages) */
  let recordNo = sequence(raw.nRows);

  const w2l = findCommand(ast, 'DATA WIDETOLONG');
  const l2w = findCommand(ast, 'DATA LONGTOWIDE');
  if (w2l) table = wideToLong(w2l, table, file);
  if (l2w) table = longToWide(l2w, table, file);
  if (w2l || l2w) recordNo = sequence(table.nRows);
  const nRead = table.nRows;
  const namesAfterReshape = [...table.names];

  const filter = (keep: Uint8Array) => {
    const r = filterRows(table, recordNo, keep);
    table = r.table;
    recordNo = r.recordNo;
  };

  // USEOBSERVATIONS (before DEFINE, over NAMES variables)
  let nDroppedUseObservations = 0;
  const useObs = findOption(varCmd, 'USEOBSERVATIONS');
  if (useObs) {
    const parsed = parseOptionExpression(ast, useObs);
    if (!parsed.expr || parsed.diagnostics.some((d) => d.severity === 'error')) throw new PlusmixError(parsed.diagnostics.filter((d) => d.severity === 'error'));
    const f = compile(parsed.expr, { table, file, command: 'VARIABLE' });
    const keep = new Uint8Array(table.nRows);
    for (let i = 0; i < table.nRows; i++) keep[i] = f(i) === 1 ? 1 : 0; // false or not evaluable -> dropped
    nDroppedUseObservations = table.nRows - count(keep);
    filter(keep);
  }

  // DEFINE (+ legacy CENTERING)
  const clusterName = clusterVariableName(varCmd, namesAfterReshape, file);
  const clusterCtx = () => {
    if (!clusterName) return {};
    const j = columnIndex(table, clusterName);
    return clusterNumbers(table.cols[j]);
  };
  const define = ast.commands.find((c): c is DefineCommand => c.kind === 'Define');
  let created: string[] = [];
  if (define) {
    const r = runDefine(define.statements, table, { file, ...clusterCtx() });
    created = r.created;
    diagnostics.push(...r.diagnostics);
  }
  const roles = resolveRoles(varCmd, namesAfterReshape, created, file);
  if (roles.centering) {
    const c = roles.centering;
    const refs = c.vars.map((name) => ({ kind: 'Var' as const, name, upper: up(name), span: c.span }));
    const r = runDefine([{ kind: 'Center', vars: refs, mode: c.mode, span: c.span }], table, { file, ...clusterCtx() });
    diagnostics.push(...r.diagnostics);
  }

  // KNOWNCLASS: rows with values outside every class are excluded
  let nDroppedKnownClass = 0;
  let knownOf: Int32Array | undefined;
  if (roles.knownClass) {
    const kc = roles.knownClass;
    const src = table.cols[columnIndex(table, kc.source)];
    const of = new Int32Array(table.nRows).fill(-1);
    for (let i = 0; i < table.nRows; i++) {
      const x = src[i];
      for (let k = 0; k < kc.classes.length && of[i] < 0; k++) if (kc.classes[k].some((r) => x >= r.lo && x <= r.hi)) of[i] = k;
    }
    const keep = Uint8Array.from(of, (k) => (k >= 0 ? 1 : 0));
    nDroppedKnownClass = table.nRows - count(keep);
    if (nDroppedKnownClass) {
      diagnostics.push(warn('W_KNOWNCLASS_EXCLUDED', `${nDroppedKnownClass} observation(s) have values of ${kc.source} that define no class of ${kc.classVariable} (KNOWNCLASS). These cases were not included in the analysis.`, file));
      filter(keep);
    }
    knownOf = Int32Array.from(of.filter((k) => k >= 0));
  }

  // rows with a missing cluster id
  let nDroppedMissingCluster = 0;
  if (roles.cluster) {
    const ids = table.cols[columnIndex(table, roles.cluster)];
    const top = roles.clusterTop ? table.cols[columnIndex(table, roles.clusterTop)] : undefined;
    const keep = Uint8Array.from(ids, (x, i) => (x === x && (!top || top[i] === top[i]) ? 1 : 0));
    nDroppedMissingCluster = table.nRows - count(keep);
    if (nDroppedMissingCluster) {
      diagnostics.push(
        warn('W_MISSING_CLUSTER', `Data set contains cases with missing on the cluster variable ${roles.cluster}. These cases were not included in the analysis. Number of such cases: ${nDroppedMissingCluster}`, file),
      );
      if (knownOf) knownOf = knownOf.filter((_, i) => keep[i] === 1);
      filter(keep);
    }
  }

  const useIdx = roles.use.map((n) => columnIndex(table, n));

  // LISTWISE = ON: any missing analysis variable drops the row
  let nDroppedListwise = 0;
  if (listwise) {
    const keep = new Uint8Array(table.nRows).fill(1);
    for (const j of useIdx) {
      const c = table.cols[j];
      for (let i = 0; i < table.nRows; i++) if (c[i] !== c[i]) keep[i] = 0;
    }
    nDroppedListwise = table.nRows - count(keep);
    if (nDroppedListwise) {
      if (knownOf) knownOf = knownOf.filter((_, i) => keep[i] === 1);
      filter(keep);
    }
  }

  // rows missing on all analysis variables
  let nDroppedAllMissing = 0;
  if (useIdx.length) {
    const keep = new Uint8Array(table.nRows);
    for (const j of useIdx) {
      const c = table.cols[j];
      for (let i = 0; i < table.nRows; i++) if (c[i] === c[i]) keep[i] = 1;
    }
    nDroppedAllMissing = table.nRows - count(keep);
    if (nDroppedAllMissing) {
      diagnostics.push(
        warn('W_ALL_MISSING', `Data set contains cases with missing on all variables. These cases were not included in the analysis. Number of cases with missing on all variables: ${nDroppedAllMissing}`, file),
      );
      if (knownOf) knownOf = knownOf.filter((_, i) => keep[i] === 1);
      filter(keep);
    }
  }
  if (table.nRows === 0) {
    throw new PlusmixError({ severity: 'error', code: 'E_NO_OBSERVATIONS', message: `No observations are left for the analysis after the exclusions (${nRead} records read from ${dataName}).`, location: { kind: 'file', file: dataName } });
  }

  // columns
  const mkColumn = (j: number, levelDefault: DataColumn['level']): DataColumn => {
    const name = table.names[j];
    const col: DataColumn = { name: up(name), display: name, values: table.cols[j], scale: roles.scale.get(up(name)) ?? 'continuous', level: roles.level.get(up(name)) ?? levelDefault, categories: undefined };
    const bl = roles.betweenLevel?.get(up(name));
    if (bl && col.level === 'between') col.betweenLevel = bl;
    return col;
  };
  const twoLevel = !!roles.cluster;
  const columns = useIdx.map((j) => mkColumn(j, twoLevel ? 'both' : 'within'));
  for (const c of columns) {
    if (c.scale === 'categorical' || c.scale === 'nominal') c.categories = recodeCategorical(c, recordNo, dataName, w2l || l2w ? undefined : raw.lineOfRow);
    else if (c.scale === 'count') checkCount(c, recordNo, dataName);
    if (c.scale !== 'categorical' && c.scale !== 'nominal') delete c.categories;
  }
  const extraNames = [roles.cluster, roles.clusterTop, roles.id, roles.weight, ...roles.auxiliary, roles.knownClass?.source, ...roles.constraint].filter((x): x is string => !!x);
  const extra: DataColumn[] = [];
  for (const n of extraNames) {
    if (extra.some((c) => c.name === up(n)) || columns.some((c) => c.name === up(n))) continue;
    const col = mkColumn(columnIndex(table, n), 'within');
    delete col.categories;
    extra.push(col);
  }

  // cluster structure and BETWEEN constancy
  let cluster: Dataset['cluster'];
  if (roles.cluster) {
    const ids = table.cols[columnIndex(table, roles.cluster)];
    cluster = buildClusterIndex(up(roles.cluster), ids);
    for (const c of columns) if (c.level === 'between' && c.betweenLevel !== 'LEVEL3') checkBetween(c, cluster, recordNo, dataName);
  }
  const clusterTop = roles.clusterTop && cluster ? threeLevelClusters(up(roles.clusterTop), table.cols[columnIndex(table, roles.clusterTop)], cluster, columns, recordNo, dataName) : undefined;

  const summary: DataSummary = {
    nRead,
    nUsed: table.nRows,
    nDroppedMissingCovariates: 0,
    nDroppedAllMissing,
    nDroppedUseObservations,
    nDroppedKnownClass,
    nDroppedMissingCluster,
    nDroppedListwise,
    ...missingPatterns(columns.map((c) => c.values), table.nRows),
  };
  const column = (n: string | undefined) => (n ? [...columns, ...extra].find((c) => c.name === up(n)) : undefined);
  const dataset: Dataset = {
    file: dataName,
    nRows: table.nRows,
    columns,
    extra,
    id: column(roles.id),
    weight: column(roles.weight),
    cluster,
    knownClass: knownOf && roles.knownClass ? [{ classVariable: up(roles.knownClass.classVariable), of: knownOf }] : undefined,
    summary,
    recordNumbers: recordNo,
  };
  if (!dataset.id) delete dataset.id;
  if (!dataset.weight) delete dataset.weight;
  if (!dataset.cluster) delete dataset.cluster;
  if (clusterTop) dataset.clusterTop = clusterTop;
  if (!dataset.knownClass) delete dataset.knownClass;
  return { dataset, diagnostics };
}

/**
 * Remove the rows with a missing value on any of `covariateNames` (Mplus default: cases with missing on
 * x-variables are not included in the analysis), rebuilding the cluster index and the summaries.
 */
export function dropMissingCovariates(ds: Dataset, covariateNames: string[]): LoadResult {
  const cols = covariateNames.map((n) => {
    const u = up(n);
    const c = ds.columns.find((x) => x.name === u) ?? ds.extra.find((x) => x.name === u);
    if (!c) throw new PlusmixError({ severity: 'error', code: 'E_UNKNOWN_VARIABLE', message: `dropMissingCovariates: unknown variable ${n}.`, location: { kind: 'none' } });
    return c.values;
  });
  const keep = new Uint8Array(ds.nRows).fill(1);
  for (const c of cols) for (let i = 0; i < ds.nRows; i++) if (c[i] !== c[i]) keep[i] = 0;
  const dropped = ds.nRows - count(keep);
  if (!dropped) return { dataset: ds, diagnostics: [] };
  const sub = (c: DataColumn): DataColumn => ({ ...c, values: select(c.values, keep, ds.nRows - dropped) });
  const columns = ds.columns.map(sub);
  const extra = ds.extra.map(sub);
  const find = (c?: DataColumn) => (c ? [...columns, ...extra].find((x) => x.name === c.name) : undefined);
  const n = ds.nRows - dropped;
  const out: Dataset = {
    ...ds,
    nRows: n,
    columns,
    extra,
    summary: { ...ds.summary, nUsed: n, nDroppedMissingCovariates: ds.summary.nDroppedMissingCovariates + dropped, ...missingPatterns(columns.map((c) => c.values), n) },
  };
  if (ds.id) out.id = find(ds.id);
  if (ds.weight) out.weight = find(ds.weight);
  if (ds.cluster) {
    const idCol = extra.find((c) => c.name === ds.cluster!.variable) ?? columns.find((c) => c.name === ds.cluster!.variable);
    out.cluster = buildClusterIndex(ds.cluster.variable, idCol!.values);
  }
  if (ds.clusterTop) {
    const idCol = extra.find((c) => c.name === ds.clusterTop!.variable);
    out.clusterTop = buildClusterIndex(ds.clusterTop.variable, idCol!.values);
  }
  if (ds.knownClass) out.knownClass = ds.knownClass.map((k) => ({ ...k, of: Int32Array.from(k.of.filter((_, i) => keep[i] === 1)) }));
  if (ds.recordNumbers) out.recordNumbers = Int32Array.from(ds.recordNumbers.filter((_, i) => keep[i] === 1));
  return {
    dataset: out,
    diagnostics: [
      warn('W_MISSING_COVARIATES', `Data set contains cases with missing on x-variables. These cases were not included in the analysis. Number of cases with missing on x-variables: ${dropped}`, ds.file),
    ],
  };
}

// ---------------------------------------------------------------------------

function resolveDataPath(name: string, inputDir: string): string {
  if (isAbsolute(name)) return name;
  const p = join(inputDir, name);
  if (existsSync(p)) return p;
  const cwd = resolve(name);
  return existsSync(cwd) ? cwd : p;
}

function clusterVariableName(varCmd: Parameters<typeof findOption>[0], names: string[], file: string): string | undefined {
  const o = findOption(varCmd, 'CLUSTER');
  if (!o) return undefined;
  const refs = plainList(o, file, 'VARIABLE');
  const r = refs[0];
  if (!r || r.kind !== 'Var') return undefined;
  const n = names.find((x) => up(x) === r.upper);
  return n; // unknown names are reported by resolveRoles
}

/** 1, 2, ..., n */
function sequence(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i + 1;
  return a;
}

function count(keep: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < keep.length; i++) s += keep[i];
  return s;
}

function select(c: Float64Array, keep: Uint8Array, n: number): Float64Array {
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) out[k++] = c[i];
  return out;
}

function filterRows(t: Table, recordNo: Int32Array, keep: Uint8Array): { table: Table; recordNo: Int32Array } {
  const n = count(keep);
  if (n === t.nRows) return { table: t, recordNo };
  const rn = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) rn[k++] = recordNo[i];
  return { table: { names: t.names, cols: t.cols.map((c) => select(c, keep, n)), nRows: n }, recordNo: rn };
}

function warn(code: string, message: string, file: string): Diagnostic {
  return { severity: 'warning', code, message, location: { kind: 'file', file } };
}

/**
 * CATEGORICAL / NOMINAL: values must be integers, at most 10 categories; the observed categories are
 * recoded to 0..k-1 in ascending order (Mplus). Returns the sorted original values.
 */
function recodeCategorical(c: DataColumn, recordNo: Int32Array, file: string, lineOfRecord?: Int32Array): number[] {
  const v = c.values;
  const cats = new Set<number>();
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x !== x) continue;
    if (!Number.isInteger(x)) {
      const rec = recordNo[i];
      const line = lineOfRecord ? lineOfRecord[rec - 1] : undefined;
      throw new PlusmixError(
        dataError(file, rec, `Categorical variable ${c.display} contains a non-integer value: ${x} in record ${rec}${line ? ` (line ${line})` : ''}. Categorical variables must hold integer values.`, { variable: c.display, ...(line ? { line } : {}) }, 'E_CATEGORICAL_NONINTEGER'),
      );
    }
    cats.add(x);
  }
  const sorted = [...cats].sort((a, b) => a - b);
  if (sorted.length > 10) {
    throw new PlusmixError({
      severity: 'error',
      code: 'E_CATEGORICAL_TOO_MANY',
      command: 'VARIABLE',
      message: `Categorical variable ${c.display} has ${sorted.length} categories (${sorted.slice(0, 12).join(', ')}${sorted.length > 12 ? ', ...' : ''}); the maximum is 10.`,
      location: { kind: 'data', file, row: 0, variable: c.display },
    });
  }
  const map = new Map(sorted.map((x, k) => [x, k]));
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) v[i] = map.get(v[i])!;
  return sorted;
}

function checkCount(c: DataColumn, recordNo: Int32Array, file: string): void {
  const v = c.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === x && (!Number.isInteger(x) || x < 0)) {
      throw new PlusmixError(dataError(file, recordNo[i], `Count variable ${c.display} must hold non-negative integers; record ${recordNo[i]} has ${x}.`, { variable: c.display }, 'E_COUNT_VALUE'));
    }
  }
}

/**
 * TYPE = THREELEVEL: the level-3 cluster index; checks that every level-2 cluster lies in one level-3
 * cluster (level-2 ids may repeat across level-3 clusters in Mplus data only if they are globally unique
 * here: plusmix groups persons by the level-2 id alone [ours]) and that (level3) BETWEEN variables are
 * constant within level-3 clusters.
 */
function threeLevelClusters(topName: string, topIds: Float64Array, low: NonNullable<Dataset['cluster']>, columns: DataColumn[], recordNo: Int32Array, file: string): NonNullable<Dataset['clusterTop']> {
  const top = buildClusterIndex(topName, topIds);
  for (let g = 0; g < low.ids.length; g++) {
    const i0 = low.order[low.start[g]];
    for (let k = low.start[g] + 1; k < low.start[g + 1]; k++) {
      const i = low.order[k];
      if (topIds[i] !== topIds[i0]) {
        throw new PlusmixError(
          dataError(file, recordNo[i], `Cluster ${low.ids[g]} of ${low.variable} lies in two clusters of the level-3 cluster variable (${topIds[i0]} in record ${recordNo[i0]}, ${topIds[i]} in record ${recordNo[i]}). Level-2 cluster ids must be unique across level-3 clusters.`, { variable: low.variable }, 'E_CLUSTER_NESTING'),
        );
      }
    }
  }
  for (const c of columns) if (c.level === 'between' && c.betweenLevel === 'LEVEL3') checkBetween(c, top, recordNo, file);
  return top;
}

function checkBetween(c: DataColumn, cl: NonNullable<Dataset['cluster']>, recordNo: Int32Array, file: string): void {
  const v = c.values;
  for (let g = 0; g < cl.ids.length; g++) {
    let first = NaN;
    let firstRow = -1;
    for (let k = cl.start[g]; k < cl.start[g + 1]; k++) {
      const i = cl.order[k];
      const x = v[i];
      if (x !== x) continue;
      if (firstRow < 0) {
        first = x;
        firstRow = i;
      } else if (x !== first) {
        throw new PlusmixError(
          dataError(
            file,
            recordNo[i],
            `The variable ${c.display} is declared BETWEEN but varies within cluster ${cl.ids[g]} of ${cl.variable}: it is ${first} in record ${recordNo[firstRow]} and ${x} in record ${recordNo[i]}. Between-level variables must be constant within each cluster.`,
            { variable: c.display },
            'E_BETWEEN_VARIES',
          ),
        );
      }
    }
  }
}

export type { VariableRoles };
