// ANALYSIS (and OUTPUT) options of the AST mapped onto the estimation options.
// Values the user did not give stay undefined: `resolveOptions` fills in the Mplus defaults.

import type { InputFile, OptionNode, OptionValue } from '../syntax/ast.js';
import { PlusmixError, inputError } from '../syntax/diagnostics.js';
import { optionSpec, resolveValue } from '../syntax/options.js';
import { findCommand, findOption } from '../syntax/query.js';
import type { EstimationOptionsInput, IntegrationType } from '../estimate/options.js';
import type { OutputRequests } from '../output/assemble.js';

export interface RunSettings {
  estimation: EstimationOptionsInput;
  processors: number;
  output: Set<string>; // OUTPUT flags (TECH1, TECH8, SAMPSTAT, ...)
  /** what the .out writer prints on request (src/output/assemble.ts) */
  requests: OutputRequests;
}

function flat(values: OptionValue[]): OptionValue[] {
  return values.flatMap((v) => (v.kind === 'group' ? flat(v.items) : [v]));
}

/** numbers of an option, `-` + number read as a negative number */
function numbers(o: OptionNode): number[] {
  const out: number[] = [];
  const vs = flat(o.values);
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i];
    if (v.kind === 'number') out.push(v.value);
    else if (v.kind === 'symbol' && v.text === '-' && vs[i + 1]?.kind === 'number') {
      out.push(-(vs[i + 1] as { value: number }).value);
      i++;
    }
  }
  return out;
}

/** STARTS / K-1STARTS values: `n1 n2`, or `n` alone = n, n/5 [ours] */
function startsPair(ns: number[]): [number, number] {
  return ns.length >= 2 ? [ns[0]!, ns[1]!] : [ns[0] ?? 0, ns[0] ? Math.max(1, Math.round(ns[0] / 5)) : 0];
}

function keyword(file: string, o: OptionNode): string {
  const spec = optionSpec('ANALYSIS', o.name);
  const w = flat(o.values).find((v) => v.kind === 'word');
  if (!w || w.kind !== 'word') throw new PlusmixError(inputError(file, o.valueSpan, 'E_OPTION_VALUE', `ANALYSIS: ${o.name} needs a value.`, 'ANALYSIS'));
  if (!spec) return w.upper;
  const r = resolveValue(spec, w.text);
  if (r.kind !== 'match') {
    throw new PlusmixError(inputError(file, w.span, 'E_OPTION_VALUE', `${w.text} is not a valid value of ${o.name} in the ANALYSIS command${spec.values ? ` (expected one of ${spec.values.join(', ')})` : ''}.`, 'ANALYSIS'));
  }
  return r.name;
}

function one(file: string, o: OptionNode): number {
  const ns = numbers(o);
  if (ns.length < 1) throw new PlusmixError(inputError(file, o.valueSpan, 'E_OPTION_VALUE', `ANALYSIS: ${o.name} needs a number.`, 'ANALYSIS'));
  return ns[0];
}

