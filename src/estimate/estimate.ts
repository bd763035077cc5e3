// Entry point of the estimation stage: estimate(ir, dataset, options) -> EstimationResult.
//
// Flow: compile the IR rows into slots (compile.ts) -> default / user start values (starts.ts) ->
// random starts (initial stage of STITERATIONS EM iterations for n1 perturbed sets, final stage for
// the n2 best, estimation.md §4.2) or a single run (STARTS = 0, OPTSEED) -> standard errors (se.ts)
// -> fit and classification statistics (fit.ts). Failures become Mplus warnings, never NaN
// estimates or exceptions (PlusmixError is thrown only for models the engine cannot represent).

import type { ModelIR, ParamRow } from '../model/ir.js';
import type { Dataset } from '../data/dataset.js';
import type { EstimationResult, ParameterEstimate, RandomStartRow, StartIterations, Warning } from '../results/types.js';
import { compileModel, patternsMatching, setTheta } from './compile.js';
import type { IntegrationState } from './integrate.js';
import { parallelGradientPairs, runParallel } from './parallel.js';
import type { CompiledModel } from './compile.js';
import { makeWorkspace } from './likelihood.js';
import { planEM } from './em.js';
import type { EMPlan } from './em.js';
import { defaultStarts, perturb, perturbationScales, startSeeds } from './starts.js';
import { evalLL, makeObjective, optimize } from './optimize.js';
import { eapIntegrated, makeIntegration, placeProposals, posteriorIntegrated } from './integrate.js';
import type { Objective, RunLimits, RunResult } from './optimize.js';
import { resolveOptions } from './options.js';
import type { EstimationOptions, EstimationOptionsInput, ProgressEvent } from './options.js';
import { standardErrors } from './se.js';
import { classCounts, fitStatistics } from './fit.js';

/** Best-loglikelihood replication tolerance ([ours]: Mplus prints 3 decimals). */
const REPLICATION_TOL = 1e-3;
/** Coarse-to-fine integration (optimize.ts, [ours]): adaptive rules with more nodes than this are
 *  preceded by adaptive Gauss-Hermite with COARSE_POINTS points per dimension. */
const COARSE_MIN_NODES = 100;
const COARSE_POINTS = 5;
/** onProgress is called at most once per this many milliseconds (plus at the end of every run). */
const PROGRESS_MS = 250;

/** Everything one optimization needs; built once per thread (estimate, and each worker of parallel.ts). */
export interface Engine {
  m: CompiledModel;
  ws: ReturnType<typeof makeWorkspace>;
  opts: EstimationOptions;
  intg: IntegrationState | null;
  obj: Objective;
  plan: EMPlan;
  start: Float64Array;
  post: Float64Array;
  full: RunLimits;
}

export function makeEngine(ir: ModelIR, ds: Dataset, input: EstimationOptionsInput): Engine {
  const m = compileModel(ir, ds);
  const opts = resolveOptions(input, { mixture: ir.mixture, integration: m.D > 0 });
  const ws = makeWorkspace(m, opts.link);
  // a between-level class variable needs the cluster-level likelihood even without random effects (one node)
  const intg = m.D > 0 || m.Kb > 1 ? makeIntegration(m, opts.integration.type, opts.integration.points, opts.integration.adaptive) : null;
  const obj = makeObjective(m, ws, opts.link, intg);
  if (intg && intg.adaptive && intg.nq > COARSE_MIN_NODES) {
    // the coarse exploration freezes its nodes in the prior-standardized metric (integrate.ts, metric)
    obj.coarse = makeIntegration(m, 'GAUSSHERMITE', COARSE_POINTS, true);
    obj.coarse.metric = 'z';
  }
  // EM with numerical integration inside the E step is not implemented yet: quasi-Newton only
  const plan: EMPlan = intg ? { cont: [], cat: [], logit: null, any: false } : planEM(m, opts.link);
  const start = defaultStarts(m, opts.link, ir.mixture);
  const post = new Float64Array(m.n * m.K);
  const full: RunLimits = { emIterations: opts.mIterations, qnIterations: opts.qnIterations, derivative: opts.mConvergence, qnDerivative: opts.qnConvergence, logCriterion: opts.logCriterion, rlogCriterion: opts.rlogCriterion };
  return { m, ws, opts, intg, obj, plan, start, post, full };
}

