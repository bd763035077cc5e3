// `plusmix run` of an input with MONTECARLO (and `--shard k/n`), and `plusmix merge` of shard results.
// Replication r of a run depends only on (input, SEED, r), so a single run, any PROCESSORS and any set of
// merged shards print the same summary (src/montecarlo/summary.ts).

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PlusmixError } from '../syntax/diagnostics.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { parseInput } from '../syntax/parse.js';
import { writeErrorOut } from '../output/out.js';
import { prepareStudy, runReplication } from '../montecarlo/run.js';
import { runParallel } from '../montecarlo/parallel.js';
import { summaryText } from '../montecarlo/summary.js';
import { dataFileText, listName, resultsFileText, saveName } from '../montecarlo/save.js';
import type { PartialResult, RepRecord } from '../montecarlo/types.js';
import { runSettings } from './analysis.js';
import { VERSION } from './version.js';

export interface MonteCarloOptions {
  /** run only replications r with (r - 1) mod n = k - 1 */
  shard?: { k: number; n: number };
  /** worker threads (default: ANALYSIS PROCESSORS) */
  processors?: number;
}

export interface MonteCarloResult {
  outText: string;
  /** JSON text of the shard's records (with `shard`) */
  partial?: string;
  exitCode: 0 | 1;
  diagnostics: Diagnostic[];
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Replications of a shard (1-based): r with (r - 1) mod n = k - 1. */
export function shardReplications(nreps: number, shard?: { k: number; n: number }): number[] {
  const all = Array.from({ length: nreps }, (_, i) => i + 1);
  if (!shard) return all;
  if (!Number.isInteger(shard.k) || !Number.isInteger(shard.n) || shard.n < 1 || shard.k < 1 || shard.k > shard.n) throw new Error(`--shard ${shard.k}/${shard.n}: expected k/n with 1 <= k <= n`);
  return all.filter((r) => (r - 1) % shard.n === shard.k - 1);
}

/**
 * Run the Monte Carlo study of `text`. Writes SAVE / RESULTS files next to the input (RESULTS only for a
 * full run; a shard's records travel in `partial`). Input errors give the error .out text and exit code 1.
 */
export function runMonteCarlo(text: string, path: string, opts: MonteCarloOptions = {}): MonteCarloResult {
  try {
    const parsed = parseInput(text, path);
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new PlusmixError(errors);
    const ast = parsed.ast;
    const settings = runSettings(ast);
    const study = prepareStudy(ast, settings.estimation);
    const spec = study.spec;
    const reps = shardReplications(spec.nreps, opts.shard);
    const saveReps = spec.save ? reps.filter((r) => (spec.save!.includes('*') ? spec.repsave === 'ALL' || spec.repsave.has(r) : r === 1)) : [];
    const processors = opts.processors ?? settings.processors;
    let records: RepRecord[];
    let data = new Map<number, string>();
    if (processors > 1 && reps.length > 1) ({ records, data } = runParallel(text, path, settings.estimation, reps, processors, saveReps));
    else {
      const keep = new Set(saveReps);
      records = reps.map((r) => runReplication(study, r, keep.has(r) ? (d) => data.set(r, dataFileText(d)) : undefined));
    }
    const dir = dirname(resolve(path));
    if (spec.save) {
      for (const [r, t] of data) writeFileSync(resolve(dir, saveName(spec.save, r)), t);
      const list = listName(spec.save);
      if (list && !opts.shard) writeFileSync(resolve(dir, list), saveReps.map((r) => saveName(spec.save!, r)).join('\n') + '\n');
    }
    if (opts.shard) {
      const partial: PartialResult = { format: 'plusmix-montecarlo-partial', version: 1, inputHash: hash(text), inputText: text, path, shard: opts.shard, nreps: spec.nreps, records };
      const done = records.filter((r) => r.ok).length;
      const outText = `plusmix ${VERSION} Monte Carlo shard ${opts.shard.k}/${opts.shard.n} of ${path}: ${records.length} replications (${done} completed). Combine the parts with plusmix merge.\n`;
      return { outText, partial: JSON.stringify(partial), exitCode: 0, diagnostics: parsed.diagnostics };
    }
    if (spec.results) writeFileSync(resolve(dir, spec.results), resultsFileText(records));
    return { outText: summary(text, study.spec, records), exitCode: 0, diagnostics: parsed.diagnostics };
  } catch (e) {
    if (!(e instanceof PlusmixError)) throw e;
    return { outText: writeErrorOut(text, e.diagnostics, { plusmixVersion: VERSION, timestamps: null }), exitCode: 1, diagnostics: e.diagnostics };
  }
}

function summary(text: string, spec: ReturnType<typeof prepareStudy>['spec'], records: RepRecord[]): string {
  return summaryText({ inputText: text, nobs: spec.nobs, nreps: spec.nreps, seed: spec.seed, nClusters: spec.clusterSizes?.length ?? null, records });
}

/** JSON turns NaN standard errors into null: read them back as NaN. */
function reviveRecord(r: RepRecord): RepRecord {
  const nan = (xs: Array<number | null>) => xs.map((x) => (x === null ? NaN : x));
  return { ...r, est: nan(r.est), se: nan(r.se) };
}

/**
 * Combine shard results (`--shard k/n` outputs) into the output of the whole run. Throws on parts of other
 * inputs, duplicate or missing replications.
 */
export function mergeParts(partTexts: string[]): string {
  if (!partTexts.length) throw new Error('merge: no parts given');
  const parts = partTexts.map((t, i) => {
    const p = JSON.parse(t) as PartialResult;
    if (p.format !== 'plusmix-montecarlo-partial') throw new Error(`merge: part ${i + 1} is not a plusmix Monte Carlo partial result`);
    return p;
  });
  const first = parts[0];
  if (parts.some((p) => p.inputHash !== first.inputHash)) throw new Error('merge: the parts come from different input files');
  const byRep = new Map<number, RepRecord>();
  for (const p of parts)
    for (const r of p.records) {
      if (byRep.has(r.rep)) throw new Error(`merge: replication ${r.rep} appears in two parts`);
      byRep.set(r.rep, reviveRecord(r));
    }
  const missing = Array.from({ length: first.nreps }, (_, i) => i + 1).filter((r) => !byRep.has(r));
  if (missing.length) throw new Error(`merge: replications ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} are missing (run the other shards)`);
  const ast = parseInput(first.inputText, first.path).ast;
  const study = prepareStudy(ast, runSettings(ast).estimation);
  return summary(first.inputText, study.spec, [...byRep.values()]);
}
