// Lowering rules and Mplus defaults, one rule per test (sources in src/model/defaults.ts and lower.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ParamRow } from '../../src/model/ir.js';
import { covariateNames } from '../../src/model/index.js';
import { build, cols } from './helpers.js';

const head = (vars: string, extra = '', analysis = 'TYPE = GENERAL;') => `DATA: FILE = d.dat;
VARIABLE: NAMES = ${vars}; ${extra}
ANALYSIS: ${analysis}
`;
const find = (rows: ParamRow[], kind: string, lhs: string, rhs = '', cls?: Record<string, number>) =>
  rows.filter((r) => r.kind === kind && r.lhs === lhs && r.rhs === rhs && (!cls || Object.entries(cls).every(([k, v]) => r.classes[k] === v)));
const one = (rows: ParamRow[], kind: string, lhs: string, rhs = '', cls?: Record<string, number>) => {
  const f = find(rows, kind, lhs, rhs, cls);
  assert.is(f.length, 1, `${kind} ${lhs} ${rhs} ${JSON.stringify(cls ?? {})}: ${f.length} rows`);
  return f[0];
};

test('single-level regression: intercepts and residual variances of outcomes, covariates not modelled, residual covariance of two outcomes of the same covariates', () => {
  const { ir } = build(head('y1 y2 x1 x2') + 'MODEL: y1 y2 ON x1 x2;', cols('y1 y2 x1 x2'));
  assert.equal(covariateNames(ir), ['X1', 'X2']);
  assert.is(one(ir.rows, 'intercept', 'Y1').par > 0, true);
  assert.is(one(ir.rows, 'residualVariance', 'Y2').par > 0, true);
  assert.is(one(ir.rows, 'covariance', 'Y2', 'Y1').par > 0, true);
  assert.is(find(ir.rows, 'variance', 'X1').length + find(ir.rows, 'mean', 'X1').length, 0);
  assert.is(ir.nFree, 2 + 4 + 2 + 1);
});

test('factors: first loading fixed at 1, freed by *; factor variances and covariances of exogenous factors free; means 0', () => {
  const { ir } = build(head('y1-y6') + 'MODEL: f1 BY y1-y3;\n f2 BY y4* y5 y6;\n f2@1;', cols('y1 y2 y3 y4 y5 y6'));
  assert.equal([one(ir.rows, 'loading', 'F1', 'Y1').par, one(ir.rows, 'loading', 'F1', 'Y1').value], [0, 1]);
  assert.is(one(ir.rows, 'loading', 'F2', 'Y4').par > 0, true);
  assert.equal([one(ir.rows, 'variance', 'F2').par, one(ir.rows, 'variance', 'F2').value], [0, 1]);
  assert.is(one(ir.rows, 'covariance', 'F2', 'F1').par > 0, true);
  assert.equal([one(ir.rows, 'mean', 'F1').par, one(ir.rows, 'mean', 'F1').value], [0, 0]);
  // indicators: intercepts and residual variances, no residual covariances
  assert.is(find(ir.rows, 'covariance', 'Y2', 'Y1').length, 0);
  assert.is(ir.nFree, 6 + 6 + 5 + 1 + 1); // intercepts, residual variances, loadings, var f1, cov
});

test('last mention wins: f BY y1-y4*0 y3*.5', () => {
  const { ir } = build(head('y1-y4') + 'MODEL: f BY y1-y4*0 y3*.5;', cols('y1 y2 y3 y4'));
  assert.equal([one(ir.rows, 'loading', 'F', 'Y1').par > 0, one(ir.rows, 'loading', 'F', 'Y1').value], [true, 0]);
  assert.is(one(ir.rows, 'loading', 'F', 'Y3').value, 0.5);
  assert.is(one(ir.rows, 'loading', 'F', 'Y2').value, 0);
});

test('labels: one label holds every parameter on its line equal; label lists go to the last n; other lines are not labelled', () => {
  const { ir } = build(
    head('y1-y4 x') +
      `MODEL: y1 y2 y3 ON x (b);
 y4 ON x;
 [y1 y2] (m1 m2);
 y1 y2
 y3 (v);`,
    cols('y1 y2 y3 y4 x'),
  );
  const b = ['Y1', 'Y2', 'Y3'].map((y) => one(ir.rows, 'regression', y, 'X'));
  assert.equal(b.map((r) => r.label), ['B', 'B', 'B']);
  assert.is(new Set(b.map((r) => r.par)).size, 1);
  assert.is(one(ir.rows, 'regression', 'Y4', 'X').label, undefined);
  assert.equal([one(ir.rows, 'intercept', 'Y1').label, one(ir.rows, 'intercept', 'Y2').label], ['M1', 'M2']);
  // `y1 y2` on the line before `y3 (v)` stay unlabelled (same physical line rule)
  assert.equal(['Y1', 'Y2', 'Y3'].map((y) => one(ir.rows, 'residualVariance', y).label), [undefined, undefined, 'V']);
  assert.is(ir.labels.get('B'), b[0].par);
});

