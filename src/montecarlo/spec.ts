// The MONTECARLO command read into a plain specification (syntax.md §9).
// Variable lists follow the NAMES rule (numeric suffix ranges, `y1-y5`); names are canonical upper case.

import type { InputFile, OptionNode, OptionValue, OptionsCommand, Span } from '../syntax/ast.js';
import { PlusmixError, inputError } from '../syntax/diagnostics.js';
import { expandBySuffix } from '../syntax/lists.js';

export interface GenerateSpec {
  /** number of thresholds (categories - 1) */
  thresholds: number;
  /** residual distribution of the latent response: logistic (Mplus ML default) or normal (`(1 p)`) */
  link: 'logit' | 'probit';
}

export interface MonteCarloSpec {
  /** generated variables in NAMES order (upper case) and the user's spelling */
  names: string[];
  display: string[];
  nobs: number;
  nreps: number;
  seed: number;
  /** cluster sizes in generation order; null for single-level data */
  clusterSizes: number[] | null;
  generate: Map<string, GenerateSpec>;
  /** CATEGORICAL of the analysis model */
  categorical: Set<string>;
  cutpoints: Map<string, number>;
  within: Set<string>;
  between: Set<string>;
  /** SAVE = name*.dat (the `*` becomes the replication number) */
  save: string | null;
  /** REPSAVE: replications (1-based) whose data are saved; 'ALL' */
  repsave: 'ALL' | Set<number>;
  results: string | null;
}

function cmd(ast: InputFile, name: OptionsCommand['name']): OptionsCommand | undefined {
  return ast.commands.find((c): c is OptionsCommand => c.kind === 'Options' && c.name === name);
}

/** Words with `a - b` ranges expanded by numeric suffix; groups `( ... )` returned after the word they follow. */
function items(values: OptionValue[], file: string): Array<{ names: string[]; display: string[]; group?: OptionValue[]; span: Span }> {
  const out: Array<{ names: string[]; display: string[]; group?: OptionValue[]; span: Span }> = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v.kind === 'group') {
      if (out.length) out[out.length - 1].group = v.items;
      continue;
    }
    if (v.kind !== 'word') continue;
    const next = values[i + 1];
    const after = values[i + 2];
    if (next?.kind === 'symbol' && next.text === '-' && after?.kind === 'word') {
      const names = expandBySuffix(v.text, after.text);
      if (!names) throw new PlusmixError(inputError(file, { start: v.span.start, end: after.span.end }, 'E_MC_LIST', `Cannot expand the list ${v.text}-${after.text}.`, 'MONTECARLO'));
      out.push({ names: names.map((n) => n.toUpperCase()), display: names, span: { start: v.span.start, end: after.span.end } });
      i += 2;
    } else out.push({ names: [v.upper], display: [v.text], span: v.span });
  }
  return out;
}

function numbersOf(values: OptionValue[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v.kind === 'number') out.push(v.value);
    else if (v.kind === 'symbol' && v.text === '-' && values[i + 1]?.kind === 'number') out.push(-(values[++i] as { value: number }).value);
    else if (v.kind === 'group') out.push(...numbersOf(v.items));
  }
  return out;
}

