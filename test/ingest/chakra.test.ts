/**
 * The Chakra importers (src/ingest/chakra): chakra-et (`.et` protobuf streams) and chakra-json (the JSON feeder
 * format), on the real fixtures in shared/fixtures/real/chakra (see SOURCES.md there), checked against a
 * protobuf wire reader written here (not the package's schema), plus streams encoded with protobufjs for what
 * the real file lacks (cycles, duplicate ids, recorded start times) and damaged copies, which must end in one
 * ImportError and, from the CLI, status 2 with no output.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type * as arrow from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importTrace, ImportError } from "../../src/ingest";
import { isChakraEt } from "../../src/ingest/chakra";
import { readHead } from "../../src/ingest/source";
import type { Trace } from "../../src/trace/tables";
import { schemaType } from "../../src/util/schemas";
import { loadWorkload } from "../../src/workload/extract";
import { buildPackage, refusalLine, runCli } from "../helpers/cli";
import { fixture, listFiles, REAL, REPO_ROOT } from "../helpers/fixtures";
import { listDir, makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { expectImportRefused } from "../helpers/refusals";

afterAll(removeTempDirs);

const ET = fixture("real/chakra/chakra.0.et");
const JSON_GRAPH = fixture("real/chakra/small_chakra.0.json");

// ---------------------------------------------------------------------------------------------------------------
// An independent reader of the .et wire format: just the fields the checks need.

interface WireNode {
  index: number; id: number; name: string; type: number; dataDeps: number[]; durationUs: number;
  isCpuOp: boolean | null; tid: number | null; commType: number | null; commSize: number | null;
}

function readVarint(b: Buffer, pos: number): [number, number] {
  let v = 0;
  for (let i = 0; ; i++) {
    const x = b[pos + i];
    if (x === undefined) throw new Error("varint past the end");
    v += (x & 0x7f) * 2 ** (7 * i);
    if (x < 0x80) return [v, pos + i + 1];
  }
}

/** Calls `f(field, wire, value-or-bytes)` for each field of a message. */
function eachField(b: Buffer, f: (field: number, wire: number, v: number | Buffer) => void): void {
  let pos = 0;
  while (pos < b.length) {
    const [tag, p] = readVarint(b, pos);
    const field = Math.floor(tag / 8), wire = tag % 8;
    if (wire === 0) { const [v, q] = readVarint(b, p); f(field, wire, v); pos = q; }
    else if (wire === 2) { const [len, q] = readVarint(b, p); f(field, wire, b.subarray(q, q + len)); pos = q + len; }
    else if (wire === 1) { f(field, wire, b.subarray(p, p + 8)); pos = p + 8; }
    else if (wire === 5) { f(field, wire, b.subarray(p, p + 4)); pos = p + 4; }
    else throw new Error(`wire type ${wire}`);
  }
}

function readEt(file: string): { frames: number; nodes: WireNode[]; maxFrame: number } {
  const b = fs.readFileSync(file);
  const nodes: WireNode[] = [];
  let pos = 0, index = 0, maxFrame = 0;
  while (pos < b.length) {
    const [len, p] = readVarint(b, pos);
    const msg = b.subarray(p, p + len);
    maxFrame = Math.max(maxFrame, len);
    pos = p + len;
    if (index++ === 0) continue; // GlobalMetadata
    const n: WireNode = { index: index - 1, id: 0, name: "", type: 0, dataDeps: [], durationUs: 0, isCpuOp: null, tid: null, commType: null, commSize: null };
    eachField(msg, (field, wire, v) => {
      if (field === 1) n.id = v as number;
      else if (field === 2) n.name = (v as Buffer).toString("utf8");
      else if (field === 3) n.type = v as number;
      else if (field === 5 && wire === 0) n.dataDeps.push(v as number);
      else if (field === 5) { let q = 0; const packed = v as Buffer; while (q < packed.length) { const [d, r] = readVarint(packed, q); n.dataDeps.push(d); q = r; } }
      else if (field === 7) n.durationUs = v as number;
      else if (field === 10) {
        let name = "", val: number | null = null;
        eachField(v as Buffer, (af, _w, av) => { if (af === 1) name = (av as Buffer).toString("utf8"); else if (af === 27 || af === 9) val = av as number; });
        if (name === "is_cpu_op") n.isCpuOp = val === 1;
        else if (name === "tid") n.tid = val;
        else if (name === "comm_type") n.commType = val;
        else if (name === "comm_size") n.commSize = val;
      }
    });
    nodes.push(n);
  }
  return { frames: index, nodes, maxFrame };
}

