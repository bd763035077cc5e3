// Models with between-level random effects (D > 0) estimated by numerical integration (integrate.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { estimate } from '../../src/estimate/index.js';
import { compileModel, setTheta, slotToPar } from '../../src/estimate/compile.js';
import { makeWorkspace } from '../../src/estimate/likelihood.js';
import { freezeProposals, logLikIntegrated, makeIntegration, rule1D } from '../../src/estimate/integrate.js';
import { defaultStarts } from '../../src/estimate/starts.js';
import { ex91, ex104, twolevelConventional } from './models.js';

const near = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);

test('quadrature rules integrate normal moments', () => {
  for (const [type, Q] of [['GAUSSHERMITE', 15], ['STANDARD', 15]] as const) {
    const { z, w } = rule1D(type, Q);
    let m0 = 0, m2 = 0, m4 = 0;
    for (let q = 0; q < Q; q++) { m0 += w[q]!; m2 += w[q]! * z[q]! ** 2; m4 += w[q]! * z[q]! ** 4; }
    near(m0, 1, 1e-12, `${type} mass`);
    near(m2, 1, type === 'GAUSSHERMITE' ? 1e-10 : 1e-3, `${type} variance`);
    near(m4, 3, type === 'GAUSSHERMITE' ? 1e-9 : 2e-2, `${type} 4th moment`);
  }
});

test('UG ex9.1 random-intercept regression by integration equals the exact lme4 maximum (-1525.938)', () => {
  const peer = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/peers/ex9_1_lme4.json', import.meta.url)), 'utf8')).models.ex9_1;
  const { ir, ds } = ex91();
  const r = estimate(ir, ds, { estimator: 'ML' });
  assert.ok(r.terminatedNormally);
  near(r.fit!.loglikelihood, peer.loglik, 0.001, 'loglikelihood');
  assert.is(r.fit!.parameters, 6);
  assert.equal(r.integration, { type: 'STANDARD', points: 15, dimensions: 1, adaptive: true });
  const est = (level: string, block: string, name: string) => r.parameters.find((p) => p.level === level && p.block === block && p.name === name)!;
  const checks: Array<[string, string, string, { est: number; se_observed?: number }]> = [
    ['within', 'Y ON', 'X', peer.fixed.x], ['between', 'Y ON', 'W', peer.fixed.w], ['between', 'Y ON', 'XM', peer.fixed.xm],
    ['between', 'Intercepts', 'Y', peer.fixed['(Intercept)']],
    ['between', 'Residual Variances', 'Y', peer.varcomp['var((Intercept))']], ['within', 'Residual Variances', 'Y', peer.varcomp.residual],
  ];
  for (const [lv, block, name, ref] of checks) {
    const e = est(lv, block, name);
    near(e.estimate, ref.est, 0.001, `${lv} ${block} ${name}`);
    near(e.se, ref.se_observed!, 0.01 * ref.se_observed!, `SE ${lv} ${block} ${name}`);
  }
});

test('INTEGRATION = MONTECARLO (2000 draws, adaptive): ex9.1 within Monte Carlo error of the exact lme4 maximum', () => {
  const peer = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/peers/ex9_1_lme4.json', import.meta.url)), 'utf8')).models.ex9_1;
  const { ir, ds } = ex91();
  const r = estimate(ir, ds, { estimator: 'ML', integration: { type: 'MONTECARLO', points: 2000 } });
  assert.ok(r.terminatedNormally);
  assert.equal(r.integration, { type: 'MONTECARLO', points: 2000, dimensions: 1, adaptive: true });
  // adaptive importance sampling with 2000 draws per cluster: a few hundredths over 110 clusters
  near(r.fit!.loglikelihood, peer.loglik, 0.05, 'loglikelihood');
  const vb = r.parameters.find((p) => p.level === 'between' && p.block === 'Residual Variances' && p.name === 'Y')!;
  near(vb.estimate, peer.varcomp['var((Intercept))'].est, vb.se, 'Var(u0) within one SE');
});

