// Per-person class densities, the observed log-likelihood, posterior class probabilities and the
// analytic gradient by the Fisher identity: d l_i / d theta = sum_k p_ik d/d theta [log P(C=k|x_i)
// + log f_k(y_i | x_i)], posterior-weighted complete-data scores accumulated per slot and mapped to
// the free parameters through the slot -> par map (compile.ts).
//
// `prepare` turns the current slot values into per-class implied means/covariances (and their
// inverses per missing-data pattern); the person loops then run allocation-free.

import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type { CompiledModel } from './compile.js';
import { cholesky, cholInverse, cholLogDet } from './linalg.js';

const LOG2PI = Math.log(2 * Math.PI);
const SQRT2PI = Math.sqrt(2 * Math.PI);
const pnorm = normalCdf as (x: number, mu: number, sigma: number) => number;

export interface Workspace {
  link: 'logit' | 'probit';
  /** per class: c0 = nu + Lambda alpha (P), C1 = B + Lambda Gamma (P x X), Sigma (P x P) */
  c0: Float64Array;
  c1: Float64Array;
  sigma: Float64Array;
  /** per pattern and class: inverse of Sigma_oo embedded in P x P (zeros elsewhere), log det, observed count */
  sinv: Float64Array;
  logdet: Float64Array;
  nObs: Int32Array;
  /** scratch */
  chol: Float64Array;
  tmp: Float64Array;
  idx: Int32Array;
  lp: Float64Array; // K log joint
  post: Float64Array; // K posterior
  prior: Float64Array; // K class probabilities for the current person
  res: Float64Array; // K*P residuals
  a: Float64Array; // K*P Sigma^{-1} r
  nomP: Float64Array; // max nominal categories
  /** two-level: shifts of the means (K x P) and class logits (K) by H_k eta and G_k eta at the current node */
  muShift: Float64Array;
  logitShift: Float64Array;
  /** class-logit coefficients a_k (K, incl. `c#k ON cb#m`) and g_k (K x X), copied from the slots by prepare() */
  clsA: Float64Array;
  clsG: Float64Array;
  /**
   * Between-level class variable: the between class m of the cluster being evaluated; only the
   * patterns with bOf = m are possible and the within-class probabilities are normalized over them.
   * -1 = no restriction (models without a between class variable).
   */
  activeB: number;
  /** second within class variable: logit coefficients per pattern (K, K x X), P(c2 | other classes) per pattern */
  cls2A: Float64Array;
  cls2G: Float64Array;
  p2: Float64Array;
  /** scratch per group of patterns that differ only in c2, at the index of the group's c2 = 1 pattern (K) */
  grp2: Float64Array;
  bd: Float64Array; // 2: threshold bounds
  /** gradient sufficient statistics of the continuous block, per class */
  sW: Float64Array; // K
  sA: Float64Array; // K*P
  sAX: Float64Array; // K*P*X
  sG: Float64Array; // K*P*P
  /** scratch for mapping G to Lambda / Psi */
  m1: Float64Array;
  m2: Float64Array;
}

export function makeWorkspace(m: CompiledModel, link: 'logit' | 'probit'): Workspace {
  const { K, P, X, F } = m;
  const nPat = m.patterns.length;
  const maxNom = Math.max(2, ...m.nom.map((it) => it.nCat));
  return {
    link,
    c0: new Float64Array(K * P), c1: new Float64Array(K * P * X), sigma: new Float64Array(K * P * P),
    sinv: new Float64Array(nPat * K * P * P), logdet: new Float64Array(nPat * K), nObs: new Int32Array(nPat),
    chol: new Float64Array(P * P), tmp: new Float64Array(Math.max(P, 1)), idx: new Int32Array(P),
    lp: new Float64Array(K), post: new Float64Array(K), prior: new Float64Array(K),
    res: new Float64Array(K * P), a: new Float64Array(K * P), nomP: new Float64Array(maxNom), muShift: new Float64Array(K * P), logitShift: new Float64Array(K), clsA: new Float64Array(K), clsG: new Float64Array(K * X), activeB: -1,
    cls2A: new Float64Array(K), cls2G: new Float64Array(K * X), p2: new Float64Array(K), grp2: new Float64Array(K), bd: new Float64Array(2),
    sW: new Float64Array(K), sA: new Float64Array(K * P), sAX: new Float64Array(K * P * X), sG: new Float64Array(K * P * P),
    m1: new Float64Array(Math.max(P * F, 1)), m2: new Float64Array(Math.max(F * F, P * F, 1)),
  };
}

