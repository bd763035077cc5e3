// `plusmix diff A B [--tolerance est=0.005,se=0.03,ll=0.01] [--match-classes]`
//
// Each side is a plusmix or Mplus .out file, a plusmix .json file, or a CSV of published values
// (header `level,class,block,name,estimate,se`). Parameters are matched by level, class, block and
// name (case and spacing insensitive). Exit 0 when every matched difference is within tolerance,
// 1 otherwise (also when a parameter of one side is missing on the other; a CSV side may list a
// subset). --match-classes relabels B's latent classes to A's (label switching). Unreadable files raise a PlusmixError (exit 1 through the CLI).
//
// Printed values carry 3 decimals, so differences of at most half a unit of that precision (0.0005)
// never count as failures.

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Chalk } from 'chalk';
import { PlusmixError } from '../syntax/diagnostics.js';
import type { ParameterEstimate } from '../results/types.js';
import { readMplusOut } from '../output/mplusReader.js';
import { resultFromJson, type JsonResult } from '../output/json.js';

export interface DiffOptions {
  /** `est=0.005,se=0.03,ll=0.01` (any subset), or a single number for the estimate tolerance */
  tolerance?: string;
  /** colored output (default: when stdout is a terminal) */
  color?: boolean;
  /**
   * relabel the classes of B to best match A (label switching): the permutation minimising the squared
   * differences of the class-specific estimates; Categorical Latent Variables rows (logits against the
   * last class) are transformed accordingly
   */
  matchClasses?: boolean;
  /** where the report goes (default: process.stdout) */
  write?: (s: string) => void;
}

