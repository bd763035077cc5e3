// The .out writer: prints an OutInput in the layout of Mplus 8.x (docs: ../shared output-format spec,
// verified line by line against the real Mplus 8.8 files in test/output/reference/).
//
// Conventions that matter to MplusAutomation (readModels): line 1 `Mplus VERSION <number>`, top-level
// headers alone on their line without trailing blanks, numbers right-aligned to fixed end columns.
// plusmix identifies itself on line 2 and in the footer (where Mplus prints its own address).
// Deterministic: the same input gives the same bytes; time enters only through options.timestamps.

import { basename } from 'node:path';
import { tech11Lines, tech14Lines } from './tech11.js';
import type { ClassCounts, EstimationResult, FitStatistics, ParameterEstimate, StartIterations } from '../results/types.js';
import { waldTest } from '../results/wald.js';
import type { RSquareRow } from '../results/standardize.js';
import { fixed, fmtD, fmtE, fmtF, fmtI, labelValue, padR, trimEnd } from './format.js';
import type {
  AnalysisSummary,
  DataSummaryOut,
  InputWarning,
  OddsRatioComparison,
  OutInput,
  OutOptions,
  PlotInfo,
  ProbabilityScaleRow,
  SaveDataInfo,
  StandardizedOut,
  Tech1Matrix,
  Tech1Output,
} from './types.js';
import { saveDataInformation } from './savedata.js';
import { tech10Lines } from './tech10.js';
import type { TransitionTable } from '../results/transition.js';
import type { Diagnostic } from '../syntax/diagnostics.js';

export const DEFAULT_MPLUS_VERSION = '8.8';

/** Build the whole .out text (LF line ends, final newline). */
export function writeOut(input: OutInput): string {
  const o = input.options;
  const L: string[] = [];
  const blank = (n = 1) => {
    for (let i = 0; i < n; i++) L.push('');
  };
  L.push(`Mplus VERSION ${o.mplusVersion ?? DEFAULT_MPLUS_VERSION}`);
  L.push(`PLUSMIX ${o.plusmixVersion} (Mplus-compatible layout; not produced by Mplus)`);
  L.push(o.timestamps ? dateLine(o.timestamps.begin, !!o.utc) : '');
  blank();
  L.push('INPUT INSTRUCTIONS');
  blank();
  for (const line of inputLines(input.inputText)) L.push(line === '' ? '' : '  ' + line);
  blank(3);
  if (input.inputWarnings?.length) {
    L.push(...inputWarningLines(input.inputWarnings));
    blank(4);
  } else {
    L.push('INPUT READING TERMINATED NORMALLY');
    blank(3);
  }
  for (const t of input.title) L.push(t);
  blank();
  summaryOfAnalysis(L, input.summary);
  if (input.dataSummary) dataSections(L, input.dataSummary);
  const r = input.result;
  if (r.randomStarts) randomStarts(L, r.randomStarts);
  estimationMessages(L, r);
  if (r.fit) fitInformation(L, r.fit, r.estimator);
  if (r.classCounts) classCounts(L, r.classCounts, input.transitions ?? []);
  const style: ResultsStyle = {
    narrowOn: !!input.narrowOn,
    latent: new Set((input.ir?.latent ?? []).filter((l) => l.kind === 'factor' || l.kind === 'randomSlope' || l.kind === 'growth').map((l) => l.name.toUpperCase())),
  };
  modelResults(L, r.parameters, !r.terminatedNormally || r.parameters.every((p) => Number.isNaN(p.se)), style);
  if (r.conditionNumber !== null) {
    L.push('QUALITY OF NUMERICAL RESULTS');
    blank();
    L.push(labelValue('     Condition Number for the Information Matrix', fmtE(r.conditionNumber, 3), 71));
    L.push('       (ratio of smallest to largest eigenvalue)');
    blank(2);
  }
  if (input.probabilityScale?.length) probabilityScale(L, input.probabilityScale);
  if (input.oddsRatios?.length) oddsRatios(L, input.oddsRatios);
  // Mplus order (ex3.6, ex5.16, ex5.20): standardized results and R-SQUARE, confidence intervals, then
  // SVALUES before the TECHNICAL outputs [inferred: CINTERVAL before SVALUES]
  if (input.standardized) standardizedResults(L, input.standardized, style);
  if (input.cinterval) confidenceIntervals(L, r.parameters, input.standardized, style);
  if (input.svalues) svaluesSection(L, input.svalues);
  if (o.tech1 && input.tech1) tech1(L, input.tech1);
  // TECH10, then TECH11 and TECH14; TECH8 (the iteration history) comes last (ex7.3.out)
  if (o.tech10 && input.tech10) L.push(...tech10Lines(input.tech10));
  if (o.tech11 && r.tech11) L.push(...tech11Lines(r.tech11));
  if (o.tech14 && r.tech14) L.push(...tech14Lines(r.tech14));
  if (o.tech8) tech8(L, r);
  if (input.plots) plotInformation(L, input.plots);
  if (input.savedata) savedata(L, input.savedata);
  footer(L, o);
  return L.join('\n') + '\n';
}

/**
 * The .out of a run stopped by input or data errors: banner, input echo, then one block per problem
 * (`*** ERROR in MODEL command` / `*** WARNING ...`, message indented two spaces, with plusmix's
 * line:column), the count line `   N ERROR(S) FOUND IN THE INPUT INSTRUCTIONS`, and the footer.
 */
export function writeErrorOut(inputText: string, diagnostics: Diagnostic[], options: OutOptions): string {
  const L: string[] = [`Mplus VERSION ${options.mplusVersion ?? DEFAULT_MPLUS_VERSION}`, `PLUSMIX ${options.plusmixVersion} (Mplus-compatible layout; not produced by Mplus)`];
  L.push(options.timestamps ? dateLine(options.timestamps.begin, !!options.utc) : '', '', 'INPUT INSTRUCTIONS', '');
  for (const line of inputLines(inputText)) L.push(line === '' ? '' : '  ' + line);
  L.push('', '', '');
  const shown = diagnostics.filter((d) => d.severity !== 'note');
  for (const d of shown) L.push(...inputWarningBlock(d.severity === 'error' ? 'ERROR' : 'WARNING', diagnosticToInputWarning(d)));
  const errors = shown.filter((d) => d.severity === 'error').length;
  const warnings = shown.length - errors;
  if (warnings) L.push(`   ${warnings} WARNING(S) FOUND IN THE INPUT INSTRUCTIONS`);
  if (errors) L.push(`   ${errors} ERROR(S) FOUND IN THE INPUT INSTRUCTIONS`);
  L.push('', '', '');
  footer(L, options);
  return L.join('\n') + '\n';
}

