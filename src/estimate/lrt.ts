// TECH11 and TECH14: likelihood ratio tests of K-1 against K classes (single-level TYPE = MIXTURE).
//
// H0 is the K-1 class model obtained by deleting the FIRST class of the estimated K-class model
// (src/model/reduce.ts, Mplus User's Guide wording), started from the K-class estimates with
// K-1STARTS random starts (default: the run's STARTS, 20 4 when STARTS = 0, as in Mplus outputs).
//
// TECH11 (Vuong 1989; Lo, Mendell & Rubin 2001). Under H0, LRT = 2 (l1 - l0) is asymptotically a
// weighted sum of independent chi-square(1) variables whose weights are the eigenvalues of
//     W = [  B11 V1   B10 V0 ]      Bab = sum_i s_ai s_bi' (per-person scores of the two models at
//         [ -B01 V1  -B00 V0 ]            their optima), Va = the parameter covariance matrix.
// Vuong's V is the inverse observed information (ESTIMATOR = ML gives exactly Vuong's matrix);
// Mplus uses the estimator's covariance, i.e. the MLR sandwich A^-1 B A^-1 under MLR (Vermunt 2024,
// Methodology 20, 72-83). We use the run's covariance matrix; this reproduces the Mean and Standard
// Deviation (= sum lambda, sqrt(2 sum lambda^2)) of real Mplus 8.8 and 9 outputs, and their p-values
// to the 4 printed decimals (test/estimate/lrt.test.ts).
// The eigenvalues are real: W is similar to M^1/2 G M^1/2 with M = [B11 B10; B01 B00] and G =
// diag(V1, -V0), which is what we decompose. The p-value P(sum lambda_j chi2_j > LRT) is computed
// exactly by Imhof's (1961) inversion formula (weightedChiSquareTail). The LMR adjusted statistic is
// LRT / (1 + 1 / (d log n)) with d the difference in the number of free parameters (Lo, Mendell &
// Rubin 2001, formula 15, with 3k-1 - (3k0-1) replaced by d as in Mplus), compared with the same
// distribution.
//
// TECH14 (McLachlan & Peel 2000): data sets drawn from the estimated H0 model (covariates and the
// missing-data pattern of every person kept), each fitted by H0 (from the H0 estimates, LRTSTARTS
// a b random starts; Mplus default 0 0) and by the K-class model (from the K-class estimates,
// LRTSTARTS c d; default 40 8, as printed by Mplus 8). The approximate p-value is the share of draws
// whose LRT is at least the observed one. LRTBOOTSTRAP = n gives n draws; without it the number of
// draws is sequential [ours: Mplus does not document its rule]: stop at the 5th draw whose LRT
// reaches the observed one (Besag & Clifford 1991), at most 100 draws. Draws are seeded from
// `seed` and the draw number only; random starts within a draw use PROCESSORS threads (estimate()).

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { ModelIR } from '../model/ir.js';
import type { Dataset, DataColumn } from '../data/dataset.js';
import type { EstimationResult, Tech11Result, Tech14Result, Warning } from '../results/types.js';
import { dropFirstClass, withValues } from '../model/reduce.js';
import { PlusmixError } from '../syntax/diagnostics.js';
import { estimate, makeEngine } from './estimate.js';
import type { Engine } from './estimate.js';
import { setTheta } from './compile.js';
import { personScores, prepare } from './likelihood.js';
import type { EstimationOptionsInput } from './options.js';

const pnorm = normalCdf as (x: number, mu: number, sigma: number) => number;
const qnorm = normalQuantile as (p: number, mu: number, sigma: number) => number;

/** Mplus 8 default LRTSTARTS (printed in every TECH14 output without the option). */
export const DEFAULT_LRTSTARTS: [number, number, number, number] = [0, 0, 40, 8];
/** Sequential bootstrap (no LRTBOOTSTRAP): exceedances that stop the draws, and the maximum number of draws. */
const SEQ_EXCEEDANCES = 5;
const SEQ_MAX_DRAWS = 100;

