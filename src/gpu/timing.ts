/**
 * Kernel duration model: from a kernel as recorded in a trace (launch configuration and its duration on the GPU
 * and SM count it ran on) to its duration on n SMs, at SM clock f, on a given GPU, with a share of memory bandwidth.
 *
 * The recorded time minus a fixed launch cost t0 is the kernel's work w. It is split between a compute part and a
 * memory part (a roofline max), each scaled separately:
 *   compute(n) = per-block time × rounds on the busiest SM: its ceil(B / n) blocks run in rounds of up to
 *                r co-resident blocks (r from occupancy), a round of k blocks costing 1 + (k − 1) · s with
 *                s = min(1, blockShare / r): the fewer blocks fit on an SM, the more of it each one uses
 *                scaled by clock (∝ 1/f) and per-SM throughput across GPU generations;
 *   memory(n)  = bytes / bandwidth, bandwidth = min(n · per-SM bandwidth, share · peak), i.e.
 *                ∝ max(nSat / n, 1 / share) with nSat = the SM count at which the kernel saturates memory;
 *                scaled by peak memory bandwidth across GPUs, and nearly flat in clock, except for the compute
 *                class (GEMM, convolution, attention): there the part that does not shrink with more SMs is
 *                SM-side work too (prologue, epilogue, the last tile), so it follows 1/f like the rest
 *                (hardware.md §7.3: compute-bound time ∝ 1/f; memory-bound nearly flat).
 *   T(n) = t0 + w · max(ψ · q(n)/q(N₀) · clock · arch, φ · m(n)/m(N₀) · bw)   with ψ = min(1, 1+θ), φ = min(1, 1−θ).
 * θ (−1 … 1) says how memory-bound the class is: at θ = 0 both parts bind at the recorded point.
 * Wave quantisation is in ceil(B/n); bandwidth saturation in nSat; the power cap in the clock passed in
 * (src/gpu/power.ts gives it). Per-class parameters (s, θ, nSat) and t0 are fitted (src/gpu/fit-timing.ts).
 * A kernel like calibration kernels (same function and block size, near in grid and duration) then has T(n)
 * multiplied by their measured/modelled ratio at n SMs, kept monotone in n (src/gpu/measured-curves.ts): what the
 * class formula cannot see in a trace, such as whether a kernel saturates DRAM bandwidth or is bound by latency.
 */
import { classifyKernel, issuesInstructions, type KernelClass } from "./kernel-class";
import { eligibleFraction, type EligibleTable } from "./eligible-warps";
import { lookupResidual, residualBySm, type MeasuredCurves } from "./measured-curves";
import { blocksPerSm } from "./occupancy";
import type { GpuSpec } from "./specs/spec";

/** Scaling parameters of one kernel class. */
export interface ClassParams {
  /**
   * How much of an SM one block uses, scaled by occupancy: a kernel whose blocks fit r per SM has each block
   * alone use s = min(1, blockShare / r) of the SM, so a round of k co-resident blocks takes 1 + (k − 1)·s.
   */
  blockShare: number;
  /** −1 (all memory) … 1 (all compute): which part binds at the recorded point. */
  theta: number;
  /** SM count at which a memory-bound kernel of this class saturates DRAM bandwidth. */
  nSat: number;
}

/** A fitted timing calibration (the JSON that `lithos-replay calibrate` writes). */
export interface TimingCalibration {
  /** Format version of this JSON. */
  version: 1;
  /** GPU key the parameters were fitted on (specs registry key). */
  gpu: string;
  /** Fixed cost per kernel, µs, included in every recorded duration. */
  launchUs: number;
  classes: Record<KernelClass, ClassParams>;
  /** Where the fit came from: files, rows, workloads; and its error on them. */
  fittedOn: string;
  fitError: number;
  /**
   * Measured residuals of the calibration kernels against these class parameters (src/gpu/measured-curves.ts): a
   * kernel like one of them has the formula's prediction multiplied by its neighbours' measured/modelled ratio.
   * Absent: the formula alone.
   */
  curves?: MeasuredCurves;
  /**
   * Per class, the fraction of its memory part that DRAM bandwidth binds, which is the part that moves with another
   * GPU's peak bandwidth (src/gpu/fit-cross-gpu.ts fits it on one program recorded on two GPUs); the rest (data
   * that stays in L2, latency) does not. Absent, or a class absent: 1, all of it. The compute class's is 0 whatever
   * this says (its memory part is SM-side work: see the header).
   */
  dramBound?: DramBound;
  /**
   * Eligible warps per resident warp, by kernel and class, measured with Nsight Compute (src/gpu/eligible-warps.ts):
   * how many of a kernel's warps compete for issue slots with another tenant's blocks on its SMs. Absent: all.
   */
  eligible?: EligibleTable;
}

