// Multivariate two-level normal models: several continuous outcomes with random intercepts,
// within- and between-level factor models and regressions (User's Guide chapter 9 shapes such
// as ex9.6: `%WITHIN% fw BY y1-y4; fw ON x1 x2; %BETWEEN% fb BY y1-y4; fb ON w;`).
//
// Model (estimation.md §2(b), multivariate case). Each level is a small structural model on its
// variables v_L = [outcome parts at level L, factors of level L] and covariates x_L:
//     v_L = alpha_L + B_L v_L + G_L x_L + zeta_L,   zeta_L ~ N(0, Psi_L)
// (B_L holds loadings `f BY y` as B[y][f] and regressions among v_L; G_L regressions on
// covariates of the level). With A_L = (I - B_L)^-1 and S_L the selection of the outcome rows:
//     y_ij = Bm z_ij + u_j + e_ij,   z_ij = [1, x_ij, w_j],   Bm = [S_W A_W alpha_W + S_B A_B alpha_B, S_W A_W G_W, S_B A_B G_B]
//     e_ij ~ N(0, Sigma_W = S_W A_W Psi_W A_W' S_W'),   u_j ~ N(0, Sigma_B = S_B A_B Psi_B A_B' S_B').
// With r_ij = M a_ij, M = [I, -Bm], a_ij = [y_ij, z_ij], the exact cluster log-likelihood is
//   -1/2 [ n p log 2pi + (n-1) log|Sigma_W| + log|Sigma_W + n Sigma_B|
//          + tr(Sigma_W^-1 M W_j M') + tr((Sigma_W + n Sigma_B)^-1 M s_j s_j' M') / n ]
// with W_j = sum_i a a' - s_j s_j'/n and s_j = sum_i a_ij. Summed over clusters, W_j adds up to
// one matrix and s_j s_j'/n to one matrix per distinct cluster size, so an evaluation costs
// O(distinct cluster sizes * p^3), independent of the number of individuals.
//
// The gradient is by central differences (tens of parameters, microseconds per evaluation);
// the observed information by second differences of the log-likelihood; MLR uses per-cluster
// scores from the same per-cluster formula. Missing outcome values are not supported yet
// (E_TWOLEVEL_UNSUPPORTED): they need per-pattern sums (DESIGN.md). Individuals with a missing
// covariate are excluded, as Mplus does.

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { ModelIR, ParamRow } from '../../model/ir.js';
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

/** True when the model needs this module: several outcomes or latent factors, no random slopes / classes. */
export function isMultivariate(ir: ModelIR): boolean {
  const deps = ir.observed.filter((v) => v.role === 'dependent');
  return deps.length > 1 || ir.latent.some((l) => l.kind === 'factor');
}

/** One parameter-table entry of a level matrix: 'B' (n x n), 'P' (Psi, symmetric), 'a' (alpha), 'G' (n x k). */
interface Slot { mat: 'B' | 'P' | 'a' | 'G'; i: number; j: number; param: number; value: number }

interface Level {
  vars: string[];
  covs: string[];
  /** index in the outcome vector of each variable of the level (-1: factor) */
  outcome: Int32Array;
  slots: Slot[];
  // work space
  B: Float64Array; P: Float64Array; alpha: Float64Array; G: Float64Array; A: Float64Array;
}

export interface MultivariateProblem {
  outcomes: string[];
  p: number;
  /** z = [1, within covariates, between covariates] */
  k: number;
  m: number;
  within: Level;
  between: Level;
  nParams: number;
  start: Float64Array;
  nUsed: number;
  nClusters: number;
  /** sum over clusters of W_j (m x m) */
  Wsum: Float64Array;
  /** per distinct cluster size: n, number of clusters, sum of s s'/n (m x m) */
  sizes: Float64Array;
  counts: Float64Array;
  Ssum: Float64Array;
  /** per cluster: n, W_j, s s'/n (for MLR scores) */
  clusterN: Float64Array;
  clusterW: Float64Array;
  clusterS: Float64Array;
  rows: ParamRow[];
}

function makeLevel(vars: string[], covs: string[], outcomes: string[]): Level {
  const n = vars.length, k = covs.length;
  return {
    vars, covs, outcome: Int32Array.from(vars.map((v) => outcomes.indexOf(v))), slots: [],
    B: new Float64Array(n * n), P: new Float64Array(n * n), alpha: new Float64Array(n), G: new Float64Array(n * k), A: new Float64Array(n * n),
  };
}

