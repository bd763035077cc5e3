// Acceptance: real Mplus output digits, HSB structure, independent checks of CENTER / CLUSTER_MEAN,
// every fixture data file's dimensions, ICC against lme4.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadData } from '../../src/data/index.js';
import { column } from '../../src/data/dataset.js';
import { summarizeData, categoricalProportions, intraclassCorrelations } from '../../src/data/summary.js';
import { FIXTURES, simpleInput, define, vars, assign } from './helpers.js';
import type { DefineStatement } from '../../src/syntax/ast.js';
import { sp } from './helpers.js';

test('ex10.4: UNIVARIATE SAMPLE STATISTICS match the Mplus 8.8 output to every printed digit', () => {
  const out = readFileSync(join(FIXTURES, 'reference-outputs/ex10.4.out'), 'utf8').split(/\r?\n/);
  const at = out.findIndex((l) => l.includes('UNIVARIATE HIGHER-ORDER MOMENT DESCRIPTIVE STATISTICS'));
  const ast = simpleInput('ex10.4.dat', { NAMES: 'y1-y5 class clus', USEVARIABLES: 'y1-y5', CLASSES: 'c (2)', CLUSTER: 'clus' });
  const { dataset } = loadData(ast, join(FIXTURES, 'mplus-ug'));
  const s = summarizeData(dataset);
  assert.is(s.clusters!.nClusters, 110); // "Number of clusters 110"
  assert.is(s.univariate.length, 5);
  const f3 = (x: number) => x.toFixed(3);
  s.univariate.forEach((u, k) => {
    const l1 = out[at + 5 + 2 * k].trim().split(/\s+/);
    const l2 = out[at + 6 + 2 * k].trim().split(/\s+/);
    assert.is(l1[0], u.name.toUpperCase());
    assert.equal(l1.slice(1), [f3(u.mean), f3(u.skewness), f3(u.min), u.pctAtMin.toFixed(2) + '%', f3(u.p20), f3(u.p40), f3(u.median)], u.name);
    assert.equal(l2, [f3(u.n), f3(u.variance), f3(u.kurtosis), f3(u.max), u.pctAtMax.toFixed(2) + '%', f3(u.p60), f3(u.p80)], u.name);
  });
});

test('ex7.3: categorical proportions and counts as printed by Mplus', () => {
  const ast = simpleInput('ex7.3-u1u4.dat', { NAMES: 'u1-u4', CATEGORICAL: 'u1-u4', CLASSES: 'c (2)' });
  const { dataset } = loadData(ast, join(FIXTURES, 'mplus-ug'));
  const out = readFileSync(join(FIXTURES, 'reference-outputs/ex7.3.out'), 'utf8');
  const block = out.slice(out.indexOf('UNIVARIATE PROPORTIONS AND COUNTS'), out.indexOf('RANDOM STARTS RESULTS'));
  const printed = [...block.matchAll(/Category (\d+)\s+([\d.]+)\s+([\d.]+)/g)].map((m) => [m[2], m[3]]);
  const ours = categoricalProportions(dataset).flatMap((c) => c.counts.map((n, k) => [c.proportions[k].toFixed(3), n.toFixed(3)]));
  assert.equal(ours, printed);
  assert.equal(dataset.columns[0].categories, [0, 1]);
});

const HSB_NAMES = 'school minority female ses mathach meanses sector size pracad disclim himinty';

function hsbColumns(): number[][] {
  const rows = readFileSync(join(FIXTURES, 'hsb/hsb.dat'), 'utf8').trim().split(/\r?\n/).map((l) => l.trim().split(/\s+/).map(Number));
  return rows;
}

test('HSB: 7185 observations in 160 clusters', () => {
  const ast = simpleInput('hsb.dat', { NAMES: HSB_NAMES, USEVARIABLES: 'mathach ses meanses sector', CLUSTER: 'school', WITHIN: 'ses', BETWEEN: 'meanses sector' });
  const { dataset } = loadData(ast, join(FIXTURES, 'hsb'));
  assert.is(dataset.nRows, 7185);
  assert.is(dataset.cluster!.ids.length, 160);
  const s = summarizeData(dataset);
  assert.is(s.clusters!.sizes[0].size, 14); // README: cluster sizes 14 to 67
  assert.is(s.clusters!.sizes[s.clusters!.sizes.length - 1].size, 67);
  assert.ok(Math.abs(s.clusters!.averageSize - 7185 / 160) < 1e-12);
  assert.equal(dataset.columns.map((c) => c.level), ['both', 'within', 'between', 'between']);
});

