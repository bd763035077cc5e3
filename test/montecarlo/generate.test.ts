// Data generation against population values: sample moments of one generated data set, with tolerances of
// about 4 standard errors (the SE of each statistic is derived in the comment next to it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseInput } from '../../src/syntax/parse.js';
import { readMonteCarlo } from '../../src/montecarlo/spec.js';
import { buildPopulation } from '../../src/montecarlo/population.js';
import { Generator } from '../../src/montecarlo/generate.js';
import { replicationSeed } from '../../src/montecarlo/rng.js';
import { PlusmixError } from '../../src/syntax/diagnostics.js';

function generator(text: string): { g: Generator; names: string[] } {
  const ast = parseInput(text, 'gen.inp').ast;
  const spec = readMonteCarlo(ast);
  return { g: new Generator(buildPopulation(ast, spec).ir, spec), names: spec.names };
}

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: ArrayLike<number>) => {
  const m = mean(xs);
  return Array.from(xs).reduce((a, b) => a + (b - m) * (b - m), 0) / (xs.length - 1);
};

/** least squares of y on [1, x...] (normal equations, Gauss-Jordan) */
function ols(y: number[], xs: number[][]): number[] {
  const p = xs.length + 1;
  const a = Array.from({ length: p }, () => new Array(p + 1).fill(0));
  for (let i = 0; i < y.length; i++) {
    const row = [1, ...xs.map((x) => x[i])];
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < p; c++) a[r][c] += row[r] * row[c];
      a[r][p] += row[r] * y[i];
    }
  }
  for (let c = 0; c < p; c++) {
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= p; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((r, i) => r[p] / a[i][i]);
}

// The first seed paper's Fig. 3 population (section 2.2): 200 clusters of 15; class 1 y = 3 + 0.5 w + u0 - 1.1 x + r,
// class 2 y = 0 + 0.5 w + u0 + 0.5 x + r; Var(r) = 1, Var(u0) = 0.5; logit P(c = 1) = x + w + u2, Var(u2) = 0.5.
const FIG3 = `MONTECARLO: NAMES = y x w; NOBSERVATIONS = 3000; NCSIZES = 1; CSIZES = 200 (15); SEED = 7;
  GENCLASSES = c (2); CLASSES = c (2); WITHIN = x; BETWEEN = w;
MODEL POPULATION:
  %WITHIN%
  %OVERALL%
  [x@0]; x@1; y ON x; y*1; c#1 ON x*1;
  %c#1%
  y ON x*-1.1;
  %c#2%
  y ON x*0.5;
  %BETWEEN%
  %OVERALL%
  [w@0]; w@1; y ON w*0.5; y*0.5; [c#1*0]; c#1 ON w*1; c#1*0.5;
  %c#1%
  [y*3];
  %c#2%
  [y*0];
ANALYSIS: TYPE = TWOLEVEL MIXTURE;
`;

