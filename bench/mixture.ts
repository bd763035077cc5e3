// bench/mixture: plusmix on the regression mixture of issue 4 (sim/regmix_n10000.dat, 2 classes,
// class-invariant residual variance, c ON x) with 10 random starts, each run to convergence
// (STARTS = 10 10), the counterpart of flexmix's stepFlexmix(nrep = 10) in bench/peers/regmix_flexmix.R.
//   node --import tsx bench/mixture.ts
import { fileURLToPath } from 'node:url';
import { estimate } from '../src/estimate/index.js';
import { regmix } from '../test/estimate/models.js';

export interface MixtureBench {
  name: string;
  starts: [number, number];
  /** wall-clock seconds of estimate() (data reading and model building excluded) */
  seconds: number;
  /** CPU (user) seconds of this process during estimate(): the fairer figure on a shared machine */
  cpuSeconds: number;
  loglikelihood: number;
  parameters: number;
  /** total EM + quasi-Newton iterations of the best start */
  iterations: number;
}

export function benchMixture(): MixtureBench {
  const { ir, ds } = regmix(false);
  const starts: [number, number] = [10, 10];
  const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
  const r = estimate(ir, ds, { starts });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = process.cpuUsage(c0).user / 1e6;
  return {
    name: 'regression mixture n=10000, 2 classes, 7 parameters',
    starts, seconds, cpuSeconds,
    loglikelihood: r.fit?.loglikelihood ?? NaN,
    parameters: r.fit?.parameters ?? 0,
    iterations: r.iterations.length,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(benchMixture()));
}
