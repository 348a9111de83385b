/**
 * Files people will try to import that are not (yet) importable, each with what it is and what to do.
 * Checked only after no importer claimed the file.
 */
import { headText, type Recognizer } from "./importer";

/** A PyTorch execution trace: JSON opening with "schema" then "pid" (the Kineto importer leaves these alone). */
export function isExecutionTraceJson(head: Uint8Array): boolean {
  return /^\{\s*"schema"\s*:\s*"[^"]*"\s*,\s*"pid"/.test(headText(head, 4096).trimStart());
}

/** A Chakra JSON workload graph (read by chakra-json; the Kineto importer leaves these alone). */
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
    what: "a PyTorch execution trace (host operator graph, JSON, no GPU timings)",
    sniff: isExecutionTraceJson,
    advice: "import the Kineto trace (torch.profiler) recorded with it instead, or its Chakra conversion (chakra_converter, a .et file); execution traces are not read yet",
  },
];