function column(table: arrow.Table, name: string): unknown[] {
  const v = table.getChild(name);
  if (!v) throw new Error(`no column ${name}`);
  return [...v] as unknown[];
}
const nums = (t: arrow.Table, name: string): number[] => column(t, name).map((x) => (x === null ? NaN : Number(x)));
function diag(trace: Trace, code: string): number {
  const codes = column(trace.diagnostics, "code") as string[];
  const i = codes.indexOf(code);
  return i < 0 ? 0 : Number(column(trace.diagnostics, "count")[i]);
}

/** Every node's [start, end] (ns) from the kernels and cpu_op annotations, keyed by source row (= message index). */
function spans(trace: Trace): Map<number, { start: number; end: number; lane: string }> {
  const out = new Map<number, { start: number; end: number; lane: string }>();
  const k = trace.kernels, ks = nums(k, "start_ns"), ke = nums(k, "end_ns"), kr = nums(k, "source_row"), kst = nums(k, "stream_id");
  kr.forEach((r, i) => out.set(r, { start: ks[i], end: ke[i], lane: `s${kst[i]}` }));
  const a = trace.annotations, cat = column(a, "category"), as = nums(a, "start_ns"), ae = nums(a, "end_ns"), ar = nums(a, "source_row"), at = nums(a, "thread_id");
  ar.forEach((r, i) => { if (cat[i] === "cpu_op") out.set(r, { start: as[i], end: ae[i], lane: `t${at[i]}` }); });
  return out;
}

