// The writer driven by pipeline-style input (not by the reader): derived columns, ordering rules,
// wrapping, and that our own reader recovers what we printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeErrorOut, writeOut, blockHeader, parameterRow, tech1Matrix } from '../../src/output/out.js';
import { readMplusOut } from '../../src/output/mplusReader.js';
import { mixtureSpecs } from '../../src/output/build.js';
import { resolveOptions } from '../../src/estimate/options.js';
import type { EstimationResult, ParameterEstimate } from '../../src/results/types.js';
import type { OutInput } from '../../src/output/types.js';
import { referenceText } from './reference.js';

const P = (o: Partial<ParameterEstimate> & Pick<ParameterEstimate, 'block' | 'name' | 'estimate'>): ParameterEstimate => ({
  par: 1, level: null, classLabel: null, categoricalLatent: false, se: 0.1, fixed: false, ...o,
});

function result(parameters: ParameterEstimate[]): EstimationResult {
  return {
    terminatedNormally: true,
    estimator: 'MLR',
    fit: { loglikelihood: -1234.5678, parameters: 3, scalingCorrection: 1.01234, aic: 2475.1356, bic: 2490.0, abic: 2480.5, n: 300 },
    parameters,
    classCounts: {
      labels: ['1', '2'],
      model: [100.25, 199.75],
      posterior: [100.5, 199.5],
      mostLikely: [98, 202],
      averagePosterior: [[0.9, 0.1], [0.05, 0.95]],
      classification: [[0.8, 0.2], [0.1, 0.9]],
      entropy: 0.71234,
    },
    randomStarts: { rows: [{ loglikelihood: -1234.5678, seed: 'unperturbed', start: 0 }, { loglikelihood: -1240, seed: 68985, start: 17 }], replicated: false, failed: 2 },
    warnings: [{ code: 'W_TEST', lines: ['WARNING:  SOMETHING TO SAY', 'ON TWO LINES.'] }],
    conditionNumber: 0.0123,
    theta: new Float64Array(0),
    start: new Float64Array(0),
    covariance: null,
    iterations: [],
  };
}

function input(r: EstimationResult): OutInput {
  return {
    inputText: 'TITLE: t\nDATA: FILE = d.dat;\n',
    title: ['t'],
    summary: { groups: 1, observations: 300, dependent: 1, independent: 1, continuousLatent: 0, categoricalLatent: 1, variableLists: [], specialFunctions: [], specs: [{ indent: 0, label: 'Estimator', value: 'MLR' }], inputFiles: ['d.dat'], inputFormat: 'FREE' },
    result: r,
    options: { plusmixVersion: '0.1.0', timestamps: { begin: new Date(Date.UTC(2026, 0, 2, 9, 5, 1)), end: new Date(Date.UTC(2026, 0, 2, 10, 6, 3)) }, utc: true },
  };
}

test('parameter rows: Est./S.E. and two-tailed p computed from estimate and S.E.; fixed rows 999', () => {
  assert.is(parameterRow(P({ block: 'Y ON', name: 'X', estimate: 0.5, se: 0.25 }), false), '    X                  0.500      0.250      2.000      0.046');
  assert.is(parameterRow(P({ block: 'FW BY', name: 'Y1', estimate: 1, se: 0, fixed: true, par: 0 }), false), '    Y1                 1.000      0.000    999.000    999.000');
  assert.is(parameterRow(P({ block: 'Means', name: 'Y', estimate: 0.5, se: NaN }), false), '    Y                  0.500    999.000    999.000    999.000');
  assert.is(blockHeader('Y ON'), ' Y          ON');
  assert.is(blockHeader('FW BY'), ' FW       BY');
  assert.is(blockHeader('S WITH'), ' S        WITH');
  assert.is(blockHeader('Residual Variances'), ' Residual Variances');
});