/**
 * Input warnings of a run that went on, as Mplus prints them after the input echo in place of INPUT
 * READING TERMINATED NORMALLY: the blocks one after another without blank lines, then the count line
 * `   N WARNING(S) FOUND IN THE INPUT INSTRUCTIONS`, then four blank lines (writeOut) before the title.
 * Layout of the real Mplus 8.8 and 9 outputs in fixtures/peers/lrt_bully/c2_bully.out ..
 * (MM4DBER/Intro_to_LCA; `*** WARNING in VARIABLE command`, `... in PLOT command`, `... in OUTPUT
 * command`) and fixtures/peers/lrt_kmeans/ (immerse-ucsb/lca-bookdown; `*** WARNING in MODEL
 * command`); blocks without a command print `*** WARNING` alone (Mplus 7/8 outputs with "Input line
 * exceeded 90 characters"). MplusAutomation reads each block up to the next `***` line into `warnings`.
 */
export function inputWarningLines(ws: InputWarning[]): string[] {
  return [...ws.flatMap((w) => inputWarningBlock('WARNING', w)), `   ${ws.length} WARNING(S) FOUND IN THE INPUT INSTRUCTIONS`];
}

function inputWarningBlock(kind: 'WARNING' | 'ERROR', w: InputWarning): string[] {
  return [w.command ? `*** ${kind} in ${w.command.toUpperCase()} command` : `*** ${kind}`, ...w.lines.map((m) => '  ' + m)];
}

/**
 * A diagnostic in the printed form: its message (with the input line and column, or the data record,
 * at the end) word-wrapped to 78 columns as Mplus wraps its messages (their lines stay within 80).
 */
export function diagnosticToInputWarning(d: Diagnostic): InputWarning {
  const where = locationText(d);
  const text = where ? `${d.message} (${where})` : d.message;
  return { code: d.code, command: d.command ? d.command.toUpperCase() : null, lines: text.split('\n').flatMap((l) => wrapWords(l, MESSAGE_WIDTH)) };
}

const MESSAGE_WIDTH = 78;

/** greedy word wrap; a word longer than the width stays whole on its own line */
function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && cur.length + 1 + w.length > width) {
      out.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  out.push(cur);
  return out;
}

function locationText(d: Diagnostic): string {
  const l = d.location;
  if (l.kind === 'input') return `line ${l.span.start.line}, column ${l.span.start.col}`;
  if (l.kind === 'data') return `data file ${basename(l.file)}, record ${l.row}${l.column !== undefined ? `, column ${l.column}` : ''}`;
  // a file is named without its folder: the .out stays the same wherever the run happened
  if (l.kind === 'file') return basename(l.file);
  return '';
}

/** the input file's lines; a final newline does not make an extra line */
function inputLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// ---------------------------------------------------------------- SUMMARY OF ANALYSIS

const SUMMARY_END = 66;

function summaryOfAnalysis(L: string[], s: AnalysisSummary): void {
  const lv = (label: string, v: number | string) => L.push(labelValue(label, String(v), SUMMARY_END));
  L.push('SUMMARY OF ANALYSIS', '');
  lv('Number of groups', s.groups);
  lv('Number of observations', s.observations);
  L.push('');
  lv('Number of dependent variables', s.dependent);
  lv('Number of independent variables', s.independent);
  lv('Number of continuous latent variables', s.continuousLatent);
  // runs without mixture omit this line (ex3.1, ex9.2c)
  if (s.categoricalLatent > 0) lv('Number of categorical latent variables', s.categoricalLatent);
  L.push('');
  for (const vl of s.variableLists) {
    L.push(vl.title);
    for (const g of vl.groups) {
      if (g.subtitle !== undefined) L.push('', '  ' + g.subtitle);
      L.push(...nameRows(g.names));
    }
    L.push('');
  }
  if (s.specialFunctions.length) {
    L.push('Variables with special functions', '');
    L.push(...s.specialFunctions);
  }
  L.push('');
  for (const sp of s.specs) {
    const label = ' '.repeat(sp.indent) + sp.label;
    L.push(sp.value === undefined ? label : labelValue(label, sp.value, SUMMARY_END));
  }
  L.push('', 'Input data file(s)');
  for (const f of s.inputFiles) L.push('  ' + f);
  L.push(`Input data format  ${s.inputFormat}`);
  L.push('', '');
}

/** variable lists: six names per line, 3-space indent, 12 columns each */
function nameRows(names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i += 6) {
    out.push(trimEnd('   ' + names.slice(i, i + 6).map((n) => padR(n, 12)).join('')));
  }
  return out;
}

// ---------------------------------------------------------------- data sections

