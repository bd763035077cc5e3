// Helpers shared by the univariate and multivariate two-level result builders.
import type { ParamRow } from '../../model/ir.js';

/** Mplus output block of a parameter row. */
export function blockOf(r: ParamRow): string {
  switch (r.kind) {
    case 'regression': return `${r.lhs} ON`;
    case 'covariance': return `${r.lhs} WITH`;
    case 'loading': return `${r.lhs} BY`;
    case 'variance': return 'Variances';
    case 'residualVariance': return 'Residual Variances';
    case 'mean': case 'classIntercept': return 'Means';
    case 'intercept': return 'Intercepts';
    case 'threshold': return 'Thresholds';
    default: return 'New/Additional Parameters';
  }
}

export function toRows(a: Float64Array, n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(Array.from(a.subarray(i * n, (i + 1) * n)));
  return out;
}

/** n x n product (row-major). */
export function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const v = a[i * n + k]!;
      if (v === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += v * b[k * n + j]!;
    }
  return out;
}
