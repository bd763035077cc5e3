// MplusAutomation compatibility: the R package's readModels() must recover from our .out every parameter,
// class count and fit statistic we meant to print (test/output/readmodels.R). Runs only where R with
// MplusAutomation and jsonlite is installed; otherwise the test reports itself as skipped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMplusOut, toOutInput } from '../../src/output/mplusReader.js';
import { writeOut } from '../../src/output/out.js';
import { jsonText, toJson } from '../../src/output/json.js';
import { runPipeline } from '../../src/cli/pipeline.js';
import { referenceText } from './reference.js';
import { generateLta, LTA_INPUT } from './ltadata.js';

const M2 = `TITLE: HSB m2: random intercept and random slopes of female and ses
DATA: FILE = hsb.dat;
VARIABLE: NAMES = school minority female ses mathach meanses sector size
    pracad disclim himinty;
  USEVARIABLES = mathach female ses meanses sector;
  CLUSTER = school;
  WITHIN = female ses;
  BETWEEN = meanses sector;
ANALYSIS: TYPE = TWOLEVEL RANDOM; ESTIMATOR = ML;
MODEL:
  %WITHIN%
  s1 | mathach ON female;
  s2 | mathach ON ses;
  %BETWEEN%
  mathach ON meanses sector;
  mathach WITH s1 s2;
  s1 WITH s2;
`;

const MIMIC = `TITLE: MIMIC on the ex9.6 data as single-level data
DATA: FILE = ex9.6.dat;
VARIABLE: NAMES = y1-y4 x1 x2 w clus;
  USEVARIABLES = y1-y4 x1 x2;
MODEL: f BY y1-y4; f ON x1 x2; y1 WITH y2;
OUTPUT: STANDARDIZED CINTERVAL SVALUES;
! a comment longer than 90 columns gives an input warning, printed after the input echo as Mplus does
`;

const script = new URL('./readmodels.R', import.meta.url).pathname;
test('readModels recovers our ex10.4, ex7.3, TWOLEVEL RANDOM, MIMIC (input warning), TECH11 / TECH14 and LTA outputs (skipped without R / MplusAutomation)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-readmodels-'));
  try {
    const files: string[] = [];
    for (const name of ['ex10.4', 'ex7.3'] as const) {
      const f = readMplusOut(referenceText(name));
      // a plusmix-written file (own banner and footer, no timestamps) with the reference's numbers
      const input = toOutInput(f, '0.1.0');
      input.options.timestamps = null;
      const out = join(dir, `${name}.out`);
      const json = join(dir, `${name}.json`);
      writeFileSync(out, writeOut(input));
      writeFileSync(json, jsonText(toJson({ result: f.result, summary: f.summary, inputText: f.inputText, plusmixVersion: '0.1.0' })));
      files.push(out, json);
    }
    // several class variables (CLASSES = bc(2) wc(3)): the golden file of patterns.test.ts
    const patterns = readFileSync(new URL('./golden/patterns.out', import.meta.url), 'utf8');
    const pf = readMplusOut(patterns);
    writeFileSync(join(dir, 'patterns.out'), patterns);
    writeFileSync(join(dir, 'patterns.json'), jsonText(toJson({ result: pf.result, summary: pf.summary, inputText: pf.inputText, plusmixVersion: '0.1.0' })));
    files.push(join(dir, 'patterns.out'), join(dir, 'patterns.json'));
    // a whole plusmix run without mixture: TYPE = TWOLEVEL RANDOM on the HSB data (examples/hsb/m2.inp)
    writeFileSync(join(dir, 'hsb.dat'), readFileSync(new URL('../../fixtures/hsb/hsb.dat', import.meta.url)));
    const m2 = runPipeline(M2, join(dir, 'm2.inp'), { clock: null });
    assert.is(m2.exitCode, 0, m2.outText);
    writeFileSync(join(dir, 'm2.out'), m2.outText);
    writeFileSync(join(dir, 'm2.json'), jsonText(m2.json!));
    files.push(join(dir, 'm2.out'), join(dir, 'm2.json'));
    // OUTPUT: STANDARDIZED CINTERVAL SVALUES on a single-level model (MIMIC on the ex9.6 data)
    writeFileSync(join(dir, 'ex9.6.dat'), readFileSync(new URL('../../fixtures/mplus-ug/ex9.6.dat', import.meta.url)));
    const mimic = runPipeline(MIMIC, join(dir, 'mimic.inp'), { clock: null });
    assert.is(mimic.exitCode, 0, mimic.outText);
    writeFileSync(join(dir, 'mimic.out'), mimic.outText);
    writeFileSync(join(dir, 'mimic.json'), jsonText(mimic.json!));
    files.push(join(dir, 'mimic.out'), join(dir, 'mimic.json'));
    // a real Mplus 8.8 LCA with input warnings, TECH11 and TECH14 (fixtures/peers/lrt_bully), printed by plusmix
    const c3 = readMplusOut(readFileSync(new URL('../../fixtures/peers/lrt_bully/c3_bully.out', import.meta.url), 'utf8'));
    const c3in = toOutInput(c3, '0.1.0');
    c3in.options.timestamps = null;
    writeFileSync(join(dir, 'c3.out'), writeOut(c3in));
    writeFileSync(join(dir, 'c3.json'), jsonText(toJson({ result: c3.result, summary: c3.summary, inputText: c3.inputText, plusmixVersion: '0.1.0', ...(c3.inputWarnings ? { inputWarnings: c3.inputWarnings } : {}) })));
    files.push(join(dir, 'c3.out'), join(dir, 'c3.json'));
    // two class variables with c2 ON c1: LATENT TRANSITION PROBABILITIES (simulated data, test/output/ltadata.ts)
    writeFileSync(join(dir, 'lta.dat'), generateLta(1200));
    const lta = runPipeline(LTA_INPUT, join(dir, 'lta.inp'), { clock: null });
    assert.is(lta.exitCode, 0, lta.outText);
    writeFileSync(join(dir, 'lta.out'), lta.outText);
    writeFileSync(join(dir, 'lta.json'), jsonText(lta.json!));
    files.push(join(dir, 'lta.out'), join(dir, 'lta.json'));
    const r = spawnSync('Rscript', [script, ...files], { encoding: 'utf8' });
    if (r.error || r.status === 77) {
      console.log('  readmodels.test.ts: SKIPPED (Rscript, MplusAutomation or jsonlite not available)');
      return;
    }
    assert.is(r.status, 0, `${r.stderr}${r.stdout}`);
    assert.equal(r.stdout.trim().split('\n'), ['OK 48 parameters', 'OK 9 parameters', 'OK 17 parameters', 'OK 12 parameters', 'OK 16 parameters 1 input warnings', 'OK 20 parameters 3 input warnings tech11 tech14', 'OK 35 parameters 1 input warnings transitions']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