export interface LrtSettings {
  /** the ANALYSIS options of the K-class run */
  estimation: EstimationOptionsInput;
  /** K-1STARTS; default: the run's STARTS (20 4 when STARTS = 0 or not given) */
  k1Starts?: [number, number];
}

export interface NullModel {
  /** the K-1 class model (class 1 deleted), rows valued with its estimates */
  ir: ModelIR;
  result: EstimationResult;
  k1Starts: [number, number];
}

function unsupported(message: string): never {
  throw new PlusmixError({ severity: 'error', code: 'E_UNSUPPORTED', command: 'OUTPUT', message, location: { kind: 'none' } });
}

function checkModel(ir: ModelIR, h1: EstimationResult): void {
  if (!ir.mixture) unsupported('TECH11 and TECH14 are only available with TYPE = MIXTURE.');
  if (ir.twoLevel) unsupported('TECH11 and TECH14 are not available for TYPE = TWOLEVEL MIXTURE in plusmix.');
  if (!h1.terminatedNormally || !h1.fit) unsupported('TECH11 and TECH14 need a K-class model that terminated normally.');
}

/** K-1STARTS default: the run's STARTS, or 20 4 when there are no random starts (Mplus outputs). */
export function defaultK1Starts(estimation: EstimationOptionsInput): [number, number] {
  const s = estimation.starts;
  return s && s[0] > 0 ? [s[0], Math.max(1, s[1])] : [20, 4];
}

/** Fits H0: the K-class model without class 1, from the K-class estimates, with K-1STARTS random starts. */
export function fitNullModel(ir: ModelIR, ds: Dataset, h1: EstimationResult, settings: LrtSettings): NullModel {
  checkModel(ir, h1);
  const k1Starts = settings.k1Starts ?? defaultK1Starts(settings.estimation);
  const ir0 = dropFirstClass(withValues(ir, h1.theta));
  const result = estimate(ir0, ds, { ...settings.estimation, starts: k1Starts, optSeed: null, onProgress: undefined, tech8: false });
  return { ir: result.terminatedNormally ? withValues(ir0, result.theta) : ir0, result, k1Starts };
}

/** Per-person scores (n x nFree, row-major) of a model at theta. */
function scoresAt(ir: ModelIR, ds: Dataset, theta: Float64Array, estimation: EstimationOptionsInput): { s: Float64Array; n: number; p: number } {
  const e = makeEngine(ir, ds, { ...estimation, onProgress: undefined });
  setTheta(e.m, theta);
  if (!prepare(e.m, e.ws)) unsupported('TECH11: the model is not admissible at its estimates.');
  return { s: personScores(e.m, e.ws), n: e.m.n, p: e.m.nFree };
}

/**
 * Weights of the chi-square(1) variables: eigenvalues of W (see the header), from the per-person
 * scores s1 (n x p1), s0 (n x p0) and the covariance matrices v1 (p1 x p1), v0 (p0 x p0), row-major.
 */
export function vuongEigenvalues(n: number, s1: Float64Array, p1: number, v1: Float64Array, s0: Float64Array, p0: number, v0: Float64Array): number[] {
  const q = p1 + p0;
  const M = new Matrix(q, q);
  const row = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < p1; a++) row[a] = s1[i * p1 + a]!;
    for (let b = 0; b < p0; b++) row[p1 + b] = s0[i * p0 + b]!;
    for (let a = 0; a < q; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      for (let b = 0; b <= a; b++) M.set(a, b, M.get(a, b) + ra * row[b]!);
    }
  }
  for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) M.set(b, a, M.get(a, b));
  // M^1/2 (M is positive semidefinite)
  const em = new EigenvalueDecomposition(M, { assumeSymmetric: true });
  const U = em.eigenvectorMatrix;
  const d = em.realEigenvalues.map((x) => Math.sqrt(Math.max(x, 0)));
  const R = new Matrix(q, q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) { let s = 0; for (let c = 0; c < q; c++) s += U.get(a, c) * d[c]! * U.get(b, c); R.set(a, b, s); }
  const G = new Matrix(q, q);
  for (let a = 0; a < p1; a++) for (let b = 0; b < p1; b++) G.set(a, b, v1[a * p1 + b]!);
  for (let a = 0; a < p0; a++) for (let b = 0; b < p0; b++) G.set(p1 + a, p1 + b, -v0[a * p0 + b]!);
  const S = R.mmul(G).mmul(R);
  for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) { const v = 0.5 * (S.get(a, b) + S.get(b, a)); S.set(a, b, v); S.set(b, a, v); }
  const ev = new EigenvalueDecomposition(S, { assumeSymmetric: true }).realEigenvalues;
  return [...ev].sort((x, y) => y - x);
}

