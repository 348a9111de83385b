/**
 * The shape of a GPU specification (`GpuSpec`, `MigProfile`, `MpsRule`) and the small rules that read one:
 * MPS active-thread percentage → SM count, programmatic MPS SM affinity → SM count, the supported SM clocks.
 *
 * Called by the per-GPU spec files (a100.ts, h100.ts, h200.ts), the registry (index.ts), occupancy.ts and
 * the simulator's partitioning and power models.
 *
 * Every numeric field of a spec carries a source in `spec.sources[field]`: "hardware.md §x" is
 * `../shared/reference/hardware.md` (relative to the package root), "calibration/h200/README.md" is
 * `../shared/calibration/h200/README.md`, "fixtures/..." is a trace under `../shared/fixtures/`. A source
 * text that starts with "assumed" marks a number no source gives directly.
 */

/** One MIG GPU-instance profile as `nvidia-smi mig -lgip` / `-lgipp` list it. */
export interface MigProfile {
  /** Profile name, e.g. "1g.18gb" or "1g.18gb+me" (+me: with the media engines). */
  readonly name: string;
  /** GPU-instance profile id (`-lgip` ID column). */
  readonly profileId: number;
  /** Compute slices (the "Ng" part; 7 on the whole GPU). */
  readonly computeSlices: number;
  /** Memory slices out of 8 (each 1/8 of DRAM capacity, L2 and memory controllers). */
  readonly memorySlices: number;
  /** SMs the instance exposes. */
  readonly smCount: number;
  /** Memory the instance exposes, bytes (the `-lgip` GiB figure × 2^30, rounded). */
  readonly memBytes: number;
  /** Most instances of this profile that fit on one GPU at once. */
  readonly maxInstances: number;
  /** Slots (0–7) at which an instance may start (`-lgipp` "{0,2,4,6}:2" → [0, 2, 4, 6]). */
  readonly placementStartSlots: readonly number[];
  /** Slots one instance occupies (`-lgipp` ":2" → 2). */
  readonly placementSlotCount: number;
}

/**
 * How MPS turns a client's limit into SMs. Percentage (`CUDA_MPS_ACTIVE_THREAD_PERCENTAGE`): rounded *down*
 * to whole groups of `smGranularity` SMs, at least `minSms`. Programmatic SM count (`CU_EXEC_AFFINITY_TYPE_SM_COUNT`):
 * rounded *up* to whole groups, at least `minSms`.
 */
export interface MpsRule {
  /** Fewest SMs a client gets, however small its limit. */
  readonly minSms: number;
  /** SMs per rounding step (one TPC). */
  readonly smGranularity: number;
  /** Most MPS client contexts per device (CUDA ≤ 13.0). */
  readonly maxClients: number;
  /** Whether the rule was measured on this GPU (true) or carried over from another one (false). */
  readonly measured: boolean;
}

/** Keys of `T` whose values are numbers (or null: a number nobody measured). */
export type NumericKeys<T> = { [K in keyof T]-?: T[K] extends number | null ? K : never }[keyof T];

/** A field → source text map; the type requires an entry for every numeric field, for MIG and for MPS. */
export type SpecSources = Readonly<Record<NumericKeys<GpuSpecValues> | "migProfiles" | "mps", string>>;

/** One GPU model: structure, per-SM limits, memory, clocks, power, MIG and MPS (everything but the sources). */
export interface GpuSpecValues {
  /** Registry key: "a100-40gb", "a100-80gb", "h100-sxm", "h200-sxm". */
  readonly key: string;
  /** Human-readable name, e.g. "NVIDIA H200 SXM 141GB". */
  readonly name: string;
  /** Compute capability, e.g. "9.0". */
  readonly computeCapability: string;

  readonly smCount: number;
  readonly tpcCount: number;
  readonly gpcCount: number;
  readonly smsPerTpc: number;

  readonly threadsPerWarp: number;
  readonly maxThreadsPerSm: number;
  readonly maxWarpsPerSm: number;
  readonly maxBlocksPerSm: number;
  readonly maxThreadsPerBlock: number;
  /** 32-bit registers per SM. */
  readonly regsPerSm: number;
  /** 32-bit registers one block may use. */
  readonly maxRegsPerBlock: number;
  readonly maxRegsPerThread: number;
  /** Registers are given to a warp in units of this many (regs/thread × 32 rounded up to it). */
  readonly regAllocUnit: number;
  /** SM sub-partitions (warp schedulers): the register file is split evenly across them and a block's warps are
   *  counted in multiples of this for the per-block register check. */
  readonly warpAllocGranularity: number;
  /** Largest shared-memory carveout per SM, bytes. */
  readonly smemPerSmBytes: number;
  /** Largest shared memory one block may opt in to, bytes (excluding the per-block reservation). */
  readonly maxSmemPerBlockBytes: number;
  /** Shared memory one block may use without opting in, bytes. */
  readonly defaultSmemPerBlockBytes: number;
  /** Shared memory the system reserves per resident block, bytes (CC ≥ 8.0). */
  readonly smemReservedPerBlockBytes: number;
  /** Shared memory is allocated to a block in units of this many bytes. */
  readonly smemAllocUnitBytes: number;

