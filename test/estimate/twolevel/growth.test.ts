// User's Guide ex9.12, two-level growth model (growth factors `iw sw | y1@0 y2@1 y3@2 y4@3` on both
// levels, `iw sw ON x`, `ib sb ON w`) through multivariate.ts, against lavaan 0.6.14
// (bench/peers/twolevel_growth_lavaan.R -> fixtures/peers/twolevel_growth_lavaan.json; its log-likelihood
// re-evaluated there by a dense per-cluster density). The input writes `[iw@0 sw@0]` in %WITHIN%: the
// model stage's default frees the within growth-factor means, which are not identified next to the
// between ones (docs/coverage.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PlusmixError } from '../../../src/syntax/diagnostics.js';
import { estimateTwoLevel } from '../../../src/estimate/twolevel/index.js';
import { compareWithLavaan, lavaanPeer, loadInput } from './lavaanPeer.js';

const peer = lavaanPeer('twolevel_growth_lavaan.json');

test('ex9.12 two-level growth model matches lavaan: ML and MLR', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/ex9.12.inp');
  compareWithLavaan(peer.ex9_12!, estimateTwoLevel(ir, dataset, { estimator: 'ML' }), 'se_ml');
  compareWithLavaan(peer.ex9_12!, estimateTwoLevel(ir, dataset, { estimator: 'MLR' }), 'se_mlr');
});

test('ex9.12 as the User\'s Guide writes it (no [iw@0 sw@0]): the within growth-factor means default to 0, same fit', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/ex9.12-ug.inp');
  for (const f of ['IW', 'SW']) {
    const row = ir.rows.find((r) => r.level === 'within' && r.lhs === f && (r.kind === 'intercept' || r.kind === 'mean'))!;
    assert.is(row.par, 0);
    assert.is(row.value, 0);
  }
  compareWithLavaan(peer.ex9_12!, estimateTwoLevel(ir, dataset, { estimator: 'ML' }), 'se_ml');
});

test('a free within-level growth-factor mean (not identified) is refused with the fix in the message', () => {
  const { ir, dataset } = loadInput('fixtures/twolevel/ex9.12.inp');
  const row = ir.rows.find((r) => r.level === 'within' && r.lhs === 'IW' && (r.kind === 'intercept' || r.kind === 'mean'))!;
  row.par = ++ir.nFree;
  try {
    estimateTwoLevel(ir, dataset, { estimator: 'ML' });
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, PlusmixError);
    assert.is((e as PlusmixError).diagnostics[0]!.code, 'E_TWOLEVEL_UNSUPPORTED');
    assert.match((e as PlusmixError).message, /\[iw@0\] in %WITHIN%/);
  }
});

test.run();
