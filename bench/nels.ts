// bench/nels: model B3 of Muthen & Asparouhov (2009) on the NELS-like simulation (issue 6):
// 14217 students in 913 schools, 3 latent classes, 3 dimensions of integration (examples/nels/B3.inp,
// data fixtures/sim/nels_like.dat). Figures:
//   - per-evaluation cost: one loglikelihood, and one loglikelihood + gradient, at the default
//     integration (STANDARD 15, adaptive) and at the coarse rule the optimizer starts with;
//   - with NELS_FIT=1 in the environment: one start (STARTS = 0) to convergence (time, iterations,
//     loglikelihood); with NELS_STARTS=1: STARTS = 20 4 with PROCESSORS = 2. Both are opt-in because
//     they currently take far longer than the issue's goals (60 s and 5 min; see the report in
//     examples/nels/README.md).
//   node --import tsx bench/nels.ts
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOrThrow } from '../src/syntax/parse.js';
import { loadData } from '../src/data/index.js';
import { buildModel } from '../src/model/index.js';
import { estimate } from '../src/estimate/index.js';
import { compileModel, setTheta } from '../src/estimate/compile.js';
import { makeWorkspace } from '../src/estimate/likelihood.js';
import { freezeProposals, logLikIntegrated, makeIntegration } from '../src/estimate/integrate.js';
import { defaultStarts } from '../src/estimate/starts.js';
import { runSettings } from '../src/cli/analysis.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

export interface NelsBench {
  name: string;
  /** wall-clock seconds */
  seconds: number;
  cpuSeconds?: number;
  loglikelihood?: number;
  parameters?: number;
  iterations?: number;
  nodes?: number;
}

function load(starts: string) {
  const dir = join(root, 'examples/nels/');
  const text = readFileSync(join(dir, 'B3.inp'), 'utf8').replace(/STARTS = [^;]*;/, `STARTS = ${starts};`);
  const ast = parseOrThrow(text, 'examples/nels/B3.inp');
  const { dataset } = loadData(ast, dir);
  const { ir } = buildModel(ast, { columns: dataset.columns }, dataset);
  return { ir, dataset, settings: runSettings(ast) };
}

function timed<T>(f: () => T): { value: T; seconds: number; cpuSeconds: number } {
  const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
  const value = f();
  const c = process.cpuUsage(c0);
  return { value, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpuSeconds: (c.user + c.system) / 1e6 };
}

/** Cost of one evaluation at the start values, adaptive nodes centred there. */
export function benchNelsEvaluations(type: 'STANDARD' | 'GAUSSHERMITE', points: number): NelsBench[] {
  const { ir, dataset } = load('0');
  const m = compileModel(ir, dataset);
  const ws = makeWorkspace(m, 'logit');
  const st = makeIntegration(m, type, points, true);
  setTheta(m, defaultStarts(m, 'logit', true));
  freezeProposals(m, ws, st, false);
  freezeProposals(m, ws, st, true);
  const dSlot = new Float64Array(m.nSlots);
  const a = timed(() => logLikIntegrated(m, ws, st, null));
  const b = timed(() => logLikIntegrated(m, ws, st, dSlot));
  const rule = `${type}(${points})`;
  return [
    { name: `nels B3 loglikelihood, ${rule}`, seconds: a.seconds, cpuSeconds: a.cpuSeconds, loglikelihood: a.value, nodes: st.nq },
    { name: `nels B3 loglikelihood + gradient, ${rule}`, seconds: b.seconds, cpuSeconds: b.cpuSeconds, loglikelihood: b.value, nodes: st.nq },
  ];
}

function fit(starts: string, name: string, processors = 1): NelsBench {
  const { ir, dataset, settings } = load(starts);
  const r = timed(() => estimate(ir, dataset, {
    ...settings.estimation,
    processors,
    onProgress: (e) => process.stderr.write(`  ${name}: ${e.stage}${e.start ? ` ${e.start}/${e.of}` : ''} iteration ${e.iteration} loglikelihood ${e.loglikelihood.toFixed(3)}\n`),
  }));
  const res = r.value;
  return {
    name, seconds: r.seconds, cpuSeconds: r.cpuSeconds, loglikelihood: res.fit?.loglikelihood ?? NaN,
    parameters: res.fit?.parameters ?? 0, iterations: res.iterations.length,
  };
}

export function benchNels(): NelsBench[] {
  const out = [...benchNelsEvaluations('GAUSSHERMITE', 5), ...benchNelsEvaluations('STANDARD', 15)];
  if (process.env.NELS_FIT === '1') out.push(fit('0', 'nels B3 one start (default integration)'));
  if (process.env.NELS_STARTS === '1') out.push(fit('20 4', 'nels B3 STARTS = 20 4, PROCESSORS = 2', 2));
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of benchNels()) console.log(JSON.stringify(row));
}
