// `plusmix run FILE.inp [--output FILE.out] [--json FILE.json] [--quiet]`
// Runs the pipeline and writes every file atomically; input and data errors go to stderr with
// file:line:col and into the .out (as Mplus does), with exit code 1; an unwritable output file is
// reported in one line, also with exit code 1. Progress goes to stderr only when it is a terminal.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../output/atomic.js';
import { jsonText } from '../output/json.js';
import { formatDiagnostic } from '../syntax/format-diagnostic.js';
import { runPipeline } from './pipeline.js';
import { createProgress } from './progress.js';

export interface RunOptions {
  output?: string;
  json?: string;
  quiet?: boolean;
  /** deterministic output: no dates or timing block */
  noTimestamps?: boolean;
  /** MONTECARLO: run only the k-th of n slices of the replications (`k/n`) */
  shard?: string;
  /** worker threads (overrides ANALYSIS: PROCESSORS) */
  processors?: number;
  /** random starts (overrides ANALYSIS: STARTS) */
  starts?: [number, number];
}

const MONTECARLO_HEADER = /^[ \t]*MONT[A-Z]*[ \t]*:/im;

function parseShard(spec: string): { k: number; n: number } | null {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  if (!m) return null;
  const k = Number(m[1]);
  const n = Number(m[2]);
  return k >= 1 && n >= 1 && k <= n ? { k, n } : null;
}

/** A MONTECARLO input: the study's summary .out, or with --shard a partial result to merge later. */
async function runMonteCarloCommand(file: string, text: string, opts: RunOptions): Promise<number> {
  const { runMonteCarlo } = await import('./montecarlo.js');
  let shard: { k: number; n: number } | undefined;
  if (opts.shard !== undefined) {
    const s = parseShard(opts.shard);
    if (!s) {
      process.stderr.write(`plusmix: --shard ${opts.shard}: expected k/n with 1 <= k <= n, e.g. --shard 2/10\n`);
      return 1;
    }
    shard = s;
  }
  const res = runMonteCarlo(text, file, { ...(shard ? { shard } : {}), ...(opts.processors ? { processors: opts.processors } : {}) });
  for (const d of res.diagnostics) {
    if (d.severity === 'note' || (d.severity === 'warning' && opts.quiet)) continue;
    process.stderr.write(formatDiagnostic(d, text) + '\n');
  }
  const base = file.replace(/\.[^./\\]*$/, '');
  const target = shard && res.exitCode === 0 && res.partial !== undefined ? resolve(`${base}.shard-${shard.k}-of-${shard.n}.json`) : resolve(opts.output ?? defaultOutPath(file));
  try {
    writeFileAtomic(target, shard && res.exitCode === 0 && res.partial !== undefined ? res.partial : res.outText);
  } catch (e) {
    process.stderr.write(`plusmix: cannot write ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 1;
  }
  if (res.exitCode === 0 && !opts.quiet) process.stderr.write(`plusmix: wrote ${target}\n`);
  return res.exitCode;
}

/** `plusmix merge PARTS... [-o FILE]`: combine the partial results of the shards of one study. */
export async function mergeCommand(parts: string[], opts: { output?: string }): Promise<number> {
  const { mergeParts } = await import('./montecarlo.js');
  let texts: string[];
  try {
    texts = parts.map((p) => readFileSync(p, 'utf8'));
  } catch (e) {
    process.stderr.write(`plusmix: cannot read ${(e as NodeJS.ErrnoException).path ?? ''}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 1;
  }
  let out: string;
  try {
    out = mergeParts(texts);
  } catch (e) {
    process.stderr.write(`plusmix merge: ${(e as Error).message}\n`);
    return 1;
  }
  if (opts.output) writeFileAtomic(resolve(opts.output), out);
  else process.stdout.write(out);
  return 0;
}

export function defaultOutPath(file: string): string {
  return file.replace(/\.[^./\\]*$/, '') + '.out';
}

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`plusmix: cannot read input file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
    return 1;
  }
  if (MONTECARLO_HEADER.test(text)) return runMonteCarloCommand(file, text, opts);
  // progress only for a terminal, and not with --quiet
  const progress = !opts.quiet && process.stderr.isTTY ? createProgress(process.stderr) : null;
  const outPath = resolve(opts.output ?? defaultOutPath(file));
  let res: ReturnType<typeof runPipeline>;
  try {
    res = runPipeline(text, file, { clock: opts.noTimestamps ? null : () => new Date(), outPath, ...(opts.processors ? { processors: opts.processors } : {}), ...(opts.starts ? { starts: opts.starts } : {}), ...(progress ? { onProgress: progress.onProgress } : {}) });
  } finally {
    progress?.stop();
  }
  for (const d of res.diagnostics) {
    if (d.severity === 'note') continue;
    if (d.severity === 'warning' && opts.quiet) continue;
    process.stderr.write(formatDiagnostic(d, text) + '\n');
  }
  // On success the result files go first and the .out last, so a fresh .out means every file it lists
  // was written; on an input or data error only the .out (input echo and errors) is written.
  const writes: Array<{ path: string; content: string }> = [];
  if (res.exitCode === 0) {
    writes.push(...res.files);
    if (opts.json && res.json) writes.push({ path: resolve(opts.json), content: jsonText(res.json) });
  }
  writes.push({ path: outPath, content: res.outText });
  for (const w of writes) {
    try {
      writeFileAtomic(w.path, w.content);
    } catch (e) {
      process.stderr.write(`plusmix: cannot write ${w.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 1;
    }
  }
  if (res.exitCode === 0 && !opts.quiet) process.stderr.write(`plusmix: wrote ${outPath}\n`);
  return res.exitCode;
}
