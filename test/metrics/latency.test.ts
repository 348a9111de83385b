import { describe, expect, it } from "vitest";
import { fractionWithin, latencyStats, percentileSorted } from "../../src/metrics/latency";

describe("latency statistics", () => {
  it("interpolates percentiles between order statistics as numpy does", () => {
    const v = Float64Array.from([10, 20, 30, 40]);
    expect(percentileSorted(v, 50)).toBe(25);
    expect(percentileSorted(v, 0)).toBe(10);
    expect(percentileSorted(v, 100)).toBe(40);
    expect(percentileSorted(v, 90)).toBeCloseTo(37, 10);
  });
  it("sorts unsorted input and reports mean and max", () => {
    const s = latencyStats(Float64Array.from([5, 1, 3]));
    expect(s).toMatchObject({ count: 3, mean: 3, p50: 3, max: 5 });
  });
  it("gives NaN for no values and counts the fraction within a limit", () => {
    expect(Number.isNaN(latencyStats(new Float64Array(0)).p99)).toBe(true);
    expect(fractionWithin(Float64Array.from([1, 2, 3, 4]), 2)).toBe(0.5);
  });
});
