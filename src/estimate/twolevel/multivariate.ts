// Multivariate two-level normal models: several continuous outcomes with random intercepts,
// within- and between-level factor (and growth) models and regressions (User's Guide chapter 9
// shapes such as ex9.6: `%WITHIN% fw BY y1-y4; fw ON x1 x2; %BETWEEN% fb BY y1-y4; fb ON w;`),
// random slopes `s | y ON x` (x in WITHIN) with several outcomes, missing outcome values (full-information ML),
// between-only outcomes (BETWEEN-listed dependent variables) and covariates listed in neither WITHIN
// nor BETWEEN (Mplus's latent covariate decomposition).
//
// Model (estimation.md §2(b), multivariate case). Each level is a small structural model on its
// variables and covariates:
//     v_L = alpha_L + B_L v_L + G_L x_L + zeta_L,   zeta_L ~ N(0, Psi_L),   A_L = (I - B_L)^-1
// within: v_W = [outcomes, within factors], x_W = within covariates x_ij;
// between: v_B = [between parts of the outcomes, random slopes, between factors], x_B = w_j.
// The between random vector u_j = (A_B zeta_B) restricted to the q "random effects" (between parts
// of outcomes and random slopes) has covariance T and mean eta_j = (A_B (alpha_B + G_B w_j)) on them.
// Outcome d of individual i in cluster j:
//     y_ijd = [A_W alpha_W + A_W G_W x_ij]_d + sum_t xt_ijt (H_t (eta_j + u_j))_d + [A_W zeta_W]_d
// with carriers xt = [1, x_ij]: H_0 puts the between part of each outcome on it (coefficient 1), and a
// slope `s | v ON x_c` puts column A_W[:, v] on carrier 1 + c (so a slope of a within factor reaches
// its indicators through the loadings). Hence y_ij ~ N(Bm a_ij, Sigma_W) given u_j, plus Z_ij u_j with
// Z_ij = sum_t xt_ijt H_t, where a = [1, x_ij, w_j, x_cij w_j] holds the cross-level products of the
// slope carriers, so that one mean matrix Bm serves every cluster; individuals of a cluster are
// independent given u_j.
//
// Exact cluster likelihood (missing outcomes: each individual contributes its observed entries O):
// with D = blockdiag(Sigma_W[O_i,O_i]), P = sum_i Z_iO' Sigma_W,O^-1 Z_iO, b = sum_i Z_iO' Sigma_W,O^-1 r_iO,
// r_i = y_i - Bm a_i, and P = L L' (semidefinite Cholesky),
//     log|V| = log|D| + log|I + L'TL|,
//     r'V^-1 r = r'D^-1 r - [b'Tb - (L'Tb)'(I + L'TL)^-1 (L'Tb)]
// (Woodbury in a form that needs neither T^-1 nor T positive semi-definite: lavaan and Mplus allow
// negative between variances, and `y1-y4@0` makes T singular; V is positive definite exactly when
// Sigma_W[O,O] and I + L'TL are). Individuals of a cluster with the same missing-data pattern form a
// *cell* holding n and C = sum a a', a = [y (0 where missing), 1, x, w, x_c w]. The D part (log|D|,
// r'D^-1 r) is linear in C and pooled per pattern; the random part needs per cell only the carrier
// columns of C (q^3 per cluster), and clusters with one pattern and no random slopes are pooled per
// (pattern, size) through sum_j s_j s_j' (s_j = sum_i a_ij), the complete-data formula of estimation.md
// §2(b). An evaluation costs O(patterns * m^2 p + cells * m p + clusters * q^3), independent of the
// number of individuals. Per pattern, Sigma_W[O,O]^-1 (embedded in p x p) and its products with H_t are
// computed once per evaluation.
//
// The gradient is by central differences (tens of parameters, microseconds per evaluation);
// the observed information by second differences of the log-likelihood; MLR uses per-cluster
// scores from the same per-cluster formula. Individuals with a missing covariate are excluded, as
// Mplus does; individuals without any observed outcome contribute nothing.
//
// Between-only outcomes z_j: f(y_j, z_j) = f(z_j) f(y_j | z_j); given z_j the random effects have mean
// eta_j + K (z_j - E z_j) and covariance T - K T_zu (K = T_uz T_zz^-1), so z enters the means like a
// between covariate (columns of a) and f(z_j) is a small normal density per cluster. A missing z is refused.
//
// Latent covariates: a covariate in neither WITHIN nor BETWEEN is split x_ij = x_w,ij + x_b,j
// (UG ex9.1b: "two uncorrelated latent variables"); it becomes an outcome of this model with a
// within variance, a between mean and a between variance (parameters numbered after the IR's,
// `nExtra` rows appended to `rows`), `y ON x` in %WITHIN% regresses on x_w and in %BETWEEN% on x_b. Several latent covariates
// covary freely at each level [ours, untested: Mplus's rule for covariates brought into the model]; x_b is
// independent of the between covariates w (the likelihood conditions on w, as Mplus's). A random
// slope on a latent covariate (product of two random variables) is refused.

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { ModelIR, ObservedVariable, ParamRow } from '../../model/ir.js';
import type { Dataset } from '../../data/dataset.js';
import { column } from '../../data/dataset.js';
import type { EstimationResult, ParameterEstimate, Warning } from '../../results/types.js';
import { PlusmixError } from '../../syntax/diagnostics.js';
import { maximize, type Objective } from './optimize.js';
import { invertSpd } from './dense.js';
import { blockOf, matMul, toRows } from './rows.js';
import { fitStatistics } from '../fit.js';
import type { TwoLevelOptions } from './estimate.js';

function unsupported(message: string, code = 'E_TWOLEVEL_UNSUPPORTED'): PlusmixError {
  return new PlusmixError({ severity: 'error', code, command: 'MODEL', message, location: { kind: 'none' } });
}

/** Covariates listed in neither WITHIN nor BETWEEN: split into within and between latent parts. */
export function latentCovariates(ir: ModelIR): ObservedVariable[] {
  return ir.twoLevel ? ir.observed.filter((v) => v.role === 'covariate' && v.level === 'both') : [];
}

/**
 * True when the model needs this module: several outcomes, latent factors or growth factors, or a
 * covariate to decompose. One outcome with random slopes (and KNOWNCLASS, level-1 variance models)
 * stays with the univariate estimator (spec.ts), which has an analytic gradient.
 */
export function isMultivariate(ir: ModelIR): boolean {
  const deps = ir.observed.filter((v) => v.role === 'dependent');
  return deps.length > 1 || ir.latent.some((l) => l.kind === 'factor' || l.kind === 'growth') || latentCovariates(ir).length > 0;
}

/** One parameter-table entry of a level matrix: 'B' (n x n), 'P' (Psi, symmetric), 'a' (alpha), 'G' (n x k). */
interface Slot { mat: 'B' | 'P' | 'a' | 'G'; i: number; j: number; param: number; value: number }

interface Level {
  vars: string[];
  covs: string[];
  slots: Slot[];
  // work space
  B: Float64Array; P: Float64Array; alpha: Float64Array; G: Float64Array; A: Float64Array; IB: Float64Array;
}

/** A random slope `s | v ON x_c`: q index of s, within variable v, within covariate c. */
interface SlopeTerm { q: number; u: number; c: number }

