// loadData end to end: real .inp text (parser) + small data files in a temp folder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadData, dropMissingCovariates } from '../../src/data/index.js';
import { column, type Dataset } from '../../src/data/dataset.js';
import { PlusmixError } from '../../src/syntax/diagnostics.js';
import { parse, tempDir } from './helpers.js';

function load(inp: string, files: Record<string, string>) {
  const dir = tempDir(files);
  return loadData(parse(inp, `${dir}/run.inp`), dir);
}

function fails(inp: string, files: Record<string, string>): PlusmixError {
  try {
    load(inp, files);
  } catch (e) {
    if (e instanceof PlusmixError) return e;
    throw e;
  }
  throw new Error('expected a PlusmixError');
}

const vals = (ds: Dataset, n: string) => Array.from(column(ds, n)!.values);
const r12 = (x: number) => (Number.isNaN(x) ? 'NaN' : +x.toFixed(12));
const same = (a: number[], b: number[]) => assert.equal(a.map(r12), b.map(r12));

const D3 = '1 2 3\n4 5 6\n7 8 9\n';

test('NAMES ranges, USEVARIABLES order and subset, FILE relative to the input folder', () => {
  const { dataset } = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = y1-y3; USEV = y3 y1;\n', { 'd.dat': D3 });
  assert.equal(dataset.columns.map((c) => c.display), ['y3', 'y1']);
  assert.equal(dataset.columns.map((c) => c.name), ['Y3', 'Y1']);
  same(vals(dataset, 'y3'), [3, 6, 9]);
  assert.is(dataset.summary.nRead, 3);
  assert.is(dataset.file, 'd.dat');
});

test('quoted FILE names with blanks; FORMAT = FREE; TYPE = INDIVIDUAL; other TYPEs rejected', () => {
  const r = load('DATA: FILE = "my data.dat"; FORMAT = FREE; TYPE = INDIVIDUAL;\nVARIABLE: NAMES = a b;\n', { 'my data.dat': '1 2\n' });
  assert.is(r.dataset.file, 'my data.dat');
  const e = fails('DATA: FILE = d.dat; TYPE = COVARIANCE;\nVARIABLE: NAMES = a b;\n', { 'd.dat': '1 2\n' });
  assert.is(e.diagnostics[0].code, 'E_NOT_SUPPORTED');
});

test('USEVARIABLES: positional ranges in NAMES order (not by suffix), ALL without special-role variables', () => {
  let r = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = y2 x y1 y3; USEV = x-y3;\n', { 'd.dat': '1 2 3 4\n' });
  assert.equal(r.dataset.columns.map((c) => c.name), ['X', 'Y1', 'Y3']);
  r = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = g a b; USEV = ALL; CLUSTER = g;\n', { 'd.dat': '1 2 3\n' });
  assert.equal(r.dataset.columns.map((c) => c.name), ['A', 'B']);
});

test('MISSING: symbols, ALL codes, per-variable lists and ranges, negative codes', () => {
  let r = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = a b c; MISSING = .;\n', { 'd.dat': '1 . 3\n4 5 .\n' });
  same(vals(r.dataset, 'b'), [NaN, 5]);
  r = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = a b c; MISSING = ALL (-999);\n', { 'd.dat': '-999 1 2\n3 -999.0 4\n' });
  same(vals(r.dataset, 'a'), [NaN, 3]);
  same(vals(r.dataset, 'b'), [1, NaN]);
  r = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = a b c; MISSING = a (9 99) b-c (98-102, -1);\n', { 'd.dat': '9 100 0\n99 97 -1\n5 102 98\n' });
  same(vals(r.dataset, 'a'), [NaN, NaN, 5]);
  same(vals(r.dataset, 'b'), [NaN, 97, NaN]);
  same(vals(r.dataset, 'c'), [0, NaN, NaN]);
  r = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = a b; MISSING = * ALL (-9 -99);\n', { 'd.dat': '* -99\n-9 2\n1 2\n' });
  same(vals(r.dataset, 'a'), [NaN, 1]); // the first row (missing on all variables) is dropped
  same(vals(r.dataset, 'b'), [2, 2]);
  assert.is(r.dataset.summary.nDroppedAllMissing, 1);
  assert.is(r.dataset.nRows, 2);
  assert.ok(r.diagnostics.some((d) => /missing on all variables.*: 1$/.test(d.message)));
});

