/**
 * NVIDIA A100 SXM4 40GB and 80GB (GA100, CC 8.0). Nothing was measured on an A100 here: numbers come from
 * NVIDIA documents, real A100 traces' device properties (Kineto `deviceProperties`, nsys `TARGET_INFO_GPU`)
 * and the literature collected in hardware.md. The 80GB part is the 40GB spec with memory, bandwidth, memory
 * clock and MIG profiles replaced. Used through the registry in ./index.ts.
 */
import { gib, type GpuSpec, type MigProfile } from "./spec";

/** A100-SXM4-40GB MIG profiles from public `nvidia-smi mig -lgip` dumps (hardware.md §2.2 [MIGUG]). */
export const A100_40GB_MIG_PROFILES: readonly MigProfile[] = [
  { name: "1g.5gb", profileId: 19, computeSlices: 1, memorySlices: 1, smCount: 14, memBytes: gib(4.75), maxInstances: 7, placementStartSlots: [0, 1, 2, 3, 4, 5, 6], placementSlotCount: 1 },
  { name: "1g.5gb+me", profileId: 20, computeSlices: 1, memorySlices: 1, smCount: 14, memBytes: gib(4.75), maxInstances: 1, placementStartSlots: [0, 1, 2, 3, 4, 5, 6], placementSlotCount: 1 },
  { name: "1g.10gb", profileId: 15, computeSlices: 1, memorySlices: 2, smCount: 14, memBytes: gib(9.62), maxInstances: 4, placementStartSlots: [0, 2, 4, 6], placementSlotCount: 2 },
  { name: "2g.10gb", profileId: 14, computeSlices: 2, memorySlices: 2, smCount: 28, memBytes: gib(9.62), maxInstances: 3, placementStartSlots: [0, 2, 4], placementSlotCount: 2 },
  { name: "3g.20gb", profileId: 9, computeSlices: 3, memorySlices: 4, smCount: 42, memBytes: gib(19.5), maxInstances: 2, placementStartSlots: [0, 4], placementSlotCount: 4 },
  { name: "4g.20gb", profileId: 5, computeSlices: 4, memorySlices: 4, smCount: 56, memBytes: gib(19.5), maxInstances: 1, placementStartSlots: [0], placementSlotCount: 4 },
  { name: "7g.40gb", profileId: 0, computeSlices: 7, memorySlices: 8, smCount: 98, memBytes: gib(39.25), maxInstances: 1, placementStartSlots: [0], placementSlotCount: 8 },
];

/** 40 GB profile name → 80 GB profile name (hardware.md §2.2: "same geometry with doubled memory names"). */
const NAMES_80GB: Readonly<Record<string, string>> = {
  "1g.5gb": "1g.10gb", "1g.5gb+me": "1g.10gb+me", "1g.10gb": "1g.20gb", "2g.10gb": "2g.20gb",
  "3g.20gb": "3g.40gb", "4g.20gb": "4g.40gb", "7g.40gb": "7g.80gb",
};

/**
 * A100-SXM4-80GB MIG profiles: the 40GB geometry (ids, instances, placements) with doubled names. SM counts are
 * the 40GB ones (sourced for 1g.20gb only, assumed for the rest); memory is assumed to be twice the 40GB figure.
 */
export const A100_80GB_MIG_PROFILES: readonly MigProfile[] = A100_40GB_MIG_PROFILES.map((p) => ({
  ...p,
  name: NAMES_80GB[p.name] ?? p.name,
  memBytes: 2 * p.memBytes,
}));

const NSYS_A100_40 = "nsys TARGET_INFO_GPU in fixtures/real/pipit/saxpy-mpi-cuda_nsys_perlmutter0.sqlite (A100-SXM4-40GB)";
const NSYS_A100_80 = "nsys TARGET_INFO_GPU in fixtures/real/pipit/cloverleaf-nsys/perlmutter-cloverleaf-cuda.sqlite (A100-SXM4-80GB)";