export function compileMultivariate(ir: ModelIR, ds: Dataset): MultivariateProblem {
  const cl = ds.cluster;
  if (!ir.twoLevel || !cl) throw unsupported('the two-level estimator needs TYPE = TWOLEVEL and a CLUSTER variable');
  if (ir.randomSlopes.length > 0) throw unsupported('random slopes with several outcomes or factors are not implemented in the closed-form two-level estimator');
  if (ir.classVariables.length > 0) throw unsupported('class variables with several outcomes or factors are not implemented in the closed-form two-level estimator');
  const deps = ir.observed.filter((v) => v.role === 'dependent');
  for (const d of deps) {
    if (d.scale !== 'continuous') throw unsupported(`outcome ${d.display} is ${d.scale}; the closed-form two-level estimator needs continuous outcomes`);
    if (d.level === 'between') throw unsupported(`between-only outcome ${d.display} is not implemented in the multivariate closed-form estimator`);
  }
  const outcomes = deps.map((d) => d.name);
  const covW = ir.observed.filter((v) => v.role === 'covariate' && v.level === 'within').map((v) => v.name);
  const covB = ir.observed.filter((v) => v.role === 'covariate' && v.level === 'between').map((v) => v.name);
  const both = ir.observed.filter((v) => v.role === 'covariate' && v.level === 'both');
  if (both.length) throw unsupported(`covariate ${both[0]!.display} must be listed in WITHIN or BETWEEN (latent covariate decomposition is not implemented)`);
  const facW = ir.latent.filter((l) => l.kind === 'factor' && l.level === 'within').map((l) => l.name);
  const facB = ir.latent.filter((l) => l.kind === 'factor' && l.level === 'between').map((l) => l.name);
  const within = makeLevel([...outcomes, ...facW], covW, outcomes);
  const between = makeLevel([...deps.filter((d) => d.level === 'both').map((d) => d.name), ...facB], covB, outcomes);

  for (const r of ir.rows) {
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

  // ---- per-cluster sufficient statistics of a = [y, 1, x, w]
  const p = outcomes.length;
  const k = 1 + covW.length + covB.length;
  const m = p + k;
  const colOf = (n: string): Float64Array => {
    const c = column(ds, n);
    if (!c) throw unsupported(`variable ${n} is not in the data set`, 'E_TWOLEVEL_DATA');
    return c.values;
  };
  const ycols = outcomes.map(colOf);
  const zcols = [...covW, ...covB].map(colOf);
  const J = cl.start.length - 1;
  const a = new Float64Array(m);
  const s = new Float64Array(m);
  const Cj = new Float64Array(m * m);
  const clusterN = new Float64Array(J);
  const clusterW = new Float64Array(J * m * m);
  const clusterS = new Float64Array(J * m * m);
  let nUsed = 0;
  for (let j = 0; j < J; j++) {
    s.fill(0); Cj.fill(0);
    let n = 0;
    for (let t = cl.start[j]!; t < cl.start[j + 1]!; t++) {
      const i = cl.order[t]!;
      if (zcols.some((c) => Number.isNaN(c[i]!))) continue;
      for (let d = 0; d < p; d++) {
        const v = ycols[d]![i]!;
        if (Number.isNaN(v))
          throw unsupported(`${outcomes[d]} is missing for an individual of cluster ${cl.ids[j]}; missing outcomes are not implemented in the multivariate closed-form two-level estimator (per-pattern sums, DESIGN.md)`);
        a[d] = v;
      }
      a[p] = 1;
      for (let c = 0; c < zcols.length; c++) a[p + 1 + c] = zcols[c]![i]!;
      n++;
      for (let u = 0; u < m; u++) { s[u]! += a[u]!; for (let v = 0; v < m; v++) Cj[u * m + v]! += a[u]! * a[v]!; }
    }
    nUsed += n;
    clusterN[j] = n;
    if (n === 0) continue;
    for (let u = 0; u < m; u++)
      for (let v = 0; v < m; v++) {
        const ss = (s[u]! * s[v]!) / n;
        clusterS[(j * m + u) * m + v] = ss;
        clusterW[(j * m + u) * m + v] = Cj[u * m + v]! - ss;
      }
  }
  const Wsum = new Float64Array(m * m);
  const bySize = new Map<number, { count: number; S: Float64Array }>();
  for (let j = 0; j < J; j++) {
    const n = clusterN[j]!;
    if (n === 0) continue;
    let g = bySize.get(n);
    if (!g) { g = { count: 0, S: new Float64Array(m * m) }; bySize.set(n, g); }
    g.count++;
    for (let u = 0; u < m * m; u++) { Wsum[u]! += clusterW[j * m * m + u]!; g.S[u]! += clusterS[j * m * m + u]!; }
  }
  const sizeList = [...bySize.keys()].sort((x, y) => x - y);
  const Ssum = new Float64Array(sizeList.length * m * m);
  sizeList.forEach((n, g) => Ssum.set(bySize.get(n)!.S, g * m * m));

  const nParams = ir.nFree;
  const start = new Float64Array(nParams);
  for (const r of ir.rows) if (r.par > 0) start[r.par - 1] = r.value;
  return {
    outcomes, p, k, m, within, between, nParams, start, nUsed, nClusters: J, Wsum,
    sizes: Float64Array.from(sizeList), counts: Float64Array.from(sizeList.map((n) => bySize.get(n)!.count)), Ssum,
    clusterN, clusterW, clusterS, rows: ir.rows,
  };
}

/** Cholesky factor in place (lower, row-major); returns log|a| or NaN when not positive definite. */
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

/** tr(X^-1 Q) for X = L L' (L from cholLogdet) and symmetric Q (p x p); `work` p x p. */
function traceSolve(L: Float64Array, Q: Float64Array, p: number, work: Float64Array): number {
  // work = L^-1 Q (forward substitution, column by column)
  work.set(Q.subarray(0, p * p));
  for (let c = 0; c < p; c++)
    for (let i = 0; i < p; i++) {
      let v = work[i * p + c]!;
      for (let k = 0; k < i; k++) v -= L[i * p + k]! * work[k * p + c]!;
      work[i * p + c] = v / L[i * p + i]!;
    }
  // tr(L^-T Y) with Y = L^-1 Q: solve L' Z = Y column by column and sum the diagonal of Z
  let tr = 0;
  for (let c = 0; c < p; c++) {
    for (let i = p - 1; i >= 0; i--) {
      let v = work[i * p + c]!;
      for (let k = i + 1; k < p; k++) v -= L[k * p + i]! * work[k * p + c]!;
      work[i * p + c] = v / L[i * p + i]!;
    }
    tr += work[c * p + c]!;
  }
  return tr;
}

/** Exact log-likelihood (and per-cluster terms) of a compiled multivariate two-level model. */
export class MultivariateLikelihood {
  private readonly SW: Float64Array;
  private readonly SB: Float64Array;
  private readonly Bm: Float64Array;
  private readonly LW: Float64Array;
  private readonly LV: Float64Array;
  private readonly V: Float64Array;
  private readonly Q: Float64Array;
  private readonly MQ: Float64Array;
  private readonly work: Float64Array;

  constructor(readonly prob: MultivariateProblem) {
    const { p, m, k } = prob;
    this.SW = new Float64Array(p * p); this.SB = new Float64Array(p * p); this.Bm = new Float64Array(p * k);
    this.LW = new Float64Array(p * p); this.LV = new Float64Array(p * p); this.V = new Float64Array(p * p);
    this.Q = new Float64Array(p * p); this.MQ = new Float64Array(p * m); this.work = new Float64Array(p * p);
  }

  /** Sigma_W, Sigma_B and the mean coefficients Bm at theta; false when I - B is singular. */
  private structure(theta: Float64Array): boolean {
    const { p, k, within, between } = this.prob;
    this.SW.fill(0); this.SB.fill(0); this.Bm.fill(0);
    const kW = within.covs.length;
    for (const [lv, S, gOff] of [[within, this.SW, 1], [between, this.SB, 1 + kW]] as const) {
      const n = lv.vars.length;
      const nk = lv.covs.length;
      lv.B.fill(0); lv.P.fill(0); lv.alpha.fill(0); lv.G.fill(0);
      for (const sl of lv.slots) {
        const v = sl.param >= 0 ? theta[sl.param]! : sl.value;
        if (sl.mat === 'B') lv.B[sl.i * n + sl.j] = v;
        else if (sl.mat === 'G') lv.G[sl.i * nk + sl.j] = v;
        else if (sl.mat === 'a') lv.alpha[sl.i] = v;
        else { lv.P[sl.i * n + sl.j] = v; lv.P[sl.j * n + sl.i] = v; }
      }
      // A = (I - B)^-1 by Gauss-Jordan (n is a handful)
      const IB = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) IB[i * n + j] = (i === j ? 1 : 0) - lv.B[i * n + j]!;
      const A = lv.A; A.fill(0);
      for (let i = 0; i < n; i++) A[i * n + i] = 1;
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
      // outcome rows: covariance A Psi A', mean A alpha, covariate effects A G
      for (let r = 0; r < n; r++) {
        const yr = lv.outcome[r]!;
        if (yr < 0) continue;
        let mu = 0;
        for (let t = 0; t < n; t++) mu += A[r * n + t]! * lv.alpha[t]!;
        this.Bm[yr * k]! += mu;
        for (let c = 0; c < nk; c++) {
          let g = 0;
          for (let t = 0; t < n; t++) g += A[r * n + t]! * lv.G[t * nk + c]!;
          this.Bm[yr * k + gOff + c] = g;
        }
        for (let r2 = 0; r2 < n; r2++) {
          const y2 = lv.outcome[r2]!;
          if (y2 < 0) continue;
          let v = 0;
          for (let t = 0; t < n; t++) {
            const art = A[r * n + t]!;
            if (art === 0) continue;
            for (let u = 0; u < n; u++) v += art * lv.P[t * n + u]! * A[r2 * n + u]!;
          }
          S[yr * p + y2] = v;
        }
      }
    }
    return true;
  }

  /** Q = M C M' for an m x m matrix C at offset `off` of `src` (M = [I, -Bm]). */
  private project(src: Float64Array, off: number): void {
    const { p, m, k } = this.prob;
    const Bm = this.Bm, MQ = this.MQ, Q = this.Q;
    for (let i = 0; i < p; i++)
      for (let c = 0; c < m; c++) {
        let v = src[off + i * m + c]!;
        for (let t = 0; t < k; t++) v -= Bm[i * k + t]! * src[off + (p + t) * m + c]!;
        MQ[i * m + c] = v;
      }
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++) {
        let v = MQ[i * m + j]!;
        for (let t = 0; t < k; t++) v -= MQ[i * m + p + t]! * Bm[j * k + t]!;
        Q[i * p + j] = v;
      }
  }

  private betweenTerm(n: number, count: number, S: Float64Array, off: number): number {
    const { p } = this.prob;
    for (let u = 0; u < p * p; u++) this.V[u] = this.SW[u]! + n * this.SB[u]!;
    const ld = cholLogdet(this.V, p, this.LV);
    if (Number.isNaN(ld)) return NaN;
    this.project(S, off);
    return count * ld + traceSolve(this.LV, this.Q, p, this.work);
  }

  /** Log-likelihood at theta (-Infinity outside the admissible region). */
  loglik(theta: Float64Array): number {
    const pr = this.prob;
    const { p, m } = pr;
    if (!this.structure(theta)) return -Infinity;
    const ldW = cholLogdet(this.SW, p, this.LW);
    if (Number.isNaN(ldW)) return -Infinity;
    this.project(pr.Wsum, 0);
    let q = (pr.nUsed - sumCounts(pr)) * ldW + traceSolve(this.LW, this.Q, p, this.work);
    for (let g = 0; g < pr.sizes.length; g++) {
      const t = this.betweenTerm(pr.sizes[g]!, pr.counts[g]!, pr.Ssum, g * m * m);
      if (Number.isNaN(t)) return -Infinity;
      q += t;
    }
    return -0.5 * (pr.nUsed * p * Math.log(2 * Math.PI) + q);
  }

  /** Per-cluster log-likelihoods at theta into out (length nClusters); false when inadmissible. */
  clusterLoglik(theta: Float64Array, out: Float64Array): boolean {
    const pr = this.prob;
    const { p, m } = pr;
    if (!this.structure(theta)) return false;
    const ldW = cholLogdet(this.SW, p, this.LW);
    if (Number.isNaN(ldW)) return false;
    for (let j = 0; j < pr.nClusters; j++) {
      const n = pr.clusterN[j]!;
      if (n === 0) { out[j] = 0; continue; }
      this.project(pr.clusterW, j * m * m);
      const w = (n - 1) * ldW + traceSolve(this.LW, this.Q, p, this.work);
      const b = this.betweenTerm(n, 1, pr.clusterS, j * m * m);
      if (Number.isNaN(b)) return false;
      out[j] = -0.5 * (n * p * Math.log(2 * Math.PI) + w + b);
    }
    return true;
  }
}