/** Fitted fractions of each class's memory part bound by DRAM bandwidth, and the data they were fitted on. */
export interface DramBound {
  classes: Partial<Record<KernelClass, number>>;
  fittedOn: string;
}

/** The fraction of a class's memory part that moves with peak DRAM bandwidth across GPUs (see TimingCalibration.dramBound). */
export function dramBoundFraction(cal: TimingCalibration, cls: KernelClass): number {
  if (cls === "compute") return 0;
  const f = cal.dramBound?.classes[cls];
  return f === undefined ? 1 : Math.min(1, Math.max(0, f));
}

/** A kernel as a trace records it. */
export interface RecordedKernel {
  name: string;
  /** Blocks in the grid (x·y·z). */
  gridBlocks: number;
  /** Measured duration, µs. */
  us: number;
  /** Launch resources, for the blocks resident per SM; unknown threads = no occupancy limit is applied. */
  threadsPerBlock?: number | null;
  regsPerThread?: number | null;
  smemPerBlockBytes?: number | null;
}

/** Where the recorded duration was measured. */
export interface RecordedOn {
  gpu: GpuSpec;
  /** SMs the kernel could use when recorded (default: all). */
  smCount?: number;
  /** SM clock during the recording, MHz (default: the GPU's maximum; traces do not record it). */
  clockMHz?: number;
}

/** Where the kernel is to run. */
export interface RunOn {
  gpu: GpuSpec;
  smCount: number;
  /** SM clock, MHz (default: maximum). */
  clockMHz?: number;
  /** Share of the GPU's peak memory bandwidth available to this kernel, (0, 1] (default 1). */
  memShare?: number;
}

/**
 * Relative SM throughput per clock (tensor and FP32 alike: Hopper 4096 dense BF16 FLOP/clk/SM and 256 FP32,
 * Ampere 2048 and 128; hardware.md §0 item 4 and §1.2).
 */
function throughputPerSmPerClock(gpu: GpuSpec): number {
  return Number(gpu.computeCapability.split(".")[0]) >= 9 ? 2 : 1;
}

/**
 * Time of the busiest SM in units of one lone block: its m = ceil(blocks / sms) blocks run in rounds of up to
 * `resident` co-resident blocks; in a round of k blocks each block after the first adds s = min(1, blockShare / resident).
 */
export function smRounds(blocks: number, sms: number, resident: number, blockShare: number): number {
  const m = Math.ceil(blocks / Math.max(1, sms));
  const s = Math.min(1, blockShare / resident);
  const full = Math.floor(m / resident);
  const rest = m - full * resident;
  return full * (1 + (resident - 1) * s) + (rest > 0 ? 1 + (rest - 1) * s : 0);
}

/** Warps in a block of `threads` threads on `gpu`; 1 when the launch's threads are unknown. */
function warpsPerBlock(gpu: GpuSpec, threads: number | null | undefined): number {
  return threads != null && threads >= 1 ? Math.ceil(threads / gpu.threadsPerWarp) : 1;
}

/** Blocks of `kernel` resident per SM on `gpu` (occupancy); 1 (blocks in series) when the launch resources are unknown. */
export function residentBlocks(gpu: GpuSpec, kernel: RecordedKernel): number {
  const threads = kernel.threadsPerBlock;
  if (!(typeof threads === "number" && Number.isInteger(threads) && threads >= 1 && threads <= gpu.maxThreadsPerBlock)) return 1;
  return Math.max(1, blocksPerSm(gpu, { threadsPerBlock: threads, regsPerThread: kernel.regsPerThread, smemPerBlockBytes: kernel.smemPerBlockBytes }).blocksPerSm);
}

function memoryFactor(sms: number, nSat: number, share: number): number {
  return Math.max(nSat / Math.max(1, sms), 1 / share);
}

/**
 * A kernel prepared for repeated predictions on one target GPU: everything that does not depend on the SM
 * count, clock or bandwidth share, computed once (the simulator asks for thousands of durations per kernel).
 */