test('Fig. 3 population: covariates, classes and class-specific regressions match the population values', () => {
  const { g } = generator(FIG3);
  const d = g.generate(1);
  const [y, x, w] = d.columns;
  const cl = d.cluster!;
  const c = d.classes[0].of;
  assert.is(y.length, 3000);
  // x ~ N(0, 1), n = 3000: SE(mean) = 0.018, SE(var) = sqrt(2 / n) = 0.026
  assert.ok(Math.abs(mean(x)) < 0.075, `mean x ${mean(x)}`);
  assert.ok(Math.abs(variance(x) - 1) < 0.11, `var x ${variance(x)}`);
  // w constant within cluster, w ~ N(0, 1) over 200 clusters: SE(mean) = 0.071, SE(var) = 0.1
  const wj: number[] = [];
  for (let i = 0; i < 3000; i++) {
    if (i % 15 === 0) wj.push(w[i]);
    else assert.is(w[i], w[i - 1]);
    assert.is(cl[i], Math.floor(i / 15) + 1);
  }
  assert.ok(Math.abs(mean(wj)) < 0.29, `mean w ${mean(wj)}`);
  assert.ok(Math.abs(variance(wj) - 1) < 0.4, `var w ${variance(wj)}`);
  // P(c = 1) = E logistic(N(0, 1 + 1 + 0.5)) = 0.5 by symmetry; clustered (design effect about 4.6): SE 0.02
  const p1 = mean(Array.from(c, (k) => (k === 1 ? 1 : 0)));
  assert.ok(Math.abs(p1 - 0.5) < 0.08, `P(c = 1) ${p1}`);
  // within the true class: y on (1, x, w) has coefficients (3, -1.1, 0.5) and (0, 0.5, 0.5); the error u0 + r
  // (variance 1.5, u0 shared by the cluster) is independent of x and w, so OLS is unbiased. SEs (n_k = 1500):
  // slope of x sqrt(1.5 / 1500) = 0.032 (u0 adds little: x varies within clusters), intercept and w slope
  // about sqrt(0.5 / 200 + 1 / 1500) = 0.056.
  for (const [k, truth] of [[1, [3, -1.1, 0.5]], [2, [0, 0.5, 0.5]]] as const) {
    const rows = Array.from({ length: 3000 }, (_, i) => i).filter((i) => c[i] === k);
    const b = ols(rows.map((i) => y[i]), [rows.map((i) => x[i]), rows.map((i) => w[i])]);
    assert.ok(Math.abs(b[0] - truth[0]) < 0.23, `class ${k} intercept ${b[0]}`);
    assert.ok(Math.abs(b[1] - truth[1]) < 0.13, `class ${k} x slope ${b[1]}`);
    assert.ok(Math.abs(b[2] - truth[2]) < 0.23, `class ${k} w slope ${b[2]}`);
  }
  // residual e = y - (class intercept + slope x + 0.5 w) = u0 + r: within-cluster variance 1 (SE sqrt(2 / 2800)
  // = 0.027), between: Var(cluster mean of e) - 1/15 = Var(u0) = 0.5 (SE about sqrt(2 / 200) * 0.57 = 0.057)
  const e = Array.from(y, (v, i) => v - (c[i] === 1 ? 3 - 1.1 * x[i] : 0.5 * x[i]) - 0.5 * w[i]);
  const means: number[] = [];
  let within = 0;
  for (let j = 0; j < 200; j++) {
    const ej = e.slice(j * 15, j * 15 + 15);
    const m = mean(ej);
    means.push(m);
    within += ej.reduce((a, v) => a + (v - m) * (v - m), 0);
  }
  within /= 200 * 14;
  assert.ok(Math.abs(within - 1) < 0.11, `within variance ${within}`);
  const u0 = variance(means) - within / 15;
  assert.ok(Math.abs(u0 - 0.5) < 0.23, `Var(u0) ${u0}`);
});

test('replications: the same number gives the same data; streams differ between replications and seeds', () => {
  const { g } = generator(FIG3);
  const a = g.generate(3), b = g.generate(3), c = g.generate(4);
  assert.equal(Array.from(a.columns[0]), Array.from(b.columns[0]));
  assert.not.equal(Array.from(a.columns[0]), Array.from(c.columns[0]));
  const seeds = new Set<number>();
  for (let s = 0; s < 20; s++) for (let r = 1; r <= 50; r++) seeds.add(replicationSeed(s, r));
  assert.is(seeds.size, 1000);
});

test('single-level latent classes with binary (logit) and ordinal (probit) outcomes: class sizes and category proportions', () => {
  // P(c = 1) = 1 / (1 + exp(0.405465)) = 0.4; class 1: P(u = 1) = 1 / (1 + exp(1)) = 0.2689, class 2: 1 / (1 + exp(-1)) = 0.7311;
  // v probit with thresholds -0.5, 0.8 (class-invariant): P(v = 0) = 0.3085, P(v = 2) = 0.2119. n = 20000.
  const { g } = generator(`MONTECARLO: NAMES = u v; NOBSERVATIONS = 20000; SEED = 11; GENCLASSES = c (2); CLASSES = c (2);
    GENERATE = u (1) v (2 p); CATEGORICAL = u v;
  MODEL POPULATION:
    %OVERALL%
    [c#1*-0.405465]; [v$1*-0.5 v$2*0.8];
    %c#1%
    [u$1*1];
    %c#2%
    [u$1*-1];
  ANALYSIS: TYPE = MIXTURE;`);
  const d = g.generate(1);
  const [u, v] = d.columns;
  const c = d.classes[0].of;
  const n1 = Array.from(c).filter((k) => k === 1).length;
  assert.ok(Math.abs(n1 / 20000 - 0.4) < 4 * Math.sqrt(0.24 / 20000), `P(c = 1) ${n1 / 20000}`);
  for (const [k, p] of [[1, 0.2689], [2, 0.7311]] as const) {
    const rows = Array.from({ length: 20000 }, (_, i) => i).filter((i) => c[i] === k);
    const ph = rows.filter((i) => u[i] === 1).length / rows.length;
    assert.ok(Math.abs(ph - p) < 4 * Math.sqrt((p * (1 - p)) / rows.length), `class ${k} P(u = 1) ${ph}`);
  }
  for (const [cat, p] of [[0, 0.3085], [2, 0.2119]] as const) {
    const ph = Array.from(v).filter((x) => x === cat).length / 20000;
    assert.ok(Math.abs(ph - p) < 4 * Math.sqrt((p * (1 - p)) / 20000), `P(v = ${cat}) ${ph}`);
  }
  assert.ok(Array.from(v).every((x) => x === 0 || x === 1 || x === 2));
});

