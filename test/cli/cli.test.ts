/**
 * The `lithos-replay` command line, run as a user runs it (`node bin/lithos-replay.js`, after a build): the import
 * and info contract on real fixtures, and bad input, which must end with status 2, one line on stderr naming the
 * input and the cause, no output or temporary file left behind, and the input unchanged.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackage, refusalLine, runCli, type CliResult } from "../helpers/cli";
import { KERNEL_CATS, MEMOP_CATS, API_CATS, completeEvents, fixture, readJson, rel, readDecompressed, type RawTrace } from "../helpers/fixtures";
import { listDir, makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { readSqliteTables, toArrowStreams, toJsonLines } from "../helpers/nsys-convert";

beforeAll(() => {
  buildPackage();
}, 300_000);
afterAll(removeTempDirs);

const KINETO = fixture("h200/resnet50_infer_bs1.pt.trace.json.gz");
const LEGACY = fixture("real/kineto/tb_plugin/samples/resnet50_num_workers_0/worker0.1623143089861.pt.trace.json.gz");

interface InfoJson {
  source_format: string;
  tables: Record<string, { rows: number }>;
  devices: { id: number; name: string; sms: number | null }[];
  kernel_time_ns: number;
  time_base_epoch_ns: string | null;
  diagnostics: { code: string }[];
}

/** stdout must be exactly one line holding one JSON object. */
function parseInfo(r: CliResult): InfoJson {
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  expect(lines).toHaveLength(1);
  const info = JSON.parse(lines[0]) as InfoJson;
  expect(typeof info).toBe("object");
  return info;
}

describe("lithos-replay --help", () => {
  it("exits 0 and lists the import and info commands", () => {
    const r = runCli(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\s*lithos-replay import /m);
    expect(r.stdout).toMatch(/^\s*lithos-replay info /m);
  });
});

