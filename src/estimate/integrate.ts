// Numerical integration over the between-level random effects eta_j ~ N(0, PsiB) (D >= 1):
//   L_j = integral prod_{i in j} [ sum_k P(C_ij = k | x_ij, eta) f_k(y_ij | x_ij, eta) ] phi(eta; 0, PsiB) d eta
// (estimation.md §2(c), §6). Nodes are eta_jq = c_j + L_j z_q for a product rule z_q, w_q in the
// standardized metric (STANDARD: equally spaced on [-5, 5], weights proportional to phi(z); or
// GAUSSHERMITE), with a *proposal* N(c_j, L_j L_j') per cluster:
//   L_j ~= sum_q w_q f(y_j | eta_jq) phi(eta_jq; 0, PsiB) / phi(eta_jq; c_j, L_j L_j').
// The proposal is frozen between optimizer phases (`freezeProposals`): the prior (c_j = 0, L_j =
// chol PsiB) for non-adaptive integration, the posterior mean and Cholesky factor of the posterior
// covariance of eta_j for adaptive quadrature. It is frozen in the prior-standardized metric
// u = C^-1 eta (C = chol PsiB): c_j = C a_j, L_j = C B_j with a_j, B_j fixed, so the nodes move with
// PsiB and the weight ratio phi(eta; 0, PsiB) / phi(eta; c_j, L_j L_j') does not depend on theta. The
// approximated log-likelihood is then a smooth, bounded function of theta (with nodes frozen in eta it
// grows without bound as PsiB nears a singular matrix, which drew quasi-Newton there) whose exact
// gradient is the posterior-weighted score with r_jq: the within-level parameters at fixed eta, PsiB
// through eta_q = C u_q (flushPsi), so BFGS and the central-difference Hessian see one function.
// The product rule drops its negligible corner nodes (PRUNE_REL, [ours]). Models with continuous
// outcomes only take the fast path (clusterNodesFast / clusterGradientFast): the class densities are
// exponentials of quadratics in z, tabulated per person as separable 1-D and pair factors on the grid,
// and the gradient's node sums are taken row by row of the grid; other models go node by node through
// likelihood.ts (clusterNodes / clusterGradient), which the tests use as the reference.

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { CompiledModel } from './compile.js';
import type { Workspace } from './likelihood.js';
import { accumulatePerson, flushContinuous, personLogLik, prepare, resetStats } from './likelihood.js';
import { cholesky, cholInverse, cholLogDet, lowerInverse } from './linalg.js';
import type { IntegrationType } from './options.js';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

const LOG2PI = Math.log(2 * Math.PI);
/** half-width of the STANDARD (rectangular) rule in standard deviations ([ours], estimation.md §6) */
const RECT_RANGE = 5;

/** One-dimensional rule in the N(0, 1) metric: nodes and weights summing to 1. */
export function rule1D(type: IntegrationType, Q: number): { z: Float64Array; w: Float64Array } {
  const z = new Float64Array(Q), w = new Float64Array(Q);
  if (type === 'GAUSSHERMITE') {
    // Golub-Welsch for the physicists' Hermite weight exp(-x^2): Jacobi matrix off-diagonals sqrt(k/2)
    const J = new Matrix(Q, Q);
    for (let k = 1; k < Q; k++) { J.set(k, k - 1, Math.sqrt(k / 2)); J.set(k - 1, k, Math.sqrt(k / 2)); }
    const e = new EigenvalueDecomposition(J, { assumeSymmetric: true });
    const order = e.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    order.forEach(([x, i], q) => { z[q] = Math.SQRT2 * x; w[q] = e.eigenvectorMatrix.get(0, i) ** 2; });
  } else if (type === 'STANDARD') {
    let s = 0;
    for (let q = 0; q < Q; q++) { z[q] = Q === 1 ? 0 : -RECT_RANGE + (2 * RECT_RANGE * q) / (Q - 1); w[q] = Math.exp(-0.5 * z[q]! * z[q]!); s += w[q]!; }
    for (let q = 0; q < Q; q++) w[q] = w[q]! / s;
  } else throw new Error(`integration type ${type} is not implemented`);
  let s = 0;
  for (let q = 0; q < Q; q++) s += w[q]!;
  for (let q = 0; q < Q; q++) w[q] = w[q]! / s;
  return { z, w };
}

export interface IntegrationState {
  D: number;
  /** number of nodes kept from the product rule (see makeIntegration: negligible nodes are pruned) */
  nq: number;
  /** product-rule nodes (nq x D) and log weights (nq) */
  z: Float64Array;
  logw: Float64Array;
  adaptive: boolean;
  /**
   * Grid structure of the kept nodes, for the fast path's separable tables: Q points per dimension
   * with 1-D nodes z1 (Q), each node's 1-D indices (nq x D). The nodes are ordered with the last
   * dimension fastest, in rows of consecutive nodes sharing the first D - 1 indices (rowStart, nRows + 1
   * entries); rowMono (nRows x M) holds each node monomial's factor in the row's first D - 1 coordinates
   * and monoDeg (M) its degree in the last one, so that a monomial's node sum over a row is
   * rowMono x (sum over the row of the weight times z_last^monoDeg).
   */
  Q: number;
  z1: Float64Array;
  /** spacing of z1 when equally spaced (STANDARD), else 0; last coordinate of every node (nq) */
  step: number;
  zLast: Float64Array;
  zi: Int32Array;
  nRows: number;
  rowStart: Int32Array;
  rowMono: Float64Array;
  monoDeg: Uint8Array;
  /**
   * Between-level class variable (Kb classes, 1 without one): eta_j | cb_j = b ~ N(0, PsiB_b) and
   * L_j = sum_b P(cb_j = b | w_j) L_jb. curB is the between class being evaluated; proposals,
   * PsiB and its gradient are kept per (cluster, between class).
   */
  Kb: number;
  curB: number;
  /** log P(cb_j = b | w_j) and log L_jb of the current cluster (Kb) */
  lpi: Float64Array;
  ljb: Float64Array;
  /**
   * Proposal per cluster and between class in the eta metric, recomputed from the frozen standardized
   * proposal (za, zb, zld) at every evaluation (applyProposals): centre (J Kb x D), Cholesky factor
   * (J Kb x D x D), log det of L L' (J Kb).
   */
  center: Float64Array;
  chol: Float64Array;
  logdet: Float64Array;
  /**
   * The frozen proposal in the prior-standardized metric u = C_b^-1 eta (C_b = chol PsiB_b): centre
   * za = C^-1 c (J Kb x D), Cholesky factor zb = C^-1 L (J Kb x D x D), log det of zb zb' (J Kb).
   * Nodes are frozen in this metric, eta_q = C_b(theta) (za + zb z_q), so that they move with PsiB:
   * the approximated likelihood then stays bounded when PsiB shrinks (with nodes frozen in eta it grows
   * without bound as PsiB approaches a singular matrix, through phi(eta_q; 0, PsiB) at a fixed node).
   */
  za: Float64Array;
  zb: Float64Array;
  zld: Float64Array;
  /**
   * The metric the proposals are frozen in between re-centrings: 'eta' (nodes fixed in eta) or 'z' (nodes
   * fixed in u = C^-1 eta). Neither is best everywhere: with nodes fixed in eta the approximation grows
   * without bound as PsiB nears a singular matrix, which draws quasi-Newton there from poor starting
   * values (NELS B3); with nodes fixed in u a posterior much narrower than the prior (a class-logit
   * intercept of variance near 1000 whose clusters are all in one class: a sharp edge) slides across
   * the nodes as PsiB changes, and the approximation wiggles. optimize.ts uses 'z' for the coarse
   * exploration and 'eta' (the default) for the requested rule near the optimum.
   */
  metric: 'eta' | 'z';
  /** scratch */
  h: Float64Array;
  eta: Float64Array;
  /** per between class: PsiB (Kb x D x D), its Cholesky factor C, the inverse of C and of PsiB, log det (Kb) */
  psi: Float64Array;
  psiChol: Float64Array;
  psiCinv: Float64Array;
  psiInv: Float64Array;
  psiLd: Float64Array;
  tmp: Float64Array;
  mom1: Float64Array;
  mom2: Float64Array;
  /**
   * Gradient: per between class, F = sum over clusters and nodes of r_q (d log h_j / d eta)(eta_q) eta_q'
   * (Kb x D x D), turned into d l / d PsiB through eta_q = C u_q by flushPsi (dPsi, Kb x D x D;
   * sq1, sq2: D x D scratch)
   */
  fEta: Float64Array;
  /** per between class, sum of r_q eta_q eta_q' and of r_q, for d l / d PsiB with nodes fixed in eta */
  etaM2: Float64Array;
  etaR: Float64Array;
  dPsi: Float64Array;
  sq1: Float64Array;
  sq2: Float64Array;
  /** d log h / d eta at the current node (slow path), and per person E[w a eta'] = Sinv (e M1' - H M2) (fast path, P x D) */
  geta: Float64Array;
  spd: Float64Array;
  /**
   * Fast path (continuous outcomes only, clusterNodesFast / clusterGradientFast). Per person of the
   * current cluster and node: the node-conditional class posteriors (maxCluster x nq x K) and the
   * inverse of the class-prior normalizer (maxCluster x nq), stored when the gradient follows.
   */
  fast: boolean;
  nodePost: Float64Array;
  invZ: Float64Array;
  /** the current row's class-k factors of the current person (K x Q) */
  vb: Float64Array;
  /** per person and class: p_ik, M1 = sum_q r_q p_ik|q eta_q (D), M2 = sum_q r_q p_ik|q eta_q eta_q' (D x D) */
  pk: Float64Array;
  m1: Float64Array;
  m2: Float64Array;
  /** scratch for the closed-form continuous score: e, H M1, Sinv u, P x P and P x D buffers */
  e: Float64Array;
  hm: Float64Array;
  su: Float64Array;
  mat: Float64Array;
  hm2: Float64Array;
  pd: Float64Array;
  /** fast path: eta-free class logit per person and class (maxCluster x K), and per class the loadings
   *  H_k of the current person, random-slope covariates included (K x P x D) */
  fz: Float64Array;
  hx: Float64Array;
  /** personCoefficients scratch: A = H'SH (D x D), b and A c (D) */
  qA: Float64Array;
  qb: Float64Array;
  qc: Float64Array;
  /** number of node monomials M = 1 + D + D(D+1)/2 (1, z_d, z_d z_d' for d <= d') */
  M: number;
  /**
   * Fast path, per person and class: coefficients of log [exp(G_k eta) f_k(y | eta)] on the monomials
   * of the standardized node z (maxCluster x K x M), exp of the eta-free class logit twice (for the
   * class-prior normalizer, and with KNOWNCLASS zeros; maxCluster x K x 2); per node exp(G_k eta - max_k)
   * (nq x K), the running product of the persons' likelihood ratios (nq) and additive log terms (nq);
   * the separable tables of the current person (K x tabLen, see personTables), per class its log scale
   * (then its factor relative to the person's largest), the row's outer factor and the offsets of the
   * D tables varying along the row (K x D), and scratch for the direct evaluation (K).
   */
  coefz: Float64Array;
  ef: Float64Array;
  egq: Float64Array;
  prod: Float64Array;
  hAdd: Float64Array;
  tabLen: number;
  tab: Float64Array;
  sig: Float64Array;
  outer: Float64Array;
  offs: Int32Array;
  lpk: Float64Array;
  /** fast gradient path: per class, node sums of w and gl on the monomials (K x M, K x (D + 1)), and the
   *  row accumulators (K x 5) */
  wm: Float64Array;
  glm: Float64Array;
  acc: Float64Array;
}

