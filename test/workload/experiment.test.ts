/** Experiment files: the protobuf JSON mapping of schemas/experiment.proto turned into a scenario. */
import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../src/workload/experiment";
import { quotaSms } from "../../src/replay";
import { gpuSpec } from "../../src/gpu/specs";
import * as fs from "node:fs";
import * as path from "node:path";
import { POLICY_NAMES } from "../../src/policies";
import { REPO_ROOT } from "../helpers/fixtures";

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

describe("parseExperiment: settings for every system, and compare", () => {
  const three = [
    { name: "a", trace: "a.json", poisson: { rate_per_s: 10 }, mig_profile: "4g", mig_instance: 0 },
    { name: "b", trace: "b.json", closed_loop: { concurrency: 1 }, mig_profile: "3g", mig_instance: 1 },
    { name: "c", trace: "c.json", back_to_back: {}, mig_instance: 1 },
  ];

  it("groups tenants into MIG instances, keeping each tenant's profile", () => {
    const spec = parseExperiment(JSON.stringify({ ...base, tenants: three }), "/tmp/x/exp.json");
    expect(spec.policyOptions?.mig).toEqual({ profiles: ["4g", "3g", ""], instances: [0, 1, 1] });
    const own = parseExperiment(JSON.stringify({ ...base, tenants: [three[0], { ...three[1], mig_instance: undefined }] }), "e.json");
    expect(own.policyOptions?.mig?.instances).toEqual([0, 2]);
  });

  it("maps LithOS options, leaving unset ones out so the variant's defaults stay", () => {
    const spec = parseExperiment(JSON.stringify({ ...base, tenants: [three[0]], policy_options: { atom_us: 250, rightsizing_slip: 1.2, dvfs: false } }), "e.json");
    expect(spec.policyOptions?.lithos).toEqual({ atomUs: 250, slip: 1.2, dvfs: false });
    const none = parseExperiment(JSON.stringify({ ...base, tenants: [three[0]], policy_options: { slice_us: 100 } }), "e.json");
    expect(none.policyOptions?.lithos).toBeUndefined();
    const off = parseExperiment(JSON.stringify({ ...base, tenants: [three[0]], policy_options: { right_sizing: false, atomization: true, stealing: false, dvfs_k: 0.2 } }), "e.json");
    expect(off.policyOptions?.lithos).toEqual({ rightSizing: false, atomization: true, stealing: false, dvfsK: 0.2 });
    expect(() => parseExperiment(JSON.stringify({ ...base, tenants: [three[0]], policy_options: { rightsizing_slip: 0.5 } }), "e.json")).toThrow(/rightsizing_slip/);
  });

  it("reads slo_x and compare's systems and sweeps, trace values relative to the file", () => {
    const spec = parseExperiment(JSON.stringify({
      ...base, slo_x: 4, tenants: three,
      compare: { systems: ["mps", "lithos"], sweeps: [{ key: "c.trace", values: ["c16.json", "/abs/c32.json"] }, { key: "lithos.slip", values: ["off", "1.1"] }] },
    }), "/tmp/x/exp.json");
    expect(spec.sloX).toBe(4);
    expect(spec.compare.systems).toEqual(["mps", "lithos"]);
    expect(spec.compare.sweeps).toEqual([{ key: "c.trace", values: ["/tmp/x/c16.json", "/abs/c32.json"] }, { key: "lithos.slip", values: ["off", "1.1"] }]);
    expect(parseExperiment(JSON.stringify({ ...base, tenants: [three[0]] }), "e.json").sloX).toBeNull();
    expect(() => parseExperiment(JSON.stringify({ ...base, tenants: [three[0]], compare: { sweeps: [{ key: "x", values: [], colour: 1 }] } }), "e.json")).toThrow(/unknown field "colour"/);
  });
});

describe("the paper experiments (experiments/paper)", () => {
  const dir = path.join(REPO_ROOT, "experiments", "paper");
  const traces = path.join(REPO_ROOT, "traces") + path.sep;
  it("parse, and name only traces shipped in the package's traces/ folder", () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const spec = parseExperiment(fs.readFileSync(path.join(dir, f), "utf8"), path.join(dir, f));
      const named = [...spec.tenants.map((t) => t.trace as string), ...spec.compare.sweeps.filter((s) => s.key.endsWith(".trace")).flatMap((s) => s.values)];
      for (const t of named) {
        expect(t.startsWith(traces), `${f}: ${t}`).toBe(true);
        expect(fs.existsSync(t), `${f}: ${t}`).toBe(true);
      }
      for (const s of spec.compare.systems) expect(POLICY_NAMES, f).toContain(s);
    }
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
