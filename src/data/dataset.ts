// The data set handed to the estimators: columnar, one Float64Array per
// variable, NaN for missing, rows already filtered (USEOBSERVATIONS, missing
// covariates, all-missing outcomes, KNOWNCLASS values) and grouped by cluster.

export type MeasurementScale = 'continuous' | 'categorical' | 'nominal' | 'count' | 'censored';

export interface DataColumn {
  /** canonical upper-case name (as used in the model IR) */
  name: string;
  /** the user's spelling */
  display: string;
  values: Float64Array; // length = nRows, NaN = missing
  scale: MeasurementScale;
  /** categorical / nominal: the observed values, sorted, that were recoded to 0..k-1 */
  categories?: number[];
  /** VARIABLE: WITHIN / BETWEEN / neither ('both'); single-level data: 'within' */
  level: 'within' | 'between' | 'both';
  /** TYPE = THREELEVEL: the level of a BETWEEN variable (`BETWEEN = (level2) w (level3) z`) */
  betweenLevel?: 'LEVEL2' | 'LEVEL3';
}

export interface ClusterIndex {
  /** name of the CLUSTER variable */
  variable: string;
  /** cluster id of each cluster, in order of first appearance */
  ids: Float64Array;
  /** rows of cluster j are order[start[j]] .. order[start[j+1]-1] (rows sorted by cluster, stable) */
  start: Int32Array; // length nClusters + 1
  order: Int32Array; // length nRows
  /** cluster number (0-based) of each row */
  ofRow: Int32Array;
}

export interface DataSummary {
  nRead: number; // records read from the file
  nUsed: number;
  nDroppedMissingCovariates: number;
  nDroppedAllMissing: number;
  nDroppedUseObservations: number;
  nDroppedKnownClass: number;
  /** rows dropped because the CLUSTER variable is missing */
  nDroppedMissingCluster?: number;
  /** rows dropped by DATA: LISTWISE = ON */
  nDroppedListwise?: number;
  /** missing-data patterns of the analysis variables */
  patterns: Array<{ observed: boolean[]; count: number }>;
  /** covariance coverage matrix (proportion of rows with both values observed), row-major lower triangle incl. diagonal */
  coverage?: Float64Array;
}

export interface Dataset {
  /** data file path as given in DATA: FILE (for messages and SAVEDATA info) */
  file: string;
  nRows: number;
  /** analysis variables in USEVARIABLES order (after DEFINE) */
  columns: DataColumn[];
  /** variables carried but not analysed: IDVARIABLE, AUXILIARY, CLUSTER, WEIGHT, KNOWNCLASS source */
  extra: DataColumn[];
  id?: DataColumn;
  weight?: DataColumn;
  cluster?: ClusterIndex;
  /**
   * TYPE = THREELEVEL (`CLUSTER = level3 level2`): the level-3 clusters; `cluster` then holds the level-2
   * clusters, each of which lies in one level-3 cluster (checked when the data are read).
   */
  clusterTop?: ClusterIndex;
  /** KNOWNCLASS: 0-based known class of each row, per known class variable */
  knownClass?: Array<{ classVariable: string; of: Int32Array }>;
  summary: DataSummary;
  /** 1-based record number in the data file of each row (after WIDETOLONG/LONGTOWIDE: row of the reshaped data), for messages */
  recordNumbers?: Int32Array;
}

export function column(ds: Dataset, name: string): DataColumn | undefined {
  const up = name.toUpperCase();
  return ds.columns.find((c) => c.name === up) ?? ds.extra.find((c) => c.name === up);
}
