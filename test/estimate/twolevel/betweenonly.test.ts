// Between-only dependent variables (BETWEEN-listed outcomes, multivariate.ts): the likelihood is
// f(z_j) f(y_j | z_j), the random effects conditioned on z_j. Peer: lavaan 0.6.14 two-level ML on HSB,
// disclim (school level) ON sector and the school part of mathach ON disclim sector
// (bench/peers/twolevel_betweenonly_lavaan.R -> fixtures/peers/twolevel_betweenonly_lavaan.json; its
// log-likelihood re-evaluated there by a dense per-school density).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimateTwoLevel } from '../../../src/estimate/twolevel/index.js';
import { PlusmixError } from '../../../src/syntax/diagnostics.js';
import { compareWithLavaan, lavaanPeer, loadInput } from './lavaanPeer.js';

const peer = lavaanPeer('twolevel_betweenonly_lavaan.json');

test('HSB with the between-only outcome disclim matches lavaan: ML and MLR', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/hsb-between.inp');
  compareWithLavaan(peer.hsb_between!, estimateTwoLevel(ir, dataset, { estimator: 'ML' }), 'se_ml');
  compareWithLavaan(peer.hsb_between!, estimateTwoLevel(ir, dataset, { estimator: 'MLR' }), 'se_mlr');
});

test('a missing value of a between-only outcome is refused (E_TWOLEVEL_UNSUPPORTED), not dropped', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/hsb-between.inp');
  const z = dataset.columns.find((c) => c.name === 'DISCLIM')!.values;
  const cl = dataset.cluster!;
  for (let t = cl.start[3]!; t < cl.start[4]!; t++) z[cl.order[t]!] = NaN;
  try {
    estimateTwoLevel(ir, dataset, { estimator: 'ML' });
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, PlusmixError);
    assert.is((e as PlusmixError).diagnostics[0]!.code, 'E_TWOLEVEL_UNSUPPORTED');
    assert.match((e as PlusmixError).message, /DISCLIM is missing/);
  }
});

test.run();
