// IR checks for `plusmix check`: every problem is a Diagnostic with the statement's span.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseOrThrow } from '../../src/syntax/parse.js';
import { checkModel } from '../../src/model/index.js';
import { PlusmixError } from '../../src/syntax/diagnostics.js';
import { build, cols } from './helpers.js';
import type { Col } from './helpers.js';

function check(text: string, columns: Col[]) {
  const ds = checkModel(parseOrThrow(text, 'm.inp'), { columns });
  return ds.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, line: d.location.kind === 'input' ? d.location.span.start.line : 0, col: d.location.kind === 'input' ? d.location.span.start.col : 0, message: d.message }));
}

const twoLevel = (model: string, type = 'TWOLEVEL') => `DATA: FILE = d.dat;
VARIABLE: NAMES = y x w clus; WITHIN = x; BETWEEN = w; CLUSTER = clus;
ANALYSIS: TYPE = ${type};
MODEL:
${model}`;
const twoCols = cols('y x w', { y: { level: 'both' }, x: { level: 'within' }, w: { level: 'between' } });

test('a variable used in MODEL but not analysed', () => {
  const e = check('DATA: FILE = d.dat;\nVARIABLE: NAMES = y x z; USEVARIABLES = y x;\nMODEL: y ON x z;', cols('y x'));
  assert.equal(e.map((d) => [d.code, d.line, d.col]), [['E_UNKNOWN_VARIABLE', 3, 15]]);
  assert.match(e[0].message, /Unknown variable z in MODEL/);
});

test('ON to a class variable that does not exist; %c#3% with 2 classes; [c#2] of the last class', () => {
  const e = check('DATA: FILE = d.dat;\nVARIABLE: NAMES = y x; CLASSES = c(2);\nANALYSIS: TYPE = MIXTURE;\nMODEL: %OVERALL%\n k ON x;\n [c#2];\n %c#3%\n [y];', cols('y x'));
  assert.equal(e.map((d) => [d.code, d.line]), [['E_UNKNOWN_VARIABLE', 5], ['E_LAST_CLASS', 6], ['E_CLASS_INDEX', 7]]);
});

test('a WITHIN variable on the between level and a BETWEEN variable on the within level', () => {
  const e = check(twoLevel('%WITHIN%\n y ON w;\n%BETWEEN%\n y ON x;'), twoCols);
  assert.equal(e.map((d) => [d.code, d.line, d.col]), [['E_LEVEL', 6, 7], ['E_LEVEL', 8, 7]]);
});

test('a random slope needs TYPE = RANDOM', () => {
  const e = check(twoLevel('%WITHIN%\n s | y ON x;\n%BETWEEN%\n s;'), twoCols);
  assert.equal(e.map((d) => [d.code, d.line]), [['E_NEEDS_RANDOM', 6]]);
  assert.equal(check(twoLevel('%WITHIN%\n s | y ON x;\n%BETWEEN%\n s;', 'TWOLEVEL RANDOM'), twoCols), []);
});

test('class sections without MIXTURE, labels without parameters on their line, too many labels', () => {
  const e = check('DATA: FILE = d.dat;\nVARIABLE: NAMES = y1 y2 x;\nMODEL: y1 y2 ON x\n (a);\n y1 ON x (p1 p2);', cols('y1 y2 x'));
  assert.equal(e.map((d) => d.code), ['E_LABEL_SCOPE', 'E_LABEL_COUNT']);
});

test('buildModel throws a PlusmixError carrying every error', () => {
  try {
    build('DATA: FILE = d.dat;\nVARIABLE: NAMES = y x;\nMODEL: y ON q;\n f BY r;', cols('y x'));
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, PlusmixError);
    assert.equal((e as PlusmixError).diagnostics.map((d) => d.code), ['E_UNKNOWN_VARIABLE', 'E_UNKNOWN_VARIABLE']);
  }
});

test.run();
