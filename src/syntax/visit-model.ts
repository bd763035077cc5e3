// Syntax records -> AST for MODEL-like bodies (MODEL, MODEL c:, MODEL POPULATION[-c],
// MODEL COVERAGE, MODEL MISSING, MODEL INDIRECT). The grammar accepts a loose
// `parts (op parts)? ('|' parts (op parts)?)? ;` shape; this visitor decides
// which statement it is and reports misplaced pieces with their spans.
import type { IToken } from 'chevrotain';
import type { LabelGroup, ModelCommand, ModelStatement, Modifier, ParamItem, RhsPart, SectionMarker, Span, VarList, VarName, VarRef } from './ast.js';
import type { MBodyRec, MItemRec, MLabelsRec, MPartRec, MSectionRec, MStatementRec } from '../../grammar/parsers.js';
import { MNumber } from '../../grammar/tokens.js';
import { real } from './cst.js';
import type { Ctx } from './context.js';

type Part = ParamItem | LabelGroup | { kind: 'Bracket' | 'Brace'; parts: RhsPart[]; span: Span };

const OPS: Record<string, 'On' | 'By' | 'With' | 'Pon' | 'Pwith' | 'Xwith' | 'At' | 'Ind' | 'Via' | 'Mod'> = {
  MOn: 'On', MBy: 'By', MWith: 'With', MPon: 'Pon', MPwith: 'Pwith', MXwith: 'Xwith', MAt: 'At', MInd: 'Ind', MVia: 'Via', MMod: 'Mod',
};

export interface ModelBody {
  statements: ModelStatement[];
  indirect: NonNullable<ModelCommand['indirect']>;
}

export function visitModelBody(ctx: Ctx, body: MBodyRec, command: string, indirectMode: boolean): ModelBody {
  const statements: ModelStatement[] = [];
  const indirect: ModelBody['indirect'] = [];
  // the last statement/section: a missing `;` there is only a warning
  let last = body.length - 1;
  while (last >= 0 && Number.isNaN(body[last].start)) last--;
  for (let i = 0; i < body.length; i++) {
    const el = body[i];
    if (el.kind === 'section') {
      const s = section(ctx, el, command);
      if (s) statements.push(s);
    } else statement(ctx, el, command, indirectMode, i === last, statements, indirect);
  }
  return { statements, indirect };
}

function section(ctx: Ctx, node: MSectionRec, command: string): ModelStatement | null {
  const span = ctx.span(node.start, node.end);
  const names = node.names.filter((t) => real(t));
  if (!names.length) return null;
  const single = names.length === 1 ? names[0].image.toUpperCase() : '';
  let marker: SectionMarker | null = null;
  if (node.label && real(node.label)) return betweenLevelSection(ctx, node, single, node.label, span, command);
  if (single === 'WITHIN') marker = { kind: 'Within' };
  else if (single === 'BETWEEN') marker = { kind: 'Between' };
  else if (single === 'OVERALL') marker = { kind: 'Overall' };
  else {
    const classes: Array<{ variable: string; upper: string; index: number }> = [];
    for (const t of names) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)#(\d+)$/.exec(t.image);
      if (!m) {
        ctx.error(ctx.tokSpan(t), 'E_BAD_SECTION', `'%${t.image}%' is not a section: expected %WITHIN%, %BETWEEN%, %OVERALL% or a class such as %c#1%.`, command);
        return null;
      }
      classes.push({ variable: m[1], upper: m[1].toUpperCase(), index: Number(m[2]) });
    }
    marker = { kind: 'Class', classes };
  }
  return { kind: 'Section', section: marker, span };
}

