// Test helper: TECH10 of UG example 7.3 computed by plusmix from its own estimates of the fixture data
// (fixtures/mplus-ug/ex7.3-u1u4.dat). The reference output prints thresholds with only 3 decimals,
// too few for pattern frequencies with 2, so the tables are computed from a fresh estimation whose
// classes are put in the reference's order (ours may come out label-switched). The estimation starts
// from the default starting values only (they reach the same maximum) and uses a tighter derivative
// criterion (ANALYSIS: CONVERGENCE = 1e-8 instead of 1e-6): pattern 15's Pearson contribution sits on
// a rounding boundary, 0.634992 at the exact MLE (an independent EM run to 1e-14) as Mplus prints
// it (0.63), but 0.635017 where our optimizer stops under the default criterion.
import { readFileSync } from 'node:fs';
import { parseOrThrow } from '../../src/syntax/parse.js';
import { loadData } from '../../src/data/index.js';
import { buildIR } from '../../src/model/build.js';
import { estimate, resolveOptions } from '../../src/estimate/index.js';
import { tech10, type Tech10Result } from '../../src/results/tech10.js';
import type { EstimationResult, ParameterEstimate } from '../../src/results/types.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { ModelIR } from '../../src/model/ir.js';

const ROOT = new URL('../../', import.meta.url).pathname;

let memo: { ir: ModelIR; ds: Dataset; result: EstimationResult } | undefined;

/** the ex7.3 model, data and plusmix's estimates (computed once per process) */
export function ex73Model(): { ir: ModelIR; ds: Dataset; result: EstimationResult } {
  if (memo) return memo;
  const input = readFileSync(`${ROOT}examples/mplus-ug/ex7.3.inp`, 'utf8');
  const ast = parseOrThrow(input, 'ex7.3.inp');
  const { dataset: ds } = loadData(ast, `${ROOT}fixtures/mplus-ug/`);
  const ir = buildIR(ast, ds.columns, [], ds);
  const result = estimate(ir, ds, resolveOptions({ qnConvergence: 1e-8, starts: [0, 0] }, { mixture: true, integration: false }));
  return (memo = { ir, ds, result });
}

const thresholds = (ps: ParameterEstimate[], cl: string) => ps.filter((p) => p.block === 'Thresholds' && p.classLabel === cl);

/**
 * `ours` with its classes renamed to the classes of `ref` with the closest thresholds (the class
 * means of the categorical latent variable recomputed for the new order, last class 0).
 */
export function inReferenceOrder(ours: EstimationResult, ref: EstimationResult): EstimationResult {
  const labels = ours.classCounts!.labels;
  const refLabels = ref.classCounts!.labels;
  const dist = (a: string, b: string) => {
    const ta = thresholds(ours.parameters, a);
    return thresholds(ref.parameters, b).reduce((s, p) => s + (p.estimate - (ta.find((q) => q.name === p.name)?.estimate ?? NaN)) ** 2, 0);
  };
  const used = new Set<string>();
  const rename = new Map<string, string>();
  for (const b of refLabels) {
    const a = labels.filter((l) => !used.has(l)).sort((x, y) => dist(x, b) - dist(y, b))[0];
    used.add(a);
    rename.set(a, b);
  }
  const cv = ours.classVariables?.[0]?.name.toUpperCase() ?? 'C';
  const logit = labels.map((_, k) => ours.parameters.find((p) => p.categoricalLatent && p.block === 'Means' && p.name.toUpperCase() === `${cv}#${k + 1}`)?.estimate ?? 0);
  const logitOf = new Map(labels.map((l, k) => [rename.get(l)!, logit[k]]));
  const last = logitOf.get(refLabels[refLabels.length - 1])!;
  const parameters = ours.parameters.map((p) => {
    if (p.classLabel !== null) return { ...p, classLabel: rename.get(p.classLabel) ?? p.classLabel };
    const m = p.categoricalLatent && p.block === 'Means' ? new RegExp(`^${cv}#(\\d+)$`, 'i').exec(p.name) : null;
    return m ? { ...p, estimate: logitOf.get(refLabels[Number(m[1]) - 1])! - last } : p;
  });
  return { ...ours, parameters, classCounts: { ...ours.classCounts!, labels: refLabels } };
}

/** TECH10 of ex7.3 from plusmix's estimates, classes in the order of the reference result `ref` */
export function ex73Tech10(ref: EstimationResult): Tech10Result {
  const { ir, ds, result } = ex73Model();
  const t = tech10(ir, ds, inReferenceOrder(result, ref));
  if (!t) throw new Error('ex7.3 is within the scope of TECH10');
  return t;
}
