// Issue 8 acceptance, first seed paper section 2.2, the reverse study: data from the conventional model,
// BIC prefers the conventional model over the Fig. 3 mixture in every replication (20 replications here,
// 100 in examples/simulations/). The mixture is degenerate on these data (about 3 s of CPU per replication).
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
