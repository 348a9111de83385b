/**
 * LithOS's online latency predictor (lithos.md §2.4): no offline profiling; one small model per kernel key
 * (the kernel's ordinal since the last synchronisation plus its launch shape: `KernelWork.key`), learned from
 * the durations the policy observes as kernels complete.
 *
 * - Per TPC count, a window of recent durations summarised by their median (the blog: "aggregates recent
 *   durations with the outlier-insensitive median"). Window length: 16, an assumption (lithos.md §7: not stated).
 * - Across TPC counts, the "transformed Amdahl" model T(t) = m/t + b, fitted by least squares in 1/t over the
 *   per-count medians once two counts have been seen (§2.4, §2.5).
 * - For a key seen at one TPC count only, the paper's conservative "optimal linear scaling" fallback:
 *   T(t) = T(t_obs)·t_obs/t (§2.4).
 * - A prediction counts as a misprediction when it is off by more than 50 µs: the reproducer's threshold "the
 *   paper's way", not confirmed as the paper's (§2.4).
 * Durations are stored for the whole kernel: an atom's is scaled up by the kernel's blocks over the atom's.
 */
import { insertAt } from "../../util/arrays";

export interface AmdahlFit {
  /** Parallel part, ns·TPC. */
  readonly m: number;
  /** Serial part, ns. */
  readonly b: number;
}

/** A key's recent durations at one TPC count. */
interface CountWindow {
  readonly tpcs: number;
  /**
   * Recent durations, ns: a ring of at most `window`, filled in order and then overwritten from `head` (the oldest),
   * so that a full window replaces one value in place instead of a push and a `shift` of the array.
   */
  readonly ring: number[];
  head: number;
  /** The ring's values in ascending order (kept beside it, so a median needs no sort). */
  readonly sorted: number[];
  /** The median of the ring, kept as it changes. */
  median: number;
}

interface KeyModel {
  /**
   * A window per TPC count, in the order the counts were first observed (never removed). An array searched in order,
   * not a map: a key is seen at a few counts, the policy observes every kernel, and map lookups (and the closure a
   * fit over a map's entries took, with its boxed sums) were a good part of that.
   */
  readonly counts: CountWindow[];
  /** The TPC count it was first observed at, and its window (`counts[0]`): most observations are at it. */
  readonly firstTpcs: number;
  readonly first: CountWindow;
  fit: AmdahlFit | null;
}

export interface PredictorStats {
  readonly predictions: number;
  readonly mispredictions: number;
  /** 99th percentile of |predicted − observed|, ns (0 without predictions). */
  readonly p99AbsErrorNs: number;
}

export class LatencyPredictor {
  /**
   * Models by kernel key. Keys are small integers the engine numbers from 0 (`KernelWork.key`), so an array indexed
   * by key: the policy looks a key up several times per kernel, and a Map's hashing was a good part of its time.
   */
  private readonly models: (KeyModel | undefined)[] = [];
  /**
   * |predicted − observed| of every prediction, ns, in `errors[0 … errorCount)`: a typed array doubled as it fills.
   * One per kernel of a replay (millions), where pushing onto a growing array was a fifth of an observation.
   */
  private errors = new Float64Array(1024);
  private errorCount = 0;
  private misses = 0;

  constructor(
    private readonly window = 16,
    private readonly missThresholdNs = 50e3,
  ) {}

  /** Predicted duration of the whole kernel `key` on `tpcs` TPCs, ns; null for a key never observed. */
  predict(key: number, tpcs: number): number | null {
    return predictFrom(this.models[key], tpcs);
  }

  /** The fitted model of a key, once it has been observed at two TPC counts or more. */
  fit(key: number): AmdahlFit | null {
    return this.models[key]?.fit ?? null;
  }

  /** TPC counts a key has been observed at. */
  seenAt(key: number): number[] {
    return (this.models[key]?.counts ?? []).map((w) => w.tpcs);
  }

  /** How many TPC counts a key has been observed at (0: never seen); no array made, for the hot path. */
  countsSeen(key: number): number {
    return this.models[key]?.counts.length ?? 0;
  }