describe("chakra-et: the real chakra.0.et", () => {
  const wire = readEt(ET);
  let trace: Trace;
  beforeAll(async () => { trace = await importTrace(ET); });

  it("is what SOURCES.md says, read by the wire reader here: 3664 nodes, 1216 on the GPU, 21 collectives", () => {
    expect(wire.nodes).toHaveLength(3664);
    expect(wire.nodes.filter((n) => n.isCpuOp === false)).toHaveLength(1216);
    expect(wire.nodes.filter((n) => n.type === 7)).toHaveLength(21);
    expect(wire.nodes.filter((n) => n.type === 4)).toHaveLength(3643);
  });

  it("imports as chakra-et with the file's metadata and no time base", () => {
    expect(trace.meta.sourceFormat).toBe("chakra-et");
    expect(trace.meta.sourceTool).toBe("Chakra execution trace, PyTorch ET schema 1.0.1, recorded 2023-12-14 11:55:01");
    expect(trace.meta.timeBaseEpochNs).toBeNull();
    expect(nums(trace.processes, "process_id")).toEqual([114598]);
    expect(column(trace.devices, "name")).toEqual(["unknown"]);
    expect(trace.api.numRows).toBe(0);
    expect(trace.memops.numRows).toBe(0);
  });

  it("has one kernel per GPU node and one cpu_op annotation per CPU node, each node once, names as recorded", () => {
    const gpu = wire.nodes.filter((n) => n.isCpuOp === false);
    expect(trace.kernels.numRows).toBe(1216);
    const rows = nums(trace.kernels, "source_row");
    expect(rows).toEqual(gpu.map((n) => n.index));
    expect(column(trace.kernels, "name")).toEqual(gpu.map((n) => n.name));
    const s = spans(trace);
    expect(s.size).toBe(3664);
    expect([...s.keys()].sort((a, b) => a - b)).toEqual(wire.nodes.map((n) => n.index));
    for (const col of ["grid_x", "block_x", "registers_per_thread", "correlation_id"]) expect(nums(trace.kernels, col).every(Number.isNaN)).toBe(true);
  });

  it("puts each kernel on its node's tid as the stream: 1209 on stream 7, 7 NCCL kernels on stream 14", () => {
    const byRow = new Map(wire.nodes.map((n) => [n.index, n]));
    const rows = nums(trace.kernels, "source_row"), streams = nums(trace.kernels, "stream_id");
    rows.forEach((r, i) => expect(streams[i]).toBe(byRow.get(r)!.tid));
    expect(streams.filter((s) => s === 7)).toHaveLength(1209);
    expect(streams.filter((s) => s === 14)).toHaveLength(7);
    const names = column(trace.kernels, "name") as string[];
    expect(names.filter((n, i) => streams[i] === 14).every((n) => n.startsWith("ncclKernel_"))).toBe(true);
    expect(nums(trace.streams, "stream_id")).toEqual([7, 14]);
  });

  it("lasts exactly each node's duration_micros (kernels and CPU ops)", () => {
    const s = spans(trace);
    for (const n of wire.nodes) {
      const sp = s.get(n.index)!;
      expect(sp.end - sp.start, `node ${n.id}`).toBe(n.durationUs * 1000);
    }
    const zero = wire.nodes.filter((n) => n.isCpuOp === false && n.durationUs === 0).length;
    expect(zero).toBe(157);
    expect(diag(trace, "chakra.zero_duration")).toBe(zero);
    const kernelNs = nums(trace.kernels, "end_ns").reduce((a, e, i) => a + e - nums(trace.kernels, "start_ns")[i], 0);
    expect(kernelNs).toBe(wire.nodes.filter((n) => n.isCpuOp === false).reduce((a, n) => a + n.durationUs * 1000, 0));
  });

  it("starts every node after all its data_deps end, runs one node at a time per stream or thread, and adds no gap of its own", () => {
    const s = spans(trace);
    const byId = new Map(wire.nodes.map((n) => [n.id, n]));
    const endsByLane = new Map<string, Set<number>>();
    for (const sp of s.values()) { if (!endsByLane.has(sp.lane)) endsByLane.set(sp.lane, new Set()); endsByLane.get(sp.lane)!.add(sp.end); }
    let forward = 0, edges = 0;
    const early: number[] = [], loose: number[] = [];
    for (const n of wire.nodes) {
      const sp = s.get(n.index)!;
      const depEnds = n.dataDeps.map((d) => s.get(byId.get(d)!.index)!.end);
      edges += depEnds.length;
      if (depEnds.some((e) => sp.start < e)) early.push(n.id);
      if (n.dataDeps.some((d) => byId.get(d)!.index > n.index)) forward++;
      // tight: at 0, at a dependency's end, or at the end of another node of its lane
      if (!(sp.start === 0 || depEnds.includes(sp.start) || endsByLane.get(sp.lane)!.has(sp.start))) loose.push(n.id);
    }
    expect(edges).toBe(181_878);
    expect(early).toEqual([]);
    expect(loose).toEqual([]);
    expect(forward).toBeGreaterThan(0); // the file has dependencies on later messages: order is not file order
    for (const [lane] of endsByLane) {
      const list = [...s.values()].filter((sp) => sp.lane === lane).sort((a, b) => a.start - b.start || a.end - b.end);
      for (let i = 1; i < list.length; i++) expect(list[i].start, lane).toBeGreaterThanOrEqual(list[i - 1].end);
    }
    expect(diag(trace, "chakra.synthesized_times")).toBe(3664);
    expect(diag(trace, "chakra.dangling_data_deps")).toBe(0);
  });

  it("marks each GPU collective with its comm_type and comm_size over the kernel's span", () => {
    const coll = wire.nodes.filter((n) => n.type === 7 && n.isCpuOp === false);
    expect(coll).toHaveLength(7);
    const a = trace.annotations, cat = column(a, "category"), names = column(a, "name"), rows = nums(a, "source_row");
    const marks = rows.map((r, i) => ({ r, cat: cat[i], name: names[i] })).filter((m) => m.cat === "gpu_user_annotation");
    const types = ["ALL_REDUCE", "REDUCE", "ALL_GATHER", "GATHER", "SCATTER", "BROADCAST"];
    expect(marks.map((m) => m.r)).toEqual(coll.map((n) => n.index));
    coll.forEach((n, i) => expect(marks[i].name).toBe(`${types[n.commType!]} ${n.commSize} B`));
    expect(marks[0].name).toBe("BROADCAST 212480 B");
    expect(diag(trace, "chakra.comm_nodes")).toBe(7);
    expect(diag(trace, "chakra.cpu_nodes")).toBe(2448);
    expect(diag(trace, "chakra.no_launch_config")).toBe(1216);
  });

  it("is found by its content under any name, gzipped too, and no other real fixture looks like one", async () => {
    const dir = makeTempDir("lithos-chakra-");
    const renamed = path.join(dir, "trace.bin.gz");
    fs.writeFileSync(renamed, zlib.gzipSync(fs.readFileSync(ET)));
    const t = await importTrace(renamed);
    expect(t.meta.sourceFormat).toBe("chakra-et");
    expect(nums(t.kernels, "start_ns")).toEqual(nums(trace.kernels, "start_ns"));
    const others = listFiles(REAL).filter((f) => !f.includes(`${path.sep}chakra${path.sep}`));
    expect(others.length).toBeGreaterThan(20);
    for (const f of others) {
      const { head } = await readHead(f, fs.statSync(f).size, 65536);
      expect(isChakraEt(head), f).toBe(false);
    }
  });

  it("becomes a workload of its 1216 kernels with their recorded durations, each taken to fill the recording GPU", async () => {
    const w = await loadWorkload(ET);
    expect(w.name).toBe("chakra.0");
    expect(w.kernels.count).toBe(1216);
    expect(w.streams).toEqual([7, 14]);
    let rec = 0;
    for (const ns of w.kernels.recordedNs) rec += ns;
    expect(rec).toBe(329_543_000);
    expect(w.recordedOn.key).toBe("h200-sxm");
    expect([...w.kernels.gridBlocks].every((b) => b === w.recordedOn.smCount)).toBe(true);
    expect(w.split.detail).toMatch(/1216 GPU ops without an API call/);
  });
});

