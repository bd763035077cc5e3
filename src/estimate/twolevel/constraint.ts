// MODEL CONSTRAINT for the level-1 variance of seed paper eq. 17 (model 1b):
//
//   VARIABLE: CONSTRAINT = female ses;
//   MODEL: %WITHIN% mathach (theta);
//   MODEL CONSTRAINT: NEW (k0 k1 k2);  theta = k0 + k1*female + k2*ses;
//
// makes the within residual variance of the outcome a linear function of data variables. This
// recognises exactly that shape and turns it into the Level1VarianceModel of spec.ts (the
// residual-variance row then carries k0; k1, k2 become the additional parameters).

import type { Expr, Span } from '../../syntax/ast.js';
import type { ModelIR } from '../../model/ir.js';
import { PlusmixError } from '../../syntax/diagnostics.js';
import type { Level1VarianceModel } from './spec.js';

/** The IR does not know the input file's path, so the line goes into the message. */
function unsupported(message: string, span: Span): PlusmixError {
  return new PlusmixError({
    severity: 'error', code: 'E_TWOLEVEL_CONSTRAINT', command: 'MODEL CONSTRAINT',
    message: `${message} (MODEL CONSTRAINT, line ${span.start.line})`, location: { kind: 'none' },
  });
}

/** Terms of a sum: each a NEW parameter, optionally times a data variable. */
function linearTerms(e: Expr, isNew: (n: string) => boolean, out: Array<{ param: string; variable: string | null }>): void {
  if (e.kind === 'Binary' && e.op === '+') {
    linearTerms(e.left, isNew, out);
    linearTerms(e.right, isNew, out);
  } else if (e.kind === 'Ref' && isNew(e.upper)) {
    out.push({ param: e.upper, variable: null });
  } else if (e.kind === 'Binary' && e.op === '*' && e.left.kind === 'Ref' && e.right.kind === 'Ref') {
    const [p, v] = isNew(e.left.upper) ? [e.left, e.right] : [e.right, e.left];
    if (!isNew(p.upper) || isNew(v.upper)) throw unsupported('the level-1 variance function must be a sum of NEW parameters times CONSTRAINT variables', e.span);
    out.push({ param: p.upper, variable: v.upper });
  } else throw unsupported('the level-1 variance function must be a sum of NEW parameters times CONSTRAINT variables', e.span);
}

/**
 * The Level1VarianceModel written in MODEL CONSTRAINT, or null when the constraint does not
 * define the outcome's within residual variance. Other MODEL CONSTRAINT statements are not
 * supported by the two-level estimator yet (error).
 */
export function level1VarianceFromConstraint(ir: ModelIR): Level1VarianceModel | null {
  const c = ir.constraint;
  if (!c) return null;
  const dep = ir.observed.find((v) => v.role === 'dependent');
  const rv = ir.rows.find((r) => r.level === 'within' && (r.kind === 'residualVariance' || r.kind === 'variance') && r.lhs === dep?.name && r.par > 0);
  const labels = new Set([...ir.labels].filter(([, par]) => rv && par === rv.par).map(([l]) => l.toUpperCase()));
  const newNames = new Set(c.newParams.map((p) => p.name.toUpperCase()));
  let found: Level1VarianceModel | null = null;
  for (const s of c.statements) {
    if (s.kind === 'New') continue;
    if (s.kind === 'Relation' && s.op === '=' && s.left.kind === 'Ref' && labels.has(s.left.upper) && !found) {
      const terms: Array<{ param: string; variable: string | null }> = [];
      linearTerms(s.right, (n) => newNames.has(n), terms);
      const intercepts = terms.filter((t) => t.variable === null);
      if (intercepts.length !== 1) throw unsupported('the level-1 variance function needs exactly one NEW parameter without a variable (its value where all variables are 0)', s.span);
      const slopes = terms.filter((t) => t.variable !== null);
      found = { kind: 'linear', covariates: slopes.map((t) => t.variable!), names: slopes.map((t) => t.param) };
      continue;
    }
    throw unsupported('this MODEL CONSTRAINT statement is not supported by the two-level estimator (only a level-1 variance function of CONSTRAINT variables)', s.span);
  }
  return found;
}
