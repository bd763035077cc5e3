// Glue for `plusmix run`: the writer input (OutInput) from the pipeline's objects.

import { basename } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { summarizeData } from '../data/summary.js';
import type { EstimationOptions, EstimationOptionsInput } from '../estimate/options.js';
import type { ModelIR } from '../model/ir.js';
import { layout } from '../model/layout.js';
import { indicatorOddsRatios, probabilityScale } from '../results/probability.js';
import type { EstimationResult } from '../results/types.js';
import { analysisSummary, dataSummaryOut, generalSpecs, mixtureSpecs, tech1FromLayout } from './build.js';
import type { OutInput, SaveDataInfo, SpecLine, StandardizedOut } from './types.js';
import { sampleCovariance, standardize } from '../results/standardize.js';
import { svaluesLines } from './svalues.js';
import { tech10 } from '../results/tech10.js';
import { latentTransitions, type TransitionTable } from '../results/transition.js';

/** TITLE lines as Mplus prints them after INPUT READING TERMINATED NORMALLY (each line trimmed) */
export function titleLines(inputText: string): string[] {
  const m = /^\s*TITLE\s*:/im.exec(inputText);
  if (!m) return [];
  const rest = inputText.slice(m.index + m[0].length);
  const next = /^\s*(?:DATA|VARIABLE|DEFINE|ANALYSIS|MODEL|OUTPUT|SAVEDATA|PLOT|MONTECARLO)\b[^:\n]*:/im.exec(rest);
  return (next ? rest.slice(0, next.index) : rest)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l, i, a) => l !== '' || (i > 0 && i < a.length - 1));
}

/** what the OUTPUT command asks the .out writer for (src/cli/analysis.ts outputRequests) */
export interface OutputRequests {
  tech1: boolean;
  tech8: boolean;
  /** STANDARDIZED = all three; STDYX / STDY / STD alone select one each */
  standardized?: Array<'stdyx' | 'stdy' | 'std'>;
  cinterval?: boolean;
  svalues?: boolean;
  /** TECH10: response-pattern, univariate and bivariate fit of categorical latent class indicators */
  tech10?: boolean;
  /** TECH11 / TECH14 (computed by the pipeline into EstimationResult.tech11 / tech14) */
  tech11?: boolean;
  tech14?: boolean;
}

export interface AssembleInput {
  inputText: string;
  ir: ModelIR;
  ds: Dataset;
  result: EstimationResult;
  estimation: EstimationOptions;
  /** the ANALYSIS options as the user gave them (non-mixture specification lines print Mplus defaults for the rest) */
  estimationInput?: EstimationOptionsInput;
  output: OutputRequests;
  plusmixVersion: string;
  timestamps: { begin: Date; end: Date } | null;
  auxiliary?: string[];
  savedata?: SaveDataInfo;
}

