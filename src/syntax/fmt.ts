// `plusmix fmt`: print an input in canonical layout. Command and option names
// in their full upper-case form, one option/statement per line, `=` aligned
// within a command, MODEL statements indented under their section markers.
// Comments are kept: own-line comments before the next statement, end-of-line
// comments after the statement they follow.
//
// Invariant (tested): parseInput(formatInput(x)) has the same AST as
// parseInput(x) apart from spans, `written` spellings and the file text.
// MODEL label groups apply to the parameters on the same physical line
// (syntax.md §7.4), so a statement that spanned lines keeps its line breaks.
import type {
  Command, ConstraintStatement, DefineStatement, Expr, InputFile, LabelGroup, ModelCommand, ModelStatement, Modifier, OptionsCommand, ParamItem, PriorLabel, PriorStatement,
  RhsPart, SectionMarker, Span, VarList, VarName, VarRef,
} from './ast.js';
import { findComments } from '../../grammar/segment.js';
import { FLAG_COMMANDS } from './options.js';

const WIDTH = 88; // stay under Mplus' 90 columns where we can

interface Comment {
  start: number;
  end: number;
  line: number;
  text: string;
  used: boolean;
}

/** Format a parsed input (use only on inputs without syntax errors). */
export function formatInput(ast: InputFile): string {
  const text = ast.text;
  const lineOf = lineFinder(text);
  const comments: Comment[] = findComments(text).comments.map((c) => ({
    start: c.start,
    end: c.end,
    line: lineOf(c.start),
    text: text.slice(c.start, c.end).replace(/\r/g, ''),
    used: false,
  }));
  const out: string[] = [];
  for (const c of ast.commands) {
    const inside = comments.filter((k) => k.start >= c.span.start.offset && k.start < c.span.end.offset);
    const p = new Printer(out, inside);
    switch (c.kind) {
      case 'Title':
        title(c, text, out);
        inside.forEach((k) => (k.used = true));
        break;
      case 'Options':
        options(c, p);
        break;
      case 'Define':
        out.push('DEFINE:');
        for (const s of c.statements) p.node(s.span, '  ', defineStmt(s));
        break;
      case 'Model':
        model(c, p);
        break;
      case 'Constraint':
        out.push(`${c.variant}:`);
        for (const s of c.statements) p.node(s.span, '  ', constraintStmt(s));
        for (const s of c.priors ?? []) p.node(s.span, '  ', [priorText(s)]);
        break;
    }
    p.rest('  ');
  }
  // comments before the first command
  const pre = comments.filter((k) => !k.used && (ast.commands.length === 0 || k.start < ast.commands[0].span.start.offset));
  const head = pre.map((k) => k.text);
  return [...head, ...out].join('\n') + '\n';
}

/** Emits nodes with their comments. */
class Printer {
  constructor(
    readonly out: string[],
    readonly comments: Comment[],
  ) {}

  node(span: Span, indent: string, lines: string[], nextStart = Infinity): void {
    for (const k of this.comments) {
      if (!k.used && k.start < span.start.offset) {
        this.out.push(indent + k.text);
        k.used = true;
      }
    }
    const trailing = this.comments.filter((k) => !k.used && k.line === span.end.line && k.start >= span.end.offset && k.start < nextStart);
    lines.forEach((l, i) => this.out.push(indent + l + (i === lines.length - 1 && trailing.length ? '  ' + trailing.map((k) => k.text).join(' ') : '')));
    trailing.forEach((k) => (k.used = true));
  }

  rest(indent: string): void {
    for (const k of this.comments) if (!k.used) {
      this.out.push(indent + k.text);
      k.used = true;
    }
  }
}