export interface PreparedKernel {
  /** Fixed launch cost, µs. */
  readonly t0: number;
  /** Recorded duration minus t0, µs. */
  readonly work: number;
  readonly blocks: number;
  /** Blocks resident per SM on the target GPU. */
  readonly resident: number;
  readonly blockShare: number;
  /** ψ / rounds at the recorded point × clock and generation factors at the recorded clock. */
  readonly computeScale: number;
  /** φ / memory factor at the recorded point × peak-bandwidth ratio. */
  readonly memoryScale: number;
  /** The class's saturation SM count on the target GPU. */
  readonly nSat: number;
  /** 1 when the memory part also scales as 1/clock (compute class), else 0. */
  readonly memoryClockExponent: number;
  /** Target clock the compute part refers to, MHz (the target's maximum). */
  readonly refClockMHz: number;
  /**
   * Measured correction by SM count (index 0…the target's SMs) from the calibration's nearest kernels, or null
   * when none is close (see TimingCalibration.curves).
   */
  readonly residual: Float64Array | null;
  /**
   * One SM count and its factor in `residual` (0 and 1 when there is none): the SMs the kernel's blocks spread
   * over on the whole target GPU, where the simulator makes most of its predictions. Kept beside the other fields
   * because the table is another object, often not in the CPU's caches when a kernel is re-planned.
   */
  readonly residualSms: number;
  readonly residualAtSms: number;
  /**
   * Share of its memory-bound time in which it draws DRAM bandwidth: its class's DRAM-bound fraction
   * (`dramBoundFraction`; the rest of the memory part is L2 traffic and latency). The simulator multiplies its
   * memory-bound share by this for the DRAM traffic it puts on the pool and on the power model.
   */
  readonly dramFraction: number;
  /**
   * Warps per block ready to issue at a time: the block's warps (1 when its threads are unknown) times the measured
   * fraction eligible (`eligibleFraction`), 0 for a kernel named as sleeping (`issuesInstructions`). The simulator's
   * issue contention counts them, and spares a kernel with none (it waits the same whoever issues).
   */
  readonly issueWarps: number;
}

/** Prepares `kernel` (recorded on `from`) for predictions on `to` (any SM count, clock and bandwidth share). */
export function prepareKernel(cal: TimingCalibration, kernel: RecordedKernel, from: RecordedOn, to: GpuSpec, cls: KernelClass = classifyKernel(kernel.name, kernel.us)): PreparedKernel {
  const p = cal.classes[cls];
  // A kernel shorter than the launch cost is all launch cost: it then stays as recorded.
  const t0 = Math.min(cal.launchUs, kernel.us);
  const n0 = from.smCount ?? from.gpu.smCount;
  const f0 = from.clockMHz ?? from.gpu.maxClockMHz;
  const blocks = Math.max(1, kernel.gridBlocks);
  // The DRAM-bound share of the memory part, and nSat, scale with the target's peak bandwidth over the recording
  // GPU's (same per-SM bandwidth assumed); the rest of the memory part stays as recorded.
  const peakRatio = from.gpu.memBandwidthBytesPerS / to.memBandwidthBytesPerS;
  const bwRatio = 1 + dramBoundFraction(cal, cls) * (peakRatio - 1);
  const psi = Math.min(1, 1 + p.theta);
  const phi = Math.min(1, 1 - p.theta);
  const refClockMHz = to.maxClockMHz;
  const memoryClockExponent = cls === "compute" ? 1 : 0;
  // The residuals refer to a kernel's scaling from its full-chip duration; one recorded on part of a GPU has none.
  const measured = cal.curves && n0 === from.gpu.smCount ? lookupResidual(cal.curves, kernel.name, kernel.threadsPerBlock, blocks, kernel.us) : null;
  const prepared: PreparedKernel = {
    t0,
    work: kernel.us - t0,
    blocks,
    resident: residentBlocks(to, kernel),
    blockShare: p.blockShare,
    computeScale: (psi / smRounds(blocks, n0, residentBlocks(from.gpu, kernel), p.blockShare)) * (f0 / refClockMHz)
      * (throughputPerSmPerClock(from.gpu) / throughputPerSmPerClock(to)),
    memoryScale: (phi / memoryFactor(n0, p.nSat, 1)) * bwRatio * (f0 / refClockMHz) ** memoryClockExponent,
    nSat: p.nSat / bwRatio,
    refClockMHz,
    memoryClockExponent,
    residual: null,
    residualSms: 0,
    residualAtSms: 1,
    dramFraction: dramBoundFraction(cal, cls),
    issueWarps: issuesInstructions(kernel.name) ? warpsPerBlock(to, kernel.threadsPerBlock) * eligibleFraction(cal.eligible, kernel.name, kernel.threadsPerBlock, cls) : 0,
  };
  if (!(measured && cal.curves)) return prepared;
  const residual = monotoneResidual(prepared, residualBySm(cal.curves, measured, to.smCount));
  const spread = Math.min(blocks, to.smCount);
  return withFields(prepared, { residual, residualSms: spread, residualAtSms: residual[residualIndex(residual, spread)]! });
}

