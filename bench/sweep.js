// @ts-check
/**
 * (d) Sweep scaling: one plan (experiments/paper/hybrid-stacking.json, mps and +atom × 4 seeds × 2 mixes, 2 s of
 * arrivals: 16 points) run by `runSweep` on 1 worker, then on every core, each into a fresh folder (nothing kept):
 * points per second of wall time and the speed-up. The two tables must be equal (wall times aside).
 */
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

async function main() {
  const { runSweep } = require("../dist/src/sweep/run");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lithos-bench-sweep-"));
  const planFile = path.join(dir, "plan.json");
  const plan = {
    experiment: path.join(__dirname, "..", "experiments", "paper", "hybrid-stacking.json"),
    policies: ["mps", "+atom"], seeds: [1, 2, 3, 4], duration_s: 2,
    mixes: [{ name: "both", tenants: ["resnet50", "train"] }, { tenants: ["resnet50"] }],
  };
  const text = JSON.stringify(plan);
  fs.writeFileSync(planFile, text);
  const cores = os.availableParallelism();
  try {
    const results = [];
    for (const jobs of [...new Set([1, cores])]) {
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