function lineFinder(text: string): (off: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (off) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

// ---------------------------------------------------------------------------
// TITLE and option commands

function title(c: Extract<Command, { kind: 'Title' }>, text: string, out: string[]): void {
  // the original lines (with their comments), trimmed; the header word itself dropped
  const body = text.slice(c.span.start.offset, c.span.end.offset).replace(/^[^:]*:/, '');
  const lines = body.split(/\r\n|\r|\n/).map((l) => l.trim());
  while (lines.length && !lines[0]) lines.shift();
  while (lines.length && !lines[lines.length - 1]) lines.pop();
  out.push('TITLE:');
  for (const l of lines) out.push(l ? '  ' + l : '');
}

function options(c: OptionsCommand, p: Printer): void {
  p.out.push(`${c.name}:`);
  if (FLAG_COMMANDS.has(c.name) && c.options.length) {
    // OUTPUT: all flags in one statement
    const line = c.options.map((o) => (o.raw ? `${o.name} ${o.raw}` : o.name)).join(' ') + ';';
    const first = c.options[0].span;
    const last = c.options[c.options.length - 1].span;
    p.node({ start: first.start, end: last.end }, '  ', wrap(line, 0));
    return;
  }
  const flags = false;
  const width = Math.max(0, ...c.options.filter((o) => o.raw).map((o) => o.name.length));
  c.options.forEach((o, i) => {
    const next = c.options[i + 1]?.span.start.offset ?? Infinity;
    let line: string;
    if (!o.raw) line = `${o.name};`;
    else if (flags) line = `${o.name} ${o.raw};`;
    else line = `${o.name.padEnd(width)} = ${o.raw};`;
    p.node(o.span, '  ', wrap(line, flags ? 4 : width + 5), next);
  });
}

/** Wrap a long option line at blanks outside quotes; continuation lines are indented by `hang`. */
function wrap(line: string, hang: number): string[] {
  if (line.length + 2 <= WIDTH) return [line];
  const words = line.split(/("[^"]*"|\s+)/).filter((w) => w && !/^\s+$/.test(w));
  const out: string[] = [];
  let cur = '';
  for (const w of words) {
    const limit = WIDTH - 2 - (out.length ? hang : 0);
    if (cur && cur.length + 1 + w.length > limit) {
      out.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) out.push(cur);
  return out.map((l, i) => (i ? ' '.repeat(hang) + l : l));
}

// ---------------------------------------------------------------------------
// MODEL

function model(c: ModelCommand, p: Printer): void {
  const label = c.classLabel.length ? (c.variant === 'MODEL' ? ' ' : '-') + c.classLabel.join('.') : '';
  p.out.push(`${c.variant}${label}:`);
  // level markers at 2 spaces, class/overall markers under a level at 4, statements 2 deeper than their marker
  let stmtIndent = '  ';
  let level = false;
  const all: Array<{ span: Span; lines: string[]; section?: SectionMarker }> = [];
  for (const s of c.statements) all.push({ span: s.span, lines: modelStmt(s), section: s.kind === 'Section' ? s.section : undefined });
  for (const i of c.indirect ?? []) all.push({ span: i.span, lines: [`${varName(i.lhs)} ${i.kind.toUpperCase()} ${i.rhs.map(varName).join(' ')};`] });
  all.sort((a, b) => a.span.start.offset - b.span.start.offset);
  all.forEach((s, i) => {
    const next = all[i + 1]?.span.start.offset ?? Infinity;
    if (s.section) {
      const isLevel = s.section.kind === 'Within' || s.section.kind === 'Between';
      if (isLevel) level = true;
      const indent = isLevel || !level ? '  ' : '    ';
      stmtIndent = indent + '  ';
      p.node(s.span, indent, s.lines, next);
    } else p.node(s.span, stmtIndent, s.lines, next);
  });
}

function sectionText(s: SectionMarker): string {
  switch (s.kind) {
    case 'Within':
      return '%WITHIN%';
    case 'Between':
      return s.level ? `%BETWEEN ${s.level.toLowerCase()}%` : '%BETWEEN%';
    case 'Overall':
      return '%OVERALL%';
    default:
      return `%${s.classes.map((c) => `${c.variable}#${c.index}`).join('.')}%`;
  }
}

/** A statement as lines: parts keep the original line breaks (label scope). */
function modelStmt(s: ModelStatement): string[] {
  const w = new LineWriter();
  switch (s.kind) {
    case 'Section':
      return [sectionText(s.section)];
    case 'On':
    case 'By':
    case 'With':
    case 'Pon':
    case 'Pwith':
      list(w, s.lhs);
      w.add(s.kind.toUpperCase());
      parts(w, s.rhs);
      break;
    case 'Variance':
      parts(w, s.parts);
      break;
    case 'Mean':
    case 'Scale':
      bracketed(w, s.parts, s.kind === 'Mean' ? '[' : '{', s.kind === 'Mean' ? ']' : '}');
      break;
    case 'Random': {
      w.add(s.names.map(varName).join(' '));
      w.add('|');
      const b = s.body;
      if (b.kind === 'On' || b.kind === 'By') {
        list(w, b.lhs);
        w.add(b.kind.toUpperCase());
        list(w, b.rhs);
      } else if (b.kind === 'Xwith') w.add(`${varName(b.left)} XWITH ${varName(b.right)}`);
      else if (b.kind === 'Growth') parts(w, b.parts ?? b.items);
      else {
        list(w, b.items);
        w.add('AT');
        list(w, b.times);
      }
      break;
    }
  }
  return w.done(';');
}

class LineWriter {
  lines: string[] = [''];
  line = -1;
  add(text: string, line?: number): void {
    if (line !== undefined) {
      if (this.line >= 0 && line > this.line && this.lines[this.lines.length - 1]) this.lines.push('  ');
      this.line = line;
    }
    const cur = this.lines[this.lines.length - 1];
    this.lines[this.lines.length - 1] = cur && !/^\s+$/.test(cur) ? `${cur} ${text}` : cur + text;
  }
  /** append without a blank (closing brackets) */
  glue(text: string): void {
    this.lines[this.lines.length - 1] += text;
  }
  done(end: string): string[] {
    this.lines[this.lines.length - 1] += end;
    return this.lines;
  }
}

function list(w: LineWriter, l: VarList): void {
  for (const r of l) w.add(varRef(r), r.span.start.line);
}

function parts(w: LineWriter, ps: RhsPart[]): void {
  for (const p of ps) w.add(p.kind === 'Item' ? item(p) : labels(p), p.span.start.line);
}

function bracketed(w: LineWriter, ps: RhsPart[], open: string, close: string): void {
  let lastItem = -1;
  ps.forEach((p, i) => p.kind === 'Item' && (lastItem = i));
  w.add(open, ps[0]?.span.start.line);
  ps.forEach((p, i) => {
    const t = p.kind === 'Item' ? item(p) : labels(p);
    const cur = w.lines[w.lines.length - 1];
    if (cur.endsWith(open) && (w.line < 0 || p.span.start.line === w.line)) {
      w.glue(t);
      w.line = p.span.start.line;
    } else w.add(t, p.span.start.line);
    if (i === lastItem) w.glue(close);
  });
  if (lastItem < 0) w.glue(close);
}

function varName(v: VarName): string {
  return v.name + (v.classIndex !== undefined ? `#${v.classIndex}` : '') + (v.threshold !== undefined ? `$${v.threshold}` : '');
}

function varRef(r: VarRef): string {
  if (r.kind === 'Var') return varName(r);
  if (r.kind === 'All') return 'ALL';
  return `${varName(r.from)}-${varName(r.to)}`;
}

function num(v: number): string {
  return String(v);
}

function modifier(m: Modifier): string {
  if (m.kind === 'Fixed') return `@${num(m.value)}`;
  return m.value === null ? '*' : `*${num(m.value)}`;
}

function item(p: ParamItem): string {
  return varRef(p.target) + (p.modifier ? modifier(p.modifier) : '');
}

function labels(g: LabelGroup): string {
  const ls = g.labels.map((l) => (l.kind === 'Label' ? l.text : `${l.from}-${l.to}`));
  return `(${g.block ? '*' : ''}${ls.join(' ')})`;
}

// ---------------------------------------------------------------------------
// DEFINE, MODEL CONSTRAINT, MODEL TEST

function doHead(index: string, from: number, to: number): string {
  return index === '#' ? `DO (${from}, ${to})` : `DO (${index}, ${from}, ${to})`;
}

function defineStmt(s: DefineStatement): string[] {
  return [defineText(s)];
}

function defineText(s: DefineStatement): string {
  switch (s.kind) {
    case 'Assign':
      return `${s.target} = ${expr(s.expr)};`;
    case 'If':
      return `IF (${expr(s.cond)}) THEN ${s.target} = ${expr(s.expr)};`;
    case 'Cut':
      return `CUT ${s.vars.map(varRef).join(' ')} (${s.cuts.map(num).join(' ')});`;
    case 'Center':
      return `CENTER ${s.vars.map(varRef).join(' ')} (${s.mode});`;
    case 'Standardize':
      return `STANDARDIZE ${s.vars.map(varRef).join(' ')};`;
    case 'Do':
      return `${doHead(s.index, s.from, s.to)} ${s.body.map(defineText).join(' ')}`;
  }
}

function priorText(s: PriorStatement): string {
  const label = (l: PriorLabel) => (l.kind === 'Label' ? l.text : `${l.from}-${l.to}`);
  const targets = s.targets.map((t) => (t.kind === 'Function' ? `${t.fn}(${t.labels.map(label).join(' ')})` : label(t)));
  return `${targets.join(' ')} ~ ${s.dist}(${s.params.map(String).join(', ')});`;
}

function constraintStmt(s: ConstraintStatement): string[] {
  return [constraintText(s)];
}

function constraintText(s: ConstraintStatement): string {
  switch (s.kind) {
    case 'New':
      return `NEW (${s.params.map((p) => p.name + (p.start !== null ? `*${num(p.start)}` : '')).join(' ')});`;
    case 'Relation':
      return `${expr(s.left)} ${s.op} ${expr(s.right)};`;
    case 'Do':
      return `${doHead(s.index, s.from, s.to)} ${s.body.map(constraintText).join(' ')}`;
    case 'Plot':
    case 'Loop':
      return `${s.raw};`;
  }
}

const PREC: Record<string, number> = { OR: 1, AND: 2, EQ: 4, NE: 4, GT: 4, GE: 4, LT: 4, LE: 4, '+': 5, '-': 5, '*': 6, '/': 6, '**': 8 };

function prec(e: Expr): number {
  switch (e.kind) {
    case 'Binary':
      return PREC[e.op];
    case 'Unary':
      return e.op === 'NOT' ? 3 : 7;
    case 'Num':
      return e.value < 0 || Object.is(e.value, -0) ? 7 : 9;
    default:
      return 9;
  }
}

function paren(e: Expr, ok: boolean): string {
  return ok ? expr(e) : `(${expr(e)})`;
}

/** Print an expression with the parentheses needed to parse back to the same tree. */
export function expr(e: Expr): string {
  switch (e.kind) {
    case 'Num':
      return num(e.value);
    case 'Ref':
      return e.name;
    case 'Missing':
      return '_MISSING';
    case 'Range':
      return `${e.from}-${e.to}`;
    case 'Call':
      return `${e.fn}(${e.args.map(expr).join(', ')})`;
    case 'Unary':
      if (e.op === 'NOT') return `NOT ${paren(e.arg, prec(e.arg) === 9)}`;
      return `${e.op}${paren(e.arg, prec(e.arg) >= 7 && !(e.arg.kind === 'Num' && e.arg.value < 0) && e.arg.kind !== 'Unary')}`;
    case 'Binary': {
      const p = PREC[e.op];
      if (e.op === '**') return `${paren(e.left, prec(e.left) > 8)}**${paren(e.right, prec(e.right) >= 7)}`;
      if (p === 4) return `${paren(e.left, prec(e.left) > 4)} ${e.op} ${paren(e.right, prec(e.right) > 4)}`;
      return `${paren(e.left, prec(e.left) >= p)} ${e.op} ${paren(e.right, prec(e.right) > p)}`;
    }
  }
}