describe("chakra-json: the real small_chakra.0.json", () => {
  it("holds the first 7 nodes of chakra.0.et and imports them with the same durations and dependency order", async () => {
    const doc = JSON.parse(fs.readFileSync(JSON_GRAPH, "utf8")) as { workload_graph: { Id: number; runtime: number; is_cpu_op: boolean; data_deps: number[] }[] };
    const et = readEt(ET).nodes.slice(0, 7);
    expect(doc.workload_graph.map((n) => [n.Id, n.runtime, n.is_cpu_op])).toEqual(et.map((n) => [n.id, n.durationUs, n.isCpuOp === true]));
    const t = await importTrace(JSON_GRAPH);
    expect(t.meta.sourceFormat).toBe("chakra-json");
    expect(t.kernels.numRows).toBe(2);
    expect(nums(t.kernels, "source_row")).toEqual([2, 5]);
    expect(nums(t.kernels, "stream_id")).toEqual([0, 0]);
    const s = spans(t);
    doc.workload_graph.forEach((n, i) => {
      expect(s.get(i)!.end - s.get(i)!.start).toBe(n.runtime * 1000);
      for (const d of n.data_deps) expect(s.get(i)!.start).toBeGreaterThanOrEqual(s.get(doc.workload_graph.findIndex((m) => m.Id === d))!.end);
    });
    // No tid: the CPU nodes share one lane (216 0–318 µs, 217 –346, 432 –431, 433 –510, 541 –663) and the GPU
    // nodes stream 0: 430 waits for 216 (318 µs), 435 (the NCCL kernel) for 432, 216 and 217 (431 µs).
    expect(nums(t.kernels, "start_ns")).toEqual([318_000, 431_000]);
    expect(s.get(6)!.start).toBe(510_000);
    expect(diag(t, "chakra.no_stream")).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Streams encoded with protobufjs from schemas/chakra_et.proto, and damaged copies

const Meta = schemaType("chakra_et.proto", "ChakraProtoMsg.GlobalMetadata");
const Node = schemaType("chakra_et.proto", "ChakraProtoMsg.Node");
const gpuAttr = (tid: number): object[] => [{ name: "is_cpu_op", bool_val: false }, { name: "tid", int64_val: tid }];

function encodeEt(nodes: object[], meta: object = { version: "0.0.4" }): Buffer {
  const parts = [Buffer.from(Meta.encodeDelimited(Meta.fromObject(meta)).finish())];
  for (const n of nodes) parts.push(Buffer.from(Node.encodeDelimited(Node.fromObject(n)).finish()));
  return Buffer.concat(parts);
}

function writeTemp(name: string, bytes: Buffer | string): string {
  const p = path.join(makeTempDir("lithos-chakra-"), name);
  fs.writeFileSync(p, bytes);
  return p;
}

describe("chakra-et: encoded graphs", () => {
  it("orders by data_deps across lanes, not by file order, and serialises one stream", async () => {
    // c (GPU, stream 7) depends on b (CPU), which comes later in the file; a and c share stream 7.
    const file = writeTemp("g.et", encodeEt([
      { id: 1, name: "a", type: 4, duration_micros: 10, attr: gpuAttr(7) },
      { id: 3, name: "c", type: 4, duration_micros: 5, data_deps: [2], attr: gpuAttr(7) },
      { id: 2, name: "b", type: 4, duration_micros: 20, attr: [{ name: "is_cpu_op", bool_val: true }, { name: "tid", int64_val: 1 }] },
      { id: 4, name: "ncclKernel_AllReduce", type: 7, duration_micros: 7, data_deps: [1], attr: [...gpuAttr(14), { name: "comm_type", int64_val: 0 }, { name: "comm_size", int64_val: 4096 }] },
    ]));
    const t = await importTrace(file);
    expect(column(t.kernels, "name")).toEqual(["a", "c", "ncclKernel_AllReduce"]);
    expect(nums(t.kernels, "start_ns")).toEqual([0, 20_000, 10_000]);
    expect(nums(t.kernels, "end_ns")).toEqual([10_000, 25_000, 17_000]);
    expect(column(t.annotations, "name")).toEqual(["b", "ALL_REDUCE 4096 B"]);
    expect(t.meta.sourceTool).toBe("Chakra execution trace, version 0.0.4");
  });

  it("uses recorded start times where every node has one", async () => {
    const file = writeTemp("t.et", encodeEt([
      { id: 1, name: "a", type: 4, start_time_micros: 1000, duration_micros: 10, attr: gpuAttr(7) },
      { id: 2, name: "b", type: 4, start_time_micros: 1004, duration_micros: 3, data_deps: [1], attr: gpuAttr(8) },
    ]));
    const t = await importTrace(file);
    expect(nums(t.kernels, "start_ns")).toEqual([0, 4000]);
    expect(diag(t, "chakra.recorded_times")).toBe(2);
    expect(diag(t, "chakra.synthesized_times")).toBe(0);
  });

  const real = fs.readFileSync(ET);
  const BAD: [string, () => string, RegExp, string?][] = [
    ["a stream cut inside a node", () => writeTemp("cut.et", real.subarray(0, real.length - 100)), /corrupt Chakra ET stream: truncated: the stream ends inside message 3664/],
    ["a stream cut inside a length prefix", () => writeTemp("cut2.et", Buffer.concat([encodeEt([{ id: 1, name: "a", type: 4 }]), Buffer.from([0x80])])), /truncated.*inside a length prefix/],
    ["a gzipped stream cut short", () => { const gz = zlib.gzipSync(real); return writeTemp("cut.et.gz", gz.subarray(0, gz.length >> 1)); }, /truncated gzip/],
    ["an impossible length", () => writeTemp("len.et", Buffer.concat([encodeEt([{ id: 1, name: "a", type: 4 }]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f])])), /corrupt Chakra ET stream: corrupt length prefix at byte \d+: \d+ bytes/],
    ["a node with a field of the wrong wire type", () => writeTemp("bad.et", Buffer.concat([encodeEt([{ id: 1, name: "a", type: 4 }]), Buffer.from([2, 0x0a, 0x05])])), /message 2 \(Node\) at byte \d+ does not decode \(field 1 with wire type 2/],
    ["a node whose string runs past its end", () => writeTemp("bad2.et", Buffer.concat([encodeEt([{ id: 1, name: "a", type: 4 }]), Buffer.from([3, 0x12, 0x09, 0x41])])), /message 2 \(Node\) at byte \d+ does not decode \(a field runs past/],
    ["a dependency cycle", () => writeTemp("cycle.et", encodeEt([
      { id: 1, name: "a", type: 4, data_deps: [3], attr: gpuAttr(7) }, { id: 2, name: "b", type: 4, data_deps: [1], attr: gpuAttr(7) },
      { id: 3, name: "c", type: 4, data_deps: [2], attr: gpuAttr(7) }, { id: 4, name: "d", type: 4, attr: gpuAttr(7) }])), /dependency cycle leaves 3 of 4 nodes unable to run \(e\.g\. node 1 "a"\)/],
    ["a duplicate node id", () => writeTemp("dup.et", encodeEt([{ id: 5, name: "a", type: 4 }, { id: 5, name: "b", type: 4 }])), /node id 5 appears twice/],
    ["a metadata message and no nodes", () => writeTemp("empty.et", encodeEt([])), /without nodes/, "chakra-et"],
    ["a file named .et that is not one", () => writeTemp("text.et", "hello, this is not protobuf\n"), /not a Chakra execution trace|corrupt Chakra ET stream/],
    ["a Kineto trace forced as chakra-et", () => fixture("real/hta/triton_example/triton_example.json.gz"), /not a Chakra execution trace|corrupt Chakra ET stream/, "chakra-et"],
    ["a Chakra JSON graph with a bad node", () => writeTemp("bad.json", JSON.stringify({ workload_graph: [{ Id: 1, Name: "a", NodeType: 4, runtime: -3 }] })), /corrupt Chakra JSON: workload_graph\[0\] has a runtime that is not a whole number/],
    ["a Chakra JSON graph cut short", () => writeTemp("cut.json", fs.readFileSync(JSON_GRAPH, "utf8").slice(0, 900)), /corrupt Chakra JSON/],
  ];

  it.each(BAD)("refuses %s with one ImportError naming the file and the cause", async (_n, make, cause, format) => {
    await expectImportRefused(make(), cause, format);
  });
});

describe("chakra from the command line", () => {
  beforeAll(() => buildPackage(), 300_000);

  it("imports chakra.0.et and reports what it could not use in info --json", () => {
    const out = path.join(makeTempDir("lithos-chakra-out-"), "chakra.arrow");
    const r = runCli(["import", ET, "-o", out]);
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(runCli(["info", out, "--json"]).stdout);
    expect(info.tables.kernels.rows).toBe(1216);
    expect(info.tables.annotations.rows).toBe(2448 + 7);
    expect(info.kernel_time_ns).toBe(329_543_000);
    const codes = (info.diagnostics as { code: string }[]).map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(["chakra.synthesized_times", "chakra.no_launch_config", "chakra.comm_nodes"]));
  });

  it("exits 2 on a cut .et, one stderr line naming it, no output, input unchanged", () => {
    const input = writeTemp("cut.et", fs.readFileSync(ET).subarray(0, 1_000_000));
    const before = sha256File(input);
    const outDir = makeTempDir("lithos-chakra-out-");
    const line = refusalLine(runCli(["import", input, "-o", path.join(outDir, "x.arrow")]));
    expect(line).toContain(input);
    expect(line.slice(line.indexOf(input) + input.length)).toMatch(/corrupt Chakra ET stream: truncated/);
    expect(listDir(outDir)).toEqual([]);
    expect(sha256File(input)).toBe(before);
  });

  it("replays chakra.0.et as a job: alone on an H200 an iteration takes about its synthesised GPU span", () => {
    const r = runCli(["stack", "--gpu", "h200", "--be", ET, "--policy", "mps", "--duration", "2", "--seed", "1", "--json"], { cwd: REPO_ROOT });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.be.iterations).toBeGreaterThanOrEqual(4);
    // the synthesised span of its kernels is 296.7 ms; NCCL kernels that overlapped compute in the schedule now share its SMs
    expect(out.be.iteration_p50_ms).toBeGreaterThan(296.7 * 0.95);
    expect(out.be.iteration_p50_ms).toBeLessThan(296.7 * 1.3);
  });
});
