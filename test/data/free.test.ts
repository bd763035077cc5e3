import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { readFreeText, readFreeFile } from '../../src/data/free.js';
import { PlusmixError } from '../../src/syntax/diagnostics.js';
import { tempDir } from './helpers.js';

const opts = { file: 'd.dat' };

function err(f: () => unknown): PlusmixError {
  try {
    f();
  } catch (e) {
    if (e instanceof PlusmixError) return e;
    throw e;
  }
  throw new Error('expected a PlusmixError');
}

test('blanks, commas and tabs separate values; CRLF lines', () => {
  const r = readFreeText('1 2,3\r\n4\t5 ,6\r\n', 3, opts);
  assert.is(r.nRows, 2);
  assert.equal(Array.from(r.columns[0]), [1, 4]);
  assert.equal(Array.from(r.columns[2]), [3, 6]);
  assert.equal(r.diagnostics, []);
});

test('numbers parse exactly like Number()', () => {
  const toks = ['0.103062', '-0.330050', '12345.678901', '.5', '-.25', '7.', '1e-3', '-2.5E+02', '1.0D+02', '0.000000123456789', '123456789012345678', '3.14159265358979'];
  const r = readFreeText(toks.join(' '), 1, opts);
  toks.forEach((t, i) => assert.is(r.columns[0][i], Number(t.replace('D', 'e')), t));
});

test('records span lines as a stream, with a warning naming the first odd line', () => {
  const r = readFreeText('1 2\n3 4 5 6\n', 3, opts);
  assert.is(r.nRows, 2);
  assert.equal(Array.from(r.columns[2]), [3, 6]);
  assert.equal(Array.from(r.lineOfRow), [1, 2]);
  assert.is(r.diagnostics.length, 1);
  assert.is(r.diagnostics[0].severity, 'warning');
  assert.match(r.diagnostics[0].message, /line 1 with 2/);
});

test('several records on one line (columns grow beyond the line-count estimate)', () => {
  const r = readFreeText('1 2 3 4 5 6 7 8 9 10\n11 12\n', 2, opts);
  assert.is(r.nRows, 6);
  assert.equal(Array.from(r.columns[0]), [1, 3, 5, 7, 9, 11]);
  assert.equal(Array.from(r.lineOfRow), [1, 1, 1, 1, 1, 2]);
  assert.is(r.diagnostics.length, 1);
});

test('a row with too few values: error names the row and line', () => {
  const e = err(() => readFreeText('1 2 3\n4 5\n6 7 8\n', 3, opts));
  assert.is(e.diagnostics[0].code, 'E_DATA_RECORD_LENGTH');
  assert.match(e.message, /record 3/);
  assert.match(e.message, /Line 2 holds 2 values/);
  const loc = e.diagnostics[0].location;
  assert.ok(loc.kind === 'data' && loc.line === 2 && loc.file === 'd.dat');
});

test('a row with too many values', () => {
  const e = err(() => readFreeText('1 2 3\n4 5 6 7\n', 3, opts));
  assert.match(e.message, /Line 2 holds 4 values/);
});

test('non-numeric token: row, value, line, column and the token', () => {
  const e = err(() => readFreeText('1 2 3\n4 abc 6\n', 3, opts));
  assert.is(e.diagnostics[0].code, 'E_DATA_NONNUMERIC');
  assert.match(e.message, /'abc' in record 2, value 2 \(line 2, column 3\)/);
  const loc = e.diagnostics[0].location;
  assert.ok(loc.kind === 'data' && loc.row === 2 && loc.line === 2 && loc.column === 3);
});

test('missing symbols only when declared', () => {
  const e = err(() => readFreeText('1 . 3\n', 3, opts));
  assert.match(e.message, /MISSING = \./);
  const r = readFreeText('1 . *\n', 3, { file: 'd.dat', missingSymbols: ['.', '*'] });
  assert.ok(Number.isNaN(r.columns[1][0]) && Number.isNaN(r.columns[2][0]));
});

test('NOBSERVATIONS reads only the first n records', () => {
  const r = readFreeText('1 2\n3 4\n5 6\n', 2, { file: 'd.dat', maxRecords: 2 });
  assert.is(r.nRows, 2);
  assert.equal(Array.from(r.columns[1]), [2, 4]);
});

test('file not found, empty, unreadable', () => {
  const d = tempDir({ 'empty.dat': '  \n\n', 'ok.dat': '1 2\n3 4' });
  let e = err(() => readFreeFile(join(d, 'nope.dat'), 2, { file: 'nope.dat' }));
  assert.is(e.diagnostics[0].code, 'E_DATA_FILE');
  assert.match(e.message, /nope.dat was not found/);
  e = err(() => readFreeFile(join(d, 'empty.dat'), 2, { file: 'empty.dat' }));
  assert.is(e.diagnostics[0].code, 'E_DATA_EMPTY');
  const r = readFreeFile(join(d, 'ok.dat'), 2, { file: 'ok.dat' });
  assert.equal(Array.from(r.columns[1]), [2, 4]);
  if (process.getuid && process.getuid() !== 0) {
    writeFileSync(join(d, 'locked.dat'), '1 2\n');
    chmodSync(join(d, 'locked.dat'), 0o000);
    e = err(() => readFreeFile(join(d, 'locked.dat'), 2, { file: 'locked.dat' }));
    assert.match(e.message, /cannot be read/);
  }
  e = err(() => readFreeFile(d, 2, { file: 'folder' }));
  assert.is(e.diagnostics[0].code, 'E_DATA_FILE');
});

test('file reader agrees with the in-memory reader across chunk boundaries', () => {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) lines.push(`${i} ${(i * 0.001).toFixed(6)} -${i}.5`);
  const text = lines.join('\n');
  const d = tempDir({ 'x.dat': text });
  const a = readFreeFile(join(d, 'x.dat'), 3, { file: 'x.dat' });
  const b = readFreeText(text, 3, { file: 'x.dat' });
  assert.is(a.nRows, 3000);
  assert.equal(Array.from(a.columns[2]), Array.from(b.columns[2]));
  assert.is(a.lineOfRow[2999], 3000);
});

test.run();
