/**
 * The contract between the simulator and a GPU sharing policy. A policy decides which ready kernels run,
 * on how many SMs, and when; the engine (src/sim) owns time, progress and durations (from the GPU model),
 * and checks every decision against the device's capacity. Policies never import the engine: they see it
 * only through `SchedulerView`, and the engine sees them only through `Policy`.
 *
 * Capacity is counted in SM-equivalents per pool: a kernel spread over n SMs holds n of them while it still
 * has blocks to dispatch, and only the SMs its remaining blocks fill once its last wave is running (its
 * other SMs can then take blocks of other kernels, as they do on the hardware). Running blocks are never
 * preempted, except by a context switch (`preempt`), which saves the kernel's progress.
 */
import type { GpuSpec } from "../gpu/specs/spec";

/**
 * A kernel (or a paused one) as the policy sees it. The engine reuses the object for a later launch once the kernel
 * has finished (after `Policy.onKernelDone`): a policy that keeps kernels (in a set, a map) must drop them there.
 */
export interface KernelWork {
  readonly tenant: number;
  /** Global stream index (unique across tenants). */
  readonly stream: number;
  /** When it became ready to run (its stream's previous work done and it was launched), ns. */
  readonly readyAt: number;
  /** Blocks in the grid, and blocks resident per SM. */
  readonly blocks: number;
  readonly resident: number;
  /** SMs it is spread over now (0 while waiting). */
  readonly sms: number;
  /** SM-equivalents it holds now. */
  readonly cap: number;
  /** True once its last wave is dispatched (it can no longer use more SMs). */
  readonly inLastWave: boolean;
  /** Fraction of its work still to do, 0 … 1. */
  readonly remaining: number;
  /** SMs a pending `reclaim` will take away. */
  readonly reclaiming: number;
  /**
   * What identifies the kernel from one unit of work to the next (for online predictors): its tenant, its
   * ordinal among the kernels launched since the unit began or the host last synchronised, its name and
   * launch shape. Unique across tenants.
   */
  readonly key: number;
  /**
   * Offline profile, as REEF and Orion take one: its duration alone on all the SMs of its pool at the GPU's
   * top clock with all the bandwidth, ns (the timing model's prediction, not a measurement of this run).
   */
  readonly profileNs: number;
  /** Offline profile: share of that time bound by DRAM bandwidth, 0 … 1 (timing model; 0 for compute-class kernels: GEMM, convolution, attention). */
  readonly memoryBoundness: number;
  /** Atom index and count: a kernel split by `Policy.atomize` runs as `atoms` launches of contiguous block ranges; `blocks` is this atom's. */
  readonly atom: number;
  readonly atoms: number;
  /** Blocks of the whole kernel (all atoms). */
  readonly kernelBlocks: number;
}

/** A tenant as the policy sees it. */
export interface TenantView {
  readonly index: number;
  readonly name: string;
  /** "service": request-driven, latency matters; "job": best-effort, back to back. */
  readonly role: "service" | "job";
  /** Larger is more urgent; 0 is the default. */
  readonly priority: number;
  /** Most SMs its kernels may hold at once (MPS active-thread limit, a partition), or null for no limit. */
  readonly smLimit: number | null;
  /** Capacity pool its kernels draw from (MIG instance); 0 when the GPU is not partitioned. */
  readonly pool: number;
  /** SMs guaranteed to it (a LithOS TPC quota, in SMs), or null when none was given. */
  readonly quota: number | null;
}

/** One pool of SMs with its own share of memory bandwidth (the whole GPU, or one MIG instance). */
export interface PoolSpec {
  readonly name: string;
  readonly smCount: number;
  /** Peak DRAM bandwidth of the pool, bytes/s. */
  readonly memBandwidthBytesPerS: number;
}

export interface SchedulerView {
  readonly now: number;
  readonly gpu: GpuSpec;
  readonly tenants: readonly TenantView[];
  readonly pools: readonly PoolSpec[];
  /** Kernels ready to run and not running, in the order they became ready. */
  readonly waiting: readonly KernelWork[];
  /** Running kernels, in the order they started. */
  readonly running: readonly KernelWork[];
  /** SM-equivalents free in a pool. */
  free(pool: number): number;
  /** SM-equivalents a tenant's running kernels hold. */
  held(tenant: number): number;
  /** True when the tenant has a kernel running, waiting, or paused. */
  busy(tenant: number): boolean;
  /** Starts a waiting kernel spread over `sms` SMs (needs `capFor(k, sms)` free in its tenant's pool). */
  start(k: KernelWork, sms: number): void;
  /** Spreads a running kernel over more SMs (its extra SM-equivalents must be free). */
  grow(k: KernelWork, sms: number): void;
  /** SM-equivalents a kernel spread over `sms` SMs holds at its current progress. */
  capFor(k: KernelWork, sms: number): number;
  /** Stops a running kernel and keeps its progress (a context switch); it goes back to `waiting`. */
  preempt(k: KernelWork): void;
  /**
   * Takes `sms` SMs away from a running kernel as soon as that many of its blocks have finished (blocks are
   * never killed). The engine calls `schedule` again then.
   */
  reclaim(k: KernelWork, sms: number): void;
  /** Calls `onTimer(view, tag)` at `at` ns. */
  setTimer(at: number, tag: number): void;
  /** SM clock now, MHz (the power limiter's, under any cap set below). */
  readonly clockMHz: number;
  /** Caps the SM clock (software DVFS; null lifts the cap). It applies from the next power window (10 ms). */
  setClockCap(mhz: number | null): void;
}

/** A GPU sharing policy. One file per policy in src/policies; the registry is src/policies/index.ts. */
export interface Policy {
  readonly name: string;
  /** Called whenever something changed: a kernel became ready or finished, a timer fired. */
  schedule(view: SchedulerView): void;
  onTimer?(view: SchedulerView, tag: number): void;
  /**
   * A kernel became ready and has not been seen by `schedule` yet: how many atoms to run it as (1, or
   * nothing, leaves it whole). Called once per kernel; `k.atoms` is 1.
   */
  atomize?(view: SchedulerView, k: KernelWork): number;
  /**
   * A kernel (or one atom) finished after running `runNs` on `k.sms` SMs. Called before `schedule`. The last call
   * with `k`: its object then carries a later launch.
   */
  onKernelDone?(view: SchedulerView, k: KernelWork, runNs: number): void;
  /** What the policy has to say at the end of a run (counters, predictor error), for the result. */
  report?(): Record<string, unknown>;
  /**
   * False when the policy keeps tenants on disjoint SMs (LithOS's TPC masks); default true: one hardware block
   * dispatcher places blocks of every tenant, so they share SMs once their spreads exceed the GPU (src/sim/co-residency.ts).
   */
  readonly sharesSms?: boolean;
  /** Pools the GPU is cut into (MIG); default: one pool, the whole GPU. */
  pools?(gpu: GpuSpec, tenants: readonly TenantView[]): { pools: PoolSpec[]; tenantPool: number[] };
}