/**
 * Product-rule nodes whose weight is below this fraction of the largest node weight are dropped
 * ([ours], docs/coverage.md): the corners of the cube, e.g. 388 of the 3375 nodes of STANDARD(15) in 3
 * dimensions (their weights sum to 8e-11). With adaptive quadrature the integrand ratio at those nodes
 * is of the order of the others, so the loglikelihood moves by far less than 1e-4
 * (test/estimate/integration-fast.test.ts). Pass prune = 0 to makeIntegration for the full rule.
 */
export const PRUNE_REL = 1e-10;

/** Seed of the MONTECARLO integration nodes ([ours]: fixed, so that a run is reproducible). */
const MC_SEED = 4321;

/**
 * `points` standard normal draws in D dimensions (points x D), Box-Muller on a seeded xoroshiro128+
 * stream, then moment-matched ([ours]): centred and whitened so that their mean is exactly 0 and their
 * covariance exactly I. The rule then integrates every quadratic exactly, so adaptive quadrature is
 * exact for a normal posterior (a linear random-intercept model) as the product rules are.
 */
function normalDraws(points: number, D: number): Float64Array {
  const g = xoroshiro128plus(MC_SEED);
  const u = () => { let v = uniformFloat64(g); while (v === 0) v = uniformFloat64(g); return v; };
  const z = new Float64Array(points * D);
  for (let i = 0; i < z.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u())), t = 2 * Math.PI * u();
    z[i] = r * Math.cos(t);
    if (i + 1 < z.length) z[i + 1] = r * Math.sin(t);
  }
  if (points <= D) return z;
  const mean = new Float64Array(D), C = new Float64Array(D * D), Ci = new Float64Array(D * D), v = new Float64Array(D);
  for (let q = 0; q < points; q++) for (let a = 0; a < D; a++) mean[a] += z[q * D + a]! / points;
  for (let q = 0; q < points; q++) for (let a = 0; a < D; a++) { z[q * D + a] -= mean[a]!; for (let b = 0; b <= a; b++) C[a * D + b] += (z[q * D + a]! * z[q * D + b]!) / points; }
  for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) C[b * D + a] = C[a * D + b]!;
  if (!cholesky(C, D)) return z;
  lowerInverse(C, D, Ci);
  for (let q = 0; q < points; q++) {
    for (let a = 0; a < D; a++) { let s = 0; for (let b = 0; b <= a; b++) s += Ci[a * D + b]! * z[q * D + b]!; v[a] = s; }
    z.set(v, q * D);
  }
  return z;
}

/**
 * The integration rule: STANDARD / GAUSSHERMITE with `points` per dimension (product rule), or MONTECARLO
 * with `points` draws in all (equal weights; Mplus's MONTECARLO (500)). Monte Carlo nodes have no grid,
 * so they take the node-by-node path (fast = false).
 */
export function makeIntegration(m: CompiledModel, type: IntegrationType, points: number, adaptive: boolean, prune = PRUNE_REL): IntegrationState {
  const D = m.D;
  const mc = type === 'MONTECARLO';
  const Q = mc ? 1 : points;
  const r = mc ? { z: new Float64Array(1), w: Float64Array.of(1) } : rule1D(type, points);
  const full = mc ? 0 : points ** D;
  let lwMax = 0;
  for (let t = 0; t < Q; t++) lwMax = Math.max(lwMax, r.w[t]!);
  lwMax = D * Math.log(lwMax);
  const cut = prune > 0 ? lwMax + Math.log(prune) : -Infinity;
  const zs: number[] = [], lws: number[] = [], idx: number[] = [];
  const digits = new Int32Array(D);
  for (let q = 0; q < full; q++) {
    let rem = q, lw = 0;
    for (let d = D - 1; d >= 0; d--) { const t = rem % points; rem = Math.floor(rem / points); digits[d] = t; lw += Math.log(r.w[t]!); }
    if (lw < cut) continue;
    for (let d = 0; d < D; d++) { zs.push(r.z[digits[d]!]!); idx.push(digits[d]!); }
    lws.push(lw);
  }
  if (mc) {
    zs.push(...normalDraws(points, D));
    for (let q = 0; q < points; q++) { lws.push(-Math.log(points)); for (let d = 0; d < D; d++) idx.push(0); }
  }
  const nq = lws.length;
  const z = Float64Array.from(zs), logw = Float64Array.from(lws), zi = Int32Array.from(idx);
  // rows: runs of nodes with the same first D - 1 indices and consecutive last indices
  const M = 1 + D + (D * (D + 1)) / 2, Dl = D - 1;
  const starts: number[] = [];
  for (let q = 0; q < nq; q++) {
    let same = q > 0 && zi[q * D + Dl] === zi[(q - 1) * D + Dl]! + 1;
    for (let d = 0; d < Dl && same; d++) same = zi[q * D + d] === zi[(q - 1) * D + d];
    if (!same) starts.push(q);
  }
  const nRows = starts.length;
  starts.push(nq);
  const rowMono = new Float64Array(nRows * M), monoDeg = new Uint8Array(M);
  for (let row = 0; row < nRows; row++) {
    const q0 = starts[row]!;
    const f = (d: number) => (d === Dl ? 1 : z[q0 * D + d]!);
    const b = row * M;
    rowMono[b] = 1;
    let c = 1 + D;
    for (let d = 0; d < D; d++) {
      rowMono[b + 1 + d] = f(d);
      for (let d2 = d; d2 < D; d2++) rowMono[b + c++] = f(d) * f(d2);
    }
  }
  {
    let c = 1 + D;
    for (let d = 0; d < D; d++) { monoDeg[1 + d] = d === Dl ? 1 : 0; for (let d2 = d; d2 < D; d2++) monoDeg[c++] = (d === Dl ? 1 : 0) + (d2 === Dl ? 1 : 0); }
  }
  const J = m.clusters!.J;
  const { start } = m.clusters!;
  let maxN = 0;
  for (let j = 0; j < J; j++) maxN = Math.max(maxN, start[j + 1]! - start[j]!);
  // the fast path's class-prior algebra assumes one softmax over the patterns: not with a second within class variable
  const fast = !mc && m.cat.length === 0 && m.nom.length === 0 && m.K2 === 1;
  const K = m.K, P = m.P, Kb = m.Kb;
  const tabLen = D * Q + ((D * (D - 1)) / 2) * Q * Q;
  const F = (n: number) => new Float64Array(fast ? n : 0);
  return {
    D, nq, z, logw, adaptive, Q, z1: r.z, step: type === 'STANDARD' && Q > 1 ? r.z[1]! - r.z[0]! : 0,
    zLast: Float64Array.from({ length: nq }, (_, q) => (D > 0 ? z[q * D + D - 1]! : 0)), zi, nRows, rowStart: Int32Array.from(starts), rowMono, monoDeg,
    fast, Kb, curB: 0, lpi: new Float64Array(Kb), ljb: new Float64Array(Kb),
    nodePost: F(maxN * nq * K), invZ: F(maxN * nq), vb: F(K * Q),
    pk: new Float64Array(K), m1: new Float64Array(K * D), m2: new Float64Array(K * D * D),
    fz: F(maxN * K), hx: new Float64Array(K * P * D), qA: new Float64Array(D * D), qb: new Float64Array(D), qc: new Float64Array(D), M,
    coefz: F(maxN * K * M), ef: F(maxN * K * 2), egq: F(nq * K), prod: F(nq), hAdd: F(nq),
    tabLen, tab: F(K * tabLen), sig: new Float64Array(K), outer: new Float64Array(K), offs: new Int32Array(K * Math.max(D, 1)), lpk: new Float64Array(K),
    wm: new Float64Array(K * M), glm: new Float64Array(K * (D + 1)), acc: new Float64Array(K * 5),
    e: new Float64Array(P), hm: new Float64Array(P), su: new Float64Array(P), mat: new Float64Array(P * P), hm2: new Float64Array(P * D), pd: new Float64Array(P * D),
    center: new Float64Array(J * Kb * D), chol: new Float64Array(J * Kb * D * D), logdet: new Float64Array(J * Kb),
    za: new Float64Array(J * Kb * D), zb: new Float64Array(J * Kb * D * D), zld: new Float64Array(J * Kb), metric: 'eta',
    h: new Float64Array(nq), eta: new Float64Array(D),
    psi: new Float64Array(Kb * D * D), psiChol: new Float64Array(Kb * D * D), psiCinv: new Float64Array(Kb * D * D), psiInv: new Float64Array(Kb * D * D), psiLd: new Float64Array(Kb),
    tmp: new Float64Array(D), mom1: new Float64Array(D), mom2: new Float64Array(D * D),
    fEta: new Float64Array(Kb * D * D), etaM2: new Float64Array(Kb * D * D), etaR: new Float64Array(Kb), dPsi: new Float64Array(Kb * D * D), sq1: new Float64Array(D * D), sq2: new Float64Array(D * D),
    geta: new Float64Array(D), spd: new Float64Array(P * D),
  };
}