export interface Tolerances {
  est: number;
  se: number;
  ll: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { est: 0.005, se: 0.03, ll: 0.01 };
const PRINT_PRECISION = 0.0005 + 1e-9;

interface Side {
  path: string;
  kind: 'out' | 'json' | 'csv';
  parameters: ParameterEstimate[];
  fit: { loglikelihood: number | null; parameters: number | null; aic: number | null; bic: number | null; abic: number | null; entropy: number | null; scaling: number | null } | null;
  /** TECH11 / TECH14 results when the side has them (shown beside the fit statistics, not tested) */
  lrt?: LrtSide;
}

interface LrtSide {
  h0Loglikelihood: number | null;
  lrt: number | null;
  vlmrP: number | null;
  lmrValue: number | null;
  lmrP: number | null;
  blrtP: number | null;
}

function lrtSide(t11: { h0: number | null; lrt: number | null; p: number | null; lmr: number | null; lmrP: number | null } | null, blrtP: number | null | undefined, t14: { h0: number | null; lrt: number | null } | null): LrtSide | undefined {
  if (!t11 && blrtP === undefined) return undefined;
  return { h0Loglikelihood: t11?.h0 ?? t14?.h0 ?? null, lrt: t11?.lrt ?? t14?.lrt ?? null, vlmrP: t11?.p ?? null, lmrValue: t11?.lmr ?? null, lmrP: t11?.lmrP ?? null, blrtP: blrtP ?? null };
}

export function parseTolerance(spec: string | undefined): Tolerances {
  const t = { ...DEFAULT_TOLERANCES };
  if (!spec) return t;
  for (const part of spec.split(',')) {
    const m = /^\s*(?:(est|se|ll)\s*=\s*)?([0-9.eE+-]+)\s*$/.exec(part);
    if (!m || !Number.isFinite(Number(m[2]))) {
      throw new PlusmixError({ severity: 'error', code: 'E_DIFF_TOLERANCE', message: `bad --tolerance "${part}" (use est=0.005,se=0.03,ll=0.01)`, location: { kind: 'none' } });
    }
    t[(m[1] ?? 'est') as keyof Tolerances] = Number(m[2]);
  }
  return t;
}

function fileError(path: string, message: string): PlusmixError {
  return new PlusmixError({ severity: 'error', code: 'E_DIFF_INPUT', message, location: { kind: 'file', file: path } });
}

/** split one CSV line (double quotes may enclose commas) */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') out.push(cur.trim()), (cur = '');
    else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function readCsv(path: string, text: string): ParameterEstimate[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').filter((l) => l.trim() !== '');
  const head = csvFields(lines[0] ?? '').map((h) => h.toLowerCase());
  const col = (n: string) => head.indexOf(n);
  for (const need of ['block', 'name', 'estimate']) if (col(need) < 0) throw fileError(path, `CSV header lacks column "${need}" (expected level,class,block,name,estimate,se)`);
  return lines.slice(1).map((l, i) => {
    const f = csvFields(l);
    const get = (n: string) => (col(n) >= 0 ? (f[col(n)] ?? '') : '');
    const level = get('level').toLowerCase();
    const cls = get('class');
    const cat = /^(categorical( latent( variables)?)?|clv)$/i.test(cls);
    const estimate = Number(get('estimate'));
    if (get('estimate') === '' || !Number.isFinite(estimate)) throw fileError(path, `row ${i + 2}: estimate "${get('estimate')}" is not a number`);
    const seText = get('se');
    return {
      par: 0,
      level: level === 'within' || level === 'between' ? level : null,
      classLabel: cat || cls === '' ? null : cls,
      categoricalLatent: cat,
      block: get('block'),
      name: get('name'),
      estimate,
      se: seText === '' ? NaN : Number(seText),
      fixed: false,
    };
  });
}

export function loadSide(path: string): Side {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw fileError(path, `cannot read ${path}`);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.json') {
    let j: JsonResult;
    try {
      j = JSON.parse(text) as JsonResult;
    } catch (e) {
      throw fileError(path, `not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(j.parameters)) throw fileError(path, 'JSON file is not a plusmix result (no "parameters" array)');
    const r = resultFromJson(j);
    return {
      path,
      kind: 'json',
      parameters: r.parameters,
      fit: r.fit && { loglikelihood: r.fit.loglikelihood, parameters: r.fit.parameters, aic: r.fit.aic, bic: r.fit.bic, abic: r.fit.abic, entropy: r.fit.entropy, scaling: r.fit.scaling_correction },
      lrt: lrtSide(
        j.tech11 ? { h0: j.tech11.h0_loglikelihood, lrt: j.tech11.lrt, p: j.tech11.pvalue, lmr: j.tech11.lmr_adjusted.value, lmrP: j.tech11.lmr_adjusted.pvalue } : null,
        j.tech14 ? j.tech14.pvalue : undefined,
        j.tech14 ? { h0: j.tech14.h0_loglikelihood, lrt: j.tech14.lrt } : null,
      ),
    };
  }
  if (ext === '.csv') return { path, kind: 'csv', parameters: readCsv(path, text), fit: null };
  let f;
  try {
    f = readMplusOut(text);
  } catch (e) {
    throw fileError(path, (e as Error).message);
  }
  const fit = f.result.fit;
  const t11 = f.result.tech11;
  const t14 = f.result.tech14;
  return {
    path,
    kind: 'out',
    parameters: f.result.parameters,
    fit: fit && { loglikelihood: fit.loglikelihood, parameters: fit.parameters, aic: fit.aic, bic: fit.bic, abic: fit.abic, entropy: f.result.classCounts?.entropy ?? null, scaling: fit.scalingCorrection },
    lrt: lrtSide(
      t11 ? { h0: t11.h0Loglikelihood, lrt: t11.lrt, p: t11.pValue, lmr: t11.adjusted.value, lmrP: t11.adjusted.pValue } : null,
      t14 ? t14.pValue : undefined,
      t14 ? { h0: t14.h0Loglikelihood, lrt: t14.lrt } : null,
    ),
  };
}

const norm = (s: string) => s.trim().toUpperCase().replace(/\s+/g, ' ');

/** match key: level | class (or CLV for Categorical Latent Variables) | block | name */
export function parameterKey(p: ParameterEstimate): string {
  const cat = p.categoricalLatent || (p.classLabel === null && /#\d+$/.test(p.name));
  return [p.level ?? '', cat ? 'CLV' : (p.classLabel ?? ''), norm(p.block), norm(p.name)].join('|');
}

function permutations(n: number): number[][] {
  if (n <= 1) return [[0]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  return out;
}

/**
 * Relabel B's classes by the permutation (up to 7 classes, exhaustive) that minimises the squared
 * estimate differences with A. Class logits C#k (= log p_k / p_K) of the Categorical Latent Variables
 * become C#pi(k) - C#pi(K); their S.E.s are kept only when the last class stays last (otherwise a
 * covariance would be needed, and the S.E. is dropped). Returns the new side and the mapping used.
 */
export function matchClasses(a: Side, b: Side): { side: Side; mapping: Map<string, string> } {
  const labels = [...new Set(b.parameters.filter((p) => p.classLabel !== null && !p.categoricalLatent).map((p) => p.classLabel as string))].sort((x, y) => Number(x) - Number(y));
  const K = labels.length;
  const identity = { side: b, mapping: new Map(labels.map((l) => [l, l])) };
  if (K < 2 || K > 7 || labels.some((l) => !/^\d+$/.test(l))) return identity;
  const am = new Map(a.parameters.map((p) => [parameterKey(p), p.estimate]));
  let best: number[] | null = null;
  let bestCost = Infinity;
  for (const perm of permutations(K)) {
    // perm[i]: the index of A's class that B's class i becomes
    let cost = 0;
    for (const p of b.parameters) {
      if (p.classLabel === null || p.categoricalLatent) continue;
      const q = { ...p, classLabel: labels[perm[labels.indexOf(p.classLabel)]] };
      const x = am.get(parameterKey(q));
      if (x !== undefined) cost += (x - p.estimate) ** 2;
    }
    if (cost < bestCost - 1e-12) (bestCost = cost), (best = perm);
  }
  if (!best) return identity;
  const perm = best;
  const mapping = new Map(labels.map((l, i) => [l, labels[perm[i]]]));
  // inverse: the B class that becomes A's class j
  const inv = new Array<number>(K);
  perm.forEach((j, i) => (inv[j] = i));
  const logit = (block: string, level: Side['parameters'][number]['level'], name: string, i: number): Side['parameters'][number] | undefined =>
    i === K - 1 ? undefined : b.parameters.find((p) => p.categoricalLatent && p.block === block && p.level === level && p.name.toUpperCase() === `${name}#${i + 1}`);
  const params = b.parameters.map((p) => {
    if (!p.categoricalLatent) return p.classLabel === null ? p : { ...p, classLabel: mapping.get(p.classLabel)! };
    const m = /^(.+)#(\d+)$/.exec(p.name.toUpperCase());
    if (!m || !/^(Means|Intercepts|.+ ON)$/.test(p.block) || Number(m[2]) > K - 1) return p;
    const k = Number(m[2]) - 1; // the new class k of A is B's class inv[k]; last class inv[K-1]
    const num = logit(p.block, p.level, m[1], inv[k]);
    const den = logit(p.block, p.level, m[1], inv[K - 1]);
    const estimate = (num?.estimate ?? 0) - (den?.estimate ?? 0);
    return { ...p, estimate, se: den ? NaN : (num?.se ?? NaN) };
  });
  return { side: { ...b, parameters: params }, mapping };
}

export interface DiffRow {
  key: string;
  a?: ParameterEstimate;
  b?: ParameterEstimate;
  estDiff: number;
  seRel: number;
  failed: boolean;
  reason: string;
}

export function compareParameters(a: Side, b: Side, tol: Tolerances): DiffRow[] {
  const mb = new Map<string, ParameterEstimate>();
  for (const p of b.parameters) mb.set(parameterKey(p), p);
  const seen = new Set<string>();
  const rows: DiffRow[] = [];
  for (const pa of a.parameters) {
    const key = parameterKey(pa);
    seen.add(key);
    const pb = mb.get(key);
    if (!pb) {
      rows.push({ key, a: pa, estDiff: NaN, seRel: NaN, failed: b.kind !== 'csv', reason: `missing in ${b.path}` });
      continue;
    }
    const estDiff = pa.estimate - pb.estimate;
    const estFail = !(Math.abs(estDiff) <= Math.max(tol.est, PRINT_PRECISION));
    const bothSe = Number.isFinite(pa.se) && Number.isFinite(pb.se) && !pa.fixed && !pb.fixed;
    const seDiff = bothSe ? pa.se - pb.se : NaN;
    const seRel = bothSe ? seDiff / Math.max(Math.abs(pb.se), 1e-12) : NaN;
    const seFail = bothSe && !(Math.abs(seDiff) <= Math.max(tol.se * Math.abs(pb.se), PRINT_PRECISION));
    const reason = [estFail ? 'estimate' : '', seFail ? 'S.E.' : ''].filter(Boolean).join(' and ');
    rows.push({ key, a: pa, b: pb, estDiff, seRel, failed: estFail || seFail, reason });
  }
  for (const pb of b.parameters) {
    const key = parameterKey(pb);
    if (!seen.has(key)) rows.push({ key, b: pb, estDiff: NaN, seRel: NaN, failed: a.kind !== 'csv', reason: `missing in ${a.path}` });
  }
  return rows;
}

function describe(p: ParameterEstimate): string {
  const where = [p.level ? (p.level === 'within' ? 'Within' : 'Between') : '', p.categoricalLatent ? 'Categorical Latent' : p.classLabel ? `Class ${p.classLabel}` : '']
    .filter(Boolean)
    .join(', ');
  return `${where ? where + ': ' : ''}${p.block} ${p.name}`.trim();
}

const f3 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(3));

export async function runDiff(a: string, b: string, opts: DiffOptions = {}): Promise<number> {
  const tol = parseTolerance(opts.tolerance);
  const write = opts.write ?? ((s: string) => void process.stdout.write(s));
  const c = new Chalk({ level: (opts.color ?? process.stdout.isTTY) ? 1 : 0 });
  const A = loadSide(a);
  let B = loadSide(b);
  const out: string[] = [];
  out.push(c.bold(`plusmix diff`), `  A: ${a}`, `  B: ${b}`, `  tolerance: estimates ${tol.est} absolute, S.E. ${tol.se * 100}% relative, loglikelihood ${tol.ll}`);
  if (opts.matchClasses) {
    const m = matchClasses(A, B);
    B = m.side;
    out.push(`  classes of B relabelled to match A: ${[...m.mapping].map(([from, to]) => `${from} -> ${to}`).join(', ')}`);
  }
  out.push('');

  let failures = 0;
  if (A.fit || B.fit) {
    out.push(c.bold('Fit statistics'), `  ${'statistic'.padEnd(26)}${'A'.padStart(14)}${'B'.padStart(14)}${'A - B'.padStart(12)}`);
    const fitRow = (label: string, x: number | null | undefined, y: number | null | undefined, tolerance?: number, exact?: boolean) => {
      const has = typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y);
      const d = has ? (x as number) - (y as number) : NaN;
      const bad = has && ((exact && d !== 0) || (tolerance !== undefined && Math.abs(d) > tolerance));
      if (bad) failures++;
      const show = (v: number | null | undefined) => (typeof v !== 'number' || !Number.isFinite(v) ? '' : Number.isInteger(v) ? String(v) : v.toFixed(4));
      const line = `  ${label.padEnd(26)}${show(x).padStart(14)}${show(y).padStart(14)}${(has ? d.toFixed(4) : '').padStart(12)}`;
      out.push(bad ? c.red(line + '  <-- exceeds tolerance') : line);
    };
    fitRow('Loglikelihood', A.fit?.loglikelihood, B.fit?.loglikelihood, A.fit && B.fit ? tol.ll : undefined);
    fitRow('Free parameters', A.fit?.parameters, B.fit?.parameters, undefined, !!(A.fit && B.fit));
    fitRow('Scaling correction', A.fit?.scaling, B.fit?.scaling);
    fitRow('AIC', A.fit?.aic, B.fit?.aic);
    fitRow('BIC', A.fit?.bic, B.fit?.bic);
    fitRow('Sample-size adjusted BIC', A.fit?.abic, B.fit?.abic);
    fitRow('Entropy', A.fit?.entropy, B.fit?.entropy);
    // TECH11 / TECH14 (K-1 vs K classes) side by side, for information: bootstrap p-values differ by design
    if (A.lrt || B.lrt) {
      fitRow('K-1 class H0 loglikelihood', A.lrt?.h0Loglikelihood, B.lrt?.h0Loglikelihood);
      fitRow('2 x loglikelihood diff.', A.lrt?.lrt, B.lrt?.lrt);
      fitRow('VLMR p-value (TECH11)', A.lrt?.vlmrP, B.lrt?.vlmrP);
      fitRow('LMR adjusted LRT', A.lrt?.lmrValue, B.lrt?.lmrValue);
      fitRow('LMR adjusted p-value', A.lrt?.lmrP, B.lrt?.lmrP);
      fitRow('BLRT p-value (TECH14)', A.lrt?.blrtP, B.lrt?.blrtP);
    }
    out.push('');
  }

  const rows = compareParameters(A, B, tol);
  out.push(c.bold('Parameters'));
  out.push(`  ${'parameter'.padEnd(44)}${'est A'.padStart(10)}${'est B'.padStart(10)}${'diff'.padStart(9)}${'se A'.padStart(9)}${'se B'.padStart(9)}${'rel'.padStart(8)}`);
  for (const r of rows) {
    const p = (r.a ?? r.b)!;
    const line = (
      `  ${describe(p).slice(0, 43).padEnd(44)}${f3(r.a?.estimate).padStart(10)}${f3(r.b?.estimate).padStart(10)}${(Number.isFinite(r.estDiff) ? r.estDiff.toFixed(3) : '').padStart(9)}` +
      `${f3(r.a?.fixed ? undefined : r.a?.se).padStart(9)}${f3(r.b?.fixed ? undefined : r.b?.se).padStart(9)}${(Number.isFinite(r.seRel) ? (r.seRel * 100).toFixed(1) + '%' : '').padStart(8)}`
    ).trimEnd();
    if (r.failed) {
      failures++;
      out.push(c.red(`${line}  <-- ${r.reason}`));
    } else if (r.reason) out.push(c.yellow(`${line}  (${r.reason})`));
    else out.push(c.green(line));
  }
  const matched = rows.filter((r) => r.a && r.b).length;
  out.push('');
  out.push(failures === 0 ? c.green(`OK: ${matched} parameters matched, all within tolerance.`) : c.red(`DIFFERENT: ${failures} difference(s) exceed the tolerance (${matched} parameters matched).`));
  write(out.join('\n') + '\n');
  return failures === 0 ? 0 : 1;
}
