// Monte Carlo throughput (issue 8): replications per second of the first seed paper's Fig. 3 study
// (examples/simulations/fig3_mixture.inp, 200 clusters of 15, two-level mixture with 2 dimensions of
// integration) on 1 and 2 worker threads, and the speed-up. The replications are the same in both runs
// (seeded by replication number), so the two runs do identical work.
//
//   node --import tsx bench/montecarlo.ts [NREPS]     (default 4 replications)
//
// With 1 processor the replications run in this thread; with 2, in two worker threads (each reads the input
// and compiles its own study, a start-up cost included in the time, as a user sees it).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runMonteCarlo } from '../src/cli/montecarlo.js';

export interface MonteCarloBench {
  name: string;
  seconds: number;
  cpuSeconds: number;
  replications: number;
  repsPerSecond: number;
  speedup?: number;
}

export function benchMonteCarlo(nreps = 4): MonteCarloBench[] {
  const path = fileURLToPath(new URL('../examples/simulations/fig3_mixture.inp', import.meta.url));
  const text = readFileSync(path, 'utf8').replace(/NREPS = \d+;/, `NREPS = ${nreps};`);
  const out: MonteCarloBench[] = [];
  const texts: string[] = [];
  for (const processors of [1, 2]) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = runMonteCarlo(text, path, { processors });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (r.exitCode !== 0) throw new Error(r.outText);
    texts.push(r.outText);
    out.push({ name: `montecarlo fig3 x${nreps} (${processors} core${processors > 1 ? 's' : ''})`, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, replications: nreps, repsPerSecond: nreps / seconds });
  }
  out[1].speedup = out[0].seconds / out[1].seconds;
  if (texts[0] !== texts[1]) throw new Error('1-core and 2-core runs printed different summaries');
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = benchMonteCarlo(Number(process.argv[2] ?? 4));
  for (const r of rows) console.log(`${r.name}: ${r.seconds.toFixed(1)} s, ${r.repsPerSecond.toFixed(3)} replications/s${r.speedup ? `, speed-up ${r.speedup.toFixed(2)}x` : ''}`);
}
