/**
 * correlation id → process id of the runtime/driver call that carries it (a Map<number, number> in behaviour).
 *
 * Why not a Map: it is read for every GPU event and written for every API call, and with one entry per call a
 * trace's Map grows to hundreds of thousands of entries, where each access cost ~150 ns (about 5 % of an import).
 * Kineto's correlation ids are small non-negative integers counting up from 1, so those index a growable
 * Float64Array (NaN: no entry); anything else (fractions, negatives, ids past DENSE_LIMIT) goes to a Map.
 */

/** Ids below this use the array: at most 8 MB, however sparse the ids. */
const DENSE_LIMIT = 1 << 20;

export class CorrelationProcesses {
  private dense = new Float64Array(1024).fill(NaN);
  private readonly sparse = new Map<number, number>();

  get(correlation: number): number | undefined {
    if (isDenseId(correlation)) {
      if (correlation >= this.dense.length) return undefined;
      const pid = this.dense[correlation];
      return Number.isNaN(pid) ? undefined : pid;
    }
    return this.sparse.get(correlation);
  }

  /** `pid` is finite (the mapper's num() gives only finite numbers), so NaN never stands for a stored value. */
  set(correlation: number, pid: number): void {
    if (!isDenseId(correlation)) {
      this.sparse.set(correlation, pid);
      return;
    }
    if (correlation >= this.dense.length) this.grow(correlation);
    this.dense[correlation] = pid;
  }

  private grow(correlation: number): void {
    let size = this.dense.length;
    while (size <= correlation) size *= 2;
    const grown = new Float64Array(Math.min(size, DENSE_LIMIT)).fill(NaN);
    grown.set(this.dense);
    this.dense = grown;
  }
}

function isDenseId(v: number): boolean {
  // -0 passes and indexes element 0, as a Map would treat it as the key 0.
  return v >= 0 && v < DENSE_LIMIT && v === Math.floor(v);
}
