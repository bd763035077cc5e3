// Monte Carlo runs end to end: coverage of a correctly specified model (against the population values),
// one replication of the first seed paper's Fig. 3 study, and sharding / PROCESSORS invariance (byte-identical
// summaries). The studies of the paper are in studies.test.ts (Fig. 3, 60 replications) and reverse.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeParts, runMonteCarlo, shardReplications } from '../../src/cli/montecarlo.js';
import { parseInput } from '../../src/syntax/parse.js';
import { prepareStudy, runReplication } from '../../src/montecarlo/run.js';
import { normalQuantile, summaryText } from '../../src/montecarlo/summary.js';
import type { RepRecord } from '../../src/montecarlo/types.js';

// The conventional two-level random-slope model of the first seed paper (end of section 2.2), smaller design:
// y = b0 + b1 x + r, Var(r) = 1; b0 = 0 + 0.5 w + u0, b1 = 1 + 1 w + u1, Var(u0) = Var(u1) = 0.5, Cov = 0.
const conventional = (nreps: number, clusters: number, size: number, extra = '') => `TITLE: conventional random slopes
MONTECARLO:
  NAMES = y x w;
  NOBSERVATIONS = ${clusters * size};
  NCSIZES = 1;
  CSIZES = ${clusters} (${size});
  NREPS = ${nreps};
  SEED = 4533;
  WITHIN = x;
  BETWEEN = w;
${extra}
MODEL POPULATION:
  %WITHIN%
  [x@0]; x@1;
  s | y ON x;
  y*1;
  %BETWEEN%
  [w@0]; w@1;
  y ON w*0.5; s ON w*1;
  [y*0]; [s*1];
  y*0.5; s*0.5; y WITH s@0;
ANALYSIS:
  TYPE = TWOLEVEL RANDOM;
MODEL:
  %WITHIN%
  s | y ON x;
  %BETWEEN%
  y s ON w;
  y WITH s;
`;

/** MODEL RESULTS rows: name -> [population, average, sd, se average, mse, cover, sig] */
function results(out: string): Array<{ name: string; v: number[] }> {
  const part = out.slice(out.indexOf('MODEL RESULTS'), out.indexOf('REPLICATIONS\n'));
  return part
    .split('\n')
    .filter((l) => /^ {2}\S+\s+-?\d/.test(l))
    .map((l) => {
      const f = l.trim().split(/\s+/);
      return { name: f[0], v: f.slice(1).map(Number) };
    });
}

test('conventional model, 20 replications: every parameter covered in 85-100% of the replications, estimates unbiased', () => {
  const r = runMonteCarlo(conventional(20, 100, 10), 'conv.inp', { processors: 1 });
  assert.is(r.exitCode, 0, r.outText);
  assert.match(r.outText, /Requested\s+20\n\s+Completed\s+20/);
  const rows = results(r.outText);
  assert.is(rows.length, 8);
  for (const { name, v } of rows) {
    const [pop, avg, sd, , , cover] = v;
    assert.ok(cover >= 0.85 && cover <= 1, `${name}: coverage ${cover}`);
    // the average of 20 estimates is within 4 Monte Carlo SEs (sd / sqrt(20)) of the population value
    assert.ok(Math.abs(avg - pop) <= 4 * (sd / Math.sqrt(20)) + 1e-3, `${name}: average ${avg} vs ${pop} (sd ${sd})`);
  }
  assert.match(r.outText, /Number of successful computations\s+20/);
});

test('sharding: shards 1/3, 2/3, 3/3 merged and a 2-worker run print the same summary as a single run', () => {
  const text = conventional(6, 40, 8, '  PROCESSORS = 1;').replace('  PROCESSORS = 1;\n', '');
  const single = runMonteCarlo(text, 'shard.inp', { processors: 1 });
  assert.is(single.exitCode, 0, single.outText);
  assert.equal(shardReplications(6, { k: 2, n: 3 }), [2, 5]);
  const parts = [1, 2, 3].map((k) => runMonteCarlo(text, 'shard.inp', { shard: { k, n: 3 }, processors: 1 }).partial!);
  assert.is(mergeParts([parts[2], parts[0], parts[1]]), single.outText);
  const two = runMonteCarlo(text, 'shard.inp', { processors: 2 });
  assert.is(two.outText, single.outText);
  assert.throws(() => mergeParts([parts[0], parts[1]]), /replications 3, 6 are missing/);
  assert.throws(() => mergeParts([parts[0], parts[0], parts[1], parts[2]]), /appears in two parts/);
});

