// The optimizer: EM (closed-form M steps where they exist, em.ts) followed by quasi-Newton (BFGS on
// the observed log-likelihood with the analytic gradient and a backtracking line search that only
// accepts increases), as Mplus's EMA. Iteration records follow TECH8 (E step number, loglikelihood,
// absolute and relative change, algorithm).
//
// Stopping rule ([ours], estimation.md §5.3): converged when the largest absolute gradient element
// of l/N is below the derivative criterion and the last change of l is below LOGCRITERION (absolute)
// and RLOGCRITERION (relative).

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { IterationRecord } from '../results/types.js';
import type { CompiledModel } from './compile.js';
import { setTheta, slotToPar } from './compile.js';
import type { Workspace } from './likelihood.js';
import { logLik, logLikGrad } from './likelihood.js';
import type { EMPlan } from './em.js';
import { mStep } from './em.js';
import type { EstimationOptions } from './options.js';
import type { IntegrationState } from './integrate.js';
import { clusterScores, copyProposals, freezeProposals, logLikIntegrated, placeProposals, REFRESH_PASSES } from './integrate.js';

/** EMA: relative loglikelihood change below which EM hands over to quasi-Newton ([ours]) */
const EMA_SWITCH = 1e-5;

export interface Objective {
  m: CompiledModel;
  ws: Workspace;
  dSlot: Float64Array;
  /** free parameters bounded to [-bound, bound] (logit thresholds) */
  bounded: Uint8Array;
  /** numerical integration state (models with between-level random effects, D > 0) */
  intg: IntegrationState | null;
  /** BFGS inverse-Hessian approximation carried from one integration phase to the next */
  qnH: Float64Array | null;
  /** cheap adaptive rule optimized first when the requested rule is large (see optimize) */
  coarse: IntegrationState | null;
  /** called after every recorded iteration (estimate.ts throttles it into onProgress) */
  onIteration: ((ll: number) => void) | null;
}

export function makeObjective(m: CompiledModel, ws: Workspace, link: 'logit' | 'probit', intg: IntegrationState | null = null): Objective {
  const bounded = new Uint8Array(m.nFree);
  if (link === 'logit') {
    const onlyTau = new Uint8Array(m.nFree).fill(1), seen = new Uint8Array(m.nFree);
    for (let s = 0; s < m.nSlots; s++) { const j = m.slotPar[s]!; if (j < 0) continue; seen[j] = 1; if (m.slotKind[s] !== 'tau') onlyTau[j] = 0; }
    for (let j = 0; j < m.nFree; j++) bounded[j] = seen[j]! & onlyTau[j]!;
  }
  return { m, ws, dSlot: new Float64Array(m.nSlots), bounded, intg, qnH: null, coarse: null, onIteration: null };
}

export function evalLL(o: Objective, theta: Float64Array, post?: Float64Array): number {
  setTheta(o.m, theta);
  if (o.intg) return logLikIntegrated(o.m, o.ws, o.intg, null);
  return logLik(o.m, o.ws, post);
}

export function evalGrad(o: Objective, theta: Float64Array, grad: Float64Array): number {
  setTheta(o.m, theta);
  const ll = o.intg ? logLikIntegrated(o.m, o.ws, o.intg, o.dSlot) : logLikGrad(o.m, o.ws, o.dSlot);
  slotToPar(o.m, o.dSlot, grad);
  return ll;
}

export interface RunResult {
  theta: Float64Array;
  ll: number;
  converged: boolean;
  /** max |gradient| / N at the end */
  gradNorm: number;
  iterations: IterationRecord[];
  /** free parameters that ended at a logit bound */
  atBound: number[];
  /** loglikelihood at theta0 (its first evaluation; NaN when EM ran first) */
  ll0?: number;
  /** stopped after the first evaluation, which was outside RunLimits.trust */
  untrusted?: boolean;
}