function sumCounts(pr: MultivariateProblem): number { let s = 0; for (const c of pr.counts) s += c; return s; }

const step = (t: number): number => 1e-5 * Math.max(1, Math.abs(t));

/** Observed information -d2l/dtheta2 by central second differences of the log-likelihood. */
function observedInformation(f: (t: Float64Array) => number, theta: Float64Array): Float64Array {
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
  const opt = maximize(f, prob.start, { maxIterations: options.maxIterations });
  const theta = opt.theta;
  if (!opt.converged)
    warnings.push({ code: 'NOT_CONVERGED', lines: ['THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY DUE TO AN ERROR IN THE', 'COMPUTATION.  CHANGE YOUR MODEL AND/OR STARTING VALUES.'] });

  let covariance: Float64Array | null = null;
  let conditionNumber: number | null = null;
  let scalingCorrection: number | null = null;
  if (opt.converged) {
    const Ainfo = observedInformation((t) => lik.loglik(t), theta);
    const ev = new EigenvalueDecomposition(new Matrix(toRows(Ainfo, P)), { assumeSymmetric: true }).realEigenvalues;
    const hi = Math.max(...ev);
    conditionNumber = hi > 0 ? Math.min(...ev) / hi : null;
    const Ainv = invertSpd(Ainfo, P);
    if (!Ainv) {
      warnings.push({ code: 'NONIDENTIFIED', lines: ['THE STANDARD ERRORS OF THE MODEL PARAMETER ESTIMATES COULD NOT BE', 'COMPUTED.  THE MODEL MAY NOT BE IDENTIFIED.'] });
    } else {
      // per-cluster scores by central differences of the cluster log-likelihoods
      const J = prob.nClusters;
      const scores = new Float64Array(J * P);
      const lp = new Float64Array(J), lm = new Float64Array(J);
      const t = Float64Array.from(theta);
      for (let k = 0; k < P; k++) {
        const h = step(theta[k]!);
        t[k] = theta[k]! + h; lik.clusterLoglik(t, lp);
        t[k] = theta[k]! - h; lik.clusterLoglik(t, lm);
        t[k] = theta[k]!;
        for (let j = 0; j < J; j++) scores[j * P + k] = (lp[j]! - lm[j]!) / (2 * h);
      }
      const B = new Float64Array(P * P);
      for (let j = 0; j < J; j++)
        for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) B[a * P + b]! += scores[j * P + a]! * scores[j * P + b]!;
      const AiB = matMul(Ainv, B, P);
      let tr = 0;
      for (let k = 0; k < P; k++) tr += AiB[k * P + k]!;
      scalingCorrection = estimator === 'MLR' ? tr / P : null;
      covariance = estimator === 'ML' ? Ainv : estimator === 'MLR' ? matMul(AiB, Ainv, P) : invertSpd(B, P);
      if (estimator !== 'ML' && P > J)
        warnings.push({ code: 'MLR_MORE_PARAMS_THAN_CLUSTERS', lines: ['THE STANDARD ERRORS OF THE MODEL PARAMETER ESTIMATES MAY NOT BE', 'TRUSTWORTHY: THE NUMBER OF PARAMETERS IS GREATER THAN THE NUMBER OF CLUSTERS.'] });
    }
  }

  const seOf = (k: number): number => (covariance ? Math.sqrt(Math.max(covariance[k * P + k]!, 0)) : NaN);
  const parameters: ParameterEstimate[] = [];
  const factors = new Set(ir.latent.filter((l) => l.kind === 'factor').map((l) => l.name));
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
