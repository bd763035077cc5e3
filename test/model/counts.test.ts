// Free-parameter counts of whole inputs against independent numbers: real Mplus outputs, the seed
// paper's Table 2, and peer programs' parameter counts (lme4, flexmix, mclust) for the same models.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import type { Col } from './helpers.js';
import { build, cols, root } from './helpers.js';
import { integrationDimensions } from '../../src/model/index.js';

const input = (name: string) => readFileSync(`${root}test/model/inputs/${name}`, 'utf8');
const lv = (level: Col['level'], names: string) => Object.fromEntries(names.split(' ').map((n) => [n, { level }]));

const cases: Array<{ file: string; columns: Col[]; expected: number; source: string }> = [
  { file: 'ex10_1_structure.inp', columns: cols('y x1 x2 w', { ...lv('both', 'y'), ...lv('within', 'x1 x2'), ...lv('between', 'w') }), expected: 13, source: 'estimation.md §3.5 count for syntax.md §12(a)' },
  { file: 'twolevel_lpa_bc_wc.inp', columns: cols('ex1 ex2 ex3 ex4 ac1 ac2 ac3 ac4'), expected: 37, source: 'real Mplus 8 run (syntax.md §12(c), verified)' },
  { file: 'nels_b3.inp', columns: cols('math female studses peradva private catholic meanses', { ...lv('both', 'math'), ...lv('within', 'female studses'), ...lv('between', 'peradva private catholic meanses') }), expected: 43, source: 'seed paper Table 2, model B3' },
  { file: 'hsb_m1.inp', columns: cols('mathach', lv('both', 'mathach')), expected: 3, source: 'lme4 m1' },
  { file: 'hsb_m2.inp', columns: cols('mathach female ses meanses sector', { ...lv('both', 'mathach'), ...lv('within', 'female ses'), ...lv('between', 'meanses sector') }), expected: 12, source: 'lme4 m2' },
  { file: 'hsb_m3.inp', columns: cols('mathach female ses sector meanses pracad', { ...lv('both', 'mathach'), ...lv('within', 'female ses'), ...lv('between', 'sector meanses pracad') }), expected: 19, source: 'lme4 m3' },
  { file: 'ex9_1_random_intercept.inp', columns: cols('y x w xm', { ...lv('both', 'y'), ...lv('within', 'x'), ...lv('between', 'w xm') }), expected: 6, source: 'lme4 ex9.1 (fixtures/peers/ex9_1_lme4.json)' },
  { file: 'regmix.inp', columns: cols('y x'), expected: 7, source: 'flexmix, class-invariant residual variance' },
  { file: 'regmix_varying.inp', columns: cols('y x'), expected: 8, source: 'flexmix, class-varying residual variance' },
  { file: 'lpa4_eei.inp', columns: cols('y1 y2 y3 y4'), expected: 13, source: 'mclust EEI' },
];

for (const c of cases) {
  test(`${c.file}: ${c.expected} free parameters (${c.source})`, () => {
    const { ir } = build(input(c.file), c.columns);
    assert.is(ir.nFree, c.expected);
  });
}

test('twolevel bc/wc LPA: 24 means vary over wc only, 8 variances, [bc#1], [wc#1-2], wc ON bc (2)', () => {
  const { ir } = build(input('twolevel_lpa_bc_wc.inp'), cols('ex1 ex2 ex3 ex4 ac1 ac2 ac3 ac4'));
  const means = new Set(ir.rows.filter((r) => r.kind === 'mean' && r.par > 0).map((r) => r.par));
  assert.is(means.size, 24);
  const cw = ir.rows.filter((r) => r.kind === 'classRegression');
  assert.equal(cw.map((r) => [r.lhs, r.index, r.rhs, r.rhsIndex]), [['WC', 1, 'BC', 1], ['WC', 2, 'BC', 1]]);
});

test('NELS B3: 3 integration dimensions (math, s1, f) have free between variances; s2, c#1, c#2 fixed at 0', () => {
  const { ir } = build(input('nels_b3.inp'), cols('math female studses peradva private catholic meanses', { ...lv('both', 'math'), ...lv('within', 'female studses'), ...lv('between', 'peradva private catholic meanses') }));
  const between = ir.rows.filter((r) => r.level === 'between' && (r.kind === 'variance' || r.kind === 'residualVariance') && r.classes.C === 1);
  assert.equal(between.filter((r) => r.par > 0).map((r) => r.lhs).sort(), ['F', 'MATH', 'S1']);
  assert.equal(between.filter((r) => r.par === 0).map((r) => [r.lhs, r.value]).sort(), [['C#1', 0], ['C#2', 0], ['S2', 0]]);
  assert.equal(ir.latent.map((l) => [l.name, l.kind, l.level]), [
    ['S1', 'randomSlope', 'between'], ['S2', 'randomSlope', 'between'], ['F', 'factor', 'between'],
    ['C#1', 'classIntercept', 'between'], ['C#2', 'classIntercept', 'between'], ['MATH', 'randomIntercept', 'between'],
  ]);
  assert.equal(ir.randomSlopes.map((s) => [s.name, s.dependent, s.predictor]), [['S1', 'MATH', 'FEMALE'], ['S2', 'MATH', 'STUDSES']]);
});

test('integration dimensions: ex10.1 structure y and c#1 (UG text: 2 dimensions, 225 points); NELS B3 math, s1, f (paper: 3)', () => {
  const ex101 = build(input('ex10_1_structure.inp'), cases[0].columns).ir;
  assert.equal(integrationDimensions(ex101), ['C#1', 'Y']);
  const nels = build(input('nels_b3.inp'), cases[2].columns).ir;
  assert.equal(integrationDimensions(nels), ['S1', 'F', 'MATH']);
});

test.run();
