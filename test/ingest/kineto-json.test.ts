/**
 * The Kineto (PyTorch profiler) JSON importer against every real Chrome-trace fixture. Expected values are
 * computed here from the raw file (gunzip + JSON.parse, and the raw text for exact timestamps), never by the
 * importer's own code, or taken from shared/fixtures/real/SOURCES.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type * as arrow from "apache-arrow";
import { importTrace } from "../../src/ingest";
import { traceToBytes } from "../../src/trace/io";
import { TABLE_NAMES, type Trace } from "../../src/trace/tables";
import {
  API_CATS, FIXTURES, KERNEL_CATS, MEMOP_CATS, completeEvents, fixture, kinetoFixtures, readDecompressed, readText, rel,
  topLevelNumberText, tsTexts, usTextToNs, type RawEvent, type RawTrace,
} from "../helpers/fixtures";
import { makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { parseIpcStreams } from "../helpers/arrow-ipc";

const FILES = kinetoFixtures();

afterAll(removeTempDirs);

/** One import per file for the whole test file (imports of the same file are compared separately below). */
const imports = new Map<string, Promise<Trace>>();
function load(file: string): Promise<Trace> {
  let p = imports.get(file);
  if (!p) imports.set(file, (p = importTrace(file)));
  return p;
}

const raws = new Map<string, { text: string; doc: RawTrace }>();
function raw(file: string): { text: string; doc: RawTrace } {
  let r = raws.get(file);
  if (!r) {
    const text = readText(file);
    raws.set(file, (r = { text, doc: JSON.parse(text) as RawTrace }));
  }
  return r;
}

function column(table: arrow.Table, name: string): unknown[] {
  const v = table.getChild(name);
  if (!v) throw new Error(`no column ${name}`);
  return [...v] as unknown[];
}

function bigintColumn(table: arrow.Table, name: string): bigint[] {
  return column(table, name) as bigint[];
}

function diagnostics(trace: Trace): Map<string, number> {
  const codes = column(trace.diagnostics, "code") as string[];
  const counts = column(trace.diagnostics, "count") as bigint[];
  return new Map(codes.map((c, i) => [c, Number(counts[i])]));
}

function durNs(e: RawEvent): number {
  return Math.round((e.dur as number) * 1000);
}

/** Kernels whose correlation id is that of a cudaGraphLaunch/cuGraphLaunch call, counted from the raw events. */
function graphLaunchedKernels(doc: RawTrace): number {
  const launches = new Set(
    completeEvents(doc, API_CATS)
      .filter((e) => e.name === "cudaGraphLaunch" || e.name === "cuGraphLaunch")
      .map((e) => e.args?.correlation),
  );
  return completeEvents(doc, KERNEL_CATS).filter((e) => launches.has(e.args?.correlation)).length;
}

const h200 = (name: string) => fixture(`h200/${name}.pt.trace.json.gz`);
const RESNET_BS1 = h200("resnet50_infer_bs1");
const GRAPH = h200("resnet50_graph_infer_bs1");
const LEGACY = fixture("real/kineto/tb_plugin/samples/resnet50_num_workers_0/worker0.1623143089861.pt.trace.json.gz");
const ALEXNET = fixture("real/hta/critical_path/alexnet/benchmark_result_2869224_1695835535_trace.json.gz");
const NS_RESOLUTION = fixture("real/hta/ns_resolution_trace/rank-0.Apr_03_18_51_38.1102.pt.trace.json.gz");
const CPU_ONLY = fixture("real/hta/cpu_only/rank-34.Jul_15_10_52_41.1074.pt.trace.json.gz");
const AMD = fixture("real/hta/amd_trace/mi250_minitoy_train_ROCm6_2_kineto.json.gz");