function dataSections(L: string[], d: DataSummaryOut): void {
  const items: string[][] = [];
  if (d.missingPatterns !== undefined) items.push([labelValue('     Number of missing data patterns', String(d.missingPatterns), 50)]);
  if (d.clusters !== undefined) items.push([labelValue('     Number of clusters', String(d.clusters), 50)]);
  if (d.averageClusterSize !== undefined) items.push([labelValue('     Average cluster size', fixed(d.averageClusterSize, 3), 38)]);
  if (d.icc?.length) {
    // up to three variable / ICC pairs per row, 24 columns each, the first ICC ending in column 23
    // (verified on ex9.2c, Mplus 8.7; the three-pair header line is quoted in public scripts)
    // header pairs: ex9.2c (one variable) prints two; three for three or more variables
    const pairs = d.icc.length >= 3 ? 3 : 2;
    const pad = (j: number) => (j === 0 ? '     ' : '      ');
    const rows = ['     Estimated Intraclass Correlations for the Y Variables', ''];
    rows.push(Array.from({ length: pairs }, (_, j) => (j === 0 ? '                Intraclass' : '              Intraclass')).join(''));
    rows.push(Array.from({ length: pairs }, (_, j) => (j === 0 ? '     ' : '   ') + 'Variable  Correlation').join(''), '');
    for (let i = 0; i < d.icc.length; i += 3) {
      rows.push(d.icc.slice(i, i + 3).map((c, j) => pad(j) + padR(c.name, 9) + fmtF(c.value, 9, 3)).join(''));
    }
    items.push(rows);
  }
  if (items.length) {
    L.push('SUMMARY OF DATA', '');
    items.forEach((it, i) => {
      if (i > 0) L.push('');
      L.push(...it);
    });
    L.push('', '', '', '');
  }
  if (d.proportions?.length) {
    L.push('UNIVARIATE PROPORTIONS AND COUNTS FOR CATEGORICAL VARIABLES', '');
    for (const v of d.proportions) {
      L.push('    ' + v.name);
      for (const c of v.categories) L.push(`      Category ${c.label}` + fmtF(c.proportion, 25 - 15 - c.label.length, 3) + fmtF(c.count, 17, 3));
    }
    L.push('', '');
  }
  if (d.univariate?.length) {
    L.push('UNIVARIATE SAMPLE STATISTICS', '', '');
    L.push('     UNIVARIATE HIGHER-ORDER MOMENT DESCRIPTIVE STATISTICS', '');
    L.push('         Variable/         Mean/     Skewness/   Minimum/ % with                Percentiles');
    L.push('        Sample Size      Variance    Kurtosis    Maximum  Min/Max      20%/60%    40%/80%    Median');
    L.push('');
    const pct = (x: number) => fmtF(x, 8, 2) + '%';
    for (const u of d.univariate) {
      L.push('     ' + padR(u.name, 15) + fmtF(u.mean, 12, 3) + fmtF(u.skewness, 12, 3) + fmtF(u.min, 12, 3) + pct(u.pctMin) + fmtF(u.p20, 12, 3) + fmtF(u.p40, 11, 3) + fmtF(u.median, 11, 3));
      L.push(fmtF(u.n, 20, 3) + fmtF(u.variance, 12, 3) + fmtF(u.kurtosis, 12, 3) + fmtF(u.max, 12, 3) + pct(u.pctMax) + fmtF(u.p60, 12, 3) + fmtF(u.p80, 11, 3));
    }
    L.push('', '');
  }
}

// ---------------------------------------------------------------- random starts, messages

function randomStarts(L: string[], rs: NonNullable<EstimationResult['randomStarts']>): void {
  L.push('RANDOM STARTS RESULTS RANKED FROM THE BEST TO THE WORST LOGLIKELIHOOD VALUES', '');
  L.push('Final stage loglikelihood values at local maxima, seeds, and initial stage start numbers:', '');
  for (const row of rs.rows) L.push(fmtF(row.loglikelihood, 20, 3) + '  ' + padR(String(row.seed), 17) + row.start);
  L.push('', '', '');
  if (rs.failed > 0) {
    L.push(`     ${rs.failed} perturbed starting value run(s) did not converge or were rejected in the third stage.`, '', '');
  }
  if (rs.replicated) {
    L.push('THE BEST LOGLIKELIHOOD VALUE HAS BEEN REPLICATED.  RERUN WITH AT LEAST TWICE THE');
    L.push('RANDOM STARTS TO CHECK THAT THE BEST LOGLIKELIHOOD IS STILL OBTAINED AND REPLICATED.');
  } else {
    L.push('     WARNING:  THE BEST LOGLIKELIHOOD VALUE WAS NOT REPLICATED.  THE');
    L.push('     SOLUTION MAY NOT BE TRUSTWORTHY DUE TO LOCAL MAXIMA.  INCREASE THE');
    L.push('     NUMBER OF RANDOM STARTS.');
  }
  L.push('', '');
}

function estimationMessages(L: string[], r: EstimationResult): void {
  L.push(r.terminatedNormally ? 'THE MODEL ESTIMATION TERMINATED NORMALLY' : 'THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY.');
  for (const w of r.warnings) {
    L.push('');
    for (const line of w.lines) L.push(line === '' ? '' : '     ' + line);
  }
  L.push('', '', '');
}

// ---------------------------------------------------------------- fit, classes

function fitInformation(L: string[], f: FitStatistics, estimator: string): void {
  const v = (label: string, value: string) => L.push(labelValue('          ' + label, value, 50));
  L.push('MODEL FIT INFORMATION', '');
  L.push(labelValue('Number of Free Parameters', String(f.parameters), 50), '');
  L.push('Loglikelihood', '');
  v('H0 Value', fixed(f.loglikelihood, 3));
  if (f.h1Loglikelihood !== undefined) v('H1 Value', fixed(f.h1Loglikelihood, 3));
  if (f.scalingCorrection !== null) {
    v('H0 Scaling Correction Factor', fixed(f.scalingCorrection, 4));
    L.push(`            for ${estimator}`);
  }
  L.push('', 'Information Criteria', '');
  v('Akaike (AIC)', fixed(f.aic, 3));
  v('Bayesian (BIC)', fixed(f.bic, 3));
  v('Sample-Size Adjusted BIC', fixed(f.abic, 3));
  L.push('            (n* = (n + 2) / 24)');
  semFitIndices(L, f);
  if (f.categoricalChiSquare) {
    L.push('', 'Chi-Square Test of Model Fit for the Binary and Ordered Categorical', '(Ordinal) Outcomes');
    const tests: Array<[string, { value: number; df: number; pValue: number }]> = [
      ['Pearson Chi-Square', f.categoricalChiSquare.pearson],
      ['Likelihood Ratio Chi-Square', f.categoricalChiSquare.likelihoodRatio],
    ];
    for (const [name, t] of tests) {
      L.push('', '          ' + name, '');
      v('Value', fixed(t.value, 3));
      v('Degrees of Freedom', String(t.df));
      v('P-Value', fixed(t.pValue, 4));
    }
  }
  L.push('', '', '');
}

