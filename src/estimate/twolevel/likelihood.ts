// Exact marginal log-likelihood of the two-level normal model and its analytic gradient,
// evaluated from the per-cell sufficient statistics of spec.ts (estimation.md §2(b)).
//
// Cluster j, W = D^-1 (diagonal level-1 precisions), P = Z'WZ, r = y - X beta:
//   V = Z T Z' + D,   V^-1 = W - W Z K Z' W  with  K = (I + T P)^-1 T   (Woodbury; T may be singular)
//   log|V| = log|D| + log|I + T P|,   r'V^-1 r = r'Wr - (Z'Wr)' K (Z'Wr)
// Scores (dl/dtheta = -1/2 tr(V^-1 dV) + 1/2 r'V^-1 dV V^-1 r):
//   beta:   X'V^-1 r = X'Wr - X'WZ c,                 c = K Z'Wr  (= E[zeta | y] up to T)
//   T_ab:   1/2 (g g' - G)_ab (x2 off the diagonal),  g = Z'V^-1 r = Z'Wr - P c,  G = Z'V^-1 Z = P - P K P
//   kappa:  1/2 sum_cells h_k [ w^2 (tr(K C_zz) + v'C v) - n w ],   v = (-beta, -c, 1), since
//           (V^-1 r)_i = w_i a_i'v and (V^-1)_ii = w_i - w_i^2 z_i'K z_i.
// Every quantity is a sum over cells of products with C, so an evaluation never touches individuals.

import type { TwoLevelProblem } from './spec.js';
import { isPsd, luFactor, luSolve } from './dense.js';

const LOG2PI = Math.log(2 * Math.PI);

export class TwoLevelLikelihood {
  readonly prob: TwoLevelProblem;
  /**
   * Require T to be positive semi-definite (the parameter space of the estimates). Switched off
   * to differentiate at a boundary solution: the likelihood itself only needs every V_j to be
   * positive definite, as in the peers' observed-information computations.
   */
  requirePsd = true;
  private readonly T: Float64Array;
  private readonly beta: Float64Array;
  private readonly cellW: Float64Array;
  private readonly Cw: Float64Array;
  private readonly A: Float64Array;
  private readonly Kq: Float64Array;
  private readonly piv: Int32Array;
  private readonly sign = new Float64Array(1);
  private readonly tmpq: Float64Array;
  private readonly work: Float64Array;
  private readonly zwr: Float64Array;
  private readonly xwr: Float64Array;
  private readonly c: Float64Array;
  private readonly g: Float64Array;
  private readonly G: Float64Array;
  private readonly PK: Float64Array;
  private readonly v: Float64Array;
  private readonly gj: Float64Array;
  private readonly logPi: Float64Array;
  private readonly pi: Float64Array;

  constructor(prob: TwoLevelProblem) {
    this.prob = prob;
    const { p, q, m } = prob;
    this.T = new Float64Array(q * q);
    this.beta = new Float64Array(p);
    this.cellW = new Float64Array(prob.nCells);
    this.Cw = new Float64Array(m * m);
    this.A = new Float64Array(q * q);
    this.Kq = new Float64Array(q * q);
    this.piv = new Int32Array(q);
    this.tmpq = new Float64Array(q);
    this.work = new Float64Array(q * q);
    this.zwr = new Float64Array(q);
    this.xwr = new Float64Array(p);
    this.c = new Float64Array(q);
    this.g = new Float64Array(q);
    this.G = new Float64Array(q * q);
    this.PK = new Float64Array(q * q);
    this.v = new Float64Array(m);
    this.gj = new Float64Array(prob.nParams);
    this.logPi = new Float64Array(Math.max(prob.nClasses, 1));
    this.pi = new Float64Array(Math.max(prob.nClasses, 1));
  }

