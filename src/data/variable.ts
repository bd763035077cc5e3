// VARIABLE command: roles of the variables (syntax.md §4.1-4.2), resolved
// against the column names available after reading, reshaping and DEFINE.

import type { OptionsCommand, Span } from '../syntax/ast.js';
import { PlusmixError, inputError } from '../syntax/diagnostics.js';
import { expandPositional } from '../syntax/lists.js';
import type { MeasurementScale } from './dataset.js';
import { findOption, listItems, numericItems, plainList } from './options.js';

export interface ClassVariable {
  name: string;
  classes: number;
}

export interface KnownClassSpec {
  classVariable: string;
  /** upper-case name of the observed variable that defines the classes */
  source: string;
  /** per class: values / inclusive ranges that put a row in that class */
  classes: Array<Array<{ lo: number; hi: number }>>;
  span: Span;
}

export interface VariableRoles {
  /** analysis variables, user spelling, in USEVARIABLES order */
  use: string[];
  scale: Map<string, MeasurementScale>; // upper-case name -> scale (continuous when absent)
  level: Map<string, 'within' | 'between'>;
  cluster?: string;
  /**
   * TYPE = THREELEVEL: `CLUSTER = level3 level2` (highest level first, as Mplus writes it): the level-3
   * cluster variable; `cluster` is then the level-2 one (the clusters persons are grouped by).
   */
  clusterTop?: string;
  /** TYPE = THREELEVEL: `BETWEEN = (level2) w (level3) z`: the level of each BETWEEN variable (upper-case names) */
  betweenLevel?: Map<string, 'LEVEL2' | 'LEVEL3'>;
  id?: string;
  weight?: string;
  auxiliary: string[];
  constraint: string[];
  classes: ClassVariable[];
  knownClass?: KnownClassSpec;
  /** CENTERING = GRANDMEAN (...) / GROUPMEAN (...): legacy centering run after DEFINE */
  centering?: { mode: 'GRANDMEAN' | 'GROUPMEAN'; vars: string[]; span: Span };
}

const up = (s: string) => s.toUpperCase();

/** Names of a single-variable option (CLUSTER, IDVARIABLE, WEIGHT). */
function single(cmd: OptionsCommand | undefined, name: string, order: string[], file: string): string | undefined {
  const o = findOption(cmd, name);
  if (!o) return undefined;
  const refs = expandPositional(plainList(o, file, 'VARIABLE'), order, file);
  if (refs.length !== 1) throw new PlusmixError(inputError(file, o.valueSpan, 'E_BAD_VALUE', `${o.written} takes one variable.`, 'VARIABLE'));
  return checkKnown(refs[0], order, file, o.written);
}

function checkKnown(r: { name: string; span: Span }, order: string[], file: string, option: string): string {
  const j = order.findIndex((n) => up(n) === up(r.name));
  if (j < 0) throw new PlusmixError(inputError(file, r.span, 'E_UNKNOWN_VARIABLE', `${option}: ${r.name} is not a variable of the NAMES list or of DEFINE.`, 'VARIABLE'));
  return order[j];
}

function list(cmd: OptionsCommand | undefined, name: string, order: string[], file: string, allowGroups = false): string[] {
  const o = findOption(cmd, name);
  if (!o) return [];
  const items = listItems(o.values, file, 'VARIABLE');
  const out: string[] = [];
  for (const it of items) {
    if (it.group && !allowGroups) throw new PlusmixError(inputError(file, it.group.span, 'E_BAD_LIST', `${o.written} takes a list of variables without parentheses.`, 'VARIABLE'));
    for (const r of expandPositional(it.refs, order, file)) out.push(checkKnown(r, order, file, o.written));
  }
  return out;
}

/**
 * Resolve the VARIABLE roles. `names` = NAMES (after reshaping), `created` = DEFINE variables in creation order.
 */
