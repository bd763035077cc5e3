// `plusmix compare FILES... [--json | --csv]`: the model comparison table (classes, loglikelihood,
// free parameters, AIC, BIC, aBIC, entropy, TECH11 / TECH14 p-values when present, best loglikelihood
// replicated), rows in the order given,
// lowest BIC marked. Each file is a plusmix or real Mplus .out, or a plusmix .json result.
// A file that cannot be read is reported (file: message) and the command exits 1 without a table.

import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { readMplusOut } from '../output/mplusReader.js';
import type { JsonResult } from '../output/json.js';
import {
  buildCompareTable,
  classesFromLabels,
  compareJson,
  formatCompareCsv,
  formatCompareText,
  summaryFromResult,
  type ModelSummary,
} from '../results/compare.js';
import { PlusmixError } from '../syntax/diagnostics.js';
import { formatDiagnostic } from '../syntax/format-diagnostic.js';

export interface CompareOptions {
  json?: boolean;
  csv?: boolean;
  /** where the table goes (default: process.stdout) */
  write?: (s: string) => void;
  /** where errors go (default: process.stderr) */
  writeErr?: (s: string) => void;
}

function fileError(path: string, message: string): PlusmixError {
  return new PlusmixError({ severity: 'error', code: 'E_COMPARE_INPUT', message, location: { kind: 'file', file: path } });
}

const labelOf = (path: string) => basename(path, extname(path));

/**
 * The row of a plusmix JSON result. JSON carries no random-starts table: replication is read from
 * the not-replicated warning (plusmix code W_NOT_REPLICATED, or the Mplus wording in JSON converted
 * from a real output), and is not applicable when the run used no random starts.
 */
export function summaryFromJson(j: JsonResult, path: string): ModelSummary {
  const fin = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const starts = j.analysis?.starts;
  const usedStarts = !!starts && starts.initial > 0;
  const notReplicated = (j.warnings ?? []).some((w) => w.code === 'W_NOT_REPLICATED' || /WAS NOT REPLICATED/.test(w.text));
  return {
    label: labelOf(path),
    file: path,
    title: null,
    source: j.source === 'mplus' ? 'mplus' : 'plusmix',
    terminatedNormally: j.terminated_normally,
    // a failed mixture run has no class counts, and JSON carries no input text: unknown then
    classes: j.classes ? classesFromLabels(j.classes.map((c) => c.label)) : /MIXTURE/i.test(j.analysis?.type ?? '') ? null : [1],
    loglikelihood: fin(j.fit?.loglikelihood),
    parameters: fin(j.fit?.parameters),
    aic: fin(j.fit?.aic),
    bic: fin(j.fit?.bic),
    abic: fin(j.fit?.abic),
    entropy: fin(j.fit?.entropy),
    replicated: usedStarts ? !notReplicated : null,
    ...(j.tech11 ? { vlmrP: fin(j.tech11.pvalue), lmrP: fin(j.tech11.lmr_adjusted.pvalue) } : {}),
    ...(j.tech14 ? { blrtP: fin(j.tech14.pvalue) } : {}),
  };
}

/** Read one file (.json: plusmix result; anything else: an Mplus-layout .out) into its table row. */
export function loadSummary(path: string): ModelSummary {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw fileError(path, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`);
  }
  if (extname(path).toLowerCase() === '.json') {
    let j: JsonResult;
    try {
      j = JSON.parse(text) as JsonResult;
    } catch (e) {
      throw fileError(path, `not valid JSON: ${(e as Error).message}`);
    }
    if (!j || j.format !== 'plusmix-result') throw fileError(path, 'JSON file is not a plusmix result (format is not "plusmix-result")');
    return summaryFromJson(j, path);
  }
  let f;
  try {
    f = readMplusOut(text);
  } catch (e) {
    throw fileError(path, (e as Error).message);
  }
  return summaryFromResult(f.result, {
    label: labelOf(path),
    file: path,
    title: f.title.length ? f.title[0].trim() : null,
    source: f.writtenByPlusmix ? 'plusmix' : 'mplus',
    inputText: f.inputText,
  });
}

export async function runCompare(files: string[], opts: CompareOptions = {}): Promise<number> {
  const write = opts.write ?? ((s: string) => void process.stdout.write(s));
  const writeErr = opts.writeErr ?? ((s: string) => void process.stderr.write(s));
  if (opts.json && opts.csv) {
    writeErr('plusmix compare: choose one of --json and --csv\n');
    return 1;
  }
  if (!files.length) {
    writeErr('plusmix compare: no files given\n');
    return 1;
  }
  const rows: ModelSummary[] = [];
  let failed = false;
  for (const f of files) {
    try {
      rows.push(loadSummary(f));
    } catch (e) {
      if (!(e instanceof PlusmixError)) throw e;
      for (const d of e.diagnostics) writeErr(formatDiagnostic(d) + '\n');
      failed = true;
    }
  }
  if (failed) return 1;
  const table = buildCompareTable(rows);
  if (opts.json) write(JSON.stringify(compareJson(table), null, 2) + '\n');
  else if (opts.csv) write(formatCompareCsv(table));
  else write(formatCompareText(table));
  return 0;
}
