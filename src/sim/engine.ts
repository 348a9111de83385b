/**
 * The discrete-event engine: one event queue, one simulated GPU, several tenants each replaying its workload
 * on its own host thread and streams. The engine owns time and progress; a policy (src/policies) decides
 * what runs where through the `SchedulerView` this file implements, and every decision is checked against
 * the device's capacity before it is applied. Deterministic: events at the same time run in the order they
 * were queued, and nothing depends on wall-clock time or unordered iteration.
 */
import { classifyKernel, type KernelClass } from "../gpu/kernel-class";
import type { PowerParams } from "../gpu/power";
import type { GpuSpec } from "../gpu/specs/spec";
import { atomKernel, computePartInto, dramShare, dramShareInto, prepareKernel, preparedUs, preparedUsInto, type PreparedKernel, type TimingCalibration } from "../gpu/timing";
import type { KernelWork, Policy, PoolSpec, SchedulerView, TenantView } from "../policies/policy";
import { OP_KERNEL, OP_MEMOP, recordedKernel, type Workload } from "../workload/workload";
import { removeAt } from "../util/arrays";
import { EventQueue } from "./event-queue";
import { HostThread, type HostPort } from "./host";
import { physicalSpan, sharedFraction } from "./co-residency";
import { loadedLatencySlowdown, type LoadedLatencyCurve } from "./memory-load";
import { capIn, capOn, DONE, inLastWaveOf, Job, lastWaveBlocks, RUNNING, WAITING, wavesOn } from "./job";
import { PowerMeter } from "./power-meter";
import { KernelRecorder } from "./recorder";

/** One tenant of a simulation. */
export interface SimTenant {
  readonly name: string;
  readonly workload: Workload;
  readonly role: "service" | "job";
  /** Request arrival times, ns (services with open-loop arrivals). */
  readonly arrivals?: Float64Array;
  /** Services: closed loop with this many requests outstanding (a new one arrives as one completes), instead of `arrivals`. */
  readonly closedLoop?: number;
  /** Larger is more urgent (used by priority policies). Default 0. */
  readonly priority?: number;
  /** Most SMs its kernels may hold (MPS thread limit), or null. */
  readonly smLimit?: number | null;
  /** SMs guaranteed to it by a quota-based policy (LithOS), or null. */
  readonly quotaSms?: number | null;
  /**
   * SM clock its recorded durations were measured at, MHz (traces do not say). Default: the GPU's maximum;
   * `aloneClockMHz` (./recorded-clock.ts) gives the clock the power limiter settles at for the tenant alone.
   */
  readonly recordedClockMHz?: number;
  /** Jobs: host time between iterations, ns, or null for the gap recorded before each unit. Default 0 (back to back). */
  readonly gapNs?: number | null;
}

export interface SimOptions {
  readonly gpu: GpuSpec;
  readonly timing: TimingCalibration;
  readonly power: PowerParams;
  readonly policy: Policy;
  /**
   * How much slower a kernel's blocks run on SMs that also hold another tenant's blocks (./co-residency.ts), as a
   * fraction of their time alone: 0 (the default) leaves co-resident blocks at full speed.
   */
  readonly coResidentSlowdown?: number;
  /**
   * Extra time a kernel takes to get going when its SMs hold another tenant's blocks, µs per kernel, scaled by the
   * fraction of its SMs shared (./co-residency.ts): the gaps between a service's kernels grow beside another
   * tenant's resident blocks even when those blocks issue nothing (tools/measure/coresidency.py). 0 (the default): none.
   */
  readonly coResidentDelayUs?: number;
  /**
   * Slowdown of a kernel per eligible warp of other tenants per warp scheduler on its SMs, times the fraction of its
   * SMs shared: blocks on one SM share its schedulers' issue slots, and a ready warp waits its turn behind the other
   * tenants' ready warps (tools/measure/coresidency.py's FMA co-runners cost a service far more than its sleeping
   * ones, more with more warps). Eligible warps come from PreparedKernel.issueWarps. 0 (the default): none.
   */
  readonly issueContention?: number;
  /**
   * Measured slowdown of a latency-bound kernel against the DRAM utilisation of other tenants (./memory-load.ts):
   * points of a piecewise-linear curve, utilisation 0 … 1 ascending. Absent: no slowdown below saturation.
   */
  readonly loadedLatency?: LoadedLatencyCurve | null;
  readonly tenants: readonly SimTenant[];
  /** Jobs start no iteration at or after this time; services take arrivals until then. ns. */
  readonly durationNs: number;
  /** Power and utilisation window, ns. Default 10 ms. */
  readonly windowNs?: number;
  /** Windows the power limiter averages over. Default 10 (100 ms; hardware.md §7.5: ~0.1–1 s). */
  readonly limiterWindows?: number;
  /** Keep every kernel execution interval (tenant, op, start, end, SMs; a preempted kernel gives one per run) for timelines. Default false. */
  readonly record?: boolean;
  /** Safety stop: abandon the run after this much simulated time, ns. Default 10 × duration + 10 s. */
  readonly horizonNs?: number;
}

export interface SimTenantResult {
  readonly name: string;
  readonly role: "service" | "job";
  /** Latency per finished request, or duration per finished iteration, ns. */
  readonly latenciesNs: Float64Array;
  /** Completion time of each finished unit, ns. */
  readonly completionsNs: Float64Array;
  /** Units that arrived (services) or started (jobs). */
  readonly started: number;
  /** Kernel executions completed. */
  readonly kernels: number;
  /** SM-equivalent·ns its kernels held. */
  readonly smNs: number;
  /** Mean SM-equivalents its kernels held in each power window (aligned with `SimResult.power.startNs`). */
  readonly smSeries: readonly number[];
  /** SM clock its recorded durations are taken at (power-capped alone), MHz. */
  readonly recordedClockMHz: number;
}

export interface SimResult {
  readonly policy: string;
  readonly gpu: GpuSpec;
  readonly durationNs: number;
  /** Time of the last event, ns. */
  readonly endNs: number;
  readonly tenants: readonly SimTenantResult[];
  readonly pools: readonly PoolSpec[];
  readonly energyJ: number;
  readonly power: PowerMeter["series"];
  readonly kernelsExecuted: number;
  /** Events handled (a diagnostic): a re-planned kernel milestone replaces its queued event, so it counts once. */
  readonly events: number;
  /** True when the run hit its safety horizon before every tenant finished. */
  readonly truncated: boolean;
  readonly timeline: KernelRecorder | null;
  /** The policy's own report (`Policy.report`), or null. */
  readonly policyReport: Record<string, unknown> | null;
}