const val = (m: CompiledModel, s: number): number => (s < 0 ? 0 : m.slotValue[s]!);
/** loading of y_p on eta_d in class k for person i: the H slot plus, for a random slope, the person's covariate */
const hval = (m: CompiledModel, k: number, p: number, d: number, i: number): number => {
  const pos = (k * m.P + p) * m.D + d;
  const q = m.Hx[pos]!;
  return val(m, m.H[pos]!) + (q >= 0 ? m.x[i * m.X + q]! : 0);
};

/** PsiB of every between class from the slots, with Cholesky factor, inverse and log determinant; false if one is not positive definite. */
function preparePsi(m: CompiledModel, st: IntegrationState): boolean {
  const D = m.D, DD = D * D;
  for (let c = 0; c < m.Kb; c++) {
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) st.psi[c * DD + a * D + b] = val(m, m.psiB[c * DD + a * D + b]!);
    const L = st.psiChol.subarray(c * DD, (c + 1) * DD);
    L.set(st.psi.subarray(c * DD, (c + 1) * DD));
    if (!cholesky(L, D)) return false;
    lowerInverse(L, D, st.psiCinv, 0, c * DD);
    cholInverse(L, D, st.psiInv, st.tmp, 0, c * DD);
    st.psiLd[c] = cholLogDet(L, D);
  }
  return true;
}

/** The frozen standardized proposals in the eta metric of the current PsiB (after preparePsi): c = C za, L = C zb. */
function applyProposals(st: IntegrationState): void {
  if (st.metric === 'eta') return;
  const D = st.D, DD = D * D, Kb = st.Kb, n = st.zld.length;
  for (let jb = 0; jb < n; jb++) {
    const b = jb % Kb, co = b * DD;
    for (let a = 0; a < D; a++) {
      let v = 0;
      for (let e = 0; e <= a; e++) v += st.psiChol[co + a * D + e]! * st.za[jb * D + e]!;
      st.center[jb * D + a] = v;
      for (let c = 0; c < D; c++) {
        let w = 0;
        for (let e = c; e <= a; e++) w += st.psiChol[co + a * D + e]! * st.zb[(jb * D + e) * D + c]!;
        st.chol[(jb * D + a) * D + c] = w;
      }
    }
    st.logdet[jb] = st.zld[jb]! + st.psiLd[b]!;
  }
}

/** Freeze the current eta-metric proposals in the standardized metric of the current PsiB: za = C^-1 c, zb = C^-1 L. */
function standardizeProposals(st: IntegrationState): void {
  const D = st.D, DD = D * D, Kb = st.Kb, n = st.zld.length;
  for (let jb = 0; jb < n; jb++) {
    const b = jb % Kb, co = b * DD;
    for (let a = 0; a < D; a++) {
      let v = 0;
      for (let e = 0; e <= a; e++) v += st.psiCinv[co + a * D + e]! * st.center[jb * D + e]!;
      st.za[jb * D + a] = v;
      for (let c = 0; c < D; c++) {
        let w = 0;
        for (let e = c; e <= a; e++) w += st.psiCinv[co + a * D + e]! * st.chol[(jb * D + e) * D + c]!;
        st.zb[(jb * D + a) * D + c] = w;
      }
    }
    st.zld[jb] = st.logdet[jb]! - st.psiLd[b]!;
  }
}

/** Node q of cluster j (between class st.curB) into st.eta; returns log phi(eta; c_j, L_j L_j') of the proposal. */
function node(st: IntegrationState, j: number, q: number): number {
  const D = st.D;
  const jb = j * st.Kb + st.curB;
  let zz = 0;
  for (let a = 0; a < D; a++) {
    let v = st.center[jb * D + a]!;
    for (let b = 0; b <= a; b++) v += st.chol[(jb * D + a) * D + b]! * st.z[q * D + b]!;
    st.eta[a] = v;
    zz += st.z[q * D + a]! ** 2;
  }
  return -0.5 * (D * LOG2PI + st.logdet[jb]! + zz);
}

/** log phi(st.eta; 0, PsiB) of the current between class. */
function logPrior(st: IntegrationState): number {
  const D = st.D, off = st.curB * D * D;
  let quad = 0;
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) quad += st.eta[a]! * st.psiInv[off + a * D + b]! * st.eta[b]!;
  return -0.5 * (D * LOG2PI + st.psiLd[st.curB]! + quad);
}

function setShifts(m: CompiledModel, ws: Workspace, eta: Float64Array, i: number): void {
  const { K, P, D } = m;
  for (let k = 0; k < K; k++) {
    for (let p = 0; p < P; p++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += hval(m, k, p, d, i) * eta[d]!;
      ws.muShift[k * P + p] = s;
    }
    let g = 0;
    for (let d = 0; d < D; d++) g += val(m, m.G[k * D + d]!) * eta[d]!;
    ws.logitShift[k] = g;
  }
}

/** log h_jq for every node of cluster j into st.h; returns log L_j. (`_store`: signature of clusterNodesFast; clusterGradient recomputes what it needs.) */
function clusterNodes(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, _store = false): number {
  const { start, order } = m.clusters!;
  const nq = st.nq;
  let mx = -Infinity;
  for (let q = 0; q < nq; q++) {
    const lprop = node(st, j, q);
    let h = st.logw[q]! + logPrior(st) - lprop;
    for (let t = start[j]!; t < start[j + 1]!; t++) {
      setShifts(m, ws, st.eta, order[t]!);
      h += personLogLik(m, order[t]!, ws);
    }
    st.h[q] = h;
    if (h > mx) mx = h;
  }
  if (!Number.isFinite(mx)) return -Infinity;
  let s = 0;
  for (let q = 0; q < st.nq; q++) s += Math.exp(st.h[q]! - mx);
  return mx + Math.log(s);
}

/** H_k of person i (random-slope covariates included) for every class into st.hx (K x P x D). */
function personLoadings(m: CompiledModel, st: IntegrationState, i: number): void {
  const n = m.K * m.P * m.D;
  for (let pos = 0; pos < n; pos++) {
    const q = m.Hx[pos]!;
    st.hx[pos] = val(m, m.H[pos]!) + (q >= 0 ? m.x[i * m.X + q]! : 0);
  }
}

