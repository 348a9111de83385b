/**
 * Hand-built workloads for edge cases no real trace has (one long kernel, a known curve). Real traces are used
 * everywhere else; these keep every field a real extraction fills, so the engine treats them the same way.
 */
import { gpuSpec } from "../../src/gpu/specs";
import { OP_KERNEL, type Workload } from "../../src/workload/workload";

export interface SyntheticKernel {
  readonly name: string;
  /** Duration on the whole H200 at its recorded clock, µs. */
  readonly us: number;
  readonly blocks: number;
  readonly threads?: number;
  readonly regs?: number;
  readonly smem?: number;
}

/** One unit of kernels launched back to back on one stream with no host gaps. */
export function syntheticWorkload(name: string, kernels: readonly SyntheticKernel[]): Workload {
  const n = kernels.length;
  const names = [...new Set(kernels.map((k) => k.name))];
  return {
    name, source: `${name} (synthetic)`, recordedOn: gpuSpec("h200"), streams: [7],
    kernels: {
      count: n,
      nameId: Int32Array.from(kernels, (k) => names.indexOf(k.name)),
      names,
      gridBlocks: Int32Array.from(kernels, (k) => k.blocks),
      threadsPerBlock: Int32Array.from(kernels, (k) => k.threads ?? 256),
      regsPerThread: Int32Array.from(kernels, (k) => k.regs ?? 64),
      smemPerBlockBytes: Int32Array.from(kernels, (k) => k.smem ?? 0),
      recordedNs: Float64Array.from(kernels, (k) => k.us * 1e3),
    },
    memops: { count: 0, durationNs: new Float64Array(0), bytes: new Float64Array(0) },
    ops: {
      count: n, kind: new Uint8Array(n).fill(OP_KERNEL), preNs: new Float64Array(n), stream: new Int32Array(n),
      item: Int32Array.from({ length: n }, (_, i) => i), latencyNs: new Float64Array(n),
    },
    units: { count: 1, start: Int32Array.from([0, n]), leadNs: new Float64Array(1), label: ["whole"] },
    split: { method: "whole", detail: "synthetic" },
  };
}