const EV_HOST = 0, EV_READY = 1, EV_JOB = 2, EV_RECLAIM = 3, EV_TIMER = 4, EV_POWER = 5, EV_MEMOP = 6;

/**
 * A kernel asked during its first wave to give SMs back (`reclaim`) frees them when that wave's blocks end, which for
 * a kernel of two waves is the start of its last wave: the reclaim and the last-wave milestone fall due at the same
 * time, computed two ways ((1/w − done)/rate and (remaining − 1/w)/rate), equal or a rounding apart. The reclaim goes
 * first, as on the hardware: the urgent kernel's pending blocks take the SMs the first wave leaves, so the last wave
 * runs on the SMs left. Without a rule, whichever event the queue held first won, and that depended on whether a
 * re-plan had queued the milestone again after the reclaim: results then hung on how often the engine re-plans.
 * Within this many ns of each other the two are one time (a rounding of times up to ~1e11 ns is ~1e-5 ns).
 */
const RECLAIM_TIE_NS = 1e-3;

/** Power activity of a kernel class: tensor-core GEMMs draw the SM power of "compute", streaming kernels "memory". */
const ACTIVITY: Readonly<Record<KernelClass, number>> = { compute: 0, skinny: 0, memory: 1, norm: 1, reduce: 1, other: 2 };

/**
 * `span`: physical SMs its running kernels' blocks sit on; `tenantSpan`: the same per tenant (./co-residency.ts).
 * `issue`, `tenantIssue`: eligible warps of their running kernels' resident blocks (Job.issue), in all and per tenant.
 * `tenantDemand`: each tenant's share of `demand`; `memop`, `tenantMemop`: DRAM traffic of copies, bytes/s.
 */
interface Pool {
  spec: PoolSpec; free: number; demand: number; stretch: number;
  span: number; tenantSpan: Float64Array; tenantDemand: Float64Array; memop: number; tenantMemop: Float64Array;
  issue: number; tenantIssue: Float64Array;
  /** Changed since it was last settled (see Engine.settlePool). */
  unsettled: boolean;
}

/**
 * A stream: its queue of enqueued operations (operation, unit instance, enqueue time), first in first out, in typed
 * arrays from `head` (the operation it is on) to `tail`; the space before `head` is reused when the arrays fill.
 */
class StreamState {
  ops = new Int32Array(64);
  instances = new Int32Array(64);
  enqueuedAt = new Float64Array(64);
  head = 0;
  tail = 0;
  /** Its head is ready, waiting, running, or has a READY event pending. */
  active = false;
  lastEnd = 0;
  readyVersion = 0;
  /** Operations enqueued and not finished. */
  outstanding = 0;
  /** DRAM traffic of the memory operation it is running, bytes/s (0 if none). */
  memopBandwidth = 0;
  constructor(readonly tenant: number, readonly local: number) {}

  push(op: number, instance: number, t: number): void {
    if (this.tail === this.ops.length) this.makeRoom();
    const i = this.tail++;
    this.ops[i] = op;
    this.instances[i] = instance;
    this.enqueuedAt[i] = t;
  }

  /** Moves the queued operations to the front, into arrays twice as long if they fill more than half. */
  private makeRoom(): void {
    const n = this.tail - this.head;
    if (n * 2 > this.ops.length) {
      const cap = this.ops.length * 2;
      const ops = new Int32Array(cap), instances = new Int32Array(cap), enqueuedAt = new Float64Array(cap);
      ops.set(this.ops.subarray(this.head, this.tail));
      instances.set(this.instances.subarray(this.head, this.tail));
      enqueuedAt.set(this.enqueuedAt.subarray(this.head, this.tail));
      this.ops = ops; this.instances = instances; this.enqueuedAt = enqueuedAt;
    } else {
      this.ops.copyWithin(0, this.head, this.tail);
      this.instances.copyWithin(0, this.head, this.tail);
      this.enqueuedAt.copyWithin(0, this.head, this.tail);
    }
    this.head = 0;
    this.tail = n;
  }
}

/**
 * A workload's kernels prepared for the timing model (`prepareKernel`) for one calibration, recording clock and target
 * GPU: per kernel row, with its power activity class (ACTIVITY; -1 until prepared), and by launch (see Engine.prepared).
 */
class PreparedKernels {
  readonly byItem: (PreparedKernel | undefined)[];
  readonly activity: Int8Array;
  readonly byLaunch = new Map<string, { readonly kernel: PreparedKernel; readonly activity: number }>();
  constructor(readonly timing: TimingCalibration, readonly clockMHz: number, readonly gpu: GpuSpec, count: number) {
    this.byItem = new Array(count);
    this.activity = new Int8Array(count).fill(-1);
  }
}

/**
 * Prepared kernels kept from run to run, per workload: a sweep, a benchmark or a recorded-clock probe replays the same
 * workloads again, and preparing them took ~40 ms per run for two ResNet-50 traces (classifying ~10 k kernel rows,
 * ~3.6 k measured-curve lookups). Preparing is pure, so a run with the same calibration, recording clock and target
 * GPU takes what an earlier one prepared; calibrations and GPU specs are matched by identity (neither is changed once
 * given to `simulate`). The last `KEPT_SETTINGS` settings per workload: a recorded-clock probe's and its run's.
 */
const PREPARED = new WeakMap<Workload, PreparedKernels[]>();
const KEPT_SETTINGS = 2;

function preparedKernels(w: Workload, timing: TimingCalibration, clockMHz: number, gpu: GpuSpec): PreparedKernels {
  let kept = PREPARED.get(w);
  if (kept === undefined) PREPARED.set(w, (kept = []));
  for (const p of kept) if (p.timing === timing && p.clockMHz === clockMHz && p.gpu === gpu) return p;
  const p = new PreparedKernels(timing, clockMHz, gpu, w.kernels.count);
  kept.push(p);
  if (kept.length > KEPT_SETTINGS) kept.shift();
  return p;
}

