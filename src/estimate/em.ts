// Closed-form (or one-Newton-step) M steps of the EM algorithm for the blocks where they exist
// (estimation.md §5.1). Each block increases the complete-data Q function given the posteriors, so
// EM with any subset of blocks is a generalized EM (monotone); parameters of blocks without an M
// step here (factor models, thresholds with covariates, nominal outcomes, parameters shared across
// blocks by labels) stay put in EM and are optimized by the quasi-Newton phase.
//
// Blocks:
//   class logits      [c#k] (closed form without covariates) and c ON x (one Newton step, step halving)
//   continuous y_p    weighted least squares for nu / B of y_p (diagonal Theta, no factors), then the
//                     residual variance(s) of y_p from the weighted residuals (floored)
//   categorical u_r   thresholds without covariates: link inverse of weighted cumulative proportions

import type { CompiledModel } from './compile.js';
import { solveSPD } from './linalg.js';
import { linkInverse } from './starts.js';

interface ContBlock { p: number; pars: number[]; varPars: number[] }
interface CatBlock { r: number; groups: Array<{ classes: number[]; pars: number[] }> }
interface LogitBlock { slots: number[]; closedForm: boolean; pars: number[] }

export interface EMPlan {
  cont: ContBlock[];
  cat: CatBlock[];
  logit: LogitBlock | null;
  /** true when at least one block has an M step (otherwise EM is skipped) */
  any: boolean;
}

/** Slots of each free parameter. */
function slotsOfPar(m: CompiledModel): number[][] {
  const out: number[][] = Array.from({ length: m.nFree }, () => []);
  for (let s = 0; s < m.nSlots; s++) { const j = m.slotPar[s]!; if (j >= 0) out[j]!.push(s); }
  return out;
}

export function planEM(m: CompiledModel, link: 'logit' | 'probit'): EMPlan {
  const { K, P, X, F } = m;
  const sop = slotsOfPar(m);
  const exclusive = (pars: number[], allowed: Set<number>) => pars.every((j) => sop[j]!.every((s) => allowed.has(s)));
  const cont: ContBlock[] = [];
  if (F === 0) {
    for (let p = 0; p < P; p++) {
      let ok = true;
      const meanSlots = new Set<number>(), varSlots = new Set<number>();
      for (let k = 0; k < K; k++) {
        const s = m.nu[k * P + p]!; if (s >= 0) meanSlots.add(s);
        for (let q = 0; q < X; q++) { const b = m.B[(k * P + p) * X + q]!; if (b >= 0) meanSlots.add(b); }
        for (let r = 0; r < P; r++) if (r !== p && m.theta[k * P * P + p * P + r]! >= 0) ok = false;
        const v = m.theta[k * P * P + p * P + p]!; if (v < 0) ok = false; else varSlots.add(v);
      }
      const pars = [...new Set([...meanSlots].map((s) => m.slotPar[s]!).filter((j) => j >= 0))];
      const varPars = [...new Set([...varSlots].map((s) => m.slotPar[s]!).filter((j) => j >= 0))];
      if (ok && exclusive(pars, meanSlots) && exclusive(varPars, varSlots)) cont.push({ p, pars, varPars });
    }
  }
  const cat: CatBlock[] = [];
  if (link === 'logit' || link === 'probit') {
    m.cat.forEach((it, r) => {
      const R = m.cat.length;
      for (let k = 0; k < K; k++) for (let q = 0; q < X; q++) if (m.catB[(k * R + r) * X + q]! >= 0) return;
      const slots = new Set<number>();
      const classPars: number[][] = [];
      for (let k = 0; k < K; k++) {
        const ps: number[] = [];
        for (let s = 0; s < it.nCat - 1; s++) { const sl = m.tau[k * m.nTau + it.offset + s]!; slots.add(sl); ps.push(m.slotPar[sl]!); }
        if (ps.some((j) => j < 0)) return;
        classPars.push(ps);
      }
      // classes sharing thresholds must share all of them
      const groups = new Map<string, { classes: number[]; pars: number[] }>();
      for (let k = 0; k < K; k++) {
        const key = classPars[k]!.join(',');
        if (!groups.has(key)) groups.set(key, { classes: [], pars: classPars[k]! });
        groups.get(key)!.classes.push(k);
      }
      const allPars = [...new Set(classPars.flat())];
      if (allPars.length !== groups.size * (it.nCat - 1)) return;
      if (!exclusive(allPars, slots)) return;
      cat.push({ r, groups: [...groups.values()] });
    });
  }
  let logit: LogitBlock | null = null;
  // with a second within class variable the class probabilities are not one softmax over the patterns:
  // its logits (and those of the first) are left to quasi-Newton
  if (K > 1 && m.K2 === 1) {
    const slots: number[] = [];
    for (let k = 0; k < K; k++) { const s = m.clsA[k]!; if (s >= 0) slots.push(s); for (let q = 0; q < X; q++) { const g = m.clsG[k * X + q]!; if (g >= 0) slots.push(g); } }
    const free = slots.filter((s) => m.slotPar[s]! >= 0);
    const pars = [...new Set(free.map((s) => m.slotPar[s]!))];
    if (free.length && exclusive(pars, new Set(slots))) {
      const noCov = free.every((s) => m.slotKind[s] === 'classA');
      const closedForm = noCov && pars.length === K - 1 && slots.length === K - 1 && free.length === K - 1 && m.known === null;
      logit = { slots: free, closedForm, pars };
    }
  }
  return { cont, cat, logit, any: cont.length + cat.length > 0 || logit !== null };
}