const val = (m: CompiledModel, s: number): number => (s < 0 ? 0 : m.slotValue[s]!);

/** Implied moments from the slot values. Returns false when a covariance matrix is not positive definite. */
export function prepare(m: CompiledModel, ws: Workspace): boolean {
  const { K, P, X, F } = m;
  for (let k = 0; k < K; k++) {
    ws.clsA[k] = val(m, m.clsA[k]!) + val(m, m.clsAB[k]!);
    for (let q = 0; q < X; q++) ws.clsG[k * X + q] = val(m, m.clsG[k * X + q]!);
    if (m.K2 > 1) {
      ws.cls2A[k] = val(m, m.cls2A[k]!) + val(m, m.cls2AW[k]!) + val(m, m.cls2AB[k]!);
      for (let q = 0; q < X; q++) ws.cls2G[k * X + q] = val(m, m.cls2G[k * X + q]!);
    }
    for (let p = 0; p < P; p++) {
      let c = val(m, m.nu[k * P + p]!);
      for (let f = 0; f < F; f++) c += val(m, m.lam[(k * P + p) * F + f]!) * val(m, m.alpha[k * F + f]!);
      c += val(m, m.nuB[k * P + p]!);
      for (let d = 0; d < m.D; d++) c += val(m, m.H[(k * P + p) * m.D + d]!) * val(m, m.alphaB[k * m.D + d]!);
      ws.c0[k * P + p] = c;
      for (let q = 0; q < X; q++) {
        let b = val(m, m.B[(k * P + p) * X + q]!);
        for (let f = 0; f < F; f++) b += val(m, m.lam[(k * P + p) * F + f]!) * val(m, m.gam[(k * F + f) * X + q]!);
        for (let d = 0; d < m.D; d++) b += val(m, m.H[(k * P + p) * m.D + d]!) * val(m, m.gamB[(k * m.D + d) * X + q]!);
        ws.c1[(k * P + p) * X + q] = b;
      }
    }
    for (let a = 0; a < P; a++)
      for (let b = 0; b < P; b++) {
        let s = val(m, m.theta[k * P * P + a * P + b]!);
        for (let f = 0; f < F; f++) {
          const la = val(m, m.lam[(k * P + a) * F + f]!);
          if (la === 0) continue;
          for (let g = 0; g < F; g++) s += la * val(m, m.psi[k * F * F + f * F + g]!) * val(m, m.lam[(k * P + b) * F + g]!);
        }
        ws.sigma[k * P * P + a * P + b] = s;
      }
  }
  // per missing-data pattern: inverse of the observed block
  const nPat = m.patterns.length;
  for (let t = 0; t < nPat; t++) {
    const mask = m.patterns[t]!;
    let no = 0;
    for (let p = 0; p < P; p++) if (mask[p]) ws.idx[no++] = p;
    ws.nObs[t] = no;
    for (let k = 0; k < K; k++) {
      const base = (t * K + k) * P * P;
      ws.sinv.fill(0, base, base + P * P);
      if (no === 0) { ws.logdet[t * K + k] = 0; continue; }
      for (let i = 0; i < no; i++) for (let j = 0; j < no; j++) ws.chol[i * no + j] = ws.sigma[k * P * P + ws.idx[i]! * P + ws.idx[j]!]!;
      if (!cholesky(ws.chol, no)) return false;
      ws.logdet[t * K + k] = cholLogDet(ws.chol, no);
      // inverse into the top-left no x no block of a scratch area, then scatter
      cholInverse(ws.chol, no, ws.sinv, ws.tmp, 0, base);
      for (let i = no - 1; i >= 0; i--)
        for (let j = no - 1; j >= 0; j--) {
          const v = ws.sinv[base + i * no + j]!;
          ws.sinv[base + i * no + j] = 0;
          ws.sinv[base + ws.idx[i]! * P + ws.idx[j]!] = v;
        }
    }
  }
  return true;
}

