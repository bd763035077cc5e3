// Input warnings after the input echo, and TECHNICAL 11 / TECHNICAL 14 OUTPUT read from real Mplus files
// (fixtures/peers/lrt_bully: Mplus 8.8, fixtures/peers/lrt_kmeans: Mplus 9; READMEs there), written
// back line-identically, carried into the JSON, and shown by `plusmix compare` / `plusmix diff`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMplusOut, toOutInput } from '../../src/output/mplusReader.js';
import { writeOut } from '../../src/output/out.js';
import { tech11Lines, tech14Lines } from '../../src/output/tech11.js';
import { jsonText, toJson } from '../../src/output/json.js';
import { runPipeline } from '../../src/cli/pipeline.js';
import { runCompare } from '../../src/cli/compare.js';
import { runDiff } from '../../src/cli/diff.js';
import { loadSchema, validate } from './schema.js';

const BULLY = new URL('../../fixtures/peers/lrt_bully/', import.meta.url).pathname;
const KMEANS = new URL('../../fixtures/peers/lrt_kmeans/', import.meta.url).pathname;
const REAL = [...['c2', 'c3', 'c4', 'c5', 'c6'].map((c) => join(BULLY, `${c}_bully.out`)), ...[2, 3, 4].map((k) => join(KMEANS, `model_1_class_${k}.out`))];
const lines = (t: string) => t.replace(/\r\n?/g, '\n').split('\n');

/** from INPUT INSTRUCTIONS to the first title line (the echo, the warnings and the blank lines around them) */
function head(text: string, title: string): string[] {
  const ls = lines(text);
  const a = ls.indexOf('INPUT INSTRUCTIONS');
  return ls.slice(a, ls.indexOf(title, a) + 1);
}

function section(text: string, name: string): string[] {
  const ls = lines(text);
  const a = ls.indexOf(name);
  const b = ls.findIndex((l, i) => i > a && /^(TECHNICAL \d+ OUTPUT|PLOT INFORMATION|SAVEDATA INFORMATION|\s+Beginning Time)/.test(l));
  return ls.slice(a, b);
}

test('real Mplus 8.8 / 9 outputs: input warnings read and written back line for line', () => {
  for (const path of REAL) {
    const text = readFileSync(path, 'utf8');
    const f = readMplusOut(text);
    assert.ok(f.inputWarnings && f.inputWarnings.length >= 2, path);
    assert.ok(f.title.length === 1 && f.title[0].length > 0, path);
    const ours = writeOut({ ...toOutInput(f, '0.1.0'), options: { ...toOutInput(f, '0.1.0').options, timestamps: null } });
    assert.equal(head(ours, f.title[0]), head(text, f.title[0]), path);
  }
  const c3 = readMplusOut(readFileSync(join(BULLY, 'c3_bully.out'), 'utf8'));
  assert.equal(c3.inputWarnings!.map((w) => w.command), ['VARIABLE', 'PLOT', 'OUTPUT']);
  assert.equal(c3.inputWarnings![2].lines, [
    'SAMPSTAT option is not available when all outcomes are censored, ordered',
    'categorical, unordered categorical (nominal), count or continuous-time',
    'survival variables.  Request for SAMPSTAT is ignored.',
  ]);
  assert.equal(c3.title, ['3-Class']);
});

