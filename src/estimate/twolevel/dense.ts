// Small dense linear algebra on row-major Float64Array blocks, written for the per-cluster
// loops of the two-level estimator: every routine works in caller-provided buffers and
// allocates nothing, so a cluster loop can reuse one workspace for all clusters.

/**
 * In-place LU factorisation with partial pivoting of the n x n matrix a (row-major).
 * piv receives the row permutation. Returns log|det a| and writes the sign of det a to
 * sign[0] (0 when singular).
 */
export function luFactor(a: Float64Array, n: number, piv: Int32Array, sign: Float64Array): number {
  let logdet = 0;
  let s = 1;
  for (let i = 0; i < n; i++) piv[i] = i;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) { best = v; p = i; }
    }
    if (best === 0 || !Number.isFinite(best)) { sign[0] = 0; return -Infinity; }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]!; a[k * n + j] = a[p * n + j]!; a[p * n + j] = t;
      }
      const t = piv[k]!; piv[k] = piv[p]!; piv[p] = t;
      s = -s;
    }
    const d = a[k * n + k]!;
    if (d < 0) s = -s;
    logdet += Math.log(Math.abs(d));
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k]! /= d);
      if (f !== 0) for (let j = k + 1; j < n; j++) a[i * n + j]! -= f * a[k * n + j]!;
    }
  }
  sign[0] = s;
  return logdet;
}

/** Solve (LU) X = B for the n x r right-hand side b (row-major, overwritten by X). */
export function luSolve(lu: Float64Array, n: number, piv: Int32Array, b: Float64Array, r: number, tmp: Float64Array): void {
  for (let c = 0; c < r; c++) {
    for (let i = 0; i < n; i++) tmp[i] = b[piv[i]! * r + c]!;
    for (let i = 1; i < n; i++) {
      let s = tmp[i]!;
      for (let k = 0; k < i; k++) s -= lu[i * n + k]! * tmp[k]!;
      tmp[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = tmp[i]!;
      for (let k = i + 1; k < n; k++) s -= lu[i * n + k]! * tmp[k]!;
      tmp[i] = s / lu[i * n + i]!;
    }
    for (let i = 0; i < n; i++) b[i * r + c] = tmp[i]!;
  }
}

/**
 * True when the symmetric n x n matrix a is positive semi-definite up to a relative
 * tolerance (Cholesky of a + eps*I with eps scaled to the diagonal). work: n*n scratch.
 */
export function isPsd(a: Float64Array, n: number, work: Float64Array): boolean {
  let scale = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i * n + i]!;
    if (!(d >= 0)) return false;
    scale = Math.max(scale, d);
  }
  const eps = 1e-10 * (scale > 0 ? scale : 1);
  for (let i = 0; i < n * n; i++) work[i] = a[i]!;
  for (let j = 0; j < n; j++) {
    let d = work[j * n + j]! + eps;
    for (let k = 0; k < j; k++) d -= work[j * n + k]! * work[j * n + k]!;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    work[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = work[i * n + j]!;
      for (let k = 0; k < j; k++) s -= work[i * n + k]! * work[j * n + k]!;
      work[i * n + j] = s / l;
    }
  }
  return true;
}

/** Inverse of a symmetric positive-definite matrix (allocates; for use outside hot loops). Null if not PD. */
export function invertSpd(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / ljj;
    }
  }
  // inverse of L, then L^-T L^-1
  const li = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    li[i * n + i] = 1 / l[i * n + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k]! * li[k * n + j]!;
      li[i * n + j] = s / l[i * n + i]!;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i]! * li[k * n + j]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  return out;
}
