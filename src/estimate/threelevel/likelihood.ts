// Exact log-likelihood of TYPE = THREELEVEL models with continuous outcomes (no numerical integration).
//
// Model (src/model/threelevel.ts builds the rows). Each level L = W (within), 2, 3 is a structural model
//     v_L = alpha_L + B_L v_L + G_L c_L + zeta_L,  zeta_L ~ N(0, Psi_L),  A_L = (I - B_L)^-1
// on v_L = [the p outcome parts, the latent variables of that level] with covariates c_L (WITHIN x at W,
// (level2) w at 2, (level3) z at 3). Outcome vector of person i in level-2 cluster j in level-3 cluster k:
//     y_ijk = mu_ijk + e3_k + e2_jk + e1_ijk,   e_L ~ N(0, S_L),  S_L = [A_L Psi_L A_L']_(outcomes)
//     mu_ijk = sum_L [A_L alpha_L]_(outcomes) + Gx x_ijk + Gw w_jk + Gz z_k,  G. = [A_L G_L]_(outcomes).
// Given e3_k, level-2 clusters are independent; within a level-2 cluster of n persons (residuals r_i,
// mean rbar) the Helmert split gives
//     log f(y_j | e3) = log N(rbar_j; e3, V_n) - (n-1)p/2 log 2pi - (n-1)/2 log|S_W| - 1/2 tr(S_W^-1 W_j) - p/2 log n
// with V_n = S_2 + S_W / n and W_j = sum_i (r_i - rbar)(r_i - rbar)' = [I, -Gx] C_j [I, -Gx]', C_j the
// within-cluster centred cross-products of u = [y, x]. C = sum_j C_j is pooled once, so the within part
// of an evaluation costs O((p + kx)^2). Level 3: the cluster means rbar_j (j in k) are e3_k + delta_j with
// delta_j ~ N(0, V_nj) independent, so with D = blockdiag(V_nj), P = sum_j V_nj^-1, b = sum_j V_nj^-1 rbar_j:
//     log|Cov| = sum_j log|V_nj| + log|I + S_3 P|,   quad = sum_j rbar_j' V_nj^-1 rbar_j - b' (I + S_3 P)^-1 S_3 b
// (Woodbury without S_3^-1: S_3 may be singular, e.g. level-3 residual variances fixed at 0). V_n^-1 and
// log|V_n| are computed once per distinct cluster size. Sufficient statistics: C (pooled) and, per
// (level-3 cluster, level-2 cluster size), sum d d' over the level-2 clusters, d = [ybar, 1, xbar, w, z]
// (the mean residual of a cluster is R d, R = [I, -m0, -Gx, -Gw, -Gz]). An evaluation is
// O(level-3 clusters * sizes * md^2 p) and never touches rows or level-2 clusters.
// Missing outcome values are refused (E_THREELEVEL_MISSING; FIML by patterns is not implemented).

import type { ModelIR, ParamRow } from '../../model/ir.js';
import type { Dataset } from '../../data/dataset.js';
import { PlusmixError } from '../../syntax/diagnostics.js';

export function unsupported(message: string, code = 'E_THREELEVEL_UNSUPPORTED'): PlusmixError {
  return new PlusmixError({ severity: 'error', code, command: 'MODEL', message, location: { kind: 'none' } });
}

/** One structural level: variables (outcomes first), covariates, and the rows that fill its matrices. */
interface LevelSpec {
  vars: string[];
  covs: string[];
  slots: Array<{ mat: 'B' | 'P' | 'a' | 'G'; i: number; j: number; row: ParamRow }>;
}

