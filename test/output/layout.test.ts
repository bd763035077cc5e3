// Layout round trip: read each real Mplus 8.8 output with our reader, print it again with our writer and
// require every line of the reference to come back identical (same labels, same column positions, same
// numbers), apart from these documented exclusions:
//  - banner line 2 and the footer: Mplus prints its name and address there; plusmix identifies itself
//    instead (line 1 stays `Mplus VERSION 8.8` for MplusAutomation);
//  - the AUXILIARY (E) section `EQUALITY TESTS OF MEANS ACROSS CLASSES ...` of ex7.3, which plusmix
//    does not produce yet.
// TECHNICAL 10 OUTPUT of ex7.3 is not read back from the reference (the reader skips it) but computed
// by plusmix from its own estimates of the ex7.3 data (tech10fixture.ts), so its lines check both the
// layout and the numbers of src/results/tech10.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isTopLevelHeader, readMplusOut, toOutInput } from '../../src/output/mplusReader.js';
import { writeOut } from '../../src/output/out.js';
import { referenceText } from './reference.js';
import { ex73Tech10 } from './tech10fixture.js';

const EXCLUDED_SECTIONS = ['EQUALITY TESTS OF MEANS ACROSS CLASSES USING POSTERIOR PROBABILITY-BASED'];

/** drop excluded sections (header to next header), banner line 2 and everything after the timing block */
function comparable(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  let skipping = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (isTopLevelHeader(l)) skipping = EXCLUDED_SECTIONS.includes(l);
    if (i === 1 || skipping) continue;
    out.push(l);
    if (l.startsWith('       Elapsed Time:')) break;
  }
  return out;
}

function firstDifferences(a: string[], b: string[], max = 5): string {
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < max; i++) {
    if (a[i] !== b[i]) out.push(`line ${i + 1}:\n  reference: ${JSON.stringify(a[i])}\n  plusmix:   ${JSON.stringify(b[i])}`);
  }
  return out.join('\n');
}

for (const name of ['ex10.4', 'ex7.3'] as const) {
  test(`${name}: every reference line reproduced with the same labels and columns`, () => {
    const ref = referenceText(name);
    const read = readMplusOut(ref);
    const input = toOutInput(read, '0.1.0');
    if (name === 'ex7.3') {
      input.tech10 = ex73Tech10(read.result);
      input.options.tech10 = true;
    }
    const ours = writeOut(input);
    const a = comparable(ref);
    const b = comparable(ours);
    assert.ok(a.length > 300, 'reference parsed into lines');
    if (a.join('\n') !== b.join('\n')) assert.unreachable(`layout differs (${a.length} vs ${b.length} lines)\n${firstDifferences(a, b)}`);
  });

  test(`${name}: banner and footer identify plusmix; writer is deterministic`, () => {
    const ref = referenceText(name);
    const input = toOutInput(readMplusOut(ref), '0.1.0');
    const ours = writeOut(input);
    const lines = ours.split('\n');
    assert.is(lines[0], 'Mplus VERSION 8.8');
    assert.match(lines[1], /^PLUSMIX 0\.1\.0/);
    assert.ok(ours.includes('it was not produced by Mplus'));
    assert.is(writeOut(input), ours);
    assert.ok(lines.every((l) => !/\s$/.test(l) || l.startsWith('  ')), 'no trailing blanks outside the input echo');
  });
}

test('ex7.3: the reader skips exactly the excluded sections and TECH10 (computed above instead)', () => {
  assert.equal(readMplusOut(referenceText('ex7.3')).skipped, [...EXCLUDED_SECTIONS, 'TECHNICAL 10 OUTPUT']);
});

test('timestamps: null prints no date and no timing block', () => {
  const input = toOutInput(readMplusOut(referenceText('ex10.4')), '0.1.0');
  input.options.timestamps = null;
  const text = writeOut(input);
  assert.is(text.split('\n')[2], '');
  assert.not.ok(text.includes('Beginning Time'));
});

test.run();
