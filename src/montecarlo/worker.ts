// Worker thread of a parallel Monte Carlo run: reads the study from the input text itself (nothing but plain
// data crosses threads), fits its replications and hands each record back through its MessagePort, bumping a
// shared counter the main thread waits on (see parallel.ts).

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { parseInput } from '../syntax/parse.js';
import type { EstimationOptionsInput } from '../estimate/index.js';
import { prepareStudy, runReplication } from './run.js';
import { dataFileText } from './save.js';

interface Job {
  text: string;
  path: string;
  estimation: EstimationOptionsInput;
  reps: number[];
  keepData: number[];
  port: MessagePort;
  counter: Int32Array;
}

const job = workerData as Job;
try {
  const study = prepareStudy(parseInput(job.text, job.path).ast, job.estimation);
  const keep = new Set(job.keepData);
  for (const rep of job.reps) {
    let data: string | undefined;
    const record = runReplication(study, rep, keep.has(rep) ? (d) => (data = dataFileText(d)) : undefined);
    job.port.postMessage({ record, data });
    Atomics.add(job.counter, 0, 1);
    Atomics.notify(job.counter, 0);
  }
} catch (e) {
  job.port.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
  Atomics.add(job.counter, 0, 1);
  Atomics.notify(job.counter, 0);
}
parentPort?.close();
