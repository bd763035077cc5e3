// Syntax records -> AST for expression bodies: DEFINE, MODEL CONSTRAINT, MODEL TEST.
import type { IToken } from 'chevrotain';
import type { ConstraintStatement, DefineStatement, Expr, Span, VarList } from './ast.js';
import type { EBodyRec, EDoArgRec, EExprRec, ENameRec, EOperandRec, EPrimaryRec, EStatementRec } from '../../grammar/parsers.js';
import * as T from '../../grammar/tokens.js';
import { real } from './cst.js';
import type { Ctx } from './context.js';
import { resolveKeyword } from './options.js';

type BinOp = Extract<Expr, { kind: 'Binary' }>['op'];

/** Functions whose arguments are variable lists (`MEAN(y1-y5)`, `SUM(y1 y3 y5)`): `a-b` is a range there. */
const LIST_FUNCTIONS = new Set(['MEAN', 'SUM']);

/** Comparison operators (token names) */
const CMP = new Set(['EEqKw', 'ENeKw', 'EGtKw', 'EGeKw', 'ELtKw', 'ELeKw', 'EEqEq', 'ENeOp', 'EGt', 'EGe', 'ELt', 'ELe']);
/** Symbolic comparisons written at the top of a MODEL CONSTRAINT statement are relations. */
const RELATION: Record<string, '=' | '<' | '>' | '<=' | '>='> = { EEqEq: '=', ELt: '<', EGt: '>', ELe: '<=', EGe: '>=', ELtKw: '<', EGtKw: '>', ELeKw: '<=', EGeKw: '>=' };

function nodeSpan(ctx: Ctx, n: { start: number; end: number }): Span {
  return ctx.span(n.start, Number.isNaN(n.end) ? n.start : n.end);
}

function valid<R extends { start: number }>(n: R | undefined): n is R {
  return !!n && !Number.isNaN(n.start);
}

/** The last statement that read anything: a missing `;` there is only a warning. */
function lastIndex(body: EBodyRec): number {
  let last = body.length - 1;
  while (last >= 0 && Number.isNaN(body[last].start)) last--;
  return last;
}

// ---------------------------------------------------------------------------
// Statements

export function visitDefineBody(ctx: Ctx, body: EBodyRec): DefineStatement[] {
  const out: DefineStatement[] = [];
  const last = lastIndex(body);
  for (let i = 0; i < body.length; i++) {
    const s = defineStatement(ctx, body[i], i === last);
    if (s) out.push(s);
  }
  return out;
}

function checkSemi(ctx: Ctx, n: { semi: IToken | undefined; start: number; end: number }, command: string, isLast: boolean): void {
  // statements ending in a nested statement (IF, DO) carry the `;` in the nested one
  if (real(n.semi)) return;
  const end = n.end;
  if (ctx.syntaxErrorIn(n.start, end + 1)) return;
  const at = ctx.span(end, end);
  if (isLast) ctx.warn(at, 'W_MISSING_SEMICOLON', `Missing ';' at the end of the last statement of ${command} command.`, command);
  else ctx.error(at, 'E_MISSING_SEMICOLON', `Missing ';' after this statement in ${command} command.`, command);
}