class TenantState {
  /** Its workload's prepared kernels (shared with other runs: see PREPARED). */
  readonly prepared: PreparedKernels;
  /** Per kernel row: offline profile at the whole pool (ns) and its memory-bound share; NaN until needed. */
  readonly profileNs: Float64Array;
  readonly memoryBoundness: Float64Array;
  /** Per operation: its kernel key (see KernelWork.key), -1 until needed; and its ordinal since the last sync. */
  readonly keyOf: Int32Array;
  readonly ordinal: Int32Array;
  host!: HostThread;
  held = 0;
  /** ∫ held dt since the current power window began, and when `held` last changed (for the per-window SM series). */
  heldArea = 0;
  heldAt = 0;
  /** Mean SM-equivalents held in each power window. */
  readonly smSeries: number[] = [];
  kernels = 0;
  smNs = 0;
  hostWake = Infinity;
  constructor(readonly view: TenantView, readonly w: Workload, readonly streamBase: number, readonly clockMHz: number, timing: TimingCalibration, gpu: GpuSpec) {
    this.prepared = preparedKernels(w, timing, clockMHz, gpu);
    this.profileNs = new Float64Array(w.kernels.count).fill(NaN);
    this.memoryBoundness = new Float64Array(w.kernels.count).fill(NaN);
    this.keyOf = new Int32Array(w.ops.count).fill(-1);
    this.ordinal = kernelOrdinals(w);
  }
}

/**
 * Each kernel's ordinal among the kernels launched since its unit began or its host last synchronised:
 * with the launch shape, it identifies "the same kernel" in every repetition of a unit (LithOS keys its
 * latency models this way; lithos.md §2.4).
 */
function kernelOrdinals(w: Workload): Int32Array {
  const out = new Int32Array(w.ops.count);
  for (let u = 0; u < w.units.count; u++) {
    let n = 0;
    for (let i = w.units.start[u]!; i < w.units.start[u + 1]!; i++) {
      const kind = w.ops.kind[i]!;
      if (kind === OP_KERNEL) out[i] = n++;
      else if (kind !== OP_MEMOP) n = 0;
    }
  }
  return out;
}

export function simulate(options: SimOptions): SimResult {
  return new Engine(options).run();
}

class Engine implements SchedulerView {
  now = 0;
  /** Start of the current power window, ns. */
  private windowStartNs = 0;
  readonly gpu: GpuSpec;
  readonly tenants: TenantView[];
  readonly pools: PoolSpec[];
  readonly waiting: Job[] = objectArray();
  readonly running: Job[] = objectArray();
  private readonly poolState: Pool[];
  private readonly state: TenantState[];
  private readonly streams: StreamState[] = [];
  private readonly queue = new EventQueue();
  /** Every job by id, and those finished, free to carry a new launch (see Job). */
  private readonly jobs: Job[] = [];
  /** The finished jobs, a stack linked through `Job.nextSpare` (the last finished on top). */
  private spare: Job | null = null;
  private readonly meter: PowerMeter;
  private readonly recorder: KernelRecorder | null;
  private readonly perSmBandwidth: number;
  private readonly keys = new Map<string, number>();
  /**
   * Milestone versions are unique across jobs, not per job: job ids are reused, and a stale event of a
   * finished job must never match the plan of the job that took its id.
   */
  private versionSeq = 0;
  private dirty = false;
  /** Some pool has changed since it was last settled (see `settlePool`). */
  private unsettled = false;
  /** The DRAM traffic the power meter sees is out of date (see `updateTraffic`). */
  private trafficStale = false;
  /** Slowdown of blocks on SMs shared with another tenant (0: none), when the policy lets tenants share SMs. */
  private readonly coResident: number;
  /** Extra ns per kernel whose SMs all hold another tenant's blocks (0: none), when the policy lets tenants share SMs. */
  private readonly coResidentDelayNs: number;
  /** Issue contention per eligible warp of other tenants per SM (0: none): SimOptions.issueContention over the SM's schedulers. */
  private readonly issuePerWarp: number;
  private readonly loadedLatency: LoadedLatencyCurve | null;
  /** Whether any interference term is on: every allocation change then re-plans the pool's running jobs. */
  private readonly interferes: boolean;
  /**
   * Latest time of a milestone dropped from the queue (replaced by a re-plan, or cancelled by a preemption) at or
   * before the horizon, and whether one lay past it. Before milestones were keyed each stayed queued, to be popped
   * and skipped, and popping it still moved the clock: a run ended at the latest of them, and one past the horizon
   * marked it truncated. `run` applies both at the end, so the run's end, its last power window and `truncated`
   * stay as they were.
   */
  private droppedLatest = 0;
  private droppedPastHorizon = false;
  private readonly horizon: number;
  private kernelsExecuted = 0;
  /** Memory operations running on the copy engines (streams with a `memopBandwidth` set). */
  private memopsInFlight = 0;
  private events = 0;
  /** The policy, and whether it splits kernels into atoms (read on every launch). */
  private readonly policy: Policy;
  private readonly atomizes: boolean;
  /**
   * Where the timing model leaves a kernel's duration for `retime` and its DRAM share for `allocate` (see
   * preparedUsInto), and `interferenceOf` its interference terms.
   */
  private readonly timed = { us: 0, dramShare: 0, shared: 0, contention: 1 };

