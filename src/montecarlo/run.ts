// One Monte Carlo study: the input read once (MONTECARLO spec, population IR, generator), then replications
// fitted one at a time. A replication depends only on (input, replication number), so any split of the
// replications over workers or shards gives the same records.

import type { InputFile, ModelCommand } from '../syntax/ast.js';
import { PlusmixError } from '../syntax/diagnostics.js';
import type { DataColumn, Dataset } from '../data/dataset.js';
import { buildClusterIndex } from '../data/index.js';
import { buildModel } from '../model/index.js';
import type { ModelIR, ParamRow } from '../model/ir.js';
import { estimate, type EstimationOptionsInput } from '../estimate/index.js';
import { estimateTwoLevel } from '../estimate/twolevel/index.js';
import type { EstimationResult } from '../results/types.js';
import { readMonteCarlo, type MonteCarloSpec } from './spec.js';
import { buildPopulation } from './population.js';
import { Generator, type GeneratedData } from './generate.js';
import type { ParamInfo, RepRecord } from './types.js';

export interface Study {
  ast: InputFile;
  spec: MonteCarloSpec;
  population: ModelIR;
  generator: Generator;
  estimation: EstimationOptionsInput;
}

/**
 * Read the study. `estimation` are the ANALYSIS options (src/cli maps them); unless the user set STARTS,
 * replications start from the population values only (STARTS = 0), as Mplus does in Monte Carlo runs.
 */
export function prepareStudy(ast: InputFile, estimation: EstimationOptionsInput): Study {
  const spec = readMonteCarlo(ast);
  const { ir } = buildPopulation(ast, spec);
  const hasStarts = ast.commands.some((c) => c.kind === 'Options' && c.name === 'ANALYSIS' && c.options.some((o) => o.name === 'STARTS'));
  return { ast, spec, population: ir, generator: new Generator(ir, spec), estimation: hasStarts ? estimation : { ...estimation, starts: [0, 0] } };
}

/** The analysis AST: MODEL as written, or MODEL POPULATION when there is no MODEL (Mplus). */
function analysisAst(ast: InputFile): InputFile {
  const hasModel = ast.commands.some((c) => c.kind === 'Model' && c.variant === 'MODEL');
  if (hasModel) return ast;
  return { ...ast, commands: ast.commands.map((c) => (c.kind === 'Model' && c.variant === 'MODEL POPULATION' ? ({ ...c, variant: 'MODEL' } satisfies ModelCommand) : c)) };
}

/** Generated data as the Dataset the estimators read (analysis scale from CATEGORICAL, levels from WITHIN / BETWEEN). */
export function toDataset(spec: MonteCarloSpec, data: GeneratedData, rep: number): Dataset {
  const n = spec.nobs;
  const columns: DataColumn[] = spec.names.map((name, c) => {
    const level = !spec.clusterSizes ? 'within' : spec.within.has(name) ? 'within' : spec.between.has(name) ? 'between' : 'both';
    let values = data.columns[c];
    if (!spec.categorical.has(name)) return { name, display: spec.display[c], values, scale: 'continuous', level };
    // categories present recoded to 0..C-1 (data stage rule, syntax.md §4.2)
    const categories = [...new Set(values)].sort((a, b) => a - b);
    const code = new Map(categories.map((v, i) => [v, i]));
    values = values.map((v) => code.get(v)!);
    return { name, display: spec.display[c], values, scale: 'categorical', categories, level };
  });
  return {
    file: `replication ${rep}`,
    nRows: n,
    columns,
    extra: [],
    ...(data.cluster ? { cluster: buildClusterIndex('CLUSTER', data.cluster) } : {}),
    summary: {
      nRead: n,
      nUsed: n,
      nDroppedMissingCovariates: 0,
      nDroppedAllMissing: 0,
      nDroppedUseObservations: 0,
      nDroppedKnownClass: 0,
      patterns: [{ observed: columns.map(() => true), count: n }],
    },
  };
}

const kindKey = (k: ParamRow['kind']) => (k === 'residualVariance' ? 'variance' : k === 'intercept' ? 'mean' : k);
const baseKey = (r: ParamRow) => `${r.level}|${kindKey(r.kind)}|${r.lhs}|${r.rhs}|${r.index ?? ''}|${r.rhsIndex ?? ''}`;
const rowKey = (r: ParamRow) => `${baseKey(r)}|${Object.entries(r.classes).sort().map(([k, v]) => `${k}=${v}`).join(',')}`;