test('fixed FORMAT with MISSING = BLANK', () => {
  const { dataset } = load('DATA: FILE = d.dat; FORMAT = (F2.0, 1X, 2F3.1);\nVARIABLE: NAMES = id x y; MISSING = BLANK;\n', { 'd.dat': '12 123 45\n 3    678\n' });
  same(vals(dataset, 'id'), [12, 3]);
  same(vals(dataset, 'x'), [12.3, NaN]);
  same(vals(dataset, 'y'), [4.5, 67.8]);
});

test('NOBSERVATIONS and LISTWISE', () => {
  let r = load('DATA: FILE = d.dat; NOBSERVATIONS = 2;\nVARIABLE: NAMES = a b c;\n', { 'd.dat': D3 });
  assert.is(r.dataset.nRows, 2);
  r = load('DATA: FILE = d.dat; LISTWISE = ON;\nVARIABLE: NAMES = a b c; MISSING = .;\n', { 'd.dat': '1 . 3\n4 5 6\n' });
  assert.is(r.dataset.nRows, 1);
  assert.is(r.dataset.summary.nDroppedListwise, 1);
});

test('CATEGORICAL recodes sorted categories to 0..k-1 and keeps the map', () => {
  const { dataset } = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = u x; CATEGORICAL = u; MISSING = .;\n', { 'd.dat': '3 1\n7 2\n3 3\n. 4\n5 5\n' });
  const u = column(dataset, 'u')!;
  assert.is(u.scale, 'categorical');
  assert.equal(u.categories, [3, 5, 7]);
  same(Array.from(u.values), [0, 2, 0, NaN, 1]);
  assert.is(column(dataset, 'x')!.categories, undefined);
});

test('CATEGORICAL errors: non-integer value (record, line), more than 10 categories', () => {
  let e = fails('DATA: FILE = d.dat;\nVARIABLE: NAMES = u; CATEGORICAL = u;\n', { 'd.dat': '1\n2\n1.5\n' });
  assert.is(e.diagnostics[0].code, 'E_CATEGORICAL_NONINTEGER');
  assert.match(e.message, /u contains a non-integer value: 1.5 in record 3 \(line 3\)/);
  e = fails('DATA: FILE = d.dat;\nVARIABLE: NAMES = u; CATEGORICAL = u;\n', { 'd.dat': Array.from({ length: 11 }, (_, i) => i).join('\n') });
  assert.is(e.diagnostics[0].code, 'E_CATEGORICAL_TOO_MANY');
  assert.match(e.message, /11 categories/);
});

test('duplicate NAMES; USEVARIABLES name not in NAMES; special variable in USEVARIABLES', () => {
  let e = fails('DATA: FILE = d.dat;\nVARIABLE: NAMES = a b A;\n', { 'd.dat': D3 });
  assert.is(e.diagnostics[0].code, 'E_DUPLICATE_NAME');
  assert.match(e.message, /A appears more than once/);
  e = fails('DATA: FILE = d.dat;\nVARIABLE: NAMES = a b c;\n  USEVARIABLES = a zz;\n', { 'd.dat': D3 });
  assert.is(e.diagnostics[0].code, 'E_USEV_NOT_IN_NAMES');
  const loc = e.diagnostics[0].location;
  assert.ok(loc.kind === 'input' && loc.span.start.line === 3 && loc.span.start.col === 20);
  e = fails('DATA: FILE = d.dat;\nVARIABLE: NAMES = a b c; USEV = a c; CLUSTER = c;\n', { 'd.dat': D3 });
  assert.match(e.message, /c is the CLUSTER variable/);
});

