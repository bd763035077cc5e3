// Reader for real Mplus .out files (and for plusmix's own .out files, which share the layout).
//
// It returns the writer's input structures (OutInput minus options) plus the metadata of the file, so
// that (1) `plusmix diff` can compare any two results through the EstimationResult view and (2) the
// layout test can read a real output, print it again with writeOut and compare line by line.
// Sections it does not understand are listed in `skipped` (e.g. TECHNICAL 10 OUTPUT, AUXILIARY (E) tests).

import type {
  ClassCounts,
  ClassVariableInfo,
  EstimationResult,
  FitStatistics,
  IterationRecord,
  ParameterEstimate,
  RandomStartRow,
  StartIterations,
  Tech11Result,
  Tech14Result,
  Warning,
} from '../results/types.js';
import type { TransitionTable } from '../results/transition.js';
import { parseFortran } from './format.js';
import type {
  AnalysisSummary,
  DataSummaryOut,
  InputWarning,
  OddsRatioComparison,
  OutInput,
  PlotInfo,
  ProbabilityScaleRow,
  SaveDataInfo,
  SpecLine,
  Tech1Matrix,
  Tech1Output,
  Tech1Section,
  VariableList,
} from './types.js';

export interface MplusOutputFile {
  /** from line 1, `Mplus VERSION 8.8` */
  version: string;
  /** true when line 2 names plusmix (a plusmix-written file) */
  writtenByPlusmix: boolean;
  inputText: string;
  title: string[];
  /** `*** WARNING` blocks after the input echo (absent when INPUT READING TERMINATED NORMALLY was printed) */
  inputWarnings?: InputWarning[];
  /** LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL, as printed */
  transitions?: TransitionTable[];
  summary: AnalysisSummary;
  dataSummary?: DataSummaryOut;
  result: EstimationResult;
  tech1?: Tech1Output;
  hasTech8: boolean;
  probabilityScale?: ProbabilityScaleRow[];
  oddsRatios?: OddsRatioComparison[];
  savedata?: SaveDataInfo;
  /** PLOT INFORMATION: plot kinds (and, in plusmix files, the plot files) */
  plots?: PlotInfo;
  /** regression headers in the narrow form of plain TYPE = GENERAL runs (' Y1       ON') */
  narrowOn: boolean;
  /** from the date line and the timing block (clock times taken as UTC) */
  timestamps: { begin: Date; end: Date } | null;
  /** top-level sections present but not parsed */
  skipped: string[];
}

/** Top-level headers (column 0, alone on their line) that delimit sections. */
const HEADERS = [
  'INPUT INSTRUCTIONS',
  'INPUT READING TERMINATED NORMALLY',
  'SUMMARY OF ANALYSIS',
  'SUMMARY OF DATA',
  'COVARIANCE COVERAGE OF DATA',
  'UNIVARIATE PROPORTIONS AND COUNTS FOR CATEGORICAL VARIABLES',
  'UNIVARIATE SAMPLE STATISTICS',
  'SAMPLE STATISTICS',
  'RANDOM STARTS RESULTS RANKED FROM THE BEST TO THE WORST LOGLIKELIHOOD VALUES',
  'THE MODEL ESTIMATION TERMINATED NORMALLY',
  'THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY.',
  'MODEL FIT INFORMATION',
  'FINAL CLASS COUNTS AND PROPORTIONS FOR THE LATENT CLASSES',
  'MODEL RESULTS USE THE LATENT CLASS VARIABLE ORDER',
  'FINAL CLASS COUNTS AND PROPORTIONS FOR THE LATENT CLASS PATTERNS',
  'FINAL CLASS COUNTS AND PROPORTIONS FOR EACH LATENT CLASS VARIABLE',
  'LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL',
  'CLASSIFICATION QUALITY',
  'MODEL RESULTS',
  'QUALITY OF NUMERICAL RESULTS',
  'RESULTS IN PROBABILITY SCALE',
  'LATENT CLASS INDICATOR ODDS RATIOS FOR THE LATENT CLASSES',
  'EQUALITY TESTS OF MEANS ACROSS CLASSES USING POSTERIOR PROBABILITY-BASED',
  'STANDARDIZED MODEL RESULTS',
  'R-SQUARE',
  'CONFIDENCE INTERVALS OF MODEL RESULTS',
  'CONFIDENCE INTERVALS OF STANDARDIZED MODEL RESULTS',
  'MODEL COMMAND WITH FINAL ESTIMATES USED AS STARTING VALUES',
  'SAVEDATA INFORMATION',
  'PLOT INFORMATION',
];

/** a top-level section header line of an Mplus .out file (column 0, exact text) */
export function isTopLevelHeader(line: string): boolean {
  return HEADERS.includes(line) || /^TECHNICAL \d+ OUTPUT$/.test(line) || /^\s+Beginning Time:/.test(line);
}

const NUM = /^-?\d*\.?\d+(?:[DE][+-]\d+)?$/i;
const num = (s: string) => (/[DE]/i.test(s) ? parseFortran(s) : Number(s));
const tokens = (s: string) => s.trim().split(/\s+/).filter(Boolean);

export class MplusReadError extends Error {}

