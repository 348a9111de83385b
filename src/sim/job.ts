/**
 * One kernel launch on the simulated GPU, from ready to done. Progress is fluid: `remaining` work (1 at
 * the start, 0 at the end) drains at a rate set by the timing model for the SMs the kernel holds, the clock
 * and its share of memory bandwidth; whenever one of them changes the engine re-plans the kernel from its
 * remaining work. Wave quantisation and block-granular sharing come from the wave bookkeeping here: a kernel
 * holds every SM it spreads over until its last wave, then only the SMs its last blocks fill.
 */
import type { PreparedKernel } from "../gpu/timing";
import type { KernelWork } from "../policies/policy";

export const WAITING = 0;
export const RUNNING = 1;
export const DONE = 2;

export class Job implements KernelWork {
  /** Version of the job's pending milestone event; bumped on every re-plan so stale events are skipped. */
  version = 0;
  /** Time and version of the milestone event last queued for it. */
  plannedAt = -1;
  plannedVersion = -1;
  state = WAITING;
  sms = 0;
  cap = 0;
  remaining = 1;
  /** Fraction of the work done per ns at the current plan. */
  rate = 0;
  /** Time `remaining` was last brought up to date, ns. */
  last = 0;
  waves = 1;
  inLastWave = false;
  reclaiming = 0;
  /** Version of its pending reclaim event. */
  reclaimVersion = -1;
  /** Start of its current run on the GPU (it restarts after a preemption), ns. */
  startedAt = -1;
  /** Time its current SM-equivalents were taken, ns (for per-tenant SM·time). */
  heldSince = 0;
  /** DRAM traffic it asks for at the current plan, bytes/s, and as a share of the bandwidth its SMs could draw. */
  demand = 0;
  dram = 0;
  /** Physical SMs its blocks sit on now (../sim/co-residency.ts), and its slowdown from other tenants' blocks on them. */
  span = 0;
  contention = 1;
  /** Power activity class: 0 compute, 1 memory, 2 other. */
  activity = 2;
  key = 0;
  profileNs = 0;
  memoryBoundness = 0;
  atom = 0;
  atoms = 1;
  kernelBlocks = 0;

  constructor(
    readonly id: number,
    readonly tenant: number,
    readonly stream: number,
    /** Operation index in the tenant's workload. */
    readonly op: number,
    /** Unit instance (request or iteration number) it belongs to. */
    readonly instance: number,
    public kernel: PreparedKernel,
    public readyAt: number,
  ) {}

  get blocks(): number { return this.kernel.blocks; }
  get resident(): number { return this.kernel.resident; }

  /** Brings `remaining` up to `now` at the current rate. */
  advance(now: number): void {
    if (this.state === RUNNING && now > this.last) {
      this.remaining = Math.max(0, this.remaining - (now - this.last) * this.rate);
    }
    this.last = now;
  }
}

/** Waves of a kernel's blocks over n SMs at `resident` blocks per SM. */
export function wavesOn(blocks: number, resident: number, sms: number): number {
  return Math.max(1, Math.ceil(blocks / (resident * Math.max(1, sms))));
}

/**
 * SM-equivalents a kernel spread over `sms` SMs holds: all of them until its last wave; in its last wave,
 * the SMs its remaining blocks fill at `resident` per SM.
 */
export function capOn(blocks: number, resident: number, sms: number, remaining: number): number {
  if (sms <= 0) return 0;
  const w = wavesOn(blocks, resident, sms);
  if (w > 1 && remaining > 1 / w + 1e-9) return sms;
  const lastBlocks = blocks - (w - 1) * resident * sms;
  return Math.min(sms, Math.ceil(lastBlocks / resident));
}
