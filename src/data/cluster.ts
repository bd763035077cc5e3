// Cluster structure (VARIABLE: CLUSTER): clusters numbered in order of first
// appearance, rows grouped by cluster with a stable counting sort, so the rows
// of a cluster keep their file order.

import type { ClusterIndex } from './dataset.js';

/** Build the cluster index of `ids` (no missing values: rows with a missing cluster id are removed before). */
export function buildClusterIndex(variable: string, ids: Float64Array): ClusterIndex {
  const n = ids.length;
  const number = new Map<number, number>();
  const ofRow = new Int32Array(n);
  const firstIds: number[] = [];
  let lastId = NaN;
  let lastG = -1;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (id === lastId) {
      ofRow[i] = lastG; // rows are usually grouped by cluster: skip the map lookup
      continue;
    }
    let g = number.get(id);
    if (g === undefined) {
      g = firstIds.length;
      number.set(id, g);
      firstIds.push(id);
    }
    ofRow[i] = g;
    lastId = id;
    lastG = g;
  }
  const k = firstIds.length;
  const start = new Int32Array(k + 1);
  for (let i = 0; i < n; i++) start[ofRow[i] + 1]++;
  for (let g = 0; g < k; g++) start[g + 1] += start[g];
  const fill = start.slice(0, k);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[ofRow[i]]++] = i;
  return { variable, ids: Float64Array.from(firstIds), start, order, ofRow };
}

/** Cluster numbers of rows for DEFINE-time computations: -1 where the id is missing. */
export function clusterNumbers(ids: Float64Array): { clusterOf: Int32Array; nClusters: number } {
  const number = new Map<number, number>();
  const clusterOf = new Int32Array(ids.length);
  let lastId = NaN;
  let lastG = -1;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id !== id) {
      clusterOf[i] = -1;
      continue;
    }
    if (id === lastId) {
      clusterOf[i] = lastG;
      continue;
    }
    let g = number.get(id);
    if (g === undefined) {
      g = number.size;
      number.set(id, g);
    }
    clusterOf[i] = g;
    lastId = id;
    lastG = g;
  }
  return { clusterOf, nClusters: number.size };
}

/** Number of rows in each cluster. */
export function clusterSizes(c: ClusterIndex): Int32Array {
  const k = c.ids.length;
  const s = new Int32Array(k);
  for (let g = 0; g < k; g++) s[g] = c.start[g + 1] - c.start[g];
  return s;
}
