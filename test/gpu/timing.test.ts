/**
 * Properties of the kernel duration model (src/gpu/timing.ts, predictKernelUs) on the real H200 kernels of
 * shared/calibration/h200/kernels.csv, each derived from the model's formula
 *   T = t0 + w · max(ψ · q(n)/q(N₀) · f₀/f · arch, φ · m(n)/m(N₀) · bw),  w = us − t0,  ψ = min(1, 1+θ), φ = min(1, 1−θ)
 * (q: rounds of co-resident blocks on the busiest SM, which depends on n only through ceil(B/n); m: max(nSat/n, 1/share))
 * and checked both with the shipped calibration and over a grid of parameters (so that a refit does not make them
 * vacuous): on its own GPU, SM count and clock a kernel takes its recorded time; fewer SMs, less memory bandwidth
 * and a lower clock never make it faster; a purely compute-bound class follows the blocks on the busiest SM and
 * 1/clock and not memory bandwidth; a purely memory-bound class follows bandwidth and not the clock; moving to an
 * A100 at 108 SMs slows a compute kernel; moving to an H100 changes only the memory part, and of it only the share that
 * DRAM bandwidth binds (never the compute class's). No value of the current
 * fit is hard-coded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { calibrationFor } from "../../src/gpu/calibration";
import { KERNEL_CLASSES, classifyKernel, type KernelClass } from "../../src/gpu/kernel-class";
import { kernelCurvesFromCsv, type KernelCurve } from "../../src/gpu/measurements";
import { blocksPerSm } from "../../src/gpu/occupancy";
import { A100_80GB, H100_SXM, H200_SXM } from "../../src/gpu/specs";
import { predictKernelUs, type ClassParams, type RecordedKernel, type TimingCalibration } from "../../src/gpu/timing";

const DATA = path.resolve(__dirname, "../../../shared/calibration/h200");
const CURVES: KernelCurve[] = kernelCurvesFromCsv(fs.readFileSync(path.join(DATA, "kernels.csv"), "utf8"));
const FULL = H200_SXM.smCount;

/** Every real kernel with its full-chip duration, as a trace would record it. */
const KERNELS: (RecordedKernel & { cls: KernelClass; id: string })[] = CURVES.filter((c) => c.usBySms.has(FULL)).map((c) => ({
  name: c.name,
  gridBlocks: c.gridBlocks,
  us: c.usBySms.get(FULL)!,
  threadsPerBlock: c.threadsPerBlock,
  regsPerThread: c.regsPerThread,
  smemPerBlockBytes: c.smemPerBlockBytes,
  cls: classifyKernel(c.name),
  id: `${c.workload}#${c.seq}`,
}));

const SHIPPED: TimingCalibration = calibrationFor(H200_SXM).timing;

/** Some SM counts, both ends included, odd ones and the MIG/MPS ones. */
const SMS = [1, 2, 3, 5, 8, 13, 16, 24, 26, 32, 33, 44, 48, 60, 64, 66, 80, 96, 100, 108, 112, 128, 131, 132];

/** Class parameters: s-scale (blockShare, how much of an SM one block uses), θ and nSat. */
function P(blockShare: number, theta: number, nSat: number): ClassParams {
  return { blockShare, theta, nSat };
}

function uniform(launchUs: number, p: ClassParams): TimingCalibration {
  const classes = Object.fromEntries(KERNEL_CLASSES.map((c) => [c, p])) as TimingCalibration["classes"];
  return { version: 1, gpu: H200_SXM.key, launchUs, classes, fittedOn: "test", fitError: 0 };
}

/** A grid over the model's parameter ranges: blockShare 0…8, θ in −1…1, nSat in 1…132, two launch costs. */
const GRID: TimingCalibration[] = [];
for (const launchUs of [0.5, 1.5]) {
  for (const blockShare of [0, 0.1, 1, 1.6, 8]) {
    for (const theta of [-1, -0.5, 0, 0.5, 1]) {
      for (const nSat of [1, 40, 132]) GRID.push(uniform(launchUs, P(blockShare, theta, nSat)));
    }
  }
}
const CALS: [string, TimingCalibration][] = [["shipped", SHIPPED], ...GRID.map((c, i): [string, TimingCalibration] => [`grid#${i} ${JSON.stringify(c.classes.compute)} t0=${c.launchUs}`, c])];

