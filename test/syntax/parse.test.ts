// parseInput: the AST of every command and statement form, and the diagnostics of broken inputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { parseInput, parseOrThrow } from '../../src/syntax/parse.js';
import { PlusmixError, type Diagnostic } from '../../src/syntax/diagnostics.js';
import type { Command, ModelCommand, ModelStatement, OptionsCommand, DefineCommand, ConstraintCommand } from '../../src/syntax/ast.js';

type Rel = Extract<ModelStatement, { lhs: unknown }>;
const FIX = new URL('../../fixtures/inputs/', import.meta.url).pathname;

function parse(text: string) {
  return parseInput(text, 'test.inp');
}
function errors(text: string): Diagnostic[] {
  return parse(text).diagnostics.filter((d) => d.severity === 'error');
}
function clean(text: string) {
  const r = parse(text);
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.map((d) => d.message), [], 'no errors expected');
  return r.ast;
}
function cmd<K extends Command['kind']>(text: string, kind: K, i = 0): Extract<Command, { kind: K }> {
  const list = clean(text).commands.filter((c) => c.kind === kind);
  return list[i] as Extract<Command, { kind: K }>;
}
function model(body: string, header = 'MODEL:'): ModelCommand {
  return cmd(`${header}\n${body}\n`, 'Model');
}
function stmts(body: string): ModelStatement[] {
  return model(body).statements;
}
function where(d: Diagnostic): string {
  return d.location.kind === 'input' ? `${d.location.span.start.line}:${d.location.span.start.col}` : '';
}
function opt(c: OptionsCommand, name: string) {
  return c.options.find((o) => o.name === name);
}

// ---------------------------------------------------------------------------
// fixtures: every input in fixtures/inputs parses without errors

