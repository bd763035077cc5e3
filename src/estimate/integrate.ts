// Numerical integration over the between-level random effects eta_j ~ N(0, PsiB) (D >= 1):
//   L_j = integral prod_{i in j} [ sum_k P(C_ij = k | x_ij, eta) f_k(y_ij | x_ij, eta) ] phi(eta; 0, PsiB) d eta
// (estimation.md §2(c), §6). Nodes are eta_jq = c_j + L_j z_q for a product rule z_q, w_q in the
// standardized metric (STANDARD: equally spaced on [-5, 5], weights proportional to phi(z); or
// GAUSSHERMITE), with a *proposal* N(c_j, L_j L_j') per cluster:
//   L_j ~= sum_q w_q f(y_j | eta_jq) phi(eta_jq; 0, PsiB) / phi(eta_jq; c_j, L_j L_j').
// The proposal is frozen between optimizer phases (`freezeProposals`): the prior (c_j = 0, L_j =
// chol PsiB) for non-adaptive integration, the posterior mean and Cholesky factor of the posterior
// covariance of eta_j for adaptive quadrature. With frozen nodes the approximated log-likelihood is a
// smooth function of theta whose exact gradient is the Fisher identity with node posterior weights
// r_jq (this module), so BFGS and the central-difference Hessian see one consistent function.

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { CompiledModel } from './compile.js';
import type { Workspace } from './likelihood.js';
import { accumulatePerson, flushContinuous, personLogLik, prepare, resetStats } from './likelihood.js';
import { cholesky, cholInverse, cholLogDet } from './linalg.js';
import type { IntegrationType } from './options.js';

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
  nq: number;
  /** product-rule nodes (nq x D) and log weights (nq) */
  z: Float64Array;
  logw: Float64Array;
  adaptive: boolean;
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
  /** frozen proposal per cluster and between class: centre (J Kb x D), Cholesky factor (J Kb x D x D), log det of L L' (J Kb) */
  center: Float64Array;
  chol: Float64Array;
  logdet: Float64Array;
  /** scratch */
  h: Float64Array;
  eta: Float64Array;
  /** per between class: PsiB (Kb x D x D), its Cholesky factor and inverse, log det (Kb) */
  psi: Float64Array;
  psiChol: Float64Array;
  psiInv: Float64Array;
  psiLd: Float64Array;
  tmp: Float64Array;
  mom1: Float64Array;
  mom2: Float64Array;
  dPsi: Float64Array;
  /** fast gradient path (continuous outcomes only): per person of the current cluster and node,
   *  the node-conditional class posteriors and prior class probabilities (maxCluster x nq x K) */
  fast: boolean;
  nodePost: Float64Array;
  nodePrior: Float64Array;
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
  /** fast likelihood path: the eta-free class logit per person of the current cluster and class */
  fz: Float64Array;
  lpk: Float64Array;
  /** node values of the current cluster (nq x D) */
  etaCache: Float64Array;
  /** fast likelihood path: number of node monomials M = 1 + D + D(D+1)/2, their values per node of
   *  the current cluster (nq x M), per person and class the coefficients of the log joint density on
   *  them (maxCluster x K x M), exp of the eta-free class logit (twice: for the class-prior normalizer
   *  and with KNOWNCLASS zeros; maxCluster x K x 2), and exp(G_k eta) of the current node (K) */
  M: number;
  mono: Float64Array;
  /** fast gradient path: per class, node sums of w and gl on the monomials (K x M, K x (D + 1)) */
  wm: Float64Array;
  glm: Float64Array;
  coef: Float64Array;
  ef: Float64Array;
  eg: Float64Array;
}

