// PROCESSORS = n (parallel.ts): random starts (and, with numerical integration, the standard errors'
// gradients) spread over worker threads give exactly the results of the serial run, TECH8 histories
// included, and progress reports still arrive.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimate } from '../../src/estimate/index.js';
import type { ProgressEvent } from '../../src/estimate/index.js';
import { ex104, lpa } from './models.js';

test('STARTS = 6 2 with PROCESSORS = 2 equals the serial run bit for bit', () => {
  const { ir, ds } = lpa();
  const serial = estimate(ir, ds, { starts: [6, 2] });
  const events: ProgressEvent[] = [];
  const par = estimate(ir, ds, { starts: [6, 2], processors: 2, onProgress: (e) => events.push(e) });
  assert.ok(serial.terminatedNormally && par.terminatedNormally);
  assert.equal(Array.from(par.theta), Array.from(serial.theta));
  assert.equal(par.randomStarts, serial.randomStarts);
  assert.equal(par.startIterations, serial.startIterations);
  assert.is(serial.startIterations!.filter((s) => s.stage === 'initial').length, 6);
  assert.is(serial.startIterations!.filter((s) => s.stage === 'final').length, 2);
  assert.ok(events.length > 0 && events.every((e) => e.stage === 'initial' || e.stage === 'final' || e.stage === 'single'));
});

test('with numerical integration the standard errors computed over 2 worker threads equal the serial ones bit for bit (ex10.4)', () => {
  const { ir, ds } = ex104();
  const serial = estimate(ir, ds, { starts: [0, 0] });
  const par = estimate(ir, ds, { starts: [0, 0], processors: 2 });
  assert.ok(serial.terminatedNormally && par.terminatedNormally);
  assert.equal(par.parameters.map((p) => p.se), serial.parameters.map((p) => p.se));
  assert.equal(Array.from(par.covariance!), Array.from(serial.covariance!));
});

test('onProgress reports a single run with its last loglikelihood', () => {
  const { ir, ds } = lpa();
  const events: ProgressEvent[] = [];
  const r = estimate(ir, ds, { starts: [0, 0], onProgress: (e) => events.push(e) });
  const last = events[events.length - 1]!;
  assert.is(last.stage, 'single');
  assert.is(last.iteration, r.iterations.length);
  assert.is(last.loglikelihood, r.iterations[r.iterations.length - 1]!.loglikelihood);
});

test.run();