/** The first loglikelihood of a run is outside lim.trust. */
function outsideTrust(lim: RunLimits, ll: number): boolean {
  return !!lim.trust && !(Math.abs(ll - lim.trust.ll) < lim.trust.tol);
}

export interface RunLimits {
  /** maximum EM iterations (initial stage: STITERATIONS) */
  emIterations: number;
  qnIterations: number;
  /** derivative criterion on |gradient| / N (EM: MCONVERGENCE) */
  derivative: number;
  /** quasi-Newton convergence criterion on |gradient| / N */
  qnDerivative: number;
  logCriterion: number;
  rlogCriterion: number;
  /** with numerical integration: stop after the coarse rule (random starts' initial stage) */
  coarseOnly?: boolean;
  /** stop after the first evaluation when the loglikelihood there is not within `tol` of `ll` (the
   *  requested rule continuing from the coarse optimum, see optimize); the result is then `untrusted` */
  trust?: { ll: number; tol: number };
}

function maxAbsGrad(o: Objective, theta: Float64Array, g: Float64Array, bound: number): number {
  let mx = 0;
  for (let j = 0; j < g.length; j++) {
    if (o.bounded[j] && Math.abs(theta[j]!) >= bound - 1e-9 && g[j]! * theta[j]! > 0) continue;
    mx = Math.max(mx, Math.abs(g[j]!));
  }
  return mx / o.m.n;
}

/**
 * Run EM then BFGS from theta0. `iter0` continues TECH8 numbering (final stage after the initial stage).
 */
export function runEMA(o: Objective, plan: EMPlan, theta0: Float64Array, opts: EstimationOptions, lim: RunLimits, post: Float64Array): RunResult {
  const m = o.m;
  const theta = Float64Array.from(theta0);
  const bound = opts.logitBound;
  for (let j = 0; j < m.nFree; j++) if (o.bounded[j]) theta[j] = Math.min(Math.max(theta[j]!, -bound), bound);
  const iterations: IterationRecord[] = [];
  const record = (ll: number, prev: number, alg: 'EM' | 'QN') => {
    const abs = iterations.length ? ll - prev : 0;
    iterations.push({ iteration: iterations.length + 1, loglikelihood: ll, absChange: abs, relChange: iterations.length ? Math.abs(abs / prev) : 0, algorithm: alg });
    o.onIteration?.(ll);
  };
  let ll = -Infinity, ll0 = NaN;
  const g = new Float64Array(m.nFree);
  // ---- EM phase
  const em = plan.any && opts.algorithm !== 'ODLL';
  if (em) {
    let prev = -Infinity;
    for (let it = 0; it < lim.emIterations; it++) {
      ll = evalLL(o, theta, post);
      if (it === 0 && outsideTrust(lim, ll)) return { theta, ll, converged: false, gradNorm: Infinity, iterations, atBound: [], ll0: ll, untrusted: true };
      if (!Number.isFinite(ll)) break;
      record(ll, prev, 'EM');
      const abs = ll - prev, rel = Math.abs(abs / ll);
      // hand over to quasi-Newton once EM slows down (EMA); pure EM runs to its own criteria
      if (it > 0 && abs < lim.logCriterion && rel < lim.rlogCriterion) break;
      if (opts.algorithm === 'EMA' && it > 0 && rel < EMA_SWITCH) break;
      prev = ll;
      mStep(m, plan, theta, post, opts.link, bound, opts.minVariance);
    }
    ll = evalLL(o, theta, post);
  }
  // ---- quasi-Newton phase; bfgs leaves the gradient at its final theta in g (each evaluation is
  // expensive with numerical integration: none is repeated)
  if (opts.algorithm !== 'EM' && (!em || Number.isFinite(ll))) {
    const r = bfgs(o, theta, lim, bound, record, g, !em);
    ll = r.ll;
    if (!em) ll0 = r.ll0;
    if (r.untrusted) return { theta, ll, converged: false, gradNorm: Infinity, iterations, atBound: [], ll0, untrusted: true };
  } else ll = evalGrad(o, theta, g);
  const gradNorm = Number.isFinite(ll) ? maxAbsGrad(o, theta, g, bound) : Infinity;
  const last = iterations[iterations.length - 1];
  const converged = Number.isFinite(ll) && gradNorm < Math.max(lim.derivative, 1e-6) * 10 && (!last || Math.abs(last.absChange) < Math.max(lim.logCriterion, 1e-3));
  const atBound: number[] = [];
  for (let j = 0; j < m.nFree; j++) if (o.bounded[j] && Math.abs(theta[j]!) >= bound - 1e-6) atBound.push(j);
  return { theta, ll, converged, gradNorm, iterations, atBound, ll0 };
}