export interface MultivariateProblem {
  /** observed outcomes, then latent covariates */
  outcomes: string[];
  p: number;
  kW: number;
  kB: number;
  /**
   * between-only outcomes z (BETWEEN-listed dependent variables): between.vars index of each; per cluster
   * [z, 1, w] (length kz + 1 + kB) and whether the cluster has any used individual. The likelihood is
   * f(z_j) f(y_j | z_j): given z_j the random effects have mean eta_j + K (z_j - E z_j) and covariance
   * T - K T_zu (K = T_uz T_zz^-1), so z_j enters the outcome means like a between covariate.
   */
  kz: number;
  zVar: Int32Array;
  clusterZ: Float64Array;
  zUsed: Uint8Array;
  /**
   * a = [y (p), 1, x (kW), b (nb = kB + kz: w then z), x_c * b for each slope carrier c (nSC * nb)]: the mean is
   * Bm a[p..] with one Bm for all clusters (cross-level products as columns); k = m - p
   */
  k: number;
  m: number;
  /** within covariates carrying a random slope (distinct, sorted) */
  slopeCarriers: Int32Array;
  within: Level;
  between: Level;
  /** random effects: index in between.vars of each (between parts of outcomes, then slopes) */
  q: number;
  qVar: Int32Array;
  /** q index of the between part of each outcome (-1: WITHIN outcome) */
  qOfOutcome: Int32Array;
  slopes: SlopeTerm[];
  /** carriers with a non-zero H_t (0 = constant; 1 + c = within covariate c); a-index of carrier t is p + t */
  carriers: Int32Array;
  nParams: number;
  start: Float64Array;
  nUsed: number;
  nClusters: number;
  nPatterns: number;
  /** nPatterns x p: 1 when the outcome is observed */
  patternObs: Uint8Array;
  clusterCellStart: Int32Array;
  cellPattern: Int32Array;
  cellN: Float64Array;
  /** nCells x m x m */
  cellC: Float64Array;
  /** nPatterns x m x m: the cells' C summed per pattern */
  patternC: Float64Array;
  /** individuals per pattern (summed log|Sigma_W[O,O]| weight) */
  patternN: Float64Array;
  /** observed outcome values per cluster (for the 2 pi constant) */
  clusterObs: Float64Array;
  /**
   * Clusters whose individuals share one missing-data pattern, without random slopes, grouped by
   * (pattern, size) when at least two share it: their random part depends on the data only through
   * sum_j s_j s_j' (s_j = sum_i a_i), as in the complete-data formula of estimation.md §2(b).
   * Per group: pattern, size n, number of clusters, and sum s s' (m x m). inGroup[j]: cluster j is counted there.
   */
  groupPattern: Int32Array;
  groupN: Float64Array;
  groupCount: Float64Array;
  groupS: Float64Array;
  inGroup: Uint8Array;
  /** IR rows, then the rows of the extra parameters (latent covariates; par > ir.nFree) */
  rows: ParamRow[];
  nExtra: number;
}

function makeLevel(vars: string[], covs: string[]): Level {
  const n = vars.length, k = covs.length;
  return {
    vars, covs, slots: [],
    B: new Float64Array(n * n), P: new Float64Array(n * n), alpha: new Float64Array(n), G: new Float64Array(n * k), A: new Float64Array(n * n), IB: new Float64Array(n * n),
  };
}