function defineStatement(ctx: Ctx, st: EStatementRec | undefined, isLast: boolean): DefineStatement | null {
  const C = 'DEFINE';
  if (!st) return null;
  const span = nodeSpan(ctx, st);
  switch (st.kind) {
    case 'if': {
      const cond = exprOf(ctx, st.cond);
      const body = defineStatement(ctx, st.then, isLast);
      if (!cond || !body) return null;
      if (body.kind !== 'Assign') {
        ctx.error(body.span, 'E_DEFINE_SYNTAX', 'IF (...) THEN must be followed by one assignment: IF (x EQ 1) THEN y = 2;', C);
        return null;
      }
      return { kind: 'If', cond, target: body.target, targetSpan: body.targetSpan, expr: body.expr, span };
    }
    case 'do': {
      const d = doArgs(ctx, st.args, span, C);
      const body = defineStatement(ctx, st.then, isLast);
      if (!d || !body) return null;
      return { kind: 'Do', index: d.index, from: d.from, to: d.to, body: [body], span };
    }
    case 'cut': {
      checkSemi(ctx, st, C, isLast);
      const vars = nameList(ctx, st.names);
      const cuts: number[] = [];
      let sign = 1;
      for (const t of st.cuts) {
        if (!real(t)) continue;
        if (t.tokenType === T.EMinus) sign = -1;
        else {
          cuts.push(sign * Number(t.image));
          sign = 1;
        }
      }
      if (!cuts.length) ctx.error(span, 'E_DEFINE_SYNTAX', 'CUT needs cut points in parentheses: CUT y (30 40);', C);
      return { kind: 'Cut', vars, cuts, span };
    }
    case 'center': {
      checkSemi(ctx, st, C, isLast);
      const vars = nameList(ctx, st.names);
      const modeTok = st.modes.find((t) => real(t));
      const r = modeTok ? resolveKeyword(modeTok.image, ['GRANDMEAN', 'GROUPMEAN']) : { kind: 'none' as const };
      if (r.kind !== 'match') {
        ctx.error(modeTok ? ctx.tokSpan(modeTok) : span, 'E_DEFINE_SYNTAX', 'CENTER needs (GRANDMEAN) or (GROUPMEAN).', C);
        return null;
      }
      return { kind: 'Center', vars, mode: r.name as 'GRANDMEAN' | 'GROUPMEAN', span };
    }
    case 'standardize':
      checkSemi(ctx, st, C, isLast);
      return { kind: 'Standardize', vars: nameList(ctx, st.names), span };
    case 'new':
      ctx.error(span, 'E_DEFINE_SYNTAX', 'NEW can only be used in MODEL CONSTRAINT.', C);
      return null;
    case 'expr': {
      checkSemi(ctx, st, C, isLast);
      const { left, right } = splitAssign(ctx, st.expr);
      if (!left) return null;
      if (!right) {
        ctx.error(span, 'E_DEFINE_SYNTAX', "Expected an assignment 'name = expression;' in DEFINE command.", C);
        return null;
      }
      if (left.kind !== 'Ref') {
        ctx.error(left.span, 'E_DEFINE_SYNTAX', 'The left side of a DEFINE assignment must be a variable name.', C);
        return null;
      }
      return { kind: 'Assign', target: left.name, targetSpan: left.span, expr: right, span };
    }
  }
}

export function visitConstraintBody(ctx: Ctx, body: EBodyRec, command: string): ConstraintStatement[] {
  const out: ConstraintStatement[] = [];
  const last = lastIndex(body);
  for (let i = 0; i < body.length; i++) {
    const s = constraintStatement(ctx, body[i], command, i === last);
    if (s) out.push(s);
  }
  return out;
}

function constraintStatement(ctx: Ctx, st: EStatementRec | undefined, command: string, isLast: boolean): ConstraintStatement | null {
  if (!st) return null;
  const span = nodeSpan(ctx, st);
  if (st.kind === 'new') {
    checkSemi(ctx, st, command, isLast);
    const params: Array<{ name: string; upper: string; start: number | null; span: Span }> = [];
    // NEW (a*0.5 b c): walk tokens in order
    let pending: { name: string; upper: string; start: number | null; span: Span } | null = null;
    let sign = 1;
    for (const t of st.toks) {
      if (!real(t)) continue;
      if (t.tokenType === T.EIdent) {
        pending = { name: t.image, upper: t.image.toUpperCase(), start: null, span: ctx.tokSpan(t) };
        params.push(pending);
        sign = 1;
      } else if (t.tokenType === T.EMinus) sign = -1;
      else if (pending) {
        pending.start = sign * Number(t.image.replace(/[dD]/, 'e'));
        pending.span = ctx.span(pending.span.start.offset, t.startOffset + t.image.length);
      }
    }
    if (command === 'MODEL TEST') ctx.error(span, 'E_CONSTRAINT_SYNTAX', 'NEW can only be used in MODEL CONSTRAINT.', command);
    return { kind: 'New', params, span };
  }
  if (st.kind === 'do') {
    const d = doArgs(ctx, st.args, span, command);
    const body = constraintStatement(ctx, st.then, command, isLast);
    if (!d || !body) return null;
    return { kind: 'Do', index: d.index, from: d.from, to: d.to, body: [body], span };
  }
  if (st.kind !== 'expr') {
    ctx.error(span, 'E_CONSTRAINT_SYNTAX', `This statement is not allowed in ${command} (only NEW, DO, relations and PLOT/LOOP).`, command);
    return null;
  }
  checkSemi(ctx, st, command, isLast);
  const { left, right } = splitAssign(ctx, st.expr);
  if (!left) return null;
  if (right) return { kind: 'Relation', op: '=', left, right, span };
  // `a > 0;` `p1 == p2`: the comparison was parsed inside the expression
  const rel = topRelation(st.expr);
  if (rel && left.kind === 'Binary') return { kind: 'Relation', op: rel, left: left.left, right: left.right, span };
  if (left.kind === 'Call' && (left.fn === 'PLOT' || left.fn === 'LOOP')) {
    const raw = ctx.masked.slice(span.start.offset, span.end.offset).replace(/;\s*$/, '').replace(/\s+/g, ' ').trim();
    return { kind: left.fn === 'PLOT' ? 'Plot' : 'Loop', raw, span };
  }
  ctx.error(span, 'E_CONSTRAINT_SYNTAX', `Expected a relation such as 'a = b*2;', '0 = a - b;' or 'a > 0;' in ${command}.`, command);
  return null;
}

