// TECHNICAL 10 OUTPUT of mixtures with categorical latent class indicators, in the layout of Mplus 8.8
// (ex7.3.out): response patterns (four per line), pattern frequencies with their chi-square
// contributions, the empty-cell total, univariate and bivariate fit over all classes, then the
// univariate and bivariate distributions per class. Mplus prints it after TECH1 and before TECH11,
// TECH14 and TECH8. The numbers come from src/results/tech10.ts.

import type { Tech10Result, Tech10Table } from '../results/tech10.js';
import { fmtF, fmtI, labelValue } from './format.js';

const category = (j: number) => `Category ${j}`.padEnd(10);

/** `       Category i     Category j` (32 columns for bivariate cells, 17 for univariate ones) */
function cellLabel(categories: number[]): string {
  return '       ' + categories.map(category).join('     ');
}

/** the chi-squares and the count of significant residuals closing a table (values end in column `end`) */
function tableTotals(L: string[], t: Tech10Table, kind: string, end: number): void {
  L.push(labelValue(`       ${kind} Pearson Chi-Square`, fmtF(t.pearson, 9, 3).trim(), end));
  L.push(labelValue(`       ${kind} Log-Likelihood Chi-Square`, fmtF(t.loglikelihood, 9, 3).trim(), end));
  L.push(labelValue('       Number of Significant Standardized Residuals', String(t.significant), end === 59 ? 55 : 70));
}

function overall(L: string[], kind: string, t: { pearson: number; loglikelihood: number; significant: number }): void {
  L.push(labelValue(`       Overall ${kind} Pearson Chi-Square`, fmtF(t.pearson, 9, 3).trim(), 74));
  L.push(labelValue(`       Overall ${kind} Log-Likelihood Chi-Square`, fmtF(t.loglikelihood, 9, 3).trim(), 74));
  L.push(labelValue('       Overall Number of Significant Standardized Residuals', String(t.significant), 70));
}

/** Lines of TECHNICAL 10 OUTPUT (ending with the two blank lines before the next section). */
export function tech10Lines(t: Tech10Result): string[] {
  const L: string[] = ['TECHNICAL 10 OUTPUT', '', '', '     MODEL FIT INFORMATION FOR THE LATENT CLASS INDICATOR MODEL PART', '', ''];

  L.push('     RESPONSE PATTERNS', '');
  const width = Math.max(6, (t.patterns[0]?.pattern.length ?? 0) + 2);
  L.push('    ' + ' No.  Pattern'.padEnd(width + 10).repeat(4).trimEnd());
  for (let i = 0; i < t.patterns.length; i += 4) {
    const row = t.patterns.slice(i, i + 4).map((p, j) => fmtI(i + j + 1, 8) + '  ' + p.pattern.padEnd(width));
    L.push(row.join('').trimEnd());
  }
  L.push('', '', '');

  L.push('     RESPONSE PATTERN FREQUENCIES AND CHI-SQUARE CONTRIBUTIONS', '');
  L.push('    Response          Frequency     Standardized  Chi-square Contribution');
  L.push('     Pattern    Observed  Estimated   Residual    Pearson   Loglikelihood  Deleted');
  L.push('                                     (z-score)');
  t.patterns.forEach((p, i) =>
    L.push(fmtI(i + 1, 10) + fmtF(p.observed, 13, 2) + fmtF(p.estimated, 11, 2) + fmtF(p.z, 11, 2) + fmtF(p.pearson, 11, 2) + fmtF(p.loglikelihood, 13, 2)),
  );
  L.push('', '     THE TOTAL PEARSON CHI-SQUARE CONTRIBUTION FROM EMPTY CELLS IS' + fmtF(t.emptyCellsPearson, 13, 2), '', '');

  L.push('     UNIVARIATE MODEL FIT INFORMATION', '');
  L.push('                               Estimated Probabilities');
  L.push('                                                  Standardized');
  L.push('     Variable              H1           H0          Residual');
  L.push('                                                   (z-score)');
  for (const u of t.univariate) {
    L.push('     ' + u.variables[0]);
    for (const c of u.cells) L.push(cellLabel(c.categories) + fmtF(c.h1, 13, 3) + fmtF(c.h0, 13, 3) + fmtF(c.z, 16, 3));
    tableTotals(L, u, 'Univariate', 59);
  }
  L.push('');
  overall(L, 'Univariate', t.univariateTotals);
  L.push('', '');

  L.push('     BIVARIATE MODEL FIT INFORMATION', '');
  L.push('                                              Estimated Probabilities');
  L.push('                                                                 Standardized');
  L.push('     Variable       Variable              H1           H0          Residual');
  L.push('                                                                  (z-score)');
  for (const b of t.bivariate) {
    L.push('     ' + b.variables[0].padEnd(15) + b.variables[1]);
    for (const c of b.cells) L.push(cellLabel(c.categories) + fmtF(c.h1, 13, 3) + fmtF(c.h0, 13, 3) + fmtF(c.z, 16, 3));
    tableTotals(L, b, 'Bivariate', 74);
  }
  L.push('');
  overall(L, 'Bivariate', t.bivariateTotals);
  L.push('', '');

  for (const k of t.classes) {
    L.push(`     UNIVARIATE DISTRIBUTION FIT FOR CLASS ${k.label}`, '');
    L.push('     Variable          Observed      Estimated      Residual (Obs.-Est.)    Stand. Residual');
    for (const u of k.univariate) {
      L.push('     ' + u.variables[0]);
      for (const c of u.cells) L.push(cellLabel(c.categories) + fmtF(c.h1, 13, 3) + fmtF(c.h0, 15, 3) + fmtF(c.h1 - c.h0, 23, 3) + fmtF(c.z, 21, 3));
    }
    L.push('', '');
    L.push(`     BIVARIATE DISTRIBUTIONS FIT FOR CLASS ${k.label}`, '');
    L.push('     Variable       Variable          Observed     Estimated    Residual (Obs.-Est.)  Stand. Residual');
    for (const b of k.bivariate) {
      L.push('     ' + b.variables[0].padEnd(15) + b.variables[1]);
      for (const c of b.cells) L.push(cellLabel(c.categories) + fmtF(c.h1, 13, 3) + fmtF(c.h0, 12, 3) + fmtF(c.h1 - c.h0, 18, 3) + fmtF(c.z, 17, 3));
    }
    L.push('', '');
  }
  return L;
}
