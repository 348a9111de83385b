// @ts-check
/**
 * (a) Timing-model predictions per second: predictKernelUs with the shipped H200 calibration over every kernel of
 * shared/calibration/h200/kernels.csv (recorded at 132 SMs, with its launch configuration) × the 10 SM counts
 * 8…128, repeated for about 2 s. Two ways of calling it: as a replay without a kernel-class cache would (the class
 * is found from the kernel name on every call, predictKernelUs's default) and with the class computed once per
 * kernel and passed in; and as the simulator and `predict` do, each kernel prepared once (class, occupancy and the
 * measured-curve lookup) and then evaluated at the 10 SM counts.
 */
"use strict";
const fs = require("node:fs");
const { lithos, shared, repeat, si } = require("./common");

async function main() {
  const lr = lithos();
  const gpu = lr.gpuSpec("h200");
  const cal = lr.calibrationFor(gpu).timing;
  const curves = lr.kernelCurvesFromCsv(fs.readFileSync(shared("calibration/h200/kernels.csv"), "utf8"))
    .filter((c) => c.usBySms.has(gpu.smCount));
  /** @type {import("../dist/src").RecordedKernel[]} */
  const kernels = curves.map((c) => ({
    name: c.name, gridBlocks: c.gridBlocks, us: /** @type {number} */ (c.usBySms.get(gpu.smCount)),
    threadsPerBlock: c.threadsPerBlock, regsPerThread: c.regsPerThread, smemPerBlockBytes: c.smemPerBlockBytes,
  }));
  const classes = kernels.map((k) => lr.classifyKernel(k.name));
  const from = { gpu };
  const targets = [8, 16, 24, 32, 48, 64, 80, 96, 112, 128].map((smCount) => ({ gpu, smCount }));
  const perPass = kernels.length * targets.length;
  let sink = 0; // keeps the results alive

  const byName = () => {
    for (const k of kernels) for (const to of targets) sink += lr.predictKernelUs(cal, k, from, to);
  };
  const byClass = () => {
    for (let i = 0; i < kernels.length; i++) for (const to of targets) sink += lr.predictKernelUs(cal, kernels[i], from, to, classes[i]);
  };
  const prepared = () => {
    for (let i = 0; i < kernels.length; i++) {
      const p = lr.prepareKernel(cal, kernels[i], from, gpu, classes[i]);
      for (const to of targets) sink += lr.preparedUs(p, to.smCount, gpu.maxClockMHz, 1);
    }
  };
  await repeat(byName, { minSeconds: 0.3 }); // warm-up (JIT)
  await repeat(byClass, { minSeconds: 0.3 });
  await repeat(prepared, { minSeconds: 0.3 });
  const t1 = await repeat(byName, { minSeconds: 2 });
  const t2 = await repeat(byClass, { minSeconds: 2 });
  const t3 = await repeat(prepared, { minSeconds: 2 });
  const rate = (/** @type {number[]} */ t) => (perPass * t.length) / t.reduce((a, b) => a + b, 0);
  if (!Number.isFinite(sink)) throw new Error("a prediction was not finite");
  console.log(`timing model: ${si(rate(t1))} predictions/s (${kernels.length} kernels × ${targets.length} SM counts, ${t1.length} passes in ${t1.reduce((a, b) => a + b, 0).toFixed(1)} s; class from the name on each call), ${si(rate(t2))} predictions/s with the class precomputed, ${si(rate(t3))} predictions/s prepared once per kernel`);
}

main().catch((e) => { console.error(e); process.exit(1); });
