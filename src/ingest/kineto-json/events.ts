/**
 * Maps Kineto (PyTorch profiler) trace events to canonical rows. Handles the current categories
 * (kernel, gpu_memcpy, cuda_runtime, ...) and the 2021 ones (Kernel, Memcpy, Runtime, Operator, `tid: "stream 7"`,
 * lowercase `external id`). See ../../../../shared/reference/trace-formats.md §3 for every field.
 */
import { apiDomain, apiSyncKind, stripApiVersion } from "../common/api-calls";
import type { TraceSink } from "../sink";
import type { NumberColumn } from "../../trace/columns";
import { CorrelationProcesses } from "./correlations";
import { EventFields, fieldsFromParsed } from "./fields";
import { KinetoClock } from "./time";

type GpuKind = "kernel" | "memcpy" | "memset";
type Handler = (e: EventFields, startNs: number, endNs: number, row: number) => void;

/** What the api table needs from a call's name; the same few names repeat, so it is worked out once per name. */
interface ApiName {
  name: string;
  domain: "runtime" | "driver" | null;
  syncKind: string | null;
}

/** Reads events one at a time into a sink, remembering what the end-of-trace pass needs. */
export class KinetoEventMapper {
  readonly clock = new KinetoClock();
  /** correlation id → process id of the runtime/driver call that carries it. */
  private readonly processOfCorrelation = new CorrelationProcesses();
  /**
   * Kernel and memop rows whose process is resolved at the end, as flat (row index, correlation) pairs: most
   * kernels come before their launch call in the file, and a tuple per kernel was an allocation each.
   */
  private readonly pendingKernels: number[] = [];
  private readonly pendingMemops: number[] = [];
  /** device → stream → context, for the streams table. */
  readonly gpuStreams = new Map<number, Map<number, number | null>>();
  /** Host processes seen in api/annotation rows, and names from `process_name` metadata. */
  readonly hostProcesses = new Set<number>();
  readonly processNames = new Map<number, string>();
  /** Correlation ids of cudaGraphLaunch calls, to count graph-launched kernels at the end. */
  private readonly graphLaunches = new Set<number>();
  private readonly handlers: Record<string, Handler>;
  private readonly apiNames = new Map<string, ApiName>();
  /** The record the JSON.parse path fills (the byte reader has its own). */
  private readonly parsed = new EventFields();

  constructor(private readonly sink: TraceSink) {
    const kernel: Handler = (e, s, t, r) => this.gpuEvent("kernel", e, s, t, r);
    const memcpy: Handler = (e, s, t, r) => this.gpuEvent("memcpy", e, s, t, r);
    const memset: Handler = (e, s, t, r) => this.gpuEvent("memset", e, s, t, r);
    const runtime: Handler = (e, s, t, r) => this.apiEvent("runtime", e, s, t, r);
    const driver: Handler = (e, s, t, r) => this.apiEvent("driver", e, s, t, r);
    const annotation = (category: string): Handler => (e, s, t, r) => this.annotationEvent(category, e, s, t, r);
    this.handlers = {
      kernel, Kernel: kernel,
      gpu_memcpy: memcpy, Memcpy: memcpy,
      gpu_memset: memset, Memset: memset,
      cuda_runtime: runtime, Runtime: runtime,
      cuda_driver: driver,
      cuda_sync: (e, s, t, r) => this.syncEvent(e, s, t, r),
      user_annotation: annotation("user_annotation"),
      gpu_user_annotation: annotation("gpu_user_annotation"),
      cpu_op: annotation("cpu_op"),
      Operator: annotation("cpu_op"),
    };
  }

  /** Handles one element of traceEvents as JSON.parse gave it; `raw` is its text (for the exact ts). */
  event(value: unknown, raw: string, index: number): void {
    if (fieldsFromParsed(this.parsed, value, raw)) this.fields(this.parsed, index);
  }

