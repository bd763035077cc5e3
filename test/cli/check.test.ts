// plusmix check: messages, positions, carets, exit codes; formatDiagnostic for every location kind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkText, runCheck } from '../../src/cli/check.js';
import { main } from '../../src/cli/main.js';
import { formatDiagnostic } from '../../src/syntax/format-diagnostic.js';
import { dataError } from '../../src/syntax/diagnostics.js';

const FIX = new URL('../../fixtures/inputs/', import.meta.url).pathname;

const BASE = 'DATA: FILE = a.dat;\nVARIABLE: NAMES = y1-y4 x w clus;\n  USEVARIABLES = y1-y4 x w;\n  CLASSES = c (2);\n  CLUSTER = clus; BETWEEN = w;\n';

function check(text: string, syntaxOnly = false) {
  return checkText(text, 'in.inp', { syntaxOnly });
}
function messages(text: string): string[] {
  return check(text)
    .filter((d) => d.severity === 'error')
    .map((d) => d.message);
}

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const o = process.stdout.write;
  const e = process.stderr.write;
  let out = '';
  let err = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await fn(), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

test('every fixture passes the full check', () => {
  for (const f of readdirSync(FIX).filter((n) => n.endsWith('.inp'))) {
    const errs = checkText(readFileSync(FIX + f, 'utf8'), f, { syntaxOnly: false }).filter((d) => d.severity === 'error');
    assert.equal(
      errs.map((d) => d.message),
      [],
      f,
    );
  }
});

test('unknown option with a suggestion, reported at the option name', () => {
  const d = check(BASE + 'ANALYSIS: TYPE = MIXTURE;\n  STARTZ = 20 4;\n').filter((x) => x.severity === 'error');
  assert.is(d.length, 1);
  assert.is(d[0].message, 'Unknown option STARTZ in ANALYSIS command; did you mean STARTS?');
  assert.is(d[0].code, 'E_UNKNOWN_OPTION');
  const loc = d[0].location;
  assert.ok(loc.kind === 'input' && loc.span.start.line === 7 && loc.span.start.col === 3);
});

test('ambiguous abbreviation is an error; documented short forms are fine', () => {
  assert.ok(messages(BASE + 'ANALYSIS: STCO = 1;').length === 0, 'STCO is a unique prefix of STCONVERGENCE');
  const m = messages(BASE + 'ANALYSIS: PARA = 1;');
  assert.match(m[0], /Ambiguous option PARA in ANALYSIS command: it could be PARAMETERIZATION or PARALLEL/);
  assert.equal(messages(BASE + 'OUTPUT: CINT SVAL STDYX MOD;'), []);
});

test('option values: allowed keywords with abbreviations, unknown values, numbers where not allowed', () => {
  assert.equal(messages(BASE + 'ANALYSIS: TYPE = MIXT TWOL RANDOM; ESTIMATOR = MLR; ALGORITHM = INTEGRATION EMA; INTEGRATION = GAUSSHERMITE (15); LINK = PROBIT;'), []);
  assert.equal(messages(BASE + 'ANALYSIS: ESTIMATOR = MLX;'), ['Unknown value MLX for ESTIMATOR in ANALYSIS command; did you mean ML?']);
  assert.match(messages(BASE + 'ANALYSIS: ALGORITHM = QUICK;')[0], /Unknown value QUICK for ALGORITHM in ANALYSIS command; allowed: EM, EMA/);
  assert.match(messages(BASE + 'ANALYSIS: LINK = 2;')[0], /LINK in ANALYSIS command does not take a number/);
  assert.match(messages(BASE + 'ANALYSIS: ADAPTIVE = MAYBE;')[0], /Unknown value MAYBE for ADAPTIVE/);
  assert.equal(messages(BASE + 'ANALYSIS: INTEGRATION = 10;'), []);
  assert.match(messages(BASE + 'ANALYSIS: TYPE;')[0], /TYPE in ANALYSIS command needs a value/);
});

