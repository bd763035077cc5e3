// TECH11 / TECH14 (src/estimate/lrt.ts) against independent numbers:
//  - real Mplus outputs on public data: Mplus 8.8, fixtures/peers/lrt_bully/ (the IMMERSE bullying
//    LCA, MM4DBER/Intro_to_LCA), 1 vs 2 classes: H0 loglikelihood, 2 x difference, Mean, Standard
//    Deviation, LMR adjusted value (p printed 0.0000); Mplus 9, fixtures/peers/lrt_kmeans/ (an LPA,
//    immerse-ucsb/lca-bookdown), 2 vs 3 classes: the same plus both P-Values (0.1916, 0.1976);
//  - the R peer bench/peers/lrt_vlmr.R (fixtures/peers/lrt_vlmr.json): own EM, scores, numDeriv
//    Hessian, MLR covariance, Vuong matrix, Imhof p-values by integrate() and by simulation, for the
//    same LCA and for the LPA of sim/lpa4.dat;
//  - data generation (TECH14) against its generating values.
// The bootstrap itself runs 2 draws with 2 random starts (it is exercised, not converged: a real
// TECH14 takes minutes; that belongs to bench/).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseOrThrow } from '../../src/syntax/parse.js';
import { loadData } from '../../src/data/index.js';
import { buildIR } from '../../src/model/build.js';
import { estimate } from '../../src/estimate/index.js';
import { makeEngine } from '../../src/estimate/estimate.js';
import { bootstrapLrt, fitNullModel, generateFromModel, lmrAdjusted, vlmrTest, weightedChiSquareTail } from '../../src/estimate/lrt.js';
import type { EstimationOptionsInput } from '../../src/estimate/options.js';
import { tech11Lines, tech14Lines } from '../../src/output/tech11.js';

const FIX = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const peer = JSON.parse(readFileSync(FIX + 'peers/lrt_vlmr.json', 'utf8'));

/** TECH11 / TECH14 numbers of a real Mplus output. */
function mplusSection(file: string, title: string, end: string, dir = 'peers/lrt_bully/'): string[] {
  const lines = readFileSync(FIX + dir + file, 'utf8').split(/\r?\n/);
  const a = lines.indexOf(title);
  const b = lines.indexOf(end, a + 1);
  return lines.slice(a, b);
}
function value(section: string[], label: string, nth = 0): number {
  const hits = section.filter((l) => l.trimStart().startsWith(label));
  return Number(hits[nth]!.trim().split(/\s+/).pop());
}

function model(input: string, dir: string) {
  const ast = parseOrThrow(input, 'lrt.inp');
  const { dataset: ds } = loadData(ast, FIX + dir);
  return { ds, ir: buildIR(ast, ds.columns, [], ds) };
}

const BULLY = (k: number) => `DATA: FILE = bully.dat;
VARIABLE: NAMES = u1-u6; MISSING = .; CATEGORICAL = u1-u6; CLASSES = c(${k});
ANALYSIS: TYPE = MIXTURE;
`;

test('weighted chi-square tail (Imhof) = R integrate() and simulation', () => {
  for (const t of peer.weighted_chisq_tails as Array<{ x: number; lambdas: number[]; p_imhof: number; p_simulated: number; p?: number }>) {
    const p = weightedChiSquareTail(t.x, t.lambdas);
    assert.ok(Math.abs(p - t.p_imhof) < 1e-6, `x=${t.x} ${t.lambdas}: ${p} vs R ${t.p_imhof}`);
    if (t.p !== undefined) assert.ok(Math.abs(p - t.p) < 1e-7, `exact chi-square ${p} vs ${t.p}`);
    const se = Math.sqrt(Math.max(t.p_simulated * (1 - t.p_simulated), 1e-12) / 1e6);
    assert.ok(Math.abs(p - t.p_simulated) < 4 * se + 1e-6, `simulation ${t.p_simulated}`);
  }
});

const est: EstimationOptionsInput = { starts: [10, 2], estimator: 'MLR' };