/**
 * A copy of `k` with some fields replaced, built as one literal with every field in the same order, so that all
 * prepared kernels share one object shape: the simulator reads their fields millions of times, and a spread copy
 * (`{ ...k, x }`) gets a shape of its own, which makes those reads polymorphic and slow.
 */
function withFields(k: PreparedKernel, f: Partial<PreparedKernel>): PreparedKernel {
  return {
    t0: f.t0 ?? k.t0,
    work: f.work ?? k.work,
    blocks: f.blocks ?? k.blocks,
    resident: f.resident ?? k.resident,
    blockShare: f.blockShare ?? k.blockShare,
    computeScale: f.computeScale ?? k.computeScale,
    memoryScale: f.memoryScale ?? k.memoryScale,
    nSat: f.nSat ?? k.nSat,
    refClockMHz: f.refClockMHz ?? k.refClockMHz,
    memoryClockExponent: f.memoryClockExponent ?? k.memoryClockExponent,
    residual: f.residual !== undefined ? f.residual : k.residual,
    residualSms: f.residualSms ?? k.residualSms,
    residualAtSms: f.residualAtSms ?? k.residualAtSms,
    dramFraction: f.dramFraction ?? k.dramFraction,
    issueWarps: f.issueWarps ?? k.issueWarps,
  };
}

/**
 * The measured correction made safe: neighbours' curves are noisy, and a kernel must never run faster on fewer SMs.
 * Going down from the full chip, the corrected duration (at the maximum clock, all the bandwidth) is kept at least
 * that on one SM more, and the factor is the corrected over the formula's duration.
 */
function monotoneResidual(k: PreparedKernel, factor: Float64Array): Float64Array {
  const out = new Float64Array(factor.length);
  let floor = 0;
  for (let n = factor.length - 1; n >= 1; n--) {
    const base = preparedUs(k, n, k.refClockMHz, 1);
    const corrected = Math.max(base * factor[n]!, floor);
    out[n] = corrected / base;
    floor = corrected;
  }
  out[0] = out[1]!;
  return out;
}

/** Duration in µs of a prepared kernel on `smCount` SMs at `clockMHz` with `memShare` of peak bandwidth. */
export function preparedUs(k: PreparedKernel, smCount: number, clockMHz: number, memShare: number): number {
  return preparedUsWith(k, smCount, clockMHz, memShare, computePart(k, smCount, clockMHz));
}

/**
 * The compute part of a prepared kernel's time on `smCount` SMs at `clockMHz`, per unit of its work. It does not
 * depend on the bandwidth share, so the simulator keeps it while a kernel's SMs and the clock stay the same (most
 * re-plans only move the share), and passes it to `preparedUsWith` and `dramShareWith`.
 */
export function computePart(k: PreparedKernel, smCount: number, clockMHz: number): number {
  return smRounds(k.blocks, smCount, k.resident, k.blockShare) * k.computeScale * (k.refClockMHz / clockMHz);
}

/**
 * `computePart(k, smCount, clockMHz)` written into `out.computeUs`, with `smRounds` written out: the same operations,
 * so the same value, with no float returned from a call (V8 boxes one in a fresh heap number when it does not inline
 * the call, and the simulator computes this on most allocations).
 */
export function computePartInto(out: { computeUs: number }, k: PreparedKernel, smCount: number, clockMHz: number): void {
  const resident = k.resident;
  const m = Math.ceil(k.blocks / Math.max(1, smCount));
  const s = Math.min(1, k.blockShare / resident);
  const full = Math.floor(m / resident);
  const rest = m - full * resident;
  const rounds = full * (1 + (resident - 1) * s) + (rest > 0 ? 1 + (rest - 1) * s : 0);
  out.computeUs = rounds * k.computeScale * (k.refClockMHz / clockMHz);
}

function memoryPart(k: PreparedKernel, smCount: number, clockMHz: number, share: number): number {
  return memoryFactor(smCount, k.nSat, share) * k.memoryScale * (k.memoryClockExponent > 0 ? k.refClockMHz / clockMHz : 1);
}