function cdf(link: 'logit' | 'probit', t: number): number {
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  return link === 'logit' ? 1 / (1 + Math.exp(-t)) : pnorm(t, 0, 1);
}
function pdf(link: 'logit' | 'probit', t: number): number {
  if (!Number.isFinite(t)) return 0;
  if (link === 'logit') { const e = Math.exp(-Math.abs(t)); return e / ((1 + e) * (1 + e)); }
  return Math.exp(-0.5 * t * t) / SQRT2PI;
}

/** Upper and lower thresholds (tau_c, tau_{c-1}) minus the linear predictor for item r, class k, category c. */
function catBounds(m: CompiledModel, k: number, r: number, c: number, xi: number, bd: Float64Array): void {
  const it = m.cat[r]!;
  let eta = 0;
  for (let q = 0; q < m.X; q++) eta += val(m, m.catB[(k * m.cat.length + r) * m.X + q]!) * m.x[xi + q]!;
  const hi = c < it.nCat - 1 ? val(m, m.tau[k * m.nTau + it.offset + c]!) - eta : Infinity;
  const lo = c > 0 ? val(m, m.tau[k * m.nTau + it.offset + c - 1]!) - eta : -Infinity;
  bd[0] = hi;
  bd[1] = lo;
}

/** Log class (pattern) probabilities log P(C = k | x_i) into ws.prior (-Infinity for impossible patterns). */
function classLogits(m: CompiledModel, i: number, ws: Workspace): void {
  const { K, X } = m;
  const b = ws.activeB;
  let mx = -Infinity;
  for (let k = 0; k < K; k++) {
    if (b >= 0 && m.bOf[k] !== b) { ws.prior[k] = -Infinity; continue; }
    let z = ws.clsA[k]! + ws.logitShift[k]!;
    for (let q = 0; q < X; q++) z += ws.clsG[k * X + q]! * m.x[i * X + q]!;
    ws.prior[k] = z;
    if (z > mx) mx = z;
  }
  if (m.K2 > 1) {
    classLogits2(m, i, ws);
    mx = -Infinity;
    for (let k = 0; k < K; k++) if (ws.prior[k]! > mx) mx = ws.prior[k]!;
  }
  let s = 0;
  for (let k = 0; k < K; k++) if (ws.prior[k] !== -Infinity) s += Math.exp(ws.prior[k]! - mx);
  const lse = mx + Math.log(s);
  for (let k = 0; k < K; k++) ws.prior[k] = ws.prior[k]! - lse; // log P(k | x)
}

/**
 * Second within class variable: adds log P(c2 = b | c1 = a, cb, x) to ws.prior of every possible
 * pattern, normalizing the c2 logits within each group of patterns that differ only in c2 (ws.grp2
 * holds each group's normalizer).
 */
function classLogits2(m: CompiledModel, i: number, ws: Workspace): void {
  const { K, X } = m;
  const st = m.stride2;
  const g0 = (k: number) => k - m.w2Of[k]! * st;
  ws.grp2.fill(-Infinity);
  for (let k = 0; k < K; k++) {
    if (ws.prior[k] === -Infinity) continue;
    let z = ws.cls2A[k]!;
    for (let q = 0; q < X; q++) z += ws.cls2G[k * X + q]! * m.x[i * X + q]!;
    ws.p2[k] = z;
    const g = g0(k), l = ws.grp2[g]!;
    ws.grp2[g] = l === -Infinity ? z : Math.max(l, z) + Math.log1p(Math.exp(-Math.abs(l - z)));
  }
  for (let k = 0; k < K; k++) {
    if (ws.prior[k] === -Infinity) { ws.p2[k] = 0; continue; }
    const lp = ws.p2[k]! - ws.grp2[g0(k)]!;
    ws.p2[k] = Math.exp(lp);
    ws.prior[k] = ws.prior[k]! + lp;
  }
}

