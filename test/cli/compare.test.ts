// `plusmix compare`: the table built from the two real Mplus 8.8 outputs in fixtures/reference-outputs
// (values checked against the numbers printed there) and from plusmix JSON results of real runs of
// small models in a temp folder (checked against the numbers printed in their .out files and, for the
// LCA, against the real Mplus output of the same model, UG example 7.3).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCompare, loadSummary } from '../../src/cli/compare.js';
import { runCommand } from '../../src/cli/run.js';
import { buildCompareTable, classesFromInput, classesFromLabels, formatCompareCsv } from '../../src/results/compare.js';

const root = new URL('../../', import.meta.url).pathname;
const ex104 = join(root, 'fixtures/reference-outputs/ex10.4.out');
const ex73 = join(root, 'fixtures/reference-outputs/ex7.3.out');

async function compare(files: string[], opts: { json?: boolean; csv?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCompare(files, { ...opts, write: (s) => void (out += s), writeErr: (s) => void (err += s) });
  return { code, out, err };
}

/** the number printed after `label` in a .out file (independent of the reader) */
function printed(text: string, label: RegExp): number {
  const m = new RegExp(label.source + String.raw`\s+(-?[\d.]+)`).exec(text);
  if (!m) throw new Error(`not found: ${label}`);
  return Number(m[1]);
}

test('real Mplus outputs: values as printed in the files, best BIC marked, rows in the order given', async () => {
  const { code, out } = await compare([ex104, ex73], { json: true });
  assert.is(code, 0);
  const j = JSON.parse(out);
  assert.is(j.format, 'plusmix-compare');
  assert.equal(j.models.map((m: { model: string }) => m.model), ['ex10.4', 'ex7.3']);
  const [a, b] = j.models;
  // ex10.4.out lines 136-148, 177; STARTS = 0 in its input, so no random starts table
  assert.equal(
    [a.classes, a.loglikelihood, a.parameters, a.aic, a.bic, a.abic, a.entropy, a.replicated, a.source, a.terminated_normally],
    [[2], -5334.228, 23, 10714.456, 10827.334, 10754.285, 0.538, null, 'mplus', true],
  );
  assert.is(a.title, 'this is an example of a two-level CFA');
  // ex7.3.out lines 120 (HAS BEEN REPLICATED), 133-145, 199
  assert.equal(
    [b.classes, b.loglikelihood, b.parameters, b.aic, b.bic, b.abic, b.entropy, b.replicated],
    [[2], -965.244, 9, 1948.488, 1986.42, 1957.853, 0.904, true],
  );
  assert.is(j.best_bic, 'ex7.3');
  assert.equal(j.models.map((m: { best_bic: boolean }) => m.best_bic), [false, true]);
  // order is kept as given, not sorted by fit
  const rev = JSON.parse((await compare([ex73, ex104], { json: true })).out);
  assert.equal(rev.models.map((m: { model: string }) => m.model), ['ex7.3', 'ex10.4']);
});

test('text and CSV forms', async () => {
  const text = (await compare([ex104, ex73])).out;
  const lines = text.split('\n');
  assert.match(lines[0], /^Model\s+Classes\s+Loglikelihood\s+Par\s+AIC\s+BIC\s+aBIC\s+Entropy\s+Replicated\s+Title$/);
  assert.match(text, /ex7\.3\s+2\s+-965\.244\s+9\s+1948\.488\s+1986\.420\*/);
  assert.match(text, /ex10\.4\s+2\s+-5334\.228\s+23\s+10714\.456\s+10827\.334\s/);
  assert.match(text, /\* lowest BIC: ex7\.3/);
  const csv = (await compare([ex104, ex73], { csv: true })).out.trim().split('\n');
  assert.is(csv[0], 'model,file,title,source,terminated_normally,classes,loglikelihood,parameters,aic,bic,abic,entropy,replicated,best_bic');
  assert.is(csv.length, 3);
  assert.ok(csv[2].startsWith('ex7.3,'));
  assert.ok(csv[2].endsWith(',mplus,yes,2,-965.244,9,1948.488,1986.42,1957.853,0.904,yes,yes'), csv[2]);
  assert.ok(csv[1].endsWith(',-5334.228,23,10714.456,10827.334,10754.285,0.538,,no'), csv[1]);
});

test('JSON and .out of real plusmix runs in a temp folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-compare-'));
  try {
    copyFileSync(join(root, 'fixtures/mplus-ug/ex7.3-u1u4.dat'), join(dir, 'lca.dat'));
    copyFileSync(join(root, 'fixtures/mplus-ug/ex3.1.dat'), join(dir, 'reg.dat'));
    writeFileSync(
      join(dir, 'lca.inp'),
      'TITLE: LCA, 4 binary items, 2 classes (UG ex7.3 items)\nDATA: FILE = lca.dat;\nVARIABLE: NAMES = u1-u4;\n  CATEGORICAL = u1-u4;\n  CLASSES = c (2);\nANALYSIS: TYPE = MIXTURE;\n  STARTS = 20 4;\nMODEL:\n  %OVERALL%\n',
    );
    writeFileSync(join(dir, 'reg.inp'), 'TITLE: regression\nDATA: FILE = reg.dat;\nVARIABLE: NAMES = y1 x1 x3;\nMODEL: y1 ON x1 x3;\n');
    for (const m of ['lca', 'reg']) {
      const code = await runCommand(join(dir, `${m}.inp`), { json: join(dir, `${m}.json`), quiet: true, noTimestamps: true });
      assert.is(code, 0, `run ${m}`);
    }
    const { code, out } = await compare([join(dir, 'reg.json'), join(dir, 'lca.json'), join(dir, 'lca.out')], { json: true });
    assert.is(code, 0);
    const [reg, lcaJ, lcaO] = JSON.parse(out).models;
    for (const [row, name] of [[reg, 'reg'], [lcaJ, 'lca']] as const) {
      const o = readFileSync(join(dir, `${name}.out`), 'utf8');
      assert.is(Math.round(row.loglikelihood * 1000) / 1000, printed(o, /H0 Value/), `${name} loglikelihood`);
      assert.is(row.parameters, printed(o, /Number of Free Parameters/));
      assert.is(Math.round(row.aic * 1000) / 1000, printed(o, /Akaike \(AIC\)/));
      assert.is(Math.round(row.bic * 1000) / 1000, printed(o, /Bayesian \(BIC\)/));
      assert.is(Math.round(row.abic * 1000) / 1000, printed(o, /Sample-Size Adjusted BIC/));
    }
    // the same LCA fitted by Mplus 8.8 (fixtures/reference-outputs/ex7.3.out)
    const mplus = readFileSync(ex73, 'utf8');
    assert.is(Math.round(lcaJ.loglikelihood * 1000) / 1000, printed(mplus, /H0 Value/));
    assert.is(Math.round(lcaJ.bic * 1000) / 1000, printed(mplus, /Bayesian \(BIC\)/));
    assert.is(Math.round(lcaJ.entropy * 1000) / 1000, printed(mplus, /Entropy/));
    assert.equal([reg.classes, reg.entropy, reg.replicated], [[1], null, null]);
    assert.equal([lcaJ.classes, lcaJ.replicated], [[2], true]);
    // the .out of the same run gives the same row (up to its printed precision)
    assert.equal([lcaO.classes, lcaO.replicated, lcaO.parameters, lcaO.title], [[2], true, 9, 'LCA, 4 binary items, 2 classes (UG ex7.3 items)']);
    assert.ok(Math.abs(lcaO.loglikelihood - lcaJ.loglikelihood) <= 0.0005);
    assert.is(lcaO.source, 'plusmix');
    const bics = [reg.bic, lcaJ.bic, lcaO.bic];
    assert.is(JSON.parse(out).best_bic, ['reg', 'lca', 'lca'][bics.indexOf(Math.min(...bics))]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unreadable files: message with the file name, exit 1, no table', async () => {
  const { code, out, err } = await compare([ex73, join(root, 'no-such-file.out'), join(root, 'package.json')]);
  assert.is(code, 1);
  assert.is(out, '');
  assert.match(err, /no-such-file\.out: error: no such file/);
  assert.match(err, /package\.json: error: JSON file is not a plusmix result/);
  assert.is((await compare([])).code, 1);
  assert.is((await compare([ex73], { json: true, csv: true })).code, 1);
});

