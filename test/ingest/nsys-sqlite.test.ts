/**
 * The nsys SQLite importer against every real export in shared/fixtures/real: counts and duration sums are
 * checked against independent SQL run by the test itself (node-sqlite3-wasm, opened through a symlink in a temp
 * folder so that its `.lock` directory never lands beside a fixture), plus the values SOURCES.md records.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "node-sqlite3-wasm";
import { ImportError } from "../../src/ingest/errors";
import { TraceSink } from "../../src/ingest/sink";
import { TraceSource } from "../../src/ingest/source";
import { nsysSqliteImporter } from "../../src/ingest/nsys-sqlite";
import { NsysDb, pidFromGlobalId, tidFromGlobalId } from "../../src/ingest/nsys-sqlite/db";
import type { Trace } from "../../src/trace/tables";

const REAL = path.resolve(__dirname, "../../../shared/fixtures/real");
const FILES = listSqlite(REAL);
const rel = (f: string): string => path.relative(REAL, f);
const byName = (suffix: string): string => {
  const f = FILES.find((x) => x.endsWith(suffix));
  if (!f) throw new Error(`fixture missing: ${suffix}`);
  return f;
};
const PROFILE16 = byName("profile16.sqlite");
const CON_KERNEL = byName("con_kernel.sqlite");
const EX_GPU = byName("ex-gpu.s10.sqlite");
const NVFUSER_2024 = byName("64ee035/report1.sqlite");
const NVFUSER_2025 = byName("ee4fcf3/report1.sqlite");
const CLOVERLEAF = byName("perlmutter-cloverleaf-cuda.sqlite");
const SAXPY = byName("saxpy-mpi-cuda_nsys_perlmutter0.sqlite");

/** Kernel rows per file as SOURCES.md records them. */
const SOURCES_KERNELS: Record<string, number> = {
  [PROFILE16]: 12, [CON_KERNEL]: 9, [EX_GPU]: 6, [NVFUSER_2024]: 19, [NVFUSER_2025]: 18, [CLOVERLEAF]: 1312, [SAXPY]: 5,
};

/** The GPU the kernels ran on (device 0): SM count and max clock as SOURCES.md / trace-formats.md §1.10 give them. */
const DEVICE0: Record<string, { name: RegExp; sms: number; clockHz: number }> = {
  [PROFILE16]: { name: /GTX 1060/, sms: 10, clockHz: 1_341_500_000 },
  [CON_KERNEL]: { name: /GTX 1060/, sms: 10, clockHz: 1_341_500_000 },
  [EX_GPU]: { name: /A100-PCIE-40GB/, sms: 108, clockHz: 1_410_000_000 },
  [NVFUSER_2024]: { name: /H200/, sms: 132, clockHz: 1_980_000_000 },
  [NVFUSER_2025]: { name: /H200/, sms: 132, clockHz: 1_980_000_000 },
  [CLOVERLEAF]: { name: /A100-SXM4-80GB/, sms: 108, clockHz: 1_410_000_000 },
  [SAXPY]: { name: /A100-SXM4-40GB/, sms: 108, clockHz: 1_410_000_000 },
};

function listSqlite(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listSqlite(p));
    else if (e.isFile() && e.name.endsWith(".sqlite")) out.push(p);
  }
  return out.sort();
}

const tempDirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "lithos-nsys-test-"));
  tempDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function sha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Runs `sql` on `file` without the importer (read-only, through a symlink in a temp folder). */