/**
 * Fast path, person t (index i) of cluster j in between class st.curB: the eta-free class logits
 * (st.fz, st.ef) and, per class allowed for the person, the coefficients of
 *   lambda_k(z) = G_k eta + log f_k(y | eta),  eta = c_j + L_j z,
 * a quadratic in the standardized node z, on the monomials (1, z_d, z_d z_d' for d <= d') into st.coefz.
 * With r = e - H_k eta (e = y - c0 - C1 x) and S the inverse residual covariance of the person's
 * observed outcomes, log f_k = fc_k - 1/2 (e'Se - 2 (H'Se)'eta + eta'(H'SH)eta).
 */
function personCoefficients(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, t: number, i: number): void {
  const { K, P, X, D } = m;
  const M = st.M, DD = D * D;
  const jb = j * st.Kb + st.curB;
  const pat = m.patternOf[i]!;
  const no = ws.nObs[pat]!;
  const known = m.known ? m.known[i]! : -1;
  const actB = ws.activeB;
  const ef = st.ef, coefz = st.coefz;
  let zmax = -Infinity;
  for (let k = 0; k < K; k++) {
    if (actB >= 0 && m.bOf[k] !== actB) { st.fz[t * K + k] = -Infinity; continue; }
    let v = ws.clsA[k]!;
    for (let x = 0; x < X; x++) v += ws.clsG[k * X + x]! * m.x[i * X + x]!;
    st.fz[t * K + k] = v;
    if (v > zmax) zmax = v;
  }
  personLoadings(m, st, i);
  const hx = st.hx, A = st.qA, b = st.qb, Ac = st.qc;
  for (let k = 0; k < K; k++) {
    const pk = t * K + k;
    const e0 = Math.exp(st.fz[pk]! - zmax);
    ef[2 * pk] = e0;
    ef[2 * pk + 1] = known >= 0 && m.wOf[k] !== known ? 0 : e0;
    if (ef[2 * pk + 1] === 0) continue;
    const sb = (pat * K + k) * P * P, hk = k * P * D;
    for (let a = 0; a < P; a++) {
      const yv = m.y[i * P + a]!;
      if (Number.isNaN(yv)) { st.e[a] = 0; continue; }
      let mu = ws.c0[k * P + a]!;
      for (let x = 0; x < X; x++) mu += ws.c1[(k * P + a) * X + x]! * m.x[i * X + x]!;
      st.e[a] = yv - mu;
    }
    let a0 = 0;
    for (let a = 0; a < P; a++) { let v = 0; for (let c = 0; c < P; c++) v += ws.sinv[sb + a * P + c]! * st.e[c]!; st.su[a] = v; a0 += v * st.e[a]!; }
    // eta metric: c0 + b'eta - 1/2 eta'A eta with b = H'Se + G_k, A = H'SH
    const c0 = (no > 0 ? -0.5 * (no * LOG2PI + ws.logdet[pat * K + k]!) : 0) - 0.5 * a0;
    for (let d = 0; d < D; d++) {
      let v = val(m, m.G[k * D + d]!);
      for (let a = 0; a < P; a++) v += hx[hk + a * D + d]! * st.su[a]!;
      b[d] = v;
      for (let a = 0; a < P; a++) { let w = 0; for (let c = 0; c < P; c++) w += ws.sinv[sb + a * P + c]! * hx[hk + c * D + d]!; st.hm2[a * D + d] = w; }
    }
    for (let d = 0; d < D; d++) for (let d2 = d; d2 < D; d2++) {
      let v = 0;
      for (let a = 0; a < P; a++) v += hx[hk + a * D + d]! * st.hm2[a * D + d2]!;
      A[d * D + d2] = v; A[d2 * D + d] = v;
    }
    // z metric, eta = c + L z: const c0 + b'c - 1/2 c'Ac, linear L'(b - Ac), quadratic L'AL
    const cb = pk * M, co = jb * D, lo = jb * DD;
    let cz = c0;
    for (let d = 0; d < D; d++) {
      let v = 0;
      for (let d2 = 0; d2 < D; d2++) v += A[d * D + d2]! * st.center[co + d2]!;
      Ac[d] = v;
      cz += st.center[co + d]! * (b[d]! - 0.5 * v);
    }
    coefz[cb] = cz;
    for (let d = 0; d < D; d++) {
      let v = 0;
      for (let a = d; a < D; a++) v += st.chol[lo + a * D + d]! * (b[a]! - Ac[a]!);
      coefz[cb + 1 + d] = v;
    }
    // AL into hm-sized scratch is avoided: (L'AL)_{d d2} = sum_a sum_c L_ad A_ac L_c d2 (L lower triangular)
    let c = 1 + D;
    for (let d = 0; d < D; d++) for (let d2 = d; d2 < D; d2++) {
      let v = 0;
      for (let a = d; a < D; a++) {
        const lad = st.chol[lo + a * D + d]!;
        let w = 0;
        for (let cc = d2; cc < D; cc++) w += A[a * D + cc]! * st.chol[lo + cc * D + d2]!;
        v += lad * w;
      }
      coefz[cb + c++] = d === d2 ? -0.5 * v : -v;
    }
  }
}

/**
 * Separable tables of person t: exp(lambda_k(z)) factorizes over the product grid into 1-D factors
 * exp(b_d z_d + a_dd z_d^2) (D x Q per class) and pair factors exp(a_dd' z_d z_d') (Q x Q per pair
 * d < d'), each scaled by its maximum so that every entry is at most 1; the log of the scales plus the
 * constant goes to st.sig[k]. Returns the largest sig over the person's allowed classes (-Infinity if none).
 */
function personTables(m: CompiledModel, st: IntegrationState, t: number): number {
  const { K, D } = m;
  const Q = st.Q, M = st.M, z1 = st.z1, tab = st.tab;
  let best = -Infinity;
  for (let k = 0; k < K; k++) {
    const pk = t * K + k;
    if (st.ef[2 * pk + 1] === 0) { st.sig[k] = -Infinity; continue; }
    const cb = pk * M, tb = k * st.tabLen;
    let s = st.coefz[cb]!;
    let c = 1 + D, pair = 0;
    for (let d = 0; d < D; d++) {
      const lin = st.coefz[cb + 1 + d]!;
      const off = tb + d * Q;
      for (let d2 = d; d2 < D; d2++) {
        const a = st.coefz[cb + c++]!;
        if (d2 === d) {
          let mx = -Infinity;
          for (let q = 0; q < Q; q++) { const v = (lin + a * z1[q]!) * z1[q]!; tab[off + q] = v; if (v > mx) mx = v; }
          for (let q = 0; q < Q; q++) tab[off + q] = Math.exp(tab[off + q]! - mx);
          s += mx;
        } else {
          // exp(a z z2) scaled by its maximum |a| zmax^2 (the grid is symmetric); on an equally spaced
          // grid each row is a geometric sequence (2 exponentials a row instead of Q) unless its range
          // could underflow
          const po = tb + D * Q + pair++ * Q * Q;
          const zm = z1[Q - 1]!, mx = Math.abs(a) * zm * zm;
          if (st.step > 0 && mx < 300) {
            for (let q = 0; q < Q; q++) {
              const ratio = Math.exp(a * z1[q]! * st.step);
              let v = Math.exp(a * z1[q]! * z1[0]! - mx);
              const ro = po + q * Q;
              for (let q2 = 0; q2 < Q; q2++) { tab[ro + q2] = v; v *= ratio; }
            }
          } else {
            for (let q = 0; q < Q; q++) for (let q2 = 0; q2 < Q; q2++) tab[po + q * Q + q2] = Math.exp(a * z1[q]! * z1[q2]! - mx);
          }
          s += mx;
        }
      }
    }
    st.sig[k] = s;
    if (s > best) best = s;
  }
  return best;
}

/**
 * clusterNodes for models whose outcomes are all continuous (estimation.md §6). Per person the
 * class-k joint density exp(G_k eta) f_k(y | eta) is exp of a quadratic in the standardized node z, so
 * on the product grid it is a product of tabulated 1-D and pair factors (personTables): per person,
 * node and class D multiplications instead of a quadratic form and an exponential. The class-prior
 * normalizer sum_k exp(z_k + G_k eta) uses exp(G_k eta) per node, shared by the persons; per-person
 * logs are replaced by a running product per node. A person and node whose factors underflow is
 * evaluated directly from the coefficients. With `store`, keeps the node-conditional posteriors and
 * the normalizers for clusterGradientFast.
 */
