// Starting values (estimation.md §4.1) and random-start perturbations (§4.2).
//
// Rows the user gave a value for (`*v`) keep it. Other free parameters start from the data:
// means/intercepts of continuous outcomes at the sample mean, variances at the sample variance
// (mixtures) or half of it, thresholds at the logit (probit) of the cumulative sample proportion,
// loadings at 1, factor variances at 0.05, everything else at 0. Class-varying means and
// thresholds are spread over the classes with offsets d_k = (K + 1 - 2k)/(K - 1) sd ([ours]).
// Random starts perturb means, intercepts, thresholds, logits, slopes and loadings by
// sd * U(-STSCALE/2, STSCALE/2); variances and covariances keep their start values.

import { mersenne } from 'pure-rand/generator/mersenne';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { CompiledModel } from './compile.js';

interface VarStats { mean: number; sd: number; variance: number }

function contStats(m: CompiledModel, p: number): VarStats {
  let s = 0, s2 = 0, c = 0;
  for (let i = 0; i < m.n; i++) { const v = m.y[i * m.P + p]!; if (!Number.isNaN(v)) { s += v; s2 += v * v; c++; } }
  const mean = c ? s / c : 0;
  const variance = c > 1 ? Math.max((s2 - c * mean * mean) / c, 1e-4) : 1;
  return { mean, sd: Math.sqrt(variance), variance };
}

function qnorm(p: number): number {
  // Acklam's rational approximation (|error| < 1.2e-9), enough for start values
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) { const q = Math.sqrt(-2 * Math.log(p)); return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1); }
  if (p > 1 - pl) return -qnorm(1 - p);
  const q = p - 0.5, r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Link inverse used for threshold starts and the closed-form threshold M step. */
export function linkInverse(link: 'logit' | 'probit', p: number): number {
  const q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return link === 'logit' ? Math.log(q / (1 - q)) : qnorm(q);
}

/** Which class each slot belongs to (its position in the per-class arrays), and a scale for perturbation. */
function slotInfo(m: CompiledModel): { cls: Int32Array; scale: Float64Array; kind: string[]; target: Int32Array } {
  const cls = new Int32Array(m.nSlots).fill(-1), scale = new Float64Array(m.nSlots).fill(1), target = new Int32Array(m.nSlots).fill(-1);
  const { K, P, X, F } = m;
  const mark = (arr: Int32Array, perClass: number, tgt?: (pos: number) => number) => {
    for (let k = 0; k < K; k++) for (let j = 0; j < perClass; j++) { const s = arr[k * perClass + j]!; if (s >= 0) { cls[s] = k; if (tgt) target[s] = tgt(j); } }
  };
  mark(m.nu, P, (j) => j);
  mark(m.nuB, P, (j) => j);
  mark(m.H, P * m.D);
  mark(m.alphaB, m.D);
  mark(m.B, P * X);
  mark(m.lam, P * F);
  mark(m.alpha, F);
  mark(m.gam, F * X);
  mark(m.psi, F * F);
  mark(m.theta, P * P, (j) => (Math.floor(j / P) === j % P ? j % P : -2));
  mark(m.tau, m.nTau, (j) => j);
  mark(m.catB, m.cat.length * X);
  mark(m.nomA, m.nNomA);
  mark(m.nomB, m.nNomA * X);
  return { cls, scale, kind: m.slotKind, target };
}

