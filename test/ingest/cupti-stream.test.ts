/**
 * The raw CUPTI stream importer (src/ingest/cupti-stream). Two halves:
 * - the real stream in traces/cupti-rn50 (tools/cupti-collector on an H200/H100, ResNet-50 inference), checked against
 *   the Kineto trace of the same workload, iteration by iteration (the two profilers ran in separate processes: see
 *   traces/cupti-rn50/README.md);
 * - streams encoded here with protobufjs from schemas/cupti.proto, for edge cases the real file lacks and for damage
 *   (cut, corrupt length, wrong magic), which must end in one ImportError and, from the CLI, status 2.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type * as arrow from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importTrace, ImportError } from "../../src/ingest";
import { cuptiStreamImporter } from "../../src/ingest/cupti-stream";
import { schemaType } from "../../src/util/schemas";
import { buildPackage, refusalLine, runCli } from "../helpers/cli";
import { listDir, makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { expectImportRefused } from "../helpers/refusals";
import type { Trace } from "../../src/trace/tables";

afterAll(removeTempDirs);

function column(table: arrow.Table, name: string): unknown[] {
  const v = table.getChild(name);
  if (!v) throw new Error(`no column ${name}`);
  return [...v] as unknown[];
}
const nums = (table: arrow.Table, name: string): number[] => column(table, name).map((x) => (x === null ? NaN : Number(x)));
function diag(trace: Trace, code: string): number {
  const codes = column(trace.diagnostics, "code") as string[];
  const i = codes.indexOf(code);
  return i < 0 ? 0 : Number(column(trace.diagnostics, "count")[i]);
}

// ---------------------------------------------------------------------------------------------------------------
// Streams encoded with protobufjs

const Header = schemaType("cupti.proto", "lithos.cupti.Header");
const Record = schemaType("cupti.proto", "lithos.cupti.Record");
/** A CUPTI timestamp above 2^53 (real ones are ~1.7e18 ns), so the 64-bit path is exercised. */
const T0 = 1_765_000_000_000_000_123n;
const EPOCH = 1_765_000_000_500_000_000n;
const at = (dt: number): string => (T0 + BigInt(dt)).toString();

const HEADER = {
  magic: "LITHOS-CUPTI", version: 1, cupti_api_version: 130001, cuda_driver_version: 13000, cuda_header_version: 13000,
  kernel_record: "CUpti_ActivityKernel10", process_id: 4242, cupti_start_ns: T0.toString(), epoch_start_ns: EPOCH.toString(),
  latency_timestamps: true, collector: "lithos-cupti-collector 1", names_demangled: true,
};

function encodeStream(header: object, records: object[]): Buffer {
  const parts = [Buffer.from(Header.encodeDelimited(Header.fromObject(header)).finish())];
  for (const r of records) parts.push(Buffer.from(Record.encodeDelimited(Record.fromObject(r)).finish()));
  return Buffer.concat(parts);
}

/** What the real file lacks: a graph launch, a CBL launch, a kernel without timestamps, dropped records, an event
 *  sync whose stream does not apply, an API call after its sync, a device record last, and an unknown record kind. */
