// OUTPUT: STANDARDIZED (STDYX, STDY, STD) and R-SQUARE for single-level models with continuous
// outcomes, computed from the printed parameters, per latent class in mixtures.
//
// Every group of rows (one latent class, or the whole model) is read as a linear structural model
// v = B v + zeta over its variables (factors, outcomes, covariates): 'F BY Y' puts lambda in B[Y, F],
// 'Y ON X' beta in B[Y, X], 'Variances' / 'Residual Variances' / 'WITH' fill Psi = cov(zeta), and the
// observed covariates (exogenous observed variables without a Variances row, which the model conditions
// on) get their SAMPLE covariance matrix (divisor n), as Mplus does. The model-implied covariance is
// Sigma = (I - B)^-1 Psi (I - B)^-T. Then, with sd(v) = sqrt(Sigma[v, v]) and a scale S(v):
//   BY f -> y: lambda S(f) / S(y);   ON y <- x: beta S(x) / S(y);   Means / Intercepts: alpha / S(v);
//   (Residual) Variances: psi / S(v)^2;   WITH a b: psi_ab / (R(a) R(b)), R = sqrt(psi_vv) for an
//   endogenous (residual) and sd(v) for an exogenous variable, 1 where S(v) = 1;
//   R-SQUARE of an endogenous v: 1 - psi_vv / Sigma[v, v].
// STDYX: S(v) = sd(v) for every variable; STDY: observed covariates keep S = 1; STD: only continuous
// latent variables are standardized (S = 1 for observed ones). These are lavaan's std.all, std.nox and
// std.lv (fixtures/peers/standardized_lavaan.json). Standard errors: delta method with a central-
// difference Jacobian over the free parameters and EstimationResult.covariance. A standardized value
// that does not depend on any free parameter (e.g. a standardized factor variance, 1) is printed as fixed.
// Two-level models are standardized per level (Mplus: within and between separately), WITHIN covariates
// with their sample variances, BETWEEN covariates with the variances of their cluster values (lavaan's
// two-level standardizedSolution does the same). Not covered (standardize returns null): categorical
// outcomes (thresholds), random slopes; New/Additional Parameters are left out of the standardized tables.

import type { EstimationResult, ParameterEstimate } from './types.js';

export interface RSquareRow {
  level: ParameterEstimate['level'];
  classLabel: string | null;
  name: string;
  /** true for a continuous latent variable (printed under 'Latent Variable') */
  latent: boolean;
  estimate: number;
  se: number;
  fixed: boolean;
}

export interface StandardizedResults {
  /** rows in the order and with the labels of MODEL RESULTS */
  stdyx: ParameterEstimate[];
  stdy: ParameterEstimate[];
  std: ParameterEstimate[];
  rSquare: RSquareRow[];
}

export interface StandardizeInput {
  /** upper-case names of the continuous latent variables (factors) */
  latent: Set<string>;
  /** sample covariance matrix (divisor n) of the observed covariates, by upper-case name (single-level
   * models and the within level of two-level models: WITHIN variables have no between part) */
  covariates: { names: string[]; cov: number[][] };
  /** two-level models: covariance matrix (divisor: number of clusters) of the BETWEEN covariates' cluster values */
  betweenCovariates?: { names: string[]; cov: number[][] };
}

type Kind = 'stdyx' | 'stdy' | 'std';
const KINDS: Kind[] = ['stdyx', 'stdy', 'std'];
const HANDLED = /^(\S+) (BY|ON|WITH)$|^(Means|Intercepts|Variances|Residual Variances)$/;

/** One standardized quantity: how to compute it from a group's moments. */
interface Item {
  group: Group;
  /** index into the group's rows, or -1 for an R-square */
  row: number;
  kind: Kind | 'r2';
  rsq?: string;
}

interface Group {
  level: ParameterEstimate['level'];
  classLabel: string | null;
  rows: ParameterEstimate[];
  vars: string[];
  index: Map<string, number>;
  endogenous: Set<string>;
  /** observed exogenous variables without a Variances row: sample moments */
  covariates: string[];
}