export interface ThreeLevelProblem {
  outcomes: string[];
  p: number;
  levels: [LevelSpec, LevelSpec, LevelSpec];
  nParams: number;
  /** persons, level-2 clusters, level-3 clusters */
  N: number;
  J: number;
  K: number;
  /** pooled within-cluster centred cross-products of [y, x], (p + kx)^2 */
  C: Float64Array;
  /** distinct level-2 cluster sizes */
  sizes: number[];
  /**
   * per level-3 cluster k and size index s: sum over its level-2 clusters of that size of d d', with
   * d = [ybar (p), 1, xbar (kx), w (kw), z (kz)] (md = p + 1 + kx + kw + kz); the level-2 cluster mean
   * residual is R d with R = [I, -m0, -Gx, -Gw, -Gz], so the between part needs only these
   */
  D: Float64Array;
  md: number;
  /** sum over level-2 clusters of log n_j */
  sumLogN: number;
}

const LEVEL_NAMES = ['within', 'LEVEL2', 'LEVEL3'] as const;

function levelOfRow(r: ParamRow): 0 | 1 | 2 {
  return r.level === 'within' ? 0 : r.betweenLevel === 'LEVEL3' ? 2 : 1;
}

export function compileThreeLevel(ir: ModelIR, ds: Dataset): ThreeLevelProblem {
  if (!ds.cluster || !ds.clusterTop) throw unsupported('TYPE = THREELEVEL needs CLUSTER = level3variable level2variable;', 'E_THREELEVEL_CLUSTER');
  const outs = ir.observed.filter((o) => o.role === 'dependent');
  for (const o of outs) {
    if (o.scale !== 'continuous') throw unsupported(`TYPE = THREELEVEL: ${o.name} is not continuous; plusmix estimates three-level models for continuous outcomes only.`);
    if (o.level !== 'both') throw unsupported(`TYPE = THREELEVEL: ${o.name} is a WITHIN or BETWEEN outcome; plusmix supports outcomes with parts on all three levels only.`);
  }
  if (ir.randomSlopes.length) throw unsupported('TYPE = THREELEVEL: random slopes are not supported yet (closed-form estimator for random intercepts and factor / growth models only).');
  if (ir.constraint) throw unsupported('TYPE = THREELEVEL: MODEL CONSTRAINT is not supported yet.');
  const outcomes = outs.map((o) => o.name);
  const p = outcomes.length;
  const covLevel = (name: string): 0 | 1 | 2 => {
    const o = ir.observed.find((x) => x.name === name)!;
    const col = ds.columns[o.column]!;
    return o.level === 'within' ? 0 : col.betweenLevel === 'LEVEL3' ? 2 : 1;
  };
  const levels = [0, 1, 2].map((L): LevelSpec => {
    const lat = ir.latent.filter((l) => (L === 0 ? l.level === 'within' : l.level === 'between' && l.betweenLevel === LEVEL_NAMES[L]) && l.kind !== 'randomIntercept').map((l) => l.name);
    return { vars: [...outcomes, ...lat], covs: [], slots: [] };
  }) as [LevelSpec, LevelSpec, LevelSpec];
  for (const r of ir.rows) {
    const L = levelOfRow(r);
    const lv = levels[L];
    const idx = (n: string) => lv.vars.indexOf(n);
    const i = idx(r.lhs);
    if (i < 0) throw unsupported(`TYPE = THREELEVEL: ${r.lhs} is not a variable of the ${LEVEL_NAMES[L]} level.`);
    switch (r.kind) {
      case 'loading': {
        const j = idx(r.rhs);
        if (j < 0) throw unsupported(`TYPE = THREELEVEL: indicator ${r.rhs} unknown at the ${LEVEL_NAMES[L]} level.`);
        lv.slots.push({ mat: 'B', i: j, j: i, row: r });
        break;
      }
      case 'regression': {
        const j = idx(r.rhs);
        if (j >= 0) lv.slots.push({ mat: 'B', i, j, row: r });
        else {
          if (covLevel(r.rhs) !== L) throw unsupported(`TYPE = THREELEVEL: ${r.lhs} ON ${r.rhs}: ${r.rhs} is not a covariate of the ${LEVEL_NAMES[L]} level.`);
          let c = lv.covs.indexOf(r.rhs);
          if (c < 0) c = lv.covs.push(r.rhs) - 1;
          lv.slots.push({ mat: 'G', i, j: c, row: r });
        }
        break;
      }
      case 'variance':
      case 'residualVariance':
        lv.slots.push({ mat: 'P', i, j: i, row: r });
        break;
      case 'covariance': {
        const j = idx(r.rhs);
        if (j < 0) throw unsupported(`TYPE = THREELEVEL: ${r.lhs} WITH ${r.rhs}: ${r.rhs} is not a variable of the ${LEVEL_NAMES[L]} level.`);
        lv.slots.push({ mat: 'P', i, j, row: r });
        break;
      }
      case 'mean':
      case 'intercept':
        lv.slots.push({ mat: 'a', i, j: 0, row: r });
        break;
      default:
        throw unsupported(`TYPE = THREELEVEL: parameters of kind ${r.kind} are not supported.`);
    }
  }

  // sufficient statistics
  const col = (name: string) => ds.columns[ir.observed.find((o) => o.name === name)!.column]!.values;
  const Y = outcomes.map(col);
  const X = levels[0].covs.map(col);
  const Wc = levels[1].covs.map(col);
  const Zc = levels[2].covs.map(col);
  const kx = X.length;
  const m = p + kx;
  for (let d = 0; d < p; d++) {
    const y = Y[d]!;
    for (let i = 0; i < ds.nRows; i++)
      if (y[i] !== y[i])
        throw unsupported(`TYPE = THREELEVEL: ${outcomes[d]} is missing in record ${ds.recordNumbers?.[i] ?? i + 1}; plusmix's three-level estimator needs complete outcome data (full-information ML with missing outcomes is not implemented yet). Remove incomplete records or use LISTWISE = ON.`, 'E_THREELEVEL_MISSING');
  }
  const c2 = ds.cluster;
  const c3 = ds.clusterTop;
  const J = c2.ids.length;
  const K = c3.ids.length;
  const sizeList = [...new Set(Array.from({ length: J }, (_, g) => c2.start[g + 1]! - c2.start[g]!))].sort((x, y) => x - y);
  const kw = Wc.length, kz = Zc.length;
  const md = p + 1 + kx + kw + kz;
  const nS = sizeList.length;
  const C = new Float64Array(m * m);
  const D = new Float64Array(K * nS * md * md);
  const u = new Float64Array(m), d = new Float64Array(md);
  let sumLogN = 0;
  for (let g = 0; g < J; g++) {
    const a = c2.start[g]!, e = c2.start[g + 1]!, n = e - a;
    const i0 = c2.order[a]!;
    const k = c3.ofRow[i0]!;
    sumLogN += Math.log(n);
    // d = [ybar, 1, xbar, w, z]; the within scatter of [y, x] about the cluster means goes to C
    d.fill(0);
    for (let t = a; t < e; t++) {
      const i = c2.order[t]!;
      for (let q = 0; q < p; q++) d[q] += Y[q]![i]! / n;
      for (let c = 0; c < kx; c++) d[p + 1 + c] += X[c]![i]! / n;
    }
    d[p] = 1;
    for (let c = 0; c < kw; c++) d[p + 1 + kx + c] = Wc[c]![i0]!;
    for (let c = 0; c < kz; c++) d[p + 1 + kx + kw + c] = Zc[c]![i0]!;
    for (let t = a; t < e; t++) {
      const i = c2.order[t]!;
      for (let q = 0; q < p; q++) u[q] = Y[q]![i]! - d[q]!;
      for (let c = 0; c < kx; c++) u[p + c] = X[c]![i]! - d[p + 1 + c]!;
      for (let r = 0; r < m; r++) for (let q = 0; q < m; q++) C[r * m + q] += u[r]! * u[q]!;
    }
    const o = (k * nS + sizeList.indexOf(n)) * md * md;
    for (let r = 0; r < md; r++) for (let c = 0; c < md; c++) D[o + r * md + c] += d[r]! * d[c]!;
  }
  return { outcomes, p, levels, nParams: ir.nFree, N: ds.nRows, J, K, C, sizes: sizeList, D, md, sumLogN };
}