/** The relation operator when the expression `n` is `a <op> b` with a comparison at its top. */
function topRelation(n: EExprRec | undefined): '=' | '<' | '>' | '<=' | '>=' | null {
  if (!n) return null;
  const ops = n.ops.filter((t) => real(t));
  // the top operator is the loosest one; comparisons are looser than arithmetic
  const cmp = ops.filter((t) => CMP.has(t.tokenType.name));
  if (cmp.length !== 1 || ops.some((t) => t.tokenType.name === 'EAnd' || t.tokenType.name === 'EOr')) return null;
  return RELATION[cmp[0].tokenType.name] ?? null;
}

function doArgs(ctx: Ctx, args: EDoArgRec[], span: Span, command: string): { index: string; from: number; to: number } | null {
  const vals: Array<string | number> = args.map((a) => {
    const id = real(a.ident);
    if (id) return id.image;
    const n = real(a.num);
    return n ? (real(a.minus) ? -1 : 1) * Number(n.image) : NaN;
  });
  let index = '#';
  if (vals.length === 3 && typeof vals[0] === 'string') index = vals.shift() as string;
  if (vals.length !== 2 || typeof vals[0] !== 'number' || typeof vals[1] !== 'number' || !Number.isInteger(vals[0]) || !Number.isInteger(vals[1])) {
    ctx.error(span, 'E_DO_SYNTAX', 'DO needs two integer bounds: DO (1, 5) ... or DO (#, 1, 5) ...', command);
    return null;
  }
  if (index !== '#' && index !== '$') {
    ctx.error(span, 'E_DO_SYNTAX', `The DO loop index must be # or $, not ${index}.`, command);
    return null;
  }
  return { index, from: vals[0], to: vals[1] };
}