test('data file not found, empty; bad rows name the row and line', () => {
  let e = fails('DATA: FILE = nope.dat;\nVARIABLE: NAMES = a;\n', {});
  assert.match(e.message, /nope.dat was not found/);
  e = fails('DATA: FILE = d.dat;\nVARIABLE: NAMES = a;\n', { 'd.dat': '' });
  assert.is(e.diagnostics[0].code, 'E_DATA_EMPTY');
  e = fails('DATA: FILE = d.dat;\nVARIABLE: NAMES = a b c;\n', { 'd.dat': '1 2 3\n4 5\n' });
  assert.match(e.message, /record 2.*Line 2 holds 2 values/s);
  e = fails('DATA: FILE = d.dat;\nVARIABLE: NAMES = a b c;\n', { 'd.dat': '1 2 3\n4 x5 6\n' });
  assert.match(e.message, /'x5' in record 2, value 2 \(line 2, column 3\)/);
  e = fails('DATA: FILE = d.dat; FORMAT = 3F2;\nVARIABLE: NAMES = a b c;\n', { 'd.dat': '010203\n0102\n' });
  assert.is(e.diagnostics[0].code, 'E_FORMAT_WIDER');
});

test('USEOBSERVATIONS (before DEFINE; rows with a missing operand are dropped)', () => {
  const { dataset } = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = g y; MISSING = .; USEOBSERVATIONS = g EQ 1 OR y GT 10;\n', { 'd.dat': '1 5\n2 20\n2 3\n. 1\n' });
  same(vals(dataset, 'y'), [5, 20]);
  assert.is(dataset.summary.nDroppedUseObservations, 2);
});

test('DEFINE: arithmetic, functions, IF-THEN with missing rules, _MISSING, SUM, MEAN, CUT, DO, STANDARDIZE', () => {
  const inp = `DATA: FILE = d.dat;
VARIABLE: NAMES = y1-y3 x; MISSING = .;
  USEVARIABLES = y1-y3 x a b s m d1-d2 f;
DEFINE: a = LOG(y1) + SQRT(y2) * 2 - ABS(x) / 4 + y3**2 + EXP(0) + PHI(0);
  IF (x GT 0 AND y1 NE _MISSING) THEN b = 1;
  IF (x LE 0) THEN b = 0;
  IF (y3 EQ _MISSING) THEN b = _MISSING;
  s = SUM(y1-y3);
  m = MEAN(y1 y2 y3);
  DO (1, 2) d# = y# - x;
  f = x;
  CUT f (0 1);
  STANDARDIZE y2;
`;
  const { dataset } = load(inp, { 'd.dat': '1 4 2 3\n2 9 . -1\n. 1 1 .\n4 16 3 0.5\n' });
  assert.equal(dataset.columns.map((c) => c.display), ['y1', 'y2', 'y3', 'x', 'a', 'b', 's', 'm', 'd1', 'd2', 'f']);
  const expA = (y1: number, y2: number, x: number, y3: number) => Math.log(y1) + Math.sqrt(y2) * 2 - Math.abs(x) / 4 + y3 ** 2 + 1 + 0.5;
  same(vals(dataset, 'a'), [expA(1, 4, 3, 2), NaN, NaN, expA(4, 16, 0.5, 3)]);
  // row 3: x missing -> condition unknown -> b missing; row 2: y3 missing -> _MISSING
  same(vals(dataset, 'b'), [1, NaN, NaN, 1]);
  same(vals(dataset, 's'), [7, NaN, NaN, 23]);
  same(vals(dataset, 'm'), [7 / 3, 5.5, 1, 23 / 3]);
  same(vals(dataset, 'd1'), [-2, 3, NaN, 3.5]);
  same(vals(dataset, 'd2'), [1, 10, NaN, 15.5]);
  same(vals(dataset, 'f'), [2, 0, NaN, 1]);
  const y2 = [4, 9, 1, 16];
  const mu = y2.reduce((s, v) => s + v, 0) / 4;
  const sd = Math.sqrt(y2.reduce((s, v) => s + (v - mu) ** 2, 0) / 4);
  same(vals(dataset, 'y2'), y2.map((v) => (v - mu) / sd));
});