describe("the list of Kineto fixtures", () => {
  it("holds every Chrome-trace JSON of both fixture folders and nothing that is not one", () => {
    const names = FILES.map(rel);
    expect(names.length).toBeGreaterThanOrEqual(30);
    expect(names.filter((n) => n.startsWith("h200/"))).toHaveLength(7);
    expect(names).toContain("real/hta/trace_filter/sampled_rank-0.json.gz");
    expect(names).toContain("real/kineto/tb_plugin/samples/resnet50_num_workers_0/worker0.1623143089861.pt.trace.json.gz");
    // Execution traces and Chakra JSON are JSON but not Chrome traces.
    expect(names).not.toContain("real/hta/execution_trace/benchmark_simple_add_et.json.gz");
    expect(names.some((n) => n.startsWith("real/chakra/"))).toBe(false);
  });
});

describe.each(FILES.map((f) => [rel(f), f] as const))("Kineto fixture %s", (_name, file) => {
  it("imports without changing the input file's bytes", async () => {
    const before = sha256File(file);
    const trace = await load(file);
    expect(trace.meta.sourceFormat).toBe("kineto-json");
    expect(trace.meta.sourceFile).toBe(path.basename(file));
    expect(sha256File(file)).toBe(before);
  });

  it("has one kernel, memop and api row per kernel, memcpy/memset and runtime/driver event of the raw file", async () => {
    const trace = await load(file);
    const { doc } = raw(file);
    expect(trace.kernels.numRows).toBe(completeEvents(doc, KERNEL_CATS).length);
    expect(trace.memops.numRows).toBe(completeEvents(doc, MEMOP_CATS).length);
    expect(trace.api.numRows).toBe(completeEvents(doc, API_CATS).length);
  });

  it("gives kernels a total duration equal to the sum of the events' dur in µs rounded to whole ns", async () => {
    const trace = await load(file);
    const events = completeEvents(raw(file).doc, KERNEL_CATS);
    const start = bigintColumn(trace.kernels, "start_ns");
    const end = bigintColumn(trace.kernels, "end_ns");
    let got = 0n;
    for (let i = 0; i < start.length; i++) got += end[i] - start[i];
    const expected = events.reduce((s, e) => s + BigInt(durNs(e)), 0n);
    expect(got).toBe(expected);
  });

  it("points each kernel row at its own event through source_row, with that event's name and duration", async () => {
    const trace = await load(file);
    const events = raw(file).doc.traceEvents;
    const rows = bigintColumn(trace.kernels, "source_row").map(Number);
    const names = column(trace.kernels, "name") as string[];
    const start = bigintColumn(trace.kernels, "start_ns");
    const end = bigintColumn(trace.kernels, "end_ns");
    const bad: string[] = [];
    rows.forEach((r, i) => {
      const e = events[r];
      if (!e || e.ph !== "X" || !KERNEL_CATS.has(e.cat ?? "") || e.name !== names[i] || Number(end[i] - start[i]) !== durNs(e)) {
        bad.push(`row ${i} -> event ${r}`);
      }
    });
    expect(bad.slice(0, 5)).toEqual([]);
    expect(new Set(rows).size).toBe(rows.length);
  });

  it("splits memops into memcpy and memset with the events' byte counts, and gives api rows the events' durations", async () => {
    const trace = await load(file);
    const { doc } = raw(file);
    const memcpy = completeEvents(doc, new Set(["gpu_memcpy", "Memcpy"]));
    const memset = completeEvents(doc, new Set(["gpu_memset", "Memset"]));
    const kinds = column(trace.memops, "kind") as string[];
    expect(kinds.filter((k) => k === "memcpy")).toHaveLength(memcpy.length);
    expect(kinds.filter((k) => k === "memset")).toHaveLength(memset.length);
    const bytes = bigintColumn(trace.memops, "bytes").reduce((s, b) => s + b, 0n);
    const rawBytes = [...memcpy, ...memset].reduce((s, e) => s + BigInt(Number(e.args?.bytes ?? 0)), 0n);
    expect(bytes).toBe(rawBytes);
    const start = bigintColumn(trace.api, "start_ns");
    const end = bigintColumn(trace.api, "end_ns");
    const apiNs = start.reduce((s, t, i) => s + (end[i] - t), 0n);
    expect(apiNs).toBe(completeEvents(doc, API_CATS).reduce((s, e) => s + BigInt(durNs(e)), 0n));
  });

  it("lists every (device, stream) that carried a kernel or memop in the streams table", async () => {
    const trace = await load(file);
    const pairs = (t: arrow.Table) => {
      const s = column(t, "stream_id");
      return column(t, "device_id").map((d, i) => `${d}/${s[i]}`);
    };
    const listed = new Set(pairs(trace.streams));
    expect(listed.size).toBe(trace.streams.numRows);
    const used = new Set([...pairs(trace.kernels), ...pairs(trace.memops)]);
    expect([...listed].sort()).toEqual([...used].sort());
  });

  it("lists the devices of deviceProperties with their names and SM counts, and every kernel's device among them", async () => {
    const trace = await load(file);
    const { doc } = raw(file);
    const ids = (column(trace.devices, "device_id") as number[]).map(Number);
    if (doc.deviceProperties && doc.deviceProperties.length > 0) {
      const expected = doc.deviceProperties.map((d, i) => ({ id: d.id ?? i, name: d.name, sms: d.numSms }));
      const got = ids.map((id, i) => ({
        id, name: column(trace.devices, "name")[i], sms: column(trace.devices, "sm_count")[i],
      }));
      expect(got).toEqual(expected);
    }
    const kernelDevices = new Set((column(trace.kernels, "device_id") as number[]).map(Number));
    for (const d of kernelDevices) expect(ids).toContain(d);
  });

  it("counts graph-launched kernels in a kineto.graph_launch_kernels diagnostic exactly when there are some", async () => {
    const trace = await load(file);
    const expected = graphLaunchedKernels(raw(file).doc);
    expect(diagnostics(trace).get("kineto.graph_launch_kernels")).toBe(expected > 0 ? expected : undefined);
  });
});

