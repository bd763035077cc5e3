// The unrestricted two-level model (Mplus's H1 model for TYPE = TWOLEVEL):
//
//   y_ij = mu + u_j + e_ij,   u_j ~ N(0, SigmaB),   e_ij ~ N(0, SigmaW),
//
// for p continuous variables, estimated by maximum likelihood with EM on cluster
// sufficient statistics (cluster sizes n_j, cluster means ybar_j, pooled within
// scatter S_W). Mplus computes its "Estimated Intraclass Correlations for the Y
// Variables" from this model: ICC_k = SigmaB_kk / (SigmaB_kk + SigmaW_kk).
//
// Complete data only (rows observed on all p variables); the caller falls back to
// the univariate model per variable when values are missing.
//
// EM step (u_j | data ~ N(m_j, V_j)):
//   V_n = (SigmaB^-1 + n SigmaW^-1)^-1,  m_j = V_n n SigmaW^-1 (ybar_j - mu)
//   mu      = sum_j n_j (ybar_j - m_j) / N
//   SigmaB  = sum_j (m_j m_j' + V_j) / J
//   SigmaW  = (S_W + sum_j n_j (r_j r_j' + V_j)) / N,  r_j = ybar_j - mu - m_j
// V_n depends only on the cluster size, so it is computed once per distinct size.

export interface TwoLevelH1 {
  mu: Float64Array;
  /** p x p row-major */
  sigmaW: Float64Array;
  sigmaB: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Inverse of a symmetric positive definite p x p matrix (Cholesky); null if not positive definite. */
export function invSPD(a: Float64Array, p: number): Float64Array | null {
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * p + i] = Math.sqrt(s);
      } else L[i * p + j] = s / L[j * p + j];
    }
  }
  // inverse of L (lower triangular)
  const Li = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    Li[i * p + i] = 1 / L[i * p + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= L[i * p + k] * Li[k * p + j];
      Li[i * p + j] = s / L[i * p + i];
    }
  }
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < p; k++) s += Li[k * p + i] * Li[k * p + j];
      out[i * p + j] = s;
      out[j * p + i] = s;
    }
  return out;
}

/**
 * Fit the unrestricted two-level model. `cols` hold complete data (no NaN); `ofRow` the 0-based
 * cluster of each row, `nClusters` the number of clusters.
 */
export function fitTwoLevelH1(cols: Float64Array[], ofRow: Int32Array, nClusters: number, maxIter = 10000, tol = 1e-11): TwoLevelH1 {
  const p = cols.length;
  const N = ofRow.length;
  const J = nClusters;
  const nj = new Float64Array(J);
  const ybar = new Float64Array(J * p);
  for (let i = 0; i < N; i++) {
    const g = ofRow[i];
    nj[g]++;
    for (let a = 0; a < p; a++) ybar[g * p + a] += cols[a][i];
  }
  for (let g = 0; g < J; g++) for (let a = 0; a < p; a++) ybar[g * p + a] /= nj[g];
  const SW = new Float64Array(p * p);
  const d = new Float64Array(p);
  for (let i = 0; i < N; i++) {
    const g = ofRow[i];
    for (let a = 0; a < p; a++) d[a] = cols[a][i] - ybar[g * p + a];
    for (let a = 0; a < p; a++) for (let b = 0; b <= a; b++) SW[a * p + b] += d[a] * d[b];
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) SW[b * p + a] = SW[a * p + b];

  // start: the balanced-data closed form SigmaW = S_W / (N - J), SigmaB = (S_B / J - SigmaW) / nbar with
  // S_B = sum_j n_j (ybar_j - mu)(ybar_j - mu)'; exact ML for equal cluster sizes (when positive definite).
  // EM is slow when a between variance is near 0, so a good start matters.
  const mu = new Float64Array(p);
  for (let g = 0; g < J; g++) for (let a = 0; a < p; a++) mu[a] += (nj[g] * ybar[g * p + a]) / N;
  let sW = SW.map((x) => x / Math.max(1, N - J));
  let sB = new Float64Array(p * p);
  const nbar = N / J;
  for (let g = 0; g < J; g++)
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) sB[a * p + b] += (nj[g] * (ybar[g * p + a] - mu[a]) * (ybar[g * p + b] - mu[b])) / J;
  for (let k = 0; k < p * p; k++) sB[k] = (sB[k] - sW[k]) / nbar;
  for (let ridge = 1e-6; !invSPD(sB, p); ridge *= 10) {
    // not positive definite: move towards a positive diagonal
    for (let a = 0; a < p; a++) sB[a * p + a] = Math.max(sB[a * p + a], 0) + ridge * (1 + sW[a * p + a]);
  }
  const sizes = [...new Set(Array.from(nj))];
  const V = new Map<number, Float64Array>();
  const K = new Map<number, Float64Array>();
  const m = new Float64Array(p);
  let converged = false;
  let it = 0;
  for (; it < maxIter; it++) {
    const Bi = invSPD(sB, p);
    const Wi = invSPD(sW, p);
    if (!Bi || !Wi) break;
    for (const n of sizes) {
      const A = new Float64Array(p * p);
      for (let k = 0; k < p * p; k++) A[k] = Bi[k] + n * Wi[k];
      const Vn = invSPD(A, p)!;
      const Kn = new Float64Array(p * p);
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) {
        let s = 0;
        for (let c = 0; c < p; c++) s += Vn[a * p + c] * Wi[c * p + b];
        Kn[a * p + b] = n * s;
      }
      V.set(n, Vn);
      K.set(n, Kn);
    }
    const muN = new Float64Array(p);
    const sBN = new Float64Array(p * p);
    const ms = new Float64Array(J * p);
    for (let g = 0; g < J; g++) {
      const Kn = K.get(nj[g])!;
      const Vn = V.get(nj[g])!;
      for (let a = 0; a < p; a++) {
        let s = 0;
        for (let b = 0; b < p; b++) s += Kn[a * p + b] * (ybar[g * p + b] - mu[b]);
        m[a] = s;
        ms[g * p + a] = s;
        muN[a] += (nj[g] * (ybar[g * p + a] - s)) / N;
      }
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) sBN[a * p + b] += (m[a] * m[b] + Vn[a * p + b]) / J;
    }
    const sWN = new Float64Array(p * p);
    for (let k = 0; k < p * p; k++) sWN[k] = SW[k] / N;
    for (let g = 0; g < J; g++) {
      const Vn = V.get(nj[g])!;
      for (let a = 0; a < p; a++) d[a] = ybar[g * p + a] - muN[a] - ms[g * p + a];
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) sWN[a * p + b] += (nj[g] * (d[a] * d[b] + Vn[a * p + b])) / N;
    }
    let change = 0;
    for (let a = 0; a < p; a++) change = Math.max(change, Math.abs(muN[a] - mu[a]) / (1 + Math.abs(mu[a])));
    for (let k = 0; k < p * p; k++) {
      change = Math.max(change, Math.abs(sBN[k] - sB[k]) / (1 + Math.abs(sB[k])), Math.abs(sWN[k] - sW[k]) / (1 + Math.abs(sW[k])));
    }
    mu.set(muN);
    sB = sBN;
    sW = sWN;
    if (change < tol) {
      converged = true;
      it++;
      break;
    }
  }
  return { mu, sigmaW: sW, sigmaB: sB, iterations: it, converged };
}
