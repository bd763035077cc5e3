// Heteroscedastic level-1 variance (seed paper eq. 17, model 1b; grouped variance, model 1c) on
// data simulated from known values: estimates must be within 3.5 SE of the generating values.
// Also: the analytic gradient against finite differences, and KNOWNCLASS-specific residual
// variances against the equivalent grouped-variance model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Matrix, inverse } from 'ml-matrix';
import { estimateTwoLevel, compileTwoLevel, level1VarianceFromConstraint, TwoLevelLikelihood } from '../../../src/estimate/twolevel/index.js';
import { parseOrThrow } from '../../../src/syntax/parse.js';
import type { ConstraintCommand } from '../../../src/syntax/ast.js';
import type { EstimationResult } from '../../../src/results/types.js';
import { PlusmixError } from '../../../src/syntax/diagnostics.js';
import { makeDataset, twoLevelIR, type Roles, type TwoLevelSpec } from './builder.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** y = 1 + 0.5 x + u0 + u1 x + e, T = [[.5,.1],[.1,.2]], Var(e) = variance(g, z) */
function simulate(seed: number, variance: (g: number, z: number) => number) {
  const u = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const J = 160, n = 20, N = J * n;
  const cols: Record<string, Float64Array> = { CL: new Float64Array(N), Y: new Float64Array(N), X: new Float64Array(N), G: new Float64Array(N), Z: new Float64Array(N) };
  let i = 0;
  for (let j = 0; j < J; j++) {
    const z0 = normal(), z1 = normal();
    const u0 = Math.sqrt(0.5) * z0;
    const u1 = (0.1 / Math.sqrt(0.5)) * z0 + Math.sqrt(0.2 - 0.02) * z1;
    for (let k = 0; k < n; k++, i++) {
      const x = normal(), g = u() < 0.5 ? 1 : 0, z = 2 * u();
      cols.CL![i] = j + 1; cols.X![i] = x; cols.G![i] = g; cols.Z![i] = z;
      cols.Y![i] = 1 + 0.5 * x + u0 + u1 * x + Math.sqrt(variance(g, z)) * normal();
    }
  }
  return cols;
}

const roles: Roles = { cluster: 'CL', within: ['X', 'G', 'Z'], between: [], both: ['Y'] };
const spec: TwoLevelSpec = { y: 'Y', slopes: { S: 'X' }, covariances: true };
const find = (r: EstimationResult, level: string | null, block: string, name: string) => {
  const p = r.parameters.find((x) => x.level === level && x.block === block && x.name === name);
  if (!p) throw new Error(`${block} ${name}`);
  return p;
};
function within(r: EstimationResult, level: string | null, block: string, name: string, truth: number): void {
  const p = find(r, level, block, name);
  assert.ok(Math.abs(p.estimate - truth) < 3.5 * p.se, `${block} ${name}: ${p.estimate} (se ${p.se}) vs ${truth}`);
}
function commonChecks(r: EstimationResult): void {
  assert.ok(r.terminatedNormally);
  within(r, 'between', 'Intercepts', 'Y', 1);
  within(r, 'between', 'Means', 'S', 0.5);
  within(r, 'between', 'Residual Variances', 'Y', 0.5);
  within(r, 'between', 'Variances', 'S', 0.2);
  within(r, 'between', 'Y WITH', 'S', 0.1);
}

test('level-1 variance linear in covariates (eq. 17): recovers kappa0 + kappa1 g + kappa2 z', () => {
  const cols = simulate(11, (g, z) => 1 + 0.8 * g + 0.4 * z);
  const r = estimateTwoLevel(twoLevelIR(spec, roles), makeDataset('sim', cols, roles), { estimator: 'ML', level1Variance: { kind: 'linear', covariates: ['G', 'Z'] } });
  commonChecks(r);
  within(r, 'within', 'Residual Variances', 'Y', 1);
  within(r, 'within', 'New/Additional Parameters', 'K1', 0.8);
  within(r, 'within', 'New/Additional Parameters', 'K2', 0.4);
  assert.is(r.fit!.parameters, 8); // 6 rows + K1, K2
});

test('level-1 variance by group: recovers one variance per group', () => {
  const cols = simulate(12, (g) => (g === 1 ? 2 : 1));
  const r = estimateTwoLevel(twoLevelIR(spec, roles), makeDataset('sim', cols, roles), { estimator: 'MLR', level1Variance: { kind: 'group', variable: 'G' } });
  commonChecks(r);
  within(r, 'within', 'Residual Variances', 'Y', 1);
  within(r, 'within', 'New/Additional Parameters', 'G_1', 2);
});

