/**
 * Executes every notebook in notebooks/ with Jupyter's nbconvert and the tslab TypeScript kernel, as a user would
 * run them, and checks that no cell failed and that the numbers printed are the trace's real ones.
 * Needs `jupyter` and the tslab kernelspec (scripts/test-all.sh installs both); on CI their absence is a failure.
 */
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const notebooksDir = path.join(repo, "notebooks");
const haveJupyter = spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" }).status === 0;

interface Output { output_type: string; text?: string | string[]; ename?: string; evalue?: string; data?: Record<string, unknown> }
interface Notebook { cells: { cell_type: string; outputs?: Output[] }[] }

/** Runs nbconvert without blocking the test worker (a blocked worker loses its link to vitest after a minute). */
async function runNotebook(name: string): Promise<Notebook> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "lithos-nb-"));
  try {
    try {
      await promisify(execFile)("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--output-dir", outDir, path.join(notebooksDir, name)], { cwd: notebooksDir, maxBuffer: 64 << 20 });
    } catch (e) {
      throw new Error(`nbconvert failed for ${name}:\n${String((e as { stderr?: string }).stderr ?? e).slice(-3000)}`);
    }
    return JSON.parse(fs.readFileSync(path.join(outDir, name), "utf8")) as Notebook;
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** Each notebook is executed once per test file; the tests that read its outputs share that run. */
const executed = new Map<string, Promise<Notebook>>();
function execute(name: string): Promise<Notebook> {
  let nb = executed.get(name);
  if (!nb) { nb = runNotebook(name); executed.set(name, nb); }
  return nb;
}

/** Every notebook together takes a few minutes (04 replays the paper's scenarios under every system). */
const ALL_NOTEBOOKS_MS = 900_000;

function text(nb: Notebook): string {
  return nb.cells.flatMap((c) => c.outputs ?? []).map((o) => (Array.isArray(o.text) ? o.text.join("") : o.text ?? "")).join("");
}

