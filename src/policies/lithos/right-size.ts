/**
 * LithOS's hardware right-sizing (lithos.md §2.5): give a kernel the fewest TPCs that keep its latency within
 * a slip factor of its latency on all TPCs.
 *
 * - Stage 1, occupancy filter: never more TPCs than its blocks can fill, ceil(blocks / SMs per TPC): one block per SM,
 *   as the block distributor places a grid on an idle GPU (breadth-first, one block per SM and per TPC first:
 *   hardware.md §0.12 and its measured placement). The reproducer divides by blocks per SM × 2 as well (lithos.md
 *   §2.5); that packs co-resident blocks onto fewer SMs, which is not free: in our replays of the ResNet-50 service
 *   alone it made every kernel slower, +25% p99 at slip 1.0 for 14% more SM·time, so it is not what the filter is for
 *   (dropping TPCs the kernel would leave idle anyway).
 * - Stage 2, scaling model l(t) = m/t + b from two samples, all TPCs and one TPC (the predictor's fit): the
 *   smallest t with l(t) ≤ k·l(all), in closed form t = ceil(m / (k·l(all) − b)) (the reproducer's form).
 * - Default slip k = 1.1 ([R-TR] "the paper's 1.1 slip").
 */
import type { AmdahlFit } from "./predictor";

/** TPCs its blocks can fill, one block per SM. */
export function occupancyTpcs(blocks: number, smsPerTpc: number): number {
  return Math.max(1, Math.ceil(blocks / smsPerTpc));
}

/** Fewest TPCs within `slip` of the latency on `allTpcs`, by the fitted model; never more than `allTpcs`. */
export function rightSizedTpcs(fit: AmdahlFit, allTpcs: number, slip: number): number {
  if (fit.m <= 0) return 1;
  const budget = slip * (fit.m / allTpcs + fit.b) - fit.b;
  if (budget <= 0) return allTpcs;
  // A hair of tolerance so that float noise does not push an exact knee one TPC up.
  return Math.max(1, Math.min(allTpcs, Math.ceil(fit.m / budget - 1e-9)));
}
