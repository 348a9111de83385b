/** The `stack`, `run` and `colocation` commands: the stack contract's JSON, refusals, experiment files. */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildPackage, refusalLine, runCli } from "../helpers/cli";
import { CALIBRATION_DATA, H200, REPO_ROOT } from "../helpers/fixtures";
import { makeTempDir as tempDir, removeTempDirs } from "../helpers/files";
import { afterAll } from "vitest";
import { checkRanking, MEASURED_SPREAD, type ColocationRow } from "../../src/analysis/colocation";

const SERVICE = path.join(H200, "resnet50_graph_infer_bs1.pt.trace.json.gz");
const JOB = path.join(H200, "resnet50_colo_train_bs64.pt.trace.json.gz");

beforeAll(() => buildPackage());
afterAll(() => removeTempDirs());

describe("stack (contract)", () => {
  it("prints one JSON object with the contract's keys for a service beside a job", () => {
    const r = runCli(["stack", "--gpu", "h200", "--hp", SERVICE, "--hp-rate", "300", "--be", JOB, "--policy", "mps-limit", "--be-limit", "25", "--duration", "2", "--seed", "1", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    expect(out.policy).toBe("mps-limit");
    for (const k of ["requests", "p50_us", "p99_us", "throughput_rps"]) expect(typeof out.hp[k]).toBe("number");
    for (const k of ["iterations", "throughput_its"]) expect(typeof out.be[k]).toBe("number");
    expect(out.hp.p99_us).toBeGreaterThanOrEqual(out.hp.p50_us);
    expect(out.hp.requests).toBeGreaterThan(500);
    expect(out.hp.throughput_rps).toBeGreaterThan(250);
    expect(out.be.iterations).toBeGreaterThan(10);
  });

  it("runs the service alone without --be, and the job alone without --hp", () => {
    const hp = JSON.parse(runCli(["stack", "--hp", SERVICE, "--hp-rate", "100", "--policy", "mps", "--duration", "1", "--seed", "3", "--json"]).stdout);
    expect(hp.be).toBeNull();
    expect(hp.hp.requests).toBeGreaterThan(50);
    const be = JSON.parse(runCli(["stack", "--be", JOB, "--policy", "timeslice", "--duration", "1", "--seed", "3", "--json"]).stdout);
    expect(be.hp).toBeNull();
    expect(be.be.throughput_its).toBeGreaterThan(25);
  });

  it("gives the same JSON numbers twice for one seed", () => {
    const args = ["stack", "--hp", SERVICE, "--hp-rate", "300", "--be", JOB, "--policy", "priority", "--duration", "1", "--seed", "5", "--json"];
    const a = JSON.parse(runCli(args).stdout), b = JSON.parse(runCli(args).stdout);
    delete a.wall_ms; delete b.wall_ms;
    expect(b).toEqual(a);
  });

  it("refuses an unknown policy, a missing trace and a bad rate with one line and exit 2", () => {
    expect(refusalLine(runCli(["stack", "--hp", SERVICE, "--hp-rate", "300", "--policy", "fifo", "--duration", "1", "--seed", "1"]), true)).toMatch(/unknown policy "fifo"/);
    expect(refusalLine(runCli(["stack", "--hp", "/nope.json", "--hp-rate", "300", "--policy", "mps", "--duration", "1", "--seed", "1"]))).toMatch(/nope\.json/);
    expect(refusalLine(runCli(["stack", "--hp", SERVICE, "--hp-rate", "-3", "--policy", "mps", "--duration", "1", "--seed", "1"]), true)).toMatch(/--hp-rate/);
  });

  it("refuses a trace with no kernels, naming the file", () => {
    const dir = tempDir();
    const f = path.join(dir, "cpu_only.json");
    fs.writeFileSync(f, JSON.stringify({ schemaVersion: 1, traceEvents: [{ ph: "X", cat: "cpu_op", name: "aten::add", pid: 1, tid: 1, ts: 1, dur: 2 }] }));
    const line = refusalLine(runCli(["stack", "--hp", f, "--hp-rate", "10", "--policy", "mps", "--duration", "1", "--seed", "1"]));
    expect(line).toContain("cpu_only.json");
  });
});

describe("run <experiment.json>", () => {
  it("replays the shipped example experiment", () => {
    const r = runCli(["run", path.join(REPO_ROOT, "experiments", "resnet50-300rps-mps-limit.json"), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.policy).toBe("mps-limit");
    expect(out.tenants.map((t: { name: string }) => t.name)).toEqual(["resnet50-service", "resnet50-training"]);
    expect(out.tenants[0].slo_attainment).toBeGreaterThan(0.5);
  });

  it("refuses unknown fields and missing arrivals, naming the file", () => {
    const dir = tempDir();
    const f = path.join(dir, "bad.json");
    fs.writeFileSync(f, JSON.stringify({ gpu: "h200", policy: "mps", duration_s: 1, tenants: [{ name: "a", trace: SERVICE, poisson: { rate_per_s: 5 }, colour: "red" }] }));
    expect(refusalLine(runCli(["run", f]))).toMatch(/bad\.json: .*unknown field "colour"/);
    fs.writeFileSync(f, JSON.stringify({ gpu: "h200", policy: "mps", duration_s: 1, tenants: [{ name: "a", trace: SERVICE }] }));
    expect(refusalLine(runCli(["run", f]))).toMatch(/one arrival/);
  });
});

describe("colocation", () => {
  /** The H200 case's rows, replayed once for the tests below. */
  let h200: ReturnType<typeof runCli> | null = null;
  const h200Run = () => (h200 ??= runCli(["colocation", path.join(CALIBRATION_DATA, "colocation", "resnet50_300rps"), "--hp", SERVICE, "--be", JOB, "--json"]));

  it("ranks the measured scenarios' service p50 the way the H200 did", () => {
    const r = h200Run();
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { scenario: string; measured_p50_ms: number; simulated_p50_ms: number }[];
    expect(rows.map((x) => x.scenario)).toEqual(["alone", "timeslice", "mps", "mps_train25", "prio"]);
    const order = (k: "measured_p50_ms" | "simulated_p50_ms") => [...rows].sort((a, b) => a[k] - b[k]).map((x) => x.scenario);
    expect(order("simulated_p50_ms")).toEqual(order("measured_p50_ms"));
  });

  it("ranks training steps/s as measured once pairs measured within a run's spread are ties, and finds the swap without them", () => {
    const r = h200Run();
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as ColocationRow[];
    // MPS and priorities were measured 0.06% apart (32.29 and 32.31 steps/s): no order to check.
    const check = checkRanking(rows, "measured_its", "simulated_its", MEASURED_SPREAD.its);
    expect(check.swapped).toEqual([]);
    expect(check.ties.map((p) => [...p].sort().join(" "))).toEqual(["mps prio"]);
    const strict = checkRanking(rows, "measured_its", "simulated_its", 0);
    expect(strict.ties).toEqual([]);
    expect(strict.swapped.map((p) => [...p].sort().join(" "))).toEqual(["mps prio"]);
  });

  it("splits each side's latency into queueing and service: a request's own time is within ±25% in every scenario", () => {
    const r = h200Run();
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { scenario: string; p50_error: number; service_error: number; measured_busy: number; simulated_busy: number; measured_service_ms: number; measured_p50_ms: number }[];
    for (const row of rows) {
      expect(Math.abs(row.service_error), row.scenario).toBeLessThan(0.25);
      expect(row.measured_service_ms).toBeLessThanOrEqual(row.measured_p50_ms * 1.001);
      for (const busy of [row.measured_busy, row.simulated_busy]) expect(busy > 0 && busy <= 1, row.scenario).toBe(true);
    }
    // Time slicing runs at the edge of its capacity on both sides (the queue, not the request, is the latency).
    const ts = rows.find((x) => x.scenario === "timeslice")!;
    expect(ts.measured_busy).toBeGreaterThan(0.9);
    expect(Math.abs(ts.p50_error)).toBeGreaterThan(Math.abs(ts.service_error));
  });

  it("replays the H100 measurement at 200 req/s (held out: nothing was fitted on it) with its own rate and GPU", () => {
    const dir = path.join(REPO_ROOT, "calibrations", "colocation-h100-200rps");
    const r = runCli(["colocation", dir, "--gpu", "h100", "--hp", SERVICE, "--be", JOB, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { scenario: string; measured_p50_ms: number; simulated_p50_ms: number; measured_its: number }[];
    expect(rows.map((x) => x.scenario)).toEqual(["alone", "timeslice", "mps", "mps_train25", "prio"]);
    // The measured side comes from the files: the median of the service's latencies, the training's steps per second.
    const lab = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { rate: number; lat_us: number[]; steps: number; secs: number };
    const alone = lab("alone_infer.1.json"), train = lab("alone_train.1.json");
    expect(alone.rate).toBe(200);
    const sorted = [...alone.lat_us].sort((a, b) => a - b);
    expect(rows[0]!.measured_p50_ms).toBeCloseTo(sorted[Math.floor(sorted.length / 2)]! / 1e3, 1);
    expect(rows[0]!.measured_its).toBeCloseTo(train.steps / train.secs, 6);
    // At 200 req/s the service at 25% MPS barely waits, on the hardware and in the replay: the H100's kernels, replayed
    // from the H200's trace through the timing model, must land within the issue's ±30%.
    const limited = rows.find((x) => x.scenario === "mps_train25")!;
    expect(Math.abs(limited.simulated_p50_ms / limited.measured_p50_ms - 1)).toBeLessThan(0.3);
  });

  it("replays the H100 measurement at 300 req/s (held out): each request's own time within ±20%, medians ranked as measured", () => {
    const dir = path.join(REPO_ROOT, "calibrations", "colocation-h100-300rps");
    const r = runCli(["colocation", dir, "--gpu", "h100", "--hp", SERVICE, "--be", JOB, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as ColocationRow[];
    expect(rows.map((x) => x.scenario)).toEqual(["alone", "timeslice", "mps", "mps_train25", "prio"]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "mps.1.json"), "utf8")).rate).toBe(300);
    // The queue near saturation magnifies a few percent of a request's own time into tens of percent of latency
    // (README), so the check is on the request itself, and on the order of the medians.
    for (const row of rows) expect(Math.abs(row.service_error!), row.scenario).toBeLessThan(0.2);
    expect(checkRanking(rows, "measured_p50_ms", "simulated_p50_ms", MEASURED_SPREAD.p50).swapped).toEqual([]);
  });

  it("replays the held-out BERT service beside training on the H100, from traces captured on that H100", () => {
    const dir = path.join(REPO_ROOT, "calibrations", "colocation-h100-bert-150rps");
    const trace = (f: string) => path.join(dir, f);
    const r = runCli(["colocation", dir, "--gpu", "h100", "--hp", trace("bert_graph_infer_bs1.pt.trace.json.gz"), "--be", trace("resnet50_colo_train_bs64.pt.trace.json.gz"), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { scenario: string; measured_p50_ms: number; simulated_p50_ms: number; measured_service_ms: number }[];
    expect(rows.map((x) => x.scenario)).toEqual(["alone", "timeslice", "mps", "mps_train25", "prio"]);
    const alone = JSON.parse(fs.readFileSync(trace("alone_infer.1.json"), "utf8")) as { rate: number; lat_us: number[]; solo_service_us: number };
    expect(alone.rate).toBe(150);
    // The recovered arrivals hold for this run too: alone, a request's own time is near the solo time measured beside it.
    expect(Math.abs(rows[0]!.measured_service_ms / (alone.solo_service_us / 1e3) - 1)).toBeLessThan(0.1);
    // Time slicing, away from its knee here, lands within the issue's ±30% on the median.
    const ts = rows.find((x) => x.scenario === "timeslice")!;
    expect(Math.abs(ts.simulated_p50_ms / ts.measured_p50_ms - 1)).toBeLessThan(0.3);
    // Stream priorities (measured with tools/measure/keepalive.py): with the co-resident delay, within ±30% too.
    const prio = rows.find((x) => x.scenario === "prio")!;
    expect(Math.abs(prio.simulated_p50_ms / prio.measured_p50_ms - 1)).toBeLessThan(0.3);
  });
});