test('random slope with a cross-level interaction (s | y ON x; y s ON w) reproduces lme4 (adaptive Gauss-Hermite 7)', () => {
  // peer: test/estimate/peers/conventional_lme4.R -> conventional_lme4.json
  const peer = JSON.parse(readFileSync(fileURLToPath(new URL('./peers/conventional_lme4.json', import.meta.url)), 'utf8'));
  const { ir, ds } = twolevelConventional();
  const r = estimate(ir, ds, { estimator: 'ML', integration: { type: 'GAUSSHERMITE', points: 7 } });
  assert.ok(r.terminatedNormally);
  near(r.fit!.loglikelihood, peer.loglik, 0.001, 'loglikelihood');
  assert.is(r.fit!.parameters, peer.npar);
  const est = (level: string, block: string, name: string) => r.parameters.find((p) => p.level === level && p.block === block && p.name === name)!.estimate;
  near(est('between', 'Intercepts', 'Y'), peer.fixed['(Intercept)'], 0.001, '[y]');
  near(est('between', 'Intercepts', 'S'), peer.fixed.x, 0.001, '[s]');
  near(est('between', 'Y ON', 'W'), peer.fixed.w, 0.001, 'y ON w');
  near(est('between', 'S ON', 'W'), peer.fixed['x:w'], 0.001, 's ON w');
  near(est('between', 'Residual Variances', 'Y'), peer.var_intercept, 0.001, 'Var(u0)');
  near(est('between', 'Residual Variances', 'S'), peer.var_slope, 0.001, 'Var(u1)');
  near(est('within', 'Residual Variances', 'Y'), peer.residual, 0.001, 'residual variance');
});

for (const metric of ['eta', 'z'] as const)
test(`integrated gradient (fast closed-form and node-by-node paths) equals central differences (ex10.4 model, nodes frozen in ${metric})`, () => {
  const { ir, ds } = ex104();
  const m = compileModel(ir, ds);
  const ws = makeWorkspace(m, 'logit');
  const st = makeIntegration(m, 'STANDARD', 5, true);
  st.metric = metric;
  const th = defaultStarts(m, 'logit', true);
  for (let j = 0; j < th.length; j++) th[j] = th[j]! + 0.02 * Math.cos(j + 1); // keeps the 0.05 variance starts positive
  setTheta(m, th);
  assert.ok(freezeProposals(m, ws, st, false) && freezeProposals(m, ws, st, true));
  const dSlot = new Float64Array(m.nSlots), g = new Float64Array(m.nFree), g2 = new Float64Array(m.nFree);
  assert.ok(st.fast);
  const llFast = logLikIntegrated(m, ws, st, dSlot);
  slotToPar(m, dSlot, g);
  st.fast = false;
  const llSlow = logLikIntegrated(m, ws, st, dSlot);
  slotToPar(m, dSlot, g2);
  near(llFast, llSlow, 1e-8 * Math.abs(llSlow), 'fast and node-by-node loglikelihood');
  for (let j = 0; j < m.nFree; j++) {
    const h = 1e-6 * Math.max(1, Math.abs(th[j]!));
    const t2 = Float64Array.from(th);
    t2[j] = th[j]! + h; setTheta(m, t2); const lp = logLikIntegrated(m, ws, st, null);
    t2[j] = th[j]! - h; setTheta(m, t2); const lm = logLikIntegrated(m, ws, st, null);
    const fd = (lp - lm) / (2 * h);
    const what = `parameter ${j + 1} (${m.parRow[j]!.level} ${m.parRow[j]!.kind} ${m.parRow[j]!.lhs} ${m.parRow[j]!.rhs})`;
    assert.ok(Math.abs(fd - g[j]!) <= 1e-4 * Math.max(1, Math.abs(fd)), `${what}: fast ${g[j]} vs numeric ${fd}`);
    assert.ok(Math.abs(fd - g2[j]!) <= 1e-4 * Math.max(1, Math.abs(fd)), `${what}: node-by-node ${g2[j]} vs numeric ${fd}`);
  }
});

test.run();
