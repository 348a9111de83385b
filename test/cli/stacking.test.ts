/**
 * `lithos-replay stacking`, run as a user runs it: on the three tenants measured on an H100
 * (calibrations/stacking-h100-200rps), and on a two-tenant case folder (calibrations/colocation-h100-200rps), where
 * it must agree with `colocation`, which replays the same scenarios its own way; bad folders are refused in one line.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ColocationRow } from "../../src/analysis/colocation";
import { readMeasuredStacking, type StackingRow } from "../../src/analysis/stacking";
import { buildPackage, refusalLine, runCliAsync } from "../helpers/cli";
import { makeTempDir, removeTempDirs } from "../helpers/files";
import { H200, REPO_ROOT } from "../helpers/fixtures";

const H100_RESNET = path.join(REPO_ROOT, "calibrations", "colocation-h100-200rps");
const THREE = path.join(REPO_ROOT, "calibrations", "stacking-h100-200rps");
const THREE_TRACES = ["resnet50=resnet50_graph_infer_bs1", "bert=bert_graph_infer_bs1", "train=resnet50_colo_train_bs64"]
  .map((p) => { const [name, file] = p.split("="); return `${name}=${path.join(THREE, `${file}.pt.trace.json.gz`)}`; }).join(",");
const SERVICE = path.join(H200, "resnet50_graph_infer_bs1.pt.trace.json.gz");
const JOB = path.join(H200, "resnet50_colo_train_bs64.pt.trace.json.gz");

beforeAll(() => buildPackage(), 300_000);
afterAll(removeTempDirs);

describe("reading measured scenarios", () => {
  it("orders each scenario's tenants by file number, the one-process scenario's by its list, alone like the others", () => {
    const m = readMeasuredStacking(H100_RESNET);
    expect([...m.keys()].sort()).toEqual(["alone", "mps", "mps_train25", "prio", "timeslice"]);
    for (const tenants of m.values()) expect(tenants.map((t) => t.name)).toEqual(["resnet50", "train"]);
    const prio = JSON.parse(fs.readFileSync(path.join(H100_RESNET, "prio.1.json"), "utf8")) as [{ lat_us: number[] }, { steps: number; secs: number }];
    expect(m.get("prio")![1]!.throughput).toBeCloseTo(prio[1].steps / prio[1].secs, 12);
    expect(m.get("prio")![0]!.arrival).toEqual({ kind: "poisson", ratePerS: 200 });
  });
});

describe("lithos-replay stacking", () => {
  it("replays three tenants under every mechanism, ranking each service's median as measured", async () => {
    const r = await runCliAsync(["stacking", THREE, "--gpu", "h100", "--trace", THREE_TRACES, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as StackingRow[];
    expect(rows.map((x) => `${x.scenario}/${x.tenant}`)).toEqual(["alone", "timeslice", "mps", "mps_limits", "prio"]
      .flatMap((s) => ["resnet50", "bert", "train"].map((t) => `${s}/${t}`)));
    const at = (scenario: string, tenant: string) => rows.find((x) => x.scenario === scenario && x.tenant === tenant)!;
    // Only the closed loop's and the training's throughput say how fast they were served.
    expect(at("mps", "resnet50").measured_throughput).toBeNull();
    expect(at("mps", "bert").measured_throughput).toBeGreaterThan(100);
    // The MPS queue of three tenants is on the hardware (p50 > 5× alone), and the replay has it.
    expect(at("mps", "resnet50").measured_p50_ms!).toBeGreaterThan(5 * at("alone", "resnet50").measured_p50_ms!);
    expect(Math.abs(at("mps", "resnet50").p50_error!)).toBeLessThan(0.3);
    for (const tenant of ["resnet50", "bert"]) {
      const svc = rows.filter((x) => x.tenant === tenant);
      const order = (k: "measured_p50_ms" | "simulated_p50_ms") => [...svc].sort((a, b) => a[k]! - b[k]!).map((x) => x.scenario);
      expect(order("simulated_p50_ms")).toEqual(order("measured_p50_ms"));
      for (const x of svc) expect(Math.abs(x.p50_error!), `${x.scenario} ${tenant}`).toBeLessThan(0.3);
    }
  }, 240_000);

  it("agrees with colocation on a two-tenant folder", async () => {
    const [s, c] = await Promise.all([
      runCliAsync(["stacking", H100_RESNET, "--gpu", "h100", "--trace", `resnet50=${SERVICE},train=${JOB}`, "--json"]),
      runCliAsync(["colocation", H100_RESNET, "--gpu", "h100", "--hp", SERVICE, "--be", JOB, "--json"]),
    ]);
    expect(s.status, s.stderr).toBe(0);
    expect(c.status, c.stderr).toBe(0);
    const rows = JSON.parse(s.stdout) as StackingRow[];
    const colo = JSON.parse(c.stdout) as ColocationRow[];
    for (const scenario of ["alone", "timeslice", "mps", "prio"]) {
      const svc = rows.find((r) => r.scenario === scenario && r.tenant === "resnet50")!;
      const job = rows.find((r) => r.scenario === scenario && r.tenant === "train")!;
      const ref = colo.find((r) => r.scenario === scenario)!;
      expect(svc.measured_p50_ms).toBeCloseTo(ref.measured_p50_ms!, 9);
      expect(svc.simulated_p99_ms).toBeCloseTo(ref.simulated_p99_ms!, 9);
      expect(job.measured_throughput).toBeCloseTo(ref.measured_its!, 9);
      expect(job.simulated_throughput).toBeCloseTo(ref.simulated_its!, 9);
    }
  }, 240_000);

  it("refuses, in one line, a folder without scenarios, a broken file and a tenant without a trace", async () => {
    const empty = makeTempDir();
    expect(refusalLine(await runCliAsync(["stacking", empty, "--trace", `resnet50=${SERVICE}`]))).toMatch(/no measured scenarios/);
    const broken = makeTempDir();
    fs.writeFileSync(path.join(broken, "mps.1.json"), '{"role": "infer", "lat_us": [1, 2');
    expect(refusalLine(await runCliAsync(["stacking", broken, "--trace", `resnet50=${SERVICE}`]))).toMatch(/mps\.1\.json: not JSON/);
    const line = refusalLine(await runCliAsync(["stacking", H100_RESNET, "--trace", `resnet50=${SERVICE}`]), true);
    expect(line).toMatch(/no trace given for train/);
    expect(refusalLine(await runCliAsync(["stacking", H100_RESNET, "--trace", "resnet50"]), true)).toMatch(/--trace takes <name>=<trace> pairs/);
  }, 120_000);
});
