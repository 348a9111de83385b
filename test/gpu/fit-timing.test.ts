/**
 * The timing fitter and its error metrics (src/gpu/fit-timing.ts) on the real H200 measurements in
 * shared/calibration/h200/kernels.csv: the calibration's fitError is the model's error through predictKernelUs;
 * the fitter's own inline copy of the formula agrees with predictKernelUs (on data the model itself generated, the
 * fit has no error); the fit is deterministic; it beats the constant, linear and wave-quantisation predictors (the
 * constant and linear ones recomputed here from the raw rows); leave-one-workload-out cross-validation gives one
 * entry per workload. No fitted number is hard-coded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { baselineErrors, crossValidate, fitTiming, modelError, predictorError } from "../../src/gpu/fit-timing";
import { KERNEL_CLASSES } from "../../src/gpu/kernel-class";
import { kernelCurvesFromCsv, type KernelCurve } from "../../src/gpu/measurements";
import { H200_SXM } from "../../src/gpu/specs";
import { predictKernelUs, type ClassParams, type TimingCalibration } from "../../src/gpu/timing";
import { KERNELS_CSV } from "../helpers/fixtures";

const TEXT = fs.readFileSync(KERNELS_CSV, "utf8");
const CURVES: KernelCurve[] = kernelCurvesFromCsv(TEXT);
const GPU = H200_SXM;
const FULL = GPU.smCount;
const WORKLOADS = [...new Set(CURVES.map((c) => c.workload))].sort();

let fitCache: TimingCalibration | undefined;
/** The fit on all real kernels (computed once: it is an exhaustive search). */
function FIT(): TimingCalibration {
  return (fitCache ??= fitTiming(CURVES, GPU, "kernels.csv"));
}

/** The model's prediction for a measured kernel from its full-chip duration, as a trace would record it. */
function predict(cal: TimingCalibration, k: KernelCurve, fullUs: number, n: number): number {
  return predictKernelUs(
    cal,
    { name: k.name, gridBlocks: k.gridBlocks, us: fullUs, threadsPerBlock: k.threadsPerBlock, regsPerThread: k.regsPerThread, smemPerBlockBytes: k.smemPerBlockBytes },
    { gpu: GPU },
    { gpu: GPU, smCount: n },
  );
}

/** Σ|pred − measured| / Σ measured over the SM counts below the full chip, from the raw kernels.csv rows. */
function rawError(pred: (row: { workload: string; seq: string; sms: number }, fullUs: number) => number): number {
  const lines = TEXT.split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = lines[0].split(",");
  expect(head.slice(0, 3)).toEqual(["workload", "sms", "seq"]);
  expect(head[head.length - 1]).toBe("us");
  // workload, sms, seq lead each row and us ends it; the quoted name in between may hold commas.
  const rows = lines.slice(1).map((l) => {
    const [workload, sms, seq] = l.split(",", 3);
    return { workload, sms: Number(sms), seq, us: Number(l.slice(l.lastIndexOf(",") + 1)) };
  });
  const full = new Map(rows.filter((r) => r.sms === FULL).map((r) => [`${r.workload}#${r.seq}`, r.us]));
  let abs = 0, sum = 0;
  for (const r of rows) {
    const f = full.get(`${r.workload}#${r.seq}`);
    if (r.sms >= FULL || f === undefined) continue;
    abs += Math.abs(pred(r, f) - r.us);
    sum += r.us;
  }
  return abs / sum;
}

describe("the real measurements", () => {
  it("hold four workloads, every kernel timed at the full 132 SMs and at SM counts below it", () => {
    expect(WORKLOADS).toHaveLength(4);
    for (const c of CURVES) {
      expect(c.usBySms.has(FULL), `${c.workload}#${c.seq}`).toBe(true);
      expect([...c.usBySms.keys()].filter((n) => n < FULL).length).toBeGreaterThanOrEqual(5);
    }
  });
});

