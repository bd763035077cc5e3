// The model comparison table of `plusmix compare` (the first seed paper's Table 2; MplusAutomation's
// SummaryTable): one row per model in the order given, with the lowest BIC marked. Pure: the CLI reads
// the files and builds ModelSummary rows (src/cli/compare.ts); this module only arranges and prints them.

import type { EstimationResult } from './types.js';

export interface ModelSummary {
  /** how the row is named: the file name without extension, e.g. 'A3' */
  label: string;
  /** the file the row was read from */
  file: string;
  /** first TITLE line, null when the file does not carry it (JSON results) */
  title: string | null;
  /** 'plusmix' or 'mplus' (a real Mplus .out, or JSON converted from one) */
  source: 'plusmix' | 'mplus';
  terminatedNormally: boolean;
  /** classes per categorical latent variable, in CLASSES order ([1] for a model without classes); null = unknown */
  classes: number[] | null;
  loglikelihood: number | null;
  parameters: number | null;
  aic: number | null;
  bic: number | null;
  abic: number | null;
  /** null for models without classes (Mplus prints no entropy there) */
  entropy: number | null;
  /** best log-likelihood replicated across the final-stage random starts; null = not applicable (no random starts) */
  replicated: boolean | null;
  /**
   * TECH11 / TECH14 p-values of the K-1 vs K class tests when the file has them (MplusAutomation's
   * T11_VLMR_PValue, T11_LMR_PValue and BLRT_PValue); absent or null otherwise
   */
  vlmrP?: number | null;
  lmrP?: number | null;
  blrtP?: number | null;
}

export interface CompareRow extends ModelSummary {
  /** the row with the lowest BIC among the models that terminated normally */
  bestBic: boolean;
}

export interface CompareTable {
  rows: CompareRow[];
  /** label of the best-BIC row, null when no row has a BIC */
  bestBic: string | null;
}

const finite = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/**
 * Classes per class variable from class (pattern) labels: '1'..'K' for one class variable, patterns
 * such as '1.2' or '1 2' (the reader's and writer's forms) for several; the count per position is the
 * largest index seen there.
 */
export function classesFromLabels(labels: string[]): number[] {
  if (!labels.length) return [1];
  const parts = labels.map((l) => l.trim().split(/[.\s]+/).map(Number));
  const width = Math.max(...parts.map((p) => p.length));
  if (width === 1) return [labels.length];
  return Array.from({ length: width }, (_, j) => Math.max(...parts.map((p) => (Number.isFinite(p[j]) ? p[j] : 0))));
}

/**
 * Classes per class variable from the CLASSES option of an input text (e.g. the input echo of a .out):
 * `CLASSES = cb (2) c (3);` -> [2, 3]; null when the input has no CLASSES option.
 */
export function classesFromInput(inputText: string): number[] | null {
  const text = inputText.replace(/!.*$/gm, '');
  const m = /\bCLASSES\s*(?:=|\bARE\b|\bIS\b)([^;]*);/i.exec(text);
  if (!m) return null;
  const ks = [...m[1].matchAll(/[A-Za-z_][\w.]*\s*\(\s*(\d+)\s*\)/g)].map((x) => Number(x[1]));
  return ks.length ? ks : null;
}

/** The row of an estimation result (plusmix run or a real Mplus .out read by src/output/mplusReader.ts). */
export function summaryFromResult(
  result: EstimationResult,
  meta: { label: string; file: string; title: string | null; source: 'plusmix' | 'mplus'; inputText?: string },
): ModelSummary {
  const fit = result.fit;
  const cc = result.classCounts;
  const { inputText, ...rest } = meta;
  // the CLASSES option names every class variable even when the run failed before the class counts
  const declared = inputText !== undefined ? classesFromInput(inputText) : null;
  return {
    ...rest,
    terminatedNormally: result.terminatedNormally,
    classes: declared ?? (cc ? classesFromLabels(cc.labels) : inputText !== undefined ? [1] : null),
    loglikelihood: finite(fit?.loglikelihood),
    parameters: finite(fit?.parameters),
    aic: finite(fit?.aic),
    bic: finite(fit?.bic),
    abic: finite(fit?.abic),
    entropy: finite(cc?.entropy),
    // Mplus prints the RANDOM STARTS table only when random starts were used (STARTS > 0)
    replicated: result.randomStarts ? result.randomStarts.replicated : null,
    ...lrtPValues(result),
  };
}

/** the TECH11 / TECH14 p-values of a result (only the fields that are present) */
export function lrtPValues(result: Pick<EstimationResult, 'tech11' | 'tech14'>): Pick<ModelSummary, 'vlmrP' | 'lmrP' | 'blrtP'> {
  return {
    ...(result.tech11 ? { vlmrP: finite(result.tech11.pValue), lmrP: finite(result.tech11.adjusted.pValue) } : {}),
    ...(result.tech14 ? { blrtP: finite(result.tech14.pValue) } : {}),
  };
}

/** the LRT columns the table shows: only those some row has */
function lrtColumns(t: CompareTable): Array<{ key: 'vlmrP' | 'lmrP' | 'blrtP'; head: string; csv: string }> {
  const all = [
    { key: 'vlmrP' as const, head: 'VLMR p', csv: 'vlmr_pvalue' },
    { key: 'lmrP' as const, head: 'LMR p', csv: 'lmr_pvalue' },
    { key: 'blrtP' as const, head: 'BLRT p', csv: 'blrt_pvalue' },
  ];
  return all.filter((c) => t.rows.some((r) => r[c.key] !== undefined && r[c.key] !== null));
}

