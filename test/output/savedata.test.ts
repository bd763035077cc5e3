// SAVEDATA: fixed-format file + SAVEDATA INFORMATION, read back the way MplusAutomation does
// (column names from "Order and format of variables", widths from the Fortran formats), and atomic writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSaveData, compressFormats, saveColumns, saveDataInformation, resultsFileText } from '../../src/output/savedata.js';
import { writeFileAtomic } from '../../src/output/atomic.js';
import { readMplusOut } from '../../src/output/mplusReader.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { EstimationResult } from '../../src/results/types.js';

const ds: Dataset = {
  file: 'd.dat',
  nRows: 3,
  columns: [
    { name: 'Y', display: 'y', values: new Float64Array([1.2345, NaN, -0.5]), scale: 'continuous', level: 'both' },
    { name: 'X', display: 'x', values: new Float64Array([0.5, 1.5, 2.5]), scale: 'continuous', level: 'within' },
  ],
  extra: [],
  cluster: { variable: 'CLUS', ids: new Float64Array([7, 12]), start: new Int32Array([0, 2, 3]), order: new Int32Array([0, 1, 2]), ofRow: new Int32Array([0, 0, 1]) },
  summary: { nRead: 3, nUsed: 3, nDroppedMissingCovariates: 0, nDroppedAllMissing: 0, nDroppedUseObservations: 0, nDroppedKnownClass: 0, patterns: [] },
};

const result = {
  posterior: new Float64Array([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]),
  classCounts: { labels: ['1', '2'] },
  factorScores: { names: ['FB'], values: new Float64Array([0.25, -1.5]), perCluster: true },
} as unknown as EstimationResult;

test('columns: variables, factor scores, CPROBs, most likely class, cluster', () => {
  const cols = saveColumns(ds, result, { file: 'cp.dat', cprobabilities: true, fscores: true, classVariable: 'c' });
  assert.equal(cols.map((c) => c.name), ['Y', 'X', 'FB', 'CPROB1', 'CPROB2', 'C', 'CLUS']);
  assert.equal([...cols[2].values], [0.25, 0.25, -1.5]);
  assert.equal([...cols[5].values], [1, 2, 1]);
  assert.equal([...cols[6].values], [7, 7, 12]);
});

test('several class variables: CPROB per pattern, most likely class of each variable, MLCJOINT (Mplus order)', () => {
  // patterns 1.1 1.2 2.1 2.2 of (CB, C); row 3: joint mode 2.1 (0.4) but C's marginal mode is 2 (0.35 + 0.3)
  const r = {
    posterior: new Float64Array([0.7, 0.1, 0.1, 0.1, 0.0, 0.1, 0.2, 0.7, 0.05, 0.3, 0.4, 0.25]),
    classCounts: { labels: ['1.1', '1.2', '2.1', '2.2'] },
    classVariables: [{ name: 'CB', nClasses: 2, level: 'between' }, { name: 'C', nClasses: 2, level: 'within' }],
  } as unknown as EstimationResult;
  const cols = saveColumns(ds, r, { file: 'cp.dat', cprobabilities: true, fscores: false, classVariable: 'cb' });
  assert.equal(cols.map((c) => c.name), ['Y', 'X', 'CPROB1', 'CPROB2', 'CPROB3', 'CPROB4', 'CB', 'C', 'MLCJOINT', 'CLUS']);
  assert.equal([...cols[6].values], [1, 2, 2]);
  assert.equal([...cols[7].values], [1, 2, 2]);
  assert.equal([...cols[8].values], [1, 4, 3]);
});

test('categorical variables are saved with their original codes', () => {
  const cat: Dataset = { ...ds, cluster: undefined, columns: [{ name: 'U', display: 'u', values: new Float64Array([0, 1, NaN]), scale: 'categorical', categories: [2, 5], level: 'within' }] };
  const cols = saveColumns(cat, result, { file: 'u.dat', cprobabilities: false, fscores: false });
  assert.equal([...cols[0].values], [2, 5, NaN]);
});

test('fixed format records, missing symbol, SAVEDATA INFORMATION layout', () => {
  const opts = { file: 'cp.dat', cprobabilities: true, fscores: false, classVariable: 'C' };
  const { text, info } = buildSaveData(saveColumns(ds, result, opts), opts);
  assert.is(text, '     1.234     0.500     0.900     0.100     1.000  7\n         *     1.500     0.200     0.800     2.000  7\n    -0.500     2.500     0.600     0.400     1.000 12\n');
  assert.is(info.fileFormat, '5F10.3 I3');
  const lines = saveDataInformation(info);
  assert.equal(lines, [
    'SAVEDATA INFORMATION', '', '',
    '  Save file', '    cp.dat', '',
    '  Order and format of variables', '',
    '    Y              F10.3', '    X              F10.3', '    CPROB1         F10.3', '    CPROB2         F10.3', '    C              F10.3', '    CLUS           I3', '',
    '  Save file format', '    5F10.3 I3', '',
    '  Save file record length    10000', '',
    '  Save missing symbol        *',
  ]);
  // read back like MplusAutomation: names from the info block, widths from the formats
  const back = readMplusOut(['Mplus VERSION 8.8', '', '', ...lines, ''].join('\n')).savedata!;
  assert.equal(back.variables.map((v) => v.name), ['Y', 'X', 'CPROB1', 'CPROB2', 'C', 'CLUS']);
  assert.is(back.fileFormat, '5F10.3 I3');
  const widths = back.variables.map((v) => Number(/\d+/.exec(v.format!)![0]));
  const row2 = text.split('\n')[1];
  let pos = 0;
  const cells = widths.map((w) => row2.slice(pos, (pos += w)).trim());
  assert.equal(cells, ['*', '1.500', '0.200', '0.800', '2.000', '7']);
});

test('FORMAT = FREE and MISSFLAG', () => {
  const opts = { file: 'f.dat', cprobabilities: false, fscores: false, format: 'free', missingSymbol: '999' };
  const { text, info } = buildSaveData(saveColumns(ds, result, opts), opts);
  assert.is(text.split('\n')[1], '999 1.500 7');
  assert.is(info.fileFormat, 'Free');
  const lines = saveDataInformation(info);
  assert.ok(lines.includes('  Order of variables'));
  assert.ok(lines.includes('  Save file format           Free'));
  assert.ok(lines.includes('  Save missing symbol        999'));
});

test('compressFormats', () => {
  assert.is(compressFormats(['F10.3', 'F10.3', 'I4', 'F10.3']), '2F10.3 I4 F10.3');
});

test('RESULTS file: estimates, standard errors, fit', () => {
  const r = {
    theta: new Float64Array([0.5, -1.25]),
    parameters: [
      { par: 1, fixed: false, se: 0.1 },
      { par: 2, fixed: false, se: 0.2 },
    ],
    fit: { loglikelihood: -100.5, parameters: 2, aic: 205, bic: 210, abic: 207 },
  } as unknown as EstimationResult;
  assert.is(resultsFileText(r, true), '     0.50000000    -1.25000000     0.10000000     0.20000000  -100.50000000\n     2.00000000   205.00000000   210.00000000   207.00000000\n');
});

test('atomic write leaves only the final file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-atomic-'));
  try {
    const p = join(dir, 'sub', 'out.dat');
    writeFileAtomic(p, 'first\n');
    writeFileAtomic(p, 'second\n');
    assert.is(readFileSync(p, 'utf8'), 'second\n');
    assert.equal(readdirSync(join(dir, 'sub')), ['out.dat']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