describe("fitTiming on the real kernels", () => {
  it("returns a calibration whose fitError is the model's error through predictKernelUs (to 1e-9)", () => {
    const cal = FIT();
    expect(cal.version).toBe(1);
    expect(cal.gpu).toBe(GPU.key);
    expect(Object.keys(cal.classes).sort()).toEqual([...KERNEL_CLASSES].sort());
    expect(Number.isFinite(cal.fitError) && cal.fitError > 0).toBe(true);
    expect(Math.abs(cal.fitError - modelError(cal, CURVES, GPU))).toBeLessThan(1e-9);
    // and modelError is the time-weighted error of predictKernelUs, recomputed from the raw rows.
    const byKey = new Map(CURVES.map((c) => [`${c.workload}#${c.seq}`, c]));
    const raw = rawError((r, full) => predict(cal, byKey.get(`${r.workload}#${r.seq}`)!, full, r.sms));
    expect(Math.abs(cal.fitError - raw)).toBeLessThan(1e-9);
  });

  it("is deterministic: two fits of the same data are deep-equal", () => {
    expect(fitTiming(CURVES, GPU, "kernels.csv")).toEqual(FIT());
  });

  it("does not depend on the order of the kernels (same parameters; the error up to summation order)", () => {
    const { fitError, ...rest } = fitTiming([...CURVES].reverse(), GPU, "kernels.csv");
    const { fitError: expectedError, ...expected } = FIT();
    expect(rest).toEqual(expected);
    expect(fitError).toBeCloseTo(expectedError, 12);
  });

  it("beats every baseline predictor of baselineErrors on the same data", () => {
    const base = baselineErrors(CURVES, GPU);
    for (const [name, err] of Object.entries(base)) {
      expect(Number.isFinite(err), name).toBe(true);
      expect(FIT().fitError, `fitted ${FIT().fitError} vs ${name} ${err}`).toBeLessThan(err);
    }
  });

  it("finds no error on data the model itself generated with parameters of the search's kind (the fitter's inline formula is predictKernelUs)", () => {
    const p = (theta: number, nSat: number): ClassParams => ({ ...FIT().classes.compute, blockShare: 1, theta, nSat });
    // The class formula alone: the fit's measured residuals would make curves no class parameters can express.
    const { curves: _measured, ...formulaOnly } = FIT();
    const truth: TimingCalibration = {
      ...formulaOnly,
      launchUs: 1,
      classes: { compute: p(1, 132), skinny: p(-0.4, 40), memory: p(-1, 132), norm: p(-0.5, 48), reduce: p(-0.2, 24), other: p(0, 1) },
    };
    const synthetic: KernelCurve[] = CURVES.map((c) => {
      const full = c.usBySms.get(FULL)!;
      const usBySms = new Map<number, number>([[FULL, full]]);
      for (const n of c.usBySms.keys()) if (n < FULL) usBySms.set(n, predict(truth, c, full, n));
      return { ...c, usBySms };
    });
    expect(modelError(truth, synthetic, GPU)).toBe(0);
    expect(baselineErrors(synthetic, GPU).constant).toBeGreaterThan(0.1); // the generated curves do depend on n
    const fit = fitTiming(synthetic, GPU, "synthetic");
    expect(fit.fitError, JSON.stringify(fit)).toBeLessThan(1e-9);
    expect(modelError(fit, synthetic, GPU)).toBeLessThan(1e-9);
  });

  it("throws when no kernel was measured at the full chip", () => {
    const partial = CURVES.slice(0, 20).map((c) => ({ ...c, usBySms: new Map([...c.usBySms].filter(([n]) => n < FULL)) }));
    expect(() => fitTiming(partial, GPU, "partial")).toThrow(/132/);
  });
});

describe("error metrics", () => {
  it("computes the constant and linear baselines as the raw rows give them", () => {
    const base = baselineErrors(CURVES, GPU);
    expect(base.constant).toBeCloseTo(rawError((_r, full) => full), 12);
    expect(base.linear).toBeCloseTo(rawError((r, full) => (full * FULL) / r.sms), 12);
    expect(base.waves).toBeGreaterThan(0);
    expect(base.waves).toBeLessThan(base.constant);
  });

  it("gives predictorError 0 for a predictor that returns the measurement, and ignores kernels without a full-chip time", () => {
    const exact = (k: KernelCurve, _full: number, n: number) => k.usBySms.get(n)!;
    expect(predictorError(CURVES, GPU, exact)).toBe(0);
    const noFull = CURVES.slice(0, 5).map((c) => ({ ...c, usBySms: new Map([...c.usBySms].filter(([n]) => n < FULL)) }));
    const constant = (_k: KernelCurve, full: number) => full;
    expect(predictorError([...CURVES, ...noFull], GPU, constant)).toBe(predictorError(CURVES, GPU, constant));
    expect(Number.isNaN(predictorError(noFull, GPU, constant))).toBe(true);
  });
});

describe("crossValidate on the real kernels", () => {
  let cvCache: ReturnType<typeof crossValidate> | undefined;
  const CV = () => (cvCache ??= crossValidate(CURVES, GPU));

  it("returns one entry per workload, in sorted order, with finite errors ≥ 0", () => {
    expect(CV().map((r) => r.workload)).toEqual(WORKLOADS);
    for (const r of CV()) {
      expect(Number.isFinite(r.fitted) && r.fitted >= 0, r.workload).toBe(true);
      expect(Number.isFinite(r.heldOut) && r.heldOut >= 0, r.workload).toBe(true);
    }
  });

  it("reports as `fitted` the error on each workload of the fit on all workloads", () => {
    for (const r of CV()) {
      expect(r.fitted).toBeCloseTo(modelError(FIT(), CURVES.filter((c) => c.workload === r.workload), GPU), 12);
    }
  });

  it("predicts each held-out workload better than the constant and wave-quantisation baselines on that workload", () => {
    for (const r of CV()) {
      const base = baselineErrors(CURVES.filter((c) => c.workload === r.workload), GPU);
      expect(r.heldOut, `${r.workload}: held out ${r.heldOut}, constant ${base.constant}`).toBeLessThan(base.constant);
      expect(r.heldOut, `${r.workload}: held out ${r.heldOut}, waves ${base.waves}`).toBeLessThan(base.waves);
    }
  });
});
