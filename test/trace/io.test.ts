/**
 * The `.arrow` trace file: write → read round trips of real imports, and the file layout checked by a second,
 * independent reader (test/helpers/arrow-ipc.ts, written from the Arrow IPC spec without apache-arrow).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it, type TestContext } from "vitest";
import * as arrow from "apache-arrow";
import { importTrace } from "../../src/ingest";
import { readTraceFile, traceFromBytes, traceToBytes, writeTraceFile } from "../../src/trace/io";
import { META, TABLES } from "../../src/trace/schema";
import type { Trace } from "../../src/trace/tables";
import { HEADER, parseIpcStreams } from "../helpers/arrow-ipc";
import { fixture } from "../helpers/fixtures";
import { listDir, makeTempDir, removeTempDirs, sha256File } from "../helpers/files";

afterAll(removeTempDirs);

const KINETO = fixture("h200/resnet50_infer_bs1.pt.trace.json.gz");
const NSYS = fixture("real/pipit/cloverleaf-nsys/perlmutter-cloverleaf-cuda.sqlite");

/** Every column of every table, value by value (nulls included), plus schemas and metadata. */
function expectSameTrace(got: Trace, want: Trace): void {
  expect(got.meta).toEqual(want.meta);
  for (const spec of TABLES) {
    const a = got.tables[spec.name];
    const b = want.tables[spec.name];
    expect(a.numRows, `${spec.name} rows`).toBe(b.numRows);
    expect(a.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`), `${spec.name} fields`)
      .toEqual(b.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`));
    expect(Object.fromEntries(a.schema.metadata), `${spec.name} metadata`).toEqual(Object.fromEntries(b.schema.metadata));
    for (const name of Object.keys(spec.columns)) {
      const va = a.getChild(name);
      const vb = b.getChild(name);
      expect(va, `${spec.name}.${name}`).not.toBeNull();
      expect([...(va as arrow.Vector)], `${spec.name}.${name}`).toEqual([...(vb as arrow.Vector)]);
      expect(va?.nullCount, `${spec.name}.${name} nulls`).toBe(vb?.nullCount);
    }
  }
}

/** The nsys importer is being written elsewhere; until it exists its cases are skipped (at run time, with a note). */
async function importOrSkipUnwritten(file: string, ctx: TestContext): Promise<Trace> {
  try {
    return await importTrace(file);
  } catch (e) {
    // Placeholder in src/ingest/nsys-sqlite/index.ts: `throw new Error("not written yet")`. Remove this once it is gone.
    if (/not written yet/.test((e as Error).message)) ctx.skip();
    throw e;
  }
}

async function roundTrip(trace: Trace): Promise<{ file: string; back: Trace }> {
  const dir = makeTempDir();
  const file = path.join(dir, "trace.arrow");
  await writeTraceFile(trace, file);
  // Only the file itself is left in the folder (no temporary file).
  expect(listDir(dir)).toEqual(["trace.arrow"]);
  return { file, back: await readTraceFile(file) };
}

describe("writeTraceFile then readTraceFile", () => {
  it("gives back every table, column value, null and metadata of an imported Kineto trace", async () => {
    const trace = await importTrace(KINETO);
    expect(trace.kernels.numRows).toBe(6840);
    const { back } = await roundTrip(trace);
    expectSameTrace(back, trace);
    expect(back.meta.timeBaseEpochNs).toBe(trace.meta.timeBaseEpochNs);
    expect(back.meta.timeBaseEpochNs).not.toBeNull();
  });

  it("gives back every table, column value, null and metadata of an imported nsys SQLite trace", async (ctx) => {
    const trace = await importOrSkipUnwritten(NSYS, ctx);
    expect(trace.kernels.numRows).toBe(1312);
    const { back } = await roundTrip(trace);
    expectSameTrace(back, trace);
  });

  it("does not change the input file while importing and writing", async () => {
    const before = sha256File(KINETO);
    await roundTrip(await importTrace(KINETO));
    expect(sha256File(KINETO)).toBe(before);
  });
});