/** One optimization of a batch: from theta0 with the given limits. */
export interface RunTask {
  theta0: Float64Array;
  lim: RunLimits;
}

/**
 * Runs a batch of independent optimizations (random starts of one stage) and returns their results
 * in task order; `onStart(t)` is told when task t begins (serial) for progress reports. Every run
 * starts from scratch (optimize resets the BFGS matrix and the integration nodes), so the results do
 * not depend on how the batch is split over threads.
 */
export type BatchRunner = (tasks: RunTask[], stage: 'initial' | 'final') => RunResult[];

export function estimate(ir: ModelIR, ds: Dataset, input: EstimationOptionsInput = {}): EstimationResult {
  const eng = makeEngine(ir, ds, input);
  const { m, ws, opts, intg, obj, plan, start, post, full } = eng;
  const progress = progressReporter(obj, opts.onProgress);
  const processors = Math.max(1, Math.floor(opts.processors));
  const serial: BatchRunner = (tasks, stage) => tasks.map((t, i) => {
    progress.stage({ stage, start: i + 1, of: tasks.length });
    return optimize(obj, plan, t.theta0, opts, t.lim, post);
  });
  const runBatch: BatchRunner = (tasks, stage) => processors > 1 && tasks.length > 1
    ? runParallel(ir, ds, input, tasks, processors, (e) => progress.report({ ...e, stage, of: tasks.length }))
    : serial(tasks, stage);
  const warnings: Warning[] = [];

  let best: RunResult;
  let randomStarts: EstimationResult['randomStarts'] = null;
  let startIterations: StartIterations[] | undefined;
  const [n1, n2] = opts.starts;
  if (opts.optSeed !== null) {
    progress.stage({ stage: 'single' });
    best = optimize(obj, plan, perturb(start, perturbationScales(m), opts.stScale, opts.optSeed), opts, full, post);
  } else if (!ir.mixture || n1 === 0 || m.K === 1) {
    progress.stage({ stage: 'single' });
    best = optimize(obj, plan, start, opts, full, post);
  } else {
    const r = randomStartRuns(m, plan, start, opts, full, n1, Math.max(1, Math.min(n2, n1)), runBatch);
    best = r.best;
    randomStarts = r.table;
    startIterations = r.startIterations;
    if (!r.table.replicated)
      warnings.push({ code: 'W_NOT_REPLICATED', lines: [
        'THE BEST LOGLIKELIHOOD VALUE WAS NOT REPLICATED.  THE SOLUTION MAY NOT BE TRUSTWORTHY DUE TO LOCAL',
        'MAXIMA.  INCREASE THE NUMBER OF RANDOM STARTS.',
      ] });
  }

  const theta = best.theta;
  // with numerical integration the nodes of this thread's integration state were placed for whatever it
  // optimized last (another start, or nothing when the starts ran in worker threads): place them at the
  // solution before the loglikelihood, standard errors, posteriors and factor scores are computed there
  if (intg && Number.isFinite(best.ll)) {
    obj.intg = intg;
    setTheta(m, theta);
    placeProposals(m, ws, intg);
  }
  const ll = Number.isFinite(best.ll) ? evalLL(obj, theta, post) : -Infinity;
  const ok = Number.isFinite(ll) && best.converged;
  if (!ok) {
    warnings.push({ code: 'W_NOT_CONVERGED', lines: [
      'THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY DUE TO AN ERROR IN THE',
      'COMPUTATION.  CHANGE YOUR MODEL AND/OR STARTING VALUES.',
    ] });
  }
  if (best.atBound.length)
    warnings.push({ code: 'W_LOGIT_BOUND', lines: [
      `IN THE OPTIMIZATION, ONE OR MORE LOGIT THRESHOLDS APPROACHED EXTREME VALUES OF -${opts.logitBound.toFixed(3)} AND ${opts.logitBound.toFixed(3)} AND WERE FIXED TO STABILIZE MODEL ESTIMATION.  THESE VALUES IMPLY PROBABILITIES OF 0 AND 1.  IN THE MODEL RESULTS SECTION, THESE PARAMETERS HAVE 0 STANDARD ERRORS AND 999 IN THE Z-SCORE AND P-VALUE COLUMNS.`,
    ] });

  let se: Float64Array = new Float64Array(m.nFree).fill(NaN);
  let covariance: Float64Array | null = null;
  let conditionNumber: number | null = null;
  let scaling: number | null = null;
  if (ok) {
    // with numerical integration the 2p gradients of the information matrix dominate: spread over PROCESSORS
    const pairs = intg && processors > 1 ? parallelGradientPairs(ir, ds, input, processors) : undefined;
    const r = standardErrors(obj, theta, opts.estimator, best.atBound, (j) => parLabel(m.parRow[j]!), pairs);
    se = r.se; covariance = r.covariance; conditionNumber = r.conditionNumber; scaling = r.scalingCorrection;
    warnings.push(...r.warnings);
    evalLL(obj, theta, post);
    if (intg) posteriorIntegrated(m, ws, intg, post);
  }
  const result: EstimationResult = {
    terminatedNormally: ok,
    estimator: opts.estimator,
    fit: ok ? fitStatistics(ll, m.nFree, m.n, opts.estimator === 'MLR' ? scaling : null) : null,
    parameters: ok ? parameterTable(ir, m, theta, se) : [],
    classCounts: ok && m.K > 1 ? classCounts(m, ws, post) : null,
    randomStarts,
    warnings,
    conditionNumber,
    theta,
    start,
    covariance,
    iterations: best.iterations,
  };
  if (ok && m.K > 1) result.posterior = post;
  if (ir.classVariables.length) result.classVariables = ir.classVariables.map((c) => ({ name: c.name, nClasses: c.nClasses, level: c.level }));
  if (ok && intg && m.D > 0) result.factorScores = { names: m.etaNames, values: eapIntegrated(m, ws, intg), perCluster: true };
  if (intg && m.D > 0) result.integration = { type: opts.integration.type, points: opts.integration.points, dimensions: m.D, adaptive: opts.integration.adaptive };
  if (startIterations) result.startIterations = startIterations;
  progress.done();
  return result;
}

