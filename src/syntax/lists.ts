// Variable lists and the hyphen (syntax.md §1.9). Ranges are kept unexpanded in
// the AST because their meaning depends on context:
//  - NAMES (and MONTECARLO NAMES): by numeric suffix, `y1-y5`, `item01-item10`;
//  - other VARIABLE lists and DEFINE functions: positional in NAMES order (+ DEFINE variables);
//  - MODEL: positional in analysis-variable order (USEVARIABLES, then latent variables).

import type { VarRef, VarName, Span } from './ast.js';
import { PlusmixError, inputError } from './diagnostics.js';

const SUFFIX = /^(.*?)(\d+)$/;

/** Expand `y1-y5` by numeric suffix (NAMES rule). Keeps zero padding: `item01-item10`. */
export function expandBySuffix(from: string, to: string): string[] | null {
  const a = SUFFIX.exec(from);
  const b = SUFFIX.exec(to);
  if (!a || !b) return null;
  if (a[1].toUpperCase() !== b[1].toUpperCase()) return null;
  const lo = parseInt(a[2], 10);
  const hi = parseInt(b[2], 10);
  if (hi < lo) return null;
  const padded = a[2].length > 1 && a[2].startsWith('0');
  const width = padded ? Math.max(a[2].length, b[2].length) : 0;
  const out: string[] = [];
  for (let i = lo; i <= hi; i++) out.push(a[1] + (width ? String(i).padStart(width, '0') : String(i)));
  return out;
}

function nameText(v: VarName): string {
  return v.name + (v.classIndex !== undefined ? `#${v.classIndex}` : '') + (v.threshold !== undefined ? `$${v.threshold}` : '');
}

/** NAMES-style list: ranges by numeric suffix. Returns names with the user's spelling. */
export function expandNamesList(refs: VarRef[], file: string): string[] {
  const out: string[] = [];
  for (const r of refs) {
    if (r.kind === 'Var') out.push(nameText(r));
    else if (r.kind === 'Range') {
      const names = expandBySuffix(r.from.name, r.to.name);
      if (!names) {
        throw new PlusmixError(
          inputError(file, r.span, 'E_BAD_RANGE', `Cannot expand the list ${r.from.name}-${r.to.name}: both ends need the same prefix and a numeric suffix, the first not larger than the last.`, 'VARIABLE'),
        );
      }
      out.push(...names);
    } else {
      throw new PlusmixError(inputError(file, r.span, 'E_ALL_NOT_ALLOWED', 'ALL cannot be used in this list.', 'VARIABLE'));
    }
  }
  return out;
}

/**
 * Positional list: `a-d` selects every name of `order` from a to d inclusive (case-insensitive).
 * `ALL` selects all of `order`. Derived items (`u1$1-u4$1`, `c#1-c#3`) expand over their base names
 * when the base names are in `order`, or by numeric suffix for class/threshold indices.
 * Unknown names are returned as written (the caller reports them with their span).
 */
export function expandPositional(refs: VarRef[], order: string[], file: string, command = 'VARIABLE'): Array<{ name: string; span: Span }> {
  const upper = order.map((n) => n.toUpperCase());
  const out: Array<{ name: string; span: Span }> = [];
  for (const r of refs) {
    if (r.kind === 'Var') {
      out.push({ name: nameText(r), span: r.span });
      continue;
    }
    if (r.kind === 'All') {
      for (const n of order) out.push({ name: n, span: r.span });
      continue;
    }
    const { from, to } = r;
    // c#1-c#3 : same base, class indices
    if (from.classIndex !== undefined && to.classIndex !== undefined && from.upper === to.upper) {
      for (let k = from.classIndex; k <= to.classIndex; k++) out.push({ name: `${from.name}#${k}`, span: r.span });
      continue;
    }
    const i = upper.indexOf(from.upper);
    const j = upper.indexOf(to.upper);
    if (i < 0 || j < 0 || j < i) {
      const missing = i < 0 ? from.name : j < 0 ? to.name : null;
      const msg = missing
        ? `Unknown variable ${missing} in the list ${nameText(from)}-${nameText(to)}.`
        : `In the list ${nameText(from)}-${nameText(to)}, ${to.name} comes before ${from.name} in the variable order.`;
      throw new PlusmixError(inputError(file, r.span, 'E_BAD_RANGE', msg, command));
    }
    for (let k = i; k <= j; k++) {
      let n = order[k];
      if (from.threshold !== undefined) n += `$${from.threshold}`;
      if (from.classIndex !== undefined) n += `#${from.classIndex}`;
      out.push({ name: n, span: r.span });
    }
  }
  return out;
}
