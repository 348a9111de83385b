/**
 * Replay results as frames and figures (each one function, like the trace analyses): latency CDFs of the services
 * (one line per tenant, or per system when several replays of one scenario are given, in each system's fixed
 * colour), SM occupancy per tenant over time (who held how much of the GPU, per power window: the engine counts
 * SMs, not their identities, so this is a stacked area rather than a per-TPC Gantt), and
 * board power, SM clock and utilisation over time. Bulk work on typed arrays; rows stay small.
 */
import type { ReplayResult } from "../replay";
import type { PlotlyFigure } from "../plot/figure";
import { systemStyle } from "../plot/style";
import { percentileSorted } from "../metrics/latency";
import { analysisOf, type Analysis } from "./frames";

export interface LatencyRow {
  /** The replay's policy (when several replays are compared) and the tenant. */
  readonly system: string;
  readonly tenant: string;
  readonly requests: number;
  readonly p50_ms: number;
  readonly p90_ms: number;
  readonly p99_ms: number;
  readonly p999_ms: number;
  readonly max_ms: number;
}

/** At most this many points per CDF line: quantiles of the sorted latencies (the curve's shape at plot resolution). */
const CDF_POINTS = 400;

/**
 * Latency CDFs of the services of one replay, or of one service across replays (`results`, e.g. one per system;
 * `tenant` picks the service, default the first). The x axis is log ms.
 */
export function latencyCdfs(results: ReplayResult | readonly ReplayResult[], tenant?: string): Analysis<LatencyRow> {
  const list: readonly ReplayResult[] = Array.isArray(results) ? (results as readonly ReplayResult[]) : [results as ReplayResult];
  const many = list.length > 1;
  const rows: LatencyRow[] = [];
  const data: Record<string, unknown>[] = [];
  for (const r of list) {
    const services = r.sim.tenants.filter((t) => t.role === "service" && (!many || tenant === undefined || t.name === tenant));
    for (const t of many && tenant === undefined ? services.slice(0, 1) : services) {
      const sorted = Float64Array.from(t.latenciesNs).sort();
      if (sorted.length === 0) continue;
      const q = (p: number) => percentileSorted(sorted, p) / 1e6;
      rows.push({ system: r.sim.policy, tenant: t.name, requests: sorted.length, p50_ms: q(50), p90_ms: q(90), p99_ms: q(99), p999_ms: q(99.9), max_ms: sorted[sorted.length - 1]! / 1e6 });
      const n = Math.min(CDF_POINTS, sorted.length);
      const x: number[] = [], y: number[] = [];
      for (let k = 0; k < n; k++) {
        const i = n === 1 ? sorted.length - 1 : Math.round((k * (sorted.length - 1)) / (n - 1));
        x.push(sorted[i]! / 1e6);
        y.push((i + 1) / sorted.length);
      }
      const style = systemStyle(r.sim.policy);
      data.push({
        type: "scatter", mode: "lines", name: many ? r.sim.policy : t.name, x, y,
        line: many ? { color: style.color, dash: style.dash, width: 1.5 } : { width: 1.5 },
      });
    }
  }
  const figure: PlotlyFigure = {
    data,
    layout: {
      xaxis: { title: { text: "request latency (ms)" }, type: "log" },
      yaxis: { title: { text: "fraction of requests" }, range: [0, 1.02] },
      height: 360, margin: { l: 60, r: 20, t: 20, b: 50 },
    },
  };
  return analysisOf(rows, figure);
}

export interface OccupancyRow {
  readonly tenant: string;
  /** Mean SM-equivalents held over the run, and as a share of the GPU's SMs; the most held in one power window. */
  readonly mean_sms: number;
  readonly share: number;
  readonly peak_sms: number;
}

/** SM-equivalents each tenant held in each power window (10 ms by default), stacked: who held how much of the GPU. */
export function smOccupancy(result: ReplayResult): Analysis<OccupancyRow> {
  const s = result.sim.power;
  const x = s.startNs.map((t) => t / 1e6);
  // Windows have equal length but the last, so weigh each window's mean by its length.
  const lengths = s.startNs.map((t, k) => (k + 1 < s.startNs.length ? s.startNs[k + 1]! : result.sim.endNs) - t);
  const total = lengths.reduce((a, b) => a + b, 0);
  const smCount = result.gpu.smCount;
  const rows = result.sim.tenants.map((t) => {
    const mean = total > 0 ? t.smSeries.reduce((a, v, k) => a + v * lengths[k]!, 0) / total : 0;
    return { tenant: t.name, mean_sms: mean, share: mean / smCount, peak_sms: Math.max(0, ...t.smSeries) };
  });
  const figure: PlotlyFigure = {
    data: result.sim.tenants.map((t) => ({ type: "scatter", mode: "lines", stackgroup: "sms", name: t.name, x, y: [...t.smSeries], line: { width: 0.5 } })),
    layout: {
      xaxis: { title: { text: "time (ms)" } },
      yaxis: { title: { text: `SMs held (of ${smCount})` }, range: [0, smCount] },
      height: 340, margin: { l: 60, r: 20, t: 20, b: 50 },
    },
  };
  return analysisOf(rows, figure);
}

export interface PowerRow {
  readonly energy_j: number;
  readonly mean_power_w: number;
  readonly peak_power_w: number;
  readonly min_clock_mhz: number;
  readonly mean_clock_mhz: number;
  readonly mean_utilization: number;
}

/** Board power, SM clock and utilisation per power window (10 ms by default) over the replay. */
export function powerOverTime(result: ReplayResult): Analysis<PowerRow> {
  const s = result.sim.power;
  const n = s.startNs.length;
  const mean = (a: readonly number[]) => (n ? a.reduce((x, y) => x + y, 0) / n : NaN);
  const rows: PowerRow[] = [{
    energy_j: result.sim.energyJ, mean_power_w: mean(s.powerW), peak_power_w: Math.max(...s.powerW),
    min_clock_mhz: Math.min(...s.clockMHz), mean_clock_mhz: mean(s.clockMHz), mean_utilization: mean(s.utilization),
  }];
  const x = s.startNs.map((t) => t / 1e6);
  const figure: PlotlyFigure = {
    data: [
      { type: "scatter", mode: "lines", name: "board power (W)", x, y: s.powerW },
      { type: "scatter", mode: "lines", name: "SM clock (MHz)", x, y: s.clockMHz, yaxis: "y2", line: { dash: "dot" } },
    ],
    layout: {
      xaxis: { title: { text: "time (ms)" } },
      yaxis: { title: { text: "board power (W)" }, rangemode: "tozero" },
      yaxis2: { title: { text: "SM clock (MHz)" }, overlaying: "y", side: "right", rangemode: "tozero" },
      height: 340, margin: { l: 60, r: 60, t: 20, b: 50 },
    },
  };
  return analysisOf(rows, figure);
}
