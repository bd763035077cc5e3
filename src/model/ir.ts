// The model IR: variables, levels, class variables and the parameter table.
//
// The parameter table is the contract between syntax and estimation: every
// MODEL statement (and every Mplus default the user did not write) lowers to
// rows here; estimators read rows, never syntax. One row per parameter *per
// class pattern* (a class-invariant parameter appears once per class with the
// same `par` number, exactly as in Mplus TECH1), so the estimators can build
// per-class matrices directly from the rows.
//
// Names are canonical upper case throughout (`Y1`, `FW`, `C#1`).

import type { Span } from '../syntax/ast.js';
import type { MeasurementScale } from '../data/dataset.js';

export type Level = 'within' | 'between';

export interface ObservedVariable {
  name: string;
  display: string;
  /** index into Dataset.columns */
  column: number;
  scale: MeasurementScale;
  /** number of categories (categorical / nominal) */
  nCategories?: number;
  /**
   * dependent: an outcome / indicator of the model (has intercept/threshold and residual variance);
   * covariate: only on the right of ON (conditioned on, no parameters of its own unless the user gives them).
   */
  role: 'dependent' | 'covariate';
  /** two-level: which levels the variable lives on; single-level models use 'within' */
  level: 'within' | 'between' | 'both';
  /** TYPE = THREELEVEL: the level of a 'between' variable (`BETWEEN = (level2) w (level3) z`) */
  betweenLevel?: 'LEVEL2' | 'LEVEL3';
}

export interface LatentVariable {
  name: string;
  display: string;
  level: Level;
  /**
   * factor: defined by BY; randomSlope: `s | y ON x`; randomIntercept: the between part of a
   * both-level observed variable (named like the variable); classIntercept: between-level
   * random intercept of a within class logit (`C#1`); growth: `i s | y1@0 y2@1`.
   */
  kind: 'factor' | 'randomSlope' | 'randomIntercept' | 'classIntercept' | 'growth';
  /** TYPE = THREELEVEL: the level of a between-level latent variable (src/model/threelevel.ts) */
  betweenLevel?: 'LEVEL2' | 'LEVEL3';
}

/** `s | y ON x` at the within level: the slope of y on x is the between-level latent variable s. */
export interface RandomSlope {
  name: string;
  dependent: string;
  predictor: string;
  level: Level;
  span?: Span;
}

export interface ClassVariable {
  name: string;
  display: string;
  nClasses: number;
  /** within: a class for every individual; between: one class per cluster (listed in BETWEEN) */
  level: Level;
  /** KNOWNCLASS: class k (0-based) is observed when the source variable takes one of values[k] */
  known?: { variable: string; values: number[][] };
}

/** Class pattern of a row: one 1-based class number per class variable (by name); empty = single-class model. */
export type ClassPattern = Record<string, number>;

export type ParamKind =
  | 'loading' // lhs BY rhs: lhs factor, rhs indicator
  | 'regression' // lhs ON rhs
  | 'covariance' // lhs WITH rhs (residual covariance when either is endogenous)
  | 'variance' // variance of an exogenous variable/factor
  | 'residualVariance'
  | 'mean' // mean of an exogenous variable/factor
  | 'intercept' // intercept of an endogenous variable
  | 'threshold' // lhs$index
  | 'classIntercept' // [c#k]: lhs = class variable, index = k (k < K)
  | 'classRegression' // c#k ON x : lhs = class variable, index = k, rhs = covariate (or other class variable `cb#m`)
  | 'constraintNew'; // MODEL CONSTRAINT NEW parameter (not part of the likelihood)

export interface ParamRow {
  /** row number (0-based, stable) */
  id: number;
  /** null for single-level models */
  level: Level | null;
  /** class pattern the row applies to ({} when the model has no class variable) */
  classes: ClassPattern;
  kind: ParamKind;
  lhs: string;
  /** right-hand variable for loading / regression / covariance / classRegression; '' otherwise */
  rhs: string;
  /** threshold number, class number of classIntercept / classRegression */
  index?: number;
  /** for classRegression on another class variable (`cw#k ON cb#m`): the class of rhs */
  rhsIndex?: number;
  /** free parameter number, 1-based as in TECH1; 0 when fixed. Rows sharing a number are one parameter. */
  par: number;
  /** fixed value (when par = 0) or starting value (when free) */
  value: number;
  /** true when the user gave a value with `*` or `@` */
  userValue: boolean;
  label?: string;
  /** where the row came from; undefined for Mplus defaults */
  span?: Span;
  /** lowering note: 'default' for rows the user did not write */
  origin: 'user' | 'default';
  /**
   * Rows with the same equalityKey are one parameter (class-invariant copies, equality labels);
   * `par` numbers follow it. Set by src/model for every row.
   */
  equalityKey?: string;
  /** `(*1)`: random-start block label (parameters perturbed together), not an equality constraint */
  startBlock?: string;
  /** TYPE = THREELEVEL: level of a 'between' row (`%BETWEEN level2%` / `%BETWEEN level3%`, src/model/threelevel.ts) */
  betweenLevel?: 'LEVEL2' | 'LEVEL3';
}

export interface ConstraintSpec {
  /** NEW parameters with their start values */
  newParams: Array<{ name: string; start: number }>;
  /** the MODEL CONSTRAINT statements, kept as AST (evaluated by src/estimate/constraints) */
  statements: import('../syntax/ast.js').ConstraintStatement[];
}

export interface ModelIR {
  /** TYPE keywords, e.g. ['TWOLEVEL','MIXTURE'] */
  analysisType: Set<string>;
  twoLevel: boolean;
  /** TYPE = THREELEVEL (src/model/threelevel.ts); `twoLevel` is then false */
  threeLevel?: boolean;
  mixture: boolean;
  observed: ObservedVariable[];
  latent: LatentVariable[];
  randomSlopes: RandomSlope[];
  classVariables: ClassVariable[];
  rows: ParamRow[];
  /** number of free parameters = max par */
  nFree: number;
  /** labels -> free parameter number */
  labels: Map<string, number>;
  constraint?: ConstraintSpec;
  test?: import('../syntax/ast.js').ConstraintStatement[];
}

/** All class patterns of a model in Mplus order (last class variable fastest). */
export function classPatterns(ir: Pick<ModelIR, 'classVariables'>): ClassPattern[] {
  let out: ClassPattern[] = [{}];
  for (const cv of ir.classVariables) {
    const next: ClassPattern[] = [];
    for (const p of out) for (let k = 1; k <= cv.nClasses; k++) next.push({ ...p, [cv.name]: k });
    out = next;
  }
  return out;
}
