/**
 * LithOS's hardware right-sizing (lithos.md §2.5): give a kernel the fewest TPCs that keep its latency within
 * a slip factor of its latency on all TPCs.
 *
 * - Stage 1, occupancy filter: never more TPCs than its blocks can fill, ceil(blocks / (blocks per SM × SMs per TPC)).
 * - Stage 2, scaling model l(t) = m/t + b from two samples, all TPCs and one TPC (the predictor's fit): the
 *   smallest t with l(t) ≤ k·l(all), in closed form t = ceil(m / (k·l(all) − b)) (the reproducer's form).
 * - Default slip k = 1.1 ([R-TR] "the paper's 1.1 slip").
 */
import type { AmdahlFit } from "./predictor";

/** TPCs its blocks can fill. */
export function occupancyTpcs(blocks: number, residentPerSm: number, smsPerTpc: number): number {
  return Math.max(1, Math.ceil(blocks / (Math.max(1, residentPerSm) * smsPerTpc)));
}

/** Fewest TPCs within `slip` of the latency on `allTpcs`, by the fitted model; never more than `allTpcs`. */
export function rightSizedTpcs(fit: AmdahlFit, allTpcs: number, slip: number): number {
  if (fit.m <= 0) return 1;
  const budget = slip * (fit.m / allTpcs + fit.b) - fit.b;
  if (budget <= 0) return allTpcs;
  // A hair of tolerance so that float noise does not push an exact knee one TPC up.
  return Math.max(1, Math.min(allTpcs, Math.ceil(fit.m / budget - 1e-9)));
}
