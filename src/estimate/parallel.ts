// PROCESSORS = n: the runs of one random-starts stage spread over n worker threads. The call stays
// synchronous (estimate() is): the main thread blocks on a shared counter with Atomics.wait and drains
// each worker's MessagePort with receiveMessageOnPort (the pattern of src/montecarlo/parallel.ts).
// Task t goes to worker t mod n and every run starts from scratch, so the results are identical for
// any n. Each worker compiles the model itself from the IR and the data set (structured clones).

import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
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

/**
 * Start worker.js (built) or worker.ts under tsx: the loader is not inherited by worker threads, so a
 * small bootstrap registers tsx first; a load failure is reported through the port.
 */
function startWorker(workerData: Record<string, unknown>, transferList: MessagePort[]): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./worker.js', self), { workerData, transferList });
  const api = import.meta.resolve('tsx/esm/api');
  const target = new URL('./worker.ts', self).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); }).catch((e) => {
    const wt = require('node:worker_threads');
    wt.workerData.port.postMessage({ error: String((e && e.stack) || e) });
    Atomics.add(wt.workerData.counter, 0, 1);
    Atomics.notify(wt.workerData.counter, 0);
  });`;
  return new Worker(code, { eval: true, workerData, transferList });
}

export function runParallel(ir: ModelIR, ds: Dataset, input: EstimationOptionsInput, tasks: RunTask[], processors: number, onProgress: (e: Omit<ProgressEvent, 'stage' | 'of'>) => void): RunResult[] {
  const n = Math.max(1, Math.min(processors, tasks.length));
  const { onProgress: _, ...options } = input;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  for (let w = 0; w < n; w++) {
    const mine = tasks.map((t, index) => ({ index, ...t })).filter((t) => t.index % n === w);
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    workers.push(startWorker({ ir, ds, options, tasks: mine, port: port2, counter }, [port2]));
  }
  const out: RunResult[] = new Array(tasks.length);
  let received = 0;
  let error: string | null = null;
  try {
    while (received < tasks.length && !error) {
      Atomics.wait(counter, 0, received, 250);
      for (const port of ports) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const msg = m.message as WorkerMessage;
          if ('error' in msg) { error = msg.error; break; }
          if ('progress' in msg) { onProgress(msg.progress); continue; }
          out[msg.index] = msg.run;
          received++;
        }
      }
    }
  } finally {
    for (const w of workers) void w.terminate();
    for (const p of ports) p.close();
  }
  if (error) throw new Error(`estimation worker failed: ${error}`);
  return out;
}
