// Failures are reported as Mplus warnings, never as NaN estimates or exceptions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimate } from '../../src/estimate/index.js';
import { IRBuilder, readData } from './builder.js';
import { lca } from './models.js';

test('an estimation stopped by the iteration limits is reported as not terminated normally', () => {
  const { ir, ds } = lca();
  const r = estimate(ir, ds, { starts: [0, 0], mIterations: 2, qnIterations: 1 });
  assert.is(r.terminatedNormally, false);
  assert.is(r.fit, null);
  assert.ok(r.warnings.some((w) => w.code === 'W_NOT_CONVERGED'));
  assert.ok(r.warnings.every((w) => w.lines.every((l) => !l.includes('NaN'))));
});

test('a non-identified model gives the singular-information warning naming a parameter', () => {
  // y1 ON x1 x1b where x1b duplicates x1: the two slopes are not separately identified
  const ds = readData('mplus-ug/ex3.1.dat', ['y1', 'x1', 'x3'], [{ name: 'y1' }, { name: 'x1' }]);
  ds.columns.push({ ...ds.columns[1]!, name: 'X1B', display: 'x1b' });
  const ir = new IRBuilder(ds).row('regression', 'y1', { rhs: 'x1' }).row('regression', 'y1', { rhs: 'x1b' }).row('intercept', 'y1').row('residualVariance', 'y1').build(['x1', 'x1b']);
  const r = estimate(ir, ds, { estimator: 'ML' });
  const w = r.warnings.find((x) => x.code === 'W_SINGULAR_INFORMATION');
  assert.ok(w, JSON.stringify(r.warnings));
  assert.match(w!.lines.join(' '), /Parameter [12], Y1 ON X1/);
  assert.is(r.covariance, null);
});

test.run();