export function readMplusOut(text: string): MplusOutputFile {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const vm = /Mplus VERSION ([\d.]+)/.exec(lines[0] ?? '');
  if (!vm) throw new MplusReadError('not an Mplus output file: line 1 lacks "Mplus VERSION"');
  const version = vm[1];

  // section table: header line index -> end (exclusive)
  const starts: number[] = [];
  lines.forEach((l, i) => {
    if (isTopLevelHeader(l)) starts.push(i);
  });
  const sections: Array<{ name: string; from: number; to: number }> = starts.map((s, k) => ({
    name: lines[s].trim(),
    from: s,
    to: k + 1 < starts.length ? starts[k + 1] : lines.length,
  }));
  const find = (name: string) => sections.find((s) => s.name === name);
  const body = (s: { from: number; to: number } | undefined) => (s ? lines.slice(s.from + 1, s.to) : []);

  // ---- input echo and title
  const echoSec = find('INPUT INSTRUCTIONS');
  const echo = body(echoSec);
  // the echo ends at INPUT READING TERMINATED NORMALLY, or at the first *** WARNING / *** ERROR block
  const stop = echo.findIndex((l) => /^\*\*\* (WARNING|ERROR)/.test(l) || /^\s+\d+ (WARNING|ERROR)\(S\) FOUND IN THE INPUT INSTRUCTIONS/.test(l));
  const warningArea = stop >= 0 ? echo.slice(stop) : [];
  if (stop >= 0) echo.length = stop;
  while (echo.length && echo[0] === '') echo.shift();
  while (echo.length && echo[echo.length - 1] === '') echo.pop();
  const inputText = echo.map((l) => (l.startsWith('  ') ? l.slice(2) : l)).join('\n') + '\n';
  // with input warnings Mplus prints them (and the title after them) instead of INPUT READING TERMINATED NORMALLY
  const inputWarnings = find('INPUT READING TERMINATED NORMALLY') ? [] : readInputWarnings(warningArea);
  const countLine = warningArea.findIndex((l) => /^\s+\d+ WARNING\(S\) FOUND IN THE INPUT INSTRUCTIONS/.test(l));
  const afterInput = find('INPUT READING TERMINATED NORMALLY') ? body(find('INPUT READING TERMINATED NORMALLY')) : countLine >= 0 ? warningArea.slice(countLine + 1) : [];
  while (afterInput.length && afterInput[0] === '') afterInput.shift();
  const title: string[] = [];
  for (const l of afterInput) {
    if (l === '') break;
    title.push(l);
  }

  const summary = readSummary(body(find('SUMMARY OF ANALYSIS')));
  const dataSummary = readDataSummary(
    body(find('SUMMARY OF DATA')),
    body(find('UNIVARIATE SAMPLE STATISTICS')),
    body(find('UNIVARIATE PROPORTIONS AND COUNTS FOR CATEGORICAL VARIABLES')),
  );

  const terminated = find('THE MODEL ESTIMATION TERMINATED NORMALLY');
  const failed = find('THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY.');
  const warnings = readWarnings(body(terminated ?? failed));
  const estimatorSpec = summary.specs.find((s) => s.label === 'Estimator')?.value ?? 'ML';
  const fit = readFit(body(find('MODEL FIT INFORMATION')), summary.observations);
  const counts = sections.filter((s) => s.name === 'FINAL CLASS COUNTS AND PROPORTIONS FOR THE LATENT CLASSES');
  const parameters = readParameters(body(find('MODEL RESULTS')));
  const patternCounts = sections.filter((s) => s.name === 'FINAL CLASS COUNTS AND PROPORTIONS FOR THE LATENT CLASS PATTERNS');
  const variableCounts = sections.filter((s) => s.name === 'FINAL CLASS COUNTS AND PROPORTIONS FOR EACH LATENT CLASS VARIABLE');
  const order = find('MODEL RESULTS USE THE LATENT CLASS VARIABLE ORDER');
  let classVariables: ClassVariableInfo[] | undefined;
  let classCounts: ClassCounts | null = null;
  if (patternCounts.length && order) {
    const multi = readClassPatternCounts(
      body(order),
      patternCounts.map((s) => lines.slice(s.from, s.to)),
      variableCounts.map((s) => lines.slice(s.from, s.to)),
      body(find('CLASSIFICATION QUALITY')),
      parameters,
    );
    classCounts = multi.counts;
    classVariables = multi.variables;
  } else if (counts.length) {
    classCounts = readClassCounts(counts.map((s) => lines.slice(s.from, s.to)), body(find('CLASSIFICATION QUALITY')));
  }
  const quality = body(find('QUALITY OF NUMERICAL RESULTS')).find((l) => l.includes('Condition Number'));
  const t8 = find('TECHNICAL 8 OUTPUT');
  const tech8 = t8 ? readTech8(body(t8)) : null;
  const rsSec = find('RANDOM STARTS RESULTS RANKED FROM THE BEST TO THE WORST LOGLIKELIHOOD VALUES');

  const result: EstimationResult = {
    terminatedNormally: !!terminated,
    estimator: estimatorSpec as EstimationResult['estimator'],
    fit,
    parameters,
    classCounts,
    randomStarts: rsSec ? readRandomStarts(body(rsSec)) : null,
    warnings,
    conditionNumber: quality ? num(tokens(quality).pop()!) : null,
    theta: new Float64Array(0),
    start: new Float64Array(0),
    covariance: null,
    iterations: tech8?.flat ?? [],
    startIterations: tech8?.runs.length ? tech8.runs : undefined,
  };
  if (classVariables) result.classVariables = classVariables;
  const ltp = find('LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL');
  const transitions = ltp ? readTransitions(body(ltp)) : [];
  const t11 = find('TECHNICAL 11 OUTPUT');
  const t14 = find('TECHNICAL 14 OUTPUT');
  const tech11 = t11 ? readTech11(body(t11)) : null;
  const tech14 = t14 ? readTech14(body(t14)) : null;
  if (tech11) result.tech11 = tech11;
  if (tech14) result.tech14 = tech14;
  const integ = integrationFromSpecs(summary.specs);
  if (integ) result.integration = integ;

  const t1 = find('TECHNICAL 1 OUTPUT');
  const known = new Set([
    'INPUT INSTRUCTIONS', 'INPUT READING TERMINATED NORMALLY', 'SUMMARY OF ANALYSIS', 'SUMMARY OF DATA', 'UNIVARIATE SAMPLE STATISTICS',
    'UNIVARIATE PROPORTIONS AND COUNTS FOR CATEGORICAL VARIABLES', 'RANDOM STARTS RESULTS RANKED FROM THE BEST TO THE WORST LOGLIKELIHOOD VALUES',
    'THE MODEL ESTIMATION TERMINATED NORMALLY', 'THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY.', 'MODEL FIT INFORMATION',
    'FINAL CLASS COUNTS AND PROPORTIONS FOR THE LATENT CLASSES', 'CLASSIFICATION QUALITY', 'MODEL RESULTS USE THE LATENT CLASS VARIABLE ORDER',
    'FINAL CLASS COUNTS AND PROPORTIONS FOR THE LATENT CLASS PATTERNS', 'FINAL CLASS COUNTS AND PROPORTIONS FOR EACH LATENT CLASS VARIABLE', 'MODEL RESULTS', 'QUALITY OF NUMERICAL RESULTS',
    'RESULTS IN PROBABILITY SCALE', 'LATENT CLASS INDICATOR ODDS RATIOS FOR THE LATENT CLASSES', 'TECHNICAL 1 OUTPUT', 'TECHNICAL 8 OUTPUT',
    ...(tech11 ? ['TECHNICAL 11 OUTPUT'] : []), ...(tech14 ? ['TECHNICAL 14 OUTPUT'] : []),
    ...(transitions.length ? ['LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL'] : []),
    'SAVEDATA INFORMATION', 'PLOT INFORMATION',
  ]);
  const ps = find('RESULTS IN PROBABILITY SCALE');
  const or = find('LATENT CLASS INDICATOR ODDS RATIOS FOR THE LATENT CLASSES');
  const sd = find('SAVEDATA INFORMATION');
  return {
    version,
    writtenByPlusmix: /^PLUSMIX /.test(lines[1] ?? ''),
    inputText,
    title,
    ...(inputWarnings.length ? { inputWarnings } : {}),
    ...(transitions.length ? { transitions } : {}),
    summary,
    dataSummary,
    result,
    tech1: t1 ? readTech1(body(t1)) : undefined,
    hasTech8: !!t8,
    probabilityScale: ps ? readProbabilityScale(body(ps)) : undefined,
    oddsRatios: or ? readOddsRatios(body(or)) : undefined,
    savedata: sd ? readSaveData(body(sd)) : undefined,
    plots: find('PLOT INFORMATION') ? readPlotInformation(body(find('PLOT INFORMATION'))) : undefined,
    narrowOn: body(find('MODEL RESULTS')).some((l) => /^ \S+ +ON$/.test(l) && l.length === 12),
    timestamps: readTimestamps(lines),
    skipped: sections.map((s) => s.name).filter((n) => !known.has(n) && !n.startsWith('Beginning Time:')),
  };
}

