/**
 * Arrival processes: seeded Poisson arrivals (deterministic, rate and exponential gaps), evenly spaced ones,
 * and arrival files (plain seconds, CSV with a t_s or t_ns column, comments) with errors that name file and line.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { arrivalsFromFile, parseArrivals, poissonArrivals, uniformArrivals } from "../../src/workload/arrivals";
import { makeTempDir, removeTempDirs } from "../helpers/files";

afterAll(removeTempDirs);

describe("poissonArrivals", () => {
  it("gives the same times for the same seed and other times for another", () => {
    const a = poissonArrivals(300, 1e9, 11);
    expect(poissonArrivals(300, 1e9, 11)).toEqual(a);
    expect(poissonArrivals(300, 1e9, 12)).not.toEqual(a);
  });

  it("keeps 300/s within 5% over 12 s for every one of ten seeds, ascending and inside the duration", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const a = poissonArrivals(300, 12e9, seed);
      expect(Math.abs(a.length / 12 / 300 - 1)).toBeLessThan(0.05);
      expect(a[0]).toBeGreaterThan(0);
      expect(a[a.length - 1]).toBeLessThan(12e9);
      for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThanOrEqual(a[i - 1]);
    }
  });

  it("has exponential gaps: mean 1/rate and standard deviation equal to the mean", () => {
    const a = poissonArrivals(1000, 100e9, 5); // ~100k gaps
    const gaps = Array.from(a, (t, i) => t - (i ? a[i - 1] : 0));
    const mean = gaps.reduce((x, y) => x + y) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((x, g) => x + (g - mean) ** 2, 0) / gaps.length);
    expect(Math.abs(mean / 1e6 - 1)).toBeLessThan(0.01);
    expect(Math.abs(sd / mean - 1)).toBeLessThan(0.02);
  });

  it("refuses a rate or duration that is not a positive number", () => {
    expect(() => poissonArrivals(0, 1e9, 1)).toThrow(/rate/);
    expect(() => poissonArrivals(Infinity, 1e9, 1)).toThrow(/rate/);
    expect(() => poissonArrivals(10, -1, 1)).toThrow(/duration/);
    expect(poissonArrivals(10, 0, 1)).toHaveLength(0);
  });
});

describe("uniformArrivals", () => {
  it("spaces arrivals 1/rate apart from 0, all before the end", () => {
    expect(Array.from(uniformArrivals(4, 1e9))).toEqual([0, 250e6, 500e6, 750e6]);
    const a = uniformArrivals(300, 12e9);
    expect(a).toHaveLength(3600);
    expect(a[3599]).toBeCloseTo(3599 * (1e9 / 300), 3);
    expect(uniformArrivals(3, 1e9)).toHaveLength(3); // 0, 1/3 s, 2/3 s
  });
});

describe("arrival files", () => {
  it("reads one time in seconds per line, skipping blank lines and comments", () => {
    expect(Array.from(parseArrivals("# replayed from prod\n0\n0.5\n\n1.25\n"))).toEqual([0, 500e6, 1.25e9]);
  });

  it("reads the t_s or t_ns column of a CSV with a header", () => {
    expect(Array.from(parseArrivals("id,t_ns,size\n1,100,3\n2,250,9\r\n"))).toEqual([100, 250]);
    expect(Array.from(parseArrivals('"t_s"\n0.001\n0.002\n'))).toEqual([1e6, 2e6]);
  });

  it("names the file and the line of what is wrong", () => {
    const cases: [string, RegExp][] = [
      ["0.1\n0.3\n0.2\n", /^a\.txt:3: times must be ascending/],
      ["0.1\nsoon\n", /^a\.txt:2: not a number: "soon"/],
      ["time,user\n1,2\n", /^a\.txt:1: no column named t_s or t_ns \(header: time, user\)/],
      ["t_s,t_ns\n1,2\n", /^a\.txt:1: both t_s and t_ns/],
      ["t_s,x\n1\n", /^a\.txt:2: expected 2 fields, found 1/],
      ["0.5,0.7\n", /^a\.txt:1: several values on a line without a header/],
      ["# nothing\n\n", /^a\.txt: no arrival times/],
      ["-1\n", /^a\.txt:1: negative time/],
      ["t_ns\n5\n\n,\n", /^a\.txt:4: expected 1 field, found 2/],
    ];
    for (const [text, error] of cases) expect(() => parseArrivals(text, "a.txt")).toThrow(error);
  });

  it("reads a file, and says which file it could not read", () => {
    const dir = makeTempDir();
    const file = path.join(dir, "arrivals.csv");
    fs.writeFileSync(file, "t_s\n0.25\n0.75\n");
    expect(Array.from(arrivalsFromFile(file))).toEqual([250e6, 750e6]);
    fs.writeFileSync(file, "t_s\n0.75\n0.25\n");
    expect(() => arrivalsFromFile(file)).toThrow(`${file}:3: times must be ascending`);
    expect(() => arrivalsFromFile(path.join(dir, "missing.txt"))).toThrow(/missing\.txt: cannot read arrival times/);
  });
});
