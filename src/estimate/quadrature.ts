// Integration rules for between-level random effects (estimation.md §6).
//
// Every rule integrates against the standard normal: nodes z (in the standardized
// metric) with weights summing to 1, so that  E[g(Z)] ≈ Σ_q w_q g(z_q),  Z ~ N(0, I_D).
// The likelihood code maps z to eta = mu + L z (L the Cholesky factor of the prior or,
// with adaptive quadrature, of the posterior covariance) and corrects the weights.
//
// Rules (Mplus INTEGRATION option):
//  - STANDARD (n): rectangular / trapezoid rule, n equally spaced points on [-R, R]
//    (R = 5: Mplus does not publish its range), weights ∝ φ(z) normalised. Default n = 15.
//  - GAUSSHERMITE (n): Gauss–Hermite nodes for the weight exp(-x²), rescaled to N(0,1):
//    z = √2 x, w = w_x / √π. Computed with the Golub–Welsch algorithm.
//  - MONTECARLO (n): n fixed draws from N(0, I_D) (seeded), weights 1/n.
// Multivariate rules for STANDARD and GAUSSHERMITE are tensor products (n^D points).

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import quantile from '@stdlib/stats-base-dists-normal-quantile';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

export interface Rule1D {
  nodes: Float64Array;
  weights: Float64Array;
}

/** A D-dimensional rule: nodes row-major (Q x D), weights (Q), summing to 1. */
export interface QuadratureRule {
  type: 'STANDARD' | 'GAUSSHERMITE' | 'MONTECARLO';
  dimensions: number;
  points: number; // Q
  nodes: Float64Array;
  weights: Float64Array;
  /** also log(weights), precomputed for log-space accumulation */
  logWeights: Float64Array;
}

export const STANDARD_RANGE = 5;

export function rectangular(n: number, range = STANDARD_RANGE): Rule1D {
  if (!(n >= 1)) throw new RangeError('number of integration points must be >= 1');
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  if (n === 1) {
    weights[0] = 1;
    return { nodes, weights };
  }
  const step = (2 * range) / (n - 1);
  let sum = 0;
  for (let q = 0; q < n; q++) {
    const z = -range + q * step;
    nodes[q] = z;
    weights[q] = Math.exp(-0.5 * z * z);
    sum += weights[q];
  }
  for (let q = 0; q < n; q++) weights[q] /= sum;
  return { nodes, weights };
}

/** Gauss–Hermite rule for N(0,1) by Golub–Welsch (eigen-decomposition of the Jacobi matrix). */
export function gaussHermite(n: number): Rule1D {
  if (!(n >= 1)) throw new RangeError('number of integration points must be >= 1');
  // Probabilists' Hermite polynomials: recurrence He_{k+1} = x He_k - k He_{k-1};
  // Jacobi matrix has zero diagonal and off-diagonal sqrt(k), k = 1..n-1; weights = first
  // eigenvector component squared (the N(0,1) measure has total mass 1).
  const J = Matrix.zeros(n, n);
  for (let k = 1; k < n; k++) {
    const b = Math.sqrt(k);
    J.set(k - 1, k, b);
    J.set(k, k - 1, b);
  }
  const eig = new EigenvalueDecomposition(J, { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const vectors = eig.eigenvectorMatrix;
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  let sum = 0;
  order.forEach(([v, i], q) => {
    nodes[q] = v;
    const c = vectors.get(0, i);
    weights[q] = c * c;
    sum += weights[q];
  });
  for (let q = 0; q < n; q++) weights[q] /= sum;
  // exact symmetry (the eigen solver leaves ~1e-15 noise)
  for (let q = 0; q < n >> 1; q++) {
    const a = (nodes[n - 1 - q] - nodes[q]) / 2;
    nodes[q] = -a;
    nodes[n - 1 - q] = a;
    const w = (weights[q] + weights[n - 1 - q]) / 2;
    weights[q] = w;
    weights[n - 1 - q] = w;
  }
  if (n % 2 === 1) nodes[n >> 1] = 0;
  return { nodes, weights };
}

/** Tensor product of a 1-D rule over D dimensions (first dimension slowest). */
export function product(rule: Rule1D, dimensions: number, type: 'STANDARD' | 'GAUSSHERMITE'): QuadratureRule {
  const n = rule.nodes.length;
  const Q = dimensions === 0 ? 1 : n ** dimensions;
  const nodes = new Float64Array(Q * dimensions);
  const weights = new Float64Array(Q);
  const idx = new Int32Array(dimensions);
  for (let q = 0; q < Q; q++) {
    let w = 1;
    for (let d = 0; d < dimensions; d++) {
      nodes[q * dimensions + d] = rule.nodes[idx[d]];
      w *= rule.weights[idx[d]];
    }
    weights[q] = w;
    for (let d = dimensions - 1; d >= 0; d--) {
      if (++idx[d] < n) break;
      idx[d] = 0;
    }
  }
  return finish(type, dimensions, nodes, weights);
}

/** Monte Carlo rule: `points` draws from N(0, I_D), seeded (MCSEED), weights 1/points. */
export function monteCarlo(points: number, dimensions: number, seed = 0): QuadratureRule {
  const rng = xoroshiro128plus(seed);
  const nodes = new Float64Array(points * dimensions);
  for (let i = 0; i < nodes.length; i++) {
    let u = 0;
    while (u <= 0) {
      u = uniformFloat64(rng);
    }
    nodes[i] = quantile(u, 0, 1);
  }
  const weights = new Float64Array(points).fill(1 / points);
  return finish('MONTECARLO', dimensions, nodes, weights);
}

function finish(type: QuadratureRule['type'], dimensions: number, nodes: Float64Array, weights: Float64Array): QuadratureRule {
  const logWeights = new Float64Array(weights.length);
  for (let q = 0; q < weights.length; q++) logWeights[q] = Math.log(weights[q]);
  return { type, dimensions, points: weights.length, nodes, weights, logWeights };
}

/** The rule Mplus's INTEGRATION option asks for. */
export function integrationRule(spec: { type: 'STANDARD' | 'GAUSSHERMITE' | 'MONTECARLO'; points: number; seed?: number }, dimensions: number): QuadratureRule {
  if (spec.type === 'MONTECARLO') return monteCarlo(spec.points, dimensions, spec.seed ?? 0);
  const rule1 = spec.type === 'STANDARD' ? rectangular(spec.points) : gaussHermite(spec.points);
  return product(rule1, dimensions, spec.type);
}