/** LMR adjusted LRT (Lo, Mendell & Rubin 2001, formula 15): LRT / (1 + 1 / (d log n)). */
export function lmrAdjusted(lrt: number, d: number, n: number): number {
  return lrt / (1 + 1 / (d * Math.log(n)));
}

/** TECH11 from the fitted K-class model and the fitted K-1 class model. */
export function vlmrTest(ir: ModelIR, ds: Dataset, h1: EstimationResult, h0: NullModel, estimation: EstimationOptionsInput): Tech11Result {
  checkModel(ir, h1);
  const K = ir.classVariables[0]!.nClasses;
  const warnings: Warning[] = [...h0.result.warnings];
  const l1 = h1.fit!.loglikelihood;
  const base = { classes: K, k1Starts: h0.k1Starts, parameterDifference: ir.nFree - h0.ir.nFree, warnings };
  if (!h0.result.terminatedNormally || !h0.result.fit || !h0.result.covariance || !h1.covariance) {
    // [ours] wording: Mplus's message for this case is not known
    warnings.push({ code: 'W_TECH11_NOT_COMPUTED', lines: [
      `THE LIKELIHOOD RATIO TEST COULD NOT BE COMPUTED: ${!h0.result.fit ? `THE ${K - 1}-CLASS MODEL DID NOT CONVERGE` : `THE PARAMETER COVARIANCE MATRIX OF THE ${h1.covariance ? K - 1 : K}-CLASS MODEL IS NOT AVAILABLE`}.`,
    ] });
    const l0 = h0.result.fit?.loglikelihood ?? NaN;
    return { ...base, h0Loglikelihood: l0, lrt: 2 * (l1 - l0), mean: NaN, sd: NaN, pValue: NaN, adjusted: { value: NaN, pValue: NaN }, eigenvalues: [] };
  }
  const l0 = h0.result.fit.loglikelihood;
  const lrt = 2 * (l1 - l0);
  const f1 = scoresAt(ir, ds, h1.theta, estimation);
  const f0 = scoresAt(h0.ir, ds, h0.result.theta, estimation);
  const lam = vuongEigenvalues(f1.n, f1.s, f1.p, h1.covariance, f0.s, f0.p, h0.result.covariance);
  const mean = lam.reduce((a, b) => a + b, 0);
  const sd = Math.sqrt(2 * lam.reduce((a, b) => a + b * b, 0));
  const adj = lmrAdjusted(lrt, base.parameterDifference, f1.n);
  return {
    ...base, h0Loglikelihood: l0, lrt, mean, sd,
    pValue: weightedChiSquareTail(lrt, lam),
    adjusted: { value: adj, pValue: weightedChiSquareTail(adj, lam) },
    eigenvalues: lam,
  };
}

/**
 * P(sum_j lambda_j X_j > x), X_j independent chi-square(1), by Imhof's (1961) formula
 *   P = 1/2 + (1/pi) int_0^inf sin(theta(u)) / (u rho(u)) du,
 *   theta(u) = 1/2 sum atan(lambda_j u) - x u / 2,  rho(u) = prod (1 + lambda_j^2 u^2)^(1/4),
 * valid for weights of either sign. Gauss-Legendre panels narrow enough for the phase (at most
 * pi/2 per panel) up to a point beyond which the oscillating tail is below 1e-10.
 */