test('numeric equality labels and label ranges; lists on both sides of ON take labels per left-hand variable', () => {
  const { ir } = build(head('y1-y2 x1-x2') + 'MODEL: y1-y2 ON x1-x2 (p1-p4);\n [y1] (1);\n [y2] (1);', cols('y1 y2 x1 x2'));
  assert.equal(
    [['Y1', 'X1'], ['Y1', 'X2'], ['Y2', 'X1'], ['Y2', 'X2']].map(([a, c]) => one(ir.rows, 'regression', a, c).label),
    ['P1', 'P2', 'P3', 'P4'],
  );
  assert.is(one(ir.rows, 'intercept', 'Y1').par, one(ir.rows, 'intercept', 'Y2').par);
});

test('(*1) is a random-start block, not an equality', () => {
  const { ir } = build(head('u1-u2', 'CATEGORICAL = u1-u2; CLASSES = c(2);', 'TYPE = MIXTURE;') + 'MODEL: %c#1%\n [u1$1 u2$1] (*1);', cols('u1 u2', { u1: { scale: 'categorical', categories: [0, 1] }, u2: { scale: 'categorical', categories: [0, 1] } }));
  const r = [one(ir.rows, 'threshold', 'U1', '', { C: 1 }), one(ir.rows, 'threshold', 'U2', '', { C: 1 })];
  assert.equal(r.map((x) => x.startBlock), ['1', '1']);
  assert.is.not(r[0].par, r[1].par);
});

test('mixtures: means class-varying, variances class-invariant, no covariances, slopes invariant unless in a class section; class logits K-1', () => {
  const { ir } = build(head('y1-y3 x', 'CLASSES = c(3);', 'TYPE = MIXTURE;') + 'MODEL: %OVERALL%\n y1 ON x;\n c ON x;\n %c#2%\n y2;\n c#1 ON x@0;', cols('y1 y2 y3 x'));
  const m = find(ir.rows, 'mean', 'Y2');
  assert.is(new Set(m.map((r) => r.par)).size, 3);
  assert.is(new Set(find(ir.rows, 'variance', 'Y3').map((r) => r.par)).size, 1);
  const v2 = find(ir.rows, 'variance', 'Y2');
  assert.is(new Set(v2.map((r) => r.par)).size, 2); // class 2 differs from classes 1 and 3
  assert.is(v2[0].par, v2[2].par);
  assert.is(new Set(find(ir.rows, 'regression', 'Y1', 'X').map((r) => r.par)).size, 1);
  assert.is(ir.rows.filter((r) => r.kind === 'covariance').length, 0);
  const cr = ir.rows.filter((r) => r.kind === 'classRegression');
  assert.equal(cr.map((r) => [r.index, r.par === 0, r.value]), [[1, true, 0], [2, false, 0]]);
  assert.equal(ir.rows.filter((r) => r.kind === 'classIntercept').map((r) => [r.index, r.par > 0]), [[1, true], [2, true]]);
});

test('factor mixture: factor mean free except in the last class, indicator intercepts class-invariant (ex10.4 rule)', () => {
  const { ir } = build(head('y1-y4', 'CLASSES = c(2);', 'TYPE = MIXTURE;') + 'MODEL: %OVERALL%\n f BY y1-y4;', cols('y1 y2 y3 y4'));
  assert.equal(find(ir.rows, 'mean', 'F').map((r) => r.par > 0), [true, false]);
  assert.is(new Set(find(ir.rows, 'intercept', 'Y2').map((r) => r.par)).size, 1);
});

test('growth: i s | y1@0 y2@1 y3@2 -> fixed loadings, free means, variances and covariance (ex8.6 layout)', () => {
  const { ir } = build(head('y1-y3') + 'MODEL: i s | y1@0 y2@1 y3@2;', cols('y1 y2 y3'));
  assert.equal(find(ir.rows, 'loading', 'S', 'Y3').map((r) => [r.par, r.value]), [[0, 2]]);
  assert.is(one(ir.rows, 'mean', 'I').par > 0, true);
  assert.is(one(ir.rows, 'covariance', 'S', 'I').par > 0, true);
  assert.is(ir.nFree, 3 + 2 + 3); // residual variances, means, psi
});

