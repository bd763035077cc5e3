// DEFINE (syntax.md §5): transformations of the data columns.
//
// Statements run one at a time over all rows, in textual order. For row-local
// statements that is the same as Mplus's row-by-row execution; for the
// whole-sample statements (CLUSTER_MEAN, CENTER, STANDARDIZE) it gives exactly
// the Mplus ordering rule: they see the results of every statement before them,
// and statements after them see their results.
//
// New variables (targets that are not yet columns) start as missing and are
// appended to the table in creation order, after the NAMES variables.

import type { DefineStatement, Expr, Span, VarList, VarRef } from '../syntax/ast.js';
import { PlusmixError, inputError } from '../syntax/diagnostics.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { expandPositional } from '../syntax/lists.js';
import { compile, columnIndex, type Table, type CompileContext } from './expr.js';

export interface DefineContext {
  file: string;
  /** 0-based cluster of each row (-1: cluster id missing), when VARIABLE: CLUSTER is given */
  clusterOf?: Int32Array;
  nClusters?: number;
}

export interface DefineResult {
  /** names of the variables DEFINE created, in creation order */
  created: string[];
  diagnostics: Diagnostic[];
}

/** Run DEFINE statements on `table` in place (new columns are appended). */
export function runDefine(statements: DefineStatement[], table: Table, ctx: DefineContext): DefineResult {
  const created: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const s of statements) runStatement(s, table, ctx, created, diagnostics);
  return { created, diagnostics };
}

/** Per-row mean of `values` within each row's cluster (missing values ignored; missing if the cluster has none). */
export function clusterMeans(values: Float64Array, clusterOf: Int32Array, nClusters: number): Float64Array {
  const sum = new Float64Array(nClusters);
  const cnt = new Float64Array(nClusters);
  for (let i = 0; i < values.length; i++) {
    const g = clusterOf[i];
    const x = values[i];
    if (g >= 0 && x === x) {
      sum[g] += x;
      cnt[g]++;
    }
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const g = clusterOf[i];
    out[i] = g >= 0 && cnt[g] > 0 ? sum[g] / cnt[g] : NaN;
  }
  return out;
}

/** Mean over the non-missing values (GRANDMEAN: for a BETWEEN variable this weights clusters by their size, as Mplus does). */
export function grandMean(values: Float64Array): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === x) {
      s += x;
      n++;
    }
  }
  return n ? s / n : NaN;
}

function compileContext(table: Table, ctx: DefineContext): CompileContext {
  return {
    table,
    file: ctx.file,
    command: 'DEFINE',
    clusterMean: ctx.clusterOf ? (values) => clusterMeans(values, ctx.clusterOf!, ctx.nClusters!) : undefined,
  };
}

function targetColumn(table: Table, name: string, span: Span, file: string, created: string[]): Float64Array {
  let j = columnIndex(table, name);
  if (j < 0) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new PlusmixError(inputError(file, span, 'E_BAD_NAME', `${name} is not a valid variable name.`, 'DEFINE'));
    table.names.push(name);
    table.cols.push(new Float64Array(table.nRows).fill(NaN));
    created.push(name);
    j = table.names.length - 1;
  }
  return table.cols[j];
}

function varColumns(vars: VarList, table: Table, file: string): Array<{ name: string; col: Float64Array }> {
  return expandPositional(vars, table.names, file, 'DEFINE').map((r) => {
    const j = columnIndex(table, r.name);
    if (j < 0) throw new PlusmixError(inputError(file, r.span, 'E_UNKNOWN_VARIABLE', `Unknown variable ${r.name} in DEFINE.`, 'DEFINE'));
    return { name: table.names[j], col: table.cols[j] };
  });
}