/**
 * Population (coverage) value of each free parameter of the analysis IR: the value given in MODEL, else the
 * MODEL POPULATION value of the same parameter (same level, kind, variables and classes; a class-invariant
 * population value also serves an analysis model with other classes), else 0 (a parameter the population
 * does not have). Also makes it the starting value (Mplus: population values start the runs).
 */
function applyPopulation(ir: ModelIR, population: ModelIR): Map<number, number> {
  const pop = new Map<string, number>();
  // class-invariant population values also match analysis rows of other (or no) classes
  const invariant = new Map<string, number | null>();
  for (const r of population.rows) {
    if (Number.isNaN(r.value)) continue;
    pop.set(rowKey(r), r.value);
    const b = baseKey(r);
    invariant.set(b, invariant.has(b) && invariant.get(b) !== r.value ? null : r.value);
  }
  for (const r of ir.rows) if (!pop.has(rowKey(r)) && invariant.get(baseKey(r)) != null) pop.set(rowKey(r), invariant.get(baseKey(r))!);
  const values = new Map<number, number>();
  for (const r of ir.rows) {
    if (r.par <= 0) continue;
    if (!values.has(r.par)) values.set(r.par, r.userValue ? r.value : (pop.get(rowKey(r)) ?? 0));
    const p = pop.get(rowKey(r));
    if (!r.userValue && p !== undefined) {
      r.value = p;
      r.userValue = true;
    }
  }
  return values;
}

function fit(ir: ModelIR, ds: Dataset, estimation: EstimationOptionsInput): EstimationResult {
  if (ir.twoLevel && !ir.mixture) {
    // as the single-data-set pipeline: the exact likelihood where the model allows it
    try {
      return estimateTwoLevel(ir, ds, { estimator: estimation.estimator ?? 'MLR' });
    } catch (e) {
      if (!(e instanceof PlusmixError) || !e.diagnostics.every((d) => d.code === 'E_TWOLEVEL_UNSUPPORTED')) throw e;
    }
  }
  return estimate(ir, ds, estimation);
}

/** Printed identity of a parameter (one row of MODEL RESULTS). */
export const paramKey = (p: Pick<ParamInfo, 'level' | 'classLabel' | 'categoricalLatent' | 'block' | 'name'>) =>
  `${p.level ?? ''}|${p.categoricalLatent ? 'CL' : (p.classLabel ?? '')}|${p.block}|${p.name}`;

/** Generate and fit replication `rep` (1-based). */
export function runReplication(study: Study, rep: number, keep?: (data: GeneratedData) => void): RepRecord {
  const data = study.generator.generate(rep);
  keep?.(data);
  const ds = toDataset(study.spec, data, rep);
  const { ir } = buildModel(analysisAst(study.ast), { columns: ds.columns }, ds);
  const popValues = applyPopulation(ir, study.population);
  let result: EstimationResult;
  try {
    result = fit(ir, ds, study.estimation);
  } catch (e) {
    if (!(e instanceof PlusmixError)) throw e;
    return { rep, ok: false, message: e.diagnostics.map((d) => d.message).join(' '), params: [], est: [], se: [], fit: null };
  }
  // one row per printed parameter (class-logit random-intercept variances come once per class: keep the first)
  const seen = new Set<string>();
  const free = result.parameters.filter((p) => {
    const k = paramKey(p);
    if (p.par <= 0 || p.fixed || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const ok = result.terminatedNormally && !!result.fit && free.every((p) => Number.isFinite(p.estimate));
  return {
    rep,
    ok,
    ...(ok ? {} : { message: result.warnings.map((w) => w.lines.join(' ')).join(' ') || 'the estimation did not terminate normally' }),
    params: free.map((p) => ({ level: p.level, classLabel: p.classLabel, categoricalLatent: p.categoricalLatent, block: p.block, name: p.name, par: p.par, population: popValues.get(p.par) ?? 0 })),
    est: free.map((p) => p.estimate),
    se: free.map((p) => p.se),
    fit: result.fit ? { loglikelihood: result.fit.loglikelihood, parameters: result.fit.parameters, aic: result.fit.aic, bic: result.fit.bic, abic: result.fit.abic } : null,
  };
}
