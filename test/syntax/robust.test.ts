// Robustness: random and mutated inputs never make the parser (or check / fmt)
// throw; problems come back as diagnostics with input locations.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { parseInput } from '../../src/syntax/parse.js';
import { validateInput } from '../../src/syntax/validate.js';
import { formatInput } from '../../src/syntax/fmt.js';
import { formatDiagnostic } from '../../src/syntax/format-diagnostic.js';
import { validInput } from './gen.js';

const FIX = new URL('../../fixtures/inputs/', import.meta.url).pathname;
const fixtures = readdirSync(FIX)
  .filter((f) => f.endsWith('.inp'))
  .map((f) => readFileSync(FIX + f, 'utf8'));

/** Everything a user-facing command does with a text; must not throw. */
function exercise(text: string): void {
  const { ast, diagnostics } = parseInput(text, 'r.inp');
  for (const d of diagnostics) {
    assert.ok(d.location.kind === 'input', 'parser diagnostics point into the input');
    assert.ok(d.code !== 'E_INTERNAL', `internal error: ${d.message}\n--- input ---\n${text}`);
    formatDiagnostic(d, text);
  }
  if (!diagnostics.some((d) => d.severity === 'error')) {
    for (const d of validateInput(ast)) formatDiagnostic(d, text);
    formatInput(ast);
  }
}

const alphabet = fc.constantFrom(
  ...'abcxyzABCXYZ0123456789 \t\n\r;:=()[]{}%#$@*|-+,./!<>"\'&_~\\é'.split(''),
  'MODEL:', 'DATA:', 'VARIABLE:', 'DEFINE:', 'MODEL CONSTRAINT:', 'TITLE:', ' ON ', ' BY ', ' WITH ', ' | ', 'IF (', ') THEN ', 'DO (1,2) ', 'NEW(', '!*', '*!', '%c#1%',
);
const randomText = fc.array(alphabet, { maxLength: 120 }).map((a) => a.join(''));

/** Delete, duplicate, insert or replace a random slice of a text. */
const mutate = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(base, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.constantFrom(0, 1, 2, 3), fc.array(alphabet, { maxLength: 5 })), { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => {
      let t = text;
      for (const [pos, len, kind, ins] of edits) {
        const a = t.length ? pos % t.length : 0;
        const b = Math.min(t.length, a + len);
        if (kind === 0) t = t.slice(0, a) + t.slice(b);
        else if (kind === 1) t = t.slice(0, b) + t.slice(a, b) + t.slice(b);
        else if (kind === 2) t = t.slice(0, a) + ins.join('') + t.slice(a);
        else t = t.slice(0, a) + ins.join('') + t.slice(b);
      }
      return t;
    });

test('random texts never throw', () => {
  fc.assert(fc.property(randomText, (t) => exercise(t)), { numRuns: 1500, seed: 7 });
});

test('mutated fixtures never throw', () => {
  fc.assert(fc.property(mutate(fc.constantFrom(...fixtures)), (t) => exercise(t)), { numRuns: 800, seed: 11 });
});

test('mutated generated inputs never throw', () => {
  fc.assert(fc.property(mutate(validInput), (t) => exercise(t)), { numRuns: 1000, seed: 13 });
});

test('pathological inputs: empty, only comments, unterminated quotes, lone headers, NUL and astral characters', () => {
  for (const t of ['', '\n\n', '! only a comment', '!* never closed', 'DATA:', 'MODEL:', 'DATA: FILE = "open', 'MODEL: y ON x\u0000;', 'TITLE: 😀\nMODEL: y ON 😀;', 'MODEL: ((((((((((;', 'DEFINE: ' + '('.repeat(300) + 'x' + ')'.repeat(300) + ';']) {
    exercise(t);
  }
});

test.run();
