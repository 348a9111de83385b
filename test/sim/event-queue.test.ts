/**
 * The event queue's keyed events: replacing or cancelling one must give exactly the order of pushing a new event
 * and skipping the old one when it pops (what the engine did before milestones were keyed).
 */
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/sim/event-queue";

/** A deterministic pseudo-random sequence in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe("EventQueue", () => {
  it("pops in time order, ties in insertion order", () => {
    const q = new EventQueue();
    [3, 1, 2, 1, 3].forEach((t, i) => q.push(t, 0, i, 0));
    const order: number[] = [];
    while (q.pop()) order.push(q.topA);
    expect(order).toEqual([1, 3, 2, 0, 4]);
  });

  it("keyed events replace and cancel as pushing afresh and skipping stale ones would", () => {
    for (let trial = 0; trial < 300; trial++) {
      const rnd = lcg(trial + 1);
      const q = new EventQueue();
      // The reference: every event pushed, keyed ones skipped on pop unless they are their key's latest.
      const ref: { t: number; seq: number; key: number; id: number }[] = [];
      const latest = new Map<number, number>();
      let id = 0;
      const got: string[] = [], want: string[] = [];
      for (let step = 0; step < 400; step++) {
        const r = rnd(), t = Math.floor(rnd() * 20) + step;
        if (r < 0.3) { q.push(t, 1, -1, ++id); ref.push({ t, seq: id, key: -1, id }); }
        else if (r < 0.6) {
          const key = Math.floor(rnd() * 8);
          const before = latest.has(key) ? ref.find((e) => e.id === latest.get(key))!.t : -1;
          expect(q.schedule(key, t, 2, key, ++id)).toBe(before);
          latest.set(key, id);
          ref.push({ t, seq: id, key, id });
        } else if (r < 0.7) {
          const key = Math.floor(rnd() * 8);
          const before = latest.has(key) ? ref.find((e) => e.id === latest.get(key))!.t : -1;
          expect(q.cancel(key)).toBe(before);
          latest.delete(key);
        } else {
          ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
          for (;;) {
            const e = ref.shift();
            if (!e) break;
            if (e.key >= 0 && latest.get(e.key) !== e.id) continue;
            if (e.key >= 0) latest.delete(e.key);
            want.push(`${e.t}:${e.id}`);
            break;
          }
          if (q.pop()) got.push(`${q.topTime}:${q.topB}`);
        }
      }
      expect(got).toEqual(want);
    }
  });
});