/** H1-based fit of single-level models as Mplus 8 prints it for ML (ex3.1): chi-square, RMSEA, CFI/TLI, baseline, SRMR */
function semFitIndices(L: string[], f: FitStatistics): void {
  const v = (label: string, value: string) => L.push(labelValue('          ' + label, value, 50));
  const test = (title: string, t: { value: number; df: number; pValue: number }) => {
    L.push('', title, '');
    v('Value', fixed(t.value, 3));
    v('Degrees of Freedom', String(t.df));
    v('P-Value', fixed(t.pValue, 4));
  };
  if (f.chiSquare) test('Chi-Square Test of Model Fit', f.chiSquare);
  if (f.rmsea) {
    L.push('', 'RMSEA (Root Mean Square Error Of Approximation)', '');
    v('Estimate', fixed(f.rmsea.estimate, 3));
    L.push(labelValue('          90 Percent C.I.', fixed(f.rmsea.lower, 3), 50) + fmtF(f.rmsea.upper, 7, 3));
    v('Probability RMSEA <= .05', fixed(f.rmsea.probabilityClose, 3));
  }
  if (f.cfi !== undefined && f.tli !== undefined) {
    L.push('', 'CFI/TLI', '');
    v('CFI', fixed(f.cfi, 3));
    v('TLI', fixed(f.tli, 3));
  }
  if (f.baselineChiSquare) test('Chi-Square Test of Model Fit for the Baseline Model', f.baselineChiSquare);
  if (f.srmr !== undefined) {
    L.push('', 'SRMR (Standardized Root Mean Square Residual)', '');
    v('Value', fixed(f.srmr, 3));
  }
}

const COUNTS_HEADER = 'FINAL CLASS COUNTS AND PROPORTIONS FOR THE LATENT CLASSES';

function classCounts(L: string[], c: ClassCounts, transitions: TransitionTable[]): void {
  if (c.perVariable?.length && c.labels.some((l) => l.includes('.'))) {
    classPatternCounts(L, c, transitions);
    return;
  }
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const block = (basis: string, xs: number[], integer: boolean) => {
    L.push(COUNTS_HEADER, basis, '');
    if (integer) L.push('Class Counts and Proportions', '');
    L.push('    Latent', '   Classes', '');
    const n = total(xs);
    xs.forEach((x, k) => L.push(c.labels[k].padStart(8) + (integer ? fmtI(x, 17) : fmtF(x, 17, 5)) + fmtF(x / n, 17, 5)));
    L.push('', '');
  };
  if (c.model) block('BASED ON THE ESTIMATED MODEL', c.model, false);
  block('BASED ON ESTIMATED POSTERIOR PROBABILITIES', c.posterior, false);
  block('BASED ON THEIR MOST LIKELY LATENT CLASS MEMBERSHIP', c.mostLikely, true);
  if (transitions.length) L.push(...transitionLines(transitions));
  if (c.entropy !== null) {
    L.push('CLASSIFICATION QUALITY', '');
    L.push(labelValue('     Entropy', fixed(c.entropy, 3), 42), '', '');
  }
  const logits = c.logits ?? c.classification.map((row) => row.map((p) => Math.log(p / row[row.length - 1])));
  probMatrix(L, ['Average Latent Class Probabilities for Most Likely Latent Class Membership (Row)', 'by Latent Class (Column)'], c.labels, c.averagePosterior, 8);
  probMatrix(L, ['Classification Probabilities for the Most Likely Latent Class Membership (Column)', 'by Latent Class (Row)'], c.labels, c.classification, 8);
  probMatrix(L, ['Logits for the Classification Probabilities for the Most Likely Latent Class Membership (Column)', 'by Latent Class (Row)'], c.labels, logits, 11);
}

export const PATTERN_ORDER_HEADER = 'MODEL RESULTS USE THE LATENT CLASS VARIABLE ORDER';
export const PATTERN_COUNTS_HEADER = 'FINAL CLASS COUNTS AND PROPORTIONS FOR THE LATENT CLASS PATTERNS';
export const VARIABLE_COUNTS_HEADER = 'FINAL CLASS COUNTS AND PROPORTIONS FOR EACH LATENT CLASS VARIABLE';

/**
 * Class counts of a model with several class variables (e.g. CLASSES = cb(2) c(3), cb between), in the
 * layout of a real Mplus 8 TWOLEVEL MIXTURE output with BC (between) and WC (within): the class
 * variable order and its pattern table, then for each basis the counts of the class patterns
 * ('    1  2', first class in I5, the others in I3) followed by the marginal counts of each class
 * variable ('    BC             1' + F16.5 + F17.5), entropy, and the average posterior probabilities
 * by most likely pattern with the pattern-number table. That output has no model-based counts and no
 * classification-probability / logit matrices; the model-based blocks (when the engine provides them)
 * are printed first, as for one class variable [inferred].
 */
