/**
 * Chakra JSON feeder format: `{"workload_graph": [{"Id", "Name", "NodeType", "data_deps", "runtime", "is_cpu_op",
 * "comm_type", "comm_size", ...}], ...}`, the text form Chakra's JSON feeder reads (small hand-made or converted
 * graphs). Read whole (these files are small), checked node by node, then mapped by ./graph.ts like a `.et`.
 * It has no tid, so every GPU node is on stream 0 and every CPU node on one unnamed thread.
 */
import { ImportError } from "../errors";
import type { Importer } from "../importer";
import { isChakraJson } from "../recognizers";
import type { TraceSink } from "../sink";
import type { TraceSource } from "../source";
import { writeGraph, type ChakraNode } from "./graph";

/** Larger than any Chakra JSON feeder file seen; a bigger one should be converted to `.et`. */
const MAX_BYTES = 512 << 20;

export const chakraJsonImporter: Importer = {
  format: "chakra-json",
  description: "Chakra JSON feeder graph (workload_graph; an operator graph without timestamps)",
  sniff: (head) => isChakraJson(head),
  read: readChakraJson,
};

async function readChakraJson(source: TraceSource, sink: TraceSink): Promise<void> {
  const path = source.path;
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source.chunks()) {
    size += chunk.length;
    if (size > MAX_BYTES) throw new ImportError(path, `Chakra JSON larger than ${MAX_BYTES >> 20} MiB: convert it to .et`);
    parts.push(chunk);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.concat(parts).toString("utf8"));
  } catch (e) {
    throw new ImportError(path, `corrupt Chakra JSON: ${(e as Error).message}`);
  }
  const graph = (doc as { workload_graph?: unknown } | null)?.workload_graph;
  if (!Array.isArray(graph)) throw new ImportError(path, "not a Chakra JSON graph: no workload_graph array");
  const nodes = graph.map((raw, i) => node(path, raw, i));
  const d = doc as Record<string, unknown>;
  const tool = ["Chakra JSON feeder graph"];
  if (typeof d.workload_name === "string") tool.push(`workload ${d.workload_name}`);
  if (typeof d.ngpus === "number") tool.push(`${d.ngpus} GPUs`);
  writeGraph(path, { tool: tool.join(", "), processId: null }, nodes, sink);
}

function node(path: string, raw: unknown, i: number): ChakraNode {
  const bad = (what: string): never => { throw new ImportError(path, `corrupt Chakra JSON: workload_graph[${i}] ${what}`); };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return bad("is not an object");
  const n = raw as Record<string, unknown>;
  const uint = (key: string, required: boolean): number | null => {
    const v = n[key];
    if (v === undefined || v === null) return required ? bad(`has no ${key}`) : null;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) return bad(`has a ${key} that is not a whole number ≥ 0 (${JSON.stringify(v)})`);
    return v;
  };
  const deps = n.data_deps ?? [];
  if (!Array.isArray(deps) || deps.some((d) => typeof d !== "number" || !Number.isSafeInteger(d))) bad("has data_deps that are not a list of node ids");
  if (n.Name !== undefined && typeof n.Name !== "string") bad("has a Name that is not a string");
  if (n.is_cpu_op !== undefined && typeof n.is_cpu_op !== "boolean") bad("has an is_cpu_op that is not true or false");
  const ctrl = n.ctrlDeps ?? n.ctrl_deps;
  return {
    id: uint("Id", true)!,
    name: (n.Name as string | undefined) ?? "",
    type: uint("NodeType", false) ?? 0,
    dataDeps: deps as number[],
    ctrlDeps: Array.isArray(ctrl) ? ctrl.length : 0,
    durationUs: uint("runtime", false) ?? 0,
    startUs: 0,
    isCpuOp: typeof n.is_cpu_op === "boolean" ? n.is_cpu_op : null,
    tid: null,
    commType: uint("comm_type", false),
    commSize: uint("comm_size", false),
    sourceRow: i,
  };
}
