// Syntax records -> AST for MODEL PRIORS (`a ~ N(0, 1);`). plusmix estimates by
// maximum likelihood: the priors are read (so `check` and `fmt` handle scripts
// written for ESTIMATOR = BAYES) but no later stage uses them.
import type { IToken } from 'chevrotain';
import type { PriorLabel, PriorStatement } from './ast.js';
import type { ENameRec, PPriorRec, PTargetRec } from '../../grammar/parsers.js';
import { ENumber } from '../../grammar/tokens.js';
import { real } from './cst.js';
import type { Ctx } from './context.js';

const C = 'MODEL PRIORS';

export function visitPriorsBody(ctx: Ctx, body: PPriorRec[]): PriorStatement[] {
  const out: PriorStatement[] = [];
  let last = body.length - 1;
  while (last >= 0 && Number.isNaN(body[last].start)) last--;
  body.forEach((p, i) => {
    if (Number.isNaN(p.start)) return;
    const end = Number.isNaN(p.end) ? p.start + 1 : p.end;
    if (!real(p.semi) && !ctx.syntaxErrorIn(p.start, end + 1)) {
      if (i === last) ctx.warn(ctx.span(end, end), 'W_MISSING_SEMICOLON', `Missing ';' at the end of the last statement of ${C} command.`, C);
      else ctx.error(ctx.span(end, end), 'E_MISSING_SEMICOLON', `Missing ';' after this statement in ${C} command.`, C);
    }
    const dist = real(p.dist);
    if (!dist) return;
    const targets: PriorStatement['targets'] = [];
    for (const t of p.targets) {
      const x = target(ctx, t);
      if (x) targets.push(x);
    }
    out.push({ kind: 'Prior', targets, dist: dist.image.toUpperCase(), distSpan: ctx.tokSpan(dist), params: params(p.params), span: ctx.span(p.start, end) });
  });
  return out;
}

function target(ctx: Ctx, t: PTargetRec): PriorStatement['targets'][number] | null {
  const name = real(t.name);
  if (!name) return null;
  if (real(t.call)) {
    const labels: PriorLabel[] = [];
    for (const n of t.inner) {
      const l = label(ctx, n);
      if (l) labels.push(l);
    }
    return { kind: 'Function', fn: name.image.toUpperCase(), labels, span: ctx.span(t.start, Number.isNaN(t.end) ? t.start + 1 : t.end) };
  }
  return label(ctx, { from: name, to: t.to });
}

function label(ctx: Ctx, n: ENameRec): PriorLabel | null {
  const from = real(n.from);
  if (!from) return null;
  const to = real(n.to);
  if (to) return { kind: 'LabelRange', from: from.image, to: to.image, span: ctx.span(from.startOffset, to.startOffset + to.image.length) };
  return { kind: 'Label', text: from.image, upper: from.image.toUpperCase(), span: ctx.tokSpan(from) };
}

/** Signed numbers (`-1`, `+.5`, `1D-3`) from the sign and number tokens in order. */
function params(toks: IToken[]): number[] {
  const out: number[] = [];
  let sign = 1;
  for (const t of toks) {
    if (!real(t)) continue;
    if (t.tokenType !== ENumber) sign = t.image === '-' ? -1 : 1;
    else {
      out.push(sign * Number(t.image.replace(/[dD]/, 'e')));
      sign = 1;
    }
  }
  return out;
}
