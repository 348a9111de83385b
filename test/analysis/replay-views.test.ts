/** Replay results as frames and figures, on a real two-tenant replay (the package's ResNet-50 traces). */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { latencyCdfs, powerOverTime, smOccupancy } from "../../src/analysis/replay-views";
import { percentileSorted } from "../../src/metrics/latency";
import { replay, type ReplayResult, type ScenarioSpec } from "../../src/replay";
import { systemColor } from "../../src/plot/style";
import { REPO_ROOT } from "../helpers/fixtures";

const TRACES = path.join(REPO_ROOT, "traces");
let spec: ScenarioSpec, mps: ReplayResult, lithos: ReplayResult;

beforeAll(async () => {
  spec = {
    gpu: "h200", policy: "mps", durationS: 0.5, seed: 5,
    tenants: [
      { name: "svc", trace: path.join(TRACES, "resnet50_graph_infer_bs1.pt.trace.json.gz"), arrival: { kind: "poisson", ratePerS: 300 }, priority: 1, quotaPct: 100 },
      { name: "train", trace: path.join(TRACES, "resnet50_colo_train_bs64.pt.trace.json.gz"), arrival: { kind: "back-to-back" }, priority: 0, quotaPct: 0 },
    ],
  };
  mps = await replay(spec);
  lithos = await replay({ ...spec, policy: "lithos" });
}, 120_000);

describe("replay views", () => {
  it("latency CDFs: the service's percentiles from its latencies, one line per system in the system's colour", () => {
    const one = latencyCdfs(mps);
    expect(one.rows.map((r) => r.tenant)).toEqual(["svc"]);
    const sorted = Float64Array.from(mps.sim.tenants[0]!.latenciesNs).sort();
    expect(one.rows[0]!.p99_ms).toBeCloseTo(percentileSorted(sorted, 99) / 1e6, 12);
    expect(one.rows[0]!.requests).toBe(sorted.length);
    const y = one.figure.data[0]!.y as number[];
    expect(y.at(-1)).toBe(1);
    expect(y).toEqual([...y].sort((a, b) => a - b));
    const both = latencyCdfs([mps, lithos]);
    expect(both.rows.map((r) => r.system)).toEqual(["mps", "lithos"]);
    expect(both.figure.data.map((d) => (d.line as { color: string }).color)).toEqual([systemColor("mps"), systemColor("lithos")]);
  });

  it("SM occupancy: each tenant's SMs per power window add up to the SM·time the engine counted, within the GPU", () => {
    const occ = smOccupancy(mps);
    const starts = mps.sim.power.startNs;
    mps.sim.tenants.forEach((t) => {
      expect(t.smSeries).toHaveLength(starts.length);
      const smNs = t.smSeries.reduce((a, v, k) => a + v * ((k + 1 < starts.length ? starts[k + 1]! : mps.sim.endNs) - starts[k]!), 0);
      expect(smNs / t.smNs).toBeCloseTo(1, 9);
    });
    for (let k = 0; k < starts.length; k++) expect(mps.sim.tenants[0]!.smSeries[k]! + mps.sim.tenants[1]!.smSeries[k]!).toBeLessThanOrEqual(132 + 1e-9);
    expect(occ.rows.map((r) => r.tenant)).toEqual(["svc", "train"]);
    expect(occ.rows[1]!.share).toBeCloseTo(mps.summary.tenants[1]!.sm_share, 6);
  });

  it("power over time: energy and clocks from the power meter's windows, the clock within the GPU's range", () => {
    const p = powerOverTime(lithos);
    expect(p.rows[0]!.energy_j).toBe(lithos.sim.energyJ);
    expect(p.rows[0]!.min_clock_mhz).toBeGreaterThanOrEqual(lithos.gpu.minClockMHz);
    expect(p.rows[0]!.mean_clock_mhz).toBeLessThanOrEqual(lithos.gpu.maxClockMHz);
    expect(p.figure.data).toHaveLength(2);
    expect((p.figure.data[0]!.x as number[]).length).toBe(lithos.sim.power.startNs.length);
  });
});
