// Builders that turn pipeline objects (ModelIR, Dataset summaries, estimation options, the TECH1
// layout of src/model) into the plain writer input of types.ts. Kept apart from the writer so that
// the writer can equally print what mplusReader.ts read from a real Mplus file.

import type { DataSummaryReport } from '../data/summary.js';
import type { EstimationOptions, EstimationOptionsInput } from '../estimate/options.js';
import type { ModelIR } from '../model/ir.js';
import type { LSection } from '../model/layout.js';
import { fmtD } from './format.js';
import type { AnalysisSummary, DataSummaryOut, SpecLine, Tech1Output, VariableList } from './types.js';

const D = (x: number) => fmtD(x, 3);

/**
 * SUMMARY OF ANALYSIS specification lines of an EM (mixture) run, from `Estimator` on. Verified
 * against Mplus 8.8 for TYPE = TWOLEVEL MIXTURE with integration (ex10.4) and TYPE = MIXTURE with
 * binary indicators and random starts (ex7.3). Runs without mixture that Mplus estimates in the same
 * framework print the same block: TYPE = RANDOM (ex5.13, Mplus 8.11) and ML with categorical outcomes
 * (ex3.5: an integration block with 0 dimensions, then Link before Cholesky). The place of the Random
 * Starts block in a run with integration (after Integration Specifications) is inferred.
 */
export function mixtureSpecs(
  o: EstimationOptions,
  ctx: { informationMatrix?: string; integrationDimensions: number | null; categorical: boolean },
): SpecLine[] {
  const s: SpecLine[] = [];
  const v = (indent: number, label: string, value: string | number) => s.push({ indent, label, value: String(value) });
  const h = (indent: number, label: string) => s.push({ indent, label });
  v(0, 'Estimator', o.estimator);
  v(0, 'Information matrix', ctx.informationMatrix ?? 'OBSERVED');
  h(0, 'Optimization Specifications for the Quasi-Newton Algorithm for');
  h(0, 'Continuous Outcomes');
  v(2, 'Maximum number of iterations', o.qnIterations);
  v(2, 'Convergence criterion', D(o.qnConvergence));
  h(0, 'Optimization Specifications for the EM Algorithm');
  v(2, 'Maximum number of iterations', o.mIterations);
  h(2, 'Convergence criteria');
  v(4, 'Loglikelihood change', D(o.logCriterion));
  v(4, 'Relative loglikelihood change', D(o.rlogCriterion));
  v(4, 'Derivative', D(o.mConvergence));
  h(0, 'Optimization Specifications for the M step of the EM Algorithm for');
  h(0, 'Categorical Latent variables');
  v(2, 'Number of M step iterations', 1);
  v(2, 'M step convergence criterion', D(o.mConvergence));
  v(2, 'Basis for M step termination', 'ITERATION');
  h(0, 'Optimization Specifications for the M step of the EM Algorithm for');
  h(0, 'Censored, Binary or Ordered Categorical (Ordinal), Unordered');
  h(0, 'Categorical (Nominal) and Count Outcomes');
  v(2, 'Number of M step iterations', 1);
  v(2, 'M step convergence criterion', D(o.mConvergence));
  v(2, 'Basis for M step termination', 'ITERATION');
  v(2, 'Maximum value for logit thresholds', o.logitBound);
  v(2, 'Minimum value for logit thresholds', -o.logitBound);
  v(2, 'Minimum expected cell size for chi-square', D(0.01));
  v(0, 'Optimization algorithm', o.algorithm);
  if (ctx.integrationDimensions !== null) {
    h(0, 'Integration Specifications');
    v(2, 'Type', o.integration.type);
    v(2, 'Number of integration points', o.integration.points);
    v(2, 'Dimensions of numerical integration', ctx.integrationDimensions);
    v(2, 'Adaptive quadrature', o.integration.adaptive ? 'ON' : 'OFF');
  }
  if (o.starts[0] > 0) {
    h(0, 'Random Starts Specifications');
    v(2, 'Number of initial stage random starts', o.starts[0]);
    v(2, 'Number of final stage optimizations', o.starts[1]);
    v(2, 'Number of initial stage iterations', o.stIterations);
    v(2, 'Initial stage convergence criterion', D(o.stConvergence));
    v(2, 'Random starts scale', D(o.stScale));
    v(2, 'Random seed for generating random starts', o.stSeed);
  }
  if (ctx.categorical) v(0, 'Link', o.link.toUpperCase());
  if (ctx.integrationDimensions !== null) v(0, 'Cholesky', 'OFF');
  return s;
}

