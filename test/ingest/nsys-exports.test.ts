/**
 * The nsys JSON-lines, Arrow, arrowdir, Parquet and .nsys-rep importers on edge cases: every SQLite export schema
 * among the real fixtures rewritten row for row as JSON lines, one `.arrows` stream file and an arrowdir folder
 * (test/helpers/nsys-convert.ts: synthetic layouts, not real nsys exports) must give the same canonical tables as
 * the SQLite import; exact 64-bit integers; detection from content; and refusals with one clear message.
 * The real exports of one report, in every format, are checked in nsys-rn50.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImportError, importTrace, loadTrace, IMPORTERS, FOLDER_IMPORTERS } from "../../src/ingest";
import { ExportFolder } from "../../src/ingest/folder";
import { READ_TABLES } from "../../src/ingest/nsys-common/tables";
import { parseJsonLine, JsonLineError } from "../../src/ingest/nsys-json/line";
import { findNsys } from "../../src/ingest/nsys-rep";
import { traceToBytes } from "../../src/trace/io";
import type { Trace } from "../../src/trace/tables";
import { fixture } from "../helpers/fixtures";
import { listDir, makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { readSqliteTables, toArrowDir, toArrowStream, toArrowStreams, toJsonLines, toParquetDir, rowsOf } from "../helpers/nsys-convert";

afterAll(removeTempDirs);

const SQLITE = [
  "real/extrap/nsight/sampled_callchains/ex-gpu.s10/ex-gpu.s10.sqlite",
  "real/extrap/nsight/concurrent_example/concurrent.s16/profile16.sqlite",
  "real/extrap/nsight/nsys_db/con_kernel.sqlite",
  "real/pipit/saxpy-mpi-cuda_nsys_perlmutter0.sqlite",
  "real/pipit/cloverleaf-nsys/perlmutter-cloverleaf-cuda.sqlite",
  "real/nvfuser/64ee035/report1.sqlite",
  "real/nvfuser/ee4fcf3/report1.sqlite",
].map(fixture);

/** Tables the converters write: the ones the builders read, plus one they do not (it must be skipped). */
const converted = (t: string): boolean => READ_TABLES.has(t.toUpperCase()) || /^ENUM_NSYS_EVENT_TYPE$/i.test(t);

function pick(format: string) {
  const i = IMPORTERS.find((x) => x.format === format);
  if (!i) throw new Error(format);
  return i;
}

describe("every SQLite export schema, rewritten as JSON lines, Arrow and Parquet, gives the SQLite import's tables", () => {
  it.each(SQLITE.map((f) => [path.relative(fixture("real"), f), f]))("%s", async (_name, file) => {
    const tables = readSqliteTables(file, converted);
    const dir = makeTempDir("lithos-nsys-conv-");
    const jsonl = path.join(dir, "report.jsonl");
    fs.writeFileSync(jsonl, toJsonLines(tables));
    const arrows = path.join(dir, "report.arrows");
    fs.writeFileSync(arrows, toArrowStreams(tables));
    const arwdir = toArrowDir(tables, path.join(dir, "report_arwdir"));
    const pqtdir = await toParquetDir(tables, path.join(dir, "report_pqtdir"), 500); // several row groups per table

    const want = rowsOf(await importTrace(file));
    const byFormat: Record<string, Trace> = {
      "nsys-json": await importTrace(jsonl), "nsys-arrow": await importTrace(arrows), "nsys-arrowdir": await importTrace(arwdir),
      "nsys-parquetdir": await importTrace(pqtdir),
    };
    for (const [format, trace] of Object.entries(byFormat)) {
      expect(trace.meta.sourceFormat).toBe(format);
      const got = rowsOf(trace);
      for (const t of Object.keys(want)) {
        if (t === "diagnostics" && format === "nsys-json") {
          // JSON lines cannot carry an empty table: it reads as missing (nsys.missing_table), nothing else differs
          const strip = (rows: string[]) => rows.filter((r) => !r.includes('"nsys.missing_table"'));
          expect(strip(got[t]), `${format} ${t}`).toEqual(strip(want[t]));
          continue;
        }
        expect(got[t], `${format} ${t}`).toEqual(want[t]);
      }
    }
  }, 60_000);
});

