// fast-check generators of valid Mplus-style inputs (random layout, case,
// abbreviations, comments, line breaks) for the property tests.
import fc from 'fast-check';

const name = fc.constantFrom('y', 'y1', 'y2', 'y3', 'x', 'x1', 'x2', 'w', 'f', 'fb', 'u1', 's', 'i', 'c', 'cb', 'Math', 'SES_2');
const label = fc.constantFrom('a', 'b1', 'p2', '1', '2', 'L3');
const num = fc.oneof(fc.integer({ min: -20, max: 20 }).map(String), fc.constantFrom('0.5', '.25', '-1.5', '1e-3', '2.', '-0.001', '10'));
const posNum = fc.constantFrom('1', '0.5', '.25', '2', '1e-3', '15');

/** Blank between tokens: spaces, tabs, a line break, or a line break after an end-of-line comment. */
const blank = fc.oneof(
  { weight: 8, arbitrary: fc.constant(' ') },
  { weight: 2, arbitrary: fc.constantFrom('  ', '\t', ' \t ') },
  { weight: 1, arbitrary: fc.constantFrom('\n  ', '\r\n\t') },
  { weight: 1, arbitrary: fc.constantFrom(' ! note; with semicolon\n   ', ' !* block *! ') },
);

function join(parts: string[], seps: string[]): string {
  return parts.map((p, i) => (i ? seps[i % seps.length] : '') + p).join('');
}

const randCase = (s: string) =>
  fc.constantFrom(0, 1, 2).map((k) => (k === 0 ? s : k === 1 ? s.toLowerCase() : s[0] + s.slice(1).toLowerCase()));

const varRef = fc.oneof(
  { weight: 5, arbitrary: name },
  { weight: 1, arbitrary: fc.tuple(name, fc.integer({ min: 1, max: 3 })).map(([n, k]) => `${n}#${k}`) },
  { weight: 1, arbitrary: fc.tuple(name, fc.integer({ min: 1, max: 3 })).map(([n, k]) => `${n}$${k}`) },
  { weight: 1, arbitrary: fc.tuple(name, name).map(([a, b]) => `${a}-${b}`) },
);
const modifier = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: num.map((n) => `@${n}`) },
  { weight: 1, arbitrary: num.map((n) => `*${n}`) },
  { weight: 1, arbitrary: fc.constant('*') },
);
const labelGroup = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => `(${ls.join(' ')})`),
  fc.constant('(p1-p3)'),
  fc.constantFrom('(*1)', '(*a)'),
);
const rhsPart = fc.oneof({ weight: 4, arbitrary: fc.tuple(varRef, modifier).map(([v, m]) => v + m) }, { weight: 1, arbitrary: labelGroup });
const rhs = fc.tuple(fc.tuple(varRef, modifier).map(([v, m]) => v + m), fc.array(rhsPart, { maxLength: 4 })).map(([a, r]) => [a, ...r]);
const lhs = fc.array(varRef, { minLength: 1, maxLength: 3 });

const modelStatement = fc.oneof(
  fc.tuple(lhs, fc.constantFrom('ON', 'BY', 'WITH', 'PON', 'PWITH', 'on', 'by', 'with'), rhs, fc.array(blank, { minLength: 1, maxLength: 3 })).map(([l, op, r, seps]) => join([...l, op, ...r], seps) + ';'),
  fc.tuple(rhs, fc.array(blank, { minLength: 1, maxLength: 2 })).map(([r, seps]) => join(r.filter((x) => !x.startsWith('(') || r.indexOf(x) > 0), seps) + ';'),
  fc.tuple(fc.array(fc.tuple(varRef, modifier).map(([v, m]) => v + m), { minLength: 1, maxLength: 4 }), fc.option(labelGroup)).map(([it, l]) => `[${it.join(' ')}]${l ? ' ' + l : ''};`),
  fc.tuple(name, varRef, name).map(([s, y, x]) => `${s} | ${y} ON ${x};`),
  fc.tuple(name, name, fc.array(fc.tuple(name, posNum), { minLength: 1, maxLength: 4 })).map(([i, s, items]) => `${i} ${s} | ${items.map(([n, t]) => `${n}@${t}`).join(' ')};`),
  // growth with labelled time scores
  fc.tuple(name, name, fc.array(fc.tuple(name, posNum, fc.option(label, { nil: '' })), { minLength: 1, maxLength: 4 })).map(
    ([i, s, items]) => `${i} ${s} | ${items.map(([n, t, l]) => `${n}*${t}${l ? ` (${l})` : ''}`).join(' ')};`,
  ),
  fc.tuple(name, name, name).map(([a, b, c]) => `${a} | ${b} XWITH ${c};`),
  fc.tuple(name, name, name).map(([a, b, c]) => `${a} ${b} | ${c}1-${c}4 AT t1-t4;`),
  fc.constantFrom('%WITHIN%', '%BETWEEN%', '%OVERALL%', '%c#1%', '%c#2%', '%cb#1.c#2%', '%within%'),
  fc.constantFrom('{y1@1 y2};', 'c ON x;', 'c#1 ON w@0;', 'f BY c#1 c#2;'),
);

