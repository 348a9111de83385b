/** HTA-style trace analyses on real traces, each checked against sums made here independently from the raw columns. */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { idleTimeBreakdown } from "../../src/analysis/idle-time";
import { kernelLaunchStats } from "../../src/analysis/launch-stats";
import { COMMUNICATION_KERNEL, temporalBreakdown } from "../../src/analysis/temporal-breakdown";
import { compareTraces } from "../../src/analysis/trace-diff";
import { iterationTimeline } from "../../src/analysis/iterations";
import { rightSizingCurves } from "../../src/analysis/right-sizing-curves";
import { calibrationFor } from "../../src/gpu/calibration";
import { gpuSpec } from "../../src/gpu/specs";
import { traceInfo } from "../../src/analysis/trace-info";
import { importTrace } from "../../src/ingest";
import { dictColumn, numberColumn } from "../../src/trace/access";
import type { Trace } from "../../src/trace/tables";
import { H200, REAL, REPO_ROOT } from "../helpers/fixtures";

let ddp: Trace, graph: Trace, control: Trace, test: Trace;
beforeAll(async () => {
  ddp = await importTrace(path.join(REAL, "hta/nccl_parser_config/nccl_data.json.gz"));
  graph = await importTrace(path.join(H200, "resnet50_graph_infer_bs1.pt.trace.json.gz"));
  control = await importTrace(path.join(REAL, "hta/trace_diff/control/control.json.gz"));
  test = await importTrace(path.join(REAL, "hta/trace_diff/test/test.json.gz"));
}, 120_000);

/** Length of the union of intervals, by sorting on start and merging (independent of the analyses' sweeps). */
function unionNs(starts: number[], ends: number[]): number {
  const order = starts.map((_, i) => i).sort((a, b) => starts[a]! - starts[b]!);
  let total = 0, s = -Infinity, e = -Infinity;
  for (const i of order) {
    if (starts[i]! > e) { if (e > s) total += e - s; s = starts[i]!; e = ends[i]!; } else e = Math.max(e, ends[i]!);
  }
  return total + (e > s ? e - s : 0);
}

function ops(trace: Trace, table: "kernels" | "memops", keep: (i: number) => boolean = () => true) {
  const t = trace[table];
  const s = numberColumn(t, "start_ns"), e = numberColumn(t, "end_ns");
  const idx = [...s.keys()].filter(keep);
  return { s: idx.map((i) => s[i]!), e: idx.map((i) => e[i]!) };
}

describe("temporal breakdown", () => {
  it("splits the DDP trace's GPU span into compute, NCCL communication, memory and idle, adding up exactly", () => {
    const [r] = temporalBreakdown(ddp).rows;
    expect(r!.compute_ns + r!.communication_ns + r!.memory_ns + r!.idle_ns).toBe(r!.span_ns);
    const k = ops(ddp, "kernels"), m = ops(ddp, "memops");
    // Kernels cover compute + communication; memops add memory time only where no kernel runs.
    expect(r!.compute_ns + r!.communication_ns).toBe(unionNs(k.s, k.e));
    expect(r!.compute_ns + r!.communication_ns + r!.memory_ns).toBe(unionNs([...k.s, ...m.s], [...k.e, ...m.e]));
    const { codes, values } = dictColumn(ddp.kernels, "name");
    const nccl = ops(ddp, "kernels", (i) => COMMUNICATION_KERNEL.test(values[codes[i]!]!));
    expect(nccl.s).toHaveLength(21); // SOURCES.md: 21 NCCL kernels
    expect(r!.communication_ns).toBeGreaterThan(0);
    expect(r!.communication_ns).toBeLessThanOrEqual(unionNs(nccl.s, nccl.e));
    const info = traceInfo(ddp);
    expect(r!.span_ns).toBe(info.span!.duration_ns);
  });

  it("draws one stacked bar per GPU adding up to 100%", () => {
    const a = temporalBreakdown(graph);
    expect(a.figure.data).toHaveLength(4);
    const sum = a.figure.data.reduce((s, t) => s + (t.y as number[])[0]!, 0);
    expect(sum).toBeCloseTo(100, 9);
    expect(a.frame.shape).toEqual([1, 10]);
  });
});

describe("idle time breakdown", () => {
  it("gives each stream busy + idle = span, idle = host wait + kernel wait + other", () => {
    for (const trace of [ddp, graph]) {
      const rows = idleTimeBreakdown(trace).rows;
      const dev = numberColumn(trace.kernels, "device_id"), str = numberColumn(trace.kernels, "stream_id");
      const mDev = numberColumn(trace.memops, "device_id"), mStr = numberColumn(trace.memops, "stream_id");
      for (const r of rows) {
        expect(r.busy_ns + r.idle_ns).toBe(r.span_ns);
        expect(r.host_wait_ns + r.kernel_wait_ns + r.other_ns).toBe(r.idle_ns);
        const k = ops(trace, "kernels", (i) => dev[i] === r.device && str[i] === r.stream);
        const m = ops(trace, "memops", (i) => mDev[i] === r.device && mStr[i] === r.stream);
        expect(r.ops).toBe(k.s.length + m.s.length);
        expect(r.busy_ns).toBe(unionNs([...k.s, ...m.s], [...k.e, ...m.e]));
      }
    }
  });

  it("puts a CUDA-graph service's gaps between requests down to the host, and its in-graph gaps to kernel wait", () => {
    const [r] = idleTimeBreakdown(graph).rows;
    // 20 requests, one graph launch each, with host time between them: most idle time waits for the host.
    expect(r!.host_wait_pct).toBeGreaterThan(50);
    expect(r!.kernel_wait_ns).toBeGreaterThan(0);
    // A longer short-gap threshold moves gaps from other to kernel wait, never into host wait.
    const wide = idleTimeBreakdown(graph, { shortGapNs: 1e9 }).rows[0]!;
    expect(wide.host_wait_ns).toBe(r!.host_wait_ns);
    expect(wide.other_ns).toBe(0);
  });
});

