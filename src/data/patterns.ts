// Missing-data patterns and covariance coverage of the analysis variables.
// Coverage is computed from the pattern counts (cheap for large N): the
// proportion of rows with both variables observed, lower triangle by rows
// including the diagonal, as DataSummary.coverage documents.

export interface PatternSummary {
  patterns: Array<{ observed: boolean[]; count: number }>;
  coverage: Float64Array;
}

/** Patterns: the complete-data pattern first (if any), then the others in order of first appearance. */
export function missingPatterns(cols: Float64Array[], nRows: number): PatternSummary {
  const p = cols.length;
  const patterns: PatternSummary['patterns'] = [];
  // rows with any missing value, found column by column (cache friendly); complete rows are counted in bulk
  const incomplete = new Uint8Array(nRows);
  for (let j = 0; j < p; j++) {
    const c = cols[j];
    for (let i = 0; i < nRows; i++) if (c[i] !== c[i]) incomplete[i] = 1;
  }
  let nComplete = 0;
  for (let i = 0; i < nRows; i++) if (!incomplete[i]) nComplete++;
  if (nComplete) patterns.push({ observed: new Array(p).fill(true), count: nComplete });
  // pattern key: a bit mask held exactly in a double for up to 52 variables, a string beyond
  const index = new Map<number | string, number>();
  const key = new Uint8Array(p);
  for (let i = 0; i < nRows; i++) {
    if (!incomplete[i]) continue;
    let bits = 0;
    for (let j = 0; j < p; j++) {
      const o = cols[j][i] === cols[j][i] ? 1 : 0;
      key[j] = o;
      if (p <= 52) bits = bits * 2 + o;
    }
    const k: number | string = p <= 52 ? bits : key.join('');
    let at = index.get(k);
    if (at === undefined) {
      at = patterns.length;
      index.set(k, at);
      patterns.push({ observed: Array.from(key, (b) => b === 1), count: 0 });
    }
    patterns[at].count++;
  }
  const coverage = new Float64Array((p * (p + 1)) / 2);
  for (const pat of patterns) {
    let t = 0;
    for (let a = 0; a < p; a++) for (let b = 0; b <= a; b++, t++) if (pat.observed[a] && pat.observed[b]) coverage[t] += pat.count;
  }
  if (nRows > 0) for (let t = 0; t < coverage.length; t++) coverage[t] /= nRows;
  return { patterns, coverage };
}
