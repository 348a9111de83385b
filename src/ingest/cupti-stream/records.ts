/**
 * Maps decoded CUPTI stream records to canonical rows. Times become ns from the header's CUPTI timestamp, which the
 * collector paired with a wall-clock reading, so the trace's time base is that wall-clock instant.
 * Synchronization rows wait until the end: their device comes from the context's other records and their thread from
 * the API call with the same correlation id, either of which may come later in the stream.
 */
import { apiDomain, apiSyncKind, stripApiVersion } from "../common/api-calls";
import type { TraceSink } from "../sink";
import type { SyncRow } from "../../trace/schema";
import { copyKind, launchType, memoryKind, SYNC_INVALID, syncKind } from "./enums";
import { u64, type ApiMsg, type CuptiRecord, type DeviceMsg, type KernelMsg, type MemcpyMsg, type MemsetMsg, type SyncMsg } from "./messages";

/** memClockRate is in kHz and DDR (two transfers a clock), busWidth in bits: peak bytes/s = 2 · f · width/8, the formula
 *  of the CUDA C++ Programming Guide's device-query example. */
const TRANSFERS_PER_CLOCK = 2;

export class CuptiRecordMapper {
  private readonly deviceOfContext = new Map<number, number>();
  private readonly threadOfCorrelation = new Map<number, number>();
  private readonly streams = new Map<string, { device: number; context: number; stream: number }>();
  private readonly pendingSyncs: { msg: SyncMsg; row: number }[] = [];
  private readonly devicesSeen = new Set<number>();

  constructor(private readonly sink: TraceSink, private readonly t0: bigint, private readonly processId: number) {}

  /** ns from the time base; null for CUPTI's "timestamp not collected" (0). */
  private ns(v: Parameters<typeof u64>[0]): number | null {
    const t = u64(v);
    return t === 0n ? null : Number(t - this.t0);
  }

  record(r: CuptiRecord, row: number): void {
    switch (r.kind) {
      case "kernel": return this.kernel(r.kernel as KernelMsg, row);
      case "memcpy": return this.memcpy(r.memcpy as MemcpyMsg, row);
      case "memset": return this.memset(r.memset as MemsetMsg, row);
      case "sync": this.pendingSyncs.push({ msg: r.sync as SyncMsg, row }); return;
      case "api": return this.api(r.api as ApiMsg, row);
      case "device": return this.device(r.device as DeviceMsg);
      case "overhead": this.sink.diagnose("cupti.overhead_records"); return;
      case "dropped": this.sink.diagnose("cupti.dropped_records", Number(u64(r.dropped?.count))); return;
      default: this.sink.diagnose("cupti.unknown_record"); // a newer collector's record kind
    }
  }

  private gpuPlace(device: number, context: number, stream: number): void {
    this.deviceOfContext.set(context, device);
    const key = `${device}/${context}/${stream}`;
    if (!this.streams.has(key)) this.streams.set(key, { device, context, stream });
  }

  private kernel(k: KernelMsg, row: number): void {
    const start = this.ns(k.start), end = this.ns(k.end);
    if (start === null || end === null) { this.sink.diagnose("cupti.gpu_record_without_time", 1, "kernel"); return; }
    this.gpuPlace(k.device_id, k.context_id, k.stream_id);
    const nodeId = u64(k.graph_node_id);
    this.sink.kernel({
      device_id: k.device_id, context_id: k.context_id, stream_id: k.stream_id, process_id: this.processId,
      correlation_id: k.correlation_id, start_ns: start, end_ns: end, name: k.name,
      grid_x: k.grid_x, grid_y: k.grid_y, grid_z: k.grid_z, block_x: k.block_x, block_y: k.block_y, block_z: k.block_z,
      registers_per_thread: k.registers_per_thread, static_smem_bytes: k.static_shared_memory,
      dynamic_smem_bytes: k.dynamic_shared_memory, smem_bytes: k.static_shared_memory + k.dynamic_shared_memory,
      launch_type: launchType(k.launch_type),
      // CUPTI writes 0 for "not launched from a graph" (cupti_activity.h, graphId / graphNodeId)
      graph_id: k.graph_id || null, graph_node_id: nodeId === 0n ? null : Number(nodeId), source_row: row,
    });
  }

  private memcpy(c: MemcpyMsg, row: number): void {
    const start = this.ns(c.start), end = this.ns(c.end);
    if (start === null || end === null) { this.sink.diagnose("cupti.gpu_record_without_time", 1, "memcpy"); return; }
    this.gpuPlace(c.device_id, c.context_id, c.stream_id);
    const nodeId = u64(c.graph_node_id);
    this.sink.memop({
      device_id: c.device_id, context_id: c.context_id, stream_id: c.stream_id, process_id: this.processId,
      correlation_id: c.correlation_id, start_ns: start, end_ns: end, kind: "memcpy", copy_kind: copyKind(c.copy_kind),
      bytes: Number(u64(c.bytes)), src_kind: memoryKind(c.src_kind), dst_kind: memoryKind(c.dst_kind),
      graph_node_id: nodeId === 0n ? null : Number(nodeId), source_row: row,
    });
  }

