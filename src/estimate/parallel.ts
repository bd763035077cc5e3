// PROCESSORS = n: the runs of one random-starts stage spread over n worker threads. The call stays
// synchronous (estimate() is): the main thread blocks on a shared counter with Atomics.wait and drains
// each worker's MessagePort with receiveMessageOnPort (src/util/workers.ts).
// Task t goes to worker t mod n and every run starts from scratch, so the results are identical for
// any n. Each worker compiles the model itself from the IR and the data set (structured clones).

import { runWorkers } from '../util/workers.js';
import type { ModelIR } from '../model/ir.js';
import type { Dataset } from '../data/dataset.js';
import type { EstimationOptionsInput, ProgressEvent } from './options.js';
import type { RunResult } from './optimize.js';
import type { RunTask } from './estimate.js';
import type { GradientPairs } from './se.js';

/** Message of a worker: a finished run, a gradient pair of the standard errors, a progress report, or a failure. */
export type WorkerMessage =
  | { index: number; run: RunResult }
  | { column: number; gp: Float64Array; gm: Float64Array; ok: boolean }
  | { progress: { start: number; iteration: number; loglikelihood: number } }
  | { error: string };

export function runParallel(ir: ModelIR, ds: Dataset, input: EstimationOptionsInput, tasks: RunTask[], processors: number, onProgress: (e: Omit<ProgressEvent, 'stage' | 'of'>) => void): RunResult[] {
  const n = Math.max(1, Math.min(processors, tasks.length));
  const { onProgress: _, ...options } = input;
  const out: RunResult[] = new Array(tasks.length);
  const indexed = tasks.map((t, index) => ({ index, ...t }));
  const error = runWorkers(import.meta.url, n, (w) => ({ ir, ds, options, tasks: indexed.filter((t) => t.index % n === w) }), tasks.length, (m) => {
    const msg = m as WorkerMessage;
    if ('progress' in msg) {
      onProgress(msg.progress);
      return false;
    }
    if ('run' in msg) out[msg.index] = msg.run;
    return 'run' in msg;
  });
  if (error) throw new Error(`estimation worker failed: ${error}`);
  return out;
}

/**
 * The standard errors' gradient pairs (se.ts GradientPairs) over `processors` worker threads: column a
 * goes to worker a mod n, which places the integration nodes at theta exactly as the main thread does
 * (estimate.ts), so the matrix is the same as the serial one.
 */
export function parallelGradientPairs(ir: ModelIR, ds: Dataset, input: EstimationOptionsInput, processors: number): GradientPairs {
  return (theta, cols, h) => {
    const n = Math.max(1, Math.min(processors, cols.length));
    const { onProgress: _, ...options } = input;
    const out: Array<{ gp: Float64Array; gm: Float64Array }> = new Array(cols.length);
    let ok = true;
    const jobs = cols.map((col, a) => ({ a, col, h: h[a]! }));
    const error = runWorkers(import.meta.url, n, (w) => ({ ir, ds, options, tasks: [], theta, columns: jobs.filter((t) => t.a % n === w) }), cols.length, (m) => {
      const msg = m as WorkerMessage;
      if (!('column' in msg)) return false;
      out[msg.column] = { gp: msg.gp, gm: msg.gm };
      ok &&= msg.ok;
      return true;
    });
    if (error) throw new Error(`estimation worker failed: ${error}`);
    return ok ? out : null;
  };
}