export function weightedChiSquareTail(x: number, lambdas: ArrayLike<number>): number {
  const all = Array.from(lambdas);
  const big = Math.max(0, ...all.map(Math.abs));
  const lam = all.filter((l) => Math.abs(l) > 1e-10 * big);
  if (!lam.length) return x < 0 ? 1 : 0;
  if (lam.length === 1) {
    const l = lam[0]!, z = x / l;
    if (l > 0) return z <= 0 ? 1 : 2 * (1 - pnorm(Math.sqrt(z), 0, 1));
    return z >= 0 ? 0 : 2 * pnorm(Math.sqrt(z), 0, 1) - 1; // z = x/l > 0 iff x < 0
  }
  const r = lam.length;
  const sumAbs = lam.reduce((a, b) => a + Math.abs(b), 0);
  const maxAbs = Math.max(...lam.map(Math.abs));
  const minAbs = Math.min(...lam.map(Math.abs));
  const logRho = (u: number) => lam.reduce((a, l) => a + 0.25 * Math.log1p(l * l * u * u), 0);
  const f = (u: number): number => {
    if (u === 0) return 0.5 * (lam.reduce((a, b) => a + b, 0) - x);
    let th = -0.5 * x * u;
    for (const l of lam) th += 0.5 * Math.atan(l * u);
    return Math.sin(th) / (u * Math.exp(logRho(u)));
  };
  // truncation point U: Imhof's bound 1 / (pi r/2 U^(r/2) prod |lambda|^1/2) or, for x != 0 and U well
  // past the scale of the weights, the oscillating tail bound 4 / (pi |x| U rho(U))
  const logProd = lam.reduce((a, l) => a + 0.5 * Math.log(Math.abs(l)), 0);
  const tail = (u: number) => {
    const imhof = Math.exp(-Math.log(Math.PI * r / 2) - (r / 2) * Math.log(u) - logProd);
    const osc = x !== 0 && u > 10 / minAbs ? 4 / (Math.PI * Math.abs(x) * u * Math.exp(logRho(u))) : Infinity;
    return Math.min(imhof, osc);
  };
  let U = 1 / maxAbs;
  while (tail(U) > 1e-10 && U < 1e12) U *= 1.5;
  // panel width: the phase moves by at most (sum|lambda| + |x|) / 2 per unit of u; rho varies on 1/max|lambda|
  const h = Math.min(Math.PI / (sumAbs + Math.abs(x)), 0.25 / maxAbs);
  const panels = Math.min(Math.ceil(U / h), 2_000_000);
  const w = U / panels;
  let s = 0;
  for (let k = 0; k < panels; k++) {
    const a = k * w, c = a + 0.5 * w;
    let t = 0;
    for (let g = 0; g < GL_X.length; g++) t += GL_W[g]! * f(c + 0.5 * w * GL_X[g]!);
    s += 0.5 * w * t;
  }
  return Math.min(1, Math.max(0, 0.5 + s / Math.PI));
}

// 8-point Gauss-Legendre nodes and weights on [-1, 1]
const GL_X = [-0.9602898564975363, -0.7966664774136267, -0.525532409916329, -0.1834346424956498, 0.1834346424956498, 0.525532409916329, 0.7966664774136267, 0.9602898564975363];
const GL_W = [0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.362683783378362, 0.362683783378362, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];

// ---------------------------------------------------------------- TECH14

export interface BootstrapSettings extends LrtSettings {
  /** LRTSTARTS = a b c d (default 0 0 40 8) */
  lrtStarts?: [number, number, number, number];
  /** LRTBOOTSTRAP = n; undefined: sequential (see the header) */
  draws?: number;
  /** seed of the generated data sets */
  seed?: number;
  /** called after every draw (progress) */
  onDraw?: (draw: number, lrt: number) => void;
}

/** Uniform and normal numbers for data generation (xoroshiro128+, as src/montecarlo). */
class Stream {
  private readonly g: ReturnType<typeof xoroshiro128plus>;
  private spare = NaN;
  constructor(seed: number) { this.g = xoroshiro128plus(seed | 0); }
  uniform(): number { let u = uniformFloat64(this.g); while (u === 0) u = uniformFloat64(this.g); return u; }
  normal(): number {
    if (!Number.isNaN(this.spare)) { const s = this.spare; this.spare = NaN; return s; }
    const r = Math.sqrt(-2 * Math.log(this.uniform())), t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }
}