export function compileMultivariate(ir: ModelIR, ds: Dataset): MultivariateProblem {
  const cl = ds.cluster;
  if (!ir.twoLevel || !cl) throw unsupported('the two-level estimator needs TYPE = TWOLEVEL and a CLUSTER variable');
  if (ir.classVariables.length > 0) throw unsupported('class variables with several outcomes, factors or latent covariates are not implemented in the closed-form two-level estimator');
  const deps = ir.observed.filter((v) => v.role === 'dependent');
  for (const d of deps) {
    if (d.scale !== 'continuous') throw unsupported(`outcome ${d.display} is ${d.scale}; the closed-form two-level estimator needs continuous outcomes`);
  }
  const latCov = latentCovariates(ir);
  for (const x of latCov) if (x.scale !== 'continuous') throw unsupported(`covariate ${x.display} (in neither WITHIN nor BETWEEN) is ${x.scale}; its latent decomposition needs a continuous variable`);
  // between-only outcomes (BETWEEN-listed dependent variables) are variables of the between level only
  const zNames = deps.filter((d) => d.level === 'between').map((d) => d.name);
  const outcomes = [...deps.filter((d) => d.level !== 'between').map((d) => d.name), ...latCov.map((x) => x.name)];
  if (outcomes.length === 0) throw unsupported('the closed-form two-level estimator needs at least one outcome measured on individuals (all dependent variables are BETWEEN variables)');
  const withBetween = [...deps.filter((d) => d.level === 'both').map((d) => d.name), ...latCov.map((x) => x.name)];
  const covW = ir.observed.filter((v) => v.role === 'covariate' && v.level === 'within').map((v) => v.name);
  const covB = ir.observed.filter((v) => v.role === 'covariate' && v.level === 'between').map((v) => v.name);
  const isFactor = (kind: string) => kind === 'factor' || kind === 'growth';
  const facW = ir.latent.filter((l) => isFactor(l.kind) && l.level === 'within').map((l) => l.name);
  const facB = ir.latent.filter((l) => isFactor(l.kind) && l.level === 'between').map((l) => l.name);
  const slopeNames = ir.randomSlopes.map((s) => s.name);
  const within = makeLevel([...outcomes, ...facW], covW);
  const between = makeLevel([...withBetween, ...slopeNames, ...zNames, ...facB], covB);
  const p = outcomes.length;
  const q = withBetween.length + slopeNames.length;
  const qVar = Int32Array.from({ length: q }, (_, i) => i);
  const qOfOutcome = Int32Array.from(outcomes, (o) => withBetween.indexOf(o));
  const zVar = Int32Array.from(zNames, (_, i) => q + i);

  const slopes: SlopeTerm[] = ir.randomSlopes.map((rs, k) => {
    if (rs.level !== 'within') throw unsupported(`random slope ${rs.name}: only slopes defined in %WITHIN% are supported by the closed-form two-level estimator`);
    if (latCov.some((x) => x.name === rs.predictor))
      throw unsupported(`random slope ${rs.name}: its predictor ${rs.predictor} is in neither WITHIN nor BETWEEN, so Mplus decomposes it into latent within and between parts; a random slope on a latent covariate needs numerical integration, which is not implemented for this model. Declare ${rs.predictor} in WITHIN`);
    const c = covW.indexOf(rs.predictor);
    if (c < 0) throw unsupported(`random slope ${rs.name}: its predictor ${rs.predictor} must be a WITHIN covariate (a slope on a latent or dependent variable is not closed-form)`);
    const u = within.vars.indexOf(rs.dependent);
    if (u < 0) throw unsupported(`random slope ${rs.name}: ${rs.dependent} is not a within-level outcome or factor`);
    return { q: withBetween.length + k, u, c };
  });
  const carrierSet = new Set<number>();
  if (withBetween.length) carrierSet.add(0);
  for (const s of slopes) carrierSet.add(1 + s.c);
  const carriers = Int32Array.from([...carrierSet].sort((a, b) => a - b));

  // ---- rows: the IR's, then the latent covariates' own parameters
  const rows: ParamRow[] = [...ir.rows.filter((r) => r.kind !== 'constraintNew')];
  let nExtra = 0;
  const addExtra = (level: 'within' | 'between', kind: ParamRow['kind'], lhs: string, rhs = ''): void => {
    rows.push({ id: -1 - nExtra, level, classes: {}, kind, lhs, rhs, par: ir.nFree + ++nExtra, value: 0, userValue: false, origin: 'default' });
  };
  for (const x of latCov) {
    addExtra('within', 'variance', x.name);
    addExtra('between', 'mean', x.name);
    addExtra('between', 'variance', x.name);
  }
  for (const level of ['within', 'between'] as const)
    for (let a = 0; a < latCov.length; a++) for (let b = 0; b < a; b++) addExtra(level, 'covariance', latCov[a]!.name, latCov[b]!.name);

  // a free within-level mean of a growth factor whose indicators have between parts is confounded with
  // the between-level means (UG ex9.12); the model stage does not fix it yet (DESIGN.md, open points)
  for (const r of rows) {
    if (r.level !== 'within' || (r.kind !== 'mean' && r.kind !== 'intercept') || r.par === 0 || !ir.latent.some((l) => l.name === r.lhs && l.kind === 'growth')) continue;
    const inds = rows.filter((x) => x.level === 'within' && x.kind === 'loading' && x.lhs === r.lhs).map((x) => x.rhs);
    if (inds.length && inds.every((y) => withBetween.includes(y)))
      throw unsupported(`the within-level mean of growth factor ${r.lhs} is not identified next to the between-level growth-factor means (its indicators have between parts); fix it at 0 with [${r.lhs.toLowerCase()}@0] in %WITHIN%, as Mplus does for two-level growth models`);
  }

  for (const r of rows) {
    const lv = r.level === 'within' ? within : r.level === 'between' ? between : null;
    if (!lv) throw unsupported(`row ${r.kind} of ${r.lhs} has no level; two-level rows must be %WITHIN% or %BETWEEN%`);
    const param = r.par > 0 ? r.par - 1 : -1;
    const iL = lv.vars.indexOf(r.lhs);
    const what = `%${r.level!.toUpperCase()}% ${r.kind} ${r.lhs}${r.rhs ? ' ' + r.rhs : ''}`;
    if (r.kind === 'loading') {
      const y = lv.vars.indexOf(r.rhs);
      if (iL < 0 || y < 0) throw unsupported(`${what} is not supported by the closed-form two-level estimator`);
      lv.slots.push({ mat: 'B', i: y, j: iL, param, value: r.value });
      continue;
    }
    if (iL < 0) throw unsupported(`${what}: ${r.lhs} is not a ${r.level}-level variable of the model`);
    if (r.kind === 'regression') {
      const j = lv.vars.indexOf(r.rhs);
      const c = lv.covs.indexOf(r.rhs);
      if (j >= 0) lv.slots.push({ mat: 'B', i: iL, j, param, value: r.value });
      else if (c >= 0) lv.slots.push({ mat: 'G', i: iL, j: c, param, value: r.value });
      else throw unsupported(`${what}: ${r.rhs} must be a ${r.level}-level variable or covariate`);
    } else if (r.kind === 'covariance') {
      const j = lv.vars.indexOf(r.rhs);
      if (j < 0) throw unsupported(`${what}: covariances with covariates are not supported`);
      lv.slots.push({ mat: 'P', i: iL, j, param, value: r.value });
    } else if (r.kind === 'variance' || r.kind === 'residualVariance') {
      lv.slots.push({ mat: 'P', i: iL, j: iL, param, value: r.value });
    } else if (r.kind === 'mean' || r.kind === 'intercept') {
      // the within intercept of an outcome with a between part is Mplus's structural 0
      if (lv === within && param >= 0 && between.vars.includes(r.lhs))
        throw unsupported(`${what}: the within-level intercept of ${r.lhs} cannot be free when ${r.lhs} has a between-level random intercept`);
      lv.slots.push({ mat: 'a', i: iL, j: 0, param, value: r.value });
    } else throw unsupported(`${what} is not supported by the closed-form two-level estimator`);
  }

  // ---- cells: per cluster and missing-data pattern, n and C = sum a a' (a as in MultivariateProblem)
  const kW = covW.length, kB = covB.length, kz = zNames.length, nb = kB + kz;
  const slopeCarriers = Int32Array.from([...new Set(slopes.map((s) => s.c))].sort((x, y) => x - y));
  const k = 1 + kW + nb + slopeCarriers.length * nb;
  const m = p + k;
  const colOf = (n: string): Float64Array => {
    const c = column(ds, n);
    if (!c) throw unsupported(`variable ${n} is not in the data set`, 'E_TWOLEVEL_DATA');
    return c.values;
  };
  const ycols = outcomes.map(colOf);
  const xcols = covW.map(colOf);
  const wcols = covB.map(colOf);
  const zcols = zNames.map(colOf);
  const bcols = [...wcols, ...zcols];
  const J = cl.start.length - 1;
  const zc = kz + 1 + kB;
  const clusterZ = new Float64Array(J * zc);
  const zUsed = new Uint8Array(J);
  const patternIndex = new Map<string, number>();
  const patternObs: number[] = [];
  const clusterCellStart = new Int32Array(J + 1);
  const cellPattern: number[] = [];
  const cellN: number[] = [];
  const cellCs: Float64Array[] = [];
  const clusterObs = new Float64Array(J);
  const a = new Float64Array(m);
  const obs = new Uint8Array(p);
  let nUsed = 0;
  for (let j = 0; j < J; j++) {
    clusterCellStart[j] = cellN.length;
    const cellOf = new Map<number, number>();
    for (let t = cl.start[j]!; t < cl.start[j + 1]!; t++) {
      const i = cl.order[t]!;
      if (xcols.some((c) => Number.isNaN(c[i]!)) || wcols.some((c) => Number.isNaN(c[i]!))) continue;
      let nObs = 0;
      for (let d = 0; d < p; d++) {
        const v = ycols[d]![i]!;
        obs[d] = Number.isNaN(v) ? 0 : 1;
        a[d] = obs[d] ? v : 0;
        nObs += obs[d]!;
      }
      if (nObs === 0) continue;
      if (zcols.some((c) => Number.isNaN(c[i]!)))
        throw unsupported(`between-only outcome ${zNames[zcols.findIndex((c) => Number.isNaN(c[i]!))]} is missing in cluster ${cl.ids[j]}; missing values of between-only outcomes are not implemented in the closed-form two-level estimator`);
      if (!zUsed[j]) {
        zUsed[j] = 1;
        for (let c = 0; c < kz; c++) clusterZ[j * zc + c] = zcols[c]![i]!;
        clusterZ[j * zc + kz] = 1;
        for (let c = 0; c < kB; c++) clusterZ[j * zc + kz + 1 + c] = wcols[c]![i]!;
      }
      a[p] = 1;
      for (let c = 0; c < kW; c++) a[p + 1 + c] = xcols[c]![i]!;
      for (let c = 0; c < nb; c++) a[p + 1 + kW + c] = bcols[c]![i]!;
      for (let sc = 0; sc < slopeCarriers.length; sc++)
        for (let c = 0; c < nb; c++) a[p + 1 + kW + nb + sc * nb + c] = xcols[slopeCarriers[sc]!]![i]! * bcols[c]![i]!;
      const key = obs.join('');
      let g = patternIndex.get(key);
      if (g === undefined) { g = patternIndex.size; patternIndex.set(key, g); patternObs.push(...obs); }
      let c = cellOf.get(g);
      if (c === undefined) {
        c = cellN.length; cellOf.set(g, c);
        cellPattern.push(g); cellN.push(0); cellCs.push(new Float64Array(m * m));
      }
      cellN[c]! += 1;
      const C = cellCs[c]!;
      for (let u = 0; u < m; u++) { const au = a[u]!; if (au !== 0) for (let v = 0; v < m; v++) C[u * m + v]! += au * a[v]!; }
      clusterObs[j]! += nObs;
      nUsed++;
    }
  }
  clusterCellStart[J] = cellN.length;
  const nPatterns = patternIndex.size;
  const cellC = new Float64Array(cellN.length * m * m);
  const patternC = new Float64Array(nPatterns * m * m);
  const patternN = new Float64Array(nPatterns);
  cellCs.forEach((C, c) => {
    cellC.set(C, c * m * m);
    const g = cellPattern[c]!;
    patternN[g]! += cellN[c]!;
    for (let u = 0; u < m * m; u++) patternC[g * m * m + u]! += C[u]!;
  });
  const groups = new Map<string, number[]>();
  if (slopes.length === 0)
    for (let j = 0; j < J; j++) {
      if (clusterCellStart[j + 1]! - clusterCellStart[j]! !== 1) continue;
      const c = clusterCellStart[j]!;
      const key = `${cellPattern[c]}:${cellN[c]}`;
      const list = groups.get(key);
      if (list) list.push(j); else groups.set(key, [j]);
    }
  const grouped = [...groups.values()].filter((l) => l.length > 1);
  const inGroup = new Uint8Array(J);
  const groupS = new Float64Array(grouped.length * m * m);
  grouped.forEach((list, gi) => {
    for (const j of list) {
      inGroup[j] = 1;
      const off = clusterCellStart[j]! * m * m;
      // s = sum_i a_i is row p of C (a[p] = 1)
      for (let u = 0; u < m; u++) for (let v = 0; v < m; v++) groupS[gi * m * m + u * m + v]! += cellC[off + p * m + u]! * cellC[off + p * m + v]!;
    }
  });

  const nParams = ir.nFree + nExtra;
  const start = new Float64Array(nParams);
  for (const r of ir.rows) if (r.par > 0) start[r.par - 1] = r.value;
  // latent covariates: grand mean, 70/30 split of the total variance between the levels
  latCov.forEach((x) => {
    const v = colOf(x.name);
    let s = 0, ss = 0, n = 0;
    for (const val of v) if (!Number.isNaN(val)) { s += val; ss += val * val; n++; }
    const mean = n ? s / n : 0;
    const variance = n ? Math.max(ss / n - mean * mean, 1e-4) : 1;
    for (const r of rows) {
      if (r.par <= ir.nFree || r.lhs !== x.name) continue;
      if (r.kind === 'mean') start[r.par - 1] = mean;
      else if (r.kind === 'variance') start[r.par - 1] = (r.level === 'within' ? 0.7 : 0.3) * variance;
    }
  });
  return {
    outcomes, p, kW, kB, kz, zVar, clusterZ, zUsed, k, m, slopeCarriers, within, between, q, qVar, qOfOutcome, slopes, carriers, nParams, start, nUsed, nClusters: J,
    nPatterns, patternObs: Uint8Array.from(patternObs), clusterCellStart,
    cellPattern: Int32Array.from(cellPattern), cellN: Float64Array.from(cellN), cellC, patternC, patternN, clusterObs, rows, nExtra,
    groupPattern: Int32Array.from(grouped, (l) => cellPattern[clusterCellStart[l[0]!]!]!),
    groupN: Float64Array.from(grouped, (l) => cellN[clusterCellStart[l[0]!]!]!),
    groupCount: Float64Array.from(grouped, (l) => l.length), groupS, inGroup,
  };
}