  /** T from theta; false when T is not positive semi-definite. */
  private loadTau(theta: Float64Array): boolean {
    const { q, tauParam, tauFixed } = this.prob;
    for (let k = 0; k < q * q; k++) {
      const par = tauParam[k]!;
      this.T[k] = par >= 0 ? theta[par]! : tauFixed[k]!;
    }
    return q === 0 || !this.requirePsd || isPsd(this.T, q, this.work);
  }

  /** Level-1 precisions of the cells; false when a variance is not positive. */
  private loadWeights(theta: Float64Array): boolean {
    const { nCells, cellH, cellH0, varParam } = this.prob;
    const nv = varParam.length;
    for (let c = 0; c < nCells; c++) {
      let s = cellH0[c]!;
      for (let k = 0; k < nv; k++) s += cellH[c * nv + k]! * theta[varParam[k]!]!;
      if (!(s > 0)) return false;
      this.cellW[c] = 1 / s;
    }
    return true;
  }

  private loadClassProbs(theta: Float64Array): void {
    const K = this.prob.nClasses;
    if (K === 0) return;
    let mx = 0;
    for (let k = 0; k < K; k++) {
      const par = k < K - 1 ? this.prob.logitParam[k]! : -2;
      const a = k === K - 1 ? 0 : par >= 0 ? theta[par]! : this.prob.logitFixed[k]!;
      this.logPi[k] = a;
      if (a > mx) mx = a;
    }
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(this.logPi[k]! - mx);
    const lse = mx + Math.log(s);
    for (let k = 0; k < K; k++) { this.logPi[k]! -= lse; this.pi[k] = Math.exp(this.logPi[k]!); }
  }

  /** Cw = sum over cells c0..c1-1 of w_c C_c (upper triangle accumulated, then mirrored). */
  private accumulate(c0: number, c1: number): void {
    const { Cw, cellW } = this;
    const m = this.prob.m;
    const C = this.prob.cellC;
    const mm = m * m;
    if (c1 - c0 === 1) {
      const w = cellW[c0]!;
      const base = c0 * mm;
      for (let k = 0; k < mm; k++) Cw[k] = w * C[base + k]!;
      return;
    }
    Cw.fill(0);
    for (let cc = c0; cc < c1; cc++) {
      const w = cellW[cc]!;
      const base = cc * mm;
      for (let a = 0; a < m; a++) {
        const ra = a * m;
        for (let b = a; b < m; b++) Cw[ra + b]! += w * C[base + ra + b]!;
      }
    }
    for (let a = 1; a < m; a++) for (let b = 0; b < a; b++) Cw[a * m + b] = Cw[b * m + a]!;
  }

