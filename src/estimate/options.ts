// ANALYSIS options as the estimation engine sees them: a plain object the lead maps the AST onto.
// Every field is optional in `EstimationOptionsInput`; `resolveOptions` fills in Mplus defaults,
// which depend on the analysis type (estimation.md §5.3: MIXTURE vs TWOLEVEL MIXTURE criteria).

export type Estimator = 'ML' | 'MLR' | 'MLF';
export type Algorithm = 'EMA' | 'EM' | 'ODLL';
export type IntegrationType = 'STANDARD' | 'GAUSSHERMITE' | 'MONTECARLO';

export interface EstimationOptions {
  estimator: Estimator;
  link: 'logit' | 'probit';
  algorithm: Algorithm;
  /** STARTS = n1 n2 (initial-stage sets, final-stage optimizations); n1 = 0: only the unperturbed start */
  starts: [number, number];
  stIterations: number;
  /** STCONVERGENCE: initial-stage derivative criterion */
  stConvergence: number;
  stScale: number;
  stSeed: number;
  /** OPTSEED: run only the start set generated with this seed (our generator, not Mplus's) */
  optSeed: number | null;
  /** MITERATIONS: max EM iterations */
  mIterations: number;
  /** LOGCRITERION / RLOGCRITERION / MCONVERGENCE (derivative of loglikelihood / N) */
  logCriterion: number;
  rlogCriterion: number;
  mConvergence: number;
  /** quasi-Newton: max iterations and convergence criterion (max |gradient| / N) */
  qnIterations: number;
  qnConvergence: number;
  /** logit thresholds are kept within [-bound, bound] (LOGHIGH / LOGLOW) */
  logitBound: number;
  /** minimum variance (VARIANCE option), used to floor variances in EM */
  minVariance: number;
  /** numerical integration (two-level models with random effects) */
  integration: { type: IntegrationType; points: number; adaptive: boolean };
  /** keep TECH8 iteration records of the best start */
  tech8: boolean;
  /** PROCESSORS: worker threads for the random starts (results do not depend on it) */
  processors: number;
  /** progress reports for a progress bar (throttled to a few calls per second, estimate.ts) */
  onProgress?: (e: ProgressEvent) => void;
}

/** One progress report: the optimization stage, which start (random starts), iteration and loglikelihood. */
export interface ProgressEvent {
  stage: 'initial' | 'final' | 'single';
  /** 1-based run number within the stage and the number of runs of the stage (random starts) */
  start?: number;
  of?: number;
  iteration: number;
  loglikelihood: number;
}

export type EstimationOptionsInput = Partial<Omit<EstimationOptions, 'integration'>> & {
  integration?: Partial<EstimationOptions['integration']>;
};

/**
 * Mplus defaults. `mixture` / `integration` select the criteria columns of estimation.md §5.3;
 * MIXTURE defaults to STARTS = 20 4 and MLR, non-mixture models to no random starts and ML.
 */
export function resolveOptions(
  input: EstimationOptionsInput,
  ctx: { mixture: boolean; integration: boolean },
): EstimationOptions {
  const intg = ctx.integration;
  const d: EstimationOptions = {
    estimator: ctx.mixture ? 'MLR' : 'ML',
    link: 'logit',
    algorithm: 'EMA',
    starts: ctx.mixture ? [20, 4] : [0, 0],
    stIterations: 10,
    stConvergence: 1,
    stScale: 5,
    stSeed: 0,
    optSeed: null,
    mIterations: 500,
    logCriterion: intg ? 1e-3 : 1e-7,
    rlogCriterion: intg ? 1e-6 : 1e-7,
    mConvergence: intg ? 1e-3 : 1e-6,
    qnIterations: ctx.mixture ? 100 : 1000,
    qnConvergence: 1e-6,
    logitBound: 15,
    minVariance: 1e-4,
    integration: { type: 'STANDARD', points: 15, adaptive: true },
    tech8: false,
    processors: 1,
  };
  const { integration, ...rest } = input;
  const out: EstimationOptions = { ...d };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  out.integration = { ...d.integration, ...(integration ?? {}) };
  if (input.integration?.type === 'GAUSSHERMITE' && input.integration.points === undefined) out.integration.points = 15;
  // MONTECARLO: the number of draws in all dimensions, 500 by default (Mplus)
  if (input.integration?.type === 'MONTECARLO' && input.integration.points === undefined) out.integration.points = 500;
  return out;
}