// ---------------------------------------------------------------------------- small dense algebra

/** LU with partial pivoting in place (n x n row-major); returns log|det| or NaN when singular; sign in sgn[0]. */
function lu(a: Float64Array, n: number, piv: Int32Array, sgn: Float64Array): number {
  let logdet = 0;
  let s = 1;
  for (let k = 0; k < n; k++) {
    let pr = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]!) > Math.abs(a[pr * n + k]!)) pr = i;
    piv[k] = pr;
    if (pr !== k) {
      s = -s;
      for (let j = 0; j < n; j++) { const t = a[k * n + j]!; a[k * n + j] = a[pr * n + j]!; a[pr * n + j] = t; }
    }
    const d = a[k * n + k]!;
    if (d === 0 || !Number.isFinite(d)) return NaN;
    if (d < 0) s = -s;
    logdet += Math.log(Math.abs(d));
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k]! /= d);
      if (f !== 0) for (let j = k + 1; j < n; j++) a[i * n + j] -= f * a[k * n + j]!;
    }
  }
  sgn[0] = s;
  return logdet;
}

/** Solve LU x = b in place (b length n). */
function luSolve(a: Float64Array, n: number, piv: Int32Array, b: Float64Array): void {
  for (let k = 0; k < n; k++) { const pk = piv[k]!; if (pk !== k) { const t = b[k]!; b[k] = b[pk]!; b[pk] = t; } }
  for (let i = 0; i < n; i++) { let s = b[i]!; for (let j = 0; j < i; j++) s -= a[i * n + j]! * b[j]!; b[i] = s; }
  for (let i = n - 1; i >= 0; i--) { let s = b[i]!; for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * b[j]!; b[i] = s / a[i * n + i]!; }
}

