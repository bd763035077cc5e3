// Default starting values (the `value` of free rows without a user `*v`), as
// Mplus computes them where we have seen it in TECH1 "STARTING VALUES":
//  - residual variances of continuous outcomes: half the sample variance (n denominator) [10.4 within THETA];
//  - means / intercepts of continuous outcomes: the sample mean [10.4 between NU];
//  - loadings 1, latent (residual) variances 0.05, means of latent variables 0 [10.4 LAMBDA, PSI, ALPHA];
//  - class logits 0 [7.3, 10.4 ALPHA(C)];
//  - binary LCA thresholds, class-varying: -logit(P(u = 0)) + d_k with d_1 = +1, d_K = -1 [7.3: U1 has
//    P(u = 0) = 0.678, starts 0.255 and -1.745 (Mplus 8.8)].
// Where Mplus is unknown [ours]: class-varying means start at mean + d_k * sd with d_k = (K + 1 - 2k)/(K - 1)
// (estimation.md §4.1); class-invariant thresholds at logit of the cumulative proportion (Mplus 7.31 CFA
// output); ordinal class-varying thresholds at logit(cumulative) - d_k; random-slope and random class-logit
// variances 0.05 like other latent variances; regressions and covariances 0. Without data: means 0, variances 1.

import type { DataColumn } from '../data/dataset.js';
import type { ModelIR, ParamRow } from './ir.js';

interface Stats {
  mean: number;
  variance: number;
  /** proportion of each category code 0..C-1 among non-missing values */
  props: number[];
}

function columnStats(c: DataColumn | undefined): Stats | null {
  if (!c || c.values.length === 0) return null;
  let n = 0, s = 0, ss = 0;
  const counts: number[] = [];
  for (const v of c.values) {
    if (Number.isNaN(v)) continue;
    n++;
    s += v;
    ss += v * v;
    if (Number.isInteger(v) && v >= 0 && v < 100) counts[v] = (counts[v] ?? 0) + 1;
  }
  if (n === 0) return null;
  const mean = s / n;
  const C = c.categories?.length ?? counts.length;
  return { mean, variance: Math.max(ss / n - mean * mean, 0), props: Array.from({ length: C }, (_, k) => (counts[k] ?? 0) / n) };
}

const logit = (p: number) => {
  const q = Math.min(Math.max(p, 1e-4), 1 - 1e-4);
  return Math.log(q / (1 - q));
};

export function assignStarts(ir: ModelIR, columns: DataColumn[]): void {
  const stats = new Map<string, Stats | null>();
  const statOf = (name: string): Stats | null => {
    if (!stats.has(name)) {
      const o = ir.observed.find((x) => x.name === name);
      stats.set(name, o ? columnStats(columns[o.column]) : null);
    }
    return stats.get(name)!;
  };
  const obs = new Map(ir.observed.map((o) => [o.name, o]));
  // a row "varies" when its copies in other class patterns carry other parameter numbers
  const pars = new Map<string, Set<number>>();
  const baseKey = (r: ParamRow) => `${r.level}|${r.kind}|${r.lhs}|${r.rhs}|${r.index ?? ''}`;
  for (const r of ir.rows) {
    const k = baseKey(r);
    if (!pars.has(k)) pars.set(k, new Set());
    pars.get(k)!.add(r.par);
  }
  /** class offset d_k in [-1, 1] of the class variable the row varies across (0 when it does not vary) */
  const offset = (r: ParamRow): number => {
    if ((pars.get(baseKey(r))?.size ?? 1) < 2) return 0;
    for (const cv of ir.classVariables) {
      const k = r.classes[cv.name];
      if (k !== undefined && cv.nClasses > 1) return (cv.nClasses + 1 - 2 * k) / (cv.nClasses - 1);
    }
    return 0;
  };

  for (const r of ir.rows) {
    if (!Number.isNaN(r.value)) continue;
    r.value = defaultStart(r);
  }

  function defaultStart(r: ParamRow): number {
    const o = obs.get(r.lhs);
    switch (r.kind) {
      case 'mean':
      case 'intercept': {
        const nom = /^(.*)#(\d+)$/.exec(r.lhs);
        if (nom && obs.get(nom[1])?.scale === 'nominal') {
          const st = statOf(nom[1]);
          if (!st) return 0;
          const last = st.props[st.props.length - 1] || 1e-4;
          return Math.log((st.props[Number(nom[2]) - 1] || 1e-4) / last);
        }
        if (!o) return 0;
        const st = statOf(o.name);
        return st ? st.mean + offset(r) * Math.sqrt(st.variance) : 0;
      }
      case 'variance':
      case 'residualVariance': {
        if (!o || o.scale === 'categorical' || o.scale === 'nominal') return 0.05;
        const st = statOf(o.name);
        return st ? st.variance / 2 : 1;
      }
      case 'threshold': {
        const st = o ? statOf(o.name) : null;
        const d = offset(r);
        const s = r.index ?? 1;
        if (!st) return -d;
        const cum = st.props.slice(0, s).reduce((a, b) => a + b, 0);
        if (d !== 0 && (o?.nCategories ?? st.props.length) <= 2) return -logit(cum) + d;
        return logit(cum) - d;
      }
      case 'loading':
        return 1;
      default:
        return 0;
    }
  }
}