const exprLeaf = fc.oneof(name, posNum, fc.constant('_MISSING'));
const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    exprLeaf,
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '**'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('e').map((a) => `(${a})`),
    tie('e').map((a) => `-${a}`),
    fc.tuple(fc.constantFrom('LOG', 'EXP', 'SQRT', 'ABS'), tie('e')).map(([f, a]) => `${f}(${a})`),
  ),
})).e as fc.Arbitrary<string>;
const cond = fc.tuple(expr, fc.constantFrom('EQ', 'NE', 'GT', 'ge', '==', '/=', '<', '>='), expr, fc.option(fc.tuple(fc.constantFrom('AND', 'OR'), name, fc.constantFrom('EQ', 'LT'), posNum))).map(
  ([a, op, b, more]) => `${a} ${op} ${b}${more ? ` ${more[0]} ${more[1]} ${more[2]} ${more[3]}` : ''}`,
);

const defineStatement = fc.oneof(
  fc.tuple(name, expr).map(([t, e]) => `${t} = ${e};`),
  fc.tuple(cond, name, expr).map(([c, t, e]) => `IF (${c}) THEN ${t} = ${e};`),
  fc.tuple(name, fc.integer({ min: 1, max: 4 })).map(([n, k]) => `DO (1, ${k}) ${n}# = y# + 1;`),
  fc.constantFrom('CUT y1 y2 (30 40);', 'CENTER x1-x2 (GRANDMEAN);', 'center x (groupmean);', 'STANDARDIZE y1 y2;', 'm = MEAN(y1-y3);', 's = SUM(y1 y2);', 'cm = CLUSTER_MEAN(x);'),
);

const constraintStatement = fc.oneof(
  fc.tuple(name, expr).map(([t, e]) => `${t} = ${e};`),
  fc.tuple(expr, fc.constantFrom('>', '<', '>=', '<='), expr).map(([a, op, b]) => `${a} ${op} ${b};`),
  fc.array(fc.tuple(name, fc.option(num)), { minLength: 1, maxLength: 3 }).map((ps) => `NEW (${ps.map(([n, s]) => (s ? `${n}*${s}` : n)).join(' ')});`),
  fc.constantFrom('0 = a - b;', 'DO (1, 3) p# = q#;', 'PLOT(y);', 'LOOP(x, -3, 3, 0.1);'),
);