function classPatternCounts(L: string[], c: ClassCounts, transitions: TransitionTable[]): void {
  const vars = c.perVariable!;
  const names = vars.map((v) => v.name.toUpperCase());
  const patterns = c.labels.map((l) => l.split('.'));
  L.push(PATTERN_ORDER_HEADER, '', '   ' + names.join('  '), '', '  Latent Class Variable Patterns', '');
  L.push(' ' + names.map((n) => n.padStart(10)).join(''), ' ' + names.map(() => 'Class'.padStart(10)).join(''), '');
  for (const p of patterns) L.push(p.map((k) => k.padStart(10)).join(''));
  L.push('', '');
  const patternLabel = (p: string[]) => p.map((k, j) => k.padStart(j === 0 ? 5 : 3)).join('');
  const share = (xs: number[], x: number) => {
    const n = xs.reduce((a, b) => a + b, 0);
    return n > 0 ? x / n : 0;
  };
  const bases: Array<[string, 'model' | 'posterior' | 'mostLikely']> = [];
  if (c.model) bases.push(['BASED ON THE ESTIMATED MODEL', 'model']);
  bases.push(['BASED ON ESTIMATED POSTERIOR PROBABILITIES', 'posterior']);
  bases.push(['BASED ON THEIR MOST LIKELY LATENT CLASS PATTERN', 'mostLikely']);
  for (const [basis, key] of bases) {
    const integer = key === 'mostLikely';
    const num = (x: number, w: number) => (integer ? fmtI(x, w) : fmtF(x, w, 5));
    const xs = key === 'model' ? c.model! : c[key];
    L.push(PATTERN_COUNTS_HEADER, basis, '');
    if (integer) L.push('Class Counts and Proportions', '');
    L.push('  Latent Class', '    Pattern', '');
    patterns.forEach((p, k) => L.push(patternLabel(p) + num(xs[k], 17) + fmtF(share(xs, xs[k]), 17, 5)));
    L.push('', '');
    L.push(VARIABLE_COUNTS_HEADER, basis, '', '  Latent Class', '    Variable    Class', '');
    for (const v of vars) {
      const ys = key === 'model' ? v.model : v[key];
      if (!ys) continue;
      ys.forEach((y, k) => L.push((k === 0 ? '    ' + padR(v.name.toUpperCase(), 8) : ' '.repeat(12)) + fmtI(k + 1, 8) + num(y, 16) + fmtF(share(ys, y), 17, 5)));
    }
    L.push('', '');
  }
  if (transitions.length) L.push(...transitionLines(transitions));
  if (c.entropy !== null) {
    L.push('CLASSIFICATION QUALITY', '');
    L.push(labelValue('     Entropy', fixed(c.entropy, 3), 42), '', '');
  }
  if (c.averagePosterior.length) {
    L.push('Average Latent Class Probabilities for Most Likely Latent Class Pattern (Row)', 'by Latent Class Pattern (Column)', '');
    L.push('  Latent Class Variable Patterns', '');
    L.push('  Latent Class ' + names.map((n) => n.padStart(10)).join(''), '   Pattern No. ' + names.map(() => 'Class'.padStart(10)).join(''), '');
    patterns.forEach((p, k) => L.push(fmtI(k + 1, 10) + p.map((x, j) => x.padStart(j === 0 ? 14 : 10)).join('')));
    L.push('');
    probMatrix(L, [], patterns.map((_, k) => String(k + 1)), c.averagePosterior, 8, false);
  }
}

export const TRANSITIONS_HEADER = 'LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL';

/**
 * LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL, in the layout of a real Mplus 8.11
 * output (immerse-ucsb/lca-bookdown, lta/lta_model/4-class-invariant.out, commit 842782214d;
 * CLASSES = c1(4) c2(4), c2 ON c1): `  C1 Classes (Rows) by C2 Classes (Columns)`, a blank line, the
 * column labels (first right-aligned in 13 columns, the others in 9), a blank line, then one row per
 * class of the first variable: label in 4 columns, probabilities F10.3 then F9.3; two blank lines end
 * the section. Several pairs print one block each, separated by a blank line [inferred]; the section's
 * place after the class counts, before CLASSIFICATION QUALITY, is [inferred] for the Mplus 8.8 layout.
 */
export function transitionLines(ts: TransitionTable[]): string[] {
  const out = [TRANSITIONS_HEADER];
  for (const t of ts) {
    const kb = t.probabilities[0]?.length ?? 0;
    out.push('', `  ${t.from.toUpperCase()} Classes (Rows) by ${t.to.toUpperCase()} Classes (Columns)`, '');
    out.push(Array.from({ length: kb }, (_, b) => String(b + 1).padStart(b === 0 ? 13 : 9)).join(''), '');
    t.probabilities.forEach((row, a) => out.push(String(a + 1).padStart(4) + row.map((p, b) => fmtF(p, b === 0 ? 10 : 9, 3)).join('')));
  }
  out.push('', '');
  return out;
}

/** class-by-class matrix: first column `firstWidth` wide, then 9 wide; wraps after 10 columns [inferred]. */
function probMatrix(L: string[], title: string[], labels: string[], m: number[][], firstWidth: number, blankAfterTitle = true): void {
  L.push(...title);
  if (blankAfterTitle) L.push('');
  const per = 10;
  for (let c0 = 0; c0 < labels.length; c0 += per) {
    const cols = labels.slice(c0, c0 + per);
    L.push('     ' + cols.map((l, j) => l.padStart(j === 0 ? firstWidth - 1 : 9)).join(''), '');
    m.forEach((row, i) => L.push(labels[i].padStart(5) + cols.map((_, j) => fmtF(row[c0 + j], j === 0 ? firstWidth : 9, 3)).join('')));
    L.push('', '');
  }
}

// ---------------------------------------------------------------- MODEL RESULTS

const BLOCK_RANK: Record<string, number> = {
  BY: 0,
  '|': 1,
  ON: 2,
  WITH: 3,
  Means: 4,
  Intercepts: 5,
  Thresholds: 6,
  Variances: 7,
  'Residual Variances': 8,
  'New/Additional Parameters': 9,
};

function blockRank(block: string): number {
  const last = block.split(' ').pop() ?? '';
  return BLOCK_RANK[block] ?? BLOCK_RANK[last] ?? 10;
}

/**
 * ' FW       BY', ' Y          ON', ' S        WITH', ' Means'. Mplus indents ON by two more columns in
 * runs of its mixture / random-effects framework (ex9.2c, ex3.5, ex5.13) than in plain TYPE = GENERAL
 * runs with continuous outcomes (' Y1       ON', ex3.1, ex5.12); `narrowOn` selects the latter.
 */
export function blockHeader(block: string, narrowOn = false): string {
  // MODEL CONSTRAINT parameters: the header starts in column 1 (ex5.20, Mplus 8.11)
  if (block === 'New/Additional Parameters') return block;
  const m = /^(\S+) (BY|ON|WITH|\|)$/.exec(block);
  if (!m) return ' ' + block;
  return ' ' + padR(m[1], 8) + (m[2] === 'ON' && !narrowOn ? '   ON' : ' ' + m[2]);
}

