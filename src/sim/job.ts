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

/**
 * Jobs are reused: the engine keeps finished ones (with their ids) and `init`s one for each new launch, as a
 * replay launches millions of kernels and a fresh object for each was a good part of its garbage. The field
 * initialisers below only give every job the same shape; `init` sets each field's starting value.
 */
export class Job implements KernelWork {
  tenant = 0;
  /** Its tenant's pool (set by the engine with each launch). */
  pool = 0;
  stream = 0;
  /** Operation index in the tenant's workload. */
  op = 0;
  /** Unit instance (request or iteration number) it belongs to. */
  instance = 0;
  kernel!: PreparedKernel;
  readyAt = 0;
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
  /** Version of its pending reclaim event, and the time it is due, ns. */
  reclaimVersion = -1;
  reclaimAt = -1;
  /** Start of its current run on the GPU (it restarts after a preemption), ns. */
  startedAt = -1;
  /** Time its current SM-equivalents were taken, ns (for per-tenant SM·time). */
  heldSince = 0;
  /** DRAM traffic it asks for at the current plan, bytes/s, and as a share of the bandwidth its SMs could draw. */
  demand = 0;
  dram = 0;
  /** Physical SMs its blocks sit on now (../sim/co-residency.ts), and its slowdown from other tenants' blocks on them. */
  span = 0;
  /** Eligible warps of its resident blocks (PreparedKernel.issueWarps per block), for the issue contention. */
  issue = 0;
  contention = 1;
  /** Fraction of its SMs that hold other tenants' blocks, when a co-residency term is on (else 0). */
  shared = 0;
  /** Its SMs changed since its pool was last settled: re-plan it then (see the engine's settlePool). */
  replan = false;
  /** Power activity class: 0 compute, 1 memory, 2 other. */
  activity = 2;
  key = 0;
  profileNs = 0;
  memoryBoundness = 0;
  atom = 0;
  atoms = 1;
  kernelBlocks = 0;
  /** The timing model's compute part (../gpu/timing.ts `computePart`) at `partSms` SMs and `partClockMHz` (-1: none yet). */
  computeUs = 0;
  partSms = -1;
  partClockMHz = -1;
  /** The next finished job on the engine's stack of them (the engine's, not reset by `init`). */
  nextSpare: Job | null = null;

  /** `id`: its index in the engine's job table, kept for the object's life (ids are reused with it). */
  constructor(readonly id: number) {}

  /** Makes it a new launch, ready at `readyAt`: every field at its starting value. */
  init(tenant: number, stream: number, op: number, instance: number, kernel: PreparedKernel, readyAt: number): this {
    this.tenant = tenant;
    this.stream = stream;
    this.op = op;
    this.instance = instance;
    this.kernel = kernel;
    this.readyAt = readyAt;
    this.version = 0;
    this.plannedAt = -1;
    this.plannedVersion = -1;
    this.state = WAITING;
    this.sms = 0;
    this.cap = 0;
    this.remaining = 1;
    this.rate = 0;
    this.last = 0;
    this.waves = 1;
    this.inLastWave = false;
    this.reclaiming = 0;
    this.reclaimVersion = -1;
    this.reclaimAt = -1;
    this.startedAt = -1;
    this.heldSince = 0;
    this.demand = 0;
    this.dram = 0;
    this.span = 0;
    this.issue = 0;
    this.contention = 1;
    this.shared = 0;
    this.replan = false;
    this.activity = 2;
    this.key = 0;
    this.profileNs = 0;
    this.memoryBoundness = 0;
    this.atom = 0;
    this.atoms = 1;
    this.kernelBlocks = 0;
    this.computeUs = 0;
    this.partSms = -1;
    this.partClockMHz = -1;
    return this;
  }

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

/** Whether a kernel of `waves` waves with `remaining` of its work left is in its last wave. */
export function inLastWaveOf(waves: number, remaining: number): boolean {
  return waves <= 1 || remaining <= 1 / waves + 1e-9;
}

/**
 * SM-equivalents a kernel spread over `sms` SMs holds: all of them until its last wave; in its last wave,
 * the SMs its remaining blocks fill at `resident` per SM.
 */
export function capOn(blocks: number, resident: number, sms: number, remaining: number): number {
  const waves = wavesOn(blocks, resident, sms);
  return capIn(blocks, resident, sms, waves, inLastWaveOf(waves, remaining));
}

/** Blocks in a kernel's last wave when spread over `sms` SMs in `waves` waves at `resident` per SM. */
export function lastWaveBlocks(blocks: number, resident: number, sms: number, waves: number): number {
  return blocks - (waves - 1) * resident * sms;
}

/** `capOn` given the kernel's waves on `sms` SMs and whether it is in its last one (the engine keeps both). */
export function capIn(blocks: number, resident: number, sms: number, waves: number, inLastWave: boolean): number {
  if (sms <= 0) return 0;
  if (!inLastWave) return sms;
  return Math.min(sms, Math.ceil(lastWaveBlocks(blocks, resident, sms, waves) / resident));
}
