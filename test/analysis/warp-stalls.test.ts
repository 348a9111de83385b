/**
 * Warp state shares from Nsight Compute's warp state statistics (src/analysis/warp-stalls.ts, `lithos-replay stalls`),
 * read from the measurement in calibrations/stall-h100 (`TAG=stall tools/measure/ncu_issue.sh` on an H100: a ResNet-50
 * and a BERT request, a ResNet-50 training step, the co-residency microbenchmark's co-runners).
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { warpStallSummary } from "../../src/analysis/warp-stalls";
import { readNcuLaunches } from "../../src/gpu/eligible-warps";
import { readInputText } from "../../src/cli/output";
import { buildPackage, refusalLine, runCli } from "../helpers/cli";
import { removeTempDirs, sha256File } from "../helpers/files";
import { REPO_ROOT } from "../helpers/fixtures";

const DIR = path.join(REPO_ROOT, "calibrations", "stall-h100");
const file = (w: string) => path.join(DIR, `stall_${w}.csv.gz`);
const summary = (w: string) => warpStallSummary(readNcuLaunches(file(w), readInputText(file(w))));

beforeAll(() => buildPackage(), 300_000);
afterAll(removeTempDirs);

describe("warp state shares", () => {
  it("split each region's warp time over the stall reasons: the shares add up to the whole", () => {
    for (const [w, launches] of [["resnet50", 342], ["bert", 376], ["train", 949], ["spin", 6]] as const) {
      const s = summary(w);
      expect(s.launches, w).toBe(launches);
      const total = Object.values(s.shares).reduce((a, b) => a + b, 0);
      // Nsight Compute's reasons cover every warp state; its ratios are rounded, hence the slack.
      expect(total, w).toBeGreaterThan(0.97);
      expect(total, w).toBeLessThan(1.03);
      expect(s.issueActive, w).toBeGreaterThan(0);
      expect(s.issueActive, w).toBeLessThan(1);
    }
  });

  it("see the co-runners for what they are: the chaser waits on memory, the sleeper sleeps, the spinners wait for an issue slot", () => {
    const launches = readNcuLaunches(file("spin"), readInputText(file("spin")));
    const share = (name: string, reason: string) =>
      launches.filter((l) => l.name === name).map((l) => warpStallSummary([l]).shares[reason] ?? 0);
    expect(Math.min(...share("chase_spin", "long_scoreboard"))).toBeGreaterThan(0.9);
    expect(Math.min(...share("sleep_spin", "sleeping"))).toBeGreaterThan(0.8);
    // The three spinners of 4 blocks per SM: more warps, more of them ready and not picked.
    const notSelected = share("fma_spin", "not_selected");
    expect(Math.max(...notSelected)).toBeGreaterThan(0.25);
  });
});

describe("lithos-replay stalls", () => {
  it("prints one column per export, the reasons largest first, and leaves the exports untouched", () => {
    const files = ["resnet50", "bert"].map(file);
    const before = files.map(sha256File);
    const r = runCli(["stalls", ...files]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/stall_resnet50\.csv\.gz\s+stall_bert\.csv\.gz$/);
    expect(r.stdout).toMatch(/\nlaunches\s+342\s+376\n/);
    // Both services' warps wait on memory most of all.
    expect(r.stdout.split("share of warp time, %:\n")[1]).toMatch(/^ {2}long_scoreboard\s+\d\d\.\d\s+\d\d\.\d\n/);
    expect(files.map(sha256File)).toEqual(before);
    const json = JSON.parse(runCli(["stalls", file("bert"), "--json"]).stdout) as { file: string; launches: number }[];
    expect(json.map((s) => [s.file, s.launches])).toEqual([["stall_bert.csv.gz", 376]]);
  });

  it("refuses an export without the warp state statistics in one line naming it", () => {
    const other = path.join(REPO_ROOT, "calibrations", "eligible-h100", "issue_bert.csv.gz");
    expect(refusalLine(runCli(["stalls", other]))).toMatch(/issue_bert\.csv\.gz: no launch with smsp__average_warps_active_per_issue_active/);
  });
});
