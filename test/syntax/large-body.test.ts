// Long MODEL / DEFINE bodies are parsed in pieces ending at `;` (src/syntax/parse.ts, for speed); the
// result must not depend on where a piece was cut: statement count, spans and diagnostics.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseInput } from '../../src/syntax/parse.js';

const N = 400;
function input(broken: number | null): string {
  const lines = ['DATA: FILE = d.dat;', 'VARIABLE: NAMES = y1-y9 x1-x9;', 'MODEL:', '  %WITHIN%'];
  for (let i = 0; i < N; i++) {
    const k = (i % 9) + 1;
    lines.push(i === broken ? `  y${k} ON x${k} (lab${i};` : `  y${k} ON x${k}*0.5 (lab${i}); [y${k}*1]; y${k} WITH x${k};`);
  }
  lines.push('DEFINE:');
  for (let i = 0; i < N; i++) lines.push(`  z${i} = LOG(x1 + ${i}) * 2;`);
  return lines.join('\n') + '\n';
}

test('a long MODEL and DEFINE body: every statement, spans on the right lines', () => {
  const text = input(null);
  assert.ok(text.length > 20000);
  const { ast, diagnostics } = parseInput(text, 'big.inp');
  assert.equal(diagnostics.filter((d) => d.severity === 'error'), []);
  const model = ast.commands.find((c) => c.kind === 'Model');
  const define = ast.commands.find((c) => c.kind === 'Define');
  assert.ok(model && model.kind === 'Model' && define && define.kind === 'Define');
  const stmts = model.statements.filter((s) => s.kind !== 'Section');
  assert.is(stmts.length, 3 * N);
  assert.is(stmts[stmts.length - 1].span.start.line, 4 + N);
  assert.is(define.statements.length, N);
  assert.is(define.statements[N - 1].span.start.line, 5 + 2 * N);
});

test('an error in the middle of a long body is reported once, at its line', () => {
  const { diagnostics } = parseInput(input(250), 'big.inp');
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.ok(errors.length >= 1);
  const first = errors[0].location;
  assert.ok(first.kind === 'input' && first.span.start.line === 5 + 250, JSON.stringify(first));
});

test.run();
