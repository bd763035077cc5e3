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

/** Message of a worker: a finished run, a progress report, or a failure. */
export type WorkerMessage =
  | { index: number; run: RunResult }
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