describe("JSON lines are read exactly", () => {
  it("keeps integers beyond 2^53 as BigInt and safe ones as numbers, in key order", () => {
    const r = parseJsonLine('{"table":"T","a":9007199254740993,"b":-5,"c":1.5,"d":"x\\"y\\u00e9","e":null,"f":true,"g":[1,{"h":2}]}');
    expect(r.keys).toEqual(["table", "a", "b", "c", "d", "e", "f", "g"]);
    expect(r.values).toEqual(["T", 9007199254740993n, -5, 1.5, 'x"yé', null, 1, '[1,{"h":2}]']);
  });

  it.each([
    ['{"table":"T","a":1', /end of line/],
    ['{"table":"T","a":}', /expected a value/],
    ['{"table":"T","a":1}x', /text after/],
    ['{"table":"T","a":"unterminated}', /unterminated string/],
  ])("refuses %s", (line, why) => {
    expect(() => parseJsonLine(line)).toThrow(JsonLineError);
    expect(() => parseJsonLine(line)).toThrow(why);
  });

  it("imports a globalTid and an epoch time base beyond 2^53 without rounding", async () => {
    const pid = 4194303, tid = 4194301; // the largest 22-bit pid: globalTid = pid << 24 | tid > 2^53 with hw/vm bits
    const gtid = (1n << 56n) | (BigInt(pid) << 24n) | BigInt(tid);
    const lines = [
      '{"id":1,"table":"StringIds","value":"k"}',
      '{"id":2,"table":"StringIds","value":"cudaLaunchKernel_v7000"}',
      '{"table":"TARGET_INFO_SESSION_START_TIME","utcEpochNs":1765000000123456789}',
      `{"table":"CUPTI_ACTIVITY_KIND_KERNEL","start":100,"end":200,"deviceId":0,"contextId":1,"streamId":7,"correlationId":5,"globalPid":${gtid >> 24n << 24n},"demangledName":1,"shortName":1}`,
      `{"table":"CUPTI_ACTIVITY_KIND_RUNTIME","start":90,"end":95,"eventClass":0,"globalTid":${gtid},"correlationId":5,"nameId":2}`,
    ];
    const file = path.join(makeTempDir(), "big.jsonl");
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const trace = await importTrace(file);
    expect(trace.meta.timeBaseEpochNs).toBe(1765000000123456789n);
    const api = trace.tables.api.get(0)!.toJSON();
    expect(Number(api.process_id)).toBe(pid);
    expect(Number(api.thread_id)).toBe(tid);
    expect(api.name).toBe("cudaLaunchKernel");
    expect(trace.tables.kernels.get(0)!.toJSON().name).toBe("k");
  });
});