test('TECHNICAL 11 / 14 OUTPUT of real outputs: read, and printed again identically', () => {
  for (const path of REAL) {
    const text = readFileSync(path, 'utf8');
    const r = readMplusOut(text).result;
    assert.ok(r.tech11 && r.tech14, path);
    assert.equal(tech11Lines(r.tech11), section(text, 'TECHNICAL 11 OUTPUT'), path);
    assert.equal(tech14Lines(r.tech14), section(text, 'TECHNICAL 14 OUTPUT'), path);
  }
  // the printed values of c3_bully.out (2 vs 3 classes)
  const r = readMplusOut(readFileSync(join(BULLY, 'c3_bully.out'), 'utf8')).result;
  const t11 = r.tech11!;
  assert.equal([t11.classes, t11.k1Starts, t11.h0Loglikelihood, t11.lrt, t11.parameterDifference, t11.mean, t11.sd, t11.pValue], [3, [200, 100], -5194.136, 143.317, 7, -0.421, 12.569, 0]);
  assert.equal(t11.adjusted, { value: 140.677, pValue: 0 });
  const t14 = r.tech14!;
  assert.equal([t14.lrtStarts, t14.drawsRequested, t14.h0Loglikelihood, t14.lrt, t14.pValue, t14.successfulDraws], [[0, 0, 40, 8], null, -5194.136, 143.317, 0, 5]);
});

test('JSON of a real output: tech11, tech14 and the input warnings, valid against the schema', () => {
  const f = readMplusOut(readFileSync(join(KMEANS, 'model_1_class_3.out'), 'utf8'));
  const j = JSON.parse(jsonText(toJson({ result: f.result, summary: f.summary, inputText: f.inputText, plusmixVersion: '0.1.0', source: 'mplus', ...(f.inputWarnings ? { inputWarnings: f.inputWarnings } : {}) })));
  assert.equal(validate(j, loadSchema()), []);
  assert.equal(j.tech11.classes, 3);
  assert.is(j.tech11.parameter_difference, f.result.tech11!.parameterDifference);
  assert.is(j.tech11.pvalue, f.result.tech11!.pValue);
  assert.is(j.tech11.lmr_adjusted.pvalue, f.result.tech11!.adjusted.pValue);
  assert.is(j.tech14.successful_draws, f.result.tech14!.successfulDraws);
  const input = j.warnings.filter((w: { command?: string }) => 'command' in w);
  assert.equal(input.map((w: { command: string }) => w.command), ['VARIABLE', 'MODEL']);
  assert.is(input[1].text, 'All variables are uncorrelated with all other variables within class.\nCheck that this is what is intended.');
});

const LONG = `TITLE: regression with an over-long comment line
DATA: FILE = ex3.1.dat;
VARIABLE: NAMES = y1 x1 x3;
MODEL: y1 ON x1 x3;
! this comment line is longer than ninety columns, which Mplus would cut at column ninety: keep it short
`;

