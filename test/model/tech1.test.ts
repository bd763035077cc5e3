// TECH1 of real Mplus 8.8 outputs reproduced from the IR: parameter numbers
// (structure and numbering) and starting values computed from the same data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { integrationDimensions, tech1 } from '../../src/model/index.js';
import type { Tech1Section } from '../../src/model/index.js';
import { build, cols, readColumns, readTech1, root } from './helpers.js';
import type { OutSection } from './helpers.js';

const EX104 = `TITLE: this is an example of a two-level CFA mixture model
DATA: FILE IS ex10.4.dat;
VARIABLE: NAMES ARE y1-y5 class clus;
  USEVARIABLES = y1-y5;
  CLASSES = c (2);
  CLUSTER = clus;
ANALYSIS: TYPE = TWOLEVEL MIXTURE;
  STARTS = 0;
MODEL:
  %WITHIN%
  %OVERALL%
  fw BY y1-y5;
  %BETWEEN%
  %OVERALL%
  fb BY y1-y5;
  c#1*1;
  %c#1%
  [fb*2];
OUTPUT: TECH1 TECH8;
`;

const EX73 = `TITLE: LCA with binary latent class indicators
DATA: FILE IS ex7.3.dat;
VARIABLE: NAMES ARE u1-u4 x1-x10;
  USEVARIABLES = u1-u4;
  CLASSES = c (2);
  CATEGORICAL = u1-u4;
  AUXILIARY = x1-x10 (e);
ANALYSIS: TYPE = MIXTURE;
OUTPUT: TECH1 TECH8 TECH10;
`;

function compare(ours: Tech1Section[], ref: OutSection[], kind: 'specification' | 'start') {
  const mine = ours.filter((s) => s.kind === kind);
  const theirs = ref.filter((s) => (kind === 'specification' ? s.title.startsWith('PARAMETER') : s.title.startsWith('STARTING')));
  assert.equal(mine.map((s) => s.title), theirs.map((s) => s.title));
  mine.forEach((s, i) => {
    const t = theirs[i];
    assert.equal(s.matrices.map((m) => m.name), t.matrices.map((m) => m.name), s.title);
    s.matrices.forEach((m, j) => {
      const r = t.matrices[j];
      const where = `${s.title} / ${m.name}`;
      assert.equal(m.colLabels, r.colLabels, where);
      assert.equal(m.rowLabels, r.rowLabels, where);
      assert.equal(m.values.map((v) => v.length), r.values.map((v) => v.length), where);
      m.values.forEach((row, a) =>
        row.forEach((v, b) => {
          const ok = kind === 'specification' ? v === r.values[a][b] : Math.abs(v - r.values[a][b]) <= 0.0005 + 1e-9;
          if (!ok) assert.unreachable(`${where} [${a},${b}]: ours ${v}, Mplus ${r.values[a][b]}`);
        }),
      );
    });
  });
}

const hasFixtures = existsSync(root + 'fixtures/reference-outputs/ex10.4.out');

test('ex10.4 (TWOLEVEL MIXTURE factor model): TECH1 parameter specification = Mplus 8.8, 23 parameters', () => {
  const { ir } = build(EX104, cols('y1 y2 y3 y4 y5', Object.fromEntries(['y1', 'y2', 'y3', 'y4', 'y5'].map((n) => [n, { level: 'both' as const }]))));
  assert.is(ir.nFree, 23);
  assert.equal(integrationDimensions(ir), ['FB', 'C#1']); // "Dimensions of numerical integration 2"
  if (hasFixtures) compare(tech1(ir), readTech1('fixtures/reference-outputs/ex10.4.out'), 'specification');
});

test('ex10.4: TECH1 starting values from ex10.4.dat = Mplus 8.8', () => {
  if (!hasFixtures) return;
  const data = readColumns('fixtures/mplus-ug/ex10.4.dat', [0, 1, 2, 3, 4]);
  const c = cols('y1 y2 y3 y4 y5').map((x, i) => ({ ...x, level: 'both' as const, values: data[i] }));
  const { ir } = build(EX104, c);
  compare(tech1(ir), readTech1('fixtures/reference-outputs/ex10.4.out'), 'start');
});