  constructor(private readonly o: SimOptions) {
    this.gpu = o.gpu;
    this.policy = o.policy;
    this.atomizes = o.policy.atomize !== undefined;
    if (o.tenants.length === 0) throw new Error("a simulation needs at least one tenant");
    const views: TenantView[] = o.tenants.map((t, i) => ({
      index: i, name: t.name, role: t.role, priority: t.priority ?? 0, smLimit: t.smLimit ?? null, pool: 0, quota: t.quotaSms ?? null,
    }));
    const layout = o.policy.pools?.(o.gpu, views) ?? {
      pools: [{ name: "gpu", smCount: o.gpu.smCount, memBandwidthBytesPerS: o.gpu.memBandwidthBytesPerS }],
      tenantPool: views.map(() => 0),
    };
    this.pools = layout.pools;
    this.tenants = views.map((v, i) => ({ ...v, pool: layout.tenantPool[i]! }));
    this.poolState = this.pools.map((spec) => ({
      spec, free: spec.smCount, demand: 0, stretch: 1,
      span: 0, tenantSpan: new Float64Array(views.length), issue: 0, tenantIssue: new Float64Array(views.length), tenantDemand: new Float64Array(views.length), memop: 0, tenantMemop: new Float64Array(views.length), unsettled: false,
    }));
    this.coResident = o.policy.sharesSms === false ? 0 : Math.max(0, o.coResidentSlowdown ?? 0);
    this.coResidentDelayNs = o.policy.sharesSms === false ? 0 : Math.max(0, o.coResidentDelayUs ?? 0) * 1e3;
    // An SM's warps are split over its sub-partitions, one scheduler each (4 on Volta…Hopper: the specs' warpAllocGranularity).
    this.issuePerWarp = o.policy.sharesSms === false ? 0 : Math.max(0, o.issueContention ?? 0) / o.gpu.warpAllocGranularity;
    this.loadedLatency = o.loadedLatency ?? null;
    this.interferes = this.coResident > 0 || this.coResidentDelayNs > 0 || this.issuePerWarp > 0 || this.loadedLatency !== null;
    // Per-SM DRAM bandwidth: measured on the H200 (~119 GB/s per SM, saturating at ~37 SMs; hardware.md §1);
    // elsewhere assumed to saturate at the same 28% of the SMs.
    this.perSmBandwidth = o.gpu.memBandwidthPerSmBytesPerS ?? o.gpu.memBandwidthBytesPerS / (0.28 * o.gpu.smCount);
    this.meter = new PowerMeter(o.gpu, o.power, o.windowNs ?? 10e6, o.limiterWindows ?? 10);
    this.recorder = o.record ? new KernelRecorder() : null;
    this.horizon = o.horizonNs ?? 10 * o.durationNs + 10e9;
    this.state = o.tenants.map((t, i) => {
      const st = new TenantState(this.tenants[i]!, t.workload, this.streams.length, t.recordedClockMHz ?? t.workload.recordedOn.maxClockMHz, o.timing, o.gpu);
      t.workload.streams.forEach((_, local) => this.streams.push(new StreamState(i, local)));
      const arrivals = t.role !== "service" ? null
        : t.closedLoop !== undefined ? { closedLoop: t.closedLoop } : (t.arrivals ?? new Float64Array(0));
      st.host = new HostThread(t.workload, arrivals, o.durationNs, this.portFor(i), t.gapNs === undefined ? 0 : t.gapNs);
      return st;
    });
  }

  run(): SimResult {
    const horizon = this.horizon;
    for (let i = 0; i < this.state.length; i++) this.state[i]!.host.run(0);
    this.queue.push(this.meter.windowNs, EV_POWER, 0, 0);
    this.schedule();
    if (this.unsettled) this.settlePending();
    if (this.trafficStale) this.updateTraffic();
    let truncated = false;
    const q = this.queue;
    while (q.pop()) {
      const t = q.topTime;
      if (t > horizon) { truncated = true; break; }
      this.now = t;
      this.events++;
      this.handle(q.topKind, q.topA, q.topB);
      // Once every event at this time is handled: the policy's decisions, then one settle of what all of them changed.
      if (q.allAfter(t)) {
        if (this.dirty) this.schedule();
        if (this.unsettled) this.settlePending();
      }
      if (this.trafficStale) this.updateTraffic();
    }
    // The dropped milestones' share in ending the run (see droppedLatest).
    if (this.droppedLatest > this.now) this.now = this.droppedLatest;
    truncated ||= this.droppedPastHorizon;
    this.closeWindow();
    return this.result(truncated);
  }

  // ---- SchedulerView ----
  free(pool: number): number { return this.poolState[pool]!.free; }
  held(tenant: number): number { return this.state[tenant]!.held; }
  busy(tenant: number): boolean {
    // Work submitted to any of its streams counts, even between two kernels (the hardware sees its queue); work the
    // host stamped ahead of now (HostPort.enqueue) does not yet. A stream's operations are stamped in order, so
    // its head's stamp is the earliest.
    const st = this.state[tenant]!;
    for (let i = 0; i < st.w.streams.length; i++) {
      const s = this.streams[st.streamBase + i]!;
      if (s.outstanding > 0 && s.enqueuedAt[s.head]! <= this.now) return true;
    }
    return false;
  }
  capFor(k: KernelWork, sms: number): number {
    const j = k as Job;
    j.advance(this.now);
    return capOn(j.blocks, j.resident, sms, j.remaining);
  }
  start(k: KernelWork, sms: number): void {
    const j = k as Job;
    if (j.state !== WAITING) throw new Error(`policy started a kernel that is not waiting (tenant ${j.tenant})`);
    removeItem(this.waiting, j);
    j.state = RUNNING;
    j.last = this.now;
    j.startedAt = this.now;
    this.running.push(j);
    this.allocate(j, sms);
  }
  grow(k: KernelWork, sms: number): void {
    const j = k as Job;
    if (j.state !== RUNNING || sms <= j.sms) throw new Error(`policy grew a kernel that is not running, or shrank it (tenant ${j.tenant})`);
    j.advance(this.now);
    this.allocate(j, sms);
  }
  preempt(k: KernelWork): void {
    const j = k as Job;
    if (j.state !== RUNNING) throw new Error(`policy preempted a kernel that is not running (tenant ${j.tenant})`);
    j.advance(this.now);
    this.release(j);
    this.queue.cancel(j.id); // its milestone: it has none until it runs again
    this.noteDropped();
    this.recorder?.add(j.tenant, j.op, j.startedAt, this.now, j.sms);
    j.state = WAITING;
    j.sms = 0;
    j.reclaiming = 0;
    removeItem(this.running, j);
    // Back in readiness order, so first come first served still holds when its context runs again.
    let i = this.waiting.length;
    while (i > 0 && this.waiting[i - 1]!.readyAt > j.readyAt) i--;
    this.waiting.splice(i, 0, j);
    this.settlePool(j.pool, null);
  }
  reclaim(k: KernelWork, sms: number): void {
    const j = k as Job;
    if (j.state !== RUNNING || j.inLastWave || sms <= 0 || sms >= j.sms) return;
    if (this.unsettled) this.settlePending(); // its rate, below
    j.advance(this.now);
    // Blocks of a kernel that has run a full wave finish staggered: k of its n SMs free up in k/n of a wave.
    // Before that, its first wave's blocks end together at the wave boundary.
    const wave = 1 / j.rate / j.waves;
    const done = 1 - j.remaining;
    const delay = done >= 1 / j.waves ? (wave * sms) / j.sms : (1 / j.waves - done) / j.rate;
    j.reclaiming = sms;
    j.reclaimVersion = ++this.versionSeq;
    j.reclaimAt = this.now + delay;
    this.queue.push(j.reclaimAt, EV_RECLAIM, j.id, j.reclaimVersion);
  }
  setTimer(at: number, tag: number): void {
    this.queue.push(Math.max(at, this.now), EV_TIMER, tag, 0);
  }
  get clockMHz(): number { return this.meter.clockMHz; }
  setClockCap(mhz: number | null): void {
    this.meter.clockCapMHz = mhz;
  }

