// Models with several class variables (CLASSES = bc(2) wc(3), bc in BETWEEN): the class-pattern layout
// of a real Mplus 8 TWOLEVEL MIXTURE output (its count lines and headers are quoted below with that
// output's numbers), the golden file test/output/golden/patterns.out, and the reader round trip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeOut } from '../../src/output/out.js';
import { readMplusOut } from '../../src/output/mplusReader.js';
import { jsonText, toJson } from '../../src/output/json.js';
import type { EstimationResult, ParameterEstimate } from '../../src/results/types.js';
import type { OutInput } from '../../src/output/types.js';
import { loadSchema, validate } from './schema.js';

const P = (o: Partial<ParameterEstimate> & Pick<ParameterEstimate, 'block' | 'name' | 'estimate' | 'se'>): ParameterEstimate => ({
  par: 1, level: 'within', classLabel: null, categoricalLatent: false, fixed: false, ...o,
});

const MEANS: Record<string, [number, number]> = { '1': [3.218, 0.043], '2': [1.554, 0.034], '3': [4.288, 0.024] };

/** the BC(2) WC(3) latent profile model of the real output, two indicators kept */
function patternResult(): EstimationResult {
  const parameters: ParameterEstimate[] = [];
  for (const b of ['1', '2']) {
    for (const w of ['1', '2', '3']) {
      const cl = `${b}.${w}`;
      parameters.push(P({ classLabel: cl, block: 'Means', name: 'EX1', estimate: MEANS[w][0], se: MEANS[w][1] }));
      parameters.push(P({ classLabel: cl, block: 'Variances', name: 'EX1', estimate: 0.498, se: 0.014 }));
    }
  }
  parameters.push(
    P({ categoricalLatent: true, block: 'Intercepts', name: 'WC#1', estimate: -0.033, se: 0.185 }),
    P({ categoricalLatent: true, block: 'Intercepts', name: 'WC#2', estimate: -1.14, se: 0.455 }),
    P({ level: 'between', categoricalLatent: true, block: 'WC#1 ON', name: 'BC#1', estimate: 0.641, se: 0.174 }),
    P({ level: 'between', categoricalLatent: true, block: 'WC#2 ON', name: 'BC#1', estimate: 1.517, se: 0.165 }),
    P({ level: 'between', categoricalLatent: true, block: 'Means', name: 'BC#1', estimate: -0.298, se: 1.16 }),
  );
  return {
    terminatedNormally: true,
    estimator: 'MLR',
    fit: { loglikelihood: -68308.521, parameters: 37, scalingCorrection: 1.3342, aic: 136691.042, bic: 136939.825, abic: 136822.249, n: 6148 },
    parameters,
    classCounts: {
      labels: ['1.1', '1.2', '1.3', '2.1', '2.2', '2.3'],
      model: null,
      posterior: [1057.77865, 839.89339, 576.3261, 1553.97784, 513.35306, 1606.67096],
      mostLikely: [789, 969, 274, 1801, 384, 1931],
      averagePosterior: [
        [0.668, 0.014, 0.025, 0.273, 0.002, 0.017],
        [0.017, 0.719, 0.0, 0.013, 0.251, 0.0],
        [0.04, 0.0, 0.657, 0.01, 0.0, 0.293],
        [0.255, 0.008, 0.008, 0.678, 0.01, 0.041],
        [0.007, 0.305, 0.0, 0.037, 0.651, 0.0],
        [0.021, 0.0, 0.188, 0.046, 0.0, 0.745],
      ],
      classification: [],
      entropy: 0.642,
      perVariable: [
        { name: 'BC', level: 'between', model: null, posterior: [2473.99829, 3674.00171], mostLikely: [2032, 4116] },
        { name: 'WC', level: 'within', model: null, posterior: [2611.75659, 1353.24646, 2182.99707], mostLikely: [2590, 1353, 2205] },
      ],
    },
    classVariables: [
      { name: 'BC', nClasses: 2, level: 'between' },
      { name: 'WC', nClasses: 3, level: 'within' },
    ],
    randomStarts: null,
    warnings: [],
    conditionNumber: 0.000113,
    theta: new Float64Array(0),
    start: new Float64Array(0),
    covariance: null,
    iterations: [],
  };
}

const PATTERN_INPUT = `TITLE: two-level latent profile model with a between-level class variable
DATA: FILE = lpa.dat;
VARIABLE: NAMES = sid schid ex1;
  USEVARIABLES = ex1;
  CLASSES = bc(2) wc(3);
  CLUSTER = schid;
  WITHIN = ex1;
  BETWEEN = bc;
ANALYSIS: TYPE = MIXTURE TWOLEVEL;
MODEL:
  %WITHIN%
  %OVERALL%
  %BETWEEN%
  %OVERALL%
  wc ON bc;
`;

function patternInput(): OutInput {
  return {
    inputText: PATTERN_INPUT,
    title: ['two-level latent profile model with a between-level class variable'],
    summary: {
      groups: 1, observations: 6148, dependent: 1, independent: 0, continuousLatent: 0, categoricalLatent: 2,
      variableLists: [{ title: 'Observed dependent variables', groups: [{ subtitle: 'Continuous', names: ['EX1'] }] }, { title: 'Categorical latent variables', groups: [{ names: ['BC', 'WC'] }] }],
      specialFunctions: ['  Cluster variable      SCHID', '', '  Within variables', '   EX1', ''],
      specs: [{ indent: 0, label: 'Estimator', value: 'MLR' }],
      inputFiles: ['lpa.dat'], inputFormat: 'FREE',
    },
    result: patternResult(),
    options: { plusmixVersion: '0.1.0', timestamps: null },
  };
}

