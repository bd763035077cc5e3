// CST -> AST for expression bodies: DEFINE, MODEL CONSTRAINT, MODEL TEST.
import type { CstNode, IToken } from 'chevrotain';
import type { ConstraintStatement, DefineStatement, Expr, Span, VarList } from './ast.js';
import { nodes, ordered, startOf, endOf, sub, tok, tokens } from './cst.js';
import type { Ctx } from './context.js';
import { resolveKeyword } from './options.js';

type BinOp = Extract<Expr, { kind: 'Binary' }>['op'];

/** Functions whose arguments are variable lists (`MEAN(y1-y5)`, `SUM(y1 y3 y5)`): `a-b` is a range there. */
const LIST_FUNCTIONS = new Set(['MEAN', 'SUM']);

const CMP: Record<string, BinOp> = {
  EEqKw: 'EQ', ENeKw: 'NE', EGtKw: 'GT', EGeKw: 'GE', ELtKw: 'LT', ELeKw: 'LE',
  EEqEq: 'EQ', ENeOp: 'NE', EGt: 'GT', EGe: 'GE', ELt: 'LT', ELe: 'LE',
};
/** Symbolic comparisons written at the top of a MODEL CONSTRAINT statement are relations. */
const RELATION: Record<string, '=' | '<' | '>' | '<=' | '>='> = { EEqEq: '=', ELt: '<', EGt: '>', ELe: '<=', EGe: '>=', ELtKw: '<', EGtKw: '>', ELeKw: '<=', EGeKw: '>=' };

function nodeSpan(ctx: Ctx, n: CstNode): Span {
  const s = startOf(n);
  const e = endOf(n);
  return ctx.span(s, Number.isNaN(e) ? s : e);
}

function valid(n: CstNode | undefined): n is CstNode {
  return !!n && !Number.isNaN(startOf(n));
}

// ---------------------------------------------------------------------------
// Statements

export function visitDefineBody(ctx: Ctx, cst: CstNode): DefineStatement[] {
  const out: DefineStatement[] = [];
  const kids = ordered(cst);
  let lastReal = -1;
  kids.forEach((k, i) => k.key !== 'ESemi' && (lastReal = i));
  kids.forEach(({ key, el }, i) => {
    if (key !== 'statement') return;
    const s = defineStatement(ctx, el as CstNode, i === lastReal);
    if (s) out.push(s);
  });
  return out;
}

function checkSemi(ctx: Ctx, n: CstNode, command: string, isLast: boolean): void {
  // statements ending in a nested statement (IF, DO) carry the `;` in the nested one
  if (tok(n, 'ESemi')) return;
  const end = endOf(n);
  if (ctx.syntaxErrorIn(startOf(n), end + 1)) return;
  const at = ctx.span(end, end);
  if (isLast) ctx.warn(at, 'W_MISSING_SEMICOLON', `Missing ';' at the end of the last statement of ${command} command.`, command);
  else ctx.error(at, 'E_MISSING_SEMICOLON', `Missing ';' after this statement in ${command} command.`, command);
}