export function readMonteCarlo(ast: InputFile): MonteCarloSpec {
  const file = ast.path;
  const mc = cmd(ast, 'MONTECARLO');
  if (!mc) throw new PlusmixError([{ severity: 'error', code: 'E_MC_MISSING', message: 'No MONTECARLO command.', location: { kind: 'file', file } }]);
  const get = (n: string): OptionNode | undefined => mc.options.filter((o) => o.name === n).pop();
  const need = (n: string): OptionNode => {
    const o = get(n);
    if (!o) throw new PlusmixError(inputError(file, mc.headerSpan, 'E_MC_OPTION', `MONTECARLO: ${n} is required.`, 'MONTECARLO'));
    return o;
  };
  const int = (o: OptionNode, min: number): number => {
    const ns = numbersOf(o.values);
    if (ns.length !== 1 || !Number.isInteger(ns[0]) || ns[0] < min) throw new PlusmixError(inputError(file, o.valueSpan, 'E_MC_OPTION', `MONTECARLO: ${o.name} needs an integer of at least ${min}.`, 'MONTECARLO'));
    return ns[0];
  };
  const nameItems = items(need('NAMES').values, file);
  const names = nameItems.flatMap((x) => x.names);
  const display = nameItems.flatMap((x) => x.display);
  const known = new Set(names);
  const listOf = (n: string): ReturnType<typeof items> => {
    const o = get(n);
    if (!o) return [];
    const its = items(o.values, file);
    return its;
  };
  const checkNames = (its: ReturnType<typeof items>, opt: string, allow: Set<string> = new Set()) => {
    for (const it of its) for (const n of it.names) if (!known.has(n) && !allow.has(n)) throw new PlusmixError(inputError(file, it.span, 'E_MC_NAME', `MONTECARLO ${opt}: ${n} is not in NAMES.`, 'MONTECARLO'));
  };
  const nobs = int(need('NOBSERVATIONS'), 1);
  const nreps = get('NREPS') ? int(get('NREPS')!, 1) : 1;
  const seed = get('SEED') ? int(get('SEED')!, 0) : 0;

  let clusterSizes: number[] | null = null;
  const cs = get('CSIZES');
  if (cs) {
    // `CSIZES = 40 (5) 50 (10);` count (size) pairs
    const sizes: number[] = [];
    const vals = cs.values;
    let pairs = 0;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      const g = vals[i + 1];
      if (v.kind !== 'number' || g?.kind !== 'group') throw new PlusmixError(inputError(file, cs.valueSpan, 'E_MC_CSIZES', 'CSIZES: give pairs of number of clusters and cluster size, e.g. CSIZES = 200 (15);', 'MONTECARLO'));
      const size = numbersOf(g.items);
      if (size.length !== 1 || !Number.isInteger(size[0]) || size[0] < 1 || !Number.isInteger(v.value) || v.value < 1)
        throw new PlusmixError(inputError(file, g.span, 'E_MC_CSIZES', 'CSIZES: cluster counts and sizes must be positive integers.', 'MONTECARLO'));
      for (let k = 0; k < v.value; k++) sizes.push(size[0]);
      pairs++;
      i++;
    }
    const nc = get('NCSIZES');
    if (nc && int(nc, 1) !== pairs) throw new PlusmixError(inputError(file, nc.valueSpan, 'E_MC_CSIZES', `NCSIZES = ${int(nc, 1)} but CSIZES gives ${pairs} cluster sizes.`, 'MONTECARLO'));
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== nobs) throw new PlusmixError(inputError(file, cs.valueSpan, 'E_MC_CSIZES', `CSIZES give ${total} observations but NOBSERVATIONS = ${nobs}.`, 'MONTECARLO'));
    clusterSizes = sizes;
  }

  const generate = new Map<string, GenerateSpec>();
  const gen = listOf('GENERATE');
  checkNames(gen, 'GENERATE');
  for (const it of gen) {
    const g = it.group ?? [];
    const ns = numbersOf(g);
    const words = g.filter((v): v is Extract<OptionValue, { kind: 'word' }> => v.kind === 'word').map((w) => w.upper);
    if (ns.length !== 1 || !Number.isInteger(ns[0]) || ns[0] < 1 || words.some((w) => w !== 'P' && w !== 'L'))
      throw new PlusmixError(inputError(file, it.span, 'E_MC_GENERATE', 'GENERATE: only categorical outcomes are supported, e.g. u1-u4 (1) (binary) or u (2 p) (probit); censored and count outcomes are not generated yet.', 'MONTECARLO'));
    for (const n of it.names) generate.set(n, { thresholds: ns[0], link: words.includes('P') ? 'probit' : 'logit' });
  }
  const categorical = new Set(listOf('CATEGORICAL').flatMap((x) => x.names));
  const cutpoints = new Map<string, number>();
  const cut = listOf('CUTPOINTS');
  checkNames(cut, 'CUTPOINTS');
  for (const it of cut) {
    const ns = numbersOf(it.group ?? []);
    if (ns.length !== 1) throw new PlusmixError(inputError(file, it.span, 'E_MC_CUTPOINTS', 'CUTPOINTS: give one cut point per variable, e.g. x (0).', 'MONTECARLO'));
    for (const n of it.names) cutpoints.set(n, ns[0]);
  }
  const classNames = new Set([...listOf('CLASSES'), ...listOf('GENCLASSES')].flatMap((x) => x.names));
  const within = listOf('WITHIN');
  const between = listOf('BETWEEN');
  checkNames(within, 'WITHIN');
  checkNames(between, 'BETWEEN', classNames);
  for (const o of ['PATMISS', 'PATPROBS', 'MISSING', 'POPULATION', 'COVERAGE', 'STARTING', 'COUNT', 'CENSORED', 'NOMINAL', 'SURVIVAL', 'HAZARDC', 'TSCORES', 'LAGGED', 'BPARAMETERS']) {
    const x = get(o);
    if (x) throw new PlusmixError(inputError(file, x.nameSpan, 'E_MC_UNSUPPORTED', `MONTECARLO: ${o} is not supported yet.`, 'MONTECARLO'));
  }
  const word = (o: OptionNode | undefined) => (o ? o.raw.trim().replace(/^"(.*)"$/, '$1') : null);
  const rs = get('REPSAVE');
  let repsave: MonteCarloSpec['repsave'] = 'ALL';
  if (rs && !/^ALL$/i.test(rs.raw.trim())) {
    const set = new Set<number>();
    const vs = rs.values;
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i];
      if (v.kind !== 'number') continue;
      if (vs[i + 1]?.kind === 'symbol' && (vs[i + 1] as { text: string }).text === '-' && vs[i + 2]?.kind === 'number') {
        for (let k = v.value; k <= (vs[i + 2] as { value: number }).value; k++) set.add(k);
        i += 2;
      } else set.add(v.value);
    }
    repsave = set;
  }
  return {
    names,
    display,
    nobs,
    nreps,
    seed,
    clusterSizes,
    generate,
    categorical,
    cutpoints,
    within: new Set(within.flatMap((x) => x.names)),
    between: new Set(between.flatMap((x) => x.names).filter((n) => known.has(n))),
    save: word(get('SAVE')),
    repsave,
    results: word(get('RESULTS')),
  };
}
