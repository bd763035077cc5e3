// TYPE = THREELEVEL: the model IR of a three-level model (UG ex9.20-9.23), built from two two-level
// lowerings so that every TWOLEVEL default applies unchanged at each level:
//   pass A: %WITHIN% = the %WITHIN% statements, %BETWEEN% = the `%BETWEEN level2%` statements, with the
//           WITHIN and (level2) BETWEEN variables -> the within rows and the level-2 rows;
//   pass B: %BETWEEN% = the `%BETWEEN level3%` statements, with the (level3) BETWEEN variables -> the
//           level-3 rows (pass B's within rows are discarded).
// Each outcome listed neither WITHIN nor BETWEEN is split into a within, a level-2 and a level-3 part
// (its random intercept at levels 2 and 3 is named like the variable, as in TWOLEVEL).
// Mean structure: only the top level has means / intercepts (UG ch. 9, three-level models: "the
// intercepts of the outcomes are estimated at the highest level" [ours: our reading]); level-2 rows that
// pass A's two-level defaults would free (growth-factor means, intercepts of outcomes) are fixed at 0,
// as the within ones already are (src/model/defaults.ts, UG ex9.12). A mean or intercept the user frees at
// the within level or level 2 is refused (not identified next to the level-3 one). Level-3 residual
// variances of indicators of level-3 factors / growth factors are fixed at 0 by default (see below).
// Parameters are renumbered within, level 2, level 3; an equality label used in two passes makes one
// parameter. Rows of levels 2 and 3 have level 'between' and `betweenLevel` 'LEVEL2' / 'LEVEL3'.

import type { InputFile, ModelCommand, ModelStatement, OptionsCommand } from '../syntax/ast.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { inputError } from '../syntax/diagnostics.js';
import type { DataColumn, Dataset } from '../data/dataset.js';
import type { LatentVariable, ModelIR, ObservedVariable, ParamRow } from './ir.js';
import { buildIR } from './build.js';

/** The MODEL statements of each level of a THREELEVEL model (section markers removed). */
interface LevelStatements {
  within: ModelStatement[];
  level2: ModelStatement[];
  level3: ModelStatement[];
}

function splitStatements(ast: InputFile, model: ModelCommand, diags: Diagnostic[]): LevelStatements {
  const out: LevelStatements = { within: [], level2: [], level3: [] };
  let cur: ModelStatement[] | null = null;
  for (const st of model.statements) {
    if (st.kind === 'Section') {
      const s = st.section;
      if (s.kind === 'Within') cur = out.within;
      else if (s.kind === 'Between' && s.level === 'LEVEL2') cur = out.level2;
      else if (s.kind === 'Between' && s.level === 'LEVEL3') cur = out.level3;
      else {
        diags.push(inputError(ast.path, st.span, 'E_THREELEVEL_SECTION', 'TYPE = THREELEVEL: use %WITHIN%, %BETWEEN level2% and %BETWEEN level3% (plain %BETWEEN% and class sections are not supported).', 'MODEL'));
        cur = null;
      }
      continue;
    }
    if (!cur) {
      diags.push(inputError(ast.path, st.span, 'E_THREELEVEL_SECTION', 'TYPE = THREELEVEL: a statement must follow %WITHIN%, %BETWEEN level2% or %BETWEEN level3%.', 'MODEL'));
      continue;
    }
    cur.push(st);
  }
  return out;
}

/** A copy of the AST that a two-level lowering reads: TYPE = TWOLEVEL and the given MODEL statements. */
function twoLevelAst(ast: InputFile, model: ModelCommand, within: ModelStatement[], between: ModelStatement[]): InputFile {
  const sec = (kind: 'Within' | 'Between'): ModelStatement => ({ kind: 'Section', section: { kind }, span: model.headerSpan });
  const statements = [sec('Within'), ...within, sec('Between'), ...between];
  const commands = ast.commands.map((c) => {
    if (c === model) return { ...model, statements };
    if (c.kind === 'Options' && c.name === 'ANALYSIS') {
      const opts = c as OptionsCommand;
      return {
        ...opts,
        options: opts.options.map((o) =>
          o.name === 'TYPE' ? { ...o, values: o.values.map((v) => (v.kind === 'word' && v.upper.startsWith('THREE') ? { ...v, text: 'TWOLEVEL', upper: 'TWOLEVEL' } : v)) } : o,
        ),
      };
    }
    return c;
  });
  return { ...ast, commands };
}

/** `%BETWEEN level2%` in a model that is not TYPE = THREELEVEL: one error per such section. */
export function levelSectionErrors(ast: InputFile, diags: Diagnostic[]): void {
  for (const c of ast.commands) {
    if (c.kind !== 'Model') continue;
    for (const st of c.statements)
      if (st.kind === 'Section' && st.section.kind === 'Between' && st.section.level)
        diags.push(inputError(ast.path, st.span, 'E_SECTION_NEEDS_THREELEVEL', `%BETWEEN ${st.section.level.toLowerCase()}% needs TYPE = THREELEVEL.`, 'MODEL'));
  }
}

/** True when the AST asks for TYPE = THREELEVEL. */
export function isThreeLevel(ast: InputFile): boolean {
  const a = ast.commands.find((c): c is OptionsCommand => c.kind === 'Options' && c.name === 'ANALYSIS');
  const type = a?.options.filter((o) => o.name === 'TYPE').pop();
  return !!type?.values.some((v) => v.kind === 'word' && v.upper.length >= 5 && 'THREELEVEL'.startsWith(v.upper));
}