export function runSettings(ast: InputFile): RunSettings {
  const file = ast.path;
  const an = findCommand(ast, 'ANALYSIS');
  const e: EstimationOptionsInput = {};
  const get = (n: string) => findOption(an, n);
  let o: OptionNode | undefined;
  if ((o = get('ESTIMATOR'))) {
    const v = keyword(file, o);
    if (v !== 'ML' && v !== 'MLR' && v !== 'MLF') {
      throw new PlusmixError(inputError(file, o.valueSpan, 'E_UNSUPPORTED', `ESTIMATOR = ${v} is not supported by plusmix (ML, MLR and MLF are).`, 'ANALYSIS'));
    }
    e.estimator = v;
  }
  if ((o = get('LINK'))) {
    const v = keyword(file, o);
    if (v !== 'LOGIT' && v !== 'PROBIT') throw new PlusmixError(inputError(file, o.valueSpan, 'E_UNSUPPORTED', `LINK = ${v} is not supported (LOGIT and PROBIT are).`, 'ANALYSIS'));
    e.link = v === 'LOGIT' ? 'logit' : 'probit';
  }
  if ((o = get('ALGORITHM'))) {
    const words = flat(o.values).filter((v) => v.kind === 'word').map((v) => (v as { text: string }).text);
    for (const w of words) {
      const r = resolveValue(optionSpec('ANALYSIS', 'ALGORITHM')!, w);
      if (r.kind === 'match' && (r.name === 'EM' || r.name === 'EMA' || r.name === 'ODLL')) e.algorithm = r.name;
    }
  }
  if ((o = get('STARTS'))) {
    e.starts = startsPair(numbers(o));
  }
  if ((o = get('STITERATIONS'))) e.stIterations = one(file, o);
  if ((o = get('STCONVERGENCE'))) e.stConvergence = one(file, o);
  if ((o = get('STSCALE'))) e.stScale = one(file, o);
  if ((o = get('STSEED'))) e.stSeed = one(file, o);
  if ((o = get('OPTSEED'))) e.optSeed = one(file, o);
  if ((o = get('MITERATIONS'))) e.mIterations = one(file, o);
  if ((o = get('LOGCRITERION'))) e.logCriterion = one(file, o);
  if ((o = get('RLOGCRITERION'))) e.rlogCriterion = one(file, o);
  if ((o = get('MCONVERGENCE'))) e.mConvergence = one(file, o);
  if ((o = get('ITERATIONS'))) e.qnIterations = one(file, o);
  if ((o = get('CONVERGENCE'))) e.qnConvergence = one(file, o);
  if ((o = get('INTEGRATION'))) {
    const vs = flat(o.values);
    const w = vs.find((v) => v.kind === 'word');
    const n = numbers(o)[0];
    let type: IntegrationType = 'STANDARD';
    if (w && w.kind === 'word') {
      const r = resolveValue(optionSpec('ANALYSIS', 'INTEGRATION')!, w.text);
      if (r.kind !== 'match') throw new PlusmixError(inputError(file, w.span, 'E_OPTION_VALUE', `${w.text} is not a valid INTEGRATION type (STANDARD, GAUSSHERMITE, MONTECARLO).`, 'ANALYSIS'));
      type = r.name as IntegrationType;
    }
    e.integration = { type, ...(n !== undefined ? { points: n } : {}) };
  }
  if ((o = get('ADAPTIVE'))) e.integration = { ...(e.integration ?? {}), adaptive: keyword(file, o) === 'ON' };
  let processors = 1;
  if ((o = get('PROCESSORS'))) processors = Math.max(1, Math.floor(one(file, o)));
  e.processors = processors;
  const out = new Set<string>();
  for (const opt of findCommand(ast, 'OUTPUT')?.options ?? []) out.add(opt.name);
  if (out.has('TECH8')) e.tech8 = true;
  return { estimation: e, processors, output: out, requests: outputRequests(ast) };
}

/**
 * OUTPUT options for the writer: STANDARDIZED prints STDYX, STDY and STD (or the ones listed in
 * parentheses, `STANDARDIZED (STDYX)`); STDYX / STDY / STD alone select one each; CINTERVAL; SVALUES.
 */
export function outputRequests(ast: InputFile): OutputRequests {
  const opts = findCommand(ast, 'OUTPUT')?.options ?? [];
  const has = (n: string) => opts.some((o) => o.name === n);
  const kinds = new Set<'stdyx' | 'stdy' | 'std'>();
  for (const o of opts) {
    if (o.name === 'STANDARDIZED') {
      const listed = flat(o.values).flatMap((v) => (v.kind === 'word' ? [v.text.toLowerCase()] : [])).filter((w) => w === 'stdyx' || w === 'stdy' || w === 'std');
      for (const k of listed.length ? listed : ['stdyx', 'stdy', 'std']) kinds.add(k as 'stdyx' | 'stdy' | 'std');
    } else if (o.name === 'STDYX' || o.name === 'STDY' || o.name === 'STD') kinds.add(o.name.toLowerCase() as 'stdyx' | 'stdy' | 'std');
  }
  return {
    tech1: has('TECH1'),
    tech8: has('TECH8'),
    standardized: (['stdyx', 'stdy', 'std'] as const).filter((k) => kinds.has(k)),
    cinterval: has('CINTERVAL'),
    svalues: has('SVALUES'),
    tech10: has('TECH10'),
    tech11: has('TECH11'),
    tech14: has('TECH14'),
  };
}

/** ANALYSIS options of TECH11 / TECH14: K-1STARTS, LRTSTARTS, LRTBOOTSTRAP (Mplus defaults when absent). */
export function lrtOptions(ast: InputFile): { k1Starts?: [number, number]; lrtStarts?: [number, number, number, number]; draws?: number } {
  const opts = findCommand(ast, 'ANALYSIS')?.options ?? [];
  const nums = (n: string) => { const o = opts.find((x) => x.name === n); return o ? numbers(o) : []; };
  const out: { k1Starts?: [number, number]; lrtStarts?: [number, number, number, number]; draws?: number } = {};
  const k1 = nums('K-1STARTS'), ls = nums('LRTSTARTS'), lb = nums('LRTBOOTSTRAP');
  if (k1.length >= 1) out.k1Starts = startsPair(k1);
  if (ls.length === 4) out.lrtStarts = [ls[0]!, ls[1]!, ls[2]!, ls[3]!];
  if (lb.length === 1) out.draws = lb[0]!;
  return out;
}