test('LCA 1 vs 2 classes (bullying data): Mplus 8.8 TECH11 and the R peer', () => {
  const { ir, ds } = model(BULLY(2), 'peers/lrt_bully/');
  const h1 = estimate(ir, ds, est);
  const h0 = fitNullModel(ir, ds, h1, { estimation: est });
  assert.equal(h0.k1Starts, [10, 2]);
  const t = vlmrTest(ir, ds, h1, h0, est);
  const mp = mplusSection('c2_bully.out', 'TECHNICAL 11 OUTPUT', 'TECHNICAL 14 OUTPUT');
  // Mplus prints 3 decimals
  assert.ok(Math.abs(t.h0Loglikelihood - value(mp, 'H0 Loglikelihood Value')) < 6e-4);
  assert.ok(Math.abs(t.lrt - value(mp, '2 Times the Loglikelihood Difference')) < 2e-3);
  assert.is(t.parameterDifference, value(mp, 'Difference in the Number of Parameters'));
  assert.ok(Math.abs(t.mean - value(mp, 'Mean')) < 2e-3, `mean ${t.mean}`);
  assert.ok(Math.abs(t.sd - value(mp, 'Standard Deviation')) < 2e-3, `sd ${t.sd}`);
  assert.ok(Math.abs(t.adjusted.value - value(mp, 'Value')) < 2e-3);
  assert.ok(t.pValue < 5e-5 && t.adjusted.pValue < 5e-5); // printed 0.0000
  const r = peer.lca_bully.find((x: { classes: number }) => x.classes === 2);
  assert.ok(Math.abs(t.mean - r.mean) < 1e-3 * Math.abs(r.mean) && Math.abs(t.sd - r.sd) < 1e-3 * r.sd);
  assert.ok(Math.abs(t.adjusted.value - r.lmr) < 1e-3);
  // the TECH11 lines of that output, with our numbers
  const lines = tech11Lines({ ...t, k1Starts: [200, 100] });
  assert.equal(lines, mp);
});

test('LPA 2 vs 3 classes (Mplus 9 output): Mean, SD, both P-Values and the LMR value', () => {
  const { ir, ds } = model(`DATA: FILE = grading.dat;
VARIABLE: NAMES = z1-z5; CLASSES = c(3);
ANALYSIS: TYPE = MIXTURE;
`, 'peers/lrt_kmeans/');
  const h1 = estimate(ir, ds, est);
  const h0 = fitNullModel(ir, ds, h1, { estimation: est });
  const t = vlmrTest(ir, ds, h1, h0, est);
  const mp = mplusSection('model_1_class_3.out', 'TECHNICAL 11 OUTPUT', 'TECHNICAL 14 OUTPUT', 'peers/lrt_kmeans/');
  assert.ok(Math.abs(t.h0Loglikelihood - value(mp, 'H0 Loglikelihood Value')) < 6e-4);
  assert.ok(Math.abs(t.lrt - value(mp, '2 Times the Loglikelihood Difference')) < 2e-3);
  assert.is(t.parameterDifference, value(mp, 'Difference in the Number of Parameters'));
  // the largest weight (24.4) moves with the last digits of the estimates: 2 units of the last printed digit
  assert.ok(Math.abs(t.mean - value(mp, 'Mean')) < 2.5e-3, `mean ${t.mean}`);
  assert.ok(Math.abs(t.sd - value(mp, 'Standard Deviation')) < 2.5e-3, `sd ${t.sd}`);
  assert.ok(Math.abs(t.pValue - value(mp, 'P-Value', 0)) < 1e-4, `p ${t.pValue}`);
  assert.ok(Math.abs(t.adjusted.value - value(mp, 'Value')) < 2e-3);
  assert.ok(Math.abs(t.adjusted.pValue - value(mp, 'P-Value', 1)) < 1e-4, `LMR p ${t.adjusted.pValue}`);
});

test('LPA 1 vs 2 classes (sim/lpa4.dat): Mean, SD, p-values and LMR = R peer', () => {
  const { ir, ds } = model(`DATA: FILE = lpa4.dat;
VARIABLE: NAMES = y1-y4 tc; USEVARIABLES = y1-y4; CLASSES = c(2);
ANALYSIS: TYPE = MIXTURE;
`, 'sim/');
  const h1 = estimate(ir, ds, est);
  const h0 = fitNullModel(ir, ds, h1, { estimation: est });
  const t = vlmrTest(ir, ds, h1, h0, est);
  const r = peer.lpa4;
  assert.ok(Math.abs(h1.fit!.loglikelihood - r.h1_loglik) < 1e-3 && Math.abs(t.h0Loglikelihood - r.h0_loglik) < 1e-3);
  assert.is(t.parameterDifference, r.parameter_difference);
  assert.ok(Math.abs(t.mean - r.mean) < 2e-3 * Math.abs(r.mean), `mean ${t.mean} vs ${r.mean}`);
  assert.ok(Math.abs(t.sd - r.sd) < 2e-3 * r.sd, `sd ${t.sd} vs ${r.sd}`);
  assert.ok(Math.abs(t.adjusted.value - r.lmr) < 2e-3);
  assert.ok(Math.abs(t.pValue - r.p_imhof) < 1e-4, `p ${t.pValue} vs ${r.p_imhof}`);
  assert.ok(Math.abs(t.adjusted.pValue - r.lmr_p_imhof) < 1e-4);
});

