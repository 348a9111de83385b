/** Latency statistics over a typed array, percentiles by linear interpolation between order statistics (numpy's default). */

export interface LatencyStats {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Percentile q (0–100) of ascending-sorted values; NaN when empty. */
export function percentileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function latencyStats(values: Float64Array): LatencyStats {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : NaN,
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p95: percentileSorted(sorted, 95),
    p99: percentileSorted(sorted, 99),
    p999: percentileSorted(sorted, 99.9),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

/** Fraction of values at or below `limit` (1 when empty: nothing missed it). */
export function fractionWithin(values: Float64Array, limit: number): number {
  if (values.length === 0) return 1;
  let ok = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! <= limit) ok++;
  return ok / values.length;
}
