// Derived tables of categorical-indicator mixtures checked against Mplus 8.8 (ex7.3): the probability
// scale and the indicator odds ratios recomputed from the printed thresholds. Binary items have one
// threshold per class, so the probability S.E. needs no covariances; the inputs carry 3 decimals, so the
// tolerances are the propagated rounding error (|dP/dt| <= 0.25 times 0.0005, plus the output's 0.0005).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { indicatorOddsRatios, probabilityScale } from '../../src/results/probability.js';
import { readMplusOut } from '../../src/output/mplusReader.js';
import { referenceText } from './reference.js';

const f = readMplusOut(referenceText('ex7.3'));
const view = { parameters: f.result.parameters, covariance: null, theta: new Float64Array(0) };

test('RESULTS IN PROBABILITY SCALE from thresholds (delta-method S.E.)', () => {
  const ours = probabilityScale(view);
  const ref = f.probabilityScale!;
  assert.equal(ours.map((r) => [r.classLabel, r.variable]), ref.map((r) => [r.classLabel, r.variable]));
  ours.forEach((r, i) =>
    r.categories.forEach((c, j) => {
      const m = ref[i].categories[j];
      assert.ok(Math.abs(c.estimate - m.estimate) <= 0.0007, `${r.variable} ${c.label} estimate ${c.estimate} vs ${m.estimate}`);
      // S.E. = p(1-p) se(t): rounding of se(t) (0.0005) and of the output (0.0005)
      assert.ok(Math.abs(c.se - m.se) <= 0.0008, `${r.variable} ${c.label} se ${c.se} vs ${m.se}`);
    }),
  );
});

test('indicator odds ratios: estimate exp(t_b - t_a) and a log-scale 95% interval', () => {
  const ours = indicatorOddsRatios(view);
  const ref = f.oddsRatios!;
  assert.equal(ours.map((c) => c.title), ['Latent Class 1 Compared to Latent Class 2']);
  assert.equal(ref[0].title, ours[0].title);
  ours[0].rows.forEach((r, i) => {
    const m = ref[0].rows[i];
    assert.equal([r.variable, r.label], [m.variable, m.label]);
    // relative rounding error of exp(d) with |error of d| <= 0.001
    assert.ok(Math.abs(r.estimate / m.estimate - 1) <= 0.0011 + 0.0005 / m.estimate, `${r.variable}: ${r.estimate} vs ${m.estimate}`);
    // the interval Mplus prints is exp(log OR -/+ 1.96 S.E./OR), checked with Mplus's own S.E. where the
    // printed S.E./OR is precise (odds ratios > 1; for 0.011 with S.E. 0.005 rounding alone is 10%)
    if (m.estimate < 1) return;
    const sd = m.se / m.estimate;
    assert.ok(Math.abs(m.estimate * Math.exp(-1.96 * sd) - m.lower) <= 0.002 * m.lower + 0.0005);
    assert.ok(Math.abs(m.estimate * Math.exp(1.96 * sd) - m.upper) <= 0.002 * m.upper + 0.0005);
  });
});

test.run();