test('MODEL RESULTS order: levels, classes, canonical block order, categorical latent variables last', () => {
  const ps = [
    P({ level: 'between', classLabel: '1', block: 'Intercepts', name: 'Y', estimate: 1 }),
    P({ level: 'within', classLabel: '1', block: 'Residual Variances', name: 'Y', estimate: 2 }),
    P({ level: 'within', classLabel: '1', block: 'Y ON', name: 'X', estimate: 3 }),
    P({ level: 'within', categoricalLatent: true, block: 'Means', name: 'C#1', estimate: 4 }),
    P({ level: 'within', classLabel: '2', block: 'Y ON', name: 'X', estimate: 5 }),
  ];
  const text = writeOut(input(result(ps)));
  const mr = text.slice(text.indexOf('MODEL RESULTS'), text.indexOf('QUALITY OF NUMERICAL RESULTS'));
  const markers = mr.split('\n').filter((l) => /^(Within|Between) Level$|^Latent Class|^Categorical|^ \S/.test(l));
  assert.equal(markers, ['Within Level', 'Latent Class 1', ' Y          ON', ' Residual Variances', 'Latent Class 2', ' Y          ON', 'Between Level', 'Latent Class 1', ' Intercepts', 'Categorical Latent Variables', 'Within Level', ' Means']);
});

test('classification logits derived from the classification probabilities when not given', () => {
  const text = writeOut(input(result([P({ block: 'Means', name: 'C#1', estimate: 0.1, categoricalLatent: true })])));
  assert.ok(text.includes('    1      1.386    0.000'), 'ln(0.8/0.2)');
  assert.ok(text.includes('    2     -2.197    0.000'), 'ln(0.1/0.9)');
});

test('random starts not replicated, failed starts, warnings, timing block', () => {
  const text = writeOut(input(result([P({ block: 'Means', name: 'C#1', estimate: 0.1, categoricalLatent: true })])));
  assert.ok(text.includes('           -1234.568  unperturbed      0\n           -1240.000  68985            17\n'));
  assert.ok(text.includes('     WARNING:  THE BEST LOGLIKELIHOOD VALUE WAS NOT REPLICATED.  THE'));
  assert.ok(text.includes('     2 perturbed starting value run(s) did not converge'));
  assert.ok(text.includes('THE MODEL ESTIMATION TERMINATED NORMALLY\n\n     WARNING:  SOMETHING TO SAY\n     ON TWO LINES.\n'));
  assert.ok(text.includes('01/02/2026  09:05 AM'));
  assert.ok(text.includes('     Beginning Time:  09:05:01\n        Ending Time:  10:06:03\n       Elapsed Time:  01:01:02\n'));
});

test('our reader recovers what the writer printed', () => {
  const ps = [
    P({ level: 'within', classLabel: '1', block: 'Y ON', name: 'X', estimate: 0.123, se: 0.045 }),
    P({ level: 'within', classLabel: '2', block: 'Y ON', name: 'X', estimate: -0.5, se: 0.2 }),
    P({ level: 'within', categoricalLatent: true, block: 'Means', name: 'C#1', estimate: 0.25, se: 0.1 }),
  ];
  const r = result(ps);
  const back = readMplusOut(writeOut(input(r)));
  assert.is(back.writtenByPlusmix, true);
  assert.equal(back.result.fit, { ...r.fit!, loglikelihood: -1234.568, aic: 2475.136, scalingCorrection: 1.0123 });
  assert.equal(back.result.parameters.map((p) => [p.level, p.classLabel, p.categoricalLatent, p.block, p.name, p.estimate, p.se]), ps.map((p) => [p.level, p.classLabel, p.categoricalLatent, p.block, p.name, p.estimate, p.se]));
  assert.equal(back.result.classCounts?.model, [100.25, 199.75]);
  assert.equal(back.result.classCounts?.mostLikely, [98, 202]);
  assert.is(back.result.classCounts?.entropy, 0.712);
  assert.is(back.result.randomStarts?.replicated, false);
  assert.is(back.result.randomStarts?.failed, 2);
  assert.is(back.result.warnings[0].lines.join(' '), 'WARNING:  SOMETHING TO SAY ON TWO LINES.');
});

