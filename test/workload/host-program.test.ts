/**
 * The host program on hand-made traces whose every number is known: host gaps and launch latencies, which
 * stream a sync waits on, blocking copies, event syncs, graph launches, GPU ops without an API call, and the
 * refusal of a trace without kernels.
 */
import { describe, expect, it } from "vitest";
import { extractWorkload } from "../../src/workload/extract";
import { OP_KERNEL, OP_MEMOP, OP_SYNC_DEVICE, OP_SYNC_STREAM } from "../../src/workload/workload";
import { HostScript, PID } from "./synthetic";

describe("host gaps and latencies", () => {
  // Host: A at 1000 (2 µs call), 2 µs of host work, B at 5000, sync 7000 → 9000, 1 µs, C at 10000,
  // cudaMemcpy 12000 → 15000, cudaDeviceSynchronize at the end. GPU (stream 7): A 5000–6000, B 6500–7000,
  // C 13000–14000, copy 14000–14500.
  const trace = new HostScript()
    .kernel("A", 5_000, 1_000)
    .wait(2_000).kernel("B", 6_500, 500)
    .sync("stream", 9_000)
    .wait(1_000).kernel("C", 13_000, 1_000)
    .memcpy(14_000, 500, 15_000)
    .sync("device", 15_100)
    .finish();
  const w = extractWorkload(trace, { split: "syncs" });

  it("cuts after each blocking call and drops the trailing segment without GPU work", () => {
    expect(Array.from(w.units.start)).toEqual([0, 3, 6]);
    expect(Array.from(w.ops.kind)).toEqual([OP_KERNEL, OP_KERNEL, OP_SYNC_STREAM, OP_KERNEL, OP_MEMOP, OP_SYNC_STREAM]);
    expect(w.units.label).toEqual(["sync 1", "sync 2"]);
  });

  it("counts preNs from the previous mark (launch: call start; sync: call return), 0 at a unit's start", () => {
    expect(Array.from(w.ops.preNs)).toEqual([0, 4_000, 2_000, 0, 2_000, 0]);
    expect(Array.from(w.units.leadNs)).toEqual([0, 1_000]); // sync returned at 9000, C launched at 10000
  });

  it("measures launch latency from max(stream free, enqueue) and sync latency from the drain", () => {
    // A: 5000 − 1000; B: 6500 − max(6000, 5000); sync: 9000 − 7000; C: 13000 − max(7000, 10000);
    // copy: 14000 − max(14000, 12000); the copy's sync: 15000 − 14500.
    expect(Array.from(w.ops.latencyNs)).toEqual([4_000, 500, 2_000, 3_000, 0, 500]);
  });

  it("renumbers kernels and memops in op order and keeps their launch configuration", () => {
    expect(Array.from(w.ops.item)).toEqual([0, 1, -1, 2, 0, -1]);
    expect(w.kernels.names).toEqual(["A", "B", "C"]);
    expect(Array.from(w.kernels.recordedNs)).toEqual([1_000, 500, 1_000]);
    expect(Array.from(w.kernels.gridBlocks)).toEqual([8, 8, 8]);
    expect(Array.from(w.kernels.threadsPerBlock)).toEqual([128, 128, 128]);
    expect(Array.from(w.kernels.regsPerThread)).toEqual([32, 32, 32]);
    expect(Array.from(w.kernels.smemPerBlockBytes)).toEqual([1024, 1024, 1024]);
    expect(Array.from(w.memops.durationNs)).toEqual([500]);
    expect(Array.from(w.memops.bytes)).toEqual([4096]);
    expect(w.streams).toEqual([7]);
  });
});

describe("which stream a sync waits on", () => {
  it("takes the stream from the sync activity when the trace has one, else the thread's last launch", () => {
    const trace = new HostScript()
      .kernel("A", 5_000, 1_000, { stream: 7 })
      .kernel("B", 6_000, 1_000, { stream: 9 })
      .sync("stream", 20_000, 7) // CUPTI says: stream 7
      .kernel("C", 30_000, 1_000, { stream: 7 })
      .kernel("D", 30_000, 1_000, { stream: 9 })
      .sync("stream", 40_000) // not recorded: D's stream, the last one launched
      .finish();
    const w = extractWorkload(trace, { split: "whole" });
    expect(w.streams).toEqual([7, 9]);
    const syncs = [2, 5].map((i) => [w.ops.kind[i], w.ops.stream[i]]);
    expect(syncs).toEqual([[OP_SYNC_STREAM, 0], [OP_SYNC_STREAM, 1]]);
  });

  it("treats an event sync as a device sync of the tenant", () => {
    const trace = new HostScript().kernel("A", 5_000, 1_000).sync("event", 8_000).kernel("B", 9_000, 1_000).finish();
    const w = extractWorkload(trace, { split: "whole" });
    expect(w.ops.kind[1]).toBe(OP_SYNC_DEVICE);
    expect(w.ops.stream[1]).toBe(-1);
    expect(w.ops.latencyNs[1]).toBe(2_000); // returned 2 µs after A ended
  });
});

