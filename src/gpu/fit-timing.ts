/**
 * Fits the timing model's parameters (src/gpu/timing.ts) to measured kernel curves and measures its error.
 *
 * Error metric (the quality bar): time-weighted mean absolute error over the SM counts below the full chip,
 * Σ|predicted − measured| / Σ measured, each kernel predicted from its full-chip duration alone.
 * Fitting: the classes are independent given the launch cost t0, so each class's (blockCost, θ, nSat) is found by
 * an exhaustive grid search on its own kernels, for each t0 on a grid; the t0 with the least total error wins.
 * Deterministic: fixed grids, no randomness.
 */
import { blocksPerSm } from "./occupancy";
import { KERNEL_CLASSES, classifyKernel, type KernelClass } from "./kernel-class";
import type { KernelCurve } from "./measurements";
import type { GpuSpec } from "./specs/spec";
import { predictKernelUs, type ClassParams, type TimingCalibration } from "./timing";

const BLOCK_COSTS = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const THETAS = [-1, -0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.4, 0.6, 0.8, 1];
const N_SATS = [1, 16, 24, 32, 40, 48, 56, 64, 72, 80, 96, 112, 132];
const LAUNCH_US = [0.5, 1, 1.5, 2, 2.5, 3];
const DEFAULT_CLASS: ClassParams = { blockCost: 0.5, theta: 0, nSat: 40 };

/** A kernel's prediction points: its full-chip duration and the SM counts it was measured at below that. */
interface Points { cls: KernelClass; blocks: number; fullUs: number; sms: number[]; us: number[]; workload: string }

function pointsOf(curves: KernelCurve[], gpu: GpuSpec): Points[] {
  const out: Points[] = [];
  for (const c of curves) {
    const full = c.usBySms.get(gpu.smCount);
    if (full === undefined) continue;
    const sms = [...c.usBySms.keys()].filter((n) => n < gpu.smCount).sort((a, b) => a - b);
    out.push({ cls: classifyKernel(c.name), blocks: c.gridBlocks, fullUs: full, sms, us: sms.map((n) => c.usBySms.get(n)!), workload: c.workload });
  }
  return out;
}

function calibrationOf(gpu: GpuSpec, launchUs: number, classes: Record<KernelClass, ClassParams>, fittedOn: string, fitError: number): TimingCalibration {
  return { version: 1, gpu: gpu.key, launchUs, classes, fittedOn, fitError };
}

/**
 * Fits parameters to `curves` measured on `gpu`; `fittedOn` describes the data for the calibration file.
 * The search evaluates the same formula as predictKernelUs for a kernel on its own GPU at the maximum clock with
 * the whole memory bandwidth, with the per-kernel factors precomputed (a test checks both give the same error).
 */
export function fitTiming(curves: KernelCurve[], gpu: GpuSpec, fittedOn: string): TimingCalibration {
  const points = pointsOf(curves, gpu);
  if (points.length === 0) throw new Error(`no kernel was measured at the full ${gpu.smCount} SMs of ${gpu.name}: nothing to predict from`);
  const full = gpu.smCount;
  let best: TimingCalibration | null = null;
  for (const launchUs of LAUNCH_US) {
    const classes = {} as Record<KernelClass, ClassParams>;
    let abs = 0, sum = 0;
    for (const cls of KERNEL_CLASSES) {
      const mine = points.filter((k) => k.cls === cls);
      if (mine.length === 0) { classes[cls] = DEFAULT_CLASS; continue; }
      const work = mine.map((k) => Math.max(k.fullUs - launchUs, 0));
      const measured = mine.reduce((acc, k) => acc + k.us.reduce((a, b) => a + b, 0), 0);
      let bestErr = Infinity;
      for (const blockCost of BLOCK_COSTS) {
        const q = (blocks: number, n: number) => 1 + (Math.ceil(blocks / n) - 1) * blockCost;
        const compute = mine.map((k) => k.sms.map((n) => q(k.blocks, n) / q(k.blocks, full)));
        for (const nSat of N_SATS) {
          const memory = mine.map((k) => k.sms.map((n) => Math.max(nSat / n, 1) / Math.max(nSat / full, 1)));
          for (const theta of THETAS) {
            const psi = Math.min(1, 1 + theta), phi = Math.min(1, 1 - theta);
            let err = 0;
            for (let j = 0; j < mine.length && err < bestErr; j++) {
              const k = mine[j], c = compute[j], m = memory[j], w = work[j];
              for (let i = 0; i < k.sms.length; i++) err += Math.abs(launchUs + w * Math.max(psi * c[i], phi * m[i]) - k.us[i]);
            }
            if (err < bestErr) { bestErr = err; classes[cls] = { blockCost, theta, nSat }; }
          }
        }
      }
      abs += bestErr; sum += measured;
    }
    const err = abs / sum;
    if (!best || err < best.fitError) best = calibrationOf(gpu, launchUs, classes, fittedOn, err);
  }
  return best!;
}

/** Time-weighted mean absolute error of a predictor over every kernel's sub-full-chip SM counts. */
export function predictorError(curves: KernelCurve[], gpu: GpuSpec, predict: (k: KernelCurve, fullUs: number, sms: number) => number): number {
  let abs = 0, sum = 0;
  for (const c of curves) {
    const full = c.usBySms.get(gpu.smCount);
    if (full === undefined) continue;
    for (const [n, us] of c.usBySms) {
      if (n >= gpu.smCount) continue;
      abs += Math.abs(predict(c, full, n) - us);
      sum += us;
    }
  }
  return sum > 0 ? abs / sum : NaN;
}

/** The model's error on `curves` with calibration `cal`. */
export function modelError(cal: TimingCalibration, curves: KernelCurve[], gpu: GpuSpec): number {
  return predictorError(curves, gpu, (k, full, n) => predictKernelUs(cal, { name: k.name, gridBlocks: k.gridBlocks, us: full }, { gpu }, { gpu, smCount: n }));
}

/** Reference predictors the issue quotes: constant, linear scaling in SMs, pure wave quantisation. */
export function baselineErrors(curves: KernelCurve[], gpu: GpuSpec): { constant: number; linear: number; waves: number } {
  const waves = (k: KernelCurve, n: number) => {
    const perSm = Math.max(1, blocksPerSm(gpu, { threadsPerBlock: k.threadsPerBlock, regsPerThread: k.regsPerThread, smemPerBlockBytes: k.smemPerBlockBytes }).blocksPerSm);
    return Math.ceil(k.gridBlocks / (perSm * n));
  };
  return {
    constant: predictorError(curves, gpu, (_k, full) => full),
    linear: predictorError(curves, gpu, (_k, full, n) => (full * gpu.smCount) / n),
    waves: predictorError(curves, gpu, (k, full, n) => (full * waves(k, n)) / waves(k, gpu.smCount)),
  };
}

/** Per-workload errors, and leave-one-workload-out cross-validation (fit on the others, test on it). */
export function crossValidate(curves: KernelCurve[], gpu: GpuSpec): { workload: string; fitted: number; heldOut: number }[] {
  const workloads = [...new Set(curves.map((c) => c.workload))].sort();
  const all = fitTiming(curves, gpu, "all");
  return workloads.map((w) => {
    const mine = curves.filter((c) => c.workload === w);
    const others = curves.filter((c) => c.workload !== w);
    const cal = fitTiming(others, gpu, `all but ${w}`);
    return { workload: w, fitted: modelError(all, mine, gpu), heldOut: modelError(cal, mine, gpu) };
  });
}