test('ex7.3 (LCA, no MODEL): TECH1 LAMBDA(U) item-major numbering and ALPHA(C), 9 parameters', () => {
  const { ir } = build(EX73, cols('u1 u2 u3 u4', Object.fromEntries(['u1', 'u2', 'u3', 'u4'].map((n) => [n, { scale: 'categorical' as const, categories: [0, 1] }]))));
  assert.is(ir.nFree, 9);
  if (hasFixtures) compare(tech1(ir), readTech1('fixtures/reference-outputs/ex7.3.out'), 'specification');
});

test('ex7.3: LCA starting values (-logit(p0) +1 / -1) from ex7.3-u1u4.dat = Mplus 8.8', () => {
  if (!hasFixtures) return;
  const data = readColumns('fixtures/mplus-ug/ex7.3-u1u4.dat', [0, 1, 2, 3]);
  const c = cols('u1 u2 u3 u4').map((x, i) => ({ ...x, scale: 'categorical' as const, categories: [0, 1], values: data[i] }));
  const { ir } = build(EX73, c);
  compare(tech1(ir), readTech1('fixtures/reference-outputs/ex7.3.out'), 'start');
});

// Numbers transcribed from the TECH1 PARAMETER SPECIFICATION of the Mplus 8.11 output of UG ex8.6
// (MplusAutomation test file tests/testthat/mplus_ug/8.11/ch8/ex8.6_svalues.out): growth factors,
// a covariate carried in the latent vector, LAMBDA(U), KAPPA(U), GAMMA(C) with covariate columns.
test('ex8.6 (GMM, covariate, binary distal outcome): TECH1 specification = Mplus 8.11, 17 parameters', () => {
  const text = readFileSync(root + 'test/model/inputs/ex8_6_gmm.inp', 'utf8');
  const { ir } = build(text, cols('y1 y2 y3 y4 u x', { u: { scale: 'categorical', categories: [0, 1] } }));
  assert.is(ir.nFree, 17);
  const spec = tech1(ir).filter((s) => s.kind === 'specification');
  const y = ['Y1', 'Y2', 'Y3', 'Y4', 'X'], eta = ['I', 'S', 'X'];
  const perClass = (alpha: number[]) => [
    { name: 'NU', rowLabels: null, colLabels: y, values: [[0, 0, 0, 0, 0]] },
    { name: 'LAMBDA', rowLabels: y, colLabels: eta, values: y.map(() => [0, 0, 0]) },
    { name: 'THETA', rowLabels: y, colLabels: y, values: [[1], [0, 2], [0, 0, 3], [0, 0, 0, 4], [0, 0, 0, 0, 0]] },
    { name: 'ALPHA', rowLabels: null, colLabels: eta, values: [alpha] },
    { name: 'BETA', rowLabels: eta, colLabels: eta, values: [[0, 0, 7], [0, 0, 8], [0, 0, 0]] },
    { name: 'PSI', rowLabels: eta, colLabels: eta, values: [[9], [10, 11], [0, 0, 0]] },
  ];
  const expected = [
    { title: 'PARAMETER SPECIFICATION FOR LATENT CLASS 1', matrices: perClass([5, 6, 0]) },
    { title: 'PARAMETER SPECIFICATION FOR LATENT CLASS 2', matrices: perClass([12, 13, 0]) },
    {
      title: 'PARAMETER SPECIFICATION FOR LATENT CLASS INDICATOR MODEL PART',
      matrices: [
        { name: 'LAMBDA(U)', rowLabels: ['U'], colLabels: ['C#1', 'C#2'], values: [[14, 15]] },
        { name: 'KAPPA(U) FOR LATENT CLASS 1', rowLabels: ['U'], colLabels: ['X'], values: [[0]] },
        { name: 'KAPPA(U) FOR LATENT CLASS 2', rowLabels: ['U'], colLabels: ['X'], values: [[0]] },
      ],
    },
    {
      title: 'PARAMETER SPECIFICATION FOR LATENT CLASS REGRESSION MODEL PART',
      matrices: [
        { name: 'ALPHA(C)', rowLabels: null, colLabels: ['C#1', 'C#2'], values: [[16, 0]] },
        { name: 'GAMMA(C)', rowLabels: ['C#1', 'C#2'], colLabels: ['X'], values: [[17], [0]] },
      ],
    },
  ];
  assert.equal(spec.map((s) => ({ title: s.title, matrices: s.matrices.map(({ name, rowLabels, colLabels, values }) => ({ name, rowLabels, colLabels, values })) })), expected);
});

test.run();
