// Mplus User's Guide ex9.1 (two-level random-intercept regression) against lme4
// (fixtures/peers/ex9_1_lme4.json, bench/peers/ex9_1_lme4.R), and the EAP of the random
// intercept against direct numerical integration of the posterior.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Matrix, inverse } from 'ml-matrix';
import { estimateTwoLevel } from '../../../src/estimate/twolevel/index.js';
import { centre, fixture, makeDataset, peerValue, readFree, twoLevelIR, type PeerModel, type Roles } from './builder.js';

type PeerValue = { est: number; se: number };
const peer = (JSON.parse(readFileSync(fixture('peers/ex9_1_lme4.json')!, 'utf8')) as { models: { ex9_1: PeerModel } }).models.ex9_1;
const pv = (term: string): PeerValue => peerValue(peer, term);
const varTerm = peer.varcomp['var((Intercept))'] ? 'var((Intercept))' : 'var(Intercept)';

// VARIABLE: NAMES = y x w xm clus; WITHIN = x; BETWEEN = w xm; CLUSTER = clus;
// DEFINE: CENTER x (GRANDMEAN);  MODEL: %WITHIN% y ON x; %BETWEEN% y ON w xm;
const raw = readFree(fixture('mplus-ug/ex9.1a.dat')!, ['y', 'x', 'w', 'xm', 'clus']);
const cols: Record<string, Float64Array> = { ...raw, X: centre(raw.X!) };
const roles: Roles = { cluster: 'CLUS', within: ['X'], between: ['W', 'XM'], both: ['Y'] };
const ds = makeDataset('ex9.1a.dat', cols, roles);
const r = estimateTwoLevel(twoLevelIR({ y: 'Y', fixed: ['X'], between: { Y: ['W', 'XM'] } }, roles), ds, { estimator: 'ML' });
const get = (level: string, block: string, name: string) => r.parameters.find((p) => p.level === level && p.block === block && p.name === name)!;

test('ex9.1: log-likelihood -1525.938 and 6 parameters as lme4', () => {
  assert.ok(Math.abs(r.fit!.loglikelihood - -1525.938) < 0.01);
  assert.ok(Math.abs(r.fit!.loglikelihood - peer.loglik) < 0.01);
  assert.is(r.fit!.parameters, peer.npar);
});

test('ex9.1: estimates within 0.1% and SEs within 2% of the peer', () => {
  const pairs: Array<[PeerValue, { estimate: number; se: number }]> = [
    [pv('x'), get('within', 'Y ON', 'X')],
    [pv('w'), get('between', 'Y ON', 'W')],
    [pv('xm'), get('between', 'Y ON', 'XM')],
    [pv(varTerm), get('between', 'Residual Variances', 'Y')],
    [pv('residual'), get('within', 'Residual Variances', 'Y')],
  ];
  for (const [want, got] of pairs) {
    assert.ok(Math.abs(got.estimate - want.est) <= 1e-3 * Math.abs(want.est), `${got.estimate} vs ${want.est}`);
    assert.ok(Math.abs(got.se - want.se) <= 0.02 * want.se, `SE ${got.se} vs ${want.se}`);
  }
  // lme4's intercept is at x uncentred: [y] = b0 + b1 * mean(x)
  const mx = raw.X!.reduce((s, v) => s + v, 0) / raw.X!.length;
  const want = pv('(Intercept)').est + pv('x').est * mx;
  assert.ok(Math.abs(get('between', 'Intercepts', 'Y').estimate - want) <= 1e-3 * Math.abs(want));
});

test('ex9.1: EAP of the random intercept equals the posterior mean by numerical integration', () => {
  const fs = r.factorScores!;
  const b = get('within', 'Y ON', 'X').estimate, s2 = get('within', 'Residual Variances', 'Y').estimate;
  const tau = get('between', 'Residual Variances', 'Y').estimate;
  const a = get('between', 'Intercepts', 'Y').estimate, gw = get('between', 'Y ON', 'W').estimate, gx = get('between', 'Y ON', 'XM').estimate;
  const cl = ds.cluster!;
  for (const j of [0, 17, 64, 109]) {
    const rows = Array.from(cl.order.subarray(cl.start[j]!, cl.start[j + 1]!));
    const mean = a + gw * cols.W![rows[0]!]! + gx * cols.XM![rows[0]!]!;
    // trapezoid rule over the random intercept u on mean +- 8 sd
    let m0 = 0, m1 = 0, m2 = 0;
    const sd = Math.sqrt(tau), n = 4001;
    for (let k = 0; k < n; k++) {
      const u = mean - 8 * sd + (16 * sd * k) / (n - 1);
      let lp = -0.5 * ((u - mean) ** 2) / tau;
      for (const i of rows) lp += -0.5 * ((cols.Y![i]! - b * cols.X![i]! - u) ** 2) / s2;
      const d = Math.exp(lp + 50);
      m0 += d; m1 += d * u; m2 += d * u * u;
    }
    const eap = m1 / m0, psd = Math.sqrt(m2 / m0 - eap * eap);
    assert.ok(Math.abs(fs.values[j * 2]! - eap) < 1e-6, `cluster ${j}: ${fs.values[j * 2]} vs ${eap}`);
    assert.ok(Math.abs(fs.values[j * 2 + 1]! - psd) < 1e-6);
  }
});