  readonly l2Bytes: number;
  /** Device memory CUDA reports (`totalGlobalMem`), bytes. */
  readonly memBytes: number;
  /** Peak DRAM bandwidth from the datasheet, bytes/s. */
  readonly memBandwidthBytesPerS: number;
  /** Measured sustained DRAM bandwidth (copy, read + write) with the whole GPU, bytes/s; null if not measured. */
  readonly sustainedMemBandwidthBytesPerS: number | null;
  /** Measured DRAM bandwidth one SM can pull before the chip saturates, bytes/s; null if not measured. */
  readonly memBandwidthPerSmBytesPerS: number | null;

  readonly baseClockMHz: number;
  /** Highest SM clock (boost). */
  readonly maxClockMHz: number;
  /** Lowest supported SM clock. */
  readonly minClockMHz: number;
  /** Spacing of the supported SM clocks between min and max. */
  readonly clockStepMHz: number;
  /** SM clock when no CUDA context exists. */
  readonly idleClockMHz: number;
  readonly memClockMHz: number;

  /** Default (and maximum) board power limit, W. */
  readonly tdpW: number;
  /** Board power at idle with no CUDA context, W. */
  readonly idlePowerW: number;
  /** Board power at idle with one CUDA context open (SM clock pinned at max), W. */
  readonly idleContextPowerW: number;

  readonly maxMigInstances: number;
  readonly migProfiles: readonly MigProfile[];
  readonly mps: MpsRule;
}

/** A GPU model with the source of every number. */
export interface GpuSpec extends GpuSpecValues {
  /** Where each number comes from (see the header of this file). */
  readonly sources: SpecSources;
}

/** `x` GiB in bytes, rounded to a whole byte. */
export function gib(x: number): number {
  return Math.round(x * 2 ** 30);
}

/**
 * SMs an MPS client gets for `CUDA_MPS_ACTIVE_THREAD_PERCENTAGE = pct`:
 * `max(minSms, g·floor(pct·smCount / (100·g)))` with g = `spec.mps.smGranularity`, i.e. on the H200
 * `max(8, 2·floor(pct·132/200))` — measured at 19 percentages (hardware.md §3.3). Throws unless 0 < pct ≤ 100.
 */
export function mpsSmsForPercentage(spec: GpuSpec, pct: number): number {
  if (!(pct > 0 && pct <= 100)) throw new RangeError(`MPS active thread percentage must be in (0, 100], got ${pct}`);
  const g = spec.mps.smGranularity;
  // The epsilon keeps e.g. 50 % of 132 SMs at exactly 33 groups despite binary floating point.
  const groups = Math.floor((pct * spec.smCount) / (100 * g) + 1e-9);
  return Math.min(spec.smCount, Math.max(spec.mps.minSms, g * groups));
}

/**
 * SMs an MPS context gets when it asks for `smCount` SMs through the programmatic interface
 * (`cuCtxCreate` with `CU_EXEC_AFFINITY_TYPE_SM_COUNT`): `max(minSms, g·ceil(n/g))`, at most all SMs
 * (H200: measured, hardware.md §3.3). Throws unless n ≥ 1.
 */
export function mpsSmsForSmCount(spec: GpuSpec, smCount: number): number {
  if (!(smCount >= 1)) throw new RangeError(`requested SM count must be ≥ 1, got ${smCount}`);
  const g = spec.mps.smGranularity;
  return Math.min(spec.smCount, Math.max(spec.mps.minSms, g * Math.ceil(smCount / g)));
}

/** Every supported SM clock, MHz, ascending: min, min + step, …, max. */
export function supportedClocksMHz(spec: GpuSpec): number[] {
  const out: number[] = [];
  for (let f = spec.minClockMHz; f <= spec.maxClockMHz; f += spec.clockStepMHz) out.push(f);
  return out;
}

/** The supported SM clock nearest to `clockMHz` from below (the min clock if it is lower still). */
export function snapClockMHz(spec: GpuSpec, clockMHz: number): number {
  if (clockMHz >= spec.maxClockMHz) return spec.maxClockMHz;
  if (clockMHz <= spec.minClockMHz) return spec.minClockMHz;
  return spec.minClockMHz + spec.clockStepMHz * Math.floor((clockMHz - spec.minClockMHz) / spec.clockStepMHz);
}