  /** Handles one element of traceEvents from its fields; `index` is its position in the array. */
  fields(e: EventFields, index: number): void {
    if (e.ph === "M") {
      if (e.name === "process_name" && typeof e.pid === "number" && typeof e.argName === "string") this.processNames.set(e.pid, e.argName);
      return;
    }
    if (e.ph !== "X" || typeof e.cat !== "string") return;
    const handler = this.handlers[e.cat];
    if (!handler) return;
    if (typeof e.ts !== "number" || typeof e.dur !== "number") {
      this.sink.diagnose("kineto.event_without_time");
      return;
    }
    const startNs = this.clock.toNs(e.ts, e.tsTextOk, e.tsWhole, e.tsFrac);
    if (!this.clock.exact) this.sink.diagnose("kineto.ts_text_mismatch");
    handler(e, startNs, startNs + Math.round(e.dur * 1000), index);
  }

  private gpuEvent(kind: GpuKind, e: EventFields, startNs: number, endNs: number, row: number): void {
    const device = num(e.device) ?? num(e.pid);
    const stream = num(e.stream) ?? streamFromTid(e.tid);
    if (device === null || stream === null) {
      this.sink.diagnose("kineto.gpu_event_without_stream", 1, kind);
      return;
    }
    const context = num(e.context);
    const correlation = num(e.correlation);
    let perDevice = this.gpuStreams.get(device);
    if (!perDevice) this.gpuStreams.set(device, (perDevice = new Map()));
    if (!perDevice.has(stream) || perDevice.get(stream) === null) perDevice.set(stream, context);
    const processId = correlation === null ? null : this.processOfCorrelation.get(correlation) ?? null;
    const name = typeof e.name === "string" ? e.name : String(e.name ?? "");
    if (kind === "kernel") {
      const grid = dims(e.grid);
      const block = dims(e.block);
      if (!grid || !block) this.sink.diagnose("kineto.kernel_without_grid");
      this.sink.kernel({
        device_id: device, context_id: context, stream_id: stream, process_id: processId, correlation_id: correlation,
        start_ns: startNs, end_ns: endNs, name,
        grid_x: grid?.[0], grid_y: grid?.[1], grid_z: grid?.[2], block_x: block?.[0], block_y: block?.[1], block_z: block?.[2],
        registers_per_thread: num(e.registers), smem_bytes: num(e.smem),
        graph_id: positive(e.graphId), graph_node_id: positive(e.graphNodeId), source_row: row,
      });
    } else {
      const parsed = kind === "memcpy" ? parseMemcpyName(name) : { copyKind: null, src: null, dst: parseMemsetName(name) };
      this.sink.memop({
        device_id: device, context_id: context, stream_id: stream, process_id: processId, correlation_id: correlation,
        start_ns: startNs, end_ns: endNs, kind, copy_kind: parsed.copyKind, bytes: num(e.bytes) ?? 0,
        src_kind: parsed.src, dst_kind: parsed.dst, source_row: row,
      });
    }
    if (processId === null && correlation !== null) {
      if (kind === "kernel") this.pendingKernels.push(this.sink.kernels.length - 1, correlation);
      else this.pendingMemops.push(this.sink.memops.length - 1, correlation);
    }
  }

  private apiEvent(domain: "runtime" | "driver", e: EventFields, startNs: number, endNs: number, row: number): void {
    const pid = num(e.pid);
    const tid = num(e.tid) ?? streamFromTid(e.tid);
    if (pid === null) return;
    const correlation = num(e.correlation);
    if (correlation !== null) this.processOfCorrelation.set(correlation, pid);
    const api = this.apiName(String(e.name ?? ""));
    const name = api.name;
    if (correlation !== null && (name === "cudaGraphLaunch" || name === "cuGraphLaunch")) this.graphLaunches.add(correlation);
    this.hostProcesses.add(pid);
    this.sink.apiCall({
      process_id: pid, thread_id: tid ?? 0, correlation_id: correlation, start_ns: startNs, end_ns: endNs, name,
      domain: api.domain ?? domain, sync_kind: api.syncKind, source_row: row,
    });
  }

  private syncEvent(e: EventFields, startNs: number, endNs: number, row: number): void {
    const kind = String(e.syncKind ?? e.name ?? "");
    this.sink.sync({
      device_id: num(e.device), context_id: num(e.context), stream_id: num(e.stream) ?? num(e.waitOnStream),
      process_id: null, thread_id: null, correlation_id: num(e.correlation), start_ns: startNs, end_ns: endNs,
      sync_kind: syncKind(kind), event_id: num(e.eventId), source_row: row,
    });
  }