/**
 * SUMMARY OF ANALYSIS specification lines of a run without mixture, from `Estimator` on. Like Mplus,
 * they state the specification: the user's ANALYSIS options, else Mplus's defaults for the analysis
 * type (which are not always the internal criteria of plusmix's own optimizers). Layouts verified
 * against real Mplus outputs (test/output/reference/): TYPE = GENERAL regression with ML (ex3.1,
 * Mplus 8.9) and TYPE = TWOLEVEL RANDOM with MLR (ex9.2c, Mplus 8.7; ML prints the same lines).
 * [inferred] the H1 lines of single-level runs with missing data, and the integration block of
 * two-level runs that need numerical integration (placed as in mixtureSpecs).
 */
export function generalSpecs(
  o: EstimationOptionsInput,
  ctx: { estimator: string; twoLevel: boolean; missingData: boolean; integration: { type: string; points: number; dimensions: number; adaptive: boolean } | null },
): SpecLine[] {
  const s: SpecLine[] = [];
  const v = (indent: number, label: string, value: string | number) => s.push({ indent, label, value: String(value) });
  v(0, 'Estimator', ctx.estimator);
  v(0, 'Information matrix', 'OBSERVED');
  if (!ctx.twoLevel) {
    v(0, 'Maximum number of iterations', o.qnIterations ?? 1000);
    v(0, 'Convergence criterion', D(o.qnConvergence ?? 0.00005));
    v(0, 'Maximum number of steepest descent iterations', 20);
    if (ctx.missingData) {
      v(0, 'Maximum number of iterations for H1', 2000);
      v(0, 'Convergence criterion for H1', D(0.0001));
    }
    return s;
  }
  v(0, 'Maximum number of iterations', o.qnIterations ?? 100);
  v(0, 'Convergence criterion', D(o.qnConvergence ?? 1e-6));
  v(0, 'Maximum number of EM iterations', o.mIterations ?? 500);
  s.push({ indent: 0, label: 'Convergence criteria for the EM algorithm' });
  v(2, 'Loglikelihood change', D(o.logCriterion ?? 1e-3));
  v(2, 'Relative loglikelihood change', D(o.rlogCriterion ?? 1e-6));
  v(2, 'Derivative', D(o.mConvergence ?? 1e-4));
  v(0, 'Minimum variance', D(o.minVariance ?? 1e-4));
  v(0, 'Maximum number of steepest descent iterations', 20);
  v(0, 'Maximum number of iterations for H1', 2000);
  v(0, 'Convergence criterion for H1', D(0.0001));
  v(0, 'Optimization algorithm', o.algorithm ?? 'EMA');
  if (ctx.integration) {
    s.push({ indent: 0, label: 'Integration Specifications' });
    v(2, 'Type', ctx.integration.type);
    v(2, 'Number of integration points', ctx.integration.points);
    v(2, 'Dimensions of numerical integration', ctx.integration.dimensions);
    v(2, 'Adaptive quadrature', ctx.integration.adaptive ? 'ON' : 'OFF');
    v(0, 'Cholesky', 'OFF');
  }
  return s;
}

/** counts and variable lists of SUMMARY OF ANALYSIS from the model IR */
export function analysisSummary(
  ir: ModelIR,
  x: { observations: number; specs: SpecLine[]; inputFiles: string[]; inputFormat?: string; cluster?: string; auxiliary?: string[] },
): AnalysisSummary {
  const dep = ir.observed.filter((o) => o.role === 'dependent');
  const cov = ir.observed.filter((o) => o.role === 'covariate');
  const latent = ir.latent.filter((l) => l.kind === 'factor' || l.kind === 'randomSlope' || l.kind === 'growth');
  const lists: VariableList[] = [];
  const cont = dep.filter((o) => o.scale === 'continuous').map((o) => o.name);
  const cat = dep.filter((o) => o.scale === 'categorical').map((o) => o.name);
  const groups: VariableList['groups'] = [];
  if (cont.length) groups.push({ subtitle: 'Continuous', names: cont });
  if (cat.length) groups.push({ subtitle: 'Binary and ordered categorical (ordinal)', names: cat });
  if (groups.length) lists.push({ title: 'Observed dependent variables', groups });
  if (cov.length) lists.push({ title: 'Observed independent variables', groups: [{ names: cov.map((o) => o.name) }] });
  if (x.auxiliary?.length) lists.push({ title: 'Observed auxiliary variables', groups: [{ names: x.auxiliary }] });
  if (latent.length) lists.push({ title: 'Continuous latent variables', groups: [{ names: latent.map((l) => l.name) }] });
  if (ir.classVariables.length) lists.push({ title: 'Categorical latent variables', groups: [{ names: ir.classVariables.map((c) => c.name) }] });
  const special: string[] = [];
  if (x.cluster) special.push(`  Cluster variable      ${x.cluster.toUpperCase()}`);
  // WITHIN= / BETWEEN= variables (Between layout verified on ex9.2c; Within in the same form [inferred])
  const within = ir.observed.filter((o) => o.level === 'within' && ir.twoLevel).map((o) => o.name);
  const between = ir.observed.filter((o) => o.level === 'between').map((o) => o.name);
  // each list ends with a blank line, so two blank lines precede `Estimator` (ex9.2c, Mplus 8.7)
  const levelLists = ir.threeLevel ? threeLevelVariableLists(ir) : ([['Within', within], ['Between', between]] as const);
  for (const [title, names] of levelLists) {
    if (!names.length) continue;
    if (special.length && special[special.length - 1] !== '') special.push('');
    special.push(`  ${title} variables`, ...rows6(names), '');
  }
  return {
    groups: 1,
    observations: x.observations,
    dependent: dep.length,
    independent: cov.length,
    continuousLatent: latent.length,
    categoricalLatent: ir.classVariables.length,
    variableLists: lists,
    specialFunctions: special,
    specs: x.specs,
    inputFiles: x.inputFiles,
    inputFormat: x.inputFormat ?? 'FREE',
  };
}

