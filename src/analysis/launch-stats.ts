/**
 * Kernel launch statistics (Holistic Trace Analysis's CUDA kernel launch statistics): each kernel joined to the API
 * call that launched it (same process and correlation id), with the call's CPU duration, the kernel's GPU duration
 * and the launch delay (kernel start − call start). Flags kernels shorter on the GPU than their launch on the CPU
 * (the host cannot keep the GPU fed with them) and launch delays over `longDelayNs`. Kernels of one CUDA graph launch
 * share its call. Summary rows per kernel name, longest mean delay first; the figure plots GPU against CPU duration.
 */
import type { Trace } from "../trace/tables";
import { dictColumn, numberColumn } from "../trace/access";
import type { PlotlyFigure } from "../plot/figure";
import { analysisOf, type Analysis } from "./frames";
import { launchCallIndex } from "./launch-calls";

export interface LaunchRow {
  readonly name: string;
  /** Kernels of this name, and those whose own launch delay is known (a launching call in the trace, first of its graph). */
  readonly kernels: number;
  readonly linked: number;
  readonly mean_cpu_us: number;
  readonly mean_gpu_us: number;
  readonly mean_delay_us: number;
  readonly max_delay_us: number;
  /** Kernels with GPU duration < CPU duration of their launch. */
  readonly short: number;
  /** Kernels with a launch delay over the threshold. */
  readonly long_delay: number;
}

export interface LaunchStats extends Analysis<LaunchRow> {
  /** Totals over every kernel. */
  readonly totals: { readonly kernels: number; readonly linked: number; readonly graph_kernels: number; readonly short: number; readonly long_delay: number; readonly median_delay_us: number; readonly p99_delay_us: number };
}

export interface LaunchOptions {
  /** Launch delay over which a kernel is flagged, ns. Default 100 µs: our choice (over ten launch round trips, 8.1 µs each, hardware.md §0.11). */
  readonly longDelayNs?: number;
  /** Rows kept (kernel names, longest mean delay first). Default 20. */
  readonly top?: number;
}

export function kernelLaunchStats(trace: Trace, options: LaunchOptions = {}): LaunchStats {
  const longDelay = options.longDelayNs ?? 100_000;
  const aStart = numberColumn(trace.api, "start_ns"), aEnd = numberColumn(trace.api, "end_ns");
  const kStart = numberColumn(trace.kernels, "start_ns"), kEnd = numberColumn(trace.kernels, "end_ns");
  const kProc = numberColumn(trace.kernels, "process_id"), kCorr = numberColumn(trace.kernels, "correlation_id");
  const { codes, values: names } = dictColumn(trace.kernels, "name");
  const n = kStart.length;
  const cpu = new Float64Array(n).fill(NaN), delay = new Float64Array(n).fill(NaN);
  // The call of each kernel, and for calls that launched several kernels (a graph), the earliest of them.
  const callOf = launchCallIndex(trace, kProc, kCorr);
  const launchedBy = new Int32Array(aStart.length), firstOf = new Int32Array(aStart.length).fill(-1);
  for (let i = 0; i < n; i++) {
    const j = callOf[i]!;
    if (j < 0) continue;
    launchedBy[j]!++;
    if (firstOf[j]! < 0 || kStart[i]! < kStart[firstOf[j]!]!) firstOf[j] = i;
  }
  let graphKernels = 0;
  const per = names.map(() => ({ kernels: 0, linked: 0, cpuN: 0, cpu: 0, gpu: 0, delay: 0, maxDelay: 0, short: 0, long: 0 }));
  for (let i = 0; i < n; i++) {
    const a = per[codes[i]!]!;
    const gpu = kEnd[i]! - kStart[i]!;
    a.kernels++;
    a.gpu += gpu;
    const j = callOf[i]!;
    if (j < 0) continue;
    if (launchedBy[j]! > 1) {
      graphKernels++;
      if (firstOf[j] !== i) continue;
      delay[i] = kStart[i]! - aStart[j]!;
      a.linked++;
      a.delay += delay[i]!;
      a.maxDelay = Math.max(a.maxDelay, delay[i]!);
      if (delay[i]! > longDelay) a.long++;
      continue;
    }
    cpu[i] = aEnd[j]! - aStart[j]!;
    delay[i] = kStart[i]! - aStart[j]!;
    a.linked++;
    a.cpu += cpu[i]!;
    a.cpuN++;
    a.delay += delay[i]!;
    a.maxDelay = Math.max(a.maxDelay, delay[i]!);
    if (gpu < cpu[i]!) a.short++;
    if (delay[i]! > longDelay) a.long++;
  }
  const rows: LaunchRow[] = per
    .map((a, k) => ({
      name: names[k]!, kernels: a.kernels, linked: a.linked,
      mean_cpu_us: a.cpuN ? a.cpu / a.cpuN / 1e3 : NaN, mean_gpu_us: a.kernels ? a.gpu / a.kernels / 1e3 : NaN,
      mean_delay_us: a.linked ? a.delay / a.linked / 1e3 : NaN, max_delay_us: a.linked ? a.maxDelay / 1e3 : NaN,
      short: a.short, long_delay: a.long,
    }))
    .filter((r) => r.linked > 0)
    .sort((x, y) => y.mean_delay_us - x.mean_delay_us)
    .slice(0, options.top ?? 20);
  const delays = Float64Array.from(delay.filter((d) => !Number.isNaN(d))).sort();
  const q = (p: number) => (delays.length ? delays[Math.min(delays.length - 1, Math.floor(p * delays.length))]! / 1e3 : NaN);
  const totals = {
    kernels: n, linked: delays.length, graph_kernels: graphKernels,
    short: per.reduce((s, a) => s + a.short, 0), long_delay: per.reduce((s, a) => s + a.long, 0),
    median_delay_us: q(0.5), p99_delay_us: q(0.99),
  };
  return { ...analysisOf(rows, launchFigure(kStart, kEnd, cpu)), totals };
}

/** GPU against CPU duration per kernel (at most 5000 points, evenly taken), with the y = x line. */
function launchFigure(start: Float64Array, end: Float64Array, cpu: Float64Array): PlotlyFigure {
  const idx: number[] = [];
  for (let i = 0; i < cpu.length; i++) if (!Number.isNaN(cpu[i]!)) idx.push(i);
  const step = Math.max(1, Math.ceil(idx.length / 5000));
  const pick = idx.filter((_, k) => k % step === 0);
  const xs = pick.map((i) => cpu[i]! / 1e3), ys = pick.map((i) => (end[i]! - start[i]!) / 1e3);
  const top = Math.max(1, ...xs, ...ys);
  return {
    data: [
      { type: "scatter", mode: "markers", name: "kernels", x: xs, y: ys, marker: { size: 4, opacity: 0.5 } },
      { type: "scatter", mode: "lines", name: "GPU = CPU", x: [0.1, top], y: [0.1, top], line: { dash: "dash", color: "#555" } },
    ],
    layout: { xaxis: { title: { text: "launch call on the CPU (µs)" }, type: "log" }, yaxis: { title: { text: "kernel on the GPU (µs)" }, type: "log" }, height: 380, margin: { l: 60, r: 20, t: 20, b: 50 } },
  };
}