interface ProgressReporter {
  /** a new run begins: later iterations are reported with this stage and start */
  stage(e: Omit<ProgressEvent, 'iteration' | 'loglikelihood'>): void;
  /** the current run ended: report its last iteration even within the throttle interval */
  done(): void;
  /** a report from a worker thread (parallel.ts), throttled like the others */
  report(e: ProgressEvent): void;
}

/** Wires obj.onIteration to a throttled onProgress (no-op without a callback). */
function progressReporter(obj: Objective, cb: EstimationOptions['onProgress']): ProgressReporter {
  if (!cb) return { stage() {}, done() {}, report() {} };
  let cur: Omit<ProgressEvent, 'iteration' | 'loglikelihood'> = { stage: 'single' };
  let iteration = 0, ll = NaN, last = 0, pending = false;
  const emit = () => { pending = false; last = Date.now(); cb({ ...cur, iteration, loglikelihood: ll }); };
  obj.onIteration = (v) => {
    iteration++; ll = v; pending = true;
    if (Date.now() - last >= PROGRESS_MS) emit();
  };
  return {
    stage(e) { if (pending) emit(); cur = e; iteration = 0; },
    done() { if (pending) emit(); },
    report(e) { if (Date.now() - last >= PROGRESS_MS) { last = Date.now(); cb(e); } },
  };
}

