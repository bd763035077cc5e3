// The reader of real Mplus output files, checked against values visible in the two Mplus 8.8 outputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readMplusOut } from '../../src/output/mplusReader.js';
import { referenceText } from './reference.js';

const ex104 = readMplusOut(referenceText('ex10.4'));
const ex73 = readMplusOut(referenceText('ex7.3'));

test('version, input echo, title', () => {
  assert.is(ex104.version, '8.8');
  assert.is(ex104.writtenByPlusmix, false);
  assert.ok(ex104.inputText.startsWith('TITLE:\tthis is an example of a two-level CFA\n'));
  assert.ok(ex104.inputText.endsWith('OUTPUT:\tTECH1 TECH8;\n'));
  assert.equal(ex73.title, ['this is an example of a LCA with', 'binary latent class indicators using', 'automatic starting values with random starts']);
});

test('SUMMARY OF ANALYSIS fields', () => {
  const s = ex104.summary;
  assert.equal([s.groups, s.observations, s.dependent, s.independent, s.continuousLatent, s.categoricalLatent], [1, 1000, 5, 0, 2, 1]);
  assert.equal(s.variableLists.map((v) => v.title), ['Observed dependent variables', 'Continuous latent variables', 'Categorical latent variables']);
  assert.equal(s.variableLists[0].groups[0], { subtitle: 'Continuous', names: ['Y1', 'Y2', 'Y3', 'Y4', 'Y5'] });
  assert.equal(s.specialFunctions, ['  Cluster variable      CLUS']);
  assert.equal(s.specs.find((x) => x.label === 'Estimator'), { indent: 0, label: 'Estimator', value: 'MLR' });
  assert.equal(s.specs.find((x) => x.label === 'Derivative'), { indent: 4, label: 'Derivative', value: '0.100D-02' });
  assert.equal(s.inputFiles, ['ex10.4.dat']);
  assert.equal(ex104.result.integration, { type: 'STANDARD', points: 15, dimensions: 2, adaptive: true });
  const aux = ex73.summary.variableLists.find((v) => v.title === 'Observed auxiliary variables');
  assert.equal(aux?.groups[0].names, ['X1', 'X2', 'X3', 'X4', 'X5', 'X6', 'X7', 'X8', 'X9', 'X10']);
  assert.is(ex73.summary.specs.find((x) => x.label === 'Random seed for generating random starts')?.value, '0');
});

test('data summaries', () => {
  assert.is(ex104.dataSummary?.clusters, 110);
  const y1 = ex104.dataSummary?.univariate?.[0];
  assert.equal(y1, { name: 'Y1', mean: 1.081, skewness: 0.005, min: -3.441, pctMin: 0.1, p20: -0.342, p40: 0.637, median: 1.07, n: 1000, variance: 2.601, kurtosis: -0.351, max: 5.535, pctMax: 0.1, p60: 1.544, p80: 2.405 });
  assert.equal(ex73.dataSummary?.proportions?.[3], { name: 'U4', categories: [{ label: '1', proportion: 0.334, count: 167 }, { label: '2', proportion: 0.666, count: 333 }] });
});

test('fit statistics', () => {
  assert.equal(ex104.result.fit, { loglikelihood: -5334.228, parameters: 23, scalingCorrection: 0.9313, aic: 10714.456, bic: 10827.334, abic: 10754.285, n: 1000 });
  assert.equal(ex73.result.fit?.categoricalChiSquare, { pearson: { value: 6.287, df: 6, pValue: 0.3918 }, likelihoodRatio: { value: 5.605, df: 6, pValue: 0.4688 } });
  assert.is(ex104.result.classCounts?.entropy, 0.538);
  assert.is(ex73.result.conditionNumber, 0.06);
  assert.is(ex104.result.conditionNumber, 0.0003);
});

test('class counts: all three kinds and the classification matrices', () => {
  const c = ex104.result.classCounts!;
  assert.is(c.model, null); // ex10.4 prints no "BASED ON THE ESTIMATED MODEL" block
  assert.equal(c.posterior, [503.7893, 496.2107]);
  assert.equal(c.mostLikely, [505, 495]);
  assert.equal(c.averagePosterior, [[0.861, 0.139], [0.139, 0.861]]);
  assert.equal(c.logits, [[1.841, 0], [-1.803, 0]]);
  const d = ex73.result.classCounts!;
  assert.equal(d.model, [136.38064, 363.61936]);
  assert.equal(d.classification, [[0.918, 0.082], [0.005, 0.995]]);
});

