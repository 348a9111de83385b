/**
 * Memory latency under other tenants' DRAM traffic. A kernel whose time is set by the latency of its memory accesses
 * (few blocks, dependent loads: most of an inference request's small kernels) slows down as other tenants load the
 * memory system, long before the bandwidth saturates, and far more than a fair share of bandwidth would say:
 * measured (tools/measure/interference.py sweep), the ResNet-50 service's requests in one green context beside a
 * DRAM-streaming kernel in the complementary one, on disjoint SMs. The calibration keeps those measurements as a
 * curve of slowdown against the co-runner's DRAM utilisation; the engine applies it to the part of each kernel not
 * bound by DRAM bandwidth (src/sim/engine.ts `contention`).
 */

export interface LoadedLatencyCurve {
  /** DRAM utilisation by other tenants, 0 … 1, ascending (the first point is 0). */
  readonly utilisation: readonly number[];
  /** Request time beside that load over alone, ≥ 1, at each point. */
  readonly slowdown: readonly number[];
}

/** The curve at `u`: piecewise linear between its points, 1 at no load, its last value beyond its last point. */
export function loadedLatencySlowdown(c: LoadedLatencyCurve, u: number): number {
  const xs = c.utilisation, ys = c.slowdown;
  if (!(u > 0) || xs.length === 0) return 1;
  if (u >= xs[xs.length - 1]!) return ys[ys.length - 1]!;
  let i = 1;
  while (xs[i]! < u) i++;
  const x0 = xs[i - 1]!, x1 = xs[i]!;
  return ys[i - 1]! + ((ys[i]! - ys[i - 1]!) * (u - x0)) / (x1 - x0);
}

/** Checks a curve read from a calibration file; returns the cause of the first problem, or null. */
export function loadedLatencyProblem(c: LoadedLatencyCurve): string | null {
  const xs = c.utilisation, ys = c.slowdown;
  if (!Array.isArray(xs) || !Array.isArray(ys) || xs.length !== ys.length || xs.length < 2) return "utilisation and slowdown: two arrays of the same length ≥ 2";
  if (xs[0] !== 0 || ys[0] !== 1) return "the first point is no load (utilisation 0, slowdown 1)";
  for (let i = 1; i < xs.length; i++) {
    if (!(xs[i]! > xs[i - 1]!) || !(xs[i]! <= 1)) return "utilisation ascending within 0 … 1";
    if (!(ys[i]! >= ys[i - 1]!)) return "slowdown not decreasing";
  }
  return null;
}