test('DEFINE: domain errors give missing; DEFINE variables must follow NAMES variables in USEVARIABLES', () => {
  const { dataset } = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = x; USEV = x l;\nDEFINE: l = LOG(x) + 1/x;\n', { 'd.dat': '0\n-1\n1\n' });
  same(vals(dataset, 'l'), [NaN, NaN, 1]);
  const e = fails('DATA: FILE = d.dat;\nVARIABLE: NAMES = x y; USEV = l x;\nDEFINE: l = x;\n', { 'd.dat': '0 1\n' });
  assert.is(e.diagnostics[0].code, 'E_USEV_ORDER');
});

test('DEFINE variables are appended to the default USEVARIABLES', () => {
  const { dataset } = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = x y;\nDEFINE: z = x + y;\n', { 'd.dat': '1 2\n' });
  assert.equal(dataset.columns.map((c) => c.name), ['X', 'Y', 'Z']);
});

const CL = 'DATA: FILE = d.dat;\nVARIABLE: NAMES = clus y x w; MISSING = .;\n';
const CLDATA = '1 1 5 10\n1 2 . 10\n2 3 1 20\n2 4 2 20\n2 5 3 20\n3 . 4 30\n';

test('clusters: roles, levels, index in order of first appearance', () => {
  const { dataset } = load(CL + '  USEV = y x w; CLUSTER = clus; WITHIN = x; BETWEEN = w;\n', { 'd.dat': '2 1 1 5\n1 2 2 6\n2 3 3 5\n' });
  assert.equal(dataset.columns.map((c) => c.level), ['both', 'within', 'between']);
  const c = dataset.cluster!;
  assert.equal(Array.from(c.ids), [2, 1]);
  assert.equal(Array.from(c.start), [0, 2, 3]);
  assert.equal(Array.from(c.order), [0, 2, 1]);
  assert.equal(Array.from(c.ofRow), [0, 1, 0]);
  assert.equal(dataset.extra.map((e) => e.name), ['CLUS']);
});

test('BETWEEN variable varying within a cluster: error naming the cluster and both values', () => {
  const e = fails(CL + '  USEV = y x w; CLUSTER = clus; BETWEEN = w;\n', { 'd.dat': '1 1 1 10\n1 2 2 11\n' });
  assert.is(e.diagnostics[0].code, 'E_BETWEEN_VARIES');
  assert.match(e.message, /w is declared BETWEEN but varies within cluster 1 of CLUS: it is 10 in record 1 and 11 in record 2/);
});

test('WITHIN / BETWEEN variable not in USEVARIABLES; WITHIN without CLUSTER', () => {
  let e = fails(CL + '  USEV = y x; CLUSTER = clus; BETWEEN = w;\n', { 'd.dat': CLDATA });
  assert.is(e.diagnostics[0].code, 'E_NOT_ANALYSIS_VARIABLE');
  assert.match(e.message, /BETWEEN: w is not an analysis variable/);
  e = fails(CL + '  USEV = y x; WITHIN = x;\n', { 'd.dat': CLDATA });
  assert.is(e.diagnostics[0].code, 'E_NO_CLUSTER');
});

test('missing cluster id drops the row with a warning; missing covariates dropped on request', () => {
  const { dataset, diagnostics } = load(CL + '  USEV = y x w; CLUSTER = clus; WITHIN = x; BETWEEN = w;\n', { 'd.dat': CLDATA + '. 6 6 40\n' });
  assert.is(dataset.summary.nDroppedMissingCluster, 1);
  assert.ok(diagnostics.some((d) => d.code === 'W_MISSING_CLUSTER'));
  assert.is(dataset.nRows, 6);
  assert.equal(dataset.summary.patterns.map((p) => [p.observed, p.count]), [[[true, true, true], 4], [[true, false, true], 1], [[false, true, true], 1]]);
  const r = dropMissingCovariates(dataset, ['x']);
  assert.is(r.dataset.nRows, 5);
  assert.is(r.dataset.summary.nDroppedMissingCovariates, 1);
  assert.equal(Array.from(r.dataset.cluster!.start), [0, 1, 4, 5]);
  same(Array.from(r.dataset.columns[0].values), [1, 3, 4, 5, NaN]);
  assert.match(r.diagnostics[0].message, /missing on x-variables.*: 1$/);
  // coverage: y observed in 5 of 6 rows, x in 5 of 6, both in 4 of 6
  const cov = Array.from(dataset.summary.coverage!);
  same(cov.slice(0, 3), [5 / 6, 4 / 6, 5 / 6]);
});

