// VARIABLE: MISSING (syntax.md §4.3).
//
//   MISSING ARE . ;            MISSING = *;          MISSING = BLANK;
//   MISSING ARE ALL (-999);    MISSING = ethnic (9 99) y1-y4 (-1) x (98-102);
//   MISSING = . ALL (-99);
//
// Symbols apply to every variable while reading; numeric codes are matched by
// exact numeric equality after parsing (so -999 matches -999.0), per variable.

import type { OptionNode, OptionValue } from '../syntax/ast.js';
import { PlusmixError, inputError } from '../syntax/diagnostics.js';
import { expandPositional } from '../syntax/lists.js';
import { listItems, numericItems, type NumericItem } from './options.js';

export interface MissingSpec {
  symbols: string[];
  blank: boolean;
  /** upper-case variable name -> codes */
  codes: Map<string, NumericItem[]>;
}

export function parseMissing(opt: OptionNode | undefined, names: string[], file: string): MissingSpec {
  const spec: MissingSpec = { symbols: [], blank: false, codes: new Map() };
  if (!opt) return spec;
  const rest: OptionValue[] = [];
  for (const v of opt.values) {
    if ((v.kind === 'symbol' || v.kind === 'word') && (v.text === '.' || v.text === '*')) {
      if (!spec.symbols.includes(v.text)) spec.symbols.push(v.text);
    } else if (v.kind === 'word' && v.upper === 'BLANK') spec.blank = true;
    else rest.push(v);
  }
  for (const item of listItems(rest, file, 'VARIABLE')) {
    if (!item.group) {
      throw new PlusmixError(inputError(file, item.refs[0].span, 'E_MISSING_SYNTAX', 'MISSING: a variable list must be followed by its missing-value codes in parentheses, e.g. y1-y4 (-1).', 'VARIABLE'));
    }
    // a symbol inside a variable's parentheses (`g (.)`): symbols are recognised while reading the
    // file, before values are assigned to variables, so it applies to every variable [ours]
    const numeric = item.group.items.filter((v) => {
      const isSymbol = (v.kind === 'symbol' || v.kind === 'word') && (v.text === '.' || v.text === '*');
      if (isSymbol && !spec.symbols.includes(v.text)) spec.symbols.push(v.text);
      return !isSymbol;
    });
    const nums = numericItems(numeric, file, 'VARIABLE');
    for (const r of expandPositional(item.refs, names, file)) {
      const up = r.name.toUpperCase();
      if (!names.some((n) => n.toUpperCase() === up)) {
        throw new PlusmixError(inputError(file, r.span, 'E_UNKNOWN_VARIABLE', `MISSING: ${r.name} is not a variable of the NAMES list.`, 'VARIABLE'));
      }
      const list = spec.codes.get(up) ?? [];
      list.push(...nums);
      spec.codes.set(up, list);
    }
  }
  return spec;
}

/** Replace numeric missing codes by NaN in place. */
export function applyMissingCodes(columns: Float64Array[], names: string[], spec: MissingSpec): void {
  names.forEach((n, j) => {
    const codes = spec.codes.get(n.toUpperCase());
    if (!codes || !codes.length) return;
    const col = columns[j];
    const values = codes.filter((c) => c.kind === 'value').map((c) => (c as { value: number }).value);
    const ranges = codes.filter((c) => c.kind === 'range') as Array<{ lo: number; hi: number }>;
    for (let i = 0; i < col.length; i++) {
      const x = col[i];
      if (x !== x) continue;
      let miss = false;
      for (let k = 0; k < values.length && !miss; k++) miss = x === values[k];
      for (let k = 0; k < ranges.length && !miss; k++) miss = x >= ranges[k].lo && x <= ranges[k].hi;
      if (miss) col[i] = NaN;
    }
  });
}
