// TECHNICAL 11 OUTPUT (Vuong-Lo-Mendell-Rubin and adjusted LMR tests) and TECHNICAL 14 OUTPUT
// (parametric bootstrapped LRT), in the layout of Mplus 8.8 outputs (MM4DBER/Intro_to_LCA
// enum/c2_bully.out .. c6_bully.out): every value right-aligned so that it ends in column 65;
// loglikelihoods and statistics with 3 decimals, p-values with 4.
// Mplus prints the two sections after RESIDUAL OUTPUT / TECH10 and before PLOT INFORMATION and
// SAVEDATA INFORMATION, TECH11 first. Each function returns the section's lines, starting with
// its title and ending with the blank lines that separate it from the next section.

import type { Tech11Result, Tech14Result } from '../results/types.js';
import { fixed, labelValue } from './format.js';

const END = 65;
const line = (indent: number, label: string, value: string) => labelValue(' '.repeat(indent) + label, value, END);
const f3 = (x: number) => fixed(x, 3);
const f4 = (x: number) => fixed(x, 4);

function k1StartLines(s: [number, number]): string[] {
  return [
    '     Random Starts Specifications for the k-1 Class Analysis Model',
    line(8, 'Number of initial stage random starts', String(s[0])),
    line(8, 'Number of final stage optimizations', String(s[1])),
  ];
}

/** Lines of TECHNICAL 11 OUTPUT. */
export function tech11Lines(t: Tech11Result): string[] {
  return [
    'TECHNICAL 11 OUTPUT',
    '',
    ...k1StartLines(t.k1Starts),
    '',
    '',
    '',
    `     VUONG-LO-MENDELL-RUBIN LIKELIHOOD RATIO TEST FOR ${t.classes - 1} (H0) VERSUS ${t.classes} CLASSES`,
    '',
    line(10, 'H0 Loglikelihood Value', f3(t.h0Loglikelihood)),
    line(10, '2 Times the Loglikelihood Difference', f3(t.lrt)),
    line(10, 'Difference in the Number of Parameters', String(t.parameterDifference)),
    line(10, 'Mean', f3(t.mean)),
    line(10, 'Standard Deviation', f3(t.sd)),
    line(10, 'P-Value', f4(t.pValue)),
    '',
    '     LO-MENDELL-RUBIN ADJUSTED LRT TEST',
    '',
    line(10, 'Value', f3(t.adjusted.value)),
    line(10, 'P-Value', f4(t.adjusted.pValue)),
    '',
    '',
  ];
}

/** Lines of TECHNICAL 14 OUTPUT (with Mplus's local-maxima warning when some draws call for it). */
export function tech14Lines(t: Tech14Result): string[] {
  const [a, b, c, d] = t.lrtStarts;
  const out = [
    'TECHNICAL 14 OUTPUT',
    '',
    ...k1StartLines(t.k1Starts),
    '',
    '     Random Starts Specification for the k-1 Class Model for Generated Data',
    line(8, 'Number of initial stage random starts', String(a)),
    '        Number of final stage optimizations for the',
    line(11, 'initial stage random starts', String(b)),
    '     Random Starts Specification for the k Class Model for Generated Data',
    line(8, 'Number of initial stage random starts', String(c)),
    line(8, 'Number of final stage optimizations', String(d)),
    line(5, 'Number of bootstrap draws requested', t.drawsRequested === null ? 'Varies' : String(t.drawsRequested)),
    '',
    '',
    `     PARAMETRIC BOOTSTRAPPED LIKELIHOOD RATIO TEST FOR ${t.classes - 1} (H0) VERSUS ${t.classes} CLASSES`,
    '',
    line(10, 'H0 Loglikelihood Value', f3(t.h0Loglikelihood)),
    line(10, '2 Times the Loglikelihood Difference', f3(t.lrt)),
    line(10, 'Difference in the Number of Parameters', String(t.parameterDifference)),
    line(10, 'Approximate P-Value', f4(t.pValue)),
    line(10, 'Successful Bootstrap Draws', String(t.successfulDraws)),
    '',
    '',
  ];
  // the warning goes between the two blank lines that end the section, followed by one more
  if (t.notReplicated > 0)
    out.splice(out.length - 1, 0,
      `     WARNING:  OF THE ${t.successfulDraws} BOOTSTRAP DRAWS, ${t.notReplicated} DRAWS HAD BOTH A SMALLER LRT VALUE THAN THE`,
      `     OBSERVED LRT VALUE AND NOT A REPLICATED BEST LOGLIKELIHOOD VALUE FOR THE ${t.classes}-CLASS MODEL.`,
      '     THIS MEANS THAT THE P-VALUE MAY NOT BE TRUSTWORTHY DUE TO LOCAL MAXIMA.',
      '     INCREASE THE NUMBER OF RANDOM STARTS USING THE LRTSTARTS OPTION.',
      '',
      '',
    );
  return out;
}
