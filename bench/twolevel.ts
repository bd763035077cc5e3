// bench/twolevel: plusmix on High School and Beyond model m3 (issue 5: random intercept and two
// random slopes regressed on three school covariates, 19 parameters), the counterpart of
// `Rscript bench/peers/hsb_lme4.R --time` (lme4, default optimizer). Two figures:
//   - in-process: parse examples/hsb/m3.inp, read the data, build the IR, estimate (ML SEs + EAP);
//   - whole process: the same in a fresh `node --import tsx` child (start-up and TypeScript
//     compilation included), comparable with the peer's whole Rscript process.
//   node --import tsx bench/twolevel.ts
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOrThrow } from '../src/syntax/parse.js';
import { loadData } from '../src/data/index.js';
import { buildModel } from '../src/model/index.js';
import { estimateTwoLevel } from '../src/estimate/twolevel/index.js';

const here = fileURLToPath(import.meta.url);
const root = dirname(dirname(here));

export interface TwoLevelBench {
  name: string;
  /** wall-clock seconds */
  seconds: number;
  /** CPU (user) seconds of this process (in-process row only) */
  cpuSeconds?: number;
  /** seconds spent in estimateTwoLevel alone (in-process row only) */
  estimateSeconds?: number;
  loglikelihood: number;
  parameters: number;
  iterations?: number;
}

/** Parse, read, build and estimate m3 once; returns the fit and the time spent estimating. */
function runM3(): { loglikelihood: number; parameters: number; iterations: number; estimateSeconds: number } {
  const dir = join(root, 'examples/hsb/');
  let text = readFileSync(join(dir, 'm3.inp'), 'utf8');
  if (!existsSync(join(dir, 'hsb.dat'))) text = text.replace('FILE = hsb.dat', `FILE = ${join(root, 'fixtures/hsb/hsb.dat')}`);
  const ast = parseOrThrow(text, 'examples/hsb/m3.inp');
  const { dataset } = loadData(ast, dir);
  const { ir } = buildModel(ast, { columns: dataset.columns }, dataset);
  const t0 = process.hrtime.bigint();
  const r = estimateTwoLevel(ir, dataset, { estimator: 'ML' });
  const estimateSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { loglikelihood: r.fit?.loglikelihood ?? NaN, parameters: r.fit?.parameters ?? 0, iterations: r.iterations.length, estimateSeconds };
}

export function benchTwoLevel(): TwoLevelBench[] {
  const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
  const fit = runM3();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = process.cpuUsage(c0).user / 1e6;
  const rows: TwoLevelBench[] = [{ name: 'HSB m3 in-process (parse + data + IR + estimate)', seconds, cpuSeconds, ...fit }];
  const p0 = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--import', 'tsx', here, '--once'], { cwd: root, encoding: 'utf8' });
  const pSeconds = Number(process.hrtime.bigint() - p0) / 1e9;
  if (child.status === 0) {
    const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { loglikelihood: number; parameters: number };
    rows.push({ name: 'HSB m3 whole process (node + tsx + pipeline)', seconds: pSeconds, loglikelihood: out.loglikelihood, parameters: out.parameters });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--once')) console.log(JSON.stringify(runM3()));
  else console.log(JSON.stringify(benchTwoLevel(), null, 1));
}
