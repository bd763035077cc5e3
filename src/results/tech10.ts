// OUTPUT: TECH10 for TYPE = MIXTURE models whose latent class indicators are binary / ordinal (logit
// link): the "MODEL FIT INFORMATION FOR THE LATENT CLASS INDICATOR MODEL PART" of Mplus.
//
// Conventions worked out from Mplus 8.8's ex7.3.out (LCA, 4 binary items, 2 classes, N = 500), whose
// every printed digit these formulas reproduce (test/output/tech10.test.ts):
//  - H0 model: P(pattern) = sum_k pi_k prod_v P(u_v | k), P(u_v = category j | k) from the class's
//    thresholds as in probability.ts; pi_k from the Means of the categorical latent variable
//    (multinomial logit, last class 0).
//  - Response patterns are numbered in order of first appearance in the data and printed with the
//    data's own values (e.g. `1101`).
//  - Pattern standardized residual z = (O - E) / sqrt(E (1 - E / N)) (pattern 13: 1.91, not the
//    1.90 of (O - E) / sqrt(E)); Pearson contribution (O - E)^2 / E; loglikelihood contribution
//    2 O ln(O / E) (negative when O < E).
//  - Empty cells: the Pearson contribution of a pattern never observed is E, so their total is
//    N - sum over observed patterns of E.
//  - Univariate / bivariate tables: H1 = observed proportion p, H0 = model probability q over all
//    classes, z = (p - q) / sqrt(q (1 - q) / N); chi-squares N sum (p - q)^2 / q and
//    2 N sum p ln(p / q) over the categories (cells) of a variable (pair); a residual is significant
//    when |z| > 1.96 [inferred: ex7.3 has none, so the cut-off is not visible there]. Bivariate
//    tables: every pair of indicators in input order, every pair of categories.
//  - Class-specific tables: "Observed" = posterior-weighted proportion sum_i post_ik [u_i = j] /
//    sum_i post_ik (posteriors recomputed from the same estimates), "Estimated" = the class's model
//    probability, standardized residual (obs - est) / sqrt(est (1 - est) / n_k), n_k = sum_i post_ik.
//
// Scope: one class variable, complete data on the indicators, no weights, no KNOWNCLASS and no
// covariates (`c ON x` makes pi_k person-specific, E would be the sum over persons of their pattern
// probabilities: not implemented). Outside it tech10() returns null and TECH10 is not printed.
// The "Deleted" column stays empty: Mplus's cell-deletion rule is not visible in the reference.

import type { Dataset } from '../data/dataset.js';
import type { ModelIR } from '../model/ir.js';
import type { EstimationResult } from './types.js';

export interface Tech10Pattern {
  /** the data values of the indicators, concatenated (`1101`) */
  pattern: string;
  observed: number;
  estimated: number;
  z: number;
  pearson: number;
  loglikelihood: number;
}

export interface Tech10Cell {
  /** category numbers (1-based) of the first and, for bivariate cells, the second variable */
  categories: number[];
  h1: number;
  h0: number;
  z: number;
}

export interface Tech10Table {
  /** one name (univariate) or two (bivariate) */
  variables: string[];
  cells: Tech10Cell[];
  pearson: number;
  loglikelihood: number;
  significant: number;
}

export interface Tech10Totals {
  pearson: number;
  loglikelihood: number;
  significant: number;
}

/** class-specific tables: h1 = posterior-weighted observed, h0 = the class's model probability */
export interface Tech10Class {
  label: string;
  univariate: Tech10Table[];
  bivariate: Tech10Table[];
}

export interface Tech10Result {
  patterns: Tech10Pattern[];
  emptyCellsPearson: number;
  univariate: Tech10Table[];
  univariateTotals: Tech10Totals;
  bivariate: Tech10Table[];
  bivariateTotals: Tech10Totals;
  classes: Tech10Class[];
}

const SIGNIFICANT = 1.96;
const logistic = (t: number) => 1 / (1 + Math.exp(-t));

