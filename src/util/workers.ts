// A synchronous pool of worker threads, shared by the random starts (src/estimate/parallel.ts) and the
// Monte Carlo replications (src/montecarlo/parallel.ts). The calling thread stays synchronous (the
// pipeline is): it blocks on a shared counter with Atomics.wait and drains each worker's MessagePort
// with receiveMessageOnPort. A worker posts `{ error }` on failure, anything else is the caller's.

import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/**
 * Start `worker.js` (built) or `worker.ts` (under tsx) next to `callerUrl`. The tsx loader is not
 * inherited by worker threads, so from source a small bootstrap registers it first; a failure to load
 * is reported through the port like any other worker error (the main thread is blocked meanwhile).
 */
function startWorker(callerUrl: string, workerData: Record<string, unknown>, transferList: MessagePort[]): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL('./worker.js', callerUrl), { workerData, transferList });
  const api = import.meta.resolve('tsx/esm/api');
  const target = new URL('./worker.ts', callerUrl).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); }).catch((e) => {
    const wt = require('node:worker_threads');
    wt.workerData.port.postMessage({ error: String((e && e.stack) || e) });
    Atomics.add(wt.workerData.counter, 0, 1);
    Atomics.notify(wt.workerData.counter, 0);
  });`;
  return new Worker(code, { eval: true, workerData, transferList });
}

/**
 * Run `n` workers (the module `worker` next to `callerUrl`), worker w getting `dataFor(w)` plus `port`
 * and `counter` (a worker increments the counter and notifies after each finished task). `onMessage`
 * returns true for a message that finishes a task; the call returns when `expected` tasks are done, or
 * the first worker error (returned as text).
 */
export function runWorkers(callerUrl: string, n: number, dataFor: (w: number) => Record<string, unknown>, expected: number, onMessage: (msg: unknown) => boolean, pollMs = 250): string | null {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  for (let w = 0; w < n; w++) {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    workers.push(startWorker(callerUrl, { ...dataFor(w), port: port2, counter }, [port2]));
  }
  let received = 0;
  let error: string | null = null;
  try {
    while (received < expected && !error) {
      Atomics.wait(counter, 0, received, pollMs);
      for (const port of ports) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const msg = m.message as { error?: string };
          if (msg && typeof msg.error === 'string') {
            error = msg.error;
            break;
          }
          if (onMessage(msg)) received++;
        }
      }
    }
  } finally {
    for (const w of workers) void w.terminate();
    for (const p of ports) p.close();
  }
  return error;
}
