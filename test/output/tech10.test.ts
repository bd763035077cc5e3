// OUTPUT: TECH10 of mixtures with categorical latent class indicators, checked against the real
// Mplus 8.8 output of UG ex7.3: every line of its TECHNICAL 10 OUTPUT (numbers computed by plusmix
// from its own estimates of the same data), the placement in the .out (after TECH1, before TECH8),
// the OUTPUT option, and the models outside TECH10's scope.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMplusOut } from '../../src/output/mplusReader.js';
import { tech10Lines } from '../../src/output/tech10.js';
import { tech10 } from '../../src/results/tech10.js';
import { assembleOutInput } from '../../src/output/assemble.js';
import { writeOut } from '../../src/output/out.js';
import { outputRequests } from '../../src/cli/analysis.js';
import { parseOrThrow } from '../../src/syntax/parse.js';
import { loadData } from '../../src/data/index.js';
import { buildIR } from '../../src/model/build.js';
import { resolveOptions } from '../../src/estimate/index.js';
import { referenceText } from './reference.js';
import { ex73Model, ex73Tech10, inReferenceOrder } from './tech10fixture.js';

const ref = referenceText('ex7.3');
const refLines = ref.split('\n');
const section = refLines.slice(refLines.indexOf('TECHNICAL 10 OUTPUT'), refLines.indexOf('TECHNICAL 8 OUTPUT'));

test('ex7.3: TECHNICAL 10 OUTPUT reproduced line by line with Mplus 8.8 numbers', () => {
  const ours = tech10Lines(ex73Tech10(readMplusOut(ref).result));
  assert.ok(section.length > 200);
  for (let i = 0; i < Math.max(section.length, ours.length); i++) assert.is(ours[i], section[i], `line ${i + 1}`);
});

test('ex7.3: pattern numbers in order of first appearance; totals consistent', () => {
  const t = ex73Tech10(readMplusOut(ref).result);
  assert.equal(t.patterns.slice(0, 3).map((p) => p.pattern), ['1101', '1000', '0011']);
  assert.is(t.patterns.reduce((s, p) => s + p.observed, 0), 500);
  // all 16 patterns observed: expected frequencies sum to N, nothing left for empty cells
  assert.ok(Math.abs(t.patterns.reduce((s, p) => s + p.estimated, 0) - 500) < 1e-9);
  assert.ok(t.emptyCellsPearson < 1e-9);
  // the pattern Pearson chi-square equals the Pearson test of MODEL FIT INFORMATION (6.287)
  assert.is(t.patterns.reduce((s, p) => s + p.pearson, 0).toFixed(3), '6.287');
  // ... and the loglikelihood contributions the likelihood ratio chi-square (5.605)
  assert.is(t.patterns.reduce((s, p) => s + p.loglikelihood, 0).toFixed(3), '5.605');
});

test('ex7.3 run: OUTPUT TECH10 prints TECHNICAL 10 OUTPUT after TECH1 and before TECH8', () => {
  const { ir, ds, result } = ex73Model();
  const inputText = 'TITLE: t\nOUTPUT: TECH1 TECH8 TECH10;\n';
  const requests = outputRequests(parseOrThrow(inputText, 'x.inp'));
  assert.is(requests.tech10, true);
  const estimation = resolveOptions({}, { mixture: true, integration: false });
  const text = writeOut(assembleOutInput({ inputText, ir, ds, result, estimation, output: requests, plusmixVersion: '0.1.0', timestamps: null }));
  const lines = text.split('\n');
  const at = (h: string) => lines.indexOf(h);
  assert.ok(at('TECHNICAL 1 OUTPUT') > 0 && at('TECHNICAL 1 OUTPUT') < at('TECHNICAL 10 OUTPUT'));
  assert.ok(at('TECHNICAL 10 OUTPUT') < at('TECHNICAL 8 OUTPUT'));
  // without the option nothing is printed
  const plain = writeOut(assembleOutInput({ inputText, ir, ds, result, estimation, output: { tech1: true, tech8: true }, plusmixVersion: '0.1.0', timestamps: null }));
  assert.not.ok(plain.includes('TECHNICAL 10 OUTPUT'));
});

test('classes in another order give the same overall tables and swapped class tables', () => {
  const { ir, ds, result } = ex73Model();
  const a = tech10(ir, ds, inReferenceOrder(result, readMplusOut(ref).result))!;
  const b = tech10(ir, ds, result)!;
  assert.equal(a.patterns.map((p) => p.estimated.toFixed(8)), b.patterns.map((p) => p.estimated.toFixed(8)));
  const h0 = (t: typeof a, k: number) => t.classes[k].univariate[0].cells[0].h0.toFixed(8);
  assert.ok(h0(a, 0) === h0(b, 0) ? h0(a, 1) === h0(b, 1) : h0(a, 0) === h0(b, 1) && h0(a, 1) === h0(b, 0));
});

test('outside the scope (missing indicator values, class covariates): no TECH10', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-t10-'));
  try {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 2} ${(i >> 1) % 2} ${(i >> 2) % 2} ${i % 3 === 0 ? 1 : 0}`);
    writeFileSync(join(dir, 'd.dat'), rows.join('\n') + '\n');
    writeFileSync(join(dir, 'm.dat'), ['* 1 0 1', ...rows.slice(1)].join('\n') + '\n');
    const P = (classLabel: string | null, block: string, name: string, estimate: number) =>
      ({ par: 1, level: 'within', classLabel, categoricalLatent: classLabel === null, fixed: false, block, name, estimate, se: 0.1 }) as const;
    const parameters = [
      ...['1', '2'].flatMap((k) => ['U1', 'U2', 'U3'].map((u) => P(k, 'Thresholds', `${u}$1`, k === '1' ? 1 : -1))),
      P(null, 'Means', 'C#1', 0.2),
    ];
    const run = (input: string) => {
      const ast = parseOrThrow(input, 'x.inp');
      const { dataset: ds } = loadData(ast, dir + '/');
      const ir = buildIR(ast, ds.columns, [], ds);
      return tech10(ir, ds, { parameters, classCounts: { labels: ['1', '2'] } } as never);
    };
    const base = 'DATA: FILE = FILENAME;\nVARIABLE: NAMES = u1-u3 x; CLASSES = c(2); CATEGORICAL = u1-u3;';
    // positive control: the same model without covariate and missing values is in scope
    const ok = run(`${base.replace('FILENAME', 'd.dat')}\nUSEVARIABLES = u1-u3;\nANALYSIS: TYPE = MIXTURE;\n`);
    assert.ok(ok && ok.patterns.length === 8 && ok.classes.length === 2);
    assert.is(run(`${base.replace('FILENAME', 'd.dat')}\nUSEVARIABLES = u1-u3 x;\nANALYSIS: TYPE = MIXTURE;\nMODEL: %OVERALL%\nc ON x;\n`), null);
    assert.is(run(`${base.replace('FILENAME', 'm.dat')}\nUSEVARIABLES = u1-u3; MISSING = *;\nANALYSIS: TYPE = MIXTURE;\n`), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
