/**
 * A tenant's host thread replaying its workload: it takes units of work (requests as they arrive, or
 * iterations back to back), walks their operations with the recorded host gaps, enqueues GPU work on its
 * streams and blocks at syncs until the simulated GPU has drained them. Requests wait in arrival order for
 * the thread (one request at a time, as a single-threaded server does); latency is completion − arrival.
 * Arrivals are open-loop (given times) or closed-loop (a fixed number of requests outstanding: each
 * completion brings the next request at once, as a load generator with that many clients does).
 */
import { OP_KERNEL, OP_MEMOP, OP_SYNC_DEVICE, OP_SYNC_STREAM, type Workload } from "../workload/workload";

/** What the host thread needs from the engine. */
export interface HostPort {
  /**
   * Enqueues operation `op` of unit instance `instance` on the tenant's local stream at time `t`, which may lie
   * ahead of the engine's time: the operation then counts as enqueued from t on (it is ready no earlier than t
   * plus its launch latency, and its stream is busy from t).
   */
  enqueue(localStream: number, op: number, instance: number, t: number): void;
  /** True when every operation enqueued on the local stream (-1: on all the tenant's streams) has finished. */
  drained(localStream: number): boolean;
  /** Asks for `run(t)` to be called at time t. */
  wakeAt(t: number): void;
}

/** How a service's requests arrive: given times (open loop), or `closedLoop` requests outstanding. */
export type HostArrivals = Float64Array | { readonly closedLoop: number };

export class HostThread {
  private busy = false;
  private opPos = 0;
  private opEnd = 0;
  /** Host time of the last mark (enqueue of a launch, return of a sync), ns. */
  private mark = 0;
  /** Local stream (or -1 for all) the thread is blocked on, or null. */
  private blockedOn: number | null = null;
  private nextArrival = 0;
  private instances = 0;
  /** Outstanding GPU operations per unit instance, and whether its host part has finished. */
  private readonly outstanding: number[] = [];
  private readonly hostDone: boolean[] = [];
  private readonly arrivalOf: number[] = [];
  /** Arrival times: the open-loop ones, or the closed loop's, appended as requests complete. */
  private readonly times: Float64Array | number[] | null;
  private readonly closed: boolean;

  /** Latency of every finished request (services) or duration of every iteration (jobs), ns. */
  readonly latencies: number[] = [];
  /** Completion time of every finished unit, ns. */
  readonly completions: number[] = [];

  constructor(
    private readonly w: Workload,
    /** Request arrivals (services); null for a job that runs units back to back. */
    arrivals: HostArrivals | null,
    /** A job starts no unit at or after this time, ns. */
    private readonly stopNs: number,
    private readonly port: HostPort,
    /** Host time a job waits between units, ns; null: the gap recorded before each unit. */
    private readonly gapNs: number | null = 0,
  ) {
    if (w.units.count === 0) throw new Error(`${w.source}: the workload has no units of work`);
    this.closed = arrivals !== null && !(arrivals instanceof Float64Array);
    if (arrivals === null) this.times = null;
    else if (arrivals instanceof Float64Array) this.times = arrivals;
    else {
      if (!(Number.isInteger(arrivals.closedLoop) && arrivals.closedLoop >= 1)) throw new Error(`closed-loop concurrency must be an integer ≥ 1, got ${arrivals.closedLoop}`);
      this.times = new Array<number>(arrivals.closedLoop).fill(0);
    }
  }

  /** Units arrived (services) or started (jobs). */
  get started(): number { return this.times ? this.nextArrival : this.instances; }

  /** True once the thread will start no more units and every started one has completed. */
  get finished(): boolean {
    const more = this.times ? this.nextArrival < this.times.length : this.mark < this.stopNs;
    return !this.busy && !more && this.completions.length === this.instances;
  }

