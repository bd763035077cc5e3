// Tables of Mplus commands, options and keyword option values, and the
// abbreviation rule (syntax.md §1.3). Other stages import these tables to know
// the canonical names (`OptionNode.name` is always one of them when `known`).
//
// Abbreviation rule: a word matches a keyword when it equals the keyword or one
// of its documented short forms, or when it has at least 4 letters and is the
// prefix of exactly one keyword valid in that position. Several candidates ->
// ambiguous (reported by the caller).

import type { OptionsCommandName } from './ast.js';

/** Top-level command words. */
export const COMMAND_WORDS = ['TITLE', 'DATA', 'VARIABLE', 'DEFINE', 'ANALYSIS', 'MODEL', 'OUTPUT', 'SAVEDATA', 'PLOT', 'MONTECARLO'] as const;
export type CommandWord = (typeof COMMAND_WORDS)[number];

/** Second words of `DATA xxx:` headers. */
export const DATA_SUBCOMMANDS = ['WIDETOLONG', 'LONGTOWIDE', 'IMPUTATION', 'TWOPART', 'MISSING', 'SURVIVAL', 'COHORT'] as const;
/** Second words of `MODEL xxx:` headers (anything else is a class/group label: `MODEL c1:`). */
export const MODEL_SUBCOMMANDS = ['CONSTRAINT', 'TEST', 'INDIRECT', 'PRIORS', 'POPULATION', 'COVERAGE', 'MISSING'] as const;

export interface OptionSpec {
  /** canonical upper-case name */
  name: string;
  /** documented short forms shorter than 4 letters or not prefixes (`USEV` is also a prefix) */
  aliases?: string[];
  /**
   * Keyword values accepted (canonical). When present, every word of the value
   * (outside parentheses) must resolve to one of them; numbers are allowed only
   * when `numbers` is true.
   */
  values?: string[];
  numbers?: boolean;
}

const o = (name: string, extra: Omit<OptionSpec, 'name'> = {}): OptionSpec => ({ name, ...extra });
const ONOFF = ['ON', 'OFF'];

const DATA: OptionSpec[] = [
  o('FILE'),
  o('FORMAT'),
  o('TYPE', { values: ['INDIVIDUAL', 'COVARIANCE', 'CORRELATION', 'FULLCOV', 'FULLCORR', 'MEANS', 'STDEVIATIONS', 'MONTECARLO', 'IMPUTATION'] }),
  o('NOBSERVATIONS'),
  o('NGROUPS'),
  o('LISTWISE', { values: ONOFF }),
  o('SWMATRIX'),
  o('VARIANCES', { values: ['CHECK', 'NOCHECK'] }),
];

const DATA_SUB: Record<string, OptionSpec[]> = {
  'DATA WIDETOLONG': [o('WIDE'), o('LONG'), o('IDVARIABLE'), o('REPETITION')],
  'DATA LONGTOWIDE': [o('LONG'), o('WIDE'), o('IDVARIABLE'), o('REPETITION')],
  'DATA IMPUTATION': [o('IMPUTE'), o('NDATASETS'), o('SAVE'), o('FORMAT'), o('MODEL'), o('VALUES'), o('ROUNDING'), o('THIN')],
  'DATA TWOPART': [o('NAMES'), o('CUTPOINT'), o('BINARY'), o('CONTINUOUS'), o('TRANSFORM')],
  'DATA MISSING': [o('NAMES'), o('BINARY'), o('TYPE'), o('DESCRIPTIVE')],
  'DATA SURVIVAL': [o('NAMES'), o('CUTPOINT'), o('BINARY')],
  'DATA COHORT': [o('COHORT'), o('COPATTERN'), o('COHRECODE'), o('TIMEMEASURES'), o('TNAMES')],
};

