// The K-1 class model of TECH11 / TECH14: the K-class model with its FIRST class deleted.
//
// Mplus (User's Guide, OUTPUT: TECH11 and TECH14): "the model with c-1 classes is obtained by
// deleting the first class in the estimated model" (which is why Mplus recommends giving the last
// class to the largest class when starting values are used). Deleting class 1 means:
//   - the rows of class 1 go; the rows of class k > 1 become rows of class k-1;
//   - the class-logit rows ([c#k], c#k ON x) of class 1 go and the others are renumbered k-1, so the
//     last class stays the reference class (logit 0);
//   - free-parameter numbers are renumbered 1..nFree in their old order (a parameter shared by
//     class 1 and other classes through an equality label or class invariance stays one parameter);
//   - labels that only class 1 used are dropped.
// Row values are kept: call `withValues` first to start the K-1 class model from the K-class estimates.

import { PlusmixError } from '../syntax/diagnostics.js';
import type { ModelIR, ParamRow } from './ir.js';

const fail = (message: string): never => {
  throw new PlusmixError({ severity: 'error', code: 'E_UNSUPPORTED', command: 'OUTPUT', message, location: { kind: 'none' } });
};

/** Copy of the IR whose free rows hold the values of `theta` (TECH1 order, as EstimationResult.theta). */
export function withValues(ir: ModelIR, theta: Float64Array, userValue = true): ModelIR {
  if (theta.length !== ir.nFree) throw new Error(`withValues: theta has ${theta.length} values for ${ir.nFree} free parameters`);
  return { ...ir, rows: ir.rows.map((r) => (r.par > 0 ? { ...r, value: theta[r.par - 1]!, userValue } : r)) };
}

/**
 * The K-1 class model obtained by deleting class 1 of the single (within-level) class variable.
 * Throws E_UNSUPPORTED for models it cannot reduce (no class variable, several class variables,
 * a between-level or KNOWNCLASS class variable, class-on-class regressions, MODEL CONSTRAINT / TEST).
 */
export function dropFirstClass(ir: ModelIR): ModelIR {
  if (ir.classVariables.length !== 1) fail('TECH11 and TECH14 need exactly one categorical latent variable.');
  const cv = ir.classVariables[0]!;
  if (cv.level !== 'within') fail('TECH11 and TECH14 are not available for a between-level categorical latent variable.');
  if (cv.known) fail('TECH11 and TECH14 are not available with KNOWNCLASS.');
  if (cv.nClasses < 2) fail('TECH11 and TECH14 need at least two classes.');
  if (ir.constraint || ir.test) fail('TECH11 and TECH14 are not available with MODEL CONSTRAINT or MODEL TEST.');
  const name = cv.name;
  const kept: ParamRow[] = [];
  for (const r of ir.rows) {
    if (r.kind === 'classIntercept' || r.kind === 'classRegression') {
      if (r.rhsIndex !== undefined) fail('TECH11 and TECH14 are not available with regressions among categorical latent variables.');
      if (r.lhs === name) {
        if (r.index === 1) continue;
        kept.push({ ...r, index: r.index! - 1 });
        continue;
      }
    }
    const k = r.classes[name];
    if (k === 1) continue;
    kept.push(k === undefined ? r : { ...r, classes: { ...r.classes, [name]: k - 1 } });
  }
  // free parameters renumbered in their old order
  const map = new Map<number, number>();
  for (const p of [...new Set(kept.filter((r) => r.par > 0).map((r) => r.par))].sort((a, b) => a - b)) map.set(p, map.size + 1);
  // equality keys follow the parameter numbers (src/model builds them from the class patterns, which changed)
  const rows = kept.map((r, id) => (r.par > 0 ? { ...r, id, par: map.get(r.par)!, equalityKey: `par:${map.get(r.par)!}` } : { ...r, id, equalityKey: `fixed:${id}` }));
  const labels = new Map<string, number>();
  for (const [l, p] of ir.labels) if (map.has(p)) labels.set(l, map.get(p)!);
  return {
    ...ir,
    classVariables: [{ ...cv, nClasses: cv.nClasses - 1 }],
    rows,
    nFree: map.size,
    labels,
  };
}
