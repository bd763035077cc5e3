// The integration engine's fast path (separable tables on the product grid, row-wise node sums) and
// the pruning of negligible product-rule nodes (integrate.ts, PRUNE_REL):
//   - on a 3-dimensional model (NELS-like model B3 on 60 of its schools: random intercept, random slope
//     with its covariate in the loading, class-logit factor) the fast loglikelihood and gradient equal
//     the node-by-node path, and the gradient equals central differences;
//   - pruning moves the loglikelihood by less than 1e-3 on ex10.4, the Fig. 3 model and B3 at their start
//     values (largest seen: 3.4e-4, Fig. 3 adaptive; 1e-6 on full B3), below Mplus's printed precision.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOrThrow } from '../../src/syntax/parse.js';
import { loadData } from '../../src/data/index.js';
import { buildModel } from '../../src/model/index.js';
import { compileModel, setTheta, slotToPar } from '../../src/estimate/compile.js';
import type { CompiledModel } from '../../src/estimate/compile.js';
import { makeWorkspace } from '../../src/estimate/likelihood.js';
import { freezeProposals, logLikIntegrated, makeIntegration } from '../../src/estimate/integrate.js';
import type { IntegrationState } from '../../src/estimate/integrate.js';
import { defaultStarts } from '../../src/estimate/starts.js';
import type { IntegrationType } from '../../src/estimate/options.js';
import { ex104, twolevelRegmix } from './models.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Model B3 (examples/nels/B3.inp) on the first `schools` schools of the NELS-like data. */
function b3(schools: number) {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-b3-'));
  const rows = readFileSync(join(ROOT, 'examples/nels/nels_like.dat'), 'utf8').split('\n').filter((l) => l.trim() && Number(l.trim().split(/\s+/)[0]) <= schools);
  writeFileSync(join(dir, 'nels_like.dat'), rows.join('\n') + '\n');
  const ast = parseOrThrow(readFileSync(join(ROOT, 'examples/nels/B3.inp'), 'utf8'), join(dir, 'B3.inp'));
  const { dataset } = loadData(ast, dir);
  const { ir } = buildModel(ast, { columns: dataset.columns }, dataset);
  return { ir, ds: dataset };
}

/** Start values moved off their defaults (variances kept positive), proposals adapted there. */
function setup(m: CompiledModel, type: IntegrationType, points: number, adaptive: boolean, prune?: number, metric: 'eta' | 'z' = 'eta') {
  const ws = makeWorkspace(m, 'logit');
  const st = makeIntegration(m, type, points, adaptive, prune);
  st.metric = metric;
  const th = defaultStarts(m, 'logit', true);
  for (let j = 0; j < th.length; j++) th[j] = th[j]! + 0.02 * Math.cos(j + 1);
  setTheta(m, th);
  assert.ok(freezeProposals(m, ws, st, false) && freezeProposals(m, ws, st, true));
  return { ws, st, th };
}

function gradient(m: CompiledModel, ws: ReturnType<typeof makeWorkspace>, st: IntegrationState) {
  const dSlot = new Float64Array(m.nSlots), g = new Float64Array(m.nFree);
  const ll = logLikIntegrated(m, ws, st, dSlot);
  slotToPar(m, dSlot, g);
  return { ll, g };
}

for (const metric of ['eta', 'z'] as const)
test(`B3 (3 dimensions, random slope): fast loglikelihood and gradient equal the node-by-node path and central differences (nodes frozen in ${metric})`, () => {
  const { ir, ds } = b3(60);
  const m = compileModel(ir, ds);
  assert.is(m.D, 3);
  const { ws, st, th } = setup(m, 'GAUSSHERMITE', 3, true, undefined, metric);
  assert.ok(st.fast);
  const fast = gradient(m, ws, st);
  st.fast = false;
  const slow = gradient(m, ws, st);
  st.fast = true;
  assert.ok(Math.abs(fast.ll - slow.ll) <= 1e-9 * Math.abs(slow.ll), `loglikelihood fast ${fast.ll} vs node by node ${slow.ll}`);
  for (let j = 0; j < m.nFree; j++) {
    const what = `parameter ${j + 1} (${m.parRow[j]!.level} ${m.parRow[j]!.kind} ${m.parRow[j]!.lhs} ${m.parRow[j]!.rhs})`;
    assert.ok(Math.abs(fast.g[j]! - slow.g[j]!) <= 1e-7 * Math.max(1, Math.abs(slow.g[j]!)), `${what}: fast ${fast.g[j]} vs node by node ${slow.g[j]}`);
    const h = 1e-6 * Math.max(1, Math.abs(th[j]!));
    const t2 = Float64Array.from(th);
    t2[j] = th[j]! + h; setTheta(m, t2); const lp = logLikIntegrated(m, ws, st, null);
    t2[j] = th[j]! - h; setTheta(m, t2); const lm = logLikIntegrated(m, ws, st, null);
    const fd = (lp - lm) / (2 * h);
    assert.ok(Math.abs(fd - fast.g[j]!) <= 1e-4 * Math.max(1, Math.abs(fd)), `${what}: fast ${fast.g[j]} vs numeric ${fd}`);
  }
});

test('pruned product rule: loglikelihood within 1e-3 of the full STANDARD(15) rule (ex10.4, Fig. 3, B3)', () => {
  const cases: Array<[string, () => { ir: Parameters<typeof compileModel>[0]; ds: Parameters<typeof compileModel>[1] }, boolean]> = [
    ['ex10.4 adaptive', ex104, true], ['ex10.4 non-adaptive', ex104, false],
    ['Fig. 3 adaptive', twolevelRegmix, true], ['Fig. 3 non-adaptive', twolevelRegmix, false],
    ['B3 (60 schools) adaptive', () => b3(60), true],
  ];
  for (const [name, fixture, adaptive] of cases) {
    const { ir, ds } = fixture();
    const m = compileModel(ir, ds);
    const pruned = setup(m, 'STANDARD', 15, adaptive);
    const full = setup(m, 'STANDARD', 15, adaptive, 0);
    assert.is(full.st.nq, 15 ** m.D);
    if (m.D === 3) assert.is(pruned.st.nq, 2987);
    const a = logLikIntegrated(m, pruned.ws, pruned.st, null), b = logLikIntegrated(m, full.ws, full.st, null);
    assert.ok(Number.isFinite(a) && Math.abs(a - b) < 1e-3, `${name}: pruned ${a} vs full ${b}`);
  }
});

test.run();