test('class counts from CLASSES and from class pattern labels; failed runs are not the best BIC', () => {
  assert.equal(classesFromInput('VARIABLE: NAMES = y;\n  CLASSES = cb (2) c(3); ! two\nANALYSIS: TYPE = TWOLEVEL MIXTURE;'), [2, 3]);
  assert.equal(classesFromInput('CLASSES ARE c (4);'), [4]);
  assert.is(classesFromInput('MODEL: y ON x;'), null);
  assert.equal(classesFromLabels(['1', '2', '3']), [3]);
  assert.equal(classesFromLabels(['1 1', '1 2', '1 3', '2 1', '2 2', '2 3']), [2, 3]);
  assert.equal(classesFromLabels(['1.1', '1.2', '2.1', '2.2']), [2, 2]);
  const base = { file: 'x', title: null, source: 'plusmix' as const, classes: [2], loglikelihood: -1, parameters: 1, aic: 1, abic: 1, entropy: null, replicated: null };
  const t = buildCompareTable([
    { ...base, label: 'failed', terminatedNormally: false, bic: 5 },
    { ...base, label: 'ok', terminatedNormally: true, bic: 10 },
    { ...base, label: 'nobic', terminatedNormally: true, bic: null },
  ]);
  assert.is(t.bestBic, 'ok');
  assert.equal(t.rows.map((r) => r.bestBic), [false, true, false]);
  assert.match(formatCompareCsv(t).split('\n')[1], /^failed,x,,plusmix,no,2,/);
});

test('loadSummary reads a plusmix .out title', () => {
  const s = loadSummary(ex104);
  assert.is(s.label, 'ex10.4');
  assert.equal(s.classes, [2]);
});

test.run();
