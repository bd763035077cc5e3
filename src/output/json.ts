// `--json`: one machine-readable object per run (documented with a JSON Schema in docs/json.md and
// docs/json.schema.json). Non-finite numbers (NaN standard errors) are written as null.
// `resultFromJson` reads such an object back into the EstimationResult view used by `plusmix diff`.

import type { EstimationResult, ParameterEstimate, Tech11Result, Tech14Result } from '../results/types.js';
import { waldTest } from '../results/wald.js';
import type { AnalysisSummary, InputWarning, StandardizedOut } from './types.js';
import type { TransitionTable } from '../results/transition.js';

export const JSON_FORMAT_VERSION = 1;

export interface JsonParameter {
  level: 'within' | 'between' | null;
  /** TYPE = THREELEVEL: 'LEVEL2' / 'LEVEL3' for between parameters (absent otherwise) */
  between_level?: 'LEVEL2' | 'LEVEL3';
  class: string | null;
  categorical_latent: boolean;
  block: string;
  name: string;
  par: number;
  estimate: number | null;
  se: number | null;
  est_se: number | null;
  pvalue: number | null;
  fixed: boolean;
}

export interface JsonClass {
  label: string;
  model: { count: number; proportion: number } | null;
  posterior: { count: number; proportion: number };
  most_likely: { count: number; proportion: number };
}

/** a class variable of the model; `counts` are its marginal counts (models with several class variables) */
export interface JsonClassVariable {
  name: string;
  level: 'within' | 'between';
  classes: number;
  counts: JsonClass[] | null;
}

/** standardized parameters in the `parameters` row format, R-square per dependent variable */
export interface JsonStandardized {
  stdyx?: JsonParameter[];
  stdy?: JsonParameter[];
  std?: JsonParameter[];
  r_square: Array<{ level: 'within' | 'between' | null; class: string | null; name: string; latent: boolean; estimate: number | null; se: number | null }>;
}

export interface JsonAnalysis {
  type: string | null;
  estimator: string;
  integration: { type: string; points: number; dimensions: number; adaptive: boolean } | null;
  starts: { initial: number; final: number } | null;
  seed: number | null;
}

export interface JsonResult {
  format: 'plusmix-result';
  format_version: number;
  plusmix_version: string;
  /** 'plusmix' for our runs; 'mplus' when converted from a real Mplus .out */
  source: 'plusmix' | 'mplus';
  terminated_normally: boolean;
  analysis: JsonAnalysis;
  fit: {
    loglikelihood: number | null;
    parameters: number;
    aic: number | null;
    bic: number | null;
    abic: number | null;
    entropy: number | null;
    scaling_correction: number | null;
    n: number;
  } | null;
  classes: JsonClass[] | null;
  /** present when the result names its class variables (CLASSES order) */
  class_variables?: JsonClassVariable[];
  parameters: JsonParameter[];
  /** OUTPUT: STANDARDIZED (STDYX / STDY / STD as requested) and R-square; absent when not printed */
  standardized?: JsonStandardized;
  /**
   * input / data warnings (printed after the input echo; `command` set, possibly null) first, then the
   * estimation warnings (printed after THE MODEL ESTIMATION TERMINATED NORMALLY; no `command`)
   */
  warnings: Array<{ code: string; text: string; command?: string | null }>;
  /** LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL: P(to = column | from = row), models with `c2 ON c1` */
  latent_transitions?: Array<{ from: string; to: string; probabilities: number[][] }>;
  /** OUTPUT: TECH11 (Vuong-Lo-Mendell-Rubin and adjusted LMR tests); absent when not computed / printed */
  tech11?: JsonTech11;
  /** OUTPUT: TECH14 (parametric bootstrapped LRT); absent when not computed / printed */
  tech14?: JsonTech14;
}

export interface JsonTech11 {
  /** classes of the H1 model; H0 has classes - 1 */
  classes: number;
  h0_loglikelihood: number | null;
  /** 2 times the loglikelihood difference */
  lrt: number | null;
  parameter_difference: number;
  mean: number | null;
  sd: number | null;
  pvalue: number | null;
  lmr_adjusted: { value: number | null; pvalue: number | null };
}

