// Closed-form (no numerical integration) estimator for two-level normal models: see estimate.ts.
export { estimateTwoLevel, type TwoLevelOptions } from './estimate.js';
export { compileTwoLevel, type Level1VarianceModel, type TwoLevelProblem } from './spec.js';
export { TwoLevelLikelihood } from './likelihood.js';
export { level1VarianceFromConstraint } from './constraint.js';