/** parameter row `    %-13s%11.3f%11.3f%11.3f%11.3f`; fixed parameters print 0.000 / 999.000 / 999.000 */
export function parameterRow(p: ParameterEstimate, estimateOnly: boolean): string {
  const head = '    ' + padR(p.name, 13) + fmtF(p.estimate, 11, 3);
  if (estimateOnly) return head;
  const w = waldTest(p);
  // an S.E. that could not be computed prints as 999.000 (Mplus's undefined-value code), never as asterisks
  const se = p.fixed ? 0 : Number.isFinite(p.se) ? p.se : 999;
  return head + fmtF(se, 11, 3) + fmtF(w?.estSe ?? 999, 11, 3) + fmtF(w?.pValue ?? 999, 11, 3);
}

function levelMarker(level: 'within' | 'between'): string {
  return level === 'within' ? 'Within Level' : 'Between Level';
}

function classMarker(label: string): string {
  // class patterns of several class variables ('1.2') are printed as 'Latent Class Pattern 1 2' [inferred]
  return label.includes('.') ? `Latent Class Pattern ${label.split('.').join(' ')}` : `Latent Class ${label}`;
}

function distinct<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

const LEVEL_ORDER = { within: 0, between: 1, null: 2 } as const;

/** levels in Mplus order: Within, Between (null last) */
function levelsOf(ps: ParameterEstimate[]): Array<ParameterEstimate['level']> {
  return distinct(ps.map((p) => p.level)).sort((a, b) => LEVEL_ORDER[`${a}`] - LEVEL_ORDER[`${b}`]);
}

/** class labels in numeric order ('1' < '2' < '10'; patterns '1.2' compared part by part) */
function classesOf(ps: ParameterEstimate[]): Array<string | null> {
  const key = (l: string | null) => (l === null ? [] : l.split('.').map(Number));
  return distinct(ps.map((p) => p.classLabel)).sort((a, b) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  });
}

/** the blocks of one group, ordered BY, |, ON, WITH, Means, Intercepts, Thresholds, Variances, Residual Variances */
/** Regressions of latent variables (random slopes, factors) come before those of observed ones (ex9.2c, ex9.31). */
function blocks(ps: ParameterEstimate[], row: (p: ParameterEstimate) => string, style: ResultsStyle, narrowOn: boolean): string[][] {
  const names = distinct(ps.map((p) => p.block));
  const latentOn = (b: string) => (/ ON$/.test(b) && style.latent.has(b.slice(0, -3)) ? 0 : 1);
  const order = names.map((b, i) => ({ b, i, r: blockRank(b) })).sort((x, y) => x.r - y.r || latentOn(x.b) - latentOn(y.b) || x.i - y.i);
  return order.map(({ b }) => [blockHeader(b, narrowOn), ...ps.filter((p) => p.block === b).map(row)]);
}

interface ResultsStyle {
  narrowOn: boolean;
  /** upper-case names of the continuous latent variables */
  latent: Set<string>;
}

/**
 * The body shared by MODEL RESULTS, the standardized tables and the confidence intervals: levels outside,
 * classes inside, Categorical Latent Variables last; one chunk per marker or block (printed with a blank
 * line before each). `row` formats one parameter, `narrowOn` selects the ON header form.
 */
function resultChunks(params: ParameterEstimate[], row: (p: ParameterEstimate) => string, style: ResultsStyle, narrowOn: boolean): string[][] {
  const chunks: string[][] = [];
  const main = params.filter((p) => !p.categoricalLatent);
  const cat = params.filter((p) => p.categoricalLatent);
  // two-level runs print both level markers even when a level has no parameters of its own (Mplus 8,
  // TWOLEVEL MIXTURE with CLASSES = bc(2) wc(3): an empty 'Between Level' before the categorical part)
  const mainLevels = levelsOf(main);
  if (params.some((p) => p.level !== null)) for (const lv of ['within', 'between'] as const) if (!mainLevels.includes(lv)) mainLevels.push(lv);
  mainLevels.sort((a, b) => LEVEL_ORDER[`${a}`] - LEVEL_ORDER[`${b}`]);
  for (const level of mainLevels) {
    const atLevel = main.filter((p) => p.level === level);
    if (level === 'between' && atLevel.some((p) => p.betweenLevel)) {
      chunks.push(...threeLevelBetweenChunks(atLevel, row, style, narrowOn));
      continue;
    }
    if (level) chunks.push([levelMarker(level)]);
    for (const cl of classesOf(atLevel)) {
      if (cl !== null) chunks.push([classMarker(cl)]);
      chunks.push(...blocks(atLevel.filter((p) => p.classLabel === cl), row, style, narrowOn));
    }
  }
  if (cat.length) {
    chunks.push(['Categorical Latent Variables']);
    for (const level of levelsOf(cat)) {
      if (level) chunks.push([levelMarker(level)]);
      chunks.push(...blocks(cat.filter((p) => p.level === level), row, style, narrowOn));
    }
  }
  return chunks;
}

/**
 * TYPE = THREELEVEL: the between parameters under 'Between LEVEL2 Level' and 'Between LEVEL3 Level'
 * [inferred: the marker names the level as %BETWEEN level2% does; in UG ex9.20-9.23 the cluster
 * variables are also called level2 / level3, so whether Mplus prints the level or the variable is open].
 */
function threeLevelBetweenChunks(ps: ParameterEstimate[], row: (p: ParameterEstimate) => string, style: ResultsStyle, narrowOn: boolean): string[][] {
  const chunks: string[][] = [];
  for (const lv of ['LEVEL2', 'LEVEL3'] as const) {
    chunks.push([`Between ${lv} Level`]);
    chunks.push(...blocks(ps.filter((p) => (p.betweenLevel ?? 'LEVEL2') === lv), row, style, narrowOn));
  }
  return chunks;
}

const RESULTS_HEADER = ['                                                    Two-Tailed', '                    Estimate       S.E.  Est./S.E.    P-Value'];

function modelResults(L: string[], params: ParameterEstimate[], estimateOnly: boolean, style: ResultsStyle): void {
  if (params.length === 0) return;
  L.push('MODEL RESULTS', '');
  L.push(...(estimateOnly ? ['                    Estimate'] : RESULTS_HEADER));
  for (const ch of resultChunks(params, (p) => parameterRow(p, estimateOnly), style, style.narrowOn)) L.push('', ...ch);
  L.push('', '');
}

// ---------------------------------------------------------------- OUTPUT: STANDARDIZED, CINTERVAL, SVALUES