test('first seed paper, Fig. 3 data (one replication, 200 clusters of 15): mixture preferred by BIC, conventional s ON w negative and significant', () => {
  const fig3 = (analysis: string) => `MONTECARLO: NAMES = y x w; NOBSERVATIONS = 3000; NCSIZES = 1; CSIZES = 200 (15);
  NREPS = 1; SEED = 20261123; GENCLASSES = c (2); CLASSES = c (2); WITHIN = x; BETWEEN = w;
MODEL POPULATION:
  %WITHIN%
  %OVERALL%
  [x@0]; x@1; y ON x; y*1; c#1 ON x*1;
  %c#1%
  y ON x*-1.1;
  %c#2%
  y ON x*0.5;
  %BETWEEN%
  %OVERALL%
  [w@0]; w@1; y ON w*0.5; y*0.5; [c#1*0]; c#1 ON w*1; c#1*0.5;
  %c#1%
  [y*3];
  %c#2%
  [y*0];
${analysis}`;
  const mix = prepareStudy(parseInput(fig3(`ANALYSIS: TYPE = TWOLEVEL MIXTURE;
MODEL:
  %WITHIN%
  %OVERALL%
  y ON x; c#1 ON x;
  %c#1%
  y ON x;
  %c#2%
  y ON x;
  %BETWEEN%
  %OVERALL%
  y ON w; c#1 ON w; c#1;
  %c#1%
  [y];
  %c#2%
  [y];`), 'fig3.inp').ast, {});
  const conv = prepareStudy(parseInput(fig3(`ANALYSIS: TYPE = TWOLEVEL RANDOM;
MODEL:
  %WITHIN%
  s | y ON x;
  %BETWEEN%
  y s ON w;
  y WITH s;`), 'fig3.inp').ast, {});
  const m = runReplication(mix, 1);
  const c = runReplication(conv, 1);
  assert.ok(m.ok && c.ok);
  assert.is(m.fit!.parameters, 11);
  assert.is(c.fit!.parameters, 8);
  assert.ok(m.fit!.bic < c.fit!.bic, `BIC mixture ${m.fit!.bic} vs conventional ${c.fit!.bic}`);
  const i = c.params.findIndex((p) => p.block === 'S ON' && p.name === 'W');
  assert.ok(c.est[i] / c.se[i] < -1.96, `s ON w ${c.est[i]} (SE ${c.se[i]})`);
  // the mixture recovers the population values within 3 SE in this replication
  m.params.forEach((p, k) => assert.ok(Math.abs(m.est[k] - p.population) < 3 * m.se[k], `${p.block} ${p.name} class ${p.classLabel}: ${m.est[k]} vs ${p.population}`));
});

test('within and between class variables with cb ON w and c ON cb (MODEL POPULATION-c:): generated and recovered within 3 SE', () => {
  const study = prepareStudy(parseInput(`MONTECARLO:
  NAMES = y x w;
  NOBSERVATIONS = 2000;
  NCSIZES = 1;
  CSIZES = 200 (10);
  NREPS = 1;
  SEED = 77;
  GENCLASSES = cb (2) c (2);
  CLASSES = cb (2) c (2);
  WITHIN = x;
  BETWEEN = cb w;
MODEL POPULATION:
  %WITHIN%
  %OVERALL%
  [x@0]; x@1;
  y ON x*0.5; y*1;
  %BETWEEN%
  %OVERALL%
  [w@0]; w@1;
  y@0;
  [cb#1*0];
  cb ON w*1;
  [c#1*-0.85];
  c ON cb*2.2;
MODEL POPULATION-c:
  %BETWEEN%
  %c#1%
  [y*2];
  %c#2%
  [y*-1];
ANALYSIS:
  TYPE = TWOLEVEL MIXTURE;
MODEL:
  %WITHIN%
  %OVERALL%
  y ON x*0.5; y*1;
  %BETWEEN%
  %OVERALL%
  y@0;
  [cb#1*0];
  cb ON w*1;
  [c#1*-0.85];
  c ON cb*2.2;
MODEL c:
  %BETWEEN%
  %c#1%
  [y*2];
  %c#2%
  [y*-1];
`, 'between.inp').ast, {});
  const r = runReplication(study, 1);
  assert.ok(r.ok);
  assert.is(r.fit!.parameters, 8);
  r.params.forEach((p, k) => assert.ok(Math.abs(r.est[k] - p.population) < 3 * r.se[k], `${p.block} ${p.name} ${p.classLabel}: ${r.est[k]} vs ${p.population} (SE ${r.se[k]})`));
});