/**
 * Log-likelihood of person i; leaves log P(k|x) in ws.prior, log joint in ws.lp, posteriors in
 * ws.post, and (for the gradient) residuals and Sigma^{-1} r per class in ws.res / ws.a.
 */
export function personLogLik(m: CompiledModel, i: number, ws: Workspace): number {
  const { K, P, X } = m;
  classLogits(m, i, ws);
  const t = m.patternOf[i]!;
  const no = ws.nObs[t]!;
  const R = m.cat.length, Rn = m.nom.length;
  const known = m.known ? m.known[i]! : -1;
  let mx = -Infinity;
  for (let k = 0; k < K; k++) {
    let l = ws.prior[k]!;
    if ((known >= 0 && m.wOf[k] !== known) || l === -Infinity) { ws.lp[k] = -Infinity; continue; }
    if (no > 0) {
      const base = (t * K + k) * P * P;
      for (let p = 0; p < P; p++) {
        const yv = m.y[i * P + p]!;
        if (Number.isNaN(yv)) { ws.res[k * P + p] = 0; continue; }
        let mu = ws.c0[k * P + p]! + ws.muShift[k * P + p]!;
        for (let q = 0; q < X; q++) mu += ws.c1[(k * P + p) * X + q]! * m.x[i * X + q]!;
        ws.res[k * P + p] = yv - mu;
      }
      let quad = 0;
      for (let p = 0; p < P; p++) {
        let s = 0;
        for (let r = 0; r < P; r++) s += ws.sinv[base + p * P + r]! * ws.res[k * P + r]!;
        ws.a[k * P + p] = s;
        quad += s * ws.res[k * P + p]!;
      }
      l += -0.5 * (no * LOG2PI + ws.logdet[t * K + k]! + quad);
    }
    for (let r = 0; r < R; r++) {
      const c = m.u[i * R + r]!;
      if (c < 0) continue;
      catBounds(m, k, r, c, i * X, ws.bd);
      const hi = ws.bd[0]!, lo = ws.bd[1]!;
      l += Math.log(Math.max(cdf(ws.link, hi) - cdf(ws.link, lo), 1e-300));
    }
    for (let r = 0; r < Rn; r++) {
      const c = m.v[i * Rn + r]!;
      if (c < 0) continue;
      l += nominalLogProb(m, k, r, c, i, ws);
    }
    ws.lp[k] = l;
    if (l > mx) mx = l;
  }
  if (!Number.isFinite(mx)) return -Infinity;
  let s = 0;
  for (let k = 0; k < K; k++) { const e = Math.exp(ws.lp[k]! - mx); ws.post[k] = e; s += e; }
  for (let k = 0; k < K; k++) ws.post[k] = ws.post[k]! / s;
  return mx + Math.log(s);
}

/** log P(v_r = c | k, x_i); leaves all category probabilities in ws.nomP. */
function nominalLogProb(m: CompiledModel, k: number, r: number, c: number, i: number, ws: Workspace): number {
  const it = m.nom[r]!;
  const X = m.X;
  let mx = 0; // last category logit 0
  for (let h = 0; h < it.nCat - 1; h++) {
    const pos = k * m.nNomA + it.offset + h;
    let z = val(m, m.nomA[pos]!);
    for (let q = 0; q < X; q++) z += val(m, m.nomB[pos * X + q]!) * m.x[i * X + q]!;
    ws.nomP[h] = z;
    if (z > mx) mx = z;
  }
  ws.nomP[it.nCat - 1] = 0;
  let s = 0;
  for (let h = 0; h < it.nCat; h++) { const e = Math.exp(ws.nomP[h]! - mx); ws.nomP[h] = e; s += e; }
  for (let h = 0; h < it.nCat; h++) ws.nomP[h] = ws.nomP[h]! / s;
  return Math.log(ws.nomP[c]!);
}

