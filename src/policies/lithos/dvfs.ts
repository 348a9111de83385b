/**
 * LithOS's transparent power management (lithos.md §2.6): one device-wide clock for all work in flight.
 *
 * - Each kernel's frequency sensitivity s: its slowdown at clock f is s·(f_max/f − 1) (≈1 compute-bound,
 *   ≈0 memory-bound). Learned online from its durations at two clocks; a kernel seen at one clock only is
 *   assumed to scale linearly (s = 1: "at first, a kernel is assumed to scale linearly").
 * - The aggregate S = Σ w_i s_i, w_i its share of recent runtime; the clock f = f_max / (1 + k/S), k the
 *   slowdown budget, applied as the nearest supported clock at or below (the reproducer's transcription).
 * - Unseen kernels run at f_max ("forcing unseen kernels to run at max frequency").
 * - A clock switch takes ~50 ms (§2.6), so decisions are spaced by it.
 */

/** Frequency sensitivity from two observations (clock MHz, duration ns) at the same TPC count; null if the clocks are equal. */
export function sensitivity(fMax: number, a: { f: number; ns: number }, b: { f: number; ns: number }): number | null {
  const xa = fMax / a.f - 1, xb = fMax / b.f - 1;
  const den = a.ns * xb - b.ns * xa;
  if (Math.abs(xa - xb) < 1e-9 || Math.abs(den) < 1e-12) return null;
  // T(f) = T0·(1 + s·x): two samples give s = (T_b − T_a) / (T_a·x_b − T_b·x_a).
  const s = (b.ns - a.ns) / den;
  return Math.min(1.5, Math.max(0, s));
}

/** The clock for an aggregate sensitivity S and slowdown budget k, MHz (before snapping to a supported clock). */
export function dvfsClockMHz(fMax: number, aggregateSensitivity: number, k: number): number {
  if (aggregateSensitivity <= 0) return 0;
  return fMax / (1 + k / aggregateSensitivity);
}
