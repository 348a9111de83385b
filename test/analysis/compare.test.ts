/** compareSystems: one scenario under several systems next to each tenant alone, on the package's real traces. */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compareSystems, type CompareResult } from "../../src/analysis/compare";
import { compareFrame } from "../../src/analysis/frames";
import { applyPoint, checkSweeps, parseSweepOption, sweepPoints } from "../../src/analysis/sweep";
import type { JobSummary, ServiceSummary } from "../../src/metrics/summary";
import { replay, type ScenarioSpec, type TenantSpec } from "../../src/replay";
import { poissonArrivals } from "../../src/workload/arrivals";
import { loadWorkload } from "../../src/workload/extract";
import type { Workload } from "../../src/workload/workload";
import { REPO_ROOT } from "../helpers/fixtures";

const TRACES = path.join(REPO_ROOT, "traces");
const DURATION_S = 0.5;
const SEED = 4;

let service: Workload, job: Workload;
let scenario: ScenarioSpec;
let result: CompareResult;

beforeAll(async () => {
  service = await loadWorkload(path.join(TRACES, "resnet50_graph_infer_bs1.pt.trace.json.gz"));
  job = await loadWorkload(path.join(TRACES, "resnet50_colo_train_bs64.pt.trace.json.gz"));
  const tenants: TenantSpec[] = [
    { name: "svc", trace: service, arrival: { kind: "poisson", ratePerS: 300 }, priority: 1, quotaPct: 100 },
    { name: "train", trace: job, arrival: { kind: "back-to-back" }, priority: 0, quotaPct: 0, limitPct: 25 },
  ];
  scenario = { gpu: "h200", policy: "mps", durationS: DURATION_S, seed: SEED, tenants, policyOptions: { mig: { profiles: ["4g", "3g"] } } };
  result = await compareSystems(scenario, { systems: ["mps", "mps-limit", "mig", "+tpc"] });
});

describe("compareSystems", () => {
  it("gives one row per system, in the order asked, each with the service and the job", () => {
    expect(result.rows.map((r) => r.system)).toEqual(["mps", "mps-limit", "mig", "+tpc"]);
    for (const r of result.rows) {
      expect(r.services.map((s) => s.name)).toEqual(["svc"]);
      expect(r.jobs.map((j) => j.name)).toEqual(["train"]);
      expect(r.truncated).toBe(false);
    }
  });

  it("takes each alone row from a separate mps replay of that tenant with its own seed (seed + index)", async () => {
    const svcAlone = (await replay({ gpu: "h200", policy: "mps", durationS: DURATION_S, seed: SEED, tenants: [scenario.tenants[0]!] })).summary;
    const jobAlone = (await replay({ gpu: "h200", policy: "mps", durationS: DURATION_S, seed: SEED + 1, tenants: [scenario.tenants[1]!] })).summary;
    expect(result.alone.map((a) => a.tenant)).toEqual(["svc", "train"]);
    expect(result.alone[0]!.summary).toEqual(svcAlone.tenants[0]);
    expect(result.alone[1]!.summary).toEqual(jobAlone.tenants[0]);
    expect(result.alone[0]!.energy_j).toBe(svcAlone.energy_j);
  });

  it("computes ratios, SLOs and the aggregate from the stacked and alone numbers", async () => {
    const a = result.alone[0]!.summary as ServiceSummary;
    const aj = result.alone[1]!.summary as JobSummary;
    const offered = poissonArrivals(300, DURATION_S * 1e9, SEED).length / DURATION_S;
    for (const r of result.rows) {
      const s = r.services[0]!, j = r.jobs[0]!;
      expect(s.p99_x).toBeCloseTo(s.p99_us / a.p99_us, 12);
      expect(s.p95_x).toBeCloseTo(s.p95_us / a.p95_us, 12);
      expect(s.slo_us).toBeCloseTo(5 * a.p50_us, 9);
      expect(s.offered_rps).toBeCloseTo(offered, 9);
      expect(s.normalized_throughput).toBeCloseTo(Math.min(1, s.throughput_rps / offered), 12);
      expect(j.its_x).toBeCloseTo(j.throughput_its / aj.throughput_its, 12);
      expect(r.aggregate_throughput).toBeCloseTo(s.normalized_throughput + j.its_x, 12);
      expect(s.normalized_goodput).toBeCloseTo(Math.min(1, s.goodput_rps! / offered), 12);
      expect(s.normalized_goodput!).toBeLessThanOrEqual(s.normalized_throughput);
      expect(r.aggregate_goodput).toBeCloseTo(s.normalized_goodput! + j.its_x, 12);
      expect(r.capacity_saved).toBeNull();
    }
    // The mps row is the scenario replayed under mps with each service's SLO set.
    const mps = await replay({ ...scenario, policy: "mps", tenants: scenario.tenants.map((t, i) => ({ ...t, sloUs: i === 0 ? 5 * a.p50_us : null })) });
    const ms = mps.summary.tenants[0] as ServiceSummary;
    expect(result.rows[0]!.services[0]!.p99_us).toBe(ms.p99_us);
    expect(result.rows[0]!.services[0]!.slo_attainment).toBe(ms.slo_attainment);
    expect(result.rows[0]!.energy_j).toBe(mps.summary.energy_j);
  });

  it("applies the job's thread limit under mps-limit only", async () => {
    const [mps, limited] = result.rows;
    expect(limited!.jobs[0]!.throughput_its).toBeLessThan(mps!.jobs[0]!.throughput_its);
    const unlimited = await replay({ ...scenario, policy: "mps", tenants: scenario.tenants.map((t) => ({ ...t, limitPct: null })) });
    const withLimit = await replay({ ...scenario, policy: "mps" });
    expect(withLimit.summary.tenants).toEqual(unlimited.summary.tenants);
  });

  it("gives the same rows for the same seed", async () => {
    const again = await compareSystems(scenario, { systems: ["mps", "mps-limit", "mig", "+tpc"] });
    expect(again.rows).toEqual(result.rows);
    expect(again.alone).toEqual(result.alone);
  });

  it("refuses an unknown system and an unknown sweep key", async () => {
    await expect(compareSystems(scenario, { systems: ["mps", "fifo"] })).rejects.toThrow(/unknown policy "fifo"/);
    await expect(compareSystems(scenario, { systems: ["mps"], sweeps: [{ key: "lithos.colour", values: ["1"] }] })).rejects.toThrow(/unknown sweep key "lithos.colour"/);
  });
});