/** Inverse of a (checked positive definite) matrix by LU; log det in out[0]; false when singular. */
function invertPd(a: Float64Array, n: number, inv: Float64Array, out: Float64Array): boolean {
  const w = Float64Array.from(a);
  const piv = new Int32Array(n);
  const sg = new Float64Array(1);
  const ld = lu(w, n, piv, sg);
  if (!Number.isFinite(ld) || sg[0]! < 0) return false;
  const e = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    e.fill(0);
    e[c] = 1;
    luSolve(w, n, piv, e);
    for (let r = 0; r < n; r++) inv[r * n + c] = e[r]!;
  }
  out[0] = ld;
  return true;
}

/** Cholesky factor L (lower, row-major) of a symmetric n x n matrix; false unless positive definite. */
function cholesky(a: Float64Array, n: number, l: Float64Array): boolean {
  l.fill(0);
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j]!;
    for (let k = 0; k < j; k++) s -= l[j * n + k]! * l[j * n + k]!;
    if (!(s > 0)) return false;
    l[j * n + j] = Math.sqrt(s);
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j]!;
      for (let k = 0; k < j; k++) t -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = t / l[j * n + j]!;
    }
  }
  return true;
}

/** Positive definiteness of a symmetric n x n matrix. */
function isPd(a: Float64Array, n: number): boolean {
  return cholesky(a, n, new Float64Array(n * n));
}

// ---------------------------------------------------------------------------- implied moments

/** Implied covariance S (p x p), mean part m0 (p) and covariate slopes Gc (p x kc) of one level. */
interface LevelMoments { S: Float64Array; m0: Float64Array; G: Float64Array; kc: number }

