// The Monte Carlo output: replications requested / completed, the distribution of the fit statistics over
// the completed replications and the Mplus MODEL RESULTS summary (Population, ESTIMATES Average / Std. Dev.,
// S.E. Average, M.S.E., 95% Cover, % Sig Coeff). Everything is computed from the replication records in
// replication order, so the text depends only on the set of records (single run, any PROCESSORS, merged shards).

import { fmtF, fmtI, labelValue, padR } from '../output/format.js';
import { blockHeader } from '../output/out.js';
import type { ParamInfo, RepRecord } from './types.js';
import { paramKey } from './run.js';

export interface SummaryInput {
  inputText: string;
  nobs: number;
  nreps: number;
  seed: number;
  nClusters: number | null;
  records: RepRecord[];
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const PROPORTIONS = [0.99, 0.98, 0.95, 0.9, 0.8, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01];

function meanSd(xs: number[]): { mean: number; sd: number } {
  const n = xs.length;
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

/**
 * Distribution of a fit statistic: mean, SD and, for the proportions p of the table, the expected
 * percentile under normality (mean + SD z_(1-p)), the proportion of replications above it, and the
 * observed percentile (the order statistic at (1-p) n).
 */
function distribution(title: string, xs: number[], indent: string): string[] {
  const { mean, sd } = meanSd(xs);
  const sorted = [...xs].sort((a, b) => a - b);
  const n = xs.length;
  const lines = [`${indent}${title}`, '', labelValue(`${indent}    Mean`, fmtF(mean, 12, 3).trim(), 50), labelValue(`${indent}    Std Dev`, fmtF(sd, 12, 3).trim(), 50), labelValue(`${indent}    Number of successful computations`, fmtI(n, 6).trim(), 50), ''];
  lines.push(`${indent}         Proportions                   Percentiles`, `${indent}    Expected    Observed         Expected       Observed`);
  for (const p of PROPORTIONS) {
    const expected = mean + sd * normalQuantile(1 - p);
    const observed = xs.filter((x) => x > expected).length / n;
    const idx = Math.min(n - 1, Math.max(0, Math.ceil((1 - p) * n) - 1));
    lines.push(`${indent}${fmtF(p, 12, 3)}${fmtF(observed, 12, 3)}${fmtF(expected, 17, 3)}${fmtF(sorted[idx], 15, 3)}`);
  }
  lines.push('');
  return lines;
}

const BLOCK_RANK = (b: string): number => {
  if (/ BY$/.test(b)) return 0;
  if (/ \|$/.test(b)) return 1;
  if (/ ON$/.test(b)) return 2;
  if (/ WITH$/.test(b)) return 3;
  return 4 + Math.max(0, ['Means', 'Intercepts', 'Thresholds', 'Variances', 'Residual Variances'].indexOf(b));
};

const classNum = (l: string | null) => (l === null ? [] : l.split('.').map(Number));

/** Parameters in Mplus MODEL RESULTS order: classes (categorical latent variables last), levels, blocks. */
function ordered(params: ParamInfo[]): Array<{ p: ParamInfo; i: number }> {
  const lv = (l: ParamInfo['level']) => (l === 'within' ? 0 : l === 'between' ? 1 : 2);
  const firstBlock = new Map<string, number>();
  params.forEach((p, i) => {
    const k = `${p.block}`;
    if (!firstBlock.has(k)) firstBlock.set(k, i);
  });
  return params
    .map((p, i) => ({ p, i }))
    .sort((x, y) => {
      const a = x.p, b = y.p;
      if (a.categoricalLatent !== b.categoricalLatent) return a.categoricalLatent ? 1 : -1;
      const ca = classNum(a.classLabel), cb = classNum(b.classLabel);
      for (let k = 0; k < Math.min(ca.length, cb.length); k++) if (ca[k] !== cb[k]) return ca[k] - cb[k];
      if (ca.length !== cb.length) return ca.length - cb.length;
      if (lv(a.level) !== lv(b.level)) return lv(a.level) - lv(b.level);
      return BLOCK_RANK(a.block) - BLOCK_RANK(b.block) || firstBlock.get(a.block)! - firstBlock.get(b.block)! || x.i - y.i;
    });
}

export function summaryText(s: SummaryInput): string {
  const done = s.records.filter((r) => r.ok).sort((a, b) => a.rep - b.rep);
  const out: string[] = ['INPUT INSTRUCTIONS', '', ...s.inputText.replace(/\s+$/, '').split(/\r?\n/).map((l) => '  ' + l), '', '', 'SUMMARY OF ANALYSIS', ''];
  out.push(labelValue('Number of groups', '1', 66), labelValue('Number of observations', String(s.nobs), 66), '');
  out.push('Number of replications', labelValue('    Requested', String(s.nreps), 66), labelValue('    Completed', String(done.length), 66), labelValue('Value of seed', String(s.seed), 66), '');
  if (s.nClusters !== null) out.push(labelValue('Number of clusters', String(s.nClusters), 66), '');
  const failed = s.records.filter((r) => !r.ok).sort((a, b) => a.rep - b.rep);
  if (failed.length) {
    out.push('REPLICATIONS THAT DID NOT CONVERGE (not included in the summaries)', '');
    for (const f of failed) out.push(`    Replication ${f.rep}: ${f.message ?? ''}`.trimEnd());
    out.push('');
  }
  if (!done.length) {
    out.push('', 'NO REPLICATION WAS COMPLETED.');
    return out.join('\n') + '\n';
  }
  const params = done[0].params;
  const keys = params.map(paramKey);
  for (const r of done)
    if (r.params.length !== params.length || r.params.some((p, i) => paramKey(p) !== keys[i])) throw new Error(`replication ${r.rep} has another parameter layout`);

  out.push('', 'MODEL FIT INFORMATION', '', labelValue('Number of Free Parameters', String(done[0].fit!.parameters), 56), '');
  out.push('Loglikelihood', '', ...distribution('H0 Value', done.map((r) => r.fit!.loglikelihood), '    '));
  out.push('Information Criteria', '');
  out.push(...distribution('Akaike (AIC)', done.map((r) => r.fit!.aic), '    '));
  out.push(...distribution('Bayesian (BIC)', done.map((r) => r.fit!.bic), '    '));
  out.push(...distribution('Sample-Size Adjusted BIC (n* = (n + 2) / 24)', done.map((r) => r.fit!.abic), '    '));

  out.push('', 'MODEL RESULTS', '');
  out.push('                              ESTIMATES              S. E.     M. S. E.  95%  % Sig');
  out.push('                 Population   Average   Std. Dev.   Average             Cover Coeff');
  let group = '';
  let level = '';
  let block = '';
  const n = done.length;
  for (const { p, i } of ordered(params)) {
    const g = p.categoricalLatent ? 'Categorical Latent Variables' : p.classLabel === null ? '' : p.classLabel.includes('.') ? `Latent Class Pattern ${p.classLabel.split('.').join(' ')}` : `Latent Class ${p.classLabel}`;
    if (g !== group) {
      out.push('', g);
      group = g;
      level = '';
      block = '';
    }
    const l = p.level === 'within' ? 'Within Level' : p.level === 'between' ? 'Between Level' : '';
    if (l !== level) {
      if (l) out.push('', l);
      level = l;
      block = '';
    }
    if (p.block !== block) {
      out.push('', blockHeader(p.block));
      block = p.block;
    }
    const est = done.map((r) => r.est[i]);
    const se = done.map((r) => r.se[i]);
    const { mean, sd } = meanSd(est);
    const seAvg = meanSd(se).mean;
    let mse = 0, cover = 0, sig = 0;
    for (let r = 0; r < n; r++) {
      const e = est[r], v = se[r];
      mse += (e - p.population) * (e - p.population);
      if (Math.abs(e - p.population) <= 1.96 * v) cover++;
      if (Math.abs(e / v) > 1.96) sig++;
    }
    out.push('  ' + padR(p.name, 15) + fmtF(p.population, 9, 3) + fmtF(mean, 11, 4) + fmtF(sd, 11, 4) + fmtF(seAvg, 11, 4) + fmtF(mse / n, 11, 4) + fmtF(cover / n, 6, 3) + fmtF(sig / n, 6, 3));
  }
  out.push('', '', 'REPLICATIONS', '', '   Rep  Converged     Loglikelihood            BIC');
  for (const r of [...s.records].sort((a, b) => a.rep - b.rep))
    out.push(fmtI(r.rep, 6) + (r.ok ? '        yes' : '         no') + (r.fit ? fmtF(r.fit.loglikelihood, 18, 3) + fmtF(r.fit.bic, 15, 3) : ''));
  return out.map((l) => l.replace(/\s+$/, '')).join('\n') + '\n';
}
