// Between-level class variables (`CLASSES = cb(2)` with cb in BETWEEN) and within + between class
// variables, in the integration engine: the log-likelihood must equal an independent computation
// written here from the model equations (closed form without random effects, a dense normal or a
// fine 1-D trapezoid integral with one), and the analytic gradient must equal central differences.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { parseOrThrow } from '../../src/syntax/parse.js';
import { loadData } from '../../src/data/index.js';
import { buildModel } from '../../src/model/index.js';
import { makeEngine } from '../../src/estimate/estimate.js';
import { evalGrad, evalLL } from '../../src/estimate/optimize.js';
import { placeProposals } from '../../src/estimate/integrate.js';
import type { Engine } from '../../src/estimate/estimate.js';

const SIM = fileURLToPath(new URL('../../fixtures/sim/', import.meta.url));

function engine(model: string, classes: string, between: string): Engine {
  const text = `DATA: FILE = twolevel_regmix.dat;
VARIABLE: NAMES = y x w clus tc; USEVARIABLES = y x w;
  CLASSES = ${classes}; WITHIN = x; BETWEEN = w ${between}; CLUSTER = clus;
ANALYSIS: TYPE = TWOLEVEL MIXTURE; INTEGRATION = 15;
MODEL:
${model}`;
  const ast = parseOrThrow(text, 'between.inp');
  const ds = loadData(ast, SIM).dataset;
  const built = buildModel(ast, { columns: ds.columns }, ds);
  const eng = makeEngine(built.ir, ds, {});
  return eng;
}

/** theta away from symmetric points, with every variance positive */
function probe(eng: Engine): Float64Array {
  const th = Float64Array.from(eng.start);
  for (let j = 0; j < th.length; j++) {
    const kind = eng.m.parRow[j]!.kind;
    th[j] = kind === 'variance' || kind === 'residualVariance' ? Math.max(th[j]!, 0.3) * (1 + 0.1 * Math.sin(j)) : th[j]! + 0.3 * Math.sin(3 * j + 1);
  }
  return th;
}

/** Adaptive quadrature: proposals centred on each cluster's posterior at theta; returns the log-likelihood there. */
function adaptAt(eng: Engine, th: Float64Array): number {
  evalLL(eng.obj, th);
  placeProposals(eng.m, eng.ws, eng.intg!);
  return evalLL(eng.obj, th);
}

/** The parameters the reference formulas read (0 for those the model does not have). */
function named(eng: Engine, th: Float64Array) {
  const get = (pred: (r: Engine['m']['parRow'][number]) => boolean) => { const r = eng.m.parRow.find(pred); return r ? th[r.par - 1]! : 0; };
  const meanY = (r: Engine['m']['parRow'][number]) => (r.kind === 'intercept' || r.kind === 'mean') && r.lhs === 'Y';
  return {
    a: get((r) => r.kind === 'classIntercept' && r.lhs === 'CB'),
    g: get((r) => r.kind === 'classRegression' && r.lhs === 'CB'),
    ac: get((r) => r.kind === 'classIntercept' && r.lhs === 'C'),
    gc: get((r) => r.kind === 'classRegression' && r.lhs === 'C' && r.rhs === 'X'),
    gcb: get((r) => r.kind === 'classRegression' && r.lhs === 'C' && r.rhs === 'CB'),
    theta: get((r) => r.kind === 'residualVariance' && r.level === 'within'),
    slope: get((r) => r.kind === 'regression' && r.lhs === 'Y'),
    /** [y] of between class b (and within class k) */
    nu: (b: number, k?: number) => get((r) => meanY(r) && isB(r, b) && (k === undefined || r.classes['C'] === k)),
  };
}

/** Named parameter values from the rows (first matching row). */
function par(eng: Engine, th: Float64Array, pred: (r: Engine['m']['parRow'][number]) => boolean): number {
  for (const r of eng.m.parRow) if (pred(r)) return th[r.par - 1]!;
  throw new Error('no such parameter');
}

