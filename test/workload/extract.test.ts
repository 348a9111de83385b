/**
 * Workload extraction on real traces: how each H200 fixture splits into units, that the host program replays
 * the recorded timeline (a serial replay with recorded durations lands on the recorded unit spans, measured
 * independently from the trace's API rows), ProfilerStep and range splits against the annotation table, an nsys
 * export, and the refusals.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadTrace } from "../../src/ingest";
import { dictColumn, numberColumn } from "../../src/trace/access";
import type { Trace } from "../../src/trace/tables";
import { extractWorkload, loadWorkload } from "../../src/workload/extract";
import { GRAPH_LAUNCH_LATENCY_NS } from "../../src/workload/host-program";
import { OP_KERNEL, OP_MEMOP, OP_SYNC_DEVICE, OP_SYNC_STREAM, type Workload } from "../../src/workload/workload";
import { fixture } from "../helpers/fixtures";

const GRAPH_INFER = fixture("h200/resnet50_graph_infer_bs1.pt.trace.json.gz");
const COLO_TRAIN = fixture("h200/resnet50_colo_train_bs64.pt.trace.json.gz");
const TRAIN = fixture("h200/resnet50_train_bs64.pt.trace.json.gz");
const STEPS = fixture("real/hta/ns_resolution_trace/rank-0.Apr_03_18_51_38.1102.pt.trace.json.gz");
const CLOVERLEAF = fixture("real/pipit/cloverleaf-nsys/perlmutter-cloverleaf-cuda.sqlite");
const CPU_ONLY = fixture("real/hta/cpu_only/rank-34.Jul_15_10_52_41.1074.pt.trace.json.gz");

/** Per unit: [first op, end op). */
const unitOps = (w: Workload, u: number): [number, number] => [w.units.start[u], w.units.start[u + 1]];
const count = (w: Workload, u: number, kind: number): number => {
  let n = 0;
  for (let i = w.units.start[u]; i < w.units.start[u + 1]; i++) if (w.ops.kind[i] === kind) n++;
  return n;
};
const kernelNs = (w: Workload, u: number): number => {
  let ns = 0;
  for (let i = w.units.start[u]; i < w.units.start[u + 1]; i++) if (w.ops.kind[i] === OP_KERNEL) ns += w.kernels.recordedNs[w.ops.item[i]];
  return ns;
};

/**
 * Host time at which one unit ends when replayed alone, serially, with recorded durations: launches start when
 * both the host has enqueued them and their stream is free, plus their latency; syncs return `latencyNs` after
 * what they wait for has drained (or after their call, if that came later).
 */
function serialReplay(w: Workload, u: number): number {
  let t = 0;
  const ready = new Array<number>(w.streams.length).fill(-Infinity);
  for (let i = w.units.start[u]; i < w.units.start[u + 1]; i++) {
    t += w.ops.preNs[i];
    const kind = w.ops.kind[i], s = w.ops.stream[i];
    if (kind === OP_KERNEL || kind === OP_MEMOP) {
      const dur = kind === OP_KERNEL ? w.kernels.recordedNs[w.ops.item[i]] : w.memops.durationNs[w.ops.item[i]];
      ready[s] = Math.max(ready[s], t) + w.ops.latencyNs[i] + dur;
    } else {
      t = Math.max(t, kind === OP_SYNC_STREAM ? ready[s] : Math.max(...ready)) + w.ops.latencyNs[i];
    }
  }
  return t;
}

/** Recorded span of each sync-delimited unit: first launching API call after the previous cudaStreamSynchronize → the next one's return. */
function recordedSyncSpans(trace: Trace): number[] {
  const name = dictColumn(trace.api, "name"), start = numberColumn(trace.api, "start_ns"), end = numberColumn(trace.api, "end_ns");
  const corr = numberColumn(trace.api, "correlation_id");
  const launching = new Set([...numberColumn(trace.kernels, "correlation_id"), ...numberColumn(trace.memops, "correlation_id")]);
  const launches: number[] = [], syncEnds: number[] = [];
  for (let i = 0; i < start.length; i++) {
    if (launching.has(corr[i])) launches.push(start[i]);
    if (name.values[name.codes[i]] === "cudaStreamSynchronize") syncEnds.push(end[i]);
  }
  launches.sort((a, b) => a - b);
  syncEnds.sort((a, b) => a - b);
  return syncEnds.map((e, u) => e - launches.find((s) => s > (u === 0 ? -Infinity : syncEnds[u - 1]))!);
}

