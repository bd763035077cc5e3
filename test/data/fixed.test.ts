import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFormat, readFixedText, countFields } from '../../src/data/fixed.js';
import { PlusmixError } from '../../src/syntax/diagnostics.js';

function err(f: () => unknown): PlusmixError {
  try {
    f();
  } catch (e) {
    if (e instanceof PlusmixError) return e;
    throw e;
  }
  throw new Error('expected a PlusmixError');
}

test('parseFormat: repeats, groups, X, T, /', () => {
  const f = parseFormat('(F2.0, 3F8.3, 2X, 5F4.1)');
  assert.is(countFields(f), 9);
  assert.equal(f[0], { kind: 'field', width: 2, decimals: 0 });
  assert.equal(f[3], { kind: 'field', width: 8, decimals: 3 });
  assert.equal(f[4], { kind: 'skip', width: 2 });
  const g = parseFormat('F3, 2X, 2(F5.2, 1X), T20, I2 / F1');
  assert.equal(g.map((x) => x.kind), ['field', 'skip', 'field', 'skip', 'field', 'skip', 'tab', 'field', 'newline', 'field']);
  assert.throws(() => parseFormat('(F5.2'), /missing \)/);
  assert.throws(() => parseFormat('Q5'), /unexpected 'Q'/);
});

test('implied decimals, explicit decimal point, blanks around numbers', () => {
  const r = readFixedText('1234567.8-12\n', parseFormat('F5.2, F4.1, F3'), 3, { file: 'f.dat' });
  assert.equal([r.columns[0][0], r.columns[1][0], r.columns[2][0]], [123.45, 67.8, -12]);
});

test('(F2.0, 3F8.3, 2X, 5F4.1) on a real-looking record', () => {
  const line = '12' + '   1.500' + '    2250' + '  -0.125' + 'xx' + ' 1.5' + '  25' + '   3' + '-1.0' + ' 9.9';
  const r = readFixedText(line + '\n', parseFormat('(F2.0, 3F8.3, 2X, 5F4.1)'), 9, { file: 'f.dat' });
  assert.equal(Array.from(r.columns, (c) => c[0]), [12, 1.5, 2.25, -0.125, 1.5, 2.5, 0.3, -1, 9.9]);
});

test('T jumps to a column; / continues on the next line', () => {
  const r = readFixedText('abc12\n 7\nxyz34\n 8\n', parseFormat('T4, F2 / F2'), 2, { file: 'f.dat' });
  assert.is(r.nRows, 2);
  assert.equal(Array.from(r.columns[0]), [12, 34]);
  assert.equal(Array.from(r.columns[1]), [7, 8]);
  assert.equal(Array.from(r.lineOfRow), [1, 3]);
});

test('FORMAT wider than the line is an error naming record, line and columns', () => {
  const e = err(() => readFixedText('1234\n12\n', parseFormat('2F2'), 2, { file: 'f.dat' }));
  assert.is(e.diagnostics[0].code, 'E_FORMAT_WIDER');
  assert.match(e.message, /line 2 of f.dat: variable 2 of record 2 needs columns 3-4, but the line has 2 characters/);
});

test('blank field: missing with MISSING = BLANK, else an error', () => {
  const fmt = parseFormat('3F2');
  const r = readFixedText(' 1   3\n', fmt, 3, { file: 'f.dat', blankMissing: true });
  assert.ok(Number.isNaN(r.columns[1][0]));
  assert.is(r.columns[2][0], 3);
  const e = err(() => readFixedText(' 1   3\n', fmt, 3, { file: 'f.dat' }));
  assert.is(e.diagnostics[0].code, 'E_DATA_BLANK');
});

test('number of fields must match NAMES; non-numeric field', () => {
  assert.is(err(() => readFixedText('12\n', parseFormat('F1'), 2, { file: 'f.dat' })).diagnostics[0].code, 'E_FORMAT_FIELDS');
  const e = err(() => readFixedText('1a\n', parseFormat('2F1'), 2, { file: 'f.dat' }));
  assert.match(e.message, /'a' in record 1, value 2 \(line 1, columns 2-2\)/);
});

test.run();