/** Cholesky factor (lower, row-major) of the n x n matrix a into L; returns log|a| or NaN when not positive definite. */
function cholLogdet(a: Float64Array, n: number, L: Float64Array): number {
  let ld = 0;
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
    if (!(d > 0)) return NaN;
    const l = Math.sqrt(d);
    L[j * n + j] = l;
    ld += 2 * Math.log(l);
    for (let i = j + 1; i < n; i++) {
      let v = a[i * n + j]!;
      for (let k = 0; k < j; k++) v -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = v / l;
    }
  }
  return ld;
}

/**
 * Cholesky factor of a positive semi-definite matrix: a pivot below a relative tolerance (a direction
 * with no information, e.g. an outcome not observed in the cluster) gives a zero column.
 */
function cholSemidefinite(a: Float64Array, n: number, L: Float64Array): void {
  let scale = 0;
  for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(a[j * n + j]!));
  const tol = 1e-12 * (scale > 0 ? scale : 1);
  L.fill(0, 0, n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
    if (d <= tol) continue;
    const l = Math.sqrt(d);
    L[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let v = a[i * n + j]!;
      for (let k = 0; k < j; k++) v -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = v / l;
    }
  }
}

/** Solve (L L') x = b in place (L from cholLogdet). */
function cholSolve(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let v = x[i]!;
    for (let k = 0; k < i; k++) v -= L[i * n + k]! * x[k]!;
    x[i] = v / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let v = x[i]!;
    for (let k = i + 1; k < n; k++) v -= L[k * n + i]! * x[k]!;
    x[i] = v / L[i * n + i]!;
  }
}

/** (I - B)^-1 of a level into lv.A by Gauss-Jordan (a handful of variables); false when singular. */
function invertIminusB(lv: Level): boolean {
  const n = lv.vars.length;
  const IB = lv.IB, A = lv.A;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { IB[i * n + j] = (i === j ? 1 : 0) - lv.B[i * n + j]!; A[i * n + j] = i === j ? 1 : 0; }
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(IB[r * n + c]!) > Math.abs(IB[piv * n + c]!)) piv = r;
    const d = IB[piv * n + c]!;
    if (Math.abs(d) < 1e-12) return false;
    if (piv !== c) for (let j = 0; j < n; j++) {
      let t = IB[c * n + j]!; IB[c * n + j] = IB[piv * n + j]!; IB[piv * n + j] = t;
      t = A[c * n + j]!; A[c * n + j] = A[piv * n + j]!; A[piv * n + j] = t;
    }
    for (let j = 0; j < n; j++) { IB[c * n + j]! /= d; A[c * n + j]! /= d; }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = IB[r * n + c]!;
      if (f === 0) continue;
      for (let j = 0; j < n; j++) { IB[r * n + j]! -= f * IB[c * n + j]!; A[r * n + j]! -= f * A[c * n + j]!; }
    }
  }
  return true;
}

/** Exact log-likelihood (and per-cluster terms) of a compiled multivariate two-level model. */
export class MultivariateLikelihood {
  // model matrices at the current theta
  private readonly SW: Float64Array; // p x p
  private readonly Bm: Float64Array; // p x k mean coefficients of a[p..]
  private readonly T: Float64Array; // q x q
  private readonly eB0: Float64Array; // q
  private readonly eBV: Float64Array; // q x (kB + kz): coefficients of [w, z] in the (conditional) mean of u
  // between moments of [u, z] and the conditioning on z
  private readonly e0: Float64Array; private readonly eG: Float64Array; private readonly Tf: Float64Array;
  private readonly K: Float64Array; private readonly Tzz: Float64Array; private readonly LZ: Float64Array; private readonly zw: Float64Array;
  private ldZ = 0;
  private readonly H: Float64Array; // nCar x p x q
  // per pattern
  private readonly G: Float64Array; // nPat x p x p (Sigma_W[O,O]^-1 embedded)
  private readonly ldG: Float64Array;
  private readonly HG: Float64Array; // nPat x nCar x q x p
  private readonly KK: Float64Array; // nPat x nCar x nCar x q x q
  // work
  private readonly S: Float64Array; private readonly Ls: Float64Array; private readonly Si: Float64Array; private readonly idx: Int32Array;
  private readonly U: Float64Array; private readonly u: Float64Array;
  private readonly P: Float64Array; private readonly b: Float64Array; private readonly L: Float64Array; private readonly TL: Float64Array;
  private readonly Mq: Float64Array; private readonly Lq: Float64Array; private readonly Tb: Float64Array; private readonly w: Float64Array;
  private readonly BB: Float64Array; private readonly Vp: Float64Array; private readonly HGV: Float64Array;

