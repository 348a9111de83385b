/**
 * A Chakra execution graph (from a `.et` protobuf stream or a Chakra JSON feeder file) into the canonical tables.
 *
 * Chakra records an operator graph, not a timeline: each node has a name, a type, a duration and the nodes it
 * depends on, but (in the PyTorch-converted traces) no start time, no launch configuration and no API call. So:
 * - GPU nodes (attribute is_cpu_op = false) become `kernels` rows under their recorded names; NCCL kernels keep
 *   their `ncclKernel_…` names, so analyses count them as communication. Their stream is the `tid` attribute.
 * - Collective and point-to-point nodes on the GPU also get a `gpu_user_annotation` over the same span naming the
 *   collective and its size (`comm_type`, `comm_size`): the kernels table has no column for them.
 * - CPU nodes (is_cpu_op true, or unset: the default of Chakra's own feeder) become `cpu_op` annotations on their
 *   thread (`tid`).
 * - Times: the node's recorded start_time_micros where every node has one; otherwise (the usual case) every node
 *   is placed by a list schedule: in topological order of data_deps (file order where the dependencies allow), a
 *   node starts when its data_deps have finished and the previous node of its lane (its CPU thread or CUDA stream)
 *   has, and lasts its recorded duration. Only data_deps order nodes, as in Chakra's feeder that ASTRA-sim uses.
 * Everything the graph cannot say (grid, block, registers, API calls, the GPU model) stays null and is stated in
 * the diagnostics table.
 */
import { ImportError } from "../errors";
import type { TraceSink } from "../sink";

/** Chakra NodeType values (schemas/chakra_et.proto). */
export const NODE_TYPES = [
  "INVALID_NODE", "METADATA_NODE", "MEM_LOAD_NODE", "MEM_STORE_NODE", "COMP_NODE", "COMM_SEND_NODE", "COMM_RECV_NODE",
  "COMM_COLL_NODE", "STORAGE_NODE", "BATCH_NODE", "CHECKPOINT_NODE",
] as const;
const COMP_NODE = 4, COMM_SEND_NODE = 5, COMM_RECV_NODE = 6, COMM_COLL_NODE = 7;
/** Chakra CollectiveCommType values. */
export const COMM_TYPES = [
  "ALL_REDUCE", "REDUCE", "ALL_GATHER", "GATHER", "SCATTER", "BROADCAST", "ALL_TO_ALL", "REDUCE_SCATTER",
  "REDUCE_SCATTER_BLOCK", "BARRIER",
] as const;

/** One node as both readers give it. */
export interface ChakraNode {
  id: number;
  name: string;
  type: number;
  dataDeps: number[];
  ctrlDeps: number;
  /** Recorded duration, µs. */
  durationUs: number;
  /** Recorded start, µs; 0 where the file does not say. */
  startUs: number;
  /** is_cpu_op; null where the node has no such attribute (Chakra's feeder then takes it as a CPU op). */
  isCpuOp: boolean | null;
  /** The `tid` attribute: the CPU thread of a CPU node, the CUDA stream of a GPU node. */
  tid: number | null;
  commType: number | null;
  commSize: number | null;
  /** Position in the input (message index in a .et stream, array index in JSON). */
  sourceRow: number;
}

export interface ChakraFile {
  /** For `source_tool`. */
  tool: string;
  /** The `pid` attribute of the file's metadata, where given. */
  processId: number | null;
}

const US = 1000;

/** The device every kernel is put on: Chakra writes one file per rank and names no device ordinal. */
const DEVICE = 0;
/** The stream of GPU nodes without a tid. */
const DEFAULT_STREAM = 0;

