// UG ex9.23 (three-level growth model) against peers: bench/peers/threelevel_ex9_23.R ->
// fixtures/peers/threelevel_ex9_23.json (long-format linear mixed models, ML):
//  - the input as the User's Guide writes it (Mplus defaults: level-3 residual variances of y1-y4 fixed at 0)
//    = glmmTMB `l3zero` (time-specific residual variances within and at level 2), -56044.824, 25 parameters
//    (OpenMx's test of the same model notes -56044.82 "matches Mplus");
//  - residual variances equal over time at each level (`y1-y4 (e1)` etc.) = lme4 `equal_lme4` (and glmmTMB
//    `equal`), -56044.419, 20 parameters.
// Acceptance: log-likelihood within 0.01, estimates within 0.1 % (absolute 1e-4 near 0), ML standard errors
// within 2 % of glmmTMB's (observed information, delta method to Mplus's parameters).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EstimationResult, ParameterEstimate } from '../../src/results/types.js';
import { estimateThreeLevel } from '../../src/estimate/threelevel/index.js';
import { loadExample, peers, type PeerFit } from './helpers.js';

/** the peer JSON's name of a plusmix parameter (see parameter_names in the JSON) */
function peerKey(p: ParameterEstimate): string | null {
  const L = p.level === 'within' ? 'W' : p.betweenLevel === 'LEVEL3' ? 'L3' : 'L2';
  const f = L === 'W' ? 'W' : L === 'L2' ? '2' : '3';
  const [head, kind] = p.block.split(/\s+/);
  if (kind === 'ON') return `${head} ON ${p.name}`;
  if (kind === 'WITH') return `${L} I${f} WITH S${f}`;
  if (p.block === 'Intercepts' && /^(IB3|SB3)$/.test(p.name)) return `[${p.name}]`;
  if (p.block === 'Residual Variances') {
    if (/^Y\d$/.test(p.name)) return `${L} ${p.name}`;
    return `${L} ${p.name[0]}${f}`;
  }
  return null;
}

function compare(r: EstimationResult, peer: PeerFit, equalKey?: (k: string) => string) {
  assert.ok(r.terminatedNormally);
  assert.is(r.fit!.parameters, peer.npar);
  assert.ok(Math.abs(r.fit!.loglikelihood - peer.loglik) < 0.01, `loglik ${r.fit!.loglikelihood} vs ${peer.loglik}`);
  let n = 0;
  for (const p of r.parameters) {
    if (p.fixed) continue;
    let key = peerKey(p);
    assert.ok(key, `no peer key for ${p.block} ${p.name}`);
    if (equalKey) key = equalKey(key!);
    const q = peer.estimates[key!];
    assert.ok(q, `peer has no ${key}`);
    const tol = Math.max(1e-3 * Math.abs(q!.est), 1e-4);
    assert.ok(Math.abs(p.estimate - q!.est) < tol, `${key}: ${p.estimate} vs ${q!.est}`);
    assert.ok(Math.abs(p.se - q!.se) < 0.02 * q!.se, `${key} SE: ${p.se} vs ${q!.se}`);
    n++;
  }
  return n;
}

test('ex9.23 as the User\'s Guide writes it: ML matches glmmTMB (l3zero)', () => {
  const { ir, dataset } = loadExample('examples/ug9/ex9.23.inp');
  const n = compare(estimateThreeLevel(ir, dataset, { estimator: 'ML' }), peers.models.l3zero);
  assert.is(n, 25);
});

test('ex9.23 with residual variances equal over time: ML matches lme4 and glmmTMB (equal)', () => {
  const { ir, dataset } = loadExample('examples/ug9/ex9.23-equal.inp');
  const r = estimateThreeLevel(ir, dataset, { estimator: 'ML' });
  assert.is(r.fit!.parameters, peers.models.equal_lme4.npar);
  assert.ok(Math.abs(r.fit!.loglikelihood - peers.models.equal_lme4.loglik) < 0.01);
  // the four equal residual variances of a level are one peer parameter ('W Y', 'L2 Y', 'L3 Y')
  compare(r, peers.models.equal, (k) => k.replace(/^(W|L2|L3) Y\d$/, '$1 Y'));
});

test('MLR (the default): same estimates and log-likelihood as ML, sandwich SEs from the 50 level-3 clusters', () => {
  const { ir, dataset } = loadExample('examples/ug9/ex9.23.inp');
  const ml = estimateThreeLevel(ir, dataset, { estimator: 'ML' });
  const mlr = estimateThreeLevel(ir, dataset);
  assert.is(mlr.estimator, 'MLR');
  assert.ok(Math.abs(mlr.fit!.loglikelihood - ml.fit!.loglikelihood) < 1e-9);
  assert.ok(mlr.fit!.scalingCorrection !== null && mlr.fit!.scalingCorrection! > 0.5 && mlr.fit!.scalingCorrection! < 2);
  for (let i = 0; i < ml.parameters.length; i++) {
    const a = ml.parameters[i]!, b = mlr.parameters[i]!;
    assert.ok(Math.abs(a.estimate - b.estimate) < 1e-9);
    if (!a.fixed) assert.ok(Number.isFinite(b.se) && b.se > 0);
  }
});

test('free level-3 residual variances (29 parameters): nested model fits at least as well; negatives are warned about', () => {
  const { ir, dataset } = loadExample('examples/ug9/ex9.23-l3free.inp');
  const r = estimateThreeLevel(ir, dataset, { estimator: 'ML' });
  assert.ok(r.terminatedNormally);
  assert.is(r.fit!.parameters, 29);
  assert.ok(r.fit!.loglikelihood >= peers.models.l3zero.loglik - 1e-6);
  const neg = r.parameters.filter((p) => p.betweenLevel === 'LEVEL3' && p.block === 'Residual Variances' && /^Y/.test(p.name) && p.estimate < 0);
  assert.is(r.warnings.filter((w) => w.code === 'THETA_NOT_PD').length, neg.length);
});

test.run();