test('KNOWNCLASS-specific residual variances = grouped variance + class proportions', () => {
  const cols = simulate(13, (g) => (g === 1 ? 2 : 1));
  const ds = makeDataset('sim', cols, roles);
  const grouped = estimateTwoLevel(twoLevelIR(spec, roles), ds, { estimator: 'ML', level1Variance: { kind: 'group', variable: 'G' } });
  // CLASSES = cg(2); KNOWNCLASS = cg (g = 0 g = 1); %cg#1% y; %cg#2% y;
  const ir = twoLevelIR(spec, roles);
  const rv = ir.rows.find((r) => r.level === 'within' && r.kind === 'residualVariance')!;
  rv.classes = { CG: 1 };
  ir.rows.push({ ...rv, id: ir.rows.length, classes: { CG: 2 }, par: ++ir.nFree });
  ir.rows.push({ id: ir.rows.length, level: null, classes: {}, kind: 'classIntercept', lhs: 'CG', rhs: '', index: 1, par: ++ir.nFree, value: 0, userValue: false, origin: 'default' });
  ir.mixture = true;
  ir.classVariables = [{ name: 'CG', display: 'cg', nClasses: 2, level: 'within', known: { variable: 'G', values: [[0], [1]] } }];
  const of = Int32Array.from(cols.G!, (g) => g);
  const known = estimateTwoLevel(ir, { ...ds, knownClass: [{ classVariable: 'CG', of }] }, { estimator: 'ML' });
  const n1 = of.reduce((s, v) => s + v, 0), n0 = of.length - n1, N = of.length;
  const classPart = n0 * Math.log(n0 / N) + n1 * Math.log(n1 / N);
  assert.ok(Math.abs(known.fit!.loglikelihood - (grouped.fit!.loglikelihood + classPart)) < 1e-4);
  const v2 = known.parameters.find((p) => p.classLabel === '2' && p.block === 'Residual Variances')!;
  assert.ok(Math.abs(v2.estimate - find(grouped, 'within', 'New/Additional Parameters', 'G_1').estimate) < 1e-4);
  assert.ok(Math.abs(find(known, null, 'Means', 'CG#1').estimate - Math.log(n0 / n1)) < 1e-5);
});

test('analytic gradient equals finite differences (slopes, covariances, linear variance)', () => {
  const cols = simulate(14, (g, z) => 1 + 0.8 * g + 0.4 * z);
  const prob = compileTwoLevel(twoLevelIR(spec, roles), makeDataset('sim', cols, roles), { kind: 'linear', covariates: ['G', 'Z'] });
  const lik = new TwoLevelLikelihood(prob);
  const th = Float64Array.from(prob.start);
  th[prob.nParams - 1] = 0.1; // kappa2 away from 0
  const g = new Float64Array(prob.nParams);
  lik.evaluate(th, g);
  for (let k = 0; k < prob.nParams; k++) {
    const h = 1e-6 * Math.max(1, Math.abs(th[k]!));
    const t = Float64Array.from(th);
    t[k] = th[k]! + h; const a = lik.evaluate(t);
    t[k] = th[k]! - h; const b = lik.evaluate(t);
    const num = (a - b) / (2 * h);
    assert.ok(Math.abs(num - g[k]!) < 1e-4 * Math.max(1, Math.abs(num)), `param ${k}: ${g[k]} vs ${num}`);
  }
});

test('unsupported shapes fail with a PlusmixError naming the problem', () => {
  // a random slope on a covariate in neither WITHIN nor BETWEEN (a latent covariate) is not closed-form
  const ir = twoLevelIR({ y: 'Y', slopes: { S: 'X' } }, roles);
  ir.observed.find((v) => v.name === 'X')!.level = 'both';
  const cols = simulate(15, () => 1);
  try {
    estimateTwoLevel(ir, makeDataset('sim', cols, roles));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, PlusmixError);
    assert.match((e as PlusmixError).message, /Declare X in WITHIN/);
  }
});