/** Seed of draw b (1-based) from the TECH14 seed: a murmur3-style finaliser. */
function drawSeed(seed: number, b: number): number {
  let h = Math.imul(seed ^ 0x27d4eb2f, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b);
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h | 0;
}

/**
 * A data set drawn from the model of engine `e` at `theta`: covariates and the missing-data pattern
 * of every row are kept; the class of each row is drawn from P(c | x), then its outcomes from the
 * class-specific model (normal block with the implied covariance; ordered categorical items through
 * their thresholds and the logistic / normal latent response; nominal items by their logits).
 */
export function generateFromModel(ir: ModelIR, e: Engine, theta: Float64Array, ds: Dataset, seed: number): Dataset {
  const { m, ws } = e;
  if (m.D > 0 || m.Kb > 1 || m.known) unsupported('TECH14: data generation needs a single-level model without KNOWNCLASS.');
  setTheta(m, theta);
  if (!prepare(m, ws)) unsupported('TECH14: the H0 model is not admissible at its estimates.');
  const { K, P, X, n } = m;
  const val = (s: number) => (s < 0 ? 0 : m.slotValue[s]!);
  // Cholesky factors of the class covariance matrices
  const L = new Float64Array(K * P * P);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < P; j++) {
      let d = ws.sigma[k * P * P + j * P + j]!;
      for (let c = 0; c < j; c++) d -= L[k * P * P + j * P + c]! ** 2;
      const ljj = Math.sqrt(Math.max(d, 0));
      L[k * P * P + j * P + j] = ljj;
      for (let i = j + 1; i < P; i++) {
        let s = ws.sigma[k * P * P + i * P + j]!;
        for (let c = 0; c < j; c++) s -= L[k * P * P + i * P + c]! * L[k * P * P + j * P + c]!;
        L[k * P * P + i * P + j] = ljj > 0 ? s / ljj : 0;
      }
    }
  }
  const contCols = ir.observed.filter((o) => o.role === 'dependent' && o.scale === 'continuous').map((o) => o.column);
  const out = new Map<number, Float64Array>();
  for (const c of [...contCols, ...m.cat.map((it) => it.column), ...m.nom.map((it) => it.column)]) out.set(c, new Float64Array(n));
  const rng = new Stream(seed);
  const z = new Float64Array(P), pr = new Float64Array(K), nomP = new Float64Array(Math.max(2, ...m.nom.map((it) => it.nCat)));
  const R = m.cat.length, Rn = m.nom.length;
  for (let i = 0; i < n; i++) {
    // class
    let mx = -Infinity;
    for (let k = 0; k < K; k++) {
      let t = ws.clsA[k]!;
      for (let q = 0; q < X; q++) t += ws.clsG[k * X + q]! * m.x[i * X + q]!;
      pr[k] = t;
      if (t > mx) mx = t;
    }
    let tot = 0;
    for (let k = 0; k < K; k++) { pr[k] = Math.exp(pr[k]! - mx); tot += pr[k]!; }
    let u = rng.uniform() * tot, k = 0;
    while (k < K - 1 && u > pr[k]!) { u -= pr[k]!; k++; }
    // continuous block
    for (let p = 0; p < P; p++) z[p] = rng.normal();
    for (let p = 0; p < P; p++) {
      let y = ws.c0[k * P + p]!;
      for (let q = 0; q < X; q++) y += ws.c1[(k * P + p) * X + q]! * m.x[i * X + q]!;
      for (let c = 0; c <= p; c++) y += L[k * P * P + p * P + c]! * z[c]!;
      out.get(contCols[p]!)![i] = Number.isNaN(m.y[i * P + p]!) ? NaN : y;
    }
    // ordered categorical items
    for (let r = 0; r < R; r++) {
      const it = m.cat[r]!;
      let eta = 0;
      for (let q = 0; q < X; q++) eta += val(m.catB[(k * R + r) * X + q]!) * m.x[i * X + q]!;
      const v = rng.uniform();
      const e = ws.link === 'logit' ? Math.log(v / (1 - v)) : qnorm(v, 0, 1);
      let c = 0;
      while (c < it.nCat - 1 && val(m.tau[k * m.nTau + it.offset + c]!) - eta < e) c++;
      out.get(it.column)![i] = m.u[i * R + r]! < 0 ? NaN : c;
    }
    // nominal items
    for (let r = 0; r < Rn; r++) {
      const it = m.nom[r]!;
      let s = 1;
      nomP[it.nCat - 1] = 1;
      for (let h = 0; h < it.nCat - 1; h++) {
        const pos = k * m.nNomA + it.offset + h;
        let t = val(m.nomA[pos]!);
        for (let q = 0; q < X; q++) t += val(m.nomB[pos * X + q]!) * m.x[i * X + q]!;
        nomP[h] = Math.exp(Math.min(t, 700));
        s += nomP[h]!;
      }
      let v = rng.uniform() * s, c = 0;
      while (c < it.nCat - 1 && v > nomP[c]!) { v -= nomP[c]!; c++; }
      out.get(it.column)![i] = m.v[i * Rn + r]! < 0 ? NaN : c;
    }
  }
  const columns: DataColumn[] = ds.columns.map((c, j) => (out.has(j) ? { ...c, values: out.get(j)! } : c));
  return { ...ds, columns };
}

