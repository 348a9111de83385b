/**
 * Plotly figure specs and their HTML form. A figure is a plain `{ data, layout }` object (pure, testable); showing
 * it is separate. The HTML inlines plotly.js from the installed package, never a CDN, so it renders offline.
 */
import * as fs from "node:fs";

export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

let plotlySource: string | undefined;

/** The plotly.js bundle shipped in node_modules (the basic bundle: bar, scatter, pie). */
function plotlyBundle(): string {
  if (!plotlySource) plotlySource = fs.readFileSync(require.resolve("plotly.js/dist/plotly-basic.min.js"), "utf8");
  return plotlySource;
}

let figureCounter = 0;

/** A self-contained HTML fragment that draws `fig` (plotly.js inlined once per fragment). */
export function figureToHtml(fig: PlotlyFigure): string {
  const id = `lithos-fig-${process.pid}-${++figureCounter}`;
  const spec = JSON.stringify(fig).replace(/</g, "\\u003c");
  return `<div id="${id}"></div><script>${plotlyBundle()}</script><script>Plotly.newPlot(${JSON.stringify(id)}, ${spec}.data, ${spec}.layout, {responsive: true, displaylogo: false});</script>`;
}