/** `preparedUs` given its compute part, `computePart(k, smCount, clockMHz)`. */
export function preparedUsWith(k: PreparedKernel, smCount: number, clockMHz: number, memShare: number, compute: number): number {
  const memory = memoryPart(k, smCount, clockMHz, Math.min(1, Math.max(memShare, 1e-6)));
  const us = k.t0 + k.work * Math.max(compute, memory);
  const r = k.residual;
  if (r === null) return us;
  return us * (smCount === k.residualSms ? k.residualAtSms : r[residualIndex(r, smCount)]!);
}

/**
 * `preparedUsWith` written into `out.us`: the simulator re-plans a running kernel with it twice per kernel or so, and
 * a float returned from a call V8 does not inline (`preparedUsWith` often was not) costs a heap number; this small
 * wrapper gets `preparedUsWith` inlined into it, and a field is written in place.
 */
export function preparedUsInto(out: { us: number }, k: PreparedKernel, smCount: number, clockMHz: number, memShare: number, compute: number): void {
  out.us = preparedUsWith(k, smCount, clockMHz, memShare, compute);
}

/** Index of the factor for `smCount` SMs in a residual table. */
function residualIndex(r: Float64Array, smCount: number): number {
  // SM counts are whole in the simulator; a fractional one (a caller's) takes the factor of its whole part.
  return smCount >= r.length ? r.length - 1 : smCount > 0 ? smCount | 0 : 0;
}

/**
 * The part of a prepared kernel that runs `blocks` of its grid (an atom: a contiguous range of its flattened
 * block index, relaunched on its own). Its compute part follows its own rounds of blocks; its memory part
 * moves that share of the kernel's bytes; it pays the fixed launch cost again.
 */
export function atomKernel(k: PreparedKernel, blocks: number): PreparedKernel {
  const b = Math.max(1, Math.min(k.blocks, Math.round(blocks)));
  return withFields(k, { blocks: b, memoryScale: (k.memoryScale * b) / k.blocks });
}

/**
 * Fraction of a prepared kernel's time spent bound by memory on `smCount` SMs (1: the memory part binds;
 * below 1: the ratio of the memory part to the compute part). The simulator uses it as the kernel's demand on
 * DRAM bandwidth when kernels of several tenants run at once.
 */
export function memoryBoundness(k: PreparedKernel, smCount: number, clockMHz: number): number {
  return memoryBoundnessWith(k, smCount, clockMHz, computePart(k, smCount, clockMHz));
}

function memoryBoundnessWith(k: PreparedKernel, smCount: number, clockMHz: number, compute: number): number {
  const memory = memoryPart(k, smCount, clockMHz, 1);
  return compute <= 0 ? 1 : Math.min(1, memory / compute);
}

/**
 * Share of the pool's per-SM DRAM bandwidth a prepared kernel draws on `smCount` SMs: its memory-bound share,
 * except for the compute class, whose memory part is SM-side work (see the header) and whose DRAM traffic is
 * small next to its compute (a GEMM re-reads its tiles from L2 and shared memory): 0. Bandwidth contention
 * between tenants and the DRAM term of the power model use it.
 */
export function dramShare(k: PreparedKernel, smCount: number, clockMHz: number): number {
  return k.memoryClockExponent > 0 ? 0 : memoryBoundness(k, smCount, clockMHz);
}

/** `dramShare` given the compute part, `computePart(k, smCount, clockMHz)`. */
export function dramShareWith(k: PreparedKernel, smCount: number, clockMHz: number, compute: number): number {
  if (k.memoryClockExponent > 0) return 0;
  // memoryBoundnessWith, written out: the simulator calls this on every allocation, and a float returned from a
  // call V8 does not inline (that one often was not) costs a heap number.
  const memory = memoryPart(k, smCount, clockMHz, 1);
  return compute <= 0 ? 1 : Math.min(1, memory / compute);
}

/** `dramShareWith` written into `out.dramShare`, for the simulator's allocations: see `preparedUsInto`. */
export function dramShareInto(out: { dramShare: number }, k: PreparedKernel, smCount: number, clockMHz: number, compute: number): void {
  out.dramShare = dramShareWith(k, smCount, clockMHz, compute);
}

/** Predicted duration in µs of `kernel` (recorded on `from`) when run on `to`. */
export function predictKernelUs(cal: TimingCalibration, kernel: RecordedKernel, from: RecordedOn, to: RunOn, cls: KernelClass = classifyKernel(kernel.name, kernel.us)): number {
  const prepared = prepareKernel(cal, kernel, from, to.gpu, cls);
  return preparedUs(prepared, to.smCount, to.clockMHz ?? to.gpu.maxClockMHz, to.memShare ?? 1);
}
