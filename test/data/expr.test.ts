import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, type Table } from '../../src/data/expr.js';
import { expr } from './helpers.js';

// x: 1, missing, 3 ; y: missing, missing, 0
const table: Table = { names: ['x', 'y'], cols: [Float64Array.of(1, NaN, 3), Float64Array.of(NaN, NaN, 0)], nRows: 3 };
const run = (text: string) => {
  const f = compile(expr(text), { table, file: 't.inp', command: 'DEFINE' });
  return [0, 1, 2].map((i) => {
    const v = f(i);
    return Number.isNaN(v) ? 'NaN' : v;
  });
};

test('comparisons with a missing operand are unknown; _MISSING tests are definite', () => {
  assert.equal(run('x GT 2'), [0, 'NaN', 1]);
  assert.equal(run('x EQ _MISSING'), [0, 1, 0]);
  assert.equal(run('y NE _MISSING'), [0, 0, 1]);
  assert.equal(run('NOT (x GT 2)'), [1, 'NaN', 0]);
});

test('AND / OR follow Kleene logic', () => {
  assert.equal(run('x GT 2 AND y EQ 0'), [0, 'NaN', 1]); // false AND unknown = false
  assert.equal(run('x LT 2 OR y EQ 0'), [1, 'NaN', 1]); // true OR unknown = true
  assert.equal(run('x EQ _MISSING OR x GT 2'), [0, 1, 1]);
});

test('arithmetic and functions: missing propagates, domain errors give missing', () => {
  assert.equal(run('x * 2 + 1'), [3, 'NaN', 7]);
  assert.equal(run('1 / y'), ['NaN', 'NaN', 'NaN']);
  assert.equal(run('LOG(y)'), ['NaN', 'NaN', 'NaN']);
  assert.equal(run('SQRT(x - 2)'), ['NaN', 'NaN', 1]);
  assert.equal(run('MEAN(x y)'), [1, 'NaN', 1.5]);
  assert.equal(run('SUM(x y)'), ['NaN', 'NaN', 3]);
  assert.equal(run('2 ** 3 - x'), [7, 'NaN', 5]);
});

test.run();