describe("detection from content, not names", () => {
  const src = fixture("real/nvfuser/ee4fcf3/report1.sqlite");
  let dir = "";
  beforeAll(async () => {
    dir = makeTempDir("lithos-nsys-detect-");
    const tables = readSqliteTables(src, converted);
    fs.writeFileSync(path.join(dir, "a.txt"), toJsonLines(tables)); // JSON lines under a misleading name
    fs.writeFileSync(path.join(dir, "b.json"), toArrowStreams(tables)); // an Arrow stream named .json
    toArrowDir(tables, path.join(dir, "plain-folder"));
    await toParquetDir(tables, path.join(dir, "other-folder"));
  });

  it("picks nsys-json for JSON lines and leaves Kineto JSON to kineto-json", async () => {
    const head = fs.readFileSync(path.join(dir, "a.txt")).subarray(0, 65536);
    expect(IMPORTERS.find((i) => i.sniff(head, "a.txt"))?.format).toBe("nsys-json");
    const kineto = fs.readFileSync(fixture("real/kineto/tb_plugin/samples/resnet50_num_workers_0/worker0.1623143089861.pt.trace.json.gz"));
    const { gunzipSync } = await import("node:zlib");
    expect(IMPORTERS.find((i) => i.sniff(gunzipSync(kineto).subarray(0, 65536), "x.json"))?.format).toBe("kineto-json");
    expect((await importTrace(path.join(dir, "a.txt"))).meta.sourceFormat).toBe("nsys-json");
  });

  it("picks nsys-arrow for an nsys stream but never for lithos-replay's own .arrow files", async () => {
    expect((await importTrace(path.join(dir, "b.json"))).meta.sourceFormat).toBe("nsys-arrow");
    const own = traceToBytes(await importTrace(src));
    expect(pick("nsys-arrow").sniff(own.subarray(0, 65536), "x.arrows")).toBe(false);
    const ownFile = path.join(dir, "own.arrow");
    fs.writeFileSync(ownFile, own);
    expect((await loadTrace(ownFile)).meta.sourceFormat).toBe("nsys-sqlite"); // read back as a trace file
  });

  it("picks nsys-arrowdir for a folder of per-table Arrow files, whatever the folder is called", async () => {
    const folder = await ExportFolder.open(path.join(dir, "plain-folder"));
    expect(FOLDER_IMPORTERS.find((i) => i.sniffFolder(folder))?.format).toBe("nsys-arrowdir");
    expect((await importTrace(path.join(dir, "plain-folder"))).meta.sourceFormat).toBe("nsys-arrowdir");
  });

  it("picks nsys-parquetdir for a folder of per-table Parquet files", async () => {
    const folder = await ExportFolder.open(path.join(dir, "other-folder"));
    expect(FOLDER_IMPORTERS.find((i) => i.sniffFolder(folder))?.format).toBe("nsys-parquetdir");
    expect((await importTrace(path.join(dir, "other-folder"))).meta.sourceFormat).toBe("nsys-parquetdir");
  });

  it("lists the tables the row builders read: every nsys table name in src/ingest/nsys-sqlite is in READ_TABLES", () => {
    const srcDir = path.resolve(__dirname, "../../src/ingest/nsys-sqlite");
    const names = new Set<string>();
    for (const f of fs.readdirSync(srcDir)) {
      const text = fs.readFileSync(path.join(srcDir, f), "utf8");
      for (const m of text.matchAll(/"((?:CUPTI_ACTIVITY_KIND|TARGET_INFO|ENUM|META_DATA|EXPORT_META)_[A-Z_]+|NVTX_EVENTS|StringIds|PROCESSES)"/g)) names.add(m[1]);
    }
    expect(names.size).toBeGreaterThan(10);
    for (const n of names) expect(READ_TABLES.has(n.toUpperCase()), n).toBe(true);
  });
});

/** Imports `file` expecting an ImportError; checks the message names the file and matches `cause`; input unchanged. */
async function refused(file: string, cause: RegExp): Promise<string> {
  const isDir = fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
  const before = isDir ? listDir(file).join() : fs.existsSync(file) ? sha256File(file) : null;
  const siblings = listDir(path.dirname(file)).join();
  const err = await importTrace(file).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ImportError);
  const msg = (err as ImportError).message;
  expect(msg.split("\n")).toHaveLength(1);
  expect(msg).toContain(file);
  expect(msg).toMatch(cause);
  expect(isDir ? listDir(file).join() : fs.existsSync(file) ? sha256File(file) : null).toBe(before);
  expect(listDir(path.dirname(file)).join()).toBe(siblings);
  return msg;
}

