/**
 * Every diagnostic code an importer may count, declared once with its severity and meaning.
 * Diagnostics are not errors: the import goes on and the `diagnostics` table says what was skipped or repaired.
 */
export type Severity = "info" | "warning" | "error";

export const DIAGNOSTIC_CODES = {
  "kineto.no_device_properties": ["info", "The trace has no deviceProperties; devices were inferred from GPU events, without SM counts."],
  "kineto.non_nvidia": ["warning", "The trace comes from a non-NVIDIA GPU (ROCm); its kernels are imported but CUDA-specific columns stay null."],
  "kineto.kernel_without_grid": ["info", "Kernels without grid/block arguments (launch configuration columns are null)."],
  "kineto.gpu_event_without_stream": ["warning", "GPU events without a stream id were skipped."],
  "kineto.event_without_time": ["warning", "Complete events (ph X) without a numeric ts or dur were skipped."],
  "kineto.unknown_process_for_correlation": ["info", "GPU events whose correlation id matches no runtime/driver call: process_id is null."],
  "kineto.ts_text_mismatch": ["warning", "A ts could not be read exactly from its text; its ns value was rounded from the float."],
  "kineto.no_gpu_events": ["info", "The trace holds no GPU kernels (a CPU-only profile): only host tables are filled."],
  "kineto.graph_launch_kernels": ["info", "Kernels launched by cudaGraphLaunch: they share the graph launch's correlation id; Kineto gives no graph node ids here."],
  "nsys.gpu_without_sms": ["info", "TARGET_INFO_GPU rows with no SMs (non-CUDA adapters) were ignored."],
  "nsys.missing_table": ["info", "Optional tables absent from the export (nothing of that kind was recorded); the canonical table is empty."],
  "nsys.absolute_timestamps": ["info", "Timestamps were already absolute (export with --ts-normalize); time 0 was moved to the first record."],
  "nsys.unknown_launch_type": ["info", "Kernels whose nsys launchType is 0 (Unknown) or unmapped: launch_type is null."],
  "nsys.unresolved_string": ["warning", "String ids not found in StringIds: the name was left as the raw id."],
  "nsys.incomplete_row": ["warning", "GPU, API or NVTX rows without a start, end, device or stream were skipped."],
  "nsys.non_api_runtime_rows": ["info", "CUPTI_ACTIVITY_KIND_RUNTIME rows of event classes other than CUDA runtime (0) and driver (1) were skipped; class 67 (CUDA backtrace) repeats a real call to attach its call stack."],
  "nsys.api_without_thread": ["warning", "API calls without a globalTid were skipped (process and thread unknown)."],
  "nsys.nvtx_meta_rows": ["info", "NVTX_EVENTS rows that only declare a domain, category or thread name were skipped (they are not ranges)."],
  "nsys.nvtx_without_text": ["info", "NVTX ranges with neither text nor a text id: the name is empty."],
  "nsys.duplicate_device": ["warning", "Several TARGET_INFO_GPU rows map to one CUDA device ordinal; the first was kept."],
  "nsys.device_without_properties": ["warning", "GPU records use a device that TARGET_INFO_GPU does not describe: it has a placeholder name and null properties."],
  "nsys.stream_shared_by_processes": ["warning", "Several processes used the same (device, context, stream) ids; the streams row names the first process."],
  "nsys.exported_report": ["info", "The .nsys-rep report was exported to SQLite with the nsys on the PATH, and that export was imported."],
  "nsys.unrelated_processes": ["info", "PROCESSES rows of processes without CUDA, NVTX or GPU records (system daemons) were not written."],
  "cupti.gpu_record_without_time": ["warning", "CUPTI kernel, memcpy, memset or synchronization records with start or end 0 (CUPTI could not collect the timestamps) were skipped."],
  "cupti.api_without_time": ["warning", "CUPTI runtime/driver API records without timestamps were skipped."],
  "cupti.api_without_name": ["info", "API records whose callback id CUPTI could not name: the name is `cbid N`."],
  "cupti.overhead_records": ["info", "CUPTI overhead records (its own buffer flushes, instrumentation, lazy loading) were counted, not imported."],
  "cupti.dropped_records": ["warning", "CUPTI dropped records because its activity buffers were full: the tables miss that many records."],
  "cupti.unknown_record": ["warning", "Records of a kind this importer does not know (a newer collector) were skipped."],
  "cupti.device_without_properties": ["warning", "GPU records name a device without a device record (the collector did not reach its exit): placeholder name, null properties."],
  "cupti.mangled_names": ["info", "The collector did not demangle kernel names: they are as CUPTI gave them."],
  "cupti.no_kernels": ["info", "The stream holds no kernels."],
  "chakra.synthesized_times": ["warning", "The Chakra graph records no start times: every node was placed by a list schedule from time 0 (in topological order of data_deps, file order where they allow, a node starts once its data_deps have finished and the previous node on its CPU thread or CUDA stream, its tid, has), lasting its recorded duration. start_ns/end_ns are synthesised; durations are the file's."],
  "chakra.recorded_times": ["info", "Every node has a start_time_micros: times are the recorded ones, time 0 at the earliest node (µs resolution)."],
  "chakra.no_launch_config": ["info", "Chakra GPU nodes carry no grid, block, registers, shared memory, correlation id or launching API call: those kernel columns are null, the api table is empty, the device is \"unknown\" (a replay takes it as recorded on an H200) and every kernel is device 0."],
  "chakra.cpu_nodes": ["info", "CPU nodes (is_cpu_op true, or unset as Chakra's feeder reads it) were written as cpu_op annotations on their thread (tid), with their synthesised times; they are operators, not CUDA API calls."],
  "chakra.comm_nodes": ["info", "Communication nodes on the GPU (COMM_COLL/SEND/RECV_NODE, is_cpu_op false) are kernels under their recorded name; their comm_type and comm_size are kept as a gpu_user_annotation over the same span (\"BROADCAST 212480 B\"). A replay runs them as kernels of their recorded duration, with no network model."],
  "chakra.zero_duration": ["info", "GPU nodes with a recorded duration of 0 µs (below the file's 1 µs resolution): kernels with start_ns = end_ns."],
  "chakra.no_stream": ["info", "GPU nodes without a tid attribute (their CUDA stream) were put on stream 0."],
  "chakra.unmapped_gpu_nodes": ["warning", "GPU nodes of other types (memory load/store, metadata, storage, ...) delay their dependents in the schedule but were not written as kernels."],
  "chakra.ctrl_deps_unused": ["info", "Nodes with ctrl_deps: not used for ordering (Chakra's feeder, which ASTRA-sim uses, follows data_deps only; converted PyTorch traces name parent operators there, often absent from the file)."],
  "chakra.dangling_data_deps": ["warning", "data_deps naming no node of the file were ignored (Chakra's feeder would never issue such a node)."],
  "chakra.no_gpu_nodes": ["info", "The graph has no GPU nodes (is_cpu_op false): no kernels, nothing to replay."],
} as const satisfies Record<string, readonly [Severity, string]>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
