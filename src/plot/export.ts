/**
 * Static export of plotly figures to SVG, PDF and PNG through headless Chromium (./chromium.ts), with plotly.js
 * loaded from the installed package (never a CDN). SVG is plotly's own (`Plotly.toImage`), PDF is Chromium's print
 * of a page exactly the figure's size (vector: plotly draws SVG, which Chromium prints as paths and text), PNG a
 * screenshot of that page at `dpi`. One browser renders a whole batch. Used by notebooks (`save`) and the
 * `figures` command.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic-write";
import { ChromiumPage } from "./chromium";
import type { PlotlyFigure } from "./figure";
import { PX_PER_IN } from "./style";

export type ExportFormat = "svg" | "pdf" | "png";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["svg", "pdf", "png"];

export interface ExportOptions {
  /** Chromium executable (default: /usr/bin/chromium or the like, see chromium.ts). */
  readonly chromium?: string;
  /** PNG resolution; default 300 dpi, the usual minimum publishers ask of raster figures. */
  readonly dpi?: number;
}

/** A figure drawn by Chromium: its size, where its plot area is (CSS px), and the formats asked for. */
export interface RenderedFigure {
  readonly widthPx: number;
  readonly heightPx: number;
  /** The plot area (inside the axes), CSS px from the top left; PNG pixels are these × dpi / 96. */
  readonly plotArea: { x: number; y: number; width: number; height: number };
  readonly svg?: string;
  readonly pdf?: Uint8Array;
  readonly png?: Uint8Array;
}

/** Plotly's default figure size (700 × 450 px), used for figures that set none (paper figures set theirs). */
const PLOTLY_DEFAULT = { width: 700, height: 450 };
const DEFAULT_DPI = 300;

let plotlySource: string | undefined;
/** The full plotly.js bundle of the installed package (any trace type a notebook may build). */
function plotlyBundle(): string {
  if (!plotlySource) plotlySource = fs.readFileSync(require.resolve("plotly.js/dist/plotly.min.js"), "utf8");
  return plotlySource;
}

function sizeOf(fig: PlotlyFigure): { width: number; height: number } {
  const w = fig.layout.width, h = fig.layout.height;
  return { width: typeof w === "number" && w > 0 ? Math.round(w) : PLOTLY_DEFAULT.width, height: typeof h === "number" && h > 0 ? Math.round(h) : PLOTLY_DEFAULT.height };
}

/** Draws `fig` in the page (replacing the previous one); returns the plot area and, when asked, plotly's SVG. */
function drawScript(fig: PlotlyFigure, width: number, height: number, svg: boolean): string {
  const spec = JSON.stringify({ data: fig.data, layout: { ...fig.layout, width, height } });
  return `(async () => {
    // Our own style element: plotly keeps its styles in <head> too, so <head> is not replaced.
    let style = document.getElementById("lithos-page");
    if (!style) { style = document.createElement("style"); style.id = "lithos-page"; document.head.appendChild(style); }
    style.textContent = "@page { size: ${width}px ${height}px; margin: 0 } html, body { margin: 0; padding: 0; background: #fff; overflow: hidden }";
    const old = document.getElementById("fig");
    if (old) { Plotly.purge(old); old.remove(); }
    document.body.insertAdjacentHTML("beforeend", '<div id="fig" style="width:${width}px;height:${height}px"></div>');
    const spec = ${spec};
    const gd = document.getElementById("fig");
    await Plotly.newPlot(gd, spec.data, spec.layout, { staticPlot: true, displayModeBar: false });
    await document.fonts.ready;
    const s = gd._fullLayout._size;
    let svg = null;
    if (${svg}) {
      const url = await Plotly.toImage(gd, { format: "svg", width: ${width}, height: ${height} });
      svg = decodeURIComponent(url.slice(url.indexOf(",") + 1));
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return { plotArea: { x: s.l, y: s.t, width: s.w, height: s.h }, svg };
  })()`;
}

/** A browser page with plotly.js loaded, for drawing many figures in turn. Close it when done. */
export class FigureRenderer {
  private constructor(private readonly page: ChromiumPage, private readonly dpi: number) {}