test('MODEL RESULTS: level outside, class inside, categorical latent last', () => {
  const ps = ex104.result.parameters;
  assert.is(ps.length, 48);
  const y2 = ps.find((p) => p.level === 'within' && p.classLabel === '1' && p.block === 'FW BY' && p.name === 'Y2');
  assert.equal(y2, { par: 0, level: 'within', classLabel: '1', categoricalLatent: false, block: 'FW BY', name: 'Y2', estimate: 0.859, se: 0.045, fixed: false, estSe: 19.226, pValue: 0 });
  const y1 = ps.find((p) => p.level === 'between' && p.classLabel === '2' && p.block === 'FB BY' && p.name === 'Y1')!;
  assert.ok(y1.fixed);
  const fbMean2 = ps.find((p) => p.level === 'between' && p.classLabel === '2' && p.block === 'Means')!;
  assert.equal([fbMean2.estimate, fbMean2.fixed], [0, true]);
  const cat = ps.filter((p) => p.categoricalLatent);
  assert.equal(cat.map((p) => [p.level, p.block, p.name, p.estimate, p.se]), [
    ['within', 'Means', 'C#1', 0.038, 0.206],
    ['between', 'Variances', 'C#1', 0.986, 0.379],
  ]);
  assert.ok(cat.every((p) => p.classLabel === null));
  const u4 = ex73.result.parameters.find((p) => p.classLabel === '2' && p.name === 'U4$1')!;
  assert.equal([u4.level, u4.block, u4.estimate, u4.se, u4.estSe], [null, 'Thresholds', -1.937, 0.183, -10.613]);
});

test('random starts, warnings, termination', () => {
  const rs = ex73.result.randomStarts!;
  assert.is(rs.rows.length, 4);
  assert.equal(rs.rows[0], { loglikelihood: -965.244, seed: 253358, start: 2 });
  assert.is(rs.replicated, true);
  assert.is(ex104.result.randomStarts, null);
  assert.is(ex73.result.terminatedNormally, true);
  assert.is(ex73.result.warnings.length, 1);
  assert.ok(ex73.result.warnings[0].lines[0].startsWith('WARNING:  AUXILIARY (E) CAN GIVE BIASED RESULTS'));
  assert.is(ex104.result.warnings.length, 0);
});

test('TECH1 sections and matrices', () => {
  const t = ex104.tech1!;
  assert.is(t.sections.length, 10);
  assert.is(t.sections[2].title, 'PARAMETER SPECIFICATION FOR BETWEEN LEVEL, LATENT CLASS 1');
  const psi = t.sections[2].matrices.find((m) => m.name === 'PSI')!;
  assert.equal(psi.values, [[0], [0, 21], [0, 0, 22]]);
  const nu = t.sections[2].matrices[0];
  assert.equal([nu.name, nu.rowLabels, nu.values], ['NU', null, [[11, 12, 13, 14, 15]]]);
  const alphaC = t.sections[4].matrices[0];
  assert.equal([alphaC.name, alphaC.colLabels, alphaC.values], ['ALPHA(C)', ['C#1', 'C#2'], [[23, 0]]]);
  const theta = t.sections[5].matrices.find((m) => m.name === 'THETA')!;
  assert.is(theta.values[0][0], 1.301);
  const lu = ex73.tech1!.sections.find((s) => s.title.endsWith('INDICATOR MODEL PART') && s.kind === 'start')!.matrices[0];
  assert.equal(lu.values[0], [0.255, -1.745]);
});

test('TECH8 iterations: one history, or initial and final stages per start', () => {
  assert.is(ex104.result.iterations.length, 43);
  assert.equal(ex104.result.iterations[36], { iteration: 37, loglikelihood: -5334.3622, absChange: 0.2878291, relChange: 0.000054, algorithm: 'FS' });
  const runs = ex73.result.startIterations!;
  assert.is(runs.filter((r) => r.stage === 'initial').length, 21);
  assert.equal(runs.filter((r) => r.stage === 'final').map((r) => r.start), [3, 8, 16, 2]);
  assert.is(runs[0].start, 'unperturbed');
});

test('timestamps and skipped sections', () => {
  assert.is(ex104.timestamps?.begin.toISOString(), '2022-04-19T22:57:27.000Z');
  assert.is(ex104.timestamps?.end.toISOString(), '2022-04-19T22:57:32.000Z');
  assert.equal(ex73.skipped, ['EQUALITY TESTS OF MEANS ACROSS CLASSES USING POSTERIOR PROBABILITY-BASED', 'TECHNICAL 10 OUTPUT']);
});

test('not an Mplus file', () => {
  assert.throws(() => readMplusOut('hello\n'), /Mplus VERSION/);
});

test.run();
