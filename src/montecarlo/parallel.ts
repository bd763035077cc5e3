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

/**
 * Start the worker module next to this one. Built (worker.js) it is loaded directly; from source under tsx
 * (worker.ts) the loader is not inherited by worker threads, so a small bootstrap registers tsx first. A
 * failure to load is reported through the port like any other worker error (the main thread is blocked).
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

export function runParallel(text: string, path: string, estimation: EstimationOptionsInput, reps: number[], processors: number, keepData: number[]): ParallelResult {
  const n = Math.max(1, Math.min(processors, reps.length));
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  for (let w = 0; w < n; w++) {
    const mine = reps.filter((_, i) => i % n === w);
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    workers.push(startWorker({ text, path, estimation, reps: mine, keepData: keepData.filter((r) => mine.includes(r)), port: port2, counter }, [port2]));
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
