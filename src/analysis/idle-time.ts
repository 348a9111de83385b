/**
 * Idle time per stream (Holistic Trace Analysis's idle time breakdown): the gaps between one GPU operation
 * (kernel, memcpy, memset) and the next on the same stream, each put down to
 * - host wait: the host had not yet called the API that launched the next operation when the stream ran dry (the
 *   launching call, found by correlation id in the same process, began after the previous operation ended);
 * - kernel wait: the next operation was already issued and the gap is short (≤ `shortGapNs`, 30 µs by default:
 *   launch overhead and scheduling between back-to-back kernels);
 * - other: issued, yet waiting longer (dependencies on other streams, events, synchronisation), or no launching call
 *   in the trace.
 * Operations that overlap on one stream (none should) count no gap. Columnar: one sort per stream.
 */
import type { Trace } from "../trace/tables";
import { numberColumn } from "../trace/access";
import type { PlotlyFigure } from "../plot/figure";
import { analysisOf, type Analysis } from "./frames";
import { launchCallIndex } from "./launch-calls";

export interface IdleRow {
  readonly device: number;
  readonly stream: number;
  readonly ops: number;
  /** First start to last end of the stream's operations. */
  readonly span_ns: number;
  readonly busy_ns: number;
  readonly idle_ns: number;
  readonly host_wait_ns: number;
  readonly kernel_wait_ns: number;
  readonly other_ns: number;
  /** Shares of the idle time, percent. */
  readonly host_wait_pct: number;
  readonly kernel_wait_pct: number;
  readonly other_pct: number;
}

export interface IdleOptions {
  /**
   * Longest gap, ns, counted as kernel wait when the next operation was already issued. Default 30 µs: our choice,
   * a few launch costs (hardware.md §0.11: ~6 µs fixed per kernel, 8.1 µs launch round trip); HTA's own threshold
   * was not found.
   */
  readonly shortGapNs?: number;
}

export function idleTimeBreakdown(trace: Trace, options: IdleOptions = {}): Analysis<IdleRow> {
  const shortGap = options.shortGapNs ?? 30_000;
  const cols = (t: typeof trace.kernels) => ["start_ns", "end_ns", "device_id", "stream_id", "process_id", "correlation_id"].map((c) => numberColumn(t, c));
  const [ks, ke, kd, kst, kp, kc] = cols(trace.kernels);
  const [ms, me, md, mst, mp, mc] = cols(trace.memops);
  const cat = (a: Float64Array, b: Float64Array) => { const o = new Float64Array(a.length + b.length); o.set(a); o.set(b, a.length); return o; };
  const start = cat(ks!, ms!), end = cat(ke!, me!), dev = cat(kd!, md!), stream = cat(kst!, mst!);
  const aStart = numberColumn(trace.api, "start_ns");
  const launched = Float64Array.from(launchCallIndex(trace, cat(kp!, mp!), cat(kc!, mc!)), (j) => (j < 0 ? NaN : aStart[j]!));
  const groups = new Map<string, number[]>();
  for (let i = 0; i < start.length; i++) {
    const key = `${dev[i]}/${stream[i]}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  const rows: IdleRow[] = [...groups.values()].map((g) => {
    g.sort((a, b) => start[a]! - start[b]! || end[a]! - end[b]!);
    let busy = 0, host = 0, kernel = 0, other = 0, reach = -Infinity;
    for (const i of g) {
      const s = start[i]!, e = end[i]!;
      if (s > reach && reach > -Infinity) {
        const gap = s - reach;
        const issued = launched[i]!;
        if (Number.isNaN(issued)) other += gap;
        else if (issued >= reach) host += gap;
        else if (gap <= shortGap) kernel += gap;
        else other += gap;
      }
      // Busy time is the union of the stream's operations (they should not overlap; if they do, count once).
      if (e > reach) { busy += e - Math.max(s, reach); reach = e; }
    }
    const span = reach - start[g[0]!]!;
    const idle = host + kernel + other;
    const pct = (x: number) => (idle > 0 ? (100 * x) / idle : 0);
    return {
      device: dev[g[0]!]!, stream: stream[g[0]!]!, ops: g.length, span_ns: span, busy_ns: busy, idle_ns: idle,
      host_wait_ns: host, kernel_wait_ns: kernel, other_ns: other,
      host_wait_pct: pct(host), kernel_wait_pct: pct(kernel), other_pct: pct(other),
    };
  }).sort((a, b) => a.device - b.device || a.stream - b.stream);
  return analysisOf(rows, idleFigure(rows));
}

function idleFigure(rows: readonly IdleRow[]): PlotlyFigure {
  const x = rows.map((r) => `GPU ${r.device} stream ${r.stream}`);
  const parts: [keyof IdleRow, string][] = [["host_wait_ns", "host wait"], ["kernel_wait_ns", "kernel wait"], ["other_ns", "other"]];
  return {
    data: parts.map(([k, name]) => ({ type: "bar", name, x, y: rows.map((r) => (r[k] as number) / 1e6) })),
    layout: { barmode: "stack", yaxis: { title: { text: "idle time (ms)" } }, height: 340, margin: { l: 60, r: 20, t: 20, b: 80 } },
  };
}
