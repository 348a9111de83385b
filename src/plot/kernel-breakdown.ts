/** Horizontal bars of the top kernels by share of GPU kernel time (HTA's kernel breakdown, as one figure). */
import type { TraceInfo } from "../analysis/trace-info";
import type { PlotlyFigure } from "./figure";

export function kernelBreakdownFigure(info: TraceInfo, maxNameChars = 60): PlotlyFigure {
  const top = [...info.top_kernels].reverse();
  return {
    data: [{
      type: "bar",
      orientation: "h",
      x: top.map((k) => k.pct),
      y: top.map((k) => (k.name.length > maxNameChars ? `${k.name.slice(0, maxNameChars - 1)}…` : k.name)),
      hovertext: top.map((k) => `${k.name}<br>${k.count} launches, ${(k.total_ns / 1e6).toFixed(3)} ms`),
      hoverinfo: "text",
    }],
    layout: {
      xaxis: { title: { text: "share of kernel time (%)" } },
      margin: { l: 420, r: 20, t: 20, b: 50 },
      height: 60 + 28 * top.length,
      font: { family: "Helvetica, Arial, sans-serif", size: 11 },
    },
  };
}