describe("sweeps", () => {
  it("parses --sweep text and expands every combination, the first sweep outermost", () => {
    const sweeps = parseSweepOption("tenant=svc,train;lithos.slip=off,1.1");
    expect(sweeps).toEqual([{ key: "tenant", values: ["svc", "train"] }, { key: "lithos.slip", values: ["off", "1.1"] }]);
    expect(sweepPoints(sweeps)).toEqual([
      { tenant: "svc", "lithos.slip": "off" }, { tenant: "svc", "lithos.slip": "1.1" },
      { tenant: "train", "lithos.slip": "off" }, { tenant: "train", "lithos.slip": "1.1" },
    ]);
    expect(() => checkSweeps(scenario, [{ key: "lithos.slip", values: ["0.9"] }])).toThrow(/≥ 1/);
    expect(() => checkSweeps(scenario, [{ key: "tenant", values: ["nobody"] }])).toThrow(/no tenant "nobody"/);
  });

  it("keeps one tenant (and its MIG profile) and switches a mechanism on with a number, off with \"off\"", () => {
    const p = applyPoint(scenario, { tenant: "train", "lithos.slip": "1.2" });
    expect(p.tenants.map((t) => t.name)).toEqual(["train"]);
    expect(p.policyOptions?.mig?.profiles).toEqual(["3g"]);
    expect(p.policyOptions?.lithos).toEqual({ rightSizing: true, slip: 1.2 });
    expect(applyPoint(scenario, { "lithos.dvfs_k": "off" }).policyOptions?.lithos).toEqual({ dvfs: false });
  });

  it("reads savings and slowdowns against the sweep's first value, same system", async () => {
    const r = await compareSystems({ ...scenario, durationS: 0.3 }, { systems: ["lithos"], sweeps: [{ key: "tenant", values: ["train"] }, { key: "lithos.dvfs_k", values: ["off", "0.4"] }] });
    expect(r.rows.map((x) => x.point["lithos.dvfs_k"])).toEqual(["off", "0.4"]);
    const [base, k] = r.rows;
    expect(base!.capacity_saved).toBe(0);
    expect(base!.energy_saved).toBe(0);
    expect(base!.jobs[0]!.slowdown_vs_baseline).toBe(1);
    expect(k!.energy_saved).toBeCloseTo(1 - k!.j_per_work / base!.j_per_work, 12);
    expect(k!.capacity_saved).toBeCloseTo(1 - (k!.sm_s / k!.work_units) / (base!.sm_s / base!.work_units), 12);
    expect(k!.jobs[0]!.slowdown_vs_baseline).toBeCloseTo(base!.jobs[0]!.throughput_its / k!.jobs[0]!.throughput_its, 12);
    // One alone run serves both values.
    expect(r.alone).toHaveLength(2);
    expect(r.alone[0]!.summary).toEqual(r.alone[1]!.summary);
  });

  it("makes a frame of a tenant sweep, each tenant's columns null on the rows without it", async () => {
    const r = await compareSystems({ ...scenario, durationS: 0.3 }, { systems: ["mps"], sweeps: [{ key: "tenant", values: ["svc", "train"] }] });
    const frame = compareFrame(r);
    expect(frame.columns).toEqual(["point", "system", "svc_p99_x", "svc_slo", "train_its_x", "aggregate", "j_per_work", "sm_share"]);
    const rows = frame.values as (string | number | null)[][];
    expect(rows[0]![4]).toBeNull();
    expect(rows[1]![2]).toBeNull();
    expect(rows[1]![4]).toBeCloseTo(r.rows[1]!.jobs[0]!.its_x, 3);
  });
});
