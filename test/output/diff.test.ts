// plusmix diff: any two of plusmix/Mplus .out, plusmix .json, CSV of published values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTolerance, runDiff } from '../../src/cli/diff.js';
import { readMplusOut, toOutInput } from '../../src/output/mplusReader.js';
import { writeOut } from '../../src/output/out.js';
import { jsonText, toJson } from '../../src/output/json.js';
import { REF_DIR, referenceText } from './reference.js';

const REF = `${REF_DIR}ex10.4.out`;

/** a fresh temporary folder per test, removed afterwards (no shared state between suites) */
async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-diff-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function diff(a: string, b: string, tolerance?: string): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await runDiff(a, b, { tolerance, color: false, write: (s) => (text += s) });
  return { code, text };
}

test('ex10.4.out against itself: exit 0', async () => {
  const r = await diff(REF, REF);
  assert.is(r.code, 0);
  assert.match(r.text, /OK: 48 parameters matched/);
});

test('a deliberately changed estimate makes it exit 1 and name the parameter', async () => {
  await withDir(async (dir) => {
    const changed = referenceText('ex10.4').replace('    Y3                 0.824      0.024     34.227      0.000\n', '    Y3                 0.834      0.024     34.227      0.000\n');
    const p = join(dir, 'changed.out');
    writeFileSync(p, changed);
    const r = await diff(REF, p);
    assert.is(r.code, 1);
    const bad = r.text.split('\n').filter((l) => l.includes('<--'));
    assert.equal(bad.length, 1, r.text); // only the first occurrence (between level, class 1) was changed
    assert.match(bad[0], /Between, Class 1: FB BY Y3/);
    assert.match(bad[0], /estimate/);
    // a looser tolerance accepts it
    assert.is((await diff(REF, p, 'est=0.02')).code, 0);
  });
});

test('a changed S.E. beyond 3% and a changed loglikelihood are reported', async () => {
  await withDir(async (dir) => {
    const changed = referenceText('ex10.4')
      .replace('    FB                 2.180      0.119     18.344      0.000', '    FB                 2.180      0.125     18.344      0.000')
      .replace('H0 Value                       -5334.228', 'H0 Value                       -5334.328');
    const p = join(dir, 'se.out');
    writeFileSync(p, changed);
    const r = await diff(REF, p);
    assert.is(r.code, 1);
    assert.match(r.text, /Between, Class 1: Means FB.*<-- S\.E\./);
    assert.match(r.text, /Loglikelihood.*<-- exceeds tolerance/);
  });
});

test('plusmix .out and .json of the same result agree with the Mplus file', async () => {
  await withDir(async (dir) => {
    const f = readMplusOut(referenceText('ex10.4'));
    const out = join(dir, 'ours.out');
    const json = join(dir, 'ours.json');
    writeFileSync(out, writeOut(toOutInput(f, '0.1.0')));
    writeFileSync(json, jsonText(toJson({ result: f.result, summary: f.summary, inputText: f.inputText, plusmixVersion: '0.1.0' })));
    assert.is((await diff(out, REF)).code, 0);
    assert.is((await diff(json, REF)).code, 0);
  });
});

test('CSV of published values: a subset is fine, a wrong value is not', async () => {
  await withDir(async (dir) => {
    const csv = join(dir, 'published.csv');
    writeFileSync(csv, 'level,class,block,name,estimate,se\nwithin,1,FW BY,Y2,0.859,0.045\nbetween,,Variances,C#1,0.986,0.379\nbetween,2,Intercepts,y3,-0.074,0.095\n');
    assert.is((await diff(REF, csv)).code, 0);
    writeFileSync(csv, 'level,class,block,name,estimate,se\nwithin,1,FW BY,Y2,0.959,0.045\n');
    const r = await diff(csv, REF);
    assert.is(r.code, 1);
    assert.match(r.text, /Within, Class 1: FW BY Y2.*<-- estimate/);
    writeFileSync(csv, 'level,class,block,name,estimate,se\nwithin,1,FW BY,NOPE,1,0.1\n');
    assert.is((await diff(REF, csv)).code, 1, 'a published parameter missing from the result fails');
  });
});

/** ex7.3 with the two classes printed in the other order (label switching); C#1 = log(p1/p2) changes sign */
function switched(): string {
  const t = referenceText('ex7.3');
  const from = t.indexOf('MODEL RESULTS');
  const to = t.indexOf('QUALITY OF NUMERICAL RESULTS');
  const mr = t
    .slice(from, to)
    .replace('Latent Class 1', 'Latent Class X')
    .replace('Latent Class 2', 'Latent Class 1')
    .replace('Latent Class X', 'Latent Class 2')
    .replace('    C#1               -0.981      0.116     -8.468', '    C#1                0.981      0.116      8.468');
  return t.slice(0, from) + mr + t.slice(to);
}

test('label switching: --match-classes relabels B and transforms the class logits', async () => {
  await withDir(async (dir) => {
    const p = join(dir, 'switched.out');
    writeFileSync(p, switched());
    const A = `${REF_DIR}ex7.3.out`;
    assert.is((await diff(A, p)).code, 1);
    let text = '';
    const code = await runDiff(A, p, { color: false, matchClasses: true, write: (s) => (text += s) });
    assert.is(code, 0, text);
    assert.match(text, /classes of B relabelled to match A: 1 -> 2, 2 -> 1/);
    assert.match(text, /Categorical Latent: Means C#1\s+-0\.981\s+-0\.981/);
    // nothing to relabel when the classes already agree
    let same = '';
    assert.is(await runDiff(REF, REF, { color: false, matchClasses: true, write: (s) => (same += s) }), 0);
    assert.match(same, /1 -> 1, 2 -> 2/);
  });
});

test('bad inputs and tolerances raise PlusmixError', async () => {
  await withDir(async (dir) => {
    await diff(REF, join(dir, 'missing.out')).then(
      () => assert.unreachable('should throw'),
      (e: Error) => assert.is(e.name, 'PlusmixError'),
    );
    assert.throws(() => parseTolerance('est=abc'), /bad --tolerance/);
    assert.equal(parseTolerance('se=0.05'), { est: 0.005, se: 0.05, ll: 0.01 });
  });
});

test.run();
