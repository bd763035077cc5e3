// Between-level class variables (second seed paper, section 5) and within + between class variables
// (section 6), end to end through the pipeline on the inputs in fixtures/inputs/between_*.inp, against
// the exact maximum-likelihood fits in fixtures/peers/between_*.json (flexmix with a cluster grouping
// for the class-varying-variance Model 2; the closed-form marginal likelihood maximised by R's optim
// for the others; scripts in bench/peers/). The log-likelihood must match within 0.01, every estimate
// within 0.005 (relative for large values), every MLR standard error within 5%.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../../src/cli/pipeline.js';
import type { EstimationResult, ParameterEstimate } from '../../src/results/types.js';

const ROOT = new URL('../../', import.meta.url).pathname;

interface PeerEstimate { level: string | null; class: string | null; block: string; name: string; categoricalLatent: boolean; est: number; se: number; se_mlr?: number }
interface PeerModel { loglik: number; npar: number; mplus_input: string; estimates: Record<string, PeerEstimate> }

function peer(file: string, model: string): PeerModel {
  return JSON.parse(readFileSync(join(ROOT, 'fixtures/peers', file), 'utf8')).models[model];
}

function run(input: string): EstimationResult {
  const path = join(ROOT, input);
  const r = runPipeline(readFileSync(path, 'utf8'), path, { clock: null });
  assert.is(r.exitCode, 0, r.diagnostics.map((d) => d.message).join('\n'));
  assert.ok(r.result && r.result.terminatedNormally, `${input} did not terminate normally`);
  return r.result!;
}

function find(r: EstimationResult, e: PeerEstimate): ParameterEstimate {
  // peer class 'c#1': class 1 of class variable c, i.e. every class pattern whose c part is 1
  const [cv, k] = e.class ? e.class.toUpperCase().split('#') : [null, null];
  const v = r.classVariables?.findIndex((c) => c.name === cv) ?? -1;
  const inClass = (label: string | null) => cv === null || (label !== null && label.split('.')[v] === k);
  const p = r.parameters.find((q) => q.block === e.block && q.name === e.name && q.categoricalLatent === e.categoricalLatent &&
    (e.categoricalLatent || (q.level === e.level && inClass(q.classLabel))));
  assert.ok(p, `no estimate for ${e.level} ${e.class} ${e.block} ${e.name}`);
  return p!;
}

function compare(file: string, model: string, opts: { seTol?: number } = {}): EstimationResult {
  const pm = peer(file, model);
  const r = run(pm.mplus_input);
  assert.is(r.fit!.parameters, pm.npar);
  assert.ok(Math.abs(r.fit!.loglikelihood - pm.loglik) < 0.01, `${model}: loglikelihood ${r.fit!.loglikelihood} vs peer ${pm.loglik}`);
  for (const [key, e] of Object.entries(pm.estimates)) {
    const p = find(r, e);
    assert.ok(Math.abs(p.estimate - e.est) < 0.005 * Math.max(1, Math.abs(e.est)), `${model} ${key}: ${p.estimate} vs ${e.est}`);
    const se = r.estimator === 'MLR' ? e.se_mlr : e.se;
    if (se !== undefined) assert.ok(Math.abs(p.se - se) < (opts.seTol ?? 0.05) * se, `${model} ${key}: S.E. ${p.se} vs ${se} (${r.estimator})`);
  }
  return r;
}

test('Model 2 (between classes, no random effects), equal residual variance: optim closed form', () => {
  compare('between_m2.json', 'equal_residual_variance');
});

test('Model 2 with class-varying residual variances: flexmix with a cluster grouping', () => {
  compare('between_m2.json', 'class_varying_residual_variance');
});

test('Model 5 (between classes and a random intercept, Table 3): closed-form marginal likelihood', () => {
  const r = compare('between_m5.json', 'between_m5');
  assert.is(r.integration?.dimensions, 1);
});

test('Model 5 on 300 clusters', () => {
  compare('between_m5.json', 'between_m5_large');
});

test('within and between class variables (c ON cb): closed form', () => {
  const r = compare('between_within.json', 'between_within');
  assert.equal(r.classCounts!.labels, ['1.1', '1.2', '2.1', '2.2']);
  assert.is(r.classCounts!.perVariable!.length, 2);
});

test('Table 3 (second paper): Model 6 (within classes, random logit intercept of large variance) on Model 5 data reaches nearly the same loglikelihood and estimates as Model 5', () => {
  const m5 = peer('between_m5.json', 'between_m5');
  const r6 = run('fixtures/inputs/between_m6.inp');
  assert.is(r6.fit!.parameters, m5.npar + 1);
  // nested in the limit of an infinite variance: Model 6 at least as good, and by little
  assert.ok(r6.fit!.loglikelihood > m5.loglik - 0.05 && r6.fit!.loglikelihood < m5.loglik + 1, `Model 6 ${r6.fit!.loglikelihood} vs Model 5 ${m5.loglik}`);
  const varC = r6.parameters.find((p) => p.categoricalLatent && p.name === 'C#1' && p.block.includes('Variances'))!;
  assert.ok(varC.estimate > 20, `Var(C#1) = ${varC.estimate}: should be large (ICC near 1)`);
  // every Model 5 parameter (cb classes are Model 6's c classes) within one Model 5 standard error
  for (const [key, e] of Object.entries(m5.estimates)) {
    if (e.categoricalLatent) continue;
    const p = find(r6, { ...e, class: e.class ? e.class.replace(/^cb/, 'c') : null });
    assert.ok(Math.abs(p.estimate - e.est) < (e.se_mlr ?? e.se), `${key}: Model 6 ${p.estimate} vs Model 5 ${e.est} (SE ${e.se_mlr ?? e.se})`);
  }
});

test.run();