  constructor(readonly prob: MultivariateProblem) {
    const { p, k, q, kB, m, nPatterns: G } = prob;
    const nc = prob.carriers.length;
    this.SW = new Float64Array(p * p); this.Bm = new Float64Array(p * k); this.T = new Float64Array(q * q);
    const kz = prob.kz, nr = q + kz;
    this.eB0 = new Float64Array(q); this.eBV = new Float64Array(q * (kB + kz)); this.H = new Float64Array(nc * p * q);
    this.e0 = new Float64Array(nr); this.eG = new Float64Array(nr * kB); this.Tf = new Float64Array(nr * nr);
    this.K = new Float64Array(q * kz); this.Tzz = new Float64Array(kz * kz); this.LZ = new Float64Array(kz * kz); this.zw = new Float64Array(Math.max(kz, 1));
    this.G = new Float64Array(G * p * p); this.ldG = new Float64Array(G);
    this.HG = new Float64Array(G * nc * q * p); this.KK = new Float64Array(G * nc * nc * q * q);
    this.S = new Float64Array(p * p); this.Ls = new Float64Array(p * p); this.Si = new Float64Array(p); this.idx = new Int32Array(p);
    this.U = new Float64Array(p * m); this.u = new Float64Array(p);
    this.P = new Float64Array(q * q); this.b = new Float64Array(q); this.L = new Float64Array(q * q); this.TL = new Float64Array(q * q);
    this.Mq = new Float64Array(q * q); this.Lq = new Float64Array(q * q); this.Tb = new Float64Array(q); this.w = new Float64Array(q);
    this.BB = new Float64Array(q * q); this.Vp = new Float64Array(p * p); this.HGV = new Float64Array(q * p);
  }

  /** Level matrices, Sigma_W, T, H_t and the mean coefficients Bm at theta; false when I - B is singular. */
  private structure(theta: Float64Array): boolean {
    const pr = this.prob;
    const { p, k, q, kW, kB, within: W, between: Bt } = pr;
    for (const lv of [W, Bt]) {
      const n = lv.vars.length, nk = lv.covs.length;
      lv.B.fill(0); lv.P.fill(0); lv.alpha.fill(0); lv.G.fill(0);
      for (const sl of lv.slots) {
        const v = sl.param >= 0 ? theta[sl.param]! : sl.value;
        if (sl.mat === 'B') lv.B[sl.i * n + sl.j] = v;
        else if (sl.mat === 'G') lv.G[sl.i * nk + sl.j] = v;
        else if (sl.mat === 'a') lv.alpha[sl.i] = v;
        else { lv.P[sl.i * n + sl.j] = v; lv.P[sl.j * n + sl.i] = v; }
      }
      if (!invertIminusB(lv)) return false;
    }
    const Bm = this.Bm;
    Bm.fill(0);
    // within: Sigma_W = (A Psi A')[outcomes]; mean A alpha (constant column), A G (x columns)
    const nW = W.vars.length, AW = W.A;
    for (let d = 0; d < p; d++) {
      let mu = 0;
      for (let t = 0; t < nW; t++) mu += AW[d * nW + t]! * W.alpha[t]!;
      Bm[d * k] = mu;
      for (let c = 0; c < kW; c++) {
        let g = 0;
        for (let t = 0; t < nW; t++) g += AW[d * nW + t]! * W.G[t * kW + c]!;
        Bm[d * k + 1 + c] = g;
      }
      for (let e = 0; e <= d; e++) {
        let v = 0;
        for (let t = 0; t < nW; t++) {
          const adt = AW[d * nW + t]!;
          if (adt === 0) continue;
          for (let u = 0; u < nW; u++) v += adt * W.P[t * nW + u]! * AW[e * nW + u]!;
        }
        this.SW[d * p + e] = v; this.SW[e * p + d] = v;
      }
    }
    // between: moments of [random effects, between-only outcomes] = (A (alpha + G w), A Psi A') on those rows
    const nB = Bt.vars.length, AB = Bt.A;
    const { kz, nb } = { kz: pr.kz, nb: pr.kB + pr.kz };
    const nr = q + kz;
    const rowOf = (a: number): number => (a < q ? pr.qVar[a]! : pr.zVar[a - q]!);
    const e0 = this.e0, eG = this.eG, Tf = this.Tf;
    for (let a = 0; a < nr; a++) {
      const ra = rowOf(a);
      let mu = 0;
      for (let t = 0; t < nB; t++) mu += AB[ra * nB + t]! * Bt.alpha[t]!;
      e0[a] = mu;
      for (let c = 0; c < kB; c++) {
        let g = 0;
        for (let t = 0; t < nB; t++) g += AB[ra * nB + t]! * Bt.G[t * kB + c]!;
        eG[a * kB + c] = g;
      }
      for (let b2 = 0; b2 <= a; b2++) {
        const rb = rowOf(b2);
        let v = 0;
        for (let t = 0; t < nB; t++) {
          const at = AB[ra * nB + t]!;
          if (at === 0) continue;
          for (let u = 0; u < nB; u++) v += at * Bt.P[t * nB + u]! * AB[rb * nB + u]!;
        }
        Tf[a * nr + b2] = v; Tf[b2 * nr + a] = v;
      }
    }
    // condition the random effects on z: K = T_uz T_zz^-1, T = T_uu - K T_zu, eta = e_u + K (z - e_z)
    const K = this.K;
    if (kz > 0) {
      for (let a = 0; a < kz; a++) for (let b2 = 0; b2 < kz; b2++) this.Tzz[a * kz + b2] = Tf[(q + a) * nr + q + b2]!;
      this.ldZ = cholLogdet(this.Tzz, kz, this.LZ);
      if (Number.isNaN(this.ldZ)) return false;
      for (let a = 0; a < q; a++) {
        for (let c = 0; c < kz; c++) this.zw[c] = Tf[a * nr + q + c]!;
        cholSolve(this.LZ, kz, this.zw);
        for (let c = 0; c < kz; c++) K[a * kz + c] = this.zw[c]!;
      }
    }
    for (let a = 0; a < q; a++) {
      let v0 = e0[a]!;
      for (let c = 0; c < kz; c++) v0 -= K[a * kz + c]! * e0[q + c]!;
      this.eB0[a] = v0;
      for (let c = 0; c < kB; c++) {
        let v = eG[a * kB + c]!;
        for (let z = 0; z < kz; z++) v -= K[a * kz + z]! * eG[(q + z) * kB + c]!;
        this.eBV[a * nb + c] = v;
      }
      for (let c = 0; c < kz; c++) this.eBV[a * nb + kB + c] = K[a * kz + c]!;
      for (let b2 = 0; b2 < q; b2++) {
        let v = Tf[a * nr + b2]!;
        for (let c = 0; c < kz; c++) v -= K[a * kz + c]! * Tf[(q + c) * nr + b2]!;
        this.T[a * q + b2] = v;
      }
    }
    // H_t: between parts on the constant carrier, slopes through the within structure
    const H = this.H;
    H.fill(0);
    const nc = pr.carriers.length;
    const carPos = (t: number): number => pr.carriers.indexOf(t);
    for (let d = 0; d < p; d++) {
      const qd = pr.qOfOutcome[d]!;
      if (qd >= 0) H[(carPos(0) * p + d) * q + qd] = 1;
    }
    for (const s of pr.slopes) {
      const a = carPos(1 + s.c);
      for (let d = 0; d < p; d++) H[(a * p + d) * q + s.q]! += AW[d * nW + s.u]!;
    }
    // mean of the random effects: carrier t times eta_j = eB0 + eBV [w_j, z_j] -> columns t, b, x_c * b of Bm
    for (let ai = 0; ai < nc; ai++) {
      const t = pr.carriers[ai]!;
      const sc = t === 0 ? -1 : pr.slopeCarriers.indexOf(t - 1);
      for (let d = 0; d < p; d++) {
        let v0 = 0;
        for (let r = 0; r < q; r++) v0 += H[(ai * p + d) * q + r]! * this.eB0[r]!;
        Bm[d * k + t]! += v0;
        for (let c = 0; c < nb; c++) {
          let v = 0;
          for (let r = 0; r < q; r++) v += H[(ai * p + d) * q + r]! * this.eBV[r * nb + c]!;
          Bm[d * k + (sc < 0 ? 1 + kW + c : 1 + kW + nb + sc * nb + c)]! += v;
        }
      }
    }
    return true;
  }