  /** Runs the host program up to time `now`. */
  run(now: number): void {
    for (;;) {
      if (!this.busy && !this.startUnit(now)) return;
      if (this.blockedOn !== null) return;
      const w = this.w.ops;
      while (this.opPos < this.opEnd) {
        const i = this.opPos;
        const t = this.mark + w.preNs[i]!;
        const kind = w.kind[i]!;
        if (kind === OP_KERNEL || kind === OP_MEMOP) {
          // Enqueued now with its own time t, even when t is still ahead: nothing the host does before its next
          // sync depends on the GPU, and the engine treats an operation stamped ahead of now as not yet enqueued
          // (HostPort.enqueue). Waking the thread at every launch was ~0.2 events per kernel replayed.
          this.outstanding[this.instances - 1]!++;
          this.port.enqueue(w.stream[i]!, i, this.instances - 1, t);
          this.mark = t;
          this.opPos++;
        } else {
          if (t > now) { this.port.wakeAt(t); return; }
          const target = kind === OP_SYNC_STREAM ? w.stream[i]! : -1;
          this.mark = t;
          if (!this.port.drained(target)) { this.blockedOn = target; return; }
          this.mark = t + w.latencyNs[i]!;
          this.opPos++;
        }
      }
      if (this.mark > now) { this.port.wakeAt(this.mark); return; }
      // The unit's host part is done; it completes when its GPU work has too.
      const inst = this.instances - 1;
      this.hostDone[inst] = true;
      this.busy = false;
      if (this.outstanding[inst] === 0) this.complete(inst, this.mark);
    }
  }

  /** A GPU operation of `instance` finished at `now`; called after the engine updated its stream state. */
  gpuDone(instance: number, now: number): void {
    const left = --this.outstanding[instance]!;
    if (left === 0 && this.hostDone[instance]) this.complete(instance, now);
    if (this.blockedOn !== null && this.port.drained(this.blockedOn)) {
      const i = this.opPos;
      this.blockedOn = null;
      this.mark = Math.max(this.mark, now) + this.w.ops.latencyNs[i]!;
      this.opPos++;
      if (this.mark > now) this.port.wakeAt(this.mark);
      else this.run(now);
    }
  }

  private startUnit(now: number): boolean {
    const units = this.w.units;
    let start: number;
    let arrival: number;
    if (this.times) {
      if (this.nextArrival >= this.times.length) return false;
      const a = this.times[this.nextArrival]!;
      if (a > now) { this.port.wakeAt(a); return false; }
      this.nextArrival++;
      arrival = a;
      start = Math.max(now, this.mark);
    } else {
      // Back to back: the next iteration starts once the previous one has completed (its GPU work too: a
      // unit with no sync at its end would otherwise be launched without bound), after the gap between
      // iterations (none by default: the recorded one is often a capture harness's sleep or a profiler
      // flush, not the program's own work).
      if (this.completions.length < this.instances) return false;
      const lead = this.instances === 0 ? 0 : (this.gapNs ?? units.leadNs[this.instances % units.count]!);
      const previous = this.instances === 0 ? 0 : this.completions[this.completions.length - 1]!;
      start = Math.max(this.mark, previous) + lead;
      if (start >= this.stopNs) { this.mark = start; return false; }
      if (start > now) { this.port.wakeAt(start); return false; }
      arrival = start;
    }
    const u = this.instances % units.count;
    this.instances++;
    this.outstanding.push(0);
    this.hostDone.push(false);
    this.arrivalOf.push(arrival);
    this.busy = true;
    this.mark = start;
    this.opPos = units.start[u]!;
    this.opEnd = units.start[u + 1]!;
    return true;
  }

  private complete(instance: number, t: number): void {
    this.latencies.push(t - this.arrivalOf[instance]!);
    this.completions.push(t);
    // Closed loop: the client whose request completed sends its next one, until the run's duration.
    if (this.closed && t < this.stopNs) {
      (this.times as number[]).push(t);
      if (!this.busy) this.port.wakeAt(t);
    }
    // A job waits for its previous iteration (see startUnit).
    if (!this.times && !this.busy) this.port.wakeAt(t);
  }
}
