// SAVEDATA: the saved data file (analysis variables + class probabilities / factor scores) and the
// SAVEDATA INFORMATION section that tells readers (MplusAutomation's getSavedata) the column order
// and Fortran formats.
//
// Column order (observed in Mplus mixture runs): analysis variables, [FSCORES: EAP estimates of the
// random effects] [inferred position], [CPROBABILITIES: CPROB1..CPROBK, then the most likely class named
// after the CLASSES variable], then the ID variable and, for two-level data, the cluster variable, both in
// I format [cluster position inferred]. Default format F10.3; missing values print MISSFLAG (default `*`)
// right-aligned in the field.

import type { Dataset } from '../data/dataset.js';
import type { EstimationResult } from '../results/types.js';
import { fixed, fmtF, fmtI, padR } from './format.js';
import type { SaveDataInfo } from './types.js';

export interface SaveColumn {
  name: string;
  values: Float64Array;
  /** printed in I format (ids, cluster numbers) */
  integer: boolean;
}

export interface SaveDataOptions {
  file: string;
  cprobabilities: boolean;
  fscores: boolean;
  /** 'FREE' or a Fortran edit descriptor for the real-valued columns, e.g. 'F10.3' (default) */
  format?: string;
  missingSymbol?: string;
  /** CLASSES variable name (most likely class column) */
  classVariable?: string;
  results?: string;
  estimates?: string;
}

/** Assemble the columns of the save file from the data, the posterior probabilities and factor scores. */
export function saveColumns(ds: Dataset, result: EstimationResult, opts: SaveDataOptions): SaveColumn[] {
  // categorical variables are held recoded to 0..k-1; the save file carries the original codes
  const cols: SaveColumn[] = ds.columns.map((c) => ({ name: c.name, values: c.categories ? c.values.map((v) => (Number.isNaN(v) ? NaN : c.categories![v])) : c.values, integer: false }));
  if (opts.fscores && result.factorScores) {
    const fs = result.factorScores;
    const k = fs.names.length;
    fs.names.forEach((name, j) => {
      const v = new Float64Array(ds.nRows);
      for (let i = 0; i < ds.nRows; i++) {
        const unit = fs.perCluster && ds.cluster ? ds.cluster.ofRow[i] : i;
        v[i] = fs.values[unit * k + j];
      }
      cols.push({ name, values: v, integer: false });
    });
  }
  if (opts.cprobabilities && result.posterior && result.classCounts) {
    const K = result.classCounts.labels.length;
    const modal = new Float64Array(ds.nRows);
    for (let k = 0; k < K; k++) {
      const v = new Float64Array(ds.nRows);
      for (let i = 0; i < ds.nRows; i++) v[i] = result.posterior[i * K + k];
      cols.push({ name: `CPROB${k + 1}`, values: v, integer: false });
    }
    for (let i = 0; i < ds.nRows; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (result.posterior[i * K + k] > result.posterior[i * K + best]) best = k;
      modal[i] = best + 1;
    }
    const cvs = result.classVariables ?? [];
    if (cvs.length > 1) {
      // several class variables (Mplus): CPROB per class pattern, the most likely class of each class
      // variable (by its marginal probabilities), then MLCJOINT, the most likely pattern
      let stride = K;
      const marg = new Float64Array(K);
      cvs.forEach((cv) => {
        stride /= cv.nClasses;
        const v = new Float64Array(ds.nRows);
        for (let i = 0; i < ds.nRows; i++) {
          marg.fill(0, 0, cv.nClasses);
          for (let k = 0; k < K; k++) marg[Math.floor(k / stride) % cv.nClasses] += result.posterior![i * K + k];
          let best = 0;
          for (let c = 1; c < cv.nClasses; c++) if (marg[c] > marg[best]) best = c;
          v[i] = best + 1;
        }
        cols.push({ name: cv.name.toUpperCase(), values: v, integer: false });
      });
      cols.push({ name: 'MLCJOINT', values: modal, integer: false });
    } else cols.push({ name: (opts.classVariable ?? 'C').toUpperCase(), values: modal, integer: false });
  }
  if (ds.id) cols.push({ name: ds.id.name, values: ds.id.values, integer: true });
  if (ds.cluster) {
    const v = new Float64Array(ds.nRows);
    for (let i = 0; i < ds.nRows; i++) v[i] = ds.cluster.ids[ds.cluster.ofRow[i]];
    cols.push({ name: ds.cluster.variable, values: v, integer: true });
  }
  return cols;
}

function intWidth(values: Float64Array): number {
  let w = 1;
  for (const x of values) if (Number.isFinite(x)) w = Math.max(w, String(Math.round(x)).length);
  return w + 1;
}

