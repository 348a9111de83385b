/**
 * CPython's random.Random in src/util/python-random.ts, against the real CPython (the OS python3, which the test
 * command installs with Jupyter): the same random() and expovariate() sequences for small, large and zero seeds,
 * past the generator's first 624-word refill.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PythonRandom } from "../../src/util/python-random";

/** `count` values of `expr` (over `r`, a random.Random(seed)) from CPython, as exact decimal strings of doubles. */
function cpython(seed: number, expr: string, count: number): number[] {
  const r = spawnSync("python3", ["-c", `import random, sys\nr = random.Random(${seed})\nprint("\\n".join(repr(${expr}) for _ in range(${count})))`], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split("\n").map(Number);
}

describe("PythonRandom", () => {
  it.each([1, 7, 0, 2 ** 40 + 5])("gives CPython's random() sequence for seed %i", (seed) => {
    const ours = new PythonRandom(seed);
    const theirs = cpython(seed, "r.random()", 1500);
    expect(theirs.map(() => ours.random())).toEqual(theirs);
  });

  it("gives CPython's expovariate(300) sequence for seed 1 (the lab's arrivals), to the last bits of the logarithm", () => {
    const ours = new PythonRandom(1);
    const theirs = cpython(1, "r.expovariate(300.0)", 1000);
    // JavaScript's Math.log and the C library's log may round differently in the last bit.
    const worst = Math.max(...theirs.map((x) => Math.abs(ours.expovariate(300) / x - 1)));
    expect(worst).toBeLessThan(4 * Number.EPSILON);
  });

  it("refuses a seed that is not a whole number ≥ 0", () => {
    expect(() => new PythonRandom(-1)).toThrow(/whole number/);
    expect(() => new PythonRandom(1.5)).toThrow(/whole number/);
  });
});
