/**
 * Right-sizing curves (LithOS's Fig. 12: per-kernel speed-up against TPCs): for the kernels that take most of a
 * trace's GPU time, the timing model's predicted duration on t TPCs of the GPU the trace ran on, over its duration
 * on all of them, one line per kernel (mean over its launches), so the knee where a kernel stops scaling shows, and
 * with it how many TPCs right-sizing can take back. The predictions are the model's (src/gpu/timing.ts), whose error
 * on held-out kernels the README reports.
 */
import type { Trace } from "../trace/tables";
import { dictColumn, numberColumn, rowsOf } from "../trace/access";
import { calibrationFor } from "../gpu/calibration";
import { specForDeviceName } from "../gpu/specs";
import { prepareKernel, preparedUs } from "../gpu/timing";
import { classifyKernel } from "../gpu/kernel-class";
import type { PlotlyFigure } from "../plot/figure";
import { analysisOf, type Analysis } from "./frames";

export interface CurveRow {
  readonly name: string;
  readonly launches: number;
  readonly share_pct: number;
  /** Fewest TPCs whose predicted time is within 10% of all TPCs' (LithOS's default slip, 1.1). */
  readonly tpcs_within_10pct: number;
  readonly tpcs: number;
}

export function rightSizingCurves(trace: Trace, options: { top?: number; gpu?: string } = {}): Analysis<CurveRow> {
  const device = rowsOf(trace.devices)[0] as { name?: string } | undefined;
  const gpu = specForDeviceName(options.gpu ?? device?.name ?? "");
  if (!gpu) throw new Error(`no GPU model for device "${options.gpu ?? device?.name ?? "(none in the trace)"}": pass { gpu: "H200" } (or H100, A100)`);
  const cal = calibrationFor(gpu).timing;
  const per = gpu.smCount / gpu.tpcCount;
  const k = trace.kernels;
  const start = numberColumn(k, "start_ns"), end = numberColumn(k, "end_ns");
  const gx = numberColumn(k, "grid_x"), gy = numberColumn(k, "grid_y"), gz = numberColumn(k, "grid_z");
  const bx = numberColumn(k, "block_x"), by = numberColumn(k, "block_y"), bz = numberColumn(k, "block_z");
  const regs = numberColumn(k, "registers_per_thread"), smem = numberColumn(k, "smem_bytes");
  const { codes, values } = dictColumn(k, "name");
  const total = new Float64Array(values.length), n = new Float64Array(values.length), first = new Int32Array(values.length).fill(-1);
  let all = 0;
  for (let i = 0; i < start.length; i++) {
    const d = end[i]! - start[i]!;
    total[codes[i]!]! += d; n[codes[i]!]!++; all += d;
    if (first[codes[i]!]! < 0) first[codes[i]!] = i;
  }
  const order = [...values.keys()].filter((c) => first[c]! >= 0).sort((a, b) => total[b]! - total[a]!).slice(0, options.top ?? 8);
  const tpcs = Array.from({ length: gpu.tpcCount }, (_, t) => t + 1);
  const rows: CurveRow[] = [];
  const data: Record<string, unknown>[] = [];
  for (const c of order) {
    const i = first[c]!;
    const num = (v: number) => (Number.isFinite(v) ? v : null);
    const kernel = {
      name: values[c]!, us: total[c]! / n[c]! / 1e3,
      gridBlocks: (num(gx[i]!) ?? 1) * (num(gy[i]!) ?? 1) * (num(gz[i]!) ?? 1),
      threadsPerBlock: Number.isFinite(bx[i]!) ? bx[i]! * (num(by[i]!) ?? 1) * (num(bz[i]!) ?? 1) : null,
      regsPerThread: num(regs[i]!), smemPerBlockBytes: num(smem[i]!),
    };
    const prepared = prepareKernel(cal, kernel, { gpu }, gpu, classifyKernel(kernel.name, kernel.us));
    const full = preparedUs(prepared, gpu.smCount, gpu.maxClockMHz, 1);
    const rel = tpcs.map((t) => preparedUs(prepared, Math.min(gpu.smCount, t * per), gpu.maxClockMHz, 1) / full);
    const within = tpcs.find((_, j) => rel[j]! <= 1.1) ?? gpu.tpcCount;
    const label = kernel.name.length > 50 ? `${kernel.name.slice(0, 49)}…` : kernel.name;
    rows.push({ name: kernel.name, launches: n[c]!, share_pct: (100 * total[c]!) / all, tpcs_within_10pct: within, tpcs: gpu.tpcCount });
    data.push({ type: "scatter", mode: "lines", name: label, x: tpcs, y: rel.map((r) => 1 / r) });
  }
  const figure: PlotlyFigure = {
    data,
    layout: {
      xaxis: { title: { text: `TPCs (of ${gpu.tpcCount}, ${gpu.name})` } },
      yaxis: { title: { text: "speed relative to all TPCs (1 = all TPCs)" }, range: [0, 1.05] },
      height: 380, margin: { l: 60, r: 20, t: 20, b: 50 },
    },
  };
  return analysisOf(rows, figure);
}