test('HSB: CENTER (GRANDMEAN, GROUPMEAN) and CLUSTER_MEAN agree with plain loops', () => {
  const center = (mode: 'GRANDMEAN' | 'GROUPMEAN', ...v: string[]): DefineStatement => ({ kind: 'Center', vars: vars(...v), mode, span: sp() });
  const ast = simpleInput(
    'hsb.dat',
    { NAMES: HSB_NAMES, USEVARIABLES: 'mathach ses meanses pracad sesgc cm', CLUSTER: 'school', BETWEEN: 'meanses pracad' },
    {},
    [define(assign('sesgc', 'ses'), assign('cm', 'CLUSTER_MEAN(ses)'), center('GRANDMEAN', 'ses', 'meanses', 'pracad'), center('GROUPMEAN', 'sesgc'))],
  );
  const { dataset } = loadData(ast, join(FIXTURES, 'hsb'));
  const rows = hsbColumns();
  // independent: grand means over all rows, school means by plain accumulation
  let sSes = 0, sMs = 0, sPr = 0;
  const bySchool = new Map<number, { s: number; n: number }>();
  for (const r of rows) {
    sSes += r[3]; sMs += r[5]; sPr += r[8];
    const b = bySchool.get(r[0]) ?? { s: 0, n: 0 };
    b.s += r[3]; b.n += 1;
    bySchool.set(r[0], b);
  }
  const N = rows.length;
  // README values: ses 0.00014335, meanses 0.00613848, pracad 0.53448713 (means over all 7185 rows)
  assert.ok(Math.abs(sMs / N - 0.00613848) < 1e-8 && Math.abs(sPr / N - 0.53448713) < 1e-8 && Math.abs(sSes / N - 0.00014335) < 1e-8);
  const ses = column(dataset, 'ses')!.values, ms = column(dataset, 'meanses')!.values, pr = column(dataset, 'pracad')!.values;
  const gc = column(dataset, 'sesgc')!.values, cm = column(dataset, 'cm')!.values;
  rows.forEach((r, i) => {
    const b = bySchool.get(r[0])!;
    assert.ok(Math.abs(ses[i] - (r[3] - sSes / N)) < 1e-12);
    assert.ok(Math.abs(ms[i] - (r[5] - sMs / N)) < 1e-12);
    assert.ok(Math.abs(pr[i] - (r[8] - sPr / N)) < 1e-12);
    assert.ok(Math.abs(cm[i] - b.s / b.n) < 1e-12);
    assert.ok(Math.abs(gc[i] - (r[3] - b.s / b.n)) < 1e-12);
  });
});

test('nels_like: ML intraclass correlation of math matches lme4 (0.1354; between 15.040, within 96.041)', () => {
  const ast = simpleInput('nels_like.dat', {
    NAMES: 'school math female studses peradva private catholic meanses trueclass',
    USEVARIABLES: 'math female studses peradva',
    CLUSTER: 'school',
    WITHIN: 'female studses',
    BETWEEN: 'peradva',
  });
  const { dataset } = loadData(ast, join(FIXTURES, 'sim'));
  assert.is(dataset.nRows, 14217);
  assert.is(dataset.cluster!.ids.length, 913);
  const [ml] = intraclassCorrelations(dataset, 'ml'); // the only both-level variable: the H1 model is univariate here
  assert.is(ml.name, 'math');
  assert.is(ml.method, 'ml');
  assert.ok(ml.converged);
  assert.is(ml.icc.toFixed(4), '0.1354');
  assert.is(ml.between.toFixed(2), '15.04');
  assert.is(ml.within.toFixed(2), '96.04');
  const [uv] = intraclassCorrelations(dataset, 'ml-univariate');
  assert.ok(Math.abs(uv.icc - ml.icc) < 1e-7);
  const [mm] = intraclassCorrelations(dataset, 'anova');
  assert.ok(Math.abs(mm.icc - ml.icc) < 0.01);
});