const golden = new URL('./golden/patterns.out', import.meta.url);
const text = writeOut(patternInput());

test('class pattern counts: the lines of the real Mplus output (BC between, WC within)', () => {
  const lines = text.split('\n');
  const has = (l: string) => assert.ok(lines.includes(l), `missing line: "${l}"`);
  // quoted from the real output (Mplus 8, TYPE = MIXTURE TWOLEVEL, CLASSES = bc(2) wc(3))
  for (const l of [
    'MODEL RESULTS USE THE LATENT CLASS VARIABLE ORDER', '   BC  WC', '  Latent Class Variable Patterns',
    '         BC        WC', '      Class     Class', '         1         1', '         2         3',
    'FINAL CLASS COUNTS AND PROPORTIONS FOR THE LATENT CLASS PATTERNS', 'BASED ON ESTIMATED POSTERIOR PROBABILITIES',
    '  Latent Class', '    Pattern', '    1  1       1057.77865          0.17205', '    2  3       1606.67096          0.26133',
    'FINAL CLASS COUNTS AND PROPORTIONS FOR EACH LATENT CLASS VARIABLE', '    Variable    Class',
    '    BC             1      2473.99829          0.40241', '                   2      3674.00171          0.59759',
    '    WC             1      2611.75659          0.42481', '                   3      2182.99707          0.35507',
    'BASED ON THEIR MOST LIKELY LATENT CLASS PATTERN', '    1  1              789          0.12833',
    '    BC             1            2032          0.33051', '                   3            2205          0.35865',
    '     Entropy                         0.642',
    'Average Latent Class Probabilities for Most Likely Latent Class Pattern (Row)', 'by Latent Class Pattern (Column)',
    '  Latent Class         BC        WC', '   Pattern No.      Class     Class', '         1             1         1',
    '         6             2         3', '           1        2        3        4        5        6',
    '    1   0.668    0.014    0.025    0.273    0.002    0.017',
    'Latent Class Pattern 1 1', 'Latent Class Pattern 2 3', ' WC#1       ON', '    BC#1               0.641      0.174      3.684      0.000',
  ]) has(l);
  // the real output's order of the blocks and the empty Between Level before the categorical part
  const order = ['MODEL RESULTS USE THE LATENT CLASS VARIABLE ORDER', 'FINAL CLASS COUNTS AND PROPORTIONS FOR THE LATENT CLASS PATTERNS', 'FINAL CLASS COUNTS AND PROPORTIONS FOR EACH LATENT CLASS VARIABLE', 'CLASSIFICATION QUALITY', 'MODEL RESULTS'];
  const at = order.map((h) => lines.indexOf(h));
  assert.equal([...at].sort((a, b) => a - b), at);
  const between = lines.indexOf('Between Level');
  assert.is(lines[between + 2], 'Categorical Latent Variables');
  assert.not.ok(text.includes('Classification Probabilities for the Most Likely'), 'no classification matrices for patterns');
});

// PLUSMIX_UPDATE_GOLDEN=1 rewrites the golden file (review the diff before committing it)
test('class patterns: golden file', () => {
  if (process.env.PLUSMIX_UPDATE_GOLDEN) writeFileSync(golden, text);
  assert.fixture(text, readFileSync(golden, 'utf8'));
});

test('class patterns: the reader recovers counts, class variables and pattern-specific parameters', () => {
  const f = readMplusOut(text);
  const r = patternResult();
  const c = f.result.classCounts!;
  assert.equal(c.labels, r.classCounts!.labels);
  assert.equal(c.posterior, r.classCounts!.posterior);
  assert.equal(c.mostLikely, r.classCounts!.mostLikely);
  assert.equal(c.averagePosterior, r.classCounts!.averagePosterior);
  assert.equal(c.perVariable, r.classCounts!.perVariable);
  assert.is(c.entropy, 0.642);
  assert.equal(f.result.classVariables, r.classVariables);
  assert.equal(f.result.parameters.map((p) => [p.level, p.classLabel, p.categoricalLatent, p.block, p.name, p.estimate]), r.parameters.map((p) => [p.level, p.classLabel, p.categoricalLatent, p.block, p.name, p.estimate]));
  // and prints the same file again
  assert.fixture(writeOut({ ...patternInput(), result: { ...f.result, conditionNumber: r.conditionNumber } }), text);
});

test('class patterns as JSON: pattern labels and per-variable counts, valid against the schema', () => {
  const j = toJson({ result: patternResult(), summary: patternInput().summary, inputText: PATTERN_INPUT, plusmixVersion: '0.1.0' });
  assert.equal(validate(JSON.parse(jsonText(j)), loadSchema()), []);
  assert.equal(j.classes!.map((c) => c.label), ['1.1', '1.2', '1.3', '2.1', '2.2', '2.3']);
  assert.equal(j.class_variables!.map((v) => [v.name, v.level, v.classes, v.counts!.map((k) => k.most_likely.count)]), [['BC', 'between', 2, [2032, 4116]], ['WC', 'within', 3, [2590, 1353, 2205]]]);
  assert.is(j.parameters.find((p) => p.name === 'EX1' && p.class === '2.3')!.estimate, 4.288);
});

test.run();
