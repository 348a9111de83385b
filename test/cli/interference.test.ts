/**
 * `lithos-replay interference`, run as a user runs it, on the interference microbenchmark measured on an H100
 * (calibrations/interference-h100: the ResNet-50 service beside a DRAM-streaming kernel, device-to-device copies and
 * a GEMM, tools/measure/interference.py sweep), and the loaded-latency curve it gives (src/sim/memory-load.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadedLatencyCurve, readInterferenceSweep, type InterferenceCondition } from "../../src/analysis/interference";
import { parseCalibration } from "../../src/gpu/calibration";
import { gpuSpec } from "../../src/gpu/specs";
import { loadedLatencyProblem, loadedLatencySlowdown } from "../../src/sim/memory-load";
import { buildPackage, refusalLine, runCli } from "../helpers/cli";
import { makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { H200, REPO_ROOT } from "../helpers/fixtures";

const SWEEP_DIR = path.join(REPO_ROOT, "calibrations", "interference-h100");
const SERVICE = path.join(H200, "resnet50_graph_infer_bs1.pt.trace.json.gz");
const SHIPPED = path.join(REPO_ROOT, "calibrations", "h200-sxm.json");

beforeAll(() => buildPackage(), 300_000);
afterAll(removeTempDirs);

describe("the loaded-latency curve", () => {
  const sweep = readInterferenceSweep(path.join(SWEEP_DIR, "sweep.json"));
  const curve = loadedLatencyCurve(sweep, gpuSpec("h100").memBandwidthBytesPerS);

  it("has one point per streaming row after no load, ascending, each the row's measured slowdown at its measured utilisation", () => {
    const stream = sweep.rows.filter((r) => r.kind === "stream").sort((a, b) => a.hog_with_gbps - b.hog_with_gbps);
    expect(curve.utilisation).toHaveLength(stream.length + 1);
    expect(loadedLatencyProblem(curve)).toBeNull();
    stream.forEach((r, i) => {
      expect(curve.utilisation[i + 1]).toBeCloseTo((r.hog_with_gbps * 1e9) / 3.35e12, 3);
      expect(curve.slowdown[i + 1]).toBeCloseTo(Math.max(...stream.slice(0, i + 1).map((q) => q.svc_with.p50_us / q.svc_alone.p50_us)), 3);
    });
  });

  it("interpolates between its points, is 1 without load and holds its last value beyond", () => {
    const c = { utilisation: [0, 0.5, 0.8], slowdown: [1, 1.5, 3] };
    expect(loadedLatencySlowdown(c, 0)).toBe(1);
    expect(loadedLatencySlowdown(c, 0.25)).toBeCloseTo(1.25, 12);
    expect(loadedLatencySlowdown(c, 0.65)).toBeCloseTo(2.25, 12);
    expect(loadedLatencySlowdown(c, 0.95)).toBe(3);
  });

  it("refuses curves that do not start at no load or that fall", () => {
    expect(loadedLatencyProblem({ utilisation: [0.1, 0.5], slowdown: [1, 2] })).toMatch(/no load/);
    expect(loadedLatencyProblem({ utilisation: [0, 0.5, 0.4], slowdown: [1, 2, 3] })).toMatch(/ascending/);
    expect(loadedLatencyProblem({ utilisation: [0, 0.5, 0.6], slowdown: [1, 2, 1.5] })).toMatch(/decreasing/);
  });
});

describe("lithos-replay interference", () => {
  it("replays every measured row: the measured slowdowns as measured, the sweep's curve never faster than without it", () => {
    const r = runCli(["interference", SWEEP_DIR, "--hp", SERVICE, "--gpu", "h100", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as InterferenceCondition[];
    const sweep = readInterferenceSweep(path.join(SWEEP_DIR, "sweep.json"));
    expect(rows.map((x) => x.coRunner)).toEqual(sweep.rows.map((x) => x.kind));
    rows.forEach((x, i) => {
      expect(x.measuredSlowdown).toBeCloseTo(sweep.rows[i]!.svc_with.p50_us / sweep.rows[i]!.svc_alone.p50_us, 9);
      expect(x.simulatedSlowdown).toBeGreaterThanOrEqual(0.99);
      expect(x.withCurveSlowdown).toBeGreaterThanOrEqual(x.simulatedSlowdown - 1e-9);
      expect(x.simulatedIts).toBeGreaterThan(0);
    });
  }, 120_000);

  it("--fit writes the curve into a calibration file and keeps everything else", () => {
    const dir = makeTempDir();
    const cal = path.join(dir, "cal.json");
    fs.copyFileSync(SHIPPED, cal);
    const before = sha256File(SHIPPED);
    const r = runCli(["interference", SWEEP_DIR, "--hp", SERVICE, "--gpu", "h100", "--fit", cal, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const written = parseCalibration(fs.readFileSync(cal, "utf8"), cal);
    const shipped = parseCalibration(fs.readFileSync(SHIPPED, "utf8"), SHIPPED);
    expect(written.timing).toEqual(shipped.timing);
    expect(written.power).toEqual(shipped.power);
    expect(written.interference!.loadedLatency).toEqual(loadedLatencyCurve(readInterferenceSweep(path.join(SWEEP_DIR, "sweep.json")), gpuSpec("h100").memBandwidthBytesPerS));
    expect(written.interference!.fittedOn).toMatch(/sweep\.json/);
    expect(sha256File(SHIPPED)).toBe(before);
  }, 120_000);

  it("refuses a folder without a sweep, naming the file", () => {
    const dir = makeTempDir();
    const line = refusalLine(runCli(["interference", dir, "--hp", SERVICE]));
    expect(line).toContain(path.join(dir, "sweep.json"));
    expect(line).toMatch(/no such file/);
  });

  it("refuses --fit into a calibration that does not exist, naming it, and writes nothing", () => {
    const dir = makeTempDir();
    const cal = path.join(dir, "none.json");
    expect(refusalLine(runCli(["interference", SWEEP_DIR, "--hp", SERVICE, "--fit", cal]))).toBe(`lithos-replay: ${cal}: no such file`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("refuses a sweep measured on a GPU it has no spec of", () => {
    const dir = makeTempDir();
    const sweep = JSON.parse(fs.readFileSync(path.join(SWEEP_DIR, "sweep.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "sweep.json"), JSON.stringify({ ...sweep, gpu: "Imaginary GPU 9000" }));
    expect(refusalLine(runCli(["interference", dir, "--hp", SERVICE]))).toMatch(/sweep\.json: measured on "Imaginary GPU 9000", a GPU this package has no spec of/);
  });

  it("refuses a sweep.json that is not a sweep", () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, "sweep.json"), JSON.stringify({ role: "svc", p50_us: 1 }));
    expect(refusalLine(runCli(["interference", dir, "--hp", SERVICE]))).toMatch(/not an interference sweep/);
  });
});