const STANDARDIZATION_TITLE = { stdyx: 'STDYX Standardization', stdy: 'STDY Standardization', std: 'STD Standardization' } as const;

/**
 * STANDARDIZED MODEL RESULTS (one table per requested standardization, in the MODEL RESULTS layout)
 * and R-SQUARE ('Observed' and 'Latent' variable tables), as Mplus 8.11 prints them for ML (ex5.20);
 * mixtures repeat the tables per 'Latent Class k' [inferred: the class markers in R-SQUARE].
 */
function standardizedResults(L: string[], s: StandardizedOut, style: ResultsStyle): void {
  L.push('STANDARDIZED MODEL RESULTS', '', '');
  for (const kind of s.kinds) {
    L.push(STANDARDIZATION_TITLE[kind], '', ...RESULTS_HEADER);
    for (const ch of resultChunks(s.results[kind], (p) => parameterRow(p, false), style, style.narrowOn)) L.push('', ...ch);
    L.push('', '');
  }
  if (!s.results.rSquare.length) return;
  L.push('R-SQUARE');
  const rsRow = (r: RSquareRow) => parameterRow({ par: 0, level: r.level, classLabel: r.classLabel, categoricalLatent: false, block: '', name: r.name, estimate: r.estimate, se: r.se, fixed: r.fixed }, false);
  for (const level of distinct(s.results.rSquare.map((r) => r.level))) {
    if (level) L.push('', levelMarker(level));
    const atLevel = s.results.rSquare.filter((r) => r.level === level);
    for (const cl of distinct(atLevel.map((r) => r.classLabel))) {
      if (cl !== null) L.push('', classMarker(cl));
      const rows = atLevel.filter((r) => r.classLabel === cl);
      const observed = rows.filter((r) => !r.latent);
      const latent = rows.filter((r) => r.latent);
      if (observed.length) {
        L.push('', '    Observed                                        Two-Tailed', '    Variable        Estimate       S.E.  Est./S.E.    P-Value', '');
        L.push(...observed.map(rsRow));
      }
      if (latent.length) {
        L.push('', '     Latent                                         Two-Tailed', '    Variable        Estimate       S.E.  Est./S.E.    P-Value', '');
        L.push(...latent.map(rsRow));
      }
    }
  }
  L.push('', '');
}

/** two-sided normal quantiles of the CINTERVAL columns (99%, 95%, 90% intervals) */
const Z_995 = 2.5758293035489;
const Z_975 = 1.959963984540054;
const Z_95 = 1.6448536269514722;

/**
 * one CONFIDENCE INTERVALS row: name in 10 columns after a 4-blank indent, then Lower .5%, Lower 2.5%,
 * Lower 5%, Estimate, Upper 5%, Upper 2.5%, Upper .5% in F12.3 (ex3.6 and ex3.16, Mplus 8.11). Symmetric
 * Wald intervals estimate +- z S.E.; a fixed parameter (or one without S.E.) prints its value throughout.
 */
export function intervalRow(p: ParameterEstimate): string {
  const se = p.fixed || !(p.se > 0) ? 0 : p.se;
  const xs = [-Z_995, -Z_975, -Z_95, 0, Z_95, Z_975, Z_995].map((z) => p.estimate + z * se);
  return '    ' + padR(p.name, 10) + xs.map((x) => fmtF(x, 12, 3)).join('');
}

const INTERVALS_HEADER = '               ' + ['Lower .5%', 'Lower 2.5%', 'Lower 5%', 'Estimate', 'Upper 5%', 'Upper 2.5%', 'Upper .5%'].map((h) => h.padStart(12)).join('');

/** CONFIDENCE INTERVALS OF MODEL RESULTS (and OF STANDARDIZED MODEL RESULTS); block headers in the narrow ON form */
function confidenceIntervals(L: string[], params: ParameterEstimate[], standardized: StandardizedOut | undefined, style: ResultsStyle): void {
  L.push('CONFIDENCE INTERVALS OF MODEL RESULTS', '', INTERVALS_HEADER);
  for (const ch of resultChunks(params, intervalRow, style, true)) L.push('', ...ch);
  L.push('', '');
  if (!standardized) return;
  L.push('CONFIDENCE INTERVALS OF STANDARDIZED MODEL RESULTS', '', '');
  for (const kind of standardized.kinds) {
    L.push(STANDARDIZATION_TITLE[kind], '', INTERVALS_HEADER);
    for (const ch of resultChunks(standardized.results[kind], intervalRow, style, true)) L.push('', ...ch);
    L.push('', '');
  }
}

/** MODEL COMMAND WITH FINAL ESTIMATES USED AS STARTING VALUES: the lines built by svalues.ts, 5-blank indent */
function svaluesSection(L: string[], lines: string[]): void {
  L.push('MODEL COMMAND WITH FINAL ESTIMATES USED AS STARTING VALUES', '');
  for (const l of lines) L.push(l === '' ? '' : l.startsWith('MODEL ') ? '  ' + l : '     ' + l);
  L.push('', '', '');
}

// ---------------------------------------------------------------- mixture extras

function probabilityScale(L: string[], rows: ProbabilityScaleRow[]): void {
  L.push('RESULTS IN PROBABILITY SCALE', '');
  L.push('                                                    Two-Tailed');
  L.push('                    Estimate       S.E.  Est./S.E.    P-Value');
  for (const cl of distinct(rows.map((r) => r.classLabel))) {
    L.push('');
    if (cl !== null) L.push(classMarker(cl), '');
    for (const r of rows.filter((x) => x.classLabel === cl)) {
      L.push(' ' + r.variable);
      for (const c of r.categories) {
        L.push('    ' + padR(`Category ${c.label}`, 13) + fmtF(c.estimate, 11, 3) + fmtF(c.se, 11, 3) + fmtF(c.estSe, 11, 3) + fmtF(c.pValue, 11, 3));
      }
    }
  }
  L.push('', '');
}