describe("resnet50_graph_infer_bs1 (CUDA graph per request, a stream sync after each)", () => {
  let trace: Trace, w: Workload;
  beforeAll(async () => {
    trace = await loadTrace(GRAPH_INFER);
    w = extractWorkload(trace);
  });

  it("splits by syncs into 20 units of 342 kernels, each ending with its stream sync", () => {
    expect(w.split.method).toBe("syncs");
    expect(w.units.count).toBe(20);
    expect(w.units.label[3]).toBe("sync 4");
    for (let u = 0; u < 20; u++) {
      expect(count(w, u, OP_KERNEL)).toBe(342);
      expect(count(w, u, OP_SYNC_STREAM)).toBe(1);
      expect(w.ops.kind[w.units.start[u + 1] - 1]).toBe(OP_SYNC_STREAM);
    }
    // The two cudaDeviceSynchronize calls at the end hold no GPU work: dropped with the tail.
    expect(count(w, 19, OP_SYNC_DEVICE)).toBe(0);
  });

  it("keeps every kernel once, with the trace's total kernel time", () => {
    const start = numberColumn(trace.kernels, "start_ns"), end = numberColumn(trace.kernels, "end_ns");
    let total = 0;
    for (let i = 0; i < start.length; i++) total += end[i] - start[i];
    expect(w.kernels.count).toBe(6840);
    expect(w.kernels.recordedNs.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it("spends about 0.92 ms of kernel time per unit", () => {
    for (let u = 0; u < 20; u++) expect(kernelNs(w, u) / 1e6).toBeCloseTo(0.92, 1);
    const mean = Array.from({ length: 20 }, (_, u) => kernelNs(w, u)).reduce((a, b) => a + b) / 20;
    expect(mean).toBeGreaterThan(0.91e6);
    expect(mean).toBeLessThan(0.93e6);
  });

  it("gives the graph's first kernel the host gap and the other 341 none; a unit's first op waits only its lead", () => {
    for (let u = 0; u < 20; u++) {
      const [a] = unitOps(w, u);
      expect(w.ops.preNs[a]).toBe(0);
      for (let i = a + 1; i < a + 342; i++) expect(w.ops.preNs[i]).toBe(0);
      expect(w.ops.preNs[a + 342]).toBeGreaterThan(0); // launch → cudaStreamSynchronize call
    }
    expect(w.units.leadNs[0]).toBe(0);
    for (let u = 1; u < 20; u++) expect(w.units.leadNs[u]).toBeGreaterThan(1e6); // ~2.1 ms between requests
  });

  it("replays each unit serially onto its recorded span (graph launch → sync return), less the profiler's graph-launch delay", () => {
    const spans = recordedSyncSpans(trace);
    expect(spans).toHaveLength(20);
    // The first kernel of each graph launch, on an idle stream, starts `delay` after the cudaGraphLaunch call;
    // extraction caps that delay at the unprofiled launch latency (host-program.ts), so the replay is shorter by the rest.
    const kStart = numberColumn(trace.kernels, "start_ns"), kCorr = numberColumn(trace.kernels, "correlation_id");
    const firstKernel = new Map<number, number>();
    for (let i = 0; i < kStart.length; i++) firstKernel.set(kCorr[i], Math.min(firstKernel.get(kCorr[i]) ?? Infinity, kStart[i]));
    const name = dictColumn(trace.api, "name"), aStart = numberColumn(trace.api, "start_ns"), aCorr = numberColumn(trace.api, "correlation_id");
    const delays: number[] = [];
    for (let i = 0; i < aStart.length; i++) if (name.values[name.codes[i]] === "cudaGraphLaunch") delays.push(firstKernel.get(aCorr[i])! - aStart[i]);
    expect(delays).toHaveLength(20);
    for (let u = 0; u < 20; u++) {
      expect(delays[u]).toBeGreaterThan(GRAPH_LAUNCH_LATENCY_NS); // ~0.25 ms under the profiler
      expect(Math.abs(serialReplay(w, u) - (spans[u] - (delays[u] - GRAPH_LAUNCH_LATENCY_NS)))).toBeLessThan(1);
    }
  });

  it("names the stream, the GPU and the workload", async () => {
    expect(w.streams).toEqual([13]);
    expect(w.recordedOn.key).toBe("h200-sxm");
    expect(w.kernels.gridBlocks.every((g) => g >= 1)).toBe(true);
    expect(w.kernels.threadsPerBlock.every((t) => t > 0)).toBe(true);
    const loaded = await loadWorkload(GRAPH_INFER);
    expect(loaded.name).toBe("resnet50_graph_infer_bs1");
    expect(loaded.source).toBe("resnet50_graph_infer_bs1.pt.trace.json.gz");
    expect(loaded.ops.count).toBe(w.ops.count);
  });
});

describe("resnet50_colo_train_bs64 (training, a stream sync per iteration)", () => {
  let trace: Trace, w: Workload;
  beforeAll(async () => {
    trace = await loadTrace(COLO_TRAIN);
    w = extractWorkload(trace);
  });

  it("splits by syncs into 4 iterations of 949 kernels and 44 memsets", () => {
    expect(w.split.method).toBe("syncs");
    expect(w.units.count).toBe(4);
    for (let u = 0; u < 4; u++) {
      expect(count(w, u, OP_KERNEL)).toBe(949);
      expect(count(w, u, OP_MEMOP)).toBe(44);
      expect(kernelNs(w, u) / 1e6).toBeCloseTo(27.5, 0);
    }
    expect(w.memops.count).toBe(176);
    expect(w.memops.bytes.every((b) => b > 0)).toBe(true);
  });

  it("replays each iteration serially within 0.1% of its recorded span", () => {
    const spans = recordedSyncSpans(trace);
    for (let u = 0; u < 4; u++) expect(Math.abs(serialReplay(w, u) - spans[u]) / spans[u]).toBeLessThan(1e-3);
  });

  it("carries the ~2.5 ms between a sync's return and the next iteration's first launch in leadNs", () => {
    expect(w.units.leadNs[0]).toBe(0);
    for (let u = 1; u < 4; u++) {
      expect(w.units.leadNs[u]).toBeGreaterThan(2e6);
      expect(w.units.leadNs[u]).toBeLessThan(3e6);
    }
  });

  it("finds the same 4 iterations by the repeating kernel sequence when asked", () => {
    const r = extractWorkload(trace, { split: "repeat" });
    expect(r.split.method).toBe("repeat");
    expect(r.units.count).toBe(4);
    for (let u = 0; u < 4; u++) expect(count(r, u, OP_KERNEL)).toBe(949);
    expect(r.units.label).toEqual(["repeat 1", "repeat 2", "repeat 3", "repeat 4"]);
  });

  it("keeps everything in one unit for split whole", () => {
    const whole = extractWorkload(trace, { split: "whole" });
    expect(whole.units.count).toBe(1);
    expect(whole.units.label).toEqual(["whole trace"]);
    expect(whole.kernels.count).toBe(3796);
  });
});

describe("traces without per-iteration syncs", () => {
  it("resnet50_train_bs64: auto falls through to repeat and finds the 4 iterations", async () => {
    const w = await loadWorkload(TRAIN);
    expect(w.split.method).toBe("repeat");
    expect(w.split.detail).toMatch(/not syncs/);
    expect(w.units.count).toBe(4);
    for (let u = 0; u < 4; u++) expect(count(w, u, OP_KERNEL)).toBe(949);
  });
});

describe("ProfilerStep and range splits (HTA ResNet DDP trace, V100)", () => {
  let trace: Trace;
  beforeAll(async () => { trace = await loadTrace(STEPS); });

  it("cuts the 5 ProfilerStep ranges; each unit holds the kernels launched inside its step", () => {
    const w = extractWorkload(trace);
    expect(w.split.method).toBe("steps");
    expect(w.units.label).toEqual(["ProfilerStep#101", "ProfilerStep#102", "ProfilerStep#103", "ProfilerStep#104", "ProfilerStep#105"]);
    // Independently: kernels whose launching API call starts inside each step's range.
    const cat = dictColumn(trace.annotations, "category"), name = dictColumn(trace.annotations, "name");
    const s = numberColumn(trace.annotations, "start_ns"), e = numberColumn(trace.annotations, "end_ns");
    const apiStart = new Map<number, number>();
    const aCorr = numberColumn(trace.api, "correlation_id"), aStart = numberColumn(trace.api, "start_ns");
    for (let i = 0; i < aCorr.length; i++) apiStart.set(aCorr[i], aStart[i]);
    const launches = [...numberColumn(trace.kernels, "correlation_id")].map((c) => apiStart.get(c)!);
    const expected: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (cat.values[cat.codes[i]] !== "user_annotation" || !name.values[name.codes[i]].startsWith("ProfilerStep#")) continue;
      expected.push(launches.filter((t) => t >= s[i] && t < e[i]).length);
    }
    expect(expected).toEqual([870, 870, 870, 870, 870]);
    expect(Array.from({ length: 5 }, (_, u) => count(w, u, OP_KERNEL))).toEqual(expected);
    expect(w.recordedOn.key).toBe("h200-sxm"); // a V100: no spec, so the H200 default
  });

  it("takes any annotation names by regular expression, and refuses bad or unmatched ones", () => {
    const w = extractWorkload(trace, { split: { range: "^ProfilerStep#10[23]$" } });
    expect(w.split.method).toBe("range");
    expect(w.units.label).toEqual(["ProfilerStep#102", "ProfilerStep#103"]);
    expect(() => extractWorkload(trace, { split: { range: "([" } })).toThrow(/bad range pattern/);
    expect(() => extractWorkload(trace, { split: { range: "^no such range$" } })).toThrow(/cannot split by range: no annotations matching/);
    expect(() => extractWorkload(trace, { split: "repeat", processId: 4242 })).toThrow(/no GPU kernels launched by process 4242/);
  });
});

describe("nsys export (CloverLeaf, A100)", () => {
  it("extracts: blocking copies become a memop then a stream sync, cudaDeviceSynchronize a device sync", async () => {
    const w = await loadWorkload(CLOVERLEAF);
    expect(w.name).toBe("perlmutter-cloverleaf-cuda");
    expect(w.recordedOn.key).toBe("a100-80gb");
    expect(w.streams).toEqual([7]);
    expect(w.units.count).toBeGreaterThanOrEqual(2);
    for (let u = 0; u < w.units.count; u++) expect(count(w, u, OP_KERNEL)).toBeGreaterThan(0);
    let memops = 0, devSyncs = 0;
    for (let i = 0; i < w.ops.count; i++) {
      if (w.ops.kind[i] === OP_SYNC_DEVICE) { devSyncs++; expect(w.ops.stream[i]).toBe(-1); }
      if (w.ops.kind[i] !== OP_MEMOP) continue;
      memops++;
      expect(w.ops.kind[i + 1]).toBe(OP_SYNC_STREAM);
      expect(w.ops.stream[i + 1]).toBe(w.ops.stream[i]);
      expect(w.ops.preNs[i + 1]).toBe(0);
    }
    expect(memops).toBeGreaterThan(0);
    expect(devSyncs).toBeGreaterThan(0);
  });
});

describe("a trace of copies alone (device-to-device copies on the copy engines, measured on an H100)", () => {
  const COPIES = path.resolve(__dirname, "../../calibrations/interference-h100/copy_hog.pt.trace.json.gz");
  it("becomes a workload of memory operations, one unit per profiler step", async () => {
    const w = await loadWorkload(COPIES);
    expect(w.kernels.count).toBe(0);
    expect(w.units.count).toBe(6);
    expect(w.memops.count).toBe(48);
    for (let i = 0; i < w.memops.count; i++) expect(w.memops.bytes[i]).toBe(2 ** 30);
    let memops = 0;
    for (let i = 0; i < w.ops.count; i++) if (w.ops.kind[i] === OP_MEMOP) memops++;
    expect(memops).toBe(48);
  });
});

describe("refusals", () => {
  it("a CPU-only trace has no kernels to replay", async () => {
    await expect(loadWorkload(CPU_ONLY)).rejects.toThrow(/rank-34\.Jul_15_10_52_41\.1074\.pt\.trace\.json\.gz: no GPU kernels/);
  });
});
