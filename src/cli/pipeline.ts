// The whole pipeline as one pure-ish function (it reads the data file, writes nothing):
// text -> AST -> Dataset -> ModelIR -> EstimationResult -> .out text (+ JSON, SAVEDATA file contents).
// src/cli/run.ts does the I/O around it; tests and the Monte Carlo driver call it directly.

import { basename, dirname, resolve } from 'node:path';
import type { InputFile } from '../syntax/ast.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { inputWarning, PlusmixError } from '../syntax/diagnostics.js';
import { parseInput } from '../syntax/parse.js';
import { findCommand, findOption } from '../syntax/query.js';
import { loadData, dropMissingCovariates } from '../data/index.js';
import type { Dataset } from '../data/dataset.js';
import { buildModel, covariateNames, integrationDimensions } from '../model/index.js';
import type { ModelIR } from '../model/ir.js';
import { estimate } from '../estimate/index.js';
import { resolveOptions } from '../estimate/options.js';
import { estimateTwoLevel } from '../estimate/twolevel/index.js';
import { estimateThreeLevel } from '../estimate/threelevel/index.js';
import type { EstimationResult } from '../results/types.js';
import { diagnosticToInputWarning, writeErrorOut, writeOut } from '../output/out.js';
import { assembleOutInput } from '../output/assemble.js';
import { toJson, type JsonResult } from '../output/json.js';
import { buildSaveData, saveColumns, type SaveDataOptions } from '../output/savedata.js';
import type { PlotInfo, SaveDataInfo } from '../output/types.js';
import { plotFiles, plotSet } from '../output/plots.js';
import { lrtOptions, runSettings } from './analysis.js';
import type { RunSettings } from './analysis.js';
import { bootstrapLrt, fitNullModel, vlmrTest } from '../estimate/lrt.js';
import type { ProgressEvent } from '../estimate/options.js';
import { VERSION } from './version.js';

export interface PipelineOptions {
  /** wall clock for the timing block; null prints no dates (deterministic output for tests) */
  clock: (() => Date) | null;
  /** progress callback handed to the estimation engine (its `onProgress` option); `plusmix run` sets it for terminals */
  onProgress?: (e: ProgressEvent) => void;
  /** where the .out goes (default: next to the input); plot files are written beside it */
  outPath?: string;
  /** worker threads for the random starts; overrides ANALYSIS: PROCESSORS (`plusmix run --processors n`) */
  processors?: number;
  /** overrides ANALYSIS: STARTS (`plusmix run --starts "n1 n2"`) */
  starts?: [number, number];
}

export interface PipelineResult {
  /** 0: the run finished (estimation warnings included); 1: input or data error */
  exitCode: 0 | 1;
  outText: string;
  json: JsonResult | null;
  /** extra files to write (SAVEDATA), paths resolved against the input file's folder */
  files: Array<{ path: string; content: string }>;
  diagnostics: Diagnostic[];
  result: EstimationResult | null;
}


function savedataOptions(ast: InputFile, ir: ModelIR): SaveDataOptions | null {
  const sd = findCommand(ast, 'SAVEDATA');
  if (!sd) return null;
  const get = (n: string) => sd.options.filter((o) => o.name === n).pop();
  const file = get('FILE');
  if (!file) return null;
  const save = new Set((get('SAVE')?.values ?? []).filter((v) => v.kind === 'word').map((v) => (v as { upper: string }).upper.slice(0, 4)));
  const fmt = get('FORMAT')?.raw.trim();
  return {
    file: file.raw.trim().replace(/^"(.*)"$/, '$1'),
    cprobabilities: save.has('CPRO'),
    fscores: save.has('FSCO'),
    ...(fmt ? { format: fmt.toUpperCase() === 'FREE' ? 'FREE' : fmt.replace(/[()]/g, '').toUpperCase() } : {}),
    ...(get('MISSFLAG') ? { missingSymbol: get('MISSFLAG')!.raw.trim() } : {}),
    ...(ir.classVariables[0] ? { classVariable: ir.classVariables[0].name } : {}),
  };
}

/** the TYPE values of the PLOT command (PLOT1, PLOT2, PLOT3), upper case */
function plotRequest(ast: InputFile): string[] {
  const type = findOption(findCommand(ast, 'PLOT'), 'TYPE');
  return (type?.values ?? []).filter((v) => v.kind === 'word').map((v) => (v as { upper: string }).upper);
}

/** the kinds of a plot set in Mplus's PLOT INFORMATION wording */
function plotKinds(set: Array<{ name: string }>): string[] {
  const kinds: string[] = [];
  if (set.some((p) => p.name.startsWith('hist_'))) kinds.push('Histograms (sample values, by most likely class)');
  if (set.some((p) => p.name.startsWith('eap_'))) kinds.push('Scatterplots (estimated factor scores)');
  if (set.some((p) => p.name === 'means')) kinds.push('Estimated means');
  if (set.some((p) => p.name === 'probabilities')) kinds.push('Estimated probabilities');
  return kinds;
}

