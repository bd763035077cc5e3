// Expressions over data columns: compilation of AST `Expr` nodes (DEFINE,
// USEOBSERVATIONS) to per-row closures.
//
// Missing-value rules (syntax.md §5): any missing operand of arithmetic or a
// function makes the result missing; domain errors (log of <= 0, sqrt of < 0,
// division by 0) give missing. Conditions are three-valued (1 true, 0 false,
// NaN unknown): a comparison with a missing operand is unknown, except the
// explicit tests `x EQ _MISSING` / `x NE _MISSING`; AND/OR follow Kleene logic
// (`false AND unknown` is false, `true OR unknown` is true).

import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type { Expr, Span } from '../syntax/ast.js';
import { PlusmixError, inputError } from '../syntax/diagnostics.js';
import { expandPositional } from '../syntax/lists.js';

/** Columns the expressions can refer to. Names are looked up upper-cased. */
export interface Table {
  names: string[];
  cols: Float64Array[];
  nRows: number;
}

export type RowFn = (i: number) => number;

export interface CompileContext {
  table: Table;
  file: string;
  command: string;
  /** returns the per-row values of CLUSTER_MEAN(arg) (computed by the caller over clusters) */
  clusterMean?: (values: Float64Array, span: Span) => Float64Array;
}

const FN1: Record<string, (x: number) => number> = {
  LOG: (x) => (x > 0 ? Math.log(x) : NaN),
  LOG10: (x) => (x > 0 ? Math.log10(x) : NaN),
  EXP: Math.exp,
  SQRT: (x) => (x >= 0 ? Math.sqrt(x) : NaN),
  ABS: Math.abs,
  SIN: Math.sin,
  COS: Math.cos,
  TAN: Math.tan,
  ASIN: (x) => Math.asin(x),
  ACOS: (x) => Math.acos(x),
  ATAN: Math.atan,
  PHI: (x) => normalCdf(x, 0, 1),
};

export function columnIndex(table: Table, name: string): number {
  const up = name.toUpperCase();
  for (let j = 0; j < table.names.length; j++) if (table.names[j].toUpperCase() === up) return j;
  return -1;
}

function isMissingLit(e: Expr): boolean {
  return e.kind === 'Missing';
}

/** Compile an expression to a function of the row index. */
export function compile(e: Expr, ctx: CompileContext): RowFn {
  switch (e.kind) {
    case 'Num': {
      const v = e.value;
      return () => v;
    }
    case 'Missing':
      return () => NaN;
    case 'Ref': {
      const j = columnIndex(ctx.table, e.name);
      if (j < 0) throw new PlusmixError(inputError(ctx.file, e.span, 'E_UNKNOWN_VARIABLE', `Unknown variable ${e.name} in ${ctx.command}.`, ctx.command));
      const col = ctx.table.cols[j];
      return (i) => col[i];
    }
    case 'Range':
      throw new PlusmixError(inputError(ctx.file, e.span, 'E_BAD_EXPR', `A list ${e.from}-${e.to} is only allowed inside SUM, MEAN or CLUSTER_MEAN.`, ctx.command));
    case 'Unary': {
      const a = compile(e.arg, ctx);
      if (e.op === '-') return (i) => -a(i);
      if (e.op === '+') return a;
      return (i) => {
        const x = a(i);
        return x !== x ? NaN : x ? 0 : 1;
      };
    }
    case 'Binary':
      return compileBinary(e, ctx);
    case 'Call':
      return compileCall(e, ctx);
  }
}