  /**
   * Log-likelihood at theta (-Infinity outside the admissible region). When grad is given it
   * receives the gradient; when scores is given (nClusters x nParams, row-major) it receives the
   * per-cluster gradients (for MLR).
   */
  evaluate(theta: Float64Array, grad?: Float64Array, scores?: Float64Array): number {
    const pr = this.prob;
    const { p, q, m, nParams } = pr;
    if (!this.loadTau(theta) || !this.loadWeights(theta)) return -Infinity;
    this.loadClassProbs(theta);
    for (let k = 0; k < p; k++) this.beta[k] = theta[pr.betaParam[k]!]!;
    const { T, beta, cellW, Cw, A, Kq, piv, sign, tmpq, zwr, xwr, c, g, G, PK, v, gj } = this;
    const wantGrad = grad !== undefined || scores !== undefined;
    if (grad) grad.fill(0);
    const nv = pr.varParam.length;
    const yIdx = m - 1;
    let total = 0;
    for (let j = 0; j < pr.nClusters; j++) {
      const c0 = pr.clusterCellStart[j]!;
      const c1 = pr.clusterCellStart[j + 1]!;
      // weighted cross-products and log|D|
      this.accumulate(c0, c1);
      let n = 0;
      let logdetD = 0;
      for (let cc = c0; cc < c1; cc++) {
        const nc = pr.cellN[cc]!;
        n += nc;
        logdetD -= nc * Math.log(cellW[cc]!);
      }
      if (n === 0) { if (scores) scores.fill(0, j * nParams, (j + 1) * nParams); continue; }
      // r-quantities
      let rWr = Cw[yIdx * m + yIdx]!;
      for (let a = 0; a < p; a++) {
        let s = Cw[a * m + yIdx]!;
        for (let b = 0; b < p; b++) s -= Cw[a * m + b]! * beta[b]!;
        xwr[a] = s;
        rWr -= beta[a]! * (Cw[a * m + yIdx]! + s);
      }
      for (let a = 0; a < q; a++) {
        let s = Cw[(p + a) * m + yIdx]!;
        for (let b = 0; b < p; b++) s -= Cw[(p + a) * m + b]! * beta[b]!;
        zwr[a] = s;
      }
      // A = I + T P, K = A^-1 T
      let logdetA = 0;
      let quad = rWr;
      if (q > 0) {
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) {
            let s = a === b ? 1 : 0;
            for (let k = 0; k < q; k++) s += T[a * q + k]! * Cw[(p + k) * m + p + b]!;
            A[a * q + b] = s;
          }
        logdetA = luFactor(A, q, piv, sign);
        if (!(sign[0]! > 0)) return -Infinity;
        Kq.set(T);
        luSolve(A, q, piv, Kq, q, tmpq);
        for (let a = 0; a < q; a++)
          for (let b = 0; b < a; b++) {
            const s = 0.5 * (Kq[a * q + b]! + Kq[b * q + a]!);
            Kq[a * q + b] = s; Kq[b * q + a] = s;
          }
        for (let a = 0; a < q; a++) {
          let s = 0;
          for (let b = 0; b < q; b++) s += Kq[a * q + b]! * zwr[b]!;
          c[a] = s;
          quad -= zwr[a]! * s;
        }
      }
      let lj = -0.5 * (n * LOG2PI + logdetD + logdetA + quad);
      if (pr.nClasses > 0) for (let k = 0; k < pr.nClasses; k++) lj += pr.classCount[j * pr.nClasses + k]! * this.logPi[k]!;
      total += lj;
      if (!wantGrad) continue;

      gj.fill(0);
      // beta
      for (let a = 0; a < p; a++) {
        let s = xwr[a]!;
        for (let b = 0; b < q; b++) s -= Cw[(p + b) * m + a]! * c[b]!;
        gj[pr.betaParam[a]!]! += s;
      }
      if (q > 0) {
        // g = Z'Wr - P c ; G = P - P K P
        for (let a = 0; a < q; a++) {
          let s = zwr[a]!;
          for (let b = 0; b < q; b++) s -= Cw[(p + a) * m + p + b]! * c[b]!;
          g[a] = s;
        }
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) {
            let s = 0;
            for (let k = 0; k < q; k++) s += Cw[(p + a) * m + p + k]! * Kq[k * q + b]!;
            PK[a * q + b] = s;
          }
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) {
            let s = Cw[(p + a) * m + p + b]!;
            for (let k = 0; k < q; k++) s -= PK[a * q + k]! * Cw[(p + k) * m + p + b]!;
            G[a * q + b] = s;
          }
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) {
            const par = pr.tauParam[a * q + b]!;
            if (par >= 0) gj[par]! += 0.5 * (g[a]! * g[b]! - G[a * q + b]!);
          }
      }
      // level-1 variance parameters
      if (nv > 0) {
        for (let a = 0; a < p; a++) v[a] = -beta[a]!;
        for (let a = 0; a < q; a++) v[p + a] = -c[a]!;
        v[yIdx] = 1;
        for (let cc = c0; cc < c1; cc++) {
          const w = cellW[cc]!;
          const base = cc * m * m;
          let vCv = 0;
          for (let a = 0; a < m; a++) {
            const va = v[a]!;
            if (va === 0) continue;
            let s = 0;
            for (let b = 0; b < m; b++) s += pr.cellC[base + a * m + b]! * v[b]!;
            vCv += va * s;
          }
          let trKC = 0;
          for (let a = 0; a < q; a++)
            for (let b = 0; b < q; b++) trKC += Kq[a * q + b]! * pr.cellC[base + (p + a) * m + p + b]!;
          const s = 0.5 * (w * w * (trKC + vCv) - pr.cellN[cc]! * w);
          for (let k = 0; k < nv; k++) {
            const h = pr.cellH[cc * nv + k]!;
            if (h !== 0) gj[pr.varParam[k]!]! += h * s;
          }
        }
      }
      // class logits
      if (pr.nClasses > 0) {
        let nc = 0;
        for (let k = 0; k < pr.nClasses; k++) nc += pr.classCount[j * pr.nClasses + k]!;
        for (let k = 0; k < pr.nClasses - 1; k++) {
          const par = pr.logitParam[k]!;
          if (par >= 0) gj[par]! += pr.classCount[j * pr.nClasses + k]! - nc * this.pi[k]!;
        }
      }
      if (grad) for (let k = 0; k < nParams; k++) grad[k]! += gj[k]!;
      if (scores) scores.set(gj, j * nParams);
    }
    return total;
  }

  /**
   * Expected (Fisher) information at theta, row-major nParams x nParams (INFORMATION = EXPECTED).
   * Per cluster: beta-beta X'V^-1 X; beta-(co)variance 0; (co)variance parameters
   * 1/2 tr(V^-1 dV_k V^-1 dV_l) with, in cell sums (A_k = sum_c h_ck w_c^2 C_c^zz, E = incidence of T):
   *   T-T:   1/2 tr(G E_k G E_l)
   *   T-kappa: 1/2 tr(E_k (I - P K) A_l (I - K P))
   *   kappa-kappa: 1/2 [sum_c h_ck h_cl (n_c w_c^2 - 2 w_c^3 tr(K C_c^zz)) + tr(K A_k K A_l)]
   * and the multinomial information of the KNOWNCLASS logits.
   */
  expectedInformation(theta: Float64Array): Float64Array {
    const pr = this.prob;
    const { p, q, m, nParams: P } = pr;
    if (!this.loadTau(theta) || !this.loadWeights(theta)) throw new Error('information at an inadmissible parameter vector');
    this.loadClassProbs(theta);
    const { T, cellW, Cw, A, Kq, piv, sign, tmpq, G, PK } = this;
    const nv = pr.varParam.length;
    const info = new Float64Array(P * P);
    const Ak = new Float64Array(Math.max(nv, 1) * q * q);
    const M = new Float64Array(q * q); // I - K P
    const tmp = new Float64Array(q * q);
    const Bk = new Float64Array(Math.max(nv, 1) * q * q); // (I - P K) A_k (I - K P)
    const trKCz = new Float64Array(pr.nCells);
    const add = (a: number, b: number, v: number): void => { info[a * P + b]! += v; };
    for (let j = 0; j < pr.nClusters; j++) {
      const c0 = pr.clusterCellStart[j]!, c1 = pr.clusterCellStart[j + 1]!;
      this.accumulate(c0, c1);
      let n = 0;
      for (let cc = c0; cc < c1; cc++) n += pr.cellN[cc]!;
      if (n === 0) continue;
      if (q > 0) {
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) {
            let s = a === b ? 1 : 0;
            for (let k = 0; k < q; k++) s += T[a * q + k]! * Cw[(p + k) * m + p + b]!;
            A[a * q + b] = s;
          }
        luFactor(A, q, piv, sign);
        Kq.set(T);
        luSolve(A, q, piv, Kq, q, tmpq);
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) {
            let s = 0;
            for (let k = 0; k < q; k++) s += Cw[(p + a) * m + p + k]! * Kq[k * q + b]!;
            PK[a * q + b] = s;
          }
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) {
            let s = Cw[(p + a) * m + p + b]!;
            for (let k = 0; k < q; k++) s -= PK[a * q + k]! * Cw[(p + k) * m + p + b]!;
            G[a * q + b] = s;
            M[a * q + b] = (a === b ? 1 : 0) - PK[b * q + a]!; // (K P)_ab = (P K)_ba
          }
      }
      // beta block: X'V^-1 X = XWX - XWZ K ZWX
      for (let a = 0; a < p; a++)
        for (let b = 0; b < p; b++) {
          let s = Cw[a * m + b]!;
          for (let k = 0; k < q; k++) {
            let t = 0;
            for (let l = 0; l < q; l++) t += Kq[k * q + l]! * Cw[(p + l) * m + b]!;
            s -= Cw[(p + k) * m + a]! * t;
          }
          add(pr.betaParam[a]!, pr.betaParam[b]!, s);
        }
      // T-T
      for (let a = 0; a < q; a++)
        for (let b = 0; b < q; b++) {
          const k1 = pr.tauParam[a * q + b]!;
          if (k1 < 0) continue;
          for (let c = 0; c < q; c++)
            for (let d = 0; d < q; d++) {
              const k2 = pr.tauParam[c * q + d]!;
              if (k2 >= 0) add(k1, k2, 0.5 * G[b * q + c]! * G[d * q + a]!);
            }
        }
      if (nv === 0) continue;
      // A_k and per-cell tr(K C_zz)
      Ak.fill(0);
      for (let cc = c0; cc < c1; cc++) {
        const w = cellW[cc]!, base = cc * m * m;
        let tr = 0;
        for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) tr += Kq[a * q + b]! * pr.cellC[base + (p + a) * m + p + b]!;
        trKCz[cc] = tr;
        for (let k = 0; k < nv; k++) {
          const h = pr.cellH[cc * nv + k]!;
          if (h === 0) continue;
          for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) Ak[k * q * q + a * q + b]! += h * w * w * pr.cellC[base + (p + a) * m + p + b]!;
        }
      }
      for (let k = 0; k < nv; k++) {
        // B_k = M' A_k M
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) {
            let s = 0;
            for (let l = 0; l < q; l++) s += Ak[k * q * q + a * q + l]! * M[l * q + b]!;
            tmp[a * q + b] = s;
          }
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) {
            let s = 0;
            for (let l = 0; l < q; l++) s += M[l * q + a]! * tmp[l * q + b]!;
            Bk[k * q * q + a * q + b] = s;
          }
        const pk = pr.varParam[k]!;
        // T-kappa
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) {
            const kt = pr.tauParam[a * q + b]!;
            if (kt < 0) continue;
            const v = 0.5 * Bk[k * q * q + b * q + a]!;
            add(kt, pk, v);
            add(pk, kt, v);
          }
        // kappa-kappa
        for (let l = 0; l < nv; l++) {
          let s = 0;
          for (let cc = c0; cc < c1; cc++) {
            const hk = pr.cellH[cc * nv + k]!, hl = pr.cellH[cc * nv + l]!;
            if (hk === 0 || hl === 0) continue;
            const w = cellW[cc]!;
            s += hk * hl * (pr.cellN[cc]! * w * w - 2 * w * w * w * trKCz[cc]!);
          }
          // tr(K A_k K A_l)
          for (let a = 0; a < q; a++)
            for (let b = 0; b < q; b++) {
              let t = 0;
              for (let c = 0; c < q; c++) t += Kq[a * q + c]! * Ak[k * q * q + c * q + b]!;
              tmp[a * q + b] = t; // (K A_k)
            }
          let tr = 0;
          for (let a = 0; a < q; a++)
            for (let b = 0; b < q; b++) {
              let t = 0;
              for (let c = 0; c < q; c++) t += Kq[b * q + c]! * Ak[l * q * q + c * q + a]!;
              tr += tmp[a * q + b]! * t; // (K A_k)_ab (K A_l)_ba
            }
          add(pk, pr.varParam[l]!, 0.5 * (s + tr));
        }
      }
    }
    // KNOWNCLASS logits: N (diag(pi) - pi pi') over the K-1 free logits
    const K = pr.nClasses;
    if (K > 0) {
      let N = 0;
      for (let j = 0; j < pr.nClusters; j++) for (let k = 0; k < K; k++) N += pr.classCount[j * K + k]!;
      for (let a = 0; a < K - 1; a++)
        for (let b = 0; b < K - 1; b++) {
          const pa = pr.logitParam[a]!, pb = pr.logitParam[b]!;
          if (pa >= 0 && pb >= 0) add(pa, pb, N * ((a === b ? this.pi[a]! : 0) - this.pi[a]! * this.pi[b]!));
        }
    }
    return info;
  }

  /**
   * Posterior (EAP) of the random effects zeta_j given the data: mean T g and covariance
   * T - T G T, written per cluster into mean (nClusters x q) and cov (nClusters x q x q).
   */
  posterior(theta: Float64Array, mean: Float64Array, cov: Float64Array): void {
    const pr = this.prob;
    const { p, q, m } = pr;
    if (!this.loadTau(theta) || !this.loadWeights(theta)) throw new Error('posterior at an inadmissible parameter vector');
    for (let k = 0; k < p; k++) this.beta[k] = theta[pr.betaParam[k]!]!;
    const { T, beta, Cw, A, Kq, piv, sign, tmpq, zwr, G, PK } = this;
    const g = this.g;
    const TG = new Float64Array(q * q);
    for (let j = 0; j < pr.nClusters; j++) {
      this.accumulate(pr.clusterCellStart[j]!, pr.clusterCellStart[j + 1]!);
      for (let a = 0; a < q; a++) {
        let s = Cw[(p + a) * m + m - 1]!;
        for (let b = 0; b < p; b++) s -= Cw[(p + a) * m + b]! * beta[b]!;
        zwr[a] = s;
      }
      for (let a = 0; a < q; a++)
        for (let b = 0; b < q; b++) {
          let s = a === b ? 1 : 0;
          for (let k = 0; k < q; k++) s += T[a * q + k]! * Cw[(p + k) * m + p + b]!;
          A[a * q + b] = s;
        }
      luFactor(A, q, piv, sign);
      Kq.set(T);
      luSolve(A, q, piv, Kq, q, tmpq);
      // g = Z'V^-1 r = (I - P K) Z'Wr ; G = P - P K P
      for (let a = 0; a < q; a++)
        for (let b = 0; b < q; b++) {
          let s = 0;
          for (let k = 0; k < q; k++) s += Cw[(p + a) * m + p + k]! * Kq[k * q + b]!;
          PK[a * q + b] = s;
        }
      for (let a = 0; a < q; a++) {
        let s = zwr[a]!;
        for (let b = 0; b < q; b++) s -= PK[a * q + b]! * zwr[b]!;
        g[a] = s;
      }
      for (let a = 0; a < q; a++)
        for (let b = 0; b < q; b++) {
          let s = Cw[(p + a) * m + p + b]!;
          for (let k = 0; k < q; k++) s -= PK[a * q + k]! * Cw[(p + k) * m + p + b]!;
          G[a * q + b] = s;
        }
      for (let a = 0; a < q; a++) {
        let s = 0;
        for (let b = 0; b < q; b++) s += T[a * q + b]! * g[b]!;
        mean[j * q + a] = s;
        for (let b = 0; b < q; b++) {
          let t = 0;
          for (let k = 0; k < q; k++) t += T[a * q + k]! * G[k * q + b]!;
          TG[a * q + b] = t;
        }
      }
      for (let a = 0; a < q; a++)
        for (let b = 0; b < q; b++) {
          let s = T[a * q + b]!;
          for (let k = 0; k < q; k++) s -= TG[a * q + k]! * T[k * q + b]!;
          cov[(j * q + a) * q + b] = s;
        }
    }
  }
}
