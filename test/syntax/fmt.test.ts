// plusmix fmt: parse(fmt(x)) has the same AST as parse(x) (spans and spellings aside).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { parseInput } from '../../src/syntax/parse.js';
import { formatInput } from '../../src/syntax/fmt.js';
import { validInput } from './gen.js';

const FIX = new URL('../../fixtures/inputs/', import.meta.url).pathname;

/** The AST without spans, user spellings and the source text. */
function strip(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'text' && typeof v === 'string' && v.length > 200 ? undefined : k.endsWith('pan') || k === 'written' || k === 'path' ? undefined : v)));
}

function roundTrip(text: string): { before: unknown; after: unknown; out: string } | null {
  const a = parseInput(text, 'a.inp');
  if (a.diagnostics.some((d) => d.severity === 'error')) return null;
  const out = formatInput(a.ast);
  const b = parseInput(out, 'a.inp');
  const errs = b.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.map((d) => d.message), [], `formatted output has errors:\n${out}`);
  const drop = (c: unknown) => {
    const x = strip(c) as { commands: Array<{ kind: string; text?: string }> };
    for (const cmd of x.commands) if (cmd.kind === 'Title') cmd.text = (cmd.text ?? '').replace(/\s+/g, ' ');
    return x.commands;
  };
  return { before: drop(a.ast), after: drop(b.ast), out };
}

test('fmt keeps the AST of every fixture', () => {
  for (const f of readdirSync(FIX).filter((n) => n.endsWith('.inp'))) {
    const r = roundTrip(readFileSync(FIX + f, 'utf8'));
    assert.ok(r, f);
    assert.equal(r!.after, r!.before, f);
  }
});

test('fmt is idempotent on fixtures', () => {
  for (const f of readdirSync(FIX).filter((n) => n.endsWith('.inp'))) {
    const once = formatInput(parseInput(readFileSync(FIX + f, 'utf8'), f).ast);
    const twice = formatInput(parseInput(once, f).ast);
    assert.is(twice, once, f);
  }
});

test('fmt layout: upper-case commands, canonical option names, aligned =, indented sections, comments kept', () => {
  const out = formatInput(parseInput('variable: names are y x; usev y x; ! keep me\nanal: type = mixture;\nmodel: %overall% y on x; %c#1% [y*1];', 'a.inp').ast);
  assert.is(
    out,
    ['VARIABLE:', '  NAMES        = y x;', '  USEVARIABLES = y x;  ! keep me', 'ANALYSIS:', '  TYPE = mixture;', 'MODEL:', '  %OVERALL%', '    y ON x;', '  %c#1%', '    [y*1];', ''].join('\n'),
  );
});

test('property: parse(fmt(x)) == parse(x) modulo spans for generated inputs', () => {
  let checked = 0;
  fc.assert(
    fc.property(validInput, (text) => {
      const r = roundTrip(text);
      if (!r) return true; // generator produced a (rare) invalid combination
      checked++;
      assert.equal(r.after, r.before, `input:\n${text}\nformatted:\n${r.out}`);
      return true;
    }),
    { numRuns: 400, seed: 20261122 },
  );
  assert.ok(checked > 200, `only ${checked} generated inputs were valid`);
});

test.run();
