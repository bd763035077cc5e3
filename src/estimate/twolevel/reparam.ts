// Optimisation coordinates for the random-effect covariance matrix T.
//
// Maximising directly over the variances/covariances stalls on the boundary of the positive
// semi-definite cone (a Newton step leaves it and is halved away). When T is unstructured
// (every entry its own free parameter) or diagonal (free variances, covariances fixed at 0), the
// optimiser works on the Cholesky factor L (T = L L') instead, which is unconstrained; other
// structures (equalities, fixed values) stay in the natural parameters. Standard errors are
// always computed in the natural (Mplus) parameters.

import type { TwoLevelProblem } from './spec.js';

export interface Reparam {
  /** true when the Cholesky coordinates are used */
  active: boolean;
  toTheta(phi: Float64Array, theta: Float64Array): void;
  fromTheta(theta: Float64Array): Float64Array;
  /** gradient in phi from the gradient in theta (at phi) */
  chain(phi: Float64Array, gTheta: Float64Array, gPhi: Float64Array): void;
}

export function choleskyReparam(prob: TwoLevelProblem): Reparam {
  const { q, tauParam } = prob;
  const identity: Reparam = {
    active: false,
    toTheta: (phi, theta) => theta.set(phi),
    fromTheta: (theta) => Float64Array.from(theta),
    chain: (_phi, g, gp) => gp.set(g),
  };
  if (q === 0) return identity;
  // which structure?
  const seen = new Set<number>();
  let full = true;
  let diagonal = true;
  for (let a = 0; a < q; a++)
    for (let b = 0; b <= a; b++) {
      const par = tauParam[a * q + b]!;
      if (a === b) {
        if (par < 0 || seen.has(par)) return identity;
        seen.add(par);
      } else if (par < 0) {
        full = false;
        if (prob.tauFixed[a * q + b] !== 0) return identity;
      } else {
        diagonal = false;
        if (seen.has(par)) return identity;
        seen.add(par);
      }
    }
  if (!full && !diagonal) return identity;
  for (let k = 0; k < prob.nParams; k++) if (prob.category[k] === 'tau' && !seen.has(k)) return identity;
  // slot k of phi at the position of T's parameter (a,b), a >= b holds L_ab
  const L = new Float64Array(q * q);
  const T = new Float64Array(q * q);
  const S = new Float64Array(q * q);
  const loadL = (phi: Float64Array): void => {
    L.fill(0);
    for (let a = 0; a < q; a++)
      for (let b = 0; b <= a; b++) {
        const par = tauParam[a * q + b]!;
        if (par >= 0) L[a * q + b] = phi[par]!;
      }
  };
  return {
    active: true,
    toTheta(phi, theta) {
      theta.set(phi);
      loadL(phi);
      for (let a = 0; a < q; a++)
        for (let b = 0; b <= a; b++) {
          let s = 0;
          for (let k = 0; k <= b; k++) s += L[a * q + k]! * L[b * q + k]!;
          const par = tauParam[a * q + b]!;
          if (par >= 0) theta[par] = s;
        }
    },
    fromTheta(theta) {
      const phi = Float64Array.from(theta);
      for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) {
        const par = tauParam[a * q + b]!;
        T[a * q + b] = par >= 0 ? theta[par]! : 0;
      }
      // Cholesky with a small floor so a start on the boundary stays usable
      L.fill(0);
      for (let j = 0; j < q; j++) {
        let d = T[j * q + j]!;
        for (let k = 0; k < j; k++) d -= L[j * q + k]! ** 2;
        const l = Math.sqrt(Math.max(d, 1e-6 * Math.max(T[j * q + j]!, 1e-8)));
        L[j * q + j] = l;
        for (let i = j + 1; i < q; i++) {
          let s = T[i * q + j]!;
          for (let k = 0; k < j; k++) s -= L[i * q + k]! * L[j * q + k]!;
          L[i * q + j] = s / l;
        }
      }
      for (let a = 0; a < q; a++)
        for (let b = 0; b <= a; b++) {
          const par = tauParam[a * q + b]!;
          if (par >= 0) phi[par] = L[a * q + b]!;
        }
      return phi;
    },
    chain(phi, g, gp) {
      gp.set(g);
      loadL(phi);
      // S = dl/dT as a symmetric matrix (a covariance parameter covers both off-diagonal cells)
      for (let a = 0; a < q; a++)
        for (let b = 0; b < q; b++) {
          const par = tauParam[a * q + b]!;
          S[a * q + b] = par < 0 ? 0 : a === b ? g[par]! : 0.5 * g[par]!;
        }
      // dl/dL = 2 S L (lower triangle)
      for (let a = 0; a < q; a++)
        for (let b = 0; b <= a; b++) {
          const par = tauParam[a * q + b]!;
          if (par < 0) continue;
          let s = 0;
          for (let k = 0; k < q; k++) s += S[a * q + k]! * L[k * q + b]!;
          gp[par] = 2 * s;
        }
    },
  };
}