/** Default start vector (free parameters, TECH1 order). */
export function defaultStarts(m: CompiledModel, link: 'logit' | 'probit', mixture: boolean): Float64Array {
  const twoLevel = m.clusters !== null;
  const th = new Float64Array(m.nFree);
  const info = slotInfo(m);
  const stats = Array.from({ length: m.P }, (_, p) => contStats(m, p));
  // thresholds from cumulative proportions
  const tauHat = new Float64Array(m.nTau);
  m.cat.forEach((it, r) => {
    const cnt = new Float64Array(it.nCat);
    let tot = 0;
    for (let i = 0; i < m.n; i++) { const c = m.u[i * m.cat.length + r]!; if (c >= 0) { cnt[c]++; tot++; } }
    let cum = 0;
    for (let s = 0; s < it.nCat - 1; s++) { cum += cnt[s]!; tauHat[it.offset + s] = linkInverse(link, cum / Math.max(tot, 1)); }
  });
  // is a slot's parameter class-varying? (its par appears in only one class)
  const parClasses = new Map<number, Set<number>>();
  for (let s = 0; s < m.nSlots; s++) { const j = m.slotPar[s]!; if (j < 0) continue; if (!parClasses.has(j)) parClasses.set(j, new Set()); parClasses.get(j)!.add(info.cls[s]!); }
  const K = m.K;
  const spread = (k: number, n: number) => (n > 1 ? (n + 1 - 2 * (k + 1)) / (n - 1) : 0);
  // a class-varying parameter is spread over the classes it varies across: the within classes, the
  // between classes, or (when it varies across both) the class patterns
  const classSet = (j: number) => [...(parClasses.get(j) ?? [])];
  const dk = (k: number, j: number): number => {
    if (m.classVars.length <= 1) return spread(k, K);
    // spread over the class variable the parameter varies across: the one whose class is the same in
    // every pattern the parameter belongs to, when it covers all patterns of that class
    const ks = classSet(j);
    for (const v of m.classVars) if (ks.every((c) => v.of[c] === v.of[ks[0]!]) && ks.length * v.n === K) return spread(v.of[k]!, v.n);
    return spread(k, K);
  };
  const done = new Set<number>();
  for (let s = 0; s < m.nSlots; s++) {
    const j = m.slotPar[s]!;
    if (j < 0 || done.has(j)) continue;
    done.add(j);
    const row = m.parRow[j]!;
    if (row.userValue) { th[j] = row.value; continue; }
    const varying = K > 1 && (m.classVars.length <= 1 ? (parClasses.get(j)?.size ?? 0) === 1 : (parClasses.get(j)?.size ?? 0) < K);
    const k = Math.max(info.cls[s]!, 0);
    const kind = m.slotKind[s]!;
    let v = 0;
    if (kind === 'nu' || kind === 'nuB') { const st = stats[info.target[s]!]!; v = st.mean + (varying ? dk(k, j) * st.sd : 0); }
    else if (kind === 'theta') { const p = info.target[s]!; v = p >= 0 ? (mixture && !twoLevel ? 1 : 0.5) * stats[p]!.variance : 0; }
    else if (kind === 'H' || kind === 'G') v = 1;
    else if (kind === 'psiB') v = row.kind === 'covariance' ? 0 : row.lhs.includes('#') ? 1 : randomInterceptStart(m, row.lhs) ?? 0.05;
    else if (kind === 'tau') v = tauHat[info.target[s]!]! - (varying ? dk(k, j) : 0);
    else if (kind === 'lambda') v = 1;
    else if (kind === 'psi') v = row.kind === 'covariance' ? 0 : 0.05;
    th[j] = v;
  }
  return th;
}

/**
 * Start of the between-level variance of the random intercept of a continuous outcome: half the variance
 * of its cluster means ([ours], like Mplus's half the sample variance for within-level residual
 * variances; the cluster means' variance also holds sigma_W / n and, in a mixture, the spread of the
 * class composition). Mplus's 0.05 (its between-factor start, ex10.4) is far too small for an outcome
 * like HSB's mathach (between variance about 9); the full variance of the cluster means leads NELS B3
 * to a local maximum 70 loglikelihood units lower, where the random intercept soaks up the classes.
 * null when the name is not a continuous outcome or there are no clusters.
 */
function randomInterceptStart(m: CompiledModel, name: string): number | null {
  const p = m.contNames.indexOf(name);
  if (p < 0 || !m.clusters) return null;
  const { J, start, order } = m.clusters;
  let s = 0, s2 = 0, c = 0;
  for (let j = 0; j < J; j++) {
    let t = 0, n = 0;
    for (let r = start[j]!; r < start[j + 1]!; r++) { const v = m.y[order[r]! * m.P + p]!; if (!Number.isNaN(v)) { t += v; n++; } }
    if (n === 0) continue;
    const mean = t / n;
    s += mean; s2 += mean * mean; c++;
  }
  if (c < 2) return null;
  const v = (0.5 * (s2 - (s * s) / c)) / (c - 1);
  return v > 0.05 ? v : 0.05;
}

/** Per free parameter: perturbation scale (0 = not perturbed). */
export function perturbationScales(m: CompiledModel): Float64Array {
  const sc = new Float64Array(m.nFree);
  const info = slotInfo(m);
  const stats = Array.from({ length: m.P }, (_, p) => contStats(m, p));
  for (let s = 0; s < m.nSlots; s++) {
    const j = m.slotPar[s]!;
    if (j < 0) continue;
    const kind = m.slotKind[s]!;
    if (kind === 'theta' || kind === 'psi') continue;
    if (kind === 'psiB') continue;
    sc[j] = kind === 'nu' || kind === 'nuB' ? stats[info.target[s]!]!.sd : 1;
  }
  return sc;
}

/** Seeds of the initial-stage start sets 2..n1 (set 1 is the unperturbed start), derived from STSEED. */
export function startSeeds(stSeed: number, n1: number): number[] {
  const rng = mersenne(stSeed);
  const out: number[] = [];
  for (let s = 0; s < n1; s++) out.push(uniformInt(rng, 1, 999999));
  return out;
}

/** Perturbed copy of theta: theta + scale * U(-STSCALE/2, STSCALE/2), from the generator seeded with `seed`. */
export function perturb(theta: Float64Array, scales: Float64Array, stScale: number, seed: number): Float64Array {
  const rng = mersenne(seed);
  const out = Float64Array.from(theta);
  for (let j = 0; j < theta.length; j++) {
    const u = uniformFloat64(rng) - 0.5;
    if (scales[j]! > 0) out[j] = theta[j]! + scales[j]! * stScale * u;
  }
  return out;
}