  // ---- events ----
  private handle(kind: number, a: number, b: number): void {
    switch (kind) {
      case EV_HOST: {
        const st = this.state[a]!;
        if (st.hostWake <= this.now) st.hostWake = Infinity;
        st.host.run(this.now);
        break;
      }
      case EV_READY: {
        const s = this.streams[a]!;
        if (s.readyVersion === b) this.materialize(a);
        break;
      }
      case EV_JOB: {
        const j = this.jobs[a]!;
        if (j.state !== RUNNING || j.version !== b) break;
        j.advance(this.now);
        // The plan that queued this event was either to the end or to the start of the last wave.
        if (j.inLastWave) this.finish(j);
        else {
          j.remaining = Math.min(j.remaining, 1 / j.waves);
          // A reclaim due now goes first: see RECLAIM_TIE_NS.
          let sms = j.sms;
          if (j.reclaiming > 0 && j.reclaimAt <= this.now + RECLAIM_TIE_NS) {
            sms = Math.max(1, j.sms - j.reclaiming);
            j.reclaiming = 0;
          }
          this.allocate(j, sms);
          this.dirty = true;
        }
        break;
      }
      case EV_RECLAIM: {
        const j = this.jobs[a]!;
        if (j.state !== RUNNING || j.reclaiming === 0 || j.reclaimVersion !== b) break;
        // In its last wave by now: its SMs are freeing as its last blocks end; nothing to take.
        if (j.inLastWave) { j.reclaiming = 0; this.dirty = true; break; }
        j.advance(this.now);
        const sms = Math.max(1, j.sms - j.reclaiming);
        j.reclaiming = 0;
        this.allocate(j, sms);
        this.dirty = true;
        break;
      }
      case EV_TIMER:
        this.o.policy.onTimer?.(this, a);
        this.dirty = true;
        break;
      case EV_POWER: {
        const before = this.meter.clockMHz;
        const clock = this.closeWindow();
        if (clock !== before) for (const j of this.running) { j.advance(this.now); this.retime(j); }
        if (!this.allFinished()) this.queue.push(this.now + this.meter.windowNs, EV_POWER, 0, 0);
        break;
      }
      case EV_MEMOP: {
        const s = this.streams[a]!;
        const bw = s.memopBandwidth;
        s.memopBandwidth = 0;
        this.memopsInFlight--;
        this.copyTraffic(s.tenant, -bw);
        this.opDone(a);
        break;
      }
    }
  }

  private schedule(): void {
    this.dirty = false;
    this.policy.schedule(this);
  }

  private allFinished(): boolean {
    if (this.running.length > 0 || this.waiting.length > 0) return false;
    for (const st of this.state) if (!st.host.finished) return false;
    return true;
  }

  // ---- streams and host ----
  private portFor(tenant: number): HostPort {
    return {
      enqueue: (local, op, instance, t) => {
        const si = this.state[tenant]!.streamBase + local;
        const s = this.streams[si]!;
        s.push(op, instance, t);
        s.outstanding++;
        if (!s.active) this.makeReady(si);
      },
      drained: (local) => {
        const st = this.state[tenant]!;
        if (local >= 0) return this.streams[st.streamBase + local]!.outstanding === 0;
        for (let i = 0; i < st.w.streams.length; i++) if (this.streams[st.streamBase + i]!.outstanding > 0) return false;
        return true;
      },
      wakeAt: (t) => {
        const st = this.state[tenant]!;
        if (t < st.hostWake) { st.hostWake = t; this.queue.push(t, EV_HOST, tenant, 0); }
      },
    };
  }

  /** The stream's head operation becomes ready after its predecessor and its own launch latency. */
  private makeReady(si: number): void {
    const s = this.streams[si]!;
    if (s.head >= s.tail) return;
    const st = this.state[s.tenant]!;
    const op = s.ops[s.head]!;
    const readyAt = Math.max(s.enqueuedAt[s.head]!, s.lastEnd) + st.w.ops.latencyNs[op]!;
    s.active = true;
    if (readyAt > this.now) {
      const q = this.queue;
      q.pushTime = readyAt; // see EventQueue.pushAt
      q.pushAt(EV_READY, si, ++s.readyVersion);
    }
    else this.materialize(si);
  }

  private materialize(si: number): void {
    const s = this.streams[si]!;
    const st = this.state[s.tenant]!;
    const op = s.ops[s.head]!;
    const item = st.w.ops.item[op]!;
    if (st.w.ops.kind[op] === OP_KERNEL) {
      const kernel = this.prepared(st, item);
      const j = this.newJob(st, si, op, s.instances[s.head]!, kernel);
      const atoms = this.atomizes ? Math.max(1, Math.min(kernel.blocks, Math.floor(this.policy.atomize?.(this, j) ?? 1))) : 1;
      if (atoms > 1) {
        // Atoms are contiguous ranges of the flattened block index, as even as the block count allows.
        j.atoms = atoms;
        j.kernel = atomKernel(kernel, atomBlocks(kernel.blocks, atoms, 0));
      }
      this.waiting.push(j);
      this.dirty = true;
    } else {
      // Memory operations run on the copy engines for their recorded time, using no SMs.
      const dur = st.w.memops.durationNs[item]!;
      const bw = dur > 0 ? (st.w.memops.bytes[item]! / dur) * 1e9 : 0;
      s.memopBandwidth = bw;
      this.memopsInFlight++;
      this.copyTraffic(s.tenant, bw);
      this.queue.push(this.now + dur, EV_MEMOP, si, 0);
    }
  }

