/** Experiment files: the protobuf JSON mapping of schemas/experiment.proto turned into a scenario. */
import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../src/workload/experiment";
import { quotaSms } from "../../src/replay";
import { gpuSpec } from "../../src/gpu/specs";

const base = { gpu: "h200", policy: "mps", duration_s: 1, seed: 3 };

describe("parseExperiment", () => {
  it("reads closed-loop services and quotas, leaving an unset quota null and keeping a quota of 0", () => {
    const spec = parseExperiment(JSON.stringify({
      ...base,
      tenants: [
        { name: "a", trace: "a.json", poisson: { rate_per_s: 10 }, quota_pct: 75 },
        { name: "b", trace: "b.json", closed_loop: { concurrency: 2 } },
        { name: "c", trace: "c.json", back_to_back: {}, quota_pct: 0 },
      ],
    }), "/tmp/x/exp.json");
    expect(spec.tenants.map((t) => t.arrival)).toEqual([
      { kind: "poisson", ratePerS: 10 }, { kind: "closed-loop", concurrency: 2 }, { kind: "back-to-back" },
    ]);
    expect(spec.tenants.map((t) => t.quotaPct)).toEqual([75, null, 0]);
    expect(spec.tenants[0]!.trace).toBe("/tmp/x/a.json");
  });

  it("refuses a closed loop without clients and a quota above 100%", () => {
    const one = (t: object) => () => parseExperiment(JSON.stringify({ ...base, tenants: [{ name: "a", trace: "a.json", ...t }] }), "e.json");
    expect(one({ closed_loop: {} })).toThrow(/concurrency must be ≥ 1/);
    expect(one({ back_to_back: {}, quota_pct: 120 })).toThrow(/quota_pct must be in 0-100/);
  });
});

describe("quotaSms", () => {
  it("rounds a share of the GPU down to whole TPCs", () => {
    const h200 = gpuSpec("h200"); // 66 TPCs of 2 SMs
    expect(quotaSms(h200, 75)).toBe(98); // 49.5 TPCs → 49
    expect(quotaSms(h200, 25)).toBe(32); // 16.5 → 16
    expect(quotaSms(h200, 100)).toBe(132);
    expect(quotaSms(h200, 0)).toBe(0);
  });
});
