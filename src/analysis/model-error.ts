/**
 * How far the GPU model is from real measurements: the timing model's time-weighted error per workload with the
 * shipped calibration, cross-validated (leave one workload out, and leave one model family out),
 * next to the reference predictors; and the power model against the measured board power.
 * Used by `lithos-replay model-error` and the model-error notebook. Pure: measurements in, numbers out.
 */
import type { Calibration } from "../gpu/calibration";
import { baselineErrors, crossValidate, fitTiming, measuredTime, modelError } from "../gpu/fit-timing";
import type { KernelCurve } from "../gpu/measurements";
import { evaluatePowerParams, type MicroRow } from "../gpu/power-fit";
import type { GpuSpec } from "../gpu/specs/spec";

export interface ModelErrorReport {
  gpu: string;
  kernels: number;
  /** Reference predictors over all kernels: constant, linear in SMs, pure wave quantisation. */
  baselines: { constant: number; linear: number; waves: number };
  /** What the calibration given was fitted on (its `fittedOn`). */
  calibrationFittedOn: string;
  /** Error of the calibration given on all these kernels: a true held-out error when it was fitted on other data. */
  fitted: number;
  /** Error of a fit on these kernels themselves. */
  refit: number;
  /**
   * Per workload: error of the calibration given (`calibration`), of the refit on all these kernels (`fitted`),
   * and of a refit on the other workloads (`heldOut`).
   */
  workloads: { workload: string; kernels: number; calibration: number; fitted: number; heldOut: number }[];
  /** Time-weighted over all workloads, each predicted by the fit that did not see it. */
  heldOutOverall: number;
  /**
   * Leave one model family out (the workload name before the first "_"): fit on the other families, test on it.
   * The error a model family the calibration never saw can expect.
   */
  familySplits: { fitOn: string; testOn: string; fitted: number; heldOut: number }[];
  power: { rows: number; meanAbsPct: number; maxAbsPct: number; clockRmsMHz: number } | null;
}

export function modelErrorReport(cal: Calibration, curves: KernelCurve[], gpu: GpuSpec, micro: MicroRow[] = []): ModelErrorReport {
  const cv = crossValidate(curves, gpu);
  const byWorkload = (w: string) => curves.filter((c) => c.workload === w);
  let heldAbs = 0, heldSum = 0;
  for (const r of cv) {
    const s = measuredTime(byWorkload(r.workload), gpu);
    heldAbs += r.heldOut * s;
    heldSum += s;
  }
  const family = (w: string) => w.split("_")[0];
  const families = [...new Set(curves.map((c) => family(c.workload)))].sort();
  const familySplits = families.length < 2 ? [] : families.map((f) => {
    const train = curves.filter((c) => family(c.workload) !== f);
    const test = curves.filter((c) => family(c.workload) === f);
    const fit = fitTiming(train, gpu, `all but family ${f}`);
    return { fitOn: families.filter((x) => x !== f).join("+"), testOn: f, fitted: fit.fitError, heldOut: modelError(fit, test, gpu) };
  });
  let power: ModelErrorReport["power"] = null;
  if (cal.power && micro.some((r) => r.watts !== null)) {
    const ev = evaluatePowerParams(gpu, cal.power, micro);
    power = { rows: ev.cappedPower.n, meanAbsPct: ev.cappedPower.meanAbsPct, maxAbsPct: ev.cappedPower.maxAbsPct, clockRmsMHz: ev.clock.rms };
  }
  return {
    gpu: gpu.key,
    kernels: curves.length,
    baselines: baselineErrors(curves, gpu),
    calibrationFittedOn: cal.timing.fittedOn,
    fitted: modelError(cal.timing, curves, gpu),
    refit: fitTiming(curves, gpu, "these kernels").fitError,
    workloads: cv.map((r) => ({ ...r, kernels: byWorkload(r.workload).length, calibration: modelError(cal.timing, byWorkload(r.workload), gpu) })),
    heldOutOverall: heldSum > 0 ? heldAbs / heldSum : NaN,
    familySplits,
    power,
  };
}