describe("the .arrow layout, read by an independent IPC reader", () => {
  it("is one IPC stream per canonical table, in schema order, each with one schema and its table_name", async () => {
    const trace = await importTrace(KINETO);
    const bytes = traceToBytes(trace);
    const streams = parseIpcStreams(bytes);
    expect(streams).toHaveLength(TABLES.length);
    const schemaMessages = streams.flatMap((s) => s.messages).filter((m) => m.headerType === HEADER.Schema);
    expect(schemaMessages).toHaveLength(TABLES.length);
    expect(streams.map((s) => s.metadata.get(META.tableName))).toEqual(TABLES.map((t) => t.name));
    // The streams tile the file: each starts where the previous one ended, the last ends at the last byte.
    expect(streams[0].start).toBe(0);
    for (let i = 1; i < streams.length; i++) expect(streams[i].start).toBe(streams[i - 1].end);
    expect(streams[streams.length - 1].end).toBe(bytes.byteLength);
    for (const [i, s] of streams.entries()) {
      const spec = TABLES[i];
      expect(s.fieldNames, spec.name).toEqual(Object.keys(spec.columns));
      expect(s.rows, `${spec.name} rows from the record batch headers`).toBe(trace.tables[spec.name].numRows);
      expect(s.metadata.get(META.schemaVersion)).toBe(trace.meta.schemaVersion);
      expect(s.metadata.get(META.timeBaseEpochNs)).toBe(String(trace.meta.timeBaseEpochNs));
      // Every dictionary-encoded field has its dictionary in the same stream.
      const dictIds = s.fieldDictionaryIds.filter((id): id is number => id !== null);
      expect(new Set(s.dictionaryBatchIds), spec.name).toEqual(new Set(dictIds));
      const dictColumns = Object.values(spec.columns).filter((c) => c.kind === "dict").length;
      expect(dictIds, spec.name).toHaveLength(dictColumns);
    }
  });

  it("gives a readable table for each stream's byte range alone, with its table_name and row count", async () => {
    const trace = await importTrace(KINETO);
    const bytes = traceToBytes(trace);
    for (const s of parseIpcStreams(bytes)) {
      const table = arrow.tableFromIPC(bytes.subarray(s.start, s.end));
      const name = table.schema.metadata.get(META.tableName) as (typeof TABLES)[number]["name"];
      expect(name).toBe(s.metadata.get(META.tableName));
      expect(table.numRows).toBe(trace.tables[name].numRows);
      expect(table.numRows).toBe(s.rows);
    }
  });

  it("writes the same bytes to disk as traceToBytes", async () => {
    const trace = await importTrace(KINETO);
    const { file } = await roundTrip(trace);
    const onDisk = fs.readFileSync(file);
    expect(Buffer.compare(onDisk, Buffer.from(traceToBytes(trace)))).toBe(0);
    expect(parseIpcStreams(onDisk)).toHaveLength(TABLES.length);
  });

  it("reads with pyarrow when python3 has it (pa.ipc.open_stream in a loop)", (ctx) => {
    let hasPyarrow = true;
    try {
      execFileSync("python3", ["-c", "import pyarrow"], { stdio: "ignore" });
    } catch {
      hasPyarrow = false;
    }
    // Not installed on the development machine and not installable there (no PyPI); the IPC reader above stands in.
    if (!hasPyarrow) ctx.skip();
    const dir = makeTempDir();
    const file = path.join(dir, "t.arrow");
    return importTrace(KINETO).then(async (trace) => {
      await writeTraceFile(trace, file);
      const script = [
        "import sys, pyarrow as pa",
        "f = open(sys.argv[1], 'rb'); out = []",
        "while True:",
        "    try: r = pa.ipc.open_stream(f)",
        "    except (pa.ArrowInvalid, StopIteration): break",
        "    t = r.read_all(); out.append(f\"{t.schema.metadata[b'table_name'].decode()}={t.num_rows}\")",
        "print(' '.join(out))",
      ].join("\n");
      const printed = execFileSync("python3", ["-c", script, file], { encoding: "utf8" }).trim();
      expect(printed).toBe(TABLES.map((t) => `${t.name}=${trace.tables[t.name].numRows}`).join(" "));
    });
  });
});

describe("reading .arrow bytes that differ from what writeTraceFile writes", () => {
  it("reads a file whose streams are concatenated in reverse order", async () => {
    const trace = await importTrace(KINETO);
    const bytes = Buffer.from(traceToBytes(trace));
    const streams = parseIpcStreams(bytes);
    const reversed = Buffer.concat(streams.reverse().map((s) => bytes.subarray(s.start, s.end)));
    expect(reversed.length).toBe(bytes.length);
    expect(parseIpcStreams(reversed).map((s) => s.metadata.get(META.tableName))).toEqual([...TABLES].reverse().map((t) => t.name));
    expectSameTrace(traceFromBytes(reversed), trace);
  });

  it("refuses a file that lacks tables its metadata lists (a file cut at a table boundary)", async () => {
    const trace = await importTrace(KINETO);
    const bytes = Buffer.from(traceToBytes(trace));
    const streams = parseIpcStreams(bytes);
    const cutAtBoundary = bytes.subarray(0, streams[1].end);
    expect(() => traceFromBytes(cutAtBoundary)).toThrow(/truncated trace file: tables api, syncs/);
  });

  it("gives empty tables with the canonical columns for tables an older file does not list", async () => {
    const trace = await importTrace(KINETO);
    const keep = ["kernels", "devices"] as const;
    // An older writer: no lithos.tables key, only some tables.
    const older = Buffer.concat(keep.map((name) => {
      const table = trace.tables[name];
      const metadata = new Map(table.schema.metadata);
      metadata.delete(META.tables);
      const schema = new arrow.Schema(table.schema.fields, metadata);
      return arrow.tableToIPC(new arrow.Table(schema, table.batches.map((b) => new arrow.RecordBatch(schema, b.data))), "stream");
    }));
    const back = traceFromBytes(older);
    expect(back.meta).toEqual(trace.meta);
    for (const spec of TABLES) {
      const table = back.tables[spec.name];
      expect(table.schema.fields.map((f) => f.name), spec.name).toEqual(Object.keys(spec.columns));
      expect(table.numRows, spec.name).toBe((keep as readonly string[]).includes(spec.name) ? trace.tables[spec.name].numRows : 0);
    }
    expect(trace.api.numRows).toBeGreaterThan(0);
    expect([...(back.kernels.getChild("start_ns") as arrow.Vector)]).toEqual([...(trace.kernels.getChild("start_ns") as arrow.Vector)]);
  });

  it("refuses Arrow data that is not a lithos-replay trace (no table_name metadata)", () => {
    const plain = arrow.tableToIPC(arrow.tableFromArrays({ x: Int32Array.from([1, 2, 3]) }), "stream");
    expect(() => traceFromBytes(plain)).toThrow(/table_name/);
  });

  it("refuses a file cut in the middle of a stream", async () => {
    const bytes = Buffer.from(traceToBytes(await importTrace(KINETO)));
    const streams = parseIpcStreams(bytes);
    // Cut in the middle of the kernels record batch body.
    const cut = bytes.subarray(0, (streams[0].start + streams[0].end) >> 1);
    expect(() => parseIpcStreams(cut)).toThrow(/past the end/);
    expect(() => traceFromBytes(cut)).toThrow();
  });
});