/** BFGS maximization of l in place from its first evaluation at theta; returns the final l (and the
 *  first, ll0), with the gradient at the final theta in g. */
function bfgs(o: Objective, theta: Float64Array, lim: RunLimits, bound: number, record: (ll: number, prev: number, alg: 'QN') => void, g: Float64Array, checkTrust = false): { ll: number; ll0: number; untrusted?: boolean } {
  const p = theta.length;
  const N = o.m.n;
  const gNew = new Float64Array(p), dir = new Float64Array(p), trial = new Float64Array(p);
  const s = new Float64Array(p), yv = new Float64Array(p), Hy = new Float64Array(p);
  let ll = evalGrad(o, theta, g);
  const ll0 = ll;
  if (checkTrust && outsideTrust(lim, ll)) return { ll, ll0, untrusted: true };
  if (!Number.isFinite(ll) || p === 0) return { ll, ll0 };
  // H approximates the inverse of the negative Hessian of l / N
  const H = new Float64Array(p * p);
  const resetH = () => { H.fill(0); for (let j = 0; j < p; j++) H[j * p + j] = 1; };
  resetH();
  let first = true;
  if (o.qnH && o.qnH.length === p * p) { H.set(o.qnH); first = false; }
  for (let it = 0; it < lim.qnIterations; it++) {
    const gn = maxAbsGrad(o, theta, g, bound);
    if (gn < lim.qnDerivative) break;
    for (let a = 0; a < p; a++) { let v = 0; for (let b = 0; b < p; b++) v += H[a * p + b]! * g[b]!; dir[a] = v / N; }
    for (let j = 0; j < p; j++) if (o.bounded[j] && Math.abs(theta[j]!) >= bound - 1e-9 && dir[j]! * theta[j]! > 0) dir[j] = 0;
    let slope = 0;
    for (let j = 0; j < p; j++) slope += dir[j]! * g[j]!;
    if (!(slope > 0)) { if (first) break; resetH(); first = true; it--; continue; }
    // initial step: at most a unit change per parameter on the first iteration
    let step = 1;
    if (first) { let mx = 0; for (let j = 0; j < p; j++) mx = Math.max(mx, Math.abs(dir[j]!)); if (mx > 1) step = 1 / mx; }
    let accepted = false, llNew = -Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let j = 0; j < p; j++) {
        let v = theta[j]! + step * dir[j]!;
        if (o.bounded[j]) v = Math.min(Math.max(v, -bound), bound);
        trial[j] = v;
      }
      llNew = evalGrad(o, trial, gNew);
      if (Number.isFinite(llNew) && llNew >= ll + 1e-4 * step * slope) { accepted = true; break; }
      if (Number.isFinite(llNew) && llNew > ll && ls > 20) { accepted = true; break; }
      step *= 0.5;
    }
    if (!accepted) { if (first) break; resetH(); first = true; continue; }
    // BFGS update on the negative log-likelihood / N
    let sy = 0;
    for (let j = 0; j < p; j++) { s[j] = trial[j]! - theta[j]!; yv[j] = -(gNew[j]! - g[j]!) / N; sy += s[j]! * yv[j]!; }
    if (sy > 1e-12) {
      if (first) {
        // scale the initial matrix (Nocedal & Wright 6.20)
        let yy = 0; for (let j = 0; j < p; j++) yy += yv[j]! * yv[j]!;
        const gam = sy / yy;
        for (let j = 0; j < p * p; j++) H[j] = H[j]! * gam;
      }
      let yHy = 0;
      for (let a = 0; a < p; a++) { let v = 0; for (let b = 0; b < p; b++) v += H[a * p + b]! * yv[b]!; Hy[a] = v; yHy += yv[a]! * v; }
      const c1 = (sy + yHy) / (sy * sy);
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) H[a * p + b] += c1 * s[a]! * s[b]! - (Hy[a]! * s[b]! + s[a]! * Hy[b]!) / sy;
    }
    first = false;
    theta.set(trial);
    g.set(gNew);
    const prev = ll;
    ll = llNew;
    record(ll, prev, 'QN');
    if (ll - prev < 1e-12 * Math.abs(ll) && maxAbsGrad(o, theta, g, bound) < lim.qnDerivative * 10) break;
  }
  if (o.intg) o.qnH = first ? null : Float64Array.from(H);
  return { ll, ll0 };
}

