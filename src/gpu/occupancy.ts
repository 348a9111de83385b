/**
 * Occupancy: how many blocks of a kernel can be resident on one SM at once, which resource binds, and how many
 * waves a grid needs on n SMs. Called by the kernel-timing model (blocks per SM × SMs = blocks per wave) and by
 * anything that reports occupancy.
 *
 * Rules (CUDA occupancy calculator, `cudaOccupancyMaxActiveBlocksPerMultiprocessor` as the toolkit's
 * cuda_occupancy.h implements it; hardware.md §5.2 gives the same rules in one formula):
 *   warps:     floor(maxWarpsPerSm / ceil(threads / 32))                                    (0 if threads > 1024)
 *   registers: a warp gets ceil(regs·32 / 256)·256 registers; the register file is split into 4 sub-partitions
 *              and warps never straddle them: floor(floor(regsPerSm/4 / regsPerWarp)·4 / warpsPerBlock)
 *              (0 if regs > 255 or regsPerWarp·roundUp(warpsPerBlock, 4) > regs per block)
 *   shared:    floor(smemPerSm / roundUp(smem + 1 KiB reserved, 128))                       (0 if smem > opt-in max)
 *   blocks:    maxBlocksPerSm (32)
 * The sub-partition split is the one place hardware.md's single formula, floor(65536 / (regsPerWarp·warps)), can
 * say one block more than CUDA does (e.g. 96 threads × 40 regs: 17 by that formula, 16 by CUDA); CUDA's is used.
 * Shared memory per SM is the largest carveout (the driver picks a carveout that fits; preferences are ignored).
 * Thread-block clusters (Hopper) are not modelled.
 */
import type { GpuSpec } from "./specs/spec";

/** What a kernel asks of an SM, per block. */
export interface KernelResources {
  /** Threads per block (block x·y·z), ≥ 1. */
  threadsPerBlock: number;
  /** Registers per thread. 0, null, undefined or NaN = unknown: registers are then treated as not limiting. */
  regsPerThread?: number | null;
  /** Static + dynamic shared memory per block, bytes, without the system reservation. Unknown = 0. */
  smemPerBlockBytes?: number | null;
}

/** A per-SM resource that can cap resident blocks. */
export type OccupancyLimit = "warps" | "registers" | "sharedMemory" | "blocks";

/** The occupancy of one kernel on one SM. */
export interface Occupancy {
  /** Blocks resident per SM at once; 0 when a block does not fit on an SM at all (see `unfit`). */
  blocksPerSm: number;
  /** Every limit that equals `blocksPerSm` (ties are common, e.g. warps and registers). */
  limitedBy: OccupancyLimit[];
  /** Blocks per SM each resource alone allows; Infinity when it cannot limit (unknown registers). */
  limits: Readonly<Record<OccupancyLimit, number>>;
  warpsPerBlock: number;
  /** Registers allocated to one block (0 when unknown). */
  regsPerBlock: number;
  /** Shared memory allocated to one block, bytes, including the reservation and rounding. */
  smemPerBlockBytes: number;
  /** Warps resident per SM: blocksPerSm × warpsPerBlock. */
  activeWarpsPerSm: number;
  /** activeWarpsPerSm / maxWarpsPerSm, 0–1. */
  occupancy: number;
  /** Why a block cannot be resident at all, or null. */
  unfit: string | null;
}

function roundUp(x: number, unit: number): number {
  return Math.ceil(x / unit) * unit;
}

function known(x: number | null | undefined): x is number {
  return typeof x === "number" && Number.isFinite(x) && x > 0;
}

