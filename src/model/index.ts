// src/model entry points: build the ModelIR (parameter table with Mplus
// defaults, TECH1 numbers and starting values), list the covariates the data
// stage must condition on, and check a model for `plusmix check`.

import type { InputFile } from '../syntax/ast.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { PlusmixError } from '../syntax/diagnostics.js';
import type { DataColumn, Dataset } from '../data/dataset.js';
import type { ModelIR } from './ir.js';
import { buildIR } from './build.js';
import { buildThreeLevelIR, isThreeLevel, levelSectionErrors } from './threelevel.js';

export type { Tech1Section, Tech1Matrix } from './tech1.js';
export { tech1 } from './tech1.js';

/** What buildModel needs to know of the analysis variables: order (USEVARIABLES), scale, categories, level. */
export interface ModelVariables {
  columns: Array<Pick<DataColumn, 'name' | 'display' | 'scale' | 'level'> & Partial<Pick<DataColumn, 'categories' | 'values' | 'betweenLevel'>>>;
}

function asColumns(vars: ModelVariables): DataColumn[] {
  return vars.columns.map((c) => ({ ...c, name: c.name.toUpperCase(), values: c.values ?? new Float64Array(0) }));
}

/**
 * Lower MODEL statements plus every Mplus default to the parameter table.
 * `data` (or `vars.columns[*].values`) supplies the sample moments used for starting values.
 * Throws PlusmixError carrying every error found; warnings and notes come back in `diagnostics`.
 */
export function buildModel(ast: InputFile, vars: ModelVariables, data?: Dataset): { ir: ModelIR; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let ir: ModelIR;
  try {
    if (isThreeLevel(ast)) ir = buildThreeLevelIR(ast, asColumns(vars), diagnostics, data);
    else {
      levelSectionErrors(ast, diagnostics);
      if (data?.clusterTop)
        diagnostics.push({ severity: 'error', code: 'E_TWO_CLUSTER_VARIABLES', command: 'VARIABLE', message: 'CLUSTER with two variables needs TYPE = THREELEVEL (TYPE = COMPLEX TWOLEVEL is not supported).', location: { kind: 'file', file: ast.path } });
      ir = buildIR(ast, asColumns(vars), diagnostics, data);
    }
  } catch (e) {
    if (e instanceof PlusmixError) throw new PlusmixError([...diagnostics.filter((d) => d.severity === 'error'), ...e.diagnostics]);
    throw e;
  }
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new PlusmixError(errors);
  return { ir, diagnostics };
}

/**
 * Model problems for `plusmix check`: unknown variables, class sections beyond the number of classes,
 * WITHIN/BETWEEN variables on the wrong level, random slopes without TYPE = RANDOM, ... (all with spans).
 */
export function checkModel(ast: InputFile, vars: ModelVariables): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  try {
    if (isThreeLevel(ast)) buildThreeLevelIR(ast, asColumns(vars), diagnostics);
    else {
      levelSectionErrors(ast, diagnostics);
      buildIR(ast, asColumns(vars), diagnostics);
    }
  } catch (e) {
    if (e instanceof PlusmixError) diagnostics.push(...e.diagnostics);
    else throw e;
  }
  return diagnostics;
}

/** Observed variables the model conditions on (only on the right of ON): rows missing on them are dropped. */
export function covariateNames(ir: ModelIR): string[] {
  return ir.observed.filter((o) => o.role === 'covariate').map((o) => o.name);
}

/**
 * Between-level random effects whose variance is free or fixed at a non-zero value, in latent-variable
 * order: the dimensions of numerical integration Mplus reports when the model needs integration
 * (ex10.4.out: 2 = FB and C#1; UG ex10.1: y and c#1; seed paper model B3: math, s1, f).
 */
export function integrationDimensions(ir: ModelIR): string[] {
  if (!ir.twoLevel) return [];
  return ir.latent
    .filter((l) => l.level === 'between' && l.kind !== 'growth')
    .filter((l) => ir.rows.some((r) => r.level === 'between' && r.lhs === l.name && (r.kind === 'variance' || r.kind === 'residualVariance') && (r.par > 0 || r.value !== 0)))
    .map((l) => l.name);
}