  private annotationEvent(category: string, e: EventFields, startNs: number, endNs: number, row: number): void {
    const gpu = category === "gpu_user_annotation";
    const pid = num(e.pid);
    if (!gpu && pid !== null) this.hostProcesses.add(pid);
    this.sink.annotation({
      category, name: String(e.name ?? ""),
      process_id: gpu ? null : pid, thread_id: gpu ? null : num(e.tid),
      device_id: gpu ? pid : null, stream_id: gpu ? num(e.tid) ?? streamFromTid(e.tid) : null,
      start_ns: startNs, end_ns: endNs, source_row: row,
    });
  }

  private apiName(raw: string): ApiName {
    let api = this.apiNames.get(raw);
    if (!api) {
      const name = stripApiVersion(raw);
      this.apiNames.set(raw, (api = { name, domain: apiDomain(name), syncKind: apiSyncKind(name) }));
    }
    return api;
  }

  /**
   * Kernels launched by a cudaGraphLaunch (which may come before or after them in the file): counted once at the
   * end from the kernels table's correlation ids, not per kernel as they come (a Map update per kernel cost more).
   */
  graphLaunchedKernels(): number {
    if (this.graphLaunches.size === 0) return 0;
    const correlations = this.sink.kernels.numbers("correlation_id");
    let n = 0;
    for (let i = 0; i < correlations.length; i++) if (this.graphLaunches.has(correlations.get(i))) n++;
    return n;
  }

  /** End of trace: fills process ids of GPU rows whose launching call came later in the file. */
  resolvePendingProcesses(): number {
    return this.resolve(this.pendingKernels, this.sink.kernels.numbers("process_id")) +
      this.resolve(this.pendingMemops, this.sink.memops.numbers("process_id"));
  }

  /** Sets the process of each pending (row, correlation) pair that has one now; returns how many have none. */
  private resolve(pending: number[], processIds: NumberColumn): number {
    let unresolved = 0;
    for (let k = 0; k < pending.length; k += 2) {
      const pid = this.processOfCorrelation.get(pending[k + 1]);
      if (pid === undefined) unresolved++;
      else processIds.set(pending[k], pid);
    }
    return unresolved;
  }
}

function num(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function positive(v: unknown): number | null {
  const n = num(v);
  return n !== null && n > 0 ? n : null;
}

/** The 2021 format names GPU threads "stream 7". */
function streamFromTid(tid: unknown): number | null {
  if (typeof tid === "number") return tid;
  if (typeof tid === "string") {
    const m = /^stream\s+(\d+)/i.exec(tid);
    if (m) return Number(m[1]);
  }
  return null;
}

/** A grid or block: a list of three numbers (itself, not a copy: the mapper only reads it). */
function dims(v: unknown): readonly number[] | null {
  if (!Array.isArray(v) || v.length !== 3 || typeof v[0] !== "number" || typeof v[1] !== "number" || typeof v[2] !== "number") return null;
  return v as number[];
}

/** "Memcpy HtoD (Pinned -> Device)" → HtoD, Pinned, Device. */
function parseMemcpyName(name: string): { copyKind: string | null; src: string | null; dst: string | null } {
  const m = /^Memcpy\s+(\S+)(?:\s+\((.+?)\s*->\s*(.+?)\))?/.exec(name);
  return m ? { copyKind: m[1], src: m[2] ?? null, dst: m[3] ?? null } : { copyKind: null, src: null, dst: null };
}

/** "Memset (Device)" → Device. */
function parseMemsetName(name: string): string | null {
  const m = /\((.+)\)/.exec(name);
  return m ? m[1] : null;
}

function syncKind(kind: string): string {
  const k = kind.toLowerCase();
  if (k.includes("wait")) return "stream_wait";
  if (k.includes("event")) return "event";
  if (k.includes("stream")) return "stream";
  if (k.includes("context") || k.includes("device")) return "context";
  return "unknown";
}
