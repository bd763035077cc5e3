// Issue 6 acceptance, first seed paper Fig. 3 (two-level regression mixture with random intercepts of
// y and of the class logit, 2 dimensions of integration) on sim/twolevel_regmix.dat: all 11 generating
// values recovered within 2 standard errors. About 50 s of CPU, so not part of `npm test`; run it with
// `node --import tsx test/estimate/fig3_regmix.slow.ts`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimate } from '../../src/estimate/index.js';
import { twolevelRegmix } from './models.js';

test('Fig. 3 two-level regression mixture recovers the generating values within 2 SE', () => {
  const { ir, ds } = twolevelRegmix();
  const r = estimate(ir, ds, { starts: [0, 0] });
  assert.ok(r.terminatedNormally);
  assert.is(r.fit!.parameters, 11);
  assert.is(r.integration!.dimensions, 2);
  const get = (level: string | null, cls: string | null, block: string, name: string) =>
    r.parameters.find((p) => p.block === block && p.name === name && (level === null ? p.categoricalLatent : p.level === level && p.classLabel === cls))!;
  // class 1 = the high-intercept class (README); the starting values put it first
  const truth: Array<[string | null, string | null, string, string, number]> = [
    ['within', '1', 'Y ON', 'X', -1.1], ['within', '2', 'Y ON', 'X', 0.5], ['within', '1', 'Residual Variances', 'Y', 1],
    [null, null, 'C#1 ON', 'X', 1], ['between', '1', 'Intercepts', 'Y', 3], ['between', '2', 'Intercepts', 'Y', 0],
    ['between', '1', 'Y ON', 'W', 0.5], ['between', '1', 'Residual Variances', 'Y', 0.5], [null, null, 'Means', 'C#1', 0],
    ['between', '1', 'C#1 ON', 'W', 1], ['between', '1', 'Variances', 'C#1', 0.5],
  ];
  for (const [level, cls, block, name, v] of truth) {
    const e = get(level, cls, block, name);
    assert.ok(e && e.se > 0, `${level} ${cls} ${block} ${name}`);
    assert.ok(Math.abs(e.estimate - v) <= 2 * e.se, `${level} ${cls} ${block} ${name}: ${e.estimate} vs ${v} (2 SE = ${2 * e.se})`);
  }
});

test.run();
