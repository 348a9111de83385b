/**
 * The `figures` command on real comparisons of the package's paper experiments (0.3 s of arrivals): from a
 * `compare --json` result, from an experiment file, from a folder of results; formats and columns; refusals with
 * one line naming the file; no partial outputs. Needs Chromium (scripts/test-all.sh installs it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemColor } from "../../src/plot/style";
import { buildPackage, refusalLine, runCli } from "../helpers/cli";
import { makeTempDir, removeTempDirs } from "../helpers/files";
import { REPO_ROOT } from "../helpers/fixtures";
import { countColor, decodePng } from "../helpers/png";

const PAPER = path.join(REPO_ROOT, "experiments", "paper");
let dir: string;
let hybrid: string;
let rightSizing: string;

beforeAll(() => {
  buildPackage();
  dir = makeTempDir();
  hybrid = path.join(dir, "hybrid-stacking.json");
  rightSizing = path.join(dir, "right-sizing.json");
  const h = runCli(["compare", path.join(PAPER, "hybrid-stacking.json"), "--duration", "0.3", "--policies", "mps,tgs,lithos", "--json"]);
  expect(h.status, h.stderr).toBe(0);
  fs.writeFileSync(hybrid, h.stdout);
  const r = runCli(["compare", path.join(PAPER, "right-sizing.json"), "--duration", "0.3", "--sweep", "tenant=resnet50,train;lithos.slip=off,1.1"]
    .concat(["--json"]));
  expect(r.status, r.stderr).toBe(0);
  fs.writeFileSync(rightSizing, r.stdout);
}, 300_000);
afterAll(() => removeTempDirs());

const outDir = () => path.join(makeTempDir(), "out");

describe("figures <compare result>", () => {
  it("writes the bars and the tail/throughput scatter as SVG, PDF and PNG named after the experiment, and lists them", () => {
    const out = outDir();
    const r = runCli(["figures", hybrid, "-o", out]);
    expect(r.status, r.stderr).toBe(0);
    const names = ["p99-bars", "tail-throughput"].flatMap((f) => ["svg", "pdf", "png"].map((e) => `hybrid-stacking-${f}.${e}`));
    expect(fs.readdirSync(out).sort()).toEqual([...names].sort());
    expect(r.stdout.trim().split("\n")).toEqual(names.map((n) => path.join(out, n)));
    expect(fs.readFileSync(path.join(out, "hybrid-stacking-p99-bars.pdf")).subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const svg = fs.readFileSync(path.join(out, "hybrid-stacking-p99-bars.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.length).toBeGreaterThan(5_000);
    const png = decodePng(fs.readFileSync(path.join(out, "hybrid-stacking-p99-bars.png")));
    expect(png.width).toBe(1000); // 3.33 in at 300 dpi
    for (const s of ["mps", "tgs", "lithos"]) expect(countColor(png, systemColor(s), { x: 0, y: 0, width: png.width, height: png.height }), s).toBeGreaterThan(1_000);
  });

  it("writes only the formats asked for, at two columns when asked", () => {
    const out = outDir();
    const r = runCli(["figures", hybrid, "-o", out, "--format", "png", "--columns", "2"]);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(["hybrid-stacking-p99-bars.png", "hybrid-stacking-tail-throughput.png"]);
    expect(decodePng(fs.readFileSync(path.join(out, "hybrid-stacking-p99-bars.png"))).width).toBe(2100); // 7 in at 300 dpi
  });

  it("draws capacity saved against slowdown for a right-sizing sweep", () => {
    const out = outDir();
    const r = runCli(["figures", rightSizing, "-o", out, "--format", "svg"]);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readdirSync(out)).toEqual(["right-sizing-capacity-vs-slowdown-lithos.slip.svg"]);
  });
});

describe("figures <experiment>", () => {
  it("compares the experiment first (with --policies and --duration), then writes its figures", () => {
    const out = outDir();
    const r = runCli(["figures", path.join(PAPER, "hybrid-stacking.json"), "-o", out, "--format", "svg", "--policies", "mps,lithos", "--duration", "0.3"]);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(["hybrid-stacking-p99-bars.svg", "hybrid-stacking-tail-throughput.svg"]);
    const svg = fs.readFileSync(path.join(out, "hybrid-stacking-p99-bars.svg"), "utf8");
    expect(svg).toContain(">lithos<");
    expect(svg).not.toContain(">tgs<");
  });
});

describe("figures <results folder>", () => {
  it("writes <gpu>/<experiment>-<figure> for every <gpu>/<experiment>.json", () => {
    const results = path.join(makeTempDir(), "results");
    fs.mkdirSync(path.join(results, "h200"), { recursive: true });
    fs.copyFileSync(hybrid, path.join(results, "h200", "hybrid.json"));
    fs.copyFileSync(rightSizing, path.join(results, "h200", "right.json"));
    const out = outDir();
    const r = runCli(["figures", results, "-o", out, "--format", "pdf"]);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readdirSync(path.join(out, "h200")).sort()).toEqual(["hybrid-p99-bars.pdf", "hybrid-tail-throughput.pdf", "right-capacity-vs-slowdown-lithos.slip.pdf"]);
  });

  it("writes nothing when one result of the folder is broken, and names it", () => {
    const results = path.join(makeTempDir(), "results");
    fs.mkdirSync(path.join(results, "h200"), { recursive: true });
    fs.copyFileSync(hybrid, path.join(results, "h200", "a-good.json"));
    fs.writeFileSync(path.join(results, "h200", "b-broken.json"), fs.readFileSync(hybrid, "utf8").slice(0, 200));
    const out = outDir();
    const line = refusalLine(runCli(["figures", results, "-o", out]));
    expect(line).toMatch(/b-broken\.json: not JSON/);
    expect(fs.existsSync(out) ? fs.readdirSync(out, { recursive: true }).filter((f) => String(f).includes(".")) : []).toEqual([]);
  });
});

describe("figures refusals", () => {
  it("a missing input: exit 2, one line naming it", () => {
    expect(refusalLine(runCli(["figures", path.join(dir, "nope.json"), "-o", outDir()]))).toMatch(/nope\.json: no such file or folder/);
  });

  it("a JSON file that is neither a result nor an experiment", () => {
    const f = path.join(dir, "other.json");
    fs.writeFileSync(f, '{"hello": 1}');
    expect(refusalLine(runCli(["figures", f, "-o", outDir()]))).toMatch(/other\.json: neither a compare result .* nor an experiment file/);
  });

  it("a comparison with nothing to plot", () => {
    const f = path.join(dir, "jobs-only.json");
    const res = JSON.parse(fs.readFileSync(rightSizing, "utf8"));
    fs.writeFileSync(f, JSON.stringify({ ...res, sweeps: [], rows: res.rows.filter((x: { point: Record<string, string> }) => x.point.tenant === "train" && x.point["lithos.slip"] === "off") }));
    expect(refusalLine(runCli(["figures", f, "-o", outDir()]))).toMatch(/jobs-only\.json: no figure fits this comparison/);
  });

  it("usage mistakes: no -o, an unknown format, a bad column count, experiment options on a result", () => {
    expect(refusalLine(runCli(["figures", hybrid]), true)).toMatch(/needs -o/);
    expect(refusalLine(runCli(["figures", hybrid, "-o", outDir(), "--format", "jpg"]), true)).toMatch(/unknown format "jpg"/);
    expect(refusalLine(runCli(["figures", hybrid, "-o", outDir(), "--columns", "3"]), true)).toMatch(/--columns takes 1 or 2/);
    expect(refusalLine(runCli(["figures", hybrid, "-o", outDir(), "--duration", "1"]), true)).toMatch(/apply to an experiment file/);
  });

  it("is listed in the help", () => {
    expect(runCli(["--help"]).stdout).toContain("lithos-replay figures <compare-result.json | experiment.json | results-dir> -o <out-dir>");
  });
});
