// LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL (models with `c2 ON c1`):
// - layout and values against a real Mplus 8.11 output (golden file; README there): from that output's own
//   logit estimates, our table must print exactly Mplus's lines;
// - a plusmix run on data generated here with a known transition matrix: the printed table equals the
//   closed form computed in this test from the printed logits, equals the ratio of the engine's
//   model-estimated pattern counts, and recovers the generating probabilities within sampling error;
// - the reader and the JSON carry the table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParameterEstimate } from '../../src/results/types.js';
import { latentTransitions } from '../../src/results/transition.js';
import { transitionLines } from '../../src/output/out.js';
import { readMplusOut } from '../../src/output/mplusReader.js';
import { jsonText } from '../../src/output/json.js';
import { runPipeline } from '../../src/cli/pipeline.js';
import { loadSchema, validate } from './schema.js';
import { generateLta, LTA_INPUT, TRUE_TRANSITIONS } from './ltadata.js';

const row = (block: string, name: string, estimate: number): ParameterEstimate => ({ par: 0, level: null, classLabel: null, categoricalLatent: true, block, name, estimate, se: 0.1, fixed: false });

test('Mplus 8.11 LTA (immerse-ucsb/lca-bookdown 4-class-invariant.out): same lines from its own estimates', () => {
  // Categorical Latent Variables of that output (its SVALUES section); Mplus 8.11 prints the c2 intercepts under Means
  const ps = [
    row('C2#1 ON', 'C1#1', 1.91478), row('C2#1 ON', 'C1#2', 0.78944), row('C2#1 ON', 'C1#3', 1.55081),
    row('C2#2 ON', 'C1#1', 0.42035), row('C2#2 ON', 'C1#2', 1.11377), row('C2#2 ON', 'C1#3', 0.45131),
    row('C2#3 ON', 'C1#1', 0.896), row('C2#3 ON', 'C1#2', 0.34859), row('C2#3 ON', 'C1#3', 1.63394),
    row('Means', 'C1#1', 0.73484), row('Means', 'C1#2', 0.71022), row('Means', 'C1#3', 0.63741),
    row('Means', 'C2#1', -1.32559), row('Means', 'C2#2', 0.16469), row('Means', 'C2#3', -0.12626),
  ];
  const t = latentTransitions(ps);
  assert.is(t.length, 1);
  assert.equal([t[0].from, t[0].to, t[0].basis], ['C1', 'C2', 'parameters']);
  const golden = readFileSync(new URL('./golden/lta_transitions_mplus811.txt', import.meta.url), 'utf8').replace(/\r\n?/g, '\n').split('\n');
  golden.pop(); // the file's final newline
  assert.equal(transitionLines(t), golden);
  // the reader gets the printed table back
  const back = readMplusOut(['Mplus VERSION 8.11', '', ...golden, 'MODEL RESULTS', ''].join('\n'));
  assert.equal(back.transitions?.[0].probabilities[3], [0.08, 0.354, 0.265, 0.301]);
});

test('closed form, 2 x 3 with plusmix block names (Intercepts), rows sum to 1', () => {
  const ps = [row('Means', 'C1#1', 0.4), row('Intercepts', 'C2#1', -0.5), row('Intercepts', 'C2#2', 0.3), row('C2#1 ON', 'C1#1', 1.2), row('C2#2 ON', 'C1#1', -0.7)];
  const t = latentTransitions(ps, [{ name: 'C1', nClasses: 2, level: 'within' }, { name: 'C2', nClasses: 3, level: 'within' }]);
  // row 1: logits (-0.5 + 1.2, 0.3 - 0.7, 0); row 2: (-0.5, 0.3, 0)
  const soft = (z: number[]) => z.map((v) => Math.exp(v) / z.reduce((s, w) => s + Math.exp(w), 0));
  const want = [soft([0.7, -0.4, 0]), soft([-0.5, 0.3, 0])];
  t[0].probabilities.forEach((r, a) => r.forEach((p, b) => assert.ok(Math.abs(p - want[a][b]) < 1e-12)));
});

test('no table for a within class variable on a between one (cw ON cb), as the real Mplus 8 output of patterns.test.ts', () => {
  const ps = [row('Means', 'BC#1', 0.2), row('Intercepts', 'WC#1', 0.1), row('WC#1 ON', 'BC#1', 0.5)];
  assert.equal(latentTransitions(ps, [{ name: 'BC', nClasses: 2, level: 'between' }, { name: 'WC', nClasses: 2, level: 'within' }]), []);
});

test('plusmix run: table = closed form of the printed logits = model pattern counts ~ generating values; reader, JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-lta-'));
  try {
    const n = 1200;
    writeFileSync(join(dir, 'lta.dat'), generateLta(n));
    const r = runPipeline(LTA_INPUT, join(dir, 'lta.inp'), { clock: null });
    assert.is(r.exitCode, 0, r.outText);
    const res = r.result!;
    const cat = (block: string, name: string) => res.parameters.find((p) => p.categoricalLatent && p.block === block && p.name === name)!.estimate;
    const a = cat('Intercepts', 'C2#1');
    const g = cat('C2#1 ON', 'C1#1');
    const p11 = 1 / (1 + Math.exp(-(a + g)));
    const p21 = 1 / (1 + Math.exp(-a));
    const closed = [[p11, 1 - p11], [p21, 1 - p21]];
    // the printed section
    const ls = r.outText.split('\n');
    const at = ls.indexOf('LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL');
    assert.ok(at > 0, 'section printed');
    assert.equal(ls.slice(at, at + 9), [
      'LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL', '', '  C1 Classes (Rows) by C2 Classes (Columns)', '', '            1        2', '',
      `   1${closed[0][0].toFixed(3).padStart(10)}${closed[0][1].toFixed(3).padStart(9)}`,
      `   2${closed[1][0].toFixed(3).padStart(10)}${closed[1][1].toFixed(3).padStart(9)}`, '',
    ]);
    assert.is(ls[at + 10], 'CLASSIFICATION QUALITY');
    // the engine's model-estimated pattern counts (labels 1.1 1.2 2.1 2.2) give the same table
    const m = res.classCounts!.model!;
    const byCounts = [[m[0] / (m[0] + m[1]), m[1] / (m[0] + m[1])], [m[2] / (m[2] + m[3]), m[3] / (m[2] + m[3])]];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) assert.ok(Math.abs(byCounts[i][j] - closed[i][j]) < 1e-6, `counts ${i} ${j}`);
    // generating values: about 480 / 720 persons per c1 class, SE of a transition probability <= 0.019; 4 SE
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) assert.ok(Math.abs(closed[i][j] - TRUE_TRANSITIONS[i][j]) < 0.076, `true ${i} ${j}: ${closed[i][j]}`);
    const back = readMplusOut(r.outText);
    assert.equal(back.transitions!.map((t) => t.probabilities), [closed.map((row) => row.map((p) => Number(p.toFixed(3))))]);
    const j = JSON.parse(jsonText(r.json!));
    assert.equal(validate(j, loadSchema()), []);
    assert.equal(j.latent_transitions.length, 1);
    assert.equal([j.latent_transitions[0].from, j.latent_transitions[0].to], ['C1', 'C2']);
    assert.ok(Math.abs(j.latent_transitions[0].probabilities[1][1] - closed[1][1]) < 1e-12);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
