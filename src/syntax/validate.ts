// Checks on a parsed input beyond syntax (`plusmix check` without --syntax-only):
//  - option names known for their command ("did you mean" by edit distance);
//  - keyword option values among the allowed ones (TYPE, ESTIMATOR, ALGORITHM ...);
//  - variable names in VARIABLE lists and MODEL statements defined by NAMES /
//    USEVARIABLES / DEFINE, latent variables (BY, `|`) or class variables (CLASSES).
// Deeper model checks (levels, class sections, parameter kinds) belong to src/model.
import type { Command, InputFile, ModelStatement, OptionNode, OptionValue, OptionsCommand, RhsPart, Span, VarList, VarName, VarRef, DefineStatement } from './ast.js';
import { inputError, PlusmixError, type Diagnostic } from './diagnostics.js';
import { expandBySuffix, expandNamesList, expandPositional } from './lists.js';
import { OPTIONS, optionSpec, resolveOption, resolveValue, suggest } from './options.js';

export function validateInput(ast: InputFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const file = ast.path;
  for (const c of ast.commands) if (c.kind === 'Options') checkOptions(c, file, out);
  checkVariables(ast, out);
  return out;
}

// ---------------------------------------------------------------------------
// option names and values

function checkOptions(c: OptionsCommand, file: string, out: Diagnostic[]): void {
  const cmd = c.name;
  for (const o of c.options) {
    if (!o.known) {
      const r = resolveOption(cmd, o.written);
      if (r.kind === 'ambiguous') {
        out.push(inputError(file, o.nameSpan, 'E_AMBIGUOUS_OPTION', `Ambiguous option ${o.written.toUpperCase()} in ${cmd} command: it could be ${r.candidates.join(' or ')}.`, cmd));
      } else {
        const s = suggest(o.written, OPTIONS[cmd].map((x) => x.name));
        out.push(inputError(file, o.nameSpan, 'E_UNKNOWN_OPTION', `Unknown option ${o.written.toUpperCase()} in ${cmd} command${s ? `; did you mean ${s}?` : '.'}`, cmd));
      }
      continue;
    }
    const spec = optionSpec(cmd, o.name);
    if (!spec?.values) continue;
    if (!o.values.length) {
      out.push(inputError(file, o.span, 'E_MISSING_VALUE', `Option ${o.name} in ${cmd} command needs a value (${spec.values.join(', ')}).`, cmd));
      continue;
    }
    for (const v of o.values) {
      if (v.kind === 'group') continue; // INTEGRATION = STANDARD (15)
      if (v.kind === 'number') {
        if (!spec.numbers) out.push(inputError(file, v.span, 'E_BAD_VALUE', `${o.name} in ${cmd} command does not take a number; allowed: ${spec.values.join(', ')}.`, cmd));
        continue;
      }
      if (v.kind !== 'word') continue;
      const r = resolveValue(spec, v.text);
      if (r.kind === 'match') continue;
      if (r.kind === 'ambiguous') {
        out.push(inputError(file, v.span, 'E_AMBIGUOUS_VALUE', `Ambiguous value ${v.text.toUpperCase()} for ${o.name} in ${cmd} command: it could be ${r.candidates.join(' or ')}.`, cmd));
        continue;
      }
      const s = suggest(v.text, spec.values);
      out.push(
        inputError(file, v.span, 'E_BAD_VALUE', `Unknown value ${v.text.toUpperCase()} for ${o.name} in ${cmd} command${s ? `; did you mean ${s}?` : `; allowed: ${spec.values.join(', ')}.`}`, cmd),
      );
    }
  }
}

// ---------------------------------------------------------------------------
// variable names

/** The variable-list part of an option value: words and `a - b` ranges; groups and numbers are skipped. */
export function optionVarList(o: OptionNode): VarList {
  const out: VarList = [];
  const vs = o.values;
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i];
    if (v.kind !== 'word') continue;
    const dash = vs[i + 1];
    const to = vs[i + 2];
    if (dash && to && dash.kind === 'symbol' && dash.text === '-' && to.kind === 'word') {
      out.push({ kind: 'Range', from: wordName(v), to: wordName(to), span: { start: v.span.start, end: to.span.end } });
      i += 2;
    } else if (v.upper === 'ALL') out.push({ kind: 'All', span: v.span });
    else out.push({ kind: 'Var', ...wordName(v) });
  }
  return out;
}