function nameList(ctx: Ctx, names: ENameRec[]): VarList {
  const out: VarList = [];
  for (const n of names) {
    const f = real(n.from);
    if (!f) continue;
    const to = real(n.to);
    const vf = { name: f.image, upper: f.image.toUpperCase(), span: ctx.tokSpan(f) };
    if (to) out.push({ kind: 'Range', from: vf, to: { name: to.image, upper: to.image.toUpperCase(), span: ctx.tokSpan(to) }, span: ctx.span(f.startOffset, to.startOffset + to.image.length) });
    else if (f.image.toUpperCase() === 'ALL') out.push({ kind: 'All', span: vf.span });
    else out.push({ kind: 'Var', ...vf });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Expressions

/** Convert an `expr` record (e.g. a USEOBSERVATIONS condition) to an expression. */
export function exprToAst(ctx: Ctx, n: EExprRec | undefined): Expr | null {
  return exprOf(ctx, n);
}

/** Binding power of binary operators (higher binds tighter). */
const BIN: Record<string, { op: BinOp; prec: number }> = {
  EOr: { op: 'OR', prec: 1 },
  EAnd: { op: 'AND', prec: 2 },
  EEqKw: { op: 'EQ', prec: 4 }, ENeKw: { op: 'NE', prec: 4 }, EGtKw: { op: 'GT', prec: 4 }, EGeKw: { op: 'GE', prec: 4 }, ELtKw: { op: 'LT', prec: 4 }, ELeKw: { op: 'LE', prec: 4 },
  EEqEq: { op: 'EQ', prec: 4 }, EAssign: { op: 'EQ', prec: 4 }, ENeOp: { op: 'NE', prec: 4 }, EGt: { op: 'GT', prec: 4 }, EGe: { op: 'GE', prec: 4 }, ELt: { op: 'LT', prec: 4 }, ELe: { op: 'LE', prec: 4 },
  EPlus: { op: '+', prec: 5 }, EMinus: { op: '-', prec: 5 },
  EStar: { op: '*', prec: 6 }, ESlash: { op: '/', prec: 6 },
  EPow: { op: '**', prec: 8 },
};
/** NOT applies to a comparison (`NOT a EQ b` = NOT (a EQ b)); unary minus to a power (`-2**2` = -(2**2)). */
const NOT_OPERAND = 4;
const SIGN_OPERAND = 8;

/**
 * A statement-level expression `a = b` (DEFINE assignment, constraint
 * relation): split at the first top-level `=`. Elsewhere `=` compares (IF).
 */
function splitAssign(ctx: Ctx, n: EExprRec | undefined): { left: Expr | null; right: Expr | null } {
  if (!valid(n) || !wellFormed(n)) return { left: null, right: null };
  const { operands, ops } = n;
  let k = -1;
  for (let i = 0; i < ops.length; i++) {
    if (ops[i].tokenType === T.EAssign) {
      k = i;
      break;
    }
  }
  if (k < 0) return { left: pratt(ctx, operands, ops), right: null };
  return { left: pratt(ctx, operands.slice(0, k + 1), ops.slice(0, k)), right: pratt(ctx, operands.slice(k + 1), ops.slice(k + 1)) };
}

/** Operands and operators alternate (not so after error recovery). */
function wellFormed(n: EExprRec): boolean {
  if (n.ops.length !== n.operands.length - 1) return false;
  for (const t of n.ops) if (!real(t)) return false;
  return true;
}

/** Precedence climbing over the flat operand/operator lists of an `expr` record. */
function exprOf(ctx: Ctx, n: EExprRec | undefined): Expr | null {
  if (!valid(n) || !wellFormed(n)) return null; // broken by error recovery
  return pratt(ctx, n.operands, n.ops);
}

const NO_PREFIX: IToken[] = [];

function pratt(ctx: Ctx, operands: EOperandRec[], ops: IToken[]): Expr | null {
  if (!operands.length) return null;
  // a single operand without prefix: the common case
  if (operands.length === 1 && !operands[0].prefix) return primary(ctx, operands[0].primary);
  // prefix operators of each operand, consumed from the left
  const prefixes = operands.map((o) => (o.prefix ? o.prefix.filter((t) => real(t)) : NO_PREFIX));
  const atoms: Array<Expr | null> = operands.map((o) => primary(ctx, o.primary));
  if (atoms.some((a) => !a)) return null;
  let i = 0; // current operand
  let p = 0; // next prefix of operand i
  const parse = (minPrec: number): Expr => {
    let left: Expr;
    if (p < prefixes[i].length) {
      const t = prefixes[i][p++];
      if (t.tokenType === T.ENot) {
        const arg = parse(NOT_OPERAND);
        left = { kind: 'Unary', op: 'NOT', arg, span: ctx.span(t.startOffset, arg.span.end.offset) };
      } else {
        const arg = parse(SIGN_OPERAND);
        const span = ctx.span(t.startOffset, arg.span.end.offset);
        const neg = t.image === '-';
        left = arg.kind === 'Num'
          ? { kind: 'Num', value: neg ? -arg.value : arg.value, span }
          : { kind: 'Unary', op: neg ? '-' : '+', arg, span };
      }
    } else {
      left = atoms[i]!;
    }
    while (i < ops.length) {
      const b = BIN[ops[i].tokenType.name];
      if (!b || b.prec < minPrec) break;
      i++;
      p = 0;
      const right = parse(b.op === '**' ? b.prec : b.prec + 1);
      left = { kind: 'Binary', op: b.op, left, right, span: ctx.span(left.span.start.offset, right.span.end.offset) };
    }
    return left;
  };
  const e = parse(0);
  return i === ops.length ? e : null;
}

function primary(ctx: Ctx, n: EPrimaryRec | undefined): Expr | null {
  if (!valid(n)) return null;
  const t = real(n.tok);
  switch (n.kind) {
    case 'num':
      return t ? { kind: 'Num', value: Number(t.image.indexOf('d') < 0 && t.image.indexOf('D') < 0 ? t.image : t.image.replace(/[dD]/, 'e')), span: nodeSpan(ctx, n) } : null;
    case 'missing':
      return t ? { kind: 'Missing', span: nodeSpan(ctx, n) } : null;
    case 'ref': {
      if (!t) return null;
      const span = nodeSpan(ctx, n);
      if (!real(n.call)) return { kind: 'Ref', name: t.image, upper: t.image.toUpperCase(), span };
      const fn = t.image.toUpperCase();
      const args: Expr[] = [];
      for (const a of n.args ?? []) {
        const e = exprOf(ctx, a);
        if (!e) continue;
        if (LIST_FUNCTIONS.has(fn) && e.kind === 'Binary' && e.op === '-' && e.left.kind === 'Ref' && e.right.kind === 'Ref') {
          args.push({ kind: 'Range', from: e.left.name, to: e.right.name, span: e.span });
        } else args.push(e);
      }
      return { kind: 'Call', fn, args, span };
    }
    case 'paren':
      return exprOf(ctx, n.inner);
  }
}
