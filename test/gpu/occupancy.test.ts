/**
 * Occupancy (blocks per SM, binding limit), waves and TPC counts, against results worked out by hand from the
 * CUDA occupancy rules and against the real H200 kernels in shared/calibration/h200/kernels.csv.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { blocksPerSm, tpcsFor, waves } from "../../src/gpu/occupancy";
import { A100_40GB, H100_SXM, H200_SXM } from "../../src/gpu/specs";
import { KERNELS_CSV } from "../helpers/fixtures";


describe("blocksPerSm", () => {
  it("256 threads, 32 regs, no smem on H100: 8 blocks, warps and registers bind together", () => {
    // warps: 64 / 8 = 8; registers: 32·32 = 1024 per warp, 16384/1024 = 16 warps per sub-partition → 64 → 8 blocks
    const occ = blocksPerSm(H100_SXM, { threadsPerBlock: 256, regsPerThread: 32, smemPerBlockBytes: 0 });
    expect(occ.blocksPerSm).toBe(8);
    expect(occ.limitedBy).toEqual(["warps", "registers"]);
    expect(occ.limits.sharedMemory).toBe(228); // 233472 / 1024 (the reservation alone)
    expect(occ.occupancy).toBe(1);
  });

  it("256 threads, 16 regs: warps bind alone", () => {
    const occ = blocksPerSm(H100_SXM, { threadsPerBlock: 256, regsPerThread: 16 });
    expect(occ.blocksPerSm).toBe(8);
    expect(occ.limitedBy).toEqual(["warps"]);
    expect(occ.limits.registers).toBe(16);
  });

  it("128 threads, 255 regs: 2 blocks, registers bind", () => {
    // 255·32 = 8160 → 8192 per warp; 16384/8192 = 2 warps per sub-partition → 8 warps per SM → 8/4 = 2 blocks
    const occ = blocksPerSm(H100_SXM, { threadsPerBlock: 128, regsPerThread: 255 });
    expect(occ.blocksPerSm).toBe(2);
    expect(occ.limitedBy).toEqual(["registers"]);
    expect(occ.regsPerBlock).toBe(8192 * 4);
    expect(occ.occupancy).toBe(8 / 64);
  });

  it("registers are split per sub-partition: 96 threads × 40 regs gives 16 blocks, not 17", () => {
    // 1280 regs per warp; floor(16384/1280) = 12 warps per sub-partition → 48 warps → floor(48/3) = 16.
    // The whole-SM formula floor(65536 / (1280·3)) would say 17.
    const occ = blocksPerSm(H200_SXM, { threadsPerBlock: 96, regsPerThread: 40 });
    expect(occ.blocksPerSm).toBe(16);
    expect(occ.limitedBy).toEqual(["registers"]);
  });

  it("register allocation rounds each warp up to 256", () => {
    // 33 regs: 1056 → 1280 per warp (not 1056): floor(16384/1280) = 12 → 48 warps → 6 blocks of 8 warps
    expect(blocksPerSm(H200_SXM, { threadsPerBlock: 256, regsPerThread: 33 }).blocksPerSm).toBe(6);
  });

  it("shared memory counts the 1 KiB per-block reservation (H100)", () => {
    // 116224 + 1024 = 117248 per block → floor(233472/117248) = 1; without the reservation it would be 2
    const occ = blocksPerSm(H100_SXM, { threadsPerBlock: 128, regsPerThread: 32, smemPerBlockBytes: 116224 });
    expect(occ.blocksPerSm).toBe(1);
    expect(occ.limitedBy).toEqual(["sharedMemory"]);
    expect(occ.smemPerBlockBytes).toBe(117248);
    // 48 KiB: 50176 per block → 4 blocks
    expect(blocksPerSm(H100_SXM, { threadsPerBlock: 128, smemPerBlockBytes: 49152 }).blocksPerSm).toBe(4);
  });

  it("shared memory is rounded to 128 B (A100, 164 KiB per SM)", () => {
    // 82944 + 1024 = 83968 = 2 × 83968 exactly fits twice; one byte more rounds to 84096 and fits once
    expect(blocksPerSm(A100_40GB, { threadsPerBlock: 64, smemPerBlockBytes: 82944 }).blocksPerSm).toBe(2);
    const occ = blocksPerSm(A100_40GB, { threadsPerBlock: 64, smemPerBlockBytes: 82945 });
    expect(occ.smemPerBlockBytes).toBe(84096);
    expect(occ.blocksPerSm).toBe(1);
  });

  it("the opt-in maximum fits exactly one block; one byte more does not fit", () => {
    const max = blocksPerSm(H200_SXM, { threadsPerBlock: 128, smemPerBlockBytes: 232448 });
    expect(max.blocksPerSm).toBe(1);
    expect(max.unfit).toBeNull();
    const over = blocksPerSm(H200_SXM, { threadsPerBlock: 128, smemPerBlockBytes: 232449 });
    expect(over.blocksPerSm).toBe(0);
    expect(over.limitedBy).toEqual(["sharedMemory"]);
    expect(over.unfit).toMatch(/shared memory/);
    const a100 = blocksPerSm(A100_40GB, { threadsPerBlock: 128, smemPerBlockBytes: 166913 });
    expect(a100.blocksPerSm).toBe(0);
  });

  it("tiny blocks are capped at 32 blocks per SM", () => {
    const occ = blocksPerSm(H200_SXM, { threadsPerBlock: 32, regsPerThread: 16 });
    expect(occ.blocksPerSm).toBe(32);
    expect(occ.limitedBy).toEqual(["blocks"]);
    expect(occ.occupancy).toBe(0.5);
  });

  it("unknown or zero registers do not limit", () => {
    for (const regsPerThread of [undefined, null, 0, Number.NaN]) {
      const occ = blocksPerSm(H200_SXM, { threadsPerBlock: 1024, regsPerThread });
      expect(occ.limits.registers).toBe(Infinity);
      expect(occ.blocksPerSm).toBe(2);
      expect(occ.limitedBy).toEqual(["warps"]);
    }
  });

  it("blocks that cannot run at all report 0 and why", () => {
    expect(blocksPerSm(H200_SXM, { threadsPerBlock: 1025 }).blocksPerSm).toBe(0);
    expect(blocksPerSm(H200_SXM, { threadsPerBlock: 64, regsPerThread: 256 }).unfit).toMatch(/registers per thread/);
    // 1024 threads × 64 regs uses the whole register file; 65 regs (2304 per warp) does not fit
    expect(blocksPerSm(H200_SXM, { threadsPerBlock: 1024, regsPerThread: 64 }).blocksPerSm).toBe(1);
    const occ = blocksPerSm(H200_SXM, { threadsPerBlock: 1024, regsPerThread: 65 });
    expect(occ.blocksPerSm).toBe(0);
    expect(occ.limitedBy).toEqual(["registers"]);
    expect(() => blocksPerSm(H200_SXM, { threadsPerBlock: 0 })).toThrow(RangeError);
  });
});

interface CsvKernel { workload: string; sms: number; grid: number; threads: number; regs: number; smem: number; us: number }

function readKernels(): CsvKernel[] {
  const lines = fs.readFileSync(KERNELS_CSV, "utf8").trim().split(/\r?\n/).slice(1);
  return lines.map((line) => {
    const m = /,(\d+)x(\d+)x(\d+),(\d+)x(\d+)x(\d+),(\d+),(\d+),([\d.]+)$/.exec(line);
    if (!m) throw new Error(`unparsed kernels.csv line: ${line}`);
    const n = m.slice(1).map(Number);
    const [workload, sms] = line.split(",", 2);
    return { workload, sms: Number(sms), grid: n[0] * n[1] * n[2], threads: n[3] * n[4] * n[5], regs: n[6], smem: n[7], us: n[8] };
  });
}

describe("real H200 kernels (shared/calibration/h200/kernels.csv)", () => {
  const kernels = readKernels();

  it("implicit_convolve_sgemm (grid 392x2x1, block 8x8x1, 92 regs, 2304 B smem): 10 blocks/SM, registers bind", () => {
    // 2 warps; 92·32 = 2944 → 3072 regs per warp; floor(16384/3072) = 5 per sub-partition → 20 warps → 10 blocks.
    // smem: 2304 + 1024 = 3328 → floor(233472/3328) = 70; warps: 64/2 = 32.
    const occ = blocksPerSm(H200_SXM, { threadsPerBlock: 64, regsPerThread: 92, smemPerBlockBytes: 2304 });
    expect(occ.blocksPerSm).toBe(10);
    expect(occ.limitedBy).toEqual(["registers"]);
    expect(occ.limits).toEqual({ warps: 32, registers: 10, sharedMemory: 70, blocks: 32 });
  });

  it("its waves per SM count match the measured durations' steps", () => {
    const rows = kernels.filter((k) => k.workload === "resnet50_infer_bs1" && k.grid === 784 && k.threads === 64 && k.regs === 92);
    expect(rows.map((k) => k.sms)).toEqual([8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 132]);
    const w = rows.map((k) => waves(k.grid, 10, k.sms));
    expect(w).toEqual([10, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1]);
    const us = new Map(rows.map((k) => [k.sms, k.us]));
    // 64 SMs (2 waves) is clearly slower than 80 SMs (1 wave); 80 → 96 SMs (both 1 wave) gains nothing.
    expect(us.get(64)! / us.get(80)!).toBeGreaterThan(1.3);
    expect(Math.abs(us.get(96)! / us.get(80)! - 1)).toBeLessThan(0.05);
  });

  it("every kernel that ran on the H200 fits on an SM", () => {
    expect(kernels.length).toBeGreaterThan(10000);
    for (const k of kernels) {
      const occ = blocksPerSm(H200_SXM, { threadsPerBlock: k.threads, regsPerThread: k.regs, smemPerBlockBytes: k.smem });
      expect(occ.blocksPerSm, `${k.workload} ${k.threads} threads ${k.regs} regs ${k.smem} B`).toBeGreaterThanOrEqual(1);
    }
  });
});

describe("waves and tpcsFor", () => {
  it("wave quantization as measured on the H200 (hardware.md §5.6)", () => {
    expect(waves(264, 2, 132)).toBe(1);
    expect(waves(265, 2, 132)).toBe(2);
    expect(waves(528, 2, 132)).toBe(2);
    expect(waves(529, 2, 132)).toBe(3);
    expect(waves(1056, 2, 132)).toBe(4);
    expect(waves(0, 2, 132)).toBe(0);
    expect(waves(17, 2, 8)).toBe(2); // 2·8 = 16 per wave
  });

  it("refuses blocks that do not fit and empty partitions", () => {
    expect(() => waves(10, 0, 132)).toThrow(RangeError);
    expect(() => waves(10, 2, 0)).toThrow(RangeError);
  });

  it("tpcsFor rounds odd SM counts up to a whole TPC", () => {
    expect(tpcsFor(132)).toBe(66);
    expect(tpcsFor(108)).toBe(54);
    expect(tpcsFor(13)).toBe(7);
    expect(tpcsFor(1)).toBe(1);
    expect(tpcsFor(0)).toBe(0);
  });
});