  /** tr(G_g [I, -Bm] C [I, -Bm]') for an m x m matrix C at offset off (U: work p x m). */
  private quadratic(C: Float64Array, off: number, g: number): number {
    const { p, k, m } = this.prob;
    const { Bm, U } = this;
    for (let d = 0; d < p; d++)
      for (let col = 0; col < m; col++) {
        let v = C[off + d * m + col]!;
        for (let t = 0; t < k; t++) v -= Bm[d * k + t]! * C[off + (p + t) * m + col]!;
        U[d * m + col] = v;
      }
    const gOff = g * p * p;
    let s = 0;
    for (let d = 0; d < p; d++)
      for (let e = 0; e < p; e++) {
        const gde = this.G[gOff + d * p + e]!;
        if (gde === 0) continue;
        let v = U[d * m + e]!;
        for (let t = 0; t < k; t++) v -= U[d * m + p + t]! * Bm[e * k + t]!;
        s += gde * v;
      }
    return s;
  }

  /** Per-pattern inverses of Sigma_W[O,O] and their products with H_t; false when one is not positive definite. */
  private patterns(): boolean {
    const { p, q, nPatterns, patternObs, carriers } = this.prob;
    const nc = carriers.length;
    const { S, Ls, Si, idx, H } = this;
    for (let g = 0; g < nPatterns; g++) {
      let no = 0;
      for (let d = 0; d < p; d++) if (patternObs[g * p + d]) idx[no++] = d;
      for (let a = 0; a < no; a++) for (let b = 0; b < no; b++) S[a * no + b] = this.SW[idx[a]! * p + idx[b]!]!;
      const ld = cholLogdet(S, no, Ls);
      if (Number.isNaN(ld)) return false;
      this.ldG[g] = ld;
      const gOff = g * p * p;
      this.G.fill(0, gOff, gOff + p * p);
      for (let b = 0; b < no; b++) {
        Si.fill(0, 0, no); Si[b] = 1;
        cholSolve(Ls, no, Si);
        for (let a = 0; a < no; a++) this.G[gOff + idx[a]! * p + idx[b]!] = Si[a]!;
      }
      for (let ai = 0; ai < nc; ai++) {
        const hgOff = ((g * nc + ai) * q) * p;
        for (let r = 0; r < q; r++)
          for (let e = 0; e < p; e++) {
            let v = 0;
            for (let d = 0; d < p; d++) v += H[(ai * p + d) * q + r]! * this.G[gOff + d * p + e]!;
            this.HG[hgOff + r * p + e] = v;
          }
        for (let bi = 0; bi < nc; bi++) {
          const kk = (((g * nc + ai) * nc + bi) * q) * q;
          for (let r = 0; r < q; r++)
            for (let s = 0; s < q; s++) {
              let v = 0;
              for (let e = 0; e < p; e++) v += this.HG[hgOff + r * p + e]! * H[(bi * p + e) * q + s]!;
              this.KK[kk + r * q + s] = v;
            }
        }
      }
    }
    return true;
  }

  /**
   * Random-effect part of cluster j (after structure + patterns): log|I + L'TL| - [b'Tb - w'(I + L'TL)^-1 w],
   * to be added to log|D| + r'D^-1 r; NaN when the cluster's covariance matrix is not positive definite.
   */
  private randomPart(j: number): number {
    const pr = this.prob;
    const { p, k, q, m, carriers } = pr;
    if (q === 0) return 0;
    const nc = carriers.length;
    const { Bm, P, b, u } = this;
    const C = pr.cellC, HG = this.HG, KK = this.KK;
    P.fill(0); b.fill(0);
    for (let c = pr.clusterCellStart[j]!; c < pr.clusterCellStart[j + 1]!; c++) {
      const g = pr.cellPattern[c]!;
      const off = c * m * m;
      for (let ai = 0; ai < nc; ai++) {
        const col = p + carriers[ai]!;
        // u = sum_i xt_it r_i = [I, -Bm] C[:, col]
        for (let d = 0; d < p; d++) {
          let v = C[off + d * m + col]!;
          for (let t = 0; t < k; t++) v -= Bm[d * k + t]! * C[off + (p + t) * m + col]!;
          u[d] = v;
        }
        const hgOff = ((g * nc + ai) * q) * p;
        for (let r = 0; r < q; r++) {
          let v = 0;
          for (let d = 0; d < p; d++) v += HG[hgOff + r * p + d]! * u[d]!;
          b[r]! += v;
        }
        for (let bi = 0; bi < nc; bi++) {
          const ctt = C[off + col * m + p + carriers[bi]!]!;
          if (ctt === 0) continue;
          const kk = (((g * nc + ai) * nc + bi) * q) * q;
          for (let x = 0; x < q * q; x++) P[x]! += ctt * KK[kk + x]!;
        }
      }
    }
    return this.finish(1, null);
  }

  /**
   * From P (and b) in the work buffers: count * log|I + L'TL| - [b'Tb - w'(I + L'TL)^-1 w] with w = L'Tb,
   * or, given BB = sum b b' over `count` clusters sharing P, the sum of that expression:
   * count * log|I + L'TL| - tr(X BB), X = T - TL (I + L'TL)^-1 (TL)'.
   */
  private finish(count: number, BB: Float64Array | null): number {
    const { q } = this.prob;
    const { P, b, L, TL, Mq, Lq, Tb, w, T } = this;
    cholSemidefinite(P, q, L);
    // TL = T L, Mq = I + L'TL
    for (let r = 0; r < q; r++)
      for (let s = 0; s < q; s++) {
        let v = 0;
        for (let x = 0; x < q; x++) v += T[r * q + x]! * L[x * q + s]!;
        TL[r * q + s] = v;
      }
    for (let r = 0; r < q; r++)
      for (let s = 0; s < q; s++) {
        let v = r === s ? 1 : 0;
        for (let x = 0; x < q; x++) v += L[x * q + r]! * TL[x * q + s]!;
        Mq[r * q + s] = v;
      }
    const ldM = cholLogdet(Mq, q, Lq);
    if (Number.isNaN(ldM)) return NaN;
    if (BB) {
      // tr(X BB) = tr(T BB) - sum_s (TL)_s' Mq^-1 ... computed column by column of TL' BB TL
      let trTB = 0;
      for (let r = 0; r < q; r++) for (let x = 0; x < q; x++) trTB += T[r * q + x]! * BB[x * q + r]!;
      // Y = (TL)' BB (TL) (q x q); tr(Mq^-1 Y)
      let trMY = 0;
      for (let s = 0; s < q; s++) {
        // column s of Y into w
        for (let r = 0; r < q; r++) {
          let v = 0;
          for (let x = 0; x < q; x++) {
            let bx = 0;
            for (let y = 0; y < q; y++) bx += BB[x * q + y]! * TL[y * q + s]!;
            v += TL[x * q + r]! * bx;
          }
          w[r] = v;
        }
        cholSolve(Lq, q, w);
        trMY += w[s]!;
      }
      return count * ldM - (trTB - trMY);
    }
    // Tb = T b, w = L'Tb
    let bTb = 0;
    for (let r = 0; r < q; r++) {
      let v = 0;
      for (let x = 0; x < q; x++) v += T[r * q + x]! * b[x]!;
      Tb[r] = v;
      bTb += b[r]! * v;
    }
    for (let r = 0; r < q; r++) {
      let v = 0;
      for (let x = 0; x < q; x++) v += L[x * q + r]! * Tb[x]!;
      w[r] = v;
    }
    const z = Tb; // reused: z = (I + L'TL)^-1 w
    z.set(w);
    cholSolve(Lq, q, z);
    let wz = 0;
    for (let r = 0; r < q; r++) wz += w[r]! * z[r]!;
    return ldM - (bTb - wz);
  }

