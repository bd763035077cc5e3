// UG ex9.23 end to end (parse, data, IR, estimator MLR, .out writer): the level markers and variable lists
// of a TYPE = THREELEVEL output, and the H0 loglikelihood printed to glmmTMB's value (peer.test.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../../src/cli/pipeline.js';
import { peers, root } from './helpers.js';

test('ex9.23.inp runs: Within / Between LEVEL2 / Between LEVEL3 blocks, level variable lists, loglikelihood', () => {
  const path = join(root, 'examples/ug9/ex9.23.inp');
  const r = runPipeline(readFileSync(path, 'utf8'), path, { clock: null });
  assert.is(r.exitCode, 0, r.diagnostics.map((d) => d.message).join('\n'));
  const out = r.outText;
  const at = (s: string) => out.indexOf(s);
  assert.ok(at('\nWithin Level\n') > 0 && at('\nWithin Level\n') < at('\nBetween LEVEL2 Level\n') && at('\nBetween LEVEL2 Level\n') < at('\nBetween LEVEL3 Level\n'));
  assert.not.match(out, /\nBetween Level\n/);
  assert.match(out, /  Within variables\n   X\n\n  Level 2 between variables\n   W\n\n  Level 3 between variables\n   Z\n/);
  assert.match(out, /Number of Free Parameters\s+25\n/);
  assert.match(out, new RegExp(`H0 Value\\s+${peers.models.l3zero.loglik.toFixed(3)}\\n`));
  // the level-2 growth-factor regressions sit in the LEVEL2 block, the level-3 ones in the LEVEL3 block
  assert.ok(at(' IB2      ON') > at('Between LEVEL2 Level') && at(' IB2      ON') < at('Between LEVEL3 Level'));
  assert.ok(at(' IB3      ON') > at('Between LEVEL3 Level'));
});

test.run();
