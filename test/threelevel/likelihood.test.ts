// The closed-form three-level log-likelihood (src/estimate/threelevel/likelihood.ts: pooled within
// scatter, per-size V_n, Woodbury over level-3 clusters) against a dense multivariate normal density of
// each level-3 cluster's stacked outcome vector, with mean and covariance written entry by entry from the
// model equations of UG ex9.23 (no sufficient statistics, no Woodbury), on a small subset of the data with
// unequal level-2 cluster sizes, at parameter values away from the optimum (non-zero level-3 residual
// variances, a negative one included, covariances of the growth factors); also each level-3 cluster's
// contribution (clusterLoglik, the basis of the MLR scores) against its dense density.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelIR } from '../../src/model/ir.js';
import { PlusmixError } from '../../src/syntax/diagnostics.js';
import { compileThreeLevel, threeLevelLoglik } from '../../src/estimate/threelevel/index.js';
import { clusterLoglik, clusterScatter } from '../../src/estimate/threelevel/likelihood.js';
import { mvnLogDensity } from '../estimate/twolevel/dense.js';
import { ex923Input, loadText, root, tempFiles } from './helpers.js';

// rows of level-3 clusters 1 and 2, first 4 level-2 clusters of each, dropping some persons so that the
// level-2 cluster sizes are 5, 4, 3, 5, ...
const all = readFileSync(join(root, 'fixtures/mplus-ug/ex9.23.dat'), 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
const l2ids = [...new Set(all.filter((r) => r[8]! <= 2).map((r) => r[7]!))];
const keepL2 = new Set(l2ids.filter((_, i) => i % 30 < 4));
let counter = 0;
const subset = all.filter((r) => keepL2.has(r[7]!) && (counter++ % 7 !== 3) && (r[7]! % 3 !== 1 || counter % 5 !== 0));
const dir = tempFiles({ 'sub.dat': subset.map((r) => r.join(' ')).join('\n') + '\n' });

type Vals = Record<string, number>;
/** theta with named values: key `${level}|${kind}|${lhs}|${rhs}` (level W, 2, 3) */
function thetaOf(ir: ModelIR, vals: Vals): Float64Array {
  const th = new Float64Array(ir.nFree);
  for (const r of ir.rows) {
    if (r.par === 0) continue;
    const L = r.level === 'within' ? 'W' : r.betweenLevel === 'LEVEL3' ? '3' : '2';
    const key = `${L}|${r.kind}|${r.lhs}|${r.rhs}`;
    const v = vals[key] ?? vals[`${L}|${r.kind}|${r.rhs}|${r.lhs}`];
    if (v === undefined) throw new Error('no value for ' + key);
    th[r.par - 1] = v;
  }
  return th;
}

const TIMES = [0, 1, 2, 3];
/** growth covariance Lambda Psi Lambda' + diag(theta) for Lambda = [1, t] */
function growthCov(vi: number, vs: number, cis: number, res: number[]): number[][] {
  return TIMES.map((t, a) => TIMES.map((u, b) => vi + (t + u) * cis + t * u * vs + (a === b ? res[a]! : 0)));
}

/** dense log-density of each level-3 cluster (by its id) */
function denseLoglik(v: { W: number[][]; L2: number[][]; L3: number[][]; mean: (row: number[]) => number[] }): Map<number, number> {
  const out = new Map<number, number>();
  for (const k of [...new Set(subset.map((r) => r[8]!))]) {
    const rows = subset.filter((r) => r[8] === k);
    const y: number[] = [], m: number[] = [];
    for (const r of rows) { y.push(...r.slice(0, 4)); m.push(...v.mean(r)); }
    const V = y.map((_, i) => y.map((__, j) => {
      const ri = rows[Math.floor(i / 4)]!, rj = rows[Math.floor(j / 4)]!;
      const a = i % 4, b = j % 4;
      return (ri === rj ? v.W[a]![b]! : 0) + (ri[7] === rj[7] ? v.L2[a]![b]! : 0) + v.L3[a]![b]!;
    }));
    out.set(k, mvnLogDensity(y, m, V));
  }
  return out;
}

const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

test('closed form = dense per-cluster density (free level-3 residual variances, one negative)', () => {
  const { ir, dataset } = loadText(ex923Input('sub.dat', { level3: '\n  y1-y4;' }), dir);
  assert.ok(new Set(Array.from({ length: dataset.cluster!.ids.length }, (_, g) => dataset.cluster!.start[g + 1]! - dataset.cluster!.start[g]!)).size >= 3, 'unequal cluster sizes');
  const vals: Vals = {
    'W|residualVariance|Y1|': 0.9, 'W|residualVariance|Y2|': 1.1, 'W|residualVariance|Y3|': 1.3, 'W|residualVariance|Y4|': 0.8,
    'W|residualVariance|IW|': 1.2, 'W|residualVariance|SW|': 0.3, 'W|covariance|SW|IW': 0.1,
    'W|regression|IW|X': 0.7, 'W|regression|SW|X': 0.4,
    '2|residualVariance|Y1|': 0.5, '2|residualVariance|Y2|': 0.4, '2|residualVariance|Y3|': 0.6, '2|residualVariance|Y4|': 0.45,
    '2|residualVariance|IB2|': 0.5, '2|residualVariance|SB2|': 0.2, '2|covariance|SB2|IB2': -0.05,
    '2|regression|IB2|W': 0.3, '2|regression|SB2|W': 0.25,
    '3|residualVariance|Y1|': 0.05, '3|residualVariance|Y2|': -0.02, '3|residualVariance|Y3|': 0.1, '3|residualVariance|Y4|': 0.03,
    '3|residualVariance|IB3|': 0.6, '3|residualVariance|SB3|': 0.15, '3|covariance|SB3|IB3': 0.08,
    '3|regression|IB3|Z': 0.45, '3|regression|SB3|Z': 0.2, '3|intercept|IB3|': 0.4, '3|intercept|SB3|': 0.35,
  };
  const theta = thetaOf(ir, vals);
  const pr = compileThreeLevel(ir, dataset);
  const perCluster = denseLoglik({
    W: growthCov(1.2, 0.3, 0.1, [0.9, 1.1, 1.3, 0.8]),
    L2: growthCov(0.5, 0.2, -0.05, [0.5, 0.4, 0.6, 0.45]),
    L3: growthCov(0.6, 0.15, 0.08, [0.05, -0.02, 0.1, 0.03]),
    mean: (r) => TIMES.map((t) => 0.4 + 0.35 * t + (0.7 + 0.4 * t) * r[4]! + (0.3 + 0.25 * t) * r[5]! + (0.45 + 0.2 * t) * r[6]!),
  });
  const dense = sum(perCluster);
  const closed = threeLevelLoglik(pr, theta);
  assert.ok(Math.abs(closed - dense) < 1e-8 * Math.abs(dense), `closed ${closed} dense ${dense}`);
  // the per-level-3-cluster contributions behind the MLR scores
  const out = new Float64Array(pr.K);
  clusterLoglik(pr, clusterScatter(pr, ir, dataset), theta, out);
  for (let k = 0; k < pr.K; k++) {
    const want = perCluster.get(dataset.clusterTop!.ids[k]!)!;
    assert.ok(Math.abs(out[k]! - want) < 1e-8 * Math.abs(want), `cluster ${k}: ${out[k]} vs ${want}`);
  }
});

test('the default model (level-3 residual variances 0, singular level-3 covariance) = dense density', () => {
  const { ir, dataset } = loadText(ex923Input('sub.dat'), dir);
  const vals: Vals = {
    'W|residualVariance|Y1|': 1, 'W|residualVariance|Y2|': 1.05, 'W|residualVariance|Y3|': 0.95, 'W|residualVariance|Y4|': 1.1,
    'W|residualVariance|IW|': 1, 'W|residualVariance|SW|': 0.2, 'W|covariance|SW|IW': -0.02,
    'W|regression|IW|X': 1, 'W|regression|SW|X': 0.5,
    '2|residualVariance|Y1|': 0.5, '2|residualVariance|Y2|': 0.5, '2|residualVariance|Y3|': 0.45, '2|residualVariance|Y4|': 0.55,
    '2|residualVariance|IB2|': 0.45, '2|residualVariance|SB2|': 0.2, '2|covariance|SB2|IB2': 0.01,
    '2|regression|IB2|W': 0.4, '2|regression|SB2|W': 0.2,
    '3|residualVariance|IB3|': 0.55, '3|residualVariance|SB3|': 0.2, '3|covariance|SB3|IB3': 0.02,
    '3|regression|IB3|Z': 0.5, '3|regression|SB3|Z': 0.3, '3|intercept|IB3|': 0.45, '3|intercept|SB3|': 0.37,
  };
  const pr = compileThreeLevel(ir, dataset);
  const closed = threeLevelLoglik(pr, thetaOf(ir, vals));
  const dense = sum(denseLoglik({
    W: growthCov(1, 0.2, -0.02, [1, 1.05, 0.95, 1.1]),
    L2: growthCov(0.45, 0.2, 0.01, [0.5, 0.5, 0.45, 0.55]),
    L3: growthCov(0.55, 0.2, 0.02, [0, 0, 0, 0]),
    mean: (r) => TIMES.map((t) => 0.45 + 0.37 * t + (1 + 0.5 * t) * r[4]! + (0.4 + 0.2 * t) * r[5]! + (0.5 + 0.3 * t) * r[6]!),
  }));
  assert.ok(Math.abs(closed - dense) < 1e-8 * Math.abs(dense), `closed ${closed} dense ${dense}`);
});

test('a missing outcome value is refused with E_THREELEVEL_MISSING naming the record', () => {
  const rows = subset.map((r) => r.map(String));
  rows[2]![1] = '*';
  const d2 = tempFiles({ 'm.dat': rows.map((r) => r.join(' ')).join('\n') + '\n' });
  const { ir, dataset } = loadText(ex923Input('m.dat', {}, '\n  MISSING = *;'), d2);
  try {
    compileThreeLevel(ir, dataset);
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, PlusmixError);
    const d = (e as PlusmixError).diagnostics[0]!;
    assert.is(d.code, 'E_THREELEVEL_MISSING');
    assert.match(d.message, /Y2 is missing in record 3/);
  }
});

test.run();
