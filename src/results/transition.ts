// LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL: P(c2 = b | c1 = a) for each pair of
// within-level class variables related by `c2 ON c1` (latent transition analysis).
//
// Mplus's parameterization (MODEL RESULTS, Categorical Latent Variables): the logit of c2 = b against
// its last class, given c1 = a, is [c2#b] + (c2#b ON c1#a), both 0 for the last class of either
// variable; the probabilities are the softmax over b. The intercepts are printed under `Intercepts`
// by plusmix and Mplus 8.8, under `Means` by Mplus 8.11's loglinear layout; both are read.
//
// With covariates in the regression of c2 (`c2 ON c1 x`) the table depends on x. Then the table is
// taken from the model-estimated class pattern counts (FINAL CLASS COUNTS ... BASED ON THE ESTIMATED
// MODEL: sums over persons of P(c1 = a | x_i) P(c2 = b | c1 = a, x_i)), P(b | a) = N(a, b) / N(a), the
// sample-averaged transition table [inferred: Mplus's rule with covariates not verified against an
// output]; without covariates this equals the closed form above.

import type { ClassCounts, ClassVariableInfo, ParameterEstimate } from './types.js';

export interface TransitionTable {
  /** the class variable of the rows (the predictor, e.g. 'C1') and of the columns ('C2'), upper case */
  from: string;
  to: string;
  /** rows: classes of `from`; columns: classes of `to`; each row sums to 1 */
  probabilities: number[][];
  /** 'parameters': the closed form from the logits; 'counts': from the model-estimated pattern counts; 'printed': read from an .out file */
  basis: 'parameters' | 'counts' | 'printed';
}

const CLASS_ROW = /^(\S+)#(\d+)$/;

/**
 * The transition tables of a result: one per (from, to) pair with `to#b ON from#a` rows, in the order
 * of the class variables (`classVariables` when known, else the order the rows appear). Empty when the
 * model has no class variable regressed on another.
 */
export function latentTransitions(params: ParameterEstimate[], classVariables?: ClassVariableInfo[], counts?: ClassCounts | null): TransitionTable[] {
  const cat = params.filter((p) => p.categoricalLatent);
  // classes per variable: from classVariables, else 1 + the largest index printed (the last class is the reference)
  const K = new Map<string, number>();
  for (const cv of classVariables ?? []) K.set(cv.name.toUpperCase(), cv.nClasses);
  const seen = (name: string, k: number) => {
    if (!classVariables?.length) K.set(name, Math.max(K.get(name) ?? 0, k + 1));
  };
  const pairs: Array<[string, string]> = [];
  for (const p of cat) {
    const on = /^(\S+)#(\d+) ON$/.exec(p.block.toUpperCase());
    const nm = CLASS_ROW.exec(p.name.toUpperCase());
    if (nm && (p.block === 'Means' || p.block === 'Intercepts')) seen(nm[1], Number(nm[2]));
    if (!on) continue;
    seen(on[1], Number(on[2]));
    if (nm && nm[1] !== on[1]) {
      seen(nm[1], Number(nm[2]));
      if (!pairs.some(([f, t]) => f === nm[1] && t === on[1])) pairs.push([nm[1], on[1]]);
    }
  }
  const order = (classVariables ?? []).map((c) => c.name.toUpperCase());
  pairs.sort((x, y) => order.indexOf(x[1]) - order.indexOf(y[1]) || order.indexOf(x[0]) - order.indexOf(y[0]));
  const out: TransitionTable[] = [];
  const level = new Map((classVariables ?? []).map((c) => [c.name.toUpperCase(), c.level]));
  for (const [from, to] of pairs) {
    // a within class variable regressed on a between-level one (`cw ON cb`, TWOLEVEL MIXTURE): the real
    // Mplus 8 output behind test/output/golden/patterns.out (CLASSES = bc(2) wc(3)) prints no table
    if (level.get(from) === 'between') continue;
    const ka = K.get(from) ?? 0;
    const kb = K.get(to) ?? 0;
    if (ka < 2 || kb < 2) continue;
    const regressors = cat.filter((p) => new RegExp(`^${escape(to)}#\\d+ ON$`, 'i').test(p.block));
    const covariates = regressors.some((p) => !CLASS_ROW.test(p.name.toUpperCase()));
    if (covariates) {
      const fromCounts = counts && classVariables ? tableFromCounts(counts, classVariables, from, to) : null;
      if (fromCounts) out.push({ from, to, probabilities: fromCounts, basis: 'counts' });
      continue;
    }
    const value = (block: (b: string) => boolean, name: string) => cat.find((p) => block(p.block) && p.name.toUpperCase() === name)?.estimate ?? 0;
    const rows: number[][] = [];
    for (let a = 1; a <= ka; a++) {
      const logits: number[] = [];
      for (let b = 1; b <= kb; b++) {
        if (b === kb) {
          logits.push(0);
          continue;
        }
        const alpha = value((x) => x === 'Intercepts' || x === 'Means', `${to}#${b}`);
        const gamma = a === ka ? 0 : value((x) => x.toUpperCase() === `${to}#${b} ON`, `${from}#${a}`);
        logits.push(alpha + gamma);
      }
      rows.push(softmax(logits));
    }
    out.push({ from, to, probabilities: rows, basis: 'parameters' });
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** P(to = b | from = a) from the model-estimated pattern counts (labels '1.2.1' in CLASSES order) */
function tableFromCounts(c: ClassCounts, cvs: ClassVariableInfo[], from: string, to: string): number[][] | null {
  if (!c.model) return null;
  const i = cvs.findIndex((v) => v.name.toUpperCase() === from);
  const j = cvs.findIndex((v) => v.name.toUpperCase() === to);
  if (i < 0 || j < 0) return null;
  const n = Array.from({ length: cvs[i].nClasses }, () => new Array<number>(cvs[j].nClasses).fill(0));
  c.labels.forEach((label, k) => {
    const parts = label.split('.').map(Number);
    n[parts[i] - 1][parts[j] - 1] += c.model![k];
  });
  return n.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((x) => (s > 0 ? x / s : NaN));
  });
}