describe("kernel launch statistics", () => {
  it("links every kernel of the DDP trace to its launch call and flags short kernels and long delays", () => {
    const s = kernelLaunchStats(ddp);
    expect(s.totals.kernels).toBe(2700);
    expect(s.totals.linked).toBe(2700);
    expect(s.totals.median_delay_us).toBeGreaterThan(0);
    expect(s.totals.p99_delay_us).toBeGreaterThanOrEqual(s.totals.median_delay_us);
    expect(s.totals.short).toBeGreaterThan(0);
    expect(s.totals.short).toBeLessThanOrEqual(s.totals.linked);
    // Rows: longest mean delay first; a tighter threshold flags at least as many.
    const delays = s.rows.map((r) => r.mean_delay_us);
    expect(delays).toEqual([...delays].sort((a, b) => b - a));
    expect(kernelLaunchStats(ddp, { longDelayNs: 10_000 }).totals.long_delay).toBeGreaterThanOrEqual(s.totals.long_delay);
  });
});

describe("kernel launch statistics of a CUDA-graph service", () => {
  it("gives each graph launch one delay, its first kernel's, and compares no graph kernel with the launch call", () => {
    const s = kernelLaunchStats(graph);
    expect(s.totals.graph_kernels).toBe(6840); // 20 requests × 342 kernels, one cudaGraphLaunch each
    expect(s.totals.linked).toBe(20);
    expect(s.totals.short).toBe(0);
    // CUPTI delays a profiled graph's first kernel by ~0.2 ms (README, "Replaying shared GPUs").
    expect(s.totals.median_delay_us).toBeGreaterThan(100);
    expect(s.totals.median_delay_us).toBeLessThan(1000);
  });
});

describe("trace comparison", () => {
  it("finds nothing changed between a trace and itself", () => {
    const d = compareTraces(control, control);
    expect(d.rows.every((r) => r.delta_us === 0 && r.status === "both")).toBe(true);
    expect(d.totals.delta_us).toBe(0);
  });

  it("accounts for all kernel time of HTA's control and test traces, and names kernels only in one", () => {
    const d = compareTraces(control, test);
    expect(d.totals.before_us).toBeCloseTo(traceInfo(control).kernel_time_ns / 1e3, 6);
    expect(d.totals.after_us).toBeCloseTo(traceInfo(test).kernel_time_ns / 1e3, 6);
    const a = new Set(dictColumn(control.kernels, "name").values), b = new Set(dictColumn(test.kernels, "name").values);
    expect(d.totals.added).toBe([...b].filter((n) => !a.has(n)).length);
    expect(d.totals.removed).toBe([...a].filter((n) => !b.has(n)).length);
    const deltas = d.rows.map((r) => Math.abs(r.delta_us));
    expect(deltas).toEqual([...deltas].sort((x, y) => y - x));
    expect(d.figure.data[0]!.x as number[]).toHaveLength(Math.min(15, d.rows.length));
  });
});

describe("per-iteration timeline", () => {
  it("gives the BERT graph service's 20 profiler steps, every kernel in exactly one of them", async () => {
    const bert = await importTrace(path.join(REPO_ROOT, "traces/h200-extra/bert_graph_infer_bs1.pt.trace.json.gz"));
    const it20 = iterationTimeline(bert);
    expect(it20.rows).toHaveLength(20);
    expect(it20.rows.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => expect.stringMatching(/^ProfilerStep#\d+$/)));
    expect(it20.rows.reduce((s, r) => s + r.kernels, 0)).toBe(7760);
    expect(it20.rows.every((r) => r.kernels === 388)).toBe(true);
    const kernelMs = traceInfo(bert).kernel_time_ns / 1e6;
    expect(it20.rows.reduce((s, r) => s + r.kernel_ms, 0)).toBeCloseTo(kernelMs, 6);
  });
});

describe("right-sizing curves", () => {
  it("plots the top kernels' predicted speed against TPCs on the trace's GPU, 1 at all TPCs, from the timing model", () => {
    const c = rightSizingCurves(graph, { top: 4 });
    expect(c.rows).toHaveLength(4);
    const h200 = gpuSpec("h200");
    for (const [k, d] of c.figure.data.entries()) {
      const y = d.y as number[];
      expect(y).toHaveLength(66);
      expect(y.at(-1)).toBeCloseTo(1, 12);
      expect(c.rows[k]!.tpcs_within_10pct).toBeGreaterThanOrEqual(1);
      expect(c.rows[k]!.tpcs_within_10pct).toBeLessThanOrEqual(66);
      // Never faster on fewer TPCs.
      for (let t = 1; t < y.length; t++) expect(y[t]!).toBeGreaterThanOrEqual(y[t - 1]! - 1e-9);
    }
    // Shares: the top kernel first.
    expect(c.rows[0]!.share_pct).toBeGreaterThanOrEqual(c.rows[1]!.share_pct);
    // The curve is the timing model's: its value at 33 TPCs is the prediction on 66 SMs over the one on 132.
    const top = c.rows[0]!;
    const launch = (() => { const i = dictColumn(graph.kernels, "name").values.indexOf(top.name); return i; })();
    expect(launch).toBeGreaterThanOrEqual(0);
    expect(calibrationFor(h200).timing).toBeDefined();
    expect(() => rightSizingCurves(graph, { gpu: "Voodoo 2" })).toThrow(/no GPU model for device "Voodoo 2"/);
  });
});