/** TYPE = THREELEVEL: 'Within', 'Level 2 between' and 'Level 3 between' variables (layout of Mplus's UG mcex9.20 output). */
function threeLevelVariableLists(ir: ModelIR): Array<readonly [string, string[]]> {
  const at = (f: (o: ModelIR['observed'][number]) => boolean) => ir.observed.filter(f).map((o) => o.name);
  return [
    ['Within', at((o) => o.level === 'within')],
    ['Level 2 between', at((o) => o.level === 'between' && o.betweenLevel !== 'LEVEL3')],
    ['Level 3 between', at((o) => o.level === 'between' && o.betweenLevel === 'LEVEL3')],
  ];
}

function rows6(names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i += 6) out.push('   ' + names.slice(i, i + 6).map((n) => n.padEnd(12)).join('').trimEnd());
  return out;
}

/**
 * SUMMARY OF DATA and sample statistics from src/data's report. Mixture runs (ex10.4) print only the
 * number of clusters; plain two-level runs add the average cluster size and the ICCs.
 */
export function dataSummaryOut(r: DataSummaryReport, o: { mixture: boolean; missingPatterns: boolean }): DataSummaryOut {
  const d: DataSummaryOut = {};
  if (o.missingPatterns) d.missingPatterns = r.patterns.length;
  if (r.clusters) {
    d.clusters = r.clusters.nClusters;
    if (!o.mixture) {
      d.averageClusterSize = r.clusters.averageSize;
      if (r.icc?.length) d.icc = r.icc.map((c) => ({ name: c.name.toUpperCase(), value: c.icc }));
    }
  }
  if (r.univariate.length) {
    d.univariate = r.univariate.map((u) => ({
      name: u.name.toUpperCase(),
      n: u.n,
      mean: u.mean,
      variance: u.variance,
      skewness: u.skewness,
      kurtosis: u.kurtosis,
      min: u.min,
      max: u.max,
      pctMin: u.pctAtMin,
      pctMax: u.pctAtMax,
      p20: u.p20,
      p40: u.p40,
      median: u.median,
      p60: u.p60,
      p80: u.p80,
    }));
  }
  if (r.categorical.length) {
    d.proportions = r.categorical.map((c) => ({
      name: c.name.toUpperCase(),
      categories: c.counts.map((count, k) => ({ label: String(k + 1), proportion: c.proportions[k], count })),
    }));
  }
  return d;
}

/**
 * TECH1 from src/model's layout: PARAMETER SPECIFICATION sections (parameter numbers, 0 = fixed), then
 * STARTING VALUES sections (the start vector for free parameters, the fixed value otherwise).
 * Symmetric matrices print their lower triangle.
 */
export function tech1FromLayout(sections: LSection[], start?: Float64Array): Tech1Output {
  const out: Tech1Output = { sections: [] };
  for (const kind of ['specification', 'start'] as const) {
    for (const s of sections) {
      out.sections.push({
        title: (kind === 'specification' ? 'PARAMETER SPECIFICATION' : 'STARTING VALUES') + s.title,
        kind,
        matrices: s.matrices.map((m) => ({
          name: m.name,
          colLabels: m.colLabels,
          rowLabels: m.rowLabels,
          values: m.cells.map((row, i) =>
            (m.symmetric ? row.slice(0, i + 1) : row).map((c) =>
              kind === 'specification' ? (c.row?.par ?? 0) : c.row && c.row.par > 0 && start ? start[c.row.par - 1] : c.value,
            ),
          ),
        })),
      });
    }
  }
  return out;
}
