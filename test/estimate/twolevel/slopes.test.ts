// Random slopes together with several outcomes (multivariate.ts): `s | y1 ON x` plus a second outcome
// y2 with a random intercept, all three random effects correlated and regressed on w (cross-level
// interaction s ON w), correlated within residuals. Peer: nlme on the long-format equivalent
// (bench/peers/twolevel_slope2_nlme.R -> fixtures/peers/twolevel_slope2_nlme.json; data simulated there,
// fixtures/twolevel/slope2.dat). The peer's log-likelihood is confirmed there by a dense normal density
// in the Mplus parameterisation; its SEs are from the numerical Hessian of that density (ML) and the
// sandwich with that density's per-cluster scores (MLR).
// Here, also: the likelihood equals a dense density written in this test (dense.ts) at arbitrary
// parameter values, with missing values of y2 (slopes + missing data together).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { estimateTwoLevel } from '../../../src/estimate/twolevel/index.js';
import { compileMultivariate, MultivariateLikelihood } from '../../../src/estimate/twolevel/multivariate.js';
import { loadInput, root } from './lavaanPeer.js';
import { denseLoglik } from './dense.js';

const peer = JSON.parse(readFileSync(`${root}fixtures/peers/twolevel_slope2_nlme.json`, 'utf8')) as {
  loglik: number; loglik_dense: number; npar: number; estimates: Record<string, { est: number; se_observed: number; se_mlr: number }>;
};

function compare(estimator: 'ML' | 'MLR'): void {
  const { ir, dataset } = loadInput('fixtures/twolevel/slope2.inp');
  const r = estimateTwoLevel(ir, dataset, { estimator });
  const seKey = estimator === 'ML' ? 'se_observed' : 'se_mlr';
  assert.ok(r.terminatedNormally);
  assert.ok(Math.abs(r.fit!.loglikelihood - peer.loglik) < 0.01, `${r.fit!.loglikelihood} vs ${peer.loglik}`);
  assert.ok(Math.abs(peer.loglik - peer.loglik_dense) < 1e-3);
  assert.is(r.fit!.parameters, peer.npar);
  let matched = 0;
  for (const p of r.parameters.filter((q) => !q.fixed)) {
    const [head, kind] = p.block.split(' ');
    const keys = kind === 'WITH' ? [`${p.level}|${head} WITH|${p.name}`, `${p.level}|${p.name} WITH|${head}`] : [`${p.level}|${p.block}|${p.name}`];
    const key = keys.find((k) => peer.estimates[k]);
    assert.ok(key, `no peer value for ${keys[0]}`);
    const e = peer.estimates[key]!;
    matched++;
    assert.ok(Math.abs(p.estimate - e.est) <= 1e-3 * Math.abs(e.est) + 1e-3 * e[seKey], `${key}: ${p.estimate} vs ${e.est}`);
    assert.ok(Math.abs(p.se - e[seKey]) <= 0.02 * e[seKey], `${key} ${seKey}: ${p.se} vs ${e[seKey]}`);
  }
  assert.is(matched, peer.npar);
}

test('two outcomes with a random slope of y1 match nlme (ML): log-likelihood, estimates, observed-information SEs', () => compare('ML'));

test('the same model with MLR: SEs match the sandwich of the dense per-cluster scores (peer script)', () => compare('MLR'));

