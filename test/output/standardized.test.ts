// OUTPUT: STANDARDIZED and CINTERVAL. Standardized estimates (single-level, two-level per level, and per
// class in a KNOWNCLASS mixture = lavaan multiple-group model), their delta-method standard errors and
// R-square against lavaan's standardizedSolution() on the same data and model (fixtures/peers/
// standardized_lavaan.json, bench/peers/standardized_lavaan.R); the printed layout against real Mplus
// outputs (ex5.20 for STANDARDIZED / R-SQUARE, ex3.6 and ex3.16 for CONFIDENCE INTERVALS, Mplus 8.11).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPipeline } from '../../src/cli/pipeline.js';
import { parseInput } from '../../src/syntax/parse.js';
import { loadData, dropMissingCovariates } from '../../src/data/index.js';
import { buildModel, covariateNames } from '../../src/model/index.js';
import { standardizedOut } from '../../src/output/assemble.js';
import { blockHeader, intervalRow, parameterRow } from '../../src/output/out.js';
import { readMplusOut } from '../../src/output/mplusReader.js';
import type { ParameterEstimate } from '../../src/results/types.js';
import { jsonText } from '../../src/output/json.js';
import { loadSchema, validate } from './schema.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const peer = JSON.parse(readFileSync(join(fixtures, 'peers/standardized_lavaan.json'), 'utf8'));

const MODELS = {
  mimic: `TITLE: MIMIC model on the ex9.6 data analysed as single-level data
DATA: FILE = ex9.6.dat;
VARIABLE: NAMES = y1-y4 x1 x2 w clus;
  USEVARIABLES = y1-y4 x1 x2;
MODEL: f BY y1-y4; f ON x1 x2; y1 WITH y2;
OUTPUT: STANDARDIZED CINTERVAL;
`,
  twolevel_ri: `TITLE: two-level random-intercept regression on the ex9.1 data
DATA: FILE = ex9.1a.dat;
VARIABLE: NAMES = y x w xm clus;
  USEVARIABLES = y x w;
  WITHIN = x; BETWEEN = w; CLUSTER = clus;
ANALYSIS: TYPE = TWOLEVEL; ESTIMATOR = ML;
MODEL: %WITHIN%
  y ON x;
  %BETWEEN%
  y ON w;
OUTPUT: STANDARDIZED;
`,
  knownclass: `TITLE: two-group CFA as a KNOWNCLASS mixture, every parameter class-specific
DATA: FILE = ex9.6.dat;
VARIABLE: NAMES = y1-y4 x1 x2 w clus;
  USEVARIABLES = y1-y4;
  CLASSES = c (2);
  KNOWNCLASS = c (g = 0 g = 1);
DEFINE: g = 0; IF (w GT 0) THEN g = 1;
ANALYSIS: TYPE = MIXTURE; ESTIMATOR = ML;
MODEL:
  %OVERALL%
  f BY y1-y4;
  %c#1%
  f BY y2-y4; [y1-y4]; y1-y4; f; [f@0];
  %c#2%
  f BY y2-y4; [y1-y4]; y1-y4; f; [f@0];
OUTPUT: STANDARDIZED;
`,
  reg: `TITLE: ex3.1 regression
DATA: FILE = ex3.1.dat;
VARIABLE: NAMES = y1 x1 x3;
MODEL: y1 ON x1 x3;
OUTPUT: STANDARDIZED CINTERVAL;
`,
};

type PeerRow = { block: string; name: string; level?: 'within' | 'between' | null; class?: string | null; est: number; se: number };

function run(name: keyof typeof MODELS) {
  const path = join(fixtures, `mplus-ug/${name}.inp`);
  const text = MODELS[name];
  const r = runPipeline(text, path, { clock: null });
  assert.is(r.exitCode, 0);
  const ast = parseInput(text, path).ast;
  let ds = loadData(ast, dirname(path)).dataset;
  const ir = buildModel(ast, { columns: ds.columns }, ds).ir;
  ds = dropMissingCovariates(ds, covariateNames(ir)).dataset;
  const s = standardizedOut(ir, ds, r.result!, ['stdyx', 'stdy', 'std']).standardized!;
  return { r, s };
}

/** the plusmix row of a lavaan row; WITH rows match in either order */
function find(rows: ParameterEstimate[], p: PeerRow): ParameterEstimate | undefined {
  const w = /^(\S+) WITH$/.exec(p.block);
  return rows.find((x) => (x.level ?? null) === (p.level ?? null) && (x.classLabel ?? null) === (p.class ?? null) && ((x.block === p.block && x.name === p.name) || (w && x.block === `${p.name} WITH` && x.name === w[1])));
}

