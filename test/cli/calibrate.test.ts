/**
 * `lithos-replay calibrate` and `lithos-replay model-error`, run as a user runs them (`node bin/lithos-replay.js`,
 * after a build), on the real H200 measurements in shared/calibration/h200 (kernels.csv, micro.csv):
 * calibrate writes a versioned calibration JSON (timing classes, power with the measured idle power) and, on the
 * shared data, reproduces the committed calibrations/h200-sxm.json exactly except for `producer`, so the shipped
 * calibration cannot drift from the data; a CSV of the wrong shape exits 2 naming the file. model-error --json
 * reports baselines, per-workload fitted and held-out errors, family splits and the 33 power rows, consistent with
 * the numbers recomputed here from the raw files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackage, refusalLine, runCli, type CliResult } from "../helpers/cli";
import { KERNELS_CSV, MICRO_CSV, REPO_ROOT } from "../helpers/fixtures";
import { listDir, makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { KERNEL_CLASSES } from "../../src/gpu/kernel-class";
import { baselineErrors, modelError } from "../../src/gpu/fit-timing";
import { kernelCurvesFromCsv } from "../../src/gpu/measurements";
import { H200_SXM } from "../../src/gpu/specs";
import type { TimingCalibration } from "../../src/gpu/timing";
import { readInputText } from "../../src/cli/output";

beforeAll(() => {
  buildPackage();
}, 300_000);
afterAll(removeTempDirs);

const SHIPPED = path.join(REPO_ROOT, "calibrations", "h200-sxm.json");
/** Kernel timings measured with tools/measure (sets 1 and 2: calibration data; set 3, and 4 once measured: held out, never fitted on). */
const EXTRA_CSVS = ["h200-extra-kernels.csv.gz", "h200-set2-kernels.csv.gz"].map((f) => path.join(REPO_ROOT, "calibrations", f));
const HELDOUT_CSVS = ["h200-heldout3-kernels.csv.gz", "h200-heldout4-kernels.csv.gz"].map((f) => path.join(REPO_ROOT, "calibrations", f)).filter((f) => fs.existsSync(f));
const FULL = 132;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Lines of a text file without their line ends, blank lines dropped. */
const linesOf = (file: string) => fs.readFileSync(file, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");

/** kernels.csv rows as (workload, sms, seq, us): those lead and end each line; the quoted name between may hold commas. */
function kernelRows(): { workload: string; sms: number; seq: string; us: number }[] {
  const [head, ...rows] = linesOf(KERNELS_CSV);
  expect(head.split(",").slice(0, 3)).toEqual(["workload", "sms", "seq"]);
  expect(head.endsWith(",us")).toBe(true);
  return rows.map((l) => {
    const [workload, sms, seq] = l.split(",", 3);
    return { workload, sms: Number(sms), seq, us: Number(l.slice(l.lastIndexOf(",") + 1)) };
  });
}

/** micro.csv rows with watts: kernel rows and the idle row. */
function microWatts(): { kernelRows: number; idleW: number } {
  const [head, ...rows] = linesOf(MICRO_CSV);
  const h = head.split(",");
  const kernel = h.indexOf("kernel"), watts = h.indexOf("watts");
  const withWatts = rows.map((l) => l.split(",")).filter((f) => f[watts] !== "");
  const idle = withWatts.filter((f) => f[kernel] === "idle");
  expect(idle).toHaveLength(1);
  return { kernelRows: withWatts.length - 1, idleW: Number(idle[0][watts]) };
}

const PKG = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { name: string; version: string };

function calibrate(args: string[]): { r: CliResult; dir: string; out: string } {
  const dir = makeTempDir();
  const out = path.join(dir, "cal.json");
  return { r: runCli(["calibrate", ...args, "-o", out]), dir, out };
}

describe("calibrate on the shared H200 measurements", () => {
  let run: ReturnType<typeof calibrate>;
  let cal: Json;

  beforeAll(() => {
    run = calibrate([KERNELS_CSV, MICRO_CSV]);
    if (run.r.status === 0) cal = JSON.parse(fs.readFileSync(run.out, "utf8")) as Json;
  });

  it("exits 0 and writes only the calibration file", () => {
    expect(run.r.status, run.r.stderr).toBe(0);
    expect(listDir(run.dir)).toEqual(["cal.json"]);
    expect(fs.readFileSync(run.out, "utf8").endsWith("}\n")).toBe(true);
  });

  it("writes version 1 for the H200, stamped with this package's name and version", () => {
    expect(run.r.status, run.r.stderr).toBe(0);
    expect(cal.version).toBe(1);
    expect(cal.gpu).toBe("h200-sxm");
    expect(cal.producer).toBe(`${PKG.name} ${PKG.version}`);
  });

  it("writes timing parameters for exactly the compute, memory and other classes, all finite", () => {
    expect(run.r.status, run.r.stderr).toBe(0);
    const t = cal.timing as Json;
    expect(t.version).toBe(1);
    expect(t.gpu).toBe("h200-sxm");
    expect(Number.isFinite(t.launchUs) && t.launchUs >= 0).toBe(true);
    expect(Object.keys(t.classes).sort()).toEqual([...KERNEL_CLASSES].sort());
    for (const [cls, params] of Object.entries(t.classes as Record<string, Record<string, unknown>>)) {
      expect(Object.keys(params).length, cls).toBeGreaterThan(0);
      for (const [k, v] of Object.entries(params)) expect(typeof v === "number" && Number.isFinite(v), `${cls}.${k} = ${String(v)}`).toBe(true);
      expect((params as { theta: number }).theta).toBeGreaterThanOrEqual(-1);
      expect((params as { theta: number }).theta).toBeLessThanOrEqual(1);
    }
    expect(Number.isFinite(t.fitError) && t.fitError > 0 && t.fitError < 1).toBe(true);
    const kernels = new Set(kernelRows().map((r) => `${r.workload}#${r.seq}`)).size;
    expect(t.fittedOn).toContain(`kernels.csv (${kernels} kernels of 4 workloads)`);
  });

  it("writes power parameters with the idle power measured in micro.csv's idle row", () => {
    expect(run.r.status, run.r.stderr).toBe(0);
    const p = cal.power as Json;
    expect(p).toBeDefined();
    expect(p.gpu).toBe("h200-sxm");
    expect(p.idleW).toBe(microWatts().idleW);
    expect(Number.isFinite(p.powerLimitW) && p.powerLimitW > p.idleW).toBe(true);
  });

  it("gives exactly the committed calibrations/h200-sxm.json (fitted on kernels.csv, kernel sets 1 and 2, and micro.csv) except for the producer field, the interference section (`coresidency --fit` writes it: test/cli/co-residency.test.ts), timing.dramBound (`cross-gpu --fit`: test/cli/cross-gpu.test.ts) and timing.eligible (`eligible --fit`: test/gpu/eligible-warps.test.ts)", () => {
    const shippedRun = calibrate([KERNELS_CSV, ...EXTRA_CSVS, MICRO_CSV]);
    expect(shippedRun.r.status, shippedRun.r.stderr).toBe(0);
    const fresh0 = JSON.parse(fs.readFileSync(shippedRun.out, "utf8")) as Json;
    const shipped = JSON.parse(fs.readFileSync(SHIPPED, "utf8")) as Json;
    const { producer: _a, ...fresh } = fresh0;
    const { producer: _b, interference: _c, ...committed } = shipped;
    const { dramBound: _d, eligible: _e, ...timing } = committed.timing as Json;
    committed.timing = timing;
    expect(committed, "calibrations/h200-sxm.json is not what `calibrate kernels.csv h200-extra-kernels.csv.gz h200-set2-kernels.csv.gz micro.csv` gives today: regenerate it").toEqual(fresh);
  });

  it("the shipped calibration beats the constant and wave-quantisation predictors on held-out workloads it never saw", () => {
    // Through the library: model-error's cross-validation on these kernels takes a minute and would block the worker.
    const shipped = JSON.parse(fs.readFileSync(SHIPPED, "utf8")) as { timing: TimingCalibration };
    for (const file of HELDOUT_CSVS) {
      const heldOut = kernelCurvesFromCsv(readInputText(file));
      expect(new Set(heldOut.map((c) => c.workload)).size).toBeGreaterThanOrEqual(4);
      const base = baselineErrors(heldOut, H200_SXM);
      const err = modelError(shipped.timing, heldOut, H200_SXM);
      expect(err, file).toBeLessThan(base.waves);
      expect(err, file).toBeLessThan(base.constant);
      // The quality bar on workloads the model was not fitted on.
      if (file.includes("heldout3")) expect(err, file).toBeLessThanOrEqual(0.1);
    }
  });

  it("prints the same JSON to stdout without -o", () => {
    expect(run.r.status, run.r.stderr).toBe(0);
    const r = runCli(["calibrate", KERNELS_CSV, MICRO_CSV]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(run.out, "utf8"));
  });

  it("fits the timing model without micro.csv and then writes no power parameters", () => {
    const only = calibrate([KERNELS_CSV]);
    expect(only.r.status, only.r.stderr).toBe(0);
    const c = JSON.parse(fs.readFileSync(only.out, "utf8")) as Json;
    expect(c.power).toBeUndefined();
    expect(c.timing).toEqual(cal.timing);
  });
});

describe("calibrate on bad input", () => {
  const kernelsHead = linesOf(KERNELS_CSV).slice(0, 30);

  const CASES: [string, string | null, RegExp][] = [
    ["a CSV of the wrong shape", "a,b,c\n1,2,3\n", /kernels\.csv|micro\.csv/],
    ["a kernels.csv with a grid of two dimensions", [kernelsHead[0], kernelsHead[1].replace(/,(\d+x\d+x\d+),/, ",12x3,"), ...kernelsHead.slice(2)].join("\n") + "\n", /12x3/],
    ["a kernels.csv with an sms that is not a number", [kernelsHead[0], kernelsHead[1].replace(/^([^,]+),\d+,/, "$1,eight,"), ...kernelsHead.slice(2)].join("\n") + "\n", /sms/],
    ["a micro.csv with a missing field", "kernel,size,sms,us,watts,sm_mhz\ngemm_fp16,256,8,30.9,\n", /field/],
    ["an empty file", "", /empty/],
    ["a missing file", null, /no such file/],
  ];

  it.each(CASES)("exits 2 on %s, with one stderr line naming the file, and writes nothing", (_what, text, cause) => {
    const dir = makeTempDir();
    const input = path.join(dir, "in.csv");
    if (text !== null) fs.writeFileSync(input, text);
    const hash = text !== null ? sha256File(input) : null;
    const before = listDir(dir);
    const line = refusalLine(runCli(["calibrate", input, "-o", path.join(dir, "cal.json")]));
    expect(line).toContain(input);
    expect(line).toMatch(cause);
    expect(listDir(dir)).toEqual(before);
    if (hash) expect(sha256File(input)).toBe(hash);
  });

  it("exits 2 when only a micro.csv is given (nothing to fit the timing model on), writing nothing", () => {
    const dir = makeTempDir();
    const r = runCli(["calibrate", MICRO_CSV, "-o", path.join(dir, "cal.json")]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/kernels\.csv/);
    expect(listDir(dir)).toEqual([]);
  });
});

describe("model-error --json on the shared H200 measurements", () => {
  let r: CliResult;
  let report: Json;

  beforeAll(() => {
    r = runCli(["model-error", KERNELS_CSV, MICRO_CSV, "--json"]);
    if (r.status === 0) report = JSON.parse(r.stdout) as Json;
  });

  it("exits 0 and prints one JSON report for the H200's kernels", () => {
    expect(r.status, r.stderr).toBe(0);
    expect(report.gpu).toBe("h200-sxm");
    expect(report.kernels).toBe(new Set(kernelRows().map((k) => `${k.workload}#${k.seq}`)).size);
  });

  it("reports the constant, linear and wave baselines, the first two as the raw rows give them, and the model below all three", () => {
    expect(r.status, r.stderr).toBe(0);
    const rows = kernelRows();
    const full = new Map(rows.filter((k) => k.sms === FULL).map((k) => [`${k.workload}#${k.seq}`, k.us]));
    let constant = 0, linear = 0, sum = 0;
    for (const k of rows) {
      const f = full.get(`${k.workload}#${k.seq}`);
      if (k.sms >= FULL || f === undefined) continue;
      constant += Math.abs(f - k.us);
      linear += Math.abs((f * FULL) / k.sms - k.us);
      sum += k.us;
    }
    expect(Object.keys(report.baselines).sort()).toEqual(["constant", "linear", "waves"]);
    expect(report.baselines.constant).toBeCloseTo(constant / sum, 12);
    expect(report.baselines.linear).toBeCloseTo(linear / sum, 12);
    expect(report.baselines.waves > 0 && report.baselines.waves < report.baselines.constant).toBe(true);
    for (const [name, v] of Object.entries(report.baselines as Record<string, number>)) expect(report.fitted, name).toBeLessThan(v);
  });

  it("reports each workload once with its kernel count, fitted and held-out errors, and the held-out total between them", () => {
    expect(r.status, r.stderr).toBe(0);
    const rows = kernelRows();
    const workloads = [...new Set(rows.map((k) => k.workload))].sort();
    expect(report.workloads.map((w: Json) => w.workload)).toEqual(workloads);
    for (const w of report.workloads as Json[]) {
      expect(w.kernels).toBe(new Set(rows.filter((k) => k.workload === w.workload).map((k) => k.seq)).size);
      expect(Number.isFinite(w.fitted) && w.fitted >= 0, w.workload).toBe(true);
      expect(Number.isFinite(w.heldOut) && w.heldOut >= 0, w.workload).toBe(true);
    }
    const held = (report.workloads as Json[]).map((w) => w.heldOut as number);
    expect(report.heldOutOverall).toBeGreaterThanOrEqual(Math.min(...held) - 1e-12);
    expect(report.heldOutOverall).toBeLessThanOrEqual(Math.max(...held) + 1e-12);
  });

  it("leaves one model family out at a time: fit on resnet50 test on bert, and the reverse", () => {
    expect(r.status, r.stderr).toBe(0);
    expect((report.familySplits as Json[]).map((s) => [s.fitOn, s.testOn])).toEqual([["resnet50", "bert"], ["bert", "resnet50"]]);
    for (const s of report.familySplits as Json[]) {
      expect(Number.isFinite(s.fitted) && s.fitted >= 0).toBe(true);
      expect(Number.isFinite(s.heldOut) && s.heldOut >= 0).toBe(true);
    }
  });

  it("scores the power model on the 33 micro.csv kernel rows that carry watts", () => {
    expect(r.status, r.stderr).toBe(0);
    expect(microWatts().kernelRows).toBe(33);
    expect(report.power.rows).toBe(33);
    expect(Number.isFinite(report.power.meanAbsPct) && report.power.meanAbsPct >= 0).toBe(true);
    expect(report.power.maxAbsPct).toBeGreaterThanOrEqual(report.power.meanAbsPct);
  });

  it("reports as `fitted` the fitError of the calibration it is given (calibrate and model-error agree)", () => {
    const c = calibrate([KERNELS_CSV, MICRO_CSV]);
    expect(c.r.status, c.r.stderr).toBe(0);
    const own = JSON.parse(fs.readFileSync(c.out, "utf8")) as Json;
    const m = runCli(["model-error", KERNELS_CSV, "--calibration", c.out, "--json"]);
    expect(m.status, m.stderr).toBe(0);
    const rep = JSON.parse(m.stdout) as Json;
    expect(Math.abs(rep.fitted - own.timing.fitError)).toBeLessThan(1e-9);
    expect(rep.power).toBeNull();
  });

  it("gives for the shipped calibration, on the data it was fitted on, the fitError recorded in it", () => {
    // Through the library rather than the CLI: model-error's cross-validation on 10230 kernels takes minutes.
    const curves = [KERNELS_CSV, ...EXTRA_CSVS].flatMap((f) => kernelCurvesFromCsv(readInputText(f)));
    const shipped = JSON.parse(fs.readFileSync(SHIPPED, "utf8")) as { timing: TimingCalibration };
    expect(curves.length).toBe(1008 + 5483 + 3739);
    expect(Math.abs(modelError(shipped.timing, curves, H200_SXM) - shipped.timing.fitError)).toBeLessThan(1e-9);
  });
});
