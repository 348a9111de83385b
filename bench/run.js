// @ts-check
/**
 * Runs the benchmarks, each in a fresh node process (so each one's peak RSS and JIT state are its own), one after
 * another; each prints one line. `npm run bench` builds dist/ and runs them all; `node bench/run.js timing nsys`
 * runs those whose name contains one of the words. See bench/README.md.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const { shared } = require("./common");

const BENCHES = [
  { name: "timing-model", args: ["timing-model.js"] },
  { name: "import-kineto-hta", args: ["import-kineto.js", shared("fixtures/real/hta/df_index_resolver/df_index_resolver.json.gz")] },
  { name: "import-kineto-h200", args: ["import-kineto.js", shared("fixtures/h200/resnet50_infer_bs1.pt.trace.json.gz")] },
  { name: "import-nsys", args: ["import-nsys.js"] },
  { name: "fit-timing", args: ["fit-timing.js"] },
  { name: "replay", args: ["replay.js"] },
  { name: "sweep", args: ["sweep.js"] },
  { name: "import-vs-python", args: ["import-vs-python.js"] },
  { name: "import-huge", args: ["import-huge.js"] },
];

const filters = process.argv.slice(2);
const chosen = BENCHES.filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
if (chosen.length === 0) {
  console.error(`no benchmark matches ${filters.join(" ")}; known: ${BENCHES.map((b) => b.name).join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const b of chosen) {
  const [script, ...rest] = b.args;
  const r = spawnSync(process.execPath, [path.join(__dirname, script), ...rest], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`bench ${b.name}: exit status ${r.status ?? r.signal}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