/** Maximum number of adapt-and-optimize phases with numerical integration. */
const MAX_PHASES = 8;
/** Coarse stage: quasi-Newton iterations before BFGS's matrix is replaced (coarseStage). */
const CURVATURE_AFTER = 30;
/** Largest difference between the coarse and the requested rule's loglikelihood at the coarse optimum for
 *  which the requested rule continues from there ([ours]; NELS B3: 0.09, Model 6: 6.1). */
const COARSE_TRUST = 1;

/**
 * The optimizer for every model: runEMA directly without random effects; with numerical
 * integration, phases of runEMA with frozen quadrature nodes, re-centring the (adaptive) nodes at
 * the current solution between phases until the loglikelihood moves less than LOGCRITERION.
 *
 * Coarse-to-fine ([ours]): when `o.coarse` is set (adaptive integration with a large rule, see
 * estimate.ts), the phases run first with that cheap adaptive rule, then continue with the requested
 * rule from the coarse optimum, its adaptive proposals and BFGS matrix. The answer is the maximum
 * of the requested rule's likelihood; the coarse rule only supplies a good starting point, so that
 * the expensive rule needs few iterations.
 */
export function optimize(o: Objective, plan: EMPlan, theta0: Float64Array, opts: EstimationOptions, lim: RunLimits, post: Float64Array): RunResult {
  if (!o.intg) return runEMA(o, plan, theta0, opts, lim, post);
  const fine = o.intg;
  o.qnH = null;
  if (!o.coarse) return phases(o, plan, theta0, opts, lim, post, false, MAX_PHASES);
  try {
    o.intg = o.coarse;
    setTheta(o.m, theta0);
    const placed = placeProposals(o.m, o.ws, o.coarse);
    const c = placed ? coarseStage(o, plan, theta0, opts, lim, post) : phases(o, plan, theta0, opts, lim, post, false, MAX_PHASES);
    if (lim.coarseOnly || !Number.isFinite(c.ll)) return c;
    setTheta(o.m, c.theta);
    copyProposals(o.m, o.coarse, fine);
    o.intg = fine;
    // the coarse optimum is only a good start when the coarse rule is accurate there: a rule of 5 points
    // misses e.g. the half-normal posterior of a class-logit intercept of variance 100 (second paper,
    // Model 6) and its optimum then lies far away (that variance near 1600); start afresh then
    // (checked at the fine phases' first evaluation, which costs nothing extra)
    const f = freezeProposals(o.m, o.ws, fine, true, REFRESH_PASSES) ? phases(o, plan, c.theta, opts, { ...lim, trust: { ll: c.ll, tol: COARSE_TRUST } }, post, true, MAX_PHASES, true) : null;
    if (!f || f.untrusted) { o.qnH = null; return phases(o, plan, theta0, opts, lim, post, false, MAX_PHASES); }
    for (const it of f.iterations) c.iterations.push({ ...it, iteration: c.iterations.length + 1 });
    f.iterations = c.iterations;
    return f;
  } finally {
    o.intg = fine;
  }
}

