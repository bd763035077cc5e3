// VARIABLE: GROUPING (Mplus multiple-group analysis).
//
// Not implemented yet: the IR has no group index on parameter rows. Until it has, an input with
// GROUPING is refused here, because silently ignoring the option (what happened before) fits one
// pooled group and prints a wrong answer.
//
// Mplus defaults to implement (UCLA Mplus FAQs "Which coefficients in a two-group measurement model
// (CFA) / regression or path model does Mplus constrain across groups by default?", with Mplus output):
// - factor loadings and the intercepts of factor indicators are equal across groups; the first
//   loading of each factor is 1 in every group; factor means are 0 in the first group and free in
//   the others; factor (co)variances and residual variances are group-specific;
// - in a regression / path model among observed variables nothing is equal across groups: ON
//   coefficients, intercepts and residual variances of y are all group-specific;
// - TYPE = TWOLEVEL: the same rules on each level [ours: between-level loadings and intercepts equal,
//   between factor means 0 in group 1 — matches the 48-parameter ex9.11 count, not checked against
//   a real Mplus output];
// - a `MODEL g2:` statement makes the parameters it mentions group-specific, unless it carries an
//   equality label.
// The log-likelihood is the sum of the groups' log-likelihoods (no group-size term), as lavaan's.
// Planned design: a `group` index on ParamRow, the engines summing per-group likelihoods over one
// shared parameter vector, MODEL RESULTS under "Group G1" / "Group G2" headers.
// Reference fits for that work: bench/groups/lavaan-ex9.11.R (+ .txt).

import type { InputFile } from '../syntax/ast.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { inputError } from '../syntax/diagnostics.js';
import { findCommand, findOption } from '../syntax/query.js';
import type { ModelSettings } from './settings.js';

/** Push an error diagnostic when VARIABLE has GROUPING (with advice for TYPE = MIXTURE). */
export function refuseGrouping(ast: InputFile, st: ModelSettings, diags: Diagnostic[]): void {
  const opt = findOption(findCommand(ast, 'VARIABLE'), 'GROUPING');
  if (!opt) return;
  const span = opt.valueSpan;
  const message = st.analysisType.has('MIXTURE')
    ? 'GROUPING with TYPE = MIXTURE: use KNOWNCLASS (a class variable whose classes are the groups) instead.'
    : 'GROUPING (multiple-group analysis) is not supported yet by plusmix; the input cannot be run as written. ' +
      'Without cross-group equalities, each group can be fitted alone with USEOBSERVATIONS.';
  diags.push(inputError(ast.path, span, 'E_GROUPING_UNSUPPORTED', message, 'VARIABLE'));
}
