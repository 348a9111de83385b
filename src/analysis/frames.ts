/**
 * Small summary frames for notebooks, as danfojs DataFrames. danfojs is loaded on first use only (it is slow to
 * load and its operations are slow on large frames): bulk work stays in Arrow and typed arrays, and only the
 * summaries people read become frames.
 */
import type { DataFrame } from "danfojs-node";
import type { CompareResult } from "./compare";
import { pointLabel } from "./sweep";
import type { TraceInfo } from "./trace-info";

type Danfo = typeof import("danfojs-node");
let danfo: Danfo | undefined;

/** The danfojs-node module, loaded once. */
export function danfojs(): Danfo {
  if (!danfo) danfo = require("danfojs-node") as Danfo;
  return danfo;
}

/** Top kernels by total time: name, count, total_ms, mean_us, pct. */
export function topKernelsFrame(info: TraceInfo): DataFrame {
  const { DataFrame } = danfojs();
  return new DataFrame({
    name: info.top_kernels.map((k) => k.name),
    count: info.top_kernels.map((k) => k.count),
    total_ms: info.top_kernels.map((k) => k.total_ns / 1e6),
    mean_us: info.top_kernels.map((k) => k.mean_ns / 1e3),
    pct: info.top_kernels.map((k) => k.pct),
  });
}

/** Row counts per canonical table. */
export function tableRowsFrame(info: TraceInfo): DataFrame {
  const { DataFrame } = danfojs();
  const entries = Object.entries(info.tables);
  return new DataFrame({ table: entries.map(([t]) => t), rows: entries.map(([, r]) => r.rows) });
}

/**
 * The small summary of a comparison: one row per system (and sweep point): each service's p99 multiple of alone
 * and SLO attainment, each job's throughput multiple, aggregate throughput, J per unit of work, SM share; with a
 * `lithos.*` sweep, capacity and energy saved.
 */
export function compareFrame(result: CompareResult): DataFrame {
  const { DataFrame } = danfojs();
  const r3 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);
  const sweeping = result.sweeps.length > 0;
  const lithosSweep = result.rows.some((r) => r.capacity_saved !== null);
  // One record per row; rows of a `tenant` sweep have other tenants, so columns are the union (null where absent).
  const records = result.rows.map((row) => {
    const rec: Record<string, string | number | null> = {};
    if (sweeping) rec.point = pointLabel(row.point);
    rec.system = row.system;
    for (const c of row.services) {
      rec[`${c.name}_p99_x`] = r3(c.p99_x);
      rec[`${c.name}_slo`] = r3(c.slo_attainment);
    }
    for (const c of row.jobs) rec[`${c.name}_its_x`] = r3(c.its_x);
    rec.aggregate = r3(row.aggregate_throughput);
    rec.j_per_work = r3(row.j_per_work);
    rec.sm_share = r3(row.sm_share);
    if (lithosSweep) { rec.capacity_saved = r3(row.capacity_saved); rec.energy_saved = r3(row.energy_saved); }
    return rec;
  });
  const totals = ["aggregate", "j_per_work", "sm_share", "capacity_saved", "energy_saved"];
  const seen = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const keys = [...seen.filter((k) => !totals.includes(k)), ...totals.filter((k) => seen.includes(k))];
  const cols = Object.fromEntries(keys.map((k) => [k, records.map((r) => r[k] ?? null)]));
  // danfojs prints 10 rows and 10 columns by default: a comparison of every system has more.
  return new DataFrame(cols, { config: { tableMaxRow: 200, tableMaxColInConsole: 30 } });
}

/**
 * What a trace analysis returns (Holistic Trace Analysis's convention: one function per analysis, a frame and a
 * figure): the rows as plain objects (small: one per device, stream or kernel name), the same rows as a danfojs
 * DataFrame built on first use, and a plotly figure.
 */
export interface Analysis<Row extends object> {
  readonly rows: readonly Row[];
  readonly frame: DataFrame;
  readonly figure: import("../plot/figure").PlotlyFigure;
}

/** Wraps rows and a figure as an Analysis whose frame is built only when read. */
export function analysisOf<Row extends object>(rows: readonly Row[], figure: import("../plot/figure").PlotlyFigure): Analysis<Row> {
  let frame: DataFrame | undefined;
  return {
    rows,
    figure,
    get frame() {
      if (!frame) {
        const { DataFrame } = danfojs();
        const keys = rows.length ? Object.keys(rows[0]!) : [];
        frame = new DataFrame(Object.fromEntries(keys.map((k) => [k, rows.map((r) => (r as Record<string, unknown>)[k] as never)])), { config: { tableMaxRow: 50, tableMaxColInConsole: 20 } });
      }
      return frame;
    },
  };
}