const EDGE_RECORDS: object[] = [
  { sync: { start: at(5000), end: at(9000), type: 1, context_id: 1, stream_id: 0xffffffff, event_id: 77, correlation_id: 12 } },
  { kernel: { start: at(1000), end: at(3500), queued: at(400), submitted: at(600), device_id: 0, context_id: 1, stream_id: 7,
      correlation_id: 11, grid_x: 132, grid_y: 1, grid_z: 1, block_x: 256, block_y: 1, block_z: 1, registers_per_thread: 40,
      static_shared_memory: 1024, dynamic_shared_memory: 49152, launch_type: 0, graph_id: 3, graph_node_id: "12884901889",
      name: "void gemm<float>(float*, int)" } },
  { kernel: { start: at(4000), end: at(4200), device_id: 0, context_id: 1, stream_id: 13, correlation_id: 14, launch_type: 3,
      grid_x: 1, grid_y: 1, grid_z: 1, block_x: 32, block_y: 1, block_z: 1, name: "cbl_kernel" } },
  { kernel: { start: 0, end: 0, device_id: 0, context_id: 1, stream_id: 7, correlation_id: 15, name: "no_time" } },
  { memcpy: { start: at(100), end: at(900), bytes: "5000000000", copy_kind: 1, src_kind: 2, dst_kind: 3, device_id: 0, context_id: 1,
      stream_id: 7, correlation_id: 10 } },
  { memset: { start: at(950), end: at(990), bytes: 4096, value: 0x5a, memory_kind: 3, device_id: 0, context_id: 1, stream_id: 7, correlation_id: 16 } },
  { api: { driver: false, cbid: 211, name: "cudaLaunchKernel_v7000", start: at(200), end: at(300), process_id: 4242, thread_id: 99,
      correlation_id: 11 } },
  { api: { driver: true, cbid: 1, name: "cuEventSynchronize", start: at(4900), end: at(9100), process_id: 4242, thread_id: 98,
      correlation_id: 12 } },
  { overhead: { overhead_kind: 65536, object_kind: 2, start: at(10), end: at(20) } },
  { dropped: { context_id: 1, stream_id: 7, count: 3 } },
  { device: { device_id: 0, name: "NVIDIA H200", sm_count: 132, clock_khz: 1980000, total_mem_bytes: "150000000000",
      compute_major: 9, compute_minor: 0, l2_bytes: 62914560, mem_clock_khz: 3201000, mem_bus_width_bits: 6144 } },
];
/** A Record with only an unknown field (99, varint 1): what a newer collector's record kind looks like to this reader. */
const UNKNOWN_RECORD = Buffer.from([3, (99 << 3) & 0x7f | 0x80, 99 >> 4, 1]);

