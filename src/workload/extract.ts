/**
 * Trace → Workload: the host program of one process on one device (./host-program.ts), cut into units
 * (./split.ts), keeping only the ops, kernels and memops of the units, renumbered densely in op order.
 *
 * Called by the CLI and notebooks (`loadWorkload(file)`) and by anything holding a Trace (`extractWorkload`).
 */
import * as path from "node:path";
import { gpuSpec, specForDeviceName } from "../gpu/specs";
import type { GpuSpec } from "../gpu/specs/spec";
import { loadTrace } from "../ingest";
import { rowsOf } from "../trace/access";
import type { Trace } from "../trace/tables";
import { Columns } from "./columns";
import { buildHostProgram, type HostProgram } from "./host-program";
import { splitProgram, type SplitOption, type UnitRanges } from "./split";
import { OP_KERNEL, OP_MEMOP, type Workload, type WorkloadKernels, type WorkloadMemops } from "./workload";

export type { SplitOption } from "./split";

export interface ExtractOptions {
  /** How to find units; default "auto": ProfilerStep ranges, else repeating sync-delimited segments, else the repeating kernel sequence, else the whole trace. */
  split?: SplitOption;
  /** Host process whose program is replayed; default: the process that launched the most kernels. */
  processId?: number;
  /** Device whose work is replayed; default: the device that ran most of that process's kernels. */
  deviceId?: number;
}

/** Trace file base name without its format extensions: "resnet50_bs1.pt.trace.json.gz" → "resnet50_bs1". */
export function workloadName(file: string): string {
  return path.basename(file)
    .replace(/\.gz$/i, "")
    .replace(/\.(json|sqlite|sqlite3|db|arrow|arrows|et)$/i, "")
    .replace(/\.pt\.trace$|\.trace$/i, "");
}

/** GPU the trace ran on: the device table's name for the device, H200 where the trace does not say or names another GPU. */
function recordedOn(trace: Trace, deviceId: number): GpuSpec {
  const row = rowsOf(trace.devices).find((d) => d.device_id === deviceId);
  return (typeof row?.name === "string" ? specForDeviceName(row.name) : null) ?? gpuSpec("h200");
}

/**
 * A kernel whose grid the trace does not give (Chakra graphs, some Kineto traces) is taken to fill the GPU it was
 * recorded on, one block per SM: replayed alone there it lasts its recorded duration, and on fewer SMs it takes
 * more rounds. (Taking it as one block would make the timing model run it on one SM's share of the GPU.)
 */
function kernelsOf(cols: Columns, trace: Trace, rows: number[], unknownGridBlocks: number): WorkloadKernels {
  const t = trace.kernels, n = rows.length;
  const col = (name: string): Float64Array => cols.number(t, name);
  const [gx, gy, gz, bx, by, bz] = ["grid_x", "grid_y", "grid_z", "block_x", "block_y", "block_z"].map(col);
  const regs = col("registers_per_thread"), smem = col("smem_bytes"), sSmem = col("static_smem_bytes"), dSmem = col("dynamic_smem_bytes");
  const start = col("start_ns"), end = col("end_ns");
  const name = cols.dict(t, "name");
  const nameId = new Int32Array(n), names: string[] = [], nameIndex = new Map<number, number>();
  const gridBlocks = new Int32Array(n), threadsPerBlock = new Int32Array(n), regsPerThread = new Int32Array(n);
  const smemPerBlockBytes = new Int32Array(n), recordedNs = new Float64Array(n);
  const or = (v: number, d: number): number => (Number.isNaN(v) ? d : v);
  for (let j = 0; j < n; j++) {
    const r = rows[j];
    let id = nameIndex.get(name.codes[r]);
    if (id === undefined) { id = names.length; nameIndex.set(name.codes[r], id); names.push(name.values[name.codes[r]]); }
    nameId[j] = id;
    gridBlocks[j] = Number.isNaN(gx[r]) ? unknownGridBlocks : gx[r] * or(gy[r], 1) * or(gz[r], 1);
    // A block size is only known when at least its x extent is.
    threadsPerBlock[j] = Number.isNaN(bx[r]) ? 0 : bx[r] * or(by[r], 1) * or(bz[r], 1);
    regsPerThread[j] = or(regs[r], 0);
    smemPerBlockBytes[j] = !Number.isNaN(smem[r]) ? smem[r] : or(sSmem[r], 0) + or(dSmem[r], 0);
    recordedNs[j] = end[r] - start[r];
  }
  return { count: n, nameId, names, gridBlocks, threadsPerBlock, regsPerThread, smemPerBlockBytes, recordedNs };
}

