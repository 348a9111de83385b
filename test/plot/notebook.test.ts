/**
 * Showing a figure in a notebook: the display bundle (plotly MIME + offline HTML + text), and `show` inside a real
 * tslab kernel run by nbconvert, which must give one output carrying both the plotly bundle and the HTML fallback.
 * The kernel test needs Jupyter and the tslab kernelspec (scripts/test-all.sh installs both); on CI their absence
 * is a failure, as in test/notebooks.
 */
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareResult } from "../../src/analysis/compare";
import { figureBundle, PLOTLY_MIME, show } from "../../src/plot/notebook";
import { p99BarsFigure } from "../../src/plot/p99-bars";
import { buildPackage } from "../helpers/cli";
import { paperComparison } from "../helpers/comparisons";
import { makeTempDir, removeTempDirs } from "../helpers/files";
import { REPO_ROOT } from "../helpers/fixtures";

const haveJupyter = spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" }).status === 0;
let result: CompareResult;

beforeAll(async () => {
  result = await paperComparison("hybrid-stacking", ["mps", "tgs", "lithos"]);
}, 300_000);
afterAll(() => removeTempDirs());

describe("figureBundle", () => {
  it("carries the plotly spec, an HTML fallback with plotly.js inlined (no CDN), and a line of text", () => {
    const fig = p99BarsFigure(result);
    const b = figureBundle(fig);
    expect(Object.keys(b).sort()).toEqual([PLOTLY_MIME, "text/html", "text/plain"].sort());
    const spec = b[PLOTLY_MIME] as { data: unknown[]; layout: unknown };
    expect(spec.data).toEqual(JSON.parse(JSON.stringify(fig.data)));
    expect(spec.layout).toEqual(JSON.parse(JSON.stringify(fig.layout)));
    const html = b["text/html"] as string;
    expect(html).toContain("Plotly.newPlot(");
    expect(html.length).toBeGreaterThan(500_000); // plotly.js itself
    expect(html).not.toMatch(/<script[^>]+src=/);
    // What the fragment itself loads: nothing from outside (the bundle's own text mentions URLs it never fetches here).
    expect(html.replace(/<script>[\s\S]*?<\/script>/g, "")).not.toMatch(/https?:/);
    expect(b["text/plain"]).toBe("plotly figure: 3 traces (mps, tgs, lithos)");
  });

  it("turns NaN into null, as Jupyter's JSON would", () => {
    const b = figureBundle({ data: [{ type: "bar", y: [NaN, 1] }], layout: {} });
    expect((b[PLOTLY_MIME] as { data: { y: unknown[] }[] }).data[0]!.y).toEqual([null, 1]);
  });
});

describe("show", () => {
  it("outside a notebook kernel, says so in one line", () => {
    expect(() => show(p99BarsFigure(result))).toThrow(/^show: not inside a tslab notebook kernel/);
  });

  it.runIf(haveJupyter || process.env.CI)("in a tslab notebook, gives one output with the plotly bundle and the HTML fallback, saved in the .ipynb", async () => {
    buildPackage();
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, "result.json"), JSON.stringify(result));
    const nb = {
      cells: [{ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: [
        `import * as lr from ${JSON.stringify(path.join(REPO_ROOT, "dist", "src"))};\n`,
        `import * as fs from "fs";\n`,
        `lr.show(lr.p99BarsFigure(JSON.parse(fs.readFileSync("result.json", "utf8"))));`,
      ] }],
      metadata: { kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" } },
      nbformat: 4, nbformat_minor: 5,
    };
    fs.writeFileSync(path.join(dir, "show.ipynb"), JSON.stringify(nb));
    await promisify(execFile)("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120", "--output", "executed.ipynb", "show.ipynb"], { cwd: dir, maxBuffer: 64 << 20 });
    const out = JSON.parse(fs.readFileSync(path.join(dir, "executed.ipynb"), "utf8")) as { cells: { outputs: { output_type: string; data?: Record<string, unknown> }[] }[] };
    const outputs = out.cells[0]!.outputs;
    expect(outputs.map((o) => o.output_type)).toEqual(["display_data"]);
    const data = outputs[0]!.data!;
    expect((data[PLOTLY_MIME] as { data: { name: string }[] }).data.map((t) => t.name)).toEqual(["mps", "tgs", "lithos"]);
    const html = Array.isArray(data["text/html"]) ? (data["text/html"] as string[]).join("") : String(data["text/html"]);
    expect(html).toContain("Plotly.newPlot(");
  }, 300_000);
});
