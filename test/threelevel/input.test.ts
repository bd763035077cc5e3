// TYPE = THREELEVEL input: `%BETWEEN level2%` sections, `CLUSTER = level3 level2`,
// `BETWEEN = (level2) w (level3) z`, the nesting check, and the defaults of the parameter table
// (UG ex9.23: 25 free parameters; level-3 residual variances of the growth indicators fixed at 0).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInput } from '../../src/syntax/parse.js';
import { formatInput } from '../../src/syntax/fmt.js';
import { PlusmixError } from '../../src/syntax/diagnostics.js';
import { ex923Input, loadExample, loadText, root, tempFiles } from './helpers.js';

test('%BETWEEN level2% / %BETWEEN level3% parse to Between sections with their level', () => {
  const { ast, diagnostics } = parseInput(ex923Input('x.dat'), 'x.inp');
  assert.equal(diagnostics.filter((d) => d.severity === 'error'), []);
  const model = ast.commands.find((c) => c.kind === 'Model')!;
  assert.ok(model.kind === 'Model');
  const secs = model.statements.filter((s) => s.kind === 'Section').map((s) => (s.kind === 'Section' ? s.section : null));
  assert.equal(secs, [{ kind: 'Within' }, { kind: 'Between', level: 'LEVEL2' }, { kind: 'Between', level: 'LEVEL3' }]);
});

test('a section label other than level2 / level3 is an error with a span', () => {
  const { diagnostics } = parseInput(ex923Input('x.dat').replace('%BETWEEN level2%', '%BETWEEN school%'), 'x.inp');
  const e = diagnostics.find((d) => d.code === 'E_BAD_SECTION');
  assert.ok(e, 'E_BAD_SECTION expected');
  assert.is(e!.location.kind, 'input');
});

test('fmt keeps %BETWEEN level2%', () => {
  const text = ex923Input('x.dat');
  const out = formatInput(parseInput(text, 'x.inp').ast);
  assert.match(out, /%BETWEEN level2%/);
  assert.match(out, /%BETWEEN level3%/);
});

test('ex9.23 data: two cluster levels, BETWEEN levels, 25 free parameters with the Mplus defaults', () => {
  const { ir, dataset } = loadExample('examples/ug9/ex9.23.inp');
  assert.is(dataset.nRows, 7500);
  assert.is(dataset.cluster!.ids.length, 1500);
  assert.is(dataset.clusterTop!.ids.length, 50);
  assert.is(dataset.columns.find((c) => c.name === 'W')!.betweenLevel, 'LEVEL2');
  assert.is(dataset.columns.find((c) => c.name === 'Z')!.betweenLevel, 'LEVEL3');
  assert.ok(ir.threeLevel);
  assert.is(ir.nFree, 25);
  const row = (lv: 'LEVEL2' | 'LEVEL3' | null, kind: string, lhs: string) =>
    ir.rows.find((r) => (lv ? r.level === 'between' && r.betweenLevel === lv : r.level === 'within') && r.kind === kind && r.lhs === lhs)!;
  // level 3: growth-factor means free, outcome intercepts and residual variances fixed at 0
  assert.ok(row('LEVEL3', 'intercept', 'IB3').par > 0);
  assert.is(row('LEVEL3', 'intercept', 'Y1').par, 0);
  assert.is(row('LEVEL3', 'residualVariance', 'Y2').par, 0);
  // level 2 and within: no mean structure, residual variances free
  assert.is(row('LEVEL2', 'intercept', 'IB2').par, 0);
  assert.is(row(null, 'intercept', 'IW').par, 0);
  assert.ok(row('LEVEL2', 'residualVariance', 'Y3').par > 0);
  assert.ok(row(null, 'residualVariance', 'Y4').par > 0);
});

test('mentioning the level-3 residual variances frees them; a label shared across levels is one parameter', () => {
  const dir = join(root, 'examples/ug9');
  const free = loadText(ex923Input('ex9.23.dat', { level3: '\n  y1-y4;' }), dir);
  assert.is(free.ir.nFree, 29);
  const eq = loadText(ex923Input('ex9.23.dat', { within: '\n  y1-y4 (e);', level2: '\n  y1-y4 (e);', level3: '\n  y1-y4 (e);' }), dir);
  // 25 - 8 + 1: the four within, four level-2 and (now mentioned) four level-3 variances are one parameter
  assert.is(eq.ir.nFree, 18);
  const pars = new Set(eq.ir.rows.filter((r) => r.kind === 'residualVariance' && /^Y\d$/.test(r.lhs)).map((r) => r.par));
  assert.is(pars.size, 1);
});

test('a level-2 cluster spread over two level-3 clusters is a data error with the record', () => {
  const lines = readFileSync(join(root, 'fixtures/mplus-ug/ex9.23.dat'), 'utf8').trim().split('\n').slice(0, 10);
  const f = lines[3]!.trim().split(/\s+/);
  f[8] = '99';
  lines[3] = f.join(' ');
  const dir = tempFiles({ 'd.dat': lines.join('\n') + '\n' });
  try {
    loadText(ex923Input('d.dat'), dir);
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, PlusmixError);
    const d = (e as PlusmixError).diagnostics[0]!;
    assert.is(d.code, 'E_CLUSTER_NESTING');
    assert.match(d.message, /record 4/);
  }
});

test('a BETWEEN variable without (level2) / (level3) is refused in TYPE = THREELEVEL', () => {
  const text = ex923Input('ex9.23.dat').replace('BETWEEN = (level2) w (level3) z;', 'BETWEEN = w z;');
  try {
    loadText(text, join(root, 'examples/ug9'));
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, PlusmixError);
    assert.ok((e as PlusmixError).diagnostics.some((d) => d.code === 'E_THREELEVEL_BETWEEN'));
  }
});

test('without TYPE = THREELEVEL: %BETWEEN level2% and two CLUSTER variables are errors', () => {
  try {
    loadText(ex923Input('ex9.23.dat').replace('TYPE = THREELEVEL;', 'TYPE = TWOLEVEL;'), join(root, 'examples/ug9'));
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, PlusmixError);
    const codes = (e as PlusmixError).diagnostics.map((d) => d.code);
    assert.is(codes.filter((c) => c === 'E_SECTION_NEEDS_THREELEVEL').length, 2);
    assert.ok(codes.includes('E_TWO_CLUSTER_VARIABLES'));
  }
});

test.run();
