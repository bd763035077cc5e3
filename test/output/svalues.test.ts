// OUTPUT: SVALUES: the MODEL command with the final estimates, pasted back into the input, parses with
// plusmix's parser, lowers to the same parameter rows (same free / fixed status, same equality
// constraints, the estimates as starting values) and, run again, ends at the same loglikelihood.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPipeline } from '../../src/cli/pipeline.js';
import { parseInput } from '../../src/syntax/parse.js';
import { loadData } from '../../src/data/index.js';
import { buildModel } from '../../src/model/index.js';
import type { ModelIR, ParamRow } from '../../src/model/ir.js';
import { svaluesLines } from '../../src/output/svalues.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures');

const MIMIC = `TITLE: MIMIC model on the ex9.6 data analysed as single-level data
DATA: FILE = ex9.6.dat;
VARIABLE: NAMES = y1-y4 x1 x2 w clus;
  USEVARIABLES = y1-y4 x1 x2;
MODEL: f BY y1-y4; f ON x1 x2; y1 WITH y2;
  y3 y4 (1);
OUTPUT: SVALUES;
`;

const LPA = `TITLE: latent profile analysis, class-varying variances with labels
DATA: FILE = ex7.9.dat;
VARIABLE: NAMES = y1-y4;
  CLASSES = c (2);
ANALYSIS: TYPE = MIXTURE; STARTS = 0;
MODEL:
  %c#1%
  y1-y4;
  %c#2%
  y1-y4 (v1-v4);
OUTPUT: SVALUES;
`;

/** the input with its MODEL command replaced by `lines` */
function withModel(text: string, lines: string[]): string {
  const m = /^\s*MODEL\s*:/im.exec(text)!;
  const rest = text.slice(m.index + m[0].length);
  const next = /^\s*(OUTPUT|SAVEDATA|PLOT|MONTECARLO|MODEL\s+(CONSTRAINT|TEST|INDIRECT))\b[^:\n]*:/im.exec(rest);
  return text.slice(0, m.index) + '\nMODEL:\n' + lines.map((l) => '  ' + l).join('\n') + '\n' + (next ? rest.slice(next.index) : '');
}

function build(text: string, path: string): ModelIR {
  const ast = parseInput(text, path).ast;
  const ds = loadData(ast, dirname(path)).dataset;
  const b = buildModel(ast, { columns: ds.columns }, ds);
  assert.equal(b.diagnostics.filter((d) => d.severity === 'error'), []);
  return b.ir;
}

const key = (x: ParamRow) => `${x.level}|${JSON.stringify(x.classes)}|${x.kind}|${x.lhs}|${x.rhs}|${x.index ?? ''}|${x.rhsIndex ?? ''}`;
const partition = (ir: ModelIR) => {
  const g = new Map<number, string[]>();
  for (const x of ir.rows) if (x.par > 0) g.set(x.par, [...(g.get(x.par) ?? []), key(x)].sort());
  return [...g.values()].map((v) => v.join(' ')).sort();
};

function roundTrip(text: string, path: string): string[] {
  const r = runPipeline(text, path, { clock: null });
  assert.is(r.exitCode, 0);
  const ir = build(text, path);
  const lines = svaluesLines(ir, r.result!);
  assert.ok(r.outText.includes('MODEL COMMAND WITH FINAL ESTIMATES USED AS STARTING VALUES\n\n     ' + lines[0] + '\n'), 'printed in the .out');
  const text2 = withModel(text, lines);
  const ir2 = build(text2, path);
  assert.equal(ir2.rows.map(key).sort(), ir.rows.map(key).sort(), 'same parameter rows');
  assert.equal(partition(ir2), partition(ir), 'same free parameters and equalities');
  const est = new Map(r.result!.parameters.filter((p) => p.par > 0).map((p) => [p.par, p.estimate]));
  const byKey = new Map(ir.rows.map((x) => [key(x), x]));
  for (const y of ir2.rows) {
    const x = byKey.get(key(y))!;
    const want = x.par > 0 ? est.get(x.par)! : x.value;
    assert.ok(Math.abs(y.value - want) <= 5e-6, `${key(y)}: start ${y.value} vs estimate ${want}`);
  }
  const r2 = runPipeline(text2, path, { clock: null });
  assert.is(r2.exitCode, 0);
  assert.ok(Math.abs(r2.result!.fit!.loglikelihood - r.result!.fit!.loglikelihood) < 1e-6, `${r2.result!.fit!.loglikelihood} vs ${r.result!.fit!.loglikelihood}`);
  return lines;
}

test('SVALUES of a single-level model: Mplus statement forms, equality label, same model when pasted back', () => {
  const lines = roundTrip(MIMIC, join(fixtures, 'mplus-ug/mimic.inp'));
  // statement forms only (the values are the estimates of this run)
  const shape = lines.map((l) => l.replace(/-?\d+\.\d{5}/g, 'V'));
  assert.equal(shape.slice(0, 8), ['f BY y1@1;', 'f BY y2*V;', 'f BY y3*V;', 'f BY y4*V;', '', 'f ON x1*V;', 'f ON x2*V;', '']);
  assert.ok(shape.includes('y1 WITH y2*V;') && shape.includes('[ y1*V ];'));
  assert.ok(lines.some((l) => /^y3\*\d\.\d{5} \(1\);$/.test(l)) && lines.some((l) => /^y4\*\d\.\d{5} \(1\);$/.test(l)), lines.join('\n'));
});

test('SVALUES of a mixture: %OVERALL% with the class logit, class sections with labels', () => {
  const lines = roundTrip(LPA, join(fixtures, 'mplus-ug/lpa.inp'));
  assert.equal(lines.slice(0, 2), ['%OVERALL%', '']);
  assert.ok(lines.some((l) => /^\[ c#1\*-?\d\.\d{5} \];$/.test(l)));
  assert.ok(lines.includes('%C#1%') && lines.includes('%C#2%'));
  assert.ok(lines.some((l) => /^y1\*\d\.\d{5} \(v1\);$/.test(l)), 'user labels kept');
});

test('SVALUES of a two-level mixture with a between-level class variable (MODEL cb.c: sections)', () => {
  const path = join(fixtures, 'inputs/between_within.inp');
  const lines = roundTrip(readFileSync(path, 'utf8') + 'OUTPUT: SVALUES;\n', path);
  assert.ok(lines.includes('MODEL cb.c:'));
  assert.ok(lines.indexOf('%BETWEEN%') < lines.indexOf('MODEL cb.c:'), 'the %OVERALL% parts of both levels come first');
  assert.ok(lines.some((l) => /^c#1 ON cb#1\*\d\.\d{5};$/.test(l)));
});

test.run();