export interface JsonTech14 {
  classes: number;
  h0_loglikelihood: number | null;
  lrt: number | null;
  parameter_difference: number;
  pvalue: number | null;
  successful_draws: number;
  /** LRTBOOTSTRAP; null when the number of draws varies (sequential rule) */
  draws_requested: number | null;
}

const fin = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

/** TYPE of the ANALYSIS command in the input text (upper case, blanks collapsed), null when absent */
export function analysisType(inputText: string): string | null {
  const a = /\bANALYSIS\s*:/i.exec(inputText);
  if (!a) return null;
  const rest = inputText.slice(a.index + a[0].length);
  const end = /^\s*(?:TITLE|DATA|VARIABLE|DEFINE|MODEL|OUTPUT|SAVEDATA|PLOT|MONTECARLO)\b[^:\n]*:/im.exec(rest);
  const m = /\bTYPE\s*(?:=|\bIS\b|\bARE\b)\s*([^;]+);/i.exec(end ? rest.slice(0, end.index) : rest);
  return m ? m[1].trim().toUpperCase().replace(/\s+/g, ' ') : null;
}

export function analysisFromSummary(summary: AnalysisSummary, inputText: string, result: EstimationResult): JsonAnalysis {
  const spec = (label: string) => summary.specs.find((s) => s.label === label)?.value;
  const initial = spec('Number of initial stage random starts');
  const final = spec('Number of final stage optimizations');
  const seed = spec('Random seed for generating random starts');
  return {
    type: analysisType(inputText),
    estimator: result.estimator,
    integration: result.integration ?? null,
    starts: initial !== undefined && final !== undefined ? { initial: Number(initial), final: Number(final) } : null,
    seed: seed !== undefined ? Number(seed) : null,
  };
}

export function toJson(input: {
  result: EstimationResult;
  summary: AnalysisSummary;
  inputText: string;
  plusmixVersion: string;
  source?: 'plusmix' | 'mplus';
  /** OUTPUT: STANDARDIZED tables, when printed */
  standardized?: StandardizedOut;
  /** input / data warnings printed after the input echo */
  inputWarnings?: InputWarning[];
  /** latent transition tables, when printed */
  transitions?: TransitionTable[];
}): JsonResult {
  const r = input.result;
  const cc = r.classCounts;
  const share = (xs: number[], k: number) => {
    const n = xs.reduce((a, b) => a + b, 0);
    return { count: xs[k], proportion: n > 0 ? xs[k] / n : 0 };
  };
  return {
    format: 'plusmix-result',
    format_version: JSON_FORMAT_VERSION,
    plusmix_version: input.plusmixVersion,
    source: input.source ?? 'plusmix',
    terminated_normally: r.terminatedNormally,
    analysis: analysisFromSummary(input.summary, input.inputText, r),
    fit: r.fit
      ? {
          loglikelihood: fin(r.fit.loglikelihood),
          parameters: r.fit.parameters,
          aic: fin(r.fit.aic),
          bic: fin(r.fit.bic),
          abic: fin(r.fit.abic),
          entropy: fin(cc?.entropy),
          scaling_correction: fin(r.fit.scalingCorrection),
          n: r.fit.n,
        }
      : null,
    classes: cc
      ? cc.labels.map((label, k) => ({
          label,
          model: cc.model ? share(cc.model, k) : null,
          posterior: share(cc.posterior, k),
          most_likely: share(cc.mostLikely, k),
        }))
      : null,
    ...(r.classVariables ? { class_variables: classVariablesJson(r) } : {}),
    parameters: r.parameters.map(parameterJson),
    ...(input.standardized ? { standardized: standardizedJson(input.standardized) } : {}),
    warnings: [
      ...(input.inputWarnings ?? []).map((w) => ({ code: w.code, text: w.lines.join('\n'), command: w.command })),
      ...r.warnings.map((w) => ({ code: w.code, text: w.lines.join('\n') })),
    ],
    ...(input.transitions?.length ? { latent_transitions: input.transitions.map((t) => ({ from: t.from, to: t.to, probabilities: t.probabilities })) } : {}),
    ...(r.tech11 ? { tech11: tech11Json(r.tech11) } : {}),
    ...(r.tech14 ? { tech14: tech14Json(r.tech14) } : {}),
  };
}

