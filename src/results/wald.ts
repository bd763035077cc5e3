// Est./S.E. and the two-tailed p-value printed next to every free parameter (normal reference
// distribution, as in Mplus ML/MLR output). Estimators may supply their own values in
// ParameterEstimate.estSe / pValue (e.g. when reading a real Mplus file); otherwise they are derived here.

import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type { ParameterEstimate } from './types.js';

/** null for fixed parameters and parameters without a positive standard error */
export function waldTest(p: ParameterEstimate): { estSe: number; pValue: number } | null {
  if (p.fixed) return null;
  if (p.estSe !== undefined && p.pValue !== undefined) return { estSe: p.estSe, pValue: p.pValue };
  if (!(p.se > 0)) return null;
  const z = p.estSe ?? p.estimate / p.se;
  return { estSe: z, pValue: p.pValue ?? 2 * (1 - normalCdf(Math.abs(z), 0, 1)) };
}
