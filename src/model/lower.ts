// Lowering MODEL statements to parameter *mentions* (what the user wrote), in
// two passes over every MODEL / `MODEL c:` command:
//  1. definitions: factors (BY), random slopes and growth factors (`|`), random
//     class-logit intercepts (`c#k` used as a variable in %BETWEEN%), so that
//     positional ranges can run over latent variables and names resolve;
//  2. parameters: every statement becomes keyed settings (free/fixed, value,
//     label) in the scope it was written in (%OVERALL% or a class section).
// Mplus defaults are added afterwards (defaults.ts); this file knows only syntax.
//
// Rules implemented here (syntax.md §7.3-7.6):
//  - last mention wins: a later `@`/`*` for the same parameter in the same scope replaces the earlier one;
//    a mention without modifier keeps the earlier value (and in a class section makes the parameter class-specific);
//  - label scope: a parenthesised group labels the parameters written on the same physical line since the
//    previous group (or the start of the statement); one label -> all of them, n labels -> the last n;
//    with lists on both sides of ON/WITH the parameters are ordered per left-hand variable;
//  - `(*1)` block labels are kept as `startBlock` (random-start blocks), not as equality labels.

import type { InputFile, LabelGroup, ModelCommand, ModelStatement, ParamItem, RhsPart, Span, VarList, VarName } from '../syntax/ast.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { inputError, inputWarning } from '../syntax/diagnostics.js';
import { expandBySuffix, expandPositional } from '../syntax/lists.js';
import type { ClassPattern, Level, LatentVariable, RandomSlope } from './ir.js';
import type { ClassDecl } from './settings.js';

export type BaseKind = 'loading' | 'regression' | 'covariance' | 'variance' | 'mean' | 'threshold' | 'classIntercept' | 'classRegression';

export interface PKey {
  level: Level;
  kind: BaseKind;
  lhs: string;
  rhs: string;
  index?: number;
  rhsIndex?: number;
}

export function keyString(k: PKey): string {
  // covariances are symmetric: one key per unordered pair
  const [a, b] = k.kind === 'covariance' && k.rhs < k.lhs ? [k.rhs, k.lhs] : [k.lhs, k.rhs];
  return `${k.level}|${k.kind}|${a}|${b}|${k.index ?? ''}|${k.rhsIndex ?? ''}`;
}

export interface Setting {
  fixed: boolean;
  /** user value (`@v` / `*v`); null = default start */
  value: number | null;
  /** true when written with `@` or `*` */
  modifier: boolean;
  label?: string;
  startBlock?: string;
  span: Span;
  /** global mention order (last mention wins among class-specific settings) */
  order: number;
}

export interface Mention {
  key: PKey;
  overall?: Setting;
  scoped: Array<{ pattern: ClassPattern; setting: Setting }>;
}

/** How a name is used on one level (roles and endogeneity are derived from these). */
export interface Usage {
  lhsOn: boolean;
  rhsOn: boolean;
  indicator: boolean;
  withMention: boolean;
  varMention: boolean;
  meanMention: boolean;
  randomDep: boolean;
  randomPred: boolean;
}

export interface ObservedInfo {
  name: string;
  level: 'within' | 'between' | 'both';
  scale: string;
  nCategories?: number;
}

export interface Lowered {
  mentions: Map<string, Mention>;
  /** latent variables in order of definition */
  latent: LatentVariable[];
  randomSlopes: RandomSlope[];
  /** usage per level and upper-case name */
  usage: Record<Level, Map<string, Usage>>;
  /** first indicator of each factor per level: `level|F` -> indicator (its loading defaults to 1) */
  firstIndicator: Map<string, string>;
}

const emptyUsage = (): Usage => ({ lhsOn: false, rhsOn: false, indicator: false, withMention: false, varMention: false, meanMention: false, randomDep: false, randomPred: false });

interface Ctx {
  level: Level;
  scope: ClassPattern | null;
  blockVars: string[]; // class variables of a `MODEL c:` block
}