test('latent transition structure (two within class variables, c2 ON c1): generated and recovered within 3 SE', () => {
  const body = `MONTECARLO:
  NAMES = y1-y4; NOBSERVATIONS = 3000; NREPS = 1; SEED = 91;
  GENCLASSES = c1 (2) c2 (2); CLASSES = c1 (2) c2 (2);
MODEL POPULATION:
  %OVERALL%
  y1-y4*1; [c1#1*0.4]; [c2#1*-1]; c2 ON c1*2;
MODEL POPULATION-c1:
  %c1#1%
  [y1*0 y2*0];
  %c1#2%
  [y1*2 y2*2];
MODEL POPULATION-c2:
  %c2#1%
  [y3*0 y4*0];
  %c2#2%
  [y3*2 y4*2];
ANALYSIS: TYPE = MIXTURE; STARTS = 0;
MODEL:
  %OVERALL%
  y1-y4*1; [c1#1*0.4]; [c2#1*-1]; c2 ON c1*2;
MODEL c1:
  %c1#1%
  [y1*0 y2*0];
  %c1#2%
  [y1*2 y2*2];
MODEL c2:
  %c2#1%
  [y3*0 y4*0];
  %c2#2%
  [y3*2 y4*2];`;
  const study = prepareStudy(parseInput(body, 'lta.inp').ast, {});
  const r = runReplication(study, 1);
  assert.ok(r.ok);
  assert.is(r.fit!.parameters, 15);
  r.params.forEach((p, k) => assert.ok(Math.abs(r.est[k] - p.population) < 3 * r.se[k], `${p.block} ${p.name} ${p.classLabel}: ${r.est[k]} vs ${p.population} (SE ${r.se[k]})`));
});

test('summary statistics: average, SD (n - 1), S.E. average, M.S.E., coverage and % significant, by hand', () => {
  const param = { level: null, classLabel: null, categoricalLatent: false, block: 'Y ON', name: 'X', par: 1, population: 2 };
  const fit = (ll: number) => ({ loglikelihood: ll, parameters: 1, aic: -2 * ll + 2, bic: -2 * ll + 5, abic: -2 * ll + 4 });
  const rec = (rep: number, est: number, se: number, ok = true): RepRecord => ({ rep, ok, params: ok ? [param] : [], est: ok ? [est] : [], se: ok ? [se] : [], fit: ok ? fit(-100 - rep) : null, ...(ok ? {} : { message: 'no convergence' }) });
  // estimates 1, 2, 3.5 (SEs 0.5, 1, 1) and a failed replication 4: average 2.1667, SD sqrt(((-1.1667)^2 + (-0.1667)^2 + 1.3333^2) / 2) = 1.2583,
  // S.E. average 0.8333, M.S.E. (1 + 0 + 2.25) / 3 = 1.0833, covered: |1 - 2| <= 0.98 no, 2 yes, 1.5 <= 1.96 yes -> 0.667;
  // significant: |1 / 0.5| = 2 > 1.96 yes, 2 yes, 3.5 yes -> 1.000
  const out = summaryText({ inputText: 'TITLE: t', nobs: 10, nreps: 4, seed: 1, nClusters: null, records: [rec(3, 3.5, 1), rec(1, 1, 0.5), rec(2, 2, 1), rec(4, 0, 0, false)] });
  assert.match(out, /Requested\s+4\n\s+Completed\s+3/);
  assert.match(out, /Replication 4: no convergence/);
  assert.ok(out.includes('  X                  2.000     2.1667     1.2583     0.8333     1.0833 0.667 1.000'), out);
  // loglikelihoods -101, -102, -103: mean -102, SD 1
  assert.match(out, /H0 Value\n\n\s+Mean\s+-102.000\n\s+Std Dev\s+1.000\n\s+Number of successful computations\s+3/);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6 && Math.abs(normalQuantile(0.01) + 2.326348) < 1e-6);
});

test('SAVE / REPSAVE / RESULTS files: data sets, list file, one results line per replication', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-mc-'));
  try {
    const text = conventional(3, 10, 5, '  SAVE = rep*.dat;\n  REPSAVE = 1 3;\n  RESULTS = res.dat;');
    const r = runMonteCarlo(text, join(dir, 'save.inp'), { processors: 1 });
    assert.is(r.exitCode, 0, r.outText);
    assert.is(readFileSync(join(dir, 'replist.dat'), 'utf8'), 'rep1.dat\nrep3.dat\n');
    const rows = readFileSync(join(dir, 'rep3.dat'), 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));
    assert.is(rows.length, 50);
    assert.is(rows[0].length, 4); // y x w cluster
    assert.equal([...new Set(rows.map((x) => x[3]))], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const res = readFileSync(join(dir, 'res.dat'), 'utf8').trim().split('\n');
    assert.is(res.length, 3);
    assert.is(res[0].split(' ').length, 1 + 8 + 8 + 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('input errors give the error output and exit code 1', () => {
  const r = runMonteCarlo('MONTECARLO: NAMES = y; NOBSERVATIONS = 10; NREPS = 0;\nMODEL POPULATION: y*1;\n', 'bad.inp');
  assert.is(r.exitCode, 1);
  assert.match(r.outText, /NREPS needs an integer of at least 1/);
});

test.run();
