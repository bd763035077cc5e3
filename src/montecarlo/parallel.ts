// Replications spread over worker threads. The call stays synchronous (the CLI and the pipeline are): the
// main thread blocks on a shared counter with Atomics.wait and drains each worker's MessagePort with
// receiveMessageOnPort. Replication r goes to worker (r - 1) mod n; records are returned sorted by
// replication, so the result is the same for any number of workers.

import { runWorkers } from '../util/workers.js';
import type { EstimationOptionsInput } from '../estimate/index.js';
import type { RepRecord } from './types.js';

export interface ParallelResult {
  records: RepRecord[];
  /** generated data text of the replications asked for in `keepData` */
  data: Map<number, string>;
}

export function runParallel(text: string, path: string, estimation: EstimationOptionsInput, reps: number[], processors: number, keepData: number[]): ParallelResult {
  const n = Math.max(1, Math.min(processors, reps.length));
  const records: RepRecord[] = [];
  const data = new Map<number, string>();
  const mineOf = (w: number) => reps.filter((_, i) => i % n === w);
  const error = runWorkers(import.meta.url, n, (w) => {
    const mine = mineOf(w);
    return { text, path, estimation, reps: mine, keepData: keepData.filter((r) => mine.includes(r)) };
  }, reps.length, (m) => {
    const msg = m as { record: RepRecord; data?: string };
    records.push(msg.record);
    if (msg.data !== undefined) data.set(msg.record.rep, msg.data);
    return true;
  }, 1000);
  if (error) throw new Error(`Monte Carlo worker failed: ${error}`);
  records.sort((a, b) => a.rep - b.rep);
  return { records, data };
}
