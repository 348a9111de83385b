/**
 * The paper figures that fit one comparison, each with a file-name-safe name: what `lithos-replay figures` writes
 * and what a notebook can loop over. Which figures fit:
 * - `p99-bars` and `tail-throughput` (p99 / alone per system, and against aggregate throughput), at the first sweep
 *   point, when that point has a service and the comparison has several systems or no sweep;
 * - `capacity-vs-slowdown-lithos.slip` (right-sizing) and `energy-vs-slowdown-lithos.dvfs_k` (power) for those
 *   LithOS sweeps;
 * - `sweep-<key>`: p99 / alone (or a job's throughput / alone when no row has a service) along every other sweep
 *   but `tenant` (which picks tenants, not a parameter).
 * Pure.
 */
import type { CompareResult } from "../analysis/compare";
import { compareFigure, rowsAt, savingsFigure, sweepFigure, type FigureOptions } from "./compare";
import type { PlotlyFigure } from "./figure";
import { p99BarsFigure } from "./p99-bars";

export interface NamedFigure {
  /** File-name-safe: letters, digits, `.`, `_`, `-`. */
  readonly name: string;
  readonly figure: PlotlyFigure;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");

/** Every figure of the list in the header that fits `result`, in that order (empty when none fits). */
export function compareFigureSet(result: CompareResult, options: FigureOptions = {}): NamedFigure[] {
  const out: NamedFigure[] = [];
  const first = rowsAt(result);
  if (first.some((r) => r.services.length > 0) && (result.systems.length > 1 || result.sweeps.length === 0)) {
    out.push({ name: "p99-bars", figure: p99BarsFigure(result, undefined, options) });
    out.push({ name: "tail-throughput", figure: compareFigure(result, undefined, options) });
  }
  const anyService = result.rows.some((r) => r.services.length > 0);
  for (const s of result.sweeps) {
    if (s.key === "tenant") continue;
    if (s.key === "lithos.slip") out.push({ name: `capacity-vs-slowdown-${safe(s.key)}`, figure: savingsFigure(result, s.key, "capacity_saved", options) });
    else if (s.key === "lithos.dvfs_k") out.push({ name: `energy-vs-slowdown-${safe(s.key)}`, figure: savingsFigure(result, s.key, "energy_saved", options) });
    else out.push({ name: `sweep-${safe(s.key)}`, figure: sweepFigure(result, s.key, anyService ? "p99_x" : "its_x", options) });
  }
  return out;
}