  /**
   * Random parts of a group of single-pattern clusters of one size (no random slopes): P = n K_g,
   * sum b b' = HG_g [I, -Bm] (sum s s') [I, -Bm]' HG_g'.
   */
  private groupPart(gi: number): number {
    const pr = this.prob;
    const { p, k, q, m } = pr;
    const g = pr.groupPattern[gi]!, n = pr.groupN[gi]!;
    const { P, Bm, U, BB } = this;
    const kk = g * q * q; // one carrier: KK offset (((g * 1 + 0) * 1 + 0) * q) * q
    for (let x = 0; x < q * q; x++) P[x] = n * this.KK[kk + x]!;
    // U = [I, -Bm] S (p x m), V = U [I, -Bm]' (p x p) into Vp
    const S = pr.groupS, off = gi * m * m;
    for (let d = 0; d < p; d++)
      for (let col = 0; col < m; col++) {
        let v = S[off + d * m + col]!;
        for (let t = 0; t < k; t++) v -= Bm[d * k + t]! * S[off + (p + t) * m + col]!;
        U[d * m + col] = v;
      }
    const Vp = this.Vp;
    for (let d = 0; d < p; d++)
      for (let e = 0; e < p; e++) {
        let v = U[d * m + e]!;
        for (let t = 0; t < k; t++) v -= U[d * m + p + t]! * Bm[e * k + t]!;
        Vp[d * p + e] = v;
      }
    const hgOff = g * q * p;
    const HGV = this.HGV;
    for (let r = 0; r < q; r++)
      for (let e = 0; e < p; e++) {
        let v = 0;
        for (let d = 0; d < p; d++) v += this.HG[hgOff + r * p + d]! * Vp[d * p + e]!;
        HGV[r * p + e] = v;
      }
    for (let r = 0; r < q; r++)
      for (let s = 0; s < q; s++) {
        let v = 0;
        for (let e = 0; e < p; e++) v += HGV[r * p + e]! * this.HG[hgOff + s * p + e]!;
        BB[r * q + s] = v;
      }
    return this.finish(pr.groupCount[gi]!, BB);
  }

  /** -2 log f(z_j) without the 2 pi constant: log|T_zz| + r'T_zz^-1 r, r = z_j - e_z0 - e_zG w_j (after structure). */
  private zPart(j: number): number {
    const pr = this.prob;
    const { q, kz, kB } = pr;
    if (kz === 0 || !pr.zUsed[j]) return 0;
    const zc = kz + 1 + kB, off = j * zc, r = this.zw;
    for (let c = 0; c < kz; c++) {
      let v = pr.clusterZ[off + c]! - this.e0[q + c]!;
      for (let b = 0; b < kB; b++) v -= this.eG[(q + c) * kB + b]! * pr.clusterZ[off + kz + 1 + b]!;
      r[c] = v;
    }
    // r'T_zz^-1 r = |L^-1 r|^2
    let qf = 0;
    for (let c = 0; c < kz; c++) {
      let v = r[c]!;
      for (let b = 0; b < c; b++) v -= this.LZ[c * kz + b]! * r[b]!;
      r[c] = v / this.LZ[c * kz + c]!;
      qf += r[c]! ** 2;
    }
    return this.ldZ + qf;
  }

  /** Per-cluster log-likelihoods at theta into out (length nClusters); false when inadmissible. */
  clusterLoglik(theta: Float64Array, out: Float64Array): boolean {
    if (!this.structure(theta) || !this.patterns()) return false;
    const pr = this.prob;
    const mm = pr.m * pr.m;
    for (let j = 0; j < pr.nClusters; j++) {
      const rp = this.randomPart(j);
      if (Number.isNaN(rp)) return false;
      let s = rp + this.zPart(j);
      for (let c = pr.clusterCellStart[j]!; c < pr.clusterCellStart[j + 1]!; c++) {
        const g = pr.cellPattern[c]!;
        s += pr.cellN[c]! * this.ldG[g]! + this.quadratic(pr.cellC, c * mm, g);
      }
      out[j] = -0.5 * ((pr.clusterObs[j]! + (pr.zUsed[j] ? pr.kz : 0)) * Math.log(2 * Math.PI) + s);
    }
    return true;
  }

  /** Log-likelihood at theta (-Infinity outside the admissible region); the D part pooled per pattern. */
  loglik(theta: Float64Array): number {
    if (!this.structure(theta) || !this.patterns()) return -Infinity;
    const pr = this.prob;
    const mm = pr.m * pr.m;
    let s = 0, nObs = 0;
    for (let g = 0; g < pr.nPatterns; g++) s += pr.patternN[g]! * this.ldG[g]! + this.quadratic(pr.patternC, g * mm, g);
    if (pr.q > 0)
      for (let gi = 0; gi < pr.groupCount.length; gi++) {
        const rp = this.groupPart(gi);
        if (Number.isNaN(rp)) return -Infinity;
        s += rp;
      }
    for (let j = 0; j < pr.nClusters; j++) {
      nObs += pr.clusterObs[j]!;
      if (pr.kz > 0 && pr.zUsed[j]) { s += this.zPart(j); nObs += pr.kz; }
      if (pr.inGroup[j]) continue;
      const rp = this.randomPart(j);
      if (Number.isNaN(rp)) return -Infinity;
      s += rp;
    }
    return -0.5 * (nObs * Math.log(2 * Math.PI) + s);
  }
}

const step = (t: number): number => 1e-5 * Math.max(1, Math.abs(t));

/** Observed information -d2l/dtheta2 by central second differences of the log-likelihood (also TYPE = THREELEVEL's). */
export function observedInformation(f: (t: Float64Array) => number, theta: Float64Array): Float64Array {
  const P = theta.length;
  const H = new Float64Array(P * P);
  const t = Float64Array.from(theta);
  const f0 = f(theta);
  const h = Array.from(theta, (v) => 10 * step(v));
  for (let i = 0; i < P; i++) {
    t[i] = theta[i]! + h[i]!; const fp = f(t);
    t[i] = theta[i]! - h[i]!; const fm = f(t);
    t[i] = theta[i]!;
    H[i * P + i] = -(fp - 2 * f0 + fm) / (h[i]! * h[i]!);
    for (let j = 0; j < i; j++) {
      let v = 0;
      for (const [si, sj] of [[1, 1], [1, -1], [-1, 1], [-1, -1]] as const) {
        t[i] = theta[i]! + si * h[i]!; t[j] = theta[j]! + sj * h[j]!;
        v += si * sj * f(t);
      }
      t[i] = theta[i]!; t[j] = theta[j]!;
      H[i * P + j] = H[j * P + i] = -v / (4 * h[i]! * h[j]!);
    }
  }
  return H;
}