function memopsOf(cols: Columns, trace: Trace, rows: number[]): WorkloadMemops {
  const t = trace.memops, start = cols.number(t, "start_ns"), end = cols.number(t, "end_ns"), bytes = cols.number(t, "bytes");
  return {
    count: rows.length,
    durationNs: Float64Array.from(rows, (r) => end[r] - start[r]),
    bytes: Float64Array.from(rows, (r) => bytes[r]),
  };
}

/** The ops of the units, renumbered: kernels, memops and streams in order of first use. */
function assemble(cols: Columns, trace: Trace, p: HostProgram, units: UnitRanges, name: string): Workload {
  const nU = units.start.length;
  let total = 0;
  for (let u = 0; u < nU; u++) total += units.end[u] - units.start[u];
  const kind = new Uint8Array(total), preNs = new Float64Array(total), stream = new Int32Array(total);
  const item = new Int32Array(total), latencyNs = new Float64Array(total);
  const start = new Int32Array(nU + 1), leadNs = new Float64Array(nU);
  const kernelRows: number[] = [], memopRows: number[] = [], streams: number[] = [];
  const localStream = new Int32Array(p.streamIds.length).fill(-1);
  let n = 0;
  for (let u = 0; u < nU; u++) {
    const a = units.start[u], b = units.end[u];
    start[u] = n;
    // The unit starts at its first op's mark: the host time before it is the unit's lead, not the op's preNs.
    leadNs[u] = u === 0 ? 0 : Math.max(0, p.mark[a] - p.mark[units.end[u - 1] - 1]);
    for (let i = a; i < b; i++, n++) {
      kind[n] = p.kind[i];
      preNs[n] = i === a ? 0 : p.preNs[i];
      latencyNs[n] = p.latencyNs[i];
      const s = p.stream[i];
      if (s >= 0 && localStream[s] < 0) { localStream[s] = streams.length; streams.push(p.streamIds[s]); }
      stream[n] = s >= 0 ? localStream[s] : -1;
      if (p.kind[i] === OP_KERNEL) { item[n] = kernelRows.length; kernelRows.push(p.item[i]); }
      else if (p.kind[i] === OP_MEMOP) { item[n] = memopRows.length; memopRows.push(p.item[i]); }
      else item[n] = -1;
    }
  }
  start[nU] = n;
  const notes: string[] = [];
  if (p.orphans) notes.push(`${p.orphans} GPU ops without an API call placed at their GPU start`);
  if (p.overlapped) notes.push(`${p.overlapped} API calls overlapping the previous op (several threads): host gap taken as 0`);
  const gpu = recordedOn(trace, p.deviceId);
  return {
    name,
    source: path.basename(trace.meta.sourceFile || name),
    recordedOn: gpu,
    streams,
    kernels: kernelsOf(cols, trace, kernelRows, gpu.smCount),
    memops: memopsOf(cols, trace, memopRows),
    ops: { count: n, kind, preNs, stream, item, latencyNs },
    units: { count: nU, start, leadNs, label: units.label },
    split: { method: units.method, detail: [units.detail, ...notes].join("; ") },
  };
}

/** The workload of one process on one device of a trace. Throws when the process launched no kernels. */
export function extractWorkload(trace: Trace, options: ExtractOptions = {}): Workload {
  const columns = new Columns();
  const program = buildHostProgram(trace, { processId: options.processId, deviceId: options.deviceId, columns });
  const units = splitProgram(program, trace, options.split ?? "auto", columns);
  return assemble(columns, trace, program, units, workloadName(trace.meta.sourceFile || "trace"));
}

/** Loads a trace (any format `loadTrace` reads) and extracts its workload, named after the file. */
export async function loadWorkload(file: string, options: ExtractOptions = {}): Promise<Workload> {
  const workload = extractWorkload(await loadTrace(file), options);
  return { ...workload, name: workloadName(file), source: path.basename(file) };
}
