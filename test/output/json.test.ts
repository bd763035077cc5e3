// --json: the object for a real Mplus output (converted) and for a pipeline-style result, each
// validated against docs/json.schema.json.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analysisType, jsonText, toJson, type JsonResult } from '../../src/output/json.js';
import { readMplusOut } from '../../src/output/mplusReader.js';
import type { EstimationResult } from '../../src/results/types.js';
import { checkSupported, loadSchema, validate } from './schema.js';
import { referenceText } from './reference.js';

const schema = loadSchema();

function valid(j: JsonResult): void {
  const round = JSON.parse(jsonText(j)) as unknown;
  const errs = validate(round, schema);
  assert.equal(errs, [], errs.join('\n'));
}

test('the schema uses only keywords the test validator implements', () => {
  checkSupported(schema);
  assert.ok(validate({ format: 'x' }, schema).length > 0, 'validator rejects a wrong object');
});

test('ex10.4 as JSON: fit, classes, parameters, analysis', () => {
  const f = readMplusOut(referenceText('ex10.4'));
  const j = toJson({ result: f.result, summary: f.summary, inputText: f.inputText, plusmixVersion: '0.1.0', source: 'mplus' });
  valid(j);
  assert.equal(j.fit, { loglikelihood: -5334.228, parameters: 23, aic: 10714.456, bic: 10827.334, abic: 10754.285, entropy: 0.538, scaling_correction: 0.9313, n: 1000 });
  assert.equal(j.analysis, { type: 'TWOLEVEL MIXTURE', estimator: 'MLR', integration: { type: 'STANDARD', points: 15, dimensions: 2, adaptive: true }, starts: null, seed: null });
  assert.equal(j.classes?.[1], { label: '2', model: null, posterior: { count: 496.2107, proportion: 496.2107 / 1000 }, most_likely: { count: 495, proportion: 0.495 } });
  const cv = j.parameters.find((p) => p.categorical_latent && p.level === 'between')!;
  assert.equal(cv, { level: 'between', class: null, categorical_latent: true, block: 'Variances', name: 'C#1', par: 0, estimate: 0.986, se: 0.379, est_se: 2.6, pvalue: 0.009, fixed: false });
  const fixed = j.parameters.find((p) => p.fixed)!;
  assert.equal([fixed.se, fixed.est_se, fixed.pvalue], [0, null, null]);
  assert.is(j.terminated_normally, true);
});

test('ex7.3 as JSON: random starts and warnings', () => {
  const f = readMplusOut(referenceText('ex7.3'));
  const j = toJson({ result: f.result, summary: f.summary, inputText: f.inputText, plusmixVersion: '0.1.0', source: 'mplus' });
  valid(j);
  assert.equal(j.analysis.starts, { initial: 20, final: 4 });
  assert.is(j.analysis.seed, 0);
  assert.is(j.analysis.type, 'MIXTURE');
  assert.is(j.warnings.length, 1);
  assert.equal(j.classes?.map((c) => c.model?.count), [136.38064, 363.61936]);
});

test('pipeline result: NaN standard errors become null, p-values computed', () => {
  const r: EstimationResult = {
    terminatedNormally: false,
    estimator: 'ML',
    fit: null,
    parameters: [
      { par: 1, level: null, classLabel: null, categoricalLatent: false, block: 'Y ON', name: 'X', estimate: 0.5, se: 0.25, fixed: false },
      { par: 2, level: null, classLabel: null, categoricalLatent: false, block: 'Means', name: 'X', estimate: 1, se: NaN, fixed: false },
    ],
    classCounts: null,
    randomStarts: null,
    warnings: [{ code: 'W_X', lines: ['a', 'b'] }],
    conditionNumber: null,
    theta: new Float64Array([0.5, 1]),
    start: new Float64Array(2),
    covariance: null,
    iterations: [],
  };
  const j = toJson({ result: r, summary: { groups: 1, observations: 10, dependent: 1, independent: 1, continuousLatent: 0, categoricalLatent: 0, variableLists: [], specialFunctions: [], specs: [], inputFiles: [], inputFormat: 'FREE' }, inputText: 'ANALYSIS: type = general;\nMODEL: y on x;', plusmixVersion: '0.1.0' });
  valid(j);
  assert.is(j.parameters[0].est_se, 2);
  assert.ok(Math.abs(j.parameters[0].pvalue! - 0.0455) < 1e-4);
  assert.equal([j.parameters[1].se, j.parameters[1].est_se, j.parameters[1].pvalue], [null, null, null]);
  assert.equal(j.warnings, [{ code: 'W_X', text: 'a\nb' }]);
  assert.is(j.analysis.type, 'GENERAL');
});

test('analysisType ignores DATA: TYPE', () => {
  assert.is(analysisType('DATA: FILE = a.dat; TYPE = INDIVIDUAL;\nANALYSIS:\n  TYPE IS twolevel   random;\nMODEL: x;'), 'TWOLEVEL RANDOM');
  assert.is(analysisType('DATA: FILE = a.dat;'), null);
});

test.run();