/** `%BETWEEN level2%` / `%BETWEEN level3%` (TYPE = THREELEVEL; the label names the level, not a cluster variable). */
function betweenLevelSection(ctx: Ctx, node: MSectionRec, single: string, label: IToken, span: Span, command: string): ModelStatement | null {
  const level = label.image.toUpperCase();
  if (single !== 'BETWEEN' || (level !== 'LEVEL2' && level !== 'LEVEL3')) {
    ctx.error(span, 'E_BAD_SECTION', `'%${node.names.map((t) => t.image).join('.')} ${label.image}%' is not a section: expected %BETWEEN level2% or %BETWEEN level3% (TYPE = THREELEVEL).`, command);
    return null;
  }
  return { kind: 'Section', section: { kind: 'Between', level }, span };
}

function statement(
  ctx: Ctx,
  node: MStatementRec,
  command: string,
  indirectMode: boolean,
  isLast: boolean,
  out: ModelStatement[],
  indirect: ModelBody['indirect'],
): void {
  const start = node.start;
  let end = node.end;
  if (Number.isNaN(start)) return;
  if (Number.isNaN(end)) end = start + 1;
  const span = ctx.span(start, end);
  const semi = real(node.semi);
  if (!semi && !ctx.syntaxErrorIn(start, end + 1)) {
    if (isLast) ctx.warn(ctx.span(end, end), 'W_MISSING_SEMICOLON', `Missing ';' at the end of the last statement of ${command} command.`, command);
    else ctx.error(ctx.span(end, end), 'E_MISSING_SEMICOLON', `Missing ';' after this statement in ${command} command.`, command);
  }
  const lhs = partsOf(ctx, node.lhs);
  const op = opOf(real(node.op));
  const rhs = partsOf(ctx, node.rhs);
  const pipe = real(node.pipe);

  if (pipe) {
    if (op) {
      ctx.error(ctx.tokSpan(pipe), 'E_MODEL_SYNTAX', `A random-effect statement has the form 'name | ...': '${op.token.image}' cannot come before '|'.`, command);
      return;
    }
    random(ctx, node, lhs, span, command, out);
    return;
  }

  if (!op) {
    // variances, means [ ], scale factors { }: split a mixed statement into runs of one kind
    let run: { kind: 'Variance' | 'Mean' | 'Scale'; parts: RhsPart[] } | null = null;
    const flush = () => {
      if (run && run.parts.length) out.push({ kind: run.kind, parts: run.parts, span });
      run = null;
    };
    for (const p of lhs) {
      if (p.kind === 'Bracket' || p.kind === 'Brace') {
        flush();
        run = { kind: p.kind === 'Bracket' ? 'Mean' : 'Scale', parts: [...p.parts] };
      } else if (p.kind === 'Labels' && run && run.kind !== 'Variance') {
        run.parts.push(p);
      } else {
        if (!run || run.kind !== 'Variance') {
          flush();
          run = { kind: 'Variance', parts: [] };
        }
        run.parts.push(p as RhsPart);
      }
    }
    flush();
    return;
  }

  const lhsList = plainList(ctx, lhs, command, `the left of ${op.token.image.toUpperCase()}`);
  switch (op.kind) {
    case 'On':
    case 'By':
    case 'With':
    case 'Pon':
    case 'Pwith': {
      if (indirectMode) {
        ctx.error(ctx.tokSpan(op.token), 'E_MODEL_SYNTAX', `MODEL INDIRECT statements use IND or VIA, not ${op.token.image.toUpperCase()}.`, command);
        return;
      }
      const parts: RhsPart[] = [];
      for (const p of rhs) {
        if (p.kind === 'Bracket' || p.kind === 'Brace') {
          ctx.error(p.span, 'E_MODEL_SYNTAX', `Brackets cannot be used on the right of ${op.token.image.toUpperCase()}.`, command);
        } else parts.push(p as RhsPart);
      }
      if (!parts.length && !rhs.length) {
        ctx.error(ctx.tokSpan(op.token), 'E_MODEL_SYNTAX', `Expected variables after ${op.token.image.toUpperCase()}.`, command);
        return;
      }
      out.push({ kind: op.kind, lhs: lhsList, rhs: parts, span });
      return;
    }
    case 'Ind':
    case 'Via':
    case 'Mod': {
      if (!indirectMode) {
        ctx.error(ctx.tokSpan(op.token), 'E_MODEL_SYNTAX', `${op.token.image.toUpperCase()} can only be used in MODEL INDIRECT.`, command);
        return;
      }
      if (op.kind === 'Mod') {
        ctx.warn(ctx.tokSpan(op.token), 'W_UNSUPPORTED', 'MOD (moderated indirect effects) in MODEL INDIRECT is not supported yet; the statement is ignored.', command);
        return;
      }
      const l = lhsList[0];
      if (!l || l.kind !== 'Var' || lhsList.length !== 1) {
        ctx.error(span, 'E_MODEL_SYNTAX', `${op.token.image.toUpperCase()} needs one variable on its left.`, command);
        return;
      }
      const r = plainList(ctx, rhs, command, `the right of ${op.token.image.toUpperCase()}`);
      const names: VarName[] = [];
      for (const x of r) {
        if (x.kind === 'Var') names.push(stripKind(x));
        else ctx.error(x.span, 'E_MODEL_SYNTAX', 'Lists are not allowed in MODEL INDIRECT; write each variable.', command);
      }
      indirect.push({ kind: op.kind, lhs: stripKind(l), rhs: names, span });
      return;
    }
    default:
      ctx.error(ctx.tokSpan(op.token), 'E_MODEL_SYNTAX', `${op.token.image.toUpperCase()} needs a random-effect name and '|': e.g. 's | y ON x;' or 'int | f1 XWITH f2;'.`, command);
  }
}