test('two-level H1 model: with equal cluster sizes the joint ML ICCs equal the univariate ML ones', () => {
  // twolevel_regmix: 200 clusters x 15, y and x on both levels. With balanced complete data the ML
  // estimates of SigmaW and SigmaB are closed-form and element-wise (when SigmaB is interior).
  const ast = simpleInput('twolevel_regmix.dat', { NAMES: 'y x w clus tc', USEVARIABLES: 'y x', CLUSTER: 'clus' });
  const { dataset } = loadData(ast, join(FIXTURES, 'sim'));
  const joint = intraclassCorrelations(dataset, 'ml');
  const uni = intraclassCorrelations(dataset, 'ml-univariate');
  assert.equal(joint.map((c) => c.name), ['y', 'x']);
  joint.forEach((c, k) => {
    assert.ok(c.converged && uni[k].converged);
    assert.ok(Math.abs(c.icc - uni[k].icc) < 1e-6, `${c.name}: ${c.icc} vs ${uni[k].icc}`);
  });
  // and in closed form for balanced data: SigmaW = S_W / (N - J), SigmaB = (S_B / J - SigmaW) / n
  const y = dataset.columns[0].values;
  const J = 200, n = 15, N = 3000;
  const means: number[] = [];
  let sw = 0;
  for (let g = 0; g < J; g++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += y[g * n + k];
    means.push(s / n);
    for (let k = 0; k < n; k++) sw += (y[g * n + k] - s / n) ** 2;
  }
  const grand = means.reduce((a, b) => a + b, 0) / J;
  const sigW = sw / (N - J);
  const sigB = means.reduce((a, m) => a + (m - grand) ** 2, 0) / J - sigW / n;
  assert.ok(Math.abs(joint[0].within - sigW) < 1e-6 && Math.abs(joint[0].between - sigB) < 1e-6);
});

test('every fixture data file reads with the documented dimensions', () => {
  const dims: Record<string, [number, number]> = {
    'hsb/hsb.dat': [7185, 11],
    'sim/lpa4.dat': [1000, 5],
    'sim/nels_like.dat': [14217, 9],
    'sim/regmix_n10000.dat': [10000, 3],
    'sim/twolevel_regmix.dat': [3000, 5],
    'sim/twolevel_conventional.dat': [3000, 4],
    'sim/twolevel_regmix_truth_clusters.dat': [200, 4],
    'sim/between_m2.dat': [2000, 4],
    'sim/between_m5.dat': [1000, 4],
    'sim/between_m5_large.dat': [3000, 4],
    'sim/between_within.dat': [2000, 5],
    'mplus-ug/ex10.4.dat': [1000, 7],
    'mplus-ug/ex3.1.dat': [500, 3],
    'mplus-ug/ex3.2.dat': [1000, 3],
    'mplus-ug/ex3.3.dat': [500, 3],
    'mplus-ug/ex3.6.dat': [500, 3],
    'mplus-ug/ex7.3-u1u4.dat': [500, 4],
    'mplus-ug/ex7.9.dat': [500, 5],
    'mplus-ug/ex7.10.dat': [500, 5],
    'mplus-ug/ex8.2.dat': [500, 5],
    'mplus-ug/ex8.13-cols1-10.dat': [2000, 10],
    'mplus-ug/ex9.1a.dat': [1000, 5],
    'mplus-ug/ex9.6.dat': [1000, 8],
    'mplus-ug/ex9.11.dat': [1800, 8],
    'mplus-ug/ex9.12.dat': [1000, 7],
    'mplus-ug/ex9.23.dat': [7500, 9],
  };
  const present = ['hsb', 'sim', 'mplus-ug'].flatMap((d) => readdirSync(join(FIXTURES, d)).filter((f) => f.endsWith('.dat')).map((f) => `${d}/${f}`));
  assert.equal(present.sort(), Object.keys(dims).sort());
  for (const [f, [n, p]] of Object.entries(dims)) {
    const [dir, name] = f.split('/');
    const names = Array.from({ length: p }, (_, k) => `v${k + 1}`).join(' ');
    const { dataset, diagnostics } = loadData(simpleInput(name, { NAMES: names }), join(FIXTURES, dir));
    assert.is(dataset.nRows, n, f);
    assert.is(dataset.columns.length, p, f);
    assert.equal(diagnostics.filter((d) => d.code === 'W_DATA_LINE_LENGTH'), [], f);
  }
});

test.run();