test('two-level: random intercepts (free mean and between variance), within mean 0, random slope mean and variance, no default random-effect covariances', () => {
  const { ir } = build(
    head('y x w clus', 'WITHIN = x; BETWEEN = w; CLUSTER = clus;', 'TYPE = TWOLEVEL RANDOM;') + 'MODEL: %WITHIN%\n s | y ON x;\n %BETWEEN%\n y s ON w;',
    cols('y x w', { y: { level: 'both' }, x: { level: 'within' }, w: { level: 'between' } }),
  );
  const rows = ir.rows.filter((r) => r.lhs === 'Y');
  assert.equal(rows.map((r) => [r.level, r.kind, r.par > 0]).sort(), [
    ['between', 'intercept', true], ['between', 'regression', true], ['between', 'residualVariance', true],
    ['within', 'intercept', false], ['within', 'residualVariance', true],
  ].sort());
  assert.is(one(ir.rows, 'intercept', 'S').par > 0, true);
  assert.is(one(ir.rows, 'residualVariance', 'S').par > 0, true);
  assert.is(ir.rows.filter((r) => r.kind === 'covariance').length, 0);
  assert.equal(ir.latent.map((l) => [l.name, l.kind]), [['S', 'randomSlope'], ['Y', 'randomIntercept']]);
  assert.equal(covariateNames(ir), ['X', 'W']);
});

test('between-level class variable and KNOWNCLASS are read from VARIABLE', () => {
  const { ir } = build(head('y g clus', 'CLASSES = cg(2) cb(2); KNOWNCLASS = cg (g = 1 2); BETWEEN = cb; CLUSTER = clus;', 'TYPE = TWOLEVEL MIXTURE;') + 'MODEL: %WITHIN%\n %OVERALL%\n %BETWEEN%\n %OVERALL%\n cb ON cg;', cols('y', { y: { level: 'both' } }));
  assert.equal(ir.classVariables.map((c) => [c.name, c.level, c.known]), [['CG', 'within', { variable: 'G', values: [[1], [2]] }], ['CB', 'between', undefined]]);
});

test('TWOLEVEL MIXTURE: `%BETWEEN% c#1;` makes the class intercept random (free variance); `f BY c#1 c#2` fixes their residual variances at 0', () => {
  const { ir } = build(
    head('y w clus', 'CLASSES = c(3); BETWEEN = w; CLUSTER = clus;', 'TYPE = TWOLEVEL MIXTURE;') + 'MODEL: %WITHIN%\n %OVERALL%\n %BETWEEN%\n %OVERALL%\n f BY c#1 c#2;\n f ON w;',
    cols('y w', { y: { level: 'both' }, w: { level: 'between' } }),
  );
  assert.equal(find(ir.rows, 'residualVariance', 'C#1').map((r) => [r.par, r.value]), [[0, 0], [0, 0], [0, 0]]);
  assert.equal(find(ir.rows, 'loading', 'F', 'C#1').map((r) => r.value), [1, 1, 1]);
  assert.is(find(ir.rows, 'loading', 'F', 'C#2')[0].par > 0, true);
  assert.is(find(ir.rows, 'intercept', 'F').every((r) => r.par === 0), true);
});

test('LPA: the Mplus warning that variables are uncorrelated within class; none for an LCA', () => {
  const lpa = build(head('y1-y2', 'CLASSES = c(2);', 'TYPE = MIXTURE;'), cols('y1 y2'));
  assert.equal(lpa.diagnostics.map((d) => d.code), ['W_UNCORRELATED_WITHIN_CLASS']);
  const lca = build(head('u1-u2', 'CATEGORICAL = u1-u2; CLASSES = c(2);', 'TYPE = MIXTURE;'), cols('u1 u2', { u1: { scale: 'categorical', categories: [0, 1] }, u2: { scale: 'categorical', categories: [0, 1] } }));
  assert.equal(lca.diagnostics, []);
});

test('Monte Carlo inputs: CLASSES and BETWEEN are read from MONTECARLO when there is no VARIABLE command', () => {
  const text = `MONTECARLO: NAMES = y1-y2; NOBSERVATIONS = 500; NREPS = 1; GENCLASSES = c (2); CLASSES = c (2);
ANALYSIS: TYPE = MIXTURE;
MODEL POPULATION: %OVERALL%
  [c#1*0];
MODEL: %OVERALL%
  %c#1%
  [y1*1];
`;
  const { ir } = build(text, cols('y1 y2'));
  assert.equal(ir.classVariables.map((c) => [c.name, c.nClasses]), [['C', 2]]);
  assert.is(ir.nFree, 4 + 2 + 1);
});

test.run();
