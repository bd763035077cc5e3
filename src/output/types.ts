// Plain input types of the .out writer (src/output/out.ts).
//
// Everything the writer prints comes from these structures; the writer decides only layout.
// They are filled either by the pipeline (ModelIR + Dataset + EstimationResult, see build.ts helpers)
// or by the reader of real Mplus files (mplusReader.ts), which is how the layout test round-trips
// a real output through the writer.

import type { EstimationResult } from '../results/types.js';
import type { ModelIR } from '../model/ir.js';
import type { OddsRatioComparison, ProbabilityScaleRow } from '../results/probability.js';
import type { StandardizedResults } from '../results/standardize.js';
import type { Tech10Result } from '../results/tech10.js';
import type { TransitionTable } from '../results/transition.js';

/** OUTPUT: STANDARDIZED / STDYX / STDY / STD: the tables to print (in this order) and their rows */
export interface StandardizedOut {
  kinds: Array<'stdyx' | 'stdy' | 'std'>;
  results: StandardizedResults;
}

/** one line of the optimization / integration / random-starts specifications in SUMMARY OF ANALYSIS */
export interface SpecLine {
  /** leading blanks of the label (0, 2 or 4) */
  indent: number;
  label: string;
  /** printed right-aligned to column 66; absent for sub-headers */
  value?: string;
}

/** e.g. title 'Observed dependent variables' with groups [{ subtitle: 'Continuous', names: [...] }] */
export interface VariableList {
  title: string;
  /** subtitle groups (printed indented 2 after a blank line); one group without subtitle for plain lists */
  groups: Array<{ subtitle?: string; names: string[] }>;
}

export interface AnalysisSummary {
  groups: number;
  observations: number;
  dependent: number;
  independent: number;
  continuousLatent: number;
  categoricalLatent: number;
  variableLists: VariableList[];
  /** lines under 'Variables with special functions', as printed (e.g. '  Cluster variable      CLUS') */
  specialFunctions: string[];
  /** from 'Estimator' down to the last specification line ('Cholesky', 'Link', ...) */
  specs: SpecLine[];
  inputFiles: string[];
  inputFormat: string;
}

export interface UnivariateStatistic {
  name: string;
  n: number;
  mean: number;
  variance: number;
  skewness: number;
  kurtosis: number;
  min: number;
  max: number;
  /** percentage (0-100) of cases at the minimum / maximum */
  pctMin: number;
  pctMax: number;
  /** 20%, 40%, median, 60%, 80% percentiles */
  p20: number;
  p40: number;
  median: number;
  p60: number;
  p80: number;
}

export interface CategoryProportions {
  name: string;
  categories: Array<{ label: string; proportion: number; count: number }>;
}

export interface DataSummaryOut {
  /** SUMMARY OF DATA items; absent items are not printed */
  missingPatterns?: number;
  clusters?: number;
  averageClusterSize?: number;
  icc?: Array<{ name: string; value: number }>;
  univariate?: UnivariateStatistic[];
  proportions?: CategoryProportions[];
}

/** one TECH1 matrix; `values` rows are ragged for symmetric matrices (lower triangle) */
export interface Tech1Matrix {
  name: string;
  colLabels: string[];
  /** null for vectors (NU, ALPHA, TAU, ALPHA(C)): one unlabelled row */
  rowLabels: string[] | null;
  values: number[][];
}

export interface Tech1Section {
  /** as printed after the 5-blank indent, e.g. 'PARAMETER SPECIFICATION FOR WITHIN LEVEL, LATENT CLASS 1' */
  title: string;
  /** 'specification' prints integers (parameter numbers), 'start' prints values with 3 decimals */
  kind: 'specification' | 'start';
  matrices: Tech1Matrix[];
}

export interface Tech1Output {
  sections: Tech1Section[];
}

/** RESULTS IN PROBABILITY SCALE and LATENT CLASS INDICATOR ODDS RATIOS rows (computed in src/results/probability.ts) */
export type { OddsRatioComparison, ProbabilityScaleRow } from '../results/probability.js';

