// estimateThreeLevel: ML estimation of TYPE = THREELEVEL models with continuous outcomes by the exact
// likelihood of likelihood.ts; quasi-Newton (twolevel/optimize.ts) on a central-difference gradient;
// ML standard errors from the observed information (second differences), MLR (the Mplus default) from
// the sandwich with level-3-cluster scores (Mplus's MLR for THREELEVEL uses the top-level clusters).

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { ModelIR } from '../../model/ir.js';
import type { Dataset } from '../../data/dataset.js';
import type { EstimationResult, ParameterEstimate, Warning } from '../../results/types.js';
import { maximize, type Objective } from '../twolevel/optimize.js';
import { invertSpd } from '../twolevel/dense.js';
import { blockOf, matMul, toRows } from '../twolevel/rows.js';
import { fitStatistics } from '../fit.js';
import { clusterLoglik, clusterScatter, compileThreeLevel, threeLevelLoglik, type ThreeLevelProblem } from './likelihood.js';

export interface ThreeLevelOptions {
  /** default MLR, as Mplus for TYPE = THREELEVEL */
  estimator?: 'ML' | 'MLR';
  maxIterations?: number;
}

const step = (v: number) => 1e-5 * Math.max(1, Math.abs(v));

/**
 * Start values: the IR's (two-level defaults); the residual variances of the outcomes, which the
 * two-level defaults start at the total sample variance at every level, are split evenly over the
 * three levels [ours].
 */
export function threeLevelStarts(ir: ModelIR, pr: ThreeLevelProblem): Float64Array {
  const start = new Float64Array(ir.nFree);
  const seen = new Set<number>();
  for (const r of ir.rows) {
    if (r.par === 0 || seen.has(r.par)) continue;
    seen.add(r.par);
    const outcomeVar = r.kind === 'residualVariance' && pr.outcomes.includes(r.lhs) && !r.userValue;
    start[r.par - 1] = outcomeVar ? r.value / 3 : r.value;
  }
  return start;
}

/** Observed information by second differences of the log-likelihood (P x P, row-major). */
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

