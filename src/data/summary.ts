// Summaries of the data for the output stage (plain numbers; src/output formats them):
//  - UNIVARIATE SAMPLE STATISTICS (OUTPUT: SAMPSTAT / TYPE = BASIC), as Mplus 8 prints them;
//  - UNIVARIATE PROPORTIONS AND COUNTS FOR CATEGORICAL VARIABLES;
//  - SUMMARY OF DATA for two-level runs: clusters, average cluster size, cluster size table,
//    estimated intraclass correlations;
//  - missing-data patterns and covariance coverage (already in Dataset.summary).

import type { Dataset, DataColumn } from './dataset.js';
import { clusterSizes } from './cluster.js';
import { fitTwoLevelH1 } from './twolevel-h1.js';

export interface UnivariateStats {
  name: string;
  /** number of non-missing values ("Sample Size") */
  n: number;
  mean: number;
  /** divisor n (ML), as Mplus */
  variance: number;
  /** m3 / m2^1.5 with central moments of divisor n */
  skewness: number;
  /** excess kurtosis m4 / m2^2 - 3 */
  kurtosis: number;
  min: number;
  max: number;
  /** percentage (0-100) of values equal to the minimum / maximum */
  pctAtMin: number;
  pctAtMax: number;
  p20: number;
  p40: number;
  p60: number;
  p80: number;
  median: number;
}

/**
 * Univariate statistics of the non-missing values.
 *
 * Percentiles: Mplus prints the k-th percentile as the order statistic x_(ceil(n k / 100))
 * (inverse of the empirical distribution function, "type 1"), but the median as the usual
 * average of the two middle values when n is even. This reproduces every printed digit of
 * the UNIVARIATE SAMPLE STATISTICS of the Mplus 8.8 output of UG example 10.4 (n = 1000,
 * where x_(200) etc. differ from every interpolating definition in the third decimal);
 * test/data/summary.test.ts asserts it. For n k / 100 not an integer the definition is our
 * reading of "type 1" [unverified against Mplus].
 */
export function univariateStats(name: string, values: Float64Array): UnivariateStats {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  const x = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) x[k++] = values[i];
  x.sort();
  if (n === 0) {
    return { name, n: 0, mean: NaN, variance: NaN, skewness: NaN, kurtosis: NaN, min: NaN, max: NaN, pctAtMin: NaN, pctAtMax: NaN, p20: NaN, p40: NaN, p60: NaN, p80: NaN, median: NaN };
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const mean = s / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const min = x[0];
  const max = x[n - 1];
  let atMin = 0;
  let atMax = 0;
  for (let i = 0; i < n; i++) {
    if (x[i] === min) atMin++;
    if (x[i] === max) atMax++;
  }
  // order statistic x_(ceil(n*tenths/10)), integer arithmetic to avoid 0.2*1000 rounding issues
  const pct = (tenths: number) => x[Math.max(0, Math.ceil((n * tenths) / 10) - 1)];
  const median = n % 2 === 1 ? x[(n - 1) / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
  return {
    name,
    n,
    mean,
    variance: m2,
    skewness: m2 > 0 ? m3 / Math.pow(m2, 1.5) : NaN,
    kurtosis: m2 > 0 ? m4 / (m2 * m2) - 3 : NaN,
    min,
    max,
    pctAtMin: (100 * atMin) / n,
    pctAtMax: (100 * atMax) / n,
    p20: pct(2),
    p40: pct(4),
    p60: pct(6),
    p80: pct(8),
    median,
  };
}

/** UNIVARIATE SAMPLE STATISTICS: the continuous and count analysis variables, in analysis order. */
export function sampleStatistics(ds: Dataset): UnivariateStats[] {
  return ds.columns.filter((c) => c.scale !== 'categorical' && c.scale !== 'nominal').map((c) => univariateStats(c.display, c.values));
}

export interface CategoricalProportions {
  name: string;
  /** observed values (the original codes), ascending; "Category k" in the output is categories[k-1] */
  categories: number[];
  counts: number[];
  proportions: number[];
}

/** UNIVARIATE PROPORTIONS AND COUNTS FOR CATEGORICAL VARIABLES (over non-missing values). */
export function categoricalProportions(ds: Dataset): CategoricalProportions[] {
  return ds.columns.filter((c) => c.scale === 'categorical' || c.scale === 'nominal').map(proportionsOf);
}

function proportionsOf(c: DataColumn): CategoricalProportions {
  const cats = c.categories ?? [];
  const counts = new Array<number>(cats.length).fill(0);
  let n = 0;
  for (let i = 0; i < c.values.length; i++) {
    const x = c.values[i];
    if (x === x) {
      counts[x]++;
      n++;
    }
  }
  return { name: c.display, categories: [...cats], counts, proportions: counts.map((k) => (n ? k / n : NaN)) };
}

export interface ClusterSummary {
  nClusters: number;
  averageSize: number;
  /** cluster sizes ascending, each with the ids of the clusters of that size (in order of appearance) */
  sizes: Array<{ size: number; count: number; ids: number[] }>;
}

export function clusterSummary(ds: Dataset): ClusterSummary | undefined {
  const c = ds.cluster;
  if (!c) return undefined;
  const sz = clusterSizes(c);
  const by = new Map<number, number[]>();
  sz.forEach((s, g) => {
    const l = by.get(s) ?? [];
    l.push(c.ids[g]);
    by.set(s, l);
  });
  const sizes = [...by.entries()].sort((a, b) => a[0] - b[0]).map(([size, ids]) => ({ size, count: ids.length, ids }));
  return { nClusters: c.ids.length, averageSize: ds.nRows / c.ids.length, sizes };
}

export interface IntraclassCorrelation {
  name: string;
  icc: number;
  between: number;
  within: number;
  mean: number;
  method: 'ml' | 'ml-univariate' | 'anova';
  /** ML: whether EM met the convergence criterion */
  converged?: boolean;
}

/**
 * Estimated intraclass correlations of the continuous analysis variables that live on both levels.
 *
 * method 'ml' (default): as Mplus, from the unrestricted multivariate two-level model
 * (twolevel-h1.ts) fitted by ML to all these variables jointly. With missing values on them
 * this falls back to 'ml-univariate' [Mplus uses FIML on the joint model: not implemented].
 * method 'ml-univariate': ML of y_ij = mu + u_j + e_ij per variable (EM), observed values only;
 * equals 'ml' for complete data with equal cluster sizes.
 * method 'anova': the method-of-moments estimate with n0 = (N - sum n_j^2 / N) / (J - 1).
 */
export function intraclassCorrelations(ds: Dataset, method: 'ml' | 'ml-univariate' | 'anova' = 'ml'): IntraclassCorrelation[] {
  const cl = ds.cluster;
  if (!cl) return [];
  const J = cl.ids.length;
  const vars = ds.columns.filter((c) => c.level === 'both' && c.scale !== 'categorical' && c.scale !== 'nominal');
  if (!vars.length) return [];
  if (method === 'ml' && vars.every((c) => c.values.every((x) => x === x))) {
    const h1 = fitTwoLevelH1(vars.map((c) => c.values), cl.ofRow, J);
    const p = vars.length;
    return vars.map((c, a) => {
      const b = h1.sigmaB[a * p + a];
      const w = h1.sigmaW[a * p + a];
      return { name: c.display, icc: b / (b + w), between: b, within: w, mean: h1.mu[a], method: 'ml', converged: h1.converged };
    });
  }
  const out: IntraclassCorrelation[] = [];
  const n = new Float64Array(J);
  const sum = new Float64Array(J);
  const W = new Float64Array(J);
  for (const c of vars) {
    if (method !== 'anova') {
      out.push(iccML(c.display, c.values, cl.ofRow));
      continue;
    }
    n.fill(0);
    sum.fill(0);
    W.fill(0);
    const v = c.values;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === x) {
        const g = cl.ofRow[i];
        n[g]++;
        sum[g] += x;
      }
    }
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === x) {
        const g = cl.ofRow[i];
        const d = x - sum[g] / n[g];
        W[g] += d * d;
      }
    }
    out.push(iccAnova(c.display, n, sum, W));
  }
  return out;
}

