// CST -> AST for option commands (DATA, VARIABLE, ANALYSIS, OUTPUT, SAVEDATA,
// PLOT, MONTECARLO, DATA WIDETOLONG ...): `NAME [=|IS|ARE] values ;`.
import type { CstNode, IToken } from 'chevrotain';
import type { OptionNode, OptionValue, OptionsCommandName, Span } from './ast.js';
import { ordered, isToken, startOf, endOf } from './cst.js';
import type { Ctx } from './context.js';
import { FLAG_COMMANDS, optionSpec, resolveOption, resolveValue } from './options.js';

interface Val {
  v: OptionValue;
  start: number;
  end: number;
}

/** Convert an option-command body CST into option nodes. */
export function visitOptionsBody(ctx: Ctx, cst: CstNode, command: OptionsCommandName): OptionNode[] {
  // Split the flat value stream into statements at `;`.
  const statements: Array<{ vals: Val[]; semi: boolean }> = [];
  let cur: Val[] = [];
  for (const { key, el } of ordered(cst)) {
    if (key === 'OSemi') {
      statements.push({ vals: cur, semi: true });
      cur = [];
    } else {
      const v = valueOf(ctx, el as CstNode);
      if (v) cur.push(v);
    }
  }
  if (cur.length) statements.push({ vals: cur, semi: false });

  const out: OptionNode[] = [];
  for (const st of statements) {
    if (!st.vals.length) continue;
    const pieces = FLAG_COMMANDS.has(command) ? splitFlags(st.vals) : splitMissingSemicolons(ctx, st.vals, command);
    pieces.forEach((piece, i) => {
      const opt = makeOption(ctx, piece, command);
      if (opt) out.push(opt);
      if (!st.semi && i === pieces.length - 1) {
        const last = piece[piece.length - 1];
        ctx.warn(ctx.span(last.end, last.end), 'W_MISSING_SEMICOLON', opt ? `Missing ';' at the end of the ${opt.name} option in ${command} command.` : `Missing ';' at the end of ${command} command.`, command);
      }
    });
  }
  return out;
}

/** OUTPUT-like commands: every word is a flag; groups, numbers and `=` attach to the previous flag. */
function splitFlags(vals: Val[]): Val[][] {
  const out: Val[][] = [];
  for (const v of vals) {
    if (v.v.kind === 'word' && !/^(IS|ARE)$/i.test(v.v.text)) out.push([v]);
    else if (out.length) out[out.length - 1].push(v);
    else out.push([v]);
  }
  return out;
}

/**
 * `TYPE = MIXTURE  STARTS = 0;` (a forgotten `;`): a known option name of this
 * command followed by `=`/IS/ARE inside a value list starts a new option. Report
 * it and recover by splitting there.
 */
function splitMissingSemicolons(ctx: Ctx, vals: Val[], command: OptionsCommandName): Val[][] {
  const out: Val[][] = [];
  let start = 0;
  for (let i = 2; i < vals.length - 1; i++) {
    const w = vals[i].v;
    const next = vals[i + 1].v;
    const assign = (next.kind === 'symbol' && next.text === '=') || (next.kind === 'word' && /^(IS|ARE)$/i.test(next.text));
    if (!assign || w.kind !== 'word') continue;
    const r = resolveOption(command, w.text);
    if (r.kind !== 'match') continue;
    // `USEOBSERVATIONS = x == 1`, `KNOWNCLASS = c (g = 1)`: only top-level words that are option names split.
    out.push(vals.slice(start, i));
    ctx.error(ctx.span(vals[i].start, vals[i].end), 'E_MISSING_SEMICOLON', `Missing ';' before ${w.text.toUpperCase()} in ${command} command.`, command);
    start = i;
  }
  out.push(vals.slice(start));
  return out;
}