/**
 * The covariance of the estimates with an exact likelihood: ML, the inverse observed information (second
 * differences of `loglik`); MLR, the sandwich A^-1 B A^-1 with B the outer products of the clusters'
 * scores (central differences of `clusterLoglik`, which fills one loglikelihood per cluster) and the
 * scaling correction tr(A^-1 B) / p; MLF, B^-1. Pushes Mplus's warnings (non-identification; more
 * parameters than `clusterWord`, e.g. CLUSTERS or LEVEL 3 CLUSTERS) into `warnings`.
 */
export function mlCovariance(
  loglik: (t: Float64Array) => number,
  clusterLoglik: (t: Float64Array, out: Float64Array) => void,
  nClusters: number,
  theta: Float64Array,
  estimator: 'ML' | 'MLR' | 'MLF',
  clusterWord: string,
  warnings: Warning[],
): { covariance: Float64Array | null; conditionNumber: number | null; scalingCorrection: number | null } {
  const P = theta.length;
  const Ainfo = observedInformation(loglik, theta);
  const ev = new EigenvalueDecomposition(new Matrix(toRows(Ainfo, P)), { assumeSymmetric: true }).realEigenvalues;
  const hi = Math.max(...ev);
  const conditionNumber = hi > 0 ? Math.min(...ev) / hi : null;
  const Ainv = invertSpd(Ainfo, P);
  if (!Ainv) {
    warnings.push({ code: 'NONIDENTIFIED', lines: ['THE STANDARD ERRORS OF THE MODEL PARAMETER ESTIMATES COULD NOT BE', 'COMPUTED.  THE MODEL MAY NOT BE IDENTIFIED.'] });
    return { covariance: null, conditionNumber, scalingCorrection: null };
  }
  if (estimator === 'ML') return { covariance: Ainv, conditionNumber, scalingCorrection: null };
  // per-cluster scores by central differences of the cluster log-likelihoods
  const J = nClusters;
  const scores = new Float64Array(J * P);
  const lp = new Float64Array(J), lm = new Float64Array(J);
  const t = Float64Array.from(theta);
  for (let k = 0; k < P; k++) {
    const h = step(theta[k]!);
    t[k] = theta[k]! + h; clusterLoglik(t, lp);
    t[k] = theta[k]! - h; clusterLoglik(t, lm);
    t[k] = theta[k]!;
    for (let j = 0; j < J; j++) scores[j * P + k] = (lp[j]! - lm[j]!) / (2 * h);
  }
  const B = new Float64Array(P * P);
  for (let j = 0; j < J; j++)
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) B[a * P + b]! += scores[j * P + a]! * scores[j * P + b]!;
  const AiB = matMul(Ainv, B, P);
  let tr = 0;
  for (let k = 0; k < P; k++) tr += AiB[k * P + k]!;
  if (P > J)
    warnings.push({ code: 'MLR_MORE_PARAMS_THAN_CLUSTERS', lines: ['THE STANDARD ERRORS OF THE MODEL PARAMETER ESTIMATES MAY NOT BE', `TRUSTWORTHY: THE NUMBER OF PARAMETERS IS GREATER THAN THE NUMBER OF ${clusterWord}.`] });
  return estimator === 'MLR'
    ? { covariance: matMul(AiB, Ainv, P), conditionNumber, scalingCorrection: tr / P }
    : { covariance: invertSpd(B, P), conditionNumber, scalingCorrection: null };
}

export function estimateMultivariate(ir: ModelIR, dataset: Dataset, options: TwoLevelOptions & { estimator: 'ML' | 'MLR' | 'MLF' }): EstimationResult {
  const estimator = options.estimator;
  const prob = compileMultivariate(ir, dataset);
  const lik = new MultivariateLikelihood(prob);
  const P = prob.nParams;
  const tt = new Float64Array(P);
  // log-likelihood with a central-difference gradient
  const f: Objective = (theta, grad) => {
    const l = lik.loglik(theta);
    if (!Number.isFinite(l)) return l;
    tt.set(theta);
    for (let k = 0; k < P; k++) {
      const h = step(theta[k]!);
      tt[k] = theta[k]! + h; const lp = lik.loglik(tt);
      tt[k] = theta[k]! - h; const lm = lik.loglik(tt);
      tt[k] = theta[k]!;
      grad[k] = Number.isFinite(lp) && Number.isFinite(lm) ? (lp - lm) / (2 * h) : Number.isFinite(lp) ? (lp - l) / h : (l - lm) / h;
    }
    return l;
  };
  const warnings: Warning[] = [];
  // BFGS on a difference gradient crawls along flat directions (between variances near 0): a fresh
  // numerical Hessian every 30 iterations halves the iterations and saves about a third of the time
  const opt = maximize(f, prob.start, { maxIterations: options.maxIterations, refreshEvery: 30 });
  const theta = opt.theta;
  if (!opt.converged)
    warnings.push({ code: 'NOT_CONVERGED', lines: ['THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY DUE TO AN ERROR IN THE', 'COMPUTATION.  CHANGE YOUR MODEL AND/OR STARTING VALUES.'] });

  const { covariance, conditionNumber, scalingCorrection } = opt.converged
    ? mlCovariance((t) => lik.loglik(t), (t, out) => lik.clusterLoglik(t, out), prob.nClusters, theta, estimator, 'CLUSTERS', warnings)
    : { covariance: null, conditionNumber: null, scalingCorrection: null };

  const seOf = (k: number): number => (covariance ? Math.sqrt(Math.max(covariance[k * P + k]!, 0)) : NaN);
  const parameters: ParameterEstimate[] = [];
  const factors = new Set(ir.latent.filter((l) => l.kind === 'factor' || l.kind === 'growth').map((l) => l.name));
  for (const row of prob.rows) {
    // Mplus prints neither the structural-zero within intercepts of outcomes with a between part
    // nor the fixed-at-zero intercepts / means of factors
    if ((row.kind === 'intercept' || row.kind === 'mean') && row.par === 0 && row.value === 0 &&
      (factors.has(row.lhs) || (row.level === 'within' && prob.between.vars.includes(row.lhs)))) continue;
    const param = row.par > 0 ? row.par - 1 : -1;
    parameters.push({
      par: row.par, level: row.level, classLabel: null, categoricalLatent: false, block: blockOf(row),
      name: row.kind === 'regression' || row.kind === 'covariance' || row.kind === 'loading' ? row.rhs : row.lhs,
      estimate: param >= 0 ? theta[param]! : row.value, se: param >= 0 ? seOf(param) : 0, fixed: param < 0,
    });
  }
  const N = prob.nUsed;
  const ll = opt.loglik;
  return {
    terminatedNormally: opt.converged,
    estimator,
    fit: opt.converged ? fitStatistics(ll, P, N, scalingCorrection) : null,
    parameters,
    classCounts: null,
    randomStarts: null,
    warnings,
    conditionNumber,
    theta,
    start: prob.start,
    covariance,
    iterations: opt.iterations,
  };
}
