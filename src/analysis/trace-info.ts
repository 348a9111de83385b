/**
 * What `lithos-replay info` reports about one trace: row counts per table, devices, streams, time span,
 * total kernel time and the top kernels by total time (in the spirit of `nsys stats --report cuda_gpu_kern_sum`).
 * Pure: canonical tables in, a plain object out. Bulk work runs on typed arrays, not on row objects.
 */
import { dictColumn, numberColumn, rowsOf } from "../trace/access";
import { TABLE_NAMES, type Trace } from "../trace/tables";

export interface KernelSummary {
  name: string;
  count: number;
  total_ns: number;
  mean_ns: number;
  min_ns: number;
  max_ns: number;
  /** Share of all kernel time, percent. */
  pct: number;
}

export interface StreamSummary {
  device: number;
  stream: number;
  kernels: number;
  kernel_time_ns: number;
}

export interface TraceInfo {
  source_format: string;
  source_file: string;
  source_tool: string;
  time_base_epoch_ns: string | null;
  tables: Record<string, { rows: number }>;
  devices: { id: number; name: string; sms: number | null; clock_hz: number | null; mem_bandwidth_bytes_per_s: number | null }[];
  streams: StreamSummary[];
  /** First GPU activity start to last GPU activity end (kernels and memops), ns; null without GPU activity. */
  span: { start_ns: number; end_ns: number; duration_ns: number } | null;
  /** Sum over kernels of end − start, integer ns. */
  kernel_time_ns: number;
  top_kernels: KernelSummary[];
  diagnostics: { code: string; severity: string; count: number; message: string }[];
}

export function traceInfo(trace: Trace, topN = 10): TraceInfo {
  const k = trace.kernels;
  const start = numberColumn(k, "start_ns");
  const end = numberColumn(k, "end_ns");
  const device = numberColumn(k, "device_id");
  const stream = numberColumn(k, "stream_id");
  const { codes, values: names } = dictColumn(k, "name");

  const perName = names.map(() => ({ count: 0, total: 0, min: Infinity, max: -Infinity }));
  const perStream = new Map<string, StreamSummary>();
  let kernelTime = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < k.numRows; i++) {
    const d = end[i] - start[i];
    kernelTime += d;
    const agg = perName[codes[i]];
    agg.count++;
    agg.total += d;
    if (d < agg.min) agg.min = d;
    if (d > agg.max) agg.max = d;
    if (start[i] < first) first = start[i];
    if (end[i] > last) last = end[i];
    const key = `${device[i]}/${stream[i]}`;
    let s = perStream.get(key);
    if (!s) perStream.set(key, (s = { device: device[i], stream: stream[i], kernels: 0, kernel_time_ns: 0 }));
    s.kernels++;
    s.kernel_time_ns += d;
  }
  const mStart = numberColumn(trace.memops, "start_ns");
  const mEnd = numberColumn(trace.memops, "end_ns");
  for (let i = 0; i < mStart.length; i++) {
    if (mStart[i] < first) first = mStart[i];
    if (mEnd[i] > last) last = mEnd[i];
  }

  const top = perName
    .map((a, i) => ({ name: names[i], count: a.count, total_ns: a.total, mean_ns: a.count ? a.total / a.count : 0, min_ns: a.min, max_ns: a.max, pct: kernelTime > 0 ? (100 * a.total) / kernelTime : 0 }))
    .filter((s) => s.count > 0)
    .sort((a, b) => b.total_ns - a.total_ns || a.name.localeCompare(b.name))
    .slice(0, topN);

  const tables: Record<string, { rows: number }> = {};
  for (const name of TABLE_NAMES) tables[name] = { rows: trace.tables[name].numRows };

  return {
    source_format: trace.meta.sourceFormat,
    source_file: trace.meta.sourceFile,
    source_tool: trace.meta.sourceTool,
    time_base_epoch_ns: trace.meta.timeBaseEpochNs === null ? null : trace.meta.timeBaseEpochNs.toString(),
    tables,
    devices: rowsOf(trace.devices).map((d) => ({
      id: d.device_id as number, name: d.name as string, sms: (d.sm_count as number | null) ?? null,
      clock_hz: (d.clock_hz as number | null) ?? null, mem_bandwidth_bytes_per_s: (d.mem_bandwidth_bytes_per_s as number | null) ?? null,
    })),
    streams: [...perStream.values()].sort((a, b) => a.device - b.device || a.stream - b.stream),
    span: Number.isFinite(first) ? { start_ns: first, end_ns: last, duration_ns: last - first } : null,
    kernel_time_ns: kernelTime,
    top_kernels: top,
    diagnostics: rowsOf(trace.diagnostics) as TraceInfo["diagnostics"],
  };
}