test('LMR formula 15 reproduces the Mplus adjusted values of all five bullying outputs', () => {
  for (const k of [2, 3, 4, 5, 6]) {
    const mp = mplusSection(`c${k}_bully.out`, 'TECHNICAL 11 OUTPUT', 'TECHNICAL 14 OUTPUT');
    const adj = lmrAdjusted(value(mp, '2 Times the Loglikelihood Difference'), value(mp, 'Difference in the Number of Parameters'), 2027);
    assert.ok(Math.abs(adj - value(mp, 'Value')) < 2e-3, `k=${k}: ${adj}`);
  }
});

test('TECH14 layout = Mplus 8.8 (with the local-maxima warning)', () => {
  const mp = mplusSection('c4_bully.out', 'TECHNICAL 14 OUTPUT', 'PLOT INFORMATION');
  const lines = tech14Lines({
    classes: 4, k1Starts: [200, 100], lrtStarts: [0, 0, 40, 8], drawsRequested: null,
    h0Loglikelihood: value(mp, 'H0 Loglikelihood Value'), lrt: value(mp, '2 Times the Loglikelihood Difference'),
    parameterDifference: 7, pValue: 0, successfulDraws: 49, draws: [], notReplicated: 38, seed: 0,
  });
  assert.equal(lines, mp);
});

test('generated data: class proportions and item probabilities = generating values, missing cells kept', () => {
  const { ir, ds } = model(BULLY(2), 'peers/lrt_bully/');
  // generating values: class 1 has P(u = 1) = 0.8 on every item, class 2 0.1; P(class 1) = 0.3
  const theta = new Float64Array(ir.nFree);
  for (const r of ir.rows) if (r.kind === 'threshold') theta[r.par - 1] = r.classes.C === 1 ? Math.log(0.2 / 0.8) : Math.log(0.9 / 0.1);
  theta[ir.rows.find((r) => r.kind === 'classIntercept')!.par - 1] = Math.log(0.3 / 0.7);
  const big = { ...ds, nRows: ds.nRows * 5, columns: ds.columns.map((c) => ({ ...c, values: Float64Array.from({ length: ds.nRows * 5 }, (_, i) => c.values[i % ds.nRows]!) })) };
  const g = generateFromModel(ir, makeEngine(ir, big, est), theta, big, 7);
  const n = big.nRows;
  for (let j = 0; j < 6; j++) {
    const v = g.columns[j]!.values, o = big.columns[j]!.values;
    let ones = 0, obs = 0;
    for (let i = 0; i < n; i++) {
      assert.is(Number.isNaN(v[i]!), Number.isNaN(o[i]!));
      if (!Number.isNaN(v[i]!)) { obs++; ones += v[i]!; }
    }
    const p = 0.3 * 0.8 + 0.7 * 0.1;
    assert.ok(Math.abs(ones / obs - p) < 4 * Math.sqrt(p * (1 - p) / obs), `item ${j + 1}: ${ones / obs} vs ${p}`);
  }
  // pairwise association implied by the classes: P(u1 = u2 = 1) = 0.3 * 0.64 + 0.7 * 0.01
  let both = 0, m = 0;
  const a = g.columns[0]!.values, b = g.columns[1]!.values;
  for (let i = 0; i < n; i++) if (!Number.isNaN(a[i]!) && !Number.isNaN(b[i]!)) { m++; if (a[i] === 1 && b[i] === 1) both++; }
  const p11 = 0.3 * 0.64 + 0.7 * 0.01;
  assert.ok(Math.abs(both / m - p11) < 4 * Math.sqrt(p11 * (1 - p11) / m));
});

test('TECH14 runs (2 draws, 2 starts): draws under H0 stay far below the observed LRT', () => {
  const { ir, ds } = model(BULLY(2), 'peers/lrt_bully/');
  const fast: EstimationOptionsInput = { starts: [4, 1], estimator: 'MLR' };
  const h1 = estimate(ir, ds, fast);
  const h0 = fitNullModel(ir, ds, h1, { estimation: fast });
  const t = bootstrapLrt(ir, ds, h1, h0, { estimation: fast, draws: 2, lrtStarts: [0, 0, 2, 1], seed: 3 });
  assert.is(t.successfulDraws, 2);
  // under H0 (one class) the LRT of 2 classes is of the order of its 7 extra parameters, not 498
  assert.ok(t.draws.every((x) => x > -1e-6 && x < 60), String(t.draws));
  assert.is(t.pValue, 0);
  const again = bootstrapLrt(ir, ds, h1, h0, { estimation: fast, draws: 2, lrtStarts: [0, 0, 2, 1], seed: 3 });
  assert.equal(again.draws, t.draws);
});

test.run();
