// Test helpers for the two-level estimator: read a free-format data file and build the Dataset
// and ModelIR by hand, the way the data reader and the IR lowering will (until they land).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dataset, DataColumn } from '../../../src/data/dataset.js';
import type { ModelIR, ParamRow, ObservedVariable, LatentVariable, RandomSlope } from '../../../src/model/ir.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Path of a fixture data file (fixtures/<rel>). */
export function fixture(rel: string): string | null {
  const p = `${root}fixtures/${rel}`;
  return existsSync(p) ? p : null;
}

/** Read a whitespace-separated numeric file into named columns (names upper-cased). */
export function readFree(path: string, names: string[]): Record<string, Float64Array> {
  const nums = readFileSync(path, 'utf8').trim().split(/\s+/).map(Number);
  const n = nums.length / names.length;
  if (!Number.isInteger(n)) throw new Error(`${path}: ${nums.length} numbers do not fill ${names.length} columns`);
  const out: Record<string, Float64Array> = {};
  names.forEach((name, k) => {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = nums[i * names.length + k]!;
    out[name.toUpperCase()] = c;
  });
  return out;
}

/** Subtract the mean over all rows (DEFINE: CENTER ... (GRANDMEAN), rows weighted equally). */
export function centre(c: Float64Array): Float64Array {
  let s = 0;
  for (const v of c) s += v;
  const m = s / c.length;
  return c.map((v) => v - m);
}

export interface Roles {
  cluster: string;
  within: string[];
  between: string[];
  /** analysis variables in neither list (outcomes) */
  both: string[];
}

export function makeDataset(file: string, cols: Record<string, Float64Array>, roles: Roles): Dataset {
  const cl = cols[roles.cluster]!;
  const n = cl.length;
  const ids: number[] = [];
  const idx = new Map<number, number>();
  const ofRow = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let j = idx.get(cl[i]!);
    if (j === undefined) { j = ids.length; idx.set(cl[i]!, j); ids.push(cl[i]!); }
    ofRow[i] = j;
  }
  const J = ids.length;
  const start = new Int32Array(J + 1);
  for (let i = 0; i < n; i++) start[ofRow[i]! + 1]! += 1;
  for (let j = 0; j < J; j++) start[j + 1]! += start[j]!;
  const fill = start.slice(0, J);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[ofRow[i]!]!++] = i;
  const col = (name: string, level: DataColumn['level']): DataColumn => ({ name, display: name.toLowerCase(), values: cols[name]!, scale: 'continuous', level });
  const columns = [...roles.both.map((v) => col(v, 'both')), ...roles.within.map((v) => col(v, 'within')), ...roles.between.map((v) => col(v, 'between'))];
  return {
    file,
    nRows: n,
    columns,
    extra: [col(roles.cluster, 'between')],
    cluster: { variable: roles.cluster, ids: Float64Array.from(ids), start, order, ofRow },
    summary: { nRead: n, nUsed: n, nDroppedMissingCovariates: 0, nDroppedAllMissing: 0, nDroppedUseObservations: 0, nDroppedKnownClass: 0, patterns: [] },
  };
}

export interface TwoLevelSpec {
  y: string;
  /** %WITHIN% y ON x (fixed slopes) */
  fixed?: string[];
  /** %WITHIN% s | y ON x: slope name -> predictor */
  slopes?: Record<string, string>;
  /** %BETWEEN% regressions: effect (y or slope) -> between covariates */
  between?: Record<string, string[]>;
  /** %BETWEEN% covariances among all random effects (y WITH s1 s2; s1 WITH s2;) */
  covariances?: boolean;
  /** y listed in WITHIN: no random intercept */
  yWithin?: boolean;
}

/**
 * The parameter table Mplus builds for a univariate two-level random-coefficient model, with
 * parameters numbered in the order written (TECH1 order does not matter to the estimator).
 */
export function twoLevelIR(spec: TwoLevelSpec, roles: Roles): ModelIR {
  const rows: ParamRow[] = [];
  let par = 0;
  const add = (level: 'within' | 'between', kind: ParamRow['kind'], lhs: string, rhs = '', value = 0): void => {
    rows.push({ id: rows.length, level, classes: {}, kind, lhs, rhs, par: ++par, value, userValue: false, origin: 'user' });
  };
  const Y = spec.y;
  for (const x of spec.fixed ?? []) add('within', 'regression', Y, x);
  add('within', 'residualVariance', Y, '', 1);
  if (spec.yWithin) add('within', 'intercept', Y);
  const effects = [...(spec.yWithin ? [] : [Y]), ...Object.keys(spec.slopes ?? {})];
  for (const e of effects) {
    const ws = spec.between?.[e] ?? [];
    for (const w of ws) add('between', 'regression', e, w);
    add('between', ws.length > 0 || e === Y ? 'intercept' : 'mean', e);
    add('between', ws.length > 0 || e === Y ? 'residualVariance' : 'variance', e, '', 1);
  }
  if (spec.covariances)
    for (let a = 0; a < effects.length; a++) for (let b = a + 1; b < effects.length; b++) add('between', 'covariance', effects[a]!, effects[b]!);
  const observed: ObservedVariable[] = [
    ...roles.both.map((v, k): ObservedVariable => ({ name: v, display: v.toLowerCase(), column: k, scale: 'continuous', role: 'dependent', level: spec.yWithin ? 'within' : 'both' })),
    ...roles.within.map((v, k): ObservedVariable => ({ name: v, display: v.toLowerCase(), column: roles.both.length + k, scale: 'continuous', role: 'covariate', level: 'within' })),
    ...roles.between.map((v, k): ObservedVariable => ({ name: v, display: v.toLowerCase(), column: roles.both.length + roles.within.length + k, scale: 'continuous', role: 'covariate', level: 'between' })),
  ];
  const randomSlopes: RandomSlope[] = Object.entries(spec.slopes ?? {}).map(([name, x]) => ({ name, dependent: Y, predictor: x, level: 'within' }));
  const latent: LatentVariable[] = [
    ...(spec.yWithin ? [] : [{ name: Y, display: Y.toLowerCase(), level: 'between' as const, kind: 'randomIntercept' as const }]),
    ...randomSlopes.map((s): LatentVariable => ({ name: s.name, display: s.name.toLowerCase(), level: 'between', kind: 'randomSlope' })),
  ];
  return {
    analysisType: new Set(['TWOLEVEL', ...(randomSlopes.length ? ['RANDOM'] : [])]),
    twoLevel: true,
    mixture: false,
    observed,
    latent,
    randomSlopes,
    classVariables: [],
    rows,
    nFree: par,
    labels: new Map(),
  };
}

/** A peer model from fixtures/peers/*.json (bench/peers/*.R). */
export interface PeerModel {
  loglik: number;
  npar: number;
  fixed: Record<string, { est: number; se?: number; se_observed?: number }>;
  fixed_observed_information?: Record<string, { est: number; se: number }>;
  varcomp: Record<string, { est: number; se?: number; se_observed?: number }>;
}

/** Estimate and observed-information SE of a peer term (fixed effect or variance component). */
export function peerValue(m: PeerModel, term: string): { est: number; se: number } {
  const v = m.varcomp[term] ?? m.fixed[term];
  if (!v) throw new Error(`peer has no term ${term}`);
  const se = v.se_observed ?? m.fixed_observed_information?.[term]?.se ?? v.se;
  if (se === undefined) throw new Error(`peer has no SE for ${term}`);
  return { est: v.est, se };
}

export function peerTerms(m: PeerModel): string[] {
  return [...Object.keys(m.fixed), ...Object.keys(m.varcomp)];
}