/** NVIDIA A100 SXM4 40GB (HBM2). */
export const A100_40GB: GpuSpec = {
  key: "a100-40gb",
  name: "NVIDIA A100 SXM4 40GB",
  computeCapability: "8.0",
  smCount: 108,
  tpcCount: 54,
  gpcCount: 7,
  smsPerTpc: 2,
  threadsPerWarp: 32,
  maxThreadsPerSm: 2048,
  maxWarpsPerSm: 64,
  maxBlocksPerSm: 32,
  maxThreadsPerBlock: 1024,
  regsPerSm: 65536,
  maxRegsPerBlock: 65536,
  maxRegsPerThread: 255,
  regAllocUnit: 256,
  warpAllocGranularity: 4,
  smemPerSmBytes: 167936,
  maxSmemPerBlockBytes: 166912,
  defaultSmemPerBlockBytes: 49152,
  smemReservedPerBlockBytes: 1024,
  smemAllocUnitBytes: 128,
  l2Bytes: 41943040,
  memBytes: 42297524224,
  memBandwidthBytesPerS: 1.555e12,
  sustainedMemBandwidthBytesPerS: null,
  memBandwidthPerSmBytesPerS: null,
  baseClockMHz: 1095,
  maxClockMHz: 1410,
  minClockMHz: 210,
  clockStepMHz: 15,
  idleClockMHz: 210,
  memClockMHz: 1215,
  tdpW: 400,
  idlePowerW: 54,
  idleContextPowerW: 80,
  maxMigInstances: 7,
  migProfiles: A100_40GB_MIG_PROFILES,
  mps: { minSms: 8, smGranularity: 2, maxClients: 48, measured: false },
  sources: {
    smCount: `hardware.md §1.1 (108 SMs); smCount in ${NSYS_A100_40}`,
    tpcCount: "hardware.md §1.1 (54 TPCs)",
    gpcCount: "hardware.md §1.1 (7 GPCs enabled; full die 8)",
    smsPerTpc: "hardware.md §5.3 (2 SMs per TPC on Ampere/Hopper)",
    threadsPerWarp: `threadsPerWarp in ${NSYS_A100_40}`,
    maxThreadsPerSm: "hardware.md §1.1 (2048)",
    maxWarpsPerSm: `hardware.md §1.1 (64); maxWarpsPerSm in ${NSYS_A100_40}`,
    maxBlocksPerSm: `hardware.md §1.1 (32); maxBlocksPerSm in ${NSYS_A100_40}`,
    maxThreadsPerBlock: "hardware.md §1.1 (1024)",
    regsPerSm: `hardware.md §1.1 (65,536); maxRegistersPerSm in ${NSYS_A100_40}`,
    maxRegsPerBlock: `maxRegistersPerBlock in ${NSYS_A100_40} (65,536)`,
    maxRegsPerThread: "hardware.md §1.1 (255)",
    regAllocUnit: "hardware.md §1.1 notes / §5.2 (per warp, units of 256 registers)",
    warpAllocGranularity: "CUDA toolkit cuda_occupancy.h (4 SM sub-partitions on CC 7.x–9.x; registers split per sub-partition)",
    smemPerSmBytes: `hardware.md §1.1 [ATG] (164 KB); maxShmemPerSm 167,936 in ${NSYS_A100_40}`,
    maxSmemPerBlockBytes: `hardware.md §1.1 (163 KB); maxShmemPerBlockOptin 166,912 in ${NSYS_A100_40}`,
    defaultSmemPerBlockBytes: `maxShmemPerBlock 49,152 in ${NSYS_A100_40}`,
    smemReservedPerBlockBytes: "hardware.md §1.1 (1 KB reserved per block, CC ≥ 8.0)",
    smemAllocUnitBytes: "hardware.md §1.1 notes (shared memory allocated in 128-byte units)",
    l2Bytes: `hardware.md §1.1 (40 MB); l2CacheSize 41,943,040 in ${NSYS_A100_40}`,
    memBytes: `totalMemory in ${NSYS_A100_40}`,
    memBandwidthBytesPerS: `hardware.md §1.2 (1.555 TB/s datasheet; memoryBandwidth 1.5552e12 in ${NSYS_A100_40})`,
    sustainedMemBandwidthBytesPerS: "not measured on an A100 (hardware.md §1.2 lists none)",
    memBandwidthPerSmBytesPerS: "not measured on an A100 (hardware.md §8.2: β_SM only measured on the H200)",
    baseClockMHz: "hardware.md §1.2 [TPU] (1095 MHz)",
    maxClockMHz: `hardware.md §1.2 (1410 MHz); clockRate in ${NSYS_A100_40}`,
    minClockMHz: "hardware.md §7.1 (210 MHz ⚠, from memory of nvidia-smi output, §8.2)",
    clockStepMHz: "hardware.md §7.1 (15 MHz steps ⚠, from memory of nvidia-smi output, §8.2)",
    idleClockMHz: "hardware.md §1.2 (210 MHz)",
    memClockMHz: "hardware.md §1.2 [TPU] (1215 MHz)",
    tdpW: "hardware.md §1.2 (400 W)",
    idlePowerW: "hardware.md §7.2 [PARK ⚠] (53.7 W bare idle)",
    idleContextPowerW: "hardware.md §7.2 [PARK ⚠] (80.0 W with a CUDA context)",
    maxMigInstances: "hardware.md §1.2 (7)",
    migProfiles: "hardware.md §2.2 [MIGUG] (public -lgip/-lgipp dumps; memory ranges: lower value taken)",
    mps: "assumed: H200 rule form (hardware.md §3.3: round down to a TPC, floor 8 SMs) applied to 108 SMs; not measured on an A100; 48 clients: hardware.md §3.1 [MPSDOC]",
  },
};

/** NVIDIA A100 SXM4 80GB (HBM2e). */
export const A100_80GB: GpuSpec = {
  ...A100_40GB,
  key: "a100-80gb",
  name: "NVIDIA A100 SXM4 80GB",
  memBytes: 84990623744,
  memBandwidthBytesPerS: 2.039e12,
  memClockMHz: 1593,
  migProfiles: A100_80GB_MIG_PROFILES,
  sources: {
    ...A100_40GB.sources,
    smCount: `hardware.md §1.1 (108 SMs); smCount in ${NSYS_A100_80}`,
    l2Bytes: `hardware.md §1.1 (40 MB); l2CacheSize 41,943,040 in ${NSYS_A100_80}`,
    memBytes: `totalMemory in ${NSYS_A100_80}; totalGlobalMem in fixtures/real/hta/negative_queue_length_values_check/rank0.json.gz`,
    memBandwidthBytesPerS: `hardware.md §1.2 (2.039 TB/s datasheet; memoryBandwidth 2.03904e12 in ${NSYS_A100_80})`,
    memClockMHz: "hardware.md §1.2 (1593 MHz)",
    idlePowerW: "hardware.md §7.2 [PARK ⚠] (53.7 W; 80GB assumed same as the A100 measured there)",
    idleContextPowerW: "hardware.md §7.2 [PARK ⚠] (80.0 W; 80GB assumed same as the A100 measured there)",
    migProfiles: "hardware.md §2.2 [MIGUG] (80GB names, ids, placements; SMs sourced for 1g.20gb = 14, others assumed = 40GB part ⚠; memory assumed 2× the 40GB figures)",
  },
};