interface Cluster { w: number; y: number[]; x: number[] }
function clustersOf(eng: Engine): Cluster[] {
  const m = eng.m, { start, order, J } = m.clusters!;
  const xi = m.covNames.indexOf('X'), wi = m.covNames.indexOf('W');
  const out: Cluster[] = [];
  for (let j = 0; j < J; j++) {
    const c: Cluster = { w: m.x[order[start[j]!]! * m.X + wi]!, y: [], x: [] };
    for (let t = start[j]!; t < start[j + 1]!; t++) { const i = order[t]!; c.y.push(m.y[i * m.P]!); c.x.push(m.x[i * m.X + xi]!); }
    out.push(c);
  }
  return out;
}
const lnorm = (y: number, mu: number, v: number) => -0.5 * (Math.log(2 * Math.PI * v) + ((y - mu) * (y - mu)) / v);
const lse = (a: number[]) => { const mx = Math.max(...a); return mx + Math.log(a.reduce((s, v) => s + Math.exp(v - mx), 0)); };

function checkGradient(eng: Engine, th: Float64Array): void {
  const g = new Float64Array(eng.m.nFree);
  const ll = evalGrad(eng.obj, th, g);
  assert.ok(Number.isFinite(ll));
  for (let j = 0; j < th.length; j++) {
    const h = 1e-5 * Math.max(1, Math.abs(th[j]!));
    const t2 = Float64Array.from(th);
    t2[j] = th[j]! + h; const lp = evalLL(eng.obj, t2);
    t2[j] = th[j]! - h; const lm = evalLL(eng.obj, t2);
    const fd = (lp - lm) / (2 * h);
    const r = eng.m.parRow[j]!;
    assert.ok(Math.abs(fd - g[j]!) <= 1e-4 * Math.max(1, Math.abs(fd)), `parameter ${j + 1} (${r.kind} ${r.lhs}${r.index ?? ''} ${r.rhs}): analytic ${g[j]} vs numeric ${fd}`);
  }
}

const isB = (r: { classes: Record<string, number> }, b: number) => r.classes['CB'] === b;

test('between class only, no random effects: closed form and gradient', () => {
  const eng = engine(`%WITHIN%
%OVERALL%
y ON x;
%cb#1%
y ON x;
%cb#2%
y ON x;
%BETWEEN%
%OVERALL%
cb ON w;
y@0;`, 'cb(2)', 'cb');
  assert.is(eng.m.D, 0);
  assert.is(eng.m.K, 2);
  const th = probe(eng);
  const ll = adaptAt(eng, th);
  let ref = 0;
  const { a, g, theta } = named(eng, th);
  const nu = [1, 2].map((b) => named(eng, th).nu(b));
  const beta = [1, 2].map((b) => par(eng, th, (r) => r.kind === 'regression' && r.lhs === 'Y' && r.rhs === 'X' && isB(r, b)));
  for (const c of clustersOf(eng)) {
    const lp = [a + g * c.w, 0];
    const l0 = lse(lp);
    ref += lse([0, 1].map((b) => lp[b]! - l0 + c.y.reduce((s, y, i) => s + lnorm(y, nu[b]! + beta[b]! * c.x[i]!, theta), 0)));
  }
  assert.ok(Math.abs(ll - ref) < 1e-6 * Math.abs(ref), `${ll} vs ${ref}`);
  checkGradient(eng, th);
});

test('within and between classes (c ON cb), no random effects: closed form and gradient', () => {
  const eng = engine(`%WITHIN%
%OVERALL%
y ON x;
c ON x;
%BETWEEN%
%OVERALL%
cb ON w;
c ON cb;
y@0;
MODEL cb.c:
%BETWEEN%
%cb#1.c#1%
[y];
%cb#1.c#2%
[y];
%cb#2.c#1%
[y];
%cb#2.c#2%
[y];`, 'cb(2) c(2)', 'cb');
  assert.is(eng.m.K, 4);
  const th = probe(eng);
  const ll = adaptAt(eng, th);
  const { a, g, ac, gc, gcb, theta, slope } = named(eng, th);
  const nu = [1, 2].map((b) => [1, 2].map((k) => named(eng, th).nu(b, k)));
  let ref = 0;
  for (const cl of clustersOf(eng)) {
    const lp = [a + g * cl.w, 0];
    const l0 = lse(lp);
    ref += lse([0, 1].map((b) => lp[b]! - l0 + cl.y.reduce((s, y, i) => {
      const z = [ac + gc * cl.x[i]! + (b === 0 ? gcb : 0), 0];
      const z0 = lse(z);
      return s + lse([0, 1].map((k) => z[k]! - z0 + lnorm(y, nu[b]![k]! + slope * cl.x[i]!, theta)));
    }, 0)));
  }
  assert.ok(Math.abs(ll - ref) < 1e-6 * Math.abs(ref), `${ll} vs ${ref}`);
  checkGradient(eng, th);
});