function makeOption(ctx: Ctx, vals: Val[], command: OptionsCommandName): OptionNode | null {
  const first = vals[0];
  if (first.v.kind !== 'word') {
    ctx.error(ctx.span(first.start, first.end), 'E_OPTION_EXPECTED', `Expected an option name in ${command} command, found '${ctx.masked.slice(first.start, first.end)}'.`, command);
    return null;
  }
  const written = first.v.text;
  const r = resolveOption(command, written);
  const name = r.kind === 'match' ? r.name : written.toUpperCase();
  let rest = vals.slice(1);
  if (rest.length) {
    const a = rest[0].v;
    if ((a.kind === 'symbol' && a.text === '=') || (a.kind === 'word' && /^(IS|ARE)$/i.test(a.text))) rest = rest.slice(1);
  }
  const spec = r.kind === 'match' ? optionSpec(command, r.name) : undefined;
  const values = rest.map((x) => x.v);
  if (spec?.values) canonicalValues(values, spec);
  const nameSpan = ctx.span(first.start, first.end);
  const valueSpan = rest.length ? ctx.span(rest[0].start, rest[rest.length - 1].end) : ctx.span(first.end, first.end);
  const raw = rest.length ? collapseBlanks(ctx.masked.slice(rest[0].start, rest[rest.length - 1].end)) : '';
  const endOff = vals[vals.length - 1].end;
  return {
    kind: 'Option',
    name,
    written,
    nameSpan,
    known: r.kind === 'match',
    values,
    raw,
    valueSpan,
    span: ctx.span(first.start, endOff),
  };
}

/** Replace `upper` of enumerated keyword values by their canonical form (`MIXT` -> `MIXTURE`). */
function canonicalValues(values: OptionValue[], spec: NonNullable<ReturnType<typeof optionSpec>>): void {
  for (const v of values) {
    if (v.kind !== 'word') continue;
    const r = resolveValue(spec, v.text);
    if (r.kind === 'match') v.upper = r.name;
  }
}

function valueOf(ctx: Ctx, node: CstNode): Val | null {
  const start = startOf(node);
  const end = endOf(node);
  if (Number.isNaN(start)) return null;
  const kids = ordered(node);
  if (!kids.length) return null;
  const el = kids[0].el;
  if (!isToken(el)) return groupOf(ctx, el);
  return { v: tokenValue(ctx, el), start, end: Number.isNaN(end) ? start + el.image.length : end };
}

function groupOf(ctx: Ctx, node: CstNode): Val | null {
  const start = startOf(node);
  let end = endOf(node);
  const items: OptionValue[] = [];
  for (const { key, el } of ordered(node)) {
    if (key === 'value') {
      const v = valueOf(ctx, el as CstNode);
      if (v) {
        items.push(v.v);
        if (Number.isNaN(end) || v.end > end) end = v.end;
      }
    } else if (key === 'OSemi') {
      const t = el as IToken;
      items.push({ kind: 'symbol', text: ';', span: ctx.tokSpan(t) });
    }
  }
  if (Number.isNaN(start)) return null;
  if (Number.isNaN(end)) end = start + 1;
  return { v: { kind: 'group', items, span: ctx.span(start, end) }, start, end };
}

function tokenValue(ctx: Ctx, t: IToken): OptionValue {
  const span: Span = ctx.tokSpan(t);
  switch (t.tokenType.name) {
    case 'ONumber': {
      const value = Number(t.image.replace(/[dD]/, 'e'));
      return { kind: 'number', value, text: t.image, span };
    }
    case 'OString':
      return { kind: 'string', text: t.image.slice(1, -1), span };
    case 'OWord':
    case 'OK1':
      return { kind: 'word', text: t.image, upper: t.image.toUpperCase(), span };
    default:
      return { kind: 'symbol', text: t.image, span };
  }
}

/** Runs of blanks and line breaks become one space, except inside double quotes. */
export function collapseBlanks(s: string): string {
  return s
    .split(/("[^"\n]*")/)
    .map((part, i) => (i % 2 ? part : part.replace(/\s+/g, ' ')))
    .join('')
    .trim();
}
