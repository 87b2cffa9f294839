// A small, fast, seedable PRNG (mulberry32): the same seed gives the same run on any backend.
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, max). */
  nextInt(max: number): number {
    return Math.floor(this.next() * max);
  }

  /** A fresh 31-bit seed for a sub-generator (initializers, dropout masks). */
  nextSeed(): number {
    return this.nextInt(2 ** 31 - 1);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { [i: number]: number; length: number }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i] as number;
      array[i] = array[j] as number;
      array[j] = tmp;
    }
    return array;
  }

  /**
   * `count` distinct indices from [0, n), like numpy.random.choice(n, count, replace=False):
   * a partial Fisher–Yates shuffle, so count === n is a full permutation.
   */
  choice(n: number, count: number): Uint32Array {
    if (count > n) throw new RangeError(`cannot choose ${count} of ${n} without replacement`);
    const pool = new Uint32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + this.nextInt(n - i);
      const tmp = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = tmp;
    }
    return pool.slice(0, count);
  }
}
