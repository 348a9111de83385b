// @ts-check
/**
 * (d) Sweep scaling: one plan (experiments/paper/hybrid-stacking.json, mps and +atom × 4 seeds × 2 mixes, 2 s of
 * arrivals: 16 points) run by `runSweep` on 1 worker, then on every core, each into a fresh folder (nothing kept):
 * points per second of wall time and the speed-up. The tables must be equal (wall times aside).
 *
 *   node bench/sweep.js [--jobs 1,2,4,8,16] [--seeds N]
 *
 * `--jobs` lists the worker counts to time (default 1 and every core); `--seeds` sets the seeds per policy and mix
 * (default 4), so a machine of many cores gets enough points to keep its workers busy (4 points per worker or more).
 */
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { fail } = require("./common");

/**
 * `--name value` from argv, or undefined.
 * @param {string} name
 */
function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const cores = os.availableParallelism();
  const jobList = (arg("--jobs") ?? `1,${cores}`).split(",").map(Number);
  const seedCount = Number(arg("--seeds") ?? 4);
  if (jobList.some((j) => !Number.isInteger(j) || j < 1) || !Number.isInteger(seedCount) || seedCount < 1) {
    fail("usage: node bench/sweep.js [--jobs 1,2,4] [--seeds N] (positive integers)");
  }
  const { runSweep } = require("../dist/src/sweep/run");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lithos-bench-sweep-"));
  const planFile = path.join(dir, "plan.json");
  const plan = {
    experiment: path.join(__dirname, "..", "experiments", "paper", "hybrid-stacking.json"),
    policies: ["mps", "+atom"], seeds: Array.from({ length: seedCount }, (_, i) => i + 1), duration_s: 2,
    mixes: [{ name: "both", tenants: ["resnet50", "train"] }, { tenants: ["resnet50"] }],
  };
  const text = JSON.stringify(plan);
  fs.writeFileSync(planFile, text);
  try {
    const results = [];
    for (const jobs of [...new Set(jobList)]) {
      const r = await runSweep(planFile, text, { outDir: path.join(dir, `jobs${jobs}`), jobs });
      results.push({ jobs, s: r.wallMs / 1e3, points: r.ran, rows: r.rows.map(({ wall_ms: _, ...x }) => JSON.stringify(x)).join("\n") });
    }
    const base = results[0];
    for (const r of results) {
      console.log(`sweep ${r.points} points on ${r.jobs} worker${r.jobs > 1 ? "s" : ""}: ${r.s.toFixed(1)} s = ${(r.points / r.s).toFixed(2)} points/s, speed-up ${(base.s / r.s).toFixed(2)}× of ${r.jobs}${r.rows === base.rows ? "" : " (ROWS DIFFER from 1 worker)"}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
