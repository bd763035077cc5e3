// estimateThreeLevel: ML estimation of TYPE = THREELEVEL models with continuous outcomes by the exact
// likelihood of likelihood.ts; quasi-Newton (twolevel/optimize.ts) on a central-difference gradient;
// ML standard errors from the observed information (second differences), MLR (the Mplus default) from
// the sandwich with level-3-cluster scores (Mplus's MLR for THREELEVEL uses the top-level clusters).

import type { ModelIR } from '../../model/ir.js';
import type { Dataset } from '../../data/dataset.js';
import type { EstimationResult, ParameterEstimate, Warning } from '../../results/types.js';
import { maximize, type Objective } from '../twolevel/optimize.js';
import { blockOf } from '../twolevel/rows.js';
import { fitStatistics } from '../fit.js';
import { mlCovariance } from '../twolevel/multivariate.js';
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

  // MLR: the sandwich with scores of the level-3 clusters
  const sc = opt.converged && estimator === 'MLR' ? clusterScatter(pr, ir, ds) : null;
  const { covariance, conditionNumber, scalingCorrection } = opt.converged
    ? mlCovariance(ll, (t, out) => clusterLoglik(pr, sc!, t, out), pr.K, theta, estimator, 'LEVEL 3 CLUSTERS', warnings)
    : { covariance: null, conditionNumber: null, scalingCorrection: null };

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