export function estimateThreeLevel(ir: ModelIR, ds: Dataset, options: ThreeLevelOptions = {}): EstimationResult {
  const estimator = options.estimator ?? 'MLR';
  const pr = compileThreeLevel(ir, ds);
  const P = pr.nParams;
  const tt = new Float64Array(P);
  const ll = (t: Float64Array) => threeLevelLoglik(pr, t);
  const f: Objective = (theta, grad) => {
    const l = ll(theta);
    if (!Number.isFinite(l)) return l;
    tt.set(theta);
    for (let k = 0; k < P; k++) {
      const h = step(theta[k]!);
      tt[k] = theta[k]! + h; const lp = ll(tt);
      tt[k] = theta[k]! - h; const lm = ll(tt);
      tt[k] = theta[k]!;
      grad[k] = Number.isFinite(lp) && Number.isFinite(lm) ? (lp - lm) / (2 * h) : Number.isFinite(lp) ? (lp - l) / h : (l - lm) / h;
    }
    return l;
  };
  const start = threeLevelStarts(ir, pr);
  const warnings: Warning[] = [];
  const opt = maximize(f, start, { maxIterations: options.maxIterations, refreshEvery: 30 });
  const theta = opt.theta;
  if (!opt.converged)
    warnings.push({ code: 'NOT_CONVERGED', lines: ['THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY DUE TO AN ERROR IN THE', 'COMPUTATION.  CHANGE YOUR MODEL AND/OR STARTING VALUES.'] });

  // negative residual variances of outcomes (allowed, as in Mplus, which warns about THETA) [wording of
  // the level part ours]
  const negative = ir.rows.filter((r) => r.kind === 'residualVariance' && r.par > 0 && pr.outcomes.includes(r.lhs) && theta[r.par - 1]! < 0);
  for (const r of negative) {
    const level = r.level === 'within' ? 'WITHIN' : r.betweenLevel ?? 'LEVEL2';
    warnings.push({ code: 'THETA_NOT_PD', lines: [
      `WARNING:  THE RESIDUAL COVARIANCE MATRIX (THETA) ON THE ${level} LEVEL IS NOT`,
      'POSITIVE DEFINITE.  THIS COULD INDICATE A NEGATIVE VARIANCE/RESIDUAL VARIANCE',
      'FOR AN OBSERVED VARIABLE.',
      `PROBLEM INVOLVING VARIABLE ${r.lhs}.`,
    ] });
  }

  let covariance: Float64Array | null = null;
  let conditionNumber: number | null = null;
  let scalingCorrection: number | null = null;
  if (opt.converged) {
    const Ainfo = observedInformation(ll, theta);
    const ev = new EigenvalueDecomposition(new Matrix(toRows(Ainfo, P)), { assumeSymmetric: true }).realEigenvalues;
    const hi = Math.max(...ev);
    conditionNumber = hi > 0 ? Math.min(...ev) / hi : null;
    const Ainv = invertSpd(Ainfo, P);
    if (!Ainv) {
      warnings.push({ code: 'NONIDENTIFIED', lines: ['THE STANDARD ERRORS OF THE MODEL PARAMETER ESTIMATES COULD NOT BE', 'COMPUTED.  THE MODEL MAY NOT BE IDENTIFIED.'] });
    } else if (estimator === 'ML') {
      covariance = Ainv;
    } else {
      // MLR: sandwich A^-1 B A^-1 with B = sum over level-3 clusters of score outer products
      const sc = clusterScatter(pr, ir, ds);
      const K = pr.K;
      const scores = new Float64Array(K * P);
      const lp = new Float64Array(K), lm = new Float64Array(K);
      const t = Float64Array.from(theta);
      for (let k = 0; k < P; k++) {
        const h = step(theta[k]!);
        t[k] = theta[k]! + h; clusterLoglik(pr, sc, t, lp);
        t[k] = theta[k]! - h; clusterLoglik(pr, sc, t, lm);
        t[k] = theta[k]!;
        for (let c = 0; c < K; c++) scores[c * P + k] = (lp[c]! - lm[c]!) / (2 * h);
      }
      const B = new Float64Array(P * P);
      for (let c = 0; c < K; c++) for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) B[a * P + b] += scores[c * P + a]! * scores[c * P + b]!;
      const AiB = matMul(Ainv, B, P);
      let tr = 0;
      for (let k = 0; k < P; k++) tr += AiB[k * P + k]!;
      scalingCorrection = tr / P;
      covariance = matMul(AiB, Ainv, P);
      if (P > K)
        warnings.push({ code: 'MLR_MORE_PARAMS_THAN_CLUSTERS', lines: ['THE STANDARD ERRORS OF THE MODEL PARAMETER ESTIMATES MAY NOT BE', 'TRUSTWORTHY: THE NUMBER OF PARAMETERS IS GREATER THAN THE NUMBER OF LEVEL 3 CLUSTERS.'] });
    }
  }

  const seOf = (k: number): number => (covariance ? Math.sqrt(Math.max(covariance[k * P + k]!, 0)) : NaN);
  const parameters: ParameterEstimate[] = [];
  const factors = new Set(ir.latent.filter((l) => l.kind === 'factor' || l.kind === 'growth').map((l) => l.name));
  for (const row of ir.rows) {
    // as in TWOLEVEL: the structural-zero intercepts of outcomes below the top level and the
    // fixed-at-zero means of factors are not printed
    if ((row.kind === 'intercept' || row.kind === 'mean') && row.par === 0 && row.value === 0 && (factors.has(row.lhs) || row.betweenLevel !== 'LEVEL3')) continue;
    const k = row.par > 0 ? row.par - 1 : -1;
    const pe: ParameterEstimate = {
      par: row.par, level: row.level, classLabel: null, categoricalLatent: false, block: blockOf(row),
      name: row.kind === 'regression' || row.kind === 'covariance' || row.kind === 'loading' ? row.rhs : row.lhs,
      estimate: k >= 0 ? theta[k]! : row.value, se: k >= 0 ? seOf(k) : 0, fixed: k < 0,
    };
    if (row.betweenLevel) pe.betweenLevel = row.betweenLevel;
    parameters.push(pe);
  }
  return {
    terminatedNormally: opt.converged,
    estimator,
    fit: opt.converged ? fitStatistics(opt.loglik, P, pr.N, scalingCorrection) : null,
    parameters,
    classCounts: null,
    randomStarts: null,
    warnings,
    conditionNumber,
    theta,
    start,
    covariance,
    iterations: opt.iterations,
  };
}
