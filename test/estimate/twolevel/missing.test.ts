// Multivariate two-level models with missing outcome values (full-information ML per cluster,
// multivariate.ts) against lavaan 0.6.14's two-level FIML (`missing = "ml"`): data and fits from
// bench/peers/twolevel_missing_lavaan.R (ex9.6 with 15% of y1-y4 deleted at random,
// fixtures/twolevel/ex9.6-missing.dat; fixtures/peers/twolevel_missing_lavaan.json). The peer's
// log-likelihood is its own dense per-cluster normal density of the observed values at lavaan's
// estimates. lavaan cannot compute MLR standard errors for this case, so only ML is compared.
// A second check evaluates plusmix's likelihood against a dense density written here, at arbitrary
// parameter values, on data where one outcome is never observed in some clusters (the semidefinite
// branch of the Woodbury form).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimateTwoLevel } from '../../../src/estimate/twolevel/index.js';
import { compileMultivariate, MultivariateLikelihood } from '../../../src/estimate/twolevel/multivariate.js';
import { compareWithLavaan, lavaanPeer, loadInput } from './lavaanPeer.js';
import { denseLoglik } from './dense.js';

const peer = lavaanPeer('twolevel_missing_lavaan.json');

test('ex9.6 with missing outcome values (y1-y4@0 between) matches lavaan FIML: ML', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/ex9.6-missing.inp');
  compareWithLavaan(peer.ex9_6!, estimateTwoLevel(ir, dataset, { estimator: 'ML' }), 'se_ml');
});

test('within factor, unrestricted between covariances, missing outcome values, matches lavaan FIML: ML', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/cfaw-missing.inp');
  compareWithLavaan(peer.cfaw!, estimateTwoLevel(ir, dataset, { estimator: 'ML' }), 'se_ml');
});

test('likelihood equals a dense normal density when an outcome is missing for a whole cluster', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/cfaw-missing.inp');
  const y2 = dataset.columns.find((c) => c.name === 'Y2')!.values;
  const cl = dataset.cluster!;
  for (const j of [0, 5, 17]) for (let t = cl.start[j]!; t < cl.start[j + 1]!; t++) y2[cl.order[t]!] = NaN;
  const prob = compileMultivariate(ir, dataset);
  const lik = new MultivariateLikelihood(prob);
  // arbitrary admissible parameter values: start values perturbed
  const theta = Float64Array.from(prob.start, (v, k) => v + 0.1 * Math.sin(k + 1));
  // read the model matrices of this parameter vector back from the rows, independently of the engine
  const val = (r: (typeof prob.rows)[number]) => (r.par > 0 ? theta[r.par - 1]! : r.value);
  const ys = ['Y1', 'Y2', 'Y3', 'Y4'];
  const lam = ys.map((y) => { const r = prob.rows.find((r) => r.kind === 'loading' && r.rhs === y)!; return val(r); });
  const psi = val(prob.rows.find((r) => r.level === 'within' && r.lhs === 'FW' && r.kind === 'variance')!);
  const SW = ys.map((a, i) => ys.map((_b, k) => lam[i]! * lam[k]! * psi + (i === k ? val(prob.rows.find((r) => r.level === 'within' && r.lhs === a && r.kind === 'residualVariance')!) : 0)));
  const SB = ys.map((a, i) => ys.map((b, k) => {
    const r = prob.rows.find((r) => r.level === 'between' && ((r.lhs === a && r.rhs === b) || (r.lhs === b && r.rhs === a) || (i === k && r.lhs === a && (r.kind === 'variance' || r.kind === 'residualVariance'))));
    return r ? val(r) : 0;
  }));
  const mu = ys.map((y) => val(prob.rows.find((r) => r.level === 'between' && r.lhs === y && (r.kind === 'intercept' || r.kind === 'mean'))!));
  const Y = ys.map((y) => dataset.columns.find((c) => c.name === y)!.values);
  const I4 = ys.map((_, i) => ys.map((_, k) => (i === k ? 1 : 0)));
  const dense = denseLoglik(cl, (i) => Y.map((c) => c[i]!), () => mu, () => I4, SB, SW);
  const ours = lik.loglik(theta);
  assert.ok(Math.abs(ours - dense) < 1e-8 * Math.abs(dense), `${ours} vs ${dense}`);
  const per = new Float64Array(prob.nClusters);
  assert.ok(lik.clusterLoglik(theta, per));
  assert.ok(Math.abs(per.reduce((a, b) => a + b, 0) - dense) < 1e-8 * Math.abs(dense));
});

test.run();