function levelMoments(lv: LevelSpec, p: number, theta: Float64Array): LevelMoments | null {
  const n = lv.vars.length;
  const kc = lv.covs.length;
  const B = new Float64Array(n * n), Psi = new Float64Array(n * n), alpha = new Float64Array(n), G = new Float64Array(n * kc);
  for (const s of lv.slots) {
    const v = s.row.par > 0 ? theta[s.row.par - 1]! : s.row.value;
    if (s.mat === 'B') B[s.i * n + s.j] = v;
    else if (s.mat === 'G') G[s.i * kc + s.j] = v;
    else if (s.mat === 'a') alpha[s.i] = v;
    else { Psi[s.i * n + s.j] = v; Psi[s.j * n + s.i] = v; }
  }
  // A = (I - B)^-1
  const IB = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) IB[i * n + j] = (i === j ? 1 : 0) - B[i * n + j]!;
  const piv = new Int32Array(n), sg = new Float64Array(1);
  if (!Number.isFinite(lu(IB, n, piv, sg))) return null;
  const A = new Float64Array(n * n), e = new Float64Array(n);
  for (let c = 0; c < n; c++) { e.fill(0); e[c] = 1; luSolve(IB, n, piv, e); for (let r = 0; r < n; r++) A[r * n + c] = e[r]!; }
  const S = new Float64Array(p * p), m0 = new Float64Array(p), Gc = new Float64Array(p * kc);
  for (let a = 0; a < p; a++) {
    for (let k = 0; k < n; k++) m0[a] += A[a * n + k]! * alpha[k]!;
    for (let c = 0; c < kc; c++) { let s = 0; for (let k = 0; k < n; k++) s += A[a * n + k]! * G[k * kc + c]!; Gc[a * kc + c] = s; }
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let k = 0; k < n; k++) { const ak = A[a * n + k]!; if (ak === 0) continue; for (let l = 0; l < n; l++) s += ak * Psi[k * n + l]! * A[b * n + l]!; }
      S[a * p + b] = S[b * p + a] = s;
    }
  }
  return { S, m0, G: Gc, kc };
}

const LOG2PI = Math.log(2 * Math.PI);

/**
 * The log-likelihood; when `perCluster` is given, also each level-3 cluster's between part (the pooled
 * within part is not split there: clusterLoglik adds each cluster's own within part).
 */
