/**
 * Per-iteration timeline (Holistic Trace Analysis's per-step view): each `ProfilerStep#N` range of a Kineto trace
 * (or any annotation whose name matches `pattern`), its wall time, the GPU kernel time inside it and the GPU's busy
 * share, so a slow or irregular step stands out. A kernel belongs to the step its launch ran in when the trace links
 * it to a launching API call (by correlation id), else to the step its start falls in: the GPU runs behind the host,
 * so kernels of a step often finish after the step's range has ended.
 */
import type { Trace } from "../trace/tables";
import { dictColumn, numberColumn } from "../trace/access";
import type { PlotlyFigure } from "../plot/figure";
import { analysisOf, type Analysis } from "./frames";
import { launchCallIndex } from "./launch-calls";

export interface IterationRow {
  readonly step: string;
  readonly start_ms: number;
  readonly duration_ms: number;
  readonly kernels: number;
  /** Sum of the kernels' durations, ms (overlapping kernels counted each). */
  readonly kernel_ms: number;
  /** kernel_ms / duration, percent (over 100 when kernels of the step outlast it or overlap). */
  readonly gpu_busy_pct: number;
}

export function iterationTimeline(trace: Trace, pattern: RegExp = /^ProfilerStep#\d+$/): Analysis<IterationRow> {
  const a = trace.annotations;
  const { codes, values } = dictColumn(a, "name");
  // Kineto repeats each step as a GPU-side range (gpu_user_annotation): the host's range is the step.
  const cat = dictColumn(a, "category");
  const gpuSide = cat.values.indexOf("gpu_user_annotation");
  const aStart = numberColumn(a, "start_ns"), aEnd = numberColumn(a, "end_ns");
  const steps: { name: string; start: number; end: number }[] = [];
  for (let i = 0; i < codes.length; i++) if (codes[i]! >= 0 && cat.codes[i] !== gpuSide && pattern.test(values[codes[i]!]!)) steps.push({ name: values[codes[i]!]!, start: aStart[i]!, end: aEnd[i]! });
  steps.sort((x, y) => x.start - y.start);
  const starts = Float64Array.from(steps, (s) => s.start);
  /** The step whose range holds time t (the last starting at or before t, if t is before its end), or -1. */
  const stepAt = (t: number) => {
    let lo = 0, hi = starts.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (starts[m]! <= t) lo = m + 1; else hi = m; }
    const k = lo - 1;
    return k >= 0 && t <= steps[k]!.end ? k : -1;
  };
  const apStart = numberColumn(trace.api, "start_ns");
  const kStart = numberColumn(trace.kernels, "start_ns"), kEnd = numberColumn(trace.kernels, "end_ns");
  const kProc = numberColumn(trace.kernels, "process_id"), kCorr = numberColumn(trace.kernels, "correlation_id");
  const callOf = launchCallIndex(trace, kProc, kCorr);
  const count = new Float64Array(steps.length), busy = new Float64Array(steps.length);
  for (let i = 0; i < kStart.length; i++) {
    const k = stepAt(callOf[i]! >= 0 ? apStart[callOf[i]!]! : kStart[i]!);
    if (k < 0) continue;
    count[k]!++;
    busy[k]! += kEnd[i]! - kStart[i]!;
  }
  const rows: IterationRow[] = steps.map((s, k) => ({
    step: s.name, start_ms: s.start / 1e6, duration_ms: (s.end - s.start) / 1e6, kernels: count[k]!, kernel_ms: busy[k]! / 1e6,
    gpu_busy_pct: s.end > s.start ? (100 * busy[k]!) / (s.end - s.start) : 0,
  }));
  const figure: PlotlyFigure = {
    data: [
      { type: "bar", name: "step", x: rows.map((r) => r.step), y: rows.map((r) => r.duration_ms) },
      { type: "bar", name: "GPU kernel time", x: rows.map((r) => r.step), y: rows.map((r) => r.kernel_ms) },
    ],
    layout: { barmode: "group", yaxis: { title: { text: "ms" } }, height: 320, margin: { l: 60, r: 20, t: 20, b: 80 } },
  };
  return analysisOf(rows, figure);
}