for (const name of ['mimic', 'reg', 'twolevel_ri', 'knownclass'] as const) {
  test(`${name}: STDYX, STDY, STD and R-square equal lavaan's std.all, std.nox, std.lv and r2`, () => {
    const { r, s } = run(name);
    // same ML solution as the peer first
    // (KNOWNCLASS: plusmix's loglikelihood adds the class-membership part sum n_k log(n_k / n))
    const counts = r.result!.classCounts?.mostLikely ?? [];
    const n = counts.reduce((a, b) => a + b, 0);
    const membership = counts.reduce((a, k) => a + k * Math.log(k / n), 0);
    assert.ok(Math.abs(r.result!.fit!.loglikelihood - membership - peer[name].loglik) < 1e-4, 'loglikelihood');
    for (const kind of ['stdyx', 'stdy', 'std'] as const) {
      let matched = 0;
      for (const p of peer[name][kind] as PeerRow[]) {
        const x = find(s.results[kind], p);
        if (!x) {
          assert.unreachable(`${kind} ${p.block} ${p.name} missing`);
          continue;
        }
        matched++;
        // both are the exact ML solution: estimates agree to optimizer precision; delta-method S.E.s
        // from the two programs' observed information matrices agree to a few per mille
        assert.ok(Math.abs(x.estimate - p.est) < 2e-4, `${kind} ${p.block} ${p.name}: ${x.estimate} vs ${p.est}`);
        assert.ok(Math.abs(x.se - p.se) <= 1e-4 + 0.01 * p.se, `${kind} S.E. ${p.block} ${p.name}: ${x.se} vs ${p.se}`);
      }
      // (fixed zero rows, e.g. a factor mean @0, are left out of the peer file)
      assert.is(matched, s.results[kind].filter((x) => !(x.fixed && x.estimate === 0)).length, `${kind}: every plusmix row has a lavaan counterpart`);
    }
    for (const [key, want] of Object.entries(peer[name].r_square as Record<string, number>)) {
      const [prefix, v] = key.includes('.') ? key.split('.') : [null, key];
      const cls = prefix?.startsWith('class') ? prefix.slice(5) : null;
      const level = prefix?.startsWith('class') ? null : prefix;
      const got = s.results.rSquare.find((x) => x.name === v && x.level === level && x.classLabel === cls);
      assert.ok(got && Math.abs(got.estimate - want) < 2e-4, `R-square ${v}: ${got?.estimate} vs ${want}`);
    }
  });
}

test('two-level standardized S.E.s equal the delta method on the exact observed information (R, numDeriv)', () => {
  // lavaan's two-level SEs are checked above; this repeats the check against the peer's own delta method
  const { s } = run('twolevel_ri');
  const d = peer.twolevel_ri.delta_observed.se as Record<string, number>;
  const get = (kind: 'stdyx' | 'stdy', level: string, block: string, name: string) => s.results[kind].find((p) => p.level === level && p.block === block && p.name === name)!.se;
  const pairs: Array<[number, number]> = [
    [get('stdyx', 'within', 'Y ON', 'X'), d['within_on_x.x']],
    [get('stdyx', 'within', 'Residual Variances', 'Y'), d.within_resvar],
    [get('stdyx', 'between', 'Y ON', 'W'), d['between_on_w.w']],
    [get('stdyx', 'between', 'Intercepts', 'Y'), d['between_intercept.(Intercept)']],
    [get('stdyx', 'between', 'Residual Variances', 'Y'), d.between_resvar],
    [get('stdy', 'within', 'Y ON', 'X'), d['stdy_within_on_x.x']],
    [get('stdy', 'between', 'Y ON', 'W'), d['stdy_between_on_w.w']],
  ];
  for (const [got, want] of pairs) assert.ok(Math.abs(got - want) <= 1e-4 + 0.01 * want, `${got} vs ${want}`);
});