describe("Kineto import: counts recorded in SOURCES.md", () => {
  const cases: [string, { kernels: number; memops?: number; api?: number }][] = [
    ["real/hta/nccl_parser_config/nccl_data.json.gz", { kernels: 2700, memops: 960 + 114, api: 8740 }],
    ["real/hta/df_index_resolver/df_index_resolver.json.gz", { kernels: 19370, memops: 2040 + 880, api: 42373 }],
    ["real/hta/negative_queue_length_values_check/rank0.json.gz", { kernels: 6080, memops: 1390 + 277, api: 33924 }],
    ["real/tracelens/h100/google_owlv2-large-patch14-ensemble__1016001.json.gz", { kernels: 4330, memops: 85 + 750 }],
    ["real/tracelens/h100/gaunernst_bert-small-uncased__1016001.json.gz", { kernels: 60, api: 110 + 22 }],
    ["real/kineto/tb_plugin/samples/resnet50_num_workers_0/worker0.1623143089861.pt.trace.json.gz", { kernels: 8772, memops: 12 + 312, api: 11923 }],
    ["real/tracelens/b200/eager_trace.json.gz", { kernels: 768, api: 1151 + 221 }],
    ["real/hta/trace_filter/sampled_rank-0.json.gz", { kernels: 1154 }],
    ["real/hta/trace_filter/sampled_rank-1.json.gz", { kernels: 1104 }],
    ["real/hta/amd_trace/mi250_minitoy_train_ROCm6_2_kineto.json.gz", { kernels: 14 }],
    ["real/hta/cpu_only/rank-34.Jul_15_10_52_41.1074.pt.trace.json.gz", { kernels: 0, memops: 0, api: 0 }],
  ];
  it.each(cases)("imports %s with the documented row counts", async (name, want) => {
    const trace = await load(fixture(name));
    expect(trace.kernels.numRows).toBe(want.kernels);
    if (want.memops !== undefined) expect(trace.memops.numRows).toBe(want.memops);
    if (want.api !== undefined) expect(trace.api.numRows).toBe(want.api);
  });
});