function clusterNodesFast(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, store: boolean): number {
  const { start, order } = m.clusters!;
  const { K, D } = m;
  const nq = st.nq, Q = st.Q, M = st.M, Dl = D - 1, tabLen = st.tabLen;
  const n0 = start[j]!, nj = start[j + 1]! - n0;
  const { ef, egq, prod, hAdd, tab, outer, offs, z1, zi, rowStart, coefz, vb } = st;
  // per node: prior over proposal and the class-logit factors exp(G_k eta - max_k G_k eta)
  for (let q = 0; q < nq; q++) {
    const lprop = node(st, j, q);
    st.h[q] = st.logw[q]! + logPrior(st) - lprop;
    let gmax = -Infinity;
    for (let k = 0; k < K; k++) {
      let g = 0;
      for (let d = 0; d < D; d++) g += val(m, m.G[k * D + d]!) * st.eta[d]!;
      egq[q * K + k] = g;
      if (g > gmax) gmax = g;
    }
    for (let k = 0; k < K; k++) egq[q * K + k] = Math.exp(egq[q * K + k]! - gmax);
    hAdd[q] = -nj * gmax;
    prod[q] = 1;
  }
  let sigSum = 0;
  for (let t = 0; t < nj; t++) {
    const i = order[n0 + t]!;
    personCoefficients(m, ws, st, j, t, i);
    const sigStar = personTables(m, st, t);
    if (sigStar === -Infinity) return -Infinity;
    sigSum += sigStar;
    // from here on sig[k] is the person's class-k factor relative to sigStar
    for (let k = 0; k < K; k++) { const eK = ef[2 * (t * K + k) + 1]!; st.sig[k] = eK === 0 ? 0 : eK * Math.exp(st.sig[k]! - sigStar); }
    for (let row = 0; row < st.nRows; row++) {
      const q0 = rowStart[row]!, q1 = rowStart[row + 1]!;
      // per class: the factors of the row's first D - 1 coordinates and the offsets of the D tables
      // that vary along the row (the last coordinate's 1-D table, its pair tables with the others)
      for (let k = 0; k < K; k++) {
        const pk = t * K + k;
        const eK = ef[2 * pk + 1]!;
        if (eK === 0) { outer[k] = 0; for (let f = 0; f < D; f++) offs[k * D + f] = 0; continue; }
        const tb = k * tabLen;
        let o = st.sig[k]!;
        let pair = 0;
        for (let d = 0; d < D; d++) {
          const qd = zi[q0 * D + d]!;
          if (d < Dl) o *= tab[tb + d * Q + qd]!;
          for (let d2 = d + 1; d2 < D; d2++) {
            const po = tb + D * Q + pair++ * Q * Q;
            if (d2 < Dl) o *= tab[po + qd * Q + zi[q0 * D + d2]!]!;
            else offs[k * D + 1 + d] = po + qd * Q;
          }
        }
        if (D > 0) offs[k * D] = tb + Dl * Q;
        outer[k] = o;
      }
      // the row's factors per class into vb (k x position in the row)
      const len = q1 - q0, qs = D > 0 ? zi[q0 * D + Dl]! : 0;
      for (let k = 0; k < K; k++) {
        const o = outer[k]!, vo = k * Q, ob = k * D;
        if (o === 0 || D === 0) { for (let s = 0; s < len; s++) vb[vo + s] = o; continue; }
        const a0 = offs[ob]! + qs;
        if (D === 1) for (let s = 0; s < len; s++) vb[vo + s] = o * tab[a0 + s]!;
        else if (D === 2) { const a1 = offs[ob + 1]! + qs; for (let s = 0; s < len; s++) vb[vo + s] = o * tab[a0 + s]! * tab[a1 + s]!; }
        else if (D === 3) { const a1 = offs[ob + 1]! + qs, a2 = offs[ob + 2]! + qs; for (let s = 0; s < len; s++) vb[vo + s] = o * tab[a0 + s]! * tab[a1 + s]! * tab[a2 + s]!; }
        else for (let s = 0; s < len; s++) { let v = o; for (let f = 0; f < D; f++) v *= tab[offs[ob + f]! + qs + s]!; vb[vo + s] = v; }
      }
      for (let q = q0; q < q1; q++) {
        const s = q - q0;
        let Z = 0, S = 0;
        const pb = (t * nq + q) * K;
        for (let k = 0; k < K; k++) { Z += ef[2 * (t * K + k)]! * egq[q * K + k]!; S += vb[k * Q + s]!; }
        if (S > 1e-280 && S < Infinity) {
          const p = prod[q]! * (S / Z);
          if (p > 1e-250 && p < 1e250) prod[q] = p;
          else { hAdd[q] += Math.log(p); prod[q] = 1; }
          if (store) {
            const inv = 1 / S;
            for (let k = 0; k < K; k++) st.nodePost[pb + k] = vb[k * Q + s]! * inv;
            st.invZ[t * nq + q] = 1 / Z;
          }
        } else {
          // the factors under- or overflow: evaluate lambda_k(z_q) directly
          let lm = -Infinity;
          for (let k = 0; k < K; k++) {
            const pk = t * K + k;
            if (ef[2 * pk + 1] === 0) { st.lpk[k] = -Infinity; continue; }
            const cb = pk * M;
            let l = coefz[cb]!, c = 1 + D;
            for (let d = 0; d < D; d++) {
              const zd = z1[zi[q * D + d]!]!;
              l += coefz[cb + 1 + d]! * zd;
              for (let d2 = d; d2 < D; d2++) l += coefz[cb + c++]! * zd * z1[zi[q * D + d2]!]!;
            }
            st.lpk[k] = l;
            if (l > lm) lm = l;
          }
          let S2 = 0;
          for (let k = 0; k < K; k++) { const pk = t * K + k; const v = ef[2 * pk + 1] === 0 ? 0 : ef[2 * pk + 1]! * Math.exp(st.lpk[k]! - lm); st.lpk[k] = v; S2 += v; }
          hAdd[q] += lm + Math.log(S2 / Z) - sigStar;
          if (store) {
            for (let k = 0; k < K; k++) st.nodePost[pb + k] = S2 > 0 ? st.lpk[k]! / S2 : 0;
            st.invZ[t * nq + q] = 1 / Z;
          }
        }
      }
    }
  }
  let mx = -Infinity;
  for (let q = 0; q < nq; q++) {
    const h = st.h[q]! + sigSum + hAdd[q]! + Math.log(prod[q]!);
    st.h[q] = h;
    if (h > mx) mx = h;
  }
  if (!Number.isFinite(mx)) return -Infinity;
  let s = 0;
  for (let q = 0; q < nq; q++) s += Math.exp(st.h[q]! - mx);
  return mx + Math.log(s);
}

/** Add cluster j's posterior-weighted complete-data score (after clusterNodes) to dSlot. */
function clusterGradient(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, lj: number, dSlot: Float64Array): void {
  const { start, order } = m.clusters!;
  const { K, P, D } = m;
  for (let q = 0; q < st.nq; q++) {
    const r = Math.exp(st.h[q]! - lj);
    if (r < 1e-12) continue;
    node(st, j, q);
    const g = st.geta;
    g.fill(0);
    for (let t = start[j]!; t < start[j + 1]!; t++) {
      const i = order[t]!;
      setShifts(m, ws, st.eta, i);
      personLogLik(m, i, ws);
      accumulatePerson(m, i, ws, dSlot, r);
      // H_k eta in the means and G_k eta in the class logits; g = r d log h / d eta at the node
      for (let k = 0; k < K; k++) {
        const w = r * ws.post[k]!;
        const gl = r * (ws.post[k]! - Math.exp(ws.prior[k]!));
        for (let d = 0; d < D; d++) {
          const e = st.eta[d]!;
          const sg = m.G[k * D + d]!;
          if (sg >= 0) { dSlot[sg] += gl * e; g[d] += gl * m.slotValue[sg]!; }
          if (w === 0) continue;
          for (let p = 0; p < P; p++) {
            const wa = w * ws.a[k * P + p]!;
            const sh = m.H[(k * P + p) * D + d]!;
            if (sh >= 0) dSlot[sh] += wa * e;
            g[d] += wa * hval(m, k, p, d, i);
          }
        }
      }
    }
    const off = st.curB * D * D;
    st.etaR[st.curB] += r;
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) { st.fEta[off + a * D + b] += g[a]! * st.eta[b]!; st.etaM2[off + a * D + b] += r * st.eta[a]! * st.eta[b]!; }
  }
}

/**
 * Node sums of person `row` of the current cluster into st.wm / st.glm, in the z metric: of the
 * posterior weights w = r p_ik|q on the monomials (1, z, z z' upper) and of the logit scores
 * gl = r (p_ik|q - P(k | x, eta_q)) on (1, z). Row by row of the grid: the sums of w, w z_last,
 * w z_last^2 (gl, gl z_last) along a row times the row's outer factors (rowMono, monoDeg).
 * A small function of its own so that the engine optimizes the hot loop well.
 */