/** A few real kernels of each class: the shortest, the longest, the most blocks, and some in between. */
function sample(cls: KernelClass): typeof KERNELS {
  const mine = KERNELS.filter((k) => k.cls === cls).sort((a, b) => a.us - b.us);
  const pick = new Set([mine[0], mine[mine.length - 1], mine[Math.floor(mine.length / 2)], mine[Math.floor(mine.length / 4)], [...mine].sort((a, b) => b.gridBlocks - a.gridBlocks)[0]]);
  return [...pick].filter((k) => k !== undefined); // a class without real kernels (the catch-all) gives none
}

const onH200 = { gpu: H200_SXM };
const at = (n: number, extra: { clockMHz?: number; memShare?: number } = {}) => ({ gpu: H200_SXM, smCount: n, ...extra });
/** Blocks of k resident on one SM of `gpu` at once (occupancy, src/gpu/occupancy.ts). */
const resident = (k: RecordedKernel, gpu = H200_SXM) => Math.max(1, blocksPerSm(gpu, { threadsPerBlock: k.threadsPerBlock!, regsPerThread: k.regsPerThread, smemPerBlockBytes: k.smemPerBlockBytes }).blocksPerSm);
const close = (a: number, b: number, rel = 1e-12) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

describe("the real kernels cover the model's classes", () => {
  it("kernels.csv has kernels of every class but the catch-all, each measured at the full chip", () => {
    for (const cls of KERNEL_CLASSES.filter((c) => c !== "other")) expect(KERNELS.filter((k) => k.cls === cls).length, cls).toBeGreaterThanOrEqual(4);
    expect(KERNELS.length).toBe(CURVES.length);
  });

  it("classifies real GEMM/convolution names as compute, batch norms as norm and layer norms and elementwise ops as memory", () => {
    const names = KERNELS.map((k) => k.name);
    const conv = names.find((n) => /implicit_convolve_sgemm/.test(n));
    const bn = names.find((n) => /batch_norm_transform_input_kernel/.test(n));
    expect(conv && classifyKernel(conv)).toBe("compute");
    expect(bn && classifyKernel(bn)).toBe("norm");
    const ln = names.find((n) => /layer_norm/.test(n));
    const ew = names.find((n) => /vectorized_elementwise_kernel/.test(n));
    expect(ln && classifyKernel(ln)).toBe("memory");
    expect(ew && classifyKernel(ew)).toBe("memory");
    const pool = names.find((n) => /max_pool/.test(n));
    expect(pool && classifyKernel(pool)).toBe("reduce");
  });
});