export function threeLevelLoglik(pr: ThreeLevelProblem, theta: Float64Array, perCluster?: Float64Array): number {
  const p = pr.p;
  const mw = levelMoments(pr.levels[0], p, theta);
  const m2 = levelMoments(pr.levels[1], p, theta);
  const m3 = levelMoments(pr.levels[2], p, theta);
  if (!mw || !m2 || !m3) return -Infinity;
  const kx = mw.kc, kw = m2.kc, kz = m3.kc;
  const m = p + kx;
  // within part: S_W^-1, log|S_W|; pooled scatter [I, -Gx] C [I, -Gx]'
  const SWi = new Float64Array(p * p), ld = new Float64Array(1);
  if (!isPd(mw.S, p) || !invertPd(mw.S, p, SWi, ld)) return -Infinity;
  const logSW = ld[0]!;
  const T = new Float64Array(p * m); // T = [I, -Gx]
  for (let a = 0; a < p; a++) { T[a * m + a] = 1; for (let c = 0; c < kx; c++) T[a * m + p + c] = -mw.G[a * kx + c]!; }
  let trW = 0;
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      const sab = SWi[a * p + b]!;
      if (sab === 0) continue;
      let s = 0;
      for (let r = 0; r < m; r++) { const ta = T[a * m + r]!; if (ta === 0) continue; for (let q = 0; q < m; q++) s += ta * pr.C[r * m + q]! * T[b * m + q]!; }
      trW += sab * s;
    }
  const nMinus = pr.N - pr.J;
  let ll = -0.5 * (nMinus * p * LOG2PI + nMinus * logSW + trW);
  ll -= 0.5 * p * pr.sumLogN;
  if (perCluster) perCluster.fill(0);

  // V_n^-1 and log|V_n| per distinct size
  const pp = p * p;
  const Vinv = new Float64Array(pr.sizes.length * pp), Vld = new Float64Array(pr.sizes.length);
  const V = new Float64Array(pp), inv = new Float64Array(pp);
  for (let si = 0; si < pr.sizes.length; si++) {
    const n = pr.sizes[si]!;
    for (let k = 0; k < pp; k++) V[k] = m2.S[k]! + mw.S[k]! / n;
    if (!isPd(V, p) || !invertPd(V, p, inv, ld)) return -Infinity;
    Vinv.set(inv, si * pp);
    Vld[si] = ld[0]!;
  }
  // mean of the means
  const m0 = new Float64Array(p);
  for (let a = 0; a < p; a++) m0[a] = mw.m0[a]! + m2.m0[a]! + m3.m0[a]!;
  // R = [I, -m0, -Gx, -Gw, -Gz] (p x md)
  const md = pr.md, nS = pr.sizes.length;
  const R = new Float64Array(p * md);
  for (let a = 0; a < p; a++) {
    R[a * md + a] = 1;
    R[a * md + p] = -m0[a]!;
    for (let c = 0; c < kx; c++) R[a * md + p + 1 + c] = -mw.G[a * kx + c]!;
    for (let c = 0; c < kw; c++) R[a * md + p + 1 + kx + c] = -m2.G[a * kw + c]!;
    for (let c = 0; c < kz; c++) R[a * md + p + 1 + kx + kw + c] = -m3.G[a * kz + c]!;
  }
  const RC = new Float64Array(p * md), Rs = new Float64Array(pp), rsum = new Float64Array(p);
  const Pm = new Float64Array(pp), b = new Float64Array(p), M = new Float64Array(pp), t = new Float64Array(p);
  const L = new Float64Array(pp), LQ = new Float64Array(pp), g = new Float64Array(p);
  for (let k = 0; k < pr.K; k++) {
    Pm.fill(0);
    b.fill(0);
    let q = 0, ldD = 0, nk = 0;
    for (let si = 0; si < nS; si++) {
      const o = (k * nS + si) * md * md;
      const cnt = pr.D[o + p * md + p]!;
      if (cnt === 0) continue;
      const vo = si * pp;
      ldD += cnt * Vld[si]!;
      nk += cnt;
      // RC = R D_ks, Rs = RC R' = sum_j r_j r_j', rsum = R D_ks[:, p] = sum_j r_j
      for (let a = 0; a < p; a++)
        for (let c = 0; c < md; c++) {
          let x = 0;
          for (let l = 0; l < md; l++) x += R[a * md + l]! * pr.D[o + l * md + c]!;
          RC[a * md + c] = x;
        }
      for (let a = 0; a < p; a++) {
        rsum[a] = RC[a * md + p]!;
        for (let c = 0; c <= a; c++) {
          let x = 0;
          for (let l = 0; l < md; l++) x += RC[a * md + l]! * R[c * md + l]!;
          Rs[a * p + c] = Rs[c * p + a] = x;
        }
      }
      for (let a = 0; a < p; a++) {
        let x = 0;
        for (let c = 0; c < p; c++) { x += Vinv[vo + a * p + c]! * rsum[c]!; q += Vinv[vo + a * p + c]! * Rs[c * p + a]!; }
        b[a] += x;
      }
      for (let x = 0; x < pp; x++) Pm[x] += cnt * Vinv[vo + x]!;
    }
    // Woodbury with P = L L': log|I + S3 P| = log|Q|, Q = I + L' S3 L (positive definite exactly when
    // the level-3 cluster's covariance is), b'(I + S3 P)^-1 S3 b = b'S3b - g'Q^-1 g, g = L'S3 b
    if (!cholesky(Pm, p, L)) return -Infinity;
    for (let a = 0; a < p; a++) { let s = 0; for (let l = 0; l < p; l++) s += m3.S[a * p + l]! * b[l]!; t[a] = s; }
    let corr = 0;
    for (let a = 0; a < p; a++) corr += b[a]! * t[a]!;
    for (let a = 0; a < p; a++) { let s = 0; for (let l = a; l < p; l++) s += L[l * p + a]! * t[l]!; g[a] = s; }
    for (let a = 0; a < p; a++)
      for (let c = 0; c <= a; c++) {
        let s = a === c ? 1 : 0;
        for (let l = a; l < p; l++) { const la = L[l * p + a]!; for (let h = c; h < p; h++) s += la * m3.S[l * p + h]! * L[h * p + c]!; }
        M[a * p + c] = M[c * p + a] = s;
      }
    if (!cholesky(M, p, LQ)) return -Infinity;
    let ldM = 0;
    for (let a = 0; a < p; a++) ldM += 2 * Math.log(LQ[a * p + a]!);
    // g'Q^-1 g = |LQ^-1 g|^2
    for (let a = 0; a < p; a++) { let s = g[a]!; for (let l = 0; l < a; l++) s -= LQ[a * p + l]! * g[l]!; g[a] = s / LQ[a * p + a]!; corr -= g[a]! * g[a]!; }
    const lk = -0.5 * (nk * p * LOG2PI + ldD + ldM + q - corr);
    ll += lk;
    if (perCluster) perCluster[k] += lk;
  }
  return ll;
}

