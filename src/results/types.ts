// What an estimation run produces, independent of how it is printed.
// src/output turns this into the .out file, JSON and SAVEDATA files.

export interface ParameterEstimate {
  /** the free parameter number (1-based, TECH1) or 0 for a fixed parameter */
  par: number;
  level: 'within' | 'between' | null;
  /** TYPE = THREELEVEL: the level of a 'between' parameter (printed as 'Between LEVEL2 Level' / 'Between LEVEL3 Level') */
  betweenLevel?: 'LEVEL2' | 'LEVEL3';
  /** printed class label ('1', '2', or '1.2' for patterns); null for class-free models and for 'Categorical Latent Variables' */
  classLabel: string | null;
  /** true for the rows printed under "Categorical Latent Variables" */
  categoricalLatent: boolean;
  /** block header as printed: 'FW BY', 'Y ON', 'S WITH', 'Means', 'Intercepts', 'Thresholds', 'Variances', 'Residual Variances', 'New/Additional Parameters' */
  block: string;
  /** row name as printed (upper case), e.g. 'Y1', 'U1$1', 'C#1' */
  name: string;
  estimate: number;
  se: number; // NaN when not available; 0 for fixed
  fixed: boolean;
  /** Est./S.E. and two-tailed p as printed; when absent the output stage computes them from estimate and se */
  estSe?: number;
  pValue?: number;
}

export interface RandomStartRow {
  loglikelihood: number;
  seed: number | 'unperturbed';
  start: number;
}

export interface IterationRecord {
  iteration: number;
  loglikelihood: number;
  absChange: number;
  relChange: number;
  algorithm: 'EM' | 'QN' | 'FS' | 'NR';
}

export interface ClassCounts {
  /** per class (or class pattern), in order */
  labels: string[];
  model: number[] | null; // based on the estimated model
  posterior: number[];
  mostLikely: number[];
  /** average posterior probabilities by most likely class: rows = most likely, cols = class */
  averagePosterior: number[][];
  /** P(most likely = col | class = row) */
  classification: number[][];
  entropy: number | null;
  /** logits of `classification` against the last class; computed by the output stage when absent */
  logits?: number[][];
  /**
   * Models with more than one class variable: `labels` are then the class patterns ('1.2' = class 1
   * of the first class variable, class 2 of the second, in CLASSES order) and these are the marginal
   * counts of each class variable (Mplus "FOR EACH LATENT CLASS VARIABLE").
   */
  perVariable?: Array<{ name: string; level: 'within' | 'between'; model: number[] | null; posterior: number[]; mostLikely: number[] }>;
}

/** A class variable of the model, in CLASSES order (names upper case). */
export interface ClassVariableInfo {
  name: string;
  nClasses: number;
  level: 'within' | 'between';
}

export interface FitStatistics {
  loglikelihood: number;
  parameters: number;
  scalingCorrection: number | null; // MLR
  aic: number;
  bic: number;
  abic: number;
  n: number;
  /** mixture runs with categorical indicators: tests against the unrestricted multinomial (TECH10 part) */
  categoricalChiSquare?: { pearson: ChiSquareTest; likelihoodRatio: ChiSquareTest };
  /** single-level models with an unrestricted H1 model (TYPE = GENERAL, ML): H1 loglikelihood and SEM fit indices */
  h1Loglikelihood?: number;
  chiSquare?: ChiSquareTest;
  /** RMSEA estimate, 90 percent C.I. and Probability RMSEA <= .05 */
  rmsea?: { estimate: number; lower: number; upper: number; probabilityClose: number };
  cfi?: number;
  tli?: number;
  baselineChiSquare?: ChiSquareTest;
  srmr?: number;
}

export interface ChiSquareTest {
  value: number;
  df: number;
  pValue: number;
}

export interface Warning {
  code: string;
  /** text as printed in the .out (Mplus wording), lines without indentation */
  lines: string[];
}

export interface EstimationResult {
  terminatedNormally: boolean;
  estimator: 'ML' | 'MLR' | 'MLF';
  fit: FitStatistics | null;
  parameters: ParameterEstimate[];
  classCounts: ClassCounts | null;
  randomStarts: { rows: RandomStartRow[]; replicated: boolean; failed: number } | null;
  warnings: Warning[];
  /** condition number of the information matrix (smallest / largest eigenvalue) */
  conditionNumber: number | null;
  /** free parameter vector at the solution (TECH1 order) and starting values */
  theta: Float64Array;
  start: Float64Array;
  /** covariance matrix of the free parameters (row-major), null when not computed */
  covariance: Float64Array | null;
  iterations: IterationRecord[];
  /** posterior class probabilities, row-major nRows x nClassPatterns */
  posterior?: Float64Array;
  /** the model's class variables (absent for models without classes) */
  classVariables?: ClassVariableInfo[];
  /** EAP estimates of between-level random effects per cluster: names and row-major nClusters x names.length */
  factorScores?: { names: string[]; values: Float64Array; perCluster: boolean };
  integration?: { type: string; points: number; dimensions: number; adaptive: boolean };
  /** TECH8: iteration histories per random start (initial stage) and per final-stage optimization */
  startIterations?: StartIterations[];
  /** OUTPUT: TECH11 (src/estimate/lrt.ts vlmrTest) */
  tech11?: Tech11Result;
  /** OUTPUT: TECH14 (src/estimate/lrt.ts bootstrapLrt) */
  tech14?: Tech14Result;
}

/**
 * TECH11: Vuong-Lo-Mendell-Rubin likelihood ratio test of the K-1 class model (the K-class model
 * without its first class) against the K-class model, and the Lo-Mendell-Rubin adjusted LRT.
 */
export interface Tech11Result {
  /** classes of the estimated (H1) model; H0 has classes - 1 */
  classes: number;
  /** random starts of the K-1 class analysis model (initial stage, final stage) */
  k1Starts: [number, number];
  h0Loglikelihood: number;
  /** 2 (logL(H1) - logL(H0)) */
  lrt: number;
  /** free parameters of H1 minus free parameters of H0 */
  parameterDifference: number;
  /** mean and standard deviation of the weighted chi-square distribution of the LRT under H0 */
  mean: number;
  sd: number;
  pValue: number;
  /** Lo-Mendell-Rubin (2001, formula 15) adjusted LRT and its p-value */
  adjusted: { value: number; pValue: number };
  /** weights of the chi-square(1) variables (eigenvalues), largest first */
  eigenvalues: number[];
  /** H0 warnings (its estimation did not converge, best loglikelihood not replicated) */
  warnings: Warning[];
}

/** TECH14: parametric bootstrapped likelihood ratio test of the K-1 against the K-class model. */
export interface Tech14Result {
  classes: number;
  k1Starts: [number, number];
  /** LRTSTARTS: K-1 class model (initial, final) and K-class model (initial, final) for generated data */
  lrtStarts: [number, number, number, number];
  /** LRTBOOTSTRAP; null = the number of draws is chosen sequentially (printed `Varies`) */
  drawsRequested: number | null;
  h0Loglikelihood: number;
  lrt: number;
  parameterDifference: number;
  /** share of successful draws whose LRT is at least the observed one */
  pValue: number;
  successfulDraws: number;
  /** LRT of each successful draw, in draw order */
  draws: number[];
  /** draws with a smaller LRT than observed whose K-class best loglikelihood was not replicated (Mplus warning) */
  notReplicated: number;
  seed: number;
}

export interface StartIterations {
  stage: 'initial' | 'final';
  /** the starting value set: 'unperturbed' or the 1-based random start number */
  start: number | 'unperturbed';
  iterations: IterationRecord[];
}
