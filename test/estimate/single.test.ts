// Acceptance tests of the single-level estimation core (issue 4). Every expected number comes from
// a peer program (R lm, nnet::multinom, flexmix, mclust), the real Mplus output ex7.3.out, or the
// generating values of the simulated data (README in fixtures/sim) with a 2-SE tolerance.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimate } from '../../src/estimate/index.js';
import type { EstimationResult, ParameterEstimate } from '../../src/results/types.js';
import { ex31, ex36, lca, lpa, regmix } from './models.js';

const near = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);
const find = (r: EstimationResult, cls: string | null, block: string, name: string): ParameterEstimate => {
  const p = r.parameters.find((q) => q.classLabel === cls && q.block === block && q.name === name);
  if (!p) throw new Error(`no estimate ${cls} ${block} ${name}`);
  return p;
};

test('UG ex3.1 linear regression: loglikelihood of R lm (-694.334)', () => {
  const { ir, ds } = ex31();
  const r = estimate(ir, ds, { estimator: 'ML' });
  assert.ok(r.terminatedNormally);
  near(r.fit!.loglikelihood, -694.334, 0.001, 'loglikelihood');
  assert.is(r.fit!.parameters, 4);
});

test('UG ex3.6 multinomial logistic regression: loglikelihood of nnet::multinom (-433.426)', () => {
  const { ir, ds } = ex36();
  const r = estimate(ir, ds, { estimator: 'ML' });
  assert.ok(r.terminatedNormally);
  near(r.fit!.loglikelihood, -433.426, 0.001, 'loglikelihood');
  assert.is(r.fit!.parameters, 6);
});

for (const varying of [false, true]) {
  const p = varying ? 8 : 7;
  const target = varying ? -18138.002 : -18138.012;
  test(`regression mixture, ${p} parameters: flexmix maximum ${target}, generating values within 2 SE`, () => {
    const { ir, ds } = regmix(varying);
    const r = estimate(ir, ds, { starts: [10, 2] });
    assert.ok(r.terminatedNormally, JSON.stringify(r.warnings));
    near(r.fit!.loglikelihood, target, 0.001, 'loglikelihood');
    assert.is(r.fit!.parameters, p);
    // class 1 = the high-intercept class of the README; the other order flips the logit signs
    const i1 = find(r, '1', 'Intercepts', 'Y').estimate, i2 = find(r, '2', 'Intercepts', 'Y').estimate;
    const [hi, lo, sign] = i1 > i2 ? ['1', '2', 1] : ['2', '1', -1];
    const truth: Array<[string | null, string, string, number]> = [
      [hi, 'Intercepts', 'Y', 3], [hi, 'Y ON', 'X', -1.1], [lo, 'Intercepts', 'Y', 0], [lo, 'Y ON', 'X', 0.5],
      [hi, 'Residual Variances', 'Y', 1], [lo, 'Residual Variances', 'Y', 1],
      [null, 'Intercepts', 'C#1', 0], [null, 'C#1 ON', 'X', sign * 1],
    ];
    for (const [cls, block, name, v] of truth) {
      const e = find(r, cls, block, name);
      assert.ok(e.se > 0, `${block} ${name} has an SE`);
      near(e.estimate, v, 2 * e.se, `${cls} ${block} ${name}`);
    }
  });
}

test('LPA, 2 classes, equal diagonal variances: mclust EEI maximum -6173.904 with 13 parameters', () => {
  const { ir, ds } = lpa();
  const r = estimate(ir, ds, { starts: [10, 2] });
  assert.ok(r.terminatedNormally);
  near(r.fit!.loglikelihood, -6173.904, 0.001, 'loglikelihood');
  assert.is(r.fit!.parameters, 13);
});

// ex7.3.out (Mplus 8.8), class 1 = the class with low thresholds on u1 and u2
const EX73 = {
  thresholds: [
    ['1', 'U1$1', -2.063, 0.373], ['1', 'U2$1', -1.724, 0.300], ['1', 'U3$1', 2.331, 0.390], ['1', 'U4$1', 2.078, 0.320],
    ['2', 'U1$1', 2.091, 0.182], ['2', 'U2$1', 2.056, 0.180], ['2', 'U3$1', -2.187, 0.203], ['2', 'U4$1', -1.937, 0.183],
  ] as Array<[string, string, number, number]>,
  logit: [-0.981, 0.116],
  proportions: [0.27276, 0.72724],
  mostLikely: [127, 373],
  averagePosterior: [[0.986, 0.014], [0.030, 0.970]],
  classification: [[0.918, 0.082], [0.005, 0.995]],
};