test('SUMMARY OF DATA of a two-level run (clusters, average size, ICC table) reads back', () => {
  const inp = input(result([P({ block: 'Means', name: 'Y', estimate: 0.5 })]));
  inp.dataSummary = { clusters: 110, averageClusterSize: 9.0909, icc: [{ name: 'Y1', value: 0.1234 }, { name: 'Y2', value: 0.5 }, { name: 'Y3', value: 0.25 }, { name: 'Y4', value: 0.3 }] };
  const text = writeOut(inp);
  assert.ok(text.includes('\n     Number of clusters                        110\n\n     Average cluster size        9.091\n'));
  assert.ok(text.includes('\n     Y1           0.123      Y2           0.500      Y3           0.250\n     Y4           0.300\n'));
  assert.equal(readMplusOut(text).dataSummary, { clusters: 110, averageClusterSize: 9.091, icc: [{ name: 'Y1', value: 0.123 }, { name: 'Y2', value: 0.5 }, { name: 'Y3', value: 0.25 }, { name: 'Y4', value: 0.3 }] });
});

test('estimation failure: no standard errors, estimates only', () => {
  const r = result([P({ block: 'Means', name: 'Y', estimate: 0.5, se: NaN })]);
  r.terminatedNormally = false;
  const text = writeOut(input(r));
  assert.ok(text.includes('THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY.'));
  assert.ok(text.includes('                    Estimate\n'));
  assert.ok(text.includes('\n    Y                  0.500\n'));
});

test('TECH1: more than five columns wrap into blocks that repeat the matrix name; lower triangle', () => {
  const labels = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
  const values = labels.map((_, i) => labels.slice(0, i + 1).map((__, j) => (i === j ? i + 1 : 0)));
  const lines = tech1Matrix({ name: 'THETA', colLabels: labels, rowLabels: labels, values }, true);
  assert.equal(lines.filter((l) => l.trim() === 'THETA').length, 2);
  const second = lines.slice(lines.lastIndexOf('           THETA'));
  assert.equal(second.slice(0, 5), ['           THETA', '              F             G', '              ________      ________', ' F                  6', ' G                  0             7']);
  // read back through a whole file: the wrapped blocks are glued together again
  const inp = input(result([P({ block: 'Means', name: 'C#1', estimate: 0.1, categoricalLatent: true })]));
  inp.tech1 = { sections: [{ title: 'PARAMETER SPECIFICATION', kind: 'specification', matrices: [{ name: 'THETA', colLabels: labels, rowLabels: labels, values }] }] };
  inp.options.tech1 = true;
  const back = readMplusOut(writeOut(inp)).tech1!.sections[0].matrices;
  assert.equal(back, [{ name: 'THETA', colLabels: labels, rowLabels: labels, values }]);
  const vec = tech1Matrix({ name: 'NU', colLabels: ['Y1', 'Y2'], rowLabels: null, values: [[0, 11]] }, true);
  assert.is(vec[3], '                    0            11');
});

test('SUMMARY OF ANALYSIS specifications built from estimation options match Mplus 8.8', () => {
  const ex104 = readMplusOut(referenceText('ex10.4')).summary.specs;
  const o104 = resolveOptions({ starts: [0, 0] }, { mixture: true, integration: true });
  assert.equal(mixtureSpecs(o104, { integrationDimensions: 2, categorical: false }), ex104);
  const ex73 = readMplusOut(referenceText('ex7.3')).summary.specs;
  const o73 = resolveOptions({}, { mixture: true, integration: false });
  assert.equal(mixtureSpecs(o73, { integrationDimensions: null, categorical: true }), ex73);
});

test('input errors: echo, error blocks, count line; MplusAutomation-style echo terminator', () => {
  const text = writeErrorOut('TITLE: t\nMODEL: f BY y6;\n', [
    { severity: 'error', code: 'E_UNKNOWN_VARIABLE', command: 'MODEL', message: 'Unknown variable in a BY statement: Y6', location: { kind: 'input', file: 'a.inp', span: { start: { offset: 19, line: 2, col: 13 }, end: { offset: 21, line: 2, col: 15 } } } },
  ], { plusmixVersion: '0.1.0', timestamps: null });
  const lines = text.split('\n');
  const i = lines.indexOf('*** ERROR in MODEL command');
  assert.ok(i > 0);
  assert.is(lines[i - 4], '  MODEL: f BY y6;');
  assert.is(lines[i + 1], '  Unknown variable in a BY statement: Y6 (line 2, column 13)');
  assert.is(lines[i + 2], '   1 ERROR(S) FOUND IN THE INPUT INSTRUCTIONS');
  const back = readMplusOut(text);
  assert.is(back.inputText, 'TITLE: t\nMODEL: f BY y6;\n');
});

test.run();