/** Observed log-likelihood; posteriors into post (n x K) when given. -Infinity when inadmissible. */
export function logLik(m: CompiledModel, ws: Workspace, post?: Float64Array): number {
  if (!prepare(m, ws)) return -Infinity;
  let ll = 0;
  for (let i = 0; i < m.n; i++) {
    const li = personLogLik(m, i, ws);
    if (!Number.isFinite(li)) return -Infinity;
    ll += li;
    if (post) for (let k = 0; k < m.K; k++) post[i * m.K + k] = ws.post[k]!;
  }
  return ll;
}

export function resetStats(ws: Workspace): void {
  ws.sW.fill(0); ws.sA.fill(0); ws.sAX.fill(0); ws.sG.fill(0);
}

/**
 * Add person i's posterior-weighted complete-data score to dSlot (after personLogLik(i)).
 * The continuous block goes into sufficient statistics that `flushContinuous` maps to slots.
 */
export function accumulatePerson(m: CompiledModel, i: number, ws: Workspace, dSlot: Float64Array, scale = 1): void {
  const { K, P, X } = m;
  const R = m.cat.length, Rn = m.nom.length;
  const t = m.patternOf[i]!;
  const hasCont = ws.nObs[t]! > 0;
  // class logits: sum_k p_k d log P(k|x) = p_l - pi_l for logit l
  if (m.K2 > 1) accumulateLogits2(m, i, ws, dSlot, scale);
  for (let l = 0; l < K; l++) {
    const g = scale * (ws.post[l]! - Math.exp(ws.prior[l]!));
    if (g === 0) continue;
    const sa = m.clsA[l]!;
    if (sa >= 0) dSlot[sa] += g;
    const sab = m.clsAB[l]!;
    if (sab >= 0) dSlot[sab] += g;
    for (let q = 0; q < X; q++) { const sg = m.clsG[l * X + q]!; if (sg >= 0) dSlot[sg] += g * m.x[i * X + q]!; }
  }
  for (let k = 0; k < K; k++) {
    const w = scale * ws.post[k]!;
    if (w === 0) continue;
    if (hasCont) {
      const base = (t * K + k) * P * P;
      ws.sW[k] += w;
      for (let p = 0; p < P; p++) {
        const ap = ws.a[k * P + p]!;
        if (ap === 0) continue;
        ws.sA[k * P + p] += w * ap;
        for (let q = 0; q < X; q++) ws.sAX[(k * P + p) * X + q] += w * ap * m.x[i * X + q]!;
      }
      // G = 1/2 (a a' - Sigma_oo^{-1}) embedded
      for (let p = 0; p < P; p++)
        for (let r = 0; r < P; r++)
          ws.sG[k * P * P + p * P + r] += 0.5 * w * (ws.a[k * P + p]! * ws.a[k * P + r]! - ws.sinv[base + p * P + r]!);
    }
    for (let r = 0; r < R; r++) {
      const c = m.u[i * R + r]!;
      if (c < 0) continue;
      const it = m.cat[r]!;
      catBounds(m, k, r, c, i * X, ws.bd);
      const hi = ws.bd[0]!, lo = ws.bd[1]!;
      const pr = Math.max(cdf(ws.link, hi) - cdf(ws.link, lo), 1e-300);
      const fh = pdf(ws.link, hi) / pr, fl = pdf(ws.link, lo) / pr;
      if (c < it.nCat - 1) { const s = m.tau[k * m.nTau + it.offset + c]!; if (s >= 0) dSlot[s] += w * fh; }
      if (c > 0) { const s = m.tau[k * m.nTau + it.offset + c - 1]!; if (s >= 0) dSlot[s] -= w * fl; }
      const de = -(fh - fl);
      for (let q = 0; q < X; q++) { const s = m.catB[(k * R + r) * X + q]!; if (s >= 0) dSlot[s] += w * de * m.x[i * X + q]!; }
    }
    for (let r = 0; r < Rn; r++) {
      const c = m.v[i * Rn + r]!;
      if (c < 0) continue;
      const it = m.nom[r]!;
      nominalLogProb(m, k, r, c, i, ws);
      for (let h = 0; h < it.nCat - 1; h++) {
        const g = w * ((h === c ? 1 : 0) - ws.nomP[h]!);
        const pos = k * m.nNomA + it.offset + h;
        const sa = m.nomA[pos]!;
        if (sa >= 0) dSlot[sa] += g;
        for (let q = 0; q < X; q++) { const s = m.nomB[pos * X + q]!; if (s >= 0) dSlot[s] += g * m.x[i * X + q]!; }
      }
    }
  }
}