function random(ctx: Ctx, node: MStatementRec, lhs: Part[], span: Span, command: string, out: ModelStatement[]): void {
  const names: VarName[] = [];
  for (const p of lhs) {
    if (p.kind === 'Item' && p.target.kind === 'Var' && !p.modifier) names.push(stripKind(p.target));
    else ctx.error(p.span, 'E_MODEL_SYNTAX', "Only names of random effects may come before '|'.", command);
  }
  const body = partsOf(ctx, node.body);
  const op = opOf(real(node.bodyOp));
  const bodyRhs = partsOf(ctx, node.bodyRhs);
  const bodyStart = body.length ? body[0].span.start.offset : span.start.offset;
  const bodyEnd = (bodyRhs.length ? bodyRhs[bodyRhs.length - 1] : body[body.length - 1])?.span.end.offset ?? span.end.offset;
  const bspan = ctx.span(bodyStart, bodyEnd);
  if (!op) {
    // growth: items with time scores, and labels for them (as after BY: `y3*2 (t3)`)
    const items: ParamItem[] = [];
    const parts: RhsPart[] = [];
    let labelled = false;
    for (const p of body) {
      if (p.kind === 'Item') {
        items.push(p);
        parts.push(p);
      } else if (p.kind === 'Labels') {
        if (!items.length) ctx.error(p.span, 'E_MODEL_SYNTAX', "A label in a growth statement must follow the variable it labels: 'i s | y1@0 y2*1 (t2);'.", command);
        else {
          labelled = true;
          parts.push(p);
        }
      } else ctx.error(p.span, 'E_MODEL_SYNTAX', 'Only variables with optional @ or * time scores and their labels may follow | in a growth statement.', command);
    }
    const growth: Extract<Extract<ModelStatement, { kind: 'Random' }>['body'], { kind: 'Growth' }> = { kind: 'Growth', items, span: bspan };
    if (labelled) growth.parts = parts;
    out.push({ kind: 'Random', names, body: growth, span });
    return;
  }
  const what = op.token.image.toUpperCase();
  const l = plainList(ctx, body, command, `the left of ${what}`);
  const r = plainList(ctx, bodyRhs, command, `the right of ${what}`);
  switch (op.kind) {
    case 'On':
    case 'By':
      out.push({ kind: 'Random', names, body: { kind: op.kind, lhs: l, rhs: r, span: bspan }, span });
      return;
    case 'At':
      out.push({ kind: 'Random', names, body: { kind: 'At', items: l, times: r, span: bspan }, span });
      return;
    case 'Xwith': {
      if (l.length !== 1 || r.length !== 1 || l[0].kind !== 'Var' || r[0].kind !== 'Var') {
        ctx.error(bspan, 'E_MODEL_SYNTAX', 'XWITH takes one variable on each side: int | f1 XWITH f2;', command);
        return;
      }
      out.push({ kind: 'Random', names, body: { kind: 'Xwith', left: stripKind(l[0]), right: stripKind(r[0]), span: bspan }, span });
      return;
    }
    default:
      ctx.error(ctx.tokSpan(op.token), 'E_MODEL_SYNTAX', `${what} cannot follow '|' (expected ON, BY, XWITH, AT or growth time scores).`, command);
  }
}