export function assembleOutInput(x: AssembleInput): OutInput {
  const { ir, ds, result } = x;
  const categorical = ir.observed.some((o) => o.role === 'dependent' && o.scale === 'categorical');
  // Mplus's EM / numerical-integration framework: mixtures, random effects needing integration, ML with
  // categorical outcomes (ex3.5, ex5.13); its quasi-Newton default is then 100 iterations
  const emFramework = ir.mixture || !!result.integration || categorical;
  const specs: SpecLine[] = emFramework
    ? mixtureSpecs(ir.mixture ? x.estimation : { ...x.estimation, qnIterations: x.estimationInput?.qnIterations ?? 100 }, {
        integrationDimensions: result.integration?.dimensions ?? (ir.mixture ? null : 0),
        categorical,
      })
    : generalSpecs(x.estimationInput ?? {}, {
        estimator: result.estimator,
        twoLevel: ir.twoLevel,
        missingData: ds.summary.patterns.length > 1,
        integration: result.integration ?? null,
      });
  const summary = analysisSummary(ir, {
    observations: ds.nRows,
    specs,
    inputFiles: [basename(ds.file)],
    cluster: ds.cluster?.variable,
    auxiliary: x.auxiliary,
  });
  const mixtureCategorical = ir.mixture && categorical;
  return {
    inputText: x.inputText,
    title: titleLines(x.inputText),
    ir,
    summary,
    dataSummary: dataSummaryOut(summarizeData(ds), { mixture: ir.mixture, missingPatterns: ds.summary.patterns.length > 1 }),
    result,
    // TYPE = THREELEVEL: layout.ts and svalues.ts know two levels only; nothing is printed rather than a partial table
    tech1: x.output.tech1 && !ir.threeLevel ? tech1FromLayout(layout(ir), result.start) : undefined,
    ...(x.output.tech10 && mixtureCategorical ? tech10Out(ir, ds, result) : {}),
    ...transitionsOut(result),
    probabilityScale: mixtureCategorical ? probabilityScale(result) : undefined,
    oddsRatios: mixtureCategorical ? indicatorOddsRatios(result) : undefined,
    savedata: x.savedata,
    narrowOn: !ir.mixture && !ir.twoLevel && !categorical && !ir.latent.some((l) => l.kind === 'randomSlope'),
    options: { plusmixVersion: x.plusmixVersion, timestamps: x.timestamps, tech1: x.output.tech1, tech8: x.output.tech8, tech10: !!x.output.tech10, tech11: !!x.output.tech11, tech14: !!x.output.tech14 },
    ...(x.output.standardized?.length ? standardizedOut(ir, ds, result, x.output.standardized) : {}),
    ...(x.output.cinterval ? { cinterval: true } : {}),
    ...(x.output.svalues && !ir.threeLevel ? { svalues: svaluesLines(ir, result) } : {}),
  };
}

/** LATENT TRANSITION PROBABILITIES for models with a class variable regressed on another (`c2 ON c1`) */
function transitionsOut(result: EstimationResult): { transitions?: TransitionTable[] } {
  if ((result.classVariables?.length ?? 0) < 2 || !result.terminatedNormally) return {};
  const t = latentTransitions(result.parameters, result.classVariables, result.classCounts);
  return t.length ? { transitions: t } : {};
}

/** TECH10 when the model is within src/results/tech10.ts's scope (nothing is printed otherwise) */
function tech10Out(ir: ModelIR, ds: Dataset, result: EstimationResult): { tech10?: OutInput['tech10'] } {
  const t = tech10(ir, ds, result);
  return t ? { tech10: t } : {};
}

/**
 * The standardized tables of OUTPUT: STANDARDIZED, or nothing when the model is outside standardize.ts.
 * Covariate moments: WITHIN (and single-level) covariates over all rows, BETWEEN covariates over the
 * clusters (one value per cluster).
 */
export function standardizedOut(ir: ModelIR, ds: Dataset, result: EstimationResult, kinds: Array<'stdyx' | 'stdy' | 'std'>): { standardized?: StandardizedOut } {
  if (ir.randomSlopes.length || ir.observed.some((o) => o.role === 'dependent' && o.scale !== 'continuous')) return {};
  const latent = new Set(ir.latent.filter((l) => l.kind === 'factor' || l.kind === 'growth').map((l) => l.name.toUpperCase()));
  const cov = ir.observed.filter((o) => o.role === 'covariate');
  const column = (o: (typeof cov)[number]) => ({ name: o.name, values: ds.columns[o.column].values });
  const within = sampleCovariance(cov.filter((o) => o.level !== 'between').map(column));
  let between: ReturnType<typeof sampleCovariance> | undefined;
  if (ir.twoLevel && ds.cluster) {
    const c = ds.cluster;
    const first = (v: Float64Array) => Float64Array.from({ length: c.start.length - 1 }, (_, j) => v[c.order[c.start[j]]]);
    between = sampleCovariance(cov.filter((o) => o.level === 'between').map((o) => ({ name: o.name, values: first(ds.columns[o.column].values) })));
  }
  const results = standardize(result, { latent, covariates: within, ...(between ? { betweenCovariates: between } : {}) });
  return results ? { standardized: { kinds, results } } : {};
}