describe("launches that are not one kernel per call", () => {
  it("gives a graph launch's first kernel (by GPU start) the host gap and the others 0", () => {
    const h = new HostScript();
    h.sink.apiCall({ process_id: PID, thread_id: 1, correlation_id: 77, start_ns: 2_000, end_ns: 4_000, name: "cudaGraphLaunch", domain: "runtime", source_row: 0 });
    for (const [name, start] of [["g2", 9_000], ["g0", 5_000], ["g1", 7_000]] as const) {
      h.sink.kernel({ device_id: 0, stream_id: 7, process_id: PID, correlation_id: 77, start_ns: start, end_ns: start + 1_500, name, source_row: 0 });
    }
    const w = extractWorkload(h.finish(), { split: "whole" });
    expect(w.kernels.names).toEqual(["g0", "g1", "g2"]);
    expect(Array.from(w.ops.preNs)).toEqual([0, 0, 0]);
    // g1 could start when g0 ended (6500): 500 ns of gap, g2 likewise. Unprofiled a graph's kernels run back to back
    // once its launch reaches the GPU, which takes about those gaps (calibrations/timeslice-stamps-h100): they move
    // before g0, whose 3 µs from the launch stay (under the 8.1 µs cap).
    expect(Array.from(w.ops.latencyNs)).toEqual([4_000, 0, 0]);
    // No grid recorded: taken to fill the recording GPU (the trace names none: an H200, 132 SMs), one block per SM.
    expect(w.kernels.gridBlocks[0]).toBe(w.recordedOn.smCount);
    expect(w.kernels.gridBlocks[0]).toBe(132);
    expect(w.kernels.threadsPerBlock[0]).toBe(0);
  });

  it("keeps the gaps of a graph's kernels on another stream than its first, and of a graph launched on a busy stream", () => {
    const h = new HostScript();
    h.sink.apiCall({ process_id: PID, thread_id: 1, correlation_id: 77, start_ns: 2_000, end_ns: 4_000, name: "cudaGraphLaunch", domain: "runtime", source_row: 0 });
    h.sink.apiCall({ process_id: PID, thread_id: 1, correlation_id: 78, start_ns: 5_000, end_ns: 6_000, name: "cudaGraphLaunch", domain: "runtime", source_row: 0 });
    const k = (corr: number, stream: number, name: string, start: number) =>
      h.sink.kernel({ device_id: 0, stream_id: stream, process_id: PID, correlation_id: corr, start_ns: start, end_ns: start + 1_500, name, source_row: 0 });
    k(77, 7, "a0", 5_000); k(77, 8, "b0", 5_200); k(77, 7, "a1", 7_000); k(77, 8, "b1", 7_200);
    // The second graph is launched while the first still runs on stream 7: its gaps stay where they were.
    k(78, 7, "c0", 9_000); k(78, 7, "c1", 11_000);
    const w = extractWorkload(h.finish(), { split: "whole" });
    expect(w.kernels.names).toEqual(["a0", "b0", "a1", "b1", "c0", "c1"]);
    // a0: 3 µs from the launch + a1's 500 ns gap; b0 is the graph's kernel on another stream: 3.2 µs, and b1 keeps its 500 ns.
    expect(Array.from(w.ops.latencyNs)).toEqual([3_500, 3_200, 0, 500, 500, 500]);
  });

  it("places a kernel without an API call at its GPU start, with no latency, and says so", () => {
    const trace = new HostScript()
      .kernel("A", 5_000, 1_000)
      .kernel("orphan", 8_000, 1_000, { corr: null })
      .wait(10_000).kernel("B", 20_000, 1_000)
      .finish();
    const w = extractWorkload(trace, { split: "whole" });
    expect(w.kernels.names).toEqual(["A", "orphan", "B"]);
    expect(Array.from(w.ops.preNs)).toEqual([0, 8_000 - 1_000, 13_000 - 8_000]);
    expect(w.ops.latencyNs[1]).toBe(0);
    expect(w.split.detail).toMatch(/1 GPU ops without an API call/);
  });
});

describe("refusals", () => {
  it("a trace without kernels names the file", () => {
    const h = new HostScript("empty.pt.trace.json");
    h.sink.apiCall({ process_id: PID, thread_id: 1, start_ns: 0, end_ns: 10, name: "cudaGetDevice", domain: "runtime", source_row: 0 });
    expect(() => extractWorkload(h.finish())).toThrow("empty.pt.trace.json: no GPU kernels or memory copies in the trace, nothing to replay");
  });

  it("a device the process did not use", () => {
    const trace = new HostScript().kernel("A", 5_000, 1_000).finish();
    expect(() => extractWorkload(trace, { deviceId: 3 })).toThrow(`no GPU kernels launched by process ${PID} on device 3`);
  });

  it("an explicit split method that finds nothing", () => {
    const trace = new HostScript().kernel("A", 5_000, 1_000).kernel("B", 7_000, 1_000).finish();
    expect(() => extractWorkload(trace, { split: "steps" })).toThrow(/cannot split by steps: no ProfilerStep ranges of process 100/);
    expect(() => extractWorkload(trace, { split: "repeat" })).toThrow(/cannot split by repeat/);
    expect(extractWorkload(trace).split.method).toBe("whole");
  });
});
