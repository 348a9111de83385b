/**
 * `lithos-replay phases` on the GPU timer stamps of a time-sliced ResNet-50 service (calibrations/timeslice-stamps-h100):
 * the measurement that moved a CUDA graph's recorded gaps before its first kernel (src/workload/host-program.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measuredPhases, summarizePhases, type PhaseRow } from "../../src/analysis/request-phases";
import { buildPackage, refusalLine, runCliAsync } from "../helpers/cli";
import { makeTempDir, removeTempDirs } from "../helpers/files";
import { REPO_ROOT } from "../helpers/fixtures";

const DIR = path.join(REPO_ROOT, "calibrations", "timeslice-stamps-h100");
const TRACES = path.join(REPO_ROOT, "calibrations", "stacking-h100-200rps");
const HP = path.join(TRACES, "resnet50_graph_infer_bs1.pt.trace.json.gz");
const BE = path.join(TRACES, "resnet50_colo_train_bs64.pt.trace.json.gz");

beforeAll(() => buildPackage(), 300_000);
afterAll(removeTempDirs);

describe("the stamps", () => {
  it("time the graph shorter when its launch was done while the context waited for its turn", () => {
    const alone = summarizePhases(measuredPhases(path.join(DIR, "alone.1.json")));
    const sliced = summarizePhases(measuredPhases(path.join(DIR, "timeslice.1.json")));
    expect(alone.requests).toBeGreaterThan(1000);
    expect(alone.on_gpu_p50_us - sliced.on_gpu_p50_us).toBeGreaterThan(100);
    expect(sliced.to_gpu_p50_us).toBeGreaterThan(2000); // a training turn and two switches
    expect(Math.abs(alone.to_gpu_p50_us)).toBeLessThan(20); // the clock tie's error, nothing more
  });
});

describe("lithos-replay phases", () => {
  it("replays the wait and the graph: alone the same own time, time-sliced the graph's gaps behind it", async () => {
    const r = await runCliAsync(["phases", DIR, "--gpu", "h100", "--hp", HP, "--be", BE, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const [alone, sliced] = JSON.parse(r.stdout) as PhaseRow[];
    expect([alone!.scenario, sliced!.scenario]).toEqual(["alone", "timeslice"]);
    // Alone the gaps come before the first kernel: the launch takes them, the kernels follow back to back.
    expect(alone!.simulated.to_gpu_p50_us).toBeGreaterThan(100);
    expect(Math.abs(alone!.simulated.own_p50_us / alone!.measured.own_p50_us - 1)).toBeLessThan(0.1);
    // Time-sliced, the launch is done by the turn: on the GPU only the kernels, as measured.
    expect(sliced!.simulated.on_gpu_p50_us).toBeLessThan(alone!.simulated.to_gpu_p50_us + alone!.simulated.on_gpu_p50_us - 100);
    expect(Math.abs(sliced!.simulated.on_gpu_p50_us / sliced!.measured.on_gpu_p50_us - 1)).toBeLessThan(0.1);
    expect(Math.abs(sliced!.simulated.own_p50_us / sliced!.measured.own_p50_us - 1)).toBeLessThan(0.1);
  }, 180_000);

  it("replays a one-process run under stream priorities (its `prio` stamps) with the priority policy, the training beside it", async () => {
    const dir = path.join(REPO_ROOT, "calibrations", "stamps-h100-prio", "resnet50");
    const r = await runCliAsync(["phases", dir, "--gpu", "h100", "--hp", HP, "--be", BE, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as PhaseRow[];
    expect(rows.map((x) => [x.scenario, x.policy])).toEqual([["prio", "priority"]]);
    expect(rows[0]!.measured).toEqual(summarizePhases(measuredPhases(path.join(dir, "prio.1.json"))));
    // Beside the training's blocks the graph takes longer on the GPU than alone (936 µs replayed, 1048 measured).
    expect(rows[0]!.simulated.on_gpu_p50_us).toBeGreaterThan(1200);
    expect(rows[0]!.measured.on_gpu_p50_us).toBeGreaterThan(1200);
  }, 180_000);

  it("refuses a folder without stamps, and a stamps file cut short, in one line", async () => {
    const empty = makeTempDir();
    expect(refusalLine(await runCliAsync(["phases", empty, "--hp", HP, "--be", BE]))).toMatch(/no stamped scenarios/);
    const cut = makeTempDir();
    const text = fs.readFileSync(path.join(DIR, "alone.1.json"), "utf8");
    fs.writeFileSync(path.join(cut, "alone.1.json"), text.slice(0, text.length / 2));
    expect(refusalLine(await runCliAsync(["phases", cut, "--hp", HP, "--be", BE]))).toMatch(/alone\.1\.json: not JSON/);
  }, 120_000);
});
