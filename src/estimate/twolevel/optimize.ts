// Damped Newton maximisation with an analytic gradient and a Hessian from central differences
// of that gradient. The models of this folder have few parameters (tens) and a likelihood that
// costs O(clusters), so 2P gradient evaluations per iteration are cheap and buy quadratic
// convergence; the same Hessian gives the observed information for the standard errors.

import type { IterationRecord } from '../../results/types.js';

export type Objective = (theta: Float64Array, grad: Float64Array) => number;

/**
 * Observed Hessian of f by central differences of the gradient (symmetrised, row-major P x P).
 * `forward` uses one-sided differences from the gradient g0 at theta (half the evaluations;
 * accurate enough to steer the optimiser, not used for standard errors).
 */
export function numericHessian(f: Objective, theta: Float64Array, forward?: { g0: Float64Array }): Float64Array {
  const P = theta.length;
  const H = new Float64Array(P * P);
  const gp = new Float64Array(P);
  const gm = new Float64Array(P);
  const t = Float64Array.from(theta);
  if (forward) {
    for (let k = 0; k < P; k++) {
      const h = 1e-6 * Math.max(1, Math.abs(theta[k]!));
      t[k] = theta[k]! + h;
      let fp = f(t, gp);
      let sgn = 1;
      if (!Number.isFinite(fp)) { t[k] = theta[k]! - h; fp = f(t, gp); sgn = -1; }
      t[k] = theta[k]!;
      for (let i = 0; i < P; i++) H[i * P + k] = Number.isFinite(fp) ? (sgn * (gp[i]! - forward.g0[i]!)) / h : NaN;
    }
  } else for (let k = 0; k < P; k++) {
    const h = 1e-5 * Math.max(1, Math.abs(theta[k]!));
    t[k] = theta[k]! + h;
    const fp = f(t, gp);
    t[k] = theta[k]! - h;
    const fm = f(t, gm);
    t[k] = theta[k]!;
    if (Number.isFinite(fp) && Number.isFinite(fm)) {
      for (let i = 0; i < P; i++) H[i * P + k] = (gp[i]! - gm[i]!) / (2 * h);
    } else {
      // one-sided at the boundary of the admissible region
      const g0 = new Float64Array(P);
      f(t, g0);
      const [gs, sgn] = Number.isFinite(fp) ? [gp, 1] : [gm, -1];
      for (let i = 0; i < P; i++) H[i * P + k] = (sgn * (gs[i]! - g0[i]!)) / h;
    }
  }
  for (let i = 0; i < P; i++)
    for (let j = 0; j < i; j++) {
      const s = 0.5 * (H[i * P + j]! + H[j * P + i]!);
      H[i * P + j] = s; H[j * P + i] = s;
    }
  return H;
}

/** Cholesky solve of (M + lambda*|diag M|) x = b; null when not positive definite. */
function dampedSolve(M: Float64Array, b: Float64Array, P: number, lambda: number): Float64Array | null {
  const L = new Float64Array(P * P);
  for (let j = 0; j < P; j++) {
    let d = M[j * P + j]! + lambda * Math.max(Math.abs(M[j * P + j]!), 1e-8);
    for (let k = 0; k < j; k++) d -= L[j * P + k]! * L[j * P + k]!;
    if (!(d > 0)) return null;
    const l = Math.sqrt(d);
    L[j * P + j] = l;
    for (let i = j + 1; i < P; i++) {
      let s = M[i * P + j]!;
      for (let k = 0; k < j; k++) s -= L[i * P + k]! * L[j * P + k]!;
      L[i * P + j] = s / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < P; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= L[i * P + k]! * x[k]!;
    x[i] = s / L[i * P + i]!;
  }
  for (let i = P - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < P; k++) s -= L[k * P + i]! * x[k]!;
    x[i] = s / L[i * P + i]!;
  }
  return x;
}

export interface MaximizeResult {
  theta: Float64Array;
  loglik: number;
  converged: boolean;
  iterations: IterationRecord[];
  /** number of objective evaluations (for benchmarks) */
  evaluations: number;
}

/** Inverse of -H with Levenberg damping until positive definite (null if even heavy damping fails). */
function dampedInverse(H: Float64Array, P: number): Float64Array | null {
  const M = H.map((v) => -v);
  for (let lambda = 0; lambda <= 1e12; lambda = lambda === 0 ? 1e-6 : lambda * 10) {
    if (M.some((v) => !Number.isFinite(v))) return null;
    const inv = new Float64Array(P * P);
    let ok = true;
    for (let k = 0; k < P && ok; k++) {
      const e = new Float64Array(P);
      e[k] = 1;
      const x = dampedSolve(M, e, P, lambda);
      if (!x) ok = false;
      else for (let i = 0; i < P; i++) inv[i * P + k] = x[i]!;
    }
    if (ok) return inv;
  }
  return null;
}

