/**
 * `lithos-replay coresidency`, run as a user runs it, on the co-residency microbenchmark measured on an H100
 * (calibrations/coresidency-h100: the ResNet-50 and BERT services beside co-runner blocks on the same SMs,
 * tools/measure/coresidency.py and carveout.py), and the per-kernel co-resident delay fitted on it, which the shipped
 * calibration carries.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCoResidency, type CoResidencyFit } from "../../src/analysis/co-residency";
import { parseCalibration } from "../../src/gpu/calibration";
import { writeInterferenceFit } from "../../src/cli/interference-fit";
import { buildPackage, refusalLine, runCli, runCliAsync } from "../helpers/cli";
import { makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { H200, REPO_ROOT } from "../helpers/fixtures";

const DIR = path.join(REPO_ROOT, "calibrations", "coresidency-h100");
const HP = `resnet50=${path.join(H200, "resnet50_graph_infer_bs1.pt.trace.json.gz")},bert=${path.join(REPO_ROOT, "calibrations", "colocation-h100-bert-150rps", "bert_graph_infer_bs1.pt.trace.json.gz")}`;
const SHIPPED = path.join(REPO_ROOT, "calibrations", "h200-sxm.json");

beforeAll(() => buildPackage(), 300_000);
afterAll(removeTempDirs);

describe("the measurements", () => {
  it("read as one row per service and co-runner, each slowdown the file's p50 beside over alone", () => {
    const set = readCoResidency(DIR);
    expect(set.gpu).toBe("NVIDIA H100 80GB HBM3");
    // Two one-process runs of 6 co-runners and the CuPy sleepers' run, for two services; 3 MPS conditions each.
    expect(set.rows).toHaveLength(40);
    expect(set.rows.filter((r) => r.fitted)).toHaveLength(14);
    expect(set.rows.filter((r) => r.fitted).every((r) => r.kind === "sleep" && r.setting === "one process")).toBe(true);
    // The issue contention's rows: 4 FMA co-runners, two runs, two services.
    expect(set.rows.filter((r) => r.fittedIssue)).toHaveLength(16);
    expect(set.rows.filter((r) => r.fittedIssue).every((r) => r.kind === "fma" && r.setting === "one process")).toBe(true);
    expect(set.rows.filter((r) => r.setting !== "one process")).toHaveLength(6);
    const file = JSON.parse(fs.readFileSync(path.join(DIR, "coresidency_bert.json"), "utf8")) as { svc_alone: { p50_us: number }; rows: { co_runner: string; svc_with: { p50_us: number } }[] };
    const fma = set.rows.find((r) => r.service === "bert" && r.coRunner === "fma_w4_b1")!;
    expect(fma.measuredSlowdown).toBeCloseTo(file.rows.find((r) => r.co_runner === "fma_w4_b1")!.svc_with.p50_us / file.svc_alone.p50_us, 12);
    for (const r of set.rows) expect(fs.existsSync(r.trace), r.trace).toBe(true);
  });
});

describe("lithos-replay coresidency", () => {
  it("fits the delay and the issue contention the shipped calibration carries; the delay slows every row, the contention only beside issuing blocks", async () => {
    const r = await runCliAsync(["coresidency", DIR, "--gpu", "h100", "--hp", HP, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const fit = JSON.parse(r.stdout) as CoResidencyFit;
    const shipped = parseCalibration(fs.readFileSync(SHIPPED, "utf8"), SHIPPED);
    expect(fit.delayUs).toBe(shipped.interference!.coResidentDelayUs);
    expect(fit.issueContention).toBe(shipped.interference!.issueContention);
    expect(fit.fittedRows).toBe(14);
    expect(fit.issueFittedRows).toBe(16);
    expect(fit.delayUs).toBeGreaterThan(0);
    expect(fit.issueContention).toBeGreaterThan(0);
    for (const c of fit.conditions) expect(c.simulatedDelayOnly).toBeGreaterThan(c.simulatedNoDelay);
    // Sleepers issue nothing: the contention leaves their rows, and their own rate, as the delay alone has them.
    for (const c of fit.conditions.filter((c) => c.kind === "sleep")) {
      expect(c.simulatedSlowdown).toBeCloseTo(c.simulatedDelayOnly, 2);
      expect(c.simulatedCoRunner).toBeGreaterThan(0.95);
    }
    // Beside FMA spinners it adds to the delay, more with more warps per SM (4, 16, 32), as measured.
    for (const service of ["resnet50", "bert"]) {
      const fma = (co: string) => fit.conditions.find((c) => c.service === service && c.setting === "one process" && c.coRunner === co)!;
      expect(fma("fma_w4_b1").simulatedSlowdown).toBeGreaterThan(fma("fma_w4_b1").simulatedDelayOnly);
      expect(fma("fma_w4_b4").simulatedSlowdown).toBeGreaterThan(fma("fma_w4_b1").simulatedSlowdown);
      expect(fma("fma_w8_b4").simulatedSlowdown).toBeGreaterThan(fma("fma_w4_b4").simulatedSlowdown);
      expect(fma("fma_w8_b4").measuredSlowdown).toBeGreaterThan(fma("fma_w4_b4").measuredSlowdown);
    }
    // The sleeping rows are fitted: the fitted replay lands within the spread of their measurements.
    const sleep = fit.conditions.filter((c) => c.fitted);
    const measured = sleep.map((c) => c.measuredSlowdown);
    for (const c of sleep) expect(c.simulatedSlowdown).toBeGreaterThan(Math.min(...measured) * 0.9);
    for (const c of sleep) expect(c.simulatedSlowdown).toBeLessThan(Math.max(...measured) * 1.1);
    // Held out: across MPS clients within 25% of the measurement, and much less once the co-runner is held to 25%.
    for (const service of ["resnet50", "bert"]) {
      const mps = fit.conditions.find((c) => c.service === service && c.setting === "MPS" && c.kind === "sleep")!;
      const limited = fit.conditions.find((c) => c.service === service && c.setting === "MPS 25%")!;
      expect(Math.abs(mps.simulatedSlowdown / mps.measuredSlowdown - 1)).toBeLessThan(0.25);
      expect(limited.measuredSlowdown).toBeLessThan(mps.measuredSlowdown / 2);
      expect(limited.simulatedSlowdown).toBeLessThan(mps.simulatedSlowdown / 1.5);
    }
  }, 180_000);

  it("--fit writes the delay into a calibration file and keeps everything else", async () => {
    const dir = makeTempDir();
    const cal = path.join(dir, "cal.json");
    fs.copyFileSync(SHIPPED, cal);
    const before = sha256File(SHIPPED);
    const raw = parseCalibration(fs.readFileSync(SHIPPED, "utf8"), SHIPPED);
    delete raw.interference;
    fs.writeFileSync(cal, JSON.stringify(raw));
    const r = await runCliAsync(["coresidency", DIR, "--gpu", "h100", "--hp", HP, "--fit", cal]);
    expect(r.status, r.stderr).toBe(0);
    const written = parseCalibration(fs.readFileSync(cal, "utf8"), cal);
    expect(written.timing).toEqual(raw.timing);
    expect(written.power).toEqual(raw.power);
    expect(written.interference!.coResidentDelayUs).toBeGreaterThan(0);
    expect(written.interference!.issueContention).toBeGreaterThan(0);
    expect(written.interference!.fittedOn).toMatch(/coResidentDelayUs: coresidency-h100.*sleep.*; issueContention: coresidency-h100.*FMA/);
    expect(sha256File(SHIPPED)).toBe(before);
  }, 180_000);

  it("a refit replaces its own provenance entry and keeps the other fit's", async () => {
    const file = path.join(makeTempDir(), "cal.json");
    const cal = parseCalibration(fs.readFileSync(SHIPPED, "utf8"), SHIPPED);
    delete cal.interference;
    await writeInterferenceFit(file, cal, "coResidentDelayUs", 3, "first fit");
    await writeInterferenceFit(file, parseCalibration(fs.readFileSync(file, "utf8"), file), "loadedLatency", { utilisation: [0, 0.5], slowdown: [1, 2] }, "the curve");
    await writeInterferenceFit(file, parseCalibration(fs.readFileSync(file, "utf8"), file), "coResidentDelayUs", 4, "second fit");
    const written = parseCalibration(fs.readFileSync(file, "utf8"), file).interference!;
    expect(written.coResidentDelayUs).toBe(4);
    expect(written.loadedLatency).toEqual({ utilisation: [0, 0.5], slowdown: [1, 2] });
    expect(written.fittedOn).toBe("loadedLatency: the curve; coResidentDelayUs: second fit");
  });

  it("refuses a folder without measurements, and a service without its trace, in one line naming the cause", () => {
    const empty = makeTempDir();
    const a = runCli(["coresidency", empty, "--hp", HP]);
    expect(a.status).not.toBe(0);
    expect(refusalLine(a)).toMatch(/no coresidency_<service>\.json/);
    const b = runCli(["coresidency", DIR, "--gpu", "h100", "--hp", HP.split(",")[0]!]);
    expect(b.status).not.toBe(0);
    expect(refusalLine(b, true)).toMatch(/no --hp trace for the service measured: bert/);
  });
});