function personNodeSums(st: IntegrationState, K: number, D: number, row: number): void {
  const { wm, glm, acc, rowMono, monoDeg, rowStart, zLast, egq, ef, nodePost, invZ, h } = st;
  const M = st.M, nq = st.nq, pn = row * nq;
  wm.fill(0); glm.fill(0);
  for (let rw = 0; rw < st.nRows; rw++) {
    const q0 = rowStart[rw]!, q1 = rowStart[rw + 1]!;
    for (let k = 0; k < K; k++) {
      const e0 = ef[2 * (row * K + k)]!;
      let w0 = 0, w1 = 0, w2 = 0, g0 = 0, g1 = 0;
      for (let q = q0; q < q1; q++) {
        const r = h[q]!, zD = zLast[q]!;
        const w = r * nodePost[(pn + q) * K + k]!;
        const gl = w - r * invZ[pn + q]! * e0 * egq[q * K + k]!;
        w0 += w; w1 += w * zD; w2 += w * zD * zD;
        g0 += gl; g1 += gl * zD;
      }
      const a = k * 5;
      acc[a] = w0; acc[a + 1] = w1; acc[a + 2] = w2; acc[a + 3] = g0; acc[a + 4] = g1;
    }
    const rb = rw * M;
    for (let k = 0; k < K; k++) {
      const a = k * 5, wb = k * M, gb = k * (D + 1);
      for (let u = 0; u < M; u++) wm[wb + u] += rowMono[rb + u]! * acc[a + monoDeg[u]!]!;
      for (let u = 0; u <= D; u++) glm[gb + u] += rowMono[rb + u]! * acc[a + 3 + monoDeg[u]!]!;
    }
  }
}

/**
 * Closed-form version of clusterGradient for models whose outcomes are all continuous: the means are
 * linear in eta, so the posterior expectation of the complete-data score of person i in class k needs
 * only p_ik, M1 = E[1{C=k} eta] and M2 = E[1{C=k} eta eta'] (accumulated over the nodes); the
 * person-level algebra then runs once per person instead of once per node. The node sums are taken
 * in the standardized metric row by row of the grid (only the last coordinate varies along a row, so a
 * row needs the sums of w, w z, w z^2 per class) and mapped to eta = c + L z at the end.
 */
function clusterGradientFast(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, lj: number, dSlot: Float64Array): void {
  const { start, order } = m.clusters!;
  const { K, P, X, D } = m;
  const nq = st.nq, M = st.M, DD = D * D;
  const jb = j * st.Kb + st.curB, co = jb * D, lo = jb * DD;
  // node weights r_q into st.h (in place); they sum to P(cb_j = curB | data) when lj is shifted by the
  // log of that probability (clusterLogLik)
  const F = st.fEta, off = st.curB * DD;
  for (let q = 0; q < nq; q++) {
    const r = Math.exp(st.h[q]! - lj);
    st.h[q] = r;
    if (st.metric === 'z') continue;
    st.etaR[st.curB] += r;
    node(st, j, q);
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) st.etaM2[off + a * D + b] += r * st.eta[a]! * st.eta[b]!;
  }
  ws.muShift.fill(0);
  ws.logitShift.fill(0);
  const { wm, glm } = st;
  const hx = st.hx, cen = st.center, L = st.chol, lz = st.tmp, B = st.mom2;
  for (let t = start[j]!; t < start[j + 1]!; t++) {
    const i = order[t]!;
    const row = t - start[j]!;
    // node sums, in the z metric, of the posterior weights w = r p_ik|q on the monomials (1, z, z z'
    // upper) and of the logit scores gl = r (p_ik|q - P(k | x, eta_q)) on (1, z)
    personNodeSums(st, K, D, row);
    for (let k = 0; k < K; k++) {
      const wb = k * M, gb = k * (D + 1);
      // class logits: intercept, covariate slopes and the G_k eta part (sum gl eta = c g0 + L sum gl z)
      const gl = glm[gb]!;
      const sa = m.clsA[k]!;
      if (sa >= 0) dSlot[sa] += gl;
      const sab = m.clsAB[k]!;
      if (sab >= 0) dSlot[sab] += gl;
      for (let x = 0; x < X; x++) { const sg = m.clsG[k * X + x]!; if (sg >= 0) dSlot[sg] += gl * m.x[i * X + x]!; }
      // sum gl eta into qc; F += G_k' (sum gl eta)'
      for (let d = 0; d < D; d++) {
        let v = cen[co + d]! * gl;
        for (let e = 0; e <= d; e++) v += L[lo + d * D + e]! * glm[gb + 1 + e]!;
        st.qc[d] = v;
        const sg = m.G[k * D + d]!;
        if (sg >= 0) dSlot[sg] += v;
      }
      for (let d = 0; d < D; d++) {
        const sg = m.G[k * D + d]!;
        if (sg < 0) continue;
        const gv = m.slotValue[sg]!;
        if (gv !== 0) for (let e = 0; e < D; e++) F[off + d * D + e] += gv * st.qc[e]!;
      }
      // p = m0, M1 = c m0 + L m1z, M2 = m0 c c' + c (L m1z)' + (L m1z) c' + L B L'
      const m0 = wm[wb]!;
      st.pk[k] = m0;
      let c = 1 + D;
      for (let d = 0; d < D; d++) for (let d2 = d; d2 < D; d2++) { const v = wm[wb + c++]!; B[d * D + d2] = v; B[d2 * D + d] = v; }
      for (let d = 0; d < D; d++) {
        let v = 0;
        for (let e = 0; e <= d; e++) v += L[lo + d * D + e]! * wm[wb + 1 + e]!;
        lz[d] = v;
        st.m1[k * D + d] = cen[co + d]! * m0 + v;
      }
      for (let d = 0; d < D; d++)
        for (let d2 = d; d2 < D; d2++) {
          let v = 0;
          for (let e = 0; e <= d; e++) { const le = L[lo + d * D + e]!; if (le === 0) continue; for (let f = 0; f <= d2; f++) v += le * B[e * D + f]! * L[lo + d2 * D + f]!; }
          v += m0 * cen[co + d]! * cen[co + d2]! + cen[co + d]! * lz[d2]! + lz[d]! * cen[co + d2]!;
          st.m2[(k * D + d) * D + d2] = v; st.m2[(k * D + d2) * D + d] = v;
        }
    }
    const pat = m.patternOf[i]!;
    if (ws.nObs[pat] === 0) continue;
    personLoadings(m, st, i);
    for (let k = 0; k < K; k++) {
      const p = st.pk[k]!;
      if (p === 0) continue;
      const sb = (pat * K + k) * P * P, hk = k * P * D;
      // e = y - c0 - C1 x (0 where missing); hm = H M1; hm2 = H M2 (P x D)
      for (let a = 0; a < P; a++) {
        const yv = m.y[i * P + a]!;
        if (Number.isNaN(yv)) { st.e[a] = 0; } else {
          let mu = ws.c0[k * P + a]!;
          for (let x = 0; x < X; x++) mu += ws.c1[(k * P + a) * X + x]! * m.x[i * X + x]!;
          st.e[a] = yv - mu;
        }
        let v = 0;
        for (let d = 0; d < D; d++) {
          v += hx[hk + a * D + d]! * st.m1[k * D + d]!;
          let v2 = 0;
          for (let d2 = 0; d2 < D; d2++) v2 += hx[hk + a * D + d2]! * st.m2[(k * D + d2) * D + d]!;
          st.hm2[a * D + d] = v2;
        }
        st.hm[a] = v;
      }
      // su = Sinv (p e - H M1): the posterior-weighted sum of a = Sinv (y - mu(eta))
      for (let a = 0; a < P; a++) { let v = 0; for (let b = 0; b < P; b++) v += ws.sinv[sb + a * P + b]! * (p * st.e[b]! - st.hm[b]!); st.su[a] = v; }
      ws.sW[k] += p;
      for (let a = 0; a < P; a++) {
        ws.sA[k * P + a] += st.su[a]!;
        for (let x = 0; x < X; x++) ws.sAX[(k * P + a) * X + x] += st.su[a]! * m.x[i * X + x]!;
      }
      // E[w a a'] = Sinv [p e e' - e (H M1)' - (H M1) e' + H M2 H'] Sinv ; sG += 1/2 (that - p Sinv)
      for (let a = 0; a < P; a++)
        for (let b = 0; b < P; b++) {
          let hmh = 0;
          for (let d = 0; d < D; d++) hmh += st.hm2[a * D + d]! * hx[hk + b * D + d]!;
          st.mat[a * P + b] = p * st.e[a]! * st.e[b]! - st.e[a]! * st.hm[b]! - st.hm[a]! * st.e[b]! + hmh;
        }
      for (let a = 0; a < P; a++)
        for (let b = 0; b < P; b++) {
          let v = 0;
          for (let c = 0; c < P; c++) {
            const sac = ws.sinv[sb + a * P + c]!;
            if (sac === 0) continue;
            for (let d = 0; d < P; d++) v += sac * st.mat[c * P + d]! * ws.sinv[sb + d * P + b]!;
          }
          ws.sG[k * P * P + a * P + b] += 0.5 * (v - p * ws.sinv[sb + a * P + b]!);
        }
      // H_k eta part of the means: E[w a eta'] = Sinv (e M1' - H M2)
      for (let a = 0; a < P; a++)
        for (let d = 0; d < D; d++) st.pd[a * D + d] = st.e[a]! * st.m1[k * D + d]! - st.hm2[a * D + d]!;
      const spd = st.spd;
      for (let a = 0; a < P; a++)
        for (let d = 0; d < D; d++) {
          let v = 0;
          for (let b = 0; b < P; b++) v += ws.sinv[sb + a * P + b]! * st.pd[b * D + d]!;
          spd[a * D + d] = v;
          const sh = m.H[(k * P + a) * D + d]!;
          if (sh >= 0) dSlot[sh] += v;
        }
      // F += H_k' E[w a eta']
      for (let d = 0; d < D; d++)
        for (let e = 0; e < D; e++) {
          let v = 0;
          for (let a = 0; a < P; a++) v += hx[hk + a * D + d]! * spd[a * D + e]!;
          F[off + d * D + e] += v;
        }
    }
  }
}

