// Brute-force two-level normal log-likelihood for tests: each cluster's observed values stacked
// into one vector with its mean and covariance built entry by entry from the model equations,
//   y_ij = mu_ij + Z_ij u_j + e_ij,  u_j ~ N(0, T),  e_ij ~ N(0, Sigma_W),
// and a dense Cholesky factorisation (no Woodbury, no sufficient statistics). Missing entries (NaN)
// are left out of the stacked vector.
import type { ClusterIndex } from '../../../src/data/dataset.js';

/** Dense log N(y; m, V) by Cholesky (throws when V is not positive definite). */
export function mvnLogDensity(y: number[], m: number[], V: number[][]): number {
  const n = y.length;
  const L = V.map((r) => r.map(() => 0));
  for (let j = 0; j < n; j++) {
    let d = V[j]![j]!;
    for (let k = 0; k < j; k++) d -= L[j]![k]! ** 2;
    if (!(d > 0)) throw new Error('not positive definite');
    L[j]![j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let v = V[i]![j]!;
      for (let k = 0; k < j; k++) v -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = v / L[j]![j]!;
    }
  }
  const z: number[] = [];
  let ld = 0, q = 0;
  for (let i = 0; i < n; i++) {
    let v = y[i]! - m[i]!;
    for (let k = 0; k < i; k++) v -= L[i]![k]! * z[k]!;
    z.push(v / L[i]![i]!);
    ld += 2 * Math.log(L[i]![i]!);
    q += z[i]! ** 2;
  }
  return -0.5 * (n * Math.log(2 * Math.PI) + ld + q);
}

/**
 * Sum over clusters of the dense density. y(i): outcomes of row i (NaN = missing); mean(i): its mean;
 * Z(i): p x q loading of the random effects for row i (identity-like for random intercepts), T: q x q.
 */
export function denseLoglik(cl: ClusterIndex, y: (i: number) => number[], mean: (i: number) => number[], Zof: (i: number) => number[][], T: number[][], SW?: number[][]): number {
  let total = 0;
  for (let j = 0; j + 1 < cl.start.length; j++) {
    const ent: Array<{ i: number; d: number; v: number; m: number; z: number[] }> = [];
    for (let t = cl.start[j]!; t < cl.start[j + 1]!; t++) {
      const i = cl.order[t]!;
      const yi = y(i), mi = mean(i), Z = Zof(i);
      yi.forEach((v, d) => { if (!Number.isNaN(v)) ent.push({ i, d, v, m: mi[d]!, z: Z[d]! }); });
    }
    if (!ent.length) continue;
    const V = ent.map((a) => ent.map((b) => {
      let v = 0;
      for (let r = 0; r < a.z.length; r++) for (let s = 0; s < b.z.length; s++) v += a.z[r]! * T[r]![s]! * b.z[s]!;
      if (a.i === b.i) v += (SW ?? [])[a.d]?.[b.d] ?? 0;
      return v;
    }));
    total += mvnLogDensity(ent.map((e) => e.v), ent.map((e) => e.m), V);
  }
  return total;
}
