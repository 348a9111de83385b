/** The paper's claims beside ours: ratios on hand-built comparisons whose answers are known by hand. */
import { describe, expect, it } from "vitest";
import type { CompareResult, CompareRow, JobCell, ServiceCell } from "../../src/analysis/compare";
import { bestPrior, holBlockingClaims, hybridStackingClaims, inferenceStackingClaims, PRIOR_SYSTEMS, savingsClaims } from "../../src/analysis/paper-claims";
import { POLICY_NAMES } from "../../src/policies";

const service = (p99_us: number, extra: Partial<ServiceCell> = {}): ServiceCell => ({
  name: "svc", p50_us: p99_us / 3, p95_us: p99_us / 2, p99_us, p95_x: 1, p99_x: p99_us / 1000, slo_us: 5000, slo_attainment: 1,
  goodput_rps: 300, throughput_rps: 300, offered_rps: 300, normalized_throughput: 1, normalized_goodput: 1, p99_vs_baseline: null, ...extra,
});
const job = (its_x: number, extra: Partial<JobCell> = {}): JobCell => ({ name: "train", throughput_its: 30 * its_x, its_x, slowdown_vs_baseline: null, ...extra });
const row = (system: string, services: ServiceCell[], jobs: JobCell[], extra: Partial<CompareRow> = {}): CompareRow => ({
  system, point: {}, services, jobs,
  aggregate_throughput: services.reduce((s, c) => s + c.normalized_throughput, 0) + jobs.reduce((s, c) => s + c.its_x, 0),
  aggregate_goodput: services.reduce((s, c) => s + (c.normalized_goodput ?? 0), 0) + jobs.reduce((s, c) => s + c.its_x, 0),
  energy_j: 100, simulated_s: 1, avg_power_w: 100, work_units: 1, j_per_work: 100, sm_share: 0.5, sm_s: 66,
  capacity_saved: null, energy_saved: null, truncated: false, ...extra,
});
const result = (rows: CompareRow[], sweeps: CompareResult["sweeps"] = []): CompareResult => ({
  gpu: "h200-sxm", durationS: 1, seed: 1, systems: [...new Set(rows.map((r) => r.system))], sweeps, slo: { x: 5 }, alone: [], rows,
});

