// Hand-built ModelIR / Dataset objects for the estimation tests, until the parser, the data reader
// and buildModel land. Keep it small: it mirrors what the lowering stage will produce.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelIR, ParamRow, ParamKind, ObservedVariable } from '../../src/model/ir.js';
import type { Dataset, DataColumn, MeasurementScale } from '../../src/data/dataset.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Path of a data file under fixtures/, e.g. 'sim/lpa4.dat'. */
export function dataPath(rel: string): string {
  const p = FIXTURES + rel;
  if (!existsSync(p)) throw new Error(`fixture ${rel} not found in fixtures/`);
  return p;
}

export interface VarSpec {
  name: string;
  scale?: MeasurementScale;
  role?: 'dependent' | 'covariate';
  level?: 'within' | 'between' | 'both';
}

/** Read a free-format file; keep the listed variables (in that order); recode categorical/nominal to 0..k-1. */
export function readData(rel: string, names: string[], use: VarSpec[]): Dataset {
  const text = readFileSync(dataPath(rel), 'utf8');
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/).map(Number));
  const n = rows.length;
  const columns: DataColumn[] = use.map((v) => {
    const j = names.indexOf(v.name);
    if (j < 0) throw new Error(`no column ${v.name}`);
    const values = Float64Array.from(rows, (r) => r[j]!);
    const scale = v.scale ?? 'continuous';
    const col: DataColumn = { name: v.name.toUpperCase(), display: v.name, values, scale, level: v.level ?? 'within' };
    if (scale === 'categorical' || scale === 'nominal') {
      const cats = [...new Set(values)].sort((a, b) => a - b);
      col.categories = cats;
      for (let i = 0; i < n; i++) values[i] = cats.indexOf(values[i]!);
    }
    return col;
  });
  return {
    file: rel, nRows: n, columns, extra: [],
    summary: { nRead: n, nUsed: n, nDroppedMissingCovariates: 0, nDroppedAllMissing: 0, nDroppedUseObservations: 0, nDroppedKnownClass: 0, patterns: [] },
  };
}

/** Group the rows by the values of the named column (CLUSTER = ...), clusters in order of first appearance. */
export function addClusters(ds: Dataset, clusterValues: Float64Array, variable = 'CLUS'): void {
  const ids: number[] = [], of = new Int32Array(ds.nRows), map = new Map<number, number>();
  for (let i = 0; i < ds.nRows; i++) {
    let j = map.get(clusterValues[i]!);
    if (j === undefined) { j = ids.length; map.set(clusterValues[i]!, j); ids.push(clusterValues[i]!); }
    of[i] = j;
  }
  const start = new Int32Array(ids.length + 1);
  for (let i = 0; i < ds.nRows; i++) start[of[i]! + 1]++;
  for (let j = 0; j < ids.length; j++) start[j + 1] += start[j]!;
  const fillPos = start.slice(0, ids.length), order = new Int32Array(ds.nRows);
  for (let i = 0; i < ds.nRows; i++) order[fillPos[of[i]!]!++] = i;
  ds.cluster = { variable, ids: Float64Array.from(ids), start, order, ofRow: of };
}

/** The values of one column of a free-format data file. */
export function readColumn(rel: string, names: string[], name: string): Float64Array {
  const text = readFileSync(dataPath(rel), 'utf8');
  const j = names.indexOf(name);
  return Float64Array.from(text.split(/\r?\n/).filter((l) => l.trim() !== ''), (l) => Number(l.trim().split(/\s+/)[j]));
}

interface RowOpts {
  rhs?: string;
  index?: number;
  cls?: number;
  /** rows with the same key share one free parameter; default: a fresh parameter */
  key?: string;
  fixed?: number;
  start?: number;
  level?: 'within' | 'between';
}

export class IRBuilder {
  rows: ParamRow[] = [];
  private keys = new Map<string, number>();
  private nPar = 0;
  constructor(private ds: Dataset, private classVar?: { name: string; K: number }) {}

  row(kind: ParamKind, lhs: string, o: RowOpts = {}): this {
    let par = 0;
    if (o.fixed === undefined) {
      const key = o.key ?? `#${this.rows.length}`;
      par = this.keys.get(key) ?? 0;
      if (!par) { par = ++this.nPar; this.keys.set(key, par); }
    }
    this.rows.push({
      id: this.rows.length, level: o.level ?? null,
      classes: o.cls && this.classVar ? { [this.classVar.name]: o.cls } : {},
      kind, lhs: lhs.toUpperCase(), rhs: (o.rhs ?? '').toUpperCase(), index: o.index, par,
      value: o.fixed ?? o.start ?? 0, userValue: o.fixed !== undefined || o.start !== undefined, origin: 'default',
    });
    return this;
  }

  /** the same row for every class; shared (class-invariant) or class-specific parameters */
  each(kind: ParamKind, lhs: string, o: RowOpts & { varying?: boolean } = {}): this {
    const K = this.classVar?.K ?? 1;
    const base = o.key ?? `${o.level ?? ''}:${kind}:${lhs}:${o.rhs ?? ''}:${o.index ?? ''}`;
    for (let k = 1; k <= K; k++) this.row(kind, lhs, { ...o, cls: this.classVar ? k : undefined, key: o.varying ? `${base}@${k}` : base });
    return this;
  }

  /** class logits [c#k], k < K, and optionally c ON x */
  classLogits(covariates: string[] = []): this {
    const cv = this.classVar!;
    for (let k = 1; k < cv.K; k++) this.row('classIntercept', cv.name, { index: k });
    for (let k = 1; k < cv.K; k++) for (const x of covariates) this.row('classRegression', cv.name, { index: k, rhs: x });
    return this;
  }

  build(covariates: string[] = [], analysisType = this.classVar ? ['MIXTURE'] : ['GENERAL'], latent: ModelIR['latent'] = []): ModelIR {
    const twoLevel = analysisType.includes('TWOLEVEL');
    const observed: ObservedVariable[] = this.ds.columns.map((c, j) => ({
      name: c.name, display: c.display, column: j, scale: c.scale,
      nCategories: c.categories?.length, role: covariates.map((s) => s.toUpperCase()).includes(c.name) ? 'covariate' : 'dependent', level: c.level,
    }));
    return {
      analysisType: new Set(analysisType), twoLevel, mixture: !!this.classVar, observed, latent, randomSlopes: [],
      classVariables: this.classVar ? [{ name: this.classVar.name.toUpperCase(), display: this.classVar.name, nClasses: this.classVar.K, level: 'within' }] : [],
      rows: this.rows.map((r) => (this.classVar && r.classes[this.classVar.name] !== undefined ? { ...r, classes: { [this.classVar.name.toUpperCase()]: r.classes[this.classVar.name]! } } : r)),
      nFree: this.nPar, labels: new Map(),
    };
  }
}
