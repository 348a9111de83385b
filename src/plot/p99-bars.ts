/**
 * Bars of each service's p99 per system, normalised to the service alone, on a log axis: the tail figure of a
 * GPU-sharing paper. One bar trace per system in its fixed colour (variants: a tint of it, outlined in it); a dashed black line at 1 is the
 * service alone. With one service the systems stand along x, named under their bars (no legend to decode); with
 * several, each service is a group of bars and a legend names the systems. Pure: a `CompareResult` in,
 * `{ data, layout }` out.
 */
import type { CompareResult } from "../analysis/compare";
import type { SweepPoint } from "../analysis/sweep";
import { finite, rowsAt, type FigureOptions } from "./compare";
import type { PlotlyFigure } from "./figure";
import { legendHeightIn, logAxis, paperStyle, systemStyle, SYSTEM_STYLES } from "./style";

/** p99 / alone p99 per system (bars) and service at sweep point `point` (default the first). */
export function p99BarsFigure(result: CompareResult, point?: SweepPoint, options: FigureOptions = {}): PlotlyFigure {
  const rows = rowsAt(result, point);
  const services = [...new Set(rows.flatMap((r) => r.services.map((s) => s.name)))];
  if (services.length === 0) throw new Error("p99BarsFigure: no service in this comparison (jobs have no tail latency)");
  const single = services.length === 1;
  const data = rows.map((r) => {
    const st = systemStyle(r.system);
    const y = services.map((name) => finite(r.services.find((s) => s.name === name)?.p99_x));
    return {
      type: "bar", name: r.system, x: single ? [r.system] : services, y,
      marker: { color: st.fill, line: { color: st.color, width: 1 } },
      showlegend: !single,
    };
  });
  const alone = SYSTEM_STYLES.alone!;
  return paperStyle({
    data,
    layout: {
      // One service: each system's bar alone in its category, full width ("group" would keep empty slots).
      barmode: single ? "overlay" : "group", bargap: single ? 0.2 : 0.25, bargroupgap: 0.05,
      xaxis: { type: "category", showgrid: false, ...(single ? { title: { text: `${services[0]} under each system` }, tickangle: -45 } : {}) },
      yaxis: { title: { text: single ? "p99 / alone" : "service p99 / alone" }, ...logAxis(data.flatMap((d) => d.y)) },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, yref: "y", y0: 1, y1: 1, line: { color: alone.color, dash: alone.dash, width: 1 }, showlegend: !single, name: "alone" }],
    },
  }, { columns: options.columns, extraHeightIn: single ? 0 : legendHeightIn(rows.length + 1, options.columns) });
}
