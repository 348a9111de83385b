/**
 * Kernel classes from real kernel names (the H200 measurements): families by name, and matrix kernels with a
 * skinny tile taken as bandwidth-bound only when they run long enough to load DRAM.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { SKINNY_MIN_US, classifyKernel } from "../../src/gpu/kernel-class";
import { kernelCurvesFromCsv } from "../../src/gpu/measurements";

const EXTRA = path.resolve(__dirname, "../../calibrations/h200-extra-kernels.csv.gz");
const curves = kernelCurvesFromCsv(zlib.gunzipSync(fs.readFileSync(EXTRA)).toString("utf8"));
const names = [...new Set(curves.map((c) => c.name))];
const find = (re: RegExp) => names.find((n) => re.test(n)) ?? expect.fail(`no real kernel name matches ${re}`);

describe("classifyKernel", () => {
  it("takes a decode GEMM with a 64x8 tile as skinny when it runs long, and as compute when it is short", () => {
    const gemv = find(/nvjet_sm90_hsh_64x8_/);
    expect(classifyKernel(gemv, SKINNY_MIN_US)).toBe("skinny");
    expect(classifyKernel(gemv, SKINNY_MIN_US - 0.5)).toBe("compute");
  });

  it("keeps square-tile GEMMs as compute however long they run", () => {
    const square = find(/nvjet_sm90_hsh_(\d{3})x(\d{2,3})_/);
    expect(classifyKernel(square, 1000)).toBe("compute");
  });

  it("reads '(anonymous namespace)' as part of a name, so pooling and layer norms are classed by their own names", () => {
    expect(classifyKernel(find(/\(anonymous namespace\)::vectorized_layer_norm/))).toBe("memory");
  });

  it("classes every real kernel of the extra measurements, and the long skinny ones are all decode matrix kernels", () => {
    const long = curves.filter((c) => classifyKernel(c.name, c.usBySms.get(132) ?? 0) === "skinny");
    expect(long.length).toBeGreaterThan(0);
    for (const c of long) expect(c.workload).toMatch(/llama|train|bs32/);
  });
});
