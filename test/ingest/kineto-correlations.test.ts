/** CorrelationProcesses must behave exactly as the Map<number, number> it replaces, for every kind of id. */
import { describe, expect, it } from "vitest";
import { CorrelationProcesses } from "../../src/ingest/kineto-json/correlations";

describe("CorrelationProcesses", () => {
  it("gives what a Map gives for dense, sparse, fractional, negative, -0 and huge ids, with overwrites", () => {
    const ids = [0, -0, 1, 2, 1023, 1024, 5000, (1 << 20) - 1, 1 << 20, 4095, 4096, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 40, -1, -0.5, 12.25, 7, 7, 3, 3e6];
    let seed = 7;
    for (let k = 0; k < 2000; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      ids.push(seed % 3 === 0 ? seed % 100_000 : seed % 5 === 0 ? -(seed % 50) : seed % 3000);
    }
    const map = new Map<number, number>();
    const table = new CorrelationProcesses();
    ids.forEach((id, i) => {
      expect(table.get(id), `get ${id} before set`).toBe(map.get(id));
      if (i % 3 !== 2) {
        const pid = i % 4 === 0 ? -i : i * 1.5;
        map.set(id, pid);
        table.set(id, pid);
      }
    });
    for (const id of [...ids, 4, 999_999, 2 ** 41]) expect(table.get(id), `get ${id}`).toBe(map.get(id));
  });

  it("keeps ids in the Map once it has made all its pages", () => {
    const map = new Map<number, number>();
    const table = new CorrelationProcesses();
    // One id per 4096-id page: 3000 pages are asked for, more than the 2048 it makes.
    for (let k = 0; k < 3000; k++) {
      const id = k * 4096 + (k % 7);
      map.set(id, k);
      table.set(id, k);
    }
    for (let k = 0; k < 3000; k++) {
      for (const id of [k * 4096 + (k % 7), k * 4096 + 3000]) expect(table.get(id), `get ${id}`).toBe(map.get(id));
    }
  });
});