test('between classes with a class-specific random-intercept variance: integral equals the dense normal, gradient', () => {
  const eng = engine(`%WITHIN%
%OVERALL%
y ON x;
%BETWEEN%
%OVERALL%
cb ON w;
%cb#1%
[y]; y;
%cb#2%
[y]; y;`, 'cb(2)', 'cb');
  assert.is(eng.m.D, 1);
  const th = probe(eng);
  const ll = adaptAt(eng, th);
  const { a, g, theta, slope } = named(eng, th);
  const mu = [1, 2].map((b) => named(eng, th).nu(b));
  const v = [1, 2].map((b) => par(eng, th, (r) => (r.kind === 'variance' || r.kind === 'residualVariance') && r.level === 'between' && isB(r, b)));
  let ref = 0;
  for (const cl of clustersOf(eng)) {
    const lp = [a + g * cl.w, 0];
    const l0 = lse(lp);
    ref += lse([0, 1].map((b) => {
      // compound symmetry theta I + v 11': log density in closed form
      const n = cl.y.length, e = cl.y.map((y, i) => y - mu[b]! - slope * cl.x[i]!);
      const se = e.reduce((s, x) => s + x, 0), see = e.reduce((s, x) => s + x * x, 0);
      const quad = (see - (v[b]! * se * se) / (theta + n * v[b]!)) / theta;
      const logdet = (n - 1) * Math.log(theta) + Math.log(theta + n * v[b]!);
      return lp[b]! - l0 - 0.5 * (n * Math.log(2 * Math.PI) + logdet + quad);
    }));
  }
  assert.ok(Math.abs(ll - ref) < 1e-3, `${ll} vs ${ref}`);
  checkGradient(eng, th);
});

test('within and between classes with a random class-logit intercept: 1-D trapezoid integral, gradient', () => {
  const eng = engine(`%WITHIN%
%OVERALL%
y ON x;
c ON x;
%BETWEEN%
%OVERALL%
c#1; y@0;
c ON cb;
cb ON w;
MODEL cb.c:
%BETWEEN%
%cb#1.c#1%
[y];
%cb#1.c#2%
[y];
%cb#2.c#1%
[y];
%cb#2.c#2%
[y];
MODEL cb:
%BETWEEN%
%cb#1%
c#1;
%cb#2%
c#1;`, 'cb(2) c(2)', 'cb');
  assert.is(eng.m.D, 1);
  const th = probe(eng);
  const ll = adaptAt(eng, th);
  const { a, g, ac, gc, gcb, theta, slope } = named(eng, th);
  const nu = [1, 2].map((b) => [1, 2].map((k) => named(eng, th).nu(b, k)));
  const v = [1, 2].map((b) => par(eng, th, (r) => r.level === 'between' && r.lhs === 'C#1' && (r.kind === 'variance' || r.kind === 'residualVariance') && isB(r, b)));
  let ref = 0;
  const G = 801;
  for (const cl of clustersOf(eng)) {
    const lp = [a + g * cl.w, 0];
    const l0 = lse(lp);
    ref += lse([0, 1].map((b) => {
      const sd = Math.sqrt(v[b]!);
      const terms: number[] = [];
      for (let t = 0; t < G; t++) {
        const u = -10 * sd + (20 * sd * t) / (G - 1);
        let l = lnorm(u, 0, v[b]!) + Math.log((20 * sd) / (G - 1)) + (t === 0 || t === G - 1 ? Math.log(0.5) : 0);
        for (let i = 0; i < cl.y.length; i++) {
          const z = [ac + gc * cl.x[i]! + (b === 0 ? gcb : 0) + u, 0];
          const z0 = lse(z);
          l += lse([0, 1].map((k) => z[k]! - z0 + lnorm(cl.y[i]!, nu[b]![k]! + slope * cl.x[i]!, theta)));
        }
        terms.push(l);
      }
      return lp[b]! - l0 + lse(terms);
    }));
  }
  assert.ok(Math.abs(ll - ref) < 5e-3, `${ll} vs ${ref}`);
  checkGradient(eng, th);
});

test.run();