/**
 * Per level-3 cluster log-likelihoods including the within scatter of its own level-2 clusters (for the
 * MLR sandwich): needs per-level-2-cluster cross-products, so it re-reads the data once per call.
 */
export interface ClusterScatter {
  /** per level-3 cluster: pooled centred cross-products of [y, x] of its level-2 clusters, (p + kx)^2 each */
  C: Float64Array;
  /** per level-3 cluster: sum over its level-2 clusters of (n_j - 1) and of log n_j */
  nMinus: Float64Array;
  logN: Float64Array;
}

export function clusterScatter(pr: ThreeLevelProblem, ir: ModelIR, ds: Dataset): ClusterScatter {
  const m = pr.p + pr.levels[0].covs.length;
  const col = (name: string) => ds.columns[ir.observed.find((o) => o.name === name)!.column]!.values;
  const cols = [...pr.outcomes, ...pr.levels[0].covs].map(col);
  const C = new Float64Array(pr.K * m * m), nMinus = new Float64Array(pr.K), logN = new Float64Array(pr.K);
  const c2 = ds.cluster!, c3 = ds.clusterTop!;
  const mu = new Float64Array(m), u = new Float64Array(m);
  for (let g = 0; g < c2.ids.length; g++) {
    const a = c2.start[g]!, e = c2.start[g + 1]!, n = e - a;
    const k = c3.ofRow[c2.order[a]!]!;
    mu.fill(0);
    for (let t = a; t < e; t++) for (let r = 0; r < m; r++) mu[r] += cols[r]![c2.order[t]!]! / n;
    for (let t = a; t < e; t++) {
      for (let r = 0; r < m; r++) u[r] = cols[r]![c2.order[t]!]! - mu[r]!;
      for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) C[k * m * m + r * m + s] += u[r]! * u[s]!;
    }
    nMinus[k] += n - 1;
    logN[k] += Math.log(n);
  }
  return { C, nMinus, logN };
}

/** Per level-3 cluster log-likelihood (between part from threeLevelLoglik plus the cluster's own within part). */
export function clusterLoglik(pr: ThreeLevelProblem, sc: ClusterScatter, theta: Float64Array, out: Float64Array): void {
  threeLevelLoglik(pr, theta, out);
  const p = pr.p;
  const mw = levelMoments(pr.levels[0], p, theta)!;
  const kx = mw.kc, m = p + kx;
  const SWi = new Float64Array(p * p), ld = new Float64Array(1);
  if (!invertPd(mw.S, p, SWi, ld)) { out.fill(NaN); return; }
  const T = new Float64Array(p * m);
  for (let a = 0; a < p; a++) { T[a * m + a] = 1; for (let c = 0; c < kx; c++) T[a * m + p + c] = -mw.G[a * kx + c]!; }
  for (let k = 0; k < pr.K; k++) {
    let trW = 0;
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        let s = 0;
        for (let r = 0; r < m; r++) for (let q = 0; q < m; q++) s += T[a * m + r]! * sc.C[k * m * m + r * m + q]! * T[b * m + q]!;
        trW += SWi[a * p + b]! * s;
      }
    out[k] += -0.5 * (sc.nMinus[k]! * p * LOG2PI + sc.nMinus[k]! * ld[0]! + trW) - 0.5 * p * sc.logN[k]!;
  }
}