describe("Kineto import: devices", () => {
  const cases: [string, string, number][] = [
    ["h200/resnet50_infer_bs1.pt.trace.json.gz", "NVIDIA H200", 132],
    ["h200/bert_infer_bs8.pt.trace.json.gz", "NVIDIA H200", 132],
    ["real/tracelens/h100/Qwen_Qwen1.5-0.5B-Chat__1016005.json.gz", "NVIDIA H100 80GB HBM3", 132],
    ["real/hta/critical_path/alexnet/benchmark_result_2869224_1695835535_trace.json.gz", "NVIDIA A100-PG509-200", 108],
    ["real/hta/negative_queue_length_values_check/rank0.json.gz", "NVIDIA A100-SXM4-80GB", 108],
    ["real/hta/df_index_resolver/df_index_resolver.json.gz", "Tesla V100-SXM2-32GB", 80],
    ["real/hta/trace_diff/test/test.json.gz", "Tesla V100-SXM2-16GB", 80],
    ["real/kineto/tb_plugin/samples/resnet50_num_workers_0/worker0.1623143089861.pt.trace.json.gz", "Tesla V100-DGXS-32GB", 80],
    ["real/tracelens/b200/eager_trace.json.gz", "NVIDIA B200", 148],
  ];
  it.each(cases)("reads the device of %s as %s with %i SMs", async (name, deviceName, sms) => {
    const trace = await load(fixture(name));
    const ids = (column(trace.devices, "device_id") as number[]).map(Number);
    const names = column(trace.devices, "name");
    const smCounts = column(trace.devices, "sm_count");
    // The device the kernels ran on.
    const kernelDevice = Number(column(trace.kernels, "device_id")[0]);
    const i = ids.indexOf(kernelDevice);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(names[i]).toBe(deviceName);
    expect(smCounts[i]).toBe(sms);
  });
});