export function resolveRoles(cmd: OptionsCommand | undefined, names: string[], created: string[], file: string): VariableRoles {
  const all = [...names, ...created];
  const { cluster, clusterTop } = clusterVariables(cmd, all, file);
  const id = single(cmd, 'IDVARIABLE', all, file);
  const weight = single(cmd, 'WEIGHT', all, file);
  const auxiliary = list(cmd, 'AUXILIARY', all, file, true);
  const constraint = list(cmd, 'CONSTRAINT', all, file);

  // CLASSES = cb (2) cw (3);
  const classes: ClassVariable[] = [];
  const classOpt = findOption(cmd, 'CLASSES');
  if (classOpt) {
    for (const it of listItems(classOpt.values, file, 'VARIABLE')) {
      const nums = it.group ? numericItems(it.group.items, file, 'VARIABLE') : [];
      if (it.refs.length !== 1 || it.refs[0].kind !== 'Var' || nums.length !== 1 || nums[0].kind !== 'value' || !Number.isInteger(nums[0].value) || nums[0].value < 1) {
        throw new PlusmixError(inputError(file, classOpt.valueSpan, 'E_CLASSES', 'CLASSES: write each class variable with its number of classes, e.g. CLASSES = c (2);', 'VARIABLE'));
      }
      classes.push({ name: it.refs[0].name, classes: nums[0].value });
    }
  }

  // KNOWNCLASS = cg (grp = 1 2 3);  or  cg (grp = 1  grp = 2);
  let knownClass: KnownClassSpec | undefined;
  const kcOpt = findOption(cmd, 'KNOWNCLASS');
  if (kcOpt) {
    const items = listItems(kcOpt.values, file, 'VARIABLE');
    const it = items[0];
    if (items.length !== 1 || !it.group || it.refs.length !== 1 || it.refs[0].kind !== 'Var') {
      throw new PlusmixError(inputError(file, kcOpt.valueSpan, 'E_KNOWNCLASS', 'KNOWNCLASS: write the class variable and its defining values, e.g. KNOWNCLASS = cg (group = 1 2);', 'VARIABLE'));
    }
    const clauses: Array<{ source: string; values: typeof it.group.items }> = [];
    const g = it.group.items;
    for (let k = 0; k < g.length; k++) {
      const v = g[k];
      if (v.kind === 'word' && g[k + 1]?.kind === 'symbol' && (g[k + 1] as { text: string }).text === '=') {
        clauses.push({ source: v.text, values: [] });
        k++;
      } else if (clauses.length) clauses[clauses.length - 1].values.push(v);
      else throw new PlusmixError(inputError(file, v.span, 'E_KNOWNCLASS', 'KNOWNCLASS: expected `variable = values` inside the parentheses.', 'VARIABLE'));
    }
    const source = checkKnown({ name: clauses[0].source, span: it.group.span }, all, file, 'KNOWNCLASS');
    if (clauses.some((c) => up(c.source) !== up(source))) throw new PlusmixError(inputError(file, it.group.span, 'E_KNOWNCLASS', 'KNOWNCLASS: all classes must be defined by the same variable.', 'VARIABLE'));
    const toRange = (x: ReturnType<typeof numericItems>[number]) => (x.kind === 'value' ? { lo: x.value, hi: x.value } : { lo: x.lo, hi: x.hi });
    const perClass =
      clauses.length === 1
        ? numericItems(clauses[0].values, file, 'VARIABLE').map((x) => [toRange(x)])
        : clauses.map((c) => numericItems(c.values, file, 'VARIABLE').map(toRange));
    const cv = it.refs[0].name;
    const decl = classes.find((c) => up(c.name) === up(cv));
    if (!decl) throw new PlusmixError(inputError(file, it.refs[0].span, 'E_KNOWNCLASS', `KNOWNCLASS: ${cv} must also be listed in CLASSES.`, 'VARIABLE'));
    if (decl.classes !== perClass.length) {
      throw new PlusmixError(inputError(file, kcOpt.valueSpan, 'E_KNOWNCLASS', `KNOWNCLASS defines ${perClass.length} classes for ${cv}, but CLASSES declares ${decl.classes}.`, 'VARIABLE'));
    }
    knownClass = { classVariable: cv, source: up(source), classes: perClass, span: kcOpt.valueSpan };
  }

  const special = new Set([cluster, clusterTop, id, weight, ...auxiliary, knownClass?.source].filter((x): x is string => !!x).map(up));

  // USEVARIABLES
  let use: string[];
  const useOpt = findOption(cmd, 'USEVARIABLES');
  if (useOpt) {
    const refs = plainList(useOpt, file, 'VARIABLE');
    const hasAll = refs.some((r) => r.kind === 'All');
    const resolved = expandPositional(refs, all, file);
    use = [];
    const seen = new Set<string>();
    for (const r of resolved) {
      const j = all.findIndex((n) => up(n) === up(r.name));
      if (j < 0) {
        throw new PlusmixError(inputError(file, r.span, 'E_USEV_NOT_IN_NAMES', `USEVARIABLES: ${r.name} is not in the NAMES list and is not created in DEFINE.`, 'VARIABLE'));
      }
      const n = all[j];
      if (seen.has(up(n))) continue;
      if (special.has(up(n))) {
        if (hasAll) continue;
        throw new PlusmixError(inputError(file, r.span, 'E_USEV_SPECIAL', `USEVARIABLES: ${n} is the ${roleOf(n, { cluster, id, weight, auxiliary, knownSource: knownClass?.source })} and cannot be an analysis variable.`, 'VARIABLE'));
      }
      seen.add(up(n));
      use.push(n);
    }
    // DEFINE variables must follow all NAMES variables in USEVARIABLES [UG]
    const createdUp = new Set(created.map(up));
    let sawCreated = '';
    for (const n of use) {
      if (createdUp.has(up(n))) sawCreated = n;
      else if (sawCreated) {
        throw new PlusmixError(
          inputError(file, useOpt.valueSpan, 'E_USEV_ORDER', `USEVARIABLES: the DEFINE variable ${sawCreated} must come after all NAMES variables (it precedes ${n}).`, 'VARIABLE'),
        );
      }
    }
  } else {
    use = all.filter((n) => !special.has(up(n)));
  }
  const useUp = new Set(use.map(up));

  const scale = new Map<string, MeasurementScale>();
  const level = new Map<string, 'within' | 'between'>();
  const classNames = new Set(classes.map((c) => up(c.name)));
  const requireUse = (names: string[], option: string, allowClass = false) => {
    for (const n of names) {
      if (useUp.has(up(n)) || (allowClass && classNames.has(up(n)))) continue;
      const o = findOption(cmd, option)!;
      throw new PlusmixError(inputError(file, o.valueSpan, 'E_NOT_ANALYSIS_VARIABLE', `${option}: ${n} is not an analysis variable (it is not in USEVARIABLES).`, 'VARIABLE'));
    }
  };
  for (const [opt, sc] of [
    ['CATEGORICAL', 'categorical'],
    ['NOMINAL', 'nominal'],
    ['COUNT', 'count'],
    ['CENSORED', 'censored'],
  ] as const) {
    const vs = list(cmd, opt, all, file, opt === 'COUNT' || opt === 'CENSORED');
    requireUse(vs, opt);
    for (const v of vs) scale.set(up(v), sc);
  }
  // levels: names in WITHIN/BETWEEN may be class variables (BETWEEN) which are not data columns
  const betweenLevel = threeLevelBetween(cmd, all, file);
  const levelList = (opt: 'WITHIN' | 'BETWEEN'): string[] => {
    const o = findOption(cmd, opt);
    if (!o) return [];
    const out: string[] = [];
    const refs = opt === 'BETWEEN' && betweenLevel ? listItems(o.values, file, 'VARIABLE').flatMap((it) => it.refs) : plainList(o, file, 'VARIABLE');
    for (const r of expandPositional(refs, all, file)) {
      const j = all.findIndex((n) => up(n) === up(r.name));
      if (j >= 0) out.push(all[j]);
      else if (opt === 'BETWEEN' && classNames.has(up(r.name))) out.push(r.name);
      else throw new PlusmixError(inputError(file, r.span, 'E_UNKNOWN_VARIABLE', `${opt}: ${r.name} is not a variable of the NAMES list.`, 'VARIABLE'));
    }
    return out;
  };
  const within = levelList('WITHIN');
  const between = levelList('BETWEEN');
  requireUse(within, 'WITHIN');
  requireUse(between, 'BETWEEN', true);
  for (const v of within) level.set(up(v), 'within');
  for (const v of between) {
    if (level.get(up(v)) === 'within') {
      throw new PlusmixError(inputError(file, findOption(cmd, 'BETWEEN')!.valueSpan, 'E_WITHIN_AND_BETWEEN', `${v} cannot be both a WITHIN and a BETWEEN variable.`, 'VARIABLE'));
    }
    level.set(up(v), 'between');
  }
  if ((within.length || between.length) && !cluster) {
    const o = findOption(cmd, within.length ? 'WITHIN' : 'BETWEEN')!;
    throw new PlusmixError(inputError(file, o.nameSpan, 'E_NO_CLUSTER', `${o.written} requires the CLUSTER option.`, 'VARIABLE'));
  }

  // CENTERING = GRANDMEAN (x1 x2);
  let centering: VariableRoles['centering'];
  const cOpt = findOption(cmd, 'CENTERING');
  if (cOpt) {
    const items = listItems(cOpt.values, file, 'VARIABLE');
    const it = items[0];
    const mode = it?.refs[0]?.kind === 'Var' ? up(it.refs[0].name) : '';
    const m = mode.length >= 4 && 'GRANDMEAN'.startsWith(mode) ? 'GRANDMEAN' : mode.length >= 4 && 'GROUPMEAN'.startsWith(mode) ? 'GROUPMEAN' : undefined;
    if (items.length !== 1 || !it.group || !m) {
      throw new PlusmixError(inputError(file, cOpt.valueSpan, 'E_CENTERING', 'CENTERING: write GRANDMEAN (variables) or GROUPMEAN (variables).', 'VARIABLE'));
    }
    const vars = expandPositional(listItems(it.group.items, file, 'VARIABLE').flatMap((x) => x.refs), all, file).map((r) => checkKnown(r, all, file, 'CENTERING'));
    centering = { mode: m, vars, span: cOpt.valueSpan };
  }

  const roles: VariableRoles = { use, scale, level, cluster, id, weight, auxiliary, constraint, classes, knownClass, centering };
  if (clusterTop) roles.clusterTop = clusterTop;
  if (betweenLevel) roles.betweenLevel = betweenLevel;
  return roles;
}