/**
 * `label ... value` lines of TECHNICAL 11 / 14 OUTPUT (value right-aligned at column 65): the value of the
 * first line whose text before the value is `label` (blanks trimmed), as a string
 */
function labelled(b: string[], label: string, from = 0): string | undefined {
  for (let i = from; i < b.length; i++) {
    const m = /^\s*(.*?)\s{2,}(\S+)\s*$/.exec(b[i]);
    if (m && m[1] === label) return m[2];
  }
  return undefined;
}

/** the '(initial, final)' pair of 'Random Starts Specifications for the k-1 Class Analysis Model' */
function k1Starts(b: string[]): [number, number] {
  const i = b.findIndex((l) => l.includes('Random Starts Specifications for the k-1 Class Analysis Model'));
  return [Number(labelled(b, 'Number of initial stage random starts', i + 1) ?? NaN), Number(labelled(b, 'Number of final stage optimizations', i + 1) ?? NaN)];
}

/**
 * TECHNICAL 11 OUTPUT (layout: src/output/tech11.ts). Not printed, so left empty: the eigenvalues of
 * the weighted chi-square and the H0 warnings.
 */
function readTech11(b: string[]): Tech11Result | null {
  const head = b.map((l) => /VUONG-LO-MENDELL-RUBIN LIKELIHOOD RATIO TEST FOR (\d+) \(H0\) VERSUS (\d+) CLASSES/.exec(l)).find((m) => m);
  if (!head) return null;
  const at = b.findIndex((l) => l.includes('VUONG-LO-MENDELL-RUBIN'));
  const lmr = b.findIndex((l) => l.includes('LO-MENDELL-RUBIN ADJUSTED LRT TEST'));
  const v = (label: string, from: number) => num(labelled(b, label, from) ?? 'NaN');
  return {
    classes: Number(head[2]),
    k1Starts: k1Starts(b),
    h0Loglikelihood: v('H0 Loglikelihood Value', at),
    lrt: v('2 Times the Loglikelihood Difference', at),
    parameterDifference: v('Difference in the Number of Parameters', at),
    mean: v('Mean', at),
    sd: v('Standard Deviation', at),
    pValue: v('P-Value', at),
    adjusted: { value: lmr >= 0 ? v('Value', lmr) : NaN, pValue: lmr >= 0 ? v('P-Value', lmr) : NaN },
    eigenvalues: [],
    warnings: [],
  };
}

/**
 * TECHNICAL 14 OUTPUT. Not printed, so left empty / unknown: the LRT of each draw and the seed (NaN);
 * `notReplicated` from the local-maxima warning ('OF THE 5 BOOTSTRAP DRAWS, 2 DRAWS HAD ...').
 */
