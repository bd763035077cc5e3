// dropFirstClass: the K-1 class model of TECH11 / TECH14 (Mplus: "obtained by deleting the first class").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { build, cols } from './helpers.js';
import { dropFirstClass, withValues } from '../../src/model/reduce.js';
import { PlusmixError } from '../../src/syntax/diagnostics.js';

const cat = (names: string) => cols(names, Object.fromEntries(names.split(' ').map((n) => [n, { scale: 'categorical' as const, categories: [0, 1] }])));

const LCA3 = `VARIABLE: NAMES = u1-u3; CATEGORICAL = u1-u3; CLASSES = c(3);
ANALYSIS: TYPE = MIXTURE;
MODEL:
 %OVERALL%
 %c#1%
 [u1$1] (a);
 %c#2%
 [u1$1] (a);
 [u2$1*1];
`;

test('3 -> 2 classes: class 1 rows and logit 1 go, classes and logits renumbered, parameters renumbered in order', () => {
  const { ir } = build(LCA3, cat('u1 u2 u3'));
  assert.is(ir.nFree, 3 * 3 - 1 + 2); // u1$1 shared by classes 1 and 2
  const theta = Float64Array.from({ length: ir.nFree }, (_, j) => j + 1);
  const r = dropFirstClass(withValues(ir, theta));
  assert.equal(r.classVariables.map((c) => [c.name, c.nClasses]), [['C', 2]]);
  const thr = r.rows.filter((x) => x.kind === 'threshold');
  assert.is(thr.length, 6);
  assert.ok(thr.every((x) => x.classes.C === 1 || x.classes.C === 2));
  // class 2's rows became class 1's and kept their values (start values from the K-class estimates)
  for (const old of ir.rows.filter((x) => x.kind === 'threshold' && x.classes.C! > 1)) {
    const now = thr.find((x) => x.lhs === old.lhs && x.classes.C === old.classes.C! - 1)!;
    assert.is(now.value, theta[old.par - 1]);
    assert.is(now.userValue, true);
  }
  // the equality label survives in the remaining class (u1$1 of old class 2, now class 1)
  const u1 = thr.find((x) => x.lhs === 'U1' && x.classes.C === 1)!;
  assert.is(u1.label, 'A');
  assert.is(r.labels.get('A'), u1.par);
  // one class logit left, [c#1] = old [c#2] (the last class stays the reference)
  const logits = r.rows.filter((x) => x.kind === 'classIntercept');
  assert.equal(logits.map((x) => x.index), [1]);
  const oldLogit2 = ir.rows.find((x) => x.kind === 'classIntercept' && x.index === 2)!;
  assert.is(logits[0]!.value, theta[oldLogit2.par - 1]);
  // parameters 1..nFree, each used, in the old order
  assert.is(r.nFree, 3 * 2 + 1);
  const pars = [...new Set(r.rows.filter((x) => x.par > 0).map((x) => x.par))].sort((a, b) => a - b);
  assert.equal(pars, [1, 2, 3, 4, 5, 6, 7]);
  // theta[j] = j + 1: a free row's value is its old parameter number, which must grow with the new one
  const oldOf = new Map(r.rows.filter((x) => x.par > 0).map((x) => [x.par, x.value]));
  for (let p = 2; p <= r.nFree; p++) assert.ok(oldOf.get(p)! > oldOf.get(p - 1)!);
});

test('2 -> 1 class: no class logit left', () => {
  const { ir } = build(LCA3.replace('c(3)', 'c(2)').replace(/%c#2%[\s\S]*$/, ''), cat('u1 u2 u3'));
  const r = dropFirstClass(ir);
  assert.is(r.classVariables[0]!.nClasses, 1);
  assert.is(r.rows.filter((x) => x.kind === 'classIntercept').length, 0);
  assert.is(r.nFree, 3);
});

test('class-logit regressions: c#1 ON x dropped, c#2 ON x becomes c#1 ON x', () => {
  const { ir } = build(`VARIABLE: NAMES = y1 y2 x; CLASSES = c(3);
ANALYSIS: TYPE = MIXTURE;
MODEL:
 %OVERALL%
 c ON x;
`, cols('y1 y2 x'));
  const before = ir.rows.filter((x) => x.kind === 'classRegression').map((x) => x.index);
  assert.equal(before.sort(), [1, 2]);
  const r = dropFirstClass(ir);
  assert.equal(r.rows.filter((x) => x.kind === 'classRegression').map((x) => [x.index, x.rhs]), [[1, 'X']]);
});

test('refused: several class variables, KNOWNCLASS, one class', () => {
  const { ir } = build(LCA3, cat('u1 u2 u3'));
  assert.throws(() => dropFirstClass({ ...ir, classVariables: [...ir.classVariables, { ...ir.classVariables[0]!, name: 'D' }] }), (e: unknown) => e instanceof PlusmixError);
  assert.throws(() => dropFirstClass({ ...ir, classVariables: [{ ...ir.classVariables[0]!, known: { variable: 'G', values: [[1], [2], [3]] } }] }), (e: unknown) => e instanceof PlusmixError);
  assert.throws(() => dropFirstClass({ ...ir, classVariables: [{ ...ir.classVariables[0]!, nClasses: 1 }] }), (e: unknown) => e instanceof PlusmixError);
});

test.run();
