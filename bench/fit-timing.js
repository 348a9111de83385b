// @ts-check
/**
 * (d) Timing fit time: fitTiming (the exhaustive grid search of src/gpu/fit-timing.ts) on every kernel of
 * shared/calibration/h200/kernels.csv, as `lithos-replay calibrate` runs it; median of 3 fits (it is deterministic,
 * so each gives the same parameters), and the time to parse the CSV.
 */
"use strict";
const fs = require("node:fs");
const { lithos, shared, repeat, median } = require("./common");

async function main() {
  const lr = lithos();
  const gpu = lr.gpuSpec("h200");
  const text = fs.readFileSync(shared("calibration/h200/kernels.csv"), "utf8");
  /** @type {import("../dist/src").KernelCurve[]} */
  let curves = [];
  const parse = await repeat(() => { curves = lr.kernelCurvesFromCsv(text); }, { minSeconds: 0.5, minRuns: 3 });
  /** @type {import("../dist/src").TimingCalibration[]} */
  const fits = [];
  const times = await repeat(() => { fits.push(lr.fitTiming(curves, gpu, "bench")); }, { minSeconds: 0, minRuns: 3, maxRuns: 3 });
  const workloads = new Set(curves.map((c) => c.workload)).size;
  console.log(`timing fit on kernels.csv (${curves.length} kernels of ${workloads} workloads): ${median(times).toFixed(2)} s (median of ${times.length}: ${times.map((x) => x.toFixed(2)).join(", ")} s), fit error ${(100 * fits[0].fitError).toFixed(1)}%; CSV parse ${(1e3 * median(parse)).toFixed(0)} ms`);
}

main().catch((e) => { console.error(e); process.exit(1); });
