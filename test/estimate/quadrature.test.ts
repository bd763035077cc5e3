import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gaussHermite, rectangular, product, monteCarlo, integrationRule } from '../../src/estimate/quadrature.js';

// Moments of N(0,1): E[Z^2] = 1, E[Z^4] = 3, E[Z^6] = 15 (exact reference values).
function moment(nodes: Float64Array, weights: Float64Array, k: number): number {
  let s = 0;
  for (let q = 0; q < nodes.length; q++) s += weights[q] * nodes[q] ** k;
  return s;
}

test('Gauss-Hermite integrates polynomials of degree 2n-1 exactly', () => {
  const r = gaussHermite(5);
  assert.ok(Math.abs(moment(r.nodes, r.weights, 0) - 1) < 1e-12);
  assert.ok(Math.abs(moment(r.nodes, r.weights, 2) - 1) < 1e-12);
  assert.ok(Math.abs(moment(r.nodes, r.weights, 4) - 3) < 1e-11);
  assert.ok(Math.abs(moment(r.nodes, r.weights, 6) - 15) < 1e-10);
  assert.ok(Math.abs(moment(r.nodes, r.weights, 3)) < 1e-12);
});

test('Gauss-Hermite 2-point rule is ±1 with weights 1/2 (closed form)', () => {
  const r = gaussHermite(2);
  assert.ok(Math.abs(r.nodes[0] + 1) < 1e-12 && Math.abs(r.nodes[1] - 1) < 1e-12);
  assert.ok(Math.abs(r.weights[0] - 0.5) < 1e-12);
});

test('rectangular 15-point rule: E[exp(Z)] close to exp(1/2)', () => {
  const r = rectangular(15);
  let s = 0;
  for (let q = 0; q < 15; q++) s += r.weights[q] * Math.exp(r.nodes[q]);
  assert.ok(Math.abs(s - Math.exp(0.5)) < 1e-3, String(s));
  assert.ok(Math.abs(moment(r.nodes, r.weights, 2) - 1) < 1e-3);
});

test('product rule has n^D points with weights summing to 1', () => {
  const q = product(gaussHermite(3), 2, 'GAUSSHERMITE');
  assert.is(q.points, 9);
  let s = 0;
  for (const w of q.weights) s += w;
  assert.ok(Math.abs(s - 1) < 1e-12);
  // E[Z1^2 Z2^2] = 1
  let m = 0;
  for (let i = 0; i < 9; i++) m += q.weights[i] * q.nodes[2 * i] ** 2 * q.nodes[2 * i + 1] ** 2;
  assert.ok(Math.abs(m - 1) < 1e-12);
});

test('Monte Carlo rule is seeded and reproducible', () => {
  const a = monteCarlo(500, 2, 7);
  const b = monteCarlo(500, 2, 7);
  assert.equal(Array.from(a.nodes), Array.from(b.nodes));
  const c = integrationRule({ type: 'MONTECARLO', points: 500, seed: 8 }, 2);
  assert.not.equal(Array.from(a.nodes.slice(0, 4)), Array.from(c.nodes.slice(0, 4)));
  // sample variance of 1000 N(0,1) draws: within 5 SE (SE of variance ≈ sqrt(2/1000) ≈ 0.045)
  let s2 = 0;
  for (const z of a.nodes) s2 += z * z;
  assert.ok(Math.abs(s2 / a.nodes.length - 1) < 0.23);
});

test('zero dimensions: one node with weight 1', () => {
  const q = integrationRule({ type: 'STANDARD', points: 15 }, 0);
  assert.is(q.points, 1);
  assert.is(q.weights[0], 1);
});

test.run();
