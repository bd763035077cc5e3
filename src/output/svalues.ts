// OUTPUT: SVALUES: "MODEL COMMAND WITH FINAL ESTIMATES USED AS STARTING VALUES".
//
// A MODEL command that states every parameter row of the model with its final estimate, in Mplus's
// layout (ex8.6 and ex5.16, Mplus 8.11): one statement per line, groups BY / ON / WITH / [means and
// intercepts] / [thresholds] / variances separated by blank lines, free values as `*-0.01861` (5
// decimals), fixed values as `@0` or `@1.35580`, and an equality label on every parameter that occurs in
// more than one row: the user's label when there is one, else the TECH1 parameter number `(7)` as Mplus
// prints it. Mixtures start with %OVERALL% (the class-variable parameters with values, and the BY / ON
// structure without values, as Mplus does), then one section per class (pattern); two-level models
// put everything under %WITHIN% / %BETWEEN%. Random slopes are restated as `s | y ON x;`. Growth
// factors are stated as BY with their (fixed) time scores, which lowers to the same parameter rows.
// Pasted back into the input, the command reproduces the model with the estimates as starting values
// (test/output/svalues.test.ts).

import type { ClassPattern, ModelIR, ParamRow } from '../model/ir.js';
import type { EstimationResult } from '../results/types.js';