/**
 * Score of the second class variable's logits (after personLogLik): for the logit of pattern l,
 * g_l - P(c2 | group) G, with g = posterior - prior and G the sum of g over l's group.
 */
function accumulateLogits2(m: CompiledModel, i: number, ws: Workspace, dSlot: Float64Array, scale: number): void {
  const { K, X } = m;
  const st = m.stride2;
  ws.grp2.fill(0); // group sums of g
  for (let k = 0; k < K; k++) ws.grp2[k - m.w2Of[k]! * st] += ws.post[k]! - Math.exp(ws.prior[k]!);
  for (let l = 0; l < K; l++) {
    const g = scale * (ws.post[l]! - Math.exp(ws.prior[l]!) - ws.p2[l]! * ws.grp2[l - m.w2Of[l]! * st]!);
    if (g === 0) continue;
    const sa = m.cls2A[l]!, sw = m.cls2AW[l]!, sb = m.cls2AB[l]!;
    if (sa >= 0) dSlot[sa] += g;
    if (sw >= 0) dSlot[sw] += g;
    if (sb >= 0) dSlot[sb] += g;
    for (let q = 0; q < X; q++) { const s = m.cls2G[l * X + q]!; if (s >= 0) dSlot[s] += g * m.x[i * X + q]!; }
  }
}

