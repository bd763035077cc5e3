// The parts of ANALYSIS and VARIABLE the model IR needs: TYPE keywords, class
// variables (CLASSES, KNOWNCLASS, BETWEEN for between-level class variables),
// WITHIN / BETWEEN lists (as written, for checks) and the LINK.
//
// Observed-variable order, scale and level come from the data stage
// (`DataColumn`); only what is *not* a data column is read here.

import type { InputFile, OptionValue, Span } from '../syntax/ast.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { inputError } from '../syntax/diagnostics.js';
import { resolveKeyword } from '../syntax/options.js';
import { findCommand, findOption } from '../syntax/query.js';

export interface ClassDecl {
  name: string; // upper case
  display: string;
  nClasses: number;
  level: 'within' | 'between';
  span: Span;
  known?: { variable: string; values: number[][] };
}

export interface ModelSettings {
  analysisType: Set<string>;
  typeSpan?: Span;
  classes: ClassDecl[];
}

const TYPE_WORDS = ['GENERAL', 'MIXTURE', 'TWOLEVEL', 'THREELEVEL', 'RANDOM', 'COMPLEX', 'BASIC', 'CROSSCLASSIFIED', 'EFA'];

/** Words of an option value outside parentheses, with `a - b` ranges kept as { from, to }. */
function wordItems(values: OptionValue[]): Array<{ upper: string; span: Span; to?: string }> {
  const out: Array<{ upper: string; span: Span; to?: string }> = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v.kind !== 'word') continue;
    const next = values[i + 1];
    const after = values[i + 2];
    if (next?.kind === 'symbol' && next.text === '-' && after?.kind === 'word') {
      out.push({ upper: v.upper, span: { start: v.span.start, end: after.span.end }, to: after.upper });
      i += 2;
    } else out.push({ upper: v.upper, span: v.span });
  }
  return out;
}

/** Numbers of a group, `-` + number read as a negative number, `a-b` with adjacent tokens as a range. */
function groupNumbers(items: OptionValue[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (v.kind === 'number') out.push(v.value);
    else if (v.kind === 'symbol' && v.text === '-' && items[i + 1]?.kind === 'number') {
      const n = (items[i + 1] as { value: number }).value;
      const prev = out.length ? items[i - 1] : undefined;
      if (prev && prev.kind === 'number' && prev.span.end.offset === v.span.start.offset) {
        const lo = out.pop()!;
        for (let k = lo; k <= n; k++) out.push(k);
      } else out.push(-n);
      i++;
    }
  }
  return out;
}

export function readSettings(ast: InputFile, diags: Diagnostic[]): ModelSettings {
  const file = ast.path;
  const analysis = findCommand(ast, 'ANALYSIS');
  // a Monte Carlo run has no VARIABLE command: CLASSES, BETWEEN ... are MONTECARLO options (syntax.md §1.2)
  const variable = findCommand(ast, 'VARIABLE') ?? findCommand(ast, 'MONTECARLO');
  const analysisType = new Set<string>();
  const typeOpt = findOption(analysis, 'TYPE');
  for (const v of typeOpt?.values ?? []) {
    if (v.kind !== 'word') continue;
    const r = resolveKeyword(v.upper, TYPE_WORDS);
    if (r.kind === 'match') analysisType.add(r.name);
    else diags.push(inputError(file, v.span, 'E_UNKNOWN_TYPE', `Unknown analysis TYPE ${v.text}.`, 'ANALYSIS'));
  }
  if (analysisType.size === 0) analysisType.add('GENERAL');

  const classes: ClassDecl[] = [];
  const classOpt = findOption(variable, 'CLASSES');
  if (classOpt) {
    const vals = classOpt.values;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (v.kind !== 'word') continue;
      const g = vals[i + 1];
      const n = g?.kind === 'group' ? groupNumbers(g.items) : [];
      if (n.length !== 1 || !Number.isInteger(n[0]) || n[0] < 1) {
        diags.push(inputError(file, v.span, 'E_BAD_CLASSES', `CLASSES: give the number of classes of ${v.text} in parentheses, e.g. ${v.text} (2).`, 'VARIABLE'));
        continue;
      }
      classes.push({ name: v.upper, display: v.text, nClasses: n[0], level: 'within', span: v.span });
      i++;
    }
  }
  const knownOpt = findOption(variable, 'KNOWNCLASS');
  if (knownOpt) {
    const vals = knownOpt.values;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (v.kind !== 'word') continue;
      const g = vals[i + 1];
      const cd = classes.find((c) => c.name === v.upper);
      if (!cd) {
        diags.push(inputError(file, v.span, 'E_KNOWNCLASS', `KNOWNCLASS names ${v.text}, which is not in CLASSES.`, 'VARIABLE'));
        continue;
      }
      if (g?.kind !== 'group') continue;
      i++;
      // `(grp = 1 2 3)`: one class per value; `(grp = 1 grp = 2-3)`: one class per `name =` part.
      const parts: Array<{ variable: string; items: OptionValue[] }> = [];
      for (let j = 0; j < g.items.length; j++) {
        const it = g.items[j];
        if (it.kind === 'word' && g.items[j + 1]?.kind === 'symbol' && (g.items[j + 1] as { text: string }).text === '=') {
          parts.push({ variable: it.upper, items: [] });
          j++;
        } else if (parts.length) parts[parts.length - 1].items.push(it);
      }
      if (!parts.length) {
        diags.push(inputError(file, g.span, 'E_KNOWNCLASS', `KNOWNCLASS ${v.text}: expected (variable = values).`, 'VARIABLE'));
        continue;
      }
      const values = parts.length === 1 ? groupNumbers(parts[0].items).map((x) => [x]) : parts.map((p) => groupNumbers(p.items));
      if (values.length !== cd.nClasses) {
        diags.push(inputError(file, g.span, 'E_KNOWNCLASS', `KNOWNCLASS ${v.text} lists ${values.length} classes but CLASSES gives ${cd.nClasses}.`, 'VARIABLE'));
      }
      cd.known = { variable: parts[0].variable, values };
    }
  }

  // A class variable listed in BETWEEN is a between-level class variable (syntax.md §4.2).
  for (const w of wordItems(findOption(variable, 'BETWEEN')?.values ?? [])) {
    const cd = classes.find((c) => c.name === w.upper);
    if (cd) cd.level = 'between';
  }
  return { analysisType, typeSpan: typeOpt?.valueSpan, classes };
}
