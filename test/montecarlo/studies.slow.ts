// Issue 8 acceptance, first seed paper section 2.2, with 20 replications of each study (the examples in
// examples/simulations/ run 100). About 10 minutes of CPU (each Fig. 3 mixture fit needs 2-dimensional
// numerical integration), so not part of `npm test`; run with
//   node --import tsx test/montecarlo/studies.slow.ts
// KNOWN FAILURE (2026-11-22): the first test fails on the class-1 within slope `y ON x` (coverage 0.80 < 0.85).
// Its estimates are unbiased (average -1.0988 vs -1.1) but their SD over the 20 replications is 0.046 while
// the average MLR standard error is 0.032 (class-2 slope 0.047 vs 0.039, [c#1] 0.118 vs 0.089): the
// estimator's standard errors of these Fig. 3 parameters look too small (src/estimate), not the generator
// (the same data give unbiased estimates, and the conventional model's coverage is right, montecarlo.test.ts).
// The other two tests pass: s ON w negative and significant in 20 of 20; BIC prefers the generating model in
// 20 of 20 replications in both directions.
// Population values (first seed paper, section 2.2, and the README of its simulated data): Fig. 3 model with
// 200 clusters of 15; class 1 y = 3 + 0.5 w + u0 - 1.1 x + r, class 2 y = 0 + 0.5 w + u0 + 0.5 x + r,
// Var(r) = 1, Var(u0) = 0.5, logit P(c = 1) = 0 + 1 x + 1 w + u2, Var(u2) = 0.5, x, w ~ N(0, 1). Conventional
// model: y = b0 + b1 x + r, b0 = 0 + 0.5 w + u0, b1 = 1 + 1 w + u1, Var(u0) = Var(u1) = 0.5, Var(r) = 1.
// Paper: the Fig. 3 model recovers every parameter with good coverage; the conventional model on Fig. 3 data
// finds a negative, significant slope of the random slope on w and a worse BIC in every replication; on
// conventional data the mixture model's BIC is worse in every replication.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parseInput } from '../../src/syntax/parse.js';
import { runSettings } from '../../src/cli/analysis.js';
import { runParallel } from '../../src/montecarlo/parallel.js';
import type { RepRecord } from '../../src/montecarlo/types.js';

const NREPS = 20;
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

test('conventional data (the reverse study): BIC prefers the conventional model in every replication', () => {
  const conv = study('reverse_conventional.inp');
  const mix = study('reverse_mixture.inp');
  assert.is(conv.filter((r) => r.ok).length, NREPS);
  for (let k = 0; k < NREPS; k++) {
    if (!mix[k].ok) continue; // a mixture that does not converge is not preferred either
    assert.ok(conv[k].fit!.bic < mix[k].fit!.bic, `replication ${k + 1}: BIC conventional ${conv[k].fit!.bic} vs mixture ${mix[k].fit!.bic}`);
  }
  console.log(`  mixture converged in ${mix.filter((r) => r.ok).length} of ${NREPS}`);
});

test.run();
