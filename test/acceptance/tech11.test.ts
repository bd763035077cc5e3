// OUTPUT: TECH11 end to end through the pipeline, against a real Mplus 8.8 output of the same model on
// the same public data (fixtures/peers/lrt_bully/c2_bully.out; README there): every line of the
// TECHNICAL 11 section equals Mplus's except the K-1 random-start counts (K-1STARTS defaults to the
// run's STARTS, which this test keeps smaller than the original 200 100).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../../src/cli/pipeline.js';

const DIR = new URL('../../fixtures/peers/lrt_bully/', import.meta.url).pathname;

function section(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const a = lines.findIndex((l) => l.startsWith('TECHNICAL 11 OUTPUT'));
  const b = lines.findIndex((l, i) => i > a && /^(TECHNICAL \d+ OUTPUT|PLOT INFORMATION|SAVEDATA INFORMATION|     Beginning Time|PLUSMIX )/.test(l));
  return lines.slice(a, b < 0 ? undefined : b).map((l) => l.trimEnd()).filter((l) => !/random starts|final stage optimizations/.test(l));
}

test('TECH11 of the 2-class LCA (bullying data) = Mplus 8.8, line by line', () => {
  const input = `TITLE: 2-Class
DATA: FILE = bully.dat;
VARIABLE: NAMES = report_dis report_race report_sex counselors_fte psych_fte law_fte;
  MISSING = .;
  CATEGORICAL = report_dis-law_fte;
  USEVARIABLES = report_dis-law_fte;
  CLASSES = c(2);
ANALYSIS: ESTIMATOR = MLR; TYPE = MIXTURE; STARTS = 40 8;
OUTPUT: TECH11;`;
  const r = runPipeline(input, join(DIR, 'c2_tech11.inp'), { clock: null });
  assert.is(r.exitCode, 0, r.diagnostics.map((d) => d.message).join('\n'));
  const ours = section(r.outText!);
  const mplus = section(readFileSync(join(DIR, 'c2_bully.out'), 'utf8'));
  assert.ok(mplus.length > 10);
  assert.equal(ours, mplus);
});

test.run();