describe.runIf(haveJupyter || process.env.CI)("notebooks", () => {
  it("every notebook runs to the end without an error output", async () => {
    for (const name of fs.readdirSync(notebooksDir).filter((f) => f.endsWith(".ipynb"))) {
      const nb = await execute(name);
      const errors = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "error");
      expect(errors.map((e) => `${e.ename}: ${e.evalue}`), name).toEqual([]);
    }
  }, ALL_NOTEBOOKS_MS);

  it("the GPU model notebook fits the cross-GPU fractions the shipped calibration carries", async () => {
    const nb = await execute("02-gpu-model-error.ipynb");
    const shipped = JSON.parse(fs.readFileSync(path.join(notebooksDir, "..", "calibrations", "h200-sxm.json"), "utf8")) as { timing: { dramBound: { classes: Record<string, number> } } };
    expect(text(nb)).toContain(`fitted fractions: ${JSON.stringify(shipped.timing.dramBound.classes)}`);
    // The training pair's row over all classes: its kernels matched.
    expect(text(nb)).toMatch(/│ train\s+│ all\s+│ 3784\s+│/);
  }, ALL_NOTEBOOKS_MS);

  it("the co-location notebook replays the interference sweep, printing its measured slowdowns, and draws both figures", async () => {
    const nb = await execute("03-colocation.ipynb");
    const sweep = JSON.parse(fs.readFileSync(path.join(repo, "calibrations", "interference-h100", "sweep.json"), "utf8")) as { rows: { svc_with: { p50_us: number }; svc_alone: { p50_us: number } }[] };
    for (const r of sweep.rows) expect(text(nb)).toContain(String(Math.round((100 * r.svc_with.p50_us) / r.svc_alone.p50_us) / 100));
    const html = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["text/html"]);
    expect(html.length).toBe(2);
    // The held-out H100 run: its five scenarios, with the measured service median of time slicing from the file.
    expect(text(nb)).toContain("held out, H100, 200 req/s: 5 scenarios");
    expect(text(nb)).toContain("held out, H100, 300 req/s: 5 scenarios");
    expect(text(nb)).toContain("three tenants, H100: 15 rows");
    expect(text(nb)).toContain("to_gpu_us");
    // The split of each latency into queueing and the request's own time, with the service's load.
    expect(text(nb)).toContain("service_meas_ms");
    expect(text(nb)).toContain("load_meas");
    const ts = JSON.parse(fs.readFileSync(path.join(repo, "calibrations", "colocation-h100-200rps", "timeslice.1.json"), "utf8")) as { lat_us: number[] };
    const sorted = [...ts.lat_us].sort((a, b) => a - b);
    expect(text(nb)).toContain(String(Math.round(sorted[Math.floor(sorted.length / 2)]! / 10) / 100));
  }, ALL_NOTEBOOKS_MS);

  it("the import notebook prints the sample trace's real kernel count and draws a figure", async () => {
    const nb = await execute("01-import-a-trace.ipynb");
    expect(text(nb)).toContain("6840 kernels, 62 API calls");
    expect(text(nb)).toContain("NVIDIA H200, 132 SMs");
    expect(text(nb)).toContain("read back 6840 kernels");
    const html = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["text/html"]);
    // Kernel breakdown, temporal breakdown, idle time, trace comparison.
    expect(html.length).toBe(4);
    for (const h of html) expect(String(h.data!["text/html"])).toContain('Plotly.newPlot("lithos-fig-');
    expect(text(nb)).toMatch(/launch delay: median [\d.]+ µs, p99 [\d.]+ µs; 6840 of 6840 kernels launched from CUDA graphs; 0 kernels shorter/);
    expect(text(nb)).toMatch(/kernel time [\d.]+ ms → [\d.]+ ms; \d+ kernel names added, \d+ removed/);
  }, ALL_NOTEBOOKS_MS);

  it("the paper notebook compares every registered system in both stacking scenarios and sweeps the batch size", async () => {
    const nb = await execute("04-paper-experiments.ipynb");
    const out = text(nb);
    const { POLICY_NAMES } = await import("../../src/policies");
    expect(out).toContain(`systems registered: ${POLICY_NAMES.join(", ")}`);
    // Two comparison tables, each with a row per system.
    const tables = out.split("╔").slice(1).map((t) => t.split("╚")[0]!);
    expect(tables).toHaveLength(3);
    for (const t of tables.slice(0, 2)) for (const p of POLICY_NAMES) expect(t).toMatch(new RegExp(`║ \\d+\\s+│ ${p.replace("+", "\\+")}\\s+│`));
    expect(tables[0]).toContain("bert_p99_x");
    for (const b of ["bs16", "bs32", "bs64", "bs128", "bs256"]) expect(tables[2]).toContain(b);
    expect(out).toMatch(/resnet50 alone: p50 [\d.]+ ms/);
    const html = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["text/html"]);
    expect(html.length).toBe(3);
    // The kept full-length results: the claims table and the H200 tables, as Markdown.
    const md = nb.cells.flatMap((c) => c.outputs ?? []).map((o) => o.data?.["text/markdown"]).filter((m) => m !== undefined).map((m) => (Array.isArray(m) ? m.join("") : String(m)));
    expect(md).toHaveLength(2);
    expect(md[0]).toContain("| inference-stacking | tail vs MPS | 13× lower");
    expect(md[1]).toContain("#### power (h200-sxm, 10 s of arrivals");
  }, ALL_NOTEBOOKS_MS);

  it("the replay notebook draws CDFs, occupancy, power and p99 bars, and saves a PDF", async () => {
    const nb = await execute("05-replay-and-figures.ipynb");
    const out = text(nb);
    expect(out).toMatch(/replayed \d+ \+ \d+ kernel executions/);
    expect(out).toMatch(/^mps: resnet50 [\d.]+ SMs on average \(\d+%\), train [\d.]+ SMs/m);
    expect(out).toMatch(/wrote .*hybrid-p99-bars\.pdf: \d{4,} bytes/);
    const html = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["text/html"]);
    expect(html.length).toBe(4);
  }, ALL_NOTEBOOKS_MS);

  it("the right-sizing and power notebook reads the kept results on every GPU model and sweeps a slip", async () => {
    const nb = await execute("06-right-sizing-and-power.ipynb");
    const out = text(nb);
    for (const gpu of ["h200", "h100", "a100-40gb"]) {
      expect(out).toMatch(new RegExp(`${gpu}: capacity saved at slip 1.1: .*\\(paper: 26% \\(51%\\) at \\+4% p99\\)`));
      expect(out).toMatch(new RegExp(`${gpu}: energy saved at dvfs_k 0.1: `));
    }
    expect(out).toMatch(/slip off: capacity saved 0\.0%, slowdown 1\.000/);
    expect(out).toMatch(/slip 1\.2: capacity saved [\d.]+%, slowdown 1\.\d{3}/);
    expect(nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["text/html"])).toHaveLength(2);
  }, ALL_NOTEBOOKS_MS);

  it("the bring-your-own-trace notebook imports a trace, cuts it into units and compares it shared with training", async () => {
    const nb = await execute("07-bring-your-own-trace.ipynb");
    const out = text(nb);
    expect(out).toMatch(/bert_graph_infer_bs1\.pt\.trace\.json\.gz \(kineto-json\): \d+ kernels on NVIDIA H200/);
    expect(out).toMatch(/\d+ units of work, split by /);
    expect(out).toMatch(/20 profiler steps, [\d.]+ ms each on average/);
    expect(out).toContain("tpcs_within");
    expect(out).toContain("mine_p99_x");
    for (const p of ["mps", "priority", "lithos"]) expect(out).toMatch(new RegExp(`│ ${p}\\s+│`));
  }, ALL_NOTEBOOKS_MS);
});