/** Null when the model is outside what this module standardizes (see the header). */
export function standardize(result: EstimationResult, input: StandardizeInput): StandardizedResults | null {
  const ps = result.parameters.filter((p) => !p.categoricalLatent && p.block !== 'New/Additional Parameters');
  if (ps.length === 0 || !result.covariance || result.theta.length === 0) return null;
  if (ps.some((p) => !HANDLED.test(p.block))) return null;
  const groups = groupRows(ps, input);
  if (!groups) return null;
  const items: Item[] = [];
  for (const kind of KINDS) for (const g of groups) g.rows.forEach((_, i) => items.push({ group: g, row: i, kind }));
  for (const g of groups) for (const v of g.vars) if (g.endogenous.has(v) && hasResidualVariance(g, v)) items.push({ group: g, row: -1, kind: 'r2', rsq: v });

  const theta = Float64Array.from(result.theta);
  const evaluate = (t: Float64Array): number[] => {
    const moments = new Map<Group, Moments | null>(groups.map((g) => [g, groupMoments(g, t, input)]));
    return items.map((it) => {
      const m = moments.get(it.group)!;
      if (!m) return NaN;
      return it.kind === 'r2' ? rSquare(it.group, m, it.rsq!) : standardizedValue(it.group, m, it.row, it.kind, input, t);
    });
  };
  const est = evaluate(theta);
  if (est.some((x, i) => !Number.isFinite(x) && items[i].kind !== 'r2')) return null;
  const se = deltaSe(evaluate, theta, est, result.covariance);

  const out: StandardizedResults = { stdyx: [], stdy: [], std: [], rSquare: [] };
  items.forEach((it, i) => {
    const fixed = se[i] === 0;
    if (it.kind === 'r2') {
      out.rSquare.push({ level: it.group.level, classLabel: it.group.classLabel, name: it.rsq!, latent: input.latent.has(it.rsq!), estimate: est[i], se: se[i], fixed });
    } else {
      const p = it.group.rows[it.row];
      out[it.kind].push({ par: p.par, level: p.level, classLabel: p.classLabel, categoricalLatent: false, block: p.block, name: p.name, estimate: est[i], se: se[i], fixed });
    }
  });
  return out;
}

function hasResidualVariance(g: Group, v: string): boolean {
  return g.rows.some((p) => p.block === 'Residual Variances' && p.name === v);
}

function groupRows(ps: ParameterEstimate[], input: StandardizeInput): Group[] | null {
  const keys = [...new Set(ps.map((p) => `${p.level}|${p.classLabel}`))];
  const groups: Group[] = [];
  for (const k of keys) {
    const rows = ps.filter((p) => `${p.level}|${p.classLabel}` === k);
    const vars: string[] = [];
    const add = (v: string) => {
      if (!vars.includes(v)) vars.push(v);
    };
    const endogenous = new Set<string>();
    for (const p of rows) {
      const m = /^(\S+) (BY|ON|WITH)$/.exec(p.block);
      if (m) {
        add(m[1]);
        add(p.name);
        if (m[2] === 'BY') endogenous.add(p.name);
        if (m[2] === 'ON') endogenous.add(m[1]);
      } else add(p.name);
    }
    const withVariance = new Set(rows.filter((p) => p.block === 'Variances' || p.block === 'Residual Variances').map((p) => p.name));
    const covariates = vars.filter((v) => !input.latent.has(v) && !endogenous.has(v) && !withVariance.has(v));
    if (covariates.some((v) => !momentsOf(input, rows[0].level).names.includes(v))) return null;
    groups.push({ level: rows[0].level, classLabel: rows[0].classLabel, rows, vars, index: new Map(vars.map((v, i) => [v, i])), endogenous, covariates });
  }
  return groups;
}

/** the covariate moments of a level */
function momentsOf(input: StandardizeInput, level: ParameterEstimate['level']): { names: string[]; cov: number[][] } {
  return level === 'between' ? (input.betweenCovariates ?? { names: [], cov: [] }) : input.covariates;
}

interface Moments {
  /** model-implied covariance of all group variables, row-major n x n */
  sigma: Float64Array;
  /** Psi (residual / exogenous covariances), row-major */
  psi: Float64Array;
  n: number;
}

const valueOf = (p: ParameterEstimate, t: Float64Array) => (p.par > 0 && p.par <= t.length ? t[p.par - 1] : p.estimate);

function groupMoments(g: Group, t: Float64Array, input: StandardizeInput): Moments | null {
  const n = g.vars.length;
  const B = new Float64Array(n * n);
  const psi = new Float64Array(n * n);
  for (const p of g.rows) {
    const m = /^(\S+) (BY|ON|WITH)$/.exec(p.block);
    const x = valueOf(p, t);
    if (m) {
      const a = g.index.get(m[1])!;
      const b = g.index.get(p.name)!;
      if (m[2] === 'BY') B[b * n + a] = x;
      else if (m[2] === 'ON') B[a * n + b] = x;
      else psi[a * n + b] = psi[b * n + a] = x;
    } else if (p.block === 'Variances' || p.block === 'Residual Variances') {
      const i = g.index.get(p.name)!;
      psi[i * n + i] = x;
    }
  }
  const mom = momentsOf(input, g.level);
  for (const a of g.covariates) {
    for (const b of g.covariates) psi[g.index.get(a)! * n + g.index.get(b)!] = mom.cov[mom.names.indexOf(a)][mom.names.indexOf(b)];
  }
  // A = (I - B)^-1, Sigma = A Psi A'
  const IB = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) IB[i * n + j] = (i === j ? 1 : 0) - B[i * n + j];
  const A = invert(IB, n);
  if (!A) return null;
  const AP = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    const a = A[i * n + k];
    if (a !== 0) for (let j = 0; j < n; j++) AP[i * n + j] += a * psi[k * n + j];
  }
  const sigma = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += AP[i * n + k] * A[j * n + k];
    sigma[i * n + j] = s;
  }
  return { sigma, psi, n };
}