/** P(category j | class) per class and indicator, from the class-specific thresholds (logit link) */
function categoryProbabilities(result: EstimationResult, classLabels: string[], names: string[], nCat: number[]): number[][][] | null {
  const out: number[][][] = [];
  for (const cl of classLabels) {
    const perVar: number[][] = [];
    for (let v = 0; v < names.length; v++) {
      const F: number[] = [];
      for (let j = 1; j < nCat[v]; j++) {
        const p = result.parameters.find(
          (q) => q.block === 'Thresholds' && !q.categoricalLatent && q.level !== 'between' && q.classLabel === cl && q.name.toUpperCase() === `${names[v]}$${j}`,
        );
        if (!p) return null;
        F.push(logistic(p.estimate));
      }
      perVar.push(Array.from({ length: nCat[v] }, (_, j) => (j < nCat[v] - 1 ? F[j] : 1) - (j > 0 ? F[j - 1] : 0)));
    }
    out.push(perVar);
  }
  return out;
}

/** class proportions from the Means of the categorical latent variable (last class 0) */
function classProportions(result: EstimationResult, classLabels: string[], classVariable: string): number[] | null {
  const a = classLabels.map((_, k) => {
    if (k === classLabels.length - 1) return 0;
    const p = result.parameters.find((q) => q.categoricalLatent && q.block === 'Means' && q.name.toUpperCase() === `${classVariable}#${k + 1}`);
    return p ? p.estimate : NaN;
  });
  if (a.some((x) => Number.isNaN(x))) return null;
  const m = Math.max(...a);
  const e = a.map((x) => Math.exp(x - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((x) => x / s);
}

/** the univariate or bivariate table of observed proportions h1 against model probabilities h0 */
function table(variables: string[], categories: number[][], h1: number[], h0: number[], n: number): Tech10Table {
  let pearson = 0;
  let loglikelihood = 0;
  let significant = 0;
  const cells = categories.map((c, i) => {
    const z = (h1[i] - h0[i]) / Math.sqrt((h0[i] * (1 - h0[i])) / n);
    pearson += (n * (h1[i] - h0[i]) ** 2) / h0[i];
    if (h1[i] > 0) loglikelihood += 2 * n * h1[i] * Math.log(h1[i] / h0[i]);
    if (Math.abs(z) > SIGNIFICANT) significant++;
    return { categories: c, h1: h1[i], h0: h0[i], z };
  });
  return { variables, cells, pearson, loglikelihood, significant };
}

const totals = (ts: Tech10Table[]): Tech10Totals => ({
  pearson: ts.reduce((s, t) => s + t.pearson, 0),
  loglikelihood: ts.reduce((s, t) => s + t.loglikelihood, 0),
  significant: ts.reduce((s, t) => s + t.significant, 0),
});

/**
 * TECH10 of a single-level mixture whose dependent variables are all categorical latent class
 * indicators; null when the model is outside that scope (see the file comment).
 */
export function tech10(ir: ModelIR, ds: Dataset, result: EstimationResult): Tech10Result | null {
  if (!ir.mixture || ir.twoLevel || !result.classCounts) return null;
  const deps = ir.observed.filter((o) => o.role === 'dependent');
  if (!deps.length || deps.some((o) => o.scale !== 'categorical')) return null;
  if (ir.observed.some((o) => o.role === 'covariate')) return null;
  const classVars = result.classVariables ?? [];
  if (classVars.length > 1 || ir.classVariables.length !== 1 || ir.classVariables[0].known || ds.weight) return null;
  const classLabels = result.classCounts.labels;
  const classVariable = (classVars[0]?.name ?? ir.classVariables[0]?.name ?? 'C').toUpperCase();
  const cols = deps.map((o) => ds.columns[o.column]);
  const names = cols.map((c) => c.name.toUpperCase());
  const nCat = cols.map((c) => c.categories?.length ?? 2);
  const N = ds.nRows;
  for (const c of cols) for (let i = 0; i < N; i++) if (Number.isNaN(c.values[i])) return null;
  const pi = classProportions(result, classLabels, classVariable);
  const P = categoryProbabilities(result, classLabels, names, nCat);
  if (!pi || !P) return null;
  const K = classLabels.length;
  const V = cols.length;
  const y = (v: number, i: number) => cols[v].values[i];

  // response patterns in order of first appearance
  const index = new Map<string, number>();
  const rows: Array<{ first: number; count: number }> = [];
  for (let i = 0; i < N; i++) {
    let key = '';
    for (let v = 0; v < V; v++) key += String(y(v, i)) + ',';
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, rows.length);
      rows.push({ first: i, count: 1 });
    } else rows[at].count++;
  }
  const valueText = (v: number, j: number) => String(cols[v].categories?.[j] ?? j);
  let observedE = 0;
  const patterns = rows.map(({ first, count }) => {
    let prob = 0;
    for (let k = 0; k < K; k++) {
      let p = pi[k];
      for (let v = 0; v < V; v++) p *= P[k][v][y(v, first)];
      prob += p;
    }
    const E = N * prob;
    observedE += E;
    let pattern = '';
    for (let v = 0; v < V; v++) pattern += valueText(v, y(v, first));
    return {
      pattern,
      observed: count,
      estimated: E,
      z: (count - E) / Math.sqrt(E * (1 - E / N)),
      pearson: (count - E) ** 2 / E,
      loglikelihood: 2 * count * Math.log(count / E),
    };
  });

  // posterior class probabilities from the same parameters (no covariates: they depend only on
  // the response pattern), so the tables need nothing but the printed estimates and the data
  const post = new Float64Array(N * K);
  const nk = new Array<number>(K).fill(0);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let k = 0; k < K; k++) {
      let p = pi[k];
      for (let v = 0; v < V; v++) p *= P[k][v][y(v, i)];
      post[i * K + k] = p;
      s += p;
    }
    for (let k = 0; k < K; k++) nk[k] += (post[i * K + k] /= s);
  }
  const univariate: Tech10Table[] = [];
  const classUni: Tech10Table[][] = classLabels.map(() => []);
  for (let v = 0; v < V; v++) {
    const cats = Array.from({ length: nCat[v] }, (_, j) => [j + 1]);
    const obs = new Array<number>(nCat[v]).fill(0);
    const obsK = classLabels.map(() => new Array<number>(nCat[v]).fill(0));
    for (let i = 0; i < N; i++) {
      obs[y(v, i)] += 1 / N;
      for (let k = 0; k < K; k++) obsK[k][y(v, i)] += post[i * K + k] / nk[k];
    }
    const model = cats.map((_, j) => pi.reduce((s, w, k) => s + w * P[k][v][j], 0));
    univariate.push(table([names[v]], cats, obs, model, N));
    for (let k = 0; k < K; k++) classUni[k].push(table([names[v]], cats, obsK[k], P[k][v], nk[k]));
  }
  const bivariate: Tech10Table[] = [];
  const classBi: Tech10Table[][] = classLabels.map(() => []);
  for (let a = 0; a < V; a++) {
    for (let b = a + 1; b < V; b++) {
      const cats: number[][] = [];
      for (let i = 0; i < nCat[a]; i++) for (let j = 0; j < nCat[b]; j++) cats.push([i + 1, j + 1]);
      const obs = new Array<number>(cats.length).fill(0);
      const obsK = classLabels.map(() => new Array<number>(cats.length).fill(0));
      for (let i = 0; i < N; i++) {
        const c = y(a, i) * nCat[b] + y(b, i);
        obs[c] += 1 / N;
        for (let k = 0; k < K; k++) obsK[k][c] += post[i * K + k] / nk[k];
      }
      const within = classLabels.map((_, k) => cats.map(([i, j]) => P[k][a][i - 1] * P[k][b][j - 1]));
      const model = cats.map((_, c) => pi.reduce((s, w, k) => s + w * within[k][c], 0));
      bivariate.push(table([names[a], names[b]], cats, obs, model, N));
      for (let k = 0; k < K; k++) classBi[k].push(table([names[a], names[b]], cats, obsK[k], within[k], nk[k]));
    }
  }
  return {
    patterns,
    emptyCellsPearson: Math.max(0, N - observedE),
    univariate,
    univariateTotals: totals(univariate),
    bivariate,
    bivariateTotals: totals(bivariate),
    classes: classLabels.map((label, k) => ({ label, univariate: classUni[k], bivariate: classBi[k] })),
  };
}
