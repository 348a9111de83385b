/** The int64 columns' Arrow data must be what BigInt(Math.round(v)) in a BigInt64Array gives, for every value. */
import { describe, expect, it } from "vitest";
import { makeColumnBuffer } from "../../src/trace/columns";

describe("i64 column buffers", () => {
  it("write int64 values exactly as BigInt(Math.round(v)), with nulls, negatives, halves and wrap-around", () => {
    const values: (number | null)[] = [0, -0, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.4999, null, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32,
      -(2 ** 32), 2 ** 32 + 0.5, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, 2 ** 60 + 2 ** 12, -(2 ** 62), 2 ** 63 - 2 ** 10, 2 ** 63, -(2 ** 63), 2 ** 64 + 2 ** 20, -(2 ** 70), 1790857026000000000, null];
    let seed = 3;
    for (let k = 0; k < 5000; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const magnitude = 2 ** (seed % 66);
      values.push(((seed / 4294967296) - 0.5) * magnitude);
    }
    const column = makeColumnBuffer("i64", true, "t.c");
    for (const v of values) column.push(v);
    const data = column.toVector(null as never).data[0];
    const got = data.values as BigInt64Array;
    values.forEach((v, i) => {
      const expected = v === null || Number.isNaN(v) ? 0n : BigInt.asIntN(64, BigInt(Math.round(v)));
      expect(got[i], `value ${v}`).toBe(expected);
      expect(data.getValid(i), `validity of ${v}`).toBe(v !== null);
    });
  });
});