test('STANDARDIZED and R-SQUARE layout as in Mplus (ex5.20)', () => {
  const lines = run('mimic').r.outText.split('\n');
  const at = lines.indexOf('STANDARDIZED MODEL RESULTS');
  assert.ok(at > lines.indexOf('QUALITY OF NUMERICAL RESULTS'));
  assert.equal(lines.slice(at, at + 7), ['STANDARDIZED MODEL RESULTS', '', '', 'STDYX Standardization', '', '                                                    Two-Tailed', '                    Estimate       S.E.  Est./S.E.    P-Value']);
  for (const t of ['STDY Standardization', 'STD Standardization', 'R-SQUARE']) {
    const i = lines.indexOf(t);
    assert.equal(lines.slice(i - 2, i), ['', ''], t);
    assert.not.equal(lines[i - 3], '', t);
  }
  const r2 = lines.indexOf('R-SQUARE');
  assert.equal(lines.slice(r2, r2 + 5), ['R-SQUARE', '', '    Observed                                        Two-Tailed', '    Variable        Estimate       S.E.  Est./S.E.    P-Value', '']);
  assert.ok(lines.includes('     Latent                                         Two-Tailed'));
  // a standardized variance of an exogenous factor would be constant: fixed layout; here F is endogenous
  assert.ok(/^ {4}F {18}0\.\d{3} {6}0\.\d{3}/.test(lines.find((l, i) => i > r2 && l.startsWith('    F '))!));
});

test('CONFIDENCE INTERVALS layout: the header and columns of real Mplus outputs (ex3.6, ex3.16)', () => {
  const lines = run('reg').r.outText.split('\n');
  const at = lines.indexOf('CONFIDENCE INTERVALS OF MODEL RESULTS');
  assert.ok(at > lines.indexOf('R-SQUARE'));
  // quoted from ex3.16.out / ex3.6.out (Mplus 8.11)
  assert.is(lines[at + 2], '                  Lower .5%  Lower 2.5%    Lower 5%    Estimate    Upper 5%  Upper 2.5%   Upper .5%');
  assert.is(lines[at + 4], ' Y1       ON');
  const real = '    X1               0.345       0.446       0.498       0.769       1.039       1.091       1.193';
  const row = intervalRow({ par: 1, level: null, classLabel: null, categoricalLatent: false, block: 'Y1 ON', name: 'X1', estimate: 0.769, se: 0.165, fixed: false });
  const dots = (s: string) => [...s].flatMap((c, i) => (c === '.' ? [i] : []));
  assert.equal(dots(row), dots(real));
  assert.is(row.length, real.length);
  // symmetric Wald intervals: estimate -+ 2.576, 1.960, 1.645 S.E.
  const xs = row.trim().split(/\s+/).slice(1).map(Number);
  assert.equal(xs, [0.344, 0.446, 0.498, 0.769, 1.04, 1.092, 1.194]);
  const fixedRow = intervalRow({ par: 0, level: null, classLabel: null, categoricalLatent: false, block: 'F BY', name: 'Y1', estimate: 1, se: 0, fixed: true });
  assert.is(fixedRow, '    Y1' + ' '.repeat(8) + '       1.000'.repeat(7));
  assert.ok(lines.includes('CONFIDENCE INTERVALS OF STANDARDIZED MODEL RESULTS'));
});

test('--json carries the standardized tables and R-square, valid against the schema', () => {
  const j = JSON.parse(jsonText(run('mimic').r.json!));
  assert.equal(validate(j, loadSchema()), []);
  const row = j.standardized.stdyx.find((p: { block: string; name: string }) => p.block === 'F ON' && p.name === 'X1');
  const want = (peer.mimic.stdyx as PeerRow[]).find((p) => p.block === 'F ON' && p.name === 'X1')!;
  assert.ok(Math.abs(row.estimate - want.est) < 2e-4);
  assert.equal(Object.keys(j.standardized).sort(), ['r_square', 'std', 'stdy', 'stdyx']);
  assert.ok(j.standardized.r_square.some((r: { name: string; latent: boolean }) => r.name === 'F' && r.latent));
});

test('New/Additional Parameters: header in column 1 as in ex5.20, read back as a block', () => {
  const lines = run('reg').r.outText.split('\n');
  const x = { par: 9, level: null, classLabel: null, categoricalLatent: false, block: 'New/Additional Parameters', name: 'REL2', estimate: 0.722, se: 0.024, fixed: false };
  const text = lines.join('\n').replace('\n Residual Variances\n', `\nNew/Additional Parameters\n${parameterRow(x, false)}\n\n Residual Variances\n`);
  assert.is(blockHeader('New/Additional Parameters'), 'New/Additional Parameters');
  // the row as printed in ex5.20 (Mplus 8.11): REL2 0.722 0.024 30.091 (Est./S.E. from unrounded values there)
  assert.is(parameterRow(x, false).slice(0, 39), '    REL2               0.722      0.024');
  const back = readMplusOut(text).result.parameters.find((p) => p.name === 'REL2')!;
  assert.is(back.block, 'New/Additional Parameters');
});

test.run();