/** Gauss-Jordan inverse with partial pivoting; null when singular */
function invert(M: Float64Array, n: number): Float64Array | null {
  const a = Float64Array.from(M);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
    if (Math.abs(a[piv * n + c]) < 1e-300) return null;
    if (piv !== c) {
      for (let j = 0; j < n; j++) {
        [a[c * n + j], a[piv * n + j]] = [a[piv * n + j], a[c * n + j]];
        [inv[c * n + j], inv[piv * n + j]] = [inv[piv * n + j], inv[c * n + j]];
      }
    }
    const d = a[c * n + c];
    for (let j = 0; j < n; j++) {
      a[c * n + j] /= d;
      inv[c * n + j] /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r * n + c];
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        a[r * n + j] -= f * a[c * n + j];
        inv[r * n + j] -= f * inv[c * n + j];
      }
    }
  }
  return inv;
}

/** whether variable v is standardized under `kind` */
function scaled(g: Group, v: string, kind: Kind, input: StandardizeInput): boolean {
  if (kind === 'stdyx') return true;
  if (kind === 'std') return input.latent.has(v);
  // STDY: every variable except the observed covariates (exogenous observed variables)
  return input.latent.has(v) || g.endogenous.has(v);
}

function standardizedValue(g: Group, m: Moments, row: number, kind: Kind, input: StandardizeInput, t: Float64Array): number {
  const p = g.rows[row];
  const x = valueOf(p, t);
  const n = m.n;
  const sd = (v: string) => {
    const i = g.index.get(v)!;
    return Math.sqrt(m.sigma[i * n + i]);
  };
  const S = (v: string) => (scaled(g, v, kind, input) ? sd(v) : 1);
  const R = (v: string) => {
    if (!scaled(g, v, kind, input)) return 1;
    const i = g.index.get(v)!;
    return g.endogenous.has(v) ? Math.sqrt(m.psi[i * n + i]) : sd(v);
  };
  const mm = /^(\S+) (BY|ON|WITH)$/.exec(p.block);
  if (mm) {
    if (mm[2] === 'BY') return (x * S(mm[1])) / S(p.name);
    if (mm[2] === 'ON') return (x * S(p.name)) / S(mm[1]);
    return x / (R(mm[1]) * R(p.name));
  }
  if (p.block === 'Means' || p.block === 'Intercepts') return x / S(p.name);
  return x / S(p.name) ** 2;
}

function rSquare(g: Group, m: Moments, v: string): number {
  const i = g.index.get(v)!;
  return 1 - m.psi[i * m.n + i] / m.sigma[i * m.n + i];
}

/** delta-method standard errors: J Sigma J' with a central-difference Jacobian */
function deltaSe(f: (t: Float64Array) => number[], theta: Float64Array, est: number[], cov: Float64Array): number[] {
  const P = theta.length;
  const J: number[][] = est.map(() => new Array<number>(P).fill(0));
  const t = Float64Array.from(theta);
  for (let j = 0; j < P; j++) {
    const h = 1e-6 * Math.max(1, Math.abs(theta[j]));
    t[j] = theta[j] + h;
    const up = f(t);
    t[j] = theta[j] - h;
    const down = f(t);
    t[j] = theta[j];
    for (let i = 0; i < est.length; i++) {
      const d = (up[i] - down[i]) / (2 * h);
      J[i][j] = Math.abs(d) < 1e-9 ? 0 : d;
    }
  }
  return J.map((row) => {
    if (row.every((x) => x === 0)) return 0;
    let s = 0;
    for (let a = 0; a < P; a++) {
      if (row[a] === 0) continue;
      for (let b = 0; b < P; b++) s += row[a] * cov[a * P + b] * row[b];
    }
    return Math.sqrt(Math.max(0, s));
  });
}

/** Sample covariance matrix (divisor n, complete cases) of the named columns. */
export function sampleCovariance(columns: Array<{ name: string; values: Float64Array }>): { names: string[]; cov: number[][] } {
  const n0 = columns[0]?.values.length ?? 0;
  const ok: number[] = [];
  for (let r = 0; r < n0; r++) if (columns.every((c) => !Number.isNaN(c.values[r]))) ok.push(r);
  const mean = columns.map((c) => ok.reduce((s, r) => s + c.values[r], 0) / Math.max(1, ok.length));
  const cov = columns.map((a, i) =>
    columns.map((b, j) => ok.reduce((s, r) => s + (a.values[r] - mean[i]) * (b.values[r] - mean[j]), 0) / Math.max(1, ok.length)),
  );
  return { names: columns.map((c) => c.name.toUpperCase()), cov };
}