/**
 * BFGS's starting matrix from the curvature at theta: the inverse of minus the Hessian of l / N by forward
 * differences of the analytic gradient (p + 1 gradients, with the current frozen proposals); null when an
 * evaluation fails.
 */
function curvature(o: Objective, theta: Float64Array): Float64Array | null {
  const p = theta.length, N = o.m.n;
  const g0 = new Float64Array(p), g1 = new Float64Array(p), th = Float64Array.from(theta);
  if (!Number.isFinite(evalGrad(o, theta, g0))) return null;
  const A = new Matrix(p, p);
  for (let j = 0; j < p; j++) {
    const h = 1e-4 * Math.max(1, Math.abs(theta[j]!));
    th[j] = theta[j]! + h;
    const ok = Number.isFinite(evalGrad(o, th, g1));
    th[j] = theta[j]!;
    if (!ok) return null;
    for (let a = 0; a < p; a++) A.set(a, j, -(g1[a]! - g0[a]!) / (h * N));
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) { const v = 0.5 * (A.get(a, b) + A.get(b, a)); A.set(a, b, v); A.set(b, a, v); }
  // modified Newton: eigenvalues made positive (|lambda|, at least 1e-6 of the largest), so that a
  // saddle region or a flat ridge gives an ascent direction rather than no matrix at all
  return positiveInverse(A, 1, 1e-6);
}

/** scale * (V |Lambda|^-1 V') of a symmetric A (row-major p x p), each |lambda| at least floor times the
 *  largest; null when A is zero or not finite. */
function positiveInverse(A: Matrix, scale: number, floor: number): Float64Array | null {
  const p = A.rows;
  const e = new EigenvalueDecomposition(A, { assumeSymmetric: true });
  const lam = e.realEigenvalues, V = e.eigenvectorMatrix;
  const top = Math.max(...lam.map(Math.abs));
  if (!(top > 0) || !Number.isFinite(top)) return null;
  const Hi = new Float64Array(p * p);
  for (let k = 0; k < p; k++) {
    const inv = scale / Math.max(Math.abs(lam[k]!), floor * top);
    for (let a = 0; a < p; a++) { const va = V.get(a, k) * inv; if (va === 0) continue; for (let b = 0; b < p; b++) Hi[a * p + b] += va * V.get(b, k); }
  }
  return Hi;
}

/**
 * BFGS's starting matrix from the outer product of the clusters' scores at theta (BHHH: Berndt, Hall, Hall
 * & Hausman 1974): N (sum_j s_j s_j')^-1, the cross-product estimate of the information per person,
 * inverted with its eigenvalues bounded below (1e-8 of the largest); the cost of one gradient evaluation
 * (the curvature by differences costs p + 1); null when an evaluation fails.
 */
function bhhh(o: Objective, theta: Float64Array): Float64Array | null {
  const p = theta.length, N = o.m.n;
  setTheta(o.m, theta);
  let sc: Float64Array;
  try { sc = clusterScores(o.m, o.ws, o.intg!); } catch { return null; }
  if (!sc.every(Number.isFinite)) return null;
  const J = sc.length / p;
  const A = new Matrix(p, p);
  for (let j = 0; j < J; j++) {
    const r = j * p;
    for (let a = 0; a < p; a++) { const va = sc[r + a]!; if (va === 0) continue; for (let b = 0; b <= a; b++) A.set(a, b, A.get(a, b) + va * sc[r + b]!); }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) A.set(b, a, A.get(a, b));
  return positiveInverse(A, N, 1e-8);
}