test('expected and observed information agree at the MLE of a large sample (linear level-1 variance)', () => {
  const cols = simulate(16, (g, z) => 1 + 0.8 * g + 0.4 * z);
  const ds = makeDataset('sim', cols, roles);
  const opts = { estimator: 'ML' as const, level1Variance: { kind: 'linear' as const, covariates: ['G', 'Z'] } };
  const obs = estimateTwoLevel(twoLevelIR(spec, roles), ds, opts);
  const exp = estimateTwoLevel(twoLevelIR(spec, roles), ds, { ...opts, information: 'expected' });
  obs.parameters.forEach((p, k) => {
    const e = exp.parameters[k]!;
    assert.ok(Math.abs(e.se / p.se - 1) < 0.1, `${p.block} ${p.name}: expected ${e.se} vs observed ${p.se}`);
  });
});

test('MODEL CONSTRAINT theta = k0 + k1*g + k2*z (model 1b syntax) maps to the linear level-1 variance', () => {
  const ast = parseOrThrow('DATA: FILE = sim.dat;\nVARIABLE: NAMES = cl y x g z;\nMODEL CONSTRAINT:\n  NEW (k0 k1 k2);\n  theta = k0 + k1*g + z*k2;\n', 'm1b.inp');
  const cmd = ast.commands.find((c): c is ConstraintCommand => c.kind === 'Constraint')!;
  const ir = twoLevelIR(spec, roles);
  const rv = ir.rows.find((r) => r.level === 'within' && r.kind === 'residualVariance')!;
  ir.labels.set('THETA', rv.par);
  ir.constraint = { newParams: [{ name: 'K0', start: 0.5 }, { name: 'K1', start: 0.5 }, { name: 'K2', start: 0.5 }], statements: cmd.statements };
  assert.equal(level1VarianceFromConstraint(ir), { kind: 'linear', covariates: ['G', 'Z'], names: ['K1', 'K2'] });
  // anything else in MODEL CONSTRAINT is refused, not ignored
  const bad = parseOrThrow('DATA: FILE = sim.dat;\nVARIABLE: NAMES = cl y x g z;\nMODEL CONSTRAINT:\n  NEW (k0 k1);\n  theta = k0 + k1*g;\n  0 = k0 - k1;\n', 'bad.inp');
  ir.constraint = { newParams: [{ name: 'K0', start: 0.5 }, { name: 'K1', start: 0.5 }], statements: bad.commands.find((c): c is ConstraintCommand => c.kind === 'Constraint')!.statements };
  assert.throws(() => level1VarianceFromConstraint(ir), (e: unknown) => e instanceof PlusmixError && /line 6/.test(e.message));
});

test('random slope + grouped variance: MLR sandwich equals one built from a naive dense likelihood', () => {
  const full = simulate(17, (g) => (g === 1 ? 2 : 1));
  // the first 40 clusters (800 rows)
  const cols: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(full)) cols[k] = v.slice(0, 800);
  const ds = makeDataset('sim', cols, roles);
  const m = estimateTwoLevel(twoLevelIR(spec, roles), ds, { estimator: 'MLR', level1Variance: { kind: 'group', variable: 'G' } });
  const at = (level: string, block: string, name: string) => m.parameters.findIndex((p) => p.level === level && p.block === block && p.name === name);
  const idx = [at('within', 'Residual Variances', 'Y'), at('within', 'New/Additional Parameters', 'G_1'), at('between', 'Intercepts', 'Y'),
    at('between', 'Means', 'S'), at('between', 'Residual Variances', 'Y'), at('between', 'Variances', 'S'), at('between', 'Y WITH', 'S')];
  const th = idx.map((k) => m.parameters[k]!.estimate);
  const cl = ds.cluster!;
  const J = cl.start.length - 1, P = th.length, h = 1e-4;
  // y_j ~ N(a + ms x, Z T Z' + diag(s2[g])) with Z = [1, x], by a dense Cholesky
  const clusterLl = (t: number[], j: number): number => {
    const [s0, s1, a, ms, t00, t11, t01] = t as [number, number, number, number, number, number, number];
    const rows = Array.from(cl.order.subarray(cl.start[j]!, cl.start[j + 1]!));
    const n = rows.length, x = rows.map((r) => cols.X![r]!);
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k <= i; k++) {
        let v = t00 + t01 * (x[i]! + x[k]!) + t11 * x[i]! * x[k]! + (i === k ? (cols.G![rows[i]!] === 1 ? s1 : s0) : 0);
        for (let l = 0; l < k; l++) v -= L[i * n + l]! * L[k * n + l]!;
        L[i * n + k] = i === k ? Math.sqrt(v) : v / L[k * n + k]!;
      }
    const z = new Float64Array(n);
    let ll = -0.5 * n * Math.log(2 * Math.PI);
    for (let i = 0; i < n; i++) {
      let v = cols.Y![rows[i]!]! - a - ms * x[i]!;
      for (let l = 0; l < i; l++) v -= L[i * n + l]! * z[l]!;
      z[i] = v / L[i * n + i]!;
      ll += -Math.log(L[i * n + i]!) - 0.5 * z[i]! ** 2;
    }
    return ll;
  };
  const total = (t: number[]) => { let s = 0; for (let j = 0; j < J; j++) s += clusterLl(t, j); return s; };
  assert.ok(Math.abs(total(th) - m.fit!.loglikelihood) < 1e-6);
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
  idx.forEach((k, i) => {
    const p = m.parameters[k]!;
    assert.ok(Math.abs(p.se - Math.sqrt(V.get(i, i))) < 0.005 * p.se, `${p.block} ${p.name}: ${p.se} vs ${Math.sqrt(V.get(i, i))}`);
  });
});