test('w modelled as a between-only outcome: log-likelihood = nlme\'s + the normal log-likelihood of w, same estimates', () => {
  // f(y, w) = f(w) f(y | w) with separate parameters: the y part is slope2's, and w's part is the
  // normal ML fit of the 150 cluster values (mean and variance), computed here in closed form
  const { ir, dataset } = loadInput('fixtures/twolevel/slope2-wdep.inp');
  const r = estimateTwoLevel(ir, dataset, { estimator: 'ML' });
  assert.ok(r.terminatedNormally);
  const cl = dataset.cluster!, w = dataset.columns.find((c) => c.name === 'W')!.values;
  const ws = Array.from({ length: cl.start.length - 1 }, (_, j) => w[cl.order[cl.start[j]!]!]!);
  const mean = ws.reduce((a, b) => a + b, 0) / ws.length;
  const v = ws.reduce((a, b) => a + (b - mean) ** 2, 0) / ws.length;
  const llw = -0.5 * ws.length * (Math.log(2 * Math.PI * v) + 1);
  assert.ok(Math.abs(r.fit!.loglikelihood - (peer.loglik + llw)) < 0.01, `${r.fit!.loglikelihood} vs ${peer.loglik + llw}`);
  assert.is(r.fit!.parameters, peer.npar + 2);
  const est = (level: string, block: string, name: string) => r.parameters.find((p) => p.level === level && p.block === block && p.name === name)!.estimate;
  assert.ok(Math.abs(est('between', 'Means', 'W') - mean) < 1e-3 * Math.sqrt(v));
  assert.ok(Math.abs(est('between', 'S ON', 'W') - peer.estimates['between|S ON|W']!.est) < 1e-3 * peer.estimates['between|S ON|W']!.se_observed);
  assert.ok(Math.abs(est('between', 'Residual Variances', 'S') - peer.estimates['between|Residual Variances|S']!.est) < 1e-3 * peer.estimates['between|Residual Variances|S']!.se_observed);
});

test('random slope + second outcome + missing values: likelihood equals a dense normal density', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/slope2.inp');
  const col = (n: string) => dataset.columns.find((c) => c.name === n)!.values;
  const y1 = col('Y1'), y2 = col('Y2'), x = col('X'), w = col('W');
  for (let i = 0; i < y2.length; i += 7) y2[i] = NaN;
  for (let i = 3; i < y1.length; i += 11) y1[i] = NaN;
  const cl = dataset.cluster!;
  for (let t = cl.start[4]!; t < cl.start[5]!; t++) y1[cl.order[t]!] = NaN; // no y1 (and no slope information) in cluster 4
  const prob = compileMultivariate(ir, dataset);
  const lik = new MultivariateLikelihood(prob);
  const theta = Float64Array.from(prob.start, (v, k) => v + 0.1 * Math.cos(k + 1));
  const get = (level: string, kind: string[], lhs: string, rhs = ''): number => {
    const r = prob.rows.find((r) => r.level === level && kind.includes(r.kind) && ((r.lhs === lhs && r.rhs === rhs) || (r.lhs === rhs && r.rhs === lhs)));
    return r ? (r.par > 0 ? theta[r.par - 1]! : r.value) : 0;
  };
  const V = ['variance', 'residualVariance'], I = ['intercept', 'mean'];
  const SW = [[get('within', V, 'Y1'), get('within', ['covariance'], 'Y1', 'Y2')], [get('within', ['covariance'], 'Y1', 'Y2'), get('within', V, 'Y2')]];
  const eff = ['Y1', 'Y2', 'S'];
  const T = eff.map((a) => eff.map((b) => (a === b ? get('between', V, a) : get('between', ['covariance'], a, b))));
  const mean = (i: number) => {
    const s = get('between', I, 'S') + get('between', ['regression'], 'S', 'W') * w[i]!;
    return [get('between', I, 'Y1') + get('between', ['regression'], 'Y1', 'W') * w[i]! + s * x[i]!,
      get('between', I, 'Y2') + get('between', ['regression'], 'Y2', 'W') * w[i]! + get('within', ['regression'], 'Y2', 'X') * x[i]!];
  };
  const dense = denseLoglik(cl, (i) => [y1[i]!, y2[i]!], mean, (i) => [[1, 0, x[i]!], [0, 1, 0]], T, SW);
  const ours = lik.loglik(theta);
  assert.ok(Math.abs(ours - dense) < 1e-8 * Math.abs(dense), `${ours} vs ${dense}`);
});

test.run();