function readTech14(b: string[]): Tech14Result | null {
  const head = b.map((l) => /PARAMETRIC BOOTSTRAPPED LIKELIHOOD RATIO TEST FOR (\d+) \(H0\) VERSUS (\d+) CLASSES/.exec(l)).find((m) => m);
  if (!head) return null;
  const at = b.findIndex((l) => l.includes('PARAMETRIC BOOTSTRAPPED'));
  const v = (label: string, from: number) => num(labelled(b, label, from) ?? 'NaN');
  const gen1 = b.findIndex((l) => l.includes('k-1 Class Model for Generated Data'));
  const gen2 = b.findIndex((l) => l.includes('k Class Model for Generated Data'));
  const requested = labelled(b, 'Number of bootstrap draws requested');
  const warn = b.map((l) => /OF THE (\d+) BOOTSTRAP DRAWS, (\d+) DRAWS HAD/.exec(l)).find((m) => m);
  return {
    classes: Number(head[2]),
    k1Starts: k1Starts(b),
    lrtStarts: [v('Number of initial stage random starts', gen1), v('initial stage random starts', gen1 + 2), v('Number of initial stage random starts', gen2), v('Number of final stage optimizations', gen2)],
    drawsRequested: requested === undefined || requested === 'Varies' ? null : Number(requested),
    h0Loglikelihood: v('H0 Loglikelihood Value', at),
    lrt: v('2 Times the Loglikelihood Difference', at),
    parameterDifference: v('Difference in the Number of Parameters', at),
    pValue: v('Approximate P-Value', at),
    successfulDraws: v('Successful Bootstrap Draws', at),
    draws: [],
    notReplicated: warn ? Number(warn[2]) : 0,
    seed: NaN,
  };
}

/** `  C1 Classes (Rows) by C2 Classes (Columns)` blocks and their probability rows (layout: out.ts transitionLines) */
function readTransitions(b: string[]): TransitionTable[] {
  const out: TransitionTable[] = [];
  for (const l of b) {
    const h = /^\s+(\S+) Classes \(Rows\) by (\S+) Classes \(Columns\)\s*$/.exec(l);
    if (h) out.push({ from: h[1], to: h[2], probabilities: [], basis: 'printed' });
    else if (out.length && /^\s+\d+(\s+-?\d*\.\d+)+\s*$/.test(l)) out[out.length - 1].probabilities.push(tokens(l).slice(1).map(Number));
  }
  return out;
}

/** the `*** WARNING [in X command]` blocks before the count line `   N WARNING(S) FOUND IN THE INPUT INSTRUCTIONS` */
function readInputWarnings(area: string[]): InputWarning[] {
  const out: InputWarning[] = [];
  let cur: InputWarning | null = null;
  for (const l of area) {
    if (/^\s+\d+ (WARNING|ERROR)\(S\) FOUND IN THE INPUT INSTRUCTIONS/.test(l)) break;
    const m = /^\*\*\* WARNING(?: in (.+) command)?\s*$/.exec(l);
    if (m) out.push((cur = { code: 'mplus-input-warning', command: m[1] ?? null, lines: [] }));
    else if (l.startsWith('***')) cur = null; // an ERROR block
    else if (cur && l !== '') cur.lines.push(l.startsWith('  ') ? l.slice(2) : l);
  }
  return out;
}

/** PLOT INFORMATION: the two-space indented kinds, then (plusmix) the files after 'Plot files written' */
function readPlotInformation(b: string[]): PlotInfo {
  const p: PlotInfo = { kinds: [], files: [] };
  let files = false;
  for (const l of b) {
    if (l.startsWith('Plot files written')) files = true;
    else if (/^ {2}\S/.test(l)) (files ? p.files : p.kinds).push(l.trim());
  }
  return p;
}

/** The writer input that reproduces the file (the layout round trip). */
export function toOutInput(f: MplusOutputFile, plusmixVersion: string): OutInput {
  return {
    inputText: f.inputText,
    title: f.title,
    ...(f.inputWarnings ? { inputWarnings: f.inputWarnings } : {}),
    ...(f.transitions ? { transitions: f.transitions } : {}),
    summary: f.summary,
    dataSummary: f.dataSummary,
    result: f.result,
    tech1: f.tech1,
    probabilityScale: f.probabilityScale,
    oddsRatios: f.oddsRatios,
    savedata: f.savedata,
    plots: f.plots,
    narrowOn: f.narrowOn,
    options: { mplusVersion: f.version, plusmixVersion, timestamps: f.timestamps, utc: true, tech1: !!f.tech1, tech8: f.hasTech8, tech11: !!f.result.tech11, tech14: !!f.result.tech14 },
  };
}

// ---------------------------------------------------------------- SUMMARY OF ANALYSIS

function firstInt(lines: string[], label: string): number {
  const l = lines.find((x) => x.startsWith(label));
  return l ? Number(tokens(l).pop()) : 0;
}