describe("Kineto import: formats and edge cases", () => {
  it("gives the 2021 legacy trace (tid \"stream 7\", cat Kernel) stream_id 7 for all its kernels", async () => {
    const { doc } = raw(LEGACY);
    const events = completeEvents(doc, KERNEL_CATS);
    expect(events.every((e) => e.cat === "Kernel" && e.tid === "stream 7")).toBe(true);
    const trace = await load(LEGACY);
    const streams = new Set(column(trace.kernels, "stream_id"));
    expect([...streams]).toEqual([7]);
    expect(trace.kernels.numRows).toBe(8772);
  });

  it("imports the CPU-only trace with no kernels and a kineto.no_gpu_events diagnostic", async () => {
    const trace = await load(CPU_ONLY);
    expect(trace.kernels.numRows).toBe(0);
    expect(trace.memops.numRows).toBe(0);
    expect(diagnostics(trace).get("kineto.no_gpu_events")).toBeGreaterThan(0);
  });

  it("imports the AMD MI250 trace's 14 kernels with a kineto.non_nvidia diagnostic", async () => {
    const trace = await load(AMD);
    expect(trace.kernels.numRows).toBe(14);
    expect(diagnostics(trace).has("kineto.non_nvidia")).toBe(true);
  });

  it("does not flag NVIDIA traces as non-NVIDIA", async () => {
    expect(diagnostics(await load(RESNET_BS1)).has("kineto.non_nvidia")).toBe(false);
    expect(diagnostics(await load(LEGACY)).has("kineto.non_nvidia")).toBe(false);
  });

  it.each(["real/hta/trace_filter/sampled_rank-0.json.gz", "real/hta/trace_filter/sampled_rank-1.json.gz"])(
    "imports the HTA-sampled %s, which has no deviceProperties, with devices inferred from its kernels",
    async (name) => {
      const file = fixture(name);
      expect(raw(file).doc.deviceProperties).toBeUndefined();
      const trace = await load(file);
      expect(trace.kernels.numRows).toBe(completeEvents(raw(file).doc, KERNEL_CATS).length);
      const kernelDevices = [...new Set((column(trace.kernels, "device_id") as number[]).map(Number))].sort();
      expect((column(trace.devices, "device_id") as number[]).map(Number).sort()).toEqual(kernelDevices);
      expect(diagnostics(trace).has("kineto.no_device_properties")).toBe(true);
    },
  );

  it("fills every kernel's process_id with the pid of the runtime call that has its correlation id", async () => {
    const { doc } = raw(RESNET_BS1);
    const pidOf = new Map<unknown, unknown>();
    for (const e of completeEvents(doc, API_CATS)) pidOf.set(e.args?.correlation, e.pid);
    const trace = await load(RESNET_BS1);
    const pids = column(trace.kernels, "process_id");
    const corr = column(trace.kernels, "correlation_id");
    expect(pids.length).toBe(6840);
    expect(pids.filter((p) => p === null)).toHaveLength(0);
    const mismatched = pids.filter((p, i) => Number(p) !== pidOf.get(Number(corr[i])));
    expect(mismatched).toHaveLength(0);
  });

  it("imports the CUDA-graph trace's 6840 kernels and reports them in kineto.graph_launch_kernels", async () => {
    const trace = await load(GRAPH);
    expect(trace.kernels.numRows).toBe(6840);
    const n = diagnostics(trace).get("kineto.graph_launch_kernels");
    expect(n).toBeGreaterThan(0);
    expect(n).toBe(graphLaunchedKernels(raw(GRAPH).doc));
  });

  it("imports an uncompressed .json copy of a gzipped fixture into the same tables", async () => {
    const dir = makeTempDir();
    const plain = path.join(dir, "resnet50_infer_bs1.pt.trace.json");
    fs.writeFileSync(plain, readDecompressed(RESNET_BS1));
    const a = await load(RESNET_BS1);
    const b = await importTrace(plain);
    expect({ ...b.meta, sourceFile: "" }).toEqual({ ...a.meta, sourceFile: "" });
    expect(b.meta.sourceFile).toBe("resnet50_infer_bs1.pt.trace.json");
    for (const name of TABLE_NAMES) {
      const ta = a.tables[name];
      const tb = b.tables[name];
      expect(tb.numRows, name).toBe(ta.numRows);
      for (const f of ta.schema.fields) expect(column(tb, f.name), `${name}.${f.name}`).toEqual(column(ta, f.name));
    }
  });

  it("gives the same bytes when the same file is imported twice", async () => {
    for (const file of [RESNET_BS1, LEGACY]) {
      const a = traceToBytes(await importTrace(file));
      const b = traceToBytes(await importTrace(file));
      // Dictionary ids are written in each schema and DictionaryBatch; they must not depend on what ran before.
      const dictionaryIds = (bytes: Uint8Array) => parseIpcStreams(bytes).map((s) => s.fieldDictionaryIds);
      expect(dictionaryIds(b), rel(file)).toEqual(dictionaryIds(a));
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b)), rel(file)).toBe(0);
    }
  });
});

