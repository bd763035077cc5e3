// The analytic gradient (Fisher identity through the slot -> par map) must equal central differences
// of the log-likelihood, for a model that exercises every block of the single-level engine at once:
// a within factor with class-varying variance, a residual covariance, missing continuous outcomes,
// an ordinal item with a covariate, a nominal item with a covariate, class logits on a covariate.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readData, IRBuilder } from './builder.js';
import { compileModel, setTheta, slotToPar } from '../../src/estimate/compile.js';
import { makeWorkspace, logLik, logLikGrad, personScores } from '../../src/estimate/likelihood.js';
import { defaultStarts } from '../../src/estimate/starts.js';
import type { Dataset } from '../../src/data/dataset.js';

function richData(): Dataset {
  const ys = ['y1', 'y2', 'y3', 'y4'];
  const ds = readData('sim/lpa4.dat', [...ys, 'trueclass'], ys.map((name) => ({ name })));
  const n = 300;
  for (const c of ds.columns) c.values = c.values.slice(0, n);
  ds.nRows = n;
  const [y1, y2, y3] = ds.columns.map((c) => c.values);
  const u = new Float64Array(n), v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = y1![i]! + y2![i]!;
    u[i] = i % 7 === 0 ? NaN : s < 0.5 ? 0 : s < 2.5 ? 1 : 2;
    v[i] = y3![i]! < 0 ? 0 : y3![i]! < 1.5 ? 1 : 2;
  }
  for (let i = 0; i < n; i += 5) y2![i] = NaN;
  ds.columns.push({ name: 'U', display: 'u', values: u, scale: 'categorical', categories: [0, 1, 2], level: 'within' });
  ds.columns.push({ name: 'V', display: 'v', values: v, scale: 'nominal', categories: [0, 1, 2], level: 'within' });
  return ds;
}

for (const link of ['logit', 'probit'] as const) {
  test(`analytic gradient equals central differences (${link}, factor + ordinal + nominal + missing)`, () => {
    const ds = richData();
    const b = new IRBuilder(ds, { name: 'c', K: 2 });
    b.each('loading', 'f', { rhs: 'y1', fixed: 1 }).each('loading', 'f', { rhs: 'y2' }).each('loading', 'f', { rhs: 'y3' });
    b.each('variance', 'f', { varying: true }).row('mean', 'f', { cls: 1 }).row('mean', 'f', { cls: 2, fixed: 0 }).each('regression', 'f', { rhs: 'y4' });
    for (const y of ['y1', 'y2', 'y3']) b.each('intercept', y, { varying: true }).each('residualVariance', y);
    b.each('covariance', 'y1', { rhs: 'y2' }).each('regression', 'y3', { rhs: 'y4', varying: true });
    b.each('threshold', 'u', { index: 1, varying: true }).each('threshold', 'u', { index: 2, varying: true }).each('regression', 'u', { rhs: 'y4' });
    b.each('mean', 'v#1', { varying: true }).each('mean', 'v#2', { varying: true }).each('regression', 'v#1', { rhs: 'y4' });
    const ir = b.classLogits(['y4']).build(['y4']);
    ir.latent.push({ name: 'F', display: 'f', level: 'within', kind: 'factor' });
    const m = compileModel(ir, ds);
    const ws = makeWorkspace(m, link);
    const th = defaultStarts(m, link, true);
    for (let j = 0; j < th.length; j++) th[j] = th[j]! + 0.05 * Math.sin(j + 1); // away from symmetric points
    setTheta(m, th);
    const dSlot = new Float64Array(m.nSlots), g = new Float64Array(m.nFree);
    const ll = logLikGrad(m, ws, dSlot);
    assert.ok(Number.isFinite(ll));
    slotToPar(m, dSlot, g);
    for (let j = 0; j < m.nFree; j++) {
      const h = 1e-6 * Math.max(1, Math.abs(th[j]!));
      const t2 = Float64Array.from(th);
      t2[j] = th[j]! + h; setTheta(m, t2); const lp = logLik(m, ws);
      t2[j] = th[j]! - h; setTheta(m, t2); const lm = logLik(m, ws);
      const fd = (lp - lm) / (2 * h);
      assert.ok(Math.abs(fd - g[j]!) <= 1e-4 * Math.max(1, Math.abs(fd)), `parameter ${j + 1} (${m.parRow[j]!.kind} ${m.parRow[j]!.lhs} ${m.parRow[j]!.rhs}): analytic ${g[j]} vs numeric ${fd}`);
    }
    // per-person scores add up to the gradient
    setTheta(m, th);
    const sc = personScores(m, ws);
    for (let j = 0; j < m.nFree; j++) {
      let s = 0;
      for (let i = 0; i < m.n; i++) s += sc[i * m.nFree + j]!;
      assert.ok(Math.abs(s - g[j]!) <= 1e-8 * Math.max(1, Math.abs(g[j]!)), `score sum ${j + 1}`);
    }
  });
}

test.run();