test('outcome in WITHIN (no random effects): the OLS regression likelihood in closed form', () => {
  const cols = simulate(18, () => 1);
  const ds = makeDataset('sim', cols, roles);
  const r = estimateTwoLevel(twoLevelIR({ y: 'Y', fixed: ['X'], yWithin: true }, roles), ds, { estimator: 'ML' });
  const x = cols.X!, y = cols.Y!, n = x.length;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) { sx += x[i]!; sy += y[i]!; sxx += x[i]! ** 2; sxy += x[i]! * y[i]!; }
  const b = (sxy - (sx * sy) / n) / (sxx - (sx * sx) / n), a = (sy - b * sx) / n;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i]! - a - b * x[i]!) ** 2;
  const ll = -0.5 * n * (Math.log((2 * Math.PI * rss) / n) + 1);
  assert.ok(Math.abs(r.fit!.loglikelihood - ll) < 1e-6, `${r.fit!.loglikelihood} vs ${ll}`);
  assert.ok(Math.abs(find(r, 'within', 'Y ON', 'X').estimate - b) < 1e-6);
  assert.is(r.factorScores!.names.length, 0);
});

test('between-level KNOWNCLASS (classes of clusters): class part counts clusters', () => {
  const cols = simulate(19, () => 1);
  // school type: clusters 1..60 are class 1, the rest class 2; residual variance differs by it
  const cls = Float64Array.from(cols.CL!, (c) => (c <= 60 ? 0 : 1));
  const u = mulberry32(5);
  cols.Y = cols.Y!.map((y, i) => (cls[i] === 1 ? y + 0.8 * (u() - 0.5) * Math.sqrt(12) : y)); // +0.64 variance in class 2
  cols.T = cls;
  const r2: Roles = { ...roles, within: [...roles.within, 'T'] };
  const ds = makeDataset('sim', cols, r2);
  const grouped = estimateTwoLevel(twoLevelIR(spec, r2), ds, { estimator: 'ML', level1Variance: { kind: 'group', variable: 'T' } });
  const ir = twoLevelIR(spec, r2);
  const rv = ir.rows.find((r) => r.level === 'within' && r.kind === 'residualVariance')!;
  rv.classes = { CB: 1 };
  ir.rows.push({ ...rv, id: ir.rows.length, classes: { CB: 2 }, par: ++ir.nFree });
  ir.rows.push({ id: ir.rows.length, level: 'between', classes: {}, kind: 'classIntercept', lhs: 'CB', rhs: '', index: 1, par: ++ir.nFree, value: 0, userValue: false, origin: 'default' });
  ir.mixture = true;
  ir.classVariables = [{ name: 'CB', display: 'cb', nClasses: 2, level: 'between', known: { variable: 'T', values: [[0], [1]] } }];
  const known = estimateTwoLevel(ir, { ...ds, knownClass: [{ classVariable: 'CB', of: Int32Array.from(cls) }] }, { estimator: 'ML' });
  const classPart = 60 * Math.log(60 / 160) + 100 * Math.log(100 / 160);
  assert.ok(Math.abs(known.fit!.loglikelihood - (grouped.fit!.loglikelihood + classPart)) < 1e-4);
  assert.ok(Math.abs(find(known, null, 'Means', 'CB#1').estimate - Math.log(60 / 100)) < 1e-5);
});

test.run();
