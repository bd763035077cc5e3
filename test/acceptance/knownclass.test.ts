// KNOWNCLASS (issue 4): with every person's class known, the mixture is a multiple-group model whose
// ML estimates have closed forms, computed here with plain loops independently of the engine:
// class means = group means, class-invariant variances = pooled within-group variances (divisor N),
// [cg#1] = log(n1/n2), loglikelihood = Σ log π_g + Σ log φ(y; μ_g, σ²).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipeline } from '../../src/cli/pipeline.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const INPUT = `TITLE: LPA with the class known
DATA: FILE = lpa4.dat;
VARIABLE: NAMES = y1-y4 tc;
  USEVARIABLES = y1-y4;
  CLASSES = cg (2);
  KNOWNCLASS = cg (tc = 1 tc = 2);
ANALYSIS: TYPE = MIXTURE;
`;

test('KNOWNCLASS LPA equals the closed-form multiple-group ML solution', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pmx-kc-'));
  try {
    copyFileSync(join(ROOT, 'fixtures/sim/lpa4.dat'), join(dir, 'lpa4.dat'));
    const rows = readFileSync(join(dir, 'lpa4.dat'), 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    const N = rows.length;
    const n = [0, 0];
    const sum = [[0, 0, 0, 0], [0, 0, 0, 0]];
    for (const r of rows) {
      const g = r[4] - 1;
      n[g]++;
      for (let p = 0; p < 4; p++) sum[g][p] += r[p];
    }
    const mean = sum.map((s, g) => s.map((x) => x / n[g]));
    const ss = [0, 0, 0, 0];
    for (const r of rows) for (let p = 0; p < 4; p++) ss[p] += (r[p] - mean[r[4] - 1][p]) ** 2;
    const v = ss.map((x) => x / N);
    let ll = 0;
    for (const r of rows) {
      const g = r[4] - 1;
      ll += Math.log(n[g] / N);
      for (let p = 0; p < 4; p++) ll += -0.5 * Math.log(2 * Math.PI * v[p]) - (r[p] - mean[g][p]) ** 2 / (2 * v[p]);
    }

    const res = runPipeline(INPUT, join(dir, 'kc.inp'), { clock: null });
    assert.is(res.exitCode, 0, res.diagnostics.map((d) => d.message).join('\n'));
    const r = res.result!;
    assert.ok(Math.abs(r.fit!.loglikelihood - ll) < 1e-4, `${r.fit!.loglikelihood} vs ${ll}`);
    assert.is(r.fit!.parameters, 13);
    const est = (cls: string | null, block: string, name: string) => r.parameters.find((p) => p.classLabel === cls && p.block === block && p.name === name)!.estimate;
    for (let p = 0; p < 4; p++) {
      for (let g = 0; g < 2; g++) assert.ok(Math.abs(est(String(g + 1), 'Means', `Y${p + 1}`) - mean[g][p]) < 1e-4);
      assert.ok(Math.abs(est('1', 'Variances', `Y${p + 1}`) - v[p]) < 1e-4);
    }
    const logit = r.parameters.find((p) => p.categoricalLatent && p.name === 'CG#1')!.estimate;
    assert.ok(Math.abs(logit - Math.log(n[0] / n[1])) < 1e-4);
    assert.equal(r.classCounts!.mostLikely, [n[0], n[1]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