function readSummary(b: string[]): AnalysisSummary {
  const s: AnalysisSummary = {
    groups: firstInt(b, 'Number of groups'),
    observations: firstInt(b, 'Number of observations'),
    dependent: firstInt(b, 'Number of dependent variables'),
    independent: firstInt(b, 'Number of independent variables'),
    continuousLatent: firstInt(b, 'Number of continuous latent variables'),
    categoricalLatent: firstInt(b, 'Number of categorical latent variables'),
    variableLists: [],
    specialFunctions: [],
    specs: [],
    inputFiles: [],
    inputFormat: 'FREE',
  };
  // the count lines end with 'Number of categorical latent variables', which runs without mixture omit
  let i = 0;
  b.forEach((l, k) => {
    if (/^Number of (continuous|categorical) latent variables/.test(l)) i = k + 1;
  });
  let list: VariableList | null = null;
  for (; i < b.length; i++) {
    const l = b[i];
    if (l.startsWith('Estimator') || l === 'Variables with special functions') break;
    if (l === '') continue;
    if (!l.startsWith(' ')) {
      list = { title: l, groups: [] };
      s.variableLists.push(list);
    } else if (list && /^ {2}\S/.test(l)) {
      list.groups.push({ subtitle: l.trim(), names: [] });
    } else if (list) {
      if (!list.groups.length) list.groups.push({ names: [] });
      list.groups[list.groups.length - 1].names.push(...tokens(l));
    }
  }
  if (b[i] === 'Variables with special functions') {
    // up to 'Estimator'; Within / Between lists end with a blank line of their own, the last blank
    // line before 'Estimator' is the writer's
    for (i += 2; i < b.length && !b[i].startsWith('Estimator'); i++) s.specialFunctions.push(b[i]);
    if (s.specialFunctions[s.specialFunctions.length - 1] === '') s.specialFunctions.pop();
  }
  for (; i < b.length && b[i] !== ''; i++) s.specs.push(specLine(b[i]));
  for (; i < b.length; i++) {
    if (b[i] === 'Input data file(s)') {
      for (i++; i < b.length && b[i].startsWith('  '); i++) s.inputFiles.push(b[i].trim());
    }
    const m = /^Input data format\s+(\S+)/.exec(b[i] ?? '');
    if (m) s.inputFormat = m[1];
  }
  return s;
}

/** a specification line: label + value right-aligned to column 66, or a bare sub-header */
function specLine(l: string): SpecLine {
  const indent = l.length - l.trimStart().length;
  const m = /^(\s*)(.*?\S)\s{2,}(\S+)$/.exec(l);
  if (m && l.length === 66) return { indent, label: m[2], value: m[3] };
  return { indent, label: l.trim() };
}

function integrationFromSpecs(specs: SpecLine[]): EstimationResult['integration'] | undefined {
  const i = specs.findIndex((s) => s.label === 'Integration Specifications');
  if (i < 0) return undefined;
  const get = (label: string) => specs.slice(i).find((s) => s.label === label)?.value;
  return {
    type: get('Type') ?? 'STANDARD',
    points: Number(get('Number of integration points') ?? 0),
    dimensions: Number(get('Dimensions of numerical integration') ?? 0),
    adaptive: get('Adaptive quadrature') === 'ON',
  };
}

// ---------------------------------------------------------------- data sections

function readDataSummary(sd: string[], uni: string[], props: string[]): DataSummaryOut | undefined {
  if (!sd.length && !uni.length && !props.length) return undefined;
  const d: DataSummaryOut = {};
  for (let i = 0; i < sd.length; i++) {
    const l = sd[i];
    if (l.includes('Number of missing data patterns')) d.missingPatterns = Number(tokens(l).pop());
    else if (l.includes('Number of clusters')) d.clusters = Number(tokens(l).pop());
    else if (l.includes('Average cluster size')) d.averageClusterSize = Number(tokens(l).pop());
    else if (l.includes('Estimated Intraclass Correlations')) {
      d.icc = [];
      for (let j = i + 1; j < sd.length; j++) {
        const t = tokens(sd[j]);
        if (t.length >= 2 && t.length % 2 === 0 && t.every((x, k) => k % 2 === 0 || NUM.test(x)) && t[0] !== 'Variable') {
          for (let k = 0; k < t.length; k += 2) d.icc.push({ name: t[k], value: Number(t[k + 1]) });
        }
      }
    }
  }
  if (uni.length) {
    d.univariate = [];
    for (let i = 0; i < uni.length - 1; i++) {
      const a = tokens(uni[i]);
      const c = tokens(uni[i + 1]);
      if (/^ {5}\S/.test(uni[i]) && a.length === 8 && c.length === 7 && a.slice(1).every((x) => NUM.test(x.replace('%', '')))) {
        const p = (x: string) => Number(x.replace('%', ''));
        d.univariate.push({
          name: a[0], mean: +a[1], skewness: +a[2], min: +a[3], pctMin: p(a[4]), p20: +a[5], p40: +a[6], median: +a[7],
          n: +c[0], variance: +c[1], kurtosis: +c[2], max: +c[3], pctMax: p(c[4]), p60: +c[5], p80: +c[6],
        });
        i++;
      }
    }
  }
  if (props.length) {
    d.proportions = [];
    for (const l of props) {
      const m = /^ {6}Category (\S+)\s+(\S+)\s+(\S+)$/.exec(l);
      if (m) d.proportions[d.proportions.length - 1]?.categories.push({ label: m[1], proportion: +m[2], count: +m[3] });
      else if (/^ {4}\S/.test(l)) d.proportions.push({ name: l.trim(), categories: [] });
    }
  }
  return d;
}

// ---------------------------------------------------------------- estimation

function readRandomStarts(b: string[]): NonNullable<EstimationResult['randomStarts']> {
  const rows: RandomStartRow[] = [];
  let i = b.findIndex((l) => l.startsWith('Final stage loglikelihood values')) + 1;
  while (i < b.length && b[i] === '') i++;
  for (; i < b.length && b[i] !== ''; i++) {
    const t = tokens(b[i]);
    if (t.length !== 3) break;
    rows.push({ loglikelihood: +t[0], seed: t[1] === 'unperturbed' ? 'unperturbed' : +t[1], start: +t[2] });
  }
  const text = b.join('\n');
  const fm = /(\d+) perturbed starting value run\(s\) did not converge/.exec(text);
  return { rows, replicated: text.includes('HAS BEEN REPLICATED'), failed: fm ? +fm[1] : 0 };
}

