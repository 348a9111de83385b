/**
 * The one paper style of every figure: sizes for one- and two-column figures, one font family and fixed sizes, a
 * colour-blind-safe palette with a fixed colour (and marker, dash, bar tint) per sharing system, a light grid and
 * no title inside the figure. Builders call `paperStyle` last; a notebook may call it again to switch columns.
 * Pure: a figure in, a new figure out (the input is not changed).
 */
import type { PlotlyFigure } from "./figure";

/**
 * Paul Tol's "muted" qualitative scheme (P. Tol, "Colour Schemes", SRON technical note, issue 3.2, 2021): nine
 * colours that stay distinct for colour-blind readers, on screen and on paper, to be used as given.
 */
export const TOL_MUTED = {
  rose: "#CC6677", indigo: "#332288", sand: "#DDCC77", green: "#117733", cyan: "#88CCEE",
  wine: "#882255", teal: "#44AA99", olive: "#999933", purple: "#AA4499",
} as const;

/** The reference ("alone", ideal) in black: distinct from every muted colour for everyone (Tol's note pairs black with them). */
export const ALONE_COLOR = "#000000";
/** Gridlines: a light grey (Tol's "bad data" pale grey, #DDDDDD, is the lightest grey of the scheme). */
export const GRID_COLOR = "#DDDDDD";

/** How one system is drawn everywhere: line/marker colour, bar fill, marker symbol and line dash (plotly names). */
export interface SystemStyle {
  /** Lines, markers, bar outlines: the system's fixed colour. */
  readonly color: string;
  /** Bar fill: the colour itself, or a lighter tint of it for a variant of a system (see SYSTEM_STYLES). */
  readonly fill: string;
  readonly symbol: string;
  readonly dash: string;
}

/**
 * `hex` mixed with white, `share` of the colour kept. Variants are told apart by lightness, which colour-blind
 * readers see like everyone else, and stay flat colours: plotly's hatch patterns would be rasterised in the PDF.
 */
export function tint(hex: string, share: number): string {
  const mix = (i: number) => Math.round(255 - (255 - parseInt(hex.slice(i, i + 2), 16)) * share).toString(16).padStart(2, "0");
  return `#${mix(1)}${mix(3)}${mix(5)}`.toUpperCase();
}

/** Tints of a family's first and second variant: our choice, light enough to tell apart, dark enough on white. */
const VARIANT_TINTS = [0.55, 0.3] as const;

const solid = (color: string, symbol: string): SystemStyle => ({ color, fill: color, symbol, dash: "solid" });
const variant = (color: string, nth: 0 | 1, symbol: string): SystemStyle => ({ color, fill: tint(color, VARIANT_TINTS[nth]), symbol, dash: nth === 0 ? "dash" : "dot" });

/**
 * Fixed styles of every registered policy (src/policies/index.ts) and of "alone". Nine muted colours are fewer
 * than twelve systems, so a system's variants share its family's colour and differ by bar tint and line dash
 * (MPS limits and MPS priority are MPS; +tpc and +atom are LithOS ablations); every system also has its own
 * marker, so no two systems look alike even in grey. LithOS gets rose, the red of the scheme, as the system the
 * figures are about.
 */
export const SYSTEM_STYLES: Readonly<Record<string, SystemStyle>> = {
  alone: { color: ALONE_COLOR, fill: ALONE_COLOR, symbol: "circle-open", dash: "dash" },
  timeslice: solid(TOL_MUTED.sand, "triangle-down"),
  mps: solid(TOL_MUTED.indigo, "square"),
  "mps-limit": variant(TOL_MUTED.indigo, 0, "square-open"),
  "mps-priority": variant(TOL_MUTED.indigo, 1, "square-x-open"),
  priority: solid(TOL_MUTED.green, "triangle-up"),
  mig: solid(TOL_MUTED.cyan, "cross"),
  reef: solid(TOL_MUTED.wine, "pentagon"),
  orion: solid(TOL_MUTED.teal, "hexagon"),
  tgs: solid(TOL_MUTED.olive, "star"),
  "+tpc": variant(TOL_MUTED.rose, 0, "diamond-open"),
  "+atom": variant(TOL_MUTED.rose, 1, "diamond-x-open"),
  lithos: solid(TOL_MUTED.rose, "diamond"),
};

