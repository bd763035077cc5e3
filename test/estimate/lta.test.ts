// Two within-level class variables with `c2 ON c1` (latent transition structure): the class pattern
// probabilities are P(c1 = a) P(c2 = b | c1 = a), not one softmax over the patterns. The
// log-likelihood must equal a brute-force sum over the patterns written here from the model
// equations, the analytic gradient must equal central differences, and a fit must reach at least
// the likelihood of the brute-force optimum's neighbourhood (the engine's own maximum, checked
// against a direct Newton-free evaluation at perturbed points).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { parseOrThrow } from '../../src/syntax/parse.js';
import { loadData } from '../../src/data/index.js';
import { buildModel } from '../../src/model/index.js';
import { estimate, makeEngine } from '../../src/estimate/estimate.js';
import { evalGrad, evalLL } from '../../src/estimate/optimize.js';
import type { Engine } from '../../src/estimate/estimate.js';

const SIM = fileURLToPath(new URL('../../fixtures/sim/', import.meta.url));
const INPUT = `DATA: FILE = lpa4.dat;
VARIABLE: NAMES = y1-y4 tc; USEVARIABLES = y1-y4;
  CLASSES = c1 (2) c2 (2);
ANALYSIS: TYPE = MIXTURE; STARTS = 0;
MODEL:
%OVERALL%
c2 ON c1;
MODEL c1:
%c1#1%
[y1*0 y2*0];
%c1#2%
[y1*1.5 y2*1.5];
MODEL c2:
%c2#1%
[y3*0 y4*0];
%c2#2%
[y3*1.5 y4*1.5];`;

function load() {
  const ast = parseOrThrow(INPUT, 'lta.inp');
  const ds = loadData(ast, SIM).dataset;
  const built = buildModel(ast, { columns: ds.columns }, ds);
  return { ir: built.ir, ds };
}

const lnorm = (y: number, mu: number, v: number) => -0.5 * (Math.log(2 * Math.PI * v) + ((y - mu) * (y - mu)) / v);
const lse = (a: number[]) => { const mx = Math.max(...a); return mx + Math.log(a.reduce((s, v) => s + Math.exp(v - mx), 0)); };

function bruteForce(eng: Engine, th: Float64Array): number {
  const m = eng.m;
  const par = (pred: (r: (typeof m.parRow)[number]) => boolean) => { const r = m.parRow.find(pred); if (!r) throw new Error('no parameter'); return th[r.par - 1]!; };
  const a1 = par((r) => r.kind === 'classIntercept' && r.lhs === 'C1');
  const a2 = par((r) => r.kind === 'classIntercept' && r.lhs === 'C2');
  const g21 = par((r) => r.kind === 'classRegression' && r.lhs === 'C2' && r.rhs === 'C1');
  const mean = (y: string, cv: string, k: number) => par((r) => r.kind === 'intercept' || r.kind === 'mean' ? r.lhs === y && r.classes[cv] === k : false);
  const v = ['Y1', 'Y2', 'Y3', 'Y4'].map((y) => par((r) => (r.kind === 'variance' || r.kind === 'residualVariance') && r.lhs === y));
  let ll = 0;
  for (let i = 0; i < m.n; i++) {
    const y = [0, 1, 2, 3].map((p) => m.y[i * m.P + p]!);
    const terms: number[] = [];
    for (const a of [1, 2]) for (const b of [1, 2]) {
      const lpa = (a === 1 ? a1 : 0) - lse([a1, 0]);
      const z = [a2 + (a === 1 ? g21 : 0), 0];
      const lpb = z[b - 1]! - lse(z);
      let l = lpa + lpb;
      l += lnorm(y[0]!, mean('Y1', 'C1', a), v[0]!) + lnorm(y[1]!, mean('Y2', 'C1', a), v[1]!);
      l += lnorm(y[2]!, mean('Y3', 'C2', b), v[2]!) + lnorm(y[3]!, mean('Y4', 'C2', b), v[3]!);
      terms.push(l);
    }
    ll += lse(terms);
  }
  return ll;
}

test('c2 ON c1: loglikelihood equals the brute-force sum over patterns, gradient equals central differences', () => {
  const { ir, ds } = load();
  const eng = makeEngine(ir, ds, {});
  assert.is(eng.m.K, 4);
  assert.is(eng.m.K2, 2);
  const th = Float64Array.from(eng.start);
  for (let j = 0; j < th.length; j++) {
    const kind = eng.m.parRow[j]!.kind;
    th[j] = kind === 'variance' || kind === 'residualVariance' ? Math.max(th[j]!, 0.5) : th[j]! + 0.3 * Math.sin(3 * j + 1);
  }
  const ll = evalLL(eng.obj, th);
  const ref = bruteForce(eng, th);
  assert.ok(Math.abs(ll - ref) < 1e-8 * Math.abs(ref), `${ll} vs ${ref}`);
  const g = new Float64Array(th.length);
  evalGrad(eng.obj, th, g);
  for (let j = 0; j < th.length; j++) {
    const h = 1e-5 * Math.max(1, Math.abs(th[j]!));
    const t2 = Float64Array.from(th);
    t2[j] = th[j]! + h; const lp = evalLL(eng.obj, t2);
    t2[j] = th[j]! - h; const lm = evalLL(eng.obj, t2);
    const fd = (lp - lm) / (2 * h);
    const r = eng.m.parRow[j]!;
    assert.ok(Math.abs(fd - g[j]!) <= 1e-4 * Math.max(1, Math.abs(fd)), `parameter ${j + 1} (${r.kind} ${r.lhs} ${r.rhs}): analytic ${g[j]} vs numeric ${fd}`);
  }
});

test('c2 ON c1 fit: converges to a maximum of the brute-force likelihood; on lpa4 (one latent dichotomy) c1 and c2 agree', () => {
  const { ir, ds } = load();
  const r = estimate(ir, ds, {});
  assert.ok(r.terminatedNormally);
  const eng = makeEngine(ir, ds, {});
  const at = bruteForce(eng, r.theta);
  assert.ok(Math.abs(at - r.fit!.loglikelihood) < 1e-6 * Math.abs(at));
  // no coordinate step improves the brute-force likelihood: a maximum
  for (let j = 0; j < r.theta.length; j++)
    for (const d of [-1e-3, 1e-3]) {
      const t2 = Float64Array.from(r.theta);
      t2[j] = t2[j]! + d;
      assert.ok(bruteForce(eng, t2) <= at + 1e-6, `parameter ${j + 1} moved by ${d} improves the likelihood`);
    }
  // lpa4 has one latent dichotomy (fixtures/sim/README.md): y1-y2 and y3-y4 share it, so the
  // transition c1 -> c2 is near-deterministic (c2#1 ON c1#1 large and positive)
  const g = r.parameters.find((p) => p.categoricalLatent && p.block === 'C2#1 ON' && p.name === 'C1#1')!;
  assert.ok(g.estimate > 3, `C2#1 ON C1#1 = ${g.estimate}`);
  assert.is(r.classCounts!.perVariable!.length, 2);
});

test.run();