function writeTemp(name: string, bytes: Buffer): string {
  const file = path.join(makeTempDir("lithos-cupti-"), name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe("cupti-stream importer on encoded streams", () => {
  const stream = Buffer.concat([encodeStream(HEADER, EDGE_RECORDS), UNKNOWN_RECORD]);

  it("is detected by the header's magic and maps every record kind", async () => {
    expect(cuptiStreamImporter.sniff(stream.subarray(0, 64), "x.pb")).toBe(true);
    const trace = await importTrace(writeTemp("edge.pb", stream));
    expect(trace.meta.sourceFormat).toBe("cupti-stream");
    expect(trace.meta.timeBaseEpochNs).toBe(EPOCH);
    expect(trace.meta.sourceTool).toContain("CUpti_ActivityKernel10");

    expect(trace.kernels.numRows).toBe(2); // the kernel without timestamps is skipped and counted
    expect(diag(trace, "cupti.gpu_record_without_time")).toBe(1);
    expect(nums(trace.kernels, "start_ns")).toEqual([1000, 4000]);
    expect(nums(trace.kernels, "end_ns")).toEqual([3500, 4200]);
    expect(column(trace.kernels, "launch_type")).toEqual(["regular", "cbl_commandlist"]);
    expect(nums(trace.kernels, "graph_id")).toEqual([3, NaN]);
    expect(nums(trace.kernels, "graph_node_id")).toEqual([12884901889, NaN]);
    expect(nums(trace.kernels, "smem_bytes")).toEqual([1024 + 49152, 0]);
    expect(nums(trace.kernels, "process_id")).toEqual([4242, 4242]);

    expect(column(trace.memops, "kind")).toEqual(["memcpy", "memset"]);
    expect(column(trace.memops, "copy_kind")).toEqual(["HtoD", null]);
    expect(column(trace.memops, "src_kind")).toEqual(["Pinned", null]);
    expect(column(trace.memops, "dst_kind")).toEqual(["Device", "Device"]);
    expect(nums(trace.memops, "bytes")).toEqual([5_000_000_000, 4096]);
    expect(nums(trace.memops, "value")).toEqual([NaN, 0x5a]);

    expect(column(trace.api, "name")).toEqual(["cudaLaunchKernel", "cuEventSynchronize"]);
    expect(column(trace.api, "domain")).toEqual(["runtime", "driver"]);
    expect(column(trace.api, "sync_kind")).toEqual([null, "event"]);

    // the sync came first in the stream; its device and thread are resolved from later records
    expect(trace.syncs.numRows).toBe(1);
    expect(column(trace.syncs, "sync_kind")).toEqual(["event"]);
    expect(nums(trace.syncs, "stream_id")).toEqual([NaN]);
    expect(nums(trace.syncs, "event_id")).toEqual([77]);
    expect(nums(trace.syncs, "device_id")).toEqual([0]);
    expect(nums(trace.syncs, "thread_id")).toEqual([98]);

    expect(column(trace.devices, "name")).toEqual(["NVIDIA H200"]);
    expect(nums(trace.devices, "clock_hz")).toEqual([1_980_000_000]);
    expect(nums(trace.devices, "mem_bandwidth_bytes_per_s")).toEqual([2 * 3_201_000_000 * 768]);
    expect(nums(trace.streams, "stream_id")).toEqual([7, 13]);
    expect(nums(trace.processes, "process_id")).toEqual([4242]);
    expect(diag(trace, "cupti.dropped_records")).toBe(3);
    expect(diag(trace, "cupti.overhead_records")).toBe(1);
    expect(diag(trace, "cupti.unknown_record")).toBe(1);
  });

  it("reads a gzipped stream the same way", async () => {
    const plain = await importTrace(writeTemp("edge.pb", stream));
    const gz = await importTrace(writeTemp("edge.pb.gz", zlib.gzipSync(stream)));
    expect(gz.kernels.numRows).toBe(plain.kernels.numRows);
    expect(column(gz.kernels, "name")).toEqual(column(plain.kernels, "name"));
  });

  it("reads a stream of one header and no records, saying it has no kernels", async () => {
    const trace = await importTrace(writeTemp("empty.pb", encodeStream(HEADER, [])));
    expect(trace.kernels.numRows).toBe(0);
    expect(diag(trace, "cupti.no_kernels")).toBe(1);
  });

  const BAD: [string, () => string, RegExp, string?][] = [
    ["a stream cut inside a message", () => writeTemp("cut.pb", stream.subarray(0, stream.length - 2)), /truncated.*inside message/],
    ["a stream cut inside a length prefix", () => writeTemp("cut2.pb", Buffer.concat([encodeStream(HEADER, []), Buffer.from([0x80])])), /truncated.*length prefix/],
    ["a corrupt length varint", () => writeTemp("varint.pb", Buffer.concat([encodeStream(HEADER, []), Buffer.alloc(11, 0xff)])), /corrupt length prefix/],
    ["an impossible length", () => writeTemp("len.pb", Buffer.concat([encodeStream(HEADER, []), Buffer.from([0xff, 0xff, 0xff, 0x7f])])), /corrupt length prefix.*bytes/],
    ["a record that does not decode", () => writeTemp("rec.pb", Buffer.concat([encodeStream(HEADER, []), Buffer.from([2, 0x0f, 0x01])])), /message 1 .*does not decode/],
    ["a wrong magic (format forced)", () => writeTemp("magic.pb", encodeStream({ ...HEADER, magic: "NOT-CUPTI" }, [])), /header magic is "NOT-CUPTI"/, "cupti-stream"],
    ["an unsupported version", () => writeTemp("ver.pb", encodeStream({ ...HEADER, version: 9 }, [])), /version 9 is not supported/],
    ["a header without a start timestamp", () => writeTemp("t0.pb", encodeStream({ ...HEADER, cupti_start_ns: 0 }, [])), /no CUPTI start timestamp/],
    ["an empty file", () => writeTemp("zero.pb", Buffer.alloc(0)), /empty file/, "cupti-stream"],
  ];

  it.each(BAD)("refuses %s with one ImportError naming the file", async (_n, make, cause, format) => {
    await expectImportRefused(make(), cause, format);
  });

  describe("from the command line", () => {
    beforeAll(() => buildPackage(), 300_000);
    it("exits 2 on a cut stream, one stderr line, no output, input unchanged", () => {
      const input = writeTemp("cut.pb", stream.subarray(0, stream.length - 5));
      const before = sha256File(input);
      const siblings = listDir(path.dirname(input));
      const out = makeTempDir("lithos-cupti-out-");
      const line = refusalLine(runCli(["import", input, "-o", path.join(out, "x.arrow")]));
      expect(line).toContain(input);
      expect(line.slice(line.indexOf(input) + input.length)).toMatch(/truncated/);
      expect(listDir(out)).toEqual([]);
      expect(sha256File(input)).toBe(before);
      expect(listDir(path.dirname(input))).toEqual(siblings);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A stream written by the collector's own C++ encoders (tools/cupti-collector/selftest.sh, no GPU needed)

describe("the collector's hand-written encoding (tools/cupti-collector/selftest.cupti.pb)", () => {
  it("decodes with protobufjs to the values selftest.cpp put in the CUPTI structs", async () => {
    const trace = await importTrace(path.resolve(__dirname, "../../tools/cupti-collector/selftest.cupti.pb"));
    expect(trace.meta.timeBaseEpochNs).toBe(1_765_000_000_500_000_000n);
    // a 64-bit timestamp above 2^53 minus the header's, exactly
    expect(nums(trace.kernels, "start_ns")).toEqual([1000]);
    expect(column(trace.kernels, "name")).toEqual(["gemm(float*, int)"]); // demangled from _Z4gemmPfi
    expect(nums(trace.kernels, "grid_z")).toEqual([-1]); // a negative int32: a 10-byte varint
    expect(column(trace.kernels, "launch_type")).toEqual(["cooperative_single_device"]);
    expect(nums(trace.kernels, "graph_node_id")).toEqual([12884901889]);
    expect(nums(trace.kernels, "smem_bytes")).toEqual([50176]);
    expect(column(trace.memops, "copy_kind")).toEqual(["DtoH", null]);
    expect(column(trace.memops, "src_kind")).toEqual(["Device", null]);
    expect(column(trace.memops, "dst_kind")).toEqual(["Pageable", "Device"]);
    expect(nums(trace.memops, "bytes")).toEqual([5_000_000_000, 123457]);
    expect(nums(trace.memops, "value")).toEqual([NaN, 0x5a]);
    expect(column(trace.syncs, "sync_kind")).toEqual(["context"]);
    expect(nums(trace.syncs, "stream_id")).toEqual([NaN]);
    expect(column(trace.api, "name")).toEqual(["cudaLaunchKernel"]); // cuptiGetCallbackName, _v7000 stripped
    expect(nums(trace.devices, "sm_count")).toEqual([132]);
    expect(diag(trace, "cupti.dropped_records")).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The real stream against Kineto

const RN50 = path.resolve(__dirname, "../../traces/cupti-rn50");
const CUPTI_FILE = path.join(RN50, "rn50.cupti.pb.gz");
const KINETO_FILE = path.join(RN50, "rn50.kineto.json.gz");
/** tools/cupti-collector/rn50_run.py: 5 iterations, each opened by a memset of MARKER_BYTES, one more after the last. */
const ITERS = 5;
const MARKER_BYTES = 123457;

interface Iteration { names: string[]; durations: number[] }

/** Kernels between consecutive marker memsets, in start order. */
function iterations(trace: Trace): Iteration[] {
  const kinds = column(trace.memops, "kind"), bytes = nums(trace.memops, "bytes"), mStart = nums(trace.memops, "start_ns");
  const marks = mStart.filter((_, i) => kinds[i] === "memset" && bytes[i] === MARKER_BYTES).sort((a, b) => a - b);
  expect(marks).toHaveLength(ITERS + 1);
  const start = nums(trace.kernels, "start_ns"), end = nums(trace.kernels, "end_ns");
  const names = column(trace.kernels, "name") as string[];
  const order = start.map((_, i) => i).sort((a, b) => start[a] - start[b]);
  return marks.slice(0, ITERS).map((m, it) => {
    const inIt = order.filter((i) => start[i] > m && start[i] < marks[it + 1]);
    return { names: inIt.map((i) => names[i]), durations: inIt.map((i) => end[i] - start[i]) };
  });
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

describe.skipIf(!fs.existsSync(CUPTI_FILE))("the real collector stream (traces/cupti-rn50) against Kineto", () => {
  let cupti: Trace;
  let kineto: Trace;
  beforeAll(async () => {
    cupti = await importTrace(CUPTI_FILE);
    kineto = await importTrace(KINETO_FILE);
  }, 120_000);

  it("imports as cupti-stream with a stated time base, a device and the process", () => {
    expect(cupti.meta.sourceFormat).toBe("cupti-stream");
    expect(cupti.meta.timeBaseEpochNs).not.toBeNull();
    // the collector ran in 2026 (Unix seconds between 2026-01-01 and 2027-01-01)
    const s = Number((cupti.meta.timeBaseEpochNs as bigint) / 1_000_000_000n);
    expect(s).toBeGreaterThan(1_767_225_600);
    expect(s).toBeLessThan(1_798_761_600);
    expect(column(cupti.devices, "name")[0]).toMatch(/H100|H200/);
    expect(nums(cupti.devices, "sm_count")[0]).toBe(132);
    expect(cupti.processes.numRows).toBe(1);
    expect(diag(cupti, "cupti.dropped_records")).toBe(0);
  });

  it("has the same kernels as Kineto, iteration by iteration: count and names", () => {
    const a = iterations(cupti), b = iterations(kineto);
    for (let i = 0; i < ITERS; i++) {
      expect(a[i].names.length).toBeGreaterThan(100); // ResNet-50: ~50 convolutions plus BN/ReLU/add kernels
      expect(a[i].names.length).toBe(b[i].names.length);
      expect([...a[i].names].sort()).toEqual([...b[i].names].sort());
    }
  });

  it("has kernel durations within the run-to-run spread of Kineto's", () => {
    // The two profilers ran in separate processes, so a kernel's two durations differ by run-to-run variation
    // (clocks, cache state), not by timestamp skew of one run. Pair kernels by position (same order, checked above)
    // and bound the typical ratio and each iteration's total.
    const a = iterations(cupti), b = iterations(kineto);
    for (let i = 0; i < ITERS; i++) {
      const ratios = a[i].durations.map((d, k) => d / Math.max(b[i].durations[k], 1));
      expect(median(ratios)).toBeGreaterThan(0.8);
      expect(median(ratios)).toBeLessThan(1.25);
      const ta = a[i].durations.reduce((x, y) => x + y, 0), tb = b[i].durations.reduce((x, y) => x + y, 0);
      expect(ta / tb).toBeGreaterThan(0.75);
      expect(ta / tb).toBeLessThan(1.33);
    }
  });

  it("has memcpy, memset, synchronization and API rows, and each kernel's launching call", () => {
    const copyKinds = column(cupti.memops, "copy_kind");
    expect(copyKinds.filter((k) => k === "HtoD").length).toBeGreaterThanOrEqual(ITERS);
    expect(copyKinds.filter((k) => k === "DtoH").length).toBeGreaterThanOrEqual(ITERS);
    expect(column(cupti.memops, "kind").filter((k) => k === "memset").length).toBeGreaterThanOrEqual(ITERS + 1);
    const syncKinds = column(cupti.syncs, "sync_kind");
    expect(syncKinds.filter((k) => k === "event").length).toBeGreaterThanOrEqual(ITERS);
    expect(syncKinds.filter((k) => k === "context").length).toBeGreaterThanOrEqual(ITERS);
    const domains = new Set(column(cupti.api, "domain"));
    expect(domains).toEqual(new Set(["runtime", "driver"]));
    const apiCorr = new Set(nums(cupti.api, "correlation_id"));
    const kCorr = nums(cupti.kernels, "correlation_id");
    expect(kCorr.filter((c) => !apiCorr.has(c))).toEqual([]);
    for (const t of [cupti.kernels, cupti.memops, cupti.api, cupti.syncs]) {
      const s = nums(t, "start_ns"), e = nums(t, "end_ns");
      expect(s.every((x, i) => x >= 0 && e[i] >= x)).toBe(true);
    }
  });
});
