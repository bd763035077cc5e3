// `plusmix run` at the command line (in process through runCommand): exit codes, stderr messages with
// file:line:col and no stack trace, the files written (and not written) on success and on errors,
// byte-identical reruns with --no-timestamps, and no progress output when stderr is not a terminal.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, type RunOptions } from '../../src/cli/run.js';
import { readMplusOut, toOutInput } from '../../src/output/mplusReader.js';
import { writeOut } from '../../src/output/out.js';

const FIXTURES = new URL('../../fixtures/mplus-ug/', import.meta.url).pathname;

/**
 * `plusmix run` (runCommand, what main() dispatches to) with stderr captured. runCommand does all its
 * work synchronously (no await inside), so the capture never overlaps another suite's output.
 */
async function cli(file: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  const opts: RunOptions = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') opts.json = args[++i];
    else if (a === '--output') opts.output = args[++i];
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--no-timestamps') opts.noTimestamps = true;
    else throw new Error(`test helper: unknown option ${a}`);
  }
  const write = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  let pending: Promise<number>;
  try {
    pending = runCommand(file, opts);
  } finally {
    process.stderr.write = write;
  }
  return { code: await pending, stderr };
}

// a suite of its own: its before/after hooks (the temporary folder) do not mix with other files'
const test = suite('run-cli');
let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'plusmix-run-'));
  copyFileSync(join(FIXTURES, 'ex7.9.dat'), join(dir, 'ex7.9.dat'));
});

// latent profile analysis of UG example 7.9's data, with SAVEDATA and PLOT (kept small: STARTS = 4 1)
const GOOD = `TITLE: latent profile analysis
DATA: FILE = ex7.9.dat;
VARIABLE: NAMES = y1-y4 c;
  USEVARIABLES = y1-y4;
  CLASSES = c (2);
ANALYSIS: TYPE = MIXTURE; STARTS = 4 1;
SAVEDATA: FILE = lpa.sav; SAVE = CPROBABILITIES;
PLOT: TYPE = PLOT1 PLOT2 PLOT3;
`;

test('success: exit 0, .out, JSON, SAVEDATA and plots written; PLOT INFORMATION lists them', async () => {
  writeFileSync(join(dir, 'lpa.inp'), GOOD);
  const r = await cli(join(dir, 'lpa.inp'), '--json', join(dir, 'lpa.json'), '--no-timestamps');
  assert.is(r.code, 0, r.stderr);
  // stderr is not a terminal here: no progress bar (no cursor control), warnings and the closing line
  assert.ok(r.stderr.endsWith(`plusmix: wrote ${join(dir, 'lpa.out')}\n`), r.stderr);
  assert.not.match(r.stderr, /[\r\x1b]/);
  const files = readdirSync(dir).sort();
  for (const f of ['lpa.out', 'lpa.json', 'lpa.sav', 'lpa_plots.html', 'lpa_means.svg', 'lpa_hist_Y1.svg', 'lpa_hist_Y4.svg']) assert.ok(files.includes(f), `${f} in ${files}`);
  assert.not.ok(files.some((f) => f.endsWith('.tmp')), 'no temporary files left');
  const out = readFileSync(join(dir, 'lpa.out'), 'utf8');
  const info = out.slice(out.indexOf('PLOT INFORMATION'), out.indexOf('SAVEDATA INFORMATION'));
  assert.ok(info.includes('  Histograms (sample values, by most likely class)') && info.includes('  Estimated means'), info);
  assert.ok(info.includes('  lpa_means.svg') && info.includes('  lpa_plots.html'), info);
  // our reader reads the file back and our writer reproduces it byte for byte
  assert.is(writeOut(toOutInput(readMplusOut(out), '0.1.0')).split('\n').slice(2).join('\n'), out.split('\n').slice(2).join('\n'));
});

test('rerun with --no-timestamps: every file byte-identical', async () => {
  const names = readdirSync(dir).filter((f) => f.startsWith('lpa'));
  const before = new Map(names.map((f) => [f, readFileSync(join(dir, f))]));
  const r = await cli(join(dir, 'lpa.inp'), '--json', join(dir, 'lpa.json'), '--no-timestamps', '--quiet');
  assert.is(r.code, 0);
  assert.is(r.stderr, '', '--quiet prints nothing on success');
  for (const [f, bytes] of before) assert.ok(readFileSync(join(dir, f)).equals(bytes), `${f} changed`);
});

test('--output elsewhere: the plots go next to the .out and are named after it', async () => {
  const r = await cli(join(dir, 'lpa.inp'), '--output', join(dir, 'sub', 'res.out'), '--quiet', '--no-timestamps');
  assert.is(r.code, 0);
  const files = readdirSync(join(dir, 'sub'));
  assert.ok(files.includes('res.out') && files.includes('res_plots.html') && files.includes('res_means.svg'), String(files));
  assert.ok(readFileSync(join(dir, 'sub', 'res.out'), 'utf8').includes('\n  res_plots.html\n'));
});

test('input error: exit 1, file:line:col on stderr without stack trace, only the error .out written', async () => {
  const bad = GOOD.replace('TYPE = MIXTURE;', 'TYPE = MIXTURE;\n  STARTS = 4 1 ZZZ; ESTIMATOR = WLSMVX;').replace('lpa.sav', 'bad.sav');
  writeFileSync(join(dir, 'bad.inp'), bad);
  const r = await cli(join(dir, 'bad.inp'), '--json', join(dir, 'bad.json'));
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`bad\\.inp:\\d+:\\d+`));
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  const out = readFileSync(join(dir, 'bad.out'), 'utf8');
  assert.match(out, /\*\*\* ERROR in ANALYSIS command/);
  assert.match(out, /ERROR\(S\) FOUND IN THE INPUT INSTRUCTIONS/);
  for (const f of ['bad.json', 'bad.sav', 'bad_plots.html']) assert.not.ok(existsSync(join(dir, f)), `${f} must not be written`);
});

// The data stage reports a missing file against the data file's name (no input line:col yet).
test('data error (missing data file): exit 1, the data file named, no results', async () => {
  writeFileSync(join(dir, 'nodata.inp'), GOOD.replace('ex7.9.dat', 'missing.dat').replace('lpa.sav', 'nodata.sav'));
  const r = await cli(join(dir, 'nodata.inp'), '--json', join(dir, 'nodata.json'));
  assert.is(r.code, 1);
  assert.match(r.stderr, /missing\.dat: error: /);
  assert.not.match(r.stderr, /\n\s+at /);
  assert.ok(existsSync(join(dir, 'nodata.out')));
  for (const f of ['nodata.json', 'nodata.sav', 'nodata_plots.html']) assert.not.ok(existsSync(join(dir, f)), `${f} must not be written`);
});

test('unwritable output: exit 1, one line naming the file, no stack trace, no .out', async () => {
  writeFileSync(join(dir, 'blocker'), 'a file where a folder is needed');
  const r = await cli(join(dir, 'lpa.inp'), '--json', join(dir, 'blocker', 'x.json'), '--output', join(dir, 'w.out'), '--quiet');
  assert.is(r.code, 1);
  assert.match(r.stderr, /^plusmix: cannot write .*blocker.x\.json: E[A-Z]+\n$/, r.stderr);
  assert.not.ok(existsSync(join(dir, 'w.out')), 'the .out comes last and was not written');
});

test('missing input file: exit 1 and a one-line message', async () => {
  const r = await cli(join(dir, 'nope.inp'));
  assert.is(r.code, 1);
  assert.is(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /nope\.inp/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
