// Shared helpers of the TYPE = THREELEVEL tests: load an input (text or file) into IR + Dataset, and the
// peer fits of bench/peers/threelevel_ex9_23.R (fixtures/peers/threelevel_ex9_23.json).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInput } from '../../src/syntax/parse.js';
import { PlusmixError } from '../../src/syntax/diagnostics.js';
import { loadData } from '../../src/data/index.js';
import { buildModel } from '../../src/model/index.js';

export const root = new URL('../../', import.meta.url).pathname;

export function loadText(text: string, dir: string, name = 'three.inp') {
  const parsed = parseInput(text, join(dir, name));
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new PlusmixError(errors);
  const { dataset } = loadData(parsed.ast, dir);
  const { ir } = buildModel(parsed.ast, { columns: dataset.columns }, dataset);
  return { ast: parsed.ast, ir, dataset };
}

export function loadExample(rel: string) {
  return loadText(readFileSync(join(root, rel), 'utf8'), join(root, rel, '..'));
}

/** A temporary folder holding `files` (name -> content). */
export function tempFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-threelevel-'));
  for (const [n, c] of Object.entries(files)) writeFileSync(join(dir, n), c);
  return dir;
}

export interface PeerEstimate { est: number; se: number }
export interface PeerFit { loglik: number; npar: number; estimates: Record<string, PeerEstimate> }
export const peers = JSON.parse(readFileSync(join(root, 'fixtures/peers/threelevel_ex9_23.json'), 'utf8')) as {
  models: { equal_lme4: { loglik: number; npar: number }; equal: PeerFit; l3zero: PeerFit };
};

/** The UG ex9.23 input with its data file name replaced by `dataFile`, plus `extra` lines per level. */
export function ex923Input(dataFile: string, extra: { within?: string; level2?: string; level3?: string } = {}, missing = ''): string {
  return `TITLE: three-level test
DATA: FILE = ${dataFile};
VARIABLE: NAMES = y1-y4 x w z level2 level3;
  CLUSTER = level3 level2;
  WITHIN = x;
  BETWEEN = (level2) w (level3) z;${missing}
ANALYSIS: TYPE = THREELEVEL;
MODEL:
  %WITHIN%
  iw sw | y1@0 y2@1 y3@2 y4@3;
  iw sw ON x;${extra.within ?? ''}
  %BETWEEN level2%
  ib2 sb2 | y1@0 y2@1 y3@2 y4@3;
  ib2 sb2 ON w;${extra.level2 ?? ''}
  %BETWEEN level3%
  ib3 sb3 | y1@0 y2@1 y3@2 y4@3;
  ib3 sb3 ON z;${extra.level3 ?? ''}
`;
}