/**
 * CLUSTER: one variable (TWOLEVEL), or two for TYPE = THREELEVEL, `CLUSTER = level3 level2;` with the
 * highest level first (Mplus UG ex9.20-9.23): then `cluster` is the level-2 and `clusterTop` the level-3 variable.
 */
function clusterVariables(cmd: OptionsCommand | undefined, all: string[], file: string): { cluster?: string; clusterTop?: string } {
  const o = findOption(cmd, 'CLUSTER');
  if (!o) return {};
  const refs = expandPositional(plainList(o, file, 'VARIABLE'), all, file);
  if (refs.length === 2) {
    const top = checkKnown(refs[0], all, file, o.written);
    const low = checkKnown(refs[1], all, file, o.written);
    if (up(top) === up(low)) throw new PlusmixError(inputError(file, o.valueSpan, 'E_BAD_VALUE', `${o.written}: the two cluster variables must differ.`, 'VARIABLE'));
    return { cluster: low, clusterTop: top };
  }
  if (refs.length !== 1) throw new PlusmixError(inputError(file, o.valueSpan, 'E_BAD_VALUE', `${o.written} takes one variable (two for TYPE = THREELEVEL: the level-3 variable first).`, 'VARIABLE'));
  return { cluster: checkKnown(refs[0], all, file, o.written) };
}

