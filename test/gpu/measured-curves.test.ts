/**
 * The measured-curve correction of the timing model (src/gpu/measured-curves.ts) on the real H200 kernels of
 * shared/calibration/h200/kernels.csv: leaving one workload out, the correction built from the other three lowers
 * the pooled error against the class formula alone; lookups match only the same function and block size near the
 * measured grid and duration; the factor by SM count is 1 at the full chip and the table's value at its SM counts;
 * calibration files carry the table and refuse a malformed one.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { formatCalibration, makeCalibration, parseCalibration, readCalibration } from "../../src/gpu/calibration";
import { fitTiming, measuredTime, modelError, recorded } from "../../src/gpu/fit-timing";
import { functionKey, lookupResidual, residualBySm, type MeasuredCurves } from "../../src/gpu/measured-curves";
import { kernelCurvesFromCsv, type KernelCurve } from "../../src/gpu/measurements";
import { A100_40GB, H200_SXM } from "../../src/gpu/specs";
import { predictKernelUs } from "../../src/gpu/timing";
import { KERNELS_CSV } from "../helpers/fixtures";

const CURVES: KernelCurve[] = kernelCurvesFromCsv(fs.readFileSync(KERNELS_CSV, "utf8"));
const GPU = H200_SXM;
const WORKLOADS = [...new Set(CURVES.map((c) => c.workload))].sort();

describe("measured curves on the real kernels, one workload left out at a time", () => {
  it("lower the pooled error of the workload left out against the class formula alone", () => {
    let withAbs = 0, withoutAbs = 0;
    for (const w of WORKLOADS) {
      const mine = CURVES.filter((c) => c.workload === w);
      const cal = fitTiming(CURVES.filter((c) => c.workload !== w), GPU, `all but ${w}`);
      expect(cal.curves?.entries.length ?? 0).toBeGreaterThan(0);
      const { curves: _c, ...formula } = cal;
      // modelError is time-weighted within a workload: weight it back by the workload's measured time.
      const total = measuredTime(mine, GPU);
      withAbs += modelError(cal, mine, GPU) * total;
      withoutAbs += modelError(formula, mine, GPU) * total;
    }
    expect(withAbs).toBeLessThan(withoutAbs);
  }, 120_000);
});

describe("lookups", () => {
  const table: MeasuredCurves = {
    sms: [8, 16, 64],
    fullSms: 132,
    names: ["void at::native::vectorized_elementwise_kernel<4, at::native::AddFunctor<float>>"],
    entries: [[0, 128, 1000, 10, 0.8, 0.9, 0.95]],
  };
  const name = "void at::native::vectorized_elementwise_kernel<4, at::native::AddFunctor<float>>(int, float*)";

  it("match on the function (without its parameter list) and the block size, near the grid and duration", () => {
    expect(functionKey(name)).toBe(table.names[0]);
    const near = (r: number[] | null) => r!.map((x, i) => expect(x).toBeCloseTo([0.8, 0.9, 0.95][i]!, 12));
    near(lookupResidual(table, name, 128, 1000, 10));
    near(lookupResidual(table, name, 128, 2000, 20)); // distance 2 ln 2 ≈ 1.39 ≤ 2
    expect(lookupResidual(table, name, 256, 1000, 10)).toBeNull(); // another block size
    expect(lookupResidual(table, name, 128, 100000, 10)).toBeNull(); // grid 100× away
    expect(lookupResidual(table, name, null, 1000, 10)).toBeNull(); // block size unknown
    expect(lookupResidual(table, "void other_kernel(int)", 128, 1000, 10)).toBeNull();
  });

  it("weight the nearer of two entries more", () => {
    const two: MeasuredCurves = { ...table, entries: [[0, 128, 1000, 10, 0.5, 0.5, 0.5], [0, 128, 4000, 10, 1, 1, 1]] };
    const r = lookupResidual(two, name, 128, 1100, 10)!;
    expect(r[0]).toBeGreaterThan(0.5);
    expect(r[0]).toBeLessThan(0.75);
  });

  it("give a factor per SM count: the table's values at its SM counts, linear between, 1 at the full chip", () => {
    const f = residualBySm(table, [0.8, 0.9, 0.95], 132);
    expect(f.length).toBe(133);
    expect(f[4]).toBe(0.8);
    expect(f[8]).toBe(0.8);
    expect(f[12]).toBeCloseTo(0.85, 12);
    expect(f[64]).toBe(0.95);
    expect(f[98]).toBeCloseTo(0.975, 12);
    expect(f[132]).toBe(1);
    // On a GPU of 108 SMs the factor follows the SM fraction: 54 of 108 is 66 of 132.
    const a100 = residualBySm(table, [0.8, 0.9, 0.95], 108);
    expect(a100[54]).toBeCloseTo(0.95 + ((66 - 64) / (132 - 64)) * 0.05, 12);
    expect(a100[108]).toBe(1);
  });
});

describe("calibrations with measured curves", () => {
  const cal = fitTiming(CURVES, GPU, "kernels.csv");

  it("predict a calibration kernel at its measured SM counts more closely than the class formula alone", () => {
    const { curves: _c, ...formula } = cal;
    expect(modelError(cal, CURVES, GPU)).toBeLessThan(modelError(formula, CURVES, GPU));
  });

  it("apply only to kernels recorded on the whole GPU", () => {
    const k = CURVES.find((c) => lookupResidual(cal.curves!, c.name, c.threadsPerBlock, c.gridBlocks, c.usBySms.get(132)!) !== null)!;
    const { curves: _c, ...formula } = cal;
    const rec = recorded(k, k.usBySms.get(132)!);
    const part = { gpu: GPU, smCount: 66 };
    expect(predictKernelUs(cal, rec, part, { gpu: GPU, smCount: 33 })).toBe(predictKernelUs(formula, rec, part, { gpu: GPU, smCount: 33 }));
    expect(predictKernelUs(cal, rec, { gpu: GPU }, { gpu: A100_40GB, smCount: 108 })).toBeCloseTo(predictKernelUs(formula, rec, { gpu: GPU }, { gpu: A100_40GB, smCount: 108 }), 9);
  });

  it("survive the shipped file format (one line per entry) and are refused when malformed", () => {
    const text = formatCalibration(makeCalibration(GPU, cal));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cal-")), "c.json");
    fs.writeFileSync(file, text);
    expect(readCalibration(file).timing).toEqual(cal);
    expect(text.split("\n").length).toBeLessThan(cal.curves!.entries.length + 200);
    const bad = JSON.parse(text);
    bad.timing.curves.entries[0] = bad.timing.curves.entries[0].slice(0, 3);
    expect(() => parseCalibration(JSON.stringify(bad), "bad.json")).toThrow(/bad\.json: malformed timing\.curves/);
  });
});
