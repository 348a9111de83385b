/**
 * Finding the period of a repeating sequence of ids (kernel identities, or the signatures of sync-delimited
 * segments), in O(n log n + n·C) for C candidate periods, so that 500k kernels take tens of milliseconds.
 *
 * Candidates come from the data: every id that repeats votes for its most common distance to its next occurrence
 * (and to its 2nd, 3rd, 4th next). An id that appears k times per iteration votes for the iteration length exactly. Each candidate is then checked by
 * comparing the sequence with itself shifted by it.
 */

/** Positions of every id, grouped by id (counting sort): positions of id v are pos[off[v] .. off[v + 1]). */
export interface Occurrences {
  readonly off: Int32Array;
  readonly pos: Int32Array;
}

/** Groups positions by id; ids must be dense non-negative integers. */
export function occurrences(seq: Int32Array): Occurrences {
  let max = -1;
  for (const v of seq) if (v > max) max = v;
  const off = new Int32Array(max + 2);
  for (const v of seq) off[v + 1]++;
  for (let v = 0; v <= max; v++) off[v + 1] += off[v];
  const fill = off.slice(0, max + 1), pos = new Int32Array(seq.length);
  for (let i = 0; i < seq.length; i++) pos[fill[seq[i]]++] = i;
  return { off, pos };
}

/**
 * The most common distance from one occurrence of an id to the `step`-th next one (the smallest among equally
 * common ones); 0 if it occurs at most `step` times.
 */
function modalGap(pos: Int32Array, from: number, to: number, step: number, scratch: Int32Array): number {
  const m = to - from - step;
  if (m < 1) return 0;
  const gaps = scratch.subarray(0, m);
  for (let i = 0; i < m; i++) gaps[i] = pos[from + i + step] - pos[from + i];
  gaps.sort();
  let best = gaps[0], bestRun = 0;
  for (let i = 0; i < m;) {
    let j = i;
    while (j < m && gaps[j] === gaps[i]) j++;
    if (j - i > bestRun) { bestRun = j - i; best = gaps[i]; }
    i = j;
  }
  return best;
}

/** Fraction of positions i in [0, n − p) with seq[i] === seq[i + p]. */
export function shiftMatch(seq: Int32Array, p: number): number {
  const n = seq.length;
  if (p <= 0 || p >= n) return 0;
  let same = 0;
  for (let i = 0; i + p < n; i++) if (seq[i] === seq[i + p]) same++;
  return same / (n - p);
}

/** Ids occurring up to this many times per iteration still vote for the iteration length. */
const MAX_PER_ITERATION = 4;

/** Default least shift match for a period: a warm-up or a few odd kernels still pass. */
export const MIN_MATCH = 0.85;

export interface PeriodOptions {
  /** Least fraction of positions that must repeat at the shift; default MIN_MATCH. */
  minMatch?: number;
  /** Most candidate shifts checked, the most voted first; default 48. */
  maxCandidates?: number;
}

/** A candidate period and the fraction of the sequence that repeats at it. */
export interface PeriodCandidate {
  readonly period: number;
  readonly match: number;
}

/**
 * The most voted candidate periods p (at least two full repeats: 2p ≤ n), smallest first, each with its shift
 * match. Jitter (iterations a kernel longer or shorter) lowers the match of the true period, so callers that
 * can check a period another way (a kernel that marks every repeat) may take one below `minMatch`.
 */
export function periodCandidates(seq: Int32Array, options: PeriodOptions = {}): PeriodCandidate[] {
  const maxCandidates = options.maxCandidates ?? 48;
  const n = seq.length;
  if (n < 2) return [];
  const { off, pos } = occurrences(seq);
  const votes = new Map<number, number>();
  const scratch = new Int32Array(n);
  // An id that occurs k times per iteration votes for the iteration length with its k-step distance.
  for (let step = 1; step <= MAX_PER_ITERATION; step++) {
    for (let v = 0; v + 1 < off.length; v++) {
      const gap = modalGap(pos, off[v], off[v + 1], step, scratch);
      if (gap > 0 && 2 * gap <= n) votes.set(gap, (votes.get(gap) ?? 0) + (off[v + 1] - off[v]) / step);
    }
  }
  return [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, maxCandidates)
    .map(([period]) => ({ period, match: shiftMatch(seq, period) }))
    .sort((a, b) => a.period - b.period);
}

/**
 * Every candidate period at which the sequence matches itself (at least `minMatch` of it), smallest first.
 * Every multiple of a period is a period too, and a sub-structure (identical layers of a network) can repeat as
 * well as the whole iteration: callers take the first one that also cuts cleanly.
 */
export function findPeriods(seq: Int32Array, options: PeriodOptions = {}): number[] {
  const minMatch = options.minMatch ?? MIN_MATCH;
  return periodCandidates(seq, options).filter((c) => c.match >= minMatch).map((c) => c.period);
}

/** The smallest period of the sequence (see `findPeriods`), or 0 when it does not repeat. */
export function findPeriod(seq: Int32Array, options: PeriodOptions = {}): number {
  return findPeriods(seq, options)[0] ?? 0;
}