describe("Kineto import: time base and exact timestamps", () => {
  const H200_FILES = FILES.filter((f) => rel(f).startsWith("h200/"));

  it.each(H200_FILES.map(rel))("sets the time base of the relative-ts trace %s to its baseTimeNanoseconds", async (name) => {
    const file = path.join(FIXTURES, name);
    const base = topLevelNumberText(raw(file).text, "baseTimeNanoseconds");
    expect(base).not.toBeNull();
    const trace = await load(file);
    expect(trace.meta.timeBaseEpochNs).toBe(BigInt(base as string));
  });

  it("gives the absolute-µs AlexNet trace a time base", async () => {
    expect(topLevelNumberText(raw(ALEXNET).text, "baseTimeNanoseconds")).toBeNull();
    const trace = await load(ALEXNET);
    expect(trace.meta.timeBaseEpochNs).not.toBeNull();
    // 2023-09-27, when the trace was taken (its file name holds the epoch second 1695835535).
    expect(Number((trace.meta.timeBaseEpochNs as bigint) / 1_000_000_000n)).toBeGreaterThan(1695835535 - 86400);
    expect(Number((trace.meta.timeBaseEpochNs as bigint) / 1_000_000_000n)).toBeLessThan(1695835535 + 86400);
  });

  /**
   * For every kernel event: the absolute ns from the raw `ts` text (integer part × 1000 + the 3 decimals,
   * plus baseTimeNanoseconds if the file has one) must equal time base + start_ns, to the nanosecond.
   */
  async function expectExactKernelStarts(file: string, limit = Infinity): Promise<number> {
    const { text, doc } = raw(file);
    const texts = tsTexts(text);
    const withTs = doc.traceEvents.map((e, i) => [e, i] as const).filter(([e]) => e.ts !== undefined);
    // The regex found exactly the events' ts, in order: the k-th text is the k-th event's ts.
    expect(texts.length).toBe(withTs.length);
    const baseText = topLevelNumberText(text, "baseTimeNanoseconds");
    const fileBase = baseText === null ? 0n : BigInt(baseText);
    const expectedByEvent = new Map<number, bigint>();
    withTs.forEach(([e, index], k) => {
      expect(Number(texts[k])).toBe(e.ts);
      if (e.ph === "X" && KERNEL_CATS.has(e.cat ?? "")) expectedByEvent.set(index, usTextToNs(texts[k]) + fileBase);
    });
    const trace = await load(file);
    const base = trace.meta.timeBaseEpochNs;
    expect(base).not.toBeNull();
    const rows = bigintColumn(trace.kernels, "source_row").map(Number);
    const start = bigintColumn(trace.kernels, "start_ns");
    const order = rows.map((r, i) => [r, i]).sort((a, b) => a[0] - b[0]).slice(0, limit);
    let checked = 0;
    const wrong: string[] = [];
    for (const [r, i] of order) {
      const expected = expectedByEvent.get(r);
      const got = (base as bigint) + start[i];
      if (expected !== got) wrong.push(`event ${r}: expected ${expected}, got ${got}`);
      checked++;
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    return checked;
  }

  it("places the first 50 kernels of the H200 resnet50_infer_bs1 trace at the exact ns of their ts text plus baseTimeNanoseconds", async () => {
    expect(await expectExactKernelStarts(RESNET_BS1, 50)).toBe(50);
  });

  it.each([
    ["h200/bert_infer_bs1.pt.trace.json.gz"],
    ["real/hta/ns_resolution_trace/rank-0.Apr_03_18_51_38.1102.pt.trace.json.gz"],
    ["real/hta/critical_path/alexnet/benchmark_result_2869224_1695835535_trace.json.gz"],
    ["real/kineto/tb_plugin/samples/resnet50_num_workers_0/worker0.1623143089861.pt.trace.json.gz"],
    ["real/tracelens/b200/eager_trace.json.gz"],
  ])("places every kernel of %s at the exact absolute ns of its ts text", async (name) => {
    const file = fixture(name);
    expect(await expectExactKernelStarts(file)).toBe(completeEvents(raw(file).doc, KERNEL_CATS).length);
  });

  it("keeps sub-µs precision of absolute epoch timestamps that float64 cannot hold (ns_resolution_trace)", async () => {
    const { text } = raw(NS_RESOLUTION);
    // The file's first kernel ts has a fraction that float64 rounds at this magnitude (ulp 0.25 µs).
    const trace = await load(NS_RESOLUTION);
    const start = bigintColumn(trace.kernels, "start_ns");
    const fracs = new Set(start.map((s) => Number((((trace.meta.timeBaseEpochNs as bigint) + s) % 1000n))));
    // With float64 rounding only multiples of 250 ns would appear; the raw text has arbitrary 3-digit fractions.
    expect([...fracs].some((f) => f % 250 !== 0)).toBe(true);
    expect(text).toMatch(/"ts": \d{16}\.\d{3}/);
  });
});