const VARIABLE: OptionSpec[] = [
  o('NAMES'),
  o('USEOBSERVATIONS', { aliases: ['USEOBS'] }),
  o('USEVARIABLES', { aliases: ['USEV', 'USEVAR'] }),
  o('MISSING'),
  o('CENSORED'),
  o('CATEGORICAL'),
  o('NOMINAL'),
  o('COUNT'),
  o('DSURVIVAL'),
  o('GROUPING'),
  o('IDVARIABLE'),
  o('FREQWEIGHT'),
  o('TSCORES'),
  o('AUXILIARY', { aliases: ['AUX'] }),
  o('CONSTRAINT'),
  o('PATTERN'),
  o('STRATIFICATION'),
  o('CLUSTER'),
  o('WEIGHT'),
  o('WTSCALE', { values: ['UNSCALED', 'CLUSTER', 'ECLUSTER'] }),
  o('BWEIGHT'),
  o('B2WEIGHT'),
  o('B3WEIGHT'),
  o('BWTSCALE', { values: ['UNSCALED', 'SAMPLE'] }),
  o('B2WTSCALE', { values: ['UNSCALED', 'SAMPLE'] }),
  o('B3WTSCALE', { values: ['UNSCALED', 'SAMPLE'] }),
  o('REPWEIGHTS'),
  o('SUBPOPULATION'),
  o('FINITE'),
  o('CLASSES'),
  o('KNOWNCLASS'),
  o('TRAINING'),
  o('WITHIN'),
  o('BETWEEN'),
  o('SURVIVAL'),
  o('TIMECENSORED'),
  o('LAGGED'),
  o('TINTERVAL'),
  o('CENTERING'),
];

const ANALYSIS: OptionSpec[] = [
  o('TYPE', {
    values: ['GENERAL', 'BASIC', 'RANDOM', 'COMPLEX', 'MIXTURE', 'TWOLEVEL', 'THREELEVEL', 'CROSSCLASSIFIED', 'EFA', 'MISSING', 'H1', 'MEANSTRUCTURE', 'IMPUTATION'],
    numbers: true,
  }),
  o('ESTIMATOR', { values: ['ML', 'MLM', 'MLMV', 'MLR', 'MLF', 'MUML', 'WLS', 'WLSM', 'WLSMV', 'ULS', 'ULSMV', 'GLS', 'BAYES'] }),
  o('MODEL', { values: ['NOMEANSTRUCTURE', 'NOCOVARIANCES', 'ALLFREE', 'CONFIGURAL', 'METRIC', 'SCALAR', 'NOCHECKING'] }),
  o('ALIGNMENT'),
  o('DISTRIBUTION', { values: ['NORMAL', 'SKEWNORMAL', 'TDIST', 'SKEWT'] }),
  o('PARAMETERIZATION', { values: ['DELTA', 'THETA', 'LOGIT', 'LOGLINEAR', 'PROBABILITY', 'RESCOV'] }),
  o('LINK', { values: ['LOGIT', 'PROBIT', 'LOG', 'CLOGLOG'] }),
  o('ROTATION'),
  o('ROWSTANDARDIZATION', { values: ['CORRELATION', 'KAISER', 'COVARIANCE'] }),
  o('PARALLEL'),
  o('REPSE', { values: ['BOOTSTRAP', 'JACKKNIFE', 'JACKKNIFE1', 'JACKKNIFE2', 'BRR', 'FAY'] }),
  o('BASEHAZARD', { values: ONOFF.concat(['EQUAL', 'UNEQUAL']) }),
  o('CHOLESKY', { values: ONOFF }),
  o('ALGORITHM', { values: ['EM', 'EMA', 'FS', 'ODLL', 'INTEGRATION', 'GIBBS', 'MH'] }),
  o('INTEGRATION', { values: ['STANDARD', 'GAUSSHERMITE', 'MONTECARLO'], numbers: true }),
  o('MCSEED'),
  o('ADAPTIVE', { values: ONOFF }),
  o('INFORMATION', { values: ['OBSERVED', 'EXPECTED', 'COMBINATION'] }),
  o('BOOTSTRAP'),
  o('LRTBOOTSTRAP'),
  o('STARTS'),
  o('STITERATIONS'),
  o('STCONVERGENCE'),
  o('STSCALE'),
  o('STSEED'),
  o('OPTSEED'),
  o('K-1STARTS'),
  o('LRTSTARTS'),
  o('RSTARTS'),
  o('ASTARTS'),
  o('H1STARTS'),
  o('DIFFTEST'),
  o('MULTIPLIER'),
  o('COVERAGE'),
  o('ADDFREQUENCY'),
  o('ITERATIONS'),
  o('SDITERATIONS'),
  o('H1ITERATIONS'),
  o('MITERATIONS'),
  o('MCITERATIONS'),
  o('MUITERATIONS'),
  o('RITERATIONS'),
  o('AITERATIONS'),
  o('CONVERGENCE'),
  o('H1CONVERGENCE'),
  o('LOGCRITERION'),
  o('RLOGCRITERION'),
  o('MCONVERGENCE'),
  o('MCCONVERGENCE'),
  o('MUCONVERGENCE'),
  o('RCONVERGENCE'),
  o('ACONVERGENCE'),
  o('MIXC', { values: ['ITERATIONS', 'CONVERGENCE'] }),
  o('MIXU', { values: ['ITERATIONS', 'CONVERGENCE'] }),
  o('LOGHIGH'),
  o('LOGLOW'),
  o('UCELLSIZE'),
  o('VARIANCE'),
  o('SIMPLICITY', { values: ['SQRT', 'FOURTHRT'] }),
  o('TOLERANCE'),
  o('METRIC', { values: ['REFGROUP', 'PRODUCT'] }),
  o('MATRIX', { values: ['COVARIANCE', 'CORRELATION'] }),
  o('POINT', { values: ['MEDIAN', 'MEAN', 'MODE'] }),
  o('CHAINS'),
  o('BSEED'),
  o('STVALUES', { values: ['UNPERTURBED', 'PERTURBED', 'ML'] }),
  o('PREDICTOR', { values: ['LATENT', 'OBSERVED'] }),
  o('BCONVERGENCE'),
  o('BITERATIONS'),
  o('FBITERATIONS'),
  o('THIN'),
  o('MDITERATIONS'),
  o('KOLMOGOROV'),
  o('PRIOR'),
  o('INTERACTIVE'),
  o('PROCESSORS'),
];

