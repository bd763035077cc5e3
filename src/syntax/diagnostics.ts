// Diagnostics shared by every stage: one type for problems a user must see.
//
// Every stage reports problems as Diagnostic objects. A stage that cannot go on
// throws a PlusmixError carrying one or more diagnostics; the CLI catches it,
// prints each as `file:line:col` + the offending line + caret + message, and
// exits 1. Nothing else may reach the user as an exception.

import type { Span } from './ast.js';

export type Severity = 'error' | 'warning' | 'note';

/** Where a problem is: a place in the input file, or a row/column of a data file. */
export type Location =
  | { kind: 'input'; file: string; span: Span }
  | { kind: 'data'; file: string; row: number; line?: number; column?: number; variable?: string }
  | { kind: 'file'; file: string }
  | { kind: 'none' };

export interface Diagnostic {
  severity: Severity;
  /** stable code, e.g. E_UNKNOWN_OPTION, W_LINE_GT_90 */
  code: string;
  /** Mplus command the problem belongs to (`VARIABLE`, `MODEL`, ...), when known */
  command?: string;
  message: string;
  location: Location;
}

export class PlusmixError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic | Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map((d) => d.message).join('\n'));
    this.name = 'PlusmixError';
    this.diagnostics = list;
  }
}

export function inputError(file: string, span: Span, code: string, message: string, command?: string): Diagnostic {
  return { severity: 'error', code, message, command, location: { kind: 'input', file, span } };
}

export function inputWarning(file: string, span: Span, code: string, message: string, command?: string): Diagnostic {
  return { severity: 'warning', code, message, command, location: { kind: 'input', file, span } };
}

export function dataError(file: string, row: number, message: string, extra: Partial<{ line: number; column: number; variable: string }> = {}, code = 'E_DATA'): Diagnostic {
  return { severity: 'error', code, message, location: { kind: 'data', file, row, ...extra } };
}

export function hasErrors(diags: Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}