/**
 * The coarse stage ([ours]): one phase of at most CURVATURE_AFTER quasi-Newton iterations; if it did not
 * converge and the limits allow more, BFGS's matrix is replaced by the BHHH matrix there (the clusters'
 * score cross-products, see bhhh; the curvature by differences when that fails); then adapt-and-optimize
 * phases to convergence. Two-level mixtures have long flat ridges (e.g. a between-level intercept
 * variance against the class composition of the clusters) along which BFGS building its own curvature
 * crept for hundreds of iterations (NELS B3: 360 iterations). NELS B3, one start: the curvature after 30
 * iterations (43 extra gradients, 15.5 s) took 84 iterations and 88.7 s of CPU; BHHH (one evaluation,
 * 2.2 s) 77 iterations and 68 s. BHHH from the start point instead of after 30 iterations failed there:
 * far from the optimum the cross-products are a poor Hessian and the run wandered off.
 */
function coarseStage(o: Objective, plan: EMPlan, theta0: Float64Array, opts: EstimationOptions, lim: RunLimits, post: Float64Array): RunResult {
  const cap = Math.min(lim.qnIterations, CURVATURE_AFTER);
  const first = phases(o, plan, theta0, opts, { ...lim, qnIterations: cap }, post, true, 1);
  if (!Number.isFinite(first.ll)) return first;
  if (lim.coarseOnly && lim.qnIterations <= cap) {
    // random starts' initial stage (STITERATIONS iterations): one phase, ranked by the loglikelihood
    // with the nodes re-centred at its end (the frozen approximation's value is not comparable across starts)
    setTheta(o.m, first.theta);
    first.ll = freezeProposals(o.m, o.ws, o.intg!, true, REFRESH_PASSES) ? evalLL(o, first.theta) : -Infinity;
    return first;
  }
  if (!first.converged && lim.qnIterations > cap) {
    setTheta(o.m, first.theta);
    if (freezeProposals(o.m, o.ws, o.intg!, true, REFRESH_PASSES)) o.qnH = bhhh(o, first.theta) ?? curvature(o, first.theta) ?? o.qnH;
  }
  const r = phases(o, plan, first.theta, opts, lim, post, true, MAX_PHASES);
  r.iterations = [...first.iterations, ...r.iterations.map((it, i) => ({ ...it, iteration: first.iterations.length + i + 1 }))];
  return r;
}

/** The loglikelihood at a run's start point, from the run itself when it was its first evaluation. */
function firstLL(o: Objective, r: RunResult, theta0: Float64Array): number {
  return r.ll0 !== undefined && !Number.isNaN(r.ll0) ? r.ll0 : evalLL(o, theta0);
}

/** Adapt-and-optimize phases with o.intg; `adapted`: the proposals already sit at theta0's posterior. */
function phases(o: Objective, plan: EMPlan, theta0: Float64Array, opts: EstimationOptions, lim: RunLimits, post: Float64Array, adapted: boolean, maxPhases: number, frozen = false): RunResult {
  const st = o.intg!;
  setTheta(o.m, theta0);
  if (!frozen && !freezeProposals(o.m, o.ws, st, adapted, REFRESH_PASSES)) return runEMA(o, plan, theta0, opts, lim, post);
  let res = runEMA(o, plan, theta0, opts, lim, post);
  if (res.untrusted) return res;
  if (lim.trust) lim = { ...lim, trust: undefined };
  const its = [...res.iterations];
  for (let phase = 1; phase < maxPhases && Number.isFinite(res.ll); phase++) {
    setTheta(o.m, res.theta);
    // the first adaptation starts from the prior and needs many re-centring passes, later ones few
    if (!freezeProposals(o.m, o.ws, st, true, phase === 1 && !adapted ? undefined : REFRESH_PASSES)) break;
    const next = runEMA(o, plan, res.theta, opts, lim, post);
    // the loglikelihood at the phase's start with the re-centred nodes (the phase's first evaluation)
    const before = firstLL(o, next, res.theta);
    for (const it of next.iterations) its.push({ ...it, iteration: its.length + 1 });
    const moved = Math.abs(next.ll - before) + Math.abs(before - res.ll);
    res = next;
    if (moved < Math.max(lim.logCriterion, 1e-6)) break;
  }
  res.iterations = its;
  return res;
}