test('variable names: VARIABLE lists against NAMES, MODEL against USEVARIABLES + latent + class variables', () => {
  assert.equal(messages(BASE + 'MODEL: %WITHIN% %OVERALL% f BY y1-y4; s | f ON x; c ON x; %BETWEEN% %OVERALL% s ON w; c#1; [c#1];'), []);
  assert.equal(messages(BASE + 'MODEL: y1 ON q;'), ['Unknown variable q in MODEL command.']);
  assert.equal(messages(BASE + 'MODEL: y1 ON xx;'), ['Unknown variable xx in MODEL command; did you mean x?']);
  assert.equal(messages(BASE + 'MODEL: y1 ON clus;'), ['Variable clus is used in MODEL but is not an analysis variable (add it to USEVARIABLES).']);
  assert.equal(messages(BASE.replace('BETWEEN = w', 'BETWEEN = w2')), ['Unknown variable w2 in BETWEEN (VARIABLE command); did you mean w?']);
  assert.match(messages(BASE.replace('USEVARIABLES = y1-y4', 'USEVARIABLES = y4-y1'))[0], /comes before/);
  assert.equal(messages(BASE.replace('NAMES = y1-y4', 'NAMES = y1-z4')), ['Cannot expand the list y1-z4: both ends need the same prefix and a numeric suffix, the first not larger than the last.']);
  // DEFINE variables are known (also through DO loops)
  assert.equal(messages(BASE.replace('x w;', 'x w d1 d2;') + 'DEFINE: DO (1,2) d# = y# * 2;\nMODEL: d1 d2 ON x;'), []);
  // MONTECARLO: NAMES and CLASSES come from MONTECARLO
  assert.equal(messages('MONTECARLO: NAMES = y x; NOBS = 100; NREPS = 2; GENCLASSES = c (2); CLASSES = c (2);\nMODEL POPULATION: %OVERALL% y ON x*1; [x@0]; x@1; c ON x;\nANALYSIS: TYPE = MIXTURE;\nMODEL: %OVERALL% y ON x;'), []);
});

test('required parts: NAMES and DATA FILE unless MONTECARLO', () => {
  assert.match(messages('VARIABLE: USEV = y;')[0], /NAMES is required/);
  assert.match(messages('VARIABLE: NAMES = y;\nMODEL: y;')[0], /DATA: FILE is required/);
});

test('--syntax-only skips name and value checks', () => {
  const text = BASE + 'ANALYSIS: STARTZ = 1; ESTIMATOR = MLX;\nMODEL: y1 ON q;';
  assert.is(check(text, true).filter((d) => d.severity === 'error').length, 0);
  assert.is(check(text, false).filter((d) => d.severity === 'error').length, 3);
});

test('runCheck prints file:line:col, the line and a caret; exit 1 on errors, 0 when clean with warnings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pmx-check-'));
  try {
    const bad = join(dir, 'bad.inp');
    writeFileSync(bad, BASE + 'ANALYSIS: TYPE = MIXTURE;\n  STARTZ = 20 4;\nMODEL: y1 ON x (a;\n');
    let r = await capture(() => runCheck(bad, { syntaxOnly: true }));
    assert.is(r.code, 1);
    assert.match(r.err, `${bad}:8:18: error: Expected ')' but found ';' in MODEL command.\nMODEL: y1 ON x (a;\n                 ^\n`);
    r = await capture(() => runCheck(bad, { syntaxOnly: false }));
    assert.is(r.code, 1);
    const good = join(dir, 'good.inp');
    writeFileSync(good, BASE + `TITLE: ${'long '.repeat(20)}\nMODEL: y1 ON x`);
    r = await capture(() => runCheck(good, { syntaxOnly: false }));
    assert.is(r.code, 0, r.err);
    assert.match(r.err, /warning: Input line exceeds 90 characters/);
    assert.match(r.err, /warning: Missing ';'/);
    assert.match(r.err, /W_DATA_NOT_READ|was not found/);
    assert.match(r.out, /no errors, 3 warnings/);
    r = await capture(() => main(['node', 'plusmix', 'check', '--syntax-only', good]));
    assert.is(r.code, 0);
    r = await capture(() => main(['node', 'plusmix', 'check', join(dir, 'missing.inp')]));
    assert.is(r.code, 1);
    assert.match(r.err, /missing.inp: error: cannot read the input file \(no such file\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('several errors in one run, in source order', () => {
  const d = check('DATA: FILE = a.dat;\nVARIABLE: NAMES = y x;\nMODEL: y ON x (a;\n  y*1 ON x;\nDEFINE: z = ;\n', true).filter((x) => x.severity === 'error');
  assert.ok(d.length >= 3);
  const lines = d.map((x) => (x.location.kind === 'input' ? x.location.span.start.line : 0));
  assert.equal(lines, [...lines].sort((a, b) => a - b));
});

test('formatDiagnostic: tabs keep the caret aligned; data, file and none locations', () => {
  const text = 'MODEL:\n\ty ON x (a;\n';
  const d = check(text, true).find((x) => x.severity === 'error')!;
  assert.is(formatDiagnostic(d, text).split('\n')[2], '\t         ^');
  assert.is(formatDiagnostic(dataError('d.dat', 12, 'Not a number: "abc".', { line: 14, column: 3, variable: 'y2' })), 'd.dat:row 12 (line 14), column 3 (y2): error: Not a number: "abc".');
  assert.is(formatDiagnostic({ severity: 'error', code: 'E_FILE', message: 'Cannot open.', location: { kind: 'file', file: 'x.dat' } }), 'x.dat: error: Cannot open.');
  assert.is(formatDiagnostic({ severity: 'warning', code: 'W', message: 'Hm.', location: { kind: 'none' } }), 'warning: Hm.');
});

test.run();
