// Replications spread over worker threads. The call stays synchronous (the CLI and the pipeline are): the
// main thread blocks on a shared counter with Atomics.wait and drains each worker's MessagePort with
// receiveMessageOnPort. Replication r goes to worker (r - 1) mod n; records are returned sorted by
// replication, so the result is the same for any number of workers.

import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { EstimationOptionsInput } from '../estimate/index.js';
import type { RepRecord } from './types.js';

export interface ParallelResult {
  records: RepRecord[];
  /** generated data text of the replications asked for in `keepData` */
  data: Map<number, string>;
}

/** the worker module next to this one (worker.ts when running from source under tsx, worker.js when built) */
function workerUrl(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './worker.ts' : './worker.js', self);
}

export function runParallel(text: string, path: string, estimation: EstimationOptionsInput, reps: number[], processors: number, keepData: number[]): ParallelResult {
  const n = Math.max(1, Math.min(processors, reps.length));
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  for (let w = 0; w < n; w++) {
    const mine = reps.filter((_, i) => i % n === w);
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    workers.push(new Worker(workerUrl(), { workerData: { text, path, estimation, reps: mine, keepData: keepData.filter((r) => mine.includes(r)), port: port2, counter }, transferList: [port2] }));
  }
  const records: RepRecord[] = [];
  const data = new Map<number, string>();
  let received = 0;
  let error: string | null = null;
  try {
    while (received < reps.length && !error) {
      Atomics.wait(counter, 0, received, 1000);
      for (const port of ports) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const msg = m.message as { record?: RepRecord; data?: string; error?: string };
          if (msg.error) {
            error = msg.error;
            break;
          }
          received++;
          records.push(msg.record!);
          if (msg.data !== undefined) data.set(msg.record!.rep, msg.data);
        }
      }
    }
  } finally {
    for (const w of workers) void w.terminate();
    for (const p of ports) p.close();
  }
  if (error) throw new Error(`Monte Carlo worker failed: ${error}`);
  records.sort((a, b) => a.rep - b.rep);
  return { records, data };
}
