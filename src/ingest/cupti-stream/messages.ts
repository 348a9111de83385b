/**
 * The messages of `schemas/cupti.proto` as protobufjs decodes them (keepCase: snake_case fields). 64-bit fields
 * come back as Long objects (the `long` package is installed) or as numbers; `u64` turns either into a bigint.
 */
import type * as protobuf from "protobufjs";
import { schemaType } from "../../util/schemas";

type U64 = number | { toString(): string };

export interface CuptiHeader {
  magic: string; version: number; cupti_api_version: number; cuda_driver_version: number; cuda_header_version: number;
  kernel_record: string; process_id: U64; cupti_start_ns: U64; epoch_start_ns: U64; latency_timestamps: boolean;
  collector: string; names_demangled: boolean;
}

export interface KernelMsg {
  start: U64; end: U64; completed: U64; queued: U64; submitted: U64; device_id: number; context_id: number; stream_id: number;
  correlation_id: number; grid_x: number; grid_y: number; grid_z: number; block_x: number; block_y: number; block_z: number;
  registers_per_thread: number; static_shared_memory: number; dynamic_shared_memory: number; launch_type: number;
  graph_id: number; graph_node_id: U64; name: string;
}
export interface MemcpyMsg {
  start: U64; end: U64; bytes: U64; copy_kind: number; src_kind: number; dst_kind: number; device_id: number; context_id: number;
  stream_id: number; correlation_id: number; graph_id: number; graph_node_id: U64;
}
export interface MemsetMsg {
  start: U64; end: U64; bytes: U64; value: number; memory_kind: number; device_id: number; context_id: number; stream_id: number;
  correlation_id: number; graph_id: number; graph_node_id: U64;
}
export interface SyncMsg { start: U64; end: U64; type: number; context_id: number; stream_id: number; event_id: number; correlation_id: number }
export interface ApiMsg { driver: boolean; cbid: number; name: string; start: U64; end: U64; process_id: number; thread_id: number; correlation_id: number }
export interface DeviceMsg {
  device_id: number; name: string; sm_count: number; clock_khz: number; total_mem_bytes: U64; compute_major: number;
  compute_minor: number; l2_bytes: U64; mem_clock_khz: number; mem_bus_width_bits: number; max_threads_per_sm: number;
  regs_per_sm: number; smem_per_sm_bytes: U64;
}
export interface DroppedMsg { context_id: number; stream_id: number; count: U64 }

export interface CuptiRecord {
  /** Which oneof member is set (protobufjs sets the virtual oneof field to its name). */
  kind?: "kernel" | "memcpy" | "memset" | "sync" | "api" | "overhead" | "device" | "dropped";
  kernel?: KernelMsg; memcpy?: MemcpyMsg; memset?: MemsetMsg; sync?: SyncMsg; api?: ApiMsg; device?: DeviceMsg; dropped?: DroppedMsg;
}

export const headerType = (): protobuf.Type => schemaType("cupti.proto", "lithos.cupti.Header");
export const recordType = (): protobuf.Type => schemaType("cupti.proto", "lithos.cupti.Record");

/** An unsigned 64-bit field as a bigint (Long.toString of an unsigned Long is its unsigned decimal). */
export function u64(v: U64 | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  return typeof v === "number" ? BigInt(v) : BigInt(v.toString());
}

/** The magic string every stream's header starts with (tools/cupti-collector/collector.cpp kMagic). */
export const MAGIC = "LITHOS-CUPTI";
/** The stream versions this importer reads (schemas/cupti.proto Header.version). */
export const SUPPORTED_VERSIONS = [1];
