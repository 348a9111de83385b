/**
 * Files people will try to import that are not (yet) importable, each with what it is and what to do.
 * Checked only after no importer claimed the file.
 */
import { headText, type Recognizer } from "./importer";

/** A PyTorch execution trace: JSON opening with "schema" then "pid" (the Kineto importer leaves these alone). */
export function isExecutionTraceJson(head: Uint8Array): boolean {
  return /^\{\s*"schema"\s*:\s*"[^"]*"\s*,\s*"pid"/.test(headText(head, 4096).trimStart());
}

/** A Chakra JSON workload graph (the Kineto importer leaves these alone). */
export function isChakraJson(head: Uint8Array): boolean {
  return /"workload_graph"\s*:/.test(headText(head, 4096));
}

export const RECOGNIZERS: readonly Recognizer[] = [
  {
    what: "an Nsight Systems HDF5 export",
    sniff: (head) => head.length >= 8 && head[0] === 0x89 && headText(head.subarray(1), 3) === "HDF",
    advice: "export the report as SQLite instead: `nsys export --type sqlite -o report.sqlite <report.nsys-rep>`",
  },
  {
    what: "an MLCommons Chakra execution trace (.et, protobuf): an operator graph without kernel timings or launch configurations",
    sniff: (head, name) => /\.et$/i.test(name),
    advice: "it cannot drive a GPU replay on its own; import the Kineto trace (torch.profiler) of the same run instead",
  },
  {
    what: "a PyTorch execution trace (host operator graph, JSON, no GPU timings)",
    sniff: isExecutionTraceJson,
    advice: "import the Kineto trace (torch.profiler) recorded with it instead; execution traces are not read yet",
  },
  {
    what: "a Chakra JSON workload graph (workload_graph)",
    sniff: isChakraJson,
    advice: "it has no kernel launch configurations; import the Kineto trace it was derived from instead",
  },
];
