/**
 * The `lithos-replay predict` contract, run as a user runs it (`node bin/lithos-replay.js`, after a build):
 *   predict --gpu h200 --kernels <in.csv> --sms 8,16,24,32,48,64,80,96,112,128 --out <out.csv>
 * in.csv has a header and at least name,grid,block,regs,smem,us (grid/block as XxYxZ, us measured on all 132 SMs),
 * in any order, other columns carried through unchanged; out.csv is in.csv plus one column us_at_<n> per SM count.
 * Checked on real kernels of shared/calibration/h200/kernels.csv: the output's shape and bytes, its predictions
 * against the durations measured at those SM counts (better than the constant and wave-quantisation predictors,
 * both computed here), the identity at 132 SMs; and bad input: exit 2, one stderr line naming the file or option,
 * no output file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calibrationFor } from "../../src/gpu/calibration";
import { H200_SXM } from "../../src/gpu/specs";
import { predictKernelUs } from "../../src/gpu/timing";
import { buildPackage, refusalLine, runCli, type CliResult } from "../helpers/cli";
import { listDir, makeTempDir, removeTempDirs, sha256File } from "../helpers/files";
import { KERNELS_CSV } from "../helpers/fixtures";

beforeAll(() => {
  buildPackage();
}, 300_000);
afterAll(removeTempDirs);

const SMS = [8, 16, 24, 32, 48, 64, 80, 96, 112, 128];
const FULL = 132;
const WORKLOAD = "bert_infer_bs1";

/** Fields of one CSV line (RFC 4180 quotes; the kernels.csv names hold commas but no line breaks). */
function splitLine(line: string): string[] {
  const out: string[] = [];
  let field = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { out.push(field); field = ""; }
    else field += c;
  }
  out.push(field);
  return out;
}

