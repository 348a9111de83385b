/**
 * PyTorch profiler / Kineto Chrome-trace JSON importer, plain or gzipped, every format version among the fixtures.
 * The file is streamed (ChromeTraceScanner) and each event read from the bytes (FastEventReader, JSON.parse for the
 * few it declines); events become rows as they are read (KinetoEventMapper); devices,
 * streams and processes are written at the end from what the events and `deviceProperties` said.
 */
import { headText, type Importer } from "../importer";
import { ImportError } from "../errors";
import { isChakraJson, isExecutionTraceJson } from "../recognizers";
import type { TraceSink } from "../sink";
import type { TraceSource } from "../source";
import { ChromeTraceScanner, TraceSyntaxError } from "./scanner";
import { KinetoEventMapper } from "./events";
import { FastEventReader } from "./fast-event";

interface DeviceProperties {
  id?: number; name?: string; numSms?: number; totalGlobalMem?: number; computeMajor?: number; computeMinor?: number;
  maxThreadsPerMultiprocessor?: number; regsPerMultiprocessor?: number; sharedMemPerMultiprocessor?: number;
  maxSharedMemoryPerMultiProcessor?: number; warpSize?: number;
}

export const kinetoJsonImporter: Importer = {
  format: "kineto-json",
  description: "PyTorch profiler / Kineto Chrome-trace JSON (.json, .json.gz)",
  sniff(head) {
    const text = headText(head, 4096).trimStart();
    if (!(text.startsWith("{") || text.startsWith("["))) return false;
    // Execution traces and Chakra JSON are JSON too, but not timelines: the recognizers explain those.
    return !isChakraJson(head) && !isExecutionTraceJson(head);
  },
  read: (source, sink) => readKineto(source, sink),
};

/**
 * Reads a Kineto trace into `sink`. Events are read from the bytes (fast-event.ts) and the few it declines are
 * JSON.parsed (same fields, same errors); `fastPath: false` JSON.parses every event, so tests can check that both
 * ways give identical tables.
 */
export async function readKineto(source: TraceSource, sink: TraceSink, fastPath = true): Promise<void> {
  const mapper = new KinetoEventMapper(sink);
  const reader = fastPath ? new FastEventReader() : null;
  const top: Record<string, unknown> = {};
  let baseTimeText: string | null = null;
  const scanner = new ChromeTraceScanner({
    topLevel(key, value, raw) {
      if (key === "baseTimeNanoseconds") baseTimeText = raw.trim();
      else if (key !== "metadata") top[key] = value; // third-party metadata can be large and hold secrets: not kept
    },
    event: (value, raw, index) => mapper.event(value, raw, index),
    fastEvent: reader === null ? undefined : (buf, start, index) => {
      const end = reader.read(buf, start);
      if (end > 0) mapper.fields(reader.fields, index);
      return end;
    },
  });
  try {
    // The scanner keeps at most the previous chunk (an element split at its end) while it reads the current one.
    for await (const chunk of source.chunks({ reuseBuffers: true })) scanner.push(chunk);
    scanner.end();
  } catch (e) {
    if (e instanceof TraceSyntaxError) throw new ImportError(source.path, `invalid JSON: ${e.message}`);
    throw e;
  }
  if (!scanner.sawEvents) {
    throw new ImportError(source.path, "JSON without a traceEvents array: not a Chrome/Kineto trace (expected a PyTorch profiler export)");
  }
  const unresolved = mapper.resolvePendingProcesses();
  if (unresolved > 0) sink.diagnose("kineto.unknown_process_for_correlation", unresolved);
  const graphKernels = mapper.graphLaunchedKernels();
  if (graphKernels > 0) sink.diagnose("kineto.graph_launch_kernels", graphKernels);

  writeDevices(sink, top.deviceProperties, mapper);
  for (const [device, streams] of [...mapper.gpuStreams].sort(([a], [b]) => a - b)) {
    for (const [stream, context] of [...streams].sort(([a], [b]) => a - b)) {
      sink.stream({ device_id: device, context_id: context, stream_id: stream });
    }
  }
  for (const pid of [...mapper.hostProcesses].sort((a, b) => a - b)) sink.process({ process_id: pid, name: mapper.processNames.get(pid) ?? null });
  if (sink.kernels.length === 0) sink.diagnose("kineto.no_gpu_events");

  sink.meta.sourceTool = describeTool(top);
  const offsetUs = mapper.clock.offsetUs ?? 0;
  if (baseTimeText !== null && /^-?\d+$/.test(baseTimeText)) sink.meta.timeBaseEpochNs = BigInt(baseTimeText) + BigInt(offsetUs) * 1000n;
  else if (offsetUs !== 0) sink.meta.timeBaseEpochNs = BigInt(offsetUs) * 1000n;
}

function writeDevices(sink: TraceSink, props: unknown, mapper: KinetoEventMapper): void {
  const list = Array.isArray(props) ? (props as DeviceProperties[]) : [];
  if (list.length === 0) {
    if (mapper.gpuStreams.size > 0) sink.diagnose("kineto.no_device_properties");
    for (const device of [...mapper.gpuStreams.keys()].sort((a, b) => a - b)) sink.device({ device_id: device, name: "unknown" });
    return;
  }
  if (list.some((d) => d.warpSize === 64 || /^AMD|Instinct|Radeon/i.test(d.name ?? ""))) sink.diagnose("kineto.non_nvidia");
  list.forEach((d, i) => {
    sink.device({
      device_id: d.id ?? i, name: d.name ?? "unknown", sm_count: d.numSms, total_mem_bytes: d.totalGlobalMem,
      compute_major: d.computeMajor, compute_minor: d.computeMinor, max_threads_per_sm: d.maxThreadsPerMultiprocessor,
      regs_per_sm: d.regsPerMultiprocessor, smem_per_sm_bytes: d.sharedMemPerMultiprocessor ?? d.maxSharedMemoryPerMultiProcessor,
    });
  });
}

function describeTool(top: Record<string, unknown>): string {
  const parts = ["PyTorch profiler (Kineto)"];
  if (top.schemaVersion !== undefined) parts.push(`schemaVersion ${String(top.schemaVersion)}`);
  if (top.cupti_version !== undefined) parts.push(`CUPTI ${String(top.cupti_version)}`);
  if (top.cuda_runtime_version !== undefined) parts.push(`CUDA runtime ${String(top.cuda_runtime_version)}`);
  if (top.roctracer_version !== undefined) parts.push(`roctracer ${String(top.roctracer_version)}`);
  return parts.join(", ");
}
