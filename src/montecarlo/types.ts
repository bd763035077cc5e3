// Records of a Monte Carlo run: what one replication leaves behind, and the partial result of a shard
// (plain JSON so shards can run on other machines and be merged later).

/** One printed parameter of MODEL RESULTS with its population (coverage) value. */
export interface ParamInfo {
  level: 'within' | 'between' | null;
  classLabel: string | null;
  categoricalLatent: boolean;
  block: string;
  name: string;
  /** TECH1 number */
  par: number;
  population: number;
}

export interface RepRecord {
  /** 1-based replication number */
  rep: number;
  /** estimation terminated normally (the replication counts as completed) */
  ok: boolean;
  message?: string;
  params: ParamInfo[];
  est: number[];
  se: number[];
  fit: { loglikelihood: number; parameters: number; aic: number; bic: number; abic: number } | null;
}

/** What `--shard k/n` writes; `merge` combines parts whose `inputHash` agree. */
export interface PartialResult {
  format: 'plusmix-montecarlo-partial';
  version: 1;
  /** hash of the input text: parts of different inputs are not merged */
  inputHash: string;
  inputText: string;
  path: string;
  shard: { k: number; n: number };
  nreps: number;
  records: RepRecord[];
}
