// Small dense linear algebra on row-major Float64Arrays, allocation-free (callers pass buffers).

/** In-place Cholesky of the n x n matrix a (lower triangle L, upper part zeroed). Returns false if not PD. */
export function cholesky(a: Float64Array, n: number, off = 0): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[off + j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[off + j * n + k]! ** 2;
    if (!(d > 0) || !Number.isFinite(d)) return false;
    d = Math.sqrt(d);
    a[off + j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let s = a[off + i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[off + i * n + k]! * a[off + j * n + k]!;
      a[off + i * n + j] = s / d;
    }
    for (let i = 0; i < j; i++) a[off + i * n + j] = 0;
  }
  return true;
}

/** log determinant from a Cholesky factor. */
export function cholLogDet(l: Float64Array, n: number, off = 0): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.log(l[off + j * n + j]!);
  return 2 * s;
}

/** inverse of A = L L' into out (n x n), using tmp (n) as scratch. */
export function cholInverse(l: Float64Array, n: number, out: Float64Array, tmp: Float64Array, off = 0, outOff = 0): void {
  for (let c = 0; c < n; c++) {
    // solve L z = e_c
    for (let i = 0; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= l[off + i * n + k]! * tmp[k]!;
      tmp[i] = s / l[off + i * n + i]!;
    }
    // solve L' w = z
    for (let i = n - 1; i >= 0; i--) {
      let s = tmp[i]!;
      for (let k = i + 1; k < n; k++) s -= l[off + k * n + i]! * out[outOff + k * n + c]!;
      out[outOff + i * n + c] = s / l[off + i * n + i]!;
    }
  }
}

/** Solve the symmetric positive definite system A x = b (A n x n, destroyed); returns false if not PD. */
export function solveSPD(a: Float64Array, b: Float64Array, n: number): boolean {
  if (!cholesky(a, n)) return false;
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * n + k]! * b[k]!;
    b[i] = s / a[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * b[k]!;
    b[i] = s / a[i * n + i]!;
  }
  return true;
}

/** Inverse of the n x n lower-triangular l (row-major, at off) into out (at outOff); upper part zeroed. */
export function lowerInverse(l: Float64Array, n: number, out: Float64Array, off = 0, outOff = 0): void {
  for (let c = 0; c < n; c++)
    for (let i = 0; i < n; i++) {
      if (i < c) { out[outOff + i * n + c] = 0; continue; }
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= l[off + i * n + k]! * out[outOff + k * n + c]!;
      out[outOff + i * n + c] = s / l[off + i * n + i]!;
    }
}