function readWarnings(b: string[]): Warning[] {
  const out: Warning[] = [];
  let cur: string[] = [];
  const flush = () => {
    if (cur.length) {
      out.push({ code: cur[0].startsWith('WARNING') ? 'mplus-warning' : 'mplus-message', lines: cur });
      cur = [];
    }
  };
  for (const l of b) {
    if (l === '') flush();
    else cur.push(l.startsWith('     ') ? l.slice(5) : l.trim());
  }
  flush();
  return out;
}

function readFit(b: string[], n: number): FitStatistics | null {
  if (!b.length) return null;
  const val = (label: string, from = 0, to = b.length) => {
    const l = b.slice(from, to).find((x) => x.trimStart().startsWith(label));
    return l === undefined ? NaN : Number(tokens(l).pop());
  };
  const f: FitStatistics = {
    loglikelihood: val('H0 Value'),
    parameters: val('Number of Free Parameters'),
    scalingCorrection: b.some((l) => l.includes('H0 Scaling Correction Factor')) ? val('H0 Scaling Correction Factor') : null,
    aic: val('Akaike (AIC)'),
    bic: val('Bayesian (BIC)'),
    abic: val('Sample-Size Adjusted BIC'),
    n,
  };
  if (b.some((l) => l.trimStart().startsWith('H1 Value'))) f.h1Loglikelihood = val('H1 Value');
  // SEM fit sections of single-level runs: each from its title to the next blank-blank gap
  const section = (title: string): [number, number] | null => {
    const i = b.indexOf(title);
    if (i < 0) return null;
    let j = i + 2;
    while (j < b.length && b[j] !== '') j++;
    return [i + 1, j];
  };
  const chi = (title: string) => {
    const r = section(title);
    return r ? { value: val('Value', ...r), df: val('Degrees of Freedom', ...r), pValue: val('P-Value', ...r) } : undefined;
  };
  const cs = chi('Chi-Square Test of Model Fit');
  if (cs) f.chiSquare = cs;
  const rm = section('RMSEA (Root Mean Square Error Of Approximation)');
  if (rm) {
    const ci = tokens(b.slice(...rm).find((l) => l.trimStart().startsWith('90 Percent C.I.')) ?? '');
    f.rmsea = { estimate: val('Estimate', ...rm), lower: Number(ci[ci.length - 2]), upper: Number(ci[ci.length - 1]), probabilityClose: val('Probability RMSEA', ...rm) };
  }
  const ct = section('CFI/TLI');
  if (ct) {
    f.cfi = val('CFI', ...ct);
    f.tli = val('TLI', ...ct);
  }
  const base = chi('Chi-Square Test of Model Fit for the Baseline Model');
  if (base) f.baselineChiSquare = base;
  const sr = section('SRMR (Standardized Root Mean Square Residual)');
  if (sr) f.srmr = val('Value', ...sr);
  const pi = b.findIndex((l) => l.trim() === 'Pearson Chi-Square');
  const li = b.findIndex((l) => l.trim() === 'Likelihood Ratio Chi-Square');
  if (pi >= 0 && li > pi) {
    const test = (from: number, to: number) => ({ value: val('Value', from, to), df: val('Degrees of Freedom', from, to), pValue: val('P-Value', from, to) });
    f.categoricalChiSquare = { pearson: test(pi, li), likelihoodRatio: test(li, Math.min(b.length, li + 8)) };
  }
  return f;
}

function readClassCounts(blocks: string[][], quality: string[]): ClassCounts {
  const rows = (blk: string[]) =>
    blk.map((l) => /^\s*(\S+)\s+([0-9.-]+)\s+([0-9.-]+)\s*$/.exec(l)).filter((m): m is RegExpExecArray => !!m && NUM.test(m[2]));
  let model: number[] | null = null;
  let posterior: number[] = [];
  let mostLikely: number[] = [];
  let labels: string[] = [];
  for (const blk of blocks) {
    const r = rows(blk);
    const xs = r.map((m) => +m[2]);
    labels = r.map((m) => m[1]);
    if (blk[1]?.startsWith('BASED ON THE ESTIMATED MODEL')) model = xs;
    else if (blk[1]?.startsWith('BASED ON ESTIMATED POSTERIOR')) posterior = xs;
    else if (blk[1]?.startsWith('BASED ON THEIR MOST LIKELY')) mostLikely = xs;
  }
  const ent = quality.find((l) => l.trim().startsWith('Entropy'));
  const matrices = splitMatrices(quality, labels.length);
  return {
    labels,
    model,
    posterior,
    mostLikely,
    averagePosterior: matrices[0] ?? [],
    classification: matrices[1] ?? [],
    logits: matrices[2],
    entropy: ent ? Number(tokens(ent).pop()) : null,
  };
}

/**
 * Counts of a model with several class variables (see out.ts classPatternCounts): pattern blocks give
 * `labels` ('1.2') and the pattern counts, variable blocks the marginal counts per class variable. A class
 * variable counts as between-level when its categorical-latent rows ('CB#1', 'CB#1 ON') occur only at the
 * Between Level (Mplus does not print the level of a class variable).
 */