/** A field as CSV writes it: quoted when it holds a comma, quote or line break. */
function quote(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

interface Row { workload: string; sms: number; seq: string; name: string; grid: string; block: string; regs: string; smem: string; us: string }

/** kernels.csv rows, fields as text. */
function readKernels(): Row[] {
  const lines = fs.readFileSync(KERNELS_CSV, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = splitLine(lines[0]);
  return lines.slice(1).map((l) => {
    const f = splitLine(l);
    expect(f.length, l).toBe(head.length);
    const get = (c: string) => f[head.indexOf(c)];
    return { workload: get("workload"), sms: Number(get("sms")), seq: get("seq"), name: get("name"), grid: get("grid"), block: get("block"), regs: get("regs"), smem: get("smem"), us: get("us") };
  });
}

const ROWS = readKernels();
/** Measured µs by workload#seq and SM count. */
const MEASURED = new Map<string, Map<number, number>>();
for (const r of ROWS) {
  const key = `${r.workload}#${r.seq}`;
  if (!MEASURED.has(key)) MEASURED.set(key, new Map());
  MEASURED.get(key)!.set(r.sms, Number(r.us));
}

const COLUMNS = ["seq", "name", "us", "note", "grid", "block", "regs", "smem", "workload"] as const;

/** A note column full of CSV's special characters, different per row (some rows leave it empty). */
function note(r: Row, i: number): string {
  return i % 5 === 4 ? "" : `kernel ${r.seq}, "${r.grid}" on ${r.block}; said ""twice"", ok`;
}

/** in.csv text (LF line ends) of the full-chip rows of some workloads, and the rows in order. */
function inputCsv(workloads: string[]): { text: string; lines: string[]; rows: Row[] } {
  const rows = ROWS.filter((r) => r.sms === FULL && workloads.includes(r.workload));
  const lines = [COLUMNS.join(",")];
  rows.forEach((r, i) => {
    const v: Record<(typeof COLUMNS)[number], string> = { seq: r.seq, name: r.name, us: r.us, note: note(r, i), grid: r.grid, block: r.block, regs: r.regs, smem: r.smem, workload: r.workload };
    lines.push(COLUMNS.map((c) => quote(v[c])).join(","));
  });
  return { text: `${lines.join("\n")}\n`, lines, rows };
}

/** Output rows of out.csv: each output line split into the input line it must start with and its predictions. */
function readOutput(outFile: string, inLines: string[], sms: number[]): number[][] {
  const text = fs.readFileSync(outFile, "utf8");
  expect(text.endsWith("\n")).toBe(true);
  const out = text.slice(0, -1).split("\n");
  expect(out.length, "one output line per input line").toBe(inLines.length);
  expect(out[0]).toBe(`${inLines[0]},${sms.map((n) => `us_at_${n}`).join(",")}`);
  return out.slice(1).map((line, i) => {
    const prefix = `${inLines[i + 1]},`;
    if (!line.startsWith(prefix)) expect.fail(`output line ${i + 2} does not start with input line ${i + 2}:\n${line.slice(0, 200)}\n${prefix.slice(0, 200)}`);
    const rest = line.slice(prefix.length).split(",");
    expect(rest.length, `line ${i + 2}`).toBe(sms.length);
    return rest.map((s) => {
      expect(s, `line ${i + 2}`).toMatch(/^\d+(\.\d+)?$/);
      return Number(s);
    });
  });
}

function predictArgs(input: string, out: string, sms: number[] | string, gpu = "h200"): string[] {
  return ["predict", "--gpu", gpu, "--kernels", input, "--sms", Array.isArray(sms) ? sms.join(",") : sms, "--out", out];
}

/** Blocks of a kernel resident per SM (CUDA occupancy rules for CC 9.0 on the H200), written out here. */
function residentPerSm(threads: number, regs: number, smem: number): number {
  const warps = Math.ceil(threads / 32);
  const byWarps = Math.floor(H200_SXM.maxWarpsPerSm / warps);
  let byRegs = Infinity;
  if (regs > 0) {
    const regsPerWarp = Math.ceil((regs * 32) / 256) * 256;
    byRegs = Math.floor((Math.floor(H200_SXM.regsPerSm / 4 / regsPerWarp) * 4) / warps);
  }
  const bySmem = Math.floor(H200_SXM.smemPerSmBytes / (Math.ceil((smem + 1024) / 128) * 128));
  return Math.max(1, Math.min(byWarps, byRegs, bySmem, H200_SXM.maxBlocksPerSm));
}

const dims = (s: string) => s.split("x").map(Number);
const product = (s: string) => dims(s).reduce((a, b) => a * b, 1);

describe("predict on real kernels (the contract)", () => {
  let dir: string, input: string, out: string, run: CliResult, made: ReturnType<typeof inputCsv>, preds: number[][];

  beforeAll(() => {
    dir = makeTempDir();
    input = path.join(dir, "in.csv");
    out = path.join(dir, "out.csv");
    made = inputCsv([WORKLOAD]);
    fs.writeFileSync(input, made.text);
    run = runCli(predictArgs(input, out, SMS));
  });

  it("uses an input of real full-chip kernels with names holding commas, extra columns and quotes", () => {
    expect(made.rows.length).toBeGreaterThan(100);
    expect(made.rows.some((r) => r.name.includes(","))).toBe(true);
    expect(made.text).toContain('""twice""');
  });

  it("exits 0 and writes only out.csv next to the input", () => {
    expect(run.status, run.stderr).toBe(0);
    expect(listDir(dir)).toEqual(["in.csv", "out.csv"]);
  });

  it("writes the input header plus us_at_8 … us_at_128 in order, and every input line byte for byte as the start of its output line", () => {
    expect(run.status, run.stderr).toBe(0);
    preds = readOutput(out, made.lines, SMS);
    expect(preds).toHaveLength(made.rows.length);
  });

  it("predicts a finite duration > 0 for every kernel at every SM count, never below its full-chip duration (fewer SMs are never faster)", () => {
    expect(run.status, run.stderr).toBe(0);
    const p = readOutput(out, made.lines, SMS);
    made.rows.forEach((r, i) => {
      for (const [j, v] of p[i].entries()) {
        expect(Number.isFinite(v) && v > 0, `${r.seq} at ${SMS[j]}`).toBe(true);
        expect(v, `${r.workload}#${r.seq} at ${SMS[j]} SMs`).toBeGreaterThanOrEqual(Number(r.us) - 0.0005);
      }
    });
  });

  it("predicts what the library's model gives for each kernel with its grid, block size, registers and shared memory (to the 3 decimals written)", () => {
    expect(run.status, run.stderr).toBe(0);
    const p = readOutput(out, made.lines, SMS);
    const cal = calibrationFor(H200_SXM).timing;
    made.rows.forEach((r, i) => {
      const kernel = { name: r.name, gridBlocks: product(r.grid), us: Number(r.us), threadsPerBlock: product(r.block), regsPerThread: Number(r.regs), smemPerBlockBytes: Number(r.smem) };
      SMS.forEach((n, j) => {
        const expected = predictKernelUs(cal, kernel, { gpu: H200_SXM }, { gpu: H200_SXM, smCount: n });
        expect(Math.abs(p[i][j] - expected), `${r.workload}#${r.seq} at ${n} SMs: ${p[i][j]} vs ${expected}`).toBeLessThanOrEqual(0.0005 + 1e-9);
      });
    });
  });

  it("predicts the measured durations at those SM counts better (time-weighted) than the constant and the wave-quantisation predictors", () => {
    expect(run.status, run.stderr).toBe(0);
    const p = readOutput(out, made.lines, SMS);
    let model = 0, constant = 0, wavesOcc = 0, wavesOne = 0, total = 0;
    made.rows.forEach((r, i) => {
      const measured = MEASURED.get(`${r.workload}#${r.seq}`)!;
      const full = Number(r.us);
      const blocks = product(r.grid);
      const perSm = residentPerSm(product(r.block), Number(r.regs), Number(r.smem));
      SMS.forEach((n, j) => {
        const m = measured.get(n);
        if (m === undefined) expect.fail(`${r.workload}#${r.seq} not measured at ${n} SMs`);
        total += m;
        model += Math.abs(p[i][j] - m);
        constant += Math.abs(full - m);
        wavesOcc += Math.abs((full * Math.ceil(blocks / (perSm * n))) / Math.ceil(blocks / (perSm * FULL)) - m);
        wavesOne += Math.abs((full * Math.ceil(blocks / n)) / Math.ceil(blocks / FULL) - m);
      });
    });
    const err = { model: model / total, constant: constant / total, wavesOcc: wavesOcc / total, wavesOne: wavesOne / total };
    expect(err.constant).toBeGreaterThan(0);
    expect(err.model, JSON.stringify(err)).toBeLessThan(err.constant);
    expect(err.model, JSON.stringify(err)).toBeLessThan(err.wavesOcc);
    expect(err.model, JSON.stringify(err)).toBeLessThan(err.wavesOne);
  });

  it("does not change the input file", () => {
    expect(fs.readFileSync(input, "utf8")).toBe(made.text);
  });
});

describe("predict at the full chip", () => {
  it("gives back every real kernel's measured duration at --sms 132 (within the 3-decimal rounding)", () => {
    const dir = makeTempDir();
    const input = path.join(dir, "in.csv");
    const out = path.join(dir, "out.csv");
    const made = inputCsv([...new Set(ROWS.map((r) => r.workload))]);
    fs.writeFileSync(input, made.text);
    const r = runCli(predictArgs(input, out, [FULL]));
    expect(r.status, r.stderr).toBe(0);
    const p = readOutput(out, made.lines, [FULL]);
    const off = made.rows.map((row, i) => ({ id: `${row.workload}#${row.seq}`, us: Number(row.us), at132: p[i][0] })).filter((x) => Math.abs(x.at132 - x.us) > 0.0005 + 1e-9);
    expect(off, `kernels not predicted at their own duration: ${JSON.stringify(off.slice(0, 5))}`).toEqual([]);
  });

  it("reads CRLF line ends and a byte-order mark to the same predictions, each output row starting with its input record", () => {
    const dir = makeTempDir();
    const made = inputCsv([WORKLOAD]);
    const lf = path.join(dir, "lf.csv");
    const crlf = path.join(dir, "crlf.csv");
    fs.writeFileSync(lf, made.text);
    fs.writeFileSync(crlf, `\ufeff${made.lines.join("\r\n")}\r\n`);
    const a = runCli(predictArgs(lf, path.join(dir, "a.csv"), SMS));
    const b = runCli(predictArgs(crlf, path.join(dir, "b.csv"), SMS));
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const outB = fs.readFileSync(path.join(dir, "b.csv"), "utf8").split(/\r?\n/).filter((l) => l !== "");
    expect(outB).toHaveLength(made.lines.length);
    made.lines.slice(1).forEach((l, i) => expect(outB[i + 1].startsWith(`${l},`), `row ${i + 2}`).toBe(true));
    expect(readOutput(path.join(dir, "a.csv"), made.lines, SMS)).toEqual(
      outB.slice(1).map((l, i) => l.slice(made.lines[i + 1].length + 1).split(",").map(Number)),
    );
  });
});

describe("predict on bad input", () => {
  const good = () => inputCsv([WORKLOAD]);

  /** Text of in.csv with row 2's field `col` replaced (raw CSV text). */
  function withField(col: (typeof COLUMNS)[number], value: string): string {
    const m = good();
    const row = made2(m.rows[0], { [col]: value });
    return [m.lines[0], row, ...m.lines.slice(2)].join("\n") + "\n";
  }
  function made2(r: Row, over: Partial<Record<(typeof COLUMNS)[number], string>>): string {
    const v: Record<(typeof COLUMNS)[number], string> = { seq: r.seq, name: quote(r.name), us: r.us, note: "", grid: r.grid, block: r.block, regs: r.regs, smem: r.smem, workload: r.workload };
    return COLUMNS.map((c) => (c in over ? over[c]! : v[c])).join(",");
  }
  function withoutColumn(col: (typeof COLUMNS)[number]): string {
    const m = good();
    const drop = COLUMNS.indexOf(col);
    const lines = [COLUMNS.filter((c) => c !== col).join(","), ...m.rows.map((r) => {
      const v = [r.seq, quote(r.name), r.us, "", r.grid, r.block, r.regs, r.smem, r.workload];
      v.splice(drop, 1);
      return v.join(",");
    })];
    return `${lines.join("\n")}\n`;
  }

  /** Input-file cases: [what, in.csv text or null (no file) or "dir" (a folder), a pattern the stderr line must match]. */
  const INPUT_CASES: [string, () => string | null | "dir", RegExp][] = [
    ["a missing smem column", () => withoutColumn("smem"), /smem/],
    ["a missing us column", () => withoutColumn("us"), /\bus\b/],
    ["a grid of two dimensions (12x3)", () => withField("grid", "12x3"), /12x3/],
    ["a block that is not XxYxZ", () => withField("block", "128"), /128/],
    ["a grid with an empty dimension (1x1x)", () => withField("grid", "1x1x"), /1x1x/],
    ["a non-numeric us", () => withField("us", "fast"), /fast/],
    ["an empty us", () => withField("us", ""), /us/],
    ["a negative us", () => withField("us", "-3.5"), /-3\.5/],
    ["a missing input file", () => null, /no such file/],
    ["a folder as the input", () => "dir", /directory/],
    ["an empty file", () => "", /empty/],
    ["a file of blank lines", () => "\n\n  \n", /empty/],
  ];

  it.each(INPUT_CASES)("exits 2 on %s, with one stderr line naming the file, and writes nothing", (_what, make, cause) => {
    const dir = makeTempDir();
    const input = path.join(dir, "in.csv");
    const text = make();
    if (text === "dir") fs.mkdirSync(input);
    else if (text !== null) fs.writeFileSync(input, text);
    const before = listDir(dir);
    const hash = text !== null && text !== "dir" ? sha256File(input) : null;
    const line = refusalLine(runCli(predictArgs(input, path.join(dir, "out.csv"), SMS)));
    expect(line).toContain(input);
    expect(line).toMatch(cause);
    expect(listDir(dir)).toEqual(before);
    if (hash) expect(sha256File(input)).toBe(hash);
  });

  /** Option cases: [what, arguments after the input and output are filled in, a pattern naming the option]. */
  const OPTION_CASES: [string, (input: string, out: string) => string[], RegExp][] = [
    ["--sms 0", (i, o) => predictArgs(i, o, "0"), /--sms/],
    ["--sms 200 (more SMs than the H200 has)", (i, o) => predictArgs(i, o, "8,200"), /--sms/],
    ["--sms with a word in it", (i, o) => predictArgs(i, o, "8,many"), /--sms/],
    ["--sms with a fraction", (i, o) => predictArgs(i, o, "8.5"), /--sms/],
    ["--sms 120 on an A100 (108 SMs)", (i, o) => predictArgs(i, o, "8,120", "a100"), /--sms/],
    ["an unknown --gpu", (i, o) => predictArgs(i, o, SMS, "b200"), /b200/],
    ["no --out", (i) => ["predict", "--gpu", "h200", "--kernels", i, "--sms", "8"], /--out/],
    ["no --sms", (i, o) => ["predict", "--gpu", "h200", "--kernels", i, "--out", o], /--sms/],
    ["an output folder that does not exist", (i, o) => predictArgs(i, path.join(path.dirname(o), "nowhere", "out.csv"), SMS), /nowhere|does not exist/],
  ];

  it.each(OPTION_CASES)("exits 2 on %s, with one stderr line naming the option (and the usage), and writes nothing", (_what, args, cause) => {
    const dir = makeTempDir();
    const input = path.join(dir, "in.csv");
    fs.writeFileSync(input, good().text);
    const hash = sha256File(input);
    expect(refusalLine(runCli(args(input, path.join(dir, "out.csv"))), true)).toMatch(cause);
    expect(listDir(dir)).toEqual(["in.csv"]);
    expect(sha256File(input)).toBe(hash);
  });
});