export function buildThreeLevelIR(ast: InputFile, columns: DataColumn[], diags: Diagnostic[], data?: Dataset): ModelIR {
  const model = ast.commands.find((c): c is ModelCommand => c.kind === 'Model' && c.variant === 'MODEL');
  if (!model) throw new Error('buildThreeLevelIR: no MODEL command');
  const parts = splitStatements(ast, model, diags);
  for (const c of columns) {
    if (c.level === 'between' && !c.betweenLevel) {
      diags.push({ severity: 'error', code: 'E_THREELEVEL_BETWEEN', command: 'VARIABLE', message: `TYPE = THREELEVEL: write the level of the BETWEEN variable ${c.display}: BETWEEN = (level2) ... (level3) ...;`, location: { kind: 'file', file: ast.path } });
    }
  }
  const colsA = columns.filter((c) => c.betweenLevel !== 'LEVEL3');
  const colsB = columns.filter((c) => c.level === 'both' || c.betweenLevel === 'LEVEL3');
  const dataA = data && { ...data, columns: data.columns.filter((c) => c.betweenLevel !== 'LEVEL3') };
  const dataB = data && { ...data, columns: data.columns.filter((c) => c.level === 'both' || c.betweenLevel === 'LEVEL3') };
  const irA = buildIR(twoLevelAst(ast, model, parts.within, parts.level2), colsA, diags, dataA);
  const irB = buildIR(twoLevelAst(ast, model, [], parts.level3), colsB, diags, dataB);

  // rows: within and level 2 from pass A, level 3 from pass B; new parameter numbers in that order
  const rows: ParamRow[] = [];
  const newPar = new Map<string, number>();
  const byLabel = new Map<string, number>();
  let nFree = 0;
  const take = (r: ParamRow, pass: 'A' | 'B', betweenLevel?: 'LEVEL2' | 'LEVEL3') => {
    const row: ParamRow = { ...r, id: rows.length };
    if (betweenLevel) row.betweenLevel = betweenLevel;
    if (betweenLevel !== 'LEVEL3' && (r.kind === 'mean' || r.kind === 'intercept')) {
      if (r.origin === 'user' && r.par > 0) {
        diags.push({ severity: 'error', code: 'E_THREELEVEL_MEAN', command: 'MODEL', message: `TYPE = THREELEVEL: the ${r.kind} of ${r.lhs} is free at the ${betweenLevel ? 'level-2' : 'within'} level; means and intercepts are estimated at level 3 only.`, location: r.span ? { kind: 'input', file: ast.path, span: r.span } : { kind: 'file', file: ast.path } });
      }
      if (r.origin === 'default') {
        row.par = 0;
        row.value = 0;
      }
    }
    if (row.par > 0) {
      const key = `${pass}:${row.par}`;
      let p = newPar.get(key) ?? (row.label ? byLabel.get(row.label) : undefined);
      if (p === undefined) p = ++nFree;
      newPar.set(key, p);
      if (row.label) byLabel.set(row.label, p);
      row.par = p;
      row.equalityKey = `P${p}`;
    } else row.equalityKey = `F${rows.length}`;
    rows.push(row);
  };
  for (const r of irA.rows) if (r.level === 'within') take(r, 'A');
  for (const r of irA.rows) if (r.level === 'between') take(r, 'A', 'LEVEL2');
  const level3Indicators = new Set(irB.rows.filter((r) => r.level === 'between' && r.kind === 'loading').map((r) => r.rhs));
  for (const r of irB.rows) {
    if (r.level !== 'between') continue;
    // level-3 residual variances of indicators of level-3 factors / growth factors are fixed at 0 unless
    // the user mentions them: UG ex9.23 as written reaches Mplus's -56044.82 only so (OpenMx's
    // inst/models/nightly/mplus-ex9.23.R fits that model and notes "matches Mplus"; plusmix and glmmTMB,
    // bench/peers/threelevel_ex9_23.R, agree) [the rule beyond this example is ours: it mirrors
    // TWOLEVEL MIXTURE's between-level rule in defaults.ts]
    if (r.kind === 'residualVariance' && r.origin === 'default' && level3Indicators.has(r.lhs)) take({ ...r, par: 0, value: 0 }, 'B', 'LEVEL3');
    else take(r, 'B', 'LEVEL3');
  }

  const observed: ObservedVariable[] = columns.map((c, i) => {
    const a = irA.observed.find((o) => o.name === c.name);
    const b = irB.observed.find((o) => o.name === c.name);
    const role = a?.role === 'dependent' || b?.role === 'dependent' ? 'dependent' : 'covariate';
    const o: ObservedVariable = { name: c.name, display: c.display, column: i, scale: c.scale, role, level: c.level };
    if (c.betweenLevel) o.betweenLevel = c.betweenLevel;
    return o;
  });
  const latent: LatentVariable[] = [
    ...irA.latent.map((l) => (l.level === 'between' ? { ...l, betweenLevel: 'LEVEL2' as const } : l)),
    ...irB.latent.filter((l) => l.level === 'between').map((l) => ({ ...l, betweenLevel: 'LEVEL3' as const })),
  ];
  const labels = new Map<string, number>();
  for (const r of rows) if (r.label && r.par > 0) labels.set(r.label, r.par);
  return {
    analysisType: new Set([...irA.analysisType].map((t) => (t === 'TWOLEVEL' ? 'THREELEVEL' : t))),
    twoLevel: false,
    threeLevel: true,
    mixture: false,
    observed,
    latent,
    randomSlopes: [...irA.randomSlopes, ...irB.randomSlopes],
    classVariables: [],
    rows,
    nFree,
    labels,
  };
}
