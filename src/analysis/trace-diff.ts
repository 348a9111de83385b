/**
 * Trace comparison (Holistic Trace Analysis's trace diff): two traces of the same program, before and after a
 * change, side by side per kernel name: counts, total and mean GPU time in each, and what got slower or faster
 * (delta = after − before). Kernels only in one trace are marked added or removed. Rows sorted by |delta|, largest
 * first; the figure shows the largest deltas as bars.
 */
import type { Trace } from "../trace/tables";
import { dictColumn, numberColumn } from "../trace/access";
import type { PlotlyFigure } from "../plot/figure";
import { analysisOf, type Analysis } from "./frames";

export interface DiffRow {
  readonly name: string;
  readonly status: "both" | "added" | "removed";
  readonly count_before: number;
  readonly count_after: number;
  readonly total_before_us: number;
  readonly total_after_us: number;
  /** after − before, µs. */
  readonly delta_us: number;
  readonly mean_before_us: number;
  readonly mean_after_us: number;
}

export interface TraceDiff extends Analysis<DiffRow> {
  readonly totals: { readonly before_us: number; readonly after_us: number; readonly delta_us: number; readonly added: number; readonly removed: number };
}

function perName(trace: Trace): Map<string, { count: number; total: number }> {
  const start = numberColumn(trace.kernels, "start_ns"), end = numberColumn(trace.kernels, "end_ns");
  const { codes, values } = dictColumn(trace.kernels, "name");
  const agg = values.map(() => ({ count: 0, total: 0 }));
  for (let i = 0; i < start.length; i++) { const a = agg[codes[i]!]!; a.count++; a.total += end[i]! - start[i]!; }
  return new Map(values.map((v, k) => [v, agg[k]!]));
}

/** `before` and `after` compared per kernel name; `top` rows kept in the figure (all rows are returned). */
export function compareTraces(before: Trace, after: Trace, options: { top?: number } = {}): TraceDiff {
  const a = perName(before), b = perName(after);
  const names = [...new Set([...a.keys(), ...b.keys()])];
  const rows: DiffRow[] = names.map((name): DiffRow => {
    const x = a.get(name) ?? { count: 0, total: 0 }, y = b.get(name) ?? { count: 0, total: 0 };
    return {
      name, status: x.count === 0 ? "added" : y.count === 0 ? "removed" : "both",
      count_before: x.count, count_after: y.count,
      total_before_us: x.total / 1e3, total_after_us: y.total / 1e3, delta_us: (y.total - x.total) / 1e3,
      mean_before_us: x.count ? x.total / x.count / 1e3 : NaN, mean_after_us: y.count ? y.total / y.count / 1e3 : NaN,
    };
  }).sort((p, q) => Math.abs(q.delta_us) - Math.abs(p.delta_us) || p.name.localeCompare(q.name));
  const sum = (k: "total_before_us" | "total_after_us") => rows.reduce((s, r) => s + r[k], 0);
  const totals = {
    before_us: sum("total_before_us"), after_us: sum("total_after_us"), delta_us: sum("total_after_us") - sum("total_before_us"),
    added: rows.filter((r) => r.status === "added").length, removed: rows.filter((r) => r.status === "removed").length,
  };
  return { ...analysisOf(rows, diffFigure(rows.slice(0, options.top ?? 15))), totals };
}

function diffFigure(rows: readonly DiffRow[]): PlotlyFigure {
  const shown = [...rows].reverse();
  const label = (n: string) => (n.length > 60 ? `${n.slice(0, 59)}…` : n);
  return {
    data: [{
      type: "bar", orientation: "h",
      x: shown.map((r) => r.delta_us / 1e3), y: shown.map((r) => label(r.name)),
      marker: { color: shown.map((r) => (r.delta_us > 0 ? "#D55E00" : "#0072B2")) },
      hovertext: shown.map((r) => `${r.name}<br>${r.status}: ${r.count_before} → ${r.count_after} launches`), hoverinfo: "text+x",
    }],
    layout: { xaxis: { title: { text: "GPU time after − before (ms): slower > 0" } }, height: 60 + 26 * shown.length, margin: { l: 420, r: 20, t: 20, b: 50 } },
  };
}
