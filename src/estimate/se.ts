// Standard errors (estimation.md §7): A = observed information (minus the Hessian of l), computed by
// central differences of the analytic gradient (forward differences with numerical integration) and symmetrized; B = sum over independent units
// (persons here, clusters in two-level models) of score outer products.
//   ML: A^{-1}    MLF: B^{-1}    MLR: A^{-1} B A^{-1}, scaling correction c = tr(A^{-1} B) / p
// Parameters fixed at a logit bound are excluded (their SE is 0, as for fixed parameters).
// The condition number is the ratio of the smallest to the largest eigenvalue of A.

import { EigenvalueDecomposition, Matrix, inverse } from 'ml-matrix';
import type { Warning } from '../results/types.js';
import type { Objective } from './optimize.js';
import { evalGrad } from './optimize.js';
import { setTheta } from './compile.js';
import { personScores, prepare } from './likelihood.js';
import { clusterScores } from './integrate.js';
import type { Estimator } from './options.js';

export interface SEResult {
  /** covariance of the free parameters (nFree x nFree, row-major); rows/cols of excluded parameters 0 */
  covariance: Float64Array | null;
  se: Float64Array;
  conditionNumber: number | null;
  scalingCorrection: number | null;
  warnings: Warning[];
}

/**
 * The analytic gradient at theta +- h_j e_j for the parameters `cols` (steps `h`), in that order; null
 * when the loglikelihood is not defined at one of the points. Serial by default (serialGradientPairs);
 * estimate.ts passes one that spreads the columns over PROCESSORS worker threads (parallel.ts), with
 * identical results.
 */
export type GradientPairs = (theta: Float64Array, cols: number[], h: number[]) => Array<{ gp: Float64Array; gm: Float64Array }> | null;

export function serialGradientPairs(o: Objective): GradientPairs {
  return (theta, cols, h) => {
    const out: Array<{ gp: Float64Array; gm: Float64Array }> = [];
    const center = forwardDifferences(o) ? new Float64Array(theta.length) : null;
    if (center && !Number.isFinite(evalGrad(o, theta, center))) return null;
    for (let a = 0; a < cols.length; a++) {
      const r = gradientPair(o, theta, cols[a]!, h[a]!, center);
      if (!r) return null;
      out.push(r);
    }
    return out;
  };
}

/**
 * With numerical integration the information matrix comes from forward differences of the gradient (p + 1
 * evaluations instead of 2p: the analytic gradient of the frozen-node approximation makes the O(h) error
 * about 1e-5 of the curvature); otherwise central differences.
 */
export const forwardDifferences = (o: Objective): boolean => o.intg !== null;

/**
 * The pair of gradients for column j: at theta + h e_j and theta - h e_j, or with forward differences
 * (center = the gradient at theta) at theta + h e_j and the reflection 2 center - g(theta + h e_j), so
 * that (gp - gm) / 2h is the forward difference. null when the loglikelihood is not defined there.
 */
export function gradientPair(o: Objective, theta: Float64Array, j: number, h: number, center: Float64Array | null): { gp: Float64Array; gm: Float64Array } | null {
  const p = theta.length, th = Float64Array.from(theta), gp = new Float64Array(p), gm = new Float64Array(p);
  th[j] = theta[j]! + h;
  if (!Number.isFinite(evalGrad(o, th, gp))) return null;
  if (center) { for (let a = 0; a < p; a++) gm[a] = 2 * center[a]! - gp[a]!; return { gp, gm }; }
  th[j] = theta[j]! - h;
  if (!Number.isFinite(evalGrad(o, th, gm))) return null;
  return { gp, gm };
}

/** Central-difference step for parameter value v. */
export const seStep = (v: number): number => 1e-5 * Math.max(1, Math.abs(v));