function wordName(v: Extract<OptionValue, { kind: 'word' }>): VarName {
  const m = /^([A-Za-z_][A-Za-z0-9_]*?)(?:#(\d+))?(?:\$(\d+))?$/.exec(v.text);
  const name: VarName = { name: m ? m[1] : v.text, upper: (m ? m[1] : v.text).toUpperCase(), span: v.span };
  if (m?.[2] !== undefined) name.classIndex = Number(m[2]);
  if (m?.[3] !== undefined) name.threshold = Number(m[3]);
  return name;
}

/** VARIABLE options whose value is a list of NAMES variables (the part before any parenthesised group). */
const VAR_LIST_OPTIONS = new Set([
  'USEVARIABLES', 'CATEGORICAL', 'NOMINAL', 'COUNT', 'CENSORED', 'DSURVIVAL', 'GROUPING', 'IDVARIABLE', 'FREQWEIGHT', 'TSCORES',
  'AUXILIARY', 'CONSTRAINT', 'PATTERN', 'STRATIFICATION', 'CLUSTER', 'WEIGHT', 'BWEIGHT', 'B2WEIGHT', 'B3WEIGHT', 'REPWEIGHTS',
  'WITHIN', 'BETWEEN', 'SURVIVAL', 'TIMECENSORED', 'LAGGED', 'MISSING', 'CENTERING', 'TRAINING',
]);

function checkVariables(ast: InputFile, out: Diagnostic[]): void {
  const file = ast.path;
  const options = (name: string) => ast.commands.filter((c): c is OptionsCommand => c.kind === 'Options' && c.name === name);
  const find = (cmds: OptionsCommand[], opt: string) => cmds.flatMap((c) => c.options.filter((o) => o.name === opt));
  const variable = options('VARIABLE');
  const montecarlo = options('MONTECARLO');
  const namesOpt = find(variable, 'NAMES')[0] ?? find(montecarlo, 'NAMES')[0];
  if (!namesOpt) {
    if (!montecarlo.length && !variable.length) {
      out.push(inputError(file, { start: ast.span.start, end: ast.span.start }, 'E_MISSING_COMMAND', 'The VARIABLE command with NAMES is required (unless MONTECARLO generates the data).', 'VARIABLE'));
    } else if (!montecarlo.length) {
      out.push(inputError(file, variable[0].headerSpan, 'E_MISSING_OPTION', 'NAMES is required in the VARIABLE command.', 'VARIABLE'));
    }
    return;
  }
  if (!montecarlo.length && !options('DATA').some((c) => c.options.some((o) => o.name === 'FILE'))) {
    out.push(inputError(file, { start: ast.span.start, end: ast.span.start }, 'E_MISSING_OPTION', 'DATA: FILE is required (unless MONTECARLO generates the data).', 'DATA'));
  }

  let names: string[];
  try {
    names = expandNamesList(optionVarList(namesOpt), file);
  } catch (e) {
    if (e instanceof PlusmixError) out.push(...e.diagnostics);
    return;
  }
  const defined = defineTargets(ast);
  const order = [...names, ...defined.filter((d) => !names.some((n) => n.toUpperCase() === d.toUpperCase()))];
  const known = new Set(order.map((n) => n.toUpperCase()));

  // CLASSES / GENCLASSES / KNOWNCLASS: class variable names
  const classVars = new Set<string>();
  for (const o of [...find(variable, 'CLASSES'), ...find(montecarlo, 'CLASSES'), ...find(montecarlo, 'GENCLASSES')]) {
    for (const v of o.values) if (v.kind === 'word') classVars.add(v.upper);
  }

  const report = (span: Span, name: string, where: string, command: string) => {
    const s = suggest(name, order);
    out.push(inputError(file, span, 'E_UNKNOWN_VARIABLE', `Unknown variable ${name} in ${where}${s ? `; did you mean ${s}?` : '.'}`, command));
  };
  const checkList = (refs: VarList, extra: Set<string>, where: string, command: string) => {
    try {
      for (const r of expandPositional(refs, order, file, command)) {
        const base = r.name.replace(/[#$].*$/, '').toUpperCase();
        if (!known.has(base) && !extra.has(base)) report(r.span, r.name, where, command);
      }
    } catch (e) {
      if (e instanceof PlusmixError) out.push(...e.diagnostics);
      else throw e;
    }
  };

  for (const c of [...variable, ...montecarlo]) {
    for (const o of c.options) {
      if (!VAR_LIST_OPTIONS.has(o.name) || !o.known) continue;
      if (c.name === 'MONTECARLO' && o.name === 'MISSING') continue;
      // MISSING = ALL (-999) / MISSING = . / MISSING = BLANK
      const refs = optionVarList(o).filter((r) => !(r.kind === 'Var' && o.name === 'MISSING' && /^(BLANK)$/i.test(r.name)));
      if (o.name === 'MISSING' && refs.every((r) => r.kind === 'All')) continue;
      const extra = o.name === 'BETWEEN' || o.name === 'WITHIN' ? classVars : new Set<string>();
      checkList(refs, extra, `${o.name} (${c.name} command)`, c.name);
    }
  }

  // analysis variables: USEVARIABLES (else NAMES), plus DEFINE variables
  const usev = find(variable, 'USEVARIABLES')[0];
  let analysis = order;
  if (usev) {
    try {
      analysis = expandPositional(optionVarList(usev), order, file).map((x) => x.name);
    } catch {
      analysis = order;
    }
  }
  const models = ast.commands.filter((c): c is Extract<Command, { kind: 'Model' }> => c.kind === 'Model');
  const latent = new Set<string>();
  const latentOrder: string[] = [];
  const addLatent = (n: string) => {
    const u = n.toUpperCase();
    if (!latent.has(u)) {
      latent.add(u);
      latentOrder.push(n);
    }
  };
  for (const m of models) {
    for (const s of m.statements) {
      if (s.kind === 'By')
        for (const r of s.lhs) {
          if (r.kind === 'Var') addLatent(r.name);
          else if (r.kind === 'Range') for (const n of expandBySuffix(r.from.name, r.to.name) ?? []) addLatent(n); // ESEM `f1-f3 BY ...`
        }
      if (s.kind === 'Random') for (const n of s.names) addLatent(n.name);
    }
  }
  const modelOrder = [...analysis, ...latentOrder];
  const modelKnown = new Set([...modelOrder.map((n) => n.toUpperCase()), ...classVars]);
  for (const m of models) {
    const cmdName = m.variant + (m.classLabel.length ? ` ${m.classLabel.join('.')}` : '');
    const refs: VarRef[] = [];
    for (const s of m.statements) collectModelRefs(s, refs);
    for (const i of m.indirect ?? []) refs.push({ kind: 'Var', ...i.lhs }, ...i.rhs.map((r) => ({ kind: 'Var' as const, ...r })));
    try {
      for (const r of expandPositional(refs, modelOrder, file, 'MODEL')) {
        const base = r.name.replace(/[#$&].*$/, '').toUpperCase();
        if (!modelKnown.has(base)) {
          const s = suggest(base, modelOrder);
          const inNames = known.has(base);
          out.push(
            inputError(
              file,
              r.span,
              'E_UNKNOWN_VARIABLE',
              inNames
                ? `Variable ${r.name} is used in ${cmdName} but is not an analysis variable (add it to USEVARIABLES).`
                : `Unknown variable ${r.name} in ${cmdName} command${s ? `; did you mean ${s}?` : '.'}`,
              'MODEL',
            ),
          );
        }
      }
    } catch (e) {
      if (e instanceof PlusmixError) out.push(...e.diagnostics);
      else throw e;
    }
  }
}

function collectModelRefs(s: ModelStatement, out: VarRef[]): void {
  const parts = (ps: RhsPart[]) => {
    for (const p of ps) if (p.kind === 'Item') out.push(p.target);
  };
  switch (s.kind) {
    case 'On':
    case 'By':
    case 'With':
    case 'Pon':
    case 'Pwith':
      out.push(...s.lhs);
      parts(s.rhs);
      break;
    case 'Variance':
    case 'Mean':
    case 'Scale':
      parts(s.parts);
      break;
    case 'Random': {
      const b = s.body;
      if (b.kind === 'On' || b.kind === 'By') out.push(...b.lhs, ...b.rhs);
      else if (b.kind === 'Xwith') out.push({ kind: 'Var', ...b.left }, { kind: 'Var', ...b.right });
      else if (b.kind === 'Growth') for (const it of b.items) out.push(it.target);
      else out.push(...b.items, ...b.times);
      break;
    }
    default:
      break;
  }
}

/** Variables created by DEFINE assignments (in order), with DO loops expanded. */
function defineTargets(ast: InputFile): string[] {
  const out: string[] = [];
  const visit = (s: DefineStatement, subst: (n: string) => string) => {
    if (s.kind === 'Assign' || s.kind === 'If') out.push(subst(s.target));
    else if (s.kind === 'Do') {
      for (let k = s.from; k <= s.to; k++) {
        const ch = s.index;
        for (const b of s.body) visit(b, (n) => subst(n.split(ch).join(String(k))));
      }
    }
  };
  for (const c of ast.commands) if (c.kind === 'Define') for (const s of c.statements) visit(s, (n) => n);
  const seen = new Set<string>();
  return out.filter((n) => (seen.has(n.toUpperCase()) ? false : (seen.add(n.toUpperCase()), true)));
}