function query(file: string, sql: string): Record<string, unknown>[] {
  const link = path.join(tempDir(), "q.sqlite");
  fs.symlinkSync(file, link);
  const db = new Database(link, { readOnly: true });
  try {
    return db.all(sql) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
const scalar = (file: string, sql: string): unknown => Object.values(query(file, sql)[0])[0];
const hasTable = (file: string, table: string): boolean =>
  Number(scalar(file, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '${table}'`)) > 0;
const count = (file: string, table: string, where = ""): number =>
  hasTable(file, table) ? Number(scalar(file, `SELECT COUNT(*) FROM ${table} ${where}`)) : 0;

/** A writable copy of a fixture in a temp folder, optionally changed with `sql`. */
function copyFixture(file: string, sql?: string): string {
  const copy = path.join(tempDir(), path.basename(file));
  fs.copyFileSync(file, copy);
  fs.chmodSync(copy, 0o644);
  if (sql) {
    const db = new Database(copy);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  }
  return copy;
}

async function importFile(file: string): Promise<Trace> {
  const sink = new TraceSink("nsys-sqlite", path.basename(file));
  await nsysSqliteImporter.read(await TraceSource.open(file), sink);
  return sink.finish();
}

function column(trace: Trace, table: keyof Trace["tables"], name: string): unknown[] {
  const col = trace.tables[table].getChild(name);
  if (!col) throw new Error(`no column ${table}.${name}`);
  return [...col];
}

function kernelDurationSum(trace: Trace): bigint {
  const s = trace.kernels.getChild("start_ns")!.toArray() as BigInt64Array;
  const e = trace.kernels.getChild("end_ns")!.toArray() as BigInt64Array;
  let sum = 0n;
  for (let i = 0; i < s.length; i++) sum += e[i] - s[i];
  return sum;
}

function diagnostic(trace: Trace, code: string): { count: number; message: string } | undefined {
  const codes = column(trace, "diagnostics", "code");
  const i = codes.indexOf(code);
  if (i < 0) return undefined;
  return { count: Number(column(trace, "diagnostics", "count")[i]), message: String(column(trace, "diagnostics", "message")[i]) };
}

const traces = new Map<string, Trace>();
const hashes = new Map<string, string>();
beforeAll(async () => {
  for (const f of FILES) {
    hashes.set(f, sha256(f));
    traces.set(f, await importFile(f));
  }
});
const traceOf = (f: string): Trace => traces.get(f)!;

describe("nsys SQLite importer on every real export", () => {
  it("finds the seven exports SOURCES.md describes", () => {
    expect(FILES.map(rel)).toHaveLength(7);
    for (const f of FILES) expect(SOURCES_KERNELS[f], rel(f)).toBeDefined();
  });

  describe.each(FILES.map((f) => [rel(f), f]))("%s", (_name, file) => {
    it("imports one kernel row per CUPTI_ACTIVITY_KIND_KERNEL row, as many as SOURCES.md counts", () => {
      const n = count(file, "CUPTI_ACTIVITY_KIND_KERNEL");
      expect(traceOf(file).kernels.numRows).toBe(n);
      expect(n).toBe(SOURCES_KERNELS[file]);
    });

    it("keeps kernel times as exact integer ns: the sum of end_ns - start_ns equals SQLite's SUM(end - start)", () => {
      const expected = BigInt(scalar(file, 'SELECT SUM("end" - "start") FROM CUPTI_ACTIVITY_KIND_KERNEL') as number | bigint);
      expect(kernelDurationSum(traceOf(file))).toBe(expected);
      const firstStart = BigInt(scalar(file, 'SELECT "start" FROM CUPTI_ACTIVITY_KIND_KERNEL ORDER BY rowid LIMIT 1') as number);
      expect(column(traceOf(file), "kernels", "start_ns")[0]).toBe(firstStart);
    });

    it("imports every memcpy and memset row, and every runtime/driver call (eventClass 0 or 1)", () => {
      const trace = traceOf(file);
      const kinds = column(trace, "memops", "kind");
      expect(kinds.filter((k) => k === "memcpy")).toHaveLength(count(file, "CUPTI_ACTIVITY_KIND_MEMCPY"));
      expect(kinds.filter((k) => k === "memset")).toHaveLength(count(file, "CUPTI_ACTIVITY_KIND_MEMSET"));
      expect(trace.api.numRows).toBe(count(file, "CUPTI_ACTIVITY_KIND_RUNTIME", "WHERE eventClass IN (0, 1)"));
      const skipped = diagnostic(trace, "nsys.non_api_runtime_rows")?.count ?? 0;
      expect(trace.api.numRows + skipped).toBe(count(file, "CUPTI_ACTIVITY_KIND_RUNTIME"));
      expect(trace.syncs.numRows).toBe(count(file, "CUPTI_ACTIVITY_KIND_SYNCHRONIZATION"));
    });

    it("names kernels with their demangled names from StringIds, never with numeric ids", () => {
      const names = column(traceOf(file), "kernels", "name") as string[];
      for (const n of names) expect(n).toMatch(/[A-Za-z_]/);
      const first = scalar(file,
        "SELECT s.value FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.demangledName ORDER BY k.rowid LIMIT 1");
      expect(names[0]).toBe(first);
      expect(diagnostic(traceOf(file), "nsys.unresolved_string")).toBeUndefined();
    });

    it("describes device 0 with its SM count and clock in Hz", () => {
      const trace = traceOf(file);
      const ids = column(trace, "devices", "device_id");
      const i = ids.indexOf(0);
      expect(i).toBeGreaterThanOrEqual(0);
      const want = DEVICE0[file];
      expect(String(column(trace, "devices", "name")[i])).toMatch(want.name);
      expect(column(trace, "devices", "sm_count")[i]).toBe(want.sms);
      expect(Number(column(trace, "devices", "clock_hz")[i])).toBe(want.clockHz);
      expect(column(trace, "devices", "sm_count")).not.toContain(0);
    });

    it("gives every stream and process that GPU work references a row of its own", () => {
      const trace = traceOf(file);
      const streams = new Set(column(trace, "streams", "stream_id").map((s, i) =>
        `${column(trace, "streams", "device_id")[i]}|${column(trace, "streams", "context_id")[i]}|${s}`));
      const kernelStreams = column(trace, "kernels", "stream_id").map((s, i) =>
        `${column(trace, "kernels", "device_id")[i]}|${column(trace, "kernels", "context_id")[i]}|${s}`);
      for (const k of kernelStreams) expect(streams.has(k), k).toBe(true);
      expect(streams.size).toBe(trace.streams.numRows); // one row per (device, context, stream)
      const pids = new Set(column(trace, "processes", "process_id"));
      for (const p of column(trace, "kernels", "process_id")) expect(pids.has(p)).toBe(true);
      for (const p of column(trace, "api", "process_id")) expect(pids.has(p)).toBe(true);
    });

    it("strips the nsys version suffix from API names and gives each call a domain", () => {
      const trace = traceOf(file);
      const names = column(trace, "api", "name") as string[];
      for (const n of names) expect(n).not.toMatch(/_v\d{4,}$/);
      const domains = column(trace, "api", "domain");
      names.forEach((n, i) => expect(domains[i], n).toBe(n.startsWith("cuda") ? "runtime" : "driver"));
    });

    it("leaves the input file's bytes unchanged", () => {
      expect(sha256(file)).toBe(hashes.get(file));
    });
  });
});

describe("nsys SQLite importer: what particular exports hold", () => {
  it("takes SM counts, clock and bandwidth of the oldest export from TARGET_INFO_CUDA_GPU, converting kHz and kB/s", () => {
    const trace = traceOf(EX_GPU);
    expect(trace.devices.numRows).toBe(4);
    expect(column(trace, "devices", "mem_bandwidth_bytes_per_s")[0]).toBe(1_555_200_000_000n);
    expect(column(trace, "devices", "max_threads_per_sm")[0]).toBe(2048);
    expect(trace.meta.sourceTool).toBe("nsys (version not recorded)");
    expect(trace.meta.timeBaseEpochNs).toBeNull();
  });

  it("reads H200 properties from the current TARGET_INFO_GPU schema", () => {
    const trace = traceOf(NVFUSER_2024);
    expect(column(trace, "devices", "mem_bandwidth_bytes_per_s")).toEqual([4_916_736_000_000n]);
    expect(column(trace, "devices", "l2_bytes")).toEqual([62_914_560n]);
    expect(column(trace, "devices", "compute_major")).toEqual([9]);
    expect(column(trace, "devices", "smem_per_sm_bytes")).toEqual([233_472n]);
  });

  it("drops adapters without SMs (the iGPU and Basic Render Driver of a Windows capture) and counts them", () => {
    const trace = traceOf(PROFILE16);
    expect(column(trace, "devices", "name")).toEqual(["GeForce GTX 1060 with Max-Q Design"]);
    expect(diagnostic(trace, "nsys.gpu_without_sms")?.count).toBe(2);
  });

  it("records the exporter version and the session start as the time base", () => {
    expect(traceOf(CLOVERLEAF).meta.sourceTool).toBe("nsys 2024.5.1.113, export schema 3.13.2");
    expect(traceOf(PROFILE16).meta.sourceTool).toBe("nsys 2022.1.1.61, export schema 2.9.1");
    expect(traceOf(NVFUSER_2025).meta.timeBaseEpochNs).toBe(1_741_793_819_042_497_997n);
  });

  it("decodes process ids from globalPid values beyond 2^53 (Windows captures)", () => {
    const gpid = query(PROFILE16, "SELECT globalPid AS g FROM CUPTI_ACTIVITY_KIND_KERNEL LIMIT 1")[0].g;
    expect(typeof gpid).toBe("bigint");
    expect(pidFromGlobalId(gpid as bigint)).toBe(24620);
    expect(pidFromGlobalId(310028053512192)).toBe(1701896);
    expect(tidFromGlobalId(302119224788637n)).toBe(tidFromGlobalId(302119224788637));
    expect(new Set(column(traceOf(PROFILE16), "kernels", "process_id"))).toEqual(new Set([24620n]));
    expect(column(traceOf(PROFILE16), "processes", "name")).toEqual(["ParallelKernelsTest.exe"]);
  });

  it("keeps stream priority (signed) and type from TARGET_INFO_CUDA_STREAM, including streams without work", () => {
    const trace = traceOf(PROFILE16);
    const ids = column(trace, "streams", "stream_id");
    expect(ids).toHaveLength(23);
    const at = (s: number) => ids.indexOf(s);
    expect(column(trace, "streams", "stream_type")[at(7)]).toBe("null");
    expect(column(trace, "streams", "stream_type")[at(8)]).toBe("non_blocking");
    expect(column(trace, "streams", "stream_type")[at(25)]).toBe("default");
    expect(column(trace, "streams", "priority")[at(12)]).toBe(-1); // stored as 4294967295
  });

  it("adds streams that carried kernels or copies but that TARGET_INFO_CUDA_STREAM lacks", async () => {
    const copy = copyFixture(PROFILE16, "DELETE FROM TARGET_INFO_CUDA_STREAM WHERE streamId IN (14, 25)");
    const trace = await importFile(copy);
    const ids = column(trace, "streams", "stream_id");
    expect(ids).toHaveLength(23);
    for (const s of [14, 25]) {
      const i = ids.indexOf(s);
      expect(column(trace, "streams", "device_id")[i]).toBe(0);
      expect(column(trace, "streams", "context_id")[i]).toBe(1);
      expect(column(trace, "streams", "process_id")[i]).toBe(24620n);
      expect(column(trace, "streams", "priority")[i]).toBeNull();
      expect(column(trace, "streams", "stream_type")[i]).toBeNull();
    }
  });

  it("maps sync types, drops 0xFFFFFFFF ids and takes the thread from the synchronising API call", () => {
    const trace = traceOf(NVFUSER_2025);
    expect(column(trace, "syncs", "sync_kind")).toEqual(["stream_wait", "stream_wait", "context"]);
    expect(column(trace, "syncs", "stream_id")).toEqual([7, 7, null]);
    expect(column(trace, "syncs", "event_id")).toEqual([null, null, null]);
    expect(column(trace, "syncs", "thread_id")).toEqual([50556n, 50556n, 50556n]);
    expect(column(traceOf(CON_KERNEL), "syncs", "event_id").slice(0, 5)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  it("classifies blocking calls: cudaMemcpy waits as memcpy, cudaDeviceSynchronize as device", () => {
    const trace = traceOf(CLOVERLEAF);
    const names = column(trace, "api", "name");
    const sync = column(trace, "api", "sync_kind");
    const kindsOf = (n: string) => new Set(names.flatMap((x, i) => (x === n ? [sync[i]] : [])));
    expect(kindsOf("cudaMemcpy")).toEqual(new Set(["memcpy"]));
    expect(kindsOf("cudaDeviceSynchronize")).toEqual(new Set(["device"]));
    expect(kindsOf("cudaLaunchKernel")).toEqual(new Set([null]));
    expect(names.filter((n) => n === "cudaLaunchKernel")).toHaveLength(1312);
  });

  it("does not import the CUDA backtrace copies of API calls (eventClass 67)", () => {
    const trace = traceOf(EX_GPU);
    expect(trace.api.numRows).toBe(18);
    expect(diagnostic(trace, "nsys.non_api_runtime_rows")).toMatchObject({ count: 18 });
  });

  it("names NVTX ranges from inline text or StringIds and skips domain and thread declarations", () => {
    const trace = traceOf(SAXPY);
    const names = column(trace, "annotations", "name");
    expect(trace.annotations.numRows).toBe(22);
    expect(names[0]).toBe("MPI_Init"); // textId 59
    expect(names).toContain("saxpy"); // inline text
    expect(new Set(column(trace, "annotations", "category"))).toEqual(new Set(["nvtx"]));
    expect(diagnostic(trace, "nsys.nvtx_meta_rows")?.count).toBe(2);
  });

  it("maps copy directions and memory kinds to their short names", () => {
    const trace = traceOf(NVFUSER_2025);
    expect(column(trace, "memops", "copy_kind")).toEqual(["HtoD", "HtoD", "DtoD", null, null, null]);
    expect(column(trace, "memops", "src_kind").slice(0, 3)).toEqual(["Pageable", "Pageable", "Device"]);
    expect(column(trace, "memops", "dst_kind")).toEqual(Array(6).fill("Device"));
    const profile = traceOf(PROFILE16); // no ENUM_* tables: the built-in names
    expect(new Set(column(profile, "memops", "copy_kind"))).toEqual(new Set(["HtoD", "DtoH", null]));
    expect(new Set(column(profile, "memops", "src_kind"))).toEqual(new Set(["Pinned", "Device", null]));
  });

  it("leaves a canonical table empty and counts nsys.missing_table when nothing of that kind was recorded", () => {
    const trace = traceOf(CLOVERLEAF);
    expect(trace.annotations.numRows).toBe(0);
    expect(column(trace, "memops", "kind").filter((k) => k === "memset")).toHaveLength(0);
    expect(diagnostic(trace, "nsys.missing_table")?.message).toMatch(/CUPTI_ACTIVITY_KIND_MEMSET.*NVTX_EVENTS/);
  });

  it("writes names only for the processes in the trace, not the whole PROCESSES table", () => {
    const trace = traceOf(CLOVERLEAF);
    expect(column(trace, "processes", "name")).toEqual(["cuda-cloverleaf"]);
    expect(diagnostic(trace, "nsys.unrelated_processes")?.count).toBe(count(CLOVERLEAF, "PROCESSES") - 1);
  });
});

describe("nsys SQLite importer: inputs it refuses or must cope with", () => {
  const importCopy = (file: string) => importFile(file);

  it("refuses an export without CUPTI_ACTIVITY_KIND_KERNEL with an ImportError that names the table", async () => {
    const copy = copyFixture(SAXPY, "DROP TABLE CUPTI_ACTIVITY_KIND_KERNEL");
    const err = await importCopy(copy).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).message).toMatch(/no CUPTI_ACTIVITY_KIND_KERNEL table.*nsys profile -t cuda/);
  });

  it("refuses a SQLite database that is not an Nsight Systems export", async () => {
    const file = path.join(tempDir(), "other.sqlite");
    const db = new Database(file);
    db.exec("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT)");
    db.close();
    await expect(importCopy(file)).rejects.toThrow(ImportError);
    await expect(importCopy(file)).rejects.toThrow(/not an Nsight Systems export/);
  });

  it("turns a truncated database into an ImportError carrying SQLite's message", async () => {
    const file = path.join(tempDir(), "truncated.sqlite");
    fs.writeFileSync(file, fs.readFileSync(CLOVERLEAF).subarray(0, 1_500_000));
    await expect(importCopy(file)).rejects.toThrow(ImportError);
    await expect(importCopy(file)).rejects.toThrow(/not a readable SQLite database: database disk image is malformed/);
  });

  it("turns a file that only starts like SQLite into an ImportError, not a crash", async () => {
    const file = path.join(tempDir(), "fake.sqlite");
    fs.writeFileSync(file, Buffer.concat([Buffer.from("SQLite format 3\u0000"), Buffer.alloc(200, 7)]));
    await expect(importCopy(file)).rejects.toThrow(/not a readable SQLite database/);
  });

  it("reads a gzipped export like the plain file", async () => {
    const file = path.join(tempDir(), "saxpy.sqlite.gz");
    fs.writeFileSync(file, zlib.gzipSync(fs.readFileSync(SAXPY)));
    const trace = await importCopy(file);
    expect(trace.kernels.numRows).toBe(5);
    expect(kernelDurationSum(trace)).toBe(kernelDurationSum(traceOf(SAXPY)));
  });

  it("is not blocked by a leftover .lock directory beside the input", async () => {
    const copy = copyFixture(CON_KERNEL);
    fs.mkdirSync(`${copy}.lock`);
    const trace = await importCopy(copy);
    expect(trace.kernels.numRows).toBe(9);
    expect(fs.readdirSync(path.dirname(copy)).sort()).toEqual([path.basename(copy), `${path.basename(copy)}.lock`]);
  });

  it("rebases absolute (--ts-normalize) timestamps to the first kernel's second and keeps durations exact", async () => {
    const epoch = 1_687_813_257_637_297_504n; // saxpy's session start
    const shift = ["CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_RUNTIME", "NVTX_EVENTS"]
      .map((t) => `UPDATE ${t} SET "start" = "start" + ${epoch}, "end" = "end" + ${epoch};`).join("\n");
    const copy = copyFixture(SAXPY, shift);
    const trace = await importCopy(copy);
    const firstAbs = 924_922_186n + epoch;
    const base = (firstAbs / 1_000_000_000n) * 1_000_000_000n;
    expect(trace.meta.timeBaseEpochNs).toBe(base);
    expect(column(trace, "kernels", "start_ns")[0]).toBe(firstAbs - base);
    expect(kernelDurationSum(trace)).toBe(kernelDurationSum(traceOf(SAXPY)));
    expect(diagnostic(trace, "nsys.absolute_timestamps")).toBeDefined();
    expect(column(trace, "annotations", "end_ns")[0]).toBe(710_796_807n + epoch - base);
  });

  it("reads identical values through the fast cursor and the package's public iterator", () => {
    for (const file of FILES) {
      const read = (portable: boolean): (number | string | null)[][] => {
        const link = path.join(tempDir(), "c.sqlite");
        fs.symlinkSync(file, link);
        const db = NsysDb.open(link, { portable });
        const rows: (number | string | null)[][] = [];
        try {
          db.rows('SELECT "start", "end", demangledName, globalPid >> 24, NULL, \'x\' FROM CUPTI_ACTIVITY_KIND_KERNEL', (r) =>
            rows.push([0, 1, 2, 3, 4, 5].map((i) => r.value(i))));
        } finally {
          db.close();
        }
        return rows;
      };
      expect(read(false), rel(file)).toEqual(read(true));
    }
  });
});
