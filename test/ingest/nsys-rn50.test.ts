/**
 * One real report in every nsys export type (traces/nsys-rn50: ResNet-50 inference on an NVIDIA GPU, profiled with
 * `nsys profile -t cuda,nvtx` and exported five ways from the same .nsys-rep; README.md there says how): each export
 * must give the SQLite export's canonical tables row for row, with the exceptions listed in EXCEPT.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as zlib from "node:zlib";
import { ImportError, importTrace, IMPORTERS } from "../../src/ingest";
import { makeTempDir, removeTempDirs } from "../helpers/files";
import { expectImportRefused } from "../helpers/refusals";
import type { Trace } from "../../src/trace/tables";
import { rowsOf } from "../helpers/nsys-convert";

const DIR = path.resolve(__dirname, "../../traces/nsys-rn50");
const SQLITE = path.join(DIR, "rn50.sqlite.gz");
const OTHERS: Record<string, string> = {
  "nsys-json": path.join(DIR, "rn50.json.gz"),
  "nsys-arrow": path.join(DIR, "rn50.arrows.gz"),
  "nsys-arrowdir": path.join(DIR, "rn50_arwdir"),
  "nsys-parquetdir": path.join(DIR, "rn50_pqtdir"),
};

afterAll(removeTempDirs);

let sqlite: Trace;
const traces = new Map<string, Trace>();
beforeAll(async () => {
  sqlite = await importTrace(SQLITE);
  for (const [format, file] of Object.entries(OTHERS)) traces.set(format, await importTrace(file));
}, 120_000);

describe("the real ResNet-50 report, every export type", () => {
  it("has real rows in every event table of the SQLite export", () => {
    expect(sqlite.meta.sourceFormat).toBe("nsys-sqlite");
    for (const t of ["kernels", "memops", "api", "syncs", "annotations", "devices", "streams", "processes"] as const) {
      expect(sqlite.tables[t].numRows, t).toBeGreaterThan(0);
    }
  });

  it.each(["nsys-arrow", "nsys-arrowdir", "nsys-parquetdir"])("%s gives the SQLite export's tables row for row, every table", (format) => {
    const trace = traces.get(format)!;
    expect(trace.meta.sourceFormat).toBe(format);
    expect(trace.meta.sourceTool).toBe(sqlite.meta.sourceTool);
    expect(trace.meta.timeBaseEpochNs).toBe(sqlite.meta.timeBaseEpochNs);
    const want = rowsOf(sqlite), got = rowsOf(trace);
    for (const t of Object.keys(want)) expect(got[t], `${format} ${t}`).toEqual(want[t]);
  });

  it("nsys-json (`--type json`, event records) gives the SQLite export's event tables row for row", () => {
    const trace = traces.get("nsys-json")!;
    expect(trace.meta.sourceFormat).toBe("nsys-json");
    const want = rowsOf(sqlite), got = rowsOf(trace);
    for (const t of ["kernels", "memops", "api", "syncs", "annotations", "processes"]) expect(got[t], t).toEqual(want[t]);
  });

  it("nsys-json lacks only what `--type json` does not hold: device properties, stream priorities and types, epoch, version", () => {
    const trace = traces.get("nsys-json")!;
    // no TARGET_INFO_SESSION_START_TIME / META_DATA_EXPORT in this layout
    expect(trace.meta.timeBaseEpochNs).toBeNull();
    expect(sqlite.meta.timeBaseEpochNs).not.toBeNull();
    expect(trace.meta.sourceTool).toBe("nsys (version not recorded)");
    // no TARGET_INFO_GPU: the device the records use, with a placeholder name and no properties
    const dev = trace.tables.devices.toArray().map((r) => r.toJSON());
    expect(dev.map((d) => d.device_id)).toEqual(sqlite.tables.devices.toArray().map((r) => r.toJSON().device_id));
    expect(dev[0].name).toBe("CUDA device 0");
    expect(dev[0].sm_count).toBeNull();
    // no TARGET_INFO_CUDA_STREAM: the streams the records use, without priority and type
    const key = (r: Record<string, unknown>) => `${r.device_id}|${r.context_id}|${r.stream_id}|${r.process_id}`;
    const used = new Set(trace.tables.streams.toArray().map((r) => key(r.toJSON())));
    const described = sqlite.tables.streams.toArray().map((r) => r.toJSON());
    expect(used.size).toBeGreaterThan(0);
    for (const k of used) expect(described.map(key), k).toContain(k);
    for (const r of trace.tables.streams.toArray().map((x) => x.toJSON())) {
      expect(r.priority ?? null).toBeNull();
      expect(r.stream_type ?? null).toBeNull();
    }
    const codes = trace.tables.diagnostics.toArray().map((r) => String(r.toJSON().code));
    expect(codes).toContain("nsys.device_without_properties");
    expect(codes).toContain("nsys.missing_table");
  });
});

describe("the real exports: detection and damage", () => {
  it("detects every export type from its content", async () => {
    for (const [format, file] of [["nsys-sqlite", SQLITE], ["nsys-json", OTHERS["nsys-json"]], ["nsys-arrow", OTHERS["nsys-arrow"]]]) {
      const head = zlib.gunzipSync(fs.readFileSync(file)).subarray(0, 65536);
      expect(IMPORTERS.filter((i) => i.sniff(head, "renamed.bin")).map((i) => i.format)[0], file).toBe(format);
    }
  });

  it.each([
    ["rn50.json", /truncated: the last line \(\d+\) is incomplete|invalid JSON/],
    ["rn50.arrows", /Arrow IPC data \(truncated or corrupt\)/],
  ])("refuses %s cut at 60%% with one message naming the file", async (name, cause) => {
    const bytes = zlib.gunzipSync(fs.readFileSync(path.join(DIR, `${name}.gz`)));
    const file = path.join(makeTempDir("lithos-rn50-cut-"), name);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expectImportRefused(file, cause);
  });

  it("refuses the Parquet folder with its kernel table cut, naming that file", async () => {
    const dir = path.join(makeTempDir("lithos-rn50-cut-"), "rn50_pqtdir");
    fs.mkdirSync(dir);
    for (const f of fs.readdirSync(OTHERS["nsys-parquetdir"])) fs.copyFileSync(path.join(OTHERS["nsys-parquetdir"], f), path.join(dir, f));
    const k = path.join(dir, "CUPTI_ACTIVITY_KIND_KERNEL.parquet");
    fs.writeFileSync(k, fs.readFileSync(k).subarray(0, 5000));
    const err = await importTrace(dir).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as Error).message).toContain(k);
    expect((err as Error).message).toMatch(/Parquet footer \(truncated or corrupt\)/);
  });
});