export interface SaveDataVariable {
  name: string;
  /** Fortran format, e.g. 'F10.3', 'I4'; absent for FREE format */
  format?: string;
}

/** what SAVEDATA INFORMATION prints (see savedata.ts) */
export interface SaveDataInfo {
  file: string;
  variables: SaveDataVariable[];
  /** 'Free' or the Fortran record format, e.g. '7F10.3 I4' */
  fileFormat: string;
  recordLength: number;
  missingSymbol: string;
  /** RESULTS = / ESTIMATES = files, printed as separate sub-blocks */
  others?: Array<{ title: string; file: string }>;
}

/**
 * A warning about the input instructions or the data (parse, data, model and OUTPUT stages), printed
 * after the input echo as `*** WARNING in MODEL command` (or `*** WARNING` without a command) followed
 * by its lines indented two spaces (see out.ts `inputWarningBlock`).
 */
export interface InputWarning {
  /** plusmix's diagnostic code (W_LINE_GT_90, W_WITHIN_MEAN, ...); 'mplus-input-warning' when read from an Mplus file */
  code: string;
  /** the Mplus command it belongs to, upper case ('MODEL', 'VARIABLE'), or null */
  command: string | null;
  /** message lines without indentation (plusmix appends the input line and column) */
  lines: string[];
}

export interface OutOptions {
  /** Mplus version whose layout we imitate; line 1 reads `Mplus VERSION <v>` (MplusAutomation keys on it) */
  mplusVersion?: string;
  /** plusmix version named on line 2 and in the footer */
  plusmixVersion: string;
  /** begin / end of the run; null prints no date and no timing block (deterministic test output) */
  timestamps: { begin: Date; end: Date } | null;
  /** format the timestamps in UTC instead of local time (tests) */
  utc?: boolean;
  tech1?: boolean;
  tech8?: boolean;
  tech10?: boolean;
  tech11?: boolean;
  tech14?: boolean;
}

export interface OutInput {
  /** the input file exactly as read (echoed with a two-space prefix) */
  inputText: string;
  /** TITLE lines as printed after INPUT READING TERMINATED NORMALLY */
  title: string[];
  /** input / data warnings: when present they replace INPUT READING TERMINATED NORMALLY (Mplus layout) */
  inputWarnings?: InputWarning[];
  ir?: ModelIR;
  summary: AnalysisSummary;
  dataSummary?: DataSummaryOut;
  result: EstimationResult;
  tech1?: Tech1Output;
  /** LATENT TRANSITION PROBABILITIES BASED ON THE ESTIMATED MODEL (models with `c2 ON c1`; src/results/transition.ts) */
  transitions?: TransitionTable[];
  /** OUTPUT: TECH10 tables (src/results/tech10.ts); absent when the model is outside their scope */
  tech10?: Tech10Result;
  probabilityScale?: ProbabilityScaleRow[];
  oddsRatios?: OddsRatioComparison[];
  savedata?: SaveDataInfo;
  /** plain TYPE = GENERAL runs (continuous outcomes, no random effects) print ' Y1       ON' (see blockHeader) */
  narrowOn?: boolean;
  /** OUTPUT: STANDARDIZED (or STDYX / STDY / STD): absent when not requested or not available for the model */
  standardized?: StandardizedOut;
  /** OUTPUT: CINTERVAL: symmetric Wald intervals of MODEL RESULTS (and of the standardized results) */
  cinterval?: boolean;
  /** OUTPUT: SVALUES: the MODEL command lines (without indentation) from svalues.ts */
  svalues?: string[];
  /** PLOT INFORMATION: the plot files written next to the .out */
  plots?: PlotInfo;
  options: OutOptions;
}

/** what PLOT INFORMATION lists: the kinds of plots (Mplus wording) and the files plusmix wrote (names only) */
export interface PlotInfo {
  kinds: string[];
  files: string[];
}