/** Map the continuous-block sufficient statistics to slot gradients. */
export function flushContinuous(m: CompiledModel, ws: Workspace, dSlot: Float64Array): void {
  const { K, P, X, F } = m;
  if (P === 0) return;
  for (let k = 0; k < K; k++) {
    if (ws.sW[k] === 0) continue;
    for (let p = 0; p < P; p++) {
      const s = m.nu[k * P + p]!;
      if (s >= 0) dSlot[s] += ws.sA[k * P + p]!;
      for (let q = 0; q < X; q++) { const sb = m.B[(k * P + p) * X + q]!; if (sb >= 0) dSlot[sb] += ws.sAX[(k * P + p) * X + q]!; }
      for (let r = 0; r < P; r++) { const st = m.theta[k * P * P + p * P + r]!; if (st >= 0) dSlot[st] += ws.sG[k * P * P + p * P + r]!; }
    }
    // between-level parts of the means: nuB, and H_k (alphaB_k + GammaB_k x) (the H_k eta part is added per node)
    for (let p = 0; p < P; p++) {
      const s = m.nuB[k * P + p]!;
      if (s >= 0) dSlot[s] += ws.sA[k * P + p]!;
    }
    for (let d = 0; d < m.D; d++) {
      const D = m.D;
      const sa = m.alphaB[k * D + d]!;
      if (sa >= 0) { let s = 0; for (let p = 0; p < P; p++) s += val(m, m.H[(k * P + p) * D + d]!) * ws.sA[k * P + p]!; dSlot[sa] += s; }
      for (let q = 0; q < X; q++) {
        const sg = m.gamB[(k * D + d) * X + q]!;
        if (sg < 0) continue;
        let s = 0;
        for (let p = 0; p < P; p++) s += val(m, m.H[(k * P + p) * D + d]!) * ws.sAX[(k * P + p) * X + q]!;
        dSlot[sg] += s;
      }
      for (let p = 0; p < P; p++) {
        const sh = m.H[(k * P + p) * D + d]!;
        if (sh < 0) continue;
        let s = ws.sA[k * P + p]! * val(m, m.alphaB[k * D + d]!);
        for (let q = 0; q < X; q++) s += ws.sAX[(k * P + p) * X + q]! * val(m, m.gamB[(k * D + d) * X + q]!);
        dSlot[sh] += s;
      }
    }
    if (F === 0) continue;
    const lamAt = (p: number, f: number) => val(m, m.lam[(k * P + p) * F + f]!);
    const psiAt = (f: number, g: number) => val(m, m.psi[k * F * F + f * F + g]!);
    // m1 = Lambda Psi (P x F); dLambda = sA h' + 2 G Lambda Psi where sum a h' = sA alpha' + sAX Gamma'
    for (let p = 0; p < P; p++) for (let f = 0; f < F; f++) { let s = 0; for (let g = 0; g < F; g++) s += lamAt(p, g) * psiAt(g, f); ws.m1[p * F + f] = s; }
    for (let p = 0; p < P; p++)
      for (let f = 0; f < F; f++) {
        const sl = m.lam[(k * P + p) * F + f]!;
        if (sl < 0) continue;
        let s = ws.sA[k * P + p]! * val(m, m.alpha[k * F + f]!);
        for (let q = 0; q < X; q++) s += ws.sAX[(k * P + p) * X + q]! * val(m, m.gam[(k * F + f) * X + q]!);
        for (let r = 0; r < P; r++) s += 2 * ws.sG[k * P * P + p * P + r]! * ws.m1[r * F + f]!;
        dSlot[sl] += s;
      }
    for (let f = 0; f < F; f++) {
      // Lambda' a and Lambda' (a x')
      const sa = m.alpha[k * F + f]!;
      if (sa >= 0) { let s = 0; for (let p = 0; p < P; p++) s += lamAt(p, f) * ws.sA[k * P + p]!; dSlot[sa] += s; }
      for (let q = 0; q < X; q++) {
        const sg = m.gam[(k * F + f) * X + q]!;
        if (sg < 0) continue;
        let s = 0;
        for (let p = 0; p < P; p++) s += lamAt(p, f) * ws.sAX[(k * P + p) * X + q]!;
        dSlot[sg] += s;
      }
    }
    // dPsi = Lambda' G Lambda
    for (let f = 0; f < F; f++)
      for (let g = 0; g < F; g++) {
        const sp = m.psi[k * F * F + f * F + g]!;
        if (sp < 0) continue;
        let s = 0;
        for (let p = 0; p < P; p++) {
          const lp = lamAt(p, f);
          if (lp === 0) continue;
          for (let r = 0; r < P; r++) s += lp * ws.sG[k * P * P + p * P + r]! * lamAt(r, g);
        }
        dSlot[sp] += s;
      }
  }
}

/** Log-likelihood and its gradient with respect to the slots (dSlot is overwritten). */
export function logLikGrad(m: CompiledModel, ws: Workspace, dSlot: Float64Array): number {
  dSlot.fill(0);
  if (!prepare(m, ws)) return -Infinity;
  resetStats(ws);
  let ll = 0;
  for (let i = 0; i < m.n; i++) {
    const li = personLogLik(m, i, ws);
    if (!Number.isFinite(li)) return -Infinity;
    ll += li;
    accumulatePerson(m, i, ws, dSlot);
  }
  flushContinuous(m, ws, dSlot);
  return ll;
}

/**
 * Per-person scores with respect to the free parameters (n x nFree, row-major), for MLR / MLF.
 * Assumes prepare() succeeded for the current values.
 */
export function personScores(m: CompiledModel, ws: Workspace): Float64Array {
  const out = new Float64Array(m.n * m.nFree);
  const dSlot = new Float64Array(m.nSlots);
  if (!prepare(m, ws)) throw new Error('personScores: inadmissible parameter values');
  for (let i = 0; i < m.n; i++) {
    dSlot.fill(0);
    resetStats(ws);
    personLogLik(m, i, ws);
    accumulatePerson(m, i, ws, dSlot);
    flushContinuous(m, ws, dSlot);
    for (let s = 0; s < m.nSlots; s++) { const j = m.slotPar[s]!; if (j >= 0) out[i * m.nFree + j] += dSlot[s]!; }
  }
  return out;
}