interface OptSpec {
  cmd: string;
  opts: Array<[string, fc.Arbitrary<string>]>;
}
const word = fc.constantFrom('y1-y4', 'x w', 'ALL', 'c (2)', 'u1 (p)');
const assign = fc.constantFrom(' = ', ' IS ', ' ARE ', ' ', '=', ' is\n   ');
const specs: OptSpec[] = [
  { cmd: 'DATA', opts: [['FILE', fc.constantFrom('ex.dat', '"my file.dat"', 'C:\\data\\x.dat', '../d/x.dat')], ['FORMAT', fc.constantFrom('FREE', '(3F8.2, 2X, F4)', '5F4.0 10X')], ['NOBSERVATIONS', posNum]] },
  {
    cmd: 'VARIABLE',
    opts: [
      ['NAMES', fc.constantFrom('y1-y5 x1 x2 w clus', 'id math ses')],
      ['USEV', word],
      ['CATEGORICAL', word],
      ['MISSING', fc.constantFrom('ALL (-999)', 'y1 (9 99) x (98-102)', '.', 'y (-9, -99)')],
      ['CLASSES', fc.constantFrom('c (2)', 'cb(2) cw(3)')],
      ['USEOBSERVATIONS', fc.constantFrom('(g NE 2 AND y GT 0)', 'x == 1')],
      ['KNOWNCLASS', fc.constantFrom('cg (g = 1 g = 2)')],
    ],
  },
  {
    cmd: 'ANALYSIS',
    opts: [
      ['TYPE', fc.constantFrom('MIXTURE', 'TWOLEVEL MIXTURE', 'mixt twol random')],
      ['ESTIMATOR', fc.constantFrom('MLR', 'ml')],
      ['STARTS', fc.constantFrom('0', '200 20')],
      ['K-1STARTS', fc.constantFrom('8 2')],
      ['INTEGRATION', fc.constantFrom('MONTECARLO (500)', '10', 'GAUSSHERMITE(15)')],
    ],
  },
  { cmd: 'SAVEDATA', opts: [['FILE', fc.constantFrom('cp.dat')], ['SAVE', fc.constantFrom('CPROB', 'FSCORES')]] },
  { cmd: 'MONTECARLO', opts: [['NAMES', fc.constantFrom('y1-y4')], ['CSIZES', fc.constantFrom('40 (5) 50 (10)')], ['SAVE', fc.constantFrom('rep*.dat')]] },
];

const optionsCommand = fc.constantFrom(...specs).chain((s) =>
  fc
    .tuple(
      randCase(s.cmd),
      fc.subarray(s.opts, { minLength: 1 }).chain((os) => fc.tuple(...os.map(([n, v]) => fc.tuple(randCase(n), assign, v).map(([a, b, c]) => `${a}${b}${c};`)))),
      fc.array(blank, { minLength: 1, maxLength: 3 }),
    )
    .map(([h, os, seps]) => `${h}:${seps[0]}${join(os, seps)}`),
);

const body = (stmt: fc.Arbitrary<string>) => fc.tuple(fc.array(stmt, { minLength: 1, maxLength: 6 }), fc.array(blank, { minLength: 1, maxLength: 3 })).map(([ss, seps]) => join(ss, seps));

const command = fc.oneof(
  optionsCommand,
  fc.tuple(fc.constantFrom('MODEL', 'model', 'MODEL c', 'MODEL POPULATION', 'MODEL POPULATION-c2', 'MODEL c1.c2'), body(modelStatement)).map(([h, b]) => `${h}:\n  ${b}`),
  body(defineStatement).map((b) => `DEFINE:\n  ${b}`),
  fc.tuple(fc.constantFrom('MODEL CONSTRAINT', 'MODEL TEST'), body(constraintStatement)).map(([h, b]) => `${h}:\n  ${b}`),
  fc.constantFrom('MODEL INDIRECT: y IND x; y IND m x; y VIA m x;', 'OUTPUT: TECH1 TECH8 STANDARDIZED(STDYX) samp;', 'PLOT: TYPE = PLOT3; SERIES = y1-y4 (*);'),
  fc.constantFrom('MODEL PRIORS: a ~ N(0, 1); b1-b3 c ~ IG(-1, .5);', 'model priors:\n  DIFF(l1-l5, m) ~ N(0, 0.01);\n  p ~ U(-2,2);'),
);

/** A whole input: a TITLE then 1-5 commands. */
export const validInput: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('TITLE: a test\n', 'title: Gödel ; café ! comment\n  second line\n', ''), fc.array(command, { minLength: 1, maxLength: 5 }), fc.constantFrom('\n', '\r\n'))
  .map(([t, cs, nl]) => (t + cs.join('\n')).replace(/\r?\n/g, nl) + nl);
