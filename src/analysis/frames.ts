/**
 * Small summary frames for notebooks, as danfojs DataFrames. danfojs is loaded on first use only (it is slow to
 * load and its operations are slow on large frames): bulk work stays in Arrow and typed arrays, and only the
 * summaries people read become frames.
 */
import type { DataFrame } from "danfojs-node";
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