function stripKind(v: { kind: 'Var' } & VarName): VarName {
  const { kind: _k, ...rest } = v;
  return rest;
}

/** A variable list without modifiers or labels (left-hand sides). */
function plainList(ctx: Ctx, parts: Part[], command: string, where: string): VarList {
  const out: VarList = [];
  for (const p of parts) {
    if (p.kind === 'Item') {
      if (p.modifier) ctx.error(p.modifier.span, 'E_MODEL_SYNTAX', `@ and * cannot be used on ${where}.`, command);
      out.push(p.target);
    } else if (p.kind === 'Labels') {
      ctx.error(p.span, 'E_MODEL_SYNTAX', `Labels cannot be used on ${where}.`, command);
    } else {
      ctx.error(p.span, 'E_MODEL_SYNTAX', `Brackets cannot be used on ${where}.`, command);
    }
  }
  return out;
}

function opOf(t: IToken | undefined): { kind: (typeof OPS)[string]; token: IToken } | undefined {
  const kind = t ? OPS[t.tokenType.name] : undefined;
  return t && kind ? { kind, token: t } : undefined;
}

function partsOf(ctx: Ctx, recs: MPartRec[]): Part[] {
  const out: Part[] = [];
  for (const r of recs) {
    if (r.kind === 'item') {
      const it = item(ctx, r);
      if (it) out.push(it);
    } else if (r.kind === 'labels') {
      const l = labels(ctx, r);
      if (l) out.push(l);
    } else {
      const inner: RhsPart[] = [];
      for (const k of r.parts) {
        const p = k.kind === 'item' ? item(ctx, k) : labels(ctx, k);
        if (p) inner.push(p);
      }
      const e = r.end;
      out.push({ kind: r.kind === 'bracket' ? 'Bracket' : 'Brace', parts: inner, span: ctx.span(r.start, Number.isNaN(e) ? r.start + 1 : e) });
    }
  }
  return out;
}