function oddsRatios(L: string[], comps: OddsRatioComparison[]): void {
  L.push('LATENT CLASS INDICATOR ODDS RATIOS FOR THE LATENT CLASSES', '');
  L.push('                                                95% C.I.');
  L.push('                    Estimate       S.E.  Lower 2.5% Upper 2.5%');
  for (const c of comps) {
    L.push('', c.title, '');
    for (const r of c.rows) {
      L.push(' ' + r.variable);
      L.push('    ' + padR(r.label, 13) + fmtF(r.estimate, 11, 3) + fmtF(r.se, 11, 3) + fmtF(r.lower, 11, 3) + fmtF(r.upper, 11, 3));
    }
  }
  L.push('', '');
}

// ---------------------------------------------------------------- TECH1, TECH8

function tech1(L: string[], t: Tech1Output): void {
  L.push('TECHNICAL 1 OUTPUT', '', '');
  for (const s of t.sections) {
    L.push('     ' + s.title, '', '');
    for (const m of s.matrices) L.push(...tech1Matrix(m, s.kind === 'specification'), '', '');
  }
}

/** one TECH1 matrix in blocks of 5 columns; labels 14-column pitch from column 15 (8 characters max) */
export function tech1Matrix(m: Tech1Matrix, integers: boolean): string[] {
  const out: string[] = [];
  const cell = (x: number, w: number) => (integers ? fmtI(x, w) : fmtF(x, w, 3));
  for (let c0 = 0; c0 < m.colLabels.length; c0 += 5) {
    const labels = m.colLabels.slice(c0, c0 + 5);
    out.push('           ' + m.name);
    out.push(trimEnd('              ' + labels.map((l) => padR(l.slice(0, 8), 14)).join('')));
    out.push(trimEnd('              ' + labels.map(() => padR('________', 14)).join('')));
    if (m.rowLabels === null) {
      const row = m.values[0] ?? [];
      out.push(row.slice(c0, c0 + 5).map((x, j) => cell(x, j === 0 ? 21 : 14)).join(''));
    } else {
      m.rowLabels.forEach((rl, i) => {
        const row = m.values[i].slice(c0, c0 + 5);
        if (row.length === 0) return; // lower triangle: rows above the block's first column
        out.push(' ' + padR(rl.slice(0, 8), 8) + row.map((x, j) => cell(x, j === 0 ? 12 : 14)).join(''));
      });
    }
    if (c0 + 5 < m.colLabels.length) out.push('', '');
  }
  return out;
}

const TECH8_HEADER = '   E STEP  ITER  LOGLIKELIHOOD    ABS CHANGE   REL CHANGE  ALGORITHM';

function tech8Rows(L: string[], s: StartIterations['iterations']): void {
  for (const it of s) {
    L.push(fmtI(it.iteration, 15) + ' ' + fmtD(it.loglikelihood, 8).padStart(15) + fmtF(it.absChange, 13, 7) + fmtF(it.relChange, 13, 7) + '  ' + it.algorithm);
  }
}

function tech8(L: string[], r: EstimationResult): void {
  L.push('TECHNICAL 8 OUTPUT', '', '');
  const runs = r.startIterations ?? [];
  if (runs.length === 0) {
    L.push(TECH8_HEADER);
    tech8Rows(L, r.iterations);
    L.push('', '');
    return;
  }
  for (const stage of ['initial', 'final'] as const) {
    const rs = runs.filter((x) => x.stage === stage);
    if (!rs.length) continue;
    L.push(stage === 'initial' ? '  INITIAL STAGE ITERATIONS' : '  FINAL STAGE ITERATIONS', '', '');
    for (const run of rs) {
      L.push(run.start === 'unperturbed' ? '  TECHNICAL 8 OUTPUT FOR UNPERTURBED STARTING VALUE SET' : `  TECHNICAL 8 OUTPUT FOR STARTING VALUE SET ${run.start}`, '', '');
      if (stage === 'initial') L.push(TECH8_HEADER);
      tech8Rows(L, run.iterations);
      L.push('', '');
    }
  }
}

// ---------------------------------------------------------------- SAVEDATA, footer

/**
 * PLOT INFORMATION as Mplus prints it ('The following plots are available:' and two-space indented
 * kinds; its position before SAVEDATA INFORMATION is [inferred]), then the files plusmix wrote, which
 * Mplus does not list (it shows its plots in a viewer instead).
 */
function plotInformation(L: string[], p: PlotInfo): void {
  if (!p.files.length) {
    L.push('PLOT INFORMATION', '', 'No plots are available for this model.', '', '');
    return;
  }
  L.push('PLOT INFORMATION', '', 'The following plots are available:', '');
  for (const k of p.kinds) L.push('  ' + k);
  L.push('', 'Plot files written (SVG, with an HTML page linking them):', '');
  for (const f of p.files) L.push('  ' + f);
  L.push('', '');
}

function savedata(L: string[], s: SaveDataInfo): void {
  L.push(...saveDataInformation(s), '', '');
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function parts(d: Date, utc: boolean) {
  return utc
    ? { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() }
    : { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds() };
}

/** `04/19/2022  10:57 PM` */
function dateLine(d: Date, utc: boolean): string {
  const p = parts(d, utc);
  const h12 = p.h % 12 === 0 ? 12 : p.h % 12;
  return `${two(p.mo)}/${two(p.d)}/${p.y}  ${two(h12)}:${two(p.mi)} ${p.h < 12 ? 'AM' : 'PM'}`;
}

function clock(d: Date, utc: boolean): string {
  const p = parts(d, utc);
  return `${two(p.h)}:${two(p.mi)}:${two(p.s)}`;
}

function footer(L: string[], o: OutOptions): void {
  if (o.timestamps) {
    const { begin, end } = o.timestamps;
    const secs = Math.max(0, Math.round((end.getTime() - begin.getTime()) / 1000));
    const elapsed = `${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}`;
    L.push(`     Beginning Time:  ${clock(begin, !!o.utc)}`);
    L.push(`        Ending Time:  ${clock(end, !!o.utc)}`);
    L.push(`       Elapsed Time:  ${elapsed}`);
    L.push('', '', '');
  }
  L.push(`PLUSMIX ${o.plusmixVersion}`);
  L.push('Open-source interpreter for Mplus-style input files.');
  L.push('This file imitates the layout of Mplus output; it was not produced by Mplus.');
}