test('two-level random slopes: cluster slopes follow s = 1 + 1 w + u1 (the reverse study population)', () => {
  // per-cluster OLS slope of y on x = b1j + sampling error (variance 1 / sum (x - xbar)^2, about 1/14 with 15 per
  // cluster); regressing the 200 slopes on w gives intercept 1 and slope 1 with SE about sqrt((0.5 + 0.07) / 200) = 0.053.
  const { g } = generator(`MONTECARLO: NAMES = y x w; NOBSERVATIONS = 3000; NCSIZES = 1; CSIZES = 200 (15); SEED = 3; WITHIN = x; BETWEEN = w;
  MODEL POPULATION:
    %WITHIN%
    [x@0]; x@1; s | y ON x; y*1;
    %BETWEEN%
    [w@0]; w@1; y ON w*0.5; s ON w*1; [y*0]; [s*1]; y*0.5; s*0.5; y WITH s@0;
  ANALYSIS: TYPE = TWOLEVEL RANDOM;`);
  const d = g.generate(2);
  const [y, x, w] = d.columns;
  const slopes: number[] = [], ws: number[] = [];
  for (let j = 0; j < 200; j++) {
    const rows = Array.from({ length: 15 }, (_, i) => j * 15 + i);
    slopes.push(ols(rows.map((i) => y[i]), [rows.map((i) => x[i])])[1]);
    ws.push(w[j * 15]);
  }
  const b = ols(slopes, [ws]);
  assert.ok(Math.abs(b[0] - 1) < 0.22, `mean slope ${b[0]}`);
  assert.ok(Math.abs(b[1] - 1) < 0.22, `slope on w ${b[1]}`);
});

test('CUTPOINTS dichotomise a covariate before the outcomes are generated', () => {
  // x* ~ N(0, 1) cut at 0: P(x = 1) = 0.5; y = 2 x + e: the mean of y given x = 1 is 2 (SE sqrt(1 / 2500) = 0.02)
  const { g } = generator(`MONTECARLO: NAMES = y x; NOBSERVATIONS = 5000; SEED = 5; CUTPOINTS = x (0);
  MODEL POPULATION: [x@0]; x@1; y ON x*2; [y*0]; y*1;`);
  const d = g.generate(1);
  const [y, x] = d.columns;
  assert.ok(Array.from(x).every((v) => v === 0 || v === 1));
  const ones = Array.from({ length: 5000 }, (_, i) => i).filter((i) => x[i] === 1);
  assert.ok(Math.abs(ones.length / 5000 - 0.5) < 4 * Math.sqrt(0.25 / 5000));
  assert.ok(Math.abs(mean(ones.map((i) => y[i])) - 2) < 0.08);
});