/** One M step on theta (free parameters, modified in place) given posteriors post (n x K). */
export function mStep(m: CompiledModel, plan: EMPlan, theta: Float64Array, post: Float64Array, link: 'logit' | 'probit', bound: number, minVar: number): void {
  const { n, K, P, X } = m;
  const val = (s: number) => (s < 0 ? 0 : m.slotPar[s]! >= 0 ? theta[m.slotPar[s]!]! : m.slotValue[s]!);
  // ---- continuous outcomes: WLS then residual variances
  for (const b of plan.cont) {
    const { p, pars } = b;
    const d = pars.length;
    const idx = new Map(pars.map((j, i) => [j, i]));
    if (d > 0) {
      const A = new Float64Array(d * d), rhs = new Float64Array(d), z = new Float64Array(d);
      // per class: column of the intercept and of each slope in the WLS design (-1: fixed or absent)
      const cNu = new Int32Array(K).fill(-1), cB = new Int32Array(K * X).fill(-1);
      for (let k = 0; k < K; k++) {
        const sNu = m.nu[k * P + p]!;
        if (sNu >= 0 && m.slotPar[sNu]! >= 0) cNu[k] = idx.get(m.slotPar[sNu]!)!;
        for (let q = 0; q < X; q++) { const sb = m.B[(k * P + p) * X + q]!; if (sb >= 0 && m.slotPar[sb]! >= 0) cB[k * X + q] = idx.get(m.slotPar[sb]!)!; }
      }
      for (let k = 0; k < K; k++) {
        const sv = val(m.theta[k * P * P + p * P + p]!);
        const sNu = m.nu[k * P + p]!;
        const offNu = sNu >= 0 && cNu[k]! < 0 ? m.slotValue[sNu]! : 0;
        for (let i = 0; i < n; i++) {
          const yv = m.y[i * P + p]!;
          const w = post[i * K + k]! / sv;
          if (Number.isNaN(yv) || w === 0) continue;
          z.fill(0);
          let off = offNu;
          if (cNu[k]! >= 0) z[cNu[k]!] += 1;
          for (let q = 0; q < X; q++) {
            const xv = m.x[i * X + q]!, c = cB[k * X + q]!;
            if (c >= 0) z[c] += xv;
            else { const sb = m.B[(k * P + p) * X + q]!; if (sb >= 0) off += m.slotValue[sb]! * xv; }
          }
          const r = yv - off;
          for (let a = 0; a < d; a++) { const za = z[a]!; if (za === 0) continue; rhs[a] += w * za * r; for (let c = 0; c < d; c++) A[a * d + c] += w * za * z[c]!; }
        }
      }
      if (solveSPD(A, rhs, d)) for (let a = 0; a < d; a++) theta[pars[a]!] = rhs[a]!;
    }
    // residual variances
    const bK = new Float64Array(X);
    const num = new Map<number, number>(), den = new Map<number, number>();
    for (let k = 0; k < K; k++) {
      const sv = m.theta[k * P * P + p * P + p]!;
      const j = m.slotPar[sv]!;
      if (j < 0) continue;
      let sn = 0, sd = 0;
      const nuK = val(m.nu[k * P + p]!);
      for (let q = 0; q < X; q++) bK[q] = val(m.B[(k * P + p) * X + q]!);
      for (let i = 0; i < n; i++) {
        const yv = m.y[i * P + p]!;
        const w = post[i * K + k]!;
        if (Number.isNaN(yv) || w === 0) continue;
        let mu = nuK;
        for (let q = 0; q < X; q++) mu += bK[q]! * m.x[i * X + q]!;
        sn += w * (yv - mu) ** 2;
        sd += w;
      }
      num.set(j, (num.get(j) ?? 0) + sn);
      den.set(j, (den.get(j) ?? 0) + sd);
    }
    for (const [j, s] of num) if (den.get(j)! > 0) theta[j] = Math.max(s / den.get(j)!, minVar);
  }
  // ---- thresholds without covariates
  const R = m.cat.length;
  for (const b of plan.cat) {
    const it = m.cat[b.r]!;
    for (const g of b.groups) {
      const cnt = new Float64Array(it.nCat);
      let tot = 0;
      for (const k of g.classes)
        for (let i = 0; i < n; i++) { const c = m.u[i * R + b.r]!; if (c >= 0) { const w = post[i * K + k]!; cnt[c] += w; tot += w; } }
      if (!(tot > 0)) continue;
      let cum = 0;
      for (let s = 0; s < it.nCat - 1; s++) {
        cum += cnt[s]!;
        let t = linkInverse(link, cum / tot);
        if (link === 'logit') t = Math.min(Math.max(t, -bound), bound);
        theta[g.pars[s]!] = t;
      }
    }
  }
  // ---- class logits
  const lb = plan.logit;
  if (lb) {
    if (lb.closedForm) {
      const nk = new Float64Array(K);
      for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) nk[k] += post[i * K + k]!;
      for (let k = 0; k < K - 1; k++) {
        const s = m.clsA[k]!;
        theta[m.slotPar[s]!] = Math.log(Math.max(nk[k]!, 1e-10) / Math.max(nk[K - 1]!, 1e-10));
      }
    } else logitNewton(m, lb, theta, post);
  }
}