export function standardErrors(o: Objective, theta: Float64Array, estimator: Estimator, exclude: number[], parName: (j: number) => string, pairs: GradientPairs = serialGradientPairs(o)): SEResult {
  const m = o.m;
  const p = m.nFree;
  const act = [...Array(p).keys()].filter((j) => !exclude.includes(j));
  const q = act.length;
  const se = new Float64Array(p).fill(NaN);
  for (const j of exclude) se[j] = 0;
  const warnings: Warning[] = [];
  if (q === 0) return { covariance: new Float64Array(p * p), se, conditionNumber: null, scalingCorrection: null, warnings };
  // A by differences of the analytic gradient (central; forward with numerical integration)
  const A = new Float64Array(q * q);
  const steps = act.map((j) => seStep(theta[j]!));
  const g = pairs(theta, act, steps);
  if (!g) return failed(p, se, 'THE STANDARD ERRORS OF THE MODEL PARAMETER ESTIMATES COULD NOT BE COMPUTED.  THE LOGLIKELIHOOD IS NOT DEFINED NEAR THE SOLUTION.');
  for (let a = 0; a < q; a++) {
    const { gp, gm } = g[a]!;
    for (let b = 0; b < q; b++) A[a * q + b] = -(gp[act[b]!]! - gm[act[b]!]!) / (2 * steps[a]!);
  }
  for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) { const v = 0.5 * (A[a * q + b]! + A[b * q + a]!); A[a * q + b] = v; A[b * q + a] = v; }
  setTheta(m, theta);
  prepare(m, o.ws);
  // B from per-person scores
  let Bm: Matrix | null = null;
  if (estimator !== 'ML') {
    // independent units: persons, or clusters with numerical integration
    let sc = o.intg ? clusterScores(m, o.ws, o.intg) : personScores(m, o.ws);
    let units = o.intg ? m.clusters!.J : m.n;
    if (!o.intg && m.clusters) {
      // two-level model without random effects: the clusters are still the independent units
      const { J, start, order } = m.clusters;
      const cs = new Float64Array(J * p);
      for (let j = 0; j < J; j++) for (let t = start[j]!; t < start[j + 1]!; t++) for (let a = 0; a < p; a++) cs[j * p + a] += sc[order[t]! * p + a]!;
      sc = cs;
      units = J;
    }
    const B = new Float64Array(q * q);
    for (let i = 0; i < units; i++)
      for (let a = 0; a < q; a++) {
        const va = sc[i * p + act[a]!]!;
        if (va === 0) continue;
        for (let b = 0; b < q; b++) B[a * q + b] += va * sc[i * p + act[b]!]!;
      }
    Bm = toMatrix(B, q);
  }
  const Am = toMatrix(A, q);
  const eig = new EigenvalueDecomposition(Am, { assumeSymmetric: true });
  const ev = eig.realEigenvalues;
  const lo = Math.min(...ev), hi = Math.max(...ev);
  const conditionNumber = hi > 0 ? lo / hi : 0;
  if (!(lo > 1e-10 * Math.max(hi, 1))) {
    // name the parameter with the largest loading on the null eigenvector
    const vecs = eig.eigenvectorMatrix;
    const col = ev.indexOf(lo);
    let best = 0;
    for (let a = 0; a < q; a++) if (Math.abs(vecs.get(a, col)) > Math.abs(vecs.get(best, col))) best = a;
    const w = failed(p, se, '');
    w.conditionNumber = conditionNumber;
    w.warnings = [{ code: 'W_SINGULAR_INFORMATION', lines: [
      'THE STANDARD ERRORS OF THE MODEL PARAMETER ESTIMATES COULD NOT BE COMPUTED.  THE MODEL MAY NOT BE',
      'IDENTIFIED.  CHECK YOUR MODEL.  PROBLEM INVOLVING THE FOLLOWING PARAMETER:',
      `Parameter ${act[best]! + 1}, ${parName(act[best]!)}`,
    ] }];
    return w;
  }
  const Ainv = inverse(Am);
  let cov: Matrix;
  let scalingCorrection: number | null = null;
  if (estimator === 'ML') cov = Ainv;
  else if (estimator === 'MLF') cov = inverse(Bm!);
  else {
    const AB = Ainv.mmul(Bm!);
    cov = AB.mmul(Ainv);
    let tr = 0;
    for (let a = 0; a < q; a++) tr += AB.get(a, a);
    scalingCorrection = tr / q;
  }
  const full = new Float64Array(p * p);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) full[act[a]! * p + act[b]!] = cov.get(a, b);
  for (let a = 0; a < q; a++) { const v = cov.get(a, a); se[act[a]!] = v > 0 ? Math.sqrt(v) : NaN; }
  if (estimator === 'MLR' && m.nFree > m.n)
    warnings.push({ code: 'W_MLR_NPD', lines: ['THE NUMBER OF PARAMETERS IS GREATER THAN THE SAMPLE SIZE.  THE FIRST-ORDER DERIVATIVE PRODUCT MATRIX IS NOT POSITIVE DEFINITE.'] });
  return { covariance: full, se, conditionNumber, scalingCorrection, warnings };
}

function toMatrix(a: Float64Array, q: number): Matrix {
  const M = new Matrix(q, q);
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) M.set(i, j, a[i * q + j]!);
  return M;
}

function failed(p: number, se: Float64Array, line: string): SEResult {
  for (let j = 0; j < p; j++) if (Number.isNaN(se[j]!)) se[j] = NaN;
  return { covariance: null, se, conditionNumber: null, scalingCorrection: null, warnings: line ? [{ code: 'W_SE_FAILED', lines: [line] }] : [] };
}
