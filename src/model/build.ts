// From AST + analysis variables to the ModelIR: roles, latent variables,
// defaults merged with the user's settings, one row per parameter per class
// pattern, TECH1 numbering (layout.ts) and starting values (starts.ts).

import type { InputFile, ConstraintCommand, Span } from '../syntax/ast.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { inputWarning } from '../syntax/diagnostics.js';
import type { DataColumn, Dataset } from '../data/dataset.js';
import type { ClassVariable, LatentVariable, Level, ModelIR, ObservedVariable, ParamKind, ParamRow } from './ir.js';
import { classPatterns } from './ir.js';
import { readSettings } from './settings.js';
import { refuseGrouping } from './groups.js';
import type { Mention, PKey, Setting } from './lower.js';
import { keyString, lowerModel, matches } from './lower.js';
import type { DefaultSpec, ModelShape } from './defaults.js';
import { buildDefaults, endogenous } from './defaults.js';
import { assignNumbers } from './layout.js';
import { assignStarts } from './starts.js';

export interface BuildResult {
  ir: ModelIR;
  diagnostics: Diagnostic[];
}

/** Lower the AST; errors are collected in `diags` (the caller decides whether to throw). */
export function buildIR(ast: InputFile, columns: DataColumn[], diags: Diagnostic[], data?: Dataset): ModelIR {
  const file = ast.path;
  const st = readSettings(ast, diags);
  refuseGrouping(ast, st, diags);
  const twoLevel = st.analysisType.has('TWOLEVEL');
  const mixture = st.analysisType.has('MIXTURE');
  const randomType = st.analysisType.has('RANDOM');
  if (mixture && !st.classes.length && st.typeSpan) diags.push({ severity: 'error', code: 'E_NO_CLASSES', command: 'ANALYSIS', message: 'TYPE = MIXTURE needs CLASSES in the VARIABLE command.', location: { kind: 'input', file, span: st.typeSpan } });
  const classes = mixture ? st.classes : [];

  const observedInfo = columns.map((c) => ({
    name: c.name.toUpperCase(),
    level: twoLevel ? c.level : ('within' as const),
    scale: c.scale,
    nCategories: c.categories?.length,
  }));
  const low = lowerModel(ast, observedInfo, classes, twoLevel, mixture, randomType, diags);

  // ---- roles: a variable only on the right of ON (or the predictor of a random slope) is a covariate;
  // everything else, including analysis variables MODEL does not mention, is dependent [E§3.1 "MODEL omitted"].
  const used = (name: string) => (['within', 'between'] as Level[]).map((L) => low.usage[L].get(name)).filter((u) => !!u);
  const observed: ModelShape['observed'] = observedInfo.map((o) => {
    const us = used(o.name);
    const predictor = us.some((u) => u.rhsOn || u.randomPred);
    const modelled = us.some((u) => u.lhsOn || u.indicator || u.withMention || u.varMention || u.meanMention || u.randomDep);
    return { ...o, role: predictor && !modelled ? 'covariate' : 'dependent' };
  });
  for (const o of observed) {
    // TYPE = TWOLEVEL without MIXTURE splits such a covariate into latent within and between parts as
    // Mplus does (src/estimate/twolevel); the integration engine still conditions on the observed value
    if (twoLevel && mixture && o.role === 'covariate' && o.level === 'both') {
      const span = firstSpanOf(low.mentions, o.name);
      if (span)
        diags.push(inputWarning(file, span, 'W_BOTH_LEVEL_COVARIATE', `${o.name} is a covariate declared neither WITHIN nor BETWEEN; in TYPE = TWOLEVEL MIXTURE plusmix uses the observed value on the within level (Mplus splits it into latent within and between parts). Declare it WITHIN (or BETWEEN) to make the model explicit.`, 'MODEL'));
    }
  }

  const latent: LatentVariable[] = [...low.latent];
  // the between part of a both-level dependent variable is a random intercept named like the variable [syntax §7.7]
  if (twoLevel) for (const o of observed) if (o.role === 'dependent' && o.level === 'both') latent.push({ name: o.name, display: columns.find((c) => c.name.toUpperCase() === o.name)!.display, level: 'between', kind: 'randomIntercept' });

  const classVariables: ClassVariable[] = classes.map((c) => ({ name: c.name, display: c.display, nClasses: c.nClasses, level: c.level, ...(c.known ? { known: c.known } : {}) }));
  const shape: ModelShape = { twoLevel, mixture, classes, observed, low };
  if (classes.length > 1) {
    const anyMeanDefault = observed.some((o) => o.role === 'dependent' && ![...low.mentions.values()].some((m) => m.key.lhs === o.name && m.scoped.length));
    if (anyMeanDefault)
      diags.push({ severity: 'warning', code: 'W_MULTI_CLASS_DEFAULTS', command: 'MODEL', message: 'With several class variables, means/intercepts/thresholds not mentioned in a MODEL c: block are held equal across all classes (Mplus defaults for this case are not confirmed). Mention them in class sections to make them class-specific.', location: { kind: 'file', file } });
  }

  const rows = makeRows(shape, buildDefaults(shape), classVariables, twoLevel);
  // Mplus warns for latent profile models whose continuous indicators have no covariances (seen in an
  // Mplus 8.3 LPA output; not printed for the LCA of ex7.3 nor the factor mixture of ex10.4)
  const lpaVars = observed.filter((o) => o.role === 'dependent' && o.scale === 'continuous' && !used(o.name).some((u) => u.indicator || u.lhsOn));
  const obsNames = new Set(observed.map((o) => o.name));
  if (mixture && lpaVars.length && !rows.some((r) => r.kind === 'covariance' && (obsNames.has(r.lhs) || obsNames.has(r.rhs))))
    diags.push({ severity: 'warning', code: 'W_UNCORRELATED_WITHIN_CLASS', command: 'MODEL', message: 'All variables are uncorrelated with all other variables within class. Check that this is what is intended.', location: { kind: 'file', file } });
  const ir: ModelIR = {
    analysisType: st.analysisType,
    twoLevel,
    mixture,
    observed: observed.map((o, i): ObservedVariable => ({
      name: o.name,
      display: columns[i].display,
      column: i,
      scale: columns[i].scale,
      ...(o.nCategories !== undefined ? { nCategories: o.nCategories } : {}),
      role: o.role,
      level: o.level,
    })),
    latent,
    randomSlopes: low.randomSlopes,
    classVariables,
    rows,
    nFree: 0,
    labels: new Map(),
  };
  assignNumbers(ir, diags, file);
  assignStarts(ir, data?.columns ?? columns);
  for (const r of rows) if (r.label && r.par > 0) ir.labels.set(r.label, r.par);
  const constraint = ast.commands.find((c): c is ConstraintCommand => c.kind === 'Constraint' && c.variant === 'MODEL CONSTRAINT');
  if (constraint) {
    const newParams: Array<{ name: string; start: number }> = [];
    for (const s of constraint.statements) if (s.kind === 'New') for (const p of s.params) newParams.push({ name: p.upper, start: p.start ?? 0.5 }); // NEW default start 0.5 [syntax §7.9]
    ir.constraint = { newParams, statements: constraint.statements };
  }
  const test = ast.commands.find((c): c is ConstraintCommand => c.kind === 'Constraint' && c.variant === 'MODEL TEST');
  if (test) ir.test = test.statements;
  return ir;
}

