// Worker thread of parallel.ts: builds its own engine from the IR and the data set and runs its share
// of the random-start tasks, posting each result (and throttled progress) to the main thread, or its
// share of the standard errors' gradient pairs (parallelGradientPairs).
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { ModelIR } from '../model/ir.js';
import type { Dataset } from '../data/dataset.js';
import type { EstimationOptionsInput } from './options.js';
import { makeEngine } from './estimate.js';
import type { RunTask } from './estimate.js';
import { evalGrad, optimize } from './optimize.js';
import { forwardDifferences, gradientPair } from './se.js';
import { setTheta } from './compile.js';
import { placeProposals } from './integrate.js';
import type { WorkerMessage } from './parallel.js';

const { ir, ds, options, tasks, port, counter, theta, columns } = workerData as {
  ir: ModelIR; ds: Dataset; options: EstimationOptionsInput; tasks: Array<RunTask & { index: number }>; port: MessagePort; counter: Int32Array;
  /** standard errors (parallelGradientPairs): the solution and this worker's columns */
  theta?: Float64Array; columns?: Array<{ a: number; col: number; h: number }>;
};
const post = (msg: WorkerMessage) => port.postMessage(msg);
try {
  const eng = makeEngine(ir, ds, options);
  let current = 0, iteration = 0, last = 0;
  eng.obj.onIteration = (ll) => {
    iteration++;
    if (Date.now() - last >= 250) { last = Date.now(); post({ progress: { start: current + 1, iteration, loglikelihood: ll } }); }
  };
  if (theta && columns) {
    // the nodes at the solution, placed as estimate.ts places them before the standard errors
    if (eng.intg) { eng.obj.intg = eng.intg; setTheta(eng.m, theta); placeProposals(eng.m, eng.ws, eng.intg); }
    const center = forwardDifferences(eng.obj) ? new Float64Array(theta.length) : null;
    const okCenter = !center || Number.isFinite(evalGrad(eng.obj, theta, center));
    for (const c of columns) {
      const r = okCenter ? gradientPair(eng.obj, theta, c.col, c.h, center) : null;
      post({ column: c.a, gp: r?.gp ?? new Float64Array(0), gm: r?.gm ?? new Float64Array(0), ok: r !== null });
      Atomics.add(counter, 0, 1);
      Atomics.notify(counter, 0);
    }
  }
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