/** Systems not registered here (a notebook's own policy): the one muted colour no system uses, plain marker. */
const OTHER: SystemStyle = solid(TOL_MUTED.purple, "x");

/** The fixed style of `system` (a policy name or "alone"). */
export function systemStyle(system: string): SystemStyle {
  return SYSTEM_STYLES[system] ?? OTHER;
}

/** The fixed colour of `system`. */
export function systemColor(system: string): string {
  return systemStyle(system).color;
}

/** CSS pixels per inch: plotly sizes are CSS px, which Chromium prints at 96 per inch (CSS Values §6.2). */
export const PX_PER_IN = 96;
/** Points per inch (PostScript point, the unit of font sizes in papers). */
const PT_PER_IN = 72;
const pt = (points: number) => (points * PX_PER_IN) / PT_PER_IN;

export type Columns = 1 | 2;

/**
 * Figure sizes. Widths: the one column (≈3.33 in, ACM sigconf's column) and two columns (≈7 in, its text
 * width). Heights: our choice, about 0.7 of a column's width (a common aspect for line and bar plots) and a shorter
 * strip across two columns. Fonts: our choice, 8 pt labels and 7 pt ticks in one column (near the 8–9 pt captions
 * of two-column papers; nothing below 7 pt), one point more across two columns, which are viewed larger.
 */
export const PAPER_SIZES: Readonly<Record<Columns, { widthIn: number; heightIn: number; fontPt: number; tickPt: number }>> = {
  1: { widthIn: 3.33, heightIn: 2.4, fontPt: 8, tickPt: 7 },
  2: { widthIn: 7.0, heightIn: 2.8, fontPt: 9, tickPt: 8 },
};

/** One family everywhere: Helvetica, else its metric-compatible stand-ins (Arial; Liberation Sans on Debian). */
export const FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', sans-serif";

export interface PaperStyleOptions {
  /** One-column (default) or two-column figure. */
  readonly columns?: Columns;
  /** Keep (or set) an in-figure title; default none: papers put it in the caption. */
  readonly title?: string;
  /** Extra height in inches (a legend of many systems needs room). */
  readonly extraHeightIn?: number;
}

/** Legend entries per row (each a fraction 1/n of the width): "mps-priority" and its marker fit a third of a column (measured on renders). */
export const LEGEND_PER_ROW: Readonly<Record<Columns, number>> = { 1: 3, 2: 7 };
/** Height of one legend row in inches: the 7–8 pt tick font plus plotly's line spacing, measured on renders. */
const LEGEND_ROW_IN = 0.17;

/** Extra figure height (inches) that a legend of `entries` needs above the plot. */
export function legendHeightIn(entries: number, columns: Columns = 1): number {
  return entries > 0 ? Math.ceil(entries / LEGEND_PER_ROW[columns]) * LEGEND_ROW_IN : 0;
}

/** 1-2-5 steps: the tick values a log axis of ratios reads best with (1, 2, 5, 10, 20, …). */
const STEPS = [1, 2, 5];
/** Headroom of a log axis around its values, as a factor (so it looks the same at any scale): our choice. */
const LOG_PAD = 1.3;

/**
 * A log axis's range and 1-2-5 tick values covering `values` (and 1, the alone line, when `withOne`), so a narrow
 * figure is not crowded with plotly's every-digit minor labels.
 */