  private newJob(st: TenantState, si: number, op: number, instance: number, kernel: PreparedKernel): Job {
    let j = this.spare;
    if (j !== null) {
      this.spare = j.nextSpare;
      j.nextSpare = null;
    } else {
      j = new Job(this.jobs.length);
      this.jobs.push(j);
    }
    j.init(st.view.index, si, op, instance, kernel, this.now);
    j.pool = st.view.pool;
    const item = st.w.ops.item[op]!;
    j.activity = st.prepared.activity[item]!;
    j.key = this.keyOf(st, op);
    j.kernelBlocks = kernel.blocks;
    if (Number.isNaN(st.profileNs[item]!)) {
      const full = this.pools[st.view.pool]!.smCount;
      st.profileNs[item] = preparedUs(kernel, full, this.gpu.maxClockMHz, 1) * 1e3;
      st.memoryBoundness[item] = dramShare(kernel, full, this.gpu.maxClockMHz);
    }
    j.profileNs = st.profileNs[item]!;
    j.memoryBoundness = st.memoryBoundness[item]!;
    return j;
  }

  private keyOf(st: TenantState, op: number): number {
    let key = st.keyOf[op]!;
    if (key < 0) {
      const k = st.w.kernels;
      const item = st.w.ops.item[op]!;
      const text = `${st.view.index}|${st.ordinal[op]}|${k.nameId[item]}|${k.gridBlocks[item]}|${k.threadsPerBlock[item]}`;
      key = this.keys.get(text) ?? this.keys.size;
      this.keys.set(text, key);
      st.keyOf[op] = key;
    }
    return key;
  }

  private prepared(st: TenantState, item: number): PreparedKernel {
    const kept = st.prepared;
    let p = kept.byItem[item];
    if (p === undefined) {
      const k = st.w.kernels;
      // A trace records the same launch many times (every iteration, every layer of a kind): launches alike in
      // everything the timing model reads share one prepared kernel. Preparing is costly (measured curves), and
      // fewer distinct kernels keep the per-SM-count tables the engine reads on every re-plan in the CPU's caches.
      // The name and recorded duration are part of the launch, so is its class: only a new launch is classified.
      const launch = `${k.nameId[item]}|${k.gridBlocks[item]}|${k.recordedNs[item]}|${k.threadsPerBlock[item]}|${k.regsPerThread[item]}|${k.smemPerBlockBytes[item]}`;
      let prepared = kept.byLaunch.get(launch);
      if (prepared === undefined) {
        const recorded = recordedKernel(k, item);
        const cls = classifyKernel(recorded.name, recorded.us);
        const kernel = prepareKernel(this.o.timing, recorded, { gpu: st.w.recordedOn, clockMHz: st.clockMHz }, this.gpu, cls);
        prepared = { kernel, activity: ACTIVITY[cls] };
        kept.byLaunch.set(launch, prepared);
      }
      p = prepared.kernel;
      kept.byItem[item] = p;
      kept.activity[item] = prepared.activity;
    }
    return p;
  }

  /** A stream's head operation finished at `now`. */
  private opDone(si: number): void {
    const s = this.streams[si]!;
    const st = this.state[s.tenant]!;
    const instance = s.instances[s.head]!;
    s.head++;
    s.active = false;
    s.lastEnd = this.now;
    s.outstanding--;
    st.host.gpuDone(instance, this.now);
    if (!s.active) this.makeReady(si);
    this.dirty = true;
  }

  // ---- device ----
  /** Spreads a running job over `sms` SMs at its current progress and re-plans it. */
  private allocate(j: Job, sms: number): void {
    const pool = this.poolState[j.pool]!;
    // capOn, with the waves it finds kept for the job.
    const blocks = j.kernel.blocks, resident = j.kernel.resident;
    const waves = wavesOn(blocks, resident, sms);
    const inLastWave = inLastWaveOf(waves, j.remaining);
    const cap = capIn(blocks, resident, sms, waves, inLastWave);
    if (sms < 1 || cap - j.cap > pool.free + 1e-9) {
      const t = this.tenants[j.tenant]!;
      throw new Error(`policy ${this.o.policy.name} gave tenant ${t.name} ${sms} SMs (${cap} SM-equivalents) with ${pool.free} free in pool ${pool.spec.name}`);
    }
    const st = this.state[j.tenant]!;
    const smLimit = st.view.smLimit;
    if (smLimit !== null && st.held + cap - j.cap > smLimit + 1e-9) {
      const t = this.tenants[j.tenant]!;
      throw new Error(`policy ${this.o.policy.name} gave tenant ${t.name} more than its limit of ${t.smLimit} SMs`);
    }
    this.release(j);
    j.sms = sms;
    j.waves = waves;
    j.inLastWave = inLastWave;
    j.cap = cap;
    j.span = physicalSpan(blocks, resident, sms, waves, inLastWave);
    pool.span += j.span;
    pool.tenantSpan[j.tenant]! += j.span;
    // Its resident blocks' eligible warps: all its SMs' worth until its last wave, then the blocks left.
    j.issue = (inLastWave ? lastWaveBlocks(blocks, resident, sms, waves) : Math.min(blocks, resident * sms)) * j.kernel.issueWarps;
    pool.issue += j.issue;
    pool.tenantIssue[j.tenant]! += j.issue;
    const bw = Math.min(pool.spec.memBandwidthBytesPerS, sms * this.perSmBandwidth);
    this.computeOf(j);
    const timed = this.timed;
    dramShareInto(timed, j.kernel, sms, this.meter.clockMHz, j.computeUs);
    // DRAM traffic: the memory-bound share of the SMs' bandwidth, of which only the DRAM-bound part reaches DRAM
    // (PreparedKernel.dramFraction). Drawing the whole share put a ResNet-50 training step at 106 GB on the H200,
    // where Nsight Compute counts ~25 GB with cold caches (calibrations/power-h200).
    j.demand = timed.dramShare * j.kernel.dramFraction * bw;
    this.meter.accumulate(this.now);
    j.dram = j.demand / bw;
    pool.free -= cap;
    pool.demand += j.demand;
    pool.tenantDemand[j.tenant]! += j.demand;
    this.noteHeld(st);
    st.held += cap;
    this.meter.sms[j.activity]! += cap;
    j.heldSince = this.now;
    this.settlePool(j.pool, j);
  }

  /** Integrates a tenant's held SMs up to now (before `held` changes). */
  private noteHeld(st: TenantState): void {
    st.heldArea += st.held * (this.now - st.heldAt);
    st.heldAt = this.now;
  }

