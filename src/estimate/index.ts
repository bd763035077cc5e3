// Public surface of the estimation stage.
export { estimate } from './estimate.js';
export type { EstimationOptions, EstimationOptionsInput, Estimator, Algorithm, IntegrationType } from './options.js';
export { resolveOptions } from './options.js';
