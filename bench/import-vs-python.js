// @ts-check
/**
 * (e) Kineto import at scale, side by side with the approach the Python tools take, on the same file in one run:
 * a trace of `MB` megabytes (default 500) made from a real H200 fixture by bench/gen-kineto.js, imported
 * (1) by `importTrace` into the canonical Arrow tables, in a fresh node process, and (2) by `json.load` plus a pandas
 * DataFrame of `traceEvents` (what Holistic Trace Analysis and most notebooks do first), with the OS python3 and
 * python3-pandas (Debian: `apt-get install python3-pandas`). Each reports its wall time and peak RSS; printed as
 * MB/s of JSON, peak RSS as a multiple of the JSON's size, and ours over theirs.
 *   node bench/import-vs-python.js [MB]
 */
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { lithos, fail, shared } = require("./common");
const { generate } = require("./gen-kineto");

const PYTHON = `
import json, resource, sys, time
import pandas as pd
t = time.perf_counter()
with open(sys.argv[1]) as f:
    doc = json.load(f)
df = pd.DataFrame(doc["traceEvents"])
kernels = int((df["cat"] == "kernel").sum())
s = time.perf_counter() - t
print(json.dumps({"s": s, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "kernels": kernels}))
`;

/** @param {string} file */
async function ours(file) {
  const lr = lithos();
  const t = process.hrtime.bigint();
  const trace = await lr.importTrace(file);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(JSON.stringify({ s, peak_mb: process.resourceUsage().maxRSS / 1024, kernels: trace.kernels.numRows }));
}

async function main() {
  if (process.argv[2] === "--ours") return ours(process.argv[3]);
  const mb = Number(process.argv[2] ?? 500);
  if (!(mb > 0)) fail("usage: node bench/import-vs-python.js [MB]");
  // The OS python first: Debian's python3-pandas installs for /usr/bin/python3, which may not be the python3 on PATH.
  const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import pandas"], { encoding: "utf8" }).status === 0);
  if (!python) fail("python3 with pandas is needed for the side-by-side (Debian: apt-get install python3-pandas)");
  const file = path.join(os.tmpdir(), `lithos-bench-kineto-${mb}MB.json`);
  try {
    const g = await generate(shared("fixtures/h200/resnet50_infer_bs1.pt.trace.json.gz"), file, mb);
    const size = g.bytes / 1e6;
    /** @param {string} cmd @param {string[]} args */
    const run = (cmd, args) => {
      const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 20 });
      if (r.status !== 0) fail(`${cmd} failed: ${r.stderr.trim().split("\n").pop()}`);
      return /** @type {{ s: number, peak_mb: number, kernels: number }} */ (JSON.parse(r.stdout.trim().split("\n").pop() ?? ""));
    };
    const a = run(process.execPath, [__filename, "--ours", file]);
    const b = run(python, ["-c", PYTHON, file]);
    if (a.kernels !== b.kernels) fail(`kernel counts differ: ours ${a.kernels}, pandas ${b.kernels}`);
    const line = (/** @type {string} */ who, /** @type {{ s: number, peak_mb: number }} */ r) => `${who} ${(size / r.s).toFixed(1)} MB/s (${r.s.toFixed(1)} s), peak RSS ${r.peak_mb.toFixed(0)} MB = ${(r.peak_mb / size).toFixed(2)}× the JSON`;
    console.log(`kineto ${size.toFixed(0)} MB (${g.copies} copies of resnet50_infer_bs1, ${a.kernels} kernels): ${line("lithos-replay", a)}; ${line("json.load + pandas", b)}; ours ${(b.s / a.s).toFixed(1)}× faster, ${(b.peak_mb / a.peak_mb).toFixed(1)}× less memory`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