export function makeIntegration(m: CompiledModel, type: IntegrationType, points: number, adaptive: boolean): IntegrationState {
  const D = m.D;
  const r = rule1D(type, points);
  const nq = points ** D;
  const z = new Float64Array(nq * D), logw = new Float64Array(nq);
  for (let q = 0; q < nq; q++) {
    let rem = q, lw = 0;
    for (let d = D - 1; d >= 0; d--) { const t = rem % points; rem = Math.floor(rem / points); z[q * D + d] = r.z[t]!; lw += Math.log(r.w[t]!); }
    logw[q] = lw;
  }
  const J = m.clusters!.J;
  const { start } = m.clusters!;
  let maxN = 0;
  for (let j = 0; j < J; j++) maxN = Math.max(maxN, start[j + 1]! - start[j]!);
  const fast = m.cat.length === 0 && m.nom.length === 0;
  const K = m.K, P = m.P, Kb = m.Kb;
  return {
    D, nq, z, logw, adaptive, fast, Kb, curB: 0, lpi: new Float64Array(Kb), ljb: new Float64Array(Kb),
    nodePost: new Float64Array(fast ? maxN * nq * K : 0), nodePrior: new Float64Array(fast ? maxN * nq * K : 0),
    pk: new Float64Array(K), m1: new Float64Array(K * D), m2: new Float64Array(K * D * D),
    fz: new Float64Array(fast ? maxN * K : 0), lpk: new Float64Array(K), etaCache: new Float64Array(nq * D),
    M: 1 + D + (D * (D + 1)) / 2, mono: new Float64Array(fast ? nq * (1 + D + (D * (D + 1)) / 2) : 0),
    coef: new Float64Array(fast ? maxN * K * (1 + D + (D * (D + 1)) / 2) : 0), ef: new Float64Array(fast ? maxN * K * 2 : 0), eg: new Float64Array(K),
    wm: new Float64Array(K * (1 + D + (D * (D + 1)) / 2)), glm: new Float64Array(K * (D + 1)),
    e: new Float64Array(P), hm: new Float64Array(P), su: new Float64Array(P), mat: new Float64Array(P * P), hm2: new Float64Array(P * D), pd: new Float64Array(P * D),
    center: new Float64Array(J * Kb * D), chol: new Float64Array(J * Kb * D * D), logdet: new Float64Array(J * Kb),
    h: new Float64Array(nq), eta: new Float64Array(D),
    psi: new Float64Array(Kb * D * D), psiChol: new Float64Array(Kb * D * D), psiInv: new Float64Array(Kb * D * D), psiLd: new Float64Array(Kb),
    tmp: new Float64Array(D), mom1: new Float64Array(D), mom2: new Float64Array(D * D), dPsi: new Float64Array(Kb * D * D),
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
    cholInverse(L, D, st.psiInv, st.tmp, 0, c * DD);
    st.psiLd[c] = cholLogDet(L, D);
  }
  return true;
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

/** log h_jq for every node of cluster j into st.h; returns log L_j. */
function clusterNodes(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, store = false): number {
  const { start, order } = m.clusters!;
  const K = m.K, nq = st.nq;
  let mx = -Infinity;
  for (let q = 0; q < nq; q++) {
    const lprop = node(st, j, q);
    let h = st.logw[q]! + logPrior(st) - lprop;
    for (let t = start[j]!; t < start[j + 1]!; t++) {
      setShifts(m, ws, st.eta, order[t]!);
      h += personLogLik(m, order[t]!, ws);
      if (store) {
        const base = ((t - start[j]!) * nq + q) * K;
        for (let k = 0; k < K; k++) { st.nodePost[base + k] = ws.post[k]!; st.nodePrior[base + k] = Math.exp(ws.prior[k]!); }
      }
    }
    st.h[q] = h;
    if (h > mx) mx = h;
  }
  if (!Number.isFinite(mx)) return -Infinity;
  let s = 0;
  for (let q = 0; q < st.nq; q++) s += Math.exp(st.h[q]! - mx);
  return mx + Math.log(s);
}

/**
 * clusterNodes for models whose outcomes are all continuous. With r = e - H_k eta (e = y - c0 - C1 x),
 * log P(k | x) f_k(y | eta) = z_k + G_k eta - lse + fc_k - 1/2 (e'Se - 2 (H'Se)'eta + eta'(H'SH)eta),
 * a quadratic in eta. Per person and class its coefficients on the node monomials
 * (1, eta_d, eta_d eta_d' for d <= d') are computed once, so the work per person and node is K dot
 * products of length M = 1 + D + D(D+1)/2 and K exponentials (the class-prior normalizer uses
 * exp(z_k) per person times exp(G_k eta) per node; per-person logs are replaced by a running product).
 * Always stores the node-conditional posteriors and class probabilities for the gradient.
 */
function clusterNodesFast(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number): number {
  const { start, order } = m.clusters!;
  const { K, P, X, D } = m;
  const nq = st.nq, M = st.M;
  const n0 = start[j]!, nj = start[j + 1]! - n0;
  const coef = st.coef, ef = st.ef, mono = st.mono, eg = st.eg;
  // per person and class: the eta-free parts and the monomial coefficients
  for (let t = 0; t < nj; t++) {
    const i = order[n0 + t]!;
    const pat = m.patternOf[i]!;
    const no = ws.nObs[pat]!;
    const known = m.known ? m.known[i]! : -1;
    const actB = ws.activeB;
    let zmax = -Infinity;
    for (let k = 0; k < K; k++) {
      if (actB >= 0 && m.bOf[k] !== actB) { st.fz[t * K + k] = -Infinity; continue; }
      let z = ws.clsA[k]!;
      for (let x = 0; x < X; x++) z += ws.clsG[k * X + x]! * m.x[i * X + x]!;
      st.fz[t * K + k] = z;
      if (z > zmax) zmax = z;
    }
    for (let k = 0; k < K; k++) {
      const pk = t * K + k;
      const e0 = Math.exp(st.fz[pk]! - zmax);
      ef[2 * pk] = e0;
      ef[2 * pk + 1] = known >= 0 && m.wOf[k] !== known ? 0 : e0;
      if (e0 === 0 && st.fz[pk] === -Infinity) { coef.fill(0, pk * M, (pk + 1) * M); continue; }
      const sb = (pat * K + k) * P * P;
      for (let a = 0; a < P; a++) {
        const yv = m.y[i * P + a]!;
        if (Number.isNaN(yv)) { st.e[a] = 0; continue; }
        let mu = ws.c0[k * P + a]!;
        for (let x = 0; x < X; x++) mu += ws.c1[(k * P + a) * X + x]! * m.x[i * X + x]!;
        st.e[a] = yv - mu;
      }
      let a0 = 0;
      for (let a = 0; a < P; a++) { let v = 0; for (let b = 0; b < P; b++) v += ws.sinv[sb + a * P + b]! * st.e[b]!; st.su[a] = v; a0 += v * st.e[a]!; }
      const cb = pk * M;
      coef[cb] = (no > 0 ? -0.5 * (no * LOG2PI + ws.logdet[pat * K + k]!) : 0) - 0.5 * a0;
      for (let d = 0; d < D; d++) {
        let v = 0;
        for (let a = 0; a < P; a++) v += hval(m, k, a, d, i) * st.su[a]!;
        coef[cb + 1 + d] = v;
        // S H column d into hm2
        for (let a = 0; a < P; a++) { let w = 0; for (let b = 0; b < P; b++) w += ws.sinv[sb + a * P + b]! * hval(m, k, b, d, i); st.hm2[a * D + d] = w; }
      }
      let c = 1 + D;
      for (let d = 0; d < D; d++) for (let d2 = d; d2 < D; d2++) {
        let v = 0;
        for (let a = 0; a < P; a++) v += hval(m, k, a, d, i) * st.hm2[a * D + d2]!;
        coef[cb + c++] = d === d2 ? -0.5 * v : -v;
      }
    }
  }
  // per node: monomials and exp(G_k eta)
  let mx = -Infinity;
  for (let q = 0; q < nq; q++) {
    const lprop = node(st, j, q);
    let h = st.logw[q]! + logPrior(st) - lprop;
    const mb = q * M;
    mono[mb] = 1;
    let c = 1 + D;
    for (let d = 0; d < D; d++) { const e = st.eta[d]!; mono[mb + 1 + d] = e; for (let d2 = d; d2 < D; d2++) mono[mb + c++] = e * st.eta[d2]!; }
    for (let k = 0; k < K; k++) { let g = 0; for (let d = 0; d < D; d++) g += val(m, m.G[k * D + d]!) * st.eta[d]!; eg[k] = Math.exp(g); }
    let prod = 1;
    for (let t = 0; t < nj; t++) {
      let Z = 0, lm = -Infinity;
      const base = (t * nq + q) * K;
      for (let k = 0; k < K; k++) {
        const pk = t * K + k;
        Z += ef[2 * pk]! * eg[k]!;
        let l = 0;
        const cb = pk * M;
        for (let u = 0; u < M; u++) l += coef[cb + u]! * mono[mb + u]!;
        st.lpk[k] = l;
        if (ef[2 * pk + 1]! > 0 && l > lm) lm = l;
      }
      let S = 0;
      for (let k = 0; k < K; k++) {
        const pk = t * K + k;
        const pr = ef[2 * pk]! * eg[k]!;
        const v = ef[2 * pk + 1]! * eg[k]! * Math.exp(st.lpk[k]! - lm);
        st.nodePost[base + k] = v;
        st.nodePrior[base + k] = pr / Z;
        S += v;
      }
      for (let k = 0; k < K; k++) st.nodePost[base + k] = st.nodePost[base + k]! / S;
      h += lm;
      prod *= S / Z;
      if (prod < 1e-250 || prod > 1e250) { h += Math.log(prod); prod = 1; }
    }
    h += Math.log(prod);
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
    for (let t = start[j]!; t < start[j + 1]!; t++) {
      const i = order[t]!;
      setShifts(m, ws, st.eta, i);
      personLogLik(m, i, ws);
      accumulatePerson(m, i, ws, dSlot, r);
      // H_k eta in the means and G_k eta in the class logits
      for (let k = 0; k < K; k++) {
        const w = r * ws.post[k]!;
        const gl = r * (ws.post[k]! - Math.exp(ws.prior[k]!));
        for (let d = 0; d < D; d++) {
          const e = st.eta[d]!;
          const sg = m.G[k * D + d]!;
          if (sg >= 0) dSlot[sg] += gl * e;
          if (w === 0) continue;
          for (let p = 0; p < P; p++) { const sh = m.H[(k * P + p) * D + d]!; if (sh >= 0) dSlot[sh] += w * ws.a[k * P + p]! * e; }
        }
      }
    }
    // d log phi(eta; 0, Psi) / d Psi = 1/2 (Psi^-1 eta eta' Psi^-1 - Psi^-1)
    const off = st.curB * D * D;
    for (let a = 0; a < D; a++) { let v = 0; for (let b = 0; b < D; b++) v += st.psiInv[off + a * D + b]! * st.eta[b]!; st.tmp[a] = v; }
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) st.dPsi[off + a * D + b] += 0.5 * r * (st.tmp[a]! * st.tmp[b]! - st.psiInv[off + a * D + b]!);
  }
}

