/**
 * Figures of a comparison (src/analysis/compare.ts), as plotly specs in the paper style (./style.ts): systems in
 * the tail/throughput plane with their Pareto front, a metric along a sweep (head-of-line blocking vs the job's
 * batch size), and savings against slowdown (right-sizing and power sweeps). Every system has its fixed colour and
 * marker. Pure: a result in, `{ data, layout }` out. A result read back from `compare --json` has null where the
 * comparison had NaN or ∞ (JSON has neither); those points are left out.
 */
import type { CompareResult, CompareRow } from "../analysis/compare";
import { pointLabel, type SweepPoint } from "../analysis/sweep";
import type { PlotlyFigure } from "./figure";
import { legendHeightIn, logAxis, paperStyle, systemStyle, SYSTEM_STYLES, type Columns } from "./style";

/** Options every comparison figure takes. */
export interface FigureOptions {
  /** One-column (default) or two-column paper figure. */
  readonly columns?: Columns;
}

const same = (a: SweepPoint, b: SweepPoint) => pointLabel(a) === pointLabel(b);
/** A finite number, else null (plotly leaves null out). */
export const finite = (x: number | null | undefined): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** The rows of one sweep point (default: the first row's), in the result's system order. */
export function rowsAt(result: CompareResult, point?: SweepPoint): CompareRow[] {
  const at = point ?? result.rows[0]?.point ?? {};
  return result.rows.filter((r) => same(r.point, at));
}

/** The systems' points that no other system beats on both throughput (higher) and tail (lower), by throughput. */
function paretoFront(points: { x: number; y: number }[]): { x: number; y: number }[] {
  const front = points.filter((p) => !points.some((q) => q !== p && q.x >= p.x && q.y <= p.y && (q.x > p.x || q.y < p.y)));
  return front.sort((a, b) => a.x - b.x);
}

/**
 * A service's p99 as a multiple of alone (log y) against aggregate throughput (x): one marker per system in its
 * fixed style, at sweep point `point` (default the first), and a grey line through the Pareto-optimal systems.
 * `options.service` picks the service (default the first).
 */
export function compareFigure(result: CompareResult, point?: SweepPoint, options: FigureOptions & { service?: string } = {}): PlotlyFigure {
  const rows = rowsAt(result, point);
  const service = options.service ?? rows.find((r) => r.services.length)?.services[0]?.name;
  if (service === undefined) throw new Error("compareFigure: no service in this comparison (the tail axis needs one)");
  const pts = rows.map((r) => ({ system: r.system, x: finite(r.aggregate_throughput), y: finite(r.services.find((s) => s.name === service)?.p99_x) }));
  const data: Record<string, unknown>[] = pts.map((p) => {
    const st = systemStyle(p.system);
    return { type: "scatter", mode: "markers", name: p.system, x: [p.x], y: [p.y], marker: { color: st.color, symbol: st.symbol, size: 7, line: { width: 1, color: st.color } }, cliponaxis: false };
  });
  const front = paretoFront(pts.filter((p): p is { system: string; x: number; y: number } => p.x !== null && p.y !== null && p.y > 0));
  if (front.length > 1) data.unshift({ type: "scatter", mode: "lines", name: "Pareto front", x: front.map((p) => p.x), y: front.map((p) => p.y), line: { color: "#888888", width: 1, dash: "dot" }, hoverinfo: "skip", showlegend: false });
  const alone = SYSTEM_STYLES.alone!;
  return paperStyle({
    data,
    layout: {
      xaxis: { title: { text: "aggregate throughput (normalised)" } },
      yaxis: { title: { text: `${service} p99 / alone` }, ...logAxis(pts.map((p) => p.y)) },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, yref: "y", y0: 1, y1: 1, line: { color: alone.color, dash: alone.dash, width: 1 }, showlegend: true, name: "alone" }],
    },
  }, { columns: options.columns, extraHeightIn: legendHeightIn(pts.length + 1, options.columns) });
}

