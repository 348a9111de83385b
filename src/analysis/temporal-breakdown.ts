/**
 * Temporal breakdown (Holistic Trace Analysis's first analysis): how each GPU spent the trace's GPU span, in
 * compute (kernels), communication (NCCL kernels), memory (memcpy/memset with no kernel running) and idle time.
 * At each instant one category holds, in that order of precedence, so the four add up to the span exactly.
 * Columnar: one sort of the interval ends, one sweep.
 */
import type { Trace } from "../trace/tables";
import { dictColumn, numberColumn } from "../trace/access";
import type { PlotlyFigure } from "../plot/figure";
import { analysisOf, type Analysis } from "./frames";

export interface TemporalRow {
  readonly device: number;
  readonly span_ns: number;
  readonly compute_ns: number;
  readonly communication_ns: number;
  readonly memory_ns: number;
  readonly idle_ns: number;
  /** Shares of the span, percent. */
  readonly compute_pct: number;
  readonly communication_pct: number;
  readonly memory_pct: number;
  readonly idle_pct: number;
}

/** Collective-communication kernels (NCCL, and RCCL on AMD) by name, as HTA classifies them. */
export const COMMUNICATION_KERNEL = /^(nccl|rccl)|ncclDevKernel|ncclKernel/i;

const COMPUTE = 0, COMM = 1, MEMORY = 2;

export function temporalBreakdown(trace: Trace): Analysis<TemporalRow> {
  const kStart = numberColumn(trace.kernels, "start_ns"), kEnd = numberColumn(trace.kernels, "end_ns");
  const kDev = numberColumn(trace.kernels, "device_id");
  const { codes, values: names } = dictColumn(trace.kernels, "name");
  const isComm = names.map((n) => COMMUNICATION_KERNEL.test(n));
  const mStart = numberColumn(trace.memops, "start_ns"), mEnd = numberColumn(trace.memops, "end_ns");
  const mDev = numberColumn(trace.memops, "device_id");
  const n = kStart.length + mStart.length;
  // Interval i: kernels first, then memops. Each contributes a +1 at its start and a −1 at its end.
  const start = new Float64Array(n), end = new Float64Array(n), dev = new Float64Array(n), cat = new Uint8Array(n);
  for (let i = 0; i < kStart.length; i++) { start[i] = kStart[i]!; end[i] = kEnd[i]!; dev[i] = kDev[i]!; cat[i] = isComm[codes[i]!] ? COMM : COMPUTE; }
  for (let j = 0; j < mStart.length; j++) { const i = kStart.length + j; start[i] = mStart[j]!; end[i] = mEnd[j]!; dev[i] = mDev[j]!; cat[i] = MEMORY; }
  const devices = [...new Set(dev)].sort((a, b) => a - b);
  const rows = devices.map((d) => {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (dev[i] === d && end[i]! >= start[i]!) idx.push(i);
    // Edges sorted by time; at equal times ends before starts, so touching intervals leave no zero-length overlap.
    const edges = new Float64Array(2 * idx.length), order = new Uint32Array(2 * idx.length);
    idx.forEach((i, k) => { edges[2 * k] = start[i]!; edges[2 * k + 1] = end[i]!; });
    for (let e = 0; e < order.length; e++) order[e] = e;
    order.sort((a, b) => edges[a]! - edges[b]! || (b & 1) - (a & 1));
    const active = [0, 0, 0], total = [0, 0, 0];
    let first = Infinity, last = -Infinity, prev = NaN;
    for (const e of order) {
      const t = edges[e]!;
      if (!Number.isNaN(prev)) {
        const c = active[COMPUTE]! > 0 ? COMPUTE : active[COMM]! > 0 ? COMM : active[MEMORY]! > 0 ? MEMORY : -1;
        if (c >= 0) total[c]! += t - prev;
      }
      const i = idx[e >> 1]!;
      active[cat[i]!]! += e & 1 ? -1 : 1;
      prev = t;
      if (t < first) first = t;
      if (t > last) last = t;
    }
    const span = idx.length ? last - first : 0;
    const busy = total[0]! + total[1]! + total[2]!;
    const pct = (x: number) => (span > 0 ? (100 * x) / span : 0);
    return {
      device: d, span_ns: span, compute_ns: total[COMPUTE]!, communication_ns: total[COMM]!, memory_ns: total[MEMORY]!, idle_ns: span - busy,
      compute_pct: pct(total[COMPUTE]!), communication_pct: pct(total[COMM]!), memory_pct: pct(total[MEMORY]!), idle_pct: pct(span - busy),
    };
  });
  return analysisOf(rows, temporalFigure(rows));
}

function temporalFigure(rows: readonly TemporalRow[]): PlotlyFigure {
  const x = rows.map((r) => `GPU ${r.device}`);
  const parts: [keyof TemporalRow, string][] = [["compute_pct", "compute"], ["communication_pct", "communication"], ["memory_pct", "memory"], ["idle_pct", "idle"]];
  return {
    data: parts.map(([k, name]) => ({ type: "bar", name, x, y: rows.map((r) => r[k]) })),
    layout: { barmode: "stack", yaxis: { title: { text: "share of the GPU span (%)" }, range: [0, 100] }, height: 320, margin: { l: 60, r: 20, t: 20, b: 40 } },
  };
}