  /** Scores the prediction for an observed duration (when there was one), then learns from the observation. */
  observe(key: number, tpcs: number, ns: number): void {
    let model = this.models[key];
    const predicted = predictFrom(model, tpcs);
    if (predicted !== null) {
      const err = Math.abs(predicted - ns);
      if (this.errorCount === this.errors.length) {
        const grown = new Float64Array(2 * this.errors.length);
        grown.set(this.errors);
        this.errors = grown;
      }
      this.errors[this.errorCount++] = err;
      if (err > this.missThresholdNs) this.misses++;
    }
    if (!model) {
      const first = newWindow(tpcs);
      model = { counts: [first], firstTpcs: tpcs, first, fit: null };
      this.models[key] = model;
    }
    let w = tpcs === model.firstTpcs ? model.first : windowAt(model.counts, tpcs);
    const added = !w || w.ring.length === 0;
    if (!w) {
      w = newWindow(tpcs);
      model.counts.push(w);
    }
    if (w.ring.length < this.window) {
      w.ring.push(ns);
      insertAt(w.sorted, upperBound(w.sorted, ns), ns);
    } else {
      // Full: the new duration replaces the oldest, in the ring and in the sorted copy (one pass, no binary search
      // for the insertion and no second shift of the array; the sorted values are the same).
      const old = w.ring[w.head]!;
      w.ring[w.head] = ns;
      w.head = w.head + 1 === w.ring.length ? 0 : w.head + 1;
      replaceSorted(w.sorted, old, ns);
    }
    // Only this count's median changed: the fit is redone from the kept medians, not by re-sorting every ring.
    const before = w.median;
    w.median = medianOfSorted(w.sorted);
    // The fit is a function of the counts' medians alone: when no count was added and this median stayed (the
    // median of a window mostly does), it is the one already kept.
    if (added || w.median !== before) model.fit = model.counts.length >= 2 ? fitMedians(model.counts) : null;
  }

  stats(): PredictorStats {
    const errors = this.errors.slice(0, this.errorCount);
    const n = errors.length;
    return {
      predictions: n,
      mispredictions: this.misses,
      p99AbsErrorNs: n ? kthSmallest(errors, Math.min(n - 1, Math.ceil(0.99 * n) - 1)) : 0,
    };
  }
}

/** A key model's predicted duration on `tpcs` TPCs, ns; null without a model. */
function predictFrom(model: KeyModel | undefined, tpcs: number): number | null {
  if (!model) return null;
  if (model.fit) return Math.max(0, model.fit.m / tpcs + model.fit.b);
  // One TPC count seen: linear scaling from it.
  const t = model.firstTpcs;
  return (model.first.median * t) / tpcs;
}

/** Least squares of T = m·x + b with x = 1/t over the per-count medians; m and b kept ≥ 0. */
export function fitAmdahl(samples: ReadonlyMap<number, readonly number[]>): AmdahlFit {
  return fitMedians([...samples].map(([tpcs, ns]) => ({ tpcs, median: median(ns) })));
}

/** The same fit from each TPC count's median duration, ns. */
function fitMedians(counts: readonly { readonly tpcs: number; readonly median: number }[]): AmdahlFit {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < counts.length; i++) {
    const x = 1 / counts[i]!.tpcs, y = counts[i]!.median;
    n++; sx += x; sy += y; sxx += x * x; sxy += x * y;
  }
  const den = n * sxx - sx * sx;
  if (n < 2 || den <= 0) return { m: 0, b: sy / Math.max(1, n) };
  let m = (n * sxy - sx * sy) / den;
  let b = (sy - m * sx) / n;
  // A kernel that gets slower with more TPCs (noise, contention) is treated as flat; a negative serial part as none.
  if (m < 0) { m = 0; b = sy / n; }
  if (b < 0) { b = 0; m = sxy / sxx; }
  return { m, b };
}

export function median(xs: readonly number[]): number {
  return medianOfSorted([...xs].sort((a, b) => a - b));
}

function medianOfSorted(s: readonly number[]): number {
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * The k-th smallest value of `a` (0-based), reordering `a`: a quickselect, linear on average, where sorting every
 * error of a long replay (one per kernel: millions) was a few per cent of the whole LithOS replay. The errors are
 * absolute differences of finite durations: no NaN, which would need the order a typed array's sort gives it.
 */
function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo, j = hi;
    // Hoare partition: afterwards a[lo..j] ≤ pivot, a[i..hi] ≥ pivot, and anything between equals it.
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) { const t = a[i]!; a[i] = a[j]!; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return pivot;
  }
  return a[k]!;
}

function newWindow(tpcs: number): CountWindow {
  return { tpcs, ring: [], head: 0, sorted: [], median: 0 };
}

/** The window of `tpcs` among a key's, or undefined. */
function windowAt(counts: readonly CountWindow[], tpcs: number): CountWindow | undefined {
  for (let i = 0; i < counts.length; i++) if (counts[i]!.tpcs === tpcs) return counts[i];
  return undefined;
}

/**
 * Replaces one occurrence of `old` in ascending `a` by `x`, keeping `a` ascending: the values in between move one
 * place towards where `old` was (what removing `old` and inserting `x` gives, in one pass).
 */
function replaceSorted(a: number[], old: number, x: number): void {
  let i = lowerBound(a, old);
  if (x > old) for (; i + 1 < a.length && a[i + 1]! < x; i++) a[i] = a[i + 1]!;
  else for (; i > 0 && a[i - 1]! > x; i--) a[i] = a[i - 1]!;
  a[i] = x;
}

/** First index whose value is ≥ x (binary search in ascending `a`). */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid]! < x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** First index whose value is > x. */
function upperBound(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid]! <= x) lo = mid + 1; else hi = mid; }
  return lo;
}