/** Q(theta) for the class-logit block and one Newton step with step halving. */
function logitNewton(m: CompiledModel, lb: LogitBlock, theta: Float64Array, post: Float64Array): void {
  const { n, K, X } = m;
  const d = lb.pars.length;
  const pidx = new Map(lb.pars.map((j, i) => [j, i]));
  const logits = new Float64Array(K), pi = new Float64Array(K);
  const cA = new Float64Array(K), cG = new Float64Array(K * X);
  const val = (th: Float64Array, s: number) => (s < 0 ? 0 : m.slotPar[s]! >= 0 ? th[m.slotPar[s]!]! : m.slotValue[s]!);
  const load = (th: Float64Array) => {
    for (let k = 0; k < K; k++) { cA[k] = val(th, m.clsA[k]!); for (let q = 0; q < X; q++) cG[k * X + q] = val(th, m.clsG[k * X + q]!); }
  };
  /** class probabilities of person i into pi (coefficients from load()); returns the log normalizer */
  const probs = (i: number) => {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) {
      let z = cA[k]!;
      for (let q = 0; q < X; q++) z += cG[k * X + q]! * m.x[i * X + q]!;
      logits[k] = z; if (z > mx) mx = z;
    }
    let s = 0;
    for (let k = 0; k < K; k++) { pi[k] = Math.exp(logits[k]! - mx); s += pi[k]!; }
    for (let k = 0; k < K; k++) pi[k] = pi[k]! / s;
    return mx + Math.log(s);
  };
  const qTerm = (i: number, lse: number) => { let q = 0; for (let k = 0; k < K; k++) { const w = post[i * K + k]!; if (w > 0) q += w * (logits[k]! - lse); } return q; };
  const Q = (th: Float64Array) => { load(th); let q = 0; for (let i = 0; i < n; i++) q += qTerm(i, probs(i)); return q; };
  // slot -> (class, covariate or -1)
  const sk = lb.slots.map((s) => {
    for (let k = 0; k < K; k++) { if (m.clsA[k] === s) return [k, -1] as const; for (let q = 0; q < X; q++) if (m.clsG[k * X + q] === s) return [k, q] as const; }
    return [0, -1] as const;
  });
  const g = new Float64Array(d), H = new Float64Array(d * d);
  const ns = lb.slots.length;
  const sCls = Int32Array.from(sk, (v) => v[0]), sCov = Int32Array.from(sk, (v) => v[1]);
  const sCol = Int32Array.from(lb.slots, (s) => pidx.get(m.slotPar[s]!)!);
  const z = new Float64Array(ns);
  let q0 = 0;
  load(theta);
  for (let i = 0; i < n; i++) {
    q0 += qTerm(i, probs(i));
    for (let a = 0; a < ns; a++) z[a] = sCov[a]! < 0 ? 1 : m.x[i * X + sCov[a]!]!;
    for (let a = 0; a < ns; a++) {
      const ka = sCls[a]!, za = z[a]!, ja = sCol[a]!;
      g[ja] += (post[i * K + ka]! - pi[ka]!) * za;
      for (let b = 0; b < ns; b++) {
        const kb = sCls[b]!;
        H[ja * d + sCol[b]!] += za * z[b]! * (pi[ka]! * ((ka === kb ? 1 : 0) - pi[kb]!));
      }
    }
  }
  for (let a = 0; a < d; a++) H[a * d + a] += 1e-10;
  if (!solveSPD(H, g, d)) return;
  const trial = Float64Array.from(theta);
  for (let step = 1; step > 1e-4; step /= 2) {
    for (let a = 0; a < d; a++) trial[lb.pars[a]!] = theta[lb.pars[a]!]! + step * g[a]!;
    if (Q(trial) >= q0) { for (let a = 0; a < d; a++) theta[lb.pars[a]!] = trial[lb.pars[a]!]!; return; }
  }
}
