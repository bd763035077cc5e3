// Progress reporter of `plusmix run` (src/cli/progress.ts): draws on a terminal stream, one bar per
// stage with the start count, the iteration and the current loglikelihood; clears itself on stop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createProgress, progressDetail } from '../../src/cli/progress.js';

/** the parts of a tty.WriteStream that cli-progress uses */
function fakeTerminal() {
  const chunks: string[] = [];
  const stream = {
    isTTY: true,
    columns: 120,
    write: (s: string) => (chunks.push(s), true),
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    clearScreenDown: () => true,
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

test('detail: iteration and loglikelihood with three decimals', () => {
  assert.is(progressDetail({ stage: 'initial', start: 3, of: 20, iteration: 7, loglikelihood: -965.24408 }), 'iteration 7  loglikelihood -965.244');
  assert.is(progressDetail({ stage: 'final', iteration: 1, loglikelihood: NaN }), 'iteration 1  loglikelihood -');
});

test('random starts: a counted bar per stage, then cleared', () => {
  const t = fakeTerminal();
  const p = createProgress(t.stream);
  p.onProgress({ stage: 'initial', start: 1, of: 20, iteration: 1, loglikelihood: -1386.9879 });
  const first = t.text();
  assert.match(first, /Initial stage starts \[.*\] 0\/20  iteration 1  loglikelihood -1386\.988/);
  p.onProgress({ stage: 'final', start: 1, of: 4, iteration: 5, loglikelihood: -965.28859 });
  assert.match(t.text().slice(first.length), /Final stage optimizations \[.*\] 0\/4  iteration 5  loglikelihood -965\.289/);
  p.stop();
});

test('a run without starts: stage title, iteration and loglikelihood, no count', () => {
  const t = fakeTerminal();
  const p = createProgress(t.stream);
  p.onProgress({ stage: 'single', iteration: 12, loglikelihood: -5334.236 });
  p.stop();
  assert.match(t.text(), /Estimation  iteration 12  loglikelihood -5334\.236/);
  assert.not.match(t.text(), /\d+\/\d+/);
});

test.run();
