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
  // progress only for a terminal, and not with --quiet
  const progress = !opts.quiet && process.stderr.isTTY ? createProgress(process.stderr) : null;
  const outPath = resolve(opts.output ?? defaultOutPath(file));
  let res: ReturnType<typeof runPipeline>;
  try {
    res = runPipeline(text, file, { clock: opts.noTimestamps ? null : () => new Date(), outPath, ...(progress ? { onProgress: progress.onProgress } : {}) });
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