/**
 * `BETWEEN = (level2) w (level3) z;` (TYPE = THREELEVEL): a parenthesised level word puts the variables
 * after it on that level; variables before any label are between variables of both levels [ours: Mplus
 * treats unlabelled BETWEEN variables of a three-level model as level-2 and level-3 variables; plusmix keeps
 * them unlabelled and the three-level estimator refuses them]. Undefined when BETWEEN has no level label.
 */
function threeLevelBetween(cmd: OptionsCommand | undefined, all: string[], file: string): Map<string, 'LEVEL2' | 'LEVEL3'> | undefined {
  const o = findOption(cmd, 'BETWEEN');
  if (!o || !o.values.some((v) => v.kind === 'group')) return undefined;
  const items = listItems(o.values, file, 'VARIABLE');
  const out = new Map<string, 'LEVEL2' | 'LEVEL3'>();
  let current: 'LEVEL2' | 'LEVEL3' | undefined;
  for (const it of items) {
    for (const r of expandPositional(it.refs, all, file)) {
      if (current) out.set(up(r.name), current);
    }
    if (it.group) {
      const words = it.group.items.filter((v) => v.kind === 'word');
      const w = words.length === 1 && words[0].kind === 'word' ? words[0].upper : '';
      if (w !== 'LEVEL2' && w !== 'LEVEL3') {
        throw new PlusmixError(inputError(file, it.group.span, 'E_BAD_LIST', `${o.written}: expected (level2) or (level3) before the variables of that level (TYPE = THREELEVEL).`, 'VARIABLE'));
      }
      current = w;
    }
  }
  return out;
}

function roleOf(n: string, r: { cluster?: string; id?: string; weight?: string; auxiliary: string[]; knownSource?: string }): string {
  const u = up(n);
  if (r.cluster && up(r.cluster) === u) return 'CLUSTER variable';
  if (r.id && up(r.id) === u) return 'IDVARIABLE';
  if (r.weight && up(r.weight) === u) return 'WEIGHT variable';
  if (r.knownSource === u) return 'KNOWNCLASS variable';
  return 'AUXILIARY variable';
}