/** Fortran `Fw.d` -> [w, d] */
function parseF(format: string): [number, number] {
  const m = /^F(\d+)\.(\d+)$/i.exec(format.trim());
  if (!m) throw new Error(`unsupported SAVEDATA FORMAT ${format}`);
  return [Number(m[1]), Number(m[2])];
}

/** `['F10.3','F10.3','I4']` -> `2F10.3 I4` */
export function compressFormats(formats: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < formats.length; ) {
    let j = i;
    while (j < formats.length && formats[j] === formats[i]) j++;
    out.push((j - i > 1 ? String(j - i) : '') + formats[i]);
    i = j;
  }
  return out.join(' ');
}

/** The save file text and the SAVEDATA INFORMATION description of it. */
export function buildSaveData(cols: SaveColumn[], opts: SaveDataOptions): { text: string; info: SaveDataInfo } {
  const free = (opts.format ?? 'F10.3').toUpperCase() === 'FREE';
  const missing = opts.missingSymbol ?? '*';
  const [w, d] = free ? [0, 3] : parseF(opts.format ?? 'F10.3');
  const formats = cols.map((c) => (c.integer ? `I${intWidth(c.values)}` : `F${w}.${d}`));
  const n = cols.length ? cols[0].values.length : 0;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const cells = cols.map((c, j) => {
      const x = c.values[i];
      if (free) return Number.isFinite(x) ? (c.integer ? String(Math.round(x)) : fixed(x, d)) : missing;
      const width = c.integer ? Number(formats[j].slice(1)) : w;
      if (!Number.isFinite(x)) return missing.padStart(width);
      return c.integer ? fmtI(x, width) : fmtF(x, w, d);
    });
    lines.push(cells.join(free ? ' ' : ''));
  }
  const others: Array<{ title: string; file: string }> = [];
  if (opts.results) others.push({ title: 'Results', file: opts.results });
  if (opts.estimates) others.push({ title: 'Estimates', file: opts.estimates });
  const info: SaveDataInfo = {
    file: opts.file,
    variables: cols.map((c, j) => (free ? { name: c.name } : { name: c.name, format: formats[j] })),
    fileFormat: free ? 'Free' : compressFormats(formats),
    recordLength: 10000,
    missingSymbol: missing,
    others: others.length ? others : undefined,
  };
  return { text: lines.join('\n') + (lines.length ? '\n' : ''), info };
}

/** Lines of the SAVEDATA INFORMATION section (header included). */
export function saveDataInformation(s: SaveDataInfo): string[] {
  const L = ['SAVEDATA INFORMATION', '', ''];
  if (s.variables.length) {
    L.push('  Save file', '    ' + s.file, '');
    const free = s.fileFormat === 'Free';
    L.push(free ? '  Order of variables' : '  Order and format of variables', '');
    for (const v of s.variables) L.push(v.format ? '    ' + padR(v.name.slice(0, 8), 15) + v.format : '    ' + v.name.slice(0, 8));
    L.push('');
    if (free) L.push('  Save file format           Free');
    else L.push('  Save file format', '    ' + s.fileFormat);
    L.push('', `  Save file record length    ${s.recordLength}`, '', `  Save missing symbol        ${s.missingSymbol}`);
  }
  for (const o of s.others ?? []) L.push('', '  ' + o.title, '', '  Save file', '    ' + o.file);
  return L;
}

/**
 * RESULTS / ESTIMATES file: free format, 5 numbers per line (F15.8) [format inferred; Mplus's exact
 * RESULTS layout was not available]: the free parameters in TECH1 order, then their standard errors,
 * then loglikelihood, number of parameters, AIC, BIC, aBIC.
 */
export function resultsFileText(result: EstimationResult, withFit: boolean): string {
  const xs: number[] = [...result.theta];
  const free = result.parameters.filter((p) => !p.fixed && p.par > 0);
  const sePar = new Map<number, number>();
  for (const p of free) sePar.set(p.par, p.se);
  for (let i = 1; i <= result.theta.length; i++) xs.push(sePar.get(i) ?? NaN);
  if (withFit && result.fit) xs.push(result.fit.loglikelihood, result.fit.parameters, result.fit.aic, result.fit.bic, result.fit.abic);
  const lines: string[] = [];
  for (let i = 0; i < xs.length; i += 5) lines.push(xs.slice(i, i + 5).map((x) => (Number.isFinite(x) ? fmtF(x, 15, 8) : '*'.padStart(15))).join(''));
  return lines.join('\n') + '\n';
}
