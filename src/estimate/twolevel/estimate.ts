// estimateTwoLevel: ML estimation of TYPE = TWOLEVEL [RANDOM] models with one continuous
// outcome and no latent classes (random intercept, random slopes, between-level regressions /
// cross-level interactions, KNOWNCLASS- or covariate-dependent level-1 variance), with ML, MLR
// (cluster-level sandwich, the Mplus default for TWOLEVEL) or MLF standard errors and EAP
// estimates of the random effects.

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { ModelIR } from '../../model/ir.js';
import type { Dataset } from '../../data/dataset.js';
import type { EstimationResult, ParameterEstimate, Warning } from '../../results/types.js';
import { compileTwoLevel, type Level1VarianceModel, type TwoLevelProblem } from './spec.js';
import { TwoLevelLikelihood } from './likelihood.js';
import { maximize, numericHessian, type Objective } from './optimize.js';
import { invertSpd } from './dense.js';
import { fitStatistics } from '../fit.js';
import { choleskyReparam } from './reparam.js';
import { level1VarianceFromConstraint } from './constraint.js';
import { blockOf, matMul, toRows } from './rows.js';
import { estimateMultivariate, isMultivariate } from './multivariate.js';

export interface TwoLevelOptions {
  /** default MLR, as Mplus for TYPE = TWOLEVEL */
  estimator?: 'ML' | 'MLR' | 'MLF';
  /** heteroscedastic level-1 variance; default: read from MODEL CONSTRAINT (constraint.ts) */
  level1Variance?: Level1VarianceModel;
  /** information matrix for the standard errors (Mplus INFORMATION); default observed */
  information?: 'observed' | 'expected';
  /** quasi-Newton iterations (default 500) */
  maxIterations?: number;
  /** compute EAP estimates of the random effects (default true) */
  fscores?: boolean;
}