function randomStartRuns(m: CompiledModel, plan: EMPlan, start: Float64Array, opts: EstimationOptions, full: RunLimits, n1: number, n2: number, runBatch: BatchRunner) {
  const scales = perturbationScales(m);
  const seeds = startSeeds(opts.stSeed, n1);
  const initLim: RunLimits = plan.any
    ? { ...full, emIterations: opts.stIterations, qnIterations: 0, derivative: opts.stConvergence, qnDerivative: opts.stConvergence }
    : { ...full, emIterations: 0, qnIterations: opts.stIterations, derivative: opts.stConvergence, qnDerivative: opts.stConvergence };
  // the initial stage only ranks the start sets: the coarse integration rule is enough
  initLim.coarseOnly = true;
  const sets = Array.from({ length: n1 }, (_, s) => {
    const seed: number | 'unperturbed' = s === 0 ? 'unperturbed' : seeds[s]!;
    return { start: s + 1, seed, theta0: s === 0 ? start : perturb(start, scales, opts.stScale, seed as number) };
  });
  const initialRuns = runBatch(sets.map((x) => ({ theta0: x.theta0, lim: initLim })), 'initial');
  const initial = sets.map((x, s) => ({ start: x.start, seed: x.seed, run: initialRuns[s]! }));
  const order = initial.filter((r) => Number.isFinite(r.run.ll)).sort((a, b) => b.run.ll - a.run.ll || a.start - b.start).slice(0, n2);
  const finalRuns = runBatch(order.map((r) => ({ theta0: r.run.theta, lim: full })), 'final');
  const finalIterations: StartIterations[] = [];
  const finals = order.map((r, f) => {
    const run = finalRuns[f]!;
    const own = run.iterations.map((it, i) => ({ ...it, iteration: r.run.iterations.length + i + 1 }));
    finalIterations.push({ stage: 'final', start: r.seed === 'unperturbed' ? 'unperturbed' : r.start, iterations: own });
    run.iterations = [...r.run.iterations, ...own];
    return { ...r, run };
  });
  // TECH8 lists every initial-stage run, then the final-stage runs (continuing their numbering)
  const startIterations: StartIterations[] = [
    ...initial.map((r): StartIterations => ({ stage: 'initial', start: r.seed === 'unperturbed' ? 'unperturbed' : r.start, iterations: r.run.iterations })),
    ...finalIterations,
  ];
  const good = finals.filter((r) => Number.isFinite(r.run.ll) && r.run.converged).sort((a, b) => b.run.ll - a.run.ll || a.start - b.start);
  const rows: RandomStartRow[] = good.map((r) => ({ loglikelihood: r.run.ll, seed: r.seed, start: r.start }));
  const replicated = good.length >= 2 && good[0]!.run.ll - good[1]!.run.ll < REPLICATION_TOL;
  const best = good[0]?.run ?? finals[0]?.run ?? initial[0]!.run;
  return { best, table: { rows, replicated, failed: n2 - good.length }, startIterations };
}

function parLabel(row: ParamRow): string {
  switch (row.kind) {
    case 'loading': return `${row.lhs} BY ${row.rhs}`;
    case 'regression': return `${row.lhs} ON ${row.rhs}`;
    case 'covariance': return `${row.lhs} WITH ${row.rhs}`;
    case 'threshold': return `[ ${row.lhs}$${row.index} ]`;
    case 'classIntercept': return `[ ${row.lhs}#${row.index} ]`;
    case 'classRegression': return `${row.lhs}#${row.index} ON ${row.rhs}${row.rhsIndex ? '#' + row.rhsIndex : ''}`;
    case 'mean': case 'intercept': return `[ ${row.lhs} ]`;
    default: return row.lhs;
  }
}

const BLOCK: Partial<Record<ParamRow['kind'], string>> = {
  mean: 'Means', intercept: 'Intercepts', threshold: 'Thresholds', variance: 'Variances', residualVariance: 'Residual Variances',
};

