// The first seed paper's section 3 on High School and Beyond: runs the models in order, writes the
// comparison table (the paper's Table 2) and the Fig. 6 / Fig. 8 style plots, and reports the share of
// schools in which girls do better than boys (school EAP female slope > 0) under model 1 and under the
// BIC-best mixture model (the paper: 38% vs 9% for NELS).
//
//   node --import tsx examples/hsb/run-all.ts            all models (see MODELS)
//   node --import tsx examples/hsb/run-all.ts --quick    model 1 and A2 only
//   node --import tsx examples/hsb/run-all.ts 1 1c A3    the models named
//   ... --no-run                                          table, shares and plots from the existing out/ files
//
// Everything goes to examples/hsb/out/: <model>.out, <model>.json, the SAVEDATA files <model>_fs.dat,
// compare.txt, compare.csv, fig6-1.svg, fig8-<best>.svg and summary.txt. A model whose run fails
// (input or engine error: exit code 1) is skipped, with a message, and left out of the table.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSummary } from '../../src/cli/compare.js';
import { readMplusOut } from '../../src/output/mplusReader.js';
import type { JsonResult } from '../../src/output/json.js';
import { scatterPlot } from '../../src/output/plots.js';
import { buildCompareTable, formatCompareCsv, formatCompareText, type ModelSummary } from '../../src/results/compare.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'out');

/** run order: the conventional models, then the mixtures by type and number of classes (Table 2) */
const MODELS = ['1', '1b', '1c', 'A2', 'A3', 'A4', 'B2', 'B3', 'B4', 'C23'];
const QUICK = ['1', 'A2'];
/** --quick: fewer random starts (the full run uses the inputs' STARTS) so that it finishes in about a minute */
const QUICK_MODE = process.argv.includes('--quick');
const QUICK_STARTS: [number, number] = [8, 2];

interface Ran {
  model: string;
  seconds: number;
  summary: ModelSummary;
}

/** the results of an earlier run (--no-run), or null when it left none */
function existing(model: string): Ran | null {
  if (!existsSync(join(OUT, `${model}.json`)) || !existsSync(join(OUT, `${model}.out`))) {
    console.log(`model ${model}: no results in out/, skipped`);
    return null;
  }
  return { model, seconds: NaN, summary: loadSummary(join(OUT, `${model}.out`)) };
}

async function runModel(model: string): Promise<Ran | null> {
  for (const f of [`${model}.out`, `${model}.json`, `${model}_fs.dat`]) rmSync(join(OUT, f), { force: true });
  const t0 = Date.now();
  let code: number;
  try {
    const { runCommand } = await import('../../src/cli/run.js');
    code = await runCommand(join(HERE, `${model}.inp`), { output: join(OUT, `${model}.out`), json: join(OUT, `${model}.json`), quiet: true, ...(QUICK_MODE ? { starts: QUICK_STARTS, processors: 2 } : {}) });
  } catch (e) {
    process.stderr.write(`run-all: model ${model}: internal error: ${(e as Error).message}\n`);
    code = 2;
  }
  const seconds = (Date.now() - t0) / 1000;
  if (code !== 0 || !existsSync(join(OUT, `${model}.json`))) {
    console.log(`model ${model}: run failed (exit ${code}, ${seconds.toFixed(1)} s), skipped; see out/${model}.out`);
    return null;
  }
  const summary = loadSummary(join(OUT, `${model}.out`));
  const ll = summary.loglikelihood === null ? 'no loglikelihood' : `loglikelihood ${summary.loglikelihood.toFixed(3)}`;
  console.log(`model ${model}: ${summary.terminatedNormally ? 'done' : 'did NOT terminate normally'}, ${ll}, ${seconds.toFixed(1)} s`);
  return { model, seconds, summary };
}

// ---------------------------------------------------------------- school-level female slopes