export function logAxis(values: readonly (number | null)[], withOne = true): { type: "log"; range: [number, number]; tickvals: number[]; ticktext: string[] } {
  const pos = values.filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  if (withOne || pos.length === 0) pos.push(1);
  const lo = Math.min(...pos) / LOG_PAD, hi = Math.max(...pos) * LOG_PAD;
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const s of STEPS) { const v = s * 10 ** e; if (v >= lo && v <= hi) ticks.push(Number(v.toPrecision(3))); }
  }
  // A range inside one 1-2-5 step still gets its two ends labelled.
  if (ticks.length < 2) ticks.push(Number(lo.toPrecision(2)), Number(hi.toPrecision(2)));
  ticks.sort((a, b) => a - b);
  return { type: "log", range: [Math.log10(lo), Math.log10(hi)], tickvals: ticks, ticktext: ticks.map((t) => String(t)) };
}

/** The figure's size in CSS px for `columns`. */
export function paperSizePx(columns: Columns = 1, extraHeightIn = 0): { width: number; height: number } {
  const s = PAPER_SIZES[columns];
  return { width: Math.round(s.widthIn * PX_PER_IN), height: Math.round((s.heightIn + extraHeightIn) * PX_PER_IN) };
}

const axisStyle = (axis: unknown, tickPx: number, fontPx: number): Record<string, unknown> => {
  const a = (axis ?? {}) as Record<string, unknown>;
  const title = a.title as Record<string, unknown> | undefined;
  return {
    ...a,
    showgrid: a.showgrid ?? true, gridcolor: GRID_COLOR, gridwidth: 0.5, zeroline: false,
    showline: true, linecolor: "#000000", linewidth: 0.75, mirror: false, ticks: "outside", ticklen: 3, tickwidth: 0.75,
    tickfont: { family: FONT_FAMILY, size: tickPx, color: "#000000" },
    automargin: true,
    ...(title ? { title: { ...title, font: { family: FONT_FAMILY, size: fontPx, color: "#000000" }, standoff: 4 } } : {}),
  };
};

/** `fig` in the paper style (see the header); data keep their own colours (builders set the systems'). */
export function paperStyle(fig: PlotlyFigure, options: PaperStyleOptions = {}): PlotlyFigure {
  const columns = options.columns ?? 1;
  const s = PAPER_SIZES[columns];
  const { width, height } = paperSizePx(columns, options.extraHeightIn ?? 0);
  const fontPx = pt(s.fontPt), tickPx = pt(s.tickPt);
  const layout: Record<string, unknown> = { ...fig.layout };
  for (const key of Object.keys(layout)) if (/^[xy]axis\d*$/.test(key)) layout[key] = axisStyle(layout[key], tickPx, fontPx);
  if (!("xaxis" in layout)) layout.xaxis = axisStyle({}, tickPx, fontPx);
  if (!("yaxis" in layout)) layout.yaxis = axisStyle({}, tickPx, fontPx);
  delete layout.title;
  if (options.title) layout.title = { text: options.title, font: { family: FONT_FAMILY, size: fontPx } };
  // Point labels (text traces) in the tick size, not the larger label size.
  const data = fig.data.map((t) => ("text" in t && !("textfont" in t) ? { ...t, textfont: { family: FONT_FAMILY, size: tickPx } } : t));
  return {
    data,
    layout: {
      ...layout,
      width, height, autosize: false,
      font: { family: FONT_FAMILY, size: fontPx, color: "#000000" },
      paper_bgcolor: "#FFFFFF", plot_bgcolor: "#FFFFFF",
      // Legend above the plot, horizontal, in equal columns: a column's width is too narrow for a legend beside it.
      legend: {
        orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom", font: { family: FONT_FAMILY, size: tickPx },
        itemwidth: 30, tracegroupgap: 0, entrywidthmode: "fraction", entrywidth: 1 / LEGEND_PER_ROW[columns],
        ...(layout.legend as object | undefined),
      },
      margin: { l: 8, r: 8, t: options.title ? 28 : 8, b: 8, pad: 0 },
      hoverlabel: { font: { family: FONT_FAMILY } },
    },
  };
}