export function estimateTwoLevel(ir: ModelIR, dataset: Dataset, options: TwoLevelOptions = {}): EstimationResult {
  const estimator = options.estimator ?? 'MLR';
  // several outcomes / factor models: structured (Sigma_W, Sigma_B) likelihood of multivariate.ts
  if (isMultivariate(ir)) return estimateMultivariate(ir, dataset, { ...options, estimator });
  const prob = compileTwoLevel(ir, dataset, options.level1Variance ?? level1VarianceFromConstraint(ir) ?? undefined);
  const lik = new TwoLevelLikelihood(prob);
  const f: Objective = (theta, grad) => lik.evaluate(theta, grad);
  const warnings: Warning[] = [];
  // optimise in Cholesky coordinates of T where possible (reparam.ts), report in Mplus parameters
  const P = prob.nParams;
  const rp = choleskyReparam(prob);
  const th = new Float64Array(P);
  const gth = new Float64Array(P);
  const fPhi: Objective = (phi, grad) => {
    rp.toTheta(phi, th);
    const ll = lik.evaluate(th, gth);
    rp.chain(phi, gth, grad);
    return ll;
  };
  const opt = maximize(fPhi, rp.fromTheta(prob.start), { maxIterations: options.maxIterations });
  const theta = new Float64Array(P);
  rp.toTheta(opt.theta, theta);
  if (!opt.converged) {
    warnings.push({ code: 'NOT_CONVERGED', lines: ['THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY DUE TO AN ERROR IN THE', 'COMPUTATION.  CHANGE YOUR MODEL AND/OR STARTING VALUES.'] });
  }

  if (opt.converged && prob.q > 0) {
    const T = new Float64Array(prob.q * prob.q);
    for (let k = 0; k < T.length; k++) T[k] = prob.tauParam[k]! >= 0 ? theta[prob.tauParam[k]!]! : prob.tauFixed[k]!;
    const ev = new EigenvalueDecomposition(new Matrix(toRows(T, prob.q)), { assumeSymmetric: true }).realEigenvalues;
    // the estimate sits on the boundary of the PSD cone (as lme4's "singular fit")
    if (Math.min(...ev) <= 1e-6 * Math.max(...ev, 1e-300)) {
      const names = prob.effects.filter((e) => e.z >= 0).map((e) => e.name).join(' ');
      warnings.push({ code: 'PSI_NOT_PD', lines: [
        'WARNING:  THE COVARIANCE MATRIX OF THE BETWEEN-LEVEL RANDOM EFFECTS (' + names + ')',
        'IS SINGULAR: THE MAXIMUM LIES ON THE BOUNDARY OF POSITIVE SEMI-DEFINITE MATRICES.',
        'A VARIANCE MAY BE ZERO OR A CORRELATION MAY BE ONE IN ABSOLUTE VALUE.',
      ] });
    }
  }

  // information and standard errors
  let covariance: Float64Array | null = null;
  let conditionNumber: number | null = null;
  let scalingCorrection: number | null = null;
  if (opt.converged) {
    let Ainfo: Float64Array;
    if (options.information === 'expected') Ainfo = lik.expectedInformation(theta);
    else {
      lik.requirePsd = false;
      Ainfo = numericHessian(f, theta).map((v) => -v);
      lik.requirePsd = true;
    }
    const ev = new EigenvalueDecomposition(new Matrix(toRows(Ainfo, P)), { assumeSymmetric: true }).realEigenvalues;
    const lo = Math.min(...ev);
    const hi = Math.max(...ev);
    conditionNumber = hi > 0 ? lo / hi : null;
    const Ainv = invertSpd(Ainfo, P);
    if (!Ainv) {
      warnings.push({ code: 'NONIDENTIFIED', lines: ['THE STANDARD ERRORS OF THE MODEL PARAMETER ESTIMATES COULD NOT BE', 'COMPUTED.  THE MODEL MAY NOT BE IDENTIFIED.'] });
    } else {
      const scores = new Float64Array(prob.nClusters * P);
      lik.evaluate(theta, undefined, scores);
      const B = new Float64Array(P * P);
      for (let j = 0; j < prob.nClusters; j++)
        for (let a = 0; a < P; a++) {
          const sa = scores[j * P + a]!;
          if (sa === 0) continue;
          for (let b = 0; b < P; b++) B[a * P + b]! += sa * scores[j * P + b]!;
        }
      const AiB = matMul(Ainv, B, P);
      let tr = 0;
      for (let k = 0; k < P; k++) tr += AiB[k * P + k]!;
      scalingCorrection = estimator === 'MLR' ? tr / P : null;
      if (estimator === 'ML') covariance = Ainv;
      else if (estimator === 'MLR') covariance = matMul(AiB, Ainv, P);
      else covariance = invertSpd(B, P);
      if (estimator !== 'ML' && P > prob.nClusters)
        warnings.push({ code: 'MLR_MORE_PARAMS_THAN_CLUSTERS', lines: ['THE STANDARD ERRORS OF THE MODEL PARAMETER ESTIMATES MAY NOT BE', 'TRUSTWORTHY: THE NUMBER OF PARAMETERS IS GREATER THAN THE NUMBER OF CLUSTERS.'] });
    }
  }

  const seOf = (k: number): number => (covariance ? Math.sqrt(Math.max(covariance[k * P + k]!, 0)) : NaN);
  const parameters: ParameterEstimate[] = [];
  const cvName = ir.classVariables[0]?.name;
  for (const { row, param } of prob.rows) {
    // Mplus does not print the within-level intercept of an outcome whose mean is its between part
    if (row.level === 'within' && (row.kind === 'intercept' || row.kind === 'mean') && param < 0 && prob.effects.some((e) => e.name === row.lhs && e.carrier === null)) continue;
    parameters.push({
      par: row.par,
      level: row.kind === 'classIntercept' ? null : row.level,
      classLabel: cvName && row.classes[cvName] !== undefined ? String(row.classes[cvName]) : null,
      categoricalLatent: row.kind === 'classIntercept',
      block: blockOf(row),
      name: row.kind === 'classIntercept' ? `${row.lhs}#${row.index}` : row.kind === 'regression' || row.kind === 'covariance' || row.kind === 'loading' ? row.rhs : row.lhs,
      estimate: param >= 0 ? theta[param]! : row.value,
      se: param >= 0 ? seOf(param) : 0,
      fixed: param < 0,
    });
  }
  prob.extra.forEach((e, k) => {
    const idx = ir.nFree + k;
    parameters.push({ par: idx + 1, level: 'within', classLabel: null, categoricalLatent: false, block: e.block, name: e.name, estimate: theta[idx]!, se: seOf(idx), fixed: false });
  });

  const N = prob.nUsed;
  const ll = opt.loglik;
  const fit = opt.converged
    ? fitStatistics(ll, P, N, scalingCorrection)
    : null;

  return {
    terminatedNormally: opt.converged,
    estimator,
    fit,
    parameters,
    classCounts: null,
    randomStarts: null,
    warnings,
    conditionNumber,
    theta,
    start: prob.start,
    covariance,
    iterations: opt.iterations,
    factorScores: opt.converged && options.fscores !== false ? factorScores(prob, lik, theta) : undefined,
  };
}

/**
 * EAP estimates per cluster of every between-level random effect (random intercept named by
 * the outcome, slopes by their `|` names): the full coefficient = mean part (intercept plus
 * between regressions at w_j) + posterior mean of the deviation, followed by the posterior
 * SDs (`<name>_SE`, 0 for effects whose variance is fixed at 0). With KNOWNCLASS, the mean part
 * is that of the class of the cluster's first individual (exact when the class is a cluster
 * property, as a school type).
 */
function factorScores(prob: TwoLevelProblem, lik: TwoLevelLikelihood, theta: Float64Array): NonNullable<EstimationResult['factorScores']> {
  const { q, nClusters: J, effects } = prob;
  const mean = new Float64Array(J * q);
  const cov = new Float64Array(J * q * q);
  if (q > 0) lik.posterior(theta, mean, cov);
  const E = effects.length;
  const values = new Float64Array(J * 2 * E);
  for (let j = 0; j < J; j++) {
    const row = prob.clusterRow[j]!;
    effects.forEach((e, k) => {
      let s = 0;
      for (const t of e.mean) {
        if (t.cls >= 0 && t.cls !== prob.clusterClass[j]) continue;
        s += (t.param >= 0 ? theta[t.param]! : t.value) * (t.w ? t.w[row]! : 1);
      }
      if (e.z >= 0) s += mean[j * q + e.z]!;
      values[j * 2 * E + k] = s;
      values[j * 2 * E + E + k] = e.z >= 0 ? Math.sqrt(Math.max(cov[(j * q + e.z) * q + e.z]!, 0)) : 0;
    });
  }
  return { names: [...effects.map((e) => e.name), ...effects.map((e) => `${e.name}_SE`)], values, perCluster: true };
}
