/**
 * Eligible warps per resident warp from Nsight Compute's scheduler statistics (src/gpu/eligible-warps.ts), read from
 * the measurement in calibrations/eligible-h100 (tools/measure/ncu_issue.sh on an H100: a ResNet-50 training step, a ResNet-50
 * and a BERT request, the co-residency microbenchmark's co-runners), and the table the shipped calibration carries.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eligibleFraction, eligibleKey, eligibleTable, readNcuSchedulerStats } from "../../src/gpu/eligible-warps";
import { parseCalibration } from "../../src/gpu/calibration";
import { classifyKernel } from "../../src/gpu/kernel-class";
import { readInputText } from "../../src/cli/output";
import { buildPackage, refusalLine, runCli } from "../helpers/cli";
import { makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { REPO_ROOT } from "../helpers/fixtures";

const DIR = path.join(REPO_ROOT, "calibrations", "eligible-h100");
const FILES = ["spin", "resnet50", "bert", "train"].map((w) => path.join(DIR, `issue_${w}.csv.gz`));
/** The programs' exports, and the microbenchmark's (probes: kept out of the class medians). */
const PROGRAMS = FILES.slice(1), PROBES = FILES[0]!;
const SHIPPED = path.join(REPO_ROOT, "calibrations", "h200-sxm.json");
const read = (f: string) => readNcuSchedulerStats(f, readInputText(f));

beforeAll(() => buildPackage(), 300_000);
afterAll(removeTempDirs);

describe("Nsight Compute scheduler statistics", () => {
  it("read one entry per profiled launch, eligible never above resident", () => {
    for (const f of FILES) {
      const stats = read(f);
      expect(stats.length, f).toBeGreaterThan(0);
      for (const s of stats) {
        expect(s.activeWarps).toBeGreaterThan(0);
        expect(s.eligibleWarps).toBeGreaterThanOrEqual(0);
        expect(s.eligibleWarps).toBeLessThanOrEqual(s.activeWarps + 1e-9);
        expect(s.durationNs).toBeGreaterThan(0);
      }
    }
    // The co-runners: one launch each of coresidency.py's six variants.
    expect(read(FILES[0]!).map((s) => s.name).sort()).toEqual(["chase_spin", "fma_spin", "fma_spin", "fma_spin", "fma_spin", "sleep_spin"]);
  });

  it("tell an FMA spinner's warps (ready about half the cycles) from a sleeper's and a pointer chaser's (almost never)", () => {
    const table = eligibleTable(read(FILES[0]!), "spin");
    const fma = table.kernels[eligibleKey("fma_spin", 256)]!, chase = table.kernels[eligibleKey("chase_spin", 256)]!, sleep = table.kernels[eligibleKey("sleep_spin", 256)]!;
    expect(fma).toBeGreaterThan(0.4);
    expect(fma).toBeLessThan(0.7);
    expect(chase).toBeLessThan(0.05);
    expect(sleep).toBeLessThan(0.05);
  });

  it("the shipped calibration carries the table of all four files, and kernels of a trace find their entries", () => {
    const cal = parseCalibration(fs.readFileSync(SHIPPED, "utf8"), SHIPPED);
    const table = eligibleTable(PROGRAMS.flatMap(read), "x", read(PROBES));
    expect(cal.timing.eligible!.kernels).toEqual(table.kernels);
    expect(cal.timing.eligible!.classes).toEqual(table.classes);
    // The probes have entries of their own but stay out of the class medians: "other" is not the sleeper's ~0.
    expect(table.kernels[eligibleKey("sleep_spin", 256)]).toBeLessThan(0.05);
    expect(eligibleTable([...PROGRAMS.flatMap(read), ...read(PROBES)], "x").classes.other).not.toBe(table.classes.other);
    // Kineto spells names differently (namespaces, templates, lambdas, some left mangled): a training step traced on an
    // H100 finds every kernel's entry under its Kineto name.
    const kineto = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(REPO_ROOT, "calibrations", "stacking-h100-200rps", "resnet50_colo_train_bs64.pt.trace.json.gz"))).toString()) as { traceEvents: { cat?: string; name: string; args?: { block?: number[] } }[] };
    const kernels = kineto.traceEvents.filter((e) => e.cat === "kernel");
    expect(kernels.length).toBeGreaterThan(100);
    expect(kernels.some((k) => k.name.startsWith("_Z"))).toBe(true);
    for (const k of kernels) expect(cal.timing.eligible!.kernels[eligibleKey(k.name, k.args!.block!.reduce((a, b) => a * b, 1))], k.name).toBeDefined();
    // Unknown kernels take their class's median; without a table every resident warp counts.
    expect(eligibleFraction(cal.timing.eligible, "an_unseen_gemm_kernel", 128, "compute")).toBe(cal.timing.eligible!.classes.compute);
    expect(eligibleFraction(undefined, "x", 128, classifyKernel("x"))).toBe(1);
  });

  it("refuse a truncated export and one without the scheduler metrics, naming the file", () => {
    const dir = makeTempDir();
    const cut = path.join(dir, "cut.csv.gz");
    const whole = fs.readFileSync(FILES[0]!);
    fs.writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    expect(() => read(cut)).toThrow(/cut\.csv\.gz: corrupt gzip/);
    const dram = path.join(REPO_ROOT, "calibrations", "power-h200", "train_step_ncu.csv.gz");
    expect(() => read(dram)).toThrow(/no launch with smsp__warps_active/);
    // Plain text cut inside its rows: the launches it still holds whole are read as the whole file has them, none half.
    const text = readInputText(FILES[3]!);
    const all = read(FILES[3]!);
    const cutText = readNcuSchedulerStats("x", text.slice(0, Math.floor(text.length * 0.4) + 7));
    expect(cutText.length).toBeGreaterThan(0);
    expect(cutText.length).toBeLessThan(all.length);
    expect(cutText).toEqual(all.slice(0, cutText.length));
    const plain = path.join(dir, "plain.csv");
    fs.writeFileSync(plain, zlib.gunzipSync(whole));
    expect(read(plain)).toEqual(read(FILES[0]!));
  });
});