/** the save file as columns, by the order and Fortran formats printed under SAVEDATA INFORMATION */
function readSaveFile(model: string): Map<string, Float64Array[]> | null {
  const out = readMplusOut(readFileSync(join(OUT, `${model}.out`), 'utf8'));
  const info = out.savedata;
  if (!info || !existsSync(join(HERE, info.file))) return null;
  const widths = info.variables.map((v) => (v.format ? Number(/^[FI](\d+)/i.exec(v.format)?.[1]) : NaN));
  const fixed = widths.every((w) => Number.isFinite(w));
  const lines = readFileSync(join(HERE, info.file), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const cols = info.variables.map(() => new Float64Array(lines.length));
  lines.forEach((l, i) => {
    let pos = 0;
    const cells = fixed ? widths.map((w) => l.slice(pos, (pos += w))) : l.trim().split(/\s+/);
    cells.forEach((c, j) => (cols[j][i] = c.trim() === info.missingSymbol ? NaN : Number(c)));
  });
  // a name may repeat (the outcome and the EAP of its random intercept); keep every occurrence in order
  const byName = new Map<string, Float64Array[]>();
  info.variables.forEach((v, j) => byName.set(v.name.toUpperCase(), [...(byName.get(v.name.toUpperCase()) ?? []), cols[j]]));
  return byName;
}

interface SchoolEffects {
  intercept: Float64Array;
  femaleSlope: Float64Array;
  /** how the slope was obtained, for the report */
  how: string;
}

/**
 * School averages over students of the EAP random intercept and female slope. The random effects of a
 * mixture differ by class, so a student's estimate depends on his class probabilities and the paper
 * (Fig. 8) averages over the students of a school. With class-varying fixed slopes (models A) the
 * student's slope is sum_k CPROBk * (female slope of class k).
 */
function schoolEffects(model: string): SchoolEffects | null {
  const cols = readSaveFile(model);
  if (!cols) return null;
  const last = (name: string) => cols.get(name)?.at(-1);
  const school = last('SCHOOL');
  // the first MATHACH column is the outcome, a second one the EAP of the random intercept
  const mathach = cols.get('MATHACH');
  const intercept = mathach && mathach.length > 1 ? mathach[1] : last('B_MATHACH');
  if (!school || !intercept) return null;
  let slope = last('S1');
  let how = 'EAP of the random slope S1';
  if (!slope) {
    const j = JSON.parse(readFileSync(join(OUT, `${model}.json`), 'utf8')) as JsonResult;
    const b = (k: number) => j.parameters.find((p) => p.level === 'within' && p.class === String(k) && p.block.toUpperCase() === 'MATHACH ON' && p.name === 'FEMALE')?.estimate;
    const K = j.classes?.length ?? 0;
    const probs = Array.from({ length: K }, (_, k) => last(`CPROB${k + 1}`));
    const slopes = Array.from({ length: K }, (_, k) => b(k + 1));
    if (!K || probs.some((p) => !p) || slopes.some((s) => s === undefined || s === null)) return null;
    slope = new Float64Array(school.length);
    for (let i = 0; i < school.length; i++) for (let k = 0; k < K; k++) slope[i] += probs[k]![i] * slopes[k]!;
    how = 'class-specific female slopes weighted by the CPROBs';
  }
  const ids = [...new Set(school)];
  const at = new Map(ids.map((s, k) => [s, k]));
  const n = new Float64Array(ids.length);
  const a = new Float64Array(ids.length);
  const s = new Float64Array(ids.length);
  for (let i = 0; i < school.length; i++) {
    const k = at.get(school[i])!;
    n[k]++;
    a[k] += intercept[i];
    s[k] += slope[i];
  }
  for (let k = 0; k < ids.length; k++) (a[k] /= n[k]), (s[k] /= n[k]);
  return { intercept: a, femaleSlope: s, how };
}

function girlsBetter(model: string, fig: string, report: string[]): void {
  const e = schoolEffects(model);
  if (!e) {
    report.push(`model ${model}: no school random-effect estimates in its SAVEDATA file; share not computed`);
    return;
  }
  const pos = e.femaleSlope.filter((x) => x > 0).length;
  const share = (100 * pos) / e.femaleSlope.length;
  report.push(`model ${model}: girls do better than boys in ${pos} of ${e.femaleSlope.length} schools (${share.toFixed(1)}%) [${e.how}]`);
  writeFileSync(join(OUT, `${fig}-${model}.svg`), scatterPlot('Math intercept', 'Female slope', e.intercept, e.femaleSlope));
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const named = args.filter((a) => !a.startsWith('-'));
  const models = args.includes('--quick') ? QUICK : named.length ? named : MODELS;
  const noRun = args.includes('--no-run');
  mkdirSync(OUT, { recursive: true });
  const t0 = Date.now();
  const ran: Ran[] = [];
  for (const m of models) {
    const r = noRun ? existing(m) : await runModel(m);
    if (r) ran.push(r);
  }
  const report: string[] = [`models run: ${ran.map((r) => r.model).join(' ') || 'none'}`];
  const skipped = models.filter((m) => !ran.some((r) => r.model === m));
  if (skipped.length) report.push(`skipped (run failed): ${skipped.join(' ')}`);
  if (!noRun) report.push(`total time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  report.push('');

  if (ran.length) {
    const table = buildCompareTable(ran.map((r) => r.summary));
    writeFileSync(join(OUT, 'compare.txt'), formatCompareText(table));
    writeFileSync(join(OUT, 'compare.csv'), formatCompareCsv(table));
    console.log('\n' + formatCompareText(table));

    if (ran.some((r) => r.model === '1')) girlsBetter('1', 'fig6', report);
    else report.push('model 1 was not run: no share for it');
    // the BIC-best mixture: lowest BIC among the mixture models that terminated normally
    const mixtures = ran.filter((r) => r.summary.classes !== null && r.summary.classes.some((k) => k > 1) && r.summary.terminatedNormally && r.summary.bic !== null);
    mixtures.sort((x, y) => x.summary.bic! - y.summary.bic!);
    if (mixtures.length) girlsBetter(mixtures[0].model, 'fig8', report);
    else report.push('no mixture model terminated normally: no share for the BIC-best mixture');
  }
  writeFileSync(join(OUT, 'summary.txt'), report.join('\n') + '\n');
  console.log(report.join('\n'));
  console.log(`\nwritten to ${OUT}`);
}

await main();
