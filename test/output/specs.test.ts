// SUMMARY OF ANALYSIS / SUMMARY OF DATA / MODEL RESULTS layout of runs without mixture, checked against
// real Mplus outputs (test/output/reference/, sources in the README there):
//  - ex3.1.out (Mplus 8.9, TYPE = GENERAL, y1 ON x1 x3, ML);
//  - ex9.2c.out (Mplus 8.7, TYPE = TWOLEVEL RANDOM, random slope, MLR);
//  - ex3.5.out (Mplus 8.7, ML with an ordered categorical outcome: Mplus's EM / integration block).
// The runs use simulated data with the same variable names, sample sizes and cluster count as the
// User's Guide examples, so every label, value position and variable list must come out identical;
// only the data-dependent numbers (ICC, estimates) differ and are blanked before comparing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipeline } from '../../src/cli/pipeline.js';
import { readMplusOut, toOutInput } from '../../src/output/mplusReader.js';
import { writeOut } from '../../src/output/out.js';
import { resolveOptions } from '../../src/estimate/options.js';
import { mixtureSpecs } from '../../src/output/build.js';
import { labelValue } from '../../src/output/format.js';
import { REF_DIR } from './reference.js';

/** the lines from the first line starting with `from` up to (not including) the first starting with `to` */
function block(text: string, from: string, to: string): string[] {
  const lines = text.split('\n');
  const a = lines.findIndex((l) => l.startsWith(from));
  const b = lines.findIndex((l, i) => i > a && l.startsWith(to));
  assert.ok(a >= 0 && b > a, `block ${from} .. ${to}`);
  return lines.slice(a, b);
}

/** numbers replaced by # of the same width: positions stay comparable, values do not matter */
const shape = (lines: string[]) => lines.map((l) => l.replace(/-(?=\d)/g, ' ').replace(/\d+\.\d+/g, (m) => '#'.repeat(m.length)));

/** deterministic uniform(0,1) stream (LCG) and standard normals from it */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function run(dir: string, name: string, inp: string, rows: number[][]) {
  writeFileSync(join(dir, `${name}.dat`), rows.map((r) => r.map((v) => v.toFixed(4)).join(' ')).join('\n') + '\n');
  const res = runPipeline(inp, join(dir, `${name}.inp`), { clock: null });
  assert.is(res.exitCode, 0, res.outText);
  return res.outText;
}

// a suite of its own: its before/after hooks (the temporary folder) do not mix with other files'
const test = suite('specs');
let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'plusmix-specs-'));
});
const ref = (n: string) => readFileSync(`${REF_DIR}${n}.out`, 'utf8');

test('TYPE = GENERAL regression: summary and specification lines as Mplus (ex3.1)', () => {
  const z = normals(31);
  const rows = Array.from({ length: 500 }, () => {
    const x1 = z();
    const x3 = z();
    return [0.5 + x1 + 0.65 * x3 + z(), x1, x3];
  });
  const out = run(dir, 'ex3.1', 'TITLE:\tthis is an example of a simple linear\n\tregression for a continuous observed\n\tdependent variable with two covariates\nDATA:\tFILE IS ex3.1.dat;\nVARIABLE:\tNAMES ARE y1 x1 x3;\nMODEL:\ty1 ON x1 x3;\n', rows);
  // Mplus 8.9 prints a blank line between the data file and its format; 8.8 (our layout) does not
  const expected = block(ref('ex3.1'), 'SUMMARY OF ANALYSIS', 'Input data file(s)');
  assert.equal(block(out, 'SUMMARY OF ANALYSIS', 'Input data file(s)'), expected);
  assert.equal(shape(block(out, 'MODEL RESULTS', 'QUALITY OF NUMERICAL')), shape(block(ref('ex3.1'), 'MODEL RESULTS', 'QUALITY OF NUMERICAL')));
});

