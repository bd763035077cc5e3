// Comparison of plusmix two-level results with lavaan's parameter tables (fixtures/peers/twolevel_*.json,
// written by bench/peers/twolevel_*lavaan.R): keys, tolerances and the shared assertion.
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseOrThrow } from '../../../src/syntax/parse.js';
import { loadData } from '../../../src/data/index.js';
import { buildModel } from '../../../src/model/index.js';
import type { EstimationResult, ParameterEstimate } from '../../../src/results/types.js';

export const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface PeerEst { est: number; se_ml: number; se_mlr?: number }
export interface LavaanModel { loglik_conditional: number; npar: number; estimates: Record<string, PeerEst> }

export function lavaanPeer(file: string): Record<string, LavaanModel> {
  return (JSON.parse(readFileSync(`${root}fixtures/peers/${file}`, 'utf8')) as { models: Record<string, LavaanModel> }).models;
}

/** Parse, read and build an input (path relative to the project root). */
export function loadInput(rel: string) {
  const path = `${root}${rel}`;
  const ast = parseOrThrow(readFileSync(path, 'utf8'), rel);
  const { dataset } = loadData(ast, path.slice(0, path.lastIndexOf('/') + 1));
  const { ir } = buildModel(ast, { columns: dataset.columns }, dataset);
  return { ir, dataset };
}

/** lavaan's parameter key of a plusmix row (see key_note in the JSON), both orders for WITH. */
export function lavaanKeys(p: ParameterEstimate): string[] {
  const L = p.level === 'within' ? 'L1:' : 'L2:';
  const lc = (s: string) => s.toLowerCase();
  const [head, kind] = p.block.split(/\s+/);
  if (kind === 'BY') return [`${L}${lc(head!)}=~${lc(p.name)}`];
  if (kind === 'ON') return [`${L}${lc(head!)}~${lc(p.name)}`];
  if (kind === 'WITH') return [`${L}${lc(head!)}~~${lc(p.name)}`, `${L}${lc(p.name)}~~${lc(head!)}`];
  if (p.block === 'Intercepts' || p.block === 'Means') return [`${L}${lc(p.name)}~1`];
  return [`${L}${lc(p.name)}~~${lc(p.name)}`];
}

/**
 * Log-likelihood within 0.01 of lavaan's (conditional on the covariates), the same number of free
 * parameters, every estimate within 0.1% (plus a thousandth of an SE: near-zero between variances
 * are only as precise as the optimisers), every SE within 2%.
 */
export function compareWithLavaan(pm: LavaanModel, r: EstimationResult, se: 'se_ml' | 'se_mlr'): void {
  assert.ok(r.terminatedNormally);
  assert.ok(Math.abs(r.fit!.loglikelihood - pm.loglik_conditional) < 0.01, `loglik ${r.fit!.loglikelihood} vs ${pm.loglik_conditional}`);
  assert.is(r.fit!.parameters, pm.npar);
  let matched = 0;
  for (const p of r.parameters) {
    if (p.fixed) continue;
    const key = lavaanKeys(p).find((k) => pm.estimates[k]);
    assert.ok(key, `no lavaan estimate for ${p.level} ${p.block} ${p.name}`);
    const e = pm.estimates[key]!;
    const s = e[se]!;
    matched++;
    assert.ok(Math.abs(p.estimate - e.est) <= 1e-3 * Math.abs(e.est) + 1e-3 * s, `${key}: ${p.estimate} vs ${e.est}`);
    assert.ok(Math.abs(p.se - s) <= 0.02 * s, `${key} ${se}: ${p.se} vs ${s}`);
  }
  assert.is(matched, pm.npar);
}