function firstSpanOf(mentions: Map<string, Mention>, name: string): Span | undefined {
  for (const m of mentions.values()) if (m.key.lhs === name || m.key.rhs === name) return (m.overall ?? m.scoped[0]?.setting)?.span;
  return undefined;
}

/**
 * Merge defaults and mentions into rows: for each parameter and class pattern, the applicable setting is the
 * last class-specific mention matching the pattern, else the %OVERALL% mention, else the default.
 * Rows that share a setting source and the default's class variation share one parameter (equalityKey).
 */
function makeRows(s: ModelShape, defaults: DefaultSpec[], classVariables: ClassVariable[], twoLevel: boolean): ParamRow[] {
  const patterns = classPatterns({ classVariables });
  const byKey = new Map<string, { key: PKey; def?: DefaultSpec; m?: Mention }>();
  for (const d of defaults) byKey.set(keyString(d.key), { key: d.key, def: d });
  for (const [ks, m] of s.low.mentions) {
    const e = byKey.get(ks);
    if (e) e.m = m;
    else byKey.set(ks, { key: m.key, m });
  }
  const rows: ParamRow[] = [];
  for (const { key, def, m } of byKey.values()) {
    const classFree = key.kind === 'classIntercept' || key.kind === 'classRegression';
    for (const p of classFree ? [{}] : patterns) {
      let setting: Setting | undefined;
      for (const sc of m?.scoped ?? []) if (matches(sc.pattern, p) && (!setting || sc.setting.order > setting.order)) setting = sc.setting;
      setting ??= m?.overall;
      const d = def?.at(p);
      if (!setting && !d) continue;
      // a mention without modifier keeps the default's fixed value (e.g. `f BY y1` keeps the loading of y1 at 1)
      const fixed = setting ? (setting.modifier ? setting.fixed : (d?.fixed ?? false)) : d!.fixed;
      let value: number | null = null;
      if (setting?.modifier && setting.value !== null) value = setting.value;
      else if (fixed) value = d?.fixed ? (d.value ?? 0) : 0;
      // one parameter per value of the default's class variables; a class-specific mention makes its own
      // parameter for the classes it covers, the other classes keep sharing the %OVERALL% one [syntax §7.6]
      const scopedFrom = m?.scoped.find((sc) => sc.setting === setting)?.pattern;
      const group = { ...Object.fromEntries((def?.varyOver ?? []).map((v) => [v, p[v]])), ...(scopedFrom ? { scoped: scopedFrom } : {}) };
      rows.push({
        id: rows.length,
        level: twoLevel ? key.level : null,
        classes: p,
        kind: rowKind(s, key),
        lhs: key.lhs,
        rhs: key.rhs,
        ...(key.index !== undefined ? { index: key.index } : {}),
        ...(key.rhsIndex !== undefined ? { rhsIndex: key.rhsIndex } : {}),
        par: fixed ? 0 : -1,
        value: value ?? NaN,
        userValue: !!setting?.modifier && setting.value !== null,
        ...(setting?.label ? { label: setting.label } : {}),
        ...(setting?.startBlock ? { startBlock: setting.startBlock } : {}),
        ...(setting ? { span: setting.span } : {}),
        origin: setting ? 'user' : 'default',
        equalityKey: setting?.label ? `L:${setting.label}` : `${keyString(key)}|${JSON.stringify(group)}`,
      });
    }
  }
  return rows;
}

function rowKind(s: ModelShape, key: PKey): ParamKind {
  const base = key.lhs.includes('#') && !s.classes.some((c) => key.lhs.startsWith(c.name + '#')) ? key.lhs.slice(0, key.lhs.indexOf('#')) : key.lhs;
  switch (key.kind) {
    case 'variance':
      return endogenous(s, key.level, key.lhs) ? 'residualVariance' : 'variance';
    case 'mean':
      return endogenous(s, key.level, base) ? 'intercept' : 'mean';
    default:
      return key.kind;
  }
}