describe("predictKernelUs on the GPU, SM count and clock the kernel was recorded on", () => {
  it("returns the recorded duration for real kernels of every class above the launch cost, for the shipped calibration and every parameter set", () => {
    let checked = 0;
    for (const [label, cal] of CALS) {
      for (const cls of KERNEL_CLASSES) {
        for (const k of KERNELS.filter((x) => x.cls === cls && x.us >= cal.launchUs)) {
          const t = predictKernelUs(cal, k, onH200, at(FULL));
          if (!close(t, k.us)) expect.fail(`${label}: ${k.id} (${cls}) recorded ${k.us} µs, predicted ${t} µs at its own 132 SMs`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(CALS.length * 500);
  });

  it("returns the recorded duration when the recording was on fewer SMs and at a lower clock and the target is the same", () => {
    for (const [label, cal] of CALS) {
      for (const cls of KERNEL_CLASSES) {
        for (const k of sample(cls).filter((x) => x.us >= cal.launchUs)) {
          for (const n of [8, 33, 64]) {
            const t = predictKernelUs(cal, k, { gpu: H200_SXM, smCount: n, clockMHz: 1410 }, at(n, { clockMHz: 1410 }));
            if (!close(t, k.us)) expect.fail(`${label}: ${k.id} recorded on ${n} SMs at 1410 MHz: ${k.us} µs, predicted ${t}`);
          }
        }
      }
    }
  });

  it("returns the recorded duration for the real kernels that are shorter than the launch cost too", () => {
    // T(N₀) = t0 + max(us − t0, 0): a kernel recorded faster than t0 would come back as t0, not as itself.
    let checked = 0;
    for (const [label, cal] of [["shipped", SHIPPED], ["t0 = 2 µs", uniform(2, P(1, 0, 40))]] as const) {
      for (const k of KERNELS.filter((x) => x.us < cal.launchUs)) {
        expect(predictKernelUs(cal, k, onH200, at(FULL)), `${label}: ${k.id} ${k.name.slice(0, 60)}: recorded ${k.us} µs`).toBeCloseTo(k.us, 9);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("uses the class it is given instead of the one the name implies", () => {
    const cal: TimingCalibration = {
      ...uniform(1, P(8, 1, 1)),
      classes: { compute: P(8, 1, 1), skinny: P(8, 1, 1), memory: P(0, -1, 132), norm: P(0, -1, 132), reduce: P(0, -1, 132), other: P(1, 0, 40) },
    };
    const k = sample("compute").find((x) => x.gridBlocks > 2 * FULL)!;
    for (const cls of KERNEL_CLASSES) {
      const asCls = predictKernelUs(cal, k, onH200, at(16), cls);
      const sameParams = predictKernelUs(uniform(1, cal.classes[cls]), k, onH200, at(16));
      expect(asCls, cls).toBe(sameParams);
    }
    expect(predictKernelUs(cal, k, onH200, at(16))).toBe(predictKernelUs(cal, k, onH200, at(16), "compute"));
    expect(predictKernelUs(cal, k, onH200, at(16), "memory")).not.toBe(predictKernelUs(cal, k, onH200, at(16), "compute"));
  });
});

describe("fewer SMs, less bandwidth, a lower clock", () => {
  it("never predicts a kernel faster on fewer SMs (every real kernel, shipped calibration and every parameter set)", () => {
    for (const [label, cal] of CALS) {
      for (const k of KERNELS) {
        let prev = Infinity;
        for (const n of SMS) {
          const t = predictKernelUs(cal, k, onH200, at(n));
          if (!(t <= prev * (1 + 1e-12))) expect.fail(`${label}: ${k.id} (${k.cls}) ${t} µs at ${n} SMs > ${prev} µs at fewer SMs`);
          // Never below the launch cost, or below the recorded time of a kernel shorter than it.
          if (!(Number.isFinite(t) && t >= Math.min(cal.launchUs, k.us))) expect.fail(`${label}: ${k.id} predicted ${t} at ${n} SMs`);
          prev = t;
        }
      }
    }
  });

  it("never predicts a kernel faster with half the memory bandwidth than with all of it", () => {
    for (const [label, cal] of CALS) {
      for (const cls of KERNEL_CLASSES) {
        for (const k of sample(cls)) {
          for (const n of SMS) {
            const half = predictKernelUs(cal, k, onH200, at(n, { memShare: 0.5 }));
            const all = predictKernelUs(cal, k, onH200, at(n, { memShare: 1 }));
            if (!(half >= all * (1 - 1e-12))) expect.fail(`${label}: ${k.id} ${half} µs at memShare 0.5 < ${all} µs at 1 (${n} SMs)`);
          }
        }
      }
    }
  });

  it("doubles the work of a purely memory-bound kernel on half the bandwidth once its SMs would saturate memory", () => {
    for (const nSat of [1, 40, 132]) {
      const cal = uniform(1, P(0.5, -1, nSat));
      for (const k of sample("memory").filter((x) => x.us > 1)) {
        for (const n of SMS.filter((x) => x >= nSat)) {
          const half = predictKernelUs(cal, k, onH200, at(n, { memShare: 0.5 }));
          const all = predictKernelUs(cal, k, onH200, at(n));
          expect(half - 1, `${k.id} nSat ${nSat} n ${n}`).toBeCloseTo(2 * (all - 1), 9);
        }
      }
    }
  });

  it("does not change a purely compute-bound kernel when its memory bandwidth share shrinks", () => {
    const cal = uniform(1, P(0.5, 1, 40));
    for (const k of sample("compute")) {
      for (const n of [8, 64, 132]) expect(predictKernelUs(cal, k, onH200, at(n, { memShare: 0.25 }))).toBe(predictKernelUs(cal, k, onH200, at(n)));
    }
  });

  it("never predicts a kernel faster at a lower SM clock (every class, shipped calibration and every parameter set)", () => {
    for (const [label, cal] of CALS) {
      for (const cls of KERNEL_CLASSES) {
        for (const k of sample(cls)) {
          for (const n of [8, 48, 132]) {
            let prev = -Infinity;
            for (const f of [1980, 1755, 1410, 990, 345]) {
              const t = predictKernelUs(cal, k, onH200, at(n, { clockMHz: f }));
              if (!(t >= prev * (1 - 1e-12))) expect.fail(`${label}: ${k.id} ${t} µs at ${f} MHz < ${prev} µs at a higher clock`);
              prev = t;
            }
          }
        }
      }
    }
  });

  it("scales a compute-bound kernel's work as 1/clock, and is strictly slower for the shipped compute class at a quarter of the clock", () => {
    for (const theta of [0, 0.5, 1]) {
      const cal = uniform(1, P(1, theta, 40));
      for (const k of sample("compute").filter((x) => x.us > 1)) {
        for (const f of [1410, 990, 495]) {
          expect(predictKernelUs(cal, k, onH200, at(FULL, { clockMHz: f })) - 1, `${k.id} θ ${theta} ${f} MHz`).toBeCloseTo((k.us - 1) * (1980 / f), 9);
        }
      }
    }
    // ψ = min(1, 1 + θ) > 1/4 for any θ > −0.75, so a quarter of the clock must show on the shipped compute class.
    if (SHIPPED.classes.compute.theta > -0.75) {
      for (const k of sample("compute").filter((x) => x.us > SHIPPED.launchUs)) {
        expect(predictKernelUs(SHIPPED, k, onH200, at(FULL, { clockMHz: 495 })), k.id).toBeGreaterThan(k.us);
      }
    }
  });

  it("leaves a purely memory-bound kernel's time unchanged by the clock", () => {
    const cal = uniform(1, P(0.5, -1, 40));
    for (const k of sample("memory")) {
      for (const n of [8, 132]) expect(predictKernelUs(cal, k, onH200, at(n, { clockMHz: 345 }))).toBe(predictKernelUs(cal, k, onH200, at(n)));
    }
  });
});

describe("wave quantisation of a compute-bound kernel", () => {
  const computeKernels = KERNELS.filter((k) => k.cls === "compute" && k.us > 1);

  it("with every block using a whole SM (blockShare ≥ resident blocks), scales work exactly by ceil(B/n) / ceil(B/132)", () => {
    const cal = uniform(1, P(64, 1, 1));
    for (const k of computeKernels) {
      for (const n of SMS) {
        const expected = 1 + (k.us - 1) * (Math.ceil(k.gridBlocks / n) / Math.ceil(k.gridBlocks / FULL));
        expect(predictKernelUs(cal, k, onH200, at(n)), `${k.id} B=${k.gridBlocks} n=${n}`).toBeCloseTo(expected, 9);
      }
    }
  });

  it("with co-resident blocks free (blockShare 0), scales work exactly by the occupancy waves ceil(B/(r·n)) / ceil(B/(r·132))", () => {
    const cal = uniform(1, P(0, 1, 1));
    for (const k of computeKernels) {
      const r = resident(k);
      for (const n of SMS) {
        const expected = 1 + (k.us - 1) * (Math.ceil(k.gridBlocks / (r * n)) / Math.ceil(k.gridBlocks / (r * FULL)));
        expect(predictKernelUs(cal, k, onH200, at(n)), `${k.id} B=${k.gridBlocks} r=${r} n=${n}`).toBeCloseTo(expected, 9);
      }
    }
  });

  it("without launch resources, treats blocks as serial: the occupancy of the real kernel no longer matters", () => {
    const cal = uniform(1, P(1, 1, 1));
    for (const k of computeKernels) {
      const bare: RecordedKernel = { name: k.name, gridBlocks: k.gridBlocks, us: k.us };
      for (const n of [8, 33, 100]) {
        const expected = 1 + (k.us - 1) * (Math.ceil(k.gridBlocks / n) / Math.ceil(k.gridBlocks / FULL));
        expect(predictKernelUs(cal, bare, onH200, at(n)), `${k.id} n=${n}`).toBeCloseTo(expected, 9);
      }
    }
  });

  it("predicts the same time at any two SM counts that put the same number of blocks on the busiest SM, for any blockShare", () => {
    for (const blockShare of [0, 0.1, 1, 1.6, 8]) {
      const cal = uniform(1, P(blockShare, 1, 1));
      for (const k of computeKernels) {
        const byBlocks = new Map<number, number>();
        for (let n = 1; n <= FULL; n++) {
          const m = Math.ceil(k.gridBlocks / n);
          const t = predictKernelUs(cal, k, onH200, at(n));
          const seen = byBlocks.get(m);
          if (seen === undefined) byBlocks.set(m, t);
          else if (seen !== t) expect.fail(`${k.id} B=${k.gridBlocks} blockShare ${blockShare}: ${seen} and ${t} µs for ${m} blocks per SM`);
        }
      }
    }
  });

  it("takes a grid that fits one block per SM (B ≤ n) the same time as on the full chip, and longer once an SM gets two", () => {
    const cal = uniform(1, P(1, 1, 1));
    const small = computeKernels.filter((k) => k.gridBlocks <= 8);
    expect(small.length).toBeGreaterThan(0);
    for (const k of small) expect(predictKernelUs(cal, k, onH200, at(8)), k.id).toBeCloseTo(k.us, 9);
    const k = { ...computeKernels[0], gridBlocks: 8 };
    expect(predictKernelUs(cal, k, onH200, at(7))).toBeGreaterThan(k.us);
  });
});

describe("across GPUs", () => {
  const many = KERNELS.filter((k) => k.cls === "compute" && k.gridBlocks > FULL && k.us > 2);

  it("has real compute kernels with more blocks than the H200 has SMs", () => {
    expect(many.length).toBeGreaterThanOrEqual(5);
  });

  it("predicts a many-block compute kernel slower on an A100 80GB at 108 SMs than on the H200 at 132 or at 108 SMs", () => {
    for (const [label, cal] of CALS) {
      for (const k of many) {
        const a100 = predictKernelUs(cal, k, onH200, { gpu: A100_80GB, smCount: 108 });
        const h200at108 = predictKernelUs(cal, k, onH200, at(108));
        const h200 = predictKernelUs(cal, k, onH200, at(FULL));
        if (!(a100 > h200at108 && a100 > h200)) expect.fail(`${label}: ${k.id} A100 ${a100} µs, H200 at 108 ${h200at108}, at 132 ${h200}`);
      }
    }
  });

  it("scales a purely compute-bound kernel with the same occupancy on both to the A100 by the clock ratio times Hopper's doubled per-SM throughput", () => {
    const cal = uniform(1, P(1, 1, 40));
    const factor = (H200_SXM.maxClockMHz / A100_80GB.maxClockMHz) * 2;
    const same = KERNELS.filter((k) => k.cls === "compute" && k.us > 1 && resident(k, A100_80GB) === resident(k));
    expect(same.length).toBeGreaterThanOrEqual(3);
    for (const k of same) {
      for (const n of [16, 54, 108]) {
        const a100 = predictKernelUs(cal, k, onH200, { gpu: A100_80GB, smCount: n });
        const h200 = predictKernelUs(cal, k, onH200, at(n));
        expect(a100 - 1, `${k.id} ${n} SMs`).toBeCloseTo((h200 - 1) * factor, 9);
      }
    }
  });

  it("keeps a purely compute-bound kernel's time on an H100 (same SMs, clock, architecture) at every SM count", () => {
    const cal = uniform(1, P(0.5, 1, 40));
    for (const k of KERNELS.filter((x) => x.cls === "compute")) {
      for (const n of SMS) {
        expect(predictKernelUs(cal, k, onH200, { gpu: H100_SXM, smCount: n })).toBeCloseTo(predictKernelUs(cal, k, onH200, at(n)), 9);
      }
    }
  });

  it("scales a purely memory-bound kernel's work on an H100 at 132 SMs by the peak bandwidth ratio only", () => {
    const bw = H200_SXM.memBandwidthBytesPerS / H100_SXM.memBandwidthBytesPerS;
    for (const nSat of [1, 40, 132]) {
      const cal = uniform(1, P(0.5, -1, nSat));
      for (const k of KERNELS.filter((x) => x.cls === "memory" && x.us > 1)) {
        expect(predictKernelUs(cal, k, onH200, { gpu: H100_SXM, smCount: FULL }) - 1, `${k.id} nSat ${nSat}`).toBeCloseTo((k.us - 1) * bw, 9);
      }
    }
  });

  it("scales a purely memory-bound kernel's work by 1 + f · (bandwidth ratio − 1) with a DRAM-bound fraction f (timing.dramBound)", () => {
    const bw = H200_SXM.memBandwidthBytesPerS / H100_SXM.memBandwidthBytesPerS;
    const kernels = KERNELS.filter((x) => x.cls === "memory" && x.us > 1);
    expect(kernels.length).toBeGreaterThan(0);
    for (const f of [0, 0.25, 1]) {
      const cal = { ...uniform(1, P(0.5, -1, 1)), dramBound: { classes: { memory: f }, fittedOn: "test" } };
      for (const k of kernels) {
        expect(predictKernelUs(cal, k, onH200, { gpu: H100_SXM, smCount: FULL }) - 1, `${k.id} f ${f}`).toBeCloseTo((k.us - 1) * (1 + f * (bw - 1)), 9);
      }
    }
  });

  it("never moves the compute class's memory part with bandwidth (SM-side work), whatever fraction a calibration gives it", () => {
    // θ = −1: the memory part alone binds, so a bandwidth factor would show in full.
    const cal = { ...uniform(1, P(0.5, -1, 1)), dramBound: { classes: { compute: 1 }, fittedOn: "test" } };
    const kernels = KERNELS.filter((x) => x.cls === "compute" && x.us > 1);
    expect(kernels.length).toBeGreaterThan(0);
    for (const k of kernels) expect(predictKernelUs(cal, k, onH200, { gpu: H100_SXM, smCount: FULL }), k.id).toBeCloseTo(k.us, 9);
  });

  it("puts any kernel on a full H100 between its H200 time and that time with all its work slowed by the bandwidth ratio", () => {
    const bw = H200_SXM.memBandwidthBytesPerS / H100_SXM.memBandwidthBytesPerS;
    for (const [label, cal] of CALS) {
      for (const cls of KERNEL_CLASSES) {
        for (const k of sample(cls).filter((x) => x.us >= cal.launchUs)) {
          const h100 = predictKernelUs(cal, k, onH200, { gpu: H100_SXM, smCount: FULL });
          const lo = k.us, hi = cal.launchUs + (k.us - cal.launchUs) * bw;
          if (!(h100 >= lo * (1 - 1e-12) && h100 <= hi * (1 + 1e-12))) expect.fail(`${label}: ${k.id} H100 ${h100} µs outside [${lo}, ${hi}]`);
        }
      }
    }
  });
});
