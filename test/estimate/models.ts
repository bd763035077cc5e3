// The acceptance models of issue 4, built by hand (IRBuilder) until buildModel lands.
// Each mirrors the Mplus input named in its comment, with Mplus's defaults written out.
import { readData, IRBuilder, addClusters, readColumn } from './builder.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { ModelIR } from '../../src/model/ir.js';

export interface Fixture { ir: ModelIR; ds: Dataset }

/** UG ex3.1: y1 ON x1 x3. */
export function ex31(): Fixture {
  const ds = readData('mplus-ug/ex3.1.dat', ['y1', 'x1', 'x3'], [{ name: 'y1' }, { name: 'x1' }, { name: 'x3' }]);
  const ir = new IRBuilder(ds).row('regression', 'y1', { rhs: 'x1' }).row('regression', 'y1', { rhs: 'x3' }).row('intercept', 'y1').row('residualVariance', 'y1').build(['x1', 'x3']);
  return { ir, ds };
}

/** UG ex3.6: NOMINAL = u1; u1 ON x1 x3 (3 categories: intercepts and slopes of u1#1, u1#2). */
export function ex36(): Fixture {
  const ds = readData('mplus-ug/ex3.6.dat', ['u1', 'x1', 'x3'], [{ name: 'u1', scale: 'nominal' }, { name: 'x1' }, { name: 'x3' }]);
  const b = new IRBuilder(ds);
  for (const c of [1, 2]) b.row('mean', `u1#${c}`).row('regression', `u1#${c}`, { rhs: 'x1' }).row('regression', `u1#${c}`, { rhs: 'x3' });
  return { ir: b.build(['x1', 'x3']), ds };
}

/**
 * Regression mixture (first seed paper eq. 1-2): CLASSES = c(2); %OVERALL% y ON x; c ON x;
 * %c#1% y ON x; [y]; %c#2% y ON x; [y]; (+ `y;` in both class blocks when varyingVariance).
 */
export function regmix(varyingVariance: boolean): Fixture {
  const ds = readData('sim/regmix_n10000.dat', ['y', 'x', 'trueclass'], [{ name: 'y' }, { name: 'x' }]);
  const b = new IRBuilder(ds, { name: 'c', K: 2 });
  b.each('regression', 'y', { rhs: 'x', varying: true }).each('intercept', 'y', { varying: true }).each('residualVariance', 'y', { varying: varyingVariance }).classLogits(['x']);
  return { ir: b.build(['x']), ds };
}

/** LPA: CLASSES = c(2); y1-y4 with class-varying means and class-invariant variances (Mplus default). */
export function lpa(): Fixture {
  const ys = ['y1', 'y2', 'y3', 'y4'];
  const ds = readData('sim/lpa4.dat', [...ys, 'trueclass'], ys.map((name) => ({ name })));
  const b = new IRBuilder(ds, { name: 'c', K: 2 });
  for (const y of ys) b.each('mean', y, { varying: true }).each('variance', y);
  return { ir: b.classLogits().build(), ds };
}

/** UG ex7.3 (without the covariates, which were not published): CATEGORICAL = u1-u4; CLASSES = c(2). */
export function lca(): Fixture {
  const us = ['u1', 'u2', 'u3', 'u4'];
  const ds = readData('mplus-ug/ex7.3-u1u4.dat', us, us.map((name) => ({ name, scale: 'categorical' as const })));
  const b = new IRBuilder(ds, { name: 'c', K: 2 });
  for (const u of us) b.each('threshold', u, { index: 1, varying: true });
  return { ir: b.classLogits().build(), ds };
}

/**
 * UG ex9.1 (CLUSTER = clus; WITHIN = x; BETWEEN = w xm; %WITHIN% y ON x; %BETWEEN% y ON w xm;), the
 * random-intercept regression, estimated with numerical integration over the random intercept (D = 1).
 */
export function ex91(): Fixture {
  const names = ['y', 'x', 'w', 'xm', 'clus'];
  const ds = readData('mplus-ug/ex9.1a.dat', names, [{ name: 'y', level: 'both' }, { name: 'x' }, { name: 'w', level: 'between' }, { name: 'xm', level: 'between' }]);
  addClusters(ds, readColumn('mplus-ug/ex9.1a.dat', names, 'clus'));
  const b = new IRBuilder(ds);
  b.row('regression', 'y', { rhs: 'x', level: 'within' }).row('mean', 'y', { level: 'within', fixed: 0 }).row('residualVariance', 'y', { level: 'within' });
  b.row('regression', 'y', { rhs: 'w', level: 'between' }).row('regression', 'y', { rhs: 'xm', level: 'between' });
  b.row('intercept', 'y', { level: 'between' }).row('residualVariance', 'y', { level: 'between' });
  const ir = b.build(['x', 'w', 'xm'], ['TWOLEVEL'], [{ name: 'Y', display: 'y', level: 'between', kind: 'randomIntercept' }]);
  return { ir, ds };
}

/**
 * UG ex10.4, two-level CFA mixture (ex10.4.out): CLASSES = c(2); CLUSTER = clus; TYPE = TWOLEVEL MIXTURE;
 * %WITHIN% %OVERALL% fw BY y1-y5; %BETWEEN% %OVERALL% fb BY y1-y5; c#1*1; %c#1% [fb*2];
 * Rows as in its TECH1: between residual variances of the fb indicators fixed at 0, so the between
 * random effects are fb and the random class-logit intercept c#1 (2 dimensions of integration).
 */
