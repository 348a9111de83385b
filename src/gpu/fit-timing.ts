/**
 * Fits the timing model's parameters (src/gpu/timing.ts) to measured kernel curves and measures its error.
 *
 * Error metric (the quality bar): time-weighted mean absolute error over the SM counts below the full chip,
 * Σ|predicted − measured| / Σ measured, each kernel predicted from its full-chip duration alone.
 * Fitting: exhaustive grid search. Given the launch cost t0 and the shared blockShare the classes are independent,
 * so each class's (θ, nSat) is searched on its own kernels; the (t0, blockShare) with the least total error wins.
 * Deterministic: fixed grids, no randomness.
 */
import { buildMeasuredCurves } from "./measured-curves";
import { blocksPerSm } from "./occupancy";
import { KERNEL_CLASSES, PARENT_CLASS, classifyKernel, type KernelClass } from "./kernel-class";
import type { KernelCurve } from "./measurements";
import type { GpuSpec } from "./specs/spec";
import { predictKernelUs, residentBlocks, smRounds, type ClassParams, type RecordedKernel, type TimingCalibration } from "./timing";

const BLOCK_SHARES = [0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 2, 2.4, 2.8, 3.2, 4, 6, 8];
const THETAS = [-1, -0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.4, 0.6, 0.8, 1];
const N_SATS = [1, 16, 24, 32, 40, 48, 56, 64, 72, 80, 96, 112, 132];
const LAUNCH_US = [0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.75, 2, 2.5, 3];
/**
 * For a class with no calibration kernels and no parent: compute and memory parts binding equally (θ = 0), memory
 * saturating at 40 SMs (the H200 measurement: 119 GB/s per SM up to ~4.4 TB/s, shared/calibration/h200/README.md).
 */
const DEFAULT_CLASS: ClassParams = { blockShare: 1, theta: 0, nSat: 40 };

/** A kernel's prediction points: its full-chip duration and the SM counts it was measured at below that. */
interface Points { cls: KernelClass; blocks: number; resident: number; fullUs: number; sms: number[]; us: number[]; workload: string }

function pointsOf(curves: KernelCurve[], gpu: GpuSpec): Points[] {
  const out: Points[] = [];
  for (const c of curves) {
    const full = c.usBySms.get(gpu.smCount);
    if (full === undefined) continue;
    const sms = [...c.usBySms.keys()].filter((n) => n < gpu.smCount).sort((a, b) => a - b);
    const resident = residentBlocks(gpu, { name: c.name, gridBlocks: c.gridBlocks, us: full, threadsPerBlock: c.threadsPerBlock, regsPerThread: c.regsPerThread, smemPerBlockBytes: c.smemPerBlockBytes });
    out.push({ cls: classifyKernel(c.name, full), blocks: c.gridBlocks, resident, fullUs: full, sms, us: sms.map((n) => c.usBySms.get(n)!), workload: c.workload });
  }
  return out;
}

function calibrationOf(gpu: GpuSpec, launchUs: number, classes: Record<KernelClass, ClassParams>, fittedOn: string, fitError: number): TimingCalibration {
  return { version: 1, gpu: gpu.key, launchUs, classes, fittedOn, fitError };
}

/**
 * Fits parameters to `curves` measured on `gpu`; `fittedOn` describes the data for the calibration file.
 * Objective: absolute error with each workload weighted by 1 / its measured total, so that every workload counts
 * equally and a few long kernels of one workload do not set the parameters for all (this generalised better to
 * held-out workloads than the plain time-weighted sum). One blockShare is shared by all classes (per-class values
 * varied from fold to fold without gain); θ and nSat are per class. The search evaluates the same formula as
 * predictKernelUs for a kernel on its own GPU at the maximum clock with the whole memory bandwidth, with the
 * per-kernel factors precomputed (a test checks that `fitError` equals modelError through predictKernelUs).
 * Then the measured curves (src/gpu/measured-curves.ts) are built from the same kernels against the fitted formula;
 * `fitError` is the error of both together on these kernels (in-sample: each kernel is among its own neighbours).
 */