/**
 * Closed-form version of clusterGradient for models whose outcomes are all continuous: the means are
 * linear in eta, so the posterior expectation of the complete-data score of person i in class k needs
 * only p_ik, M1 = E[1{C=k} eta] and M2 = E[1{C=k} eta eta'] (accumulated over the nodes); the
 * person-level algebra then runs once per person instead of once per node.
 */
function clusterGradientFast(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, lj: number, dSlot: Float64Array): void {
  const { start, order } = m.clusters!;
  const { K, P, X, D } = m;
  const nq = st.nq;
  // node weights r_q into st.h (in place) and the cluster's eta moments for Psi; the weights sum to
  // P(cb_j = curB | data) when lj is shifted by the log of that probability (clusterLogLik)
  st.mom2.fill(0);
  let rsum = 0;
  for (let q = 0; q < nq; q++) {
    const r = Math.exp(st.h[q]! - lj);
    st.h[q] = r;
    rsum += r;
    node(st, j, q);
    st.etaCache.set(st.eta, q * D);
    if (r < 1e-14) continue;
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) st.mom2[a * D + b] += r * st.eta[a]! * st.eta[b]!;
  }
  const off = st.curB * D * D;
  for (let a = 0; a < D; a++) { for (let b = 0; b < D; b++) { let v = 0; for (let c = 0; c < D; c++) for (let d = 0; d < D; d++) v += st.psiInv[off + a * D + c]! * st.mom2[c * D + d]! * st.psiInv[off + d * D + b]!; st.dPsi[off + a * D + b] += 0.5 * (v - rsum * st.psiInv[off + a * D + b]!); } }
  ws.muShift.fill(0);
  ws.logitShift.fill(0);
  for (let t = start[j]!; t < start[j + 1]!; t++) {
    const i = order[t]!;
    const row = t - start[j]!;
    // node sums on the monomials (1, eta, eta eta' upper) of the posterior weights w = r p_ik|q and
    // of the logit scores gl = r (p_ik|q - P(k | x, eta_q)); mono was filled by clusterNodesFast
    const M = st.M, wm = st.wm, glm = st.glm, mono = st.mono;
    wm.fill(0); glm.fill(0);
    for (let q = 0; q < nq; q++) {
      const r = st.h[q]!;
      if (r < 1e-14) continue;
      const base = (row * nq + q) * K, mb = q * M;
      for (let k = 0; k < K; k++) {
        const pq = st.nodePost[base + k]!;
        const w = r * pq, gl = r * (pq - st.nodePrior[base + k]!);
        const wb = k * M, gb = k * (D + 1);
        for (let u = 0; u < M; u++) wm[wb + u] += w * mono[mb + u]!;
        for (let u = 0; u <= D; u++) glm[gb + u] += gl * mono[mb + u]!;
      }
    }
    for (let k = 0; k < K; k++) {
      const wb = k * M, gb = k * (D + 1);
      // class logits: intercept, covariate slopes and the G_k eta part
      const gl = glm[gb]!;
      const sa = m.clsA[k]!;
      if (sa >= 0) dSlot[sa] += gl;
      const sab = m.clsAB[k]!;
      if (sab >= 0) dSlot[sab] += gl;
      for (let x = 0; x < X; x++) { const sg = m.clsG[k * X + x]!; if (sg >= 0) dSlot[sg] += gl * m.x[i * X + x]!; }
      for (let d = 0; d < D; d++) { const sg = m.G[k * D + d]!; if (sg >= 0) dSlot[sg] += glm[gb + 1 + d]!; }
      st.pk[k] = wm[wb]!;
      let c = 1 + D;
      for (let d = 0; d < D; d++) {
        st.m1[k * D + d] = wm[wb + 1 + d]!;
        for (let d2 = d; d2 < D; d2++) { const v = wm[wb + c++]!; st.m2[(k * D + d) * D + d2] = v; st.m2[(k * D + d2) * D + d] = v; }
      }
    }
    const pat = m.patternOf[i]!;
    if (ws.nObs[pat] === 0) continue;
    for (let k = 0; k < K; k++) {
      const p = st.pk[k]!;
      if (p === 0) continue;
      const sb = (pat * K + k) * P * P;
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
          const h = hval(m, k, a, d, i);
          v += h * st.m1[k * D + d]!;
          let v2 = 0;
          for (let d2 = 0; d2 < D; d2++) v2 += hval(m, k, a, d2, i) * st.m2[(k * D + d2) * D + d]!;
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
          for (let d = 0; d < D; d++) hmh += st.hm2[a * D + d]! * hval(m, k, b, d, i);
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
      for (let a = 0; a < P; a++)
        for (let d = 0; d < D; d++) {
          const sh = m.H[(k * P + a) * D + d]!;
          if (sh < 0) continue;
          let v = 0;
          for (let b = 0; b < P; b++) v += ws.sinv[sb + a * P + b]! * st.pd[b * D + d]!;
          dSlot[sh] += v;
        }
    }
  }
}