function readClassPatternCounts(
  order: string[],
  patternBlocks: string[][],
  variableBlocks: string[][],
  quality: string[],
  params: ParameterEstimate[],
): { counts: ClassCounts; variables: ClassVariableInfo[] } {
  const names = tokens(order.find((l) => l.trim() !== '') ?? '');
  const basisOf = (blk: string[]): 'model' | 'posterior' | 'mostLikely' | null =>
    blk[1]?.startsWith('BASED ON THE ESTIMATED MODEL') ? 'model' : blk[1]?.startsWith('BASED ON ESTIMATED POSTERIOR') ? 'posterior' : blk[1]?.startsWith('BASED ON THEIR MOST LIKELY') ? 'mostLikely' : null;
  let labels: string[] = [];
  const got: Record<'model' | 'posterior' | 'mostLikely', number[] | null> = { model: null, posterior: null, mostLikely: null };
  for (const blk of patternBlocks) {
    const key = basisOf(blk);
    if (!key) continue;
    const rows = blk.slice(2).map(tokens).filter((t) => t.length === names.length + 2 && t.every((x) => NUM.test(x)));
    labels = rows.map((t) => t.slice(0, names.length).join('.'));
    got[key] = rows.map((t) => Number(t[names.length]));
  }
  const perVariable: NonNullable<ClassCounts['perVariable']> = [];
  for (const blk of variableBlocks) {
    const key = basisOf(blk);
    if (!key) continue;
    let cur: (typeof perVariable)[number] | undefined;
    for (const l of blk.slice(2)) {
      const t = tokens(l);
      if (t.length === 4 && !NUM.test(t[0]) && t.slice(1).every((x) => NUM.test(x))) {
        cur = perVariable.find((v) => v.name === t[0]);
        if (!cur) {
          cur = { name: t[0], level: 'within', model: null, posterior: [], mostLikely: [] };
          perVariable.push(cur);
        }
        if (key === 'model') cur.model = [];
        cur[key]!.push(Number(t[2]));
      } else if (cur && t.length === 3 && t.every((x) => NUM.test(x))) {
        cur[key]!.push(Number(t[1]));
      }
    }
  }
  const cat = params.filter((p) => p.categoricalLatent);
  const variables: ClassVariableInfo[] = names.map((name, j) => {
    const mine = cat.filter((p) => p.name.startsWith(name + '#') || p.block.startsWith(name + '#'));
    const level = mine.length > 0 && mine.every((p) => p.level === 'between') ? 'between' : 'within';
    const nClasses = Math.max(0, ...labels.map((l) => Number(l.split('.')[j])));
    return { name, nClasses, level };
  });
  for (const v of perVariable) v.level = variables.find((x) => x.name === v.name)?.level ?? 'within';
  const ent = quality.find((l) => l.trim().startsWith('Entropy'));
  const matrices = splitMatrices(quality, labels.length);
  return {
    counts: {
      labels,
      model: got.model,
      posterior: got.posterior ?? [],
      mostLikely: got.mostLikely ?? [],
      averagePosterior: matrices[0] ?? [],
      classification: [],
      entropy: ent ? Number(tokens(ent).pop()) : null,
      perVariable,
    },
    variables,
  };
}

/** the three K x K classification matrices after CLASSIFICATION QUALITY (column blocks merged) */
function splitMatrices(b: string[], K: number): number[][][] {
  const out: number[][][] = [];
  let cur: number[][] | null = null;
  for (const l of b) {
    if (/^(Average Latent Class|Classification Probabilities|Logits for the)/.test(l)) {
      cur = Array.from({ length: K }, () => []);
      out.push(cur);
      continue;
    }
    const t = tokens(l);
    if (!cur || t.length < 2 || !/^ {4}/.test(l) || /^ {6}/.test(l) || !t.every((x) => NUM.test(x))) continue;
    const row = Number(t[0]) - 1;
    if (cur[row]) cur[row].push(...t.slice(1).map(Number));
  }
  return out;
}

// ---------------------------------------------------------------- MODEL RESULTS

function readParameters(b: string[]): ParameterEstimate[] {
  const out: ParameterEstimate[] = [];
  let level: ParameterEstimate['level'] = null;
  let cls: string | null = null;
  let cat = false;
  let block = '';
  for (const l of b) {
    if (l === '') continue;
    if (l === 'Within Level' || l === 'Between Level') {
      level = l === 'Within Level' ? 'within' : 'between';
      if (!cat) cls = null;
      continue;
    }
    const lc = /^Latent Class (?:Pattern )?(.+)$/.exec(l);
    if (lc) {
      cls = lc[1].trim().split(/\s+/).join('.');
      continue;
    }
    if (l === 'Categorical Latent Variables') {
      cat = true;
      cls = null;
      level = null;
      continue;
    }
    if (/^ \S/.test(l) || l === 'New/Additional Parameters') {
      block = tokens(l).join(' ');
      continue;
    }
    const t = tokens(l);
    if (/^ {4}\S/.test(l) && (t.length === 5 || t.length === 2) && t.slice(1).every((x) => NUM.test(x))) {
      const [estimate, se, estSe, pValue] = t.slice(1).map(Number);
      const fixed = t.length === 5 && se === 0 && estSe === 999 && pValue === 999;
      const p: ParameterEstimate = {
        par: 0, // the reader does not recover TECH1 numbers
        level,
        classLabel: cat ? null : cls,
        categoricalLatent: cat,
        block,
        name: t[0],
        estimate,
        se: t.length === 5 ? se : NaN,
        fixed,
      };
      if (t.length === 5) {
        p.estSe = estSe;
        p.pValue = pValue;
      }
      out.push(p);
    }
  }
  return out;
}

// ---------------------------------------------------------------- mixture extras

function readProbabilityScale(b: string[]): ProbabilityScaleRow[] {
  const out: ProbabilityScaleRow[] = [];
  let cls: string | null = null;
  for (const l of b) {
    const lc = /^Latent Class (.+)$/.exec(l);
    if (lc) cls = lc[1].trim();
    else if (/^ \S/.test(l)) out.push({ classLabel: cls, variable: l.trim(), categories: [] });
    else {
      const m = /^ {4}Category (\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$/.exec(l);
      if (m && out.length) out[out.length - 1].categories.push({ label: m[1], estimate: +m[2], se: +m[3], estSe: +m[4], pValue: +m[5] });
    }
  }
  return out;
}

function readOddsRatios(b: string[]): OddsRatioComparison[] {
  const out: OddsRatioComparison[] = [];
  let variable = '';
  for (const l of b) {
    if (/^Latent Class .* Compared to /.test(l)) out.push({ title: l, rows: [] });
    else if (/^ \S/.test(l)) variable = l.trim();
    else {
      const m = /^ {4}(.+?)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)$/.exec(l);
      if (m && out.length) out[out.length - 1].rows.push({ variable, label: m[1], estimate: +m[2], se: +m[3], lower: +m[4], upper: +m[5] });
    }
  }
  return out;
}

