/**
 * Static export through headless Chromium, on figures of a real comparison (hybrid stacking, four systems): the
 * SVG is well formed with the plot's paths and the systems' colours, the PDF is a real one-page vector PDF, and the
 * PNG, decoded, shows each system's colour inside the plot area. Chromium must be installed (scripts/test-all.sh
 * installs Debian's); without it these tests fail with the exporter's message, they are not skipped.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareResult } from "../../src/analysis/compare";
import { ChromiumMissingError } from "../../src/plot/chromium";
import { compareFigure } from "../../src/plot/compare";
import { FigureRenderer, renderFigures, save, saveFigure, type RenderedFigure } from "../../src/plot/export";
import { p99BarsFigure } from "../../src/plot/p99-bars";
import { PX_PER_IN, systemColor, systemStyle } from "../../src/plot/style";
import { paperComparison } from "../helpers/comparisons";
import { makeTempDir, removeTempDirs } from "../helpers/files";
import { countColor, decodePng } from "../helpers/png";
import { parseSvgElements } from "../helpers/svg";

const SYSTEMS = ["mps", "mps-limit", "tgs", "lithos"];
const DPI = 300;
let result: CompareResult;
let bars: RenderedFigure;
let scatter: RenderedFigure;
let dir: string;

beforeAll(async () => {
  result = await paperComparison("hybrid-stacking", SYSTEMS);
  [bars, scatter] = await renderFigures([p99BarsFigure(result), compareFigure(result)], ["svg", "pdf", "png"], { dpi: DPI });
  dir = makeTempDir();
}, 300_000);
afterAll(() => removeTempDirs());

/** "#CC6677" → "rgb(204, 102, 119)", as plotly writes fills in its SVG. */
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;

describe("SVG", () => {
  it("is well-formed SVG of the figure's size, with the bars as paths in every system's fill", () => {
    const svg = bars.svg!;
    expect(svg.length).toBeGreaterThan(5_000);
    const elements = parseSvgElements(svg);
    expect(elements.filter((e) => e === "path").length).toBeGreaterThanOrEqual(SYSTEMS.length + 5);
    expect(svg).toMatch(/<svg[^>]*width="320"/);
    for (const s of SYSTEMS) expect(svg, s).toContain(rgb(systemStyle(s).fill));
    for (const s of SYSTEMS) expect(svg).toContain(`>${s}<`);
  });

  it("has text in the paper font and no reference to anything online", () => {
    expect(bars.svg!).toContain("Helvetica");
    expect(bars.svg!).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});

describe("PDF", () => {
  it("is one page exactly the figure's size, vector (fonts, no images), and non-trivial", () => {
    const pdf = Buffer.from(bars.pdf!);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(5_000);
    const text = pdf.toString("latin1");
    expect(text.trimEnd().endsWith("%%EOF")).toBe(true);
    expect(text.match(/\/Type\s*\/Page[^s]/g)?.length).toBe(1);
    const box = text.match(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/);
    // Chromium rounds the page to its own units (within a point).
    expect(Math.abs(Number(box![1]) - (bars.widthPx / PX_PER_IN) * 72)).toBeLessThan(1);
    expect(Math.abs(Number(box![2]) - (bars.heightPx / PX_PER_IN) * 72)).toBeLessThan(1);
    expect(text).toContain("/Font");
    expect(text).not.toMatch(/\/Subtype\s*\/Image/);
  });
});

describe("PNG", () => {
  it("is the figure at 300 dpi", () => {
    const img = decodePng(bars.png!);
    expect(img.width).toBe(Math.round((bars.widthPx * DPI) / PX_PER_IN));
    expect(img.height).toBe(Math.round((bars.heightPx * DPI) / PX_PER_IN));
  });

  it("shows each system's bar colour inside the plot area, on a white background", () => {
    const img = decodePng(bars.png!);
    const k = DPI / PX_PER_IN;
    const area = { x: bars.plotArea.x * k, y: bars.plotArea.y * k, width: bars.plotArea.width * k, height: bars.plotArea.height * k };
    const areaPx = area.width * area.height;
    // Solid bars (mps, tgs, lithos) fill a visible block; even the shortest bar covers > 0.3% of the area.
    for (const s of ["mps", "tgs", "lithos"]) expect(countColor(img, systemColor(s), area), s).toBeGreaterThan(areaPx * 0.003);
    expect(countColor(img, "#FFFFFF", area, 2)).toBeGreaterThan(areaPx * 0.3);
    // Outside the figure's plot area (the left margin, ticks and title aside) no bar colour leaks.
    expect(countColor(img, systemColor("lithos"), { x: 0, y: 0, width: area.x - 2, height: img.height })).toBe(0);
  });

  it("shows every system's marker in the scatter's plot area", () => {
    const img = decodePng(scatter.png!);
    const k = DPI / PX_PER_IN;
    const area = { x: scatter.plotArea.x * k - 20, y: scatter.plotArea.y * k - 20, width: scatter.plotArea.width * k + 40, height: scatter.plotArea.height * k + 40 };
    for (const s of ["mps", "tgs", "lithos"]) expect(countColor(img, systemColor(s), area), s).toBeGreaterThan(50);
  });
});

describe("saveFigure and save", () => {
  it("write SVG, PDF or PNG from the file's extension", async () => {
    const fig = p99BarsFigure(result);
    for (const ext of ["svg", "pdf", "png"]) {
      const file = path.join(dir, `bars.${ext}`);
      expect(await (ext === "pdf" ? save : saveFigure)(fig, file)).toBe(file);
      const head = fs.readFileSync(file).subarray(0, 8).toString("latin1");
      expect(head, ext).toMatch(ext === "svg" ? /^<svg/ : ext === "pdf" ? /^%PDF-/ : /^\x89PNG/);
    }
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  }, 120_000);

  it("refuse an extension they cannot write, naming the file", async () => {
    await expect(saveFigure(p99BarsFigure(result), path.join(dir, "bars.jpg"))).rejects.toThrow(/bars\.jpg: cannot tell the figure format/);
  });

  it("say in one line that Chromium is missing, and how to install it", async () => {
    const e = await FigureRenderer.open({ chromium: path.join(dir, "no-chromium") }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ChromiumMissingError);
    expect((e as Error).message).toMatch(/^Chromium not found .*apt-get install chromium/);
    expect((e as Error).message).not.toContain("\n");
  });
});
