// Compile a two-level random-coefficient model (ModelIR + Dataset) into the linear mixed model
// the closed-form estimator works on:
//
//   y_ij = a_ij'beta + z_ij'zeta_j + e_ij,   zeta_j ~ N(0, T),   e_ij ~ N(0, sigma2_ij)
//
// How the Mplus parameters map onto it (estimation.md §2(b)):
// * every *fixed-effect* parameter (within slope `y ON x`, mean/intercept `[y]` `[s]` of a
//   between-level random effect, between regression `y ON w` / `s ON w`) is one column of the
//   fixed design: the column of a row is (the random effect's within carrier: 1 for the random
//   intercept, x_ij for a slope `s | y ON x`) times (1, or w_j for a between regression), times
//   the indicator of the row's KNOWNCLASS pattern. Rows sharing a free parameter (equality
//   labels, class-invariant rows) add their columns; fixed rows go to an offset subtracted from y.
// * the random part z_ij holds the carriers of the random effects whose variance is not fixed
//   at 0 (a slope with `s@0` keeps its mean part: a cross-level interaction without variance);
//   T is built from the between-level variance / covariance rows.
// * sigma2_ij = h0_ij + sum_k h_ijk kappa_k: the within residual variance, one parameter per
//   KNOWNCLASS pattern if the rows say so, or the Level1VarianceModel option (one variance per
//   group of a grouping variable; or linear in covariates, seed paper eq. 17).
//
// Sufficient statistics: individuals of a cluster with the same variance pattern h form a
// *cell*; each cell stores n and C = sum a a' with a = [X, Z, y - offset], so one likelihood
// evaluation costs O(cells * m^2) whatever the cluster sizes (cells = clusters x patterns; with
// a variance linear in a continuous covariate each individual is its own cell).

import type { ModelIR, ParamRow } from '../../model/ir.js';
import type { Dataset, DataColumn } from '../../data/dataset.js';
import { column } from '../../data/dataset.js';
import { PlusmixError } from '../../syntax/diagnostics.js';
import type { Diagnostic } from '../../syntax/diagnostics.js';

/** Heteroscedastic level-1 residual variance not expressible in the parameter table (yet). */
export type Level1VarianceModel =
  /** sigma2_ij = kappa0 + sum_m kappa_m x_mij (seed eq. 17); kappa0 is the residual-variance row's parameter */
  | { kind: 'linear'; covariates: string[]; names?: string[] }
  /** one residual variance per distinct value of `variable` (sorted); the row's parameter is the first group's */
  | { kind: 'group'; variable: string; names?: string[] };

export type ParamCategory = 'beta' | 'tau' | 'resvar' | 'logit';

/** A between-level random effect (random intercept of the outcome or a random slope). */
export interface RandomEffect {
  name: string;
  /** within-level carrier: null = 1 (random intercept), else the predictor column of the slope */
  carrier: Float64Array | null;
  /** index in z (0-based) or -1 when its variance is fixed at 0 */
  z: number;
  /**
   * mean part: coefficient (internal param index, or -1 with a fixed value) times w_j (null = 1);
   * `cls` (0-based) when the row belongs to one KNOWNCLASS class only
   */
  mean: Array<{ param: number; value: number; w: Float64Array | null; cls: number }>;
}

export interface ExtraParam {
  name: string;
  block: string;
}

export interface TwoLevelProblem {
  outcome: string;
  /** number of internal parameters: ir.nFree IR parameters (index par-1) then the extra ones */
  nParams: number;
  category: ParamCategory[];
  start: Float64Array;
  extra: ExtraParam[];
  /** where the level-1 variance function comes from: the rows, or a Level1VarianceModel */
  varianceModel: 'rows' | 'linear' | 'group';
  p: number;
  q: number;
  /** m = p + q + 1 (layout of a: X columns, Z columns, y) */
  m: number;
  /** internal parameter of each X column */
  betaParam: Int32Array;
  /** T entries, row-major q x q: internal parameter (-1 = fixed at tauFixed) */
  tauParam: Int32Array;
  tauFixed: Float64Array;
  /** internal parameters of the variance function */
  varParam: Int32Array;
  nClusters: number;
  clusterCellStart: Int32Array;
  nCells: number;
  cellN: Float64Array;
  /** nCells x m x m */
  cellC: Float64Array;
  /** nCells x nv, and the fixed part h0 */
  cellH: Float64Array;
  cellH0: Float64Array;
  nUsed: number;
  /**
   * KNOWNCLASS: number of classes K (0 = none), logit parameter of class k < K-1 (-1 = fixed), and
   * per cluster the counts entering sum log pi_k: individuals per class for a within-level class
   * variable, 1 for the cluster's class for a between-level one (classes of clusters)
   */
  nClasses: number;
  logitParam: Int32Array;
  logitFixed: Float64Array;
  classCount: Float64Array;
  effects: RandomEffect[];
  /** first used data row of each cluster (to read between-level values) and its known class (-1: none) */
  clusterRow: Int32Array;
  clusterClass: Int32Array;
  /** rows of the IR with their internal parameter (-1 fixed) */
  rows: Array<{ row: ParamRow; param: number }>;
}