describe("bad nsys exports are refused with one message naming the file and the cause", () => {
  const src = fixture("real/nvfuser/ee4fcf3/report1.sqlite");
  let tables: ReturnType<typeof readSqliteTables> = [];
  let jsonl = "";
  let arrows: Buffer = Buffer.alloc(0);
  beforeAll(() => {
    tables = readSqliteTables(src, converted);
    jsonl = toJsonLines(tables);
    arrows = toArrowStreams(tables);
  });
  const write = (name: string, data: string | Uint8Array): string => {
    const p = path.join(makeTempDir("lithos-nsys-bad-"), name);
    fs.writeFileSync(p, data);
    return p;
  };

  it("JSON lines cut off inside a line", async () => {
    await refused(write("cut.jsonl", jsonl.slice(0, Math.floor(jsonl.length / 2))), /truncated: the last line \(\d+\) is incomplete/);
  });

  it("JSON lines with a corrupt line in the middle (says which line)", async () => {
    const lines = jsonl.split("\n");
    const at = lines.findIndex((l) => l.includes('"CUPTI_ACTIVITY_KIND_KERNEL"'));
    lines[at] = lines[at].slice(0, -5) + "@@@}";
    await refused(write("bad.jsonl", lines.join("\n")), new RegExp(`invalid JSON on line ${at + 1}`));
  });

  it("JSON lines without the kernel table", async () => {
    const noKernels = jsonl.split("\n").filter((l) => !l.includes('"CUPTI_ACTIVITY_KIND_KERNEL"')).join("\n");
    await refused(write("nokernels.jsonl", noKernels), /no CUPTI_ACTIVITY_KIND_KERNEL table/);
  });

  it("an .arrows file cut in half", async () => {
    await refused(write("cut.arrows", arrows.subarray(0, arrows.length >> 1)), /Arrow IPC data \(truncated or corrupt\)|no CUPTI_ACTIVITY_KIND_KERNEL/);
  });

  it("an .arrows file whose second stream's message header is overwritten", async () => {
    // Arrow IPC has no checksums: damage inside a value buffer reads as other values; a damaged header is caught
    const bad = Buffer.from(arrows);
    const second = toArrowStream(tables[0]).length;
    bad.fill(0x7f, second, second + 64);
    await refused(write("corrupt.arrows", bad), /Arrow IPC data \(truncated or corrupt\)/);
  });

  it("an .arrows file without the kernel table", async () => {
    const file = write("nokernels.arrows", Buffer.concat(tables.filter((t) => t.name !== "CUPTI_ACTIVITY_KIND_KERNEL").map((t) => toArrowStream(t))));
    await refused(file, /no CUPTI_ACTIVITY_KIND_KERNEL table/);
  });

  it("an Arrow stream of tables that are not nsys's", async () => {
    const file = write("other.arrows", toArrowStream({ name: "weather", columns: ["t"], rows: [[1]] }));
    await refused(file, /not an Nsight Systems export/);
  });

  it("an arrowdir folder with a truncated table file (names that file)", async () => {
    const dir = toArrowDir(tables, path.join(makeTempDir("lithos-nsys-bad-"), "r_arwdir"));
    const k = path.join(dir, "CUPTI_ACTIVITY_KIND_KERNEL.arrow");
    fs.writeFileSync(k, fs.readFileSync(k).subarray(0, 300));
    const msg = await refused(dir, /truncated or corrupt|no CUPTI_ACTIVITY_KIND_KERNEL/);
    expect(msg).toContain("CUPTI_ACTIVITY_KIND_KERNEL.arrow");
  });

  it("a parquetdir folder with a truncated table file (names that file)", async () => {
    const dir = await toParquetDir(tables, path.join(makeTempDir("lithos-nsys-bad-"), "r_pqtdir"));
    const k = path.join(dir, "CUPTI_ACTIVITY_KIND_KERNEL.parquet");
    const bytes = fs.readFileSync(k);
    fs.writeFileSync(k, bytes.subarray(0, bytes.length - 100));
    const msg = await refused(dir, /Parquet footer \(truncated or corrupt\)/);
    expect(msg).toContain("CUPTI_ACTIVITY_KIND_KERNEL.parquet");
  });

  it("a parquetdir folder with a corrupt page (names that file)", async () => {
    const dir = await toParquetDir(tables, path.join(makeTempDir("lithos-nsys-bad-"), "r_pqtdir"));
    const k = path.join(dir, "StringIds.parquet");
    const bytes = Buffer.from(fs.readFileSync(k));
    bytes.fill(0xff, 4, 200); // the first page header and data
    fs.writeFileSync(k, bytes);
    const msg = await refused(dir, /Parquet data \(truncated or corrupt\)/);
    expect(msg).toContain("StringIds.parquet");
  });

  it("a folder that is not an nsys export", async () => {
    const dir = makeTempDir("lithos-nsys-bad-");
    fs.writeFileSync(path.join(dir, "notes.txt"), "hello");
    await refused(dir, /is a directory, not a trace file/);
  });

  it("leaves no staging folder behind after a failure", async () => {
    const os = await import("node:os");
    const staged = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("lithos-nsys-stage-")).length;
    const before = staged();
    await refused(write("cut2.jsonl", jsonl.slice(0, 1000)), /truncated|no CUPTI/);
    expect(staged()).toBe(before);
  });
});