  static async open(options: ExportOptions = {}): Promise<FigureRenderer> {
    const dpi = options.dpi ?? DEFAULT_DPI;
    if (!(dpi > 0 && dpi <= 1200)) throw new Error(`dpi must be in (0, 1200], got ${dpi}`);
    const page = await ChromiumPage.launch({ executable: options.chromium });
    try {
      await page.evaluate(`${plotlyBundle()}\n;undefined`);
      if (!(await page.evaluate<boolean>("typeof Plotly === 'object'"))) throw new Error("plotly.js did not load in Chromium");
    } catch (e) {
      await page.close();
      throw e;
    }
    return new FigureRenderer(page, dpi);
  }

  /** Draws `fig` and returns the formats asked for. */
  async render(fig: PlotlyFigure, formats: readonly ExportFormat[]): Promise<RenderedFigure> {
    const { width, height } = sizeOf(fig);
    // The viewport is the figure; the scale factor gives the PNG its dpi (CSS px are 1/96 in).
    await this.page.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: this.dpi / PX_PER_IN, mobile: false });
    const drawn = await this.page.evaluate<{ plotArea: RenderedFigure["plotArea"]; svg: string | null }>(drawScript(fig, width, height, formats.includes("svg")));
    const out: { -readonly [K in keyof RenderedFigure]: RenderedFigure[K] } = { widthPx: width, heightPx: height, plotArea: drawn.plotArea };
    if (drawn.svg !== null) out.svg = drawn.svg;
    if (formats.includes("pdf")) {
      const r = await this.page.send("Page.printToPDF", {
        paperWidth: width / PX_PER_IN, paperHeight: height / PX_PER_IN,
        marginTop: 0, marginBottom: 0, marginLeft: 0, marginRight: 0,
        printBackground: true, pageRanges: "1", preferCSSPageSize: true,
      });
      out.pdf = Buffer.from(r.data as string, "base64");
    }
    if (formats.includes("png")) {
      const r = await this.page.send("Page.captureScreenshot", { format: "png", clip: { x: 0, y: 0, width, height, scale: 1 }, captureBeyondViewport: false });
      out.png = Buffer.from(r.data as string, "base64");
    }
    return out;
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}

/** Draws every figure in one browser; returns them in order. */
export async function renderFigures(figs: readonly PlotlyFigure[], formats: readonly ExportFormat[], options: ExportOptions = {}): Promise<RenderedFigure[]> {
  const renderer = await FigureRenderer.open(options);
  try {
    const out: RenderedFigure[] = [];
    for (const fig of figs) out.push(await renderer.render(fig, formats));
    return out;
  } finally {
    await renderer.close();
  }
}

/** The export format of a file name (.svg, .pdf, .png), or an error naming the name. */
export function formatOfPath(file: string): ExportFormat {
  const ext = path.extname(file).toLowerCase().slice(1);
  if ((EXPORT_FORMATS as readonly string[]).includes(ext)) return ext as ExportFormat;
  throw new Error(`${file}: cannot tell the figure format from the extension (use .svg, .pdf or .png)`);
}

/** The bytes of one rendered format. */
export function renderedBytes(r: RenderedFigure, format: ExportFormat): string | Uint8Array {
  const b = r[format];
  if (b === undefined) throw new Error(`${format} was not rendered`);
  return b;
}

/**
 * Writes `fig` to `file` as SVG, PDF or PNG (from the extension), atomically; returns the absolute path.
 * @example
 *   await saveFigure(p99BarsFigure(result), "out/p99.pdf");
 */
export async function saveFigure(fig: PlotlyFigure, file: string, options: ExportOptions = {}): Promise<string> {
  const format = formatOfPath(file);
  const out = path.resolve(file);
  if (!fs.existsSync(path.dirname(out))) throw new Error(`${file}: folder ${path.dirname(out)} does not exist`);
  const [r] = await renderFigures([fig], [format], options);
  await writeFileAtomic(out, renderedBytes(r!, format));
  return out;
}

/** The notebook helper: `await save(fig, "fig.pdf")` (the same as `saveFigure`). */
export const save = saveFigure;