test('between-level classes (second seed paper, Model 5): one class per cluster, class-specific random intercept means and slopes', () => {
  // 1000 clusters of 10 (more than the paper's 100, for tight checks); P(cb = 1) = 0.5 (SE 0.016);
  // class 1: y = mu_j + 0.2 x + e, mu_j ~ N(1, 0.2); class 2: mu_j ~ N(0, 0.2), slope 0.8; Var(e) = 1.
  // Pooled OLS of y on x within a class: slope SE about sqrt(1.2 / 5000) = 0.015, intercept SE about sqrt(0.2 / 500) = 0.02.
  const { g } = generator(`MONTECARLO: NAMES = y x; NOBSERVATIONS = 10000; NCSIZES = 1; CSIZES = 1000 (10); SEED = 9;
    GENCLASSES = cb (2); CLASSES = cb (2); WITHIN = x; BETWEEN = cb;
  MODEL POPULATION:
    %WITHIN%
    %OVERALL%
    [x@0]; x@1; y ON x; y*1;
    %cb#1%
    y ON x*0.2;
    %cb#2%
    y ON x*0.8;
    %BETWEEN%
    %OVERALL%
    [cb#1*0]; y*0.2;
    %cb#1%
    [y*1];
    %cb#2%
    [y*0];
  ANALYSIS: TYPE = TWOLEVEL MIXTURE;`);
  const d = g.generate(1);
  const [y, x] = d.columns;
  const c = d.classes[0].of;
  for (let i = 0; i < 10000; i++) if (i % 10) assert.is(c[i], c[i - 1]);
  const p1 = Array.from({ length: 1000 }, (_, j) => (c[j * 10] === 1 ? 1 : 0)).reduce((a: number, b) => a + b, 0) / 1000;
  assert.ok(Math.abs(p1 - 0.5) < 0.065, `P(cb = 1) ${p1}`);
  for (const [k, mu, beta] of [[1, 1, 0.2], [2, 0, 0.8]] as const) {
    const rows = Array.from({ length: 10000 }, (_, i) => i).filter((i) => c[i] === k);
    const b = ols(rows.map((i) => y[i]), [rows.map((i) => x[i])]);
    assert.ok(Math.abs(b[0] - mu) < 0.08, `class ${k} intercept ${b[0]}`);
    assert.ok(Math.abs(b[1] - beta) < 0.06, `class ${k} slope ${b[1]}`);
  }
});

test('factor model with a residual covariance: model-implied covariances', () => {
  // f BY y1@1 y2*0.8 y3*0.6; Var(f) = 1; residual variances 0.5; y2 WITH y3 = 0.2; means 1, 2, 3. n = 20000.
  // Implied: Var(y1) = 1.5, Cov(y1, y2) = 0.8, Cov(y2, y3) = 0.48 + 0.2 = 0.68. SE of a covariance about
  // sqrt((s11 s22 + s12^2) / n) <= sqrt((1.5 * 1.14 + 0.64) / 20000) = 0.011.
  const { g } = generator(`MONTECARLO: NAMES = y1-y3; NOBSERVATIONS = 20000; SEED = 2;
  MODEL POPULATION: f BY y1@1 y2*0.8 y3*0.6; f*1; y1-y3*0.5; y2 WITH y3*0.2; [y1*1 y2*2 y3*3];`);
  const [y1, y2, y3] = g.generate(1).columns;
  const cov = (a: Float64Array, b: Float64Array) => {
    const ma = mean(a), mb = mean(b);
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i] - ma) * (b[i] - mb);
    return s / (a.length - 1);
  };
  assert.ok(Math.abs(mean(y3) - 3) < 0.04, `mean y3 ${mean(y3)}`);
  assert.ok(Math.abs(cov(y1, y1) - 1.5) < 0.06, `var y1 ${cov(y1, y1)}`);
  assert.ok(Math.abs(cov(y1, y2) - 0.8) < 0.045, `cov y1 y2 ${cov(y1, y2)}`);
  assert.ok(Math.abs(cov(y2, y3) - 0.68) < 0.045, `cov y2 y3 ${cov(y2, y3)}`);
});

test('bad MONTECARLO input gives PlusmixError diagnostics', () => {
  const bad = (text: string, re: RegExp) => {
    try {
      generator(text);
      assert.unreachable('no error');
    } catch (e) {
      assert.instance(e, PlusmixError);
      assert.match((e as PlusmixError).diagnostics.map((x) => x.message).join(' '), re);
    }
  };
  bad('MONTECARLO: NAMES = y; NREPS = 2;\nMODEL POPULATION: y*1;', /NOBSERVATIONS is required/);
  bad('MONTECARLO: NAMES = y x; NOBSERVATIONS = 100; CSIZES = 10 (5);\nMODEL POPULATION: y*1;\nANALYSIS: TYPE = TWOLEVEL;', /CSIZES give 50 observations/);
  bad('MONTECARLO: NAMES = y; NOBSERVATIONS = 100;\nMODEL: y*1;', /MODEL POPULATION/);
});

test.run();