/** `Y1`, `C#2`, `U1$1` -> parts */
function splitName(n: string): { base: string; classIndex?: number; threshold?: number } {
  const m = /^(.*?)(?:#(\d+))?(?:\$(\d+))?$/.exec(n.toUpperCase())!;
  return { base: m[1], classIndex: m[2] ? Number(m[2]) : undefined, threshold: m[3] ? Number(m[3]) : undefined };
}

export function lowerModel(
  ast: InputFile,
  observed: ObservedInfo[],
  classes: ClassDecl[],
  twoLevel: boolean,
  mixture: boolean,
  randomType: boolean,
  diags: Diagnostic[],
): Lowered {
  const file = ast.path;
  const models = ast.commands.filter((c): c is ModelCommand => c.kind === 'Model' && c.variant === 'MODEL');
  const obsByName = new Map(observed.map((o) => [o.name, o]));
  const classByName = new Map(classes.map((c) => [c.name, c]));
  const latent: Lowered['latent'] = [];
  const latentByName = new Map<string, LatentVariable>();
  const randomSlopes: RandomSlope[] = [];
  const usage: Record<Level, Map<string, Usage>> = { within: new Map(), between: new Map() };
  const mentions = new Map<string, Mention>();
  const firstIndicator = new Map<string, string>();
  let order = 0;
  const err = (span: Span, code: string, msg: string): void => {
    diags.push(inputError(file, span, code, msg, 'MODEL'));
  };
  const use = (level: Level, name: string): Usage => {
    let u = usage[level].get(name);
    if (!u) usage[level].set(name, (u = emptyUsage()));
    return u;
  };

  const defineLatent = (name: string, kind: LatentVariable['kind'], level: Level, span: Span) => {
    const up = name.toUpperCase();
    if (latentByName.has(up)) return;
    if (obsByName.has(up)) {
      if (kind !== 'classIntercept') err(span, 'E_NAME_CLASH', `${name} is an observed variable; a latent variable needs another name.`);
      return;
    }
    if (classByName.has(up)) {
      err(span, 'E_NAME_CLASH', `${name} is a class variable; a latent variable needs another name.`);
      return;
    }
    const lv: LatentVariable = { name: up, display: name, level, kind };
    latent.push(lv);
    latentByName.set(up, lv);
  };

  // ---------------------------------------------------------------- pass 1: definitions
  for (const m of models) {
    let level: Level = 'within';
    for (const st of m.statements) {
      if (st.kind === 'Section') {
        if (st.section.kind === 'Within') level = 'within';
        else if (st.section.kind === 'Between') level = 'between';
        continue;
      }
      if (st.kind === 'By') {
        for (const r of st.lhs) if (r.kind === 'Var') defineLatent(r.name, 'factor', level, r.span);
        for (const p of st.rhs) if (p.kind === 'Item' && p.target.kind === 'Var' && p.target.classIndex !== undefined && classByName.has(p.target.upper))
          defineLatent(`${p.target.name}#${p.target.classIndex}`, 'classIntercept', 'between', p.target.span);
      } else if (st.kind === 'Random') {
        const b = st.body;
        if (b.kind === 'On') {
          // `s | y ON x`: s is a between-level latent variable in TWOLEVEL, a within one otherwise
          for (const n of st.names) defineLatent(n.name, 'randomSlope', twoLevel ? 'between' : 'within', n.span);
        } else {
          // growth (`i s | y1@0 ...`, `i s | y1-y4 AT t1-t4`) and the unsupported forms still define their names,
          // so later statements using them do not cascade into unknown-variable errors
          for (const n of st.names) defineLatent(n.name, b.kind === 'Growth' || b.kind === 'At' ? 'growth' : 'factor', level, n.span);
          if (b.kind !== 'Growth') err(st.span, 'E_UNSUPPORTED', `This kind of random effect statement (${b.kind === 'By' ? 'random loading' : b.kind === 'Xwith' ? 'XWITH' : 'AT'}) is not supported yet.`);
        }
      } else if (level === 'between' && twoLevel && st.kind !== 'Mean') {
        // `c#1;`, `c#1 ON w;`, `c#1 WITH y;` on the between level: random class-logit intercept
        const names: VarName[] = [];
        const collect = (refs: VarList) => refs.forEach((r) => r.kind === 'Var' && names.push(r));
        if (st.kind === 'Variance') st.parts.forEach((p) => p.kind === 'Item' && collect([p.target]));
        else if (st.kind === 'On' || st.kind === 'With' || st.kind === 'Pwith' || st.kind === 'Pon') {
          collect(st.lhs);
          if (st.kind !== 'On' && st.kind !== 'Pon') st.rhs.forEach((p) => p.kind === 'Item' && collect([p.target]));
        }
        for (const n of names) {
          const cd = classByName.get(n.upper);
          if (cd && n.classIndex !== undefined && cd.level === 'within') defineLatent(`${n.name}#${n.classIndex}`, 'classIntercept', 'between', n.span);
        }
      }
    }
  }

  // MODEL lists run over analysis variables, then latent variables in order of definition
  const order0 = [...observed.map((o) => o.name), ...latent.map((l) => l.name)];
  const expand = (refs: VarList): Array<{ name: string; span: Span }> => expandPositional(refs, order0, file, 'MODEL');

  // ---------------------------------------------------------------- pass 2: parameters
  type Pending = { key: PKey; setting: Setting; line: number; lhsIdx: number; seq: number };

  const record = (ctx: Ctx, key: PKey, mod: ParamItem['modifier'] | undefined, span: Span): Setting => {
    const ks = keyString(key);
    let m = mentions.get(ks);
    if (!m) mentions.set(ks, (m = { key, scoped: [] }));
    // class-variable parameters are never class-specific
    const scoped = key.kind === 'classIntercept' || key.kind === 'classRegression' ? null : ctx.scope;
    // an earlier mention in the same scope (or, for a first class-specific mention, the %OVERALL% one)
    // supplies the value when this mention has no modifier; labels carry over only within the same scope
    const same = scoped ? m.scoped.filter((s) => samePattern(s.pattern, scoped)).pop()?.setting : m.overall;
    const prev = same ?? (scoped ? m.overall : undefined);
    const setting: Setting = {
      fixed: mod ? mod.kind === 'Fixed' : (prev?.fixed ?? false),
      value: mod ? mod.value : (prev?.value ?? null),
      modifier: !!mod || !!prev?.modifier,
      label: same?.label,
      startBlock: same?.startBlock,
      span,
      order: order++,
    };
    if (scoped) m.scoped.push({ pattern: scoped, setting });
    else m.overall = setting;
    return setting;
  };

  const applyLabels = (group: LabelGroup, pend: Pending[]) => {
    const line = group.span.start.line;
    const inScope = pend.filter((p) => p.line === line).sort((a, b) => a.lhsIdx - b.lhsIdx || a.seq - b.seq);
    const labels: string[] = [];
    for (const l of group.labels) {
      if (l.kind === 'Label') labels.push(l.upper);
      else {
        const names = expandBySuffix(l.from, l.to);
        if (!names) err(l.span, 'E_BAD_LABEL', `Cannot expand the label list ${l.from}-${l.to}.`);
        else labels.push(...names.map((n) => n.toUpperCase()));
      }
    }
    if (!labels.length) return;
    if (!inScope.length) {
      err(group.span, 'E_LABEL_SCOPE', 'This label has no parameter before it on the same line (a label applies only to parameters on its own line).');
      return;
    }
    if (labels.length === 1) {
      for (const p of inScope) group.block ? (p.setting.startBlock = labels[0]) : (p.setting.label = labels[0]);
    } else if (labels.length > inScope.length) {
      err(group.span, 'E_LABEL_COUNT', `${labels.length} labels given for ${inScope.length} parameters on this line.`);
    } else {
      const tail = inScope.slice(inScope.length - labels.length);
      tail.forEach((p, i) => (group.block ? (p.setting.startBlock = labels[i]) : (p.setting.label = labels[i])));
    }
  };

  /** Resolve a name used in MODEL; reports unknown names and level misuse. Returns null when unusable. */
  const resolve = (ctx: Ctx, name: string, span: Span): { kind: 'observed' | 'latent' | 'class' | 'classLogit'; base: string; classIndex?: number; threshold?: number } | null => {
    const p = splitName(name);
    const o = obsByName.get(p.base);
    if (o) {
      if (twoLevel && ctx.level === 'between' && o.level === 'within') {
        err(span, 'E_LEVEL', `${p.base} is a WITHIN variable and cannot be used on the between level.`);
        return null;
      }
      if (twoLevel && ctx.level === 'within' && o.level === 'between') {
        err(span, 'E_LEVEL', `${p.base} is a BETWEEN variable and cannot be used on the within level.`);
        return null;
      }
      if (p.classIndex !== undefined && o.scale !== 'nominal') {
        err(span, 'E_BAD_NAME', `${name}: '#' follows only class variables and nominal variables.`);
        return null;
      }
      return { kind: 'observed', ...p };
    }
    const cd = classByName.get(p.base);
    if (cd) {
      if (p.classIndex !== undefined && (p.classIndex < 1 || p.classIndex > cd.nClasses)) {
        err(span, 'E_CLASS_INDEX', `${name}: ${cd.display} has ${cd.nClasses} classes.`);
        return null;
      }
      return { kind: p.classIndex !== undefined ? 'classLogit' : 'class', ...p };
    }
    if (latentByName.has(p.base) && p.classIndex === undefined) return { kind: 'latent', ...p };
    if (latentByName.has(name.toUpperCase())) return { kind: 'latent', base: name.toUpperCase() };
    err(span, 'E_UNKNOWN_VARIABLE', `Unknown variable ${name} in MODEL: it is neither an analysis variable (USEVARIABLES) nor a latent or class variable.`);
    return null;
  };

  const items = (parts: RhsPart[]) => parts.filter((p): p is ParamItem => p.kind === 'Item');

  for (const m of models) {
    const blockVars = m.classLabel.map((s) => s.toUpperCase());
    for (const v of blockVars) if (!classByName.has(v)) err(m.headerSpan, 'E_UNKNOWN_CLASS', `MODEL ${m.classLabel.join('.')}: ${v} is not a class variable (CLASSES).`);
    const ctx: Ctx = { level: 'within', scope: null, blockVars };
    let sawLevel = false;
    for (const st of m.statements) {
      if (st.kind === 'Section') {
        const s = st.section;
        if (s.kind === 'Within' || s.kind === 'Between') {
          if (!twoLevel) err(st.span, 'E_SECTION', `%${s.kind.toUpperCase()}% needs TYPE = TWOLEVEL.`);
          ctx.level = s.kind === 'Within' ? 'within' : 'between';
          ctx.scope = null;
          sawLevel = true;
        } else if (s.kind === 'Overall') {
          if (blockVars.length) err(st.span, 'E_SECTION', `%OVERALL% belongs in MODEL:, not in MODEL ${m.classLabel.join('.')}:.`);
          ctx.scope = null;
        } else {
          if (!mixture) err(st.span, 'E_SECTION', 'Class-specific sections need TYPE = MIXTURE and CLASSES.');
          const pat: ClassPattern = {};
          let ok = true;
          for (const c of s.classes) {
            const cd = classByName.get(c.upper);
            if (!cd) {
              err(st.span, 'E_UNKNOWN_CLASS', `%${c.variable}#${c.index}%: ${c.variable} is not a class variable (CLASSES).`);
              ok = false;
            } else if (c.index < 1 || c.index > cd.nClasses) {
              err(st.span, 'E_CLASS_INDEX', `%${c.variable}#${c.index}%: ${cd.display} has ${cd.nClasses} classes.`);
              ok = false;
            } else pat[cd.name] = c.index;
          }
          const vars = Object.keys(pat);
          if (ok && classes.length > 1 && (vars.length !== blockVars.length || vars.some((v) => !blockVars.includes(v))))
            err(st.span, 'E_SECTION', `With several class variables, class sections go in MODEL ${vars.join('.').toLowerCase()}: blocks whose label names the same class variables.`);
          ctx.scope = ok ? pat : null;
        }
        continue;
      }
      if (twoLevel && !sawLevel) {
        err(st.span, 'E_SECTION', 'TYPE = TWOLEVEL: put statements under %WITHIN% or %BETWEEN%.');
        sawLevel = true;
      }
      lowerStatement(ctx, st);
    }
  }

  function lowerStatement(ctx: Ctx, st: Exclude<ModelStatement, { kind: 'Section' }>): void {
    const L = ctx.level;
    const pend: Pending[] = [];
    let seq = 0;
    const add = (key: PKey, it: ParamItem, lhsIdx: number) => {
      const setting = record(ctx, key, it.modifier, it.span);
      pend.push({ key, setting, line: it.span.start.line, lhsIdx, seq: seq++ });
    };
    const walk = (parts: RhsPart[], each: (it: ParamItem, targets: Array<{ name: string; span: Span }>) => void) => {
      for (const p of parts) {
        if (p.kind === 'Labels') {
          applyLabels(p, pend);
          // parameters before a label group on its line are consumed; earlier lines stay unlabelled
          pend.length = 0;
        } else each(p, expand([p.target]));
      }
    };

    switch (st.kind) {
      case 'By': {
        const lhs = expand(st.lhs);
        walk(st.rhs, (it, targets) => {
          lhs.forEach((f, fi) => {
            const F = f.name.toUpperCase();
            const lv = latentByName.get(F);
            if (!lv || lv.kind !== 'factor') return err(f.span, 'E_BY_LHS', `${f.name} on the left of BY must be a latent variable (factor).`);
            for (const t of targets) {
              const r = resolve(ctx, t.name, t.span);
              if (!r) continue;
              let ind: string;
              if (r.kind === 'observed' && r.threshold === undefined) ind = r.base;
              else if (r.kind === 'latent') ind = r.base;
              else if (r.kind === 'classLogit') ind = `${r.base}#${r.classIndex}`;
              else {
                err(t.span, 'E_BY_RHS', `${t.name} cannot be a factor indicator.`);
                continue;
              }
              use(L, ind).indicator = true;
              const fk = `${L}|${F}`;
              if (!firstIndicator.has(fk) && !ctx.scope) firstIndicator.set(fk, ind);
              add({ level: L, kind: 'loading', lhs: F, rhs: ind }, it, fi);
            }
          });
        });
        break;
      }
      case 'On':
      case 'Pon': {
        const lhs = expand(st.lhs);
        const rhsCount = items(st.rhs).reduce((n, it) => n + expand([it.target]).length, 0);
        if (st.kind === 'Pon' && rhsCount !== lhs.length) err(st.span, 'E_PAIRWISE', 'PON needs as many variables on the right as on the left.');
        let rpos = 0;
        walk(st.rhs, (it, targets) => {
          for (const t of targets) {
            const pos = rpos++;
            lhs.forEach((l, li) => {
              if (st.kind === 'Pon' && li !== pos) return;
              onPair(ctx, l, t, it, li, add);
            });
          }
        });
        break;
      }
      case 'With':
      case 'Pwith': {
        const lhs = expand(st.lhs);
        let rpos = 0;
        walk(st.rhs, (it, targets) => {
          for (const t of targets) {
            const pos = rpos++;
            lhs.forEach((l, li) => {
              if (st.kind === 'Pwith' && li !== pos) return;
              const a = varParamName(ctx, l.name, l.span);
              const b = varParamName(ctx, t.name, t.span);
              if (!a || !b || a === b) return;
              use(L, a).withMention = true;
              use(L, b).withMention = true;
              add({ level: L, kind: 'covariance', lhs: a, rhs: b }, it, li);
            });
          }
        });
        break;
      }
      case 'Variance':
        walk(st.parts, (it, targets) => {
          for (const t of targets) {
            const a = varParamName(ctx, t.name, t.span);
            if (!a) continue;
            use(L, a).varMention = true;
            add({ level: L, kind: 'variance', lhs: a, rhs: '' }, it, 0);
          }
        });
        break;
      case 'Mean':
        walk(st.parts, (it, targets) => {
          for (const t of targets) {
            const r = resolve(ctx, t.name, t.span);
            if (!r) continue;
            if (r.kind === 'classLogit') {
              const cd = classByName.get(r.base)!;
              if (r.classIndex === cd.nClasses) {
                err(t.span, 'E_LAST_CLASS', `[${t.name}]: the logit of the last class is fixed at 0 (it is the reference class).`);
                continue;
              }
              add({ level: cd.level, kind: 'classIntercept', lhs: r.base, rhs: '', index: r.classIndex }, it, 0);
            } else if (r.kind === 'class') err(t.span, 'E_BAD_NAME', `[${t.name}]: write the class logits as [${t.name}#1] ... [${t.name}#${classByName.get(r.base)!.nClasses - 1}].`);
            else if (r.threshold !== undefined) {
              const o = obsByName.get(r.base);
              if (!o || (o.scale !== 'categorical')) {
                err(t.span, 'E_THRESHOLD', `${t.name}: thresholds ($) exist only for CATEGORICAL variables.`);
                continue;
              }
              if (o.nCategories !== undefined && r.threshold >= o.nCategories) {
                err(t.span, 'E_THRESHOLD', `${t.name}: ${r.base} has ${o.nCategories} categories, so ${o.nCategories - 1} threshold(s).`);
                continue;
              }
              use(L, r.base).meanMention = true;
              add({ level: L, kind: 'threshold', lhs: r.base, rhs: '', index: r.threshold }, it, 0);
            } else {
              const o = obsByName.get(r.base);
              if (o?.scale === 'categorical') {
                const n = (o.nCategories ?? 2) - 1;
                use(L, r.base).meanMention = true;
                for (let s = 1; s <= n; s++) add({ level: L, kind: 'threshold', lhs: r.base, rhs: '', index: s }, it, 0);
                continue;
              }
              const name = r.kind === 'observed' && r.classIndex !== undefined ? `${r.base}#${r.classIndex}` : r.base;
              if (twoLevel && L === 'within' && o?.level === 'both' && o.scale === 'continuous')
                diags.push(inputWarning(file, t.span, 'W_WITHIN_MEAN', `[${t.name}] on the within level is ignored: the mean of ${r.base} is a between-level parameter in TWOLEVEL models (write it in %BETWEEN%).`, 'MODEL'));
              use(L, r.base).meanMention = true;
              add({ level: L, kind: 'mean', lhs: name, rhs: '' }, it, 0);
            }
          }
        });
        break;
      case 'Random':
        lowerRandom(ctx, st);
        break;
      case 'Scale':
        err(st.span, 'E_UNSUPPORTED', 'Scale factors { } are not supported yet.');
        break;
    }
  }

  /** The parameter name of a variable in a variance / covariance statement (`C#1` for a random logit intercept). */
  function varParamName(ctx: Ctx, name: string, span: Span): string | null {
    const r = resolve(ctx, name, span);
    if (!r) return null;
    if (r.kind === 'classLogit') {
      if (!twoLevel || ctx.level !== 'between') {
        err(span, 'E_CLASS_VARIANCE', `${name}: a class logit has a variance only as a between-level random intercept (TYPE = TWOLEVEL MIXTURE, %BETWEEN%).`);
        return null;
      }
      return `${r.base}#${r.classIndex}`;
    }
    if (r.kind === 'class' || r.threshold !== undefined) {
      err(span, 'E_BAD_NAME', `${name} has no variance or covariance parameter.`);
      return null;
    }
    return r.base;
  }

  function onPair(ctx: Ctx, l: { name: string; span: Span }, t: { name: string; span: Span }, it: ParamItem, li: number, add: (k: PKey, it: ParamItem, li: number) => void): void {
    const L = ctx.level;
    const a = resolve(ctx, l.name, l.span);
    const b = resolve(ctx, t.name, t.span);
    if (!a || !b) return;
    if (a.kind === 'class' || a.kind === 'classLogit') {
      const cd = classByName.get(a.base)!;
      const ks = a.kind === 'class' ? range(1, cd.nClasses - 1) : [a.classIndex!];
      if (a.kind === 'classLogit' && a.classIndex === cd.nClasses) return err(l.span, 'E_LAST_CLASS', `${l.name}: the last class is the reference class; its logit regressions are fixed at 0.`);
      if (b.kind === 'class' || b.kind === 'classLogit') {
        // `cw ON cb`: a free logit for every (k < Kw, m < Kb) pair (estimation.md §3.4)
        const cb = classByName.get(b.base)!;
        if (classes.indexOf(cb) >= classes.indexOf(cd)) return err(t.span, 'E_CLASS_ORDER', `${l.name} ON ${t.name}: a class variable can be regressed only on class variables listed before it in CLASSES.`);
        const ms = b.kind === 'class' ? range(1, cb.nClasses - 1) : [b.classIndex!];
        for (const k of ks) for (const m2 of ms) add({ level: L, kind: 'classRegression', lhs: cd.name, rhs: cb.name, index: k, rhsIndex: m2 }, it, li);
        return;
      }
      if (b.threshold !== undefined) return err(t.span, 'E_BAD_NAME', `${t.name} cannot be a covariate.`);
      use(L, b.base).rhsOn = true;
      for (const k of ks) {
        if (L === 'between' && cd.level === 'within') use(L, `${cd.name}#${k}`).lhsOn = true;
        add({ level: L, kind: 'classRegression', lhs: cd.name, rhs: b.base, index: k }, it, li);
      }
      return;
    }
    if (b.kind === 'class' || b.kind === 'classLogit') return err(t.span, 'E_ON_CLASS', `${l.name} ON ${t.name}: regressions on a class variable are written as class-specific intercepts (%${t.name}#1% [${l.name}]).`);
    if (a.threshold !== undefined || b.threshold !== undefined) return err(l.span, 'E_BAD_NAME', 'Thresholds ($) cannot appear in ON statements.');
    if (a.base === b.base) return err(t.span, 'E_SELF_REGRESSION', `${l.name} cannot be regressed on itself.`);
    const lhsName = a.kind === 'observed' && a.classIndex !== undefined ? `${a.base}#${a.classIndex}` : a.base;
    use(L, a.base).lhsOn = true;
    use(L, b.base).rhsOn = true;
    add({ level: L, kind: 'regression', lhs: lhsName, rhs: b.base }, it, li);
  }

  function lowerRandom(ctx: Ctx, st: Extract<ModelStatement, { kind: 'Random' }>): void {
    const b = st.body;
    if (b.kind === 'On') {
      if (!randomType) err(st.span, 'E_NEEDS_RANDOM', 'A random slope (|) needs TYPE = RANDOM in the ANALYSIS command (e.g. TYPE = TWOLEVEL RANDOM).');
      if (twoLevel && ctx.level !== 'within') err(st.span, 'E_RANDOM_LEVEL', 'Random slopes are defined on the within level (%WITHIN%).');
      const ys = expand(b.lhs);
      const xs = expand(b.rhs);
      if (st.names.length !== 1 || ys.length !== 1 || xs.length !== 1) return err(st.span, 'E_UNSUPPORTED', 'Write one random slope per statement: s | y ON x;');
      const y = resolve(ctx, ys[0].name, ys[0].span);
      const x = resolve(ctx, xs[0].name, xs[0].span);
      if (!y || !x) return;
      const s = st.names[0].upper;
      use(ctx.level, y.base).randomDep = true;
      use(ctx.level, x.base).randomPred = true;
      randomSlopes.push({ name: s, dependent: y.base, predictor: x.base, level: ctx.level, span: st.span });
    } else if (b.kind === 'Growth') {
      // `i s | y1@0 y2@1 ...`: loadings 1 on i, the time scores on s (squared on a third factor q)
      const names = st.names.map((n) => n.upper);
      if (names.length < 2 || names.length > 3) return err(st.span, 'E_UNSUPPORTED', 'Growth statements with 2 or 3 growth factors are supported.');
      const mkItem = (it: ParamItem, v: number): ParamItem => ({ ...it, modifier: { kind: 'Fixed', value: v, span: it.span } });
      b.items.forEach((it) => {
        const ys = expand([it.target]);
        for (const yy of ys) {
          const y = resolve(ctx, yy.name, yy.span);
          if (!y) continue;
          use(ctx.level, y.base).indicator = true;
          const t = it.modifier?.value ?? null;
          if (t === null) err(it.span, 'E_UNSUPPORTED', 'Free time scores (*) in growth statements are not supported yet.');
          const tv = t ?? 0;
          const pieces: Array<[string, number]> = [[names[0], 1], [names[1], tv]];
          if (names[2]) pieces.push([names[2], tv * tv]);
          for (const [f, v] of pieces) {
            const key: PKey = { level: ctx.level, kind: 'loading', lhs: f, rhs: y.base };
            record(ctx, key, mkItem(it, v).modifier, it.span);
          }
        }
      });
    }
  }

  return { mentions, latent, randomSlopes, usage, firstIndicator };
}

export function samePattern(a: ClassPattern, b: ClassPattern): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Whether a partial pattern applies to a full class pattern. */
export function matches(partial: ClassPattern, full: ClassPattern): boolean {
  return Object.keys(partial).every((k) => full[k] === partial[k]);
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}