  /** Ends a power window: the meter's point, and each tenant's mean SMs held over the same window. */
  private closeWindow(): number {
    const span = this.now - this.windowStartNs;
    // The meter keeps no point for an empty window (a run that ends on a window's edge): neither do we.
    if (span <= 0) return this.meter.closeWindow(this.now);
    for (const st of this.state) {
      this.noteHeld(st);
      st.smSeries.push(st.heldArea / span);
      st.heldArea = 0;
    }
    this.windowStartNs = this.now;
    return this.meter.closeWindow(this.now);
  }

  /** Takes a job's SMs and bandwidth demand back (before re-allocating, preempting or finishing it). */
  private release(j: Job): void {
    if (j.cap === 0 && j.demand === 0) return;
    const pool = this.poolState[j.pool]!;
    this.meter.accumulate(this.now);
    pool.span -= j.span;
    pool.tenantSpan[j.tenant]! -= j.span;
    j.span = 0;
    pool.issue -= j.issue;
    pool.tenantIssue[j.tenant]! -= j.issue;
    j.issue = 0;
    const st = this.state[j.tenant]!;
    st.smNs += j.cap * (this.now - j.heldSince);
    pool.free += j.cap;
    pool.demand = Math.max(0, pool.demand - j.demand);
    pool.tenantDemand[j.tenant] = Math.max(0, pool.tenantDemand[j.tenant]! - j.demand);
    this.noteHeld(st);
    st.held -= j.cap;
    this.meter.sms[j.activity]! -= j.cap;
    j.cap = 0;
    j.demand = 0;
    j.version = ++this.versionSeq;
  }

  /**
   * Notes an allocation change in a pool (`touched`: the job whose SMs changed, or null), to be settled once every
   * event at this time and the `schedule` call after them are done (`settlePending`, from `run`). The events at one
   * time often change a pool several times (a kernel ends, the next one of its CUDA graph starts at once, moving the
   * bandwidth stretch away and back); re-planning the pool after each change cost ~2.3 re-plans per kernel, and the
   * plans in between never held over any time. No time passes before the settle, so no job's progress depends on
   * when it happens. Anything that reads a job's rate before then settles first (`reclaim`).
   */
  private settlePool(poolIndex: number, touched: Job | null): void {
    this.poolState[poolIndex]!.unsettled = true;
    if (touched !== null) touched.replan = true;
    this.unsettled = true;
  }

  /** Settles every pool changed since the last settle (see settlePool). */
  private settlePending(): void {
    this.unsettled = false;
    for (let i = 0; i < this.poolState.length; i++) {
      if (this.poolState[i]!.unsettled) this.settle(i);
    }
  }

  /**
   * Re-plans a pool: every running job of it if its bandwidth stretch moved since it was last settled (their memory
   * parts change), else the jobs whose SMs changed and any job whose share of SMs with other tenants moved.
   */
  private settle(poolIndex: number): void {
    const pool = this.poolState[poolIndex]!;
    pool.unsettled = false;
    const stretch = Math.max(1, pool.demand / pool.spec.memBandwidthBytesPerS);
    const all = Math.abs(stretch - pool.stretch) > 1e-9;
    if (all) pool.stretch = stretch;
    const running = this.running;
    for (let i = 0; i < running.length; i++) {
      const r = running[i]!;
      if (r.pool !== poolIndex) continue;
      const touched = r.replan;
      r.replan = false;
      if (this.interferes) {
        const timed = this.timed;
        this.interferenceOf(r, pool);
        const shared = timed.shared, contention = timed.contention;
        if (!all && !touched && Math.abs(contention - r.contention) <= 1e-9 && Math.abs(shared - r.shared) <= 1e-9) continue;
        r.contention = contention;
        r.shared = shared;
      } else if (!all && !touched) continue; // No interference terms: every job stays at contention 1, shared 0.
      r.advance(this.now);
      this.retime(r);
    }
    this.trafficStale = true;
  }

  /**
   * A running job's fraction of SMs shared with other tenants (`timed.shared`; 0 unless a co-residency term is on)
   * and its slowdown from other tenants (`timed.contention`; 1: none): their blocks on its SMs (a proportional
   * slowdown, and their eligible warps competing for its SMs' issue slots), and their DRAM traffic, which lengthens
   * the memory latency of its latency-bound part (the part not bound by DRAM bandwidth, which the bandwidth stretch
   * covers). Left in fields, not returned or passed: see preparedUsInto.
   */
  private interferenceOf(j: Job, pool: Pool): void {
    const shared = this.coResident > 0 || this.coResidentDelayNs > 0 || this.issuePerWarp > 0 ? this.sharedOf(j, pool) : 0;
    let f = 1;
    if (this.coResident > 0) f *= 1 + this.coResident * shared;
    // A kernel that issues nothing (a sleeper) waits the same time whoever else issues.
    if (this.issuePerWarp > 0 && shared > 0 && j.kernel.issueWarps > 0) {
      // Other tenants' eligible warps per SM where their blocks sit, taken as the same on the SMs it shares with them.
      const others = (pool.issue - pool.tenantIssue[j.tenant]!) / (pool.span - pool.tenantSpan[j.tenant]!);
      f *= 1 + this.issuePerWarp * shared * Math.min(this.gpu.maxWarpsPerSm, Math.max(0, others));
    }
    if (this.loadedLatency !== null) {
      const others = ((pool.demand - pool.tenantDemand[j.tenant]!) / pool.stretch + pool.memop - pool.tenantMemop[j.tenant]!) / pool.spec.memBandwidthBytesPerS;
      f *= 1 + (loadedLatencySlowdown(this.loadedLatency, others) - 1) * (1 - Math.min(1, j.dram));
    }
    this.timed.shared = shared;
    this.timed.contention = f;
  }

  /** Fraction of a running job's SMs that hold other tenants' blocks (./co-residency.ts). */
  private sharedOf(j: Job, pool: Pool): number {
    return j.span > 0 ? sharedFraction(j.span, pool.span - pool.tenantSpan[j.tenant]!, pool.spec.smCount) : 0;
  }

  /** A tenant's copy started (`bw` > 0) or ended (`bw` < 0): its DRAM traffic, and the interference it causes. */
  private copyTraffic(tenant: number, bw: number): void {
    const poolIndex = this.tenants[tenant]!.pool;
    const pool = this.poolState[poolIndex]!;
    pool.memop = Math.max(0, pool.memop + bw);
    pool.tenantMemop[tenant] = Math.max(0, pool.tenantMemop[tenant]! + bw);
    if (this.loadedLatency !== null) this.settlePool(poolIndex, null);
    else this.trafficStale = true;
  }