  private memset(s: MemsetMsg, row: number): void {
    const start = this.ns(s.start), end = this.ns(s.end);
    if (start === null || end === null) { this.sink.diagnose("cupti.gpu_record_without_time", 1, "memset"); return; }
    this.gpuPlace(s.device_id, s.context_id, s.stream_id);
    const nodeId = u64(s.graph_node_id);
    this.sink.memop({
      device_id: s.device_id, context_id: s.context_id, stream_id: s.stream_id, process_id: this.processId,
      correlation_id: s.correlation_id, start_ns: start, end_ns: end, kind: "memset", bytes: Number(u64(s.bytes)),
      dst_kind: memoryKind(s.memory_kind), value: s.value, graph_node_id: nodeId === 0n ? null : Number(nodeId), source_row: row,
    });
  }

  private api(a: ApiMsg, row: number): void {
    const start = this.ns(a.start), end = this.ns(a.end);
    if (start === null || end === null) { this.sink.diagnose("cupti.api_without_time"); return; }
    // cuptiGetCallbackName gives e.g. cudaLaunchKernel_v7000: the same version suffix nsys writes
    const name = stripApiVersion(a.name || `cbid ${a.cbid}`);
    if (!a.name) this.sink.diagnose("cupti.api_without_name");
    this.threadOfCorrelation.set(a.correlation_id, a.thread_id);
    this.sink.apiCall({
      process_id: a.process_id || this.processId, thread_id: a.thread_id, correlation_id: a.correlation_id,
      start_ns: start, end_ns: end, name, domain: apiDomain(name) ?? (a.driver ? "driver" : "runtime"),
      sync_kind: apiSyncKind(name), source_row: row,
    });
  }

  private device(d: DeviceMsg): void {
    if (this.devicesSeen.has(d.device_id)) return;
    this.devicesSeen.add(d.device_id);
    const bandwidth = d.mem_clock_khz && d.mem_bus_width_bits ? TRANSFERS_PER_CLOCK * d.mem_clock_khz * 1000 * (d.mem_bus_width_bits / 8) : null;
    this.sink.device({
      device_id: d.device_id, name: d.name || "unknown", sm_count: d.sm_count || null,
      clock_hz: d.clock_khz ? d.clock_khz * 1000 : null, mem_bandwidth_bytes_per_s: bandwidth,
      total_mem_bytes: Number(u64(d.total_mem_bytes)) || null, l2_bytes: Number(u64(d.l2_bytes)) || null,
      compute_major: d.compute_major, compute_minor: d.compute_minor, max_threads_per_sm: d.max_threads_per_sm || null,
      regs_per_sm: d.regs_per_sm || null, smem_per_sm_bytes: Number(u64(d.smem_per_sm_bytes)) || null,
    });
  }

  /** Writes what needed the whole stream: syncs, streams, placeholder devices, the process. */
  finish(): void {
    for (const { msg: s, row } of this.pendingSyncs) {
      const start = this.ns(s.start), end = this.ns(s.end);
      if (start === null || end === null) { this.sink.diagnose("cupti.gpu_record_without_time", 1, "synchronization"); continue; }
      const sync: SyncRow = {
        device_id: this.deviceOfContext.get(s.context_id) ?? null, context_id: s.context_id,
        stream_id: s.stream_id === SYNC_INVALID ? null : s.stream_id, process_id: this.processId,
        thread_id: this.threadOfCorrelation.get(s.correlation_id) ?? null, correlation_id: s.correlation_id,
        start_ns: start, end_ns: end, sync_kind: syncKind(s.type),
        event_id: s.event_id === SYNC_INVALID ? null : s.event_id, source_row: row,
      };
      this.sink.sync(sync);
    }
    const used = [...this.streams.values()].sort((a, b) => a.device - b.device || a.context - b.context || a.stream - b.stream);
    for (const s of used) this.sink.stream({ device_id: s.device, context_id: s.context, stream_id: s.stream, process_id: this.processId });
    for (const device of new Set(used.map((s) => s.device))) {
      if (!this.devicesSeen.has(device)) {
        this.sink.diagnose("cupti.device_without_properties");
        this.sink.device({ device_id: device, name: "unknown" });
      }
    }
    this.sink.process({ process_id: this.processId, name: null });
  }
}
