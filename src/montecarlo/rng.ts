// Random numbers for data generation. Each replication has its own stream, seeded from the run's SEED and the
// replication number only (never from a worker or shard), so results do not depend on how replications are
// spread over cores or machines.

import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

/** 32-bit seed of replication `rep` (1-based): a murmur3-style finaliser of (SEED, rep). */
export function replicationSeed(seed: number, rep: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(rep, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export class Rng {
  private readonly g: ReturnType<typeof xoroshiro128plus>;
  private spare = NaN;
  constructor(seed: number) {
    this.g = xoroshiro128plus(seed);
  }
  /** uniform on (0, 1) */
  uniform(): number {
    let u = uniformFloat64(this.g);
    while (u === 0) u = uniformFloat64(this.g);
    return u;
  }
  /** standard normal (Box-Muller, the second value of each pair kept for the next call) */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }
  /** standard logistic */
  logistic(): number {
    const u = this.uniform();
    return Math.log(u / (1 - u));
  }
}
