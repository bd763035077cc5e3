// VARIABLE: GROUPING is refused with a diagnostic until multiple-group analysis is implemented
// (src/model/groups.ts). Before, it was silently ignored and one pooled group was fitted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseOrThrow } from '../../src/syntax/parse.js';
import { buildModel } from '../../src/model/index.js';
import { PlusmixError } from '../../src/syntax/diagnostics.js';
import type { DataColumn } from '../../src/data/dataset.js';

const cols = (names: string[]): Pick<DataColumn, 'name' | 'display' | 'scale' | 'level'>[] =>
  names.map((n) => ({ name: n.toUpperCase(), display: n, scale: 'continuous', level: 'within' }));

function diagnosticsOf(text: string) {
  try {
    buildModel(parseOrThrow(text, 'g.inp'), { columns: cols(['y1', 'y2', 'y3', 'y4']) });
  } catch (e) {
    if (e instanceof PlusmixError) return e.diagnostics;
    throw e;
  }
  return [];
}

test('single-level GROUPING: E_GROUPING_UNSUPPORTED at the option value', () => {
  const d = diagnosticsOf(`VARIABLE: NAMES = y1-y4 g; USEVARIABLES = y1-y4;
  GROUPING = g (1 = g1 2 = g2);
MODEL: f BY y1-y4;
`);
  const e = d.find((x) => x.code === 'E_GROUPING_UNSUPPORTED');
  assert.ok(e, JSON.stringify(d));
  assert.is(e!.severity, 'error');
  assert.ok(e!.location.kind === 'input' && e!.location.span.start.line === 2);
  assert.match(e!.message, /not supported yet/);
});

test('GROUPING with TYPE = MIXTURE: advice to use KNOWNCLASS', () => {
  const d = diagnosticsOf(`VARIABLE: NAMES = y1-y4 g; USEVARIABLES = y1-y4;
  GROUPING = g (1 = g1 2 = g2); CLASSES = c(2);
ANALYSIS: TYPE = MIXTURE;
MODEL: %OVERALL%
`);
  const e = d.find((x) => x.code === 'E_GROUPING_UNSUPPORTED');
  assert.ok(e, JSON.stringify(d));
  assert.match(e!.message, /GROUPING with TYPE = MIXTURE: use KNOWNCLASS/);
});

test('no GROUPING: no such diagnostic', () => {
  const d = diagnosticsOf(`VARIABLE: NAMES = y1-y4; MODEL: f BY y1-y4;`);
  assert.not.ok(d.some((x) => x.code === 'E_GROUPING_UNSUPPORTED'));
});

test.run();