// ---------------------------------------------------------------- TECH1, TECH8

function readTech1(b: string[]): Tech1Output {
  const sections: Tech1Section[] = [];
  let sec: Tech1Section | null = null;
  let mat: Tech1Matrix | null = null;
  for (let i = 0; i < b.length; i++) {
    const l = b[i];
    if (/^ {5}(PARAMETER SPECIFICATION|STARTING VALUES)/.test(l)) {
      sec = { title: l.trim(), kind: l.includes('PARAMETER SPECIFICATION') ? 'specification' : 'start', matrices: [] };
      sections.push(sec);
      mat = null;
      continue;
    }
    if (!sec || l === '') continue;
    if (/^ {11}\S/.test(l) && b[i + 2]?.trim().startsWith('________')) {
      const name = l.trim();
      const blockCols = tokens(b[i + 1]);
      const continued = mat !== null && mat.name === name && sec.matrices[sec.matrices.length - 1] === mat;
      if (!continued) {
        mat = { name, colLabels: [], rowLabels: null, values: [] };
        sec.matrices.push(mat);
      }
      mat!.colLabels.push(...blockCols);
      i += 2;
      continue;
    }
    if (!mat) continue;
    const t = tokens(l);
    if (l[1] !== ' ') {
      // labelled row: label, then values of this column block
      if (!mat.rowLabels) mat.rowLabels = [];
      let r = mat.rowLabels.indexOf(t[0]);
      if (r < 0) {
        mat.rowLabels.push(t[0]);
        mat.values.push([]);
        r = mat.rowLabels.length - 1;
      }
      mat.values[r].push(...t.slice(1).map(num));
    } else {
      if (!mat.values.length) mat.values.push([]);
      mat.values[0].push(...t.map(num));
    }
  }
  return { sections };
}

function readTech8(b: string[]): { flat: IterationRecord[]; runs: StartIterations[] } {
  const flat: IterationRecord[] = [];
  const runs: StartIterations[] = [];
  let stage: 'initial' | 'final' | null = null;
  let run: StartIterations | null = null;
  for (const l of b) {
    if (l.trim() === 'INITIAL STAGE ITERATIONS') stage = 'initial';
    else if (l.trim() === 'FINAL STAGE ITERATIONS') stage = 'final';
    const sm = /TECHNICAL 8 OUTPUT FOR (UNPERTURBED )?STARTING VALUE SET\s*(\d*)/.exec(l);
    if (sm) {
      run = { stage: stage ?? 'initial', start: sm[1] ? 'unperturbed' : Number(sm[2]), iterations: [] };
      runs.push(run);
      continue;
    }
    const m = /^\s+(\d+)\s+(-?\d\.\d+D[+-]\d+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(EM|QN|FS|NR)$/.exec(l);
    if (m) {
      const rec: IterationRecord = { iteration: +m[1], loglikelihood: parseFortran(m[2]), absChange: +m[3], relChange: +m[4], algorithm: m[5] as IterationRecord['algorithm'] };
      (run ? run.iterations : flat).push(rec);
    }
  }
  return { flat, runs };
}

// ---------------------------------------------------------------- SAVEDATA, timestamps

function readSaveData(b: string[]): SaveDataInfo | undefined {
  const next = (label: string) => {
    const i = b.findIndex((l) => l.trim() === label);
    return i >= 0 ? b[i + 1]?.trim() : undefined;
  };
  const file = next('Save file');
  if (!file) return undefined;
  const info: SaveDataInfo = { file, variables: [], fileFormat: next('Save file format') ?? 'Free', recordLength: 10000, missingSymbol: '*' };
  const oi = b.findIndex((l) => /^ {2}Order (and format )?of variables/.test(l));
  if (oi >= 0) {
    for (let i = oi + 2; i < b.length && b[i] !== ''; i++) {
      const t = tokens(b[i]);
      info.variables.push(t.length > 1 ? { name: t[0], format: t[1] } : { name: t[0] });
    }
  }
  for (const l of b) {
    const rl = /Save file record length\s+(\d+)/.exec(l);
    if (rl) info.recordLength = +rl[1];
    const ms = /Save missing symbol\s+(\S+)/.exec(l);
    if (ms) info.missingSymbol = ms[1];
    if (/Save file format\s+Free/.test(l)) info.fileFormat = 'Free';
  }
  return info;
}

function readTimestamps(lines: string[]): { begin: Date; end: Date } | null {
  const dm = /^(\d\d)\/(\d\d)\/(\d{4})/.exec(lines[2] ?? '');
  const clock = (label: string) => {
    const l = lines.find((x) => x.trim().startsWith(label));
    const m = l ? /(\d\d):(\d\d):(\d\d)/.exec(l) : null;
    return m ? [+m[1], +m[2], +m[3]] : null;
  };
  const b = clock('Beginning Time:');
  const e = clock('Ending Time:');
  if (!dm || !b || !e) return null;
  const day = Date.UTC(+dm[3], +dm[1] - 1, +dm[2]);
  const begin = new Date(day + ((b[0] * 60 + b[1]) * 60 + b[2]) * 1000);
  let end = new Date(day + ((e[0] * 60 + e[1]) * 60 + e[2]) * 1000);
  if (end < begin) end = new Date(end.getTime() + 86400000);
  return { begin, end };
}