export function fitTiming(curves: KernelCurve[], gpu: GpuSpec, fittedOn: string): TimingCalibration {
  const points = pointsOf(curves, gpu);
  if (points.length === 0) throw new Error(`no kernel was measured at the full ${gpu.smCount} SMs of ${gpu.name}: nothing to predict from`);
  const full = gpu.smCount;
  const workloadTotal = new Map<string, number>();
  for (const k of points) workloadTotal.set(k.workload, (workloadTotal.get(k.workload) ?? 0) + k.us.reduce((a, b) => a + b, 0));
  const byClass = KERNEL_CLASSES.map((cls) => points.filter((k) => k.cls === cls));
  let best: { err: number; launchUs: number; classes: Record<KernelClass, ClassParams> } | null = null;
  for (const launchUs of LAUNCH_US) {
    for (const blockShare of BLOCK_SHARES) {
      const classes = {} as Record<KernelClass, ClassParams>;
      let total = 0;
      KERNEL_CLASSES.forEach((cls, ci) => {
        const mine = byClass[ci];
        if (mine.length === 0) {
          const parent = PARENT_CLASS[cls];
          classes[cls] = parent ? { ...classes[parent] } : { ...DEFAULT_CLASS, blockShare };
          return;
        }
        const weight = mine.map((k) => 1 / workloadTotal.get(k.workload)!);
        const t0 = mine.map((k) => Math.min(launchUs, k.fullUs));
        const work = mine.map((k, j) => k.fullUs - t0[j]);
        const compute = mine.map((k) => k.sms.map((n) => smRounds(k.blocks, n, k.resident, blockShare) / smRounds(k.blocks, full, k.resident, blockShare)));
        let bestErr = Infinity;
        for (const nSat of N_SATS) {
          const memory = mine.map((k) => k.sms.map((n) => Math.max(nSat / n, 1) / Math.max(nSat / full, 1)));
          for (const theta of THETAS) {
            const psi = Math.min(1, 1 + theta), phi = Math.min(1, 1 - theta);
            let err = 0;
            for (let j = 0; j < mine.length && err < bestErr; j++) {
              const k = mine[j], c = compute[j], m = memory[j], w = work[j];
              let e = 0;
              for (let i = 0; i < k.sms.length; i++) e += Math.abs(t0[j] + w * Math.max(psi * c[i], phi * m[i]) - k.us[i]);
              err += e * weight[j];
            }
            if (err < bestErr) { bestErr = err; classes[cls] = { blockShare, theta, nSat }; }
          }
        }
        total += bestErr;
      });
      if (!best || total < best.err) best = { err: total, launchUs, classes };
    }
  }
  const cal = calibrationOf(gpu, best!.launchUs, best!.classes, fittedOn, 0);
  // The residuals are measured against the class formula alone, so they are built before cal carries them.
  cal.curves = buildMeasuredCurves(curves, full, (k, fullUs, n) => predictKernelUs(cal, recorded(k, fullUs), { gpu }, { gpu, smCount: n }));
  cal.fitError = modelError(cal, curves, gpu);
  return cal;
}

/** Measured time over every kernel's sub-full-chip SM counts (kernels with a full-chip time): the errors' weight. */
export function measuredTime(curves: KernelCurve[], gpu: GpuSpec): number {
  let sum = 0;
  for (const c of curves) for (const [n, us] of c.usBySms) if (n < gpu.smCount && c.usBySms.has(gpu.smCount)) sum += us;
  return sum;
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

/** A measured kernel as the trace of its full-chip run would record it. */
export function recorded(k: KernelCurve, fullUs: number): RecordedKernel {
  return { name: k.name, gridBlocks: k.gridBlocks, us: fullUs, threadsPerBlock: k.threadsPerBlock, regsPerThread: k.regsPerThread, smemPerBlockBytes: k.smemPerBlockBytes };
}

/** The model's error on `curves` with calibration `cal`. */
export function modelError(cal: TimingCalibration, curves: KernelCurve[], gpu: GpuSpec): number {
  return predictorError(curves, gpu, (k, full, n) => predictKernelUs(cal, recorded(k, full), { gpu }, { gpu, smCount: n }));
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