/** TECH14 from the fitted K-class model and the fitted K-1 class model. */
export function bootstrapLrt(ir: ModelIR, ds: Dataset, h1: EstimationResult, h0: NullModel, settings: BootstrapSettings): Tech14Result {
  checkModel(ir, h1);
  const K = ir.classVariables[0]!.nClasses;
  const lrtStarts = settings.lrtStarts ?? DEFAULT_LRTSTARTS;
  const seed = settings.seed ?? 0;
  const est: EstimationOptionsInput = { ...settings.estimation, onProgress: undefined, tech8: false, optSeed: null };
  const base = { classes: K, k1Starts: h0.k1Starts, lrtStarts, drawsRequested: settings.draws ?? null, parameterDifference: ir.nFree - h0.ir.nFree, seed };
  if (!h0.result.terminatedNormally || !h0.result.fit)
    return { ...base, h0Loglikelihood: NaN, lrt: NaN, pValue: NaN, successfulDraws: 0, draws: [], notReplicated: 0 };
  const lrt = 2 * (h1.fit!.loglikelihood - h0.result.fit.loglikelihood);
  const gen = makeEngine(h0.ir, ds, est);
  const ir1 = withValues(ir, h1.theta);
  const draws: number[] = [];
  let exceed = 0, notReplicated = 0;
  const maxDraws = settings.draws ?? SEQ_MAX_DRAWS;
  for (let b = 1; b <= maxDraws; b++) {
    const dsb = generateFromModel(h0.ir, gen, h0.result.theta, ds, drawSeed(seed, b));
    const r0 = estimate(h0.ir, dsb, { ...est, starts: [lrtStarts[0], lrtStarts[1]] });
    const r1 = estimate(ir1, dsb, { ...est, starts: [lrtStarts[2], lrtStarts[3]] });
    if (!r0.fit || !r1.fit) continue;
    const lb = 2 * (r1.fit.loglikelihood - r0.fit.loglikelihood);
    draws.push(lb);
    if (lb >= lrt) exceed++;
    else if (r1.randomStarts && !r1.randomStarts.replicated) notReplicated++;
    settings.onDraw?.(b, lb);
    if (settings.draws === undefined && exceed >= SEQ_EXCEEDANCES) break;
  }
  return {
    ...base, h0Loglikelihood: h0.result.fit.loglikelihood, lrt,
    pValue: draws.length ? exceed / draws.length : NaN,
    successfulDraws: draws.length, draws, notReplicated,
  };
}