/** What `sweepFigure` plots: a service metric (of `service`), a job's throughput multiple, or a row total. */
export type SweepMetric = "p50_us" | "p95_us" | "p99_us" | "p95_x" | "p99_x" | "slo_attainment" | "its_x" | "aggregate_throughput" | "capacity_saved" | "energy_saved" | "j_per_work";

function metricOf(row: CompareRow, metric: SweepMetric, tenant?: string): number | null {
  if (metric === "aggregate_throughput" || metric === "capacity_saved" || metric === "energy_saved" || metric === "j_per_work") return finite(row[metric]);
  if (metric === "its_x") return finite((row.jobs.find((j) => !tenant || j.name === tenant) ?? null)?.its_x);
  return finite((row.services.find((s) => !tenant || s.name === tenant) ?? null)?.[metric]);
}

/** Rows grouped into lines: one per system and combination of the sweeps other than `key`, in row order. */
function linesOf(result: CompareResult, key: string): { system: string; rest: string; rows: CompareRow[] }[] {
  const groups = new Map<string, { system: string; rest: string; rows: CompareRow[] }>();
  for (const r of result.rows) {
    const rest: Record<string, string> = { ...r.point };
    delete rest[key];
    const label = pointLabel(rest);
    const g = `${r.system} ${label}`.trim();
    if (!groups.has(g)) groups.set(g, { system: r.system, rest: label, rows: [] });
    groups.get(g)!.rows.push(r);
  }
  return [...groups.values()];
}

/** Dashes for a system's second, third… line (the other sweeps' values); the first keeps the system's own. */
const EXTRA_DASHES = ["dash", "dot", "dashdot", "longdash"];
function lineStyle(system: string, nth: number): { color: string; symbol: string; dash: string } {
  const st = systemStyle(system);
  return { color: st.color, symbol: st.symbol, dash: nth === 0 ? st.dash : EXTRA_DASHES[(nth - 1) % EXTRA_DASHES.length]! };
}

/** Lines of `linesOf`, each with its style (a system's n-th line gets the n-th dash). */
function styledLines(result: CompareResult, key: string) {
  const seen = new Map<string, number>();
  return linesOf(result, key).map((l) => {
    const nth = seen.get(l.system) ?? 0;
    seen.set(l.system, nth + 1);
    return { ...l, name: `${l.system} ${l.rest}`.trim(), style: lineStyle(l.system, nth) };
  });
}

/** Axis titles of the sweep metrics (units in words, as a paper's axis says them). */
const METRIC_LABELS: Readonly<Record<SweepMetric, string>> = {
  p50_us: "p50 (µs)", p95_us: "p95 (µs)", p99_us: "p99 (µs)", p95_x: "p95 / alone", p99_x: "p99 / alone",
  slo_attainment: "SLO attainment", its_x: "throughput / alone", aggregate_throughput: "aggregate throughput",
  capacity_saved: "capacity saved", energy_saved: "energy saved", j_per_work: "J per unit of work",
};

/**
 * Short x labels for trace files: the file names without their extensions and without the start they all share
 * ("resnet50_colo_train_bs16.pt.trace.json.gz", "…_bs32…" → "bs16", "bs32"), cut at a "_" or "-".
 */
export function traceLabels(values: readonly string[]): Map<string, string> {
  const stems = values.map((v) => v.split(/[\\/]/).pop()!.replace(/\..*$/, ""));
  let cut = 0;
  if (stems.length > 1) {
    const first = stems[0]!;
    let common = 0;
    while (common < first.length && stems.every((s) => s[common] === first[common])) common++;
    for (let i = common; i > 0; i--) if ("_-".includes(first[i - 1]!)) { cut = i; break; }
    if (stems.some((s) => s.length <= cut)) cut = 0;
  }
  return new Map(values.map((v, i) => [v, stems[i]!.slice(cut) || v]));
}

/**
 * `metric` along the values of sweep `key` (x, in sweep order; a trace by its file name), one line per system and
 * combination of the other sweeps, in the system's colour; for multiples of alone, a dashed black line at 1
 * (alone, the ideal).
 */