export function buildCompareTable(models: ModelSummary[]): CompareTable {
  let best = -1;
  models.forEach((m, i) => {
    if (!m.terminatedNormally || m.bic === null) return;
    if (best < 0 || m.bic < models[best].bic!) best = i;
  });
  return { rows: models.map((m, i) => ({ ...m, bestBic: i === best })), bestBic: best >= 0 ? models[best].label : null };
}

const fx = (x: number | null, d: number) => (x === null ? '' : x.toFixed(d));
const classText = (c: number[] | null) => (c === null ? '?' : c.join(', '));
const replicatedText = (r: boolean | null) => (r === null ? 'n/a' : r ? 'yes' : 'NO');

/** Plain-text table: fixed-width columns, best BIC marked with '*', notes below. */
export function formatCompareText(t: CompareTable): string {
  // TECH11 / TECH14 p-value columns (4 decimals, as printed by Mplus) after Entropy, when any model has them
  const lrt = lrtColumns(t);
  const head = ['Model', 'Classes', 'Loglikelihood', 'Par', 'AIC', 'BIC', 'aBIC', 'Entropy', ...lrt.map((c) => c.head), 'Replicated', 'Title'];
  const body = t.rows.map((r) => [
    r.label + (r.terminatedNormally ? '' : ' !'),
    classText(r.classes),
    fx(r.loglikelihood, 3),
    r.parameters === null ? '' : String(r.parameters),
    fx(r.aic, 3),
    fx(r.bic, 3) + (r.bestBic ? '*' : ' '),
    fx(r.abic, 3),
    fx(r.entropy, 3),
    ...lrt.map((c) => fx(r[c.key] ?? null, 4)),
    replicatedText(r.replicated),
    r.title ?? '',
  ]);
  const width = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  // text columns (model, replicated, title) left-aligned, numbers right-aligned; the title column is not padded
  const left = new Set([0, 8 + lrt.length, 9 + lrt.length]);
  const line = (cells: string[]) =>
    cells
      .map((c, j) => (j === cells.length - 1 ? c : left.has(j) ? c.padEnd(width[j]) : c.padStart(width[j])))
      .join('  ')
      .trimEnd();
  const out = [line(head), line(width.map((w, j) => (j === width.length - 1 ? '-----' : '-'.repeat(w)))), ...body.map(line), ''];
  if (t.bestBic !== null) out.push(`* lowest BIC: ${t.bestBic}`);
  if (t.rows.some((r) => !r.terminatedNormally)) out.push('! the model estimation did not terminate normally (not considered for the lowest BIC)');
  if (t.rows.some((r) => r.replicated === false)) out.push('NO: the best loglikelihood was not replicated; the solution may be a local maximum (increase STARTS)');
  if (t.rows.some((r) => r.classes === null)) out.push('?: number of classes unknown (the result holds no class counts)');
  if (t.rows.some((r) => r.replicated === null)) out.push('n/a: no random starts (model without classes, or STARTS = 0)');
  return out.join('\n') + '\n';
}

/** CSV with a header line; empty cells for missing values; replicated: yes / no / empty (not applicable). */
export function formatCompareCsv(t: CompareTable): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lrt = lrtColumns(t);
  const head = ['model', 'file', 'title', 'source', 'terminated_normally', 'classes', 'loglikelihood', 'parameters', 'aic', 'bic', 'abic', 'entropy', 'replicated', 'best_bic', ...lrt.map((c) => c.csv)];
  const num = (x: number | null) => (x === null ? '' : String(x));
  const rows = t.rows.map((r) =>
    [
      r.label, r.file, r.title ?? '', r.source, r.terminatedNormally ? 'yes' : 'no', r.classes === null ? '' : r.classes.join(' '),
      num(r.loglikelihood), num(r.parameters), num(r.aic), num(r.bic), num(r.abic), num(r.entropy),
      r.replicated === null ? '' : r.replicated ? 'yes' : 'no', r.bestBic ? 'yes' : 'no', ...lrt.map((c) => num(r[c.key] ?? null)),
    ].map(q).join(','),
  );
  return [head.join(','), ...rows].join('\n') + '\n';
}

/** JSON form: `{ format: 'plusmix-compare', best_bic, models: [...] }` (snake_case as in the result JSON). */
export function compareJson(t: CompareTable): object {
  const lrt = lrtColumns(t);
  return {
    format: 'plusmix-compare',
    format_version: 1,
    best_bic: t.bestBic,
    models: t.rows.map((r) => ({
      model: r.label,
      file: r.file,
      title: r.title,
      source: r.source,
      terminated_normally: r.terminatedNormally,
      classes: r.classes,
      loglikelihood: r.loglikelihood,
      parameters: r.parameters,
      aic: r.aic,
      bic: r.bic,
      abic: r.abic,
      entropy: r.entropy,
      replicated: r.replicated,
      best_bic: r.bestBic,
      ...Object.fromEntries(lrt.map((c) => [c.csv, r[c.key] ?? null])),
    })),
  };
}