/** Start and end (ns) of every node, index-aligned with `nodes`. Throws ImportError on a cycle or a duplicate id. */
export function schedule(path: string, nodes: readonly ChakraNode[], sink: TraceSink): { start: Float64Array; end: Float64Array } {
  const n = nodes.length;
  const index = new Map<number, number>();
  nodes.forEach((node, i) => {
    const seen = index.get(node.id);
    if (seen !== undefined) throw new ImportError(path, `corrupt Chakra graph: node id ${node.id} appears twice (${rowName(nodes[seen])} and ${rowName(node)})`);
    index.set(node.id, i);
  });
  const start = new Float64Array(n), end = new Float64Array(n);
  if (n > 0 && nodes.every((node) => node.startUs > 0)) {
    let t0 = Infinity;
    for (const node of nodes) t0 = Math.min(t0, node.startUs);
    nodes.forEach((node, i) => { start[i] = (node.startUs - t0) * US; end[i] = start[i] + node.durationUs * US; });
    sink.diagnose("chakra.recorded_times", n);
    return { start, end };
  }

  // Dependency edges (data_deps only), and how many unfinished parents each node has.
  const children: number[][] = Array.from({ length: n }, () => []);
  const waiting = new Int32Array(n);
  let dangling = 0;
  nodes.forEach((node, i) => {
    for (const dep of new Set(node.dataDeps)) {
      const p = index.get(dep);
      if (p === undefined) { dangling++; continue; }
      if (p === i) throw new ImportError(path, `corrupt Chakra graph: ${rowName(node)} depends on itself`);
      children[p].push(i);
      waiting[i]++;
    }
  });
  if (dangling) sink.diagnose("chakra.dangling_data_deps", dangling);

  // Kahn's algorithm, always taking the ready node that comes first in the file (a binary heap of indices).
  const heap: number[] = [];
  const push = (v: number): void => {
    let k = heap.push(v) - 1;
    while (k > 0) { const p = (k - 1) >> 1; if (heap[p] <= v) break; heap[k] = heap[p]; k = p; }
    heap[k] = v;
  };
  const pop = (): number => {
    const top = heap[0], last = heap.pop()!;
    if (heap.length) {
      let k = 0;
      for (;;) {
        const l = 2 * k + 1, r = l + 1;
        let m = k, mv = last;
        if (l < heap.length && heap[l] < mv) { m = l; mv = heap[l]; }
        if (r < heap.length && heap[r] < mv) { m = r; mv = heap[r]; }
        if (m === k) break;
        heap[k] = heap[m]; k = m;
      }
      heap[k] = last;
    }
    return top;
  };
  for (let i = 0; i < n; i++) if (waiting[i] === 0) push(i);
  const ready = new Float64Array(n); // when the last data dependency finished
  const laneFree = new Map<string, number>();
  let done = 0;
  while (heap.length) {
    const i = pop(), node = nodes[i];
    const lane = gpuNode(node) ? `s${node.tid ?? DEFAULT_STREAM}` : `t${node.tid ?? "?"}`;
    start[i] = Math.max(ready[i], laneFree.get(lane) ?? 0);
    end[i] = start[i] + node.durationUs * US;
    laneFree.set(lane, end[i]);
    done++;
    for (const c of children[i]) {
      if (end[i] > ready[c]) ready[c] = end[i];
      if (--waiting[c] === 0) push(c);
    }
  }
  if (done < n) {
    const stuck = nodes.findIndex((_, i) => waiting[i] > 0);
    throw new ImportError(path, `corrupt Chakra graph: a dependency cycle leaves ${n - done} of ${n} nodes unable to run (e.g. ${rowName(nodes[stuck])})`);
  }
  sink.diagnose("chakra.synthesized_times", n);
  return { start, end };
}

const gpuNode = (node: ChakraNode): boolean => node.isCpuOp === false;
const rowName = (node: ChakraNode): string => `node ${node.id} "${node.name.length > 60 ? `${node.name.slice(0, 57)}...` : node.name}"`;

/** The annotation text of a communication node on the GPU: "BROADCAST 212480 B", "SEND 4096 B". */
function commLabel(node: ChakraNode): string {
  const what = node.type === COMM_COLL_NODE
    ? (node.commType !== null ? COMM_TYPES[node.commType] ?? `comm_type ${node.commType}` : "collective")
    : node.type === COMM_SEND_NODE ? "SEND" : "RECV";
  return node.commSize !== null ? `${what} ${node.commSize} B` : what;
}

/** Writes the graph's rows into the sink. */
export function writeGraph(path: string, file: ChakraFile, nodes: readonly ChakraNode[], sink: TraceSink): void {
  if (nodes.length === 0) throw new ImportError(path, "a Chakra graph without nodes: nothing to import");
  sink.meta.sourceTool = file.tool;
  sink.meta.timeBaseEpochNs = null;
  const { start, end } = schedule(path, nodes, sink);
  const pid = file.processId;
  if (pid !== null) sink.process({ process_id: pid, name: null });
  const streams = new Set<number>();
  let kernels = 0, cpu = 0, comm = 0, zero = 0, noStream = 0, unmapped = 0, ctrl = 0;
  nodes.forEach((node, i) => {
    if (node.ctrlDeps > 0) ctrl++;
    const start_ns = start[i], end_ns = end[i];
    if (!gpuNode(node)) {
      cpu++;
      sink.annotation({ category: "cpu_op", name: node.name, process_id: pid, thread_id: node.tid, start_ns, end_ns, source_row: node.sourceRow });
      return;
    }
    const isComm = node.type === COMM_COLL_NODE || node.type === COMM_SEND_NODE || node.type === COMM_RECV_NODE;
    if (!isComm && node.type !== COMP_NODE) { unmapped++; return; }
    const stream = node.tid ?? DEFAULT_STREAM;
    if (node.tid === null) noStream++;
    streams.add(stream);
    kernels++;
    if (node.durationUs === 0) zero++;
    sink.kernel({ device_id: DEVICE, stream_id: stream, process_id: pid, start_ns, end_ns, name: node.name, source_row: node.sourceRow });
    if (isComm) {
      comm++;
      sink.annotation({ category: "gpu_user_annotation", name: commLabel(node), device_id: DEVICE, stream_id: stream, start_ns, end_ns, source_row: node.sourceRow });
    }
  });
  if (kernels > 0) {
    sink.device({ device_id: DEVICE, name: "unknown" });
    for (const s of [...streams].sort((a, b) => a - b)) sink.stream({ device_id: DEVICE, stream_id: s, process_id: pid });
    sink.diagnose("chakra.no_launch_config", kernels);
  } else sink.diagnose("chakra.no_gpu_nodes");
  if (cpu) sink.diagnose("chakra.cpu_nodes", cpu);
  if (comm) sink.diagnose("chakra.comm_nodes", comm);
  if (zero) sink.diagnose("chakra.zero_duration", zero);
  if (noStream) sink.diagnose("chakra.no_stream", noStream);
  if (unmapped) sink.diagnose("chakra.unmapped_gpu_nodes", unmapped);
  if (ctrl) sink.diagnose("chakra.ctrl_deps_unused", ctrl);
}