const OUTPUT: OptionSpec[] = [
  o('SAMPSTAT'),
  o('CROSSTABS'),
  o('STANDARDIZED'),
  o('STDYX'),
  o('STDY'),
  o('STD'),
  o('RESIDUAL'),
  o('MODINDICES', { aliases: ['MOD'] }),
  o('CINTERVAL', { aliases: ['CINT'] }),
  o('SVALUES', { aliases: ['SVAL'] }),
  o('NOCHISQUARE'),
  o('NOSERROR'),
  o('H1SE'),
  o('H1TECH3'),
  o('PATTERNS'),
  o('FSCOEFFICIENT'),
  o('FSDETERMINACY'),
  o('FSCOMPARISON'),
  o('BASEHAZARD'),
  o('LOGRANK'),
  o('ALIGNMENT'),
  o('ENTROPY'),
  o('TECH1'),
  o('TECH2'),
  o('TECH3'),
  o('TECH4'),
  o('TECH5'),
  o('TECH6'),
  o('TECH7'),
  o('TECH8'),
  o('TECH9'),
  o('TECH10'),
  o('TECH11'),
  o('TECH12'),
  o('TECH13'),
  o('TECH14'),
  o('TECH15'),
  o('TECH16'),
];

const SAVEDATA: OptionSpec[] = [
  o('FILE'),
  o('FORMAT'),
  o('MISSFLAG'),
  o('RECORDLENGTH'),
  o('SAVE', {
    values: ['CPROBABILITIES', 'FSCORES', 'REPWEIGHTS', 'MAHALANOBIS', 'LOGLIKELIHOOD', 'INFLUENCE', 'COOKS', 'BCHWEIGHTS', 'LRTBOOTSTRAP', 'H1SCORES', 'FS'],
  }),
  o('ESTIMATES'),
  o('RESULTS'),
  o('TECH3'),
  o('TECH4'),
  o('DIFFTEST'),
  o('SAMPLE'),
  o('COVARIANCE'),
  o('SIGBETWEEN'),
  o('SWMATRIX'),
  o('MFILE'),
  o('MNAMES'),
  o('MFORMAT'),
  o('MMISSING'),
  o('MSELECT'),
  o('H5RESULTS'),
  o('BPARAMETERS'),
  o('RANKING'),
  o('KEEPMISSING'),
];

const PLOT: OptionSpec[] = [
  o('TYPE', { values: ['PLOT1', 'PLOT2', 'PLOT3'] }),
  o('SERIES'),
  o('OUTLIERS', { values: ['MAHALANOBIS', 'LOGLIKELIHOOD', 'INFLUENCE', 'COOKS'] }),
  o('MONITOR', { values: ONOFF }),
  o('FACTORS'),
];