/** the lines of the MODEL command (no indentation; `MODEL c1.c2:` labels start with MODEL) */
export function svaluesLines(ir: ModelIR, r: EstimationResult): string[] {
  const rows = ir.rows.filter((x) => x.kind !== 'constraintNew');
  const uses = new Map<number, number>();
  for (const x of rows) if (x.par > 0) uses.set(x.par, (uses.get(x.par) ?? 0) + 1);
  // the printed estimates by parameter number (estimators may keep theta in an internal parameterization)
  const estimates = new Map(r.parameters.filter((p) => p.par > 0).map((p) => [p.par, p.estimate]));
  const value = (x: ParamRow) => (x.par > 0 ? (estimates.get(x.par) ?? (x.par <= r.theta.length ? r.theta[x.par - 1] : x.value)) : x.value);
  const statement = (x: ParamRow, withValue = true) => rowStatement(x, withValue ? value(x) : null, labelOf(x, uses));
  const cvs = ir.classVariables.map((c) => c.name);
  const levels: Array<ParamRow['level']> = ir.twoLevel ? ['within', 'between'] : [null];
  const marker = (level: ParamRow['level']) => (level === 'within' ? ['%WITHIN%'] : level === 'between' ? ['%BETWEEN%'] : []);
  const patternKey = (p: ClassPattern) => cvs.filter((c) => p[c] !== undefined).map((c) => `${c}#${p[c]}`).join('.');
  // fixed rows that Mplus's defaults create again are left out, as Mplus does (loadings kept: `f BY y1@1`)
  const printed = rows.filter((x) => !(x.par === 0 && x.origin === 'default' && x.kind !== 'loading'));
  const out: string[] = [];
  const slopes = (level: ParamRow['level']) => ir.randomSlopes.filter((s) => (level ?? 'within') === s.level).map((s) => `${lc(s.name)} | ${lc(s.dependent)} ON ${lc(s.predictor)};`);
  if (!cvs.length) {
    for (const level of levels) {
      out.push(...marker(level));
      const sl = slopes(level);
      if (sl.length) out.push(...sl, '');
      out.push(...grouped(printed.filter((x) => x.level === level).map((x) => ({ x, s: statement(x) }))));
    }
  } else {
    // %OVERALL% of each level: the class-variable parameters with values and the BY / ON structure of the
    // class-specific rows without values (as Mplus prints it); then one section per class (pattern).
    // With several class variables the sections go under `MODEL cb.c:` after the whole %OVERALL% part.
    const isOverall = (x: ParamRow) => patternKey(x.classes) === '' || x.kind === 'classIntercept' || x.kind === 'classRegression';
    const sectionLines = (level: ParamRow['level'], key: string) => {
      const own = printed.filter((x) => x.level === level && !isOverall(x) && patternKey(x.classes) === key);
      return [`%${key}%`, '', ...grouped(own.map((x) => ({ x, s: statement(x) })))];
    };
    const keysAt = (level: ParamRow['level']) => [...new Set(printed.filter((x) => x.level === level && !isOverall(x)).map((x) => patternKey(x.classes)))];
    for (const level of levels) {
      const atLevel = printed.filter((x) => x.level === level);
      out.push(...marker(level), '%OVERALL%', '');
      const sl = slopes(level);
      if (sl.length) out.push(...sl, '');
      const structure = new Map<string, ParamRow>();
      for (const x of atLevel) if (!isOverall(x) && (x.kind === 'loading' || x.kind === 'regression')) structure.set(`${x.kind}|${x.lhs}|${x.rhs}`, x);
      out.push(...grouped([...[...structure.values()].map((x) => ({ x, s: rowStatement(x, null, undefined) })), ...atLevel.filter(isOverall).map((x) => ({ x, s: statement(x) }))]));
      if (cvs.length === 1) for (const key of keysAt(level)) out.push(...sectionLines(level, key));
    }
    if (cvs.length > 1) {
      const label = (key: string) => key.split('.').map((p) => lc(p.split('#')[0])).join('.');
      const labels = [...new Set(levels.flatMap((l) => keysAt(l).map(label)))];
      for (const lab of labels) {
        out.push(`MODEL ${lab}:`, '');
        for (const level of levels) {
          const keys = keysAt(level).filter((k) => label(k) === lab);
          if (!keys.length) continue;
          out.push(...marker(level));
          for (const key of keys) out.push(...sectionLines(level, key));
        }
      }
    }
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

const lc = (s: string) => s.toLowerCase();

function labelOf(x: ParamRow, uses: Map<number, number>): string | undefined {
  if (x.par === 0) return undefined;
  if (x.label) return x.label;
  return (uses.get(x.par) ?? 0) > 1 ? String(x.par) : undefined;
}

/** `*0.60796` for a free, `@0` / `@1.35580` for a fixed value; nothing when `v` is null */
function suffix(v: number | null, free: boolean): string {
  if (v === null) return '';
  if (free) return '*' + v.toFixed(5);
  return '@' + (Number.isInteger(v) ? String(v) : v.toFixed(5));
}

const GROUP: Record<ParamRow['kind'], number> = {
  loading: 0,
  regression: 1,
  classRegression: 1,
  covariance: 2,
  mean: 3,
  intercept: 3,
  classIntercept: 3,
  threshold: 4,
  variance: 5,
  residualVariance: 5,
  constraintNew: 6,
};

function rowStatement(x: ParamRow, v: number | null, label: string | undefined): string {
  const val = suffix(v, x.par > 0);
  const lab = label ? ` (${lc(label)})` : '';
  switch (x.kind) {
    case 'loading':
      return `${lc(x.lhs)} BY ${lc(x.rhs)}${val}${lab};`;
    case 'regression':
      return `${lc(x.lhs)} ON ${lc(x.rhs)}${val}${lab};`;
    case 'classRegression':
      return `${lc(x.lhs)}#${x.index} ON ${lc(x.rhs)}${x.rhsIndex ? `#${x.rhsIndex}` : ''}${val}${lab};`;
    case 'covariance':
      return `${lc(x.lhs)} WITH ${lc(x.rhs)}${val}${lab};`;
    case 'mean':
    case 'intercept':
      return `[ ${lc(x.lhs)}${val} ]${lab};`;
    case 'classIntercept':
      return `[ ${lc(x.lhs)}#${x.index}${val} ]${lab};`;
    case 'threshold':
      return `[ ${lc(x.lhs)}$${x.index}${val} ]${lab};`;
    default:
      return `${lc(x.lhs)}${val}${lab};`;
  }
}

/** statements in Mplus's group order, a blank line after each group */
function grouped(items: Array<{ x: ParamRow; s: string }>): string[] {
  const out: string[] = [];
  for (let g = 0; g <= 6; g++) {
    const lines = items.filter((i) => GROUP[i.x.kind] === g).map((i) => i.s);
    if (lines.length) out.push(...lines, '');
  }
  return out;
}