describe("lithos-replay import and info on real Kineto traces", () => {
  it.each([[rel(KINETO), KINETO], [rel(LEGACY), LEGACY]])("imports %s to an .arrow file whose info matches the input's info and the raw file", (_name, input) => {
    const out = path.join(makeTempDir(), "x.arrow");
    const before = sha256File(input);
    const imported = runCli(["import", input, "-o", out]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(fs.statSync(out).size).toBeGreaterThan(0);
    expect(listDir(path.dirname(out))).toEqual(["x.arrow"]);
    expect(sha256File(input)).toBe(before);

    const fromArrow = parseInfo(runCli(["info", out, "--json"]));
    const fromInput = parseInfo(runCli(["info", input, "--json"]));

    const doc = readJson(input) as RawTrace;
    const kernels = completeEvents(doc, KERNEL_CATS);
    expect(fromArrow.tables.kernels.rows).toBe(kernels.length);
    expect(fromArrow.tables.memops.rows).toBe(completeEvents(doc, MEMOP_CATS).length);
    expect(fromArrow.tables.api.rows).toBe(completeEvents(doc, API_CATS).length);
    expect(Number.isInteger(fromArrow.kernel_time_ns)).toBe(true);
    expect(fromArrow.kernel_time_ns).toBe(kernels.reduce((s, e) => s + Math.round((e.dur as number) * 1000), 0));
    const props = doc.deviceProperties ?? [];
    expect(fromArrow.devices[0].name).toBe(props[0].name);
    expect(fromArrow.devices[0].sms).toBe(props[0].numSms);

    // The .arrow file says the same as the input it came from.
    for (const t of Object.keys(fromInput.tables)) expect(fromArrow.tables[t], t).toEqual(fromInput.tables[t]);
    expect(fromArrow.kernel_time_ns).toBe(fromInput.kernel_time_ns);
    expect(fromArrow.devices).toEqual(fromInput.devices);
    expect(fromArrow.time_base_epoch_ns).toBe(fromInput.time_base_epoch_ns);
    expect(fromArrow.source_format).toBe("kineto-json");
  });

  it("writes byte-identical files when the same input is imported twice", () => {
    const dir = makeTempDir();
    const a = path.join(dir, "a.arrow");
    const b = path.join(dir, "b.arrow");
    expect(runCli(["import", KINETO, "-o", a]).status).toBe(0);
    expect(runCli(["import", KINETO, "-o", b]).status).toBe(0);
    expect(sha256File(a)).toBe(sha256File(b));
  });

  it("exits 2 with a usage message when import has no -o", () => {
    const cwd = makeTempDir();
    const r = runCli(["import", KINETO], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/-o/);
    expect(r.stderr).toMatch(/usage: lithos-replay import /);
    expect(listDir(cwd)).toEqual([]);
  });
});

/** Bad input: each case gives the input path (made in `inputs`) and what the one stderr line must say. */
interface BadCase {
  name: string;
  make: (inputs: string) => string;
  cause: RegExp;
}

const inputsRoot = () => makeTempDir("lithos-bad-input-");

function halfOf(file: string, decompress: boolean): Buffer {
  const bytes = decompress ? readDecompressed(file) : fs.readFileSync(file);
  return bytes.subarray(0, bytes.length >> 1);
}

const BAD: BadCase[] = [
  {
    name: "a truncated .gz (the first half of a real fixture's bytes)",
    make: (dir) => {
      const p = path.join(dir, "truncated.pt.trace.json.gz");
      fs.writeFileSync(p, halfOf(KINETO, false));
      return p;
    },
    cause: /truncated|gzip|unexpected end/i,
  },
  {
    name: "invalid JSON (a real fixture decompressed and cut in the middle, uncompressed)",
    make: (dir) => {
      const p = path.join(dir, "cut.json");
      fs.writeFileSync(p, halfOf(fixture("real/hta/critical_path/alexnet/benchmark_result_2869224_1695835535_trace.json.gz"), true));
      return p;
    },
    cause: /JSON/,
  },
  {
    name: "JSON that is not a trace ({\"hello\": 1})",
    make: (dir) => {
      const p = path.join(dir, "hello.json");
      fs.writeFileSync(p, '{"hello": 1}');
      return p;
    },
    cause: /traceEvents|not a .*trace/i,
  },
  {
    name: "gzipped JSON that is not a trace",
    make: (dir) => {
      const p = path.join(dir, "hello.json.gz");
      fs.writeFileSync(p, zlib.gzipSync('{"hello": 1}'));
      return p;
    },
    cause: /traceEvents|not a .*trace/i,
  },
  {
    name: "a SQLite file without a kernel table",
    make: (dir) => {
      const p = path.join(dir, "nokernels.sqlite");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Database } = require("node-sqlite3-wasm") as { Database: new (p: string) => { exec(sql: string): void; close(): void } };
      const db = new Database(p);
      db.exec("CREATE TABLE StringIds(id INTEGER PRIMARY KEY, value TEXT)");
      db.close();
      return p;
    },
    cause: /kernel/i,
  },
  {
    name: "an empty file",
    make: (dir) => {
      const p = path.join(dir, "empty.json");
      fs.writeFileSync(p, "");
      return p;
    },
    cause: /empty/i,
  },
  {
    name: "a directory",
    make: (dir) => {
      const p = path.join(dir, "a-folder");
      fs.mkdirSync(p);
      return p;
    },
    cause: /directory/i,
  },
  {
    name: "a missing file",
    make: (dir) => path.join(dir, "does-not-exist.json.gz"),
    cause: /no such file|not found|does not exist/i,
  },
  {
    name: "an .nsys-rep report (it must say to run nsys export)",
    make: () => fixture("real/nvfuser/64ee035/report1.nsys-rep"),
    cause: /nsys export/,
  },
  {
    name: "nsys JSON lines cut off inside a line (a real SQLite export rewritten as JSON lines, then cut)",
    make: (dir) => {
      const p = path.join(dir, "cut.jsonl");
      const text = toJsonLines(readSqliteTables(fixture("real/nvfuser/ee4fcf3/report1.sqlite")));
      fs.writeFileSync(p, text.slice(0, Math.floor(text.length * 0.7)));
      return p;
    },
    cause: /truncated/i,
  },
  {
    name: "an nsys .arrows stream file cut in half",
    make: (dir) => {
      const p = path.join(dir, "cut.arrows");
      const bytes = toArrowStreams(readSqliteTables(fixture("real/nvfuser/ee4fcf3/report1.sqlite")));
      fs.writeFileSync(p, bytes.subarray(0, bytes.length >> 1));
      return p;
    },
    cause: /truncated|corrupt|no CUPTI_ACTIVITY_KIND_KERNEL/i,
  },
  {
    name: "a folder of files that is not an nsys arrowdir/parquetdir export",
    make: (dir) => {
      const p = path.join(dir, "not-an-export");
      fs.mkdirSync(p);
      fs.writeFileSync(path.join(p, "CUPTI_ACTIVITY_KIND_KERNEL.parquet"), "not parquet");
      return p;
    },
    cause: /directory/i,
  },
  {
    name: "a Chakra JSON workload graph cut short",
    make: (dir) => {
      const p = path.join(dir, "cut_chakra.json");
      fs.writeFileSync(p, fs.readFileSync(fixture("real/chakra/small_chakra.0.json")).subarray(0, 1000));
      return p;
    },
    cause: /corrupt Chakra JSON/i,
  },
  {
    name: "a Chakra .et execution trace cut short",
    make: (dir) => {
      const p = path.join(dir, "cut_chakra.0.et");
      const bytes = fs.readFileSync(fixture("real/chakra/chakra.0.et"));
      fs.writeFileSync(p, bytes.subarray(0, bytes.length >> 1));
      return p;
    },
    cause: /corrupt Chakra ET stream: truncated/i,
  },
  {
    name: "a PyTorch execution-trace JSON",
    make: () => fixture("real/hta/execution_trace/benchmark_simple_add_et.json.gz"),
    cause: /execution trace/i,
  },
  {
    name: "a Chakra-converter PyTorch execution-trace JSON (schema 1.0.2-chakra)",
    make: () => fixture("real/chakra/1.0.2-chakra.0.0.4.json"),
    cause: /execution trace/i,
  },
];