const MONTECARLO: OptionSpec[] = [
  o('NAMES'),
  o('NOBSERVATIONS'),
  o('NREPS'),
  o('SEED'),
  o('GENERATE'),
  o('CUTPOINTS'),
  o('GENCLASSES'),
  o('NCSIZES'),
  o('CSIZES'),
  o('HAZARDC'),
  o('PATMISS'),
  o('PATPROBS'),
  o('MISSING'),
  o('CENSORED'),
  o('CATEGORICAL'),
  o('NOMINAL'),
  o('COUNT'),
  o('CLASSES'),
  o('AUXILIARY'),
  o('SURVIVAL'),
  o('TSCORES'),
  o('WITHIN'),
  o('BETWEEN'),
  o('POPULATION'),
  o('COVERAGE'),
  o('STARTING'),
  o('REPSAVE'),
  o('SAVE'),
  o('RESULTS'),
  o('BPARAMETERS'),
  o('LAGGED'),
];

/** Known options of every option command (keyed by the canonical command name). */
export const OPTIONS: Record<OptionsCommandName, OptionSpec[]> = {
  DATA,
  'DATA WIDETOLONG': DATA_SUB['DATA WIDETOLONG'],
  'DATA LONGTOWIDE': DATA_SUB['DATA LONGTOWIDE'],
  'DATA IMPUTATION': DATA_SUB['DATA IMPUTATION'],
  'DATA TWOPART': DATA_SUB['DATA TWOPART'],
  'DATA MISSING': DATA_SUB['DATA MISSING'],
  'DATA SURVIVAL': DATA_SUB['DATA SURVIVAL'],
  'DATA COHORT': DATA_SUB['DATA COHORT'],
  VARIABLE,
  ANALYSIS,
  OUTPUT,
  SAVEDATA,
  PLOT,
  MONTECARLO,
};

/**
 * Commands whose statements are lists of flags (`OUTPUT: SAMPSTAT TECH1 TECH8;`):
 * every word is an option, a following parenthesised group (or number) is its value.
 */
export const FLAG_COMMANDS: ReadonlySet<OptionsCommandName> = new Set<OptionsCommandName>(['OUTPUT']);

export type Resolution =
  | { kind: 'match'; name: string; exact: boolean }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'none' };

/** Resolve a written keyword against candidates (syntax.md §1.3). */
export function resolveKeyword(written: string, candidates: readonly string[], aliases: Record<string, string> = {}): Resolution {
  const up = written.toUpperCase();
  if (candidates.includes(up)) return { kind: 'match', name: up, exact: true };
  if (aliases[up]) return { kind: 'match', name: aliases[up], exact: true };
  if (up.length < 4) return { kind: 'none' };
  const hits = candidates.filter((c) => c.startsWith(up));
  if (hits.length === 1) return { kind: 'match', name: hits[0], exact: false };
  if (hits.length > 1) return { kind: 'ambiguous', candidates: hits };
  return { kind: 'none' };
}

const optionIndex = new Map<string, { names: string[]; aliases: Record<string, string>; byName: Map<string, OptionSpec> }>();
function indexFor(command: OptionsCommandName) {
  let idx = optionIndex.get(command);
  if (!idx) {
    const specs = OPTIONS[command];
    const aliases: Record<string, string> = {};
    for (const s of specs) for (const a of s.aliases ?? []) aliases[a] = s.name;
    idx = { names: specs.map((s) => s.name), aliases, byName: new Map(specs.map((s) => [s.name, s])) };
    optionIndex.set(command, idx);
  }
  return idx;
}

/** Resolve an option name written in `command`. */
export function resolveOption(command: OptionsCommandName, written: string): Resolution {
  const idx = indexFor(command);
  return resolveKeyword(written, idx.names, idx.aliases);
}

/** The spec of a canonical option name, if known. */
export function optionSpec(command: OptionsCommandName, name: string): OptionSpec | undefined {
  return indexFor(command).byName.get(name);
}

/** Resolve a keyword value of an option with an enumerated value set. */
export function resolveValue(spec: OptionSpec, written: string): Resolution {
  return spec.values ? resolveKeyword(written, spec.values) : { kind: 'none' };
}

