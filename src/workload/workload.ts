/**
 * A workload: what one tenant's host program does, taken from a trace, in the form the simulator replays.
 *
 * The host program is a flat list of operations (columnar, one typed array per field). A unit of work (an
 * inference request or a training iteration) is a contiguous range of operations. A replayed unit walks its
 * operations in order on one host thread: it waits `preNs` of host time, then enqueues the GPU work on its
 * stream (a kernel or a memory operation) or blocks until the GPU has drained (a sync), so a slower GPU
 * delays the host exactly where the recorded program waited.
 *
 * Times are ns. Kernels are kept one row per launch (not deduplicated): the simulator prepares each once.
 */
import type { GpuSpec } from "../gpu/specs/spec";
import type { RecordedKernel } from "../gpu/timing";

/** Enqueue a kernel on `stream`; `item` is its row in `kernels`. */
export const OP_KERNEL = 0;
/** Enqueue a memory copy or memset on `stream`; `item` is its row in `memops`. It uses no SMs. */
export const OP_MEMOP = 1;
/** Host blocks until every operation enqueued on `stream` so far has finished. */
export const OP_SYNC_STREAM = 2;
/** Host blocks until every operation of this tenant enqueued so far has finished. */
export const OP_SYNC_DEVICE = 3;
export type OpKind = typeof OP_KERNEL | typeof OP_MEMOP | typeof OP_SYNC_STREAM | typeof OP_SYNC_DEVICE;

/** Every kernel launch of the workload, as recorded (the timing model's input). */
export interface WorkloadKernels {
  readonly count: number;
  /** Index into `names`. */
  readonly nameId: Int32Array;
  readonly names: readonly string[];
  /** Blocks in the grid (x·y·z); where the trace does not say, the recording GPU's SM count (one block per SM). */
  readonly gridBlocks: Int32Array;
  /** Threads per block; 0 where unknown. */
  readonly threadsPerBlock: Int32Array;
  /** Registers per thread; 0 where unknown. */
  readonly regsPerThread: Int32Array;
  /** Static + dynamic shared memory per block, bytes; 0 where unknown. */
  readonly smemPerBlockBytes: Int32Array;
  /** Duration as recorded, ns. */
  readonly recordedNs: Float64Array;
}

/** Kernel `i` as the timing model reads it (unknown launch resources: null, as `RecordedKernel` has them). */
export function recordedKernel(k: WorkloadKernels, i: number): RecordedKernel {
  return {
    name: k.names[k.nameId[i]!]!, gridBlocks: k.gridBlocks[i]!, us: k.recordedNs[i]! / 1e3,
    threadsPerBlock: k.threadsPerBlock[i]! || null, regsPerThread: k.regsPerThread[i]! || null, smemPerBlockBytes: k.smemPerBlockBytes[i]!,
  };
}

/** Every memory operation of the workload, as recorded. They are replayed with their recorded duration. */
export interface WorkloadMemops {
  readonly count: number;
  readonly durationNs: Float64Array;
  readonly bytes: Float64Array;
}

/** The host program, one entry per operation. */
export interface WorkloadOps {
  readonly count: number;
  /** OP_KERNEL, OP_MEMOP, OP_SYNC_STREAM or OP_SYNC_DEVICE. */
  readonly kind: Uint8Array;
  /**
   * Host time before this operation takes effect, counted from the previous operation's host mark: the
   * enqueue of the previous launch (its API call start) or the return of the previous sync. For the second
   * and later kernels of one API call (a CUDA graph launch) it is 0. For the first operation of every unit it
   * is 0: a unit starts at its first operation's mark, and the host time before that is the unit's `leadNs`.
   */
  readonly preNs: Float64Array;
  /** Tenant-local stream index (into `Workload.streams`); for OP_SYNC_DEVICE, -1. */
  readonly stream: Int32Array;
  /** Row in `kernels` (OP_KERNEL) or `memops` (OP_MEMOP); -1 for syncs. */
  readonly item: Int32Array;
  /**
   * Launches: GPU-side delay between the moment the operation could start (its stream's previous operation
   * ended and it was enqueued) and its recorded start, ≥ 0 (launch latency, dispatch gap). A CUDA graph launch
   * on an idle stream: its first kernel's is at most GRAPH_LAUNCH_LATENCY_NS (the profiler delays graph launches)
   * plus the gaps recorded between its later kernels on that stream, theirs 0 (host-program.ts: unprofiled, the
   * gaps come before the first kernel).
   * Syncs: host time from the GPU draining to the sync call returning, ≥ 0.
   */
  readonly latencyNs: Float64Array;
}

/** Units of work: unit u is operations [start[u], start[u+1]). */
export interface WorkloadUnits {
  readonly count: number;
  /** Length count + 1. */
  readonly start: Int32Array;
  /**
   * Host time between the previous unit's last operation mark (usually its last sync's return) and this
   * unit's first operation mark, as recorded; 0 for the first unit. A back-to-back job waits it before each
   * unit; a request-driven service does not (its requests start on arrival with their first operation,
   * whose `preNs` is 0).
   */
  readonly leadNs: Float64Array;
  /** Human label: "ProfilerStep#3", "sync 4", "repeat 2", "whole trace". */
  readonly label: readonly string[];
}

/** How units were found. */
export type SplitMethod = "steps" | "range" | "syncs" | "repeat" | "whole";

export interface Workload {
  /** Short name (file base name without extensions). */
  readonly name: string;
  /** File it came from (base name). */
  readonly source: string;
  /** GPU the trace was recorded on (from the trace's device table; H200 where it does not say). */
  readonly recordedOn: GpuSpec;
  /** Recorded stream ids, index = tenant-local stream. */
  readonly streams: readonly number[];
  readonly kernels: WorkloadKernels;
  readonly memops: WorkloadMemops;
  readonly ops: WorkloadOps;
  readonly units: WorkloadUnits;
  /** Which method split the trace into units, and what it saw ("20 units between stream syncs"). */
  readonly split: { readonly method: SplitMethod; readonly detail: string };
}
