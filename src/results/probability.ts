// Derived tables of mixture runs with categorical indicators (logit link):
//  - RESULTS IN PROBABILITY SCALE: P(category j | class) from the class-specific thresholds,
//    P(1) = F(t1), P(j) = F(tj) - F(t(j-1)), P(m) = 1 - F(t(m-1)), F logistic;
//  - LATENT CLASS INDICATOR ODDS RATIOS: odds of "Category > j" in class a over class b,
//    exp(t_bj - t_aj), with a 95% interval computed on the log scale (as Mplus prints it).
// Standard errors by the delta method with the covariance of the free parameters; parameters
// without a covariance entry (fixed thresholds, or no covariance available) use their own S.E.
// with zero covariances.

import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type { EstimationResult, ParameterEstimate } from './types.js';

export interface ProbabilityScaleRow {
  classLabel: string | null;
  variable: string;
  categories: Array<{ label: string; estimate: number; se: number; estSe: number; pValue: number }>;
}

export interface OddsRatioComparison {
  /** e.g. 'Latent Class 1 Compared to Latent Class 2' */
  title: string;
  rows: Array<{ variable: string; label: string; estimate: number; se: number; lower: number; upper: number }>;
}

const logistic = (t: number) => 1 / (1 + Math.exp(-t));
const twoSided = (z: number) => 2 * (1 - normalCdf(Math.abs(z), 0, 1));

/** covariance of two printed parameters */
function cov(r: Pick<EstimationResult, 'covariance' | 'theta'>, a: ParameterEstimate, b: ParameterEstimate): number {
  if (a.fixed || b.fixed) return 0;
  const n = r.theta.length;
  if (r.covariance && a.par > 0 && b.par > 0 && a.par <= n && b.par <= n) return r.covariance[(a.par - 1) * n + (b.par - 1)];
  return a === b ? (Number.isFinite(a.se) ? a.se * a.se : NaN) : 0;
}

/** thresholds grouped by class and variable, in printed order */
function thresholdGroups(ps: ParameterEstimate[]): Array<{ classLabel: string | null; variable: string; t: ParameterEstimate[] }> {
  const out: Array<{ classLabel: string | null; variable: string; t: ParameterEstimate[] }> = [];
  for (const p of ps) {
    if (p.block !== 'Thresholds' || p.categoricalLatent || p.level === 'between') continue;
    const variable = p.name.replace(/\$\d+$/, '');
    let g = out.find((x) => x.classLabel === p.classLabel && x.variable === variable);
    if (!g) out.push((g = { classLabel: p.classLabel, variable, t: [] }));
    g.t.push(p);
  }
  for (const g of out) g.t.sort((a, b) => Number(a.name.split('$')[1]) - Number(b.name.split('$')[1]));
  return out;
}

export function probabilityScale(r: Pick<EstimationResult, 'parameters' | 'covariance' | 'theta'>): ProbabilityScaleRow[] {
  return thresholdGroups(r.parameters).map((g) => {
    const m = g.t.length + 1;
    const F = g.t.map((p) => logistic(p.estimate));
    const dens = F.map((f) => f * (1 - f));
    const categories = [];
    for (let j = 0; j < m; j++) {
      const upper = j < m - 1 ? F[j] : 1;
      const lower = j > 0 ? F[j - 1] : 0;
      const est = upper - lower;
      // gradient: +f(t_j) for the upper threshold, -f(t_(j-1)) for the lower one
      const grad: Array<[ParameterEstimate, number]> = [];
      if (j < m - 1) grad.push([g.t[j], dens[j]]);
      if (j > 0) grad.push([g.t[j - 1], -dens[j - 1]]);
      let v = 0;
      for (const [a, ga] of grad) for (const [b, gb] of grad) v += ga * gb * cov(r, a, b);
      const se = Math.sqrt(v);
      const z = est / se;
      categories.push({ label: String(j + 1), estimate: est, se, estSe: z, pValue: twoSided(z) });
    }
    return { classLabel: g.classLabel, variable: g.variable, categories };
  });
}

export function indicatorOddsRatios(r: Pick<EstimationResult, 'parameters' | 'covariance' | 'theta'>): OddsRatioComparison[] {
  const groups = thresholdGroups(r.parameters);
  const classes = [...new Set(groups.map((g) => g.classLabel))].filter((c): c is string => c !== null);
  const out: OddsRatioComparison[] = [];
  for (let a = 0; a < classes.length; a++) {
    for (let b = a + 1; b < classes.length; b++) {
      const rows: OddsRatioComparison['rows'] = [];
      for (const ga of groups.filter((g) => g.classLabel === classes[a])) {
        const gb = groups.find((g) => g.classLabel === classes[b] && g.variable === ga.variable);
        if (!gb) continue;
        ga.t.forEach((ta, j) => {
          const tb = gb.t[j];
          const d = tb.estimate - ta.estimate;
          const sd = Math.sqrt(cov(r, ta, ta) + cov(r, tb, tb) - 2 * cov(r, ta, tb));
          const or = Math.exp(d);
          rows.push({ variable: ga.variable, label: `Category > ${j + 1}`, estimate: or, se: or * sd, lower: Math.exp(d - 1.96 * sd), upper: Math.exp(d + 1.96 * sd) });
        });
      }
      out.push({ title: `Latent Class ${classes[a]} Compared to Latent Class ${classes[b]}`, rows });
    }
  }
  return out;
}