export type HeaderResolution =
  | { kind: 'title' | 'define' }
  | { kind: 'options'; name: OptionsCommandName }
  | { kind: 'model'; variant: 'MODEL' | 'MODEL POPULATION' | 'MODEL COVERAGE' | 'MODEL MISSING' | 'MODEL INDIRECT'; classLabel: string[] }
  | { kind: 'constraint'; variant: 'MODEL CONSTRAINT' | 'MODEL TEST' | 'MODEL PRIORS' };

/**
 * Resolve header words (as written) to a command, or null when they are not a
 * command header. The first word may be abbreviated (≥ 4 letters, or 3 letters
 * when unambiguous: `VAR:` — then `short` is set so the caller can warn).
 */
export function resolveHeader(words: string[]): (HeaderResolution & { canonical: string; short?: boolean }) | null {
  const first = resolveCommandWord(words[0]);
  if (!first) return null;
  const short = words[0].length < 4 && first !== words[0].toUpperCase();
  const extra = short ? { short: true } : {};
  const second = words[1];
  if (first === 'MODEL') {
    if (second === undefined) return { kind: 'model', variant: 'MODEL', classLabel: [], canonical: 'MODEL', ...extra };
    // `POPULATION-c2`, `COVERAGE-c`, `MISSING` / `c1.c2`
    const dash = second.indexOf('-');
    const head = dash >= 0 ? second.slice(0, dash) : second;
    const sub = /^[A-Za-z]+$/.test(head) ? resolveKeyword(head, MODEL_SUBCOMMANDS) : { kind: 'none' as const };
    if (sub.kind === 'match') {
      const label = dash >= 0 ? second.slice(dash + 1).split('.').filter(Boolean) : [];
      switch (sub.name) {
        case 'CONSTRAINT':
        case 'TEST':
        case 'PRIORS':
          if (dash >= 0) return null;
          return { kind: 'constraint', variant: `MODEL ${sub.name}` as 'MODEL CONSTRAINT', canonical: `MODEL ${sub.name}`, ...extra };
        default:
          return {
            kind: 'model',
            variant: `MODEL ${sub.name}` as 'MODEL POPULATION',
            classLabel: label,
            canonical: `MODEL ${sub.name}${label.length ? '-' + label.join('.') : ''}`,
            ...extra,
          };
      }
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(second)) return null;
    const label = second.split('.');
    return { kind: 'model', variant: 'MODEL', classLabel: label, canonical: `MODEL ${label.join('.')}`, ...extra };
  }
  if (first === 'DATA' && second !== undefined) {
    const sub = resolveKeyword(second, DATA_SUBCOMMANDS);
    if (sub.kind !== 'match') return null;
    const name = `DATA ${sub.name}` as OptionsCommandName;
    return { kind: 'options', name, canonical: name, ...extra };
  }
  if (second !== undefined) return null;
  switch (first) {
    case 'TITLE':
      return { kind: 'title', canonical: 'TITLE', ...extra };
    case 'DEFINE':
      return { kind: 'define', canonical: 'DEFINE', ...extra };
    default:
      return { kind: 'options', name: first as OptionsCommandName, canonical: first, ...extra };
  }
}

function resolveCommandWord(written: string): CommandWord | null {
  const r = resolveKeyword(written, COMMAND_WORDS);
  if (r.kind === 'match') return r.name as CommandWord;
  // 3-letter unique prefixes (`VAR:`, `ANA:`) are accepted with a warning.
  const up = written.toUpperCase();
  if (up.length === 3) {
    const hits = COMMAND_WORDS.filter((c) => c.startsWith(up));
    if (hits.length === 1) return hits[0];
  }
  return null;
}

/** Levenshtein distance (for "did you mean" suggestions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** The closest candidate within a small edit distance (or a candidate it is a prefix of), for messages. */
export function suggest(written: string, candidates: readonly string[]): string | undefined {
  const up = written.toUpperCase();
  if (up.length < 2) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const cu = c.toUpperCase();
    const d = editDistance(up, cu.length > up.length + 2 ? cu.slice(0, up.length) : cu);
    const full = editDistance(up, cu);
    // ties: prefer a candidate with the same first letter
    const score = Math.min(full, d + 0.5) + (cu[0] === up[0] ? 0 : 0.25);
    if (score < bestD) {
      bestD = score;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(up.length / 3));
  return bestD <= limit + 0.25 ? best : undefined;
}