/** One printed estimate per row (class-invariant parameters repeat in every class, as Mplus prints them). */
function parameterTable(ir: ModelIR, m: CompiledModel, theta: Float64Array, se: Float64Array): ParameterEstimate[] {
  const out: ParameterEstimate[] = [];
  const cvs = ir.classVariables;
  // Mplus prints a fixed parameter only when the user wrote it, when it is a loading (the `@1` of the
  // first indicator), or when the same parameter is free in another class (the last class's factor
  // mean 0). Structural zeros of the defaults (within-level intercepts of variables whose mean lives on
  // the between level, between residual variances fixed at 0 in TWOLEVEL MIXTURE) are not printed
  // (ex10.4.out).
  const key = (r: ParamRow) => `${r.level}|${r.kind}|${r.lhs}|${r.rhs}|${r.index ?? ''}|${r.rhsIndex ?? ''}`;
  const freeSomewhere = new Set(ir.rows.filter((r) => r.par > 0).map(key));
  const classLogitLatent = new Set(ir.latent.filter((l) => l.kind === 'classIntercept').map((l) => l.name));
  // `c#1 ON w` at the between level makes the printed variance of C#1 a residual variance
  const regressedClassLogit = new Set(
    ir.rows
      .filter((r) => (r.kind === 'regression' && classLogitLatent.has(r.lhs)) || (r.kind === 'classRegression' && r.level === 'between'))
      .map((r) => (r.kind === 'classRegression' ? `${r.lhs}#${r.index}` : r.lhs)),
  );
  // a class variable's logit intercepts print as Intercepts when it is regressed on something, else Means
  const regressedClass = new Set(ir.rows.filter((r) => r.kind === 'classRegression').map((r) => r.lhs));
  const printedLatent = new Set<string>();
  for (const row of ir.rows) {
    if (row.kind === 'constraintNew') continue;
    if (row.par === 0 && row.origin === 'default' && row.kind !== 'loading' && !freeSomewhere.has(key(row))) continue;
    // variances / regressions of the between-level random intercepts of class logits (C#1) are printed
    // under "Categorical Latent Variables", Between Level (ex10.4.out)
    const onClassLogit = classLogitLatent.has(row.lhs) && (row.kind === 'variance' || row.kind === 'residualVariance' || row.kind === 'regression' || row.kind === 'covariance');
    const latentClass = row.kind === 'classIntercept' || row.kind === 'classRegression' || onClassLogit;
    if (latentClass) {
      // one row per class pattern in the IR, printed once under "Categorical Latent Variables"
      if (printedLatent.has(key(row))) continue;
      printedLatent.add(key(row));
    }
    // the class patterns the row is printed in: its own, or every pattern when it names none
    const ks = !cvs.length || latentClass ? [0] : patternsMatching(m.classVars, m.K, row.classes);
    for (const k of ks) {
      const free = row.par > 0;
      const j = row.par - 1;
      let block: string, name: string;
      if (row.kind === 'loading') { block = `${row.lhs} BY`; name = row.rhs; }
      else if (row.kind === 'regression') { block = `${row.lhs} ON`; name = row.rhs; }
      else if (row.kind === 'covariance') { block = `${row.lhs} WITH`; name = row.rhs; }
      else if (row.kind === 'threshold') { block = 'Thresholds'; name = `${row.lhs}$${row.index}`; }
      else if (row.kind === 'classIntercept') { block = regressedClass.has(row.lhs) ? 'Intercepts' : 'Means'; name = `${row.lhs}#${row.index}`; }
      else if (onClassLogit && (row.kind === 'variance' || row.kind === 'residualVariance')) { block = regressedClassLogit.has(row.lhs) ? 'Residual Variances' : 'Variances'; name = row.lhs; }
      else if (row.kind === 'classRegression') { block = `${row.lhs}#${row.index} ON`; name = row.rhsIndex ? `${row.rhs}#${row.rhsIndex}` : row.rhs; }
      else { block = BLOCK[row.kind] ?? row.kind; name = row.lhs; }
      out.push({
        par: row.par, level: row.level, classLabel: latentClass || !cvs.length ? null : m.classLabels[k]!, categoricalLatent: latentClass,
        block, name, estimate: free ? theta[j]! : row.value, se: free ? se[j]! : 0, fixed: !free,
      });
    }
  }
  return out;
}