test('KNOWNCLASS: classes from value lists; other values excluded', () => {
  const { dataset, diagnostics } = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = g y; USEV = y; CLASSES = cg (2) c (2); KNOWNCLASS = cg (g = 1 g = 2 3);\n', { 'd.dat': '1 10\n2 20\n3 30\n4 40\n1 50\n' });
  assert.equal(Array.from(dataset.knownClass![0].of), [0, 1, 1, 0]);
  assert.is(dataset.summary.nDroppedKnownClass, 1);
  assert.ok(diagnostics.some((d) => d.code === 'W_KNOWNCLASS_EXCLUDED'));
  const r = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = g y; USEV = y; CLASSES = cg (3); KNOWNCLASS = cg (g = 1 2 3);\n', { 'd.dat': '3 1\n1 2\n2 3\n' });
  assert.equal(Array.from(r.dataset.knownClass![0].of), [2, 0, 1]);
});

test('IDVARIABLE, WEIGHT, AUXILIARY, COUNT, NOMINAL, CENTERING (legacy)', () => {
  const { dataset } = load('DATA: FILE = d.dat;\nVARIABLE: NAMES = id wt a u n y; IDVARIABLE = id; WEIGHT = wt; AUXILIARY = a (e); COUNT = u (p); NOMINAL = n;\n  CENTERING = GRANDMEAN (y);\n', { 'd.dat': '11 1 0 2 5 1\n12 2 0 0 7 3\n' });
  assert.equal(dataset.columns.map((c) => [c.name, c.scale]), [['U', 'count'], ['N', 'nominal'], ['Y', 'continuous']]);
  assert.is(dataset.id!.name, 'ID');
  assert.is(dataset.weight!.name, 'WT');
  assert.equal(dataset.extra.map((c) => c.name), ['ID', 'WT', 'A']);
  same(vals(dataset, 'y'), [-1, 1]);
  same(vals(dataset, 'n'), [0, 1]);
});

test('DATA WIDETOLONG and LONGTOWIDE', () => {
  const w = load('DATA: FILE = d.dat;\nDATA WIDETOLONG: WIDE = y1-y3; LONG = y; IDVARIABLE = person; REPETITION = t;\nVARIABLE: NAMES = x y1-y3; USEV = x y t; CLUSTER = person;\n', { 'd.dat': '7 1 2 3\n8 4 5 6\n' });
  assert.is(w.dataset.nRows, 6);
  same(vals(w.dataset, 'y'), [1, 2, 3, 4, 5, 6]);
  same(vals(w.dataset, 't'), [0, 1, 2, 0, 1, 2]);
  same(vals(w.dataset, 'x'), [7, 7, 7, 8, 8, 8]);
  assert.is(w.dataset.cluster!.ids.length, 2);
  const l = load('DATA: FILE = d.dat;\nDATA LONGTOWIDE: LONG = y; WIDE = y1-y2; IDVARIABLE = id; REPETITION = t (0 1);\nVARIABLE: NAMES = id t y x; USEV = x y1 y2; MISSING = .;\n', { 'd.dat': '1 0 5 9\n1 1 6 9\n2 1 8 3\n' });
  assert.is(l.dataset.nRows, 2);
  same(vals(l.dataset, 'y1'), [5, NaN]);
  same(vals(l.dataset, 'y2'), [6, 8]);
  same(vals(l.dataset, 'x'), [9, 3]);
});

test.run();