test('ex9.1: INFORMATION = EXPECTED gives the peer\'s expected-information SEs (lme4 vcov for fixed effects)', () => {
  const e = estimateTwoLevel(twoLevelIR({ y: 'Y', fixed: ['X'], between: { Y: ['W', 'XM'] } }, roles), ds, { estimator: 'ML', information: 'expected' });
  const find = (level: string, block: string, name: string) => e.parameters.find((p) => p.level === level && p.block === block && p.name === name)!;
  const expected = (term: string): number => {
    const v = (peer.varcomp[term] ?? peer.fixed[term]) as { se?: number; se_expected?: number };
    return v.se_expected ?? v.se!;
  };
  const pairs: Array<[string, { se: number }]> = [
    ['x', find('within', 'Y ON', 'X')],
    ['w', find('between', 'Y ON', 'W')],
    ['xm', find('between', 'Y ON', 'XM')],
    [varTerm, find('between', 'Residual Variances', 'Y')],
    ['residual', find('within', 'Residual Variances', 'Y')],
  ];
  for (const [term, got] of pairs) assert.ok(Math.abs(got.se - expected(term)) <= 0.002 * expected(term), `${term}: ${got.se} vs ${expected(term)}`);
});

test('ex9.1: MLR sandwich equals one built from a naive dense per-cluster likelihood', () => {
  const m = estimateTwoLevel(twoLevelIR({ y: 'Y', fixed: ['X'], between: { Y: ['W', 'XM'] } }, roles), ds, { estimator: 'MLR' });
  assert.ok(Math.abs(m.fit!.loglikelihood - r.fit!.loglikelihood) < 1e-6);
  // parameters in TECH1 order: [Y ON X, resvar, Y ON W, Y ON XM, [Y], var(Y)] (twoLevelIR numbering)
  const order = m.parameters.filter((p) => !p.fixed).sort((a, b) => a.par - b.par);
  const names = order.map((p) => `${p.level} ${p.block} ${p.name}`);
  assert.equal(names, ['within Y ON X', 'within Residual Variances Y', 'between Y ON W', 'between Y ON XM', 'between Intercepts Y', 'between Residual Variances Y']);
  const cl = ds.cluster!;
  // log N(y_j; mu_j, s2 I + tau 11') by a dense Cholesky, no Woodbury, no sufficient statistics
  const clusterLl = (t: number[], j: number): number => {
    const [b, s2, gw, gx, a, tau] = t as [number, number, number, number, number, number];
    const rows = Array.from(cl.order.subarray(cl.start[j]!, cl.start[j + 1]!));
    const n = rows.length;
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k <= i; k++) {
        let v = tau + (i === k ? s2 : 0);
        for (let l = 0; l < k; l++) v -= L[i * n + l]! * L[k * n + l]!;
        L[i * n + k] = i === k ? Math.sqrt(v) : v / L[k * n + k]!;
      }
    const z = new Float64Array(n);
    let ll = -0.5 * n * Math.log(2 * Math.PI);
    rows.forEach((row, i) => {
      let v = cols.Y![row]! - (a + b * cols.X![row]! + gw * cols.W![row]! + gx * cols.XM![row]!);
      for (let l = 0; l < i; l++) v -= L[i * n + l]! * z[l]!;
      z[i] = v / L[i * n + i]!;
      ll += -Math.log(L[i * n + i]!) - 0.5 * z[i]! ** 2;
    });
    return ll;
  };
  const th = order.map((p) => p.estimate);
  const P = th.length, J = cl.start.length - 1, h = 1e-4;
  const total = (t: number[]) => { let s = 0; for (let j = 0; j < J; j++) s += clusterLl(t, j); return s; };
  const shift = (t: number[], k: number, d: number) => t.map((v, i) => (i === k ? v + d : v));
  const Bm = Array.from({ length: P }, () => new Array<number>(P).fill(0));
  for (let j = 0; j < J; j++) {
    const g = th.map((_, k) => (clusterLl(shift(th, k, h), j) - clusterLl(shift(th, k, -h), j)) / (2 * h));
    for (let a = 0; a < P; a++) for (let c = 0; c < P; c++) Bm[a]![c]! += g[a]! * g[c]!;
  }
  const Am = Array.from({ length: P }, (_, a) => Array.from({ length: P }, (_, c) =>
    -(total(shift(shift(th, a, h), c, h)) - total(shift(shift(th, a, h), c, -h)) - total(shift(shift(th, a, -h), c, h)) + total(shift(shift(th, a, -h), c, -h))) / (4 * h * h)));
  const Ai = inverse(new Matrix(Am));
  const V = Ai.mmul(new Matrix(Bm)).mmul(Ai);
  order.forEach((p, k) => assert.ok(Math.abs(p.se - Math.sqrt(V.get(k, k))) < 0.005 * p.se, `${names[k]}: ${p.se} vs ${Math.sqrt(V.get(k, k))}`));
});

test.run();
