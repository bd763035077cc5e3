import { readFileSync } from 'node:fs';
import { runPipeline } from '../src/cli/pipeline.js';
const f = process.argv[2]!;
const t0 = performance.now();
const r = runPipeline(readFileSync(f, 'utf8'), f, { onProgress: undefined } as any);
const res = r.result!;
console.log('time', (performance.now() - t0) / 1000, 'ok', res.terminatedNormally, res.fit?.loglikelihood, res.warnings.map((w) => w.code));
console.log(res.iterations.slice(-5));
console.log(res.randomStarts?.rows.slice(0, 5));
