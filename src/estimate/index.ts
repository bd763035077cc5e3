// Public surface of the estimation stage.
//
// Module map (one engine; single-level models are the special case "each person is its own
// cluster, no between-level random effects (D = 0)"):
//   options.ts    ANALYSIS options as a plain object + Mplus defaults (resolveOptions)
//   compile.ts    ModelIR + Dataset -> slots (one per parameter cell per class) and per-class index
//                 arrays (nu, B, Lambda, Psi, Theta, thresholds, nominal logits, class logits, and the
//                 between-level H, G, PsiB, alphaB, GammaB, nuB of the eta_j terms)
//   likelihood.ts per-person class densities, posteriors, Fisher-identity gradient (D = 0)
//   integrate.ts  cluster likelihood by quadrature over eta_j (D > 0), its gradient, cluster scores,
//                 adaptive proposals, class posteriors and EAP
//   em.ts         closed-form M steps (GEM blocks) for D = 0
//   optimize.ts   EMA driver (EM then BFGS), phases of frozen quadrature nodes for D > 0, coarse-to-fine
//   starts.ts     default start values, random-start perturbations and seeds (pure-rand)
//   se.ts         ML / MLR / MLF covariance, scaling correction, condition number, warnings
//   fit.ts        AIC / BIC / aBIC, class counts, entropy, classification tables
//   estimate.ts   estimate(ir, dataset, options) -> EstimationResult (random-starts stages, progress)
//   parallel.ts   PROCESSORS = n: a random-starts stage over worker threads (worker.ts), same results
export { estimate } from './estimate.js';
export type { EstimationOptions, EstimationOptionsInput, Estimator, Algorithm, IntegrationType, ProgressEvent } from './options.js';
export { resolveOptions } from './options.js';
