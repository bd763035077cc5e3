// The TECH1 layout of a ModelIR: the matrices Mplus prints, per level and
// class, with every cell pointing at its parameter row (or holding a
// structural 0 / 1). Free-parameter numbers (`par`) are assigned by walking
// this layout in print order, so they equal Mplus's TECH1 numbers.
//
// Layout facts and their sources:
//  - per level (within, then between), per class (1..K), the matrices NU, LAMBDA, THETA, ALPHA, BETA, PSI;
//    numbers run row-major through each matrix (symmetric ones: lower triangle), first encounter of a
//    parameter gets the next number, later copies (class-invariant, equal labels) reuse it [10.4, 8.6];
//  - observed variables taking part in regressions with observed variables (dependents and covariates),
//    random-slope variables, covariates, and variables covarying with any of these or with a latent
//    variable are carried in the latent vector too: LAMBDA = 1, NU = THETA = 0,
//    and their intercepts / residual variances / slopes sit in ALPHA / PSI / BETA [8.6, 9.31, ex3.18 outputs];
//  - the observed vector lists dependent variables, then covariates, each in analysis order [8.6, 9.31];
//  - the latent vector lists latent variables of the within level (incl. random slopes), then random class
//    intercepts C#k, then between-level latent variables, then the observed variables carried there [10.4, 9.31];
//    TWOLEVEL MIXTURE uses one common list for both levels [10.4], TWOLEVEL without mixture one per level [9.31];
//  - categorical indicators of mixtures: "LATENT CLASS INDICATOR MODEL PART" after the levels; LAMBDA(U)
//    (items x classes, numbered item-major) when every item is binary [7.3, 8.6], otherwise TAU(U) FOR
//    LATENT CLASS k (numbered class-major) [Mplus 8.11 UG ex7.6 output]; KAPPA(U) per class with covariates [8.6];
//  - "LATENT CLASS REGRESSION MODEL PART": ALPHA(C) (logits, last class 0), GAMMA(C) (rows C#k; columns the
//    covariates, or the latent vector when there are none) [10.4, 8.6].
// Unverified (no TECH1 seen): BETA(C) for `cw ON cb`, several class variables, categorical outcomes outside mixtures.

import type { Diagnostic } from '../syntax/diagnostics.js';
import type { ClassPattern, Level, ModelIR, ParamRow } from './ir.js';
import { classPatterns } from './ir.js';

export interface LCell {
  /** the parameter row; undefined for a structural 0 / 1 */
  row?: ParamRow;
  /** structural value when row is undefined */
  value: number;
}

export interface LMatrix {
  name: string;
  /** null for one-row vectors (NU, ALPHA, TAU, ALPHA(C)) */
  rowLabels: string[] | null;
  colLabels: string[];
  symmetric: boolean;
  cells: LCell[][];
}

export interface LSection {
  /** text after "PARAMETER SPECIFICATION" / "STARTING VALUES", e.g. " FOR WITHIN LEVEL, LATENT CLASS 1" */
  title: string;
  matrices: LMatrix[];
}

const baseKind = (k: ParamRow['kind']): string => (k === 'residualVariance' ? 'variance' : k === 'intercept' ? 'mean' : k);
const patKey = (p: ClassPattern) => JSON.stringify(p);

class RowIndex {
  private map = new Map<string, ParamRow>();
  constructor(rows: ParamRow[]) {
    for (const r of rows) {
      const L = r.level ?? 'within';
      this.map.set(this.k(L, baseKind(r.kind), r.lhs, r.rhs, r.index, r.rhsIndex, r.classes), r);
      if (r.kind === 'covariance') this.map.set(this.k(L, 'covariance', r.rhs, r.lhs, r.index, r.rhsIndex, r.classes), r);
    }
  }
  private k(L: Level, kind: string, lhs: string, rhs: string, index: number | undefined, rhsIndex: number | undefined, p: ClassPattern) {
    return `${L}|${kind}|${lhs}|${rhs}|${index ?? ''}|${rhsIndex ?? ''}|${patKey(p)}`;
  }
  get(L: Level, kind: string, lhs: string, rhs: string, p: ClassPattern, index?: number, rhsIndex?: number): ParamRow | undefined {
    return this.map.get(this.k(L, kind, lhs, rhs, index, rhsIndex, p));
  }
}

const cell = (row: ParamRow | undefined, value = 0): LCell => (row ? { row, value: row.value } : { value });