/**
 * d l / d PsiB from F = sum r (d log h / d eta) eta' (per between class). With eta = C u and u frozen,
 * d l / d C = F C^-T; through PsiB = C C' (dC = C Phi(C^-1 dPsi C^-T), Phi: lower triangle with half
 * the diagonal) d l = 1/2 tr(C^-T S C^-1 dPsi), S the symmetric matrix with the lower triangle of
 * A = C' F C^-T. dPsi holds 1/2 C^-T S C^-1 for both (a, b) and (b, a), as the slots add both.
 */
function flushPsi(m: CompiledModel, st: IntegrationState, dSlot: Float64Array): void {
  const D = m.D, DD = D * D, A = st.sq1, T = st.sq2;
  for (let b = 0; b < m.Kb; b++) {
    const o = b * DD;
    if (st.metric === 'eta') {
      // nodes fixed in eta: d log phi(eta; 0, Psi) / d Psi = 1/2 (Psi^-1 eta eta' Psi^-1 - Psi^-1)
      for (let a = 0; a < D; a++) for (let c = 0; c < D; c++) { let v = 0; for (let e = 0; e < D; e++) for (let f = 0; f < D; f++) v += st.psiInv[o + a * D + e]! * st.etaM2[o + e * D + f]! * st.psiInv[o + f * D + c]!; st.dPsi[o + a * D + c] = 0.5 * (v - st.etaR[b]! * st.psiInv[o + a * D + c]!); }
      continue;
    }
    // T = F C^-T, A = C' T
    for (let a = 0; a < D; a++) for (let c = 0; c < D; c++) { let v = 0; for (let e = 0; e < D; e++) v += st.fEta[o + a * D + e]! * st.psiCinv[o + c * D + e]!; T[a * D + c] = v; }
    for (let a = 0; a < D; a++) for (let c = 0; c < D; c++) { let v = 0; for (let e = 0; e < D; e++) v += st.psiChol[o + e * D + a]! * T[e * D + c]!; A[a * D + c] = v; }
    for (let a = 0; a < D; a++) for (let c = a + 1; c < D; c++) A[a * D + c] = A[c * D + a]!;
    // dPsi = 1/2 C^-T A C^-1
    for (let a = 0; a < D; a++) for (let c = 0; c < D; c++) { let v = 0; for (let e = 0; e < D; e++) v += st.psiCinv[o + e * D + a]! * A[e * D + c]!; T[a * D + c] = v; }
    for (let a = 0; a < D; a++) for (let c = 0; c < D; c++) { let v = 0; for (let e = 0; e < D; e++) v += T[a * D + e]! * st.psiCinv[o + e * D + c]!; st.dPsi[o + a * D + c] = 0.5 * v; }
  }
  const n = m.Kb * DD;
  for (let a = 0; a < n; a++) { const s = m.psiB[a]!; if (s >= 0) dSlot[s] += st.dPsi[a]!; }
  st.fEta.fill(0); st.etaM2.fill(0); st.etaR.fill(0);
}

/** log P(cb_j = b | w_j) for every between class into st.lpi (covariates of the cluster's first person). */
function betweenLogits(m: CompiledModel, st: IntegrationState, j: number): void {
  const { X, Kb } = m;
  const i = m.clusters!.order[m.clusters!.start[j]!]!;
  let mx = -Infinity;
  for (let b = 0; b < Kb; b++) {
    let z = val(m, m.bA[b]!);
    for (let q = 0; q < X; q++) { const s = m.bG[b * X + q]!; if (s >= 0) z += m.slotValue[s]! * m.x[i * X + q]!; }
    st.lpi[b] = z;
    if (z > mx) mx = z;
  }
  let s = 0;
  for (let b = 0; b < Kb; b++) s += Math.exp(st.lpi[b]! - mx);
  const lse = mx + Math.log(s);
  for (let b = 0; b < Kb; b++) st.lpi[b] = st.lpi[b]! - lse;
}

/** Select between class b (or no restriction without a between class variable) for the next node evaluations. */
function useB(m: CompiledModel, ws: Workspace, st: IntegrationState, b: number): void {
  st.curB = b;
  ws.activeB = m.Kb > 1 ? b : -1;
}

type NodesFn = (m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, store: boolean) => number;

/**
 * log L_j = log sum_b P(cb_j = b | w_j) L_jb of cluster j (one term without a between class variable):
 * fills st.lpi and st.ljb; the node buffers are left holding the last class, Kb - 1. Callers then walk
 * the classes from the last with selectBetween, whose posterior weight is exp(lpi + ljb - log L_j).
 */
function betweenMixture(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, nodes: NodesFn, store: boolean): number {
  const Kb = m.Kb;
  if (Kb === 1) {
    useB(m, ws, st, 0);
    st.lpi[0] = 0;
    return (st.ljb[0] = nodes(m, ws, st, j, store));
  }
  betweenLogits(m, st, j);
  let mx = -Infinity;
  for (let b = 0; b < Kb; b++) {
    useB(m, ws, st, b);
    st.ljb[b] = nodes(m, ws, st, j, store && b === Kb - 1);
    if (st.lpi[b]! + st.ljb[b]! > mx) mx = st.lpi[b]! + st.ljb[b]!;
  }
  if (!Number.isFinite(mx)) return -Infinity;
  let s = 0;
  for (let b = 0; b < Kb; b++) s += Math.exp(st.lpi[b]! + st.ljb[b]! - mx);
  return mx + Math.log(s);
}

/** Make between class b current for cluster j after betweenMixture, re-evaluating its nodes unless they are still in the buffers. */
function selectBetween(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, b: number, nodes: NodesFn, store: boolean): void {
  useB(m, ws, st, b);
  if (b !== m.Kb - 1) nodes(m, ws, st, j, store);
}

/**
 * log L_j of cluster j, and its posterior-weighted score added to dSlot when given: sum_b r_jb
 * (d log pi_jb + d log L_jb) with r_jb = pi_jb L_jb / L_j; the node weights of class b are scaled by
 * r_jb by shifting log L_jb.
 */
function clusterLogLik(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, dSlot: Float64Array | null): number {
  const nodes: NodesFn = st.fast ? clusterNodesFast : clusterNodes;
  const lj = betweenMixture(m, ws, st, j, nodes, dSlot !== null);
  if (dSlot && Number.isFinite(lj)) {
    const grad = st.fast ? clusterGradientFast : clusterGradient;
    const X = m.X, i0 = m.clusters!.order[m.clusters!.start[j]!]!;
    for (let b = m.Kb - 1; b >= 0; b--) {
      const r = Math.exp(st.lpi[b]! + st.ljb[b]! - lj);
      if (m.Kb > 1) {
        // between-class logits [cb#b] and cb ON w (covariates of the cluster's first person)
        const g = r - Math.exp(st.lpi[b]!);
        const sa = m.bA[b]!;
        if (sa >= 0) dSlot[sa] += g;
        for (let q = 0; q < X; q++) { const sg = m.bG[b * X + q]!; if (sg >= 0) dSlot[sg] += g * m.x[i0 * X + q]!; }
      }
      if (r < 1e-12) continue;
      selectBetween(m, ws, st, j, b, nodes, true);
      grad(m, ws, st, j, st.ljb[b]! - Math.log(r), dSlot);
    }
  }
  ws.activeB = -1;
  return lj;
}

/** Integrated log-likelihood (and slot gradient when dSlot is given). -Infinity when inadmissible. */
export function logLikIntegrated(m: CompiledModel, ws: Workspace, st: IntegrationState, dSlot: Float64Array | null): number {
  if (dSlot) dSlot.fill(0);
  if (!prepare(m, ws)) return -Infinity;
  if (!preparePsi(m, st)) return -Infinity;
  applyProposals(st);
  resetStats(ws);
  st.fEta.fill(0); st.etaM2.fill(0); st.etaR.fill(0);
  let ll = 0;
  for (let j = 0; j < m.clusters!.J; j++) {
    const lj = clusterLogLik(m, ws, st, j, dSlot);
    if (!Number.isFinite(lj)) return -Infinity;
    ll += lj;
  }
  if (dSlot) { flushContinuous(m, ws, dSlot); flushPsi(m, st, dSlot); }
  return ll;
}

