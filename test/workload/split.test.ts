/**
 * Finding units on hand-made loops: the period finder, repeat cuts (unique first kernels, identical layers
 * inside each iteration, iterations that differ by a kernel, a warm-up iteration), sync splits that must repeat
 * to be taken in auto mode or that group a copy with its compute, and the speed on 500k kernels.
 */
import { describe, expect, it } from "vitest";
import { extractWorkload } from "../../src/workload/extract";
import { findPeriod, findPeriods } from "../../src/workload/period";
import { OP_KERNEL, type Workload } from "../../src/workload/workload";
import { HostScript, loopTrace } from "./synthetic";

const kernelsPerUnit = (w: Workload): number[] =>
  Array.from({ length: w.units.count }, (_, u) => {
    let n = 0;
    for (let i = w.units.start[u]; i < w.units.start[u + 1]; i++) if (w.ops.kind[i] === OP_KERNEL) n++;
    return n;
  });
const firstKernelName = (w: Workload, u: number): string => w.kernels.names[w.kernels.nameId[w.ops.item[w.units.start[u]]]];
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe("findPeriod", () => {
  it("finds the smallest period of a repeating sequence, also after a different prefix", () => {
    const body = [5, 1, 2, 3, 1, 4];
    expect(findPeriod(Int32Array.from(range(60), (i) => body[i % 6]))).toBe(6);
    expect(findPeriod(Int32Array.from([9, 8, 7, ...range(60).map((i) => body[i % 6])]))).toBe(6);
  });

  it("returns 0 for a sequence that does not repeat, and lists sub-periods before the whole one", () => {
    expect(findPeriod(Int32Array.from(range(100)))).toBe(0);
    expect(findPeriod(Int32Array.from([1, 2, 3]))).toBe(0);
    // 16 identical 3-kernel layers between an embedding (0) and a head (9): the layer repeats too.
    const iteration = [0, ...range(16).flatMap(() => [1, 2, 3]), 9];
    const seq = Int32Array.from(range(10).flatMap(() => iteration));
    expect(findPeriods(seq)).toContain(iteration.length);
    expect(findPeriods(seq)[0]).toBe(3);
  });
});

describe("repeat", () => {
  it("cuts iterations of distinct kernels at their first kernel", () => {
    const w = extractWorkload(loopTrace(6, () => ["embed", "l0", "l1", "l2", "head"]));
    expect(w.split.method).toBe("repeat");
    expect(kernelsPerUnit(w)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(range(6).map((u) => firstKernelName(w, u))).toEqual(Array(6).fill("embed"));
    expect(w.units.leadNs[0]).toBe(0);
    expect(w.units.leadNs[1]).toBeGreaterThanOrEqual(50_000);
  });

  it("cuts whole iterations, not the identical layers inside them", () => {
    const w = extractWorkload(loopTrace(8, () => ["embed", ...range(16).flatMap(() => ["qkv", "attn", "mlp"]), "head"]));
    expect(w.split.method).toBe("repeat");
    expect(kernelsPerUnit(w)).toEqual(Array(8).fill(50));
  });

  it("follows iterations that differ by a kernel and drops a warm-up iteration", () => {
    const w = extractWorkload(loopTrace(8, (i) => [
      "embed", ...(i === 0 ? range(30).map((k) => `autotune${k}`) : []), "a", "b", "c", "d", "e", "f", "g", "h", ...(i % 3 === 2 ? ["allreduce"] : []), "head",
    ]));
    expect(w.split.method).toBe("repeat");
    expect(kernelsPerUnit(w)).toEqual([10, 11, 10, 10, 11, 10, 10]);
    expect(w.kernels.names).not.toContain("autotune0");
  });

  it("cuts an exactly periodic sequence with no once-per-iteration kernel at a fixed stride", () => {
    const w = extractWorkload(loopTrace(6, () => ["a", "b", "a", "c", "b", "c"]), { split: "repeat" });
    expect(kernelsPerUnit(w)).toEqual(Array(6).fill(6));
    expect(w.split.detail).toMatch(/cut every 6 kernels/);
  });
});

describe("syncs", () => {
  /** Iterations of `kernels(i)` kernels, each followed by a stream sync; optionally a blocking input copy first. */
  function syncLoop(iterations: number, kernels: (i: number) => number, copyFirst = false) {
    const h = new HostScript();
    let gpu = 0;
    for (let i = 0; i < iterations; i++) {
      h.wait(100_000);
      if (copyFirst) { gpu = Math.max(gpu, h.at + 500); h.memcpy(gpu, 1_000, gpu + 1_500); gpu += 1_000; }
      for (let k = 0; k < kernels(i); k++) {
        const start = Math.max(gpu, h.at + 1_000);
        h.kernel(`k${k}`, start, 4_000);
        gpu = start + 4_000;
      }
      h.sync("stream", Math.max(gpu, h.at) + 2_000);
    }
    return h.finish();
  }

  it("takes sync-delimited segments that repeat, dropping a leading warm-up of another size", () => {
    const w = extractWorkload(syncLoop(6, (i) => (i === 0 ? 40 : 12)));
    expect(w.split.method).toBe("syncs");
    expect(kernelsPerUnit(w)).toEqual([12, 12, 12, 12, 12]);
    expect(w.split.detail).toMatch(/1 leading and 0 trailing segments with other kernel counts dropped/);
  });

  it("does not take segments that do not repeat in auto mode, but does when asked", () => {
    const trace = syncLoop(5, (i) => [3, 20, 7, 1, 12][i]);
    expect(extractWorkload(trace).split.method).not.toBe("syncs");
    expect(kernelsPerUnit(extractWorkload(trace, { split: "syncs" }))).toEqual([3, 20, 7, 1, 12]);
  });

  it("groups a blocking input copy with the compute that follows it", () => {
    const w = extractWorkload(syncLoop(6, () => 10, true));
    expect(w.split.method).toBe("syncs");
    expect(w.split.detail).toMatch(/units of 2 sync-delimited segments/);
    expect(kernelsPerUnit(w)).toEqual(Array(6).fill(10));
    for (let u = 0; u < w.units.count; u++) expect(w.ops.kind[w.units.start[u]]).not.toBe(OP_KERNEL); // starts with the copy
  });
});

describe("at scale", () => {
  // What it checks is the split of a large trace; how fast is a benchmark's business, not a test's (a timed test
  // fails on a busy machine).
  it("splits 500k kernels into their 500 units, by syncs and by repetition", () => {
    const h = new HostScript();
    let gpu = 0;
    for (let i = 0; i < 500_000; i++) {
      if (i % 1000 === 0 && i > 0) h.sync("stream", Math.max(gpu, h.at) + 1_000).wait(50_000);
      const start = Math.max(gpu, h.at + 1_000);
      h.kernel(`k${i % 1000}`, start, 3_000, { apiNs: 2_500, grid: 1 + ((i % 1000) % 7) });
      gpu = start + 3_000;
    }
    const trace = h.finish();
    const w = extractWorkload(trace);
    expect(w.split.method).toBe("syncs");
    expect(w.units.count).toBe(500);
    const r = extractWorkload(trace, { split: "repeat" });
    expect(r.units.count).toBe(500);
  });
});