test('plusmix run: input warnings in the .out after the echo (no INPUT READING TERMINATED NORMALLY) and in the JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-warn-'));
  try {
    writeFileSync(join(dir, 'ex3.1.dat'), readFileSync(new URL('../../fixtures/mplus-ug/ex3.1.dat', import.meta.url)));
    const r = runPipeline(LONG, join(dir, 'long.inp'), { clock: null });
    assert.is(r.exitCode, 0, r.outText);
    const ls = lines(r.outText);
    const w = ls.indexOf('*** WARNING');
    assert.ok(w > 0, r.outText);
    assert.equal(ls.slice(w - 4, w), ['  ! this comment line is longer than ninety columns, which Mplus would cut at column ninety: keep it short', '', '', '']);
    const count = ls.indexOf('   1 WARNING(S) FOUND IN THE INPUT INSTRUCTIONS');
    assert.ok(count > w);
    assert.ok(ls.slice(w + 1, count).every((l) => l.startsWith('  ') && l.length <= 80));
    assert.match(ls.slice(w + 1, count).join(' '), /line 5, column 91/);
    assert.equal(ls.slice(count + 1, count + 6), ['', '', '', '', 'regression with an over-long comment line']);
    assert.not.ok(ls.includes('INPUT READING TERMINATED NORMALLY'));
    const j = r.json!;
    assert.equal(validate(JSON.parse(jsonText(j)), loadSchema()), []);
    assert.equal(j.warnings.map((x) => [x.code, x.command]), [['W_LINE_GT_90', null]]);
    // the reader finds the echo, the warning and the title again
    const back = readMplusOut(r.outText);
    assert.is(back.inputText, LONG);
    assert.equal(back.title, ['regression with an over-long comment line']);
    assert.equal(back.inputWarnings?.map((x) => x.lines), [j.warnings[0].text.split('\n')]);
    assert.is(back.result.parameters.length, r.result!.parameters.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('OUTPUT: TECH10 / TECH11 where plusmix cannot give them: *** WARNING in OUTPUT command blocks, counted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-warn-'));
  try {
    writeFileSync(join(dir, 'ex3.1.dat'), readFileSync(new URL('../../fixtures/mplus-ug/ex3.1.dat', import.meta.url)));
    const input = 'TITLE: regression\nDATA: FILE = ex3.1.dat;\nVARIABLE: NAMES = y1 x1 x3;\nMODEL: y1 ON x1 x3;\nOUTPUT: TECH10 TECH11;\n';
    const r = runPipeline(input, join(dir, 'r.inp'), { clock: null });
    assert.is(r.exitCode, 0, r.outText);
    const ls = lines(r.outText);
    assert.is(ls.filter((l) => l === '*** WARNING in OUTPUT command').length, 2);
    assert.ok(ls.includes('   2 WARNING(S) FOUND IN THE INPUT INSTRUCTIONS'));
    assert.equal(r.json!.warnings.map((w) => [w.code, w.command]).sort(), [['W_TECH10_UNAVAILABLE', 'OUTPUT'], ['W_TECH11_UNAVAILABLE', 'OUTPUT']]);
    // the same diagnostics reach stderr (run.ts prints PipelineResult.diagnostics)
    assert.equal(r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code).sort(), ['W_TECH10_UNAVAILABLE', 'W_TECH11_UNAVAILABLE']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('plusmix compare: VLMR / LMR / BLRT p-value columns from TECH11 / TECH14', async () => {
  let text = '';
  const files = ['c2', 'c3', 'c4'].map((c) => join(BULLY, `${c}_bully.out`));
  assert.is(await runCompare(files, { write: (s) => (text += s) }), 0);
  const ls = text.split('\n');
  assert.match(ls[0], /Entropy\s+VLMR p\s+LMR p\s+BLRT p\s+Replicated/);
  const cell = (row: string, k: number) => row.trim().split(/\s+/)[k];
  // the p-values as the files print them (4 decimals)
  for (let i = 0; i < 3; i++) {
    const r = readMplusOut(readFileSync(files[i], 'utf8')).result;
    const row = ls[2 + i];
    assert.is(cell(row, 8), r.tech11!.pValue.toFixed(4), row);
    assert.is(cell(row, 9), r.tech11!.adjusted.pValue.toFixed(4), row);
    assert.is(cell(row, 10), r.tech14!.pValue.toFixed(4), row);
  }
  let csv = '';
  await runCompare(files, { csv: true, write: (s) => (csv += s) });
  assert.ok(csv.split('\n')[0].endsWith(',best_bic,vlmr_pvalue,lmr_pvalue,blrt_pvalue'));
  // without TECH11 / TECH14 the table keeps its columns
  let plain = '';
  await runCompare([new URL('../../examples/mplus-ug/ex7.3.out', import.meta.url).pathname], { write: (s) => (plain += s) });
  assert.not.match(plain, /VLMR/);
});

test('plusmix diff: TECH11 / TECH14 rows beside the fit statistics', async () => {
  let text = '';
  const a = join(BULLY, 'c3_bully.out');
  await runDiff(a, a, { color: false, write: (s) => (text += s) });
  assert.match(text, /K-1 class H0 loglikelihood\s+-5194\.1360\s+-5194\.1360\s+0\.0000/);
  assert.match(text, /VLMR p-value \(TECH11\)/);
  assert.match(text, /BLRT p-value \(TECH14\)/);
});

test.run();