function unsupported(message: string, code = 'E_TWOLEVEL_UNSUPPORTED'): PlusmixError {
  const d: Diagnostic = { severity: 'error', code, command: 'MODEL', message, location: { kind: 'none' } };
  return new PlusmixError(d);
}

function rowText(r: ParamRow): string {
  const lvl = r.level ? `%${r.level.toUpperCase()}% ` : '';
  switch (r.kind) {
    case 'regression': return `${lvl}${r.lhs} ON ${r.rhs}`;
    case 'covariance': return `${lvl}${r.lhs} WITH ${r.rhs}`;
    case 'loading': return `${lvl}${r.lhs} BY ${r.rhs}`;
    case 'mean': case 'intercept': return `${lvl}[${r.lhs}]`;
    default: return `${lvl}${r.kind} of ${r.lhs}`;
  }
}

export function compileTwoLevel(ir: ModelIR, ds: Dataset, level1?: Level1VarianceModel): TwoLevelProblem {
  const cl = ds.cluster;
  if (!ir.twoLevel || !cl) throw unsupported('the two-level estimator needs TYPE = TWOLEVEL and a CLUSTER variable');
  const deps = ir.observed.filter((v) => v.role === 'dependent');
  if (deps.length !== 1)
    throw unsupported(`the closed-form two-level estimator handles one continuous outcome (found ${deps.length}); multivariate two-level models are not implemented yet`);
  const yv = deps[0]!;
  if (yv.scale !== 'continuous') throw unsupported(`outcome ${yv.display} is ${yv.scale}; the closed-form two-level estimator needs a continuous outcome`);
  const Y = yv.name;
  const colOf = (name: string): DataColumn => {
    const c = column(ds, name);
    if (!c) throw unsupported(`variable ${name} is not in the data set`, 'E_TWOLEVEL_DATA');
    return c;
  };
  const obsByName = new Map(ir.observed.map((v) => [v.name, v]));
  const yCol = colOf(Y).values;

  // ---- known classes (KNOWNCLASS only; latent classes need the mixture engine)
  if (ir.classVariables.length > 1 || ir.classVariables.some((c) => !c.known))
    throw unsupported('the closed-form two-level estimator supports at most one KNOWNCLASS variable and no latent classes');
  const cv = ir.classVariables[0];
  let classOf: Int32Array | null = null;
  if (cv) {
    const kc = ds.knownClass?.find((k) => k.classVariable === cv.name);
    if (!kc) throw unsupported(`no known-class memberships for ${cv.name} in the data set`, 'E_TWOLEVEL_DATA');
    classOf = kc.of;
  }
  const K = cv ? cv.nClasses : 0;
  const inClass = (r: ParamRow, i: number): boolean => {
    if (!cv || classOf === null) return true;
    const k = r.classes[cv.name];
    return k === undefined || classOf[i] === k - 1;
  };

  // ---- between-level random effects
  const effects: RandomEffect[] = [];
  const effByName = new Map<string, RandomEffect>();
  if (yv.level !== 'within') {
    const e: RandomEffect = { name: Y, carrier: null, z: -1, mean: [] };
    effects.push(e); effByName.set(Y, e);
  }
  for (const rs of ir.randomSlopes) {
    if (rs.dependent !== Y) throw unsupported(`random slope ${rs.name}: ${rs.dependent} is not the outcome`);
    const x = obsByName.get(rs.predictor);
    if (!x || x.level !== 'within')
      throw unsupported(`random slope ${rs.name}: its predictor ${rs.predictor} must be listed in WITHIN (latent covariate decomposition is not implemented)`);
    const e: RandomEffect = { name: rs.name, carrier: colOf(rs.predictor).values, z: -1, mean: [] };
    effects.push(e); effByName.set(rs.name, e);
  }
  const betweenCov = (name: string): Float64Array => {
    const v = obsByName.get(name);
    if (!v || v.level !== 'between' || v.role !== 'covariate')
      throw unsupported(`${name} must be a BETWEEN covariate to be used in a between-level regression`);
    return colOf(name).values;
  };

  // ---- classify rows
  const nFree = ir.nFree;
  const category: Array<ParamCategory | undefined> = new Array(nFree);
  const setCat = (r: ParamRow, c: ParamCategory): void => {
    if (r.par === 0) return;
    const old = category[r.par - 1];
    if (old && old !== c) throw unsupported(`parameter ${r.par} (${rowText(r)}) is held equal to a parameter of another kind`);
    category[r.par - 1] = c;
  };
  type BetaTerm = { row: ParamRow; carrier: Float64Array | null; w: Float64Array | null };
  const betaTerms: BetaTerm[] = [];
  const resvarRows: ParamRow[] = [];
  const varRows = new Map<string, ParamRow>();
  const covRows: ParamRow[] = [];
  const logitRows: ParamRow[] = [];
  for (const r of ir.rows) {
    if (r.kind === 'constraintNew') continue;
    if (r.kind === 'classIntercept') { logitRows.push(r); setCat(r, 'logit'); continue; }
    if (r.level === 'within') {
      if (r.kind === 'regression' && r.lhs === Y) {
        const x = obsByName.get(r.rhs);
        if (!x || x.level !== 'within' || x.role !== 'covariate')
          throw unsupported(`${rowText(r)}: ${r.rhs} must be a WITHIN covariate (latent covariate decomposition is not implemented)`);
        betaTerms.push({ row: r, carrier: colOf(r.rhs).values, w: null }); setCat(r, 'beta');
      } else if ((r.kind === 'intercept' || r.kind === 'mean') && r.lhs === Y) {
        // with a between-level random intercept the within intercept is Mplus's structural 0
        // (a fixed value only shifts y); a free one would not be identified
        if (yv.level !== 'within' && r.par > 0) throw unsupported(`${rowText(r)}: the within-level intercept of ${Y} cannot be free when ${Y} has a between-level random intercept`);
        betaTerms.push({ row: r, carrier: null, w: null }); setCat(r, 'beta');
      } else if ((r.kind === 'residualVariance' || r.kind === 'variance') && r.lhs === Y) {
        resvarRows.push(r); setCat(r, 'resvar');
      } else throw unsupported(`${rowText(r)} is not supported by the closed-form two-level estimator`);
    } else if (r.level === 'between') {
      const e = effByName.get(r.lhs);
      if (!e) throw unsupported(`${rowText(r)} is not supported by the closed-form two-level estimator (between-level factors are not implemented)`);
      if (r.kind === 'intercept' || r.kind === 'mean') {
        betaTerms.push({ row: r, carrier: e.carrier, w: null }); setCat(r, 'beta');
      } else if (r.kind === 'regression') {
        betaTerms.push({ row: r, carrier: e.carrier, w: betweenCov(r.rhs) }); setCat(r, 'beta');
      } else if (r.kind === 'variance' || r.kind === 'residualVariance') {
        const old = varRows.get(r.lhs);
        if (old && old.par !== r.par) throw unsupported(`the between-level variance of ${r.lhs} cannot differ across classes of a within-level class variable`);
        varRows.set(r.lhs, r); setCat(r, 'tau');
      } else if (r.kind === 'covariance') {
        if (!effByName.has(r.rhs)) throw unsupported(`${rowText(r)}: ${r.rhs} is not a between-level random effect`);
        covRows.push(r); setCat(r, 'tau');
      } else throw unsupported(`${rowText(r)} is not supported by the closed-form two-level estimator`);
    } else throw unsupported(`${rowText(r)} has no level; two-level rows must be %WITHIN% or %BETWEEN%`);
  }
  for (let k = 0; k < nFree; k++)
    if (!category[k]) throw unsupported(`free parameter ${k + 1} is not used by any row the two-level estimator understands`);
  if (resvarRows.length === 0) throw unsupported(`no within-level residual variance row for ${Y}`);

  // ---- random part
  let q = 0;
  for (const e of effects) {
    const vr = varRows.get(e.name);
    if (vr && (vr.par > 0 || vr.value !== 0)) e.z = q++;
  }
  const tauParam = new Int32Array(q * q).fill(-1);
  const tauFixed = new Float64Array(q * q);
  for (const e of effects) {
    if (e.z < 0) continue;
    const vr = varRows.get(e.name)!;
    if (vr.par > 0) tauParam[e.z * q + e.z] = vr.par - 1;
    else tauFixed[e.z * q + e.z] = vr.value;
  }
  for (const r of covRows) {
    const a = effByName.get(r.lhs)!.z;
    const b = effByName.get(r.rhs)!.z;
    if (a < 0 || b < 0) {
      if (r.par > 0 || r.value !== 0) throw unsupported(`${rowText(r)}: covariance with a random effect whose variance is fixed at 0`);
      continue;
    }
    for (const [i, j] of [[a, b], [b, a]] as const) {
      if (r.par > 0) tauParam[i * q + j] = r.par - 1;
      else tauFixed[i * q + j] = r.value;
    }
  }

  // ---- fixed part: distinct free beta parameters, in parameter order
  const betaPars = [...new Set(betaTerms.filter((t) => t.row.par > 0).map((t) => t.row.par - 1))].sort((a, b) => a - b);
  const p = betaPars.length;
  const colIndex = new Map(betaPars.map((par, k) => [par, k]));
  for (const t of betaTerms) {
    const e = effByName.get(t.row.lhs);
    if (t.row.level === 'between' && e) {
      const k = cv ? t.row.classes[cv.name] : undefined;
      e.mean.push({ param: t.row.par > 0 ? t.row.par - 1 : -1, value: t.row.value, w: t.w, cls: k === undefined ? -1 : k - 1 });
    }
  }

  // ---- residual variance function
  const extra: ExtraParam[] = [];
  const varPars: number[] = [...new Set(resvarRows.filter((r) => r.par > 0).map((r) => r.par - 1))].sort((a, b) => a - b);
  let groupOf: ((i: number) => number) | null = null;
  let linCols: Float64Array[] = [];
  let nGroups = 0;
  if (level1) {
    if (resvarRows.length !== 1 || resvarRows[0]!.par === 0)
      throw unsupported('a level-1 variance model needs one free within-level residual variance of the outcome (no class-specific or fixed residual variance)');
    if (level1.kind === 'linear') {
      linCols = level1.covariates.map((n) => colOf(n.toUpperCase()).values);
      level1.covariates.forEach((n, k) => extra.push({ name: level1.names?.[k] ?? `K${k + 1}`, block: 'New/Additional Parameters' }));
    } else {
      const g = colOf(level1.variable.toUpperCase()).values;
      const vals = [...new Set(Array.from(g).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
      nGroups = vals.length;
      const idx = new Map(vals.map((v, k) => [v, k]));
      groupOf = (i) => idx.get(g[i]!) ?? -1;
      for (let k = 1; k < nGroups; k++) extra.push({ name: level1.names?.[k - 1] ?? `${level1.variable.toUpperCase()}_${vals[k]}`, block: 'New/Additional Parameters' });
    }
    for (let k = 0; k < extra.length; k++) varPars.push(nFree + k);
  }
  const nv = varPars.length;
  const varIndex = new Map(varPars.map((par, k) => [par, k]));

  // ---- individuals used: outcome and every carrier / covariate observed
  const usedCols: Float64Array[] = [yCol];
  for (const t of betaTerms) { if (t.carrier) usedCols.push(t.carrier); if (t.w) usedCols.push(t.w); }
  for (const e of effects) if (e.carrier) usedCols.push(e.carrier);
  usedCols.push(...linCols);
  const J = cl.start.length - 1;
  const m = p + q + 1;
  const aVec = new Float64Array(m);
  const hVec = new Float64Array(nv);

  // build cells cluster by cluster
  const cellN: number[] = [];
  const cellCs: Float64Array[] = [];
  const cellHs: number[] = [];
  const cellH0: number[] = [];
  const clusterCellStart = new Int32Array(J + 1);
  const clusterRow = new Int32Array(J);
  const clusterClass = new Int32Array(J).fill(-1);
  const classCount = new Float64Array(J * Math.max(K, 1));
  let nUsed = 0;
  const perIndividual = level1?.kind === 'linear';
  // individuals of a cluster differ in their variance pattern only with groups or class-specific variances
  const splitCells = groupOf !== null || resvarRows.some((r) => Object.keys(r.classes).length > 0);
  const betaCol = betaTerms.map((t) => (t.row.par > 0 ? colIndex.get(t.row.par - 1)! : -1));
  for (let j = 0; j < J; j++) {
    clusterCellStart[j] = cellN.length;
    clusterRow[j] = cl.order[cl.start[j]!]!;
    let firstUsed = true;
    const cellOfKey = new Map<string, number>();
    for (let t = cl.start[j]!; t < cl.start[j + 1]!; t++) {
      const i = cl.order[t]!;
      let missing = false;
      for (let k = 0; k < usedCols.length && !missing; k++) missing = Number.isNaN(usedCols[k]![i]!);
      if (missing) continue;
      if (groupOf && groupOf(i) < 0) continue;
      nUsed++;
      if (firstUsed) { clusterRow[j] = i; if (classOf) clusterClass[j] = classOf[i]!; firstUsed = false; }
      if (classOf && cv!.level === 'between') {
        if (classOf[i] !== clusterClass[j])
          throw unsupported(`${cv!.display}: a between-level known class must be constant within cluster ${cl.ids[j]}`, 'E_TWOLEVEL_DATA');
        classCount[j * K + classOf[i]!] = 1;
      } else if (classOf) classCount[j * K + classOf[i]!]! += 1;
      // a = [X, Z, y - offset]
      aVec.fill(0);
      let offset = 0;
      for (let bi = 0; bi < betaTerms.length; bi++) {
        const bt = betaTerms[bi]!;
        if (!inClass(bt.row, i)) continue;
        const v = (bt.carrier ? bt.carrier[i]! : 1) * (bt.w ? bt.w[i]! : 1);
        if (betaCol[bi]! >= 0) aVec[betaCol[bi]!]! += v;
        else offset += bt.row.value * v;
      }
      for (const e of effects) if (e.z >= 0) aVec[p + e.z] = e.carrier ? e.carrier[i]! : 1;
      aVec[m - 1] = yCol[i]! - offset;
      // variance pattern
      hVec.fill(0);
      let h0 = 0;
      if (level1?.kind === 'linear') {
        hVec[0] = 1;
        for (let k = 0; k < linCols.length; k++) hVec[1 + k] = linCols[k]![i]!;
      } else if (groupOf) {
        const g = groupOf(i);
        hVec[g] = 1; // group 0 is the row's parameter (varPars[0]); group g>0 the extra g-1, at index g
      } else {
        for (const r of resvarRows) {
          if (!inClass(r, i)) continue;
          if (r.par > 0) hVec[varIndex.get(r.par - 1)!]! += 1;
          else h0 += r.value;
        }
      }
      const key = perIndividual || !splitCells ? '' : `${h0}|${hVec.join(',')}`;
      let c = perIndividual ? undefined : cellOfKey.get(key);
      if (c === undefined) {
        c = cellN.length;
        if (!perIndividual) cellOfKey.set(key, c);
        cellN.push(0);
        cellCs.push(new Float64Array(m * m));
        for (let k = 0; k < nv; k++) cellHs.push(hVec[k]!);
        cellH0.push(h0);
      }
      cellN[c]! += 1;
      const C = cellCs[c]!;
      for (let a = 0; a < m; a++) {
        const va = aVec[a]!;
        if (va === 0) continue;
        for (let b = a; b < m; b++) C[a * m + b]! += va * aVec[b]!;
      }
    }
  }
  clusterCellStart[J] = cellN.length;
  const nCells = cellN.length;
  const cellC = new Float64Array(nCells * m * m);
  for (let c = 0; c < nCells; c++) {
    const C = cellCs[c]!;
    for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) C[a * m + b] = C[b * m + a]!;
    cellC.set(C, c * m * m);
  }

  // ---- class logits
  const logitParam = new Int32Array(Math.max(K - 1, 0)).fill(-1);
  const logitFixed = new Float64Array(Math.max(K - 1, 0));
  for (const r of logitRows) {
    const k = (r.index ?? 0) - 1;
    if (k < 0 || k >= K - 1) continue;
    if (r.par > 0) logitParam[k] = r.par - 1; else logitFixed[k] = r.value;
  }

  const nParams = nFree + extra.length;
  const cats: ParamCategory[] = [...(category as ParamCategory[]), ...extra.map((): ParamCategory => 'resvar')];
  const prob: TwoLevelProblem = {
    outcome: Y,
    nParams,
    category: cats,
    start: new Float64Array(nParams),
    extra,
    varianceModel: level1?.kind ?? 'rows',
    p, q, m,
    betaParam: Int32Array.from(betaPars),
    tauParam, tauFixed,
    varParam: Int32Array.from(varPars),
    nClusters: J,
    clusterCellStart,
    nCells,
    cellN: Float64Array.from(cellN),
    cellC,
    cellH: Float64Array.from(cellHs),
    cellH0: Float64Array.from(cellH0),
    nUsed,
    nClasses: K,
    logitParam, logitFixed, classCount,
    effects,
    clusterRow,
    clusterClass,
    rows: ir.rows.filter((r) => r.kind !== 'constraintNew').map((row) => ({ row, param: row.par > 0 ? row.par - 1 : -1 })),
  };
  startValues(prob, ir);
  return prob;
}

/**
 * Starting values: user values (`*v`) are kept; otherwise fixed effects from OLS on the pooled
 * data, the residual variance from the OLS residuals (split 60/40 between level 1 and the random
 * intercept), slope variances small relative to the outcome scale, covariances 0, class logits
 * from the observed class sizes.
 */
function startValues(prob: TwoLevelProblem, ir: ModelIR): void {
  const { p, q, m } = prob;
  const S = new Float64Array(m * m);
  for (let c = 0; c < prob.nCells; c++) for (let k = 0; k < m * m; k++) S[k]! += prob.cellC[c * m * m + k]!;
  const N = prob.nUsed;
  // OLS: (X'X + ridge) b = X'y
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    b[a] = S[a * m + m - 1]!;
    for (let c = 0; c < p; c++) A[a * p + c] = S[a * m + c]!;
    A[a * p + a]! += 1e-8 * (S[a * m + a]! + 1);
  }
  const beta = solveSmall(A, b, p);
  let rss = S[(m - 1) * m + m - 1]!;
  for (let a = 0; a < p; a++) rss -= beta[a]! * b[a]!;
  const s2 = Math.max(rss / Math.max(N, 1), 1e-4);
  const st = prob.start;
  for (let k = 0; k < p; k++) st[prob.betaParam[k]!] = beta[k]!;
  // variances start at 60% of the OLS residual variance; slopes of a linear variance function at 0
  for (let k = 0; k < prob.varParam.length; k++) st[prob.varParam[k]!] = prob.varianceModel === 'linear' && k > 0 ? 0 : 0.6 * s2;
  for (let a = 0; a < q; a++)
    for (let c = 0; c < q; c++) {
      const par = prob.tauParam[a * q + c]!;
      if (par < 0) continue;
      if (a !== c) { st[par] = 0; continue; }
      // carrier variance over the pooled data (Z block of S)
      const zz = S[(p + a) * m + (p + a)]! / Math.max(N, 1);
      st[par] = 0.4 * s2 / Math.max(zz, 1e-8) * (a === 0 ? 1 : 0.25);
    }
  for (let k = 0; k < prob.logitParam.length; k++) {
    const par = prob.logitParam[k]!;
    if (par < 0) continue;
    let nk = 0, nK = 0;
    for (let j = 0; j < prob.nClusters; j++) { nk += prob.classCount[j * prob.nClasses + k]!; nK += prob.classCount[j * prob.nClasses + prob.nClasses - 1]!; }
    st[par] = Math.log(Math.max(nk, 0.5) / Math.max(nK, 0.5));
  }
  // user-given start values win
  for (const r of ir.rows) if (r.par > 0 && r.userValue) st[r.par - 1] = r.value;
}

function solveSmall(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]!) > Math.abs(a[piv * n + k]!)) piv = i;
    if (piv !== k) {
      for (let j = 0; j < n; j++) { const t = a[k * n + j]!; a[k * n + j] = a[piv * n + j]!; a[piv * n + j] = t; }
      const t = x[k]!; x[k] = x[piv]!; x[piv] = t;
    }
    const d = a[k * n + k]! || 1e-300;
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k]! / d;
      for (let j = k; j < n; j++) a[i * n + j]! -= f * a[k * n + j]!;
      x[i]! -= f * x[k]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * x[j]!;
    x[i] = s / (a[i * n + i]! || 1e-300);
  }
  return x;
}