describe("lithos-replay eligible", () => {
  it("prints the table by class and kernel, and --fit writes it into a calibration's timing, the rest kept", () => {
    const args = ["eligible", ...PROGRAMS, "--probes", PROBES];
    const r = runCli(args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+ launches, \d+ kernels/);
    expect(r.stdout).toMatch(/\ncompute\s+0\.\d{3}\n/);
    const cal = path.join(makeTempDir(), "cal.json");
    const raw = parseCalibration(fs.readFileSync(SHIPPED, "utf8"), SHIPPED);
    delete raw.timing.eligible;
    fs.writeFileSync(cal, JSON.stringify(raw));
    const before = FILES.map(sha256File);
    const w = runCli([...args, "--fit", cal]);
    expect(w.status, w.stderr).toBe(0);
    const written = parseCalibration(fs.readFileSync(cal, "utf8"), cal);
    expect(written.timing.eligible!.fittedOn).toMatch(/issue_train\.csv\.gz.*issue_spin\.csv\.gz \(probes\)/);
    expect(written.timing.eligible!.kernels).toEqual(parseCalibration(fs.readFileSync(SHIPPED, "utf8"), SHIPPED).timing.eligible!.kernels);
    expect(written.timing.classes).toEqual(raw.timing.classes);
    expect(written.interference).toEqual(raw.interference);
    expect(FILES.map(sha256File)).toEqual(before);
  });

  it("refuses a missing file in one line naming it, and writes nothing", () => {
    const cal = path.join(makeTempDir(), "cal.json");
    fs.copyFileSync(SHIPPED, cal);
    const before = sha256File(cal);
    const r = runCli(["eligible", path.join(DIR, "nope.csv.gz"), "--fit", cal]);
    expect(r.status).not.toBe(0);
    expect(refusalLine(r)).toMatch(/nope\.csv\.gz: no such file/);
    expect(sha256File(cal)).toBe(before);
  });
});