export function sweepFigure(result: CompareResult, key: string, metric: SweepMetric, options: FigureOptions & { tenant?: string; xLabels?: Readonly<Record<string, string>> } = {}): PlotlyFigure {
  const sweep = result.sweeps.find((s) => s.key === key);
  if (!sweep) throw new Error(`no sweep "${key}" in this comparison`);
  const short = key.endsWith(".trace") ? traceLabels(sweep.values) : undefined;
  const label = (v: string) => options.xLabels?.[v] ?? short?.get(v) ?? v;
  const lines = styledLines(result, key);
  const data: Record<string, unknown>[] = lines.map((l) => ({
    type: "scatter", mode: "lines+markers", name: l.name,
    x: l.rows.map((r) => label(r.point[key]!)),
    y: l.rows.map((r) => metricOf(r, metric, options.tenant)),
    line: { color: l.style.color, dash: l.style.dash, width: 1.5 },
    marker: { color: l.style.color, symbol: l.style.symbol, size: 6 },
  }));
  if (metric.endsWith("_x")) {
    const alone = SYSTEM_STYLES.alone!;
    data.push({ type: "scatter", mode: "lines", name: "alone", x: sweep.values.map(label), y: sweep.values.map(() => 1), line: { dash: alone.dash, color: alone.color, width: 1 } });
  }
  return paperStyle({
    data,
    layout: {
      xaxis: { title: { text: key }, type: "category" },
      yaxis: { title: { text: options.tenant ? `${options.tenant} ${METRIC_LABELS[metric]}` : METRIC_LABELS[metric] } },
    },
  }, { columns: options.columns, extraHeightIn: legendHeightIn(data.length, options.columns) });
}

/** Options of `savingsFigure`. */
export interface SavingsOptions extends FigureOptions {
  /** The tenant whose slowdown is x (default: each row's first service, else its first job). */
  readonly tenant?: string;
}

/**
 * Savings against slowdown along a `lithos.*` sweep: capacity or energy saved (y) against the service's p99 /
 * baseline p99, or a job's baseline it/s / it/s (x); one line per system and other sweep values, each point
 * labelled by its sweep value. The fourth argument may be the tenant's name (the older form) or the options.
 */
export function savingsFigure(result: CompareResult, key: string, saved: "capacity_saved" | "energy_saved", tenantOrOptions?: string | SavingsOptions): PlotlyFigure {
  const options: SavingsOptions = typeof tenantOrOptions === "string" ? { tenant: tenantOrOptions } : tenantOrOptions ?? {};
  const tenant = options.tenant;
  if (!result.sweeps.some((s) => s.key === key)) throw new Error(`no sweep "${key}" in this comparison`);
  const slowdown = (r: CompareRow) => {
    const s = r.services.find((c) => !tenant || c.name === tenant);
    if (s) return finite(s.p99_vs_baseline);
    return finite(r.jobs.find((c) => !tenant || c.name === tenant)?.slowdown_vs_baseline);
  };
  const lines = styledLines(result, key);
  return paperStyle({
    data: lines.map((l) => ({
      type: "scatter", mode: "lines+markers+text", name: l.name,
      x: l.rows.map(slowdown), y: l.rows.map((r) => finite(r[saved])), text: l.rows.map((r) => r.point[key] ?? ""), textposition: "top center",
      line: { color: l.style.color, dash: l.style.dash, width: 1.5 },
      marker: { color: l.style.color, symbol: l.style.symbol, size: 6 },
      cliponaxis: false,
    })),
    layout: {
      xaxis: { title: { text: "slowdown vs baseline (p99, or iteration time)" } },
      yaxis: { title: { text: saved === "capacity_saved" ? "capacity saved" : "energy saved" }, tickformat: ".0%" },
    },
  }, { columns: options.columns, extraHeightIn: legendHeightIn(lines.length, options.columns) });
}
