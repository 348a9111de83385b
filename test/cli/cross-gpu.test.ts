/**
 * `lithos-replay cross-gpu`, run as a user runs it: the same programs recorded on an H200 (../shared/fixtures/h200)
 * and on an H100 (calibrations/stacking-h100-200rps: the same lab scripts), the timing model's error in moving their
 * kernels from one to the other, and the DRAM-bound fractions fitted on them, which the shipped calibration carries.
 * A second H100 capture of the training (calibrations/colocation-h100-bert-150rps) was not fitted on.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCalibration } from "../../src/gpu/calibration";
import type { CrossGpuFit } from "../../src/gpu/fit-cross-gpu";
import { buildPackage, refusalLine, runCliAsync } from "../helpers/cli";
import { makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { H200, REPO_ROOT } from "../helpers/fixtures";

const STACKING = path.join(REPO_ROOT, "calibrations", "stacking-h100-200rps");
const SECOND = path.join(REPO_ROOT, "calibrations", "colocation-h100-bert-150rps");
const TRAIN = "resnet50_colo_train_bs64.pt.trace.json.gz", GRAPH = "resnet50_graph_infer_bs1.pt.trace.json.gz";
const FROM = [path.join(H200, TRAIN), path.join(H200, GRAPH)].join(",");
const TO = [path.join(STACKING, TRAIN), path.join(STACKING, GRAPH)].join(",");
const SHIPPED = path.join(REPO_ROOT, "calibrations", "h200-sxm.json");

beforeAll(() => buildPackage(), 300_000);
afterAll(removeTempDirs);

const all = (fit: CrossGpuFit, pair: string) => fit.rows.find((r) => r.pair === pair && r.kernelClass === "all")!;

describe("lithos-replay cross-gpu", () => {
  it("fits the fractions the shipped calibration carries, and they bring the training's kernel time on the H100 from +24% to within 5%", async () => {
    const r = await runCliAsync(["cross-gpu", "--from", FROM, "--to", TO, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const fit = JSON.parse(r.stdout) as CrossGpuFit;
    const shipped = parseCalibration(fs.readFileSync(SHIPPED, "utf8"), SHIPPED);
    expect(fit.classes).toEqual(shipped.timing.dramBound!.classes);
    expect(shipped.timing.dramBound!.fittedOn).toContain(`${fit.matched} kernels matched`);
    // Both recordings hold the same kernels in the same order, but for a few that differ between the captures.
    expect(fit.matched).toBeGreaterThan(10_000);
    expect(fit.skipped).toBeLessThan(fit.matched / 20);
    expect(fit.rmsLogErrorAfter).toBeLessThan(fit.rmsLogErrorBefore * 0.7);
    const train = all(fit, "resnet50_colo_train_bs64");
    expect(train.predictedBeforeUs / train.recordedToUs).toBeGreaterThan(1.2);
    expect(Math.abs(train.predictedAfterUs / train.recordedToUs - 1)).toBeLessThan(0.05);
    // Batch norm barely moves from the H200 to the H100 (1.02× recorded): little of its memory part is DRAM-bound.
    expect(fit.classes.norm!).toBeLessThan(0.2);
    const norm = fit.rows.find((x) => x.pair === "resnet50_colo_train_bs64" && x.kernelClass === "norm")!;
    expect(norm.recordedToUs / norm.recordedFromUs).toBeLessThan(1.05);
    expect(norm.predictedBeforeUs / norm.recordedToUs).toBeGreaterThan(1.3);
  }, 300_000);

  it("holds on a training capture it was not fitted on, with the shipped calibration's fractions", async () => {
    const r = await runCliAsync(["cross-gpu", "--from", path.join(H200, TRAIN), "--to", path.join(SECOND, TRAIN), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const fit = JSON.parse(r.stdout) as CrossGpuFit;
    const train = all(fit, "resnet50_colo_train_bs64");
    expect(train.predictedBeforeUs / train.recordedToUs).toBeGreaterThan(1.2);
    expect(Math.abs(train.predictedGivenUs / train.recordedToUs - 1)).toBeLessThan(0.05);
    expect(fit.rmsLogErrorGiven).toBeLessThan(fit.rmsLogErrorBefore * 0.7);
  }, 300_000);

  it("--fit writes the fractions and their provenance into a calibration file, keeping the rest", async () => {
    const dir = makeTempDir();
    const file = path.join(dir, "cal.json");
    const shipped = parseCalibration(fs.readFileSync(SHIPPED, "utf8"), SHIPPED);
    const { dramBound: _d, ...timing } = shipped.timing;
    fs.writeFileSync(file, JSON.stringify({ ...shipped, timing }));
    const r = await runCliAsync(["cross-gpu", "--from", FROM, "--to", TO, "--fit", file]);
    expect(r.status, r.stderr).toBe(0);
    const written = parseCalibration(fs.readFileSync(file, "utf8"), file);
    expect(written.timing.dramBound!.classes).toEqual(shipped.timing.dramBound!.classes);
    expect(written.timing.dramBound!.fittedOn).toContain("H200");
    expect(written.timing.classes).toEqual(shipped.timing.classes);
    expect(written.interference).toEqual(shipped.interference);
  }, 300_000);

  it("refuses bad input in one line naming the cause, and leaves the calibration file untouched", async () => {
    const counts = await runCliAsync(["cross-gpu", "--from", FROM, "--to", path.join(STACKING, TRAIN)]);
    expect(refusalLine(counts, true)).toMatch(/--from has 2 traces and --to 1/);
    const same = await runCliAsync(["cross-gpu", "--from", path.join(STACKING, TRAIN), "--to", path.join(SECOND, TRAIN)]);
    expect(refusalLine(same, true)).toMatch(/both recordings are from NVIDIA H100/);
    const dir = makeTempDir();
    const bad = path.join(dir, "cal.json");
    fs.writeFileSync(bad, "{ not json");
    const before = sha256File(bad);
    const r = await runCliAsync(["cross-gpu", "--from", path.join(H200, TRAIN), "--to", path.join(STACKING, TRAIN), "--fit", bad]);
    expect(refusalLine(r, true)).toContain(bad);
    expect(sha256File(bad)).toBe(before);
  }, 300_000);
});