test('LCA UG ex7.3: loglikelihood, thresholds, proportions, MLR SEs, entropy and classification of the Mplus output', () => {
  const { ir, ds } = lca();
  const r = estimate(ir, ds);
  assert.ok(r.terminatedNormally);
  assert.is(r.estimator, 'MLR');
  near(r.fit!.loglikelihood, -965.244, 0.0005, 'loglikelihood');
  assert.is(r.fit!.parameters, 9);
  near(r.fit!.aic, 1948.488, 0.001, 'AIC');
  near(r.fit!.bic, 1986.420, 0.001, 'BIC');
  near(r.fit!.abic, 1957.853, 0.001, 'aBIC');
  near(r.fit!.scalingCorrection!, 1.0131, 0.00005, 'MLR scaling correction');
  // label switching: map Mplus class 1 to ours by the sign of U1$1
  const swap = find(r, '1', 'Thresholds', 'U1$1').estimate > 0;
  const ours = (c: string) => (swap ? (c === '1' ? '2' : '1') : c);
  const idx = (c: number) => (swap ? 1 - c : c);
  for (const [c, name, est, se] of EX73.thresholds) {
    const e = find(r, ours(c), 'Thresholds', name);
    near(e.estimate, est, 0.0005, `class ${c} ${name}`);
    near(e.se, se, 0.01 * se + 0.0005, `SE class ${c} ${name}`);
  }
  const logit = find(r, null, 'Means', 'C#1');
  near(swap ? -logit.estimate : logit.estimate, EX73.logit[0]!, 0.0005, '[c#1]');
  near(logit.se, EX73.logit[1]!, 0.01 * EX73.logit[1]! + 0.0005, 'SE [c#1]');
  const cc = r.classCounts!;
  for (let c = 0; c < 2; c++) {
    near(cc.model![idx(c)]! / 500, EX73.proportions[c]!, 0.000005, 'model proportion');
    near(cc.posterior[idx(c)]! / 500, EX73.proportions[c]!, 0.000005, 'posterior proportion');
    assert.is(cc.mostLikely[idx(c)], EX73.mostLikely[c]);
    for (let k = 0; k < 2; k++) {
      near(cc.averagePosterior[idx(c)]![idx(k)]!, EX73.averagePosterior[c]![k]!, 0.0005, 'average posterior');
      near(cc.classification[idx(c)]![idx(k)]!, EX73.classification[c]![k]!, 0.0005, 'classification');
    }
  }
  near(cc.entropy!, 0.904, 0.0005, 'entropy');
  near(r.conditionNumber!, 0.0600, 0.00005, 'condition number');
  assert.ok(r.randomStarts!.replicated);
  assert.ok(r.posterior && r.posterior.length === 1000);
});

test('same input and seed give byte-identical results; other seeds reach the same best loglikelihood', () => {
  const { ir, ds } = lca();
  const ser = (r: EstimationResult) => JSON.stringify(r, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v));
  const a = estimate(ir, ds, { stSeed: 7 });
  const b = estimate(ir, ds, { stSeed: 7 });
  assert.is(ser(a), ser(b));
  for (const seed of [0, 123, 99991]) {
    const c = estimate(ir, ds, { stSeed: seed });
    near(c.fit!.loglikelihood, a.fit!.loglikelihood, 0.001, `seed ${seed}`);
  }
  // OPTSEED reruns one start set from its seed
  const row = a.randomStarts!.rows.find((rw) => typeof rw.seed === 'number')!;
  const o = estimate(ir, ds, { optSeed: row.seed as number });
  assert.ok(o.terminatedNormally);
  assert.is(o.randomStarts, null);
  near(o.fit!.loglikelihood, row.loglikelihood, 0.001, 'OPTSEED rerun');
});

test.run();