/**
 * Maximise f from theta0 by quasi-Newton (BFGS) steps started from, and verified against, the
 * numerical Hessian: the inverse curvature starts as (-H)^-1 (damped when not positive
 * definite) and is updated by BFGS after each step, so an iteration costs one gradient plus the
 * line search. When the Newton decrement g'B^-1 g drops below `tol` (log-likelihood units) the
 * numerical Hessian is recomputed and convergence is declared only if the exact Newton decrement
 * is also below `tol`; otherwise the iterations continue from the exact curvature. `refreshEvery`:
 * also restart from the exact curvature after that many quasi-Newton iterations.
 */
export function maximize(f: Objective, theta0: Float64Array, opts: { maxIterations?: number; tol?: number; refreshEvery?: number } = {}): MaximizeResult {
  const maxIt = opts.maxIterations ?? 500;
  const tol = opts.tol ?? 1e-9;
  const P = theta0.length;
  let evaluations = 0;
  const fc: Objective = (t, g) => { evaluations++; return f(t, g); };
  let theta = Float64Array.from(theta0);
  const grad = new Float64Array(P);
  let ll = fc(theta, grad);
  const iterations: IterationRecord[] = [];
  const done = (converged: boolean): MaximizeResult => ({ theta, loglik: ll, converged, iterations, evaluations });
  if (!Number.isFinite(ll)) return done(false);
  const exactInverse = (): Float64Array | null => {
    evaluations += P;
    return dampedInverse(numericHessian(f, theta, { g0: grad }), P);
  };
  let Binv = exactInverse();
  let exact = true;
  const d = new Float64Array(P);
  const trial = new Float64Array(P);
  const gtrial = new Float64Array(P);
  const s = new Float64Array(P);
  const y = new Float64Array(P);
  const By = new Float64Array(P);
  let sinceExact = 0;
  for (let it = 1; it <= maxIt; it++) {
    if (opts.refreshEvery && ++sinceExact > opts.refreshEvery) { Binv = exactInverse(); exact = true; sinceExact = 0; }
    if (!Binv) return done(false);
    let dec = 0;
    for (let i = 0; i < P; i++) {
      let v = 0;
      for (let k = 0; k < P; k++) v += Binv[i * P + k]! * grad[k]!;
      d[i] = v;
      dec += grad[i]! * v;
    }
    if (dec < tol) {
      if (exact) return done(true);
      Binv = exactInverse();
      exact = true;
      sinceExact = 0;
      it--;
      continue;
    }
    let t = 1;
    let accepted = false;
    for (let h = 0; h < 40; h++, t *= 0.5) {
      for (let k = 0; k < P; k++) trial[k] = theta[k]! + t * d[k]!;
      const lt = fc(trial, gtrial);
      if (Number.isFinite(lt) && lt >= ll) {
        const change = lt - ll;
        for (let k = 0; k < P; k++) { s[k] = trial[k]! - theta[k]!; y[k] = grad[k]! - gtrial[k]!; }
        theta = Float64Array.from(trial);
        grad.set(gtrial);
        iterations.push({ iteration: it, loglikelihood: lt, absChange: change, relChange: Math.abs(change / lt), algorithm: 'QN' });
        ll = lt;
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      if (exact) return done(dec < 1e-6);
      Binv = exactInverse();
      exact = true;
      sinceExact = 0;
      continue;
    }
    // BFGS update of the inverse curvature of -f
    let sy = 0, ss = 0, yy = 0;
    for (let k = 0; k < P; k++) { sy += s[k]! * y[k]!; ss += s[k]! ** 2; yy += y[k]! ** 2; }
    if (sy > 1e-12 * Math.sqrt(ss * yy) && Binv) {
      let yBy = 0;
      for (let i = 0; i < P; i++) {
        let v = 0;
        for (let k = 0; k < P; k++) v += Binv[i * P + k]! * y[k]!;
        By[i] = v;
        yBy += y[i]! * v;
      }
      const rho = 1 / sy;
      const c = (1 + rho * yBy) * rho;
      for (let i = 0; i < P; i++)
        for (let k = 0; k < P; k++)
          Binv[i * P + k] = Binv[i * P + k]! + c * s[i]! * s[k]! - rho * (By[i]! * s[k]! + s[i]! * By[k]!);
      exact = false;
    }
  }
  return done(false);
}