/** Resident blocks per SM for `kernel` on `spec`, and which limits bind. Throws if threadsPerBlock < 1. */
export function blocksPerSm(spec: GpuSpec, kernel: KernelResources): Occupancy {
  const threads = kernel.threadsPerBlock;
  if (!(Number.isInteger(threads) && threads >= 1)) {
    throw new RangeError(`threadsPerBlock must be an integer ≥ 1, got ${threads}`);
  }
  const unfit: string[] = [];
  const warpsPerBlock = Math.ceil(threads / spec.threadsPerWarp);

  let warpLimit = Math.floor(spec.maxWarpsPerSm / warpsPerBlock);
  if (threads > spec.maxThreadsPerBlock) {
    warpLimit = 0;
    unfit.push(`${threads} threads per block > ${spec.maxThreadsPerBlock}`);
  }

  let regLimit = Infinity;
  let regsPerBlock = 0;
  if (known(kernel.regsPerThread)) {
    const regs = Math.ceil(kernel.regsPerThread);
    const regsPerWarp = roundUp(regs * spec.threadsPerWarp, spec.regAllocUnit);
    const subPartitions = spec.warpAllocGranularity;
    regsPerBlock = regsPerWarp * warpsPerBlock;
    if (regs > spec.maxRegsPerThread) {
      regLimit = 0;
      unfit.push(`${regs} registers per thread > ${spec.maxRegsPerThread}`);
    } else if (regsPerWarp * roundUp(warpsPerBlock, subPartitions) > spec.maxRegsPerBlock) {
      regLimit = 0;
      unfit.push(`${regsPerWarp} registers per warp × ${warpsPerBlock} warps exceed ${spec.maxRegsPerBlock} per block`);
    } else {
      const warpsPerSubPartition = Math.floor(spec.regsPerSm / subPartitions / regsPerWarp);
      regLimit = Math.floor((warpsPerSubPartition * subPartitions) / warpsPerBlock);
    }
  }

  const smem = known(kernel.smemPerBlockBytes) ? kernel.smemPerBlockBytes : 0;
  const smemPerBlockBytes = roundUp(smem + spec.smemReservedPerBlockBytes, spec.smemAllocUnitBytes);
  let smemLimit = Math.floor(spec.smemPerSmBytes / smemPerBlockBytes);
  if (smem > spec.maxSmemPerBlockBytes) {
    smemLimit = 0;
    unfit.push(`${smem} B shared memory per block > ${spec.maxSmemPerBlockBytes}`);
  }

  const limits: Record<OccupancyLimit, number> = {
    warps: warpLimit,
    registers: regLimit,
    sharedMemory: smemLimit,
    blocks: spec.maxBlocksPerSm,
  };
  const blocks = Math.min(warpLimit, regLimit, smemLimit, spec.maxBlocksPerSm);
  const limitedBy = (Object.keys(limits) as OccupancyLimit[]).filter((k) => limits[k] === blocks);
  return {
    blocksPerSm: blocks,
    limitedBy,
    limits,
    warpsPerBlock,
    regsPerBlock,
    smemPerBlockBytes,
    activeWarpsPerSm: blocks * warpsPerBlock,
    occupancy: (blocks * warpsPerBlock) / spec.maxWarpsPerSm,
    unfit: unfit.length > 0 ? unfit.join("; ") : null,
  };
}

/**
 * Waves a grid of `gridBlocks` blocks needs on `smCount` SMs holding `blocksPerSm` blocks each:
 * ceil(gridBlocks / (blocksPerSm · smCount)); 0 for an empty grid. Wave quantization is exact on the H200
 * (hardware.md §5.6: grid 264 → 1 wave, 265 → 2 at 2 blocks/SM on 132 SMs). Throws if blocksPerSm or smCount < 1.
 */
export function waves(gridBlocks: number, blocksPerSm: number, smCount: number): number {
  if (!(gridBlocks >= 0)) throw new RangeError(`gridBlocks must be ≥ 0, got ${gridBlocks}`);
  if (!(blocksPerSm >= 1)) throw new RangeError(`blocksPerSm must be ≥ 1 (0: the block does not fit on an SM), got ${blocksPerSm}`);
  if (!(smCount >= 1)) throw new RangeError(`smCount must be ≥ 1, got ${smCount}`);
  return Math.ceil(gridBlocks / (Math.floor(blocksPerSm) * Math.floor(smCount)));
}

/**
 * TPCs that `smCount` SMs occupy: ceil(smCount / smsPerTpc). Partitions (MPS, green contexts, libsmctrl masks)
 * are TPC-granular on Ampere/Hopper (2 SMs per TPC, hardware.md §5.3), so an odd SM count costs a whole TPC.
 */
export function tpcsFor(smCount: number, smsPerTpc = 2): number {
  if (!(smCount >= 0)) throw new RangeError(`smCount must be ≥ 0, got ${smCount}`);
  return Math.ceil(smCount / smsPerTpc);
}
