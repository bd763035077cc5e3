// Interpreting option values (OptionValue tokens) of DATA and VARIABLE as the
// lists Mplus means: variable lists with `a-b` ranges, `name (group)` items,
// and numeric lists where `a-b` is a range and `-9` a negative number.
//
// The lexer may deliver `y1-y5` either as word/symbol/word or as one word, and
// `-999` either as one number or as symbol + number; both shapes are accepted.
// Adjacency (no blank between tokens) is decided from the spans' offsets.

import type { OptionNode, OptionValue, Span, VarName, VarRef } from '../syntax/ast.js';
import { PlusmixError, inputError } from '../syntax/diagnostics.js';

export { findCommand, findOption } from '../syntax/query.js';

function varName(text: string, span: Span): VarName {
  return { name: text, upper: text.toUpperCase(), span };
}

function adjacent(a: OptionValue, b: OptionValue): boolean {
  return a.span.end.offset === b.span.start.offset;
}

function mergeSpan(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}

/** A run of variable references, optionally followed by a parenthesised group: `y1-y4 (-1)`, `c (2)`. */
export interface ListItem {
  refs: VarRef[];
  group?: { items: OptionValue[]; span: Span };
}

/**
 * Split option values into `refs (group)` items. Word tokens become variable references,
 * `a - b` (or a word `a-b`) a range, `ALL` the All reference.
 */
export function listItems(values: OptionValue[], file: string, command: string): ListItem[] {
  const out: ListItem[] = [];
  let cur: VarRef[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v.kind === 'group') {
      out.push({ refs: cur, group: { items: v.items, span: v.span } });
      cur = [];
      continue;
    }
    if (v.kind === 'word') {
      const next = values[i + 1];
      const after = values[i + 2];
      if (next && after && next.kind === 'symbol' && next.text === '-' && after.kind === 'word') {
        cur.push({ kind: 'Range', from: varName(v.text, v.span), to: varName(after.text, after.span), span: mergeSpan(v.span, after.span) });
        i += 2;
        continue;
      }
      if (v.upper === 'ALL') {
        cur.push({ kind: 'All', span: v.span });
        continue;
      }
      const dash = v.text.indexOf('-');
      if (dash > 0 && dash < v.text.length - 1) {
        cur.push({ kind: 'Range', from: varName(v.text.slice(0, dash), v.span), to: varName(v.text.slice(dash + 1), v.span), span: v.span });
        continue;
      }
      cur.push({ kind: 'Var', ...varName(v.text, v.span) });
      continue;
    }
    if (v.kind === 'symbol' && v.text === ',') continue;
    throw new PlusmixError(inputError(file, v.span, 'E_BAD_LIST', `Unexpected '${v.kind === 'number' ? v.text : v.kind === 'symbol' || v.kind === 'string' ? v.text : '?'}' in a variable list.`, command));
  }
  if (cur.length) out.push({ refs: cur });
  return out;
}

/** All references of a plain variable list (no groups allowed). */
export function plainList(opt: OptionNode, file: string, command: string): VarRef[] {
  const items = listItems(opt.values, file, command);
  const refs: VarRef[] = [];
  for (const it of items) {
    if (it.group) throw new PlusmixError(inputError(file, it.group.span, 'E_BAD_LIST', `${opt.written} takes a list of variables without parentheses.`, command));
    refs.push(...it.refs);
  }
  return refs;
}

export type NumericItem = { kind: 'value'; value: number; span: Span } | { kind: 'range'; lo: number; hi: number; span: Span };

/**
 * Numbers of a MISSING / KNOWNCLASS / CUT list. `98-102` (no blank before the hyphen) is an inclusive
 * range; `-9` after a blank, comma or `(` is a negative number (syntax.md §4.3).
 */
export function numericItems(items: OptionValue[], file: string, command: string): NumericItem[] {
  const out: NumericItem[] = [];
  let prev: OptionValue | undefined;
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (v.kind === 'symbol' && v.text === ',') {
      prev = v;
      continue;
    }
    if (v.kind === 'number') {
      const last = out[out.length - 1];
      // `98-102` lexed as 98 and -102
      if (last && last.kind === 'value' && prev && prev.kind === 'number' && adjacent(prev, v) && v.text.startsWith('-')) {
        out[out.length - 1] = { kind: 'range', lo: last.value, hi: -v.value, span: mergeSpan(last.span, v.span) };
      } else out.push({ kind: 'value', value: v.value, span: v.span });
      prev = v;
      continue;
    }
    if (v.kind === 'symbol' && (v.text === '-' || v.text === '+')) {
      const next = items[i + 1];
      if (!next || next.kind !== 'number') throw new PlusmixError(inputError(file, v.span, 'E_BAD_NUMBER', `Expected a number after '${v.text}'.`, command));
      const last = out[out.length - 1];
      if (v.text === '-' && last && last.kind === 'value' && prev && prev.kind === 'number' && adjacent(prev, v)) {
        out[out.length - 1] = { kind: 'range', lo: last.value, hi: next.value, span: mergeSpan(last.span, next.span) };
      } else {
        out.push({ kind: 'value', value: v.text === '-' ? -next.value : next.value, span: mergeSpan(v.span, next.span) });
      }
      prev = next;
      i++;
      continue;
    }
    if (v.kind === 'word') {
      // `1-3` may arrive as one word in some lexers
      const m = /^(-?\d*\.?\d+)-(-?\d*\.?\d+)$/.exec(v.text);
      if (m) {
        out.push({ kind: 'range', lo: Number(m[1]), hi: Number(m[2]), span: v.span });
        prev = v;
        continue;
      }
    }
    throw new PlusmixError(inputError(file, v.span, 'E_BAD_NUMBER', `Expected a number, found '${'text' in v ? v.text : '(...)'}'.`, command));
  }
  return out;
}

/** The value of an option as one word (`FORMAT = FREE`, `LISTWISE = ON`), upper-cased; undefined if absent. */
export function singleWord(opt: OptionNode | undefined): string | undefined {
  if (!opt) return undefined;
  return opt.raw.trim().replace(/;$/, '').trim().toUpperCase();
}

/** The text of a file-name option: quotes removed, the user's spelling kept. */
export function fileName(opt: OptionNode): string {
  const s = opt.values.find((v) => v.kind === 'string');
  if (s && s.kind === 'string' && opt.values.length === 1) return s.text;
  return opt.raw.trim().replace(/^"(.*)"$/s, '$1').trim();
}

/** A single integer option (`NOBSERVATIONS = 500`). */
export function integerOption(opt: OptionNode, file: string, command: string): number {
  const nums = opt.values.filter((v) => v.kind === 'number');
  if (nums.length !== 1 || opt.values.length !== 1 || !Number.isInteger((nums[0] as { value: number }).value) || (nums[0] as { value: number }).value < 0) {
    throw new PlusmixError(inputError(file, opt.valueSpan, 'E_BAD_VALUE', `${opt.written} needs one non-negative integer.`, command));
  }
  return (nums[0] as { value: number }).value;
}
