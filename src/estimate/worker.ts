// Worker thread of parallel.ts: builds its own engine from the IR and the data set and runs its share
// of the random-start tasks, posting each result (and throttled progress) to the main thread.
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { ModelIR } from '../model/ir.js';
import type { Dataset } from '../data/dataset.js';
import type { EstimationOptionsInput } from './options.js';
import { makeEngine } from './estimate.js';
import type { RunTask } from './estimate.js';
import { optimize } from './optimize.js';
import type { WorkerMessage } from './parallel.js';

const { ir, ds, options, tasks, port, counter } = workerData as {
  ir: ModelIR; ds: Dataset; options: EstimationOptionsInput; tasks: Array<RunTask & { index: number }>; port: MessagePort; counter: Int32Array;
};
const post = (msg: WorkerMessage) => port.postMessage(msg);
try {
  const eng = makeEngine(ir, ds, options);
  let current = 0, iteration = 0, last = 0;
  eng.obj.onIteration = (ll) => {
    iteration++;
    if (Date.now() - last >= 250) { last = Date.now(); post({ progress: { start: current + 1, iteration, loglikelihood: ll } }); }
  };
  for (const t of tasks) {
    current = t.index; iteration = 0;
    const run = optimize(eng.obj, eng.plan, t.theta0, eng.opts, t.lim, eng.post);
    post({ index: t.index, run });
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  }
} catch (e) {
  post({ error: String((e as Error)?.stack ?? e) });
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
}