function compileBinary(e: Extract<Expr, { kind: 'Binary' }>, ctx: CompileContext): RowFn {
  // explicit missing tests
  if ((e.op === 'EQ' || e.op === 'NE') && (isMissingLit(e.left) || isMissingLit(e.right))) {
    const other = compile(isMissingLit(e.left) ? e.right : e.left, ctx);
    return e.op === 'EQ' ? (i) => (other(i) !== other(i) ? 1 : 0) : (i) => (other(i) !== other(i) ? 0 : 1);
  }
  const a = compile(e.left, ctx);
  const b = compile(e.right, ctx);
  switch (e.op) {
    case '+':
      return (i) => a(i) + b(i);
    case '-':
      return (i) => a(i) - b(i);
    case '*':
      return (i) => a(i) * b(i);
    case '/':
      return (i) => {
        const d = b(i);
        return d === 0 ? NaN : a(i) / d;
      };
    case '**':
      return (i) => {
        const r = Math.pow(a(i), b(i));
        return Number.isFinite(r) ? r : NaN;
      };
    case 'EQ':
      return cmp(a, b, (x, y) => x === y);
    case 'NE':
      return cmp(a, b, (x, y) => x !== y);
    case 'GT':
      return cmp(a, b, (x, y) => x > y);
    case 'GE':
      return cmp(a, b, (x, y) => x >= y);
    case 'LT':
      return cmp(a, b, (x, y) => x < y);
    case 'LE':
      return cmp(a, b, (x, y) => x <= y);
    case 'AND':
      return (i) => {
        const x = a(i);
        if (x === 0) return 0;
        const y = b(i);
        if (y === 0) return 0;
        return x !== x || y !== y ? NaN : 1;
      };
    case 'OR':
      return (i) => {
        const x = a(i);
        if (x === x && x !== 0) return 1;
        const y = b(i);
        if (y === y && y !== 0) return 1;
        return x !== x || y !== y ? NaN : 0;
      };
  }
}

function cmp(a: RowFn, b: RowFn, f: (x: number, y: number) => boolean): RowFn {
  return (i) => {
    const x = a(i);
    const y = b(i);
    return x !== x || y !== y ? NaN : f(x, y) ? 1 : 0;
  };
}

/** Expand the arguments of SUM / MEAN / CLUSTER_MEAN (`y1-y5` is positional in the table order). */
function argColumns(e: Extract<Expr, { kind: 'Call' }>, ctx: CompileContext): RowFn[] {
  const out: RowFn[] = [];
  for (const a of e.args) {
    if (a.kind === 'Range') {
      const refs = expandPositional(
        [{ kind: 'Range', from: { name: a.from, upper: a.from.toUpperCase(), span: a.span }, to: { name: a.to, upper: a.to.toUpperCase(), span: a.span }, span: a.span }],
        ctx.table.names,
        ctx.file,
        ctx.command,
      );
      for (const r of refs) out.push(compile({ kind: 'Ref', name: r.name, upper: r.name.toUpperCase(), span: a.span }, ctx));
    } else out.push(compile(a, ctx));
  }
  return out;
}

function compileCall(e: Extract<Expr, { kind: 'Call' }>, ctx: CompileContext): RowFn {
  const fn = e.fn.toUpperCase();
  const f1 = FN1[fn];
  if (f1) {
    if (e.args.length !== 1) throw new PlusmixError(inputError(ctx.file, e.span, 'E_BAD_EXPR', `${fn} takes one argument.`, ctx.command));
    const a = compile(e.args[0], ctx);
    return (i) => {
      const x = a(i);
      if (x !== x) return NaN;
      const r = f1(x);
      return Number.isFinite(r) ? r : NaN;
    };
  }
  if (fn === 'SUM') {
    const args = argColumns(e, ctx);
    return (i) => {
      let s = 0;
      for (let k = 0; k < args.length; k++) s += args[k](i); // NaN propagates: missing if any argument is missing
      return s;
    };
  }
  if (fn === 'MEAN') {
    const args = argColumns(e, ctx);
    return (i) => {
      let s = 0;
      let n = 0;
      for (let k = 0; k < args.length; k++) {
        const x = args[k](i);
        if (x === x) {
          s += x;
          n++;
        }
      }
      return n ? s / n : NaN;
    };
  }
  if (fn === 'CLUSTER_MEAN') {
    if (!ctx.clusterMean) throw new PlusmixError(inputError(ctx.file, e.span, 'E_NO_CLUSTER', 'CLUSTER_MEAN requires the CLUSTER option of the VARIABLE command.', ctx.command));
    const args = argColumns(e, ctx);
    if (args.length !== 1) throw new PlusmixError(inputError(ctx.file, e.span, 'E_BAD_EXPR', 'CLUSTER_MEAN takes one variable.', ctx.command));
    const vals = new Float64Array(ctx.table.nRows);
    for (let i = 0; i < vals.length; i++) vals[i] = args[0](i);
    const means = ctx.clusterMean(vals, e.span);
    return (i) => means[i];
  }
  throw new PlusmixError(inputError(ctx.file, e.span, 'E_UNKNOWN_FUNCTION', `Unknown function ${e.fn} in ${ctx.command}.`, ctx.command));
}