test('every fixture input parses without errors', () => {
  const files = readdirSync(FIX).filter((f) => f.endsWith('.inp'));
  assert.ok(files.length >= 20);
  for (const f of files) {
    const r = parseInput(readFileSync(FIX + f, 'utf8'), f);
    const errs = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${f}:${where(d)} ${d.message}`);
    assert.equal(errs, [], f);
    assert.ok(r.ast.commands.length >= 2, f);
  }
});

// ---------------------------------------------------------------------------
// commands and headers

test('command headers: case, abbreviations, text after the colon', () => {
  const ast = clean('title: t\ndata: file = a.dat;\nvaria: names = a b;\nANAL: TYPE = MIXT TWOL;\nOUT: TECH1;\n');
  const names = ast.commands.map((c) => (c.kind === 'Options' ? c.name : c.kind));
  assert.equal(names, ['Title', 'DATA', 'VARIABLE', 'ANALYSIS', 'OUTPUT']);
  const an = ast.commands[3] as OptionsCommand;
  assert.is(an.written, 'ANAL');
  assert.equal(
    opt(an, 'TYPE')!.values.map((v) => (v.kind === 'word' ? v.upper : '')),
    ['MIXTURE', 'TWOLEVEL'],
  );
});

test('3-letter command abbreviation is accepted with a warning', () => {
  const r = parse('VAR: NAMES = a;');
  assert.is((r.ast.commands[0] as OptionsCommand).name, 'VARIABLE');
  assert.ok(r.diagnostics.some((d) => d.code === 'W_ABBREVIATION'));
});

test('a colon that is not at a command position is not a header', () => {
  const ast = clean('DATA: FILE = C:\\data\\x.dat;\nVARIABLE: NAMES = a;');
  const d = ast.commands[0] as OptionsCommand;
  assert.is(opt(d, 'FILE')!.raw, 'C:\\data\\x.dat');
});

test('TITLE keeps multi-line free text, drops comments, keeps non-ASCII', () => {
  const t = cmd('TITLE: first line ! a comment\n  Gödel; naïve ;\nDATA: FILE = a;', 'Title');
  assert.is(t.text, 'first line\nGödel; naïve ;');
});

test('inside TITLE, `Model A:` lines are title text', () => {
  const ast = clean('TITLE: Study 1\nModel A: baseline\nDATA: FILE = a;');
  assert.is((ast.commands[0] as { text: string }).text, 'Study 1\nModel A: baseline');
  assert.is(ast.commands.length, 2);
});

test('text before the first command is an error', () => {
  const e = errors('hello\nDATA: FILE = a;');
  assert.is(e[0].code, 'E_NO_COMMAND');
  assert.is(where(e[0]), '1:1');
});

test('DATA WIDETOLONG / LONGTOWIDE / IMPUTATION headers', () => {
  const ast = clean('DATA: FILE = a.dat;\nDATA WIDETOLONG: WIDE = y1-y4; LONG = y; IDVARIABLE = id; REPETITION = t;\nDATA LONGTOWIDE: LONG = y; WIDE = y1-y4;\nDATA IMPUTATION: IMPUTE = y; NDATASETS = 5;\n');
  assert.equal(
    ast.commands.map((c) => (c as OptionsCommand).name),
    ['DATA', 'DATA WIDETOLONG', 'DATA LONGTOWIDE', 'DATA IMPUTATION'],
  );
  assert.ok((ast.commands[1] as OptionsCommand).options.every((o) => o.known));
});

test('MODEL headers: plain, class labels, POPULATION, POPULATION-c2, CONSTRAINT, TEST, INDIRECT, PRIORS', () => {
  const r = parse('MODEL: y ON x;\nMODEL c: %c#1% [y];\nMODEL c1.c2: %c1#1.c2#2% [y];\nMODEL POPULATION: y ON x*1;\nMODEL POPULATION-c2: %c2#1% [y*1];\nMODEL CONSTRAINT: NEW(a);\nMODEL TEST: 0 = a;\nMODEL INDIRECT: y IND x;\nMODEL PRIORS: a ~ N(0,1);\n');
  const hs = r.ast.commands.map((c) => (c.kind === 'Model' ? `${c.variant}[${c.classLabel.join('.')}]` : c.kind === 'Constraint' ? c.variant : c.kind));
  assert.equal(hs, ['MODEL[]', 'MODEL[c]', 'MODEL[c1.c2]', 'MODEL POPULATION[]', 'MODEL POPULATION[c2]', 'MODEL CONSTRAINT', 'MODEL TEST', 'MODEL INDIRECT[]', 'MODEL PRIORS']);
  assert.ok(r.diagnostics.some((d) => d.code === 'W_UNSUPPORTED'));
  assert.ok(!r.diagnostics.some((d) => d.severity === 'error'));
});

test('CRLF, tabs and statements spanning lines', () => {
  const ast = clean('DATA:\tFILE IS\r\n\ta.dat;\r\nVARIABLE:\tNAMES ARE\r\n y1-y3\r\n x;\r\nMODEL:\ty1 ON\r\n x;\r\n');
  const v = ast.commands[1] as OptionsCommand;
  assert.is(opt(v, 'NAMES')!.raw, 'y1-y3 x');
  assert.is(opt(v, 'NAMES')!.nameSpan.start.line, 3);
  const m = ast.commands[2] as ModelCommand;
  assert.is(m.statements[0].kind, 'On');
  assert.is(m.statements[0].span.start.line, 6);
  assert.is(m.statements[0].span.end.line, 7);
});

test('lines over 90 characters are a warning, not an error', () => {
  const r = parse(`TITLE: ${'x'.repeat(100)}\nDATA: FILE = a;`);
  const w = r.diagnostics.find((d) => d.code === 'W_LINE_GT_90');
  assert.ok(w);
  assert.is(w!.severity, 'warning');
  assert.is(where(w!), '1:91');
});

test('comments: `!` to end of line (also containing `;`), `!* ... *!` blocks, unterminated `!*` lines', () => {
  const ast = clean('DATA: FILE = a.dat; ! x; y;\n!* MODEL: y ON x;\n  still comment *! VARIABLE: NAMES = a;\n!********** decoration\nMODEL: y ON x;');
  assert.equal(
    ast.commands.map((c) => c.kind),
    ['Options', 'Options', 'Model'], // a header right after `*!` is first on its line
  );
  const r = parse('DATA: FILE = a.dat;\n!********** decoration\nMODEL: y ON x;');
  assert.ok(r.diagnostics.some((d) => d.code === 'W_BLOCK_COMMENT'));
});

test('comments: `!` inside a double-quoted file name is text; quotes do not carry over a line or a comment', () => {
  const ast = clean('DATA: FILE = "my!data.dat"; ! "a comment\nVARIABLE: NAMES = y; ! c " d\n  USEV = y; !* "x *! MISSING = ALL (-9) ; ! "\nMODEL: y;');
  const data = ast.commands[0];
  assert.ok(data.kind === 'Options' && data.options[0].values[0].kind === 'string' && data.options[0].values[0].text === 'my!data.dat');
  const v = ast.commands[1];
  assert.ok(v.kind === 'Options');
  assert.equal(v.options.map((o) => o.name), ['NAMES', 'USEVARIABLES', 'MISSING']);
});

// ---------------------------------------------------------------------------
// option commands

test('option forms: = / IS / ARE / nothing, abbreviations, unknown names kept', () => {
  const a = cmd('ANALYSIS: TYPE IS MIXTURE; ESTIM ARE MLR; STARTS 200 20; STARTZ = 1; USEV = x;', 'Options');
  assert.equal(
    a.options.map((o) => [o.name, o.written, o.known, o.raw]),
    [
      ['TYPE', 'TYPE', true, 'MIXTURE'],
      ['ESTIMATOR', 'ESTIM', true, 'MLR'],
      ['STARTS', 'STARTS', true, '200 20'],
      ['STARTZ', 'STARTZ', false, '1'],
      ['USEV', 'USEV', false, 'x'],
    ],
  );
  const v = cmd('VARIABLE: USEV = x; CATEG = u; AUX = z (R3STEP); IDVAR = id;', 'Options');
  assert.equal(
    v.options.map((o) => o.name),
    ['USEVARIABLES', 'CATEGORICAL', 'AUXILIARY', 'IDVARIABLE'],
  );
});

test('option values: groups, negative numbers, numeric ranges, Fortran formats, strings, file patterns', () => {
  const v = cmd('VARIABLE: MISSING ARE ALL (-999); CLASSES = c (2) cb(3);\n MISSING = ethnic (9 99) x (98-102) y (-9, -99);', 'Options');
  const m1 = v.options[0].values;
  assert.is(m1[0].kind === 'word' && m1[0].upper, 'ALL');
  assert.ok(m1[1].kind === 'group' && m1[1].items[0].kind === 'number' && m1[1].items[0].value === -999);
  const m2 = v.options[2].values;
  const x = m2[3];
  assert.ok(x.kind === 'group');
  assert.equal(
    (x as { items: Array<{ kind: string; text?: string }> }).items.map((i) => i.kind),
    ['number', 'symbol', 'number'],
  );
  const d = cmd('DATA: FILE = "a b/c.dat"; FORMAT = (3F8.2, 2X, F4);', 'Options');
  assert.equal(d.options[0].values[0], { kind: 'string', text: 'a b/c.dat', span: d.options[0].values[0].span });
  assert.is(d.options[1].raw, '(3F8.2, 2X, F4)');
  const mc = cmd('MONTECARLO: NAMES = y1-y4; SAVE = rep*.dat; CSIZES = 40 (5) 50 (10); REPSAVE = ALL;', 'Options');
  assert.is(opt(mc, 'SAVE')!.raw, 'rep*.dat');
  assert.is(opt(mc, 'CSIZES')!.values.length, 4);
  const an = cmd('ANALYSIS: K-1STARTS = 8 2; INTEGRATION = MONTECARLO (500); BOOTSTRAP = 500 (RESIDUAL);', 'Options');
  assert.equal(
    an.options.map((o) => o.name),
    ['K-1STARTS', 'INTEGRATION', 'BOOTSTRAP'],
  );
});

test('OUTPUT: every word is a flag, groups attach', () => {
  const o = cmd('OUTPUT: SAMPSTAT TECH1 TECH8 STANDARDIZED(STDYX) MOD (3.84) CINT;', 'Options');
  assert.equal(
    o.options.map((x) => [x.name, x.raw]),
    [
      ['SAMPSTAT', ''],
      ['TECH1', ''],
      ['TECH8', ''],
      ['STANDARDIZED', '(STDYX)'],
      ['MODINDICES', '(3.84)'],
      ['CINTERVAL', ''],
    ],
  );
});

test('missing ; at the end of a command is a warning; missing ; between options is an error with recovery', () => {
  const r = parse('ANALYSIS: TYPE = MIXTURE\nOUTPUT: TECH1;');
  assert.ok(r.diagnostics.some((d) => d.code === 'W_MISSING_SEMICOLON' && d.severity === 'warning'));
  assert.ok(!r.diagnostics.some((d) => d.severity === 'error'));
  const r2 = parse('ANALYSIS: TYPE = MIXTURE\n  STARTS = 0;');
  const e = r2.diagnostics.find((d) => d.code === 'E_MISSING_SEMICOLON')!;
  assert.ok(e);
  assert.is(where(e), '2:3');
  const an = r2.ast.commands[0] as OptionsCommand;
  assert.equal(
    an.options.map((o) => o.name),
    ['TYPE', 'STARTS'],
  );
});

test('unbalanced parenthesis in an option value is reported with its position', () => {
  const e = errors('VARIABLE: CLASSES = c (2;\n NAMES = a;');
  assert.ok(e.length >= 1);
  assert.is(e[0].code, 'E_SYNTAX');
});

// ---------------------------------------------------------------------------
// MODEL statements

test('BY / ON / WITH / PON / PWITH with lists on both sides', () => {
  const s = stmts('f BY y1-y4; y1 y2 ON x1-x3; y1 WITH y2 y3; y1 y2 PON x1 x2; y1 y2 PWITH y3 y4;');
  assert.equal(
    s.map((x) => x.kind),
    ['By', 'On', 'With', 'Pon', 'Pwith'],
  );
  const on = s[1] as Rel;
  assert.is(on.lhs.length, 2);
  assert.is(on.rhs.length, 1);
  const r = (on.rhs[0] as { target: { kind: string; from: { name: string }; to: { name: string } } }).target;
  assert.is(r.kind, 'Range');
  assert.is(r.from.name + '-' + r.to.name, 'x1-x3');
});

test('modifiers @ and * with signed numbers, labels in source order', () => {
  const s = stmts('f BY y1@1 y2*.5 y3*-1.2e-1 y4* (p1-p3);') as Array<Rel>;
  const rhs = s[0].rhs;
  assert.equal(
    rhs.map((p) => (p.kind === 'Item' ? p.modifier : p.kind)),
    [
      { kind: 'Fixed', value: 1, span: (rhs[0] as { modifier: { span: unknown } }).modifier.span },
      { kind: 'Start', value: 0.5, span: (rhs[1] as { modifier: { span: unknown } }).modifier.span },
      { kind: 'Start', value: -0.12, span: (rhs[2] as { modifier: { span: unknown } }).modifier.span },
      { kind: 'Start', value: null, span: (rhs[3] as { modifier: { span: unknown } }).modifier.span },
      'Labels',
    ],
  );
  const lg = rhs[4];
  assert.ok(lg.kind === 'Labels' && lg.labels[0].kind === 'LabelRange' && lg.labels[0].from === 'p1' && lg.labels[0].to === 'p3');
});

test('label groups: (label), (1), (*1) block, several labels, labels on continued lines', () => {
  const s = stmts('y ON x1 (a)\n x2 (1);\n y ON x3 (*1);\n [y1 y2] (m1 m2);') as ModelStatement[];
  const on = s[0] as Rel;
  assert.equal(
    on.rhs.map((p) => (p.kind === 'Labels' ? p.labels.map((l) => (l.kind === 'Label' ? l.text : '')).join() : 'item')),
    ['item', 'a', 'item', '1'],
  );
  assert.is(on.rhs[3].span.start.line, 3);
  const blk = (s[1] as Rel).rhs[1];
  assert.ok(blk.kind === 'Labels' && blk.block && blk.labels[0].kind === 'Label' && blk.labels[0].text === '1');
  const mean = s[2] as Extract<ModelStatement, { kind: 'Mean' }>;
  assert.is(mean.kind, 'Mean');
  assert.is(mean.parts.length, 3);
});

test('variances, means, thresholds, class logits, scale factors', () => {
  const s = stmts('y1-y4*1 f@1; [y1@0 u1$1*-1 c#1]; [u1$1-u4$1]; {y1@1};');
  assert.equal(
    s.map((x) => x.kind),
    ['Variance', 'Mean', 'Mean', 'Scale'],
  );
  const mean = s[1] as Extract<ModelStatement, { kind: 'Mean' }>;
  const t = mean.parts.map((p) => (p.kind === 'Item' && p.target.kind === 'Var' ? [p.target.name, p.target.threshold, p.target.classIndex] : null));
  assert.equal(t, [
    ['y1', undefined, undefined],
    ['u1', 1, undefined],
    ['c', undefined, 1],
  ]);
  const r = (s[2] as Extract<ModelStatement, { kind: 'Mean' }>).parts[0];
  assert.ok(r.kind === 'Item' && r.target.kind === 'Range' && r.target.from.threshold === 1 && r.target.to.upper === 'U4');
});

test('sections: %WITHIN% %BETWEEN% %OVERALL% %c#1% %c#1.cb#2%', () => {
  const s = stmts('%WITHIN% %OVERALL% y ON x; %c#1% y; %BETWEEN% %cb#2.c#1% [y];');
  const secs = s.filter((x) => x.kind === 'Section').map((x) => (x as Extract<ModelStatement, { kind: 'Section' }>).section);
  assert.equal(secs, [
    { kind: 'Within' },
    { kind: 'Overall' },
    { kind: 'Class', classes: [{ variable: 'c', upper: 'C', index: 1 }] },
    { kind: 'Between' },
    {
      kind: 'Class',
      classes: [
        { variable: 'cb', upper: 'CB', index: 2 },
        { variable: 'c', upper: 'C', index: 1 },
      ],
    },
  ]);
});

test('categorical latent variables: c ON x, c#1 ON w, f BY c#1 c#2', () => {
  const s = stmts('c ON x; c#1 ON w@0; f BY c#1 c#2; cw#1-cw#3 ON cb;');
  const on = s[1] as Rel;
  assert.ok(on.lhs[0].kind === 'Var' && on.lhs[0].classIndex === 1);
  const by = s[2] as Rel;
  assert.equal(
    by.rhs.map((p) => p.kind === 'Item' && p.target.kind === 'Var' && p.target.classIndex),
    [1, 2],
  );
  const r = (s[3] as Rel).lhs[0];
  assert.ok(r.kind === 'Range' && r.from.classIndex === 1 && r.to.classIndex === 3);
});

test('| statements: random slope, growth, AT, XWITH, random slope with BY', () => {
  const s = stmts('s | y ON x; i s q | y1@0 y2@1 y3@2.5; i s | y1-y4 AT t1-t4; int | f1 XWITH f2; sf | f BY y1;') as Array<Extract<ModelStatement, { kind: 'Random' }>>;
  assert.equal(
    s.map((x) => [x.names.map((n) => n.name).join(' '), x.body.kind]),
    [
      ['s', 'On'],
      ['i s q', 'Growth'],
      ['i s', 'At'],
      ['int', 'Xwith'],
      ['sf', 'By'],
    ],
  );
  const g = s[1].body;
  assert.ok(g.kind === 'Growth' && g.items[2].modifier?.kind === 'Fixed' && g.items[2].modifier.value === 2.5);
  const x = s[3].body;
  assert.ok(x.kind === 'Xwith' && x.left.name === 'f1' && x.right.name === 'f2');
});

test('growth statements: labels on time scores (same-line scope kept in parts); misplaced labels and brackets', () => {
  const s = stmts('i s | y1@0 y2@1 y3*2 (t3)\n y4*3 (t4);') as Array<Extract<ModelStatement, { kind: 'Random' }>>;
  const g = s[0].body;
  assert.ok(g.kind === 'Growth');
  assert.equal(g.items.map((it) => (it.target.kind === 'Var' ? it.target.name : '')), ['y1', 'y2', 'y3', 'y4']);
  assert.equal(g.parts?.map((p) => (p.kind === 'Labels' ? `(${p.labels.map((l) => (l.kind === 'Label' ? l.text : '')).join(' ')})` : p.kind)), ['Item', 'Item', 'Item', '(t3)', 'Item', '(t4)']);
  assert.is(g.parts?.[5].span.start.line, 3);
  // without labels the body has no parts (unchanged AST)
  const plain = (stmts('i s | y1@0 y2@1;') as Array<Extract<ModelStatement, { kind: 'Random' }>>)[0].body;
  assert.ok(plain.kind === 'Growth' && plain.parts === undefined);
  const bad = errors('MODEL: i s | (t0) y1@0 y2@1 [y3];');
  assert.equal(bad.map((d) => [d.code, where(d)]), [['E_MODEL_SYNTAX', '1:14'], ['E_MODEL_SYNTAX', '1:29']]);
});

test('MODEL PRIORS: labels, ranges, DIFF(...), distributions; read but not used (warning); errors', () => {
  const r = parse('MODEL PRIORS:\n  a ~ N(0, 1);\n  b1-b3 c ~ IG(-1, .5D-1);\n  DIFF(l1-l5, m) ~ N(0, 0.01);\n');
  const c = r.ast.commands[0];
  assert.ok(c.kind === 'Constraint' && c.variant === 'MODEL PRIORS' && c.statements.length === 0);
  assert.equal(
    c.priors?.map((p) => [p.targets.map((t) => (t.kind === 'Label' ? t.text : t.kind === 'LabelRange' ? `${t.from}-${t.to}` : `${t.fn}:${t.labels.length}`)).join(' '), p.dist, p.params]),
    [['a', 'N', [0, 1]], ['b1-b3 c', 'IG', [-1, 0.05]], ['DIFF:2', 'N', [0, 0.01]]],
  );
  assert.is(c.priors?.[2].span.start.line, 4);
  assert.equal(r.diagnostics.map((d) => d.code), ['W_UNSUPPORTED']);
  const bad = errors('MODEL PRIORS:\n  a N(0, 1);\n  b ~ N(0, 1)\n  c ~ N(0 1);\n');
  assert.equal(bad.map((d) => [d.code, where(d)]), [['E_SYNTAX', '2:7'], ['E_SYNTAX', '2:12'], ['E_MISSING_SEMICOLON', '3:14']]);
  assert.match(bad[1].message, "Expected '~' but found ';'");
});

test('MODEL INDIRECT: IND and VIA', () => {
  const m = model('y IND x; y IND m1 x; y VIA m x;', 'MODEL INDIRECT:');
  assert.equal(
    m.indirect!.map((i) => [i.kind, i.lhs.name, i.rhs.map((r) => r.name).join(' ')]),
    [
      ['Ind', 'y', 'x'],
      ['Ind', 'y', 'm1 x'],
      ['Via', 'y', 'm x'],
    ],
  );
});

test('MODEL errors: modifiers on the left, IND outside INDIRECT, XWITH without |, bad section, missing ;', () => {
  const cases: Array<[string, string]> = [
    ['MODEL: y*1 ON x;', 'E_MODEL_SYNTAX'],
    ['MODEL: y IND x;', 'E_MODEL_SYNTAX'],
    ['MODEL: f1 XWITH f2;', 'E_MODEL_SYNTAX'],
    ['MODEL: %foo% y;', 'E_BAD_SECTION'],
    ['MODEL: y ON x\n y WITH z;', 'E_SYNTAX'],
    ['MODEL: y ON x (a;', 'E_SYNTAX'],
    ['MODEL: [y ON x];', 'E_SYNTAX'],
    ['MODEL: s | y1 ON;', 'E_SYNTAX'],
    ['MODEL: y ON x ü;', 'E_SYNTAX'],
    ['MODEL: y ON x1 x2 (a);\n f BY y1 y2 [y3];', 'E_MODEL_SYNTAX'],
  ];
  for (const [text, code] of cases) {
    const e = errors(text);
    assert.ok(e.length > 0, text);
    assert.ok(e.some((d) => d.code === code), `${text}: ${e.map((d) => d.code + ' ' + d.message).join('; ')}`);
    assert.ok(e.every((d) => d.location.kind === 'input'), text);
  }
  const w = parse('MODEL: y ON x');
  assert.ok(w.diagnostics.some((d) => d.code === 'W_MISSING_SEMICOLON'));
  assert.ok(!w.diagnostics.some((d) => d.severity === 'error'));
});

test('several errors are reported in one run', () => {
  const e = errors('MODEL: y ON x (a;\n f BY ;\nMODEL CONSTRAINT: a = ;\nDEFINE: x = LOG(;\n');
  assert.ok(e.length >= 3, e.map((d) => d.message).join('\n'));
  const lines = new Set(e.map((d) => (d.location.kind === 'input' ? d.location.span.start.line : 0)));
  assert.ok(lines.size >= 3);
});

// ---------------------------------------------------------------------------
// DEFINE

test('DEFINE: assignments, functions, IF THEN, _MISSING, DO, CUT, CENTER, STANDARDIZE, MEAN ranges', () => {
  const d = cmd(
    'DEFINE: z = (x - 3.5)/1.2 + x**2 - SQRT(ABS(x));\n IF (g EQ 1 OR g == 3) THEN y = _MISSING;\n IF (NOT (y /= 2) AND w GT .5) THEN u = 1;\n DO (1, 3) d# = y# - x#;\n m = MEAN(y1-y5); s = SUM(y1 y3 y5);\n CUT y4 y5 (30 40);\n CENTER x1-x4 (GRANDMEAN); CENTER w (GROUPMEAN);\n STANDARDIZE y1 y2; cm = CLUSTER_MEAN(x);',
    'Define',
  ) as DefineCommand;
  assert.equal(
    d.statements.map((s) => s.kind),
    ['Assign', 'If', 'If', 'Do', 'Assign', 'Assign', 'Cut', 'Center', 'Center', 'Standardize', 'Assign'],
  );
  const z = d.statements[0];
  assert.ok(z.kind === 'Assign' && z.expr.kind === 'Binary' && z.expr.op === '-');
  const i1 = d.statements[1];
  assert.ok(i1.kind === 'If' && i1.cond.kind === 'Binary' && i1.cond.op === 'OR' && i1.expr.kind === 'Missing' && i1.target === 'y');
  const loop = d.statements[3];
  assert.ok(loop.kind === 'Do' && loop.from === 1 && loop.to === 3 && loop.index === '#' && loop.body[0].kind === 'Assign' && loop.body[0].target === 'd#');
  const mean = d.statements[4];
  assert.ok(mean.kind === 'Assign' && mean.expr.kind === 'Call' && mean.expr.fn === 'MEAN' && mean.expr.args[0].kind === 'Range');
  const sum = d.statements[5];
  assert.ok(sum.kind === 'Assign' && sum.expr.kind === 'Call' && sum.expr.args.length === 3);
  const cut = d.statements[6];
  assert.ok(cut.kind === 'Cut' && cut.cuts.join() === '30,40' && cut.vars.length === 2);
  const c1 = d.statements[7];
  assert.ok(c1.kind === 'Center' && c1.mode === 'GRANDMEAN' && c1.vars[0].kind === 'Range');
});

test('DEFINE: operator precedence and right-associative power', () => {
  const d = cmd('DEFINE: a = -2**2 + 3*4/2;', 'Define') as DefineCommand;
  const s = d.statements[0];
  assert.ok(s.kind === 'Assign');
  const e = s.expr;
  // (-(2**2)) + ((3*4)/2)
  assert.ok(e.kind === 'Binary' && e.op === '+');
  assert.ok(e.left.kind === 'Unary' && e.left.op === '-' && e.left.arg.kind === 'Binary' && e.left.arg.op === '**');
  assert.ok(e.right.kind === 'Binary' && e.right.op === '/' && e.right.left.kind === 'Binary' && e.right.left.op === '*');
});

test('DEFINE errors: missing =, bad target, IF without assignment, CENTER mode, DO bounds, NEW', () => {
  const cases: Array<[string, string]> = [
    ['DEFINE: x + 1;', 'E_DEFINE_SYNTAX'],
    ['DEFINE: 2 = x;', 'E_DEFINE_SYNTAX'],
    ['DEFINE: CENTER x (SIDEWAYS);', 'E_DEFINE_SYNTAX'],
    ['DEFINE: DO (1) y# = 1;', 'E_DO_SYNTAX'],
    ['DEFINE: NEW (a);', 'E_DEFINE_SYNTAX'],
    ['DEFINE: IF x EQ 1 THEN y = 2;', 'E_SYNTAX'],
    ['DEFINE: y = (x + 1;', 'E_SYNTAX'],
    ['DEFINE: y = 1\n z = 2;', 'E_MISSING_SEMICOLON'],
  ];
  for (const [text, code] of cases) {
    const e = errors(text);
    assert.ok(e.some((d) => d.code === code), `${text}: ${e.map((d) => d.code + ' ' + d.message).join('; ')}`);
  }
});

// ---------------------------------------------------------------------------
// MODEL CONSTRAINT / MODEL TEST

test('MODEL CONSTRAINT: NEW with starts, relations, inequalities, DO, PLOT/LOOP', () => {
  const c = cmd('MODEL CONSTRAINT:\n NEW (d*0.5 ratio r*-1);\n d = m1 - m2;\n 0 = a - 2*b;\n v1 > 0; v2 <= v1;\n DO (1,3) p# = q#**2;\n PLOT(y);\n LOOP(x, -3, 3, 0.1);', 'Constraint') as ConstraintCommand;
  assert.equal(
    c.statements.map((s) => (s.kind === 'Relation' ? `Rel${s.op}` : s.kind)),
    ['New', 'Rel=', 'Rel=', 'Rel>', 'Rel<=', 'Do', 'Plot', 'Loop'],
  );
  const nw = c.statements[0];
  assert.ok(nw.kind === 'New');
  assert.equal(
    nw.params.map((p) => [p.name, p.start]),
    [
      ['d', 0.5],
      ['ratio', null],
      ['r', -1],
    ],
  );
  const lp = c.statements[7];
  assert.ok(lp.kind === 'Loop' && lp.raw === 'LOOP(x, -3, 3, 0.1)');
});

test('MODEL CONSTRAINT / TEST errors', () => {
  assert.ok(errors('MODEL CONSTRAINT: a + b;').some((d) => d.code === 'E_CONSTRAINT_SYNTAX'));
  assert.ok(errors('MODEL CONSTRAINT: IF (a GT 0) THEN b = 1;').some((d) => d.code === 'E_CONSTRAINT_SYNTAX'));
  assert.ok(errors('MODEL TEST: NEW (a);').some((d) => d.code === 'E_CONSTRAINT_SYNTAX'));
  assert.ok(errors('MODEL TEST: 0 = a - ;').some((d) => d.code === 'E_SYNTAX'));
  const t = cmd('MODEL TEST: 0 = p1 - p2; 0 = p3 - p1;', 'Constraint') as ConstraintCommand;
  assert.is(t.statements.length, 2);
});

// ---------------------------------------------------------------------------
// API

test('parseOrThrow returns the AST or throws a PlusmixError with every diagnostic', () => {
  const ast = parseOrThrow('DATA: FILE = a.dat;', 'x.inp');
  assert.is(ast.path, 'x.inp');
  try {
    parseOrThrow('MODEL: y*1 ON x;\nDEFINE: 2 = x;', 'x.inp');
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, PlusmixError);
    assert.ok((e as PlusmixError).diagnostics.length >= 2);
  }
});

test('spans are 1-based line/col with 0-based offsets', () => {
  const m = model('  y ON x;');
  const s = m.statements[0];
  assert.equal(s.span.start, { offset: 9, line: 2, col: 3 });
  assert.equal(s.span.end, { offset: 16, line: 2, col: 10 });
});

// ---------------------------------------------------------------------------
// leniency for real scripts

test('byte-order mark and no-break spaces are blanks', () => {
  const ast = clean('\ufeffTITLE: t\nDATA:\u00a0FILE = a.dat;\nMODEL:\u00a0y ON\u00a0x;');
  assert.equal(
    ast.commands.map((c) => c.kind),
    ['Title', 'Options', 'Model'],
  );
});

test('decorative !**** lines are comments without a warning', () => {
  const r = parse('!*********************\n! header\n!*********************\nDATA: FILE = a;');
  assert.equal(r.diagnostics, []);
});

test('IF conditions accept = as a comparison', () => {
  const d = cmd('DEFINE: IF (x = 1 AND z == 2) THEN y = 2;', 'Define') as DefineCommand;
  const s = d.statements[0];
  assert.ok(s.kind === 'If' && s.cond.kind === 'Binary' && s.cond.op === 'AND' && s.cond.left.kind === 'Binary' && s.cond.left.op === 'EQ' && s.target === 'y');
});

test('ESEM target values (~) are read and ignored with a warning; f1-f3 BY lists', () => {
  const r = parse('MODEL: f1-f3 BY y1-y9 (*1); f1 BY y1-y3~0;');
  assert.ok(!r.diagnostics.some((d) => d.severity === 'error'));
  assert.ok(r.diagnostics.some((d) => d.code === 'W_UNSUPPORTED'));
  const m = r.ast.commands[0] as ModelCommand;
  const by = m.statements[1] as Rel;
  assert.ok(by.rhs[0].kind === 'Item' && by.rhs[0].modifier === undefined);
});

test('a syntax error is not reported twice (no extra missing-; message)', () => {
  const e = errors('MODEL: y ON x (a;\n');
  assert.is(e.length, 1);
});

test.run();