/**
 * A TYPE = TWOLEVEL model the exact estimator refuses goes to the general (integration) engine only when it
 * needs at most this many dimensions: with several between-level random intercepts the engine is not yet
 * reliable (it drifts to a singular between covariance matrix where the adaptive rule overstates the
 * density; test/estimate/twolevel/multivariate.test.ts keeps the cross-check, skipped, until it is fixed).
 */
const MAX_FALLBACK_DIMENSIONS = 1;

/**
 * OUTPUT: TECH11 / TECH14: the K-1 class model (class 1 deleted) and the VLMR / LMR tests, and the
 * parametric bootstrap (src/estimate/lrt.ts). Single-level TYPE = MIXTURE with one class variable only;
 * otherwise a warning, as Mplus ignores them where they do not apply.
 */
function lrtTests(ast: InputFile, ir: ModelIR, ds: Dataset, result: EstimationResult, settings: RunSettings, diagnostics: Diagnostic[]): void {
  const cv = ir.classVariables;
  if (!ir.mixture || ir.twoLevel || cv.length !== 1 || cv[0]!.known || cv[0]!.nClasses < 2 || ir.constraint) {
    const message = 'TECH11 and TECH14 are available for single-level TYPE = MIXTURE models with one unknown class variable of at least 2 classes (and no MODEL CONSTRAINT); the request is ignored.';
    diagnostics.push(outputWarning(ast, ['TECH11', 'TECH14'], 'W_TECH11_UNAVAILABLE', message));
    return;
  }
  if (!result.terminatedNormally) return;
  const lo = lrtOptions(ast);
  const h0 = fitNullModel(ir, ds, result, { estimation: settings.estimation, ...(lo.k1Starts ? { k1Starts: lo.k1Starts } : {}) });
  if (settings.requests.tech11) result.tech11 = vlmrTest(ir, ds, result, h0, settings.estimation);
  if (settings.requests.tech14)
    result.tech14 = bootstrapLrt(ir, ds, result, h0, { estimation: settings.estimation, ...(lo.lrtStarts ? { lrtStarts: lo.lrtStarts } : {}), ...(lo.draws ? { draws: lo.draws } : {}) });
}

/** a warning about an OUTPUT option (placed at the first of `names` in the input), printed as `*** WARNING in OUTPUT command` */
function outputWarning(ast: InputFile, names: string[], code: string, message: string): Diagnostic {
  const opt = findCommand(ast, 'OUTPUT')?.options.find((o) => names.includes(o.name));
  return opt ? inputWarning(ast.path, opt.nameSpan, code, message, 'OUTPUT') : { severity: 'warning', code, command: 'OUTPUT', message, location: { kind: 'none' } };
}

/** Choose the estimator for the model family. */
function fit(ir: ModelIR, ds: Dataset, settings: ReturnType<typeof runSettings>): EstimationResult {
  // TYPE = THREELEVEL, continuous outcomes: exact likelihood (src/estimate/threelevel/DESIGN.md)
  if (ir.threeLevel) return estimateThreeLevel(ir, ds, { estimator: settings.estimation.estimator === 'ML' ? 'ML' : 'MLR' });
  if (ir.twoLevel && !ir.mixture) {
    // exact (closed-form) likelihood where the model allows it (continuous outcomes with missing values,
    // random intercepts and slopes, within / between factors and growth factors, latent covariates,
    // between-only outcomes; src/estimate/twolevel/DESIGN.md); what it refuses may go to the general engine
    try {
      return estimateTwoLevel(ir, ds, { estimator: settings.estimation.estimator ?? 'MLR' });
    } catch (e) {
      if (!(e instanceof PlusmixError) || !e.diagnostics.every((d) => d.code === 'E_TWOLEVEL_UNSUPPORTED')) throw e;
      const dims = integrationDimensions(ir).length;
      if (dims > MAX_FALLBACK_DIMENSIONS) {
        throw new PlusmixError({
          severity: 'error',
          code: 'E_UNSUPPORTED',
          command: 'MODEL',
          message: `${e.message}\nThis TYPE = TWOLEVEL model is not supported yet: the exact estimator cannot represent it and numerical integration over its ${dims} between-level dimensions is not reliable yet in plusmix (see docs/coverage.md).`,
          location: { kind: 'none' },
        });
      }
    }
  }
  return estimate(ir, ds, settings.estimation);
}