function tech11Json(t: Tech11Result): JsonTech11 {
  return {
    classes: t.classes,
    h0_loglikelihood: fin(t.h0Loglikelihood),
    lrt: fin(t.lrt),
    parameter_difference: t.parameterDifference,
    mean: fin(t.mean),
    sd: fin(t.sd),
    pvalue: fin(t.pValue),
    lmr_adjusted: { value: fin(t.adjusted.value), pvalue: fin(t.adjusted.pValue) },
  };
}

function tech14Json(t: Tech14Result): JsonTech14 {
  return {
    classes: t.classes,
    h0_loglikelihood: fin(t.h0Loglikelihood),
    lrt: fin(t.lrt),
    parameter_difference: t.parameterDifference,
    pvalue: fin(t.pValue),
    successful_draws: t.successfulDraws,
    draws_requested: t.drawsRequested,
  };
}

function classVariablesJson(r: EstimationResult): JsonClassVariable[] {
  const share = (xs: number[], k: number) => {
    const n = xs.reduce((a, b) => a + b, 0);
    return { count: xs[k], proportion: n > 0 ? xs[k] / n : 0 };
  };
  return (r.classVariables ?? []).map((cv) => {
    const pv = r.classCounts?.perVariable?.find((v) => v.name.toUpperCase() === cv.name.toUpperCase());
    return {
      name: cv.name,
      level: cv.level,
      classes: cv.nClasses,
      counts: pv
        ? pv.posterior.map((_, k) => ({
            label: String(k + 1),
            model: pv.model ? share(pv.model, k) : null,
            posterior: share(pv.posterior, k),
            most_likely: share(pv.mostLikely, k),
          }))
        : null,
    };
  });
}

function parameterJson(p: ParameterEstimate): JsonParameter {
  const w = waldTest(p);
  return {
    level: p.level,
    ...(p.betweenLevel ? { between_level: p.betweenLevel } : {}),
    class: p.categoricalLatent ? null : p.classLabel,
    categorical_latent: p.categoricalLatent,
    block: p.block,
    name: p.name,
    par: p.par,
    estimate: fin(p.estimate),
    se: p.fixed ? 0 : fin(p.se),
    est_se: fin(w?.estSe),
    pvalue: fin(w?.pValue),
    fixed: p.fixed,
  };
}

function standardizedJson(s: StandardizedOut): JsonStandardized {
  const out: JsonStandardized = {
    r_square: s.results.rSquare.map((r) => ({ level: r.level, class: r.classLabel, name: r.name, latent: r.latent, estimate: fin(r.estimate), se: r.fixed ? 0 : fin(r.se) })),
  };
  for (const k of s.kinds) out[k] = s.results[k].map(parameterJson);
  return out;
}

export function jsonText(j: JsonResult): string {
  return JSON.stringify(j, null, 2) + '\n';
}

/** The parts of a JSON result that `diff` compares, as ParameterEstimate rows. */
export function resultFromJson(j: JsonResult): { parameters: ParameterEstimate[]; fit: JsonResult['fit'] } {
  return {
    fit: j.fit,
    parameters: j.parameters.map((p) => ({
      par: p.par,
      level: p.level,
      ...(p.between_level ? { betweenLevel: p.between_level } : {}),
      classLabel: p.class,
      categoricalLatent: p.categorical_latent,
      block: p.block,
      name: p.name,
      estimate: p.estimate ?? NaN,
      se: p.se ?? NaN,
      fixed: p.fixed,
    })),
  };
}
