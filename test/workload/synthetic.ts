/**
 * Small hand-made traces for the workload tests: a host thread that launches kernels, copies and syncs at
 * chosen times, written through the importers' TraceSink so they are canonical tables like any import.
 */
import { TraceSink } from "../../src/ingest/sink";
import type { Trace } from "../../src/trace/tables";

export const PID = 100;
const TID = 1;

/** A host thread's calls; times are ns, `at` is where the host is after the last call. */
export class HostScript {
  readonly sink: TraceSink;
  at = 1_000;
  private corr = 1;

  constructor(file = "synthetic.pt.trace.json", device = "NVIDIA H200") {
    this.sink = new TraceSink("synthetic", file);
    this.sink.device({ device_id: 0, name: device });
  }

  /** Host work that launches nothing. */
  wait(ns: number): this { this.at += ns; return this; }

  /** cudaLaunchKernel taking `apiNs`; the kernel runs [gpuStart, gpuStart + durNs) on `stream`. */
  kernel(name: string, gpuStart: number, durNs: number, opts: { stream?: number; apiNs?: number; grid?: number; corr?: number | null } = {}): this {
    const corr = opts.corr === undefined ? this.corr++ : opts.corr;
    const apiNs = opts.apiNs ?? 2_000;
    if (opts.corr !== null) this.sink.apiCall({ process_id: PID, thread_id: TID, correlation_id: corr ?? undefined, start_ns: this.at, end_ns: this.at + apiNs, name: "cudaLaunchKernel", domain: "runtime", source_row: 0 });
    this.sink.kernel({
      device_id: 0, stream_id: opts.stream ?? 7, process_id: opts.corr === null ? undefined : PID, correlation_id: corr ?? undefined,
      start_ns: gpuStart, end_ns: gpuStart + durNs, name, grid_x: opts.grid ?? 4, grid_y: 2, block_x: 128, registers_per_thread: 32, smem_bytes: 1024, source_row: 0,
    });
    if (opts.corr !== null) this.at += apiNs;
    return this;
  }

  /** A blocking cudaMemcpy (DtoH) whose copy runs [gpuStart, gpuStart + durNs); the call returns at `returnAt`. */
  memcpy(gpuStart: number, durNs: number, returnAt: number, stream = 7): this {
    const corr = this.corr++;
    this.sink.apiCall({ process_id: PID, thread_id: TID, correlation_id: corr, start_ns: this.at, end_ns: returnAt, name: "cudaMemcpy", domain: "runtime", sync_kind: "memcpy", source_row: 0 });
    this.sink.memop({ device_id: 0, stream_id: stream, process_id: PID, correlation_id: corr, start_ns: gpuStart, end_ns: gpuStart + durNs, kind: "memcpy", copy_kind: "DtoH", bytes: 4096, source_row: 0 });
    this.at = returnAt;
    return this;
  }

  /** A synchronising call (`kind`: stream, device, event) that returns at `returnAt`; `stream` goes to the syncs table. */
  sync(kind: "stream" | "device" | "event", returnAt: number, stream?: number): this {
    const corr = this.corr++;
    const name = kind === "stream" ? "cudaStreamSynchronize" : kind === "device" ? "cudaDeviceSynchronize" : "cudaEventSynchronize";
    this.sink.apiCall({ process_id: PID, thread_id: TID, correlation_id: corr, start_ns: this.at, end_ns: returnAt, name, domain: "runtime", sync_kind: kind, source_row: 0 });
    if (stream !== undefined) this.sink.sync({ device_id: 0, stream_id: stream, process_id: PID, correlation_id: corr, start_ns: this.at, end_ns: returnAt, sync_kind: "stream", source_row: 0 });
    this.at = returnAt;
    return this;
  }

  finish(): Trace { return this.sink.finish(); }
}

/**
 * A training-like loop: `iterations` iterations of the kernel names returned by `body(i)`, launched 3 µs apart
 * and each running 5 µs back to back on the GPU, with `hostGapNs` of host time between iterations and no sync.
 */
export function loopTrace(iterations: number, body: (i: number) => string[], hostGapNs = 50_000): Trace {
  const h = new HostScript();
  let gpu = 0;
  for (let i = 0; i < iterations; i++) {
    h.wait(hostGapNs);
    for (const name of body(i)) {
      const start = Math.max(gpu, h.at + 1_000);
      h.kernel(name, start, 5_000, { apiNs: 3_000 });
      gpu = start + 5_000;
    }
  }
  return h.finish();
}
