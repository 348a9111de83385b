/**
 * Showing a figure in a notebook (the tslab kernel), offline: one display output that carries the plotly MIME
 * bundle (`application/vnd.plotly.v1+json`, drawn by JupyterLab's plotly renderer), an HTML fallback with plotly.js
 * inlined from the installed package (drawn by the classic notebook, and by JupyterLab without the renderer), and a
 * line of text. All three are saved in the `.ipynb`, so the figure is there when the notebook is opened again.
 *
 * tslab's public `display` sends one MIME type per output; a bundle of several needs the kernel's own writer, which
 * tslab keeps in its `jupyter` module (`lastWriteDisplayData`, set for the cell being run; its `display.raw` calls
 * the same writer). We take the module the running kernel loaded, from Node's module cache, rather than
 * `require("tslab")`: tslab is the kernel, not a dependency of this package, and a second copy would have no writer.
 */
import { figureToHtml, type PlotlyFigure } from "./figure";

/** The MIME type of plotly figures in Jupyter (JupyterLab's plotly renderer, plotly.py's `fig.show()`). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** The display bundle of `fig`: plotly JSON, HTML with plotly.js inlined, and plain text. */
export function figureBundle(fig: PlotlyFigure): Record<string, unknown> {
  // A JSON copy: NaN and ∞ become null, as Jupyter's wire format would make them anyway.
  const spec = JSON.parse(JSON.stringify({ data: fig.data, layout: fig.layout })) as PlotlyFigure;
  const names = fig.data.map((t) => t.name).filter((n) => typeof n === "string");
  return {
    [PLOTLY_MIME]: { ...spec, config: { displaylogo: false } },
    "text/html": figureToHtml(fig),
    "text/plain": `plotly figure: ${fig.data.length} traces${names.length ? ` (${names.join(", ")})` : ""}`,
  };
}

type WriteDisplayData = (data: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

/** The running tslab kernel's display writer, or undefined outside a tslab kernel. */
function tslabWriter(): WriteDisplayData | undefined {
  for (const [id, mod] of Object.entries(require.cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(id)) continue;
    const w = (mod?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof w === "function") return w as WriteDisplayData;
  }
  return undefined;
}

/**
 * Shows `fig` in the notebook as one output carrying the plotly bundle and its HTML fallback (see the header).
 * Outside a tslab kernel it throws; use `figureToHtml` or `saveFigure` there.
 * @example
 *   lr.show(lr.p99BarsFigure(result));
 */
export function show(fig: PlotlyFigure): void {
  const write = tslabWriter();
  if (!write) throw new Error("show: not inside a tslab notebook kernel (use figureToHtml or saveFigure elsewhere)");
  write({ data: figureBundle(fig), metadata: {}, transient: {} }, false);
}
