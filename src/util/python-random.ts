/**
 * CPython's `random.Random(seed)` for a non-negative integer seed: the MT19937 Mersenne Twister seeded the way
 * CPython seeds it (`init_by_array` over the seed's 32-bit words), its 53-bit `random()`, and `expovariate`.
 * Used to recover the request arrival times of a measurement made by a Python script with a known seed
 * (`lab/colocate.py` draws its Poisson arrivals from `random.Random(1).expovariate(rate)`), so that a measured
 * latency can be split into queueing and service. Not for the replay's own randomness (see ./random.ts).
 */

const N = 624, M = 397;

export class PythonRandom {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`PythonRandom: the seed must be a whole number ≥ 0, got ${seed}`);
    // CPython: the absolute value of an int seed, split into 32-bit words, least significant first (0 → one word 0).
    const key: number[] = [];
    let rest = seed;
    do { key.push(rest % 2 ** 32); rest = Math.floor(rest / 2 ** 32); } while (rest > 0);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(prev, 1812433253) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1, j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++; j++;
      if (i >= N) { mt[0] = mt[N - 1]!; i = 1; }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) { mt[0] = mt[N - 1]!; i = 1; }
    }
    mt[0] = 0x80000000;
  }

  /** The next 32-bit output, unsigned. */
  uint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
        mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    return (y ^ (y >>> 18)) >>> 0;
  }

  /** `random.random()`: a float in [0, 1) from 53 random bits. */
  random(): number {
    const a = this.uint32() >>> 5, b = this.uint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `random.expovariate(lambd)`: exponentially distributed with rate `lambd`. */
  expovariate(lambd: number): number {
    return -Math.log(1 - this.random()) / lambd;
  }
}
