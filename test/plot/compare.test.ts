/**
 * The comparison figures, built from real comparisons of the package's paper experiments (hybrid stacking under
 * four systems; right-sizing each tenant alone under LithOS at two slips): one trace or bar per system in its
 * fixed style, the numbers of the comparison, no titles.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { CompareResult } from "../../src/analysis/compare";
import { compareFigure, savingsFigure, sweepFigure, traceLabels } from "../../src/plot/compare";
import { compareFigureSet } from "../../src/plot/figure-set";
import { p99BarsFigure } from "../../src/plot/p99-bars";
import { systemStyle } from "../../src/plot/style";
import { paperComparison } from "../helpers/comparisons";

const SYSTEMS = ["mps", "mps-limit", "tgs", "lithos"];
let hybrid: CompareResult;
let rightSizing: CompareResult;

beforeAll(async () => {
  hybrid = await paperComparison("hybrid-stacking", SYSTEMS);
  rightSizing = await paperComparison("right-sizing", ["lithos"], [{ key: "tenant", values: ["resnet50", "train"] }, { key: "lithos.slip", values: ["off", "1.1"] }]);
}, 300_000);

const traces = (fig: { data: Record<string, any>[] }) => fig.data as Record<string, any>[];

describe("p99BarsFigure", () => {
  it("draws one bar per system in its fixed colour (variants tinted), at the system's p99 / alone", () => {
    const fig = p99BarsFigure(hybrid);
    const bars = traces(fig).filter((t) => t.type === "bar");
    expect(bars.map((b) => b.name)).toEqual(SYSTEMS);
    bars.forEach((b, i) => {
      expect(b.marker.color).toBe(systemStyle(SYSTEMS[i]!).fill);
      expect(b.marker.line.color).toBe(systemStyle(SYSTEMS[i]!).color);
      expect(b.x).toEqual([SYSTEMS[i]]);
      expect(b.y).toEqual([hybrid.rows[i]!.services[0]!.p99_x]);
    });
    // The numbers are real: MPS lets training inflate the service's tail; LithOS keeps it near alone.
    expect(bars[0]!.y[0]).toBeGreaterThan(bars[3]!.y[0]);
  });

  it("uses a log axis that shows the alone line at 1, and no title", () => {
    const layout = p99BarsFigure(hybrid).layout as Record<string, any>;
    expect(layout.yaxis.type).toBe("log");
    expect(layout.yaxis.tickvals).toContain(1);
    expect(layout.shapes[0]).toMatchObject({ y0: 1, y1: 1, name: "alone" });
    expect(layout.title).toBeUndefined();
    const ys = traces(p99BarsFigure(hybrid)).map((t) => t.y[0] as number);
    expect(10 ** layout.yaxis.range[1]).toBeGreaterThan(Math.max(...ys));
  });

  it("groups bars by service with a legend when there are several services", () => {
    const two: CompareResult = { ...hybrid, rows: hybrid.rows.map((r) => ({ ...r, services: [r.services[0]!, { ...r.services[0]!, name: "copy" }] })) };
    const bars = traces(p99BarsFigure(two));
    expect(bars.every((b) => b.showlegend && b.x.join() === "resnet50,copy")).toBe(true);
    expect((p99BarsFigure(two).layout as any).barmode).toBe("group");
  });

  it("refuses a comparison with no service, naming why", () => {
    expect(() => p99BarsFigure(rightSizing, { tenant: "train", "lithos.slip": "off" })).toThrow(/no service/);
  });

  it("leaves out what JSON turned into null (NaN ratios) instead of failing", () => {
    const back = JSON.parse(JSON.stringify(hybrid).replace(/"p99_x":[0-9.e+-]+/, '"p99_x":null')) as CompareResult;
    expect(traces(p99BarsFigure(back))[0]!.y).toEqual([null]);
  });
});

describe("compareFigure (tail against throughput)", () => {
  it("puts one marker per system, in its fixed colour and symbol, at (aggregate throughput, p99 / alone)", () => {
    const fig = compareFigure(hybrid);
    const markers = traces(fig).filter((t) => t.mode === "markers");
    expect(markers.map((m) => m.name)).toEqual(SYSTEMS);
    markers.forEach((m, i) => {
      expect(m.marker.color).toBe(systemStyle(SYSTEMS[i]!).color);
      expect(m.marker.symbol).toBe(systemStyle(SYSTEMS[i]!).symbol);
      expect(m.x).toEqual([hybrid.rows[i]!.aggregate_throughput]);
      expect(m.y).toEqual([hybrid.rows[i]!.services[0]!.p99_x]);
    });
    expect((fig.layout as any).title).toBeUndefined();
  });

  it("draws the Pareto front through systems that no other beats on both throughput and tail", () => {
    const front = traces(compareFigure(hybrid)).find((t) => t.name === "Pareto front");
    expect(front).toBeDefined();
    expect(front!.showlegend).toBe(false);
    const pts = hybrid.rows.map((r) => ({ x: r.aggregate_throughput, y: r.services[0]!.p99_x }));
    for (let i = 0; i < front!.x.length; i++) {
      const dominated = pts.some((q) => q.x >= front!.x[i] && q.y <= front!.y[i] && (q.x > front!.x[i] || q.y < front!.y[i]));
      expect(dominated).toBe(false);
    }
  });
});

describe("sweep and savings figures", () => {
  it("savingsFigure: capacity saved against slowdown, a line per tenant in LithOS's colour, points labelled by slip", () => {
    const fig = savingsFigure(rightSizing, "lithos.slip", "capacity_saved");
    const lines = traces(fig);
    expect(lines.map((l) => l.name)).toEqual(["lithos tenant=resnet50", "lithos tenant=train"]);
    for (const l of lines) {
      expect(l.line.color).toBe(systemStyle("lithos").color);
      expect(l.text).toEqual(["off", "1.1"]);
      expect(l.x[0]).toBe(1); // the baseline is its own reference
      expect(l.y[0]).toBe(0);
    }
    expect(lines[0]!.line.dash).not.toBe(lines[1]!.line.dash);
    const row = rightSizing.rows.find((r) => r.point.tenant === "train" && r.point["lithos.slip"] === "1.1")!;
    expect(lines[1]!.y[1]).toBe(row.capacity_saved);
    expect(lines[1]!.x[1]).toBe(row.jobs[0]!.slowdown_vs_baseline);
  });

  it("savingsFigure still takes the tenant as its fourth argument", () => {
    expect(traces(savingsFigure(rightSizing, "lithos.slip", "energy_saved", "resnet50")).length).toBe(2);
  });

  it("sweepFigure: a line per system along the sweep in the system's colour, and alone as a dashed black line", () => {
    const fig = sweepFigure(rightSizing, "lithos.slip", "its_x", { tenant: "train" });
    const lines = traces(fig);
    expect(lines.at(-1)).toMatchObject({ name: "alone", line: { color: "#000000", dash: "dash" } });
    expect(lines[0]!.line.color).toBe(systemStyle("lithos").color);
    expect(lines[0]!.x).toEqual(["off", "1.1"]);
  });

  it("shortens trace files on the x axis to what tells them apart", () => {
    const labels = traceLabels(["/t/resnet50_colo_train_bs16.pt.trace.json.gz", "/t/resnet50_colo_train_bs256.pt.trace.json.gz"]);
    expect([...labels.values()]).toEqual(["bs16", "bs256"]);
  });
});

describe("compareFigureSet", () => {
  it("picks the bars and the tail/throughput scatter for a comparison of systems", () => {
    expect(compareFigureSet(hybrid).map((f) => f.name)).toEqual(["p99-bars", "tail-throughput"]);
  });

  it("picks capacity against slowdown for a right-sizing sweep, and skips the tenant sweep", () => {
    expect(compareFigureSet(rightSizing).map((f) => f.name)).toEqual(["capacity-vs-slowdown-lithos.slip"]);
  });

  it("makes two-column figures when asked", () => {
    for (const f of compareFigureSet(hybrid, { columns: 2 })) expect(f.figure.layout.width).toBe(672);
  });
});