  /**
   * DRAM traffic for the power model: each pool's demand as its stretch lets it through, plus copies. Updated once
   * after each event (and the schedule call after it), not after every change: the meter integrates the traffic only
   * over time that passes, so the values it held between changes at one time never count.
   */
  private updateTraffic(): void {
    this.trafficStale = false;
    let bw = 0;
    for (const p of this.poolState) bw += p.demand / p.stretch;
    // With no copy in flight every stream's term is 0 (and adding 0 changes no sum that max(0, ·) below keeps).
    if (this.memopsInFlight > 0) for (const s of this.streams) bw += s.memopBandwidth;
    this.meter.accumulate(this.now);
    // Sums of float increments and decrements can end a hair below zero.
    this.meter.bandwidth = Math.max(0, bw);
  }

  /**
   * The compute part of a running job's time at its SMs and the clock now, kept while neither changes: most
   * re-plans only move the bandwidth stretch, which the compute part does not depend on.
   */
  private computeOf(j: Job): void {
    // Left in j.computeUs, not returned: a float returned from a call V8 does not inline costs a heap number.
    const clock = this.meter.clockMHz;
    if (j.partSms !== j.sms || j.partClockMHz !== clock) {
      computePartInto(j, j.kernel, j.sms, clock);
      j.partSms = j.sms;
      j.partClockMHz = clock;
    }
  }

  /** Sets a running job's rate from the timing model and queues its next milestone (last wave or end). */
  private retime(j: Job): void {
    const pool = this.poolState[j.pool]!;
    this.computeOf(j);
    // The co-resident delay is time per kernel, not a rate: added to the whole kernel's time at this plan.
    const timed = this.timed;
    preparedUsInto(timed, j.kernel, j.sms, this.meter.clockMHz, 1 / pool.stretch, j.computeUs);
    const ns = timed.us * 1e3 * j.contention + this.coResidentDelayNs * j.shared;
    j.rate = 1 / Math.max(ns, 1e-3);
    const lastWaveAt = j.inLastWave ? 0 : 1 / j.waves;
    const at = this.now + Math.max(0, j.remaining - lastWaveAt) / j.rate;
    // The queued milestone still holds (a compute-bound kernel does not care about a bandwidth stretch): keep it.
    if (j.plannedVersion === j.version && Math.abs(at - j.plannedAt) <= 1e-6) return;
    j.version = ++this.versionSeq;
    j.plannedAt = at;
    j.plannedVersion = j.version;
    // Keyed by the job: this replaces the milestone queued at its last plan, which no longer holds.
    const q = this.queue;
    q.planTime = at;
    q.plan(j.id, EV_JOB, j.id, j.version);
    this.noteDropped();
  }

  /**
   * Notes the milestone the queue's last `plan` or `cancel` dropped (its `replacedTime`; -1: none): see droppedLatest.
   * Read from the queue's field rather than passed: a float passed to a call V8 does not inline costs a heap number.
   */
  private noteDropped(): void {
    const t = this.queue.replacedTime;
    if (t > this.horizon) this.droppedPastHorizon = true;
    else if (t > this.droppedLatest) this.droppedLatest = t;
  }

  private finish(j: Job): void {
    this.release(j);
    const pool = j.pool;
    j.state = DONE;
    removeItem(this.running, j);
    this.settlePool(pool, null);
    const st = this.state[j.tenant]!;
    this.recorder?.add(j.tenant, j.op, j.startedAt, this.now, j.sms);
    this.policy.onKernelDone?.(this, j, this.now - j.startedAt);
    // Done with the job: it (and its id) can carry the next launch, perhaps the next atom just below.
    const stream = j.stream, op = j.op, instance = j.instance, atom = j.atom, atoms = j.atoms;
    j.nextSpare = this.spare;
    this.spare = j;
    if (atom + 1 < atoms) {
      // The next atom is the next launch on the same stream: ready now (LithOS keeps it queued ahead).
      const whole = this.prepared(st, st.w.ops.item[op]!);
      const next = this.newJob(st, stream, op, instance, atomKernel(whole, atomBlocks(whole.blocks, atoms, atom + 1)));
      next.atom = atom + 1;
      next.atoms = atoms;
      next.kernelBlocks = whole.blocks;
      this.waiting.push(next);
      this.dirty = true;
      return;
    }
    st.kernels++;
    this.kernelsExecuted++;
    this.opDone(stream);
  }

  private result(truncated: boolean): SimResult {
    return {
      policy: this.o.policy.name,
      gpu: this.gpu,
      durationNs: this.o.durationNs,
      endNs: this.now,
      pools: this.pools,
      tenants: this.state.map((st) => ({
        name: st.view.name,
        role: st.view.role,
        latenciesNs: Float64Array.from(st.host.latencies),
        completionsNs: Float64Array.from(st.host.completions),
        started: st.host.started,
        kernels: st.kernels,
        smNs: st.smNs,
        smSeries: st.smSeries,
        recordedClockMHz: st.clockMHz,
      })),
      energyJ: this.meter.energyJ,
      power: this.meter.series,
      kernelsExecuted: this.kernelsExecuted,
      events: this.events,
      truncated,
      timeline: this.recorder,
      policyReport: this.o.policy.report?.() ?? null,
    };
  }
}

/**
 * Removes `item` from `list`, keeping the order of the rest. The lists are short (the kernels running or waiting
 * now) and change on every start and finish (in place: ../util/arrays.ts).
 */
function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) removeAt(list, i);
}

/**
 * An empty array whose elements are already of V8's object kind: the running and waiting lists of a fresh engine
 * otherwise begin as small-integer arrays, and the `push` that stores the first job, seen in the hot functions' type
 * feedback, keeps V8 from inlining `push` there (it calls the builtin instead).
 */
function objectArray<T>(): T[] {
  const a: unknown[] = [{}];
  a.pop();
  return a as T[];
}

/** Blocks of atom `i` when `blocks` are cut into `atoms` contiguous ranges as evenly as possible. */
export function atomBlocks(blocks: number, atoms: number, i: number): number {
  return Math.floor(((i + 1) * blocks) / atoms) - Math.floor((i * blocks) / atoms);
}
