// TECH1 as plain data: the PARAMETER SPECIFICATION sections (free-parameter
// numbers, 0 for fixed cells) followed by the STARTING VALUES sections (the
// value of every cell), in Mplus's order and with its section titles, matrix
// names and row/column labels. src/output formats them (5 columns per block,
// `________` rules, number widths).

import type { ModelIR } from './ir.js';
import { layout } from './layout.js';

export interface Tech1Matrix {
  /** NU, LAMBDA, THETA, ALPHA, BETA, PSI, TAU, LAMBDA(U), TAU(U) FOR LATENT CLASS 1, KAPPA(U) ..., ALPHA(C), GAMMA(C), BETA(C) */
  name: string;
  /** null for one-row vectors (printed without a row label) */
  rowLabels: string[] | null;
  colLabels: string[];
  /** lower triangle only (row i has i + 1 entries) */
  symmetric: boolean;
  /** integers (parameter numbers) in specification sections, start values in starting-value sections */
  values: number[][];
}

export interface Tech1Section {
  kind: 'specification' | 'start';
  /** e.g. "PARAMETER SPECIFICATION FOR WITHIN LEVEL, LATENT CLASS 1", "STARTING VALUES FOR LATENT CLASS 2" */
  title: string;
  matrices: Tech1Matrix[];
}

export function tech1(ir: ModelIR): Tech1Section[] {
  const secs = layout(ir);
  const out: Tech1Section[] = [];
  for (const kind of ['specification', 'start'] as const) {
    for (const s of secs) {
      out.push({
        kind,
        title: (kind === 'specification' ? 'PARAMETER SPECIFICATION' : 'STARTING VALUES') + s.title,
        matrices: s.matrices.map((m) => ({
          name: m.name,
          rowLabels: m.rowLabels,
          colLabels: m.colLabels,
          symmetric: m.symmetric,
          values: m.cells.map((line) => line.map((c) => (kind === 'specification' ? (c.row ? c.row.par : 0) : c.row ? c.row.value : c.value))),
        })),
      });
    }
  }
  return out;
}