/** Per-cluster scores (J x nFree) for MLR / MLF with clusters as the independent units. */
export function clusterScores(m: CompiledModel, ws: Workspace, st: IntegrationState): Float64Array {
  const J = m.clusters!.J;
  const out = new Float64Array(J * m.nFree);
  const dSlot = new Float64Array(m.nSlots);
  if (!prepare(m, ws) || !preparePsi(m, st)) throw new Error('clusterScores: inadmissible parameter values');
  applyProposals(st);
  for (let j = 0; j < J; j++) {
    dSlot.fill(0);
    resetStats(ws);
    st.fEta.fill(0); st.etaM2.fill(0); st.etaR.fill(0);
    clusterLogLik(m, ws, st, j, dSlot);
    flushContinuous(m, ws, dSlot);
    flushPsi(m, st, dSlot);
    for (let s = 0; s < m.nSlots; s++) { const p = m.slotPar[s]!; if (p >= 0) out[j * m.nFree + p] += dSlot[s]!; }
  }
  return out;
}

/**
 * Freeze the proposals at the current parameter values: the prior N(0, PsiB) (non-adaptive, or
 * before the first adaptive pass), or per cluster the posterior mean and covariance of eta_j under
 * the current proposals (adaptive). A cluster whose posterior covariance is not positive definite
 * keeps the prior, as Mplus falls back to non-adaptive integration.
 */
export function freezeProposals(m: CompiledModel, ws: Workspace, st: IntegrationState, adaptFromCurrent: boolean, maxPasses = ADAPT_PASSES): boolean {
  const D = m.D, J = m.clusters!.J, Kb = m.Kb;
  if (!prepare(m, ws)) return false;
  if (!preparePsi(m, st)) return false;
  if (!adaptFromCurrent || !st.adaptive) {
    for (let j = 0; j < J; j++) for (let b = 0; b < Kb; b++) proposalAtPrior(st, j, b);
    standardizeProposals(st);
    return true;
  }
  applyProposals(st);
  // iterate the re-centring per cluster until the proposal settles: a coarse rule (e.g. 7 Gauss-Hermite
  // points) in the prior metric gives poor first posterior moments
  const S = new Float64Array(D * D);
  for (let j = 0; j < J; j++)
    for (let b = 0; b < Kb; b++) {
      useB(m, ws, st, b);
      for (let pass = 0; pass < maxPasses; pass++) {
        const moved = adaptCluster(m, ws, st, j, S);
        if (moved === null) { ws.activeB = -1; return false; }
        if (moved < 1e-4) break;
      }
    }
  ws.activeB = -1;
  standardizeProposals(st);
  return true;
}

/** Copy the frozen proposals of one integration state to another over the same clusters (coarse to fine
 *  rule), in both metrics, at the current parameter values. */
export function copyProposals(m: CompiledModel, from: IntegrationState, to: IntegrationState): void {
  if (from.metric === 'z' && preparePsi(m, from)) applyProposals(from);
  to.za.set(from.za); to.zb.set(from.zb); to.zld.set(from.zld);
  to.center.set(from.center); to.chol.set(from.chol); to.logdet.set(from.logdet);
}

/** Proposals placed afresh at the current parameter values: from the prior, then adapted (when adaptive). */
export function placeProposals(m: CompiledModel, ws: Workspace, st: IntegrationState): boolean {
  return freezeProposals(m, ws, st, false) && freezeProposals(m, ws, st, true);
}

/** Maximum re-centring passes per cluster in freezeProposals (from the prior; from proposals that
 *  were already adapted at nearby parameter values, optimize.ts asks for REFRESH_PASSES). */
const ADAPT_PASSES = 20;
export const REFRESH_PASSES = 3;

/** The proposal of cluster j in between class b: the prior N(0, PsiB_b). */
function proposalAtPrior(st: IntegrationState, j: number, b: number): void {
  const D = st.D, DD = D * D, jb = j * st.Kb + b;
  st.center.fill(0, jb * D, (jb + 1) * D);
  st.chol.set(st.psiChol.subarray(b * DD, (b + 1) * DD), jb * DD);
  st.logdet[jb] = st.psiLd[b]!;
}

/** One re-centring of the proposal of cluster j, between class st.curB; returns the largest move of the centre in proposal SDs, null on failure. */
function adaptCluster(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, S: Float64Array): number | null {
  const D = m.D;
  const jb = j * st.Kb + st.curB;
  const lj = st.fast ? clusterNodesFast(m, ws, st, j, false) : clusterNodes(m, ws, st, j);
  if (!Number.isFinite(lj)) return null;
  st.mom1.fill(0); st.mom2.fill(0);
  for (let q = 0; q < st.nq; q++) {
    const r = Math.exp(st.h[q]! - lj);
    if (r < 1e-14) continue;
    node(st, j, q);
    for (let a = 0; a < D; a++) { st.mom1[a] += r * st.eta[a]!; for (let b = 0; b < D; b++) st.mom2[a * D + b] += r * st.eta[a]! * st.eta[b]!; }
  }
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) S[a * D + b] = st.mom2[a * D + b]! - st.mom1[a]! * st.mom1[b]!;
  let moved = 0;
  for (let a = 0; a < D; a++) moved = Math.max(moved, Math.abs(st.mom1[a]! - st.center[jb * D + a]!) / Math.max(st.chol[(jb * D + a) * D + a]!, 1e-12));
  // a rule with few nodes cannot resolve a posterior much narrower than the proposal (a cluster of many
  // persons, starting from the prior): its moments then put nearly all weight on one node and would
  // collapse the proposal onto it. Zoom in instead: centre at the moments' mean, the proposal shrunk by
  // ZOOM, and adapt again (at the fixed point the moments equal the proposal, so it is not affected)
  let narrow = false;
  for (let a = 0; a < D; a++) {
    let pv = 0;
    for (let b = 0; b <= a; b++) pv += st.chol[(jb * D + a) * D + b]! ** 2;
    if (!(S[a * D + a]! >= ZOOM * ZOOM * pv)) narrow = true;
  }
  if (!narrow && cholesky(S, D)) {
    st.center.set(st.mom1, jb * D);
    st.chol.set(S, jb * D * D);
    st.logdet[jb] = cholLogDet(S, D);
    return moved;
  }
  st.center.set(st.mom1, jb * D);
  for (let a = 0; a < D * D; a++) st.chol[jb * D * D + a] *= ZOOM;
  st.logdet[jb] += 2 * D * Math.log(ZOOM);
  return Math.max(moved, 1);
}

/** Shrink factor of a proposal that its rule cannot resolve (adaptCluster, [ours]). */
const ZOOM = 0.3;

/**
 * Posterior-weighted node walk of cluster j: for every between class b with P(cb_j = b | data) above
 * 1e-14 (after selectBetween) adds into `out` either the person posteriors p_ik (what = 'post', n x K)
 * or eta (what = 'eta', J x D), with node weights P(cb_j = b | data) exp(h_q - log L_jb).
 */
function nodeWalk(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, what: 'post' | 'eta', out: Float64Array): void {
  const { start, order } = m.clusters!;
  const { K, D } = m;
  const lj = betweenMixture(m, ws, st, j, clusterNodes, false);
  if (!Number.isFinite(lj)) return;
  for (let b = m.Kb - 1; b >= 0; b--) {
    const rb = Math.exp(st.lpi[b]! + st.ljb[b]! - lj);
    if (rb < 1e-14) continue;
    selectBetween(m, ws, st, j, b, clusterNodes, false);
    for (let q = 0; q < st.nq; q++) {
      const r = rb * Math.exp(st.h[q]! - st.ljb[b]!);
      if (r < 1e-14) continue;
      node(st, j, q);
      if (what === 'eta') { for (let d = 0; d < D; d++) out[j * D + d] += r * st.eta[d]!; continue; }
      for (let t = start[j]!; t < start[j + 1]!; t++) {
        const i = order[t]!;
        setShifts(m, ws, st.eta, i);
        personLogLik(m, i, ws);
        for (let k = 0; k < K; k++) out[i * K + k] += r * ws.post[k]!;
      }
    }
  }
}

/** Posterior class (pattern) probabilities per person, p_ik = sum_b r_jb sum_q r_jq|b p_ik|q,b, into post (n x K). */
export function posteriorIntegrated(m: CompiledModel, ws: Workspace, st: IntegrationState, post: Float64Array): void {
  post.fill(0);
  if (!prepare(m, ws) || !preparePsi(m, st)) return;
  applyProposals(st);
  for (let j = 0; j < m.clusters!.J; j++) nodeWalk(m, ws, st, j, 'post', post);
  ws.activeB = -1;
  ws.muShift.fill(0);
  ws.logitShift.fill(0);
}

/** Expected a posteriori estimates of eta_j (the deviations from their class-specific means), J x D. */
export function eapIntegrated(m: CompiledModel, ws: Workspace, st: IntegrationState): Float64Array {
  const out = new Float64Array(m.clusters!.J * m.D);
  if (!prepare(m, ws) || !preparePsi(m, st)) return out.fill(NaN);
  applyProposals(st);
  for (let j = 0; j < m.clusters!.J; j++) nodeWalk(m, ws, st, j, 'eta', out);
  ws.activeB = -1;
  ws.muShift.fill(0);
  ws.logitShift.fill(0);
  return out;
}