export function runPipeline(text: string, path: string, opts: PipelineOptions): PipelineResult {
  const diagnostics: Diagnostic[] = [];
  const begin = opts.clock ? opts.clock() : null;
  try {
    const parsed = parseInput(text, path);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.diagnostics.some((d) => d.severity === 'error')) throw new PlusmixError(parsed.diagnostics.filter((d) => d.severity === 'error'));
    const ast = parsed.ast;
    const inputDir = dirname(resolve(path));
    const settings = runSettings(ast);
    if (opts.starts) settings.estimation.starts = opts.starts;
    if (opts.processors) {
      settings.processors = opts.processors;
      settings.estimation.processors = opts.processors;
    }
    const loaded = loadData(ast, inputDir);
    diagnostics.push(...loaded.diagnostics);
    let ds = loaded.dataset;
    const built = buildModel(ast, { columns: ds.columns }, ds);
    diagnostics.push(...built.diagnostics);
    const ir = built.ir;
    const covs = covariateNames(ir);
    if (covs.length) {
      const dropped = dropMissingCovariates(ds, covs);
      diagnostics.push(...dropped.diagnostics);
      ds = dropped.dataset;
    }
    if (opts.onProgress) settings.estimation.onProgress = opts.onProgress;
    const result = fit(ir, ds, settings);
    if (settings.requests.tech11 || settings.requests.tech14) lrtTests(ast, ir, ds, result, settings, diagnostics);

    const estimation = resolveOptions(settings.estimation, { mixture: ir.mixture, integration: !!result.integration });
    const files: PipelineResult['files'] = [];
    let savedata: SaveDataInfo | undefined;
    const sdo = savedataOptions(ast, ir);
    if (sdo) {
      const built = buildSaveData(saveColumns(ds, result, sdo), sdo);
      files.push({ path: resolve(inputDir, sdo.file), content: built.text });
      savedata = built.info;
    }
    // PLOT: TYPE = PLOT1 / PLOT2 / PLOT3: SVG files and an HTML page next to the .out, named after it
    let plots: PlotInfo | undefined;
    if (plotRequest(ast).length) {
      const set = plotSet(ir, ds, result);
      const outPath = resolve(opts.outPath ?? resolve(inputDir, basename(path).replace(/\.[^.]*$/, '') + '.out'));
      const base = basename(outPath).replace(/\.[^.]*$/, '');
      const pf = set.length ? plotFiles(dirname(outPath), base, `plusmix plots: ${basename(path)}`, set) : [];
      files.push(...pf);
      plots = { kinds: plotKinds(set), files: pf.map((f) => basename(f.path)) };
    }
    const outInput = assembleOutInput({
      inputText: text,
      ir,
      ds,
      result,
      estimation,
      estimationInput: settings.estimation,
      output: settings.requests,
      plusmixVersion: VERSION,
      timestamps: begin && opts.clock ? { begin, end: opts.clock() } : null,
      ...(savedata ? { savedata } : {}),
    });
    if (plots) outInput.plots = plots;
    // TECH10 outside src/results/tech10.ts's scope: say so instead of printing nothing (Mplus prints it there)
    if (settings.requests.tech10 && !outInput.tech10)
      diagnostics.push(outputWarning(ast, ['TECH10'], 'W_TECH10_UNAVAILABLE', 'TECH10 is not available in plusmix for this model: it is implemented for single-level TYPE = MIXTURE models with one class variable and binary or ordered categorical latent class indicators, without covariates, missing indicator values, weights or KNOWNCLASS. The request is ignored.'));
    // input / data / model warnings go into the .out after the input echo (and into the JSON), as Mplus prints them
    const inputWarnings = diagnostics.filter((d) => d.severity === 'warning').map(diagnosticToInputWarning);
    if (inputWarnings.length) outInput.inputWarnings = inputWarnings;
    // Mplus prints UNIVARIATE SAMPLE STATISTICS by default without mixture (ex3.1, ex9.2c), with mixture only for SAMPSTAT
    // Mplus 8.x prints UNIVARIATE SAMPLE STATISTICS of continuous variables by default, mixture runs included
    // (ex10.4.out: TWOLEVEL MIXTURE without SAMPSTAT)
    const outText = writeOut(outInput);
    const json = toJson({ summary: outInput.summary, inputText: text, result, plusmixVersion: VERSION, standardized: outInput.standardized, inputWarnings, ...(outInput.transitions ? { transitions: outInput.transitions } : {}) });
    return { exitCode: 0, outText, json, files, diagnostics, result };
  } catch (e) {
    if (!(e instanceof PlusmixError)) throw e;
    const all = [...diagnostics.filter((d) => d.severity !== 'error'), ...e.diagnostics];
    const timestamps = begin && opts.clock ? { begin, end: opts.clock() } : null;
    return { exitCode: 1, outText: writeErrorOut(text, all, { plusmixVersion: VERSION, timestamps }), json: null, files: [], diagnostics: all, result: null };
  }
}