describe("lithos-replay import on bad input", () => {
  it.each(BAD.map((c) => [c.name, c] as const))(
    "exits 2 on %s with one stderr line naming the input and the cause, leaving no output and the input unchanged",
    (_name, c) => {
      const input = c.make(inputsRoot());
      const exists = fs.existsSync(input);
      const isDir = exists && fs.statSync(input).isDirectory();
      const before = exists && !isDir ? sha256File(input) : null;
      const dirBefore = isDir ? listDir(input) : null;
      const siblingsBefore = fs.existsSync(path.dirname(input)) ? listDir(path.dirname(input)) : null;
      const outDir = makeTempDir("lithos-bad-output-");

      const r = runCli(["import", input, "-o", path.join(outDir, "x.arrow")]);

      const line = refusalLine(r);
      expect(r.stderr.endsWith("\n")).toBe(true);
      expect(line).toContain(input);
      // The cause comes after the path.
      const cause = line.slice(line.indexOf(input) + input.length);
      expect(cause).toMatch(c.cause);
      expect(r.stdout).toBe("");
      // No output file, and no temporary file either.
      expect(listDir(outDir)).toEqual([]);
      // The input is unchanged, and nothing was created beside it.
      if (before !== null) expect(sha256File(input)).toBe(before);
      if (dirBefore !== null) expect(listDir(input)).toEqual(dirBefore);
      if (siblingsBefore !== null) expect(listDir(path.dirname(input))).toEqual(siblingsBefore);
      expect(fs.existsSync(input)).toBe(exists);
    },
  );

  it("exits 2 with a usage message when the output folder does not exist, creating nothing", () => {
    const dir = makeTempDir();
    const r = runCli(["import", KINETO, "-o", path.join(dir, "missing", "x.arrow")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
    expect(listDir(dir)).toEqual([]);
  });

  it("exits 2 when the output path is the input itself, leaving the input unchanged", () => {
    const dir = makeTempDir();
    const input = path.join(dir, "t.json.gz");
    fs.copyFileSync(KINETO, input);
    const before = sha256File(input);
    const r = runCli(["import", input, "-o", input]);
    expect(r.status).toBe(2);
    expect(sha256File(input)).toBe(before);
    expect(listDir(dir)).toEqual(["t.json.gz"]);
  });

  it("exits 2 for info on a bad input as well, with one stderr line naming it", () => {
    const dir = inputsRoot();
    const p = path.join(dir, "hello.json");
    fs.writeFileSync(p, '{"hello": 1}');
    const r = runCli(["info", p, "--json"]);
    expect(refusalLine(r)).toContain(p);
    expect(r.stdout).toBe("");
  });
});
