// Issue 8 acceptance, first seed paper section 2.2: data from the Fig. 3 model (200 clusters of 15) analysed
// with the Fig. 3 model (60 replications: every parameter's 95% coverage in [0.85, 1]) and with the
// conventional random-slope model (`s ON w` negative and significant in most replications, BIC prefers the
// mixture in every replication). About 10 minutes of CPU (each mixture fit needs 2-dimensional numerical
// integration); the reverse study is in reverse.test.ts. With 20 replications the class-1 slope's coverage
// was 0.80 (16 of 20, SD 0.046 vs average SE 0.032); over 60 it is 0.92 (SD 0.035 vs 0.032), and a Model 5
// study with 100 replications (examples/simulations/README.md) shows no SE deficit under integration: the
// 20-replication figure was sampling noise, so the test uses 60.
// Population values (first seed paper, section 2.2, and the README of its simulated data): Fig. 3 model with
// 200 clusters of 15; class 1 y = 3 + 0.5 w + u0 - 1.1 x + r, class 2 y = 0 + 0.5 w + u0 + 0.5 x + r,
// Var(r) = 1, Var(u0) = 0.5, logit P(c = 1) = 0 + 1 x + 1 w + u2, Var(u2) = 0.5, x, w ~ N(0, 1). Conventional
// model: y = b0 + b1 x + r, b0 = 0 + 0.5 w + u0, b1 = 1 + 1 w + u1, Var(u0) = Var(u1) = 0.5, Var(r) = 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parseInput } from '../../src/syntax/parse.js';
import { runSettings } from '../../src/cli/analysis.js';
import { runParallel } from '../../src/montecarlo/parallel.js';
import type { RepRecord } from '../../src/montecarlo/types.js';

const NREPS = 60;
const PROCESSORS = 2;

function study(file: string): RepRecord[] {
  const path = new URL(`../../examples/simulations/${file}`, import.meta.url).pathname;
  const text = readFileSync(path, 'utf8').replace(/NREPS = \d+;/, `NREPS = ${NREPS};`);
  const settings = runSettings(parseInput(text, path).ast);
  const reps = Array.from({ length: NREPS }, (_, i) => i + 1);
  return runParallel(text, path, { ...settings.estimation, starts: [0, 0] }, reps, PROCESSORS, []).records;
}

const idx = (r: RepRecord, block: string, name: string, level: string | null = 'between') => r.params.findIndex((p) => p.block === block && p.name === name && p.level === level);

const mixture = study('fig3_mixture.inp');
const conventional = study('fig3_conventional.inp');

test('Fig. 3 data, Fig. 3 model: every replication converges and every parameter has 95% coverage in [0.85, 1]', () => {
  assert.is(mixture.filter((r) => r.ok).length, NREPS);
  const params = mixture[0].params;
  // 11 parameters; class-invariant ones are printed (and checked) in each class
  assert.is(new Set(params.map((p) => p.par)).size, 11);
  params.forEach((p, i) => {
    let cover = 0;
    for (const r of mixture) if (Math.abs(r.est[i] - p.population) <= 1.96 * r.se[i]) cover++;
    const c = cover / NREPS;
    console.log(`  ${p.classLabel ?? '-'} ${p.level} ${p.block} ${p.name}: population ${p.population}, coverage ${c.toFixed(2)}`);
    assert.ok(c >= 0.85 && c <= 1, `${p.block} ${p.name} (class ${p.classLabel}): coverage ${c}`);
  });
});

test('Fig. 3 data, conventional model: s ON w negative and significant in most replications; BIC prefers the mixture in every replication', () => {
  assert.is(conventional.filter((r) => r.ok).length, NREPS);
  let negSig = 0;
  for (const r of conventional) {
    const i = idx(r, 'S ON', 'W');
    assert.ok(i >= 0);
    if (r.est[i] / r.se[i] < -1.96) negSig++;
  }
  console.log(`  s ON w negative and significant in ${negSig} of ${NREPS}`);
  assert.ok(negSig > NREPS / 2, `${negSig} of ${NREPS}`);
  for (let k = 0; k < NREPS; k++) assert.ok(mixture[k].fit!.bic < conventional[k].fit!.bic, `replication ${k + 1}: BIC mixture ${mixture[k].fit!.bic} vs conventional ${conventional[k].fit!.bic}`);
});

test.run();
