// End to end through the other stages (parse, data, IR, estimate) for UG example 7.3 (LCA, binary
// items; the covariates were not published, so AUXILIARY is left out): our .out must agree with the
// real Mplus 8.8 output within the diff tolerances (classes may come out in the other order), and the
// JSON must validate against the schema.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOrThrow } from '../../src/syntax/parse.js';
import { loadData } from '../../src/data/index.js';
import { buildIR } from '../../src/model/build.js';
import { estimate, resolveOptions } from '../../src/estimate/index.js';
import type { Diagnostic } from '../../src/syntax/diagnostics.js';
import { assembleOutInput, titleLines } from '../../src/output/assemble.js';
import { writeOut } from '../../src/output/out.js';
import { readMplusOut } from '../../src/output/mplusReader.js';
import { jsonText, toJson } from '../../src/output/json.js';
import { runDiff } from '../../src/cli/diff.js';
import { loadSchema, validate } from './schema.js';
import { REF_DIR } from './reference.js';

const INPUT = `TITLE:\tthis is an example of a LCA with
binary latent class indicators using
automatic starting values with random starts
DATA:\tFILE IS ex7.3-u1u4.dat;
VARIABLE:\tNAMES ARE u1-u4;
\tUSEVARIABLES = u1-u4;
\tCLASSES = c (2);
\tCATEGORICAL = u1-u4;
ANALYSIS:\tTYPE = MIXTURE;
OUTPUT:\tTECH1 TECH8;
`;

test('titleLines', () => {
  assert.equal(titleLines(INPUT), ['this is an example of a LCA with', 'binary latent class indicators using', 'automatic starting values with random starts']);
});

test('ex7.3 run: .out agrees with Mplus 8.8 (diff within tolerance), JSON validates', async () => {
  const ast = parseOrThrow(INPUT, 'ex7.3.inp');
  const { dataset: ds } = loadData(ast, new URL('../../fixtures/mplus-ug/', import.meta.url).pathname);
  const diags: Diagnostic[] = [];
  const ir = buildIR(ast, ds.columns, diags, ds);
  const estimation = resolveOptions({ tech8: true }, { mixture: true, integration: false });
  const result = estimate(ir, ds, estimation);
  const input = assembleOutInput({ inputText: INPUT, ir, ds, result, estimation, output: { tech1: true, tech8: true }, plusmixVersion: '0.1.0', timestamps: null });
  const text = writeOut(input);
  const back = readMplusOut(text);
  assert.is(back.result.parameters.length, 9);
  assert.ok(back.tech1 && back.tech1.sections.length === 8);
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-e2e-'));
  try {
    const out = join(dir, 'ex7.3.out');
    writeFileSync(out, text);
    let report = '';
    const code = await runDiff(`${REF_DIR}ex7.3.out`, out, { color: false, matchClasses: true, write: (s) => (report += s) });
    assert.is(code, 0, report);
    const j = JSON.parse(jsonText(toJson({ result, summary: input.summary, inputText: INPUT, plusmixVersion: '0.1.0' })));
    assert.equal(validate(j, loadSchema()), []);
    assert.equal(j.analysis.starts, { initial: 20, final: 4 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