function iccAnova(name: string, n: Float64Array, sum: Float64Array, W: Float64Array): IntraclassCorrelation {
  let N = 0;
  let S = 0;
  let SSW = 0;
  let sq = 0;
  let J = 0;
  for (let g = 0; g < n.length; g++) {
    if (!n[g]) continue;
    J++;
    N += n[g];
    S += sum[g];
    SSW += W[g];
    sq += n[g] * n[g];
  }
  const mean = S / N;
  let SSB = 0;
  for (let g = 0; g < n.length; g++) if (n[g]) SSB += n[g] * (sum[g] / n[g] - mean) ** 2;
  const msw = SSW / (N - J);
  const msb = SSB / (J - 1);
  const n0 = (N - sq / N) / (J - 1);
  const between = Math.max(0, (msb - msw) / n0);
  return { name, icc: between / (between + msw), between, within: msw, mean, method: 'anova' };
}

/** Univariate ML: the H1 model for one variable over its observed rows (clusters without observations left out). */
function iccML(name: string, values: Float64Array, ofRow: Int32Array): IntraclassCorrelation {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  const x = new Float64Array(n);
  const g = new Int32Array(n);
  const renumber = new Map<number, number>();
  for (let i = 0, k = 0; i < values.length; i++) {
    if (values[i] !== values[i]) continue;
    let c = renumber.get(ofRow[i]);
    if (c === undefined) {
      c = renumber.size;
      renumber.set(ofRow[i], c);
    }
    x[k] = values[i];
    g[k++] = c;
  }
  const h1 = fitTwoLevelH1([x], g, renumber.size);
  const b = h1.sigmaB[0];
  const w = h1.sigmaW[0];
  return { name, icc: b / (b + w), between: b, within: w, mean: h1.mu[0], method: 'ml-univariate', converged: h1.converged };
}

export interface DataSummaryReport {
  nObservations: number;
  univariate: UnivariateStats[];
  categorical: CategoricalProportions[];
  clusters?: ClusterSummary;
  icc?: IntraclassCorrelation[];
  patterns: Dataset['summary']['patterns'];
  coverage?: Float64Array;
}

/** Everything the output stage prints about the data, as numbers. */
export function summarizeData(ds: Dataset): DataSummaryReport {
  const r: DataSummaryReport = {
    nObservations: ds.nRows,
    univariate: sampleStatistics(ds),
    categorical: categoricalProportions(ds),
    patterns: ds.summary.patterns,
    coverage: ds.summary.coverage,
  };
  if (ds.cluster) {
    r.clusters = clusterSummary(ds);
    r.icc = intraclassCorrelations(ds);
  }
  return r;
}
