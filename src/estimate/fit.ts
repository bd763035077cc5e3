// Fit and classification statistics (estimation.md §8).

import type { ClassCounts, FitStatistics } from '../results/types.js';
import type { CompiledModel } from './compile.js';
import type { Workspace } from './likelihood.js';
import { personLogLik, prepare } from './likelihood.js';

export function fitStatistics(ll: number, p: number, n: number, scalingCorrection: number | null): FitStatistics {
  return {
    loglikelihood: ll, parameters: p, scalingCorrection,
    aic: -2 * ll + 2 * p, bic: -2 * ll + p * Math.log(n), abic: -2 * ll + p * Math.log((n + 2) / 24), n,
  };
}

/** Class counts (model-estimated, posterior, most likely), entropy and the classification tables. */
export function classCounts(m: CompiledModel, ws: Workspace, post: Float64Array): ClassCounts {
  // with between-level random effects the prior class probabilities depend on eta, and with a between
  // class variable on the cluster: no model-based counts [ours]
  const modelBased = m.D === 0 && m.Kb === 1;
  const { n, K } = m;
  const model = new Array<number>(K).fill(0), posterior = new Array<number>(K).fill(0), mostLikely = new Array<number>(K).fill(0);
  const avg = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const cls = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  prepare(m, ws);
  let ent = 0;
  for (let i = 0; i < n; i++) {
    personLogLik(m, i, ws);
    let best = 0;
    for (let k = 0; k < K; k++) {
      model[k] += Math.exp(ws.prior[k]!);
      const pk = post[i * K + k]!;
      posterior[k] += pk;
      if (pk > 0) ent -= pk * Math.log(pk);
      if (pk > post[i * K + best]!) best = k;
    }
    mostLikely[best]++;
    for (let k = 0; k < K; k++) { avg[best]![k] += post[i * K + k]!; cls[k]![best] += post[i * K + k]!; }
  }
  for (let r = 0; r < K; r++) for (let k = 0; k < K; k++) {
    avg[r]![k] = mostLikely[r]! > 0 ? avg[r]![k]! / mostLikely[r]! : 0;
    cls[r]![k] = posterior[r]! > 0 ? cls[r]![k]! / posterior[r]! : 0;
  }
  const out: ClassCounts = {
    labels: m.classLabels, model: modelBased ? model : null, posterior, mostLikely, averagePosterior: avg, classification: cls,
    entropy: K > 1 ? 1 - ent / (n * Math.log(K)) : null,
  };
  if (m.classVars.length > 1) out.perVariable = marginalCounts(m, post);
  return out;
}

/** Counts of each class variable (CLASSES order), summed over the other's classes; most likely by the marginal posterior. */
function marginalCounts(m: CompiledModel, post: Float64Array): NonNullable<ClassCounts['perVariable']> {
  return m.classVars.map((v) => {
    const posterior = new Array<number>(v.n).fill(0), mostLikely = new Array<number>(v.n).fill(0);
    const marg = new Float64Array(v.n);
    for (let i = 0; i < m.n; i++) {
      marg.fill(0);
      for (let k = 0; k < m.K; k++) marg[v.of[k]!] += post[i * m.K + k]!;
      let best = 0;
      for (let c = 0; c < v.n; c++) { posterior[c] += marg[c]!; if (marg[c]! > marg[best]!) best = c; }
      mostLikely[best]++;
    }
    return { name: v.name, level: v.level, model: null, posterior, mostLikely };
  });
}
