/** The paper style: fixed system styles for every registered policy, sizes, fonts, grid, no titles, log ticks. */
import { describe, expect, it } from "vitest";
import { POLICY_NAMES } from "../../src/policies";
import { FONT_FAMILY, GRID_COLOR, logAxis, paperStyle, PX_PER_IN, SYSTEM_STYLES, systemColor, systemStyle, tint, TOL_MUTED } from "../../src/plot/style";

describe("system styles", () => {
  it("give every registered policy and alone a fixed style, coloured from Tol's muted scheme (alone black)", () => {
    const muted = Object.values(TOL_MUTED);
    for (const p of POLICY_NAMES) {
      expect(SYSTEM_STYLES[p], p).toBeDefined();
      expect(muted).toContain(systemColor(p));
    }
    expect(systemColor("alone")).toBe("#000000");
  });

  it("never draw two systems alike: markers are unique, and systems sharing a colour differ by bar tint and dash", () => {
    const names = [...POLICY_NAMES, "alone"];
    expect(new Set(names.map((n) => systemStyle(n).symbol)).size).toBe(names.length);
    const looks = names.map((n) => { const s = systemStyle(n); return `${s.color}|${s.fill}|${s.dash}`; });
    expect(new Set(looks).size).toBe(names.length);
  });

  it("give an unregistered system the one muted colour no registered system uses", () => {
    const used = new Set(POLICY_NAMES.map(systemColor));
    expect(used.has(systemColor("my-policy"))).toBe(false);
    expect(Object.values(TOL_MUTED)).toContain(systemColor("my-policy"));
  });
});

describe("tint", () => {
  it("mixes a colour with white, keeping the given share", () => {
    expect(tint("#CC6677", 1)).toBe("#CC6677");
    expect(tint("#CC6677", 0)).toBe("#FFFFFF");
    expect(tint("#000000", 0.5)).toBe("#808080");
  });
});

describe("paperStyle", () => {
  const fig = { data: [{ type: "scatter", x: [1], y: [2] }], layout: { title: { text: "drop me" }, xaxis: { title: { text: "x" } }, yaxis2: {} } };

  it("sizes one- and two-column figures at 3.33 in and 7 in (CSS px at 96 per inch)", () => {
    expect(paperStyle(fig).layout.width).toBe(Math.round(3.33 * PX_PER_IN));
    expect(paperStyle(fig, { columns: 2 }).layout.width).toBe(Math.round(7 * PX_PER_IN));
  });

  it("sets one font family with fixed sizes, a light grid on every axis, and drops the title", () => {
    const s = paperStyle(fig).layout as Record<string, any>;
    expect(s.font.family).toBe(FONT_FAMILY);
    expect(s.font.size).toBeCloseTo((8 * 96) / 72, 6);
    expect(s.title).toBeUndefined();
    for (const a of ["xaxis", "yaxis", "yaxis2"]) expect(s[a].gridcolor, a).toBe(GRID_COLOR);
    expect(s.xaxis.title.text).toBe("x");
    expect(s.xaxis.tickfont.family).toBe(FONT_FAMILY);
    expect((paperStyle(fig, { columns: 2 }).layout as any).font.size).toBeCloseTo(12, 6);
  });

  it("keeps a title only when asked, and leaves the input figure unchanged", () => {
    const before = JSON.stringify(fig);
    expect((paperStyle(fig, { title: "T" }).layout as any).title.text).toBe("T");
    expect(JSON.stringify(fig)).toBe(before);
  });
});

describe("logAxis", () => {
  it("covers the values and 1 with 1-2-5 ticks", () => {
    const a = logAxis([1.05, 3.2, 12]);
    expect(a.tickvals).toEqual([1, 2, 5, 10]);
    expect(10 ** a.range[0]).toBeLessThan(1);
    expect(10 ** a.range[1]).toBeGreaterThan(12);
  });

  it("labels both ends of a range narrower than one step, and ignores null and non-positive values", () => {
    const a = logAxis([1.01, 1.02, null, 0, -1]);
    expect(a.tickvals.length).toBeGreaterThanOrEqual(2);
    expect(a.tickvals).toContain(1);
  });
});