function flushPsi(m: CompiledModel, st: IntegrationState, dSlot: Float64Array): void {
  const n = m.Kb * m.D * m.D;
  for (let a = 0; a < n; a++) { const s = m.psiB[a]!; if (s >= 0) dSlot[s] += st.dPsi[a]!; }
  st.dPsi.fill(0);
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

/**
 * log L_j of cluster j, and its posterior-weighted score added to dSlot when given. With a between
 * class variable L_j = sum_b pi_jb L_jb: the score is sum_b r_jb (d log pi_jb + d log L_jb) with
 * r_jb = pi_jb L_jb / L_j; the node weights of class b are scaled by r_jb by shifting lj.
 */
function clusterLogLik(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, dSlot: Float64Array | null): number {
  const nodes = st.fast ? clusterNodesFast : clusterNodes;
  const grad = st.fast ? clusterGradientFast : clusterGradient;
  const Kb = m.Kb;
  if (Kb === 1) {
    useB(m, ws, st, 0);
    const lj = nodes(m, ws, st, j);
    if (dSlot && Number.isFinite(lj)) grad(m, ws, st, j, lj, dSlot);
    return lj;
  }
  betweenLogits(m, st, j);
  let mx = -Infinity;
  for (let b = 0; b < Kb; b++) {
    useB(m, ws, st, b);
    const l = nodes(m, ws, st, j);
    st.ljb[b] = l;
    if (st.lpi[b]! + l > mx) mx = st.lpi[b]! + l;
  }
  ws.activeB = -1;
  if (!Number.isFinite(mx)) return -Infinity;
  let s = 0;
  for (let b = 0; b < Kb; b++) s += Math.exp(st.lpi[b]! + st.ljb[b]! - mx);
  const lj = mx + Math.log(s);
  if (dSlot) {
    const X = m.X, i0 = m.clusters!.order[m.clusters!.start[j]!]!;
    // the last class evaluated still has its node values in the buffers: start there
    for (let b = Kb - 1; b >= 0; b--) {
      const r = Math.exp(st.lpi[b]! + st.ljb[b]! - lj);
      const g = r - Math.exp(st.lpi[b]!);
      const sa = m.bA[b]!;
      if (sa >= 0) dSlot[sa] += g;
      for (let q = 0; q < X; q++) { const sg = m.bG[b * X + q]!; if (sg >= 0) dSlot[sg] += g * m.x[i0 * X + q]!; }
      if (r < 1e-12) continue;
      useB(m, ws, st, b);
      if (b !== Kb - 1) nodes(m, ws, st, j);
      grad(m, ws, st, j, st.ljb[b]! - Math.log(r), dSlot);
    }
    ws.activeB = -1;
  }
  return lj;
}

/** Integrated log-likelihood (and slot gradient when dSlot is given). -Infinity when inadmissible. */
export function logLikIntegrated(m: CompiledModel, ws: Workspace, st: IntegrationState, dSlot: Float64Array | null): number {
  if (dSlot) dSlot.fill(0);
  if (!prepare(m, ws)) return -Infinity;
  if (!preparePsi(m, st)) return -Infinity;
  resetStats(ws);
  st.dPsi.fill(0);
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
  for (let j = 0; j < J; j++) {
    dSlot.fill(0);
    resetStats(ws);
    st.dPsi.fill(0);
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
  const D = m.D, J = m.clusters!.J, Kb = m.Kb, DD = D * D;
  if (!prepare(m, ws)) return false;
  if (!preparePsi(m, st)) return false;
  const toPrior = (j: number, b: number) => {
    const jb = j * Kb + b;
    st.center.fill(0, jb * D, (jb + 1) * D);
    st.chol.set(st.psiChol.subarray(b * DD, (b + 1) * DD), jb * DD);
    st.logdet[jb] = st.psiLd[b]!;
  };
  if (!adaptFromCurrent || !st.adaptive) {
    for (let j = 0; j < J; j++) for (let b = 0; b < Kb; b++) toPrior(j, b);
    return true;
  }
  // iterate the re-centring per cluster until the proposal settles: a coarse rule (e.g. 7 Gauss-Hermite
  // points) in the prior metric gives poor first posterior moments
  const S = new Float64Array(DD);
  for (let j = 0; j < J; j++)
    for (let b = 0; b < Kb; b++) {
      useB(m, ws, st, b);
      for (let pass = 0; pass < maxPasses; pass++) {
        const moved = adaptCluster(m, ws, st, j, S, () => toPrior(j, b));
        if (moved === null) { ws.activeB = -1; return false; }
        if (moved < 1e-4) break;
      }
    }
  ws.activeB = -1;
  return true;
}

/** Maximum re-centring passes per cluster in freezeProposals (from the prior; from proposals that
 *  were already adapted at nearby parameter values, optimize.ts asks for REFRESH_PASSES). */
const ADAPT_PASSES = 20;
export const REFRESH_PASSES = 3;

/** One re-centring of the proposal of cluster j, between class st.curB; returns the largest move of the centre in proposal SDs, null on failure. */
function adaptCluster(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, S: Float64Array, toPrior: () => void): number | null {
  const D = m.D;
  const jb = j * st.Kb + st.curB;
  {
    const lj = st.fast ? clusterNodesFast(m, ws, st, j) : clusterNodes(m, ws, st, j);
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
    if (cholesky(S, D)) {
      st.center.set(st.mom1, jb * D);
      st.chol.set(S, jb * D * D);
      st.logdet[jb] = cholLogDet(S, D);
      return moved;
    }
    toPrior();
    return 0;
  }
}

/**
 * Calls visit(b, rb, lb) for every between class b of cluster j with posterior probability
 * rb = P(cb_j = b | data) above 1e-14, after clusterNodes has filled st.h for that class (lb = log L_jb,
 * so the node weights are rb exp(h_q - lb)). Returns false when the cluster's likelihood is not finite.
 */
function forClasses(m: CompiledModel, ws: Workspace, st: IntegrationState, j: number, visit: (b: number, rb: number, lb: number) => void): boolean {
  const Kb = m.Kb;
  if (Kb === 1) {
    useB(m, ws, st, 0);
    const lj = clusterNodes(m, ws, st, j);
    if (!Number.isFinite(lj)) return false;
    visit(0, 1, lj);
    return true;
  }
  betweenLogits(m, st, j);
  let mx = -Infinity;
  for (let b = 0; b < Kb; b++) {
    useB(m, ws, st, b);
    st.ljb[b] = clusterNodes(m, ws, st, j);
    mx = Math.max(mx, st.lpi[b]! + st.ljb[b]!);
  }
  if (!Number.isFinite(mx)) { ws.activeB = -1; return false; }
  let s = 0;
  for (let b = 0; b < Kb; b++) s += Math.exp(st.lpi[b]! + st.ljb[b]! - mx);
  const lj = mx + Math.log(s);
  for (let b = Kb - 1; b >= 0; b--) {
    const rb = Math.exp(st.lpi[b]! + st.ljb[b]! - lj);
    if (rb < 1e-14) continue;
    useB(m, ws, st, b);
    if (b !== Kb - 1) clusterNodes(m, ws, st, j);
    visit(b, rb, st.ljb[b]!);
  }
  ws.activeB = -1;
  return true;
}

/** Posterior class (pattern) probabilities per person, p_ik = sum_b r_jb sum_q r_jq|b p_ik|q,b, into post (n x K). */
export function posteriorIntegrated(m: CompiledModel, ws: Workspace, st: IntegrationState, post: Float64Array): void {
  const { start, order, J } = m.clusters!;
  const K = m.K;
  post.fill(0);
  if (!prepare(m, ws) || !preparePsi(m, st)) return;
  for (let j = 0; j < J; j++) {
    forClasses(m, ws, st, j, (_b, rb, lb) => {
      for (let q = 0; q < st.nq; q++) {
        const r = rb * Math.exp(st.h[q]! - lb);
        if (r < 1e-14) continue;
        node(st, j, q);
        for (let t = start[j]!; t < start[j + 1]!; t++) {
          const i = order[t]!;
          setShifts(m, ws, st.eta, i);
          personLogLik(m, i, ws);
          for (let k = 0; k < K; k++) post[i * K + k] += r * ws.post[k]!;
        }
      }
    });
  }
  ws.muShift.fill(0);
  ws.logitShift.fill(0);
}

/** Expected a posteriori estimates of eta_j (the deviations from their class-specific means), J x D. */
export function eapIntegrated(m: CompiledModel, ws: Workspace, st: IntegrationState): Float64Array {
  const D = m.D, J = m.clusters!.J;
  const out = new Float64Array(J * D);
  if (!prepare(m, ws) || !preparePsi(m, st)) return out.fill(NaN);
  for (let j = 0; j < J; j++) {
    forClasses(m, ws, st, j, (_b, rb, lb) => {
      for (let q = 0; q < st.nq; q++) {
        const r = rb * Math.exp(st.h[q]! - lb);
        if (r < 1e-14) continue;
        node(st, j, q);
        for (let d = 0; d < D; d++) out[j * D + d] += r * st.eta[d]!;
      }
    });
  }
  ws.muShift.fill(0);
  ws.logitShift.fill(0);
  return out;
}