function runStatement(s: DefineStatement, table: Table, ctx: DefineContext, created: string[], diags: Diagnostic[]): void {
  const n = table.nRows;
  switch (s.kind) {
    case 'Assign': {
      const f = compile(s.expr, compileContext(table, ctx));
      const t = targetColumn(table, s.target, s.targetSpan, ctx.file, created);
      for (let i = 0; i < n; i++) t[i] = f(i);
      return;
    }
    case 'If': {
      const cc = compileContext(table, ctx);
      const c = compile(s.cond, cc);
      const f = compile(s.expr, cc);
      const t = targetColumn(table, s.target, s.targetSpan, ctx.file, created);
      for (let i = 0; i < n; i++) {
        const v = c(i);
        if (v !== v) t[i] = NaN; // the condition involves a missing value
        else if (v !== 0) t[i] = f(i);
      }
      return;
    }
    case 'Cut': {
      const cuts = [...s.cuts].sort((a, b) => a - b);
      for (const { col } of varColumns(s.vars, table, ctx.file)) {
        for (let i = 0; i < n; i++) {
          const x = col[i];
          if (x !== x) continue;
          let k = 0;
          while (k < cuts.length && x > cuts[k]) k++;
          col[i] = k;
        }
      }
      return;
    }
    case 'Center': {
      if (s.mode === 'GROUPMEAN' && !ctx.clusterOf) {
        throw new PlusmixError(inputError(ctx.file, s.span, 'E_NO_CLUSTER', 'CENTER ... (GROUPMEAN) requires the CLUSTER option of the VARIABLE command.', 'DEFINE'));
      }
      for (const { col } of varColumns(s.vars, table, ctx.file)) {
        if (s.mode === 'GRANDMEAN') {
          const m = grandMean(col);
          for (let i = 0; i < n; i++) col[i] -= m;
        } else {
          const cm = clusterMeans(col, ctx.clusterOf!, ctx.nClusters!);
          for (let i = 0; i < n; i++) col[i] -= cm[i];
        }
      }
      return;
    }
    case 'Standardize': {
      // z = (x - mean) / sd, sd with divisor n (Mplus sample statistics are ML estimates) [unverified for STANDARDIZE]
      for (const { name, col } of varColumns(s.vars, table, ctx.file)) {
        const m = grandMean(col);
        let ss = 0;
        let cnt = 0;
        for (let i = 0; i < n; i++) {
          const x = col[i];
          if (x === x) {
            ss += (x - m) * (x - m);
            cnt++;
          }
        }
        const sd = Math.sqrt(ss / cnt);
        if (!(sd > 0)) {
          diags.push({ severity: 'warning', code: 'W_STANDARDIZE_ZERO_VARIANCE', message: `STANDARDIZE: ${name} has no variance; its values were set to missing.`, command: 'DEFINE', location: { kind: 'input', file: ctx.file, span: s.span } });
        }
        for (let i = 0; i < n; i++) col[i] = sd > 0 ? (col[i] - m) / sd : NaN;
      }
      return;
    }
    case 'Do': {
      for (let k = s.from; k <= s.to; k++) for (const b of s.body) runStatement(substitute(b, s.index, k), table, ctx, created, diags);
      return;
    }
  }
}

// DO loops: `#` (or the loop's index symbol) in names is replaced by the loop value.
function sub(name: string, index: string, k: number): string {
  return name.split(index).join(String(k));
}

function substituteExpr(e: Expr, index: string, k: number): Expr {
  switch (e.kind) {
    case 'Ref': {
      const name = sub(e.name, index, k);
      return { ...e, name, upper: name.toUpperCase() };
    }
    case 'Range':
      return { ...e, from: sub(e.from, index, k), to: sub(e.to, index, k) };
    case 'Unary':
      return { ...e, arg: substituteExpr(e.arg, index, k) };
    case 'Binary':
      return { ...e, left: substituteExpr(e.left, index, k), right: substituteExpr(e.right, index, k) };
    case 'Call':
      return { ...e, args: e.args.map((a) => substituteExpr(a, index, k)) };
    default:
      return e;
  }
}

function substituteVars(vars: VarList, index: string, k: number): VarList {
  return vars.map((v): VarRef => {
    if (v.kind === 'Var') {
      const name = sub(v.name, index, k);
      return { ...v, name, upper: name.toUpperCase() };
    }
    if (v.kind === 'Range') {
      const f = sub(v.from.name, index, k);
      const t = sub(v.to.name, index, k);
      return { ...v, from: { ...v.from, name: f, upper: f.toUpperCase() }, to: { ...v.to, name: t, upper: t.toUpperCase() } };
    }
    return v;
  });
}

function substitute(s: DefineStatement, index: string, k: number): DefineStatement {
  switch (s.kind) {
    case 'Assign':
      return { ...s, target: sub(s.target, index, k), expr: substituteExpr(s.expr, index, k) };
    case 'If':
      return { ...s, target: sub(s.target, index, k), cond: substituteExpr(s.cond, index, k), expr: substituteExpr(s.expr, index, k) };
    case 'Cut':
    case 'Center':
    case 'Standardize':
      return { ...s, vars: substituteVars(s.vars, index, k) };
    case 'Do':
      return { ...s, body: s.body.map((b) => substitute(b, index, k)) };
  }
}