const DERIVED = /^([A-Za-z_][A-Za-z0-9_]*?)(?:#(\d+))?(?:\$(\d+))?$/;

/** `c#1` -> class index 1, `u1$2` -> threshold 2; anything else keeps the whole text as the name. */
export function varName(ctx: Ctx, t: IToken): VarName {
  const span = ctx.tokSpan(t);
  const img = t.image;
  // most names have no derived suffix: skip the regex
  if (img.indexOf('#') < 0 && img.indexOf('$') < 0) return { name: img, upper: img.toUpperCase(), span };
  const m = DERIVED.exec(img);
  if (m && (m[2] !== undefined || m[3] !== undefined)) {
    const v: VarName = { name: m[1], upper: m[1].toUpperCase(), span };
    if (m[2] !== undefined) v.classIndex = Number(m[2]);
    if (m[3] !== undefined) v.threshold = Number(m[3]);
    return v;
  }
  return { name: t.image, upper: t.image.toUpperCase(), span };
}

/** `{ kind: 'Var', ...varName(t) }` without the intermediate object (most names are plain) */
function varRef(ctx: Ctx, t: IToken): VarRef {
  const img = t.image;
  if (img.indexOf('#') < 0 && img.indexOf('$') < 0) return { kind: 'Var', name: img, upper: img.toUpperCase(), span: ctx.tokSpan(t) };
  return { kind: 'Var', ...varName(ctx, t) };
}

function item(ctx: Ctx, node: MItemRec): ParamItem | null {
  const from = real(node.from);
  if (!from) return null;
  const to = real(node.to);
  let target: VarRef;
  if (to) {
    target = { kind: 'Range', from: varName(ctx, from), to: varName(ctx, to), span: ctx.span(from.startOffset, to.startOffset + to.image.length) };
  } else if (from.image.length === 3 && from.image.toUpperCase() === 'ALL') {
    target = { kind: 'All', span: ctx.tokSpan(from) };
  } else {
    target = varRef(ctx, from);
  }
  const modTok = real(node.mod);
  const numTok = real(node.num);
  const signTok = real(node.sign);
  const numVal = numTok ? { value: fortranNumber(numTok.image, signTok?.image === '-'), end: numTok.startOffset + numTok.image.length } : null;
  let mod: Modifier | undefined;
  if (modTok?.image === '~') {
    ctx.warn(ctx.span(modTok.startOffset, numVal?.end ?? modTok.startOffset + 1), 'W_UNSUPPORTED', 'Target rotation values (~) are not supported; this value is ignored.', 'MODEL');
  } else if (modTok?.image === '@') {
    if (numVal !== null) mod = { kind: 'Fixed', value: numVal.value, span: ctx.span(modTok.startOffset, numVal.end) };
  } else if (modTok) {
    mod = numVal !== null ? { kind: 'Start', value: numVal.value, span: ctx.span(modTok.startOffset, numVal.end) } : { kind: 'Start', value: null, span: ctx.tokSpan(modTok) };
  }
  if (mod) return { kind: 'Item', target, modifier: mod, span: ctx.span(node.start, mod.span.end.offset) };
  // without a modifier the item is its target (spans are immutable and may be shared)
  return { kind: 'Item', target, span: node.end === target.span.end.offset ? target.span : ctx.span(node.start, node.end) };
}

/** A number token's value; Fortran writes exponents with D (`1.5D-3`). */
function fortranNumber(image: string, negative: boolean): number {
  const v = Number(image.indexOf('d') < 0 && image.indexOf('D') < 0 ? image : image.replace(/[dD]/, 'e'));
  return negative ? -v : v;
}

function labels(ctx: Ctx, node: MLabelsRec): LabelGroup | null {
  const start = node.start;
  let end = node.end;
  if (Number.isNaN(start)) return null;
  if (Number.isNaN(end)) end = start + 1;
  const out: LabelGroup = { kind: 'Labels', labels: [], block: false, span: ctx.span(start, end) };
  for (const l of node.labels) {
    if (real(l.star)) out.block = true;
    const from = atom(real(l.from), real(l.fromSign));
    const to = atom(real(l.to), real(l.toSign));
    if (!from) continue;
    if (to) out.labels.push({ kind: 'LabelRange', from: from.text, to: to.text, span: ctx.span(from.start, to.end) });
    else out.labels.push({ kind: 'Label', text: from.text, upper: from.text.toUpperCase(), span: ctx.span(from.start, from.end) });
  }
  return out;
}

function atom(t: IToken | undefined, sign: IToken | undefined): { text: string; start: number; end: number } | null {
  if (!t) return null;
  const neg = sign?.image === '-' && t.tokenType === MNumber;
  return { text: (neg ? '-' : '') + t.image, start: sign && neg ? sign.startOffset : t.startOffset, end: t.startOffset + t.image.length };
}