export function layout(ir: ModelIR): LSection[] {
  const idx = new RowIndex(ir.rows);
  const levels: Level[] = ir.twoLevel ? ['within', 'between'] : ['within'];
  const patterns = classPatterns(ir);
  const hasClasses = ir.classVariables.length > 0;
  const latentNames = new Set(ir.latent.filter((l) => l.kind !== 'randomIntercept').map((l) => l.name));
  const rowsAt = (L: Level) => ir.rows.filter((r) => (r.level ?? 'within') === L);
  const isCat = (name: string) => ir.observed.some((o) => o.name === name && (o.scale === 'categorical' || o.scale === 'nominal'));

  const covariatesAt = (L: Level): string[] => {
    const used = new Set<string>();
    for (const r of rowsAt(L)) if ((r.kind === 'regression' || r.kind === 'classRegression') && r.rhs) used.add(r.rhs);
    for (const s of ir.randomSlopes) if (s.level === L) used.add(s.predictor);
    return ir.observed.filter((o) => o.role === 'covariate' && used.has(o.name)).map((o) => o.name);
  };
  const dependentsAt = (L: Level): string[] =>
    ir.observed
      .filter((o) => o.role === 'dependent' && (!ir.twoLevel || (L === 'within' ? o.level !== 'between' : o.level !== 'within')))
      .filter((o) => !(ir.mixture && (o.scale === 'categorical' || o.scale === 'nominal')))
      .map((o) => o.name);
  const movedAt = (L: Level): Set<string> => {
    const out = new Set<string>(covariatesAt(L));
    const obs = new Set(ir.observed.map((o) => o.name));
    for (const r of rowsAt(L)) {
      if (r.kind === 'regression') {
        if (obs.has(r.lhs)) out.add(r.lhs);
        if (obs.has(r.rhs)) out.add(r.rhs);
      }
    }
    for (const s of ir.randomSlopes) if (s.level === L) out.add(s.dependent).add(s.predictor);
    // a variable covarying with a latent or carried variable is carried too (until nothing changes)
    const covs = rowsAt(L).filter((r) => r.kind === 'covariance');
    for (let changed = true; changed; ) {
      changed = false;
      for (const r of covs) {
        const inEta = (v: string) => !obs.has(v) || out.has(v);
        for (const [a, b] of [[r.lhs, r.rhs], [r.rhs, r.lhs]])
          if (obs.has(a) && !out.has(a) && inEta(b)) {
            out.add(a);
            changed = true;
          }
      }
    }
    return out;
  };
  const latentOrder = (L: Level | null): string[] => {
    const rank = (l: ModelIR['latent'][number]) => (l.kind === 'randomSlope' || l.level === 'within' ? 0 : l.kind === 'classIntercept' ? 1 : 2);
    return ir.latent
      .filter((l) => l.kind !== 'randomIntercept' && (L === null || l.level === L))
      .map((l, i) => ({ l, i }))
      .sort((a, b) => rank(a.l) - rank(b.l) || a.i - b.i)
      .map(({ l }) => l.name);
  };
  const union = (a: string[], b: string[]) => [...a, ...b.filter((x) => !a.includes(x))];
  const order = ir.observed.map((o) => o.name);
  const byOrder = (names: Iterable<string>) => {
    const s = new Set(names);
    return order.filter((n) => s.has(n));
  };

  // observed and latent vectors per level (one common pair in TWOLEVEL MIXTURE)
  const vectors = new Map<Level, { y: string[]; eta: string[]; moved: Set<string> }>();
  for (const L of levels) {
    const covs = covariatesAt(L);
    const y = [...byOrder(dependentsAt(L)), ...covs.filter((c) => !dependentsAt(L).includes(c))];
    const moved = movedAt(L);
    vectors.set(L, { y, eta: [...latentOrder(L), ...y.filter((v) => moved.has(v))], moved });
  }
  if (ir.twoLevel && ir.mixture) {
    const w = vectors.get('within')!, b = vectors.get('between')!;
    const deps = byOrder([...dependentsAt('within'), ...dependentsAt('between')]);
    const covs = byOrder([...covariatesAt('within'), ...covariatesAt('between')]);
    const y = union(deps, covs);
    const moved = new Set([...w.moved, ...b.moved]);
    const eta = [...latentOrder(null), ...y.filter((v) => moved.has(v))];
    for (const L of levels) vectors.set(L, { y, eta, moved });
  }

  const sections: LSection[] = [];
  const classLabel = (p: ClassPattern) => {
    const ks = ir.classVariables.map((c) => p[c.name]);
    return ks.length === 1 ? `LATENT CLASS ${ks[0]}` : `LATENT CLASS PATTERN ${ks.join(' ')}`;
  };
  const allCovariates = ir.observed.filter((o) => o.role === 'covariate').map((o) => o.name);
  const catItems = ir.observed.filter((o) => o.role === 'dependent' && o.scale === 'categorical');
  const tauLabels = (items: typeof catItems) => items.flatMap((o) => Array.from({ length: Math.max(1, (o.nCategories ?? 2) - 1) }, (_, s) => ({ item: o.name, s: s + 1, label: `${o.name}$${s + 1}` })));
  const tauLevel = (o: (typeof catItems)[number]): Level => (ir.twoLevel && o.level !== 'within' ? 'between' : 'within');

  for (const L of levels) {
    const { y, eta, moved } = vectors.get(L)!;
    for (const p of hasClasses ? patterns : [{}]) {
      const title = ir.twoLevel ? (hasClasses ? ` FOR ${L.toUpperCase()} LEVEL, ${classLabel(p)}` : ` FOR ${L.toUpperCase()}`) : hasClasses ? ` FOR ${classLabel(p)}` : '';
      const mats: LMatrix[] = [];
      if (!ir.mixture) {
        const items = catItems.filter((o) => tauLevel(o) === L);
        if (items.length) {
          const labs = tauLabels(items);
          mats.push({ name: 'TAU', rowLabels: null, colLabels: labs.map((t) => t.label), symmetric: false, cells: [labs.map((t) => cell(idx.get(L, 'threshold', t.item, '', p, t.s)))] });
        }
      }
      if (y.length) {
        const yMoved = (v: string) => moved.has(v);
        mats.push({ name: 'NU', rowLabels: null, colLabels: y, symmetric: false, cells: [y.map((v) => (yMoved(v) || isCat(v) ? cell(undefined) : cell(idx.get(L, 'mean', v, '', p))))] });
        if (eta.length)
          mats.push({
            name: 'LAMBDA', rowLabels: y, colLabels: eta, symmetric: false,
            cells: y.map((v) => eta.map((e) => (e === v ? cell(undefined, 1) : latentNames.has(e) ? cell(idx.get(L, 'loading', e, v, p)) : cell(undefined)))),
          });
        mats.push({
          name: 'THETA', rowLabels: y, colLabels: y, symmetric: true,
          cells: y.map((a, i) => y.slice(0, i + 1).map((b) => (yMoved(a) || yMoved(b) ? cell(undefined) : cell(a === b ? idx.get(L, 'variance', a, '', p) : idx.get(L, 'covariance', a, b, p))))),
        });
      }
      if (eta.length) {
        const classIntercept = (e: string) => ir.latent.some((l) => l.kind === 'classIntercept' && l.name === e);
        mats.push({ name: 'ALPHA', rowLabels: null, colLabels: eta, symmetric: false, cells: [eta.map((e) => (classIntercept(e) ? cell(undefined) : cell(idx.get(L, 'mean', e, '', p))))] });
        mats.push({
          name: 'BETA', rowLabels: eta, colLabels: eta, symmetric: false,
          cells: eta.map((a) =>
            eta.map((b) => {
              const r = idx.get(L, 'regression', a, b, p) ?? idx.get(L, 'loading', b, a, p);
              if (r) return cell(r);
              const m = /^(.*)#(\d+)$/.exec(a);
              return cell(m && classIntercept(a) ? idx.get(L, 'classRegression', m[1], b, {}, Number(m[2])) : undefined);
            }),
          ),
        });
        mats.push({
          name: 'PSI', rowLabels: eta, colLabels: eta, symmetric: true,
          cells: eta.map((a, i) => eta.slice(0, i + 1).map((b) => cell(a === b ? idx.get(L, 'variance', a, '', p) : idx.get(L, 'covariance', a, b, p)))),
        });
      }
      sections.push({ title, matrices: mats });
    }
  }

  if (hasClasses) {
    // ---- categorical indicators
    const ind: LMatrix[] = [];
    const cv = ir.classVariables;
    if (catItems.length) {
      const binary = cv.length === 1 && catItems.every((o) => (o.nCategories ?? 2) <= 2);
      if (binary) {
        const K = cv[0].nClasses;
        const cols = Array.from({ length: K }, (_, k) => `${cv[0].name}#${k + 1}`);
        ind.push({
          name: 'LAMBDA(U)', rowLabels: catItems.map((o) => o.name), colLabels: cols, symmetric: false,
          cells: catItems.map((o) => cols.map((_, k) => cell(idx.get(tauLevel(o), 'threshold', o.name, '', { [cv[0].name]: k + 1 }, 1)))),
        });
      } else {
        const labs = tauLabels(catItems);
        for (const p of patterns) {
          const lvl = (item: string) => tauLevel(catItems.find((o) => o.name === item)!);
          ind.push({ name: `TAU(U) FOR ${classLabel(p)}`, rowLabels: null, colLabels: labs.map((t) => t.label), symmetric: false, cells: [labs.map((t) => cell(idx.get(lvl(t.item), 'threshold', t.item, '', p, t.s)))] });
        }
      }
      if (allCovariates.length)
        for (const p of patterns)
          ind.push({
            name: `KAPPA(U) FOR ${classLabel(p)}`, rowLabels: catItems.map((o) => o.name), colLabels: allCovariates, symmetric: false,
            cells: catItems.map((o) => allCovariates.map((x) => cell(idx.get(tauLevel(o), 'regression', o.name, x, p)))),
          });
      sections.push({ title: ' FOR LATENT CLASS INDICATOR MODEL PART', matrices: ind });
    }

    // ---- class regression part
    const labels = cv.flatMap((c) => Array.from({ length: c.nClasses }, (_, k) => ({ c: c.name, k: k + 1, label: `${c.name}#${k + 1}` })));
    const reg: LMatrix[] = [];
    reg.push({ name: 'ALPHA(C)', rowLabels: null, colLabels: labels.map((l) => l.label), symmetric: false, cells: [labels.map((l) => cell(idx.get(cv.find((c) => c.name === l.c)!.level, 'classIntercept', l.c, '', {}, l.k)))] });
    const gcols = allCovariates.length ? allCovariates : vectors.get(levels[0])!.eta;
    const classRow = (c: string, x: string, k: number) => {
      for (const L of levels) {
        if (L === 'between' && latentNames.has(`${c}#${k}`)) continue; // in BETA of the between level
        const r = idx.get(L, 'classRegression', c, x, {}, k);
        if (r) return r;
      }
      return undefined;
    };
    if (gcols.length) reg.push({ name: 'GAMMA(C)', rowLabels: labels.map((l) => l.label), colLabels: gcols, symmetric: false, cells: labels.map((l) => gcols.map((x) => cell(classRow(l.c, x, l.k)))) });
    for (const a of cv)
      for (const b of cv) {
        const rs = ir.rows.filter((r) => r.kind === 'classRegression' && r.lhs === a.name && r.rhs === b.name);
        if (!rs.length) continue;
        const rl = labels.filter((l) => l.c === a.name), cl = labels.filter((l) => l.c === b.name);
        reg.push({
          name: 'BETA(C)', rowLabels: rl.map((l) => l.label), colLabels: cl.map((l) => l.label), symmetric: false,
          cells: rl.map((r) => cl.map((c) => cell(rs.find((x) => x.index === r.k && x.rhsIndex === c.k)))),
        });
      }
    sections.push({ title: ' FOR LATENT CLASS REGRESSION MODEL PART', matrices: reg });
  }
  return sections;
}

/**
 * Number the free parameters in TECH1 print order: a free row gets the number of its equality key if
 * that key was met before, else the next number. Rows the layout does not show are numbered after the
 * others (and reported), so no parameter is ever lost.
 */
export function assignNumbers(ir: ModelIR, diags: Diagnostic[], file: string): void {
  const num = new Map<string, number>();
  let next = 0;
  const visit = (r: ParamRow) => {
    if (r.par === 0) return;
    const key = r.equalityKey ?? `row${r.id}`;
    let n = num.get(key);
    if (n === undefined) num.set(key, (n = ++next));
    r.par = n;
  };
  for (const s of layout(ir)) for (const m of s.matrices) for (const line of m.cells) for (const c of line) if (c.row) visit(c.row);
  const missed = ir.rows.filter((r) => r.par < 0);
  for (const r of missed) visit(r);
  if (missed.length)
    diags.push({ severity: 'note', code: 'N_TECH1_LAYOUT', command: 'MODEL', message: `${missed.length} parameter(s) have no place in the TECH1 matrices and are numbered last: ${missed.map((r) => `${r.kind} ${r.lhs}${r.rhs ? ' ' + r.rhs : ''}`).join(', ')}.`, location: { kind: 'file', file } });
  ir.nFree = next;
}