describe(".nsys-rep reports", () => {
  const REPORT = fixture("real/nvfuser/64ee035/report1.nsys-rep");
  const SQLITE_OF_REPORT = fixture("real/nvfuser/64ee035/report1.sqlite");
  const withPath = async <T>(p: string, fn: () => Promise<T>): Promise<T> => {
    const old = process.env.PATH;
    process.env.PATH = p;
    try {
      return await fn();
    } finally {
      process.env.PATH = old;
    }
  };

  it("without nsys on the PATH: refused with the command to run", async () => {
    const empty = makeTempDir("lithos-nopath-");
    const msg = await withPath(empty, () => refused(REPORT, /nsys is not on the PATH: export it first with `nsys export --type sqlite -o report\.sqlite .*report1\.nsys-rep`/));
    expect(msg).toMatch(/Nsight Systems report/);
  });

  it("with nsys on the PATH: exports to SQLite in a temporary folder and imports that", async () => {
    const bin = makeTempDir("lithos-fake-nsys-");
    const log = path.join(bin, "args.txt");
    // A stand-in for nsys that records its arguments and writes the SQLite export nsys made of this report.
    fs.writeFileSync(path.join(bin, "nsys"), `#!/bin/sh\necho "$@" > '${log}'\nwhile [ $# -gt 0 ]; do [ "$1" = --output ] && out="$2"; shift; done\ncp '${SQLITE_OF_REPORT}' "$out"\n`, { mode: 0o755 });
    expect(await withPath(bin, async () => findNsys())).toBe(path.join(bin, "nsys"));
    const before = sha256File(REPORT);
    const trace = await withPath(`${bin}${path.delimiter}${process.env.PATH}`, () => importTrace(REPORT));
    expect(fs.readFileSync(log, "utf8")).toMatch(/^export --type sqlite --output \S+report\.sqlite --force-overwrite true \S+report1\.nsys-rep/);
    expect(trace.meta.sourceFormat).toBe("nsys-rep");
    expect(rowsOf(trace).kernels).toEqual(rowsOf(await importTrace(SQLITE_OF_REPORT)).kernels);
    expect(sha256File(REPORT)).toBe(before);
  });

  it("with an nsys that fails: refused with nsys's last error line", async () => {
    const bin = makeTempDir("lithos-fake-nsys-");
    fs.writeFileSync(path.join(bin, "nsys"), "#!/bin/sh\necho 'Error: report is from a newer version' >&2\nexit 1\n", { mode: 0o755 });
    await withPath(bin, () => refused(REPORT, /nsys export --type sqlite` failed: Error: report is from a newer version/));
  });
});
