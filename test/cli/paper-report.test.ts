/**
 * `paper-report` on the results kept in experiments/paper/results (what the README shows), and whether those
 * results are still what the code gives.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareResult } from "../../src/analysis/compare";
import { claimsTable, experimentTables, readPaperResults } from "../../src/analysis/paper-report";
import { buildPackage, refusalLine, runCli } from "../helpers/cli";
import { makeTempDir, removeTempDirs } from "../helpers/files";
import { REPO_ROOT } from "../helpers/fixtures";

const RESULTS = path.join(REPO_ROOT, "experiments", "paper", "results");
const read = (gpu: string, name: string) => JSON.parse(fs.readFileSync(path.join(RESULTS, gpu, `${name}.json`), "utf8")) as CompareResult;

beforeAll(() => buildPackage());
afterAll(() => removeTempDirs());

describe("paper-report <results-dir>", () => {
  it("puts each claim's ratio, computed from the kept results, beside the paper's number", () => {
    const r = runCli(["paper-report", RESULTS]);
    expect(r.status, r.stderr).toBe(0);
    const inference = read("h200", "inference-stacking");
    const p99 = (s: string) => inference.rows.find((x) => x.system === s)!.services[0]!.p99_us;
    const line = r.stdout.split("\n").find((l) => l.startsWith("| inference-stacking | tail vs MPS |"))!;
    expect(line).toContain("| 13× lower [ABS-v1][ABS-SOSP][BLOG] |");
    expect(line).toContain(`${(p99("mps") / p99("lithos")).toFixed(2)}× lower (mps ${(p99("mps") / 1e3).toFixed(2)} ms, lithos ${(p99("lithos") / 1e3).toFixed(2)} ms)`);
    for (const gpu of ["h200", "h100", "a100-40gb"]) expect(r.stdout).toContain(`### Every system on every experiment: ${gpu}`);
    for (const name of ["inference-stacking", "hybrid-stacking", "hybrid-stacking-llama", "hol-blocking", "right-sizing", "power"]) {
      expect(r.stdout).toContain(`#### ${name} (h200-sxm, 10 s of arrivals, seed 1, SLO 5 × alone p50)`);
    }
  });

  it("is what the README shows: the claims on every GPU model, every system on the H200", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const all = readPaperResults(RESULTS);
    expect(readme).toContain(claimsTable(all));
    expect(readme).toContain(experimentTables(all.h200!));
    const kept = fs.readFileSync(path.join(RESULTS, "REPORT.md"), "utf8");
    expect(runCli(["paper-report", RESULTS]).stdout).toBe(kept);
  });

  it("refuses a folder without results and a corrupt result, naming it, with one line and exit 2", () => {
    const dir = makeTempDir();
    expect(refusalLine(runCli(["paper-report", dir]))).toMatch(/holds no <gpu>\/<experiment>\.json results/);
    fs.mkdirSync(path.join(dir, "h200"));
    fs.writeFileSync(path.join(dir, "h200", "inference-stacking.json"), "{\"rows\": [");
    expect(refusalLine(runCli(["paper-report", dir]))).toMatch(/h200[\\/]inference-stacking\.json: not JSON/);
    fs.writeFileSync(path.join(dir, "h200", "inference-stacking.json"), JSON.stringify({ ...read("h200", "inference-stacking"), rows: [] }));
    expect(refusalLine(runCli(["paper-report", dir]))).toMatch(/no lithos row/);
    expect(fs.readdirSync(dir)).toEqual(["h200"]);
  });
});

describe("the kept results", () => {
  it("are what the code gives now (LithOS on the Llama hybrid scenario, replayed again)", () => {
    const kept = read("h200", "hybrid-stacking-llama");
    const r = runCli(["compare", path.join(REPO_ROOT, "experiments", "paper", "hybrid-stacking-llama.json"), "--gpu", "h200", "--policies", "lithos", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const now = JSON.parse(r.stdout) as CompareResult;
    expect(now.alone).toEqual(kept.alone);
    expect(now.rows[0]).toEqual(kept.rows.find((x) => x.system === "lithos"));
  }, 120_000);
});