function defineStatement(ctx: Ctx, st: CstNode, isLast: boolean): DefineStatement | null {
  const C = 'DEFINE';
  const span = nodeSpan(ctx, st);
  const ifS = sub(st, 'ifStmt');
  if (ifS) {
    const cond = exprOf(ctx, sub(ifS, 'cond'));
    const inner = sub(ifS, 'statement');
    const body = inner ? defineStatement(ctx, inner, isLast) : null;
    if (!cond || !body) return null;
    if (body.kind !== 'Assign') {
      ctx.error(body.span, 'E_DEFINE_SYNTAX', 'IF (...) THEN must be followed by one assignment: IF (x EQ 1) THEN y = 2;', C);
      return null;
    }
    return { kind: 'If', cond, target: body.target, targetSpan: body.targetSpan, expr: body.expr, span };
  }
  const doS = sub(st, 'doStmt');
  if (doS) {
    const d = doArgs(ctx, doS, C);
    const inner = sub(doS, 'statement');
    const body = inner ? defineStatement(ctx, inner, isLast) : null;
    if (!d || !body) return null;
    return { kind: 'Do', index: d.index, from: d.from, to: d.to, body: [body], span };
  }
  const cut = sub(st, 'cutStmt');
  if (cut) {
    checkSemi(ctx, cut, C, isLast);
    const vars = nameList(ctx, sub(cut, 'nameList'));
    const cuts: number[] = [];
    let sign = 1;
    for (const { key, el } of ordered(cut)) {
      if (key === 'EMinus') sign = -1;
      else if (key === 'ENumber') {
        cuts.push(sign * Number((el as IToken).image));
        sign = 1;
      }
    }
    if (!cuts.length) ctx.error(span, 'E_DEFINE_SYNTAX', 'CUT needs cut points in parentheses: CUT y (30 40);', C);
    return { kind: 'Cut', vars, cuts, span };
  }
  const center = sub(st, 'centerStmt');
  if (center) {
    checkSemi(ctx, center, C, isLast);
    const vars = nameList(ctx, sub(center, 'nameList'));
    const modeTok = tokens(center, 'mode')[0];
    const r = modeTok ? resolveKeyword(modeTok.image, ['GRANDMEAN', 'GROUPMEAN']) : { kind: 'none' as const };
    if (r.kind !== 'match') {
      ctx.error(modeTok ? ctx.tokSpan(modeTok) : span, 'E_DEFINE_SYNTAX', 'CENTER needs (GRANDMEAN) or (GROUPMEAN).', C);
      return null;
    }
    return { kind: 'Center', vars, mode: r.name as 'GRANDMEAN' | 'GROUPMEAN', span };
  }
  const std = sub(st, 'standardizeStmt');
  if (std) {
    checkSemi(ctx, std, C, isLast);
    return { kind: 'Standardize', vars: nameList(ctx, sub(std, 'nameList')), span };
  }
  const nw = sub(st, 'newStmt');
  if (nw) {
    ctx.error(span, 'E_DEFINE_SYNTAX', 'NEW can only be used in MODEL CONSTRAINT.', C);
    return null;
  }
  const es = sub(st, 'exprStmt');
  if (!es) return null;
  checkSemi(ctx, es, C, isLast);
  const { left, right } = splitAssign(ctx, sub(es, 'left'));
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

export function visitConstraintBody(ctx: Ctx, cst: CstNode, command: string): ConstraintStatement[] {
  const out: ConstraintStatement[] = [];
  const kids = ordered(cst);
  let lastReal = -1;
  kids.forEach((k, i) => k.key !== 'ESemi' && (lastReal = i));
  kids.forEach(({ key, el }, i) => {
    if (key !== 'statement') return;
    const s = constraintStatement(ctx, el as CstNode, command, i === lastReal);
    if (s) out.push(s);
  });
  return out;
}

function constraintStatement(ctx: Ctx, st: CstNode, command: string, isLast: boolean): ConstraintStatement | null {
  const span = nodeSpan(ctx, st);
  const nw = sub(st, 'newStmt');
  if (nw) {
    checkSemi(ctx, nw, command, isLast);
    const params: Array<{ name: string; upper: string; start: number | null; span: Span }> = [];
    // NEW (a*0.5 b c): walk tokens in order
    let pending: { name: string; upper: string; start: number | null; span: Span } | null = null;
    let sign = 1;
    for (const { key, el } of ordered(nw)) {
      const t = el as IToken;
      if (key === 'EIdent') {
        pending = { name: t.image, upper: t.image.toUpperCase(), start: null, span: ctx.tokSpan(t) };
        params.push(pending);
        sign = 1;
      } else if (key === 'EMinus') sign = -1;
      else if (key === 'ENumber' && pending) {
        pending.start = sign * Number(t.image.replace(/[dD]/, 'e'));
        pending.span = ctx.span(pending.span.start.offset, t.startOffset + t.image.length);
      }
    }
    if (command === 'MODEL TEST') ctx.error(span, 'E_CONSTRAINT_SYNTAX', 'NEW can only be used in MODEL CONSTRAINT.', command);
    return { kind: 'New', params, span };
  }
  const doS = sub(st, 'doStmt');
  if (doS) {
    const d = doArgs(ctx, doS, command);
    const inner = sub(doS, 'statement');
    const body = inner ? constraintStatement(ctx, inner, command, isLast) : null;
    if (!d || !body) return null;
    return { kind: 'Do', index: d.index, from: d.from, to: d.to, body: [body], span };
  }
  const es = sub(st, 'exprStmt');
  if (!es) {
    ctx.error(span, 'E_CONSTRAINT_SYNTAX', `This statement is not allowed in ${command} (only NEW, DO, relations and PLOT/LOOP).`, command);
    return null;
  }
  checkSemi(ctx, es, command, isLast);
  const { left, right } = splitAssign(ctx, sub(es, 'left'));
  if (!left) return null;
  if (right) return { kind: 'Relation', op: '=', left, right, span };
  // `a > 0;` `p1 == p2`: the comparison was parsed inside the expression
  const rel = topRelation(sub(es, 'left'));
  if (rel && left.kind === 'Binary') return { kind: 'Relation', op: rel, left: left.left, right: left.right, span };
  if (left.kind === 'Call' && (left.fn === 'PLOT' || left.fn === 'LOOP')) {
    const raw = ctx.masked.slice(span.start.offset, span.end.offset).replace(/;\s*$/, '').replace(/\s+/g, ' ').trim();
    return { kind: left.fn === 'PLOT' ? 'Plot' : 'Loop', raw, span };
  }
  ctx.error(span, 'E_CONSTRAINT_SYNTAX', `Expected a relation such as 'a = b*2;', '0 = a - b;' or 'a > 0;' in ${command}.`, command);
  return null;
}

/** The relation operator when the expression `n` is `a <op> b` with a comparison at its top. */
function topRelation(n: CstNode | undefined): '=' | '<' | '>' | '<=' | '>=' | null {
  if (!n) return null;
  const ops = tokens(n, 'ops');
  // the top operator is the loosest one; comparisons are looser than arithmetic
  const cmp = ops.filter((t) => CMP[t.tokenType.name] !== undefined);
  if (cmp.length !== 1 || ops.some((t) => t.tokenType.name === 'EAnd' || t.tokenType.name === 'EOr')) return null;
  return RELATION[cmp[0].tokenType.name] ?? null;
}

function doArgs(ctx: Ctx, doS: CstNode, command: string): { index: string; from: number; to: number } | null {
  const args = nodes(doS, 'doArg');
  const vals: Array<string | number> = args.map((a) => {
    const id = tok(a, 'EIdent');
    if (id) return id.image;
    const n = tok(a, 'ENumber');
    return n ? (tok(a, 'EMinus') ? -1 : 1) * Number(n.image) : NaN;
  });
  let index = '#';
  if (vals.length === 3 && typeof vals[0] === 'string') index = vals.shift() as string;
  if (vals.length !== 2 || typeof vals[0] !== 'number' || typeof vals[1] !== 'number' || !Number.isInteger(vals[0]) || !Number.isInteger(vals[1])) {
    ctx.error(nodeSpan(ctx, doS), 'E_DO_SYNTAX', 'DO needs two integer bounds: DO (1, 5) ... or DO (#, 1, 5) ...', command);
    return null;
  }
  if (index !== '#' && index !== '$') {
    ctx.error(nodeSpan(ctx, doS), 'E_DO_SYNTAX', `The DO loop index must be # or $, not ${index}.`, command);
    return null;
  }
  return { index, from: vals[0], to: vals[1] };
}

function nameList(ctx: Ctx, n: CstNode | undefined): VarList {
  if (!n) return [];
  const out: VarList = [];
  const froms = tokens(n, 'from');
  const tos = tokens(n, 'to');
  const minus = tokens(n, 'EMinus');
  for (const f of froms) {
    const dash = minus.find((m) => m.startOffset > f.startOffset && ctx.masked.slice(f.startOffset + f.image.length, m.startOffset).trim() === '');
    const to = dash ? tos.find((t) => t.startOffset > dash.startOffset && ctx.masked.slice(dash.startOffset + 1, t.startOffset).trim() === '') : undefined;
    const vf = { name: f.image, upper: f.image.toUpperCase(), span: ctx.tokSpan(f) };
    if (to) out.push({ kind: 'Range', from: vf, to: { name: to.image, upper: to.image.toUpperCase(), span: ctx.tokSpan(to) }, span: ctx.span(f.startOffset, to.startOffset + to.image.length) });
    else if (f.image.toUpperCase() === 'ALL') out.push({ kind: 'All', span: vf.span });
    else out.push({ kind: 'Var', ...vf });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Expressions

/** Convert an `expr` CST node (e.g. a USEOBSERVATIONS condition) to an expression. */
export function exprToAst(ctx: Ctx, n: CstNode): Expr | null {
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
function splitAssign(ctx: Ctx, n: CstNode | undefined): { left: Expr | null; right: Expr | null } {
  if (!valid(n)) return { left: null, right: null };
  const operands = nodes(n, 'operands');
  const ops = tokens(n, 'ops');
  if (ops.length !== operands.length - 1) return { left: null, right: null };
  const k = ops.findIndex((t) => t.tokenType.name === 'EAssign');
  if (k < 0) return { left: pratt(ctx, operands, ops), right: null };
  return { left: pratt(ctx, operands.slice(0, k + 1), ops.slice(0, k)), right: pratt(ctx, operands.slice(k + 1), ops.slice(k + 1)) };
}

/** Precedence climbing over the flat operand/operator lists of an `expr` node. */
function exprOf(ctx: Ctx, n: CstNode | undefined): Expr | null {
  if (!valid(n)) return null;
  const operands = nodes(n, 'operands');
  const ops = tokens(n, 'ops');
  if (ops.length !== operands.length - 1) return null; // broken by error recovery
  return pratt(ctx, operands, ops);
}

function pratt(ctx: Ctx, operands: CstNode[], ops: IToken[]): Expr | null {
  if (!operands.length) return null;
  // prefix operators of each operand, consumed from the left
  const prefixes = operands.map((o) => tokens(o, 'prefix'));
  const atoms: Array<Expr | null> = operands.map((o) => primary(ctx, sub(o, 'primary')));
  if (atoms.some((a) => !a)) return null;
  let i = 0; // current operand
  let p = 0; // next prefix of operand i
  const parse = (minPrec: number): Expr => {
    let left: Expr;
    if (p < prefixes[i].length) {
      const t = prefixes[i][p++];
      if (t.tokenType.name === 'ENot') {
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

function primary(ctx: Ctx, n: CstNode | undefined): Expr | null {
  if (!valid(n)) return null;
  const span = nodeSpan(ctx, n);
  const num = tok(n, 'ENumber');
  if (num) return { kind: 'Num', value: Number(num.image.replace(/[dD]/, 'e')), span };
  if (tok(n, 'EMissing')) return { kind: 'Missing', span };
  const id = tok(n, 'EIdent');
  if (id) {
    if (!tok(n, 'call')) return { kind: 'Ref', name: id.image, upper: id.image.toUpperCase(), span };
    const fn = id.image.toUpperCase();
    const args: Expr[] = [];
    for (const a of nodes(n, 'args')) {
      const e = exprOf(ctx, a);
      if (!e) continue;
      if (LIST_FUNCTIONS.has(fn) && e.kind === 'Binary' && e.op === '-' && e.left.kind === 'Ref' && e.right.kind === 'Ref') {
        args.push({ kind: 'Range', from: e.left.name, to: e.right.name, span: e.span });
      } else args.push(e);
    }
    return { kind: 'Call', fn, args, span };
  }
  return exprOf(ctx, sub(n, 'inner'));
}