export function ex104(): Fixture {
  const ys = ['y1', 'y2', 'y3', 'y4', 'y5'];
  const names = [...ys, 'class', 'clus'];
  const ds = readData('mplus-ug/ex10.4.dat', names, ys.map((name) => ({ name, level: 'both' as const })));
  addClusters(ds, readColumn('mplus-ug/ex10.4.dat', names, 'clus'));
  const b = new IRBuilder(ds, { name: 'c', K: 2 });
  const W = { level: 'within' as const }, B = { level: 'between' as const };
  ys.forEach((y, i) => b.each('loading', 'fw', { rhs: y, ...W, ...(i === 0 ? { fixed: 1 } : {}) }));
  for (const y of ys) b.each('mean', y, { ...W, fixed: 0 }).each('residualVariance', y, W);
  b.each('mean', 'fw', { ...W, fixed: 0 }).each('variance', 'fw', W);
  ys.forEach((y, i) => b.each('loading', 'fb', { rhs: y, ...B, ...(i === 0 ? { fixed: 1 } : {}) }));
  for (const y of ys) b.each('intercept', y, B).each('residualVariance', y, { ...B, fixed: 0 });
  b.row('mean', 'fb', { ...B, cls: 1, start: 2 }).row('mean', 'fb', { ...B, cls: 2, fixed: 0 });
  b.each('variance', 'c#1', { ...B, start: 1 }).each('variance', 'fb', B);
  b.classLogits();
  const latent: ModelIR['latent'] = [
    { name: 'FW', display: 'fw', level: 'within', kind: 'factor' },
    { name: 'FB', display: 'fb', level: 'between', kind: 'factor' },
    { name: 'C#1', display: 'c#1', level: 'between', kind: 'classIntercept' },
    ...ys.map((y) => ({ name: y.toUpperCase(), display: y, level: 'between' as const, kind: 'randomIntercept' as const })),
  ];
  return { ir: b.build([], ['TWOLEVEL', 'MIXTURE'], latent), ds };
}

/**
 * First seed paper, Fig. 3 (sim/twolevel_regmix.dat, README in fixtures/sim): CLASSES = c(2); CLUSTER = cluster;
 * WITHIN = x; BETWEEN = w; %WITHIN% %OVERALL% y ON x; c ON x; %c#1% y ON x; y; %c#2% y ON x; y;
 * %BETWEEN% %OVERALL% y ON w; c#1 ON w; c#1; %c#1% [y]; %c#2% [y];  -- the 11 parameters of the README
 * (within residual variance class-invariant: `y;` lines omitted).
 */
export function twolevelRegmix(): Fixture {
  const names = ['y', 'x', 'w', 'cluster', 'trueclass'];
  const ds = readData('sim/twolevel_regmix.dat', names, [{ name: 'y', level: 'both' }, { name: 'x' }, { name: 'w', level: 'between' }]);
  addClusters(ds, readColumn('sim/twolevel_regmix.dat', names, 'cluster'), 'CLUSTER');
  const b = new IRBuilder(ds, { name: 'c', K: 2 });
  const W = { level: 'within' as const }, B = { level: 'between' as const };
  b.each('regression', 'y', { rhs: 'x', ...W, varying: true }).each('mean', 'y', { ...W, fixed: 0 }).each('residualVariance', 'y', W);
  b.each('regression', 'y', { rhs: 'w', ...B }).each('intercept', 'y', { ...B, varying: true }).each('residualVariance', 'y', B);
  b.each('regression', 'c#1', { rhs: 'w', ...B }).each('variance', 'c#1', B);
  b.classLogits(['x']);
  const latent: ModelIR['latent'] = [
    { name: 'Y', display: 'y', level: 'between', kind: 'randomIntercept' },
    { name: 'C#1', display: 'c#1', level: 'between', kind: 'classIntercept' },
  ];
  return { ir: b.build(['x', 'w'], ['TWOLEVEL', 'MIXTURE'], latent), ds };
}

/**
 * The conventional two-level random-slope regression of the first seed paper (sim/twolevel_conventional.dat):
 * CLUSTER = cluster; WITHIN = x; BETWEEN = w; %WITHIN% s | y ON x; %BETWEEN% y s ON w;
 * (random intercept and slope uncorrelated, as generated; 7 parameters). D = 2.
 */
export function twolevelConventional(): Fixture {
  const names = ['y', 'x', 'w', 'cluster'];
  const ds = readData('sim/twolevel_conventional.dat', names, [{ name: 'y', level: 'both' }, { name: 'x' }, { name: 'w', level: 'between' }]);
  addClusters(ds, readColumn('sim/twolevel_conventional.dat', names, 'cluster'), 'CLUSTER');
  const b = new IRBuilder(ds);
  const W = { level: 'within' as const }, B = { level: 'between' as const };
  b.row('mean', 'y', { ...W, fixed: 0 }).row('residualVariance', 'y', W);
  b.row('regression', 'y', { rhs: 'w', ...B }).row('regression', 's', { rhs: 'w', ...B });
  b.row('intercept', 'y', B).row('intercept', 's', B).row('residualVariance', 'y', B).row('residualVariance', 's', B);
  const ir = b.build(['x', 'w'], ['TWOLEVEL', 'RANDOM'], [
    { name: 'Y', display: 'y', level: 'between', kind: 'randomIntercept' },
    { name: 'S', display: 's', level: 'between', kind: 'randomSlope' },
  ]);
  ir.randomSlopes.push({ name: 'S', dependent: 'Y', predictor: 'X', level: 'within' });
  return { ir, ds };
}
