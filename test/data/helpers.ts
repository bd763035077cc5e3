// Hand-built AST nodes for data-stage tests (independent of the parser).
// `opt('NAMES', 'y1-y5 x')` tokenises the value text the way the option lexer
// does (words, numbers with the `-` rule of syntax.md §4.3, symbols, groups).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, DefineStatement, InputFile, OptionNode, OptionValue, OptionsCommand, Span, Expr, VarList } from '../../src/syntax/ast.js';
import { parseOrThrow } from '../../src/syntax/parse.js';

export const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

export function sp(a = 0, b = 0): Span {
  return { start: { offset: a, line: 1, col: a + 1 }, end: { offset: b, line: 1, col: b + 1 } };
}

function tokens(text: string, base: number): OptionValue[] {
  const out: OptionValue[] = [];
  const stack: OptionValue[][] = [out];
  const starts: number[] = [];
  const re = /\s+|("[^"]*")|((?:(?<![A-Za-z0-9_.)#$])[+-])?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_.#$&*]*)|(\()|(\))|([^\s])/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[0].trim() === '') continue;
    const s = base + m.index;
    const span = sp(s, s + m[0].length);
    const top = stack[stack.length - 1];
    if (m[1]) top.push({ kind: 'string', text: m[1].slice(1, -1), span });
    else if (m[2]) top.push({ kind: 'number', value: Number(m[2]), text: m[2], span });
    else if (m[3]) top.push({ kind: 'word', text: m[3], upper: m[3].toUpperCase(), span });
    else if (m[4]) {
      stack.push([]);
      starts.push(s);
    } else if (m[5]) {
      const items = stack.pop()!;
      const st = starts.pop()!;
      stack[stack.length - 1].push({ kind: 'group', items, span: sp(st, s + 1) });
    } else top.push({ kind: 'symbol', text: m[6], span });
  }
  return out;
}

export function opt(name: string, raw: string): OptionNode {
  return { kind: 'Option', name, written: name, nameSpan: sp(), known: true, values: tokens(raw, 100), raw, valueSpan: sp(100, 100 + raw.length), span: sp() };
}

export function cmd(name: OptionsCommand['name'], options: OptionNode[]): OptionsCommand {
  return { kind: 'Options', name, written: name, headerSpan: sp(), options, span: sp() };
}

export function input(commands: Command[], path = 'test.inp'): InputFile {
  return { kind: 'InputFile', path, text: '', commands, span: sp() };
}

/** An expression parsed by the real parser (as the right-hand side of a DEFINE assignment). */
export function expr(text: string): Expr {
  const ast = parseOrThrow(`DEFINE: x_ = ${text};\n`, 'expr.inp');
  const d = ast.commands.find((c) => c.kind === 'Define');
  if (!d || d.kind !== 'Define' || d.statements[0].kind !== 'Assign') throw new Error('not an expression: ' + text);
  return d.statements[0].expr;
}

/** Parse a whole input text with the real parser. */
export function parse(text: string, path = 'test.inp'): InputFile {
  return parseOrThrow(text, path);
}

export function vars(...names: string[]): VarList {
  return names.map((n) => {
    const d = n.indexOf('-');
    if (d > 0) return { kind: 'Range', from: { name: n.slice(0, d), upper: n.slice(0, d).toUpperCase(), span: sp() }, to: { name: n.slice(d + 1), upper: n.slice(d + 1).toUpperCase(), span: sp() }, span: sp() };
    return { kind: 'Var', name: n, upper: n.toUpperCase(), span: sp() };
  });
}

export const assign = (target: string, e: string): DefineStatement => ({ kind: 'Assign', target, targetSpan: sp(), expr: expr(e), span: sp() });

export function define(...statements: DefineStatement[]): Command {
  return { kind: 'Define', headerSpan: sp(), statements, span: sp() };
}

/** A temp folder holding `files`; returns its path. */
export function tempDir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'plusmix-data-'));
  for (const [k, v] of Object.entries(files)) writeFileSync(join(d, k), v);
  return d;
}

/** DATA + VARIABLE (+ extra commands) over a data file in `dir`. */
export function simpleInput(file: string, variable: Record<string, string>, data: Record<string, string> = {}, extra: Command[] = []): InputFile {
  return input([
    cmd('DATA', [opt('FILE', file), ...Object.entries(data).map(([k, v]) => opt(k, v))]),
    cmd('VARIABLE', Object.entries(variable).map(([k, v]) => opt(k, v))),
    ...extra,
  ]);
}
