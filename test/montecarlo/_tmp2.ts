import { readFileSync } from 'node:fs';
import { runMonteCarlo } from '../../src/cli/montecarlo.js';
const r = runMonteCarlo(readFileSync(process.argv[2], 'utf8'), process.argv[2], { processors: Number(process.argv[3] ?? 1) });
console.log(r.outText.split("SUMMARY OF ANALYSIS")[1]);
