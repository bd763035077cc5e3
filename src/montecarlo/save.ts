// Text of the files a Monte Carlo run can save: generated data sets (SAVE / REPSAVE) and per-replication
// results (RESULTS).

import type { GeneratedData } from './generate.js';
import type { RepRecord } from './types.js';

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(6));

/**
 * One generated data set, free format: the NAMES variables, then the generated class of each class
 * variable (1-based, GENCLASSES order), then the cluster number for two-level data.
 */
export function dataFileText(d: GeneratedData): string {
  const n = d.columns[0]?.length ?? 0;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const row = d.columns.map((c) => num(c[i]));
    for (const c of d.classes) row.push(String(c.of[i]));
    if (d.cluster) row.push(String(d.cluster[i]));
    lines.push(row.join(' '));
  }
  return lines.join('\n') + '\n';
}

/** `SAVE = rep*.dat;`: the `*` becomes the replication number; without `*` only the first data set is saved. */
export function saveName(pattern: string, rep: number): string {
  return pattern.includes('*') ? pattern.replace('*', String(rep)) : pattern;
}

/** The list file Mplus writes next to the data sets (`rep*.dat` -> `replist.dat`), for DATA: TYPE = MONTECARLO. */
export function listName(pattern: string): string | null {
  return pattern.includes('*') ? pattern.replace('*', 'list') : null;
}

/**
 * RESULTS file: one line per completed replication: replication number, the estimates and then the standard
 * errors in MODEL RESULTS parameter order, then loglikelihood, number of
 * free parameters, AIC, BIC, adjusted BIC.
 */
export function resultsFileText(records: RepRecord[]): string {
  const done = records.filter((r) => r.ok).sort((a, b) => a.rep - b.rep);
  if (!done.length) return '';
  const g = (x: number) => (Number.isFinite(x) ? x.toPrecision(10) : '*');
  return [...done.map((r) => [String(r.rep), ...r.est.map(g), ...r.se.map(g), g(r.fit!.loglikelihood), String(r.fit!.parameters), g(r.fit!.aic), g(r.fit!.bic), g(r.fit!.abic)].join(' '))].join('\n') + '\n';
}