test('TYPE = TWOLEVEL RANDOM: specifications, cluster summary, ICC table and random-slope results as Mplus (ex9.2c)', () => {
  const z = normals(92);
  const rows: number[][] = [];
  for (let j = 0; j < 110; j++) {
    const w = z();
    const u = z() * 0.7;
    const s = 1 + 0.5 * w + z() * 0.6;
    const n = j < 10 ? 10 : 9; // 10 * 10 + 100 * 9 = 1000 observations in 110 clusters
    for (let i = 0; i < n; i++) {
      const x = z();
      rows.push([2 + 1.2 * w + u + s * x + z(), x, w, j + 1]);
    }
  }
  const inp =
    'TITLE:\tthis is an example of a two-level\n\tregression analysis for a continuous\n\tdependent variable with a random slope\n' +
    'DATA:   FILE = ex9.2c.dat;\nVARIABLE:\tNAMES = y x w clus;\n\tWITHIN = x;\n\tBETWEEN = w;\n\tCLUSTER = clus;\n' +
    'ANALYSIS:\tTYPE = TWOLEVEL RANDOM;\nMODEL:\n\t%WITHIN%\n\ts | y ON x;\n\t%BETWEEN%\n\ty s ON w;\n\ty WITH s;\n';
  const out = run(dir, 'ex9.2c', inp, rows);
  const refText = ref('ex9.2c');
  // plusmix's model declares x WITHIN (Mplus's ex9.2c also regresses the between part on x): the
  // special-functions list gains 'Within variables' and x leaves the between-level regressions.
  const expected = block(refText, 'SUMMARY OF ANALYSIS', 'Input data file(s)').flatMap((l) =>
    l === '  Between variables' ? ['  Within variables', '   X', '', l] : [l],
  );
  assert.equal(block(out, 'SUMMARY OF ANALYSIS', 'Input data file(s)'), expected);
  assert.equal(shape(block(out, 'SUMMARY OF DATA', 'UNIVARIATE SAMPLE')), shape(block(refText, 'SUMMARY OF DATA', 'UNIVARIATE SAMPLE')));
  const noX = (ls: string[]) => ls.filter((l) => !/^ {4}X /.test(l));
  assert.equal(shape(block(out, 'MODEL RESULTS', 'QUALITY OF NUMERICAL')), shape(noX(block(refText, 'MODEL RESULTS', 'QUALITY OF NUMERICAL'))));
});

test('ML with a categorical outcome: the EM / integration specification block as Mplus (ex3.5)', () => {
  // Mplus's defaults for that framework: 100 quasi-Newton iterations, the integration EM criteria
  const o = { ...resolveOptions({ estimator: 'ML' }, { mixture: false, integration: true }), qnIterations: 100 };
  const lines = mixtureSpecs(o, { integrationDimensions: 0, categorical: true }).map((sp) =>
    sp.value === undefined ? ' '.repeat(sp.indent) + sp.label : labelValue(' '.repeat(sp.indent) + sp.label, sp.value, 66),
  );
  const expected = block(ref('ex3.5'), 'Estimator', 'Input data file(s)');
  assert.equal(lines, expected.slice(0, expected.indexOf('')));
});

// The reader / writer round trip on the real files: every section plusmix prints comes back line for
// line (version-specific parts excluded: the banner, Mplus 8.7's input warning block, Mplus 8.9's extra
// blank lines around 'Input data format').
const SECTIONS: Array<[string, string]> = [
  ['SUMMARY OF ANALYSIS', 'Input data file(s)'],
  ['SUMMARY OF DATA', 'UNIVARIATE SAMPLE STATISTICS'],
  ['UNIVARIATE SAMPLE STATISTICS', 'THE MODEL ESTIMATION'],
  ['MODEL FIT INFORMATION', 'QUALITY OF NUMERICAL RESULTS'],
  ['QUALITY OF NUMERICAL RESULTS', '     Beginning Time'],
];
for (const name of ['ex3.1', 'ex9.2c']) {
  test(`${name}: read and written again, fit information (H1, chi-square, RMSEA, CFI/TLI, SRMR) and results unchanged`, () => {
    const text = ref(name);
    const ours = writeOut(toOutInput(readMplusOut(text), '0.1.0'));
    for (const [from, to] of SECTIONS) {
      if (!text.includes(`\n${from}\n`)) continue;
      assert.equal(block(ours, from, to), block(text, from, to), `${name}: ${from}`);
    }
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
