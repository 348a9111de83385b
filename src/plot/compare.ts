/**
 * Figures of a comparison (src/analysis/compare.ts), as plotly specs: systems in the latency/throughput plane, a
 * metric along a sweep (head-of-line blocking vs the job's batch size), and savings against slowdown
 * (right-sizing and power sweeps). Pure: a result in, `{ data, layout }` out.
 */
import type { CompareResult, CompareRow } from "../analysis/compare";
import { pointLabel, type SweepPoint } from "../analysis/sweep";
import type { PlotlyFigure } from "./figure";

const FONT = { family: "Helvetica, Arial, sans-serif", size: 11 };
const same = (a: SweepPoint, b: SweepPoint) => pointLabel(a) === pointLabel(b);

/**
 * Each service's p99 as a multiple of alone (log y) against aggregate throughput (x), one marker per system,
 * one trace per service; the rows of `point` (default: the first sweep point).
 */
export function compareFigure(result: CompareResult, point?: SweepPoint): PlotlyFigure {
  const at = point ?? result.rows[0]?.point ?? {};
  const rows = result.rows.filter((r) => same(r.point, at));
  const services = rows[0]?.services.map((s) => s.name) ?? [];
  return {
    data: services.map((name, i) => ({
      type: "scatter",
      mode: "markers+text",
      name: `${name} p99 / alone`,
      x: rows.map((r) => r.aggregate_throughput),
      y: rows.map((r) => r.services[i]!.p99_x),
      text: rows.map((r) => r.system),
      textposition: "top center",
      marker: { size: 9 },
    })),
    layout: {
      xaxis: { title: { text: "aggregate throughput (Σ normalised to alone / offered)" } },
      yaxis: { title: { text: "service p99 / alone p99" }, type: "log" },
      height: 460, margin: { l: 70, r: 20, t: 30, b: 50 }, font: FONT,
      title: { text: pointLabel(at) || undefined },
    },
  };
}

/** What `sweepFigure` plots: a service metric (of `service`), a job's throughput multiple, or a row total. */
export type SweepMetric = "p50_us" | "p95_us" | "p99_us" | "p95_x" | "p99_x" | "slo_attainment" | "its_x" | "aggregate_throughput" | "capacity_saved" | "energy_saved" | "j_per_work";

function metricOf(row: CompareRow, metric: SweepMetric, tenant?: string): number | null {
  if (metric === "aggregate_throughput" || metric === "capacity_saved" || metric === "energy_saved" || metric === "j_per_work") return row[metric];
  if (metric === "its_x") return (row.jobs.find((j) => !tenant || j.name === tenant) ?? null)?.its_x ?? null;
  return (row.services.find((s) => !tenant || s.name === tenant) ?? null)?.[metric] ?? null;
}

/**
 * `metric` along the values of sweep `key` (x, in sweep order; a trace by its file name), one line per system and
 * combination of the other sweeps; for multiples of alone, a dashed line at 1 (alone, the ideal).
 */
export function sweepFigure(result: CompareResult, key: string, metric: SweepMetric, options: { tenant?: string; xLabels?: Readonly<Record<string, string>> } = {}): PlotlyFigure {
  const sweep = result.sweeps.find((s) => s.key === key);
  if (!sweep) throw new Error(`no sweep "${key}" in this comparison`);
  const label = (v: string) => options.xLabels?.[v] ?? (key.endsWith(".trace") ? v.split(/[\\/]/).pop()! : v);
  const groups = new Map<string, CompareRow[]>();
  for (const r of result.rows) {
    const rest: Record<string, string> = { ...r.point };
    delete rest[key];
    const g = `${r.system} ${pointLabel(rest)}`.trim();
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const data: Record<string, unknown>[] = [...groups.entries()].map(([name, rows]) => ({
    type: "scatter", mode: "lines+markers", name,
    x: rows.map((r) => label(r.point[key]!)),
    y: rows.map((r) => metricOf(r, metric, options.tenant)),
  }));
  if (metric.endsWith("_x")) {
    data.push({ type: "scatter", mode: "lines", name: "alone (ideal)", x: sweep.values.map(label), y: sweep.values.map(() => 1), line: { dash: "dash", color: "#555" } });
  }
  return {
    data,
    layout: {
      xaxis: { title: { text: key }, type: "category" },
      yaxis: { title: { text: options.tenant ? `${options.tenant} ${metric}` : metric } },
      height: 420, margin: { l: 70, r: 20, t: 20, b: 60 }, font: FONT,
    },
  };
}

/**
 * Savings against slowdown along a `lithos.*` sweep: capacity or energy saved (y) against the service's p99 /
 * baseline p99, or a job's baseline it/s / it/s (x); one line per system and other sweep values, labelled by value.
 */
export function savingsFigure(result: CompareResult, key: string, saved: "capacity_saved" | "energy_saved", tenant?: string): PlotlyFigure {
  const groups = new Map<string, CompareRow[]>();
  for (const r of result.rows) {
    const rest: Record<string, string> = { ...r.point };
    delete rest[key];
    const g = `${r.system} ${pointLabel(rest)}`.trim();
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const slowdown = (r: CompareRow) => {
    const s = r.services.find((c) => !tenant || c.name === tenant);
    if (s) return s.p99_vs_baseline;
    return r.jobs.find((c) => !tenant || c.name === tenant)?.slowdown_vs_baseline ?? null;
  };
  return {
    data: [...groups.entries()].map(([name, rows]) => ({
      type: "scatter", mode: "lines+markers+text", name,
      x: rows.map(slowdown), y: rows.map((r) => r[saved]), text: rows.map((r) => r.point[key] ?? ""), textposition: "top center",
    })),
    layout: {
      xaxis: { title: { text: "slowdown vs baseline (service p99, or job iteration time)" } },
      yaxis: { title: { text: saved.replace("_", " ") }, tickformat: ".0%" },
      height: 420, margin: { l: 70, r: 20, t: 20, b: 50 }, font: FONT,
    },
  };
}
