// Test helpers for src/model: analysis-variable lists, a tiny free-format
// reader for fixture data (kept independent of src/data), and a reader of the
// TECH1 section of a real Mplus .out file (the ground truth the tests compare to).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataColumn, MeasurementScale } from '../../src/data/dataset.js';
import { parseOrThrow } from '../../src/syntax/parse.js';
import { buildModel } from '../../src/model/index.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));

export type Col = Pick<DataColumn, 'name' | 'display' | 'scale' | 'level'> & Partial<Pick<DataColumn, 'categories' | 'values'>>;

/** `cols('y1 y2 x', { x: { level: 'within' } })` */
export function cols(names: string, extra: Record<string, Partial<Col>> = {}): Col[] {
  return names.split(/\s+/).filter(Boolean).map((n) => ({ name: n.toUpperCase(), display: n, scale: 'continuous' as MeasurementScale, level: 'within' as const, ...extra[n] }));
}

export function build(text: string, columns: Col[]) {
  return buildModel(parseOrThrow(text, 'test.inp'), { columns });
}

/** Read columns `pick` (0-based) of a whitespace-separated fixture file into Float64Arrays. */
export function readColumns(rel: string, pick: number[]): Float64Array[] {
  const lines = readFileSync(root + rel, 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const out = pick.map(() => new Float64Array(lines.length));
  lines.forEach((l, i) => {
    const f = l.trim().split(/\s+/);
    pick.forEach((c, j) => (out[j][i] = Number(f[c])));
  });
  return out;
}

export interface OutMatrix {
  name: string;
  rowLabels: string[] | null;
  colLabels: string[];
  values: number[][];
}
export interface OutSection {
  title: string;
  matrices: OutMatrix[];
}

/**
 * Parse "TECHNICAL 1 OUTPUT" of an Mplus .out file: section titles (PARAMETER SPECIFICATION ... /
 * STARTING VALUES ...), matrices with their labels; column blocks of 5 are merged.
 */
export function readTech1(rel: string): OutSection[] {
  const text = readFileSync(root + rel, 'utf8');
  const start = text.indexOf('TECHNICAL 1 OUTPUT');
  const end = text.indexOf('TECHNICAL', start + 20);
  const lines = text.slice(start, end < 0 ? undefined : end).split(/\r?\n/).slice(1);
  const sections: OutSection[] = [];
  let sec: OutSection | null = null;
  let mat: OutMatrix | null = null;
  let block = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const t = line.trim();
    if (!t) continue;
    if (/^(PARAMETER SPECIFICATION|STARTING VALUES)/.test(t)) {
      sec = { title: t, matrices: [] };
      sections.push(sec);
      mat = null;
      continue;
    }
    if (!sec) continue;
    if (/^ {11}\S/.test(line) && !/^_/.test(t) && /^_/.test(lines[i + 2]?.trim() ?? '')) {
      // matrix header: name, then column labels, then underscores
      const name = t;
      const colsLine = lines[i + 1].trim().split(/\s+/);
      const same = mat && mat.name === name;
      if (!same) {
        mat = { name, rowLabels: null, colLabels: [], values: [] };
        sec.matrices.push(mat);
      }
      block = true;
      mat!.colLabels.push(...colsLine);
      i += 2;
      continue;
    }
    if (mat && block) {
      const parts = t.split(/\s+/);
      const label = /^-?\d*\.?\d+$/.test(parts[0]) ? null : parts[0];
      const nums = (label === null ? parts : parts.slice(1)).map(Number);
      let r = 0;
      if (label !== null) {
        mat.rowLabels ??= [];
        r = mat.rowLabels.indexOf(label);
        if (r < 0) r = mat.rowLabels.push(label) - 1;
      }
      mat.values[r] ??= [];
      mat.values[r].push(...nums);
    }
  }
  return sections;
}