describe("paper claims", () => {
  it("counts every registered policy but LithOS and its ablations as a prior system", () => {
    expect(PRIOR_SYSTEMS).toEqual(POLICY_NAMES.filter((p) => !["lithos", "+tpc", "+atom"].includes(p)));
    expect(PRIOR_SYSTEMS).toContain("tgs");
  });

  it("inference stacking: tails against MPS, Orion and the lowest-tail prior system, goodput against that same system", () => {
    const r = result([
      row("mps", [service(26_000, { slo_attainment: 0.4, normalized_goodput: 0.4 })], [job(0.9)]),
      row("orion", [service(12_000, { slo_attainment: 0.9, normalized_goodput: 0.9 })], [job(0.8)]),
      row("reef", [service(4_000)], [job(0.1)]),
      row("tgs", [service(5_000)], [job(0.5)]),
      row("lithos", [service(2_000)], [job(0.6)]),
    ]);
    expect(bestPrior(r).system).toBe("reef");
    const claims = inferenceStackingClaims(r);
    const by = (s: string) => claims.find((c) => c.claim.startsWith(s))!;
    expect(by("tail vs MPS").ours).toBe(13);
    expect(by("tail vs Orion").ours).toBe(6);
    expect(by("tail vs the best prior").ours).toBe(2);
    expect(by("tail vs the best prior").detail).toContain("reef 4.00 ms");
    expect(by("aggregate goodput").ours).toBeCloseTo(1.6 / 1.1, 12);
    expect(by("systems meeting").detail).toBe("reef, tgs, lithos");
    // Highest aggregate goodput among prior systems: orion (0.9 + 0.8).
    expect(by("tail and aggregate goodput vs the prior system of highest goodput").detail).toBe(`orion: 6.00× lower tail, ${(1.6 / 1.7).toFixed(2)}× goodput`);
    const slower = inferenceStackingClaims(result([...r.rows.filter((x) => x.system !== "lithos"), row("lithos", [service(8_000)], [job(0.6)])]));
    expect(slower.find((c) => c.claim === "tail vs the best prior system")!.detail).toBe("2.00× higher (reef 4.00 ms, lithos 8.00 ms)");
    expect(by("MPS: HP A").detail).toBe(`40%; ${(1.9 / 1.6).toFixed(2)}×`);
  });

  it("hybrid stacking: the ablation rows read each variant's p99 over alone", () => {
    const r = result([
      row("mps", [service(9_400)], [job(0.9)]),
      row("tgs", [service(2_400)], [job(0.4)]),
      row("+tpc", [service(1_380)], [job(0.7)]),
      row("+atom", [service(1_190)], [job(0.7)]),
      row("lithos", [service(2_000)], [job(0.62)]),
    ]);
    const claims = hybridStackingClaims(r);
    const by = (s: string) => claims.find((c) => c.claim.startsWith(s))!;
    expect(by("tail vs MPS").ours).toBeCloseTo(4.7, 12);
    expect(by("tail vs the best prior").ours).toBeCloseTo(1.2, 12);
    expect(by("aggregate throughput").ours).toBeCloseTo(1.62 / 1.4, 12);
    expect(by("tail and aggregate throughput vs TGS").ours).toBeCloseTo(1.2, 12);
    expect(by("tail and aggregate throughput vs the prior system of highest throughput").detail).toBe(`mps: 4.70× lower tail, ${(1.62 / 1.9).toFixed(2)}× throughput`);
    expect(by("Fig. 20 ablation: +tpc").ours).toBeCloseTo(1.38, 12);
    expect(by("Fig. 20 ablation: +atom").ours).toBeCloseTo(1.19, 12);
  });

  it("head-of-line blocking: the worst p95 over alone along the sweep, per system", () => {
    const at = (bs: string, system: string, p95_x: number) => ({ ...row(system, [service(3000, { p95_x })], [job(0.7)]), point: { "train.trace": bs } });
    const r = result([at("bs16", "mps", 1.2), at("bs16", "+atom", 1.01), at("bs256", "mps", 9.9), at("bs256", "+atom", 1.21)], [{ key: "train.trace", values: ["bs16", "bs256"] }]);
    const [c] = holBlockingClaims(r);
    expect(c!.ours).toBeCloseTo(1.21, 12);
    expect(c!.detail).toBe("1.21× (mps 9.90×)");
  });

  it("right-sizing and power: mean and max saving over tenants at the paper's default value, worst slowdown", () => {
    const at = (tenant: string, slip: string, saved: number, slowdown: number) => ({
      ...row("lithos", tenant === "svc" ? [service(3000, { p99_vs_baseline: slowdown })] : [], tenant === "svc" ? [] : [job(1, { slowdown_vs_baseline: slowdown })], { capacity_saved: saved, energy_saved: saved / 2 }),
      point: { tenant, "lithos.slip": slip },
    });
    const r = result([at("svc", "off", 0, 1), at("svc", "1.1", 0.2, 1.03), at("train", "off", 0, 1), at("train", "1.1", 0.5, 1.08)], [{ key: "tenant", values: ["svc", "train"] }, { key: "lithos.slip", values: ["off", "1.1"] }]);
    const [c] = savingsClaims(r, "capacity");
    expect(c!.ours).toBeCloseTo(0.35, 12);
    expect(c!.detail).toBe("35% (50%) at +8%: svc 20% at 1.03×, train 50% at 1.08×");
    expect(() => savingsClaims(r, "energy")).toThrow(/no lithos row at lithos.dvfs_k=0.1/);
  });

  it("says which system is missing", () => {
    expect(() => inferenceStackingClaims(result([row("mps", [service(1)], [])]))).toThrow(/no lithos row/);
  });
});
