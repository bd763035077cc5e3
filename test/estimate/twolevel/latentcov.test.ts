// Covariates in neither WITHIN nor BETWEEN: Mplus splits them into uncorrelated within and between
// latent parts (UG ex9.1 part b); multivariate.ts models them as outcomes with a within variance, a
// between mean and a between variance. Peer: lavaan 0.6.14 two-level ML with the covariate modelled
// on both levels (bench/peers/twolevel_latentcov_lavaan.R -> fixtures/peers/twolevel_latentcov_lavaan.json)
// on HSB (mathach on ses; ses2 adds the between covariate sector, on which the likelihood conditions).
// The peer's conditional log-likelihood is confirmed there by a dense per-school density.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimateTwoLevel } from '../../../src/estimate/twolevel/index.js';
import { PlusmixError } from '../../../src/syntax/diagnostics.js';
import { compareWithLavaan, lavaanPeer, loadInput } from './lavaanPeer.js';

const peer = lavaanPeer('twolevel_latentcov_lavaan.json');

test('HSB mathach ON ses with ses decomposed (within and between slopes) matches lavaan: ML and MLR', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/hsb-latcov1.inp');
  const pm = peer.ses1!;
  assert.ok(Math.abs((pm as unknown as { loglik_dense: number }).loglik_dense - pm.loglik_conditional) < 1e-3);
  compareWithLavaan(pm, estimateTwoLevel(ir, dataset, { estimator: 'ML' }), 'se_ml');
  compareWithLavaan(pm, estimateTwoLevel(ir, dataset, { estimator: 'MLR' }), 'se_mlr');
});

test('latent covariate ses with the between covariate sector matches lavaan (conditional on sector): ML', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/hsb-latcov2.inp');
  const pm = peer.ses2!;
  assert.ok(Math.abs((pm as unknown as { loglik_dense: number }).loglik_dense - pm.loglik_conditional) < 1e-3);
  compareWithLavaan(pm, estimateTwoLevel(ir, dataset, { estimator: 'ML' }), 'se_ml');
});

test('a random slope on a latent covariate is refused with E_TWOLEVEL_UNSUPPORTED naming the fix', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/hsb-latcov1.inp');
  ir.randomSlopes.push({ name: 'S', dependent: 'MATHACH', predictor: 'SES', level: 'within' });
  try {
    estimateTwoLevel(ir, dataset, { estimator: 'ML' });
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, PlusmixError);
    assert.is((e as PlusmixError).diagnostics[0]!.code, 'E_TWOLEVEL_UNSUPPORTED');
    assert.match((e as PlusmixError).message, /Declare SES in WITHIN/);
  }
});

test.run();
